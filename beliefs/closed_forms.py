r"""Exact formulas for the chain of successors and for untrusted monitoring.

Pure NumPy/SciPy, so the command line and the app's closed-form views never
import PyMC.  The Monte Carlo versions (drifting survival, Beta uncertainty on
the monitoring rates) are in :mod:`beliefs.uncertainty`; the PyMC versions in
:mod:`models.chain` and :mod:`models.monitoring`.

Chain of successors
-------------------
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

Untrusted monitoring
--------------------
A policy takes a covert action on a task with probability :math:`r`; a monitor
colludes with probability :math:`c` (and then never reports) and otherwise
reports with probability :math:`q`.  Per task the chance of an unreported
covert action is :math:`u = r\,k` with :math:`k = c + (1-c)(1-q)`, and over
:math:`T` independent tasks

.. math:: P(\text{at least one unreported}) = 1 - (1 - u)^T
          = -\operatorname{expm1}\bigl(T \operatorname{log1p}(-u)\bigr),

the second form keeping its digits when :math:`u` is tiny and :math:`T` large.
With :math:`c = 0` this is the claim's :math:`1 - (1 - r(1-q))^T`.

Examples
--------
>>> round(chain_success(1.0, 10, per_step=0.98).p_success, 3)
0.817
>>> round(monitor_risk(rate=0.01, report=0.9, tasks=100).p_unreported_any, 6)
0.095208
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.tables import NotebookRepr
from beliefs.validation import as_count, as_float, as_positive, as_probability

__all__ = [
    "ChainCurve",
    "ChainResult",
    "MonitorCurve",
    "MonitorResult",
    "as_beta",
    "beta_power_mean",
    "beta_power_quantile",
    "chain_curve",
    "chain_success",
    "check_interval_mass",
    "monitor_curve",
    "monitor_risk",
    "task_grid",
    "unreported_any",
    "unreported_per_task",
]

DEFAULT_INTERVAL = 0.9  # equal-tailed: the 5% and 95% quantiles
_MAX_STEPS = 10**7  # a curve over 0..steps is an array of this length


# -- input checks shared with beliefs.uncertainty and the CLI ---------------------


def as_beta(value: object, field: str) -> BetaDist:
    """A Beta from a :class:`BetaDist`, an ``(alpha, beta)`` pair or the text ``"A,B"``."""
    if isinstance(value, BetaDist):
        return value
    allowed = "a Beta as two parameters > 0, e.g. 98,2"
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
    elif isinstance(value, (tuple, list)):
        parts = list(value)
    else:
        raise InputError(field, value, allowed)
    if len(parts) != 2:
        raise InputError(field, value, allowed)
    alpha = as_positive(parts[0], f"{field} alpha", "a Beta parameter > 0")
    beta = as_positive(parts[1], f"{field} beta", "a Beta parameter > 0")
    return BetaDist(alpha, beta)


def check_interval_mass(value: object, field: str = "interval") -> float:
    """The probability mass of an equal-tailed interval, strictly between 0 and 1."""
    mass = as_float(value, field, "an interval mass in (0, 1), e.g. 0.9")
    if not 0 < mass < 1:
        raise InputError(field, value, "an interval mass in (0, 1), e.g. 0.9")
    return mass


def _tails(mass: float) -> tuple[float, float]:
    return (1 - mass) / 2, (1 + mass) / 2


# -- chain of successors -------------------------------------------------------


def beta_power_mean(alpha: float, beta: float, n) -> np.ndarray:
    r""":math:`E[s^n] = B(\alpha+n, \beta) / B(\alpha, \beta)` for :math:`s \sim \mathrm{Beta}(\alpha, \beta)`.

    Computed as ``exp(betaln(a + n, b) - betaln(a, b))`` so large ``n`` does not overflow.

    >>> float(beta_power_mean(2.0, 1.0, 1))  # the Beta(2, 1) mean
    0.6666666666666666
    """
    n = np.asarray(n, dtype=float)
    return np.exp(special.betaln(alpha + n, beta) - special.betaln(alpha, beta))


def beta_power_quantile(u, alpha: float, beta: float, n) -> np.ndarray:
    r"""The ``u``-quantile of :math:`s^n`: :math:`Q_s(u)^n` (``x -> x^n`` is increasing on [0, 1]).

    ``n = 0`` gives 1 at every quantile (:math:`s^0 = 1`).
    """
    n = np.asarray(n, dtype=float)
    return np.power(special.betaincinv(alpha, beta, u), n)


@dataclass(frozen=True)
class ChainResult(NotebookRepr):
    """P(success) of a chain of ``steps`` hand-overs from a base aligned with probability ``base``.

    Under a Beta on the per-step survival ``p_success`` is the mean (which is
    also the probability of success for a single uncertain chain), ``median``
    the median and ``interval`` the equal-tailed interval holding
    ``interval_mass`` of the probability.  For a point survival all three
    coincide with ``base * per_step ** steps``.
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

    @property
    def posterior_beta(self) -> BetaDist | None:
        """The per-step Beta after ``survived`` and ``failed`` observed steps."""
        if self.per_step_beta is None:
            return None
        return BetaDist(self.per_step_beta.alpha + self.survived, self.per_step_beta.beta + self.failed)

    @property
    def survival_mean(self) -> float:
        """The mean per-step survival (after any observed steps)."""
        post = self.posterior_beta
        return self.per_step if post is None else post.mean

    def to_dict(self) -> dict:
        out = {
            "base": self.base,
            "steps": self.steps,
            "per_step": self.per_step,
            "per_step_beta": None
            if self.per_step_beta is None
            else [self.per_step_beta.alpha, self.per_step_beta.beta],
            "p_success": self.p_success,
            "p_failure": 1.0 - self.p_success,
            "survival_mean": self.survival_mean,
        }
        if self.per_step_beta is not None:
            post = self.posterior_beta
            out.update(
                {
                    "median": self.median,
                    "interval": list(self.interval),
                    "interval_mass": self.interval_mass,
                    "interval_kind": "equal-tailed",
                    "survived": self.survived,
                    "failed": self.failed,
                    "posterior_beta": [post.alpha, post.beta],
                }
            )
        return out

    def table(self) -> str:
        """A plain-text summary for the command line."""
        rows = [("base P(aligned)", f"{self.base:.6g}"), ("steps", str(self.steps))]
        if self.per_step_beta is None:
            rows.append(("per-step survival", f"{self.per_step:.6g}"))
        else:
            a, b = self.per_step_beta.alpha, self.per_step_beta.beta
            rows.append(("per-step survival", f"Beta({a:g}, {b:g}), mean {a / (a + b):.4g}"))
            if self.survived or self.failed:
                post = self.posterior_beta
                rows.append(
                    (
                        "after observed steps",
                        f"{self.survived} survived, {self.failed} failed -> Beta({post.alpha:g}, {post.beta:g})",
                    )
                )
        rows.append(("P(success)", f"{self.p_success:.6g}" + (" (mean)" if self.per_step_beta else "")))
        if self.per_step_beta is not None:
            lo, hi = self.interval
            pct = f"{100 * self.interval_mass:g}%"
            rows.append(("median", f"{self.median:.6g}"))
            rows.append((f"{pct} interval", f"{lo:.6g} to {hi:.6g} (equal-tailed)"))
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def _chain_inputs(base, steps, per_step, per_step_beta, survived, failed):
    b = as_probability(base, "base")
    n = as_count(steps, "steps", maximum=_MAX_STEPS)
    if (per_step is None) == (per_step_beta is None):
        raise InputError(
            "per_step",
            per_step,
            "exactly one of a point per-step survival or a Beta on it (per_step_beta)",
        )
    m = as_count(survived, "survived")
    f = as_count(failed, "failed")
    if per_step is not None:
        s = as_probability(per_step, "per_step")
        if m or f:
            raise InputError("survived", m, "0 with a point survival (observed steps need a Beta to update)")
        return b, n, s, None, m, f
    return b, n, None, as_beta(per_step_beta, "per_step_beta"), m, f


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
    b, n, s, beta_dist, m, f = _chain_inputs(base, steps, per_step, per_step_beta, survived, failed)
    mass = check_interval_mass(interval)
    if beta_dist is None:
        p = b * s**n  # Python: 0.0 ** 0 == 1.0, nothing to survive
        return ChainResult(b, n, s, None, p, p, (p, p), mass)
    a_post, b_post = beta_dist.alpha + m, beta_dist.beta + f
    lo_q, hi_q = _tails(mass)
    mean = b * float(beta_power_mean(a_post, b_post, n))
    median = b * float(beta_power_quantile(0.5, a_post, b_post, n))
    lo = b * float(beta_power_quantile(lo_q, a_post, b_post, n))
    hi = b * float(beta_power_quantile(hi_q, a_post, b_post, n))
    return ChainResult(b, n, None, beta_dist, mean, median, (lo, hi), mass, m, f)


