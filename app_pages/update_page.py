"""The Update view: prior, evidence ledger, posterior in every unit, waterfall and downloads."""

from __future__ import annotations

import math

import streamlit as st

from app_pages import common, export_panel, scenarios
from beliefs import plotting
from beliefs.errors import InputError
from beliefs.evidence import STATUS_MEANING, Evidence, Source
from beliefs.format import format_evidence, format_probability
from beliefs.odds import log_odds
from beliefs.update import update
from beliefs.urlstate import PRIOR_ENTRIES, ItemState, format_prior, parse_prior_text

_LOG_LR_RANGE = (-4.0, 4.0)  # log10 LR on the slider; the exact box takes anything > 0
_ENTRY_LABELS = {
    "percent": "percent",
    "odds": "odds a:b",
    "log-odds": "log-odds (nats, or '1.58 bits', '4.77 dB')",
}
_DRAWS = 40_000  # Monte Carlo draws for uncertain evidence: interval ends move < 0.005 between seeds


# -- prior ------------------------------------------------------------------------


def _slider_value(p: float) -> float:
    return min(100.0, max(0.0, round(100 * p, 1)))


def _prior_slider_moved() -> None:
    p = st.session_state["w_prior_slider"] / 100
    common.values()["prior"] = p
    st.session_state["w_prior_text"] = format_prior(p, common.values()["entry"])
    st.session_state.pop("prior_error", None)


def _prior_typed() -> None:
    text = st.session_state["w_prior_text"]
    try:
        p = parse_prior_text(text, common.values()["entry"])
    except InputError as exc:
        st.session_state["prior_error"] = str(exc)
        return
    common.values()["prior"] = p
    st.session_state["w_prior_slider"] = _slider_value(p)
    st.session_state.pop("prior_error", None)


def _entry_changed() -> None:
    entry = st.session_state["w_entry"]
    common.values()["entry"] = entry
    st.session_state["w_prior_text"] = format_prior(common.values()["prior"], entry)
    st.session_state.pop("prior_error", None)


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
            help="H: early human-competitive AI systems scheme.",
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
        st.text_input(
            f"Exact prior ({_ENTRY_LABELS[v['entry']]})",
            key=common.seed("w_prior_text", format_prior(v["prior"], v["entry"])),
            on_change=_prior_typed,
        )
    if "prior_error" in st.session_state:
        st.error(st.session_state["prior_error"] + " — the prior is unchanged", icon=":material/error:")
    return v["prior"]


# -- ledger -----------------------------------------------------------------------


def _row(uid: str) -> dict:
    return next(r for r in st.session_state["items"] if r["uid"] == uid)


def _remove(uid: str) -> None:
    st.session_state["items"] = [r for r in st.session_state["items"] if r["uid"] != uid]


def _kind_changed(uid: str) -> None:
    row = _row(uid)
    new = st.session_state[f"w_{uid}_kind"]
    if new == row["kind"]:
        return
    try:
        lr = row["a"] / row["b"] if row["kind"] == "p" else float(row["a"])
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError
    except (TypeError, ValueError, ZeroDivisionError):
        lr = 1.0
    if new == "lr":
        row.update(kind="lr", a=lr, b=None, spread=None)
    else:
        # The pair LR/(1+LR) vs 1/(1+LR) keeps the ratio.
        row.update(kind="p", a=lr / (1 + lr), b=1 / (1 + lr), spread=None)
    for suffix in ("a", "b", "log", "lr", "spread"):
        st.session_state.pop(f"w_{uid}_{suffix}", None)


def _log_slider_moved(uid: str) -> None:
    lr = float(f"{10 ** st.session_state[f'w_{uid}_log']:.4g}")
    _row(uid)["a"] = lr
    st.session_state[f"w_{uid}_lr"] = lr


def _lr_typed(uid: str) -> None:
    lr = st.session_state[f"w_{uid}_lr"]
    _row(uid)["a"] = lr
    if lr is not None and lr > 0:
        st.session_state[f"w_{uid}_log"] = _log_slider(lr)


def _log_slider(lr: float) -> float:
    lo, hi = _LOG_LR_RANGE
    return min(hi, max(lo, round(math.log10(lr), 2)))


