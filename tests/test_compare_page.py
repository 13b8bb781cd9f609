"""The Compare views page through AppTest: crux, value of information and three hypotheses equal the library's."""

from __future__ import annotations

import csv
import io
import math
from importlib import resources
from urllib.parse import urlencode

import pytest

from beliefs.io.link import AppState, encode
from beliefs.io.scenario import get_scenario
from beliefs.io.settings import defaults
from tests import test_app
from tests.test_app import assert_clean, button, download_bytes, new_app

media = test_app.media  # the fixture that records download buttons' files

LEDGER = {"view": "compare", "prior": "0.1", "e0": "p~0.75~0.25~1~~report_2025~~~stated"}


def _link(name: str) -> str:
    s = get_scenario(name)
    state = AppState(values={**defaults(), "prior": s.prior}, items=tuple(s.evidence_items()))
    return "http://127.0.0.1:8501/?" + urlencode(encode(state))


def _crux_rows(at, media) -> list[dict]:
    return list(csv.DictReader(io.StringIO(download_bytes(media, button(at, "dl_compare-crux_csv")).decode())))


def _gap_bits(mine_prior: float, other: str) -> float:
    o = get_scenario(other).result()
    mine = math.log(mine_prior / (1 - mine_prior)) + math.log(3)
    return (mine - o.posterior_log_odds) / math.log(2)


def test_compare_with_a_preset_splits_the_gap_exactly(media):
    at = new_app(LEDGER)
    assert_clean(at)
    at.selectbox(key="cv_builtin").set_value("report-confusion").run()
    assert_clean(at)
    rows = _crux_rows(at, media)
    assert rows[0]["label"] == "prior"
    # prior gap log2(1/9) - log2(1/3) = -log2 3; the report item 3:1 versus 1.5:1 = +1 bit (matched by id)
    assert float(rows[0]["bits"]) == pytest.approx(-math.log2(3), rel=1e-12)
    assert [r["in"] for r in rows[1:]] == ["both"]
    assert float(rows[1]["bits"]) == pytest.approx(1.0, rel=1e-12)
    assert math.fsum(float(r["bits"]) for r in rows) == pytest.approx(_gap_bits(0.1, "report-confusion"), abs=1e-12)
    gap = next(m for m in at.metric if m.label.startswith("Gap"))
    assert gap.value == f"{_gap_bits(0.1, 'report-confusion'):+.3f} bits"


def test_compare_with_a_pasted_share_link(media):
    at = new_app(LEDGER)
    at.radio(key="cv_how").set_value("A share link").run()
    assert_clean(at)
    at.text_input(key="cv_link").input(_link("report-3-to-1")).run()
    assert_clean(at)
    rows = _crux_rows(at, media)
    assert math.fsum(float(r["bits"]) for r in rows) == pytest.approx(_gap_bits(0.1, "report-3-to-1"), abs=1e-12)
    assert float(rows[1]["bits"]) == pytest.approx(0.0, abs=1e-15)  # same 3:1 reading of the report


def test_a_bad_link_is_an_error_and_changes_nothing(media):
    at = new_app(LEDGER)
    at.radio(key="cv_how").set_value("A share link").run()
    at.text_input(key="cv_link").input("http://127.0.0.1:8501/?prior=75&e0=[x](http://evil)").run()
    assert not at.exception
    assert any("Share link" in e.value and "did you mean 0.75" in e.value for e in at.error)
    from markdown_it import MarkdownIt

    # a stranger's link text is not a live link: rendered, the error holds no <a> (common.plain escapes it)
    assert all("<a " not in MarkdownIt("commonmark").render(e.value) for e in at.error)
    assert at.session_state["values"]["prior"] == 0.1  # this view is untouched


def test_value_of_information_tab_matches_the_library(media):
    from beliefs.analysis.voi import parse_pending, value_of_information
    from beliefs.io.views import load_view

    at = new_app(LEDGER)
    at.selectbox(key="cv_builtin").set_value("report-confusion").run()
    assert_clean(at)
    now = next(m for m in at.metric if m.label == "Disagreement now")
    pending = parse_pending((resources.files("beliefs.data") / "pending-2025.json").read_text(encoding="utf-8"))
    mine = load_view("?prior=0.1&e0=p~0.75~0.25~1~~report_2025~~~stated")
    r = value_of_information(mine, load_view("report-confusion"), pending)
    assert now.value == f"{r.disagreement_bits:.3f} bits"
    table = at.dataframe[1].value  # [0] is the crux table
    assert list(table["observation"]) == [o.label for o in r.observations]
    assert list(table["expected disagreement (bits)"]) == pytest.approx([o.expected_disagreement_bits for o in r.observations], rel=1e-12)


