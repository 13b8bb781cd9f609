"""Where in a run the posterior summary is sent (AppTest; the browser's side is bench/latency.py's and
tests/test_ratio_burst_browser.py's).

The browser shows a run's messages in the order the server sends them, so the order is what a user feels:
- a run that moved only the prior sends the summary first, ahead of the ledger's rows (the new posterior
  reaches the browser among the run's first messages: bench slider_latency, 2.1-2.55x the bare app when
  it came after the rows);
- a run that changed an item sends the summary right after that item's line, never before it (issue
  24.4: a summary that counts an item the page still shows at its old value contradicts the page).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit

APP = str(Path(__file__).resolve().parent.parent / "app.py")
QUERY = {"prior": "0.25", "e0": "p~0.75~0.25~1~~~~~stated 3-to-1", "e1": "lr~2~~1~~~~~second"}


@pytest.fixture
def sent(monkeypatch):
    """Every ``st.markdown`` body the script sends, in order (the summary and the items' lines are Markdown)."""
    bodies: list[str] = []
    original = streamlit.markdown

    def recording(body, *args, **kwargs):
        bodies.append(str(body))
        return original(body, *args, **kwargs)

    monkeypatch.setattr(streamlit, "markdown", recording)
    return bodies


def _at():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in QUERY.items():
        at.query_params[name] = value
    return at.run()


def _positions(bodies: list[str]) -> tuple[int, list[int]]:
    summaries = [i for i, b in enumerate(bodies) if b.startswith("#### P(H)")]
    lines = [i for i, b in enumerate(bodies) if b.startswith("`") and " bits" in b]
    assert len(summaries) == 1, bodies  # one summary per run
    assert len(lines) == 2, bodies  # one line per item
    return summaries[0], lines


def test_a_prior_move_sends_the_summary_ahead_of_every_item_line(sent):
    at = _at()
    sent.clear()
    at.slider(key="w_prior_slider").set_value(40.0).run()
    assert not at.exception
    summary, lines = _positions(sent)
    assert "40%" in sent[summary]
    assert summary < min(lines)


def test_a_ratio_move_sends_the_summary_right_after_that_items_line(sent):
    at = _at()
    sent.clear()
    (slider,) = [s for s in at.select_slider if str(s.key).endswith("_ratio")]  # the second item's, a ratio
    slider.set_value(3.0).run()  # 2:1 -> 3:1, the next stop
    assert not at.exception
    summary, (first_line, second_line) = _positions(sent)
    assert summary == second_line + 1, sent  # the changed item's line, then the summary: nothing between
    assert first_line < second_line
