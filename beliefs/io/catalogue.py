r"""The evidence catalogue: published observations, the debated claims and the viewpoints' priors.

The data live in ``beliefs/data/catalogue.toml`` (transcribed from the
research notes) and are checked when first loaded, so a bad edit to the file
fails loudly with the path of the offending value rather than producing a
wrong number downstream.

Catalogue items are *observations* (rates and counts), not likelihood ratios:
no source states :math:`P(E\mid H)` and :math:`P(E\mid\lnot H)` for them.  To
use one as evidence the user supplies both, and
:meth:`CatalogueEntry.to_evidence` builds the :class:`~beliefs.evidence.Evidence`
item with the catalogue source attached,

.. math:: \mathrm{LR} = \frac{P(E\mid H)}{P(E\mid\lnot H)} .

Examples
--------
>>> entry = get_entry("antischeming_o3_covert_rate")
>>> entry.status, [f.value for f in entry.figures]
('P', [0.13, 0.004])
>>> e = entry.to_evidence(0.75, 0.25)
>>> round(e.likelihood_ratio, 12), e.source.status
(3.0, 'P')
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

from beliefs.errors import InputError
from beliefs.evidence import STATUS_MEANING, Evidence, Source
from beliefs.format import format_proportion

__all__ = [
    "CatalogueEntry",
    "CatalogueError",
    "Claim",
    "EvaluationRates",
    "Figure",
    "PerEvaluation",
    "Viewpoint",
    "check_model",
    "claims",
    "evidence_entries",
    "get_claim",
    "get_entry",
    "get_viewpoint",
    "per_evaluation",
    "sources",
    "viewpoints",
]

# "auc": an area under a ROC curve, in [0, 1] (shown as "AUC 0.87", never as a percentage: it is not a rate).
# "percentage_points": a difference of two percentages as the source states it (16.8 = +16.8 points).
UNITS = ("proportion", "p_value", "count", "ratio", "bits", "decibels", "auc", "percentage_points")
BOUNDS = ("lower", "upper")
_FIGURE_KEYS = {
    "label", "value", "unit", "low", "high", "k", "n", "derived", "bound", "approximate", "status", "note",
    "steps",
}  # fmt: skip


class CatalogueError(InputError):
    """The catalogue file itself is malformed (a packaging or editing mistake)."""


@dataclass(frozen=True)
class Figure:
    """One number a source states.

    ``value`` is a fraction for ``unit == "proportion"`` (0.130 = 13.0%).
    ``k``/``n`` are counts.  ``derived`` marks a number computed from
    published ones rather than published itself: a back-calculated count
    ("≈k/n" in the research notes) or, in a claim, e.g. the bits of a stated
    ratio.  ``status`` is this figure's own P/S/X (it defaults to the entry's).
    """

    label: str
    value: float | None
    status: str
    unit: str = "proportion"
    low: float | None = None
    high: float | None = None
    k: int | None = None
    n: int | None = None
    derived: bool = False
    bound: str | None = None
    approximate: bool = False
    note: str = ""
    steps: int | None = None

    @property
    def published_count(self) -> bool:
        """True when ``k`` and ``n`` are both given and neither is a back-calculation."""
        return self.k is not None and self.n is not None and not self.derived

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "status": self.status,
        }
        for name in ("low", "high", "k", "n", "bound", "steps"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.derived:
            out["derived"] = True
        if self.approximate:
            out["approximate"] = True
        if self.note:
            out["note"] = self.note
        return out

    def describe(self) -> str:
        """``0.13`` → ``13%``; counts as ``k/n``; flags for bounds and back-calculations."""
        if self.value is None and self.low is not None:
            text = f"{_show(self.low, self.unit)}–{_show(self.high, self.unit)}"
        elif self.value is not None:
            text = _show(self.value, self.unit)
        else:
            text = ""
        if self.k is not None and self.n is not None:
            count = f"{'≈' if self.derived else ''}{self.k}/{self.n}"
            text = f"{text} ({count})" if text else count
        elif self.n is not None:
            text += f" (n = {self.n})"
        prefix = {"lower": "over ", "upper": "under "}.get(self.bound or "", "")
        if self.approximate:
            prefix = "about " + prefix
        flags = []
        if self.derived:
            flags.append(
                "count back-calculated, not published" if self.k is not None else "computed, not stated"
            )
        if self.steps is not None:
            flags.append(f"n = {self.steps} steps")
        tail = f" [{'; '.join(flags)}]" if flags else ""
        return f"{prefix}{text}{tail}"


@dataclass(frozen=True)
class CatalogueEntry:
    """One row of the research notes' evidence table."""

    id: str
    claim: str
    source: Source
    figures: tuple[Figure, ...]
    status_note: str = ""
    notes: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """The entry's status as the research notes give it (``source.status``)."""
        return self.source.status

    def to_evidence(
        self,
        p_e_given_h: float | None = None,
        p_e_given_not_h: float | None = None,
        *,
        likelihood_ratio: float | None = None,
        label: str | None = None,
        note: str = "",
        **extra: Any,
    ) -> Evidence:
        r"""Make an evidence item from this entry with the user's likelihoods.

        The catalogue states no :math:`P(E\mid H)` or :math:`P(E\mid\lnot H)`,
        so they are required (or a ``likelihood_ratio``); the entry's source
        stays attached and its id becomes the item's id.  ``extra`` passes on
        to :class:`~beliefs.evidence.Evidence` (``group``, ``discount``, ...).
        """
        if p_e_given_h is None and p_e_given_not_h is None and likelihood_ratio is None:
            raise InputError(
                f"{self.id}: likelihoods",
                None,
                "P(E|H) and P(E|not H) (or a likelihood ratio): the catalogue records "
                "observations, and no source states how likely they are under each hypothesis",
            )
        return Evidence(
            label=label or self.claim,
            p_e_given_h=p_e_given_h,
            p_e_given_not_h=p_e_given_not_h,
            likelihood_ratio=likelihood_ratio,
            id=self.id,
            note=note,
            source=self.source,
            **extra,
        )

    def to_dict(self) -> dict[str, Any]:
        out = _record_dict(self)
        head = {"id": out.pop("id"), "claim": out.pop("claim"), "status": self.status}
        return {**head, "status_meaning": STATUS_MEANING[self.status], "status_note": out.pop("status_note"), **out}


