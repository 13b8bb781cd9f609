"""Covert-action data from the research notes (/work/shared/research/evidence.md).

Two kinds of numbers live here and are never mixed up:

* **published** counts ``k/n`` that a paper states (``derived=False``);
* **derived** counts: a published *rate* times a sample size, rounded
  (``derived=True``).  They are labelled ``DERIVED`` wherever shown.

The anti-scheming paper (Schoen et al. 2025, arXiv:2509.15541) publishes
per-evaluation covert-action *rates* before and after anti-scheming training
(Fig. 9) but no sample sizes.  The table is read from the catalogue
(:func:`beliefs.io.catalogue.per_evaluation`, the one copy: all 20 evaluations
for both models, value strings status P, row alignment status S, Reading A as
settled in the notes' "Update 2026-11-27").  :func:`antischeming_counts`
needs an *assumed* effective number of rollouts per evaluation and returns
``k = rate x n`` rounded by :func:`beliefs.reproduce.derived_count`; the field
names (``k_before_derived``, ``n_assumed``) and the ``label`` say so.
:func:`parse_dataset` reads ``antischeming-2025:MODEL:PHASE`` (the CLI's
``--dataset``) and :func:`dataset_counts` / :func:`derived_count_pairs` give the
derived counts; :func:`dataset_counts_result` their Bayes factor with its range over
n and pooling (:func:`assumption_range`).  No SciPy at import (:mod:`beliefs.counts`
imports it inside the functions that compute).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from beliefs import counts
from beliefs.errors import InputError
from beliefs.evidence import Source
from beliefs.io import catalogue
from beliefs.odds import LN10
from beliefs.rate_priors import parse_rate_prior
from beliefs.reproduce import DATASET, DEFAULT_N_ASSUMED, MAX_N_ASSUMED, derived_counts
from beliefs.validation import as_count

if TYPE_CHECKING:
    from beliefs.partial_pooling import KappaPrior

__all__ = [
    "ASSUMED_N_GRID",
    "AssumptionRange",
    "DatasetSpec",
    "DerivedCounts",
    "PublishedCount",
    "RateRow",
    "antischeming_counts",
    "antischeming_rates",
    "assumption_range",
    "dataset_counts",
    "dataset_counts_result",
    "derived_count_pairs",
    "parse_dataset",
    "pooling_disagreement",
    "published_counts",
]

# What nobody published, and the grid every derived Bayes factor is shown over.
ASSUMED_N_GRID = (100, DEFAULT_N_ASSUMED, 1000)


@dataclass(frozen=True)
class RateRow:
    """One evaluation's published covert-action rates (fractions, not percent)."""

    evaluation: str
    rate_before: float
    rate_after: float


def antischeming_rates(model: str = "o3") -> list[RateRow]:
    """Fig. 9 per-evaluation rates for ``model`` ("o3" or "o4-mini"), as fractions, from the catalogue.

    Examples
    --------
    >>> rows = antischeming_rates("o4-mini")
    >>> rows[0]
    RateRow(evaluation='Broken Promises', rate_before=0.044, rate_after=0.0)
    >>> round(100 * sum(r.rate_before for r in rows) / len(rows), 2)  # raw average (paper: 8.7% posterior mean)
    8.4
    """
    table = catalogue.per_evaluation()
    before, after = table.rates(model, "before"), table.rates(model, "after")
    return [RateRow(e, b, a) for e, b, a in zip(table.evaluations, before, after, strict=True)]


