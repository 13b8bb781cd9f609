r"""PyMC models of covert-action counts as evidence about H, "the system schemes".

Data: :math:`k_j` covert actions in :math:`n_j` rollouts in environments
:math:`j = 1..J`.  Each hypothesis predicts the per-environment covert-action
rate :math:`\theta_j` through its own Beta prior, :math:`\mathrm{Beta}(a_H, b_H)`
under H and :math:`\mathrm{Beta}(a_{\lnot H}, b_{\lnot H})` under not H; the prior
probability of H is :math:`p = P(H)`.

**No pooling** (environment rates independent draws from the hypothesis's Beta).
Integrating each :math:`\theta_j` out gives the beta-binomial marginal

.. math::

    P(k_j \mid n_j, a, b) = \binom{n_j}{k_j}\,
        \frac{B(k_j + a,\; n_j - k_j + b)}{B(a, b)},

so the Bayes factor is exact:

.. math::

    \mathrm{BF} = \prod_j \frac{P(k_j \mid n_j, a_H, b_H)}{P(k_j \mid n_j, a_{\lnot H}, b_{\lnot H})},
    \qquad
    \frac{P(H\mid D)}{P(\lnot H\mid D)} = \mathrm{BF}\,\frac{p}{1-p}.

Everything is computed in log space (``scipy.special.betaln``), so products
over many environments neither underflow nor overflow.

**Partial pooling** (each hypothesis has an unknown population mean
:math:`\mu` and concentration :math:`\kappa` for its environments' rates,
:math:`\theta_j \sim \mathrm{Beta}(\mu\kappa, (1-\mu)\kappa)`):

.. math::

    \mu \sim \mathrm{Beta}(a, b),\qquad
    \ln\kappa \sim \mathcal N(\ln\kappa_{\text{median}},\ \sigma_{\ln\kappa}^2),\qquad
    P(D \mid \text{hyp}) = \iint p(\mu)\,p(\kappa)\prod_j
        P(k_j \mid n_j, \mu\kappa, (1-\mu)\kappa)\; d\mu\, d\kappa .

The user's rate prior for the hypothesis becomes the prior on the population
mean; the concentration hyperprior defaults to a median of 10 pseudo-rollouts
with a log-sd of 1.5 (so :math:`\kappa` between about 0.5 and 190 with 95%
probability: environments may be anywhere from nearly identical to wildly
different).  The double integral is computed by adaptive quadrature
(:func:`beliefs.counts.quadrature_partial_pooling`), substituting :math:`\mu = F^{-1}_{\mathrm{Beta}(a,b)}(t)`
and :math:`\ln\kappa = \ln\kappa_{\text{median}} + \sigma_{\ln\kappa} z` so the
priors become uniform and standard normal weights.

**MCMC** (:func:`mcmc_no_pooling`, :func:`mcmc_partial_pooling`).  H is discrete,
so it is summed out rather than sampled: with continuous parameters
:math:`\phi` (environment rates, or both hypotheses' :math:`\mu, \kappa`; the
inactive hypothesis's parameters follow a pseudo-prior :math:`q`), the
sampler's target is

.. math::

    \pi_c(\phi) \propto \sigma(c)\,p(D,\phi\mid H) + \sigma(-c)\,p(D,\phi\mid\lnot H),

added to the model with ``pm.Potential`` as a ``logaddexp``, where :math:`c` is
the *sampler's* prior log-odds of H, not the user's.  The Rao-Blackwellised
model indicator :math:`P_c(H\mid D,\phi) = \sigma(c + \ln w_H - \ln w_{\lnot H})`
(``p_h``) has posterior mean :math:`\bar p = \sigma(c + \ln\mathrm{BF})`, so

.. math::

    \widehat{\ln\mathrm{BF}} = \operatorname{logit}\bar p - c,\qquad
    \mathrm{MCSE}(\widehat{\ln\mathrm{BF}}) = \frac{\mathrm{MCSE}(\bar p)}{\bar p(1-\bar p)},\qquad
    \widehat{P}(H\mid D) = \sigma\big(\operatorname{logit} p + \widehat{\ln\mathrm{BF}}\big).

**Why the weights are tuned (issue 10).**  With :math:`c = \operatorname{logit} p` (the
user's prior) the estimator is the average of :math:`P(H\mid D,\phi)`, which for
:math:`P(H\mid D) = 3\times10^{-5}` is ~1e-6 in almost every draw and near 1 in
the rare draws where the sampler wanders into H's region: a rare-event
average whose MCSE (estimated from the draws that happened) is far too small,
so it was confidently wrong (z = -6.7).  Here :math:`c = -\widehat{\ln\mathrm{BF}}_0` comes
from a pilot importance-sampling estimate (:func:`pilot_log_bayes_factor`, the
pseudo-priors as proposals), so :math:`\bar p \approx 1/2`: both hypotheses are
visited about equally, the indicator is a bounded quantity of moderate
variance, and its MCSE is trustworthy.  Any :math:`c` gives the right answer
(the correction is exact); the pilot only decides how efficiently.  The user's
prior enters afterwards, analytically, so P(H|D) of 1e-9 or 1 - 1e-9 is
estimated with the same *relative* precision on the odds scale as 1/2.
Carlin & Chib (1995) recommend exactly this: choose the model weights so that
both models are visited, then correct.  Bridge sampling would be the other
sound choice; it needs a second set of proposal draws and an iteration, while
this reuses the pseudo-priors the product space already has.

The closed forms (no-pooling Bayes factor, partial-pooling cubature, the
named density terms both samplers use) live in :mod:`beliefs.counts` and
:mod:`beliefs.partial_pooling`, so the closed-form ``counts`` command never
imports PyMC; this module holds only the PyMC models and the estimator.

Where an exact answer exists (:func:`beliefs.counts.exact_no_pooling` always; the
quadrature when the caller has it), :meth:`McmcCountsResult.with_exact` records
``z_vs_exact`` = (estimate - exact) / MCSE on the log-odds scale (to first
order the same z as on the probability scale, and stable near 0 and 1), and a
fit with :math:`|z| > 4` is marked not converged whatever R-hat says.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy import optimize, special

from beliefs.counts import (
    CountsResult,
    check_counts,
    check_partial_pooling_args,
    check_prior,
    exact_no_pooling,
)
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence, Provenance, parse_beta
from beliefs.odds import LN10, log_odds, probability
from beliefs.partial_pooling import (
    PSEUDO_DF,
    ArrayOps,
    KappaPrior,
    log_student_t,
    no_pooling_log_density,
    partial_pooling_log_density,
)
from beliefs.tables import NotebookRepr
from beliefs.update import update_by_log_bf
from models.sampling import Diagnostics, McmcResult, SamplingError, get_compiled

__all__ = [
    "ESTIMATOR",
    "PILOT_DRAWS",
    "PYTENSOR_OPS",
    "Z_MAX",
    "McmcCountsResult",
    "build_no_pooling_model",
    "build_partial_pooling_model",
    "conjugate_pseudo_prior",
    "laplace_pseudo_prior",
    "mcmc_no_pooling",
    "mcmc_partial_pooling",
    "partial_pooling_inputs",
    "pilot_log_bayes_factor",
]

_PSEUDO_INFLATE = 1.3
# The same density terms as the cubature and models.sensitivity, with PyTensor's functions.
PYTENSOR_OPS = ArrayOps(
    log1p=pt.log1p, exp=pt.exp,
    betaln=lambda a, b: pt.gammaln(a) + pt.gammaln(b) - pt.gammaln(a + b),
    log_sigmoid=lambda u: -pt.softplus(-u), expand=lambda x: pt.shape_padright(x),
)


# ---------------------------------------------------------------------------
# PyMC models (every input is pm.Data, so new data never recompiles)
# ---------------------------------------------------------------------------
def _log_pseudo_prior(xi, scale):
    # q in the model's coordinates: the Student-t density of xi divided by the scale (Jacobian of xi -> phi).
    return (log_student_t(xi, PYTENSOR_OPS) - pt.log(scale)).sum()


def _sum_out_hypothesis(prior_log_odds, log_target: dict, log_pseudo: dict) -> None:
    r"""Add the product-space mixture over H to the model being built, and ``p_h`` = :math:`P_c(H\mid D,\phi)`.

    :math:`\ln w_H = c + \ln p(D,\phi_H\mid H) + \ln q_{\lnot H}(\phi_{\lnot H})`,
    :math:`\ln w_{\lnot H} = \ln p(D,\phi_{\lnot H}\mid\lnot H) + \ln q_H(\phi_H)`; the
    Potential is their ``logaddexp`` (the :math:`\ln(1-\sigma(c))` both share is left out).
    """
    log_h = prior_log_odds + log_target["h"] + log_pseudo["not_h"]
    log_n = log_target["not_h"] + log_pseudo["h"]
    pm.Potential("hypothesis_mixture", pt.logaddexp(log_h, log_n))
    pm.Deterministic("p_h", pm.math.sigmoid(log_h - log_n))


def build_no_pooling_model(n_environments: int) -> pm.Model:
    r"""PyMC model for no pooling, H summed out (Carlin & Chib product space).

    Each hypothesis has its own environment rates :math:`\theta^H_j`,
    :math:`\theta^{\lnot H}_j`, sampled as logits.  The joint density is

    .. math::

        p\,\prod_j \mathrm{Bin}(k_j\mid n_j,\theta^H_j)\,\mathrm{Beta}(\theta^H_j\mid a_H,b_H)\,
            q_{\lnot H,j}(\theta^{\lnot H}_j)
        + (1-p)\,\prod_j \mathrm{Bin}(k_j\mid n_j,\theta^{\lnot H}_j)\,
            \mathrm{Beta}(\theta^{\lnot H}_j\mid a_{\lnot H},b_{\lnot H})\, q_{H,j}(\theta^H_j),

    whose integral over the rates is :math:`p\,P(D\mid H) + (1-p)\,P(D\mid\lnot H)` for
    any proper pseudo-priors :math:`q`.  With a single shared :math:`\theta` (and the
    two priors as mixture components) NUTS cannot cross between the "H" and
    "not H" modes when the priors are well separated; the pseudo-priors here
    are Student-t densities on the logit scale around each hypothesis's
    conjugate posterior :math:`\mathrm{Beta}(a + k_j, b + n_j - k_j)` (mode
    :math:`\ln(\alpha'/\beta')`, scale :math:`1.3\sqrt{(\alpha'+\beta')/(\alpha'\beta')}`), so the
    joint posterior is unimodal.  They are approximations on purpose: the
    sampler still has to do the integral, which is what the exact answer
    checks.  ``p_h`` is :math:`P(H\mid D,\theta)`; its posterior mean is
    :math:`P(H\mid D)`.
    """
    j = int(n_environments)
    with pm.Model() as model:
        k = pm.Data("k", np.zeros(j, dtype=np.int64))
        n = pm.Data("n", np.ones(j, dtype=np.int64))
        prior_log_odds = pm.Data("prior_log_odds", 0.0)
        log_target, log_pseudo = {}, {}
        for tag in ("h", "not_h"):
            a = pm.Data(f"a_{tag}", 1.0)
            b = pm.Data(f"b_{tag}", 1.0)
            centre = pm.Data(f"pseudo_centre_{tag}", np.zeros(j))
            scale = pm.Data(f"pseudo_scale_{tag}", np.ones(j))
            xi = pm.Flat(f"xi_{tag}", shape=j)
            u = centre + scale * xi
            pm.Deterministic(f"theta_{tag}", pm.math.sigmoid(u))
            log_prior, log_lik = no_pooling_log_density(u, k, n, a, b, PYTENSOR_OPS)  # prior incl. logit Jacobian
            log_target[tag] = (log_prior + log_lik).sum()
            log_pseudo[tag] = _log_pseudo_prior(xi, scale)
        _sum_out_hypothesis(prior_log_odds, log_target, log_pseudo)
    return model


def conjugate_pseudo_prior(k, n, rate: BetaDist) -> tuple[np.ndarray, np.ndarray]:
    r"""Logit-scale centre and scale of the no-pooling pseudo-prior (see :func:`build_no_pooling_model`).

    For :math:`\theta\sim\mathrm{Beta}(\alpha',\beta')` the density of
    :math:`u = \operatorname{logit}\theta` is :math:`\propto \theta^{\alpha'}(1-\theta)^{\beta'}`,
    with mode :math:`\ln(\alpha'/\beta')` and curvature :math:`\alpha'\beta'/(\alpha'+\beta')`.
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    a1 = rate.alpha + k
    b1 = rate.beta + n - k
    return np.log(a1 / b1), _PSEUDO_INFLATE * np.sqrt((a1 + b1) / (a1 * b1))


