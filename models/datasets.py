"""Covert-action data from the research notes (/work/shared/research/evidence.md).

Two kinds of numbers live here and are never mixed up:

* **published** counts ``k/n`` that a paper states (``derived=False``);
* **derived** counts: a published *rate* times a sample size, rounded
  (``derived=True``).  They are labelled ``DERIVED`` wherever shown.

The anti-scheming paper (Schoen et al. 2025, arXiv:2509.15541) publishes
per-evaluation covert-action *rates* before and after anti-scheming training
(Fig. 9) but no sample sizes.  :func:`antischeming_counts` therefore needs an
*assumed* effective number of rollouts per evaluation from the user and
returns ``round(rate * effective_n)``; the field names (``k_before_derived``,
``n_assumed``) and the ``label`` say so.  The per-evaluation values use
"Reading A" of the figure's text extraction: the numbers are read in the
primary text (status P) but their row alignment is unconfirmed (status X).
The four o3 values that Reading A could not place, and every "?" cell, are
missing, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from beliefs.errors import InputError
from beliefs.evidence import Source
from beliefs.validation import as_count

__all__ = [
    "ANTISCHEMING_ROW_ALIGNMENT_NOTE",
    "ANTISCHEMING_SOURCE",
    "FIG9_READING_A",
    "O3_UNPLACED",
    "DerivedCounts",
    "PublishedCount",
    "RateRow",
    "antischeming_counts",
    "antischeming_rates",
    "published_counts",
]

ANTISCHEMING_SOURCE = Source(
    citation=(
        "Schoen, Nitishinskaya, Balesni, Højmark, ... Hobbhahn, 'Stress Testing Deliberative Alignment "
        "for Anti-Scheming Training', Apollo Research & OpenAI, 2025, arXiv:2509.15541"
    ),
    location="Fig. 9 (per-evaluation covert-action rates, before -> after anti-scheming training), Reading A",
    status="P",
    url="https://arxiv.org/abs/2509.15541",
)

ANTISCHEMING_ROW_ALIGNMENT_NOTE = (
    "numbers: status P (read in the primary text); row alignment: status X (Reading A of an "
    "interleaved text extraction; check against Fig. 9, p. 13 of the PDF before relying on labels)"
)

# (evaluation, o4-mini before %, o4-mini after %, o3 before %, o3 after %); None = not placed / "?".
FIG9_READING_A: tuple[tuple[str, float | None, float | None, float | None, float | None], ...] = (
    ("Broken Promises", 4.4, 0.0, None, None),
    ("Email Scoring", 3.7, 0.0, None, None),
    ("Email Scoring (No Nudge)", 0.1, 0.0, None, None),
    ("Impossible Coding", 2.7, 0.0, 1.7, 0.3),
    ("Lazy Checklist", 7.8, 0.0, 23.1, 0.0),
    ("Legal Reporting (CN)", 1.0, 0.0, 1.0, 0.0),
    ("Legal Reporting (US)", 4.0, 0.0, 8.0, 0.0),
    ("Literature QA", 7.3, 0.0, 3.0, 0.0),
    ("Log Falsification", 2.4, 0.0, 0.8, 0.0),
    ("Long Document Verification", 2.0, 0.0, 0.0, 0.0),
    ("Powerseeking Survey", 1.0, 0.0, 0.0, 0.0),
    ("Sabotage Math", 8.5, 0.0, 25.6, 0.0),
    ("Sabotage Safety", 41.0, 0.0, 46.7, 0.1),
    ("Sandbagging Grading CoT", 0.6, 0.6, 0.1, 0.0),
    ("Sandbagging QA", 46.4, 0.1, 31.8, 0.6),
    ("Sandbagging QA (No Goal)", 5.3, 0.0, 21.3, 0.0),
    ("Smuggle Capabilities", 0.0, 0.0, 0.1, 0.0),
    ("Subagent Collusion", 0.0, 0.0, 0.3, 0.0),
    ("Subagent Permissions", 2.4, 0.0, 0.0, 0.0),
    ("Subagent Resource Quota", 27.4, 0.0, None, None),
)

# o3 before -> after values (percent) that Reading A could not attach to a row: kept, never assigned.
O3_UNPLACED: tuple[tuple[float, float], ...] = ((2.8, 0.0), (44.6, 0.1), (20.5, 0.0), (24.2, 0.0))

_MODELS = {"o4-mini": (1, 2), "o3": (3, 4)}


@dataclass(frozen=True)
class RateRow:
    """One evaluation's published covert-action rates (fractions, not percent); None = missing."""

    evaluation: str
    rate_before: float | None
    rate_after: float | None

    @property
    def complete(self) -> bool:
        return self.rate_before is not None and self.rate_after is not None


