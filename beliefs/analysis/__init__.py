r"""What would change my mind, and where do we disagree.

Sensitivity and disagreement analyses on top of :func:`beliefs.update.update`.
Everything happens in log-odds (nats), where Bayes' rule is a sum:

.. math::

    \lambda_{\text{post}} = \lambda_{\text{prior}} + \sum_i w_i \ln \mathrm{LR}_i .

* :func:`prior_robustness` -- the posterior over a log-odds-spaced grid of priors.
* :func:`data_robustness` -- for covert-action counts (``k_i`` of ``n_i`` per
  environment), the Bayes factor over a grid of the two hypotheses' Beta priors
  on the rate (no pooling), like JASP's Bayes-factor robustness check.
* :func:`sequential` / :func:`sequential_data` -- the posterior after each item
  or data batch, and the evidence still needed to cross a threshold.
* :func:`needed` / :func:`needed_count` -- reverse Bayes: the likelihood ratio,
  or the number of covert actions in further rollouts, that would move a prior
  to a target.
* :func:`tornado` -- how far the posterior moves when each ratio, or the prior
  odds, is off by a factor.
* :func:`dependence` -- naive (independent) versus dependence-adjusted posterior.
* :func:`crux` -- the gap between two viewpoints split exactly into a prior part
  and one part per item.
* :func:`pool` -- pooling forecasters by the geometric mean of odds.

Each result has ``rows()``, ``to_csv()`` and ``to_frame()`` (the data behind its
plot in :mod:`beliefs.analysis_plots`) and ``to_dict()`` (JSON-ready).  Priors
and targets of exactly 0 or 1 are refused with an explanation: such beliefs are
certain and no evidence can move them (Cromwell's rule).

This module uses NumPy and SciPy only; it imports neither PyMC nor matplotlib.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from scipy.special import betaln, gammaln

from beliefs.counts import (
    check_beta,
    check_counts,
    env_log_bf,
    grid_log_bf,
    no_pooling_log_bf,
)
from beliefs.errors import CertaintyError, InputError
from beliefs.evidence import BetaDist, Evidence
from beliefs.format import format_odds, format_probability
from beliefs.io.csvfile import to_csv
from beliefs.odds import LN10, bits, decibels, log_odds, odds_from_log_odds, probability
from beliefs.reproduce import derived_count
from beliefs.tables import NotebookRepr
from beliefs.update import UpdateResult, cromwell_note, update, update_by_log_bf
from beliefs.validation import as_count, as_float, as_positive, as_probability

__all__ = [
    "CountNeeded",
    "CruxResult",
    "DataRobustness",
    "DependenceResult",
    "NeededResult",
    "PoolResult",
    "PriorRobustness",
    "SequentialResult",
    "StatedTornadoResult",
    "TornadoResult",
    "covert_log_bf",
    "crux",
    "crux_from_results",
    "data_robustness",
    "dependence",
    "log_marginal_likelihood",
    "needed",
    "needed_count",
    "parse_forecasts_csv",
    "pool",
    "prior_robustness",
    "sequential",
    "sequential_data",
    "tornado",
    "tornado_stated",
]

_CERTAIN_HINT = cromwell_note(of="probability")


# -- shared helpers -----------------------------------------------------------------------------


def _open_probability(value: object, field: str) -> float:
    """A probability strictly inside (0, 1); 0 and 1 get the Cromwell explanation."""
    p = as_probability(value, field)
    if p in (0.0, 1.0):
        raise CertaintyError(field, value, "a probability strictly between 0 and 1", hint=_CERTAIN_HINT)
    return p


def _evidence_list(evidence: Iterable[Evidence | float], field: str = "evidence") -> list[Evidence]:
    items: list[Evidence] = []
    for i, e in enumerate(evidence):
        if isinstance(e, Evidence):
            items.append(e)
        else:
            lr = as_positive(e, f"{field}[{i}]", "an Evidence item or a likelihood ratio > 0")
            items.append(Evidence(label=f"LR {lr:g}", likelihood_ratio=lr))
    return items


class _Table(NotebookRepr):
    """Mixin: a result that is a table of rows (the data behind its plot)."""

    def rows(self) -> list[dict]:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def to_csv(self) -> str:
        """The rows as CSV text; floats are written with ``repr`` so they read back exactly."""
        rows = self.rows()
        columns = self._columns(rows)
        return to_csv([columns, *([row.get(c) for c in columns] for row in rows)])

    def to_frame(self):
        """The rows as a :class:`pandas.DataFrame` (pandas imported on first use)."""
        import pandas as pd

        rows = self.rows()
        return pd.DataFrame(rows, columns=self._columns(rows))

    # Column names for a table with no rows (only a ledger without evidence has none).
    _EMPTY_COLUMNS: tuple[str, ...] = ()

    def _columns(self, rows: list[dict]) -> list[str]:
        return list(rows[0]) if rows else list(self._EMPTY_COLUMNS)


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


# -- 3a. reverse Bayes on the odds scale ------------------------------------------------------------


@dataclass(frozen=True)
class NeededResult(NotebookRepr):
    """The evidence that moves ``prior`` exactly to ``target``."""

    prior: float
    target: float
    log_lr: float  # nats
    # t(1-p) / (p(1-t)) as one quotient, as update() forms its headline odds: 0.25 -> 0.75 is exactly 9
    linear_likelihood_ratio: float | None = None

    @property
    def likelihood_ratio(self) -> float:
        if self.linear_likelihood_ratio is not None:
            return self.linear_likelihood_ratio
        return odds_from_log_odds(self.log_lr)

    @property
    def bits(self) -> float:
        return bits(self.log_lr)

    @property
    def decibels(self) -> float:
        return decibels(self.log_lr)

    def to_dict(self) -> dict:
        return {
            "prior": self.prior,
            "target": self.target,
            "likelihood_ratio": _finite_or_none(self.likelihood_ratio),
            "log10_likelihood_ratio": self.log_lr / LN10,
            "bits": self.bits,
            "decibels": self.decibels,
        }

    def text(self) -> str:
        direction = "for" if self.log_lr >= 0 else "against"
        return (
            f"From {format_probability(log_odds(self.prior))} to {format_probability(log_odds(self.target))} "
            f"takes a likelihood ratio of {format_odds(self.log_lr)} ({direction} H): "
            f"{self.bits:+.3f} bits = {self.decibels:+.2f} dB."
        )


def needed(prior: object, target: object) -> NeededResult:
    r"""The likelihood ratio that moves ``prior`` to ``target`` (reverse Bayes).

    .. math::

        \ln \mathrm{LR} = \ln\frac{t}{1-t} - \ln\frac{p}{1-p}

    Examples
    --------
    The 3-to-1 update takes 1:3 odds (25%) to even odds:

    >>> r = needed(0.25, 0.5)
    >>> round(r.likelihood_ratio, 12), round(r.bits, 4)
    (3.0, 1.585)
    """
    p = _open_probability(prior, "prior")
    t = _open_probability(target, "target")
    log_lr = log_odds(t) - log_odds(p)
    linear = None
    if min(p, t, 1.0 - p, 1.0 - t) > _NORMAL_FLOOR and abs(log_lr) < _LINEAR_NATS:
        linear = (t * (1.0 - p)) / (p * (1.0 - t))
    return NeededResult(prior=p, target=t, log_lr=log_lr, linear_likelihood_ratio=linear)


_NORMAL_FLOOR = 1e-150  # products of two such factors stay normal doubles
_LINEAR_NATS = math.log(1e280)


# -- 1a. robustness to the prior ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PriorRobustness(_Table):
    r"""Posterior as a function of the prior, for fixed evidence ``log_lr`` (nats).

    ``prior_log_odds`` is an evenly spaced grid in log-odds (plus the user's
    prior); ``posterior_log_odds = prior_log_odds + log_lr``.
    """

    prior: float
    log_lr: float
    prior_log_odds: np.ndarray
    posterior_log_odds: np.ndarray
    user_index: int
    compare_priors: tuple[float, ...] = ()
    # update()'s own posterior at the user's prior (it may take the exact-product route).
    user_posterior: float | None = None

    @property
    def priors(self) -> np.ndarray:
        return _logistic(self.prior_log_odds)

    @property
    def posteriors(self) -> np.ndarray:
        post = _logistic(self.posterior_log_odds)
        if self.user_posterior is not None:
            post[self.user_index] = self.user_posterior
        return post

    @property
    def posterior(self) -> float:
        """The posterior at the user's prior (equal to ``update(prior, evidence).posterior``)."""
        return float(self.posteriors[self.user_index])

    def posterior_at(self, prior: object) -> float:
        """The posterior for another prior under the same evidence."""
        return probability(log_odds(_open_probability(prior, "prior")) + self.log_lr)

    def rows(self) -> list[dict]:
        pri, post = self.priors, self.posteriors
        return [
            {
                "prior": float(pri[i]),
                "prior_log_odds": float(self.prior_log_odds[i]),
                "posterior": float(post[i]),
                "posterior_log_odds": float(self.posterior_log_odds[i]),
                "is_user_prior": i == self.user_index,
            }
            for i in range(len(self.prior_log_odds))
        ]

    def to_dict(self) -> dict:
        return {
            "prior": self.prior,
            "posterior": self.posterior,
            "bits": bits(self.log_lr),
            "decibels": decibels(self.log_lr),
            "compare": [{"prior": p, "posterior": self.posterior_at(p)} for p in self.compare_priors],
            "grid": self.rows(),
        }


