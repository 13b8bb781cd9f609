"""Scenario files: the stated numbers, strict validation, size/depth limits, atomic saving and round trips."""

import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import beliefs.io.scenario as scenario_mod
import beliefs.io.scenario_schema as scenario_schema
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence, Source
from beliefs.io.catalogue import get_claim, get_viewpoint
from beliefs.io.scenario import (
    MAX_SCENARIO_BYTES,
    builtin_scenarios,
    get_scenario,
    load_scenario,
    parse_scenario,
    save_scenario,
    scenario_to_json,
)
from beliefs.io.scenario_schema import (
    ChainSettings,
    CovertActionsSettings,
    EvidenceSpec,
    ModelSettings,
    MonitoringSettings,
    Scenario,
    ScenarioError,
    SourceSpec,
)

pytestmark = pytest.mark.core  # runs with the core install alone (see test_core_install.py)

BUILTIN_NAMES = [
    "stated-3-to-1",
    "report-3-to-1",
    "report-confusion",
    "carlsmith",
    "greenblatt",
    "miri-ish",
    "rare-scheming",
]


def _doc(**changes) -> dict:
    base = json.loads(scenario_to_json(get_scenario("stated-3-to-1")))
    base.update(changes)
    return base


def _parse(doc) -> Scenario:
    return parse_scenario(doc if isinstance(doc, (str, bytes)) else json.dumps(doc))


def _one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and "pydantic" not in text.lower() and "validation error" not in text.lower()
    return text


# -- the stated 3-to-1 update, by hand ----------------------------------------------------------


def test_stated_3_to_1_reproduces_the_hand_worked_numbers():
    s = get_scenario("stated-3-to-1")
    (item,) = s.evidence_items()
    # LR = 0.75 / 0.25 = 3; log2 3 = 1.58496 bits; 10 log10 3 = 4.7712 dB.
    assert item.likelihood_ratio == pytest.approx(3.0, rel=1e-15)
    assert item.bits == pytest.approx(1.584962500721156, rel=1e-14)
    assert item.decibels == pytest.approx(4.771212547196624, rel=1e-14)
    r = s.result()
    # Prior odds 1:1 x 3 = 3:1 -> 3/4.
    assert (r.prior, r.prior_odds) == (0.5, 1.0)
    assert r.posterior == pytest.approx(0.75, rel=1e-14)
    assert r.posterior_odds == pytest.approx(3.0, rel=1e-14)
    assert r.posterior_odds_text == "3:1"
    # Odds 1:3 x 3 = 1:1 -> 1/2.
    (c,) = s.compare_results()
    assert c.prior == 0.25 and c.prior_odds_text == "1:3"
    assert c.posterior == pytest.approx(0.5, rel=1e-14) and c.posterior_odds_text == "1:1"
    assert s.result(prior=0.25).posterior == pytest.approx(0.5, rel=1e-14)
    table = r.table()
    assert "1.58 bits" in table and "4.77 dB" in table and "75%" in table


def test_stated_3_to_1_matches_the_catalogued_claim_and_source():
    s = get_scenario("stated-3-to-1")
    numbers = {n.label: n.value for n in get_claim("stated_3_to_1").numbers}
    (spec,) = s.evidence
    assert spec.p_e_given_h == numbers["P(E | MIRI-ish view)"]
    assert spec.p_e_given_not_h == numbers["P(E | a view like Carlsmith's report)"]
    assert spec.source.citation == get_claim("stated_3_to_1").source.citation
    assert spec.source.status == "P"
    assert "3-1 update in favor of a more MIRI-ish view" in spec.note
    assert "MIRI-ish" in s.hypothesis and "Carlsmith" in s.hypothesis
    assert s.compare_priors == [0.25]


def test_viewpoint_presets_take_their_priors_from_the_catalogue():
    scenarios = builtin_scenarios()
    assert list(scenarios) == BUILTIN_NAMES
    for name in ("carlsmith", "greenblatt", "miri-ish"):
        view = get_viewpoint(name)
        s = scenarios[name]
        assert s.prior == view.prior
        assert s.prior_source.status == view.source.status
    assert scenarios["carlsmith"].compare_priors == [0.2]
    assert "maybe 20%" in scenarios["carlsmith"].description
    assert scenarios["miri-ish"].prior_source.status == "X"
    assert "no source states" in scenarios["miri-ish"].prior_source.location


