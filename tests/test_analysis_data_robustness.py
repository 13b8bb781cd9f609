"""beliefs.analysis.data_robustness and the no-pooling Bayes factor it varies, each against an
independent answer (scipy's beta-binomial, quadrature, hand-worked cases)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.special import betaln

from beliefs.analysis.data_robustness import data_robustness
from beliefs.counts import exact_no_pooling, log_beta_binomial, no_pooling_log_bf
from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.odds import log_odds, probability


@pytest.mark.parametrize("n", [0, 1, 7, 100, 5000])
def test_uniform_rate_prior_makes_every_count_equally_likely(n):
    # Under Beta(1, 1), P(k | n) = 1 / (n + 1) for every k (Bayes' billiard table).
    for k in sorted({0, n // 3, n}):
        assert math.fsum(log_beta_binomial([k], [n], 1.0, 1.0).tolist()) == pytest.approx(-math.log(n + 1), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("k", "n", "a", "b"),
    [
        ([3, 0, 5], [100, 50, 200], 1.0, 20.0),
        ([1], [1], 0.5, 0.5),
        ([66, 20], [300, 400], 2.0, 30.0),
        ([0], [10], 3.0, 1.0),
    ],
)
def test_log_beta_binomial_matches_scipy_and_quadrature(k, n, a, b):
    ours = math.fsum(log_beta_binomial(k, n, a, b).tolist())
    scipy_value = float(np.sum(stats.betabinom.logpmf(k, n, a, b)))
    assert ours == pytest.approx(scipy_value, rel=1e-10, abs=1e-10)
    quad = 0.0
    for ki, ni in zip(k, n, strict=True):
        # Integrate the binomial likelihood against the Beta density (peaks near k/n).
        # QAWS handles the Beta density's endpoint singularities as a weight.
        value, _ = integrate.quad(
            lambda p, ki=ki, ni=ni: stats.binom.pmf(ki, ni, p),
            0,
            1,
            weight="alg",
            wvar=(a - 1, b - 1),
            epsabs=0,
            epsrel=1e-10,
            limit=200,
        )
        value /= math.exp(betaln(a, b))
        quad += math.log(value)
    assert ours == pytest.approx(quad, rel=1e-7)


def test_no_pooling_log_bf_hand_worked():
    # One covert action in one rollout: BF = mean rate under H / mean rate under not H.
    assert math.exp(no_pooling_log_bf(1, 1, (2, 1), (1, 2))) == pytest.approx(2.0, rel=1e-13)
    # No covert action in one rollout, Beta(1,1) vs Beta(1,3): (1/2) / (3/4) = 2/3.
    assert math.exp(no_pooling_log_bf([0], [1], (1, 1), (1, 3))) == pytest.approx(2 / 3, rel=1e-13)
    # Identical priors: the data cannot discriminate.
    assert no_pooling_log_bf([4, 9], [10, 20], (2, 5), (2, 5)) == 0.0


@given(
    st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), min_size=1, max_size=6),
    st.tuples(st.floats(0.1, 50), st.floats(0.1, 50)),
    st.tuples(st.floats(0.1, 50), st.floats(0.1, 50)),
)
@settings(max_examples=60, deadline=None)
def test_no_pooling_log_bf_is_the_ratio_of_scipy_marginals_and_antisymmetric(pairs, h, not_h):
    k = [min(a, b) for a, b in pairs]
    n = [max(a, b) for a, b in pairs]
    ours = no_pooling_log_bf(k, n, h, not_h)
    oracle = float(np.sum(stats.betabinom.logpmf(k, n, *h)) - np.sum(stats.betabinom.logpmf(k, n, *not_h)))
    assert ours == pytest.approx(oracle, rel=1e-8, abs=1e-8)
    assert no_pooling_log_bf(k, n, not_h, h) == pytest.approx(-ours, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("k", "n", "prior", "h", "not_h"),
    [
        ([3, 0, 5], [100, 50, 200], 0.25, (1, 20), (1, 200)),
        ([1], [1], 0.5, (1, 1), (1, 9)),
        ([66, 20, 0], [300, 400, 300], 0.2, (2, 10), (0.5, 200)),
    ],
)
def test_data_robustness_at_the_choice_is_the_exact_no_pooling_update(k, n, prior, h, not_h):
    exact = exact_no_pooling(k, n, prior, h, not_h)
    r = data_robustness(k, n, prior, h, not_h, pooling="none")
    assert r.log_bf_at_choice == pytest.approx(exact.log_bayes_factor, rel=1e-12, abs=1e-12)
    assert r.posterior_at_choice == pytest.approx(exact.posterior, rel=1e-12)


@pytest.mark.parametrize(
    ("k", "n", "field"),
    [([5], [3], "k[0]"), ([1, 2], [3], "n"), ([-1], [3], "k[0]"), ([1], [2.5], "n[0]"), (["x"], [3], "k[0]")],
)
def test_bad_counts_name_the_field(k, n, field):
    with pytest.raises(InputError, match=rf"^{re_escape(field)}: got"):
        no_pooling_log_bf(k, n, (1, 1), (1, 2))


def re_escape(text):
    import re

    return re.escape(text)


def test_bad_rate_prior_names_the_field():
    with pytest.raises(InputError, match=r"^rate_if_h"):
        no_pooling_log_bf([1], [2], (0, 1), (1, 2))
    with pytest.raises(InputError, match=r"^rate_if_not_h"):
        no_pooling_log_bf([1], [2], (1, 1), "nonsense")


def test_data_robustness_grid_cells_match_scipy():
    k, n = [3, 0, 5], [100, 50, 200]
    h, not_h = BetaDist(1, 20), BetaDist(1, 200)
    r = data_robustness(k, n, 0.25, h, not_h, pooling="none", n_grid=11)
    assert r.log_bf.shape == (11, 11)
    assert r.h_means[0] <= h.mean <= r.h_means[-1]
    assert r.not_h_means[0] <= not_h.mean <= r.not_h_means[-1]
    for j, i in [(0, 0), (3, 7), (10, 10), (5, 0)]:
        mh, mn = r.h_means[i], r.not_h_means[j]
        oracle = np.sum(stats.betabinom.logpmf(k, n, mh * 21, (1 - mh) * 21)) - np.sum(
            stats.betabinom.logpmf(k, n, mn * 201, (1 - mn) * 201)
        )
        assert r.log_bf[j, i] == pytest.approx(oracle, rel=1e-9, abs=1e-9)
        assert r.posterior[j, i] == pytest.approx(probability(log_odds(0.25) + oracle), rel=1e-9)
    assert r.log_bf_at_choice == pytest.approx(no_pooling_log_bf(k, n, h, not_h), rel=1e-14)
    # A user's choice that is on the grid reproduces the cell exactly.
    on = data_robustness(k, n, 0.25, (0.5, 4.5), (2, 8), pooling="none", h_means=[0.1], not_h_means=[0.2])
    assert on.log_bf[0, 0] == pytest.approx(on.log_bf_at_choice, rel=1e-12)


def test_data_robustness_refuses_bad_grids():
    with pytest.raises(InputError, match=r"^h_means\[1\]"):
        data_robustness([1], [10], 0.5, (1, 1), (1, 2), h_means=[0.1, 1.0])
    with pytest.raises(InputError, match=r"^h_means"):
        data_robustness([1], [10], 0.5, (1, 1), (1, 2), h_means=[])


