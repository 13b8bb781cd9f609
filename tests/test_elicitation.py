"""Beta elicitation from an interval: checked by quadrature and by the maximum-entropy property."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from beliefs.elicitation import MASS_TOLERANCE, elicit_beta
from beliefs.errors import InputError


def _mass_by_quadrature(a, b, lo, hi):
    val, _ = integrate.quad(lambda x: stats.beta.pdf(x, a, b), lo, hi, epsabs=1e-13, epsrel=1e-11, limit=200)
    return val


@pytest.mark.parametrize(
    ("lo", "hi", "mass"),
    [(0.01, 0.2, 0.9), (0.3, 0.7, 0.5), (0.001, 0.01, 0.95), (0.6, 0.99, 0.8), (0.45, 0.55, 0.99)],
)
def test_requested_mass_is_achieved(lo, hi, mass):
    b = elicit_beta(lo, hi, mass)
    assert b.alpha > 0 and b.beta > 0
    assert b.mass == pytest.approx(_mass_by_quadrature(b.alpha, b.beta, lo, hi), abs=1e-8)
    assert b.mass == pytest.approx(mass, abs=1e-4)
    assert b.warning == ""
    assert b.requested_mass == mass


def test_is_the_maximum_entropy_beta():
    lo, hi, mass = 0.05, 0.3, 0.9
    b = elicit_beta(lo, hi, mass)
    best = stats.beta(b.alpha, b.beta).entropy()
    # Other Betas with the same mass in [lo, hi]: move alpha, solve for beta; each has less entropy.
    compared = 0
    for factor in (0.7, 0.8, 0.9, 0.95, 1.05, 1.1, 1.25, 1.5):
        a2 = b.alpha * factor

        def gap(log_beta, a2=a2):
            return stats.beta.cdf(hi, a2, math.exp(log_beta)) - stats.beta.cdf(lo, a2, math.exp(log_beta)) - mass

        grid = np.linspace(-5, 8, 400)
        vals = np.array([gap(x) for x in grid])
        roots = [
            optimize.brentq(gap, grid[i], grid[i + 1]) for i in range(len(grid) - 1) if vals[i] * vals[i + 1] < 0
        ]
        for r in roots:  # for some alphas no beta reaches the mass at all
            assert stats.beta(a2, math.exp(r)).entropy() < best
            compared += 1
    assert compared >= 4


def test_symmetric_interval_gives_symmetric_beta():
    b = elicit_beta(0.3, 0.7, 0.9)
    assert b.alpha == pytest.approx(b.beta, rel=1e-3)
    assert b.mean == pytest.approx(0.5, abs=1e-4)


@settings(max_examples=15, deadline=None)
@given(
    lo=st.floats(0.01, 0.9),
    width=st.floats(0.02, 0.5),
    mass=st.floats(0.5, 0.95),
)
def test_mass_achieved_property(lo, width, mass):
    hi = min(lo + width, 0.99)
    b = elicit_beta(lo, hi, mass)
    achieved = _mass_by_quadrature(b.alpha, b.beta, lo, hi)
    if b.warning:
        assert abs(achieved - mass) > MASS_TOLERANCE
    else:
        assert abs(achieved - mass) <= MASS_TOLERANCE


def test_warns_when_fit_misses(monkeypatch):
    import preliz as pz

    import beliefs.elicitation as me

    def bad_maxent(dist, lower, upper, mass, plot=False):
        dist._parametrization(1.0, 1.0)  # uniform: puts only (upper - lower) in the interval

    monkeypatch.setattr(pz, "maxent", bad_maxent)
    monkeypatch.setattr(me, "maxent_beta", lambda *a, **k: None)  # the refinement finds nothing either
    b = elicit_beta(0.1, 0.2, 0.9)
    assert b.mass == pytest.approx(0.1, abs=1e-12)
    assert "not the requested 0.9" in b.warning


def test_refinement_repairs_a_bad_preliz_answer(monkeypatch):
    import preliz as pz

    def bad_maxent(dist, lower, upper, mass, plot=False):
        dist._parametrization(1.0, 1.0)

    monkeypatch.setattr(pz, "maxent", bad_maxent)
    b = elicit_beta(0.1, 0.2, 0.9)
    assert b.mass == pytest.approx(0.9, abs=1e-9) and b.warning == ""
    assert b.preliz["mass"] == pytest.approx(0.1, abs=1e-12)
    assert "refined with scipy SLSQP" in b.method and "missed the requested mass" in b.method


def test_optimizer_failure_is_input_error(monkeypatch):
    import preliz as pz

    import beliefs.elicitation as el

    def broken(*args, **kwargs):
        raise RuntimeError("optimizer did not converge\nat all")

    monkeypatch.setattr(pz, "maxent", broken)
    # PreliZ failing is not the end: the SLSQP search finds the Beta on its own, and says so.
    fit = elicit_beta(0.1, 0.2, 0.9)
    assert abs(fit.mass - 0.9) < 1e-9 and "PreliZ's maxent failed" in fit.method
    # Both failing: one clear message in words, never Python's error text (issue 22.21).
    monkeypatch.setattr(el, "maxent_beta", lambda *a, **k: None)
    with pytest.raises(InputError, match=r"no Beta was found with 0\.9 of its mass in \[0\.1, 0\.2\]") as info:
        elicit_beta(0.1, 0.2, 0.9)
    assert "converge" not in str(info.value)


@pytest.mark.parametrize(
    ("lo", "hi", "mass", "match"),
    [
        (0.3, 0.2, 0.9, "upper: got 0.2; expected a value greater than lower = 0.3"),
        (0.2, 0.2, 0.9, "upper"),
        (0.0, 0.2, 0.9, "lower"),
        (-0.1, 0.2, 0.9, "lower"),
        (0.1, 1.0, 0.9, "upper"),
        (0.1, 0.2, 1.0, "mass"),
        (0.1, 0.2, 0.0, "mass"),
        (0.1, 0.2, "90", r"mass.*did you mean 0.9"),
        (math.nan, 0.2, 0.9, "lower"),
        ("abc", 0.2, 0.9, "lower"),
    ],
)
def test_bad_input(lo, hi, mass, match):
    with pytest.raises(InputError, match=match):
        elicit_beta(lo, hi, mass)


def test_field_names_for_the_command_line():
    with pytest.raises(InputError, match="--upper"):
        elicit_beta(0.5, 0.4, 0.9, fields=("--lower", "--upper", "--mass"))


# ---------------------------------------------------------------------------
# The maximum-entropy property, against a brute-force search along the mass constraint
# ---------------------------------------------------------------------------
def _brute_force_maxent(lo, hi, mass):
    """The max-entropy Beta with ``mass`` in [lo, hi], by brute force (an oracle independent of SLSQP).

    For each alpha on a log grid, every beta with exactly the requested mass is found (sign changes of
    the mass gap on a log-beta grid, then brentq); the entropy (scipy.stats) is maximised over those
    points, and then again on a finer alpha grid around the best one, following the same branch.
    """

    def roots_for(alpha, log_betas):
        gap = stats.beta.cdf(hi, alpha, np.exp(log_betas)) - stats.beta.cdf(lo, alpha, np.exp(log_betas)) - mass
        out = []
        for i in np.flatnonzero(np.sign(gap[:-1]) * np.sign(gap[1:]) < 0):
            f = lambda lb: stats.beta.cdf(hi, alpha, math.exp(lb)) - stats.beta.cdf(lo, alpha, math.exp(lb)) - mass  # noqa: E731
            out.append(math.exp(optimize.brentq(f, log_betas[i], log_betas[i + 1], xtol=1e-13)))
        return out

    def best_on(log_alphas, log_betas):
        best = (-math.inf, None, None)
        for la in log_alphas:
            a = math.exp(la)
            for b in roots_for(a, log_betas):
                h = float(stats.beta(a, b).entropy())
                if h > best[0]:
                    best = (h, a, b)
        return best

    coarse = np.linspace(-3, 11, 281)
    _, a, b = best_on(coarse, np.linspace(-3, 15, 721))
    step = coarse[1] - coarse[0]
    near_b = np.log(b) + np.linspace(-3 * step - 0.5, 3 * step + 0.5, 241)
    return best_on(np.linspace(math.log(a) - step, math.log(a) + step, 161), near_b)


# PreliZ 0.28 stops at a smaller entropy on the first three (issue 10); the rest are a spread of
# interval widths, locations near 0 and 1, and masses.
MAXENT_TABLE = [
    (0.001, 0.01, 0.9),
    (0.001, 0.01, 0.95),
    (0.0001, 0.001, 0.9),
    (0.01, 0.2, 0.9),
    (0.3, 0.7, 0.5),
    (0.6, 0.99, 0.8),
    (0.45, 0.55, 0.99),
    (0.05, 0.3, 0.9),
    (0.9, 0.999, 0.9),
    (0.2, 0.25, 0.5),
    (0.001, 0.1, 0.9),
]


@pytest.mark.parametrize(("lo", "hi", "mass"), MAXENT_TABLE)
def test_is_the_maximum_entropy_beta_by_brute_force(lo, hi, mass):
    b = elicit_beta(lo, hi, mass)
    assert b.mass == pytest.approx(mass, abs=1e-8) and b.warning == ""
    assert b.mass == pytest.approx(_mass_by_quadrature(b.alpha, b.beta, lo, hi), abs=1e-8)
    assert b.entropy == pytest.approx(float(stats.beta(b.alpha, b.beta).entropy()), abs=1e-9)
    h_brute, a_brute, b_brute = _brute_force_maxent(lo, hi, mass)
    # No Beta on the constraint has more entropy (up to the brute force's own grid resolution) ...
    assert b.entropy >= h_brute - 1e-6, (b.alpha, b.beta, b.entropy, a_brute, b_brute, h_brute)
    # ... and it is the same Beta, not another one on a different branch.
    assert b.alpha == pytest.approx(a_brute, rel=2e-3) and b.beta == pytest.approx(b_brute, rel=2e-3)


def test_issue_case_beats_preliz():
    b = elicit_beta(0.001, 0.01, 0.9)
    assert b.alpha == pytest.approx(3.3193, rel=1e-4) and b.beta == pytest.approx(591.81, rel=1e-4)
    assert b.entropy == pytest.approx(-4.48014, abs=1e-5)
    assert b.preliz is not None and b.entropy > b.preliz["entropy"]
    assert "above PreliZ's answer" in b.method


@pytest.mark.parametrize(
    ("a", "b"),
    [(1.0, 1.0), (0.5, 0.5), (3.3193, 591.81), (12.0, 1e6), (1e5, 1e5), (1e12, 3e12), (2.67, 4.86e149), (1e4, 0.3), (1e300, 1e300)],
)
def test_beta_entropy_matches_mpmath_at_any_shape(a, b):
    # The closed form cancels terms of size b ln b: for Beta(2.67, 4.86e149), as PreliZ fits [1e-155, 1e-149],
    # it gave 0 (the truth is -342.89), and "entropy 0 nats, the largest of any Beta" was printed.
    import mpmath as mp

    from beliefs.elicitation import beta_entropy

    with mp.workdps(60 + int(mp.log10(a + b + 10))):
        x, y = mp.mpf(a), mp.mpf(b)
        ref = mp.loggamma(x) + mp.loggamma(y) - mp.loggamma(x + y) - (x - 1) * mp.psi(0, x) - (y - 1) * mp.psi(0, y)
        ref += (x + y - 2) * mp.psi(0, x + y)
    assert beta_entropy(a, b) == pytest.approx(float(ref), rel=1e-14, abs=1e-14)
