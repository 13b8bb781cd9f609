r"""The update's own charts: the log-odds waterfall (Vega-Lite) and prior vs posterior (matplotlib).

The waterfall shows the odds form of Bayes' rule additively, in bits:

.. math::

    \log_2 O(H\mid E_{1..k}) = \log_2 O(H) + \sum_{i=1}^{k} w_i \log_2 \mathrm{LR}_i ,

one bar per term, each starting where the previous one ended.
:func:`waterfall_spec` is the one definition of that chart: the app draws it,
its downloads and the HTML report render it with
:func:`beliefs.plots.figures.spec_bytes`.  The ``*_rows`` functions return the
numbers each chart draws (header first), so a downloaded CSV
(:func:`beliefs.io.csvfile.to_csv`) holds exactly what the picture shows.
"""

from __future__ import annotations

import math

import numpy as np

from beliefs.format import format_odds, format_probability
from beliefs.odds import bits, probability
from beliefs.plots.axes import new_axes
from beliefs.plots.palette import AGAINST_H, BACKGROUND, FOR_H, LEVEL, NEUTRAL
from beliefs.update import UpdateResult

__all__ = ["plot_prior_posterior", "prior_posterior_rows", "waterfall_rows", "waterfall_spec"]


def waterfall_rows(result: UpdateResult) -> list[list]:
    """The waterfall's bars: step, label, start and end in bits, change in bits and dB, P(H) after.

    >>> from beliefs.update import update
    >>> rows = waterfall_rows(update(0.5, [3.0]))
    >>> rows[0][:4], [round(x, 4) for x in rows[2][2:5]]
    (['step', 'label', 'start_bits', 'end_bits'], [0.0, 1.585, 1.585])
    """
    header = ["step", "label", "start_bits", "end_bits", "change_bits", "change_db", "probability_after"]
    rows: list[list] = [header]
    prior_bits = bits(result.prior_log_odds)
    rows.append(
        [
            "prior",
            "prior",
            0.0,
            prior_bits,
            prior_bits,
            10 * result.prior_log_odds / math.log(10),
            result.prior,
        ]
    )
    if not result.certain:
        path = result.log_odds_path
        for i, c in enumerate(result.items, start=1):
            start, level = path[i - 1], path[i]
            rows.append(
                [f"item {i}", c.label, bits(start), bits(level), c.bits, c.decibels, probability(level)]
            )
    post_bits = bits(result.posterior_log_odds)
    rows.append(
        [
            "posterior",
            "posterior",
            0.0,
            post_bits,
            post_bits,
            10 * result.posterior_log_odds / math.log(10),
            result.posterior,
        ]
    )
    return rows


_TICK_PROBABILITIES = (
    1e-9, 1e-6, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1 - 1e-4, 1 - 1e-6, 1 - 1e-9,
)  # fmt: skip
_FINE_TICKS = (0.2, 0.3, 0.4, 0.45, 0.55, 0.6, 0.7, 0.8)
# Percent tick labels from a tick's log-odds in bits; near 1 as "100% − x%" so 99.99999% does not read "100%".
_PERCENT_LABEL = (
    "datum.value > 13 ? '100% − ' + format(100 / (1 + pow(2, datum.value)), '.2~g') + '%'"
    " : format(100 / (1 + pow(2, -datum.value)), '.3~g') + '%'"
)
_ROW_HEIGHT = 24  # px per bar: 20 items stay readable, on a phone too (labels are cut, never overlap)


