"""Charts of the Update page: what is drawn equals hand-worked numbers, and the files are real files.

Every chart is a Vega-Lite spec (see beliefs.plots); the checks read the spec's data and encodings.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.format import format_interval, format_probability
from beliefs.io.csvfile import to_csv
from beliefs.odds import log_odds
from beliefs.plots.curves import curve_rows, plot_curve
from beliefs.plots.figures import FORMATS, spec_bytes
from beliefs.plots.update import (
    plot_prior_posterior,
    prior_posterior_rows,
    waterfall_layout,
    waterfall_rows,
    waterfall_spec,
    waterfall_values,
)
from beliefs.uncertain_evidence import distribution_rows, plot_posterior_distribution
from beliefs.update import update
from tests.chart_checks import colour_scale, marks, svg_texts

STATED = Evidence("stated 3-to-1", p_e_given_h=0.75, p_e_given_not_h=0.25)
HALVING = Evidence("halving", likelihood_ratio=0.5)


@pytest.fixture
def result():
    return update(0.25, [STATED, HALVING])


def _chart(spec):
    """The waterfall's one data-carrying layer (its data sit there, not at the top; see waterfall_spec)."""
    (chart,) = spec["layer"]
    return chart


def _spec_rows(spec):
    return [(v["kind"], v["start_bits"], v["end_bits"]) for v in _chart(spec)["data"]["values"]]


def test_waterfall_spec_bars_are_the_hand_worked_log_odds(result):
    # prior 1:3 = -log2(3) bits; +log2(3) -> 0 bits (1:1); -1 bit -> 1:2; posterior -1 bit.
    b3 = math.log2(3)
    expected = [
        ("prior / posterior", -b3, -b3),
        ("for H", -b3, 0.0),
        ("against H", 0.0, -1.0),
        ("prior / posterior", -1.0, -1.0),
    ]
    drawn = _spec_rows(waterfall_spec(result))
    assert [d[0] for d in drawn] == [e[0] for e in expected]
    for (_, s0, e0), (_, s1, e1) in zip(drawn, expected, strict=True):
        assert (s0, e0) == pytest.approx((s1, e1), abs=1e-12)


def test_waterfall_spec_shows_a_50_percent_posterior_and_percent_ticks():
    from beliefs.plots.palette import AGAINST_H, FOR_H, LEVEL

    spec = waterfall_spec(update(0.25, [STATED]))
    post = _chart(spec)["data"]["values"][-1]
    assert post["name"] == "posterior" and post["end_bits"] == 0.0 and post["value"] == "50%"
    # The posterior is drawn as a point mark (visible at 0 bits), not as a zero-height bar.
    point = next(layer for layer in _chart(spec)["layer"] if layer["mark"]["type"] == "point")
    assert "prior / posterior" in point["transform"][0]["filter"]
    axis = next(layer for layer in _chart(spec)["layer"] if layer["mark"]["type"] == "bar")["encoding"]["x"]["axis"]
    # Ticks sit at round probabilities: 25%, 30%, 40%, 45%, 50%, labelled in the page's own words.
    assert [round(100 / (1 + 2 ** -t), 6) for t in axis["values"]][:2] == [25.0, 30.0]
    assert '"25%"' in axis["labelExpr"] and '"50%"' in axis["labelExpr"]
    # Rows in the ledger's order, top to bottom, each label above its bar; one y scale (pixels from the top).
    rows = _chart(spec)["data"]["values"]
    assert [v["row"] for v in rows] == [0, 1, 2]
    assert all(a["y_bar"] < b["y_label"] for a, b in itertools.pairwise(rows))
    assert all(v["y_label"] < v["y_lane0_top"] < v["y_bar"] < v["y_lane0_bottom"] for v in rows)
    scales = {json.dumps(m["encoding"]["y"]["scale"]) for m in marks(spec) if "y" in m["encoding"]}
    assert len(scales) == 1
    # The legend names what is drawn: no bar against H here.
    assert colour_scale(spec) == {"for H": FOR_H, "prior / posterior": LEVEL}
    assert colour_scale(waterfall_spec(update(0.25, [STATED, HALVING]))) == {
        "for H": FOR_H, "against H": AGAINST_H, "prior / posterior": LEVEL}