def laplace_pseudo_prior(k, n, rate: BetaDist, kappa: KappaPrior) -> tuple[np.ndarray, np.ndarray]:
    r"""Centre and scale of the pseudo-prior for one hypothesis's :math:`(u, z)`.

    A Laplace approximation to :math:`p(\phi\mid D, \text{hyp})` (mode and the
    square roots of the diagonal of the inverse negative Hessian, scaled by
    1.3).  Any proper pseudo-prior gives the exact posterior (Carlin & Chib
    1995); a good one makes the sampler's job easy.
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    args = (k, n, rate.alpha, rate.beta, math.log(kappa.median), kappa.log_sd)

    def neg(x):
        with np.errstate(all="ignore"):
            val = -float(sum(partial_pooling_log_density(x[0], x[1], *args)))
        return val if np.isfinite(val) else 1e300

    x0 = np.array([math.log(rate.alpha / rate.beta), 0.0])
    opt = optimize.minimize(neg, x0, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000})
    mode = np.asarray(opt.x, dtype=float)
    h = 1e-3
    hess = np.empty((2, 2))
    f0 = neg(mode)
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            hess[i, j] = (neg(mode + ei + ej) - neg(mode + ei - ej) - neg(mode - ei + ej) + neg(mode - ei - ej)) / (4 * h * h)
    del f0
    try:
        cov = np.linalg.inv(hess)
        sd = np.sqrt(np.diag(cov))
        if not np.all(np.isfinite(sd)) or np.any(np.diag(cov) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        sd = np.array([2.0, 1.0])
    return mode, np.clip(sd * _PSEUDO_INFLATE, 1e-3, 10.0)


def build_partial_pooling_model() -> pm.Model:
    r"""PyMC model for partial pooling, H summed out, environment rates integrated out.

    Each hypothesis has unconstrained parameters :math:`\phi = (u, z)` with
    :math:`\mu = \sigma(u) \sim \mathrm{Beta}(a, b)` and
    :math:`\kappa = m e^{s z}`, :math:`z \sim \mathcal N(0, 1)`.  Both
    hypotheses' parameters are always present (Carlin & Chib's product
    space): under H, :math:`\phi_{\lnot H}` follows a *pseudo-prior*
    :math:`q_{\lnot H}` and vice versa, so

    .. math::

        p(D, \phi_H, \phi_{\lnot H}) =
            p\, p(D\mid\phi_H)\,p(\phi_H)\,q_{\lnot H}(\phi_{\lnot H})
          + (1-p)\, p(D\mid\phi_{\lnot H})\,p(\phi_{\lnot H})\,q_H(\phi_H).

    Integrating out :math:`\phi` leaves :math:`p\,P(D\mid H) + (1-p)\,P(D\mid\lnot H)`
    for *any* proper :math:`q`; choosing :math:`q` close to each hypothesis's
    own posterior (a Student-t around the Laplace fit,
    :func:`laplace_pseudo_prior`) makes the joint posterior unimodal, which
    a prior pseudo-prior does not (NUTS then cannot move between the
    "H" and "not H" modes and R-hat explodes).  Sampling is in standardized
    coordinates :math:`\xi = (\phi - c)/s`.  ``p_h`` is :math:`P(H\mid D,\phi)`.

    Shapes do not depend on the number of environments, so one compiled
    model serves any data set.  The scalar and length-2 inputs travel in one
    ``pm.Data`` vector, ``hyper`` (:func:`partial_pooling_inputs` packs the
    named values): nutpie compiles one numba accessor per ``pm.Data``, and 15
    of them doubled the first compile the app's first MCMC click waits for.
    """
    with pm.Model() as model:
        k = pm.Data("k", np.zeros(2, dtype=np.int64))
        n = pm.Data("n", np.ones(2, dtype=np.int64))
        hyper = pm.Data("hyper", np.ones(_HYPER_SIZE))
        at = _HYPER_AT
        prior_log_odds = hyper[at["prior_log_odds"]]
        log_target, log_pseudo = {}, {}
        for tag in ("h", "not_h"):
            a, b = hyper[at[f"a_{tag}"]], hyper[at[f"b_{tag}"]]
            log_median, log_sd = hyper[at[f"log_kappa_median_{tag}"]], hyper[at[f"log_kappa_sd_{tag}"]]
            centre = hyper[at[f"pseudo_centre_{tag}"] : at[f"pseudo_centre_{tag}"] + 2]
            scale = hyper[at[f"pseudo_scale_{tag}"] : at[f"pseudo_scale_{tag}"] + 2]
            xi = pm.Flat(f"xi_{tag}", shape=2)
            phi = centre + scale * xi
            u, z = phi[0], phi[1]
            pm.Deterministic(f"mu_{tag}", pm.math.sigmoid(u))
            pm.Deterministic(f"kappa_{tag}", pt.exp(log_median + log_sd * z))
            log_prior, log_lik = partial_pooling_log_density(u, z, k, n, a, b, log_median, log_sd, PYTENSOR_OPS)
            log_target[tag] = log_prior + log_lik
            log_pseudo[tag] = _log_pseudo_prior(xi, scale)
        _sum_out_hypothesis(prior_log_odds, log_target, log_pseudo)
    return model


# The partial-pooling model's named inputs in the order they sit in its ``hyper`` vector, and where each
# starts (the pseudo-prior centre and scale take two slots each).
_HYPER_NAMES = (
    "prior_log_odds",
    *(f"{name}_{tag}" for tag in ("h", "not_h")
      for name in ("a", "b", "log_kappa_median", "log_kappa_sd", "pseudo_centre", "pseudo_scale")),
)  # fmt: skip
_HYPER_WIDTHS = [2 if name.startswith("pseudo_") else 1 for name in _HYPER_NAMES]
_HYPER_AT = dict(zip(_HYPER_NAMES, np.cumsum([0, *_HYPER_WIDTHS[:-1]]).tolist(), strict=True))
_HYPER_SIZE = sum(_HYPER_WIDTHS)


def partial_pooling_inputs(data: dict) -> dict:
    """The partial-pooling model's ``pm.Data`` values (``k``, ``n``, ``hyper``) from the named inputs.

    >>> d = {name: [0.0] * width for name, width in zip(_HYPER_NAMES, _HYPER_WIDTHS)}
    >>> d |= {"k": [1], "n": [2], "a_h": 2.0, "b_h": 8.0, "pseudo_centre_h": [3.0, 4.0]}
    >>> partial_pooling_inputs(d)["hyper"][:7].tolist()
    [0.0, 2.0, 8.0, 0.0, 0.0, 3.0, 4.0]
    >>> partial_pooling_inputs(d | {"pseudo_scale_h": 1.0})
    Traceback (most recent call last):
    ValueError: partial-pooling inputs pack to (16,), expected (17,)
    """
    hyper = np.concatenate([np.atleast_1d(np.asarray(data[name], dtype=float)) for name in _HYPER_NAMES])
    if hyper.shape != (_HYPER_SIZE,):
        raise ValueError(f"partial-pooling inputs pack to {hyper.shape}, expected ({_HYPER_SIZE},)")
    return {"k": data["k"], "n": data["n"], "hyper": hyper}


@dataclass
class McmcCountsResult(NotebookRepr):
    r"""MCMC estimate of P(H | D) with its convergence diagnostics.

    ``log_bayes_factor`` (nats) is :math:`\operatorname{logit}\bar p - c` (see the
    module docstring) with MCSE ``log_bayes_factor_mcse``; ``posterior`` is
    :math:`\sigma(\operatorname{logit}p + \ln\mathrm{BF})` and ``mcse`` its MCSE by the delta
    method, :math:`P(1-P)\,\mathrm{MCSE}(\ln\mathrm{BF})`.  ``r_hat``/``ess_bulk``/``ess_tail``
    are those of the model indicator ``p_h``.  ``z_vs_exact`` is set by
    :meth:`with_exact`.  ``warnings`` is non-empty when the chains did not
    converge (R-hat > 1.01, bulk ESS < 400, divergences, a hypothesis never
    visited, or :math:`|z| > 4` against an exact answer): then the number must
    not be trusted.
    """

    posterior: float
    mcse: float
    r_hat: float
    ess_bulk: float
    ess_tail: float
    divergences: int
    warnings: list[str]
    diagnostics: Diagnostics | None = None
    result: McmcResult | None = field(default=None, repr=False)
    seconds: float = 0.0
    sampled: bool = True
    # What models.sensitivity needs to split the Potential into log prior and log likelihood.
    model_kind: str = ""
    model_data: dict = field(default_factory=dict, repr=False)
    prior: float = math.nan
    log_bayes_factor: float = math.nan
    log_bayes_factor_mcse: float = math.nan
    # P(H | D) on the log-odds scale, for display: ``posterior`` rounds to 1 once ln BF exceeds ~37.
    posterior_log_odds: float = math.nan
    # The sampler's own prior log-odds of H (the balancing weight c) and how often it visited H.
    sampler_prior_log_odds: float = 0.0
    sampler_p_h: float = math.nan
    exact_posterior: float | None = None
    exact_log_bayes_factor: float | None = None
    z_vs_exact: float | None = None

    @property
    def converged(self) -> bool:
        return not self.warnings

    @property
    def log10_bayes_factor(self) -> float:
        return self.log_bayes_factor / LN10

    @property
    def log10_bayes_factor_mcse(self) -> float:
        return self.log_bayes_factor_mcse / LN10

    def with_exact(self, exact: CountsResult | None) -> McmcCountsResult:
        r"""A copy compared with an exact answer: ``z_vs_exact`` set, and a warning when :math:`|z| > 4`.

        .. math::

            z = \frac{\widehat{\ln\mathrm{BF}} - \ln\mathrm{BF}_{\text{exact}}}{\mathrm{MCSE}(\widehat{\ln\mathrm{BF}})}

        which is the posterior's z-score on the log-odds scale (the prior's
        log-odds cancel), equal to first order to
        :math:`(\widehat P - P)/\mathrm{MCSE}(\widehat P)`.
        """
        if exact is None or not self.sampled or not math.isfinite(self.log_bayes_factor):
            return self  # nothing to compare (no draws, or no estimate of the Bayes factor)
        diff = self.log_bayes_factor - exact.log_bayes_factor
        if self.log_bayes_factor_mcse > 0 and math.isfinite(self.log_bayes_factor_mcse):
            z = diff / self.log_bayes_factor_mcse
        else:
            z = 0.0 if diff == 0 else math.copysign(math.inf, diff)
        warnings = [w for w in self.warnings if not w.startswith(_Z_WARNING)]
        if not abs(z) <= Z_MAX:
            warnings.append(
                f"{_Z_WARNING} = {z:+.1f}: the estimate is more than {Z_MAX:g} MCSE from the exact value "
                f"{exact.posterior:.6g}; not converged whatever r_hat says"
            )
        return replace(
            self, warnings=warnings, exact_posterior=exact.posterior,
            exact_log_bayes_factor=exact.log_bayes_factor, z_vs_exact=z,
        )

    def method_text(self) -> str:
        """How this estimate was made and checked, in words: the ledger item's provenance method."""
        z = "n/a" if self.z_vs_exact is None else f"{self.z_vs_exact:+.2f}"
        return (
            f"MCMC (nutpie), z vs exact {z}, R-hat {self.r_hat:.3f}, ESS {self.ess_bulk:.0f}, "
            f"{self.divergences} divergences; log10 BF {self.log10_bayes_factor:.4f} +/- "
            f"{self.log10_bayes_factor_mcse:.2g} (MCSE)"
        )

    def to_evidence(self, label: str, exact: CountsResult, source=None) -> Evidence:
        """A ledger item with this estimate's Bayes factor and the provenance of ``exact`` (the same data and
        model: its assumption, model and range), the method being this fit's :meth:`method_text`.

        Refused (InputError naming ``mcmc``) when nothing was sampled, the fit did not converge (its warnings,
        ``|z| > 4`` against ``exact`` included), ``exact`` is of other data, or the factor is beyond 1e±300.
        """
        checked = self.with_exact(exact)
        if not checked.sampled or not math.isfinite(checked.log_bayes_factor):
            raise InputError("mcmc", "no draws", "a sampled fit to enter the ledger")
        if exact is None or tuple(exact.k) != tuple(np.asarray(self.model_data.get("k", ())).tolist()) or tuple(
            exact.n) != tuple(np.asarray(self.model_data.get("n", ())).tolist()):  # fmt: skip
            raise InputError("mcmc", "a fit of other data", "the exact result of the same counts and model")
        if not checked.converged:
            raise InputError("mcmc", "not converged", "a converged fit to enter the ledger",
                             hint="; ".join(checked.warnings))  # fmt: skip
        if abs(checked.log_bayes_factor) > 300 * LN10:
            raise InputError("bayes_factor", f"10^{checked.log10_bayes_factor:.1f}",
                             "a Bayes factor between 1e-300 and 1e300 to enter the ledger")  # fmt: skip
        base = exact.provenance
        ratio = math.exp(checked.log_bayes_factor)
        # The ratio as derived travels with the item, as the exact result's does: edited later, it says so.
        provenance = Provenance(
            assumption=base.assumption, method=checked.method_text(), model=base.model,
            log10_bf_range=base.log10_bf_range, range_over=base.range_over, derived_likelihood_ratio=ratio,
        )  # fmt: skip
        return Evidence(label, likelihood_ratio=ratio, source=source, provenance=provenance)

    def to_dict(self) -> dict:
        return {
            "posterior": self.posterior,
            "mcse": self.mcse,
            "r_hat": self.r_hat,
            "ess": self.ess_bulk,
            "ess_tail": self.ess_tail,
            "divergences": self.divergences,
            "warnings": list(self.warnings),
            "converged": self.converged,
            "sampled": self.sampled,
            "seconds": self.seconds,
            "log_bayes_factor_nats": _finite_or_none(self.log_bayes_factor),
            "log_bayes_factor_mcse": _finite_or_none(self.log_bayes_factor_mcse),
            "log10_bayes_factor": _finite_or_none(self.log10_bayes_factor),
            "log10_bayes_factor_mcse": _finite_or_none(self.log10_bayes_factor_mcse),
            "sampler_prior_log_odds": self.sampler_prior_log_odds,
            "sampler_p_h": _finite_or_none(self.sampler_p_h),
            "exact_posterior": self.exact_posterior,
            "z_vs_exact": _finite_or_none(self.z_vs_exact) if self.z_vs_exact is not None else None,
            "estimator": ESTIMATOR,
        }


