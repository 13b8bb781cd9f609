"""Odds algebra and update(): hand-worked examples and algebraic properties."""

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.format import format_probability
from beliefs.odds import bits, decibels, log_odds, odds, probability
from beliefs.update import update

pytestmark = pytest.mark.core  # runs with the core install alone (see test_core_install.py)

# Probabilities strictly inside (0, 1) whose log-odds are comfortably finite.
probs = st.floats(min_value=1e-9, max_value=1 - 1e-9, allow_nan=False)
ratios = st.floats(min_value=1e-8, max_value=1e8, allow_nan=False)


def lr(x, label="e"):
    return Evidence(label, likelihood_ratio=x)


# -- hand-worked examples ----------------------------------------------------

def test_stated_three_to_one_in_every_unit():
    # claims.md section 1: 0.75 / 0.25 = 3 = log2(3) bits = 10 log10(3) dB.
    item = Evidence("report like the 2025 report", p_e_given_h=0.75, p_e_given_not_h=0.25)
    assert item.likelihood_ratio == pytest.approx(3.0, rel=1e-15)
    assert item.bits == pytest.approx(1.5849625007211563, rel=1e-15)
    assert item.decibels == pytest.approx(4.771212547196624, rel=1e-15)
    assert f"{item.decibels:.2f}" == "4.77"
    assert update(0.5, [item]).posterior == pytest.approx(0.75, rel=1e-15)
    quarter = update(0.25, [item])
    assert quarter.prior_odds == pytest.approx(1 / 3, rel=1e-15)
    assert quarter.posterior == pytest.approx(0.5, rel=1e-15)
    assert quarter.posterior_odds_text == "1:1"


def test_arbital_diseasitis_two_to_eight_times_nine_to_three():
    # Arbital's odds-form example: (2:8) x (9:3) = 18:24 = 3:4, so 3/7.
    r = update(0.2, [Evidence("test", p_e_given_h=0.9, p_e_given_not_h=0.3)])
    assert r.prior_odds_text == "1:4"
    assert r.posterior_odds == pytest.approx(3 / 4, rel=1e-14)
    assert r.posterior == pytest.approx(3 / 7, rel=1e-14)
    assert r.posterior_odds_text == "1:1.33"  # 3:4 in the one ratio format


def test_extreme_prior_and_ratio_stay_exact_in_log_space():
    r = update(1e-12, [1e300])
    assert math.isfinite(r.posterior_odds)
    # Independent answer: odds(1e-12) * 1e300, computed as a product of floats.
    assert r.posterior_odds == pytest.approx(1e-12 / (1 - 1e-12) * 1e300, rel=1e-12)
    assert r.posterior_odds == pytest.approx(1e288, rel=1e-11)  # odds(1e-12) = 1e-12 (1 + 1e-12)
    assert r.posterior == 1.0
    assert r.posterior_complement == pytest.approx(1 / (1 + 1e288), rel=1e-12)
    assert r.posterior_odds_text == "1e288:1"


def test_odds_beyond_float_range_report_log10_not_nan():
    r = update(0.5, [1e300, 1e300])
    d = r.to_dict()
    assert d["posterior_odds"] is None
    assert d["posterior_log10_odds"] == pytest.approx(600, rel=1e-12)
    assert r.posterior == 1.0 and not math.isnan(r.posterior_complement)


@pytest.mark.parametrize("prior", [0.0, 1.0])
def test_certain_prior_is_explained_not_nan(prior):
    r = update(prior, [Evidence("e", likelihood_ratio=1e6)])
    assert r.posterior == prior
    assert r.certain
    assert "Cromwell" in r.note and "no finite" in r.note
    d = r.to_dict()
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in d.values())


def test_unit_conversions_against_definitions():
    assert log_odds(0.75) == pytest.approx(math.log(3), rel=1e-15)
    assert bits(math.log(8)) == pytest.approx(3.0, rel=1e-15)
    assert decibels(math.log(100)) == pytest.approx(20.0, rel=1e-15)  # Jaynes: 100:1 is 20 dB
    assert odds(0.2) == pytest.approx(0.25, rel=1e-15)
    assert probability(0.0) == 0.5
    assert probability(-700) == pytest.approx(math.exp(-700), rel=1e-15) and probability(800) == 1.0
    assert log_odds(1e-300) == pytest.approx(math.log(1e-300), rel=1e-15)


