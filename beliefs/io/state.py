r"""The app's state and the scenario it describes: the one conversion between them, both ways.

An :class:`AppState` is what the app holds: the scalar settings
(:data:`beliefs.io.settings.FIELDS`: the prior, the compared priors, the
model views' settings, display settings), the ledger as a tuple of
immutable :class:`~beliefs.evidence.Evidence` items, and :class:`About`:
what the scenario it came from says beyond those numbers (title,
description, H, the prior's source, the model blocks, the ``hypotheses``
block).

:func:`scenario_from_state` and :func:`state_from_scenario` convert, and
nothing else does (``tests/test_architecture.py`` checks): the app's save,
its share links (readable and short), its exports, the Compare page, the
app's restore from a file or a link and the command line's reading of links
all go through them, so what one shows the others show.

Round trip.  ``scenario_from_state(state_from_scenario(s)) == s`` for every
scenario whose model blocks the app's views can show (the others are
refused with the field's name): a model block the views did not change is
written back as it was loaded, and ``app`` holds exactly the settings that
differ from what the rest of the file implies.

Nothing stale.  A scenario's title describes its own prior and ledger, its
``prior_source`` its own prior.  Once the state differs from the scenario it
was loaded from, the title says ``edited from '...'`` (unless the user gave
their own), and a prior source is kept only while the prior is the one it
cites.  A state loaded from nothing states the app's own H
(:data:`DEFAULT_HYPOTHESIS`), as the page shows it.

>>> from beliefs.io.scenario import get_scenario
>>> s = get_scenario("report-3-to-1")
>>> state = state_from_scenario(s)
>>> scenario_from_state(state) == s
True
>>> edited = state.with_values(prior=0.15)
>>> print(scenario_from_state(edited).title)
edited from 'The thread's 3-to-1 update from 25%'
>>> scenario_from_state(edited).name
'report-3-to-1-edited'
>>> scenario_from_state(edited).prior_source is None
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any

from beliefs.errors import InputError
from beliefs.evidence import Evidence, Source
from beliefs.io.scenario_schema import (
    HYPOTHESES_VERSION,
    VERSION,
    ChainSettings,
    CovertActionsSettings,
    HypothesisSpec,
    ModelSettings,
    MonitoringSettings,
    Scenario,
    SourceSpec,
)
from beliefs.io.settings import FIELDS, checked, defaults, format_value

__all__ = [
    "DEFAULT_HYPOTHESIS",
    "MODEL_FIELDS",
    "About",
    "AppState",
    "builtin_origin",
    "completed_from_origin",
    "holds_same",
    "hypothesis_of",
    "hypothesis_pair",
    "is_edited",
    "scenario_from_state",
    "source_for",
    "state_from_scenario",
    "title_of",
]

# The app's own H, shown (and exported) while no scenario stating another is loaded.
DEFAULT_HYPOTHESIS = (
    "Early human-competitive AI systems scheme (take covert actions for goals their overseers did not intend); "
    "not H: they do not"
)
_EDITED = "edited from "
_EDITED_NAME = "-edited"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# Settings a scenario holds in its own fields, never in its "app" block.
_OWN_FIELDS = ("prior", "cmp", "scenario")

# The settings of each model view that a scenario's model block holds.
MODEL_FIELDS: dict[str, tuple[str, ...]] = {
    "chain": ("ch_base", "ch_steps", "ch_drift", "ch_surv", "ch_conc"),
    "monitoring": ("mo_rate", "mo_report", "mo_collude", "mo_tasks", "mo_qsrc", "mo_csrc"),
    "covert_actions": (
        "da_src", "da_model", "da_when", "da_n", "da_env", "da_h_a", "da_h_b", "da_n_a", "da_n_b", "da_pool",
        "da_h_kind", "da_h_pt", "da_n_kind", "da_n_pt",
    ),
}  # fmt: skip
_BLOCK_SPECS = {"chain": ChainSettings, "monitoring": MonitoringSettings, "covert_actions": CovertActionsSettings}
# A block's own field for each view setting, for messages that name what the file says.
_BLOCK_PATHS = {
    "ch_base": "models.chain.base",
    "ch_steps": "models.chain.steps",
    "ch_drift": "models.chain.drift",
    "ch_surv": "models.chain.per_step",
    "ch_conc": "models.chain.per_step_beta",
    "mo_rate": "models.monitoring.rate",
    "mo_report": "models.monitoring.report",
    "mo_collude": "models.monitoring.collusion",
    "mo_tasks": "models.monitoring.tasks",
    "mo_qsrc": "models.monitoring.report_source",
    "mo_csrc": "models.monitoring.collusion_source",
    "da_n": "models.covert_actions.effective_n",
    "da_env": "models.covert_actions.k",
    "da_h_a": "models.covert_actions.rate_if_h[0]",
    "da_h_b": "models.covert_actions.rate_if_h[1]",
    "da_n_a": "models.covert_actions.rate_if_not_h[0]",
    "da_n_b": "models.covert_actions.rate_if_not_h[1]",
    "da_h_pt": "models.covert_actions.rate_if_h.point",
    "da_n_pt": "models.covert_actions.rate_if_not_h.point",
}
# The data page's tag of each hypothesis's settings (da_h_*, da_n_*), by the block's side.
_DATA_TAG = {"if_h": "h", "if_not_h": "n"}


# -- the state ------------------------------------------------------------------------------


@dataclass(frozen=True)
class About:
    """What the scenario behind a state says beyond the numbers the app edits.

    Attributes
    ----------
    origin : Scenario or None
        The scenario as it was loaded (a preset, a file, a link); its title,
        description, H, prior source and model blocks, and what it said before
        any edit.
    hypotheses : tuple of HypothesisSpec, or None
        The ``hypotheses`` block, one likelihood per item of the current
        ledger (removing an item removes its column).
    title : str or None
        A title the user gave; None: the origin's (marked as edited when the
        state no longer is the origin).
    """

    origin: Scenario | None = None
    hypotheses: tuple[HypothesisSpec, ...] | None = None
    title: str | None = None

    def without_item(self, index: int) -> About:
        """The ``hypotheses`` block without the column of ledger item ``index``."""
        if self.hypotheses is None:
            return self
        cut = tuple(
            h.model_copy(update={"likelihoods": h.likelihoods[:index] + h.likelihoods[index + 1 :]})
            for h in self.hypotheses
        )
        return replace(self, hypotheses=cut)


@dataclass(frozen=True)
class AppState:
    """Scalar settings (see :data:`beliefs.io.settings.FIELDS`), the ledger, and :class:`About`."""

    values: dict[str, Any] = field(default_factory=defaults)
    items: tuple[Evidence, ...] = ()
    about: About = field(default_factory=About)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def with_values(self, **changes: Any) -> AppState:
        return replace(self, values={**self.values, **changes})


# -- sources known by id --------------------------------------------------------------------


def source_for(item_id: str | None) -> Source | None:
    """The source of an evidence item known by id: a catalogue entry, else an item of a built-in scenario.

    A share link carries item ids but not citations; this restores where each
    number comes from.  ``None`` for an empty or unknown id.

    >>> source_for("antischeming_o3_covert_rate").status
    'P'
    >>> source_for("") is None, source_for("no-such-item") is None
    (True, True)
    """
    return _sources().get(item_id) if item_id else None


@cache
def _sources() -> dict[str, Source]:
    """Every known item id's source, built once: the catalogue's first, then the built-in scenarios'."""
    from beliefs.io import catalogue
    from beliefs.io.scenario import builtin_scenarios

    out: dict[str, Source] = {e.id: e.source for e in catalogue.evidence_entries()}
    for s in builtin_scenarios().values():
        for e in s.evidence_items():
            if e.id and e.source is not None:
                out.setdefault(e.id, e.source)
    return out