@dataclass(frozen=True)
class ChainCurve:
    """P(success) against the number of steps 0..N: mean, median and an equal-tailed band."""

    steps: np.ndarray
    mean: np.ndarray
    median: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    interval_mass: float
    label: str = ""

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "steps": self.steps.tolist(),
            "mean": self.mean.tolist(),
            "median": self.median.tolist(),
            "lower": self.lower.tolist(),
            "upper": self.upper.tolist(),
            "interval_mass": self.interval_mass,
            "interval_kind": "equal-tailed",
        }


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
    """:func:`chain_success` for every number of steps 0..``max_steps``, as arrays for plotting.

    >>> c = chain_curve(0.5, 2, per_step=0.9)
    >>> c.mean.round(6).tolist()
    [0.5, 0.45, 0.405]
    """
    b, n_max, s, beta_dist, m, f = _chain_inputs(base, max_steps, per_step, per_step_beta, survived, failed)
    mass = check_interval_mass(interval)
    n = np.arange(n_max + 1)
    if beta_dist is None:
        p = b * np.power(s, n.astype(float))
        return ChainCurve(n, p, p.copy(), p.copy(), p.copy(), mass, f"point s = {s:g}")
    a_post, b_post = beta_dist.alpha + m, beta_dist.beta + f
    lo_q, hi_q = _tails(mass)
    return ChainCurve(
        n,
        b * beta_power_mean(a_post, b_post, n),
        b * beta_power_quantile(0.5, a_post, b_post, n),
        b * beta_power_quantile(lo_q, a_post, b_post, n),
        b * beta_power_quantile(hi_q, a_post, b_post, n),
        mass,
        f"s ~ Beta({a_post:g}, {b_post:g})",
    )


