"""A generic curve with an optional credible band: chain-of-successors and monitoring curves.

:func:`curve_rows` gives the numbers (header first, for the CSV download) and
:func:`plot_curve` draws them (a Vega-Lite spec built with Altair, imported inside).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from beliefs.errors import InputError
from beliefs.plots.palette import BAND, ESTIMATE
from beliefs.plots.style import PLOT_HEIGHT, colour, finish, wrap
from beliefs.plots.style import title as chart_title

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
    *,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    label: str = "",
    band_label: str = "",
    log_x: bool = False,
) -> dict:
    """A probability against ``x`` (0 to 1, in percent) with an optional shaded band (a credible interval).

    A band of no width anywhere (a point estimate) is left out.
    ``log_x`` puts ``x`` on a logarithmic scale, where ``x = 0`` has no place: that point is left
    out of the picture (the CSV keeps it).

    Returns
    -------
    dict
        The Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    import altair as alt

    rows = curve_rows(x, y, lower, upper, names=("x", "y", "lower", "upper"))
    # A band of no width (a point estimate: lower = upper = y) is not drawn, nor named in the legend.
    banded = lower is not None and upper is not None and any(r[2] != r[3] for r in rows[1:])
    header, body = rows[0], rows[1:]
    values = [dict(zip(header, r, strict=True)) for r in body if not (log_x and r[0] <= 0)]
    line_name = label or ylabel or "value"
    series = {line_name: ESTIMATE}
    if banded:
        series[band_label or "interval"] = BAND
    colours = colour(series)
    base = alt.Chart(alt.NamedData("curve"))
    x_enc = alt.X("x:Q", title=wrap(xlabel, 60, 2), scale=alt.Scale(type="log") if log_x else alt.Undefined)
    y_scale = alt.Scale(domain=[0, 1])
    layers = []
    if banded:
        layers.append(
            base.mark_area(opacity=0.8).encode(
                x=x_enc, y=alt.Y("lower:Q", scale=y_scale), y2="upper:Q",
                color=alt.ColorDatum(band_label or "interval", type="nominal"),
            )
        )  # fmt: skip
    layers.append(
        base.mark_line(strokeWidth=2).encode(
            x=x_enc,
            y=alt.Y("y:Q", scale=y_scale, axis=alt.Axis(format="%", title=wrap(ylabel, 60, 2))),
            color=alt.ColorDatum(line_name, type="nominal"),
            tooltip=[alt.Tooltip("x:Q", title=xlabel or "x", format=",.6~g"), alt.Tooltip("y:Q", title=ylabel or "y", format=".4~%")],
        )
    )
    chart = alt.layer(*layers).encode(color=alt.Color(**colours)).properties(
        title=chart_title(title), height=PLOT_HEIGHT
    )
    return finish(chart, name=title or "curve", data={"curve": values})
