r"""Uncertain evidence: the distribution of the posterior P(H) when evidence strengths are uncertain.

For item :math:`i` with dependence discount :math:`w_i`,

.. math::

    \lambda_{\text{post}} = \lambda(\pi) + \sum_i w_i\,\ell_i,\qquad
    \ell_i = \ln p_{1i} - \ln p_{2i} + \sigma_i Z_i,

where :math:`p_{1i} = P(E_i\mid H)` and :math:`p_{2i} = P(E_i\mid\lnot H)`
are drawn from their Betas when the item carries them (otherwise the point
values), :math:`\sigma_i` is ``log_lr_sigma`` (0 when absent) and
:math:`Z_i \sim N(0, 1)`.  An item stated only as a likelihood ratio has
:math:`\ell_i = \ln \mathrm{LR}_i + \sigma_i Z_i`, i.e. a log-normal ratio.
Disabled items are skipped.  With log-normal ratios only, the posterior
log-odds are exactly :math:`N(\lambda(\pi) + \sum w_i \mu_i, \sum w_i^2 \sigma_i^2)`,
which the tests use as the oracle.

The point posterior comes from :func:`beliefs.update.update` (the one route to
a posterior); the draws are vectorized NumPy (no PyMC), every uncertain input
drawn at once as an array.  :mod:`models.uncertain_evidence` draws the same
terms with PyMC as the cross-check.  Intervals are equal-tailed (default 90%).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import special

from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.format import format_interval, format_probability
from beliefs.intervals import DEFAULT_INTERVAL, check_interval_mass, equal_tailed
from beliefs.montecarlo import MAX_DRAWS, DrawSummary, check_draws, check_seed, log_beta_draws
from beliefs.odds import log_odds
from beliefs.plots.palette import BAND, ESTIMATE, ESTIMATE_FILL, REFERENCE
from beliefs.tables import NotebookRepr
from beliefs.update import UpdateResult, cromwell_note, update
from beliefs.validation import as_probability

__all__ = [
    "LEDGER_DRAWS",
    "LEDGER_SEED",
    "EvidenceTerms",
    "PosteriorDistribution",
    "distribution_rows",
    "draw_log_odds",
    "evidence_terms",
    "ledger_distribution",
    "plot_posterior_distribution",
    "posterior_distribution",
]


@dataclass(frozen=True, eq=False)
class PosteriorDistribution(DrawSummary, NotebookRepr):
    """Draws of the posterior log-odds under uncertain evidence, and their summaries.

    Attributes
    ----------
    log_odds : ndarray
        Posterior log-odds draws (nats); ``+-inf`` throughout for a certain prior.
    point_posterior : float
        The posterior from the point values (:func:`beliefs.update.update`).
    threshold : float
        ``p_above_threshold`` is :math:`P(\\text{posterior} > \\text{threshold})`.
    interval_mass : float
        Mass of the equal-tailed interval in ``interval``.
    """

    prior: float
    log_odds: np.ndarray
    point_posterior: float
    threshold: float
    interval_mass: float
    seed: int
    uncertain_items: int
    note: str | None = None

    @property
    def draws(self) -> int:
        return int(self.log_odds.size)

    @property
    def certain(self) -> bool:
        return math.isinf(log_odds(self.prior))

    @cached_property
    def posterior(self) -> np.ndarray:
        """Draws of the posterior probability."""
        return special.expit(self.log_odds)

    def _summary_draws(self) -> np.ndarray:
        return self.posterior

    def quantiles(self, levels) -> np.ndarray:
        """Quantiles of the posterior probability at ``levels`` (each in [0, 1]).

        Taken on the log-odds and mapped through the logistic function, which
        is increasing, so nothing is lost near 0 or 1.
        """
        levels = np.asarray(levels, dtype=float)
        if np.any((levels < 0) | (levels > 1)) or not np.all(np.isfinite(levels)):
            raise InputError("levels", levels.tolist(), "quantile levels in [0, 1]")
        if self.certain:
            return np.full(levels.shape, self.prior)
        return special.expit(np.quantile(self.log_odds, levels))

    @cached_property
    def p_above_threshold(self) -> float:
        return float(np.mean(self.log_odds > log_odds(self.threshold)))

    @property
    def p_above_threshold_se(self) -> float:
        p = self.p_above_threshold
        return math.sqrt(p * (1 - p) / self.draws)

    def shown(self) -> dict[str, str]:
        """The summary's digits as every view writes them (median, interval, P(above), mean, the draws)."""
        lo, hi = self.interval
        return {
            "median": format_probability(log_odds(self.median)),
            "interval": format_interval(lo, hi),
            "interval_label": f"{100 * self.interval_mass:g}% interval",
            "above_label": f"P(posterior > {format_probability(log_odds(self.threshold))})",
            "above": format_probability(log_odds(self.p_above_threshold)),
            "mean": format_probability(log_odds(self.mean)),
            "point": format_probability(log_odds(self.point_posterior)),
            "draws": f"{self.draws:,} Monte Carlo draws, seed {self.seed}",
        }

    def sentence(self) -> str:
        """One line: ``median 47.34%; 90% interval 28.41–67.16%; P(posterior > 50%) 43.2%; mean ...``."""
        t = self.shown()
        return (
            f"median {t['median']}; {t['interval_label']} {t['interval']}; {t['above_label']} {t['above']}; "
            f"mean {t['mean']} ({t['draws']})"
        )

    def to_dict(self) -> dict:
        lo, hi = self.interval
        return {
            "prior": self.prior,
            "point_posterior": self.point_posterior,
            "mean": self.mean,
            "mean_se": self.mean_se,
            "median": self.median,
            "interval": [lo, hi],
            "interval_mass": self.interval_mass,
            "interval_kind": "equal-tailed",
            "threshold": self.threshold,
            "p_above_threshold": self.p_above_threshold,
            "p_above_threshold_se": self.p_above_threshold_se,
            "draws": self.draws,
            "seed": self.seed,
            "uncertain_items": self.uncertain_items,
            "note": self.note,
        }


