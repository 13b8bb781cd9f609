"""The ledger of a scenario as plain-text rows, shared by the Markdown and HTML exports.

Every number comes from the scenario's one :class:`~beliefs.update.UpdateResult`
(``scenario.result()``, i.e. :func:`beliefs.update.update`); this module only
pairs each counted item with its source and formats it.  Cells are plain,
unescaped text: each export escapes them for its own format.

>>> from beliefs.io.scenario import get_scenario
>>> ledger = build_ledger(get_scenario("report-3-to-1"))
>>> row = ledger.rows[0]
>>> row.p_e_given_h, row.p_e_given_not_h, row.ratio, row.bits, row.decibels
('0.75', '0.25', '3:1', '+1.585', '+4.77')
>>> ledger.prior_text, ledger.posterior_text
('25% (odds 1:3)', '50% (odds 1:1)')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from beliefs.evidence import NO_STRENGTH, unstated_sentence
from beliefs.format import format_likelihood, format_odds, format_probability
from beliefs.io.scenario_schema import Scenario
from beliefs.io.settings import FIELDS
from beliefs.update import UpdateResult

__all__ = [
    "STATUS_WORD",
    "Ledger",
    "LedgerRow",
    "build_ledger",
    "display_setting",
    "model_sources",
    "provenance_text",
    "source_text",
    "uncertainty_text",
    "weight_text",
]

# One word per catalogue status (beliefs.evidence.STATUS_MEANING has the sentence).
STATUS_WORD = {"P": "primary", "S": "secondary", "X": "unconfirmed"}
NOT_COUNTED = "not counted"


@dataclass(frozen=True)
class LedgerRow:
    """One evidence item, every cell as plain text; a disabled item's bits and dB say it is not counted."""

    label: str
    p_e_given_h: str
    p_e_given_not_h: str
    ratio: str
    bits: str
    decibels: str
    weight: str  # "" for an independent item, else the dependence discount and group
    source: str
    provenance: str  # "" or "derived: assumed n = ..." (or "edited: ...")
    uncertainty: str = ""  # "" for an exact item, else its spread in words
    counted: bool = True

    @property
    def source_cell(self) -> str:
        """The source, then what a derived number rests on, its uncertainty, then the dependence weight."""
        return "; ".join(t for t in (self.source, self.provenance, self.uncertainty, self.weight) if t)


@dataclass(frozen=True)
class Ledger:
    """A scenario's rows, prior and posterior lines, and everything a reader needs to check them."""

    scenario: Scenario
    result: UpdateResult
    rows: tuple[LedgerRow, ...]
    prior_text: str
    posterior_text: str
    total_text: str
    compare: tuple[str, ...]
    prior_source: str
    disabled: int
    unstated: int = 0  # items left at 1:1 (no strength stated yet)
    distribution: Any = None  # the posterior's distribution (uncertain evidence), as the app shows it; or None
    # The model settings set from a published figure, each in words with its assumption (monitoring's q and c).
    model_sources: tuple[str, ...] = ()

    @property
    def unstated_text(self) -> str:
        """``2 items have no strength stated yet (1:1, marked in the table): ...``, or ""."""
        return unstated_sentence(self.unstated)

    @property
    def distribution_text(self) -> str:
        """``median ...; 90% interval ...; P(posterior > 50%) ...; mean ... (40,000 Monte Carlo draws, seed 0)``, or ""."""
        if self.distribution is None or self.distribution.note:
            return ""
        return self.distribution.sentence()


def provenance_text(item: object) -> str:
    """How a derived item's number was obtained, in words (``derived: assumed n = 316 ...``); ``""`` if not derived.

    An item whose ratio was changed after it was derived says so:
    ``edited: 112:1; derived value was 221:1 at assumed n = 316 ...``.
    """
    text = getattr(item, "provenance_text", "")
    return text if isinstance(text, str) else ""


def uncertainty_text(item) -> str:
    """An item's stated uncertainty in words (``sd of ln LR 0.8``, ``P(E|H) ~ Beta(30, 10)``), ``""`` if exact."""
    parts = []
    for name, dist in (("P(E|H)", item.p_e_given_h_dist), ("P(E|not H)", item.p_e_given_not_h_dist)):
        if dist is not None:
            parts.append(f"{name} ~ Beta({dist.alpha:.6g}, {dist.beta:.6g})")
    if item.log_lr_sigma:
        parts.append(f"sd of ln LR {item.log_lr_sigma:.6g}")
    return ("uncertain: " + ", ".join(parts)) if parts else ""


