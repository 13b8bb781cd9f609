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
from beliefs.evidence import Evidence
from beliefs.io import catalogue
from beliefs.io.link import AppState, decode, encode
from beliefs.io.scenario import builtin_scenarios, get_scenario
from beliefs.io.scenario_schema import Scenario
from beliefs.io.settings import defaults
from beliefs.io.shortlink import (
    MAX_INFLATED,
    MAX_SHORT,
    open_link,
    short_link,
    short_value,
    unpack_params,
    unpack_scenario,
)
from beliefs.io.state import scenario_from_state, state_from_scenario
from beliefs.io.views import load_view
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


def test_thirty_catalogue_items_fit_in_about_a_thousand_characters_and_restore_the_same_scenario():
    s = _thirty_catalogue_items()
    link = short_link(s, BASE)
    readable = f"{BASE}?{urlencode(encode(state_from_scenario(s)))}"
    print(f"short link for 30 catalogue items: {len(link)} characters (readable form: {len(readable)})")
    assert len(link) <= 1200
    back = load_view(link)
    assert back == s  # every field: labels, sources (left to the ids in the link), priors
    assert back.result().posterior_log_odds == s.result().posterior_log_odds
    gap = crux_from_results(back.result(), s.result())
    assert gap.total_log_odds == 0.0


@pytest.mark.parametrize("name", list(builtin_scenarios()))
def test_every_builtin_scenario_round_trips_through_its_short_link(name):
    """Issue 20: the short link carries the scenario itself (notes, sources, title, model blocks, hypotheses)."""
    s = get_scenario(name)
    assert load_view(short_link(s, BASE)) == s


def test_short_and_readable_links_decode_to_the_same_state():
    state = state_from_scenario(get_scenario("report-3-to-1"))
    short, warnings = open_link({"s": short_value(scenario_from_state(state))})
    readable, more = open_link(encode(state))
    assert warnings == more == []
    assert scenario_from_state(short) == scenario_from_state(readable) == get_scenario("report-3-to-1")


def test_the_readable_codec_does_not_know_short_links():
    # link.decode is the readable form only (no import of shortlink: no cycle); open_link unpacks s first.
    s = get_scenario("report-3-to-1")
    back, warnings = decode({"s": short_value(s)})
    assert back == AppState() and warnings == ["s: unknown parameter, ignored"]
    state, warnings = open_link({"s": short_value(s)})
    assert warnings == [] and scenario_from_state(state) == s


def test_a_readable_setting_beside_s_takes_precedence():
    s = get_scenario("report-3-to-1")
    back, warnings = open_link({"s": short_value(s), "view": "chain"})
    assert warnings == [] and back["view"] == "chain" and back.items == tuple(s.evidence_items())
    back, warnings = open_link({"s": short_value(s), "e0": "lr~2~~1~~~~~x"})
    assert back.items == tuple(s.evidence_items()) and warnings == ["e0: not read beside a short link, ignored"]


def test_a_version_1_short_link_still_opens():
    v1 = "1" + _deflate(b"prior=0.25&e0=p~0.75~0.25~1~~antischeming_o3_covert_rate~~~&cmp=0.5")
    state, warnings = open_link({"s": v1})
    assert warnings == [] and state["prior"] == 0.25 and state["cmp"] == "0.5"
    # version 1 left a catalogue item's label to its id
    assert state.items[0].label == catalogue.get_entry("antischeming_o3_covert_rate").claim
    assert state.items[0].likelihood_ratio == 3.0


def test_cli_scenario_link_prints_a_link_that_crux_finds_zero_bits_from():
    proc = run_cli("scenario", "link", "report-3-to-1", "--base", "https://beliefs.example.org/app")
    assert proc.returncode == 0, proc.stderr
    link = proc.stdout.strip()
    assert link.startswith("https://beliefs.example.org/app?s=2") and "\n" not in link
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


def _deflate(raw: bytes) -> str:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.urlsafe_b64encode(packer.compress(raw) + packer.flush()).decode().rstrip("=")


def _pack(raw: bytes) -> str:
    return "1" + _deflate(raw)


def _pack2(raw: bytes) -> str:
    return "2" + _deflate(raw)


@pytest.mark.parametrize("pack", [_pack, _pack2])
def test_a_decompression_bomb_stops_at_the_cap(pack):
    bomb = pack(b"e0=" + b"a" * (40 * MAX_INFLATED))
    assert len(bomb) < MAX_SHORT  # small on the wire, 10 MB unpacked
    with pytest.raises(InputError, match="at most 262,144 bytes"):
        (unpack_params if pack is _pack else unpack_scenario)(bomb)
    state, warnings = open_link({"s": bomb, "prior": "0.3"})
    assert state["prior"] == 0.3 and len(warnings) == 1 and warnings[0].startswith("s: ")


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "a short-link value"),
        ("3abc", "newer version"),
        ("1ab$c", "only letters"),
        ("2" + "A" * 33_000, "32,000"),
        ("1abc", "cut short"),
        (_pack(b"s=1abc"), "inside a short link"),
        (_pack(b"\xff\xfe"), "not query parameters"),
        (_pack2(b"{not json"), "s scenario: got"),
        (_pack2(b'{"format": "beliefs-scenario", "version": 1, "prior": 2}'), "s prior: got 2"),
    ],
)
def test_bad_short_values_are_refused_with_a_reason(value, why):
    with pytest.raises(InputError) as info:
        (unpack_params if value[:1] == "1" else unpack_scenario)(value)
    assert why in str(info.value)
    state, warnings = open_link({"s": value})
    assert state == AppState(values=defaults()) and len(warnings) == 1


@pytest.mark.parametrize("value", ["0abc", "\u0661abc", "x1abc", "\uff12abc"])
def test_a_version_no_beliefs_wrote_is_not_called_newer(value):
    """Issue 22.16: `?s=0...` and `?s=١...` (an Arabic-Indic digit) said "made by a newer version"."""
    with pytest.raises(InputError) as info:
        unpack_scenario(value)
    assert "newer" not in str(info.value) and str(info.value).startswith("s: got ")
    _state, warnings = open_link({"s": value})
    assert len(warnings) == 1 and "newer" not in warnings[0]


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
@given(st.binary(max_size=400), st.sampled_from([_pack, _pack2]))
def test_decode_never_raises_on_arbitrary_packed_bytes(raw, pack):
    state, warnings = open_link({"s": pack(raw)})
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
    items = [Evidence(label, p_e_given_h=a, p_e_given_not_h=b) for label, a, b in rows]
    s = Scenario.from_evidence(prior, items, name="any")
    assert unpack_scenario(short_value(s)) == s
    state, warnings = open_link({"s": short_value(s)})
    assert warnings == [] and scenario_from_state(state) == s


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.text(max_size=200).map(lambda t: f"{BASE}?s=1{t}"), st.text(max_size=200).map(lambda t: f"{BASE}?s=2{t}")))
@example("\x00")
@example("?")
@example("prior=")
def test_load_view_refuses_anything_that_is_not_a_scenario_with_an_input_error(text):
    try:
        s = load_view(text)
    except InputError:
        return
    assert isinstance(s, Scenario)
