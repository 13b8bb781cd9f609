"""The Streamlit app through AppTest: what the page shows equals the library's closed forms."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from beliefs.evidence import Evidence
from beliefs.format import format_factor, format_probability
from beliefs.io.link import decode, encode
from beliefs.io.scenario import builtin_scenarios, get_scenario, parse_scenario, scenario_to_json
from beliefs.update import update

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60  # seconds per run; the first run imports scipy and matplotlib


def text_of(element) -> str:
    """What the reader sees of a Markdown element: its source without backslash escapes (common.plain adds them)."""
    return re.sub(r"\\(.)", r"\1", element.value)


# -- helpers ------------------------------------------------------------------------


@pytest.fixture
def media(monkeypatch):
    """Keep each run's in-memory media manager, so download buttons' bytes can be read back.

    AppTest builds a fresh MediaFileManager(MemoryMediaFileStorage) per run and
    exposes only URLs; recording the managers gives access to the stored files.
    """
    import streamlit.testing.v1.app_test as app_test_module

    managers = []

    class Recording(app_test_module.MediaFileManager):
        def __init__(self, storage):
            super().__init__(storage)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)
    return managers


def download_bytes(managers, button) -> bytes:
    """The file behind a download button of the last run; deferred buttons are executed as a click would."""
    manager = managers[-1]
    if button.proto.deferred_file_id:
        url = manager.execute_deferred(button.proto.deferred_file_id)
    else:
        url = button.proto.url
    assert url, f"download button {button.label!r} has no file"
    return manager.read_file(url.rsplit("/", 1)[-1]).content


def new_app(query: dict | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    return at.run()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def deltas(at) -> dict[str, str]:
    return {m.label: m.delta for m in at.metric}

def mcmc_metric(value: str, delta: str) -> tuple[float, float]:
    """The MCMC metric, ``"99.55%"`` over ``"± 0.017 pp (MCSE)"``, as (probability, MCSE) on the 0-1 scale."""
    mcse = re.fullmatch(r"± ([0-9.e+-]+) pp \(MCSE\)", delta.strip()).group(1)
    return float(value.strip().removesuffix("%")) / 100, float(mcse) / 100


def percent_metric(text: str) -> float:
    return float(text.strip().removesuffix("%")) / 100


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def add_item(at, kind="p", a=0.75, b=0.25):
    next(btn for btn in at.button if btn.label == "Add an item").click().run()
    uid = at.session_state["uids"][-1]
    if kind == "p":
        at.radio(key=f"w_{uid}_kind").set_value("p").run()
        at.slider(key=f"w_{uid}_a").set_value(a)
        at.slider(key=f"w_{uid}_b").set_value(b)
        at.run()
    else:
        at.text_input(key=f"w_{uid}_lr").input(repr(float(a))).run()
    return uid


def button(at, key):
    return next(b for b in at.download_button if b.key == key)


def parse_percent(text: str) -> float:
    return float(re.fullmatch(r"([0-9.e+-]+)%", text).group(1)) / 100


# -- every view ------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["update", "data", "chain", "monitoring", "analysis"])
def test_every_view_runs_cleanly(view):
    at = new_app({"view": view})
    assert_clean(at)
    assert at.session_state["values"]["view"] == view
    assert at.title[0].value


def test_first_page_draws_no_code_box_and_no_html_markdown():
    """What the first page load must not draw, for speed the user feels (bench/ app_start measures it).

    A code box makes the browser load its 1.5 MB syntax highlighter and Markdown with HTML a 190 kB
    parser: together ~1 s on every first load.  The share link and the export box draw their code
    boxes only once opened; opening them draws them.
    """
    at = new_app({"prior": "0.25", "e0": "p~0.75~0.25~1~~~~~stated 3-to-1"})
    assert_clean(at)
    assert not at.code
    assert not [m.value for m in at.markdown if m.proto.allow_html]
    at.session_state["open_share_link"] = True
    at.session_state["open_export"] = True
    at.run()
    assert_clean(at)
    codes = [c.value for c in at.code]
    assert any(c.startswith("?s=2") for c in codes)  # the export box's short link
    assert any("prior=0.25" in c for c in codes)  # the sidebar's share link holds the page's prior


def test_first_page_loads_no_pandas():
    """The first page's run imports no pandas: 0.3 s of every server's first page (bench app_start).

    Streamlit converts a chart's top-level data through pandas; the waterfall keeps its values inside a
    layer, which Streamlit passes on as they are.  (A ledger with items draws its table with st.dataframe,
    which needs pandas; the first page, 50% and no evidence yet, has none.)  A fresh interpreter, so no
    earlier test's import hides one.
    """
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout=120)\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        "assert at.get('vega_lite_chart'), 'no waterfall drawn'\n"
        "print('pandas' in sys.modules)\n"
    )
    env = {**os.environ, "BELIEFS_MCMC_WARMUP": "0", "PYTHONPATH": str(Path(APP).parent)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's")
def test_the_background_compile_runs_at_low_cpu_priority():
    """The MCMC warm-up compile yields the CPU to live pages; the thread that asks for it keeps its own."""
    import threading

    from app_pages import mcmc_panel

    base = os.getpriority(os.PRIO_PROCESS, 0)
    seen = {}

    def compile_thread():
        mcmc_panel._lower_priority()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    t = threading.Thread(target=compile_thread)
    t.start()
    t.join()
    assert seen["nice"] == max(mcmc_panel._COMPILE_NICE, base) > 0
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base


def test_a_click_during_the_warm_up_delay_compiles_at_once(monkeypatch):
    """The warm-up waits before compiling; a click meanwhile compiles at once, not after the wait."""
    import threading

    from app_pages import mcmc_panel

    calls = []
    monkeypatch.setattr(mcmc_panel, "_compile", lambda kind, size: calls.append(threading.current_thread().name))
    warm = threading.Thread(target=mcmc_panel._warm_compile, args=(3.0,), name="warm-up")
    warm.start()
    mcmc_panel._COMPILER.submit(mcmc_panel._compile, "partial", 0).result()  # what a click's _compile_job runs
    assert calls == ["beliefs-compile"]  # the warm-up is still waiting
    warm.join()
    assert calls == ["beliefs-compile", "warm-up"]


# -- the Update page against the closed form ---------------------------------------------


@pytest.mark.parametrize(
    ("prior_pct", "items"),
    [
        (50.0, [("p", 0.75, 0.25)]),  # the stated 3-to-1: 50% -> 75%
        (25.0, [("p", 0.75, 0.25)]),  # 1:3 -> 1:1
        (20.0, [("p", 0.9, 0.3)]),  # Arbital's diseasitis: 3:4 = 3/7
        (1.0, [("lr", 20.0, None), ("p", 0.4, 0.8), ("lr", 0.125, None)]),
        (99.9, [("lr", 1000.0, None)]),  # near certainty: "100% - ...%"
    ],
)
def test_posterior_shown_is_the_closed_form(prior_pct, items):
    at = new_app()
    at.slider(key="w_prior_slider").set_value(prior_pct).run()
    evidence = []
    for kind, a, b in items:
        add_item(at, kind, a, b)
        if kind == "p":
            evidence.append(Evidence("x", p_e_given_h=a, p_e_given_not_h=b))
        else:
            evidence.append(Evidence("x", likelihood_ratio=a))
    assert_clean(at)
    expected = update(prior_pct / 100, evidence)
    shown = metrics(at)
    assert shown["Posterior P(H)"] == format_probability(expected.posterior_log_odds)
    assert shown["Posterior odds"] == expected.posterior_odds_text
    assert shown["Evidence (bits)"] == f"{expected.bits:+.3f}"
    if expected.posterior < 0.999:
        # the text itself, parsed, is the posterior to its 4 significant digits
        assert parse_percent(shown["Posterior P(H)"]) == pytest.approx(expected.posterior, rel=5e-4)
    # each item shows "0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB"
    described = [m.value.strip("`").split("`")[0] for m in at.markdown if m.value.startswith("`")]
    assert described == [e.describe() for e in evidence]


def test_hand_worked_anchors_on_the_page():
    at = new_app()
    add_item(at, "p", 0.75, 0.25)
    assert metrics(at)["Posterior P(H)"] == "75%"
    assert metrics(at)["Posterior odds"] == "3:1"
    assert any("0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB" in m.value for m in at.markdown)
    at.slider(key="w_prior_slider").set_value(25.0).run()
    assert metrics(at)["Posterior P(H)"] == "50%"
    assert metrics(at)["Posterior odds"] == "1:1"


def test_switching_an_item_off_and_likelihood_ratio_mode():
    at = new_app()
    uid = add_item(at, "p", 0.75, 0.25)
    at.toggle(key=f"w_{uid}_on").set_value(False).run()
    assert metrics(at)["Posterior P(H)"] == "50%"
    at.toggle(key=f"w_{uid}_on").set_value(True).run()
    # switching to a likelihood ratio keeps the ratio (3) ...
    at.radio(key=f"w_{uid}_kind").set_value("lr").run()
    assert at.text_input(key=f"w_{uid}_lr").value == "3:1"
    assert metrics(at)["Posterior P(H)"] == "75%"
    # ... and the slider over the ratios people use moves to a stop exactly: 10:1
    at.select_slider(key=f"w_{uid}_ratio").set_value(10.0).run()
    assert at.text_input(key=f"w_{uid}_lr").value == "10:1"
    assert at.session_state["items"][0].likelihood_ratio == 10.0
    assert metrics(at)["Posterior odds"] == "10:1"
    assert_clean(at)
    # removing the item restores the prior
    at.button(key=f"rm_{uid}").click().run()
    assert at.session_state["items"] == ()
    assert metrics(at)["Posterior P(H)"] == "50%"


@pytest.mark.parametrize(
    ("entry", "text", "prior"),
    [("percent", "25", 0.25), ("odds", "1:3", 0.25), ("log-odds", "1.584962500721156 bits", 0.75)],
)
def test_exact_prior_entry(entry, text, prior):
    at = new_app()
    at.radio(key="w_entry").set_value(entry).run()
    at.text_input(key="w_prior_text").input(text).run()
    assert_clean(at)
    assert at.session_state["values"]["prior"] == pytest.approx(prior, rel=1e-14)
    assert at.slider(key="w_prior_slider").value == pytest.approx(100 * prior, abs=0.05)
    assert metrics(at)["Prior P(H)"] == format_probability(math.log(prior / (1 - prior)))


@pytest.mark.parametrize(
    ("entry", "text", "message"),
    [
        ("percent", "25%%", "prior: got '25%%'; expected a percentage in [0, 100], e.g. 25 or 25% or 0.25% — "),
        ("odds", "3-1", "prior: got '3-1'; expected odds a:b"),
        ("percent", "", "prior: got ''"),
    ],
)
def test_bad_prior_text_shows_the_library_message_and_keeps_the_prior(entry, text, message):
    at = new_app({"prior": "0.3"})
    at.radio(key="w_entry").set_value(entry).run()
    at.text_input(key="w_prior_text").input(text).run()
    assert not at.exception
    assert any(text_of(e).startswith(message) for e in at.error), [text_of(e) for e in at.error]
    assert at.session_state["values"]["prior"] == 0.3


def test_bad_evidence_values_show_errors_not_tracebacks():
    """A value the item schema refuses is not applied: the item keeps its last valid value and the row says why
    (the guide: an error in the app with state unchanged)."""
    at = new_app()
    uid = add_item(at, "p", 0.75, 0.25)
    link = dict(at.query_params)
    at.slider(key=f"w_{uid}_a").set_value(0.0).run()
    assert not at.exception
    assert [text_of(e) for e in at.error] == [
        "not applied: 'item 1' P(E|H): got '0'; expected a probability in (0, 1] "
        "(a likelihood of exactly 0 would be infinitely strong evidence) — the item keeps its last valid value, "
        "shown below",
    ]
    assert metrics(at)["Posterior P(H)"] == "75%"  # the item as it was: 0.75 vs 0.25
    assert at.session_state["items"][0].p_e_given_h == 0.75 and dict(at.query_params) == link
    assert any(c.value.endswith("1 item shows an invalid entry, not applied (the item keeps its last valid value)")
               for c in at.caption)  # fmt: skip
    at.radio(key=f"w_{uid}_kind").set_value("lr").run()
    assert_clean(at)  # switching how it is stated starts from the item's own ratio, 3
    at.text_input(key=f"w_{uid}_lr").input("-2").run()
    assert not at.exception
    assert any(text_of(e).startswith("not applied: 'item 1' likelihood ratio: got '-2'") for e in at.error)
    assert metrics(at)["Posterior P(H)"] == "75%"
    at.text_input(key=f"w_{uid}_lr").input("9").run()
    assert_clean(at)
    assert metrics(at)["Posterior P(H)"] == "90%"
    assert len(at.session_state["items"]) == 1


@pytest.mark.parametrize("prior_pct", [0.0, 100.0])
def test_certain_prior_is_explained_not_nan(prior_pct):
    at = new_app()
    add_item(at, "lr", 3.0)
    at.slider(key="w_prior_slider").set_value(prior_pct).run()
    assert not at.exception
    notes = [w.value for w in at.warning]
    assert any("Cromwell" in n for n in notes)
    shown = " ".join(metrics(at).values()) + " ".join(m.value for m in at.markdown)
    assert "nan" not in shown.lower()
    assert metrics(at)["Posterior P(H)"] == ("0% (certain)" if prior_pct == 0 else "100% (certain)")


def test_uncertain_evidence_shows_a_distribution():
    at = new_app()
    uid = add_item(at, "lr", 3.0)
    at.number_input(key=f"w_{uid}_spread").set_value(0.8).run()
    assert_clean(at)
    shown = metrics(at)
    # Independent oracle: ln LR ~ N(ln 3, 0.8) on even odds -> posterior median exactly 3/4,
    # P(posterior > 0.5) = Phi(ln 3 / 0.8).
    from scipy import stats

    assert parse_percent(shown["Median posterior"]) == pytest.approx(0.75, abs=0.005)
    assert parse_percent(shown["P(posterior > 50%)"]) == pytest.approx(stats.norm.cdf(math.log(3) / 0.8), abs=0.01)
    lo, hi = (float(x.strip().rstrip("%")) / 100 for x in shown["90% interval"].split("–"))
    z = stats.norm.ppf(0.95) * 0.8
    assert lo == pytest.approx(1 / (1 + math.exp(-(math.log(3) - z))), abs=0.01)
    assert hi == pytest.approx(1 / (1 + math.exp(-(math.log(3) + z))), abs=0.01)


# -- closed-form views ------------------------------------------------------------------


def test_chain_view_matches_the_closed_form():
    at = new_app({"view": "chain"})
    assert_clean(at)
    assert metrics(at)["P(success) after 35 steps"] == format_probability(math.log(0.98**35 / (1 - 0.98**35)))
    at.number_input(key="w_ch_steps").set_value(100).run()
    assert parse_percent(metrics(at)["P(success) after 100 steps"]) == pytest.approx(
        0.98**100, rel=5e-4
    )  # 0.133


def test_chain_view_band_under_uncertainty():
    at = new_app({"view": "chain", "ch_conc": "100", "ch_steps": "10"})
    assert_clean(at)
    from scipy import stats

    # s ~ Beta(98, 2): quantiles of s^10 are the 10th powers of the quantiles of s.
    lo, hi = (float(x.strip().rstrip("%")) / 100 for x in metrics(at)["90% interval"].split("–"))
    assert lo == pytest.approx(stats.beta.ppf(0.05, 98, 2) ** 10, rel=2e-3)
    assert hi == pytest.approx(stats.beta.ppf(0.95, 98, 2) ** 10, rel=2e-3)


def test_chain_view_deterministic_drift_matches_the_product():
    at = new_app({"view": "chain", "ch_drift": "0.05", "ch_steps": "20", "ch_surv": "0.98"})
    assert_clean(at)
    # No spread: every simulated chain is b * prod_{i<n} expit(logit(0.98) - 0.05 i), exactly.
    logit = math.log(0.98 / 0.02)
    expected = math.prod(1 / (1 + math.exp(-(logit - 0.05 * i))) for i in range(20))
    assert parse_percent(metrics(at)["P(success) after 20 steps"]) == pytest.approx(expected, rel=5e-4)


def test_monitoring_view_with_an_uncertain_rate_matches_quadrature():
    from scipy import integrate, stats

    at = new_app(
        {"view": "monitoring", "mo_rate": "0.01", "mo_report": "0.9", "mo_tasks": "100", "mo_conc": "50"}
    )
    assert_clean(at)
    caption = next(c.value for c in at.caption if c.value.startswith("With r uncertain"))
    mean = parse_percent(caption.split("mean ")[1].split(" ")[0])
    beta = stats.beta(0.5, 49.5)
    expected, _ = integrate.quad(
        lambda r: (1 - (1 - 0.1 * r) ** 100) * beta.pdf(r), 0, 1, points=[0.01, 0.05]
    )
    assert mean == pytest.approx(expected, abs=3e-3)  # 20,000 draws: MC error ~5e-4


def test_monitoring_view_matches_the_formula():
    at = new_app({"view": "monitoring", "mo_rate": "0.01", "mo_report": "0.9", "mo_tasks": "100"})
    assert_clean(at)
    expected = 1 - (1 - 0.01 * (1 - 0.9)) ** 100  # 0.095208
    assert parse_percent(metrics(at)["P(≥1 unreported) over 100 tasks"]) == pytest.approx(expected, rel=1e-3)


# -- share links ---------------------------------------------------------------------------


def test_query_params_restore_the_state_exactly():
    source = new_app()
    source.slider(key="w_prior_slider").set_value(25.0).run()
    add_item(source, "p", 0.75, 0.25)
    uid = add_item(source, "lr", 0.5)
    source.text_input(key=f"w_{uid}_label").input("halving").run()
    link = dict(source.query_params)
    assert link["prior"] == "0.25"
    restored = new_app(link)
    assert_clean(restored)
    assert not restored.warning
    assert metrics(restored) == metrics(source)
    assert decode(restored.query_params)[0] == decode(link)[0]
    assert [e.label for e in restored.session_state["items"]] == ["item 1", "halving"]


def test_tampered_link_warns_and_falls_back_per_field():
    at = new_app(
        {"prior": "2", "e0": "p~0.75~0.25~1~~~~~stated", "e1": "lr~-1~~1~~~~~bad", "mo_tasks": "many"}
    )
    assert not at.exception
    text = " ".join(text_of(w) for w in at.warning)
    assert "prior: got '2'" in text and "e1.likelihood_ratio: got" in text and "mo_tasks: got 'many'" in text
    assert at.session_state["values"]["prior"] == 0.5  # default
    assert [e.label for e in at.session_state["items"]] == ["stated"]  # the good item stays
    assert metrics(at)["Posterior P(H)"] == "75%"


# -- saving, loading and downloads -------------------------------------------------------------


def test_downloads_carry_real_files(media):
    at = new_app({"prior": "0.25", "e0": "p~0.75~0.25~1~~~~~stated 3-to-1", "e1": "lr~0.5~~1~~~~~halving"})
    assert_clean(at)
    png = download_bytes(media, button(at, "dl_waterfall_png"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = download_bytes(media, button(at, "dl_waterfall_svg"))
    assert ET.fromstring(svg).tag.endswith("svg")
    pdf = download_bytes(media, button(at, "dl_waterfall_pdf"))
    assert pdf.startswith(b"%PDF-")
    rows = list(csv.DictReader(io.StringIO(download_bytes(media, button(at, "dl_waterfall_csv")).decode())))
    # The CSV is the hand-worked ledger: 1:3 -> 1:1 -> 1:2.
    assert [r["label"] for r in rows] == ["prior", "stated 3-to-1", "halving", "posterior"]
    assert [float(r["probability_after"]) for r in rows] == pytest.approx(
        [0.25, 0.5, 1 / 3, 1 / 3], rel=1e-12
    )
    assert float(rows[1]["change_db"]) == pytest.approx(10 * math.log10(3), rel=1e-12)
    saved = parse_scenario(download_bytes(media, button(at, "dl_scenario_json")))
    assert saved.prior == 0.25
    assert [e.label for e in saved.evidence_items()] == ["stated 3-to-1", "halving"]
    assert saved.result().posterior == pytest.approx(1 / 3, rel=1e-14)
    assert json.loads(scenario_to_json(saved))["format"] == "beliefs-scenario"


@pytest.mark.parametrize("view,key", [("chain", "dl_chain"), ("monitoring", "dl_monitoring")])
def test_curve_downloads(media, view, key):
    at = new_app({"view": view})
    png = download_bytes(media, button(at, f"{key}_png"))
    assert png.startswith(b"\x89PNG")
    rows = list(csv.reader(io.StringIO(download_bytes(media, button(at, f"{key}_csv")).decode())))
    assert len(rows) > 10 and all(0 <= float(r[1]) <= 1 for r in rows[1:])
    if view == "chain":
        steps = {int(float(r[0])): float(r[1]) for r in rows[1:]}
        assert steps[35] == pytest.approx(0.98**35, rel=1e-12)


def test_scenario_file_round_trips(media):
    source = new_app(
        {
            "prior": "0.2",
            "e0": "p~0.9~0.3~1~~~~~test",
            "ch_steps": "12",
            "scenario": "mine",
            "mo_tasks": "50",
            # Display settings travel in the file's "app" block, so the whole state round-trips.
            "thr": "0.8",
            "ci": "0.8",
            "entry": "odds",
            "ch_tau": "0.3",
        }
    )
    saved = download_bytes(media, button(source, "dl_scenario_json"))
    target = new_app()
    target.file_uploader(key="upload").set_value(("mine.json", saved, "application/json")).run()
    assert_clean(target)
    assert encode(decode(dict(target.query_params))[0]) == encode(decode(dict(source.query_params))[0])
    assert metrics(target)["Posterior P(H)"] == "42.86%"  # 3:4 = 3/7


_SCENARIO = {"format": "beliefs-scenario", "version": 1}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"{not json", "scenario: got '{not json'; expected valid JSON"),
        (json.dumps({**_SCENARIO, "prior": 7}).encode(), "prior: got 7; expected a probability in [0, 1]"),
        (
            json.dumps(
                {
                    **_SCENARIO,
                    "prior": 0.5,
                    "evidence": [{"label": "x", "p_e_given_h": 0.75, "p_e_given_not_h": 0}],
                }
            ).encode(),
            "evidence[0].p_e_given_not_h: got 0; expected a probability in (0, 1]",
        ),
        (json.dumps({"prior": 0.5}).encode(), "format: got nothing; expected 'beliefs-scenario'"),
        (b"\xff\xfe", "scenario: got 'byte 0'; expected UTF-8 text"),
        (
            json.dumps({**_SCENARIO, "prior": 0.5, "models": {"chain": {"drift": 5}}}).encode(),
            "models.chain.drift: got 5.0; expected a number in [-0.2, 0.2]",
        ),
    ],
)
def test_invalid_upload_is_rejected_and_state_unchanged(content, fragment):
    at = new_app({"prior": "0.25", "e0": "p~0.75~0.25~1~~~~~stated"})
    before = (dict(at.session_state["values"]), at.session_state["items"])
    at.file_uploader(key="upload").set_value(("bad.json", content, "application/json")).run()
    assert not at.exception
    errors = [text_of(e) for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("bad.json: ") and fragment in errors[0], errors
    assert "nothing was changed" in errors[0]
    after = (dict(at.session_state["values"]), at.session_state["items"])
    assert after == before
    assert metrics(at)["Posterior P(H)"] == "50%"


# -- speed --------------------------------------------------------------------------------------


def test_slider_reruns_cleanly_and_reports_its_time(capsys):
    at = new_app({"e0": "p~0.75~0.25~1~~~~~stated", "e1": "lr~0.5~~1~~~~~halving"})
    at.slider(key="w_prior_slider").set_value(30.0).run()  # warm-up
    times = []
    for i in range(10):
        t0 = time.perf_counter()
        at.slider(key="w_prior_slider").set_value(31.0 + i).run()
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    with capsys.disabled():
        print(f"\nUpdate page rerun after a slider move: median {1000 * median:.0f} ms over 10")
    assert_clean(at)
    # The figure is reported, not asserted: speed belongs to bench/ (make bench), where it is
    # measured against a reference app in the same run. Here: the reruns happened and were clean.
    assert len(times) == 10


# -- scenarios and the catalogue ----------------------------------------------------------------


def test_stated_3_to_1_reproduces_its_table():
    at = new_app()
    at.button(key="preset_stated-3-to-1").click().run()
    assert_clean(at)
    expected = get_scenario("stated-3-to-1")
    shown = metrics(at)
    assert shown["Prior P(H)"] == "50%"
    assert shown["Posterior P(H)"] == "75%"
    assert shown["Posterior odds"] == "3:1"
    # LR 3 = log2(3) = 1.585 bits = 10 log10(3) = 4.77 dB
    assert shown["Evidence (bits)"] == f"{math.log2(3):+.3f}" == "+1.585"
    assert any("0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB" in m.value for m in at.markdown)
    compare = next(d.value for d in at.dataframe if "prior odds" in d.value.columns)
    assert compare.to_dict("records") == [
        {"prior": "25%", "prior odds": "1:3", "posterior": "50%", "posterior odds": "1:1"}
    ]
    assert [r.posterior for r in expected.compare_results()] == pytest.approx([0.5], rel=1e-14)
    captions = " ".join(c.value for c in at.caption)
    assert "Status **P**: read in the primary text" in captions
    # the loaded scenario lives in the link too
    assert at.query_params["scenario"] == "stated-3-to-1" and at.query_params["cmp"] == "0.25"


@pytest.mark.parametrize("name", sorted(set(builtin_scenarios()) - {"stated-3-to-1"}))
def test_every_builtin_scenario_loads_and_matches_the_library(name):
    at = new_app()
    at.button(key=f"preset_{name}").click().run()
    assert_clean(at)
    expected = get_scenario(name).result()
    assert metrics(at)["Posterior P(H)"] == format_probability(expected.posterior_log_odds)
    assert metrics(at)["Posterior odds"] == expected.posterior_odds_text


def test_every_preset_button_has_a_readable_name_that_fits():
    """A button showed the slug "rare-scheming", and a 36-character name was cut off at 1280 px in 3 columns."""
    at = new_app()
    labels = {b.key.removeprefix("preset_"): b.label for b in at.button if (b.key or "").startswith("preset_")}
    assert set(labels) == set(builtin_scenarios())
    # The page's order (what a phone stacks top to bottom) is the presets' order, the thread's update first.
    assert list(labels)[:3] == ["report-3-to-1", "stated-3-to-1", "report-confusion"]
    for name, label in labels.items():
        assert label != name and " " in label, (name, label)
        assert len(label) <= 35, (name, label)  # 35 characters fit a third of the page at 1280 px


def test_catalogue_item_carries_its_source_and_status():
    at = new_app()
    at.selectbox(key="w_catalogue_pick").set_value("antischeming_o3_covert_rate").run()
    next(b for b in at.button if b.label == "Add from catalogue").click().run()
    assert_clean(at)
    row = {"id": at.session_state["items"][0].id, "uid": at.session_state["uids"][0]}
    assert row["id"] == "antischeming_o3_covert_rate"
    captions = " ".join(c.value for c in at.caption)
    assert "arXiv:2509.15541" in captions and "Status **P**" in captions
    asked = " ".join(i.value for i in at.info)  # the figures stand beside the inputs that ask for a strength
    assert "13%" in asked and "0.4%" in asked
    # neutral until the user judges it: LR 1
    assert metrics(at)["Posterior P(H)"] == "50%"
    at.slider(key=f"w_{row['uid']}_a").set_value(0.75).run()
    at.slider(key=f"w_{row['uid']}_b").set_value(0.25).run()
    assert metrics(at)["Posterior P(H)"] == "75%"
    # the link carries the id; the restored page looks the source up again
    restored = new_app(dict(at.query_params))
    assert "Status **P**" in " ".join(c.value for c in restored.caption)


# -- evidence from data ---------------------------------------------------------------------------


def _oracle_log_bf(counts, h, not_h):
    """Independent: product of scipy's beta-binomial pmfs under each hypothesis."""
    from scipy import stats

    return sum(stats.betabinom.logpmf(k, n, *h) - stats.betabinom.logpmf(k, n, *not_h) for k, n in counts)


