"""`beliefs evidence ...` and `beliefs scenario ...` as a user runs them.

The main paths run in a subprocess (``python -m beliefs``).  The bad-input
matrix calls :func:`beliefs.cli.main` in-process, which is the same code
path minus interpreter start-up (seconds per call on a loaded machine).
"""

import json
import math
import subprocess

import pytest

from beliefs.cli import main
from tests.cli_helpers import assert_one_line_error, run_cli, run_json

pytestmark = pytest.mark.core  # runs with the core install alone (see test_core_install.py)


@pytest.fixture
def cli(capsys):
    """Run ``main(argv)`` in-process; return a CompletedProcess like run_cli's."""

    def run(*argv: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(argv), code, out, err)

    return run


def _json(cli, *argv):
    proc = cli(*argv, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


SCENARIO_KEYS = {
    "format", "version", "name", "title", "description", "hypothesis", "prior", "prior_source",
    "compare_priors", "evidence", "models",
}  # fmt: skip (no "app": a built-in has no display settings, and null is not written, issue 22.22)


# -- evidence -------------------------------------------------------------------------


def test_evidence_list_json_is_a_list_of_entries():
    out = run_json("evidence", "list")
    assert isinstance(out, list) and len(out) == 49  # 32 rows of evidence.md + 9 (2026-11-27) + 8 (2026-12-06)
    assert all(set(row) == {"id", "status", "claim"} for row in out)
    by_id = {row["id"]: row["status"] for row in out}
    assert by_id["antischeming_o3_covert_rate"] == "P" and by_id["palisade_shutdown"] == "S"


def test_evidence_list_human_table_and_status_filter(cli):
    proc = cli("evidence", "list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["id", "status", "claim"]
    assert any(line.startswith("palisade_shutdown ") and " S " in line for line in lines)
    only_s = _json(cli, "evidence", "list", "--status", "S")
    assert only_s and {row["status"] for row in only_s} == {"S"}


def test_evidence_show_json_has_source_figures_and_notes():
    out = run_json("evidence", "show", "antischeming_o3_covert_rate")
    assert set(out) >= {"id", "claim", "status", "source", "figures", "notes"}
    assert "arXiv:2509.15541" in out["source"]["citation"]
    assert out["source"]["location"] == "Abstract; §5.1.2; Fig. 9 (top)"
    assert [f["value"] for f in out["figures"]] == [0.13, 0.004]


def test_evidence_show_human_flags_back_calculated_counts(cli):
    proc = cli("evidence", "show", "ics_o1_email_rerank")
    assert proc.returncode == 0, proc.stderr
    assert "22% (≈66/300) [count back-calculated, not published]" in proc.stdout
    assert "21/22" in proc.stdout and "≈21/22" not in proc.stdout
    assert "not likelihood ratios" in proc.stdout


def test_evidence_show_unknown_id_is_one_line_with_suggestions():
    line = assert_one_line_error(run_cli("evidence", "show", "palisade"), "evidence id")
    assert "'palisade'" in line and "did you mean palisade_shutdown" in line


# -- scenario list / show / run ----------------------------------------------------------------


def test_scenario_list_names_the_builtins():
    out = run_json("scenario", "list")
    assert [row["name"] for row in out] == [
        "stated-3-to-1", "report-3-to-1", "report-confusion", "carlsmith", "greenblatt", "miri-ish", "rare-scheming",
    ]  # fmt: skip
    assert {row["name"]: row["prior"] for row in out}["carlsmith"] == 0.25


def test_scenario_show_json_is_the_scenario_document(cli):
    out = _json(cli, "scenario", "show", "report-confusion")
    assert set(out) == SCENARIO_KEYS
    assert out["evidence"][0]["source"]["status"] == "X"
    human = cli("scenario", "show", "report-confusion")
    assert human.returncode == 0 and "H:" in human.stdout and "status X" in human.stdout


def test_scenario_run_stated_3_to_1_json():
    out = run_json("scenario", "run", "stated-3-to-1")
    assert set(out) == {"scenario", "result", "compare", "provenance"}
    assert out["provenance"] == []  # no item derived from data under unpublished assumptions
    assert out["scenario"] == "stated-3-to-1"
    result = out["result"]
    assert result["prior"] == 0.5
    assert result["posterior"] == pytest.approx(0.75, rel=1e-14)
    assert result["bits"] == pytest.approx(math.log2(3), rel=1e-14)
    assert result["decibels"] == pytest.approx(10 * math.log10(3), rel=1e-14)
    assert result["items"][0]["likelihood_ratio"] == pytest.approx(3.0, rel=1e-14)
    (row,) = out["compare"]
    assert set(row) == {"prior", "posterior", "prior_odds", "posterior_odds"}
    assert row["prior"] == 0.25 and row["prior_odds"] == pytest.approx(1 / 3, rel=1e-14)
    assert row["posterior"] == pytest.approx(0.5, rel=1e-14)
    assert row["posterior_odds"] == pytest.approx(1.0, rel=1e-14)


def test_scenario_run_stated_3_to_1_human():
    proc = run_cli("scenario", "run", "stated-3-to-1")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "0.75 vs 0.25 = 3:1 = 1.58 bits = 4.77 dB" in text
    assert "+1.585" in text and "+4.77" in text
    assert "prior 25% (odds 1:3) -> posterior 50% (odds 1:1)" in text.splitlines()
    assert any(line.startswith("posterior") and "75%" in line and "3:1" in line for line in text.splitlines())


def test_scenario_run_with_another_prior(cli):
    out = _json(cli, "scenario", "run", "report-confusion", "--prior", "0.5")
    # Hand: odds 1:1 x 0.75/0.5 = 3:2 -> 60%.
    assert out["result"]["posterior"] == pytest.approx(0.6, rel=1e-14)
    line = assert_one_line_error(cli("scenario", "run", "stated-3-to-1", "--prior", "50%"), "--prior")
    assert "did you mean 0.5" in line


# -- save, then run from the file -------------------------------------------------------------------


def test_scenario_save_then_run_the_file(tmp_path):
    path = tmp_path / "mine.json"
    proc = run_cli("scenario", "save", "greenblatt", str(path))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(path.read_text(encoding="utf-8"))["name"] == "greenblatt"
    assert run_json("scenario", "run", str(path)) == run_json("scenario", "run", "greenblatt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.json"]


def test_scenario_save_refuses_to_overwrite_without_the_flag(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text("keep me", encoding="utf-8")
    line = assert_one_line_error(run_cli("scenario", "save", "carlsmith", str(path)), "path")
    assert "mine.json" in line and "--overwrite" in line
    assert path.read_text(encoding="utf-8") == "keep me"
    assert run_cli("scenario", "save", "carlsmith", str(path), "--overwrite").returncode == 0
    assert json.loads(path.read_text(encoding="utf-8"))["name"] == "carlsmith"


def test_certain_prior_in_a_file_runs_and_is_explained(tmp_path, cli):
    doc = _json(cli, "scenario", "show", "stated-3-to-1")
    doc["prior"] = 1.0
    path = tmp_path / "certain.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = _json(cli, "scenario", "run", str(path))
    assert out["result"]["posterior"] == 1.0 and "Cromwell" in out["result"]["note"]


# -- bad input: exit 2, one line naming the field --------------------------------------------


def _valid_doc(cli) -> dict:
    return _json(cli, "scenario", "show", "stated-3-to-1")


BAD_FILES = [
    pytest.param(b"", "SCENARIO", "the document is empty", id="empty"),
    pytest.param(b"this is not json", "SCENARIO", "valid JSON", id="not-json"),
    pytest.param(b"[]", "SCENARIO", "a JSON object", id="array"),
    pytest.param(
        b'{"format": "beliefs-scenario", "version": 1, "prior": NaN}', "SCENARIO", "'NaN'", id="nan"
    ),
    pytest.param(b"[" * 100_000, "SCENARIO", "nested more than 32 levels", id="nested"),
    pytest.param(b'{"format": "csv", "version": 1}', "format", "'beliefs-scenario'", id="format"),
    pytest.param(
        b'{"format": "beliefs-scenario", "version": 9, "prior": 0.5}', "version", "got 9", id="version"
    ),
]


@pytest.mark.parametrize(("content", "field", "fragment"), BAD_FILES)
def test_bad_scenario_files_exit_2_with_one_line(tmp_path, cli, content, field, fragment):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    line = assert_one_line_error(cli("scenario", "run", str(path)), field)
    assert fragment in line


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        (lambda d: d.__setitem__("priorr", d.pop("prior")), "priorr", "unknown field 'priorr'"),
        (
            lambda d: d["evidence"][0].__setitem__("p_e_given_h", "0.75"),
            "evidence[0].p_e_given_h",
            "got '0.75'",
        ),
        (
            lambda d: d["evidence"][0].__setitem__("p_e_given_not_h", 0),
            "evidence[0].p_e_given_not_h",
            "got 0",
        ),
        (lambda d: d.__setitem__("prior", True), "prior", "got true"),
    ],
)
def test_wrong_shapes_name_the_field(tmp_path, cli, change, field, fragment):
    doc = _valid_doc(cli)
    change(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    for command in ("run", "show"):
        line = assert_one_line_error(cli("scenario", command, str(path)), field)
        assert fragment in line


@pytest.mark.parametrize(
    ("content", "fragment"), [(b"", "the document is empty"), (b'{"prior": NaN}', "'NaN'")]
)
def test_bad_file_through_a_real_process(tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    assert fragment in assert_one_line_error(run_cli("scenario", "run", str(path)), "SCENARIO")


def test_a_30_mb_file_is_refused_on_its_size(tmp_path):
    # Refused on its size before it is read: tests/test_scenario.py checks the file is never opened; the time it
    # takes is bench/readers.py's row, not an assertion here.
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.truncate(30_000_000)
    proc = run_cli("scenario", "run", str(path))
    line = assert_one_line_error(proc, "scenario")
    assert "30,000,000 bytes" in line and "at most 1,000,000 bytes" in line


def test_unknown_scenario_name_lists_the_builtins():
    line = assert_one_line_error(run_cli("scenario", "run", "miri"), "scenario")
    assert "'miri'" in line and "stated-3-to-1" in line and "miri-ish" in line


def test_missing_file_and_missing_arguments(cli):
    assert "no such file" in assert_one_line_error(cli("scenario", "show", "nowhere/x.json"), "scenario")
    assert_one_line_error(cli("scenario", "save", "carlsmith"), "FILE")
    assert_one_line_error(cli("evidence"), "evidence")


# -- what the ledger rests on, printed as the exports print it --------------------------------------------


def _every_kind(tmp_path, *, beta: bool = True):
    """stated-3-to-1 with one item of each kind: ratio, pair, sd of ln LR, weighted group, Betas, 1:1, disabled."""
    base = json.loads(run_cli("scenario", "show", "stated-3-to-1", "--json").stdout)
    item = {**base["evidence"][0], "note": "", "p_e_given_h": None, "p_e_given_not_h": None, "likelihood_ratio": None}
    items = [
        {**item, "label": "ratio", "id": "r", "likelihood_ratio": 3.0},
        {**item, "label": "pair", "id": "p", "p_e_given_h": 0.6, "p_e_given_not_h": 0.3},
        {**item, "label": "spread", "id": "u", "likelihood_ratio": 2.0, "log_lr_sigma": 0.5},
        {**item, "label": "grouped", "id": "g", "likelihood_ratio": 4.0, "discount": 0.5, "group": "g1"},
        {**item, "label": "unstated", "id": "n", "p_e_given_h": 0.5, "p_e_given_not_h": 0.5},
        {**item, "label": "off", "id": "o", "likelihood_ratio": 10.0, "enabled": False},
    ]
    if beta:
        items.insert(4, {**item, "label": "betas", "id": "b", "p_e_given_h": 0.6, "p_e_given_not_h": 0.3,
                         "p_e_given_h_dist": {"alpha": 6, "beta": 4}, "p_e_given_not_h_dist": {"alpha": 3, "beta": 7}})
    path = tmp_path / "every-kind.json"
    path.write_text(json.dumps({**base, "name": "every-kind", "prior": 0.25, "evidence": items}), encoding="utf-8")
    return path


def test_scenario_run_and_show_print_what_each_item_rests_on_as_the_exports_do(cli, tmp_path):
    from beliefs.export.ledger import build_ledger
    from beliefs.io.scenario import load_scenario

    path = _every_kind(tmp_path)
    run = cli("scenario", "run", str(path))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "evidence[2] spread: uncertain: sd of ln LR 0.5" in lines
    assert "evidence[4] betas: uncertain: P(E|H) ~ Beta(6, 4), P(E|not H) ~ Beta(3, 7)" in lines
    assert "evidence[6] off: disabled, not counted (LR 10:1 = 3.32 bits = 10 dB)" in lines
    # The spread the Markdown and HTML exports state for the same file, word for word.
    ledger = build_ledger(load_scenario(path))
    assert f"posterior under the stated uncertainty: {ledger.distribution_text}" in lines
    show = cli("scenario", "show", str(path)).stdout.splitlines()
    assert "    uncertain: sd of ln LR 0.5" in show
    assert "    weight 0.5 (group g1)" in show
    assert "  evidence[6]: off (disabled)" in show
    # A ledger with nothing uncertain prints none of it.
    plain = cli("scenario", "run", "stated-3-to-1").stdout
    assert "uncertain" not in plain and "disabled" not in plain


def test_scenario_run_spread_against_the_lognormal_median(cli, tmp_path):
    # With one uncertain item, ln LR ~ Normal(ln 2, 0.5^2): the posterior log-odds are normal, and the median
    # P(H) is the point posterior (logit(0.25) + ln 3 + ln 2 + ln 2 + 0.5 ln 4 + 0 = ln 8 + ...), to Monte Carlo error.
    out = _json(cli, "scenario", "run", str(_every_kind(tmp_path, beta=False)))
    exact = math.log(1 / 3) + math.log(3) + math.log(2) + math.log(2) + 0.5 * math.log(4)
    median = out["posterior_distribution"]["median"]
    # 40,000 draws: the median's sd is 1.2533 x 0.5 / 200 = 0.0031 in log-odds; 5 sd allowed.
    assert math.log(median / (1 - median)) == pytest.approx(exact, abs=5 * 0.0031)
    assert out["result"]["posterior"] == pytest.approx(1 / (1 + math.exp(-exact)), rel=1e-12)
