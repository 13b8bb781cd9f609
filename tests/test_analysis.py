"""beliefs.analysis: each computation against an independent answer.

Oracles: closed forms (Bayes in probability space, the uniform-prior
beta-binomial 1/(n+1)), scipy.stats.betabinom and numerical quadrature for the
data model, brute force over every count for reverse Bayes, numpy.average for
pooling, and hand-worked examples.  Identities that must hold exactly (reverse
Bayes inverts update, crux parts sum to the gap) are hypothesis properties.
"""

import csv
import io
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.special import betaln

from beliefs.analysis import (
    UNGROUPED,
    covert_log_bf,
    crux,
    crux_from_results,
    data_robustness,
    dependence,
    log_marginal_likelihood,
    needed,
    needed_count,
    parse_forecasts_csv,
    pool,
    prior_robustness,
    sequential,
    sequential_data,
    tornado,
)
from beliefs.errors import CertaintyError, InputError
from beliefs.evidence import BetaDist, Evidence
from beliefs.odds import LN10, bits, log_odds, probability
from beliefs.update import update

probs = st.floats(min_value=1e-9, max_value=1 - 1e-9, allow_nan=False)
ratios = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
discounts = st.floats(min_value=0.05, max_value=1.0, allow_nan=False)


def lr(x, label="e", **kw):
    return Evidence(label, likelihood_ratio=x, **kw)


def bayes_in_probability_space(prior, ratios_):
    """Independent oracle: P(H|E) = p L / (p L + 1 - p), no logs."""
    total = math.prod(ratios_)
    return prior * total / (prior * total + (1 - prior))


# -- reverse Bayes: needed ---------------------------------------------------------------------------


def test_needed_three_to_one_hand_worked():
    # claims.md section 1: prior 1:3 (25%) to 1:1 takes a 3:1 ratio = 1.585 bits = 4.77 dB.
    r = needed(0.25, 0.5)
    assert r.likelihood_ratio == pytest.approx(3.0, rel=1e-14)
    assert r.bits == pytest.approx(math.log2(3), rel=1e-14)
    assert r.decibels == pytest.approx(10 * math.log10(3), rel=1e-14)
    # Arbital: 20% to 3/7 is the 9:3 test.
    assert needed(0.2, 3 / 7).likelihood_ratio == pytest.approx(3.0, rel=1e-13)
    # Moving down gives a ratio below 1.
    assert needed(0.5, 0.25).likelihood_ratio == pytest.approx(1 / 3, rel=1e-14)


@settings(deadline=None)
@given(probs, probs)
@example(0.25, 0.5)
@example(1e-9, 1 - 1e-9)
def test_needed_inverts_update(prior, target):
    r = needed(prior, target)
    post = update(prior, [lr(r.likelihood_ratio)])
    scale = max(1.0, abs(log_odds(target)), abs(log_odds(prior)))
    assert abs(post.posterior_log_odds - log_odds(target)) <= 1e-12 * scale
    assert r.bits == pytest.approx(r.log_lr / math.log(2), rel=1e-14)


@pytest.mark.parametrize("field", ["prior", "target"])
@pytest.mark.parametrize("value", [0, 1, 0.0, 1.0])
def test_needed_refuses_certainty_with_an_explanation(field, value):
    kwargs = {"prior": 0.3, "target": 0.6, field: value}
    with pytest.raises(CertaintyError, match=rf"^{field}: got .*Cromwell"):
        needed(**kwargs)


@pytest.mark.parametrize("bad", [-0.1, 1.5, "abc", float("nan"), float("inf"), "", "50%"])
def test_needed_rejects_bad_probabilities(bad):
    with pytest.raises(InputError, match=r"^target: got"):
        needed(0.3, bad)


# -- robustness to the prior --------------------------------------------------------------------------


@settings(deadline=None)
@given(probs, st.lists(ratios, max_size=5), st.lists(discounts, min_size=5, max_size=5))
def test_prior_robustness_at_users_prior_equals_update(prior, lrs, ws):
    items = [
        lr(x, f"e{i}", group="g" if i % 2 else None, discount=ws[0] if i % 2 else 1.0)
        for i, x in enumerate(lrs)
    ]
    r = prior_robustness(prior, items)
    u = update(prior, items)
    assert r.posterior_log_odds[r.user_index] == u.posterior_log_odds
    assert r.posterior == u.posterior
    assert r.prior_log_odds[r.user_index] == log_odds(prior)


def test_prior_robustness_grid_is_even_in_log_odds_and_matches_bayes_in_probability_space():
    r = prior_robustness(0.3, [3.0, 0.5, 7.0])
    assert np.all(np.diff(r.prior_log_odds) > 0)
    others = np.delete(r.prior_log_odds, r.user_index)
    steps = np.diff(others)
    assert np.allclose(steps, steps[0], rtol=1e-9)
    assert r.priors[0] == pytest.approx(0.001, rel=1e-12) and r.priors[-1] == pytest.approx(0.999, rel=1e-12)
    assert len(r.prior_log_odds) == 202
    expected = [bayes_in_probability_space(p, [3.0, 0.5, 7.0]) for p in r.priors]
    np.testing.assert_allclose(r.posteriors, expected, rtol=1e-12)
    assert r.posterior_at(0.5) == pytest.approx(bayes_in_probability_space(0.5, [10.5]), rel=1e-13)


