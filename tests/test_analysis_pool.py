"""beliefs.analysis.pool: pooling forecasters, each against an independent answer."""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.analysis.pool import neyman_roughgarden_factor, parse_forecasts_csv, pool
from beliefs.errors import CertaintyError, InputError

probs = st.floats(min_value=1e-9, max_value=1 - 1e-9, allow_nan=False)


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




# -- Neyman and Roughgarden's extremizing factor ---------------------------------------------------------


def _nr_exact(n: int) -> mpmath.mpf:
    """d(n) = n (sqrt(3n^2 - 3n + 1) - 2) / (n^2 - n - 1) at 50 digits."""
    with mpmath.workdps(50):
        n = mpmath.mpf(n)
        return n * (mpmath.sqrt(3 * n**2 - 3 * n + 1) - 2) / (n**2 - n - 1)


@pytest.mark.parametrize(
    ("n", "published"),
    # evidence.md, "Methods with published test cases": FRI aggutils / Neyman and Roughgarden (2021).
    [(1, 1.0), (2, 1.2915), (3, 1.4153), (10, 1.6250)],
)
def test_nr_factor_matches_the_published_values_and_the_closed_form(n, published):
    d = neyman_roughgarden_factor(n)
    assert d == pytest.approx(published, abs=5e-5)  # published to 4 decimals
    assert d == pytest.approx(float(_nr_exact(n)), rel=4e-16)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 50_000_000))
def test_nr_factor_against_mpmath_rises_toward_sqrt3(n):
    d = neyman_roughgarden_factor(n)
    assert d == pytest.approx(float(_nr_exact(n)), rel=1e-15)
    assert 1.0 <= d < math.sqrt(3)
    assert neyman_roughgarden_factor(n + 1) > d


def test_nr_factor_tends_to_sqrt3():
    # d(n) = sqrt(3) - (2 - sqrt(3)/2 ... ) / n + O(1/n^2): the gap to sqrt(3) shrinks like 1/n.
    with mpmath.workdps(50):
        limit = mpmath.limit(lambda n: n * (mpmath.sqrt(3 * n**2 - 3 * n + 1) - 2) / (n**2 - n - 1), mpmath.inf)
    assert float(limit) == pytest.approx(math.sqrt(3), rel=1e-15)
    gaps = [math.sqrt(3) - neyman_roughgarden_factor(n) for n in (10**3, 10**4, 10**5)]
    assert gaps[0] > gaps[1] > gaps[2] > 0
    assert gaps[0] / gaps[1] == pytest.approx(10, rel=1e-2) and gaps[1] / gaps[2] == pytest.approx(10, rel=1e-2)


def test_sevillas_example_geometric_mean_of_odds_and_nr():
    # evidence.md: forecasts 1.40%, 2.21%, 0.39%, 0.40% -> arithmetic mean 1.10%, geometric mean of odds 0.836%.
    ps = [0.0140, 0.0221, 0.0039, 0.0040]
    plain = pool(ps)
    assert round(100 * plain.pooled_probability, 3) == 0.836
    assert round(100 * plain.arithmetic_mean, 2) == 1.10
    r = pool(ps, extremize="nr")
    assert r.extremize_method == "nr" and r.extremize == neyman_roughgarden_factor(4)
    with mpmath.workdps(50):
        mean_logit = mpmath.fsum(mpmath.log(mpmath.mpf(p) / (1 - mpmath.mpf(p))) for p in ps) / 4
        want = 1 / (1 + mpmath.exp(-_nr_exact(4) * mean_logit))
        want_plain = 1 / (1 + mpmath.exp(-mean_logit))
    assert r.pooled_probability == pytest.approx(float(want), rel=1e-13)
    assert r.to_dict()["unextremized"] == pytest.approx(float(want_plain), rel=1e-13)
    assert r.arithmetic_mean == plain.arithmetic_mean  # extremizing leaves the arithmetic mean alone
    text = r.text()
    assert "Neyman-Roughgarden d for n = 4" in text and "not extremized" in text and "0.8358%" in text


def test_nr_is_case_blind_and_equal_weights_are_no_weights():
    ps = [0.2, 0.3, 0.9]
    assert pool(ps, [2, 2, 2], extremize=" NR ").pooled_log_odds == pool(ps, extremize="nr").pooled_log_odds


@pytest.mark.parametrize("weights", [[1, 2, 1], [1, 1, 0]])
def test_nr_refuses_unequal_weights_with_the_reason(weights):
    with pytest.raises(InputError, match=r"^weights: got .*equally weighted forecasters"):
        pool([0.2, 0.3, 0.9], weights, extremize="nr")


def test_an_unknown_extremize_word_names_nr():
    with pytest.raises(InputError, match=r"^extremize: got 'nrr'.*'nr'"):
        pool([0.2, 0.3], extremize="nrr")
