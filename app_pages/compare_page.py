"""Compare: this view against another one (a preset, a share link or a file), what would settle it, three hypotheses.

Widgets only: the crux is :func:`beliefs.analysis.crux.crux_from_results`, the
value of information :func:`beliefs.analysis.voi.value_of_information`, the vector
update :func:`beliefs.hypotheses.update_hypotheses`; other views are read by
:func:`beliefs.io.views.load_view` and :func:`beliefs.io.scenario.parse_scenario`.
"""

from __future__ import annotations

from importlib import resources

import streamlit as st

from app_pages import common, scenarios
from app_pages.workers import read_apart
from beliefs.analysis.crux import check_hypotheses, crux_from_results, plot_crux
from beliefs.analysis.voi import MAX_PENDING_BYTES, parse_pending, plot_voi, value_of_information
from beliefs.errors import InputError
from beliefs.hypotheses import parse_names, parse_vector, plot_hypotheses, update_hypotheses
from beliefs.io.scenario import builtin_scenarios, parse_scenario
from beliefs.io.state import scenario_from_state
from beliefs.io.views import load_link, load_view
from beliefs.text import one_line

_SOURCES = ("A built-in viewpoint", "A share link", "A scenario file")
_MAX_UPLOAD = 1_000_000
_THIS = "this view"


def _shipped_pending() -> str:
    return (resources.files("beliefs.data") / "pending-2025.json").read_text(encoding="utf-8")


def _other_view():
    """The other side, as the user chose to give it; InputError names the widget."""
    how = st.radio("Compare with", _SOURCES, horizontal=True, key="cv_how")
    if how == _SOURCES[0]:
        name = st.selectbox(
            "Viewpoint", list(builtin_scenarios()), index=2, key="cv_builtin", format_func=scenarios.preset_label
        )
        return load_view(name, field="Viewpoint")
    if how == _SOURCES[1]:
        link = st.text_input(
            "Share link (the full address as copied from the address bar)",
            key="cv_link",
            placeholder="http://127.0.0.1:8501/?prior=0.25&e0=...",
        )
        if not link.strip():
            return None
        # Links only: the server never opens a path a visitor typed (see load_link).
        return load_link(link, field="Share link")
    f = st.file_uploader("Scenario file", type=["json"], key="cv_file")
    if f is None:
        return None
    raw = f.getvalue()
    if len(raw) > _MAX_UPLOAD:
        raise InputError("Scenario file", f"{len(raw)} bytes", f"a scenario file of at most {_MAX_UPLOAD} bytes")
    try:
        return read_apart(parse_scenario, raw)  # as the sidebar's upload: never in the server's own process
    except InputError as exc:
        raise InputError(f"Scenario file {f.name}: {exc.field}", exc.value, exc.allowed, exc.hint) from None


def render() -> None:
    st.title("Compare views")
    st.caption(
        "Where this view (the Update page's prior and ledger) and another one disagree, in bits, "
        "and which pending observation would settle it."
    )
    try:
        mine = scenario_from_state(common.current_state(), name="this-view")
    except InputError as exc:
        common.show_error(exc)
        st.info("Fix the ledger on the Update page first.")
        return
    try:
        other = _other_view()
    except InputError as exc:
        common.show_error(exc)
        return
    if other is not None:
        if st.session_state.get("cv_how") == _SOURCES[0]:  # picked from the built-ins: its readable name
            other_name = scenarios.preset_label(other.name)
        else:  # a link or file keeps its own name, even one that began as a preset and was then edited
            other_name = other.name if other.name != "this-view" else "other view"
        names = (_THIS, other_name)
        # This view's H is the one its scenario states (the loaded scenario's, else the app's own), as saved.
        hypotheses = (mine.hypothesis, other.hypothesis)
        warning = check_hypotheses(*hypotheses, names=names).warning
        if warning:  # above the tabs: it concerns the crux and what would settle it alike
            st.warning(common.plain(warning))
    crux_tab, voi_tab, hyp_tab = st.tabs(["Crux", "What would settle it", "Three hypotheses"])
    with hyp_tab:
        _hypotheses()
    if other is None:
        for tab in (crux_tab, voi_tab):
            with tab:
                st.info("Paste a share link or upload a scenario file above.")
        return
    with crux_tab:
        _crux(mine, other, names, hypotheses)
    with voi_tab:
        _voi(mine, other, names, hypotheses)


