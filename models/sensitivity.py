r"""Prior and likelihood sensitivity of MCMC fits by power-scaling (ArviZ ``psense``).

Power-scaling (Kallioinen et al. 2024, *Stat Comput* 34, 57) perturbs either
the prior or the likelihood by a power :math:`\alpha` close to 1,

.. math::

    p_\alpha^{\text{prior}}(\phi\mid D) \propto p(\phi)^\alpha\, p(D\mid\phi),\qquad
    p_\alpha^{\text{lik}}(\phi\mid D) \propto p(\phi)\, p(D\mid\phi)^\alpha ,

re-weights the posterior draws by Pareto-smoothed importance sampling
(log weights :math:`(\alpha - 1)\ln p(\phi)` or :math:`(\alpha - 1)\ln p(D\mid\phi)`)
and measures how far each quantity's distribution moves with the cumulative
Jensen-Shannon distance :math:`\mathrm{CJS}`.  The reported sensitivity is
the finite-difference derivative

.. math::

    s = \tfrac12\Big(\frac{\mathrm{CJS}(p_1, p_{\alpha_-})}{|\log_2\alpha_-|}
        + \frac{\mathrm{CJS}(p_1, p_{\alpha_+})}{\log_2\alpha_+}\Big),
    \qquad \alpha_\mp = 0.99,\ 1.01,

where each CJS is the larger of the distances for :math:`\theta` and
:math:`-\theta`.  ArviZ flags a prior sensitivity of 0.05 or more as
informative; with a likelihood sensitivity also 0.05 or more, as potential
prior-data conflict, and with a likelihood sensitivity below it as
"strong prior / weak likelihood".

ArviZ needs the ``log_prior`` and ``log_likelihood`` groups of the draws:

* models whose likelihood is an observed random variable (the before/after
  model, the chain model): ``pm.stats.compute_log_prior`` and
  ``pm.stats.compute_log_likelihood`` on the model with the data the fit used;
* the covert-action mixture models (no pooling, partial pooling), whose
  density is one ``pm.Potential``: computed here in numpy from the draws (see
  :func:`mixture_log_densities` for the split into prior and likelihood).

Public API::

    prior_sensitivity(fit_or_idata, *, model=None, data=None, var_names=None,
                      threshold=0.05, alphas=(0.99, 1.01)) -> SensitivityResult
    mixture_log_densities(kind, draws, data) -> (log_prior, log_likelihood)
    SensitivityResult.rows() / .to_dict() / .flagged / .lines()
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from beliefs.partial_pooling import (
    NUMPY_OPS,
    log_student_t,
    no_pooling_log_density,
    partial_pooling_log_density,
)
from beliefs.reproduce import BEFORE_AFTER_QUANTITIES

__all__ = [
    "CONVERGED_AND_SENSITIVE",
    "EXPLANATION",
    "QUANTITY_WORDS",
    "THRESHOLD",
    "SensitivityResult",
    "SensitivityRow",
    "branch_log_densities",
    "format_sensitivity",
    "mixture_log_densities",
    "prior_sensitivity",
    "quantity_words",
]

THRESHOLD = 0.05
UNDEFINED = "undefined (constant quantity or non-finite log density)"
EXPLANATION = (
    "Power-scaling sensitivity: how much each posterior moves when the prior (or the likelihood) "
    "is raised to a power alpha in [0.99, 1.01]; a prior sensitivity of 0.05 or more flags a strong "
    "prior or, with likelihood sensitivity also >= 0.05, prior-data conflict."
)
# Default quantities per covert-action mixture model: the answer (P(H | D, phi)) and, for
# partial pooling, the population parameters the user's priors act on.
MIXTURE_VARS = {
    "no_pooling": ("p_h",),
    "partial_pooling": ("p_h", "mu_h", "kappa_h", "mu_not_h", "kappa_not_h"),
}
_model_lock = threading.Lock()


# The quantities in words (the model's variable names are for code, not for readers).
QUANTITY_WORDS = {
    "p_h": "P(H | data, parameters), the model's indicator of H",
    "mu_h": "H's population mean rate",
    "kappa_h": "H's spread across evaluations (concentration κ)",
    "mu_not_h": "not H's population mean rate",
    "kappa_not_h": "not H's spread across evaluations (concentration κ)",
    "mu_before": "population mean log-odds of the rate before training",
    "sigma_before": "spread of the evaluations' log-odds before training",
    "mu_change": "mean change in log-odds with training",
    "sigma_change": "spread of the change across evaluations",
    **BEFORE_AFTER_QUANTITIES,
}
_INDEXED_WORDS = {
    "rate_before": "evaluation {i}'s rate before training",
    "rate_after": "evaluation {i}'s rate after training",
    "logit_before": "evaluation {i}'s log-odds before training",
    "z_change": "evaluation {i}'s standardized change",
}
CONVERGED_AND_SENSITIVE = (
    "Converged and prior-sensitive can both hold: converged says the sampler computed this posterior "
    "accurately; prior sensitivity says the posterior would move if the priors you chose moved, which is a "
    "property of the question (these data do not pin the quantity down), not an error in the computation."
)


def quantity_words(variable: str) -> str:
    """``mu_h`` -> "H's population mean rate"; ``rate_before[2]`` -> "evaluation 3's rate before training".

    >>> quantity_words("kappa_not_h"), quantity_words("rate_after[0]"), quantity_words("other")
    ("not H's spread across evaluations (concentration κ)", "evaluation 1's rate after training", 'other')
    """
    if variable in QUANTITY_WORDS:
        return QUANTITY_WORDS[variable]
    name, _, rest = variable.partition("[")
    if rest.endswith("]") and name in _INDEXED_WORDS and rest[:-1].isdigit():
        return _INDEXED_WORDS[name].format(i=int(rest[:-1]) + 1)
    return variable


@dataclass(frozen=True)
class SensitivityRow:
    """Power-scaling sensitivity of one scalar posterior quantity (``variable`` as named in the model)."""

    variable: str
    prior: float
    likelihood: float
    diagnosis: str

    @property
    def flagged(self) -> bool:
        return self.diagnosis != "✓"

    @property
    def quantity(self) -> str:
        """The quantity in words, for tables a reader sees."""
        return quantity_words(self.variable)

    def to_dict(self) -> dict:
        return {
            "variable": self.variable,
            "quantity": self.quantity,
            "prior": self.prior,
            "likelihood": self.likelihood,
            "diagnosis": self.diagnosis,
        }


@dataclass(frozen=True)
class SensitivityResult:
    """Prior/likelihood sensitivity table (one row per scalar quantity) from ArviZ ``psense_summary``."""

    table: tuple[SensitivityRow, ...]
    threshold: float = THRESHOLD
    alphas: tuple[float, float] = (0.99, 1.01)
    split: str = ""
    notes: list[str] = field(default_factory=list)

    def rows(self) -> list[dict]:
        return [r.to_dict() for r in self.table]

    def __getitem__(self, variable: str) -> SensitivityRow:
        for r in self.table:
            if r.variable == variable:
                return r
        raise KeyError(f"no sensitivity row {variable!r}; have {[r.variable for r in self.table]}")

    @property
    def flagged(self) -> list[SensitivityRow]:
        return [r for r in self.table if r.flagged]

    def to_dict(self) -> dict:
        return {
            "method": "power-scaling (ArviZ psense_summary)",
            "alphas": list(self.alphas),
            "threshold": self.threshold,
            "split": self.split,
            "rows": self.rows(),
            "flagged": [r.variable for r in self.flagged],
            "notes": list(self.notes),
            "explanation": EXPLANATION,
            "converged_and_sensitive": CONVERGED_AND_SENSITIVE,
        }

    def lines(self) -> list[str]:
        """Human-readable table lines (for the command line)."""
        width = max([len("quantity"), *(len(r.quantity) for r in self.table)])
        out = [f"  {'quantity':<{width}}  {'prior':>7}  {'likelihood':>10}  diagnosis"]
        for r in self.table:
            diag = "ok" if r.diagnosis == "✓" else r.diagnosis
            out.append(f"  {r.quantity:<{width}}  {format_sensitivity(r.prior):>7}  {format_sensitivity(r.likelihood):>10}  {diag}")
        return out


def format_sensitivity(x: float) -> str:
    """A sensitivity with three decimals, or "n/a" when it could not be computed (never "nan")."""
    return f"{x:.3f}" if math.isfinite(x) else "n/a"


# ---------------------------------------------------------------------------
# The covert-action mixture models
# ---------------------------------------------------------------------------
def branch_log_densities(
    kind: str, tag: str, xi: np.ndarray, data: Mapping
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(log prior, log likelihood, log pseudo-prior) of one hypothesis's parameters, per draw.

    ``xi`` has shape (S, d): standardized coordinates (the sampler's, or draws
    from the pseudo-prior for :func:`models.counts.pilot_log_bayes_factor`);
    ``tag`` is ``"h"`` or ``"not_h"``; ``data`` the model's ``pm.Data`` values.
    The densities are :mod:`beliefs.partial_pooling`'s named terms, the ones the
    PyMC models are built from, plus the binomial coefficients the models leave out.
    """
    k = np.asarray(data["k"], dtype=float)
    n = np.asarray(data["n"], dtype=float)
    a, b = float(data[f"a_{tag}"]), float(data[f"b_{tag}"])
    centre = np.asarray(data[f"pseudo_centre_{tag}"], dtype=float)
    scale = np.asarray(data[f"pseudo_scale_{tag}"], dtype=float)
    u = centre + scale * xi
    log_pseudo = (log_student_t(xi) - np.log(scale)).sum(axis=-1)
    log_choose = (special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)).sum()
    if kind == "no_pooling":
        log_prior, loglik = no_pooling_log_density(u, k, n, a, b)
        return log_prior.sum(axis=-1), log_choose + loglik.sum(axis=-1), log_pseudo
    # partial pooling: phi = (u, z), mu = sigmoid(u), kappa = m exp(s z); environment rates integrated out.
    log_median, log_sd = float(data[f"log_kappa_median_{tag}"]), float(data[f"log_kappa_sd_{tag}"])
    with np.errstate(all="ignore"):
        log_prior, loglik = partial_pooling_log_density(u[:, 0], u[:, 1], k, n, a, b, log_median, log_sd)
    return log_prior, log_choose + loglik, log_pseudo


