"""beliefs.analysis.pool: pooling forecasters, each against an independent answer."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.analysis.pool import parse_forecasts_csv, pool
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


