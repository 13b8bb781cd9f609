"""State plumbing and download buttons shared by the views.

The canonical state lives in ``st.session_state["values"]`` (scalar fields,
named as in :data:`beliefs.io.settings.FIELDS`) and ``st.session_state["items"]``
(the ledger).  Widgets use separate ``w_*`` keys: Streamlit forgets a
widget's value when the widget is not drawn (another view is open), so each
widget is re-seeded from the canonical value when its key is missing and its
value is copied back after it is drawn.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable

import streamlit as st

from beliefs.errors import InputError
from beliefs.io.link import AppState, ItemState
from beliefs.io.settings import defaults
from beliefs.io.views import source_for
from beliefs.plots.figures import FORMATS, MIME_TYPES, spec_bytes
from beliefs.text import md_escape

_uid = itertools.count()


# -- canonical state -------------------------------------------------------------


def values() -> dict:
    return st.session_state["values"]


def new_item(item: ItemState, source=None, note: str = "") -> dict:
    """A ledger row as held in session state: the ItemState's fields, its source and note, and a uid for widget keys.

    Without an explicit ``source`` the row's id is looked up (catalogue entries
    and the built-in scenarios' items), so a share link, which carries ids but
    not citations, still shows where each number comes from.
    """
    if source is None and item.id:
        source = source_for(item.id)
    return {
        "uid": str(next(_uid)),
        "label": item.label,
        "kind": item.kind,
        "a": item.a,
        "b": item.b,
        "enabled": item.enabled,
        "spread": item.spread,
        "id": item.id,
        "group": item.group,
        "discount": item.discount,
        "source": source,
        "note": note,
        "provenance": item.provenance,
    }


def item_state(row: dict) -> ItemState:
    return ItemState(
        label=row["label"],
        kind=row["kind"],
        a=row["a"],
        b=row["b"],
        enabled=row["enabled"],
        spread=row["spread"],
        id=row["id"],
        group=row["group"],
        discount=row["discount"],
        provenance=row.get("provenance"),
    )


def current_state() -> AppState:
    return AppState(values=dict(values()), items=tuple(item_state(r) for r in st.session_state["items"]))


def apply_state(state: AppState, sources=None, notes=None) -> None:
    """Replace the whole state (load a scenario, a preset or a link); widgets re-seed from it.

    ``sources``/``notes`` (one per item) carry what a scenario file knows about
    each item beyond its numbers.  Must run before any widget is drawn in this
    run (a callback, or the top of the script).
    """
    sources = sources or [None] * len(state.items)
    notes = notes or [""] * len(state.items)
    st.session_state["values"] = {**defaults(), **state.values}
    st.session_state["items"] = [
        new_item(i, s, n) for i, s, n in zip(state.items, sources, notes, strict=True)
    ]
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith("w_")]:
        del st.session_state[key]
    st.session_state.pop("prior_error", None)


# Ledger widgets whose value a row copies: widget suffix -> (row field, conversion).
_ROW_WIDGETS = {
    "label": ("label", str),
    "on": ("enabled", bool),
    "a": ("a", float),  # P(E|H) slider (kind p only; the ratio box writes through its callback)
    "b": ("b", float),
    "spread": ("spread", lambda x: float(x) or None),
    "group": ("group", lambda x: str(x).strip() or None),
    "discount": ("discount", float),
}


def sync_rows_from_widgets() -> None:
    """Copy every ledger widget's current value into its row before anything is drawn.

    Streamlit has already applied the user's last change to the widget's state
    when the run starts, so the posterior summary drawn at the top of the page
    shows the new value in the run's first message (fast on screen), and
    nothing computed early in the run can be stale.
    """
    for row in st.session_state["items"]:
        for suffix, (name, convert) in _ROW_WIDGETS.items():
            key = f"w_{row['uid']}_{suffix}"
            if suffix in ("a", "b") and row["kind"] != "p":
                continue
            if key in st.session_state:
                row[name] = convert(st.session_state[key])


def ledger_check():
    """The ledger's Evidence and the rows ignored (with reasons naming each by its label)."""
    from beliefs.entry import check_ledger

    rows = st.session_state["items"]
    typed = {i: r["error"] for i, r in enumerate(rows) if r.get("error")}
    return check_ledger([item_state(r) for r in rows], [r["source"] for r in rows], typed)


def row_reason(index: int, row: dict) -> str | None:
    """Why one ledger row is ignored (its typed text or its values are invalid), or None."""
    from beliefs.entry import check_ledger

    typed = {index: row["error"]} if row.get("error") else None
    ignored = check_ledger([item_state(row)], [row["source"]], typed, first_index=index).ignored
    return ignored[0][2] if ignored else None


def posterior_summary() -> str:
    """Prior -> posterior, the change in percentage points and the total bits, in one line; returns it.

    Drawn first in the run, after :func:`sync_rows_from_widgets`, into a
    container that stays in view while the page scrolls.
    """
    from beliefs.format import format_probability
    from beliefs.update import update

    check = ledger_check()
    try:
        result = update(values()["prior"], list(check.evidence))
    except InputError as exc:
        text = f"**Posterior unavailable:** {plain(str(exc))}"
        st.markdown(text)
        return text
    change_pp = 100 * (result.posterior - result.prior)
    flags = [check.headline(), st.session_state.get("prior_flag", "")]
    text = (
        f"#### P(H) {format_probability(result.prior_log_odds)} → "
        f"**{format_probability(result.posterior_log_odds)}** "
        # Streamlit's :small[] directive, not HTML: Markdown with HTML loads a 190 kB parser in the browser.
        f":small[({change_pp:+.3g} percentage points, {result.bits:+.3g} bits)]"
    )
    st.markdown(
        text,
        help="P(H): the probability of H, before → after the evidence. "
        "Bits: the total weight of the evidence, log2 of the product of the likelihood ratios.",
    )
    for flag in filter(None, flags):
        st.caption(":material/warning: " + plain(flag))
    return "\n".join([text, *filter(None, flags)])


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
