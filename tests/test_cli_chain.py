"""`beliefs chain` and `beliefs monitor` through a subprocess, as a user runs them."""

from __future__ import annotations

import math

import pytest
from scipy import integrate, stats

from tests.cli_helpers import assert_one_line_error, run_cli, run_json


def test_chain_point_json():
    out = run_json("chain", "--base", "1", "--per-step", "0.98", "--steps", "35")
    assert out["p_success"] == pytest.approx(0.98**35, rel=1e-14)
    assert abs(out["p_success"] - 0.493) < 5e-4  # the number quoted in claims.md
    assert out["per_step_beta"] is None and "interval" not in out


def test_chain_beta_json_against_quadrature():
    out = run_json("chain", "--base", "0.9", "--per-step-beta", "98,2", "--steps", "35")
    mean, _ = integrate.quad(lambda s: s**35 * stats.beta.pdf(s, 98, 2), 0, 1, epsabs=0, epsrel=1e-12)
    assert out["p_success"] == pytest.approx(0.9 * mean, rel=1e-9)
    assert out["interval_mass"] == 0.9 and out["interval_kind"] == "equal-tailed"
    lo, hi = out["interval"]
    assert lo == pytest.approx(0.9 * stats.beta.ppf(0.05, 98, 2) ** 35, rel=1e-9)
    assert hi == pytest.approx(0.9 * stats.beta.ppf(0.95, 98, 2) ** 35, rel=1e-9)
    assert out["median"] == pytest.approx(0.9 * stats.beta.ppf(0.5, 98, 2) ** 35, rel=1e-9)


def test_chain_observed_steps_and_curve():
    out = run_json("chain", "--base", "1", "--per-step-beta", "98,2", "--steps", "3", "--survived", "20",
                   "--failed", "1", "--curve")
    assert out["posterior_beta"] == [118.0, 3.0]
    a, b = 118, 3
    assert out["p_success"] == pytest.approx(math.exp(sum(math.log((a + i) / (a + b + i)) for i in range(3))), rel=1e-12)
    curve = out["curve"]
    assert curve["steps"] == [0, 1, 2, 3]
    assert curve["mean"][0] == 1.0 and curve["mean"][1] == pytest.approx(a / (a + b), rel=1e-12)
    assert curve["mean"][3] == pytest.approx(out["p_success"], rel=1e-12)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--base", "0.7", "--per-step", "0", "--steps", "0"], 0.7),
        (["--base", "0", "--per-step", "0.9", "--steps", "5"], 0.0),
        (["--base", "1", "--per-step", "1", "--steps", "1000000"], 1.0),
        (["--base", "0", "--per-step-beta", "1,1", "--steps", "0"], 0.0),
    ],
)
def test_chain_edge_values(args, expected):
    out = run_json("chain", *args)
    assert out["p_success"] == expected
    for key in ("median", "interval"):
        if key in out:
            assert all(v == expected for v in (out[key] if isinstance(out[key], list) else [out[key]]))


def test_chain_human_table():
    proc = run_cli("chain", "--base", "0.9", "--per-step-beta", "98,2", "--steps", "35")
    assert proc.returncode == 0, proc.stderr
    assert "P(success)" in proc.stdout and "90% interval" in proc.stdout and "equal-tailed" in proc.stdout
    assert "Beta(98, 2)" in proc.stdout


def test_monitor_json():
    out = run_json("monitor", "--rate", "0.001", "--report", "0.95", "--collusion", "0.1", "--tasks", "10000")
    u = 0.001 * (0.1 + 0.9 * 0.05)
    assert out["p_unreported_per_task"] == pytest.approx(u, rel=1e-14)
    assert out["p_unreported_any"] == pytest.approx(1 - (1 - u) ** 10000, rel=1e-12)
    no_collusion = run_json("monitor", "--rate", "0.01", "--report", "0.9", "--tasks", "100")
    assert no_collusion["collusion"] == 0.0
    assert no_collusion["p_unreported_any"] == pytest.approx(1 - (1 - 0.01 * 0.1) ** 100, rel=1e-12)