def mixture_log_densities(kind: str, draws: Mapping[str, np.ndarray], data: Mapping) -> tuple[np.ndarray, np.ndarray]:
    r"""Per-draw log prior and log likelihood of a covert-action mixture model.

    The sampled parameters are both hypotheses' :math:`\phi = (\phi_H, \phi_{\lnot H})`
    (Carlin & Chib's product space); the model's density is

    .. math::

        p(D, \phi) = p\,p(D\mid\phi_H)\,\pi_H(\phi_H)\,q_{\lnot H}(\phi_{\lnot H})
                   + (1-p)\,p(D\mid\phi_{\lnot H})\,\pi_{\lnot H}(\phi_{\lnot H})\,q_H(\phi_H).

    The split used for power-scaling puts everything that does not involve
    the data into the prior, which is the mixture over H *without* the data,

    .. math::

        \ln p(\phi) = \operatorname{logaddexp}\big(\ln p + \ln\pi_H(\phi_H) + \ln q_{\lnot H}(\phi_{\lnot H}),\;
                      \ln(1-p) + \ln\pi_{\lnot H}(\phi_{\lnot H}) + \ln q_H(\phi_H)\big),

    so the prior includes P(H) (the *sampler's* weight :math:`\sigma(c)` stored as
    ``prior_log_odds``: :mod:`models.counts` balances the two hypotheses
    and applies the user's prior after sampling), and the likelihood is what is left,

    .. math::

        \ln p(D\mid\phi) = \ln p(D, \phi) - \ln p(\phi)
            = \ln\sum_{h} P(h\mid\phi)\, p(D\mid\phi_h),

    the probability of the data given :math:`\phi`, averaged over the
    hypotheses with their prior-given-:math:`\phi` weights.  Both are in the
    sampler's coordinates (:math:`\xi`); the Jacobian to them is a constant,
    which power-scaling weights ignore.

    Parameters
    ----------
    kind : {"no_pooling", "partial_pooling"}
    draws : mapping
        ``xi_h`` and ``xi_not_h`` arrays of shape (chain, draw, d).
    data : mapping
        The ``pm.Data`` values the fit used (``McmcCountsResult.model_data``).

    Returns
    -------
    (log_prior, log_likelihood) : arrays of shape (chain, draw)
    """
    if kind not in MIXTURE_VARS:
        raise ValueError(f"unknown mixture model {kind!r}; expected one of {sorted(MIXTURE_VARS)}")
    xi_h = np.asarray(draws["xi_h"], dtype=float)
    shape = xi_h.shape[:2]
    flat = lambda x: np.asarray(x, dtype=float).reshape(-1, np.asarray(x).shape[-1])  # noqa: E731
    pr_h, ll_h, q_h = branch_log_densities(kind, "h", flat(xi_h), data)
    pr_n, ll_n, q_n = branch_log_densities(kind, "not_h", flat(draws["xi_not_h"]), data)
    lo = float(data["prior_log_odds"])
    log_p, log_1mp = NUMPY_OPS.log_sigmoid(lo), NUMPY_OPS.log_sigmoid(-lo)
    log_prior = np.logaddexp(log_p + pr_h + q_n, log_1mp + pr_n + q_h)
    log_joint = np.logaddexp(log_p + pr_h + q_n + ll_h, log_1mp + pr_n + q_h + ll_n)
    return log_prior.reshape(shape), (log_joint - log_prior).reshape(shape)


