r"""The Bayes factor of covert-action counts as a map over what the two hypotheses predict.

One Bayes factor rests on two predictions nobody published: the mean
covert-action rate each hypothesis expects.  The map shows the factor for every
pair on a grid, each hypothesis keeping its reading's *spread* (a Beta's
concentration :math:`a + b`; a point stays a point):

.. math::

    \ln\mathrm{BF}(m_H, m_{\lnot H}) = \ln P(D \mid m_H, c_H) - \ln P(D \mid m_{\lnot H}, c_{\lnot H}),
    \qquad \mathrm{Beta}(m c, (1 - m) c),

so a row needs one marginal likelihood per H mean and a column one per not-H mean:
a G x G map costs 2G marginals (:func:`beliefs.counts.log_marginal`, cached by
value), not G².  Cells are the plain ``counts`` command's factor at those
priors: with partial pooling the same two marginals subtracted, with no
pooling the cancellation-free closed form per cell.

The **neutral line** (log BF = 0) is where :math:`\ln P(D\mid m_H) = \ln P(D\mid m_{\lnot H})`.
Both sides are smooth in :math:`\ln m`, so each is interpolated by a cubic
spline through its grid (the user's own means added as nodes) and the line is
the spline's level set; the tests check its crossings against ``brentq`` on the
exact marginals.  :meth:`BayesFactorMap.sentence` says in words what the line
means at the user's H prediction.  :func:`plot_bayes_factor_map` draws the map
(one chart, built on :mod:`beliefs.plots.style`, for every page and every file).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from beliefs.counts import POOLINGS, check_counts, log_marginal, no_pooling_log_bf
from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.format import format_proportion
from beliefs.odds import LN10
from beliefs.plots.palette import INK
from beliefs.rate_priors import PointRate, RatePrior, parse_rate_prior, rate_prior_text, reading_for
from beliefs.tables import NotebookRepr
from beliefs.validation import as_count, as_probability

if TYPE_CHECKING:
    from beliefs.partial_pooling import KappaPrior

# SciPy (the cubature, the splines) is imported inside the functions: the command line imports this
# module's constants for its help text on every command.

__all__ = ["DEFAULT_GRID", "MAX_GRID", "MEAN_RANGE", "BayesFactorMap", "bayes_factor_map", "plot_bayes_factor_map"]

DEFAULT_GRID = 13  # 26 cubatures with partial pooling (about 3.5 s here, then cached); the page's map
MAX_GRID = 101
MEAN_RANGE = (1e-3, 0.5)  # the means drawn, widened to take in the user's own
_POLISH = 2  # refinement rounds of the crossings at the user's H mean (one marginal per crossing per round)
_MIN_PARAMETER = 0.01  # the partial-pooling cubature's smallest Beta parameter (beliefs.partial_pooling)


_POOLING_TITLE = {"partial": "partial pooling", "none": "no pooling"}


@dataclass(frozen=True, eq=False)
class BayesFactorMap(NotebookRepr):
    """log BF (nats) for each pair of mean predictions; rows follow ``h_means``, columns ``not_h_means``.

    ``log_marginal_h[i]`` / ``log_marginal_not_h[j]``: each hypothesis's marginal at that mean (nats);
    ``choice`` the user's own (H mean, not-H mean, log BF); ``crossings_at_choice`` the not-H means
    where the factor is 1 with H at the user's mean.
    """

    k: tuple[int, ...]
    n: tuple[int, ...]
    pooling: str
    rate_if_h: RatePrior
    rate_if_not_h: RatePrior
    h_means: tuple[float, ...]
    not_h_means: tuple[float, ...]
    log_bf: np.ndarray
    log_marginal_h: tuple[float, ...]
    log_marginal_not_h: tuple[float, ...]
    log_bf_at_choice: float
    log_marginal_h_at_choice: float
    log_marginal_not_h_at_choice: float
    crossings_at_choice: tuple[float, ...]
    not_h_nodes: tuple[tuple[float, float], ...]  # (ln mean, ln P(D | not H at that mean)): the spline's nodes
    neutral_line: tuple[dict, ...]  # {"h_mean", "not_h_mean", "branch"}
    quadrature_rel_error: float

    @property
    def log10_bf(self) -> np.ndarray:
        return self.log_bf / LN10

    def _favours_not_h(self, lo: float, hi: float) -> bool:
        """Whether the data favour not H between two consecutive crossings, H at the user's mean (spline midpoint)."""
        x, y = zip(*self.not_h_nodes, strict=True)
        spline = _spline(np.array(x), np.array(y))
        return float(spline(0.5 * (math.log(lo) + math.log(hi)))) > self.log_marginal_h_at_choice

    def sentence(self) -> str:
        """What the neutral line means at the user's H prediction, in one sentence."""
        h = reading_for("if_h", self.rate_if_h)
        nh_axis = "rate" if isinstance(self.rate_if_not_h, PointRate) else "mean rate"
        what = f"a {nh_axis}" + ("" if isinstance(self.rate_if_not_h, PointRate) else
                                 f" (at its spread, a + b = {self.rate_if_not_h.concentration:g})")  # fmt: skip
        head = f"With H predicting {format_proportion(self.rate_if_h.mean)} ('{h.name}'), these data favour not H only if not H predicts {what}"
        lo, hi = self.not_h_means[0], self.not_h_means[-1]
        cuts = self.crossings_at_choice
        bands = list(zip((lo, *cuts), (*cuts, hi), strict=True))
        against = [(a, b) for a, b in bands if self._favours_not_h(a, b)]
        if not against:
            return (f"With H predicting {format_proportion(self.rate_if_h.mean)} ('{h.name}'), these data favour H whatever not H "
                    f"predicts on the map ({format_proportion(lo)} to {format_proportion(hi)}).")  # fmt: skip
        if len(against) == len(bands):
            return (f"With H predicting {format_proportion(self.rate_if_h.mean)} ('{h.name}'), these data favour not H whatever "
                    f"not H predicts on the map ({format_proportion(lo)} to {format_proportion(hi)}).")  # fmt: skip
        parts = []
        for a, b in against:
            if a == lo:
                parts.append(f"below {format_proportion(b)} (down to the map's edge, {format_proportion(lo)})")
            elif b == hi:
                parts.append(f"above {format_proportion(a)} (up to the map's edge, {format_proportion(hi)})")
            else:
                parts.append(f"between {format_proportion(a)} and {format_proportion(b)}")
        return f"{head} {' or '.join(parts)}; at every other not-H mean on the map they favour H."

    def rows(self) -> list[dict]:
        return [
            {"h_mean_rate": hm, "not_h_mean_rate": nm, "log10_bf": float(self.log10_bf[i, j])}
            for i, hm in enumerate(self.h_means)
            for j, nm in enumerate(self.not_h_means)
        ]

    def to_dict(self) -> dict:
        def conc(prior):
            return None if isinstance(prior, PointRate) else prior.concentration

        return {
            "h_mean": list(self.h_means),
            "not_h_mean": list(self.not_h_means),
            "log10_bayes_factor": self.log10_bf.tolist(),
            "h_concentration": conc(self.rate_if_h),
            "not_h_concentration": conc(self.rate_if_not_h),
            "pooling": self.pooling,
            "choice": {
                "h_mean": self.rate_if_h.mean,
                "not_h_mean": self.rate_if_not_h.mean,
                "log10_bayes_factor": self.log_bf_at_choice / LN10,
            },
            "neutral_at_choice": list(self.crossings_at_choice),
            "neutral_line": [dict(p) for p in self.neutral_line],
            "sentence": self.sentence(),
            "quadrature_rel_error": self.quadrature_rel_error,
        }


