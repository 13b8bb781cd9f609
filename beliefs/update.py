r"""Odds-form Bayesian updating.

.. math::

    \underbrace{\ln\frac{P(H\mid E_1..E_k)}{P(\lnot H\mid E_1..E_k)}}_{\text{posterior log-odds}}
    = \underbrace{\ln\frac{P(H)}{P(\lnot H)}}_{\text{prior log-odds}}
    + \sum_i w_i \ln\frac{P(E_i\mid H)}{P(E_i\mid\lnot H)}

with ``w_i = 1`` for independent items and the group's discount exponent for
items in a dependence group.  The sum is taken with :func:`math.fsum`, which
is correctly rounded, so the result does not depend on the order of the items.

A prior of exactly 0 or 1 is certainty: its odds are 0 or infinite and stay
there under any finite likelihood ratio (Cromwell's rule).  Such a prior is
accepted and the result says so in ``note``; the posterior equals the prior.

Examples
--------
Arbital's diseasitis example, (2:8) x (9:3) = 3:4, i.e. 3/7:

>>> r = update(0.2, [Evidence("test", p_e_given_h=0.9, p_e_given_not_h=0.3)])
>>> round(r.posterior, 12), r.posterior_odds_text
(0.428571428571, '1:1.33')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from beliefs.errors import InputError
from beliefs.evidence import NO_STRENGTH, Evidence, Provenance
from beliefs.format import format_evidence, format_odds, format_probability
from beliefs.odds import (
    LN10,
    LogLRQuantities,
    bits,
    complement,
    decibels,
    log_odds,
    odds,
    odds_from_log_odds,
    probability,
)
from beliefs.tables import NotebookRepr
from beliefs.text import one_line
from beliefs.validation import as_float, as_positive, as_probability

__all__ = [
    "CROMWELL_NOTE",
    "Contribution",
    "UpdateResult",
    "cromwell_note",
    "log_odds_path",
    "posterior_log_odds",
    "update",
    "update_by_log_bf",
]

# The one wording of Cromwell's rule (notes, error hints, the app): fill it through cromwell_note().
CROMWELL_NOTE = (
    "A {of} of exactly {p} is certainty: its odds are {o} and no finite "
    "likelihood ratio can move them (Cromwell's rule). Use a {of} strictly "
    "between 0 and 1, however extreme, for evidence to count."
)


def cromwell_note(p: float | None = None, of: str = "prior") -> str:
    """:data:`CROMWELL_NOTE` for a certain ``p`` (0 or 1), or for "0 or 1" when ``p`` is None.

    >>> cromwell_note(1.0).split(" and ")[0]
    'A prior of exactly 1 is certainty: its odds are infinite'
    >>> cromwell_note(of="probability").split(" and ")[0]
    'A probability of exactly 0 or 1 is certainty: its odds are 0 or infinite'
    """
    if p is None:
        return CROMWELL_NOTE.format(of=of, p="0 or 1", o="0 or infinite")
    return CROMWELL_NOTE.format(of=of, p=f"{p:g}", o="0" if p == 0 else "infinite")


@dataclass(frozen=True)
class Contribution:
    """What one evidence item added to the log-odds."""

    label: str
    likelihood_ratio: float
    log_lr: float  # nats, before discount
    weighted_log_lr: float  # nats actually added (discount applied)
    discount: float
    p_e_given_h: float | None
    p_e_given_not_h: float | None
    id: str | None = None
    group: str | None = None
    provenance: Provenance | None = None  # what a computed factor rests on (see update_by_log_bf)
    strength_stated: bool = True  # False: an item left at 1:1 (Evidence.strength_stated)

    @property
    def bits(self) -> float:
        return bits(self.weighted_log_lr)

    @property
    def decibels(self) -> float:
        return decibels(self.weighted_log_lr)

    @property
    def text(self) -> str:
        """``0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB``; an item left at 1:1 says it has no strength stated yet."""
        text = format_evidence(self.log_lr, self.p_e_given_h, self.p_e_given_not_h)
        return text if self.strength_stated else f"{text} ({NO_STRENGTH})"

    @property
    def provenance_text(self) -> str:
        """How a derived ratio was obtained, in words (see :meth:`beliefs.evidence.Provenance.describe`); ``""`` if not derived."""
        return "" if self.provenance is None else self.provenance.describe(self.likelihood_ratio)

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "id": self.id,
            "p_e_given_h": self.p_e_given_h,
            "p_e_given_not_h": self.p_e_given_not_h,
            "likelihood_ratio": _finite_or_none(self.likelihood_ratio),
            "log10_likelihood_ratio": self.log_lr / LN10,
            "discount": self.discount,
            "group": self.group,
            "bits": self.bits,
            "decibels": self.decibels,
        } | ({} if self.provenance is None else {"provenance": self.provenance.to_dict()})


@dataclass(frozen=True)
class UpdateResult(LogLRQuantities, NotebookRepr):
    """Prior, posterior and each item's contribution, in every unit."""

    prior: float
    posterior: float
    prior_log_odds: float
    posterior_log_odds: float
    items: tuple[Contribution, ...]
    note: str | None = None
    # Odds as a plain product, where that is exact to a few roundings (see update()).
    linear_posterior_odds: float | None = None

    @property
    def certain(self) -> bool:
        return math.isinf(self.prior_log_odds)

    @property
    def prior_odds(self) -> float:
        return odds(self.prior)

    @property
    def posterior_odds(self) -> float:
        if self.linear_posterior_odds is not None:
            return self.linear_posterior_odds
        return odds_from_log_odds(self.posterior_log_odds)

    @property
    def posterior_complement(self) -> float:
        """``1 - posterior``, accurate where the posterior rounds to 1."""
        if self.linear_posterior_odds is not None:
            return 1.0 / (1.0 + self.linear_posterior_odds)
        return complement(self.posterior_log_odds)

    @property
    def weighted_log_lrs(self) -> tuple[float, ...]:
        """Each counted item's nats, discount applied, in ledger order."""
        return tuple(c.weighted_log_lr for c in self.items)

    @property
    def log_lr(self) -> float:
        """Total evidence in nats (sum of the weighted item contributions)."""
        return math.fsum(self.weighted_log_lrs)

    @property
    def log_odds_path(self) -> tuple[float, ...]:
        """Log-odds after the prior and after each item in order; the last is ``posterior_log_odds``.

        Each entry is :func:`update`'s own sum over the items so far
        (:func:`log_odds_path`), so the last one equals the posterior exactly.
        A certain prior stays where it is.
        """
        return log_odds_path(self.prior_log_odds, self.weighted_log_lrs)

    def log_odds_with(
        self, replaced: Mapping[int, float | None] | None = None, *, prior_log_odds: float | None = None
    ) -> float:
        """:func:`update`'s posterior log-odds with some items' nats replaced, or left out, or another prior.

        ``replaced`` maps an index into :attr:`items` to the nats that item adds
        instead (None: the item is left out); ``prior_log_odds`` replaces the
        prior.  The sum is update()'s own (:func:`posterior_log_odds`), so an
        analysis that varies one input moves only that input.

        >>> r = update(0.5, [3.0, 2.0])
        >>> r.log_odds_with({1: None}) == update(0.5, [3.0]).posterior_log_odds
        True
        """
        replaced = replaced or {}
        terms = [replaced.get(i, t) for i, t in enumerate(self.weighted_log_lrs)]
        prior = self.prior_log_odds if prior_log_odds is None else prior_log_odds
        return posterior_log_odds(prior, [t for t in terms if t is not None])

    def log_odds_at(self, prior_log_odds):
        """:func:`update` of other priors (log-odds; an array works) by the same evidence: prior + the one total."""
        return prior_log_odds + self.log_lr

    def log_odds_gap(self, other: UpdateResult) -> float:
        """``self.posterior_log_odds - other.posterior_log_odds`` to one rounding: both of update()'s sums, exactly."""
        return math.fsum([self.prior_log_odds, -other.prior_log_odds, *self.weighted_log_lrs,
                          *(-t for t in other.weighted_log_lrs)])  # fmt: skip

    @property
    def prior_odds_text(self) -> str:
        return format_odds(self.prior_log_odds)

    @property
    def posterior_odds_text(self) -> str:
        return format_odds(self.posterior_log_odds)

    def to_dict(self) -> dict:
        """JSON-ready dictionary; infinite odds become ``null`` and ``note`` explains why."""
        return {
            "prior": self.prior,
            "posterior": self.posterior,
            "posterior_complement": self.posterior_complement,
            "prior_odds": _finite_or_none(self.prior_odds),
            "posterior_odds": _finite_or_none(self.posterior_odds),
            "prior_log10_odds": _finite_or_none(self.prior_log_odds / LN10),
            "posterior_log10_odds": _finite_or_none(self.posterior_log_odds / LN10),
            "bits": self.bits,
            "decibels": self.decibels,
            "items": [c.to_dict() for c in self.items],
            "note": self.note,
        }

    def _notebook_tables(self) -> list:
        """Jupyter: the prior and posterior as P(H) and odds, then one row per item (see NotebookRepr)."""
        levels = [
            ["prior", format_probability(self.prior_log_odds), self.prior_odds_text, ""],
            ["posterior", format_probability(self.posterior_log_odds), self.posterior_odds_text,
             f"{self.bits:+.3f} bits ({self.decibels:+.2f} dB) of evidence"],
        ]  # fmt: skip
        tables = [("UpdateResult", ["", "P(H)", "odds", ""], levels)]
        if self.items:
            rows = [
                [c.label, c.text + (f" [{c.provenance_text}]" if c.provenance else ""), f"{c.bits:+.3f}", f"{c.decibels:+.2f}"]
                for c in self.items
            ]
            tables.append(("evidence", ["item", "evidence", "bits", "dB"], rows))
        if self.note:
            tables.append(("note", ["note"], [[self.note]]))
        return tables

    def table(self) -> str:
        """A plain-text table: one row per item, then prior and posterior."""
        rows = [("item", "evidence", "bits", "dB")]
        for c in self.items:
            disc = f" (x{c.discount:g})" if c.discount != 1 else ""
            rows.append((one_line(c.label), c.text + disc, f"{c.bits:+.3f}", f"{c.decibels:+.2f}"))
        rows.append(("total", "", f"{self.bits:+.3f}", f"{self.decibels:+.2f}"))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.append("")
        lines.append(f"prior      {format_probability(self.prior_log_odds):>14}  odds {self.prior_odds_text}")
        lines.append(
            f"posterior  {format_probability(self.posterior_log_odds):>14}  odds {self.posterior_odds_text}"
        )
        if self.note:
            lines.append("")
            lines.append("note: " + self.note)
        return "\n".join(lines)


