"""The Update view's export box: the Markdown to copy, the short link, and an HTML report that loads back."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from beliefs.io.scenario import get_scenario, parse_scenario
from beliefs.io.shortlink import open_link
from beliefs.io.state import scenario_from_state, state_from_scenario

APP = Path(__file__).resolve().parent.parent / "app.py"


@pytest.fixture(scope="module")
def loaded():
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.button(key="preset_report-3-to-1").click().run()
    assert not at.exception
    assert not at.code  # closed, the export box draws nothing (its content is built on opening)
    at.session_state["open_export"] = True  # what a click on the expander does: open, rerun
    at.run()
    assert not at.exception
    return at


def test_markdown_box_holds_the_ledger_and_a_short_link_that_restores_it(loaded):
    codes = [c.value for c in loaded.code]
    markdown = next(c for c in codes if "(beliefs scenario `report-3-to-1`)" in c)
    assert "| 1 | A report like the 2025 anti-scheming report | 0.75 | 0.25 | 3:1 | +1.585 | +4.77 |" in markdown
    assert "**Prior → posterior:** 25% (odds 1:3) → **50% (odds 1:1)**" in markdown
    link = next(c for c in codes if c.startswith("?s=2"))
    state, warnings = open_link({"s": link.removeprefix("?s=")})
    assert warnings == []
    assert scenario_from_state(state) == get_scenario("report-3-to-1")  # the whole scenario: notes, title, H


def test_an_html_report_uploads_back_to_the_same_ledger():
    pytest.importorskip("vl_convert")
    from beliefs.export.html import html_report

    s = get_scenario("report-3-to-1")
    state = state_from_scenario(parse_scenario(html_report(s).encode("utf-8")))
    assert scenario_from_state(state) == s
