r"""Reproduce the 2025 anti-scheming report's headline figures from its Fig. 9 table.

The report (Schoen et al. 2025, arXiv:2509.15541) gives o3 13.0% -> 0.4% and
o4-mini 8.7% -> 0.3%: for each evaluation a Beta(1, 1) prior on the
covert-action rate, updated by k covert actions in n rollouts, and the
average of the 20 posterior means,

.. math::

    \bar r = \frac{1}{20} \sum_{j=1}^{20} \frac{k_j + 1}{n_j + 2} .

Fig. 9 prints the rates :math:`k_j/n_j` (to 0.1 percentage point), not
:math:`k_j` or :math:`n_j`.  With one **assumed** n for every evaluation,
:math:`k_j = \operatorname{round}(\text{rate}_j \times n)`; n = 316 (the
default) reproduces all four figures to one decimal, as do n in
{313..319, 321, 324} of 300..330 (research/evidence.md, Update 2026-11-27).
n is an assumption, not data: printed 0.1% values imply some evaluations
have n of about 667 or more, so n varies by evaluation.

Rounding rule: **half to even**, computed exactly on the printed decimal
(``round(Fraction("0.02") * 325)`` = round(13/2) = 6).  Only exact ties care
which rule is used, and a float product such as ``0.035 * 100`` can land on
either side of .5, so the tie is decided on the exact decimal, never on the
float.  Half to even is Python's and IEEE 754's default and is unbiased over
many ties; it is also the rule behind the research notes' set
{313..319, 321, 324}.  Half up would add n = 325, where o4-mini's 2.0%
(Long Document Verification) x 325 = 6.5 is a tie: the rule is a (small)
assumption too, stated here and tested.

Examples
--------
>>> derived_count(0.005, 100), derived_count(0.015, 100), derived_count(0.025, 100)
(0, 2, 2)
>>> derived_count(0.02, 325), derived_count(0.02, 325, half_up=True)
(6, 7)
>>> r = reproduce_antischeming()
>>> [(row.model, row.phase, round(row.reproduced_pct, 1), row.published_pct) for row in r.rows]
[('o3', 'before', 13.0, 13.0), ('o3', 'after', 0.4, 0.4), ('o4-mini', 'before', 8.7, 8.7), ('o4-mini', 'after', 0.3, 0.3)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from beliefs.errors import InputError
from beliefs.io import catalogue
from beliefs.validation import as_count

__all__ = [
    "BEFORE_AFTER_QUANTITIES",
    "BEFORE_AFTER_STATISTIC",
    "DATASET",
    "DEFAULT_N_ASSUMED",
    "WHY_REDUCTION_DIFFERS",
    "ReproduceResult",
    "ReproduceRow",
    "before_after_rows",
    "derived_count",
    "derived_counts",
    "paper_aggregate",
    "reproduce_antischeming",
    "reproducing_n",
]

DATASET = "antischeming-2025"
DEFAULT_N_ASSUMED = 316
MAX_N_ASSUMED = 10_000_000
# The catalogue entries holding the paper's four headline figures, (before, after) in that order.
_HEADLINE_ENTRY = {"o3": "antischeming_o3_covert_rate", "o4-mini": "antischeming_o4mini_covert_rate"}
ASSUMPTION_NOTE = (
    "n is an ASSUMPTION, not data: the paper publishes per-evaluation rates only, no sample sizes. "
    "Every evaluation is given the same n here; printed 0.1% values imply some evaluations have "
    "n of about 667 or more, so the real n varies by evaluation."
)


def derived_count(rate: float, n: int, *, half_up: bool = False) -> int:
    r"""``k = rate * n`` rounded half to even (or half up), exactly, on the printed decimal of ``rate``.

    ``Fraction(repr(rate))`` is the decimal as printed (0.035 is 7/200, not the
    binary float), so a tie such as 0.035 x 100 = 3.5 is a tie on every platform.
    """
    exact = Fraction(repr(float(rate))) * int(n)
    return math.floor(exact + Fraction(1, 2)) if half_up else round(exact)


def derived_counts(rates: list[float], n: int, *, half_up: bool = False) -> list[int]:
    """:func:`derived_count` for each rate."""
    return [derived_count(r, n, half_up=half_up) for r in rates]


def paper_aggregate(ks: list[int], n: int) -> float:
    r"""The report's aggregate: the mean of the Beta(1, 1) posterior means :math:`(k_j+1)/(n+2)`, a fraction."""
    return math.fsum((k + 1) / (n + 2) for k in ks) / len(ks)


@dataclass(frozen=True)
class ReproduceRow:
    """One model and phase: the published figure beside the reproduced one (percent)."""

    model: str
    phase: str
    published_pct: float
    reproduced_pct: float
    raw_mean_pct: float
    k: tuple[int, ...]
    evaluations: tuple[str, ...]

    @property
    def matches(self) -> bool:
        """Whether the reproduced figure rounds to the published one at one decimal (half up)."""
        return _one_decimal(self.reproduced_pct) == _one_decimal(self.published_pct)

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "phase": self.phase,
            "published_pct": self.published_pct,
            "reproduced_pct": self.reproduced_pct,
            "raw_mean_pct": self.raw_mean_pct,
            "matches_to_one_decimal": self.matches,
            "k": list(self.k),
            "evaluations": list(self.evaluations),
        }


