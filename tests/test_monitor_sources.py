"""Sourced settings for the monitoring model (issue 23.5): q from a monitor's AUC, c from a red-team win rate."""

import math

import mpmath
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import integrate

from beliefs.errors import InputError
from beliefs.io.catalogue import get_entry
from beliefs.monitor_sources import SOURCED_SETTINGS, q_from_auc, sourced_setting

_open = st.floats(1e-6, 1 - 1e-6)


def _q_exact(auc, f):
    """Phi(sqrt(2) Phi^-1(AUC) + Phi^-1(f)) at 40 digits (Phi^-1 through erfinv)."""
    with mpmath.workdps(40):

        def inv(p):
            return mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(p) - 1)

        return mpmath.ncdf(mpmath.sqrt(2) * inv(auc) + inv(f))


@settings(max_examples=150, deadline=None)
@given(st.floats(0.5, 1 - 1e-6), _open)
@example(0.87, 0.01)
def test_q_from_auc_against_mpmath(auc, f):
    want = float(_q_exact(auc, f))
    assert q_from_auc(auc, f) == pytest.approx(want, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("auc", [0.6, 0.87, 0.92, 0.99])
def test_the_mapping_gives_back_the_auc(auc):
    """The area under the binormal ROC that q_from_auc traces (q against f) is the AUC it started from."""
    area, err = integrate.quad(lambda f: q_from_auc(auc, f) if 0 < f < 1 else float(f >= 1), 0, 1, limit=200)
    assert area == pytest.approx(auc, abs=1e-7) and err < 1e-7


def test_q_is_f_for_a_chance_monitor_and_rises_with_auc_and_f():
    assert q_from_auc(0.5, 0.01) == 0.01
    qs = [q_from_auc(a, 0.01) for a in (0.6, 0.8, 0.87, 0.95, 0.999)]
    assert qs == sorted(qs) and qs[-1] > 0.9
    assert q_from_auc(0.87, 0.001) < q_from_auc(0.87, 0.01) < q_from_auc(0.87, 0.1)


@pytest.mark.parametrize(
    ("auc", "f", "field"),
    [(0.87, 0.0, "false_alarm_rate"), (0.87, 1.0, "false_alarm_rate"), (1.0, 0.1, "auc"), (0.87, "1%", "false_alarm_rate")],
)
def test_bad_inputs_name_the_field(auc, f, field):
    with pytest.raises(InputError, match=rf"^{field}: got"):
        q_from_auc(auc, f)


def test_settings_read_their_numbers_from_the_catalogue():
    for s in SOURCED_SETTINGS:
        entry = get_entry(s.entry_id)
        (fig,) = [f for f in entry.figures if f.label == s.figure_label]
        assert s.figure == fig and s.source.citation == entry.source.citation
        assert s.source.location == entry.source.location and s.source.status == fig.status
        assert fig.describe() in s.title
    auc = sourced_setting("shade_arena_monitor_auc", parameter="q")
    assert auc.figure.unit == "auc" and auc.figure.value == 0.87
    assert {s.figure.value for s in SOURCED_SETTINGS if s.parameter == "c"} == {0.098, 0.028}


def test_a_sourced_q_states_its_assumption_and_has_status_x():
    v = sourced_setting("shade_arena_monitor_auc").resolve(0.01)
    assert v.parameter == "q" and v.status == "X" and v.value == q_from_auc(0.87, 0.01)
    assert v.value == pytest.approx(0.2317, abs=5e-5)  # AUC 0.87 is not q = 87%
    text = v.describe()
    assert "\n" not in text and "binormal" in text and "false-alarm rate f of 0.01 (your choice)" in text
    assert "status P" in text and "status X" in text and "where: abstract" in text
    d = v.to_dict()
    assert d["figure"]["entry"] == "shade_arena_sabotage" and d["false_alarm_rate"] == 0.01 and d["status"] == "X"


def test_a_sourced_c_is_the_win_rate_under_its_assumption():
    v = sourced_setting("self_recognition_collusion", parameter="c").resolve()
    assert v.value == 0.098 and v.status == "X" and v.to_dict()["source"]["status"] == "S"
    assert "every red-team win is one covert action" in v.describe()


def test_misuse_is_refused_with_the_choices():
    with pytest.raises(InputError, match="false-alarm rate f"):
        sourced_setting("shade_arena_monitor_auc").resolve()
    with pytest.raises(InputError, match="not an AUC"):
        sourced_setting("signalling_collusion").resolve(0.01)
    with pytest.raises(InputError, match=r"^setting: got 'nope'; expected a sourced setting for q: shade_arena_monitor_auc"):
        sourced_setting("nope", parameter="q")
    assert not math.isnan(sourced_setting("signalling_collusion").resolve().value)


# -- the monitor command ---------------------------------------------------------------------------------


def test_cli_monitor_takes_q_and_c_from_sources_and_says_what_is_assumed():
    from beliefs.monitoring import monitor_risk
    from tests.cli_helpers import run_cli, run_json

    argv = ["monitor", "--rate", "0.004", "--report-from", "shade_arena_monitor_auc", "--false-alarm", "0.01",
            "--collusion-from", "self_recognition_collusion", "--tasks", "1000"]  # fmt: skip
    data = run_json(*argv)
    q, c = q_from_auc(0.87, 0.01), 0.098
    assert data["report"] == q and data["collusion"] == c
    assert data["p_unreported_any"] == monitor_risk(0.004, q, c, tasks=1000).p_unreported_any
    assert data["sourced"]["q"]["status"] == "X" and data["sourced"]["q"]["source"]["status"] == "P"
    assert data["sourced"]["c"]["figure"]["entry"] == "monitor_self_recognition_collusion"
    proc = run_cli(*argv)
    assert proc.returncode == 0, proc.stderr
    assert [line[:4] for line in proc.stdout.splitlines()[-2:]] == ["q = ", "c = "]
    assert run_json("monitor", "--rate", "0.004", "--report", "0.9", "--tasks", "10")["sourced"] == {"q": None, "c": None}


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--tasks", "3"], "--report"),
        (["--report", "0.5", "--report-from", "shade_arena_monitor_auc", "--tasks", "3"], "--report"),
        (["--report-from", "shade_arena_monitor_auc", "--tasks", "3"], "--false-alarm"),
        (["--report-from", "shade_arena_monitor_auc", "--false-alarm", "0", "--tasks", "3"], "--false-alarm"),
        (["--report-from", "self_recognition_collusion", "--tasks", "3"], "--report-from"),
        (["--report", "0.5", "--false-alarm", "0.1", "--tasks", "3"], "--false-alarm"),
        (["--report", "0.5", "--collusion", "0.1", "--collusion-from", "signalling_collusion", "--tasks", "3"], "--collusion"),
        (["--report", "0.5", "--collusion-from", "shade_arena_monitor_auc", "--tasks", "3"], "--collusion-from"),
    ],
)
def test_cli_monitor_sourced_settings_bad_input(capsys, argv, field):
    from beliefs.cli import main

    code = main(["monitor", "--rate", "0.1", *argv])
    _out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith(f"beliefs: error: {field}"), err


