"""Analysis: robustness, sequential updating, what would change my mind, tornado, crux and pooling."""

from __future__ import annotations

import streamlit as st

from app_pages import common, scenarios
from beliefs import analysis, analysis_plots
from beliefs.errors import InputError
from beliefs.format import format_probability
from beliefs.odds import log_odds


def _ledger():
    """The prior and the ledger's Evidence items as the Update page holds them."""
    rows = st.session_state["items"]
    evidence = [
        common.item_state(r).to_evidence(r["source"], field_prefix=f"evidence[{i}] ")
        for i, r in enumerate(rows)
    ]
    return common.values()["prior"], evidence


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
        f"Prior {format_probability(log_odds(prior))}, {sum(e.enabled for e in evidence)} active item(s)."
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
    target = st.number_input(
        "Target probability", min_value=0.0, max_value=1.0, value=0.9, step=0.05, key="an_target"
    )
    r = analysis.needed(prior, target)
    st.markdown(r.text())


def _sequential(prior, evidence) -> None:
    thr = common.values()["thr"]
    _show("sequential", analysis.sequential(prior, evidence, threshold=thr), analysis_plots.plot_sequential)


def _robustness(prior, evidence) -> None:
    _show(
        "prior-robustness", analysis.prior_robustness(prior, evidence), analysis_plots.plot_prior_robustness
    )


def _data_robustness(prior, evidence) -> None:
    from app_pages.data_page import published_counts
    from beliefs.urlstate import parse_counts

    v = common.values()
    if v["da_src"] == "2025":
        counts = published_counts(v["da_model"], v["da_when"], int(v["da_n"]))
        st.caption(f"2025 rates × assumed n = {int(v['da_n'])} (derived counts, not published).")
    else:
        counts = parse_counts(v["da_env"], "da_env")
    if not counts:
        st.info("No counts: set them on the Evidence-from-data page.")
        return
    st.caption(
        "The Bayes factor of the Evidence-from-data counts over a grid of the two hypotheses' prior mean rates."
    )
    r = analysis.data_robustness(
        [k for k, _ in counts],
        [n for _, n in counts],
        prior,
        (v["da_h_a"], v["da_h_b"]),
        (v["da_n_a"], v["da_n_b"]),
    )
    _show("data-robustness", r, analysis_plots.plot_data_robustness)
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
    factor = st.number_input(
        "Each ratio off by a factor of", min_value=1.01, value=2.0, step=0.5, key="an_factor"
    )
    _show("tornado", analysis.tornado(prior, evidence, factor=factor), analysis_plots.plot_tornado)


def _dependence(prior, evidence) -> None:
    _show("dependence", analysis.dependence(prior, evidence), analysis_plots.plot_dependence)


def _crux(prior, evidence) -> None:
    presets = scenarios.builtin()
    other = st.selectbox("Compare with", list(presets), key="an_crux_other")
    s = presets[other]
    r = analysis.crux(prior, evidence, s.prior, s.evidence_items(), names=("this ledger", other))
    _show("crux", r, analysis_plots.plot_crux)


def _pooling(prior, evidence) -> None:
    text = st.text_input("Forecasts P(H), comma-separated", value="0.25, 0.25, 0.5", key="an_pool")
    extremize = st.slider("Extremizing exponent", 0.5, 3.0, 1.0, 0.1, key="an_extremize")
    r = analysis.pool(text, extremize=extremize)
    _show("pool", r, analysis_plots.plot_pool)