def test_waterfall_data_are_separable_from_its_layout(result):
    # The HTML report redraws the waterfall for a reader's numbers from new rows alone.
    values = waterfall_values(result)
    assert waterfall_layout(values) == waterfall_spec(result)
    # The chart's rows are these, with their places on the page (y_*: pixels from the top) added.
    drawn = _chart(waterfall_spec(result))["data"]["values"]
    assert [{k: v for k, v in row.items() if not k.startswith("y_")} for row in drawn] == values
    assert [v["label"] for v in values] == [["prior"], ["1. stated 3-to-1"], ["2. halving"], ["posterior"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_waterfall_downloads_are_the_same_spec_rendered(result, fmt):
    data = spec_bytes(waterfall_spec(result, width=500), fmt)
    if fmt == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    elif fmt == "svg":
        root = ET.fromstring(data)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        texts = svg_texts(data)
        assert "posterior" in texts and "33.33%" in texts  # the same text as on screen
        assert 'width="' in data.decode()[:200]
    else:
        assert data.startswith(b"%PDF-")
    assert data == spec_bytes(waterfall_spec(result, width=500), fmt)  # the same bytes on every save


def test_waterfall_rows_and_csv(result):
    rows = waterfall_rows(result)
    assert rows[0] == [
        "step",
        "label",
        "start_bits",
        "end_bits",
        "change_bits",
        "change_db",
        "probability_after",
    ]
    assert [r[1] for r in rows[1:]] == ["prior", "stated 3-to-1", "halving", "posterior"]
    assert [r[6] for r in rows[1:]] == pytest.approx([0.25, 0.5, 1 / 3, 1 / 3], rel=1e-13)
    assert rows[2][5] == pytest.approx(10 * math.log10(3), rel=1e-13)  # 4.77 dB
    parsed = list(csv.reader(io.StringIO(to_csv(rows))))
    assert parsed[0] == rows[0]
    for got, want in zip(parsed[1:], rows[1:], strict=True):
        assert got[:2] == want[:2]
        # repr() in the CSV keeps every digit: parsing gives back the same doubles
        assert [float(x) for x in got[2:]] == want[2:]


@settings(max_examples=30, deadline=None)
@given(
    st.floats(min_value=1e-6, max_value=1 - 1e-6),
    st.lists(st.floats(min_value=1e-4, max_value=1e4), min_size=0, max_size=6),
)
def test_waterfall_telescopes_to_the_posterior(prior, ratios):
    r = update(prior, ratios)
    rows = waterfall_rows(r)[1:]
    # Each bar starts where the previous ended, and the last item ends at the posterior.
    for prev, cur in itertools.pairwise(rows[:-1]):
        assert cur[2] == prev[3]
    last_item_end = rows[-2][3]
    assert last_item_end == pytest.approx(math.log2(r.posterior_odds), rel=1e-9, abs=1e-9)
    assert rows[-1][3] == pytest.approx(
        math.log2(prior / (1 - prior)) + sum(math.log2(x) for x in ratios), abs=1e-9
    )


def test_certain_prior_has_no_spec_and_no_nan():
    r = update(1.0, [STATED])
    assert waterfall_spec(r) is None  # the app shows r.note (Cromwell's rule) instead
    assert "Cromwell" in r.note
    rows = waterfall_rows(r)
    assert rows[-1][6] == 1.0 and math.isinf(rows[-1][3])
    assert not any(isinstance(x, float) and math.isnan(x) for row in rows for x in row)


def test_prior_posterior_rows(result):
    rows = prior_posterior_rows(result)
    assert rows[1][:3] == ["prior", 0.25, "1:3"]
    assert rows[2][0] == "posterior" and rows[2][1] == pytest.approx(1 / 3, rel=1e-14) and rows[2][2] == "1:2"
    spec = plot_prior_posterior(result)
    drawn = [v["p"] for v in _chart(spec)["data"]["values"]]
    assert drawn == pytest.approx([0.25, 1 / 3], rel=1e-14)


def test_distribution_rows_hand_example():
    rows = distribution_rows([0.05, 0.15, 0.15, 0.95], bins=10)
    counts = [r[2] for r in rows[1:]]
    assert counts == [1, 2, 0, 0, 0, 0, 0, 0, 0, 1]
    # density integrates to one
    assert sum(r[3] * (r[1] - r[0]) for r in rows[1:]) == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("bad", [[], [0.5, 1.5], [np.nan], [-0.1]])
def test_distribution_rejects_non_probabilities(bad):
    with pytest.raises(InputError, match=r"^samples: got"):
        distribution_rows(bad)


def test_posterior_distribution_plot_shows_the_library_summaries():
    from beliefs.uncertain_evidence import posterior_distribution

    e = Evidence("x", likelihood_ratio=3.0, log_lr_sigma=0.8)
    dist = posterior_distribution(0.5, [e], draws=20_000, seed=3, threshold=0.6, interval=0.8)
    labels = list(colour_scale(plot_posterior_distribution(dist)))
    # The same text as the app prints beside the chart (format.py, from the log-odds).
    lo, hi = dist.interval
    assert f"80% interval {format_interval(lo, hi)}" in labels
    assert f"median {format_probability(log_odds(dist.median))}" in labels
    assert f"P(> 60%) = {format_probability(log_odds(dist.p_above_threshold))}" in labels
    # Independent oracle: ln LR ~ N(ln 3, 0.8) on even odds, so the median is 3/4 and
    # P(posterior > 0.6) = P(Z > (ln 1.5 - ln 3) / 0.8).
    from scipy import stats

    assert dist.median == pytest.approx(0.75, abs=0.01)
    assert dist.p_above_threshold == pytest.approx(
        stats.norm.sf((math.log(1.5) - math.log(3)) / 0.8), abs=0.01
    )


def test_posterior_distribution_plot_from_plain_samples():
    rng = np.random.default_rng(7)
    samples = rng.beta(2.0, 2.0, 5000)
    labels = list(colour_scale(plot_posterior_distribution(samples, threshold=0.5, interval=0.5)))
    # Beta(2, 2) is symmetric: median 0.5, P(> 0.5) = 0.5, quartiles 0.3264 and 0.6736.
    assert any(lab.startswith("median 50") or lab.startswith("median 49") for lab in labels)
    interval = next(lab for lab in labels if lab.startswith("50% interval "))
    q = [float(x.strip(" %")) / 100 for x in interval.removeprefix("50% interval ").split("–")]
    assert q == pytest.approx([0.3264, 0.6736], abs=0.015)


def test_curve_rows_and_plot():
    x = np.arange(4)
    y = 0.98**x
    rows = curve_rows(x, y, y - 0.01, y + 0.01, names=("steps", "p", "lo", "hi"))
    assert rows[0] == ["steps", "p", "lo", "hi"]
    assert rows[3] == [2.0, 0.98**2, 0.98**2 - 0.01, 0.98**2 + 0.01]
    spec = plot_curve(x, y, y - 0.01, y + 0.01, xlabel="steps", label="mean", band_label="band")
    np.testing.assert_array_equal([v["y"] for v in _chart(spec)["data"]["values"]], y)
    assert list(colour_scale(spec)) == ["mean", "band"]
    with pytest.raises(InputError, match="equal length"):
        curve_rows([1, 2], [1])


@pytest.mark.parametrize("fmt", FORMATS)
def test_chart_files_are_real_files_and_reproducible(result, fmt):
    data = spec_bytes(plot_prior_posterior(result), fmt)
    again = spec_bytes(plot_prior_posterior(result), fmt)
    assert data == again  # no timestamps, one font: the same chart gives the same file
    if fmt == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    elif fmt == "svg":
        root = ET.fromstring(data)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    else:
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def test_spec_bytes_rejects_unknown_format(result):
    with pytest.raises(InputError, match=r"^format: got 'jpg'; expected one of png, svg, pdf"):
        spec_bytes(plot_prior_posterior(result), "jpg")


def test_the_chart_modules_and_the_waterfall_load_no_chart_library():
    # Each chart imports Altair when it is drawn; the waterfall, on the app's first page, never (0.4 s).
    code = (
        "import sys, beliefs.plots.update, beliefs.plots.figures, beliefs.plots.curves, beliefs.plots.style, "
        "beliefs.counts, beliefs.analysis.tornado\n"
        "from beliefs.update import update\n"
        "beliefs.plots.update.waterfall_spec(update(0.25, [3.0]))\n"
        "print(sorted(m for m in ('altair', 'vl_convert', 'matplotlib', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_hostile_label_reaches_vl_convert_only_as_xml_safe_text():
    # vl-convert 1.9 aborts the whole process on XML-forbidden characters: in the app that would take the
    # server down for every session.  Run in a subprocess so a regression fails this test, not pytest itself.
    import subprocess
    import sys

    code = (
        "from beliefs.plots.figures import spec_bytes\n"
        "from beliefs.plots.update import waterfall_spec\n"
        "from beliefs.evidence import Evidence\n"
        "from beliefs.update import update\n"
        "e = Evidence(likelihood_ratio=3.0, label='a\\x1b[8m\\x00b\\uffff')\n"
        "spec = waterfall_spec(update(0.25, [e]))\n"
        "for fmt in ('svg', 'png', 'pdf'):\n"
        "    assert spec_bytes(spec, fmt)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_labels_are_drawn_as_plain_text():
    # Vega draws text as text: no mathtext, no markup; $\frac{1}{$ and <b> reach the file as typed.
    label = "$\\frac{1}{$ <b>x</b> **y**"
    svg = spec_bytes(waterfall_spec(update(0.25, [Evidence(label, likelihood_ratio=3.0)])), "svg").decode()
    assert f"1. {label}" in svg_texts(svg)


@pytest.mark.parametrize(("ratio", "colour"), [(3.0, "FOR_H"), (1 / 3, "AGAINST_H"), (1.0, "LEVEL")])
def test_prior_posterior_bar_takes_the_colour_of_the_net_evidence(ratio, colour):
    from beliefs.plots import palette

    spec = plot_prior_posterior(update(0.25, [ratio]))
    prior, posterior = (v["series"] for v in _chart(spec)["data"]["values"])
    assert colour_scale(spec)[prior] == palette.NEUTRAL
    assert colour_scale(spec)[posterior] == getattr(palette, colour)


def test_every_colour_comes_from_the_palette():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    hex_colour = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}\b")  # #ddd as well as #dddddd
    sources = [*root.glob("beliefs/**/*.py"), *root.glob("app_pages/*.py"), root / "app.py"]
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sources
        if path.name != "palette.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if hex_colour.search(line)
    ]
    assert len(sources) > 20 and found == []


def test_prior_posterior_text_keeps_extreme_probabilities_apart_from_certainty():
    # 1e-12 times LR 1e24 = odds 1e12: P(H) = 1 - 1/(1 + 1e12), 1e-10 % short of 100% (by hand).
    spec = plot_prior_posterior(update(1e-12, [1e24]))
    texts = [v["text"] for v in _chart(spec)["data"]["values"]]
    assert texts == ["prior: 1e-10% (odds 1:1e12)", "posterior: 100% - 1e-10% (odds 1e12:1)"]


def test_a_band_of_no_width_is_neither_drawn_nor_named():
    # A point estimate of s: the chain's interval is the mean itself; the legend named an interval nobody saw.
    x = np.arange(5)
    y = 0.9**x
    assert list(colour_scale(plot_curve(x, y, y, y, label="mean", band_label="90% interval"))) == ["mean"]
    assert list(colour_scale(plot_curve(x, y, y - 0.01, y, label="mean", band_label="90% interval"))) == [
        "mean", "90% interval"]  # fmt: skip