def _logistic(x: np.ndarray) -> np.ndarray:
    # Numerically stable for both tails, unlike 1 / (1 + exp(-x)) at x << 0.
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def prior_robustness(
    prior: object,
    evidence: Iterable[Evidence | float] = (),
    *,
    low: float = 0.001,
    high: float = 0.999,
    n_points: int = 201,
    compare_priors: Sequence[object] = (),
) -> PriorRobustness:
    r"""The posterior over a log-odds-spaced grid of priors, with the user's prior included.

    Because evidence adds a fixed :math:`L = \sum_i w_i \ln\mathrm{LR}_i` nats
    whatever the prior, the curve is the logistic function shifted by :math:`L`:

    .. math:: P(H\mid E) = \sigma\!\left(\lambda_{\text{prior}} + L\right),
              \qquad \sigma(x) = \frac{1}{1+e^{-x}} .

    The grid spans ``[low, high]`` evenly in log-odds, widened to include the
    user's prior if it lies outside.  ``compare_priors`` (other people's
    priors, say) are carried along to be marked on the curve.

    Examples
    --------
    >>> r = prior_robustness(0.25, [3.0])
    >>> round(r.posterior, 12)
    0.5
    """
    p = _open_probability(prior, "prior")
    lo = _open_probability(low, "low")
    hi = _open_probability(high, "high")
    if not lo < hi:
        raise InputError("high", high, f"a probability above low ({lo:g})")
    count = as_count(n_points, "n_points", minimum=2, maximum=100_000)
    others = tuple(_open_probability(q, f"compare_priors[{i}]") for i, q in enumerate(compare_priors))
    result = update(p, _evidence_list(evidence))
    prior_x = result.prior_log_odds
    grid = np.linspace(min(log_odds(lo), prior_x), max(log_odds(hi), prior_x), count)
    index = int(np.searchsorted(grid, prior_x))
    if index == len(grid) or grid[index] != prior_x:
        grid = np.insert(grid, index, prior_x)
    # log_lr is summed exactly as update() sums it, so the curve at the user's
    # prior reproduces update()'s posterior to the last bit.
    log_lr = math.fsum(c.weighted_log_lr for c in result.items)
    return PriorRobustness(
        prior=p,
        log_lr=log_lr,
        prior_log_odds=grid,
        posterior_log_odds=grid + log_lr,
        user_index=index,
        compare_priors=others,
        user_posterior=result.posterior,
    )


# -- covert-action data model (beta-binomial, no pooling) -----------------------------------------


_AB = (".alpha", ".beta")  # how the analyses name a Beta's parameters in errors


def _counts(k: object, n: object) -> tuple[np.ndarray, np.ndarray]:
    """Counts ``k_i <= n_i`` as float arrays (the one parser, :func:`beliefs.counts.check_counts`); none is allowed here."""
    if isinstance(k, (list, tuple, np.ndarray)) and isinstance(n, (list, tuple, np.ndarray)) and len(k) == len(n) == 0:
        return np.zeros(0), np.zeros(0)  # no data yet (reverse Bayes from the prior alone)
    kk, nn = check_counts(k, n)
    return kk.astype(float), nn.astype(float)


def log_marginal_likelihood(k: object, n: object, rate_prior: BetaDist | tuple) -> float:
    r"""Log probability (nats) of ``k_i`` covert actions in ``n_i`` rollouts, each environment's
    rate drawn independently from ``Beta(a, b)`` (no pooling): a product of beta-binomials,

    .. math::

        \ln p(k\mid a,b) = \sum_i \ln\binom{n_i}{k_i} + \ln B(k_i+a,\ n_i-k_i+b) - \ln B(a,b) .

    Examples
    --------
    Under a uniform prior every count in ``0..n`` is equally likely, ``1/(n+1)``:

    >>> round(math.exp(log_marginal_likelihood(3, 10, (1, 1))) * 11, 12)
    1.0
    """
    kk, nn = _counts(k, n)
    prior = check_beta(rate_prior, "rate_prior", names=_AB)
    log_choose = gammaln(nn + 1) - gammaln(kk + 1) - gammaln(nn - kk + 1)
    terms = log_choose + betaln(kk + prior.alpha, nn - kk + prior.beta) - betaln(prior.alpha, prior.beta)
    return math.fsum(terms.tolist())


def covert_log_bf(
    k: object, n: object, rate_if_h: BetaDist | tuple, rate_if_not_h: BetaDist | tuple
) -> float:
    r"""Log Bayes factor (nats) for H from covert-action counts, no pooling across environments.

    .. math::

        \ln \mathrm{BF} = \sum_i \left[\ln B(k_i+a_H, n_i-k_i+b_H) - \ln B(a_H,b_H)\right]
                        - \left[\ln B(k_i+a_{\lnot H}, n_i-k_i+b_{\lnot H}) - \ln B(a_{\lnot H},b_{\lnot H})\right]

    Examples
    --------
    One covert action in one rollout, rate ~ Beta(2, 1) under H (mean 2/3) and
    Beta(1, 2) under not H (mean 1/3): BF = (2/3)/(1/3) = 2.

    >>> round(math.exp(covert_log_bf(1, 1, (2, 1), (1, 2))), 12)
    2.0
    """
    return no_pooling_log_bf(k, n, rate_if_h, rate_if_not_h)


