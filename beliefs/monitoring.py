r"""Untrusted monitoring: the exact chance that covert actions go unreported, and its Monte Carlo under Beta rates.

A policy takes a covert action on a task with probability :math:`r`; a monitor
colludes with probability :math:`c` (and then never reports) and otherwise
reports with probability :math:`q`.  Per task the chance of an unreported
covert action is :math:`u = r\,k` with :math:`k = c + (1-c)(1-q)`, and over
:math:`T` independent tasks

.. math:: P(\text{at least one unreported}) = 1 - (1 - u)^T
          = -\operatorname{expm1}\bigl(T \operatorname{log1p}(-u)\bigr),

the second form keeping its digits when :math:`u` is tiny and :math:`T` large.
With :math:`c = 0` this is the claim's :math:`1 - (1 - r(1-q))^T`.

:func:`monitor_risk` works in logarithms: :math:`L = \ln P(\text{all reported, or none})
= T \operatorname{log1p}(-u)` and :math:`\ln P(\text{at least one unreported}) =
\ln(1 - e^{L})` (:func:`beliefs.odds.log1mexp`; :math:`\ln T + \ln u` and its series
where :math:`L` underflows).  Neither is ever 1 minus the other: for
:math:`r = 0.31134`, :math:`q = 0.9860705183`, :math:`T = 73765` the chance that all
are reported is :math:`(1 - 0.0043368)^{73765} = 5.8 \times 10^{-140}`, a
double, and the human output says ``1 - 5.8e-140``, not 1.  The JSON adds the
base-10 logarithms (``log10_p_unreported_any``, ``log10_p_all_reported_or_none``).

With a Beta on any of :math:`r, q, c` (:func:`monitor_distribution`) the
three are drawn independently and the formula is averaged over the draws
(NumPy Monte Carlo; the PyMC cross-check is :mod:`models.monitoring`).

Examples
--------
>>> round(monitor_risk(rate=0.01, report=0.9, tasks=100).p_unreported_any, 6)
0.095208
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from beliefs.evidence import BetaDist, parse_beta
from beliefs.format import format_factor, format_probability, format_probability_log
from beliefs.intervals import DEFAULT_INTERVAL, check_interval_mass, equal_tailed
from beliefs.montecarlo import DrawSummary, check_draws, check_seed, log_beta_draws
from beliefs.odds import log10_or_none, log_odds
from beliefs.special import MAX_EXACT_COUNT
from beliefs.tables import NotebookRepr
from beliefs.validation import as_count, as_probability

__all__ = [
    "MAX_TASKS",
    "TASKS_HINT",
    "MonitorCurve",
    "MonitorDistribution",
    "MonitorResult",
    "monitor_curve",
    "monitor_distribution",
    "monitor_risk",
    "point_or_beta",
    "task_grid",
    "unreported_any",
    "unreported_logs",
    "unreported_per_task",
]

MAX_TASKS = MAX_EXACT_COUNT  # 1e15 < 2**53: every task count is an exact double
TASKS_HINT = "the formula holds the task count as an exact double, up to 1e15 tasks; beyond that it is refused"


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


def unreported_logs(log_u, u, tasks, log_keep=None) -> tuple[np.ndarray, np.ndarray]:
    r"""``(ln P(at least one unreported), ln P(all reported, or none))`` over ``tasks`` tasks (vectorized).

    ``u`` is the per-task probability :math:`r(c + (1-c)(1-q))` as a double and ``log_u`` its log
    (exact even where ``u`` underflows).  :math:`L = T\,\mathrm{log1p}(-u)` and the first is
    :math:`\ln(1 - e^L)` (``expm1`` near 0, ``log1p`` far from it); where :math:`L` itself
    underflows it is :math:`\ln T + \ln(-\ln(1-u))`, from :math:`-\ln(1-u) = u(1 + u/2 + u^2/3 + \ldots)`.
    ``T = 0`` or ``u = 0`` give ``(-inf, 0)``; ``u = 1`` with ``T > 0`` gives ``(0, -inf)``.
    ``log_keep``, when given, is :math:`\ln(1-u)` computed from the inputs: near :math:`u = 1` the double
    ``u`` has lost the digits of :math:`1-u` (``1 - 1.2e-7`` keeps 9 of them), so ``log1p(-u)`` cannot be exact.
    """
    log_u, u, t = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (log_u, u, tasks)))
    keep_log = np.log1p(-np.minimum(u, 1.0)) if log_keep is None else np.broadcast_to(np.asarray(log_keep, float), u.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        big = u > 1e-4
        log_neg_log1p = np.where(
            big, np.log(-np.log1p(-np.where(big, np.minimum(u, 0.5), 0.5))), log_u + np.log1p(u * (0.5 + u * (1 / 3 + u / 4)))
        )
        log_neg_l = np.log(t) + log_neg_log1p  # ln(-L)
        # T log1p(-u) wherever u is a normal double (no round trip through exp); from ln(-L) where u underflowed
        log_none = np.where(u >= _TINY, t * keep_log, -np.exp(log_neg_l))
        log_any = np.where(log_none > -_LN2, np.log(-np.expm1(log_none)), np.log1p(-np.exp(log_none)))
        log_any = np.where(log_none < -1e-290, log_any, log_neg_l)
    nothing = (t == 0) | (log_u == -np.inf)
    certain = ~nothing & (u >= 1.0)
    log_any = np.where(nothing, -np.inf, np.where(certain, 0.0, log_any))
    log_none = np.where(nothing, 0.0, np.where(certain, -np.inf, log_none))
    return log_any, log_none


_LN2 = math.log(2.0)
_TINY = 2.2250738585072014e-308  # the smallest normal double


@dataclass(frozen=True)
class MonitorResult(NotebookRepr):
    """The chance that covert actions slip past an untrusted monitor over ``tasks`` tasks.

    ``log_*`` are natural logarithms, computed directly (never as 1 minus the other probability).
    """

    rate: float
    report: float
    collusion: float
    tasks: int
    p_unreported_per_task: float
    log_p_unreported_per_task: float
    log_p_unreported_any: float
    log_p_all_reported_or_none: float

    @property
    def p_unreported_any(self) -> float:
        """P(at least one unreported) = -expm1(ln P(all reported, or none)), with its digits near 0."""
        return -math.expm1(self.log_p_all_reported_or_none) + 0.0  # + 0.0: never "-0.0"

    @property
    def p_all_reported_or_none(self) -> float:
        return math.exp(self.log_p_all_reported_or_none)

    @property
    def log_odds_unreported_any(self) -> float:
        """Log-odds of P(at least one unreported): the difference of the two logs, each computed directly.

        (ln P(any) alone rounds to -0.0 once P(all reported) is below 1e-308; the difference keeps it.)
        """
        return self.log_p_unreported_any - self.log_p_all_reported_or_none

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
            "p_all_reported_or_none": self.p_all_reported_or_none,
            "expected_unreported": self.expected_unreported,
            "log10_p_unreported_per_task": log10_or_none(self.log_p_unreported_per_task),
            "log10_p_unreported_any": log10_or_none(self.log_p_unreported_any),
            "log10_p_all_reported_or_none": log10_or_none(self.log_p_all_reported_or_none),
        }

    def table_rows(self) -> list[tuple[str, str]]:
        """(label, text) of the command line's table; the app shows the same text."""

        def fraction(log_p: float) -> str:
            return format_probability_log(log_p, percent=False)

        def given(p: float) -> str:
            return format_probability(log_odds(p), percent=False)

        expected = self.expected_unreported
        if expected == 0 and self.log_p_unreported_per_task > -math.inf and self.tasks:
            expected_text = format_factor(math.log(self.tasks) + self.log_p_unreported_per_task)  # T u underflowed
        else:
            expected_text = f"{expected:.6g}"
        return [
            ("covert-action rate per task", given(self.rate)),
            ("monitor report probability", given(self.report)),
            ("collusion probability", given(self.collusion)),
            ("tasks", str(self.tasks)),
            ("P(unreported) per task", fraction(self.log_p_unreported_per_task)),
            ("expected unreported actions", expected_text),
            ("P(at least one unreported)", format_probability(self.log_odds_unreported_any, percent=False)),
        ]

    def table(self) -> str:
        rows = self.table_rows()
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
    t = as_count(tasks, "tasks", maximum=MAX_TASKS, above_maximum=TASKS_HINT)
    miss = c + (1.0 - c) * (1.0 - q)  # P(no report | covert action)
    u = r * miss
    log_u = math.log(r) + math.log(miss) if r > 0 and miss > 0 else -math.inf  # exact where r * miss underflows
    # ln(1 - u) from the inputs where u is near 1: 1 - u = (1 - r) + r (1 - c) q, two terms of one sign
    keep = (1.0 - r) + r * (1.0 - c) * q
    log_keep = math.log1p(-u) if u <= 0.5 else (math.log(keep) if keep > 0 else -math.inf)
    log_any, log_none = unreported_logs(log_u, u, t, log_keep)
    return MonitorResult(r, q, c, t, u, log_u, float(log_any), float(log_none))


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


