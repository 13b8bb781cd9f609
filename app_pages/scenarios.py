"""Scenarios, presets and the evidence catalogue, as the views need them.

Thin adapters over :mod:`beliefs.io.scenario` and :mod:`beliefs.io.catalogue`:
conversion between a Scenario and the app's :class:`~beliefs.io.link.AppState`,
the preset buttons, and the catalogue picker.
"""

from __future__ import annotations

import dataclasses
import re

import streamlit as st

from app_pages import common
from beliefs.counts import format_counts, parse_counts
from beliefs.datasets import derived_count_pairs
from beliefs.errors import InputError
from beliefs.evidence import STATUS_MEANING, Source
from beliefs.io import catalogue
from beliefs.io import scenario as scenario_mod
from beliefs.io.link import AppState, ItemState, encode
from beliefs.io.scenario_schema import Scenario
from beliefs.io.settings import FIELDS, checked, defaults
from beliefs.text import terminal_safe

# -- catalogue ----------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def catalogue_options() -> dict[str, str]:
    """Catalogue id -> a short label for the picker."""
    return {e.id: f"[{e.source.status}] {e.claim}" for e in catalogue.evidence_entries()}


def catalogue_item(entry_id: str) -> tuple[ItemState, Source]:
    """A new ledger row for a catalogue observation, and its source.

    The catalogue records observations, not likelihoods, so the row starts
    neutral (P(E|H) = P(E|not H) = 0.5, LR 1) for the user to judge.
    """
    entry = catalogue.get_entry(entry_id)
    return ItemState.from_evidence(entry.to_evidence(0.5, 0.5)), entry.source


def catalogue_figures(entry_id: str) -> str:
    """The published figures of a catalogue item, e.g. ``13%; 0.4%``; empty for other items."""
    entry = _entry(entry_id)
    if entry is None:
        return ""
    return "; ".join(f"{f.label}: {f.describe()}" if f.label else f.describe() for f in entry.figures)


def _entry(entry_id: str):
    if not entry_id:
        return None
    try:
        return catalogue.get_entry(entry_id)
    except InputError:  # not a catalogue id (a scenario's own item, or an id from an old link)
        return None


# -- scenarios <-> app state -------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def builtin() -> dict:
    """The built-in scenarios, parsed once per server (read-only here: every change goes through apply_state)."""
    return scenario_mod.builtin_scenarios()


def state_from_scenario(s, base: AppState | None = None) -> tuple[AppState, list, list]:
    """The app state a scenario describes, with each item's source and note.

    Settings the scenario does not hold (the open view, how the prior is
    typed, the threshold) keep ``base``'s values.
    """
    vals = dict(base.values if base is not None else defaults())
    if s.app:
        # Display settings saved with the file (validated when it was parsed); the
        # scenario's own prior, ledger and model blocks below take precedence.
        vals.update({key: FIELDS[key].parse(value, f"app.{key}") for key, value in s.app.items()})
    vals["prior"] = float(s.prior)
    vals["scenario"] = s.name
    vals["cmp"] = ",".join(repr(float(p)) for p in s.compare_priors)
    evidence = s.evidence_items()
    items = tuple(ItemState.from_evidence(e) for e in evidence)
    m = s.models
    if m.chain is not None:
        c = m.chain
        vals["ch_base"] = float(c.base)
        vals["ch_steps"] = int(c.steps)
        vals["ch_drift"] = float(c.drift)
        if c.per_step_beta is not None:
            a, b = (float(x) for x in c.per_step_beta)
            vals["ch_surv"], vals["ch_conc"] = a / (a + b), a + b
        else:
            vals["ch_surv"], vals["ch_conc"] = float(c.per_step), 0.0
    if m.monitoring is not None:
        mo = m.monitoring
        vals.update(
            mo_rate=float(mo.rate),
            mo_report=float(mo.report),
            mo_collude=float(mo.collusion),
            mo_tasks=int(mo.tasks),
        )
    if m.covert_actions is not None:
        ca = m.covert_actions
        vals["da_h_a"], vals["da_h_b"] = (float(x) for x in ca.rate_if_h)
        vals["da_n_a"], vals["da_n_b"] = (float(x) for x in ca.rate_if_not_h)
        vals.update(_data_source(list(zip(ca.k, ca.n, strict=True)), ca.effective_n))
    # The views' widgets accept narrower ranges than the scenario format; refuse rather than clamp.
    try:
        state = AppState(values=checked(vals), items=items)
    except InputError as exc:
        raise InputError(
            _SCENARIO_PATHS.get(exc.field, exc.field), exc.value, exc.allowed, exc.hint
        ) from None
    return state, [e.source for e in evidence], [e.note for e in evidence]


