"""beliefs.analysis.needed: reverse Bayes (the ratio, and the count of covert actions, that reach a target),
each against an independent answer."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from beliefs.analysis.needed import needed, needed_count
from beliefs.counts import no_pooling_log_bf
from beliefs.errors import CertaintyError, InputError
from beliefs.evidence import Evidence
from beliefs.odds import log_odds, probability
from beliefs.update import update

probs = st.floats(min_value=1e-9, max_value=1 - 1e-9, allow_nan=False)
def lr(x, label="e", **kw):
    return Evidence(label, likelihood_ratio=x, **kw)


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
    current = probability(log_odds(0.3) + no_pooling_log_bf([3, 1], [100, 80], (1, 20), (1, 200)))
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


