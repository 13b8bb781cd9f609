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
NumPy Monte Carlo :func:`beliefs.monitoring.monitor_distribution` (with the
conjugate :math:`\mathrm{Beta}(\alpha_q + x, \beta_q + a - x)` for audited
:math:`q`) and, for uncertainty on :math:`r` alone, quadrature.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.intervals import DEFAULT_INTERVAL, check_interval_mass
from beliefs.monitoring import point_or_beta
from beliefs.validation import as_count
from models.sampling import DerivedFit, derived_fit, get_compiled

__all__ = ["build_monitoring_model", "sample_monitoring"]

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


def _spec(value, field: str) -> dict:
    v = point_or_beta(value, field)
    if isinstance(v, BetaDist):
        return {f"{field}_alpha": v.alpha, f"{field}_beta": v.beta, f"{field}_fixed": 0.0, f"{field}_point": 0.5}
    return {f"{field}_alpha": 1.0, f"{field}_beta": 1.0, f"{field}_fixed": 1.0, f"{field}_point": v}


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
) -> DerivedFit:
    """Sample the monitoring model with NUTS; each of rate/report/collusion is a probability or a Beta.

    The fit's ``mean`` (``to_dict()["p_unreported_any"]``) estimates P(at least one
    unreported), with its MCSE; ``extra["p_unreported_per_task"]`` is the mean per-task probability.
    """
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
    per_task = float(np.mean(result.draws("p_unreported_per_task")))
    return derived_fit(result, "p_unreported_any", uncertain, mass, {"p_unreported_per_task": per_task})
