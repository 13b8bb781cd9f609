"""Untrusted monitoring: the closed form, Beta uncertainty by Monte Carlo, and the PyMC model.

Oracles: repeated multiplication and 50-digit decimal arithmetic (closed
form), the claims.md formula at c = 0, exact Beta moments (T = 1, 2),
quadrature over a Beta on r, the conjugate Beta for audited q, and NumPy
Monte Carlo vs NUTS.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import integrate, stats

from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.monitoring import monitor_curve, monitor_distribution, monitor_risk, task_grid, unreported_any
from tests.mcse import Z_MAX, z_score

probabilities = st.floats(0.0, 1.0, allow_nan=False)


def _decimal_any(r, q, c, t) -> float:
    """1 - (1 - r(c + (1-c)(1-q)))^T in 50-digit decimal arithmetic (exact inputs, integer power)."""
    with localcontext() as ctx:
        ctx.prec = 50
        r, q, c = Decimal(r), Decimal(q), Decimal(c)
        u = r * (c + (1 - c) * (1 - q))
        return float(1 - (1 - u) ** t)


@pytest.mark.parametrize(
    ("r", "q", "c", "t"),
    [
        (0.01, 0.9, 0.0, 100),
        (1e-3, 0.95, 0.1, 10_000),
        (1e-9, 0.99, 0.0, 10**9),  # tiny rate, huge T: 1 - (1 - u)**T in floats would lose digits
        (1e-12, 0.5, 0.5, 10**6),
        (0.3, 0.0, 0.0, 7),
        (0.2, 1.0, 0.25, 12),
    ],
)
def test_closed_form_matches_high_precision(r, q, c, t):
    assert monitor_risk(r, q, c, tasks=t).p_unreported_any == pytest.approx(_decimal_any(r, q, c, t), rel=1e-12)


@given(r=probabilities, q=probabilities, c=probabilities, t=st.integers(0, 40))
def test_closed_form_matches_repeated_multiplication(r, q, c, t):
    u = r * (c + (1 - c) * (1 - q))
    survive = 1.0
    for _ in range(t):
        survive *= 1 - u
    assert monitor_risk(r, q, c, tasks=t).p_unreported_any == pytest.approx(1 - survive, rel=1e-9, abs=1e-12)


@given(r=probabilities, q=probabilities, t=st.integers(0, 10**6))
def test_no_collusion_reduces_to_the_claim(r, q, t):
    claim = 1 - (1 - r * (1 - q)) ** t  # claims.md section 5
    assert monitor_risk(r, q, tasks=t).p_unreported_any == pytest.approx(claim, rel=1e-9, abs=1e-9)


def test_edge_cases_give_numbers_not_nan():
    assert monitor_risk(1.0, 0.0, tasks=0).p_unreported_any == 0.0  # no tasks, nothing unreported
    assert monitor_risk(1.0, 0.0, tasks=1).p_unreported_any == 1.0
    assert monitor_risk(1.0, 0.3, 1.0, tasks=5).p_unreported_any == 1.0  # colluding monitor never reports
    assert monitor_risk(0.0, 0.0, tasks=10**9).p_unreported_any == 0.0
    assert monitor_risk(0.5, 1.0, 0.0, tasks=10**9).p_unreported_any == 0.0  # perfect honest monitor
    assert monitor_risk(0.2, 0.9, 1.0, tasks=3).p_unreported_any == pytest.approx(1 - 0.8**3, rel=1e-14)
    out = monitor_risk(1e-3, 0.95, 0.1, tasks=10_000).to_dict()
    assert out["expected_unreported"] == pytest.approx(10_000 * 1e-3 * (0.1 + 0.9 * 0.05), rel=1e-12)


@given(r=probabilities, q1=probabilities, q2=probabilities, c=probabilities, t=st.integers(0, 10**7))
@example(r=1.0, q1=0.0, q2=0.0, c=0.0, t=0)
def test_monotone_and_bounded(r, q1, q2, c, t):
    lo, hi = sorted((q1, q2))
    p = monitor_risk(r, lo, c, tasks=t).p_unreported_any
    assert 0.0 <= p <= 1.0
    assert monitor_risk(r, hi, c, tasks=t).p_unreported_any <= p  # a better monitor never hurts
    assert monitor_risk(r, lo, c, tasks=t + 1).p_unreported_any >= p  # more tasks never help


@given(r1=probabilities, r2=probabilities, c1=probabilities, c2=probabilities, q=probabilities,
       t=st.integers(0, 1000))
def test_monotone_in_rate_and_collusion(r1, r2, c1, c2, q, t):
    (ra, rb), (ca, cb) = sorted((r1, r2)), sorted((c1, c2))
    assert monitor_risk(ra, q, ca, tasks=t).p_unreported_any <= monitor_risk(rb, q, ca, tasks=t).p_unreported_any
    assert monitor_risk(ra, q, ca, tasks=t).p_unreported_any <= (
        monitor_risk(ra, q, cb, tasks=t).p_unreported_any * (1 + 1e-12) + 1e-300
    )


def test_curve_matches_pointwise():
    curve = monitor_curve(1e-3, 0.9, 0.05, max_tasks=100_000)
    assert curve.tasks[0] == 0 and curve.tasks[-1] == 100_000
    assert np.all(np.diff(curve.tasks) > 0) and np.all(np.diff(curve.mean) >= 0)
    for i in (0, 50, len(curve.tasks) - 1):
        t = int(curve.tasks[i])
        assert curve.mean[i] == pytest.approx(monitor_risk(1e-3, 0.9, 0.05, tasks=t).p_unreported_any, rel=1e-12)
    assert task_grid(10).tolist() == list(range(11))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"rate": -0.1, "report": 0.5, "tasks": 3}, "rate"),
        ({"rate": 0.1, "report": 1.5, "tasks": 3}, "report"),
        ({"rate": 0.1, "report": 0.5, "collusion": float("nan"), "tasks": 3}, "collusion"),
        ({"rate": 0.1, "report": 0.5, "tasks": -1}, "tasks"),
        ({"rate": 0.1, "report": 0.5, "tasks": 2.5}, "tasks"),
        ({"rate": "ten", "report": 0.5, "tasks": 2}, "rate"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(InputError) as info:
        monitor_risk(**kwargs)
    assert info.value.field == field


# -- Beta uncertainty: NumPy Monte Carlo ------------------------------------------------


@pytest.mark.parametrize(("a", "b", "q", "c", "t"), [(2, 200, 0.9, 0.05, 100), (1, 9, 0.5, 0.0, 3), (0.5, 50, 0.99, 0.2, 1000)])
def test_rate_beta_matches_quadrature(a, b, q, c, t):
    k = c + (1 - c) * (1 - q)
    exact, _ = integrate.quad(
        lambda r: -math.expm1(t * math.log1p(-r * k)) * stats.beta.pdf(r, a, b), 0, 1,
        epsabs=0, epsrel=1e-11, limit=400, points=[a / (a + b)],
    )
    d = monitor_distribution(BetaDist(a, b), q, c, tasks=t, draws=200_000, seed=7)
    assert abs(d.mean - exact) < 5 * d.mean_se
    # Exact quantiles: u = k r with r ~ Beta, and 1 - (1 - u)^T increases with u.
    for level in (0.05, 0.5, 0.95):
        x = -math.expm1(t * math.log1p(-k * stats.beta.ppf(level, a, b)))
        assert abs(np.mean(d.p_any <= x) - level) < 5 * math.sqrt(level * (1 - level) / d.draws)
    lo, hi = d.interval
    assert abs(np.mean(d.p_any <= lo) - 0.05) < 0.005 and abs(np.mean(d.p_any <= hi) - 0.95) < 0.005


def _beta_moments(a, b):
    return a / (a + b), a * (a + 1) / ((a + b) * (a + b + 1))


def test_three_betas_match_exact_moments():
    # With independent r, q, c: T = 1 gives E[u]; T = 2 gives 2 E[u] - E[u^2], all from Beta moments.
    (ar, br), (aq, bq), (ac, bc) = (3, 60), (18, 2), (1, 9)
    r1, r2 = _beta_moments(ar, br)
    q1, q2 = _beta_moments(aq, bq)
    n1, n2 = _beta_moments(bc, ac)  # 1 - c ~ Beta(bc, ac)
    k1 = 1 - q1 * n1  # k = 1 - q (1 - c)
    k2 = 1 - 2 * q1 * n1 + q2 * n2
    exact = {1: r1 * k1, 2: 2 * r1 * k1 - r2 * k2}
    for t, value in exact.items():
        d = monitor_distribution((ar, br), (aq, bq), (ac, bc), tasks=t, draws=400_000, seed=t)
        assert abs(d.mean - value) < 5 * d.mean_se


def test_monitor_curve_reuses_the_draws():
    d = monitor_distribution((2, 200), (18, 2), (1, 9), tasks=150, draws=50_000, seed=3)
    curve = d.curve(199)  # 200 points or fewer: every task count 0..199
    assert curve.tasks.tolist() == list(range(200))
    i = 150
    assert curve.mean[i] == pytest.approx(d.mean, rel=1e-12)
    assert (curve.lower[i], curve.median[i], curve.upper[i]) == pytest.approx((*d.interval[:1], d.median, d.interval[1]))
    assert np.all(np.diff(curve.mean) >= 0) and curve.mean[0] == 0.0
    assert np.all((curve.lower <= curve.median) & (curve.median <= curve.upper))


def test_point_inputs_reduce_to_closed_form():
    d = monitor_distribution(0.01, 0.9, 0.1, tasks=100, draws=10, seed=0)
    exact = monitor_risk(0.01, 0.9, 0.1, tasks=100).p_unreported_any
    assert d.mean == pytest.approx(exact, rel=1e-14) and d.interval == pytest.approx((exact, exact), rel=1e-14)
    assert d.to_dict()["rate"] == 0.01


def test_vectorized_closed_form_handles_certain_rows():
    p = unreported_any(np.array([1.0, 1.0, 0.5]), 0.0, 0.0, np.array([0, 3, 2]))
    assert p.tolist() == [0.0, 1.0, 0.75]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"rate": (0, 1), "report": 0.5, "tasks": 3}, "rate alpha"),
        ({"rate": 0.1, "report": (1, 2, 3), "tasks": 3}, "report"),
        ({"rate": 0.1, "report": 0.5, "tasks": 3, "draws": 1}, "draws"),
        ({"rate": 0.1, "report": 0.5, "tasks": 3, "interval": 0}, "interval"),
    ],
)
def test_distribution_bad_input(kwargs, field):
    with pytest.raises(InputError) as info:
        monitor_distribution(**kwargs)
    assert info.value.field == field


# -- PyMC -------------------------------------------------------------------------------
# NUTS against an independent answer within Z_MAX standard errors, with fixed seeds: the fit's
# reported MCSE combined with the reference's own error (0 for quadrature; sd/sqrt(n) for NumPy
# Monte Carlo, whose 10^6 independent draws make it small beside the MCSE).

REFERENCE_DRAWS = 1_000_000


def _rate_only_quadrature():
    k = 0.5  # c = 0, q = 0.5
    exact, _ = integrate.quad(lambda r: (1 - (1 - r * k) ** 3) * stats.beta.pdf(r, 1, 9), 0, 1, epsrel=1e-12)
    return exact, 0.0


def _numpy_reference(rate, report, collusion, tasks, seed):
    d = monitor_distribution(rate, report, collusion, tasks=tasks, draws=REFERENCE_DRAWS, seed=seed)
    return d.mean, d.mean_se


MONITORING_CASES = [  # sample_monitoring inputs, sampler seed, reference -> (mean, its standard error)
    pytest.param(
        {"rate": (2.0, 200.0), "report": (18.0, 2.0), "collusion": (1.0, 9.0), "tasks": 100}, 1,
        lambda: _numpy_reference((2.0, 200.0), (18.0, 2.0), (1.0, 9.0), 100, seed=5), id="three-Betas",
    ),
    pytest.param(
        # 40 of 50 planted actions reported: q's Beta(18, 2) becomes the conjugate Beta(58, 12).
        {"rate": (2.0, 200.0), "report": (18.0, 2.0), "collusion": 0.0, "tasks": 100, "audited": 50, "reported": 40}, 2,
        lambda: _numpy_reference((2.0, 200.0), (18.0 + 40, 2.0 + 10), 0.0, 100, seed=6), id="audited-report",
    ),
    pytest.param(
        {"rate": (1.0, 9.0), "report": 0.5, "collusion": 0.0, "tasks": 3}, 3, _rate_only_quadrature, id="rate-only",
    ),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.xdist_group("monitoring")
@pytest.mark.parametrize(("case", "seed", "reference"), MONITORING_CASES)
def test_nuts_matches_an_independent_answer(case, seed, reference):
    from models.monitoring import sample_monitoring

    fit = sample_monitoring(**case, draws=1500, tune=500, seed=seed)
    assert fit.diagnostics.ok, fit.diagnostics.warnings
    assert fit.diagnostics.max_r_hat <= 1.01
    assert fit.to_dict()["p_unreported_any"] == fit.mean
    mean, se = reference()
    assert z_score(f"monitoring seed {seed} mean", fit.mean, mean, math.hypot(fit.mcse, se)) <= Z_MAX


@pytest.mark.slow
@pytest.mark.xdist_group("monitoring")
def test_nuts_interval_matches_numpy_quantiles():
    import arviz as az

    from models.monitoring import sample_monitoring

    rate, report, collusion = (2.0, 200.0), (18.0, 2.0), (1.0, 9.0)
    fit = sample_monitoring(rate, report, collusion, tasks=100, draws=1500, tune=500, seed=1)
    d = monitor_distribution(rate, report, collusion, tasks=100, draws=REFERENCE_DRAWS, seed=5)
    for level, got, fit_se, want in zip((0.05, 0.95), fit.interval, fit.interval_mcse, d.interval, strict=True):
        # The reference's quantile error, by the same ArviZ estimator on its independent draws.
        ref_se = float(az.mcse(d.p_any.reshape(4, -1), method="quantile", prob=level))
        assert z_score(f"monitoring {level:.0%} quantile", got, want, math.hypot(fit_se, ref_se)) <= Z_MAX


@pytest.mark.slow
@pytest.mark.xdist_group("monitoring")
def test_new_inputs_do_not_recompile_and_audits_need_a_beta():
    from models.monitoring import sample_monitoring
    from models.sampling import compile_count

    sample_monitoring(0.1, (2.0, 8.0), tasks=10, draws=50, tune=50, seed=0)
    before = compile_count()
    sample_monitoring((1.0, 9.0), 0.5, (1.0, 1.0), tasks=3, audited=0, draws=50, tune=50, seed=1)
    assert compile_count() == before
    with pytest.raises(InputError) as info:
        sample_monitoring(0.1, 0.9, tasks=10, audited=5, reported=4)
    assert info.value.field == "audited"


# -- the app page: the Beta from mean and concentration is the library's --------------


def test_monitoring_page_names_its_widgets_when_the_beta_is_impossible():
    # r = 0 with kappa > 0 has no Beta(kappa r, kappa (1 - r)): the page shows the library's error, no traceback.
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    at.query_params.update({"view": "monitoring", "mo_rate": "0", "mo_conc": "50"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any(e.startswith("Covert-action rate r per task: got 0.0;") for e in errors), errors
    assert not at.metric