Z_MAX = 4.0
_Z_WARNING = "z_vs_exact"
ESTIMATOR = (
    "log Bayes factor = logit(mean P_c(H | D, phi)) - c, with the sampler's prior log-odds c set by a "
    "pilot importance-sampling estimate so both hypotheses are visited; the user's prior applied afterwards"
)
PILOT_DRAWS = 4000


def _finite_or_none(x: float | None) -> float | None:
    # JSON has no inf/NaN: an undefined diagnostic is null, never a string or a fake number.
    return float(x) if x is not None and math.isfinite(x) else None


def _certain_mcmc(prior: float) -> McmcCountsResult:
    return McmcCountsResult(
        posterior=prior, mcse=0.0, r_hat=math.nan, ess_bulk=math.nan, ess_tail=math.nan, divergences=0,
        warnings=[], sampled=False, prior=prior, posterior_log_odds=log_odds(prior),
    )


def pilot_log_bayes_factor(kind: str, data: dict, *, seed: int = 0, draws: int = PILOT_DRAWS) -> float:
    r"""A quick importance-sampling estimate of :math:`\ln\mathrm{BF}` that sets the sampler's weights.

    For each hypothesis, with :math:`\xi_s` drawn from the pseudo-prior :math:`q`
    (Student-t around the hypothesis's own approximate posterior, wider than it),

    .. math::

        \widehat{P}(D\mid\text{hyp}) = \frac1S\sum_s \frac{p(D\mid\phi_s)\,p(\phi_s)}{q(\phi_s)},

    which is unbiased with finite variance because :math:`q` has heavier tails
    than the posterior.  Its accuracy only affects efficiency: the MCMC
    estimate is corrected for whatever weight this gives.  ``kind`` is
    ``"no_pooling"`` or ``"partial_pooling"``; ``data`` the model's ``pm.Data``.
    """
    from models.sensitivity import branch_log_densities

    rng = np.random.default_rng([int(seed), 7919])
    log_z = {}
    for tag in ("h", "not_h"):
        dim = np.asarray(data[f"pseudo_centre_{tag}"]).shape[-1]
        xi = rng.standard_t(PSEUDO_DF, size=(int(draws), dim))
        with np.errstate(all="ignore"):
            log_prior, log_lik, log_q = branch_log_densities(kind, tag, xi, data)
            log_w = np.nan_to_num(log_prior + log_lik - log_q, nan=-np.inf, posinf=-np.inf)
        log_z[tag] = float(special.logsumexp(log_w)) - math.log(draws)
    pilot = log_z["h"] - log_z["not_h"]
    return pilot if math.isfinite(pilot) else 0.0


