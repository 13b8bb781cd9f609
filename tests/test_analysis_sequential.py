"""beliefs.analysis.sequential: the posterior after each item or batch, each against an independent answer."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from beliefs.analysis.sequential import sequential, sequential_data
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.odds import bits, log_odds
from beliefs.update import update, update_by_log_bf

probs = st.floats(min_value=1e-9, max_value=1 - 1e-9, allow_nan=False)
ratios = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
discounts = st.floats(min_value=0.05, max_value=1.0, allow_nan=False)
def lr(x, label="e", **kw):
    return Evidence(label, likelihood_ratio=x, **kw)


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
    r = sequential_data(k, n, 0.25, (1, 20), (1, 200), pooling="none", threshold=0.5)
    oracle = np.sum(stats.betabinom.logpmf(k, n, 1, 20)) - np.sum(stats.betabinom.logpmf(k, n, 1, 200))
    assert r.log_odds[-1] == pytest.approx(log_odds(0.25) + oracle, rel=1e-10)
    assert r.labels == ("prior", "3/100", "0/50", "5/200")
    first = np.sum(stats.betabinom.logpmf(3, 100, 1, 20)) - np.sum(stats.betabinom.logpmf(3, 100, 1, 200))
    assert r.step_log_lr[1] == pytest.approx(first, rel=1e-10)
    posterior = 1 / (1 + 3 * math.exp(-oracle))  # prior odds 1:3 times the Bayes factor
    assert r.posterior == pytest.approx(posterior, rel=1e-10)
    assert r.posterior == update_by_log_bf(0.25, math.fsum(r.step_log_lr)).posterior  # through update()


@pytest.mark.parametrize("threshold", [0, 1, 1.2, "x"])
def test_sequential_bad_threshold(threshold):
    with pytest.raises(InputError, match=r"^threshold: got"):
        sequential(0.5, [2.0], threshold=threshold)


