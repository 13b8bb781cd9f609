"""The interactive HTML report in headless Chromium with the network refused (issue 23.1's tests).

For every built-in scenario and a ledger with a dependence group and a disabled item
(tests/report_reader.py), one page load each: the author's numbers, then 50 random edits (seeded: priors
from 1e-290% to 100% - 1e-12%, typed 0 and 100, ratios from 1e-150 to 1e150 and as a:b), each set
through the contract's inputs with an ``input`` or a ``change`` event.  The posterior the page prints
is compared with ``update()``'s to every printed digit (mpmath for the exact percentage), and each
item's bits and the total to the printed digit.  Then the last edit is downloaded: ``python -m beliefs
scenario run FILE --json`` gives the page's posterior, and the page's link into the app holds that same
file.  No request but the file's own, no CSP violation, no console error.  The count of comparisons
and the largest difference are written to tests/artifacts/report-interactive.json.
"""

from __future__ import annotations

import base64
import json
import math
import random
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from beliefs.evidence import Evidence
from beliefs.io.scenario import parse_scenario
from beliefs.update import update
from tests.cli_helpers import run_cli
from tests.report_reader import bits_gap, posterior_gap, scenarios
from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, require_browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
EDITS = 50

pytestmark = pytest.mark.browser

_WATCH = """window.__csp = []; window.__errors = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""

# Sets each edit's inputs, fires the event, reads the outputs back: one evaluate per page.
_APPLY = """edits => edits.map(edit => {
  for (const [name, value] of Object.entries(edit.values)) {
    const input = document.querySelector(`[data-beliefs="${name}"]`);
    input.value = value;
    input.dispatchEvent(new Event(edit.event, {bubbles: true}));
  }
  const text = name => document.querySelector(`[data-beliefs="${name}"]`).textContent;
  return {posterior: text('posterior'), log_odds: Number(document.querySelector('[data-beliefs="posterior"]').dataset.logOdds), total: text('bits-total'), error: text('error'),
          bits: edit.n.map(i => text('bits-' + i))};
})"""


def _prior(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.05:
        return rng.choice(["0", "100"])
    if kind < 0.15:
        return repr(10 ** rng.uniform(-290, -5))
    if kind < 0.22:
        return repr(100 - 10 ** rng.uniform(-12, -2))
    if kind < 0.45:
        return repr(rng.uniform(0.01, 99.99))
    return repr(10 ** rng.uniform(-6, 1.99))


def _ratio(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.15:
        return f"{rng.randint(1, 20)}:{rng.randint(1, 20)}"
    if kind < 0.3:
        return repr(10 ** rng.uniform(-150, 150))
    return repr(10 ** rng.uniform(-3, 3))


def _as_number(text: str) -> float:
    if ":" in text:
        a, b = text.split(":")
        return float(a) / float(b)
    return float(text)


def _edits(rng: random.Random, n_items: int) -> list[dict]:
    out = []
    for k in range(EDITS):
        values = {}
        if rng.random() < 0.6:
            values["prior"] = _prior(rng)
        for i in range(n_items):
            if rng.random() < 0.6:
                values[f"lr-{i}"] = _ratio(rng)
        out.append({"values": values, "event": "input" if k % 2 else "change", "n": list(range(n_items))})
    return out


def _expected(scenario, typed: dict[str, str]):
    """update() of the scenario's prior and counted items with the reader's typed values in their place."""
    counted = [e for e in scenario.evidence_items() if e.enabled]
    items = []
    for i, e in enumerate(counted):
        if f"lr-{i}" in typed:
            e = Evidence(e.label, likelihood_ratio=_as_number(typed[f"lr-{i}"]), group=e.group, discount=e.discount)
        items.append(e)
    prior = float(typed["prior"]) / 100 if "prior" in typed else scenario.prior
    return update(prior, items)


def _open_link(href: str):
    """The scenario inside the page's link (``s = "2" + base64url(deflate(scenario JSON))``)."""
    value = parse_qs(urlsplit(href).query)["s"][0]
    try:  # the one-state branch's reader of version-2 short links
        from beliefs.io.shortlink import unpack_scenario
    except ImportError:  # before it: the same steps, here
        assert value[0] == "2", value[:10]
        body = value[1:]
        return parse_scenario(zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), -15))
    return unpack_scenario(value)