@dataclass(frozen=True, eq=False)
class DataRobustness(_Table):
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
    out = [_open_probability(v, f"{field}[{i}]") for i, v in enumerate(raw)]
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
    r"""Bayes-factor robustness check for covert-action counts (see :func:`covert_log_bf`).

    Varies the prior mean rate under H and under not H over a grid (geometric
    from 0.001 to 0.5 by default, widened to include the user's choice), each
    hypothesis keeping its own concentration :math:`a+b`.
    """
    kk, nn = _counts(k, n)
    p = _open_probability(prior, "prior")
    h = check_beta(rate_if_h, "rate_if_h", names=_AB)
    not_h = check_beta(rate_if_not_h, "rate_if_not_h", names=_AB)
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
    return DataRobustness(
        prior=p,
        rate_if_h=h,
        rate_if_not_h=not_h,
        h_means=hm,
        not_h_means=nm,
        log_bf=log_bf,
        log_bf_at_choice=no_pooling_log_bf(kk, nn, h, not_h),
        spreads=spreads,
        sample_sizes=tuple(sizes),
    )


SPREAD_FACTORS = (0.1, 1.0, 10.0)  # each hypothesis's concentration a + b times these
N_FACTORS = (0.316, 1.0, 3.16)  # every environment's rollouts times these (100 / 316 / 1000 around 316)


def _scaled(b: BetaDist, factor: float) -> BetaDist:
    """The same mean, concentration times ``factor``."""
    return BetaDist(b.alpha * factor, b.beta * factor)


# -- 2. sequential analysis -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SequentialResult(_Table):
    r"""Log-odds after each item (step 0 is the prior) and the distance to a threshold.

    ``needed_log_lr[i] = logit(threshold) - log_odds[i]``: the evidence (nats,
    signed) still needed after step ``i`` to reach the threshold.
    """

    labels: tuple[str, ...]  # "prior", then one per item
    step_log_lr: tuple[float, ...]  # nats added at each step (0 for the prior)
    log_odds: tuple[float, ...]
    threshold: float | None = None
    # update()'s own posterior for the whole ledger (it may take the exact-product route): one route to it
    final_posterior: float | None = None

    @property
    def probabilities(self) -> tuple[float, ...]:
        return tuple(probability(x) for x in self.log_odds)

    @property
    def posterior(self) -> float:
        return probability(self.log_odds[-1]) if self.final_posterior is None else self.final_posterior

    @property
    def needed_log_lr(self) -> tuple[float, ...] | None:
        if self.threshold is None:
            return None
        t = log_odds(self.threshold)
        return tuple(t - x for x in self.log_odds)

    @property
    def crossed_at(self) -> int | None:
        """First step on the other side of the threshold from the prior (None if never)."""
        if self.threshold is None:
            return None
        t = log_odds(self.threshold)
        start_above = self.log_odds[0] >= t
        for i, x in enumerate(self.log_odds):
            if (x >= t) != start_above:
                return i
        return None

    @property
    def remaining_log_lr(self) -> float | None:
        """Evidence (nats) still needed after the last step; None without a threshold."""
        need = self.needed_log_lr
        return None if need is None else need[-1]

    def rows(self) -> list[dict]:
        need = self.needed_log_lr
        out = []
        for i, (label, step, x) in enumerate(zip(self.labels, self.step_log_lr, self.log_odds, strict=True)):
            row = {
                "step": i,
                "label": label,
                "step_bits": bits(step),
                "log_odds": x,
                "probability": probability(x),
            }
            if need is not None:
                row["needed_bits"] = bits(need[i])
                row["needed_likelihood_ratio"] = odds_from_log_odds(need[i])
            out.append(row)
        return out

    def to_dict(self) -> dict:
        remaining = self.remaining_log_lr
        return {
            "threshold": self.threshold,
            "posterior": self.posterior,
            "crossed_at": self.crossed_at,
            "needed_bits": None if remaining is None else bits(remaining),
            "needed_likelihood_ratio": None
            if remaining is None
            else _finite_or_none(odds_from_log_odds(remaining)),
            "steps": self.rows(),
        }

    def text(self) -> str:
        lines = [f"{'step':>4}  {'item':<40} {'bits':>8}  posterior"]
        for r in self.rows():
            lines.append(
                f"{r['step']:>4}  {r['label'][:40]:<40} {r['step_bits']:>+8.3f}  {format_probability(r['log_odds'])}"
            )
        if self.threshold is not None:
            remaining = self.remaining_log_lr
            crossed = self.crossed_at
            lines.append("")
            where = f"crossed at step {crossed}" if crossed is not None else "not crossed"
            lines.append(f"threshold {self.threshold:g}: {where}")
            if crossed is None:
                lines.append(
                    f"still needed: {bits(remaining):+.3f} bits, a likelihood ratio of {format_odds(remaining)}"
                )
        return "\n".join(lines)


def _check_threshold(threshold: object) -> float | None:
    return None if threshold is None else _open_probability(threshold, "threshold")


def _sequential_from_nats(
    prior_x: float, labels: list[str], nats: list[float], threshold
) -> SequentialResult:
    # Each prefix sum is an fsum, so the last step equals update()'s posterior exactly.
    xs = [prior_x] + [prior_x + math.fsum(nats[: i + 1]) for i in range(len(nats))]
    return SequentialResult(
        labels=("prior", *labels),
        step_log_lr=(0.0, *nats),
        log_odds=tuple(xs),
        threshold=threshold,
    )


def sequential(
    prior: object, evidence: Iterable[Evidence | float], *, threshold: object = None
) -> SequentialResult:
    r"""The posterior after each evidence item in order (disabled items skipped).

    .. math:: \lambda_j = \lambda_0 + \sum_{i \le j} w_i \ln \mathrm{LR}_i

    Examples
    --------
    >>> r = sequential(0.2, [3.0, 2.0], threshold=0.5)
    >>> [round(p, 12) for p in r.probabilities], r.crossed_at
    ([0.2, 0.428571428571, 0.6], 2)
    """
    p = _open_probability(prior, "prior")
    t = _check_threshold(threshold)
    result = update(p, _evidence_list(evidence))
    seq = _sequential_from_nats(
        result.prior_log_odds, [c.label for c in result.items], [c.weighted_log_lr for c in result.items], t
    )
    return dataclasses.replace(seq, final_posterior=result.posterior)


def sequential_data(
    k: object,
    n: object,
    prior: object,
    rate_if_h: BetaDist | tuple,
    rate_if_not_h: BetaDist | tuple,
    *,
    threshold: object = None,
    labels: Sequence[str] | None = None,
) -> SequentialResult:
    """The posterior after each data batch (environment); batches are independent given H or not H."""
    kk, nn = _counts(k, n)
    p = _open_probability(prior, "prior")
    t = _check_threshold(threshold)
    h = check_beta(rate_if_h, "rate_if_h", names=_AB)
    not_h = check_beta(rate_if_not_h, "rate_if_not_h", names=_AB)
    if labels is None:
        labels = [f"{int(a)}/{int(b)}" for a, b in zip(kk, nn, strict=True)]
    elif len(labels) != len(kk):
        raise InputError("labels", labels, f"one label per batch ({len(kk)})")
    nats = env_log_bf(kk, nn, h, not_h).tolist()
    return _sequential_from_nats(log_odds(p), list(labels), nats, t)


