"""What the analyses share: input checks and the table behind every result's CSV and plot.

NumPy and SciPy at import; the charts (``plot_*`` in each module) import Altair when they are drawn.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from beliefs.counts import check_counts
from beliefs.errors import CertaintyError
from beliefs.evidence import Evidence
from beliefs.io.csvfile import to_csv
from beliefs.tables import NotebookRepr, one_line
from beliefs.update import cromwell_note
from beliefs.validation import as_positive, as_probability

CERTAIN_HINT = cromwell_note(of="probability")
# The P(H) the analyses' headline sentences speak of when no threshold is given (the app's default ``thr``).
HEADLINE_THRESHOLD = 0.5


def open_probability(value: object, field: str) -> float:
    """A probability strictly inside (0, 1); 0 and 1 get the Cromwell explanation."""
    p = as_probability(value, field)
    if p in (0.0, 1.0):
        raise CertaintyError(field, value, "a probability strictly between 0 and 1", hint=CERTAIN_HINT)
    return p


def evidence_list(evidence: Iterable[Evidence | float], field: str = "evidence") -> list[Evidence]:
    items: list[Evidence] = []
    for i, e in enumerate(evidence):
        if isinstance(e, Evidence):
            items.append(e)
        else:
            lr = as_positive(e, f"{field}[{i}]", "an Evidence item or a likelihood ratio > 0")
            items.append(Evidence(label=f"LR {lr:g}", likelihood_ratio=lr))
    return items


class Table(NotebookRepr):
    """Mixin: a result that is a table of rows (the data behind its plot)."""

    def rows(self) -> list[dict]:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def to_csv(self) -> str:
        """The rows as CSV text; floats are written with ``repr`` so they read back exactly."""
        rows = self.rows()
        columns = self._columns(rows)
        return to_csv([columns, *([row.get(c) for c in columns] for row in rows)])

    def to_frame(self):
        """The rows as a :class:`pandas.DataFrame` (pandas imported on first use)."""
        import pandas as pd

        rows = self.rows()
        return pd.DataFrame(rows, columns=self._columns(rows))

    # Column names for a table with no rows (only a ledger without evidence has none).
    _EMPTY_COLUMNS: tuple[str, ...] = ()

    def _columns(self, rows: list[dict]) -> list[str]:
        return list(rows[0]) if rows else list(self._EMPTY_COLUMNS)


def finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


BETA_FIELDS = (".alpha", ".beta")  # how the analyses name a Beta's parameters in errors


def counts_arrays(k: object, n: object) -> tuple[np.ndarray, np.ndarray]:
    """Counts ``k_i <= n_i`` as float arrays (the one parser, :func:`beliefs.counts.check_counts`); none is allowed here."""
    if isinstance(k, (list, tuple, np.ndarray)) and isinstance(n, (list, tuple, np.ndarray)) and len(k) == len(n) == 0:
        return np.zeros(0), np.zeros(0)  # no data yet (reverse Bayes from the prior alone)
    kk, nn = check_counts(k, n)
    return kk.astype(float), nn.astype(float)


def short_label(text: str, width: int = 48) -> str:
    """``text`` cut to ``width`` characters with an ellipsis, for a tick label."""
    return text if len(text) <= width else text[: width - 1] + "…"


def quoted(label: str, width: int = 40) -> str:
    """An item's label for a sentence: one line, cut to ``width`` characters, in curly quotes.

    Labels are untrusted; this keeps them to one line (:func:`beliefs.tables.one_line`).  The
    caller still escapes the sentence for where it is shown (Markdown, a terminal).
    """
    return f"“{short_label(one_line(label), width)}”"


def listed(names: list[str], limit: int = 3) -> str:
    """``a``, ``a and b``, ``a, b and c``, or ``a, b, c and 4 more``.

    >>> listed(["a"]), listed(["a", "b"]), listed(list("abcdef"))
    ('a', 'a and b', 'a, b, c and 3 more')
    """
    if len(names) > limit:
        names = [*names[:limit], f"{len(names) - limit} more"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
