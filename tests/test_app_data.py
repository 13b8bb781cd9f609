"""AppTest of the data page: reproduce control, the default Bayes factor with its range, provenance.

Independent answers: the published figures and a hand oracle for the reproduce table, mpmath for
the no-pooling grid points, and beliefs.counts (itself checked against 1-D quadrature and mpmath in
tests/test_counts.py) for the partial-pooling headline.
"""

from __future__ import annotations

import json
import math
import re
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


def test_one_assumed_n_for_the_reproduce_table_and_the_model():
    """Issue 21.5: one setting; changing it moves the reproduce table and the model's counts together."""
    at = new_app({"view": "data"})
    assert not [s for s in at.slider if s.key == "w_da_rn"]  # no second, unlinked control
    at.number_input(key="w_da_n").set_value(311).run()
    assert_clean(at)
    assert at.session_state["values"]["da_n"] == 311
    rows = _reproduce_table(at)
    ks = [int((Decimal(str(p)) * 311 / 100).to_integral_value()) for p in FIG9_O3_BEFORE]
    assert rows[0]["reproduced %"] == pytest.approx(float(100 * sum(Decimal(k + 1) / 313 for k in ks) / 20), abs=5e-4)
    assert any("n = 311:" in m.value for m in at.markdown)
    # ... and the Bayes factor's counts are the same k at the same n
    assert metrics(at)["Data"] == f"{sum(ks)}/{311 * 20}"
    assert any("n = 311 per evaluation" in w.value for w in at.warning)
    want = dataset_counts_result("antischeming-2025:o3:before", 0.5, (1, 9), (1, 99), n_assumed=311)
    assert float(metrics(at)["Bayes factor for H"]) == pytest.approx(math.exp(want.log_bayes_factor), rel=5e-4)
    at.number_input(key="w_da_n").set_value(100).run()
    assert [r["matches to 0.1"] for r in _reproduce_table(at)] == ["no"] * 4


def test_default_bayes_factor_is_partial_pooling_with_its_range():
    at = new_app({"view": "data"})
    assert_clean(at)
    want = dataset_counts_result("antischeming-2025:o3:before", 0.5, (1, 9), (1, 99))
    assert want.pooling == "partial" and want.n_assumed == 316
    shown = metrics(at)
    assert float(shown["Bayes factor for H"]) == pytest.approx(math.exp(want.log_bayes_factor), rel=5e-4)
    info = " ".join(i.value for i in at.info)
    rng = want.assumption_range
    # The chosen model's range is the headline; the other model's is named beside it (issue 21.3).
    lo, hi = rng.by_pooling()["partial"]
    assert f"log10 BF from {lo:.3g} to {hi:.3g}" in info and "partial pooling" in info
    o_lo, o_hi = rng.by_pooling()["none"]
    assert any(f"If the 20 evaluations were independent (no pooling): log10 BF from {o_lo:.3g} to {o_hi:.3g}" in c.value
               for c in at.caption)  # fmt: skip
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


# -- what each hypothesis predicts (issue 21.1), the point null (25.3), the map (21.2) ---------------------


def test_predictions_show_their_reading_status_and_source():
    at = new_app({"view": "data"})
    assert_clean(at)
    reading_h, reading_n = (s for s in at.selectbox if s.label == "Reading")
    assert reading_h.value == "scheming" and reading_n.value == "confusion"
    statuses = [c.value for c in at.caption if c.value.startswith("Status ")]
    assert len(statuses) == 2 and all("Status X, not in any source" in c and "no source gives" in c for c in statuses)
    at.selectbox(key="w_da_n_read").set_value("designed-to-elicit").run()
    assert_clean(at)
    v = at.session_state["values"]
    assert (v["da_n_a"], v["da_n_b"]) == (1.0, 19.0)
    assert any("designed to elicit" in c.value for c in at.caption if c.value.startswith("Status "))
    at.number_input(key="w_da_n_b").set_value(30.0).run()  # numbers of one's own: no longer the reading
    assert at.selectbox(key="w_da_n_read").value == "own"
    assert any("your own choice" in c.value.lower() for c in at.caption if c.value.startswith("Status "))


def test_point_null_on_the_data_page_is_the_librarys_binomial_factor():
    from beliefs.counts import exact_no_pooling
    from beliefs.rate_priors import PointRate

    at = new_app({"view": "data", "da_src": "custom", "da_env": "7/10", "da_pool": "none", "da_h_a": "1",
                  "da_h_b": "1", "da_n_kind": "point", "da_n_pt": "0.5"})  # fmt: skip
    assert_clean(at)
    want = exact_no_pooling([7], [10], 0.5, (1, 1), PointRate(0.5))
    assert metrics(at)["Bayes factor for H"] == f"{want.bayes_factor:.4g}" == "0.7758"  # JASP's 0.775758
    assert any("a point null" in c.value for c in at.caption)
    assert any("needs no MCMC" in i.value for i in at.info)
    prov = " ".join(c.value for c in at.caption if c.value.startswith("Provenance"))
    assert "point 0.5" in prov


