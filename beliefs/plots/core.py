r"""Plots for the Update page, the bytes to download them, and the data behind each as CSV.

Each ``plot_*`` function draws on ``ax`` if given, otherwise on a new
:class:`matplotlib.figure.Figure` made without pyplot, so no global figure
registry grows and the functions are safe to call from the thread that
serves a download.  matplotlib is imported inside the functions: ``import
beliefs`` stays free of it.

The waterfall shows the odds form of Bayes' rule additively, in bits:

.. math::

    \log_2 O(H\mid E_{1..k}) = \log_2 O(H) + \sum_{i=1}^{k} w_i \log_2 \mathrm{LR}_i ,

one bar per term, each starting where the previous one ended.

The ``*_rows`` functions return the numbers each plot draws (header first),
and :func:`to_csv` writes such rows, so a downloaded CSV holds exactly what
the picture shows.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence

import numpy as np

from beliefs.errors import InputError
from beliefs.io.csvfile import to_csv
from beliefs.odds import bits, probability
from beliefs.update import UpdateResult

__all__ = [
    "FORMATS",
    "MIME_TYPES",
    "curve_rows",
    "distribution_rows",
    "figure_bytes",
    "plot_curve",
    "plot_posterior_distribution",
    "plot_prior_posterior",
    "plot_rate_densities",
    "prior_posterior_rows",
    "rate_density_rows",
    "spec_bytes",
    "to_csv",
    "waterfall_rows",
]

FORMATS = ("png", "svg", "pdf")
MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv"}

from beliefs.plots.palette import AGAINST_H as _AGAINST  # noqa: E402
from beliefs.plots.palette import FOR_H as _FOR  # noqa: E402


def plain_text_only() -> None:
    """Draw every label as plain text: no mathtext.

    Labels are untrusted (``$\\frac{1}{$`` made savefig raise, and ``$...$`` rendered as
    math).  ``text.parse_math`` is read when a Text is created, so it is set before any
    of our figures is built; no plot of ours uses mathtext.
    """
    import matplotlib

    matplotlib.rcParams["text.parse_math"] = False


def _figure_and_axes(ax, figsize=(7.0, 3.6)):
    plain_text_only()
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _short(label: str, width: int = 22) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


# -- waterfall -----------------------------------------------------------------


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
    >>> [(v["name"], round(v["start_bits"], 3), round(v["end_bits"], 3)) for v in spec["data"]["values"]]
    [('prior', 0.0, 0.0), ('LR 3', 0.0, 1.585), ('posterior', 1.585, 1.585)]
    """
    from beliefs.format import format_probability
    from beliefs.plots.palette import AGAINST_H, FOR_H, LEVEL

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
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": "Evidence ledger: P(H) on a log-odds scale", "anchor": "start", "fontSize": 13},
        "data": {"values": values},
        "height": {"step": _ROW_HEIGHT},
        "encoding": {"y": y},
        "layer": [
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
        ],
        "config": {"font": "sans-serif", "axis": {"labelFontSize": 11}},
    }
    if width is not None:
        spec["width"] = width
    return spec


# Characters XML 1.0 forbids.  vl-convert 1.9 aborts the whole process (a Rust panic, not an
# exception) on a label holding one of them (e.g. ESC, NUL, U+FFFF): in the app that would take the
# server down for every session, so they never reach it.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value):
    r"""``value`` (a spec: nested dicts, lists, strings) with XML-forbidden characters replaced by U+FFFD.

    >>> xml_safe({"title": "a\x1b[8mb", "n": [1, "\x00"]}) == {"title": "a\ufffd[8mb", "n": [1, "\ufffd"]}
    True
    """
    if isinstance(value, str):
        return _NOT_XML.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: xml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [xml_safe(v) for v in value]
    return value


def spec_bytes(spec: dict, fmt: str) -> bytes:
    """A Vega-Lite spec rendered to ``png`` (2x), ``svg`` or ``pdf`` by vl-convert: the same chart as on screen."""
    if fmt not in FORMATS:
        raise InputError("format", fmt, "one of " + ", ".join(FORMATS))
    import vl_convert as vlc

    spec = xml_safe(spec)
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=2)
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode()
    return vlc.vegalite_to_pdf(spec)