# -- untrusted monitoring ------------------------------------------------------


def unreported_per_task(rate, report, collusion=0.0) -> np.ndarray:
    r"""Per-task P(covert action and no report): :math:`r\,(c + (1-c)(1-q))` (vectorized)."""
    r = np.asarray(rate, dtype=float)
    q = np.asarray(report, dtype=float)
    c = np.asarray(collusion, dtype=float)
    # c + (1-c)(1-q) rather than 1 - q(1-c): keeps digits when the miss rate 1-q is tiny.
    return r * (c + (1.0 - c) * (1.0 - q))


def unreported_any(rate, report, collusion, tasks) -> np.ndarray:
    r""":math:`1 - (1 - u)^T` with :math:`u` from :func:`unreported_per_task`, accurate for tiny u (vectorized).

    ``T = 0`` gives 0 and ``u = 1`` with ``T > 0`` gives 1, never NaN.
    """
    u = unreported_per_task(rate, report, collusion)
    t = np.asarray(tasks, dtype=float)
    certain = u >= 1.0
    u_safe = np.where(certain, 0.0, u)
    p = -np.expm1(t * np.log1p(-u_safe))
    return np.where(certain, np.where(t > 0, 1.0, 0.0), p)


@dataclass(frozen=True)
class MonitorResult(NotebookRepr):
    """The chance that covert actions slip past an untrusted monitor over ``tasks`` tasks."""

    rate: float
    report: float
    collusion: float
    tasks: int
    p_unreported_per_task: float
    p_unreported_any: float

    @property
    def expected_unreported(self) -> float:
        """Expected number of unreported covert actions, ``T u``."""
        return self.tasks * self.p_unreported_per_task

    def to_dict(self) -> dict:
        return {
            "rate": self.rate,
            "report": self.report,
            "collusion": self.collusion,
            "tasks": self.tasks,
            "p_unreported_per_task": self.p_unreported_per_task,
            "p_unreported_any": self.p_unreported_any,
            "p_all_reported_or_none": 1.0 - self.p_unreported_any,
            "expected_unreported": self.expected_unreported,
        }

    def table(self) -> str:
        rows = [
            ("covert-action rate per task", f"{self.rate:.6g}"),
            ("monitor report probability", f"{self.report:.6g}"),
            ("collusion probability", f"{self.collusion:.6g}"),
            ("tasks", str(self.tasks)),
            ("P(unreported) per task", f"{self.p_unreported_per_task:.6g}"),
            ("expected unreported actions", f"{self.expected_unreported:.6g}"),
            ("P(at least one unreported)", f"{self.p_unreported_any:.6g}"),
        ]
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def _monitor_inputs(rate, report, collusion):
    return (
        as_probability(rate, "rate"),
        as_probability(report, "report"),
        as_probability(collusion, "collusion"),
    )