def _bits_ticks(lo: float, hi: float) -> list[float]:
    """Tick positions (bits) at round probabilities inside [lo, hi]; finer ones, then even bits, when too few fit.

    >>> [round(100 / (1 + 2 ** -t)) for t in _bits_ticks(-1.8, 0.5)]
    [25, 30, 40, 45, 50, 55]
    """
    for probabilities in (_TICK_PROBABILITIES, _TICK_PROBABILITIES + _FINE_TICKS):
        inside = sorted(t for t in (bits(math.log(p / (1 - p))) for p in probabilities) if lo <= t <= hi)
        if len(inside) >= 3:
            return inside
    magnitude = 10 ** math.floor(math.log10(max(hi - lo, 1e-9) / 4))
    step = min((m * magnitude for m in (1, 2, 5, 10)), key=lambda x: abs((hi - lo) / x - 5))
    return [k * step for k in range(math.ceil(lo / step), math.floor(hi / step) + 1)]


def waterfall_spec(result: UpdateResult, *, width: int | None = None) -> dict | None:
    r"""The waterfall as a Vega-Lite spec: the one chart definition for the screen and every download.

    One horizontal bar per item from the log-odds before it to the log-odds
    after it, on a log-odds axis labelled in percent (P(H)); the prior and the
    posterior are diamonds at their level, so a 50% posterior (0 bits) is as
    visible as any other.  Colours from :mod:`beliefs.plots.palette`.  ``width``
    fixes the plot width in pixels (files); without it the app stretches it to
    the page.  ``None`` for a certain prior (infinite log-odds have no place on
    the axis).

    >>> from beliefs.update import update
    >>> spec = waterfall_spec(update(0.5, [3.0]))
    >>> [(v["name"], round(v["start_bits"], 3), round(v["end_bits"], 3)) for v in spec["layer"][0]["data"]["values"]]
    [('prior', 0.0, 0.0), ('LR 3', 0.0, 1.585), ('posterior', 1.585, 1.585)]
    """
    if result.certain:
        return None
    header, *body = waterfall_rows(result)
    values = []
    for order, row in enumerate(body):
        v = dict(zip(header, row, strict=True))
        level = v["step"] in ("prior", "posterior")
        v["order"] = order
        v["kind"] = "prior / posterior" if level else ("for H" if v["change_bits"] >= 0 else "against H")
        v["name"] = v["step"] if level else v["label"]
        if level:  # a level is a point: start = end (the rows' start_bits 0 is the axis origin)
            v["start_bits"] = v["end_bits"]
        # Unique and ordered, so two items with the same label keep their own rows.
        v["bar"] = v["name"] if level else f"{order}. {v['name'][:40]}"
        after = format_probability(math.log(2) * v["end_bits"])
        v["text"] = f"{v['name']} {after}" if level else f"{v['change_bits']:+.2f} → {after}"
        v["probability_text"] = after
        v["text_x"] = max(v["start_bits"], v["end_bits"])
        values.append(v)
    lo = min(min(v["start_bits"], v["end_bits"]) for v in values)
    hi = max(max(v["start_bits"], v["end_bits"]) for v in values)
    span = max(hi - lo, 2.0)
    domain = [lo - 0.08 * span, hi + 0.6 * span]  # room on the right for the labels, on a phone too
    post_bits = bits(result.posterior_log_odds)
    colour = {
        "field": "kind",
        "type": "nominal",
        "title": None,
        "scale": {"domain": ["for H", "against H", "prior / posterior"], "range": [FOR_H, AGAINST_H, LEVEL]},
        "legend": {"orient": "bottom"},
    }
    y = {
        "field": "bar",
        "type": "ordinal",
        "sort": {"field": "order"},
        "axis": {"title": None, "labelLimit": 110},
    }
    x_scale = {"domain": domain, "nice": False, "zero": False}
    tooltip = [
        {"field": "name", "title": "row"},
        {"field": "change_bits", "title": "bits", "format": "+.3f"},
        {"field": "change_db", "title": "dB", "format": "+.2f"},
        {"field": "probability_text", "title": "P(H) after"},
    ]
    layers = [
        {
            "mark": {"type": "rule", "strokeDash": [4, 3], "color": LEVEL},
            "encoding": {"x": {"datum": post_bits, "type": "quantitative", "scale": x_scale}, "y": None},
        },
        {
            "transform": [{"filter": "datum.kind != 'prior / posterior'"}],
            "mark": {"type": "bar", "height": {"band": 0.7}},
            "encoding": {
                "x": {
                    "field": "start_bits",
                    "type": "quantitative",
                    "scale": x_scale,
                    "title": "P(H), log-odds scale; labels: bits → P(H) after",
                    "axis": {"values": _bits_ticks(*domain), "labelExpr": _PERCENT_LABEL, "grid": True},
                },
                "x2": {"field": "end_bits"},
                "color": colour,
                "tooltip": tooltip,
            },
        },
        {
            "transform": [{"filter": "datum.kind == 'prior / posterior'"}],
            "mark": {"type": "point", "shape": "diamond", "size": 160, "filled": True},
            "encoding": {
                "x": {"field": "end_bits", "type": "quantitative", "scale": x_scale},
                "color": colour,
                "tooltip": tooltip,
            },
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 11},
            "encoding": {
                "x": {"field": "text_x", "type": "quantitative", "scale": x_scale},
                "text": {"field": "text"},
            },
        },
    ]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": "Evidence ledger: P(H) on a log-odds scale", "anchor": "start", "fontSize": 13},
        "height": {"step": _ROW_HEIGHT},
        # The data sit in a layer, not at the top level: Streamlit sends top-level data as an Arrow table
        # built through pandas, whose import cost the app's first page 0.3 s (bench app_start), while a
        # layer's inline values go to the browser as they are.  Vega-Lite draws the same chart.
        "layer": [{"data": {"values": values}, "encoding": {"y": y}, "layer": layers}],
        "config": {"font": "sans-serif", "axis": {"labelFontSize": 11}},
    }
    if width is not None:
        spec["width"] = width
    return spec


