"""State plumbing and download buttons shared by the views.

The canonical state lives in ``st.session_state["values"]`` (scalar fields,
named as in :data:`beliefs.urlstate.FIELDS`) and ``st.session_state["items"]``
(the ledger).  Widgets use separate ``w_*`` keys: Streamlit forgets a
widget's value when the widget is not drawn (another view is open), so each
widget is re-seeded from the canonical value when its key is missing and its
value is copied back after it is drawn.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import streamlit as st

from beliefs.errors import InputError
from beliefs.plotting import FORMATS, MIME_TYPES, figure_bytes, to_csv
from beliefs.urlstate import AppState, ItemState, defaults

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
        from app_pages.scenarios import source_for

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
    """Defuse markdown links, images and autolinks in text that quotes a stranger's input.

    Error messages repeat the value received, and a share link or a file is
    anyone's text: ``[click](https://...)`` would otherwise render as a live
    link inside our own warning.  Only the link syntax is escaped, so
    messages such as "a probability in [0, 1]" read as before.
    """
    return str(text).replace("\\", "\\\\").replace("](", "]\\(").replace("<", "\\<")


def show_error(exc: InputError) -> None:
    st.error(plain(str(exc)), icon=":material/error:")


# -- downloads -------------------------------------------------------------------


def show_plot(name: str, make_figure: Callable[[], object], data_key: str) -> None:
    """Show a plot as the same PNG its download button gives, cached by the data it draws.

    ``data_key`` must determine the picture (the plot's CSV plus any setting
    drawn on it): returning to a state seen before, or rerunning for a widget
    that does not change this plot, then costs nothing.  The figures are
    bare ``matplotlib.figure.Figure`` objects, never registered with pyplot,
    so there is nothing to close.
    """
    st.image(_png(name, data_key, make_figure), width="stretch")


@st.cache_data(max_entries=512, show_spinner=False)
def _png(name: str, data_key: str, _make_figure: Callable[[], object]) -> bytes:
    return figure_bytes(_make_figure(), "png")


def plot_downloads(name: str, make_figure: Callable[[], object], rows: list[list] | str) -> None:
    """PNG, SVG and PDF download buttons (rendered only when clicked) and the CSV of the plotted data.

    ``rows`` is a header-first list of rows or ready CSV text (an analysis result's ``to_csv()``).

    The figures are drawn again on click from ``make_figure``, which must
    capture only plain values, because the click is served outside the script
    run.
    """
    cols = st.columns(len(FORMATS) + 1)
    for col, fmt in zip(cols, FORMATS, strict=False):
        with col:
            st.download_button(
                fmt.upper(),
                data=_deferred(make_figure, fmt),
                file_name=f"{name}.{fmt}",
                mime=MIME_TYPES[fmt],
                key=f"dl_{name}_{fmt}",
                on_click="ignore",
                icon=":material/download:",
            )
    with cols[-1]:
        st.download_button(
            "CSV",
            data=rows if isinstance(rows, str) else to_csv(rows),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"dl_{name}_csv",
            on_click="ignore",
            icon=":material/download:",
        )


def _deferred(make_figure: Callable[[], object], fmt: str) -> Callable[[], bytes]:
    def render() -> bytes:
        return figure_bytes(make_figure(), fmt)

    return render