def test_monitor_edges_and_human_table():
    assert run_json("monitor", "--rate", "1", "--report", "0", "--tasks", "0")["p_unreported_any"] == 0.0
    assert run_json("monitor", "--rate", "1", "--report", "0", "--tasks", "3")["p_unreported_any"] == 1.0
    proc = run_cli("monitor", "--rate", "0.001", "--report", "0.95", "--tasks", "10000")
    assert proc.returncode == 0, proc.stderr
    assert "P(at least one unreported)" in proc.stdout and "0.393477" in proc.stdout


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["chain", "--base", "1", "--steps", "3"], "--per-step"),
        (["chain", "--base", "1", "--steps", "3", "--per-step", "0.9", "--per-step-beta", "1,1"], "--per-step"),
        (["chain", "--base", "1", "--steps", "-1", "--per-step", "0.9"], "--steps"),
        (["chain", "--base", "1", "--steps", "2.5", "--per-step", "0.9"], "--steps"),
        (["chain", "--base", "1", "--steps", "x", "--per-step", "0.9"], "--steps"),
        (["chain", "--base", "1.5", "--steps", "2", "--per-step", "0.9"], "--base"),
        (["chain", "--base", "nan", "--steps", "2", "--per-step", "0.9"], "--base"),
        (["chain", "--base", "1", "--steps", "2", "--per-step", "inf"], "--per-step"),
        (["chain", "--base", "1", "--steps", "2", "--per-step", "-0.1"], "--per-step"),
        (["chain", "--base", "1", "--steps", "2", "--per-step-beta", "0,1"], "--per-step-beta alpha"),
        (["chain", "--base", "1", "--steps", "2", "--per-step-beta", "1,-3"], "--per-step-beta beta"),
        (["chain", "--base", "1", "--steps", "2", "--per-step-beta", "1"], "--per-step-beta"),
        (["chain", "--base", "1", "--steps", "2", "--per-step-beta", "1,nan"], "--per-step-beta beta"),
        (["chain", "--base", "1", "--steps", "2", "--per-step", "0.9", "--survived", "3"], "--survived"),
        (["chain", "--base", "1", "--steps", "2", "--per-step-beta", "1,1", "--failed", "-2"], "--failed"),
        (["chain", "--base", "1", "--steps", "2", "--per-step-beta", "1,1", "--interval", "1"], "--interval"),
        (["monitor", "--rate", "-0.1", "--report", "0.5", "--tasks", "3"], "--rate"),
        (["monitor", "--rate", "0.1", "--report", "2", "--tasks", "3"], "--report"),
        (["monitor", "--rate", "0.1", "--report", "0.5", "--collusion", "nan", "--tasks", "3"], "--collusion"),
        (["monitor", "--rate", "0.1", "--report", "0.5", "--tasks", "-4"], "--tasks"),
        (["monitor", "--rate", "0.1", "--report", "0.5", "--tasks", "1.5"], "--tasks"),
        (["monitor", "--rate", "", "--report", "0.5", "--tasks", "1"], "--rate"),
    ],
)
def test_bad_input_is_one_line(args, field):
    line = assert_one_line_error(run_cli(*args), field)
    assert "expected" in line


def test_missing_required_option_is_one_line():
    assert_one_line_error(run_cli("monitor", "--rate", "0.1", "--report", "0.5"), "--tasks")


# -- issue 25: every probability from its logarithm -------------------------------------------------------------


def _log10_exact(expr) -> float:
    import mpmath as mp

    with mp.workdps(50):
        return float(expr(mp) / mp.log(10))


def test_chain_beyond_the_double_range_is_shown_from_its_log():
    # 0.98 over a million steps is 10^(1e6 log10 0.98) = 1.19e-8774: printed as such, never 0.
    proc = run_cli("chain", "--base", "1", "--per-step", "0.98", "--steps", "1000000")
    assert "P(success)         1.1904e-8774\n" in proc.stdout
    out = run_json("chain", "--base", "1", "--per-step", "0.98", "--steps", "1000000")
    assert out["p_success"] == 0.0 and out["p_failure"] == 1.0  # the doubles, as before
    assert out["log10_p_success"] == pytest.approx(_log10_exact(lambda mp: 10**6 * mp.log(mp.mpf(0.98))), rel=1e-13)
    assert out["log10_p_failure"] == 0.0  # ln(1 - 1e-8774) is beyond the double range: it rounds to 0


