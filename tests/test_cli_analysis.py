"""`beliefs needed | pool | crux | robustness | sequential | tornado | dependence` as a user runs them.

The JSON keys are a contract.  Numbers are checked against hand-worked values
or against the library computed independently in this process; bad input must
exit 2 with exactly one stderr line naming the field.  Most bad-input cases run
``main()`` in-process (same code path, no interpreter start-up); a
representative set runs through a real subprocess.
"""

import csv
import io
import json
import math
import os

import numpy as np
import pytest

from beliefs.cli import main
from tests.cli_helpers import assert_one_line_error, run_cli, run_json

MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF", ".svg": b"<svg"}


def run_main(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_main_error(capsys, argv, field):
    code, out, err = run_main(capsys, *argv)
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert field in lines[0], lines[0]
    assert "Traceback" not in err
    return lines[0]


# -- needed ------------------------------------------------------------------------------------------


def test_needed_json_contract_three_to_one():
    out = run_json("needed", "--prior", "0.25", "--target", "0.5")
    assert out["likelihood_ratio"] == pytest.approx(3.0, rel=1e-14)
    assert out["bits"] == pytest.approx(math.log2(3), rel=1e-14)
    assert out["decibels"] == pytest.approx(10 * math.log10(3), rel=1e-14)


def test_needed_human_text(capsys):
    code, out, _ = run_main(capsys, "needed", "--prior", "0.2", "--target", "0.6")
    # 1:4 -> 3:2 is a ratio of 6:1.
    assert code == 0 and "6:1" in out and f"{math.log2(6):+.3f} bits" in out


def test_needed_counts_json_matches_brute_force(capsys):
    from scipy import stats

    code, out, _ = run_main(
        capsys,
        "needed", "--prior", "0.25", "--target", "0.9", "--rollouts", "100",
        "--rate-if-h", "1,20", "--rate-if-not-h", "1,200", "--json",
    )  # fmt: skip
    assert code == 0
    counts = json.loads(out)["counts"]
    # Oracle: smallest k' whose posterior, in probability space, exceeds 0.9.
    odds = [
        (1 / 3) * stats.betabinom.pmf(k, 100, 1, 20) / stats.betabinom.pmf(k, 100, 1, 200) for k in range(101)
    ]
    first = next(k for k, o in enumerate(odds) if o / (1 + o) > 0.9)
    assert counts["k_needed"] == first
    assert counts["reachable"] is True and counts["direction"] == "above"


def test_needed_counts_plot_and_csv_are_the_posterior_for_every_count(capsys, tmp_path):
    from scipy import stats

    plot, table = tmp_path / "needed.svg", tmp_path / "needed.csv"
    code, out, _ = run_main(
        capsys,
        "needed", "--prior", "0.25", "--target", "0.9", "--rollouts", "40",
        "--rate-if-h", "1,20", "--rate-if-not-h", "1,200", "--plot", str(plot), "--csv", str(table), "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["written"] == [str(plot), str(table)]
    assert MAGIC[".svg"] in plot.read_bytes()[:400]
    rows = list(csv.DictReader(io.StringIO(table.read_text())))
    assert [int(r["k_new"]) for r in rows] == list(range(41))
    for r in rows:  # oracle: Bayes in probability space with scipy's beta-binomial
        k = int(r["k_new"])
        o = (1 / 3) * stats.betabinom.pmf(k, 40, 1, 20) / stats.betabinom.pmf(k, 40, 1, 200)
        assert float(r["posterior"]) == pytest.approx(o / (1 + o), rel=1e-9)


@pytest.mark.parametrize("flag", ["--plot", "--csv"])
def test_needed_plot_or_csv_without_rollouts_is_refused(capsys, tmp_path, flag):
    target = tmp_path / ("x.png" if flag == "--plot" else "x.csv")
    line = assert_main_error(capsys, ["needed", "--prior", "0.25", "--target", "0.5", flag, str(target)], flag)
    assert "--rollouts" in line
    assert list(tmp_path.iterdir()) == []


def test_needed_counts_not_reachable_is_an_answer_not_an_error(capsys):
    code, out, _ = run_main(
        capsys,
        "needed", "--prior", "0.25", "--target", "0.9", "--rollouts", "50",
        "--rate-if-h", "1,1", "--rate-if-not-h", "1,1",
    )  # fmt: skip
    assert code == 0 and "not reachable with 50 rollouts" in out


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--prior", "0.25", "--target", "0"], "--target"),
        (["--prior", "0.25", "--target", "1"], "--target"),
        (["--prior", "1", "--target", "0.5"], "--prior"),
        (["--prior", "abc", "--target", "0.5"], "--prior"),
        (["--prior", "0.2", "--target", "75%"], "--target"),
        (["--prior", "0.2", "--target", "0.5", "--rate-if-h", "1,2"], "--rollouts"),
        (["--prior", "0.2", "--target", "0.5", "--rollouts", "10", "--rate-if-h", "1,2"], "--rate-if-not-h"),
        (["--prior", "0.2", "--target", "0.5", "--rollouts", "0", "--rate-if-h", "1,2", "--rate-if-not-h", "1,9"], "--rollouts"),
        (["--prior", "0.2", "--target", "0.5", "--rollouts", "9", "--rate-if-h", "1", "--rate-if-not-h", "1,9"], "--rate-if-h"),
        (["--prior", "0.2", "--target", "0.5", "--rollouts", "9", "--rate-if-h", "1,2", "--rate-if-not-h", "1,-9"], "--rate-if-not-h.beta"),
        (["--prior", "0.2", "--target", "0.5", "--rollouts", "9", "--rate-if-h", "1,2", "--rate-if-not-h", "1,9", "--k", "5", "--n", "3"], "--k[0]"),
        (["--prior", "0.2", "--target", "0.5", "--rollouts", "9", "--rate-if-h", "1,2", "--rate-if-not-h", "1,9", "--k", "1"], "--n"),
    ],
)  # fmt: skip
def test_needed_bad_input(capsys, argv, field):
    assert_main_error(capsys, ["needed", *argv], field)