def test_data_view_bayes_factor_matches_an_independent_oracle():
    counts = [(1, 10), (0, 10), (3, 40)]
    at = new_app(
        {
            "view": "data",
            "da_src": "custom",
            "da_env": "1/10,0/10,3/40",
            "da_pool": "none",
            "da_h_a": "1",
            "da_h_b": "9",
            "da_n_a": "1",
            "da_n_b": "99",
        }
    )
    assert_clean(at)
    log_bf = _oracle_log_bf(counts, (1, 9), (1, 99))
    shown = metrics(at)
    assert float(shown["Bayes factor for H"]) == pytest.approx(math.exp(log_bf), rel=5e-4)
    post = 1 / (1 + math.exp(-log_bf))
    assert shown["P(H) after the data (prior 50%)"] == format_probability(log_bf)
    assert parse_percent(shown["P(H) after the data (prior 50%)"]) == pytest.approx(post, rel=5e-4)
    assert (
        "pymc" not in __import__("sys").modules or True
    )  # (PyMC may be loaded by other tests in this process)
    # Adding it to the ledger gives the same posterior on the Update page.
    next(b for b in at.button if b.label == "Add this Bayes factor to the ledger").click().run()
    at.radio(key="w_view").set_value("update").run()
    assert metrics(at)["Posterior P(H)"] == format_probability(log_bf)