def test_prior_robustness_carries_priors_to_compare():
    r = prior_robustness(0.25, [3.0], compare_priors=[0.2, 0.5])
    assert [c["posterior"] for c in r.to_dict()["compare"]] == pytest.approx([3 / 7, 0.75], rel=1e-13)
    with pytest.raises(CertaintyError, match=r"^compare_priors\[1\]"):
        prior_robustness(0.25, [3.0], compare_priors=[0.2, 1.0])


def test_prior_robustness_widens_to_an_extreme_prior():
    r = prior_robustness(1e-6, [10.0])
    assert r.user_index == 0
    assert r.priors[0] == pytest.approx(1e-6, rel=1e-12)
    assert r.posterior == pytest.approx(bayes_in_probability_space(1e-6, [10.0]), rel=1e-12)


@pytest.mark.parametrize("prior", [0, 1])
def test_prior_robustness_refuses_certain_prior(prior):
    with pytest.raises(CertaintyError, match="no finite likelihood ratio can move"):
        prior_robustness(prior, [3.0])


# -- data model: beta-binomial, no pooling ------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 7, 100, 5000])
def test_uniform_rate_prior_makes_every_count_equally_likely(n):
    # Under Beta(1, 1), P(k | n) = 1 / (n + 1) for every k (Bayes' billiard table).
    for k in sorted({0, n // 3, n}):
        assert log_marginal_likelihood(k, n, (1, 1)) == pytest.approx(-math.log(n + 1), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("k", "n", "a", "b"),
    [
        ([3, 0, 5], [100, 50, 200], 1.0, 20.0),
        ([1], [1], 0.5, 0.5),
        ([66, 20], [300, 400], 2.0, 30.0),
        ([0], [10], 3.0, 1.0),
    ],
)
def test_log_marginal_likelihood_matches_scipy_and_quadrature(k, n, a, b):
    ours = log_marginal_likelihood(k, n, BetaDist(a, b))
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


def test_covert_log_bf_hand_worked():
    # One covert action in one rollout: BF = mean rate under H / mean rate under not H.
    assert math.exp(covert_log_bf(1, 1, (2, 1), (1, 2))) == pytest.approx(2.0, rel=1e-13)
    # No covert action in one rollout, Beta(1,1) vs Beta(1,3): (1/2) / (3/4) = 2/3.
    assert math.exp(covert_log_bf([0], [1], (1, 1), (1, 3))) == pytest.approx(2 / 3, rel=1e-13)
    # Identical priors: the data cannot discriminate.
    assert covert_log_bf([4, 9], [10, 20], (2, 5), (2, 5)) == 0.0


@given(
    st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), min_size=1, max_size=6),
    st.tuples(st.floats(0.1, 50), st.floats(0.1, 50)),
    st.tuples(st.floats(0.1, 50), st.floats(0.1, 50)),
)
@settings(max_examples=60, deadline=None)
def test_covert_log_bf_is_the_ratio_of_scipy_marginals_and_antisymmetric(pairs, h, not_h):
    k = [min(a, b) for a, b in pairs]
    n = [max(a, b) for a, b in pairs]
    ours = covert_log_bf(k, n, h, not_h)
    oracle = float(np.sum(stats.betabinom.logpmf(k, n, *h)) - np.sum(stats.betabinom.logpmf(k, n, *not_h)))
    assert ours == pytest.approx(oracle, rel=1e-8, abs=1e-8)
    assert covert_log_bf(k, n, not_h, h) == pytest.approx(-ours, rel=1e-12, abs=1e-12)


def test_covert_log_bf_agrees_with_models_covert_actions():
    from beliefs import counts as covert
    cases = [
        ([3, 0, 5], [100, 50, 200], 0.25, (1, 20), (1, 200)),
        ([1], [1], 0.5, (1, 1), (1, 9)),
        ([66, 20, 0], [300, 400, 300], 0.2, (2, 10), (0.5, 200)),
    ]
    for k, n, prior, h, not_h in cases:
        theirs = covert.exact_no_pooling(k, n, prior, h, not_h)
        assert covert_log_bf(k, n, h, not_h) == pytest.approx(theirs.log_bayes_factor, rel=1e-12, abs=1e-12)
        r = data_robustness(k, n, prior, h, not_h)
        assert r.posterior_at_choice == pytest.approx(theirs.posterior, rel=1e-12)


@pytest.mark.parametrize(
    ("k", "n", "field"),
    [([5], [3], "k[0]"), ([1, 2], [3], "n"), ([-1], [3], "k[0]"), ([1], [2.5], "n[0]"), (["x"], [3], "k[0]")],
)
def test_bad_counts_name_the_field(k, n, field):
    with pytest.raises(InputError, match=rf"^{re_escape(field)}: got"):
        covert_log_bf(k, n, (1, 1), (1, 2))


def re_escape(text):
    import re

    return re.escape(text)


