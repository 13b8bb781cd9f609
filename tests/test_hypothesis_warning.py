"""Views that state different hypotheses are compared with a one-line warning (issue 23.4): library, CLI, app."""

import json
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.analysis.crux import check_hypotheses, crux_from_results, stated_h
from beliefs.analysis.voi import parse_pending, value_of_information
from beliefs.io.scenario import builtin_scenarios, get_scenario
from tests.cli_helpers import run_cli, run_json

PENDING = str(resources.files("beliefs.data") / "pending-2025.json")

# The built-in views and whether each pair states the same H (read by hand from their files:
# report-3-to-1 and report-confusion state one H and differ only in why not H would produce the report;
# stated-3-to-1 and miri-ish state the same H; Carlsmith's, Greenblatt's, the rare-scheming and the
# MIRI-ish H are four different questions).
SAME = [("report-3-to-1", "report-confusion"), ("stated-3-to-1", "miri-ish"), ("carlsmith", "carlsmith")]
DIFFERENT = [
    ("carlsmith", "rare-scheming"),
    ("carlsmith", "miri-ish"),
    ("rare-scheming", "miri-ish"),
    ("greenblatt", "carlsmith"),
    ("report-3-to-1", "miri-ish"),
]


def _check(a, b):
    return check_hypotheses(get_scenario(a).hypothesis, get_scenario(b).hypothesis, names=(a, b))


@pytest.mark.parametrize(("a", "b"), SAME)
def test_views_with_one_h_raise_no_warning(a, b):
    c = _check(a, b)
    assert c.same is True and c.warning == ""


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_views_with_different_h_warn_in_one_line_naming_both(a, b):
    c = _check(a, b)
    assert c.same is False
    assert c.warning.startswith("The two views state different hypotheses")
    assert "\n" not in c.warning
    assert f"{a}: H = \u201c" in c.warning and f"{b}: H = \u201c" in c.warning


def test_every_pair_of_built_in_views_is_classified():
    """A new built-in scenario must be added to SAME or DIFFERENT above (by reading its H)."""
    names = sorted(builtin_scenarios())
    listed = {frozenset(p) for p in SAME + DIFFERENT}
    same = {frozenset(p) for p in SAME}
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            got = _check(a, b).same
            if frozenset((a, b)) in listed:
                assert got is (frozenset((a, b)) in same), (a, b)
            else:  # not read by hand: at least the statements' H parts must differ as text
                assert got is (stated_h(get_scenario(a).hypothesis) == stated_h(get_scenario(b).hypothesis)), (a, b)


def test_not_h_may_differ_and_case_and_spacing_do_not_count():
    assert stated_h("  Early AIs  scheme.; not H: they do not") == "Early AIs scheme"
    assert check_hypotheses("Early AIs scheme; not H: no", "early  AIs scheme; not H: confusion").same is True
    assert check_hypotheses("Early AIs scheme", "Early AIs scheme rarely").same is False


@pytest.mark.parametrize(
    ("a", "b", "who"),
    [("", "X scheme", "A states no hypothesis"), ("X scheme", "  ", "B states no hypothesis"), ("", "", "Neither view")],
)
def test_a_view_without_h_cannot_be_checked_and_says_so(a, b, who):
    c = check_hypotheses(a, b)
    assert c.same is None and c.warning.startswith(who) and "cannot be checked" in c.warning


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_the_warning_is_always_one_line(a, b):
    c = check_hypotheses(a, b, names=("A", "B"))
    assert "\n" not in c.warning and "\r" not in c.warning
    json.dumps(c.to_dict())


def test_results_carry_the_check():
    a, b = get_scenario("carlsmith"), get_scenario("rare-scheming")
    crux = crux_from_results(a.result(), b.result(), names=("c", "r"), hypotheses=(a.hypothesis, b.hypothesis))
    assert crux.text().splitlines()[0].startswith("warning: The two views state different hypotheses")
    assert crux.to_dict()["hypotheses"]["same"] is False
    # without statements of H the library says nothing, and the JSON says it was not checked
    assert crux_from_results(a.result(), b.result()).to_dict()["hypotheses"] is None
    pending = parse_pending(resources.files("beliefs.data").joinpath("pending-2025.json").read_text(encoding="utf-8"))
    voi = value_of_information(a, b, pending, names=("c", "r"))  # scenarios: their own statements
    assert voi.text().splitlines()[0].startswith("warning: ") and voi.to_dict()["hypotheses"]["same"] is False
    assert value_of_information((0.5, []), (0.2, []), pending).to_dict()["hypotheses"] is None


# -- the command line -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["crux"], ["voi", "--pending", PENDING]])
def test_cli_warns_in_one_line_and_in_json(command):
    name, *rest = command
    proc = run_cli(name, "carlsmith", "rare-scheming", *rest)
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stdout.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "different hypotheses" in warnings[0]
    data = run_json(name, "carlsmith", "rare-scheming", *rest)
    assert data["hypotheses"]["same"] is False and "different hypotheses" in data["hypotheses"]["warning"]
    assert data["hypotheses"]["a"] == get_scenario("carlsmith").hypothesis
    quiet = run_cli(name, "report-3-to-1", "report-confusion", *rest)
    assert "warning:" not in quiet.stdout
    assert run_json(name, "report-3-to-1", "report-confusion", *rest)["hypotheses"] == {
        "a": get_scenario("report-3-to-1").hypothesis,
        "b": get_scenario("report-confusion").hypothesis,
        "a_h": stated_h(get_scenario("report-3-to-1").hypothesis),
        "b_h": stated_h(get_scenario("report-confusion").hypothesis),
        "same": True,
        "warning": None,
    }


def test_cli_shows_untrusted_h_as_one_safe_line(tmp_path):
    s = get_scenario("carlsmith").model_copy(update={"name": "odd", "hypothesis": "Evil\x1b[8m hidden\nsecond line"})
    path = tmp_path / "odd.json"
    path.write_text(s.model_dump_json(), encoding="utf-8")
    proc = run_cli("crux", str(path), "carlsmith")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.splitlines()[0]
    assert line.startswith("warning:") and "\x1b" not in line and "\\x1b[8m hidden second line" in line


# -- the app ---------------------------------------------------------------------------------------------------


def _compare_app(preset: str):
    from tests.test_app import assert_clean, new_app

    s = get_scenario(preset)
    at = new_app({"view": "compare", "scenario": preset, "prior": repr(s.prior)})
    assert_clean(at)
    return at


def test_compare_page_warns_when_the_other_view_states_another_h():
    from tests.test_app import assert_clean

    at = _compare_app("report-3-to-1")
    at.selectbox(key="cv_builtin").set_value("carlsmith").run()
    assert_clean(at)
    shown = [w.value for w in at.warning if "different hypotheses" in w.value]
    assert len(shown) == 1 and "\n" not in shown[0]
    # above the tabs (it concerns the crux and what would settle it alike), not below the last tab's content
    kinds = [type(c).__name__ for c in at.main.children.values()]
    assert kinds.index("Warning") == kinds.index("Selectbox") + 1
    at.selectbox(key="cv_builtin").set_value("report-confusion").run()
    assert_clean(at)
    assert not [w.value for w in at.warning if "hypothes" in w.value]


def test_analysis_page_crux_warns_too():
    from tests.test_app import assert_clean, new_app

    for other, warned in (("carlsmith", True), ("report-confusion", False)):
        at = new_app({"view": "analysis", "scenario": "report-3-to-1", "prior": "0.5", "an_crux": other})
        assert_clean(at)
        assert any("different hypotheses" in w.value for w in at.warning) is warned, other
