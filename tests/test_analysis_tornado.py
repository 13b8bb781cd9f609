"""beliefs.analysis.tornado: how far the posterior moves when an input is off, each against an independent answer."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.analysis.tornado import tornado
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.odds import bits
from beliefs.update import update

probs = st.floats(min_value=1e-9, max_value=1 - 1e-9, allow_nan=False)
ratios = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
def lr(x, label="e", **kw):
    return Evidence(label, likelihood_ratio=x, **kw)



def bayes_in_probability_space(prior, ratios_):
    """Independent oracle: P(H|E) = p L / (p L + 1 - p), no logs."""
    total = math.prod(ratios_)
    return prior * total / (prior * total + (1 - prior))


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


