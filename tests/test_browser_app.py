"""The app as a forecaster uses it, in headless Chromium on a real server (issue 12, items 1-5).

1. after a widget change of each kind on each view, the address bar, the sidebar link and the saved
   file hold the state the page shows, and re-opening the link shows the same posterior;
2. percent entry takes 25, 25% and 0.25% as written; 0.75 is flagged; a bad ratio is kept, marked
   "ignored" and named by its label;
3. the posterior summary stays in view when the page is scrolled, at 1280x900 and 390x844;
4. the waterfall is the one Vega-Lite chart, its SVG download shows a 50% posterior;
5. presets state H and not H, the first is the thread's 3-to-1 update from 25%.

Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from beliefs.io.link import encode
from beliefs.io.scenario_schema import validate
from beliefs.io.state import state_from_scenario
from beliefs.plots.palette import FOR_H
from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, require_browser, streamlit_server

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
STATED = "e0=p~0.75~0.25~1~~~~~stated%203-to-1"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    with streamlit_server(tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


# Counts the script runs a page has started (each time the app's script state turns to "running"), from its
# first document on: _settled waits for the run the last event asked for by this count, not by catching the
# state while it is "running" (a run over before it looked cost a 2 s time-out).
_COUNT_RUNS = """
window.__runsStarted = 0; window.__runsSeen = 0;
new MutationObserver((changes) => {
  for (const c of changes) if (c.target.getAttribute('data-test-script-state') === 'running') window.__runsStarted++;
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""


def _new_page(browser, **options):
    """A page (in a context of its own) whose script runs :func:`_settled` counts."""
    page = browser.new_page(**options)
    page.add_init_script(_COUNT_RUNS)
    return page


def _open(browser, server, query: str, size=(1280, 900)):
    page = _new_page(browser, viewport={"width": size[0], "height": size[1]}, accept_downloads=True)
    page.goto(f"{server}/?{query}", wait_until="domcontentloaded")
    page.wait_for_function(
        "() => (document.querySelector('.st-key-posterior_summary') || {}).innerText?.includes('→')", timeout=90_000
    )
    # The summary is drawn first in a run; wait for the end of the page (the sidebar's save button) too.
    page.locator("[data-testid=stSidebar] [data-testid=stDownloadButton]").first.wait_for(state="attached", timeout=90_000)
    _settled(page)
    return page


def _pixels_of(png: bytes, colour: str, tolerance: int = 12) -> int:
    """How many pixels of a screenshot are within ``tolerance`` (per channel, 0-255) of ``colour``."""
    import io

    import matplotlib.image
    import numpy as np

    rgb = (matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3] * 255).round()
    want = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int(np.all(np.abs(rgb - want) <= tolerance, axis=-1).sum())


def _settled(page, timeout: float = 60_000, *, runs: bool = True) -> None:
    """The script run has finished and nothing on the page is stale (else we would read the previous run).

    ``runs=False`` after an event that runs nothing on the server (a tab chosen: the browser alone draws it;
    not the share link's expander, which reruns the script): no grace for a run to start.  The caller then
    checks with :func:`_ran_nothing` that none did.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # Let a rerun triggered by the last event start: on a loaded machine 150 ms was not enough, and
    # "notRunning" then described the previous run.  A run started since the last settled page (counted in
    # the page by _COUNT_RUNS; a page without the counter always waits) may already be over: fine.
    try:
        if runs:
            page.wait_for_function("window.__runsStarted > window.__runsSeen", timeout=2_000)
    except PlaywrightTimeout:
        pass
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    # settled, and every run started until now seen, in one look: a run starting after it is the next event's
    page.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=stApp]');"
        " if (!app || app.getAttribute('data-test-script-state') !== 'notRunning'"
        " || document.querySelectorAll('[data-stale=true]').length) return false;"
        " window.__runsSeen = window.__runsStarted; return true; }",
        timeout=timeout,
    )


def _ran_nothing(page) -> bool:
    """No script run started since the page last settled (an event taken to run nothing really ran nothing)."""
    return page.evaluate("window.__runsStarted === window.__runsSeen")


def _summary(page) -> str:
    return page.locator(".st-key-posterior_summary").inner_text().strip()


def _params(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def _sidebar_link(page) -> str:
    expander = page.locator("[data-testid=stSidebar] [data-testid=stExpander]", has_text="Share link")
    if not expander.locator("[data-testid=stCode]").is_visible():
        expander.locator("summary").click()
        _settled(page)
    return expander.locator("[data-testid=stCode]").inner_text().strip()


def _saved(page) -> dict:
    with page.expect_download() as info:
        page.locator("[data-testid=stSidebar]").get_by_role("button", name="Save scenario (JSON)").click()
    return json.loads(Path(info.value.path()).read_text())


def _assert_consistent(page, **expected: str) -> dict[str, str]:
    """Address bar == sidebar link == saved file (scalar fields and ledger), and the expected values are there."""
    for _ in range(40):  # a click can land while the previous run finishes: give its run time to arrive
        address = _params(page.url)
        if all(address.get(name) == value for name, value in expected.items()):
            break
        page.wait_for_timeout(250)
        _settled(page)
    for name, value in expected.items():
        assert address.get(name) == value, (name, address)
    assert _params(_sidebar_link(page)) == address
    # The saved file restores exactly the state the address bar holds (one conversion, beliefs.io.state).
    saved = validate(_saved(page))
    restored = encode(state_from_scenario(saved))
    if "scenario" not in address:  # a ledger loaded from nothing is saved under the name "my-scenario"
        assert restored.pop("scenario") == saved.name == "my-scenario"
    assert restored == address
    items = [v for k, v in address.items() if re.fullmatch(r"e\d+", k)]
    assert len(saved.evidence) == len(items)
    return address


def _reopened_matches(browser, server, page) -> None:
    """The link re-opened in a fresh session shows the same summary."""
    shown = _summary(page)
    again = _open(browser, server, urlsplit(_sidebar_link(page)).query)
    try:
        assert _summary(again) == shown
    finally:
        again.close()


def _slider(page, label: str):
    return page.locator("[data-testid=stSlider]", has_text=label).first.locator("input[type=range]")


def _number(page, label: str, value: str) -> None:
    box = page.locator("[data-testid=stNumberInput]", has_text=label).first.locator("input")
    box.fill(value)
    box.press("Enter")
    _settled(page)


def _text(page, label: str, value: str) -> None:
    box = page.locator("[data-testid=stTextInput]", has_text=label).first.locator("input")
    box.fill(value)
    box.press("Enter")
    _settled(page)


def _view(page, name: str) -> None:
    page.locator("[data-testid=stSidebar] label", has_text=name).first.click()
    _settled(page)


# -- 1. state never stale ------------------------------------------------------------------


def test_every_kind_of_widget_on_every_view_is_in_the_link_and_the_saved_file(browser, server):
    page = _open(browser, server, STATED)
    try:
        # Update: a slider (keyboard: one 0.01 step, issue 24.1), a toggle, a radio and a text box.
        _slider(page, "P(E | H)").focus()
        page.keyboard.press("ArrowRight")
        _settled(page)
        _assert_consistent(page, e0="p~0.76~0.25~1~~~~~stated 3-to-1")
        page.locator("[data-testid=stRadio]", has_text="Type the prior as").get_by_text("odds a:b").click()
        _settled(page)
        _text(page, "Exact prior", "1:3")
        _assert_consistent(page, entry="odds", prior="0.25")
        page.locator("[data-testid=stCheckbox]", has_text="include").first.click()
        _settled(page)
        _assert_consistent(page, e0="p~0.76~0.25~0~~~~~stated 3-to-1")
        assert "25% → 25%" in _summary(page)
        page.locator("[data-testid=stCheckbox]", has_text="include").first.click()
        _settled(page)
        _reopened_matches(browser, server, page)

        # Chain: a number input and a slider.
        _view(page, "Chain of successors")
        _number(page, "Steps n", "10")
        _assert_consistent(page, view="chain", ch_steps="10")
        _slider(page, "Per-step survival").focus()
        page.keyboard.press("ArrowLeft")
        _settled(page)
        _assert_consistent(page, ch_surv="0.979")

        # Monitoring: a number input.
        _view(page, "Monitoring")
        _number(page, "Tasks T", "500")
        _assert_consistent(page, view="monitoring", mo_tasks="500")

        # Analysis: a radio and a number input in a tab, a text box and a select box.
        _view(page, "Analysis")
        page.get_by_role("tab", name="Tornado").click()
        page.locator("[data-testid=stRadio]", has_text="Items with no stated uncertainty").get_by_text("a common factor").click()
        _settled(page)
        _number(page, "factor for items with no stated uncertainty", "3")
        _assert_consistent(page, view="analysis", an_unst="factor", an_factor="3.0")
        page.get_by_role("tab", name="Pooling").click()
        _text(page, "Forecasts P(H)", "0.2, 0.4")
        _assert_consistent(page, an_pool="0.2, 0.4")
        page.get_by_role("tab", name="Crux").click()
        page.locator("[data-testid=stSelectbox]", has_text="Compare with").click()
        page.get_by_role("option", name=re.compile("Greenblatt")).click()
        _settled(page)
        _assert_consistent(page, an_crux="greenblatt")

        # Back on Update, every setting made elsewhere is still in the link.
        _view(page, "Update")
        address = _assert_consistent(page, ch_steps="10", mo_tasks="500", an_factor="3.0", an_crux="greenblatt")
        assert address["view"] == "update" if "view" in address else True
        _reopened_matches(browser, server, page)
    finally:
        page.close()


# -- 2. entry without traps ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"), [("25", "= 25%"), ("25%", "= 25%"), ("0.25%", "= 0.25%"), ("0.75", "= 0.75%")]
)
def test_percent_entry_takes_what_is_written(browser, server, typed, shown):
    page = _open(browser, server, STATED)
    try:
        _text(page, "Exact prior", typed)
        main = page.locator("[data-testid=stMain]").inner_text()
        assert shown in main
        flagged = "taken as 0.75%" in _summary(page)
        assert flagged == (typed == "0.75")
        assert "did you mean" not in main
    finally:
        page.close()


def test_a_bad_ratio_is_not_applied_and_named_by_its_label(browser, server):
    """A ratio the item schema refuses leaves the item as it was (the guide: an error, state unchanged)."""
    page = _open(browser, server, "e0=lr~3.0~~1~~~~~the report&e1=lr~2.0~~1~~~~~a second look")
    try:
        assert "50% → 85.71%" in _summary(page)
        _text(page, "Likelihood ratio, typed", "0")
        summary = _summary(page)
        assert "50% → 85.71%" in summary and "1 item shows an invalid entry, not applied" in summary
        main = page.locator("[data-testid=stMain]").inner_text()
        assert "not applied: 'the report' likelihood ratio: got '0'" in main
        assert "e0=lr~3.0" in page.url  # the link holds the item as it is
        assert page.locator("[data-testid=stMain] [data-testid=stTextInput] input").nth(1).input_value() == "the report"
        _text(page, "Likelihood ratio, typed", "1e400")
        assert "got '1e400'" in page.locator("[data-testid=stMain]").inner_text()
        _text(page, "Likelihood ratio, typed", "1e36")
        box = page.locator("[data-testid=stTextInput]", has_text="Likelihood ratio, typed").first.locator("input")
        assert box.input_value() == "1e36"  # exactly as typed, not the slider's rounding
        assert "e0=lr~1e%2B36" in page.url or "e0=lr~1e+36" in page.url
        assert "not applied" not in _summary(page)
    finally:
        page.close()


# -- 3. the posterior in view ----------------------------------------------------------


@pytest.mark.parametrize(("width", "height", "tag"), [(1280, 900, "desktop"), (390, 844, "phone")])
def test_posterior_summary_stays_in_view_and_screenshots(browser, server, width, height, tag):
    page = _open(browser, server, f"prior=0.25&{STATED}", size=(width, height))
    try:
        page.screenshot(path=str(ARTIFACTS / f"update-{tag}.png"))
        page.mouse.move(width // 2 + 50, height // 2)
        page.mouse.wheel(0, 3000)
        page.wait_for_timeout(800)
        box = page.locator(".st-key-posterior_summary").bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height
        assert "25% → 50%" in _summary(page)
        page.screenshot(path=str(ARTIFACTS / f"update-{tag}-scrolled.png"))
        _view_or_menu(page, "Evidence from data", width)
        page.evaluate("document.querySelector('[data-testid=stMain]').scrollTo(0, 0)")
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"data-{tag}.png"))
    finally:
        page.close()


def _view_or_menu(page, name: str, width: int) -> None:
    if width < 600:  # the sidebar is collapsed on a phone
        page.locator("[data-testid=stExpandSidebarButton], [data-testid=stSidebarCollapsedControl] button").first.click()
        page.wait_for_timeout(300)
    _view(page, name)
    if width < 600:
        page.locator("[data-testid=stSidebar] [data-testid=stSidebarCollapseButton] button").first.click()
        page.wait_for_timeout(300)


# -- 4. the waterfall ---------------------------------------------------------------------


def test_waterfall_is_the_vega_chart_and_its_svg_shows_a_50_percent_posterior(browser, server):
    page = _open(browser, server, f"prior=0.25&{STATED}")
    try:
        page.wait_for_selector("[data-testid=stVegaLiteChart]", timeout=30_000)
        assert page.locator("[data-testid=stVegaLiteChart]").count() == 1  # no second (matplotlib) picture
        assert page.locator("[data-testid=stMain] [data-testid=stImage]").count() == 0
        # The chart on screen drew its bar (its data travel inside a layer of the spec, not as a table).
        assert _pixels_of(page.locator("[data-testid=stVegaLiteChart]").screenshot(), FOR_H) > 500
        with page.expect_download() as info:
            page.get_by_role("button", name="SVG").click()
        from tests.chart_checks import svg_texts

        texts = svg_texts(Path(info.value.path()).read_bytes())
        # Each level's row: its label ("prior", "posterior") above its diamond and its value.
        assert {"prior", "25%", "posterior", "50%"} <= set(texts), texts
    finally:
        page.close()


# -- 5. presets -------------------------------------------------------------------------------


def test_first_preset_is_the_3_to_1_update_from_25_percent_and_h_follows_presets(browser, server):
    page = _open(browser, server, STATED)
    try:
        page.get_by_role("button", name="A MIRI-ish view").wait_for(timeout=30_000)
        buttons = page.locator("[data-testid=stButton] button").all_inner_texts()
        first = next(b for b in buttons if "3-to-1" in b or "view" in b)
        assert first == "The thread's 3-to-1 update from 25%"
        page.get_by_role("button", name="The thread's 3-to-1 update from 25%").click()
        _settled(page)
        assert "25% → 50%" in _summary(page)
        page.get_by_role("button", name="Greenblatt's view (~25%)").click()
        _settled(page)
        main = page.locator("[data-testid=stMain]").inner_text()
        assert "H: The first AIs capable of obsoleting top human experts are scheming" in main
        assert "not H: they are not" in main
        page.get_by_role("button", name="Carlsmith's view (~25%)").click()
        _settled(page)
        main = page.locator("[data-testid=stMain]").inner_text()
        assert "H: A coherently goal-directed" in main
        assert _params(page.url)["cmp"] == "0.2"  # "maybe 20% now"
    finally:
        page.close()


# -- 6. the uploader is a fragment: a refused file re-runs only its box ------------------------------------


def _script_runs(page) -> list[int]:
    """Record the end of every script run the server reports (ForwardMsg.script_finished), in order."""
    from google.protobuf.message import DecodeError
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    runs: list[int] = []

    def frame(payload) -> None:
        if not isinstance(payload, bytes):
            return
        try:
            msg = ForwardMsg.FromString(payload)
        except DecodeError:  # a frame that is not one ForwardMsg says nothing about runs
            return
        if msg.WhichOneof("type") == "script_finished":
            runs.append(msg.script_finished)

    page.on("websocket", lambda ws: ws.on("framereceived", frame))
    return runs


def test_a_refused_upload_reruns_only_the_upload_box_and_a_good_one_the_whole_app(browser, server, tmp_path):
    """A refused scenario file changes nothing, so only the sidebar's load box runs again (one session's bad
    upload costs the server a small fragment run, not a whole page); a good file reloads the whole app."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from beliefs.io.scenario import get_scenario, scenario_to_json

    page = _new_page(browser, viewport={"width": 1280, "height": 900})
    runs = _script_runs(page)  # before the page connects, so the websocket is seen
    page.goto(f"{server}/?{STATED}", wait_until="domcontentloaded")
    page.locator("[data-testid=stSidebar] [data-testid=stDownloadButton]").first.wait_for(state="attached", timeout=90_000)
    _settled(page)
    try:
        before = _summary(page)
        bad = tmp_path / "bad.json"
        bad.write_text('{"format": "beliefs-scenario"}')
        started = len(runs)
        page.locator(".st-key-upload input[type=file]").set_input_files(str(bad))
        page.get_by_text("nothing was changed").wait_for(timeout=60_000)
        _settled(page)
        assert runs[started:] == [ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY], runs[started:]
        assert _summary(page) == before
        page.screenshot(path=str(ARTIFACTS / "refused-upload.png"))
        good = tmp_path / "good.json"
        good.write_text(scenario_to_json(get_scenario("report-3-to-1")))
        started = len(runs)
        page.locator(".st-key-upload input[type=file]").set_input_files(str(good))
        page.get_by_text("Loaded good.json.").wait_for(timeout=60_000)
        _settled(page)
        assert ForwardMsg.FINISHED_SUCCESSFULLY in runs[started:], runs[started:]
        assert "25% → 50%" in _summary(page)
        assert _params(page.url).get("scenario") == "report-3-to-1"
    finally:
        page.close()
