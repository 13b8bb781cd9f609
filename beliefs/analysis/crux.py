"""Crux finder: where two viewpoints disagree, split into a prior part and one part per item."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from beliefs.analysis._common import CERTAIN_HINT, Table, evidence_list, short_label
from beliefs.errors import CertaintyError
from beliefs.evidence import Evidence
from beliefs.format import format_probability
from beliefs.odds import bits, decibels
from beliefs.plots.palette import AGAINST_H, FOR_H, LEVEL
from beliefs.text import one_line
from beliefs.update import UpdateResult, update
from beliefs.validation import as_probability


@dataclass(frozen=True, eq=False)
class CruxResult(Table):
    r"""The gap in posterior log-odds between viewpoints A and B, split into parts.

    .. math::

        \lambda^A_{\text{post}} - \lambda^B_{\text{post}}
        = (\lambda^A_0 - \lambda^B_0) + \sum_{\text{items } j} (w^A_j \ln \mathrm{LR}^A_j - w^B_j \ln \mathrm{LR}^B_j)

    An item in only one ledger counts fully (the other side's term is 0).
    ``total_log_odds`` is the correctly rounded sum of every term of both
    ledgers; the parts sum to it up to rounding (about 1e-15 of the terms' size).
    """

    names: tuple[str, str]
    a: UpdateResult
    b: UpdateResult
    prior_gap: float  # nats
    labels: tuple[str, ...]
    keys: tuple[str, ...]
    a_log_lr: tuple[float | None, ...]  # None: absent from A
    b_log_lr: tuple[float | None, ...]
    total_log_odds: float
    hypotheses: HypothesisCheck | None = None  # None: the caller gave no statements of H to check

    # Cached: text() and plot_crux sort by these, and a property recomputed inside a
    # sort key made the sort O(n^2).
    @cached_property
    def item_gaps(self) -> tuple[float, ...]:
        return tuple((a or 0.0) - (b or 0.0) for a, b in zip(self.a_log_lr, self.b_log_lr, strict=True))

    @cached_property
    def parts(self) -> tuple[float, ...]:
        """The prior gap, then each item's gap (nats); ``math.fsum(parts) == total`` to rounding."""
        return (self.prior_gap, *self.item_gaps)

    @property
    def total_bits(self) -> float:
        return bits(self.total_log_odds)

    def rows(self) -> list[dict]:
        a_name, b_name = self.names
        out = [
            {
                "label": "prior",
                "key": "",
                "in": "both",
                f"{a_name}_bits": bits(self.a.prior_log_odds),
                f"{b_name}_bits": bits(self.b.prior_log_odds),
                "bits": bits(self.prior_gap),
            }
        ]
        for label, key, a, b, gap in zip(
            self.labels, self.keys, self.a_log_lr, self.b_log_lr, self.item_gaps, strict=True
        ):
            where = "both" if a is not None and b is not None else (a_name if a is not None else b_name)
            out.append(
                {
                    "label": label,
                    "key": key,
                    "in": where,
                    f"{a_name}_bits": None if a is None else bits(a),
                    f"{b_name}_bits": None if b is None else bits(b),
                    "bits": bits(gap),
                }
            )
        return out

    def to_dict(self) -> dict:
        rows = self.rows()
        return {
            "names": list(self.names),
            "a_posterior": self.a.posterior,
            "b_posterior": self.b.posterior,
            "total_bits": self.total_bits,
            "total_decibels": decibels(self.total_log_odds),
            "prior_bits": bits(self.prior_gap),
            "items": [
                {
                    "label": r["label"],
                    "key": r["key"],
                    "in": r["in"],
                    "bits": r["bits"],
                    "a_bits": r[f"{self.names[0]}_bits"],
                    "b_bits": r[f"{self.names[1]}_bits"],
                }
                for r in rows[1:]
            ],
            "hypotheses": None if self.hypotheses is None else self.hypotheses.to_dict(),
        }

    def text(self) -> str:
        a_name, b_name = self.names
        lines = [
            f"{a_name}: {format_probability(self.a.posterior_log_odds)}   "
            f"{b_name}: {format_probability(self.b.posterior_log_odds)}",
            f"gap ({a_name} - {b_name}): {self.total_bits:+.3f} bits = {decibels(self.total_log_odds):+.2f} dB",
            "",
            f"{'part':<60} {'bits':>9}",
        ]
        parts = self.parts  # a property that rebuilds the tuple: once, not once per comparison (was O(n^2))
        order = sorted(range(len(parts)), key=lambda i: -abs(parts[i]))
        names = ("prior", *self.part_labels())
        for i in order:
            lines.append(f"{one_line(names[i])[:60]:<60} {bits(parts[i]):>+9.3f}")
        if self.hypotheses is not None and self.hypotheses.warning:
            # The warning quotes each view's H, which comes from a file or a link: one line, as typed.
            lines.insert(0, "warning: " + one_line(self.hypotheses.warning))
        return "\n".join(lines)

    def part_labels(self) -> tuple[str, ...]:
        """Item labels, marked ``[NAME only]`` where an item is in one ledger only."""
        out = []
        for label, a, b in zip(self.labels, self.a_log_lr, self.b_log_lr, strict=True):
            if a is None or b is None:
                label = f"[{self.names[0] if b is None else self.names[1]} only] {label}"
            out.append(label)
        return tuple(out)


# -- do the two views ask the same question? -------------------------------------------------------------

NOT_H_MARK = "; not H:"  # the built-in scenarios write "H ...; not H: ..." in their `hypothesis`


def stated_h(text: str) -> str:
    """H as a view states it: the text before ``'; not H:'`` (all of it without one), whitespace collapsed.

    >>> stated_h("Scheming appears by 2027; not H: it does not, or only rarely.")
    'Scheming appears by 2027'
    """
    head = text.split(NOT_H_MARK, 1)[0]
    return " ".join(head.split()).rstrip(" .;:")


def _same_text(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


@dataclass(frozen=True)
class HypothesisCheck:
    """Whether two views state the same hypothesis H (their statements of not H may differ).

    Two views that state different H are not disagreeing about one question:
    the gap between their posteriors mixes a difference of question with a
    difference of evidence, and ``warning`` says so in one line.  A view that
    states no H cannot be checked; ``warning`` says that instead.
    """

    names: tuple[str, str]
    a: str  # each view's statement of H (and of not H), as written
    b: str

    @property
    def same(self) -> bool | None:
        """True or False; None when a view states no hypothesis."""
        ha, hb = stated_h(self.a), stated_h(self.b)
        if not ha or not hb:
            return None
        return _same_text(ha, hb)

    @property
    def warning(self) -> str:
        """One line when the views state different hypotheses (or one states none); empty otherwise."""
        a, b = self.names
        ha, hb = stated_h(self.a), stated_h(self.b)
        if not ha and not hb:
            return "Neither view states its hypothesis H, so whether both answer the same question cannot be checked."
        if not ha or not hb:
            silent = a if not ha else b
            return f"{silent} states no hypothesis H, so whether both views answer the same question cannot be checked."
        if _same_text(ha, hb):
            return ""
        return (
            "The two views state different hypotheses: their gap compares answers to two questions, not two "
            f"answers to one. View {a}: H = \u201c{short_label(ha, 90)}\u201d; view {b}: H = \u201c{short_label(hb, 90)}\u201d."
        )

    def to_dict(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "a_h": stated_h(self.a),
            "b_h": stated_h(self.b),
            "same": self.same,
            "warning": self.warning or None,
        }


def check_hypotheses(a: str, b: str, *, names: tuple[str, str] = ("A", "B")) -> HypothesisCheck:
    """Compare two views' statements of H (scenario ``hypothesis`` fields); see :class:`HypothesisCheck`.

    >>> check_hypotheses("X scheme; not H: they do not", "x scheme; not H: confusion").same
    True
    >>> check_hypotheses("X scheme", "Y schemes", names=("a", "b")).warning
    'The two views state different hypotheses: their gap compares answers to two questions, not two answers to one. View a: H = “X scheme”; view b: H = “Y schemes”.'
    """
    return HypothesisCheck(names=names, a=a or "", b=b or "")


def _crux_key(c, other_ids: set[str]) -> str:
    # By id where both sides use that id; otherwise by label, so an item one side
    # tagged with an id and the other did not still meets its counterpart.
    return f"id:{c.id}" if c.id is not None and c.id in other_ids else f"label:{c.label}"


def crux_from_results(
    a: UpdateResult,
    b: UpdateResult,
    *,
    names: tuple[str, str] = ("A", "B"),
    hypotheses: tuple[str, str] | None = None,
) -> CruxResult:
    """:func:`crux` for two results of :func:`beliefs.update.update` (e.g. two scenarios).

    ``hypotheses``: the two views' statements of H (scenario ``hypothesis``
    fields), checked by :func:`check_hypotheses`; the result warns when they differ.
    """
    for which, r in zip(names, (a, b), strict=True):
        if r.certain:
            raise CertaintyError(
                f"{which}.prior", r.prior, "a probability strictly between 0 and 1", hint=CERTAIN_HINT
            )
    if names[0] == names[1]:
        names = (f"{names[0]} (A)", f"{names[1]} (B)")

    def keyed(result: UpdateResult, other: UpdateResult) -> dict[tuple[str, int], object]:
        # The n-th item with a given key in A meets the n-th with that key in B.
        other_ids = {c.id for c in other.items if c.id is not None}
        seen: dict[str, int] = {}
        out = {}
        for c in result.items:
            key = _crux_key(c, other_ids)
            out[(key, seen.get(key, 0))] = c
            seen[key] = seen.get(key, 0) + 1
        return out

    ka, kb = keyed(a, b), keyed(b, a)
    order = list(ka) + [key for key in kb if key not in ka]
    labels, keys, a_nats, b_nats = [], [], [], []
    for key in order:
        ca, cb = ka.get(key), kb.get(key)
        c = ca if ca is not None else cb
        labels.append(c.label if key[1] == 0 else f"{c.label} #{key[1] + 1}")
        keys.append(key[0].split(":", 1)[1])
        a_nats.append(None if ca is None else ca.weighted_log_lr)
        b_nats.append(None if cb is None else cb.weighted_log_lr)
    total = a.log_odds_gap(b)  # the two update() sums' difference, to one rounding
    return CruxResult(
        names=names,
        a=a,
        b=b,
        prior_gap=a.prior_log_odds - b.prior_log_odds,
        labels=tuple(labels),
        keys=tuple(keys),
        a_log_lr=tuple(a_nats),
        b_log_lr=tuple(b_nats),
        total_log_odds=total,
        hypotheses=None if hypotheses is None else check_hypotheses(*hypotheses, names=names),
    )


def crux(
    prior_a: object,
    evidence_a: Iterable[Evidence | float],
    prior_b: object,
    evidence_b: Iterable[Evidence | float],
    *,
    names: tuple[str, str] = ("A", "B"),
) -> CruxResult:
    """Where two viewpoints disagree: the posterior log-odds gap split into prior and item parts.

    Items are matched by ``id``, else by label; an item in only one ledger counts fully.

    Examples
    --------
    Same evidence read two ways (3:1 versus 1.5:1) from the same prior: the
    whole gap of one bit is in that item.

    >>> r = crux(0.25, [Evidence("report", likelihood_ratio=3)], 0.25, [Evidence("report", likelihood_ratio=1.5)])
    >>> round(r.total_bits, 12), round(r.parts[0], 12), round(bits(r.parts[1]), 12)
    (1.0, 0.0, 1.0)
    """
    pa = as_probability(prior_a, "prior_a")
    pb = as_probability(prior_b, "prior_b")
    return crux_from_results(
        update(pa, evidence_list(evidence_a, "evidence_a")),
        update(pb, evidence_list(evidence_b, "evidence_b")),
        names=names,
    )


def plot_crux(result: CruxResult) -> dict:
    """Each part of the gap between the two viewpoints (bits), largest first, and the total.

    At most :data:`beliefs.plots.style.MAX_ROWS` parts are drawn; the smaller ones are summed
    in one row (the CSV lists each).  Returns the Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    from beliefs.plots.style import MAX_ROWS, bar_rows, wrap

    a, b = result.names
    more_a, more_b, total = f"more for H in {a}", f"more for H in {b}", "total gap"
    names = ("prior", *result.part_labels())
    parts = result.parts
    order = sorted(range(len(parts)), key=lambda i: -abs(parts[i]))
    shown = [(one_line(names[i]), bits(parts[i])) for i in order[:MAX_ROWS]]
    rest = order[MAX_ROWS:]
    if rest:
        shown.append((f"{len(rest)} smaller parts together", bits(math.fsum(parts[i] for i in rest))))
    shown.append((total, result.total_bits))
    values = [
        {"row": i, "label": wrap(f"{name}: {gap:+.2f} bits"), "name": name, "bits": gap,
         "series": total if i == len(shown) - 1 else more_a if gap >= 0 else more_b}
        for i, (name, gap) in enumerate(shown)
    ]  # fmt: skip
    pa, pb = (format_probability(r.posterior_log_odds) for r in (result.a, result.b))
    return bar_rows(
        values,
        [[{"x": "bits", "x2": 0.0, "colour": "series"}]],
        series={more_a: FOR_H, more_b: AGAINST_H, total: LEVEL},
        x_title=f"bits toward H: {a} minus {b}",
        chart_title="Crux: where the two views part",
        subtitle=f"{a} {pa} vs {b} {pb}",
        tooltip=[{"field": "name", "type": "nominal", "title": "part"}, {"field": "bits", "type": "quantitative", "format": "+.3f"}],
        name="crux",
    )
