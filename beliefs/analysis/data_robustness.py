"""Bayes-factor robustness check for covert-action counts, under the model the data page uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from beliefs.analysis._common import BETA_FIELDS, Table, counts_arrays, open_probability
from beliefs.bf_map import BayesFactorMap, bayes_factor_map
from beliefs.counts import counts_log_bf
from beliefs.datasets import POOLING_WORDS
from beliefs.evidence import BetaDist
from beliefs.format import format_probability
from beliefs.odds import LN10
from beliefs.rate_priors import PointRate, RatePrior, parse_rate_prior
from beliefs.reproduce import derived_count
from beliefs.update import update_by_log_bf
from beliefs.validation import as_count


@dataclass(frozen=True, eq=False)
class DataRobustness(Table):
    r"""Log Bayes factor and posterior over a grid of the two hypotheses' prior mean rates, one model.

    The mean grid is the Bayes-factor map (:func:`beliefs.bf_map.bayes_factor_map`): each hypothesis
    keeps its spread (a Beta's concentration :math:`\kappa = a + b`; a point stays a point) and the
    grid varies the mean :math:`m`, so :math:`a = m\kappa,\ b = (1-m)\kappa`.
    ``log_bf[j, i]`` is for ``not_h_means[j]`` and ``h_means[i]``.

    The means are not the only unpublished choice: ``spreads`` holds the factor at the chosen means
    with each hypothesis's concentration multiplied by :data:`SPREAD_FACTORS`, and ``sample_sizes``
    with every environment's rollouts multiplied by :data:`N_FACTORS` at the same rates
    (:math:`k' = \operatorname{round}(k f)`, :math:`n' = \operatorname{round}(n f)`), as for an
    assumed n.  ``pooling`` is the model of every one of these factors (:attr:`model`).
    """

    prior: float
    rate_if_h: RatePrior
    rate_if_not_h: RatePrior
    pooling: str
    map: BayesFactorMap
    spreads: tuple[dict, ...] = ()  # {"h_spread_factor", "not_h_spread_factor", "log10_bf", "posterior"}
    sample_sizes: tuple[dict, ...] = ()  # {"n_factor", "log10_bf", "posterior"}

    @property
    def model(self) -> str:
        """The model in words, for titles: every factor here is computed with it."""
        return POOLING_WORDS[self.pooling]

    @property
    def h_means(self) -> np.ndarray:
        return np.asarray(self.map.h_means)

    @property
    def not_h_means(self) -> np.ndarray:
        return np.asarray(self.map.not_h_means)

    @property
    def log_bf(self) -> np.ndarray:
        """nats, shape (len(not_h_means), len(h_means))."""
        return self.map.log_bf.T

    @property
    def log_bf_at_choice(self) -> float:
        return self.map.log_bf_at_choice

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

    @property
    def posterior_text_at_choice(self) -> str:
        """P(H | data) at the user's choice in the project's one format (never "1" for 1 - 1e-9)."""
        return format_probability(update_by_log_bf(self.prior, self.log_bf_at_choice).posterior_log_odds)

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
        def prior_list(p):
            return ["point", p.rate] if isinstance(p, PointRate) else [p.alpha, p.beta]

        return {
            "prior": self.prior,
            "pooling": self.pooling,
            "model": self.model,
            "rate_if_h": prior_list(self.rate_if_h),
            "rate_if_not_h": prior_list(self.rate_if_not_h),
            "log10_bf_at_choice": self.log_bf_at_choice / LN10,
            "posterior_at_choice": self.posterior_at_choice,
            "grid": self.rows(),
            "spreads": [dict(r) for r in self.spreads],
            "sample_sizes": [dict(r) for r in self.sample_sizes],
            "log10_bf_span": list(self.log10_bf_span),
        }


def data_robustness(
    k: object,
    n: object,
    prior: object,
    rate_if_h: BetaDist | PointRate | tuple | str,
    rate_if_not_h: BetaDist | PointRate | tuple | str,
    *,
    pooling: str = "partial",
    kappa=None,
    h_means: Sequence[float] | None = None,
    not_h_means: Sequence[float] | None = None,
    n_grid: int | None = None,
) -> DataRobustness:
    r"""Bayes-factor robustness check for covert-action counts under ``pooling`` (the data page's model).

    The mean grid is :func:`beliefs.bf_map.bayes_factor_map` (``n_grid`` means per axis, geometric from
    0.1% to 50% and widened to the user's choice, or the given ``h_means`` / ``not_h_means``); every other
    factor is :func:`beliefs.counts.counts_log_bf` with the same model and spread prior ``kappa``.
    """
    from beliefs.bf_map import DEFAULT_GRID

    kk, nn = counts_arrays(k, n)
    p = open_probability(prior, "prior")
    h = parse_rate_prior(rate_if_h, "rate_if_h", names=BETA_FIELDS)
    not_h = parse_rate_prior(rate_if_not_h, "rate_if_not_h", names=BETA_FIELDS)
    size = as_count(DEFAULT_GRID if n_grid is None else n_grid, "n_grid", minimum=2, maximum=1000)
    grid = bayes_factor_map(kk, nn, h, not_h, pooling=pooling, kappa=kappa, grid=size,
                            h_means=h_means, not_h_means=not_h_means)  # fmt: skip

    def row(log_bf_nats: float, **where) -> dict:
        updated = update_by_log_bf(p, log_bf_nats)
        return {**where, "log10_bf": log_bf_nats / LN10, "posterior": updated.posterior,
                "posterior_log_odds": updated.posterior_log_odds}  # fmt: skip

    def factor(k_, n_, h_, nh_) -> float:
        return counts_log_bf(k_, n_, h_, nh_, pooling, kappa_h=kappa, kappa_not_h=kappa)

    spreads = tuple(
        row(factor(kk, nn, _scaled(h, fh), _scaled(not_h, fn)), h_spread_factor=fh, not_h_spread_factor=fn)
        for fh in SPREAD_FACTORS
        for fn in SPREAD_FACTORS
        if not ((isinstance(h, PointRate) and fh != 1.0) or (isinstance(not_h, PointRate) and fn != 1.0))
    )
    sizes = []
    for f in N_FACTORS:
        k_f = np.array([derived_count(x, 1) for x in kk * f], dtype=float)  # round half to even, exactly
        n_f = np.maximum(np.array([derived_count(x, 1) for x in nn * f], dtype=float), k_f)
        sizes.append(row(factor(k_f, n_f, h, not_h), n_factor=f))
    return DataRobustness(prior=p, rate_if_h=h, rate_if_not_h=not_h, pooling=pooling, map=grid, spreads=spreads,
                          sample_sizes=tuple(sizes))  # fmt: skip


SPREAD_FACTORS = (0.1, 1.0, 10.0)  # each hypothesis's concentration a + b times these
N_FACTORS = (0.316, 1.0, 3.16)  # every environment's rollouts times these (100 / 316 / 1000 around 316)


def _scaled(b: RatePrior, factor: float) -> RatePrior:
    """The same mean, concentration times ``factor`` (a point has no spread to scale)."""
    if isinstance(b, PointRate):
        return b
    return BetaDist(b.alpha * factor, b.beta * factor)


def plot_data_robustness(result: DataRobustness) -> dict:
    """log10 BF over the two hypotheses' prior mean rates, the neutral line and the user's choice marked,
    P(H | data) at this result's prior in each cell's tooltip: the Bayes-factor map's one chart
    (:func:`beliefs.bf_map.plot_bayes_factor_map`), as the app's pages and the command line draw it.
    """
    from beliefs.bf_map import plot_bayes_factor_map

    return plot_bayes_factor_map(result.map, prior=result.prior)
