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

from beliefs.format import format_odds, format_odds_ratio, format_probability
from beliefs.io.scenario_schema import Scenario
from beliefs.update import UpdateResult

__all__ = ["STATUS_WORD", "Ledger", "LedgerRow", "build_ledger", "provenance_text", "source_text"]

# One word per catalogue status (beliefs.evidence.STATUS_MEANING has the sentence).
STATUS_WORD = {"P": "primary", "S": "secondary", "X": "unconfirmed"}


@dataclass(frozen=True)
class LedgerRow:
    """One counted evidence item, every cell as plain text."""

    label: str
    p_e_given_h: str
    p_e_given_not_h: str
    ratio: str
    bits: str
    decibels: str
    weight: str  # "" for an independent item, else the dependence discount and group
    source: str
    provenance: str  # "" or "derived: assumed n = ..."

    @property
    def source_cell(self) -> str:
        """The source, then the assumption a derived number rests on, then the dependence weight."""
        return "; ".join(t for t in (self.source, self.provenance, self.weight) if t)


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


def provenance_text(item: object) -> str:
    """``"derived: assumed n = 100"`` for an item whose number rests on an assumption, else ``""``.

    Reads ``item.provenance`` where the Evidence type has it (absent or None
    for ordinary items): text is shown as given, an object by its
    ``assumed_n`` (or ``effective_n``), else by its text.
    """
    p = getattr(item, "provenance", None)
    if not p:
        return ""
    n = None
    for name in ("assumed_n", "effective_n"):
        n = p.get(name) if isinstance(p, dict) else getattr(p, name, None)
        if n is not None:
            break
    text = f"assumed n = {n}" if n is not None else str(getattr(p, "text", None) or p)
    return text if text.startswith("derived") else f"derived: {text}"


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


def build_ledger(scenario: Scenario) -> Ledger:
    """The ledger of ``scenario`` at its own prior (one call to ``scenario.result()``)."""
    result = scenario.result()
    items = scenario.evidence_items()
    counted = [e for e in items if e.enabled]  # update() skips disabled items, in order
    rows = []
    for e, c in zip(counted, result.items, strict=True):
        weight = "" if c.discount == 1 else f"weight {c.discount:g}" + (f" (group {c.group})" if c.group else "")
        rows.append(
            LedgerRow(
                label=c.label,
                p_e_given_h="" if c.p_e_given_h is None else f"{c.p_e_given_h:.4g}",
                p_e_given_not_h="" if c.p_e_given_not_h is None else f"{c.p_e_given_not_h:.4g}",
                ratio=format_odds_ratio(c.log_lr),
                bits=f"{c.bits:+.3f}",
                decibels=f"{c.decibels:+.2f}",
                weight=weight,
                source=source_text(e.source),
                provenance=provenance_text(e),
            )
        )
    compare = tuple(
        f"{_level(r.prior_log_odds)} → {_level(r.posterior_log_odds)}" for r in scenario.compare_results()
    )
    return Ledger(
        scenario=scenario,
        result=result,
        rows=tuple(rows),
        prior_text=_level(result.prior_log_odds),
        posterior_text=_level(result.posterior_log_odds),
        total_text=f"{result.bits:+.3f} bits ({result.decibels:+.2f} dB)",
        compare=compare,
        prior_source=source_text(scenario.prior_source.to_source()) if scenario.prior_source else "",
        disabled=len(items) - len(counted),
    )
