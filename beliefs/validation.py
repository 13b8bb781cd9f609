"""Parse and check user-supplied numbers at the boundary.

Each checker takes the raw value (a number or the text the user typed) and the
field name the user knows it by, and returns a clean float/int or raises
:class:`~beliefs.errors.InputError`.  Nothing is clamped: a value outside the
allowed range is an error, never silently moved inside it.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from numbers import Integral, Real

from beliefs.errors import InputError

__all__ = [
    "AS_ODDS",
    "as_count",
    "as_float",
    "as_float_list",
    "as_positive",
    "as_probability",
    "refuse_rounded_certainty",
    "refuse_subnormal",
    "refuse_surrogates",
    "rounding_hint",
]

_MAX_TEXT = 64  # longer "numbers" are garbage, not precision
MIN_NORMAL = 2.2250738585072014e-308  # below this a double is subnormal and keeps fewer than 16 digits
# How to give a probability closer to 0 or 1 than a double can hold.
AS_ODDS = (
    "give it as odds instead: a prior of 0.5 times likelihood ratios whose product is the odds "
    "you mean (e.g. 1e-200 twice for odds 1e-400)"
)
# ASCII decimal numerals only: Python's float()/int() also take "١", "０.５" and "1_000", which a reader
# of the input (or of a shared file) would not read as the number the program used.
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_ASCII_NOTE = "ASCII digits only, like 0.25 or 1e-6 (no other scripts, full-width digits or _ separators)"


def _numeral_hint(text: str) -> str:
    return _ASCII_NOTE if not text.isascii() or "_" in text else ""


def as_float(value: object, field: str, allowed: str = "a finite number") -> float:
    """Return ``value`` as a finite float, or raise naming ``field``."""
    if isinstance(value, bool):
        raise InputError(field, value, allowed)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise InputError(field, value, allowed)
        if len(text) > _MAX_TEXT:
            raise InputError(field, value, allowed)
        if text.endswith("%"):
            raise InputError(field, value, allowed, hint=_percent_hint(text[:-1]))
        if not _DECIMAL.fullmatch(text):
            raise InputError(field, value, allowed, hint=_numeral_hint(text))
        number = float(text)
    elif isinstance(value, Real):
        number = float(value)
    else:
        raise InputError(field, value, allowed)
    if not math.isfinite(number):
        raise InputError(field, value, allowed)
    return number + 0.0  # -0.0 becomes 0.0: "-0" is zero, and must never print as "exactly -0"


def _percent_hint(text: str) -> str:
    try:
        return f"did you mean {float(text) / 100:g}?"
    except ValueError:
        return ""


def as_probability(
    value: object,
    field: str,
    *,
    open_lower: bool = False,
    open_upper: bool = False,
) -> float:
    """Return a probability, or raise naming ``field``.

    ``open_lower``/``open_upper`` exclude 0/1 where such a value would make
    evidence infinite (a likelihood of 0) rather than merely certain.
    """
    lo = "(0" if open_lower else "[0"
    hi = "1)" if open_upper else "1]"
    allowed = f"a probability in {lo}, {hi}"
    odds_hint = _odds_hint(value)
    if odds_hint:
        raise InputError(field, value, allowed, hint=odds_hint)
    number = as_float(value, field, allowed)
    _refuse_rounded_certainty(value, number, field, allowed)
    bad = number < 0 or number > 1 or (open_lower and number == 0) or (open_upper and number == 1)
    if bad:
        hint = ""
        if 1 < number <= 100:
            hint = f"did you mean {number / 100:g}? probabilities are fractions, not percent"
        elif number == 0 and open_lower:
            hint = "a likelihood of exactly 0 would be infinitely strong evidence"
        elif number == 1 and open_upper:
            hint = "a probability of exactly 1 is certainty"
        raise InputError(field, value, allowed, hint=hint)
    return number


def _refuse_rounded_certainty(value: object, number: float, field: str, allowed: str) -> None:
    """A typed probability that a double cannot hold is refused: one that only rounds to 0 or 1 (never
    made certain) and one below the smallest normal double (never silently given fewer digits)."""
    if not isinstance(value, str):
        return
    if number in (0.0, 1.0):
        # value is an ASCII decimal numeral (as_float checked); Decimal is exact and cheap at any exponent
        refuse_rounded_certainty(field, value, number, exactly_certain=Decimal(value.strip()) in (0, 1), allowed=allowed)
    refuse_subnormal(field, value, number, allowed=allowed)


def refuse_subnormal(field: str, value: object, p: float, *, allowed: str, advice: str = AS_ODDS) -> None:
    """Raise when a typed probability ``p`` lies below the smallest normal double, 2.2e-308.

    There a double keeps fewer digits (1e-320 is held as 9.88e-321, an odds prior
    ``1.4e-323:1e-323`` read as two such doubles is 3:2): the value is refused, the same
    way in every form it can be typed, never computed with the digits it lost.  ``advice`` ends
    the message (by default: how to give such a prior as odds).

    >>> refuse_subnormal("prior", "1e-300", 1e-300, allowed="a probability")
    """
    if 0.0 < p < MIN_NORMAL:
        raise InputError(
            field,
            value,
            allowed,
            hint=(
                "this is below 2.2e-308, the smallest double that keeps full precision "
                "(1e-320 would be held as 9.88e-321)" + (f"; {advice}" if advice else "")
            ),
        )


def refuse_rounded_certainty(field: str, value: object, p: float, *, exactly_certain: bool, allowed: str) -> None:
    """Raise when ``p`` is 0 or 1 only because the value typed is too close to it for a double.

    A prior of exactly 0 or 1 gets the Cromwell explanation elsewhere; one that merely
    rounds there must not: it is refused with how to give it instead.
    """
    if exactly_certain or p not in (0.0, 1.0):
        return
    raise InputError(field, value, allowed, hint=f"{rounding_hint(p)}; {AS_ODDS}")



def rounding_hint(p: float) -> str:
    """Why a value typed as neither 0 nor 1 became ``p`` (0 or 1): the nearest double is exactly that."""
    side, edge = ("0", "the smallest positive double is 5e-324") if p == 0 else ("1", "the largest double below 1 is 1 - 1.1e-16")
    return f"this is not {side} but rounds to exactly {side} as a double ({edge})"


def _odds_hint(value: object) -> str:
    # "3:1" is odds; people type odds where a probability is wanted.  Say what it means.
    if not isinstance(value, str) or value.count(":") != 1 or len(value) > _MAX_TEXT:
        return ""
    left, right = value.split(":")
    try:
        a, b = float(left), float(right)
    except ValueError:
        return ""
    if not (math.isfinite(a) and math.isfinite(b)) or a < 0 or b < 0 or a + b == 0:
        return ""
    return f"odds {a:g}:{b:g} are the probability {a / (a + b):.6g}; type that instead"


_SURROGATE = re.compile("[\ud800-\udfff]")


def refuse_surrogates(value: object, field: str) -> None:
    """Refuse text holding a lone surrogate (``"\\ud800"``): it cannot be printed, saved as UTF-8 or shown.

    >>> refuse_surrogates("ok", "label")
    """
    if isinstance(value, str) and _SURROGATE.search(value):
        raise InputError(field, value, "text that is valid Unicode (a lone surrogate such as \\ud800 is not)")


def as_positive(value: object, field: str, allowed: str = "a finite number > 0") -> float:
    """Return a finite, strictly positive float (a likelihood ratio, a Beta parameter)."""
    number = as_float(value, field, allowed)
    if number <= 0:
        raise InputError(field, value, allowed)
    return number


def as_count(
    value: object, field: str, *, minimum: int = 0, maximum: int | None = None, above_maximum: str = ""
) -> int:
    """Return a whole number >= ``minimum`` (and <= ``maximum`` if given; ``above_maximum`` says why)."""
    allowed = f"a whole number >= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
    if isinstance(value, bool):
        raise InputError(field, value, allowed)
    if isinstance(value, Integral):
        number = int(value)
    else:
        if isinstance(value, str):
            text = value.strip()
            if not text or len(text) > _MAX_TEXT:
                raise InputError(field, value, allowed)
            if not _INTEGER.fullmatch(text):
                raise InputError(field, value, allowed, hint=_numeral_hint(text))
            number = int(text)
        elif isinstance(value, Real) and math.isfinite(float(value)) and float(value).is_integer():
            number = int(value)
        else:
            raise InputError(field, value, allowed)
    if number < minimum:
        raise InputError(field, value, allowed)
    if maximum is not None and number > maximum:
        raise InputError(field, value, allowed, hint=above_maximum)
    return number


def as_float_list(value: object, field: str) -> list[str]:
    """Split a comma-separated text (or accept a list) into raw items for a checker."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
        if value.strip() == "" or any(p == "" for p in parts):
            raise InputError(field, value, "a comma-separated list of numbers, e.g. 1,2,3")
        return parts
    if isinstance(value, (list, tuple)):
        if not value:
            raise InputError(field, value, "a non-empty list")
        return list(value)
    raise InputError(field, value, "a comma-separated list of numbers")