def builtin_origin(name: str) -> Scenario | None:
    """The built-in scenario ``name`` (a readable link's ``scenario=``), or None; never a file.

    One parsed copy per name for the process, shared read-only (an origin is never changed: a state's
    edits are its own values and items), so reading a link every run costs no parse and no copy.
    """
    return _builtin_origins().get(name) if isinstance(name, str) else None


@cache
def _builtin_origins() -> dict[str, Scenario]:
    from beliefs.io.scenario import builtin_scenarios

    return builtin_scenarios()


def completed_from_origin(values: Mapping[str, Any], items: Sequence[Evidence]) -> AppState:
    """A state whose items carry only numbers, labels and ids (a readable link), completed from what it names.

    The origin is the built-in scenario ``values["scenario"]`` names, if any:
    an item with the id of one of its items gets that item's note and source
    (else the source known for its id), and the origin's ``hypotheses`` block
    comes along when every item has a column in it.
    """
    origin = builtin_origin(values.get("scenario", ""))
    known = {e.id: (j, e) for j, e in enumerate(origin.evidence_items())} if origin is not None else {}
    done = []
    columns: list[int] | None = []
    for item in items:
        hit = known.get(item.id) if item.id else None
        if hit is not None:
            j, mine = hit
            if (item.note, item.source) != (mine.note, mine.source):
                item = _with_words(item, mine.note, mine.source)
            columns = None if columns is None else [*columns, j]
        else:
            known_source = source_for(item.id)
            if item.source is None and known_source is not None:
                item = _with_words(item, item.note, known_source)
            columns = None
        done.append(item)
    hypotheses = None
    if origin is not None and origin.hypotheses is not None and columns is not None:
        hypotheses = tuple(
            h.model_copy(update={"likelihoods": [h.likelihoods[j] for j in columns]}) for h in origin.hypotheses
        )
    return AppState(values=dict(values), items=tuple(done), about=About(origin=origin, hypotheses=hypotheses))