def test_three_hypotheses_tab_defaults_to_the_rare_scheming_preset_and_refuses_bad_priors(media):
    at = new_app(LEDGER)
    assert_clean(at)
    want = get_scenario("rare-scheming").hypotheses_result()
    table = next(d.value for d in at.dataframe if "hypothesis" in d.value.columns)
    assert list(table["hypothesis"]) == list(want.names)
    assert list(table["posterior"]) == pytest.approx(list(want.posterior), rel=1e-12)
    at.text_input(key="cv_h_prior").input("0.3, 0.3, 0.3").run()
    assert not at.exception
    assert any("Prior" in e.value and "summing to 1" in e.value for e in at.error)
    at.text_input(key="cv_h_prior").input("0.5, 0.25, 0.25").run()
    at.text_area(key="cv_h_lik").input("0.2, 0.4, 0.8").run()
    assert_clean(at)
    table = next(d.value for d in at.dataframe if "hypothesis" in d.value.columns)
    assert list(table["posterior"]) == pytest.approx([0.25, 0.25, 0.5], rel=1e-12)


def test_the_compare_view_survives_a_share_link_round_trip():
    at = new_app(LEDGER)
    assert_clean(at)
    view = at.query_params["view"]
    assert (view[-1] if isinstance(view, list) else view) == "compare"


def test_a_built_in_viewpoint_is_shown_by_its_name_and_a_missing_item_is_said_so(media):
    """The selectbox, the gap's label and the table's headers showed the slug ("report-confusion"),
    and an item one side lacks showed "None" as its bits."""
    at = new_app({"view": "compare", "prior": "0.5"})
    at.selectbox(key="cv_builtin").set_value("report-confusion").run()
    assert_clean(at)
    box = at.selectbox(key="cv_builtin")
    assert "report-confusion" not in box.options and "The report read as confusion" in box.options
    gap = next(m for m in at.metric if m.label.startswith("Gap"))
    assert gap.label == "Gap (this view minus The report read as confusion)"
    table = at.dataframe[0].value
    assert "The report read as confusion (bits)" in table.columns
    cells = table.astype(str).to_numpy().ravel().tolist()
    assert "None" not in cells and "not in this view" in cells  # the ledger is empty here, the preset's is not


@pytest.mark.parametrize(
    "typed",
    ["/etc/shadow", "/proc/self/environ", "/etc/passwd", "/no/such/file.json", "beliefs/data/scenario-carlsmith.json",
     "report-3-to-1", "FIFO"],
)
def test_the_share_link_box_reads_no_server_file(media, tmp_path, typed):
    """Issue 22.1: a typed path is refused by its shape, before any filesystem call; the message is the same
    whether the path exists, is a scenario file, a FIFO or nothing, and quotes no file content."""
    import os
    from unittest import mock

    if typed == "FIFO":  # a FIFO would hang a reader forever: the box must not open it
        typed = str(tmp_path / "fifo")
        os.mkfifo(typed)
    at = new_app(LEDGER)
    at.radio(key="cv_how").set_value("A share link").run()
    with mock.patch("builtins.open", side_effect=AssertionError("opened a file")), \
         mock.patch("pathlib.Path.is_file", side_effect=AssertionError("looked at a path")):
        at.text_input(key="cv_link").input(typed).run(timeout=30)
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert "Share link" in error and "links only" in error
    assert "root:" not in error and "SHELL=" not in error and "Carlsmith" not in error
    assert not at.metric or not any(m.label.startswith("Gap") for m in at.metric)
    assert at.session_state["values"]["prior"] == 0.1


def test_value_of_information_tab_shows_fri_measures_equal_to_the_library(media):
    from beliefs.analysis.voi import parse_pending, value_of_information
    from beliefs.io.views import load_view

    at = new_app(LEDGER)
    at.selectbox(key="cv_builtin").set_value("report-confusion").run()
    assert_clean(at)
    pending = parse_pending((resources.files("beliefs.data") / "pending-2025.json").read_text(encoding="utf-8"))
    r = value_of_information(load_view("?prior=0.1&e0=p~0.75~0.25~1~~report_2025~~~stated"), load_view("report-confusion"), pending)
    table = at.dataframe[1].value
    (other,) = [c for c in table.columns if c.startswith("VoI ") and c != "VoI this view (log10)"]
    assert list(table["VoI this view (log10)"]) == pytest.approx([o.voi_log10[0] for o in r.observations], rel=1e-12)
    assert list(table[other]) == pytest.approx([o.voi_log10[1] for o in r.observations], rel=1e-12)
    assert list(table["VoD (log10)"]) == pytest.approx([o.vod_log_gmod for o in r.observations], rel=1e-12)