# ---------------------------------------------------------------------------
# The public entry point
# ---------------------------------------------------------------------------
def _diagnose(prior: float, likelihood: float, threshold: float) -> str:
    # ArviZ's own rule (arviz_stats.psense.psense_summary), applied to unrounded values.
    if not (math.isfinite(prior) and math.isfinite(likelihood)):
        return UNDEFINED  # never "ok" beside values that could not be computed
    if prior >= threshold and likelihood >= threshold:
        return "potential prior-data conflict"
    if prior > threshold > likelihood:
        return "potential strong prior / weak likelihood"
    return "✓"


def _psense(az, idata, names: list[str], group: str, alphas) -> dict[str, float]:
    """``az.psense`` flattened to {"name" or "name[i]": sensitivity}.

    A group whose total log density is the same in every draw (a flat prior,
    e.g. Beta(1, 1)) is unchanged by power-scaling: its sensitivity is exactly
    0, which ArviZ's Pareto smoothing cannot compute (all weights equal).
    """
    post = idata["posterior"]
    tree = idata["log_prior" if group == "prior" else "log_likelihood"]
    total = sum(np.asarray(tree[v].values).reshape(*np.shape(tree[v].values)[:2], -1).sum(-1)
                for v in tree.data_vars)
    constant = float(np.ptp(total)) <= 1e-12 * max(1.0, float(np.max(np.abs(total))))
    out: dict[str, float] = {}
    ds = None
    if not constant:
        with np.errstate(all="ignore"):
            ds = az.psense(idata, var_names=names, group=group, alphas=alphas)
    for name in names:
        values = np.zeros(post[name].shape[2:]) if ds is None else np.asarray(ds[name].values)
        if values.ndim == 0:
            out[name] = float(values)
            continue
        for idx in np.ndindex(*values.shape):
            out[f"{name}[{','.join(str(i) for i in idx)}]"] = float(values[idx])
    return out


