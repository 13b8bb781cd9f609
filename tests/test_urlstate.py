"""Share-link state: exact round trips, and per-field fallback for tampered links."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from beliefs.entry import format_prior, parse_prior_text
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Entry, Evidence
from beliefs.io.link import AppState, decode, encode
from beliefs.io.settings import FIELDS, MAX_ITEMS, defaults
from beliefs.update import update


def lr_item(label: str, lr: float, **rest) -> Evidence:
    return Evidence(label, likelihood_ratio=lr, **rest)

pytestmark = pytest.mark.core  # runs with the core install alone (see test_core_install.py)

# A link's text is typed input: a subnormal probability there is refused (issue 22.14), so states hold none.
probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False).filter(lambda p: p == 0 or p >= 2.2250738585072014e-308)
open_probabilities = st.floats(min_value=1e-9, max_value=1 - 1e-9, allow_nan=False)
labels = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda s: s.strip()
)
ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", max_size=20)


@st.composite
def items(draw):
    kind = draw(st.sampled_from(["p", "lr"]))
    label = draw(labels)
    spread = draw(st.one_of(st.none(), st.floats(min_value=0.01, max_value=500, allow_nan=False)))
    rest = {"enabled": draw(st.booleans()), "id": draw(ids) or None}
    if kind == "p":
        return Evidence.from_entry(label, Entry("p", draw(open_probabilities), draw(open_probabilities), spread), **rest)
    lr = draw(st.floats(min_value=1e-6, max_value=1e6, allow_nan=False))
    return Evidence.from_entry(label, Entry("lr", lr, None, spread), **rest)


@st.composite
def grouped_items(draw):
    return draw(items()).with_(group="g", discount=0.5)


@st.composite
def states(draw):
    vals = defaults()
    vals["prior"] = draw(probabilities)
    vals["entry"] = draw(st.sampled_from(["percent", "odds", "log-odds"]))
    vals["view"] = draw(st.sampled_from(["update", "data", "chain", "monitoring", "analysis"]))
    vals["thr"] = draw(open_probabilities)
    vals["ch_surv"] = draw(probabilities)
    vals["ch_steps"] = draw(st.integers(1, 1000))
    vals["mo_tasks"] = draw(st.integers(1, 10_000_000))
    vals["cmp"] = ",".join(repr(x) for x in draw(st.lists(probabilities, max_size=3)))
    ledger = draw(st.lists(items(), max_size=5)) + draw(st.lists(grouped_items(), max_size=2))
    return AppState(values=vals, items=tuple(ledger))


@given(states())
@example(AppState(values={**defaults(), "prior": 0.1 + 0.2}, items=(lr_item("a~b~c", 3.0),)))
def test_round_trip_is_exact(state):
    params = encode(state)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
    back, warnings = decode(params)
    assert warnings == []
    assert back == state
    # Bit for bit, not merely close: the share link restores the same posterior.
    assert (
        update(back["prior"], back.items).posterior_log_odds == update(state["prior"], state.items).posterior_log_odds
    )


def test_defaults_encode_to_an_empty_link():
    assert encode(AppState()) == {}
    assert decode({}) == (AppState(), [])


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"prior": "1.5"}, "prior", "did you mean 0.015"),
        ({"prior": "nan"}, "prior", "probability in [0, 1]"),
        ({"prior": ""}, "prior", "probability"),
        ({"view": "admin"}, "view", "one of 'update'"),
        ({"ch_steps": "3.5"}, "ch_steps", "whole number"),
        ({"ch_steps": "0"}, "ch_steps", ">= 1"),
        ({"mo_rate": "-0.1"}, "mo_rate", "probability"),
        ({"thr": "-0.5"}, "thr", "[0, 1]"),
        ({"prior": "9" * 3000}, "prior", "at most 2000"),
        ({"cmp": "0.25,2"}, "cmp[1]", "probability"),
        ({"da_env": "3/2"}, "da_env[0].k", "<= 2"),
        ({"da_env": "1/2;3/4"}, "da_env[0]", "k/n"),
    ],
)
def test_bad_scalar_falls_back_for_that_field_only(params, field, fragment):
    tampered = {"prior": "0.25", "entry": "odds", "e0": "lr~3~~1~~~~~stated", **params}
    state, warnings = decode(tampered)
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{field}: got ")
    assert fragment in warnings[0]
    assert "using the default" in warnings[0]
    key = next(iter(params))
    assert state[key] == FIELDS[key].default
    # The other fields in the link still apply.
    for other, raw in tampered.items():
        if other == key:
            continue
        if other == "e0":
            assert state.items == (lr_item("stated", 3.0),)
        else:
            assert encode(state)[other] == raw


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("p~0~0.25~1~~~~~x", "e0.p_e_given_h"),  # a likelihood of 0 is infinite evidence
        ("p~0.75~1.25~1~~~~~x", "e0.p_e_given_not_h"),
        ("lr~-3~~1~~~~~x", "e0.likelihood_ratio"),
        ("lr~inf~~1~~~~~x", "e0.a"),
        ("q~3~~1~~~~~x", "e0.kind"),
        ("lr~3~~yes~~~~~x", "e0.enabled"),
        ("lr~3~~1~~~~~", "e0.label"),
        ("lr~3", "e0: got"),
        ("lr~3~~1~~~g~1.5~x", "e0.discount"),
        ("lr~3~~1~~~g~zero~x", "e0.discount"),
        ("p~0.75~0.25~1~-2~~~~x", "e0.spread"),
    ],
)
def test_bad_item_is_left_out_with_a_warning(raw, fragment):
    state, warnings = decode({"e0": "lr~2~~1~~~~~kept", "e1": raw.replace("e0", "e1"), "prior": "0.2"})
    assert len(warnings) == 1
    assert fragment.replace("e0", "e1") in warnings[0]
    assert "left out" in warnings[0]
    assert state.items == (lr_item("kept", 2.0),)
    assert state["prior"] == 0.2


def test_unknown_parameters_and_repeated_keys():
    """Issue 22.17: `prior=0.1&prior=0.9` let the last win silently; a file refuses a duplicate key."""
    state, warnings = decode({"utm_source": "x", "prior": ["0.9", "0.3"], "e0": ["lr~2~~1~~~~~a", "lr~3~~1~~~~~b"]})
    assert warnings == [
        "prior: got ['0.9', '0.3']; expected each parameter once, as a file gives each field once (given 2 times); "
        "using the default 0.5",
        "e0: got ['lr~2~~1~~~~~a', 'lr~3~~1~~~~~b']; expected each parameter once, as a file gives each field once "
        "(given 2 times); this item is left out",
        "utm_source: unknown parameter, ignored",
    ]
    assert state["prior"] == 0.5 and state.items == ()
    assert decode({"prior": ["0.3"]}) == decode({"prior": "0.3"})  # once, as a list, is once


def test_items_are_ordered_numerically_and_capped():
    params = {f"e{i}": f"lr~{i + 1}~~1~~~~~item {i}" for i in range(MAX_ITEMS + 3)}
    state, warnings = decode(params)
    assert [i.likelihood_ratio for i in state.items] == [float(i + 1) for i in range(MAX_ITEMS)]
    assert len(warnings) == 1 and f"more than {MAX_ITEMS}" in warnings[0]


def test_an_entry_carries_uncertainty():
    kappa = 40.0
    e = Evidence.from_entry("x", Entry("p", 0.75, 0.25, kappa))
    assert e.p_e_given_h_dist == BetaDist(30.0, 10.0)
    assert e.p_e_given_not_h_dist == BetaDist(10.0, 30.0)
    assert e.entry == Entry("p", 0.75, 0.25, kappa)
    lr = Evidence.from_entry("y", Entry("lr", 3.0, None, 0.5), enabled=False)
    assert (lr.log_lr_sigma, lr.enabled) == (0.5, False)
    assert lr.entry == Entry("lr", 3.0, None, 0.5)


def test_entry_errors_name_the_field():
    with pytest.raises(InputError, match=r"^p_e_given_h: got 0\.0"):
        Evidence.from_entry("x", Entry("p", 0.0, 0.5))


@pytest.mark.parametrize(
    ("text", "entry", "p"),
    [
        ("25", "percent", 0.25),
        ("0", "percent", 0.0),
        ("100", "percent", 1.0),
        ("1:3", "odds", 0.25),
        ("3:1", "odds", 0.75),
        (" 2 : 8 ", "odds", 0.2),
        ("0", "log-odds", 0.5),
        ("1.584962500721156 bits", "log-odds", 0.75),
        ("4.771212547196624 dB", "log-odds", 0.75),
        ("-1.0986122886681098 nats", "log-odds", 0.25),
    ],
)
def test_parse_prior_text_against_hand_values(text, entry, p):
    assert parse_prior_text(text, entry) == pytest.approx(p, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize(
    ("text", "entry", "fragment"),
    [
        ("25%%", "percent", "e.g. 25 or 25% or 0.25%"),
        ("101", "percent", "[0, 100]"),
        ("1/3", "odds", "odds a:b"),
        ("0:0", "odds", "not both 0"),
        ("-1:3", "odds", "odds a:b"),
        ("inf", "log-odds", "finite"),
        ("x bits", "log-odds", "log-odds"),
    ],
)
def test_parse_prior_text_errors(text, entry, fragment):
    with pytest.raises(InputError, match=r"^prior: got ") as info:
        parse_prior_text(text, entry)
    assert fragment in str(info.value)


@given(open_probabilities, st.sampled_from(["percent", "odds", "log-odds"]))
def test_format_prior_parses_back(p, entry):
    # The box shows 12 significant digits, so typing it back moves p by at most ~1e-11 relative.
    back = parse_prior_text(format_prior(p, entry), entry)
    assert math.isclose(back, p, rel_tol=1e-10)


def test_label_id_and_group_may_contain_the_separator():
    """Issue 22.4: a group or an id holding `~` crashed the app's link and failed `export`/`scenario link`."""
    s = AppState(items=(
        Evidence("a ~ b ~ c", p_e_given_h=0.5, p_e_given_not_h=0.25, id="cat_id"),
        Evidence("x", likelihood_ratio=2.0, id="bad~id%7E", group="x~y%", discount=0.5),
        Evidence("y", likelihood_ratio=3.0, group="x~y%", discount=0.5),
    ))  # fmt: skip
    params = encode(s)
    assert params["e1"] == "lr~2.0~~1~~bad%7Eid%257E~x%7Ey%25~0.5~x"
    assert decode(params) == (s, [])


