"""Value of information between two views, against a hand-written implementation of the issue's formulas."""

import json
from importlib import resources

import mpmath
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from beliefs.analysis.voi import MAX_OBSERVATIONS, MAX_PENDING_BYTES, parse_pending, value_of_information
from beliefs.cli.output import jsonable
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from tests.cli_helpers import assert_one_line_error, run_cli, run_json

PENDING = str(resources.files("beliefs.data") / "pending-2025.json")


def _obs(ha, na, hb=None, nb=None, label="E"):
    item = {"label": label, "a": {"p_e_given_h": ha, "p_e_given_not_h": na}}
    if hb is not None:
        item["b"] = {"p_e_given_h": hb, "p_e_given_not_h": nb}
    return item


def oracle(pa, pb, ha, na, hb, nb, mp=mpmath.mp):
    """The issue's formulas, written out in probability space (mpmath when asked for extremes)."""
    f = mp.mpf
    pa, pb, ha, na, hb, nb = map(f, (pa, pb, ha, na, hb, nb))

    def log2odds(p):
        return mp.log(p / (1 - p), 2)

    Pa, Pb = pa * ha + (1 - pa) * na, pb * hb + (1 - pb) * nb
    a_e, b_e = pa * ha / Pa, pb * hb / Pb
    a_ne, b_ne = pa * (1 - ha) / (1 - Pa), pb * (1 - hb) / (1 - Pb)
    d_now = abs(log2odds(pa) - log2odds(pb))
    d_e = abs(log2odds(a_e) - log2odds(b_e))
    d_ne = abs(log2odds(a_ne) - log2odds(b_ne))
    pbar = (Pa + Pb) / 2
    return {
        "d_now": d_now,
        "Pa": Pa,
        "Pb": Pb,
        "a_e": a_e,
        "b_e": b_e,
        "a_ne": a_ne,
        "b_ne": b_ne,
        "d_e": d_e,
        "d_ne": d_ne,
        "ed": pbar * d_e + (1 - pbar) * d_ne,
    }


_p = st.floats(0.001, 0.999)


@settings(max_examples=300, deadline=None)
@given(_p, _p, _p, _p, _p, _p)
@example(0.5, 0.2, 0.9, 0.1, 0.9, 0.1)
def test_voi_matches_the_formulas(pa, pb, ha, na, hb, nb):
    obs = parse_pending(json.dumps([_obs(ha, na, hb, nb)]))
    r = value_of_information((pa, []), (pb, []), obs)
    o = r.observations[0]
    with mpmath.workdps(30):
        want = oracle(pa, pb, ha, na, hb, nb)
    assert r.disagreement_bits == pytest.approx(float(want["d_now"]), rel=1e-12, abs=1e-12)
    assert o.p_observed_a == pytest.approx(float(want["Pa"]), rel=1e-13)
    assert o.p_observed_b == pytest.approx(float(want["Pb"]), rel=1e-13)
    assert o.if_observed.a.posterior == pytest.approx(float(want["a_e"]), rel=1e-12)
    assert o.if_observed.b.posterior == pytest.approx(float(want["b_e"]), rel=1e-12)
    assert o.if_not_observed.a.posterior == pytest.approx(float(want["a_ne"]), rel=1e-12)
    assert o.if_not_observed.b.posterior == pytest.approx(float(want["b_ne"]), rel=1e-12)
    assert o.if_observed.disagreement_bits == pytest.approx(float(want["d_e"]), abs=1e-11)
    assert o.if_not_observed.disagreement_bits == pytest.approx(float(want["d_ne"]), abs=1e-11)
    assert o.expected_disagreement_bits == pytest.approx(float(want["ed"]), abs=1e-11)
    by_a = want["Pa"] * want["d_e"] + (1 - want["Pa"]) * want["d_ne"]
    by_b = want["Pb"] * want["d_e"] + (1 - want["Pb"]) * want["d_ne"]
    assert o.expected_disagreement_bits_by_side == pytest.approx((float(by_a), float(by_b)), abs=1e-11)


def test_b_defaults_to_a_and_observations_sort_by_expected_disagreement():
    text = json.dumps([_obs(0.6, 0.5, label="weak"), _obs(0.9, 0.1, 0.9, 0.1, label="strong"), _obs(0.3, 0.9, 0.6, 0.9)])
    r = value_of_information((0.5, []), (0.2, []), parse_pending(text))
    eds = [o.expected_disagreement_bits for o in r.observations]
    assert eds == sorted(eds)
    weak = next(o for o in r.observations if o.label == "weak")
    assert weak.observation.b is None and weak.observation.b_or_a == weak.observation.a
    # shared likelihoods shift both log-odds by the same amount: the gap does not change in either branch
    assert weak.if_observed.disagreement_bits == pytest.approx(r.disagreement_bits, abs=1e-12)
    assert weak.if_not_observed.disagreement_bits == pytest.approx(r.disagreement_bits, abs=1e-12)


