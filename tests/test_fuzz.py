"""Fuzzing the two doors strangers' text comes through: scenario files and share links.

Properties (hypothesis, fixed example counts, deadlines):

* ``parse_scenario`` on arbitrary JSON, on mutations of valid scenarios
  (dropped/renamed fields, wrong types, extreme numbers) and on arbitrary text
  raises only :class:`~beliefs.errors.InputError` (or returns a valid
  Scenario that round-trips), each call within 1 s;
* ``link.decode`` on arbitrary query-parameter dicts never raises, returns
  values that pass the library's own validators, and each call is fast;
* files above the size limit are refused before parsing (30 MB in well under
  a second).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beliefs.errors import InputError
from beliefs.io.link import AppState, decode
from beliefs.io.scenario import (
    MAX_SCENARIO_BYTES,
    builtin_scenarios,
    load_scenario,
    parse_scenario,
    scenario_to_json,
)
from beliefs.io.scenario_schema import Scenario
from beliefs.io.settings import FIELDS, MAX_ITEMS, checked

pytestmark = pytest.mark.core  # runs with the core install alone (see test_core_install.py)

EXAMPLES = 400
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=1),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)

# -- JSON documents ----------------------------------------------------------------------------

_extreme_numbers = st.sampled_from(
    [0, -0.0, 1, -1, 1e308, -1e308, 5e-324, 2**63, -(2**63), 10**30, 0.5, 100, 75, 1.0000000000000002]
)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _extreme_numbers
    | st.text(max_size=30)
)
json_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)

_VALID = [json.loads(scenario_to_json(s)) for s in builtin_scenarios().values()]


def _paths(obj, prefix=()):
    """Every (container path, key) in a JSON document, to mutate one of them."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield prefix, k
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield prefix, i
            yield from _paths(v, (*prefix, i))


def _get(obj, path):
    for p in path:
        obj = obj[p]
    return obj


@st.composite
def mutated_scenarios(draw):
    doc = json.loads(json.dumps(draw(st.sampled_from(_VALID))))
    for _ in range(draw(st.integers(1, 3))):
        spots = list(_paths(doc))
        if not spots:
            break
        path, key = draw(st.sampled_from(spots))
        holder = _get(doc, path)
        action = draw(st.sampled_from(["drop", "rename", "retype", "extreme", "replace"]))
        if action == "drop":
            del holder[key]
        elif action == "rename" and isinstance(holder, dict):
            holder[draw(st.text(min_size=1, max_size=12))] = holder.pop(key)
        elif action == "retype":
            v = holder[key]
            holder[key] = draw(st.sampled_from([str(v), [v], {"v": v}, None, True, json.dumps(v)]))
        elif action == "extreme":
            holder[key] = draw(_extreme_numbers)
        else:
            holder[key] = draw(json_values)
    return doc


def _parse_checked(text):
    try:
        s = parse_scenario(text)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        # whatever is accepted is a real, consistent scenario
        assert isinstance(s, Scenario)
        assert parse_scenario(scenario_to_json(s)) == s
        assert 0 <= s.result().posterior <= 1


@FUZZ
@given(json_values)
def test_arbitrary_json_only_input_errors(doc):
    _parse_checked(json.dumps(doc))


@FUZZ
@given(json_values)
def test_arbitrary_json_with_scenario_header_only_input_errors(doc):
    payload = {
        "format": "beliefs-scenario",
        "version": 1,
        **(doc if isinstance(doc, dict) else {"prior": doc}),
    }
    _parse_checked(json.dumps(payload))


@FUZZ
@given(mutated_scenarios())
def test_mutated_scenarios_only_input_errors(doc):
    _parse_checked(json.dumps(doc))


@FUZZ
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_arbitrary_text_and_bytes_only_input_errors(raw):
    _parse_checked(raw)


# -- query parameters ------------------------------------------------------------------------------

_names = st.sampled_from([*FIELDS, "e0", "e1", "e7", "e99", "x", "", "e-1", "e01"])
_item_parts = st.lists(
    st.sampled_from(["p", "lr", "0.75", "0.25", "1", "0", "", "nan", "1e999", "-1", "x", "~", "75", "0.5"]),
    min_size=0,
    max_size=11,
).map("~".join)
_param_values = st.one_of(
    st.text(max_size=40),
    _item_parts,
    st.sampled_from(["75", "0.5", "nan", "inf", "-0", "1e-320", "3:1", "5/3", "0.1,0.2", "x" * 3000]),
    st.lists(st.text(max_size=10), max_size=3),
)