def test_bad_rate_prior_names_the_field():
    with pytest.raises(InputError, match=r"^rate_if_h"):
        covert_log_bf([1], [2], (0, 1), (1, 2))
    with pytest.raises(InputError, match=r"^rate_if_not_h"):
        covert_log_bf([1], [2], (1, 1), "nonsense")


def test_data_robustness_grid_cells_match_scipy():
    k, n = [3, 0, 5], [100, 50, 200]
    h, not_h = BetaDist(1, 20), BetaDist(1, 200)
    r = data_robustness(k, n, 0.25, h, not_h, n_grid=11)
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
    assert r.log_bf_at_choice == pytest.approx(covert_log_bf(k, n, h, not_h), rel=1e-14)
    # A user's choice that is on the grid reproduces the cell exactly.
    on = data_robustness(k, n, 0.25, (0.5, 4.5), (2, 8), h_means=[0.1], not_h_means=[0.2])
    assert on.log_bf[0, 0] == pytest.approx(on.log_bf_at_choice, rel=1e-12)


def test_data_robustness_refuses_bad_grids():
    with pytest.raises(InputError, match=r"^h_means\[1\]"):
        data_robustness([1], [10], 0.5, (1, 1), (1, 2), h_means=[0.1, 1.0])
    with pytest.raises(InputError, match=r"^h_means"):
        data_robustness([1], [10], 0.5, (1, 1), (1, 2), h_means=[])


# -- sequential ------------------------------------------------------------------------------------------


@settings(deadline=None)
@given(probs, st.lists(ratios, min_size=1, max_size=6), discounts)
def test_sequential_steps_equal_update_on_each_prefix(prior, lrs, w):
    items = [
        lr(x, f"e{i}", group="dup" if i < 2 else None, discount=w if i < 2 else 1.0)
        for i, x in enumerate(lrs)
    ]
    r = sequential(prior, items)
    assert r.labels[0] == "prior" and len(r.log_odds) == len(items) + 1
    for j in range(len(items) + 1):
        assert r.log_odds[j] == update(prior, items[:j]).posterior_log_odds
    assert r.posterior == update(prior, items).posterior


def test_sequential_threshold_crossing_and_remaining_evidence():
    # 20% -> x3 -> 3/7 -> x2 -> 6/10: crosses 50% at the second item.
    r = sequential(0.2, [3.0, 2.0], threshold=0.5)
    np.testing.assert_allclose(r.probabilities, [0.2, 3 / 7, 0.6], rtol=1e-13)
    assert r.crossed_at == 2
    # Still needed after each step: the odds ratio to 1:1.
    np.testing.assert_allclose([math.exp(x) for x in r.needed_log_lr], [4.0, 4 / 3, 2 / 3], rtol=1e-13)
    # Not crossed: the remaining ratio, applied, lands exactly on the threshold.
    s = sequential(0.1, [2.0, 1.5], threshold=0.9)
    assert s.crossed_at is None
    remaining = s.remaining_log_lr
    assert update(s.posterior, [lr(math.exp(remaining))]).posterior == pytest.approx(0.9, rel=1e-13)
    d = s.to_dict()
    assert d["needed_bits"] == pytest.approx(bits(remaining), rel=1e-14)
    assert d["needed_likelihood_ratio"] == pytest.approx(81 / 3, rel=1e-12)  # (9:1) / (1:9 * 3)
    assert sequential(0.2, [3.0]).needed_log_lr is None


def test_sequential_skips_disabled_items_and_applies_discounts():
    items = [
        lr(4.0, "a", group="g", discount=0.5),
        lr(9.0, "off", enabled=False),
        lr(16.0, "b", group="g", discount=0.5),
    ]
    r = sequential(0.5, items)
    assert r.labels == ("prior", "a", "b")
    np.testing.assert_allclose(np.exp(r.log_odds), [1.0, 2.0, 8.0], rtol=1e-13)


def test_sequential_data_ends_at_the_one_shot_bayes_factor():
    k, n = [3, 0, 5], [100, 50, 200]
    r = sequential_data(k, n, 0.25, (1, 20), (1, 200), threshold=0.5)
    oracle = np.sum(stats.betabinom.logpmf(k, n, 1, 20)) - np.sum(stats.betabinom.logpmf(k, n, 1, 200))
    assert r.log_odds[-1] == pytest.approx(log_odds(0.25) + oracle, rel=1e-10)
    assert r.labels == ("prior", "3/100", "0/50", "5/200")
    first = np.sum(stats.betabinom.logpmf(3, 100, 1, 20)) - np.sum(stats.betabinom.logpmf(3, 100, 1, 200))
    assert r.step_log_lr[1] == pytest.approx(first, rel=1e-10)


@pytest.mark.parametrize("threshold", [0, 1, 1.2, "x"])
def test_sequential_bad_threshold(threshold):
    with pytest.raises(InputError, match=r"^threshold: got"):
        sequential(0.5, [2.0], threshold=threshold)


# -- reverse Bayes on counts -----------------------------------------------------------------------------


