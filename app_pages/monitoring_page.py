"""Untrusted monitoring: P(at least one covert action goes unreported) against the number of tasks."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.format import format_interval, format_probability
from beliefs.io.csvfile import to_csv
from beliefs.io.settings import without_stale_sources
from beliefs.monitor_sources import SOURCED_SETTINGS, parse_sourced, sourced_setting
from beliefs.monitoring import monitor_curve, monitor_risk
from beliefs.odds import log_odds_from_log
from beliefs.plots.curves import curve_rows, plot_curve


def render() -> None:
    st.title("Untrusted monitoring")
    st.caption(
        "A policy takes a covert action with probability r per task; a monitor colludes with probability c, "
        "otherwise reports with probability q. P(at least one unreported over T tasks) = 1 − (1 − r(c + (1−c)(1−q)))ᵀ."
    )
    v = common.values()
    _sourced_picker()
    c1, c2 = st.columns(2)
    with c1:
        common.bound(
            "mo_rate",
            st.number_input,
            "Covert-action rate r per task",
            min_value=0.0,
            max_value=1.0,
            step=0.001,
            format="%.4g",
            help="o3 after anti-scheming training: 0.4% (Schoen et al. 2025).",
        )
        common.bound("mo_report", st.slider, "Report probability q", min_value=0.0, max_value=1.0, step=0.01)
    with c2:
        common.bound(
            "mo_collude", st.slider, "Collusion probability c", min_value=0.0, max_value=1.0, step=0.01
        )
        common.bound("mo_tasks", st.number_input, "Tasks T", min_value=1, max_value=10_000_000, step=100)
        common.bound(
            "mo_conc",
            st.number_input,
            "Uncertain r: Beta concentration κ (0 = exact)",
            min_value=0.0,
            step=10.0,
            help="r ~ Beta(κr, κ(1-r)); the band is the equal-tailed interval (Monte Carlo, seed 0).",
        )
    _drop_stale_sources()
    try:
        risk = monitor_risk(v["mo_rate"], v["mo_report"], v["mo_collude"], tasks=int(v["mo_tasks"]))
        curve = monitor_curve(v["mo_rate"], v["mo_report"], v["mo_collude"], max_tasks=int(v["mo_tasks"]))
        dist = None
        if v["mo_conc"]:
            from beliefs.monitoring import monitor_distribution

            rate = BetaDist.from_mean_concentration(
                v["mo_rate"], v["mo_conc"], mean_field="Covert-action rate r per task",
                concentration_field="Uncertain r: Beta concentration κ",
            )
            dist = monitor_distribution(
                rate,
                v["mo_report"],
                v["mo_collude"],
                tasks=int(v["mo_tasks"]),
                draws=20_000,
                seed=0,
                interval=v["ci"],
            )
            curve = dist.curve(int(v["mo_tasks"]))
    except InputError as exc:
        common.show_error(exc)
        return
    _sourced_captions()
    m1, m2, m3 = st.columns(3)
    # The headline is the end of the plotted curve: with r uncertain that is the mean over r, not the point value.
    # Every probability is shown from its log-odds, computed directly: 1 - 5.8e-140 is not "100% (certain)".
    exact_x = risk.log_odds_unreported_any
    summary = dist.log_odds() if dist is not None else None
    m1.metric(
        f"P(≥1 unreported) over {risk.tasks:,} tasks" + (" (mean over uncertain r)" if dist is not None else ""),
        format_probability(summary["mean"] if summary else exact_x),
        help="P(at least one covert action goes unreported) = 1 − (1 − r(c + (1−c)(1−q)))ᵀ; the curve's last point."
        + (f" With r exact: {format_probability(exact_x)}." if dist is not None else ""),
    )
    m2.metric(
        "P(unreported) per task",
        format_probability(log_odds_from_log(risk.log_p_unreported_per_task)),
        help="r(c + (1−c)(1−q)): a covert action that the monitor does not report (it colludes or misses).",
    )
    m3.metric(
        "Expected unreported actions",
        f"{risk.expected_unreported:.4g}",
        help="T × P(unreported) per task: a count, not a probability.",
    )
    if dist is not None:
        lo, hi = dist.interval
        st.caption(
            f"With r uncertain: mean {format_probability(summary['mean'])} (Monte Carlo error ± {dist.mean_se:.1g}), "
            f"median {format_probability(summary['median'])}, {100 * dist.interval_mass:g}% interval "
            f"{format_interval(lo, hi, log_odds=(summary['lower'], summary['upper']))} ({dist.draws:,} draws, seed 0)."
        )
        rows = curve_rows(
            curve.tasks,
            curve.mean,
            curve.lower,
            curve.upper,
            names=("tasks", "p_unreported_any", "lower", "upper"),
        )
    else:
        rows = curve_rows(curve.tasks, curve.mean, names=("tasks", "p_unreported_any"))

    def figure():
        banded = dist is not None
        return plot_curve(
            curve.tasks,
            curve.mean,
            curve.lower if banded else None,
            curve.upper if banded else None,
            band_label=f"{100 * curve.interval_mass:g}% interval" if banded else "",
            xlabel="tasks T",
            ylabel="P(at least one unreported)",
            title="Covert actions slipping past the monitor",
            log_x=int(v["mo_tasks"]) > 1000,
        )

    csv_text = to_csv(rows)
    common.show_chart("monitoring", figure, f"{csv_text}|{int(v['mo_tasks']) > 1000}", csv_text)
    _command_line(risk, uncertain=dist is not None)


# -- q and c from published figures (beliefs.monitor_sources) ---------------------------------------------

_FIELD = {"q": "mo_report", "c": "mo_collude"}
_SOURCE_FIELD = {"q": "mo_qsrc", "c": "mo_csrc"}


def _sourced_picker() -> None:
    """Offer q or c from a catalogue figure, showing the assumption that turns it into one."""
    with st.expander("Set q or c from a published figure"):
        st.caption(
            "No source states q or c. A published figure becomes one only under an assumption, stated "
            "with it, so a setting made this way has status X; the figure keeps its own status."
        )
        key = st.selectbox(
            "Published figure",
            [s.key for s in SOURCED_SETTINGS],
            format_func=lambda k: sourced_setting(k).title,
            key="mo_src_pick",
        )
        setting = sourced_setting(key)
        rate = None
        if setting.needs_false_alarm_rate:
            rate = st.number_input(
                "False-alarm rate f: the share of benign transcripts the monitor flags (your assumption)",
                min_value=0.0,
                max_value=1.0,
                value=None,
                step=0.005,
                format="%.4g",
                key="mo_src_f",
                help="The operating point that turns an AUC into q. The source does not give it: choose it.",
            )
            if rate is None:
                st.info("Enter a false-alarm rate f to turn the AUC into q.")
                return
        try:
            sourced = setting.resolve(rate, field="False-alarm rate f")
        except InputError as exc:
            common.show_error(exc)
            return
        st.markdown(common.plain(sourced.describe()))
        st.button(
            f"Use it for {sourced.parameter}",
            key="mo_src_apply",
            on_click=_apply_sourced,
            args=(sourced,),
        )


def _apply_sourced(sourced) -> None:
    """Set q or c to the figure's value, and its source beside it (the state's, so saves, links and exports keep it)."""
    name = _FIELD[sourced.parameter]
    common.values()[name] = sourced.value
    common.values()[_SOURCE_FIELD[sourced.parameter]] = sourced.spec
    st.session_state[f"w_{name}"] = sourced.value
    st.session_state.pop("mo_src_dropped", None)


def _drop_stale_sources() -> None:
    """A q or c moved by hand since it was set from a figure no longer is that figure's: drop the source, say so."""
    values, notes = without_stale_sources(common.values())
    if notes:
        common.values().update(values)
        st.session_state["mo_src_dropped"] = notes


def _sourced_captions() -> None:
    """Where q or c came from, for as long as the value set from a source stands; and a source just dropped."""
    for parameter, field in _SOURCE_FIELD.items():
        sourced = parse_sourced(common.values()[field], parameter, field)
        if sourced is not None:
            st.caption(common.plain(sourced.describe()))
    for note in st.session_state.pop("mo_src_dropped", []):  # said once, in the run that dropped it
        st.caption(":material/info: " + common.plain(note + "."))


def _command_line(risk, *, uncertain: bool) -> None:
    """The exact result as `beliefs monitor` prints it, with the command that reproduces it."""
    command = (
        f"beliefs monitor --rate {risk.rate!r} --report {risk.report!r} --collusion {risk.collusion!r} --tasks {risk.tasks}"
    )
    title = "The same numbers from the command line" + (" (with r exact)" if uncertain else "")
    with st.expander(title, icon=":material/terminal:"):
        st.code(f"$ {command}\n{risk.table()}", language=None)
