r"""Beta densities of covert-action rates drawn as a chart (a stop on the way beside :mod:`beliefs.counts`).

``rate_density_rows`` returns the numbers ``plot_rate_densities`` draws (header
first), for the CSV download.
"""

from __future__ import annotations

import math

import numpy as np

from beliefs.errors import InputError
from beliefs.plots.axes import new_axes
from beliefs.plots.palette import AGAINST_H, FOR_H

__all__ = ["plot_rate_densities", "rate_density_rows"]


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
