"""Figures for the covert-action models and the Beta elicitation.

Each function only draws what a result object already holds (no modelling
here), takes ``ax=None`` and returns the matplotlib ``Figure``.  matplotlib is
imported inside the functions with the non-interactive Agg backend, so
importing this module costs nothing and works without a display.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["plot_before_after", "plot_counts_update", "plot_elicited_beta", "plot_rate_priors"]


def _axes(ax):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from beliefs.plots.axes import plain_text_only

    plain_text_only()

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
    else:
        fig = ax.figure
    return fig, ax


def plot_rate_priors(rate_if_h, rate_if_not_h, k=None, n=None, ax=None):
    """Densities of the two hypotheses' rate priors, with the observed rates k/n as ticks."""
    from models.covert_actions import check_beta

    bh = check_beta(rate_if_h, "rate_if_h")
    bn = check_beta(rate_if_not_h, "rate_if_not_h")
    fig, ax = _axes(ax)
    hi = max(stats.beta.ppf(0.995, bh.alpha, bh.beta), stats.beta.ppf(0.995, bn.alpha, bn.beta))
    x = np.linspace(1e-6, min(1.0, hi * 1.1) - 1e-9, 400)
    ax.plot(x, stats.beta.pdf(x, bh.alpha, bh.beta), label=f"if H: Beta({bh.alpha:g}, {bh.beta:g})")
    ax.plot(x, stats.beta.pdf(x, bn.alpha, bn.beta), label=f"if not H: Beta({bn.alpha:g}, {bn.beta:g})")
    if k is not None and n is not None:
        rates = [kj / nj for kj, nj in zip(k, n, strict=True) if nj > 0]
        ax.plot(rates, np.zeros(len(rates)), "|", color="k", markersize=14, label="observed k/n")
    ax.set_xlabel("per-environment covert-action rate")
    ax.set_ylabel("prior density")
    ax.legend(frameon=False)
    return fig


def plot_counts_update(exact=None, mcmc=None, prior=None, ax=None):
    """Prior and posterior P(H): exact value as a bar, MCMC estimate with a 2 x MCSE error bar.

    A non-converged MCMC estimate is drawn hatched and labelled so.
    """
    fig, ax = _axes(ax)
    labels, values = [], []
    p0 = prior if prior is not None else (exact.prior if exact is not None else None)
    if p0 is not None:
        labels.append("prior")
        values.append(p0)
    if exact is not None:
        labels.append(f"posterior ({exact.method})")
        values.append(exact.posterior)
    ax.bar(range(len(values)), values, color=["0.7"] + ["C0"] * (len(values) - 1))
    if mcmc is not None and mcmc.sampled:
        x = len(values)
        ok = not mcmc.warnings
        ax.bar(x, mcmc.posterior, color="C1", hatch=None if ok else "//", alpha=1.0 if ok else 0.5)
        ax.errorbar(x, mcmc.posterior, yerr=2 * mcmc.mcse, color="k", capsize=4)
        labels.append("MCMC" + ("" if ok else " (NOT CONVERGED)"))
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylim(0, 1)
    ax.set_ylabel("P(H)")
    return fig


def plot_before_after(result, ax=None):
    """Per-evaluation posterior medians and 90% intervals before and after training (log scale)."""
    fig, ax = _axes(ax)
    res = result.result
    for name, colour, offset in (("rate_before", "C3", -0.15), ("rate_after", "C2", 0.15)):
        draws = res.draws(name)
        flat = draws.reshape(-1, draws.shape[-1])
        lo, mid, hi = np.quantile(flat, [0.05, 0.5, 0.95], axis=0)
        x = np.arange(flat.shape[1]) + offset
        ax.errorbar(x, mid, yerr=[mid - lo, hi - mid], fmt="o", color=colour, label=name.replace("_", " "), ms=3)
    ax.set_yscale("log")
    ax.set_xlabel("evaluation")
    ax.set_ylabel("covert-action rate (median, 90% interval)")
    ax.axhline(result.threshold, color="0.5", ls=":", lw=1, label=f"threshold {result.threshold:g}")
    ax.legend(frameon=False)
    return fig


def plot_elicited_beta(elicited, ax=None):
    """The elicited Beta's density with the interval [lower, upper] shaded."""
    fig, ax = _axes(ax)
    a, b = elicited.alpha, elicited.beta
    x = np.linspace(stats.beta.ppf(1e-4, a, b), stats.beta.ppf(1 - 1e-4, a, b), 400)
    y = stats.beta.pdf(x, a, b)
    ax.plot(x, y, color="C0", label=f"Beta({a:.3g}, {b:.3g})")
    inside = (x >= elicited.lower) & (x <= elicited.upper)
    ax.fill_between(x[inside], y[inside], alpha=0.3, color="C0", label=f"{100 * elicited.mass:.1f}% in interval")
    ax.set_xlabel("rate")
    ax.set_ylabel("density")
    ax.legend(frameon=False)
    return fig
