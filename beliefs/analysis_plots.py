"""Plots for the results of :mod:`beliefs.analysis`: one ``plot_x(result, ax=None) -> Figure`` each.

Each function only draws what its result already holds (the same numbers as
the result's ``to_csv()``).  matplotlib is imported inside the functions and
draws on a bare :class:`matplotlib.figure.Figure`, which needs no display, so
importing this module costs nothing.
"""

from __future__ import annotations

import math

import numpy as np

from beliefs.odds import LN10, bits, probability

# A bare Figure with plain-text labels, as every plot in the project.
from beliefs.plots.axes import new_axes
from beliefs.plots.palette import AGAINST_H as _AGAINST
from beliefs.plots.palette import FOR_H as _FOR
from beliefs.plots.palette import LEVEL as _NEUTRAL
from beliefs.plots.palette import NEUTRAL as _REFERENCE

__all__ = [
    "PLOT_SUFFIXES",
    "plot_count_needed",
    "plot_crux",
    "plot_data_robustness",
    "plot_dependence",
    "plot_pool",
    "plot_prior_robustness",
    "plot_sequential",
    "plot_tornado",
    "plot_tornado_stated",
]

PLOT_SUFFIXES = (".png", ".svg", ".pdf")

_LOGIT_AXIS_NATS = 30.0  # P(H) within 1e-13 of 0 or 1 still plots on a logit axis


def _axes(ax):
    # A bare Figure (not pyplot.figure), labels as plain text: see beliefs.plots.axes.new_axes.
    return new_axes(ax, figsize=(7, 4.5))


