"""Sequential analysis: the posterior after each evidence item or data batch."""

from __future__ import annotations

import dataclasses
import itertools
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from beliefs.analysis._common import (
    BETA_FIELDS,
    HEADLINE_THRESHOLD,
    Table,
    counts_arrays,
    evidence_list,
    finite_or_none,
    listed,
    open_probability,
    quoted,
)
from beliefs.counts import counts_log_bf, no_pooling_log_bf
from beliefs.datasets import POOLING_WORDS
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence
from beliefs.format import format_odds, format_probability
from beliefs.odds import bits, log_odds, odds_from_log_odds, probability
from beliefs.plots.palette import INK
from beliefs.rate_priors import parse_rate_prior
from beliefs.text import one_line
from beliefs.update import log_odds_path, update, update_by_log_bf

# How a sentence says a step changes side of the threshold (SequentialResult.crossings).
_VERB = {"above": "rises above", "below": "falls below", "at": "reaches"}


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
    model: str = ""  # for data batches: the model of every step (no pooling or partial pooling), in words

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
        """First step on the other side of the threshold from the prior (None if never, or without a threshold).

        The sides are :meth:`_sides`' (a step within rounding of the threshold is *at* it), with *at*
        on the upper side, P(H) >= threshold: so 75% times 1:3 reaches 50% without crossing it, whether
        the ratio is typed as 1/3 (log-odds -2.2e-16) or as likelihoods 0.25 and 0.75 (exactly 0).
        """
        if self.threshold is None:
            return None
        upper = [side != "below" for side in self._sides()]
        return next((j for j, u in enumerate(upper) if u != upper[0]), None)

    @property
    def remaining_log_lr(self) -> float | None:
        """Evidence (nats) still needed after the last step; None without a threshold."""
        need = self.needed_log_lr
        return None if need is None else need[-1]

    @property
    def headline_threshold(self) -> float:
        """The P(H) the headline speaks of: ``threshold``, or 50% when none was set."""
        return HEADLINE_THRESHOLD if self.threshold is None else self.threshold

    def _sides(self) -> list[str]:
        r"""Each step's side of :attr:`headline_threshold`: ``"above"``, ``"below"`` or ``"at"``.

        Compared in log-odds, :math:`\lambda_j` against :math:`\operatorname{logit} t`.
        A step closer to the threshold than the rounding of the terms summed
        so far (8 ulps of :math:`|\operatorname{logit} t| + |\lambda_0| + \sum_{i \le j} |w_i \ln \mathrm{LR}_i|`)
        is *at* it: 1:3 times 3:1 is even odds exactly, though
        :math:`\ln \tfrac13 + \ln 3` may round to :math:`2 \times 10^{-16}`, and
        the sign of such a sum says nothing.
        """
        t = log_odds(self.headline_threshold)
        scale = abs(t) + abs(self.log_odds[0])
        sides = []
        for x, step in zip(self.log_odds, self.step_log_lr, strict=True):
            scale += abs(step)
            gap = x - t
            sides.append("at" if abs(gap) <= 8 * sys.float_info.epsilon * scale else "above" if gap > 0 else "below")
        return sides

    @property
    def crossings(self) -> tuple[tuple[int, str], ...]:
        """Each step where the posterior changes side of :attr:`headline_threshold`, as ``(step, side)``.

        ``side`` is ``"above"``, ``"below"`` or ``"at"`` (see :meth:`_sides`): a
        ledger that lands exactly on the threshold (1:3 times 3:1 on 50%)
        reaches it rather than crossing it.  Unlike :attr:`crossed_at`, every
        change is listed, back and forth.
        """
        sides = self._sides()
        return tuple((j, side) for j, side in enumerate(sides) if j and side != sides[j - 1])

    def crossing_sentence(self, *, labelled: bool = True) -> str | None:
        """Where the posterior changes side of :attr:`headline_threshold`, as a sentence without its full stop.

        None when it never does.  Each change in :attr:`crossings` order, with its item quoted when
        ``labelled`` (the chart's subtitle leaves the labels to its rows): "The posterior crosses 50%
        twice: it rises above it at step 1 (“a”) and falls below it at step 2 (“b”)".  A ledger that
        lands on the threshold "reaches" it, and the count then says "reaches or crosses".
        """
        events = self.crossings
        if not events:
            return None
        t = format_probability(log_odds(self.headline_threshold))

        def where(j: int) -> str:
            return f"step {j} ({quoted(self.labels[j])})" if labelled else f"step {j}"

        if len(events) == 1:
            ((j, side),) = events
            return f"The posterior {_VERB[side]} {t} at {where(j)}"
        steps = listed([f"{_VERB[side]} it at {where(j)}" for j, side in events], limit=4)
        times = "twice" if len(events) == 2 else f"{len(events)} times"
        crosses = "reaches or crosses" if any(side == "at" for _, side in events) else "crosses"
        return f"The posterior {crosses} {t} {times}: it {steps}"

    @property
    def headline(self) -> str:
        """The one sentence this analysis adds to the ledger: where the posterior crosses the threshold, if it does.

        Its numbers are this result's own log-odds (update()'s route), written by
        :func:`beliefs.format.format_probability`; labels are one line and quoted.
        """
        t = format_probability(log_odds(self.headline_threshold))
        start, end = format_probability(self.log_odds[0]), format_probability(self.log_odds[-1])
        if len(self.log_odds) == 1:
            return f"No evidence is included, so the posterior is the prior, {start}, and crosses nothing."
        sentence = self.crossing_sentence()
        if sentence is None:
            side = self._sides()[0]
            if side == "at":
                return f"The posterior stays at {t} at every step."
            return f"The posterior never crosses {t}: it stays {side} it at every step, from {start} to {end}."
        if len(self.crossings) == 1:
            return f"{sentence} and ends at {end}."
        return f"{sentence}; it ends at {end}."

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
            "headline": self.headline,
            "headline_threshold": self.headline_threshold,
            "crossings": [{"step": j, "side": side} for j, side in self.crossings],
            **({"model": self.model} if self.model else {}),
        }

    def text(self) -> str:
        lines = [self.headline]
        if self.model:
            lines.append(f"model: {self.model}")
        lines += ["", f"{'step':>4}  {'item':<40} {'bits':>8}  posterior"]
        for r in self.rows():
            lines.append(
                f"{r['step']:>4}  {one_line(r['label'])[:40]:<40} {r['step_bits']:>+8.3f}  {format_probability(r['log_odds'])}"
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
    rate_if_h: BetaDist | tuple | str,
    rate_if_not_h: BetaDist | tuple | str,
    *,
    pooling: str = "partial",
    kappa=None,
    threshold: object = None,
    labels: Sequence[str] | None = None,
) -> SequentialResult:
    r"""The posterior after each data batch (environment), under ``pooling`` (the data page's model).

    No pooling: batches are independent given H or not H, so step :math:`j` is that environment's own
    factor.  Partial pooling: environments share a population, so they are not independent given H;
    step :math:`j` is :math:`\ln\mathrm{BF}(D_{1..j}) - \ln\mathrm{BF}(D_{1..j-1})`, each prefix's factor
    by the quadrature (one pair of marginals per prefix).  Either way the last step's posterior is
    :func:`beliefs.update.update_by_log_bf` of the whole data's factor, the data page's.
    """
    kk, nn = counts_arrays(k, n)
    p = open_probability(prior, "prior")
    t = _check_threshold(threshold)
    h = parse_rate_prior(rate_if_h, "rate_if_h", names=BETA_FIELDS)
    not_h = parse_rate_prior(rate_if_not_h, "rate_if_not_h", names=BETA_FIELDS)
    if labels is None:
        labels = [f"{int(a)}/{int(b)}" for a, b in zip(kk, nn, strict=True)]
    elif len(labels) != len(kk):
        raise InputError("labels", labels, f"one label per batch ({len(kk)})")
    if pooling == "none":
        nats = [no_pooling_log_bf([kj], [nj], h, not_h) for kj, nj in zip(kk, nn, strict=True)]
        total = math.fsum(nats)
    elif pooling == "partial":
        prefix = [0.0] + [
            counts_log_bf(kk[:j], nn[:j], h, not_h, "partial", kappa_h=kappa, kappa_not_h=kappa)
            for j in range(1, len(kk) + 1)
        ]
        nats = [b - a for a, b in itertools.pairwise(prefix)]
        total = prefix[-1]
    else:
        raise InputError("pooling", pooling, "'none' or 'partial'")
    # The prior and the final posterior come from update() (one route); the steps between are its partial sums.
    result = update_by_log_bf(p, total)
    seq = _sequential_from_nats(result.prior_log_odds, list(labels), nats, t)
    return dataclasses.replace(seq, final_posterior=result.posterior, model=POOLING_WORDS[pooling])


