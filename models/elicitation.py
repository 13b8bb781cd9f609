r"""A Beta prior from "I am 90% sure the rate is between L and U".

PreliZ's maximum-entropy elicitation (``pz.maxent``) finds the Beta with the
largest entropy among those putting the requested mass in :math:`[L, U]`:

.. math::

    \max_{\alpha,\beta} H[\mathrm{Beta}(\alpha,\beta)]
    \quad\text{subject to}\quad
    I_U(\alpha,\beta) - I_L(\alpha,\beta) = \text{mass},

where :math:`I_x` is the regularized incomplete beta function (the Beta CDF).
PreliZ's optimizer is local and can stop on the wrong branch of the
constraint curve (``lower=0.001, upper=0.01, mass=0.9``: Beta(3.8396, 652.01),
entropy -4.48911, where Beta(3.3193, 591.81) has -4.48014), so its answer is
then refined with scipy from it and from several other starts
(:func:`beliefs.elicitation.maxent_beta`) and the Beta with the larger entropy
among those meeting the constraint is kept.  The mass the result actually
puts in :math:`[L, U]` is recomputed with ``scipy.stats.beta.cdf`` and a
warning is attached when it misses the request by more than
:data:`MASS_TOLERANCE` (the optimizers can fail for extreme requests).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

from scipy import stats

from beliefs.elicitation import beta_entropy, maxent_beta
from beliefs.errors import InputError
from beliefs.validation import as_float

__all__ = ["MASS_TOLERANCE", "ElicitedBeta", "elicit_beta"]

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
        raise InputError(f_hi, upper, f"a value greater than {f_lo} = {lo:g}", hint="the interval is [lower, upper]")
    m = _open_unit(mass, f_mass, "a probability strictly between 0 and 1, e.g. 0.9")

    import preliz as pz

    dist = pz.Beta()
    with warnings.catch_warnings(record=True) as caught:
        # PreliZ warns when its optimizer misses the constraint; the check below measures that itself.
        warnings.simplefilter("always")
        try:
            pz.maxent(dist, lo, hi, m, plot=False)
        except Exception as exc:  # an optimizer failure becomes a clear input message
            raise InputError(
                f"{f_lo}/{f_hi}/{f_mass}", (lo, hi, m), "an interval and mass a Beta can match",
                hint=" ".join(str(exc).split())[:120],
            ) from None
    alpha, beta = float(dist.alpha), float(dist.beta)
    preliz_ok = math.isfinite(alpha) and math.isfinite(beta) and alpha > 0 and beta > 0
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
        )
        if preliz and abs(preliz["mass"] - m) > MASS_TOLERANCE:
            method += f": PreliZ's answer missed the requested mass ({preliz['mass']:.4g})"
        elif gain > 1e-6:
            method += f": entropy {gain:.2g} nats above PreliZ's answer"
    elif not preliz_ok:
        raise InputError(f"{f_lo}/{f_hi}/{f_mass}", (lo, hi, m), "an interval and mass a Beta can match")
    achieved = _mass(alpha, beta, lo, hi)
    note = ""
    if abs(achieved - m) > MASS_TOLERANCE:
        note = (
            f"the best Beta puts {achieved:.4f} (not the requested {m:g}) in [{lo:g}, {hi:g}]; "
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
    if not 0 < x < 1:
        hint = f"did you mean {x / 100:g}? values are fractions, not percent" if 1 < x <= 100 else ""
        raise InputError(field, value, allowed, hint=hint)
    return x