def test_needed_certain_target_is_explained_through_a_subprocess():
    line = assert_one_line_error(run_cli("needed", "--prior", "0.25", "--target", "1"), "--target")
    assert "Cromwell" in line


# -- pool ----------------------------------------------------------------------------------------------


def test_pool_json_contract_and_hand_worked_values():
    out = run_json("pool", "--probs", "0.1,0.9")
    assert out["geometric_mean_odds"] == pytest.approx(0.5, abs=2e-16)
    assert out["arithmetic_mean"] == pytest.approx(0.5, rel=1e-15)
    assert out["pooled_log_odds"] == pytest.approx(0.0, abs=1e-15)


def test_pool_weights_and_extremizing(capsys):
    code, out, _ = run_main(
        capsys, "pool", "--probs", "0.1,0.5", "--weights", "3,1", "--extremize", "2", "--json"
    )
    data = json.loads(out)
    # Weighted mean log-odds 3/4 ln(1/9), doubled: odds (1/9)^1.5 = 1/27.
    assert data["pooled_log_odds"] == pytest.approx(-1.5 * math.log(9), rel=1e-13)
    assert data["geometric_mean_odds"] == pytest.approx(1 / 28, rel=1e-13)
    assert data["arithmetic_mean"] == pytest.approx(0.2, rel=1e-14)
    code, out, _ = run_main(capsys, "pool", "--probs", "0.2,0.8")
    assert code == 0 and "arithmetic mean" in out and "50%" in out


def test_pool_extremize_nr_on_sevillas_example(capsys):
    # evidence.md: 1.40%, 2.21%, 0.39%, 0.40%; geometric mean of odds 0.836%, arithmetic mean 1.10%.
    data = run_json("pool", "--probs", "0.0140,0.0221,0.0039,0.0040", "--extremize", "nr")
    assert data["extremize_method"] == "nr"
    assert data["extremize"] == pytest.approx(4 * (math.sqrt(37) - 2) / 11, rel=1e-15)  # d(4)
    assert round(100 * data["unextremized"], 3) == 0.836 and round(100 * data["arithmetic_mean"], 2) == 1.10
    assert data["pooled_log_odds"] == pytest.approx(data["extremize"] * math.log(0.836 / 99.164), rel=1e-3)
    code, out, _ = run_main(capsys, "pool", "--probs", "0.0140,0.0221,0.0039,0.0040", "--extremize", "NR")
    assert code == 0 and "Neyman-Roughgarden d for n = 4" in out
    line = assert_main_error(capsys, ["pool", "--probs", "0.1,0.2", "--weights", "1,3", "--extremize", "nr"], "--weights")
    assert "equally weighted" in line


