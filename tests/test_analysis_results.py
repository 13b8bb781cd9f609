"""beliefs.analysis: every result's CSV, DataFrame and JSON exports and plots, and light imports."""

import csv
import io
import math
import subprocess
import sys

import numpy as np
import pytest

from beliefs.analysis.crux import crux, plot_crux
from beliefs.analysis.data_robustness import data_robustness, plot_data_robustness
from beliefs.analysis.dependence import dependence, plot_dependence
from beliefs.analysis.needed import needed_count, plot_count_needed
from beliefs.analysis.pool import plot_pool, pool
from beliefs.analysis.robustness import plot_prior_robustness, prior_robustness
from beliefs.analysis.sequential import plot_sequential, sequential
from beliefs.analysis.tornado import plot_tornado, tornado
from beliefs.evidence import Evidence
from beliefs.format import format_probability
from beliefs.odds import LN10
from beliefs.plots.figures import spec_bytes
from tests.chart_checks import mark_type, marks, readability_problems, rows_of


def lr(x, label="e", **kw):
    return Evidence(label, likelihood_ratio=x, **kw)


def _items():
    return [
        Evidence("report", p_e_given_h=0.75, p_e_given_not_h=0.25, id="r"),
        lr(2.0, "a", group="g", discount=0.5),
        lr(4.0, "b", group="g", discount=0.5),
    ]


BUILDERS = {
    "prior_robustness": lambda: prior_robustness(0.25, _items(), n_points=21),
    "data_robustness": lambda: data_robustness([3, 0], [100, 50], 0.25, (1, 20), (1, 200), n_grid=5),
    "sequential": lambda: sequential(0.25, _items(), threshold=0.9),
    "needed_count": lambda: needed_count(30, 0.9, 0.25, (1, 20), (1, 200)),
    "tornado": lambda: tornado(0.25, _items()),
    "dependence": lambda: dependence(0.25, _items(), joint_ratios={"g": 3}),
    "crux": lambda: crux(0.25, _items(), 0.5, [lr(1.2, "report", id="r"), lr(0.5, "new")]),
    "pool": lambda: pool([0.1, 0.3, 0.6], [1, 2, 1], extremize=1.5),
}


@pytest.fixture(scope="module")
def results():
    """``results(name)``: that analysis result, computed on first use and shared by the module's tests.

    Lazy on purpose: the data-robustness grid runs partial-pooling cubatures (tens of seconds on a loaded
    machine); computed at import, every xdist worker paid it while collecting, whether or not it ran
    this file.
    """
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = BUILDERS[name]()
        return cache[name]

    return get


@pytest.mark.parametrize("name", list(BUILDERS))
def test_csv_parses_back_to_the_same_numbers(results, name):
    result = results(name)
    rows = result.rows()
    parsed = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert len(parsed) == len(rows)
    for got, want in zip(parsed, rows, strict=True):
        assert list(got) == list(want)
        for key, value in want.items():
            if value is None:
                assert got[key] == ""
            elif isinstance(value, bool):
                assert got[key] == str(value)
            elif isinstance(value, float):
                assert float(got[key]) == value or (math.isnan(value) and math.isnan(float(got[key])))
            elif isinstance(value, int):
                assert int(got[key]) == value
            else:
                assert got[key] == value
    frame = result.to_frame()
    assert list(frame.columns) == list(rows[0])
    assert len(frame) == len(rows)


def test_empty_ledger_exports_a_header_only():
    r = dependence(0.3, [])
    assert r.rows() == []
    assert r.to_csv() == "group,method,naive_bits,adjusted_bits\n"
    assert list(r.to_frame().columns) == ["group", "method", "naive_bits", "adjusted_bits"]
    assert r.naive.posterior == r.adjusted.posterior == 0.3


@pytest.mark.parametrize("name", list(BUILDERS))
def test_to_dict_is_strict_json(results, name):
    import json

    from beliefs.cli.output import jsonable

    json.dumps(jsonable(results(name).to_dict()), allow_nan=False)


