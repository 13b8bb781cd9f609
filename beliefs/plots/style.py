r"""The look of every chart in one place: one Vega-Lite config, the sizes, and the helpers the specs share.

Every chart is a Vega-Lite spec (a plain ``dict``): the app draws it with
``st.vega_lite_chart`` and :func:`beliefs.plots.figures.spec_bytes` renders the
same spec to PNG, SVG or PDF (vl-convert) for the downloads, the command line's
``--plot`` and the HTML report.  The charts are built with Altair (imported
inside each ``plot_*`` function) except the waterfall, which the app's first
page draws: it is written here in plain dicts, because importing Altair costs
that page 0.4 s.  Nothing in this module imports Altair.

Readable at 1280 and at 390 px: no text under :data:`MIN_FONT_SIZE`; no label
cut to a width (``labelLimit`` 0), long labels wrapped onto lines instead
(:func:`wrap`); a legend for every colour (:func:`colour`); one font weight, so
vl-convert's PDF embeds one font and its bytes are the same on every save.
Charts with one row per item put each row's label *above* its bar
(:class:`Rows`), so the bars keep the full width on a phone.

Probabilities are drawn on a log-odds axis (bits) labelled in percent
(:func:`probability_axis`): 1e-300 and 1 - 1e-12 have a place on it, where a
linear or logit axis of floats has none.
"""

from __future__ import annotations

import json
import math
import textwrap
from dataclasses import dataclass

from beliefs.errors import InputError
from beliefs.format import format_probability
from beliefs.odds import LN2, LN10, bits, log_odds
from beliefs.plots.palette import INK
from beliefs.tables import one_line

__all__ = [
    "CONFIG",
    "FILE_WIDTH",
    "FONT_SIZE",
    "MAX_ROWS",
    "MIN_FONT_SIZE",
    "PLOT_HEIGHT",
    "SCHEMA",
    "VEGA_LITE_VERSION",
    "Rows",
    "bar_rows",
    "colour",
    "finish",
    "log_odds_domain",
    "probability_axis",
    "probability_ticks",
    "title",
    "wrap",
]

# Altair 6.3 writes this schema; Streamlit 1.67 draws with Vega-Lite 6.4.0 and vl-convert renders with 6.4.
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
VEGA_LITE_VERSION = "6.4"

MIN_FONT_SIZE = 11  # px: nothing in a chart is smaller (issue 24)
FONT_SIZE = 12  # axis and legend labels and titles, text marks
TITLE_FONT_SIZE = 14
LINE_HEIGHT = 15  # px per line of a wrapped label
FILE_WIDTH = 640  # px of plot in a file; on screen the chart takes the page's width
PLOT_HEIGHT = 240  # px of plot for charts without rows
LABEL_CHARS = 40  # a row label wraps here: 40 characters of 12 px text fit a phone's plot (~350 px)
LABEL_LINES = 6  # at most this many lines of a label are drawn (about 220 characters); the CSV has it whole
TITLE_CHARS = 48
MAX_ROWS = 40  # rows drawn in a chart ranked by size (the ledger's own limit); the rest are summed in one row

CONFIG = {
    "font": "sans-serif",
    "view": {"stroke": None},
    "title": {
        "fontSize": TITLE_FONT_SIZE,
        "subtitleFontSize": FONT_SIZE,
        "fontWeight": "normal",  # one weight: one font in a PDF (two made vl-convert's bytes differ per save)
        "anchor": "start",
        "color": INK,
        "subtitleColor": INK,
        "offset": 8,
    },
    "axis": {
        "labelFontSize": FONT_SIZE,
        "titleFontSize": FONT_SIZE,
        "titleFontWeight": "normal",
        "labelLimit": 0,  # 0: no limit; a label is never cut with an ellipsis
        "labelColor": INK,
        "titleColor": INK,
        "labelOverlap": "greedy",  # on a phone, drop a tick label that would overlap rather than shrink it
    },
    "legend": {
        "orient": "top",
        "direction": "vertical",  # one entry per line: a legend never runs off a phone's screen
        "labelFontSize": FONT_SIZE,
        "titleFontSize": FONT_SIZE,
        "titleFontWeight": "normal",
        "labelLimit": 0,
        "titleLimit": 0,
        "labelColor": INK,
        "titleColor": INK,
        "symbolSize": 120,
    },
    "text": {"fontSize": FONT_SIZE, "lineHeight": LINE_HEIGHT, "color": INK},
}