# ---------------------------------------------------------------------------
# Attaching the groups
# ---------------------------------------------------------------------------
def _attach(idata, log_prior: Mapping[str, np.ndarray], log_likelihood: Mapping[str, np.ndarray]):
    import xarray as xr

    tree = idata.copy()
    post = idata["posterior"]
    coords = {"chain": post["chain"].values, "draw": post["draw"].values}

    def ds(values: Mapping[str, np.ndarray]):
        return xr.Dataset(
            {name: (("chain", "draw", *(f"{name}_dim_{i}" for i in range(np.ndim(v) - 2))), np.asarray(v))
             for name, v in values.items()},
            coords=coords,
        )

    tree["log_prior"] = ds(log_prior)
    tree["log_likelihood"] = ds(log_likelihood)
    return tree


def _observed_model_groups(idata, model, data: Mapping | None):
    import pymc as pm

    # The model's pm.Data still hold whatever was last set (nutpie samples with its own copy),
    # so the data the fit used are set here; the lock keeps concurrent sessions from interleaving.
    with _model_lock:
        if data:
            with model:
                pm.set_data(dict(data))
        lp = pm.stats.compute_log_prior(idata, model=model, extend_inferencedata=False, progressbar=False)
        ll = pm.stats.compute_log_likelihood(idata, model=model, extend_inferencedata=False, progressbar=False)
    if not list(ll.data_vars):
        raise ValueError("the model has no observed random variables: pass a mixture fit or supply the groups")
    to_np = lambda d: {name: np.asarray(d[name].values) for name in d.data_vars}  # noqa: E731
    return to_np(lp), to_np(ll)


