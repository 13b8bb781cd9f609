r"""What the NumPy Monte Carlo paths share: draw-count and seed checks, Beta draws, the mean and its error.

Used by :mod:`beliefs.uncertain_evidence`, :mod:`beliefs.chain` (drifting
survival) and :mod:`beliefs.monitoring` (Beta rates).  Draws are independent,
so the Monte Carlo standard error of a mean is :math:`\mathrm{sd}/\sqrt{n}`.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from beliefs.intervals import equal_tailed
from beliefs.validation import as_count

__all__ = ["MAX_DRAWS", "DrawSummary", "check_draws", "check_seed", "log_beta_draws", "mean_and_se"]

MAX_DRAWS = 10_000_000  # beyond this a request is a typo, and would exhaust memory


def check_draws(draws: object, field: str = "draws", maximum: int = MAX_DRAWS) -> int:
    """A number of draws, at least 2 (a standard error needs two)."""
    return as_count(draws, field, minimum=2, maximum=maximum)


def check_seed(seed: object, field: str = "seed") -> int:
    """A seed for ``np.random.default_rng``: a whole number >= 0."""
    return as_count(seed, field)


def mean_and_se(values: np.ndarray) -> tuple[float, float]:
    """The mean of independent draws and its Monte Carlo standard error ``sd / sqrt(n)``.

    >>> mean_and_se(np.array([0.0, 1.0, 2.0, 3.0]))
    (1.5, 0.6454972243679028)
    """
    return float(np.mean(values)), float(np.std(values, ddof=1) / math.sqrt(values.size))


class DrawSummary:
    """Mixin for a result holding independent draws of a probability: mean (with its error), median, interval.

    A subclass has ``interval_mass``, ``quantiles(levels)`` and ``_summary_draws()``
    (the draws whose mean is reported); the summaries are computed once.
    """

    interval_mass: float

    def _summary_draws(self) -> np.ndarray:
        raise NotImplementedError

    def quantiles(self, levels) -> np.ndarray:
        raise NotImplementedError

    @cached_property
    def _mean_and_se(self) -> tuple[float, float]:
        return mean_and_se(self._summary_draws())

    @property
    def mean(self) -> float:
        return self._mean_and_se[0]

    @property
    def mean_se(self) -> float:
        """Monte Carlo standard error of ``mean`` (draws are independent)."""
        return self._mean_and_se[1]

    @cached_property
    def median(self) -> float:
        return float(self.quantiles(0.5))

    @cached_property
    def interval(self) -> tuple[float, float]:
        """The equal-tailed interval holding ``interval_mass``."""
        lo, hi = self.quantiles(equal_tailed(self.interval_mass))
        return float(lo), float(hi)


def log_beta_draws(rng: np.random.Generator, alpha, beta, size) -> np.ndarray:
    r"""Draws of :math:`\ln X` for :math:`X \sim \mathrm{Beta}(\alpha, \beta)`, finite even for tiny shapes.

    :math:`X = G_a/(G_a + G_b)` with :math:`G \sim \mathrm{Gamma}`, so
    :math:`\ln X = \ln G_a - \operatorname{logaddexp}(\ln G_a, \ln G_b)`.  For a
    shape :math:`a < 1` a Gamma draw can underflow to 0, so it is taken as
    :math:`\ln G_{a+1} + \ln(U)/a` (Marsaglia and Tsang's boost), which is exact.
    ``alpha`` and ``beta`` broadcast against ``size``.
    """
    if np.ndim(alpha) == 0 and np.ndim(beta) == 0 and alpha >= 1 and beta >= 1:
        # Scalar shapes take NumPy's fast path; no underflow risk for shapes >= 1.
        ga = rng.standard_gamma(float(alpha), size)
        gb = rng.standard_gamma(float(beta), size)
        return np.log(ga / (ga + gb))
    alpha = np.asarray(alpha, dtype=float)
    beta = np.asarray(beta, dtype=float)
    if np.all(alpha >= 1) and np.all(beta >= 1):
        # No underflow risk: one log per draw instead of two logs and a logaddexp.
        ga = rng.standard_gamma(np.broadcast_to(alpha, size))
        gb = rng.standard_gamma(np.broadcast_to(beta, size))
        return np.log(ga / (ga + gb))
    log_ga = _log_gamma_draws(rng, alpha, size)
    log_gb = _log_gamma_draws(rng, beta, size)
    return log_ga - np.logaddexp(log_ga, log_gb)


def _log_gamma_draws(rng, shape, size):
    small = shape < 1
    boosted = np.where(small, shape + 1.0, shape)
    out = np.log(rng.standard_gamma(np.broadcast_to(boosted, size)))
    if np.any(small):
        u = 1.0 - rng.random(size)  # in (0, 1], so log(u) is finite
        out = out + np.where(small, np.log(u) / shape, 0.0)
    return out
