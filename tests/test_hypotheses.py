"""More than two hypotheses: the vector form against direct normalisation, update() and mpmath; scenario version 2."""

import json
import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp

from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.hypotheses import update_hypotheses
from beliefs.io.scenario import get_scenario, load_scenario, parse_scenario, save_scenario, scenario_to_json
from beliefs.io.scenario_schema import HYPOTHESES_VERSION, Scenario, ScenarioError
from beliefs.update import update
from tests.cli_helpers import assert_one_line_error, run_cli, run_json

_lik = st.floats(1e-300, 1.0)


@st.composite
def problems(draw):
    k = draw(st.integers(2, 6))
    weights = draw(st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k))
    prior = [w / math.fsum(weights) for w in weights]
    items = draw(st.lists(st.lists(_lik, min_size=k, max_size=k), max_size=8))
    return prior, items


@settings(max_examples=200, deadline=None)
@given(problems())
def test_vector_form_equals_direct_normalisation_with_scipy_logsumexp(problem):
    prior, items = problem
    names = [f"H{i}" for i in range(len(prior))]
    r = update_hypotheses(names, prior, items)
    joint = np.log(prior) + np.sum(np.log(np.array(items, dtype=float).reshape(-1, len(prior))), axis=0)
    want = joint - logsumexp(joint)
    np.testing.assert_allclose(r.log_posterior, want, rtol=0, atol=1e-9 * (1 + np.max(np.abs(joint))))
    assert math.fsum(r.posterior) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.floats(1e-12, 1 - 1e-12), st.lists(st.tuples(st.floats(1e-300, 1.0), st.floats(1e-300, 1.0)), max_size=6))
@example(0.25, [(0.75, 0.25)])
@example(0.5, [(1e-300, 1e-300)] * 3)
def test_two_hypotheses_equal_update_to_1e_12(p, pairs):
    r = update_hypotheses(["H", "not H"], [p, 1 - p], [list(pair) for pair in pairs])
    u = update(p, [Evidence("e", p_e_given_h=h, p_e_given_not_h=n) for h, n in pairs])
    assert r.posterior[0] == pytest.approx(u.posterior, abs=1e-12)
    assert r.posterior[1] == pytest.approx(u.posterior_complement, abs=1e-12)
    # the bits between H and not H are the ledger's bits
    pair = r.pair_bits(0, 1)
    assert pair["evidence_bits"] == pytest.approx(u.bits, abs=1e-9 * (1 + abs(u.bits)))


def test_products_beyond_the_double_range_against_mpmath():
    """A thousand items of 1e-300 (a product of 1e-300000) and one that separates the hypotheses."""
    items = [[1e-300, 1e-300, 1e-300]] * 1000 + [[1e-300, 2e-300, 4e-300]] * 400 + [[0.25, 0.6, 0.75]]
    prior = [0.5, 0.25, 0.25]
    r = update_hypotheses(["none", "rare", "consistent"], prior, items)
    with mpmath.workdps(50):
        joint = [mpmath.mpf(p) for p in prior]
        for vec in items:
            joint = [j * mpmath.mpf(x) for j, x in zip(joint, vec, strict=True)]
        z = sum(joint)
        want = [j / z for j in joint]
    for got, w in zip(r.posterior, want, strict=True):
        assert got == pytest.approx(float(w), rel=1e-10, abs=1e-300)
    assert r.posterior[2] > 0.999  # 400 doublings: consistent wins by 400 bits over rare
    assert r.pair_bits(2, 1)["evidence_bits"] == pytest.approx(400 + math.log2(0.75 / 0.6), rel=1e-12)


