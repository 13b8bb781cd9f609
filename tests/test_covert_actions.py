"""Covert-action models checked against independent answers.

Oracles used:
- direct numerical integration (``scipy.integrate.quad``) of Binomial x Beta for the
  beta-binomial marginal, and algebraic identities (normalisation, additivity, symmetry);
- the closed-form single-shared-rate marginal as the limit kappa -> infinity of
  partial pooling, and plain Monte Carlo over the hyperprior for the quadrature;
- exact / quadrature values for MCMC, within 4 MCSE (z_vs_exact, on the log-odds scale, and on the
  probability scale) with r_hat <= 1.01, including dominated cases (P(H | D) 1e-6..1e-3 or 1 - that);
- the conjugate Beta posterior and Monte Carlo from two conjugate Betas for before/after.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from beliefs import counts, datasets
from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.io import catalogue
from beliefs.odds import probability
from beliefs.partial_pooling import KappaPrior, log_marginal_partial_pooling
from models import before_after as ba
from models import counts as mc
from models.sampling import compile_count, summarize_draws
from tests.mcse import Z_MAX, z_score


# ---------------------------------------------------------------------------
# Beta-binomial marginal and the exact no-pooling Bayes factor
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("k", "n", "a", "b"),
    [(0, 1, 1.0, 1.0), (3, 10, 2.0, 5.0), (0, 50, 0.5, 0.5), (17, 40, 1.0, 99.0), (40, 40, 3.0, 0.7)],
)
def test_beta_binomial_matches_quadrature(k, n, a, b):
    def integrand(theta):
        return stats.binom.pmf(k, n, theta) * stats.beta.pdf(theta, a, b)

    # Split at the binomial mode so quad sees the peak; singular Beta ends are integrable.
    mode = k / n
    pts = [p for p in (mode,) if 0 < p < 1]
    direct, _ = integrate.quad(integrand, 0, 1, points=pts or None, epsabs=1e-14, epsrel=1e-12, limit=200)
    assert math.exp(counts.log_beta_binomial(k, n, a, b)) == pytest.approx(direct, rel=1e-9, abs=1e-13)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 60),
    a=st.floats(0.05, 50),
    b=st.floats(0.05, 50),
)
def test_beta_binomial_sums_to_one(n, a, b):
    total = np.exp(special.logsumexp(counts.log_beta_binomial(np.arange(n + 1), n, a, b)))
    assert total == pytest.approx(1.0, abs=1e-10)


def test_hand_worked_no_pooling():
    # One rollout, no covert action: P(k=0) = b/(a+b): 1/2 under Beta(1,1), 9/10 under Beta(1,9).
    r = counts.exact_no_pooling([0], [1], 0.5, (1, 1), (1, 9))
    assert r.bayes_factor == pytest.approx((1 / 2) / (9 / 10), rel=1e-12)
    assert r.posterior == pytest.approx((5 / 9) / (1 + 5 / 9), rel=1e-12)
    assert r.bits == pytest.approx(math.log2(5 / 9), rel=1e-12)
    assert r.log10_bayes_factor == pytest.approx(math.log10(5 / 9), rel=1e-12)


def test_no_pooling_is_product_of_quadratures():
    k, n = [2, 0, 5], [20, 15, 30]
    bh, bn = (2.0, 8.0), (1.0, 49.0)

    def marginal(kj, nj, a, b):
        val, _ = integrate.quad(
            lambda t: stats.binom.pmf(kj, nj, t) * stats.beta.pdf(t, a, b), 0, 1, epsabs=1e-14, epsrel=1e-12, limit=200
        )
        return val

    bf = np.prod([marginal(kj, nj, *bh) / marginal(kj, nj, *bn) for kj, nj in zip(k, n, strict=True)])
    r = counts.exact_no_pooling(k, n, 0.3, bh, bn)
    assert r.bayes_factor == pytest.approx(bf, rel=1e-8)
    odds = 0.3 / 0.7 * bf
    assert r.posterior == pytest.approx(odds / (1 + odds), rel=1e-8)


counts_strategy = st.lists(
    st.tuples(st.integers(0, 200), st.integers(0, 200)).map(lambda t: (min(t), max(t))), min_size=1, max_size=8
)
beta_strategy = st.tuples(st.floats(0.1, 30), st.floats(0.1, 30))


@settings(max_examples=60, deadline=None)
@given(data=counts_strategy, split=st.integers(0, 8), bh=beta_strategy, bn=beta_strategy)
@example(data=[(0, 0)], split=0, bh=(1.0, 1.0), bn=(1.0, 9.0))
def test_log_bayes_factor_additive_over_environments(data, split, bh, bn):
    k = [d[0] for d in data]
    n = [d[1] for d in data]
    whole = counts.exact_no_pooling(k, n, 0.5, bh, bn).log_bayes_factor
    s = min(split, len(k))
    parts = 0.0
    if s:
        parts += counts.exact_no_pooling(k[:s], n[:s], 0.5, bh, bn).log_bayes_factor
    if s < len(k):
        parts += counts.exact_no_pooling(k[s:], n[s:], 0.5, bh, bn).log_bayes_factor
    assert whole == pytest.approx(parts, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(data=counts_strategy, bh=beta_strategy, bn=beta_strategy, prior=st.floats(0.001, 0.999))
def test_swapping_hypotheses_negates_evidence(data, bh, bn, prior):
    k = [d[0] for d in data]
    n = [d[1] for d in data]
    r1 = counts.exact_no_pooling(k, n, prior, bh, bn)
    r2 = counts.exact_no_pooling(k, n, 1 - prior, bn, bh)
    assert r1.log_bayes_factor == pytest.approx(-r2.log_bayes_factor, abs=1e-9)
    assert r1.posterior == pytest.approx(1 - r2.posterior, abs=1e-9)
    same = counts.exact_no_pooling(k, n, prior, bh, bh)
    assert same.log_bayes_factor == 0.0 and same.posterior == pytest.approx(prior, abs=1e-15)


@pytest.mark.parametrize("prior", [0.0, 1.0])
def test_certain_prior_is_explained_not_nan(prior):
    r = counts.exact_no_pooling([5], [10], prior, (1, 1), (1, 99))
    assert r.posterior == prior
    assert "no finite likelihood ratio can move them (Cromwell's rule)" in r.note
    m = mc.mcmc_no_pooling([5], [10], prior, (1, 1), (1, 99))
    assert m.posterior == prior and not m.sampled


def test_huge_counts_stay_finite():
    r = counts.exact_no_pooling([5000] * 50, [10000] * 50, 0.01, (1, 1), (1, 99))
    assert math.isfinite(r.log_bayes_factor) and r.log_bayes_factor > 1000
    assert r.posterior == 1.0 and not math.isnan(r.posterior)
    assert r.bayes_factor == math.inf  # overflows as a float; the log form carries the value


@pytest.mark.parametrize(
    ("k", "n", "field"),
    [
        ([5], [3], r"k\[0\].*cannot exceed"),
        (["1.5"], [3], r"k\[0\].*whole number"),
        ([1, 2], [3], r"n: .*one rollout count per environment"),
        ([1], [0], r"k\[0\].*<= n\[0\] = 0"),
        ([-1], [3], r"k\[0\].*whole number >= 0"),
        ("", "3", r"k: .*comma-separated"),
        ("1,,2", "3,3,3", r"k: .*comma-separated"),
        (["nan"], [3], r"k\[0\]"),
    ],
)
def test_bad_counts(k, n, field):
    with pytest.raises(InputError, match=field):
        counts.exact_no_pooling(k, n, 0.5, (1, 1), (1, 1))


@pytest.mark.parametrize(
    ("prior", "bh", "match"),
    [
        (1.5, (1, 1), "prior"),
        (-0.1, (1, 1), "prior"),
        (math.nan, (1, 1), "prior"),
        ("inf", (1, 1), "prior"),
        (0.5, (0, 1), "rate_if_h alpha"),
        (0.5, (1, -2), "rate_if_h beta"),
        (0.5, (1, math.inf), "rate_if_h beta"),
        (0.5, "1,2,3", "rate_if_h"),
    ],
)
def test_bad_prior_or_beta(prior, bh, match):
    with pytest.raises(InputError, match=match):
        counts.exact_no_pooling([1], [2], prior, bh, (1, 1))


# ---------------------------------------------------------------------------
# Partial pooling: quadrature against independent answers
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(("kappa0", "rate"), [(5.0, (2.0, 20.0)), (40.0, (1.0, 9.0))])
def test_quadrature_fixed_kappa_limit_matches_1d_quad(kappa0, rate):
    # With ln kappa pinned (sd 1e-4) the double integral is a 1-D integral over mu, computed here
    # directly in mu (no CDF substitution, no cubature) with scipy.integrate.quad.
    k, n = np.array([2, 5, 0]), np.array([30, 40, 25])
    a, b = rate

    def integrand(mu):
        ll = counts.log_beta_binomial(k, n, mu * kappa0, (1 - mu) * kappa0).sum()
        return math.exp(ll) * stats.beta.pdf(mu, a, b)

    direct, _ = integrate.quad(integrand, 0, 1, points=[k.sum() / n.sum()], epsabs=0, epsrel=1e-11, limit=200)
    log_m, rel_err = log_marginal_partial_pooling(k, n, BetaDist(a, b), KappaPrior(median=kappa0, log_sd=1e-4))
    assert rel_err < 1e-6
    assert log_m == pytest.approx(math.log(direct), abs=1e-6)


@pytest.mark.parametrize(
    ("k", "n", "rate", "kappa"),
    [
        ([1, 0], [10, 8], (1.0, 9.0), (10.0, 1.5)),
        ([3, 0, 1], [12, 10, 6], (2.0, 3.0), (4.0, 1.0)),
        ([0, 0, 4], [5, 7, 9], (0.7, 5.0), (20.0, 0.8)),
    ],
)
def test_quadrature_matches_monte_carlo(k, n, rate, kappa):
    rng = np.random.default_rng(20250915)
    draws = 400_000
    mu = rng.beta(*rate, size=draws)
    kap = np.exp(math.log(kappa[0]) + kappa[1] * rng.standard_normal(draws))
    k_arr, n_arr = np.array(k), np.array(n)
    log_lik = counts.log_beta_binomial(k_arr[None, :], n_arr[None, :], (mu * kap)[:, None], ((1 - mu) * kap)[:, None]).sum(1)
    lik = np.exp(log_lik)
    mc, se = lik.mean(), lik.std(ddof=1) / math.sqrt(draws)
    log_q, rel_err = log_marginal_partial_pooling(k_arr, n_arr, BetaDist(*rate), KappaPrior(*kappa))
    assert rel_err < 1e-6
    assert abs(math.exp(log_q) - mc) <= 4 * se
    assert se / mc < 0.01  # the oracle itself is precise enough to fail a wrong answer


def test_quadrature_posterior_consistent_with_marginals():
    k, n = [4, 6], [20, 25]
    q = counts.quadrature_partial_pooling(k, n, 0.25, (2, 8), (1, 19))
    lh, _ = log_marginal_partial_pooling(np.array(k), np.array(n), BetaDist(2, 8), KappaPrior())
    ln, _ = log_marginal_partial_pooling(np.array(k), np.array(n), BetaDist(1, 19), KappaPrior())
    odds = 0.25 / 0.75 * math.exp(lh - ln)
    assert q.posterior == pytest.approx(odds / (1 + odds), rel=1e-12)
    assert q.method == "quadrature" and q.quadrature_rel_error < 1e-6


def test_partial_pooling_identical_hypotheses_no_evidence():
    q = counts.quadrature_partial_pooling([3, 1], [10, 10], 0.4, (2, 8), (2, 8))
    assert q.log_bayes_factor == pytest.approx(0.0, abs=1e-9)


# ---------------------------------------------------------------------------
# MCMC against the exact answers (fit once per module)
# ---------------------------------------------------------------------------
NO_POOLING_CASES = [
    # (k, n, prior, rate_if_h, rate_if_not_h); all with 3 environments so one compiled model serves them.
    ([1, 0, 3], [10, 12, 20], 0.25, (1, 9), (1, 99)),
    ([0, 0, 0], [5, 5, 0], 0.5, (1, 4), (1, 19)),
    ([2, 1, 1], [8, 3, 4], 0.1, (2, 2), (1, 9)),
    # Well-separated rate priors and an undecided posterior (0.45): a single shared theta cannot mix here.
    ([3, 3, 3], [50, 50, 50], 0.5, (10, 90), (4, 96)),
]
PARTIAL_CASES = [
    ([1, 0, 3], [10, 12, 20], 0.25, (1, 9), (1, 99)),
    ([4, 6], [20, 25], 0.5, (2, 8), (1, 19)),
    ([0, 1, 0], [30, 30, 30], 0.3, (1, 9), (1, 99)),
]
MCMC_DRAWS = dict(draws=2000, tune=1000, chains=2)  # 2 x 2000: split R-hat of the indicator below 1.01 reliably


def _assert_within_mcse(m, exact, z_max=Z_MAX):
    """The MCMC estimate is within ``z_max`` MCSE of the exact answer, and says so itself."""
    print(f"|z| vs exact: {abs(m.z_vs_exact):.2f}")  # shown with -s or -rP (tests/mcse.py)
    assert m.z_vs_exact is not None and abs(m.z_vs_exact) <= z_max, (m.z_vs_exact, m.posterior, exact.posterior)
    assert abs(m.posterior - exact.posterior) <= z_max * m.mcse, (m.posterior, m.mcse, exact.posterior)
    assert abs(m.log_bayes_factor - exact.log_bayes_factor) <= z_max * m.log_bayes_factor_mcse
    # the log-odds shown on the page (exact where the probability rounds to 1): prior log-odds + ln BF
    assert abs(m.posterior_log_odds - exact.log_posterior_odds) <= z_max * m.log_bayes_factor_mcse
    assert m.posterior == pytest.approx(probability(m.posterior_log_odds), rel=1e-12)
    assert m.converged, m.warnings


@pytest.fixture(scope="module")
def no_pooling_fits():
    return [mc.mcmc_no_pooling(*case, seed=7, **MCMC_DRAWS) for case in NO_POOLING_CASES]


@pytest.fixture(scope="module")
def partial_fits():
    return [mc.mcmc_partial_pooling(*case, seed=7, **MCMC_DRAWS) for case in PARTIAL_CASES]


@pytest.mark.slow
@pytest.mark.xdist_group("covert")
class TestMcmcAgainstExact:
    @pytest.mark.parametrize("i", range(len(NO_POOLING_CASES)))
    def test_no_pooling(self, no_pooling_fits, i):
        exact = counts.exact_no_pooling(*NO_POOLING_CASES[i])
        m = no_pooling_fits[i]
        assert m.r_hat <= 1.01, m.warnings
        assert m.divergences == 0
        _assert_within_mcse(m, exact)

    @pytest.mark.parametrize("i", range(len(PARTIAL_CASES)))
    def test_partial_pooling(self, partial_fits, i):
        quad = counts.quadrature_partial_pooling(*PARTIAL_CASES[i])
        m = partial_fits[i]
        assert m.r_hat <= 1.01, m.warnings
        assert m.divergences == 0
        _assert_within_mcse(m.with_exact(quad), quad)

    def test_twenty_environments_partial_pooling_warm(self, partial_fits):
        rng = np.random.default_rng(5)
        n = rng.integers(50, 400, 20)
        k = rng.binomial(n, 0.03)
        before = compile_count()
        m = mc.mcmc_partial_pooling(k, n, 0.25, (1, 9), (1, 99), seed=3, **MCMC_DRAWS)
        assert compile_count() == before  # same compiled model as the 2-3 environment fits
        quad = counts.quadrature_partial_pooling(k, n, 0.25, (1, 9), (1, 99))
        assert m.r_hat <= 1.01 and m.divergences == 0, m.warnings
        _assert_within_mcse(m.with_exact(quad), quad)

    def test_same_seed_same_draws(self, partial_fits):
        case = PARTIAL_CASES[0]
        again = mc.mcmc_partial_pooling(*case, seed=7, **MCMC_DRAWS)
        assert np.array_equal(again.result.draws("p_h"), partial_fits[0].result.draws("p_h"))
        other = mc.mcmc_partial_pooling(*case, seed=8, **MCMC_DRAWS)
        assert not np.array_equal(other.result.draws("p_h"), partial_fits[0].result.draws("p_h"))

    def test_no_pooling_compiled_once_per_environment_count(self, no_pooling_fits):
        before = compile_count()
        mc.mcmc_no_pooling([3, 1, 0], [9, 9, 9], 0.5, (1, 1), (1, 9), seed=1, draws=200, tune=200)
        assert compile_count() == before


# ---------------------------------------------------------------------------
# MCMC when one hypothesis dominates (issue 10: the estimator must not be confidently wrong)
# ---------------------------------------------------------------------------
# The issue's case: exact P(H | D) = 2.906e-5; the old estimator gave 2.041e-5 +/- 1.29e-6 (z = -6.7).
ISSUE_CASE = ([0, 0, 0, 2], [1000, 1000, 1000, 500], 0.5, (1, 20), (1, 1000))


def _dominated_table(n_env: int, count: int, seed: int, exact_fn) -> list[tuple]:
    """Seeded random tables whose exact P(H | D) at prior 1/2 is in [1e-6, 1e-3] or 1 - that.

    Rates, sample sizes and priors are drawn at random; a table is kept when
    3 <= |log10 BF| <= 6, alternating which hypothesis dominates.
    """
    rng = np.random.default_rng(seed)
    out: list[tuple] = []
    while len(out) < count:
        rate_h = (float(rng.uniform(0.5, 3)), float(rng.uniform(5, 200)))
        rate_not_h = (float(rng.uniform(0.5, 3)), float(rng.uniform(50, 3000)))
        n = rng.integers(100, 2000, n_env)
        true = rate_h if rng.random() < 0.5 else rate_not_h
        k = rng.binomial(n, rng.beta(*true, n_env))
        case = (k.tolist(), n.tolist(), 0.5, rate_h, rate_not_h)
        log10_bf = exact_fn(*case).log10_bayes_factor
        want_h = len(out) % 2 == 0  # alternate: H dominant (P near 1), not H dominant (P near 0)
        if 3 <= abs(log10_bf) <= 6 and (log10_bf > 0) == want_h:
            out.append(case)
    return out


DOMINATED_NO_POOLING = _dominated_table(3, 6, 2026, counts.exact_no_pooling)


# Rejection sampling as above is hopeless here: partial pooling rarely gives |log10 BF| >= 3 with
# 4 environments, and each candidate costs a quadrature.  Two tables near 11-16% covert actions,
# each read both ways round (the hypotheses' priors swapped), so H dominates in two cases and not H
# in two; the test itself checks by quadrature that each posterior is within 1e-6..1e-3 of 0 or 1.
DOMINATED_PARTIAL = [
    (k, n, 0.5, *rates)
    for k, n in [([60, 55, 70, 65], [400] * 4), ([45, 40, 52, 48], [300] * 4)]
    for rates in (((1, 9), (1, 99)), ((1, 99), (1, 9)))
]


@pytest.mark.slow
@pytest.mark.xdist_group("covert")
class TestMcmcWhenOneHypothesisDominates:
    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_issue_case_within_four_mcse(self, seed):
        exact = counts.exact_no_pooling(*ISSUE_CASE)
        assert exact.posterior == pytest.approx(2.906036585e-5, rel=1e-9)
        m = mc.mcmc_no_pooling(*ISSUE_CASE, seed=seed, **MCMC_DRAWS)
        _assert_within_mcse(m, exact)
        # The sampler visits both hypotheses (it is balanced), so the indicator's average is not a rare event.
        assert 0.2 < m.sampler_p_h < 0.8

    @pytest.mark.parametrize("prior", [1e-9, 0.5, 1 - 1e-9])
    def test_same_draws_any_prior(self, prior):
        # The user's prior is applied after sampling: the log BF estimate does not depend on it.
        base = mc.mcmc_no_pooling(*ISSUE_CASE, seed=4, **MCMC_DRAWS)
        m = mc.mcmc_no_pooling(*ISSUE_CASE[:2], prior, *ISSUE_CASE[3:], seed=4, **MCMC_DRAWS)
        assert m.log_bayes_factor == base.log_bayes_factor
        _assert_within_mcse(m, counts.exact_no_pooling(*ISSUE_CASE[:2], prior, *ISSUE_CASE[3:]))

    @pytest.mark.parametrize("i", range(len(DOMINATED_NO_POOLING)))
    def test_random_dominated_no_pooling(self, i):
        case = DOMINATED_NO_POOLING[i]
        exact = counts.exact_no_pooling(*case)
        assert 1e-6 <= min(exact.posterior, 1 - exact.posterior) <= 1e-3
        _assert_within_mcse(mc.mcmc_no_pooling(*case, seed=100 + i, **MCMC_DRAWS), exact)

    @pytest.mark.parametrize("i", range(len(DOMINATED_PARTIAL)))
    def test_random_dominated_partial_pooling(self, i):
        case = DOMINATED_PARTIAL[i]
        quad = counts.quadrature_partial_pooling(*case)
        assert quad.quadrature_rel_error < 1e-4
        assert 1e-6 <= min(quad.posterior, 1 - quad.posterior) <= 1e-3
        m = mc.mcmc_partial_pooling(*case, seed=200 + i, exact=quad, **MCMC_DRAWS)
        _assert_within_mcse(m, quad)

    def test_far_from_exact_is_not_converged(self):
        # A wrong "exact" value 10 MCSE away must flip converged, whatever r_hat says.
        m = mc.mcmc_no_pooling(*ISSUE_CASE, seed=0, **MCMC_DRAWS)
        assert m.converged and m.r_hat <= 1.01
        exact = counts.exact_no_pooling(*ISSUE_CASE)
        shifted = counts.CountsResult(
            "test", "none", exact.prior, exact.log_marginal_h + 10 * m.log_bayes_factor_mcse,
            exact.log_marginal_not_h, exact.n_environments,
        )
        bad = m.with_exact(shifted)
        assert bad.z_vs_exact == pytest.approx(-10 + m.z_vs_exact, abs=1e-9)
        assert not bad.converged and any("z_vs_exact" in w for w in bad.warnings)
        assert bad.to_dict()["converged"] is False and bad.to_dict()["z_vs_exact"] == bad.z_vs_exact
        again = bad.with_exact(exact)  # re-comparing replaces, never stacks, the z warning
        assert again.converged and again.z_vs_exact == m.z_vs_exact


def test_pilot_log_bayes_factor_close_to_exact():
    # The pilot only sets the sampler's weights, but it should be roughly right (else both hypotheses
    # are not visited); importance sampling from the pseudo-priors, checked against the closed form.
    k, n, _, rh, rn = ISSUE_CASE
    data = {"k": np.array(k), "n": np.array(n), "a_h": rh[0], "b_h": rh[1], "a_not_h": rn[0], "b_not_h": rn[1]}
    for tag, rate in (("h", BetaDist(*rh)), ("not_h", BetaDist(*rn))):
        data[f"pseudo_centre_{tag}"], data[f"pseudo_scale_{tag}"] = mc.conjugate_pseudo_prior(k, n, rate)
    pilot = mc.pilot_log_bayes_factor("no_pooling", data, seed=0)
    assert pilot == pytest.approx(counts.exact_no_pooling(*ISSUE_CASE).log_bayes_factor, abs=0.1)


# ---------------------------------------------------------------------------
# Before / after training
# ---------------------------------------------------------------------------
BA_PRIORS = dict(prior_before=(1.0, 1.0), prior_after=(1.0, 2.0))
BA_THRESHOLD = 0.005


def _assert_quantiles_match(draws, cdf, ess):
    # Compare on the probability scale: the oracle CDF at the sample q-quantile is q up to
    # Monte Carlo error sqrt(q (1 - q) / ESS); 4 of those is the tolerance.
    for q in (0.05, 0.5, 0.95):
        got = float(cdf(np.quantile(draws, q)))
        assert abs(got - q) <= 4 * math.sqrt(q * (1 - q) / ess), (q, got, ess)


@pytest.fixture(scope="module")
def fig9_o4mini():
    return datasets.antischeming_counts("o4-mini", effective_n=300)


@pytest.fixture(scope="module")
def before_after_none(fig9_o4mini):
    d = fig9_o4mini
    n = d.n_before_assumed
    return ba.fit_before_after(
        d.k_before_derived, n, d.k_after_derived, [400] * len(n), pooling="none", threshold=BA_THRESHOLD,
        seed=11, draws=2000, tune=1000, **BA_PRIORS,
    )


@pytest.mark.slow
@pytest.mark.xdist_group("covert")
class TestBeforeAfter:
    # With pooling="none" every evaluation is its own conjugate problem: r ~ Beta(a + k, b + n - k).
    # Evaluations 0, 12, 14: 4.4% -> 0, 41% -> 0, 46.4% -> 0.1% (k_after = 0 or 1), before and after.
    @pytest.mark.parametrize(("j", "name"), [(j, name) for j in (0, 12, 14) for name in ("rate_before", "rate_after")])
    def test_each_evaluation_is_conjugate(self, before_after_none, fig9_o4mini, j, name):
        r = before_after_none
        d = fig9_o4mini
        k, n, prior = {
            "rate_before": (d.k_before_derived[j], 300, BA_PRIORS["prior_before"]),
            "rate_after": (d.k_after_derived[j], 400, BA_PRIORS["prior_after"]),
        }[name]
        post = counts.conjugate_posterior(k, n, BetaDist(*prior))
        assert (post.alpha, post.beta) == (prior[0] + k, prior[1] + n - k)
        exact = stats.beta(post.alpha, post.beta)
        d_j = r.diagnostics[f"{name}[{j}]"]
        assert d_j.r_hat <= 1.01
        # No absolute floor: Z_MAX reported MCSEs only.
        assert z_score(f"{name}[{j}] mean", d_j.mean, exact.mean(), d_j.mcse_mean) <= Z_MAX
        draws = r.result.draws(name)[:, :, j].ravel()
        _assert_quantiles_match(draws, exact.cdf, min(d_j.ess_bulk, d_j.ess_tail))

    def test_ratio_matches_monte_carlo_of_conjugates(self, before_after_none, fig9_o4mini):
        j = 14  # Sandbagging QA: 139/300 before, 0/400 after (0.1% of 400 rounds to 0)
        kb, ka = fig9_o4mini.k_before_derived[j], fig9_o4mini.k_after_derived[j]
        rng = np.random.default_rng(99)
        ratio = rng.beta(1 + kb, 1 + 300 - kb, 1_000_000) / rng.beta(1 + ka, 2 + 400 - ka, 1_000_000)
        draws = before_after_none.result.draws("rate_before")[:, :, j] / before_after_none.result.draws("rate_after")[:, :, j]
        diag = summarize_draws("ratio", draws)
        assert diag.r_hat <= 1.01
        ratio.sort()

        def oracle_cdf(x):
            return np.searchsorted(ratio, x) / ratio.size

        _assert_quantiles_match(draws.ravel(), oracle_cdf, min(diag.ess_bulk, diag.ess_tail))

    @pytest.mark.parametrize("name", ["mean_before", "mean_after"])
    def test_average_rates_closed_form(self, before_after_none, fig9_o4mini, name):
        # E[mean_j r_j | D] = mean_j (a + k_j) / (a + b + n_j): linearity of expectation over conjugate posteriors.
        r = before_after_none
        k, n, (a, b) = {
            "mean_before": (np.array(fig9_o4mini.k_before_derived), 300, BA_PRIORS["prior_before"]),
            "mean_after": (np.array(fig9_o4mini.k_after_derived), 400, BA_PRIORS["prior_after"]),
        }[name]
        exact = np.mean((a + k) / (a + b + n))
        s = r.summary[name]
        assert s.r_hat <= 1.01
        assert z_score(name, s.mean, exact, s.mcse_mean) <= Z_MAX  # no absolute floor
        assert not r.warnings

    def test_probability_average_after_rate_above_threshold(self, before_after_none, fig9_o4mini):
        # Oracle: Monte Carlo of the average of 20 independent conjugate Betas.
        rng = np.random.default_rng(3)
        ka = np.array(fig9_o4mini.k_after_derived)
        a, b = BA_PRIORS["prior_after"]
        draws = 200_000
        avg = rng.beta(a + ka, b + 400 - ka, size=(draws, ka.size)).mean(axis=1)
        exact = float(np.mean(avg > BA_THRESHOLD))
        r = before_after_none
        # Both sides are Monte Carlo: the MCMC's reported MCSE and the oracle's binomial standard error.
        se = math.hypot(r.p_after_above_threshold_mcse, math.sqrt(exact * (1 - exact) / draws))
        assert 0 < se and z_score("P(mean after > threshold)", r.p_after_above_threshold, exact, se) <= Z_MAX

    def test_partial_pooling_on_derived_fig9_counts_converges(self, fig9_o4mini):
        d = fig9_o4mini
        n = d.n_before_assumed
        r = ba.fit_before_after(d.k_before_derived, n, d.k_after_derived, n, pooling="partial", seed=1)
        assert r.diagnostics.divergences == 0 and r.diagnostics.max_r_hat <= 1.01, r.warnings
        assert r.summary["mean_after"].mean < r.summary["mean_before"].mean
        # Pooling barely moves well-measured before-rates: their average stays near the raw average.
        raw_before = np.mean(np.array(d.k_before_derived) / 300)
        assert abs(r.summary["mean_before"].mean - raw_before) < 0.01
        assert 0.0 < r.p_after_above_threshold < 1.0

    def test_bad_inputs(self):
        with pytest.raises(InputError, match="pooling"):
            ba.fit_before_after([1], [2], [0], [2], pooling="full")
        with pytest.raises(InputError, match="k_after"):
            ba.fit_before_after([1, 2], [2, 2], [0], [2])
        with pytest.raises(InputError, match="threshold"):
            ba.fit_before_after([1], [2], [0], [2], threshold=0)


# ---------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------
class TestDatasets:
    def test_derived_counts_are_round_rate_times_n(self):
        for model in ("o3", "o4-mini"):
            for eff_n in (37, 100, 1000):
                d = datasets.antischeming_counts(model, effective_n=eff_n)
                assert d.derived and d.label.startswith("DERIVED") and "ASSUMED" in d.label
                for rb, kb, ra, ka in zip(d.rate_before, d.k_before_derived, d.rate_after, d.k_after_derived, strict=True):
                    assert abs(kb - rb * eff_n) <= 0.5 and abs(ka - ra * eff_n) <= 0.5
                    assert 0 <= ka <= eff_n and 0 <= kb <= eff_n
                as_dict = d.to_dict()
                assert as_dict["derived"] is True and "k_before_derived" in as_dict and "n_assumed" in as_dict
                assert "k_before" not in as_dict

    def test_all_twenty_rows_come_from_the_catalogue(self):
        # fig9.csv (research notes, Update 2026-11-27): o3's four once-unplaced rows are now placed.
        d = datasets.antischeming_counts("o3", effective_n=1000)
        assert len(d.evaluations) == 20 and d.evaluations == catalogue.per_evaluation().evaluations
        placed = dict(zip(d.evaluations, zip(d.k_before_derived, d.k_after_derived, strict=True), strict=True))
        assert placed["Broken Promises"] == (28, 0) and placed["Email Scoring"] == (446, 1)
        assert placed["Email Scoring (No Nudge)"] == (205, 0) and placed["Subagent Resource Quota"] == (242, 0)
        assert not hasattr(datasets, "FIG9_READING_A")  # no second copy of the table

    def test_raw_average_matches_research_notes(self):
        # evidence.md: raw averages ~8.4% (o4-mini); headline 8.7% -> 0.3% are posterior means.
        rows = datasets.antischeming_rates("o4-mini")
        assert np.mean([r.rate_before for r in rows]) == pytest.approx(0.084, abs=5e-4)
        assert rows[14].evaluation == "Sandbagging QA" and rows[14].rate_before == pytest.approx(0.464)

    def test_bad_model_and_n(self):
        with pytest.raises(InputError, match="model"):
            datasets.antischeming_counts("gpt-5", effective_n=100)
        with pytest.raises(InputError, match="effective_n"):
            datasets.antischeming_counts("o3", effective_n=0)
        with pytest.raises(InputError, match="effective_n"):
            datasets.antischeming_counts("o3", effective_n="12.5")

    def test_published_counts_labelled(self):
        items = datasets.published_counts()
        ids = {p.id for p in items}
        assert len(ids) == len(items)
        by_id = {p.id: p for p in items}
        assert (by_id["am_blackmail_opus4"].k, by_id["am_blackmail_opus4"].n, by_id["am_blackmail_opus4"].derived) == (96, 100, False)
        assert by_id["ics_oversight_o1"].derived and by_id["ics_oversight_o1"].display.startswith("≈")
        assert "100" in by_id["ics_oversight_o1"].note  # the 300-vs-100 inconsistency is recorded
        for p in items:
            assert 0 <= p.k <= p.n
            if p.derived:
                assert "DERIVED" in p.display