def monitor_risk(rate: float, report: float, collusion: float = 0.0, *, tasks: int) -> MonitorResult:
    r"""P(at least one covert action goes unreported) over ``tasks`` independent tasks.

    .. math:: 1 - \bigl(1 - r\,(c + (1-c)(1-q))\bigr)^T

    Examples
    --------
    With no collusion this is the claim's :math:`1 - (1 - r(1-q))^T`:

    >>> m = monitor_risk(rate=1e-3, report=0.95, tasks=10_000)
    >>> round(m.p_unreported_per_task, 12), round(m.p_unreported_any, 6)
    (5e-05, 0.393477)
    """
    r, q, c = _monitor_inputs(rate, report, collusion)
    t = as_count(tasks, "tasks")
    u = float(unreported_per_task(r, q, c))
    return MonitorResult(r, q, c, t, u, float(unreported_any(r, q, c, t)))


@dataclass(frozen=True)
class MonitorCurve:
    """P(at least one unreported) against the number of tasks, with an optional band."""

    tasks: np.ndarray
    mean: np.ndarray
    median: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    interval_mass: float | None = None

    def to_dict(self) -> dict:
        return {
            "tasks": self.tasks.tolist(),
            "mean": self.mean.tolist(),
            "median": self.median.tolist(),
            "lower": self.lower.tolist(),
            "upper": self.upper.tolist(),
            "interval_mass": self.interval_mass,
            "interval_kind": None if self.interval_mass is None else "equal-tailed",
        }


def task_grid(max_tasks: int, points: int = 200) -> np.ndarray:
    """Task counts 0..max_tasks, every integer when few, otherwise geometrically spaced integers."""
    t_max = as_count(max_tasks, "max_tasks")
    if t_max + 1 <= points:
        return np.arange(t_max + 1)
    grid = np.unique(np.round(np.geomspace(1, t_max, points - 1)).astype(np.int64))
    return np.concatenate(([0], grid))


def monitor_curve(rate: float, report: float, collusion: float = 0.0, *, max_tasks: int) -> MonitorCurve:
    """:func:`monitor_risk` over a grid of task counts 0..``max_tasks`` (see :func:`task_grid`)."""
    r, q, c = _monitor_inputs(rate, report, collusion)
    t = task_grid(max_tasks)
    p = unreported_any(r, q, c, t)
    return MonitorCurve(t, p, p.copy(), p.copy(), p.copy(), None)