def test_beta_chain_beyond_the_double_range_is_shown_from_its_log():
    # Beta(1e6, 1e4) over 1e5 steps: mean 0.9 * 1.08e-412 = 9.75e-413 and median 6.78e-433 (issue 25 item 1).
    proc = run_cli("chain", "--base", "0.9", "--per-step-beta", "1000000,10000", "--steps", "100000")
    assert "P(success)         9.74514e-413 (mean)\n" in proc.stdout
    assert "median             6.77726e-433\n" in proc.stdout
    assert "90% interval       4.83177e-440 to 7.94432e-426 (equal-tailed)" in proc.stdout
    out = run_json("chain", "--base", "0.9", "--per-step-beta", "1000000,10000", "--steps", "100000")
    old_keys = {"base", "steps", "per_step", "per_step_beta", "p_success", "p_failure", "survival_mean", "median",
                "interval", "interval_mass", "interval_kind", "survived", "failed", "posterior_beta"}
    assert old_keys <= set(out) and out["p_success"] == 0.0 and out["median"] == 0.0
    ref = _log10_exact(
        lambda mp: mp.log(mp.mpf(0.9)) + mp.loggamma(mp.mpf(1e6) + 10**5) + mp.loggamma(mp.mpf(1.01e6))
        - mp.loggamma(mp.mpf(1e6)) - mp.loggamma(mp.mpf(1.01e6) + 10**5)
    )
    assert out["log10_p_success"] == pytest.approx(ref, rel=1e-13)
    assert out["log10_median"] == pytest.approx(-432.1689, abs=1e-4)
    assert out["log10_interval"][0] < out["log10_median"] < out["log10_interval"][1]


def test_monitor_near_certainty_is_one_minus_its_complement():
    # (1 - 0.0043368)^73765 = 5.8e-140 is a double: computed directly, never as 1 - 1.0.
    proc = run_cli("monitor", "--rate", "0.31134", "--report", "0.9860705183", "--collusion", "0", "--tasks", "73765")
    assert "P(at least one unreported)   1 - 5.82297e-140\n" in proc.stdout
    out = run_json("monitor", "--rate", "0.31134", "--report", "0.9860705183", "--collusion", "0", "--tasks", "73765")
    assert out["p_all_reported_or_none"] == pytest.approx(5.822972900216e-140, rel=1e-11)
    assert out["p_unreported_any"] == 1.0
    assert out["log10_p_all_reported_or_none"] == pytest.approx(-139.234855231069, rel=1e-13)
    assert out["log10_p_unreported_any"] == pytest.approx(-2.5288849988363e-140, rel=1e-11)


@pytest.mark.parametrize("steps", ["100000000", "1000000000000000"])
def test_steps_are_limited_only_by_an_exact_count(steps):
    out = run_json("chain", "--base", "1", "--per-step-beta", "1e12,1", "--steps", steps)
    n = int(steps)
    assert out["log10_p_success"] == pytest.approx(math.log10(1e12 / (1e12 + n)), rel=1e-13)  # E[s^n] = a / (a + n)


def test_steps_beyond_an_exact_count_and_long_curves_are_refused():
    line = assert_one_line_error(run_cli("chain", "--base", "1", "--per-step", "0.5", "--steps", "1000000000000001"), "--steps")
    assert "1e15" in line
    line = assert_one_line_error(
        run_cli("chain", "--base", "1", "--per-step", "0.5", "--steps", "10000001", "--curve"), "--steps"
    )
    assert "1e7" in line


def test_curve_json_adds_log10_twins():
    out = run_json("chain", "--base", "1", "--per-step", "0.1", "--steps", "400", "--curve")
    curve = out["curve"]
    assert curve["mean"][400] == 0.0 and curve["log10_mean"][400] == pytest.approx(-400.0, rel=1e-14)
    assert set(curve) >= {"steps", "mean", "median", "lower", "upper", "log10_median", "log10_lower", "log10_upper"}
