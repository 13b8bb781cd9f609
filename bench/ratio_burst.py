"""A burst of 30 key presses on the likelihood-ratio slider: does the page ever contradict itself? (issue 24.4)

Three values are on screen at once: the summary's total bits (``.st-key-posterior_summary``), the
item's line (``LR 3:1 = 1.58 bits = ...``) and the slider's own label (``3:1 for H``).  With one item
they must say the same thing.  A ``requestAnimationFrame`` loop in the page records the three texts
at every frame, from before the first key press until the page has been idle for a while; each frame
is then judged: do the three values agree (to the 3 significant digits they are shown with)?

Figures: the longest run of frames in which they disagree (target <= 0.5 s), and the time from the
last key press to the last change of any of the three (target <= 1.5 s), for the app's Update page
and for a bare Streamlit app with one select_slider over the same stops that draws the same three
texts and nothing else, pressed the same way (30 ArrowRight, 30 ms apart), interleaved app, bare,
app, bare.  Each burst is checked to have been pressed: every press moved the thumb one stop (else
PressNotTaken, no figure).  The app runs as configured (.streamlit/config.toml: fast reruns off); the
bare app as Streamlit ships (fast reruns on).  To measure the app with fast reruns on, run this with
STREAMLIT_RUNNER_FAST_RERUNS=true.  The browser test (tests/test_ratio_burst_browser.py) drives the
same bursts and asserts what the frames show (item and summary equal in every frame, the settled page
equal to update(), every press taken), never the timing.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

PRESSES = 30
PRESS_GAP_MS = 30
START_RATIO = "1:100"  # 30 presses right from 1:100 visit 30 distinct stops (to 2.5:1), none clamped at an end
# One item stated as a ratio of 1:100, from 50%: the page the burst is pressed on.
APP_QUERY = "?prior=0.5&e0=lr~0.01~~1~~~~~burst"

# The bare reference: the same stops and the same three texts, nothing else.
BARE_APP = '''\
"""Bare reference: one select_slider over the ratio stops, the summary and the item line, nothing else."""
import math

import streamlit as st

from beliefs.format import format_odds
from beliefs.ratio_scale import STOPS, ratio_words

lr = st.session_state.get("lr", 0.01)
with st.container(key="posterior_summary"):
    st.markdown(f"#### P(H) 50% → {100 * lr / (1 + lr):.4g}% :small[({math.log2(lr):+.3g} bits)]")
lr = st.select_slider("Likelihood ratio", STOPS, value=0.01, format_func=ratio_words, key="lr")
st.markdown(f"`LR {format_odds(math.log(lr))} = {math.log2(lr):.3g} bits`")
'''

# Reads the three texts at every animation frame; stops itself after `idleMs` without a change
# once the presses are over (window.__pressesDone set by the caller).
# The three texts as the reader sees them: the summary's headline, the item's line, and the slider's
# value (its label where it states one, as the app's does, else the number on its thumb: the bare app).
READ = """() => {
  const summary = (document.querySelector('.st-key-posterior_summary h4') || {}).innerText || '';
  const line = [...document.querySelectorAll('code')].map(c => c.innerText).find(t => t.startsWith('LR ')) || '';
  const slider = [...document.querySelectorAll('[data-testid=stSlider]')]
    .find(s => (s.innerText || '').includes('Likelihood ratio'));
  const label = slider ? ((slider.querySelector('[data-testid=stWidgetLabel]') || {}).innerText || '') : '';
  const thumb = slider ? slider.querySelector('[data-testid=stSliderThumbValue]') : null;
  const value = label.includes(':') ? label.replace(/^Likelihood ratio: */, '') : (thumb ? thumb.innerText : '');
  return [summary, line, value];
}"""

# Records the three texts at every animation frame until window.__stopSampling is set.
SAMPLER = (
    "() => { const read = "
    + READ
    + """;
  window.__frames = [];
  window.__keys = [];
  window.__positions = [];
  window.__stopSampling = false;
  if (!window.__keyListener) {
    window.__keyListener = true;
    // At each press, before the page handles it: the thumb's position then (-1 if the thumb has lost the
    // keyboard's focus), which the previous press set (the slider moves its thumb in the browser at once,
    // before any server run).  Read from the page, so checking costs the presses no time.
    document.addEventListener('keydown', () => {
      window.__keys.push(performance.now());
      const slider = [...document.querySelectorAll('[data-testid=stSlider]')]
        .find(s => (s.innerText || '').includes('Likelihood ratio'));
      const thumb = slider ? slider.querySelector('input[type=range]') : null;
      window.__positions.push(thumb && document.activeElement === thumb ? Number(thumb.value) : -1);
    }, {capture: true});
  }
  const tick = () => {
    const [s, l, k] = read();
    window.__frames.push([performance.now(), s, l, k]);
    if (!window.__stopSampling) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""
)

