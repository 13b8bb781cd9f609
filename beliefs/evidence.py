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

The item schema
---------------
Every constraint on an item lives here, once: :data:`LABEL`, :data:`DISCOUNT`
and the other rules below.  :class:`Evidence` checks its fields with them; the
scenario file's schema (:mod:`beliefs.io.scenario_schema`) builds its pydantic
fields and messages from them; the share link's codec and the app's widgets
take their limits from them.  So a value a file accepts is a value a link
carries and a widget shows, and the same bad value gets the same message
everywhere.

>>> DISCOUNT.allowed, LABEL.max_length
('a discount exponent in (0, 1]', 300)
>>> DISCOUNT.check("0", "discount")
Traceback (most recent call last):
...
beliefs.errors.InputError: discount: got '0'; expected a discount exponent in (0, 1]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, NamedTuple

from beliefs.errors import InputError
from beliefs.odds import LogLRQuantities, odds_from_log_odds
from beliefs.validation import as_float, as_positive, as_probability, refuse_subnormal, refuse_surrogates

__all__ = [
    "BETA_SHAPE",
    "CITATION",
    "CONCENTRATION",
    "DISCOUNT",
    "GROUP",
    "ITEM_ID",
    "LABEL",
    "LIKELIHOOD",
    "LIKELIHOOD_RATIO",
    "LOCATION",
    "LOG_LR_SIGMA",
    "NOTE",
    "NO_STRENGTH",
    "PROVENANCE_TEXT",
    "STATUS_MEANING",
    "URL",
    "BetaDist",
    "Entry",
    "Evidence",
    "Provenance",
    "Range",
    "Source",
    "TextRule",
    "parse_beta",
    "unstated_sentence",
]

STATUS_MEANING = {
    "P": "read in the primary text",
    "S": "from secondary sources only; check before relying on it",
    "X": "not confirmed in any source",
}

Status = Literal["P", "S", "X"]


# -- the item schema ----------------------------------------------------------------------

