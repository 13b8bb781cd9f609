"""Issue 22, the numeric items: 22.6, 22.7, 22.14, 22.21.  Each test fails on the code before the fix.

Rules (README, issue 22): "(certain)" means a typed 0 or 1 and nothing else, every other
probability is shown from its log-odds; a typed probability a double holds only as a
subnormal is refused (or, for odds, computed exactly from the typed decimals); no message
carries Python's own error text.  The app's cases run through AppTest (tests/test_app.py's
pattern) in tests/test_app_numerics.py.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

from beliefs.entry import parse_percent, parse_prior_text
from beliefs.errors import InputError
from tests.cli_helpers import assert_one_line_error, run_cli, run_cli_in_process, run_json

# -- 22.6 -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("alpha", "mean"), [("1e308", 0.5), ("1.5e308", 0.6)])
def test_22_6_chain_with_a_beta_of_1e308_is_the_mean_to_the_tenth(alpha, mean):
    """22.6: `chain --base 1 --per-step-beta 1e308,1e308 --steps 10` showed mean 0, P(success) 1, median nan.

    Beta(1e308, 1e308) has mean 1/2 and no spread a double can see: P(success), the median and both
    interval ends are 0.5^10 = 9.8e-4 (and 0.6^10 for 1.5e308,1e308).
    """
    out = run_json("chain", "--base", "1", "--per-step-beta", f"{alpha},1e308", "--steps", "10")
    assert out["survival_mean"] == pytest.approx(mean, rel=1e-15)
    for value in (out["p_success"], out["median"], *out["interval"]):
        assert value == pytest.approx(mean**10, rel=1e-13)
    assert out["log10_p_success"] == pytest.approx(10 * math.log10(mean), rel=1e-14)
    proc = run_cli("chain", "--base", "1", "--per-step-beta", f"{alpha},1e308", "--steps", "10")
    assert proc.returncode == 0 and "nan" not in proc.stdout
    assert f"mean {mean:g}" in proc.stdout and f"P(success)         {mean**10:.5g}" in proc.stdout


# -- 22.7 -------------------------------------------------------------------------------------------------------


def test_22_7_a_thousand_neutral_items_do_not_make_a_hypothesis_certain():
    """22.7: `update --hypotheses a,b --prior .5,.5 --likelihoods 1e-14,1` then 1,000 neutral items turned
    "100% - 9.99e-13%" into "100% (certain)".  Both lines now say the same number, 1e-14 = 1e-12%."""
    args = ["update", "--hypotheses", "a,b", "--prior", ".5,.5", "--likelihoods", "1e-14,1"]
    args += ["--likelihoods", "0.5,0.5"] * 1000
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    lines = {line.split()[0]: line for line in proc.stdout.splitlines()[1:3]}
    assert "certain" not in proc.stdout
    assert lines["a"].endswith(" 1e-12%") and lines["b"].endswith("100% - 1e-12%")


def test_22_7_a_prior_typed_1e_minus_400_is_refused_not_certain():
    """22.7: a hypothesis prior typed 1e-400 was taken as exactly 0 and shown "0% (certain)" with Cromwell's note."""
    proc = run_cli("update", "--hypotheses", "a,b", "--prior", "1e-400,1", "--likelihoods", "0.5,0.25")
    assert "rounds to exactly 0" in assert_one_line_error(proc, "--prior[0]")


# -- 22.14 ------------------------------------------------------------------------------------------------------


def test_22_14_odds_of_two_subnormals_are_computed_exactly():
    """22.14: odds prior 1.4e-323:1e-323 was shown as 60% (two one-digit subnormals, 3:2); it is 7/12 = 58.3%."""
    assert parse_prior_text("1.4e-323:1e-323", "odds") == float(Fraction(7, 12))
    assert parse_prior_text("1e-300:3e-300", "odds") == 0.25


@pytest.mark.parametrize(
    ("text", "entry"),
    [("-745", "log-odds"), ("-709", "log-odds"), ("1e-320", "percent"), ("1e-306", "percent"), ("1e-400:1", "odds")],
)
def test_22_14_a_prior_a_double_cannot_hold_is_refused(text, entry):
    """22.14: log-odds -745 was shown as 4.94e-322% (true 2.8e-322%), percent 1e-320 as 9.88e-321%, silently."""
    with pytest.raises(InputError) as info:
        parse_prior_text(text, entry)
    assert info.value.field == "prior" and ("2.2e-308" in str(info.value) or "rounds to exactly 0" in str(info.value))


def test_22_14_the_same_rule_on_the_command_line():
    """22.14: `update --prior 1e-320` (a subnormal probability) is refused, as the app's entry is."""
    line = assert_one_line_error(run_cli("update", "--prior", "1e-320", "--lr", "3"), "--prior")
    assert "2.2e-308" in line
    with pytest.raises(InputError, match=r"2\.2e-308"):
        parse_percent("1e-320%")


def test_22_14_the_smallest_normal_prior_is_kept():
    """22.14: the rule's edge: 2.3e-308 is a normal double and is kept as typed."""
    assert parse_prior_text("2.3e-306", "percent") == 2.3e-308
    assert parse_prior_text("-708", "log-odds") == pytest.approx(math.exp(-708), rel=1e-15)


# -- 22.21 ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lower", "upper", "field", "says"),
    [
        ("5e-324", "1e-300", "--lower", "2.2e-308"),  # the case: a subnormal end-point
        ("1e-300", "1e-200", "--upper", "at least 1e-150"),  # PreliZ divided by zero here too
        ("1e-155", "1e-154", "--upper", "at least 1e-150"),  # ... and returned a NaN mass here
    ],
)
def test_22_21_elicit_says_what_is_allowed_not_float_division_by_zero(lower, upper, field, says):
    """22.21: `elicit --lower 5e-324 --upper 1e-300` said "(float division by zero)"."""
    # In process (PreliZ loads once); tests/test_cli_covert.py runs elicit through a real process.
    line = assert_one_line_error(run_cli_in_process("elicit", "--lower", lower, "--upper", upper), field)
    assert says in line and "division" not in line and "nan" not in line.lower()


def test_22_21_elicit_near_the_limit_gives_a_finite_mass():
    """22.21: just above the limit the fit works and its mass is a number (JSON has no NaN)."""
    out = json.loads(run_cli_in_process("elicit", "--lower", "1e-155", "--upper", "1e-149", "--json").stdout)
    assert abs(out["mass"] - 0.9) < 1e-6 and out["beta"] > 1e148
