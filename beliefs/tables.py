"""Safe Markdown and HTML tables, and the notebook display of result objects.

Labels, sources and notes are untrusted text: a label may hold ``|``, a
newline, ``[x](javascript:...)`` or ``<script>``.  Everything here shows such
text as text, through the one rule for each format in :mod:`beliefs.text`:
:func:`~beliefs.text.md_escape` for Markdown (line breaks and controls shown
escaped, so a cell stays one cell) and :func:`~beliefs.text.html_text` for HTML.

Result objects mix in :class:`NotebookRepr` so Jupyter shows them as a table
(``_repr_html_``, ``_repr_markdown_``), built from their own ``to_dict()``.

>>> md_escape("a | b [x](javascript:alert(1)) <script>")
'a \\\\| b \\\\[x\\\\](javascript\\\\:alert(1)) \\\\<script\\\\>'
>>> print(md_table(["item", "bits"], [[md_escape("3 | 1"), "+1.585"]]))
| item | bits |
|---|---|
| 3 \\| 1 | +1.585 |
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from beliefs.text import display_width, html_text, md_escape, one_line

__all__ = ["NotebookRepr", "html_table", "md_escape", "md_table", "one_line", "text_table"]


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GFM pipe table; cells must already be Markdown (escape untrusted text with :func:`md_escape`)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(
    header: Sequence[str], rows: Sequence[Sequence[object]], *, align: str = "", max_width: int = 40
) -> list[str]:
    """The lines of a plain-text table for a terminal: every cell on one line, columns lined up.

    Each cell goes through :func:`beliefs.text.one_line` (a label's line breaks and controls shown
    escaped, so no label starts a line of its own), cells longer than ``max_width`` columns are cut
    with "…", and each column is as wide as its widest cell *in terminal columns*
    (:func:`beliefs.text.display_width`: wide characters count two).  ``align`` gives "<" or ">" per
    column (default: the first left, the others right).

    >>> print("\\n".join(text_table(["item", "bits"], [["a\\nb", "+1.585"], ["long", "-0.5"]])))
    item    bits
    a\\nb  +1.585
    long    -0.5
    """
    cells = [[_fit(one_line(c), max_width) for c in row] for row in [header, *rows]]
    columns = len(header)
    align = align or "<" + ">" * (columns - 1)
    widths = [max(display_width(row[i]) for row in cells) for i in range(columns)]

    def pad(text: str, i: int) -> str:
        space = " " * (widths[i] - display_width(text))
        return text + space if align[i] == "<" else space + text

    return ["  ".join(pad(c, i) for i, c in enumerate(row)).rstrip() for row in cells]


def _fit(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if display_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def html_table(header: Sequence[str], rows: Sequence[Sequence[object]], *, cls: str = "") -> str:
    """An HTML table; every cell is plain text and is escaped here."""
    attr = f' class="{html.escape(cls)}"' if cls else ""
    head = "".join(f"<th>{html_text(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html_text(c)}</td>" for c in row) + "</tr>" for row in rows)
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
            parts.append(f"<p><b>{html_text(title)}</b></p>")
            parts.append(html_table(header, [[_cell(c) for c in r] for r in rows]))
        return "<div>" + "".join(parts) + "</div>"


def _flat(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(not isinstance(v, (dict, list, tuple)) for v in value)
