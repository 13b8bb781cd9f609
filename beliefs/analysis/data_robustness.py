"""Bayes-factor robustness check for covert-action counts (no pooling)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import betaln

from beliefs.analysis._common import BETA_FIELDS, Table, counts_arrays, open_probability
from beliefs.counts import no_pooling_log_bf
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, parse_beta
from beliefs.odds import LN10
from beliefs.reproduce import derived_count
from beliefs.update import update_by_log_bf
from beliefs.validation import as_count


@dataclass(frozen=True, eq=False)
class DataRobustness(Table):
    r"""Log Bayes factor and posterior over a grid of the two hypotheses' prior mean rates.

    Each hypothesis keeps its concentration :math:`\kappa = a + b`; the grid varies
    the prior mean :math:`m`, so :math:`a = m\kappa,\ b = (1-m)\kappa`.
    ``log_bf[j, i]`` is for ``not_h_means[j]`` and ``h_means[i]``.

    The means are not the only unpublished choice: ``spreads`` holds the factor at
    the chosen means with each hypothesis's concentration multiplied by
    :data:`SPREAD_FACTORS` (a wider or narrower prior; with no pooling the width
    alone can decide the factor), and ``sample_sizes`` with every environment's
    rollouts multiplied by :data:`N_FACTORS` at the same rates
    (:math:`k' = \operatorname{round}(k f)`, :math:`n' = \operatorname{round}(n f)`),
    as for an assumed n.
    """

    prior: float
    rate_if_h: BetaDist
    rate_if_not_h: BetaDist
    h_means: np.ndarray
    not_h_means: np.ndarray
    log_bf: np.ndarray  # nats, shape (len(not_h_means), len(h_means))
    log_bf_at_choice: float
    spreads: tuple[dict, ...] = ()  # {"h_spread_factor", "not_h_spread_factor", "log10_bf", "posterior"}
    sample_sizes: tuple[dict, ...] = ()  # {"n_factor", "log10_bf", "posterior"}

    @property
    def log10_bf_span(self) -> tuple[float, float]:
        """[low, high] of log10 BF over the means grid, the spreads and the sample sizes together."""
        values = [float(self.log_bf.min() / LN10), float(self.log_bf.max() / LN10)]
        values += [r["log10_bf"] for r in (*self.spreads, *self.sample_sizes)]
        return min(values), max(values)

    @property
    def posterior(self) -> np.ndarray:
        # Every cell through update(), like every other posterior (about 2 ms per 100 cells).
        return np.vectorize(lambda x: update_by_log_bf(self.prior, float(x)).posterior, otypes=[float])(self.log_bf)

    @property
    def posterior_at_choice(self) -> float:
        return update_by_log_bf(self.prior, self.log_bf_at_choice).posterior

    def rows(self) -> list[dict]:
        post = self.posterior
        return [
            {
                "h_mean_rate": float(hm),
                "not_h_mean_rate": float(nm),
                "log10_bf": float(self.log_bf[j, i] / LN10),
                "posterior": float(post[j, i]),
            }
            for j, nm in enumerate(self.not_h_means)
            for i, hm in enumerate(self.h_means)
        ]

    def to_dict(self) -> dict:
        return {
            "prior": self.prior,
            "rate_if_h": [self.rate_if_h.alpha, self.rate_if_h.beta],
            "rate_if_not_h": [self.rate_if_not_h.alpha, self.rate_if_not_h.beta],
            "log10_bf_at_choice": self.log_bf_at_choice / LN10,
            "posterior_at_choice": self.posterior_at_choice,
            "grid": self.rows(),
            "spreads": [dict(r) for r in self.spreads],
            "sample_sizes": [dict(r) for r in self.sample_sizes],
            "log10_bf_span": list(self.log10_bf_span),
        }


def _mean_grid(values: object, field: str, default: np.ndarray, choice: float) -> np.ndarray:
    if values is None:
        lo, hi = min(default[0], choice), max(default[-1], choice)
        return np.geomspace(lo, hi, len(default))
    raw = list(values) if isinstance(values, (list, tuple, np.ndarray)) else [values]
    if not raw:
        raise InputError(field, values, "a non-empty list of prior mean rates in (0, 1)")
    out = [open_probability(v, f"{field}[{i}]") for i, v in enumerate(raw)]
    return np.asarray(sorted(out), dtype=float)


def data_robustness(
    k: object,
    n: object,
    prior: object,
    rate_if_h: BetaDist | tuple,
    rate_if_not_h: BetaDist | tuple,
    *,
    h_means: Sequence[float] | None = None,
    not_h_means: Sequence[float] | None = None,
    n_grid: int = 41,
) -> DataRobustness:
    r"""Bayes-factor robustness check for covert-action counts (the Bayes factor is :func:`beliefs.counts.no_pooling_log_bf`).

    Varies the prior mean rate under H and under not H over a grid (geometric
    from 0.001 to 0.5 by default, widened to include the user's choice), each
    hypothesis keeping its own concentration :math:`a+b`.
    """
    kk, nn = counts_arrays(k, n)
    p = open_probability(prior, "prior")
    h = parse_beta(rate_if_h, "rate_if_h", names=BETA_FIELDS)
    not_h = parse_beta(rate_if_not_h, "rate_if_not_h", names=BETA_FIELDS)
    size = as_count(n_grid, "n_grid", minimum=2, maximum=1000)
    default = np.geomspace(1e-3, 0.5, size)
    hm = _mean_grid(h_means, "h_means", default, h.mean)
    nm = _mean_grid(not_h_means, "not_h_means", default, not_h.mean)

    def log_ml(means: np.ndarray, kappa: float) -> np.ndarray:
        a = (means * kappa)[:, None]
        b = ((1.0 - means) * kappa)[:, None]
        return np.sum(betaln(kk[None, :] + a, nn[None, :] - kk[None, :] + b) - betaln(a, b), axis=1)

    log_bf = log_ml(hm, h.alpha + h.beta)[None, :] - log_ml(nm, not_h.alpha + not_h.beta)[:, None]

    def row(log_bf_nats: float, **where) -> dict:
        updated = update_by_log_bf(p, log_bf_nats)
        return {**where, "log10_bf": log_bf_nats / LN10, "posterior": updated.posterior,
                "posterior_log_odds": updated.posterior_log_odds}  # fmt: skip

    spreads = tuple(
        row(no_pooling_log_bf(kk, nn, _scaled(h, fh), _scaled(not_h, fn)), h_spread_factor=fh, not_h_spread_factor=fn)
        for fh in SPREAD_FACTORS
        for fn in SPREAD_FACTORS
    )
    sizes = []
    for f in N_FACTORS:
        k_f = np.array([derived_count(x, 1) for x in kk * f], dtype=float)  # round half to even, exactly
        n_f = np.maximum(np.array([derived_count(x, 1) for x in nn * f], dtype=float), k_f)
        sizes.append(row(no_pooling_log_bf(k_f, n_f, h, not_h), n_factor=f))
    return DataRobustness(prior=p, rate_if_h=h, rate_if_not_h=not_h, h_means=hm, not_h_means=nm, log_bf=log_bf,
                          log_bf_at_choice=no_pooling_log_bf(kk, nn, h, not_h), spreads=spreads,
                          sample_sizes=tuple(sizes))  # fmt: skip


SPREAD_FACTORS = (0.1, 1.0, 10.0)  # each hypothesis's concentration a + b times these
N_FACTORS = (0.316, 1.0, 3.16)  # every environment's rollouts times these (100 / 316 / 1000 around 316)


def _scaled(b: BetaDist, factor: float) -> BetaDist:
    """The same mean, concentration times ``factor``."""
    return BetaDist(b.alpha * factor, b.beta * factor)


def plot_data_robustness(result: DataRobustness, *, value: str = "posterior") -> dict:
    """Heat map of P(H | data) (``value="posterior"``) or log10 BF (``"log10_bf"``) over the
    two hypotheses' prior mean rates, with the user's choice marked.

    Returns the Vega-Lite spec (:func:`beliefs.plots.heatmap.heat_map`).
    """
    from beliefs.format import format_probability
    from beliefs.plots.heatmap import heat_map

    if value == "posterior":
        z, label, domain, fmt = result.posterior, "P(H | data)", (0.0, 1.0), ".4~%"
    elif value == "log10_bf":
        z = result.log_bf / LN10
        lim = float(np.max(np.abs(z))) or 1.0
        label, domain, fmt = "log10 BF (H : not H)", (-lim, lim), "+.3f"
    else:
        from beliefs.errors import InputError

        raise InputError("value", value, "'posterior' or 'log10_bf'")
    h, nh = result.rate_if_h, result.rate_if_not_h
    chosen = update_by_log_bf(result.prior, result.log_bf_at_choice)  # as posterior_at_choice, kept in log-odds
    return heat_map(
        result.h_means,
        result.not_h_means,
        z.tolist(),
        x_title=f"prior mean covert-action rate if H (a+b = {h.alpha + h.beta:g})",
        y_title=f"prior mean rate if not H (a+b = {nh.alpha + nh.beta:g})",
        value_title=label,
        domain=domain,
        value_format=fmt,
        chart_title="Bayes-factor robustness check",
        # In words, not a ◆: a glyph outside the chart font brings a second font into the PDF, whose bytes then vary.
        # From the log-odds: a posterior of 1 - 1e-20 is 1.0 as a float, which would read "100% (certain)".
        subtitle=f"your choice (the diamond): P(H | data) = {format_probability(chosen.posterior_log_odds)}",
        marker=(h.mean, nh.mean, "your choice"),
    )