def test_importing_analysis_does_not_import_heavy_libraries():
    code = (
        "import sys, beliefs.cli.analysis_cmd\n"
        "from beliefs.analysis import crux, data_robustness, dependence, needed, pool, robustness, sequential\n"
        "from beliefs.analysis import tornado, voi\n"
        "heavy = [m for m in ('pymc', 'pytensor', 'arviz', 'matplotlib', 'altair', 'streamlit') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""


PLOTS = {
    "prior_robustness": plot_prior_robustness,
    "data_robustness": plot_data_robustness,
    "sequential": plot_sequential,
    "needed_count": plot_count_needed,
    "tornado": plot_tornado,
    "dependence": plot_dependence,
    "crux": plot_crux,
    "pool": plot_pool,
}


def _bits(x: float) -> float:
    return x / math.log(2)


def drawn_numbers(name, spec, result):
    """(numbers the chart draws, the same numbers from the result), by chart."""
    if name == "prior_robustness":
        (grid,) = rows_of(spec, "line")[:1]
        return [v["posterior"] for v in grid], [_bits(x) for x in result.posterior_log_odds]
    if name == "data_robustness":
        (cells,) = rows_of(spec, "rect")
        return [c["value"] for c in cells], (result.log_bf / LN10).ravel().tolist()
    if name == "sequential":
        (steps,) = rows_of(spec, "point")
        return [v["bits"] for v in steps], [_bits(x) for x in result.log_odds]
    if name == "needed_count":
        (counts,) = rows_of(spec, "line")
        return [v["bits"] for v in counts], [_bits(float(x)) for x in result.log_odds_by_k]
    if name == "tornado":
        rows = rows_of(spec, "bar")[0]
        return [(v["low"], v["high"]) for v in rows], [(r["low_shift_pp"], r["high_shift_pp"]) for r in result.rows()]
    if name == "dependence":
        rows = rows_of(spec, "bar")[0]
        return [(v["naive"], v["adjusted"]) for v in rows], [(r["naive_bits"], r["adjusted_bits"]) for r in result.rows()]
    if name == "crux":
        rows = rows_of(spec, "bar")[0]
        parts = sorted((_bits(x) for x in result.parts), key=lambda b: -abs(b))
        return [v["bits"] for v in rows], [*parts, result.total_bits]
    (forecasts,) = rows_of(spec, "point")
    return [v["bits"] for v in forecasts], [_bits(math.log(p / (1 - p))) for p in result.probabilities]


@pytest.mark.parametrize("name", list(PLOTS))
def test_charts_draw_the_results_numbers(results, name):
    result = results(name)
    spec = PLOTS[name](result)
    drawn, expected = drawn_numbers(name, spec, result)
    assert np.asarray(drawn, dtype=float) == pytest.approx(np.asarray(expected, dtype=float), rel=1e-12, abs=1e-12)
    assert readability_problems(spec) == []


def test_chart_marks_the_priors_to_compare_and_the_heat_map_has_a_gradient_legend(results):
    spec = plot_prior_robustness(prior_robustness(0.25, [3.0], compare_priors=[0.2, 0.5]))
    (priors,) = rows_of(spec, "point")
    assert [p["series"] for p in priors] == ["your prior: 25% → 50%", "other priors", "other priors"]
    r = results("data_robustness")
    (cells,) = [m for m in marks(plot_data_robustness(r)) if mark_type(m) == "rect"]
    assert cells["encoding"]["color"]["type"] == "quantitative" and cells["encoding"]["color"]["legend"]["title"]


MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF", "svg": b"<svg"}


@pytest.mark.parametrize("name", ["tornado", "data_robustness", "crux"])
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_charts_save_to_png_svg_pdf(results, fmt, name):
    head = spec_bytes(PLOTS[name](results(name)), fmt)[:400]
    if fmt == "svg":
        assert MAGIC["svg"] in head, head
    else:
        assert head.startswith(MAGIC[fmt])


def test_log10_bf_heat_map_uses_the_log_bayes_factors(results):
    r = results("data_robustness")
    (cells,) = rows_of(plot_data_robustness(r), "rect")
    np.testing.assert_allclose([c["value"] for c in cells], (r.log_bf / LN10).ravel(), rtol=1e-12)


def test_the_command_line_draws_the_apps_bayes_factor_map(tmp_path, capsys):
    """One chart per concept: `robustness F --data --plot` coloured its map by P(H | data), the app's
    pages by log10 BF.  Both now draw plot_bayes_factor_map: log10 BF in colour, P(H | data) in the tooltip."""
    from beliefs.cli import main
    from beliefs.io.scenario import scenario_to_json
    from beliefs.io.scenario_schema import Scenario

    covert = {"k": [3, 0, 5], "n": [100, 50, 200], "rate_if_h": [1, 20], "rate_if_not_h": [1, 200], "pooling": "none"}
    scn = Scenario.from_evidence(0.25, [], name="counts", models={"covert_actions": covert})
    (tmp_path / "s.json").write_text(scenario_to_json(scn), encoding="utf-8")
    assert main(["robustness", str(tmp_path / "s.json"), "--data", "--plot", str(tmp_path / "map.svg")]) == 0
    svg = (tmp_path / "map.svg").read_text(encoding="utf-8")
    assert "log10 Bayes factor (H : not H)" in svg and "log10 BF (H : not H)" in svg  # the heading, the legend
    r = data_robustness(covert["k"], covert["n"], 0.25, (1, 20), (1, 200), pooling="none")
    app = plot_data_robustness(r)  # what the Analysis page draws for the same counts and predictions
    assert spec_bytes(app, "svg") == svg.encode("utf-8")
    capsys.readouterr()


def test_posterior_heat_map_tooltip_writes_each_cell_in_the_one_probability_format():
    # Strong counts: many cells sit within 0.01% of certainty, where d3's ".4~%" would read a bare "100%".
    r = data_robustness([100, 50], [200, 100], 0.25, (1, 20), (1, 200))
    spec = plot_data_robustness(r)
    (cells,) = rows_of(spec, "rect")
    (layer,) = [m for m in marks(spec) if mark_type(m) == "rect"]
    assert {"field": "posterior_text", "type": "nominal", "title": "P(H | data)"} in layer["encoding"]["tooltip"]
    prior_log_odds = math.log(0.25 / 0.75)  # independent of update(): odds form by hand
    shown = [c["posterior_text"] for c in cells]
    assert sorted(shown) == sorted(format_probability(prior_log_odds + x) for x in r.log_bf.ravel())
    assert any(t.startswith("100% - ") for t in shown)


def test_probability_axes_read_as_percentages():
    spec = plot_prior_robustness(prior_robustness(0.25, [3.0]))
    axis = next(m for m in marks(spec) if mark_type(m) == "line")["encoding"]["x"]["axis"]
    assert all(f'"{p}"' in axis["labelExpr"] for p in ("1%", "50%", "99%")), axis["labelExpr"]
