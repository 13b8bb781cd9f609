"""beliefs in the browser: ``streamlit run app.py``.

A thin front end.  Every number comes from :mod:`beliefs` (and, for the MCMC
models, :mod:`models`); the page modules in ``app_pages`` only lay out
widgets.  The whole state lives in ``st.session_state`` and is mirrored into
the URL's query parameters, so the address bar is always a share link.
"""

import os
import sys
from pathlib import Path

# Every chart is Vega-Lite (Altair); none uses matplotlib.  Should a library import pyplot later, it
# gets a backend that needs no display, without this module importing matplotlib.
os.environ.setdefault("MPLBACKEND", "Agg")

# Streamlit runs this file as __main__, on every rerun.  A process that multiprocessing starts from the
# server (the upload reader, app_pages.workers.read_apart) first runs the server's main module again, as
# __mp_main__ (Streamlit's script module has a file and no spec): there this file must run nothing.  Before
# this guard, the reader drew the whole page in bare mode at its start and, believing itself served, began
# the MCMC warm-up (460 MB and 7 s of CPU in the reader after one upload; now 33 MB and none).
if __name__ == "__main__":
    # `streamlit run` puts this folder on sys.path, AppTest does not.
    _HERE = str(Path(__file__).resolve().parent)
    if _HERE not in sys.path:
        sys.path.insert(0, _HERE)

    from app_pages import shell

    shell.run()