def test_an_old_link_with_a_percent_in_an_id_still_opens():
    state, warnings = decode({"e0": "lr~2~~1~~50%~~~x"})
    assert warnings == [] and state.items[0].id == "50%"


def test_evidence_constructor_is_the_authority():
    # What decode accepts is exactly what Evidence accepts.
    for raw in ("p~1~0.5~1~~~~~x", "p~0.5~1~1~~~~~x"):
        state, warnings = decode({"e0": raw})
        assert warnings == []
        assert isinstance(state.items[0], Evidence)
    # A certain prior round-trips and is explained by update(), not turned into NaN.
    state, _ = decode({"prior": "1", "e0": "lr~3~~1~~~~~x"})
    r = update(state["prior"], state.items)
    assert r.posterior == 1.0 and r.note and "Cromwell" in r.note


@given(st.lists(st.floats(min_value=1e-6, max_value=1 - 1e-6), min_size=1, max_size=20), st.sampled_from(("percent", "odds", "log-odds")))
def test_prior_list_round_trips_in_every_entry_mode(probs, entry):
    from beliefs.entry import format_prior_list, parse_prior_list_text

    cmp = ",".join(repr(p) for p in probs)
    back = [float(x) for x in parse_prior_list_text(format_prior_list(cmp, entry), entry).split(",")]
    # format_prior keeps 12 significant digits of the typed form (percent, odds or log-odds)
    assert back == pytest.approx(probs, rel=1e-9, abs=1e-12)


