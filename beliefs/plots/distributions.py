r"""Distributions drawn as charts: Monte Carlo posteriors of P(H) and Beta densities of covert-action rates.

Kept together here until each moves beside its concept (the posterior
distribution beside :mod:`beliefs.uncertain_evidence`, the rate densities beside
:mod:`beliefs.counts`).  Each ``*_rows`` function returns the numbers its
``plot_*`` draws (header first), for the CSV download.
"""

from __future__ import annotations

import math

import numpy as np

from beliefs.errors import InputError
from beliefs.format import format_interval, format_probability
from beliefs.odds import log_odds
from beliefs.plots.axes import new_axes
from beliefs.plots.palette import AGAINST_H, ESTIMATE, ESTIMATE_FILL, FOR_H, LEVEL

__all__ = ["distribution_rows", "plot_posterior_distribution", "plot_rate_densities", "rate_density_rows"]


def _percent(p: float) -> str:
    # The app's text for the same number (beside the chart), so the legend and the page agree.
    return format_probability(log_odds(p))


def _samples(samples) -> np.ndarray:
    arr = np.asarray(samples, dtype=float).ravel()
    if arr.size == 0:
        raise InputError("samples", "[]", "at least one posterior sample")
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise InputError("samples", "non-probabilities", "posterior probabilities in [0, 1]")
    return arr


def distribution_rows(samples, bins: int = 40) -> list[list]:
    r"""Histogram of posterior probabilities: bin edges, count and density.

    The density integrates to one over [0, 1]:
    :math:`\sum_j d_j (r_j - l_j) = 1`.

    >>> rows = distribution_rows([0.1, 0.2, 0.2, 0.9], bins=10)
    >>> rows[0], rows[2][2], rows[3][2]
    (['bin_left', 'bin_right', 'count', 'density'], 1, 2)
    """
    arr = _samples(samples)
    counts, edges = np.histogram(arr, bins=bins, range=(0.0, 1.0))
    width = np.diff(edges)
    density = counts / (arr.size * width)
    rows: list[list] = [["bin_left", "bin_right", "count", "density"]]
    for lo, hi, c, d in zip(edges[:-1], edges[1:], counts, density, strict=True):
        rows.append([float(lo), float(hi), int(c), float(d)])
    return rows


def plot_posterior_distribution(samples, ax=None, *, threshold: float | None = None, interval: float = 0.9):
    """Histogram of Monte Carlo posterior probabilities with the median, a central interval and a threshold.

    Parameters
    ----------
    samples : array-like of float, or a PosteriorDistribution
        Posterior probabilities P(H | E), one per draw of the uncertain inputs.
        An object with ``posterior``, ``median``, ``interval``,
        ``interval_mass``, ``threshold`` and ``p_above_threshold`` (such as
        :class:`beliefs.uncertain_evidence.PosteriorDistribution`) is drawn with its
        own summaries, so the plot shows the numbers printed beside it.
    threshold : float, optional
        Drawn as a dashed line and labelled with the fraction of samples above it.
    interval : float
        Mass of the shaded equal-tailed interval.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if hasattr(samples, "posterior") and hasattr(samples, "p_above_threshold"):
        arr = _samples(samples.posterior)
        med = samples.median
        lo, hi = samples.interval
        interval = samples.interval_mass
        threshold = samples.threshold if threshold is None else threshold
        above = (
            samples.p_above_threshold if threshold == samples.threshold else float(np.mean(arr > threshold))
        )
    else:
        arr = _samples(samples)
        tail = (1.0 - interval) / 2
        lo, med, hi = (float(v) for v in np.quantile(arr, [tail, 0.5, 1 - tail]))
        above = None if threshold is None else float(np.mean(arr > threshold))
    fig, ax = new_axes(ax, figsize=(7.0, 3.6))
    rows = distribution_rows(arr)[1:]
    left = np.array([r[0] for r in rows])
    width = np.array([r[1] - r[0] for r in rows])
    density = np.array([r[3] for r in rows])
    ax.bar(left, density, width=width, align="edge", color=ESTIMATE_FILL, edgecolor="white", linewidth=0.3)
    ax.axvspan(
        lo, hi, color=ESTIMATE, alpha=0.12, label=f"{100 * interval:g}% interval {format_interval(lo, hi)}"
    )
    ax.axvline(med, color=ESTIMATE, linewidth=1.5, label=f"median {_percent(med)}")
    if threshold is not None:
        ax.axvline(
            threshold, color=LEVEL, linestyle="--", linewidth=1, label=f"P(> {_percent(threshold)}) = {_percent(above)}"
        )
    ax.set_xlim(0, 1)
    ax.set_xlabel("posterior P(H)")
    ax.set_ylabel("density")
    ax.set_title("Posterior under uncertain evidence")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def rate_density_rows(curves: dict[str, tuple[float, float]], points: int = 300) -> list[list]:
    r"""Beta densities :math:`f(\theta; a, b)` of covert-action rates on a common grid, one column per curve.

    The grid runs from 0 to the largest 99.9% quantile among the curves, so a
    rate prior concentrated near 0.4% is not squashed against the axis.

    >>> rows = rate_density_rows({"uniform": (1.0, 1.0)}, points=3)
    >>> rows[0], [round(r[1], 12) for r in rows[1:]]
    (['rate', 'uniform'], [1.0, 1.0, 1.0])
    """
    from scipy import stats

    if not curves:
        raise InputError("curves", {}, "at least one Beta (a, b)")
    names = list(curves)
    params = []
    for name in names:
        a, b = curves[name]
        if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
            raise InputError(f"curves[{name!r}]", (a, b), "Beta parameters a, b > 0")
        params.append((float(a), float(b)))
    top = max(float(stats.beta.ppf(0.999, a, b)) for a, b in params)
    top = min(1.0, max(top, 1e-6))
    # Open at 0: a Beta with a < 1 has an infinite density there.
    x = (
        np.linspace(top / (2 * points), top, points)
        if any(a < 1 for a, _ in params)
        else np.linspace(0.0, top, points)
    )
    cols = [stats.beta.pdf(x, a, b) for a, b in params]
    rows: list[list] = [["rate", *names]]
    for i, xi in enumerate(x):
        rows.append([float(xi), *(float(c[i]) for c in cols)])
    return rows


def plot_rate_densities(
    curves: dict[str, tuple[float, float]], ax=None, *, title: str = "Covert-action rate"
):
    """Beta densities of the covert-action rate (priors dashed, posteriors solid when named so).

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = rate_density_rows(curves)
    fig, ax = new_axes(ax, figsize=(7.0, 3.6))
    x = np.array([r[0] for r in rows[1:]])
    for j, name in enumerate(rows[0][1:], start=1):
        y = np.array([r[j] for r in rows[1:]])
        style = "--" if "prior" in name else "-"
        colour = AGAINST_H if "not H" in name else FOR_H
        ax.plot(x, y, style, color=colour, linewidth=1.6, label=name)
    ax.set_xlabel("covert-action rate per rollout")
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.set_xlim(0, x[-1])
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    return fig