@dataclass(frozen=True)
class DerivedCounts:
    """Counts DERIVED from published rates and an ASSUMED effective sample size.

    ``k_before_derived[j] = round(rate_before[j] * n_assumed)`` (same for
    after; half to even on the exact decimal, see :mod:`beliefs.reproduce`).
    These are not published counts: the paper gives no sample sizes.
    """

    model: str
    evaluations: list[str]
    rate_before: list[float]
    rate_after: list[float]
    k_before_derived: list[int]
    k_after_derived: list[int]
    n_assumed: int
    source: Source
    status_note: str
    derived: bool = True

    @property
    def n_before_assumed(self) -> list[int]:
        return [self.n_assumed] * len(self.evaluations)

    def k(self, phase: str) -> list[int]:
        """The derived counts at ``phase`` ("before" or "after")."""
        if phase not in catalogue.PHASES:
            raise InputError("phase", phase, "'before' or 'after'")
        return list(self.k_before_derived if phase == "before" else self.k_after_derived)

    @property
    def label(self) -> str:
        return (
            f"DERIVED counts: round(published rate x ASSUMED effective n = {self.n_assumed}) per evaluation; "
            "the paper publishes rates, not counts or sample sizes"
        )

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "derived": True,
            "label": self.label,
            "n_assumed": self.n_assumed,
            "evaluations": list(self.evaluations),
            "rate_before_published": list(self.rate_before),
            "rate_after_published": list(self.rate_after),
            "k_before_derived": list(self.k_before_derived),
            "k_after_derived": list(self.k_after_derived),
            "source": self.source.citation,
            "source_location": self.source.location,
            "source_status": self.status_note,
        }


def antischeming_counts(model: str = "o3", effective_n: int | str = DEFAULT_N_ASSUMED) -> DerivedCounts:
    """Per-evaluation counts derived as ``round(rate * effective_n)`` from Fig. 9 (all 20 evaluations).

    Parameters
    ----------
    model : {"o3", "o4-mini"}
    effective_n : int
        The ASSUMED number of rollouts per evaluation (the paper does not
        say; 316 reproduces its four headline figures, see
        :func:`beliefs.reproduce.reproduce_antischeming`).

    Examples
    --------
    >>> d = antischeming_counts("o4-mini", effective_n=1000)
    >>> d.evaluations[0], d.k_before_derived[0], d.k_after_derived[0], d.n_assumed
    ('Broken Promises', 44, 0, 1000)
    >>> d.label.startswith("DERIVED")
    True
    """
    catalogue.check_model(model)
    n = as_count(effective_n, "effective_n", minimum=1, maximum=MAX_N_ASSUMED)
    table = catalogue.per_evaluation()
    rb, ra = table.rates(model, "before"), table.rates(model, "after")
    return DerivedCounts(
        model=model,
        evaluations=table.evaluations,
        rate_before=rb,
        rate_after=ra,
        k_before_derived=derived_counts(rb, n),
        k_after_derived=derived_counts(ra, n),
        n_assumed=n,
        source=table.source,
        status_note=table.status_note,
    )


@dataclass(frozen=True)
class DatasetSpec:
    """``antischeming-2025:MODEL:PHASE`` parsed."""

    model: str
    phase: str

    @property
    def name(self) -> str:
        return f"{DATASET}:{self.model}:{self.phase}"


def parse_dataset(text: object, field: str = "dataset") -> DatasetSpec:
    """Parse ``antischeming-2025:o3:before`` (model o3 or o4-mini; phase before or after).

    >>> parse_dataset("antischeming-2025:o4-mini:after")
    DatasetSpec(model='o4-mini', phase='after')
    """
    allowed = f"{DATASET}:MODEL:PHASE with MODEL o3 or o4-mini and PHASE before or after"
    if not isinstance(text, str):
        raise InputError(field, text, allowed)
    parts = text.strip().split(":")
    if len(parts) != 3 or parts[0] != DATASET:
        raise InputError(field, text, allowed)
    if parts[1] not in catalogue.MODELS or parts[2] not in catalogue.PHASES:
        raise InputError(field, text, allowed)
    return DatasetSpec(parts[1], parts[2])


def dataset_counts(spec: DatasetSpec, n_assumed: int) -> tuple[list[int], list[int], list[str]]:
    """(k, n, evaluations): Fig. 9's rates for ``spec`` times ``n_assumed``, rounded (derived, not published)."""
    d = antischeming_counts(spec.model, n_assumed)
    return d.k(spec.phase), [d.n_assumed] * len(d.evaluations), list(d.evaluations)