def _crux(mine, other, names, hypotheses) -> None:
    try:
        r = crux_from_results(mine.result(), other.result(), names=names, hypotheses=hypotheses)
    except InputError as exc:
        common.show_error(exc)
        return
    st.metric(
        f"Gap ({names[0]} minus {names[1]})",
        f"{r.total_bits:+.3f} bits",
        help="prior gap + each item's gap = the posterior gap, in bits (log2 odds)",
    )
    csv_text = r.to_csv()
    # The full width: the browser draws the chart, its text stays 12 px whatever its width.
    common.show_chart("compare-crux", lambda: plot_crux(r), f"{csv_text}|{names}", csv_text)
    # Below the chart, full width: beside it the view names in the headers were cut off.
    # Bits as text: an item one side lacks reads "not in this view", not "None".
    rows = [
        {
            "part": one_line(row["label"]),
            "gap (bits)": _bits(row["bits"], names[0]),
            f"{names[0]} (bits)": _bits(row[f"{r.names[0]}_bits"], names[0]),
            f"{names[1]} (bits)": _bits(row[f"{r.names[1]}_bits"], names[1]),
            "in": row["in"],
        }
        for row in r.rows()
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    one_sided = sum(row["in"] != "both" for row in r.rows()[1:])
    st.caption(
        "Items are matched by id, else by label. "
        + (f"{one_sided} item(s) only one side has count fully on that side ('in')." if one_sided else "")
    )


def _bits(value: float | None, view: str) -> str:
    return f"not in {view}" if value is None else f"{value:+.3f}"


_VOI_HELP = (
    "The Forecasting Research Institute's value of information (VoI_log, log10 units) on {view}'s own forecast: "
    "P(observed) × KL(P(H | observed), P(H)) + P(not observed) × KL(P(H | not observed), P(H)), each from "
    "{view}'s prior, ledger and likelihoods. How much {view} expects to learn about H."
)
_VOD_HELP = (
    "FRI's value of discrimination (VoD_log_gmod, log10): the symmetric KL divergence between the two views' "
    "P(H) now, minus the one expected after the observation, weighted by the geometric mean of odds of their "
    "P(observed). Positive: the observation is expected to bring the views closer. Empty when a view is certain."
)


def _voi(mine, other, names, hypotheses) -> None:
    f = st.file_uploader(
        "Pending observations (JSON list); without a file, the shipped 2025 list (illustrative likelihoods, status X)",
        type=["json"],
        key="cv_pending",
    )
    try:
        if f is None:
            pending = parse_pending(_shipped_pending(), "pending-2025.json")
        else:
            raw = f.getvalue()
            if len(raw) > MAX_PENDING_BYTES:
                raise InputError("Pending observations", f"{len(raw)} bytes", f"at most {MAX_PENDING_BYTES} bytes")
            pending = parse_pending(raw, f"Pending observations {f.name}")
        r = value_of_information(mine, other, pending, names=names, hypotheses=hypotheses)
    except InputError as exc:
        common.show_error(exc)
        return
    st.metric("Disagreement now", "infinite" if r.disagreement_bits == float("inf") else f"{r.disagreement_bits:.3f} bits")
    for note in r.notes:
        st.warning(common.plain(note))
    voi_key = repr(r.to_dict())  # every number the chart draws: its cache key
    common.show_chart("compare-voi", lambda: plot_voi(r), voi_key)
    rows = []
    voi_columns = (f"VoI {names[0]} (log10)", f"VoI {names[1]} (log10)", "VoD (log10)")
    for o in r.observations:
        ta, tb = o.expected_movement_toward_other_bits
        va, vb = o.voi_log10
        src = o.observation.source
        rows.append(
            {
                "observation": o.label,
                f"P(observed) {names[0]}": o.p_observed_a,
                f"P(observed) {names[1]}": o.p_observed_b,
                "disagreement if observed (bits)": o.if_observed.disagreement_bits,
                "if not observed (bits)": o.if_not_observed.disagreement_bits,
                "expected disagreement (bits)": o.expected_disagreement_bits,
                f"{names[0]} moves toward the other (bits)": ta,
                f"{names[1]} moves toward the other (bits)": tb,
                voi_columns[0]: va,
                voi_columns[1]: vb,
                voi_columns[2]: o.vod_log_gmod,
                "status": src.status if src is not None else "",
            }
        )
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            voi_columns[0]: st.column_config.NumberColumn(format="%.5f", help=_VOI_HELP.format(view=common.plain(names[0]))),
            voi_columns[1]: st.column_config.NumberColumn(format="%.5f", help=_VOI_HELP.format(view=common.plain(names[1]))),
            voi_columns[2]: st.column_config.NumberColumn(format="%+.5f", help=_VOD_HELP),
        },
    )
    st.caption("Smallest expected disagreement first. An observation both sides expect to move them toward each other is the one to fund.")


def _hypotheses() -> None:
    s = builtin_scenarios()["rare-scheming"]
    base = s.hypotheses_result()
    st.caption(
        "The vector form of Bayes' rule. Defaults: the rare-scheming preset "
        "(illustrative numbers, status X, except Carlsmith's 25% and the thread's 0.25 and 0.75)."
    )
    names = st.text_input("Hypotheses (comma-separated)", value=", ".join(base.names), key="cv_h_names")
    prior = st.text_input("Prior, one per hypothesis", value=", ".join(f"{p:g}" for p in base.prior), key="cv_h_prior")
    lik = st.text_area(
        "Likelihoods P(E | H) per evidence item, one line per item",
        value="\n".join(", ".join(f"{x:g}" for x in item.likelihoods) for item in base.items),
        key="cv_h_lik",
    )
    try:
        parsed = parse_names(names, "Hypotheses")
        vectors = [parse_vector(line, f"Likelihoods line {i + 1}") for i, line in enumerate(lik.splitlines()) if line.strip()]
        r = update_hypotheses(
            parsed,
            parse_vector(prior, "Prior"),
            vectors,
            fields=("Hypotheses", "Prior", "Likelihoods line"),
        )
    except InputError as exc:
        common.show_error(exc)
        return
    chart, table = st.columns([3, 2])
    with chart:
        hyp_key = repr(r.to_dict())  # every number the chart draws: its cache key
        common.show_chart("compare-hypotheses", lambda: plot_hypotheses(r), hyp_key)
    with table:
        st.dataframe(
            [{"hypothesis": n, "prior": p, "posterior": q} for n, p, q in zip(r.names, r.prior, r.posterior, strict=True)],
            hide_index=True,
            width="stretch",
            column_config={
                "hypothesis": st.column_config.TextColumn("hypothesis", width="medium"),
                "prior": st.column_config.NumberColumn("prior", format="%.4g", width="small"),
                "posterior": st.column_config.NumberColumn("posterior", format="%.4g", width="small"),
            },
        )
    st.dataframe(r.pairs, hide_index=True, width="stretch")
    for note in r.notes:
        st.warning(common.plain(note))