def test_discount_scales_log_ratio_and_groups_must_share_it():
    a = Evidence("a", likelihood_ratio=4, group="g", discount=0.5)
    b = Evidence("b", likelihood_ratio=9, group="g", discount=0.5)
    adjusted = update(0.5, [a, b])
    naive = update(0.5, [a, b], independent=True)
    assert adjusted.posterior_odds == pytest.approx(math.sqrt(4 * 9), rel=1e-14)
    assert naive.posterior_odds == pytest.approx(36, rel=1e-14)
    with pytest.raises(InputError, match=r"evidence\[1\]\.discount"):
        update(0.5, [a, Evidence("c", likelihood_ratio=2, group="g", discount=0.7)])


def test_disabled_items_do_not_count():
    on = Evidence("on", likelihood_ratio=3)
    off = Evidence("off", likelihood_ratio=100, enabled=False)
    r = update(0.25, [on, off])
    assert [c.label for c in r.items] == ["on"]
    assert r.posterior == pytest.approx(0.5, rel=1e-14)


# -- properties ---------------------------------------------------------------

@given(prior=probs, ratios=st.lists(ratios, min_size=0, max_size=8), data=st.data())
def test_order_invariance(prior, ratios, data):
    shuffled = data.draw(st.permutations(ratios))
    a = update(prior, [lr(x) for x in ratios])
    b = update(prior, [lr(x) for x in shuffled])
    # fsum is correctly rounded, so the order cannot change even the last bit.
    assert a.posterior_log_odds == b.posterior_log_odds


@given(prior=probs, peh=st.floats(1e-6, 1.0), pen=st.floats(1e-6, 1.0))
@example(prior=0.5, peh=0.75, pen=0.25)
def test_item_and_its_inverse_cancel(prior, peh, pen):
    e = Evidence("e", p_e_given_h=peh, p_e_given_not_h=pen)
    r = update(prior, [e, e.inverse()])
    assert r.log_lr == 0.0
    assert r.posterior == pytest.approx(prior, rel=1e-12)


@given(p1=probs, p2=probs, x=ratios)
def test_monotone_in_prior(p1, p2, x):
    lo, hi = sorted((p1, p2))
    assert update(lo, [lr(x)]).posterior <= update(hi, [lr(x)]).posterior


@given(prior=probs, x1=ratios, x2=ratios)
def test_monotone_in_ratio(prior, x1, x2):
    lo, hi = sorted((x1, x2))
    assert update(prior, [lr(lo)]).posterior_log_odds <= update(prior, [lr(hi)]).posterior_log_odds


@given(prior=probs, ratios=st.lists(st.floats(1e-300, 1e300), max_size=6))
def test_posterior_is_a_probability_and_odds_match(prior, ratios):
    r = update(prior, [lr(x) for x in ratios])
    assert 0.0 <= r.posterior <= 1.0
    assert 0.0 <= r.posterior_complement <= 1.0
    assert r.posterior + r.posterior_complement == pytest.approx(1.0, abs=1e-15)
    assert r.bits == pytest.approx(sum(c.bits for c in r.items), rel=1e-9, abs=1e-9)


@given(prior=probs, x=ratios)
def test_one_item_matches_bayes_rule_in_probability_form(prior, x):
    # Independent answer: P(H|E) = LR p / (LR p + 1 - p).
    expected = x * prior / (x * prior + (1 - prior))
    assert update(prior, [lr(x)]).posterior == pytest.approx(expected, rel=1e-9)


