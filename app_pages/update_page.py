"""The Update view: prior, evidence ledger, posterior in every unit, waterfall and downloads."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app_pages import common, export_panel, scenarios
from beliefs.entry import (
    PRIOR_ENTRIES,
    format_prior,
    format_prior_list,
    parse_percent,
    parse_prior_list_text,
    parse_prior_text,
)
from beliefs.errors import InputError
from beliefs.evidence import (
    DISCOUNT,
    GROUP,
    LABEL,
    LIKELIHOOD,
    LOG_LR_SIGMA,
    NO_STRENGTH,
    STATUS_MEANING,
    Entry,
    Evidence,
    Source,
)
from beliefs.format import format_evidence, format_likelihood, format_probability
from beliefs.io.csvfile import to_csv
from beliefs.odds import log_odds
from beliefs.plots.update import plot_prior_posterior, prior_posterior_rows, waterfall_rows, waterfall_spec
from beliefs.ratio_scale import entry_text, ratio_words, slider_options
from beliefs.text import one_line, terminal_safe
from beliefs.update import update

_ENTRY_LABELS = {
    "percent": "percent",
    "odds": "odds a:b",
    "log-odds": "log-odds (nats, or '1.58 bits', '4.77 dB')",
}
_ENTRY_HELP = {
    "percent": "25, 25% and 0.25% are taken as written. A bare number below 1 (0.75) is taken as 0.75% and flagged.",
    "odds": "a:b, e.g. 1:3 for 25%.",
    "log-odds": "ln of the odds, in nats (0 = 50%); or with a unit: '1.58 bits', '4.77 dB'.",
}


# -- prior ------------------------------------------------------------------------


def _slider_value(p: float) -> float:
    return min(100.0, max(0.0, round(100 * p, 1)))


def _prior_slider_moved() -> None:
    p = st.session_state["w_prior_slider"] / 100
    common.values()["prior"] = p
    st.session_state["w_prior_text"] = format_prior(p, common.values()["entry"])
    for key in ("prior_error", "prior_flag"):
        st.session_state.pop(key, None)


def _prior_typed() -> None:
    text = st.session_state["w_prior_text"]
    entry = common.values()["entry"]
    try:
        p = parse_prior_text(text, entry)
        flag = parse_percent(text).warning() if entry == "percent" else ""
    except InputError as exc:
        st.session_state["prior_error"] = str(exc)
        return
    common.values()["prior"] = p
    # The slider shows a rounding of the exact value; it never writes it back unless moved.
    st.session_state["w_prior_slider"] = _slider_value(p)
    st.session_state.pop("prior_error", None)
    if flag:
        st.session_state["prior_flag"] = flag
    else:
        st.session_state.pop("prior_flag", None)


def _entry_changed() -> None:
    entry = st.session_state["w_entry"]
    common.values()["entry"] = entry
    st.session_state["w_prior_text"] = format_prior(common.values()["prior"], entry)
    st.session_state["w_cmp"] = format_prior_list(common.values()["cmp"], entry)  # the other priors follow
    for key in ("prior_error", "prior_flag"):
        st.session_state.pop(key, None)


def _prior_widgets() -> float:
    v = common.values()
    st.subheader("Prior")
    left, right = st.columns([3, 2])
    with left:
        st.slider(
            "P(H) before the evidence (%)",
            0.0,
            100.0,
            step=0.1,
            format="%.1f%%",
            key=common.seed("w_prior_slider", _slider_value(v["prior"])),
            on_change=_prior_slider_moved,
            help=f"P(H): your probability that H is true before this evidence. H: {scenarios.hypothesis()}",
        )
    with right:
        st.radio(
            "Type the prior as",
            PRIOR_ENTRIES,
            format_func=lambda e: _ENTRY_LABELS[e].split(" (")[0],
            horizontal=True,
            key=common.seed("w_entry", v["entry"]),
            on_change=_entry_changed,
        )
        box, parsed = st.columns([3, 2], vertical_alignment="bottom")
        with box:
            st.text_input(
                f"Exact prior ({_ENTRY_LABELS[v['entry']]})",
                key=common.seed("w_prior_text", format_prior(v["prior"], v["entry"])),
                on_change=_prior_typed,
                help=_ENTRY_HELP[v["entry"]],
            )
        with parsed:
            st.markdown(f"= {format_probability(log_odds(v['prior']))}")
    if "prior_error" in st.session_state:
        st.error(common.plain(st.session_state["prior_error"]) + " — the prior is unchanged", icon=":material/error:")
    if st.session_state.get("prior_flag"):
        st.warning(st.session_state["prior_flag"], icon=":material/help:")
    return v["prior"]


# -- ledger -----------------------------------------------------------------------


def _item(uid: str) -> Evidence:
    return common.items()[common.item_index(uid)]


def _remove(uid: str) -> None:
    common.remove_item(uid)


def _kind_changed(uid: str) -> None:
    """Switch how an item is stated, keeping its ratio (a spread does not carry over)."""
    item = _item(uid)
    new = st.session_state[f"w_{uid}_kind"]
    if new == item.entry.kind:
        return
    lr = item.likelihood_ratio
    if new == "lr":
        entry = Entry("lr", lr)
    else:
        # The pair LR/(1+LR) vs 1/(1+LR) keeps the ratio (as near as two floats can).
        entry = Entry("p", lr / (1 + lr), 1 / (1 + lr))
    try:
        common.replace_item(uid, item.with_entry(entry))
    except InputError:  # a ratio beyond what a probability pair holds (1e300): stays a ratio
        st.session_state[f"w_{uid}_kind"] = item.entry.kind
        return
    common.item_errors().pop(uid, None)
    for suffix in ("a", "b", "at", "bt", "ratio", "lr", "spread"):
        st.session_state.pop(f"w_{uid}_{suffix}", None)


def _ratio_slid(uid: str) -> None:
    """The ratio slider moved to a stop: the item takes it exactly and the box shows its text.

    One source of truth per value: the item.  The slider and the box are two ways to write it, each
    re-seeded from it (the box by this callback, the slider before it is drawn), and the summary, the
    row's line and both widgets are drawn from the item in the same run.  So a run never shows two
    values, and under a burst of key presses each rerun (interrupted by the next press, see
    :func:`_ratio_controls`) draws the summary first from the newest press.
    """
    item = _item(uid)
    lr = st.session_state[f"w_{uid}_ratio"]
    if lr == item.likelihood_ratio:
        return
    try:
        common.replace_item(uid, item.with_entry(item.entry._replace(a=lr)))
    except InputError:  # cannot happen for a stop (all are valid ratios); the box then says why
        pass
    st.session_state[f"w_{uid}_lr"] = entry_text(lr)


def _likelihood_slid(uid: str, which: str) -> None:
    """A P(E|H) or P(E|not H) slider moved: the item takes the value, or its box shows it refused."""
    item = _item(uid)
    p = float(format_likelihood(st.session_state[f"w_{uid}_{which}"]))  # the step's value, not 0.7600000000000001
    st.session_state[f"w_{uid}_{which}t"] = format_likelihood(p)  # read back by sync: a refused value says why
    try:
        common.replace_item(uid, item.with_entry(item.entry._replace(**{which: p})))
    except InputError:
        return


def _reseed(key: str, value) -> None:
    """Show the item's ``value`` on a slider that shows another (typed in its box, or a refused move).

    Only when it differs: setting a widget's state sends its value to the browser, which would move
    a thumb the user has already moved on back to this run's value.
    """
    if st.session_state.get(key) != value:
        st.session_state[key] = value


def _exact_help(value: float, shown: str, what: str) -> str:
    """The box's help: what it takes, and the full value when the box shows fewer digits."""
    full = repr(float(value)).removesuffix(".0")
    exact = "" if shown.replace(":1", "") == full else f" Full value: {full}."
    return what + exact


