"""Analysis: robustness, sequential updating, what would change my mind, tornado, crux and pooling."""

from __future__ import annotations

import streamlit as st

from app_pages import common, scenarios
from beliefs.analysis.crux import check_hypotheses, crux, plot_crux
from beliefs.analysis.data_robustness import data_robustness, plot_data_robustness
from beliefs.analysis.dependence import dependence, plot_dependence, propose_groups
from beliefs.analysis.needed import needed
from beliefs.analysis.pool import plot_pool, pool
from beliefs.analysis.robustness import plot_prior_robustness, prior_robustness
from beliefs.analysis.sequential import plot_sequential, sequential
from beliefs.analysis.tornado import plot_tornado_stated, tornado_stated
from beliefs.errors import InputError
from beliefs.evidence import DISCOUNT
from beliefs.format import format_probability
from beliefs.io.settings import FIELDS
from beliefs.odds import LN10, log_odds
from beliefs.text import one_line


def _ledger():
    """The prior and the ledger's Evidence items as the Update page holds them."""
    if common.pending_flag():
        st.warning(common.plain(common.pending_flag() + ": " + "; ".join(common.item_errors().values())))
    return common.values()["prior"], list(common.items())


def _show(name: str, result, plot) -> None:
    if not result.rows():
        st.info("Nothing to show yet: add evidence on the Update page.")
        return
    csv_text = result.to_csv()
    common.show_chart(name, lambda: plot(result), csv_text, csv_text)


def render() -> None:
    st.title("Analysis")
    st.caption("Uses the prior and the ledger from the Update page.")
    try:
        prior, evidence = _ledger()
    except InputError as exc:
        common.show_error(exc)
        st.info("Fix the ledger on the Update page first.")
        return
    st.markdown(
        f"Prior {format_probability(log_odds(prior))}, {sum(e.enabled for e in evidence)} included item(s)."
    )
    tabs = st.tabs(
        [
            "What would change my mind",
            "Sequential",
            "Prior robustness",
            "Data robustness",
            "Tornado",
            "Dependence",
            "Crux",
            "Pooling",
        ]
    )
    sections = (_needed, _sequential, _robustness, _data_robustness, _tornado, _dependence, _crux, _pooling)
    for tab, section in zip(tabs, sections, strict=True):
        with tab:
            try:
                section(prior, evidence)
            except InputError as exc:
                common.show_error(exc)


def _needed(prior, evidence) -> None:
    target = common.bound(
        "an_target",
        st.number_input,
        "Target P(H) (%)",
        to_widget=lambda p: 100 * p,
        from_widget=lambda x: x / 100,
        min_value=0.0,
        max_value=100.0,
        step=5.0,
        format="%.6g",
        help="The probability you would need to reach; the likelihood ratio that would take the prior there is shown.",
    )
    r = needed(prior, target)
    st.markdown("  \n".join(common.plain(line) for line in r.text().split("\n")))  # our lines; labels one_line'd


def _headline(text: str) -> None:
    """The one sentence an analysis adds, above its chart (it quotes labels: shown as text)."""
    st.markdown(f"**{common.plain(text)}**")


def _sequential(prior, evidence) -> None:
    r = sequential(prior, evidence, threshold=common.values()["thr"])
    _headline(r.headline)
    _show("sequential", r, plot_sequential)


def _robustness(prior, evidence) -> None:
    r = prior_robustness(prior, evidence, threshold=common.values()["thr"])
    _headline(r.headline)
    _show("prior-robustness", r, plot_prior_robustness)