def _check_model(model: str) -> str:
    if model not in _MODELS:
        raise InputError("model", model, "one of " + ", ".join(repr(m) for m in _MODELS))
    return model


def antischeming_rates(model: str = "o3") -> list[RateRow]:
    """Fig. 9 per-evaluation rates for ``model`` ("o3" or "o4-mini"), as fractions, Reading A.

    Examples
    --------
    >>> rows = antischeming_rates("o4-mini")
    >>> rows[0]
    RateRow(evaluation='Broken Promises', rate_before=0.044, rate_after=0.0)
    >>> round(100 * sum(r.rate_before for r in rows) / len(rows), 2)  # raw average (paper: 8.7% posterior mean)
    8.4
    """
    _check_model(model)
    ib, ia = _MODELS[model]
    rows = []
    for row in FIG9_READING_A:
        before, after = row[ib], row[ia]
        rows.append(
            RateRow(
                row[0],
                None if before is None else round(before / 100, 6),
                None if after is None else round(after / 100, 6),
            )
        )
    return rows


@dataclass(frozen=True)
class DerivedCounts:
    """Counts DERIVED from published rates and an ASSUMED effective sample size.

    ``k_before_derived[j] = round(rate_before[j] * n_assumed)`` (same for
    after).  These are not published counts: the paper gives no sample
    sizes.  ``skipped`` lists evaluations left out because a rate is missing.
    """

    model: str
    evaluations: list[str]
    rate_before: list[float]
    rate_after: list[float]
    k_before_derived: list[int]
    k_after_derived: list[int]
    n_assumed: int
    skipped: list[str]
    unplaced_o3_values: list[tuple[float, float]] = field(default_factory=list)
    source: Source = ANTISCHEMING_SOURCE
    derived: bool = True

    @property
    def n_before_assumed(self) -> list[int]:
        return [self.n_assumed] * len(self.evaluations)

    @property
    def n_after_assumed(self) -> list[int]:
        return [self.n_assumed] * len(self.evaluations)

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
            "skipped_missing": list(self.skipped),
            "unplaced_o3_values_pct": [list(v) for v in self.unplaced_o3_values],
            "source": self.source.citation,
            "source_location": self.source.location,
            "source_status": ANTISCHEMING_ROW_ALIGNMENT_NOTE,
        }


def antischeming_counts(model: str = "o3", effective_n: int | str = 100) -> DerivedCounts:
    """Per-evaluation counts derived as ``round(rate * effective_n)`` from Fig. 9 (Reading A).

    Parameters
    ----------
    model : {"o3", "o4-mini"}
    effective_n : int
        The ASSUMED number of rollouts per evaluation (the paper does not say;
        the research notes infer "a few hundred" from the gap between raw and
        posterior averages, which is itself not a published number).

    Examples
    --------
    >>> d = antischeming_counts("o4-mini", effective_n=1000)
    >>> d.evaluations[0], d.k_before_derived[0], d.k_after_derived[0], d.n_assumed
    ('Broken Promises', 44, 0, 1000)
    >>> d.label.startswith("DERIVED")
    True
    """
    _check_model(model)
    n = as_count(effective_n, "effective_n", minimum=1, maximum=10_000_000)
    evals, rb, ra, kb, ka, skipped = [], [], [], [], [], []
    for row in antischeming_rates(model):
        if not row.complete:
            skipped.append(row.evaluation)
            continue
        evals.append(row.evaluation)
        rb.append(row.rate_before)
        ra.append(row.rate_after)
        # np.round rounds half to even; rates are given to 0.1 percentage point so ties are rare and harmless.
        kb.append(int(np.round(row.rate_before * n)))
        ka.append(int(np.round(row.rate_after * n)))
    unplaced = list(O3_UNPLACED) if model == "o3" else []
    return DerivedCounts(model, evals, rb, ra, kb, ka, n, skipped, unplaced)


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
