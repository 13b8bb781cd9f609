r"""Chain of successors: exact forms for a point or Beta survival, and Monte Carlo for drifting survival.

Pure NumPy/SciPy, so the command line and the app never import PyMC here; the
PyMC cross-checks are in :mod:`models.chain`.

Exact
-----
A base model aligned with probability :math:`b` hands alignment on through
:math:`n` steps, each surviving with probability :math:`s`:

.. math:: P(\text{success}) = b\,s^{n}.

With a common but uncertain :math:`s \sim \mathrm{Beta}(\alpha, \beta)`, the
mean and the quantiles are exact:

.. math::

    E[s^n] = \frac{B(\alpha + n, \beta)}{B(\alpha, \beta)}, \qquad
    P(s^n \le x) = I_{x^{1/n}}(\alpha, \beta)
    \;\Rightarrow\; Q_{s^n}(u) = \bigl(Q_s(u)\bigr)^n,

because :math:`x \mapsto x^n` is increasing on [0, 1].  Having seen :math:`m`
steps survive and :math:`f` fail, the Beta updates conjugately to
:math:`\mathrm{Beta}(\alpha + m, \beta + f)`.

Zero steps means nothing has to survive: :math:`s^0 = 1` even for
:math:`s = 0`, so P(success) is the base probability.

Every result is computed as a logarithm: :math:`\ln P = \ln b + n \ln s`, the Beta
mean's log by :func:`beliefs.special.log_beta_power_mean` and each quantile as
:math:`\ln b + n \ln Q_s(u)` with :math:`\ln Q_s(u)` (or :math:`\ln(1 - Q_s(u))`
near 1) from :func:`beliefs.beta_quantile.beta_quantile_logs`; the complement
:math:`\ln(1 - P)` is :func:`beliefs.odds.log1mexp` of it.  So 0.98 per step over
a million steps is 1.19e-8774, not 0, and a chain within 1e-140 of certain is
``1 - 1e-140``, not 1.  The JSON keeps the doubles (which underflow to 0) and
adds their base-10 logarithms (``log10_p_success``, ``log10_p_failure``, ...).
Steps go up to :data:`MAX_STEPS` (1e15, below 2**53, so every count is an exact
double); a curve over every step count stops at :data:`MAX_CURVE_STEPS`.

Drifting survival (Monte Carlo, :func:`chain_drift_draws`)
----------------------------------------------------------
.. math::

    \operatorname{logit} s_i = \mu - \delta\,i + \varepsilon_i,\quad
    \varepsilon_i \sim N(0, \tau),\quad i = 0, 1, \ldots, n-1,

with :math:`\mu \sim N(m_\mu, s_\mu)`, :math:`\delta \sim N(m_\delta, s_\delta)`
and :math:`\tau \sim \mathrm{HalfNormal}(s_\tau)` (a zero scale fixes the
value).  Step 0 is the first hand-over, so :math:`\mu` is its logit
survival; :math:`\delta > 0` makes survival decay with capability and
:math:`\tau > 0` makes steps unalike.  P(success after n) :math:`= b \prod_{i<n} s_i`.

Intervals are equal-tailed (the default 90%: the 5% and 95% quantiles).

Examples
--------
>>> round(chain_success(1.0, 10, per_step=0.98).p_success, 3)
0.817
"""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass

import numpy as np
from scipy import special

from beliefs import special as sp
from beliefs.beta_quantile import beta_quantile_logs
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, parse_beta
from beliefs.format import format_probability, format_probability_log
from beliefs.intervals import DEFAULT_INTERVAL, check_interval_mass, equal_tailed
from beliefs.montecarlo import check_draws, check_seed
from beliefs.odds import log1mexp, log10_or_none, log_odds
from beliefs.tables import NotebookRepr
from beliefs.validation import as_count, as_float, as_probability

__all__ = [
    "MAX_CURVE_STEPS",
    "MAX_STEPS",
    "STEPS_HINT",
    "ChainCurve",
    "ChainResult",
    "DriftPrior",
    "beta_power_mean",
    "beta_power_quantile",
    "chain_curve",
    "chain_drift_curve",
    "chain_drift_draws",
    "chain_success",
    "check_drift_inputs",
    "curve_from_draws",
]