def derived_count_pairs(model: str, phase: str, n: int) -> list[tuple[int, int]]:
    """``[(k, n), ...]``: the 2025 per-evaluation rates at ``phase`` times an assumed ``n`` (derived, not published).

    The pairs the app's data view, its saved scenario files and the analysis
    view use; plain Python (no SciPy), so the Update view can call it cheaply.

    >>> derived_count_pairs("o4-mini", "before", 1000)[0]
    (44, 1000)
    """
    return [(k, n_j) for k, n_j in zip(*dataset_counts(DatasetSpec(model, phase), n)[:2], strict=True)]



# ---------------------------------------------------------------------------
# Bayes factors of the derived counts, with their range over what nobody published
# ---------------------------------------------------------------------------
POOLING_WORDS = {
    "partial": "partial pooling (evaluations share a population)",
    "none": "no pooling (the evaluations independent)",
}


@dataclass(frozen=True)
class AssumptionRange:
    """log10 of a Bayes factor over the grid of unpublished assumptions (assumed n x pooling).

    The two poolings are two models, not two settings of one: their ranges are
    kept apart (:meth:`by_pooling`), the chosen model's is the headline
    (:meth:`range_of`), and the other is named beside it (:meth:`over_for`).
    """

    points: tuple[dict, ...]  # {"n_assumed", "pooling", "log10_bayes_factor"}

    @property
    def low(self) -> float:
        return min(p["log10_bayes_factor"] for p in self.points)

    @property
    def high(self) -> float:
        return max(p["log10_bayes_factor"] for p in self.points)

    @property
    def n_grid(self) -> tuple[int, ...]:
        return tuple(sorted({p["n_assumed"] for p in self.points}))

    @property
    def over(self) -> str:
        pools = [x for x in counts.POOLINGS if any(p["pooling"] == x for p in self.points)]
        return f"assumed n in {{{', '.join(map(str, self.n_grid))}}} x pooling in {{{', '.join(pools)}}}"

    def by_pooling(self) -> dict[str, tuple[float, float]]:
        """``{pooling: (low, high)}`` of log10 BF over the assumed n, one model at a time."""
        out = {}
        for pooling in counts.POOLINGS:
            values = [p["log10_bayes_factor"] for p in self.points if p["pooling"] == pooling]
            if values:
                out[pooling] = (min(values), max(values))
        return out

    def range_of(self, pooling: str) -> tuple[float, float]:
        """The chosen model's (low, high) over the assumed n: the headline range."""
        return self.by_pooling()[pooling]

    def over_for(self, pooling: str) -> str:
        """What :meth:`range_of` ranges over, and the other model's range in words."""
        text = f"assumed n in {{{', '.join(map(str, self.n_grid))}}}, {POOLING_WORDS[pooling]}"
        for other, (lo, hi) in self.by_pooling().items():
            if other != pooling:
                text += f"; with {POOLING_WORDS[other]}: log10 BF from {lo:.4g} to {hi:.4g}"
        return text

    def text(self) -> str:
        return f"log10 BF from {self.low:.3g} to {self.high:.3g} over {self.over}"

    def to_dict(self) -> dict:
        return {
            "log10_bayes_factor": [self.low, self.high],
            "over": self.over,
            "by_pooling": {k: list(v) for k, v in self.by_pooling().items()},
            "grid": [dict(p) for p in self.points],
        }


def pooling_disagreement(by_pooling: AssumptionRange | dict, n_assumed: int | None = None) -> str | None:
    """One sentence when the two models point opposite ways at one assumed n, else None.

    ``by_pooling`` is an :class:`AssumptionRange` (its grid at ``n_assumed``) or ``{pooling: log10 BF}``.
    Two standard Bayes-factor tests can disagree on the same counts (Dablander et al., "A Puzzle of
    Proportions"); where the model choice flips the sign of log BF, a reader must be told.

    >>> pooling_disagreement({"partial": 2.35, "none": -3.1}).startswith("The two models disagree")
    True
    >>> pooling_disagreement({"partial": 2.35, "none": 81.7}) is None
    True
    """
    if isinstance(by_pooling, AssumptionRange):
        values = {p["pooling"]: p["log10_bayes_factor"] for p in by_pooling.points if p["n_assumed"] == n_assumed}
    else:
        values = dict(by_pooling)
    if len(values) < 2 or len({math.copysign(1.0, v) for v in values.values() if v != 0}) < 2:
        return None
    where = f" at an assumed n = {n_assumed}" if n_assumed is not None else ""
    parts = [f"{POOLING_WORDS[p]} gives log10 BF {v:+.3g} (favours {'H' if v > 0 else 'not H'})"
             for p, v in sorted(values.items())]  # fmt: skip
    return (
        f"The two models disagree on the direction{where}: {'; '.join(parts)}. Two standard Bayes-factor tests "
        "can disagree on the same counts (Dablander et al., 'A Puzzle of Proportions'): which model fits the "
        "evaluations decides which way these data point."
    )