@FUZZ
@given(st.dictionaries(_names, _param_values, max_size=12))
def test_decode_never_raises_and_restores_valid_state(params):
    state, warnings = decode(params)
    assert isinstance(state, AppState)
    assert all(isinstance(w, str) and w for w in warnings)
    # the restored values obey the same validators as a loaded file
    assert checked(state.values) == state.values
    assert len(state.items) <= MAX_ITEMS
    for i, item in enumerate(state.items):
        item.to_evidence(field_prefix=f"e{i}.")


# -- arbitrary Unicode, lone surrogates included (issue 15) ------------------------------------------

# Every code point, surrogates (category Cs) and controls included: JSON's "\\udfff" and a URL's %ED%B3%BF
# decoded with surrogateescape both produce them.
_any_char = st.characters(codec=None, exclude_categories=())
_any_text = st.text(_any_char, max_size=40)
_keys = st.one_of(
    _names,
    _any_text,
    st.sampled_from(["e\u00b2", "e\u0661", "e" + "1" * 5000, "e-1", "e01", "e\U0001d7d9", "e 1", "E1"]),
)


@FUZZ
@given(st.dictionaries(_keys, st.one_of(_param_values, _any_text, st.lists(_any_text, max_size=3)), max_size=12))
def test_decode_never_raises_on_arbitrary_keys_and_unicode(params):
    state, warnings = decode(params)
    assert isinstance(state, AppState)
    for w in warnings:
        w.encode("utf-8")  # shown in the app: must be valid Unicode (surrogates come back escaped)
    for i, item in enumerate(state.items):
        item.to_evidence(field_prefix=f"e{i}.").label.encode("utf-8")


_TEXT_FIELDS = [("title",), ("description",), ("hypothesis",), ("evidence", 0, "label"), ("evidence", 0, "note"),
                ("evidence", 0, "id"), ("evidence", 0, "group")]


@FUZZ
@given(st.sampled_from(_VALID), st.sampled_from(_TEXT_FIELDS), _any_text)
def test_scenario_text_fields_take_any_unicode_or_refuse_by_name(doc, path, text):
    doc = json.loads(json.dumps(doc))
    holder = doc
    for p in path[:-1]:
        if isinstance(holder, list) and not holder:
            return
        holder = holder[p]
    holder[path[-1]] = text
    raw = json.dumps(doc)  # ensure_ascii: lone surrogates travel as \udXXX escapes, as in the issue
    try:
        s = parse_scenario(raw)
    except InputError as exc:
        assert "\n" not in str(exc)
        if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            assert ".".join(str(p) for p in path).replace(".0.", "[0].") in str(exc), str(exc)
        return
    scenario_to_json(s).encode("utf-8")  # what was accepted can be saved and shown
    s.result()


def test_lone_surrogate_in_each_field_is_refused_with_its_name():
    for path in _TEXT_FIELDS:
        doc = json.loads(json.dumps(_VALID[0]))
        holder = doc
        for p in path[:-1]:
            holder = holder[p]
        holder[path[-1]] = "ok \udfff"
        where = ".".join(str(p) for p in path).replace(".0.", "[0].")
        with pytest.raises(InputError, match=re.escape(where) + ".*valid Unicode"):
            parse_scenario(json.dumps(doc))


# -- size limit ------------------------------------------------------------------------------------


def test_thirty_megabytes_refused_before_parsing(tmp_path):
    body = b'{"format": "beliefs-scenario", "version": 1, "prior": 0.5, "description": "' + b"a" * 30_000_000
    path = tmp_path / "huge.json"
    path.write_bytes(body + b'"}')
    with pytest.raises(InputError, match="at most"):
        load_scenario(path)
    with pytest.raises(InputError, match="at most"):
        parse_scenario(body)
    with pytest.raises(InputError, match="at most"):
        parse_scenario(body.decode())
    assert len(body) > 30 * MAX_SCENARIO_BYTES


def test_report_examples(capsys):
    fuzzers = 7
    with capsys.disabled():
        print(f"\nfuzz: {fuzzers} properties x {EXAMPLES} examples = {fuzzers * EXAMPLES} examples")