def _item_widgets(index: int, uid: str, item: Evidence) -> None:
    """Draw one ledger row; bounds come from the item schema, and an entry the item did not take says why."""
    kind, a, b, spread = item.entry
    with st.container(border=True):
        c_label, c_on, c_kind, c_rm = st.columns([5, 2, 4, 1], vertical_alignment="center")
        with c_label:
            st.text_input(
                "Label", key=common.seed(f"w_{uid}_label", item.label), label_visibility="collapsed",
                max_chars=LABEL.max_length,
            )  # fmt: skip
        with c_on:
            st.toggle(
                "include",
                key=common.seed(f"w_{uid}_on", item.enabled),
                help="Include this item in the posterior. Off: it stays in the ledger but does not count.",
            )
        with c_kind:
            st.radio(
                "Stated as",
                ("p", "lr"),
                format_func=lambda k: "P(E|H), P(E|¬H)" if k == "p" else "likelihood ratio",
                horizontal=True,
                key=common.seed(f"w_{uid}_kind", kind),
                on_change=_kind_changed,
                args=(uid,),
                label_visibility="collapsed",
                help=_KIND_HELP,
            )
        with c_rm:
            st.button("✕", key=f"rm_{uid}", on_click=_remove, args=(uid,), help="remove this item")
        figures = scenarios.catalogue_figures(item.id or "") if item.source is not None else ""
        # Always there, empty (and not drawn) unless needed: a box that came and went above the slider
        # would move it in the page's tree, and the browser would draw it anew, dropping the keyboard's
        # focus (a burst of arrow presses stopped at 1:1, where the box appears).
        with st.container():
            if not item.strength_stated:
                # A new item (typed or from the catalogue) starts at 1:1 and does nothing until stated.
                st.info(
                    f"**{NO_STRENGTH}.** How likely is this evidence if H is true, and if H is false? "
                    "Type the two probabilities, or switch to a ratio (3, 3:1, 1:3, 1/3)."
                    + (f" The source's figures: {common.plain(figures)}." if figures else ""),
                    icon=":material/edit_note:",
                )
        left, right, third = st.columns([2, 2, 1])
        reason = common.item_errors().get(uid)
        if reason is not None:
            st.error(
                f"not applied: {common.plain(reason)} — the item keeps its last valid value, shown below",
                icon=":material/block:",
            )
        # The item's line, below the numbers; filled right after the slider that sets it (_ratio_controls).
        line = _line_writer(uid, item, st.container())
        # The widgets reach the ends of each range the schema allows; a value at an open end (a
        # probability of 0) is refused by the item, which keeps its last value and says why.
        if kind == "p":
            for col, which, value, label, what in (
                (left, "a", a, "P(E | H)", "How likely this evidence is if H is true."),
                (right, "b", b, "P(E | not H)", "How likely this evidence is if H is false. "
                 "The likelihood ratio is P(E|H) / P(E|not H)."),
            ):  # fmt: skip
                with col:
                    _likelihood_controls(uid, which, value, label, what)
            line()
            spread_label, spread_help, spread_max = (
                "Uncertainty κ (Beta concentration)",
                "κ (kappa) says how sure you are of the two probabilities. 0 = exact. Otherwise each "
                "probability p gets a Beta(κp, κ(1-p)) distribution: larger κ, less uncertainty (κ = 20 is "
                "roughly ±0.1 around 0.5).",
                None,
            )
        else:
            _ratio_controls(uid, a, left, right, line)
            spread_label, spread_help, spread_max = (
                "Uncertainty σ (of ln LR)",
                "σ (sigma): the standard deviation of the natural log of the ratio. 0 = exact. Otherwise the "
                "ratio is log-normal: σ = 0.7 means roughly ×/÷ 2 at one standard deviation.",
                LOG_LR_SIGMA.high,
            )
        with third:
            st.number_input(
                spread_label,
                min_value=0.0,
                max_value=spread_max,
                step=0.1,
                format="%.4g",
                help=spread_help,
                key=common.seed(f"w_{uid}_spread", float(spread or 0.0)),
            )
        with st.expander("Dependence group", expanded=bool(item.group)):
            g_left, g_right = st.columns([3, 2])
            with g_left:
                st.text_input(
                    "Group name (empty: independent)",
                    key=common.seed(f"w_{uid}_group", item.group or ""),
                    max_chars=GROUP.max_length,
                    help="Items that share a cause (the same report read twice) are not independent. "
                    "Give them the same group name and a discount.",
                )
            with g_right:
                st.number_input(
                    "Discount w",
                    min_value=DISCOUNT.low,
                    max_value=DISCOUNT.high,
                    step=0.05,
                    format="%.4g",
                    key=common.seed(f"w_{uid}_discount", float(item.discount)),
                    help="w multiplies the group's log-likelihood ratios: 1 = count them fully, "
                    "0.5 = half; it must be above 0. Every item of a group must use the same w.",
                )
        if item.note:
            with st.expander("Note"):
                st.text(terminal_safe(item.note))  # as text, its line breaks kept, no control or bidi
        if item.source is not None:
            if figures and item.strength_stated:
                st.caption(
                    f"Published figures: {common.plain(figures)}. "
                    "Judge P(E|H) and P(E|¬H) yourself: no source states them."
                )
            _show_source(item.source)
        if item.likelihood_ratio > 100 or item.likelihood_ratio < 0.01:
            st.caption(
                "A ratio beyond 100:1 (20 dB) is extraordinary evidence; check it is not double counted."
            )


