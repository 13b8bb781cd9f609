"""Hostile input, one table: every boundary answers bad input with a clear, named refusal.

Each row says exactly what kind of answer it expects:

* CLI rows: exit status 2, exactly one line on stderr, naming the field (and,
  where given, a fragment such as the "did you mean 0.75?" hint), no traceback;
* library rows: an :class:`~beliefs.errors.InputError` (a ``ValueError``) whose
  message names the field;
* link rows (``beliefs.io.link.decode``): no exception, one warning naming
  the parameter, and that field left at its default;
* app rows (AppTest): ``st.error`` shown, no exception, state unchanged.

The CLI rows run ``beliefs.cli.main`` in process (the same code path as the
installed command, without a new interpreter per row); a few rows are also run
as real subprocesses to check the process boundary itself.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from beliefs.errors import InputError
from tests.cli_helpers import assert_one_line_error, run_cli

NAN, INF = float("nan"), float("inf")
_SCN = {"format": "beliefs-scenario", "version": 1}
_ITEM = {"label": "x", "p_e_given_h": 0.75, "p_e_given_not_h": 0.25}

# -- files the CLI rows point at -----------------------------------------------------------

FILES = {
    "bad_json": b"{not json",
    "not_scenario": json.dumps({"prior": 0.5}).encode(),
    "percent_prior": json.dumps({**_SCN, "prior": 75}).encode(),
    "nan_prior": b'{"format": "beliefs-scenario", "version": 1, "prior": NaN}',
    "future": json.dumps({**_SCN, "version": 99, "prior": 0.5}).encode(),
    "zero_likelihood": json.dumps(
        {**_SCN, "prior": 0.5, "evidence": [{**_ITEM, "p_e_given_not_h": 0}]}
    ).encode(),
    "binary": b"\xff\xfe\x00\x01garbage",
    "empty": b"",
    "fc_percent": b"probability,weight\n0.2,1\n75,1\n",
    "fc_no_col": b"name,weight\nann,1\n",
    "fc_empty": b"\n\n",
    "fc_nan": b"0.2\nnan\n",
    "fc_ragged": b"probability,weight\n0.2,1\n0.3\n",
    "fc_binary": b"\xff\xfe\x00\x01",
    # issue 15: lone surrogates (JSON escapes) in each text field, a file longer than a link may be
    "surrogate_note": json.dumps({**_SCN, "prior": 0.5, "evidence": [{**_ITEM, "note": "\udfff"}]}).encode(),
    "surrogate_group": json.dumps({**_SCN, "prior": 0.5, "evidence": [{**_ITEM, "group": "\ud800"}]}).encode(),
    "surrogate_id": json.dumps({**_SCN, "prior": 0.5, "evidence": [{**_ITEM, "id": "\udfff"}]}).encode(),
    "surrogate_label": json.dumps({**_SCN, "prior": 0.5, "evidence": [{**_ITEM, "label": "\ud800"}]}).encode(),
    "surrogate_title": json.dumps({**_SCN, "prior": 0.5, "title": "\udfff"}).encode(),
    "surrogate_hypothesis": json.dumps({**_SCN, "prior": 0.5, "hypothesis": "\udfff"}).encode(),
    "surrogate_description": json.dumps({**_SCN, "prior": 0.5, "description": "\udfff"}).encode(),
    "items_41": json.dumps({**_SCN, "prior": 0.5, "evidence": [_ITEM] * 41}).encode(),
    "exists_png": b"old",
    "exists_json": b"old",
    "exists_csv": b"old",
}


@pytest.fixture
def files(tmp_path) -> dict[str, str]:
    out = {}
    for name, data in FILES.items():
        suffix = (
            "." + name.split("_")[1]
            if name.startswith("exists_")
            else ".csv"
            if name.startswith("fc_")
            else ".json"
        )
        p = tmp_path / (name + suffix)
        p.write_bytes(data)
        out[name] = str(p)
    out["missing"] = str(tmp_path / "missing.json")
    out["missing_dir"] = str(tmp_path / "no-such-dir" / "out.json")
    out["dir"] = str(tmp_path)
    out["new_txt"] = str(tmp_path / "new.txt")
    out["long_name"] = str(tmp_path / ("x" * 300 + ".csv"))
    out["deep_path"] = str(tmp_path / "/".join(["d" * 200] * 30) / "out.png")
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "exists_csv.csv")
    out["symlink"] = str(link)
    return out


# -- CLI rows: (argv, field, fragment) --------------------------------------------------------
U = ["update", "--prior"]
CNT = ["counts", "--prior", "0.5", "--rate-if-h", "1,9", "--rate-if-not-h", "1,99"]
CH = ["chain", "--base", "1"]
MO = ["monitor", "--rate", "0.01", "--report", "0.9"]

CLI_ROWS = [
    # update: percent, non-finite, empty, wrong type, huge, unicode, odds typed as a probability
    ([*U, "75"], "--prior", "did you mean 0.75?"),
    ([*U, "75%"], "--prior", "did you mean 0.75?"),
    ([*U, "nan"], "--prior", "probability"),
    ([*U, "inf"], "--prior", "probability"),
    ([*U, "-inf"], "--prior", ""),  # argparse reads it as an option; still one line naming --prior
    (["update", "--prior=-inf"], "--prior", "probability"),
    ([*U, ""], "--prior", "probability"),
    ([*U, "   "], "--prior", "probability"),
    ([*U, "abc"], "--prior", "probability"),
    ([*U, "1e309"], "--prior", "probability"),
    ([*U, "-0.1"], "--prior", "probability"),
    ([*U, "9" * 5000], "--prior", "probability"),
    ([*U, "½"], "--prior", "probability"),
    ([*U, "0.5\x00"], "--prior", "probability"),
    ([*U, "3:1"], "--prior", "odds 3:1"),
    ([*U, "0.5", "--lr", "0"], "--lr", "> 0"),
    ([*U, "0.5", "--lr", "-3"], "--lr", "> 0"),
    ([*U, "0.5", "--lr", "nan"], "--lr", "> 0"),
    ([*U, "0.5", "--lr", "1e400"], "--lr", "> 0"),
    ([*U, "0.5", "--lr", "3:1"], "--lr", "> 0"),
    ([*U, "0.5", "--evidence", "0.75"], "--evidence", "P(E|H):P(E|not H)"),
    ([*U, "0.5", "--evidence", "0.75:0"], "--evidence P(E|not H)", "exactly 0"),
    ([*U, "0.5", "--evidence", "75:25"], "--evidence P(E|H)", "did you mean 0.75?"),
    ([*U, "0.5", "--evidence", "0.75:0.25:0.1"], "--evidence", "two probabilities"),
    ([*U, "0.5", "--evidence", ":"], "--evidence P(E|H)", "probability"),
    (["update"], "--prior", "required"),
    ([*U, "0.5", "--bogus"], "--bogus", "unrecognized"),
    # evidence catalogue and scenarios
    (["evidence", "show", "no-such-entry"], "no-such-entry", ""),
    (["scenario", "show", "no-such-scenario"], "scenario", "built-in scenario"),
    (["scenario", "run", "{missing}"], "SCENARIO", "no such file"),
    (["scenario", "run", "{bad_json}"], "SCENARIO", "valid JSON"),
    (["scenario", "run", "{not_scenario}"], "format", "beliefs-scenario"),
    (["scenario", "run", "{percent_prior}"], "prior", "did you mean 0.75?"),
    (["scenario", "run", "{nan_prior}"], "SCENARIO", "NaN"),
    (["scenario", "run", "{future}"], "version", "newer version"),
    (["scenario", "run", "{zero_likelihood}"], "evidence[0].p_e_given_not_h", "(0, 1]"),
    (["scenario", "run", "{binary}"], "SCENARIO", "UTF-8"),
    (["scenario", "run", "{empty}"], "SCENARIO", "empty"),
    (["scenario", "run", "{dir}"], "SCENARIO", ""),
    (["scenario", "run", "stated-3-to-1", "--prior", "75"], "--prior", "did you mean 0.75?"),
    (["scenario", "save", "stated-3-to-1", "{exists_json}"], "path", "--overwrite"),
    (["scenario", "save", "stated-3-to-1", "{missing_dir}"], "path", "existing directory"),
    (["scenario", "save", "stated-3-to-1", "{dir}"], "path", "not a directory"),
    # counts
    ([*CNT, "--k", "1,2", "--n", "10"], "--n", ""),
    ([*CNT, "--k", "11", "--n", "10"], "--k", ""),
    ([*CNT, "--k", "-1", "--n", "10"], "--k", ""),
    ([*CNT, "--k", "", "--n", "10"], "--k", ""),
    ([*CNT, "--k", "1.5", "--n", "10"], "--k", ""),
    ([*CNT, "--k", "1", "--n", "1e30"], "--n", ""),
    (
        ["counts", "--k", "1", "--n", "10", "--prior", "50", "--rate-if-h", "1,9", "--rate-if-not-h", "1,99"],
        "--prior",
        "did you mean 0.5?",
    ),
    (
        [
            "counts",
            "--k",
            "1",
            "--n",
            "10",
            "--prior",
            "0.5",
            "--rate-if-h",
            "0,9",
            "--rate-if-not-h",
            "1,99",
        ],
        "--rate-if-h",
        "",
    ),
    (
        ["counts", "--k", "1", "--n", "10", "--prior", "0.5", "--rate-if-h", "1", "--rate-if-not-h", "1,99"],
        "--rate-if-h",
        "",
    ),
    ([*CNT, "--k", "1", "--n", "10", "--pooling", "full"], "--pooling", "'none' or 'partial'"),
    ([*CNT, "--k", "1", "--n", "10", "--timeout", "0"], "--timeout", "> 0"),
    ([*CNT, "--k", "1", "--n", "10", "--draws", "10"], "--draws", ">= 100"),
    # elicit
    (["elicit", "--lower", "0.5", "--upper", "0.1"], "--upper", ""),
    (["elicit", "--lower", "0", "--upper", "0.1"], "--lower", "strictly between 0 and 1"),
    (["elicit", "--lower", "0.01", "--upper", "0.1", "--mass", "90"], "--mass", "did you mean 0.9?"),
    (["elicit", "--lower", "nan", "--upper", "0.1"], "--lower", ""),
    # chain
    (["chain", "--base", "2", "--per-step", "0.98", "--steps", "10"], "--base", ""),
    ([*CH, "--per-step", "98", "--steps", "10"], "--per-step", "did you mean 0.98?"),
    ([*CH, "--per-step", "0.98", "--steps", "-1"], "--steps", "whole number"),
    ([*CH, "--per-step", "0.98", "--steps", "1.5"], "--steps", "whole number"),
    ([*CH, "--per-step", "0.98", "--steps", "10" * 40], "--steps", "whole number"),
    ([*CH, "--per-step-beta", "0,1", "--steps", "10"], "--per-step-beta", ""),
    ([*CH, "--per-step-beta", "9,1", "--steps", "10", "--interval", "1.5"], "--interval", ""),
    # monitor
    ([*MO[:1], "--rate", "1.5", "--report", "0.9", "--tasks", "10"], "--rate", ""),
    ([*MO, "--tasks", "-1"], "--tasks", "whole number"),
    ([*MO, "--tasks", "10", "--collusion", "nan"], "--collusion", ""),
    (["monitor", "--rate", "0.01", "--report", "", "--tasks", "10"], "--report", ""),
    # needed
    (["needed", "--prior", "0", "--target", "0.5"], "--prior", ""),
    (["needed", "--prior", "0.5", "--target", "1"], "--target", ""),
    (["needed", "--prior", "75", "--target", "0.9"], "--prior", "did you mean 0.75?"),
    # pool (and its CSV file)
    (["pool", "--probs", "0.1,abc"], "--probs", ""),
    (["pool", "--probs", ""], "--probs", ""),
    (["pool", "--probs", "0.1,75"], "--probs", "did you mean 0.75?"),
    (["pool", "--probs", "0.1,0.2", "--weights", "1"], "--weights", ""),
    (["pool", "--probs", "0.1,0.2", "--extremize", "-1"], "--extremize", ""),
    (["pool", "--file", "{missing}"], "--file", ""),
    (["pool", "--file", "{fc_percent}"], "forecasts row 2 probability", "did you mean 0.75?"),
    (["pool", "--file", "{fc_no_col}"], "forecasts", "probability"),
    (["pool", "--file", "{fc_empty}"], "forecasts", "at least one"),
    (["pool", "--file", "{fc_nan}"], "forecasts row 2 probability", ""),
    (["pool", "--file", "{fc_ragged}"], "forecasts row 2 weight", ""),
    (["pool", "--file", "{fc_binary}"], "--file", "UTF-8"),
    (["pool", "--probs", "0.1,0.2", "--plot", "{new_txt}"], "--plot", ".png"),
    (["pool", "--probs", "0.1,0.2", "--plot", "{exists_png}"], "--plot", "--overwrite"),
    (["pool", "--probs", "0.1,0.2", "--csv", "{exists_csv}"], "--csv", "--overwrite"),
    # issue 15: numbers at the edges and hostile input, round two
    ([*U, "1e-400"], "--prior", "rounds to exactly 0"),
    ([*U, "0.99999999999999999"], "--prior", "rounds to exactly 1"),
    ([*U, "1e-400", "--lr", "3"], "--prior", "give it as odds"),
    ([*U, "\u0661"], "--prior", "ASCII digits"),
    ([*U, "\uff10.\uff15"], "--prior", "ASCII digits"),
    ([*U, "0.5", "--lr", "1_000"], "--lr", "ASCII digits"),
    ([*CH, "--per-step", "0.9", "--steps", "1_000"], "--steps", "ASCII digits"),
    ([*CH, "--per-step", "0.9", "--steps", "\u0661"], "--steps", "ASCII digits"),
    ([*CNT, "--k", "1", "--n", "1000000000000000000"], "--n[0]", "1000000000000000"),
    ([*CNT, "--k", "100000000000000000", "--n", "1000000000000000000"], "--k[0]", "1000000000000000"),
    (
        ["counts", "--k", "1,2", "--n", "10,10", "--prior", "0.5", "--rate-if-h", "1e-6,1e-6",
         "--rate-if-not-h", "1,9", "--pooling", "partial"],
        "--rate-if-h",
        "--pooling none",
    ),
    (["pool", "--probs", "0.1,0.2", "--extremize", "1e308"], "--extremize", "(0, 10]"),
    (["pool", "--file", "/dev/zero"], "--file", "at most 1,000,000 bytes"),
    (["pool", "--probs", "0.1,0.2", "--csv", "{long_name}"], "--csv", "at most 200 bytes"),
    (["pool", "--probs", "0.1,0.2", "--plot", "{deep_path}"], "--plot", "existing directory"),
    (["pool", "--probs", "0.1,0.2", "--csv", "{symlink}", "--overwrite"], "--csv", "symbolic link"),
    (["pool", "--probs", "0.1,0.2", "--csv", "/dev/null", "--overwrite"], "--csv", "not a regular file"),
    (["scenario", "save", "stated-3-to-1", "{symlink}", "--overwrite"], "path", "symbolic link"),
    (["scenario", "run", "{surrogate_note}"], "evidence[0].note", "valid Unicode"),
    (["scenario", "run", "{surrogate_group}"], "evidence[0].group", "valid Unicode"),
    (["scenario", "run", "{surrogate_id}"], "evidence[0].id", "valid Unicode"),
    (["scenario", "run", "{surrogate_label}"], "evidence[0].label", "valid Unicode"),
    (["scenario", "show", "{surrogate_title}"], "title", "valid Unicode"),
    (["scenario", "run", "{surrogate_hypothesis}"], "hypothesis", "valid Unicode"),
    (["scenario", "save", "{surrogate_description}", "{new_txt}"], "description", "valid Unicode"),
    (["scenario", "run", "{items_41}"], "evidence", "at most 40 evidence items"),
    (["sequential", "{items_41}"], "evidence", "at most 40"),
    # crux, robustness, sequential, tornado
    (["crux", "stated-3-to-1", "no-such-scenario"], "no-such-scenario", ""),
    (["crux", "stated-3-to-1", "{bad_json}"], "valid JSON", ""),
    (["robustness", "no-such-scenario"], "no-such-scenario", ""),
    (["robustness", "stated-3-to-1", "--data"], "--data", "covert-action counts"),
    (["sequential", "stated-3-to-1", "--threshold", "1.5"], "--threshold", ""),
    (["sequential", "stated-3-to-1", "--threshold", "0"], "--threshold", ""),
    (["tornado", "stated-3-to-1", "--factor", "1"], "--factor", ""),
    (["tornado", "stated-3-to-1", "--factor", "0"], "--factor", ""),
    (["tornado", "stated-3-to-1", "--factor", "nan"], "--factor", ""),
    (["tornado", "stated-3-to-1", "--mode", "sideways"], "--mode", ""),
]


def _fill(argv: list[str], files: dict[str, str]) -> list[str]:
    return [a.format(**files) if a.startswith("{") else a for a in argv]


@pytest.mark.parametrize(("argv", "field", "fragment"), CLI_ROWS, ids=[" ".join(r[0])[:60] for r in CLI_ROWS])
def test_cli_refuses_with_one_line(argv, field, fragment, files, capsys):
    from beliefs.cli import main

    code = main(_fill(argv, files))
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert out == "", out
    assert field in lines[0], lines[0]
    assert fragment in lines[0], lines[0]
    assert "internal error" not in lines[0]


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        ([*U, "75"], "--prior"),
        (["pool", "--probs", "0.1,abc"], "--probs"),
        (["tornado", "stated-3-to-1", "--mode", "sideways"], "--mode"),
    ],
)
def test_cli_refusal_as_a_real_process(argv, field):
    assert_one_line_error(run_cli(*argv, timeout=60), field)


def test_cli_does_not_overwrite_existing_outputs(files):
    # the refused --plot/--csv targets still hold what they held
    from beliefs.cli import main

    for name in ("exists_png", "exists_csv", "exists_json"):
        assert Path(files[name]).read_bytes() == b"old"
    main(["pool", "--probs", "0.1,0.2", "--plot", files["exists_png"]])
    main(["scenario", "save", "stated-3-to-1", files["exists_json"]])
    for name in ("exists_png", "exists_json"):
        assert Path(files[name]).read_bytes() == b"old"


# -- library rows: (callable, field, fragment) ---------------------------------------------------


def _lib_rows():
    from beliefs import chain, monitoring
    from beliefs.analysis.needed import needed
    from beliefs.analysis.pool import parse_forecasts_csv, pool
    from beliefs.analysis.sequential import sequential
    from beliefs.analysis.tornado import tornado
    from beliefs.counts import no_pooling_log_bf, parse_counts
    from beliefs.entry import parse_prior_text
    from beliefs.evidence import BetaDist, Evidence, Source
    from beliefs.io.scenario import parse_scenario
    from beliefs.io.scenario_schema import Scenario
    from beliefs.update import update

    big = json.dumps({**_SCN, "prior": 0.5, "evidence": [_ITEM] * 20000})
    rows = [
        ("update percent prior", lambda: update(75), "prior", "did you mean 0.75?"),
        ("update nan prior", lambda: update(NAN), "prior", "probability"),
        ("update inf prior", lambda: update(INF), "prior", "probability"),
        ("update text prior", lambda: update("abc"), "prior", "probability"),
        ("update None prior", lambda: update(None), "prior", "probability"),
        ("update bool prior", lambda: update(True), "prior", "probability"),
        ("update list prior", lambda: update([0.5]), "prior", "probability"),
        ("update odds-typed prior", lambda: update("3:1"), "prior", "odds 3:1"),
        ("update bad lr", lambda: update(0.5, [-2.0]), "evidence[0]", "> 0"),
        ("update text item", lambda: update(0.5, ["three"]), "evidence[0]", "> 0"),
        ("evidence p > 1", lambda: Evidence("x", p_e_given_h=1.5, p_e_given_not_h=0.5), "p_e_given_h", ""),
        (
            "evidence p = 0",
            lambda: Evidence("x", p_e_given_h=0.5, p_e_given_not_h=0.0),
            "p_e_given_not_h",
            "infinitely strong",
        ),
        (
            "evidence percent p",
            lambda: Evidence("x", p_e_given_h=75, p_e_given_not_h=0.25),
            "p_e_given_h",
            "did you mean 0.75?",
        ),
        ("evidence only one p", lambda: Evidence("x", p_e_given_h=0.5), "p_e_given_not_h", "both"),
        ("evidence empty label", lambda: Evidence("  ", likelihood_ratio=2.0), "label", "non-empty"),
        ("evidence nan lr", lambda: Evidence("x", likelihood_ratio=NAN), "likelihood_ratio", ""),
        (
            "evidence inconsistent lr",
            lambda: Evidence("x", p_e_given_h=0.75, p_e_given_not_h=0.25, likelihood_ratio=2.0),
            "likelihood_ratio",
            "",
        ),
        ("beta negative", lambda: BetaDist(-1.0, 2.0), "alpha", ""),
        ("source bad status", lambda: Source("c", status="Q"), "status", ""),
        ("needed target 1", lambda: needed(0.5, 1.0), "target", ""),
        ("needed percent", lambda: needed(0.5, 90), "target", "did you mean 0.9?"),
        ("pool out of range", lambda: pool([0.1, 2.0]), "probs", ""),
        ("pool empty", lambda: pool([]), "probs", ""),
        ("pool weights length", lambda: pool([0.1, 0.2], [1.0]), "weights", ""),
        ("pool nan", lambda: pool([0.1, NAN]), "probs", ""),
        ("csv not text", lambda: parse_forecasts_csv(b"0.1"), "forecasts", "CSV text"),
        (
            "csv percent",
            lambda: parse_forecasts_csv("0.1\n75\n"),
            "forecasts row 2",
            "did you mean 0.75?",
        ),
        (
            "csv unicode header",
            lambda: parse_forecasts_csv("вероятность\n0.1\n"),
            "forecasts",
            "header",
        ),
        (
            "csv negative weight",
            lambda: pool(*parse_forecasts_csv("0.1,1\n0.2,-1\n")),
            "weights",
            "",
        ),
        ("tornado factor 1", lambda: tornado(0.5, [3.0], factor=1.0), "factor", ""),
        ("sequential threshold", lambda: sequential(0.5, [3.0], threshold=2.0), "threshold", ""),
        ("chain base", lambda: chain.chain_success(base=2.0, steps=3, per_step=0.9), "base", ""),
        ("chain steps", lambda: chain.chain_success(base=1.0, steps=-3, per_step=0.9), "steps", ""),
        ("monitor rate nan", lambda: monitoring.monitor_risk(NAN, 0.9, tasks=10), "rate", ""),
        ("monitor tasks float", lambda: monitoring.monitor_risk(0.1, 0.9, tasks=1.5), "tasks", ""),
        ("prior text percent", lambda: parse_prior_text("150", "percent"), "prior", "[0, 100]"),
        ("prior text odds", lambda: parse_prior_text("1:0:1", "odds"), "prior", "a:b"),
        ("prior text log-odds", lambda: parse_prior_text("many bits", "log-odds"), "prior", "nats"),
        ("prior text entry", lambda: parse_prior_text("1", "fraction"), "entry", ""),
        ("counts k > n", lambda: parse_counts("5/3"), "counts[0].k", ""),
        ("counts garbage", lambda: parse_counts("5-3"), "counts[0]", "k/n"),
        ("scenario empty", lambda: parse_scenario(""), "scenario", "empty"),
        ("scenario list", lambda: parse_scenario("[1, 2]"), "scenario", "JSON object"),
        (
            "scenario wrong type",
            lambda: parse_scenario(json.dumps({**_SCN, "prior": "0.5"})),
            "prior",
            "without quotes",
        ),
        ("scenario percent", lambda: parse_scenario(json.dumps({**_SCN, "prior": 75})), "prior", "[0, 1]"),
        (
            "scenario typo",
            lambda: parse_scenario(json.dumps({**_SCN, "prior": 0.5, "evidense": []})),
            "evidense",
            "did you mean 'evidence'?",
        ),
        ("scenario missing prior", lambda: parse_scenario(json.dumps(_SCN)), "prior", "required"),
        (
            "scenario duplicate key",
            lambda: parse_scenario(
                '{"format": "beliefs-scenario", "version": 1, "prior": 0.5, "prior": 0.6}'
            ),
            "prior",
            "duplicate",
        ),
        (
            "scenario huge number",
            lambda: parse_scenario('{"format": "beliefs-scenario", "version": 1, "prior": 1e999}'),
            "prior",
            "overflows",
        ),
        (
            "scenario huge int",
            lambda: parse_scenario(
                '{"format": "beliefs-scenario", "version": 1, "prior": ' + "9" * 5000 + "}"
            ),
            "scenario",
            "valid JSON",
        ),
        ("scenario deep", lambda: parse_scenario("[" * 100000 + "]" * 100000), "scenario", "levels"),
        ("scenario too big", lambda: parse_scenario(big), "scenario", "at most"),
        (
            "scenario items wrong length",
            lambda: parse_scenario(
                json.dumps({**_SCN, "prior": 0.5, "models": {"covert_actions": {"k": [1, 2], "n": [10]}}})
            ),
            "models.covert_actions.n",
            "one trial count per count",
        ),
        (
            "scenario unicode name",
            lambda: parse_scenario(json.dumps({**_SCN, "prior": 0.5, "name": "сценарий"})),
            "name",
            "letters, digits",
        ),
        (
            "scenario bad evidence",
            lambda: parse_scenario(
                json.dumps({**_SCN, "prior": 0.5, "evidence": [{**_ITEM, "p_e_given_h": True}]})
            ),
            "evidence[0].p_e_given_h",
            "",
        ),
        ("scenario direct", lambda: Scenario(prior=-1), "prior", ""),
        # issue 15
        ("lone surrogate label", lambda: Evidence("\ud800", likelihood_ratio=2.0), "label", "valid Unicode"),
        ("lone surrogate citation", lambda: Source("\udfff"), "source.citation", "valid Unicode"),
        ("sigma of ln LR 1e308", lambda: Evidence("x", likelihood_ratio=2.0, log_lr_sigma=1e308), "log_lr_sigma", "[0, 700]"),
        ("percent prior 1e-400", lambda: parse_prior_text("1e-400", "percent"), "prior", "rounds to exactly 0"),
        ("odds prior 1e308:1e-308", lambda: parse_prior_text("1e308:1e-308", "odds"), "prior", "rounds to exactly 1"),
        ("log-odds prior 800", lambda: parse_prior_text("800", "log-odds"), "prior", "rounds to exactly 1"),
        ("pool extremize", lambda: pool([0.1, 0.2], extremize=11), "extremize", "(0, 10]"),
        ("covert n 1e30", lambda: no_pooling_log_bf(1, 10**30, (1, 9), (1, 99)), "n[0]", ""),
    ]
    return rows


_LIB = _lib_rows()


@pytest.mark.parametrize(("call", "field", "fragment"), [r[1:] for r in _LIB], ids=[r[0] for r in _LIB])
def test_library_raises_input_error_naming_the_field(call, field, fragment):
    with pytest.raises(InputError) as info:
        call()
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert field in message, message
    assert fragment in message, message
    assert "\n" not in message


def test_certain_prior_is_explained_not_nan():
    from beliefs.update import update

    for p in (0.0, 1.0):
        r = update(p, [3.0, 0.25])
        assert r.posterior == p
        assert r.posterior_log_odds == (math.inf if p == 1 else -math.inf)
        assert "Cromwell" in r.note
        assert not any(math.isnan(v) for v in r.to_dict().values() if isinstance(v, float))


# -- link rows (link.decode): warn, keep the default, never raise ------------------------------

LINK_ROWS = [
    ({"prior": "75"}, "prior", "did you mean 0.75?"),
    ({"prior": "nan"}, "prior", "probability"),
    ({"prior": "3:1"}, "prior", "odds 3:1 are the probability 0.75"),
    ({"thr": "95%"}, "thr", "did you mean 0.95?"),
    ({"prior": ""}, "prior", "probability"),
    ({"prior": "x" * 5000}, "prior", "at most"),
    ({"prior": ["0.2", "1e999"]}, "prior", "each parameter once"),  # issue 22.17: given twice is refused
    ({"prior": ["0.1", "0.9"]}, "prior", "given 2 times"),  # issue 22.17: the last no longer wins silently
    ({"view": "<script>alert(1)</script>"}, "view", "one of"),
    ({"ch_steps": "1e9"}, "ch_steps", "whole number"),
    ({"ch_drift": "0.5"}, "ch_drift", "[-0.2, 0.2]"),
    ({"mo_tasks": "0"}, "mo_tasks", ">= 1"),
    ({"da_env": "5/3"}, "da_env[0].k", "<= 3"),
    ({"cmp": "0.1,75"}, "cmp[1]", "did you mean 0.75?"),
    ({"e0": "garbage"}, "e0", "kind~a~b"),
    ({"e0": "p~0.75~0~1~~~~~x"}, "e0.p_e_given_not_h", "(0, 1]"),
    ({"e0": "lr~-1~~1~~~~~x"}, "e0.likelihood_ratio", "> 0"),
    ({"e0": "q~1~~1~~~~~x"}, "e0.kind", "'p' or 'lr'"),
    ({"e0": "lr~2~~1~~~~~"}, "e0.label", "non-empty"),
    ({"zzz": "1"}, "zzz", "unknown parameter"),
    ({"e0": "lr~2~~1~1e308~~~~x"}, "e0.log_lr_sigma", "[0, 700]"),
    ({"e0": "lr~2~~1~~~~~\ud800"}, "e0.label", "valid Unicode"),
    ({"e\u00b2": "x"}, "'e\\xb2'", "unknown parameter"),
    ({"e" + "1" * 5000: "x"}, "'e111", "unknown parameter"),
    ({"[x](https://evil.invalid)": "1"}, "'[x](https://evil.invalid)'", "unknown parameter"),
    ({"prior": "1e308:1e-308"}, "prior", "probability"),
    ({"e0": "lr~2~~1~~~~~" + "L" * 1990}, "e0.label", "at most 300 characters"),  # issue 22.13: the schema's limit
]


@pytest.mark.parametrize(("params", "field", "fragment"), LINK_ROWS, ids=[str(r[0])[:40] for r in LINK_ROWS])
def test_link_parameters_warn_and_fall_back(params, field, fragment):
    from beliefs.io.link import decode
    from beliefs.io.settings import defaults

    state, warnings = decode(params)
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(field), warnings
    assert fragment in warnings[0], warnings
    name = next(iter(params))
    if name in defaults():
        assert state.values[name] == defaults()[name]
    assert state.items == ()


# -- app rows (AppTest): st.error, no exception, state unchanged -----------------------------------

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _app(query):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    return at.run()


def _state(at):
    return dict(at.session_state["values"]), at.session_state["items"], at.session_state["about"]


_BASE = {"prior": "0.25", "e0": "p~0.75~0.25~1~~~~~stated"}


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("huge.json", b" " * 1_000_001, "at most"),
        ("percent.json", json.dumps({**_SCN, "prior": 75}).encode(), "did you mean 0.75?"),
        ("nested.json", b"[" * 50_000 + b"]" * 50_000, "levels"),
        ("latin1.json", '{"name": "caf\xe9"}'.encode("latin-1"), "UTF-8"),
        ("surrogate.json", FILES["surrogate_note"], "evidence\\[0\\].note"),
        ("surrogate-title.json", FILES["surrogate_title"], "valid Unicode"),
        ("items-41.json", FILES["items_41"], "at most 40 evidence items"),
    ],
)
def test_app_upload_refused_state_unchanged(name, content, fragment):
    at = _app(_BASE)
    before = _state(at)
    at.file_uploader(key="upload").set_value((name, content, "application/json")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and fragment in errors[0] and "nothing was changed" in errors[0], errors
    assert _state(at) == before


def test_app_after_refused_surrogate_file_reruns_work():
    # issue 15: such a file used to be accepted, and then every rerun of the session failed
    at = _app(_BASE)
    at.file_uploader(key="upload").set_value(("s.json", FILES["surrogate_note"], "application/json")).run()
    at.slider(key="w_prior_slider").set_value(40.0).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["values"]["prior"] == 0.4


_HOSTILE = "**bold** # head $x^2$ [phish](https://evil.invalid) ![px](https://evil.invalid/p.png) <b>h</b>"


def test_app_uploaded_text_and_file_name_render_as_text():
    # issue 15: notes, citations, locations and the file's name were rendered as Markdown
    doc = {
        **_SCN,
        "prior": 0.5,
        "evidence": [
            {
                **_ITEM,
                "note": _HOSTILE,
                "source": {"citation": _HOSTILE, "location": "$\\frac{1}{2}$ www.evil.invalid", "status": "X"},
            }
        ],
    }
    at = _app(_BASE)
    name = "[x](https://evil.invalid) **f**.json"
    at.file_uploader(key="upload").set_value((name, json.dumps(doc).encode(), "application/json")).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [m.value for m in (*at.markdown, *at.caption, *at.success, *at.warning, *at.error)]
    assert any("evil" in t for t in shown), shown
    for t in shown:
        assert "](https://evil" not in t and "**bold**" not in t and "$x^2$" not in t, t
        assert "<b>" not in t and "**f**" not in t and "www.evil" not in t, t


def test_app_bad_forecasts_text_shows_error():
    at = _app({**_BASE, "view": "analysis"})
    at.text_input(key="w_an_pool").input("0.1, 75").run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert errors and any("did you mean 0.75?" in e for e in errors), errors


def test_app_bad_compare_priors_shows_error():
    at = _app(_BASE)
    at.text_input(key="w_cmp").input("0.2, abc").run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert errors and any("compare priors" in e for e in errors), errors
    assert at.session_state["values"]["prior"] == 0.25


def test_corpus_size():
    # the brief asks for at least 60 cases across the boundaries
    total = len(CLI_ROWS) + len(_LIB) + len(LINK_ROWS) + 7 + 2 + 3 + 2
    print(f"bad-input corpus: {total} cases", file=sys.stderr)
    assert total >= 60


@pytest.mark.parametrize(
    "query",
    [
        {"[click here](https://evil.invalid)": "1"},
        {"prior": "[click here](https://evil.invalid)"},
        {"e0": "lr~![img](https://evil.invalid/x.png)~~1~~~~~label"},
    ],
)
def test_app_link_warnings_do_not_render_link_markdown(query):
    # A share link is a stranger's text: its warnings must not become live links or images on the page.
    at = _app(query)
    assert not at.exception, [e.value for e in at.exception]
    shown = [w.value for w in at.warning]
    assert any("evil.invalid" in w for w in shown), shown
    for w in shown:
        assert "](https://evil.invalid" not in w, w