def test_report_readings_differ_only_through_p_e_given_not_h():
    three = get_scenario("report-3-to-1")
    confusion = get_scenario("report-confusion")
    assert three.prior == confusion.prior == 0.25
    (a,), (b,) = three.evidence, confusion.evidence
    assert a.p_e_given_h == b.p_e_given_h == 0.75
    assert b.p_e_given_not_h > a.p_e_given_not_h
    # The confusion reading's number is stated nowhere: it must say so.
    assert b.source.status == "X"
    assert "illustrative assumption" in b.source.location and "not found in any source" in b.source.location
    assert "ILLUSTRATIVE" in b.note
    # Hand: odds 1:3 x 3 = 1:1 (50%); odds 1:3 x 0.75/0.5 = 1:2 (1/3).
    assert three.result().posterior == pytest.approx(0.5, rel=1e-14)
    assert confusion.result().posterior == pytest.approx(1 / 3, rel=1e-14)
    assert confusion.result().posterior_odds_text == "1:2"


def test_every_builtin_item_cites_a_source_and_runs():
    for name, s in builtin_scenarios().items():
        assert s.name == name and s.title and s.hypothesis and s.prior_source is not None
        for spec in s.evidence:
            assert spec.source is not None and spec.source.citation
        assert 0 < s.result().posterior < 1


def test_builtin_scenarios_are_fresh_copies():
    first = builtin_scenarios()["stated-3-to-1"]
    first.prior = 0.01
    first.evidence.clear()
    assert builtin_scenarios()["stated-3-to-1"].prior == 0.5
    assert len(get_scenario("stated-3-to-1").evidence) == 1


# -- validation: one InputError naming the path ---------------------------------------------


def _with_item(**changes) -> dict:
    doc = _doc()
    doc["evidence"][0].update(changes)
    return doc


def _with_models(**blocks) -> dict:
    doc = _doc()
    doc["models"].update(blocks)
    return doc


