"""Scenarios, presets and the evidence catalogue, as the views need them.

Thin adapters over :mod:`beliefs.io.scenario` and :mod:`beliefs.io.catalogue`:
the preset buttons, the catalogue picker, and what the page says about the
loaded scenario.  Converting between a scenario and the app's state is
:mod:`beliefs.io.state`'s alone.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common
from beliefs.errors import InputError
from beliefs.evidence import STATUS_MEANING, Evidence
from beliefs.io import catalogue
from beliefs.io import scenario as scenario_mod
from beliefs.io.state import hypothesis_of, hypothesis_pair, is_edited, state_from_scenario, title_of
from beliefs.text import terminal_safe

# -- catalogue ----------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def catalogue_options() -> dict[str, str]:
    """Catalogue id -> a short label for the picker."""
    return {e.id: f"[{e.source.status}] {e.claim}" for e in catalogue.evidence_entries()}


def catalogue_item(entry_id: str) -> Evidence:
    """A new ledger item for a catalogue observation, with its source.

    The catalogue records observations, not likelihoods, so the item starts
    neutral (P(E|H) = P(E|not H) = 0.5, LR 1) for the user to judge.
    """
    return catalogue.get_entry(entry_id).to_evidence(0.5, 0.5)


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


@st.cache_resource(show_spinner=False)
def builtin() -> dict:
    """The built-in scenarios, parsed once per server (read-only here: every change goes through apply_state)."""
    return scenario_mod.builtin_scenarios()


# -- presets ------------------------------------------------------------------------------


def _load(name: str) -> None:
    common.apply_state(state_from_scenario(builtin()[name], view=common.values()["view"]))


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


def hypothesis() -> str:
    """H as the state states it (the loaded scenario's, else the app's own)."""
    return hypotheses()[0]


def hypotheses() -> tuple[str, str]:
    """(H, not H) of the current state; ('', '') when the loaded scenario states none."""
    text = hypothesis_of(common.current_state())
    return hypothesis_pair(text) if text else ("", "")


def _ordered(presets: dict) -> list[str]:
    return [n for n in PRESETS if n in presets] + [n for n in presets if n not in PRESETS]


def preset_buttons() -> None:
    """One click loads a built-in scenario or viewpoint (its prior and ledger); H and not H are stated first."""
    presets = builtin()
    h, not_h = hypotheses()
    with st.container(border=True):
        if h:
            st.markdown("**H:** " + common.plain(h) + "  \n**not H:** " + common.plain(not_h))
        else:
            st.markdown("**H:** not stated in the loaded scenario")
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
        state = common.current_state()
        loaded = state.about.origin
        if loaded is not None:
            title = title_of(state) or loaded.name
            st.markdown(f"Loaded: **{common.plain(title)}**")
            with st.expander("About this scenario"):
                if is_edited(state):
                    st.caption("Changed since it was loaded: its title says so; what follows describes it as loaded.")
                st.text(terminal_safe(loaded.description))  # as text, its line breaks kept, no control or bidi
                if loaded.prior_source is not None:
                    ps = loaded.prior_source
                    cited = "" if state.values["prior"] == loaded.prior else " (not the prior now set)"
                    st.caption(
                        common.plain(f"Prior from: {ps.citation} — {ps.location}{cited} (status {ps.status}: ")
                        + STATUS_MEANING[ps.status] + ")"
                    )