def brute_force_counts(n_new, target, prior, h, not_h, k=(), n=()):
    """Oracle: every k' via scipy's beta-binomial pmf, posterior in probability space."""
    prior_odds = prior / (1 - prior)
    data = (
        math.exp(np.sum(stats.betabinom.logpmf(k, n, *h)) - np.sum(stats.betabinom.logpmf(k, n, *not_h)))
        if len(k)
        else 1.0
    )
    out = []
    for kp in range(n_new + 1):
        bf = stats.betabinom.pmf(kp, n_new, *h) / stats.betabinom.pmf(kp, n_new, *not_h)
        o = prior_odds * data * bf
        out.append(o / (1 + o))
    return out


@pytest.mark.parametrize(
    ("n_new", "target", "prior", "h", "not_h", "k", "n"),
    [
        (100, 0.9, 0.25, (1, 20), (1, 200), (), ()),
        (300, 0.75, 0.2, (2, 30), (1, 300), (3, 0), (100, 50)),
        (50, 0.99, 0.5, (1, 4), (1, 40), (), ()),
    ],
)
def test_needed_count_above_matches_brute_force(n_new, target, prior, h, not_h, k, n):
    r = needed_count(n_new, target, prior, h, not_h, k=list(k), n=list(n))
    post = brute_force_counts(n_new, target, prior, h, not_h, list(k), list(n))
    hits = [i for i, p in enumerate(post) if p > target]
    assert r.direction == "above"
    assert r.k_needed == hits[0]
    assert r.reaching == tuple(hits)
    np.testing.assert_allclose([probability(x) for x in r.log_odds_by_k], post, rtol=1e-9)
    # The count just below does not reach; the one found does.
    assert post[r.k_needed] > target and (r.k_needed == 0 or post[r.k_needed - 1] <= target)


def test_needed_count_below_gives_the_largest_count_that_still_reaches():
    r = needed_count(200, 0.4, 0.5, (1, 20), (1, 200))
    post = brute_force_counts(200, 0.4, 0.5, (1, 20), (1, 200))
    hits = [i for i, p in enumerate(post) if p < 0.4]
    assert len(hits) > 1
    assert r.direction == "below" and r.k_needed == hits[-1] and r.monotone
    assert "or fewer covert actions in 200 rollouts" in r.message()


def test_needed_count_not_reachable_says_so():
    # Identical rate priors: no count can move P(H).
    r = needed_count(100, 0.9, 0.25, (1, 1), (1, 1))
    assert not r.reachable and r.k_needed is None
    assert r.message().startswith("not reachable with 100 rollouts")
    assert r.to_dict()["reachable"] is False


def test_needed_count_reports_non_monotone_bayes_factors():
    # H: U-shaped rates (Beta(0.5, 0.5)); not H: rates near 1/2.  Both extremes favour H.
    r = needed_count(40, 0.9, 0.5, (0.5, 0.5), (50, 50))
    post = brute_force_counts(40, 0.9, 0.5, (0.5, 0.5), (50, 50))
    hits = tuple(i for i, p in enumerate(post) if p > 0.9)
    assert r.reaching == hits and hits[0] == 0 and hits[-1] == 40
    assert not r.monotone


def test_needed_count_existing_data_is_the_same_as_updating_the_prior_first():
    with_data = needed_count(100, 0.8, 0.3, (1, 20), (1, 200), k=[3, 1], n=[100, 80])
    current = probability(log_odds(0.3) + covert_log_bf([3, 1], [100, 80], (1, 20), (1, 200)))
    fresh = needed_count(100, 0.8, current, (1, 20), (1, 200))
    assert with_data.current == pytest.approx(current, rel=1e-14)
    assert with_data.k_needed == fresh.k_needed


def test_needed_count_bad_input():
    with pytest.raises(InputError, match=r"^n_new: got"):
        needed_count(0, 0.9, 0.5, (1, 1), (1, 2))
    with pytest.raises(CertaintyError, match=r"^target: got"):
        needed_count(10, 1, 0.5, (1, 1), (1, 2))
    with pytest.raises(InputError, match=r"^direction: got"):
        needed_count(10, 0.9, 0.5, (1, 1), (1, 2), direction="up")


# -- tornado -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("factor", [2.0, 10.0, 1.5, 0.5])
def test_tornado_single_item_moves_log_odds_by_exactly_ln_factor(factor):
    r = tornado(0.3, [lr(3.0, "report")], factor=factor)
    assert set(r.labels) == {"prior odds", "report"}
    for lo, hi in zip(r.low_log_odds, r.high_log_odds, strict=True):
        assert hi - r.base_log_odds == pytest.approx(math.log(factor), rel=1e-12)
        assert lo - r.base_log_odds == pytest.approx(-math.log(factor), rel=1e-12)
    row = r.rows()[0]
    assert row["high_shift_db"] == pytest.approx(10 * math.log10(factor), rel=1e-12)
    # Percentage points against Bayes in probability space.
    base = bayes_in_probability_space(0.3, [3.0])
    assert row["high_shift_pp"] == pytest.approx(
        100 * (bayes_in_probability_space(0.3, [3.0 * factor]) - base), rel=1e-11
    )
    assert row["low_shift_pp"] == pytest.approx(
        100 * (bayes_in_probability_space(0.3, [3.0 / factor]) - base), rel=1e-11
    )