def wrap(text: object, width: int = LABEL_CHARS, max_lines: int = LABEL_LINES) -> list[str]:
    """``text`` on one line (control characters and line breaks folded), wrapped into lines of ``width``.

    Beyond ``max_lines`` the last line ends in "…": a chart shows about 220 characters of a label, the
    CSV and the tables beside it show it whole.

    >>> wrap("A report like the 2025 anti-scheming report (rare-scheming reading)")
    ['A report like the 2025 anti-scheming', 'report (rare-scheming reading)']
    >>> wrap("x" * 10, width=4, max_lines=2)
    ['xxxx', 'xxx…']
    """
    lines = textwrap.wrap(one_line(text), width, break_on_hyphens=False) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1] + "…"
    return lines


def title(text: str, subtitle: str = "") -> dict:
    """A chart title (and subtitle) wrapped to lines that fit a phone."""
    out: dict = {"text": wrap(text, TITLE_CHARS, 3)}
    if subtitle:
        out["subtitle"] = wrap(subtitle, TITLE_CHARS + 10, 4)
    return out


def colour(series: dict[str, str], field: str = "series", legend_title: str | None = None) -> dict:
    """A colour encoding with a fixed scale (name -> colour) and its legend: every colour is named.

    Marks that share the field share the scale, so one legend lists them all;
    a mark of one series alone uses ``{"datum": name}`` with this encoding.
    """
    return {
        "field": field,
        "type": "nominal",
        "scale": {"domain": list(series), "range": list(series.values())},
        "legend": {"title": legend_title},
    }


# -- rows: one per item, the label above its bar ------------------------------------------------------


