"""The scenario JSON embedded in an HTML report, and read back out of it.

The report carries the scenario in ``<script type="application/json"
id="beliefs-scenario">``.  Inside a script element the HTML parser ends the
element at the first ``</script``, so every ``<``, ``>`` and ``&`` of the JSON
is written as a ``\\u003c``-style escape: JSON reads it back unchanged, and no
label can close the element or open another.

>>> doc = "<html><body>" + embed("beliefs-scenario", '{"label": "</script><b>x</b>"}') + "</body></html>"
>>> "</script><b>" in doc
False
>>> extract("beliefs-scenario", doc)
'{"label": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003ex\\\\u003c/b\\\\u003e"}'
"""

from __future__ import annotations

import re

from beliefs.errors import InputError

__all__ = ["SCENARIO_ID", "embed", "extract", "looks_like_html"]

SCENARIO_ID = "beliefs-scenario"
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def embed(element_id: str, json_text: str) -> str:
    """A ``<script type="application/json">`` element holding ``json_text`` safely."""
    body = re.sub("[<>&\u2028\u2029]", lambda m: _ESCAPES[m.group()], json_text)
    return f'<script type="application/json" id="{element_id}">{body}</script>'


def looks_like_html(text: str) -> bool:
    """True for a document that starts like HTML (JSON never starts with ``<``)."""
    return text.lstrip("\ufeff \t\r\n")[:1] == "<"


def extract(element_id: str, document: str) -> str:
    """The JSON text inside the element :func:`embed` wrote; InputError if there is none."""
    start = re.search(
        rf'<script type="application/json" id="{re.escape(element_id)}">', document, flags=re.IGNORECASE
    )
    end = document.find("</script>", start.end()) if start else -1
    if start is None or end < 0:
        raise InputError(
            "scenario", "an HTML file without an embedded scenario", "a report written by `beliefs export`"
        )
    return document[start.end() : end]