def posterior_log_odds(prior_log_odds: float, weighted_log_lrs: Iterable[float]) -> float:
    """The one sum: prior log-odds plus the correctly rounded sum of the items' nats (a certain prior stays)."""
    if math.isinf(prior_log_odds):
        return prior_log_odds
    return prior_log_odds + math.fsum(weighted_log_lrs)


def log_odds_path(prior_log_odds: float, weighted_log_lrs: Sequence[float]) -> tuple[float, ...]:
    """:func:`posterior_log_odds` after the prior and after each term in order (a vectorised :func:`update`).

    Each entry is exactly ``posterior_log_odds(prior, terms[:j])``: the running
    sum keeps its exact partials (Shewchuk's, as :func:`math.fsum` does), so a
    long ledger costs linear time, not quadratic.

    >>> log_odds_path(0.0, [0.1, 0.2, 0.3]) == tuple(0.0 + math.fsum([0.1, 0.2, 0.3][:j]) for j in range(4))
    True
    """
    if math.isinf(prior_log_odds):
        return (prior_log_odds,) * (len(weighted_log_lrs) + 1)
    out = [prior_log_odds + 0.0]
    partials: list[float] = []
    for x in weighted_log_lrs:
        # Shewchuk's exact partials: their sum is exactly the sum of the terms so far.
        i = 0
        for y in partials:
            if abs(x) < abs(y):
                x, y = y, x
            hi = x + y
            lo = y - (hi - x)
            if lo:
                partials[i] = lo
                i += 1
            x = hi
        partials[i:] = [x]
        out.append(prior_log_odds + math.fsum(partials))
    return tuple(out)


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _as_evidence(item: object, index: int) -> Evidence:
    if isinstance(item, Evidence):
        return item
    # A bare number is a likelihood ratio; handy in code and in tests.
    lr = as_positive(item, f"evidence[{index}]", "an Evidence item or a likelihood ratio > 0")
    return Evidence(label=f"LR {lr:g}", likelihood_ratio=lr)