# The draws every view of a ledger shows (the app, the Markdown and the HTML report): one function,
# so the same ledger gives the same digits everywhere.  40,000: interval ends move < 0.005 between seeds.
LEDGER_DRAWS = 40_000
LEDGER_SEED = 0


def ledger_distribution(
    prior: float, evidence, *, threshold: float = 0.5, interval: float = DEFAULT_INTERVAL
) -> PosteriorDistribution:
    """The posterior's distribution as the app and every export show it: :data:`LEDGER_DRAWS` draws, seed 0."""
    return posterior_distribution(
        prior, evidence, draws=LEDGER_DRAWS, seed=LEDGER_SEED, threshold=threshold, interval=interval
    )


def posterior_distribution(
    prior: float,
    evidence,
    *,
    draws: int = 100_000,
    seed: int = 0,
    threshold: float = 0.5,
    interval: float = DEFAULT_INTERVAL,
    sampler: Callable[[EvidenceTerms, int, int], np.ndarray] | None = None,
    max_draws: int = MAX_DRAWS,
) -> PosteriorDistribution:
    r"""Distribution of the posterior P(H) when evidence strengths are uncertain.

    Parameters
    ----------
    prior : float
        P(H), a point value in [0, 1] (0 or 1 is certainty: every draw equals it).
    evidence : iterable of Evidence
        Items; their Betas (``p_e_given_h_dist``, ``p_e_given_not_h_dist``) and
        ``log_lr_sigma`` are sampled, the rest enter as point values, each
        scaled by its ``discount``.
    draws, seed : int
        Number of Monte Carlo draws (at most ``max_draws``) and the seed.
    threshold : float
        Report :math:`P(\text{posterior} > \text{threshold})`.
    interval : float
        Mass of the equal-tailed interval.
    sampler : callable, optional
        ``sampler(terms, draws, seed)`` returns the posterior log-odds draws
        for the :class:`EvidenceTerms`; default :func:`draw_log_odds` (NumPy).
        :func:`models.uncertain_evidence.posterior_distribution_pymc` passes PyMC's.

    Examples
    --------
    One log-normal ratio with median 3 on even odds; the median posterior is 3/4:

    >>> e = Evidence("x", likelihood_ratio=3.0, log_lr_sigma=0.5)
    >>> d = posterior_distribution(0.5, [e], draws=10_000, seed=1)
    >>> round(d.median, 2), d.point_posterior
    (0.75, 0.75)
    """
    terms = evidence_terms(prior, evidence)
    n = check_draws(draws, maximum=max_draws)
    s = check_seed(seed)
    t = as_probability(threshold, "threshold")
    mass = check_interval_mass(interval)
    point = terms.point
    if terms.certain:
        note = cromwell_note(point.prior)
        x = np.full(n, point.prior_log_odds)
        return PosteriorDistribution(point.prior, x, point.posterior, t, mass, s, terms.uncertain_items, note)
    x = (sampler or draw_log_odds)(terms, n, s)
    return PosteriorDistribution(point.prior, x, point.posterior, t, mass, s, terms.uncertain_items)