@lru_cache(maxsize=4096)
def _with_words(item: Evidence, note: str, source: Source | None) -> Evidence:
    # Cached like the link's items: the app checks its address bar every run, and an item is built once.
    return replace(item, note=note, source=source)


# -- model blocks <-> the views' settings -------------------------------------------------------


def _block_values(name: str, block: Any) -> dict[str, Any]:
    """The view settings a model block implies (the defaults for an absent block)."""
    out = {key: FIELDS[key].default for key in MODEL_FIELDS[name]}
    if block is None:
        return out
    if name == "chain":
        out.update(ch_base=float(block.base), ch_steps=int(block.steps), ch_drift=float(block.drift))
        if block.per_step_beta is not None:
            a, b = (float(x) for x in block.per_step_beta)
            out.update(ch_surv=a / (a + b), ch_conc=a + b)
        else:
            out.update(ch_surv=float(block.per_step), ch_conc=0.0)
    elif name == "monitoring":
        sources = {s.parameter: s.spec for s in block.sources()}
        out.update(
            mo_rate=float(block.rate),
            mo_report=float(block.report),
            mo_collude=float(block.collusion),
            mo_tasks=int(block.tasks),
            mo_qsrc=sources.get("q", ""),
            mo_csrc=sources.get("c", ""),
        )
    else:
        from beliefs.rate_priors import PointRate

        for side, tag in _DATA_TAG.items():
            prior = block.prediction(side)
            if isinstance(prior, PointRate):
                out[f"da_{tag}_kind"], out[f"da_{tag}_pt"] = "point", prior.rate
            else:
                out[f"da_{tag}_a"], out[f"da_{tag}_b"] = prior.alpha, prior.beta
        out["da_pool"] = block.pooling
        out.update(_data_source(list(zip(block.k, block.n, strict=True)), block.effective_n))
    return out


def _data_source(counts: list[tuple[int, int]], effective_n: int | None) -> dict[str, Any]:
    """Recognise the 2025 rates x effective n (so a saved file reopens the same view), else custom counts."""
    from beliefs.counts import format_counts
    from beliefs.datasets import derived_count_pairs

    if effective_n is not None:
        for model in ("o3", "o4-mini"):
            for when in ("before", "after"):
                if derived_count_pairs(model, when, effective_n) == counts:
                    return {"da_src": "2025", "da_model": model, "da_when": when, "da_n": int(effective_n)}
    return {"da_src": "custom", "da_env": format_counts(counts)}


