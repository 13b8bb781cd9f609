"""Boundary checks: every rejection names the field, the value and what is allowed."""

import math

import pytest

from beliefs.errors import InputError
from beliefs.validation import as_count, as_float, as_float_list, as_positive, as_probability

pytestmark = pytest.mark.core  # runs with the core install alone (see test_core_install.py)


@pytest.mark.parametrize("value", ["0.25", " 0.25 ", 0.25, 1, 0, "1e-3"])
def test_probability_accepts_numbers_and_numeric_text(value):
    assert as_probability(value, "p") == float(value)


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        (-0.1, r"^p: got -0\.1; expected a probability in \[0, 1\]$"),
        (float("nan"), r"^p: got nan"),
        ("inf", r"^p: got 'inf'"),
        ("", r"^p: got ''"),
        ("75%", r"did you mean 0\.75\?"),
        (40, r"did you mean 0\.4\?"),
        (True, r"^p: got true"),
        ([0.5], r"^p: got \[0\.5\]"),
        ("x" * 100, r"^p: got 'x+\.\.\.x+'; expected"),
    ],
)
def test_probability_rejections(value, pattern):
    with pytest.raises(InputError, match=pattern):
        as_probability(value, "p")


def test_open_bounds_explain_why():
    with pytest.raises(InputError, match=r"\(0, 1\].*infinitely strong evidence"):
        as_probability(0, "p_e_given_h", open_lower=True)
    with pytest.raises(InputError, match=r"certainty"):
        as_probability(1, "target", open_lower=True, open_upper=True)


def test_input_error_is_a_value_error_with_fields():
    with pytest.raises(ValueError) as info:
        as_positive("-2", "--lr")
    err = info.value
    assert (err.field, err.value) == ("--lr", "-2")
    assert "> 0" in err.allowed


@pytest.mark.parametrize(("value", "expected"), [(3, 3), ("7", 7), (4.0, 4), (0, 0)])
def test_count_accepts_whole_numbers(value, expected):
    assert as_count(value, "k") == expected


@pytest.mark.parametrize("value", [-1, 2.5, "2.5", "two", math.nan, True, None, ""])
def test_count_rejects(value):
    with pytest.raises(InputError, match=r"^k: .*whole number"):
        as_count(value, "k")


def test_count_maximum():
    with pytest.raises(InputError, match=r"<= 10"):
        as_count(11, "k", maximum=10)


def test_float_list():
    assert as_float_list("1, 2,3", "--k") == ["1", "2", "3"]
    for bad in ["", "1,,2", "1,", []]:
        with pytest.raises(InputError, match="--k"):
            as_float_list(bad, "--k")
    assert as_float("1e300", "x") == 1e300