_SCENARIO_PATHS = {
    "ch_base": "models.chain.base",
    "ch_steps": "models.chain.steps",
    "ch_drift": "models.chain.drift",
    "ch_surv": "models.chain.per_step",
    "ch_conc": "models.chain.per_step_beta",
    "mo_tasks": "models.monitoring.tasks",
    "da_n": "models.covert_actions.effective_n",
    "da_h_a": "models.covert_actions.rate_if_h[0]",
    "da_h_b": "models.covert_actions.rate_if_h[1]",
    "da_n_a": "models.covert_actions.rate_if_not_h[0]",
    "da_n_b": "models.covert_actions.rate_if_not_h[1]",
}


def _data_source(counts: list[tuple[int, int]], effective_n: int | None) -> dict:
    """Recognise the 2025 rates x effective n (so a saved file reopens the same view), else custom counts."""
    if effective_n is not None:
        for model in ("o3", "o4-mini"):
            for when in ("before", "after"):
                if derived_count_pairs(model, when, effective_n) == counts:
                    return {"da_src": "2025", "da_model": model, "da_when": when, "da_n": int(effective_n)}
    return {"da_src": "custom", "da_env": format_counts(counts)}


def scenario_from_state(state: AppState, sources: list, notes: list):
    """The scenario file for the app's state: prior, ledger (with sources) and the model views' settings."""
    v = state.values
    evidence = [
        dataclasses.replace(item.to_evidence(source, field_prefix=f"evidence[{i}]."), note=note or "")
        for i, (item, source, note) in enumerate(zip(state.items, sources, notes, strict=True))
    ]
    if v["ch_conc"]:
        chain = {
            "per_step": None,
            "per_step_beta": [v["ch_conc"] * v["ch_surv"], v["ch_conc"] * (1 - v["ch_surv"])],
        }
    else:
        chain = {"per_step": v["ch_surv"]}
    if v["da_src"] == "2025":
        counts = derived_count_pairs(v["da_model"], v["da_when"], int(v["da_n"]))
        effective_n = int(v["da_n"])
    else:
        counts = parse_counts(v["da_env"], "da_env")
        effective_n = None
    models = {
        "chain": {"base": v["ch_base"], "steps": int(v["ch_steps"]), "drift": v["ch_drift"], **chain},
        "monitoring": {
            "rate": v["mo_rate"],
            "report": v["mo_report"],
            "collusion": v["mo_collude"],
            "tasks": int(v["mo_tasks"]),
        },
        "covert_actions": None
        if not counts
        else {
            "k": [k for k, _ in counts],
            "n": [n for _, n in counts],
            "rate_if_h": [v["da_h_a"], v["da_h_b"]],
            "rate_if_not_h": [v["da_n_a"], v["da_n_b"]],
            "effective_n": effective_n,
        },
    }
    name = v["scenario"] if _valid_name(v["scenario"]) else "my-scenario"
    compare = [float(p) for p in v["cmp"].split(",")] if v["cmp"] else []
    return Scenario.from_evidence(
        v["prior"],
        evidence,
        name=name,
        title=_title(v["scenario"]),
        description="Saved from the beliefs app.",
        compare_priors=compare,
        models=models,
        app={k: val for k, val in encode(AppState(values=v, items=())).items() if k in FIELDS},
    )