def assumption_range(spec: DatasetSpec, rate_if_h, rate_if_not_h, *, kappa_h: KappaPrior | None = None,
                     kappa_not_h: KappaPrior | None = None, n_grid=ASSUMED_N_GRID) -> AssumptionRange:  # fmt: skip
    """log10 BF of ``spec``'s derived counts at each assumed n in ``n_grid`` and each pooling."""
    points = []
    for n_assumed in n_grid:
        ks, ns, _ = dataset_counts(spec, n_assumed)
        for pooling in counts.POOLINGS:
            log_bf = counts.counts_log_bf(ks, ns, rate_if_h, rate_if_not_h, pooling, kappa_h=kappa_h, kappa_not_h=kappa_not_h)
            points.append({"n_assumed": n_assumed, "pooling": pooling, "log10_bayes_factor": log_bf / LN10})
    return AssumptionRange(tuple(points))


def dataset_counts_result(
    spec: DatasetSpec | str, prior, rate_if_h, rate_if_not_h, *, n_assumed: object = DEFAULT_N_ASSUMED,
    pooling: str = "partial", kappa_h: KappaPrior | None = None, kappa_not_h: KappaPrior | None = None,
    n_field: str = "n_assumed",
) -> counts.CountsResult:
    """The Bayes factor of the 2025 report's derived counts, with its :class:`AssumptionRange` and provenance."""
    spec = parse_dataset(spec) if isinstance(spec, str) else spec
    n_int = as_count(n_assumed, n_field, minimum=1, maximum=MAX_N_ASSUMED)
    ks, ns, _ = dataset_counts(spec, n_int)
    bh = parse_rate_prior(rate_if_h, "rate_if_h")
    bn = parse_rate_prior(rate_if_not_h, "rate_if_not_h")
    if pooling == "none":
        res = counts.exact_no_pooling(ks, ns, prior, bh, bn)
    elif pooling == "partial":
        res = counts.quadrature_partial_pooling(ks, ns, prior, bh, bn, kappa_h=kappa_h, kappa_not_h=kappa_not_h)
    else:
        raise InputError("pooling", pooling, "'none' or 'partial'")
    grid = tuple(dict.fromkeys((*ASSUMED_N_GRID, n_int)))  # the user's n joins the grid if it is not on it
    rng = assumption_range(spec, bh, bn, kappa_h=kappa_h, kappa_not_h=kappa_not_h, n_grid=grid)
    return replace(res, derived=True, dataset=spec.name, n_assumed=n_int, assumption_range=rng)


@dataclass(frozen=True)
class PublishedCount:
    """A count from the research notes. ``derived=True`` means k is rate x n, rounded ("≈k/n")."""

    id: str
    label: str
    k: int
    n: int
    derived: bool
    source: Source
    note: str = ""

    @property
    def rate(self) -> float:
        return self.k / self.n

    @property
    def display(self) -> str:
        return f"≈{self.k}/{self.n} (DERIVED)" if self.derived else f"{self.k}/{self.n}"


_APOLLO = "Meinke et al., 'Frontier Models are Capable of In-context Scheming', Apollo Research, 2024, arXiv:2412.04984"
_AGENTIC = "Lynch et al., 'Agentic Misalignment: How LLMs Could be an Insider Threat', Anthropic, 2025"
_TAMPER = "Denison et al., 'Sycophancy to Subterfuge', Anthropic, 2024, arXiv:2406.10162"
_N300_NOTE = "Table 2's caption says 300 rollouts; the §3 text says 100: n = 300 used, inconsistency noted"


