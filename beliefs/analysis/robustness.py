"""Robustness to the prior: the posterior over a log-odds-spaced grid of priors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from beliefs.analysis._common import HEADLINE_THRESHOLD, Table, evidence_list, open_probability
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.format import format_probability
from beliefs.odds import bits, decibels, log_odds, probability
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


def plot_prior_robustness(result: PriorRobustness) -> dict:
    """Posterior against prior, both on log-odds axes in percent: the curve, the no-evidence diagonal, your prior.

    Any prior and posterior a double's log-odds can hold has a place (a prior of
    1e-300 too: a logit axis of probabilities overflowed there).  Returns the
    Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    import altair as alt

    from beliefs.format import format_probability
    from beliefs.plots.palette import INK, REFERENCE
    from beliefs.plots.style import PLOT_HEIGHT, colour, finish, log_odds_domain, probability_axis, title

    curve, diagonal = "posterior after the evidence", "no evidence (posterior = prior)"
    i = result.user_index
    x0, y0 = result.prior_log_odds, result.posterior_log_odds
    # From log-odds, never from a probability: a posterior of 1 - 1e-17 is 1.0 as a float, and "certain".
    yours = f"your prior: {format_probability(float(x0[i]))} → {format_probability(float(y0[i]))}"
    values = [{"prior": bits(float(a)), "posterior": bits(float(b))} for a, b in zip(x0, y0, strict=True)]
    marks = [{"prior": bits(float(x0[i])), "posterior": bits(float(y0[i])), "series": yours}]
    series = {curve: FOR_H if result.log_lr >= 0 else AGAINST_H, diagonal: REFERENCE, yours: INK}
    if result.compare_priors:
        others = "other priors"
        series[others] = LEVEL
        marks += [{"prior": bits(log_odds(q)), "posterior": bits(update(q, result.evidence).posterior_log_odds),
                   "series": others} for q in result.compare_priors]  # fmt: skip
    shapes = [yours, *(["other priors"] if result.compare_priors else [])]  # a legend entry only for what is drawn
    xs = [v["prior"] for v in values]
    ys = [v["posterior"] for v in values] + xs  # the diagonal too
    x_domain, y_domain = log_odds_domain(xs, left=0.02, right=0.02), log_odds_domain(ys, left=0.02, right=0.02)
    x = alt.X("prior:Q", scale=alt.Scale(domain=x_domain, nice=False, zero=False),
              axis=alt.Axis(**probability_axis(*x_domain, "prior P(H), log-odds scale")))
    y = alt.Y("posterior:Q", scale=alt.Scale(domain=y_domain, nice=False, zero=False),
              axis=alt.Axis(**probability_axis(*y_domain, "posterior P(H | evidence)")))  # fmt: skip
    base = alt.Chart(alt.NamedData("grid"))
    chart = alt.layer(
        base.mark_line(strokeWidth=2).encode(x=x, y=y, color=alt.ColorDatum(curve, type="nominal")),
        base.mark_line(strokeWidth=1.5, strokeDash=[5, 4]).encode(x=x, y=alt.Y("prior:Q"), color=alt.ColorDatum(diagonal, type="nominal")),
        alt.Chart(alt.NamedData("priors")).mark_point(filled=True, size=110, opacity=1).encode(
            x=x, y=y, shape=alt.Shape("series:N", legend=None, scale=alt.Scale(domain=shapes, range=["circle", "square"][: len(shapes)])),
        ),
    ).encode(color=alt.Color(**colour(series))).properties(
        title=title("Robustness to the prior", f"evidence {bits(result.log_lr):+.2f} bits, whatever the prior"), height=PLOT_HEIGHT
    )  # fmt: skip
    return finish(chart, name="prior robustness", data={"grid": values, "priors": marks})