def prior_posterior_rows(result: UpdateResult) -> list[list]:
    """Prior and posterior as probability, odds, bits and dB.

    >>> from beliefs.update import update
    >>> stage, p, odds = prior_posterior_rows(update(0.25, [3.0]))[2][:3]
    >>> stage, round(p, 12), odds
    ('posterior', 0.5, '1:1')
    """
    header = ["stage", "probability", "odds", "log_odds_bits", "log_odds_db"]
    rows: list[list] = [header]
    for stage, p, lam in (
        ("prior", result.prior, result.prior_log_odds),
        ("posterior", result.posterior, result.posterior_log_odds),
    ):
        rows.append([stage, p, format_odds(lam), bits(lam), 10 * lam / math.log(10)])
    return rows


def plot_prior_posterior(result: UpdateResult, ax=None):
    """Two horizontal bars: P(H) before and after the evidence, with the odds written on each.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_axes(ax, figsize=(7.0, 2.0))
    rows = prior_posterior_rows(result)[1:]
    probs = [r[1] for r in rows]
    y = np.arange(len(rows))[::-1]
    # The posterior takes the colour of the net evidence, as the waterfall's bars do (light enough
    # for the black text on it).
    moved = 0.0 if result.certain else result.posterior_log_odds - result.prior_log_odds
    after = FOR_H if moved > 0 else AGAINST_H if moved < 0 else LEVEL
    ax.barh(y, probs, color=[NEUTRAL, after], alpha=0.6, height=0.6)
    ax.barh(y, [1 - p for p in probs], left=probs, color=BACKGROUND, height=0.6)
    levels = (result.prior_log_odds, result.posterior_log_odds)
    for yi, r, lam in zip(y, rows, levels, strict=True):
        # From the log-odds: 1 - 1e-12 reads "100% - 1e-10%", never a rounded "100%".
        ax.text(0.01, yi, f"{format_probability(lam)}  (odds {r[2]})", va="center", fontsize=9, color="black")
    ax.set_yticks(y, [r[0] for r in rows])
    ax.set_xlim(0, 1)
    ax.set_xlabel("P(H)")
    ax.set_title("Prior and posterior")
    return fig