def prior_sensitivity(
    fit_or_idata,
    *,
    model=None,
    data: Mapping | None = None,
    var_names: Sequence[str] | None = None,
    threshold: float = THRESHOLD,
    alphas: tuple[float, float] = (0.99, 1.01),
) -> SensitivityResult:
    r"""Power-scaling prior and likelihood sensitivity of an MCMC fit.

    Parameters
    ----------
    fit_or_idata : McmcCountsResult, BeforeAfterResult, McmcResult or DataTree
        A covert-action mixture fit (``mcmc_no_pooling``/``mcmc_partial_pooling``;
        its model kind and data are read from it), or any fit of a model with
        observed random variables together with ``model``.  A DataTree that
        already has ``log_prior`` and ``log_likelihood`` groups needs neither.
    model : pymc.Model, optional
        The model the draws came from (observed-RV models).  Defaults to the
        fit's compiled model when the fit records its structure key.
    data : mapping, optional
        ``pm.Data`` values the fit was sampled with (observed-RV models);
        omitted values keep the model's current ones.
    var_names : sequence of str, optional
        Posterior quantities to report (default: :data:`MIXTURE_VARS` for
        mixture fits, every posterior variable otherwise).
    threshold, alphas : float, (float, float)
        ArviZ's flagging threshold and power-scaling range.

    Returns
    -------
    SensitivityResult
        One row per scalar quantity: prior sensitivity, likelihood
        sensitivity and ArviZ's diagnosis.
    """
    import arviz as az

    idata = fit_or_idata
    split = "log prior and log likelihood of the model's random variables (pm.stats.compute_log_prior / compute_log_likelihood)"
    mixture_kind = getattr(fit_or_idata, "model_kind", None)
    if hasattr(fit_or_idata, "result") and not hasattr(fit_or_idata, "idata"):
        if fit_or_idata.result is None:
            raise ValueError("this fit has no posterior draws (nothing was sampled): nothing to power-scale")
        if data is None and getattr(fit_or_idata, "model_data", None) and not mixture_kind:
            data = fit_or_idata.model_data
        idata = fit_or_idata.result
    if hasattr(idata, "idata"):  # McmcResult
        if model is None and not mixture_kind:
            from models.sampling import cached

            compiled = cached(getattr(idata, "structure_key", None))
            model = compiled.model if compiled is not None else None
        idata = idata.idata

    children = set(idata.children)
    if mixture_kind:
        draws = {name: idata["posterior"][name].values for name in ("xi_h", "xi_not_h")}
        lp, ll = mixture_log_densities(mixture_kind, draws, fit_or_idata.model_data)
        idata = _attach(idata, {"mixture_prior": lp}, {"mixture_likelihood": ll})
        split = (
            "prior = mixture over H of the hypotheses' parameter priors (and pseudo-priors) without the data, "
            "P(H) included; likelihood = P(D | phi) averaged over H given phi"
        )
        names = list(var_names) if var_names is not None else list(MIXTURE_VARS[mixture_kind])
    elif {"log_prior", "log_likelihood"} <= children:
        names = list(var_names) if var_names is not None else list(idata["posterior"].data_vars)
    else:
        if model is None:
            raise ValueError("prior_sensitivity needs the PyMC model (model=...) to compute log prior and likelihood")
        lp, ll = _observed_model_groups(idata, model, data)
        idata = _attach(idata, lp, ll)
        names = list(var_names) if var_names is not None else [rv.name for rv in model.free_RVs]

    prior_s = _psense(az, idata, names, "prior", alphas)
    lik_s = _psense(az, idata, names, "likelihood", alphas)
    rows = tuple(
        SensitivityRow(label, prior_s[label], lik_s[label], _diagnose(prior_s[label], lik_s[label], threshold))
        for label in prior_s
    )
    notes = []
    if any(not (math.isfinite(r.prior) and math.isfinite(r.likelihood)) for r in rows):
        notes.append("some sensitivities are undefined (a constant quantity or non-finite log densities)")
    return SensitivityResult(rows, float(threshold), (float(alphas[0]), float(alphas[1])), split, notes)