MAX_STEPS = sp.MAX_EXACT_COUNT  # 1e15 < 2**53: every step count (and alpha + survived) is an exact double
MAX_CURVE_STEPS = 10**7  # a curve over 0..steps is an array of this length
STEPS_HINT = "the exact forms hold the step count as an exact double, up to 1e15 steps; beyond that it is refused"
CURVE_HINT = "a curve holds one value per step count, so at most 1e7 steps; without the curve, up to 1e15"


def _fraction(log_p: float) -> str:
    # The CLI's way to write a probability held as a logarithm: a plain fraction, 6 digits, never rounded to 0 or 1.
    return format_probability_log(log_p, percent=False)


def beta_power_mean(alpha: float, beta: float, n) -> np.ndarray:
    r""":math:`E[s^n] = B(\alpha+n, \beta) / B(\alpha, \beta)` for :math:`s \sim \mathrm{Beta}(\alpha, \beta)`.

    Computed by :func:`beliefs.special.log_beta_power_mean` (the product
    :math:`\prod_{i<n} (\alpha+i)/(\alpha+\beta+i)` in log space): a difference of
    ``betaln`` values cancels catastrophically for a concentrated Beta (Beta(1e17, 1e17)
    gave 2e222).

    >>> round(float(beta_power_mean(2.0, 1.0, 1)), 15)  # the Beta(2, 1) mean (exp of a log: within an ulp)
    0.666666666666667
    """
    n_arr = np.asarray(n, dtype=float)
    return np.exp(np.vectorize(lambda x: sp.log_beta_power_mean(alpha, beta, x), otypes=[float])(n_arr))


def beta_power_quantile(u, alpha: float, beta: float, n) -> np.ndarray:
    r"""The ``u``-quantile of :math:`s^n`: :math:`Q_s(u)^n` (``x -> x^n`` is increasing on [0, 1]).

    Computed as :math:`\exp(n \ln Q_s(u))` with :math:`\ln Q_s(u)` from
    :func:`beliefs.beta_quantile.beta_quantile_logs` (a rounded :math:`Q_s(u)` raised to
    :math:`n = 10^5` would lose 1e-11).  ``n = 0`` gives 1 at every quantile (:math:`s^0 = 1`).
    """
    log_q = np.vectorize(lambda level: beta_quantile_logs(alpha, beta, level)[0], otypes=[float])(u)
    return np.exp(np.asarray(n, dtype=float) * log_q)


@dataclass(frozen=True)
class ChainResult(NotebookRepr):
    """P(success) of a chain of ``steps`` hand-overs from a base aligned with probability ``base``.

    Under a Beta on the per-step survival ``p_success`` is the mean (which is
    also the probability of success for a single uncertain chain), ``median``
    the median and ``interval`` the equal-tailed interval holding
    ``interval_mass`` of the probability.  For a point survival all three
    coincide with ``base * per_step ** steps``.  The ``log_*`` fields hold their
    natural logarithms, exact where the doubles underflow to 0.
    """

    base: float
    steps: int
    per_step: float | None
    per_step_beta: BetaDist | None
    p_success: float
    median: float
    interval: tuple[float, float]
    interval_mass: float
    survived: int = 0
    failed: int = 0
    _: KW_ONLY
    log_p_success: float
    log_median: float
    log_interval: tuple[float, float]

    @property
    def log_p_failure(self) -> float:
        """ln(1 - P(success)), from ln P(success) without subtracting from 1."""
        return log1mexp(self.log_p_success)

    @property
    def p_failure(self) -> float:
        """1 - ``p_success``, computed as -expm1(ln P(success)): its digits survive near 1."""
        return -math.expm1(self.log_p_success) + 0.0  # + 0.0: never "-0.0"

    @property
    def posterior_beta(self) -> BetaDist | None:
        """The per-step Beta after ``survived`` and ``failed`` observed steps."""
        if self.per_step_beta is None:
            return None
        return BetaDist(self.per_step_beta.alpha + self.survived, self.per_step_beta.beta + self.failed)

    def to_dict(self) -> dict:
        post = self.posterior_beta
        out = {
            "base": self.base,
            "steps": self.steps,
            "per_step": self.per_step,
            "per_step_beta": None
            if self.per_step_beta is None
            else [self.per_step_beta.alpha, self.per_step_beta.beta],
            "p_success": self.p_success,
            "p_failure": self.p_failure,
            "log10_p_success": log10_or_none(self.log_p_success),
            "log10_p_failure": log10_or_none(self.log_p_failure),
            "survival_mean": self.per_step if post is None else post.mean,  # after any observed steps
        }
        if post is not None:
            out.update(
                {
                    "median": self.median,
                    "interval": list(self.interval),
                    "log10_median": log10_or_none(self.log_median),
                    "log10_interval": [log10_or_none(v) for v in self.log_interval],
                    "interval_mass": self.interval_mass,
                    "interval_kind": "equal-tailed",
                    "survived": self.survived,
                    "failed": self.failed,
                    "posterior_beta": [post.alpha, post.beta],
                }
            )
        return out

    def table_rows(self) -> list[tuple[str, str]]:
        """(label, text) of the command line's table; the app shows the same text."""
        rows = [("base P(aligned)", format_probability(log_odds(self.base), percent=False)), ("steps", str(self.steps))]
        if self.per_step_beta is None:
            rows.append(("per-step survival", format_probability(log_odds(self.per_step), percent=False)))
        else:
            a, b = self.per_step_beta.alpha, self.per_step_beta.beta
            mean = format_probability(log_odds(self.per_step_beta.mean), percent=False)
            rows.append(("per-step survival", f"Beta({a:g}, {b:g}), mean {mean}"))
            if self.survived or self.failed:
                post = self.posterior_beta
                rows.append(
                    (
                        "after observed steps",
                        f"{self.survived} survived, {self.failed} failed -> Beta({post.alpha:g}, {post.beta:g})",
                    )
                )
        rows.append(("P(success)", _fraction(self.log_p_success) + (" (mean)" if self.per_step_beta else "")))
        if self.per_step_beta is not None:
            lo, hi = self.log_interval
            pct = f"{100 * self.interval_mass:g}%"
            rows.append(("median", _fraction(self.log_median)))
            rows.append((f"{pct} interval", f"{_fraction(lo)} to {_fraction(hi)} (equal-tailed)"))
        return rows

    def table(self) -> str:
        """A plain-text summary for the command line."""
        rows = self.table_rows()
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


