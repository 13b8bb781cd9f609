"""Share links (state in the query parameters), and saving/loading the state as a scenario file.

Everything here goes through :mod:`beliefs.io.state` (the one conversion) and
:mod:`beliefs.io.shortlink` (readable parameters when they hold the state,
the scenario itself, compressed, when they do not).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from app_pages import common
from app_pages.workers import read_apart
from beliefs.errors import InputError
from beliefs.io.link import dropped_parameters_warning, encode
from beliefs.io.scenario import parse_scenario, scenario_to_json
from beliefs.io.settings import local_link_note, public_base
from beliefs.io.shortlink import open_link, share_params
from beliefs.io.state import scenario_from_state, state_from_scenario, title_of

_MAX_UPLOAD = 1_000_000  # bytes; .streamlit/config.toml refuses larger uploads anyway


def init_session() -> None:
    """On a session's first run, restore the state from the link; bad fields fall back with a warning."""
    if "values" in st.session_state:
        return
    # Every value of every key: a parameter given twice is refused, as a file's duplicate key is.
    params = {key: st.query_params.get_all(key) for key in st.query_params}
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


def _address_params() -> dict[str, str]:
    """The parameters that restore the current state: readable when they can, else the scenario, short.

    When neither can (a ledger that is not a scenario yet, such as two discounts in one group), the
    readable parameters stand in and the share box says why the link is not complete.
    """
    state = common.current_state()
    try:
        params = share_params(state)
    except InputError as exc:
        st.session_state["link_problem"] = str(exc)
        return encode(state)
    st.session_state.pop("link_problem", None)
    return params


def sync_query_params() -> None:
    """Write the current state into the URL, so the address bar is always a share link."""
    params = _address_params()
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def app_base() -> str:
    """The app's address for links a reader gets: ``$BELIEFS_BASE_URL``, else the address this page was opened at."""
    try:
        base = public_base()
    except InputError as exc:  # a bad setting: say so where links are shown, and use the page's own address
        st.session_state["base_problem"] = str(exc)
        base = None
    # st.context.url is None where the runtime does not know it (tests); a relative link still works here.
    return base or (st.context.url or "").split("?")[0]


def share_link() -> str:
    """The link that restores the current state (relative when the app's own URL is unknown)."""
    query = urlencode(_address_params())
    base = app_base()
    return f"{base}?{query}" if query else (base or "?")


def link_caption(link: str) -> None:
    """Under every link a reader may get: that it opens only here, when it does, and any problem with the setting."""
    note = local_link_note(link)
    if note:
        st.caption(":material/warning: " + common.plain(note[0].upper() + note[1:] + "."))
    if st.session_state.get("base_problem"):
        st.caption(":material/error: " + common.plain(st.session_state["base_problem"]))


# -- scenario files ----------------------------------------------------------------------


def _uploaded() -> None:
    f = st.session_state.get("upload")
    if f is None:  # the file was removed: its error no longer applies
        st.session_state.pop("upload_error", None)
        return
    try:
        raw = f.getvalue()
        if len(raw) > _MAX_UPLOAD:
            raise InputError("file", f"{len(raw)} bytes", f"a scenario file of at most {_MAX_UPLOAD} bytes")
        # Read in a process of its own: the worst file at the cap holds no lock the other sessions wait on.
        loaded = state_from_scenario(read_apart(parse_scenario, raw), view=common.values()["view"])
    except InputError as exc:
        st.session_state["upload_error"] = f"{f.name}: {exc}"
        return
    st.session_state.pop("upload_error", None)
    common.apply_state(loaded)
    st.session_state["upload_ok"] = f"Loaded {f.name}."
    st.session_state["upload_rerun"] = True  # the whole page shows the new state: _load_box reruns the app


def _title_typed() -> None:
    text = st.session_state.get("w_title")
    if text is None:  # a load in the same click reset the widgets: there is nothing typed to take
        return
    automatic = title_of(replace(common.current_state(), about=replace(common.about(), title=None)))
    st.session_state["about"] = replace(common.about(), title=None if text == automatic else text)


def _title_box() -> None:
    """The title saves, links and exports carry: the loaded one (marked once edited) or the user's own."""
    shown = title_of(common.current_state())
    if "w_title" not in st.session_state or st.session_state.get("w_title_shown") != shown:
        # A new state, or the automatic title moved on (an edit made it "edited from ..."): show it.
        st.session_state["w_title"] = shown
        st.session_state["w_title_shown"] = shown
    st.text_input(
        "Title",
        key="w_title",
        on_change=_title_typed,
        placeholder="untitled",
        help="The title saves, links and exports carry. A loaded scenario's title says 'edited from ...' once "
        "its prior or ledger changes; type your own to replace it.",
    )


@st.fragment
def _load_box() -> None:
    """The file uploader, a fragment: an upload re-runs only this box, so a refused file (the state unchanged)
    costs the server one small run, not the whole page's; a loaded one then re-runs the whole app."""
    if st.session_state.pop("upload_rerun", False):
        st.rerun(scope="app")
    st.file_uploader(
        "Load a scenario file (or an HTML report)", type=["json", "html"], key="upload", on_change=_uploaded
    )
    if "upload_error" in st.session_state:
        st.error(common.plain(st.session_state["upload_error"]) + " — nothing was changed.", icon=":material/error:")
    elif "upload_ok" in st.session_state:
        st.success(common.plain(st.session_state.pop("upload_ok")))  # holds the file's name: anyone's text


def sidebar() -> None:
    st.subheader("Save and share")
    _title_box()
    saved = None
    try:
        saved = scenario_to_json(scenario_from_state(common.current_state()))
    except InputError as exc:
        st.error(common.plain(f"Cannot save while a value is invalid: {exc}"), icon=":material/error:")
    if common.pending_flag():
        st.caption(common.plain(common.pending_flag().capitalize() + ": the file holds the value shown in each item's summary."))
    if st.session_state.get("hypotheses_set_aside"):
        st.caption(common.plain(st.session_state["hypotheses_set_aside"]))
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
    _load_box()
    # Drawn only while open (a rerun on opening): a code box loads the browser's 1.5 MB syntax
    # highlighter, which made every first page load ~0.7 s slower (bench: app start).
    share = st.expander("Share link", key="open_share_link", on_change="rerun")
    if share.open:
        with share:
            link = share_link()
            st.caption("The address bar always holds the current state; this is the same link.")
            st.code(link, language=None, wrap_lines=True)
            link_caption(link)
            if st.session_state.get("link_problem"):
                st.caption(
                    ":material/error: "
                    + common.plain(f"This link holds the ledger's values but not all of the state until: {st.session_state['link_problem']}")
                )