def _likelihood_controls(uid: str, which: str, value: float, label: str, what: str) -> None:
    """A slider and a text box for P(E|H) (``which`` "a") or P(E|not H) ("b"), both showing the item's value."""
    slider_col, box_col = st.columns([3, 2], vertical_alignment="bottom")
    with slider_col:
        _reseed(common.seed(f"w_{uid}_{which}", value), value)
        st.slider(
            label, LIKELIHOOD.low, LIKELIHOOD.high, step=0.01, format="%.2f", key=f"w_{uid}_{which}",
            on_change=_likelihood_slid, args=(uid, which), help=what + " The box beside it takes any value.",
        )  # fmt: skip
    with box_col:
        shown = format_likelihood(value)
        st.text_input(
            f"{label}, typed",
            key=common.seed(f"w_{uid}_{which}t", shown),
            help=_exact_help(value, shown, "Type 0.75, 75% or 3/4."),
        )


def _line_writer(uid: str, item: Evidence, slot) -> Callable[[], None]:
    """What draws the item's line (``LR 3:1 = 1.58 bits = ...``) into ``slot``, and the summary right after it.

    The summary follows the line of the item it has not shown yet (the one this run changed), so the
    two leave the server as consecutive messages built from the same state, one ``update()`` of it
    (:func:`app_pages.common.ledger_result`): see :func:`_ratio_controls`.  A run that changed no item
    (the prior moved) draws the summary after the rows.
    """
    text = f"`{item.describe()}`" + ("" if item.enabled else " — *not included*")

    def draw() -> None:
        common.ledger_result()  # computed before the line is sent: nothing but sending between line and summary
        with slot:
            st.markdown(text)
        if common.summary_lags(uid, item):
            common.draw_deferred_summary()

    return draw


