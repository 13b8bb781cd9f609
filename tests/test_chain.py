"""Chain of successors: exact forms, the drifting-survival Monte Carlo, and the PyMC models.

Oracles: direct products (point survival), quadrature against the Beta pdf
(mean, conjugate update), the Beta cdf and Monte Carlo draws (quantiles),
nested quadrature (drifting survival with few steps), and NumPy vs PyMC.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, special, stats

from beliefs.chain import (
    DriftPrior,
    beta_power_mean,
    chain_curve,
    chain_drift_curve,
    chain_drift_draws,
    chain_success,
)
from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from tests.mcse import Z_MAX, z_score

probabilities = st.floats(0.0, 1.0, allow_nan=False)
shapes = st.floats(0.05, 500.0, allow_nan=False)


# -- point survival ---------------------------------------------------------------


@pytest.mark.parametrize(("steps", "quoted"), [(10, 0.817), (35, 0.493), (100, 0.133)])
def test_quoted_numbers(steps, quoted):
    # claims.md section 4 rounds to three decimals.
    assert abs(chain_success(1.0, steps, per_step=0.98).p_success - quoted) < 5e-4


@given(base=probabilities, s=probabilities, steps=st.integers(0, 60))
def test_point_equals_direct_product(base, s, steps):
    expected = base * math.prod([s] * steps)  # math.prod of [] is 1: nothing to survive
    r = chain_success(base, steps, per_step=s)
    assert r.p_success == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert r.median == r.p_success and r.interval == (r.p_success, r.p_success)


def test_zero_steps_and_zero_survival():
    assert chain_success(0.7, 0, per_step=0.0).p_success == 0.7  # 0**0 = 1, no NaN
    assert chain_success(0.7, 1, per_step=0.0).p_success == 0.0
    assert chain_success(0.0, 5, per_step=1.0).p_success == 0.0
    beta_zero = chain_success(0.7, 0, per_step_beta=(2, 3))
    assert (beta_zero.p_success, beta_zero.median, *beta_zero.interval) == pytest.approx([0.7] * 4, rel=1e-15)
    assert chain_success(0.0, 10, per_step_beta=(2, 3)).to_dict()["interval"] == [0.0, 0.0]


@given(base=probabilities, s1=probabilities, s2=probabilities, n=st.integers(0, 200))
def test_point_monotone_in_steps_and_survival(base, s1, s2, n):
    lo, hi = sorted((s1, s2))
    assert chain_success(base, n, per_step=lo).p_success <= chain_success(base, n, per_step=hi).p_success
    now, later = chain_success(base, n, per_step=s1), chain_success(base, n + 1, per_step=s1)
    assert later.p_success <= now.p_success
    assert 0.0 <= later.p_success <= base


# -- Beta on a common survival ------------------------------------------------------


BETA_CASES = [  # (alpha, beta, steps)
    (98.0, 2.0, 35),
    (2.0, 3.0, 1),
    (0.5, 0.5, 7),
    (20.0, 1.0, 100),
    (0.3, 4.0, 3),
    (400.0, 8.0, 1000),
]


@pytest.mark.parametrize(("a", "b", "n"), BETA_CASES)
def test_beta_mean_matches_quadrature(a, b, n):
    # E[s^n] = integral of s^n Beta(s; a, b) ds, computed without the Beta-function identity.
    log_norm = special.betaln(a, b)
    value, _ = integrate.quad(
        lambda s: math.exp((a + n - 1) * math.log(s) + (b - 1) * math.log1p(-s) - log_norm),
        0,
        1,
        epsabs=0,
        epsrel=1e-12,
        limit=400,
        points=[a / (a + b)],
    )
    r = chain_success(0.8, n, per_step_beta=(a, b))
    assert r.p_success == pytest.approx(0.8 * value, rel=1e-9)


@pytest.mark.parametrize(("a", "b", "n"), BETA_CASES)
def test_beta_quantiles_invert_the_cdf(a, b, n):
    r = chain_success(1.0, n, per_step_beta=(a, b), interval=0.8)
    # P(s^n <= x) = P(s <= x^(1/n)) = I_{x^(1/n)}(a, b): the returned points must sit at 10%, 50%, 90%.
    for x, level in ((r.interval[0], 0.1), (r.median, 0.5), (r.interval[1], 0.9)):
        assert special.betainc(a, b, x ** (1 / n)) == pytest.approx(level, abs=1e-9)


@pytest.mark.parametrize(("a", "b", "n"), BETA_CASES[:4])
def test_beta_against_monte_carlo(a, b, n):
    rng = np.random.default_rng(20260101)
    draws = 0.6 * rng.beta(a, b, 400_000) ** n
    r = chain_success(0.6, n, per_step_beta=BetaDist(a, b))
    se = draws.std(ddof=1) / math.sqrt(draws.size)
    assert abs(draws.mean() - r.p_success) < 5 * se
    for x, level in ((r.interval[0], 0.05), (r.median, 0.5), (r.interval[1], 0.95)):
        assert abs(np.mean(draws <= x) - level) < 5 * math.sqrt(level * (1 - level) / draws.size)


@pytest.mark.parametrize(("survived", "failed"), [(0, 0), (20, 0), (20, 1), (3, 5)])
def test_observed_steps_match_quadrature_posterior(survived, failed):
    a, b, n = 98.0, 2.0, 35

    # Posterior of s proportional to prior x s^m (1-s)^f; normalize numerically.
    def unnorm(s, k):
        return s ** (a - 1 + survived + k) * (1 - s) ** (b - 1 + failed)

    z, _ = integrate.quad(unnorm, 0, 1, args=(0,), epsabs=0, epsrel=1e-12, limit=200)
    num, _ = integrate.quad(unnorm, 0, 1, args=(n,), epsabs=0, epsrel=1e-12, limit=200)
    r = chain_success(1.0, n, per_step_beta=(a, b), survived=survived, failed=failed)
    assert r.p_success == pytest.approx(num / z, rel=1e-9)
    assert r.posterior_beta == BetaDist(a + survived, b + failed)


def test_beta_mean_in_log_space_for_huge_steps():
    # B(a+n, b)/B(a, b) with n = 1e6 overflows as a ratio of Gammas; in log space it is fine.
    a, b, n = 2.0, 1.0, 10**6
    assert float(beta_power_mean(a, b, n)) == pytest.approx(a / (a + n), rel=1e-12)  # = a / (a + n) exactly


@given(a=shapes, b=shapes, n=st.integers(0, 300), base=probabilities)
def test_beta_summary_properties(a, b, n, base):
    r = chain_success(base, n, per_step_beta=(a, b))
    nxt = chain_success(base, n + 1, per_step_beta=(a, b))
    assert 0.0 <= r.interval[0] <= r.median <= r.interval[1] <= base + 1e-15
    assert 0.0 <= r.p_success <= base + 1e-15
    assert nxt.p_success <= r.p_success * (1 + 1e-12)
    assert nxt.median <= r.median * (1 + 1e-12)
    # Jensen: E[s]^n <= E[s^n] for n >= 1 (x^n is convex on [0, 1]).
    assert (a / (a + b)) ** n * base <= r.p_success * (1 + 1e-9) + 1e-300


@given(a=shapes, b=shapes, extra=st.floats(0.1, 50), n=st.integers(1, 100))
def test_beta_mean_increases_with_alpha(a, b, extra, n):
    # More prior weight on survival cannot lower P(success).
    assert chain_success(1, n, per_step_beta=(a, b)).p_success <= chain_success(
        1, n, per_step_beta=(a + extra, b)
    ).p_success * (1 + 1e-12)


def test_curve_matches_pointwise_results():
    curve = chain_curve(0.9, 40, per_step_beta=(50, 2), survived=5, interval=0.8)
    for n in (0, 1, 17, 40):
        r = chain_success(0.9, n, per_step_beta=(50, 2), survived=5, interval=0.8)
        assert (curve.mean[n], curve.median[n], curve.lower[n], curve.upper[n]) == pytest.approx(
            (r.p_success, r.median, *r.interval), rel=1e-12
        )
    point = chain_curve(1.0, 100, per_step=0.98)
    assert point.mean[[10, 35, 100]] == pytest.approx([0.98**10, 0.98**35, 0.98**100], rel=1e-12)
    assert curve.to_dict()["interval_kind"] == "equal-tailed"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"base": 1.2, "steps": 3, "per_step": 0.9}, "base"),
        ({"base": 0.5, "steps": -1, "per_step": 0.9}, "steps"),
        ({"base": 0.5, "steps": 2.5, "per_step": 0.9}, "steps"),
        ({"base": 0.5, "steps": 3}, "per_step"),
        ({"base": 0.5, "steps": 3, "per_step": 0.9, "per_step_beta": (1, 1)}, "per_step"),
        ({"base": 0.5, "steps": 3, "per_step_beta": (0, 1)}, "per_step_beta alpha"),
        ({"base": 0.5, "steps": 3, "per_step_beta": (1, -2)}, "per_step_beta beta"),
        ({"base": 0.5, "steps": 3, "per_step_beta": (1, 2, 3)}, "per_step_beta"),
        ({"base": 0.5, "steps": 3, "per_step": float("nan")}, "per_step"),
        ({"base": 0.5, "steps": 3, "per_step": 0.9, "survived": 2}, "survived"),
        ({"base": 0.5, "steps": 3, "per_step_beta": (1, 1), "interval": 1.0}, "interval"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(InputError) as info:
        chain_success(**kwargs)
    assert info.value.field == field


# -- drifting survival: NumPy Monte Carlo ------------------------------------------


def test_drift_without_uncertainty_is_the_point_product():
    prior = DriftPrior(mu_mean=special.logit(0.98))
    sims = chain_drift_draws(0.9, 100, prior, draws=50, seed=3)
    assert sims == pytest.approx(np.broadcast_to(0.9 * 0.98 ** np.arange(101.0), sims.shape), rel=1e-12)


def test_deterministic_drift_is_a_product_of_steps():
    prior = DriftPrior(mu_mean=3.0, delta_mean=0.1)
    sims = chain_drift_draws(1.0, 30, prior, draws=10, seed=0)
    expected = np.cumprod(np.concatenate(([1.0], special.expit(3.0 - 0.1 * np.arange(30)))))
    assert sims[0] == pytest.approx(expected, rel=1e-12)


def _drift_mean_by_quadrature(base, n, mu_mean, mu_sd, delta, tau_scale, nodes=80):
    """E[b prod_{i<n} expit(mu - delta i + tau eps_i)], mu ~ N, tau ~ HalfNormal, by tensor-product quadrature.

    Gauss-Hermite for the normal mu and eps_i, Gauss-Legendre on [0, 8 scale] for tau; each
    eps_i is integrated separately given (mu, tau), then the per-step means are multiplied.
    """
    x, w = np.polynomial.hermite_e.hermegauss(nodes)  # weight exp(-x^2/2)
    w = w / math.sqrt(2 * math.pi)
    t, wt = np.polynomial.legendre.leggauss(nodes)
    tau = 4 * tau_scale * (t + 1)  # map [-1, 1] to [0, 8 scale]
    wt = wt * 4 * tau_scale * 2 * stats.norm.pdf(tau, scale=tau_scale)
    mu = mu_mean + mu_sd * x
    step = np.arange(n)
    # axes: mu, tau, step, eps
    inner = special.expit(
        mu[:, None, None, None] - delta * step[None, None, :, None] + tau[None, :, None, None] * x
    ) @ w
    return base * float(w @ (np.prod(inner, axis=2) @ wt))


def test_drift_monte_carlo_matches_quadrature():
    base, n, mu_mean, mu_sd, delta, tau_scale = 0.9, 3, 2.0, 0.6, 0.3, 0.8
    prior = DriftPrior(mu_mean=mu_mean, mu_sd=mu_sd, delta_mean=delta, tau_scale=tau_scale)
    sims = chain_drift_draws(base, n, prior, draws=200_000, seed=11)[:, n]
    exact = _drift_mean_by_quadrature(base, n, mu_mean, mu_sd, delta, tau_scale)
    assert abs(sims.mean() - exact) < 5 * sims.std(ddof=1) / math.sqrt(sims.size)


@given(delta=st.floats(0.0, 0.5), mu=st.floats(-2.0, 6.0), base=probabilities)
def test_drift_curve_decreases_and_is_bounded(delta, mu, base):
    prior = DriftPrior(mu_mean=mu, mu_sd=0.5, delta_mean=delta, delta_sd=0.05, tau_scale=0.3)
    sims = chain_drift_draws(base, 20, prior, draws=200, seed=1)
    assert np.all(np.diff(sims, axis=1) <= 0)
    assert np.all((sims >= 0) & (sims <= base))


def test_positive_drift_lowers_success():
    flat = chain_drift_curve(1.0, 50, DriftPrior(3.9, 0.3), draws=20_000, seed=5)
    decaying = chain_drift_curve(1.0, 50, DriftPrior(3.9, 0.3, delta_mean=0.05), draws=20_000, seed=5)
    assert np.all(decaying.mean[2:] < flat.mean[2:])  # step 0 is not yet affected by the drift
    assert np.all((decaying.lower <= decaying.median) & (decaying.median <= decaying.upper))
    assert decaying.mean[0] == pytest.approx(1.0, rel=1e-12)


def test_drift_same_seed_same_draws():
    prior = DriftPrior(3.0, 0.5, 0.01, 0.01, 0.2)
    a = chain_drift_draws(0.5, 10, prior, draws=100, seed=9)
    assert np.array_equal(a, chain_drift_draws(0.5, 10, prior, draws=100, seed=9))
    assert not np.array_equal(a, chain_drift_draws(0.5, 10, prior, draws=100, seed=10))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mu_mean": float("inf")}, "mu_mean"),
        ({"mu_mean": 1.0, "mu_sd": -1}, "mu_sd"),
        ({"mu_mean": 1.0, "tau_scale": "abc"}, "tau_scale"),
    ],
)
def test_drift_prior_bad_input(kwargs, field):
    with pytest.raises(InputError) as info:
        DriftPrior(**kwargs)
    assert info.value.field == field


# -- PyMC ---------------------------------------------------------------------------
# NUTS estimates are compared with the exact conjugate answers within Z_MAX of the MCSE the fit
# reports (mean: ArviZ mcse; median and interval ends: ArviZ quantile mcse), with fixed seeds.

BETA_CHAIN_CASES = [  # chain_success inputs, sampler seed
    pytest.param({"base": 0.9, "steps": 35, "per_step_beta": (98.0, 2.0), "survived": 20, "failed": 1}, 1,
                 id="Beta(98,2)-35steps-20survived-1failed"),
    pytest.param({"base": 0.5, "steps": 10, "per_step_beta": (4.0, 1.0), "failed": 2}, 2,
                 id="Beta(4,1)-10steps-2failed"),
    pytest.param({"base": 0.6, "steps": 1, "per_step_beta": (2.0, 3.0)}, 3, id="Beta(2,3)-1step"),
]  # fmt: skip
DRIFT = DriftPrior.from_survival(0.98, mu_sd=0.5, delta_mean=0.02, delta_sd=0.01, tau_scale=0.3)


@pytest.mark.slow
@pytest.mark.xdist_group("chain")
@pytest.mark.parametrize(("case", "seed"), BETA_CHAIN_CASES)
def test_beta_chain_nuts_matches_the_conjugate_answer(case, seed):
    from models.chain import sample_beta_chain

    fit = sample_beta_chain(**case, draws=1000, tune=500, chains=2, seed=seed)
    exact = chain_success(**case)
    assert fit.diagnostics.ok, fit.diagnostics.warnings
    assert fit.diagnostics["s"].r_hat <= 1.01 and fit.diagnostics["p_success"].r_hat <= 1.01
    assert fit.to_dict()["p_success"] == fit.mean
    assert z_score(f"chain seed {seed} mean", fit.mean, exact.p_success, fit.mcse) <= Z_MAX
    assert z_score(f"chain seed {seed} median", fit.median, exact.median, fit.median_mcse) <= Z_MAX
    for end, got, want, se in zip(("5%", "95%"), fit.interval, exact.interval, fit.interval_mcse, strict=True):
        assert z_score(f"chain seed {seed} {end}", got, want, se) <= Z_MAX


@pytest.mark.slow
@pytest.mark.xdist_group("chain")
def test_beta_chain_new_inputs_do_not_recompile():
    from models.chain import sample_beta_chain
    from models.sampling import compile_count

    sample_beta_chain(0.9, 5, (9.0, 1.0), draws=50, tune=50, seed=0)
    before = compile_count()
    sample_beta_chain(0.5, 10, (4.0, 1.0), failed=2, draws=50, tune=50, seed=1)
    assert compile_count() == before


@pytest.mark.slow
@pytest.mark.xdist_group("chain")
@pytest.mark.parametrize("steps", [1, 10, 25, 40])
def test_drift_pymc_matches_numpy(steps):
    # Forward draws are independent: the standard error of a difference of means is exact.
    from models.chain import chain_drift_draws_pymc

    a = chain_drift_draws_pymc(0.9, 40, DRIFT, draws=20_000, seed=4)[:, steps]
    b = chain_drift_draws(0.9, 40, DRIFT, draws=100_000, seed=8)[:, steps]
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    assert z_score(f"drift n={steps} mean", a.mean(), b.mean(), se) <= Z_MAX
    # Each NumPy quantile must sit at its level in the PyMC draws, within binomial error.
    for level in (0.05, 0.5, 0.95):
        q = np.quantile(b, level)
        binomial_se = math.sqrt(level * (1 - level) * (1 / a.size + 1 / b.size))
        assert z_score(f"drift n={steps} level {level}", np.mean(a <= q), level, binomial_se) <= Z_MAX


@pytest.mark.slow
@pytest.mark.xdist_group("chain")
def test_drift_pymc_point_case_is_exact():
    from models.chain import chain_drift_draws_pymc

    sims = chain_drift_draws_pymc(0.5, 10, DriftPrior(special.logit(0.9)), draws=5, seed=0)
    assert sims[0] == pytest.approx(0.5 * 0.9 ** np.arange(11.0), rel=1e-12)


# -- the app page: the Beta from mean and concentration is the library's --------------


def test_chain_page_names_its_widgets_when_the_beta_is_impossible():
    # s = 1 with kappa > 0 has no Beta(kappa s, kappa (1 - s)): the page shows the library's error, no traceback.
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    at.query_params.update({"view": "chain", "ch_surv": "1", "ch_conc": "100"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value.startswith("Per-step survival s: got 1.0;") for e in at.error), [e.value for e in at.error]
    assert not at.metric  # nothing shown from the invalid input
