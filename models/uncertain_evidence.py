r"""Uncertain evidence as a PyMC model, forward-sampled.

The same generative model as :func:`beliefs.uncertain_evidence.posterior_distribution`
(and split into the same terms by :func:`beliefs.uncertain_evidence.evidence_terms`):

.. math::

    \lambda_{\text{post}} = \text{shift} + \sum_j \sigma_j Z_j + \sum_k w_k \ln X_k,
    \qquad Z_j \sim N(0, 1),\quad X_k \sim \mathrm{Beta}(\alpha_k, \beta_k),

where ``shift`` is the prior log-odds plus every point contribution.  There is
no observed data, so the distribution is the prior predictive; it is drawn by
a function compiled once (:class:`ForwardModel`, cached by
:func:`models.sampling.get_compiled`), with the number of draws and every input
held in ``pm.Data`` so new inputs re-sample without recompiling.

PyMC's Beta draws come from NumPy's ``Generator.beta``; with a shape parameter
well below 1 a draw can round to 0 and its log to ``-inf``.  The NumPy path
(:func:`beliefs.montecarlo.log_beta_draws`) avoids that; this model is the
independent cross-check, used with ordinary shapes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from beliefs.uncertain_evidence import EvidenceTerms, PosteriorDistribution, posterior_distribution
from models.sampling import get_compiled

__all__ = ["ForwardModel", "build_model", "get_forward", "posterior_distribution_pymc"]

_MAX_DRAWS = 2_000_000


class ForwardModel:
    """A PyMC model whose chosen outputs are drawn by one compiled function.

    :meth:`draw` writes new values into the model's ``pm.Data`` containers,
    reseeds the random generators and calls the function: the graph is
    compiled once in ``__init__``.  A lock serializes calls because the data
    containers are shared state.
    """

    def __init__(self, model: pm.Model, outputs: Sequence[str]):
        from pymc.pytensorf import compile as compile_fn

        self.model = model
        self.outputs = tuple(outputs)
        with model:
            # random_seed=False leaves seeding to draw(), so one compiled function serves every seed.
            self._fn, updates = compile_fn(
                [], [model[name] for name in self.outputs], random_seed=False, return_updates=True
            )
        self._rngs = list(updates)
        self._data = {v.name: v for v in model.data_vars}
        self._lock = threading.Lock()
        self.calls = 0

    def draw(self, data: Mapping[str, Any], seed: int) -> dict[str, np.ndarray]:
        """Outputs drawn with ``data`` in the ``pm.Data`` containers and generators seeded by ``seed``."""
        from pymc.pytensorf import reseed_rngs

        with self._lock:
            for name, value in data.items():
                shared = self._data[name]
                shared.set_value(np.asarray(value, dtype=shared.get_value().dtype))
            reseed_rngs(self._rngs, int(seed))
            values = self._fn()
            self.calls += 1
        return {name: np.asarray(v) for name, v in zip(self.outputs, values, strict=True)}

    @classmethod
    def compiler(cls, *outputs: str) -> Callable[..., ForwardModel]:
        """A ``compile`` for :func:`models.sampling.get_compiled` that draws ``outputs``."""
        return lambda model, structure_key=None: cls(model, outputs)


def build_model(has_normal: bool, has_beta: bool) -> pm.Model:
    """The forward model; only which kinds of term exist is structural, their number is data."""
    with pm.Model() as model:
        n = pm.Data("n_draws", np.array(2, dtype=np.int64))
        shift = pm.Data("shift", 0.0)
        log_odds = pt.zeros((n,)) + shift
        if has_normal:
            sigmas = pm.Data("sigmas", np.ones(1))
            z = pm.Normal("z", 0.0, 1.0, shape=(n, sigmas.shape[0]))
            log_odds = log_odds + pt.dot(z, sigmas)
        if has_beta:
            alphas = pm.Data("alphas", np.ones(1))
            betas = pm.Data("betas", np.ones(1))
            signs = pm.Data("signs", np.ones(1))
            x = pm.Beta("x", alphas, betas, shape=(n, alphas.shape[0]))
            log_odds = log_odds + pt.dot(pt.log(x), signs)
        pm.Deterministic("log_odds", log_odds)
    return model


def get_forward(has_normal: bool, has_beta: bool) -> ForwardModel:
    """The compiled forward model for this structure (from the one cache, compiled on first use)."""
    key = ("uncertain_evidence", bool(has_normal), bool(has_beta))
    return get_compiled(key, lambda: build_model(key[1], key[2]), ForwardModel.compiler("log_odds"))


def _draw_pymc(terms: EvidenceTerms, draws: int, seed: int) -> np.ndarray:
    has_normal, has_beta = terms.sigmas.size > 0, terms.alphas.size > 0
    data: dict[str, Any] = {"n_draws": draws, "shift": terms.shift}
    if has_normal:
        data["sigmas"] = terms.sigmas
    if has_beta:
        data.update(alphas=terms.alphas, betas=terms.betas, signs=terms.signs)
    return get_forward(has_normal, has_beta).draw(data, seed)["log_odds"]


def posterior_distribution_pymc(prior: float, evidence, *, draws: int = 20_000, **options) -> PosteriorDistribution:
    """:func:`beliefs.uncertain_evidence.posterior_distribution` (same options), drawn by PyMC instead of NumPy.

    Returns the same :class:`~beliefs.uncertain_evidence.PosteriorDistribution`,
    so the two can be compared summary by summary.
    """
    return posterior_distribution(prior, evidence, draws=draws, sampler=_draw_pymc, max_draws=_MAX_DRAWS, **options)
