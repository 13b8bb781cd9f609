"""The Bayes-factor map (issue 21.2): what a new map costs, and what moving one prediction costs.

In-process (the library the data page calls, with its per-value marginal cache): the 2025 rates for o3
before training at the assumed n = 316, the readings 'scheming' and 'confusion or ambiguous
instructions', the page's 13 x 13 grid.

- **new data, partial pooling**: every cache cleared, then :func:`beliefs.bf_map.bayes_factor_map`: 2 x 13
  marginal likelihoods by cubature, the user's two, and the crossings' polishing (one marginal per
  crossing per round).  What the page pays once per data set (the data page then caches the map).
- **H's mean moved, partial pooling**: the same data with H's mean at 5% (same spread): the grid's marginals
  come from the cache; the user's new marginal and the crossings' polishing are computed.
- **new data, no pooling**: the closed form per cell (169 cells).

``run.py`` calls :func:`bench_bf_map` with itself as ``h`` (its Row helper), so nothing is duplicated.
"""

from __future__ import annotations

import time

WARM_TARGET = 1.0  # seconds: moving a prediction should not feel like recomputing the map


def _clear() -> None:
    from beliefs import partial_pooling as pp

    pp._log_marginal_cached.cache_clear()
    pp._log_marginal_point_cached.cache_clear()


def bench_bf_map(sz, h) -> list:
    from beliefs.bf_map import DEFAULT_GRID, bayes_factor_map
    from beliefs.datasets import dataset_counts, parse_dataset

    ks, ns, _ = dataset_counts(parse_dataset("antischeming-2025:o3:before"), 316)
    repeats = 1 if sz.quick else 3
    cold, warm, none = [], [], []
    for _ in range(repeats):
        _clear()
        start = time.perf_counter()
        bayes_factor_map(ks, ns, (1, 9), (1, 99), pooling="partial")
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        bayes_factor_map(ks, ns, (0.5, 9.5), (1, 99), pooling="partial")
        warm.append(time.perf_counter() - start)
        start = time.perf_counter()
        bayes_factor_map(ks, ns, (1, 9), (1, 99), pooling="none")
        none.append(time.perf_counter() - start)
    load = h.load_avg()
    size = f"{DEFAULT_GRID} x {DEFAULT_GRID}"
    return [
        h.Row("bf_map", f"Bayes-factor map, new data, partial pooling ({size}, o3 before)", "s", cold, load=load,
              note=f"{2 * DEFAULT_GRID + 2} marginals by cubature plus the crossings' polishing; the page caches it"),
        h.Row("bf_map", "Bayes-factor map, H's mean moved (grid from the cache)", "s", warm, WARM_TARGET,
              f"<= {WARM_TARGET:g} s", load=load),
        h.Row("bf_map", f"Bayes-factor map, new data, no pooling ({size}, closed form per cell)", "s", none, load=load),
    ]
