"""Export the Update view's ledger: Markdown to copy into a post, a self-contained HTML report, a short link.

Widgets only: the text comes from :mod:`beliefs.export` and :mod:`beliefs.io.shortlink`.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app_pages import common, sharing
from beliefs.errors import InputError
from beliefs.export.ledger import build_ledger
from beliefs.export.markdown import markdown_report
from beliefs.io.shortlink import short_link
from beliefs.io.state import scenario_from_state


def _html(scenario, link: str) -> Callable[[], bytes]:
    def render() -> bytes:  # drawn on click only: vl-convert renders the charts
        from beliefs.export.html import html_report

        return html_report(scenario, link=link).encode("utf-8")

    return render


def render() -> None:
    """An "Export" expander under the results (called from the Update view).

    Its content is computed and drawn only while it is open (opening it reruns
    the page): closed, it costs neither the report's text on every run nor the
    browser's syntax highlighter on the first page load.  Every export is the
    state's one scenario (:func:`beliefs.io.state.scenario_from_state`): the
    title, H and provenance the page shows, and the same Monte Carlo digits.
    """
    box = st.expander(
        "Export: Markdown for a post, an HTML report, a short link",
        icon=":material/ios_share:",
        key="open_export",
        on_change="rerun",
    )
    if not box.open:
        return
    with box:
        try:
            scenario = scenario_from_state(common.current_state())
            link = short_link(scenario, sharing.app_base())
            ledger = build_ledger(scenario)
        except InputError as exc:
            # The ledger above already shows this error; here it only explains why there is nothing to copy.
            st.info(common.plain(f"Nothing to export while a value is invalid: {exc}"), icon=":material/info:")
            return
        st.caption("Markdown (GitHub-flavoured; copy with the button at the top right of the box):")
        st.code(markdown_report(scenario, link=link, ledger=ledger), language="markdown", wrap_lines=True)
        st.download_button(
            "Download the report (HTML, opens offline, reloads here)",
            data=_html(scenario, link),
            file_name=f"{scenario.name}-report.html",
            mime="text/html",
            key="dl_report_html",
            on_click="ignore",
            icon=":material/download:",
        )
        st.caption(f"Short link ({len(link):,} characters; it holds the whole scenario):")
        st.code(link, language=None, wrap_lines=True)
        sharing.link_caption(link)
