"""PyMC models for the ``beliefs`` calculator (import the submodules directly; nothing compiles on import).

- :mod:`models.sampling` -- the compile cache (compile once, re-sample with new data), nutpie sampling,
  convergence diagnostics.
- :mod:`models.counts` -- covert-action counts under H and not H by MCMC (no pooling, partial pooling;
  product-space estimator checked against :mod:`beliefs.counts`' exact answers).
- :mod:`models.before_after` -- covert-action rates before and after anti-scheming training.
- :mod:`models.sensitivity` -- power-scaling prior/likelihood sensitivity of the fits (ArviZ ``psense``).
- :mod:`models.chain`, :mod:`models.monitoring`, :mod:`models.uncertain_evidence` -- PyMC versions of
  closed forms in ``beliefs`` (chain of successors, untrusted monitoring, uncertain evidence), kept as
  independent MCMC cross-checks for the tests and bench/.
"""
