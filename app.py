"""beliefs in the browser: ``streamlit run app.py``.

A thin front end.  Every number comes from :mod:`beliefs` (and, for the MCMC
models, :mod:`models`); the page modules in ``app_pages`` only lay out
widgets.  The whole state lives in ``st.session_state`` and is mirrored into
the URL's query parameters, so the address bar is always a share link.
"""

import importlib
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede any pyplot import

import streamlit as st

# `streamlit run` puts this folder on sys.path, AppTest does not.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from app_pages import common, mcmc_panel, sharing  # noqa: E402
from beliefs.urlstate import VIEWS  # noqa: E402

_TITLES = {
    "update": "Update",
    "data": "Evidence from data",
    "chain": "Chain of successors",
    "monitoring": "Monitoring",
    "analysis": "Analysis",
}
_MODULES = {
    "update": "app_pages.update_page",
    "data": "app_pages.data_page",
    "chain": "app_pages.chain_page",
    "monitoring": "app_pages.monitoring_page",
    "analysis": "app_pages.analysis_page",
}

st.set_page_config(page_title="beliefs: Bayesian updating on AI scheming", page_icon="⚖", layout="wide")
sharing.init_session()
# Compile the MCMC model in the background from the first request on, so a click on the data page
# does not wait for it (a no-op after the first run, and under AppTest).
mcmc_panel.warm_up()

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
    sharing.sidebar()

sharing.show_link_warnings()
# Import a view only when it is shown: the closed-form views never load PyMC.
importlib.import_module(_MODULES[view]).render()
sharing.sync_query_params()
