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
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.odds import LN10


def lr(x, label="e", **kw):
    return Evidence(label, likelihood_ratio=x, **kw)


def all_results():
    items = [
        Evidence("report", p_e_given_h=0.75, p_e_given_not_h=0.25, id="r"),
        lr(2.0, "a", group="g", discount=0.5),
        lr(4.0, "b", group="g", discount=0.5),
    ]
    return {
        "prior_robustness": prior_robustness(0.25, items, n_points=21),
        "data_robustness": data_robustness([3, 0], [100, 50], 0.25, (1, 20), (1, 200), n_grid=5),
        "sequential": sequential(0.25, items, threshold=0.9),
        "needed_count": needed_count(30, 0.9, 0.25, (1, 20), (1, 200)),
        "tornado": tornado(0.25, items),
        "dependence": dependence(0.25, items, joint_ratios={"g": 3}),
        "crux": crux(0.25, items, 0.5, [lr(1.2, "report", id="r"), lr(0.5, "new")]),
        "pool": pool([0.1, 0.3, 0.6], [1, 2, 1], extremize=1.5),
    }


@pytest.mark.parametrize("name", list(all_results()))
def test_csv_parses_back_to_the_same_numbers(name):
    result = all_results()[name]
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


@pytest.mark.parametrize("name", list(all_results()))
def test_to_dict_is_strict_json(name):
    import json

    from beliefs.cli.output import jsonable

    json.dumps(jsonable(all_results()[name].to_dict()), allow_nan=False)


def test_importing_analysis_does_not_import_heavy_libraries():
    code = (
        "import sys, beliefs.cli.analysis_cmd\n"
        "from beliefs.analysis import crux, data_robustness, dependence, needed, pool, robustness, sequential\n"
        "from beliefs.analysis import tornado, voi\n"
        "heavy = [m for m in ('pymc', 'pytensor', 'arviz', 'matplotlib', 'streamlit') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""


def artist_counts(fig):
    ax = fig.axes[0]
    return {"lines": len(ax.lines), "patches": len(ax.patches), "collections": len(ax.collections)}


EXPECTED_ARTISTS = {
    # curve, no-evidence diagonal, the user's prior
    "prior_robustness": (plot_prior_robustness, {"lines": 3, "patches": 0, "collections": 0}),
    # the heat map and the user's choice (the colour bar is a second axes)
    "data_robustness": (plot_data_robustness, {"lines": 1, "patches": 0, "collections": 1}),
    # the posterior path and the threshold line
    "sequential": (plot_sequential, {"lines": 2, "patches": 0, "collections": 0}),
    # P(H) by k', the target, the k' found
    "needed_count": (plot_count_needed, {"lines": 3, "patches": 0, "collections": 0}),
    # two bars per input (prior + 3 items), the zero line
    "tornado": (plot_tornado, {"lines": 1, "patches": 8, "collections": 0}),
    # naive and adjusted bar per group (ungrouped + g)
    "dependence": (plot_dependence, {"lines": 1, "patches": 4, "collections": 0}),
    # prior + 4 matched/unmatched items + total
    "crux": (plot_crux, {"lines": 1, "patches": 6, "collections": 0}),
    # forecasts as one scatter, two pooled lines
    "pool": (plot_pool, {"lines": 2, "patches": 0, "collections": 1}),
}


@pytest.mark.parametrize("name", list(EXPECTED_ARTISTS))
def test_plots_draw_the_expected_artists(name):
    from matplotlib.figure import Figure

    plot, counts = EXPECTED_ARTISTS[name]
    fig = plot(all_results()[name])
    assert isinstance(fig, Figure)
    assert artist_counts(fig) == counts


def test_plot_marks_the_priors_to_compare_and_the_heat_map_has_a_colour_bar():
    with_others = plot_prior_robustness(prior_robustness(0.25, [3.0], compare_priors=[0.2, 0.5]))
    assert artist_counts(with_others)["lines"] == 4  # plus one marker line for the other priors
    r = all_results()["data_robustness"]
    assert len(plot_data_robustness(r).axes) == 2
    assert len(plot_data_robustness(r, value="log10_bf").axes) == 2


def test_plot_draws_on_a_given_axes():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert plot_pool(pool([0.2, 0.4]), ax=ax) is fig
    assert len(ax.lines) == 2


MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF", "svg": b"<svg"}


@pytest.mark.parametrize("name", ["tornado", "data_robustness", "crux"])
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_plots_save_to_png_svg_pdf(fmt, name, tmp_path):
    plot = EXPECTED_ARTISTS[name][0]
    path = tmp_path / f"{name}.{fmt}"
    plot(all_results()[name]).savefig(path)
    head = path.read_bytes()[:400]
    if fmt == "svg":
        assert MAGIC["svg"] in head, head
    else:
        assert head.startswith(MAGIC[fmt])


def test_log10_bf_heat_map_uses_the_log_bayes_factors():
    r = all_results()["data_robustness"]
    fig = plot_data_robustness(r, value="log10_bf")
    mesh = fig.axes[0].collections[0]
    np.testing.assert_allclose(np.asarray(mesh.get_array()).ravel(), (r.log_bf / LN10).ravel(), rtol=1e-12)
    with pytest.raises(InputError, match=r"^value"):
        plot_data_robustness(r, value="nope")


@pytest.mark.parametrize("name", list(EXPECTED_ARTISTS))
def test_tick_labels_are_plain_numbers_not_raw_mathtext(name):
    # Labels are drawn as plain text (untrusted input), so logit/log axes must not emit $\mathdefault{...}$.
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = EXPECTED_ARTISTS[name][0](all_results()[name])
    FigureCanvasAgg(fig).draw()
    texts = [
        t.get_text()
        for ax in fig.axes
        for t in (*ax.get_xticklabels(), *ax.get_yticklabels(), *ax.get_xticklabels(minor=True), *ax.get_yticklabels(minor=True))
    ]
    assert texts, name
    assert not [t for t in texts if "$" in t or "mathdefault" in t], texts


def test_logit_ticks_read_as_probabilities():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = plot_prior_robustness(prior_robustness(0.25, [3.0]))
    FigureCanvasAgg(fig).draw()
    shown = {t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()}
    assert {"0.01", "0.5", "0.99"} <= shown, shown
