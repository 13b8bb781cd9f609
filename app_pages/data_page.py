"""Evidence from data: covert-action counts -> Bayes factor for H, with its range over what nobody published.

Widgets only: the numbers come from :mod:`beliefs.counts` (Bayes factors, the
assumption range, provenance), :mod:`beliefs.reproduce` (the paper's own
figures) and :func:`beliefs.update.update` (every posterior).
"""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.mcmc_panel import render_mcmc_panel, start_partial
from beliefs import counts as bc
from beliefs.counts import format_counts, parse_counts, plot_rate_densities, rate_density_rows
from beliefs.datasets import antischeming_counts, dataset_counts_result, derived_count_pairs
from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.format import format_factor, format_probability
from beliefs.io.catalogue import per_evaluation
from beliefs.io.csvfile import to_csv
from beliefs.partial_pooling import KappaPrior
from beliefs.reproduce import ASSUMPTION_NOTE, WHY_REDUCTION_DIFFERS, reproduce_antischeming

_MODELS = {"o3": "o3", "o4-mini": "o4-mini"}
_POOLING = {"partial": "partial pooling (hierarchical)", "none": "no pooling (independent evaluations)"}
WHY_NOT_NO_POOLING = (
    "With no pooling every evaluation is treated as a fresh, independent test of the two hypotheses' Beta "
    "priors, so the Bayes factor multiplies across the 20 evaluations and grows with every assumed rollout: "
    "a difference in how *wide* the two priors are, not in what they predict, can then give factors like "
    "10^30. Partial pooling asks instead what each hypothesis predicts about the population of evaluations "
    "(a mean rate and a spread, the same spread prior for both), so the factor compares the predictions."
)


def _published_rows(v) -> list[dict]:
    """The 2025 per-evaluation rates with counts derived from the assumed n (derived, not published)."""
    d = antischeming_counts(v["da_model"], int(v["da_n"]))
    before = v["da_when"] == "before"
    rates = d.rate_before if before else d.rate_after
    return [
        {"evaluation": e, "published rate": r, "k (derived)": k, "n (assumed)": d.n_assumed}
        for e, r, k in zip(d.evaluations, rates, d.k(v["da_when"]), strict=True)
    ]


def _to_custom() -> None:
    v = common.values()
    v["da_env"] = format_counts(derived_count_pairs(v["da_model"], v["da_when"], int(v["da_n"])))
    v["da_src"] = "custom"
    st.session_state.pop("w_da_src", None)
    st.session_state.pop("w_da_table", None)


def _counts(v) -> tuple[list[int], list[int], str]:
    if v["da_src"] == "2025":
        d = antischeming_counts(v["da_model"], int(v["da_n"]))
        st.warning(
            f"**Assumption, not data:** the paper publishes per-evaluation *rates* only. The counts below are "
            f"rate × n with an assumed effective n = {d.n_assumed} per evaluation, rounded — derived, not "
            "published. The range beside the Bayes factor shows what other choices of n and pooling give.",
            icon=":material/warning:",
        )
        st.dataframe(_published_rows(v), hide_index=True, width="stretch", height=240)
        table = per_evaluation()
        st.caption(
            f"{d.label}. Source: {d.source.citation} ({d.source.location}); {table.status_note}. "
            f"Row alignment: {table.alignment_note}"
        )
        st.button("Edit these counts", on_click=_to_custom, icon=":material/edit:")
        counts = derived_count_pairs(v["da_model"], v["da_when"], int(v["da_n"]))
        return (
            [k for k, _ in counts],
            [n for _, n in counts],
            f"{_MODELS[v['da_model']]} {v['da_when']} training",
        )
    # The editor keeps its edits as changes to the data it was first given, so that base must stay
    # fixed while the editor lives; it is re-seeded from the saved counts when the editor is new.
    if "w_da_table" not in st.session_state or "da_table_base" not in st.session_state:
        st.session_state["da_table_base"] = parse_counts(v["da_env"], "da_env") or [(0, 100)]
    edited = st.data_editor(
        [{"k": k, "n": n} for k, n in st.session_state["da_table_base"]],
        num_rows="dynamic",
        key="w_da_table",
        width="stretch",
        column_config={
            "k": st.column_config.NumberColumn("k (covert actions)", step=1),
            "n": st.column_config.NumberColumn("n (rollouts)", step=1),
        },
    )
    ks, ns = [], []
    for row in edited:
        if row.get("k") is None and row.get("n") is None:
            continue  # an empty new row
        ks.append(row.get("k"))
        ns.append(row.get("n"))
    return ks, ns, "my counts"


