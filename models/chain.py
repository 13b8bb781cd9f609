r"""The chain of successors in PyMC: a Beta survival learned from observed steps, and drifting survival.

Two models, each with every user input in ``pm.Data``:

Common survival, NUTS (:func:`sample_beta_chain`)
    .. math::

        s \sim \mathrm{Beta}(\alpha, \beta),\qquad
        m \sim \mathrm{Binomial}(m + f, s),\qquad
        P(\text{success}) = b\,s^{n}

    with :math:`m` steps observed to keep alignment and :math:`f` to lose it.
    The exact answer is the conjugate :math:`\mathrm{Beta}(\alpha+m, \beta+f)`
    pushed through :math:`s^n` (:func:`beliefs.chain.chain_success`);
    the MCMC run is the cross-check and the tests compare the two.

Drifting survival, forward-sampled (:func:`chain_drift_draws_pymc`)
    .. math::

        \operatorname{logit} s_i = \mu - \delta\,i + \varepsilon_i,\quad
        \varepsilon_i \sim N(0, \tau),\quad i = 0..N-1,

    :math:`\mu \sim N(m_\mu, s_\mu)`, :math:`\delta \sim N(m_\delta, s_\delta)`,
    :math:`\tau \sim \mathrm{HalfNormal}(s_\tau)`, written non-centred
    (:math:`\mu = m_\mu + s_\mu z`) so a zero scale fixes a value.  The
    independent NumPy version is :func:`beliefs.chain.chain_drift_draws`.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from beliefs.chain import DriftPrior, check_drift_inputs
from beliefs.evidence import BetaDist, parse_beta
from beliefs.intervals import DEFAULT_INTERVAL, check_interval_mass
from beliefs.montecarlo import check_seed
from beliefs.validation import as_count, as_probability
from models.sampling import DerivedFit, derived_fit, get_compiled
from models.uncertain_evidence import ForwardModel

__all__ = [
    "build_beta_chain_model",
    "build_drift_model",
    "chain_drift_draws_pymc",
    "sample_beta_chain",
]

BETA_CHAIN_KEY = ("chain", "beta-binomial")
DRIFT_KEY = ("chain", "drift-forward")


def build_beta_chain_model() -> pm.Model:
    """Beta prior on a common per-step survival, observed steps, P(success) = base * s^steps."""
    with pm.Model() as model:
        alpha = pm.Data("alpha", 98.0)
        beta = pm.Data("beta", 2.0)
        survived = pm.Data("survived", np.array(0, dtype=np.int64))
        observed_steps = pm.Data("observed_steps", np.array(0, dtype=np.int64))
        steps = pm.Data("steps", 10.0)
        base = pm.Data("base", 1.0)
        s = pm.Beta("s", alpha, beta)
        pm.Binomial("survived_obs", n=observed_steps, p=s, observed=survived)
        # exp(n log s): s**n would differentiate to n s^(n-1), NaN at s = 0 when n = 0.
        pm.Deterministic("p_success", base * pt.exp(steps * pt.log(s)))
    return model


def sample_beta_chain(
    base: float,
    steps: int,
    per_step_beta: BetaDist | tuple[float, float],
    *,
    survived: int = 0,
    failed: int = 0,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    seed: int = 0,
    interval: float = DEFAULT_INTERVAL,
    timeout: float | None = None,
) -> DerivedFit:
    """Sample the Beta-survival chain with NUTS (compiled once per process, then re-used).

    The fit's ``mean`` (``to_dict()["p_success"]``) estimates P(success), with its MCSE.
    """
    b = as_probability(base, "base")
    n = as_count(steps, "steps")
    prior = parse_beta(per_step_beta, "per_step_beta")
    m = as_count(survived, "survived")
    f = as_count(failed, "failed")
    mass = check_interval_mass(interval)
    compiled = get_compiled(BETA_CHAIN_KEY, build_beta_chain_model)
    data = {
        "alpha": prior.alpha,
        "beta": prior.beta,
        "survived": m,
        "observed_steps": m + f,
        "steps": float(n),
        "base": b,
    }
    result = compiled.sample(data, draws=draws, tune=tune, chains=chains, seed=seed, timeout=timeout)
    return derived_fit(result, "p_success", ["s"], mass)


def build_drift_model() -> pm.Model:
    """Forward model of the drifting-survival chain; draws, steps and priors are all data."""
    with pm.Model() as model:
        n = pm.Data("n_draws", np.array(2, dtype=np.int64))
        step = pm.Data("step", np.arange(10.0))
        base = pm.Data("base", 1.0)
        mu_mean = pm.Data("mu_mean", 3.9)
        mu_sd = pm.Data("mu_sd", 0.0)
        delta_mean = pm.Data("delta_mean", 0.0)
        delta_sd = pm.Data("delta_sd", 0.0)
        tau_scale = pm.Data("tau_scale", 0.0)
        z_mu = pm.Normal("z_mu", 0.0, 1.0, shape=(n,))
        z_delta = pm.Normal("z_delta", 0.0, 1.0, shape=(n,))
        tau_unit = pm.HalfNormal("tau_unit", 1.0, shape=(n,))
        eps = pm.Normal("eps", 0.0, 1.0, shape=(n, step.shape[0]))
        mu = mu_mean + mu_sd * z_mu
        delta = delta_mean + delta_sd * z_delta
        tau = tau_scale * tau_unit
        logit_s = mu[:, None] - delta[:, None] * step[None, :] + tau[:, None] * eps
        # log expit(x) = -softplus(-x): finite where expit(x) would round to 0.
        log_success = pt.cumsum(-pt.softplus(-logit_s), axis=1)
        log_success = pt.concatenate([pt.zeros((n, 1)), log_success], axis=1)
        pm.Deterministic("p_success", base * pt.exp(log_success))
    return model


def chain_drift_draws_pymc(
    base: float, max_steps: int, prior: DriftPrior, *, draws: int = 20_000, seed: int = 0
) -> np.ndarray:
    """Draws of P(success after n steps), n = 0..``max_steps``, from the PyMC model: (draws, max_steps + 1)."""
    b, n_max, n = check_drift_inputs(base, max_steps, prior, draws)
    data = {
        "n_draws": n,
        "step": np.arange(float(n_max)),
        "base": b,
        "mu_mean": prior.mu_mean,
        "mu_sd": prior.mu_sd,
        "delta_mean": prior.delta_mean,
        "delta_sd": prior.delta_sd,
        "tau_scale": prior.tau_scale,
    }
    forward = get_compiled(DRIFT_KEY, build_drift_model, ForwardModel.compiler("p_success"))
    return forward.draw(data, check_seed(seed))["p_success"]