def _item_widgets(index: int, row: dict) -> Evidence | None:
    """Draw one ledger row; return its Evidence, or None (with an error shown) if a value is invalid."""
    uid = row["uid"]
    with st.container(border=True):
        c_label, c_on, c_kind, c_rm = st.columns([5, 2, 4, 1], vertical_alignment="center")
        with c_label:
            row["label"] = st.text_input(
                "Label", key=common.seed(f"w_{uid}_label", row["label"]), label_visibility="collapsed"
            )
        with c_on:
            row["enabled"] = st.toggle("counts", key=common.seed(f"w_{uid}_on", row["enabled"]))
        with c_kind:
            row["kind"] = st.radio(
                "Stated as",
                ("p", "lr"),
                format_func=lambda k: "P(E|H), P(E|¬H)" if k == "p" else "likelihood ratio",
                horizontal=True,
                key=common.seed(f"w_{uid}_kind", row["kind"]),
                on_change=_kind_changed,
                args=(uid,),
                label_visibility="collapsed",
            )
        with c_rm:
            st.button("✕", key=f"rm_{uid}", on_click=_remove, args=(uid,), help="remove this item")
        if row["kind"] == "p":
            left, right, third = st.columns([2, 2, 1])
            with left:
                row["a"] = st.slider(
                    "P(E | H)", 0.0, 1.0, step=0.001, format="%.3f", key=common.seed(f"w_{uid}_a", row["a"])
                )
            with right:
                row["b"] = st.slider(
                    "P(E | not H)",
                    0.0,
                    1.0,
                    step=0.001,
                    format="%.3f",
                    key=common.seed(f"w_{uid}_b", row["b"]),
                )
            spread_label, spread_help = (
                "Beta concentration κ",
                "0 = exact. Otherwise each probability p gets a Beta(κp, κ(1-p)): larger κ, less uncertainty.",
            )
        else:
            left, right, third = st.columns([2, 2, 1])
            lr0 = row["a"] if isinstance(row["a"], (int, float)) and row["a"] > 0 else 1.0
            with left:
                st.slider(
                    "log10 likelihood ratio",
                    *_LOG_LR_RANGE,
                    step=0.01,
                    key=common.seed(f"w_{uid}_log", _log_slider(lr0)),
                    on_change=_log_slider_moved,
                    args=(uid,),
                )
            with right:
                row["a"] = st.number_input(
                    "Likelihood ratio (exact)",
                    format="%.6g",
                    step=0.1,
                    key=common.seed(f"w_{uid}_lr", float(row["a"])),
                    on_change=_lr_typed,
                    args=(uid,),
                )
            spread_label, spread_help = (
                "σ of ln LR",
                "0 = exact. Otherwise the ratio is log-normal with this standard deviation of ln LR.",
            )
        with third:
            spread = st.number_input(
                spread_label,
                min_value=0.0,
                step=0.1,
                format="%.4g",
                help=spread_help,
                key=common.seed(f"w_{uid}_spread", float(row["spread"] or 0.0)),
            )
            row["spread"] = spread or None
        source = row["source"]
        try:
            evidence = common.item_state(row).to_evidence(source, field_prefix=f"evidence[{index}] ")
            if row["note"]:
                evidence = evidence.with_(note=row["note"])
        except InputError as exc:
            common.show_error(exc)
            st.caption("This item is left out of the posterior until the value is fixed.")
            return None
        st.markdown(f"`{evidence.describe()}`" + ("" if evidence.enabled else " — *switched off*"))
        if row["note"]:
            with st.expander("Note"):
                st.write(row["note"])
        if source is not None:
            figures = scenarios.catalogue_figures(row["id"])
            if figures:
                st.caption(
                    f"Published figures: {figures}. Judge P(E|H) and P(E|¬H) yourself: no source states them."
                )
            _show_source(source)
        if evidence.likelihood_ratio > 100 or evidence.likelihood_ratio < 0.01:
            st.caption(
                "A ratio beyond 100:1 (20 dB) is extraordinary evidence; check it is not double counted."
            )
        return evidence


def _show_source(source: Source) -> None:
    where = f", {source.location}" if source.location else ""
    st.caption(
        f"Source: {source.citation}{where}. Status **{source.status}**: {STATUS_MEANING[source.status]}."
    )


def _add_typed() -> None:
    n = len(st.session_state["items"]) + 1
    st.session_state["items"].append(common.new_item(ItemState(f"item {n}", "lr", 1.0)))


def _add_catalogue() -> None:
    entry_id = st.session_state.get("w_catalogue_pick")
    if entry_id:
        item, source = scenarios.catalogue_item(entry_id)
        st.session_state["items"].append(common.new_item(item, source))


def _ledger() -> list[Evidence]:
    st.subheader("Evidence")
    evidence = []
    for i, row in enumerate(list(st.session_state["items"])):
        e = _item_widgets(i, row)
        if e is not None:
            evidence.append(e)
    add_left, add_mid, add_right = st.columns([1, 3, 1], vertical_alignment="bottom")
    with add_left:
        st.button("Add an item", on_click=_add_typed, icon=":material/add:")
    options = scenarios.catalogue_options()
    with add_mid:
        st.selectbox(
            "From the catalogue", list(options), format_func=lambda k: options[k], key="w_catalogue_pick"
        )
    with add_right:
        st.button("Add from catalogue", on_click=_add_catalogue, icon=":material/library_add:")
    return evidence