def _at_mean(prior: RatePrior, mean: float) -> RatePrior:
    """The same prediction moved to ``mean``: a Beta keeps its concentration, a point stays a point."""
    if isinstance(prior, PointRate):
        return PointRate(mean)
    return BetaDist.from_mean_concentration(mean, prior.concentration)


def _axis(prior: RatePrior, size: int, pooling: str, observed: float = 0.0) -> np.ndarray:
    """Geometric means from 0.1% to 50%, widened to the user's mean and, for data with a high pooled rate
    ``observed``, up to a third of the way from it to 1 (the map must show where the data lie); with partial
    pooling no lower than the cubature's smallest Beta parameter allows at this concentration."""
    lo, hi = MEAN_RANGE
    if observed > 0.25:
        hi = max(hi, min(1.0 - (1.0 - observed) / 3.0, 1.0 - lo))  # never 1: a mean is strictly inside (0, 1)
    if pooling == "partial" and isinstance(prior, BetaDist):
        lo = max(lo, _MIN_PARAMETER / prior.concentration)
        hi = min(hi, 1.0 - _MIN_PARAMETER / prior.concentration)
        if lo >= hi:
            raise InputError(
                "rate prior", f"Beta({prior.alpha:g}, {prior.beta:g})",
                f"a spread a + b of at least {4 * _MIN_PARAMETER:g} for the partial-pooling map (the cubature "
                f"needs both Beta parameters >= {_MIN_PARAMETER:g} at every mean drawn)",
            )  # fmt: skip
    return np.geomspace(min(lo, prior.mean), max(hi, prior.mean), size)


