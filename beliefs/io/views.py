"""One person's view, however they hand it over: a built-in name, a scenario file or a share link.

:func:`load_view` turns the text a user types for a viewpoint into a
:class:`~beliefs.io.scenario_schema.Scenario`:

1. a built-in scenario name (``report-3-to-1``);
2. the path of an existing scenario file;
3. a share link, the full URL as copied from the address bar
   (``http://127.0.0.1:8501/?prior=0.25&e0=...``) or just its query string
   (``?prior=0.25&e0=...``).  The query string goes through
   :func:`beliefs.io.link.decode`, the same parser the app uses, and the
   app state becomes a scenario with :func:`beliefs.io.state.scenario_from_state`.  A link
   with no query string is the app's default state, as the app would show it.

Short links (``?s=...``) are read by :mod:`beliefs.io.shortlink`: one of
version 2 is the scenario itself, read by the scenario file's own reader; a
scenario file may also be an HTML report written by ``beliefs export`` (the
scenario is embedded in it).  Every other link becomes a scenario through
:func:`beliefs.io.state.scenario_from_state`, the one conversion the app uses.

A share link is untrusted input.  The app itself restores a link leniently
(a bad parameter falls back to its default with a warning), but a comparison
built on a silently defaulted prior would be a wrong number, so here every
warning is an error naming the argument and the parameter.

Examples
--------
>>> load_view("stated-3-to-1").prior
0.5
>>> s = load_view("http://127.0.0.1:8501/?prior=0.25&e0=p~0.75~0.25~1~~~~~report")
>>> s.prior, s.result().posterior
(0.25, 0.5)
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from beliefs.errors import InputError
from beliefs.io.scenario import get_scenario
from beliefs.io.scenario_schema import Scenario
from beliefs.io.shortlink import PARAM, VERSION, open_link, unpack_scenario
from beliefs.io.state import AppState, scenario_from_state

__all__ = [
    "MAX_LINK_CHARS",
    "link_state",
    "load_link",
    "load_view",
    "looks_like_link",
]

# A link longer than this is not one the app wrote (a short link is at most 32,000 characters; the app writes
# a readable one only up to 8,000).
MAX_LINK_CHARS = 100_000
_SCHEMES = ("http://", "https://")
_MAX_PATH_CHARS = 4096  # PATH_MAX on Linux


def looks_like_link(text: str) -> bool:
    """True for a URL with an http(s) scheme (any case) or a bare query string starting with ``?``."""
    t = text.strip()
    return t.startswith("?") or t.lower().startswith(_SCHEMES)


def load_link(text: str, *, field: str = "link") -> Scenario:
    """The scenario behind a share link, and nothing else: never a file, never a built-in name.

    This is the app's reader of typed text (the Compare page's "A share link"
    box).  A server must not open a path a visitor typed, nor say whether it
    exists, so anything that is not link-shaped is refused by its shape alone,
    before any filesystem call, and the message never quotes what it points at.

    >>> load_link("?prior=0.25&e0=p~0.75~0.25~1~~~~~report").result().posterior
    0.5
    >>> load_link("/etc/passwd", field="Share link")
    Traceback (most recent call last):
    ...
    beliefs.errors.InputError: Share link: got '/etc/passwd'; expected a share link starting with http://, https:// or ? (this box takes links only: upload a file below 'A scenario file')
    """
    if isinstance(text, bool) or not isinstance(text, str) or not looks_like_link(text):
        shown = text if isinstance(text, str) and len(text) <= 200 else f"{len(str(text)):,} characters"
        raise InputError(
            field,
            shown,
            "a share link starting with http://, https:// or ?",
            "this box takes links only: upload a file below 'A scenario file'",
        )
    return _from_link(text, field)


def _from_link(text: str, field: str) -> Scenario:
    params = _link_params(text, field)
    raw = params.get(PARAM)
    if list(params) == [PARAM] and len(raw) == 1 and raw[0][:1] == VERSION:
        # The scenario itself: read as a file is, with nothing converted (a chain of 5,000 steps, which
        # the app's view cannot show, still compares).
        try:
            return unpack_scenario(raw[0])
        except InputError as exc:
            raise InputError(f"{field} {exc.field}", exc.value, exc.allowed, exc.hint) from None
    state = _strict_state(params, text, field)
    try:
        return scenario_from_state(state, default_name="shared-link")
    except InputError as exc:
        raise InputError(f"{field} {exc.field}", exc.value, exc.allowed, exc.hint) from None


def _link_params(text: str, field: str) -> dict[str, list[str]]:
    if len(text) > MAX_LINK_CHARS:
        raise InputError(field, f"{len(text):,} characters", f"a share link of at most {MAX_LINK_CHARS:,} characters")
    query = text.strip()
    if not query.startswith("?"):
        parts = urlsplit(query)
        if not parts.netloc:
            raise InputError(field, text, "a share link such as http://host:8501/?prior=0.25&e0=...")
        query = parts.query
    else:
        query = query[1:]
    query = query.split("#", 1)[0]
    try:
        return parse_qs(query, keep_blank_values=True, strict_parsing=False, max_num_fields=1000)
    except ValueError as exc:  # more than max_num_fields
        raise InputError(field, text, f"a share link ({exc})") from None


def _strict_state(params: dict[str, list[str]], text: str, field: str) -> AppState:
    # No parameters is the app's default state (prior 0.5, empty ledger): the app writes
    # fields at their default out of the link, so that is what this link shows.
    state, warnings = open_link(params)
    if warnings:
        more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
        raise InputError(
            field,
            text,
            "a share link whose every parameter is valid",
            f"{warnings[0].split('; using the default')[0]}{more}; a comparison never silently uses a default",
        )
    return state


def link_state(text: str, field: str) -> AppState:
    """The whole app state of a share link (settings included); any invalid parameter is an error naming ``field``."""
    return _strict_state(_link_params(text, field), text, field)


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # name too long, NUL byte
        return False


def load_view(text: str, *, field: str = "view") -> Scenario:
    """The scenario behind ``text``: a built-in name, a scenario file path or a share link.

    Parameters
    ----------
    text : str
        What the user typed or pasted.
    field : str
        The argument's name as the user knows it (``A``, ``B``, ``--pending``);
        every error names it.
    """
    if isinstance(text, bool) or not isinstance(text, (str, os.PathLike)):
        raise InputError(field, text, "a built-in scenario name, a scenario file path or a share link")
    raw = os.fspath(text)
    if not raw.strip():
        raise InputError(field, raw, "a built-in scenario name, a scenario file path or a share link")
    if looks_like_link(raw) and not _is_file(raw):
        return _from_link(raw, field)
    if len(raw) > _MAX_PATH_CHARS:
        # os.stat would raise "File name too long" inside get_scenario.
        raise InputError(field, raw, "a built-in scenario name, a scenario file path or a share link (http://...)")
    try:
        return get_scenario(raw)
    except OSError as exc:  # get_scenario's Path.exists() raises for a name component over 255 bytes
        raise InputError(field, raw, "a built-in scenario name, a scenario file path or a share link", exc.strerror or "") from None
    except InputError as exc:
        # get_scenario names its argument "scenario"/"path"; the user typed it as `field`.
        allowed = exc.allowed
        if exc.field == "scenario" and "built-in scenario" in allowed:
            allowed = allowed.replace(" or the path of", ", the path of") + ", or a share link (http://...?prior=...)"
        name = field if exc.field in ("scenario", "path") else f"{field} {exc.field}"
        raise InputError(name, exc.value, allowed, exc.hint) from None
    except ValueError:  # an embedded NUL: os.stat refuses it (InputError, a ValueError too, is handled above)
        raise InputError(field, raw, "a built-in scenario name, a scenario file path or a share link") from None