def _block_from_values(name: str, v: Mapping[str, Any]) -> dict[str, Any] | None:
    """A model block holding the views' settings ``v``."""
    if name == "chain":
        if v["ch_conc"]:
            survival = {"per_step": None, "per_step_beta": [v["ch_conc"] * v["ch_surv"], v["ch_conc"] * (1 - v["ch_surv"])]}
        else:
            survival = {"per_step": v["ch_surv"]}
        return {"base": v["ch_base"], "steps": int(v["ch_steps"]), "drift": v["ch_drift"], **survival}
    if name == "monitoring":
        from beliefs.io.scenario_schema import MonitorSourceSpec
        from beliefs.monitor_sources import parse_sourced

        sources = {}
        for key, field, parameter in (("report_source", "mo_qsrc", "q"), ("collusion_source", "mo_csrc", "c")):
            sourced = parse_sourced(v[field], parameter, field)
            sources[key] = None if sourced is None else MonitorSourceSpec(
                setting=sourced.setting.key, false_alarm_rate=sourced.false_alarm_rate).model_dump()  # fmt: skip
        return {"rate": v["mo_rate"], "report": v["mo_report"], "collusion": v["mo_collude"], "tasks": int(v["mo_tasks"]),
                **sources}  # fmt: skip
    from beliefs.counts import parse_counts
    from beliefs.datasets import derived_count_pairs

    if v["da_src"] == "2025":
        counts, effective_n = derived_count_pairs(v["da_model"], v["da_when"], int(v["da_n"])), int(v["da_n"])
    else:
        counts, effective_n = parse_counts(v["da_env"], "da_env"), None
    if not counts:
        return None
    predictions = {
        f"rate_{side}": {"point": v[f"da_{tag}_pt"]} if v[f"da_{tag}_kind"] == "point" else [v[f"da_{tag}_a"], v[f"da_{tag}_b"]]
        for side, tag in _DATA_TAG.items()
    }  # the named reading each one is, the block's schema fills in
    return {
        "k": [k for k, _ in counts],
        "n": [n for _, n in counts],
        **predictions,
        "pooling": v["da_pool"],
        "effective_n": effective_n,
    }


def _models_out(values: Mapping[str, Any], origin: Scenario | None) -> dict[str, Any]:
    """Each model block: as loaded while its view shows what it implies, else built from the view.

    Blocks come back as the schema writes them (every field), so two states' blocks compare as dicts.
    """
    out = {}
    for name, keys in MODEL_FIELDS.items():
        loaded = getattr(origin.models, name) if origin is not None else None
        implied = _block_values(name, loaded)
        if all(values[k] == implied[k] and type(values[k]) is type(implied[k]) for k in keys):
            out[name] = None if loaded is None else loaded.model_dump()
            continue
        block = _block_from_values(name, values)
        try:
            out[name] = None if block is None else _BLOCK_SPECS[name](**block).model_dump()
        except InputError:  # a view's settings no block holds: scenario_from_state names the field
            out[name] = block
    return out


def _implied_values(models: Any) -> dict[str, Any]:
    """The settings a scenario implies without its "app" block: the defaults, then its model blocks'."""
    out = defaults()
    for name in MODEL_FIELDS:
        out.update(_block_values(name, getattr(models, name)))
    return out


# -- the conversion ------------------------------------------------------------------------------


def state_from_scenario(s: Scenario, *, view: str | None = None) -> AppState:
    """The app state a scenario describes.

    Every setting comes from the scenario: the defaults, its model blocks,
    its ``app`` block (display settings, exact where a block would round),
    then its prior, compared priors and name.  ``view`` (the page the user is
    on) is kept unless the file names one.  A model block the app's views
    cannot show (a chain of more steps than the chain view takes) is refused
    with the file's field name, never clamped.
    """
    values = _implied_values(s.models)
    try:
        checked(values)
    except InputError as exc:
        raise InputError(_BLOCK_PATHS.get(exc.field, exc.field), exc.value, exc.allowed, exc.hint) from None
    if view is not None:
        values["view"] = view
    if s.app:
        values.update({key: FIELDS[key].parse(text, f"app.{key}") for key, text in s.app.items()})
    values.update(prior=float(s.prior), scenario=s.name, cmp=",".join(repr(float(p)) for p in s.compare_priors))
    try:
        values = checked(values)
    except InputError as exc:
        raise InputError(_BLOCK_PATHS.get(exc.field, exc.field), exc.value, exc.allowed, exc.hint) from None
    hypotheses = None if s.hypotheses is None else tuple(h.model_copy(deep=True) for h in s.hypotheses)
    return AppState(values=values, items=tuple(s.evidence_items()), about=About(origin=s, hypotheses=hypotheses))


def _compare(values: Mapping[str, Any]) -> list[float]:
    return [float(p) for p in values["cmp"].split(",")] if values["cmp"] else []


def is_edited(state: AppState) -> bool:
    """True once the prior, the ledger or the compared priors differ from the scenario the state was loaded from."""
    origin = state.about.origin
    if origin is None:
        return False
    return (
        state.values["prior"] != origin.prior
        or _compare(state.values) != list(origin.compare_priors)
        or state.items != tuple(origin.evidence_items())
    )