# -- bad input ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"p_e_given_h": 0.0, "p_e_given_not_h": 0.3}, "p_e_given_h"),
        ({"p_e_given_h": 0.5, "p_e_given_not_h": 0.0}, "p_e_given_not_h"),
        ({"p_e_given_h": 1.2, "p_e_given_not_h": 0.3}, "p_e_given_h"),
        ({"p_e_given_h": 0.5}, "p_e_given_not_h"),
        ({"likelihood_ratio": 0}, "likelihood_ratio"),
        ({"likelihood_ratio": -2}, "likelihood_ratio"),
        ({"likelihood_ratio": math.inf}, "likelihood_ratio"),
        ({"likelihood_ratio": math.nan}, "likelihood_ratio"),
        ({"likelihood_ratio": "three"}, "likelihood_ratio"),
        ({"likelihood_ratio": True}, "likelihood_ratio"),
        ({}, "likelihood_ratio"),
        ({"p_e_given_h": 0.75, "p_e_given_not_h": 0.25, "likelihood_ratio": 2}, "likelihood_ratio"),
        ({"likelihood_ratio": 2, "discount": 0}, "discount"),
        ({"likelihood_ratio": 2, "discount": 1.5}, "discount"),
        ({"likelihood_ratio": 2, "log_lr_sigma": -1}, "log_lr_sigma"),
    ],
)
def test_bad_evidence_names_the_field(kwargs, field):
    with pytest.raises(InputError, match=rf"^{field}"):
        Evidence("e", **kwargs)


@pytest.mark.parametrize("prior", [-0.1, 1.5, math.nan, math.inf, "abc", "", None, "0.5.1"])
def test_bad_prior_names_the_field(prior):
    with pytest.raises(InputError, match=r"^prior: got .*expected a probability in \[0, 1\]"):
        update(prior, [])


def test_percent_typed_prior_gets_a_hint():
    with pytest.raises(InputError, match=r"did you mean 0\.75\?"):
        update(75, [])


def test_the_largest_ratio_from_probabilities_stays_exact():
    # P(E|not H) at the smallest normal double: 1 / 2.2e-308 = 4.5e307, the largest ratio two likelihoods
    # give since a subnormal likelihood is refused (issue 22.14: 1e-310 was accepted with lost digits, and
    # its ratio overflowed a double).
    tiny = 2.2250738585072014e-308
    e = Evidence("x", p_e_given_h=1.0, p_e_given_not_h=tiny)
    assert e.log_lr == pytest.approx(-math.log(tiny), rel=1e-15) and e.likelihood_ratio == 1 / tiny
    r = update(0.5, [e])
    assert r.to_dict()["posterior_log10_odds"] == pytest.approx(-math.log10(tiny), rel=1e-12)
    with pytest.raises(InputError, match=r"p_e_given_not_h: got 1e-310.*2\.2e-308"):
        Evidence("x", p_e_given_h=1.0, p_e_given_not_h=1e-310)


def test_headline_numbers_are_exact_floats():
    # The odds come from a product of quotients, not exp(log): 0.75/0.25 is exactly 3.
    e = Evidence("stated", p_e_given_h=0.75, p_e_given_not_h=0.25)
    half = update(0.5, [e])
    assert (half.posterior, half.posterior_odds, half.posterior_complement) == (0.75, 3.0, 0.25)
    assert update(0.25, [e]).posterior == 0.5
    assert update(0.2, [Evidence("t", p_e_given_h=0.9, p_e_given_not_h=0.3)]).posterior == 3 / 7


@given(prior=probs, ratios=st.lists(ratios, min_size=1, max_size=8), data=st.data())
def test_linear_and_log_routes_agree_and_ignore_order(prior, ratios, data):
    items = [lr(x) for x in ratios]
    r = update(prior, items)
    shuffled = update(prior, data.draw(st.permutations(items)))
    assert r.posterior == shuffled.posterior and r.posterior_odds == shuffled.posterior_odds
    assert math.log(r.posterior_odds) == pytest.approx(r.posterior_log_odds, rel=1e-12, abs=1e-12)
    assert r.posterior == pytest.approx(probability(r.posterior_log_odds), rel=1e-12)


@given(prior=probs, ratios=st.lists(ratios, max_size=8))
def test_log_odds_path_walks_from_prior_to_posterior(prior, ratios):
    r = update(prior, [lr(x) for x in ratios])
    path = r.log_odds_path
    assert len(path) == len(ratios) + 1
    assert path[0] == r.prior_log_odds and path[-1] == r.posterior_log_odds
    # Independent answer: each step is the previous level times that item's ratio, in odds.
    for before, after, x in zip(path, path[1:], ratios, strict=False):
        assert after - before == pytest.approx(math.log(x), abs=1e-9)


