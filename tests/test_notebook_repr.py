"""Result objects in Jupyter: ``_repr_markdown_`` and ``_repr_html_`` show readable, escaped tables."""

from __future__ import annotations

import math
from html.parser import HTMLParser
from pathlib import Path

import pytest
from scipy.special import betaln

from beliefs import Evidence, update
from beliefs.analysis.crux import crux
from beliefs.chain import chain_success
from beliefs.monitoring import monitor_risk

pytestmark = pytest.mark.core

markdown_it = pytest.importorskip("markdown_it")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.cells: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag in ("td", "th"):
            self._in = True
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.cells[-1] += data


def _both(result) -> tuple[_Text, _Text]:
    """The Markdown rendered by a GFM renderer, and the HTML, each parsed."""
    md, raw = _Text(), _Text()
    md.feed(markdown_it.MarkdownIt("gfm-like").render(result._repr_markdown_()))
    raw.feed(result._repr_html_())
    return md, raw


def test_the_3_to_1_update_shows_prior_posterior_and_its_item():
    r = update(0.5, [Evidence("A report like the 2025 anti-scheming report", p_e_given_h=0.75, p_e_given_not_h=0.25)])
    for shown in _both(r):
        assert shown.tags <= {"p", "b", "strong", "div", "table", "thead", "tbody", "tr", "th", "td"}
        cells = shown.cells
        assert cells[cells.index("posterior") + 1 : cells.index("posterior") + 3] == ["75%", "3:1"]
        assert "0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB" in cells and "+1.585" in cells


def test_hostile_labels_stay_text_in_both_forms():
    label = "<script>alert(1)</script> | [x](javascript:1)\nnext"
    r = update(0.5, [Evidence(label, likelihood_ratio=2.0)])
    for shown in _both(r):
        assert "script" not in shown.tags and "a" not in shown.tags  # no link: the label has no web address
        assert "<script>alert(1)</script> | [x](javascript:1)\\nnext" in shown.cells  # the break shown, on one line


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        # 0.98^35 = 0.4931 (the thread's chain of 35 successors).
        (chain_success(1.0, 35, per_step=0.98), f"{0.98**35:.6g}"),
        # 1 - (1 - 0.01 * (1 - 0.9))^10 = 1 - 0.999^10.
        (monitor_risk(0.01, 0.9, tasks=10), f"{1 - 0.999**10:.6g}"),
        # A 3:1 item in A against a 2:1 item in B: each item is a row of the crux table.
        (crux(0.5, [3.0], 0.5, [2.0]), "LR 3"),
    ],
)
def test_other_results_show_their_numbers(result, expected):
    md, raw = _both(result)
    assert expected in md.cells and expected in raw.cells


def test_counts_result_shows_its_bayes_factor():
    pytest.importorskip("pymc")  # models/ needs the [models] extra
    from beliefs.counts import exact_no_pooling

    r = exact_no_pooling([2], [100], 0.5, (1.0, 9.0), (1.0, 99.0))
    # Beta-binomial marginals: BF = [B(3, 107)/B(1, 9)] / [B(3, 197)/B(1, 99)] (the binomial coefficient cancels).
    bf = math.exp(betaln(3, 107) - betaln(1, 9) - betaln(3, 197) + betaln(1, 99))
    md, raw = _both(r)
    row = md.cells.index("bayes_factor")
    assert md.cells[row + 1] == f"{bf:.6g}"
    assert md.cells == raw.cells


def test_the_readme_from_python_example_prints_what_the_readme_shows(capsys):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## From Python", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) == 3
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == shown


def test_value_of_information_shows_each_observation_with_its_expected_disagreement():
    from importlib import resources

    from beliefs.analysis.voi import parse_pending, value_of_information
    from beliefs.io.views import load_view

    pending = parse_pending(resources.files("beliefs.data").joinpath("pending-2025.json").read_text())
    r = value_of_information(load_view("report-3-to-1"), load_view("report-confusion"), pending)
    md, raw = _both(r)
    assert md.cells == raw.cells
    for o in r.observations:
        row = md.cells.index(o.label)
        assert f"{o.expected_disagreement_bits:.6g}" in md.cells[row : row + 12]
    # Records inside a row read as "name = value", not as Python reprs.
    assert not any("{" in c for c in md.cells)
