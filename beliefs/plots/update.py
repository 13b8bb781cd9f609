r"""The update's own charts: the log-odds waterfall and prior vs posterior (Vega-Lite specs).

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

from beliefs.format import format_odds, format_probability
from beliefs.odds import LN2, bits, probability
from beliefs.plots.palette import AGAINST_H, BACKGROUND, FOR_H, LEVEL, NEUTRAL
from beliefs.plots.style import Rows, colour, finish, log_odds_domain, probability_axis, title, wrap
from beliefs.tables import one_line
from beliefs.update import UpdateResult

__all__ = [
    "plot_prior_posterior",
    "prior_posterior_rows",
    "waterfall_layout",
    "waterfall_rows",
    "waterfall_spec",
    "waterfall_values",
]


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


def waterfall_values(result: UpdateResult) -> list[dict]:
    """The waterfall's data: one row per bar (items) or diamond (prior, posterior), top to bottom.

    Each row: ``row`` (its place), ``step``, ``name``, ``kind`` ("for H", "against H",
    "prior / posterior"), ``start_bits`` and ``end_bits`` (log-odds before and after, in bits),
    ``change_bits``, ``change_db``, ``probability_text`` (P(H) after, as the page writes it),
    ``label`` (the row's label, wrapped into lines) and ``value`` (the text beside the bar).
    Everything else in the chart follows from these rows (:func:`waterfall_layout`), so a page
    that redraws the waterfall for other numbers needs only new rows.

    >>> from beliefs.update import update
    >>> [(v["name"], round(v["start_bits"], 3), round(v["end_bits"], 3), v["value"]) for v in waterfall_values(update(0.5, [3.0]))]
    [('prior', 0.0, 0.0, '50%'), ('LR 3', 0.0, 1.585, '+1.58 bits → 75%'), ('posterior', 1.585, 1.585, '75%')]
    """
    header, *body = waterfall_rows(result)
    values = []
    for order, row in enumerate(body):
        v = dict(zip(header, row, strict=True))
        level = v["step"] in ("prior", "posterior")
        after = format_probability(LN2 * v["end_bits"])
        values.append(
            {
                "row": order,
                "step": v["step"],
                "name": v["step"] if level else one_line(v["label"]),
                "kind": "prior / posterior" if level else ("for H" if v["change_bits"] >= 0 else "against H"),
                # A level is a point: start = end (the rows' start_bits 0 is the axis origin).
                "start_bits": v["end_bits"] if level else v["start_bits"],
                "end_bits": v["end_bits"],
                "change_bits": v["change_bits"],
                "change_db": v["change_db"],
                "probability_text": after,
                "label": wrap(v["step"] if level else f"{order}. {v['label']}"),
                "value": after if level else f"{v['change_bits']:+.2f} bits → {after}",
            }
        )
    return values


def waterfall_spec(result: UpdateResult, *, width: int | None = None) -> dict | None:
    r"""The waterfall as a Vega-Lite spec: the one chart definition for the screen and every download.

    One row per item: its label, and under it a bar from the log-odds before
    the item to the log-odds after it, on a log-odds axis labelled in percent
    (P(H)); the prior and the posterior are diamonds at their level, so a 50%
    posterior (0 bits) is as visible as any other.  Colours from
    :mod:`beliefs.plots.palette`.  ``width`` fixes the plot width in pixels;
    without it the app stretches it to the page (files get
    :data:`beliefs.plots.style.FILE_WIDTH`).  ``None`` for a certain prior
    (infinite log-odds have no place on the axis).

    The data are :func:`waterfall_values`; the rest is :func:`waterfall_layout` of them.

    >>> from beliefs.update import update
    >>> spec = waterfall_spec(update(0.5, [3.0]))
    >>> [v["kind"] for v in spec["layer"][0]["data"]["values"]]
    ['prior / posterior', 'for H', 'prior / posterior']
    """
    if result.certain:
        return None
    return waterfall_layout(waterfall_values(result), width=width)


def waterfall_layout(values: list[dict], *, width: int | None = None) -> dict:
    """The waterfall spec drawing these rows (:func:`waterfall_values`): axis, rows, colours and legend.

    The layout depends on the rows alone: the axis runs from the lowest level
    to the highest, with a margin on the right for the text beside each bar,
    and ticks at round probabilities (:func:`beliefs.plots.style.probability_axis`);
    each row is placed below the last, as tall as its label
    (:class:`beliefs.plots.style.Rows`, which adds the ``y_*`` pixel fields).
    The rows travel in the spec's first layer (``spec["layer"][0]["data"]["values"]``).

    For a page that redraws it (the interactive HTML report, under a CSP with
    no ``unsafe-eval``): the spec's only expressions are a filter on ``kind``
    and ``step``, ``max(start_bits, end_bits)``, and the axis labels' lookup
    (an array indexed by ``indexof``); Streamlit's own page draws this spec with
    Vega's CSP-safe expression interpreter (``vega-interpreter``), so Vega can
    draw it there too, or a plain-SVG drawing can follow the same rules from
    new rows.
    """
    rows = Rows.place(values)
    ends = [v["start_bits"] for v in values] + [v["end_bits"] for v in values]
    domain = log_odds_domain(ends, left=0.05, right=0.6)  # room on the right for the text, on a phone too
    x_scale = {"domain": domain, "nice": False, "zero": False}
    present = {v["kind"] for v in values}  # the legend names only what is drawn
    kinds = colour({k: c for k, c in (("for H", FOR_H), ("against H", AGAINST_H), ("prior / posterior", LEVEL))
                    if k in present}, field="kind")  # fmt: skip
    y, y2 = rows.lane_y()
    middle = rows.y(Rows.MIDDLE)
    tooltip = [
        {"field": "name", "title": "row"},
        {"field": "change_bits", "title": "bits", "format": "+.3f"},
        {"field": "change_db", "title": "dB", "format": "+.2f"},
        {"field": "probability_text", "title": "P(H) after"},
    ]
    levels = {"filter": "datum.kind == 'prior / posterior'"}
    x_axis = probability_axis(*domain, "P(H), log-odds scale; bars: each item's evidence in bits")
    layers = [
        {
            "transform": [{"filter": "datum.kind != 'prior / posterior'"}],
            "mark": {"type": "bar"},  # a bar between two levels (x, x2) and two heights (y, y2)
            "encoding": {
                "y": y,
                "y2": y2,
                "x": {"field": "start_bits", "type": "quantitative", "scale": x_scale, "axis": x_axis},
                "x2": {"field": "end_bits"},
                "color": kinds,
                "tooltip": tooltip,
            },
        },
        {
            "transform": [levels],
            "mark": {"type": "point", "shape": "diamond", "size": 160, "filled": True, "opacity": 1},
            "encoding": {
                "y": middle,
                "x": {"field": "end_bits", "type": "quantitative", "scale": x_scale},
                "color": kinds,
                "tooltip": tooltip,
            },
        },
        # the posterior's level in every row, across the bars only (never through a label)
        rows.rule_layer(
            {"datum": values[-1]["end_bits"], "type": "quantitative", "scale": x_scale},
            {"datum": "prior / posterior", "type": "nominal"},
            strokeDash=[4, 3],
        ),
        rows.label_layer(),
        {  # the text right of the bar, whichever way it points
            "transform": [{"calculate": "max(datum.start_bits, datum.end_bits)", "as": "right"}],
            "mark": {"type": "text", "align": "left", "baseline": "middle", "dx": 8},
            "encoding": {
                "y": middle,
                "x": {"field": "right", "type": "quantitative", "scale": x_scale},
                "text": {"field": "value"},
            },
        },
    ]
    spec = {
        "title": title("Evidence ledger: P(H) on a log-odds scale"),
        "height": rows.height,
        "data": {"values": list(rows.values)},
        "layer": layers,
    }
    if width is not None:
        spec["width"] = width
    return finish(spec, name="waterfall")


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


def plot_prior_posterior(result: UpdateResult) -> dict:
    """P(H) before and after the evidence: one bar each, with the probability and the odds written above it.

    Returns
    -------
    dict
        The Vega-Lite spec (Altair), as :func:`beliefs.plots.style.finish` ships every chart.
    """
    import altair as alt

    # The posterior takes the colour of the net evidence, as the waterfall's bars do.
    moved = 0.0 if result.certain else result.posterior_log_odds - result.prior_log_odds
    after = "posterior: net evidence " + ("for H" if moved > 0 else "against H" if moved < 0 else "none")
    series = {"prior": NEUTRAL, after: FOR_H if moved > 0 else AGAINST_H if moved < 0 else LEVEL, "not H": BACKGROUND}
    values = []
    for i, (row, lam) in enumerate(zip(prior_posterior_rows(result)[1:], (result.prior_log_odds, result.posterior_log_odds), strict=True)):
        stage, p, odds = row[:3]
        # From the log-odds: 1 - 1e-12 reads "100% - 1e-10%", never a rounded "100%".
        text = f"{stage}: {format_probability(lam)} (odds {odds})"
        values.append({"row": i, "label": wrap(text), "series": stage if i == 0 else after, "p": p, "text": text})
    rows = Rows.place(values)
    base = alt.Chart(alt.NamedData("rows"))
    x = alt.X("p:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1], title="P(H)"))
    colours = colour(series)
    chart = alt.layer(
        base.mark_bar().encode(**rows.altair_lane(), x=alt.XDatum(1.0), x2="p:Q", color=alt.ColorDatum("not H", type="nominal")),
        base.mark_bar().encode(**rows.altair_lane(), x=alt.XDatum(0.0), x2="p:Q", color=alt.Color(**colours),
                                tooltip=[alt.Tooltip("text:N", title="P(H)")]),
        rows.altair_labels(base),
    ).encode(x=x).properties(title=title("Prior and posterior"), height=rows.height)  # fmt: skip
    return finish(chart, name="prior and posterior", data={"rows": list(rows.values)})
