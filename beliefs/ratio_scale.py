"""The likelihood-ratio scale a slider offers: the ratios people use, and the one they typed.

A slider over log10 LR in steps of 0.01 lands on ratios nobody states: type 5,
press right then left, and it reads 5.012.  This scale is a finite, ordered set
of *stops*: the ratios people use when they argue (1:1, 5:4, 3:2, 2:1, 3:1,
5:1, 10:1, 20:1, 100:1), fine steps between them, and their inverses.  A
slider over :func:`slider_options` moves from stop to stop, so an arrow key
gives a stop or the value typed, never anything else:

* every stop is written by the one ratio formatter (:func:`beliefs.format.format_odds`)
  in a text that parses back to exactly that float (:func:`entry_text`), so
  the box beside the slider shows what the slider holds;
* a typed ratio that is no stop is inserted in its place in the order
  (``slider_options(3.7)`` holds 3.5, 3.7, 4), so the slider shows the typed
  value, and one arrow press moves to a neighbouring stop.

>>> [entry_text(x) for x in slider_options(3.7)[33:37]]
['3:1', '3.5:1', '3.7:1', '4:1']
>>> ratio_words(3.0), ratio_words(1 / 3), ratio_words(1.0)
('3:1 for H', '3:1 against H', '1:1, neither way')
"""

from __future__ import annotations

import bisect
import math

from beliefs.format import format_odds

__all__ = ["STOPS", "entry_text", "nearest_stop", "ratio_words", "slider_options"]

# Above 1:1 (the inverses below are built from these).  The named stops people state (5:4, 3:2, 2:1,
# 3:1, 5:1, 10:1, 20:1, 100:1) with fine steps between; each has at most 3 significant digits, so
# its text (1.25:1, 1:1.25) parses back to the same float.  1000:1 (30 dB) ends the scale: past it
# a ratio is typed.  51 stops in all: about 7 px each on a 390 px phone.
_ABOVE_ONE = (
    1.1, 1.2, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 15.0, 20.0, 30.0, 50.0,
    70.0, 100.0, 200.0, 500.0, 1000.0,
)  # fmt: skip
# An inverse is 1 / stop: the quotient parse_ratio gives for "1:stop", bit for bit.
STOPS: tuple[float, ...] = (*(1.0 / x for x in reversed(_ABOVE_ONE)), 1.0, *_ABOVE_ONE)


def slider_options(likelihood_ratio: float) -> tuple[float, ...]:
    """The stops, with ``likelihood_ratio`` in its place among them if it is not one (ascending)."""
    i = bisect.bisect_left(STOPS, likelihood_ratio)
    if i < len(STOPS) and STOPS[i] == likelihood_ratio:
        return STOPS
    return (*STOPS[:i], likelihood_ratio, *STOPS[i:])


def nearest_stop(likelihood_ratio: float) -> float:
    """The stop nearest on a log scale (ties go to the smaller)."""
    log = math.log(likelihood_ratio)
    return min(STOPS, key=lambda s: abs(math.log(s) - log))


def entry_text(likelihood_ratio: float) -> str:
    """The ratio as the text box shows it: the one ratio format (``3:1``, ``1:1.92``, ``221:1``).

    At most the digits that matter; a value with more (typed 221.34087529142272) keeps them in the
    item, and the box's help shows them in full (a box is read back only when its text changes).
    """
    return format_odds(math.log(likelihood_ratio))


def ratio_words(likelihood_ratio: float) -> str:
    """A slider's label for a ratio, in words: ``3:1 for H``, ``3:1 against H``, ``1:1, neither way``."""
    log = math.log(likelihood_ratio)
    text = format_odds(abs(log))
    if text == "1:1":
        # Only a ratio that is 1:1 to three digits; 1.0001 shows as 1:1 for H, never as "neither way".
        return "1:1, neither way" if log == 0 else f"1:1 {'for' if log > 0 else 'against'} H"
    return f"{text} {'for' if log > 0 else 'against'} H"
