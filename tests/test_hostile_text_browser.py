"""Streamlit's own Markdown, in Chromium: every hostile string through ``common.plain`` shows as its text.

AppTest sees the Markdown source, not what the browser draws; Streamlit's renderer adds emoji shortcodes
(``root:x:0:0`` drew ``root❌0:0``), directives (``:red[...]``), math and autolink literals that a
backslash does not stop (``https\\://x`` and ``www\\.x`` were still links).  A bare app draws
``plain(text)`` in ``st.markdown`` and ``st.error`` for the corpus of tests/test_hostile_text.py; the
page's text must be exactly :func:`beliefs.text.one_line` of it (less the invisible WORD JOINER
``plain`` puts where an autolink would start), with no element the text could have made.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from beliefs.text import one_line
from tests.streamlit_server import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, require_browser
from tests.test_hostile_text import HOSTILE

pytestmark = pytest.mark.browser

_APP = """
import json, sys
sys.path.insert(0, {root!r})
import streamlit as st
from app_pages.common import plain

for i, text in enumerate(json.loads({cases!r})):
    with st.container(key=f"md{{i}}"):
        st.markdown(plain(text))
    with st.container(key=f"er{{i}}"):
        st.error(plain(text))
"""
# Elements plain text can produce in Streamlit's Markdown: a paragraph, and the containers around it.
_ALLOWED = {"div", "p", "span", "svg", "path", "g", "title", "button", "section", "header"}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    require_browser()
    sync_api = pytest.importorskip("playwright.sync_api")
    tmp = tmp_path_factory.mktemp("plain")
    app = tmp / "plain_app.py"
    app.write_text(_APP.format(root=str(ROOT), cases=json.dumps(HOSTILE)))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.3)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pg = browser.new_page()
            pg.goto(f"http://127.0.0.1:{port}/")
            pg.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)
            pg.wait_for_selector(f".st-key-er{len(HOSTILE) - 1}", timeout=90_000)
            yield pg
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.mark.parametrize("index", range(len(HOSTILE)), ids=[repr(h)[:30] for h in HOSTILE])
def test_streamlit_draws_plain_text_as_exactly_that_text(page, index):
    expected = one_line(HOSTILE[index]).replace("\x00", "\ufffd")
    for key in (f"md{index}", f"er{index}"):
        box = page.locator(f".st-key-{key}")
        shown = box.inner_text().replace("\u2060", "").strip()
        assert shown == expected, (key, shown, expected)
        tags = set(re.findall(r"<([a-z][a-z0-9-]*)", box.inner_html()))
        assert tags <= _ALLOWED, tags - _ALLOWED