BAD_DOCUMENTS = [
    pytest.param(
        _doc(priorr=0.5), r"^priorr: .*unknown field 'priorr'; did you mean 'prior'\?", id="unknown-field"
    ),
    pytest.param(
        _doc(prior="0.5"), r"^prior: got '0\.5'; expected a probability in \[0, 1\]", id="string-number"
    ),
    pytest.param(_doc(prior=True), r"^prior: got true; expected a probability", id="bool-number"),
    pytest.param(_doc(prior=1.5), r"^prior: got 1\.5; expected a probability in \[0, 1\]", id="prior-range"),
    pytest.param(_doc(prior=None), r"^prior: got nothing", id="prior-null"),
    pytest.param(_doc(format="other"), r"^format: got 'other'; expected 'beliefs-scenario'", id="format"),
    pytest.param(_doc(version=3), r"^version: got 3; expected 1 or 2 .*newer version", id="version-3"),
    pytest.param(_doc(version="1"), r"^version: got '1'; expected the whole number 1", id="version-string"),
    pytest.param(_doc(version=True), r"^version: got true", id="version-bool"),
    pytest.param(_doc(name="has space"), r"^name: got 'has space'; expected a short name", id="name"),
    pytest.param(_doc(compare_priors=[0.25, 2]), r"^compare_priors\[1\]: got 2", id="compare"),
    pytest.param(_doc(compare_priors=0.25), r"^compare_priors: got 0\.25", id="compare-not-list"),
    pytest.param(_doc(evidence=[5]), r"^evidence\[0\]: got 5; expected a JSON object", id="item-not-object"),
    pytest.param(
        _with_item(p_e_given_h=0),
        r"^evidence\[0\]\.p_e_given_h: got 0; expected a probability in \(0, 1\]",
        id="p-zero",
    ),
    pytest.param(_with_item(p_e_given_h=1.2), r"^evidence\[0\]\.p_e_given_h: got 1\.2", id="p-range"),
    pytest.param(
        _with_item(p_e_given_not_h="0.25"), r"^evidence\[0\]\.p_e_given_not_h: got '0\.25'", id="p-string"
    ),
    pytest.param(
        _with_item(p_e_given_h=None), r"^evidence\[0\]\.p_e_given_h: got nothing; expected both", id="p-partner"
    ),
    pytest.param(
        _with_item(likelihood_ratio=2.0),
        r"^evidence\[0\]\.likelihood_ratio: got 2\.0; expected P\(E\|H\)/P\(E\|not H\) = 0\.75/0\.25 = 3",
        id="lr-mismatch",
    ),
    pytest.param(
        _with_item(p_e_given_h=None, p_e_given_not_h=None),
        r"^evidence\[0\]\.likelihood_ratio: got nothing",
        id="no-strength",
    ),
    pytest.param(
        _with_item(
            p_e_given_h=None,
            p_e_given_not_h=None,
            likelihood_ratio=2.0,
            p_e_given_h_dist={"alpha": 1.0, "beta": 1.0},
        ),
        r"^evidence\[0\]\.p_e_given_h_dist: .*only on an item stated as",
        id="dist-without-p",
    ),
    pytest.param(
        _with_item(p_e_given_h_dist={"alpha": 0, "beta": 1}),
        r"^evidence\[0\]\.p_e_given_h_dist\.alpha: got 0; expected a Beta parameter > 0",
        id="beta-param",
    ),
    pytest.param(
        _with_item(p_e_given_h_dist={"alpha": 1, "beta": 1, "gamma": 1}),
        r"^evidence\[0\]\.p_e_given_h_dist\.gamma: .*unknown field",
        id="beta-extra",
    ),
    pytest.param(
        _with_item(discount=0),
        r"^evidence\[0\]\.discount: got 0; expected a discount exponent in \(0, 1\]",
        id="discount",
    ),
    pytest.param(
        _with_item(enabled=1), r"^evidence\[0\]\.enabled: got 1; expected true or false", id="enabled-int"
    ),
    pytest.param(_with_item(log_lr_sigma=-1), r"^evidence\[0\]\.log_lr_sigma: got -1", id="sigma"),
    pytest.param(
        _with_item(label="  "),
        r"^evidence\[0\]\.label: got '  '; expected a non-empty label",
        id="blank-label",
    ),
    pytest.param(
        _with_item(source={"citation": "x", "status": "Q"}),
        r"^evidence\[0\]\.source\.status: got 'Q'; expected 'P', 'S' or 'X'",
        id="status",
    ),
    pytest.param(
        _with_item(source={"citation": " "}),
        r"^evidence\[0\]\.source\.citation: got ' '; expected a non-empty citation",
        id="citation",
    ),
    pytest.param(
        _with_item(source={"citation": "x", "page": 3}),
        r"^evidence\[0\]\.source\.page: .*unknown field 'page'",
        id="source-extra",
    ),
    pytest.param(
        _with_models(covert_actions={"k": [3, 4], "n": [2, 5]}),
        r"^models\.covert_actions\.k\[0\]: got 3; expected a count <= n\[0\] = 2",
        id="k-over-n",
    ),
    pytest.param(
        _with_models(covert_actions={"k": [3], "n": [4, 5]}),
        r"^models\.covert_actions\.n: got \[4, 5\]; expected one trial count per count k",
        id="k-n-length",
    ),
    pytest.param(
        _with_models(covert_actions={"k": [1.0], "n": [4]}),
        r"^models\.covert_actions\.k\[0\]: got 1\.0",
        id="k-float",
    ),
    pytest.param(
        _with_models(covert_actions={"k": [1], "n": [4], "pooling": "full"}),
        r"^models\.covert_actions\.pooling: got 'full'; expected 'none' or 'partial'",
        id="pooling",
    ),
    pytest.param(
        _with_models(covert_actions={"k": [1], "n": [4], "rate_if_h": [1.0]}),
        r"^models\.covert_actions\.rate_if_h: got \[1\.0\]; expected a Beta prior as \[alpha, beta\]",
        id="beta-pair",
    ),
    pytest.param(
        _with_models(covert_actions={"k": [1], "n": [4], "effective_n": 0}),
        r"^models\.covert_actions\.effective_n: got 0",
        id="effective-n",
    ),
    pytest.param(
        _with_models(chain={"per_step": 0.9, "per_step_beta": [9.0, 1.0]}),
        r"^models\.chain\.per_step: got 0\.9; expected null when per_step_beta is given",
        id="chain-both",
    ),
    pytest.param(
        _with_models(chain={"per_step": None}),
        r"^models\.chain\.per_step: got nothing; expected a per-step survival",
        id="chain-neither",
    ),
    pytest.param(_with_models(chain={"steps": 0}), r"^models\.chain\.steps: got 0", id="chain-steps"),
    pytest.param(
        _with_models(monitoring={"rate": 0.01, "report": 0.9}),
        r"^models\.monitoring\.tasks: got nothing; expected a whole number of tasks >= 0 \(this field is required\)",
        id="monitoring-missing",
    ),
    pytest.param(
        _with_models(monitoring={"rate": 0.01, "report": 1.9, "tasks": 10}),
        r"^models\.monitoring\.report: got 1\.9",
        id="monitoring-range",
    ),
    pytest.param(
        _with_models(surveillance={}),
        r"^models\.surveillance: .*unknown field 'surveillance'",
        id="models-extra",
    ),
]


