"""State plumbing and download buttons shared by the views.

The canonical state is one :class:`beliefs.io.state.AppState`, held in
``st.session_state`` as its parts: ``"values"`` (the scalar fields, named as in
:data:`beliefs.io.settings.FIELDS`), ``"items"`` (the ledger: a tuple of
immutable :class:`~beliefs.evidence.Evidence`), ``"about"`` (what the loaded
scenario says beyond them) and, beside it, ``"uids"``: one stable id per
item for its widgets' keys, which is not part of the state.

Widgets use separate ``w_*`` keys: Streamlit forgets a widget's value when
the widget is not drawn (another view is open), so each widget is re-seeded
from the canonical value when its key is missing.  An item changes only
through :func:`sync_items_from_widgets` (a widget's new value, validated by
the item schema: an invalid one leaves the item as it was and says why) and
the ledger operations below.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import replace

import streamlit as st

from beliefs.entry import item_name, parse_likelihood, parse_ratio
from beliefs.errors import InputError
from beliefs.evidence import Entry, Evidence, unstated_sentence
from beliefs.format import format_likelihood
from beliefs.io.settings import defaults
from beliefs.io.state import About, AppState
from beliefs.plots.figures import FORMATS, MIME_TYPES, spec_bytes
from beliefs.ratio_scale import entry_text
from beliefs.text import md_escape

_uid = itertools.count()


# -- canonical state -------------------------------------------------------------


def values() -> dict:
    return st.session_state["values"]


def items() -> tuple[Evidence, ...]:
    return st.session_state["items"]


def uids() -> tuple[str, ...]:
    return st.session_state["uids"]


def about() -> About:
    return st.session_state["about"]


def current_state() -> AppState:
    return AppState(values=dict(values()), items=items(), about=about())


def apply_state(state: AppState) -> None:
    """Replace the whole state (load a scenario, a preset or a link); widgets re-seed from it.

    Must run before any widget is drawn in this run (a callback, or the top of the script).
    """
    st.session_state["values"] = {**defaults(), **state.values}
    st.session_state["items"] = tuple(state.items)
    st.session_state["uids"] = tuple(str(next(_uid)) for _ in state.items)
    st.session_state["about"] = state.about
    st.session_state["item_errors"] = {}
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith("w_")]:
        del st.session_state[key]
    for key in ("prior_error", "hypotheses_set_aside"):
        st.session_state.pop(key, None)


def item_index(uid: str) -> int:
    return uids().index(uid)


def item_errors() -> dict[str, str]:
    """Why a row's widgets show a value the item did not take (uid -> message)."""
    return st.session_state.setdefault("item_errors", {})


def replace_item(uid: str, item: Evidence) -> None:
    i = item_index(uid)
    st.session_state["items"] = (*items()[:i], item, *items()[i + 1 :])


def append_item(item: Evidence) -> None:
    """Add an item at the end of the ledger.

    A ``hypotheses`` block gives one likelihood per item, and none for a new
    one: the block is set aside (the notice says so and how to get it back),
    never saved with a column missing.
    """
    block = about().hypotheses
    if block is not None:
        origin = about().origin
        name = origin.title or origin.name if origin is not None else "the scenario"
        st.session_state["hypotheses_set_aside"] = (
            f"The 'hypotheses' block of {name} ({len(block)} hypotheses) gives no likelihood for "
            f"'{item.label}', so it is no longer part of this ledger: saves, links and exports leave it out. "
            "Load the scenario again to get it back."
        )
        st.session_state["about"] = replace(about(), hypotheses=None)
    st.session_state["items"] = (*items(), item)
    st.session_state["uids"] = (*uids(), str(next(_uid)))


def remove_item(uid: str) -> None:
    """Remove an item (and its column of the ``hypotheses`` block)."""
    i = item_index(uid)
    st.session_state["about"] = about().without_item(i)
    st.session_state["items"] = items()[:i] + items()[i + 1 :]
    st.session_state["uids"] = uids()[:i] + uids()[i + 1 :]
    item_errors().pop(uid, None)


def widget_entry(uid: str, item: Evidence) -> tuple[Entry, str | None]:
    """The numbers a row's widgets show now, and why they cannot be the item's (None when they can).

    The item is the one source of truth for its numbers.  A slider writes its stop into the item
    (its callback, before the run) and the item's text into the box; so a box is read back only when
    its text is not the item's own text: the user typed there.  A box showing ``221:1`` for an item of
    221.34087529142272 therefore never rounds the item.
    """
    ss = st.session_state
    kind, a, b, spread = item.entry
    try:
        if kind == "p":
            a = _typed(f"w_{uid}_at", a, format_likelihood, lambda t: parse_likelihood(t, "P(E|H)"))
            b = _typed(f"w_{uid}_bt", b, format_likelihood, lambda t: parse_likelihood(t, "P(E|not H)"))
        else:
            a = _typed(f"w_{uid}_lr", a, entry_text, lambda t: parse_ratio(t, "likelihood ratio"))
    except InputError as exc:
        return item.entry, str(exc)
    if f"w_{uid}_spread" in ss:
        spread = float(ss[f"w_{uid}_spread"]) or None
    return Entry(kind, a, b, spread), None