_BITS = re.compile(r"([+-]?[0-9.]+(?:e[+-]?[0-9]+)?) bits")
_RATIO = re.compile(r"^([0-9.e+]+):([0-9.e+]+)")


def ratio_of(text: str) -> float | None:
    """The ratio a label like ``3:1 for H``, ``3:1 against H`` or ``1:1, neither way`` states."""
    m = _RATIO.match(text.strip().removeprefix("Likelihood ratio:").strip())
    if not m:
        return None
    r = float(m.group(1)) / float(m.group(2))
    return 1 / r if "against" in text else r


def bits_of(text: str) -> float | None:
    m = _BITS.search(text)
    return float(m.group(1)) if m else None


def agree(summary: str, line: str, thumb: str) -> bool:
    """The three values say the same ratio, to the 3 significant digits each is shown with."""
    s, i, r = bits_of(summary), bits_of(line), ratio_of(thumb)
    if s is None or i is None or r is None:
        return False
    k = math.log2(r)
    close = lambda a, b: abs(a - b) <= 0.006 * max(1.0, abs(a), abs(b))  # noqa: E731
    return close(s, i) and close(i, k)


@dataclass(frozen=True)
class Burst:
    """What the frames of one burst showed."""

    frames: list  # [t_ms, summary, item line, slider label]
    keys: list  # keydown times, ms
    start: int = 0  # the thumb's position (index among the slider's options) before the first press
    positions: tuple[int, ...] = ()  # the thumb's position after each press

    @property
    def longest_disagreement_ms(self) -> float:
        worst, start = 0.0, None
        for t, s, i, k in self.frames:
            if not agree(s, i, k):
                start = t if start is None else start
            elif start is not None:
                worst, start = max(worst, t - start), None
        if start is not None:
            worst = max(worst, self.frames[-1][0] - start)
        return worst

    @property
    def settle_ms(self) -> float:
        """From the last key press to the last frame in which any of the three values changed."""
        last = self.keys[-1]
        change = last
        for prev, cur in zip(self.frames, self.frames[1:], strict=False):
            if cur[1:] != prev[1:]:
                change = cur[0]
        return max(0.0, change - last)

    @property
    def final(self) -> tuple[str, str, str]:
        return tuple(self.frames[-1][1:])

    def sliders_seen(self) -> set[str]:
        return {k for _, _, _, k in self.frames}

    def summaries_seen(self) -> set[str]:
        return {s for _, s, _, _ in self.frames}


def idle(page) -> None:
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('[data-stale=true]').length === 0", timeout=60_000)


_START_URL: dict[int, str] = {}


def open_page(browser, url: str, size=(1280, 900)):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    _START_URL[id(page)] = url
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function("() => (document.querySelector('.st-key-posterior_summary') || {}).innerText?.includes('→')",
                           timeout=120_000)  # fmt: skip
    page.locator("[data-testid=stSlider]", has_text="Likelihood ratio").first.wait_for(timeout=120_000)
    idle(page)
    return page


def _thumb(page):
    """The ratio slider's thumb: a visually hidden range input (react-aria) that takes the arrow keys."""
    return page.locator("[data-testid=stSlider]", has_text="Likelihood ratio").first.locator("input[type=range]")


def reset(page) -> None:
    """Back to the burst's start (1:100): the page opened again from its link, a fresh session, settled."""
    page.goto(_START_URL[id(page)], wait_until="domcontentloaded")  # not page.url: the address bar follows the state
    page.wait_for_function("() => (document.querySelector('.st-key-posterior_summary') || {}).innerText?.includes('→')",
                           timeout=120_000)  # fmt: skip
    page.locator("[data-testid=stSlider]", has_text="Likelihood ratio").first.wait_for(timeout=120_000)
    idle(page)
    page.wait_for_timeout(1000)
    idle(page)  # a run the first one asked for (the share link's query) has finished too


class PressNotTaken(RuntimeError):
    """The slider's thumb did not take focus or a key press: a burst that was not pressed is not measured."""


def _focus(thumb) -> None:
    thumb.focus()
    if not thumb.evaluate("el => document.activeElement === el"):
        raise PressNotTaken("the ratio slider's thumb did not take the focus")


