"""Slider latency where users feel it: a key press on a slider to the posterior changing, in Chromium.

The app and a bare one-slider Streamlit app run side by side in the same run,
measured pair by pair (app, bare, app, bare, ...), so the ratio is taken on
the same machine load.  The time is taken inside the page: a capturing
``keydown`` listener stamps ``performance.now()``, and a MutationObserver
stamps the first change of the posterior text (``.st-key-posterior_summary``
in both apps).  No Python/CDP round trip is inside the interval.

A burst of key presses (ten ArrowRight, 30 ms apart) is then timed to the
moment the text settles on its final value, and every text the summary
showed on the way is recorded: *flicker* counts the times it went blank or
back to a value it had already left.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.run import (
    APP,
    Row,
    browser_unavailable,
    chromium,
    free_port,
    load_avg,
    not_measured,
    streamlit_server,
    wait_healthy,
)

SUMMARY = ".st-key-posterior_summary"
SLIDER = "[data-testid=stSlider] input[type=range]"
BARE_APP = '''\
"""Bare reference: one slider and the posterior as text, nothing else."""
import streamlit as st

p = st.slider("P(H) before the evidence (%)", 0.0, 100.0, 25.0, step=0.1, key="p")
odds = 3 * p / (100 - p) if p < 100 else float("inf")
with st.container(key="posterior_summary"):
    st.markdown(f"P(H) {p:.1f}% → {100 * odds / (1 + odds):.4g}%")
'''
APP_QUERY = "?prior=0.25&e0=p~0.75~0.25~1~~~~~stated%203-to-1"

_OBSERVE = """(sel) => {
  const target = document.querySelector(sel);
  window.__seen = [target.innerText];
  window.__changed = null;
  window.__lastChange = null;
  window.__keydown = null;
  document.addEventListener('keydown', () => { if (window.__keydown === null) window.__keydown = performance.now(); },
                            {capture: true, once: true});
  const obs = new MutationObserver(() => {
    const text = document.querySelector(sel).innerText;
    if (text !== window.__seen[window.__seen.length - 1]) {
      window.__seen.push(text);
      const now = performance.now();
      if (window.__changed === null) window.__changed = now;
      window.__lastChange = now;
    }
  });
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(f"() => (document.querySelector('{SUMMARY}') || {{}}).innerText?.includes('→')",
                           timeout=120_000)  # fmt: skip
    _idle(page)
    return page


def _idle(page) -> None:
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('[data-stale=true]').length === 0", timeout=60_000)


def _one_press(page, key: str) -> float:
    """Milliseconds from the keydown to the first change of the posterior text."""
    page.evaluate(_OBSERVE, SUMMARY)
    page.locator(SLIDER).first.focus()
    page.keyboard.press(key)
    page.wait_for_function("window.__changed !== null", timeout=60_000)
    _idle(page)
    return page.evaluate("window.__changed - window.__keydown")


def _burst(page, presses: int = 10) -> tuple[float, int, int]:
    """(ms from the first keydown to the last change, texts shown on the way, flicker count)."""
    page.evaluate(_OBSERVE, SUMMARY)
    page.locator(SLIDER).first.focus()
    for _ in range(presses):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(30)
    page.wait_for_function("window.__changed !== null", timeout=60_000)
    _idle(page)
    page.wait_for_timeout(300)  # anything still coming would be a late flicker
    seen = page.evaluate("window.__seen")
    settle = page.evaluate("window.__lastChange - window.__keydown")
    flicker = 0
    for i, text in enumerate(seen[1:], start=1):
        if not text.strip() or text in seen[: i - 1]:
            flicker += 1
    return settle, len(seen) - 1, flicker


def bench_slider_latency(sz) -> list[Row]:
    title = "key press on the prior slider to the posterior changing (browser)"
    why = browser_unavailable()
    if why:
        return [not_measured("slider_latency", title, why, "ms", 1.5, "<= 1.5x the bare app")]
    # --quick: each row's code once (the smoke test).  24 pairs: one pair's ratio spreads from ~0.9x to ~2.5x on
    # these machines, and with 12 the median of two quiet runs of the same code differed by 0.15x.
    presses = 1 if sz.quick else 24
    app_ms, bare_ms, ratios = [], [], []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        bare_path = Path(tmp) / "bare_app.py"
        bare_path.write_text(BARE_APP)
        app_port, bare_port = free_port(), free_port()
        # The steady state: without the app's one-off background compile of the MCMC model, which a
        # fresh server starts after its first page and which takes 16-35 s of CPU (bench mcmc_browser).
        steady = {"BELIEFS_MCMC_WARMUP": "0"}
        with streamlit_server(app_port, tmp, APP, steady) as app_proc, streamlit_server(bare_port, tmp, bare_path) as bare:
            wait_healthy(app_port, app_proc)
            wait_healthy(bare_port, bare)
            app_page = _open(browser, f"http://127.0.0.1:{app_port}/{APP_QUERY}")
            bare_page = _open(browser, f"http://127.0.0.1:{bare_port}/")
            for page in (app_page, bare_page):  # warm-up: first moves import and fill caches
                _one_press(page, "ArrowRight")
            for i in range(presses):
                key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
                app_ms.append(_one_press(app_page, key))
                bare_ms.append(_one_press(bare_page, key))
                ratios.append(app_ms[-1] / bare_ms[-1])
            app_burst = [_burst(app_page) for _ in range(1 if sz.quick else 4)]
            bare_burst = [_burst(bare_page) for _ in range(1 if sz.quick else 4)]
    load = load_avg()
    shown = lambda b: ", ".join(f"{n} texts/{f} flicker" for _, n, f in b)  # noqa: E731
    return [
        Row("slider_latency", "app: key press to posterior changed", "ms", app_ms, load=load,
            note=f"{presses} presses, ArrowRight/ArrowLeft alternating, Update page with one item; steady state "
                 "(the one-off MCMC compile of a fresh server's first ~30 s is off)"),
        Row("slider_latency", "bare one-slider app: key press to posterior changed", "ms", bare_ms, load=load),
        Row("slider_latency", "app / bare app, key press to posterior", "x", ratios, 1.5, "<= 1.5x", load=load,
            note="ratio per interleaved pair"),
        Row("slider_latency", "app: burst of 10 key presses to settled", "ms", [b[0] for b in app_burst],
            load=load, note=f"texts shown on the way / flicker per burst: {shown(app_burst)}"),
        Row("slider_latency", "app: flicker in a burst (blank or back to an earlier value)", "count",
            [float(b[2]) for b in app_burst], 0.0, "0", load=load),
        Row("slider_latency", "bare app: burst of 10 key presses to settled", "ms", [b[0] for b in bare_burst],
            load=load, note=f"{shown(bare_burst)}"),
    ]


def main() -> None:
    from bench.run import FULL, format_table

    print(format_table(bench_slider_latency(FULL)))


if __name__ == "__main__":
    main()
