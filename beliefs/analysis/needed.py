"""Reverse Bayes: the evidence that would move a prior to a target.

:func:`needed` gives the likelihood ratio; :func:`needed_count` the number of
covert actions in further rollouts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from beliefs.analysis._common import (
    BETA_FIELDS,
    Table,
    counts_arrays,
    finite_or_none,
    open_probability,
)
from beliefs.counts import env_log_bf, grid_log_bf
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, parse_beta
from beliefs.format import format_odds, format_probability
from beliefs.odds import LN10, bits, decibels, log_odds, odds_from_log_odds, probability
from beliefs.tables import NotebookRepr
from beliefs.update import update_by_log_bf
from beliefs.validation import as_count


@dataclass(frozen=True)
class NeededResult(NotebookRepr):
    """The evidence that moves ``prior`` exactly to ``target``, in every unit (filled by :func:`needed`)."""

    prior: float
    target: float
    log_lr: float  # nats
    # t(1-p) / (p(1-t)) as one quotient where that is exact to a few roundings, as update() forms
    # its headline odds (0.25 -> 0.75 is exactly 9); else exp(log_lr), inf beyond the float range.
    likelihood_ratio: float
    bits: float
    decibels: float

    def to_dict(self) -> dict:
        return {
            "prior": self.prior,
            "target": self.target,
            "likelihood_ratio": finite_or_none(self.likelihood_ratio),
            "log10_likelihood_ratio": self.log_lr / LN10,
            "bits": self.bits,
            "decibels": self.decibels,
        }

    def text(self) -> str:
        direction = "for" if self.log_lr >= 0 else "against"
        return (
            f"From {format_probability(log_odds(self.prior))} to {format_probability(log_odds(self.target))} "
            f"takes a likelihood ratio of {format_odds(self.log_lr)} ({direction} H): "
            f"{self.bits:+.3f} bits = {self.decibels:+.2f} dB."
        )


def needed(prior: object, target: object) -> NeededResult:
    r"""The likelihood ratio that moves ``prior`` to ``target`` (reverse Bayes).

    .. math::

        \ln \mathrm{LR} = \ln\frac{t}{1-t} - \ln\frac{p}{1-p}

    Examples
    --------
    The 3-to-1 update takes 1:3 odds (25%) to even odds:

    >>> r = needed(0.25, 0.5)
    >>> round(r.likelihood_ratio, 12), round(r.bits, 4)
    (3.0, 1.585)
    """
    p = open_probability(prior, "prior")
    t = open_probability(target, "target")
    log_lr = log_odds(t) - log_odds(p)
    if min(p, t, 1.0 - p, 1.0 - t) > _NORMAL_FLOOR and abs(log_lr) < _LINEAR_NATS:
        ratio = (t * (1.0 - p)) / (p * (1.0 - t))
    else:
        ratio = odds_from_log_odds(log_lr)
    return NeededResult(
        prior=p, target=t, log_lr=log_lr, likelihood_ratio=ratio, bits=bits(log_lr), decibels=decibels(log_lr)
    )


_NORMAL_FLOOR = 1e-150  # products of two such factors stay normal doubles
_LINEAR_NATS = math.log(1e280)


@dataclass(frozen=True, eq=False)
class CountNeeded(Table):
    """How many covert actions ``k'`` in ``n_new`` further rollouts would cross ``target``.

    ``k_needed`` is the smallest ``k'`` that pushes P(H) above the target
    (direction ``"above"``), or the largest ``k'`` that still pushes it below
    (``"below"``); None when no ``k'`` in ``0..n_new`` reaches it.
    ``reaching`` lists every ``k'`` that reaches, in case the Bayes factor is
    not monotone in ``k'``.
    """

    n_new: int
    target: float
    direction: Literal["above", "below"]
    current_log_odds: float
    log_odds_by_k: np.ndarray  # index k' -> posterior log-odds after k' of n_new

    # The model of every factor here, named in the message and the plot's title (the data page's models
    # are no pooling and partial pooling; this one is no pooling, stated so nobody reads it as the page's).
    MODEL = "no pooling (the further rollouts are one new environment, independent of the others given H)"

    @property
    def current(self) -> float:
        return probability(self.current_log_odds)

    @property
    def reaching(self) -> tuple[int, ...]:
        t = log_odds(self.target)
        hit = self.log_odds_by_k > t if self.direction == "above" else self.log_odds_by_k < t
        return tuple(int(i) for i in np.flatnonzero(hit))

    @property
    def reachable(self) -> bool:
        return bool(self.reaching)

    @property
    def k_needed(self) -> int | None:
        hit = self.reaching
        if not hit:
            return None
        return hit[0] if self.direction == "above" else hit[-1]

    @property
    def monotone(self) -> bool:
        """True when the reaching counts are exactly ``k_needed..n_new`` (above) or ``0..k_needed`` (below)."""
        hit, k = self.reaching, self.k_needed
        if k is None:
            return True
        expected = range(k, self.n_new + 1) if self.direction == "above" else range(k + 1)
        return hit == tuple(expected)

    def message(self) -> str:
        word = "above" if self.direction == "above" else "below"
        if self.k_needed is None:
            best = int(
                np.argmax(self.log_odds_by_k) if self.direction == "above" else np.argmin(self.log_odds_by_k)
            )
            return (
                f"not reachable with {self.n_new} rollouts: no count of covert actions in 0..{self.n_new} "
                f"pushes P(H) {word} {self.target:g} (the closest, k' = {best}, gives "
                f"{format_probability(float(self.log_odds_by_k[best]))})"
            )
        if self.direction == "above":
            return f"{self.k_needed} or more covert actions in {self.n_new} rollouts push P(H) above {self.target:g}"
        return f"{self.k_needed} or fewer covert actions in {self.n_new} rollouts push P(H) below {self.target:g}"

    def rows(self) -> list[dict]:
        return [
            {"k_new": i, "posterior_log_odds": float(x), "posterior": probability(float(x))}
            for i, x in enumerate(self.log_odds_by_k)
        ]

    def to_dict(self) -> dict:
        return {
            "n_new": self.n_new,
            "target": self.target,
            "direction": self.direction,
            "current": self.current,
            "reachable": self.reachable,
            "k_needed": self.k_needed,
            "monotone": self.monotone,
            "message": self.message(),
            "model": self.MODEL,
        }


def needed_count(
    n_new: object,
    target: object,
    prior: object,
    rate_if_h: BetaDist | tuple,
    rate_if_not_h: BetaDist | tuple,
    *,
    k: object = (),
    n: object = (),
    direction: Literal["above", "below"] | None = None,
) -> CountNeeded:
    r"""Reverse Bayes for counts: which ``k'`` covert actions in ``n_new`` more rollouts reach ``target``.

    The existing counts ``k, n`` (per environment) first move the prior; the
    ``n_new`` further rollouts are one new environment with its own rate drawn
    from each hypothesis' Beta prior (no pooling), so for each ``k'``

    .. math::

        \lambda(k') = \lambda_0 + \ln\mathrm{BF}(k, n) + \ln\frac{B(k'+a_H,\,n'-k'+b_H)/B(a_H,b_H)}
                                                       {B(k'+a_{\lnot H},\,n'-k'+b_{\lnot H})/B(a_{\lnot H},b_{\lnot H})}

    Every ``k'`` in ``0..n_new`` is evaluated (no monotonicity is assumed).
    ``direction`` defaults to ``"above"`` when the target is at or above the
    current posterior, else ``"below"``.
    """
    size = as_count(n_new, "n_new", minimum=1, maximum=10_000_000)
    t = open_probability(target, "target")
    p = open_probability(prior, "prior")
    h = parse_beta(rate_if_h, "rate_if_h", names=BETA_FIELDS)
    not_h = parse_beta(rate_if_not_h, "rate_if_not_h", names=BETA_FIELDS)
    kk, nn = counts_arrays(k, n)
    # The data so far move the prior through update(), as every posterior (one route).
    current = update_by_log_bf(p, math.fsum(env_log_bf(kk, nn, h, not_h).tolist())).posterior_log_odds
    if direction is None:
        direction = "above" if log_odds(t) >= current else "below"
    elif direction not in ("above", "below"):
        raise InputError("direction", direction, "'above' or 'below'")
    k_new = np.arange(size + 1, dtype=float)
    by_k = current + grid_log_bf(k_new, np.full_like(k_new, size), h, not_h)
    return CountNeeded(
        n_new=size, target=t, direction=direction, current_log_odds=current, log_odds_by_k=by_k
    )


_DRAWN_COUNTS = 1000  # beyond this many k', the chart draws an even selection (plus k' needed); the CSV has all


def plot_count_needed(result: CountNeeded) -> dict:
    """P(H) after each number ``k'`` of covert actions in the further rollouts, with the target and ``k'`` needed.

    P(H) is on a log-odds axis in percent, so every count has its place however
    far the posterior goes.  Returns the Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    import altair as alt

    from beliefs.plots.palette import ESTIMATE, LEVEL, REFERENCE
    from beliefs.plots.style import PLOT_HEIGHT, colour, finish, log_odds_domain, probability_axis, title

    n = len(result.log_odds_by_k)
    ks = range(n)
    if n > _DRAWN_COUNTS + 1:
        picked = {round(i * (n - 1) / _DRAWN_COUNTS) for i in range(_DRAWN_COUNTS + 1)}
        if result.k_needed is not None:
            picked |= {k for k in (result.k_needed - 1, result.k_needed, result.k_needed + 1) if 0 <= k < n}
        ks = sorted(picked)
    curve = "P(H) after k' of n'"
    target_name = f"target {format_probability(log_odds(result.target))}"
    values = [{"k": k, "bits": bits(float(result.log_odds_by_k[k])), "text": format_probability(float(result.log_odds_by_k[k])),
               "series": curve} for k in ks]  # fmt: skip
    target_bits = bits(log_odds(result.target))
    series = {curve: ESTIMATE, target_name: REFERENCE}
    marks = [{"series": target_name, "bits": target_bits}]
    if result.k_needed is not None:
        needed_name = f"k' = {result.k_needed}"
        series[needed_name] = LEVEL
    domain = log_odds_domain([v["bits"] for v in values] + [target_bits], left=0.05, right=0.05)
    y = alt.Y("bits:Q", scale=alt.Scale(domain=domain, nice=False, zero=False),
              axis=alt.Axis(**probability_axis(*domain, "P(H), log-odds scale")))  # fmt: skip
    layers = [
        alt.Chart(alt.NamedData("counts")).mark_line(interpolate="step", strokeWidth=2).encode(
            x=alt.X("k:Q", title=f"covert actions k' in {result.n_new:,} further rollouts", axis=alt.Axis(format=",d")),
            y=y,
            tooltip=[alt.Tooltip("k:Q", title="k'"), alt.Tooltip("text:N", title="P(H)")],
        ),
        alt.Chart(alt.NamedData("target")).mark_rule(strokeDash=[5, 4], strokeWidth=1.5).encode(y=y),
    ]
    if result.k_needed is not None:
        layers.append(
            alt.Chart(alt.NamedData("needed")).mark_rule(strokeWidth=1.5).encode(x="k:Q")
        )
    subtitle = result.message()
    if len(ks) < n:
        subtitle += f" (drawn at {len(ks):,} of the {n:,} counts; the CSV has every one)"
    chart = alt.layer(*layers).encode(color=alt.Color(**colour(series))).properties(
        title=title(f"Covert actions that would cross the target ({result.MODEL.split(' (')[0]})", subtitle), height=PLOT_HEIGHT
    )
    needed = [] if result.k_needed is None else [{"k": result.k_needed, "series": needed_name}]
    return finish(chart, name="needed count", data={"counts": values, "target": marks, "needed": needed})
