"""Analysis: robustness, sequential updating, what would change my mind, tornado, crux and pooling."""

from __future__ import annotations

import streamlit as st

from app_pages import common, scenarios
from beliefs.analysis.crux import crux, plot_crux
from beliefs.analysis.data_robustness import data_robustness, plot_data_robustness
from beliefs.analysis.dependence import dependence, plot_dependence
from beliefs.analysis.needed import needed
from beliefs.analysis.pool import plot_pool, pool
from beliefs.analysis.robustness import plot_prior_robustness, prior_robustness
from beliefs.analysis.sequential import plot_sequential, sequential
from beliefs.analysis.tornado import plot_tornado_stated, tornado_stated
from beliefs.errors import InputError
from beliefs.evidence import DISCOUNT
from beliefs.format import format_probability
from beliefs.io.settings import FIELDS
from beliefs.odds import log_odds


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
    common.show_plot(name, lambda: plot(result), csv_text)
    common.plot_downloads(name, lambda: plot(result), csv_text)


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
    st.markdown(common.plain(r.text()))


def _sequential(prior, evidence) -> None:
    thr = common.values()["thr"]
    _show("sequential", sequential(prior, evidence, threshold=thr), plot_sequential)


def _robustness(prior, evidence) -> None:
    _show("prior-robustness", prior_robustness(prior, evidence), plot_prior_robustness)


def _data_robustness(prior, evidence) -> None:
    from beliefs.counts import parse_counts
    from beliefs.datasets import derived_count_pairs

    v = common.values()
    if v["da_src"] == "2025":
        counts = derived_count_pairs(v["da_model"], v["da_when"], int(v["da_n"]))
        st.caption(f"2025 rates × assumed n = {int(v['da_n'])} (derived counts, not published).")
    else:
        counts = parse_counts(v["da_env"], "da_env")
    if not counts:
        st.info("No counts: set them on the Evidence-from-data page.")
        return
    st.caption(
        "The Bayes factor of the Evidence-from-data counts over a grid of the two hypotheses' prior mean rates."
    )
    r = data_robustness(
        [k for k, _ in counts],
        [n for _, n in counts],
        prior,
        (v["da_h_a"], v["da_h_b"]),
        (v["da_n_a"], v["da_n_b"]),
    )
    _show("data-robustness", r, plot_data_robustness)
    lo, hi = r.log10_bf_span
    st.caption(
        "The means are not the only unpublished choice: below, the same factor with each hypothesis's prior "
        f"made 10× wider or narrower (same mean), and with every n scaled at the same rates. Over all of "
        f"these, log10 BF runs from {lo:+.3g} to {hi:+.3g}."
    )
    st.dataframe(
        [{"H spread ×": x["h_spread_factor"], "not-H spread ×": x["not_h_spread_factor"],
          "log10 BF": round(x["log10_bf"], 4), "P(H | data)": format_probability(x["posterior_log_odds"])}
         for x in r.spreads]
        + [{"n ×": x["n_factor"], "log10 BF": round(x["log10_bf"], 4), "P(H | data)": format_probability(x["posterior_log_odds"])}
           for x in r.sample_sizes],
        hide_index=True,
    )  # fmt: skip


def _tornado(prior, evidence) -> None:
    v = common.values()
    st.caption(
        "Each item moves over its own stated uncertainty: a σ (90% of a log-normal ratio), a Beta κ (5–95% of "
        "P(E|H) and P(E|¬H)), or else ×/÷ a factor you set. × marks the posterior with the item left out."
    )
    factor = common.bound(
        "an_factor",
        st.number_input,
        "×/÷ factor for items with no stated uncertainty",
        min_value=1.01,
        max_value=1e6,
        step=0.5,
        help="An item stated as an exact ratio is taken to be uncertain by this factor either way, unless you "
        "set its own factor below.",
    )
    items, uids = common.items(), common.uids()
    own = (v["an_ifac"].split(",") if v["an_ifac"] else []) + [""] * len(items)
    with st.expander("Per-item ×/÷ factors"):
        texts = []
        for i, (uid, item) in enumerate(zip(uids, items, strict=True)):
            texts.append(
                st.text_input(
                    f"{i + 1}. {item.label[:60]}",
                    key=common.seed(f"w_an_ifac_{uid}", own[i]),
                    placeholder=f"{factor:g} (the common factor)",
                    help="Blank: the common factor. A number > 1: this item's own ×/÷ range.",
                ).strip()
            )
        try:
            v["an_ifac"] = FIELDS["an_ifac"].parse(",".join(texts), "per-item factors")
        except InputError as exc:
            common.show_error(exc)
    per_item = [float(x) if x else None for x in (v["an_ifac"].split(",") if v["an_ifac"] else [])]
    factors = (per_item + [None] * len(items))[: len(items)]
    _show(
        "tornado",
        tornado_stated(prior, evidence, factor=factor, factors=factors, interval=v["ci"]),
        plot_tornado_stated,
    )


def _group_items() -> None:
    chosen = st.session_state.get("w_dep_items") or []
    name = (st.session_state.get("w_dep_name") or "").strip()
    discount = float(st.session_state.get("w_dep_discount", 1.0)) if name else 1.0
    try:
        grouped = {uid: common.items()[common.item_index(uid)].with_(group=name or None, discount=discount)
                   for uid in chosen if uid in common.uids()}  # fmt: skip
    except InputError as exc:  # a group name the item schema refuses: nothing changes
        st.session_state["dep_error"] = str(exc)
        return
    st.session_state.pop("dep_error", None)
    for uid, item in grouped.items():
        common.replace_item(uid, item)
        for suffix in ("group", "discount"):
            st.session_state.pop(f"w_{uid}_{suffix}", None)


def _dependence(prior, evidence) -> None:
    items, uids = common.items(), common.uids()
    st.caption(
        "Items that share a cause (two readings of one report) are not independent evidence. Put them in a "
        "group: the group's log-likelihood ratios are multiplied by the discount w (1 = fully counted)."
    )
    left, mid, right = st.columns([3, 2, 2], vertical_alignment="bottom")
    with left:
        st.multiselect(
            "Items",
            list(uids),
            format_func=lambda uid: f"{uids.index(uid) + 1}. {items[uids.index(uid)].label}",
            key="w_dep_items",
        )
    with mid:
        st.text_input("Group name (empty: independent)", key="w_dep_name", help="Items with the same name form one group.")
    with right:
        st.number_input("Discount w", DISCOUNT.low, DISCOUNT.high, 0.5, 0.05, format="%.4g", key="w_dep_discount",
                        help="w multiplies the group's summed log-likelihood ratio: 0.5 counts the group half; "
                        "it must be above 0.")  # fmt: skip
    st.button("Apply to the chosen items", on_click=_group_items, icon=":material/join:")
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
