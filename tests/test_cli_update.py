"""`beliefs update` through a subprocess, as a user runs it."""

import math
import subprocess
import sys

import pytest

from tests.cli_helpers import ROOT, assert_one_line_error, run_cli, run_json

pytestmark = pytest.mark.core  # runs with the core install alone (see test_core_install.py)


def test_stated_update_json_keys_and_values():
    out = run_json("update", "--prior", "0.25", "--evidence", "0.75:0.25")
    for key in ("prior", "posterior", "prior_odds", "posterior_odds", "bits", "items"):
        assert key in out
    assert out["posterior"] == pytest.approx(0.5, rel=1e-14)
    assert out["prior_odds"] == pytest.approx(1 / 3, rel=1e-14)
    assert out["bits"] == pytest.approx(math.log2(3), rel=1e-14)
    (item,) = out["items"]
    assert set(item) >= {"label", "likelihood_ratio", "bits"}
    assert item["likelihood_ratio"] == pytest.approx(3, rel=1e-14)


def test_ratios_and_pairs_combine():
    # (2:8) x (9:3) via one ratio and one pair, then x 2 again.
    out = run_json("update", "--prior", "0.2", "--evidence", "0.9:0.3", "--lr", "2")
    assert out["posterior_odds"] == pytest.approx(1.5, rel=1e-14)
    assert [i["likelihood_ratio"] for i in out["items"]] == pytest.approx([2, 3])


def test_extreme_values_are_exact():
    out = run_json("update", "--prior", "1e-12", "--lr", "1e300")
    assert out["posterior_odds"] == pytest.approx(1e288, rel=1e-11)
    assert out["posterior"] == 1.0


def test_certain_prior_is_explained():
    out = run_json("update", "--prior", "0", "--lr", "1000")
    assert out["posterior"] == 0.0
    assert "Cromwell" in out["note"]
    human = run_cli("update", "--prior", "1", "--lr", "0.001")
    assert human.returncode == 0
    assert "no finite likelihood ratio can move" in human.stdout


def test_human_table_shows_percent_odds_bits_and_db():
    proc = run_cli("update", "--prior", "0.5", "--evidence", "0.75:0.25")
    assert proc.returncode == 0
    assert "0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB" in proc.stdout
    assert "75%" in proc.stdout and "3:1" in proc.stdout


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--prior", "-0.1"], "--prior"),
        (["--prior", "1.5"], "--prior"),
        (["--prior", "nan"], "--prior"),
        (["--prior", "inf"], "--prior"),
        (["--prior", "abc"], "--prior"),
        (["--prior", ""], "--prior"),
        (["--prior", "75"], "did you mean 0.75"),
        (["--prior", "0.5", "--lr", "0"], "--lr"),
        (["--prior", "0.5", "--lr", "-3"], "--lr"),
        (["--prior", "0.5", "--lr", "inf"], "--lr"),
        (["--prior", "0.5", "--lr", "three"], "--lr"),
        (["--prior", "0.5", "--evidence", "0:0"], "--evidence P(E|H)"),
        (["--prior", "0.5", "--evidence", "1.2:0.3"], "--evidence P(E|H)"),
        (["--prior", "0.5", "--evidence", "0.7-0.2"], "--evidence"),
        (["--prior", "0.5", "--evidence", "0.7:0.2:0.1"], "--evidence"),
        ([], "--prior"),
        (["--prior", "0.5", "--bogus"], "--bogus"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, field):
    assert_one_line_error(run_cli("update", *args), field)


def test_unknown_command_is_one_line():
    assert_one_line_error(run_cli("frobnicate"), "frobnicate")


def test_console_script_and_module_agree():
    script = ROOT / ".venv" / "bin" / "beliefs"
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    a = subprocess.run([str(script), "update", "--prior", "0.3", "--lr", "2", "--json"], capture_output=True, text=True)
    b = run_cli("update", "--prior", "0.3", "--lr", "2", "--json")
    assert a.returncode == 0 and a.stdout == b.stdout


def test_import_beliefs_loads_no_heavy_libraries():
    code = (
        "import sys, beliefs, beliefs.cli, beliefs.cli.core;"
        "heavy = [m for m in ('pymc', 'pytensor', 'arviz', 'streamlit', 'matplotlib', 'nutpie', 'preliz')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
