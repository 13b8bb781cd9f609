"""Markdown and HTML exports: rendered by real parsers, hostile text stays text, the report restores its scenario."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.errors import InputError
from beliefs.evidence import Evidence, Provenance, Source
from beliefs.export.ledger import build_ledger, provenance_text
from beliefs.export.markdown import markdown_report
from beliefs.io.scenario import get_scenario, load_scenario, parse_scenario
from beliefs.io.scenario_schema import Scenario
from beliefs.io.views import load_view
from beliefs.tables import md_escape, one_line
from tests.cli_helpers import assert_one_line_error, run_cli

pytestmark = pytest.mark.core

markdown_it = pytest.importorskip("markdown_it")

HOSTILE = [
    "a | b",
    "line one\nline two\r\nthree",
    "[x](javascript:alert(1))",
    "<script>alert(1)</script>",
    "**bold** _em_ `code` ~~gone~~ $x^2$ &amp; &lt;",
    "\\| backslash then pipe \\",
    "# not a heading",
    "<img src=x onerror=alert(1)>",
    "\x1b[31mred\x1b[0m terminal codes",
]


def _render(markdown: str) -> str:
    return markdown_it.MarkdownIt("gfm-like").render(markdown)


class _Cells(HTMLParser):
    """Collect table rows (as cell texts), every tag, and every attribute, from rendered HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _parse(rendered: str) -> _Cells:
    p = _Cells()
    p.feed(rendered)
    return p


def _scenario(labels: list[str], **meta) -> Scenario:
    source = Source(citation="Cited | [x](javascript:1) <b>", location="p. 3\nline", status="S")
    items = [
        Evidence(label, p_e_given_h=0.5 + 0.01 * i, p_e_given_not_h=0.25, source=source)
        for i, label in enumerate(labels)
    ]
    return Scenario.from_evidence(0.25, items, name="hostile", **meta)


def test_report_3_to_1_renders_one_row_per_item_with_the_posterior():
    s = get_scenario("report-3-to-1")
    text = markdown_report(s, link="http://127.0.0.1:8501/?s=1abc")
    assert "<" not in text.replace("\\<", "")  # no raw HTML
    cells = _parse(_render(text))
    header, *rows = cells.rows
    assert header == ["#", "evidence", "P(E|H)", "P(E|not H)", "ratio", "bits", "dB", "source"]
    assert len(rows) == len(s.evidence) == 1
    assert rows[0][:7] == ["1", "A report like the 2025 anti-scheming report", "0.75", "0.25", "3:1", "+1.585", "+4.77"]
    assert "(status P, primary)" in rows[0][7]
    rendered = _render(text)
    # 25% -> 50% is odds 1:3 x 3 = 1:1 (the scenario's own stated arithmetic).
    assert "25% (odds 1:3) → <strong>50% (odds 1:1)</strong>" in rendered
    assert ('href="http://127.0.0.1:8501/?s=1abc"') in rendered


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_render_as_their_own_text(label):
    s = _scenario([label, "plain"], hypothesis=label, title=label)
    rendered = _render(markdown_report(s))
    cells = _parse(rendered)
    header, *rows = cells.rows
    assert len(rows) == 2 and all(len(r) == len(header) for r in rows)
    assert rows[0][1] == one_line(label)
    assert rows[0][7].startswith("Cited | [x](javascript:1) <b> — p. 3\\nline")  # the location's line break, shown
    # Nothing but the markup we wrote: no script, image, link or inline event handler came from the text.
    assert set(cells.tags) <= {"p", "strong", "code", "table", "thead", "tbody", "tr", "th", "td"}
    assert not any(name.startswith("on") or name == "href" for name, _ in cells.attrs)


