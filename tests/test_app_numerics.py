"""The chain and monitoring pages show what the command line prints (issue 25), through AppTest;
and nothing there is "(certain)" that is not (issue 22.7).

Each page carries the CLI's own table for its inputs, headed by the command that reproduces it;
running that command must print exactly that text.  The metrics are the same numbers in percent,
from their log-odds: beyond the double range too.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _app(query: dict):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _cli_block(at) -> tuple[list[str], str]:
    (block,) = [c.value for c in at.code if c.value.startswith("$ beliefs ")]
    command, _, shown = block.partition("\n")
    return shlex.split(command)[2:], shown


@pytest.mark.parametrize(
    "query",
    [
        {"view": "chain", "ch_surv": "0.98", "ch_steps": "35"},
        {"view": "chain", "ch_surv": "0.1", "ch_steps": "1000"},  # 1e-1000
        {"view": "chain", "ch_conc": "100", "ch_steps": "10", "ch_base": "0.9"},
        {"view": "chain", "ch_conc": "1000000", "ch_surv": "0.99", "ch_steps": "1000"},
        {"view": "monitoring", "mo_rate": "0.31134", "mo_report": "0.99", "mo_tasks": "73765"},  # 1 - 1.27e-100
        {"view": "monitoring", "mo_rate": "0.001", "mo_report": "0.95", "mo_tasks": "10000", "mo_collude": "0.1"},
    ],
)
def test_page_shows_the_command_lines_text(query):
    at = _app(query)
    args, shown = _cli_block(at)
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    assert shown == proc.stdout.rstrip("\n")


def test_chain_metrics_are_the_cli_numbers_in_percent():
    at = _app({"view": "chain", "ch_surv": "0.1", "ch_steps": "1000", "ch_base": "0.5"})
    metrics = {m.label: m.value for m in at.metric}
    _, shown = _cli_block(at)
    assert "P(success)         5e-1001" in shown and metrics["P(success) after 1000 steps"] == "5e-999%"
    assert any("= 5e-1001." in c.value for c in at.caption)  # the caption's exact value is the CLI's text


# -- issue 22.7: "(certain)" only for a typed 0 or 1 -----------------------------------------------------------


def test_22_7_the_chain_page_shows_1e_minus_998_percent_not_certain():
    """22.7: `?view=chain&ch_surv=0.1&ch_steps=1000` showed "0% (certain)"; the truth is 1e-1000 (1e-998%)."""
    at = _app({"view": "chain", "ch_surv": "0.1", "ch_steps": "1000"})
    shown = {m.label: m.value for m in at.metric}
    assert shown["P(success) after 1000 steps"] == "1e-998%"
    assert shown["Median"] == "1e-998%"
    assert not any("certain" in v for v in shown.values())


def test_22_7_the_chain_page_says_certain_for_a_typed_zero_only():
    """22.7: a typed per-step survival of 0 is certainty (0 after one step); the page may say so."""
    at = _app({"view": "chain", "ch_surv": "0", "ch_steps": "3"})
    assert {m.label: m.value for m in at.metric}["P(success) after 3 steps"] == "0% (certain)"


def test_22_7_the_monitor_page_shows_a_near_certainty_from_its_log_odds():
    """22.7: with every task near-surely slipping one through, P is 1 - 1.27e-100, not "100% (certain)"."""
    at = _app({"view": "monitoring", "mo_rate": "0.31134", "mo_report": "0.99", "mo_tasks": "73765"})
    assert {m.label: m.value for m in at.metric}["P(≥1 unreported) over 73,765 tasks"] == "100% - 1.27e-98%"