@dataclass(frozen=True)
class Claim:
    """A quantitative claim from the debate, with its exact short quotes."""

    id: str
    section: int
    title: str
    quotes: tuple[str, ...]
    numbers: tuple[Figure, ...]
    source: Source
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True)
class Viewpoint:
    """A starting prior on H held by a named viewpoint, with where it is stated."""

    id: str
    name: str
    hypothesis: str
    prior: float
    source: Source
    note: str = ""
    alternatives: tuple[Figure, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True)
class EvaluationRates:
    """Covert-action rates in one evaluation, ``(before, after)`` training, as fractions.

    ``status`` is for the value strings (P: read in the primary text);
    ``alignment_status`` for which evaluation the values belong to (S: settled
    by independent consistency checks, see :attr:`PerEvaluation.alignment_note`).
    """

    evaluation: str
    o4_mini: tuple[float, float]
    o3: tuple[float, float]
    status: str = "P"
    alignment_status: str = "S"


MODELS = ("o3", "o4-mini")
PHASES = ("before", "after")


@dataclass(frozen=True)
class PerEvaluation:
    """Fig. 9 of the anti-scheming paper, per evaluation, both models, all 20 evaluations (Reading A).

    Per-evaluation sample sizes were not published, so these are rates only.
    This is the one copy of the table: :mod:`beliefs.datasets`,
    :mod:`beliefs.reproduce` and the app read it from here.
    """

    reading: str
    rows: tuple[EvaluationRates, ...]
    source: Source
    status_note: str
    alignment_status: str
    alignment_note: str
    notes: tuple[str, ...]

    @property
    def evaluations(self) -> list[str]:
        return [r.evaluation for r in self.rows]

    def rates(self, model: str, phase: str = "before") -> list[float]:
        """``model``'s rates (``"o3"`` or ``"o4-mini"``) at ``phase`` (``"before"``/``"after"``), in row order.

        Examples
        --------
        >>> table = per_evaluation()
        >>> len(table.rates("o3", "before")), table.rates("o3", "after")[1]
        (20, 0.001)
        """
        check_model(model)
        if phase not in PHASES:
            raise InputError("phase", phase, "'before' or 'after'")
        i = PHASES.index(phase)
        attr = "o3" if model == "o3" else "o4_mini"
        return [getattr(r, attr)[i] for r in self.rows]