def draw_log_odds(terms: EvidenceTerms, draws: int, seed: int) -> np.ndarray:
    """``draws`` posterior log-odds from the terms, with ``np.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    x = np.full(draws, terms.shift)
    if terms.sigmas.size:
        # A sum of independent normals is one normal: one draw per sample, not one per item.
        x += rng.standard_normal(draws) * math.hypot(*terms.sigmas.tolist())  # no overflow of sigma**2
    # One column at a time with a scalar shape: NumPy's scalar-shape Gamma path is
    # faster than its broadcast one, and no (draws, items) temporaries are built.
    for alpha, beta, sign in zip(terms.alphas, terms.betas, terms.signs, strict=True):
        x += sign * log_beta_draws(rng, float(alpha), float(beta), draws)
    return x


@dataclass(frozen=True, eq=False)
class EvidenceTerms:
    r"""The posterior log-odds as a constant plus random terms, shared by the NumPy and PyMC samplers.

    .. math:: \lambda_{\text{post}} = \text{shift} + \sum_j \text{sigmas}_j Z_j
              + \sum_k \text{signs}_k \ln X_k,\quad X_k \sim \mathrm{Beta}(\text{alphas}_k, \text{betas}_k)

    ``shift`` holds the prior log-odds and every point contribution (already
    discounted); ``sigmas`` are the discounted spreads :math:`w_i \sigma_i > 0`;
    each Beta contributes ``+w`` (a P(E|H)) or ``-w`` (a P(E|not H)).
    """

    point: UpdateResult
    shift: float
    sigmas: np.ndarray
    alphas: np.ndarray
    betas: np.ndarray
    signs: np.ndarray
    uncertain_items: int

    @property
    def certain(self) -> bool:
        return self.point.certain


def evidence_terms(prior: float, evidence) -> EvidenceTerms:
    """Split ``prior`` and the enabled evidence items into a constant, normal terms and Beta terms.

    Validates everything (through :func:`beliefs.update.update`), so a bad
    item raises :class:`~beliefs.errors.InputError` before any sampling.
    """
    given = list(evidence)
    point = update(prior, given)  # validates the prior, the items and the group discounts
    # update() accepted bare numbers as likelihood ratios; do the same here.
    items = [e if isinstance(e, Evidence) else Evidence(f"LR {e:g}", likelihood_ratio=e) for e in given]
    items = [e for e in items if e.enabled]  # in the order of point.items (update() skips the disabled)
    sigmas = [e.discount * e.log_lr_sigma for e in items if e.log_lr_sigma]
    alphas, betas, signs = [], [], []
    drawn: dict[int, float] = {}  # item index -> the nats of its sides that are not drawn
    for k, e in enumerate(items):
        if not _has_beta(e):
            continue
        fixed = []
        for dist, point_p, sign in (
            (e.p_e_given_h_dist, e.p_e_given_h, 1.0),
            (e.p_e_given_not_h_dist, e.p_e_given_not_h, -1.0),
        ):
            if dist is None:
                fixed.append(sign * e.discount * math.log(point_p))
            else:
                alphas.append(dist.alpha)
                betas.append(dist.beta)
                signs.append(sign * e.discount)
        drawn[k] = math.fsum(fixed)
    # update()'s own sum, with each Beta item's drawn part taken out (UpdateResult.log_odds_with).
    shift = point.log_odds_with(drawn)
    return EvidenceTerms(
        point,
        shift,
        np.array(sigmas, dtype=float),
        np.array(alphas, dtype=float),
        np.array(betas, dtype=float),
        np.array(signs, dtype=float),
        sum(1 for e in items if e.is_uncertain),
    )


def _has_beta(e: Evidence) -> bool:
    return e.p_e_given_h_dist is not None or e.p_e_given_not_h_dist is not None


# --- the chart: a Vega-Lite spec; Altair is imported only when a plot is drawn ---


def _percent(p: float) -> str:
    # The app's text for the same number (beside the chart), so the legend and the page agree.
    return format_probability(log_odds(p))


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


_TENTHS = [i / 10 for i in range(11)]  # ticks of a probability axis in percent: 0%, 10%, ... 100%


def plot_posterior_distribution(samples, *, threshold: float | None = None, interval: float = 0.9) -> dict:
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
        Drawn as a dashed line and named in the legend with the fraction of samples above it.
    interval : float
        Mass of the shaded equal-tailed interval.

    Returns
    -------
    dict
        The Vega-Lite spec (:func:`beliefs.plots.style.finish`); the legend names each mark with its number.
    """
    import altair as alt

    from beliefs.plots.style import PLOT_HEIGHT, colour, finish, title

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
        interval = check_interval_mass(interval, "interval")
        low_level, high_level = equal_tailed(interval)
        lo, med, hi = (float(v) for v in np.quantile(arr, [low_level, 0.5, high_level]))
        above = None if threshold is None else float(np.mean(arr > threshold))
    header, *body = distribution_rows(arr)
    bins = [dict(zip(header, r, strict=True)) for r in body]
    names = {
        "draws": "posterior draws (density)",
        "interval": f"{100 * interval:g}% interval {format_interval(lo, hi)}",
        "median": f"median {_percent(med)}",
    }
    series = {names["draws"]: ESTIMATE_FILL, names["interval"]: BAND, names["median"]: ESTIMATE}
    levels = [{"series": names["median"], "at": med, "dash": "solid"}]
    if threshold is not None:
        names["threshold"] = f"P(> {_percent(threshold)}) = {_percent(above)}"
        series[names["threshold"]] = REFERENCE
        levels.append({"series": names["threshold"], "at": threshold, "dash": "dashed"})
    colours = colour(series)
    p_scale = alt.Scale(domain=[0, 1])
    chart = alt.layer(
        alt.Chart(alt.NamedData("interval")).mark_rect(opacity=0.9).encode(
            x=alt.X("lo:Q", scale=p_scale), x2="hi:Q", color=alt.ColorDatum(names["interval"], type="nominal")
        ),
        alt.Chart(alt.NamedData("bins")).mark_bar(stroke="white", strokeWidth=0.5).encode(
            x=alt.X("bin_left:Q", scale=p_scale, axis=alt.Axis(format="%", values=_TENTHS, title="posterior P(H)")),
            x2="bin_right:Q",
            y=alt.Y("density:Q", title="density", scale=alt.Scale(domainMin=0)),
            y2=alt.Y2Datum(0),
            color=alt.ColorDatum(names["draws"], type="nominal"),
            tooltip=[alt.Tooltip("bin_left:Q", format=".3~f", title="from"),
                     alt.Tooltip("bin_right:Q", format=".3~f", title="to"), alt.Tooltip("count:Q", title="draws")],
        ),
        alt.Chart(alt.NamedData("levels")).mark_rule(strokeWidth=2).encode(
            x=alt.X("at:Q", scale=p_scale),
            color=alt.Color("series:N"),
            strokeDash=alt.StrokeDash("dash:N", scale=alt.Scale(domain=["solid", "dashed"], range=[[1, 0], [5, 4]]), legend=None),
        ),
    ).encode(color=alt.Color(**colours)).properties(title=title("Posterior under uncertain evidence"), height=PLOT_HEIGHT)  # fmt: skip
    return finish(chart, name="posterior distribution", data={"interval": [{"lo": lo, "hi": hi}], "bins": bins, "levels": levels})