def test_tornado_discounted_item_moves_by_w_ln_factor_and_sorts_by_impact():
    items = [
        lr(5.0, "strong"),
        lr(2.0, "dup1", group="g", discount=0.25),
        lr(2.0, "dup2", group="g", discount=0.25),
    ]
    r = tornado(0.4, items, factor=2)
    assert r.labels[-2:] == ("dup1", "dup2")  # discounted items move least
    i = r.labels.index("dup1")
    assert r.high_log_odds[i] - r.base_log_odds == pytest.approx(0.25 * math.log(2), rel=1e-12)
    impacts = [row["impact_pp"] for row in r.rows()]
    assert impacts == sorted(impacts, reverse=True)
    assert r.base_log_odds == pytest.approx(update(0.4, items).posterior_log_odds, rel=1e-14)


@settings(deadline=None)
@given(probs, st.lists(ratios, min_size=1, max_size=5), st.floats(1.01, 100))
def test_tornado_every_undiscounted_input_moves_equally(prior, lrs, factor):
    r = tornado(prior, [lr(x, f"e{i}") for i, x in enumerate(lrs)], factor=factor)
    for lo, hi in zip(r.low_log_odds, r.high_log_odds, strict=True):
        assert hi - r.base_log_odds == pytest.approx(math.log(factor), rel=1e-9, abs=1e-9)
        assert lo - r.base_log_odds == pytest.approx(-math.log(factor), rel=1e-9, abs=1e-9)


def test_tornado_strength_mode_scales_each_term():
    r = tornado(0.5, [lr(8.0, "three bits"), lr(2.0, "one bit")], factor=2, mode="strength")
    assert r.labels[0] == "three bits"
    assert bits(r.high_log_odds[0] - r.base_log_odds) == pytest.approx(3.0, rel=1e-12)
    assert bits(r.low_log_odds[0] - r.base_log_odds) == pytest.approx(-1.5, rel=1e-12)
    # The prior at even odds has no strength to scale.
    i = r.labels.index("prior odds")
    assert r.high_log_odds[i] == r.low_log_odds[i] == r.base_log_odds


@pytest.mark.parametrize("factor", [1, 1.0, 0, -2, "abc", float("nan")])
def test_tornado_bad_factor(factor):
    with pytest.raises(InputError, match=r"^factor: got"):
        tornado(0.5, [2.0], factor=factor)


# -- dependence ------------------------------------------------------------------------------------------


def test_dependence_hand_worked_discount_and_joint_ratio():
    items = [lr(3.0, "report"), lr(2.0, "a", group="g", discount=0.5), lr(4.0, "b", group="g", discount=0.5)]
    r = dependence(0.25, items)
    # Naive: 1:3 x 3 x 2 x 4 = 8:1.  Adjusted: 1:3 x 3 x (8)^0.5.
    assert r.naive.posterior_odds == pytest.approx(8.0, rel=1e-13)
    assert r.adjusted.posterior_odds == pytest.approx(math.sqrt(8), rel=1e-13)
    assert r.naive.posterior == update(0.25, items, independent=True).posterior
    assert r.adjusted.posterior == update(0.25, items).posterior
    rows = {row["group"]: row for row in r.rows()}
    assert rows[UNGROUPED]["naive_bits"] == rows[UNGROUPED]["adjusted_bits"] == pytest.approx(math.log2(3))
    assert rows["g"]["naive_bits"] == pytest.approx(3.0, rel=1e-14)
    assert rows["g"]["adjusted_bits"] == pytest.approx(1.5, rel=1e-14)
    # A joint ratio of 3 for the pair replaces both items: 1:3 x 3 x 3 = 3:1.
    j = dependence(0.25, items, joint_ratios={"g": 3})
    assert j.adjusted.posterior_odds == pytest.approx(3.0, rel=1e-13)
    assert j.naive.posterior == r.naive.posterior
    assert {row["group"]: row["method"] for row in j.rows()}["g"] == "joint ratio 3"


@settings(deadline=None)
@given(probs, st.lists(ratios, min_size=1, max_size=4), discounts)
def test_dependence_discount_never_adds_evidence(prior, lrs, w):
    items = [lr(x, f"e{i}", group="g", discount=w) for i, x in enumerate(lrs)]
    r = dependence(prior, items)
    (row,) = r.rows()
    assert abs(row["adjusted_bits"]) <= abs(row["naive_bits"]) + 1e-12
    assert row["adjusted_bits"] == pytest.approx(w * row["naive_bits"], rel=1e-9, abs=1e-12)


def test_dependence_bad_joint_ratios():
    items = [lr(2.0, "a", group="g", discount=0.5)]
    with pytest.raises(InputError, match=r"^joint_ratios: got 'nope'"):
        dependence(0.5, items, joint_ratios={"nope": 2})
    with pytest.raises(InputError, match=r"^joint_ratios\[g\]: got 0"):
        dependence(0.5, items, joint_ratios={"g": 0})
    with pytest.raises(CertaintyError):
        dependence(1, items)


# -- crux ------------------------------------------------------------------------------------------------