def test_a_zero_prior_stays_zero_and_is_explained():
    r = update_hypotheses(["a", "b", "c"], [0.0, 0.5, 0.5], [[1.0, 1e-9, 1e-9]])
    assert r.posterior[0] == 0.0 and r.posterior[1] == pytest.approx(0.5)
    assert "Cromwell" in r.notes[0]
    data = r.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["bits"][0]["posterior_bits"] is None and data["bits"][0]["prior_bits"] is None
    assert data["bits"][2]["posterior_bits"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    "names, prior, items, match",
    [
        (["a"], [1.0], [], r"^hypotheses: .*2 to 50"),
        (["a", "a"], [0.5, 0.5], [], r"appears twice"),
        (["a", "b"], [0.5, 0.6], [], r"^prior: .*summing to 1 .*1.1"),
        (["a", "b"], [0.5], [], r"^prior: .*2 probabilities"),
        (["a", "b"], [0.5, 0.5], [[0.5]], r"^likelihoods\[0\]: .*2 likelihoods"),
        (["a", "b"], [0.5, 0.5], [[0.5, 0.0]], r"^likelihoods\[0\]\[1\]: got 0.0"),
        (["a", "b"], [0.5, 0.5], [[0.5, 1.5]], r"^likelihoods\[0\]\[1\]: got 1.5"),
        (["a", "b"], [75, 25], [], r"^prior\[0\]: got 75.*did you mean 0.75"),
        (["a", "b\x1b"], [0.5, 0.5], [], r"control characters"),
    ],
)
def test_bad_input_names_the_field(names, prior, items, match):
    with pytest.raises(InputError, match=match):
        update_hypotheses(names, prior, items)


# -- scenario files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["stated-3-to-1", "report-confusion", "carlsmith"])
def test_a_version_1_file_loads_unchanged_and_writes_back_byte_for_byte(tmp_path, name):
    s = get_scenario(name)
    assert s.version == 1 and s.hypotheses is None
    text = scenario_to_json(s)
    assert '"hypotheses"' not in text and '"version": 1' in text
    path = save_scenario(s, tmp_path / f"{name}.json")
    again = load_scenario(path)
    assert again == s and scenario_to_json(again) == text


def test_the_shipped_version_1_files_are_still_version_1():
    from importlib import resources

    for item in resources.files("beliefs.data").iterdir():
        if item.name.startswith("scenario-") and item.name != "scenario-rare-scheming.json":
            doc = json.loads(item.read_text(encoding="utf-8"))
            assert doc["version"] == 1 and "hypotheses" not in doc
            # Issue 22.22: saved back byte for byte (no "app": null added to a file without display settings).
            assert scenario_to_json(parse_scenario(item.read_text(encoding="utf-8"))) == item.read_text(encoding="utf-8")


def test_rare_scheming_preset_carries_three_hypotheses_with_sources():
    s = get_scenario("rare-scheming")
    assert s.version == HYPOTHESES_VERSION
    r = s.hypotheses_result()
    assert r.names == ("no scheming", "rare scheming caught by monitors", "consistent scheming")
    # 0.375*0.25 : 0.375*0.6 : 0.25*0.75, normalised
    joint = [0.375 * 0.25, 0.375 * 0.6, 0.25 * 0.75]
    assert r.posterior == pytest.approx([j / sum(joint) for j in joint], rel=1e-12)
    assert {h.source.status for h in s.hypotheses} <= {"P", "X"}
    assert all(h.source is not None for h in s.hypotheses)
    assert "rare-schemers tend to report on each other" in s.description
    assert s.evidence[0].source.status == "X"


def test_hypotheses_need_version_2_and_one_likelihood_per_item():
    doc = json.loads(scenario_to_json(get_scenario("rare-scheming")))
    v1 = {**doc, "version": 1}
    with pytest.raises(ScenarioError, match=r"^version: got 1; expected 2 for a scenario with a 'hypotheses' block"):
        parse_scenario(json.dumps(v1))
    short = json.loads(json.dumps(doc))
    short["hypotheses"][0]["likelihoods"] = []
    with pytest.raises(InputError, match=r"hypotheses\[0\]\.likelihoods: .*1 likelihoods, one per evidence item"):
        parse_scenario(json.dumps(short))
    bad = json.loads(json.dumps(doc))
    bad["hypotheses"][1]["prior"] = 0.9
    with pytest.raises(InputError, match="summing to 1"):
        parse_scenario(json.dumps(bad))
    s = Scenario.model_validate(doc)
    assert parse_scenario(scenario_to_json(s)) == s