def source_text(source) -> str:
    """``citation — location (status P, primary)`` with the URL if there is one; ``""`` for no source."""
    if source is None:
        return "no source given"
    text = source.citation
    if source.location:
        text += f" — {source.location}"
    if source.url:
        text += f" {source.url}"  # a space on each side, so that an autolink stops where the address does
    return text + f" (status {source.status}, {STATUS_WORD[source.status]})"


def _level(log_odds: float) -> str:
    return f"{format_probability(log_odds)} (odds {format_odds(log_odds)})"


def display_setting(scenario: Scenario, name: str) -> Any:
    """A display setting (``thr``, ``ci``) as the scenario's ``app`` block gives it, else the app's default."""
    text = (scenario.app or {}).get(name)
    return FIELDS[name].default if text is None else FIELDS[name].parse(text, f"app.{name}")


def weight_text(item, discount: float | None = None) -> str:
    """An item's dependence weight in words (``weight 0.5 (group g1)``), ``""`` for an independent item.

    ``discount`` is the weight update() applied (its contribution's), else the item's own.
    """
    discount = item.discount if discount is None else discount
    return "" if discount == 1 else f"weight {discount:g}" + (f" (group {item.group})" if item.group else "")


def _row(e, counted: bool, c=None) -> LedgerRow:
    weight = weight_text(e, None if c is None else c.discount)
    bits = decibels = NOT_COUNTED
    if c is not None:
        bits, decibels = f"{c.bits:+.3f}", f"{c.decibels:+.2f}"
    return LedgerRow(
        label=e.label,
        p_e_given_h="" if e.p_e_given_h is None else format_likelihood(e.p_e_given_h),
        p_e_given_not_h="" if e.p_e_given_not_h is None else format_likelihood(e.p_e_given_not_h),
        ratio=format_odds(e.log_lr) + ("" if e.strength_stated else f" ({NO_STRENGTH})"),
        bits=bits,
        decibels=decibels,
        weight=weight,
        source=source_text(e.source),
        provenance=provenance_text(e),
        uncertainty=uncertainty_text(e),
        counted=counted,
    )


def build_ledger(scenario: Scenario) -> Ledger:
    """The ledger of ``scenario`` at its own prior (one call to ``scenario.result()``).

    Every item has a row, in the scenario's order; a disabled one shows its
    numbers and "not counted".  With an uncertain item enabled, the posterior's
    distribution is the app's (:func:`beliefs.uncertain_evidence.ledger_distribution`,
    the scenario's threshold and interval).
    """
    result = scenario.result()
    items = scenario.evidence_items()
    contributions = iter(result.items)  # update() skips disabled items, in order
    rows = tuple(_row(e, True, next(contributions)) if e.enabled else _row(e, False) for e in items)
    compare = tuple(
        f"{_level(r.prior_log_odds)} → {_level(r.posterior_log_odds)}" for r in scenario.compare_results()
    )
    distribution = None
    if any(e.enabled and e.is_uncertain for e in items):
        from beliefs.uncertain_evidence import ledger_distribution

        distribution = ledger_distribution(
            scenario.prior,
            items,
            threshold=display_setting(scenario, "thr"),
            interval=display_setting(scenario, "ci"),
        )
    return Ledger(
        scenario=scenario,
        result=result,
        rows=rows,
        prior_text=_level(result.prior_log_odds),
        posterior_text=_level(result.posterior_log_odds),
        total_text=f"{result.bits:+.3f} bits ({result.decibels:+.2f} dB)",
        compare=compare,
        prior_source=source_text(scenario.prior_source.to_source()) if scenario.prior_source else "",
        disabled=sum(1 for e in items if not e.enabled),
        unstated=sum(1 for e in items if not e.strength_stated),
        distribution=distribution,
        model_sources=model_sources(scenario),
    )


def model_sources(scenario: Scenario) -> tuple[str, ...]:
    """The model settings a scenario took from published figures, in words: the monitoring model's q and c
    (:meth:`beliefs.monitor_sources.SourcedValue.describe`: the value, the figure, its source, the assumption)."""
    monitoring = scenario.models.monitoring
    return () if monitoring is None else tuple("Monitoring model: " + v.describe() for v in monitoring.sources())
