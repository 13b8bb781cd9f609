"""Safe Markdown and HTML tables, and the notebook display of result objects.

Labels, sources and notes are untrusted text: a label may hold ``|``, a
newline, ``[x](javascript:...)`` or ``<script>``.  Everything here shows such
text as text.  Markdown escapes every ASCII punctuation character that can
start markup (CommonMark allows a backslash before any ASCII punctuation) and
folds line breaks and control characters into spaces, so a cell stays one
cell; HTML goes through :func:`html.escape`.

Result objects mix in :class:`NotebookRepr` so Jupyter shows them as a table
(``_repr_html_``, ``_repr_markdown_``), built from their own ``to_dict()``.

>>> md_escape("a | b [x](javascript:alert(1)) <script>")
'a \\\\| b \\\\[x\\\\](javascript:alert(1)) \\\\<script\\\\>'
>>> print(md_table(["item", "bits"], [[md_escape("3 | 1"), "+1.585"]]))
| item | bits |
|---|---|
| 3 \\| 1 | +1.585 |
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence

__all__ = ["NotebookRepr", "html_table", "md_escape", "md_table", "one_line"]

# The ASCII punctuation that CommonMark/GFM inline syntax, LaTeX-in-Markdown (``$``) or a superscript
# extension (``^``) read as markup.  Parentheses need no escape once ``[`` and ``]`` have one (no link can
# form), and block syntax (``#``, ``-``, ``1.``) cannot start inside a table cell or after the fixed text
# that begins each of our lines.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#!|~&$^])")
# C0/C1 controls (terminal escapes, carriage returns) and the Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: object) -> str:
    """``text`` as one line: line breaks, tabs and control characters become single spaces."""
    return _CONTROL.sub(" ", str(text)).strip()


# A web address inside the text.  Renderers with autolinks (GFM, LessWrong) link it; a backslash escape
# inside it would end up in the link's address, so its characters that cannot appear in a URL unencoded
# are percent-encoded instead (the address stays the same one) and the rest is left as it is.
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_URL_UNSAFE = re.compile(r'[\\<>|\[\]{}^`"]')


def _escape_url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)


def md_escape(text: object) -> str:
    """Untrusted text as inline Markdown that renders as exactly that text, on one line.

    Web addresses in it are kept linkable (see ``_URL``):

    >>> md_escape("see https://arxiv.org/abs/2311.08379 (p. 3) *sic*")
    'see https://arxiv.org/abs/2311.08379 (p. 3) \\\\*sic\\\\*'
    """
    line = one_line(text)
    out, pos = [], 0
    for m in _URL.finditer(line):
        out += [_MD_SPECIAL.sub(r"\\\1", line[pos : m.start()]), _escape_url(m.group())]
        pos = m.end()
    out.append(_MD_SPECIAL.sub(r"\\\1", line[pos:]))
    return "".join(out)


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GFM pipe table; cells must already be Markdown (escape untrusted text with :func:`md_escape`)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def html_table(header: Sequence[str], rows: Sequence[Sequence[object]], *, cls: str = "") -> str:
    """An HTML table; every cell is plain text and is escaped here."""
    attr = f' class="{html.escape(cls)}"' if cls else ""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(one_line(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):  # a small record inside a row, e.g. {"a": 0.6, "b": 0.8} -> "a = 0.6, b = 0.8"
        return "; ".join(f"{k} = {_cell(v)}" for k, v in value.items())
    return one_line(value)


class NotebookRepr:
    """Mixin: show a result in Jupyter as tables built from ``to_dict()``.

    Scalars become a two-column ``quantity | value`` table; each list of
    records (``items``, ``rows``) becomes its own table.  A result can
    override :meth:`_notebook_tables` to choose what is shown.
    """

    def _notebook_tables(self) -> list[tuple[str, list[str], list[list[object]]]]:
        """``(title, header, rows)`` triples; cells are plain text or numbers (escaped when rendered)."""
        data = self.to_dict() if hasattr(self, "to_dict") else {}
        scalars = [[k, v] for k, v in data.items() if not isinstance(v, (dict, list, tuple)) or _flat(v)]
        tables = [(type(self).__name__, ["quantity", "value"], scalars)] if scalars else []
        for key, value in data.items():
            if isinstance(value, (list, tuple)) and value and all(isinstance(r, dict) for r in value):
                header = list(dict.fromkeys(k for r in value for k in r))
                tables.append((key, header, [[r.get(h) for h in header] for r in value]))
        if len(tables) <= 1 and hasattr(self, "rows") and callable(self.rows):  # to_dict() held no table
            rows = self.rows()
            if rows:
                header = list(rows[0])
                tables.append(("rows", header, [[r.get(h) for h in header] for r in rows]))
        return tables

    def _repr_markdown_(self) -> str:
        parts = []
        for title, header, rows in self._notebook_tables():
            parts.append(f"**{md_escape(title)}**")
            parts.append(
                md_table([md_escape(h) for h in header], [[md_escape(_cell(c)) for c in r] for r in rows])
            )
        return "\n\n".join(parts) + "\n"

    def _repr_html_(self) -> str:
        parts = []
        for title, header, rows in self._notebook_tables():
            parts.append(f"<p><b>{html.escape(one_line(title))}</b></p>")
            parts.append(html_table(header, [[_cell(c) for c in r] for r in rows]))
        return "<div>" + "".join(parts) + "</div>"


def _flat(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(not isinstance(v, (dict, list, tuple)) for v in value)
