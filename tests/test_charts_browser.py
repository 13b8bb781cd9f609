"""Every view's charts in headless Chromium at 1280x900 and 390x844: no text under 11 px, no chart text cut.

Issue 24.5: Compare's crux and "What would settle it" labels were about 5 px tall at 1280 px (PNGs
scaled into half a column).  Now the browser draws each chart from its Vega-Lite spec (SVG, so its text is
text): every visible text on the page, chart text included, is measured as the browser lays it out,
and each chart's text must lie inside the chart and the chart inside the screen.

Screenshots (full page, one per view or tab and size) go to tests/artifacts/charts-*.png (git-ignored).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from beliefs.evidence import Evidence
from beliefs.io.link import AppState, encode
from beliefs.io.settings import defaults
from tests.test_browser_app import _new_page, _ran_nothing, browser, server  # noqa: F401 - one server and one Chromium per module
from tests.test_browser_app import _settled as run_settled

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
MIN_PX = 11

pytestmark = pytest.mark.browser

# A ledger with the built-ins' longest label, an uncertain item (the posterior-distribution chart) and a
# dependence group (the dependence chart), from a 25% prior.
LEDGER = (
    Evidence("A report like the 2025 anti-scheming report (rare-scheming reading)", p_e_given_h=0.75,
             p_e_given_not_h=0.25, id="report_2025"),
    Evidence("Sandbagging QA (no goal): misaligned reasons in the ablations", likelihood_ratio=0.5,
             log_lr_sigma=0.6, group="lab", discount=0.5),
    Evidence("Covert actions persist in production-like traffic", likelihood_ratio=2.0, group="lab", discount=0.5),
)  # fmt: skip


def _query(view: str) -> str:
    return urlencode(encode(AppState(values={**defaults(), "prior": 0.25, "view": view}, items=LEDGER)))


# What a reader sees: every visible text node with its size on screen, and every chart text outside its chart.
_MEASURE = """
(minPx) => {
  const small = [], outside = [], cut = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || parseFloat(style.opacity) === 0) continue;
    if (el.closest('[aria-hidden=true]')) continue;
    let size = parseFloat(style.fontSize);
    if (el instanceof SVGElement && el.getScreenCTM) {
      const m = el.getScreenCTM();
      size *= Math.sqrt(m.a * m.a + m.b * m.b);
    }
    if (size < minPx - 0.01) small.push([node.textContent.trim().slice(0, 60), el.tagName, size]);
  }
  for (const svg of document.querySelectorAll('[data-testid=stVegaLiteChart] svg')) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.left < -1 || box.right > window.innerWidth + 1) outside.push(['the chart', box.left, box.right]);
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1) outside.push([t.textContent.slice(0, 60), r.left, r.right]);
      if (t.textContent.endsWith('…')) cut.push(t.textContent);
    }
  }
  return {small, outside, cut, charts: document.querySelectorAll('[data-testid=stVegaLiteChart] svg').length};
}
"""


def _settled(page, timeout: float = 90_000, *, runs: bool = True) -> None:
    """The run is over, nothing is stale, and Vega has drawn every chart in view (not those in a hidden tab).

    ``runs=False`` after a tab is chosen: tabs switch in the browser (no script run; _check checks that none ran).
    """
    run_settled(page, timeout, runs=runs)
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
        ".every(c => c.getClientRects().length === 0 || c.querySelector('svg text'))",
        timeout=timeout,
    )


def _check(page, shot: str, *, charts: int) -> dict:
    """Screenshots, then the measurements (at the screen's own size).

    ``charts-<shot>.png`` is the screen as the reader sees it; ``charts-<shot>-<i>.png`` each chart, centred
    below the sticky summary; ``charts-<shot>-page.png`` the whole page (Streamlit scrolls inside its own
    container, so a "full page" shot is the screen: the window is made as tall as the page instead).
    """
    page.screenshot(path=str(ARTIFACTS / f"charts-{shot}.png"))
    visible = page.locator("[data-testid=stVegaLiteChart]").filter(has=page.locator("svg:visible"))
    for i in range(visible.count()):
        visible.nth(i).evaluate("e => e.scrollIntoView({block: 'center'})")
        visible.nth(i).screenshot(path=str(ARTIFACTS / f"charts-{shot}-{i}.png"))
    size = page.viewport_size
    tall = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(tall, size["height"]), 12_000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / f"charts-{shot}-page.png"))
    page.set_viewport_size(size)
    page.wait_for_timeout(300)
    seen = page.evaluate(_MEASURE, MIN_PX)
    assert _ran_nothing(page), (shot, "a script run started while the page was measured")
    assert not page.locator("[data-testid=stException]").count(), shot
    assert seen["charts"] >= charts, (shot, seen["charts"])
    assert seen["small"] == [], (shot, seen["small"])
    assert seen["outside"] == [], (shot, seen["outside"])
    assert seen["cut"] == [], (shot, seen["cut"])
    return seen


def _open(chromium, url: str, view: str, size: str):
    page = _new_page(chromium, viewport=dict(zip(("width", "height"), SIZES[size], strict=True)))
    page.goto(f"{url}/?{_query(view)}", wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
    _settled(page)
    return page


@pytest.mark.parametrize("size", list(SIZES))
def test_update_view(browser, server, size):  # noqa: F811
    page = _open(browser, server, "update", size)
    try:
        page.get_by_text("Show prior and posterior as bars").click()
        _settled(page)
        # The waterfall, the prior and posterior bars, the posterior's distribution.
        _check(page, f"update-{size}", charts=3)
    finally:
        page.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_compare_view(browser, server, size):  # noqa: F811
    page = _open(browser, server, "compare", size)
    try:
        for tab, name in (("Crux", "crux"), ("What would settle it", "settle"), ("Three hypotheses", "hypotheses")):
            page.get_by_role("tab", name=tab).click()
            _settled(page, runs=False)
            _check(page, f"compare-{name}-{size}", charts=1)
    finally:
        page.close()


ANALYSIS_TABS = ("Sequential", "Prior robustness", "Data robustness", "Tornado", "Dependence", "Crux", "Pooling")


@pytest.mark.parametrize("size", list(SIZES))
def test_analysis_view(browser, server, size):  # noqa: F811
    page = _open(browser, server, "analysis", size)
    try:
        for tab in ANALYSIS_TABS:
            page.get_by_role("tab", name=tab).click()
            _settled(page, runs=False)
            _check(page, f"analysis-{tab.lower().replace(' ', '-')}-{size}", charts=1)
    finally:
        page.close()


@pytest.mark.parametrize("view", ["chain", "monitoring", "data"])
def test_the_other_views_charts_on_a_phone(browser, server, view):  # noqa: F811
    page = _open(browser, server, view, "phone")
    try:
        _check(page, f"{view}-phone", charts=1)
    finally:
        page.close()
