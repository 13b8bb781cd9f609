"""The Forecasting Research Institute's value of information and value of discrimination (issue 23.2).

Oracles, each independent of beliefs.analysis.voi:
- FRI's worked case (research/evidence.md, "Methods with published test cases"):
  P(U) = 0.2, P(U|c) = 0.5, P(c) = 0.3 gives P(U|not c) = 0.0714 and VoI_log = 0.04879.
- A transcription of FRI's R source, line for line: voivod ``R/metrics.R`` (``punotc``, ``KL``,
  ``VoI_log``, ``VoD_log_gmod``) and the helper it calls, aggutils ``R/agg.R``
  (``preprocess``, ``geoMeanOfOddsCalc``), which takes and returns percentages.
- The mutual information of H and E under each view's joint distribution, in mpmath.
"""

import json
import math

import mpmath
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from beliefs.analysis.voi import kl_log10, parse_pending, value_of_information
from beliefs.cli.output import jsonable
from tests.cli_helpers import run_json
from tests.test_voi import PENDING, _obs

# -- FRI's R source, transcribed (R's vectors become Python lists; nothing else changes) -------------------


def r_punotc(pc, puc, pu):
    return (pu - puc * pc) / (1 - pc)


def r_kl(p, q):
    return p * math.log10(p / q) + (1 - p) * math.log10((1 - p) / (1 - q))


def r_voi_log(pu, puc, pc):
    punotc = (pu - puc * pc) / (1 - pc)
    if pu == 0 or puc == pu:
        return 0.0
    assert punotc >= 0, "incoherent"
    return r_kl(puc, pu) * pc + r_kl(punotc, pu) * (1 - pc)


def r_geo_mean_of_odds_calc(x):
    """aggutils::geoMeanOfOddsCalc(x, q = 0.05, odds = FALSE): x in percent, the result in percent.

    preprocess() only sorts and drops NA for forecasts strictly between 0 and 100 (no 0s or 100s to replace).
    """
    x = [v / 100 for v in sorted(x)]
    odds = [v / (1 - v) for v in x]
    g = math.exp(sum(math.log(o) for o in odds) / len(odds))
    g = g / (g + 1)
    return g * 100


def r_vod_log_gmod(pu_a, pu_b, puc_a, puc_b, pc_a, pc_b, punotc_a, punotc_b, *, gmod=r_geo_mean_of_odds_calc):
    init_dis = r_kl(pu_a, pu_b) + r_kl(pu_b, pu_a)
    exp_dis = (r_kl(puc_a, puc_b) + r_kl(puc_b, puc_a)) * gmod([pc_a, pc_b]) + (
        r_kl(punotc_a, punotc_b) + r_kl(punotc_b, punotc_a)
    ) * gmod([1 - pc_a, 1 - pc_b])
    return init_dis - exp_dis


def gmod_in_percent(x):
    """The same helper called in the units it documents: fractions x 100 in, the percentage / 100 out."""
    return r_geo_mean_of_odds_calc([100 * v for v in x]) / 100


def fri_inputs(p, h, n):
    """One view's P(U), P(c), P(U|c) from its P(H) and likelihoods (probability space, plain floats)."""
    pc = p * h + (1 - p) * n
    return p, pc, p * h / pc


# -- the worked case --------------------------------------------------------------------------------------


def test_fri_worked_case():
    # P(U) = 0.2, P(c) = 0.3, P(U|c) = 0.5 is the view P(H) = 0.2 with P(E|H) = 0.5 * 0.3 / 0.2 = 0.75 and
    # P(E|not H) = 0.5 * 0.3 / 0.8 = 0.1875 (both exact binary fractions).
    r = value_of_information((0.2, []), (0.2, []), parse_pending(json.dumps([_obs(0.75, 0.1875)])))
    o = r.observations[0]
    assert o.p_observed_a == pytest.approx(0.3, rel=1e-15)
    assert o.if_observed.a.posterior == pytest.approx(0.5, rel=1e-15)
    assert round(o.if_not_observed.a.posterior, 4) == 0.0714  # published to 4 decimals
    assert o.if_not_observed.a.posterior == pytest.approx(r_punotc(0.3, 0.5, 0.2), rel=1e-14)
    voi_a, voi_b = o.voi_log10
    assert round(voi_a, 5) == 0.04879  # published to 5 decimals
    assert voi_a == pytest.approx(r_voi_log(0.2, 0.5, 0.3), rel=1e-14)
    assert voi_b == voi_a
    assert o.vod_log_gmod == pytest.approx(0.0, abs=1e-17)  # one view twice: nothing to discriminate