@dataclass(frozen=True)
class Rows:
    """Pixel layout of a chart with one row per item: the row's label, line under line, then its bar.

    Each row is as tall as its own label (a one-line row takes 41 px, a four-line
    one 86 px).  ``lanes`` bars share the bar's height under one label (naive and
    adjusted, before and after).  :meth:`place` gives every row its positions in
    pixels from the top of the plot; :meth:`y` is the ``y`` encoding that draws them
    there (a linear scale from 0 at the top to :attr:`height` at the bottom, no axis).
    """

    values: tuple[dict, ...]
    height: int
    lanes: int = 1
    bar: int = 14

    # Fields each placed row carries (px from the top): its label's top, the centre of its bar area,
    # each lane's top and bottom (lane 0 on top), and the reach of a reference line across its bars.
    LABEL, MIDDLE, RULE_TOP, RULE_BOTTOM = "y_label", "y_bar", "y_rule_top", "y_rule_bottom"

    @staticmethod
    def lane_top(i: int) -> str:
        return f"y_lane{i}_top"

    @staticmethod
    def lane_bottom(i: int) -> str:
        return f"y_lane{i}_bottom"

    @classmethod
    def place(cls, values: list[dict], *, lanes: int = 1, bar: int = 14, label: str = "label") -> Rows:
        """The rows (``values``, each with its wrapped ``label`` lines) stacked from the top, positions added to copies."""
        placed, top = [], 0.0
        for v in values:
            label_top = top + 3
            bar_top = label_top + LINE_HEIGHT * len(v[label]) + 3
            row = {**v, cls.LABEL: label_top, cls.MIDDLE: bar_top + bar / 2,
                   cls.RULE_TOP: bar_top - 3, cls.RULE_BOTTOM: bar_top + bar + 3}  # fmt: skip
            for i in range(lanes):
                row[cls.lane_top(i)] = bar_top + i * bar / lanes
                row[cls.lane_bottom(i)] = bar_top + (i + 1) * bar / lanes
            placed.append(row)
            top = bar_top + bar + 6
        return cls(values=tuple(placed), height=max(round(top), 1), lanes=lanes, bar=bar)

    def y(self, field: str) -> dict:
        """``y`` at a position field, in pixels from the top; the scale is shared by every layer."""
        return {"field": field, "type": "quantitative", "axis": None,
                "scale": {"domain": [0, self.height], "reverse": True, "nice": False, "zero": False}}  # fmt: skip

    def lane_y(self, i: int = 0) -> tuple[dict, dict]:
        """``y`` and ``y2`` of lane ``i``'s bars (bar marks ranged both ways)."""
        return self.y(self.lane_top(i)), {"field": self.lane_bottom(i)}

    def label_mark(self) -> dict:
        """The text mark of the rows' labels: from the left edge, line under line."""
        return {"type": "text", "align": "left", "baseline": "top", "fontSize": FONT_SIZE, "lineHeight": LINE_HEIGHT,
                "color": INK}  # fmt: skip

    def label_layer(self, field: str = "label") -> dict:
        """The text layer writing each row's label lines (a plain dict, for specs written without Altair)."""
        return {"mark": self.label_mark(), "encoding": {"y": self.y(self.LABEL), "x": {"value": 0}, "text": {"field": field}}}

    def rule_layer(self, x: dict, colour: dict, **mark) -> dict:
        """A reference line in every row across its bars only (never through a label), at ``x``, as a plain dict."""
        return {"mark": {"type": "rule", **mark},
                "encoding": {"y": self.y(self.RULE_TOP), "y2": {"field": self.RULE_BOTTOM}, "x": x, "color": colour}}  # fmt: skip

    # -- the same as Altair layers on a chart ``base`` holding the placed rows

    def altair_y(self, field: str):
        import altair as alt

        return alt.Y(**self.y(field))

    def altair_lane(self, i: int = 0) -> dict:
        """``y`` and ``y2`` channels of lane ``i`` (keyword arguments to ``encode``)."""
        import altair as alt

        return {"y": self.altair_y(self.lane_top(i)), "y2": alt.Y2(self.lane_bottom(i))}

    def altair_labels(self, base, field: str = "label"):
        import altair as alt

        # The colour as a value, so a colour encoding the layers inherit from their parent leaves labels alone.
        return base.mark_text(**{k: v for k, v in self.label_mark().items() if k != "type"}).encode(
            y=self.altair_y(self.LABEL), x=alt.XValue(0), text=alt.Text(field, type="nominal"), color=alt.ColorValue(INK)
        )

    def altair_rules(self, base, x, colour, **mark):
        """:meth:`rule_layer` in Altair: ``x`` and ``colour`` are Altair channels."""
        import altair as alt

        return base.mark_rule(**mark).encode(y=self.altair_y(self.RULE_TOP), y2=alt.Y2(self.RULE_BOTTOM), x=x, color=colour)


# -- probabilities on a log-odds axis --------------------------------------------------------------------

_ROUND_PROBABILITIES = (
    1e-9, 1e-6, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1 - 1e-4, 1 - 1e-6, 1 - 1e-9,
)  # fmt: skip
_FINE_PROBABILITIES = (0.2, 0.3, 0.4, 0.45, 0.55, 0.6, 0.7, 0.8)
_ROUND_SPAN_BITS = 80.0  # the round probabilities reach +-30 bits; wider axes tick at powers of ten


