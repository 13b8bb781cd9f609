"""Comparing a Monte Carlo or MCMC estimate with an independent answer in standard errors.

The slow runs report the observed |z| values: run them with ``pytest -s`` and read the ``|z|`` lines.
"""

from __future__ import annotations

Z_MAX = 4.0  # |estimate - answer| <= Z_MAX standard errors (fixed seeds: a failure is reproducible)


def z_score(label: str, estimate: float, answer: float, se: float) -> float:
    """|estimate - answer| / se, printed with ``label``."""
    z = abs(estimate - answer) / se
    print(f"|z| {label}: {z:.2f}")
    return z
