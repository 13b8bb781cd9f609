"""A generic curve with an optional credible band: chain-of-successors and monitoring curves.

:func:`curve_rows` gives the numbers (header first, for the CSV download) and
:func:`plot_curve` draws them; matplotlib is imported inside, through
:func:`beliefs.plots.axes.new_axes`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from beliefs.errors import InputError
from beliefs.plots.axes import new_axes
from beliefs.plots.palette import ESTIMATE

__all__ = ["curve_rows", "plot_curve"]


def curve_rows(
    x, y, lower=None, upper=None, *, names: Sequence[str] = ("x", "y", "lower", "upper")
) -> list[list]:
    """Rows of a curve with optional band: ``x, y[, lower, upper]``."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    cols = [x, y]
    header = list(names[:2])
    if lower is not None and upper is not None:
        cols += [np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)]
        header += list(names[2:4])
    if any(c.shape != x.shape for c in cols):
        raise InputError("curve", [c.shape for c in cols], "columns of equal length")
    return [header] + [[float(v) for v in row] for row in zip(*cols, strict=True)]


def plot_curve(
    x,
    y,
    lower=None,
    upper=None,
    ax=None,
    *,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    label: str = "",
    band_label: str = "",
    log_x: bool = False,
):
    """A line with an optional shaded band (a credible interval), on a new or given axes.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_axes(ax, figsize=(7.0, 3.6))
    x = np.asarray(x, dtype=float)
    if lower is not None and upper is not None:
        ax.fill_between(x, lower, upper, color=ESTIMATE, alpha=0.18, label=band_label or None, linewidth=0)
    ax.plot(x, y, color=ESTIMATE, linewidth=1.8, label=label or None)
    if log_x:
        ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if label or band_label:
        ax.legend(fontsize=8)
    return fig