def _a_label(text: str) -> bool:
    """Whether Evidence takes ``text`` as a label (it refuses blank and control-only ones)."""
    try:
        Evidence(text, likelihood_ratio=2.0)
    except InputError:
        return False
    return True


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=60).filter(lambda t: _a_label(t) and "://" not in t))
def test_any_label_renders_as_itself_in_one_cell(label):
    s = _scenario([label])
    cells = _parse(_render(markdown_report(s)))
    header, *rows = cells.rows
    assert len(rows) == 1 and len(rows[0]) == len(header)
    # CommonMark strips a cell's surrounding spaces and turns NUL into U+FFFD; md_escape puts an invisible
    # WORD JOINER (U+2060) where an autolink would otherwise start.
    assert rows[0][1].replace("\u2060", "") == one_line(label).replace("\x00", "\ufffd").strip()


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("see https://arxiv.org/abs/2311.08379 (p. 3)", "https://arxiv.org/abs/2311.08379"),
        ("https://example.org/a_b?x=1&y=2 then *this*", "https://example.org/a_b?x=1&y=2"),
        # An address holding markup or characters unsafe in a URL is shown as its text, and is no link.
        ("http://a.org/[x](javascript:alert(1))", None),
        ("https://a.org/p|q <b>", None),
        ("http://**EVIL**", None),
    ],
)
def test_web_addresses_stay_linkable_and_cannot_become_other_links(text, href):
    s = _scenario([text])
    cells = _parse(_render(markdown_report(s)))
    header, row = cells.rows
    assert len(row) == len(header)
    links = [v for n, v in cells.attrs if n == "href"]
    assert links == ([href] if href else [])
    assert row[1].replace("\u2060", "") == text  # exactly the text, wherever an address was


def test_the_source_address_is_linked_exactly():
    s = get_scenario("report-3-to-1")
    rendered = _render(markdown_report(s))
    assert [v for n, v in _parse(rendered).attrs if n == "href"] == ["https://arxiv.org/abs/2311.08379"]


def test_md_escape_leaves_plain_words_alone():
    assert md_escape("A report like the 2025 anti-scheming report") == "A report like the 2025 anti-scheming report"


def test_provenance_is_shown_in_words_and_says_when_the_ratio_was_edited():
    """Issue 20: a derived item exported as `derived: Provenance(assumption=...)`, and kept saying "derived"
    after its ratio was changed."""
    prov = Provenance(
        "derived from an assumed n = 316 per evaluation, pooling partial",
        "quadrature",
        "partial pooling (hierarchical beta-binomial)",
        log10_bf_range=(2.345, 93.28),
        range_over="assumed n in {100, 316, 1000} x pooling in {none, partial}",
        derived_likelihood_ratio=221.0,
    )
    derived = Evidence("covert actions (derived counts)", likelihood_ratio=221.0, provenance=prov)
    assert provenance_text(derived) == (
        "derived: assumed n = 316 per evaluation, pooling partial; quadrature; partial pooling (hierarchical "
        "beta-binomial); log10 BF range [2.345, 93.28] over assumed n in {100, 316, 1000} x pooling in {none, partial}"
    )
    edited = derived.with_(likelihood_ratio=112.0)
    assert provenance_text(edited).startswith(
        "edited: 112:1; derived value was 221:1 at assumed n = 316 per evaluation, pooling partial; quadrature"
    )
    assert provenance_text(Evidence("plain", likelihood_ratio=2.0)) == ""
    for item, words in ((derived, "derived: assumed n = 316"), (edited, "edited: 112:1; derived value was 221:1")):
        s = Scenario.from_evidence(0.25, [item], name="derived")
        markdown = markdown_report(s)
        assert words in markdown and "Provenance(" not in markdown
        assert "Provenance(" not in build_ledger(s).rows[0].source_cell


def test_disabled_items_are_rows_marked_not_counted():
    """Every number of the ledger is in the export: a disabled item too, marked as not counted."""
    s = get_scenario("report-3-to-1")
    items = [*s.evidence_items(), Evidence("off", likelihood_ratio=10.0, enabled=False)]
    s2 = Scenario.from_evidence(s.prior, items, name="with-off")
    ledger = build_ledger(s2)
    assert len(ledger.rows) == 2 and ledger.disabled == 1
    assert (ledger.rows[1].ratio, ledger.rows[1].bits, ledger.rows[1].counted) == ("10:1", "not counted", False)
    assert ledger.result.posterior == s.result().posterior


# -- command line -----------------------------------------------------------------------


def test_cli_markdown_export_of_a_share_link_matches_the_scenario():
    link = run_cli("scenario", "link", "report-3-to-1").stdout.strip()
    by_name = run_cli("export", "report-3-to-1", "--format", "markdown")
    by_link = run_cli("export", link, "--format", "markdown")
    assert by_name.returncode == by_link.returncode == 0, by_link.stderr
    assert _parse(_render(by_name.stdout)).rows == _parse(_render(by_link.stdout)).rows


def test_cli_export_refuses_a_bad_link_and_a_bad_format():
    assert_one_line_error(run_cli("export", "http://x/?prior=2", "--format", "markdown"), "SCENARIO")
    assert_one_line_error(run_cli("export", "report-3-to-1", "--format", "docx"), "--format")
    assert_one_line_error(
        run_cli("export", "report-3-to-1", "--format", "markdown", "--base", "javascript:alert(1)"), "--base"
    )


