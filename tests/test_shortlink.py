"""Short share links: length, exact round trip, and a decoder that survives anything."""

from __future__ import annotations

import base64
import json
import zlib
from urllib.parse import urlencode

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from beliefs.analysis.crux import crux_from_results
from beliefs.errors import InputError
from beliefs.io import catalogue
from beliefs.io.link import AppState, ItemState, decode, encode
from beliefs.io.scenario import builtin_scenarios, get_scenario
from beliefs.io.scenario_schema import Scenario
from beliefs.io.settings import defaults
from beliefs.io.shortlink import MAX_INFLATED, open_link, short_link, short_value, unpack
from beliefs.io.views import load_view, scenario_state
from tests.cli_helpers import assert_one_line_error, run_cli

pytestmark = pytest.mark.core

BASE = "http://127.0.0.1:8501/"


def _thirty_catalogue_items() -> Scenario:
    """30 catalogue entries, each with its own two-decimal P(E|H) and P(E|not H), as a user would set them."""
    entries = catalogue.evidence_entries()[:30]
    assert len(entries) == 30
    items = [
        e.to_evidence(round(0.30 + 0.02 * i, 2), round(0.70 - 0.015 * i, 3)) for i, e in enumerate(entries)
    ]
    return Scenario.from_evidence(0.25, items, name="thirty", compare_priors=[0.2, 0.5])


def test_thirty_catalogue_items_fit_in_a_thousand_characters_and_restore_the_same_posterior():
    s = _thirty_catalogue_items()
    link = short_link(scenario_state(s), BASE)
    readable = f"{BASE}?{urlencode(encode(scenario_state(s)))}"
    print(f"short link for 30 catalogue items: {len(link)} characters (readable form: {len(readable)})")
    assert len(link) <= 1000
    back = load_view(link)
    assert back.result().posterior == s.result().posterior
    assert back.result().posterior_log_odds == s.result().posterior_log_odds
    assert [e.label for e in back.evidence] == [e.label for e in s.evidence]
    assert [e.source for e in back.evidence] == [e.source for e in s.evidence]  # recovered from the ids
    assert back.compare_priors == s.compare_priors
    gap = crux_from_results(back.result(), s.result())
    assert gap.total_log_odds == 0.0


@pytest.mark.parametrize("name", list(builtin_scenarios()))
def test_every_builtin_scenario_round_trips_through_its_short_link(name):
    s = get_scenario(name)
    back = load_view(short_link(scenario_state(s), BASE))
    assert back.prior == s.prior and back.hypothesis == s.hypothesis
    assert [e.model_dump(exclude={"note", "source"}) for e in back.evidence] == [
        e.model_dump(exclude={"note", "source"}) for e in s.evidence
    ]
    assert back.result().posterior == s.result().posterior


def test_short_and_readable_links_decode_to_the_same_state():
    state = scenario_state(_thirty_catalogue_items())
    assert open_link({"s": short_value(state)}) == decode(encode(state)) == (state, [])


def test_the_readable_codec_does_not_know_short_links():
    # link.decode is the readable form only (no import of shortlink: no cycle); open_link unpacks s first.
    state = scenario_state(get_scenario("report-3-to-1"))
    back, warnings = decode({"s": short_value(state)})
    assert back == AppState() and warnings == ["s: unknown parameter, ignored"]
    assert open_link({"s": short_value(state)}) == (state, [])
    assert open_link(encode(state)) == decode(encode(state)) == (state, [])


def test_a_readable_parameter_beside_s_takes_precedence():
    state = scenario_state(get_scenario("report-3-to-1"))
    back, warnings = open_link({"s": short_value(state), "view": "chain"})
    assert warnings == [] and back["view"] == "chain" and back.items == state.items


