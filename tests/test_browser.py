"""One real browser: a streamlit server and headless Chromium, keyboard on the prior slider."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, require_browser, streamlit_server

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``streamlit run app.py`` on a free local port; terminated at teardown whatever happens."""
    require_browser()
    with streamlit_server(tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


def _settled(page, timeout: float = 60_000) -> None:
    """Wait until the script run has finished and no element is stale (else we would see the previous run)."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    page.wait_for_function("document.querySelectorAll('[data-stale=true]').length === 0", timeout=timeout)


def _posterior(page) -> str:
    metric = page.locator("[data-testid=stMetric]", has_text="Posterior P(H)")
    return metric.locator("[data-testid=stMetricValue]").inner_text().strip()


def test_slider_moved_with_the_keyboard_changes_the_posterior(server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            # A share link: prior 50%, the stated 3-to-1 item.
            page.goto(f"{server}/?e0=p~0.75~0.25~1~~~~~stated%203-to-1", wait_until="domcontentloaded")
            page.wait_for_selector("[data-testid=stMetric]", timeout=90_000)
            _settled(page)
            assert _posterior(page) == "75%"
            assert "0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB" in page.inner_text("body")

            # The thumb is a visually hidden <input type=range> (react-aria) that takes the keyboard.
            thumb = page.locator("[data-testid=stSlider]", has_text="P(H) before the evidence").locator(
                "input[type=range]"
            )
            thumb.focus()
            page.keyboard.press("ArrowRight")  # one step: 50.0% -> 50.1%
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=stMetric]')]"
                ".some(m => m.innerText.includes('Posterior P(H)') && !m.innerText.includes('\\n75%'))",
                timeout=60_000,
            )
            _settled(page)
            shown = _posterior(page)
            # prior 50.1% with LR 3: odds 3 * 0.501/0.499 -> 75.07%
            expected = 3 * 0.501 / 0.499 / (1 + 3 * 0.501 / 0.499)
            assert re.fullmatch(r"[0-9.]+%", shown), shown
            assert float(shown[:-1]) / 100 == pytest.approx(expected, rel=5e-4)
            assert "prior=0.501" in page.url  # the address bar is the share link
            page.screenshot(path=str(ARTIFACTS / "browser-update.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "browser-update.png").stat().st_size > 10_000
