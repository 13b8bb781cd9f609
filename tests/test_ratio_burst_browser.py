"""A burst of 30 key presses on the likelihood-ratio slider, in Chromium (issue 24.4).

Every animation frame from before the first press until the page has been idle 2.5 s is sampled
(``requestAnimationFrame`` polling of the summary's bits, the item's line and the slider's stated
value, bench/ratio_burst.py).  Asserted: what the frames show, never how fast (how long the slider's
label may lead the summary and how soon the page settles are timings: the bench's ``ratio_burst``
rows, beside a bare one-slider app):

* every press was taken: the thumb moved one stop right at each of the 30 (the burst is driven on a
  settled page, the thumb's focus checked first; see ``bench.ratio_burst.burst``);
* the item's line and the summary never disagree, in any frame: both show the item as the server
  last drew it, sent as consecutive messages right after the slider (update_page._ratio_controls);
* every value the slider showed is a stop of the scale (no ratio nobody typed);
* once settled, slider, item and summary show exactly what ``update()`` gives for the ledger of the
  link with the ratio typed by the presses: 30 stops up from 1:100.

On main before this (the summary drawn after the row's box, spread and group widgets, fast reruns on)
a CI run showed the item line a 43 ms frame ahead of the summary, and a local run took no press.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qs

import pytest

from beliefs.entry import parse_ratio
from beliefs.evidence import NO_STRENGTH
from beliefs.format import format_probability
from beliefs.io.link import decode
from beliefs.ratio_scale import STOPS, ratio_words
from beliefs.update import update
from bench.ratio_burst import (
    APP_QUERY,
    PRESSES,
    READ,
    START_RATIO,
    _thumb,
    agree,
    bits_of,
    burst,
    idle,
    open_page,
    ratio_of,
)
from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, require_browser, streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(browser, the app's address)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    # The steady state: without this the served app compiles the MCMC model in the background after
    # its first page (mcmc_panel.warm_up), 16-35 s of CPU in the server's process during the burst.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BELIEFS_MCMC_WARMUP", "0")
        with streamlit_server(tmp_path_factory.mktemp("streamlit") / "server.log") as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser, url
            finally:
                browser.close()


@pytest.fixture(scope="module")
def page(served):
    browser, url = served
    return open_page(browser, f"{url}/{APP_QUERY}")


def _expected_after(presses: int):
    """The link's state with its one item's ratio moved ``presses`` stops up the scale, and its update()."""
    state, warnings = decode({k: v[0] for k, v in parse_qs(APP_QUERY.removeprefix("?")).items()})
    assert not warnings
    (item,) = state.items
    assert item.likelihood_ratio == parse_ratio(START_RATIO, "ratio")
    typed = STOPS[STOPS.index(item.likelihood_ratio) + presses]
    moved = item.with_entry(item.entry._replace(a=typed))
    return moved, update(state.values["prior"], [moved])


def test_a_burst_of_key_presses_never_shows_the_page_contradicting_itself(page):
    b = burst(page)
    assert b.positions == tuple(range(b.start + 1, b.start + PRESSES + 1))  # every press moved the thumb one stop
    assert len(b.keys) == PRESSES and len(b.frames) > 10

    # The item's line and the summary: one value, in every frame.
    split = [f for f in b.frames if bits_of(f[1]) is None or bits_of(f[1]) != bits_of(f[2])]
    assert not split, f"{len(split)} of {len(b.frames)} frames where the item and the summary disagree: {split[:3]}"

    shown = {ratio_of(k) for k in b.sliders_seen()}
    assert all(any(math.isclose(r, s, rel_tol=1e-9) for s in STOPS) for r in shown), shown

    item, result = _expected_after(PRESSES)
    summary, line, slider = b.final
    assert slider == ratio_words(item.likelihood_ratio)
    assert line == item.describe()
    assert summary.startswith(
        f"P(H) {format_probability(result.prior_log_odds)} → {format_probability(result.posterior_log_odds)}"
    ), summary
    assert f"{result.bits:+.3g} bits" in summary, summary
    assert agree(*b.final)
    # How long the slider's label led the others is the bench's row; printed here for the log.
    leading = sum(1 for f in b.frames if not agree(*f[1:]))
    print(f"\nratio burst: slider ahead of item and summary in {leading} of {len(b.frames)} frames")


def test_the_slider_keeps_the_keyboard_when_the_ratio_reaches_1_to_1(served):
    """At 1:1 the row gains its "no strength stated yet" box above the slider; the thumb keeps the focus.

    On the old page the box came into the row's tree before the slider, the browser drew the slider
    anew and dropped the focus: the next arrow press did nothing (a burst stopped at 1:1).
    """
    browser, url = served
    page = open_page(browser, f"{url}/?prior=0.5&e0=lr~{1 / 1.1!r}~~1~~~~~burst")
    try:
        thumb = _thumb(page)
        thumb.focus()
        start = int(thumb.input_value())
        page.keyboard.press("ArrowRight")
        idle(page)
        page.get_by_text(NO_STRENGTH, exact=False).first.wait_for(timeout=30_000)
        page.keyboard.press("ArrowRight")
        assert int(thumb.input_value()) == start + 2
        # The run this press asks for may not have started yet: wait for the label it draws (a wait, no timing).
        page.wait_for_function(f"() => ({READ})()[2] === {ratio_words(1.1)!r}", timeout=60_000)
        idle(page)
        shown = page.evaluate(READ)  # summary, item line, slider label
        assert shown[2] == ratio_words(1.1) and agree(*shown), shown
    finally:
        page.close()
