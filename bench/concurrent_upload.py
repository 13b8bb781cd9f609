"""Five sessions pressing a slider while a sixth uploads the worst file, or re-runs MCMC (issue 22, "Also measured").

One ``streamlit run app.py`` on 127.0.0.1 and headless Chromium (Playwright, async: every page acts at
once).  Five sessions open the Update page with the stated 3-to-1 item and press ArrowRight/ArrowLeft
on the prior slider; each press is timed inside its page, from a capturing ``keydown`` listener to the
first change of the posterior summary (as in ``bench/latency.py``).  Three conditions, interleaved round
by round so the machine's load hits each alike:

* **idle**: the sixth session does nothing;
* **MCMC**: the sixth session, on the data page with live partial pooling, re-runs the model again and
  again (a new assumed n, Enter, wait for the new estimate);
* **upload**: the sixth session uploads, again and again, the slowest file for the scenario reader at
  its 1 MB cap (``bench/readers.py`` picks it: an HTML flood); the app refuses each one.

The issue's figures before the fix: median 0.90 s idle, 1.23 s beside MCMC, 2.36 s beside a 60 kB
upload of the quadratic JSON case (23 s of a core per upload).  The target: the upload moves the
five sessions' median no more than the MCMC re-run does.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile

from bench.latency import _OBSERVE, APP_QUERY, SLIDER, SUMMARY
from bench.mcmc_browser import _VALUE_JS, MCMC_LABEL, N_INPUT, RUN_BUTTON
from bench.run import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RENDERED,
    Row,
    browser_unavailable,
    free_port,
    load_avg,
    not_measured,
    streamlit_server,
    wait_healthy,
)

SECTION = "upload_under_load"
SESSIONS = 5
CONDITIONS = ("idle", "mcmc", "upload")
_IDLE_JS = "document.querySelectorAll('[data-stale=true]').length === 0"


async def _idle(page, timeout_ms: float = 240_000) -> None:
    await page.wait_for_selector(RENDERED, timeout=timeout_ms)
    await page.wait_for_function(_IDLE_JS, timeout=timeout_ms)


async def _press(page, key: str) -> float:
    """Milliseconds from the keydown to the first change of the posterior text (in the page's own clock)."""
    await page.evaluate(_OBSERVE, SUMMARY)
    await page.locator(SLIDER).first.focus()
    await page.keyboard.press(key)
    await page.wait_for_function("window.__changed !== null", timeout=240_000)
    await _idle(page)
    return await page.evaluate("window.__changed - window.__keydown")


async def _presser(page, presses: int, offset: int) -> list[float]:
    out = []
    for i in range(presses):
        out.append(await _press(page, "ArrowRight" if (i + offset) % 2 == 0 else "ArrowLeft"))
    return out


async def _mcmc_loop(page, stop: asyncio.Event, state: dict) -> int:
    box = page.get_by_role("spinbutton", name=N_INPUT)
    runs = 0
    while not stop.is_set():
        state["n"] = 300 + (state["n"] - 300 + 17) % 80  # a new assumed n each time: every count changes
        await box.fill(str(state["n"]))
        await box.press("Enter")
        handle = await page.wait_for_function(_VALUE_JS, arg=[MCMC_LABEL, state["value"]], timeout=240_000, polling="raf")
        state["value"] = await handle.json_value()
        await _idle(page)
        runs += 1
    return runs


async def _upload_loop(page, stop: asyncio.Event, payload: bytes) -> int:
    chooser = page.locator(".st-key-upload input[type=file]")
    runs = 0
    while not stop.is_set():
        # A new name each time: the uploader runs the page again for every new file.
        name = f"worst-{runs % 2}.html"
        await chooser.set_input_files(files=[{"name": name, "mimeType": "text/html", "buffer": payload}])
        await page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stAlertContentError]')]"
            ".some(e => e.innerText.includes('nothing was changed'))",
            timeout=240_000,
        )
        await _idle(page)
        runs += 1
    return runs


async def _round(pages, loader, presses: int, offset: int) -> tuple[list[float], int]:
    stop = asyncio.Event()
    task = asyncio.ensure_future(loader(stop)) if loader else None
    if task:
        await asyncio.sleep(0.5)  # the sixth session is busy before the first press
    times = await asyncio.gather(*(_presser(p, presses, offset + i) for i, p in enumerate(pages)))
    stop.set()
    loads = await task if task else 0
    return [t for session in times for t in session], loads