def _typed(key: str, value: float, shown: Callable[[float], str], parse: Callable[[str], float]) -> float:
    """The value a text box holds: the item's ``value`` while the box shows its text, else what was typed."""
    text = st.session_state.get(key)
    if text is None or text == shown(value):
        return value
    return parse(text)


def _widget_changes(uid: str, item: Evidence) -> list[dict]:
    """Each change a row's widgets ask for, one field (or the numbers) at a time."""
    ss = st.session_state
    changes = []
    for suffix, name, convert in (
        ("label", "label", str),
        ("on", "enabled", bool),
        ("group", "group", lambda x: str(x).strip() or None),
        ("discount", "discount", float),
    ):
        key = f"w_{uid}_{suffix}"
        if key in ss and convert(ss[key]) != getattr(item, name):
            changes.append({name: convert(ss[key])})
    return changes


def sync_items_from_widgets() -> None:
    """Apply every ledger widget's current value to its item before anything is drawn.

    Streamlit has already applied the user's last change to the widget's state
    when the run starts, so the posterior summary drawn at the top of the page
    shows the new value in the run's first message, and nothing computed
    early in the run can be stale.  A value the item schema refuses is not
    applied: the item keeps its last valid value and the row says why.
    """
    errors = item_errors()
    for i, (uid, item) in enumerate(zip(uids(), items(), strict=True)):
        reasons = []
        new = item
        for change in _widget_changes(uid, item):
            try:
                new = new.with_(**change)
            except InputError as exc:
                reasons.append(str(exc))
        entry, typed_error = widget_entry(uid, item)
        if typed_error:
            reasons.append(typed_error)
        elif entry != item.entry:
            try:
                new = new.with_entry(entry)
            except InputError as exc:
                reasons.append(str(exc))
        if new is not item:
            replace_item(uid, new)
        if reasons:
            errors[uid] = f"{item_name(new.label, i)} " + "; ".join(reasons)
        else:
            errors.pop(uid, None)


def ledger_result():
    """The one update of this run's prior by this run's ledger (computed once per run, whoever asks)."""
    from beliefs.update import update

    key = (values()["prior"], items())
    cached = st.session_state.get("_ledger_result")
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        result = update(values()["prior"], items())
    except InputError as exc:
        result = exc
    st.session_state["_ledger_result"] = (key, result)
    return result


def pending_flag() -> str:
    """One line for the summary when a row shows an entry its item did not take ('' when none does)."""
    n = sum(1 for uid in uids() if uid in item_errors())
    if not n:
        return ""
    return f"{n} item{'s' if n > 1 else ''} show{'' if n > 1 else 's'} an invalid entry, not applied (the item keeps its last valid value)"


def posterior_summary() -> str:
    """Prior -> posterior, the change in percentage points and the total bits, in one line; returns it.

    Drawn first in the run, after :func:`sync_items_from_widgets`, into a
    container that stays in view while the page scrolls.
    """
    from beliefs.format import format_probability

    result = ledger_result()
    if isinstance(result, InputError):
        text = f"**Posterior unavailable:** {plain(str(result))}"
        st.markdown(text)
        return text
    change_pp = 100 * (result.posterior - result.prior)
    flags = [pending_flag(), st.session_state.get("prior_flag", "")]
    unstated = sum(not e.strength_stated for e in items())
    # In the headline's own line (a caption under it would cross the sticky summary's rule).
    count = f"; {unstated} item{'s' if unstated > 1 else ''} with no strength stated yet" if unstated else ""
    text = (
        f"#### P(H) {format_probability(result.prior_log_odds)} → "
        f"**{format_probability(result.posterior_log_odds)}** "
        # Streamlit's :small[] directive, not HTML: Markdown with HTML loads a 190 kB parser in the browser.
        f":small[({change_pp:+.3g} percentage points, {result.bits:+.3g} bits{count})]"
    )
    st.markdown(
        text,
        help="P(H): the probability of H, before → after the evidence. "
        "Bits: the total weight of the evidence, log2 of the product of the likelihood ratios."
        + (f" {unstated_sentence(unstated)}." if unstated else ""),
    )
    st.session_state["_summary_items"] = dict(zip(uids(), items(), strict=True))  # what it now shows
    for flag in filter(None, flags):
        st.caption(":material/warning: " + plain(flag))
    return "\n".join([text, *filter(None, flags)])