def _refuse_all_but(uri: str, requests: list[str]):
    """A route handler: every request recorded, only the report file itself served, anything else refused."""

    def refuse(route):  # one parameter: Playwright passes (route, request) to a handler that takes two
        requests.append(route.request.url)
        if route.request.url == uri:
            route.continue_()
        else:
            route.abort("internetdisconnected")

    return refuse


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from beliefs.export.html import html_report

    pytest.importorskip("vl_convert")
    folder = tmp_path_factory.mktemp("reports")
    out = {}
    for name, s in scenarios().items():
        path = folder / f"{name}.html"
        path.write_text(html_report(s, link=f"https://example.org/beliefs/?s=1{name}"), encoding="utf-8")
        out[name] = (s, path)
    return out


def test_reader_edits_match_update_offline_with_no_request_and_no_csp_violation(reports, tmp_path):
    require_browser()
    from playwright.sync_api import sync_playwright

    comparisons, largest = 0, {"posterior": 0.0, "bits": 0.0, "log_odds_relative": 0.0}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for seed, (name, (scenario, path)) in enumerate(sorted(reports.items())):
                uri = path.as_uri()
                requests: list[str] = []
                context = browser.new_context(offline=True, accept_downloads=True, viewport={"width": 1280, "height": 900})
                context.route("**/*", _refuse_all_but(uri, requests))
                page = context.new_page()
                console: list[str] = []
                page.on("console", lambda m, console=console: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
                page.on("pageerror", lambda e, console=console: console.append(f"pageerror: {e}"))
                page.add_init_script(_WATCH)
                page.goto(uri, wait_until="load")

                n_items = sum(e.enabled for e in scenario.evidence)
                edits = [{"values": {}, "event": "input", "n": list(range(n_items))}]  # the author's view first
                edits += _edits(random.Random(2300 + seed), n_items)
                shown = page.evaluate(_APPLY, edits)
                typed: dict[str, str] = {}
                for edit, seen in zip(edits, shown, strict=True):
                    typed.update(edit["values"])
                    assert seen["error"] == "", (name, typed, seen["error"])
                    r = _expected(scenario, typed)
                    gap = posterior_gap(seen["posterior"], r.posterior_log_odds)
                    assert gap <= 0.5 + 1e-6, (name, typed, seen["posterior"], r.posterior)
                    gaps = [bits_gap(t, c.bits) for t, c in zip(seen["bits"], r.items, strict=True)]
                    gaps.append(bits_gap(seen["total"], r.bits))
                    assert max(gaps) <= 0.5 + 1e-6, (name, typed, seen, [c.bits for c in r.items], r.bits)
                    comparisons += 1 + len(gaps)
                    largest["posterior"] = max(largest["posterior"], gap)
                    largest["bits"] = max(largest["bits"], *gaps)
                    if math.isfinite(r.posterior_log_odds):  # the page's unrounded log-odds against update()'s
                        rel = abs(seen["log_odds"] - r.posterior_log_odds) / max(abs(r.posterior_log_odds), 1.0)
                        largest["log_odds_relative"] = max(largest["log_odds_relative"], rel)

                # The last edit, downloaded: `scenario run` on it gives the page's posterior; the link holds it too.
                page.wait_for_function("document.querySelector('[data-beliefs=link]').href.includes('?s=2')")
                with page.expect_download() as info:
                    page.click('[data-beliefs="download"]')
                saved = tmp_path / f"{name}-view.json"
                info.value.save_as(saved)
                run = run_cli("scenario", "run", str(saved), "--json")
                assert run.returncode == 0, run.stderr
                result = json.loads(run.stdout)["result"]
                x = result["posterior_log10_odds"]
                x = math.copysign(math.inf, result["posterior"] - 0.5) if x is None else x * math.log(10)
                assert posterior_gap(shown[-1]["posterior"], x) <= 0.5 + 1e-6, (name, shown[-1], result)
                file_scenario = parse_scenario(saved.read_text(encoding="utf-8"))
                assert _open_link(page.get_attribute('[data-beliefs="link"]', "href")) == file_scenario
                assert file_scenario.result().posterior_log_odds == _expected(scenario, typed).posterior_log_odds
                comparisons += 1

                # Reset: the author's numbers again.
                page.click('[data-beliefs="reset"]')
                again = page.evaluate(_APPLY, edits[:1])[0]
                assert again == shown[0], (name, again, shown[0])

                assert page.evaluate("window.__csp") == [], name
                assert console == [], (name, console)
                assert requests == [uri], (name, requests)
                context.close()
        finally:
            browser.close()
    ARTIFACTS.mkdir(exist_ok=True)
    figures = {"comparisons": comparisons, "largest_difference": largest,
               "units": "posterior and bits: of the last printed digit; log_odds_relative: |page - update()| / max(|update()|, 1) in nats"}
    (ARTIFACTS / "report-interactive.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(figures)
