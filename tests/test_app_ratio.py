"""The Update page's ratio controls and catalogue flow through AppTest (issue 24.1, 24.2, 24.3).

One source of truth per value: whatever moved (the box or the slider), the item, the box, the slider,
the row's line and the summary show the same ratio in the same run.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.entry import parse_ratio
from beliefs.format import format_odds
from beliefs.odds import bits
from beliefs.ratio_scale import STOPS, entry_text, ratio_words
from tests.test_app import assert_clean, metrics, new_app, text_of

CATALOGUE_ID = "antischeming_o3_covert_rate"


def _add_ratio_item(at, text: str) -> str:
    next(b for b in at.button if b.label == "Add an item").click().run()
    uid = at.session_state["uids"][-1]
    at.text_input(key=f"w_{uid}_lr").input(text).run()
    return uid


def _summary_bits(at) -> float:
    summary = next(m.value for m in at.markdown if m.value.startswith("#### P(H)"))
    return float(re.search(r"([+-][0-9.e+-]+) bits", summary).group(1))


def _shown(at, uid: str) -> dict:
    """The ratio as each part of the page shows it: the item, the box, the slider, the row's line, the summary."""
    item = at.session_state["items"][at.session_state["uids"].index(uid)]
    slider = at.select_slider(key=f"w_{uid}_ratio")
    line = next(m.value for m in at.markdown if m.value.startswith("`LR "))
    return {
        "item": item.likelihood_ratio,
        "box": at.text_input(key=f"w_{uid}_lr").value,
        "slider": slider.value,
        "slider_words": ratio_words(slider.value),
        "line": line,
        "summary_bits": _summary_bits(at),
    }


def _assert_agree(at, uid: str, lr: float) -> None:
    shown = _shown(at, uid)
    assert shown["item"] == lr and shown["slider"] == lr
    assert shown["box"] == entry_text(lr) or parse_ratio(shown["box"]) == lr
    assert shown["line"].startswith(f"`LR {format_odds(math.log(lr))} = ")
    assert shown["summary_bits"] == pytest.approx(bits(math.log(lr)), rel=5e-3, abs=5e-4)


@pytest.mark.parametrize(("text", "lr"), [("3", 3.0), ("3:1", 3.0), ("1:3", 1 / 3), ("0.33", 0.33), ("1/3", 1 / 3)])
def test_a_typed_ratio_is_taken_as_written_and_the_slider_shows_it(text, lr):
    at = new_app()
    uid = _add_ratio_item(at, text)
    assert_clean(at)
    _assert_agree(at, uid, lr)
    assert at.text_input(key=f"w_{uid}_lr").value == text  # the box keeps what was typed


def test_the_slider_is_in_words_over_the_stops_and_the_typed_value():
    at = new_app()
    uid = _add_ratio_item(at, "3.7")
    slider = at.select_slider(key=f"w_{uid}_ratio")
    assert slider.value == 3.7
    assert set(slider.options) == {ratio_words(x) for x in (*STOPS, 3.7)}  # AppTest holds the labels
    assert "3:1 for H" in slider.options and "3:1 against H" in slider.options and "1:1, neither way" in slider.options


def test_a_long_value_shows_three_digits_keeps_them_all_and_says_so():
    at = new_app()
    uid = _add_ratio_item(at, "221.34087529142272")
    at.text_input(key=f"w_{uid}_lr").set_value(entry_text(221.34087529142272)).run()  # as the box re-seeds
    assert at.session_state["items"][0].likelihood_ratio == 221.34087529142272  # "221:1" was not read back
    assert "Full value: 221.34087529142272" in at.text_input(key=f"w_{uid}_lr").help


@given(st.lists(st.sampled_from([-1, 1]), min_size=1, max_size=6))
@settings(max_examples=5, deadline=None)
def test_arrow_presses_from_a_typed_ratio_land_only_on_stops_and_everything_agrees(presses):
    """The slider's neighbours, pressed one at a time through the app (AppTest's set_value is one press)."""
    at = new_app()
    uid = _add_ratio_item(at, "3.7")
    for step in presses:
        value = at.select_slider(key=f"w_{uid}_ratio").value
        options = sorted({*STOPS, value})  # the slider's order: the stops and the item's own value
        i = options.index(value)
        target = options[min(len(options) - 1, max(0, i + step))]
        at.select_slider(key=f"w_{uid}_ratio").set_value(target).run()
        assert_clean(at)
        now = at.session_state["items"][0].likelihood_ratio
        assert now in STOPS or now == 3.7
        _assert_agree(at, uid, now)