@pytest.mark.parametrize(("doc", "match"), BAD_DOCUMENTS)
def test_invalid_documents_give_one_error_naming_the_path(doc, match):
    with pytest.raises(ScenarioError, match=match) as exc:
        _parse(doc)
    _one_line(exc)
    assert isinstance(exc.value, InputError)


def test_group_members_must_share_a_discount():
    doc = _doc()
    first = doc["evidence"][0]
    first["group"] = "report"
    second = dict(first, label="same report again", discount=0.5)
    doc["evidence"].append(second)
    with pytest.raises(
        InputError, match=r"^evidence\[1\]\.discount: got 0\.5; expected the same discount as evidence\[0\]"
    ):
        _parse(doc)


def test_several_problems_still_give_one_line_and_count_the_rest():
    with pytest.raises(ScenarioError, match=r"and 2 more problems") as exc:
        _parse(_doc(prior="x", compare_priors="y", title=3))
    _one_line(exc)


def test_certain_priors_are_allowed_and_explained():
    for p in (0.0, 1.0):
        s = _parse(_doc(prior=p))
        r = s.result()
        assert r.posterior == p and "Cromwell" in r.note


def test_chain_beta_replaces_the_default_per_step():
    chain = _parse(_with_models(chain={"per_step_beta": [49.0, 1.0]})).models.chain
    assert chain.per_step is None and chain.per_step_beta == [49.0, 1.0]
    assert ChainSettings().per_step == 0.98  # the thread's stated per-step survival


SYNTAX = [
    pytest.param("", r"^scenario: got ''; expected a JSON object; the document is empty", id="empty"),
    pytest.param(" \n\t", r"^scenario: .*the document is empty", id="whitespace"),
    pytest.param(b"", r"the document is empty", id="empty-bytes"),
    pytest.param(
        "not json", r"^scenario: .*expected valid JSON \(Expecting value at line 1, column 1\)", id="not-json"
    ),
    pytest.param('{"format": "beliefs-scenario",}', r"expected valid JSON", id="trailing-comma"),
    pytest.param("[1, 2]", r"^scenario: got \[1, 2\]; expected a JSON object", id="array"),
    pytest.param('"text"', r"^scenario: got 'text'; expected a JSON object", id="string"),
    pytest.param("null", r"^scenario: got nothing; expected a JSON object", id="null"),
    pytest.param(
        '{"format": "beliefs-scenario", "version": 1, "prior": NaN}',
        r"^scenario: got 'NaN'; expected finite numbers only",
        id="nan",
    ),
    pytest.param('{"prior": Infinity}', r"got 'Infinity'; expected finite numbers", id="infinity"),
    pytest.param('{"prior": -Infinity}', r"got '-Infinity'; expected finite numbers", id="-infinity"),
    pytest.param(
        '{"prior": 1e400}', r"^prior: got '1e400'; expected a finite number \(it overflows a double", id="overflow"
    ),
    pytest.param('{"prior": ' + "9" * 5000 + "}", r"^scenario: .*expected valid JSON", id="huge-int"),
    pytest.param(
        '{"format": "beliefs-scenario", "prior": 0.5, "prior": 0.2}',
        r"^prior: got 0\.2; .*duplicate field 'prior'",
        id="duplicate",
    ),
    pytest.param("[" * 100_000, r"nested more than 32 levels", id="nested-arrays"),
    pytest.param('{"a":' * 50_000, r"nested more than 32 levels", id="nested-objects"),
    pytest.param(b"\xff\xfe{}", r"^scenario: got 'byte 0'; expected UTF-8 text", id="not-utf8"),
    pytest.param('{"version": 1, "prior": 0.5}', r"^format: got nothing", id="no-format"),
    pytest.param('{"format": "beliefs-scenario", "prior": 0.5}', r"^version: got nothing", id="no-version"),
]


