r"""The scenario JSON embedded in an HTML report, and read back out of it.

The report carries the scenario in ``<script type="application/json"
id="beliefs-scenario">``.  Inside a script element the HTML parser ends the
element at the first ``</script``, so every ``<``, ``>`` and ``&`` of the JSON
is written as a ``\\u003c``-style escape: JSON reads it back unchanged, and no
label can close the element or open another.  Characters that could reorder
or hide text (C1 controls, bidirectional controls, line separators) are
written as ``\\uXXXX`` escapes too, so the document holds none of them raw.

Reading parses the document the way a browser tokenizes HTML (comments,
bogus comments, tags with quoted attribute values, raw-text elements such as
``<script>``, ``<style>`` and ``<textarea>``, and SVG/MathML, where those are
ordinary markup), in one pass, in time linear in the document: the standard
library's ``html.parser`` takes 42 s for 50 kB of ``<a `` repeated on Python
3.12.1.  A ``<script id="beliefs-scenario">`` inside a comment is not an
element and is not read; a document with more than one element of that id is
refused, as is one whose scenario element is not ``<script
type="application/json">`` or holds ``<!--`` (which changes where a browser
ends the script, and which :func:`embed` never writes).

>>> doc = "<html><body>" + embed("beliefs-scenario", '{"label": "</script><b>x</b>"}') + "</body></html>"
>>> "</script><b>" in doc
False
>>> extract("beliefs-scenario", doc)
'{"label": "\\u003c/script\\u003e\\u003cb\\u003ex\\u003c/b\\u003e"}'
>>> extract("beliefs-scenario", "<!-- <script id=beliefs-scenario>{}</script> -->" + doc)[:10]
'{"label": '
"""

from __future__ import annotations

import html
import re
from functools import cache

from beliefs.errors import InputError

__all__ = ["SCENARIO_ID", "embed", "extract", "looks_like_html"]

SCENARIO_ID = "beliefs-scenario"
_ESCAPED = re.compile("[<>&\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def embed(element_id: str, json_text: str) -> str:
    """A ``<script type="application/json">`` element holding ``json_text`` safely."""
    body = _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
    return f'<script type="application/json" id="{element_id}">{body}</script>'


def looks_like_html(text: str) -> bool:
    """True for a document that starts like HTML (JSON never starts with ``<``)."""
    return text.lstrip("\ufeff \t\r\n")[:1] == "<"


# -- a linear HTML tokenizer (WHATWG "tokenization", the parts that decide where elements are) ----------

_WS = "\t\n\f\r "
# A tag's attributes, up to (not including) its ">": names, "=", values double- or single-quoted (a value
# left open runs to the end of the document) or unquoted.  Possessive: each character is read once.
_VALUE = rf"""(?:"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z)|[^{_WS}>]*+)"""
_ATTRIBUTE = re.compile(rf"([^{_WS}/>][^{_WS}/>=]*+)(?:[{_WS}]*+=[{_WS}]*+({_VALUE}))?+")
_ATTRIBUTES = rf"(?:[{_WS}/]++|[^{_WS}/>][^{_WS}/>=]*+(?:[{_WS}]*+=[{_WS}]*+{_VALUE})?+)*+"
_TAG = re.compile(rf"(/?)([A-Za-z][^{_WS}/>]*+)({_ATTRIBUTES})")
_COMMENT_END = re.compile(r"--!?>")
# Elements whose content is text up to their own end tag (in HTML; inside <svg> or <math> they are
# ordinary elements), and the two that open foreign content.
_RAW_TEXT = ("script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title")
_FOREIGN = ("svg", "math")
# In HTML content: text, comments, bogus comments ("<!DOCTYPE ...>", "<?xml ...>", "</ 1>", "<![CDATA[...>")
# and every tag but the special ones, skipped in one match (in C: one Python step per tag or comment held
# the interpreter for seconds on 1 MB of "<?>" or "</>", while other sessions of the app waited).
_COMMENT = r"<!--(?:-?>|(?:[^-]++|-(?!-!?>))*+(?:--!?>|\Z))"
_BOGUS = r"(?:<[!?]|</(?![A-Za-z]))[^>]*+(?:>|\Z)"
_SPECIAL = "|".join((*_RAW_TEXT, *_FOREIGN, "plaintext"))
_ORDINARY = re.compile(
    rf"(?:[^<]++|<(?![!?/A-Za-z])|{_COMMENT}|{_BOGUS}|</?(?!(?:{_SPECIAL})[{_WS}/>])[A-Za-z][^{_WS}/>]*+{_ATTRIBUTES}>)*+",
    re.IGNORECASE,
)
# In SVG and MathML: the same, but "<![CDATA[" is a real CDATA section (read in Python), and only svg, math
# and script tags are special (style, title and the like hold markup there, not text).
_ORDINARY_FOREIGN = re.compile(
    rf"(?:[^<]++|<(?![!?/A-Za-z])|{_COMMENT}|(?:<\?|</(?![A-Za-z])|<!(?!--|\[CDATA\[))[^>]*+(?:>|\Z)"
    rf"|</?(?!(?:svg|math|script)[{_WS}/>])[A-Za-z][^{_WS}/>]*+{_ATTRIBUTES}>)*+",
    re.IGNORECASE,
)
# A report from `beliefs export` holds a few dozen special elements (its style, charts, scenario); past
# this many the document is refused rather than read element by element.
MAX_SPECIAL = 10_000
# A report holds 500 "<" (a built-in scenario) to 2,841 (40 items, every text long and full of markup
# characters, which it escapes).  More is a flood, refused before the tokenizer reads a tag: counting is
# one pass in C (1 ms for 1 MB), where 1 MB of "<a>" held the tokenizer's regex, and with it the
# interpreter lock every other session of the app waits on, for 125 ms of CPU.
MAX_MARKUP = 50_000
# The characters of a script tag's attributes (the report's own: 47).  A longer tag is not one `beliefs
# export` wrote; its values are not decoded (html.unescape took 245 ms for a 1 MB id of "&#98;").
MAX_SCRIPT_TAG = 1_000


@cache
def _raw_text_end(name: str) -> re.Pattern:
    return re.compile(rf"</{name}(?=[{_WS}/>])", re.IGNORECASE)


def _attributes(text: str) -> dict[str, str]:
    """A tag's attributes: names lowercased, values with their character references decoded (as a browser does)."""
    out: dict[str, str] = {}
    for m in _ATTRIBUTE.finditer(text):
        value = m.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1] if len(value) > 1 and value[-1] == value[0] else value[1:]
        out.setdefault(m.group(1).lower(), html.unescape(value))  # a repeated attribute: the first one counts
    return out


