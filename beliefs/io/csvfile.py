"""The one CSV writer: exact numbers, and text cells that a spreadsheet cannot run.

A label such as ``=cmd|' /C calc'!A0`` written raw into a CSV becomes a formula
when the file is opened in a spreadsheet (CSV injection).  As OWASP recommends,
a *text* cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'``; numbers are never touched (``-0.5`` stays a
number), and floats are written with ``repr`` so they read back exactly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

__all__ = ["csv_cell", "to_csv"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|nan)", re.ASCII)


def csv_cell(value: object) -> object:
    """One cell: ``None`` as empty, floats exactly, text neutralised if a spreadsheet would evaluate it.

    >>> csv_cell("=1+1"), csv_cell("-0.5"), csv_cell(-0.5), csv_cell("@SUM(A1)"), csv_cell(None)
    ("'=1+1", '-0.5', '-0.5', "'@SUM(A1)", '')
    """
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def to_csv(rows: Iterable[Sequence]) -> str:
    """Rows (header first) as CSV text, every cell through :func:`csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # csv quotes a cell only for the delimiter, the quote or the line terminator ("\n"); a bare "\r" in a
    # label would end the row for a reader, so a row holding one is written fully quoted.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        cells = [csv_cell(v) for v in row]
        (quoted if any(isinstance(c, str) and "\r" in c for c in cells) else writer).writerow(cells)
    return out.getvalue()
