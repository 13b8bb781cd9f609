r"""What a person types into the app, parsed without traps.

Two traps this module removes:

* **Percent entry.**  In percent mode ``25``, ``25%`` and ``0.25%`` all mean
  what they say (25%, 25%, 0.25%).  A bare number below 1 (``0.75``) is
  *ambiguous*: it may be a fraction typed in the wrong mode.  It is taken as
  typed (0.75%) and flagged, never silently multiplied by 100, and no hint
  ever proposes a value 100 times away from the one typed.
* **A bad likelihood ratio.**  An item whose typed numbers are invalid keeps
  its last valid value, and the reason names the item by its label, not by
  its position (:func:`item_name`).

>>> parse_percent("25").probability, parse_percent("25%").probability, parse_percent("0.25%").probability
(0.25, 0.25, 0.0025)
>>> parse_percent("0.75").ambiguous, parse_percent("0.75%").ambiguous
(True, False)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal

from beliefs.errors import InputError
from beliefs.evidence import LIKELIHOOD, LIKELIHOOD_RATIO
from beliefs.odds import log_odds, nats_from_bits, nats_from_decibels, probability
from beliefs.validation import (
    MIN_NORMAL,
    as_float,
    as_probability,
    refuse_rounded_certainty,
    refuse_subnormal,
)

__all__ = [
    "MAX_COMPARED_PRIORS",
    "PRIOR_ENTRIES",
    "PercentEntry",
    "format_prior",
    "format_prior_list",
    "item_name",
    "parse_likelihood",
    "parse_percent",
    "parse_prior_list_text",
    "parse_prior_text",
    "parse_ratio",
]

PRIOR_ENTRIES = ("percent", "odds", "log-odds")  # the ways the exact prior may be typed
_MAX_PRIORS_TEXT = 2000  # characters of a typed list of priors (the length of a link parameter)
MAX_COMPARED_PRIORS = 20  # "the same evidence from other priors", typed or in a link

_PERCENT_ALLOWED = "a percentage in [0, 100], e.g. 25 or 25% or 0.25%"
_LOWEST_LOG_ODDS = math.log(MIN_NORMAL)  # -708.396: below it the prior would be a subnormal double
_RATIO_ALLOWED = "a likelihood ratio: a finite number > 0, e.g. 3, 0.33, 1e36, 3:1, 1:3 or 1/3"
_LIKELIHOOD_ALLOWED = "a probability in (0, 1], e.g. 0.75, 75% or 3/4"
_MAX_RATIO_TEXT = 140  # two 64-character numbers and a separator, with spaces


@dataclass(frozen=True)
class PercentEntry:
    """A percentage as typed: the probability it means and whether the text was ambiguous."""

    text: str
    probability: float
    ambiguous: bool  # a bare number in (0, 1): perhaps a fraction typed in percent mode

    def to_dict(self) -> dict:
        return {"text": self.text, "probability": self.probability, "ambiguous": self.ambiguous}

    def warning(self) -> str:
        """The flag the headline shows for an ambiguous entry ('' otherwise)."""
        if not self.ambiguous:
            return ""
        return (
            f"The prior was typed as {self.text.strip()!r} in percent mode and is taken as "
            f"{self.text.strip()}%. If you meant a fraction, switch the entry to odds or type a percent."
        )


def parse_percent(text: object, field: str = "prior") -> PercentEntry:
    r"""Parse a percentage; ``p = x / 100`` whether or not the ``%`` sign is typed.

    >>> parse_percent(" 12.5 % ").probability
    0.125
    >>> parse_percent("150")
    Traceback (most recent call last):
    ...
    beliefs.errors.InputError: prior: got '150'; expected a percentage in [0, 100], e.g. 25 or 25% or 0.25%
    """
    if not isinstance(text, str):
        text = str(text)
    body = text.strip()
    has_sign = body.endswith("%")
    if has_sign:
        body = body[:-1].strip()
    try:
        pct = as_float(body, field, _PERCENT_ALLOWED)
    except InputError:
        # No hint: the generic "did you mean 0.25?" is what once led users 100x astray.
        raise InputError(field, text, _PERCENT_ALLOWED) from None
    if not 0 <= pct <= 100:
        raise InputError(field, text, _PERCENT_ALLOWED)
    # 1e-400% is not 0%: refuse a value that only rounds to certainty (never the Cromwell note), and
    # 1e-320% one that a double holds with fewer digits.
    p = pct / 100
    refuse_rounded_certainty(field, text, p, exactly_certain=_exactly(body, (0, 100)), allowed=_PERCENT_ALLOWED)
    refuse_subnormal(field, text, p, allowed=_PERCENT_ALLOWED)
    return PercentEntry(text=text, probability=p, ambiguous=(not has_sign) and 0 < pct < 1)


def _exactly(body: str, values: tuple[int, ...]) -> bool:
    """Whether the decimal text itself (not its double) equals one of ``values``."""
    try:
        return Decimal(body) in values
    except ArithmeticError:
        return False


# Decimal arithmetic on what was typed, at any exponent: odds 1.4e-323:1e-323 are 7/12 exactly, though each
# side as a double is a subnormal with one or two digits (they would give 3/5).
_EXACT = Context(prec=40, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _odds_probability(left: str, right: str) -> float:
    """a / (a + b) from the typed decimals, correctly rounded to a double."""
    a, b = Decimal(left.strip()), Decimal(right.strip())
    return float(_EXACT.divide(a, _EXACT.add(a, b)))


def _odds_pair(text: object, field: str, allowed: str, sep: str = ":") -> tuple[float, float] | None:
    """``(a, b)`` from text typed as ``a:b`` (or ``a/b`` with ``sep="/"``); None when it has no single ``sep``."""
    if not isinstance(text, str) or text.count(sep) != 1:
        return None
    left, right = text.split(sep)
    return as_float(left, field, allowed), as_float(right, field, allowed)


def _quotient(text: object, field: str, allowed: str) -> float | None:
    """``a / b`` of text typed as ``a:b`` or ``a/b`` (both > 0, the quotient finite and > 0); None for a bare number."""
    if isinstance(text, str) and len(text) > _MAX_RATIO_TEXT:  # before any scan: linear at any size
        raise InputError(field, text, allowed)
    pair = _odds_pair(text, field, allowed) if isinstance(text, str) and ":" in text else _odds_pair(text, field, allowed, "/")
    if pair is None:
        return None
    a, b = pair
    if a <= 0 or b <= 0 or not math.isfinite(a / b) or a / b == 0:
        raise InputError(field, text, allowed)
    return a / b


def parse_ratio(text: object, field: str = "likelihood ratio") -> float:
    """Parse a likelihood ratio as people write it: ``3``, ``3:1``, ``1:3``, ``0.33``, ``1/3``, ``1e36``; no rounding.

    ``a:b`` and ``a/b`` are the quotient a / b (one correctly rounded division, so ``1:3`` is
    exactly ``1/3``).  Overflow is reported as such (``1e400`` is not a finite number), never as 0
    or infinity; text longer than 64 characters is refused before it is read.

    >>> parse_ratio("1e36"), parse_ratio("3:1"), parse_ratio("1:4"), parse_ratio(" 1/4 ")
    (1e+36, 3.0, 0.25, 0.25)
    """
    quotient = _quotient(text, field, _RATIO_ALLOWED)
    x = as_float(text, field, _RATIO_ALLOWED) if quotient is None else quotient
    if x <= 0:
        raise InputError(field, text, _RATIO_ALLOWED)
    # The item schema's rule, in the words of this box: 1e-320 (or 1e-160:1e160) is a subnormal double.
    refuse_subnormal(field, text, x, allowed=_RATIO_ALLOWED, advice=LIKELIHOOD_RATIO.advice)
    return x


def parse_likelihood(text: object, field: str = "P(E|H)") -> float:
    """Parse a likelihood P(E|H) typed as ``0.75``, ``75%`` or ``3/4``: a probability in (0, 1], as written.

    A bare number is a fraction (never silently read as percent: ``75`` is refused with the hint
    "did you mean 0.75?"); ``%`` makes it a percent.  0 is refused: it would make the evidence
    infinitely strong; so is a value below 2.2e-308 in every form (a double would hold fewer digits).

    >>> parse_likelihood("0.75"), parse_likelihood("75%"), parse_likelihood("3/4")
    (0.75, 0.75, 0.75)
    """
    if isinstance(text, str) and len(text) > _MAX_RATIO_TEXT:
        raise InputError(field, text, _LIKELIHOOD_ALLOWED)
    body = text.strip() if isinstance(text, str) else text
    if isinstance(body, str) and body.endswith("%"):
        pct = as_float(body[:-1], field, _LIKELIHOOD_ALLOWED)
        p = pct / 100
        if not 0 < pct <= 100 or p == 0:
            raise InputError(field, text, _LIKELIHOOD_ALLOWED)
        refuse_subnormal(field, text, p, allowed=_LIKELIHOOD_ALLOWED, advice=LIKELIHOOD.advice)
        return p
    if isinstance(body, str) and "/" in body:
        q = _quotient(body, field, _LIKELIHOOD_ALLOWED)
        if q is None or q > 1:
            raise InputError(field, text, _LIKELIHOOD_ALLOWED)
        refuse_subnormal(field, text, q, allowed=_LIKELIHOOD_ALLOWED, advice=LIKELIHOOD.advice)
        return q
    try:
        bare = as_float(text, field)
    except InputError:
        bare = math.nan  # not a number: as_probability says why, with its hints
    # The item schema's rule and advice before as_probability's (which gives a prior's advice)
    refuse_subnormal(field, text, bare, allowed=_LIKELIHOOD_ALLOWED, advice=LIKELIHOOD.advice)
    return as_probability(text, field, open_lower=True)


def item_name(label: str, index: int) -> str:
    """How an error names a ledger row: its label quoted, or ``item 3`` when it has none.

    >>> item_name("report", 0), item_name("  ", 2)
    ("'report'", 'item 3')
    """
    return repr(label) if label.strip() else f"item {index + 1}"


# -- the exact prior as typed: percent, odds or log-odds ----------------------------


def parse_prior_text(text: object, entry: str, field: str = "prior") -> float:
    r"""Parse the exact prior typed as a percent, odds ``a:b`` or log-odds in nats.

    .. math:: p = \frac{a}{a+b}, \qquad p = \frac{1}{1+e^{-\lambda}}

    >>> parse_prior_text("25", "percent"), parse_prior_text("1:3", "odds")
    (0.25, 0.25)
    >>> round(parse_prior_text("-1.0986122886681098", "log-odds"), 12)
    0.25
    """
    if entry == "percent":
        return parse_percent(text, field).probability  # 25, 25% and 0.25% as written
    if entry == "odds":
        allowed = "odds a:b with a, b >= 0 and not both 0, e.g. 1:3"
        pair = _odds_pair(text, field, allowed)
        if pair is None:
            raise InputError(field, text, allowed)
        a, b = pair
        if a < 0 or b < 0 or a + b == 0:
            raise InputError(field, text, allowed)
        # From the typed decimals (1:9 is exactly 0.1, 1e308:1e308 is 1/2, 1.4e-323:1e-323 is 7/12); a side
        # typed as 1e-400 is not 0, so the prior is then refused as rounding to 0, never made certain.
        left, right = text.split(":")
        p = _odds_probability(left, right)
        exact_zero = Decimal(left.strip()) == 0 or Decimal(right.strip()) == 0
        refuse_rounded_certainty(field, text, p, exactly_certain=exact_zero, allowed=allowed)
        refuse_subnormal(field, text, p, allowed=allowed)
        return p
    if entry == "log-odds":
        lam = _parse_log_odds(text, field)
        p = probability(lam)
        allowed = f"log-odds from {_LOWEST_LOG_ODDS:.6g} to +36.7 nats (the prior is kept as a probability)"
        refuse_rounded_certainty(field, text, p, exactly_certain=False, allowed=allowed)
        refuse_subnormal(field, text, p, allowed=allowed)
        return p
    raise InputError("entry", entry, "one of " + ", ".join(PRIOR_ENTRIES))


def _parse_log_odds(text: object, field: str) -> float:
    allowed = "log-odds in nats (or with a unit: '1.58 bits', '4.77 dB'), finite"
    if isinstance(text, str):
        t = text.strip().lower()
        for unit, convert in (("bits", nats_from_bits), ("bit", nats_from_bits), ("db", nats_from_decibels)):
            if t.endswith(unit):
                return convert(as_float(t[: -len(unit)], field, allowed))
        for unit in ("nats", "nat"):
            if t.endswith(unit):
                return as_float(t[: -len(unit)], field, allowed)
    return as_float(text, field, allowed)


def format_prior(p: float, entry: str) -> str:
    """The exact prior as it would be typed in ``entry`` form (inverse of :func:`parse_prior_text`).

    >>> format_prior(0.25, "percent"), format_prior(0.25, "odds"), format_prior(0.5, "log-odds")
    ('25', '1:3', '0')
    """
    if entry == "percent":
        return f"{100 * p:.12g}"
    if entry == "odds":
        if p == 1:
            return "1:0"
        if p == 0:
            return "0:1"
        o = p / (1 - p)
        if o >= 1:
            return f"{o:.12g}:1"
        return f"1:{1 / o:.12g}"
    lam = log_odds(p)
    if math.isinf(lam):
        return "inf" if lam > 0 else "-inf"
    return f"{lam:.12g}"


def parse_prior_list_text(text: object, entry: str, field: str = "compare priors") -> str:
    """Several priors typed as the exact prior is (``entry``), comma-separated, as the ``cmp`` field holds them.

    Each part goes through :func:`parse_prior_text`, so ``25, 20%`` in percent
    mode and ``1:3, 1:4`` in odds mode both mean 0.25 and 0.2; the result is
    the canonical probabilities (the share link's ``cmp``).  Errors name the
    part as ``compare priors[i]``.

    >>> parse_prior_list_text("25, 20%", "percent"), parse_prior_list_text("1:3,1:4", "odds")
    ('0.25,0.2', '0.25,0.2')
    >>> parse_prior_list_text(" ", "percent")
    ''
    """
    if not isinstance(text, str) or len(text) > _MAX_PRIORS_TEXT:
        raise InputError(field, text, f"priors as {entry} separated by commas")
    if not text.strip():
        return ""
    parts = text.split(",")
    if len(parts) > MAX_COMPARED_PRIORS:
        raise InputError(field, text, f"at most {MAX_COMPARED_PRIORS} priors")
    return ",".join(repr(parse_prior_text(part.strip(), entry, f"{field}[{i}]")) for i, part in enumerate(parts))


def format_prior_list(cmp: str, entry: str) -> str:
    """The ``cmp`` field's probabilities as they would be typed in ``entry`` form (inverse of the parser above).

    >>> format_prior_list("0.25,0.2", "percent"), format_prior_list("0.25", "odds")
    ('25, 20', '1:3')
    """
    if not cmp:
        return ""
    return ", ".join(format_prior(float(p), entry) for p in cmp.split(","))