def _data_robustness(prior, evidence) -> None:
    from app_pages.predictions import current
    from beliefs.counts import parse_counts
    from beliefs.datasets import POOLING_WORDS, derived_count_pairs
    from beliefs.partial_pooling import KappaPrior

    v = common.values()
    pooling = v["da_pool"]
    if v["da_src"] == "2025":
        counts = derived_count_pairs(v["da_model"], v["da_when"], int(v["da_n"]))
        data = f"2025 rates × assumed n = {int(v['da_n'])} (derived counts, not published)"
    else:
        counts = parse_counts(v["da_env"], "da_env")
        data = "your own counts"
    if not counts:
        st.info("No counts: set them on the Evidence-from-data page.")
        return
    # The data page's model: its pooling, spread prior, counts and the two predictions (one model, issue 21).
    st.markdown(f"**Data robustness, {POOLING_WORDS[pooling]}:** {data}, as on the Evidence-from-data page.")
    st.caption(
        "The Bayes factor of the Evidence-from-data counts over a grid of the two hypotheses' prior mean rates, "
        "with the page's model and spread prior."
    )
    r = data_robustness(
        [k for k, _ in counts], [n for _, n in counts], prior, current("h"), current("n"), pooling=pooling,
        kappa=KappaPrior(float(v["da_kmed"]), float(v["da_ksd"])),
    )  # fmt: skip
    st.markdown(common.plain(r.map.sentence()))
    csv_text = r.to_csv()
    key = f"{csv_text}|{r.map.log_bf_at_choice!r}|{r.rate_if_h!r}|{r.rate_if_not_h!r}"
    common.show_chart("data-robustness", lambda: plot_data_robustness(r), key, csv_text)
    lo, hi = r.log10_bf_span
    st.caption(
        f"Your choice: log10 BF {r.log_bf_at_choice / LN10:+.4g}, P(H | data) {r.posterior_text_at_choice}. "
        "The means are not the only unpublished choice: below, the same factor with each hypothesis's prior "
        f"made 10× wider or narrower (same mean), and with every n scaled at the same rates. Over all of "
        f"these, log10 BF runs from {lo:+.4g} to {hi:+.4g}."
    )
    st.dataframe(
        [{"H spread ×": x["h_spread_factor"], "not-H spread ×": x["not_h_spread_factor"],
          "log10 BF": round(x["log10_bf"], 4), "P(H | data)": format_probability(x["posterior_log_odds"])}
         for x in r.spreads],
        hide_index=True,
    )  # fmt: skip
    st.dataframe(
        [{"every n ×": x["n_factor"], "log10 BF": round(x["log10_bf"], 4),
          "P(H | data)": format_probability(x["posterior_log_odds"])}
         for x in r.sample_sizes],
        hide_index=True,
    )  # fmt: skip


def _tornado(prior, evidence) -> None:
    v = common.values()
    st.caption(
        "Each item moves over its own stated uncertainty: a σ (90% of a log-normal ratio), a Beta κ (5–95% of "
        "P(E|H) and P(E|¬H)), or a ×/÷ factor you give it below. An item that states none is shown left out: "
        "its bar runs from the posterior without it to the posterior with it. × marks the item left out."
    )
    unstated = common.bound(
        "an_unst",
        st.radio,
        "Items with no stated uncertainty",
        options=["left-out", "factor"],
        format_func={"left-out": "left out", "factor": "×/÷ a common factor"}.get,
        horizontal=True,
        help="Left out: the bar shows what the item contributes (without it → with it). A common factor: the "
        "item is taken to be uncertain by that factor either way.",
    )
    factor = None
    if unstated == "factor":
        factor = common.bound(
            "an_factor",
            st.number_input,
            "×/÷ factor for items with no stated uncertainty",
            min_value=1.01,
            max_value=1e6,
            step=0.5,
            help="An item stated as an exact ratio is taken to be uncertain by this factor either way, unless "
            "you set its own factor below.",
        )
    items, uids = common.items(), common.uids()
    own = (v["an_ifac"].split(",") if v["an_ifac"] else []) + [""] * len(items)
    with st.expander("Per-item ×/÷ factors"):
        texts = []
        for i, (uid, item) in enumerate(zip(uids, items, strict=True)):
            texts.append(
                st.text_input(
                    f"{i + 1}. {common.plain(item.label[:60])}",  # a widget label is Markdown
                    key=common.seed(f"w_an_ifac_{uid}", own[i]),
                    placeholder="left out" if factor is None else f"{factor:g} (the common factor)",
                    help="Blank: as set above (left out, or the common factor). A number > 1: this item's own "
                    "×/÷ range.",
                ).strip()
            )
        try:
            v["an_ifac"] = FIELDS["an_ifac"].parse(",".join(texts), "per-item factors")
        except InputError as exc:
            common.show_error(exc)
    per_item = [float(x) if x else None for x in (v["an_ifac"].split(",") if v["an_ifac"] else [])]
    factors = (per_item + [None] * len(items))[: len(items)]
    r = tornado_stated(prior, evidence, factor=factor, factors=factors, interval=v["ci"])
    _headline(r.headline)
    _show("tornado", r, plot_tornado_stated)


def _regroup(changes: dict[str, tuple[str | None, float]]) -> None:
    """Put each item (uid -> (group, discount)) in its group, all or nothing: a value the item schema
    refuses changes no item and says why."""
    try:
        grouped = {uid: common.items()[common.item_index(uid)].with_(group=group, discount=discount)
                   for uid, (group, discount) in changes.items() if uid in common.uids()}  # fmt: skip
    except InputError as exc:
        st.session_state["dep_error"] = str(exc)
        return
    st.session_state.pop("dep_error", None)
    for uid, item in grouped.items():
        common.replace_item(uid, item)
        for suffix in ("group", "discount"):
            st.session_state.pop(f"w_{uid}_{suffix}", None)


