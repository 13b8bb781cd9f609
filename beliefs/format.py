"""Human-readable forms of probabilities, odds and evidence.

Used by the command line's tables and the app, so both show the same text.
"""

from __future__ import annotations

import math

from beliefs.odds import LN10, bits, decibels, probability

__all__ = [
    "format_evidence",
    "format_factor",
    "format_interval",
    "format_likelihood",
    "format_odds",
    "format_probability",
]

RATIO_DIGITS = 3  # significant digits of every ratio shown (112:1, 1:1.92): enough to tell 5:1 from 5.01:1
_EXP_NATS = math.log(1e6)  # beyond a million to one, odds read better as powers of ten


def _scientific(log10_value: float, *, pad: bool = False) -> str:
    """``10**log10_value`` as ``1.23e-600`` from its base-10 logarithm (no float ever holds the value).

    ``pad`` writes the exponent as Python's ``%g`` does (``1e-07``), for probabilities.
    """
    whole = math.floor(log10_value)
    mantissa = 10 ** (log10_value - whole)
    if round(mantissa, 2) >= 10:
        whole, mantissa = whole + 1, mantissa / 10
    exponent = f"{'-' if whole < 0 else '+'}{abs(whole):02d}" if pad else f"{whole}"
    return f"{mantissa:.3g}e{exponent}" if round(mantissa, 2) != 1 else f"1e{exponent}"


def _log10_probability(log_odds_nats: float) -> float:
    # log10 of 1/(1 + e^-x) = -softplus(-x)/ln 10, finite for any finite x (1e-300 * 1e-300 -> -600)
    y = -log_odds_nats
    softplus = y + math.log1p(math.exp(-y)) if y > 0 else math.log1p(math.exp(y))
    return -softplus / LN10


def _percent_small(log10_p: float, log_odds_nats: float) -> str:
    # A probability a double can hold is formatted as ever ("1e-07"); below that, from its logarithm.
    if log10_p > -300:
        return f"{100 * probability(log_odds_nats):.3g}"
    return _scientific(log10_p + 2, pad=True)


def format_probability(log_odds_nats: float) -> str:
    """Percent with enough digits; near 0 or 1, scientific notation from the log-odds.

    "0%"/"100%" with "(certain)" only for true certainty (infinite log-odds); a
    posterior of 1e-600 is "1e-598%" (as %g writes 1e-09 as "1e-07%"), never "0%", and 1 - 1e-600 is "100% - 1e-598%".

    >>> format_probability(-600 * LN10), format_probability(600 * LN10), format_probability(-9 * LN10)
    ('1e-598%', '100% - 1e-598%', '1e-07%')
    """
    if math.isnan(log_odds_nats):
        return "n/a"  # never "nan%": a probability that could not be computed is said to be missing
    if log_odds_nats == -math.inf:
        return "0% (certain)"
    if log_odds_nats == math.inf:
        return "100% (certain)"
    log10_p = _log10_probability(log_odds_nats)
    log10_q = _log10_probability(-log_odds_nats)
    if log10_q < -4:
        return f"100% - {_percent_small(log10_q, -log_odds_nats)}%"
    if log10_p < -4:
        return f"{_percent_small(log10_p, log_odds_nats)}%"
    return f"{100 * probability(log_odds_nats):.4g}%"


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


def format_interval(low: float, high: float) -> str:
    """An interval of probabilities, each end with enough digits that the two ends differ if they do.

    >>> format_interval(0.25, 0.5)
    '25% – 50%'
    >>> format_interval(0.49301, 0.49304)
    '49.301% – 49.304%'
    """
    from beliefs.odds import log_odds

    for digits in range(4, 13):
        lo_text = _percent_digits(low, digits)
        hi_text = _percent_digits(high, digits)
        if lo_text != hi_text or low == high:
            break
    if digits == 4:
        lo_text, hi_text = format_probability(log_odds(low)), format_probability(log_odds(high))
    return f"{lo_text} – {hi_text}"


def _percent_digits(p: float, digits: int) -> str:
    return f"{100 * p:.{digits}g}%"
