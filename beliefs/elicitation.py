r"""The maximum-entropy Beta with a given mass in an interval (scipy only; no PyMC, no PreliZ).

The problem is

.. math::

    \max_{\alpha,\beta > 0} H(\alpha, \beta)
    \quad\text{subject to}\quad
    g(\alpha, \beta) = I_U(\alpha,\beta) - I_L(\alpha,\beta) - m = 0,

    H(\alpha, \beta) = \ln B(\alpha,\beta) - (\alpha-1)\psi(\alpha) - (\beta-1)\psi(\beta)
                       + (\alpha+\beta-2)\psi(\alpha+\beta),

with :math:`I_x` the regularized incomplete beta function (the Beta CDF) and
:math:`\psi` the digamma function.  The feasible set is a curve in the
:math:`(\ln\alpha, \ln\beta)` plane, and the entropy along it can have more than one
local maximum: a single local optimizer (PreliZ's ``maxent`` is one) can stop
on the wrong one.  For ``--lower 0.001 --upper 0.01 --mass 0.9`` PreliZ 0.28
returns Beta(3.8396, 652.01) with entropy -4.48911, although Beta(3.3193, 591.81)
puts the same mass in the interval with entropy -4.48014.

:func:`maxent_beta` therefore solves it with SLSQP in :math:`(\ln\alpha, \ln\beta)` from
several starts (the caller's, e.g. PreliZ's answer, plus Betas centred in
the interval at concentrations 1 to :math:`10^5`), keeps those that satisfy the
constraint to :data:`FEASIBLE_TOL`, and returns the one with the largest
entropy.  The tests check it against a brute-force search along the
constraint curve.

Examples
--------
>>> fit = maxent_beta(0.3, 0.7, 0.9)
>>> round(fit.alpha / fit.beta, 6), abs(fit.mass - 0.9) < 1e-9
(1.0, True)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

__all__ = ["FEASIBLE_TOL", "MaxentBeta", "beta_entropy", "interval_mass", "maxent_beta"]

FEASIBLE_TOL = 1e-9  # |achieved - requested mass| for a start's answer to count
_CONCENTRATIONS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1e3, 1e4, 1e5)


def beta_entropy(alpha: float, beta: float) -> float:
    r"""Differential entropy of Beta(alpha, beta) in nats (closed form; see the module docstring).

    >>> round(beta_entropy(1.0, 1.0), 15)  # the uniform on [0, 1]
    0.0
    """
    a, b = float(alpha), float(beta)
    return float(
        special.betaln(a, b) - (a - 1) * special.digamma(a) - (b - 1) * special.digamma(b)
        + (a + b - 2) * special.digamma(a + b)
    )


def interval_mass(alpha: float, beta: float, lower: float, upper: float) -> float:
    """P(lower <= X <= upper) for X ~ Beta(alpha, beta), as I_upper - I_lower."""
    return float(special.betainc(alpha, beta, upper) - special.betainc(alpha, beta, lower))


@dataclass(frozen=True)
class MaxentBeta:
    """The best Beta found, its achieved mass and entropy, and how many starts reached the constraint."""

    alpha: float
    beta: float
    mass: float
    entropy: float
    feasible_starts: int
    starts: int


def _starts(lower: float, upper: float, extra: Iterable[tuple[float, float]]) -> list[np.ndarray]:
    out = [np.log(np.asarray(s, dtype=float)) for s in extra]
    for centre in (0.5 * (lower + upper), math.sqrt(lower * upper)):
        for kappa in _CONCENTRATIONS:
            out.append(np.log([centre * kappa, (1 - centre) * kappa]))
    return [x for x in out if np.all(np.isfinite(x))]


def maxent_beta(lower: float, upper: float, mass: float, starts: Iterable[tuple[float, float]] = ()) -> MaxentBeta | None:
    r"""The maximum-entropy Beta with ``mass`` in ``[lower, upper]``, or None if no start reached it.

    ``starts`` are extra :math:`(\alpha, \beta)` starting points (PreliZ's answer).
    Inputs are assumed checked (``0 < lower < upper < 1``, ``0 < mass < 1``);
    :func:`models.elicitation.elicit_beta` validates them.
    """
    lo, hi, m = float(lower), float(upper), float(mass)

    def neg_entropy(x):
        return -beta_entropy(math.exp(x[0]), math.exp(x[1]))

    def gap(x):
        return interval_mass(math.exp(x[0]), math.exp(x[1]), lo, hi) - m

    best: MaxentBeta | None = None
    candidates = _starts(lo, hi, starts)
    feasible = 0
    for x0 in candidates:
        with np.errstate(all="ignore"):
            res = optimize.minimize(
                neg_entropy, x0, method="SLSQP", constraints=[{"type": "eq", "fun": gap}],
                bounds=[(-12.0, 16.0), (-12.0, 16.0)], options={"ftol": 1e-14, "maxiter": 500},
            )
        a, b = (math.exp(v) for v in res.x)
        if not (math.isfinite(a) and math.isfinite(b)):
            continue
        achieved = interval_mass(a, b, lo, hi)
        if abs(achieved - m) > FEASIBLE_TOL:
            continue
        feasible += 1
        h = beta_entropy(a, b)
        if best is None or h > best.entropy:
            best = MaxentBeta(a, b, achieved, h, 0, 0)
    if best is None:
        return None
    return MaxentBeta(best.alpha, best.beta, best.mass, best.entropy, feasible, len(candidates))