@dataclass(frozen=True)
class _ChainInputs:
    base: float
    steps: int
    per_step: float | None
    prior: BetaDist | None  # the Beta on s as given (None for a point survival)
    posterior: BetaDist | None  # after the observed steps
    survived: int
    failed: int
    mass: float


def _chain_inputs(
    base, steps, per_step, per_step_beta, survived, failed, interval, *, max_steps: int = MAX_STEPS, hint: str = STEPS_HINT
) -> _ChainInputs:
    b = as_probability(base, "base")
    n = as_count(steps, "steps", maximum=max_steps, above_maximum=hint)
    if (per_step is None) == (per_step_beta is None):
        raise InputError(
            "per_step",
            per_step,
            "exactly one of a point per-step survival or a Beta on it (per_step_beta)",
        )
    m = as_count(survived, "survived", maximum=MAX_STEPS, above_maximum=STEPS_HINT)
    f = as_count(failed, "failed", maximum=MAX_STEPS, above_maximum=STEPS_HINT)
    mass = check_interval_mass(interval)
    if per_step is not None:
        s = as_probability(per_step, "per_step")
        if m or f:
            raise InputError("survived", m, "0 with a point survival (observed steps need a Beta to update)")
        return _ChainInputs(b, n, s, None, None, m, f, mass)
    prior = parse_beta(per_step_beta, "per_step_beta")
    return _ChainInputs(b, n, None, prior, BetaDist(prior.alpha + m, prior.beta + f), m, f, mass)