def test_the_sides_ledgers_are_part_of_their_posteriors():
    """p_j is each side's posterior after its own ledger, not its prior."""
    a = (0.25, [Evidence("report", p_e_given_h=0.75, p_e_given_not_h=0.25)])  # 50%
    b = (0.25, [Evidence("report", p_e_given_h=0.75, p_e_given_not_h=0.5)])  # 1/3
    r = value_of_information(a, b, parse_pending(json.dumps([_obs(0.9, 0.3)])))
    with mpmath.workdps(30):
        want = oracle(0.5, 1 / 3, 0.9, 0.3, 0.9, 0.3)
    assert r.observations[0].p_observed_a == pytest.approx(float(want["Pa"]), rel=1e-12)
    assert r.observations[0].expected_disagreement_bits == pytest.approx(float(want["ed"]), abs=1e-12)


# -- extremes: log space, certainty ---------------------------------------------------------

_tiny = st.floats(1e-300, 1e-6)


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(_tiny, st.floats(1e-6, 1 - 1e-6), st.floats(1 - 1e-6, 1 - 2**-52)),
    st.one_of(_tiny, st.floats(1e-6, 1 - 1e-6)),
    st.one_of(_tiny, st.floats(1e-6, 1 - 1e-6)),
    st.one_of(_tiny, st.floats(1e-6, 1 - 1e-6)),
)
@example(1 - 2**-52, 1e-300, 1e-200, 0.5)
@example(1e-300, 1e-300, 1e-250, 1e-280)
def test_near_certain_sides_and_tiny_likelihoods_against_mpmath(pa, pb, h, n):
    r = value_of_information((pa, []), (pb, []), parse_pending(json.dumps([_obs(h, n, n, h)])))
    o = r.observations[0]
    with mpmath.workdps(800):  # probability space needs ~2x the exponent range in digits
        want = oracle(pa, pb, h, n, n, h)
        tol = 1e-9 * (1 + abs(want["d_now"]) + abs(want["d_e"]) + abs(want["d_ne"]))
        assert abs(r.disagreement_bits - want["d_now"]) <= tol
        assert abs(o.if_observed.disagreement_bits - want["d_e"]) <= tol
        assert abs(o.if_not_observed.disagreement_bits - want["d_ne"]) <= tol
        assert abs(o.expected_disagreement_bits - want["ed"]) <= tol
        assert abs(o.p_observed_a - want["Pa"]) <= 1e-12 * want["Pa"]
    data = json.dumps(jsonable(r.to_dict()), allow_nan=False)
    assert "NaN" not in data


@pytest.mark.parametrize(
    "pa, pb, now, note",
    [
        (1.0, 0.3, None, "A is certain"),
        (0.0, 0.3, None, "A is certain"),
        (1.0, 1.0, 0.0, "B is certain"),
        (0.0, 1.0, None, "A is certain"),
    ],
)
def test_a_certain_side_is_explained_not_nan(pa, pb, now, note):
    r = value_of_information((pa, []), (pb, []), parse_pending(json.dumps([_obs(0.9, 0.2)])), names=("A", "B"))
    d = jsonable(r.to_dict())
    json.dumps(d, allow_nan=False)
    assert d["disagreement_bits"] == now
    assert any(note in n and "Cromwell" in n for n in d["notes"])
    o = d["observations"][0]
    # a certain side's prediction is its own likelihood, exactly
    if pa == 1.0:
        assert o["p_observed"]["a"] == 0.9
    elif pa == 0.0:
        assert o["p_observed"]["a"] == 0.2
    assert o["if_observed"]["a_posterior"] == pa and o["if_not_observed"]["a_posterior"] == pa
    assert o["expected_movement_bits"]["a"] == 0.0


# -- the pending file is untrusted input -----------------------------------------------------


@pytest.mark.parametrize(
    "text, match",
    [
        ("", r"^--pending: .*valid JSON"),
        ("{}", r"^--pending: got 'dict'; expected a JSON list"),
        ("[]", r"^--pending: got \[\]; expected a JSON list"),
        ('[{"label": "x", "a": {"p_e_given_h": 1, "p_e_given_not_h": 0.5}}]', r"^--pending \[0\]\.a\.p_e_given_h: got 1; .*strictly between 0 and 1"),
        ('[{"label": "x", "a": {"p_e_given_h": 0.5, "p_e_given_not_h": 0}}]', r"p_e_given_not_h: got 0"),
        ('[{"label": "x", "a": {"p_e_given_h": "0.5", "p_e_given_not_h": 0.2}}]', r"numbers are written without quotes"),
        ('[{"label": "x", "a": {"p_e_given_h": true, "p_e_given_not_h": 0.2}}]', r"p_e_given_h: got true"),
        ('[{"label": "x", "a": {"p_e_given_h": NaN, "p_e_given_not_h": 0.2}}]', r"NaN"),
        ('[{"label": "x", "a": {"p_e_given_h": 0.5, "p_e_given_h": 0.2}}]', r"duplicate field"),
        ('[{"label": "x", "a": {"p_e_given_h": 0.5, "p_e_given_not_h": 0.2}, "c": {}}]', r"unknown field 'c'"),
        ('[{"label": "x", "a": {"p_e_given_h": 0.5, "p_e_given_not_h": 0.2}, "b": {"p_e_given_h": 0.5}}]', r"\[0\]\.b\.p_e_given_not_h: .*required"),
        ('[{"label": "\\u001b[31mred", "a": {"p_e_given_h": 0.5, "p_e_given_not_h": 0.2}}]', r"\[0\]\.label: .*control characters"),
        ('[{"label": "", "a": {"p_e_given_h": 0.5, "p_e_given_not_h": 0.2}}]', r"\[0\]\.label"),
        ("[" * 100 + "]" * 100, r"nested more than"),
        ('[{"label": "x", "a": {"p_e_given_h": 1e999, "p_e_given_not_h": 0.2}}]', r"overflows"),
    ],
)
def test_bad_pending_files_name_the_field(text, match):
    with pytest.raises(InputError, match=match):
        parse_pending(text)


