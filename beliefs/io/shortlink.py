r"""Short share links: the scenario itself, compressed, in one versioned parameter ``s``.

The readable link (``?prior=0.25&e0=p~0.75~0.25~1~~~~~stated 3-to-1``) grows
with every label and holds only what its parameters name.  The short form
carries the scenario file's own JSON, deflated and base64url-encoded behind
a version character::

    s = "2" + base64url(deflate(scenario JSON))     (no padding)

The JSON leaves out fields at their default (the reader puts them back), and
an item from the catalogue whose label is the catalogue's claim and whose
source is the catalogue's leaves both to its id: thirty catalogue items take
about 1,000 characters.

so anything a scenario file holds (notes, sources, titles, model blocks, the
``hypotheses`` block), a short link holds, and it is read back by the
scenario file's strict reader (:func:`beliefs.io.scenario.parse_scenario`):
the same validators, the same messages.  Links of the first version
(``s = "1" + ...``, the readable parameters deflated) still open.

Untrusted input is bounded before work is done on it: at most
:data:`MAX_SHORT` characters of ``s``, at most :data:`MAX_INFLATED` bytes
after decompression (a deflate bomb stops there).

:func:`share_params` is what the app puts in the address bar: the readable
parameters when they restore the state exactly, else the short form.

>>> from beliefs.io.scenario import get_scenario
>>> s = get_scenario("rare-scheming")
>>> value = short_value(s)
>>> value[0], len(value) < 2500
('2', True)
>>> unpack_scenario(value) == s
True
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Mapping
from functools import cache
from urllib.parse import parse_qsl, urlencode

from beliefs.errors import InputError
from beliefs.io.link import decode, decode_values, encode, holds, one_value
from beliefs.io.scenario import decode_document, loads_strict, parse_scenario
from beliefs.io.scenario_schema import Scenario
from beliefs.io.state import AppState, scenario_from_state, state_from_scenario

__all__ = [
    "LEGACY_VERSION",
    "MAX_INFLATED",
    "MAX_READABLE",
    "MAX_SHORT",
    "PARAM",
    "VERSION",
    "open_link",
    "share_params",
    "short_link",
    "short_value",
    "unpack_params",
    "unpack_scenario",
]

PARAM = "s"
VERSION = "2"  # the scenario's JSON
LEGACY_VERSION = "1"  # the readable parameters (links made before version 2 still open)
MAX_SHORT = 32_000  # characters of the parameter: a 40-item ledger with notes and sources fits
MAX_INFLATED = 256 * 1024  # bytes after decompression
MAX_READABLE = 8_000  # characters of a readable query; a longer state goes in the address bar short
_MAX_FIELDS = 200  # every scalar field plus MAX_ITEMS items and their provenance, with room
_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
_ALLOWED = f"a short-link value: {VERSION!r} (or {LEGACY_VERSION!r}) followed by base64url text, at most {MAX_SHORT:,} characters"


def _pack(text: str) -> str:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(text.encode("utf-8")) + packer.flush()
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


_FROM_CATALOGUE = "catalogue"  # a source that is the catalogue's for the item's id (no file holds a string there)


def packed_document(scenario: Scenario) -> dict:
    """The scenario's JSON as a short link packs it: fields at their default left out (the reader puts them
    back), and a catalogue item's claim and source left to its id."""
    data = {"format": scenario.format, "version": scenario.version}
    data.update(scenario.model_dump(mode="json", exclude_defaults=True))
    claims, sources = _catalogue()
    for item in data.get("evidence", []):
        ident = item.get("id")
        if ident not in claims:
            continue
        if item.get("label") == claims[ident]:
            del item["label"]  # a label is required in a file: its absence is unambiguous
        if item.get("source") == sources[ident]:
            item["source"] = _FROM_CATALOGUE
    return data


def _unpacked_document(obj: object) -> object:
    """:func:`packed_document`'s catalogue items made whole again (anything else is left to the reader)."""
    evidence = obj.get("evidence") if isinstance(obj, dict) else None
    if not isinstance(evidence, list):
        return obj
    claims, sources = _catalogue()
    for item in evidence:
        if not isinstance(item, dict) or item.get("id") not in claims:
            continue
        item.setdefault("label", claims[item["id"]])
        if item.get("source") == _FROM_CATALOGUE:
            item["source"] = sources[item["id"]]
    return obj


@cache
def _catalogue() -> tuple[dict[str, str], dict[str, dict]]:
    from beliefs.io.catalogue import evidence_entries
    from beliefs.io.scenario_schema import SourceSpec

    entries = evidence_entries()
    return (
        {e.id: e.claim for e in entries},
        {e.id: SourceSpec.from_source(e.source).model_dump(mode="json") for e in entries},
    )


