"""beliefs.analysis.robustness: the posterior over a grid of priors, each against an independent answer."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.analysis.robustness import prior_robustness
from beliefs.errors import CertaintyError
from beliefs.evidence import Evidence
from beliefs.odds import log_odds
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




@pytest.mark.parametrize("other", [1e-12, 0.01, 0.3, 0.999])
def test_posterior_at_another_prior_is_bayes_in_exact_rationals(other):
    # Oracle: Bayes' rule in exact rational arithmetic, p L / (p L + 1 - p), with the item's ratio as stated.
    from fractions import Fraction

    items = [lr(3.0, "a"), lr(1e200, "huge"), lr(1e-190, "tiny"), Evidence("p", p_e_given_h=0.75, p_e_given_not_h=0.25)]
    r = prior_robustness(0.25, items)
    total = Fraction(3) * Fraction(1e200) * Fraction(1e-190) * (Fraction(0.75) / Fraction(0.25))
    p = Fraction(other)
    assert r.posterior_at(other) == pytest.approx(float(p * total / (p * total + 1 - p)), rel=1e-14)
    assert r.posterior_at(other) == update(other, items).posterior  # the one route, to the bit