# -- 3b. reverse Bayes on counts --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CountNeeded(_Table):
    """How many covert actions ``k'`` in ``n_new`` further rollouts would cross ``target``.

    ``k_needed`` is the smallest ``k'`` that pushes P(H) above the target
    (direction ``"above"``), or the largest ``k'`` that still pushes it below
    (``"below"``); None when no ``k'`` in ``0..n_new`` reaches it.
    ``reaching`` lists every ``k'`` that reaches, in case the Bayes factor is
    not monotone in ``k'``.
    """

    n_new: int
    target: float
    direction: Literal["above", "below"]
    current_log_odds: float
    log_odds_by_k: np.ndarray  # index k' -> posterior log-odds after k' of n_new

    @property
    def current(self) -> float:
        return probability(self.current_log_odds)

    @property
    def reaching(self) -> tuple[int, ...]:
        t = log_odds(self.target)
        hit = self.log_odds_by_k > t if self.direction == "above" else self.log_odds_by_k < t
        return tuple(int(i) for i in np.flatnonzero(hit))

    @property
    def reachable(self) -> bool:
        return bool(self.reaching)

    @property
    def k_needed(self) -> int | None:
        hit = self.reaching
        if not hit:
            return None
        return hit[0] if self.direction == "above" else hit[-1]

    @property
    def monotone(self) -> bool:
        """True when the reaching counts are exactly ``k_needed..n_new`` (above) or ``0..k_needed`` (below)."""
        hit, k = self.reaching, self.k_needed
        if k is None:
            return True
        expected = range(k, self.n_new + 1) if self.direction == "above" else range(k + 1)
        return hit == tuple(expected)

    def message(self) -> str:
        word = "above" if self.direction == "above" else "below"
        if self.k_needed is None:
            best = int(
                np.argmax(self.log_odds_by_k) if self.direction == "above" else np.argmin(self.log_odds_by_k)
            )
            return (
                f"not reachable with {self.n_new} rollouts: no count of covert actions in 0..{self.n_new} "
                f"pushes P(H) {word} {self.target:g} (the closest, k' = {best}, gives "
                f"{format_probability(float(self.log_odds_by_k[best]))})"
            )
        if self.direction == "above":
            return f"{self.k_needed} or more covert actions in {self.n_new} rollouts push P(H) above {self.target:g}"
        return f"{self.k_needed} or fewer covert actions in {self.n_new} rollouts push P(H) below {self.target:g}"

    def rows(self) -> list[dict]:
        return [
            {"k_new": i, "posterior_log_odds": float(x), "posterior": probability(float(x))}
            for i, x in enumerate(self.log_odds_by_k)
        ]

    def to_dict(self) -> dict:
        return {
            "n_new": self.n_new,
            "target": self.target,
            "direction": self.direction,
            "current": self.current,
            "reachable": self.reachable,
            "k_needed": self.k_needed,
            "monotone": self.monotone,
            "message": self.message(),
        }


def needed_count(
    n_new: object,
    target: object,
    prior: object,
    rate_if_h: BetaDist | tuple,
    rate_if_not_h: BetaDist | tuple,
    *,
    k: object = (),
    n: object = (),
    direction: Literal["above", "below"] | None = None,
) -> CountNeeded:
    r"""Reverse Bayes for counts: which ``k'`` covert actions in ``n_new`` more rollouts reach ``target``.

    The existing counts ``k, n`` (per environment) first move the prior; the
    ``n_new`` further rollouts are one new environment with its own rate drawn
    from each hypothesis' Beta prior (no pooling), so for each ``k'``

    .. math::

        \lambda(k') = \lambda_0 + \ln\mathrm{BF}(k, n) + \ln\frac{B(k'+a_H,\,n'-k'+b_H)/B(a_H,b_H)}
                                                       {B(k'+a_{\lnot H},\,n'-k'+b_{\lnot H})/B(a_{\lnot H},b_{\lnot H})}

    Every ``k'`` in ``0..n_new`` is evaluated (no monotonicity is assumed).
    ``direction`` defaults to ``"above"`` when the target is at or above the
    current posterior, else ``"below"``.
    """
    size = as_count(n_new, "n_new", minimum=1, maximum=10_000_000)
    t = _open_probability(target, "target")
    p = _open_probability(prior, "prior")
    h = check_beta(rate_if_h, "rate_if_h", names=_AB)
    not_h = check_beta(rate_if_not_h, "rate_if_not_h", names=_AB)
    kk, nn = _counts(k, n)
    current = log_odds(p) + math.fsum(env_log_bf(kk, nn, h, not_h).tolist())
    if direction is None:
        direction = "above" if log_odds(t) >= current else "below"
    elif direction not in ("above", "below"):
        raise InputError("direction", direction, "'above' or 'below'")
    k_new = np.arange(size + 1, dtype=float)
    by_k = current + grid_log_bf(k_new, np.full_like(k_new, size), h, not_h)
    return CountNeeded(
        n_new=size, target=t, direction=direction, current_log_odds=current, log_odds_by_k=by_k
    )


# -- 4. tornado -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TornadoResult(_Table):
    r"""Posterior when each input is off by ``factor`` in each direction, sorted by impact.

    ``mode="ratio"``: the item's ratio (or the prior odds) is multiplied and
    divided by ``factor``, adding :math:`\pm w \ln f` nats.  ``mode="strength"``:
    its log-ratio (bits) is multiplied and divided by ``factor``.
    """

    prior: float
    factor: float
    mode: str
    base_log_odds: float
    labels: tuple[str, ...]
    low_log_odds: tuple[float, ...]  # input divided by the factor
    high_log_odds: tuple[float, ...]  # input multiplied by the factor
    posterior: float  # update()'s posterior, as the app's headline shows it

    def rows(self) -> list[dict]:
        base_p = probability(self.base_log_odds)  # the rows shift from the same log-odds they move
        out = []
        for label, lo, hi in zip(self.labels, self.low_log_odds, self.high_log_odds, strict=True):
            p_lo, p_hi = probability(lo), probability(hi)
            out.append(
                {
                    "label": label,
                    "low_posterior": p_lo,
                    "high_posterior": p_hi,
                    "low_shift_db": decibels(lo - self.base_log_odds),
                    "high_shift_db": decibels(hi - self.base_log_odds),
                    "low_shift_pp": 100.0 * (p_lo - base_p),
                    "high_shift_pp": 100.0 * (p_hi - base_p),
                    "impact_pp": 100.0 * max(abs(p_lo - base_p), abs(p_hi - base_p)),
                }
            )
        return out

    @property
    def notes(self) -> tuple[str, ...]:
        r"""What this mode cannot show, by construction (empty when every row can move).

        ``"strength"`` scales a term :math:`t` to :math:`t/f` and :math:`tf`; a
        term with :math:`t = 0` (a 50% prior, a ratio of 1) stays 0, so its
        row has zero width whatever its uncertainty: that is the mode's
        definition, not a finding.  ``"ratio"`` adds :math:`\pm w \ln f` to
        every term, so all rows with the same discount ``w`` are equally wide
        and the ranking says nothing about the items.
        """
        if self.mode == "strength":
            flat = [lab for lab, lo, hi in zip(self.labels, self.low_log_odds, self.high_log_odds, strict=True) if lo == hi]
            if flat:
                return (
                    "zero by construction in strength mode (a term of 0 log-odds, i.e. a 50% prior or a "
                    "ratio of 1, stays 0 when scaled): " + ", ".join(flat),
                )
            return ()
        widths = {round(hi - lo, 12) for lo, hi in zip(self.low_log_odds, self.high_log_odds, strict=True)}
        if len(self.labels) > 1 and len(widths) == 1:
            return (
                f"every input moves the posterior by the same ±ln {self.factor:g} in log-odds (ratio mode), so "
                "this ranking says nothing about the items; rank by each item's own uncertainty with --mode stated",
            )
        return ()

    def to_dict(self) -> dict:
        return {
            "prior": self.prior,
            "posterior": self.posterior,
            "factor": self.factor,
            "mode": self.mode,
            "rows": self.rows(),
            "notes": list(self.notes),
        }

    def text(self) -> str:
        lines = [
            f"posterior {format_probability(self.base_log_odds)}; each input off by x{self.factor:g} ({self.mode})",
            f"{'input':<40} {'low':>12} {'high':>12} {'dB':>14} {'pp':>16}",
        ]
        for r in self.rows():
            lines.append(
                f"{r['label'][:40]:<40} {100 * r['low_posterior']:>11.4g}% {100 * r['high_posterior']:>11.4g}% "
                f"{r['low_shift_db']:>+6.2f}/{r['high_shift_db']:>+6.2f} {r['low_shift_pp']:>+7.2f}/{r['high_shift_pp']:>+7.2f}"
            )
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def tornado(
    prior: object,
    evidence: Iterable[Evidence | float],
    *,
    factor: object = 2.0,
    mode: Literal["ratio", "strength"] = "ratio",
) -> TornadoResult:
    r"""Sensitivity of the posterior to each item's ratio and to the prior odds.

    In ``"ratio"`` mode each input's odds factor is multiplied by ``f`` and by
    ``1/f`` in turn, so the posterior log-odds move by :math:`\pm w_i \ln f`.
    Every undiscounted item (and the prior) then moves the posterior equally:
    in odds form a factor-of-2 error is a factor-of-2 error wherever it sits.
    ``"strength"`` mode scales each term's log-odds by ``f`` instead, which
    separates strong items from weak ones.  Rows are sorted by the larger
    shift in percentage points.

    Examples
    --------
    >>> r = tornado(0.5, [3.0], factor=2)
    >>> [round(x, 12) for x in (r.low_log_odds[0] - r.base_log_odds, r.high_log_odds[0] - r.base_log_odds)]
    [-0.69314718056, 0.69314718056]
    """
    p = _open_probability(prior, "prior")
    f = as_positive(factor, "factor", "a factor > 0 and not 1")
    if f == 1.0:
        raise InputError("factor", factor, "a factor > 0 and not 1", hint="a factor of 1 changes nothing")
    if mode not in ("ratio", "strength"):
        raise InputError("mode", mode, "'ratio' or 'strength'")
    result = update(p, _evidence_list(evidence))
    terms = [("prior odds", result.prior_log_odds, 1.0)] + [
        (c.label, c.log_lr, c.discount) for c in result.items
    ]
    nats = [w * x for _, x, w in terms]
    base = result.posterior_log_odds  # update()'s own sum, so the headline is update()'s posterior
    lf = math.log(f)
    rows = []
    for i, (label, x, w) in enumerate(terms):
        if mode == "ratio":
            lo_term, hi_term = w * (x - lf), w * (x + lf)
        else:
            lo_term, hi_term = w * x / f, w * x * f
        rest = nats[:i] + nats[i + 1 :]
        rows.append((label, math.fsum([*rest, lo_term]), math.fsum([*rest, hi_term])))
    base_p = probability(base)

    def impact(row):
        return max(abs(probability(row[1]) - base_p), abs(probability(row[2]) - base_p))

    rows.sort(key=impact, reverse=True)  # stable: ties keep the ledger's order
    return TornadoResult(
        prior=p,
        factor=f,
        mode=mode,
        base_log_odds=base,
        labels=tuple(r[0] for r in rows),
        low_log_odds=tuple(r[1] for r in rows),
        high_log_odds=tuple(r[2] for r in rows),
        posterior=result.posterior,
    )