def _ratio_controls(uid: str, lr: float, slider_col, box_col, line: Callable[[], None]) -> None:
    """The likelihood ratio as a slider over the ratios people use and a box that takes what they type.

    The slider's stops (:data:`beliefs.ratio_scale.STOPS`: 1:1, 5:4, 3:2, 2:1, 3:1, 5:1, 10:1, 20:1,
    100:1, their inverses and steps between) plus the item's own ratio if it is none, so an arrow key
    lands on a stop or the typed value, never on a ratio nobody typed.

    Why the page never contradicts itself (issue 24.4): one source of truth per value, sent in one
    stretch.  The item is the one value; the slider's label ("3:1 for H", the thumb's own number is
    hidden by app_pages.shell's CSS: the browser would draw it ahead of the server), the item's ``line`` and the
    summary are three views of it, drawn in this order as three consecutive messages, nothing computed
    between them.  A run is stopped by the next key press only where it sends a message, so a run cut
    short in a burst has sent the three or a prefix of them, and sent together they reach the browser
    in one batch.  (Drawn in page order, the box, the spread and the group's widgets came between the
    line and the summary: a 43 ms frame in CI where the item led the summary.)  A run can still stop
    between two of them (the next press arrives as one is sent: 838 ms once, item ahead of summary,
    with the ledger drawn after the title and the prior); so the ledger is drawn first (:func:`render`)
    and the next run redraws the three soon after it starts.  And the server takes
    presses one run at a time (``runner.fastReruns = false`` in .streamlit/config.toml says why), so
    the numbers follow within one run of the last press.  Debouncing would delay even a single press;
    a fragment would rerun this row without the summary, the posterior section and the share link.
    """
    with slider_col:
        _reseed(common.seed(f"w_{uid}_ratio", lr), lr)
        st.select_slider(
            f"Likelihood ratio: {ratio_words(lr)}",
            options=slider_options(lr),
            format_func=ratio_words,
            key=f"w_{uid}_ratio",
            on_change=_ratio_slid,
            args=(uid,),
            help="How many times likelier the evidence is if H is true than if it is false: "
            "3:1 for H (triples the odds), 3:1 against H (divides them by 3), 1:1 (no evidence).",
        )
    line()  # the line and the summary right after the slider: the box and the spread follow them
    with box_col:
        shown = entry_text(lr)
        st.text_input(
            "Likelihood ratio, typed",
            key=common.seed(f"w_{uid}_lr", shown),
            help=_exact_help(lr, shown, "Type 3, 3:1, 1:3, 0.33 or 1/3: taken as written (1e36 too)."),
        )