# -- the monitoring page -----------------------------------------------------------------------------------


def test_monitoring_page_sets_q_and_c_from_sources_and_shows_the_assumption_while_they_stand():
    from beliefs.format import format_probability
    from beliefs.monitoring import monitor_risk
    from beliefs.odds import log_odds
    from tests.test_app import assert_clean, new_app

    at = new_app({"view": "monitoring"})
    assert_clean(at)
    assert any(i.value.startswith("Enter a false-alarm rate f") for i in at.info)  # no f, no q: nothing invented
    assert not [b for b in at.button if b.key == "mo_src_apply"]
    at.number_input(key="mo_src_f").set_value(0.0).run()
    assert next(e.value for e in at.error).startswith("False-alarm rate f: got 0")
    assert at.session_state["values"]["mo_report"] == 0.9  # unchanged
    at.number_input(key="mo_src_f").set_value(0.01).run()
    at.button(key="mo_src_apply").click().run()
    assert_clean(at)
    q = q_from_auc(0.87, 0.01)
    assert at.session_state["values"]["mo_report"] == q
    at.selectbox(key="mo_src_pick").set_value("self_recognition_collusion").run()
    at.button(key="mo_src_apply").click().run()
    assert_clean(at)
    assert at.session_state["values"]["mo_collude"] == 0.098
    per_task = next(m for m in at.metric if m.label == "P(unreported) per task")
    risk = monitor_risk(0.004, q, 0.098, tasks=1000)
    assert per_task.value == format_probability(log_odds(risk.p_unreported_per_task))
    shown = [c.value for c in at.caption if c.value.startswith(("q = ", "c = "))]
    assert len(shown) == 2 and all("status X" in c and "Assumed" in c for c in shown)
    at.slider(key="w_mo_report").set_value(0.5).run()  # q moved by hand: its source no longer applies
    assert [c.value[:4] for c in at.caption if c.value.startswith(("q = ", "c = "))] == ["c = "]
