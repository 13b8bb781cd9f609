"""`beliefs tornado --mode stated` and `beliefs dependence --group` reproduce the app's Analysis tab.

Three kinds of check: the numbers against independent answers (SciPy
quantiles, :func:`beliefs.update.update` called directly on the changed
ledger); the app's downloads (CSV and PNG) byte for byte against the CLI's
``--csv``/``--plot`` for the same ledger and settings; bad input exits 2 with
one line naming the option as typed.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.cli import main
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.update import update
from tests.cli_helpers import assert_one_line_error, run_cli
from tests.test_app import media  # noqa: F401 - the fixture that records the app's downloads

# One ledger as a share link: a log-normal ratio (σ), Beta probabilities (κ),
# two exact ratios (one with its own ×/÷ factor) and an excluded item.
LINK = {
    "view": "analysis",
    "prior": "0.3",
    "ci": "0.8",
    "an_unst": "factor",
    "an_factor": "3",
    "an_ifac": ",,5,,",
    "e0": "lr~3~~1~0.8~sigma-item~~~vague report",
    "e1": "p~0.6~0.3~1~20~beta-item~~~lab eval",
    "e2": "lr~2~~1~~exact-a~~~exact one",
    "e3": "lr~1.5~~1~~exact-b~~~exact two",
    "e4": "lr~4~~0~~off~~~disabled",
}
STATED = ["--mode", "stated", "--factor", "3", "--interval", "0.8", "--item-factor", "exact-a=5"]


@pytest.fixture
def ledger(tmp_path):
    """The share link's ledger as a scenario file (the route `beliefs crux` takes for links)."""
    from beliefs.io.link import decode
    from beliefs.io.scenario import scenario_to_json
    from beliefs.io.state import scenario_from_state

    state, warnings = decode(LINK)
    assert warnings == []
    path = tmp_path / "ledger.json"
    path.write_text(scenario_to_json(scenario_from_state(state)), encoding="utf-8")
    return path


def run_main(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def ledger_items(path):
    from beliefs.io.scenario import get_scenario

    scn = get_scenario(str(path))
    return scn.prior, scn.evidence_items()


# -- numbers against independent answers ---------------------------------------------------------


def test_stated_rows_match_scipy_quantiles_and_update(capsys, ledger):
    from scipy import stats

    code, out, err = run_main(capsys, "tornado", ledger, *STATED, "--json")
    assert code == 0, err
    data = json.loads(out)
    prior, evidence = ledger_items(ledger)
    base = update(prior, evidence)
    assert data["posterior"] == base.posterior and data["mode"] == "stated" and data["interval"] == 0.8
    assert data["item_factors"] == {"exact-a": 5.0}
    rows = {r["label"]: r for r in data["rows"]}
    assert "disabled" not in rows and len(rows) == 4

    def with_ratio(i, lr):  # the ledger with item i's ratio replaced, through update() itself
        changed = list(evidence)
        changed[i] = Evidence(evidence[i].label, likelihood_ratio=lr)
        return update(prior, changed).posterior

    z = stats.norm.ppf(0.9)  # 80% equal-tailed
    h, n = stats.beta(0.6 * 20, 0.4 * 20), stats.beta(0.3 * 20, 0.7 * 20)
    expected = {
        "vague report": (3 * math.exp(-z * 0.8), 3 * math.exp(z * 0.8)),
        "lab eval": (h.ppf(0.1) / n.ppf(0.9), h.ppf(0.9) / n.ppf(0.1)),
        "exact one": (2 / 5, 2 * 5),  # its own factor
        "exact two": (1.5 / 3, 1.5 * 3),  # the common factor
    }
    for i, e in enumerate(evidence[:4]):
        lo, hi = expected[e.label]
        assert rows[e.label]["low_posterior"] == pytest.approx(with_ratio(i, lo), rel=1e-11)
        assert rows[e.label]["high_posterior"] == pytest.approx(with_ratio(i, hi), rel=1e-11)
        without = update(prior, [x for j, x in enumerate(evidence) if j != i]).posterior
        assert rows[e.label]["loo_posterior"] == pytest.approx(without, rel=1e-14)  # update() sums the same terms
    impacts = [r["impact_pp"] for r in data["rows"]]
    assert impacts == sorted(impacts, reverse=True)
    # The ranking is not the ledger's order: the ×/÷ 5 item moves most here.
    assert data["rows"][0]["label"] == "exact one"


def test_stated_human_text_and_subprocess(ledger):
    proc = run_cli("tornado", str(ledger), *STATED)
    assert proc.returncode == 0, proc.stderr
    assert "each item's range (low, high; σ and Beta over 80%) and the posterior without it (left out)" in proc.stdout
    assert "×/÷ 5" in proc.stdout and "×/÷ 3" in proc.stdout and "ln LR ± 1.28 σ" in proc.stdout


def test_item_factor_by_label_equals_by_id(capsys, ledger):
    by_id = json.loads(run_main(capsys, "tornado", ledger, *STATED, "--json")[1])
    by_label = [*STATED[:-1], "exact one=5"]
    assert json.loads(run_main(capsys, "tornado", ledger, *by_label, "--json")[1])["rows"] == by_id["rows"]


def test_a_files_saved_tornado_settings_are_the_defaults(capsys, ledger, tmp_path):
    """A scenario file that carries the app's tornado settings gives what the app shows, without flags."""
    doc = json.loads(ledger.read_text(encoding="utf-8"))
    doc["app"] = {"ci": "0.8", "an_unst": "factor", "an_factor": "3", "an_ifac": ",,5,,"}
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(doc), encoding="utf-8")
    by_flags = json.loads(run_main(capsys, "tornado", ledger, *STATED, "--json")[1])
    by_file = json.loads(run_main(capsys, "tornado", saved, "--mode", "stated", "--json")[1])
    assert by_file == by_flags
    # A flag overrides the file's setting for that item.
    code, out, err = run_main(capsys, "tornado", saved, "--mode", "stated", "--item-factor", "exact-a=7", "--json")
    assert code == 0, err
    row = next(r for r in json.loads(out)["rows"] if r["label"] == "exact one")
    assert "×/÷ 7" == row["range_rule"]


