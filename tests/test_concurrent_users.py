"""Concurrent users: one streamlit server, 20 browser sessions at once, each sees only its own numbers.

Each session is its own Playwright browser context (its own cookies and
websocket) in one headless Chromium.  Session i opens a share link with its
own prior p_i and the stated 3-to-1 item, so its posterior is
3 p_i / (1 - p_i) in odds; every page must show exactly
``format_probability`` of ``beliefs.update`` for *its* prior, both after the
first load and after a rerun (the prior slider moved one step with the
keyboard, all sessions at the same time).  The rerun times under that load
are measured from key press to a settled page; their p95 is printed.
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.parse
import urllib.request

import numpy as np
import pytest

from beliefs.evidence import Evidence
from beliefs.format import format_probability
from beliefs.update import update
from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, ROOT, require_browser, streamlit_server

SESSIONS = 20
STATED = Evidence("stated 3-to-1", p_e_given_h=0.75, p_e_given_not_h=0.25)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("concurrent_users")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``streamlit run app.py`` bound to 127.0.0.1 on a free port; stopped at teardown."""
    require_browser()
    pytest.importorskip("playwright")
    log_path = tmp_path_factory.mktemp("streamlit-load") / "server.log"
    # The app's own setting, off: served, it compiles the MCMC model in the background after its
    # first page (mcmc_panel.warm_up), CPU in the server's process while the 20 pages load.  That
    # compile is shared by every session and holds no session state; what is checked here is not it.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BELIEFS_MCMC_WARMUP", "0")
        with streamlit_server(log_path) as url:
            yield url
    text = log_path.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]


def expected_posterior(prior: float) -> str:
    r = update(prior, [STATED])
    return format_probability(r.posterior_log_odds)


_SETTLED = (
    "() => { const app = document.querySelector('[data-testid=stApp]');"
    " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
    " && document.querySelectorAll('[data-stale=true]').length === 0; }"
)
_POSTERIOR_JS = (
    "() => { const m = [...document.querySelectorAll('[data-testid=stMetric]')]"
    ".find(m => m.innerText.includes('Posterior P(H)'));"
    " return m ? m.querySelector('[data-testid=stMetricValue]').innerText.trim() : null; }"
)


# Polling every 250 ms in 20 pages at once is CPU the pages' own rendering then lacks; a settled page
# is seen at most this much later, which only the printed (not asserted) rerun times include.
_POLL_MS = 500


async def _settled(page, timeout_ms: float = 240_000) -> None:
    await page.wait_for_function(_SETTLED, timeout=timeout_ms, polling=_POLL_MS)


async def _session(browser, url: str, i: int, barrier: asyncio.Barrier) -> dict:
    prior_pct = 10 + 3 * i  # distinct per session, on the slider's 0.1% grid
    # Wide enough for the page's desktop layout (sidebar beside it); no taller than a laptop's screen.
    context = await browser.new_context(viewport={"width": 1000, "height": 700})
    # Every wait gets the same generous bound, including Playwright's own (30 s by default) on
    # locator actions: 20 pages on 2 shared cores (CI runs other tests beside this one) can leave a
    # renderer too busy to answer a focus() within 30 s, which says nothing about the app.
    context.set_default_timeout(240_000)
    try:
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        link = f"{url}/?prior={prior_pct / 100!r}&e0=" + urllib.parse.quote("p~0.75~0.25~1~~~~~stated 3-to-1")
        await page.goto(link, wait_until="domcontentloaded", timeout=240_000)
        await page.wait_for_function(
            f"() => ({_SETTLED})() && ({_POSTERIOR_JS})() !== null", timeout=240_000, polling=_POLL_MS
        )
        first = await page.evaluate(_POSTERIOR_JS)
        loaded = time.perf_counter()
        exceptions = await page.locator("[data-testid=stException]").count()
        # every session moves its own slider at the same moment
        await barrier.wait()
        thumb = page.locator("[data-testid=stSlider]", has_text="P(H) before the evidence").locator(
            "input[type=range]"
        )
        await thumb.focus()
        start = time.perf_counter()
        await page.keyboard.press("ArrowRight")
        await page.wait_for_function(
            f"() => {{ const v = ({_POSTERIOR_JS})(); return v !== null && v !== {first!r}; }}",
            timeout=240_000,
            polling=_POLL_MS,
        )
        await _settled(page)
        rerun = time.perf_counter() - start
        second = await page.evaluate(_POSTERIOR_JS)
        query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        exceptions += await page.locator("[data-testid=stException]").count()
        return {
            "i": i,
            "prior": prior_pct / 100,
            "first": first,
            "second": second,
            "url_prior": float(query["prior"][0]),
            "rerun": rerun,
            "loaded": loaded,
            "exceptions": exceptions,
            "errors": errors,
        }
    finally:
        await context.close()