_KIND_HELP = (
    "P(E|H): the probability of seeing this evidence if H is true; P(E|¬H): if H is false (¬ means not). "
    "Or state their ratio directly."
)


def _show_source(source: Source) -> None:
    # Citation, location and URL come from files and links: shown as text, never as Markdown (links, images, math).
    where = f", {source.location}" if source.location else ""
    url = f" {source.url}" if source.url else ""
    st.caption(
        f"Source: {common.plain(source.citation + where + url)}. "
        f"Status **{source.status}**: {STATUS_MEANING[source.status]}."
    )


def _add_typed() -> None:
    n = len(common.items()) + 1
    common.append_item(Evidence(f"item {n}", likelihood_ratio=1.0))


def _add_catalogue() -> None:
    entry_id = st.session_state.get("w_catalogue_pick")
    if entry_id:
        common.append_item(scenarios.catalogue_item(entry_id))


# Up to this many items every row's controls are drawn.  Each widget a run draws costs time in
# proportion to the whole session state (Streamlit filters it once per widget), and each row holds
# ~9 widgets, so drawing every row makes a rerun grow with the square of the ledger (40 items:
# ~1.8 s against 0.14 s for 2).  Past this, a table lists every item and only the picked row's
# controls are drawn, which bounds a rerun's work whatever the ledger's length.
FULL_LEDGER_MAX = 8


def _bulk_ledger() -> None:
    """Every item in one table (text, never Markdown) and the controls of the one picked to edit."""
    items, uids, errors = common.items(), common.uids(), common.item_errors()
    table = [
        {
            "#": i + 1,
            "item": one_line(item.label),
            "included": item.enabled,
            "evidence": item.describe() + (" (an entry was not applied)" if uid in errors else ""),
        }
        for i, (uid, item) in enumerate(zip(uids, items, strict=True))
    ]
    st.dataframe(table, hide_index=True, width="stretch", height=min(400, 36 + 35 * len(items)))
    if st.session_state.get("w_ledger_pick") not in uids:  # the picked item was removed, or a new ledger
        st.session_state["w_ledger_pick"] = uids[0]
    numbers = {u: i for i, u in enumerate(uids)}
    pick = st.selectbox(
        "Edit item",
        uids,
        format_func=lambda u: f"{numbers[u] + 1}. {one_line(items[numbers[u]].label)}",
        key="w_ledger_pick",
        help=f"With more than {FULL_LEDGER_MAX} items the page draws one item's controls at a time, "
        "so every change stays fast; the table above lists them all.",
    )
    _item_widgets(numbers[pick], pick, items[numbers[pick]])