async def _measure(url: str, rounds: int, presses: int, payload: bytes) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            pages = []
            for _ in range(SESSIONS):
                page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
                await page.goto(f"{url}/{APP_QUERY}", wait_until="domcontentloaded")
                await _idle(page)
                pages.append(page)
            mcmc = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
            await mcmc.goto(f"{url}/?view=data&da_src=2025", wait_until="domcontentloaded")
            await mcmc.get_by_role("button", name=RUN_BUTTON).wait_for(timeout=240_000)
            await _idle(mcmc)
            await mcmc.get_by_role("button", name=RUN_BUTTON).click()
            handle = await mcmc.wait_for_function(_VALUE_JS, arg=[MCMC_LABEL, ""], timeout=600_000, polling="raf")
            mcmc_state = {"n": 316, "value": await handle.json_value()}
            await _idle(mcmc)
            uploader = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
            await uploader.goto(url, wait_until="domcontentloaded")
            await _idle(uploader)
            for page in pages:  # warm-up: first moves import and fill caches
                await _press(page, "ArrowRight")
            loaders = {
                "idle": None,
                "mcmc": lambda stop: _mcmc_loop(mcmc, stop, mcmc_state),
                "upload": lambda stop: _upload_loop(uploader, stop, payload),
            }
            out: dict = {c: {"ms": [], "per_round": [], "loads": 0} for c in CONDITIONS}
            for r in range(rounds):
                for condition in CONDITIONS:
                    times, loads = await _round(pages, loaders[condition], presses, r)
                    out[condition]["ms"] += times
                    out[condition]["per_round"].append(statistics.median(times))
                    out[condition]["loads"] += loads
                    print(f"[bench] {SECTION} round {r} {condition}: median {statistics.median(times):.0f} ms"
                          f" ({loads} loads)", file=sys.stderr, flush=True)  # fmt: skip
            return out
        finally:
            await browser.close()


def bench_upload_under_load(sz) -> list[Row]:
    title = "five sessions' key press to posterior: upload shift minus MCMC shift (browser)"
    why = browser_unavailable()
    if why:
        return [not_measured(SECTION, title, why, "ms", 0.0, "<= 0 ms")]
    from beliefs.io.scenario import MAX_SCENARIO_BYTES, parse_scenario
    from bench.readers import _fill, _slowest_unit

    unit = _slowest_unit(parse_scenario)
    payload = _fill(unit, MAX_SCENARIO_BYTES).encode()
    rounds, presses = (1, 2) if sz.quick else (4, 4)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        with streamlit_server(port, tmp) as proc:
            wait_healthy(port, proc)
            out = asyncio.run(_measure(f"http://127.0.0.1:{port}", rounds, presses, payload))
    load = load_avg()
    idle, mcmc, upload = (out[c]["per_round"] for c in CONDITIONS)
    note = (f"{SESSIONS} sessions x {presses} presses per round, {rounds} rounds interleaved idle/MCMC/upload; "
            f"{out['mcmc']['loads']} MCMC re-runs and {out['upload']['loads']} uploads of {len(payload):,} bytes of "
            f"{unit!r} during the measured presses")  # fmt: skip
    return [
        Row(SECTION, "five sessions, sixth idle: key press to posterior", "ms", out["idle"]["ms"], load=load),
        Row(SECTION, "five sessions, sixth re-running MCMC: key press to posterior", "ms", out["mcmc"]["ms"], load=load),
        Row(SECTION, "five sessions, sixth uploading the worst file at the cap: key press to posterior", "ms",
            out["upload"]["ms"], load=load, note=note),
        Row(SECTION, "median shift from idle: MCMC re-runs (per round)", "ms",
            [m - i for m, i in zip(mcmc, idle, strict=True)], load=load),
        Row(SECTION, "median shift from idle: worst uploads (per round)", "ms",
            [u - i for u, i in zip(upload, idle, strict=True)], load=load),
        Row(SECTION, title, "ms", [u - m for u, m in zip(upload, mcmc, strict=True)], 0.0,
            "<= 0 ms (an upload moves the median no more than MCMC)", load=load),
    ]  # fmt: skip


def main() -> None:
    from bench.run import FULL, format_table

    print(format_table(bench_upload_under_load(FULL)))


if __name__ == "__main__":
    main()
