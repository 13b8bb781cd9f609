r"""Pooling forecasters by the geometric mean of odds, optionally extremized.

The extremizing factor ``d`` is either a number the user chooses or
Neyman and Roughgarden's factor for ``n`` forecasters (``extremize="nr"``),

.. math::

    d(n) = \frac{n\left(\sqrt{3n^2 - 3n + 1} - 2\right)}{n^2 - n - 1},

which is 1 for one forecaster, 1.2915 for two, 1.4153 for three, 1.6250 for
ten, and rises to :math:`\sqrt 3` (E. Neyman and T. Roughgarden, "Are you
smarter than a random expert? The robust aggregation of substitutable
signals", 2021, arXiv:2111.03153; FRI's ``aggutils::neymanAggCalc``; J.
Sevilla, "Principled extremizing of aggregated forecasts").  The factor is
derived for ``n`` equally weighted forecasters, so ``"nr"`` refuses unequal
weights rather than guess what ``n`` would mean for them.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from beliefs.analysis._common import Table, finite_or_none
from beliefs.errors import CertaintyError, InputError
from beliefs.format import format_odds, format_probability
from beliefs.odds import log_odds, odds_from_log_odds, probability
from beliefs.validation import as_count, as_float, as_positive, as_probability


@dataclass(frozen=True, eq=False)
class PoolResult(Table):
    r"""Forecasts pooled by the geometric mean of odds and by the arithmetic mean.

    .. math::

        \bar\lambda = d\,\frac{\sum_i w_i \lambda(p_i)}{\sum_i w_i},\qquad
        \text{geometric\_mean\_odds} = \sigma(\bar\lambda),\qquad
        \text{arithmetic\_mean} = \frac{\sum_i w_i p_i}{\sum_i w_i}
    """

    probabilities: tuple[float, ...]
    weights: tuple[float, ...]
    extremize: float
    pooled_log_odds: float  # after extremizing
    arithmetic_mean: float
    extremize_method: str = "factor"  # "factor": d as given; "nr": Neyman and Roughgarden's d(n)

    @property
    def pooled_probability(self) -> float:
        """The pooled probability (geometric mean of odds, extremized by ``d``)."""
        return probability(self.pooled_log_odds)

    @property
    def geometric_mean_odds(self) -> float:
        """Deprecated name of :attr:`pooled_probability` (it is a probability, not odds); kept one release."""
        return self.pooled_probability

    @property
    def unextremized_log_odds(self) -> float:
        return self.pooled_log_odds / self.extremize

    def rows(self) -> list[dict]:
        out = [
            {"kind": "forecast", "probability": p, "log_odds": log_odds(p), "weight": w}
            for p, w in zip(self.probabilities, self.weights, strict=True)
        ]
        out.append(
            {
                "kind": "geometric_mean_odds",
                "probability": self.geometric_mean_odds,
                "log_odds": self.pooled_log_odds,
                "weight": None,
            }
        )
        out.append(
            {
                "kind": "arithmetic_mean",
                "probability": self.arithmetic_mean,
                "log_odds": log_odds(self.arithmetic_mean),
                "weight": None,
            }
        )
        return out

    def to_dict(self) -> dict:
        return {
            "pooled_probability": self.pooled_probability,
            # Deprecated: the same probability under its old, misleading name; removed after one release.
            "geometric_mean_odds": self.pooled_probability,
            "arithmetic_mean": self.arithmetic_mean,
            "pooled_log_odds": self.pooled_log_odds,
            "pooled_odds": finite_or_none(odds_from_log_odds(self.pooled_log_odds)),
            "extremize": self.extremize,
            "extremize_method": self.extremize_method,
            "unextremized": probability(self.unextremized_log_odds),
            "probabilities": list(self.probabilities),
            "weights": list(self.weights),
        }

    def text(self) -> str:
        n = len(self.probabilities)
        how = f"x{self.extremize:.5g}" + (
            f": Neyman-Roughgarden d for n = {n}" if self.extremize_method == NR else ""
        )
        lines = [
            f"{n} forecasts",
            f"geometric mean of odds  {format_probability(self.pooled_log_odds):>12}  odds {format_odds(self.pooled_log_odds)}"
            + (f"  (extremized {how})" if self.extremize != 1 else ""),
        ]
        if self.extremize != 1:
            lines.append(f"  not extremized        {format_probability(self.unextremized_log_odds):>12}")
        lines.append(f"arithmetic mean         {format_probability(log_odds(self.arithmetic_mean)):>12}")
        return "\n".join(lines)


NR = "nr"


def neyman_roughgarden_factor(n: object) -> float:
    r"""Neyman and Roughgarden's extremizing factor for ``n`` equally weighted forecasters.

    .. math:: d(n) = \frac{n\left(\sqrt{3n^2 - 3n + 1} - 2\right)}{n^2 - n - 1}

    The denominator has no whole-number root (its roots are :math:`(1 \pm \sqrt 5)/2`),
    and the integers are exact in floating point below :math:`n \approx 5 \times 10^7`,
    so the factor is within a few ulps of the exact value there.

    Examples
    --------
    >>> [round(neyman_roughgarden_factor(n), 4) for n in (1, 2, 3, 10)]
    [1.0, 1.2915, 1.4153, 1.625]
    """
    n = as_count(n, "n", minimum=1)
    return n * (math.sqrt(3 * n * n - 3 * n + 1) - 2) / (n * n - n - 1)


MAX_EXTREMIZE = 10.0  # published extremizing factors are about 1.2 to 3; beyond 10 one forecast's sign decides all

_POOL_HINT = (
    "a forecast of exactly 0 or 1 has infinite log-odds, so a log-odds pool would be decided by it alone "
    "(and 0 beside 1 is undefined); enter an extreme but finite probability such as 0.001"
)


def pool(probs: object, weights: object = None, *, extremize: object = 1.0) -> PoolResult:
    r"""Pool forecasts by the (weighted) geometric mean of odds, optionally extremized.

    ``extremize`` is the factor ``d`` on the pooled log-odds (1 = none), or
    ``"nr"`` for Neyman and Roughgarden's :func:`neyman_roughgarden_factor`
    of the number of forecasts (equal weights only).

    Examples
    --------
    Odds 1:9 and 9:1 pool to even odds; 0.2 and 0.8 average to 0.5:

    >>> round(pool([0.1, 0.9]).geometric_mean_odds, 15), pool([0.2, 0.8]).arithmetic_mean
    (0.5, 0.5)
    >>> round(pool([0.2, 0.5]).geometric_mean_odds, 12)  # odds sqrt(1/4 * 1) = 1/2
    0.333333333333
    """
    raw = _as_list(probs, "probs")
    ps = []
    for i, v in enumerate(raw):
        p = as_probability(v, f"probs[{i}]")
        if p in (0.0, 1.0):
            raise CertaintyError(f"probs[{i}]", v, "a probability strictly between 0 and 1", hint=_POOL_HINT)
        ps.append(p)
    if weights is None:
        ws = [1.0] * len(ps)
    else:
        raw_w = _as_list(weights, "weights")
        if len(raw_w) != len(ps):
            raise InputError("weights", weights, f"one weight per forecast ({len(ps)}), got {len(raw_w)}")
        ws = [as_float(w, f"weights[{i}]", "a weight >= 0") for i, w in enumerate(raw_w)]
        for i, w in enumerate(ws):
            if w < 0:
                raise InputError(f"weights[{i}]", raw_w[i], "a weight >= 0")
        if max(ws) <= 0:
            raise InputError("weights", weights, "weights >= 0 that are not all 0")
    allowed_d = (
        f"an extremizing factor in (0, {MAX_EXTREMIZE:g}] (1 = none, > 1 pushes away from 50%) "
        f"or '{NR}' (Neyman and Roughgarden's factor for the number of forecasts)"
    )
    method = "factor"
    if isinstance(extremize, str) and extremize.strip().lower() == NR:
        if len(set(ws)) > 1:
            raise InputError(
                "weights",
                weights,
                f"equal weights with extremize='{NR}' (or a numeric extremizing factor)",
                hint="Neyman and Roughgarden derive d for n equally weighted forecasters; with unequal "
                "weights n has no stated meaning. Drop a forecast rather than weight it 0",
            )
        method = NR
        d = neyman_roughgarden_factor(len(ps))
    else:
        d = as_positive(extremize, "extremize", allowed_d)
        if d > MAX_EXTREMIZE:
            raise InputError("extremize", extremize, allowed_d)
    # Normalised by the largest weight first: 1e308 + 1 must not overflow, 5e-324 twice must not underflow.
    top = max(ws)
    norm = [w / top for w in ws]
    total_w = math.fsum(norm)
    mean_x = math.fsum(w * log_odds(p) for w, p in zip(norm, ps, strict=True)) / total_w
    mean_p = math.fsum(w * p for w, p in zip(norm, ps, strict=True)) / total_w
    return PoolResult(
        probabilities=tuple(ps),
        weights=tuple(ws),
        extremize=d,
        pooled_log_odds=d * mean_x,
        arithmetic_mean=mean_p,
        extremize_method=method,
    )


def _as_list(value: object, field: str) -> list:
    if isinstance(value, str):
        parts = [s.strip() for s in value.split(",")]
        if value.strip() == "" or any(s == "" for s in parts):
            raise InputError(field, value, "a non-empty comma-separated list of numbers, e.g. 0.2,0.3")
        return parts
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if not value:
            raise InputError(field, value, "a non-empty list of numbers")
        return list(value)
    raise InputError(field, value, "a non-empty list of numbers")


def parse_forecasts_csv(text: str) -> tuple[list[float], list[float] | None]:
    """Read forecasts from CSV text: one ``probability[,weight]`` per line, with or without a header.

    A header names the columns (``probability``/``p``/``forecast`` and
    optionally ``weight``/``w``), in any order; blank lines are skipped.

    Examples
    --------
    >>> parse_forecasts_csv("probability,weight\\n0.2,1\\n0.4,3\\n")
    ([0.2, 0.4], [1.0, 3.0])
    """
    if not isinstance(text, str):
        raise InputError("forecasts", text, "CSV text")
    try:
        rows = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    except csv.Error as exc:  # e.g. a quoted cell that never ends runs past csv's field limit
        raise InputError("forecasts", f"{len(text):,} characters", "CSV text of probabilities", str(exc)) from None
    if not rows:
        raise InputError("forecasts", text, "CSV with at least one forecast")
    head = [cell.strip().lower() for cell in rows[0]]
    p_col, w_col = 0, 1
    if any(_not_number(cell) for cell in head):
        p_names = [i for i, c in enumerate(head) if c in ("probability", "p", "forecast", "prob")]
        if not p_names:
            raise InputError(
                "forecasts", rows[0], "a header with a 'probability' column (and optionally 'weight')"
            )
        p_col = p_names[0]
        w_names = [i for i, c in enumerate(head) if c in ("weight", "w")]
        w_col = w_names[0] if w_names else None
        rows = rows[1:]
        if not rows:
            raise InputError("forecasts", text, "CSV with at least one forecast under the header")
    else:
        w_col = 1 if len(rows[0]) > 1 else None
    probs, weights = [], []
    for line, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if p_col >= len(cells):
            raise InputError(f"forecasts row {line}", row, "a probability in every row")
        probs.append(as_probability(cells[p_col], f"forecasts row {line} probability"))
        if w_col is not None:
            if w_col >= len(cells) or cells[w_col] == "":
                raise InputError(f"forecasts row {line} weight", row, "a weight in every row (or in none)")
            weights.append(as_float(cells[w_col], f"forecasts row {line} weight", "a weight >= 0"))
    return probs, (weights if w_col is not None else None)


def _not_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return True
    return False


def plot_pool(result: PoolResult) -> dict:
    """The forecasts (dot size by weight) and the two pools, on a log-odds axis in percent.

    Returns the Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    import altair as alt

    from beliefs.odds import bits
    from beliefs.plots.palette import ESTIMATE, LEVEL, REFERENCE
    from beliefs.plots.style import colour, finish, log_odds_domain, probability_axis, title

    forecasts, pooled, plain = "forecasts (size: weight)", "geometric mean of odds", "arithmetic mean"
    subtitle = (
        f"geometric mean of odds {format_probability(result.pooled_log_odds)}"
        + (f" (extremized, d = {result.extremize:g})" if result.extremize != 1 else "")
        + f"; arithmetic mean {format_probability(log_odds(result.arithmetic_mean))}"
    )
    values = [{"bits": bits(log_odds(p)), "weight": w, "text": format_probability(log_odds(p)), "series": forecasts}
              for p, w in zip(result.probabilities, result.weights, strict=True)]  # fmt: skip
    levels = [{"bits": bits(result.pooled_log_odds), "series": pooled, "dash": "solid"},
              {"bits": bits(log_odds(result.arithmetic_mean)), "series": plain, "dash": "dashed"}]  # fmt: skip
    domain = log_odds_domain([v["bits"] for v in values + levels], left=0.08, right=0.08)
    x = alt.X("bits:Q", scale=alt.Scale(domain=domain, nice=False, zero=False),
              axis=alt.Axis(**probability_axis(*domain, "P(H), log-odds scale")))  # fmt: skip
    chart = alt.layer(
        alt.Chart(alt.NamedData("levels")).mark_rule(strokeWidth=2).encode(
            x=x, strokeDash=alt.StrokeDash("dash:N", scale=alt.Scale(domain=["solid", "dashed"], range=[[1, 0], [6, 4]]), legend=None)
        ),
        alt.Chart(alt.NamedData("forecasts")).mark_point(filled=True, opacity=0.75).encode(
            x=x, size=alt.Size("weight:Q", scale=alt.Scale(range=[60, 300]), legend=None),
            tooltip=[alt.Tooltip("text:N", title="forecast"), alt.Tooltip("weight:Q", format=".3~g")],
        ),
    ).encode(color=alt.Color(**colour({forecasts: LEVEL, pooled: ESTIMATE, plain: REFERENCE}))).properties(
        title=title(f"Pooling {len(values)} forecasts", subtitle), height=90
    )  # fmt: skip
    return finish(chart, name="pool", data={"levels": levels, "forecasts": values})