def _spline(log_means: np.ndarray, values: np.ndarray):
    """The cubic spline through (ln m, value), nodes sorted and each taken once."""
    from scipy.interpolate import CubicSpline

    order = np.argsort(log_means)
    x, y = np.asarray(log_means)[order], np.asarray(values)[order]
    keep = np.concatenate([[True], np.diff(x) > 0])
    if keep.sum() < 2:  # one mean only: a constant, which crosses no level
        return CubicSpline([x[0] - 1.0, x[0] + 1.0], [y[0], y[0]])
    return CubicSpline(x[keep], y[keep])


def _given_means(values, field: str) -> np.ndarray:
    raw = list(values) if isinstance(values, (list, tuple, np.ndarray)) else [values]
    if not raw:
        raise InputError(field, values, "a non-empty list of prior mean rates in (0, 1)")
    out = []
    for i, v in enumerate(raw):
        x = as_probability(v, f"{field}[{i}]")
        if not 0.0 < x < 1.0:
            raise InputError(f"{field}[{i}]", v, "a prior mean rate strictly between 0 and 1")
        out.append(x)
    return np.asarray(sorted(out), dtype=float)


def _crossings(spline, level: float) -> list[float]:
    """Means (not logs) where ``spline`` equals ``level``, inside its nodes."""
    x = spline.x
    roots = spline.solve(level, extrapolate=False)
    return sorted({float(math.exp(r)) for r in roots if x[0] <= r <= x[-1]})