@pytest.mark.parametrize(("text", "match"), SYNTAX)
def test_malformed_documents_are_refused_in_one_line(text, match):
    with pytest.raises(ScenarioError, match=match) as exc:
        parse_scenario(text)
    _one_line(exc)


def test_brackets_inside_strings_do_not_count_as_nesting():
    doc = _doc(description="[" * 1000 + "{" * 1000 + '\\"[[[')
    assert _parse(doc).description.startswith("[[[")


def test_a_byte_order_mark_is_tolerated():
    text = scenario_to_json(get_scenario("stated-3-to-1"))
    assert parse_scenario("\ufeff" + text) == parse_scenario(text.encode("utf-8-sig"))


def test_oversized_documents_are_refused_without_parsing():
    big = " " * MAX_SCENARIO_BYTES + "{}"
    for doc in (big, big.encode()):
        with pytest.raises(ScenarioError, match=r"expected a scenario of at most 1,000,000 bytes"):
            parse_scenario(doc)
    with pytest.raises(ScenarioError, match=r"expected JSON text"):
        parse_scenario(42)


def test_direct_construction_gets_the_same_errors():
    with pytest.raises(ScenarioError, match=r"^prior: got '0\.5'"):
        Scenario(prior="0.5")
    with pytest.raises(ScenarioError, match=r"^p_e_given_h: got nothing; expected both"):
        EvidenceSpec(label="x", p_e_given_not_h=0.5)
    with pytest.raises(ScenarioError, match=r"^evidence\[0\]: got 0\.5; expected an Evidence item"):
        Scenario.from_evidence(0.5, [0.5])


def test_evidence_items_name_the_path_of_an_item_spoiled_after_loading():
    s = get_scenario("stated-3-to-1")
    s.evidence[0].p_e_given_h = 0.0  # assignment is not validated; evidence_items() still names it
    with pytest.raises(InputError, match=r"^evidence\[0\]\.p_e_given_h: got 0\.0"):
        s.evidence_items()


# -- files ----------------------------------------------------------------------------------


def test_load_refuses_missing_files_and_directories(tmp_path):
    with pytest.raises(ScenarioError, match=r"^path: got '.*nope\.json'; expected an existing scenario file"):
        load_scenario(tmp_path / "nope.json")
    with pytest.raises(ScenarioError, match=r"^path: .*expected a scenario file, not a directory"):
        load_scenario(tmp_path)
    with pytest.raises(ScenarioError, match=r"^path: got nothing"):
        load_scenario(None)


def test_a_30_mb_file_is_refused_quickly_without_reading_it(tmp_path, monkeypatch):
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(30_000_000)  # sparse: costs no disk and no time
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    with pytest.raises(
        ScenarioError,
        match=r"^scenario: got '30,000,000 bytes'; expected a scenario of at most 1,000,000 bytes",
    ):
        load_scenario(big)
    assert opened == []  # refused on its size alone, never opened


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_file_whose_size_stat_cannot_tell_is_read_only_up_to_the_limit():
    with pytest.raises(ScenarioError, match=r"more than 1,000,000 bytes"):
        load_scenario("/dev/zero")  # an endless file: returning at all proves the read stopped at the limit


def test_get_scenario_by_name_by_path_and_unknown(tmp_path):
    path = save_scenario(get_scenario("greenblatt"), tmp_path / "mine.json")
    assert get_scenario(str(path)) == get_scenario("greenblatt") == get_scenario(path)
    with pytest.raises(
        ScenarioError,
        match=r"^scenario: got 'stated-3-to'; expected a built-in scenario \(stated-3-to-1, report-3-to-1, report-confusion, carlsmith, greenblatt, miri-ish, rare-scheming\) .*did you mean stated-3-to-1",
    ):
        get_scenario("stated-3-to")
    with pytest.raises(ScenarioError, match=r"got 'missing\.json'.*no such file"):
        get_scenario("missing.json")
    with pytest.raises(ScenarioError, match=r"^scenario: got 3"):
        get_scenario(3)


# -- atomic saving --------------------------------------------------------------------------


