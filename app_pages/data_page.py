"""Evidence from data: covert-action counts -> Bayes factor for H, with its range over what nobody published.

Widgets only: the numbers come from :mod:`beliefs.counts` (Bayes factors, the
assumption range, provenance), :mod:`beliefs.reproduce` (the paper's own
figures) and :func:`beliefs.update.update` (every posterior).
"""

from __future__ import annotations

import time

import streamlit as st

from app_pages import common
from app_pages.mcmc_panel import add_to_ledger, render_mcmc_panel, start_partial
from app_pages.predictions import prediction_inputs, prior_from_key, prior_key
from beliefs import counts as bc
from beliefs.bf_map import bayes_factor_map, plot_bayes_factor_map
from beliefs.counts import format_counts, parse_counts, plot_rate_densities, rate_density_rows
from beliefs.datasets import (
    POOLING_WORDS,
    antischeming_counts,
    dataset_counts_result,
    derived_count_pairs,
    pooling_disagreement,
)
from beliefs.errors import InputError
from beliefs.format import format_factor, format_probability
from beliefs.io.catalogue import per_evaluation
from beliefs.io.csvfile import to_csv
from beliefs.partial_pooling import KappaPrior
from beliefs.rate_priors import PointRate
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
    pairs = derived_count_pairs(v["da_model"], v["da_when"], int(v["da_n"]))
    v["da_env"] = format_counts(pairs)
    v["da_src"] = "custom"
    # The editor shows which evaluation each row came from, for as long as these counts are the ones edited.
    st.session_state["da_env_names"] = (v["da_env"], list(antischeming_counts(v["da_model"], int(v["da_n"])).evaluations))
    st.session_state.pop("w_da_src", None)
    st.session_state.pop("w_da_table", None)


