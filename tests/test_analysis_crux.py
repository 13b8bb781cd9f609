"""beliefs.analysis.crux: where two viewpoints disagree, each against an independent answer."""

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from beliefs.analysis.crux import crux, crux_from_results
from beliefs.errors import CertaintyError
from beliefs.evidence import Evidence
from beliefs.odds import bits
from beliefs.update import update

probs = st.floats(min_value=1e-9, max_value=1 - 1e-9, allow_nan=False)
ratios = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
discounts = st.floats(min_value=0.05, max_value=1.0, allow_nan=False)
def lr(x, label="e", **kw):
    return Evidence(label, likelihood_ratio=x, **kw)


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


