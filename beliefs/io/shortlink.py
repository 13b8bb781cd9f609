r"""Short share links: the whole app state in one compact, versioned parameter ``s``.

The readable link (``?prior=0.25&e0=p~0.75~0.25~1~~~~~stated 3-to-1``) grows
with every label; thirty catalogue items make it about 3,500 characters.  The
short form carries the same query parameters, deflated and base64url-encoded
behind a version character::

    s = "1" + base64url(deflate(urlencode(params)))     (no padding)

An item taken from the catalogue whose label is still the catalogue's claim
is stored without its label (the id restores it: an empty label is otherwise
invalid, so the two cannot be confused).  Decoding is the readable form's
decoding: :func:`open_link` expands ``s`` and then :func:`beliefs.io.link.decode`
validates every field and item with the same parsers, so a short link restores exactly
what the readable one would, bit for bit.

Untrusted input is bounded before work is done on it: at most
:data:`MAX_SHORT` characters of ``s``, at most :data:`MAX_INFLATED` bytes
after decompression (a deflate bomb stops there), at most a fixed number of
fields.

>>> from beliefs.io.link import AppState, ItemState
>>> from beliefs.io.settings import defaults
>>> state = AppState(values={**defaults(), "prior": 0.25},
...                  items=(ItemState("stated 3-to-1", "p", 0.75, 0.25),))
>>> value = short_value(state)
>>> value[0], len(value) < 60
('1', True)
>>> open_link({"s": value}) == (state, [])
True
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from beliefs.errors import InputError
from beliefs.io.link import AppState, decode, encode

__all__ = [
    "MAX_INFLATED",
    "MAX_SHORT",
    "PARAM",
    "VERSION",
    "expand",
    "open_link",
    "short_link",
    "short_value",
    "unpack",
]

PARAM = "s"
VERSION = "1"
MAX_SHORT = 8_000  # characters of the parameter; a 40-item ledger with long labels fits
MAX_INFLATED = 128 * 1024  # bytes after decompression
_MAX_FIELDS = 200  # every scalar field plus MAX_ITEMS items, with room
_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
_ALLOWED = f"a short-link value: {VERSION!r} followed by base64url text, at most {MAX_SHORT} characters"


def _catalogue_claims() -> dict[str, str]:
    from beliefs.io.catalogue import evidence_entries

    return {e.id: e.claim for e in evidence_entries()}


def _item_label(raw: str) -> tuple[str, str]:
    """``(id, label)`` of an encoded item (``kind~a~b~on~spread~id~group~discount~label``)."""
    parts = raw.split("~", 8)
    return (parts[5], parts[8]) if len(parts) == 9 else ("", "")


def _with_label(raw: str, label: str) -> str:
    return raw.rsplit("~", 1)[0] + "~" + label if raw.count("~") >= 8 else raw


def short_value(state: AppState) -> str:
    """The value of ``s`` for an :class:`~beliefs.io.link.AppState`."""
    params = encode(state)
    claims = _catalogue_claims()
    for key, raw in params.items():
        if key.startswith("e") and key[1:].isdigit():
            ident, label = _item_label(raw)
            if ident and claims.get(ident) == label:
                params[key] = _with_label(raw, "")
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(urlencode(params).encode("utf-8")) + packer.flush()
    return VERSION + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def short_link(state, base: str = "") -> str:
    """``base?s=...``; ``base`` is the app's address (empty: a relative link)."""
    return f"{base.split('?')[0]}?{PARAM}={short_value(state)}"


def unpack(value: object) -> dict[str, str]:
    """The query parameters inside ``s``; InputError names ``s`` and says what is wrong."""
    if not isinstance(value, str) or not value:
        raise InputError(PARAM, value, _ALLOWED)
    if len(value) > MAX_SHORT:
        raise InputError(PARAM, f"{len(value)} characters", _ALLOWED)
    if value[0] != VERSION:
        hint = "made by a newer version of beliefs" if value[0].isdigit() else ""
        raise InputError(PARAM, value, _ALLOWED, hint)
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
            ident, label = _item_label(raw)
            if ident and label == "":
                claims = _catalogue_claims() if claims is None else claims
                raw = _with_label(raw, claims.get(ident, ""))
        params[key] = raw  # the last of repeated keys wins, as in the readable form
    return params


def expand(params: Mapping[str, object]) -> tuple[dict[str, object], list[str]]:
    """Replace ``s`` by the parameters it holds; readable parameters given beside it take precedence.

    Never raises: a bad ``s`` gives one warning and the other parameters still apply.
    """
    rest = {k: v for k, v in params.items() if k != PARAM}
    raw = params.get(PARAM)
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else ""
    try:
        inner = unpack(raw)
    except InputError as exc:
        return rest, [f"{exc}; the short link was not applied"]
    return {**inner, **rest}, []


def open_link(params: Mapping[str, object]) -> tuple[AppState, list[str]]:
    """Decode query parameters that may be a short link: :func:`expand` ``s``, then :func:`beliefs.io.link.decode`.

    Never raises for bad input; a bad ``s`` is one warning before the readable fields' own.
    """
    if PARAM not in params:
        return decode(params)
    params, early = expand(params)
    state, warnings = decode(params)
    return state, early + warnings
