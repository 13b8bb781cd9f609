"""The one Beta type: BetaDist's two parametrizations and parse_beta, the Beta parser of untrusted input.

Oracles: the definitions alpha = kappa m, beta = kappa (1 - m) (round trips),
scipy.stats.beta's mean, and text built from known numbers.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from beliefs.errors import InputError
from beliefs.evidence import BetaDist, parse_beta

shapes = st.floats(1e-3, 1e6, allow_nan=False)
open_unit = st.floats(1e-6, 1 - 1e-6)


@given(a=shapes, b=shapes)
def test_mean_and_concentration_round_trip(a, b):
    d = BetaDist(a, b)
    assert d.mean == pytest.approx(stats.beta(a, b).mean(), rel=1e-12)
    assert d.concentration == pytest.approx(a + b, rel=1e-15)
    back = BetaDist.from_mean_concentration(d.mean, d.concentration)
    # The mean is rounded to an ulp, so the smaller shape (kappa times the smaller of m, 1 - m)
    # keeps a relative error of order eps * kappa / min(a, b): inherent in this parametrization.
    rel = 8 * 2.0**-52 * (a + b) / min(a, b)
    assert (back.alpha, back.beta) == pytest.approx((a, b), rel=rel)


@given(m=open_unit, kappa=st.floats(1e-3, 1e9))
def test_from_mean_concentration_definition(m, kappa):
    d = BetaDist.from_mean_concentration(m, kappa)
    assert (d.alpha, d.beta) == pytest.approx((kappa * m, kappa * (1 - m)), rel=1e-15)
    assert d.mean == pytest.approx(m, rel=1e-12) and d.concentration == pytest.approx(kappa, rel=1e-12)


@pytest.mark.parametrize(
    ("mean", "kappa", "field"),
    [(0.0, 10, "Per-step survival s"), (1.0, 10, "Per-step survival s"), (float("nan"), 10, "Per-step survival s"),
     (0.5, 0, "κ"), (0.5, -1, "κ"), (0.5, float("inf"), "κ"), ("abc", 1, "Per-step survival s")],
)  # fmt: skip
def test_from_mean_concentration_names_the_field_as_typed(mean, kappa, field):
    with pytest.raises(InputError) as info:
        BetaDist.from_mean_concentration(mean, kappa, mean_field="Per-step survival s", concentration_field="κ")
    assert info.value.field == field


@given(a=shapes, b=shapes, spaces=st.sampled_from(["", " ", "  "]))
def test_parse_beta_text_pair_and_instance_agree(a, b, spaces):
    text = f"{spaces}{a!r}{spaces},{spaces}{b!r}{spaces}"
    assert parse_beta(text, "--x") == parse_beta((a, b), "--x") == parse_beta(BetaDist(a, b), "--x") == BetaDist(a, b)


@given(text=st.text(max_size=40))
def test_parse_beta_of_any_text_is_a_beta_or_a_named_error(text):
    try:
        d = parse_beta(text, "--per-step-beta")
    except InputError as exc:
        assert exc.field.startswith("--per-step-beta")
    else:
        assert d.alpha > 0 and d.beta > 0 and math.isfinite(d.alpha + d.beta)


@pytest.mark.parametrize(
    ("value", "field"),
    [("98", "--per-step-beta"), ("1,2,3", "--per-step-beta"), (3.0, "--per-step-beta"), (None, "--per-step-beta"),
     ("0,2", "--per-step-beta alpha"), ("2,-1", "--per-step-beta beta"), ("nan,1", "--per-step-beta alpha"),
     ("1,inf", "--per-step-beta beta"), ((1, "x"), "--per-step-beta beta")],
)  # fmt: skip
def test_parse_beta_names_the_flag(value, field):
    with pytest.raises(InputError) as info:
        parse_beta(value, "--per-step-beta")
    assert info.value.field == field


def test_parse_beta_custom_parameter_names():
    with pytest.raises(InputError) as info:
        parse_beta("2,0", "--rate-if-h", names=(" A", " B"))
    assert info.value.field == "--rate-if-h B"
