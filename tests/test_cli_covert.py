"""``beliefs counts`` and ``beliefs elicit``: JSON contract, human output, bad input.

Numbers are checked against values computed here independently (beta-binomial
marginals by hand with scipy.special, Beta mass with scipy.stats).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from scipy import special, stats

from beliefs.cli import main
from beliefs.update import cromwell_note

ROOT = Path(__file__).resolve().parents[1]
BASE = ["counts", "--k", "1,0,3", "--n", "10,12,20", "--prior", "0.25", "--rate-if-h", "1,9", "--rate-if-not-h", "1,99"]


def run(*argv: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "beliefs", *argv], capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )


def _log_bb(k, n, a, b):
    return (
        special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
        + special.betaln(k + a, n - k + b) - special.betaln(a, b)
    )


def _expected_log_bf():
    k, n = [1, 0, 3], [10, 12, 20]
    return sum(_log_bb(kj, nj, 1, 9) - _log_bb(kj, nj, 1, 99) for kj, nj in zip(k, n, strict=True))


def test_counts_json_contract_no_pooling():
    proc = run(*BASE, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    for key in ("bayes_factor", "posterior", "log10_bayes_factor", "bits"):
        assert key in data
    log_bf = _expected_log_bf()
    assert data["bayes_factor"] == pytest.approx(math.exp(log_bf), rel=1e-10)
    assert data["log10_bayes_factor"] == pytest.approx(log_bf / math.log(10), rel=1e-10)
    assert data["bits"] == pytest.approx(log_bf / math.log(2), rel=1e-10)
    odds = 0.25 / 0.75 * math.exp(log_bf)
    assert data["posterior"] == pytest.approx(odds / (1 + odds), rel=1e-10)
    assert "mcmc" not in data
    assert data["pooling"] == "none" and data["method"].startswith("exact")


def test_counts_human_table():
    proc = run(*BASE)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Bayes factor" in out and "Posterior P(H)" in out and "93.84%" in out
    assert "env   3" in out and "3 / 20" in out


def test_import_beliefs_stays_pymc_free():
    code = (
        "import sys, beliefs, beliefs.cli; beliefs.cli.build_parser();"
        "bad = [m for m in ('pymc', 'pytensor', 'arviz', 'matplotlib', 'streamlit', 'nutpie', 'preliz') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_elicit_json_contract():
    proc = run("elicit", "--lower", "0.01", "--upper", "0.2", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    for key in ("alpha", "beta", "mass", "requested_mass"):
        assert key in data
    assert data["requested_mass"] == 0.9
    independent = stats.beta.cdf(0.2, data["alpha"], data["beta"]) - stats.beta.cdf(0.01, data["alpha"], data["beta"])
    assert data["mass"] == pytest.approx(independent, abs=1e-12)
    assert data["mass"] == pytest.approx(0.9, abs=1e-4)


def test_elicit_human():
    proc = run("elicit", "--lower", "0.3", "--upper", "0.7", "--mass", "0.5")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Beta(") and "requested 50%" in proc.stdout


BAD_COUNTS = [
    (["--k", "5", "--n", "3"], "--k[0]", "cannot exceed"),
    (["--k", "1.5", "--n", "3"], "--k[0]", "whole number"),
    (["--k", "x", "--n", "3"], "--k[0]", "whole number"),
    (["--k", "1", "--n", "0"], "--k[0]", "<= --n[0] = 0"),
    (["--k", "1,2", "--n", "3"], "--n", "one rollout count per environment"),
    (["--k", "1", "--n", "3", "--rate-if-h", "0,1"], "--rate-if-h A", "> 0"),
    (["--k", "1", "--n", "3", "--rate-if-not-h", "1,-1"], "--rate-if-not-h B", "> 0"),
    (["--k", "1", "--n", "3", "--rate-if-h", "1"], "--rate-if-h", "two Beta parameters"),
    (["--k", "1", "--n", "3", "--prior", "1.2"], "--prior", "probability in [0, 1]"),
    (["--k", "1", "--n", "3", "--prior", "nan"], "--prior", "probability in [0, 1]"),
    (["--k", "1", "--n", "3", "--prior", "inf"], "--prior", "probability in [0, 1]"),
    (["--k", "1", "--n", "3", "--pooling", "full"], "--pooling", "'none' or 'partial'"),
    (["--k", "1", "--n", "3", "--draws", "-5"], "--draws", "whole number"),
    (["--k", "1", "--n", "3", "--seed", "1.5"], "--seed", "whole number"),
]


def _counts_argv(extra: list[str]) -> list[str]:
    argv = ["counts", "--prior", "0.5", "--rate-if-h", "1,1", "--rate-if-not-h", "1,9"]
    # later options override earlier ones in argparse, so extra may replace the defaults above
    return argv + extra


@pytest.mark.parametrize(("extra", "field", "allowed"), BAD_COUNTS)
def test_bad_counts_input_in_process(extra, field, allowed, capsys):
    code = main(_counts_argv(extra))
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"beliefs: error: {field}")
    assert allowed in err


@pytest.mark.parametrize(("extra", "field", "allowed"), [BAD_COUNTS[0], BAD_COUNTS[4], BAD_COUNTS[11]])
def test_bad_counts_input_subprocess(extra, field, allowed):
    proc = run(*_counts_argv(extra))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"beliefs: error: {field}") and allowed in lines[0]


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--lower", "0.3", "--upper", "0.2"], "--upper"),
        (["--lower", "0", "--upper", "0.2"], "--lower"),
        (["--lower", "0.1", "--upper", "1"], "--upper"),
        (["--lower", "0.1", "--upper", "0.2", "--mass", "1"], "--mass"),
        (["--lower", "0.1", "--upper", "0.2", "--mass", "90"], "--mass"),
        (["--lower", "nan", "--upper", "0.2"], "--lower"),
    ],
)
def test_bad_elicit_input(argv, field, capsys):
    code = main(["elicit", *argv])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"beliefs: error: {field}") and err.count("\n") == 1


def test_certain_prior_explained(capsys):
    code = main([*BASE[:5], "--prior", "0", *BASE[7:], "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["posterior"] == 0.0 and data["note"] == cromwell_note(0.0)


def test_zero_rollouts_are_no_evidence(capsys):
    code = main(["counts", "--k", "0", "--n", "0", "--prior", "0.3", "--rate-if-h", "1,1", "--rate-if-not-h", "1,9", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["bayes_factor"] == 1.0 and data["posterior"] == pytest.approx(0.3, abs=1e-15)


def test_partial_pooling_quadrature_value(capsys):
    from beliefs.counts import quadrature_partial_pooling

    code = main([*BASE, "--pooling", "partial", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    q = quadrature_partial_pooling([1, 0, 3], [10, 12, 20], 0.25, (1, 9), (1, 99))
    assert data["posterior"] == pytest.approx(q.posterior, rel=1e-12)
    assert data["method"].startswith("2-D quadrature") and data["quadrature_rel_error"] < 1e-6
    assert data["kappa_prior"] == {"median": 10.0, "log_sd": 1.5}


@pytest.mark.slow
@pytest.mark.xdist_group("covert")
class TestMcmcCommand:
    # In-process so the compiled models are shared with tests/test_covert_actions.py (same xdist group);
    # the subprocess tests above already cover the process boundary.
    def test_counts_mcmc_json(self, capsys):
        code = main([*BASE, "--mcmc", "--seed", "3", "--json"])
        data = json.loads(capsys.readouterr().out)
        assert code == 0
        mc = data["mcmc"]
        for key in ("posterior", "mcse", "r_hat", "ess", "divergences", "warnings"):
            assert key in mc
        assert mc["r_hat"] <= 1.01 and mc["divergences"] == 0 and mc["warnings"] == []
        assert abs(mc["posterior"] - data["posterior"]) <= 4 * mc["mcse"]
        assert mc["z_vs_exact"] == pytest.approx(
            (mc["log_bayes_factor_nats"] - data["log_bayes_factor_nats"]) / mc["log_bayes_factor_mcse"], rel=1e-9
        )
        assert abs(mc["z_vs_exact"]) <= 4 and mc["converged"] is True
        assert mc["exact_posterior"] == data["posterior"]
        assert mc["seed"] == 3 and mc["draws"] == 1000

    def test_issue_case_z_vs_exact(self, capsys):
        # issue 10: this case used to give 2.041e-5 +/- 1.29e-6 against the exact 2.906e-5 (z = -6.7), "converged".
        argv = ["counts", "--k", "0,0,0,2", "--n", "1000,1000,1000,500", "--prior", "0.5",
                "--rate-if-h", "1,20", "--rate-if-not-h", "1,1000", "--mcmc"]  # fmt: skip
        assert main([*argv, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        mc = data["mcmc"]
        assert data["posterior"] == pytest.approx(2.906036585e-5, rel=1e-9)
        assert abs(mc["z_vs_exact"]) <= 4 and abs(mc["posterior"] - data["posterior"]) <= 4 * mc["mcse"]
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert f"z vs exact = {mc['z_vs_exact']:+.2f}" in out
        assert f"P(H | data) = {mc['posterior']:.4g} +/- {mc['mcse']:.2g} (MCSE)" in out

    def test_partial_pooling_z_against_quadrature(self, capsys):
        assert main([*BASE, "--mcmc", "--pooling", "partial", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["method"].startswith("2-D quadrature")
        assert abs(data["mcmc"]["z_vs_exact"]) <= 4

    def test_counts_mcmc_human_shows_diagnostics_and_warnings(self, capsys):
        # 100 draws per chain cannot reach a bulk ESS of 400: the output must say so.
        code = main([*BASE, "--mcmc", "--draws", "100", "--tune", "200", "--pooling", "partial"])
        out = capsys.readouterr().out
        assert code == 0
        assert "r_hat" in out and "ESS" in out and "divergences" in out and "MCSE" in out
        assert "NOT CONVERGED" in out and "bulk ESS" in out

    def test_counts_mcmc_timeout_is_one_line(self, capsys):
        code = main([*BASE, "--mcmc", "--draws", "200000", "--timeout", "0.3"])
        err = capsys.readouterr().err
        assert code == 1
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "MCMC failed" in lines[0] and "did not finish" in lines[0]
