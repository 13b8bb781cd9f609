"""Sequential analysis: the posterior after each evidence item or data batch."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from beliefs.analysis._common import (
    BETA_FIELDS,
    Table,
    counts_arrays,
    evidence_list,
    finite_or_none,
    open_probability,
    set_scale,
    short_label,
)
from beliefs.counts import env_log_bf
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence, parse_beta
from beliefs.format import format_odds, format_probability
from beliefs.odds import LN10, bits, log_odds, odds_from_log_odds, probability
from beliefs.plots.axes import new_axes
from beliefs.plots.palette import FOR_H, LEVEL
from beliefs.update import log_odds_path, update, update_by_log_bf


@dataclass(frozen=True, eq=False)
class SequentialResult(Table):
    r"""Log-odds after each item (step 0 is the prior) and the distance to a threshold.

    ``needed_log_lr[i] = logit(threshold) - log_odds[i]``: the evidence (nats,
    signed) still needed after step ``i`` to reach the threshold.
    """

    labels: tuple[str, ...]  # "prior", then one per item
    step_log_lr: tuple[float, ...]  # nats added at each step (0 for the prior)
    log_odds: tuple[float, ...]
    threshold: float | None = None
    # update()'s own posterior for the whole ledger (it may take the exact-product route): one route to it
    final_posterior: float | None = None

    @property
    def probabilities(self) -> tuple[float, ...]:
        return tuple(probability(x) for x in self.log_odds)

    @property
    def posterior(self) -> float:
        return probability(self.log_odds[-1]) if self.final_posterior is None else self.final_posterior

    @property
    def needed_log_lr(self) -> tuple[float, ...] | None:
        if self.threshold is None:
            return None
        t = log_odds(self.threshold)
        return tuple(t - x for x in self.log_odds)

    @property
    def crossed_at(self) -> int | None:
        """First step on the other side of the threshold from the prior (None if never)."""
        if self.threshold is None:
            return None
        t = log_odds(self.threshold)
        start_above = self.log_odds[0] >= t
        for i, x in enumerate(self.log_odds):
            if (x >= t) != start_above:
                return i
        return None

    @property
    def remaining_log_lr(self) -> float | None:
        """Evidence (nats) still needed after the last step; None without a threshold."""
        need = self.needed_log_lr
        return None if need is None else need[-1]

    def rows(self) -> list[dict]:
        need = self.needed_log_lr
        out = []
        for i, (label, step, x) in enumerate(zip(self.labels, self.step_log_lr, self.log_odds, strict=True)):
            row = {
                "step": i,
                "label": label,
                "step_bits": bits(step),
                "log_odds": x,
                "probability": probability(x),
            }
            if need is not None:
                row["needed_bits"] = bits(need[i])
                row["needed_likelihood_ratio"] = odds_from_log_odds(need[i])
            out.append(row)
        return out

    def to_dict(self) -> dict:
        remaining = self.remaining_log_lr
        return {
            "threshold": self.threshold,
            "posterior": self.posterior,
            "crossed_at": self.crossed_at,
            "needed_bits": None if remaining is None else bits(remaining),
            "needed_likelihood_ratio": None
            if remaining is None
            else finite_or_none(odds_from_log_odds(remaining)),
            "steps": self.rows(),
        }

    def text(self) -> str:
        lines = [f"{'step':>4}  {'item':<40} {'bits':>8}  posterior"]
        for r in self.rows():
            lines.append(
                f"{r['step']:>4}  {r['label'][:40]:<40} {r['step_bits']:>+8.3f}  {format_probability(r['log_odds'])}"
            )
        if self.threshold is not None:
            remaining = self.remaining_log_lr
            crossed = self.crossed_at
            lines.append("")
            where = f"crossed at step {crossed}" if crossed is not None else "not crossed"
            lines.append(f"threshold {self.threshold:g}: {where}")
            if crossed is None:
                lines.append(
                    f"still needed: {bits(remaining):+.3f} bits, a likelihood ratio of {format_odds(remaining)}"
                )
        return "\n".join(lines)


def _check_threshold(threshold: object) -> float | None:
    return None if threshold is None else open_probability(threshold, "threshold")


def _sequential_from_nats(
    prior_x: float, labels: list[str], nats: list[float], threshold
) -> SequentialResult:
    # update()'s own sum after each step (beliefs.update.log_odds_path): the last is update()'s posterior.
    return SequentialResult(
        labels=("prior", *labels),
        step_log_lr=(0.0, *nats),
        log_odds=log_odds_path(prior_x, nats),
        threshold=threshold,
    )


def sequential(
    prior: object, evidence: Iterable[Evidence | float], *, threshold: object = None
) -> SequentialResult:
    r"""The posterior after each evidence item in order (disabled items skipped).

    .. math:: \lambda_j = \lambda_0 + \sum_{i \le j} w_i \ln \mathrm{LR}_i

    Examples
    --------
    >>> r = sequential(0.2, [3.0, 2.0], threshold=0.5)
    >>> [round(p, 12) for p in r.probabilities], r.crossed_at
    ([0.2, 0.428571428571, 0.6], 2)
    """
    p = open_probability(prior, "prior")
    t = _check_threshold(threshold)
    result = update(p, evidence_list(evidence))
    seq = _sequential_from_nats(
        result.prior_log_odds, [c.label for c in result.items], [c.weighted_log_lr for c in result.items], t
    )
    return dataclasses.replace(seq, final_posterior=result.posterior)


def sequential_data(
    k: object,
    n: object,
    prior: object,
    rate_if_h: BetaDist | tuple,
    rate_if_not_h: BetaDist | tuple,
    *,
    threshold: object = None,
    labels: Sequence[str] | None = None,
) -> SequentialResult:
    """The posterior after each data batch (environment); batches are independent given H or not H."""
    kk, nn = counts_arrays(k, n)
    p = open_probability(prior, "prior")
    t = _check_threshold(threshold)
    h = parse_beta(rate_if_h, "rate_if_h", names=BETA_FIELDS)
    not_h = parse_beta(rate_if_not_h, "rate_if_not_h", names=BETA_FIELDS)
    if labels is None:
        labels = [f"{int(a)}/{int(b)}" for a, b in zip(kk, nn, strict=True)]
    elif len(labels) != len(kk):
        raise InputError("labels", labels, f"one label per batch ({len(kk)})")
    nats = env_log_bf(kk, nn, h, not_h).tolist()
    # The prior and the final posterior come from update() (one route); the steps between are its partial sums.
    result = update_by_log_bf(p, math.fsum(nats))
    seq = _sequential_from_nats(result.prior_log_odds, list(labels), nats, t)
    return dataclasses.replace(seq, final_posterior=result.posterior)


_LOGIT_AXIS_NATS = 30.0  # P(H) within 1e-13 of 0 or 1 still plots on a logit axis


def plot_sequential(result, ax=None):
    """Posterior after each step (logit axis), with the threshold line if one was set."""
    fig, ax = new_axes(ax)
    steps = np.arange(len(result.log_odds))
    log_odds = np.asarray(result.log_odds, dtype=float)
    # A logit axis needs probabilities strictly inside (0, 1) as floats; ratios like 5e-324 and 1e308 in one
    # ledger push P(H) to exactly 0 or 1, so such ledgers are drawn as log10 odds on a linear axis instead.
    on_logit = bool(np.all(np.abs(log_odds) < _LOGIT_AXIS_NATS))
    y = np.asarray(result.probabilities) if on_logit else log_odds / LN10
    ax.plot(steps, y, marker="o", color=FOR_H, label="posterior")
    if result.threshold is not None:
        ax.axhline(
            result.threshold if on_logit else math.log10(result.threshold / (1 - result.threshold)),
            color=LEVEL,
            linestyle="--",
            linewidth=1,
            label=f"threshold {result.threshold:g}",
        )
        remaining = result.remaining_log_lr
        if result.crossed_at is None:
            ax.annotate(
                f"still needed: {bits(remaining):+.2f} bits (LR {math.exp(max(min(remaining, 700), -700)):.3g})",
                xy=(steps[-1], y[-1]),
                xytext=(0.02, 0.95),
                textcoords="axes fraction",
                fontsize="small",
                va="top",
            )
    if on_logit:
        set_scale(ax, "y", "logit")
    ax.set_xticks(steps, [short_label(lbl) for lbl in result.labels], rotation=30, ha="right", fontsize="small")
    ax.set_ylabel("P(H)" if on_logit else "log10 odds of H")
    ax.set_title("Sequential analysis")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return fig