_CODE_UNSAFE = re.compile("[`\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class TextRule:
    """One text field of the item schema: how long it may be and what it may hold.

    ``required``: at least one non-blank character.  ``plain``: no backticks
    or control characters (the text is shown inside code spans and on one
    terminal line).  Lone surrogates are never allowed (they cannot be saved
    as UTF-8).
    """

    what: str
    max_length: int
    required: bool = False
    plain: bool = False

    @property
    def allowed(self) -> str:
        return f"{self.what} of at most {self.max_length:,} characters" + (
            ", no backticks or control characters" if self.plain else ""
        )

    def check(self, value: object, field: str) -> str:
        """``value`` if it obeys this rule; else InputError naming ``field``."""
        if not isinstance(value, str):
            raise InputError(field, value, self.allowed)
        refuse_surrogates(value, field)
        if len(value) > self.max_length:
            raise InputError(field, value, self.allowed, f"it has {len(value):,}")
        if self.required and not value.strip():
            raise InputError(field, value, self.allowed)
        if self.plain and _CODE_UNSAFE.search(value):
            raise InputError(field, value, self.allowed)
        return value


@dataclass(frozen=True)
class Range:
    """One number field of the item schema: its interval, each end open or closed.

    Widgets take ``low``/``high`` as their bounds; a value at an open end is
    refused by :meth:`check` with the same message a file or a link gets.  So is
    a value below 2.2e-308 other than 0 (a subnormal double: 1e-320 is held as
    9.88e-321), in every field and from every reader (issue 22.14); ``advice``
    ends that message with how to give such a value instead.
    """

    what: str
    low: float
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    unit: str = ""
    advice: str = ""

    @property
    def allowed(self) -> str:
        if math.isinf(self.high):
            text = f"{self.what}: finite and {'>' if self.low_open else '>='} {self.low:g}"
        else:
            left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
            text = f"{self.what} in {left}{self.low:g}, {self.high:g}{right}"
        return text + (f" ({self.unit})" if self.unit else "")

    def contains(self, x: float) -> bool:
        above = x > self.low if self.low_open else x >= self.low
        below = x < self.high if self.high_open or math.isinf(self.high) else x <= self.high
        return above and below

    def check(self, value: object, field: str) -> float:
        """``value`` as a float in this range, held by a double with all its digits; else InputError naming ``field``."""
        x = as_float(value, field, self.allowed)
        if not self.contains(x):
            raise InputError(field, value, self.allowed)
        return self.normal(x, value, field)

    def normal(self, x: float, value: object, field: str) -> float:
        """``x`` (read from ``value``) unless it is a subnormal double; else InputError naming ``field``.

        >>> LIKELIHOOD_RATIO.normal(1e-320, "1e-320", "--lr")
        Traceback (most recent call last):
        ...
        beliefs.errors.InputError: --lr: got '1e-320'; expected a likelihood ratio: finite and > 0 (this is below 2.2e-308, the smallest double that keeps full precision (1e-320 would be held as 9.88e-321); give it as items whose ratios multiply to it, e.g. 1e-160 twice for 1e-320)
        """
        refuse_subnormal(field, value, x, allowed=self.allowed, advice=self.advice)
        return x


# Text: a label fits on a line of a table and in a share-link parameter; ids and groups are names.
LABEL = TextRule("a non-empty label", 300, required=True)
ITEM_ID = TextRule("an id", 100)
GROUP = TextRule("a non-empty group name", 100, required=True)
NOTE = TextRule("a note", 10_000)
CITATION = TextRule("a non-empty citation", 1_000, required=True)
LOCATION = TextRule("a location in the source", 2_000)
URL = TextRule("a URL", 2_000)
# Provenance fields hold a model in words, e.g. both hypotheses' named readings with their status and reason
# (beliefs.counts.CountsResult.model_text: up to ~550 characters for the shipped readings).
PROVENANCE_TEXT = TextRule("text", 1_000, plain=True)
# Numbers.  A likelihood of exactly 0 would make the evidence infinitely strong: no finite ledger holds it.
LIKELIHOOD = Range(
    "a probability", 0.0, 1.0, low_open=True,
    advice="only the ratio P(E|H)/P(E|not H) counts: scale both by one factor, or state the likelihood ratio",
)  # fmt: skip
LIKELIHOOD_RATIO = Range(
    "a likelihood ratio", 0.0, low_open=True, advice="give it as items whose ratios multiply to it, e.g. 1e-160 twice for 1e-320"
)
# One sd of ln LR this large is already a factor of 1e304 either way; the draws (4.5 sd) stay finite.
LOG_LR_SIGMA = Range("a standard deviation of ln LR", 0.0, 700.0, unit="nats")
DISCOUNT = Range("a discount exponent", 0.0, 1.0, low_open=True)
CONCENTRATION = Range("a Beta concentration alpha + beta", 0.0, low_open=True)
BETA_SHAPE = Range("a Beta parameter", 0.0, low_open=True)
MAX_LOG_LR_SIGMA = LOG_LR_SIGMA.high
# How the ledger, the exports and the summary mark an item at 1:1 (Evidence.strength_stated False).
NO_STRENGTH = "no strength stated yet"


def unstated_sentence(n: int) -> str:
    """The one sentence the summary and the exports give for ``n`` items left at 1:1 ("" for none).

    >>> unstated_sentence(1)
    '1 item has no strength stated yet: it counts as 1:1 and moves nothing until its likelihoods are stated'
    """
    if not n:
        return ""
    one = n == 1
    return (
        f"{n} item{'' if one else 's'} {'has' if one else 'have'} {NO_STRENGTH}: "
        f"{'it counts' if one else 'they count'} as 1:1 and move{'s' if one else ''} nothing until "
        f"{'its' if one else 'their'} likelihoods are stated"
    )


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
        for name, rule in (("citation", CITATION), ("location", LOCATION), ("url", URL)):
            rule.check(getattr(self, name), f"source.{name}")
        if self.status not in STATUS_MEANING:
            raise InputError("source.status", self.status, "one of 'P', 'S', 'X'")

    @property
    def status_meaning(self) -> str:
        return STATUS_MEANING[self.status]


@dataclass(frozen=True)
class Provenance:
    """How a likelihood ratio derived from data was obtained, and what it rests on.

    ``assumption`` says what nobody published (e.g. "derived from an assumed
    n = 316 per evaluation, pooling partial"); ``model`` the likelihood model;
    ``method`` "exact", "quadrature" or "MCMC"; ``log10_bf_range`` the
    [low, high] of log10 of the Bayes factor over ``range_over`` (the grid of
    unpublished assumptions); ``derived_likelihood_ratio`` the ratio as
    derived, so an item whose ratio is edited later still says what the data
    gave.  Everything is plain text and numbers, so it travels through
    scenario files, share links and exports unchanged.  A new field needs a
    default (older files and links lack it) and goes into ``to_dict`` by
    itself.

    Examples
    --------
    >>> p = Provenance("derived from an assumed n = 316, pooling partial", "quadrature",
    ...                log10_bf_range=(-1.5, 2.25), derived_likelihood_ratio=221.0)
    >>> p.describe()
    'derived: assumed n = 316, pooling partial; quadrature; log10 BF range [-1.5, 2.25]'
    >>> p.describe(112.0)
    'edited: 112:1; derived value was 221:1 at assumed n = 316, pooling partial; quadrature; log10 BF range [-1.5, 2.25]'
    """

    assumption: str
    method: str = ""
    model: str = ""
    log10_bf_range: tuple[float, float] | None = None
    range_over: str = ""
    derived_likelihood_ratio: float | None = None

    def __post_init__(self):
        for name in ("assumption", "method", "model", "range_over"):
            # It is shown inside code spans and terminal lines: no backticks, no control characters.
            PROVENANCE_TEXT.check(getattr(self, name), f"provenance.{name}")
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
        if self.derived_likelihood_ratio is not None:
            lr = LIKELIHOOD_RATIO.check(self.derived_likelihood_ratio, "provenance.derived_likelihood_ratio")
            object.__setattr__(self, "derived_likelihood_ratio", lr)

    def edited(self, likelihood_ratio: float | None) -> bool:
        """True when ``likelihood_ratio`` is not the ratio this provenance derived."""
        derived = self.derived_likelihood_ratio
        if derived is None or likelihood_ratio is None:
            return False
        return not math.isclose(math.log(likelihood_ratio), math.log(derived), rel_tol=1e-12, abs_tol=1e-12)

    def describe(self, likelihood_ratio: float | None = None) -> str:
        """In words: ``derived: assumed n = ...; method; model; log10 BF range [a, b] over ...``.

        Given the item's current ``likelihood_ratio``, a ratio edited after it
        was derived reads ``edited: 112:1; derived value was 221:1 at ...``.
        """
        from beliefs.format import format_odds

        basis = self.assumption
        for prefix in ("derived from an ", "derived from a ", "derived from ", "derived: "):
            if basis.startswith(prefix):
                basis = basis[len(prefix) :]
                break
        parts = [basis] + [x for x in (self.method, self.model) if x]
        if self.log10_bf_range is not None:
            lo, hi = self.log10_bf_range
            over = f" over {self.range_over}" if self.range_over else ""
            parts.append(f"log10 BF range [{lo:.4g}, {hi:.4g}]{over}")
        body = "; ".join(parts)
        if self.edited(likelihood_ratio):
            now = format_odds(math.log(likelihood_ratio))
            was = format_odds(math.log(self.derived_likelihood_ratio))
            return f"edited: {now}; derived value was {was} at {body}"
        return f"derived: {body}"

    def to_dict(self) -> dict:
        """Every field, in order; ``derived_likelihood_ratio`` only when known (older files lack it)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "log10_bf_range":
                value = None if value is None else list(value)
            elif value is None and f.default is None and f.name != "log10_bf_range":
                continue
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, d: object, field: str = "provenance") -> Provenance:
        """Rebuild from :meth:`to_dict` output (errors name ``field``)."""
        names = [f.name for f in fields(cls)]
        if not isinstance(d, dict):
            raise InputError(field, d, "an object with " + ", ".join(names))
        unknown = set(d) - set(names)
        if unknown:
            raise InputError(field, sorted(unknown), "only " + ", ".join(names))
        rng = d.get("log10_bf_range")
        return cls(**{**d, "log10_bf_range": tuple(rng) if isinstance(rng, list) else rng, "assumption": d.get("assumption", "")})


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
        LABEL.check(self.label, "label")
        NOTE.check(self.note, "note")
        if self.id is not None:
            ITEM_ID.check(self.id, "id")
        if self.group is not None:
            GROUP.check(self.group, "group")
        has_p = self.p_e_given_h is not None or self.p_e_given_not_h is not None
        if has_p:
            if self.p_e_given_h is None or self.p_e_given_not_h is None:
                missing = "p_e_given_h" if self.p_e_given_h is None else "p_e_given_not_h"
                raise InputError(missing, None, "both P(E|H) and P(E|not H) when either is given")
            # as_probability is LIKELIHOOD's check with the hints ("did you mean 0.015?", why not 0).
            peh = as_probability(self.p_e_given_h, "p_e_given_h", open_lower=LIKELIHOOD.low_open)
            pen = as_probability(self.p_e_given_not_h, "p_e_given_not_h", open_lower=LIKELIHOOD.low_open)
            LIKELIHOOD.normal(peh, self.p_e_given_h, "p_e_given_h")
            LIKELIHOOD.normal(pen, self.p_e_given_not_h, "p_e_given_not_h")
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
            lr = LIKELIHOOD_RATIO.check(self.likelihood_ratio, "likelihood_ratio")
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
            if dist is not None:
                for shape in ("alpha", "beta"):
                    BETA_SHAPE.normal(getattr(dist, shape), getattr(dist, shape), f"{name}.{shape}")
        if self.log_lr_sigma is not None:
            set_(self, "log_lr_sigma", LOG_LR_SIGMA.check(self.log_lr_sigma, "log_lr_sigma"))
        set_(self, "discount", DISCOUNT.check(self.discount, "discount"))
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
    def strength_stated(self) -> bool:
        """False for an item left at 1:1 with no uncertainty: it moves nothing and says :data:`NO_STRENGTH`.

        A catalogue item arrives so (no source states its likelihoods), as does a new typed item;
        the ledger, the exports and the summary's count mark it until the user states a strength.
        """
        return self._log_lr != 0 or self.is_uncertain

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
        """A copy with fields changed (re-validated); the likelihood ratio is re-derived.

        A derived item whose ratio changes keeps its provenance, and the
        provenance keeps the ratio as derived (recorded now if it was not), so
        the item says it was edited (:attr:`provenance_text`).
        """
        if "p_e_given_h" in changes or "p_e_given_not_h" in changes:
            changes.setdefault("likelihood_ratio", None)
        prov = self.provenance
        if prov is not None and prov.derived_likelihood_ratio is None and changes.get("provenance", prov) is prov:
            changes["provenance"] = replace(prov, derived_likelihood_ratio=self.likelihood_ratio)
            new = replace(self, **changes)
            return new if new.log_lr != self.log_lr else replace(new, provenance=prov)
        return replace(self, **changes)

    # -- the numbers as a form holds them ---------------------------------------------

    @property
    def entry(self) -> Entry:
        """How the app's form and the readable link hold this item's numbers (see :class:`Entry`)."""
        if self.stated_as_probabilities:
            dist = self.p_e_given_h_dist or self.p_e_given_not_h_dist
            return Entry("p", self.p_e_given_h, self.p_e_given_not_h, None if dist is None else self._kappa())
        return Entry("lr", self.likelihood_ratio, None, self.log_lr_sigma or None)

    def _kappa(self) -> float:
        """The concentration kappa that rebuilds both Betas exactly from the stated probabilities.

        alpha + beta is kappa only to rounding (kappa p + kappa (1 - p)); the kappa typed is a
        float or two away, so the neighbours are tried.  Betas that are no kappa's give the
        first one's alpha + beta (and the entry does not rebuild the item).
        """
        h, n = self.p_e_given_h_dist, self.p_e_given_not_h_dist
        first = (h or n).concentration
        if h is None or n is None:
            return first
        for k0 in (h.concentration, n.concentration):
            up = down = k0
            candidates = [k0]
            for _ in range(2):
                up, down = math.nextafter(up, math.inf), math.nextafter(down, 0.0)
                candidates += [up, down]
            for k in candidates:
                if _betas_of(self.p_e_given_h, self.p_e_given_not_h, k) == (h, n):
                    return k
        return first

    def with_entry(self, entry: Entry) -> Evidence:
        """This item with its numbers (how it is stated, values, spread) from ``entry``; the rest kept.

        Errors name the item's fields (``p_e_given_h``, ``likelihood_ratio``,
        ``spread``); a caller prefixes the row's name.
        """
        return self.with_(**_entry_fields(entry))

    @classmethod
    def from_entry(cls, label: str, entry: Entry, **rest: Any) -> Evidence:
        """A new item from a label, its numbers as entered, and any other field (id, group, ...)."""
        return cls(label, **_entry_fields(entry), **rest)

    @property
    def provenance_text(self) -> str:
        """How a derived ratio was obtained, in words (``derived: assumed n = ...``, or ``edited: ...``); ``""`` if not derived."""
        return "" if self.provenance is None else self.provenance.describe(self.likelihood_ratio)

    def describe(self) -> str:
        """One line such as ``0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB``.

        An item left at 1:1 says ``(no strength stated yet)``; one derived from data under unpublished
        assumptions says so:
        ``... [derived: assumed n = 316, pooling partial; ...; log10 BF range [a, b] over ...]``.
        """
        from beliefs.format import format_evidence

        text = format_evidence(self._log_lr, self.p_e_given_h, self.p_e_given_not_h)
        if not self.strength_stated:
            text += f" ({NO_STRENGTH})"
        if self.provenance is not None:
            text += f" [{self.provenance_text}]"
        return text


class Entry(NamedTuple):
    """An item's numbers as the app's form and the readable share link hold them.

    ``kind`` "p": ``a`` = P(E|H), ``b`` = P(E|not H), ``spread`` = the
    concentration kappa of a Beta on each (its mean the stated probability);
    ``kind`` "lr": ``a`` = the likelihood ratio, ``b`` = None, ``spread`` = the
    standard deviation of ln LR.  ``spread`` None (or 0) is an exact value.
    Not every item is one: Betas whose means are not the stated
    probabilities, or of different concentrations, are an item's own
    (a file may hold them), and ``item.with_entry(item.entry) != item`` says so.

    >>> e = Evidence.from_entry("x", Entry("p", 0.75, 0.25, 40.0))
    >>> e.p_e_given_h_dist, e.entry == Entry("p", 0.75, 0.25, 40.0)
    (BetaDist(alpha=30.0, beta=10.0), True)
    """

    kind: Literal["p", "lr"]
    a: float
    b: float | None = None
    spread: float | None = None


def _betas_of(p_h: float, p_not_h: float, kappa: float) -> tuple[BetaDist, BetaDist] | None:
    try:
        return (BetaDist.from_mean_concentration(p_h, kappa), BetaDist.from_mean_concentration(p_not_h, kappa))
    except InputError:
        return None


def _entry_fields(entry: Entry) -> dict[str, Any]:
    kind, a, b, spread = entry
    if kind == "p":
        dists = {"p_e_given_h_dist": None, "p_e_given_not_h_dist": None}
        if spread:  # each probability is the mean of a Beta with concentration kappa = spread
            # Checked as probabilities first: the message then keeps its "did you mean 0.015?" hint.
            for name, p in (("p_e_given_h", a), ("p_e_given_not_h", b)):
                as_probability(p, name, open_lower=True, open_upper=True)
            spread = CONCENTRATION.check(spread, "spread")
            dists = {
                f"{name}_dist": BetaDist.from_mean_concentration(p, spread, mean_field=name, concentration_field="spread")
                for name, p in (("p_e_given_h", a), ("p_e_given_not_h", b))
            }
        return {"p_e_given_h": a, "p_e_given_not_h": b, "likelihood_ratio": None, "log_lr_sigma": None, **dists}
    if kind != "lr":
        raise InputError("kind", kind, "'p' (two probabilities) or 'lr' (a likelihood ratio)")
    return {
        "p_e_given_h": None,
        "p_e_given_not_h": None,
        "likelihood_ratio": a,
        "log_lr_sigma": spread or None,
        "p_e_given_h_dist": None,
        "p_e_given_not_h_dist": None,
    }
