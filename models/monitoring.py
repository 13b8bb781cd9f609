r"""Untrusted monitoring in PyMC: Beta uncertainty on the rates, optionally learned from audits.

.. math::

    r \sim \mathrm{Beta}(\alpha_r, \beta_r),\quad
    q \sim \mathrm{Beta}(\alpha_q, \beta_q),\quad
    c \sim \mathrm{Beta}(\alpha_c, \beta_c),\qquad
    x \sim \mathrm{Binomial}(a, q),

    P(\text{at least one unreported over } T) =
    -\operatorname{expm1}\bigl(T \operatorname{log1p}(-r\,(c + (1-c)(1-q)))\bigr),

where :math:`a` planted covert actions were shown to the monitor and it
reported :math:`x` of them (0 and 0 when there are no audits).  Any of
:math:`r, q, c` can instead be a point value: a ``fixed_*`` flag in the data
replaces the Beta draw by the point, so the compiled graph is the same for
every combination and changing an input never recompiles.

Sampled with NUTS through :mod:`models.sampling`.  Independent checks: the
NumPy Monte Carlo :func:`beliefs.uncertainty.monitor_distribution` (with the
conjugate :math:`\mathrm{Beta}(\alpha_q + x, \beta_q + a - x)` for audited
:math:`q`) and, for uncertainty on :math:`r` alone, quadrature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from beliefs.closed_forms import DEFAULT_INTERVAL, as_beta, check_interval_mass
from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.tables import NotebookRepr
from beliefs.uncertainty import equal_tailed
from beliefs.validation import as_count, as_probability
from models.chain import summarize_derived
from models.sampling import Diagnostics, McmcResult, get_compiled

__all__ = ["MonitorFit", "build_monitoring_model", "sample_monitoring"]

MONITORING_KEY = ("monitoring", "beta-rates")
_PARAMS = ("rate", "report", "collusion")


def build_monitoring_model() -> pm.Model:
    """Betas (or fixed points) on rate, report and collusion; audits of the monitor; P(any unreported)."""
    with pm.Model() as model:
        values = {}
        for name in _PARAMS:
            a = pm.Data(f"{name}_alpha", 1.0)
            b = pm.Data(f"{name}_beta", 1.0)
            fixed = pm.Data(f"{name}_fixed", 0.0)
            point = pm.Data(f"{name}_point", 0.5)
            drawn = pm.Beta(name, a, b)
            # A fixed input keeps its point value; its Beta(1, 1) is sampled but unused.
            values[name] = fixed * point + (1.0 - fixed) * drawn
        audited = pm.Data("audited", np.array(0, dtype=np.int64))
        reported = pm.Data("reported", np.array(0, dtype=np.int64))
        tasks = pm.Data("tasks", 100.0)
        pm.Binomial("reported_obs", n=audited, p=values["report"], observed=reported)
        r, q, c = values["rate"], values["report"], values["collusion"]
        per_task = r * (c + (1.0 - c) * (1.0 - q))
        pm.Deterministic("p_unreported_per_task", per_task)
        pm.Deterministic("p_unreported_any", -pt.expm1(tasks * pt.log1p(-per_task)))
    return model


@dataclass(frozen=True, eq=False)
class MonitorFit(NotebookRepr):
    """MCMC estimate of P(at least one unreported) with convergence diagnostics."""

    result: McmcResult
    p_unreported_any: float
    mcse: float
    median: float
    interval: tuple[float, float]
    interval_mass: float
    p_unreported_per_task: float
    diagnostics: Diagnostics

    def to_dict(self) -> dict:
        return {
            "p_unreported_any": self.p_unreported_any,
            "mcse": self.mcse,
            "median": self.median,
            "interval": list(self.interval),
            "interval_mass": self.interval_mass,
            "interval_kind": "equal-tailed",
            "p_unreported_per_task": self.p_unreported_per_task,
            "diagnostics": self.diagnostics.to_dict(),
        }


def _spec(value, field: str) -> dict:
    if isinstance(value, (BetaDist, tuple, list)) or (isinstance(value, str) and "," in value):
        dist = as_beta(value, field)
        return {f"{field}_alpha": dist.alpha, f"{field}_beta": dist.beta, f"{field}_fixed": 0.0, f"{field}_point": 0.5}
    p = as_probability(value, field)
    return {f"{field}_alpha": 1.0, f"{field}_beta": 1.0, f"{field}_fixed": 1.0, f"{field}_point": p}


def sample_monitoring(
    rate,
    report,
    collusion=0.0,
    *,
    tasks: int,
    audited: int = 0,
    reported: int = 0,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    seed: int = 0,
    interval: float = DEFAULT_INTERVAL,
    timeout: float | None = None,
) -> MonitorFit:
    """Sample the monitoring model with NUTS; each of rate/report/collusion is a probability or a Beta."""
    data: dict = {}
    for name, value in zip(_PARAMS, (rate, report, collusion), strict=True):
        data.update(_spec(value, name))
    a = as_count(audited, "audited")
    x = as_count(reported, "reported", maximum=a)
    if a and data["report_fixed"]:
        raise InputError("audited", a, "0 unless the report probability is a Beta (audits update it)")
    t = as_count(tasks, "tasks")
    mass = check_interval_mass(interval)
    data.update(audited=a, reported=x, tasks=float(t))
    compiled = get_compiled(MONITORING_KEY, build_monitoring_model)
    result = compiled.sample(data, draws=draws, tune=tune, chains=chains, seed=seed, timeout=timeout)
    uncertain = [n for n in _PARAMS if not data[f"{n}_fixed"]]
    diag = result.diagnostics(uncertain)
    p = result.draws("p_unreported_any")
    p_diag = summarize_derived("p_unreported_any", p)
    lo_q, hi_q = equal_tailed(mass)
    q = np.quantile(p, [0.5, lo_q, hi_q])
    variables = {**diag.variables, "p_unreported_any": p_diag}
    warnings = list(diag.warnings) + p_diag.warnings(chains=result.chains)
    full = Diagnostics(variables, diag.divergences, diag.chains, diag.draws, warnings)
    per_task = float(np.mean(result.draws("p_unreported_per_task")))
    return MonitorFit(result, p_diag.mean, p_diag.mcse_mean, float(q[0]), (float(q[1]), float(q[2])), mass, per_task, full)
