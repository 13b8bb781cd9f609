r"""What would change my mind, and where do we disagree: one module per analysis.

Sensitivity and disagreement analyses on top of :func:`beliefs.update.update`.
Everything happens in log-odds (nats), where Bayes' rule is a sum:

.. math::

    \lambda_{\text{post}} = \lambda_{\text{prior}} + \sum_i w_i \ln \mathrm{LR}_i .

* :mod:`beliefs.analysis.robustness` -- the posterior over a log-odds-spaced grid of priors.
* :mod:`beliefs.analysis.data_robustness` -- for covert-action counts (``k_i`` of ``n_i`` per
  environment), the Bayes factor over a grid of the two hypotheses' Beta priors
  on the rate (no pooling), like JASP's Bayes-factor robustness check.
* :mod:`beliefs.analysis.sequential` -- the posterior after each item or data batch, and
  the evidence still needed to cross a threshold.
* :mod:`beliefs.analysis.needed` -- reverse Bayes: the likelihood ratio, or the number of
  covert actions in further rollouts, that would move a prior to a target.
* :mod:`beliefs.analysis.tornado` -- how far the posterior moves over each item's own stated
  uncertainty, or without the item where it states none (or when each ratio, or the prior
  odds, is off by a factor).
* :mod:`beliefs.analysis.dependence` -- naive (independent) versus dependence-adjusted posterior,
  and the groups that shared sources suggest.
* :mod:`beliefs.analysis.crux` -- the gap between two viewpoints split exactly into a prior
  part and one part per item.
* :mod:`beliefs.analysis.pool` -- pooling forecasters by the geometric mean of odds.
* :mod:`beliefs.analysis.voi` -- the value of information of pending evidence.
* :mod:`beliefs.analysis._common` -- input checks and the table every result derives from.

Each module holds a compute function, its result object and ``plot_*(result)``, which returns
the result's one chart as a Vega-Lite spec (the app shows it, the command line's ``--plot`` and
the exports render it to a file).
Sequential, prior robustness, the stated tornado and the dependence proposal each have a
``headline``: the one sentence the analysis adds, with numbers from the result itself.
Each result has ``rows()``, ``to_csv()`` and ``to_frame()`` (the data behind its plot)
and ``to_dict()`` (JSON-ready).  Priors and targets of exactly 0 or 1 are refused with an
explanation: such beliefs are certain and no evidence can move them (Cromwell's rule).

The modules use NumPy and SciPy at import; Altair is imported inside the ``plot_*``
functions (each returns a Vega-Lite spec, see :mod:`beliefs.plots`), PyMC never.  This package imports nothing: import the module you need.
"""