def check_model(model: object) -> str:
    """``model`` if it is one of Fig. 9's models, else an :class:`InputError` naming the choices."""
    if model not in MODELS:
        raise InputError("model", model, "'o3' or 'o4-mini'")
    return model


# -- loading ------------------------------------------------------------------


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("beliefs.data").joinpath("catalogue.toml").read_bytes()
    try:
        return tomllib.loads(text.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError("catalogue.toml", str(exc), "valid TOML") from None


@cache
def _loaded() -> dict[str, Any]:
    return _parse(_raw())


def _parse(data: dict[str, Any]) -> dict[str, Any]:
    """Check and convert the raw TOML document; raise CatalogueError naming the path."""
    where = "catalogue.toml"
    if data.get("format") != "beliefs-catalogue" or data.get("version") != 1:
        raise CatalogueError(f"{where}: format/version", (data.get("format"), data.get("version")),
                             "format = 'beliefs-catalogue', version = 1")  # fmt: skip
    raw_sources = _table(data, "sources", where)
    for key, src in raw_sources.items():
        _table({"s": src}, "s", f"{where}: sources.{key}")
        _text(src, "citation", f"sources.{key}")
    entries = []
    seen: set[str] = set()
    for i, raw in enumerate(_list(data, "evidence", where)):
        path = f"evidence[{i}]"
        entry_id = _text(raw, "id", path)
        if entry_id in seen:
            raise CatalogueError(f"{path}.id", entry_id, "an id not used by another entry")
        seen.add(entry_id)
        source = _source(raw, raw_sources, path)
        figures = tuple(
            _figure(f, f"{path}.figures[{j}]", source.status)
            for j, f in enumerate(_list(raw, "figures", path))
        )
        entries.append(
            CatalogueEntry(
                id=entry_id,
                claim=_text(raw, "claim", path),
                source=source,
                figures=figures,
                status_note=_text(raw, "status_note", path, required=False),
                notes=_strings(raw, "notes", path),
            )
        )
    claim_list = []
    for i, raw in enumerate(_list(data, "claims", where)):
        path = f"claims[{i}]"
        source = _source(raw, raw_sources, path)
        section = raw.get("section")
        if not isinstance(section, int) or isinstance(section, bool) or section < 1:
            raise CatalogueError(f"{path}.section", section, "a section number >= 1")
        claim_list.append(
            Claim(
                id=_text(raw, "id", path),
                section=section,
                title=_text(raw, "title", path),
                quotes=_strings(raw, "quotes", path),
                numbers=tuple(
                    _figure(f, f"{path}.numbers[{j}]", source.status)
                    for j, f in enumerate(_list(raw, "numbers", path))
                ),
                source=source,
                note=_text(raw, "note", path, required=False),
            )
        )
    views = []
    for i, raw in enumerate(_list(data, "viewpoints", where)):
        path = f"viewpoints[{i}]"
        source = _source(raw, raw_sources, path)
        views.append(
            Viewpoint(
                id=_text(raw, "id", path),
                name=_text(raw, "name", path),
                hypothesis=_text(raw, "hypothesis", path),
                prior=_number(raw.get("prior"), f"{path}.prior", 0.0, 1.0),
                source=source,
                note=_text(raw, "note", path, required=False),
                alternatives=tuple(
                    _figure(f, f"{path}.alternatives[{j}]", source.status)
                    for j, f in enumerate(_list(raw, "alternatives", path))
                ),
            )
        )
    return {
        "sources": raw_sources,
        "evidence": tuple(entries),
        "claims": tuple(claim_list),
        "viewpoints": tuple(views),
        "per_evaluation": _per_evaluation(_table(data, "per_evaluation", where), raw_sources),
    }


def _per_evaluation(raw: dict[str, Any], raw_sources: dict[str, Any]) -> PerEvaluation:
    path = "per_evaluation"
    rows = []
    keys = {"evaluation", "o4_mini", "o3", "status", "alignment_status"}
    for i, row in enumerate(_list(raw, "rows", path)):
        where = f"{path}.rows[{i}]"
        unknown = set(row) - keys
        if unknown:
            raise CatalogueError(where, sorted(unknown), "keys " + ", ".join(sorted(keys)))
        statuses = {}
        for key in ("status", "alignment_status"):
            if row.get(key) not in STATUS_MEANING:
                raise CatalogueError(f"{where}.{key}", row.get(key), "one of 'P', 'S', 'X'")
            statuses[key] = row[key]
        pairs = {m: _pair(row.get(m), f"{where}.{m}") for m in ("o4_mini", "o3")}
        rows.append(EvaluationRates(evaluation=_text(row, "evaluation", where), **pairs, **statuses))
    alignment = raw.get("alignment_status")
    if alignment not in STATUS_MEANING:
        raise CatalogueError(f"{path}.alignment_status", alignment, "one of 'P', 'S', 'X'")
    return PerEvaluation(
        reading=_text(raw, "reading", path),
        rows=tuple(rows),
        source=_source(raw, raw_sources, path),
        status_note=_text(raw, "status_note", path, required=False),
        alignment_status=alignment,
        alignment_note=_text(raw, "alignment_note", path),
        notes=_strings(raw, "notes", path),
    )


def _pair(value: object, path: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise CatalogueError(path, value, "[before, after], two proportions")
    return (_number(value[0], f"{path}[0]", 0.0, 1.0), _number(value[1], f"{path}[1]", 0.0, 1.0))


def _source(raw: dict[str, Any], raw_sources: dict[str, Any], path: str) -> Source:
    key = _text(raw, "source", path)
    if key not in raw_sources:
        raise CatalogueError(f"{path}.source", key, f"one of the [sources] keys: {', '.join(raw_sources)}")
    status = raw.get("status")
    if status not in STATUS_MEANING:
        raise CatalogueError(f"{path}.status", status, "one of 'P', 'S', 'X'")
    src = raw_sources[key]
    return Source(
        citation=src["citation"],
        location=_text(raw, "location", path),
        status=status,
        url=_text(src, "url", f"sources.{key}", required=False),
    )


def _figure(raw: object, path: str, default_status: str) -> Figure:
    if not isinstance(raw, dict):
        raise CatalogueError(path, raw, "a table of figure fields")
    unknown = set(raw) - _FIGURE_KEYS
    if unknown:
        raise CatalogueError(path, sorted(unknown), f"only the keys {', '.join(sorted(_FIGURE_KEYS))}")
    unit = raw.get("unit", "proportion")
    if unit not in UNITS:
        raise CatalogueError(f"{path}.unit", unit, f"one of {', '.join(UNITS)}")
    status = raw.get("status", default_status)
    if status not in STATUS_MEANING:
        raise CatalogueError(f"{path}.status", status, "one of 'P', 'S', 'X'")
    k = _count(raw.get("k"), f"{path}.k")
    n = _count(raw.get("n"), f"{path}.n", minimum=1)
    if k is not None and (n is None or k > n):
        raise CatalogueError(f"{path}.k", k, "a count with a denominator n >= k")
    value = raw.get("value")
    if value is not None:
        value = _unit_value(value, f"{path}.value", unit)
    low, high = raw.get("low"), raw.get("high")
    if (low is None) != (high is None):
        raise CatalogueError(f"{path}.low", low, "both low and high, or neither")
    if low is not None:
        low = _unit_value(low, f"{path}.low", unit)
        high = _unit_value(high, f"{path}.high", unit)
        if low > high:
            raise CatalogueError(f"{path}.low", low, f"low <= high ({high:g})")
    if value is None and low is None and k is None:
        raise CatalogueError(path, raw, "a value, a low/high range, or a count k/n")
    bound = raw.get("bound")
    if bound is not None and bound not in BOUNDS:
        raise CatalogueError(f"{path}.bound", bound, "'lower' or 'upper'")
    for flag in ("derived", "approximate"):
        if not isinstance(raw.get(flag, False), bool):
            raise CatalogueError(f"{path}.{flag}", raw[flag], "true or false")
    return Figure(
        label=_text(raw, "label", path),
        value=value,
        status=status,
        unit=unit,
        low=low,
        high=high,
        k=k,
        n=n,
        derived=raw.get("derived", False),
        bound=bound,
        approximate=raw.get("approximate", False),
        note=_text(raw, "note", path, required=False),
        steps=_count(raw.get("steps"), f"{path}.steps", minimum=1),
    )


def _unit_value(value: object, path: str, unit: str) -> float:
    if unit in ("proportion", "p_value", "auc"):
        return _number(value, path, 0.0, 1.0)
    if unit == "percentage_points":
        return _number(value, path, -100.0, 100.0)
    if unit == "count":
        return float(_count(value, path))
    number = _number(value, path, -math.inf, math.inf)
    if unit == "ratio" and number <= 0:
        raise CatalogueError(path, value, "a ratio > 0")
    return number


def _number(value: object, path: str, lo: float, hi: float) -> float:
    allowed = f"a finite number in [{lo:g}, {hi:g}]" if math.isfinite(lo) else "a finite number"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CatalogueError(path, value, allowed)
    number = float(value)
    if not math.isfinite(number) or not lo <= number <= hi:
        raise CatalogueError(path, value, allowed)
    return number


def _count(value: object, path: str, minimum: int = 0) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise CatalogueError(path, value, f"a whole number >= {minimum}")
    return value


def _text(raw: dict[str, Any], key: str, path: str, *, required: bool = True) -> str:
    value = raw.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise CatalogueError(f"{path}.{key}", value, "a non-empty string" if required else "a string")
    return value


def _strings(raw: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
    return tuple(_text({key: s}, key, f"{path}.{key}[{i}]") for i, s in enumerate(_list(raw, key, path)))


def _list(raw: dict[str, Any], key: str, path: str) -> list:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise CatalogueError(f"{path}.{key}", value, "a list")
    return value


def _table(raw: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise CatalogueError(f"{path}: {key}", value, "a table")
    return value


def _record_dict(record: Any) -> dict[str, Any]:
    """A catalogue record's fields in declaration order, as JSON: sources and figures as objects, tuples as lists."""
    return {f.name: _plain(getattr(record, f.name)) for f in fields(record)}


def _plain(value: Any) -> Any:
    if isinstance(value, Source):
        return _source_dict(value)
    if isinstance(value, Figure):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _source_dict(source: Source) -> dict[str, str]:
    return {
        "citation": source.citation,
        "location": source.location,
        "status": source.status,
        "url": source.url,
    }


def _show(value: float, unit: str) -> str:
    if unit == "proportion":
        return format_proportion(value)
    if unit == "count":
        return f"{value:.0f}"
    if unit == "bits":
        return f"{value:g} bits"
    if unit == "decibels":
        return f"{value:g} dB"
    if unit == "p_value":
        return f"p = {value:g}"
    if unit == "auc":
        return f"AUC {value:g}"
    if unit == "percentage_points":
        return f"{value:+g} percentage points"
    return f"{value:g}"


# -- public accessors -----------------------------------------------------------


def evidence_entries() -> list[CatalogueEntry]:
    """Every evidence entry, in the order of the research notes' table."""
    return list(_loaded()["evidence"])


def get_entry(entry_id: str) -> CatalogueEntry:
    """The entry with this id; an unknown id raises InputError listing close matches."""
    return _lookup(_loaded()["evidence"], entry_id, "evidence id")


def claims() -> list[Claim]:
    """The debated claims, in section order."""
    return list(_loaded()["claims"])


def get_claim(claim_id: str) -> Claim:
    return _lookup(_loaded()["claims"], claim_id, "claim id")


def viewpoints() -> list[Viewpoint]:
    """Named viewpoints and the priors they state (or, where none is stated, say so)."""
    return list(_loaded()["viewpoints"])


def get_viewpoint(viewpoint_id: str) -> Viewpoint:
    return _lookup(_loaded()["viewpoints"], viewpoint_id, "viewpoint")


def per_evaluation() -> PerEvaluation:
    """Fig. 9 covert-action rates per evaluation, both models (rates only: n was not published).

    The single source of the table (``beliefs.datasets`` and ``beliefs.reproduce`` read it here).
    """
    return _loaded()["per_evaluation"]


def sources() -> dict[str, Source]:
    """The catalogue's sources by key (status X and no location: the entry supplies both)."""
    return {
        key: Source(citation=raw["citation"], url=raw.get("url", ""), status="X")
        for key, raw in _loaded()["sources"].items()
    }


def _lookup(items, key: object, field: str):
    by_id = {item.id: item for item in items}
    if isinstance(key, str) and key in by_id:
        return by_id[key]
    close = difflib.get_close_matches(str(key), list(by_id), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else ""
    shown = ", ".join(by_id) if len(by_id) <= 8 else f"one of {len(by_id)} ids (`beliefs evidence list`)"
    raise InputError(field, key, f"a known {field}: {shown}", hint=hint)