def test_strength_mode_at_a_50_percent_prior_says_zero_by_construction(capsys, tmp_path):
    # The prior's term is ln 1 = 0 nats; scaling 0 by f leaves 0, so its row cannot move.
    code, out, err = run_main(
        capsys, "tornado", "stated-3-to-1", "--mode", "strength", "--json", "--plot", tmp_path / "s.png"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["prior"] == 0.5
    prior_row = next(r for r in data["rows"] if r["label"] == "prior odds")
    assert prior_row["impact_pp"] == 0.0
    assert len(data["notes"]) == 1 and "zero by construction" in data["notes"][0]
    item = next(r for r in data["rows"] if r["label"] != "prior odds")
    # ln 3 scaled by 2 and 1/2 from a 50% prior: posteriors 9/10 and sqrt(3)/(1+sqrt(3)).
    assert item["high_posterior"] == pytest.approx(0.9, rel=1e-14)
    assert item["low_posterior"] == pytest.approx(math.sqrt(3) / (1 + math.sqrt(3)), rel=1e-14)
    code, out, _ = run_main(capsys, "tornado", "stated-3-to-1", "--mode", "strength")
    assert "note: zero by construction" in out


def test_ratio_mode_says_its_bars_are_equal(capsys):
    _, out, _ = run_main(capsys, "tornado", "stated-3-to-1", "--mode", "ratio", "--json")
    data = json.loads(out)
    assert {"prior", "posterior", "factor", "mode", "rows"} <= set(data)  # the old keys stay
    assert data["mode"] == "ratio" and "--mode stated" in data["notes"][0]


def test_dependence_group_matches_update_directly(capsys, ledger):
    code, out, err = run_main(
        capsys, "dependence", ledger, "--group", "exact-a=shared", "--group", "exact two=shared", "--discount", "0.5",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    prior, evidence = ledger_items(ledger)
    grouped = [replace(e, group="shared", discount=0.5) if e.id in ("exact-a", "exact-b") else e for e in evidence]
    assert data["adjusted_posterior"] == update(prior, grouped).posterior
    assert data["naive_posterior"] == update(prior, evidence).posterior
    shared = next(g for g in data["groups"] if g["group"] == "shared")
    assert shared["naive_bits"] == pytest.approx(math.log2(2 * 1.5), rel=1e-14)
    assert shared["adjusted_bits"] == pytest.approx(0.5 * math.log2(2 * 1.5), rel=1e-14)
    # An empty NAME makes an item independent again (discount 1), as the app's control does.
    code, out, _ = run_main(capsys, "dependence", ledger, "--group", "exact-a=", "--json")
    assert json.loads(out)["adjusted_posterior"] == update(prior, evidence).posterior


@given(label=st.text(min_size=1, max_size=20), name=st.text(max_size=20))
@settings(max_examples=200, deadline=None)
def test_group_spec_splits_after_the_items_label(label, name):
    """``LABEL=NAME`` with '=' in the label or the name still finds the item and the whole name."""
    from beliefs.cli.analysis_cmd import _regrouped

    try:
        item = Evidence(label, likelihood_ratio=2.0)
    except InputError:
        return  # a label the ledger refuses never reaches the CLI
    try:
        (out,) = _regrouped([item], [f"{label}={name}"], "0.5")
    except InputError as exc:
        # Only a label with surrounding blanks (stripped on the command line) may fail, and then by name.
        assert label != label.strip() and exc.field == "--group"
        return
    assert out.group == (name.strip() or None)
    assert out.discount == (0.5 if name.strip() else 1.0)


@pytest.fixture(scope="module")
def module_ledger(tmp_path_factory):
    from beliefs.io.link import decode
    from beliefs.io.scenario import scenario_to_json
    from beliefs.io.state import scenario_from_state

    path = tmp_path_factory.mktemp("ledger") / "ledger.json"
    path.write_text(scenario_to_json(scenario_from_state(decode(LINK)[0])), encoding="utf-8")
    return path


@given(spec=st.text(max_size=30), which=st.sampled_from(["tornado", "dependence"]))
@settings(max_examples=150, deadline=None)
def test_any_item_spec_is_an_answer_or_one_line_naming_the_flag(module_ledger, spec, which):
    import contextlib

    argv = (
        ["tornado", str(module_ledger), "--mode", "stated", "--item-factor", spec]
        if which == "tornado"
        else ["dependence", str(module_ledger), "--group", spec, "--discount", "0.5"]
    )
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    if code == 0:
        return
    lines = err.getvalue().strip().splitlines()
    assert code == 2 and len(lines) == 1, err.getvalue()
    assert ("--item-factor" if which == "tornado" else "--group") in lines[0] or "--discount" in lines[0]
    assert "Traceback" not in err.getvalue()


# -- the app and the CLI give the same numbers and the same files ---------------------------------


def test_app_tornado_and_dependence_equal_the_cli(media, ledger, tmp_path, capsys):  # noqa: F811
    from tests.test_app import assert_clean, button, download_bytes, new_app

    at = new_app(LINK)
    assert_clean(at)
    app_csv = download_bytes(media, button(at, "dl_tornado_csv"))
    app_png = download_bytes(media, button(at, "dl_tornado_png"))
    cli_csv, cli_png = tmp_path / "t.csv", tmp_path / "t.png"
    code, out, err = run_main(capsys, "tornado", ledger, *STATED, "--json", "--csv", cli_csv, "--plot", cli_png)
    assert code == 0, err
    assert cli_csv.read_bytes() == app_csv
    assert cli_png.read_bytes() == app_png
    # The app's share link itself, pasted into the CLI with no flags: its settings come with it.
    from urllib.parse import urlencode

    link_csv = tmp_path / "link.csv"
    link = "http://127.0.0.1:8501/?" + urlencode(LINK)
    code, _, err = run_main(capsys, "tornado", link, "--mode", "stated", "--csv", link_csv)
    assert code == 0, err
    assert link_csv.read_bytes() == app_csv
    table = list(csv.DictReader(io.StringIO(app_csv.decode("utf-8"))))
    rows = json.loads(out)["rows"]
    assert [r["label"] for r in table] == [r["label"] for r in rows]
    assert [float(r["loo_posterior"]) for r in table] == [r["loo_posterior"] for r in rows]

    # The dependence control: choose two items, name a group, set w, apply.
    uids = list(at.session_state["uids"])
    at.multiselect(key="w_dep_items").set_value([uids[2], uids[3]])
    at.text_input(key="w_dep_name").input("shared")
    at.number_input(key="w_dep_discount").set_value(0.35)
    next(b for b in at.button if b.label == "Apply to the chosen items").click().run()
    assert_clean(at)
    app_dep = download_bytes(media, button(at, "dl_dependence_csv"))
    dep_csv = tmp_path / "d.csv"
    code, out, err = run_main(
        capsys, "dependence", ledger, "--group", "exact-a=shared", "--group", "exact-b=shared",
        "--discount", "0.35", "--csv", dep_csv,
    )  # fmt: skip
    assert code == 0, err
    assert dep_csv.read_bytes() == app_dep
    assert "shared" in app_dep.decode("utf-8")


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "field", "shown"),
    [
        (["--mode", "stated", "--item-factor", "nosuch=3"], "--item-factor", "nosuch=3"),
        (["--mode", "stated", "--item-factor", "exact-a=1"], "--item-factor", "exact-a=1"),
        (["--mode", "stated", "--item-factor", "exact-a=abc"], "--item-factor", "exact-a=abc"),
        (["--mode", "stated", "--item-factor", "exact-a=nan"], "--item-factor", "exact-a=nan"),
        (["--mode", "stated", "--item-factor", "exact-a"], "--item-factor", "exact-a"),
        (["--mode", "stated", "--item-factor", "off=3"], "--item-factor", "excluded"),
        (["--mode", "stated", "--item-factor", "exact-a=3", "--item-factor", "exact one=4"], "--item-factor", "exact one=4"),
        (["--mode", "ratio", "--item-factor", "exact-a=3"], "--item-factor", "only with --mode stated"),
        (["--mode", "strength", "--interval", "0.5"], "--interval", "only with --mode stated"),
        (["--mode", "stated", "--interval", "1"], "--interval", "'1'"),
        (["--mode", "stated", "--interval", "0"], "--interval", "'0'"),
        (["--mode", "stated", "--interval", "90%"], "--interval", "90%"),
        (["--mode", "stated", "--factor", "1"], "--factor", "'1'"),
        (["--mode", "stated", "--factor", "0.5"], "--factor", "0.5"),
        (["--mode", "stated", "--item-factor", "exact-a=5", "--interval", "0.8", "--factor", "3", "--item-factor", "exact-b=-1"], "--item-factor", "exact-b=-1"),
    ],
)  # fmt: skip
def test_tornado_bad_input(capsys, ledger, argv, field, shown):
    code, out, err = run_main(capsys, "tornado", ledger, *argv)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and field in lines[0] and shown in lines[0], err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "field", "shown"),
    [
        (["--group", "nosuch=g", "--discount", "0.5"], "--group", "nosuch=g"),
        (["--group", "exact-a"], "--group", "exact-a"),
        (["--group", "exact-a=g"], "--discount", "--discount"),
        (["--group", "exact-a=g", "--discount", "0"], "--discount", "'0'"),
        (["--group", "exact-a=g", "--discount", "1.5"], "--discount", "1.5"),
        (["--group", "exact-a=g", "--discount", "half"], "--discount", "half"),
        (["--discount", "0.5"], "--discount", "only with --group"),
        (["--group", "exact-a=g", "--group", "exact one=h", "--discount", "0.5"], "--group", "exact one=h"),
    ],
)
def test_dependence_bad_input(capsys, ledger, argv, field, shown):
    code, out, err = run_main(capsys, "dependence", ledger, *argv)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and field in lines[0] and shown in lines[0], err


def test_joining_a_scenario_group_with_another_discount_names_discount(scenarios_dir_ledger):
    proc = run_cli("dependence", str(scenarios_dir_ledger), "--group", "report=g", "--discount", "0.3")
    line = assert_one_line_error(proc, "--discount")
    assert "0.3" in line


@pytest.fixture
def scenarios_dir_ledger(tmp_path):
    from beliefs.io.scenario import scenario_to_json
    from beliefs.io.scenario_schema import Scenario

    scn = Scenario.from_evidence(
        0.25,
        [
            Evidence("report", likelihood_ratio=3, id="report"),
            Evidence("x", likelihood_ratio=2, group="g", discount=0.5),
            Evidence("y", likelihood_ratio=4, group="g", discount=0.5),
        ],
        name="grouped",
    )
    path = tmp_path / "grouped.json"
    path.write_text(scenario_to_json(scn), encoding="utf-8")
    return path


def test_a_link_with_a_bad_parameter_is_one_line_naming_scenario():
    proc = run_cli("tornado", "http://127.0.0.1:8501/?prior=0.3&ci=2&e0=lr~3~~1~~~~~x", "--mode", "stated")
    line = assert_one_line_error(proc, "SCENARIO")
    assert "ci" in line