def test_cli_markdown_to_a_file_is_atomic_and_never_overwrites(tmp_path):
    out = tmp_path / "post.md"
    assert run_cli("export", "report-3-to-1", "--format", "markdown", "--output", str(out)).returncode == 0
    first = out.read_text(encoding="utf-8")
    again = run_cli("export", "stated-3-to-1", "--format", "markdown", "--output", str(out))
    assert_one_line_error(again, "--output")
    assert out.read_text(encoding="utf-8") == first
    assert run_cli("export", "stated-3-to-1", "--format", "markdown", "--output", str(out), "--overwrite").returncode == 0
    assert "stated-3-to-1" in out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]  # no temporary file left


# -- HTML report (charts need vl-convert, the [app] extra) ---------------------------------------


class _Doc(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str, str | None]] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "script":
            a = dict(attrs)
            self.scripts.append((a.get("type"), a.get("id")))


def _report(s: Scenario, **kw) -> str:
    pytest.importorskip("vl_convert")
    from beliefs.export.html import html_report

    return html_report(s, **kw)


def test_html_report_round_trips_to_the_same_scenario_and_escapes_everything():
    s = _scenario(HOSTILE, hypothesis="<script>alert('H')</script>", description="</script><b>x")
    text = _report(s, link="http://127.0.0.1:8501/?s=1abc")
    doc = _Doc()
    doc.feed(text)
    # The report's own scripts and no other: the embedded scenario and the page's numbers (data, never run),
    # then the one script of the reader's panel, which the CSP allows by its hash (tests/test_report_interactive.py).
    assert doc.scripts == [("application/json", "beliefs-scenario"), ("application/json", "beliefs-report-data"), (None, None)]
    assert not any(name.startswith("on") for name, _ in doc.attrs)
    assert "svg" in doc.tags and "img" not in doc.tags and "link" not in doc.tags
    # No address that a browser would fetch: the only URL is the share link (an <a>, fetched on click only).
    assert [v for n, v in doc.attrs if n in ("src", "href")] == ["http://127.0.0.1:8501/?s=1abc"]
    assert parse_scenario(text) == s
    assert html.escape(one_line(HOSTILE[3])) in text


def test_html_report_loads_as_a_scenario_file_and_on_the_command_line(tmp_path):
    pytest.importorskip("vl_convert")
    out = tmp_path / "report.html"
    proc = run_cli("export", "report-3-to-1", "--format", "html", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    s = get_scenario("report-3-to-1")
    assert load_scenario(out) == s
    assert load_view(str(out)).result().posterior == s.result().posterior
    run = run_cli("scenario", "run", str(out), "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["result"]["posterior"] == s.result().posterior
    assert_one_line_error(run_cli("export", "report-3-to-1", "--format", "html", "--output", str(out)), "--output")


def test_an_html_file_without_a_scenario_is_refused_by_name():
    with pytest.raises(InputError, match="a report written by `beliefs export`"):
        parse_scenario("<!doctype html><p>hello</p>")


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x1f", "\ufffe", "\uffff"])
def test_chart_survives_characters_that_abort_vl_convert(char):
    # vl-convert 1.9 aborts the process (a Rust panic) on XML-invalid text; the report must not pass it any.
    text = _report(_scenario([f"a{char}b"]))
    assert "<svg" in text and parse_scenario(text).evidence[0].label == f"a{char}b"


def test_uncertain_evidence_adds_the_posterior_distribution_chart():
    s = Scenario.from_evidence(0.25, [Evidence("uncertain 3:1", likelihood_ratio=3.0, log_lr_sigma=0.5)], name="unc")
    text = _report(s)
    captions = [c.split("</figcaption>")[0] for c in text.split("<figcaption>")[1:]]
    assert captions == [
        "Your log-odds waterfall (bits)",  # the reader's panel, drawn by the page (tests/test_report_interactive*.py)
        "Log-odds waterfall (bits)",
        "Prior and posterior",
        "Posterior as a distribution (40,000 Monte Carlo draws, seed 0)",
    ]


def test_a_thirty_item_report_stays_well_under_the_upload_limit():
    from beliefs.io.scenario import MAX_SCENARIO_BYTES
    from tests.test_shortlink import _thirty_catalogue_items

    s = _thirty_catalogue_items()
    text = _report(s)
    assert len(text.encode("utf-8")) < MAX_SCENARIO_BYTES / 4  # about 110 kB; the app takes 1 MB
    assert parse_scenario(text) == s