def summary_lags(uid: str, item: Evidence) -> bool:
    """Whether the summary the browser shows does not yet count ``item`` (under ``uid``) as it is now."""
    return st.session_state.get("_summary_items", {}).get(uid) != item


def summary_counts_every_item() -> bool:
    """Whether the summary the browser shows counts exactly the ledger's items as they are now (a run that
    moved only the prior, or nothing)."""
    return st.session_state.get("_summary_items") == dict(zip(uids(), items(), strict=True))


def defer_summary(draw: Callable[[], None]) -> None:
    """Hold the summary's drawing until :func:`draw_deferred_summary` (this run only)."""
    st.session_state["_summary_deferred"] = draw


def draw_deferred_summary() -> None:
    """Draw the summary now if it was deferred and not drawn yet in this run."""
    draw = st.session_state.pop("_summary_deferred", None)
    if draw is not None:
        draw()


def seed(widget_key: str, value) -> str:
    """Give a widget its canonical value if Streamlit has forgotten it; return the key."""
    if widget_key not in st.session_state:
        st.session_state[widget_key] = value
    return widget_key


def bound(name: str, widget: Callable, label: str, *, to_widget=None, from_widget=None, **kwargs):
    """Draw ``widget`` bound to the scalar field ``name`` and copy its value back.

    ``to_widget``/``from_widget`` convert between the canonical value and the
    widget's (e.g. a probability shown as percent).
    """
    to_widget = to_widget or (lambda v: v)
    from_widget = from_widget or (lambda v: v)
    key = seed(f"w_{name}", to_widget(values()[name]))
    raw = widget(label, key=key, **kwargs)
    values()[name] = from_widget(raw)
    return values()[name]


def plain(text: str) -> str:
    """Text that Streamlit's Markdown shows literally: for anything quoting a stranger's input.

    Labels, notes, citations, locations, file names and error messages that
    repeat them come from files and links anyone can write.  The text goes
    through the one Markdown escaper, :func:`beliefs.text.md_escape`, without
    links (a stranger's address is shown, not linked), on one line: a line
    break inside it is shown escaped (``\\n``), so it cannot forge a line.
    Several lines of our own are several calls, joined by the caller.
    """
    return md_escape(text, links=False)


def show_error(exc: InputError) -> None:
    st.error(plain(str(exc)), icon=":material/error:")


# -- downloads -------------------------------------------------------------------


def show_chart(name: str, make_spec: Callable[[], dict], data_key: str, csv_text: str | None = None) -> dict:
    """Draw a chart (a Vega-Lite spec) and, with ``csv_text``, its PNG, SVG, PDF and CSV download buttons.

    The page draws the spec itself (text stays text, at the size the chart
    sets, on a phone too); the downloads are the same spec rendered by
    vl-convert (:func:`beliefs.plots.figures.spec_bytes`) when clicked, as the
    command line's ``--plot`` renders it.  ``data_key`` must determine the
    picture (the plot's CSV plus any setting drawn on it): the spec is cached
    by it, so returning to a state seen before, or rerunning for a widget
    that does not change this chart, builds nothing.  Returns the spec.
    """
    spec = _spec(name, data_key, make_spec)
    # A copy for the page: Streamlit edits nested parts of the spec it is given (a legend title of None
    # becomes " "), which would change the downloaded file (a blank legend title row).
    st.vega_lite_chart(copy.deepcopy(spec), width="stretch", theme=None, key=f"{name}_chart")
    if csv_text is not None:
        _download_row(name, lambda fmt: lambda: spec_bytes(spec, fmt), csv_text)
    return spec


@st.cache_data(max_entries=512, show_spinner=False)
def _spec(name: str, data_key: str, _make_spec: Callable[[], dict]) -> dict:
    return _make_spec()


def _download_row(name: str, render: Callable[[str], Callable[[], bytes]], csv_text: str) -> None:
    """One button per figure format (``render(fmt)`` is called only on click) and one for the CSV."""
    cols = st.columns(len(FORMATS) + 1)
    for col, fmt in zip(cols, FORMATS, strict=False):
        with col:
            st.download_button(
                fmt.upper(),
                data=render(fmt),
                file_name=f"{name}.{fmt}",
                mime=MIME_TYPES[fmt],
                key=f"dl_{name}_{fmt}",
                on_click="ignore",
                icon=":material/download:",
            )
    with cols[-1]:
        st.download_button(
            "CSV", data=csv_text, file_name=f"{name}.csv", mime="text/csv", key=f"dl_{name}_csv",
            on_click="ignore", icon=":material/download:",
        )  # fmt: skip