def bayes_factor_map(
    k, n, rate_if_h, rate_if_not_h, *, pooling: str = "partial", kappa: KappaPrior | None = None,
    grid: object = DEFAULT_GRID, grid_field: str = "grid", h_means=None, not_h_means=None,
) -> BayesFactorMap:  # fmt: skip
    """The Bayes factor of counts ``k`` of ``n`` over a grid of the two hypotheses' mean predictions.

    Parameters
    ----------
    rate_if_h, rate_if_not_h : BetaDist, PointRate, (a, b), "a,b" or "point:P"
        Each hypothesis's reading: the map moves its mean and keeps its spread.
    pooling : {"partial", "none"}
        The model, as for the plain Bayes factor; ``kappa`` the spread prior (both hypotheses).
    grid : int
        Means per axis (2 to 101).
    h_means, not_h_means : sequence of float, optional
        The means of an axis, instead of the default grid (each strictly between 0 and 1).
    """
    if pooling not in POOLINGS:
        raise InputError("pooling", pooling, "'none' or 'partial'")
    k_arr, n_arr = check_counts(k, n)
    bh = parse_rate_prior(rate_if_h, "rate_if_h")
    bn = parse_rate_prior(rate_if_not_h, "rate_if_not_h")
    size = as_count(grid, grid_field, minimum=2, maximum=MAX_GRID)
    from beliefs.partial_pooling import KappaPrior

    kappa = kappa or KappaPrior()
    observed = float(k_arr.sum()) / float(n_arr.sum()) if n_arr.sum() else 0.0
    hm = _axis(bh, size, pooling, observed) if h_means is None else _given_means(h_means, "h_means")
    nm = _axis(bn, size, pooling, observed) if not_h_means is None else _given_means(not_h_means, "not_h_means")

    def marginal(prior, field):
        return log_marginal(k_arr, n_arr, prior, pooling, kappa, field=field)

    lm_h = [marginal(_at_mean(bh, m), "rate_if_h") for m in hm]
    lm_nh = [marginal(_at_mean(bn, m), "rate_if_not_h") for m in nm]
    choice_h, choice_nh = marginal(bh, "rate_if_h"), marginal(bn, "rate_if_not_h")
    err = max(e for _, e in (*lm_h, *lm_nh, choice_h, choice_nh))
    a = np.array([v for v, _ in lm_h])
    b = np.array([v for v, _ in lm_nh])
    if pooling == "partial":
        log_bf = a[:, None] - b[None, :]
        at_choice = choice_h[0] - choice_nh[0]
    else:  # the closed form per cell, as the plain command computes it (no two O(n) marginals subtracted)
        log_bf = _no_pooling_cells(k_arr, n_arr, [_at_mean(bh, x) for x in hm], [_at_mean(bn, y) for y in nm])
        at_choice = no_pooling_log_bf(k_arr, n_arr, bh, bn)
    # The neutral line: ln P(D | m_H) = ln P(D | m_notH), each side a spline in ln m (the user's means as nodes).
    b_x, b_y = [*np.log(nm).tolist(), math.log(bn.mean)], [*b.tolist(), choice_nh[0]]
    b_spline = _spline(np.array(b_x), np.array(b_y))
    # The crossings at the user's H mean (the sentence) are polished: each root's exact marginal joins the
    # nodes and the roots are found again (like a secant step; two rounds take 0.2% to below 1e-5 here).
    for _ in range(_POLISH):
        roots = _crossings(b_spline, choice_h[0])
        new = [r for r in roots if min(abs(math.log(r) - x) for x in b_x) > 1e-9]
        if not new:
            break
        for r in new:
            b_x.append(math.log(r))
            b_y.append(marginal(_at_mean(bn, r), "rate_if_not_h")[0])
        b_spline = _spline(np.array(b_x), np.array(b_y))
    a_spline = _spline(np.log(np.append(hm, bh.mean)), np.append(a, choice_h[0]))
    line = [
        {"h_mean": float(math.exp(x)), "not_h_mean": m, "branch": branch}
        for x in np.linspace(math.log(min(hm[0], bh.mean)), math.log(max(hm[-1], bh.mean)), 4 * size)
        for branch, m in enumerate(_crossings(b_spline, float(a_spline(x))))
    ]
    return BayesFactorMap(
        k=tuple(k_arr.tolist()), n=tuple(n_arr.tolist()), pooling=pooling, rate_if_h=bh, rate_if_not_h=bn,
        h_means=tuple(hm.tolist()), not_h_means=tuple(nm.tolist()), log_bf=log_bf,
        log_marginal_h=tuple(a.tolist()), log_marginal_not_h=tuple(b.tolist()), log_bf_at_choice=at_choice,
        log_marginal_h_at_choice=choice_h[0], log_marginal_not_h_at_choice=choice_nh[0],
        crossings_at_choice=tuple(_crossings(b_spline, choice_h[0])), neutral_line=tuple(line),
        not_h_nodes=tuple(zip(b_x, b_y, strict=True)),
        quadrature_rel_error=err,
    )  # fmt: skip


