"""A heat map over two log-scaled axes (e.g. a Bayes factor over two hypotheses' prior mean rates).

One colour scheme for every heat map: Vega's ``purpleorange`` (the palette's
two ends, white at the middle), one gradient legend, a marked cell for the
user's own choice.  Altair is imported inside :func:`heat_map`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from beliefs.errors import InputError
from beliefs.plots.palette import INK
from beliefs.plots.style import PLOT_HEIGHT, finish, title, wrap

__all__ = ["SCHEME", "cell_edges", "heat_map"]

SCHEME = "purpleorange"  # purple (against H) -> white -> orange (for H), as the palette's FOR_H / AGAINST_H


def cell_edges(centres: Sequence[float]) -> list[float]:
    """Edges of the cells around sorted, positive, log-spaced ``centres``: geometric midpoints, and
    half a step beyond each end (each value fills the cell nearest to it on a log axis).

    >>> [round(e, 6) for e in cell_edges([0.01, 0.1, 1.0])]
    [0.003162, 0.031623, 0.316228, 3.162278]
    """
    c = [float(v) for v in centres]
    if not c or any(not (v > 0 and math.isfinite(v)) for v in c) or c != sorted(c):
        raise InputError("centres", centres, "sorted positive numbers")
    if len(c) == 1:
        return [c[0] / math.sqrt(10), c[0] * math.sqrt(10)]
    mids = [math.sqrt(a * b) for a, b in itertools.pairwise(c)]
    return [c[0] ** 2 / mids[0], *mids, c[-1] ** 2 / mids[-1]]


def heat_map(
    x: Sequence[float],
    y: Sequence[float],
    z: Sequence[Sequence[float]],
    *,
    x_title: str,
    y_title: str,
    value_title: str,
    domain: tuple[float, float],
    chart_title: str,
    subtitle: str = "",
    marker: tuple[float, float, str] | None = None,
    value_format: str = ".3~g",
    value_text: Sequence[Sequence[str]] | None = None,
    axis_format: str = "~%",
) -> dict:
    """``z[j][i]`` at ``(x[i], y[j])`` as coloured cells on log axes, with a gradient legend over ``domain``.

    ``marker``: ``(x, y, legend text)`` of a point to mark (the user's choice), with its own legend entry.
    ``value_text``: ``z``'s values as the library's formatters write them (``value_text[j][i]``), shown in
    the tooltip instead of ``value_format`` (a probability as :func:`beliefs.format.format_probability`
    writes it everywhere else, not as d3 rounds it).
    Returns the Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    import altair as alt

    xe, ye = cell_edges(x), cell_edges(y)
    cells = [
        {"x0": xe[i], "x1": xe[i + 1], "y0": ye[j], "y1": ye[j + 1], "x": float(x[i]), "y": float(y[j]), "value": float(z[j][i]),
         **({} if value_text is None else {"text": value_text[j][i]})}
        for j in range(len(y))
        for i in range(len(x))
    ]  # fmt: skip
    xs = alt.Scale(type="log", domain=[xe[0], xe[-1]], nice=False)
    ys = alt.Scale(type="log", domain=[ye[0], ye[-1]], nice=False)
    layers = [
        alt.Chart(alt.NamedData("cells")).mark_rect().encode(
            x=alt.X("x0:Q", scale=xs, axis=alt.Axis(format=axis_format, title=wrap(x_title, 58, 2))),
            x2="x1:Q",
            y=alt.Y("y0:Q", scale=ys, axis=alt.Axis(format=axis_format, title=wrap(y_title, 40, 2))),
            y2="y1:Q",
            color=alt.Color("value:Q", scale=alt.Scale(scheme=SCHEME, domain=list(domain)),
                            legend=alt.Legend(title=value_title, direction="horizontal", gradientLength=180)),
            tooltip=[alt.Tooltip("x:Q", format=".4~g", title=x_title), alt.Tooltip("y:Q", format=".4~g", title=y_title),
                     alt.Tooltip("value:Q", format=value_format, title=value_title) if value_text is None
                     else alt.Tooltip("text:N", title=value_title)],
        )
    ]  # fmt: skip
    if marker is not None:
        name = marker[2]
        layers.append(
            alt.Chart(alt.NamedData("marker")).mark_point(
                shape="diamond", size=180, filled=True, opacity=1, stroke="white", strokeWidth=1.5
            ).encode(
                x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys), color=alt.ColorValue(INK),
                shape=alt.Shape("marker:N", scale=alt.Scale(domain=[name], range=["diamond"]),
                                legend=alt.Legend(title=None, symbolFillColor=INK, symbolStrokeColor=INK)),
            )
        )  # fmt: skip
    chart = alt.layer(*layers).properties(title=title(chart_title, subtitle), height=PLOT_HEIGHT)
    marked = [] if marker is None else [{"x": marker[0], "y": marker[1], "marker": marker[2]}]
    return finish(chart, name=chart_title, data={"cells": cells, "marker": marked})
