"""The HTML report in headless Chromium with the network cut: it shows the posterior and a drawn chart,
and asks for nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, require_browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = pytest.mark.browser


def test_report_opens_offline_with_the_posterior_and_a_drawn_chart(tmp_path):
    pytest.importorskip("vl_convert")
    require_browser()
    from playwright.sync_api import sync_playwright

    report = tmp_path / "report-3-to-1.html"
    proc = run_cli("export", "report-3-to-1", "--format", "html", "--output", str(report))
    assert proc.returncode == 0, proc.stderr
    requests: list[str] = []

    def refuse(route):
        # Every request is recorded; only the report file itself is served, anything else fails.
        requests.append(route.request.url)
        if route.request.url == report.as_uri():
            route.continue_()
        else:
            route.abort("internetdisconnected")

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1100, "height": 1400})
            context.route("**/*", refuse)
            page = context.new_page()
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            headline = page.inner_text("#posterior")
            assert "Prior 25% (odds 1:3) → posterior 50% (odds 1:1)" in headline
            # The waterfall is drawn: a bar for the one item, and the prior and posterior as points.
            svg = page.locator("figure.chart svg").first
            assert svg.locator("[role=graphics-symbol][aria-roledescription=bar]").count() == 1
            assert svg.locator("[role=graphics-symbol][aria-roledescription=point]").count() == 2
            box = page.locator("figure.chart > svg").first.bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 100  # one item: a short horizontal chart
            # The app's prior/posterior bars come second (vl-convert's SVG of the same spec).
            assert page.locator("figure.chart").count() == 2
            assert page.locator("figure.chart").nth(1).locator("path").count() > 10
            assert page.locator("table.ledger tbody tr").count() == 1
            page.screenshot(path=str(ARTIFACTS / "report-offline.png"), full_page=True)
        finally:
            browser.close()
    assert requests == [report.as_uri()], requests
