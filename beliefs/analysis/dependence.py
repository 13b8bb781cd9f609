"""Dependence: the naive (independent) posterior beside the dependence-adjusted one."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from beliefs.analysis._common import Table, evidence_list, open_probability
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.format import format_probability
from beliefs.odds import bits
from beliefs.plots.palette import ESTIMATE, NEUTRAL
from beliefs.plots.style import MAX_ROWS, bar_rows, wrap
from beliefs.tables import one_line
from beliefs.update import UpdateResult, update
from beliefs.validation import as_positive


@dataclass(frozen=True, eq=False)
class DependenceResult(Table):
    """Naive (independent) and dependence-adjusted posteriors, with each group's evidence."""

    _EMPTY_COLUMNS = ("group", "method", "naive_bits", "adjusted_bits")

    naive: UpdateResult
    adjusted: UpdateResult
    groups: tuple[str, ...]  # "(independent items)" for ungrouped evidence
    methods: tuple[str, ...]
    naive_log_lr: tuple[float, ...]
    adjusted_log_lr: tuple[float, ...]

    def rows(self) -> list[dict]:
        return [
            {
                "group": g,
                "method": m,
                "naive_bits": bits(a),
                "adjusted_bits": bits(b),
            }
            for g, m, a, b in zip(
                self.groups, self.methods, self.naive_log_lr, self.adjusted_log_lr, strict=True
            )
        ]

    def to_dict(self) -> dict:
        return {
            "naive_posterior": self.naive.posterior,
            "adjusted_posterior": self.adjusted.posterior,
            "naive_bits": self.naive.bits,
            "adjusted_bits": self.adjusted.bits,
            "groups": self.rows(),
        }


UNGROUPED = "(independent items)"


def dependence(
    prior: object,
    evidence: Iterable[Evidence | float],
    *,
    joint_ratios: dict[str, object] | None = None,
) -> DependenceResult:
    r"""The naive posterior (every item independent) beside the dependence-adjusted one.

    A group is adjusted either by its shared discount exponent :math:`w`
    (contributing :math:`w \sum_{i \in g} \ln \mathrm{LR}_i`), or, if
    ``joint_ratios[g]`` is given, by that one joint ratio
    :math:`P(E_g \mid H) / P(E_g \mid \lnot H)`, which replaces the group's items.
    """
    p = open_probability(prior, "prior")
    items = evidence_list(evidence)
    joint = dict(joint_ratios or {})
    known = sorted({e.group for e in items if e.group is not None and e.enabled})
    joint_lr: dict[str, float] = {}
    for g, lr in joint.items():
        if g not in known:
            raise InputError(
                "joint_ratios", g, f"a dependence group in the ledger: {', '.join(known) or 'none'}"
            )
        joint_lr[g] = as_positive(lr, f"joint_ratios[{g}]", "a joint likelihood ratio: finite and > 0")
    naive = update(p, items, independent=True)
    adjusted_items = [e for e in items if e.group not in joint_lr]
    adjusted_items += [
        Evidence(label=f"{g} (joint ratio)", likelihood_ratio=lr) for g, lr in joint_lr.items()
    ]
    adjusted = update(p, adjusted_items)
    groups, methods, naive_nats, adjusted_nats = [], [], [], []
    enabled = [e for e in items if e.enabled]
    ungrouped = [e.log_lr for e in enabled if e.group is None]
    if ungrouped:
        groups.append(UNGROUPED)
        methods.append("independent")
        naive_nats.append(math.fsum(ungrouped))
        adjusted_nats.append(math.fsum(ungrouped))
    for g in known:
        members = [e for e in enabled if e.group == g]
        raw = math.fsum(e.log_lr for e in members)
        groups.append(g)
        naive_nats.append(raw)
        if g in joint_lr:
            methods.append(f"joint ratio {joint_lr[g]:g}")
            adjusted_nats.append(math.log(joint_lr[g]))
        else:
            w = members[0].discount
            methods.append(f"discount {w:g}")
            adjusted_nats.append(math.fsum(e.weighted_log_lr for e in members))
    return DependenceResult(
        naive=naive,
        adjusted=adjusted,
        groups=tuple(groups),
        methods=tuple(methods),
        naive_log_lr=tuple(naive_nats),
        adjusted_log_lr=tuple(adjusted_nats),
    )


def plot_dependence(result: DependenceResult) -> dict:
    """Naive and adjusted evidence per dependence group (bits): the group's name, then its two bars.

    Returns the Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    naive, adjusted = "naive (independent)", "adjusted for dependence"
    values = []
    for i, r in enumerate(result.rows()[:MAX_ROWS]):
        name = r["group"] if r["method"] == "independent" else f"{r['group']} ({r['method']})"
        text = f"{one_line(name)}: {r['naive_bits']:+.2f} → {r['adjusted_bits']:+.2f} bits"
        values.append({"row": i, "label": wrap(text), "name": one_line(name), "naive": r["naive_bits"],
                       "adjusted": r["adjusted_bits"]})  # fmt: skip
    return bar_rows(
        values,
        [[{"x": "naive", "x2": 0.0, "series": naive}], [{"x": "adjusted", "x2": 0.0, "series": adjusted}]],
        series={naive: NEUTRAL, adjusted: ESTIMATE},
        x_title="evidence (bits)",
        chart_title="Dependence: naive vs adjusted evidence",
        subtitle=f"P(H) naive {format_probability(result.naive.posterior_log_odds)}, "
        f"adjusted {format_probability(result.adjusted.posterior_log_odds)}",
        tooltip=[{"field": "name", "type": "nominal", "title": "group"},
                 {"field": "naive", "type": "quantitative", "format": "+.3f", "title": "naive bits"},
                 {"field": "adjusted", "type": "quantitative", "format": "+.3f", "title": "adjusted bits"}],
        name="dependence",
    )  # fmt: skip
