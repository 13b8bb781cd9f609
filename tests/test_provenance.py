"""Provenance of a Bayes factor from derived counts survives the ledger, files, links and the CLI."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.datasets import dataset_counts_result
from beliefs.errors import InputError
from beliefs.evidence import Evidence, Provenance
from beliefs.io.link import AppState, decode, encode
from beliefs.io.scenario import load_scenario, parse_scenario, save_scenario, scenario_to_json
from beliefs.io.scenario_schema import Scenario
from tests.cli_helpers import run_cli, run_json

PROV = Provenance(
    assumption="derived from an assumed n = 316 per evaluation, pooling partial",
    method="quadrature",
    model="partial pooling (hierarchical beta-binomial)",
    log10_bf_range=(2.345, 93.28),
    range_over="assumed n in {100, 316, 1000} x pooling in {none, partial}",
)


def _item() -> Evidence:
    return Evidence("covert actions, antischeming-2025:o3:before (derived counts)", likelihood_ratio=221.34, provenance=PROV)


def test_describe_shows_the_assumption_and_range():
    text = _item().describe()
    assert "assumed n = 316" in text and "pooling partial" in text and "[2.345, 93.28]" in text


def test_scenario_file_round_trip(tmp_path):
    s = Scenario.from_evidence(0.25, [_item(), Evidence("plain", likelihood_ratio=2.0)], name="prov")
    path = save_scenario(s, tmp_path / "prov.json")
    back = load_scenario(path).evidence_items()
    assert back[0].provenance == PROV and back[1].provenance is None
    assert back[0].likelihood_ratio == 221.34


def test_older_scenario_files_load_unchanged():
    old = scenario_to_json(Scenario.from_evidence(0.5, [Evidence("x", likelihood_ratio=3.0)], name="old"))
    import json

    data = json.loads(old)
    assert all("provenance" not in e for e in data["evidence"])  # written only where there is one
    item = parse_scenario(json.dumps(data)).evidence_items()[0]
    assert item.provenance is None and item.likelihood_ratio == 3.0


def test_scenario_file_bad_provenance_names_the_field():
    import json

    data = json.loads(scenario_to_json(Scenario.from_evidence(0.5, [_item()], name="p")))
    data["evidence"][0]["provenance"]["log10_bf_range"] = [3.0, 1.0]
    with pytest.raises(InputError, match=r"evidence\[0\]\.provenance"):
        parse_scenario(json.dumps(data))


def test_share_link_round_trip():
    state = AppState(items=(_item(), Evidence("plain", likelihood_ratio=2.0)))
    params = encode(state)
    assert "p0" in params and "p1" not in params
    back, warnings = decode(params)
    assert warnings == []
    assert back.items[0].provenance == PROV and back.items[1].provenance is None


def test_links_without_provenance_decode_unchanged_and_bad_provenance_warns():
    params = encode(AppState(items=(_item(),)))
    params.pop("p0")
    back, warnings = decode(params)
    assert warnings == [] and back.items[0].provenance is None
    params["p0"] = '{"assumption": "x`y"}'
    back, warnings = decode(params)
    assert back.items[0].provenance is None and len(warnings) == 1 and warnings[0].startswith("p0.assumption")
    params["p0"] = "not json"
    assert decode(params)[1][0].startswith("p0: got")


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200))
def test_provenance_parameter_never_raises(raw):
    params = encode(AppState(items=(Evidence("x", likelihood_ratio=2.0),)))
    params["p0"] = raw
    state, _ = decode(params)
    assert len(state.items) == 1


def test_counts_result_to_evidence_round_trips_through_a_file(tmp_path):
    r = dataset_counts_result("antischeming-2025:o4-mini:before", 0.5, (1, 9), (1, 99), n_assumed=100)
    item = r.to_evidence()
    path = save_scenario(Scenario.from_evidence(0.5, [item], name="derived"), tmp_path / "d.json")
    back = load_scenario(path).evidence_items()[0]
    assert back.provenance == item.provenance and "assumed n = 100" in back.provenance.assumption
    run = run_cli("scenario", "run", str(path))
    assert run.returncode == 0, run.stderr
    assert "assumed n = 100 per evaluation, pooling partial" in run.stdout and "log10 BF range" in run.stdout
    out = run_json("scenario", "run", str(path))
    assert out["provenance"][0]["assumption"] == item.provenance.assumption
    assert out["provenance"][0]["log10_bf_range"] == list(item.provenance.log10_bf_range)
    assert "assumed n = 100" in run_cli("scenario", "show", str(path)).stdout


def test_provenance_spec_and_provenance_have_the_same_fields():
    """Provenance is extensible: a field added to the dataclass must be added to the file's schema too."""
    from dataclasses import fields

    from beliefs.io.scenario_schema import ProvenanceSpec

    assert list(ProvenanceSpec.model_fields) == [f.name for f in fields(Provenance)]


def test_an_older_derived_item_records_its_derived_ratio_when_edited():
    """A file written before the derived ratio was stored: the first edit records it, so the item says "edited"."""
    old = Evidence("derived", likelihood_ratio=221.0, provenance=PROV)
    assert PROV.derived_likelihood_ratio is None and old.provenance_text.startswith("derived: assumed n = 316")
    edited = old.with_(likelihood_ratio=112.0)
    assert edited.provenance.derived_likelihood_ratio == 221.0
    assert edited.provenance_text.startswith("edited: 112:1; derived value was 221:1 at assumed n = 316")
    assert old.with_(label="renamed").provenance == PROV  # no number changed: nothing recorded
    back = parse_scenario(scenario_to_json(Scenario.from_evidence(0.5, [edited], name="e"))).evidence_items()[0]
    assert back == edited  # the derived value travels in the file


def test_counts_to_evidence_records_the_derived_ratio():
    r = dataset_counts_result("antischeming-2025:o4-mini:before", 0.5, (1, 9), (1, 99), n_assumed=100)
    item = r.to_evidence()
    assert item.provenance.derived_likelihood_ratio == item.likelihood_ratio
    assert item.provenance_text.startswith("derived: assumed n = 100 per evaluation, pooling partial")