def _sample_balanced(
    compiled, kind: str, data: dict, prior: float, seed: int, extra_vars: Sequence[str], **sample_args
) -> McmcCountsResult:
    """Sample with the pilot's balancing weight and turn the model indicator into log BF and P(H | D)."""
    c = -pilot_log_bayes_factor(kind, data, seed=seed)
    data = {**data, "prior_log_odds": c}
    inputs = partial_pooling_inputs(data) if kind == "partial_pooling" else data
    res = compiled.sample(inputs, seed=seed, **sample_args)
    diag = res.diagnostics(["p_h", *extra_vars])
    ph = diag["p_h"]
    if not ph.finite:
        # No Bayes factor can be read from NaN or infinite draws (a chain cut short is padded with NaN).
        raise SamplingError(f"the model indicator p_h has NaN or infinite draws ({ph.name}); nothing to report")
    warnings = list(diag.warnings)
    n_draws = res.chains * res.n_draws
    p_bar = ph.mean
    if not 1.0 / n_draws < p_bar < 1.0 - 1.0 / n_draws:
        # One hypothesis was (almost) never visited: the pilot was far off, and the average is again a
        # rare-event average.  Say so, never a clean number.
        warnings.append(
            f"the sampler hardly visited {'not H' if p_bar > 0.5 else 'H'} (mean P_c(H | D, phi) = {p_bar:.3g}); "
            "the Bayes factor is not reliable"
        )
        p_bar = min(max(p_bar, 0.5 / n_draws), 1 - 0.5 / n_draws)
    spread = p_bar * (1.0 - p_bar)
    log_bf = math.log(p_bar) - math.log1p(-p_bar) - c
    log_bf_mcse = ph.mcse_mean / spread if math.isfinite(ph.mcse_mean) else math.nan
    # The user's prior enters through the one route to a posterior, as for the exact Bayes factor.
    updated = update_by_log_bf(prior, log_bf, label="covert-action counts (MCMC)")
    post_lo, posterior = updated.posterior_log_odds, updated.posterior
    # P(1 - P) as sigma(x) sigma(-x): exact near 0 and 1, where 1 - P would round away.
    mcse = probability(post_lo) * probability(-post_lo) * log_bf_mcse
    return McmcCountsResult(
        posterior=posterior,
        mcse=mcse,
        r_hat=ph.r_hat,
        ess_bulk=ph.ess_bulk,
        ess_tail=ph.ess_tail,
        divergences=diag.divergences,
        warnings=warnings,
        diagnostics=diag,
        result=res,
        seconds=res.seconds,
        model_kind=kind,
        model_data=data,
        prior=prior,
        log_bayes_factor=log_bf,
        log_bayes_factor_mcse=log_bf_mcse,
        posterior_log_odds=post_lo,
        sampler_prior_log_odds=c,
        sampler_p_h=ph.mean,
    )