def chain_success(
    base: float,
    steps: int,
    per_step: float | None = None,
    per_step_beta: BetaDist | tuple[float, float] | None = None,
    *,
    survived: int = 0,
    failed: int = 0,
    interval: float = DEFAULT_INTERVAL,
) -> ChainResult:
    r"""P(success) of a chain of successors, exactly.

    Parameters
    ----------
    base : float
        P(the base model is aligned), in [0, 1].
    steps : int
        Number of hand-overs :math:`n \ge 0`.
    per_step : float, optional
        A point per-step survival :math:`s`: P(success) :math:`= b s^n`.
    per_step_beta : BetaDist or (alpha, beta), optional
        A Beta on a common :math:`s`: P(success) has mean
        :math:`b\,B(\alpha+n, \beta)/B(\alpha, \beta)` and quantiles
        :math:`b\,Q_s(u)^n`.  Give exactly one of the two.
    survived, failed : int
        Observed steps that kept / lost alignment; update the Beta to
        :math:`\mathrm{Beta}(\alpha + m, \beta + f)`.
    interval : float
        Mass of the equal-tailed interval (0.9: the 5% and 95% quantiles).

    Examples
    --------
    >>> [round(chain_success(1, n, per_step=0.98).p_success, 3) for n in (10, 35, 100)]
    [0.817, 0.493, 0.133]
    >>> r = chain_success(1, 1, per_step_beta=(98, 2))
    >>> round(r.p_success, 12)  # E[s] for one step
    0.98
    """
    x = _chain_inputs(base, steps, per_step, per_step_beta, survived, failed, interval)
    b, n, s, post = x.base, x.steps, x.per_step, x.posterior
    log_b = math.log(b) if b > 0 else -math.inf
    if post is None:
        p = b * s**n  # Python: 0.0 ** 0 == 1.0, nothing to survive
        log_p = log_b + _n_log(n, math.log(s) if s > 0 else -math.inf)
        return ChainResult(
            b, n, s, None, p, p, (p, p), x.mass, log_p_success=log_p, log_median=log_p, log_interval=(log_p, log_p)
        )
    log_mean = sp.log_beta_power_mean(post.alpha, post.beta, n)
    # n ln Q_s(u) for the median and the interval's ends (s^n is increasing in s)
    n_log_q = [_n_log(n, beta_quantile_logs(post.alpha, post.beta, u)[0]) for u in (0.5, *equal_tailed(x.mass))]
    median, lo, hi = (b * math.exp(v) for v in n_log_q)
    log_q = [log_b + v for v in n_log_q]
    return ChainResult(
        b, n, None, x.prior, b * math.exp(log_mean), median, (lo, hi), x.mass, x.survived, x.failed,
        log_p_success=log_b + log_mean, log_median=log_q[0], log_interval=(log_q[1], log_q[2]),
    )


def _n_log(n: int, log_s: float) -> float:
    # n ln s with 0 * ln 0 = 0 (s^0 = 1 even for s = 0)
    return 0.0 if n == 0 else n * log_s


@dataclass(frozen=True)
class ChainCurve:
    """P(success) against the number of steps 0..N: mean, median and an equal-tailed band.

    The ``log_*`` arrays hold the natural logarithms (exact where the doubles underflow to 0).
    """

    steps: np.ndarray
    mean: np.ndarray
    median: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    interval_mass: float
    label: str = ""
    _: KW_ONLY
    log_mean: np.ndarray
    log_median: np.ndarray
    log_lower: np.ndarray
    log_upper: np.ndarray

    def to_dict(self) -> dict:
        def log10s(values: np.ndarray) -> list:
            return [log10_or_none(v) for v in values.tolist()]

        return {
            "label": self.label,
            "steps": self.steps.tolist(),
            "mean": self.mean.tolist(),
            "median": self.median.tolist(),
            "lower": self.lower.tolist(),
            "upper": self.upper.tolist(),
            "log10_mean": log10s(self.log_mean),
            "log10_median": log10s(self.log_median),
            "log10_lower": log10s(self.log_lower),
            "log10_upper": log10s(self.log_upper),
            "interval_mass": self.interval_mass,
            "interval_kind": "equal-tailed",
        }


def _curve_from_logs(steps, log_mean, log_median, log_lower, log_upper, mass, label) -> ChainCurve:
    logs = [np.asarray(v, dtype=float) for v in (log_mean, log_median, log_lower, log_upper)]
    values = [np.exp(v) for v in logs]
    return ChainCurve(steps, *values, mass, label, log_mean=logs[0], log_median=logs[1], log_lower=logs[2], log_upper=logs[3])