def title_of(state: AppState) -> str:
    """The title the state's scenario carries: the user's own, the origin's, or ``edited from '<origin's>'``."""
    if state.about.title is not None:
        return state.about.title
    origin = state.about.origin
    if origin is None or not origin.title:
        return ""
    if is_edited(state) and not origin.title.startswith(_EDITED):
        return f"{_EDITED}'{origin.title}'"
    return origin.title


def hypothesis_of(state: AppState) -> str:
    """What H is: the origin's statement, or the app's own while nothing stating one was loaded."""
    origin = state.about.origin
    return origin.hypothesis if origin is not None else DEFAULT_HYPOTHESIS


def hypothesis_pair(text: str) -> tuple[str, str]:
    """(H, not H) from a statement written ``H; not H: ...`` ("H is false" when it names no alternative).

    >>> hypothesis_pair(DEFAULT_HYPOTHESIS)[1]
    'they do not'
    """
    head, sep, tail = text.partition("; not H:")
    return head.strip(), tail.strip() if sep else "H is false"


def _display_settings(values: Mapping[str, Any], implied: Mapping[str, Any]) -> dict[str, str]:
    """The settings that differ from what the rest of the scenario implies: its "app" block."""
    return {
        key: format_value(values[key])
        for key in FIELDS
        if key not in _OWN_FIELDS and (values[key] != implied[key] or type(values[key]) is not type(implied[key]))
    }


def _prior_source(state: AppState) -> SourceSpec | None:
    origin = state.about.origin
    if origin is not None and origin.prior_source is not None and state.values["prior"] == origin.prior:
        return origin.prior_source
    return None


def holds_same(a: AppState, b: AppState) -> bool:
    """True when two states show the same thing: settings, ledger, and every word their scenario would carry.

    What a link must restore; it compares without building the scenario, so it
    answers for a state whose ledger cannot be saved yet (two discounts in one
    group) too.
    """
    if a.values != b.values or a.items != b.items:
        return False

    def words(s: AppState):
        origin = s.about.origin
        return (
            title_of(s),
            origin.description if origin is not None else "",
            hypothesis_of(s),
            _prior_source(s),
            s.about.hypotheses,
            _models_out(s.values, origin),
            is_edited(s),
        )

    return words(a) == words(b)


def scenario_from_state(state: AppState, *, name: str | None = None, default_name: str = "my-scenario") -> Scenario:
    """The scenario a state describes: what the app saves, links, exports and compares.

    ``name`` overrides the scenario's name; otherwise it is the loaded
    scenario's (``default_name`` when there is none).  Raises InputError
    naming the field (``evidence[2].label``) when the state cannot be a
    scenario.
    """
    v = state.values
    origin = state.about.origin
    models = _models_out(v, origin)
    try:
        implied = _implied_values(ModelSettings(**models))
    except InputError as exc:  # a view's settings no model block holds (a certain per-step survival with a spread)
        raise InputError(f"models.{exc.field}", exc.value, exc.allowed, exc.hint) from None
    app = _display_settings(v, implied)
    if origin is not None and origin.app:
        # The display settings as loaded, written as the file wrote them, while the page still shows them.
        try:
            as_loaded = state_from_scenario(origin).values
        except InputError:
            as_loaded = None
        if as_loaded is not None and _display_settings(as_loaded, implied) == app:
            app = dict(origin.app)
    prior_source = _prior_source(state)
    hypotheses = None if state.about.hypotheses is None else list(state.about.hypotheses)
    own = v["scenario"] if _NAME.fullmatch(v["scenario"] or "") else default_name
    if is_edited(state) and not own.endswith(_EDITED_NAME) and len(own) + len(_EDITED_NAME) <= 100:
        own += _EDITED_NAME  # a changed preset saved or linked is not that preset
    return Scenario.from_evidence(
        v["prior"],
        list(state.items),
        version=HYPOTHESES_VERSION if hypotheses is not None else VERSION,
        name=name or own,
        title=title_of(state),
        description=origin.description if origin is not None else "",
        hypothesis=hypothesis_of(state),
        prior_source=prior_source,
        compare_priors=_compare(v),
        models=models,
        app=app or None,
        hypotheses=hypotheses,
    )