def test_size_and_count_caps():
    one = _obs(0.5, 0.2)
    with pytest.raises(InputError, match=f"at most {MAX_OBSERVATIONS} observations"):
        parse_pending(json.dumps([one] * (MAX_OBSERVATIONS + 1)))
    with pytest.raises(InputError, match="at most 200,000 bytes"):
        parse_pending(b" " * (MAX_PENDING_BYTES + 1))


_json = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["label", "a", "b", "p_e_given_h", "p_e_given_not_h", "note", "source", "x"]), inner, max_size=4
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_json.map(lambda o: json.dumps([o])), st.binary(max_size=200), st.text(max_size=200)))
def test_fuzzed_pending_files_parse_or_fail_with_one_input_error(payload):
    try:
        obs = parse_pending(payload)
    except InputError as exc:
        assert str(exc).startswith("--pending") and "\n" not in str(exc)
    else:
        for o in obs:
            assert 0 < o.a.p_e_given_h < 1 and 0 < o.b_or_a.p_e_given_not_h < 1


# -- the shipped file and the command line ------------------------------------------------------


def test_the_shipped_pending_file_marks_every_likelihood_illustrative():
    with open(PENDING, encoding="utf-8") as handle:
        obs = parse_pending(handle.read())
    assert len(obs) >= 3
    labels = " ".join(o.label for o in obs)
    for phrase in ("per-evaluation counts", "production-like traffic", "monitor reports its peer"):
        assert phrase in labels
    for o in obs:
        assert o.source is not None and o.source.status == "X"
        assert "illustrative" in o.source.location.lower() and "ILLUSTRATIVE" in o.note


def test_cli_voi_json_contract_on_the_shipped_file():
    out = run_json("voi", "report-3-to-1", "report-confusion", "--pending", PENDING)
    assert out["disagreement_bits"] == pytest.approx(1.0, abs=1e-12)  # 3:1 versus 1.5:1 from the same prior
    eds = [o["expected_disagreement_bits"] for o in out["observations"]]
    assert eds == sorted(eds)
    for o in out["observations"]:
        assert {"label", "p_observed", "if_observed", "if_not_observed", "expected_disagreement_bits"} <= set(o)
        assert set(o["p_observed"]) == {"a", "b"}
        for branch in ("if_observed", "if_not_observed"):
            assert {"a_posterior", "b_posterior", "disagreement_bits"} <= set(o[branch])
        assert {"a", "b"} == set(o["expected_movement_bits"])


def test_cli_voi_human_output_and_errors(tmp_path):
    proc = run_cli("voi", "report-3-to-1", "report-confusion", "--pending", PENDING)
    assert proc.returncode == 0, proc.stderr
    assert "ranked by expected disagreement" in proc.stdout and "status X" in proc.stdout
    bad = tmp_path / "p.json"
    bad.write_text('[{"label": "x", "a": {"p_e_given_h": 1.5, "p_e_given_not_h": 0.2}}]', encoding="utf-8")
    assert_one_line_error(run_cli("voi", "carlsmith", "miri-ish", "--pending", str(bad)), "[0].a.p_e_given_h")
    assert_one_line_error(run_cli("voi", "carlsmith", "nope", "--pending", PENDING), "B")
    assert_one_line_error(run_cli("voi", "carlsmith", "miri-ish", "--pending", str(tmp_path)), "--pending")


@pytest.mark.parametrize(
    "document",
    [
        b'{"x": NaN}',
        b'{"x": 1e999}',
        b"[" * 40 + b"]" * 40,
        b'{"x": 1, "x": 2}',
        b'{"x": "\xff"}',
        b'{"x": ',
    ],
    ids=["nan", "overflow", "depth", "duplicate", "not-utf8", "truncated"],
)
def test_a_pending_file_and_a_scenario_file_follow_one_set_of_json_rules(document):
    """Both readers refuse the same documents with the same rule (scenario.decode_document/loads_strict)."""
    from beliefs.io.scenario import parse_scenario

    with pytest.raises(InputError) as scenario_error:
        parse_scenario(document)
    with pytest.raises(InputError) as pending_error:
        parse_pending(document)
    assert pending_error.value.allowed == scenario_error.value.allowed
    assert pending_error.value.field == "--pending"