def chain_curve(
    base: float,
    max_steps: int,
    per_step: float | None = None,
    per_step_beta: BetaDist | tuple[float, float] | None = None,
    *,
    survived: int = 0,
    failed: int = 0,
    interval: float = DEFAULT_INTERVAL,
) -> ChainCurve:
    """:func:`chain_success` for every number of steps 0..``max_steps`` (at most 1e7), as arrays for plotting.

    >>> c = chain_curve(0.5, 2, per_step=0.9)
    >>> c.mean.round(6).tolist()
    [0.5, 0.45, 0.405]
    """
    x = _chain_inputs(
        base, max_steps, per_step, per_step_beta, survived, failed, interval, max_steps=MAX_CURVE_STEPS, hint=CURVE_HINT
    )
    b, post = x.base, x.posterior
    log_b = math.log(b) if b > 0 else -math.inf
    n = np.arange(x.steps + 1)
    if post is None:
        log_s = math.log(x.per_step) if x.per_step > 0 else -math.inf
        log_p = log_b + np.where(n == 0, 0.0, np.maximum(n, 1) * log_s)  # s^0 = 1 even for s = 0
        return _curve_from_logs(n, log_p, log_p, log_p, log_p, x.mass, f"point s = {x.per_step:g}")
    log_mean = log_b + sp.log_beta_power_mean_curve(post.alpha, post.beta, x.steps)
    log_q = [log_b + n * beta_quantile_logs(post.alpha, post.beta, u)[0] for u in (0.5, *equal_tailed(x.mass))]
    return _curve_from_logs(n, log_mean, *log_q, x.mass, f"s ~ Beta({post.alpha:g}, {post.beta:g})")


# -- drifting survival: Monte Carlo ---------------------------------------------


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


_MAX_DRIFT_CELLS = 50_000_000  # draws x (steps + 1) floats: 400 MB


def check_drift_inputs(base, max_steps, prior, draws) -> tuple[float, int, int]:
    """Validate the drifting-chain inputs; the draws x steps array must fit in memory."""
    b = as_probability(base, "base")
    n_max = as_count(max_steps, "max_steps", maximum=10_000)
    if not isinstance(prior, DriftPrior):
        raise InputError("prior", prior, "a DriftPrior(mu_mean, mu_sd, delta_mean, delta_sd, tau_scale)")
    n = check_draws(draws)
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
    b, log_success = _drift_log_success(base, max_steps, prior, draws, seed)
    return b * np.exp(log_success)


def _drift_log_success(base, max_steps, prior, draws, seed) -> tuple[float, np.ndarray]:
    # (b, ln prod_{i<n} s_i) per draw and n = 0..max_steps: the logs a long chain needs (its product underflows)
    b, n_max, n = check_drift_inputs(base, max_steps, prior, draws)
    rng = np.random.default_rng(check_seed(seed))
    z = rng.standard_normal((n, 3))
    mu = prior.mu_mean + prior.mu_sd * z[:, 0]
    delta = prior.delta_mean + prior.delta_sd * z[:, 1]
    tau = prior.tau_scale * np.abs(z[:, 2])
    step = np.arange(n_max)
    logit_s = mu[:, None] - delta[:, None] * step[None, :] + tau[:, None] * rng.standard_normal((n, n_max))
    log_success = np.zeros((n, n_max + 1))
    np.cumsum(special.log_expit(logit_s), axis=1, out=log_success[:, 1:])
    return b, log_success


def curve_from_draws(draws: np.ndarray, interval: float = DEFAULT_INTERVAL, label: str = "") -> ChainCurve:
    """Mean, median and equal-tailed band per column of a (draws, steps) array of P(success)."""
    with np.errstate(divide="ignore"):
        return _curve_from_log_draws(np.log(np.asarray(draws, dtype=float)), interval, label)


def _curve_from_log_draws(log_draws: np.ndarray, interval: float, label: str) -> ChainCurve:
    # The mean as a log-mean-exp and the quantiles interpolated as np.quantile's default ("linear") does,
    # (1 - w) x_lo + w x_hi, but in logs: no draw of a long chain underflows to 0.
    mass = check_interval_mass(interval)
    count = log_draws.shape[0]
    with np.errstate(divide="ignore"):  # a column of -inf (base 0) has mean -inf
        log_mean = special.logsumexp(log_draws, axis=0) - math.log(count)
    ordered = np.sort(log_draws, axis=0)
    log_q = []
    for level in (0.5, *equal_tailed(mass)):
        position = level * (count - 1)
        i = math.floor(position)
        w = position - i
        lo, hi = ordered[i], ordered[min(i + 1, count - 1)]
        with np.errstate(invalid="ignore"):
            mixed = hi + np.log(w + (1.0 - w) * np.exp(lo - hi))
        log_q.append(np.where(hi == -np.inf, -np.inf, mixed))
    return _curve_from_logs(np.arange(log_draws.shape[1]), log_mean, *log_q, mass, label)


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
    b, log_success = _drift_log_success(base, max_steps, prior, draws, seed)
    log_b = math.log(b) if b > 0 else -math.inf
    return _curve_from_log_draws(log_b + log_success, interval, label="drifting survival (Monte Carlo)")
