r"""Fast vectorized Monte Carlo for uncertain inputs (the app's interactive path; no PyMC).

Three propagations, each drawing every uncertain input at once as an array:

Uncertain evidence (:func:`posterior_distribution`)
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

Chain of successors with drifting survival (:func:`chain_drift_draws`)
    .. math::

        \operatorname{logit} s_i = \mu - \delta\,i + \varepsilon_i,\quad
        \varepsilon_i \sim N(0, \tau),\quad i = 0, 1, \ldots, n-1,

    with :math:`\mu \sim N(m_\mu, s_\mu)`, :math:`\delta \sim N(m_\delta, s_\delta)`
    and :math:`\tau \sim \mathrm{HalfNormal}(s_\tau)` (a zero scale fixes the
    value).  Step 0 is the first hand-over, so :math:`\mu` is its logit
    survival; :math:`\delta > 0` makes survival decay with capability and
    :math:`\tau > 0` makes steps unalike.  P(success after n) :math:`= b \prod_{i<n} s_i`.

Untrusted monitoring with Beta uncertainty (:func:`monitor_distribution`)
    :math:`r, q, c` each a point or a Beta; P(at least one unreported over T)
    as in :mod:`beliefs.closed_forms`, averaged over the draws.

Intervals are equal-tailed (the default 90%: the 5% and 95% quantiles).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import special

from beliefs.closed_forms import (
    DEFAULT_INTERVAL,
    ChainCurve,
    MonitorCurve,
    as_beta,
    check_interval_mass,
    task_grid,
    unreported_any,
    unreported_per_task,
)
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence
from beliefs.odds import log_odds
from beliefs.tables import NotebookRepr
from beliefs.update import UpdateResult, cromwell_note, update
from beliefs.validation import as_count, as_float, as_probability

__all__ = [
    "DriftPrior",
    "EvidenceTerms",
    "MonitorDistribution",
    "PosteriorDistribution",
    "chain_drift_curve",
    "chain_drift_draws",
    "check_drift_inputs",
    "curve_from_draws",
    "equal_tailed",
    "evidence_terms",
    "log_beta_draws",
    "monitor_distribution",
    "posterior_distribution",
]

_MAX_DRAWS = 10_000_000  # beyond this a request is a typo, and would exhaust memory


def equal_tailed(mass: float) -> tuple[float, float]:
    """The lower and upper quantile levels of an equal-tailed interval holding ``mass``."""
    return (1 - mass) / 2, (1 + mass) / 2


def _draw_count(draws: object) -> int:
    return as_count(draws, "draws", minimum=2, maximum=_MAX_DRAWS)


def _seed(seed: object) -> int:
    return as_count(seed, "seed")


def log_beta_draws(rng: np.random.Generator, alpha, beta, size) -> np.ndarray:
    r"""Draws of :math:`\ln X` for :math:`X \sim \mathrm{Beta}(\alpha, \beta)`, finite even for tiny shapes.

    :math:`X = G_a/(G_a + G_b)` with :math:`G \sim \mathrm{Gamma}`, so
    :math:`\ln X = \ln G_a - \operatorname{logaddexp}(\ln G_a, \ln G_b)`.  For a
    shape :math:`a < 1` a Gamma draw can underflow to 0, so it is taken as
    :math:`\ln G_{a+1} + \ln(U)/a` (Marsaglia and Tsang's boost), which is exact.
    ``alpha`` and ``beta`` broadcast against ``size``.
    """
    if np.ndim(alpha) == 0 and np.ndim(beta) == 0 and alpha >= 1 and beta >= 1:
        # Scalar shapes take NumPy's fast path; no underflow risk for shapes >= 1.
        ga = rng.standard_gamma(float(alpha), size)
        gb = rng.standard_gamma(float(beta), size)
        return np.log(ga / (ga + gb))
    alpha = np.asarray(alpha, dtype=float)
    beta = np.asarray(beta, dtype=float)
    if np.all(alpha >= 1) and np.all(beta >= 1):
        # No underflow risk: one log per draw instead of two logs and a logaddexp.
        ga = rng.standard_gamma(np.broadcast_to(alpha, size))
        gb = rng.standard_gamma(np.broadcast_to(beta, size))
        return np.log(ga / (ga + gb))
    log_ga = _log_gamma_draws(rng, alpha, size)
    log_gb = _log_gamma_draws(rng, beta, size)
    return log_ga - np.logaddexp(log_ga, log_gb)


def _log_gamma_draws(rng, shape, size):
    small = shape < 1
    boosted = np.where(small, shape + 1.0, shape)
    out = np.log(rng.standard_gamma(np.broadcast_to(boosted, size)))
    if np.any(small):
        u = 1.0 - rng.random(size)  # in (0, 1], so log(u) is finite
        out = out + np.where(small, np.log(u) / shape, 0.0)
    return out


# -- uncertain evidence --------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PosteriorDistribution(NotebookRepr):
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

    @cached_property
    def mean(self) -> float:
        return float(np.mean(self.posterior))

    @cached_property
    def mean_se(self) -> float:
        """Monte Carlo standard error of ``mean`` (draws are independent)."""
        return float(np.std(self.posterior, ddof=1) / math.sqrt(self.draws))

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
    def median(self) -> float:
        return float(self.quantiles(0.5))

    @cached_property
    def interval(self) -> tuple[float, float]:
        lo, hi = self.quantiles(equal_tailed(self.interval_mass))
        return float(lo), float(hi)

    @cached_property
    def p_above_threshold(self) -> float:
        return float(np.mean(self.log_odds > log_odds(self.threshold)))

    @property
    def p_above_threshold_se(self) -> float:
        p = self.p_above_threshold
        return math.sqrt(p * (1 - p) / self.draws)

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


def posterior_distribution(
    prior: float,
    evidence,
    *,
    draws: int = 100_000,
    seed: int = 0,
    threshold: float = 0.5,
    interval: float = DEFAULT_INTERVAL,
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
        Number of Monte Carlo draws and the seed of ``np.random.default_rng``.
    threshold : float
        Report :math:`P(\text{posterior} > \text{threshold})`.
    interval : float
        Mass of the equal-tailed interval.

    Examples
    --------
    One log-normal ratio with median 3 on even odds; the median posterior is 3/4:

    >>> e = Evidence("x", likelihood_ratio=3.0, log_lr_sigma=0.5)
    >>> d = posterior_distribution(0.5, [e], draws=10_000, seed=1)
    >>> round(d.median, 2), d.point_posterior
    (0.75, 0.75)
    """
    terms = evidence_terms(prior, evidence)
    n = _draw_count(draws)
    s = _seed(seed)
    t = as_probability(threshold, "threshold")
    mass = check_interval_mass(interval)
    point = terms.point
    if terms.certain:
        note = cromwell_note(point.prior)
        x = np.full(n, point.prior_log_odds)
        return PosteriorDistribution(point.prior, x, point.posterior, t, mass, s, terms.uncertain_items, note)
    rng = np.random.default_rng(s)
    x = np.full(n, terms.shift)
    if terms.sigmas.size:
        # A sum of independent normals is one normal: one draw per sample, not one per item.
        x += rng.standard_normal(n) * math.hypot(*terms.sigmas.tolist())  # no overflow of sigma**2
    # One column at a time with a scalar shape: NumPy's scalar-shape Gamma path is
    # faster than its broadcast one, and no (draws, items) temporaries are built.
    for alpha, beta, sign in zip(terms.alphas, terms.betas, terms.signs, strict=True):
        x += sign * log_beta_draws(rng, float(alpha), float(beta), n)
    return PosteriorDistribution(point.prior, x, point.posterior, t, mass, s, terms.uncertain_items)


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
    items = [e for e in items if e.enabled]
    constant = [e.weighted_log_lr for e in items if not _has_beta(e)]
    sigmas = [e.discount * e.log_lr_sigma for e in items if e.log_lr_sigma]
    alphas, betas, signs = [], [], []
    for e in items:
        if not _has_beta(e):
            continue
        for dist, point_p, sign in (
            (e.p_e_given_h_dist, e.p_e_given_h, 1.0),
            (e.p_e_given_not_h_dist, e.p_e_given_not_h, -1.0),
        ):
            if dist is None:
                constant.append(sign * e.discount * math.log(point_p))
            else:
                alphas.append(dist.alpha)
                betas.append(dist.beta)
                signs.append(sign * e.discount)
    # fsum: the constant does not depend on the order of the items.
    shift = point.prior_log_odds + math.fsum(constant) if not point.certain else point.prior_log_odds
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


# -- chain of successors with drifting survival ----------------------------------


@dataclass(frozen=True)
class DriftPrior:
    r"""Priors of the drifting-survival chain: :math:`\mu \sim N(m_\mu, s_\mu)`,
    :math:`\delta \sim N(m_\delta, s_\delta)`, :math:`\tau \sim \mathrm{HalfNormal}(s_\tau)`.

    ``mu_mean`` is the logit of the first step's survival; a zero scale fixes a value.
    """

    mu_mean: float
    mu_sd: float = 0.0
    delta_mean: float = 0.0
    delta_sd: float = 0.0
    tau_scale: float = 0.0

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "mu_mean", as_float(self.mu_mean, "mu_mean", "a finite logit of survival"))
        set_(self, "delta_mean", as_float(self.delta_mean, "delta_mean", "a finite drift per step (logit)"))
        for name in ("mu_sd", "delta_sd", "tau_scale"):
            value = as_float(getattr(self, name), name, "a finite scale >= 0")
            if value < 0:
                raise InputError(name, getattr(self, name), "a finite scale >= 0")
            set_(self, name, value)

    @classmethod
    def from_survival(cls, first_step: float, **scales) -> DriftPrior:
        """Centre ``mu`` on the logit of a first-step survival probability in (0, 1)."""
        s = as_probability(first_step, "first_step", open_lower=True, open_upper=True)
        return cls(mu_mean=log_odds(s), **scales)

    def as_array(self) -> np.ndarray:
        return np.array([self.mu_mean, self.mu_sd, self.delta_mean, self.delta_sd, self.tau_scale])