@dataclass(frozen=True, eq=False)
class StatedTornadoResult(_Table):
    r"""The posterior over each item's *own* stated uncertainty, and without the item, sorted by impact.

    For each included item the low and high posterior replace its term
    :math:`w \ln \mathrm{LR}` by the ends of its range (``range_rule`` says
    which); ``loo_log_odds`` leaves the item out altogether.
    """

    _EMPTY_COLUMNS = ("label", "range_rule", "low_posterior", "high_posterior", "loo_posterior")

    prior: float
    base_log_odds: float
    interval: float
    labels: tuple[str, ...]
    range_rules: tuple[str, ...]
    low_log_odds: tuple[float, ...]
    high_log_odds: tuple[float, ...]
    loo_log_odds: tuple[float, ...]
    posterior: float  # update()'s posterior, as the app's headline shows it

    def rows(self) -> list[dict]:
        base_p = probability(self.base_log_odds)  # the rows shift from the same log-odds they move
        out = []
        for label, rule, lo, hi, loo in zip(
            self.labels, self.range_rules, self.low_log_odds, self.high_log_odds, self.loo_log_odds, strict=True
        ):
            p_lo, p_hi, p_loo = probability(lo), probability(hi), probability(loo)
            out.append(
                {
                    "label": label,
                    "range_rule": rule,
                    "low_posterior": p_lo,
                    "high_posterior": p_hi,
                    "loo_posterior": p_loo,
                    "low_shift_pp": 100.0 * (p_lo - base_p),
                    "high_shift_pp": 100.0 * (p_hi - base_p),
                    "loo_shift_pp": 100.0 * (p_loo - base_p),
                    "impact_pp": 100.0 * max(abs(p_lo - base_p), abs(p_hi - base_p)),
                }
            )
        return out

    def to_dict(self) -> dict:
        return {"prior": self.prior, "posterior": self.posterior, "interval": self.interval, "rows": self.rows()}

    def text(self) -> str:
        lines = [
            f"posterior {format_probability(self.base_log_odds)}; each item over its own "
            f"{100 * self.interval:g}% range, and left out",
            f"{'item':<40} {'low':>11} {'high':>11} {'left out':>11}  range",
        ]
        for label, rule, lo, hi, loo in zip(
            self.labels, self.range_rules, self.low_log_odds, self.high_log_odds, self.loo_log_odds, strict=True
        ):
            lines.append(
                f"{label[:40]:<40} {format_probability(lo):>11} {format_probability(hi):>11} "
                f"{format_probability(loo):>11}  {rule}"
            )
        return "\n".join(lines)


def _stated_log_lr_range(e: Evidence, z: float, tail: float, factor: float) -> tuple[float, float, str]:
    """(low, high) ln LR of one item from its own uncertainty, and the rule used (see :func:`tornado_stated`)."""
    from scipy.special import betaincinv

    if e.log_lr_sigma:
        return e.log_lr - z * e.log_lr_sigma, e.log_lr + z * e.log_lr_sigma, f"ln LR ± {z:.3g} σ"
    if e.p_e_given_h_dist is not None and e.p_e_given_not_h_dist is not None:
        h, n = e.p_e_given_h_dist, e.p_e_given_not_h_dist
        h_lo, h_hi = (float(betaincinv(h.alpha, h.beta, q)) for q in (tail, 1 - tail))
        n_lo, n_hi = (float(betaincinv(n.alpha, n.beta, q)) for q in (tail, 1 - tail))
        pct = f"{100 * tail:g}–{100 * (1 - tail):g}%"
        return math.log(h_lo / n_hi), math.log(h_hi / n_lo), f"Beta {pct} of P(E|H) and P(E|¬H)"
    return e.log_lr - math.log(factor), e.log_lr + math.log(factor), f"×/÷ {factor:g}"