def _ledger() -> None:
    st.subheader("Evidence")
    if len(common.items()) > FULL_LEDGER_MAX:
        _bulk_ledger()
    else:
        for i, (uid, item) in enumerate(zip(common.uids(), common.items(), strict=True)):
            _item_widgets(i, uid, item)
    common.draw_deferred_summary()  # no item changed (the prior did): after the rows; see _line_writer
    if st.session_state.get("hypotheses_set_aside"):
        st.info(common.plain(st.session_state["hypotheses_set_aside"]), icon=":material/info:")
    add_left, add_mid, add_right = st.columns([1, 3, 1], vertical_alignment="bottom")
    with add_left:
        st.button("Add an item", on_click=_add_typed, icon=":material/add:")
    options = scenarios.catalogue_options()
    with add_mid:
        st.selectbox(
            "From the catalogue",
            list(options),
            format_func=lambda k: options[k],
            key="w_catalogue_pick",
            help="Status P: read in the primary source; S: secondary sources only; X: not confirmed.",
        )
    with add_right:
        st.button("Add from catalogue", on_click=_add_catalogue, icon=":material/library_add:")


# -- results ----------------------------------------------------------------------


def _results() -> None:
    st.subheader("Posterior")
    result = common.ledger_result()
    if isinstance(result, InputError):  # e.g. two items in one group with different discounts
        common.show_error(result)
        return
    prior, evidence = common.values()["prior"], list(common.items())
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Prior P(H)", format_probability(result.prior_log_odds), help=f"P(H) before the evidence; odds {result.prior_odds_text}")
    m2.metric("Posterior P(H)", format_probability(result.posterior_log_odds), help="P(H) after all included items.")
    m3.metric("Posterior odds", result.posterior_odds_text, help="P(H) : P(not H) after the evidence.")
    # dB is a second unit of the same total, not a change: shown in words, never as a delta badge.
    m4.metric(
        "Evidence (bits)",
        f"{result.bits:+.3f}",
        help=f"Total weight of evidence: log2 of the product of the likelihood ratios; {result.decibels:+.2f} dB "
        "(decibels: 10 log10 of the same product).",
    )
    if result.note:
        st.warning(common.plain(result.note), icon=":material/info:")
    st.markdown(
        f"Prior {format_probability(result.prior_log_odds)} (odds {result.prior_odds_text}) → "
        f"posterior **{format_probability(result.posterior_log_odds)}** (odds {result.posterior_odds_text}); "
        f"total evidence {format_evidence(result.log_lr).removeprefix('LR ')}."
    )
    _compare_priors(evidence)
    if result.items:
        st.dataframe(
            [
                {
                    "item": one_line(c.label),
                    "evidence": c.text,
                    "bits": round(c.bits, 4),
                    "dB": round(c.decibels, 3),
                    "posterior after": format_probability(after),
                }
                for c, after in zip(result.items, result.log_odds_path[1:], strict=True)
            ],
            hide_index=True,
            width="stretch",
        )
    # One chart definition: the browser draws this spec, and the downloads are the same spec rendered.
    if result.certain:
        st.info(result.note or "A certain prior has no place on a log-odds axis.")
    else:
        waterfall_csv = to_csv(waterfall_rows(result))
        common.show_chart("waterfall", lambda: waterfall_spec(result), waterfall_csv, waterfall_csv)
    if st.toggle("Show prior and posterior as bars", key="show_bars"):
        bars_csv = to_csv(prior_posterior_rows(result))
        common.show_chart("prior-posterior", lambda: plot_prior_posterior(result), bars_csv, bars_csv)
    if any(e.enabled and e.is_uncertain for e in evidence):
        _distribution(prior, evidence)
    export_panel.render()


