r"""Scenario files: a prior, evidence items and model settings in one versioned JSON document.

A scenario is everything needed to reproduce an update,

.. math::

    \ln\frac{P(H\mid E)}{P(\lnot H\mid E)} = \ln\frac{p_0}{1-p_0}
    + \sum_i w_i \ln\frac{P(E_i\mid H)}{P(E_i\mid\lnot H)},

plus the same evidence applied to other priors (``compare_priors``) and the
settings of the PyMC models (which live in ``models/``).  The format::

    {"format": "beliefs-scenario", "version": 1, "name": "...", "prior": 0.5,
     "evidence": [{"label": "...", "p_e_given_h": 0.75, "p_e_given_not_h": 0.25, ...}],
     "models": {"covert_actions": null, "chain": null, "monitoring": null}, ...}

Reading is strict: a string where a number belongs, a boolean used as a
number, an unknown field, NaN/Infinity, duplicate keys, an empty, oversized or
absurdly nested document are all refused with one :class:`ScenarioError`
naming the field path (``evidence[2].p_e_given_h``), the value and what is
allowed (the schema and its messages are :mod:`beliefs.io.scenario_schema`).
Saving is atomic (:func:`beliefs.io.files.write_text_atomic`).

Examples
--------
>>> s = get_scenario("stated-3-to-1")
>>> r = s.result()
>>> round(r.posterior, 12), r.posterior_odds_text
(0.75, '3:1')
>>> [round(c.posterior, 12) for c in s.compare_results()]
[0.5]
>>> parse_scenario(scenario_to_json(s)) == s
True
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import stat
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from beliefs.errors import InputError
from beliefs.io.files import write_text_atomic
from beliefs.io.scenario_schema import (
    FORMAT,
    VERSION,
    VERSIONS,
    Scenario,
    ScenarioError,
    field_path,
    validate,
)
from beliefs.io.settings import MAX_ITEMS
from beliefs.validation import AS_ODDS, rounding_hint

__all__ = [
    "MAX_DEPTH",
    "MAX_EVIDENCE",
    "MAX_SCENARIO_BYTES",
    "builtin_scenarios",
    "decode_document",
    "get_scenario",
    "load_scenario",
    "loads_strict",
    "parse_scenario",
    "save_scenario",
    "scenario_to_json",
]

MAX_SCENARIO_BYTES = 1_000_000
# The format nests five deep at most (models.covert_actions.k[...]); anything
# far deeper is not a scenario, and refusing it early keeps json's recursive
# decoder from exhausting the stack.
MAX_DEPTH = 32
# As many items as a share link carries (one constant, so a saved file always fits in a link): a
# 1,000-item file took 154 s per app rerun and slowed other sessions.
MAX_EVIDENCE = MAX_ITEMS
_SURROGATE = re.compile("[\ud800-\udfff]")
_BUILTIN_PREFIX = "scenario-"
_BUILTIN_ORDER = (
    "stated-3-to-1",
    "report-3-to-1",
    "report-confusion",
    "carlsmith",
    "greenblatt",
    "miri-ish",
    "rare-scheming",
)


# -- reading -------------------------------------------------------------------------

# One pass over the text, in time linear in its length: a string token is matched from its opening quote
# to its closing one, or to the end of the text when it has none (possessive quantifiers: no backtracking,
# and no second attempt from a quote inside a string that was already scanned; the old pattern restarted
# at every escaped quote of an unterminated string, 19.9 s for 80 KB).  Outside strings only brackets count.
_STRUCTURE = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)


def _check_depth(text: str, field: str) -> None:
    """Refuse text nested deeper than MAX_DEPTH (json's decoder recurses, one frame per level).

    Up to the first character json would reject, this depth is json's own: a backslash outside a
    string, or a string left open, is invalid JSON, and json stops there.
    """
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(
                    field,
                    f"JSON nested more than {MAX_DEPTH} levels deep",
                    f"at most {MAX_DEPTH} levels",
                )
        elif token in "]}":
            depth -= 1


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ScenarioError(field_path((key,)), value, "each field once per object", hint=f"duplicate field {key!r}")
        out[key] = value
    return out


def _too_big(size: int, field: str = "scenario", what: str = "a scenario", max_bytes: int = MAX_SCENARIO_BYTES) -> ScenarioError:
    return ScenarioError(field, f"{size:,} bytes", f"{what} of at most {max_bytes:,} bytes")


def decode_document(text: str | bytes, field: str, *, max_bytes: int, what: str) -> str:
    """A user's JSON document as text: at most ``max_bytes`` of UTF-8 (a byte-order mark is dropped).

    Raises :class:`ScenarioError` naming ``field``; ``what`` names the document in the message
    ("a scenario", "a file").
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        if len(data) > max_bytes:
            raise _too_big(len(data), field, what, max_bytes)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError(field, f"byte {exc.start}", "UTF-8 text") from None
    if isinstance(text, str):
        if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            raise _too_big(len(text.encode("utf-8", "surrogatepass")), field, what, max_bytes)
        return text.removeprefix("\ufeff")
    raise ScenarioError(field, type(text).__name__, "JSON text (str or bytes)")


class _Unheld:
    """A number literal no double holds as written: it overflows, or a value that is not 0 or 1 rounds to 0 or 1.

    json returns it in place of the float, so that the walk after parsing can name the field it stands in.
    """

    __slots__ = ("side", "text")

    def __init__(self, text: str, side: str):
        self.text = text
        self.side = side  # "inf", "0" or "1"

    def refusal(self, path: str) -> ScenarioError:
        if self.side == "inf":
            return ScenarioError(path, self.text, "a finite number", "it overflows a double: the largest is 1.8e308")
        # The command line's and the share link's words for a value that rounds to certainty; a prior
        # gets their advice too (give it as odds).
        hint = rounding_hint(float(self.side))
        if path == "prior" or path.startswith("compare_priors"):
            hint += f"; {AS_ODDS}"
        return ScenarioError(path, self.text, "a number a double holds as written", hint)


def _number(literal: str) -> float | _Unheld:
    number = float(literal)
    if not math.isfinite(number):
        return _Unheld(literal, "inf")
    if number in (0.0, 1.0) and Decimal(literal) != number:  # Decimal is exact at any exponent, and cheap
        return _Unheld(literal, "0" if number == 0.0 else "1")
    return number


def _first_unheld(obj: Any, path: str) -> ScenarioError | None:
    """The refusal for the first value (in document order) that JSON carried but we cannot hold, else None.

    A number no double holds (:class:`_Unheld`), or text with a lone surrogate (JSON allows
    ``"\\udfff"``; UTF-8 cannot carry it, so it could not be saved, printed or shown).  Named by
    its field path as in the file: ``evidence[2].p_e_given_h``.
    """
    if isinstance(obj, _Unheld):
        return obj.refusal(path or "scenario")
    if isinstance(obj, str):
        if _SURROGATE.search(obj):
            return ScenarioError(
                path, "text with a lone surrogate", "text that is valid Unicode (no lone \\ud800-\\udfff escapes)"
            )
        return None
    if isinstance(obj, dict):
        for key, value in obj.items():
            where = f"{path}.{key}" if path else str(key)
            found = _first_unheld(key, where) or _first_unheld(value, where)
            if found:
                return found
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            found = _first_unheld(value, f"{path}[{i}]")
            if found:
                return found
    return None


def loads_strict(text: str, field: str) -> Any:
    """``json.loads`` with the rules for every JSON file a user gives us, or a :class:`ScenarioError`.

    Nested at most ``MAX_DEPTH`` deep (checked before parsing, in linear time: json's decoder is
    recursive), finite numbers only (no NaN or Infinity), each key once per object, every number as
    written (a literal that overflows a double, or one that is not 0 or 1 but rounds to 0 or 1, is
    refused as the command line and share links refuse it), and valid Unicode text.  A value is
    named by its field path (``evidence[0].likelihood_ratio``); an error of the document as a whole
    by ``field``.
    """
    _check_depth(text, field)

    def refuse_constant(name: str) -> float:
        raise ScenarioError(field, name, "finite numbers only (NaN and Infinity are not JSON numbers)")

    try:
        obj = json.loads(text, parse_constant=refuse_constant, parse_float=_number, object_pairs_hook=_no_duplicates)
    except ScenarioError:
        raise
    except json.JSONDecodeError as exc:
        near = text[max(0, exc.pos - 10) : exc.pos + 10]
        raise ScenarioError(field, near, f"valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer literal of 5000 digits
        raise ScenarioError(field, type(exc).__name__, f"valid JSON ({exc})") from None
    refused = _first_unheld(obj, "")
    if refused:
        raise refused
    return obj


def parse_scenario(text: str | bytes) -> Scenario:
    """Parse and validate a scenario document (JSON text or UTF-8 bytes)."""
    text = decode_document(text, "scenario", max_bytes=MAX_SCENARIO_BYTES, what="a scenario")
    if not text.strip():
        raise ScenarioError("scenario", text, "a JSON object; the document is empty")
    from beliefs.export import embed

    if embed.looks_like_html(text):  # an HTML report from `beliefs export` carries its scenario
        text = embed.extract(embed.SCENARIO_ID, text)
    obj = loads_strict(text, "scenario")
    return _from_object(obj)


def _from_object(obj: Any) -> Scenario:
    if not isinstance(obj, dict):
        raise ScenarioError("scenario", obj, "a JSON object {...} at the top level")
    evidence = obj.get("evidence")
    if isinstance(evidence, list) and len(evidence) > MAX_EVIDENCE:
        raise ScenarioError(
            "evidence", f"{len(evidence)} items", f"at most {MAX_EVIDENCE} evidence items (the same limit as share links)"
        )
    fmt = obj.get("format")
    if fmt != FORMAT:
        raise ScenarioError("format", fmt, repr(FORMAT), hint="is this a beliefs scenario file?")
    version = obj.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ScenarioError("version", version, f"the whole number {VERSION}")
    if version not in VERSIONS:
        newest = VERSIONS[-1]
        hint = "written by a newer version of beliefs; upgrade to read it" if version > newest else ""
        raise ScenarioError(
            "version", version, f"{VERSION} or {newest} (this version of beliefs reads scenario versions 1 to {newest})", hint
        )
    return validate(obj)


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read a scenario file; files over MAX_SCENARIO_BYTES are refused before being read."""
    p = _as_path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise _path_error(path, "an existing scenario file") from None
    except OSError as exc:
        raise _path_error(path, "a readable scenario file", exc.strerror or "") from None
    if stat.S_ISDIR(info.st_mode):
        raise _path_error(path, "a scenario file, not a directory")
    if info.st_size > MAX_SCENARIO_BYTES:
        raise _too_big(info.st_size)
    try:
        with open(p, "rb") as handle:
            # At most one byte past the limit: files whose size stat cannot tell are still bounded.
            data = handle.read(MAX_SCENARIO_BYTES + 1)
    except OSError as exc:
        raise _path_error(path, "a readable scenario file", exc.strerror or "") from None
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError("scenario", f"more than {MAX_SCENARIO_BYTES:,} bytes", f"a scenario of at most {MAX_SCENARIO_BYTES:,} bytes")  # fmt: skip
    return parse_scenario(data)


# -- writing ---------------------------------------------------------------------------


def scenario_to_json(scenario: Scenario, *, compact: bool = False) -> str:
    """The scenario as indented JSON, keys in the schema's fixed order; floats round-trip exactly.

    ``compact``: one line, no spaces (what a short link packs).
    """
    if not isinstance(scenario, Scenario):
        raise ScenarioError("scenario", type(scenario).__name__, "a Scenario")
    data = scenario.model_dump(mode="json")
    for item in data.get("evidence") or []:
        # Written only where there is one, so files without derived items stay as they were.
        if item.get("provenance") is None:
            item.pop("provenance", None)
    monitoring = (data.get("models") or {}).get("monitoring")
    for key in ("report_source", "collusion_source"):  # likewise a q or c set from no published figure
        if monitoring is not None and monitoring.get(key) is None:
            monitoring.pop(key, None)
    if compact:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save_scenario(scenario: Scenario, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write ``scenario`` to ``path`` atomically (:func:`beliefs.io.files.write_text_atomic`).

    An existing file is kept unless ``overwrite``; errors are ScenarioErrors naming ``path``.
    """
    text = scenario_to_json(scenario)
    target = _as_path(path)
    try:
        return write_text_atomic(text, target, field="path", overwrite=overwrite)
    except InputError as exc:  # as a ScenarioError naming the path the way this module does
        hint = "use --overwrite (overwrite=True) to replace it" if "--overwrite" in exc.hint else exc.hint
        raise _path_error(target, exc.allowed, hint) from None


def _path_error(path: object, allowed: str, hint: str = "") -> ScenarioError:
    # InputError shortens long values to 60 characters; a path's end is the part that matters.
    shown = os.fspath(path)
    if len(repr(shown)) > 60:
        hint = f"file: {shown}" + (f"; {hint}" if hint else "")
        shown = "..." + shown[-50:]
    return ScenarioError("path", shown, allowed, hint)


def _as_path(path: object) -> Path:
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)) or str(path).strip() == "":
        raise ScenarioError("path", path, "a file path")
    return Path(path)