_MAX_DRIFT_CELLS = 50_000_000  # draws x (steps + 1) floats: 400 MB


def check_drift_inputs(base, max_steps, prior, draws) -> tuple[float, int, int]:
    """Validate the drifting-chain inputs; the draws x steps array must fit in memory."""
    b = as_probability(base, "base")
    n_max = as_count(max_steps, "max_steps", maximum=10_000)
    if not isinstance(prior, DriftPrior):
        raise InputError("prior", prior, "a DriftPrior(mu_mean, mu_sd, delta_mean, delta_sd, tau_scale)")
    n = _draw_count(draws)
    if n * (n_max + 1) > _MAX_DRIFT_CELLS:
        raise InputError(
            "draws", draws, f"at most {_MAX_DRIFT_CELLS // (n_max + 1)} draws for {n_max} steps (memory)"
        )
    return b, n_max, n


def chain_drift_draws(
    base: float, max_steps: int, prior: DriftPrior, *, draws: int = 20_000, seed: int = 0
) -> np.ndarray:
    r"""Draws of P(success after n steps) for n = 0..``max_steps``: an array (draws, max_steps + 1).

    Each draw is one chain: :math:`b \exp\bigl(\sum_{i<n} \ln \operatorname{expit}(\mu - \delta i + \varepsilon_i)\bigr)`;
    the log-survivals are summed (``log_expit`` keeps them finite).
    """
    b, n_max, n = check_drift_inputs(base, max_steps, prior, draws)
    rng = np.random.default_rng(_seed(seed))
    z = rng.standard_normal((n, 3))
    mu = prior.mu_mean + prior.mu_sd * z[:, 0]
    delta = prior.delta_mean + prior.delta_sd * z[:, 1]
    tau = prior.tau_scale * np.abs(z[:, 2])
    step = np.arange(n_max)
    logit_s = mu[:, None] - delta[:, None] * step[None, :] + tau[:, None] * rng.standard_normal((n, n_max))
    log_success = np.zeros((n, n_max + 1))
    np.cumsum(special.log_expit(logit_s), axis=1, out=log_success[:, 1:])
    return b * np.exp(log_success)


