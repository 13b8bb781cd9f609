r"""The readable share link: the app's state as flat query parameters, and back.

A share link must restore exactly what its author saw, and a tampered link
must not break the page.  So every parameter is parsed by the library's own
validators; a parameter that fails keeps the default for that field only and
produces one warning naming the parameter, the value and what is allowed.
Everything else in the link still applies.  A parameter given twice is
refused like a file's duplicate key: one warning naming it, and the default.

Floats are written with :func:`repr`, the shortest text that parses back to
the same double, so ``decode(encode(s)) == s`` holds bit for bit for every
state the readable form holds (:func:`holds`); the app uses the short form
(:mod:`beliefs.io.shortlink`) for any other.

Parameters
----------
Scalar fields use short names (``prior=0.25``, ``view=update``).  Evidence
items use ``e0``, ``e1``, ... each holding nine ``~``-separated parts::

    kind ~ a ~ b ~ enabled ~ spread ~ id ~ group ~ discount ~ label

``kind``, ``a``, ``b`` and ``spread`` are the item's
:class:`~beliefs.evidence.Entry` (``p``: P(E|H), P(E|not H) and a Beta
concentration; ``lr``: the ratio and the sd of its log); ``group`` and
``discount`` are the dependence group and its exponent :math:`w` (empty:
independent, :math:`w = 1`).  In ``id`` and ``group`` a ``~`` is written
``%7E`` and a ``%`` ``%25``, so any valid name travels; the label comes last
and may hold ``~`` as it is.  A derived item's provenance rides beside it as
JSON in ``p<i>``.  ``scenario`` names the scenario the state was loaded from:
when it is a built-in one, its title, H, notes, sources and ``hypotheses``
block come back from it (:func:`beliefs.io.state.completed_from_origin`).

Examples
--------
>>> from beliefs.evidence import Entry, Evidence
>>> s = AppState(values={**defaults(), "prior": 0.25},
...              items=(Evidence.from_entry("stated 3-to-1", Entry("p", 0.75, 0.25)),))
>>> params = encode(s)
>>> params["prior"], params["e0"]
('0.25', 'p~0.75~0.25~1~~~~~stated 3-to-1')
>>> back, warnings = decode(params)
>>> back == s, warnings
(True, [])
>>> print(decode({"prior": "1.5"})[1][0])
prior: got '1.5'; expected a probability in [0, 1] (did you mean 0.015? probabilities are fractions, not percent); using the default 0.5
>>> print(decode({"prior": ["0.1", "0.9"]})[1][0])
prior: got ['0.1', '0.9']; expected each parameter once, as a file gives each field once (given 2 times); using the default 0.5
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

from beliefs.errors import InputError
from beliefs.evidence import Entry, Evidence, Provenance
from beliefs.io.settings import FIELDS, MAX_ITEMS, MAX_PARAM, defaults, format_value, without_stale_sources
from beliefs.io.state import AppState, completed_from_origin, holds_same
from beliefs.validation import as_float

__all__ = [
    "MAX_ITEM_PARAM",
    "MAX_QUERY_PARAMS",
    "AppState",
    "decode",
    "dropped_parameters_warning",
    "encode",
    "holds",
]

MAX_QUERY_PARAMS = 1000  # Streamlit silently drops a link with more query parameters than this
# Characters of one e<i> or p<i>: the longest a valid item makes (every text at the item schema's limit,
# escaped) fits with room; tests/test_urlstate.py builds that item and checks.
MAX_ITEM_PARAM = 10_000
_SEP = "~"
_ESCAPES = {"%25": "%", "%7E": "~", "%7e": "~"}


def _escape(name: str) -> str:
    return name.replace("%", "%25").replace(_SEP, "%7E")


def _unescape(text: str) -> str:
    # One pass, so "%257E" is the text "%7E"; any other "%" is the character itself (older links).
    return re.sub("%(?:25|7[Ee])", lambda m: _ESCAPES[m.group()], text)


def _encode_item(item: Evidence) -> str:
    kind, a, b, spread = item.entry
    parts = [
        kind,
        format_value(a),
        "" if b is None else format_value(b),
        "1" if item.enabled else "0",
        "" if spread is None else format_value(spread),
        _escape(item.id or ""),
        _escape(item.group or ""),
        "" if item.discount == 1.0 else format_value(item.discount),
        item.label,
    ]
    return _SEP.join(parts)


def encode(state: AppState) -> dict[str, str]:
    """Query parameters for ``state``; fields at their default are left out to keep links short.

    What the readable form cannot hold (a note or a source no name restores, a
    scenario's own title, Betas that are not a mean and a concentration) is
    not in these parameters: :func:`holds` says whether they restore the state.
    """
    params: dict[str, str] = {}
    for name, spec in FIELDS.items():
        value = state.values.get(name, spec.default)
        if value != spec.default or type(value) is not type(spec.default):
            params[name] = format_value(value)
    for i, item in enumerate(state.items):
        params[f"e{i}"] = _encode_item(item)
        if item.provenance is not None:
            params[f"p{i}"] = json.dumps(item.provenance.to_dict(), separators=(",", ":"), ensure_ascii=False)
    return params


def holds(state: AppState, params: Mapping[str, str] | None = None) -> bool:
    """True when the readable parameters restore ``state`` exactly (every value, item and title)."""
    params = encode(state) if params is None else params
    back, warnings = decode(params)
    return not warnings and holds_same(back, state)


def _decode_provenance(raw: object, name: str) -> Provenance:
    if not isinstance(raw, str) or len(raw) > MAX_ITEM_PARAM:
        raise InputError(name, raw, f"text of at most {MAX_ITEM_PARAM} characters")
    try:
        data = json.loads(raw, parse_constant=lambda c: None)
    except ValueError:
        raise InputError(name, raw, "a JSON provenance object") from None
    try:
        return Provenance.from_dict(data, name)
    except (InputError, TypeError) as exc:
        if isinstance(exc, TypeError):
            raise InputError(name, raw, "a JSON provenance object") from None
        field = exc.field if exc.field.startswith(name) else f"{name}." + exc.field.removeprefix("provenance.")
        raise InputError(field, exc.value, exc.allowed, exc.hint) from None


@lru_cache(maxsize=4096)
def _decode_item(raw: str, name: str) -> Evidence:
    # Cached: Evidence is immutable, and the app checks on every run that its address bar restores its
    # state, so an item unchanged since the last run is not built (validated) again.
    parts = raw.split(_SEP, 8)
    allowed = "kind~a~b~enabled~spread~id~group~discount~label, e.g. p~0.75~0.25~1~~~~~stated 3-to-1"
    if len(parts) != 9:
        raise InputError(name, raw, allowed)
    kind, a, b, on, spread, ident, group, discount, label = parts
    if kind not in ("p", "lr"):
        raise InputError(f"{name}.kind", kind, "'p' or 'lr'")
    if on not in ("0", "1"):
        raise InputError(f"{name}.enabled", on, "'1' or '0'")
    entry = Entry(
        kind,  # type: ignore[arg-type]
        as_float(a, f"{name}.a"),
        None if b == "" and kind == "lr" else as_float(b, f"{name}.b"),
        None if spread == "" else as_float(spread, f"{name}.spread"),
    )
    try:
        # The Evidence constructor (the item schema) is the authority on what a valid item is.
        return Evidence.from_entry(
            label,
            entry,
            id=_unescape(ident) or None,
            group=_unescape(group) or None,
            discount=1.0 if discount == "" else as_float(discount, "discount"),
            enabled=on == "1",
        )
    except InputError as exc:
        raise InputError(f"{name}.{exc.field}", exc.value, exc.allowed, exc.hint) from None


_ITEM_KEY = re.compile(r"e(?:0|[1-9][0-9]{0,3})", re.ASCII)
_MAX_UNKNOWN_SHOWN = 5
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.-]{1,40}", re.ASCII)


def _shown_key(key: object) -> str:
    # A key is untrusted text: a plain name as is, anything else as repr (escapes controls and surrogates).
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
        return key
    text = ascii(key) if isinstance(key, str) else type(key).__name__
    return text if len(text) <= 60 else text[:40] + "..." + text[-15:]


def one_value(params: Mapping[str, object], key: str) -> object:
    """The one value of ``key``; InputError when the link gives it more than once (as a file refuses a duplicate key).

    ``params`` values may be lists (``parse_qs``, ``st.query_params.get_all``).
    """
    value = params[key]
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return value[0]
        raise InputError(key, list(value), "each parameter once, as a file gives each field once", f"given {len(value)} times")
    return value


def dropped_parameters_warning(url: object, received: int) -> str | None:
    """A warning when the address had more query parameters than Streamlit passes on (it drops them all).

    ``url`` is the page's address as the browser sent it (``st.context.url``), ``received``
    how many parameters arrived in ``st.query_params``.

    >>> dropped_parameters_warning("http://h/?" + "&".join(f"x{i}=1" for i in range(1001)), 0)[:29]
    'this link has 1001 parameters'
    >>> dropped_parameters_warning("http://h/?a=1", 1) is None
    True
    """
    if not isinstance(url, str) or "?" not in url:
        return None
    query = url.split("?", 1)[1].split("#", 1)[0]
    count = sum(1 for part in query.split("&") if part)
    if count <= MAX_QUERY_PARAMS or received >= count:
        return None
    return (
        f"this link has {count} parameters; Streamlit drops links with more than {MAX_QUERY_PARAMS}, "
        "so none of its state could be restored"
    )


def decode_values(params: Mapping[str, object], base: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The scalar fields among ``params`` over ``base`` (default: the defaults), and a warning per bad one."""
    values = dict(defaults() if base is None else base)
    warnings: list[str] = []
    for name, spec in FIELDS.items():
        if name not in params:
            continue
        try:
            raw = one_value(params, name)
            if isinstance(raw, str) and len(raw) > MAX_PARAM:
                raise InputError(name, raw, f"at most {MAX_PARAM} characters")
            values[name] = spec.parse(raw, name)
        except InputError as exc:
            values[name] = (defaults() if base is None else base)[name]
            warnings.append(f"{exc}; using the default {format_value(spec.default) or repr('')}")
    values, stale = without_stale_sources(values)  # a q or c edited in the link is no longer its source's
    return values, warnings + stale


def decode(params: Mapping[str, object]) -> tuple[AppState, list[str]]:
    """Parse query parameters into an :class:`~beliefs.io.state.AppState` and a list of warnings.

    Never raises for bad input: a bad field keeps its default and adds one
    warning; a bad item is left out with one; unknown parameters are reported
    and ignored.  A short link's ``s`` is not known here:
    :func:`beliefs.io.shortlink.open_link` reads it.
    """
    warnings: list[str] = []
    if len(params) > MAX_QUERY_PARAMS:
        warnings.append(
            f"this link has {len(params)} parameters; Streamlit drops links with more than "
            f"{MAX_QUERY_PARAMS}, so parts of it may be missing"
        )
    values, bad = decode_values(params)
    warnings += bad
    # ASCII digits only and at most 4 of them: "e²".isdigit() is True but int("²") raises, and
    # int() of 5,000 digits raises too (Python's limit on int from str).
    item_keys = sorted((k for k in params if isinstance(k, str) and _ITEM_KEY.fullmatch(k)), key=lambda k: int(k[1:]))
    items: list[Evidence] = []
    for key in item_keys:
        if len(items) >= MAX_ITEMS:
            warnings.append(f"{key}: more than {MAX_ITEMS} evidence items; the rest are ignored")
            break
        try:
            raw = one_value(params, key)
            if not isinstance(raw, str) or len(raw) > MAX_ITEM_PARAM:
                raise InputError(key, raw, f"text of at most {MAX_ITEM_PARAM} characters")
            item = _decode_item(raw, key)
        except InputError as exc:
            warnings.append(f"{exc}; this item is left out")
            continue
        prov_key = f"p{key[1:]}"
        if prov_key in params:
            try:
                item = replace(item, provenance=_decode_provenance(one_value(params, prov_key), prov_key))
            except InputError as exc:
                warnings.append(f"{exc}; the item is kept without its provenance")
        items.append(item)
    prov_keys = {k for k in params if isinstance(k, str) and k.startswith("p") and f"e{k[1:]}" in item_keys}
    known = set(FIELDS) | set(item_keys) | prov_keys
    unknown = [key for key in params if key not in known]
    for key in unknown[:_MAX_UNKNOWN_SHOWN]:
        warnings.append(f"{_shown_key(key)}: unknown parameter, ignored")
    if len(unknown) > _MAX_UNKNOWN_SHOWN:
        warnings.append(f"{len(unknown) - _MAX_UNKNOWN_SHOWN} more unknown parameters, ignored")
    return completed_from_origin(values, items), warnings