def tornado_stated(
    prior: object,
    evidence: Iterable[Evidence | float],
    *,
    factor: object = 2.0,
    factors: Sequence[object | None] | None = None,
    interval: object = 0.9,
) -> StatedTornadoResult:
    r"""Sensitivity to each item's own stated uncertainty, plus leave-one-out.

    Each included item's :math:`\ln \mathrm{LR}` runs over a range taken
    from the item itself:

    * a log-normal ratio (``log_lr_sigma`` :math:`\sigma`): :math:`\ln \mathrm{LR} \pm z\sigma`,
      with :math:`z` the normal quantile of the equal-tailed ``interval`` (1.645 for 90%);
    * Beta distributions on P(E|H) and P(E|¬H): the low end pairs the low
      quantile of P(E|H) with the high quantile of P(E|¬H), the high end the
      reverse (quantiles at the ``interval``'s tails; wider than the ratio's
      own interval, so it does not understate the range);
    * otherwise ×/÷ the item's entry in ``factors`` (``None``: the common
      ``factor``): :math:`\ln \mathrm{LR} \pm \ln f`.

    The posterior at each end keeps every other term; the discount ``w`` of
    a dependence group scales the item's term as in :func:`beliefs.update.update`.
    Rows are sorted by the larger shift in percentage points, so an item
    with a wide range ranks above one with a narrow range.

    Examples
    --------
    >>> from beliefs.evidence import Evidence
    >>> r = tornado_stated(0.5, [Evidence("sure", likelihood_ratio=3.0), Evidence("vague", likelihood_ratio=3.0, log_lr_sigma=1.0)])
    >>> r.labels
    ('vague', 'sure')
    >>> round(r.high_log_odds[0] - r.base_log_odds, 4)  # z_0.95 * sigma
    1.6449
    >>> round(probability(r.loo_log_odds[1]), 12)  # without 'sure': prior odds 1 x 3
    0.75
    """
    from statistics import NormalDist

    p = _open_probability(prior, "prior")
    f = as_positive(factor, "factor", "a factor > 1")
    if f <= 1.0:
        raise InputError("factor", factor, "a factor > 1", hint="×/÷ 1 changes nothing")
    level = as_float(interval, "interval", "an interval mass in (0, 1)")
    if not 0 < level < 1:
        raise InputError("interval", interval, "an interval mass in (0, 1)")
    items = _evidence_list(evidence)
    own = list(factors) if factors is not None else [None] * len(items)
    if len(own) != len(items):
        raise InputError("factors", factors, f"one factor (or None) per item: {len(items)}")
    tail = (1 - level) / 2
    z = NormalDist().inv_cdf(1 - tail)
    result = update(p, items)
    included = [(i, e) for i, e in enumerate(items) if e.enabled]
    # The prior plus an fsum of the items, as update() sums them, so that the base
    # is update()'s posterior and each left-out posterior is update() without the item, to the bit.
    prior_x = result.prior_log_odds
    terms = [e.weighted_log_lr for _, e in included]
    base = result.posterior_log_odds
    rows = []
    for k, (i, e) in enumerate(included):
        item_factor = f if own[i] is None else as_positive(own[i], f"factors[{i}]", "a factor > 1")
        if item_factor <= 1.0:
            raise InputError(f"factors[{i}]", own[i], "a factor > 1")
        lo, hi, rule = _stated_log_lr_range(e, z, tail, item_factor)
        rest = terms[:k] + terms[k + 1 :]
        rows.append(
            (
                e.label,
                rule,
                prior_x + math.fsum([*rest, e.discount * lo]),
                prior_x + math.fsum([*rest, e.discount * hi]),
                prior_x + math.fsum(rest),
            )
        )
    base_p = probability(base)
    rows.sort(
        key=lambda r: max(abs(probability(r[2]) - base_p), abs(probability(r[3]) - base_p)), reverse=True
    )
    return StatedTornadoResult(
        prior=p,
        base_log_odds=base,
        interval=level,
        labels=tuple(r[0] for r in rows),
        range_rules=tuple(r[1] for r in rows),
        low_log_odds=tuple(r[2] for r in rows),
        high_log_odds=tuple(r[3] for r in rows),
        loo_log_odds=tuple(r[4] for r in rows),
        posterior=result.posterior,
    )


# -- 5. dependence ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DependenceResult(_Table):
    """Naive (independent) and dependence-adjusted posteriors, with each group's evidence."""

    _EMPTY_COLUMNS = ("group", "method", "naive_bits", "adjusted_bits")

    naive: UpdateResult
    adjusted: UpdateResult
    groups: tuple[str, ...]  # "(independent items)" for ungrouped evidence
    methods: tuple[str, ...]
    naive_log_lr: tuple[float, ...]
    adjusted_log_lr: tuple[float, ...]

    def rows(self) -> list[dict]:
        return [
            {
                "group": g,
                "method": m,
                "naive_bits": bits(a),
                "adjusted_bits": bits(b),
            }
            for g, m, a, b in zip(
                self.groups, self.methods, self.naive_log_lr, self.adjusted_log_lr, strict=True
            )
        ]

    def to_dict(self) -> dict:
        return {
            "naive_posterior": self.naive.posterior,
            "adjusted_posterior": self.adjusted.posterior,
            "naive_bits": self.naive.bits,
            "adjusted_bits": self.adjusted.bits,
            "groups": self.rows(),
        }


UNGROUPED = "(independent items)"


def dependence(
    prior: object,
    evidence: Iterable[Evidence | float],
    *,
    joint_ratios: dict[str, object] | None = None,
) -> DependenceResult:
    r"""The naive posterior (every item independent) beside the dependence-adjusted one.

    A group is adjusted either by its shared discount exponent :math:`w`
    (contributing :math:`w \sum_{i \in g} \ln \mathrm{LR}_i`), or, if
    ``joint_ratios[g]`` is given, by that one joint ratio
    :math:`P(E_g \mid H) / P(E_g \mid \lnot H)`, which replaces the group's items.
    """
    p = _open_probability(prior, "prior")
    items = _evidence_list(evidence)
    joint = dict(joint_ratios or {})
    known = sorted({e.group for e in items if e.group is not None and e.enabled})
    joint_lr: dict[str, float] = {}
    for g, lr in joint.items():
        if g not in known:
            raise InputError(
                "joint_ratios", g, f"a dependence group in the ledger: {', '.join(known) or 'none'}"
            )
        joint_lr[g] = as_positive(lr, f"joint_ratios[{g}]", "a joint likelihood ratio: finite and > 0")
    naive = update(p, items, independent=True)
    adjusted_items = [e for e in items if e.group not in joint_lr]
    adjusted_items += [
        Evidence(label=f"{g} (joint ratio)", likelihood_ratio=lr) for g, lr in joint_lr.items()
    ]
    adjusted = update(p, adjusted_items)
    groups, methods, naive_nats, adjusted_nats = [], [], [], []
    enabled = [e for e in items if e.enabled]
    ungrouped = [e.log_lr for e in enabled if e.group is None]
    if ungrouped:
        groups.append(UNGROUPED)
        methods.append("independent")
        naive_nats.append(math.fsum(ungrouped))
        adjusted_nats.append(math.fsum(ungrouped))
    for g in known:
        members = [e for e in enabled if e.group == g]
        raw = math.fsum(e.log_lr for e in members)
        groups.append(g)
        naive_nats.append(raw)
        if g in joint_lr:
            methods.append(f"joint ratio {joint_lr[g]:g}")
            adjusted_nats.append(math.log(joint_lr[g]))
        else:
            w = members[0].discount
            methods.append(f"discount {w:g}")
            adjusted_nats.append(math.fsum(e.weighted_log_lr for e in members))
    return DependenceResult(
        naive=naive,
        adjusted=adjusted,
        groups=tuple(groups),
        methods=tuple(methods),
        naive_log_lr=tuple(naive_nats),
        adjusted_log_lr=tuple(adjusted_nats),
    )