# o3 before anti-scheming training, Fig. 9, in percent, all 20 evaluations (research/fig9.csv; row
# alignment settled in the notes' Update 2026-11-27).
_O3_BEFORE_PCT = [2.8, 44.6, 20.5, 1.7, 23.1, 1.0, 8.0, 3.0, 0.8, 0.0, 0.0, 25.6, 46.7, 0.1, 31.8, 21.3, 0.1, 0.3, 0.0, 24.2]


def test_data_view_2025_rates_state_the_assumption():
    at = new_app({"view": "data", "da_model": "o3", "da_when": "before", "da_n": "200", "da_pool": "none"})
    assert_clean(at)
    warning = " ".join(w.value for w in at.warning)
    assert "Assumption, not data" in warning and "n = 200" in warning and "derived, not published" in warning
    counts = [(round(pct * 2), 200) for pct in _O3_BEFORE_PCT]  # rate x 200, rounded
    assert metrics(at)["Data"] == f"{sum(k for k, _ in counts)}/{200 * len(counts)}"
    log_bf = _oracle_log_bf(counts, (1, 9), (1, 99))
    assert metrics(at)["Bayes factor for H"] == format_factor(log_bf)


def test_data_view_elicits_a_beta_from_an_interval():
    from scipy import stats

    at = new_app({"view": "data"})
    at.number_input(key="el_h_lo").set_value(0.01)
    at.number_input(key="el_h_hi").set_value(0.2)
    at.button(key="el_h_go").click().run()
    assert_clean(at)
    a, b = at.session_state["values"]["da_h_a"], at.session_state["values"]["da_h_b"]
    assert stats.beta.cdf(0.2, a, b) - stats.beta.cdf(0.01, a, b) == pytest.approx(0.9, abs=5e-3)
    assert at.number_input(key="w_da_h_a").value == a
    at.number_input(key="el_n_lo").set_value(0.0)
    at.button(key="el_n_go").click().run()
    assert not at.exception
    assert any(e.value.startswith("lower: got 0.0") for e in at.error)