def test_the_map_is_drawn_with_its_sentence_and_its_data():
    at = new_app({"view": "data"})
    assert_clean(at)
    assert at.get("vega_lite_chart")
    sentence = next(m.value for m in at.markdown if "favour not H only if" in m.value)
    assert "between 6.278% and 19.46%" in sentence  # the brentq-checked crossings (tests/test_bf_map.py), the one format


def test_the_page_says_when_the_model_choice_flips_the_direction():
    # 1/100 and 100/100 with H Beta(1, 9), not H Beta(0.2, 5): no pooling favours not H, partial pooling H
    at = new_app({"view": "data", "da_src": "custom", "da_env": "1/100,100/100", "da_n_a": "0.2", "da_n_b": "5"})
    assert_clean(at)
    text = " ".join(w.value for w in at.warning)
    assert "The two models disagree on the direction" in text and "A Puzzle of Proportions" in text
    agree = new_app({"view": "data"})
    assert not any("disagree" in w.value for w in agree.warning)


def test_the_count_editor_shows_the_evaluation_names():
    at = new_app({"view": "data"})
    next(b for b in at.button if b.label == "Edit these counts").click().run()
    assert_clean(at)
    rows = at.session_state["da_table_base"]
    assert [r["evaluation"] for r in rows][:2] == ["Broken Promises", "Email Scoring"]
    assert [r["k"] for r in rows] == [derived_count(p / 100, 316) for p in FIG9_O3_BEFORE]


def test_analysis_data_robustness_uses_the_data_pages_model():
    """Issue 21.4: Analysis -> Data robustness with partial pooling returns the data page's factor, names its
    model, and shows no "None" cell."""
    at = new_app({"view": "analysis"})
    assert_clean(at)
    want = dataset_counts_result("antischeming-2025:o3:before", 0.5, (1, 9), (1, 99))
    heading = next(m.value for m in at.markdown if m.value.startswith("**Data robustness"))
    assert "partial pooling" in heading
    choice = next(c.value for c in at.caption if c.value.startswith("Your choice: log10 BF"))
    assert f"log10 BF {want.log10_bayes_factor:+.4g}," in choice
    for frame in at.dataframe:
        df = frame.value
        if "log10 BF" in df.columns:
            assert not df.isna().any().any(), df
            assert "None" not in df.astype(str).to_numpy().ravel().tolist()


# -- MCMC as a first-class result (issue 21.6) ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group("app_mcmc")
def test_an_mcmc_estimate_enters_the_ledger_with_its_provenance_in_words():
    from streamlit.testing.v1 import AppTest

    from beliefs.counts import quadrature_partial_pooling

    at = AppTest.from_file(APP, default_timeout=600)
    at.query_params.update({"view": "data", "da_src": "custom", "da_env": "1/20,0/20,2/20"})
    at.run()
    next(b for b in at.button if b.label == "Run partial pooling").click().run()
    assert_clean(at)
    # the time shown is the time the user waited, compile included and said so
    waited = next(c.value for c in at.caption if "You waited" in c.value)
    assert "MCMC call" in waited and ("compiling the model" in waited or "already compiled" in waited)
    n_before = len(at.session_state["items"])
    next(b for b in at.button if b.label == "Add the MCMC estimate to the ledger").click().run()
    assert_clean(at)
    items = at.session_state["items"]
    assert len(items) == n_before + 1
    prov = items[-1].provenance
    assert re.fullmatch(r"MCMC \(nutpie\), z vs exact [+-]\d+\.\d\d, R-hat \d\.\d{3}, ESS \d+, 0 divergences; "
                        r"log10 BF -?\d+\.\d{4} \+/- [0-9.e-]+ \(MCSE\)", prov.method), prov.method  # fmt: skip
    exact = quadrature_partial_pooling([1, 0, 2], [20, 20, 20], 0.5, (1, 9), (1, 99))
    assert prov.assumption == exact.provenance.assumption == "from counts as entered, pooling partial"
    assert prov.model == exact.provenance.model and "'scheming' Beta(1, 9) (status X" in prov.model
    # the item's factor is the MCMC estimate, within a few MCSE of the exact one
    z = float(re.search(r"z vs exact ([+-][0-9.]+)", prov.method).group(1))
    assert abs(z) <= 4
    assert items[-1].entry.kind == "lr" and items[-1].likelihood_ratio > 0
    assert prov.derived_likelihood_ratio == items[-1].likelihood_ratio  # edited later, it says so
    # the Update page shows it in words
    at.radio(key="w_view").set_value("update").run()
    assert_clean(at)
    assert any("MCMC (nutpie), z vs exact" in m.value for m in at.markdown)
