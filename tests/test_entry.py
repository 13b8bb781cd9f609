"""Entry without traps (beliefs/entry.py), stated-uncertainty tornado, interval text, analysis fields in the link."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from beliefs.analysis.tornado import plot_tornado_stated, tornado_stated
from beliefs.entry import parse_percent, parse_prior_text, parse_ratio
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence
from beliefs.format import format_interval
from beliefs.io.link import AppState, decode, encode
from beliefs.io.settings import defaults
from beliefs.update import update

# -- percent entry -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "p", "ambiguous"),
    [("25", 0.25, False), ("25%", 0.25, False), ("0.25%", 0.0025, False), (" 25 % ", 0.25, False),
     ("0.75", 0.0075, True), ("0", 0.0, False), ("100%", 1.0, False), ("1", 0.01, False)],
)  # fmt: skip
def test_percent_is_taken_as_written(typed, p, ambiguous):
    e = parse_percent(typed)
    assert e.probability == p
    assert e.ambiguous is ambiguous
    assert parse_prior_text(typed, "percent") == p
    assert bool(e.warning()) is ambiguous


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=100, allow_nan=False), st.booleans())
def test_percent_property_text_round_trip(x, sign):
    text = f"{x!r}{'%' if sign else ''}"
    if x / 100 in (0.0, 1.0) and x not in (0.0, 100.0):
        # Not 0 or 100 but rounds there as a probability: refused, never taken as certainty.
        with pytest.raises(InputError, match="rounds to exactly"):
            parse_percent(text)
        return
    if 0 < x / 100 < 2.2250738585072014e-308:
        # A subnormal probability keeps fewer digits: refused (issue 22.14), never used with the digits it lost.
        with pytest.raises(InputError, match=r"below 2\.2e-308"):
            parse_percent(text)
        return
    e = parse_percent(text)
    assert e.probability == x / 100
    assert e.ambiguous == (not sign and 0 < x < 1)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_percent_parser_never_raises_anything_but_input_error(text):
    try:
        e = parse_percent(text)
    except InputError as exc:
        assert "did you mean" not in str(exc)  # no hint may point 100x away
        assert str(exc).startswith("prior: got ")
    else:
        assert 0 <= e.probability <= 1


@pytest.mark.parametrize("bad", ["150", "-1", "25%%", "abc", "", "nan", "inf%"])
def test_percent_refuses_with_the_allowed_forms(bad):
    with pytest.raises(InputError, match=r"expected a percentage in \[0, 100\], e\.g\. 25 or 25% or 0\.25%$"):
        parse_percent(bad)


# -- ratios and the ledger --------------------------------------------------------------


def test_ratio_is_exact_and_overflow_is_named():
    assert parse_ratio("1e36") == 1e36
    assert parse_ratio("3") == 3.0
    assert parse_ratio("1:4") == 0.25
    with pytest.raises(InputError, match=r"got '1e400'"):
        parse_ratio("1e400")
    with pytest.raises(InputError, match=r"got '0'"):
        parse_ratio("0")


# -- intervals --------------------------------------------------------------------------


def test_interval_ends_never_read_the_same_when_they_differ():
    assert format_interval(0.49301, 0.49304) == "49.301% – 49.304%"
    assert format_interval(0.25, 0.5) == "25% – 50%"
    lo, hi = format_interval(0.4930001, 0.4930002).split(" – ")
    assert lo != hi


# -- stated-uncertainty tornado ----------------------------------------------------------


def test_tornado_stated_uses_each_items_own_range_and_ranks_them():
    sure = Evidence("sure", likelihood_ratio=3.0)
    vague = Evidence("vague", likelihood_ratio=3.0, log_lr_sigma=1.0)
    beta = Evidence(
        "beta", p_e_given_h=0.6, p_e_given_not_h=0.3,
        p_e_given_h_dist=BetaDist(6, 4), p_e_given_not_h_dist=BetaDist(3, 7),
    )  # fmt: skip
    r = tornado_stated(0.25, [sure, vague, beta], factor=1.5, interval=0.9)
    base = update(0.25, [sure, vague, beta]).posterior_log_odds
    assert r.base_log_odds == pytest.approx(base, abs=1e-12)
    by = dict(zip(r.labels, zip(r.low_log_odds, r.high_log_odds, r.loo_log_odds, strict=True), strict=True))
    z = stats.norm.ppf(0.95)  # independent of statistics.NormalDist used inside
    assert by["vague"][1] - base == pytest.approx(z * 1.0, rel=1e-12)
    assert by["sure"][1] - base == pytest.approx(math.log(1.5), rel=1e-12)
    h_lo, h_hi = stats.beta.ppf([0.05, 0.95], 6, 4)
    n_lo, n_hi = stats.beta.ppf([0.05, 0.95], 3, 7)
    assert by["beta"][0] - base == pytest.approx(math.log(h_lo / n_hi) - math.log(2), rel=1e-9)
    assert by["beta"][1] - base == pytest.approx(math.log(h_hi / n_lo) - math.log(2), rel=1e-9)
    assert by["beta"][2] == pytest.approx(update(0.25, [sure, vague]).posterior_log_odds, abs=1e-12)
    # Ranking: identical ratios, but the vague item's range is wider than x/÷ 1.5.
    assert r.labels.index("vague") < r.labels.index("sure")
    assert NormalDist().inv_cdf(0.95) == pytest.approx(z, rel=1e-12)


def test_tornado_stated_per_item_factor_and_discount():
    a = Evidence("a", likelihood_ratio=2.0, group="g", discount=0.5)
    b = Evidence("b", likelihood_ratio=2.0, group="g", discount=0.5)
    r = tornado_stated(0.5, [a, b], factor=2.0, factors=[4.0, None])
    base = update(0.5, [a, b]).posterior_log_odds
    assert r.labels[0] == "a"
    assert r.high_log_odds[0] - base == pytest.approx(0.5 * math.log(4.0), rel=1e-12)
    assert r.high_log_odds[1] - base == pytest.approx(0.5 * math.log(2.0), rel=1e-12)
    with pytest.raises(InputError, match=r"^factors: "):
        tornado_stated(0.5, [a, b], factors=[2.0])


# -- analysis settings in the link ----------------------------------------------------------


def test_analysis_settings_round_trip_through_the_link():
    values = {**defaults(), "an_target": 0.8, "an_factor": 3.0, "an_ifac": "2.0,,5.0", "an_crux": "greenblatt",
              "an_pool": "0.2, 0.4", "an_extr": 1.5}  # fmt: skip
    state = AppState(values=values, items=(Evidence("x", likelihood_ratio=3.0),))
    back, warnings = decode(encode(state))
    assert warnings == [] and back == state
    _, warnings = decode({"an_ifac": "0.5"})
    assert warnings and warnings[0].startswith("an_ifac[0]: got '0.5'")


def test_stated_tornado_plot_draws_its_rows():
    r = tornado_stated(0.25, [Evidence("a", likelihood_ratio=3.0), Evidence("b", likelihood_ratio=2.0, log_lr_sigma=0.8)])
    from tests.chart_checks import rows_of

    drawn = rows_of(plot_tornado_stated(r), "bar")[0]
    widths = sorted(round(x, 9) for v in drawn for x in (v["low"], v["high"]))
    rows = r.rows()
    assert widths == sorted(round(x, 9) for row in rows for x in (row["low_shift_pp"], row["high_shift_pp"]))
    assert r.to_csv().splitlines()[0].split(",")[:5] == ["label", "range_rule", "low_posterior", "high_posterior", "loo_posterior"]