def _no_pooling_cells(k_arr, n_arr, rows: list, columns: list) -> np.ndarray:
    """Each cell's no-pooling log BF.  Between two Betas the factor is the ``fsum`` of one side's terms and
    the other's negated (:func:`beliefs.special.beta_binomial_terms`), so each side's terms are computed once
    and every cell is the plain command's value bit for bit; with a point, cell by cell."""
    from beliefs.special import beta_binomial_terms

    if any(isinstance(p, PointRate) for p in (*rows[:1], *columns[:1])):
        return np.array([[no_pooling_log_bf(k_arr, n_arr, x, y) for y in columns] for x in rows])
    k, n = k_arr.tolist(), n_arr.tolist()
    row_terms = [beta_binomial_terms(k, n, (x.alpha, x.beta)) for x in rows]
    col_terms = [[-t for t in beta_binomial_terms(k, n, (y.alpha, y.beta))] for y in columns]
    return np.array([[math.fsum(r + c) for c in col_terms] for r in row_terms])


def _cell_edges(centres) -> list[float]:
    """Edges of the cells around sorted, positive, log-spaced ``centres``: geometric midpoints, and
    half a step beyond each end (each value fills the cell nearest to it on a log axis).

    >>> [round(e, 6) for e in _cell_edges([0.01, 0.1, 1.0])]
    [0.003162, 0.031623, 0.316228, 3.162278]
    """
    c = [float(v) for v in centres]
    if len(c) == 1:
        return [c[0] / math.sqrt(10), c[0] * math.sqrt(10)]
    mids = [math.sqrt(a * b) for a, b in itertools.pairwise(c)]
    return [c[0] ** 2 / mids[0], *mids, c[-1] ** 2 / mids[-1]]