def curve_from_draws(draws: np.ndarray, interval: float = DEFAULT_INTERVAL, label: str = "") -> ChainCurve:
    """Mean, median and equal-tailed band per column of a (draws, steps) array of P(success)."""
    mass = check_interval_mass(interval)
    lo_q, hi_q = equal_tailed(mass)
    q = np.quantile(draws, [0.5, lo_q, hi_q], axis=0)
    return ChainCurve(np.arange(draws.shape[1]), draws.mean(axis=0), q[0], q[1], q[2], mass, label)


def chain_drift_curve(
    base: float,
    max_steps: int,
    prior: DriftPrior,
    *,
    draws: int = 20_000,
    seed: int = 0,
    interval: float = DEFAULT_INTERVAL,
) -> ChainCurve:
    """P(success) against steps 0..``max_steps`` for the drifting-survival chain (Monte Carlo)."""
    sims = chain_drift_draws(base, max_steps, prior, draws=draws, seed=seed)
    return curve_from_draws(sims, interval, label="drifting survival (Monte Carlo)")


# -- untrusted monitoring with Beta uncertainty ---------------------------------


@dataclass(frozen=True, eq=False)
class MonitorDistribution:
    """Draws of the per-task unreported probability and P(at least one unreported) over ``tasks``."""

    per_task: np.ndarray
    tasks: int
    interval_mass: float
    seed: int
    inputs: dict

    @property
    def draws(self) -> int:
        return int(self.per_task.size)

    @cached_property
    def p_any(self) -> np.ndarray:
        """Draws of P(at least one unreported over ``tasks``)."""
        return _any_from_per_task(self.per_task, self.tasks)

    @cached_property
    def mean(self) -> float:
        return float(np.mean(self.p_any))

    @cached_property
    def mean_se(self) -> float:
        return float(np.std(self.p_any, ddof=1) / math.sqrt(self.draws))

    def quantiles(self, levels) -> np.ndarray:
        """Quantiles of P(at least one unreported): 1 - (1 - Q_u)^T, since it increases with u."""
        return _any_from_per_task(np.quantile(self.per_task, levels), self.tasks)

    @cached_property
    def median(self) -> float:
        return float(self.quantiles(0.5))

    @cached_property
    def interval(self) -> tuple[float, float]:
        lo, hi = self.quantiles(equal_tailed(self.interval_mass))
        return float(lo), float(hi)

    def curve(self, max_tasks: int, points: int = 200) -> MonitorCurve:
        """Mean, median and band of P(at least one unreported) over a grid of task counts."""
        t = task_grid(max_tasks, points)
        log_keep = _log_keep(self.per_task)
        mean = np.array([float(np.mean(-np.expm1(k * log_keep))) if k else 0.0 for k in t])
        lo_q, hi_q = equal_tailed(self.interval_mass)
        qu = np.quantile(self.per_task, [0.5, lo_q, hi_q])
        band = [_any_from_per_task(v, t) for v in qu]
        return MonitorCurve(t, mean, band[0], band[1], band[2], self.interval_mass)

    def to_dict(self) -> dict:
        lo, hi = self.interval
        return {
            **self.inputs,
            "tasks": self.tasks,
            "p_unreported_per_task": float(np.mean(self.per_task)),
            "p_unreported_any": self.mean,
            "p_unreported_any_se": self.mean_se,
            "median": self.median,
            "interval": [lo, hi],
            "interval_mass": self.interval_mass,
            "interval_kind": "equal-tailed",
            "draws": self.draws,
            "seed": self.seed,
        }


