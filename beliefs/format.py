"""Human-readable forms of probabilities, odds and evidence.

Used by the command line's tables and the app, so both show the same text.
"""

from __future__ import annotations

import math

from beliefs.odds import LN10, bits, decibels, log_odds, log_odds_from_log, probability

__all__ = [
    "format_evidence",
    "format_factor",
    "format_interval",
    "format_likelihood",
    "format_odds",
    "format_probability",
    "format_probability_log",
    "format_proportion",
]

RATIO_DIGITS = 3  # significant digits of every ratio shown (112:1, 1:1.92): enough to tell 5:1 from 5.01:1
_EXP_NATS = math.log(1e6)  # beyond a million to one, odds read better as powers of ten


_ULP_LOG = 2.0**-50  # a few ulps: the relative error of a logarithm handed to the formatter


def _scientific(log10_value: float, *, pad: bool = False, digits: int = 3) -> str:
    """``10**log10_value`` as ``1.23e-600`` from its base-10 logarithm (no float ever holds the value).

    ``pad`` writes the exponent as Python's ``%g`` does (``1e-07``), for probabilities.  The mantissa
    shows at most the digits the logarithm carries (its absolute error is a few ulps of its size): at
    ``10**-8.77e12`` that is one digit, and beyond ``10**-1e14`` none, where the value is written as a
    power of ten, ``10^(-1.23457e+15)``.
    """
    carried = math.floor(-math.log10(LN10 * _ULP_LOG * max(1.0, abs(log10_value))))
    digits = min(digits, carried)
    if digits < 1:
        return f"10^({log10_value:.6g})"
    whole = math.floor(log10_value)
    mantissa = 10 ** (log10_value - whole)
    text = f"{mantissa:.{digits}g}"
    if float(text) >= 10:  # 9.9996 rounds up to the next power of ten
        whole += 1
        text = f"{mantissa / 10:.{digits}g}"
    exponent = f"{'-' if whole < 0 else '+'}{abs(whole):02d}" if pad else f"{whole}"
    return f"{text}e{exponent}"


def _log10_probability(log_odds_nats: float) -> float:
    # log10 of 1/(1 + e^-x) = -softplus(-x)/ln 10, finite for any finite x (1e-300 * 1e-300 -> -600)
    y = -log_odds_nats
    softplus = y + math.log1p(math.exp(-y)) if y > 0 else math.log1p(math.exp(y))
    return -softplus / LN10


# How each style writes a probability: the unit's power of ten, its sign, "all of it", and the significant
# digits away from the ends and near them.  Percent is the app's and `update`'s; a plain fraction with six
# digits is what `chain` and `monitor` print (and their JSON holds).
_STYLES = {True: (2, "%", "100%", 4, 3), False: (0, "", "1", 6, 6)}


def _small(log10_p: float, log_odds_nats: float, percent: bool) -> str:
    # A probability a double can hold is formatted as ever ("1e-07"); below that, from its logarithm.
    shift, _, _, _, digits = _STYLES[percent]
    if log10_p > -300:
        return f"{10**shift * probability(log_odds_nats):.{digits}g}"
    return _scientific(log10_p + shift, pad=True, digits=digits)


def format_probability(log_odds_nats: float, *, percent: bool = True) -> str:
    """A probability from its log-odds: percent (``percent=True``) or a plain fraction; never rounded to 0 or 1.

    Near 0 or 1 it is written in scientific notation from the log-odds, so a value
    no double can hold keeps its digits: a posterior of 1e-600 is "1e-598%" (as
    %g writes 1e-09 as "1e-07%"), 1 - 1e-600 is "100% - 1e-598%"; as a fraction
    they are "1e-600" and "1 - 1e-600".  "0%"/"100%" with "(certain)" only for
    true certainty (infinite log-odds, from a typed 0 or 1); as a fraction, "0" and "1".

    >>> format_probability(-600 * LN10), format_probability(600 * LN10), format_probability(-9 * LN10)
    ('1e-598%', '100% - 1e-598%', '1e-07%')
    >>> format_probability(-8774 * LN10, percent=False), format_probability(320 * LN10, percent=False)
    ('1e-8774', '1 - 1e-320')
    """
    shift, unit, whole, digits, _ = _STYLES[percent]
    if math.isnan(log_odds_nats):
        return "n/a"  # never "nan%": a probability that could not be computed is said to be missing
    if math.isinf(log_odds_nats):
        value = whole if log_odds_nats > 0 else f"0{unit}"
        return f"{value} (certain)" if percent else value
    log10_p = _log10_probability(log_odds_nats)
    log10_q = _log10_probability(-log_odds_nats)
    if log10_q < -4:
        return f"{whole} - {_small(log10_q, -log_odds_nats, percent)}{unit}"
    if log10_p < -4:
        return f"{_small(log10_p, log_odds_nats, percent)}{unit}"
    return f"{10**shift * probability(log_odds_nats):.{digits}g}{unit}"


def format_probability_log(log_p: float, *, percent: bool = True) -> str:
    """:func:`format_probability` of a probability given by its natural log (a chain's, a monitor's).

    >>> format_probability_log(-8774 * LN10, percent=False), format_probability_log(-1e-300, percent=False)
    ('1e-8774', '1 - 1e-300')
    """
    return format_probability(log_odds_from_log(log_p), percent=percent)