MAP_HEIGHT = 320  # px of plot: the map is its page's main figure
SCHEME = "purpleorange"  # purple (against H) -> white -> orange (for H): the palette's AGAINST_H and FOR_H ends
_SATURATE = 10.0  # |log10 BF| beyond which the colour stops changing (the value is in the tooltip and the CSV)
_AXIS_CHARS = (46, 34)  # an axis title wraps here (x, y): both fit a phone's plot at 12 px
def plot_bayes_factor_map(result: BayesFactorMap, *, prior: float | None = None) -> dict:
    """The map as a Vega-Lite spec: the one chart of it, on the data page, in Analysis, on the command line
    and in every file.

    Colour is log10 BF (purple for not H, white neutral, orange for H, saturating at a factor of 1e10
    either way); given ``prior``, each cell's P(H | data) (through :func:`beliefs.update.update_by_log_bf`)
    is in its tooltip and the subtitle.  The dashed line is where the data are neutral
    (log BF = 0), the diamond the user's own pair of means.  Cells are listed not-H mean by not-H mean
    (H's mean varying fastest), as :attr:`beliefs.analysis.data_robustness.DataRobustness.log_bf` ravels.
    Built on :mod:`beliefs.plots.style` (its config, wrapped titles, :func:`~beliefs.plots.style.finish`).

    >>> from beliefs.evidence import BetaDist
    >>> m = bayes_factor_map([3, 1], [100, 100], BetaDist(1, 9), BetaDist(1, 99), pooling="none", grid=3)
    >>> spec = plot_bayes_factor_map(m)
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rect', 'line', 'point']
    """
    import altair as alt

    from beliefs.format import format_probability
    from beliefs.plots.style import finish, title, wrap
    from beliefs.update import update_by_log_bf

    h_edges, n_edges = _cell_edges(result.h_means), _cell_edges(result.not_h_means)
    cells = []
    for j, nm in enumerate(result.not_h_means):
        for i, hm in enumerate(result.h_means):
            log_bf = float(result.log_bf[i, j])
            cell = {"h_mean": hm, "not_h_mean": nm, "h_lo": h_edges[i], "h_hi": h_edges[i + 1],
                    "n_lo": n_edges[j], "n_hi": n_edges[j + 1], "log10_bf": log_bf / LN10,
                    "favours": "H" if log_bf > 0 else "not H" if log_bf < 0 else "neither"}  # fmt: skip
            if prior is not None:  # every posterior through update(), kept in log-odds for its words
                updated = update_by_log_bf(prior, log_bf)
                cell["posterior"] = updated.posterior
                cell["posterior_text"] = format_probability(updated.posterior_log_odds)
            cell["value"] = cell["log10_bf"]
            cells.append(cell)
    reach = min(max((abs(c["value"]) for c in cells), default=1.0) or 1.0, _SATURATE)
    legend, domain, middle = "log10 BF (H : not H)", [-reach, reach], 0.0
    h_kind = "point rate" if isinstance(result.rate_if_h, PointRate) else "mean rate"
    n_kind = "point rate" if isinstance(result.rate_if_not_h, PointRate) else "mean rate"
    x_title = f"not H's {n_kind} ({rate_prior_text(result.rate_if_not_h)} at its spread)"
    y_title = f"H's {h_kind} ({rate_prior_text(result.rate_if_h)} at its spread)"
    xs = alt.Scale(type="log", domain=[n_edges[0], n_edges[-1]], nice=False)
    ys = alt.Scale(type="log", domain=[h_edges[0], h_edges[-1]], nice=False)
    tooltip = [alt.Tooltip("h_mean:Q", title="H mean", format=".3~%"),
               alt.Tooltip("not_h_mean:Q", title="not-H mean", format=".3~%"),
               alt.Tooltip("log10_bf:Q", title="log10 BF", format="+.3f")]  # fmt: skip
    if prior is not None:
        tooltip.append(alt.Tooltip("posterior_text:N", title="P(H | data)"))
    at_choice = result.log_bf_at_choice
    choice = {"h_mean": result.rate_if_h.mean, "not_h_mean": result.rate_if_not_h.mean, "log10_bf": at_choice / LN10}
    said = f"log10 BF {at_choice / LN10:+.3f}"
    if prior is not None:
        chosen = update_by_log_bf(prior, at_choice)
        choice["posterior_text"] = format_probability(chosen.posterior_log_odds)
        # From the log-odds: a posterior of 1 - 1e-20 is 1.0 as a float, which would read "100% (certain)".
        said += f", P(H | data) {choice['posterior_text']}"
    layers = [
        alt.Chart(alt.NamedData("cells")).mark_rect().encode(
            x=alt.X("n_lo:Q", scale=xs, axis=alt.Axis(format=".2~%", title=wrap(x_title, _AXIS_CHARS[0], 2))),
            x2="n_hi:Q",
            y=alt.Y("h_lo:Q", scale=ys, axis=alt.Axis(format=".2~%", title=wrap(y_title, _AXIS_CHARS[1], 2))),
            y2="h_hi:Q",
            color=alt.Color("value:Q", scale=alt.Scale(scheme=SCHEME, domain=domain, domainMid=middle, clamp=True),
                            legend=alt.Legend(title=legend, direction="horizontal", gradientLength=180)),
            tooltip=[*tooltip, alt.Tooltip("favours:N", title="favours")],
        ),
        # The neutral line: its two branches (a U-shaped level set) drawn apart, each in order of H's mean.
        alt.Chart(alt.NamedData("neutral")).mark_line(color=INK, strokeWidth=2, strokeDash=[6, 3]).encode(
            x=alt.X("not_h_mean:Q", scale=xs), y=alt.Y("h_mean:Q", scale=ys),
            detail="branch:N", order="h_mean:Q",
        ),
        alt.Chart(alt.NamedData("choice")).mark_point(
            shape="diamond", size=200, filled=True, opacity=1, color=INK, stroke="white", strokeWidth=1.5
        ).encode(x=alt.X("not_h_mean:Q", scale=xs), y=alt.Y("h_mean:Q", scale=ys), tooltip=tooltip),
    ]  # fmt: skip
    heading = f"log10 Bayes factor (H : not H), {_POOLING_TITLE[result.pooling]}"
    # In words, not a ◆ glyph: a glyph outside the chart font brings a second font into the PDF.
    subtitle = f"dashed line: the data are neutral (Bayes factor 1); the diamond: your choice, {said}"
    # The subtitle wraps narrower than the style's: its numbers are wide glyphs, and a file is 320 px at its narrowest.
    chart = alt.layer(*layers).properties(title={**title(heading), "subtitle": wrap(subtitle, 46, 4)}, height=MAP_HEIGHT)
    data = {"cells": cells, "neutral": [dict(p) for p in result.neutral_line], "choice": [choice]}
    return finish(chart, name="Bayes factor map", data=data)
