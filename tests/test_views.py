"""Views given as names, files or share links; the crux between any two of them, split exactly."""

import json
import math
from fractions import Fraction
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from beliefs.analysis.crux import crux_from_results
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.io.link import AppState, encode
from beliefs.io.scenario import builtin_scenarios, get_scenario, save_scenario
from beliefs.io.scenario_schema import Scenario
from beliefs.io.settings import defaults
from beliefs.io.views import load_view
from tests.cli_helpers import assert_one_line_error, run_cli, run_json

BASE = "http://127.0.0.1:8501/"


def link_for(prior: float, items: list[Evidence], **values) -> str:
    """The address-bar URL the app writes for this prior and ledger (link.encode, as the app does)."""
    state = AppState(values={**defaults(), "prior": prior, **values}, items=tuple(items))
    return BASE + "?" + urlencode(encode(state))


# -- load_view ------------------------------------------------------------------------------


def test_a_name_a_file_and_a_link_give_the_same_view(tmp_path):
    s = get_scenario("report-confusion")
    path = save_scenario(s, tmp_path / "mine.json")
    link = link_for(s.prior, s.evidence_items())
    by_name, by_file, by_link = load_view("report-confusion"), load_view(str(path)), load_view(link)
    assert by_name == by_file == s
    assert by_link.prior == s.prior
    assert [e.log_lr for e in by_link.evidence_items()] == [e.log_lr for e in s.evidence_items()]
    assert [(e.id, e.label) for e in by_link.evidence_items()] == [(e.id, e.label) for e in s.evidence_items()]
    assert by_link.result().posterior_log_odds == s.result().posterior_log_odds


def test_a_bare_query_string_and_a_fragment_are_links():
    s = load_view("?prior=0.25&e0=p~0.75~0.25~1~~~~~report#top")
    assert (s.prior, s.result().posterior) == (0.25, 0.5)


def test_a_link_without_parameters_is_the_apps_default_state():
    s = load_view(BASE)
    assert (s.prior, s.evidence) == (0.5, [])


def test_a_link_from_a_preset_says_so_in_its_name_and_title():
    """A link that started from a preset and was changed is not that preset: its name and title say so."""
    link = link_for(0.25, [Evidence("r", p_e_given_h=0.75, p_e_given_not_h=0.25)], scenario="carlsmith")
    s = load_view(link)
    assert s.name == "carlsmith-edited"
    assert s.title == f"edited from '{get_scenario('carlsmith').title}'"
    assert s.hypothesis == get_scenario("carlsmith").hypothesis
    unchanged = get_scenario("carlsmith")
    assert load_view(link_for(unchanged.prior, unchanged.evidence_items(), scenario="carlsmith",
                              cmp=",".join(map(repr, unchanged.compare_priors)))) == unchanged  # fmt: skip


@pytest.mark.parametrize(
    "text, match",
    [
        ("", r"^A: got ''; expected a built-in scenario name"),
        ("no-such-view", r"^A: got 'no-such-view'; expected a built-in scenario .* or a share link"),
        ("carlsmit", r"did you mean carlsmith"),
        ("missing/file.json", r"no such file"),
        (BASE + "?prior=75", r"^A: .*every parameter is valid \(prior: got '75'.*did you mean 0.75"),
        (BASE + "?prior=0.2&e0=p~2~0.5~1~~~~~x", r"^A: .*e0.*left out|^A: .*e0"),
        (BASE + "?prior=0.2&bogus=1", r"bogus: unknown parameter"),
        ("http:///?prior=0.2", r"^A: .*a share link such as"),
        (BASE + "?" + "x" * 100_001, r"^A: got '100,0\d\d characters'"),
    ],
)
def test_bad_views_name_the_argument(text, match):
    with pytest.raises(InputError, match=match):
        load_view(text, field="A")


def test_a_bad_file_names_the_argument_and_the_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "beliefs-scenario", "version": 1, "prior": 1.5}), encoding="utf-8")
    with pytest.raises(InputError, match=r"^B prior: got 1.5"):
        load_view(str(bad), field="B")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_view_or_one_input_error(text):
    try:
        s = load_view(BASE + "?" + text, field="A")
    except InputError as exc:
        assert str(exc).startswith("A")
    else:
        assert isinstance(s, Scenario)


# -- crux: exact split for random pairs ------------------------------------------------------

_ids = st.sampled_from(["r1", "r2", "r3", None])
_labels = st.sampled_from(["report", "replication", "monitor", "ablation"])
_prob = st.floats(1e-6, 1 - 1e-6)


@st.composite
def ledgers(draw):
    items = []
    for _ in range(draw(st.integers(0, 6))):
        ident, label = draw(_ids), draw(_labels)
        if draw(st.booleans()):
            items.append(Evidence(label, p_e_given_h=draw(_prob), p_e_given_not_h=draw(_prob), id=ident))
        else:
            items.append(Evidence(label, likelihood_ratio=draw(st.floats(1e-8, 1e8)), id=ident))
    return draw(_prob), items


def _exact_gap(a, b) -> Fraction:
    """The true gap of the float terms, summed exactly (rationals)."""
    terms = [a.prior_log_odds, -b.prior_log_odds]
    terms += [c.weighted_log_lr for c in a.items] + [-c.weighted_log_lr for c in b.items]
    return sum(map(Fraction, terms), Fraction(0))


