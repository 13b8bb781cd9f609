"""Issue 15: numbers at the edges and hostile input that must *succeed*, and show the right thing.

The refusals are rows of ``test_bad_input_corpus.py``; the precision of the closed
forms is ``test_precision_mpmath.py``.  Here: what is printed for values beyond the
double range, pooling with extreme weights, plots with hostile labels and ratios,
CSV cells, terminal escapes, Markdown in untrusted text, and the link limits.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest

from beliefs.cli import main
from beliefs.format import format_odds, format_probability
from beliefs.io.csvfile import csv_cell, to_csv
from beliefs.io.scenario import get_scenario, scenario_to_json
from beliefs.odds import LN10

# -- 4. beyond the double range ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("log10_odds", "text"),
    [
        (-600, "1e-598%"),
        (600, "100% - 1e-598%"),
        (-9, "1e-07%"),
        (-1000.5, "3.16e-999%"),
        (math.log10(3), "75%"),
    ],
)
def test_probabilities_beyond_the_double_range_show_from_log_odds(log10_odds, text):
    assert format_probability(log10_odds * LN10) == text


def test_exactly_certain_only_for_infinite_log_odds_and_never_nan():
    assert format_probability(-math.inf) == "0% (certain)"
    assert format_probability(-1e6) != "0% (certain)"
    assert "nan" not in format_probability(math.nan)


def test_update_1e_minus_300_twice(capsys):
    assert main(["update", "--prior", "1e-300", "--lr", "1e-300"]) == 0
    out = capsys.readouterr().out
    assert "1e-598%" in out and "0% " not in out.replace("100% ", "")
    assert format_odds(-600 * LN10) in out


def test_minus_zero_prior_is_zero(capsys):
    assert main(["update", "--prior", "-0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["prior"] == 0 and math.copysign(1, data["prior"]) == 1


def test_app_odds_entry_is_scaled_first():
    from beliefs.entry import parse_prior_text

    assert parse_prior_text("1e308:1e308", "odds") == 0.5
    assert parse_prior_text("1e308:1e307", "odds") == pytest.approx(10 / 11, rel=1e-15)
    assert math.copysign(1, parse_prior_text("-0", "percent")) == 1


# -- 3. pooling -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "expected"),
    [("1e308,1", 0.1), ("5e-324,5e-324", 1 / 7), ("1e308,1e308", 1 / 7)],
)
def test_pool_extreme_weights(weights, expected, capsys):
    assert main(["pool", "--probs", "0.1,0.2", "--weights", weights, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pooled_probability"] == pytest.approx(expected, rel=1e-12)
    assert data["geometric_mean_odds"] == data["pooled_probability"]  # the old key, kept one release


# -- 5. no NaN on screen --------------------------------------------------------------------------------


def test_sigma_at_the_bound_gives_finite_posterior():
    from beliefs.evidence import Evidence
    from beliefs.uncertain_evidence import posterior_distribution

    dist = posterior_distribution(0.5, [Evidence("x", likelihood_ratio=2.0, log_lr_sigma=700.0)] * 40, draws=2000)
    assert math.isfinite(dist.median) and 0 <= dist.median <= 1
    assert "nan" not in format_probability(math.log(dist.median / (1 - dist.median)) if 0 < dist.median < 1 else 0.0)


def test_sensitivity_row_never_prints_nan():
    from models.sensitivity import UNDEFINED, SensitivityResult, SensitivityRow, _diagnose

    row = SensitivityRow("p_h", math.nan, math.nan, _diagnose(math.nan, math.nan, 0.05))
    assert row.diagnosis == UNDEFINED and row.flagged
    text = "\n".join(SensitivityResult((row,)).lines())
    assert "nan" not in text and "n/a" in text and " ok" not in text


# -- 8. plots with hostile labels and ratios --------------------------------------------------------------


def _scenario_file(tmp_path: Path, evidence: list[dict], title: str = "t") -> str:
    doc = json.loads(scenario_to_json(get_scenario("stated-3-to-1")))
    doc["evidence"] = evidence
    doc["title"] = title
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    return str(path)


@pytest.mark.parametrize("command", ["sequential", "tornado", "crux", "dependence"])
def test_mathtext_labels_and_extreme_ratios_plot(command, tmp_path, capsys):
    f = _scenario_file(
        tmp_path,
        [
            # The smallest ratio an item holds: the smallest normal double (below it, issue 22.14 refuses it).
            {"label": r"$\frac{1}{$", "likelihood_ratio": 2.2250738585072014e-308},
            {"label": "$x$ **b**", "likelihood_ratio": 1e308},
            {"label": "three", "likelihood_ratio": 3.0},
        ],
    )
    out = tmp_path / "plot.png"
    argv = [command, f, f] if command == "crux" else [command, f]
    assert main([*argv, "--plot", str(out)]) == 0, capsys.readouterr().err
    assert out.stat().st_size > 1000


# -- 10, 11. terminal escapes and CSV formulas -------------------------------------------------------------


def test_control_characters_are_escaped_in_human_output(tmp_path, capsys):
    f = _scenario_file(
        tmp_path,
        [{"label": "real\x1b[8m hidden", "likelihood_ratio": 3.0, "note": "bell\x07"}],
        title="posterior 99.99%\x1b[2J\u202e",
    )
    for cmd in (["scenario", "run", f], ["scenario", "show", f], ["sequential", f]):
        assert main(cmd) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, cmd
    assert main(["scenario", "show", f]) == 0
    assert "\\x1b[2J" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-0.5", "-0.5"),
        ("+3e-4", "+3e-4"),
        (-0.5, "-0.5"),
        (1e-300, "1e-300"),
        ("plain", "plain"),
        (None, ""),
    ],
)
def test_csv_cells_are_neutralised_but_numbers_untouched(value, cell):
    assert csv_cell(value) == cell
    assert next(csv.reader(io.StringIO(to_csv([[value]]), newline=""))) == [cell]


def test_cli_csv_neutralises_labels(tmp_path, capsys):
    f = _scenario_file(tmp_path, [{"label": "=HYPERLINK(\"http://x\")", "likelihood_ratio": 0.5}])
    out = tmp_path / "t.csv"
    assert main(["sequential", f, "--csv", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(), newline="")))
    cells = [c for r in rows for c in r]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(c.startswith("=") for c in cells)
    # numbers are still numbers
    assert any(c.startswith("-") and float(c) < 0 for c in cells if c[:1] == "-")


# -- 14. --overwrite replaces regular files only -----------------------------------------------------------


def test_overwrite_leaves_a_symlink_and_its_target_alone(tmp_path, capsys):
    target = tmp_path / "target.csv"
    target.write_text("keep")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert main(["pool", "--probs", "0.1,0.2", "--csv", str(link), "--overwrite"]) == 2
    assert link.is_symlink() and target.read_text() == "keep"
    plain = tmp_path / "plain.csv"
    plain.write_text("old")
    assert main(["pool", "--probs", "0.1,0.2", "--csv", str(plain), "--overwrite"]) == 0
    assert plain.read_text().startswith("kind,")


# -- 7, 13. the link decoder ----------------------------------------------------------------------------


def test_link_with_more_than_1000_parameters_warns():
    from beliefs.io.link import MAX_QUERY_PARAMS, decode

    params = {f"x{i}": "1" for i in range(MAX_QUERY_PARAMS + 1)}
    _, warnings = decode(params)
    assert any("1001 parameters" in w and "Streamlit" in w for w in warnings)
    assert len(warnings) < 10  # unknown keys are summarised, not listed one by one
    _, few = decode({"x0": "1"})
    assert not any("Streamlit" in w for w in few)


def test_item_keys_are_ascii_and_short():
    from beliefs.io.link import decode

    state, warnings = decode({"e\u00b2": "lr~2~~1~~~~~x", "e\u0661": "lr~2~~1~~~~~x", "e0": "lr~3~~1~~~~~ok"})
    assert [i.label for i in state.items] == ["ok"]
    assert len(warnings) == 2


# -- 9. Markdown in untrusted text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        "**bold**",
        "# heading",
        "$x^2$",
        "[link](https://evil.invalid)",
        "![img](https://evil.invalid/pixel.png)",
        "<img src=https://evil.invalid/x.png>",
        "<https://evil.invalid>",
        "see https://evil.invalid or www.evil.invalid",
        ":red[alarm]",
        "- list\n1. item\n> quote",
        "`code`",
        "a | b",
    ],
)
def test_plain_renders_as_typed(hostile):
    from markdown_it import MarkdownIt

    from app_pages.common import plain

    html = MarkdownIt("commonmark").render(plain(hostile))
    for tag in ("<strong", "<h1", "<a ", "<img", "<code", "<ul", "<ol", "<blockquote", "<em"):
        assert tag not in html, (hostile, html)
    assert "$x^2$" in html or "$" not in hostile
    text = html.replace("<p>", "").replace("</p>", "").replace("<br />", "").replace("&gt;", ">")
    text = text.replace("&lt;", "<").replace("&quot;", '"').replace("&amp;", "&")
    # An invisible WORD JOINER after "https:" stops Streamlit's autolinker (a backslash does not): shown as typed.
    text = text.replace("\u2060", "").rstrip("\n")
    # Untrusted text is shown on one line: a line break it holds is shown as the two characters \n.
    assert "\n" not in text and text == hostile.replace("\n", "\\n"), (hostile, text)


def test_plain_keeps_plain_messages_readable():
    from app_pages.common import plain

    assert "did you mean 0.75?" in plain("prior: got '75'; expected a probability in [0, 1] (did you mean 0.75?)")
    assert "UTF-8" in plain("a file of UTF-8 text")


def test_dropped_link_is_reported():
    from beliefs.io.link import dropped_parameters_warning

    url = "http://127.0.0.1:8501/?" + "&".join(f"e{i}=x" for i in range(1500))
    assert "1500 parameters" in dropped_parameters_warning(url, 0)
    assert dropped_parameters_warning(url, 1500) is None  # all arrived: nothing was dropped
    assert dropped_parameters_warning(None, 0) is None