# -- against the R source and mutual information ------------------------------------------------------------

_p = st.floats(0.001, 0.999)


def _mutual_information_log10(p, h, n):
    """I(H; E) = sum over the 2x2 joint of P(h, e) log10(P(h, e) / (P(h) P(e))), in mpmath."""
    p, h, n = map(mpmath.mpf, (p, h, n))
    pe = p * h + (1 - p) * n
    cells = [(p * h, p, pe), (p * (1 - h), p, 1 - pe), ((1 - p) * n, 1 - p, pe), ((1 - p) * (1 - n), 1 - p, 1 - pe)]
    return mpmath.fsum(j * mpmath.log10(j / (a * b)) for j, a, b in cells)


@settings(max_examples=200, deadline=None)
@given(_p, _p, _p, _p, _p, _p)
@example(0.5, 0.25, 0.6, 0.2, 0.7, 0.3)  # the two views give E the same probability, 0.4
def test_voi_and_vod_against_the_r_source(pa, pb, ha, na, hb, nb):
    r = value_of_information((pa, []), (pb, []), parse_pending(json.dumps([_obs(ha, na, hb, nb)])))
    o = r.observations[0]
    pu_a, pc_a, puc_a = fri_inputs(pa, ha, na)
    pu_b, pc_b, puc_b = fri_inputs(pb, hb, nb)
    want_a, want_b = r_voi_log(pu_a, puc_a, pc_a), r_voi_log(pu_b, puc_b, pc_b)
    # R's arithmetic is in probability space (cancellation near p = q); the tolerance allows for it.
    assert o.voi_log10[0] == pytest.approx(want_a, rel=1e-8, abs=1e-14)
    assert o.voi_log10[1] == pytest.approx(want_b, rel=1e-8, abs=1e-14)
    with mpmath.workdps(40):
        assert o.voi_log10[0] == pytest.approx(float(_mutual_information_log10(pa, ha, na)), rel=1e-10, abs=1e-16)
        assert o.voi_log10[1] == pytest.approx(float(_mutual_information_log10(pb, hb, nb)), rel=1e-10, abs=1e-16)
    args = (
        pu_a, pu_b, puc_a, puc_b, pc_a, pc_b, r_punotc(pc_a, puc_a, pu_a), r_punotc(pc_b, puc_b, pu_b)
    )  # fmt: skip
    # FRI's formula with its helper called in the units the helper documents (percent):
    scale = 1 + abs(r_vod_log_gmod(*args, gmod=gmod_in_percent))
    assert o.vod_log_gmod == pytest.approx(r_vod_log_gmod(*args, gmod=gmod_in_percent), abs=1e-9 * scale)
    w_c, w_not = o.crux_weights
    assert w_c + w_not == pytest.approx(1.0, abs=1e-15)
    assert w_c == pytest.approx(gmod_in_percent([pc_a, pc_b]), rel=1e-12)


def test_vod_equals_r_as_run_when_the_views_give_e_the_same_probability():
    """The R code passes fractions to a helper that takes percent; with equal P(c) that changes nothing.

    geoMeanOfOddsCalc(c(p, p)) of a fraction p is 100 * (p/(100-p)) / (1 + p/(100-p)) = p exactly.
    """
    a, b = (0.5, 0.6, 0.2), (0.25, 0.7, 0.3)  # P(E) = 0.4 for both
    r = value_of_information((a[0], []), (b[0], []), parse_pending(json.dumps([_obs(*a[1:], *b[1:])])))
    o = r.observations[0]
    assert o.p_observed_a == pytest.approx(0.4, rel=1e-15) and o.p_observed_b == pytest.approx(0.4, rel=1e-15)
    pu_a, pc_a, puc_a = fri_inputs(*a)
    pu_b, pc_b, puc_b = fri_inputs(*b)
    as_run = r_vod_log_gmod(pu_a, pu_b, puc_a, puc_b, pc_a, pc_b, r_punotc(pc_a, puc_a, pu_a), r_punotc(pc_b, puc_b, pu_b))
    assert o.vod_log_gmod == pytest.approx(as_run, rel=1e-12)