def _check_split(r, a, b):
    exact = _exact_gap(a, b)
    # total is the correctly rounded exact gap of all terms
    assert r.total_log_odds == float(exact)
    # each part is one rounded difference; their exact sum is within those roundings of the gap
    slack = sum(math.ulp(p) for p in r.parts) / 2 + 2 * math.ulp(r.total_log_odds)
    assert abs(Fraction(math.fsum(r.parts)) - exact) <= Fraction(slack)
    assert r.total_bits == pytest.approx((a.posterior_log_odds - b.posterior_log_odds) / math.log(2), abs=1e-9)
    # every item of both ledgers appears exactly once
    assert sum(x is not None for x in r.a_log_lr) == len(a.items)
    assert sum(x is not None for x in r.b_log_lr) == len(b.items)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ledgers(), ledgers())
@example((0.25, [Evidence("r", likelihood_ratio=3.0)]), (0.25, [Evidence("r", likelihood_ratio=1.5)]))
def test_crux_split_sums_to_the_gap_for_files_and_links(tmp_path_factory, pair_a, pair_b):
    d = tmp_path_factory.mktemp("crux")
    sa = Scenario.from_evidence(pair_a[0], pair_a[1], name="a")
    sb = Scenario.from_evidence(pair_b[0], pair_b[1], name="b")
    file_a = str(save_scenario(sa, d / "a.json"))
    link_b = link_for(pair_b[0], pair_b[1])
    va, vb = load_view(file_a, field="A"), load_view(link_b, field="B")
    a, b = va.result(), vb.result()
    # the link carries the same numbers as the scenario it was made from
    assert b.posterior_log_odds == sb.result().posterior_log_odds
    r = crux_from_results(a, b)
    _check_split(r, a, b)


def test_items_match_by_id_where_both_have_it_else_by_label():
    a = [Evidence("report", likelihood_ratio=3, id="r"), Evidence("monitor", likelihood_ratio=2)]
    b = [Evidence("the 2025 report", likelihood_ratio=1.5, id="r"), Evidence("monitor", likelihood_ratio=4, id="m")]
    r = crux_from_results(Scenario.from_evidence(0.25, a).result(), Scenario.from_evidence(0.25, b).result())
    assert r.keys == ("r", "monitor")  # 'monitor' has an id only in B: matched by its label
    assert [round(x / math.log(2), 12) for x in r.item_gaps] == [1.0, -1.0]


def test_one_sided_items_are_listed_separately():
    a = [Evidence("report", likelihood_ratio=3), Evidence("only A", likelihood_ratio=2)]
    b = [Evidence("report", likelihood_ratio=3), Evidence("only B", likelihood_ratio=8)]
    r = crux_from_results(Scenario.from_evidence(0.5, a).result(), Scenario.from_evidence(0.5, b).result())
    d = r.to_dict()
    assert [(i["label"], i["in"]) for i in d["items"]] == [("report", "both"), ("only A", "A"), ("only B", "B")]
    assert [round(i["bits"], 12) for i in d["items"]] == [0.0, 1.0, -3.0]


def test_a_long_ledger_sorts_its_parts_once():
    """text() and the plot sort by parts; the parts are computed once (a property in a sort key was O(n^2))."""
    items = [Evidence(f"item {i}", likelihood_ratio=1 + (i % 7)) for i in range(3000)]
    r = crux_from_results(update_result := Scenario.from_evidence(0.5, items).result(), update_result)
    assert r.parts is r.parts and r.item_gaps is r.item_gaps
    assert len(r.text().splitlines()) == 3000 + 5


# -- the command line ------------------------------------------------------------------------


def test_crux_between_two_share_links():
    three = get_scenario("report-3-to-1")
    confusion = get_scenario("report-confusion")
    a = link_for(three.prior, three.evidence_items())
    b = link_for(confusion.prior, confusion.evidence_items())
    out = run_json("crux", a, b)
    assert {"total_bits", "prior_bits", "items"} <= set(out)
    assert all("bits" in item for item in out["items"])
    assert out["total_bits"] == pytest.approx(math.log2(3 / 1.5), abs=1e-12)  # 3:1 versus 1.5:1, same prior
    assert out["prior_bits"] == 0.0
    assert [i["in"] for i in out["items"]] == ["both"]


def test_crux_link_errors_are_one_line_naming_the_argument():
    proc = run_cli("crux", "carlsmith", BASE + "?prior=2")
    line = assert_one_line_error(proc, "B")
    assert "prior" in line


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400) | st.text(alphabet="x/.:?", max_size=600))
@example("x" * 300)  # one path component over 255 bytes: os.stat raises ENAMETOOLONG
@example("a\x00b")
def test_any_text_at_all_is_a_view_or_one_input_error(text):
    try:
        load_view(text, field="B")
    except InputError as exc:
        assert str(exc).startswith("B")


def test_source_for_finds_catalogue_entries_then_built_in_items():
    from beliefs.io import catalogue
    from beliefs.io.state import source_for

    entry = catalogue.evidence_entries()[0]
    assert source_for(entry.id) == entry.source
    # An item of a built-in scenario that is not a catalogue entry: its source is the scenario file's.
    catalogue_ids = {e.id for e in catalogue.evidence_entries()}
    own = [
        e for s in builtin_scenarios().values() for e in s.evidence_items()
        if e.id and e.source is not None and e.id not in catalogue_ids
    ]
    assert own, "the built-in scenarios hold items of their own"
    assert source_for(own[0].id) == own[0].source
    assert source_for("") is None and source_for("not-an-id") is None