def test_cli_scenario_link_prints_a_link_that_crux_finds_zero_bits_from():
    proc = run_cli("scenario", "link", "report-3-to-1", "--base", "https://beliefs.example.org/app")
    assert proc.returncode == 0, proc.stderr
    link = proc.stdout.strip()
    assert link.startswith("https://beliefs.example.org/app?s=1") and "\n" not in link
    back = load_view(link)
    gap = crux_from_results(back.result(), get_scenario("report-3-to-1").result())
    assert gap.total_log_odds == 0.0 and gap.prior_gap == 0.0
    assert_one_line_error(run_cli("scenario", "link", "report-3-to-1", "--base", "ftp://x"), "--base")


def test_crux_between_a_short_link_and_its_scenario_is_zero_bits():
    link = run_cli("scenario", "link", "report-3-to-1").stdout.strip()
    proc = run_cli("crux", link, "report-3-to-1", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["total_bits"] == 0.0 and data["prior_bits"] == 0.0
    assert [i["bits"] for i in data["items"]] == [0.0] and data["items"][0]["in"] == "both"


# -- hostile input ----------------------------------------------------------------------------


def _pack(raw: bytes) -> str:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return "1" + base64.urlsafe_b64encode(packer.compress(raw) + packer.flush()).decode().rstrip("=")


def test_a_decompression_bomb_stops_at_the_cap():
    bomb = _pack(b"e0=" + b"a" * (40 * MAX_INFLATED))
    assert len(bomb) < 8000  # small on the wire, 5 MB unpacked
    with pytest.raises(InputError, match="at most 131,072 bytes"):
        unpack(bomb)
    state, warnings = open_link({"s": bomb, "prior": "0.3"})
    assert state["prior"] == 0.3 and len(warnings) == 1 and warnings[0].startswith("s: ")


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "a short-link value"),
        ("2abc", "newer version"),
        ("1ab$c", "only letters"),
        ("1" + "A" * 9000, "8000"),
        ("1abc", "cut short"),
        (_pack(b"s=1abc"), "inside a short link"),
        (_pack(b"\xff\xfe"), "not query parameters"),
    ],
)
def test_bad_short_values_are_refused_with_a_reason(value, why):
    with pytest.raises(InputError) as info:
        unpack(value)
    assert why in str(info.value)
    state, warnings = open_link({"s": value})
    assert state == AppState(values=defaults()) and len(warnings) == 1


def test_a_packed_bad_field_is_reported_like_the_readable_one():
    state, warnings = open_link({"s": _pack(b"prior=1.5&e0=p~2~0.5~1~~~~~x")})
    assert state["prior"] == 0.5 and state.items == ()
    assert warnings == decode({"prior": "1.5", "e0": "p~2~0.5~1~~~~~x"})[1]
    assert [w.split(":")[0] for w in warnings] == ["prior", "e0.p_e_given_h"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
@example("1")
@example("1AA")
def test_decode_never_raises_on_arbitrary_text(text):
    state, warnings = open_link({"s": text})
    assert isinstance(state, AppState) and isinstance(warnings, list)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_decode_never_raises_on_arbitrary_packed_bytes(raw):
    state, warnings = open_link({"s": _pack(raw)})
    assert isinstance(state, AppState) and all(isinstance(w, str) for w in warnings)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=30).filter(str.strip), st.floats(0.01, 1), st.floats(0.01, 1)),
        max_size=8,
    ),
    st.floats(0.001, 0.999),
)
def test_any_ledger_round_trips_exactly(rows, prior):
    items = tuple(ItemState(label, "p", a, b) for label, a, b in rows)
    state = AppState(values={**defaults(), "prior": prior}, items=items)
    assert open_link({"s": short_value(state)}) == (state, [])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.text(max_size=200).map(lambda t: f"{BASE}?s=1{t}")))
@example("\x00")
@example("?")
@example("prior=")
def test_load_view_refuses_anything_that_is_not_a_scenario_with_an_input_error(text):
    try:
        s = load_view(text)
    except InputError:
        return
    assert isinstance(s, Scenario)
