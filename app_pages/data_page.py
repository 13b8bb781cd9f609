"""Evidence from data: covert-action counts -> Bayes factor for H, exact, and by MCMC on request."""

from __future__ import annotations

import math

import streamlit as st

from app_pages import common
from app_pages.mcmc_panel import render_mcmc_panel
from beliefs import plotting
from beliefs.analysis import covert_log_bf
from beliefs.errors import InputError
from beliefs.format import format_probability
from beliefs.odds import bits, decibels, log_odds
from beliefs.urlstate import ItemState, format_counts, parse_counts

_MODELS = {"o3": "o3", "o4-mini": "o4-mini"}


def _derived(model: str, n: int):
    # models.datasets is plain NumPy (no PyMC): the 2025 rates and the counts derived from an assumed n.
    from models.datasets import antischeming_counts

    return antischeming_counts(model, n)


def published_counts(model: str, when: str, n: int) -> list[tuple[int, int]]:
    """Counts k = round(rate x n) for the 2025 per-evaluation rates (derived, not published)."""
    d = _derived(model, n)
    ks = d.k_before_derived if when == "before" else d.k_after_derived
    return [(int(k), d.n_assumed) for k in ks]


def _published_rows(v) -> list[dict]:
    """The 2025 per-evaluation rates with counts derived from the assumed n (derived, not published)."""
    d = _derived(v["da_model"], int(v["da_n"]))
    before = v["da_when"] == "before"
    rates = d.rate_before if before else d.rate_after
    ks = d.k_before_derived if before else d.k_after_derived
    return [
        {"evaluation": e, "published rate": r, "k (derived)": int(k), "n (assumed)": d.n_assumed}
        for e, r, k in zip(d.evaluations, rates, ks, strict=True)
    ]


def _to_custom() -> None:
    v = common.values()
    v["da_env"] = format_counts(published_counts(v["da_model"], v["da_when"], int(v["da_n"])))
    v["da_src"] = "custom"
    st.session_state.pop("w_da_src", None)
    st.session_state.pop("w_da_table", None)


def _counts(v) -> tuple[list[int], list[int], str]:
    if v["da_src"] == "2025":
        d = _derived(v["da_model"], int(v["da_n"]))
        st.warning(
            f"**Assumption, not data:** the paper publishes per-evaluation *rates* only. The counts below are "
            f"rate × n with an assumed effective n = {d.n_assumed} per evaluation, rounded — derived, not "
            "published. The Bayes factor grows with n: try several.",
            icon=":material/warning:",
        )
        st.dataframe(_published_rows(v), hide_index=True, width="stretch", height=240)
        missing = ", ".join(d.skipped)
        st.caption(
            f"{d.label}. Source: {d.source.citation} ({d.source.location}). "
            + (f"Left out (no value for this model in the figure): {missing}." if missing else "")
        )
        st.button("Edit these counts", on_click=_to_custom, icon=":material/edit:")
        counts = published_counts(v["da_model"], v["da_when"], int(v["da_n"]))
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
    st.caption(f"Beta({a:g}, {b:g}): mean {a / (a + b):.3%}")
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
    from models.elicitation import elicit_beta  # PreliZ maxent, checked with scipy; no PyMC

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


def _add_to_ledger(label: str, log_bf: float) -> None:
    st.session_state["items"].append(common.new_item(ItemState(label, "lr", math.exp(log_bf))))
    st.session_state["data_added"] = label


def render() -> None:
    st.title("Evidence from data")
    st.caption(
        "Each hypothesis predicts the covert-action rate through its own Beta prior; the counts' marginal "
        "likelihoods (beta-binomial, no pooling) give an exact Bayes factor, which can join the ledger."
    )
    v = common.values()
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
        h = _beta_inputs("h", "Rate prior under H (schemes)")
        not_h = _beta_inputs("n", "Rate prior under not H")
    try:
        log_bf = covert_log_bf(ks, ns, h, not_h)
    except InputError as exc:
        common.show_error(exc)
        return
    if src == "custom":
        v["da_env"] = format_counts(zip(ks, ns, strict=True))
    prior = v["prior"]
    prior_x = log_odds(prior)
    post_x = prior_x if math.isinf(prior_x) else prior_x + log_bf
    k_total, n_total = int(sum(ks)), int(sum(ns))
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Bayes factor for H",
        _bf_text(log_bf),
        f"{bits(log_bf):+.3f} bits = {decibels(log_bf):+.2f} dB",
        delta_color="off",
    )
    m2.metric(f"P(H) after the data (prior {format_probability(prior_x)})", format_probability(post_x))
    m3.metric("Data", f"{k_total}/{n_total}", f"{len(ks)} environments", delta_color="off")
    if math.isinf(prior_x):
        st.warning("The prior (from the Update page) is certain, so no data can move it (Cromwell's rule).")
    label = f"covert actions {k_total}/{n_total} ({data_label}; Beta({h[0]:g},{h[1]:g}) vs Beta({not_h[0]:g},{not_h[1]:g}))"
    if abs(log_bf) < 700:
        st.button(
            "Add this Bayes factor to the ledger",
            on_click=_add_to_ledger,
            args=(label, log_bf),
            icon=":material/playlist_add:",
        )
    else:
        st.caption("This Bayes factor is beyond 1e300 and cannot enter the ledger as a number.")
    if "data_added" in st.session_state:
        st.success(f"Added to the ledger: {st.session_state.pop('data_added')}")

    curves = {
        "prior under H": h,
        "prior under not H": not_h,
        "posterior under H (pooled counts)": (h[0] + k_total, h[1] + n_total - k_total),
        "posterior under not H (pooled counts)": (not_h[0] + k_total, not_h[1] + n_total - k_total),
    }
    st.caption(
        "Posteriors are drawn for all environments pooled, for display; the Bayes factor treats them separately."
    )
    csv_text = plotting.to_csv(plotting.rate_density_rows(curves))
    common.show_plot("rates", lambda: plotting.plot_rate_densities(curves), csv_text)
    common.plot_downloads("rates", lambda: plotting.plot_rate_densities(curves), csv_text)
    render_mcmc_panel(ks, ns, prior, h, not_h)


def _bf_text(log_bf: float) -> str:
    if abs(log_bf) < math.log(1e6):
        return f"{math.exp(log_bf):.4g}"
    return f"10^{log_bf / math.log(10):.2f}"