def test_save_writes_only_the_target_and_round_trips(tmp_path):
    s = get_scenario("report-confusion")
    path = save_scenario(s, tmp_path / "s.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]
    assert load_scenario(path) == s
    assert path.read_text(encoding="utf-8") == scenario_to_json(s)
    umask = os.umask(0)
    os.umask(umask)
    assert (path.stat().st_mode & 0o777) == 0o666 & ~umask  # not mkstemp's private 0600


def test_existing_file_is_kept_unless_overwrite(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("precious", encoding="utf-8")
    with pytest.raises(
        ScenarioError,
        match=r"^path: got '.*s\.json'; expected a file that does not exist yet .*use --overwrite \(overwrite=True\) to replace it",
    ):
        save_scenario(get_scenario("carlsmith"), path)
    assert path.read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]
    save_scenario(get_scenario("carlsmith"), path, overwrite=True)
    assert load_scenario(path) == get_scenario("carlsmith")


@pytest.mark.parametrize(
    ("target", "error"),
    [("os.replace", OSError(28, "No space left on device")), ("os.fsync", RuntimeError("disk vanished"))],
)
def test_a_failure_mid_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch, target, error):
    path = tmp_path / "s.json"
    save_scenario(get_scenario("stated-3-to-1"), path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr(f"beliefs.io.files.{target}", boom)
    expected = ScenarioError if isinstance(error, OSError) else RuntimeError
    with pytest.raises(expected) as exc:
        save_scenario(get_scenario("carlsmith"), path, overwrite=True)
    if expected is ScenarioError:
        assert "No space left on device" in str(exc.value) and "s.json" in str(exc.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_save_refuses_bad_targets(tmp_path):
    s = get_scenario("stated-3-to-1")
    with pytest.raises(ScenarioError, match=r"^path: .*expected a file in an existing directory"):
        save_scenario(s, tmp_path / "no" / "such" / "s.json")
    with pytest.raises(ScenarioError, match=r"^path: .*expected a file name, not a directory"):
        save_scenario(s, tmp_path)
    with pytest.raises(ScenarioError, match=r"^scenario: got 'dict'; expected a Scenario"):
        save_scenario({"prior": 0.5}, tmp_path / "x.json")
    assert list(tmp_path.iterdir()) == []


# -- round trips (hypothesis) -------------------------------------------------------------------

texts = st.text(max_size=30)
# A subnormal probability is refused in a file as wherever it is typed (issue 22.14).
probabilities = st.floats(min_value=0.0, max_value=1.0).filter(lambda p: p == 0 or p >= 2.2250738585072014e-308)
likelihoods = st.floats(min_value=1e-300, max_value=1.0, exclude_min=False)
positives = st.floats(min_value=1e-300, max_value=1e300)
betas = st.builds(lambda a, b: {"alpha": a, "beta": b}, positives, positives)
sources = st.builds(
    lambda c, loc, status, url: {"citation": c, "location": loc, "status": status, "url": url},
    st.text(min_size=1, max_size=30).filter(str.strip),
    texts,
    st.sampled_from(["P", "S", "X"]),
    texts,
)


@st.composite
def evidence_items(draw, group_discounts):
    item = {
        "label": draw(st.text(min_size=1, max_size=20).filter(str.strip)),
        "id": draw(st.none() | texts),
        "note": draw(texts),
        "source": draw(st.none() | sources),
        "log_lr_sigma": draw(st.none() | st.floats(min_value=0, max_value=10, allow_subnormal=False)),
        "enabled": draw(st.booleans()),
    }
    if draw(st.booleans()):
        item["p_e_given_h"] = draw(likelihoods)
        item["p_e_given_not_h"] = draw(likelihoods)
        item["p_e_given_h_dist"] = draw(st.none() | betas)
        item["p_e_given_not_h_dist"] = draw(st.none() | betas)
    else:
        item["likelihood_ratio"] = draw(positives)
    group = draw(st.sampled_from([None, "a", "b"]))
    item["group"] = group
    item["discount"] = group_discounts[group] if group else draw(st.floats(min_value=1e-6, max_value=1.0))
    return item


@st.composite
def scenarios(draw):
    discounts = {g: draw(st.floats(min_value=1e-6, max_value=1.0)) for g in ("a", "b")}
    models = {}
    if draw(st.booleans()):
        size = draw(st.integers(1, 4))
        n = draw(st.lists(st.integers(1, 10**6), min_size=size, max_size=size))
        models["covert_actions"] = {
            "n": n,
            "k": [draw(st.integers(0, trials)) for trials in n],
            "rate_if_h": [draw(positives), draw(positives)],
            "pooling": draw(st.sampled_from(["none", "partial"])),
            "effective_n": draw(st.none() | st.integers(1, 10**6)),
        }
    if draw(st.booleans()):
        models["chain"] = (
            {"per_step": draw(probabilities), "steps": draw(st.integers(1, 1000))}
            if draw(st.booleans())
            else {"per_step_beta": [draw(positives), draw(positives)], "drift": draw(st.floats(-1, 1))}
        )
    if draw(st.booleans()):
        models["monitoring"] = {
            "rate": draw(probabilities),
            "report": draw(probabilities),
            "collusion": draw(probabilities),
            "tasks": draw(st.integers(0, 10**9)),
        }
    doc = {
        "format": "beliefs-scenario",
        "version": 1,
        "name": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)),
        "title": draw(texts),
        "description": draw(texts),
        "hypothesis": draw(texts),
        "prior": draw(probabilities),
        "prior_source": draw(st.none() | sources),
        "compare_priors": draw(st.lists(probabilities, max_size=3)),
        "evidence": draw(st.lists(evidence_items(discounts), max_size=4)),
        "models": models,
    }
    return Scenario.model_validate(doc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=scenarios())