def _wrap(text: str, width: int = 70) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


# -- prior and posterior -------------------------------------------------------


def prior_posterior_rows(result: UpdateResult) -> list[list]:
    """Prior and posterior as probability, odds, bits and dB.

    >>> from beliefs.update import update
    >>> stage, p, odds = prior_posterior_rows(update(0.25, [3.0]))[2][:3]
    >>> stage, round(p, 12), odds
    ('posterior', 0.5, '1:1')
    """
    from beliefs.format import format_odds

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
    fig, ax = _figure_and_axes(ax, figsize=(7.0, 2.0))
    rows = prior_posterior_rows(result)[1:]
    probs = [r[1] for r in rows]
    y = np.arange(len(rows))[::-1]
    ax.barh(y, probs, color=["#9e9e9e", "#2166ac"], height=0.6)
    ax.barh(y, [1 - p for p in probs], left=probs, color="#eeeeee", height=0.6)
    for yi, r in zip(y, rows, strict=True):
        ax.text(0.01, yi, f"{100 * r[1]:.4g}%  (odds {r[2]})", va="center", fontsize=9, color="black")
    ax.set_yticks(y, [r[0] for r in rows])
    ax.set_xlim(0, 1)
    ax.set_xlabel("P(H)")
    ax.set_title("Prior and posterior")
    return fig


# -- posterior distribution ------------------------------------------------------


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
    fig, ax = _figure_and_axes(ax)
    rows = distribution_rows(arr)[1:]
    left = np.array([r[0] for r in rows])
    width = np.array([r[1] - r[0] for r in rows])
    density = np.array([r[3] for r in rows])
    ax.bar(left, density, width=width, align="edge", color="#92c5de", edgecolor="white", linewidth=0.3)
    ax.axvspan(
        lo, hi, color="#2166ac", alpha=0.12, label=f"{100 * interval:g}% interval [{lo:.3f}, {hi:.3f}]"
    )
    ax.axvline(med, color="#2166ac", linewidth=1.5, label=f"median {med:.3f}")
    if threshold is not None:
        ax.axvline(
            threshold, color="black", linestyle="--", linewidth=1, label=f"P(> {threshold:g}) = {above:.3f}"
        )
    ax.set_xlim(0, 1)
    ax.set_xlabel("posterior P(H)")
    ax.set_ylabel("density")
    ax.set_title("Posterior under uncertain evidence")
    ax.legend(fontsize=8, loc="upper left")
    return fig


# -- rate priors and posteriors (evidence from data) --------------------------------


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
    fig, ax = _figure_and_axes(ax)
    x = np.array([r[0] for r in rows[1:]])
    for j, name in enumerate(rows[0][1:], start=1):
        y = np.array([r[j] for r in rows[1:]])
        style = "--" if "prior" in name else "-"
        colour = _AGAINST if "not H" in name else _FOR
        ax.plot(x, y, style, color=colour, linewidth=1.6, label=name)
    ax.set_xlabel("covert-action rate per rollout")
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.set_xlim(0, x[-1])
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    return fig


# -- generic curves (chain, monitoring) ------------------------------------------


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
    fig, ax = _figure_and_axes(ax)
    x = np.asarray(x, dtype=float)
    if lower is not None and upper is not None:
        ax.fill_between(x, lower, upper, color="#2166ac", alpha=0.18, label=band_label or None, linewidth=0)
    ax.plot(x, y, color="#2166ac", linewidth=1.8, label=label or None)
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


# -- output ------------------------------------------------------------------------


def figure_bytes(fig, fmt: str) -> bytes:
    """The figure saved as ``png``, ``svg`` or ``pdf``.

    Metadata that changes between runs (creation dates, the matplotlib
    version string) is left out, so the same figure gives the same bytes.
    """
    if fmt not in FORMATS:
        raise InputError("format", fmt, "one of " + ", ".join(FORMATS))
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
    }
    import matplotlib

    buf = io.BytesIO()
    # A fixed salt makes SVG element ids deterministic instead of random per save.
    with matplotlib.rc_context({"svg.hashsalt": "beliefs"}):
        fig.savefig(buf, format=fmt, dpi=150, metadata=metadata[fmt])
    return buf.getvalue()