def _check_groups(evidence: list[Evidence]) -> None:
    shared: dict[str, tuple[int, float]] = {}
    for i, e in enumerate(evidence):
        if e.group is None:
            continue
        if e.group in shared and shared[e.group][1] != e.discount:
            first, w = shared[e.group]
            raise InputError(
                f"evidence[{i}].discount",
                e.discount,
                f"the same discount as evidence[{first}] in group {e.group!r} ({w:g})",
            )
        shared.setdefault(e.group, (i, e.discount))


def update(prior: float, evidence: Iterable[Evidence | float] = (), *, independent: bool = False) -> UpdateResult:
    """Update ``prior`` by the evidence items, in log-odds space.

    Parameters
    ----------
    prior : float
        P(H) before the evidence, in [0, 1]; 0 and 1 are accepted and explained.
    evidence : iterable of Evidence or float
        Items (disabled ones are skipped); a bare float is a likelihood ratio.
    independent : bool
        Ignore dependence discounts (the naive product of ratios), for showing
        beside the adjusted posterior.
    """
    p = as_probability(prior, "prior")
    items = [_as_evidence(e, i) for i, e in enumerate(evidence)]
    _check_groups(items)
    contributions = tuple(
        Contribution(
            label=e.label,
            likelihood_ratio=e.likelihood_ratio,
            log_lr=e.log_lr,
            weighted_log_lr=e.log_lr if independent else e.weighted_log_lr,
            discount=1.0 if independent else e.discount,
            p_e_given_h=e.p_e_given_h,
            p_e_given_not_h=e.p_e_given_not_h,
            id=e.id,
            group=e.group,
            provenance=e.provenance,
            strength_stated=e.strength_stated,
        )
        for e in items
        if e.enabled
    )
    prior_x = log_odds(p)
    note = None
    linear = None
    if math.isinf(prior_x):
        note = cromwell_note(p)
        posterior_x = prior_x
        posterior = p
    else:
        posterior_x = posterior_log_odds(prior_x, (c.weighted_log_lr for c in contributions))
        posterior = probability(posterior_x)
        linear = _linear_odds(p, contributions, posterior_x)
        if linear is not None:
            posterior = linear / (1.0 + linear)
    return UpdateResult(
        prior=p,
        posterior=posterior,
        prior_log_odds=prior_x,
        posterior_log_odds=posterior_x,
        items=contributions,
        note=note,
        linear_posterior_odds=linear,
    )