# -- built-in scenarios -------------------------------------------------------------------


@cache
def _builtin_texts() -> dict[str, str]:
    found = {}
    for item in resources.files("beliefs.data").iterdir():
        if item.name.startswith(_BUILTIN_PREFIX) and item.name.endswith(".json"):
            found[item.name[len(_BUILTIN_PREFIX) : -len(".json")]] = item.read_text(encoding="utf-8")
    order = {name: i for i, name in enumerate(_BUILTIN_ORDER)}
    return dict(sorted(found.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


@cache
def _builtins() -> dict[str, Scenario]:
    out = {}
    for name, text in _builtin_texts().items():
        scenario = parse_scenario(text)
        if scenario.name != name:
            raise ScenarioError(f"{_BUILTIN_PREFIX}{name}.json: name", scenario.name, repr(name))
        out[name] = scenario
    return out


def builtin_scenarios() -> dict[str, Scenario]:
    """The scenarios shipped with beliefs, by name (fresh copies: changing one changes nothing else)."""
    return {name: s.model_copy(deep=True) for name, s in _builtins().items()}


def get_scenario(name_or_path: str | os.PathLike) -> Scenario:
    """A built-in scenario by name, else a scenario file by path."""
    if isinstance(name_or_path, bool) or not isinstance(name_or_path, (str, os.PathLike)):
        raise ScenarioError("scenario", name_or_path, "a built-in scenario name or a file path")
    names = list(_builtins())
    key = os.fspath(name_or_path)
    if key in names:
        return _builtins()[key].model_copy(deep=True)
    if key.strip() and Path(key).exists():
        return load_scenario(key)
    looks_like_path = os.sep in key or "/" in key or key.endswith(".json")
    close = difflib.get_close_matches(key, names, n=2, cutoff=0.5)
    hint = "no such file" if looks_like_path else (f"did you mean {' or '.join(close)}?" if close else "")
    raise ScenarioError(
        "scenario",
        key,
        f"a built-in scenario ({', '.join(names)}) or the path of a scenario .json file",
        hint,
    )

