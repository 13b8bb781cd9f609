"""Server defaults: safe unless the user asks otherwise.

Checked by parsing the files themselves (``.streamlit/config.toml`` with
tomllib and with Streamlit's own config loader; the Makefile with ``make -n``),
not by trusting comments.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from beliefs.io.scenario import MAX_SCENARIO_BYTES

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".streamlit" / "config.toml"


@pytest.fixture(scope="module")
def config() -> dict:
    with open(CONFIG, "rb") as fh:
        return tomllib.load(fh)


def test_xsrf_protection_on(config):
    assert config["server"]["enableXsrfProtection"] is True
    # Streamlit turns XSRF protection off when CORS is disabled; keep both on.
    assert config["server"].get("enableCORS", True) is True


def test_upload_limit_fits_a_scenario_and_no_more(config):
    limit_mb = config["server"]["maxUploadSize"]
    assert isinstance(limit_mb, int)
    # Streamlit's unit is megabytes (2**20 bytes): large enough for the largest scenario the parser accepts,
    # small enough that nobody can park a big file on the server.
    assert MAX_SCENARIO_BYTES <= limit_mb * 2**20 <= 2 * 2**20
    assert config["server"]["maxMessageSize"] <= 200


def test_no_usage_statistics_and_no_error_details(config):
    assert config["browser"]["gatherUsageStats"] is False
    # tracebacks are for the server log, not for visitors
    assert config["client"]["showErrorDetails"] in ("none", False)


def test_config_binds_to_localhost(config):
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["headless"] is True


def test_streamlit_parses_the_config_and_knows_every_option(config):
    code = (
        "import json; from streamlit import config as c; c.get_config_options(force_reparse=True);"
        "names = ['server.enableXsrfProtection', 'server.maxUploadSize', 'browser.gatherUsageStats',"
        " 'server.address', 'client.showErrorDetails', 'server.enableCORS',"
        " 'runner.postScriptGC', 'runner.fastReruns'];"
        "print(json.dumps({'values': {n: c.get_option(n) for n in names}, 'known': sorted(c._config_options)}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    values = out["values"]
    assert values["server.enableXsrfProtection"] is True
    assert values["server.maxUploadSize"] == config["server"]["maxUploadSize"]
    assert values["browser.gatherUsageStats"] is False
    assert values["server.address"] == "127.0.0.1"
    assert values["server.enableCORS"] is True
    # The collection after every run stays on (off, full collections ran mid-run); the app freezes its
    # imports so it is cheap (config.toml and app_pages.workers.freeze_heap say why).
    assert values["runner.postScriptGC"] is True
    assert values["runner.fastReruns"] is False  # one run at a time per session (issue 24.4)
    # a misspelt option would be silently ignored by Streamlit: every key in the file must be known
    for section, options in config.items():
        for name in options:
            assert f"{section}.{name}" in out["known"], f"unknown streamlit option {section}.{name}"


def _make_n(*args: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    proc = subprocess.run(
        ["make", "-n", "--no-print-directory", "app", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if "streamlit run" in line]
    assert len(lines) == 1, proc.stdout
    return lines[0]


def test_make_app_binds_to_localhost_by_default():
    line = _make_n()
    assert "--server.address 127.0.0.1" in line
    assert "0.0.0.0" not in line


def test_make_app_host_is_explicit_opt_in():
    assert "--server.address 0.0.0.0" in _make_n("HOST=0.0.0.0")
    assert "--server.port 9999" in _make_n("PORT=9999")


def test_readme_documents_the_run_command():
    readme = (ROOT / "README.md").read_text()
    assert "make app" in readme and "HOST=0.0.0.0" in readme and "127.0.0.1" in readme