# -- Beta uncertainty on the rates: Monte Carlo -------------------------------------


@dataclass(frozen=True, eq=False)
class MonitorDistribution(DrawSummary):
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

    def _summary_draws(self) -> np.ndarray:
        return self.p_any

    @cached_property
    def _log_draws(self) -> tuple[np.ndarray, np.ndarray]:
        # per draw: ln P(at least one unreported) and ln P(all reported, or none)
        with np.errstate(divide="ignore"):
            return unreported_logs(np.log(self.per_task), self.per_task, self.tasks)

    def log_odds(self) -> dict[str, float]:
        """Log-odds of the mean, the median and the interval's ends of P(at least one unreported).

        From logarithms (a log-mean-exp over the draws; the quantiles through ``u``), so a mean within
        1e-20 of 1 is shown as such, never as certain.
        """
        from scipy.special import logsumexp

        log_any, log_none = self._log_draws
        n = math.log(self.per_task.size)
        out = {"mean": (float(logsumexp(log_any)) - n) - (float(logsumexp(log_none)) - n)}
        lo_q, hi_q = equal_tailed(self.interval_mass)
        for name, level in (("median", 0.5), ("lower", lo_q), ("upper", hi_q)):
            u = float(np.quantile(self.per_task, level))
            a, none = unreported_logs(math.log(u) if u > 0 else -math.inf, u, self.tasks)
            out[name] = float(a - none)
        return out

    def quantiles(self, levels) -> np.ndarray:
        """Quantiles of P(at least one unreported): 1 - (1 - Q_u)^T, since it increases with u."""
        return _any_from_per_task(np.quantile(self.per_task, levels), self.tasks)

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


def point_or_beta(value: object, field: str) -> float | BetaDist:
    """A probability, or a Beta on it (a :class:`BetaDist`, an ``(alpha, beta)`` pair or the text ``"A,B"``)."""
    if isinstance(value, (BetaDist, tuple, list)) or (isinstance(value, str) and "," in value):
        return parse_beta(value, field)
    return as_probability(value, field)


def _draw(value, field, rng, n):
    v = point_or_beta(value, field)
    if isinstance(v, BetaDist):
        return np.exp(log_beta_draws(rng, v.alpha, v.beta, n)), [v.alpha, v.beta]
    return np.full(n, v), v


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
    n = check_draws(draws)
    s = check_seed(seed)
    t = as_count(tasks, "tasks")
    mass = check_interval_mass(interval)
    rng = np.random.default_rng(s)
    r, r_in = _draw(rate, "rate", rng, n)
    q, q_in = _draw(report, "report", rng, n)
    c, c_in = _draw(collusion, "collusion", rng, n)
    u = unreported_per_task(r, q, c)
    return MonitorDistribution(u, t, mass, s, {"rate": r_in, "report": q_in, "collusion": c_in})