def test_a_bad_ratio_names_the_field_and_keeps_the_item():
    at = new_app()
    uid = _add_ratio_item(at, "3")
    at.text_input(key=f"w_{uid}_lr").input("3:0").run()
    assert not at.exception
    errors = [text_of(e) for e in at.error]
    assert errors and errors[0].startswith("not applied: 'item 1' likelihood ratio: got '3:0'; expected a likelihood "
                                           "ratio: a finite number > 0, e.g. 3, 0.33, 1e36, 3:1, 1:3 or 1/3")  # fmt: skip
    assert at.session_state["items"][0].likelihood_ratio == 3.0
    assert at.select_slider(key=f"w_{uid}_ratio").value == 3.0


def test_likelihood_boxes_take_typed_values_and_the_sliders_follow():
    at = new_app()
    next(b for b in at.button if b.label == "Add an item").click().run()
    uid = at.session_state["uids"][-1]
    at.radio(key=f"w_{uid}_kind").set_value("p").run()
    at.text_input(key=f"w_{uid}_at").input("75%").run()
    at.text_input(key=f"w_{uid}_bt").input("1/4").run()
    assert_clean(at)
    item = at.session_state["items"][0]
    assert (item.p_e_given_h, item.p_e_given_not_h) == (0.75, 0.25)
    assert (at.slider(key=f"w_{uid}_a").value, at.slider(key=f"w_{uid}_b").value) == (0.75, 0.25)
    assert metrics(at)["Posterior P(H)"] == "75%"
    at.slider(key=f"w_{uid}_a").set_value(0.9).run()  # a slider writes its value into the box
    assert at.text_input(key=f"w_{uid}_at").value == "0.9" and at.session_state["items"][0].p_e_given_h == 0.9


# -- the catalogue item: asked for its strength, marked until it has one -----------------------------


def test_a_catalogue_item_asks_for_its_likelihoods_beside_the_sources_figures():
    at = new_app()
    at.selectbox(key="w_catalogue_pick").set_value(CATALOGUE_ID).run()
    next(b for b in at.button if b.label == "Add from catalogue").click().run()
    assert_clean(at)
    uid = at.session_state["uids"][0]
    ask = " ".join(i.value for i in at.info)
    assert "no strength stated yet" in ask and "How likely is this evidence if H is true" in ask
    assert "13%" in ask and "0.4%" in ask  # the source's figures, beside the inputs
    # The two likelihood boxes are there, at the neutral 0.5 the item arrives with.
    assert at.text_input(key=f"w_{uid}_at").value == "0.5" and at.text_input(key=f"w_{uid}_bt").value == "0.5"
    # Marked in the ledger's line, the results table and the summary's count.
    assert any("(no strength stated yet)" in m.value for m in at.markdown if m.value.startswith("`"))
    summary = next(m for m in at.markdown if m.value.startswith("#### P(H)"))
    assert summary.value.endswith("+0 bits; 1 item with no strength stated yet)]")
    assert "1 item has no strength stated yet: it counts as 1:1 and moves nothing until its likelihoods are stated" in (
        summary.help
    )
    # Stated: the prompt and the marks go, the posterior moves.
    at.text_input(key=f"w_{uid}_at").input("0.6").run()
    at.text_input(key=f"w_{uid}_bt").input("0.3").run()
    assert_clean(at)
    assert not any("no strength stated yet" in i.value for i in at.info)
    assert not any("no strength stated yet" in m.value for m in at.markdown if m.value.startswith("#### P(H)"))
    assert metrics(at)["Posterior P(H)"] == "66.67%"


def test_an_item_left_at_one_to_one_is_marked_in_the_exports_and_the_cli():
    from beliefs.evidence import Evidence
    from beliefs.export.html import html_report
    from beliefs.export.markdown import markdown_report
    from beliefs.io.scenario_schema import Scenario
    from tests.cli_helpers import run_cli

    items = [Evidence("stated", likelihood_ratio=3.0), Evidence("from the catalogue", p_e_given_h=0.5, p_e_given_not_h=0.5)]
    s = Scenario.from_evidence(0.25, items, name="unstated")
    md = markdown_report(s)
    assert "1:1 (no strength stated yet)" in md and "3:1 (no strength" not in md
    assert "1 item has no strength stated yet" in md
    assert "1 item has no strength stated yet" in html_report(s) and "1:1 (no strength stated yet)" in html_report(s)
    out = run_cli("update", "--prior", "0.25", "--lr", "3", "--lr", "1")
    assert out.returncode == 0 and out.stdout.count("(no strength stated yet)") == 1