def test_data_view_bad_counts_show_an_error():
    at = new_app({"view": "data", "da_src": "custom"})
    at.run()
    # k > n typed into the link is refused per field; an in-page k > n is refused by the library
    bad = new_app({"view": "data", "da_src": "custom", "da_env": "5/3"})
    assert not bad.exception
    assert any("da_env[0].k: got '5'" in text_of(w) for w in bad.warning)


def test_pymc_is_not_imported_by_closed_form_views():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"for view in ('update', 'chain', 'monitoring', 'analysis', 'data'):\n"
        f"    at = AppTest.from_file({APP!r}, default_timeout={TIMEOUT})\n"
        "    at.query_params['view'] = view\n"
        "    at.run()\n"
        "    assert not at.exception, view\n"
        "print('pymc' in sys.modules, 'pytensor' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "False False"


# -- analysis -------------------------------------------------------------------------------------


def test_analysis_view_reverse_bayes_and_downloads(media):
    at = new_app({"view": "analysis", "prior": "0.25", "e0": "p~0.75~0.25~1~~~~~stated"})
    assert_clean(at)
    # From 25% (1:3) to 90% (9:1) takes 27:1 = log2 27 bits.
    assert any(
        f"takes a likelihood ratio of 27:1 (for H): {math.log2(27):+.3f} bits" in m.value for m in at.markdown
    )
    rows = list(csv.DictReader(io.StringIO(download_bytes(media, button(at, "dl_sequential_csv")).decode())))
    assert len(rows) == 2
    png = download_bytes(media, button(at, "dl_tornado_png"))
    assert png.startswith(b"\x89PNG")


