"""One model on every analysis of the data (issue 21.4): with partial pooling each analysis returns the
data page's factor at the default point (o3 before training, n = 316, the readings 'scheming' and
'confusion or ambiguous instructions'), and names its model.

Independent answer for the sequential steps under partial pooling: each prefix's factor from the
quadrature directly (the steps telescope to it), and for no pooling scipy's beta-binomial per environment.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from beliefs.analysis.data_robustness import data_robustness
from beliefs.analysis.needed import needed_count
from beliefs.analysis.sequential import sequential_data
from beliefs.bf_map import bayes_factor_map
from beliefs.counts import quadrature_partial_pooling
from beliefs.datasets import dataset_counts_result


@pytest.fixture(scope="module")
def page():
    """The data page's default result: what every analysis must agree with."""
    return dataset_counts_result("antischeming-2025:o3:before", 0.2, (1, 9), (1, 99))


def test_every_data_analysis_with_partial_pooling_returns_the_pages_factor(page):
    assert page.pooling == "partial" and page.n_assumed == 316
    k, n = list(page.k), list(page.n)
    m = bayes_factor_map(k, n, (1, 9), (1, 99), pooling="partial")
    assert m.log_bf_at_choice == page.log_bayes_factor
    r = data_robustness(k, n, 0.2, (1, 9), (1, 99), pooling="partial")
    assert r.log_bf_at_choice == page.log_bayes_factor
    assert r.posterior_at_choice == page.update(0.2).posterior
    assert "partial pooling" in r.model
    s = sequential_data(k, n, 0.2, (1, 9), (1, 99), pooling="partial")
    assert s.posterior == page.update(0.2).posterior
    assert s.log_odds[-1] == pytest.approx(page.update(0.2).posterior_log_odds, abs=1e-12)
    # The lead sentence comes first, then the model it rests on.
    assert "partial pooling" in s.model and s.text().splitlines()[1].startswith("model: partial pooling")


def test_partial_pooling_steps_are_the_prefix_factors():
    k, n = [3, 0, 5], [100, 50, 200]
    s = sequential_data(k, n, 0.25, (1, 20), (1, 200), pooling="partial")
    prefix = [quadrature_partial_pooling(k[:j], n[:j], 0.25, (1, 20), (1, 200)).log_bayes_factor for j in (1, 2, 3)]
    np.testing.assert_allclose(np.cumsum(s.step_log_lr[1:]), prefix, rtol=1e-12, atol=1e-12)
    # not the independent-environment steps: partial pooling shares the population
    independent = [stats.betabinom.logpmf(kj, nj, 1, 20) - stats.betabinom.logpmf(kj, nj, 1, 200) for kj, nj in zip(k, n, strict=True)]
    assert not np.allclose(s.step_log_lr[1:], independent, rtol=1e-3)


def test_the_analyses_spreads_and_sizes_use_the_same_model(page):
    r = data_robustness(list(page.k), list(page.n), 0.2, (1, 9), (1, 99), pooling="partial", n_grid=3)
    same = next(x for x in r.spreads if x["h_spread_factor"] == 1.0 and x["not_h_spread_factor"] == 1.0)
    assert same["log10_bf"] * math.log(10) == pytest.approx(page.log_bayes_factor, rel=1e-12)
    unit = next(x for x in r.sample_sizes if x["n_factor"] == 1.0)
    assert unit["log10_bf"] * math.log(10) == pytest.approx(page.log_bayes_factor, rel=1e-12)
    # partial pooling's factor barely moves with n; no pooling's would grow ~3x over the same factors
    assert max(x["log10_bf"] for x in r.sample_sizes) - min(x["log10_bf"] for x in r.sample_sizes) < 0.5


def test_the_count_needed_names_its_model():
    c = needed_count(30, 0.9, 0.25, (1, 20), (1, 200))
    assert c.to_dict()["model"].startswith("no pooling")