def _compare_priors(evidence: list[Evidence]) -> None:
    """The same evidence applied to other priors (a scenario's compare_priors), editable."""
    v = common.values()
    entry = v["entry"]
    shown = format_prior_list(v["cmp"], entry)
    text = st.text_input(
        f"Same evidence from other priors (comma-separated, {_ENTRY_LABELS[entry]} like the exact prior)",
        key=common.seed("w_cmp", shown),
        placeholder="e.g. " + format_prior_list("0.25,0.2", entry),
        help=_ENTRY_HELP[entry],
    )
    # Only a change the user typed is read back: the box shows 12 digits, and reading its own text back
    # would round a file's exact prior (0.9501106711677474 -> 0.9501106711676951) without anyone asking.
    if text != shown:
        try:
            v["cmp"] = parse_prior_list_text(text, entry)
        except InputError as exc:
            common.show_error(exc)
            return
    if not v["cmp"]:
        return
    rows = []
    for p in (float(x) for x in v["cmp"].split(",")):
        r = update(p, evidence)
        rows.append(
            {
                "prior": format_probability(r.prior_log_odds),
                "prior odds": r.prior_odds_text,
                "posterior": format_probability(r.posterior_log_odds),
                "posterior odds": r.posterior_odds_text,
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")


def _distribution(prior: float, evidence: list[Evidence]) -> None:
    # Lazily: the Monte Carlo module loads SciPy, which the first run of the page does without.
    from beliefs.uncertain_evidence import (
        distribution_rows,
        ledger_distribution,
        plot_posterior_distribution,
    )

    st.subheader("Posterior as a distribution")
    v = common.values()
    c1, c2 = st.columns(2)
    with c1:
        common.bound(
            "thr",
            st.number_input,
            "Threshold for P(posterior > threshold)",
            min_value=0.0,
            max_value=1.0,
            step=0.05,
        )
    with c2:
        common.bound("ci", st.number_input, "Interval mass", min_value=0.01, max_value=0.99, step=0.05,
                     help="The probability inside the equal-tailed interval shown, e.g. 0.9 for a 90% interval.")
    try:
        # The one function every view of a ledger uses: the exports show these same digits.
        dist = ledger_distribution(prior, evidence, threshold=v["thr"], interval=v["ci"])
    except InputError as exc:
        common.show_error(exc)
        return
    shown = dist.shown()
    d1, d2, d3 = st.columns(3)
    d1.metric("Median posterior", shown["median"])
    d2.metric(shown["interval_label"], shown["interval"], help="Equal-tailed: the posterior is below the "
              "left end in half the remaining mass and above the right end in the other half.")
    d3.metric(shown["above_label"], shown["above"])
    st.caption(
        f"Mean {shown['mean']} (point posterior {shown['point']}); {shown['draws']}. "
        "When the mean and the median differ, the distribution is skewed: report both."
    )
    if dist.note:
        st.warning(common.plain(dist.note))
        return
    dist_csv = to_csv(distribution_rows(dist.posterior))
    key = f"{dist_csv}|{dist.median!r}|{dist.interval!r}|{dist.threshold!r}|{dist.p_above_threshold!r}"
    common.show_chart("posterior-distribution", lambda: plot_posterior_distribution(dist), key, dist_csv)


def render() -> None:
    # The page's parts in their places, the ledger drawn first: a key press stops the run in progress
    # at its next element, and the next run then redraws the slider, the item's line and the summary
    # (see _ratio_controls) after a dozen elements, not after the title, the presets and the prior's.
    head, prior, ledger = st.container(), st.container(), st.container()
    with ledger:
        _ledger()
    with head:
        st.title("Update a belief on evidence")
        scenarios.preset_buttons()
        st.caption(
            "Odds form of Bayes' rule: posterior odds = prior odds × P(E|H)/P(E|¬H) for each item "
            "(E: the evidence; ¬H: not H)."
        )
    with prior:
        _prior_widgets()
    _results()