# -- 6. crux finder ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CruxResult(_Table):
    r"""The gap in posterior log-odds between viewpoints A and B, split into parts.

    .. math::

        \lambda^A_{\text{post}} - \lambda^B_{\text{post}}
        = (\lambda^A_0 - \lambda^B_0) + \sum_{\text{items } j} (w^A_j \ln \mathrm{LR}^A_j - w^B_j \ln \mathrm{LR}^B_j)

    An item in only one ledger counts fully (the other side's term is 0).
    ``total_log_odds`` is the correctly rounded sum of every term of both
    ledgers; the parts sum to it up to rounding (about 1e-15 of the terms' size).
    """

    names: tuple[str, str]
    a: UpdateResult
    b: UpdateResult
    prior_gap: float  # nats
    labels: tuple[str, ...]
    keys: tuple[str, ...]
    a_log_lr: tuple[float | None, ...]  # None: absent from A
    b_log_lr: tuple[float | None, ...]
    total_log_odds: float

    # Cached: text() and plot_crux sort by these, and a property recomputed inside a
    # sort key made the sort O(n^2).
    @cached_property
    def item_gaps(self) -> tuple[float, ...]:
        return tuple((a or 0.0) - (b or 0.0) for a, b in zip(self.a_log_lr, self.b_log_lr, strict=True))

    @cached_property
    def parts(self) -> tuple[float, ...]:
        """The prior gap, then each item's gap (nats); ``math.fsum(parts) == total`` to rounding."""
        return (self.prior_gap, *self.item_gaps)

    @property
    def total_bits(self) -> float:
        return bits(self.total_log_odds)

    def rows(self) -> list[dict]:
        a_name, b_name = self.names
        out = [
            {
                "label": "prior",
                "key": "",
                "in": "both",
                f"{a_name}_bits": bits(self.a.prior_log_odds),
                f"{b_name}_bits": bits(self.b.prior_log_odds),
                "bits": bits(self.prior_gap),
            }
        ]
        for label, key, a, b, gap in zip(
            self.labels, self.keys, self.a_log_lr, self.b_log_lr, self.item_gaps, strict=True
        ):
            where = "both" if a is not None and b is not None else (a_name if a is not None else b_name)
            out.append(
                {
                    "label": label,
                    "key": key,
                    "in": where,
                    f"{a_name}_bits": None if a is None else bits(a),
                    f"{b_name}_bits": None if b is None else bits(b),
                    "bits": bits(gap),
                }
            )
        return out

    def to_dict(self) -> dict:
        rows = self.rows()
        return {
            "names": list(self.names),
            "a_posterior": self.a.posterior,
            "b_posterior": self.b.posterior,
            "total_bits": self.total_bits,
            "total_decibels": decibels(self.total_log_odds),
            "prior_bits": bits(self.prior_gap),
            "items": [
                {
                    "label": r["label"],
                    "key": r["key"],
                    "in": r["in"],
                    "bits": r["bits"],
                    "a_bits": r[f"{self.names[0]}_bits"],
                    "b_bits": r[f"{self.names[1]}_bits"],
                }
                for r in rows[1:]
            ],
        }

    def text(self) -> str:
        a_name, b_name = self.names
        lines = [
            f"{a_name}: {format_probability(self.a.posterior_log_odds)}   "
            f"{b_name}: {format_probability(self.b.posterior_log_odds)}",
            f"gap ({a_name} - {b_name}): {self.total_bits:+.3f} bits = {decibels(self.total_log_odds):+.2f} dB",
            "",
            f"{'part':<60} {'bits':>9}",
        ]
        parts = self.parts  # a property that rebuilds the tuple: once, not once per comparison (was O(n^2))
        order = sorted(range(len(parts)), key=lambda i: -abs(parts[i]))
        names = ("prior", *self.part_labels())
        for i in order:
            lines.append(f"{names[i][:60]:<60} {bits(parts[i]):>+9.3f}")
        return "\n".join(lines)

    def part_labels(self) -> tuple[str, ...]:
        """Item labels, marked ``[NAME only]`` where an item is in one ledger only."""
        out = []
        for label, a, b in zip(self.labels, self.a_log_lr, self.b_log_lr, strict=True):
            if a is None or b is None:
                label = f"[{self.names[0] if b is None else self.names[1]} only] {label}"
            out.append(label)
        return tuple(out)


def _crux_key(c, other_ids: set[str]) -> str:
    # By id where both sides use that id; otherwise by label, so an item one side
    # tagged with an id and the other did not still meets its counterpart.
    return f"id:{c.id}" if c.id is not None and c.id in other_ids else f"label:{c.label}"


def crux_from_results(a: UpdateResult, b: UpdateResult, *, names: tuple[str, str] = ("A", "B")) -> CruxResult:
    """:func:`crux` for two results of :func:`beliefs.update.update` (e.g. two scenarios)."""
    for which, r in zip(names, (a, b), strict=True):
        if r.certain:
            raise CertaintyError(
                f"{which}.prior", r.prior, "a probability strictly between 0 and 1", hint=_CERTAIN_HINT
            )
    if names[0] == names[1]:
        names = (f"{names[0]} (A)", f"{names[1]} (B)")

    def keyed(result: UpdateResult, other: UpdateResult) -> dict[tuple[str, int], object]:
        # The n-th item with a given key in A meets the n-th with that key in B.
        other_ids = {c.id for c in other.items if c.id is not None}
        seen: dict[str, int] = {}
        out = {}
        for c in result.items:
            key = _crux_key(c, other_ids)
            out[(key, seen.get(key, 0))] = c
            seen[key] = seen.get(key, 0) + 1
        return out

    ka, kb = keyed(a, b), keyed(b, a)
    order = list(ka) + [key for key in kb if key not in ka]
    labels, keys, a_nats, b_nats = [], [], [], []
    for key in order:
        ca, cb = ka.get(key), kb.get(key)
        c = ca if ca is not None else cb
        labels.append(c.label if key[1] == 0 else f"{c.label} #{key[1] + 1}")
        keys.append(key[0].split(":", 1)[1])
        a_nats.append(None if ca is None else ca.weighted_log_lr)
        b_nats.append(None if cb is None else cb.weighted_log_lr)
    total = math.fsum(
        [a.prior_log_odds, -b.prior_log_odds]
        + [c.weighted_log_lr for c in a.items]
        + [-c.weighted_log_lr for c in b.items]
    )
    return CruxResult(
        names=names,
        a=a,
        b=b,
        prior_gap=a.prior_log_odds - b.prior_log_odds,
        labels=tuple(labels),
        keys=tuple(keys),
        a_log_lr=tuple(a_nats),
        b_log_lr=tuple(b_nats),
        total_log_odds=total,
    )


def crux(
    prior_a: object,
    evidence_a: Iterable[Evidence | float],
    prior_b: object,
    evidence_b: Iterable[Evidence | float],
    *,
    names: tuple[str, str] = ("A", "B"),
) -> CruxResult:
    """Where two viewpoints disagree: the posterior log-odds gap split into prior and item parts.

    Items are matched by ``id``, else by label; an item in only one ledger counts fully.

    Examples
    --------
    Same evidence read two ways (3:1 versus 1.5:1) from the same prior: the
    whole gap of one bit is in that item.

    >>> r = crux(0.25, [Evidence("report", likelihood_ratio=3)], 0.25, [Evidence("report", likelihood_ratio=1.5)])
    >>> round(r.total_bits, 12), round(r.parts[0], 12), round(bits(r.parts[1]), 12)
    (1.0, 0.0, 1.0)
    """
    pa = as_probability(prior_a, "prior_a")
    pb = as_probability(prior_b, "prior_b")
    return crux_from_results(
        update(pa, _evidence_list(evidence_a, "evidence_a")),
        update(pb, _evidence_list(evidence_b, "evidence_b")),
        names=names,
    )


