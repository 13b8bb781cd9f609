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
from collections.abc import Sequence

import numpy as np

from beliefs.csvtext import to_csv
from beliefs.errors import InputError
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
    "plot_waterfall",
    "prior_posterior_rows",
    "rate_density_rows",
    "to_csv",
    "waterfall_rows",
]

FORMATS = ("png", "svg", "pdf")
MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv"}

_FOR = "#1b7837"  # evidence for H
_AGAINST = "#b2182b"  # evidence against H
_LEVEL = "#4a4a4a"  # prior and posterior levels


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


def waterfall_spec(result: UpdateResult) -> dict | None:
    """A Vega-Lite spec of the waterfall, drawn by the browser instead of matplotlib.

    The app shows this on screen so a slider move costs no server-side
    rendering; the PNG/SVG/PDF downloads come from :func:`plot_waterfall`,
    drawn from the same :func:`waterfall_rows`.  ``None`` for a certain prior
    (infinite log-odds have no bar).

    >>> from beliefs.update import update
    >>> spec = waterfall_spec(update(0.5, [3.0]))
    >>> [round(v["end_bits"], 3) for v in spec["data"]["values"]]
    [0.0, 1.585, 1.585]
    """
    if result.certain:
        return None
    header, *body = waterfall_rows(result)
    values = []
    for order, row in enumerate(body):
        v = dict(zip(header, row, strict=True))
        v["order"] = order
        v["kind"] = "level" if v["step"] in ("prior", "posterior") else ("for H" if v["change_bits"] >= 0 else "against H")
        v["name"] = v["label"] if v["step"].startswith("item") else v["step"]
        # Unique and ordered, so two items with the same label keep their own bars.
        v["bar"] = f"{order}. {v['name'][:40]}" if v["kind"] != "level" else v["name"]
        v["text"] = f"{v['change_bits']:+.2f}" if v["kind"] != "level" else f"{v['end_bits']:.2f}"
        v["probability_text"] = f"{100 * v['probability_after']:.4g}%"
        values.append(v)
    tooltip = [
        {"field": "name", "title": "bar"},
        {"field": "change_bits", "title": "bits", "format": "+.3f"},
        {"field": "change_db", "title": "dB", "format": "+.2f"},
        {"field": "probability_text", "title": "P(H) after"},
    ]
    x = {
        "field": "bar",
        "type": "ordinal",
        "sort": {"field": "order"},
        "axis": {"title": None, "labelAngle": 0, "labelLimit": 180},
    }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": values},
        "height": 280,
        "layer": [
            {
                "mark": {"type": "bar"},
                "encoding": {
                    "x": x,
                    "y": {"field": "start_bits", "type": "quantitative", "title": "log-odds (bits)"},
                    "y2": {"field": "end_bits"},
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": ["level", "for H", "against H"],
                            "range": ["#4a4a4a", "#1b7a3a", "#b8322a"],
                        },
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "text", "dy": -8},
                "encoding": {
                    "x": x,
                    "y": {"field": "end_bits", "type": "quantitative"},
                    "text": {"field": "text"},
                },
            },
        ],
    }


def plot_waterfall(result: UpdateResult, ax=None):
    """Bar chart of the prior's log-odds, each item's contribution and the posterior, in bits.

    Bars for evidence start where the previous bar ended (a waterfall), green
    for evidence for H and red against.  A right-hand axis reads the level as
    a probability.  A prior of 0 or 1 has infinite log-odds; the chart then
    shows the library's explanation instead of bars.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _figure_and_axes(ax)
    if result.certain:
        ax.set_axis_off()
        ax.text(0.5, 0.5, _wrap(result.note or "certain prior"), ha="center", va="center", wrap=True)
        return fig
    rows = waterfall_rows(result)[1:]
    x = np.arange(len(rows))
    starts = np.array([r[2] for r in rows], dtype=float)
    ends = np.array([r[3] for r in rows], dtype=float)
    colours = []
    for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
        if i == 0 or i == len(rows) - 1:
            colours.append(_LEVEL)
        else:
            colours.append(_FOR if e >= s else _AGAINST)
    heights = ends - starts
    bars = ax.bar(x, heights, bottom=starts, color=colours, width=0.6)
    for bar, h, i in zip(bars, heights, range(len(rows)), strict=True):
        text = f"{h:+.2f}" if 0 < i < len(rows) - 1 else f"{h:.2f}"
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, max(bar.get_y(), bar.get_y() + h)),
            ha="center",
            va="bottom",
            fontsize=8,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xticks(x, [_short(r[1]) for r in rows], rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("log-odds (bits)")
    ax.set_title("Evidence ledger: log-odds contributions")
    lo, hi = float(min(starts.min(), ends.min(), 0.0)), float(max(starts.max(), ends.max(), 0.0))
    pad = max(0.5, 0.12 * (hi - lo))
    ax.set_ylim(lo - pad, hi + pad)
    secondary = ax.secondary_yaxis("right", functions=(_bits_to_percent, _percent_to_bits))
    secondary.set_ylabel("P(H) %")
    return fig


def _bits_to_percent(b):
    b = np.asarray(b, dtype=float)
    return 100.0 / (1.0 + np.exp2(-np.clip(b, -60, 60)))


def _percent_to_bits(pct):
    pct = np.clip(np.asarray(pct, dtype=float), 1e-12, 100 - 1e-12)
    return np.log2(pct / (100.0 - pct))


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
        :class:`beliefs.uncertainty.PosteriorDistribution`) is drawn with its
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