async def _run_all(url: str) -> list:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        # --renderer-process-limit=2 was meant to put the 20 pages in two renderers (measured back to back on a
        # quiet machine: all 20 loaded after 82 s instead of 110 s, the whole test 101 s instead of 127 s), but a
        # renderer is never shared across browser contexts: ps shows 20 page renderers with it (Chromium 156).
        # Each page keeps its own context (cookies, storage) and websocket: its own server session.
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--renderer-process-limit=2"])
        try:
            barrier = asyncio.Barrier(SESSIONS)
            return await asyncio.gather(
                *(_session(browser, url, i, barrier) for i in range(SESSIONS)), return_exceptions=True
            )
        finally:
            await browser.close()


def test_twenty_sessions_each_see_their_own_posterior(server):
    start = time.perf_counter()
    results = asyncio.run(_run_all(server))
    wall = time.perf_counter() - start
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, [repr(f)[:300] for f in failures]
    assert len(results) == SESSIONS
    for r in results:
        assert r["exceptions"] == 0 and not r["errors"], r
        assert r["first"] == expected_posterior(r["prior"]), r
        # after the rerun: the page's own new prior (from its own address bar), one 0.1% step up
        assert r["url_prior"] == pytest.approx(r["prior"] + 0.001, abs=1e-12), r
        assert r["second"] == expected_posterior(r["url_prior"]), r
    # the sessions really are distinct: no two show the same posterior
    assert len({r["first"] for r in results}) == SESSIONS
    assert len({r["second"] for r in results}) == SESSIONS
    reruns = np.array([r["rerun"] for r in results])
    all_loaded = max(r["loaded"] for r in results) - start
    p95 = float(np.percentile(reruns, 95))
    print(
        f"\nconcurrent users: {SESSIONS} sessions held at once; rerun under load "
        f"median {np.median(reruns):.2f} s, p95 {p95:.2f} s, max {reruns.max():.2f} s; all loaded after {all_loaded:.1f} s; wall {wall:.1f} s"
    )
    # Timings are reported, not asserted (speed belongs to bench/): on 2 shared cores
    # the figure depends on what else runs. What is asserted is that every rerun finished.
    assert np.all(np.isfinite(reruns)) and len(reruns) == SESSIONS


def test_every_cache_is_keyed_by_its_inputs():
    """Code review as a test: each st.cache_data/st.cache_resource function's key is its full input.

    Arguments starting with ``_`` are not hashed by Streamlit; such a function
    is allowed only where the other arguments determine the output (the chart
    spec cache, whose ``data_key`` is the chart's data), which the callers must
    honour: every ``show_chart`` call passes text derived from the charted data.
    """
    import ast

    pages = [*sorted((ROOT / "app_pages").glob("*.py")), ROOT / "app.py"]
    cached = []
    for path in pages:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                decos = [ast.unparse(d) for d in node.decorator_list]
                if any("cache_data" in d or "cache_resource" in d for d in decos):
                    args = [a.arg for a in node.args.args]
                    free = _free_names(node) - set(args)
                    cached.append((path.name, node.name, args, free))
    assert cached
    for name, func, args, free in cached:
        unhashed = [a for a in args if a.startswith("_")]
        if unhashed:
            assert (name, func) == ("common.py", "_spec"), (name, func, unhashed)
        # no session state or widget values read inside a cached function: they would not be in the key
        assert "session_state" not in free and "query_params" not in free, (name, func, free)
    # every show_chart call's key includes the CSV of what it draws
    calls = 0
    for path in pages:
        for match in re.finditer(r"show_chart\((.*)\)", path.read_text()):
            calls += 1
            # the CSV, a named key, or the plotted result's own to_dict(): each determines the picture
            args = match.group(1)
            assert any(s in args for s in ("csv", "key", "to_dict()")), (path.name, match.group(0))
    assert calls >= 10  # every chart of every view


def _free_names(func) -> set[str]:
    import ast

    names = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
    return names