def format_proportion(p: float) -> str:
    """A measured or stated proportion (a rate, a share, a mean prediction) as a percent: :func:`format_probability`.

    The same digits as every probability shown; only the ends differ: a proportion of exactly 0 or 1
    is what was counted or stated (0 of 40 tasks), so it reads ``0%`` / ``100%``, never ``(certain)``,
    which belongs to a typed prior or likelihood of 0 or 1.

    >>> format_proportion(0.13), format_proportion(1 / 3), format_proportion(0.99999), format_proportion(0.0)
    ('13%', '33.33%', '100% - 0.001%', '0%')
    """
    return format_probability(log_odds(p)).removesuffix(" (certain)")


def _significant(x: float, digits: int = RATIO_DIGITS) -> str:
    """``x`` (in [1, 1e6)) to ``digits`` significant digits, written out: 3, 1.5, 1.92, 112, 12300."""
    whole_digits = math.floor(math.log10(x)) + 1
    decimals = max(0, digits - whole_digits)
    text = f"{round(x, decimals - (0 if decimals else whole_digits - digits)):.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_odds(log_odds_nats: float) -> str:
    """THE ratio formatter: odds or a likelihood ratio as ``x:1`` or ``1:x`` from its natural log.

    One form for every ratio the library, the app, the exports and the command line show: the larger
    term is 1 written as ``1``, the other has :data:`RATIO_DIGITS` significant digits without trailing
    zeros (``112:1``, ``1:1.92``, ``1.5:1``); beyond a million to one, powers of ten (``1e288:1``).
    No ``561:5`` or ``17:10``: a reader compares two ratios by one number.

    >>> format_odds(math.log(221.34087529142272)), format_odds(math.log(1 / 1.92)), format_odds(math.log(1.25))
    ('221:1', '1:1.92', '1.25:1')
    """
    if math.isnan(log_odds_nats):
        return "n/a"
    if log_odds_nats == math.inf:
        return "1:0"
    if log_odds_nats == -math.inf:
        return "0:1"
    if abs(log_odds_nats) > _EXP_NATS:
        big = _scientific(abs(log_odds_nats) / LN10)
    else:
        big = _significant(math.exp(abs(log_odds_nats)))
        if big == "1000000":  # 999,999.6 rounds up to the next power of ten
            big = "1e6"
    return f"{big}:1" if log_odds_nats >= 0 else f"1:{big}"


def format_factor(log_factor: float) -> str:
    """A ratio (a Bayes factor) from its natural log: 4 significant digits, beyond a million as ``1.23e300``.

    Written from the logarithm, so a factor no float can hold still reads right.

    >>> format_factor(math.log(3)), format_factor(700 * LN10), format_factor(-2000.0)
    ('3', '1e700', '2.58e-869')
    """
    if math.isnan(log_factor):
        return "n/a"
    if math.isinf(log_factor):
        return "inf" if log_factor > 0 else "0"
    if abs(log_factor) < _EXP_NATS:
        return f"{math.exp(log_factor):.4g}"
    return _scientific(log_factor / LN10)


def format_likelihood(p: float) -> str:
    """A conditional probability P(E|H) as a fraction with 4 significant digits (``0.75``, ``0.004``).

    Likelihoods are written as fractions, as people state them ("0.75 vs 0.25"); a posterior or a
    prior, a belief, as a percent (:func:`format_probability`).

    >>> format_likelihood(0.75), format_likelihood(1 / 3), format_likelihood(1.0)
    ('0.75', '0.3333', '1')
    """
    return f"{p:.4g}"


def format_evidence(log_lr: float, p_e_given_h: float | None = None, p_e_given_not_h: float | None = None) -> str:
    """``0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB`` (or ``LR 3:1 = ...``)."""
    head = f"{format_likelihood(p_e_given_h)} vs {format_likelihood(p_e_given_not_h)} = " if p_e_given_h is not None else "LR "
    return f"{head}{format_odds(log_lr)} = {bits(log_lr):.3g} bits = {decibels(log_lr):.3g} dB"


def format_interval(low: float, high: float, *, log_odds: tuple[float, float] | None = None) -> str:
    """An interval of probabilities, each end with enough digits that the two ends differ if they do.

    ``log_odds`` gives the ends' exact log-odds where the doubles ``low``/``high`` may have rounded
    to 0 or 1 (a chain's interval at 1e-1000).

    >>> format_interval(0.25, 0.5)
    '25% – 50%'
    >>> format_interval(0.49301, 0.49304)
    '49.301% – 49.304%'
    >>> format_interval(0.0, 0.0, log_odds=(-1000 * LN10, -999 * LN10))
    '1e-998% – 1e-997%'
    """
    from beliefs.odds import log_odds as to_log_odds

    for digits in range(4, 13):
        lo_text = _percent_digits(low, digits)
        hi_text = _percent_digits(high, digits)
        if lo_text != hi_text or low == high:
            break
    if digits == 4:
        lo_x, hi_x = log_odds if log_odds is not None else (to_log_odds(low), to_log_odds(high))
        lo_text, hi_text = format_probability(lo_x), format_probability(hi_x)
    return f"{lo_text} – {hi_text}"


def _percent_digits(p: float, digits: int) -> str:
    return f"{100 * p:.{digits}g}%"