def _log_keep(u: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):  # u = 1 gives log(0) = -inf, handled by the caller
        return np.log1p(-u)


def _any_from_per_task(u, tasks) -> np.ndarray:
    # rate 1, report 0, collusion 0 makes u exactly 1; unreported_any handles that and T = 0.
    return unreported_any(np.asarray(u, dtype=float), 0.0, 1.0, tasks)


def _point_or_beta(value, field, rng, n):
    if isinstance(value, (BetaDist, tuple, list)) or (isinstance(value, str) and "," in value):
        dist = as_beta(value, field)
        return np.exp(log_beta_draws(rng, dist.alpha, dist.beta, n)), [dist.alpha, dist.beta]
    p = as_probability(value, field)
    return np.full(n, p), p


def monitor_distribution(
    rate,
    report,
    collusion=0.0,
    *,
    tasks: int,
    draws: int = 100_000,
    seed: int = 0,
    interval: float = DEFAULT_INTERVAL,
) -> MonitorDistribution:
    r"""P(at least one unreported covert action) with Beta uncertainty on any of r, q, c.

    Each of ``rate``, ``report``, ``collusion`` is a probability or a Beta
    (:class:`BetaDist` or ``(alpha, beta)``); they are drawn independently and
    :math:`1 - (1 - r(c + (1-c)(1-q)))^T` is averaged over the draws.
    The quantiles use :math:`Q(1 - (1-u)^T) = 1 - (1 - Q_u)^T`, exact because the
    map is increasing in the per-task probability :math:`u`.
    """
    n = _draw_count(draws)
    s = _seed(seed)
    t = as_count(tasks, "tasks")
    mass = check_interval_mass(interval)
    rng = np.random.default_rng(s)
    r, r_in = _point_or_beta(rate, "rate", rng, n)
    q, q_in = _point_or_beta(report, "report", rng, n)
    c, c_in = _point_or_beta(collusion, "collusion", rng, n)
    u = unreported_per_task(r, q, c)
    return MonitorDistribution(u, t, mass, s, {"rate": r_in, "report": q_in, "collusion": c_in})
