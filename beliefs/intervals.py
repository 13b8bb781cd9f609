"""Equal-tailed intervals: the one default mass and the one check of a mass.

Every interval the package reports is equal-tailed: the mass ``m`` in the
middle and :math:`(1 - m)/2` in each tail, so the default 90% interval runs
from the 5% to the 95% quantile.

>>> [round(level, 12) for level in equal_tailed(DEFAULT_INTERVAL)]
[0.05, 0.95]
"""

from __future__ import annotations

from beliefs.errors import InputError
from beliefs.validation import as_float

__all__ = ["DEFAULT_INTERVAL", "check_interval_mass", "equal_tailed"]

DEFAULT_INTERVAL = 0.9  # equal-tailed: the 5% and 95% quantiles

_ALLOWED = "an interval mass in (0, 1), e.g. 0.9"


def check_interval_mass(value: object, field: str = "interval") -> float:
    """The probability mass of an equal-tailed interval, strictly between 0 and 1 (errors name ``field``)."""
    mass = as_float(value, field, _ALLOWED)
    if not 0 < mass < 1:
        raise InputError(field, value, _ALLOWED)
    return mass


def equal_tailed(mass: float) -> tuple[float, float]:
    """The lower and upper quantile levels of an equal-tailed interval holding ``mass``."""
    return (1 - mass) / 2, (1 + mass) / 2