def _beta_inputs(tag: str, title: str):
    st.markdown(f"**{title}**")
    c1, c2 = st.columns(2)
    with c1:
        a = common.bound(
            f"da_{tag}_a", st.number_input, "a", min_value=0.001, max_value=1e4, step=0.5, format="%.4g"
        )
    with c2:
        b = common.bound(
            f"da_{tag}_b", st.number_input, "b", min_value=0.001, max_value=1e4, step=0.5, format="%.4g"
        )
    st.caption(f"Beta({a:g}, {b:g}): mean {BetaDist(a, b).mean:.3%}")
    with st.popover("Elicit from an interval", icon=":material/tune:"):
        _elicit(tag)
    return a, b


def _elicit(tag: str) -> None:
    st.caption("The maximum-entropy Beta with the given mass between the bounds (PreliZ maxent).")
    st.number_input("lower", value=0.001, min_value=0.0, max_value=1.0, format="%.4g", key=f"el_{tag}_lo")
    st.number_input("upper", value=0.1, min_value=0.0, max_value=1.0, format="%.4g", key=f"el_{tag}_hi")
    st.number_input("mass", value=0.9, min_value=0.01, max_value=0.99, key=f"el_{tag}_mass")
    st.button("Elicit", key=f"el_{tag}_go", on_click=_elicited, args=(tag,))
    message = st.session_state.get(f"el_{tag}_message")
    if message:
        (st.error if message.startswith("error:") else st.warning)(message.removeprefix("error: "))


def _elicited(tag: str) -> None:
    """Fit the Beta and set the hypothesis's prior (a callback, so the a/b widgets can be re-seeded)."""
    from beliefs.elicitation import elicit_beta  # PreliZ maxent, checked with scipy; no PyMC

    ss = st.session_state
    try:
        fit = elicit_beta(ss[f"el_{tag}_lo"], ss[f"el_{tag}_hi"], ss[f"el_{tag}_mass"])
    except InputError as exc:
        ss[f"el_{tag}_message"] = f"error: {exc}"
        return
    ss[f"el_{tag}_message"] = fit.warning
    common.values()[f"da_{tag}_a"] = fit.alpha
    common.values()[f"da_{tag}_b"] = fit.beta
    ss.pop(f"w_da_{tag}_a", None)
    ss.pop(f"w_da_{tag}_b", None)


# -- computed once per data change (st.cache_data), not on every rerun ----------------------------


@st.cache_data(max_entries=256, show_spinner="Computing the Bayes factor and its range…")
def _dataset_result(dataset: str, n: int, h: tuple, not_h: tuple, pooling: str, kmed: float, ksd: float):
    kappa = KappaPrior(kmed, ksd)
    return dataset_counts_result(
        dataset, 0.5, h, not_h, n_assumed=n, pooling=pooling, kappa_h=kappa, kappa_not_h=kappa
    )


@st.cache_data(max_entries=256, show_spinner="Computing the Bayes factor…")
def _custom_result(ks: tuple, ns: tuple, h: tuple, not_h: tuple, pooling: str, kmed: float, ksd: float):
    if pooling == "none":
        return bc.exact_no_pooling(ks, ns, 0.5, h, not_h)
    kappa = KappaPrior(kmed, ksd)
    return bc.quadrature_partial_pooling(ks, ns, 0.5, h, not_h, kappa_h=kappa, kappa_not_h=kappa)


@st.cache_data(max_entries=64, show_spinner=False)
def _reproduced(n: int):
    return reproduce_antischeming(n)