# -- MCMC on request --------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group("app_mcmc")
def test_partial_pooling_on_request_matches_quadrature():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=600)
    at.query_params.update({"view": "data", "da_src": "custom", "da_env": "1/20,0/20,2/20"})
    at.run()
    next(b for b in at.button if b.label == "Run partial pooling").click().run()
    assert_clean(at)
    shown = metrics(at)
    mcmc, mcse = mcmc_metric(shown["P(H | data), MCMC"], deltas(at)["P(H | data), MCMC"])
    exact = percent_metric(shown["P(H | data), quadrature"])
    assert abs(mcmc - exact) <= 4 * mcse
    assert abs(float(shown["z vs exact"])) <= 4
    assert float(shown["R-hat"]) <= 1.01
    assert int(shown["Divergences"]) == 0
    # live: new data re-samples the compiled model (no recompilation) within a few seconds
    from models.sampling import compile_count

    before = compile_count()
    at.number_input(key="w_da_h_b").set_value(19.0).run()  # a new rate prior under H
    assert_clean(at)
    assert compile_count() == before  # (how fast is bench/'s business: no timed assertion here)
    shown = metrics(at)
    mcmc2, mcse2 = mcmc_metric(shown["P(H | data), MCMC"], deltas(at)["P(H | data), MCMC"])
    exact2 = percent_metric(shown["P(H | data), quadrature"])
    assert exact2 != exact
    assert abs(mcmc2 - exact2) <= 4 * mcse2
    assert float(shown["R-hat"]) <= 1.01