@dataclass(frozen=True)
class ReproduceResult:
    """The four headline figures of the report, reproduced at an assumed n per evaluation."""

    n: int
    rows: tuple[ReproduceRow, ...]

    @property
    def all_match(self) -> bool:
        return all(r.matches for r in self.rows)

    def reductions(self) -> list[dict]:
        """Per model, the paper's own before/after quantity: published and reproduced before / after."""
        out = []
        for model in catalogue.MODELS:
            before, after = (r for r in self.rows if r.model == model)
            out.append({
                "model": model,
                "published_factor": before.published_pct / after.published_pct,
                "reproduced_factor": before.reproduced_pct / after.reproduced_pct,
                "floor_pct": 100 / (self.n + 2),
            })  # fmt: skip
        return out

    def to_dict(self) -> dict:
        table = catalogue.per_evaluation()
        return {
            "dataset": DATASET,
            "n": self.n,
            "n_is_assumed": True,
            "assumption": ASSUMPTION_NOTE,
            "rounding": "k = rate x n, rounded half to even on the exact printed decimal",
            "aggregate": "mean over the 20 evaluations of the Beta(1,1) posterior mean (k+1)/(n+2)",
            "all_match": self.all_match,
            "rows": [r.to_dict() for r in self.rows],
            "reductions": self.reductions(),
            "source": table.source.citation,
            "source_location": table.source.location,
            "row_alignment": table.alignment_note,
        }


def _one_decimal(pct: float) -> Fraction:
    return math.floor(Fraction(pct) * 10 + Fraction(1, 2))


def _published_pct(model: str) -> tuple[float, float]:
    figures = catalogue.get_entry(_HEADLINE_ENTRY[model]).figures
    # Catalogue values are fractions (0.130); the report prints percent to one decimal.
    return round(100 * figures[0].value, 1), round(100 * figures[1].value, 1)


def reproduce_antischeming(
    n: object = DEFAULT_N_ASSUMED, *, field: str = "n", half_up: bool = False
) -> ReproduceResult:
    """The report's four headline figures from Fig. 9 at an assumed ``n`` rollouts per evaluation."""
    n_int = as_count(n, field, minimum=1, maximum=MAX_N_ASSUMED)
    table = catalogue.per_evaluation()
    rows = []
    for model in catalogue.MODELS:
        published = _published_pct(model)
        for i, phase in enumerate(catalogue.PHASES):
            rates = table.rates(model, phase)
            ks = derived_counts(rates, n_int, half_up=half_up)
            rows.append(
                ReproduceRow(
                    model=model,
                    phase=phase,
                    published_pct=published[i],
                    reproduced_pct=100 * paper_aggregate(ks, n_int),
                    raw_mean_pct=100 * math.fsum(rates) / len(rates),
                    k=tuple(ks),
                    evaluations=tuple(table.evaluations),
                )
            )
    return ReproduceResult(n_int, tuple(rows))


# -- the hierarchical before/after model, labelled for what it is ------------------------------------

BEFORE_AFTER_STATISTIC = "posterior median, with a 90% equal-tailed interval"
BEFORE_AFTER_QUANTITIES = {
    "mean_before": "average of the 20 evaluations' covert-action rates before training (hierarchical model)",
    "mean_after": "average of the 20 evaluations' covert-action rates after training (hierarchical model)",
    "reduction": "ratio of those two averages, before / after",
    "typical_before": "population median rate before training, sigmoid(population mean log-odds)",
    "typical_after": "population median rate after training, sigmoid(population mean log-odds + mean shift)",
}
WHY_REDUCTION_DIFFERS = (
    "The paper's factor of about 30 (13.0% / 0.4%) divides averages of Beta(1,1) posterior means, and "
    "(k+1)/(n+2) never falls below 1/(n+2) (0.3% at n = 316), so its after-training figure is mostly that "
    "floor; the hierarchical model pools the after-training counts, nearly all zero, and lets the rates "
    "shrink far below the floor, so its ratio is larger and moves with the assumed n and the pooling prior."
)


def before_after_rows(quantiles: dict) -> list[dict]:
    """Label a before/after fit's ``quantiles`` (``{name: {q05, q50, q95}}``) with what each quantity is.

    Returns one row per known quantity present: ``name``, ``quantity`` (what it
    is), ``statistic`` (:data:`BEFORE_AFTER_STATISTIC`), ``median``, ``q05``, ``q95``.
    """
    return [
        {"name": name, "quantity": text, "statistic": BEFORE_AFTER_STATISTIC,
         "median": quantiles[name]["q50"], "q05": quantiles[name]["q05"], "q95": quantiles[name]["q95"]}
        for name, text in BEFORE_AFTER_QUANTITIES.items()
        if name in quantiles
    ]  # fmt: skip


def reproducing_n(low: int, high: int, *, half_up: bool = False) -> list[int]:
    """The assumed n in ``low..high`` at which all four figures are reproduced to one decimal."""
    if low > high:
        raise InputError("low", low, f"at most high = {high}")
    return [n for n in range(low, high + 1) if reproduce_antischeming(n, half_up=half_up).all_match]
