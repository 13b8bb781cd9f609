"""The Bayes factor as a map over the two hypotheses' mean predictions (issue 21.2).

Independent answers: each cell against the plain ``counts`` command at those priors (a separate process,
random cells), the neutral line's crossings against scipy's ``brentq`` on the library's own log Bayes
factor, and the no-pooling cells against mpmath at 50 digits.
"""

from __future__ import annotations

import itertools
import json
import math
import random

import mpmath
import numpy as np
import pytest
from scipy.optimize import brentq

from beliefs import counts as bc
from beliefs.bf_map import bayes_factor_map, plot_bayes_factor_map
from beliefs.datasets import dataset_counts, parse_dataset
from beliefs.evidence import BetaDist
from beliefs.format import format_proportion
from beliefs.rate_priors import PointRate
from tests.cli_helpers import assert_one_line_error, run_cli, run_json

O3 = "antischeming-2025:o3:before"


@pytest.fixture(scope="module")
def o3_counts():
    ks, ns, _ = dataset_counts(parse_dataset(O3), 316)
    return ks, ns


@pytest.fixture(scope="module")
def partial_map(o3_counts):
    return bayes_factor_map(*o3_counts, (1, 9), (1, 99), pooling="partial")  # the page's map, DEFAULT_GRID


def _cli_log10_bf(pooling: str, h: BetaDist, nh: BetaDist) -> float:
    out = run_json("counts", "--dataset", O3, "--pooling", pooling,
                   "--rate-if-h", f"{h.alpha!r},{h.beta!r}", "--rate-if-not-h", f"{nh.alpha!r},{nh.beta!r}")  # fmt: skip
    return out["log10_bayes_factor"]


@pytest.mark.parametrize(("pooling", "cells"), [("none", 4), ("partial", 2)])
def test_map_cells_equal_the_plain_counts_command_at_random_cells(pooling, cells):
    out = run_json("counts", "--dataset", O3, "--pooling", pooling, "--map", "--grid", "4")
    m = out["map"]
    assert len(m["h_mean"]) == len(m["not_h_mean"]) == 4
    assert np.shape(m["log10_bayes_factor"]) == (4, 4)  # rows follow h_mean, columns not_h_mean
    assert m["h_concentration"] == 10.0 and m["not_h_concentration"] == 100.0
    rng = random.Random(21 if pooling == "none" else 22)
    for _ in range(cells):
        i, j = rng.randrange(4), rng.randrange(4)
        h = BetaDist.from_mean_concentration(m["h_mean"][i], m["h_concentration"])
        nh = BetaDist.from_mean_concentration(m["not_h_mean"][j], m["not_h_concentration"])
        assert m["log10_bayes_factor"][i][j] == pytest.approx(_cli_log10_bf(pooling, h, nh), rel=1e-12, abs=1e-12)
    # the user's point is the headline
    assert m["choice"]["log10_bayes_factor"] == pytest.approx(out["log10_bayes_factor"], rel=1e-12)


def test_no_pooling_cells_against_mpmath(o3_counts):
    ks, ns = o3_counts
    m = bayes_factor_map(ks, ns, (1, 9), (1, 99), pooling="none", grid=3)
    mpmath.mp.dps = 50
    for i, hm in enumerate(m.h_means):
        for j, nm in enumerate(m.not_h_means):
            h, nh = BetaDist.from_mean_concentration(hm, 10), BetaDist.from_mean_concentration(nm, 100)
            total = mpmath.mpf(0)
            for k, n in zip(ks, ns, strict=True):
                total += mpmath.log(mpmath.beta(k + h.alpha, n - k + h.beta) / mpmath.beta(h.alpha, h.beta))
                total -= mpmath.log(mpmath.beta(k + nh.alpha, n - k + nh.beta) / mpmath.beta(nh.alpha, nh.beta))
            assert m.log_bf[i, j] == pytest.approx(float(total), rel=1e-12)


@pytest.mark.parametrize("pooling", ["none", "partial"])
def test_neutral_crossings_at_the_choice_against_brentq(o3_counts, pooling):
    ks, ns = o3_counts
    m = bayes_factor_map(ks, ns, (1, 9), (1, 99), pooling=pooling, grid=7)

    def log_bf(not_h_mean: float) -> float:  # the plain log Bayes factor, H at its reading, not H moved
        return bc.counts_log_bf(ks, ns, (1, 9), BetaDist.from_mean_concentration(not_h_mean, 100), pooling)

    if pooling == "none":
        assert m.crossings_at_choice == () and "favour H whatever not H predicts" in m.sentence()
        assert all(log_bf(x) > 0 for x in m.not_h_means)
        return
    assert len(m.crossings_at_choice) == 2  # not H wins only in a band around the data's own mean rate
    for x in m.crossings_at_choice:
        root = brentq(log_bf, x * 0.8, min(x * 1.25, 0.5), xtol=1e-15, rtol=1e-13)
        assert x == pytest.approx(root, rel=1e-6)
    lo, hi = m.crossings_at_choice
    assert log_bf(math.sqrt(lo * hi)) < 0 < log_bf(lo / 2) and log_bf(min(2 * hi, 0.5)) > 0
    assert f"between {format_proportion(lo)} and {format_proportion(hi)}" in m.sentence()  # the one format