def test_the_units_finding_in_numbers():
    """P(c) of 0.3 and 0.6: R as run weights c and not c by 0.4244 and 0.5293 (sum 0.9536, not 1);
    the documented geometric mean of odds gives 0.4450 and 0.5550 (the module docstring quotes these)."""
    as_run = (r_geo_mean_of_odds_calc([0.3, 0.6]), r_geo_mean_of_odds_calc([0.7, 0.4]))
    assert [round(w, 4) for w in as_run] == [0.4244, 0.5293]
    assert as_run[0] == pytest.approx(math.sqrt(0.3 * 0.6), rel=2e-3)  # nearly the geometric mean of the P(c)
    documented = (gmod_in_percent([0.3, 0.6]), gmod_in_percent([0.7, 0.4]))
    assert [round(w, 4) for w in documented] == [0.445, 0.555]
    # The same two P(c) through value_of_information: P(E) = 0.3 (view a) and 0.6 (view b).
    r = value_of_information((0.5, []), (0.5, []), parse_pending(json.dumps([_obs(0.5, 0.1, 0.9, 0.3)])))
    assert r.observations[0].crux_weights == pytest.approx(documented, rel=1e-12)


# -- numerics and certainty ---------------------------------------------------------------------------------

_x = st.one_of(st.floats(-700, 700), st.floats(-40, 40))


@settings(max_examples=200, deadline=None)
@given(_x, _x)
@example(700.0, 699.0)
@example(-700.0, 3.0)
@example(1e-9, 0.0)
def test_kl_from_log_odds_against_mpmath(xp, xq):
    with mpmath.workdps(80):
        # Each of p, 1 - p and their logarithms from the log-odds (ln sigma(x) = -log1p(e^-x)): written as
        # 1 / (1 + e^-x), 1 - 1e-48 keeps only 32 of 80 digits, and ln of it fewer still.
        def log_sigmoid(x):
            return -mpmath.log1p(mpmath.exp(-mpmath.mpf(x)))

        p, not_p = mpmath.exp(log_sigmoid(xp)), mpmath.exp(log_sigmoid(-xp))
        nats = p * (log_sigmoid(xp) - log_sigmoid(xq)) + not_p * (log_sigmoid(-xp) - log_sigmoid(-xq))
        want = nats / mpmath.log(10)
        # documented bound: relative error ~ 1e-16 / |xp - xq| from the cancellation of the two terms
        tol = 1e-14 * float(want) * (1 + 1 / max(abs(xp - xq), 1e-300)) + 1e-300
        assert abs(kl_log10(xp, xq) - float(want)) <= tol
    assert kl_log10(xp, xp) == 0.0


def test_kl_at_certainties():
    assert kl_log10(math.inf, math.inf) == 0.0
    assert kl_log10(math.inf, 0.0) == pytest.approx(math.log10(2), rel=1e-15)  # KL(1, 0.5) = log10 2
    assert kl_log10(0.0, math.inf) == math.inf


@pytest.mark.parametrize(
    ("pa", "pb", "vod"),
    [(1.0, 0.3, None), (0.0, 0.3, None), (1.0, 1.0, 0.0), (0.0, 1.0, None)],
)
def test_a_certain_view_has_no_value_of_information_and_vod_says_undefined(pa, pb, vod):
    r = value_of_information((pa, []), (pb, []), parse_pending(json.dumps([_obs(0.9, 0.2)])))
    o = r.observations[0]
    assert o.voi_log10[0] == 0.0
    assert o.vod_log_gmod == vod
    data = json.dumps(jsonable(r.to_dict()), allow_nan=False)
    assert "NaN" not in data and "Infinity" not in data
    if vod is None:
        assert "undefined" in r.text()


# -- the command line --------------------------------------------------------------------------------------


def test_cli_voi_json_has_the_fri_measures_for_the_shipped_file():
    out = run_json("voi", "report-3-to-1", "report-confusion", "--pending", PENDING)
    assert out["observations"]
    for o in out["observations"]:
        assert set(o["voi_log10"]) == {"a", "b"}
        assert all(v > 0 for v in o["voi_log10"].values())
        assert isinstance(o["vod_log_gmod"], float)
        # recompute each from the JSON's own probabilities with the R transcription
        pu_a, pu_b = out["a_posterior"], out["b_posterior"]
        pc_a, pc_b = o["p_observed"]["a"], o["p_observed"]["b"]
        puc_a, puc_b = o["if_observed"]["a_posterior"], o["if_observed"]["b_posterior"]
        pun_a, pun_b = o["if_not_observed"]["a_posterior"], o["if_not_observed"]["b_posterior"]
        assert o["voi_log10"]["a"] == pytest.approx(r_voi_log(pu_a, puc_a, pc_a), rel=1e-10)
        assert o["voi_log10"]["b"] == pytest.approx(r_voi_log(pu_b, puc_b, pc_b), rel=1e-10)
        want = r_vod_log_gmod(pu_a, pu_b, puc_a, puc_b, pc_a, pc_b, pun_a, pun_b, gmod=gmod_in_percent)
        assert o["vod_log_gmod"] == pytest.approx(want, rel=1e-10, abs=1e-15)