def mcmc_no_pooling(
    k, n, prior, rate_if_h, rate_if_not_h, *, draws: int = 1000, tune: int = 1000, chains: int = 2,
    seed: int = 0, timeout: float | None = None,
) -> McmcCountsResult:
    """MCMC estimate of P(H | D) for no pooling, compared with :func:`~beliefs.counts.exact_no_pooling` (``z_vs_exact``).

    Compiled once per number of environments (cached process-wide).  A prior
    of exactly 0 or 1 is returned unchanged without sampling.
    """
    k_arr, n_arr = check_counts(k, n)
    p = check_prior(prior)
    bh = parse_beta(rate_if_h, "rate_if_h")
    bn = parse_beta(rate_if_not_h, "rate_if_not_h")
    if p in (0.0, 1.0):
        return _certain_mcmc(p)
    j = len(k_arr)
    compiled = get_compiled(("covert_no_pooling", j), lambda: build_no_pooling_model(j))
    data = {"k": k_arr, "n": n_arr, "a_h": bh.alpha, "b_h": bh.beta, "a_not_h": bn.alpha, "b_not_h": bn.beta}
    for tag, rate in (("h", bh), ("not_h", bn)):
        data[f"pseudo_centre_{tag}"], data[f"pseudo_scale_{tag}"] = conjugate_pseudo_prior(k_arr, n_arr, rate)
    fit = _sample_balanced(
        compiled, "no_pooling", data, p, seed, ["xi_h", "xi_not_h"],
        draws=draws, tune=tune, chains=chains, timeout=timeout,
    )
    return fit.with_exact(exact_no_pooling(k_arr, n_arr, p, bh, bn))