def probability_ticks(lo: float, hi: float) -> list[float]:
    """Tick positions (bits of log-odds) inside ``[lo, hi]`` at round probabilities.

    The first of these to put at least three ticks inside: round probabilities
    (1%, 25%, 50%, 99.9%, ...); those and finer ones (30%, 40%, ...); powers
    of ten and their complements (0.001%, 99.999%); 1, 2 and 5 times a power of ten.
    On a wide axis, powers of ten a round step apart (1e-100, 1e-50, ...); failing all,
    evenly spaced bits.

    >>> [round(100 / (1 + 2 ** -t)) for t in probability_ticks(-1.8, 0.5)]
    [25, 30, 40, 45, 50, 55]
    >>> [format_probability(t * LN2) for t in probability_ticks(-11.2, -5.8)]
    ['0.05%', '0.1%', '0.2%', '0.5%', '1%']
    >>> [format_probability(t * LN2) for t in probability_ticks(-1100.0, 10.0)]
    ['1e-298%', '1e-198%', '1e-98%', '50%']
    """
    if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
        raise InputError("axis", (lo, hi), "a finite range of log-odds")
    if hi - lo <= _ROUND_SPAN_BITS:
        candidates = (
            [bits(log_odds(p)) for p in _ROUND_PROBABILITIES],
            [bits(log_odds(p)) for p in _ROUND_PROBABILITIES + _FINE_PROBABILITIES],
            _decade_ticks(lo, hi, (1,)),
            _decade_ticks(lo, hi, (1, 2, 5)),
        )
        for ticks in candidates:
            inside = sorted(t for t in ticks if lo <= t <= hi)
            if len(inside) >= 3:
                return inside
    else:
        ticks = _power_of_ten_ticks(lo, hi)
        if len(ticks) >= 2:
            return ticks
    magnitude = 10 ** math.floor(math.log10(max(hi - lo, 1e-9) / 4))
    step = min((m * magnitude for m in (1, 2, 5, 10)), key=lambda x: abs((hi - lo) / x - 5))
    return [k * step for k in range(math.ceil(lo / step), math.floor(hi / step) + 1)]


def _tail_bits(k: float, mantissa: float = 1.0) -> float:
    """Bits of log-odds of P = mantissa * 10^-k, exactly: ln P - ln(1 - P) (the second term vanishes for large k)."""
    return bits(math.log(mantissa) - k * LN10 - math.log1p(-mantissa * 10.0**-k))


def _decade_ticks(lo: float, hi: float, mantissas: tuple[int, ...]) -> list[float]:
    """Ticks at P = m * 10^-k below 50% and 1 - m * 10^-k above it, for the decades k that reach [lo, hi]."""
    to10 = LN2 / LN10
    ticks = []
    for sign, (a, b) in ((-1, (-hi * to10, -lo * to10)), (1, (lo * to10, hi * to10))):
        for k in range(max(1, math.floor(a) - 1), min(340, math.ceil(b) + 2)):
            for m in mantissas:
                if m * 10.0**-k < 0.5:
                    ticks.append(sign * -_tail_bits(k, m))
    return ticks


def _power_of_ten_ticks(lo: float, hi: float) -> list[float]:
    """Ticks at P = 10^-k and 1 - 10^-k (and 50%), k a multiple of a round step, about five of them."""
    lo10, hi10 = lo * LN2 / LN10, hi * LN2 / LN10  # log10 odds; for k >= 2, P = 10^-k sits at about -k
    span = hi10 - lo10
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000) if span / s <= 6), 10 ** math.ceil(math.log10(span)))
    ticks = []
    for m in range(math.ceil(lo10 / step), math.floor(hi10 / step) + 1):
        t = 0.0 if m == 0 else math.copysign(-_tail_bits(abs(m * step)), m)
        if lo <= t <= hi:
            ticks.append(t)
    return ticks


def probability_axis(lo: float, hi: float, axis_title: str) -> dict:
    """An axis of log-odds (bits) over ``[lo, hi]`` labelled in percent at round probabilities.

    The labels are the project's own text for each probability
    (:func:`beliefs.format.format_probability`: "1e-298%", "100% - 1e-10%"),
    written into the spec and looked up by tick, so the axis never has to
    turn 1e-300 back into a float.
    """
    ticks = probability_ticks(lo, hi)
    labels = [format_probability(t * LN2) for t in ticks]
    return {
        "title": wrap(axis_title, TITLE_CHARS + 10, 2),
        "values": ticks,
        "labelExpr": f"{json.dumps(labels)}[indexof({json.dumps(ticks)}, datum.value)]",
        "grid": True,
    }