@given(st.text(max_size=200), st.sampled_from(("percent", "odds", "log-odds")))
def test_prior_list_parser_raises_only_input_error(text, entry):
    from beliefs.entry import parse_prior_list_text

    try:
        out = parse_prior_list_text(text, entry)
    except InputError as exc:
        assert "compare priors" in str(exc)
    else:
        assert all(0.0 <= float(p) <= 1.0 for p in out.split(",") if out)


def test_a_percent_typed_as_a_probability_keeps_its_hint_with_a_spread():
    for spread in (None, 10.0):  # with a spread the probability is a Beta's mean: checked the same way first
        with pytest.raises(InputError, match=r"^p_e_given_h: got 1\.5.*did you mean 0\.015"):
            Evidence.from_entry("x", Entry("p", 1.5, 0.2, spread))


# -- one schema: the link's limits and the file's come from the item schema ----------------------


def test_the_longest_valid_item_fits_a_link_parameter():
    """MAX_ITEM_PARAM holds any valid item: every text at its schema limit, made of the characters escaped most."""
    from beliefs.evidence import GROUP, ITEM_ID, LABEL, PROVENANCE_TEXT, Provenance
    from beliefs.io.link import MAX_ITEM_PARAM

    worst = Evidence.from_entry(
        "~" * LABEL.max_length,
        Entry("p", 0.1 + 0.2, 2 / 3, 1 / 3),
        id="%" * ITEM_ID.max_length,
        group="~" * GROUP.max_length,
        discount=0.1 + 0.2,
        provenance=Provenance(
            *(['"\\' * (PROVENANCE_TEXT.max_length // 2)] * 3),
            log10_bf_range=(-1.2345678901234567e-300, 1.2345678901234567e300),
            range_over='"' * PROVENANCE_TEXT.max_length,
            derived_likelihood_ratio=1.2345678901234567e-300,
        ),
    )
    params = encode(AppState(items=(worst,)))
    assert len(params["e0"]) <= MAX_ITEM_PARAM and len(params["p0"]) <= MAX_ITEM_PARAM
    assert decode(params) == (AppState(items=(worst,)), [])


@given(
    st.sampled_from(["discount", "log_lr_sigma", "likelihood_ratio", "p_e_given_h"]),
    st.sampled_from([-1.0, -0.0, 0.0, 5e-324, 0.5, 1.0, 1.0000000000000002, 700.0, 700.0000000000001, 1e308]),
)
def test_a_file_refuses_exactly_what_an_item_refuses(field, value):
    """One range per field: the scenario file's pydantic bounds are the item schema's (beliefs.evidence)."""
    from beliefs.io.scenario_schema import EvidenceSpec

    base = {"label": "x", "likelihood_ratio": 2.0} if field != "p_e_given_h" else {"label": "x", "p_e_given_not_h": 0.5}
    fields = {**base, field: value}
    try:
        Evidence(**fields)
        item_ok = True
    except InputError:
        item_ok = False
    try:
        EvidenceSpec(**fields)
        file_ok = True
    except InputError:
        file_ok = False
    assert item_ok == file_ok, (field, value)


def test_a_label_longer_than_the_schema_allows_is_refused_alike_by_item_file_and_link():
    """Issue 22.13: one length limit, one message."""
    from beliefs.io.scenario_schema import EvidenceSpec

    label = "L" * 301
    messages = []
    for build in (
        lambda: Evidence(label, likelihood_ratio=2.0),
        lambda: EvidenceSpec(label=label, likelihood_ratio=2.0),
    ):
        with pytest.raises(InputError) as info:
            build()
        messages.append(str(info.value).split(": got")[1])
    _, warnings = decode({"e0": "lr~2~~1~~~~~" + label})
    messages.append(warnings[0].split(": got")[1].split("; this item")[0])
    assert len(set(messages)) == 1 and "a non-empty label of at most 300 characters (it has 301)" in messages[0]