def _counts(v) -> tuple[list[int], list[int], str]:
    if v["da_src"] == "2025":
        d = antischeming_counts(v["da_model"], int(v["da_n"]))
        st.warning(
            f"**Assumption, not data:** the paper publishes per-evaluation *rates* only. The counts below are "
            f"rate × n with an assumed effective n = {d.n_assumed} per evaluation, rounded — derived, not "
            "published. The range beside the Bayes factor shows what other choices of n give.",
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
        base = parse_counts(v["da_env"], "da_env") or [(0, 100)]
        env_text, names = st.session_state.get("da_env_names", ("", []))
        names = names if env_text == v["da_env"] and len(names) == len(base) else [""] * len(base)
        st.session_state["da_table_base"] = [{"evaluation": e, "k": k, "n": n} for e, (k, n) in zip(names, base, strict=True)]
    edited = st.data_editor(
        st.session_state["da_table_base"],
        num_rows="dynamic",
        key="w_da_table",
        width="stretch",
        column_config={
            "evaluation": st.column_config.TextColumn("evaluation", disabled=True,
                                                      help="Where the row came from (2025 table); blank for rows you added."),
            "k": st.column_config.NumberColumn("k (covert actions)", step=1),
            "n": st.column_config.NumberColumn("n (rollouts)", step=1),
        },
    )  # fmt: skip
    ks, ns = [], []
    for row in edited:
        if row.get("k") is None and row.get("n") is None:
            continue  # an empty new row
        ks.append(row.get("k"))
        ns.append(row.get("n"))
    return ks, ns, "my counts"


# -- computed once per data change (st.cache_data), not on every rerun ----------------------------


@st.cache_data(max_entries=256, show_spinner="Computing the Bayes factor and its range…")
def _dataset_result(dataset: str, n: int, h: tuple, not_h: tuple, pooling: str, kmed: float, ksd: float):
    kappa = KappaPrior(kmed, ksd)
    return dataset_counts_result(
        dataset, 0.5, prior_from_key(h), prior_from_key(not_h), n_assumed=n, pooling=pooling, kappa_h=kappa,
        kappa_not_h=kappa,
    )  # fmt: skip


@st.cache_data(max_entries=256, show_spinner="Computing the Bayes factor…")
def _custom_result(ks: tuple, ns: tuple, h: tuple, not_h: tuple, pooling: str, kmed: float, ksd: float):
    if pooling == "none":
        return bc.exact_no_pooling(ks, ns, 0.5, prior_from_key(h), prior_from_key(not_h))
    kappa = KappaPrior(kmed, ksd)
    return bc.quadrature_partial_pooling(ks, ns, 0.5, prior_from_key(h), prior_from_key(not_h), kappa_h=kappa,
                                         kappa_not_h=kappa)  # fmt: skip


@st.cache_data(max_entries=64, show_spinner="Computing the Bayes factor map (two marginal likelihoods per mean)…")
def _map(ks: tuple, ns: tuple, h: tuple, not_h: tuple, pooling: str, kmed: float, ksd: float):
    return bayes_factor_map(list(ks), list(ns), prior_from_key(h), prior_from_key(not_h), pooling=pooling,
                            kappa=KappaPrior(kmed, ksd))  # fmt: skip


@st.cache_data(max_entries=64, show_spinner=False)
def _reproduced(n: int):
    return reproduce_antischeming(n)


def _result(v, ks, ns, h, not_h, pooling=None):
    pooling, kmed, ksd = pooling or v["da_pool"], float(v["da_kmed"]), float(v["da_ksd"])
    if v["da_src"] == "2025":
        dataset = f"antischeming-2025:{v['da_model']}:{v['da_when']}"
        return _dataset_result(dataset, int(v["da_n"]), prior_key(h), prior_key(not_h), pooling, kmed, ksd)
    ks_checked, ns_checked = bc.check_counts(ks, ns)
    if pooling == "partial" and len(ks_checked) > bc.MAX_QUADRATURE_ENVIRONMENTS:
        raise InputError(
            "Pooling", "partial", f"no pooling for more than {bc.MAX_QUADRATURE_ENVIRONMENTS} environments (quadrature cost)"
        )
    return _custom_result(tuple(ks_checked.tolist()), tuple(ns_checked.tolist()), prior_key(h), prior_key(not_h),
                          pooling, kmed, ksd)  # fmt: skip


# -- the page -----------------------------------------------------------------------------------


def _reproduce_section(v) -> None:
    with st.expander("Reproduce the paper's figures", expanded=True, icon=":material/science:"):
        st.caption(
            "The 2025 report's headline (o3 13.0% → 0.4%, o4-mini 8.7% → 0.3%) is the average over the 20 "
            "evaluations of each one's Beta(1,1) posterior mean (k+1)/(n+2), with k = published rate × n "
            "(rounded half to even). " + ASSUMPTION_NOTE
        )
        r = _reproduced(int(v["da_n"]))
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


def _assumed_n(v) -> None:
    """The one assumed n: the reproduce table and the model below both use it."""
    common.bound(
        "da_n", st.number_input, "Assumed effective n per evaluation (not published)", min_value=1,
        max_value=100_000, step=1,
        help="An assumption: the paper does not publish per-evaluation sample sizes. One setting for the "
        "reproduce table and for the Bayes factor below (316 reproduces all four headline figures).",
    )  # fmt: skip
    if v["da_src"] == "custom":
        st.caption("Your own counts are in use below: this n sets only the reproduce table.")


def _range_box(result, v) -> None:
    """The chosen model's range over the assumed n, the other model's beside it, and any disagreement."""
    rng = result.assumption_range
    if rng is None:
        return
    lo, hi = rng.range_of(result.pooling)
    st.info(
        f"**Range over what nobody published, {POOLING_WORDS[result.pooling]}:** log10 BF from {lo:.3g} to "
        f"{hi:.3g} over assumed n in {{{', '.join(map(str, rng.n_grid))}}} (this choice: log10 BF "
        f"{result.log10_bayes_factor:.3g} at n = {result.n_assumed}).",
        icon=":material/straighten:",
    )
    for other, (o_lo, o_hi) in rng.by_pooling().items():
        if other != result.pooling:
            who = (f"If the {result.n_environments} evaluations were independent (no pooling)" if other == "none"
                   else "If the evaluations shared a population (partial pooling)")  # fmt: skip
            st.caption(f"{who}: log10 BF from {o_lo:.3g} to {o_hi:.3g} over the same n. The headline above uses "
                       f"{_POOLING[result.pooling]}.")  # fmt: skip
    st.dataframe(
        [{"assumed n": p["n_assumed"], "pooling": p["pooling"], "log10 BF": round(p["log10_bayes_factor"], 4)}
         for p in rng.points],
        hide_index=True,
    )  # fmt: skip


def _disagreement(result, v, ks, ns, h, not_h) -> None:
    """Where the model choice flips the sign of log BF, say so (Dablander et al., 'A Puzzle of Proportions')."""
    if result.assumption_range is not None:
        text = pooling_disagreement(result.assumption_range, result.n_assumed)
    else:
        other = "none" if result.pooling == "partial" else "partial"
        try:
            other_result = _result(v, ks, ns, h, not_h, pooling=other)
        except InputError:
            return  # the other model cannot be computed for these data (e.g. > 100 environments)
        text = pooling_disagreement({result.pooling: result.log10_bayes_factor, other: other_result.log10_bayes_factor})
    if text:
        st.warning(text, icon=":material/call_split:")


def _map_section(ks, ns, h, not_h, pooling, kmed, ksd) -> None:
    st.subheader("What would each hypothesis have to predict?")
    try:
        ks_checked, ns_checked = bc.check_counts(ks, ns)
        m = _map(tuple(ks_checked.tolist()), tuple(ns_checked.tolist()), prior_key(h), prior_key(not_h), pooling,
                 kmed, ksd)  # fmt: skip
    except InputError as exc:
        common.show_error(exc)
        return
    st.markdown(f"**{common.plain(m.sentence())}**")
    st.caption(
        f"Each cell: the Bayes factor with H predicting the row's mean rate and not H the column's, each at its "
        f"reading's spread; {POOLING_WORDS[pooling]}. Orange favours H, purple not H; the dashed line is where "
        "the data are neutral (Bayes factor 1); the diamond is your choice."
    )
    header = ["h_mean_rate", "not_h_mean_rate", "log10_bf"]
    csv_text = to_csv([header, *([r[c] for c in header] for r in m.rows())])
    # One spec for the page and the files (the page stretches it to its column).
    key = f"{csv_text}|{m.log_bf_at_choice!r}|{m.rate_if_h!r}|{m.rate_if_not_h!r}"
    common.show_chart("bf-map", lambda: plot_bayes_factor_map(m), key, csv_text)


def render() -> None:
    run_started = time.perf_counter()  # what the MCMC panel reports as the time the user waited
    st.title("Evidence from data")
    st.caption(
        "Each hypothesis states what it predicts about the population of evaluations: a mean covert-action "
        "rate and a spread across evaluations. The counts' marginal likelihoods give an exact Bayes factor, "
        "shown with its range over what nobody published, which can join the ledger with that provenance."
    )
    v = common.values()
    _assumed_n(v)
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
            c1, c2 = st.columns(2)
            with c1:
                common.bound(
                    "da_model", st.selectbox, "Model", options=tuple(_MODELS), format_func=_MODELS.get
                )
            with c2:
                common.bound("da_when", st.radio, "Rates", options=("before", "after"), horizontal=True)
        try:
            ks, ns, data_label = _counts(v)
        except InputError as exc:
            common.show_error(exc)
            return
    with right:
        pooling = common.bound("da_pool", st.radio, "Pooling", options=tuple(_POOLING), format_func=_POOLING.get)
        h = prediction_inputs("h", "if_h", "What H (schemes) predicts: population mean rate", pooling=pooling)
        not_h = prediction_inputs("n", "if_not_h", "What not H predicts: population mean rate", pooling=pooling)
        if pooling == "partial":
            st.markdown("**Spread across evaluations (both hypotheses)**")
            s1, s2 = st.columns(2)
            with s1:
                common.bound("da_kmed", st.number_input, "median concentration κ", min_value=0.1,
                             max_value=1e4, format="%.4g")  # fmt: skip
            with s2:
                common.bound("da_ksd", st.number_input, "log-sd of κ", min_value=0.1, max_value=3.0,
                             format="%.3g")  # fmt: skip
    kmed, ksd = float(v["da_kmed"]), float(v["da_ksd"])
    beta_only = not (isinstance(h, PointRate) or isinstance(not_h, PointRate))
    if beta_only:
        start_partial(ks, ns, v["prior"], h, not_h, KappaPrior(kmed, ksd))  # live MCMC while the page computes
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
    m3.metric("Data", result.counts_text, f"{result.n_environments} environment{'s' if result.n_environments != 1 else ''}",
              delta_color="off")  # fmt: skip
    _range_box(result, v)
    _disagreement(result, v, ks, ns, h, not_h)
    if result.quadrature_rel_error is not None and result.quadrature_rel_error > 1e-4:
        st.warning(f"The quadrature's own error estimate is {result.quadrature_rel_error:.1e}: treat the "
                   "partial-pooling factor as approximate.")  # fmt: skip
    if updated.certain:
        st.warning(updated.note)
    label = f"covert actions {result.counts_text} ({data_label}; {_POOLING[result.pooling]})"
    st.caption(common.plain(f"Provenance: {result.provenance.describe()}"))
    if result.fits_ledger:
        st.button(
            "Add this Bayes factor to the ledger",
            on_click=add_to_ledger,
            args=(lambda: (result.to_evidence(label=label), result.derived), label, "data"),
            icon=":material/playlist_add:",
        )
    else:
        st.caption("This Bayes factor is beyond 1e300 and cannot enter the ledger as a number.")
    if "data_added" in st.session_state:
        st.success(f"Added to the ledger: {st.session_state.pop('data_added')}")
    if "data_error" in st.session_state:
        st.error(st.session_state.pop("data_error"))
    # The map is shown here but computed after the MCMC panel: its cubatures (~4 s for new data) would
    # otherwise hold up a live re-sample's estimate, which the sampler has ready in tenths of a second.
    map_slot = st.container()

    # The MCMC check before the rate plot: building the plot (Python work, holding the GIL) while the
    # sampler's Python steps run delayed the estimate (bench: re-run 0.51 s -> 0.37 s, target 0.5 s).
    if beta_only:
        def exact_partial():  # the partial-pooling result of these data: the MCMC item's provenance
            return result if result.pooling == "partial" else _result(v, ks, ns, h, not_h, pooling="partial")

        render_mcmc_panel(list(result.k), list(result.n), prior, h, not_h, kappa=KappaPrior(kmed, ksd),
                          exact_for_ledger=exact_partial, label=f"covert actions {result.counts_text} ({data_label}; "
                          f"{_POOLING['partial']}; MCMC)", run_started=run_started)  # fmt: skip
    else:
        st.info("MCMC samples Beta predictions; with a point rate the Bayes factor above is exact and needs no MCMC.")
    with map_slot:
        _map_section(ks, ns, h, not_h, pooling, kmed, ksd)
    curves = result.pooled_rate_curves()
    if not curves:
        return  # two point rates: no density to draw
    st.caption(
        "Posteriors are drawn for all environments pooled, for display; the Bayes factor treats them separately."
        + (" A point rate has no density to draw." if not beta_only else "")
    )
    csv_text = to_csv(rate_density_rows(curves))
    common.show_chart("rates", lambda: plot_rate_densities(curves), f"{csv_text}|{list(curves)}", csv_text)
