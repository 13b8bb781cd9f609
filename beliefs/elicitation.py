r"""A Beta prior from "I am 90% sure the rate is between L and U": the maximum-entropy Beta.

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

:func:`elicit_beta` is the entry point for the CLI (``elicit``) and the app: it
validates the inputs (messages name the field as typed), asks PreliZ's
``pz.maxent`` for its answer (PreliZ imported inside the function, so importing
this module stays light), refines it with :func:`maxent_beta`, recomputes the
mass the result puts in :math:`[L, U]` with ``scipy.stats.beta.cdf`` (independent
of the optimizers' own ``betainc``), and attaches a warning when it misses the
request by more than :data:`MASS_TOLERANCE`.

Examples
--------
>>> fit = maxent_beta(0.3, 0.7, 0.9)
>>> round(fit.alpha / fit.beta, 6), abs(fit.mass - 0.9) < 1e-9
(1.0, True)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from beliefs import special as sp
from beliefs.beta_quantile import log_pochhammer_excess
from beliefs.errors import InputError
from beliefs.validation import as_float, refuse_subnormal

__all__ = [
    "FEASIBLE_TOL",
    "MASS_TOLERANCE",
    "MIN_UPPER",
    "ElicitedBeta",
    "MaxentBeta",
    "beta_entropy",
    "elicit_beta",
    "interval_mass",
    "maxent_beta",
]

FEASIBLE_TOL = 1e-9  # |achieved - requested mass| for a start's answer to count
# The Beta for an interval near 0 has beta of about 1 / upper, and PreliZ's maxent squares such numbers: below
# an upper end of ~1e-154 it divides by zero or returns NaN (measured), so the fit is refused below this.
MIN_UPPER = 1e-150
_CONCENTRATIONS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1e3, 1e4, 1e5)


def beta_entropy(alpha: float, beta: float) -> float:
    r"""Differential entropy of Beta(alpha, beta) in nats (closed form; see the module docstring).

    The closed form subtracts terms of size :math:`\beta \ln \beta`: for Beta(2.67, 4.9e149) it
    gave 0 (the truth is -342.89).  With a shape of 10 or more it is rearranged by Stirling's series
    so that only small terms are added (:math:`s = \alpha + \beta`, :math:`R` the digamma's tail):

    * both >= 10: :math:`\tfrac12\ln\frac{2\pi\alpha\beta}{s^3} + \tfrac12 - \frac{1}{2\alpha} - \frac{1}{2\beta}
      + \frac1s + \omega(\alpha) + \omega(\beta) - \omega(s) + (\alpha-1)R(\alpha) + (\beta-1)R(\beta) - (s-2)R(s)`;
    * :math:`p = \min < 10 \le q = \max`: :math:`\ln\Gamma(p) - (p-1)\psi(p) - \ln q - G + (p-1)[\mathrm{log1p}(p/q)
      - \frac{1}{2s} - R(s)] - (q-1)[\psi(q) - \psi(s)]` with :math:`G = \ln\Gamma(s) - \ln\Gamma(q) - p\ln q`
      and :math:`\psi(q) - \psi(s) = -\mathrm{log1p}(p/q) - \frac{p}{2qs} - R(q) + R(s)`.

    Tested against mpmath at 700 digits (to 1e-16).

    >>> round(beta_entropy(1.0, 1.0), 15)  # the uniform on [0, 1]
    0.0
    >>> round(beta_entropy(2.67, 4.86e149), 10)
    -342.8931713164
    """
    a, b = float(alpha), float(beta)
    p, q = min(a, b), max(a, b)
    if q < 10:
        return float(
            special.betaln(a, b) - (a - 1) * special.digamma(a) - (b - 1) * special.digamma(b)
            + (a + b - 2) * special.digamma(a + b)
        )
    s = p + q
    log_s = math.log(q) + math.log1p(p / q)  # s may overflow
    if p >= 10:
        return (
            0.5 * (math.log(2 * math.pi) + math.log(p) + math.log(q) - 3 * log_s) + 0.5 - 0.5 / p - 0.5 / q + 1 / s
            + sp.lgammacor(p) + sp.lgammacor(q) - sp.lgammacor(s)
            + (p - 1) * sp.digamma_remainder(p) + (q - 1) * sp.digamma_remainder(q) - (s - 2) * sp.digamma_remainder(s)
        )
    psi_q_minus_psi_s = -math.log1p(p / q) - p / (2 * q * s) - (sp.digamma_remainder(q) - sp.digamma_remainder(s))
    return (
        math.lgamma(p) - (p - 1) * float(special.digamma(p)) - math.log(q) - log_pochhammer_excess(q, p)
        + (p - 1) * (math.log1p(p / q) - 0.5 / s - sp.digamma_remainder(s)) - (q - 1) * psi_q_minus_psi_s
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
    :func:`elicit_beta` validates them.
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
        if not abs(achieved - m) <= FEASIBLE_TOL:  # NaN is no answer
            continue
        h = beta_entropy(a, b)
        if not math.isfinite(h):
            continue
        feasible += 1
        if best is None or h > best.entropy:
            best = MaxentBeta(a, b, achieved, h, 0, 0)
    if best is None:
        return None
    return MaxentBeta(best.alpha, best.beta, best.mass, best.entropy, feasible, len(candidates))


MASS_TOLERANCE = 0.005


@dataclass(frozen=True)
class ElicitedBeta:
    """The fitted Beta(alpha, beta), the mass it puts in [lower, upper], and any warning.

    ``entropy`` is the fitted Beta's differential entropy (nats); ``preliz``
    holds PreliZ's own answer (alpha, beta, mass, entropy) and ``method`` says
    which of the two was kept.
    """

    alpha: float
    beta: float
    lower: float
    upper: float
    requested_mass: float
    mass: float
    warning: str = ""
    entropy: float = math.nan
    method: str = "preliz maxent"
    preliz: dict | None = None

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def to_dict(self) -> dict:
        return {
            "alpha": self.alpha,
            "beta": self.beta,
            "mass": self.mass,
            "requested_mass": self.requested_mass,
            "lower": self.lower,
            "upper": self.upper,
            "mean": self.mean,
            "warning": self.warning,
            "entropy": self.entropy,
            "method": self.method,
            "preliz": self.preliz,
        }


def elicit_beta(lower, upper, mass=0.9, *, fields: tuple[str, str, str] = ("lower", "upper", "mass")) -> ElicitedBeta:
    """Maximum-entropy Beta with ``mass`` in ``[lower, upper]``.

    Parameters
    ----------
    lower, upper : float or str
        Interval end-points, ``0 < lower < upper < 1``.
    mass : float or str
        Requested probability in the interval, ``0 < mass < 1``.
    fields : tuple of str
        Names of the three inputs in error messages (the CLI passes ``--lower`` etc.).

    Raises
    ------
    InputError
        End-points outside (0, 1), ``lower >= upper``, mass outside (0, 1).

    Examples
    --------
    >>> b = elicit_beta(0.01, 0.2, 0.9)
    >>> abs(b.mass - 0.9) < 1e-4, b.warning
    (True, '')
    """
    f_lo, f_hi, f_mass = fields
    lo = _open_unit(lower, f_lo, "an interval end-point strictly between 0 and 1")
    hi = _open_unit(upper, f_hi, "an interval end-point strictly between 0 and 1")
    if lo >= hi:
        raise InputError(f_hi, upper, f"a value greater than {f_lo} = {lo!r}", hint="the interval is [lower, upper]")
    if hi < MIN_UPPER:
        raise InputError(
            f_hi, upper, f"an upper end-point of at least {MIN_UPPER:g}",
            hint="a Beta for an interval this close to 0 has beta of about 1/upper, which the fit cannot hold",
        )
    m = _open_unit(mass, f_mass, "a probability strictly between 0 and 1, e.g. 0.9")
    cannot = f"no Beta was found with {m:g} of its mass in [{lo!r}, {hi!r}]; widen the interval or lower the mass"

    import preliz as pz

    dist = pz.Beta()
    with warnings.catch_warnings(record=True) as caught:
        # PreliZ warns when its optimizer misses the constraint; the check below measures that itself.
        warnings.simplefilter("always")
        try:
            pz.maxent(dist, lo, hi, m, plot=False)
        except Exception:  # an optimizer failure is said in words, never as Python's error text
            dist = None
    if dist is None:
        alpha, beta = math.nan, math.nan
    else:
        alpha, beta = float(dist.alpha), float(dist.beta)
    preliz_ok = math.isfinite(alpha) and math.isfinite(beta) and alpha > 0 and beta > 0
    preliz_ok = preliz_ok and math.isfinite(_mass(alpha, beta, lo, hi))
    preliz = None
    method = "preliz maxent"
    if preliz_ok:
        preliz = {
            "alpha": alpha, "beta": beta, "mass": _mass(alpha, beta, lo, hi), "entropy": beta_entropy(alpha, beta),
        }
    # The refinement starts from PreliZ's answer among others and keeps only Betas that meet the mass
    # to 1e-9, so when it succeeds it is at least as good as PreliZ's (and exactly on the constraint).
    refined = maxent_beta(lo, hi, m, starts=[(alpha, beta)] if preliz_ok else [])
    if refined is not None:
        gain = refined.entropy - preliz["entropy"] if preliz else math.inf
        alpha, beta = refined.alpha, refined.beta
        method = (
            f"PreliZ maxent, refined with scipy SLSQP (best of {refined.feasible_starts} feasible of "
            f"{refined.starts} starts, PreliZ's included)"
            if preliz_ok
            else f"scipy SLSQP (best of {refined.feasible_starts} feasible of {refined.starts} starts; PreliZ's maxent failed)"
        )
        if preliz and abs(preliz["mass"] - m) > MASS_TOLERANCE:
            method += f": PreliZ's answer missed the requested mass ({preliz['mass']:.4g})"
        elif gain > 1e-6:
            method += f": entropy {gain:.2g} nats above PreliZ's answer"
    elif not preliz_ok:
        raise InputError(f"{f_lo}/{f_hi}/{f_mass}", (lo, hi, m), "an interval and mass a Beta can match", hint=cannot)
    achieved = _mass(alpha, beta, lo, hi)
    note = ""
    if abs(achieved - m) > MASS_TOLERANCE:
        note = (
            f"the best Beta puts {achieved:.4f} (not the requested {m:g}) in [{lo!r}, {hi!r}]; "
            "widen the interval or lower the mass"
        )
        extra = [str(w.message) for w in caught]
        if extra:
            note += f" (PreliZ: {' '.join(extra[0].split())[:120]})"
    return ElicitedBeta(alpha, beta, lo, hi, m, achieved, note, beta_entropy(alpha, beta), method, preliz)


def _mass(alpha: float, beta: float, lo: float, hi: float) -> float:
    # Independent of the optimizers' own betainc: scipy.stats' CDF.
    return float(stats.beta.cdf(hi, alpha, beta) - stats.beta.cdf(lo, alpha, beta))


def _open_unit(value, field: str, allowed: str) -> float:
    x = as_float(value, field, allowed)
    if isinstance(value, str):
        refuse_subnormal(field, value, x, allowed=allowed, advice="")  # the rule for every typed probability
    if not 0 < x < 1:
        hint = f"did you mean {x / 100:g}? values are fractions, not percent" if 1 < x <= 100 else ""
        raise InputError(field, value, allowed, hint=hint)
    return x
