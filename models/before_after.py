r"""Covert-action rates before and after anti-scheming training (PyMC).

The per-evaluation model behind ``covert --before-after`` and the data page's
"before/after" panel: see :func:`build_before_after_model` for the model and
:func:`fit_before_after` for the summaries (the average rates the
anti-scheming paper reports, their ratio, and the probability that training
left the after-training rate above a threshold).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pymc as pm

from beliefs.counts import check_counts
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, parse_beta
from beliefs.tables import NotebookRepr
from beliefs.validation import as_probability
from models.sampling import Diagnostics, McmcResult, get_compiled, summarize_draws

__all__ = ["BeforeAfterResult", "build_before_after_model", "fit_before_after"]


def build_before_after_model(n_evaluations: int, pooling: str) -> pm.Model:
    r"""Per-evaluation covert-action rates before and after training.

    ``pooling="none"``: independent conjugate-checkable priors
    :math:`r^{b}_j \sim \mathrm{Beta}(a_b, b_b)`, :math:`r^{a}_j \sim \mathrm{Beta}(a_a, b_a)`.

    ``pooling="partial"``: hierarchical on the logit scale, non-centred,

    .. math::

        \operatorname{logit} r^{b}_j = \mu_b + \sigma_b\,z^{b}_j,\qquad
        \operatorname{logit} r^{a}_j = \operatorname{logit} r^{b}_j + \mu_\Delta + \sigma_\Delta\,z^{\Delta}_j,

        \mu_b \sim \mathcal N(m_0, s_0^2),\ \sigma_b \sim \mathcal N^+(0, \tau_b^2),\
        \mu_\Delta \sim \mathcal N(0, s_\Delta^2),\ \sigma_\Delta \sim \mathcal N^+(0, \tau_\Delta^2),

    so training shifts each evaluation's log-odds by its own amount around a
    shared mean shift :math:`\mu_\Delta`.  Deterministics in both modes:
    ``mean_before`` and ``mean_after`` (the average rate over the evaluations,
    the quantity the anti-scheming paper reports as 13.0% -> 0.4%) and
    ``reduction`` = mean_before / mean_after; with partial pooling also
    ``typical_before``/``typical_after`` = :math:`\sigma(\mu_b)`,
    :math:`\sigma(\mu_b + \mu_\Delta)` (a new evaluation's median rate).
    """
    j = int(n_evaluations)
    with pm.Model() as model:
        k_b = pm.Data("k_before", np.zeros(j, dtype=np.int64))
        n_b = pm.Data("n_before", np.ones(j, dtype=np.int64))
        k_a = pm.Data("k_after", np.zeros(j, dtype=np.int64))
        n_a = pm.Data("n_after", np.ones(j, dtype=np.int64))
        if pooling == "none":
            rate_b = pm.Beta("rate_before", pm.Data("a_before", 1.0), pm.Data("b_before", 1.0), shape=j)
            rate_a = pm.Beta("rate_after", pm.Data("a_after", 1.0), pm.Data("b_after", 1.0), shape=j)
        elif pooling == "partial":
            mu_b = pm.Normal("mu_before", pm.Data("mu_before_loc", -3.0), pm.Data("mu_before_scale", 2.0))
            sigma_b = pm.HalfNormal("sigma_before", pm.Data("sigma_before_scale", 1.5))
            mu_d = pm.Normal("mu_change", 0.0, pm.Data("mu_change_scale", 2.5))
            sigma_d = pm.HalfNormal("sigma_change", pm.Data("sigma_change_scale", 1.0))
            # Centred for the before rates (hundreds of rollouts each pin them down), non-centred for the
            # change (after-training counts are mostly zero, the funnel case non-centring is for).
            logit_b = pm.Normal("logit_before", mu_b, sigma_b, shape=j)
            z_d = pm.Normal("z_change", 0.0, 1.0, shape=j)
            rate_b = pm.Deterministic("rate_before", pm.math.sigmoid(logit_b))
            rate_a = pm.Deterministic("rate_after", pm.math.sigmoid(logit_b + mu_d + sigma_d * z_d))
            pm.Deterministic("typical_before", pm.math.sigmoid(mu_b))
            pm.Deterministic("typical_after", pm.math.sigmoid(mu_b + mu_d))
        else:
            raise InputError("pooling", pooling, "'none' or 'partial'")
        pm.Binomial("k_before_obs", n=n_b, p=rate_b, observed=k_b)
        pm.Binomial("k_after_obs", n=n_a, p=rate_a, observed=k_a)
        mean_b = pm.Deterministic("mean_before", rate_b.mean())
        mean_a = pm.Deterministic("mean_after", rate_a.mean())
        pm.Deterministic("reduction", mean_b / mean_a)
    return model


@dataclass
class BeforeAfterResult(NotebookRepr):
    r"""Posterior summaries of covert-action rates before and after training.

    ``summary`` maps each reported quantity (``mean_before``, ``mean_after``,
    ``reduction``, and with partial pooling ``typical_before``/``typical_after``)
    to its :class:`~models.sampling.VariableDiagnostics` (mean, sd, R-hat, ESS,
    MCSE).  ``p_after_above_threshold`` is :math:`P(\bar r^{a} > \text{threshold}\mid D)`:
    whether training *eliminated* covert action (posterior mass near 0) or
    merely reduced it.  ``quantiles`` holds the 5%, 50% and 95% points.
    """

    pooling: str
    threshold: float
    p_after_above_threshold: float
    p_after_above_threshold_mcse: float
    summary: dict
    quantiles: dict
    diagnostics: Diagnostics
    result: McmcResult = field(repr=False)
    # The pm.Data values sampled with (models.sensitivity sets them before computing log densities).
    model_data: dict = field(default_factory=dict, repr=False)

    @property
    def warnings(self) -> list[str]:
        return list(self.diagnostics.warnings)

    def labelled_rows(self) -> list[dict]:
        """Each reported quantity named for what it is, with its statistic (see :func:`beliefs.reproduce.before_after_rows`).

        ``mean_before``/``mean_after`` are the average of the evaluations' rates under
        the hierarchical model, not the paper's aggregate of Beta(1,1) posterior means;
        :data:`beliefs.reproduce.WHY_REDUCTION_DIFFERS` says why their ratio is not the paper's x30.
        """
        from beliefs.reproduce import before_after_rows

        return before_after_rows(self.quantiles)

    def to_dict(self) -> dict:
        from beliefs.reproduce import WHY_REDUCTION_DIFFERS

        return {
            "labelled": self.labelled_rows(),
            "why_reduction_differs_from_paper": WHY_REDUCTION_DIFFERS,
            "pooling": self.pooling,
            "threshold": self.threshold,
            "p_after_above_threshold": self.p_after_above_threshold,
            "p_after_above_threshold_mcse": self.p_after_above_threshold_mcse,
            "summary": {k: v.to_dict() for k, v in self.summary.items()},
            "quantiles": self.quantiles,
            "divergences": self.diagnostics.divergences,
            "warnings": self.warnings,
        }


def fit_before_after(
    k_before, n_before, k_after, n_after, *, pooling: str = "partial",
    prior_before: BetaDist | tuple = (1.0, 1.0), prior_after: BetaDist | tuple = (1.0, 1.0),
    threshold: float = 0.001, draws: int = 1000, tune: int = 1000, chains: int = 2, seed: int = 0,
    timeout: float | None = None, target_accept: float | None = 0.95,
) -> BeforeAfterResult:
    r"""Fit the before/after model and summarise the reduction.

    ``prior_before``/``prior_after`` are used with ``pooling="none"`` (each
    rate's own Beta prior, so one evaluation has the conjugate posterior
    :math:`\mathrm{Beta}(a + k, b + n - k)`); the partial-pooling hyperpriors
    are the documented defaults of :func:`build_before_after_model`.
    """
    kb, nb = check_counts(k_before, n_before, k_field="k_before", n_field="n_before")
    ka, na = check_counts(k_after, n_after, k_field="k_after", n_field="n_after")
    if len(kb) != len(ka):
        raise InputError("k_after", k_after, f"one count per evaluation: {len(kb)} value(s), like k_before")
    if pooling not in ("none", "partial"):
        raise InputError("pooling", pooling, "'none' or 'partial'")
    thr = as_probability(threshold, "threshold", open_lower=True, open_upper=True)
    pb = parse_beta(prior_before, "prior_before")
    pa = parse_beta(prior_after, "prior_after")
    j = len(kb)
    compiled = get_compiled(("covert_before_after", j, pooling), lambda: build_before_after_model(j, pooling))
    data: dict = {"k_before": kb, "n_before": nb, "k_after": ka, "n_after": na}
    if pooling == "none":
        data.update(a_before=pb.alpha, b_before=pb.beta, a_after=pa.alpha, b_after=pa.beta)
    res = compiled.sample(
        data, draws=draws, tune=tune, chains=chains, seed=seed, timeout=timeout,
        target_accept=target_accept,
    )
    names = ["mean_before", "mean_after", "reduction"]
    if pooling == "partial":
        names += ["typical_before", "typical_after"]
    check_names = [*names, "rate_before", "rate_after"]
    if pooling == "partial":
        check_names += ["mu_before", "sigma_before", "mu_change", "sigma_change"]
    diag = res.diagnostics(check_names)
    after = res.draws("mean_after")
    above = summarize_draws("p_after_above_threshold", (after > thr).astype(float))
    quantiles = {
        name: dict(zip(("q05", "q50", "q95"), np.quantile(res.draws(name), [0.05, 0.5, 0.95]).tolist(), strict=True))
        for name in names
    }
    return BeforeAfterResult(
        pooling=pooling,
        threshold=thr,
        p_after_above_threshold=above.mean,
        p_after_above_threshold_mcse=above.mcse_mean,
        summary={name: diag[name] for name in names},
        quantiles=quantiles,
        diagnostics=diag,
        result=res,
        model_data=data,
    )