def short_value(scenario: Scenario) -> str:
    """The value of ``s`` for a scenario; InputError when it is longer than a link may be."""
    text = json.dumps(packed_document(scenario), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    value = VERSION + _pack(text)
    if len(value) > MAX_SHORT:
        raise InputError(
            "link",
            f"{len(value):,} characters",
            f"a scenario that fits a link ({MAX_SHORT:,} characters compressed)",
            "save it as a file instead",
        )
    return value


def short_link(scenario: Scenario, base: str = "") -> str:
    """``base?s=...``; ``base`` is the app's address (empty: a relative link)."""
    return f"{base.split('?')[0]}?{PARAM}={short_value(scenario)}"


def _inflate(value: object) -> bytes:
    """The bytes behind ``s`` of either version; InputError names ``s`` and says what is wrong."""
    if not isinstance(value, str) or not value:
        raise InputError(PARAM, value, _ALLOWED)
    if len(value) > MAX_SHORT:
        raise InputError(PARAM, f"{len(value):,} characters", _ALLOWED)
    if value[0] not in (VERSION, LEGACY_VERSION):
        # Only a version after this one is "newer": '0', '١' (an Arabic-Indic one) or 'x' were never written.
        newer = value[0] in "0123456789" and value[0] > VERSION
        raise InputError(PARAM, value, _ALLOWED, "made by a newer version of beliefs" if newer else "")
    body = value[1:]
    if not _ALPHABET.fullmatch(body):
        raise InputError(PARAM, value, _ALLOWED, "only letters, digits, '-' and '_' after the version")
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise InputError(PARAM, value, _ALLOWED, "the link was cut short or changed") from None
    inflater = zlib.decompressobj(-15)
    try:
        data = inflater.decompress(packed, MAX_INFLATED)
    except zlib.error:
        raise InputError(PARAM, value, _ALLOWED, "the link was cut short or changed") from None
    if inflater.unconsumed_tail:
        raise InputError(PARAM, f"more than {MAX_INFLATED:,} bytes unpacked", f"at most {MAX_INFLATED:,} bytes")
    if not inflater.eof or inflater.unused_data:
        raise InputError(PARAM, value, _ALLOWED, "the link was cut short or changed")
    return data


def unpack_scenario(value: object) -> Scenario:
    """The scenario inside a version-2 ``s``, read by the scenario file's own reader; InputError naming ``s``."""
    data = _inflate(value)
    if value[0] != VERSION:
        raise InputError(PARAM, value, f"a short link of version {VERSION}", "this one holds parameters")
    try:
        text = decode_document(data, "scenario", max_bytes=MAX_INFLATED, what="a scenario")
        document = _unpacked_document(loads_strict(text, "scenario"))
        return parse_scenario(json.dumps(document, ensure_ascii=False))
    except InputError as exc:
        raise InputError(f"{PARAM} {exc.field}", exc.value, exc.allowed, exc.hint) from None


def unpack_params(value: object) -> dict[str, str]:
    """The query parameters inside a version-1 ``s``."""
    data = _inflate(value)
    if value[0] != LEGACY_VERSION:
        raise InputError(PARAM, value, f"a short link of version {LEGACY_VERSION}", "this one holds a scenario")
    try:
        text = data.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=_MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise InputError(PARAM, value, _ALLOWED, "the contents are not query parameters") from None
    params: dict[str, str] = {}
    claims: dict[str, str] | None = None
    for key, raw in pairs:
        if key == PARAM:
            raise InputError(PARAM, value, _ALLOWED, "a short link inside a short link")
        if key.startswith("e") and key[1:].isdigit():
            # Version 1 left out a catalogue item's label while it was the catalogue's claim.
            parts = raw.split("~", 8)
            if len(parts) == 9 and parts[5] and parts[8] == "":
                claims = _catalogue_claims() if claims is None else claims
                raw = raw + claims.get(parts[5], "")
        params[key] = raw  # the last of repeated keys wins, as version 1 wrote them
    return params


def _catalogue_claims() -> dict[str, str]:
    from beliefs.io.catalogue import evidence_entries

    return {e.id: e.claim for e in evidence_entries()}


def open_link(params: Mapping[str, object], *, view: str | None = None) -> tuple[AppState, list[str]]:
    """The app state behind query parameters that may hold ``s``; never raises for bad input.

    A bad ``s`` is one warning and the readable parameters beside it still
    apply.  Beside a version-2 ``s``, readable settings (``view=chain``) apply
    over the scenario's; beside a version-1 one, any readable parameter does,
    as before.
    """
    if PARAM not in params:
        return decode(params)
    rest = {k: v for k, v in params.items() if k != PARAM}
    try:
        raw = one_value(params, PARAM)
        if isinstance(raw, str) and raw[:1] == LEGACY_VERSION:
            state, warnings = decode({**unpack_params(raw), **rest})
            return state, warnings
        scenario = unpack_scenario(raw)
        state = state_from_scenario(scenario, view=view)
    except InputError as exc:
        state, warnings = decode(rest)
        return state, [f"{exc}; the short link was not applied", *warnings]
    values, warnings = decode_values(rest, state.values)
    extra = [k for k in rest if k not in values]
    warnings += [f"{k}: not read beside a short link, ignored" for k in extra[:5]]
    return AppState(values=values, items=state.items, about=state.about), warnings


def share_params(state: AppState) -> dict[str, str]:
    """The address bar's parameters for ``state``: readable when they restore it exactly and are not long, else ``s``.

    Raises InputError (naming the field) only when the state is neither (a
    ledger that cannot be saved yet, or one too long for any link).
    """
    readable = encode(state)
    if len(urlencode(readable)) <= MAX_READABLE and holds(state, readable):
        return readable
    return {PARAM: short_value(scenario_from_state(state))}