def _scripts(document: str):
    """Yield ``(attributes, content)`` for each script element a browser would see, in document order.

    ``content`` is the script's text in HTML (``None`` inside ``<svg>`` or ``<math>``, where a script is
    an ordinary element whose content is markup).  The document is read once, left to right, as a
    browser's tokenizer reads it; text, comments and ordinary tags are skipped in single matches, and a
    document with more than MAX_SPECIAL other things to read is refused.
    """
    pos, n, foreign, steps = 0, len(document), 0, 0
    if document.count("<") > MAX_MARKUP:
        raise InputError(
            "scenario", f"an HTML file with more than {MAX_MARKUP:,} '<'",
            "a report written by `beliefs export` (one with 40 items has about 3,000)",
        )  # fmt: skip
    while True:
        pos = (_ORDINARY_FOREIGN if foreign else _ORDINARY).match(document, pos).end()
        if pos >= n:
            return
        steps += 1
        if steps > MAX_SPECIAL:
            raise InputError(
                "scenario", f"an HTML file with more than {MAX_SPECIAL:,} comments or special elements",
                "a report written by `beliefs export`",
            )  # fmt: skip
        if document.startswith("<!--", pos):
            if document.startswith(("<!-->", "<!--->"), pos):
                pos += 5 if document[pos + 4] == ">" else 6
                continue
            end = _COMMENT_END.search(document, pos + 4)
            pos = end.end() if end else n
            continue
        if foreign and document.startswith("<![CDATA[", pos):
            end = document.find("]]>", pos + 9)
            pos = end + 3 if end >= 0 else n
            continue
        tag = _TAG.match(document, pos + 1)
        if tag is None:  # "<!", "<?", "</" then no letter: a bogus comment up to ">" ("</>" is nothing)
            end = document.find(">", pos + 2)
            pos = end + 1 if end >= 0 else n
            continue
        if tag.end() >= n:  # the document ends inside the tag: a browser drops it
            return
        pos = tag.end() + 1
        closing, name = tag.group(1), tag.group(2).lower()
        if name in _FOREIGN:
            foreign = max(0, foreign - 1) if closing else foreign + (not tag.group(3).endswith("/"))
        elif closing:
            continue
        elif name == "script" and len(tag.group(3)) > MAX_SCRIPT_TAG:
            raise InputError(
                "scenario", f"an HTML file with a script tag of more than {MAX_SCRIPT_TAG:,} characters",
                "a report written by `beliefs export`",
            )  # fmt: skip
        elif foreign:
            if name == "script":  # an SVG or MathML script: not the report's element, whatever its id
                yield _attributes(tag.group(3)), None
        elif name == "plaintext":  # the rest of the document is text
            return
        else:
            end = _raw_text_end(name).search(document, pos)
            content_end = end.start() if end else n
            if name == "script":
                yield _attributes(tag.group(3)), document[pos:content_end]
            pos = content_end


def extract(element_id: str, document: str) -> str:
    """The JSON text inside the one element :func:`embed` wrote; InputError if there is none, or more than one."""
    found = [(attributes, content) for attributes, content in _scripts(document) if attributes.get("id") == element_id]
    if not found:
        raise InputError(
            "scenario", "an HTML file without an embedded scenario", "a report written by `beliefs export`"
        )
    if len(found) > 1:
        raise InputError(
            "scenario",
            f"an HTML file with {len(found)} script elements id={element_id!r}",
            "a report written by `beliefs export`, which embeds exactly one scenario",
        )
    attributes, content = found[0]
    if content is None or attributes.get("type", "").lower() != "application/json" or "<!--" in content:
        raise InputError(
            "scenario",
            f"an HTML file whose script id={element_id!r} is not the report's own",
            '<script type="application/json"> holding the scenario, as `beliefs export` writes it',
        )
    return content