def log_odds_domain(values: list[float], *, left: float = 0.05, right: float = 0.05, least: float = 2.0) -> list[float]:
    """A ``[lo, hi]`` domain (bits) around ``values`` with a margin on each side (fractions of the span)."""
    lo, hi = min(values), max(values)
    span = max(hi - lo, least)
    return [lo - left * span, hi + right * span]


# -- the finished spec ------------------------------------------------------------------------------------


def finish(chart, *, name: str = "chart", data: dict[str, list] | None = None) -> dict:
    """The spec of an Altair chart (or a spec dict) as every chart of ours is shipped.

    * ``data``: the rows of each ``alt.NamedData(name)`` the chart uses, put in its place as
      values.  Altair never holds the rows: it deep-copied and validated them on every call
      (0.1-1.7 s a chart);
    * the one :data:`CONFIG`, the Vega-Lite ``$schema``, and an SVG renderer on screen (text is
      text in the page: crisp, selectable and measurable by the browser tests);
    * the data inside the top layer, not at the top level: Streamlit turns top-level data into an
      Arrow table through pandas (0.3 s to import on a page that needs nothing else of it), while a
      layer's values reach the browser as they are.  Vega-Lite draws the same chart;
    * every number finite: a value of inf or nan has no place on an axis, so it is refused by
      name here rather than drawn as a blank or sent as invalid JSON.
    """
    # Not validated here (the tests validate every chart against the Vega-Lite schema: tests/test_charts.py).
    spec = chart if isinstance(chart, dict) else chart.to_dict(validate=False)
    spec = _inline_datasets(dict(spec), dict(data or {}))
    spec.pop("config", None)
    top = spec.pop("data", None)
    if top is not None:
        inner = {k: spec.pop(k) for k in ("mark", "encoding", "layer", "transform", "params") if k in spec}
        spec["layer"] = [{"data": top, **inner}]
    _check_finite(spec, name)
    return {
        "$schema": SCHEMA,
        **{k: v for k, v in spec.items() if k != "$schema"},
        # The width fits the page (or the file); the height is the plot's own, plus its title, legend and
        # axis.  Streamlit's default ("fit" both ways) squeezed the plot under a tall legend.
        "autosize": {"type": "fit-x", "contains": "padding"},
        # Inside the width: a rotated axis title's glyphs stay inside the chart's box.  An object, not a number:
        # Streamlit's front end sets padding.bottom on it (a number raised "Cannot create property 'bottom'").
        "padding": {"left": 6, "right": 6, "top": 6, "bottom": 6},
        "config": CONFIG,
        "usermeta": {"embedOptions": {"renderer": "svg"}},
    }


def _inline_datasets(spec: dict, tables: dict[str, list]) -> dict:
    """Named data (``{"name": ...}``: ours in ``tables``, Altair's in ``datasets``) put in place as values."""
    tables.update(spec.pop("datasets", None) or {})
    if not tables:
        return spec

    def walk(node):
        if isinstance(node, dict):
            if set(node) == {"name"} and node["name"] in tables:
                return {"values": tables[node["name"]]}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(spec)


def walk(node):
    """Every part of a spec, depth first: the node, then each value of a dict or item of a list."""
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def _check_finite(spec, name: str) -> None:
    for node in walk(spec):
        if isinstance(node, float) and not math.isfinite(node):
            raise InputError(name, node, "finite numbers (a chart has no place for an infinite or undefined value)")


# -- the rows charts (crux, tornado, value of information, dependence) ---------------------------------------


