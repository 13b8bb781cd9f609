"""Robustness to the prior: the posterior over a log-odds-spaced grid of priors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from beliefs.analysis._common import HEADLINE_THRESHOLD, Table, evidence_list, open_probability, set_scale
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.format import format_probability
from beliefs.odds import bits, decibels, log_odds, probability
from beliefs.plots.axes import new_axes
from beliefs.plots.palette import AGAINST_H, FOR_H, LEVEL
from beliefs.update import update
from beliefs.validation import as_count


@dataclass(frozen=True, eq=False)
class PriorRobustness(Table):
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
    # The evidence itself, so that another prior's posterior comes from update() too (one route).
    evidence: tuple[Evidence, ...] = ()
    threshold: float = HEADLINE_THRESHOLD  # the P(H) the headline speaks of

    @property
    def crossing_prior_log_odds(self) -> float:
        r"""The prior (log-odds) whose posterior is exactly ``threshold``: :math:`\operatorname{logit} t - L`.

        The posterior log-odds are the prior's plus the evidence's :math:`L`
        nats, so the posterior exceeds :math:`t` exactly for priors above
        :math:`\sigma(\operatorname{logit} t - L)`; in log-odds this never
        underflows (a prior of 1e-400 is -921 nats).
        """
        return log_odds(self.threshold) - self.log_lr

    @property
    def crossing_prior(self) -> float:
        """:attr:`crossing_prior_log_odds` as a probability (0.0 below about 1e-308: use the log-odds there)."""
        return probability(self.crossing_prior_log_odds)

    @property
    def headline(self) -> str:
        """The one sentence this analysis adds: the prior above which the posterior exceeds the threshold.

        Its numbers are this result's (update()'s evidence :math:`L`, update()'s
        posterior at the user's prior), written by :func:`beliefs.format.format_probability`.
        """
        t = format_probability(log_odds(self.threshold))
        yours = (
            f"your prior, {format_probability(log_odds(self.prior))}, "
            f"gives {format_probability(float(self.posterior_log_odds[self.user_index]))}"
        )
        if self.log_lr == 0:
            what = "No evidence is included" if not self.evidence else "The evidence sums to 0 bits"
            return f"{what}, so the posterior equals the prior: it exceeds {t} only for priors above {t}, and {yours}."
        return (
            f"Above a prior of {format_probability(self.crossing_prior_log_odds)}, the posterior exceeds {t} "
            f"(the evidence counts {bits(self.log_lr):+.3g} bits); {yours}."
        )

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
        """The posterior for another prior under the same evidence: :func:`beliefs.update.update`'s."""
        return update(open_probability(prior, "prior"), self.evidence).posterior

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
            "threshold": self.threshold,
            "crossing_prior": self.crossing_prior,
            "crossing_prior_log_odds": self.crossing_prior_log_odds,
            "headline": self.headline,
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
    threshold: object = HEADLINE_THRESHOLD,
) -> PriorRobustness:
    r"""The posterior over a log-odds-spaced grid of priors, with the user's prior included.

    Because evidence adds a fixed :math:`L = \sum_i w_i \ln\mathrm{LR}_i` nats
    whatever the prior, the curve is the logistic function shifted by :math:`L`:

    .. math:: P(H\mid E) = \sigma\!\left(\lambda_{\text{prior}} + L\right),
              \qquad \sigma(x) = \frac{1}{1+e^{-x}} .

    The grid spans ``[low, high]`` evenly in log-odds, widened to include the
    user's prior if it lies outside.  ``compare_priors`` (other people's
    priors, say) are carried along to be marked on the curve.  ``threshold``
    is the P(H) of the headline: the prior above which the posterior exceeds
    it (:attr:`PriorRobustness.crossing_prior`).

    Examples
    --------
    >>> r = prior_robustness(0.25, [3.0])
    >>> round(r.posterior, 12)
    0.5
    """
    p = open_probability(prior, "prior")
    lo = open_probability(low, "low")
    hi = open_probability(high, "high")
    if not lo < hi:
        raise InputError("high", high, f"a probability above low ({lo:g})")
    count = as_count(n_points, "n_points", minimum=2, maximum=100_000)
    others = tuple(open_probability(q, f"compare_priors[{i}]") for i, q in enumerate(compare_priors))
    t = open_probability(threshold, "threshold")
    items = tuple(evidence_list(evidence))
    result = update(p, items)
    prior_x = result.prior_log_odds
    grid = np.linspace(min(log_odds(lo), prior_x), max(log_odds(hi), prior_x), count)
    index = int(np.searchsorted(grid, prior_x))
    if index == len(grid) or grid[index] != prior_x:
        grid = np.insert(grid, index, prior_x)
    # update() of every prior on the grid (UpdateResult.log_odds_at), so the curve at the user's
    # prior reproduces update()'s posterior to the last bit.
    return PriorRobustness(
        prior=p,
        log_lr=result.log_lr,
        prior_log_odds=grid,
        posterior_log_odds=result.log_odds_at(grid),
        user_index=index,
        compare_priors=others,
        user_posterior=result.posterior,
        evidence=items,
        threshold=t,
    )


def plot_prior_robustness(result, ax=None):
    """Posterior against prior (both on a logit axis), the no-evidence diagonal, and the user's prior."""
    fig, ax = new_axes(ax)
    priors, posts = result.priors, result.posteriors
    ax.plot(priors, posts, color=FOR_H if result.log_lr >= 0 else AGAINST_H, label="posterior")
    ax.plot(priors, priors, color=LEVEL, linestyle="--", linewidth=1, label="no evidence")
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
            color=LEVEL,
            fillstyle="none",
            label="other priors: " + ", ".join(f"{q:.3g} -> {result.posterior_at(q):.3g}" for q in others),
        )
    set_scale(ax, "x", "logit")
    set_scale(ax, "y", "logit")
    ax.set_xlabel("prior P(H)")
    ax.set_ylabel("posterior P(H | evidence)")
    ax.set_title(f"Robustness to the prior (evidence {bits(result.log_lr):+.2f} bits)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return fig
