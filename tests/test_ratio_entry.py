"""Ratio entry as people think (issue 24.1, 24.3): the parser, the one ratio format and the slider's stops.

Typed and arrow-key paths never leave the set of typed or stop values: every stop's text parses back
to that stop exactly, a typed ratio is a slider position of its own, and a walk of arrow presses from
any typed ratio visits only stops (and the typed value itself).
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.entry import parse_likelihood, parse_ratio
from beliefs.errors import InputError
from beliefs.format import format_likelihood, format_odds
from beliefs.ratio_scale import STOPS, entry_text, nearest_stop, ratio_words, slider_options

pytestmark = pytest.mark.core

# The ratios the issue names, each as people type it.
TYPED = [
    ("3", 3.0),
    ("3:1", 3.0),
    ("1:3", 1 / 3),
    ("0.33", 0.33),
    ("1/3", 1 / 3),
    (" 1 / 3 ", 1 / 3),
    ("5:4", 1.25),
    ("3:2", 1.5),
    ("1e36", 1e36),
    ("1e-300:1", 1e-300),
    ("221.34087529142272", 221.34087529142272),
]


@pytest.mark.parametrize(("text", "value"), TYPED)
def test_ratios_are_taken_as_written(text, value):
    assert parse_ratio(text) == value  # exact: a:b and a/b are one correctly rounded division


@pytest.mark.parametrize(
    "text",
    ["0", "-2", "3:0", "0:3", "1/0", "abc", "3:1:1", "1/2/3", "3:1/2", "1e400", "1e-400", "", "   ", "1:1e-400",
     "inf", "nan", "３", "1_000", "3 to 1", "1" * 200],
)  # fmt: skip
def test_a_bad_ratio_names_the_field_the_value_and_what_is_allowed(text):
    with pytest.raises(InputError) as err:
        parse_ratio(text, "likelihood ratio")
    message = str(err.value)
    assert message.startswith("likelihood ratio: got ")
    assert "expected a likelihood ratio: a finite number > 0, e.g. 3, 0.33, 1e36, 3:1, 1:3 or 1/3" in message


def test_the_parser_refuses_a_megabyte_at_once():
    """Linear time at any size: text past the cap is refused before it is scanned."""
    for text in ("1" * 1_000_000, "1:" * 500_000, "1/" * 500_000):
        with pytest.raises(InputError):
            parse_ratio(text)


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_any_text_gives_a_ratio_or_a_message(text):
    try:
        x = parse_ratio(text)
    except InputError as exc:
        assert str(exc).startswith("likelihood ratio: got ")
    else:
        assert math.isfinite(x) and x > 0


@given(st.integers(1, 10**6), st.integers(1, 10**6))
@settings(max_examples=200, deadline=None)
def test_odds_and_fractions_are_the_quotient(a, b):
    assert parse_ratio(f"{a}:{b}") == parse_ratio(f"{a}/{b}") == a / b


@given(st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False))
@settings(max_examples=300, deadline=None)
def test_a_typed_number_round_trips_and_its_text_is_within_three_digits(x):
    assert parse_ratio(repr(x)) == x
    shown = entry_text(x)
    # The one format: x:1 or 1:x, the other term with at most 3 significant digits (or a power of ten).
    assert re.fullmatch(r"(1:)?([0-9.]+|[0-9.]+e-?[0-9]+)(:1)?", shown) and shown.count(":") == 1
    big = shown.replace("1:", "", 1) if shown.startswith("1:") else shown.removesuffix(":1")
    if "e" not in big:
        assert len(big.replace(".", "").strip("0")) <= 3
    # What the box shows parses back to the value within the rounding of 3 significant digits.
    if 1e-6 < x < 1e6:
        assert parse_ratio(shown) == pytest.approx(x, rel=5e-3)


def test_every_stop_reads_back_exactly_and_the_named_ratios_are_stops():
    assert list(STOPS) == sorted(STOPS) and len(set(STOPS)) == len(STOPS)
    for stop in STOPS:
        assert parse_ratio(entry_text(stop)) == stop
        assert parse_ratio(entry_text(1 / stop)) in STOPS  # inverses too
    for named in ("1:1", "5:4", "3:2", "2:1", "3:1", "5:1", "10:1", "20:1", "100:1"):
        a, b = named.split(":")
        assert parse_ratio(named) in STOPS and parse_ratio(f"{b}:{a}") in STOPS
    # Fine steps between the named ones, and the scale ends beyond 100:1 each way.
    assert len(STOPS) > 40 and min(STOPS) <= 1 / 1000 and max(STOPS) >= 1000


@pytest.mark.parametrize(
    ("lr", "words"),
    [(3.0, "3:1 for H"), (1 / 3, "3:1 against H"), (1.0, "1:1, neither way"), (1.25, "1.25:1 for H"),
     (1 / 1.25, "1.25:1 against H"), (1.0001, "1:1 for H"), (221.34087529142272, "221:1 for H")],
)  # fmt: skip
def test_slider_labels_are_words(lr, words):
    assert ratio_words(lr) == words


_positive = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(_positive, st.lists(st.sampled_from([-1, 1]), max_size=40))
@settings(max_examples=200, deadline=None)
def test_arrow_keys_from_any_typed_ratio_visit_only_stops_and_the_typed_value(typed, presses):
    """The slider's options are the stops plus the item's own ratio; a press moves one option."""
    value = typed
    for step in presses:
        options = slider_options(value)
        assert value in options and list(options) == sorted(options)
        i = options.index(value)
        value = options[min(len(options) - 1, max(0, i + step))]
        assert value in STOPS or value == typed
        # The box beside the slider shows a text that is this value exactly (a stop) or was typed.
        assert value == typed or parse_ratio(entry_text(value)) == value


def test_a_typed_ratio_is_its_own_slider_position_between_its_neighbours():
    options = slider_options(3.7)
    i = options.index(3.7)
    assert (options[i - 1], options[i + 1]) == (3.5, 4.0)
    assert slider_options(3.0) == STOPS  # a stop adds nothing
    assert nearest_stop(3.7) == 3.5 and nearest_stop(0.34) == 1 / 3


# -- likelihoods --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "p"),
    [("0.75", 0.75), ("75%", 0.75), (" 75 % ", 0.75), ("3/4", 0.75), ("1", 1.0), ("0.4%", 0.004), ("1e-9", 1e-9)],
)
def test_likelihoods_are_taken_as_written(text, p):
    assert parse_likelihood(text, "P(E|H)") == p


@pytest.mark.parametrize(
    ("text", "hint"),
    [("0", "infinitely strong"), ("75", "did you mean 0.75?"), ("0%", ""), ("150%", ""), ("4/3", ""), ("1/0", ""),
     ("x", ""), ("1" * 200, "")],
)  # fmt: skip
def test_a_bad_likelihood_names_the_field(text, hint):
    with pytest.raises(InputError) as err:
        parse_likelihood(text, "P(E|not H)")
    message = str(err.value)
    assert message.startswith("P(E|not H): got ") and "probability in (0, 1]" in message
    assert hint in message


@pytest.mark.parametrize("text", ["1e-320", "1e-318%", "1e-320/1"])
def test_a_subnormal_likelihood_is_refused_in_every_form_it_can_be_typed(text):
    # numerics' rule for every typed probability: below 2.2e-308 a double keeps fewer digits (1e-320 is 9.88e-321).
    with pytest.raises(InputError) as err:
        parse_likelihood(text, "P(E|H)")
    message = str(err.value)
    assert message.startswith(f"P(E|H): got {text!r}") and "2.2e-308" in message, message


@given(st.floats(min_value=1e-12, max_value=1.0))
@settings(max_examples=200, deadline=None)
def test_a_likelihood_box_shows_four_digits_and_reads_back_near(p):
    shown = format_likelihood(p)
    assert parse_likelihood(shown) == pytest.approx(p, rel=1e-3)


def test_format_odds_is_the_one_ratio_format():
    """The formatter the slider, the box, the item line and the summary all use."""
    assert entry_text(221.34087529142272) == format_odds(math.log(221.34087529142272)) == "221:1"