def mcmc_partial_pooling(
    k, n, prior, rate_if_h, rate_if_not_h, *, kappa_h: KappaPrior | None = None,
    kappa_not_h: KappaPrior | None = None, draws: int = 1000, tune: int = 1000, chains: int = 2,
    seed: int = 0, timeout: float | None = None, target_accept: float | None = 0.9,
    exact: CountsResult | None = None,
) -> McmcCountsResult:
    """MCMC estimate of P(H | D) for partial pooling (checks :func:`~beliefs.counts.quadrature_partial_pooling`).

    One compiled model serves every number of environments.  Pass the
    quadrature as ``exact`` to get ``z_vs_exact`` (it is not computed here:
    it costs more than the draws, and the app shows the draws first).
    """
    k_arr, n_arr, p, bh, bn, kh, kn = check_partial_pooling_args(k, n, prior, rate_if_h, rate_if_not_h, kappa_h, kappa_not_h)
    if p in (0.0, 1.0):
        return _certain_mcmc(p)
    compiled = get_compiled(("covert_partial_pooling",), build_partial_pooling_model)
    data = {
        "k": k_arr, "n": n_arr,
        "a_h": bh.alpha, "b_h": bh.beta, "a_not_h": bn.alpha, "b_not_h": bn.beta,
        "log_kappa_median_h": math.log(kh.median), "log_kappa_sd_h": kh.log_sd,
        "log_kappa_median_not_h": math.log(kn.median), "log_kappa_sd_not_h": kn.log_sd,
    }
    for tag, rate, kap in (("h", bh, kh), ("not_h", bn, kn)):
        centre, scale = laplace_pseudo_prior(k_arr, n_arr, rate, kap)
        data[f"pseudo_centre_{tag}"] = centre
        data[f"pseudo_scale_{tag}"] = scale
    fit = _sample_balanced(
        compiled, "partial_pooling", data, p, seed, ["xi_h", "xi_not_h"],
        draws=draws, tune=tune, chains=chains, timeout=timeout, target_accept=target_accept,
    )
    return fit.with_exact(exact)