def test_analysis_data_robustness_csv_against_the_oracle(media):
    # no pooling, as the data page is set (the section uses the data page's model)
    at = new_app(
        {"view": "analysis", "da_src": "custom", "da_env": "1/10,0/10,3/40", "da_h_b": "9", "da_n_b": "99",
         "da_pool": "none"}
    )  # fmt: skip
    assert_clean(at)
    rows = list(
        csv.DictReader(io.StringIO(download_bytes(media, button(at, "dl_data-robustness_csv")).decode()))
    )
    assert len(rows) >= 100
    counts = [(1, 10), (0, 10), (3, 40)]
    # each hypothesis keeps its concentration a + b (10 under H, 100 under not H) while its mean varies
    for row in rows[:: max(1, len(rows) // 7)]:
        mh, mn = float(row["h_mean_rate"]), float(row["not_h_mean_rate"])
        oracle = _oracle_log_bf(counts, (10 * mh, 10 * (1 - mh)), (100 * mn, 100 * (1 - mn)))
        assert float(row["log10_bf"]) == pytest.approx(oracle / math.log(10), rel=1e-9, abs=1e-9)
        assert float(row["posterior"]) == pytest.approx(1 / (1 + math.exp(-oracle)), rel=1e-9, abs=1e-12)


def test_analysis_pooling_and_crux(media):
    at = new_app({"view": "analysis", "prior": "0.1", "e0": "p~0.75~0.25~1~~~~~stated"})
    assert_clean(at)
    at.text_input(key="w_an_pool").input("0.1, 0.9").run()
    assert_clean(at)
    pooled = list(csv.DictReader(io.StringIO(download_bytes(media, button(at, "dl_pool_csv")).decode())))
    # odds 1:9 and 9:1 have geometric mean 1:1
    gm = next(r for r in pooled if r["kind"] == "geometric_mean_odds")
    assert float(gm["probability"]) == pytest.approx(0.5, abs=1e-12)
    at.selectbox(key="w_an_crux").set_value("report-3-to-1").run()
    assert_clean(at)
    crux = list(csv.DictReader(io.StringIO(download_bytes(media, button(at, "dl_crux_csv")).decode())))
    # the prior gap: log2(1/9) - log2(1/3) = -log2(3) bits; the parts add up to the posterior gap
    prior_row = next(r for r in crux if r["label"] == "prior")
    assert float(prior_row["bits"]) == pytest.approx(-math.log2(3), rel=1e-12)
    other = get_scenario("report-3-to-1").result()
    mine = update(0.1, [Evidence("x", p_e_given_h=0.75, p_e_given_not_h=0.25)])
    gap_bits = (mine.posterior_log_odds - other.posterior_log_odds) / math.log(2)
    assert sum(float(r["bits"]) for r in crux) == pytest.approx(gap_bits, rel=1e-9, abs=1e-12)


_LOW = {
    "prior": "0", "thr": "1e-06", "ci": "0.01", "ch_base": "0", "ch_surv": "0", "ch_steps": "1",
    "ch_drift": "-0.2", "ch_mu_sd": "5", "ch_tau": "5", "mo_rate": "0", "mo_report": "0", "mo_collude": "0",
    "mo_tasks": "1", "da_n": "1", "da_h_a": "0.001", "da_h_b": "0.001", "da_n_a": "0.001", "da_n_b": "0.001",
    "e0": "lr~1e-300~~1~~~~~tiny", "e1": "p~1~1~1~~~~~certain-ish",
}  # fmt: skip
_HIGH = {
    "prior": "1", "thr": "0.999999", "ci": "0.99", "ch_base": "1", "ch_surv": "1", "ch_steps": "1000",
    "ch_conc": "1000000", "mo_rate": "1", "mo_report": "1", "mo_collude": "1", "mo_tasks": "10000000",
    "mo_conc": "1000000", "da_n": "100000", "da_h_a": "10000", "da_h_b": "10000", "da_n_a": "10000",
    "da_n_b": "10000", "e0": "lr~1e300~~1~100~~~~huge",
}  # fmt: skip


@pytest.mark.parametrize("extreme", [_LOW, _HIGH], ids=["low", "high"])
@pytest.mark.parametrize("view", ["update", "data", "chain", "monitoring", "analysis"])
def test_every_accepted_link_value_renders_without_a_traceback(view, extreme):
    # The link validators and the widgets' bounds must agree, or a valid link would crash a widget.
    at = new_app({**extreme, "view": view})
    assert not at.exception, [e.value for e in at.exception]
    assert not any("unknown parameter" in w.value or "got" in w.value for w in at.warning), [
        w.value for w in at.warning
    ]


def _labelled(shown: dict, words: str):
    # The before/after metrics are named for what they are (beliefs.reproduce.BEFORE_AFTER_QUANTITIES).
    (label,) = [k for k in shown if words in k]
    assert "hierarchical model" in label
    return shown[label]


@pytest.mark.slow
@pytest.mark.xdist_group("app_mcmc")
def test_before_after_on_request_brackets_the_raw_rates():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=900)
    at.query_params.update({"view": "data", "da_model": "o3", "da_n": "100"})
    at.run()
    next(b for b in at.button if b.label == "Run before/after training model").click().run()
    assert not at.exception
    shown = {m.label: (m.value, m.delta) for m in at.metric}
    assert float(shown["R-hat"][0]) <= 1.01
    assert int(shown["Divergences"][0]) == 0
    # Oracle: the raw mean of the derived per-evaluation rates (o3 before: sum(k) / sum(n)).
    raw_before = sum(round(p) for p in _O3_BEFORE_PCT) / (100 * len(_O3_BEFORE_PCT))
    lo, hi = (
        float(x.rstrip("%")) / 100 for x in _labelled(shown, "rates before training")[1].removeprefix("90%: ").split(" to ")
    )
    assert lo <= raw_before <= hi
    _, hi_after = (
        float(x.rstrip("%")) / 100 for x in _labelled(shown, "rates after training")[1].removeprefix("90%: ").split(" to ")
    )
    assert hi_after < lo  # training reduced the rate


def _ledger_link(n: int) -> dict:
    return {"prior": "0.25", **{f"e{i}": f"lr~{1.1 + i / 100:g}~~1~~~~~item {i}" for i in range(n)}}


def test_a_long_ledger_draws_one_items_controls_and_edits_stay_exact():
    """Past FULL_LEDGER_MAX items the rerun's widgets do not grow with the ledger; edits reach the posterior and the link."""
    from app_pages.update_page import FULL_LEDGER_MAX

    small, big = new_app(_ledger_link(2)), new_app(_ledger_link(40))
    assert_clean(big)
    # Bounded work: the 40-item page draws no more item widgets than a ledger at the threshold would.
    assert len(big.text_input) <= len(small.text_input) + FULL_LEDGER_MAX
    table = big.dataframe[0].value
    assert list(table["item"]) == [f"item {i}" for i in range(40)]
    uids = big.session_state["uids"]
    assert big.text_input(key=f"w_{uids[0]}_lr").value == "1.1:1"  # the one ratio format, not 1.1000000000000001
    uid = uids[30]
    big.selectbox(key="w_ledger_pick").set_value(uid).run()
    big.text_input(key=f"w_{uid}_lr").input("1e36").run()
    big.text_input(key=f"w_{uid}_label").input("the 31st").run()
    assert_clean(big)
    assert big.selectbox(key="w_ledger_pick").value == uid  # editing the label keeps the item picked
    expected = update(0.25, [Evidence(f"x{i}", likelihood_ratio=1e36 if i == 30 else 1.1 + i / 100) for i in range(40)])
    assert metrics(big)["Posterior P(H)"] == format_probability(expected.posterior_log_odds)
    state = decode(dict(big.query_params))[0]
    assert state.items[30].likelihood_ratio == 1e36 and state.items[30].label == "the 31st"
    assert big.dataframe[0].value["item"][30] == "the 31st"
    # Removing the picked item picks another; the ledger shrinks below the threshold and every row is drawn again.
    big.button(key=f"rm_{uid}").click().run()
    assert_clean(big)
    assert len(big.session_state["items"]) == 39


def test_other_priors_box_follows_the_prior_entry_mode():
    at = new_app({"prior": "0.5", "e0": "lr~3~~1~~~~~x"})
    assert at.session_state["values"]["entry"] == "percent"
    at.text_input(key="w_cmp").input("25, 20%").run()
    assert_clean(at)
    assert at.query_params["cmp"] == "0.25,0.2"  # percent, as the prior box reads it, not fractions
    compare = next(d.value for d in at.dataframe if "prior odds" in d.value.columns)
    assert list(compare["posterior"]) == ["50%", format_probability(update(0.2, [Evidence("x", likelihood_ratio=3.0)]).posterior_log_odds)]
    at.radio(key="w_entry").set_value("odds").run()
    assert at.text_input(key="w_cmp").value == "1:3, 1:4"
    at.text_input(key="w_cmp").input("1:9").run()
    assert_clean(at)
    assert at.query_params["cmp"] == "0.1"
    at.text_input(key="w_cmp").input("1:9, 2").run()
    assert any("compare priors[1]" in text_of(e) for e in at.error)
    assert at.session_state["values"]["cmp"] == "0.1"  # unchanged by the bad entry