def _result(v, ks, ns, h, not_h):
    pooling, kmed, ksd = v["da_pool"], float(v["da_kmed"]), float(v["da_ksd"])
    if v["da_src"] == "2025":
        dataset = f"antischeming-2025:{v['da_model']}:{v['da_when']}"
        return _dataset_result(dataset, int(v["da_n"]), tuple(h), tuple(not_h), pooling, kmed, ksd)
    ks_checked, ns_checked = bc.check_counts(ks, ns)
    if pooling == "partial" and len(ks_checked) > bc.MAX_QUADRATURE_ENVIRONMENTS:
        raise InputError(
            "Pooling", "partial", f"no pooling for more than {bc.MAX_QUADRATURE_ENVIRONMENTS} environments (quadrature cost)"
        )
    return _custom_result(tuple(ks_checked.tolist()), tuple(ns_checked.tolist()), tuple(h), tuple(not_h),
                          pooling, kmed, ksd)  # fmt: skip


def _add_to_ledger(result, label: str) -> None:
    try:
        item = result.to_evidence(label=label, source=per_evaluation().source if result.derived else None)
    except InputError as exc:
        st.session_state["data_add_error"] = str(exc)
        return
    common.append_item(item)
    st.session_state["data_added"] = label


# -- the page -----------------------------------------------------------------------------------


def _reproduce_section(v) -> None:
    with st.expander("Reproduce the paper's figures", expanded=True, icon=":material/science:"):
        st.caption(
            "The 2025 report's headline (o3 13.0% → 0.4%, o4-mini 8.7% → 0.3%) is the average over the 20 "
            "evaluations of each one's Beta(1,1) posterior mean (k+1)/(n+2), with k = published rate × n "
            "(rounded half to even). " + ASSUMPTION_NOTE
        )
        n = common.bound("da_rn", st.slider, "Assumed n per evaluation", min_value=100, max_value=1000, step=1)
        r = _reproduced(int(n))
        st.dataframe(
            [
                {"model": row.model, "phase": row.phase, "published %": row.published_pct,
                 "reproduced %": round(row.reproduced_pct, 3), "raw mean %": round(row.raw_mean_pct, 3),
                 "matches to 0.1": "yes" if row.matches else "no"}
                for row in r.rows
            ],
            hide_index=True,
            width="stretch",
        )  # fmt: skip
        verdict = "all four published figures reproduced" if r.all_match else "not all four figures reproduced"
        st.markdown(f"**n = {r.n}: {verdict}** (n in {{313–319, 321, 324}} of 300–330 reproduce all four).")
        red = "; ".join(
            f"{x['model']}: published ×{x['published_factor']:.1f}, reproduced ×{x['reproduced_factor']:.1f}"
            for x in r.reductions()
        )
        st.caption(
            f"The paper's own before/after quantity (before ÷ after): {red}. Why the hierarchical before/after "
            f"model below gives a different factor: {WHY_REDUCTION_DIFFERS}"
        )


