"""Share links (state in the query parameters), and saving/loading the state as a scenario file."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from app_pages import common, scenarios
from beliefs.entry import item_name
from beliefs.errors import InputError
from beliefs.io.link import dropped_parameters_warning, encode
from beliefs.io.shortlink import open_link

_MAX_UPLOAD = 1_000_000  # bytes; .streamlit/config.toml refuses larger uploads anyway


def init_session() -> None:
    """On a session's first run, restore the state from the link; bad fields fall back with a warning."""
    if "values" in st.session_state:
        return
    params = st.query_params.to_dict()
    state, warnings = open_link(params)
    dropped = dropped_parameters_warning(st.context.url, len(params))
    common.apply_state(state)
    st.session_state["url_warnings"] = [*warnings, *([dropped] if dropped else [])]


def show_link_warnings() -> None:
    warnings = st.session_state.get("url_warnings") or []
    if not warnings:
        return
    with st.container(border=True):
        st.warning(
            "Some parameters in this link were invalid and have been replaced by defaults:\n\n"
            + "\n".join(f"- {common.plain(w)}" for w in warnings),
            icon=":material/link_off:",
        )
        st.button(
            "Dismiss", key="dismiss_url_warnings", on_click=lambda: st.session_state.pop("url_warnings", None)
        )


def sync_query_params() -> None:
    """Write the current state into the URL, so the address bar is always a share link."""
    params = encode(common.current_state())
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def share_link() -> str:
    """The link that restores the current state (relative when the app's own URL is unknown)."""
    query = urlencode(encode(common.current_state()))
    # st.context.url is None where the runtime does not know it (tests); a relative link still works.
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{query}" if query else (base or "?")


# -- scenario files ----------------------------------------------------------------------


def _sources_and_notes() -> tuple[list, list]:
    rows = st.session_state["items"]
    return [r["source"] for r in rows], [r["note"] for r in rows]


def _uploaded() -> None:
    f = st.session_state.get("upload")
    if f is None:  # the file was removed: its error no longer applies
        st.session_state.pop("upload_error", None)
        return
    try:
        raw = f.getvalue()
        if len(raw) > _MAX_UPLOAD:
            raise InputError("file", f"{len(raw)} bytes", f"a scenario file of at most {_MAX_UPLOAD} bytes")
        loaded = scenarios.state_from_bytes(raw, common.current_state())
    except InputError as exc:
        st.session_state["upload_error"] = f"{f.name}: {exc}"
        return
    st.session_state.pop("upload_error", None)
    common.apply_state(*loaded)
    st.session_state["upload_ok"] = f"Loaded {f.name}."


def sidebar() -> None:
    st.subheader("Save and share")
    ignored = common.ledger_check().ignored
    saved = None
    if ignored:
        names = ", ".join(item_name(label, i) for i, label, _ in ignored)
        st.error(
            common.plain(f"Cannot save while an item is ignored ({names}): fix or remove it first."),
            icon=":material/error:",
        )
    else:
        try:
            saved = scenarios.scenario_json(common.current_state(), *_sources_and_notes())
        except InputError as exc:
            st.error(common.plain(f"Cannot save while a value is invalid: {exc}"), icon=":material/error:")
    st.download_button(
        "Save scenario (JSON)",
        data=saved or "",
        disabled=saved is None,
        file_name="beliefs-scenario.json",
        mime="application/json",
        key="dl_scenario_json",
        on_click="ignore",
        icon=":material/save:",
    )
    st.file_uploader(
        "Load a scenario file (or an HTML report)", type=["json", "html"], key="upload", on_change=_uploaded
    )
    if "upload_error" in st.session_state:
        st.error(common.plain(st.session_state["upload_error"]) + " — nothing was changed.", icon=":material/error:")
    elif "upload_ok" in st.session_state:
        st.success(common.plain(st.session_state.pop("upload_ok")))  # holds the file's name: anyone's text
    # Drawn only while open (a rerun on opening): a code box loads the browser's 1.5 MB syntax
    # highlighter, which made every first page load ~0.7 s slower (bench: app start).
    share = st.expander("Share link", key="open_share_link", on_change="rerun")
    if share.open:
        with share:
            st.caption("The address bar always holds the current state; this is the same link.")
            st.code(share_link(), language=None, wrap_lines=True)
