"""The page around every view: summary, sidebar, view, share link, background starts (run by ``app.py``).

Kept out of ``app.py`` so that file can run nothing when it is imported as a module: multiprocessing's
children import the server's main module (see ``app.py``).
"""

import importlib
import time

import streamlit as st

from app_pages import common, mcmc_panel, sharing, workers
from beliefs.io.settings import VIEWS
from beliefs.plots import palette

_TITLES = {
    "update": "Update",
    "data": "Evidence from data",
    "chain": "Chain of successors",
    "monitoring": "Monitoring",
    "analysis": "Analysis",
    "compare": "Compare views",
}
_MODULES = {
    "update": "app_pages.update_page",
    "data": "app_pages.data_page",
    "chain": "app_pages.chain_page",
    "monitoring": "app_pages.monitoring_page",
    "analysis": "app_pages.analysis_page",
    "compare": "app_pages.compare_page",
}

# The summary sticks below Streamlit's header (3.75rem); opaque, so the page scrolls beneath it.  The header
# is transparent: a white band as tall as it, above the summary, hides the page scrolling past there
# (the header's own buttons stay on top, at a higher z-index).  With the summary's head start below, the
# band costs the key press little (bench: 1.05-1.13x -> 1.14-1.33x the bare app; without the head start
# it had doubled the time).
# The ratio slider's thumb carries no number of its own: its label states the item's ratio, drawn by the
# server with the summary and the item's line (app_pages.update_page._ratio_controls says why).
_STICKY_CSS = """<style>
[data-testid=stLayoutWrapper]:has(> .st-key-posterior_summary), .st-key-posterior_summary {
  position: sticky; top: 3.75rem; z-index: 990; background-color: white;}
.st-key-posterior_summary::before {
  content: ""; position: absolute; left: 0; right: 0; top: -3.75rem; height: 3.75rem; background-color: white;}
.st-key-posterior_summary {border-bottom: 1px solid RULE; padding: 0.3rem 0 0.2rem 0;}
.st-key-posterior_summary p {margin-bottom: 0;}
@media (max-width: 640px) {.st-key-posterior_summary h4 {font-size: 1.05rem;}}
div[class*="st-key-w_"][class*="_ratio"] [data-testid=stSliderThumbValue] {visibility: hidden;}
</style>""".replace("RULE", palette.RULE)

# After the summary, a rerun pauses this long before drawing the rest.  The browser applies a run's
# messages in batches (Streamlit's frontend buffers them ~10 ms); without a gap the page's ~100 other
# messages join the summary's batch, and the new posterior shows only once the whole page is laid out.
# With it the summary is drawn alone, first (bench slider_latency, steady state: key press to posterior
# 2.3x -> 1.1x the bare app), at the cost of this much on the rest of the page.  Only when the summary changed: a
# session's first run and a run that leaves the posterior as it was (a count typed on the data page)
# have nothing to show sooner.
_SUMMARY_HEAD_START = 0.03  # seconds


def run() -> None:
    """One run of the whole page (Streamlit runs ``app.py``, so this, on every interaction)."""
    # A Material icon, not the emoji: an emoji page icon imports Streamlit's emoji table (50 ms of every server start).
    st.set_page_config(
        page_title="beliefs: Bayesian updating on AI scheming", page_icon=":material/balance:", layout="wide"
    )
    sharing.init_session()

    # Kept in view while the page scrolls (CSS below).  Drawn first, from the widgets' current values,
    # so the new posterior reaches the browser among the run's first messages,
    # ahead of the sidebar (a separate container, so the layout is unchanged).
    common.sync_items_from_widgets()
    summary_box = st.container(key="posterior_summary")

    def draw_summary() -> None:
        with summary_box:
            summary = common.posterior_summary()
        if st.session_state.get("summary_shown", summary) != summary:
            time.sleep(_SUMMARY_HEAD_START)
        st.session_state["summary_shown"] = summary

    # On the Update page, a run that changed an item fills the summary (in its place at the top) right after
    # that item's line, so the slider's label, the item's line and the summary leave the server as
    # consecutive messages (see update_page._ratio_controls).  A run that changed no item (the prior moved)
    # draws it here, first, with its head start: every line below already agrees with it (bench
    # slider_latency: drawn after the ledger's rows instead, 1.96x the bare app).  Deferred otherwise, so a
    # run cut short before drawing it leaves nothing to a later one.
    common.defer_summary(draw_summary)
    if st.session_state.get("w_view", common.values()["view"]) != "update" or common.summary_counts_every_item():
        common.draw_deferred_summary()

    with st.sidebar:
        st.header("beliefs")
        view = common.bound(
            "view",
            st.radio,
            "View",
            options=VIEWS,
            format_func=lambda v: _TITLES[v],
        )
        st.divider()
        # Filled after the view has run: its widgets may change the state in this very run, and the
        # saved file and the share link must hold the state the page shows.
        share_slot = st.container()

    st.html(_STICKY_CSS)
    sharing.show_link_warnings()
    # Import a view only when it is shown: the closed-form views never load PyMC.
    importlib.import_module(_MODULES[view]).render()
    common.draw_deferred_summary()  # if the view did not (another view after all, or it stopped early)
    with share_slot:
        sharing.sidebar()
    sharing.sync_query_params()
    # Compile the MCMC model in the background after the first page, so a click on the data page does not
    # wait for it (a no-op after the first run, and under AppTest).  At the end, not the start, and half a
    # second later (mcmc_panel._WARM_UP_DELAY): started first, its imports and compile slowed the first page
    # (app start 1.65x -> 1.4x the bare app).
    mcmc_panel.warm_up()
    # Likewise the process that reads uploads (workers.read_apart), so a fresh server's first upload does not wait
    # for it to start.
    if workers.served():
        workers.start_reader()
    # The modules this run imported (a view's first run imports its own) into the collector's permanent
    # generation: Streamlit's full collection after every run then skips them (workers.freeze_heap says why).
    workers.freeze_new_imports()