def plot_prior_robustness(result, ax=None):
    """Posterior against prior (both on a logit axis), the no-evidence diagonal, and the user's prior."""
    fig, ax = _axes(ax)
    priors, posts = result.priors, result.posteriors
    ax.plot(priors, posts, color=_FOR if result.log_lr >= 0 else _AGAINST, label="posterior")
    ax.plot(priors, priors, color=_NEUTRAL, linestyle="--", linewidth=1, label="no evidence")
    i = result.user_index
    ax.plot(
        [priors[i]], [posts[i]], "o", color="black", label=f"your prior {priors[i]:.3g} -> {posts[i]:.3g}"
    )
    if result.compare_priors:
        others = list(result.compare_priors)
        ax.plot(
            others,
            [result.posterior_at(q) for q in others],
            "s",
            color=_NEUTRAL,
            fillstyle="none",
            label="other priors: " + ", ".join(f"{q:.3g} -> {result.posterior_at(q):.3g}" for q in others),
        )
    ax.set_xscale("logit", one_half="0.5")
    ax.set_yscale("logit", one_half="0.5")
    ax.set_xlabel("prior P(H)")
    ax.set_ylabel("posterior P(H | evidence)")
    ax.set_title(f"Robustness to the prior (evidence {bits(result.log_lr):+.2f} bits)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return fig


def plot_data_robustness(result, ax=None, *, value: str = "posterior"):
    """Heat map of P(H | data) (``value="posterior"``) or log10 BF (``"log10_bf"``) over the
    two hypotheses' prior mean rates, with the user's choice marked."""
    fig, ax = _axes(ax)
    if value == "posterior":
        z, label, cmap, vmin, vmax = result.posterior, "P(H | data)", "RdBu_r", 0.0, 1.0
    elif value == "log10_bf":
        z = result.log_bf / LN10
        lim = float(np.max(np.abs(z))) or 1.0
        label, cmap, vmin, vmax = "log10 BF (H : not H)", "RdBu_r", -lim, lim
    else:
        from beliefs.errors import InputError

        raise InputError("value", value, "'posterior' or 'log10_bf'")
    mesh = ax.pcolormesh(
        result.h_means, result.not_h_means, z, shading="nearest", cmap=cmap, vmin=vmin, vmax=vmax
    )
    fig.colorbar(mesh, ax=ax, label=label)
    ax.plot(
        [result.rate_if_h.mean],
        [result.rate_if_not_h.mean],
        marker="*",
        markersize=14,
        color="gold",
        markeredgecolor="black",
        linestyle="none",
        label=f"your choice: P(H | data) = {result.posterior_at_choice:.3g}",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(
        f"prior mean covert-action rate if H (a+b = {result.rate_if_h.alpha + result.rate_if_h.beta:g})"
    )
    ax.set_ylabel(
        f"prior mean rate if not H (a+b = {result.rate_if_not_h.alpha + result.rate_if_not_h.beta:g})"
    )
    ax.set_title("Bayes-factor robustness check")
    ax.legend(loc="upper left", fontsize="small")
    return fig


def plot_sequential(result, ax=None):
    """Posterior after each step (logit axis), with the threshold line if one was set."""
    fig, ax = _axes(ax)
    steps = np.arange(len(result.log_odds))
    log_odds = np.asarray(result.log_odds, dtype=float)
    # A logit axis needs probabilities strictly inside (0, 1) as floats; ratios like 5e-324 and 1e308 in one
    # ledger push P(H) to exactly 0 or 1, so such ledgers are drawn as log10 odds on a linear axis instead.
    on_logit = bool(np.all(np.abs(log_odds) < _LOGIT_AXIS_NATS))
    y = np.asarray(result.probabilities) if on_logit else log_odds / LN10
    ax.plot(steps, y, marker="o", color=_FOR, label="posterior")
    if result.threshold is not None:
        ax.axhline(
            result.threshold if on_logit else math.log10(result.threshold / (1 - result.threshold)),
            color=_NEUTRAL,
            linestyle="--",
            linewidth=1,
            label=f"threshold {result.threshold:g}",
        )
        remaining = result.remaining_log_lr
        if result.crossed_at is None:
            ax.annotate(
                f"still needed: {bits(remaining):+.2f} bits (LR {math.exp(max(min(remaining, 700), -700)):.3g})",
                xy=(steps[-1], y[-1]),
                xytext=(0.02, 0.95),
                textcoords="axes fraction",
                fontsize="small",
                va="top",
            )
    if on_logit:
        ax.set_yscale("logit", one_half="0.5")
    ax.set_xticks(steps, [_short(lbl) for lbl in result.labels], rotation=30, ha="right", fontsize="small")
    ax.set_ylabel("P(H)" if on_logit else "log10 odds of H")
    ax.set_title("Sequential analysis")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return fig


def plot_count_needed(result, ax=None):
    """Posterior for each number k' of covert actions in the further rollouts, with the target."""
    fig, ax = _axes(ax)
    ks = np.arange(len(result.log_odds_by_k))
    post = np.array([probability(float(x)) for x in result.log_odds_by_k])
    ax.plot(ks, post, drawstyle="steps-mid", color=_FOR, label="P(H) after k' of n'")
    ax.axhline(result.target, color=_NEUTRAL, linestyle="--", linewidth=1, label=f"target {result.target:g}")
    if result.k_needed is not None:
        ax.axvline(result.k_needed, color="black", linewidth=1, label=f"k' = {result.k_needed}")
    ax.set_yscale("logit", one_half="0.5")
    ax.set_xlabel(f"covert actions k' in {result.n_new} further rollouts")
    ax.set_ylabel("P(H)")
    ax.set_title(result.message(), fontsize="small")
    ax.legend(loc="best", fontsize="small")
    return fig


def plot_tornado(result, ax=None):
    """One bar per input from its low to its high posterior shift (percentage points), largest on top."""
    fig, ax = _axes(ax)
    rows = result.rows()
    y = np.arange(len(rows))[::-1]
    low = [r["low_shift_pp"] for r in rows]
    high = [r["high_shift_pp"] for r in rows]
    ax.barh(y, low, color=_AGAINST, label=f"input / {result.factor:g}")
    ax.barh(y, high, color=_FOR, label=f"input x {result.factor:g}")
    ax.axvline(0, color="black", linewidth=1)
    ax.set_yticks(y, [_short(r["label"]) for r in rows], fontsize="small")
    ax.set_xlabel(f"change in posterior (percentage points; base {100 * result.posterior:.3g}%)")
    ax.set_title(f"Tornado: each input off by a factor of {result.factor:g} ({result.mode})")
    if result.mode == "strength":  # a zero-width bar is the mode's definition, not a finding: say so on it
        for yi, r in zip(y, rows, strict=True):
            if r["low_posterior"] == r["high_posterior"]:
                ax.annotate("0 by construction", (0, yi), xytext=(4, 0),
                            textcoords="offset points", va="center", fontsize="small")  # fmt: skip
    if result.notes and result.mode == "ratio":
        ax.text(0.5, -0.2, "all bars equal by construction: use --mode stated to rank items",
                transform=ax.transAxes, ha="center", fontsize="small")  # fmt: skip
    ax.legend(loc="lower right", fontsize="small")
    return fig


def plot_tornado_stated(result, ax=None):
    """Each item's posterior range over its own stated uncertainty (percentage points), widest on top; x = without it."""
    fig, ax = _axes(ax)
    rows = result.rows()
    y = np.arange(len(rows))[::-1]
    low = [min(r["low_shift_pp"], r["high_shift_pp"]) for r in rows]
    high = [max(r["low_shift_pp"], r["high_shift_pp"]) for r in rows]
    ax.barh(y, low, color=_AGAINST, label="low end of its range")
    ax.barh(y, high, color=_FOR, label="high end of its range")
    ax.scatter([r["loo_shift_pp"] for r in rows], y, marker="x", color="black", zorder=3, label="item left out")
    ax.axvline(0, color="black", linewidth=1)
    ax.set_yticks(y, [_short(f"{r['label']} ({r['range_rule']})") for r in rows], fontsize="small")
    ax.set_xlabel(f"change in posterior (percentage points; base {100 * result.posterior:.4g}%)")
    ax.set_title(f"Each item over its own {100 * result.interval:g}% range; × = item left out", fontsize="medium")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, fontsize="small", frameon=False)
    return fig


def plot_dependence(result, ax=None):
    """Naive and adjusted evidence per dependence group (bits), side by side."""
    fig, ax = _axes(ax)
    rows = result.rows()
    y = np.arange(len(rows))[::-1]
    h = 0.38
    ax.barh(
        y + h / 2, [r["naive_bits"] for r in rows], height=h, color=_REFERENCE, label="naive (independent)"
    )
    ax.barh(y - h / 2, [r["adjusted_bits"] for r in rows], height=h, color=_FOR, label="adjusted")
    ax.axvline(0, color="black", linewidth=1)
    names = [r["group"] if r["method"] == "independent" else f"{r['group']} ({r['method']})" for r in rows]
    ax.set_yticks(y, [_short(name) for name in names], fontsize="small")
    ax.set_xlabel("evidence (bits)")
    ax.set_title(
        f"Dependence: naive {100 * result.naive.posterior:.3g}% vs adjusted {100 * result.adjusted.posterior:.3g}%"
    )
    ax.legend(loc="best", fontsize="small")
    return fig


def plot_crux(result, ax=None):
    """Each part of the gap between the two viewpoints (bits), largest first, and the total."""
    fig, ax = _axes(ax)
    names = ("prior", *result.part_labels())
    parts = [bits(x) for x in result.parts]
    order = sorted(range(len(parts)), key=lambda i: -abs(parts[i]))
    labels = [_short(names[i]) for i in order] + ["total"]
    values = [parts[i] for i in order] + [result.total_bits]
    colors = [_FOR if v >= 0 else _AGAINST for v in values[:-1]] + ["black"]
    y = np.arange(len(values))[::-1]
    ax.barh(y, values, color=colors)
    ax.axvline(0, color="black", linewidth=1)
    ax.set_yticks(y, labels, fontsize="small")
    a, b = result.names
    ax.set_xlabel(f"bits toward H: {a} minus {b}")
    ax.set_title(f"Crux: {a} {100 * result.a.posterior:.3g}% vs {b} {100 * result.b.posterior:.3g}%")
    return fig


def plot_pool(result, ax=None):
    """Individual forecasts (logit axis, marker size by weight) and the two pools."""
    fig, ax = _axes(ax)
    ps = np.asarray(result.probabilities)
    ws = np.asarray(result.weights)
    sizes = 30 + 120 * ws / ws.max()
    ax.scatter(ps, np.zeros_like(ps), s=sizes, color=_NEUTRAL, alpha=0.7, label="forecasts", zorder=3)
    ax.axvline(
        result.geometric_mean_odds,
        color=_FOR,
        linewidth=2,
        label=f"geometric mean of odds {result.geometric_mean_odds:.3g}"
        + (f" (extremized x{result.extremize:g})" if result.extremize != 1 else ""),
    )
    ax.axvline(
        result.arithmetic_mean,
        color=_AGAINST,
        linewidth=2,
        linestyle="--",
        label=f"arithmetic mean {result.arithmetic_mean:.3g}",
    )
    ax.set_xscale("logit", one_half="0.5")
    ax.set_yticks([])
    ax.set_xlabel("P(H)")
    ax.set_title(f"Pooling {len(ps)} forecasts")
    ax.legend(loc="upper left", fontsize="small")
    return fig


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