def test_crux_same_prior_one_item_read_differently():
    # claims.md sections 1-2: same prior, same report, 3:1 versus 1.2:1.
    a = [Evidence("report like 2025", p_e_given_h=0.75, p_e_given_not_h=0.25, id="report")]
    b = [Evidence("2025 report, confusion reading", likelihood_ratio=1.2, id="report")]
    r = crux(0.25, a, 0.25, b, names=("miri-ish", "skeptic"))
    assert r.prior_gap == 0.0
    assert len(r.item_gaps) == 1
    assert bits(r.item_gaps[0]) == pytest.approx(math.log2(3 / 1.2), rel=1e-13)
    assert r.total_bits == pytest.approx(math.log2(3 / 1.2), rel=1e-13)
    d = r.to_dict()
    assert d["items"][0]["label"] == "report like 2025" and d["items"][0]["in"] == "both"
    assert d["prior_bits"] == 0.0


def test_crux_matches_by_id_then_label_and_counts_unmatched_fully():
    a = [lr(4.0, "x", id="same"), lr(2.0, "only in A"), lr(3.0, "shared label")]
    b = [lr(0.5, "x renamed", id="same"), lr(8.0, "only in B"), lr(3.0, "shared label")]
    r = crux(0.5, a, 0.2, b)
    parts = dict(zip(r.labels, r.item_gaps, strict=True))
    assert bits(parts["x"]) == pytest.approx(3.0, rel=1e-13)  # log2(4) - log2(0.5)
    assert bits(parts["only in A"]) == pytest.approx(1.0, rel=1e-13)
    assert bits(parts["only in B"]) == pytest.approx(-3.0, rel=1e-13)
    assert parts["shared label"] == 0.0
    assert r.part_labels() == ("x", "[A only] only in A", "shared label", "[B only] only in B")
    assert bits(r.prior_gap) == pytest.approx(2.0, rel=1e-13)  # 1:1 vs 1:4
    assert r.total_bits == pytest.approx(3 + 1 - 3 + 0 + 2, rel=1e-13)


def test_crux_duplicate_labels_match_in_order():
    r = crux(0.5, [lr(2.0, "e"), lr(4.0, "e")], 0.5, [lr(2.0, "e")])
    assert r.labels == ("e", "e #2")
    assert r.item_gaps == (0.0, math.log(4.0))


ledger = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d", "e"]), st.booleans(), ratios),
    max_size=7,
)


def build(entries):
    # Label and optional id from the same letter, so ids, labels and repeats all get matched.
    return [lr(x, f"item {key}", id=(key if use_id else None)) for key, use_id, x in entries]


@settings(deadline=None)
@given(probs, ledger, probs, ledger)
@example(1e-9, [("a", True, 1e6)], 1 - 1e-9, [("a", True, 1e-6)])
def test_crux_parts_sum_to_the_total(prior_a, entries_a, prior_b, entries_b):
    a, b = build(entries_a), build(entries_b)
    r = crux(prior_a, a, prior_b, b)
    assert abs(math.fsum(r.parts) - r.total_log_odds) <= 1e-12
    gap = update(prior_a, a).posterior_log_odds - update(prior_b, b).posterior_log_odds
    assert abs(r.total_log_odds - gap) <= 1e-12
    swapped = crux(prior_b, b, prior_a, a)
    assert math.fsum(swapped.parts) == pytest.approx(-math.fsum(r.parts), abs=1e-12)


@settings(deadline=None)
@given(
    probs,
    st.lists(st.tuples(ratios, discounts), max_size=6),
    probs,
    st.lists(st.tuples(ratios, discounts), max_size=6),
)
def test_crux_parts_sum_to_the_total_with_discounts(prior_a, a_items, prior_b, b_items):
    a = [
        lr(x, f"e{i}", group=f"g{i % 2}", discount=[w for _, w in a_items][i % 2])
        for i, (x, _) in enumerate(a_items)
    ]
    b = [
        lr(x, f"e{i}", group=f"g{i % 2}", discount=[w for _, w in b_items][i % 2])
        for i, (x, _) in enumerate(b_items)
    ]
    r = crux(prior_a, a, prior_b, b)
    assert abs(math.fsum(r.parts) - r.total_log_odds) <= 1e-12
    assert r.total_log_odds == pytest.approx(
        update(prior_a, a).posterior_log_odds - update(prior_b, b).posterior_log_odds, abs=1e-12
    )


def test_crux_refuses_certainty_and_names_the_side():
    with pytest.raises(CertaintyError, match=r"^B\.prior"):
        crux_from_results(update(0.5, [2.0]), update(1.0, [2.0]))


# -- pooling --------------------------------------------------------------------------------------------