def test_neutral_line_is_where_the_cells_change_sign(partial_map):
    m = partial_map
    line = m.neutral_line
    assert line and {p["branch"] for p in line} == {0, 1}
    # every point on the line has log BF = 0 to within the spline's error (checked exactly at the choice)
    for p in line[:: max(1, len(line) // 6)]:
        lm_h = bc.log_marginal(np.array(m.k), np.array(m.n), BetaDist.from_mean_concentration(p["h_mean"], 10), "partial")[0]
        lm_nh = bc.log_marginal(np.array(m.k), np.array(m.n), BetaDist.from_mean_concentration(p["not_h_mean"], 100), "partial")[0]
        assert abs(lm_h - lm_nh) < 0.02, p  # nats: the splines through 13 nodes, unpolished away from the choice
    signs = np.sign(m.log_bf)
    assert (signs > 0).any() and (signs < 0).any()


def test_point_side_moves_the_point(o3_counts):
    ks, ns = o3_counts
    m = bayes_factor_map(ks, ns, (1, 9), "point:0.05", pooling="none", grid=3)
    assert m.to_dict()["not_h_concentration"] is None
    j = 1
    want = bc.no_pooling_log_bf(ks, ns, BetaDist.from_mean_concentration(m.h_means[0], 10), PointRate(m.not_h_means[j]))
    assert m.log_bf[0, j] == want
    assert "predicts a rate" in m.sentence() or "whatever" in m.sentence()


def test_spec_draws_cells_line_and_choice(partial_map):
    spec = plot_bayes_factor_map(partial_map)
    rect, line, point = spec["layer"]
    assert len(rect["data"]["values"]) == 13 * 13 and line["data"]["values"] == [dict(p) for p in partial_map.neutral_line]
    assert point["data"]["values"][0]["log10_bf"] == pytest.approx(partial_map.log_bf_at_choice / math.log(10))
    json.dumps(spec)  # plain data only
    # the cells tile the axes: each cell's edges meet its neighbours' (H's mean varies fastest)
    cells = rect["data"]["values"]
    assert all(a["h_hi"] == pytest.approx(b["h_lo"]) for a, b in itertools.pairwise(cells) if a["not_h_mean"] == b["not_h_mean"])
    by_h = sorted(cells, key=lambda c: (c["h_mean"], c["not_h_mean"]))
    assert all(a["n_hi"] == pytest.approx(b["n_lo"]) for a, b in itertools.pairwise(by_h) if a["h_mean"] == b["h_mean"])
    assert [c["value"] for c in cells] == [c["log10_bf"] for c in cells] == (partial_map.log10_bf.T.ravel()).tolist()


def test_spec_renders_with_vl_convert(partial_map):
    from beliefs.plots.figures import spec_bytes

    png = spec_bytes(plot_bayes_factor_map(partial_map), "png", width=480)
    assert png.startswith(b"\x89PNG")


def test_cli_map_bad_grid_and_grid_without_map():
    assert_one_line_error(run_cli("counts", "--dataset", O3, "--map", "--grid", "1"), "--grid")
    assert_one_line_error(run_cli("counts", "--dataset", O3, "--grid", "5"), "--grid")


def test_cli_human_map_sentence():
    proc = run_cli("counts", "--dataset", O3, "--pooling", "none", "--map", "--grid", "3")
    assert proc.returncode == 0, proc.stderr
    assert "Bayes factor map (3 x 3" in proc.stdout and "favour H whatever not H predicts" in proc.stdout


@pytest.mark.parametrize("pooling", ["none", "partial"])
def test_the_axes_reach_where_high_rates_lie_and_stay_below_one(pooling):
    # 7 of 10 against a point at 1/2: not H wins only for a point near the data's 70%, a band inside the map
    m = bayes_factor_map([7], [10], (1, 1), "point:0.5", pooling=pooling, grid=5)
    assert 0.5 < m.not_h_means[-1] < 1
    every = bayes_factor_map([5, 5], [5, 5], (1, 1), (1, 9), pooling=pooling, grid=5)  # every rollout covert
    assert every.not_h_means[-1] < 1 and every.h_means[-1] < 1
    if pooling == "none":
        lo, hi = m.crossings_at_choice
        assert lo < 0.7 < hi < m.not_h_means[-1] and f"between {format_proportion(lo)} and {format_proportion(hi)}" in m.sentence()
