"""The interactive HTML report's structure (issue 23.1), without a browser.

The page's CSP is strict (``default-src 'none'``, the one script and the one style sheet allowed by
their hashes, no ``unsafe-inline``/``unsafe-eval``), the hashes are those of the bodies in the file,
the file has exactly the scripts the report writes (the scenario, the page's data, its code), the
weights in the page are update()'s own, and the largest built-in's report is within the 1.5 MB budget
the README states.  Chromium's check of the numbers is tests/test_report_interactive_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import cache
from pathlib import Path

import pytest

from beliefs.export import embed, interactive
from beliefs.export.ledger import build_ledger
from beliefs.io.scenario import parse_scenario
from tests.report_reader import ledger_scenario, posterior_gap, scenarios

pytest.importorskip("vl_convert")

ROOT = Path(__file__).resolve().parent.parent


@cache
def report(name: str) -> str:
    from beliefs.export.html import html_report

    s = scenarios()[name]
    return html_report(s, link=f"http://127.0.0.1:8501/?s=1{name}")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _csp(page: str) -> dict[str, list[str]]:
    content = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page).group(1)
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in content.split(";")) if d}


def test_the_csp_is_strict_and_its_hashes_are_the_bodies_in_the_file():
    page = report("reader-ledger")
    csp = _csp(page)
    assert csp["default-src"] == ["'none'"]
    assert not any(s in page[: page.index("</head>")] for s in ("unsafe-inline", "unsafe-eval", "unsafe-hashes"))
    scripts = [(dict(a), body) for a, body in embed._scripts(page)]
    kinds = [(a.get("type"), a.get("id")) for a, _ in scripts]
    # Exactly the report's own: two data blocks (never run) and one script, which the CSP names by hash.
    assert kinds == [("application/json", embed.SCENARIO_ID), ("application/json", interactive.DATA_ID), (None, None)]
    assert csp["script-src"] == [_sha256(scripts[2][1])]
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(styles) == 1 and csp["style-src"] == [_sha256(styles[0])]
    assert page.count("<style") == 1 and " style=" not in page  # an inline style attribute would be refused
    assert parse_scenario(page) == ledger_scenario()


def test_the_page_uses_update_s_own_weights_and_log_ratios_in_ledger_order():
    s = ledger_scenario()
    result = s.result()
    data = interactive.page_data(build_ledger(s), "https://example.org/beliefs/?s=1x")
    assert [i["index"] for i in data["items"]] == [0, 1, 3, 4]  # the disabled item (2) is not an input
    assert [i["weight"] for i in data["items"]] == [c.discount for c in result.items] == [1.0, 0.5, 0.5, 1.0]
    assert [i["log_lr"] for i in data["items"]] == [c.log_lr for c in result.items]
    assert data["prior_log_odds"] == result.prior_log_odds
    assert data["link"] == {"base": "https://example.org/beliefs/", "local": False, "version": "2",
                            "max": data["link"]["max"]}  # fmt: skip
    assert interactive.page_data(build_ledger(s), "http://127.0.0.1:8501/?s=1x")["link"]["local"]
    assert interactive.page_data(build_ledger(s), "")["link"]["base"] == ""


def test_the_reader_inputs_follow_the_contract():
    page = report("reader-ledger")
    inputs = re.findall(r'<input [^>]*data-beliefs="([^"]+)"', page)
    assert inputs == ["prior", "lr-0", "lr-1", "lr-2", "lr-3"]
    assert page.count('data-beliefs="posterior"') == 1
    # Untrusted labels are text: the <script> in a label is escaped where the panel shows it.
    panel = page[page.index('id="reader"') : page.index("</section>")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel and "<script>" not in panel


def test_every_built_in_report_is_within_the_size_budget_stated_in_the_readme():
    sizes = {name: len(report(name).encode("utf-8")) for name in scenarios()}
    assert max(sizes.values()) <= interactive.MAX_BYTES, sizes
    assert "1.5 MB" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_posterior_gap_judges_every_printed_digit():
    import math

    x = math.log(3)  # 75%
    assert posterior_gap("75.00%", x) < 1e-9
    assert posterior_gap("75.01%", x) == pytest.approx(1.0)
    with pytest.raises(AssertionError):
        posterior_gap("75%", x)  # fewer than four significant digits
    assert posterior_gap("100% - 1.000e-8%", 10 * math.log(10)) < 0.01
    assert json.dumps(posterior_gap("0% (certain)", -math.inf)) == "0.0"
