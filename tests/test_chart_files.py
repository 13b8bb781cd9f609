"""Charts through the user's doors: the command line's ``--plot`` files, the HTML report and the app.

Issue 24.5: every chart is drawn by the browser from a Vega-Lite spec and its files hold their text
whole (the exported waterfall cut "1. A report like the 2...", the tornado's legend read "high end of
its rang"), at 11 px or more.  Issue 22.5: a prior of 5e-324 on the Analysis view crashed the app, and
``robustness F --plot x.png`` with a prior at or below 1e-250 ended in ``internal error
(OverflowError)``: every chart now draws there, or is refused with a one-line message.

Only the command line and AppTest drive the code here (the SVG readers come from tests/chart_checks.py):
run with those two readers inlined, 10 of its then 24 tests failed on b19b1bb, the commit before the new stack
(the robustness plot at priors of 1e-250 and below, four tests; the three file-text tests; the app at 5e-324
on Analysis and on Compare; the Compare charts shown as pictures).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.chart_checks import svg_font_sizes as _font_sizes
from tests.chart_checks import svg_texts as _texts
from tests.cli_helpers import run_cli, run_cli_in_process
from tests.test_app import new_app

ROOT = Path(__file__).resolve().parent.parent
STATED = "A report like the 2025 anti-scheming report"  # the built-in 3-to-1 item


def _scenario(tmp_path: Path, prior: str, name: str = "stated-3-to-1") -> Path:
    """A built-in scenario with its prior replaced (written as JSON text, so 5e-324 stays 5e-324)."""
    text = (ROOT / "beliefs" / "data" / f"scenario-{name}.json").read_text(encoding="utf-8")
    text = re.sub(r'"prior": [0-9.e-]+', f'"prior": {prior}', text, count=1)
    path = tmp_path / f"{name}-{prior}.json"
    path.write_text(text, encoding="utf-8")
    return path


# -- issue 22.5: the command line draws at the extremes, or says why not in one line ----------------------

COMMANDS = {
    "robustness": ["robustness"],
    "sequential": ["sequential"],
    "tornado": ["tornado", "--mode", "stated"],
    "dependence": ["dependence"],
}


@pytest.mark.parametrize("prior", ["1e-250", "5e-324", "0.9999999999999999"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_plot_is_written_at_an_extreme_prior_or_refused_in_one_line(command, prior, tmp_path):
    scenario, plot = _scenario(tmp_path, prior), tmp_path / "x.png"
    # In process (the renderer starts once for the 12 cases); the process boundary: the 1e-250 test below.
    proc = run_cli_in_process(*COMMANDS[command], str(scenario), "--plot", str(plot))
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode == 0:
        assert plot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    else:  # a refusal is a one-line message naming the prior, and nothing is written
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "prior" in proc.stderr and not plot.exists()


def test_robustness_plots_a_prior_of_1e_250(tmp_path):
    # The issue's own case: matplotlib's logit axis overflowed at or below 1e-250.
    scenario, plot = _scenario(tmp_path, "1e-251"), tmp_path / "r.svg"
    proc = run_cli("robustness", str(scenario), "--plot", str(plot))
    assert proc.returncode == 0, proc.stderr
    assert "your prior: 1e-249% → 3e-249%" in _texts(plot.read_bytes())


# -- issue 24.5: the files hold their text whole, at 11 px or more ---------------------------------------


def test_the_stated_tornado_file_has_its_whole_legend_and_labels_as_text(tmp_path):
    plot = tmp_path / "t.svg"
    proc = run_cli_in_process("tornado", "rare-scheming", "--mode", "stated", "--plot", str(plot))
    assert proc.returncode == 0, proc.stderr
    texts = _texts(plot.read_bytes())
    assert {"low end of its range", "high end of its range", "item left out"} <= set(texts), texts
    assert " ".join(texts).count("A report like the 2025 anti-scheming report (rare-scheming reading)") == 1
    assert min(_font_sizes(plot.read_bytes())) >= 11


def test_the_reports_waterfall_holds_the_whole_label(tmp_path):
    report = tmp_path / "r.html"
    proc = run_cli_in_process("export", "rare-scheming", "--format", "html", "--output", str(report))
    assert proc.returncode == 0, proc.stderr
    html = report.read_text(encoding="utf-8")
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    words = " ".join(_texts(svg.encode()))
    assert "1. A report like the 2025 anti-scheming report (rare-scheming reading)" in words, words
    assert "…" not in words
    assert min(_font_sizes(svg.encode())) >= 11


def test_crux_file_names_each_part_whole(tmp_path):
    plot = tmp_path / "c.svg"
    proc = run_cli_in_process("crux", "rare-scheming", "miri-ish", "--plot", str(plot))
    assert proc.returncode == 0, proc.stderr
    words = " ".join(_texts(plot.read_bytes()))
    assert "A report like the 2025 anti-scheming report (rare-scheming reading)" in words, words
    assert min(_font_sizes(plot.read_bytes())) >= 11


# -- the app: the browser draws every chart; a prior of 5e-324 draws or is refused, never a crash -----------


@pytest.mark.parametrize("view", ["update", "analysis", "compare"])
def test_the_app_draws_or_refuses_a_prior_of_5e_324(view):
    at = new_app({"view": view, "prior": "5e-324", "e0": "lr~3~~1~~~~~a"})
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    charts = at.get("vega_lite_chart")
    assert charts or any("prior" in e for e in errors), errors
    if view == "analysis" and charts:  # sequential, robustness, tornado and crux (no data, no groups yet)
        assert len(charts) >= 4


def test_the_compare_views_charts_are_drawn_by_the_browser_with_a_legend_for_every_colour():
    at = new_app({"view": "compare"})
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("image"), "a chart shown as a picture (its text shrinks with it)"
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    titles = [" ".join(s["title"]["text"]) for s in specs]
    settle = next(s for s, t in zip(specs, titles, strict=True) if t.startswith("What would settle it"))
    text = json.dumps(settle)
    assert "expected to narrow the disagreement" in text and '"legend": {"title"' in text
