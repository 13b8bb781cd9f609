"""Text forms shown in the CLI tables and the app."""

import math

import pytest

from beliefs.format import format_evidence, format_odds, format_probability, format_proportion
from beliefs.odds import LN10, log_odds

pytestmark = pytest.mark.core  # runs with the core install alone (see test_core_install.py)


# The one ratio format (issue 24.3): x:1 or 1:x, 3 significant digits, no trailing zeros, never a
# fraction of two arbitrary terms (the issue saw 561:5, 17:10, 1:1.92, 55.3:1 and 221.34087529142272).
@pytest.mark.parametrize(
    ("log_odds_nats", "text"),
    [
        (math.log(3), "3:1"),
        (math.log(1 / 3), "1:3"),
        (math.log(3 / 4), "1:1.33"),
        (0.0, "1:1"),
        (math.log(2.5), "2.5:1"),
        (math.log(1.25), "1.25:1"),
        (math.log(1 / 1.25), "1:1.25"),
        (math.log(561 / 5), "112:1"),
        (math.log(17 / 10), "1.7:1"),
        (math.log(1 / 1.92), "1:1.92"),
        (math.log(55.3), "55.3:1"),
        (math.log(221.34087529142272), "221:1"),
        (math.log(5.012), "5.01:1"),  # the log slider's drift from 5 is visible
        (math.log(1.9996), "2:1"),
        (math.log(9.996), "10:1"),
        (math.log(12345), "12300:1"),
        (math.log(999_999.6), "1e6:1"),
        (math.log(math.pi), "3.14:1"),
        (math.log(1 / math.pi), "1:3.14"),
        (288 * math.log(10), "1e288:1"),
        (-600 * math.log(10), "1:1e600"),
        (math.log(2e7), "2e7:1"),
        (math.inf, "1:0"),
        (-math.inf, "0:1"),
        (math.nan, "n/a"),
    ],
)
def test_format_odds(log_odds_nats, text):
    assert format_odds(log_odds_nats) == text


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.75, "75%"),
        (0.25, "25%"),
        (3 / 7, "42.86%"),
        (1e-9, "1e-07%"),
        (0.0, "0% (certain)"),
        (1.0, "100% (certain)"),
    ],
)
def test_format_probability(p, text):
    assert format_probability(log_odds(p)) == text


# A proportion (a measured rate, a mean prediction) in the one probability format: the digits of
# format_probability (the old ad-hoc f-strings gave 33.3%, and 100% for 0.99999), and its measured ends
# 0 and 1 without "(certain)".  Issue 24.3: catalogue figures, the Bayes-factor map's sentence, the
# data command and the data page's captions all go through it.
@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.13, "13%"),
        (1 / 3, "33.33%"),
        (0.003145, "0.3145%"),
        (0.99999, "100% - 0.001%"),
        (1e-9, "1e-07%"),
        (0.0, "0%"),
        (1.0, "100%"),
    ],
)
def test_format_proportion(p, text):
    assert format_proportion(p) == text


def test_probability_near_one_shows_distance_from_certainty():
    # 1 - 1e-12 cannot be printed as a percentage with few digits; show the gap.
    assert format_probability(-log_odds(1e-12)) == "100% - 1e-10%"


def test_format_evidence_matches_the_issue_text():
    assert format_evidence(math.log(3), 0.75, 0.25) == "0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB"
    assert format_evidence(math.log(0.5)) == "LR 1:2 = -1 bits = -3.01 dB"


@pytest.mark.parametrize(
    ("log_factor", "text"),
    [
        (math.log(3), "3"),
        (math.log(0.5), "0.5"),
        (math.log(123456), "1.235e+05"),  # %.4g below a million, as the data page showed
        (math.log(2.5e6), "2.5e6"),
        (300 * math.log(10), "1e300"),
        # Beyond any float: 10 ** (-2000 / ln 10) = 10 ** -868.589... = 2.577e-869 (log10 by hand).
        (-2000.0, "2.58e-869"),
        (math.inf, "inf"),
        (-math.inf, "0"),
        (math.nan, "n/a"),
    ],
)
def test_format_factor_reads_right_beyond_the_float_range(log_factor, text):
    from beliefs.format import format_factor

    assert format_factor(log_factor) == text


# -- plain fractions and values no double can hold (issue 25) --------------------------------------------------


def test_fraction_style_never_rounds_to_0_or_1():
    from beliefs.format import format_probability_log

    assert format_probability(math.log(0.393477 / (1 - 0.393477)), percent=False) == "0.393477"
    assert format_probability_log(10**6 * math.log(0.98), percent=False) == "1.1904e-8774"
    assert format_probability_log(-5.8e-140, percent=False) == "1 - 5.8e-140"
    assert format_probability_log(math.log1p(-1e-5), percent=False) == "1 - 1e-05"
    assert format_probability(math.inf, percent=False) == "1" and format_probability(-math.inf, percent=False) == "0"
    assert format_probability(math.inf) == "100% (certain)"


def test_mantissa_digits_are_what_the_log_carries():
    from beliefs.format import _scientific

    # 10^-8774: the log is exact to ~2e-12, so six digits; 10^-8.77e12: one; 10^-1e15: none, written as a power.
    assert _scientific(-8773.924, digits=6) == "1.19124e-8774"
    assert _scientific(-8.77e12 - 0.3, digits=6) == "5e-8770000000001"
    assert _scientific(-1.23456789e15, digits=6) == "10^(-1.23457e+15)"


def test_interval_ends_from_their_log_odds():
    from beliefs.format import format_interval

    assert format_interval(0.0, 0.0, log_odds=(-1000 * LN10, -999 * LN10)) == "1e-998% – 1e-997%"
