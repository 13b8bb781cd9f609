"""AppTest of the data page: reproduce control, the default Bayes factor with its range, provenance.

Independent answers: the published figures and a hand oracle for the reproduce table, mpmath for
the no-pooling grid points, and beliefs.counts (itself checked against 1-D quadrature and mpmath in
tests/test_counts.py) for the partial-pooling headline.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import mpmath
import pytest

from beliefs.datasets import dataset_counts_result
from beliefs.io.shortlink import open_link
from beliefs.reproduce import derived_count
from tests.test_app import APP, assert_clean, button, download_bytes, media, metrics, new_app  # noqa: F401

FIG9_O3_BEFORE = [2.8, 44.6, 20.5, 1.7, 23.1, 1.0, 8.0, 3.0, 0.8, 0.0, 0.0, 25.6, 46.7, 0.1, 31.8, 21.3, 0.1, 0.3, 0.0, 24.2]


def _mp_log10_bf(k, n, h, nh):
    mpmath.mp.dps = 50
    total = mpmath.mpf(0)
    for kj, nj in zip(k, n, strict=True):
        total += mpmath.log(mpmath.beta(kj + h[0], nj - kj + h[1]) / mpmath.beta(*h))
        total -= mpmath.log(mpmath.beta(kj + nh[0], nj - kj + nh[1]) / mpmath.beta(*nh))
    return float(total / mpmath.log(10))


def _reproduce_table(at) -> list[dict]:
    frame = next(df for df in at.dataframe if "published %" in df.value.columns)
    return frame.value.to_dict("records")


def test_reproduce_control_default_n_matches_the_paper():
    at = new_app({"view": "data"})
    assert_clean(at)
    rows = _reproduce_table(at)
    assert [(r["model"], r["phase"], r["published %"]) for r in rows] == [
        ("o3", "before", 13.0), ("o3", "after", 0.4), ("o4-mini", "before", 8.7), ("o4-mini", "after", 0.3)
    ]
    # hand oracle for o3 before: mean of (k+1)/(n+2), k = pct x 316 / 100 rounded half to even
    ks = [int((Decimal(str(p)) * 316 / 100).to_integral_value()) for p in FIG9_O3_BEFORE]
    oracle = 100 * sum(Decimal(k + 1) / 318 for k in ks) / 20
    assert rows[0]["reproduced %"] == pytest.approx(float(oracle), abs=5e-4)
    assert all(r["matches to 0.1"] == "yes" for r in rows)
    assert any("n = 316: all four published figures reproduced" in m.value for m in at.markdown)


def test_reproduce_slider_changes_n():
    at = new_app({"view": "data"})
    at.slider(key="w_da_rn").set_value(100).run()
    assert_clean(at)
    rows = _reproduce_table(at)
    assert [r["matches to 0.1"] for r in rows] == ["no"] * 4
    ks = [int((Decimal(str(p)) * 100 / 100).to_integral_value()) for p in FIG9_O3_BEFORE]
    assert rows[0]["reproduced %"] == pytest.approx(float(100 * sum(Decimal(k + 1) / 102 for k in ks) / 20), abs=5e-4)
    assert at.session_state["values"]["da_rn"] == 100


def test_default_bayes_factor_is_partial_pooling_with_its_range():
    at = new_app({"view": "data"})
    assert_clean(at)
    want = dataset_counts_result("antischeming-2025:o3:before", 0.5, (1, 9), (1, 99))
    assert want.pooling == "partial" and want.n_assumed == 316
    shown = metrics(at)
    assert float(shown["Bayes factor for H"]) == pytest.approx(math.exp(want.log_bayes_factor), rel=5e-4)
    info = " ".join(i.value for i in at.info)
    rng = want.assumption_range
    assert f"log10 BF from {rng.low:.3g} to {rng.high:.3g}" in info and "pooling in {none, partial}" in info
    # Each no-pooling grid point against mpmath; each point inside the range.
    grid = next(df for df in at.dataframe if "log10 BF" in df.value.columns).value.to_dict("records")
    assert len(grid) == 6
    for row in grid:
        assert rng.low - 1e-9 <= row["log10 BF"] <= rng.high + 1e-9
        if row["pooling"] == "none":
            ks = [derived_count(p / 100, row["assumed n"]) for p in FIG9_O3_BEFORE]
            assert row["log10 BF"] == pytest.approx(_mp_log10_bf(ks, [row["assumed n"]] * 20, (1, 9), (1, 99)), abs=1e-4)


def test_ledger_item_carries_the_provenance_text():
    at = new_app({"view": "data"})
    next(b for b in at.button if b.label == "Add this Bayes factor to the ledger").click().run()
    assert_clean(at)
    prov = at.session_state["items"][-1].provenance
    assert prov.assumption == "derived from an assumed n = 316 per evaluation, pooling partial"
    assert prov.method == "quadrature" and prov.log10_bf_range is not None
    at.radio(key="w_view").set_value("update").run()
    assert_clean(at)
    ledger = " ".join(m.value for m in at.markdown)
    assert "derived: assumed n = 316 per evaluation, pooling partial" in ledger
    assert "log10 BF range" in ledger
    # the posterior on the Update page is update() of the same factor
    want = dataset_counts_result("antischeming-2025:o3:before", 0.5, (1, 9), (1, 99))
    assert metrics(at)["Posterior P(H)"] == metrics(new_app({"view": "data"}))["P(H) after the data (prior 50%)"]
    assert want.posterior > 0.99


def test_provenance_survives_save_and_load(media):  # noqa: F811
    at = new_app({"view": "data", "da_n": "500", "da_pool": "none"})
    next(b for b in at.button if b.label == "Add this Bayes factor to the ledger").click().run()
    saved = download_bytes(media, button(at, "dl_scenario_json"))
    item = json.loads(saved)["evidence"][-1]
    assert item["provenance"]["assumption"] == "derived from an assumed n = 500 per evaluation, pooling none"
    target = new_app()
    target.file_uploader(key="upload").set_value(("mine.json", saved, "application/json")).run()
    assert_clean(target)
    prov = target.session_state["items"][-1].provenance
    assert prov.assumption == "derived from an assumed n = 500 per evaluation, pooling none"
    assert list(prov.log10_bf_range) == item["provenance"]["log10_bf_range"]


def test_provenance_survives_a_share_link():
    at = new_app({"view": "data"})
    next(b for b in at.button if b.label == "Add this Bayes factor to the ledger").click().run()
    params = dict(at.query_params)
    flat = {k: v[-1] if isinstance(v, list) else v for k, v in params.items()}
    # The item's source (the 2025 per-evaluation rates) is no id's: the address bar holds the scenario itself.
    state, warnings = open_link(flat)
    assert warnings == [] and state.items[-1] == at.session_state["items"][-1]
    opened = new_app({**flat, "view": "update"})
    assert_clean(opened)
    assert opened.session_state["items"][-1] == at.session_state["items"][-1]
    assert any("assumed n = 316" in m.value for m in opened.markdown)
