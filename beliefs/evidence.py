r"""Evidence items: what was observed, how likely it is under each hypothesis, and who says so.

An item states either the two conditional probabilities

.. math:: \mathrm{LR} = \frac{P(E\mid H)}{P(E\mid \lnot H)}

or the likelihood ratio directly.  It carries a label, a note and a
:class:`Source` (citation, location in the source, and the status P/S/X used in
the research notes: P = read in the primary text, S = secondary sources only,
X = not confirmed).  Optional uncertainty (a Beta on either conditional
probability, or a log-normal spread on the ratio) is propagated by
:mod:`models.uncertain_evidence`.  Items in the same dependence ``group`` share
a discount exponent ``w`` in (0, 1]: each contributes ``w * ln LR`` nats, so
double-counted evidence is not counted twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

from beliefs.errors import InputError
from beliefs.odds import LogLRQuantities, odds_from_log_odds
from beliefs.validation import as_float, as_positive, as_probability, refuse_surrogates

__all__ = ["STATUS_MEANING", "BetaDist", "Evidence", "Provenance", "Source", "parse_beta"]

STATUS_MEANING = {
    "P": "read in the primary text",
    "S": "from secondary sources only; check before relying on it",
    "X": "not confirmed in any source",
}

Status = Literal["P", "S", "X"]


# One sd of ln LR this large is already a factor of 1e304 either way; the draws (4.5 sd) stay finite.
MAX_LOG_LR_SIGMA = 700.0


@dataclass(frozen=True)
class Source:
    """Where a number comes from.

    ``status`` follows the research notes: P (primary text), S (secondary
    only), X (not confirmed).  A number that no source states gets status X
    and says so in ``location``.
    """

    citation: str
    location: str = ""
    status: Status = "X"
    url: str = ""

    def __post_init__(self):
        for name in ("citation", "location", "url"):
            refuse_surrogates(getattr(self, name), f"source.{name}")
        if self.status not in STATUS_MEANING:
            raise InputError("source.status", self.status, "one of 'P', 'S', 'X'")
        if not isinstance(self.citation, str) or not self.citation.strip():
            raise InputError("source.citation", self.citation, "a non-empty citation")

    @property
    def status_meaning(self) -> str:
        return STATUS_MEANING[self.status]


@dataclass(frozen=True)
class Provenance:
    """How a likelihood ratio derived from data was obtained, and what it rests on.

    ``assumption`` says what nobody published (e.g. "derived from an assumed
    n = 316 per evaluation, partial pooling"); ``model`` the likelihood model;
    ``method`` "exact", "quadrature" or "MCMC"; ``log10_bf_range`` the
    [low, high] of log10 of the Bayes factor over ``range_over`` (the grid of
    unpublished assumptions).  Everything is plain text and numbers, so it
    travels through scenario files, share links and exports unchanged.

    Examples
    --------
    >>> Provenance("derived from an assumed n = 316, pooling partial", "quadrature",
    ...            log10_bf_range=(-1.5, 2.25)).describe()
    'derived from an assumed n = 316, pooling partial; quadrature; log10 BF range [-1.5, 2.25]'
    """

    assumption: str
    method: str = ""
    model: str = ""
    log10_bf_range: tuple[float, float] | None = None
    range_over: str = ""

    def __post_init__(self):
        for name in ("assumption", "method", "model", "range_over"):
            value = getattr(self, name)
            # It is shown inside code spans and terminal lines: no backticks, no control characters.
            if not isinstance(value, str) or len(value) > 2000 or any(c == "`" or ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
                raise InputError(f"provenance.{name}", value, "text of at most 2000 characters, no backticks or control characters")
        if not self.assumption.strip():
            raise InputError("provenance.assumption", self.assumption, "a non-empty description of what was assumed")
        rng = self.log10_bf_range
        if rng is not None:
            if not isinstance(rng, (tuple, list)) or len(rng) != 2:
                raise InputError("provenance.log10_bf_range", rng, "[low, high], two finite numbers")
            lo = as_float(rng[0], "provenance.log10_bf_range[0]", "a finite number")
            hi = as_float(rng[1], "provenance.log10_bf_range[1]", "a finite number")
            if lo > hi:
                raise InputError("provenance.log10_bf_range", rng, "low <= high")
            object.__setattr__(self, "log10_bf_range", (lo, hi))

    def describe(self) -> str:
        """One line: the assumption, the method and the model, and the log10-BF range."""
        parts = [self.assumption]
        parts += [x for x in (self.method, self.model) if x]
        if self.log10_bf_range is not None:
            lo, hi = self.log10_bf_range
            over = f" over {self.range_over}" if self.range_over else ""
            parts.append(f"log10 BF range [{lo:.4g}, {hi:.4g}]{over}")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {
            "assumption": self.assumption,
            "method": self.method,
            "model": self.model,
            "log10_bf_range": None if self.log10_bf_range is None else list(self.log10_bf_range),
            "range_over": self.range_over,
        }

    @classmethod
    def from_dict(cls, d: object, field: str = "provenance") -> Provenance:
        """Rebuild from :meth:`to_dict` output (errors name ``field``)."""
        if not isinstance(d, dict):
            raise InputError(field, d, "an object with assumption, method, model, log10_bf_range, range_over")
        unknown = set(d) - {"assumption", "method", "model", "log10_bf_range", "range_over"}
        if unknown:
            raise InputError(field, sorted(unknown), "only assumption, method, model, log10_bf_range, range_over")
        rng = d.get("log10_bf_range")
        return cls(
            assumption=d.get("assumption", ""),
            method=d.get("method", ""),
            model=d.get("model", ""),
            log10_bf_range=None if rng is None else tuple(rng) if isinstance(rng, list) else rng,
            range_over=d.get("range_over", ""),
        )


@dataclass(frozen=True)
class BetaDist:
    r"""A Beta(alpha, beta) distribution on a probability: THE Beta type of the package.

    Two parametrizations: shapes :math:`(\alpha, \beta)`, or mean and
    concentration :math:`(m, \kappa)` with :math:`\alpha = \kappa m`,
    :math:`\beta = \kappa (1 - m)`, so :math:`m = \alpha / (\alpha + \beta)` and
    :math:`\kappa = \alpha + \beta` (a prior "worth" :math:`\kappa` observations).

    >>> b = BetaDist.from_mean_concentration(0.98, 100)
    >>> round(b.alpha, 9), round(b.beta, 9), b.concentration, round(b.mean, 12)
    (98.0, 2.0, 100.0, 0.98)
    """

    alpha: float
    beta: float

    def __post_init__(self):
        object.__setattr__(self, "alpha", as_positive(self.alpha, "alpha", "a Beta parameter > 0"))
        object.__setattr__(self, "beta", as_positive(self.beta, "beta", "a Beta parameter > 0"))

    @classmethod
    def from_mean_concentration(
        cls, mean: object, concentration: object, *, mean_field: str = "mean", concentration_field: str = "concentration"
    ) -> BetaDist:
        """The Beta with this mean in (0, 1) and concentration alpha + beta > 0.

        Errors name ``mean_field`` / ``concentration_field``, so a caller passes
        the names its user typed (a flag, a widget label).
        """
        allowed = "a mean strictly between 0 and 1 (a Beta's mean is never exactly 0 or 1)"
        m = as_float(mean, mean_field, allowed)
        if not 0 < m < 1:
            raise InputError(mean_field, mean, allowed)
        kappa = as_positive(concentration, concentration_field, "a Beta concentration alpha + beta > 0")
        # beta as kappa * (1 - m) can underflow to 0 for m within an ulp of 1: refuse rather than clamp.
        alpha, beta = kappa * m, kappa * (1.0 - m)
        if not (alpha > 0 and beta > 0 and math.isfinite(alpha + beta)):
            raise InputError(concentration_field, concentration, f"a concentration giving finite shapes > 0 with mean {m!r}")
        return cls(alpha, beta)

    @property
    def mean(self) -> float:
        # 1 / (1 + beta/alpha): finite where alpha + beta overflows (Beta(1e308, 1e308) has mean 1/2, not 0)
        return 1.0 / (1.0 + self.beta / self.alpha)

    @property
    def concentration(self) -> float:
        """alpha + beta."""
        return self.alpha + self.beta


_BETA_ALLOWED = "two Beta parameters, both > 0, e.g. 98,2"


def parse_beta(value: object, field: str, *, names: tuple[str, str] = (" alpha", " beta")) -> BetaDist:
    """A :class:`BetaDist` from itself, an ``(alpha, beta)`` pair or the text ``"A,B"``.

    ``field`` is the name the user typed (``--per-step-beta``); a bad
    parameter is named ``field + names[i]`` (``--per-step-beta alpha``).

    >>> parse_beta(" 98, 2", "--per-step-beta")
    BetaDist(alpha=98.0, beta=2.0)
    """
    if isinstance(value, BetaDist):
        return value
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, (tuple, list)) or len(parts) != 2:
        raise InputError(field, value, _BETA_ALLOWED)
    shapes = [as_positive(p, f"{field}{n}", "a Beta parameter > 0") for p, n in zip(parts, names, strict=True)]
    return BetaDist(*shapes)


@dataclass(frozen=True)
class Evidence(LogLRQuantities):
    """One item of evidence for or against H.

    Give either ``p_e_given_h`` and ``p_e_given_not_h`` (each in (0, 1]) or
    ``likelihood_ratio`` (finite, > 0).  Probabilities of exactly 0 are
    refused: they would make the ratio 0 or infinite, i.e. the evidence
    conclusive, which no finite ledger can represent.

    Examples
    --------
    >>> e = Evidence("stated 3-to-1", p_e_given_h=0.75, p_e_given_not_h=0.25)
    >>> round(e.likelihood_ratio, 12), round(e.bits, 4), round(e.decibels, 2)
    (3.0, 1.585, 4.77)
    """

    label: str
    p_e_given_h: float | None = None
    p_e_given_not_h: float | None = None
    likelihood_ratio: float | None = None
    id: str | None = None
    note: str = ""
    source: Source | None = None
    p_e_given_h_dist: BetaDist | None = None
    p_e_given_not_h_dist: BetaDist | None = None
    log_lr_sigma: float | None = None
    group: str | None = None
    discount: float = 1.0
    enabled: bool = True
    provenance: Provenance | None = None
    _log_lr: float = field(init=False, repr=False, compare=False, default=math.nan)

    def __post_init__(self):
        set_ = object.__setattr__
        for name in ("label", "id", "group"):
            refuse_surrogates(getattr(self, name), name)
        if not isinstance(self.label, str) or not self.label.strip():
            raise InputError("label", self.label, "a non-empty label")
        has_p = self.p_e_given_h is not None or self.p_e_given_not_h is not None
        if has_p:
            if self.p_e_given_h is None or self.p_e_given_not_h is None:
                missing = "p_e_given_h" if self.p_e_given_h is None else "p_e_given_not_h"
                raise InputError(missing, None, "both P(E|H) and P(E|not H) when either is given")
            peh = as_probability(self.p_e_given_h, "p_e_given_h", open_lower=True)
            pen = as_probability(self.p_e_given_not_h, "p_e_given_not_h", open_lower=True)
            set_(self, "p_e_given_h", peh)
            set_(self, "p_e_given_not_h", pen)
            log_lr = math.log(peh) - math.log(pen)
            if self.likelihood_ratio is not None:
                stated = as_positive(self.likelihood_ratio, "likelihood_ratio")
                if not math.isclose(math.log(stated), log_lr, rel_tol=1e-9, abs_tol=1e-12):
                    raise InputError(
                        "likelihood_ratio",
                        self.likelihood_ratio,
                        f"P(E|H)/P(E|not H) = {peh:g}/{pen:g} = {math.exp(log_lr):.6g}, or leave it out",
                    )
            # The quotient is exact to one rounding (0.75/0.25 is 3.0, where exp(log) gives
            # 2.9999999999999996); past 1.8e308 it overflows and exp(log_lr) says inf instead.
            quotient = peh / pen
            set_(self, "likelihood_ratio", quotient if math.isfinite(quotient) else odds_from_log_odds(log_lr))
        elif self.likelihood_ratio is not None:
            lr = as_positive(self.likelihood_ratio, "likelihood_ratio", "a likelihood ratio: finite and > 0")
            set_(self, "likelihood_ratio", lr)
            log_lr = math.log(lr)
        else:
            raise InputError(
                "likelihood_ratio", None, "a likelihood ratio, or both P(E|H) and P(E|not H)"
            )
        set_(self, "_log_lr", log_lr)
        for name in ("p_e_given_h_dist", "p_e_given_not_h_dist"):
            dist = getattr(self, name)
            if dist is not None and not has_p:
                raise InputError(name, dist, "a Beta only on an item stated as P(E|H) and P(E|not H)")
            if dist is not None and not isinstance(dist, BetaDist):
                raise InputError(name, dist, "a BetaDist(alpha, beta)")
        if self.log_lr_sigma is not None:
            allowed = f"a standard deviation of ln LR in [0, {MAX_LOG_LR_SIGMA:g}] (nats)"
            sigma = as_float(self.log_lr_sigma, "log_lr_sigma", allowed)
            if not 0 <= sigma <= MAX_LOG_LR_SIGMA:
                raise InputError("log_lr_sigma", self.log_lr_sigma, allowed)
            set_(self, "log_lr_sigma", sigma)
        w = as_float(self.discount, "discount", "a discount exponent in (0, 1]")
        if not 0 < w <= 1:
            raise InputError("discount", self.discount, "a discount exponent in (0, 1]")
        set_(self, "discount", w)
        if self.group is not None and (not isinstance(self.group, str) or not self.group.strip()):
            raise InputError("group", self.group, "a non-empty group name or none")
        if not isinstance(self.enabled, bool):
            raise InputError("enabled", self.enabled, "true or false")
        if self.source is not None and not isinstance(self.source, Source):
            raise InputError("source", self.source, "a Source")
        if self.provenance is not None and not isinstance(self.provenance, Provenance):
            raise InputError("provenance", self.provenance, "a Provenance")

    # -- derived quantities -------------------------------------------------
    @property
    def log_lr(self) -> float:
        """Natural log of the likelihood ratio (nats), before any discount."""
        return self._log_lr

    @property
    def weighted_log_lr(self) -> float:
        """Nats this item contributes after its dependence discount ``w * ln LR``."""
        return self.discount * self._log_lr

    @property
    def is_uncertain(self) -> bool:
        return (
            self.p_e_given_h_dist is not None
            or self.p_e_given_not_h_dist is not None
            or bool(self.log_lr_sigma)
        )

    @property
    def stated_as_probabilities(self) -> bool:
        return self.p_e_given_h is not None

    def inverse(self) -> Evidence:
        """The same item with H and not H swapped (ratio 1/LR); an item and its inverse cancel."""
        if self.stated_as_probabilities:
            return replace(
                self,
                label=f"not: {self.label}",
                p_e_given_h=self.p_e_given_not_h,
                p_e_given_not_h=self.p_e_given_h,
                likelihood_ratio=None,
                p_e_given_h_dist=self.p_e_given_not_h_dist,
                p_e_given_not_h_dist=self.p_e_given_h_dist,
            )
        return replace(self, label=f"not: {self.label}", likelihood_ratio=1.0 / self.likelihood_ratio)

    def with_(self, **changes) -> Evidence:
        """A copy with fields changed (re-validated); the likelihood ratio is re-derived."""
        if "p_e_given_h" in changes or "p_e_given_not_h" in changes:
            changes.setdefault("likelihood_ratio", None)
        return replace(self, **changes)

    def describe(self) -> str:
        """One line such as ``0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB``.

        An item derived from data under unpublished assumptions says so:
        ``... [derived from an assumed n = 316, pooling partial; ...; log10 BF range [a, b]]``.
        """
        from beliefs.format import format_evidence

        text = format_evidence(self._log_lr, self.p_e_given_h, self.p_e_given_not_h)
        if self.provenance is not None:
            text += f" [{self.provenance.describe()}]"
        return text
