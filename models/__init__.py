"""PyMC models for the ``beliefs`` calculator.

Submodules (import them directly; this package compiles nothing on import):

- :mod:`models.sampling` -- compile once, re-sample with new data; convergence diagnostics.
- :mod:`models.covert_actions` -- covert-action counts under H and not H (exact and MCMC).
- :mod:`models.elicitation` -- a Beta from "I am 90% sure the rate is between L and U".
- :mod:`beliefs.datasets` -- published and derived counts from the research notes.
- :mod:`models.plots` -- figures for the covert-action models.
"""

from __future__ import annotations

import importlib

__all__ = ["covert_actions", "datasets", "elicitation", "plots", "sampling"]

_LAZY = {
    "sampling", "covert_actions", "elicitation", "datasets", "plots",
    "uncertain_evidence", "chain", "monitoring",
}


def __getattr__(name: str):
    # Submodules load on first attribute access so ``import models`` stays cheap.
    if name in _LAZY:
        return importlib.import_module(f"models.{name}")
    raise AttributeError(f"module 'models' has no attribute {name!r}")