def test_pool_reads_a_csv_file(capsys, tmp_path):
    path = tmp_path / "forecasts.csv"
    path.write_text("probability,weight\n0.1,3\n0.5,1\n", encoding="utf-8")
    code, out, _ = run_main(capsys, "pool", "--file", str(path), "--json")
    assert code == 0
    assert json.loads(out)["pooled_log_odds"] == pytest.approx(-0.75 * math.log(9), rel=1e-13)


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--probs", "0"], "--probs[0]"),
        (["--probs", "1"], "--probs[0]"),
        (["--probs", "0.3,1"], "--probs[1]"),
        (["--probs", ""], "--probs"),
        (["--probs", "0.3,,0.4"], "--probs"),
        (["--probs", "0.3,0.4", "--weights", "1"], "--weights"),
        (["--probs", "0.3,0.4", "--weights", "1,2,3"], "--weights"),
        (["--probs", "0.3,0.4", "--weights", "1,-2"], "--weights[1]"),
        (["--probs", "0.3,0.4", "--weights", "0,0"], "--weights"),
        (["--probs", "0.3,0.4", "--extremize", "0"], "--extremize"),
        ([], "--probs"),
        (["--probs", "0.3", "--file", "x.csv"], "--probs"),
        (["--file", "/nonexistent/forecasts.csv"], "--file"),
        (["--probs", "0.3", "--plot", "out.jpg"], "--plot"),
        (["--probs", "0.3", "--plot", "/nonexistent-dir/out.png"], "--plot"),
    ],
)
def test_pool_bad_input(capsys, argv, field):
    assert_main_error(capsys, ["pool", *argv], field)


def test_pool_single_certain_forecast_through_a_subprocess():
    line = assert_one_line_error(run_cli("pool", "--probs", "1", "--json"), "--probs")
    assert "infinite log-odds" in line


