r"""Conversions between probability, odds, log-odds, bits and decibels.

All arithmetic on beliefs happens in log-odds (natural log, *nats*):

.. math::

    \lambda(p) = \ln\frac{p}{1-p},\qquad
    \text{bits} = \frac{\lambda}{\ln 2},\qquad
    \text{dB} = 10\log_{10}\frac{p}{1-p} = \frac{10\,\lambda}{\ln 10}

(decibels as in Jaynes, *Probability Theory*, ch. 4: 0 dB is even odds,
10 dB is 10:1).  Log space keeps extreme beliefs exact: odds of 1e-12 times a
likelihood ratio of 1e300 is 1e288, which a product of floats would still
reach but whose probability form ``1 - 1e-300`` would not.
"""

from __future__ import annotations

import math

__all__ = [
    "LN2",
    "LN10",
    "LogLRQuantities",
    "bits",
    "complement",
    "decibels",
    "log1mexp",
    "log10_or_none",
    "log_odds",
    "log_odds_from_log",
    "nats_from_bits",
    "nats_from_decibels",
    "odds",
    "odds_from_log_odds",
    "probability",
]

LN2 = math.log(2.0)
LN10 = math.log(10.0)


def log_odds(p: float) -> float:
    """Log-odds in nats; ``-inf`` at 0 and ``+inf`` at 1 (certainty), never NaN."""
    if p == 0.0:
        return -math.inf
    if p == 1.0:
        return math.inf
    # log(p) - log1p(-p) keeps precision for p near 0 and near 1.
    return math.log(p) - math.log1p(-p)


def log1mexp(x: float) -> float:
    r""":math:`\ln(1 - e^{x})` for :math:`x \le 0`: the log of a probability's complement from its log.

    ``expm1`` near 0 and ``log1p`` far from it (Maechler 2012), so neither
    :math:`1 - 10^{-300}` nor :math:`10^{-300}` loses its digits; ``-inf`` at 0.

    >>> log1mexp(-1e-300), log1mexp(-800.0), log1mexp(0.0)
    (-690.7755278982137, 0.0, -inf)
    """
    if x > -LN2:
        if x >= 0.0:
            if x == 0.0:
                return -math.inf
            raise ValueError(f"log1mexp needs x <= 0, got {x}")
        return math.log(-math.expm1(x))
    return math.log1p(-math.exp(x)) + 0.0  # + 0.0: ln(1 - 0) is 0, not "-0.0"


def log_odds_from_log(log_p: float) -> float:
    """Log-odds in nats of the probability whose natural log is ``log_p`` (``-inf`` at 0, ``+inf`` at 1).

    For results computed as logarithms (a chain's 1e-8774, a monitor's 1 - 1e-140): the
    formatter then writes them without ever rounding them to 0 or 1.

    >>> log_odds_from_log(math.log(0.25)) == log_odds(0.25), log_odds_from_log(-1e-300)
    (True, 690.7755278982137)
    """
    return log_p - log1mexp(log_p)


def log10_or_none(log_value: float) -> float | None:
    """A natural logarithm in base 10, for JSON; None for ln 0 = -inf (the probability is exactly 0).

    >>> log10_or_none(math.log(1e-5)), log10_or_none(-math.inf)
    (-5.0, None)
    """
    return log_value / LN10 if math.isfinite(log_value) else None


def probability(x: float) -> float:
    """Logistic function: the probability whose log-odds are ``x`` nats."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def complement(x: float) -> float:
    """``1 - probability(x)``, accurate when the probability is within 1e-16 of 1."""
    return probability(-x)


def odds(p: float) -> float:
    """Odds ``p / (1 - p)``; ``inf`` at p = 1."""
    if p == 1.0:
        return math.inf
    return p / (1.0 - p)


def odds_from_log_odds(x: float) -> float:
    """``exp(x)``, returning ``inf`` instead of raising when the odds exceed 1.8e308."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def bits(nats: float) -> float:
    """Convert nats of evidence (or log-odds) to bits."""
    return nats / LN2


def decibels(nats: float) -> float:
    """Convert nats of evidence (or log-odds) to decibels (10 log10)."""
    return 10.0 * nats / LN10


class LogLRQuantities:
    """``bits`` and ``decibels`` of a class's ``log_lr`` (nats): one definition for every result that holds evidence.

    >>> class Item(LogLRQuantities):
    ...     log_lr = math.log(8)
    >>> round(Item().bits, 12), round(Item().decibels, 4)
    (3.0, 9.0309)
    """

    @property
    def bits(self) -> float:
        return bits(self.log_lr)

    @property
    def decibels(self) -> float:
        return decibels(self.log_lr)


def nats_from_bits(b: float) -> float:
    return b * LN2


def nats_from_decibels(db: float) -> float:
    return db * LN10 / 10.0