# -- 7. pooling forecasters ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PoolResult(_Table):
    r"""Forecasts pooled by the geometric mean of odds and by the arithmetic mean.

    .. math::

        \bar\lambda = d\,\frac{\sum_i w_i \lambda(p_i)}{\sum_i w_i},\qquad
        \text{geometric\_mean\_odds} = \sigma(\bar\lambda),\qquad
        \text{arithmetic\_mean} = \frac{\sum_i w_i p_i}{\sum_i w_i}
    """

    probabilities: tuple[float, ...]
    weights: tuple[float, ...]
    extremize: float
    pooled_log_odds: float  # after extremizing
    arithmetic_mean: float

    @property
    def pooled_probability(self) -> float:
        """The pooled probability (geometric mean of odds, extremized by ``d``)."""
        return probability(self.pooled_log_odds)

    @property
    def geometric_mean_odds(self) -> float:
        """Deprecated name of :attr:`pooled_probability` (it is a probability, not odds); kept one release."""
        return self.pooled_probability

    @property
    def unextremized_log_odds(self) -> float:
        return self.pooled_log_odds / self.extremize

    def rows(self) -> list[dict]:
        out = [
            {"kind": "forecast", "probability": p, "log_odds": log_odds(p), "weight": w}
            for p, w in zip(self.probabilities, self.weights, strict=True)
        ]
        out.append(
            {
                "kind": "geometric_mean_odds",
                "probability": self.geometric_mean_odds,
                "log_odds": self.pooled_log_odds,
                "weight": None,
            }
        )
        out.append(
            {
                "kind": "arithmetic_mean",
                "probability": self.arithmetic_mean,
                "log_odds": log_odds(self.arithmetic_mean),
                "weight": None,
            }
        )
        return out

    def to_dict(self) -> dict:
        return {
            "pooled_probability": self.pooled_probability,
            # Deprecated: the same probability under its old, misleading name; removed after one release.
            "geometric_mean_odds": self.pooled_probability,
            "arithmetic_mean": self.arithmetic_mean,
            "pooled_log_odds": self.pooled_log_odds,
            "pooled_odds": _finite_or_none(odds_from_log_odds(self.pooled_log_odds)),
            "extremize": self.extremize,
            "unextremized": probability(self.unextremized_log_odds),
            "probabilities": list(self.probabilities),
            "weights": list(self.weights),
        }

    def text(self) -> str:
        lines = [
            f"{len(self.probabilities)} forecasts",
            f"geometric mean of odds  {format_probability(self.pooled_log_odds):>12}  odds {format_odds(self.pooled_log_odds)}"
            + (f"  (extremized x{self.extremize:g})" if self.extremize != 1 else ""),
            f"arithmetic mean         {format_probability(log_odds(self.arithmetic_mean)):>12}",
        ]
        return "\n".join(lines)


MAX_EXTREMIZE = 10.0  # published extremizing factors are about 1.2 to 3; beyond 10 one forecast's sign decides all

_POOL_HINT = (
    "a forecast of exactly 0 or 1 has infinite log-odds, so a log-odds pool would be decided by it alone "
    "(and 0 beside 1 is undefined); enter an extreme but finite probability such as 0.001"
)


def pool(probs: object, weights: object = None, *, extremize: object = 1.0) -> PoolResult:
    r"""Pool forecasts by the (weighted) geometric mean of odds, optionally extremized.

    Examples
    --------
    Odds 1:9 and 9:1 pool to even odds; 0.2 and 0.8 average to 0.5:

    >>> round(pool([0.1, 0.9]).geometric_mean_odds, 15), pool([0.2, 0.8]).arithmetic_mean
    (0.5, 0.5)
    >>> round(pool([0.2, 0.5]).geometric_mean_odds, 12)  # odds sqrt(1/4 * 1) = 1/2
    0.333333333333
    """
    raw = _as_list(probs, "probs")
    ps = []
    for i, v in enumerate(raw):
        p = as_probability(v, f"probs[{i}]")
        if p in (0.0, 1.0):
            raise CertaintyError(f"probs[{i}]", v, "a probability strictly between 0 and 1", hint=_POOL_HINT)
        ps.append(p)
    if weights is None:
        ws = [1.0] * len(ps)
    else:
        raw_w = _as_list(weights, "weights")
        if len(raw_w) != len(ps):
            raise InputError("weights", weights, f"one weight per forecast ({len(ps)}), got {len(raw_w)}")
        ws = [as_float(w, f"weights[{i}]", "a weight >= 0") for i, w in enumerate(raw_w)]
        for i, w in enumerate(ws):
            if w < 0:
                raise InputError(f"weights[{i}]", raw_w[i], "a weight >= 0")
        if max(ws) <= 0:
            raise InputError("weights", weights, "weights >= 0 that are not all 0")
    allowed_d = f"an extremizing factor in (0, {MAX_EXTREMIZE:g}] (1 = none, > 1 pushes away from 50%)"
    d = as_positive(extremize, "extremize", allowed_d)
    if d > MAX_EXTREMIZE:
        raise InputError("extremize", extremize, allowed_d)
    # Normalised by the largest weight first: 1e308 + 1 must not overflow, 5e-324 twice must not underflow.
    top = max(ws)
    norm = [w / top for w in ws]
    total_w = math.fsum(norm)
    mean_x = math.fsum(w * log_odds(p) for w, p in zip(norm, ps, strict=True)) / total_w
    mean_p = math.fsum(w * p for w, p in zip(norm, ps, strict=True)) / total_w
    return PoolResult(
        probabilities=tuple(ps),
        weights=tuple(ws),
        extremize=d,
        pooled_log_odds=d * mean_x,
        arithmetic_mean=mean_p,
    )


def _as_list(value: object, field: str) -> list:
    if isinstance(value, str):
        parts = [s.strip() for s in value.split(",")]
        if value.strip() == "" or any(s == "" for s in parts):
            raise InputError(field, value, "a non-empty comma-separated list of numbers, e.g. 0.2,0.3")
        return parts
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if not value:
            raise InputError(field, value, "a non-empty list of numbers")
        return list(value)
    raise InputError(field, value, "a non-empty list of numbers")


def parse_forecasts_csv(text: str) -> tuple[list[float], list[float] | None]:
    """Read forecasts from CSV text: one ``probability[,weight]`` per line, with or without a header.

    A header names the columns (``probability``/``p``/``forecast`` and
    optionally ``weight``/``w``), in any order; blank lines are skipped.

    Examples
    --------
    >>> parse_forecasts_csv("probability,weight\\n0.2,1\\n0.4,3\\n")
    ([0.2, 0.4], [1.0, 3.0])
    """
    if not isinstance(text, str):
        raise InputError("forecasts", text, "CSV text")
    rows = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError("forecasts", text, "CSV with at least one forecast")
    head = [cell.strip().lower() for cell in rows[0]]
    p_col, w_col = 0, 1
    if any(_not_number(cell) for cell in head):
        p_names = [i for i, c in enumerate(head) if c in ("probability", "p", "forecast", "prob")]
        if not p_names:
            raise InputError(
                "forecasts", rows[0], "a header with a 'probability' column (and optionally 'weight')"
            )
        p_col = p_names[0]
        w_names = [i for i, c in enumerate(head) if c in ("weight", "w")]
        w_col = w_names[0] if w_names else None
        rows = rows[1:]
        if not rows:
            raise InputError("forecasts", text, "CSV with at least one forecast under the header")
    else:
        w_col = 1 if len(rows[0]) > 1 else None
    probs, weights = [], []
    for line, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if p_col >= len(cells):
            raise InputError(f"forecasts row {line}", row, "a probability in every row")
        probs.append(as_probability(cells[p_col], f"forecasts row {line} probability"))
        if w_col is not None:
            if w_col >= len(cells) or cells[w_col] == "":
                raise InputError(f"forecasts row {line} weight", row, "a weight in every row (or in none)")
            weights.append(as_float(cells[w_col], f"forecasts row {line} weight", "a weight >= 0"))
    return probs, (weights if w_col is not None else None)


def _not_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return True
    return False
