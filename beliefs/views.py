"""One resolver for "a scenario" as a user types it: a built-in name, a file, or a share link.

Files may be scenario JSON or an HTML report written by ``beliefs export``
(the scenario is embedded in it).  Share links, readable or short (``?s=``),
are decoded by :func:`beliefs.urlstate.decode`; the command line is strict
where the app is lenient, so a link with any invalid field is refused here
with that field's message instead of silently using a default.

>>> from beliefs.shortlink import short_link
>>> s = load_view("report-3-to-1")
>>> back = load_view(short_link(scenario_state(s), "http://127.0.0.1:8501/"))
>>> back.result().posterior == s.result().posterior, back.prior, len(back.evidence)
(True, 0.25, 1)
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from beliefs.errors import InputError
from beliefs.scenario import Scenario, get_scenario
from beliefs.urlstate import FIELDS, AppState, ItemState, checked, decode, defaults

__all__ = ["load_view", "scenario_from_state", "scenario_state", "with_builtin_hypothesis"]

_LINK = re.compile(r"^(https?://|\?|[a-z_0-9]+=)", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def load_view(text: str) -> Scenario:
    """The scenario named, stored in a file, or carried by a share link."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("SCENARIO", text, "a built-in scenario name, a scenario file or a share link")
    text = text.strip()
    if "\x00" in text:  # no file name or link holds a NUL (and os.stat refuses one with ValueError)
        raise InputError("SCENARIO", text, "a built-in scenario name, a scenario file or a share link")
    if _LINK.match(text) and not Path(text).exists():
        return _from_link(text)
    return get_scenario(text)


def _from_link(link: str) -> Scenario:
    query = urlsplit(link).query if "?" in link or "://" in link else link
    params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True, max_num_fields=400).items()}
    if not params:
        raise InputError("SCENARIO", link, "a share link with the app's parameters (?s=... or ?prior=...)")
    state, warnings = decode(params)
    if warnings:
        # The app falls back to a default and says so; here a wrong field is an error.
        why = _FALLBACK.sub("", warnings[0])
        raise InputError("SCENARIO", link, "a share link whose every parameter is valid", why)
    return scenario_from_state(state)


_FALLBACK = re.compile(r"; (using the default .*|this item is left out|the short link was not applied)$")


def with_builtin_hypothesis(s: Scenario) -> Scenario:
    """``s`` with H stated as in the built-in scenario of the same name, when ``s`` states none.

    A link carries numbers, not prose; what H is does not depend on them.
    """
    from beliefs.scenario import builtin_scenarios

    known = builtin_scenarios().get(s.name)
    if s.hypothesis or known is None or not known.hypothesis:
        return s
    return s.model_copy(update={"hypothesis": known.hypothesis})


def _source_for(item_id: str):
    """The source of an item known by id: a catalogue entry, or an item of a built-in scenario."""
    if not item_id:
        return None
    from beliefs import catalogue
    from beliefs.scenario import builtin_scenarios

    try:
        return catalogue.get_entry(item_id).source
    except InputError:
        pass
    for s in builtin_scenarios().values():
        for e in s.evidence_items():
            if e.id == item_id and e.source is not None:
                return e.source
    return None


def scenario_from_state(state: AppState) -> Scenario:
    """A scenario holding a link's prior, ledger (sources recovered by id) and compared priors."""
    v = state.values
    evidence = [
        item.to_evidence(_source_for(item.id), field_prefix=f"e{i}.") for i, item in enumerate(state.items)
    ]
    name = v["scenario"] if _NAME.fullmatch(v["scenario"] or "") else "shared-link"
    app = {k: str(val) for k, val in _encode_values(v).items() if k not in ("prior", "scenario", "cmp")}
    scenario = Scenario.from_evidence(
        v["prior"],
        evidence,
        name=name,
        description="Restored from a share link.",
        compare_priors=[float(p) for p in v["cmp"].split(",")] if v["cmp"] else [],
        app=app or None,
    )
    return with_builtin_hypothesis(scenario)


def scenario_state(s: Scenario) -> AppState:
    """The app state for a scenario's prior, ledger, compared priors and saved display settings."""
    values = defaults()
    if s.app:
        values.update({k: FIELDS[k].parse(val, f"app.{k}") for k, val in s.app.items()})
    values.update(prior=float(s.prior), scenario=s.name, cmp=",".join(repr(float(p)) for p in s.compare_priors))
    items = tuple(ItemState.from_evidence(e) for e in s.evidence_items())
    return AppState(values=checked(values), items=items)


def _encode_values(values: dict) -> dict[str, str]:
    from beliefs.urlstate import encode

    return encode(AppState(values=values, items=()))