def _group_items() -> None:
    chosen = st.session_state.get("w_dep_items") or []
    name = (st.session_state.get("w_dep_name") or "").strip()
    discount = float(st.session_state.get("w_dep_discount", 1.0)) if name else 1.0
    _regroup({uid: (name or None, discount) for uid in chosen})


def _choose(uids: list[str], name: str) -> None:
    """Load a proposed group into the controls below, to edit before applying."""
    st.session_state["w_dep_items"] = uids
    st.session_state["w_dep_name"] = name


def _apply_proposal(groups: list[tuple[str, list[str]]]) -> None:
    """Put each proposed group (name, item uids) into effect with the discount w set below."""
    w = float(st.session_state.get("w_dep_discount", 0.5))
    _regroup({uid: (name, w) for name, uids in groups for uid in uids})


def _proposal(evidence) -> list[tuple[str, list[str]]]:
    """Show the groups proposed from shared sources, each with a button to edit it; return the pending ones."""
    uids = common.uids()  # one per item of the ledger, in order: a proposal's members index both
    proposal = propose_groups(evidence)
    _headline(proposal.headline)
    pending = []
    for k, group in enumerate(proposal.proposals):
        members = [uids[m] for m in group.members]
        text, button = st.columns([5, 1], vertical_alignment="center")
        text.markdown(common.plain(group.line))
        if not group.applied:
            pending.append((group.name, members))
            button.button("Edit", key=f"dep_prop_edit_{k}", on_click=_choose, args=(members, group.name),
                          help="Load these items and this name into the controls below, to change before applying.")  # fmt: skip
    return pending


def _dependence(prior, evidence) -> None:
    items, uids = common.items(), common.uids()
    st.caption(
        "Items that share a cause (two readings of one report) are not independent evidence. Put them in a "
        "group: the group's log-likelihood ratios are multiplied by the discount w (1 = fully counted)."
    )
    pending = _proposal(evidence)
    left, mid, right = st.columns([3, 2, 2], vertical_alignment="bottom")
    with left:
        st.multiselect(
            "Items",
            list(uids),
            format_func=lambda uid: f"{uids.index(uid) + 1}. {one_line(items[uids.index(uid)].label)}",
            key="w_dep_items",
        )
    with mid:
        st.text_input("Group name (empty: independent)", key="w_dep_name", help="Items with the same name form one group.")
    with right:
        st.number_input("Discount w", DISCOUNT.low, DISCOUNT.high, 0.5, 0.05, format="%.4g", key="w_dep_discount",
                        help="w multiplies the group's summed log-likelihood ratio: 0.5 counts the group half; "
                        "it must be above 0.")  # fmt: skip
    buttons = st.container(horizontal=True)
    buttons.button("Apply to the chosen items", on_click=_group_items, icon=":material/join:")
    if pending:
        buttons.button("Apply the proposed groups", key="dep_prop_apply", on_click=_apply_proposal, args=(pending,),
                       icon=":material/done_all:", help="Group the items proposed above, each group with the discount w set above.")  # fmt: skip
    if st.session_state.get("dep_error"):
        st.error(common.plain(st.session_state["dep_error"]) + " — nothing was changed", icon=":material/error:")
    _show("dependence", dependence(prior, evidence), plot_dependence)


def _crux(prior, evidence) -> None:
    presets = scenarios.builtin()
    names = list(scenarios.PRESETS) + [n for n in presets if n not in scenarios.PRESETS]
    v = common.values()
    if v["an_crux"] not in presets:
        v["an_crux"] = names[0]
    other = common.bound(
        "an_crux",
        st.selectbox,
        "Compare with",
        options=names,
        format_func=scenarios.preset_label,
        help="A built-in scenario; the gap between its posterior and yours is split into the prior and each item.",
    )
    s = presets[other]
    warning = check_hypotheses(scenarios.hypothesis(), s.hypothesis, names=("this ledger", other)).warning
    if warning:  # a gap between answers to two questions is not a disagreement about one
        st.warning(common.plain(warning))
    r = crux(prior, evidence, s.prior, s.evidence_items(), names=("this ledger", other))
    _show("crux", r, plot_crux)


def _pooling(prior, evidence) -> None:
    text = common.bound(
        "an_pool",
        st.text_input,
        "Forecasts P(H), comma-separated",
        help="Probabilities as fractions (0.25) of several forecasters; pooled by the geometric mean of odds.",
    )
    extremize = common.bound(
        "an_extr",
        st.slider,
        "Extremizing exponent d",
        min_value=0.5,
        max_value=3.0,
        step=0.1,
        help="The pooled odds are raised to the power d: 1 = plain geometric mean; > 1 pushes away from 50%.",
    )
    r = pool(text, extremize=extremize)
    _show("pool", r, plot_pool)