def test_save_then_load_returns_an_equal_scenario(s):
    with tempfile.TemporaryDirectory() as folder:
        path = save_scenario(s, Path(folder) / "s.json")
        loaded = load_scenario(path)
        assert loaded == s
        assert scenario_to_json(loaded) == scenario_to_json(s)
        assert os.listdir(folder) == ["s.json"]
    assert parse_scenario(scenario_to_json(s).encode()) == s


@settings(max_examples=60, deadline=None)
@given(s=scenarios())
def test_from_evidence_rebuilds_the_same_scenario(s):
    meta = s.model_dump(exclude={"prior", "evidence"})
    meta["prior_source"] = s.prior_source
    meta["models"] = s.models
    rebuilt = Scenario.from_evidence(s.prior, s.evidence_items(), **meta)
    assert rebuilt == s
    # And the result is the library's update of the same items (same order, same sum).
    assert rebuilt.result().posterior_log_odds == s.result().posterior_log_odds


def test_from_evidence_carries_sources_and_distributions():
    items = [
        Evidence("a", 0.75, 0.25, source=Source("paper", "p. 3", "P"), p_e_given_h_dist=BetaDist(7.5, 2.5)),
        Evidence("b", likelihood_ratio=0.5, group="g", discount=0.5),
    ]
    s = Scenario.from_evidence(0.25, items, name="mine", compare_priors=[0.5])
    assert s.evidence_items() == items
    assert s.evidence[0].likelihood_ratio is None  # derived from the pair, not stored twice
    assert s.evidence[0].source == SourceSpec(citation="paper", location="p. 3", status="P")
    # Hand: odds 1:3 x 3 x 0.5**0.5 = 0.7071:1
    assert s.result().posterior_odds == pytest.approx(math.sqrt(0.5), rel=1e-14)


def test_settings_models_accept_their_documented_defaults():
    covert = CovertActionsSettings(k=[1, 0], n=[10, 5])
    assert covert.rate_if_h == covert.rate_if_not_h == [1.0, 1.0] and covert.pooling == "partial"
    monitoring = MonitoringSettings(rate=0.01, report=0.9, tasks=1000)
    assert monitoring.collusion == 0.0
    assert ModelSettings() == ModelSettings(covert_actions=None, chain=None, monitoring=None)


def test_scenario_modules_stay_light():
    code = (
        "import sys, beliefs, beliefs.io.catalogue, beliefs.io.scenario, beliefs.cli.catalogue_cmd\n"
        "heavy = [m for m in ('pymc', 'pytensor', 'arviz', 'matplotlib', 'streamlit') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "[]"


def test_module_constants():
    assert scenario_mod.MAX_SCENARIO_BYTES == 1_000_000
    assert scenario_schema.FORMAT == "beliefs-scenario" and scenario_schema.VERSION == 1


def test_app_display_settings_round_trip_and_are_validated(tmp_path):
    s = Scenario(prior=0.3, app={"view": "chain", "thr": "0.9", "entry": "odds"})
    path = save_scenario(s, tmp_path / "with-app.json")
    assert load_scenario(path) == s
    with pytest.raises(InputError, match=r"app\.thr: got '1\.5'"):
        parse_scenario(scenario_to_json(s).replace('"0.9"', '"1.5"'))
    with pytest.raises(InputError, match=r"app\['colour'\].*a known app setting"):
        Scenario(prior=0.3, app={"colour": "red"})
