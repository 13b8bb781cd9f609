"""Human-readable forms of probabilities, odds and evidence.

Used by the command line's tables and the app, so both show the same text.
"""

from __future__ import annotations

import math
from fractions import Fraction

from beliefs.odds import LN10, bits, decibels, probability

__all__ = ["format_evidence", "format_odds", "format_odds_ratio", "format_probability"]

_SMALL_TERMS = 20  # odds like 3:4 or 9:3 are shown as such; anything else as decimals
_EXP_NATS = math.log(1e6)  # beyond a million to one, odds read better as powers of ten


def format_probability(log_odds_nats: float) -> str:
    """Percent with enough digits; near 0 or 1 shows how far from certainty it is."""
    if log_odds_nats == -math.inf:
        return "0% (certain)"
    if log_odds_nats == math.inf:
        return "100% (certain)"
    p = probability(log_odds_nats)
    q = probability(-log_odds_nats)
    if q < 1e-4:
        return f"100% - {100 * q:.3g}%"
    if p < 1e-4:
        return f"{100 * p:.3g}%"
    return f"{100 * p:.4g}%"


def format_odds(log_odds_nats: float) -> str:
    """Odds as ``a:b`` (``3:1``, ``1:3``, ``3:4``, ``1e288:1``)."""
    if log_odds_nats == math.inf:
        return "1:0"
    if log_odds_nats == -math.inf:
        return "0:1"
    if abs(log_odds_nats) > _EXP_NATS:
        exponent = abs(log_odds_nats) / LN10
        whole = math.floor(exponent)
        mantissa = 10 ** (exponent - whole)
        if round(mantissa, 2) >= 10:
            whole, mantissa = whole + 1, mantissa / 10
        big = f"{mantissa:.3g}e{whole}" if round(mantissa, 2) != 1 else f"1e{whole}"
        return f"{big}:1" if log_odds_nats > 0 else f"1:{big}"
    o = math.exp(log_odds_nats)
    frac = Fraction(o).limit_denominator(_SMALL_TERMS)
    if frac.numerator <= 1000 and math.isclose(float(frac), o, rel_tol=1e-9):
        return f"{frac.numerator}:{frac.denominator}"
    if o >= 1:
        return f"{o:.3g}:1"
    return f"1:{1 / o:.3g}"


def format_odds_ratio(log_lr: float) -> str:
    """A likelihood ratio written as odds (``3:1``)."""
    return format_odds(log_lr)


def format_evidence(log_lr: float, p_e_given_h: float | None = None, p_e_given_not_h: float | None = None) -> str:
    """``0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB`` (or ``LR 3:1 = ...``)."""
    head = f"{p_e_given_h:.4g} vs {p_e_given_not_h:.4g} = " if p_e_given_h is not None else "LR "
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