# A ratio beyond exp(709.78) is not a float: a larger Bayes factor enters as equal parts that are.
_MAX_LOG_LR_PER_ITEM = 700.0


def update_by_log_bf(
    prior: float, log_bf: float, label: str = "Bayes factor", provenance: Provenance | None = None
) -> UpdateResult:
    r""":func:`update` of ``prior`` by one Bayes factor given as its natural log (nats).

    The route into :func:`update` for a factor computed from data (counts, a
    model's marginal likelihoods), so its posterior is every other posterior's:
    :math:`\lambda_{post} = \lambda_{prior} + \ln BF`, with Cromwell's rule for a
    certain prior.  A factor beyond :math:`e^{700}` cannot be one float
    likelihood ratio; it enters as :math:`m` equal items of :math:`\ln BF / m`
    nats each (``update`` adds them with ``fsum``).  ``provenance`` (what was
    assumed, which model) rides on every item.

    >>> round(update_by_log_bf(0.5, math.log(3)).posterior, 12)
    0.75
    >>> r = update_by_log_bf(1e-300, 2000.0)
    >>> r.posterior, len(r.items), round(r.log_lr, 9)
    (1.0, 3, 2000.0)
    """
    x = as_float(log_bf, "log_bf", "a finite log Bayes factor in nats")
    parts = max(1, math.ceil(abs(x) / _MAX_LOG_LR_PER_ITEM))
    item = Evidence(label, likelihood_ratio=math.exp(x / parts), provenance=provenance)
    return update(prior, [item] * parts)


_LINEAR_RANGE = math.log(1e280)  # far from overflow and from subnormal underflow


def _linear_odds(prior: float, contributions: tuple[Contribution, ...], posterior_x: float) -> float | None:
    """Posterior odds as ``prior odds x product of ratios``, when that is the more exact route.

    The log-space sum is exact to rounding in *nats*, but ``exp`` turns a
    rounding of ln 3 into ``2.9999999999999996``; a product of a few ratios
    such as 0.75/0.25 is exact to a few roundings in the odds themselves.  Used
    only for undiscounted items, and only far from the float range's ends,
    where every intermediate product stays normal.  Factors are multiplied in
    sorted order so that the result does not depend on the items' order.
    """
    if not contributions or abs(posterior_x) > _LINEAR_RANGE:
        return None
    if any(c.weighted_log_lr != c.log_lr or abs(c.log_lr) > _LINEAR_RANGE for c in contributions):
        return None
    factors = sorted([odds(prior), *(c.likelihood_ratio for c in contributions)])
    # Largest and smallest alternately keep every partial product near 1.
    product = 1.0
    lo, hi = 0, len(factors) - 1
    while lo <= hi:
        if product < 1:
            product *= factors[hi]
            hi -= 1
        else:
            product *= factors[lo]
            lo += 1
        if not (1e-280 < product < 1e280):
            return None
    return product if 0 < product < math.inf else None