def bar_rows(
    values: list[dict],
    lanes: list[list[dict]],
    *,
    series: dict[str, str],
    x_title: str,
    chart_title: str,
    subtitle: str = "",
    tooltip: list | tuple = (),
    markers: list[dict] | tuple = (),
    levels: list[dict] | tuple = (),
    name: str = "chart",
) -> dict:
    """One row per item: its label (``values[i]["label"]``, wrapped lines), then its bars on a common axis.

    ``lanes``: the bars under each label, one list per lane (lanes sit one under the other; bars
    in one lane share it).  A bar is ``{"x": field, "x2": field or a number, "colour": field}``
    (the field holds the series name) or ``{..., "series": name}`` (one series for every row).
    ``markers``: ``{"x": field, "lane": i, "name": legend text}`` drawn as crosses, with a
    legend of their own.  ``levels``: ``{"x": number, "series": name}`` drawn as dashed lines in
    every row.  A thin line at 0.  Every colour is in ``series`` (name -> colour), which the legend lists.
    """
    import altair as alt

    rows = Rows.place(values, lanes=len(lanes), bar=14 if len(lanes) == 1 else 10 * len(lanes))
    base = alt.Chart(alt.NamedData("rows"))
    tables = {"rows": list(rows.values)}
    xs = [v[b["x"]] for v in values for lane in lanes for b in lane]
    xs += [v[b["x2"]] if isinstance(b["x2"], str) else b["x2"] for v in values for lane in lanes for b in lane]
    xs += [v[m["x"]] for v in values for m in markers] + [lvl["x"] for lvl in levels] + [0.0]
    lo, hi = min(xs), max(xs)
    pad = 0.04 * (hi - lo or 1.0)
    scale = alt.Scale(domain=[lo - pad, hi + pad], nice=False, zero=False)
    x_axis = alt.Axis(title=wrap(x_title, TITLE_CHARS + 10, 2), grid=True)
    # Channel objects, not dicts: Altair rebuilds its schema index for each dict it is handed (30 ms apiece).
    tooltip = [alt.Tooltip(t["field"], **{k: v for k, v in t.items() if k != "field"}) for t in tooltip]
    layers = [rows.altair_labels(base)]
    first = True
    for i, lane in enumerate(lanes):
        for bar in lane:
            colour_channel = (alt.Color(f"{bar['colour']}:N") if "colour" in bar
                              else alt.ColorDatum(bar["series"], type="nominal"))  # fmt: skip
            x2 = alt.X2(f"{bar['x2']}:Q") if isinstance(bar["x2"], str) else alt.X2(datum=bar["x2"])
            layers.append(
                base.mark_bar().encode(
                    **rows.altair_lane(i), x=alt.X(f"{bar['x']}:Q", scale=scale, axis=x_axis if first else alt.Undefined),
                    x2=x2, color=colour_channel, tooltip=tooltip,
                )
            )  # fmt: skip
            first = False
    for marker in markers:
        tables[f"marker{len(tables)}"] = [{**v, "marker": marker["name"]} for v in rows.values]
        marked = alt.Chart(alt.NamedData(f"marker{len(tables) - 1}"))
        lane = marker.get("lane", 0)
        layers.append(
            marked.mark_point(shape="cross", size=110, filled=True, opacity=1).encode(
                y=rows.altair_y(Rows.MIDDLE if len(lanes) == 1 else Rows.lane_top(lane)),
                x=alt.X(f"{marker['x']}:Q", scale=scale), color=alt.ColorValue(INK),
                shape=alt.Shape("marker:N", scale=alt.Scale(domain=[marker["name"]], range=["cross"]),
                                legend=alt.Legend(title=None, symbolFillColor=INK, symbolStrokeColor=INK)),
                tooltip=tooltip,
            )
        )  # fmt: skip
    # Reference lines in each row, across its bars: never through a label.
    layers.append(rows.altair_rules(base, alt.X(datum=0.0, scale=scale), alt.ColorValue(INK), strokeWidth=1))
    for level in levels:
        layers.append(
            rows.altair_rules(base, alt.X(datum=level["x"], scale=scale), alt.ColorDatum(level["series"], type="nominal"),
                              strokeDash=[4, 3], strokeWidth=2)
        )  # fmt: skip
    used = {v[b["colour"]] for v in values for lane in lanes for b in lane if "colour" in b}
    used |= {b["series"] for lane in lanes for b in lane if "series" in b} | {lvl["series"] for lvl in levels}
    chart = alt.layer(*layers).encode(color=alt.Color(**colour({k: c for k, c in series.items() if k in used}))).properties(
        title=title(chart_title, subtitle), height=rows.height
    )
    return finish(chart, name=name, data=tables)