def render() -> None:
    st.title("Evidence from data")
    st.caption(
        "Each hypothesis states what it predicts about the population of evaluations: a mean covert-action "
        "rate and a spread across evaluations. The counts' marginal likelihoods give an exact Bayes factor, "
        "shown with its range over what nobody published, which can join the ledger with that provenance."
    )
    v = common.values()
    _reproduce_section(v)
    left, right = st.columns([3, 2])
    with left:
        src = common.bound(
            "da_src",
            st.radio,
            "Data",
            options=("2025", "custom"),
            format_func=lambda s: "2025 per-evaluation rates × assumed n" if s == "2025" else "my own counts",
            horizontal=True,
        )
        if src == "2025":
            c1, c2, c3 = st.columns(3)
            with c1:
                common.bound(
                    "da_model", st.selectbox, "Model", options=tuple(_MODELS), format_func=_MODELS.get
                )
            with c2:
                common.bound("da_when", st.radio, "Rates", options=("before", "after"), horizontal=True)
            with c3:
                common.bound(
                    "da_n",
                    st.number_input,
                    "Assumed effective n per evaluation",
                    min_value=1,
                    max_value=100_000,
                    step=50,
                    help="An assumption: the paper does not publish per-evaluation sample sizes.",
                )
        try:
            ks, ns, data_label = _counts(v)
        except InputError as exc:
            common.show_error(exc)
            return
    with right:
        common.bound("da_pool", st.radio, "Pooling", options=tuple(_POOLING), format_func=_POOLING.get)
        h = _beta_inputs("h", "Population mean rate under H (schemes)")
        not_h = _beta_inputs("n", "Population mean rate under not H")
        if v["da_pool"] == "partial":
            st.markdown("**Spread across evaluations (both hypotheses)**")
            s1, s2 = st.columns(2)
            with s1:
                common.bound("da_kmed", st.number_input, "median concentration κ", min_value=0.1,
                             max_value=1e4, format="%.4g")  # fmt: skip
            with s2:
                common.bound("da_ksd", st.number_input, "log-sd of κ", min_value=0.1, max_value=3.0,
                             format="%.3g")  # fmt: skip
    start_partial(ks, ns, v["prior"], h, not_h)  # live MCMC samples while the page computes and draws
    st.caption(WHY_NOT_NO_POOLING)
    try:
        result = _result(v, ks, ns, h, not_h)
    except InputError as exc:
        common.show_error(exc)
        return
    if src == "custom":
        v["da_env"] = format_counts(zip(ks, ns, strict=True))
    prior = v["prior"]
    updated = result.update(prior)  # the one route to a posterior
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Bayes factor for H",
        format_factor(result.log_bayes_factor),
        f"{result.bits:+.3f} bits = {result.decibels:+.2f} dB",
        delta_color="off",
    )
    m2.metric(f"P(H) after the data (prior {format_probability(updated.prior_log_odds)})",
              format_probability(updated.posterior_log_odds))  # fmt: skip
    m3.metric("Data", result.counts_text, f"{result.n_environments} environments", delta_color="off")
    rng = result.assumption_range
    if rng is not None:
        st.info(
            f"**Range over what nobody published:** log10 BF from {rng.low:.3g} to {rng.high:.3g} over "
            f"{rng.over} (this choice: log10 BF {result.log10_bayes_factor:.3g}, {_POOLING[result.pooling]}, "
            f"assumed n = {result.n_assumed}).",
            icon=":material/straighten:",
        )
        st.dataframe(
            [{"assumed n": p["n_assumed"], "pooling": p["pooling"], "log10 BF": round(p["log10_bayes_factor"], 4)}
             for p in rng.points],
            hide_index=True,
        )  # fmt: skip
    if result.quadrature_rel_error is not None and result.quadrature_rel_error > 1e-4:
        st.warning(f"The quadrature's own error estimate is {result.quadrature_rel_error:.1e}: treat the "
                   "partial-pooling factor as approximate.")  # fmt: skip
    if updated.certain:
        st.warning(updated.note)
    label = f"covert actions {result.counts_text} ({data_label}; {_POOLING[result.pooling]})"
    st.caption(f"Provenance: {result.provenance.describe()}")
    if result.fits_ledger:
        st.button(
            "Add this Bayes factor to the ledger",
            on_click=_add_to_ledger,
            args=(result, label),
            icon=":material/playlist_add:",
        )
    else:
        st.caption("This Bayes factor is beyond 1e300 and cannot enter the ledger as a number.")
    if "data_added" in st.session_state:
        st.success(f"Added to the ledger: {st.session_state.pop('data_added')}")
    if "data_add_error" in st.session_state:
        st.error(st.session_state.pop("data_add_error"))

    # The MCMC check before the rate plot: drawing the plot (matplotlib, holding the GIL) while the
    # sampler's Python steps run delayed the estimate (bench: re-run 0.51 s -> 0.37 s, target 0.5 s).
    render_mcmc_panel(list(result.k), list(result.n), prior, h, not_h)
    curves = result.pooled_rate_curves()
    st.caption(
        "Posteriors are drawn for all environments pooled, for display; the Bayes factor treats them separately."
    )
    csv_text = to_csv(rate_density_rows(curves))
    common.show_plot("rates", lambda: plot_rate_densities(curves), csv_text)
    common.plot_downloads("rates", lambda: plot_rate_densities(curves), csv_text)