def test_log_odds_path_of_a_certain_prior_does_not_move():
    assert update(0.0, [3.0, 5.0]).log_odds_path == (-math.inf,) * 3


# -- update_by_log_bf: a computed Bayes factor enters through update() --------------------------

def test_update_by_log_bf_hand_examples():
    from beliefs.update import update_by_log_bf

    # 1:3 x 3 = 1:1, the same posterior as update() with the ratio as an item.
    r = update_by_log_bf(0.25, math.log(3), "counts")
    assert r.posterior == pytest.approx(0.5, rel=1e-15) and r.posterior_odds_text == "1:1"
    assert [c.label for c in r.items] == ["counts"]
    # ln BF = 2000 nats cannot be one float ratio: ceil(2000 / 700) = 3 equal parts, summing to 2000.
    big = update_by_log_bf(0.5, -2000.0)
    assert len(big.items) == 3 and big.log_lr == pytest.approx(-2000.0, rel=1e-15)
    assert big.posterior_log_odds == pytest.approx(-2000.0, rel=1e-15) and not big.certain
    # e^-2000 = 10^-868.589 = 2.577e-869 (log10 by hand): shown from the log-odds, never "0%".
    assert format_probability(big.posterior_log_odds) == "2.58e-867%"


@given(probs, st.floats(min_value=-3000, max_value=3000, allow_nan=False))
def test_update_by_log_bf_adds_the_log_factor_to_the_prior_log_odds(p, log_bf):
    from beliefs.update import update_by_log_bf

    r = update_by_log_bf(p, log_bf)
    # Independent of the split into parts: the log-odds sum written out by hand.
    scale = abs(log_odds(p)) + abs(log_bf) + 1.0
    assert r.posterior_log_odds == pytest.approx(log_odds(p) + log_bf, abs=4e-15 * scale)
    assert sum(c.log_lr for c in r.items) == pytest.approx(log_bf, abs=4e-15 * scale)


@pytest.mark.parametrize("prior", [0.0, 1.0])
def test_update_by_log_bf_keeps_a_certain_prior_with_the_one_cromwell_note(prior):
    from beliefs.update import cromwell_note, update_by_log_bf

    r = update_by_log_bf(prior, -5000.0 if prior else 5000.0)
    assert r.posterior == prior and r.note == cromwell_note(prior)
    assert r.note.startswith(f"A prior of exactly {prior:g} is certainty")


def test_update_by_log_bf_carries_its_provenance_into_the_json():
    from beliefs.evidence import Provenance
    from beliefs.update import update_by_log_bf

    prov = Provenance("assumed n = 316 per evaluation", "exact", log10_bf_range=(-1.0, 2.0))
    d = update_by_log_bf(0.25, math.log(3), "counts", provenance=prov).to_dict()
    assert d["items"][0]["provenance"] == prov.to_dict()
    assert "provenance" not in update(0.25, [3.0]).to_dict()["items"][0]  # no new key without one


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "3 nats", None])
def test_update_by_log_bf_refuses_a_non_finite_factor(bad):
    from beliefs.update import update_by_log_bf

    with pytest.raises(InputError, match=r"^log_bf: got .*expected a finite log Bayes factor in nats"):
        update_by_log_bf(0.5, bad)


def test_cromwell_note_is_one_wording():
    from beliefs.update import CROMWELL_NOTE, cromwell_note

    assert cromwell_note(0.0) == (
        "A prior of exactly 0 is certainty: its odds are 0 and no finite likelihood ratio can move "
        "them (Cromwell's rule). Use a prior strictly between 0 and 1, however extreme, for evidence to count."
    )
    assert cromwell_note(of="probability").startswith("A probability of exactly 0 or 1 is certainty: its odds are 0 or infinite")
    assert update(1.0, [3.0]).note == cromwell_note(1.0) and "{" in CROMWELL_NOTE