def test_pool_bad_csv_row_names_the_file_and_row(capsys, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("p\n0.2\nmaybe\n", encoding="utf-8")
    line = assert_main_error(capsys, ["pool", "--file", str(path)], "--file")
    assert "row 2" in line


# -- writing files: --plot / --csv -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".PNG"])
def test_plot_and_csv_files_are_written_and_read_back(capsys, tmp_path, suffix):
    plot, table = tmp_path / f"pool{suffix}", tmp_path / "pool.csv"
    argv = ["pool", "--probs", "0.1,0.3,0.6", "--plot", str(plot), "--csv", str(table), "--json"]
    if suffix == ".png":  # once through a real subprocess
        proc = run_cli(*argv)
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
    else:
        code, out, err = run_main(capsys, *argv)
        assert code == 0, err
        data = json.loads(out)
    assert data["written"] == [str(plot), str(table)]
    head = plot.read_bytes()[:400]
    magic = MAGIC[suffix.lower()]
    assert magic in head if suffix == ".svg" else head.startswith(magic)
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert [float(r["probability"]) for r in rows[:3]] == [0.1, 0.3, 0.6]
    pooled = {r["kind"]: r for r in rows[3:]}
    assert float(pooled["geometric_mean_odds"]["probability"]) == data["geometric_mean_odds"]
    assert float(pooled["geometric_mean_odds"]["log_odds"]) == data["pooled_log_odds"]
    assert float(pooled["arithmetic_mean"]["probability"]) == data["arithmetic_mean"]
    # No temporary files are left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([plot.name, table.name])


def test_existing_files_are_not_overwritten_without_overwrite(capsys, tmp_path):
    plot, table = tmp_path / "p.png", tmp_path / "p.csv"
    plot.write_bytes(b"keep me")
    assert_main_error(capsys, ["pool", "--probs", "0.2,0.4", "--plot", str(plot)], "--plot")
    assert plot.read_bytes() == b"keep me"
    table.write_text("keep me too", encoding="utf-8")
    line = assert_main_error(capsys, ["pool", "--probs", "0.2,0.4", "--csv", str(table)], "--csv")
    assert "--overwrite" in line
    assert table.read_text(encoding="utf-8") == "keep me too"
    code, _, err = run_main(
        capsys, "pool", "--probs", "0.2,0.4", "--plot", str(plot), "--csv", str(table), "--overwrite"
    )
    assert code == 0, err
    assert plot.read_bytes().startswith(MAGIC[".png"])
    assert table.read_text(encoding="utf-8").startswith("kind,probability")
    assert oct(os.stat(table).st_mode & 0o777) != oct(0o600)  # not mkstemp's private mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv", "p.png"]


def test_unknown_plot_suffix_writes_nothing(tmp_path):
    target = tmp_path / "plot.jpeg"
    assert_one_line_error(run_cli("pool", "--probs", "0.2", "--plot", str(target)), "--plot")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_directory_is_an_input_error(capsys, tmp_path, monkeypatch):
    # Simulated: the tests may run as root, who can write to read-only directories.
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    line = assert_main_error(capsys, ["pool", "--probs", "0.2", "--csv", str(tmp_path / "x.csv")], "--csv")
    assert "Permission denied" in line
    assert list(tmp_path.iterdir()) == []


def test_plot_and_csv_must_differ(capsys, tmp_path):
    same = tmp_path / "x.png"
    assert_main_error(capsys, ["pool", "--probs", "0.2", "--plot", str(same), "--csv", str(same)], "--csv")


# -- scenario commands ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenarios():
    scenario = pytest.importorskip("beliefs.io.scenario", reason="beliefs/io/scenario.py is not in this tree yet")
    return scenario


def test_crux_json_contract_parts_sum_to_total(scenarios):
    out = run_json("crux", "stated-3-to-1", "report-confusion")
    assert {"total_bits", "prior_bits", "items"} <= set(out)
    assert all({"label", "bits"} <= set(item) for item in out["items"])
    parts = [out["prior_bits"]] + [item["bits"] for item in out["items"]]
    assert abs(math.fsum(parts) - out["total_bits"]) <= 1e-12
    a = scenarios.get_scenario("stated-3-to-1").result()
    b = scenarios.get_scenario("report-confusion").result()
    gap = (a.posterior_log_odds - b.posterior_log_odds) / math.log(2)
    assert out["total_bits"] == pytest.approx(gap, abs=1e-12)


def test_crux_of_a_scenario_with_itself_is_zero(capsys, scenarios):
    code, out, _ = run_main(capsys, "crux", "carlsmith", "carlsmith", "--json")
    data = json.loads(out)
    assert code == 0 and data["total_bits"] == 0.0
    assert all(item["bits"] == 0.0 for item in data["items"])


def test_crux_human_and_files(capsys, scenarios, tmp_path):
    code, out, err = run_main(
        capsys,
        "crux",
        "carlsmith",
        "miri-ish",
        "--plot",
        str(tmp_path / "c.svg"),
        "--csv",
        str(tmp_path / "c.csv"),
    )
    assert code == 0, err
    assert "gap" in out and "prior" in out
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    assert rows[0]["label"] == "prior"
    assert MAGIC[".svg"] in (tmp_path / "c.svg").read_bytes()[:400]


def test_robustness_posterior_at_the_scenarios_prior_equals_its_result(scenarios, tmp_path):
    scn = scenarios.get_scenario("stated-3-to-1")
    plot = tmp_path / "r.png"
    out = run_json("robustness", "stated-3-to-1", "--plot", str(plot))
    assert out["posterior"] == scn.result().posterior
    assert out["prior"] == scn.result().prior
    users = [row for row in out["grid"] if row["is_user_prior"]]
    assert len(users) == 1 and users[0]["posterior"] == scn.result().posterior
    assert plot.read_bytes().startswith(MAGIC[".png"])


def test_sequential_ends_at_the_scenarios_posterior(capsys, scenarios, tmp_path):
    scn = scenarios.get_scenario("carlsmith")
    code, out, err = run_main(
        capsys, "sequential", "carlsmith", "--threshold", "0.9", "--json", "--csv", str(tmp_path / "s.csv")
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["steps"][-1]["probability"] == pytest.approx(scn.result().posterior, rel=1e-14)
    assert data["threshold"] == 0.9
    rows = list(csv.DictReader(io.StringIO((tmp_path / "s.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(data["steps"])
    assert [float(r["log_odds"]) for r in rows] == [s["log_odds"] for s in data["steps"]]


def test_tornado_rows_move_by_the_factor(capsys, scenarios):
    code, out, err = run_main(capsys, "tornado", "stated-3-to-1", "--mode", "ratio", "--factor", "4", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["factor"] == 4.0
    prior_row = next(r for r in data["rows"] if r["label"] == "prior odds")
    assert prior_row["high_shift_db"] == pytest.approx(10 * math.log10(4), rel=1e-12)
    impacts = [r["impact_pp"] for r in data["rows"]]
    assert impacts == sorted(impacts, reverse=True)


def test_dependence_command(capsys, scenarios):
    code, out, err = run_main(capsys, "dependence", "carlsmith", "--json")
    assert code == 0, err
    data = json.loads(out)
    scn = scenarios.get_scenario("carlsmith")
    assert data["adjusted_posterior"] == scn.result().posterior


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["tornado", "carlsmith", "--factor", "1"], "--factor"),
        (["tornado", "carlsmith", "--factor", "0"], "--factor"),
        (["tornado", "carlsmith", "--factor", "-2"], "--factor"),
        (["tornado", "carlsmith", "--factor", "abc"], "--factor"),
        (["sequential", "carlsmith", "--threshold", "1"], "--threshold"),
        (["sequential", "carlsmith", "--threshold", "0"], "--threshold"),
        (["robustness", "carlsmith", "--plot", "x.gif"], "--plot"),
    ],
)
def test_scenario_commands_bad_input(capsys, scenarios, argv, field):
    assert_main_error(capsys, argv, field)


def test_unknown_scenario_is_one_line(scenarios):
    proc = run_cli("crux", "carlsmith", "no-such-scenario-xyz")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "no-such-scenario-xyz" in proc.stderr


@pytest.fixture
def ledger_file(scenarios, tmp_path):
    """A scenario file with three items (one dependence group) and covert-action counts."""
    from beliefs.evidence import Evidence

    scn = scenarios.Scenario.from_evidence(
        0.25,
        [
            Evidence("report", p_e_given_h=0.75, p_e_given_not_h=0.25, id="report"),
            Evidence("x", likelihood_ratio=2, group="g", discount=0.5),
            Evidence("y", likelihood_ratio=4, group="g", discount=0.5),
        ],
        name="ledger",
        models={
            "covert_actions": {
                "k": [3, 0, 5],
                "n": [100, 50, 200],
                "rate_if_h": [1, 20],
                "rate_if_not_h": [1, 200],
                "pooling": "none",
            }
        },
    )
    path = tmp_path / "ledger.json"
    path.write_text(scenarios.scenario_to_json(scn), encoding="utf-8")
    return path


def test_robustness_data_heat_map_matches_scipy(capsys, ledger_file, tmp_path):
    from scipy import stats

    code, out, err = run_main(
        capsys, "robustness", str(ledger_file), "--data", "--json", "--plot", str(tmp_path / "h.pdf")
    )
    assert code == 0, err
    data = json.loads(out)
    k, n = [3, 0, 5], [100, 50, 200]
    log_bf = np.sum(stats.betabinom.logpmf(k, n, 1, 20)) - np.sum(stats.betabinom.logpmf(k, n, 1, 200))
    assert data["log10_bf_at_choice"] == pytest.approx(log_bf / math.log(10), rel=1e-10)
    odds = (1 / 3) * math.exp(log_bf)
    assert data["posterior_at_choice"] == pytest.approx(odds / (1 + odds), rel=1e-10)
    assert (tmp_path / "h.pdf").read_bytes().startswith(MAGIC[".pdf"])


def test_sequential_data_and_dependence_on_a_scenario_file(capsys, ledger_file):
    from scipy import stats

    code, out, _ = run_main(capsys, "sequential", str(ledger_file), "--data", "--threshold", "0.5", "--json")
    assert code == 0
    data = json.loads(out)
    k, n = [3, 0, 5], [100, 50, 200]
    log_bf = np.sum(stats.betabinom.logpmf(k, n, 1, 20)) - np.sum(stats.betabinom.logpmf(k, n, 1, 200))
    assert data["steps"][-1]["log_odds"] == pytest.approx(math.log(1 / 3) + log_bf, rel=1e-10)
    assert data["crossed_at"] == 1
    code, out, _ = run_main(capsys, "dependence", str(ledger_file), "--json")
    assert code == 0
    data = json.loads(out)
    # Naive 1:3 x 3 x 2 x 4 = 8:1; adjusted 1:3 x 3 x sqrt(8).
    assert data["naive_posterior"] == pytest.approx(8 / 9, rel=1e-14)
    assert data["adjusted_posterior"] == pytest.approx(math.sqrt(8) / (1 + math.sqrt(8)), rel=1e-14)


def test_tornado_on_a_ledger_file(capsys, ledger_file):
    code, out, _ = run_main(capsys, "tornado", str(ledger_file), "--mode", "ratio", "--json")
    assert code == 0
    rows = {r["label"]: r for r in json.loads(out)["rows"]}
    assert rows["report"]["high_shift_db"] == pytest.approx(10 * math.log10(2), rel=1e-12)
    assert rows["x"]["high_shift_db"] == pytest.approx(5 * math.log10(2), rel=1e-12)  # discount 0.5


def test_data_flag_needs_counts(capsys, scenarios):
    assert_main_error(capsys, ["robustness", "carlsmith", "--data"], "--data")
