"""Small PyMC models shared by the sampler tests."""

from __future__ import annotations


def build_funnel():
    """Neal's funnel in the centred parametrization: the sampler cannot reach the neck.

    A classic source of divergent transitions, used to check that a failing
    fit is reported as such.
    """
    import pymc as pm

    with pm.Model() as model:
        scale = pm.Data("scale", 3.0)
        v = pm.Normal("v", 0.0, scale)
        pm.Normal("x", 0.0, pm.math.exp(v / 2), shape=9)
    return model