# -- results ----------------------------------------------------------------------


def _results(prior: float, evidence: list[Evidence]) -> None:
    st.subheader("Posterior")
    try:
        result = update(prior, evidence)
    except InputError as exc:  # e.g. two items in one group with different discounts
        common.show_error(exc)
        return
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Prior P(H)", format_probability(result.prior_log_odds), help=f"odds {result.prior_odds_text}")
    m2.metric("Posterior P(H)", format_probability(result.posterior_log_odds))
    m3.metric("Posterior odds", result.posterior_odds_text)
    m4.metric("Evidence", f"{result.bits:+.3f} bits", f"{result.decibels:+.2f} dB", delta_color="off")
    if result.note:
        st.warning(result.note, icon=":material/info:")
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
                    "item": c.label,
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
    st.markdown("**Log-odds waterfall**")
    waterfall_csv = plotting.to_csv(plotting.waterfall_rows(result))
    # Drawn by the browser: a slider move then costs no matplotlib rendering on the server.
    # The downloads below are matplotlib figures of the same rows.
    spec = plotting.waterfall_spec(result)
    if spec is None:
        common.show_plot("waterfall", lambda: plotting.plot_waterfall(result), waterfall_csv)
    else:
        st.vega_lite_chart(spec, width="stretch", theme=None, key="waterfall_chart")
    common.plot_downloads("waterfall", lambda: plotting.plot_waterfall(result), waterfall_csv)
    if st.toggle("Show prior and posterior as bars", key="show_bars"):
        bars_csv = plotting.to_csv(plotting.prior_posterior_rows(result))
        common.show_plot("prior-posterior", lambda: plotting.plot_prior_posterior(result), bars_csv)
        common.plot_downloads("prior-posterior", lambda: plotting.plot_prior_posterior(result), bars_csv)
    if any(e.enabled and e.is_uncertain for e in evidence):
        _distribution(prior, evidence)
    export_panel.render()


def _compare_priors(evidence: list[Evidence]) -> None:
    """The same evidence applied to other priors (a scenario's compare_priors), editable."""
    v = common.values()
    text = st.text_input(
        "Same evidence from other priors (comma-separated probabilities)",
        key=common.seed("w_cmp", v["cmp"].replace(",", ", ")),
        placeholder="e.g. 0.25, 0.2",
    )
    try:
        from beliefs.urlstate import FIELDS

        v["cmp"] = FIELDS["cmp"].parse(text.replace(" ", ""), "compare priors")
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
    from beliefs.uncertainty import posterior_distribution

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
        common.bound("ci", st.number_input, "Interval mass", min_value=0.01, max_value=0.99, step=0.05)
    try:
        dist = posterior_distribution(
            prior, evidence, draws=_DRAWS, seed=0, threshold=v["thr"], interval=v["ci"]
        )
    except InputError as exc:
        common.show_error(exc)
        return
    lo, hi = dist.interval
    d1, d2, d3 = st.columns(3)
    d1.metric("Median posterior", format_probability(log_odds(dist.median)))
    d2.metric(f"{100 * v['ci']:g}% interval", f"{100 * lo:.3g}% – {100 * hi:.3g}%")
    d3.metric(f"P(posterior > {v['thr']:g})", f"{dist.p_above_threshold:.3f}")
    st.caption(
        f"Mean {dist.mean:.4f} (point posterior {dist.point_posterior:.4f}); {dist.draws:,} Monte Carlo draws, seed 0. "
        "When the mean and the median differ, the distribution is skewed: report both."
    )
    if dist.note:
        st.warning(dist.note)
        return
    dist_csv = plotting.to_csv(plotting.distribution_rows(dist.posterior))
    key = f"{dist_csv}|{dist.median!r}|{dist.interval!r}|{dist.threshold!r}|{dist.p_above_threshold!r}"
    common.show_plot("posterior-distribution", lambda: plotting.plot_posterior_distribution(dist), key)
    common.plot_downloads(
        "posterior-distribution", lambda: plotting.plot_posterior_distribution(dist), dist_csv
    )


def render() -> None:
    st.title("Update a belief on evidence")
    st.caption(
        "Odds form of Bayes' rule: posterior odds = prior odds × P(E|H)/P(E|¬H) for each item. "
        "H: early human-competitive AI systems scheme."
    )
    scenarios.preset_buttons()
    prior = _prior_widgets()
    evidence = _ledger()
    _results(prior, evidence)
