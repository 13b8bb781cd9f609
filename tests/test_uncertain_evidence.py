"""Uncertain evidence: the NumPy Monte Carlo against exact answers, and against the PyMC model.

Oracles: with log-normal ratios the posterior log-odds are exactly
Normal(logit(prior) + sum w mu, sum w^2 sigma^2) (median, interval and
P(> threshold) by scipy.stats.norm, the mean by quadrature); for Beta
conditional probabilities E[ln X] = digamma(a) - digamma(a + b),
Var[ln X] = trigamma(a) - trigamma(a + b), and P(posterior > t) by a
one-dimensional convolution integral.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence
from beliefs.montecarlo import log_beta_draws
from beliefs.uncertain_evidence import evidence_terms, posterior_distribution
from beliefs.update import update
from tests.mcse import Z_MAX, z_score

N = 200_000


def _lognormal_items():
    return [
        Evidence("a", likelihood_ratio=3.0, log_lr_sigma=0.6),
        Evidence("b", likelihood_ratio=0.5, log_lr_sigma=0.3, group="g", discount=0.5),
        Evidence("c", likelihood_ratio=2.0, log_lr_sigma=1.0, group="g", discount=0.5),
        Evidence("d", p_e_given_h=0.9, p_e_given_not_h=0.3),  # a point item
        Evidence("off", likelihood_ratio=1000.0, log_lr_sigma=2.0, enabled=False),
    ]


def _normal_oracle(prior, items):
    on = [e for e in items if e.enabled]
    m = special.logit(prior) + sum(e.discount * e.log_lr for e in on)
    sd = math.sqrt(sum((e.discount * (e.log_lr_sigma or 0.0)) ** 2 for e in on))
    return m, sd


@pytest.mark.parametrize(("prior", "threshold", "interval"), [(0.25, 0.5, 0.9), (0.02, 0.1, 0.8), (0.9, 0.99, 0.5)])
def test_lognormal_matches_the_exact_normal(prior, threshold, interval):
    items = _lognormal_items()
    m, sd = _normal_oracle(prior, items)
    d = posterior_distribution(prior, items, draws=N, seed=42, threshold=threshold, interval=interval)
    # Quantiles in log-odds; SE of a sample quantile is sqrt(u(1-u)/n) / density at it.
    lo_u, hi_u = (1 - interval) / 2, (1 + interval) / 2
    for u, got in ((0.5, d.median), (lo_u, d.interval[0]), (hi_u, d.interval[1])):
        exact = m + sd * stats.norm.ppf(u)
        se = math.sqrt(u * (1 - u) / N) / (stats.norm.pdf(stats.norm.ppf(u)) / sd)
        assert abs(special.logit(got) - exact) < 5 * se
    p_exact = stats.norm.sf((special.logit(threshold) - m) / sd)
    assert abs(d.p_above_threshold - p_exact) < 5 * math.sqrt(p_exact * (1 - p_exact) / N)
    mean_exact, _ = integrate.quad(lambda z: special.expit(m + sd * z) * stats.norm.pdf(z), -12, 12, epsrel=1e-12)
    assert abs(d.mean - mean_exact) < 5 * d.mean_se
    assert d.point_posterior == pytest.approx(update(prior, items).posterior, rel=1e-15)


@pytest.mark.parametrize(("a1", "b1", "a2", "b2", "w"), [(6, 4, 3, 7, 1.0), (0.4, 2.0, 2.0, 0.3, 0.5), (50, 5, 20, 30, 0.8)])
def test_beta_log_ratio_mean_and_variance_are_exact(a1, b1, a2, b2, w):
    e = Evidence(
        "beta", p_e_given_h=a1 / (a1 + b1), p_e_given_not_h=a2 / (a2 + b2),
        p_e_given_h_dist=BetaDist(a1, b1), p_e_given_not_h_dist=BetaDist(a2, b2), discount=w, group="g",
    )
    d = posterior_distribution(0.5, [e], draws=N, seed=3)
    log_lr = d.log_odds / w  # prior log-odds are 0
    mean = special.digamma(a1) - special.digamma(a1 + b1) - special.digamma(a2) + special.digamma(a2 + b2)
    var = special.polygamma(1, a1) - special.polygamma(1, a1 + b1) + special.polygamma(1, a2) - special.polygamma(1, a2 + b2)
    assert np.all(np.isfinite(log_lr))  # tiny shapes would underflow a naive Beta draw to 0
    assert abs(log_lr.mean() - mean) < 5 * math.sqrt(var / N)
    assert log_lr.var(ddof=1) == pytest.approx(var, rel=0.05)


@pytest.mark.parametrize(("threshold", "prior"), [(0.5, 0.5), (0.7, 0.3), (0.2, 0.4)])
def test_beta_threshold_probability_matches_convolution(threshold, prior):
    a1, b1, a2, b2, w = 6.0, 4.0, 3.0, 7.0, 0.7
    e = Evidence("x", p_e_given_h=0.6, p_e_given_not_h=0.3, p_e_given_h_dist=BetaDist(a1, b1),
                 p_e_given_not_h_dist=BetaDist(a2, b2), discount=w, group="g")
    # posterior > t  <=>  w (ln X1 - ln X2) > logit(t) - logit(prior)  <=>  X1 > X2 exp(gap / w)
    ratio = math.exp((special.logit(threshold) - special.logit(prior)) / w)
    exact, _ = integrate.quad(lambda y: stats.beta.pdf(y, a2, b2) * stats.beta.sf(min(1.0, y * ratio), a1, b1),
                              0, 1, epsrel=1e-12, limit=200)
    d = posterior_distribution(prior, [e], draws=N, seed=4, threshold=threshold)
    assert abs(d.p_above_threshold - exact) < 5 * math.sqrt(exact * (1 - exact) / N)


def test_one_beta_and_one_point_probability():
    e = Evidence("x", p_e_given_h=0.8, p_e_given_not_h=0.2, p_e_given_not_h_dist=BetaDist(2, 8))
    d = posterior_distribution(0.5, [e], draws=N, seed=5)
    mean = math.log(0.8) - (special.digamma(2) - special.digamma(10))
    var = special.polygamma(1, 2) - special.polygamma(1, 10)
    assert abs(d.log_odds.mean() - mean) < 5 * math.sqrt(var / N)


@pytest.mark.parametrize(("a", "b"), [(0.05, 1.0), (0.3, 0.2), (3.0, 0.01)])
def test_log_beta_draws_for_tiny_shapes(a, b):
    x = log_beta_draws(np.random.default_rng(1), a, b, N)
    assert np.all(np.isfinite(x)) and np.all(x <= 0)
    mean = special.digamma(a) - special.digamma(a + b)
    var = special.polygamma(1, a) - special.polygamma(1, a + b)
    assert abs(x.mean() - mean) < 5 * math.sqrt(var / N)
    # The cdf at a few points: P(ln X <= ln x) = I_x(a, b).
    for u in (0.1, 0.5, 0.9):
        cut = stats.beta.ppf(u, a, b)
        if 0 < cut < 1:  # Beta(3, 0.01) has its median within 1e-16 of 1: ln X rounds to 0 there
            assert abs(np.mean(x <= math.log(cut)) - u) < 5 * math.sqrt(u * (1 - u) / N)


def test_point_items_only_give_the_point_posterior():
    items = [Evidence("a", likelihood_ratio=3.0), Evidence("b", p_e_given_h=0.2, p_e_given_not_h=0.4)]
    d = posterior_distribution(0.3, items, draws=100, seed=0)
    expected = update(0.3, items).posterior
    assert d.median == pytest.approx(expected, rel=1e-14)
    assert d.interval == pytest.approx((expected, expected), rel=1e-14)
    assert d.uncertain_items == 0


@pytest.mark.parametrize("prior", [0.0, 1.0])
def test_certain_prior_is_explained_not_nan(prior):
    d = posterior_distribution(prior, _lognormal_items(), draws=1000, seed=0, threshold=0.5)
    out = d.to_dict()
    assert out["median"] == prior and out["mean"] == prior and out["interval"] == [prior, prior]
    assert out["p_above_threshold"] == prior
    assert "Cromwell" in out["note"]
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in out.values())


def test_same_seed_same_draws_and_bare_ratios_accepted():
    items = [*_lognormal_items(), 2.0]
    a = posterior_distribution(0.4, items, draws=1000, seed=9)
    assert np.array_equal(a.log_odds, posterior_distribution(0.4, iter(items), draws=1000, seed=9).log_odds)
    assert not np.array_equal(a.log_odds, posterior_distribution(0.4, items, draws=1000, seed=10).log_odds)


@settings(max_examples=40, deadline=None)
@given(
    prior=st.floats(1e-6, 1 - 1e-6),
    lr=st.floats(1e-3, 1e3),
    sigma=st.floats(0.0, 3.0, allow_subnormal=False),  # the schema refuses subnormals (issue 22.14)
    w=st.floats(0.05, 1.0),
    extra=st.floats(1e-3, 1e3),
)
def test_properties(prior, lr, sigma, w, extra):
    items = [Evidence("x", likelihood_ratio=lr, log_lr_sigma=sigma, group="g", discount=w)]
    d = posterior_distribution(prior, items, draws=2000, seed=1)
    # A certain extra item shifts every draw by its log-ratio (same seed, same random terms).
    shifted = posterior_distribution(prior, [*items, Evidence("y", likelihood_ratio=extra)], draws=2000, seed=1)
    assert shifted.log_odds == pytest.approx(d.log_odds + math.log(extra), abs=1e-9)
    q = d.quantiles([0.0, 0.05, 0.5, 0.95, 1.0])
    assert np.all(np.diff(q) >= 0) and np.all((q >= 0) & (q <= 1))
    assert 0.0 <= d.mean <= 1.0 and d.interval[0] <= d.median <= d.interval[1]
    # P(posterior > t) falls as t rises.
    ps = [np.mean(d.log_odds > special.logit(t)) for t in (0.1, 0.5, 0.9)]
    assert ps[0] >= ps[1] >= ps[2]


def test_terms_split():
    t = evidence_terms(0.25, _lognormal_items())
    assert t.sigmas.tolist() == pytest.approx([0.6, 0.15, 0.5])
    assert t.alphas.size == 0 and t.uncertain_items == 3
    # Every centre ln LR (uncertain or not) is in the shift: a: ln 3, b and c: 0.5 (ln 0.5 + ln 2) = 0, d: ln 3.
    assert t.shift == pytest.approx(special.logit(0.25) + 2 * math.log(3), rel=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"prior": -0.1}, "prior"),
        ({"prior": 0.5, "threshold": 1.5}, "threshold"),
        ({"prior": 0.5, "draws": 0}, "draws"),
        ({"prior": 0.5, "draws": 10**9}, "draws"),
        ({"prior": 0.5, "interval": 1.0}, "interval"),
        ({"prior": 0.5, "seed": -1}, "seed"),
    ],
)
def test_bad_input(kwargs, field):
    with pytest.raises(InputError) as info:
        posterior_distribution(evidence=_lognormal_items(), **kwargs)
    assert info.value.field == field


def test_quantile_levels_checked():
    d = posterior_distribution(0.5, _lognormal_items(), draws=100, seed=0)
    with pytest.raises(InputError, match="levels"):
        d.quantiles([0.5, 1.5])


# -- PyMC -------------------------------------------------------------------------------
# The PyMC forward draws are independent, so their Monte Carlo standard errors are exact
# (sd/sqrt(n), binomial for a proportion); every check is within Z_MAX of them, fixed seeds.

MIXED = [
    Evidence("a", likelihood_ratio=3.0, log_lr_sigma=0.6),
    Evidence("b", p_e_given_h=0.6, p_e_given_not_h=0.3, p_e_given_h_dist=BetaDist(6, 4),
             p_e_given_not_h_dist=BetaDist(3, 7), group="g", discount=0.5),
    Evidence("c", p_e_given_h=0.8, p_e_given_not_h=0.2, p_e_given_not_h_dist=BetaDist(2, 8), group="g", discount=0.5),
    Evidence("d", likelihood_ratio=0.7),
]
N_PYMC = 20_000
PYMC_CASES = [  # prior, items, threshold, PyMC seed, NumPy seed
    pytest.param(0.25, MIXED, 0.4, 1, 8, id="mixed-Betas-and-lognormal"),
    pytest.param(0.25, _lognormal_items(), 0.5, 2, 10, id="lognormal-only"),
    pytest.param(0.3, MIXED[:2], 0.5, 3, 9, id="two-items"),
]


@pytest.mark.slow
@pytest.mark.xdist_group("uncertain_evidence")
@pytest.mark.parametrize(("prior", "items", "threshold", "seed", "numpy_seed"), PYMC_CASES)
def test_pymc_agrees_with_numpy(prior, items, threshold, seed, numpy_seed):
    from models.uncertain_evidence import posterior_distribution_pymc

    a = posterior_distribution_pymc(prior, items, draws=N_PYMC, seed=seed, threshold=threshold)
    b = posterior_distribution(prior, items, draws=N, seed=numpy_seed, threshold=threshold)
    assert a.draws == N_PYMC and a.point_posterior == b.point_posterior
    assert z_score(f"evidence seed {seed} mean", a.mean, b.mean, math.hypot(a.mean_se, b.mean_se)) <= Z_MAX
    p_se = math.hypot(a.p_above_threshold_se, b.p_above_threshold_se)
    assert z_score(f"evidence seed {seed} P(>t)", a.p_above_threshold, b.p_above_threshold, p_se) <= Z_MAX
    # The NumPy quantiles must sit at their levels in the PyMC draws, within binomial error.
    for level in (0.05, 0.5, 0.95):
        x = special.logit(b.quantiles(level))
        binomial_se = math.sqrt(level * (1 - level) * (1 / N_PYMC + 1 / N))
        assert z_score(f"evidence seed {seed} level {level}", np.mean(a.log_odds <= x), level, binomial_se) <= Z_MAX


@pytest.mark.slow
@pytest.mark.xdist_group("uncertain_evidence")
def test_pymc_lognormal_matches_the_exact_normal():
    from models.uncertain_evidence import posterior_distribution_pymc

    d = posterior_distribution_pymc(0.25, _lognormal_items(), draws=N_PYMC, seed=2)
    m, sd = _normal_oracle(0.25, _lognormal_items())
    assert z_score("lognormal mean log-odds", d.log_odds.mean(), m, sd / math.sqrt(N_PYMC)) <= Z_MAX
    # Standard error of a normal sample's sd: sd / sqrt(2 (n - 1)).
    assert z_score("lognormal sd", d.log_odds.std(ddof=1), sd, sd / math.sqrt(2 * (N_PYMC - 1))) <= Z_MAX
    p_exact = stats.norm.sf((special.logit(0.5) - m) / sd)
    p_se = math.sqrt(p_exact * (1 - p_exact) / N_PYMC)
    assert z_score("lognormal P(>0.5)", d.p_above_threshold, p_exact, p_se) <= Z_MAX


@pytest.mark.slow
@pytest.mark.xdist_group("uncertain_evidence")
def test_pymc_new_inputs_reuse_the_compiled_function():
    from models.uncertain_evidence import get_forward, posterior_distribution_pymc

    posterior_distribution_pymc(0.25, MIXED, draws=100, seed=1)
    forward = get_forward(True, True)
    calls = forward.calls
    posterior_distribution_pymc(0.3, MIXED[:2], draws=50, seed=3)  # new data, same graph
    assert forward.calls == calls + 1 and get_forward(True, True) is forward


def test_numpy_paths_do_not_import_pymc():
    import subprocess
    import sys

    code = (
        "import sys, beliefs.uncertain_evidence, beliefs.chain, beliefs.monitoring, beliefs.cli.chain_cmd;"
        "print(sorted(m for m in ('pymc', 'pytensor', 'arviz', 'matplotlib', 'streamlit') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("interval", [1.5, 0.0, "wide"])
def test_the_distribution_plot_names_a_bad_interval_mass(interval):
    from beliefs.uncertain_evidence import plot_posterior_distribution

    with pytest.raises(InputError, match=r"^interval: got"):
        plot_posterior_distribution(np.linspace(0.1, 0.9, 50), interval=interval)


def test_the_distribution_plot_marks_the_equal_tailed_interval():
    from beliefs.uncertain_evidence import plot_posterior_distribution
    from tests.chart_checks import colour_scale, rows_of

    samples = np.linspace(0.0, 1.0, 1001)  # quantiles of a uniform: the 5% and 95% levels are 0.05 and 0.95
    spec = plot_posterior_distribution(samples, interval=0.9)
    assert any(name.startswith("90% interval ") for name in colour_scale(spec))
    ((interval,),) = (rows for rows in rows_of(spec, "rect") if rows[0].keys() == {"lo", "hi"})
    assert (interval["lo"], interval["hi"]) == pytest.approx((0.05, 0.95), abs=1e-12)