def _valid_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", name or ""))


def _title(name: str) -> str:
    s = builtin().get(name)
    return s.title if s is not None else ""


def state_from_bytes(raw: bytes, base: AppState) -> tuple[AppState, list, list]:
    """Parse an uploaded scenario file; ScenarioError (an InputError) names the wrong field."""
    return state_from_scenario(scenario_mod.parse_scenario(raw), base)


def scenario_json(state: AppState, sources: list, notes: list) -> str:
    return scenario_mod.scenario_to_json(scenario_from_state(state, sources, notes))


# -- presets ------------------------------------------------------------------------------


def _load(name: str) -> None:
    common.apply_state(*state_from_scenario(builtin()[name], common.current_state()))


# Offered in this order, under these names (the slugs stay the CLI's and the files' names).
PRESETS = {
    "report-3-to-1": "The thread's 3-to-1 update from 25%",
    "stated-3-to-1": "The thread's example from 50%",
    "report-confusion": "The report read as confusion",
    "carlsmith": "Carlsmith's view (~25%)",
    "greenblatt": "Greenblatt's view (~25%)",
    "miri-ish": "A MIRI-ish view",
    "rare-scheming": "Rare scheming, mostly caught",
}


def preset_label(name: str) -> str:
    """A built-in scenario's readable name (its button's label), never its slug."""
    return PRESETS.get(name) or builtin()[name].title


DEFAULT_H = "early human-competitive AI systems scheme (take covert actions for goals their overseers did not intend)"
DEFAULT_NOT_H = "they do not"


def hypothesis() -> str:
    """H as the loaded preset states it (the page's H follows the preset), else the app's default H."""
    return hypotheses()[0]


def hypotheses() -> tuple[str, str]:
    """(H, not H) of the loaded preset, split at its '; not H:'; the app's default pair otherwise."""
    s = builtin().get(common.values()["scenario"])
    text = s.hypothesis if s is not None and s.hypothesis else ""
    if not text:
        return DEFAULT_H, DEFAULT_NOT_H
    head, sep, tail = text.partition("; not H:")
    return head.strip(), tail.strip() if sep else "H is false"


def _ordered(presets: dict) -> list[str]:
    return [n for n in PRESETS if n in presets] + [n for n in presets if n not in PRESETS]


def preset_buttons() -> None:
    """One click loads a built-in scenario or viewpoint (its prior and ledger); H and not H are stated first."""
    presets = builtin()
    h, not_h = hypotheses()
    with st.container(border=True):
        st.markdown("**H:** " + common.plain(h) + "  \n**not H:** " + common.plain(not_h))
        st.caption("Load a scenario or a viewpoint (replaces the prior, the ledger and H):")
        names = _ordered(presets)
        # One row of columns per three presets: on a phone the columns stack, and a row at a time
        # keeps the list's order (one set of columns filled i % 3 stacks as 1, 4, 7, 2, 5, ...).
        for row in range(0, len(names), 3):
            for col, name in zip(st.columns(3), names[row : row + 3], strict=False):
                with col:
                    st.button(
                        preset_label(name),
                        key=f"preset_{name}",
                        on_click=_load,
                        args=(name,),
                        help=presets[name].title,
                        width="stretch",
                    )
        loaded = presets.get(common.values()["scenario"])
        if loaded is not None:
            st.markdown(f"Loaded: **{common.plain(loaded.title)}**")
            with st.expander("About this scenario"):
                st.text(terminal_safe(loaded.description))  # as text, its line breaks kept, no control or bidi
                if loaded.prior_source is not None:
                    ps = loaded.prior_source
                    st.caption(
                        common.plain(f"Prior from: {ps.citation} — {ps.location} (status {ps.status}: ")
                        + STATUS_MEANING[ps.status] + ")"
                    )