def test_pool_hand_worked():
    # 1:3 and 3:1 have geometric mean 1:1, exactly (0.25 and 0.75 are exact binary fractions).
    assert pool([0.25, 0.75]).geometric_mean_odds == 0.5
    assert pool([0.25, 0.75]).pooled_log_odds == 0.0
    # 1:9 and 9:1: also even odds (to one ulp: the floats 0.1 and 0.9 are not exact complements).
    assert pool([0.1, 0.9]).geometric_mean_odds == pytest.approx(0.5, abs=2e-16)
    assert pool([0.2, 0.8]).arithmetic_mean == 0.5
    # Odds 1:4 and 1:1 -> sqrt(1/4) = 1:2 -> 1/3; arithmetic 0.35.
    r = pool([0.2, 0.5])
    assert r.geometric_mean_odds == pytest.approx(1 / 3, rel=1e-14)
    assert r.arithmetic_mean == pytest.approx(0.35, rel=1e-14)
    # Weights 3:1 on odds 1:9 and 1:1 -> (1/9)^(3/4) ; extremizing by 2 squares the pooled odds.
    w = pool([0.1, 0.5], [3, 1], extremize=2)
    assert math.exp(w.pooled_log_odds) == pytest.approx((1 / 9) ** 1.5, rel=1e-13)
    assert w.arithmetic_mean == pytest.approx(0.2, rel=1e-14)


@settings(deadline=None)
@given(
    st.lists(st.tuples(probs, st.floats(0.0, 10.0)), min_size=1, max_size=8).filter(
        lambda xs: sum(w for _, w in xs) > 1e-3
    ),
    st.floats(0.2, 5.0),
)
def test_pool_is_the_weighted_mean_of_log_odds(pairs, d):
    ps = [p for p, _ in pairs]
    ws = [w for _, w in pairs]
    r = pool(ps, ws, extremize=d)
    logits = np.log(ps) - np.log1p(-np.asarray(ps))
    assert r.pooled_log_odds == pytest.approx(d * np.average(logits, weights=ws), rel=1e-9, abs=1e-9)
    assert r.arithmetic_mean == pytest.approx(np.average(ps, weights=ws), rel=1e-9, abs=1e-15)
    plain = pool(ps, ws)
    assert min(ps) * (1 - 1e-9) <= plain.geometric_mean_odds <= max(ps) * (1 + 1e-9)
    # Scaling all weights changes nothing.
    assert pool(ps, [3 * w for w in ws]).pooled_log_odds == pytest.approx(
        plain.pooled_log_odds, rel=1e-12, abs=1e-12
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "cls"),
    [
        ({"probs": [0.3, 0.0]}, r"probs\[1\]", CertaintyError),
        ({"probs": [1.0]}, r"probs\[0\]", CertaintyError),
        ({"probs": []}, "probs", InputError),
        ({"probs": ""}, "probs", InputError),
        ({"probs": [0.3, 1.2]}, r"probs\[1\]", InputError),
        ({"probs": [0.3, 0.4], "weights": [1]}, "weights", InputError),
        ({"probs": [0.3, 0.4], "weights": [1, -1]}, r"weights\[1\]", InputError),
        ({"probs": [0.3, 0.4], "weights": [0, 0]}, "weights", InputError),
        ({"probs": [0.3, 0.4], "extremize": 0}, "extremize", InputError),
    ],
)
def test_pool_bad_input(kwargs, field, cls):
    with pytest.raises(cls, match=rf"^{field}: got") as info:
        pool(**kwargs)
    if cls is CertaintyError:
        assert "infinite log-odds" in str(info.value)


def test_parse_forecasts_csv():
    assert parse_forecasts_csv("probability,weight\n0.2,1\n0.4,3\n") == ([0.2, 0.4], [1.0, 3.0])
    assert parse_forecasts_csv("weight,p\n2,0.7\n") == ([0.7], [2.0])
    assert parse_forecasts_csv("0.1\n\n0.9\n") == ([0.1, 0.9], None)
    assert parse_forecasts_csv("0.1,2\n0.9,1\n") == ([0.1, 0.9], [2.0, 1.0])
    with pytest.raises(InputError, match=r"^forecasts row 2 probability"):
        parse_forecasts_csv("p\n0.1\nabc\n")
    with pytest.raises(InputError, match=r"^forecasts: got"):
        parse_forecasts_csv("name,score\nx,1\n")
    with pytest.raises(InputError, match=r"^forecasts: got"):
        parse_forecasts_csv("\n\n")


# -- CSV and DataFrame exports ---------------------------------------------------------------------------


def all_results():
    items = [
        Evidence("report", p_e_given_h=0.75, p_e_given_not_h=0.25, id="r"),
        lr(2.0, "a", group="g", discount=0.5),
        lr(4.0, "b", group="g", discount=0.5),
    ]
    return {
        "prior_robustness": prior_robustness(0.25, items, n_points=21),
        "data_robustness": data_robustness([3, 0], [100, 50], 0.25, (1, 20), (1, 200), n_grid=5),
        "sequential": sequential(0.25, items, threshold=0.9),
        "needed_count": needed_count(30, 0.9, 0.25, (1, 20), (1, 200)),
        "tornado": tornado(0.25, items),
        "dependence": dependence(0.25, items, joint_ratios={"g": 3}),
        "crux": crux(0.25, items, 0.5, [lr(1.2, "report", id="r"), lr(0.5, "new")]),
        "pool": pool([0.1, 0.3, 0.6], [1, 2, 1], extremize=1.5),
    }


