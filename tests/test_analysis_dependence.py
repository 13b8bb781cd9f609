"""beliefs.analysis.dependence: naive versus dependence-adjusted posteriors, each against an independent answer."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.analysis.dependence import UNGROUPED, dependence
from beliefs.errors import CertaintyError, InputError
from beliefs.evidence import Evidence
from beliefs.update import update

probs = st.floats(min_value=1e-9, max_value=1 - 1e-9, allow_nan=False)
ratios = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
discounts = st.floats(min_value=0.05, max_value=1.0, allow_nan=False)
def lr(x, label="e", **kw):
    return Evidence(label, likelihood_ratio=x, **kw)


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