def burst(page, presses: int = PRESSES, gap_ms: int = PRESS_GAP_MS, quiet_ms: int = 2500) -> Burst:
    """Press ArrowRight ``presses`` times ``gap_ms`` apart on the ratio slider, sampling every frame.

    Driven so that every press counts: the page is settled first and the thumb's focus checked before
    the first press; the page records the thumb's position at each press (so, the one the press before
    left), and it is read once more at the end, without slowing the presses down.  Each press must move
    it one stop right, else :class:`PressNotTaken`: a burst not pressed is not measured.
    """
    reset(page)
    thumb = _thumb(page)
    _focus(thumb)
    start = int(thumb.input_value())
    page.evaluate(SAMPLER)
    for _ in range(presses):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(gap_ms)
    idle(page)
    page.wait_for_timeout(quiet_ms)  # anything still coming would show in the frames
    page.evaluate("window.__stopSampling = true")
    frames, keys, before = page.evaluate("[window.__frames, window.__keys, window.__positions]")
    final = int(thumb.input_value()) if thumb.evaluate("el => document.activeElement === el") else -1
    b = Burst(frames=frames, keys=keys, start=start, positions=(*before[1:], final))
    if b.positions != tuple(range(start + 1, start + presses + 1)):
        raise PressNotTaken(f"the thumb's position after each press, from {start}: {b.positions}")
    return b


def bench_ratio_burst(sz) -> list:
    from bench.run import (
        Row,
        browser_unavailable,
        chromium,
        free_port,
        load_avg,
        not_measured,
        streamlit_server,
        wait_healthy,
    )

    title = "burst of 30 key presses on the ratio slider: longest disagreement (browser)"
    why = browser_unavailable()
    if why:
        return [not_measured("ratio_burst", title, why, "ms", 500, "<= 500 ms")]
    rounds = 1 if sz.quick else 3
    app_b, bare_b = [], []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        bare_path = Path(tmp) / "bare_ratio_app.py"
        bare_path.write_text(BARE_APP)
        app_port, bare_port = free_port(), free_port()
        steady = {"BELIEFS_MCMC_WARMUP": "0"}  # the steady state (see bench/latency.py)
        # The bare app as Streamlit ships it: fast reruns on (the app turns them off in .streamlit/config.toml,
        # which the bare app, started in the same folder, would read too).
        bare_env = {"PYTHONPATH": str(Path(__file__).resolve().parent.parent), "STREAMLIT_RUNNER_FAST_RERUNS": "true"}
        with streamlit_server(app_port, tmp, env=steady) as app_proc, streamlit_server(bare_port, tmp, bare_path, bare_env) as bare:
            wait_healthy(app_port, app_proc)
            wait_healthy(bare_port, bare)
            app_page = open_page(browser, f"http://127.0.0.1:{app_port}/{APP_QUERY}")
            bare_page = open_page(browser, f"http://127.0.0.1:{bare_port}/")
            for _ in range(rounds):
                app_b.append(burst(app_page))
                bare_b.append(burst(bare_page))
    load = load_avg()
    fast = os.environ.get("STREAMLIT_RUNNER_FAST_RERUNS", "false (.streamlit/config.toml)")
    note = (f"{PRESSES} ArrowRight {PRESS_GAP_MS} ms apart from {START_RATIO}, every press taken; frames sampled "
            f"by requestAnimationFrame; app fastReruns {fast}, bare app Streamlit's default (on)")  # fmt: skip
    return [
        Row("ratio_burst", "app: longest run of frames where summary, item and slider disagree", "ms",
            [b.longest_disagreement_ms for b in app_b], 500, "<= 500 ms", load=load, note=note),
        Row("ratio_burst", "bare one-slider app: longest disagreement", "ms",
            [b.longest_disagreement_ms for b in bare_b], load=load),
        Row("ratio_burst", "app: last key press to settled", "ms", [b.settle_ms for b in app_b], 1500, "<= 1500 ms",
            load=load, note=f"frames per burst: {', '.join(str(len(b.frames)) for b in app_b)}"),
        Row("ratio_burst", "bare one-slider app: last key press to settled", "ms", [b.settle_ms for b in bare_b],
            load=load),
    ]  # fmt: skip


def main() -> None:
    import sys

    from bench.run import FULL, QUICK, format_table

    print(format_table(bench_ratio_burst(QUICK if "--quick" in sys.argv else FULL)))


if __name__ == "__main__":
    main()