def published_counts() -> list[PublishedCount]:
    """Counts stated in the sources (``derived=False``) and rate x n back-calculations (``derived=True``)."""
    t2 = Source(_APOLLO, "Table 2 (300 rollouts per model and evaluation)", "P")
    t4 = Source(_APOLLO, "Table 4 (no goal nudge, 400 rollouts)", "P")
    t5 = Source(_APOLLO, "§3.5, Table 5 (99 rollout pairs)", "P")
    t6 = Source(_APOLLO, "§3.6, Table 6", "P")
    am = Source(_AGENTIC, "Fig. 7 ('Rates were calculated out of 100 samples')", "P")
    am_ctrl = Source(_AGENTIC, "'No agentic misalignment without cause'", "P")
    am_real = Source(_AGENTIC, "'Models blackmail more when they state ... the scenario is real' (n = 500)", "P")
    return [
        PublishedCount("ics_oversight_o1", "o1 disabled oversight (strong nudge)", 6, 300, True, t2, "rate 0.02; " + _N300_NOTE),
        PublishedCount("ics_oversight_llama", "llama-3.1 disabled oversight", 9, 300, True, t2, "rate 0.03; " + _N300_NOTE),
        PublishedCount("ics_oversight_opus3", "opus-3 disabled oversight", 15, 300, True, t2, "rate 0.05; " + _N300_NOTE),
        PublishedCount("ics_email_rerank_o1", "o1 false data ranking", 66, 300, True, t2, "rate 0.22; " + _N300_NOTE),
        PublishedCount("ics_no_nudge_oversight_o1", "o1 disabled oversight, no nudge", 1, 400, True, t4, "rate 0.003"),
        PublishedCount("ics_no_nudge_rerank_o1", "o1 false ranking, no nudge", 20, 400, True, t4, "rate 0.05"),
        PublishedCount("ics_align_fake_o1", "o1 behavioural alignment faking", 38, 99, True, t5, "rate 0.38"),
        PublishedCount("ics_align_fake_gemini", "gemini-1.5 behavioural alignment faking", 42, 99, True, t5, "rate 0.42"),
        PublishedCount("ics_align_fake_llama", "llama-3.1 behavioural alignment faking", 37, 99, True, t5, "rate 0.37"),
        PublishedCount("ics_sandbag_reasoning_sonnet", "sonnet-3.5 explicit sandbagging reasoning", 41, 50, False, t6),
        PublishedCount("ics_sandbag_reasoning_opus", "opus-3 explicit sandbagging reasoning", 36, 50, False, t6),
        PublishedCount("am_blackmail_opus4", "Claude Opus 4 blackmail", 96, 100, False, am),
        PublishedCount("am_blackmail_gemini25flash", "Gemini 2.5 Flash blackmail", 96, 100, False, am),
        PublishedCount("am_blackmail_gpt41", "GPT-4.1 blackmail", 80, 100, False, am),
        PublishedCount("am_blackmail_grok3", "Grok 3 Beta blackmail", 80, 100, False, am),
        PublishedCount("am_blackmail_deepseek_r1", "DeepSeek-R1 blackmail", 79, 100, False, am),
        PublishedCount("am_control_leak_llama4", "Llama 4 Maverick leaked (control prompt)", 1, 100, False, am_ctrl),
        PublishedCount("am_real_blackmail", "Opus 4 blackmail when it says 'real'", 59, 107, True, am_real, "55.1% of 21.4% of 500"),
        PublishedCount("am_eval_blackmail", "Opus 4 blackmail when it says 'evaluation'", 21, 324, True, am_real, "6.5% of 64.8% of 500"),
        PublishedCount(
            "reward_tamper_hide", "edited unit tests to hide reward tampering", 7, 32768, False,
            Source(_TAMPER, "author comment on LessWrong", "P"),
        ),
        PublishedCount(
            "reward_tamper", "tampered with reward", 45, 32768, False,
            Source(_TAMPER, "Fig. 1 (secondary sources only)", "S"),
        ),
    ]
