"""The data page's MCMC panel in a real browser: after a run its numbers stay on screen, checked exactly.

The exact P(H | D) is computed here by quadrature (beliefs.counts) and the
panel's estimate must be within 4 of its own MCSE of it; the z the panel shows
must be (estimate - exact) / MCSE on the log-odds scale, within rounding.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, require_browser, streamlit_server
from tests.test_app import mcmc_metric, percent_metric

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
COUNTS = "1/20,0/20,2/20"
# Everything the answer depends on is in the link, so the test does not lean on the app's defaults.
QUERY = f"view=data&da_src=custom&da_env={COUNTS}&prior=0.25&da_h_a=1&da_h_b=9&da_n_a=1&da_n_b=99"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _metric(page, label: str, part: str = "stMetricValue") -> str:
    metric = page.locator("[data-testid=stMetric]").filter(
        has=page.locator("[data-testid=stMetricLabel]", has_text=re.compile(f"^{re.escape(label)}$"))
    )
    return metric.locator(f"[data-testid={part}]").first.inner_text().strip()


def test_mcmc_panel_shows_its_numbers_after_a_run(tmp_path):
    from playwright.sync_api import sync_playwright

    from beliefs.counts import quadrature_partial_pooling

    require_browser()
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server(tmp_path / "server.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/?{QUERY}", wait_until="domcontentloaded")
            run = page.get_by_role("button", name="Run partial pooling")
            run.wait_for(timeout=120_000)
            page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
            run.click()
            # Compiling may take minutes on a loaded machine; the panel shows the elapsed time meanwhile.
            page.get_by_text("z vs exact", exact=True).wait_for(timeout=600_000)
            page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
            shown_mcmc = _metric(page, "P(H | data), MCMC")
            estimate, mcse = mcmc_metric(shown_mcmc, _metric(page, "P(H | data), MCMC", "stMetricDelta"))
            z = float(_metric(page, "z vs exact"))
            r_hat = float(_metric(page, "R-hat"))
            ess = float(_metric(page, "ESS (bulk)"))
            divergences = int(_metric(page, "Divergences"))
            exact = quadrature_partial_pooling([1, 0, 2], [20, 20, 20], 0.25, (1, 9), (1, 99))
            shown_exact = percent_metric(_metric(page, "P(H | data), quadrature"))
            page.screenshot(path=str(ARTIFACTS / "browser-mcmc-panel.png"), full_page=True)
            # Seconds later the numbers are still there (the box never collapses).
            page.wait_for_timeout(1500)
            assert _metric(page, "P(H | data), MCMC") == shown_mcmc
        finally:
            browser.close()
    assert shown_exact == pytest.approx(exact.posterior, rel=1e-3)
    assert abs(estimate - exact.posterior) <= 4 * mcse
    assert abs(z) <= 4
    # z on the log-odds scale is, to first order, (estimate - exact) / MCSE on the probability scale.
    assert z == pytest.approx((estimate - exact.posterior) / mcse, abs=0.15 + 0.05 * abs(z))
    assert r_hat <= 1.01 and ess >= 400 and divergences == 0