# -- the command line -------------------------------------------------------------------------


def test_cli_three_hypothesis_update_of_the_2025_report():
    out = run_json(
        "update",
        "--hypotheses",
        "no scheming,rare scheming,consistent scheming",
        "--prior",
        "0.375,0.375,0.25",
        "--likelihoods",
        "0.25,0.6,0.75",
    )
    assert out["hypotheses"] == ["no scheming", "rare scheming", "consistent scheming"]
    assert out["prior"] == [0.375, 0.375, 0.25]
    joint = [0.375 * 0.25, 0.375 * 0.6, 0.25 * 0.75]
    assert out["posterior"] == pytest.approx([j / sum(joint) for j in joint], rel=1e-12)
    assert out["items"] == [{"label": "E1", "likelihoods": [0.25, 0.6, 0.75]}]
    assert len(out["bits"]) == 3


def test_cli_tiny_likelihoods_and_errors():
    out = run_json("update", "--hypotheses", "a,b,c", "--prior", "0.2,0.3,0.5", *(["--likelihoods", "1e-300,1e-300,2e-300"] * 5))
    assert out["posterior"][2] == pytest.approx(0.5 * 32 / (0.2 + 0.3 + 0.5 * 32), rel=1e-12)
    assert_one_line_error(run_cli("update", "--hypotheses", "a,b", "--prior", "0.3,0.3"), "--prior")
    assert_one_line_error(run_cli("update", "--prior", "0.3", "--likelihoods", "0.2,0.5"), "--likelihoods")
    assert_one_line_error(
        run_cli("update", "--hypotheses", "a,b", "--prior", "0.5,0.5", "--likelihoods", "0.2,x"), "--likelihoods[0][1]"
    )
    assert_one_line_error(run_cli("update", "--hypotheses", "a,b", "--prior", "0.5,0.5", "--lr", "3"), "--lr")


def test_scenario_run_shows_a_version_2_files_hypotheses_and_version_1_output_is_unchanged():
    out = run_json("scenario", "run", "rare-scheming")
    want = get_scenario("rare-scheming").hypotheses_result()
    assert out["hypotheses"]["hypotheses"] == list(want.names)
    assert out["hypotheses"]["posterior"] == pytest.approx(list(want.posterior), rel=1e-12)
    assert out["hypotheses"]["items"][0]["label"] == get_scenario("rare-scheming").evidence[0].label
    assert "hypotheses" not in run_json("scenario", "run", "carlsmith")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.text(alphabet="0123456789.,e-+ naif", max_size=40), st.text(alphabet="0123456789.,e-+ naif", max_size=40))
@example("a,b", "0.5,0.5", "1e-300,1e-320")  # a subnormal likelihood
@example("a,,b", "0.5,0.5", "0.1,0.2")
def test_fuzzed_command_line_vectors_give_a_result_or_one_input_error(names, prior, likelihoods):
    from beliefs.hypotheses import parse_names, parse_vector

    try:
        r = update_hypotheses(
            parse_names(names),
            parse_vector(prior, "--prior"),
            [parse_vector(likelihoods, "--likelihoods[0]")],
            fields=("--hypotheses", "--prior", "--likelihoods"),
        )
    except InputError as exc:
        assert str(exc).startswith("--") and "\n" not in str(exc)
    else:
        assert all(0.0 <= p <= 1.0 for p in r.posterior)
        assert math.fsum(r.posterior) == pytest.approx(1.0, abs=1e-12)
