"""The Compare views page in a real browser: paste a share link, see the crux split; screenshot at 1280x900."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from beliefs.io.link import AppState, encode
from beliefs.io.scenario import get_scenario
from beliefs.io.settings import defaults
from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, require_browser, streamlit_server

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = pytest.mark.browser


def _query(name: str, **values) -> str:
    s = get_scenario(name)
    items = tuple(s.evidence_items())
    return urlencode(encode(AppState(values={**defaults(), "prior": s.prior, **values}, items=items)))


def _settled(page, timeout: float = 60_000) -> None:
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    page.wait_for_function("document.querySelectorAll('[data-stale=true]').length === 0", timeout=timeout)


def test_compare_a_pasted_share_link_in_the_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    require_browser()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "browser-compare.png"
    with streamlit_server(tmp_path / "server.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # This view: the 3-to-1 reading, opened on the Compare page from its own share link.
            page.goto(f"{url}/?{_query('report-3-to-1', view='compare')}", wait_until="domcontentloaded")
            page.wait_for_selector("text=Compare views", timeout=90_000)
            _settled(page)
            page.get_by_text("A share link", exact=True).click()
            _settled(page)
            box = page.get_by_label("Share link (the full address as copied from the address bar)")
            box.fill(f"{url}/?{_query('report-confusion')}")
            box.press("Enter")
            page.wait_for_selector("[data-testid=stMetric]", timeout=60_000)
            _settled(page)
            gap = page.locator("[data-testid=stMetric]", has_text="Gap").locator("[data-testid=stMetricValue]")
            # 3:1 against 1.5:1 from the same prior: the whole gap is one bit, in the report item
            assert gap.inner_text().strip() == "+1.000 bits"
            assert not page.locator("[data-testid=stException]").count()
            page.screenshot(path=str(shot), full_page=False)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