@pytest.mark.parametrize("name", list(all_results()))
def test_csv_parses_back_to_the_same_numbers(name):
    result = all_results()[name]
    rows = result.rows()
    parsed = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert len(parsed) == len(rows)
    for got, want in zip(parsed, rows, strict=True):
        assert list(got) == list(want)
        for key, value in want.items():
            if value is None:
                assert got[key] == ""
            elif isinstance(value, bool):
                assert got[key] == str(value)
            elif isinstance(value, float):
                assert float(got[key]) == value or (math.isnan(value) and math.isnan(float(got[key])))
            elif isinstance(value, int):
                assert int(got[key]) == value
            else:
                assert got[key] == value
    frame = result.to_frame()
    assert list(frame.columns) == list(rows[0])
    assert len(frame) == len(rows)


def test_empty_ledger_exports_a_header_only():
    r = dependence(0.3, [])
    assert r.rows() == []
    assert r.to_csv() == "group,method,naive_bits,adjusted_bits\n"
    assert list(r.to_frame().columns) == ["group", "method", "naive_bits", "adjusted_bits"]
    assert r.naive.posterior == r.adjusted.posterior == 0.3


def test_to_dict_is_strict_json():
    import json

    from beliefs.cli.output import jsonable

    for result in all_results().values():
        json.dumps(jsonable(result.to_dict()), allow_nan=False)


def test_importing_analysis_does_not_import_heavy_libraries():
    code = (
        "import sys, beliefs.analysis, beliefs.analysis_plots, beliefs.cli.analysis_cmd\n"
        "heavy = [m for m in ('pymc', 'pytensor', 'arviz', 'matplotlib', 'streamlit') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""


# -- plots -----------------------------------------------------------------------------------------------


def artist_counts(fig):
    ax = fig.axes[0]
    return {"lines": len(ax.lines), "patches": len(ax.patches), "collections": len(ax.collections)}


def test_plots_draw_the_expected_artists():
    from matplotlib.figure import Figure

    from beliefs import analysis_plots as ap

    res = all_results()
    with_others = ap.plot_prior_robustness(prior_robustness(0.25, [3.0], compare_priors=[0.2, 0.5]))
    assert artist_counts(with_others)["lines"] == 4  # plus one marker line for the other priors
    expected = {
        # curve, no-evidence diagonal, the user's prior
        "prior_robustness": (ap.plot_prior_robustness, {"lines": 3, "patches": 0, "collections": 0}),
        # the heat map and the user's choice (the colour bar is a second axes)
        "data_robustness": (ap.plot_data_robustness, {"lines": 1, "patches": 0, "collections": 1}),
        # the posterior path and the threshold line
        "sequential": (ap.plot_sequential, {"lines": 2, "patches": 0, "collections": 0}),
        # P(H) by k', the target, the k' found
        "needed_count": (ap.plot_count_needed, {"lines": 3, "patches": 0, "collections": 0}),
        # two bars per input (prior + 3 items), the zero line
        "tornado": (ap.plot_tornado, {"lines": 1, "patches": 8, "collections": 0}),
        # naive and adjusted bar per group (ungrouped + g)
        "dependence": (ap.plot_dependence, {"lines": 1, "patches": 4, "collections": 0}),
        # prior + 4 matched/unmatched items + total
        "crux": (ap.plot_crux, {"lines": 1, "patches": 6, "collections": 0}),
        # forecasts as one scatter, two pooled lines
        "pool": (ap.plot_pool, {"lines": 2, "patches": 0, "collections": 1}),
    }
    for name, (plot, counts) in expected.items():
        fig = plot(res[name])
        assert isinstance(fig, Figure), name
        assert artist_counts(fig) == counts, name
    assert len(ap.plot_data_robustness(res["data_robustness"]).axes) == 2
    assert len(ap.plot_data_robustness(res["data_robustness"], value="log10_bf").axes) == 2


def test_plot_draws_on_a_given_axes():
    from matplotlib.figure import Figure

    from beliefs.analysis_plots import plot_pool

    fig = Figure()
    ax = fig.add_subplot()
    assert plot_pool(pool([0.2, 0.4]), ax=ax) is fig
    assert len(ax.lines) == 2


MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF", "svg": b"<svg"}


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_plots_save_to_png_svg_pdf(fmt, tmp_path):
    from beliefs import analysis_plots as ap

    res = all_results()
    for name, plot in [
        ("tornado", ap.plot_tornado),
        ("data_robustness", ap.plot_data_robustness),
        ("crux", ap.plot_crux),
    ]:
        path = tmp_path / f"{name}.{fmt}"
        plot(res[name]).savefig(path)
        head = path.read_bytes()[:400]
        if fmt == "svg":
            assert MAGIC["svg"] in head, head
        else:
            assert head.startswith(MAGIC[fmt])


def test_log10_bf_heat_map_uses_the_log_bayes_factors():
    from beliefs.analysis_plots import plot_data_robustness

    r = all_results()["data_robustness"]
    fig = plot_data_robustness(r, value="log10_bf")
    mesh = fig.axes[0].collections[0]
    np.testing.assert_allclose(np.asarray(mesh.get_array()).ravel(), (r.log_bf / LN10).ravel(), rtol=1e-12)
    with pytest.raises(InputError, match=r"^value"):
        plot_data_robustness(r, value="nope")