def plot_sequential(result: SequentialResult) -> dict:
    """P(H) after each step, one row per step, on a log-odds axis in percent; the threshold if one was set.

    The subtitle says where the posterior crosses the threshold, or how much
    evidence is still needed.  Any finite log-odds has a place on the axis
    (1e-300 and 1 - 1e-300 too).

    Returns
    -------
    dict
        The Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    import altair as alt

    from beliefs.plots.palette import ESTIMATE, REFERENCE
    from beliefs.plots.style import Rows, colour, finish, log_odds_domain, probability_axis, title, wrap

    path = "P(H) after each step"
    values = []
    for i, (label, step, x) in enumerate(zip(result.labels, result.step_log_lr, result.log_odds, strict=True)):
        text = "prior" if i == 0 else f"{i}. {label}"
        values.append({"row": i, "label": wrap(text), "name": one_line(label), "bits": bits(x), "step_bits": bits(step),
                       "value": format_probability(x) if i == 0 else f"{bits(step):+.2f} bits → {format_probability(x)}",
                       "series": path})  # fmt: skip
    series = {path: ESTIMATE}
    levels = [v["bits"] for v in values]
    subtitle = ""
    if result.threshold is not None:
        t = bits(log_odds(result.threshold))
        levels.append(t)
        name = f"threshold {format_probability(log_odds(result.threshold))}"
        series[name] = REFERENCE
        # The headline's own account of the crossings (labels left to the rows): one story on page and chart.
        crossing = result.crossing_sentence(labelled=False)
        subtitle = (
            f"{crossing}."
            if crossing is not None
            else f"Still needed to reach {format_probability(log_odds(result.threshold))}: "
            f"{bits(result.remaining_log_lr):+.2f} bits, a likelihood ratio of {format_odds(result.remaining_log_lr)}."
        )
    domain = log_odds_domain(levels, left=0.05, right=0.5)
    x_scale = alt.Scale(domain=domain, nice=False, zero=False)
    rows = Rows.place(values)
    base = alt.Chart(alt.NamedData("steps"))
    middle = rows.altair_y(Rows.MIDDLE)
    x = alt.X("bits:Q", scale=x_scale, axis=alt.Axis(**probability_axis(*domain, "P(H), log-odds scale")))
    layers = [
        rows.altair_labels(base),
        base.mark_point(filled=True, size=90, opacity=1).encode(
            y=middle, x=x,
            tooltip=[alt.Tooltip("name:N", title="step"), alt.Tooltip("step_bits:Q", format="+.3f", title="bits"),
                     alt.Tooltip("value:N", title="P(H) after")],
        ),
        base.mark_text(align="left", baseline="middle", dx=8).encode(y=middle, x=x, text="value:N", color=alt.ColorValue(INK)),
    ]  # fmt: skip
    if result.threshold is not None:  # in every row, across the points only (never through a label)
        layers.insert(0, rows.altair_rules(base, alt.X(datum=t, scale=x_scale), alt.ColorDatum(name, type="nominal"),
                                           strokeDash=[5, 4], strokeWidth=1.5))  # fmt: skip
    chart = alt.layer(*layers).encode(color=alt.Color(**colour(series))).properties(
        title=title("Sequential analysis: P(H) after each item" + (f", {result.model}" if result.model else ""), subtitle), height=rows.height
    )
    return finish(chart, name="sequential", data={"steps": list(rows.values)})
