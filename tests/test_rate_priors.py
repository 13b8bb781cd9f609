"""What each hypothesis predicts: named readings with status and reason (issue 21.1), and a point null (issue 25.3).

Independent answers: JASP's worked binomial test (k = 7 of 10, Beta(1, 1) against 1/2, BF10 = (1/11) /
(C(10, 7)/2^10), exact in rationals), the binomial and beta-binomial formulas in mpmath at 60 digits,
and the point-mean partial-pooling marginal as a 1-D mpmath quadrature of the beta-binomial product.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import mpmath
import pytest

from beliefs import counts as bc
from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.partial_pooling import KappaPrior, log_marginal_partial_pooling, log_marginal_point_mean
from beliefs.rate_priors import READINGS, PointRate, parse_rate_prior, reading_for, readings
from beliefs.special import log_bf_beta_vs_point, log_bf_point_vs_point
from tests.cli_helpers import assert_one_line_error, run_cli, run_json

JASP_BF10 = Fraction(1, 11) / (Fraction(math.comb(10, 7), 1024))  # = 0.775757...


# -- named readings -------------------------------------------------------------------------------------


def test_every_reading_has_a_source_a_status_and_a_one_line_reason():
    assert {r.side for r in READINGS} == {"if_h", "if_not_h"}
    assert len({(r.side, r.id) for r in READINGS}) == len(READINGS)
    for r in READINGS:
        assert r.status in ("P", "S", "X") and r.source.citation and r.source.location
        assert r.reason and "\n" not in r.reason and len(r.reason) <= 160, r.reason
        if r.status == "X":  # nothing sourced about the numbers: the reason must say the parameters are not
            assert "illustrative" in r.reason or "no source gives" in r.reason, r.reason
    # The two named views, plus one reading per side taken from a source.
    names = {r.side: set() for r in READINGS}
    for r in READINGS:
        names[r.side].add(r.name)
    assert "scheming" in names["if_h"] and "confusion or ambiguous instructions" in names["if_not_h"]
    assert any("designed to elicit" in r.source.location for r in readings("if_not_h"))
    assert any("rare but real" in r.source.location for r in readings("if_h"))
    # the one reading whose parameters a primary text states is the report's own Beta(1, 1)
    sourced = [r for r in READINGS if r.status == "P"]
    assert sourced and all(r.prior == BetaDist(1, 1) and "Fig. 9" in r.source.location for r in sourced)


def test_defaults_are_the_named_views_and_anything_else_is_your_own_prior():
    assert readings("if_h")[0].id == "scheming" and readings("if_not_h")[0].id == "confusion"
    own = reading_for("if_h", BetaDist(2, 7))
    assert own.name == "your own prior" and own.status == "X" and "no source" in own.reason
    assert reading_for("if_not_h", PointRate(0.5)).to_dict()["point"] == 0.5


def test_cli_json_carries_rate_priors_with_status_and_source():
    out = run_json("counts", "--dataset", "antischeming-2025:o3:before", "--pooling", "none")
    rp = out["rate_priors"]
    assert set(rp) == {"if_h", "if_not_h"}
    for side, want in (("if_h", (1.0, 9.0, 0.1)), ("if_not_h", (1.0, 99.0, 0.01))):
        assert (rp[side]["alpha"], rp[side]["beta"], rp[side]["mean"]) == want
        assert rp[side]["status"] == "X" and rp[side]["source"] and "no source gives" in rp[side]["reason"]
    mine = run_json("counts", "--dataset", "antischeming-2025:o3:before", "--pooling", "none",
                    "--rate-if-h", "report-prior-h", "--rate-if-not-h", "2,50")  # fmt: skip
    assert mine["rate_priors"]["if_h"]["status"] == "P" and mine["rate_priors"]["if_h"]["alpha"] == 1.0
    assert mine["rate_priors"]["if_not_h"]["name"] == "your own prior"


@pytest.mark.parametrize(
    ("value", "message"),
    [("point:0", "0 < P < 1"), ("point:1", "0 < P < 1"), ("point:x", "point"), ("confusion", "scheming"),
     ("1,-2", "B"), ("", "Beta")],
)  # fmt: skip
def test_bad_predictions_are_refused_naming_the_flag(value, message):
    line = assert_one_line_error(
        run_cli("counts", "--k", "1", "--n", "2", "--prior", "0.5", "--rate-if-h", value, "--rate-if-not-h", "1,1"),
        "--rate-if-h",
    )
    assert message in line


def test_parse_rate_prior_forms():
    assert parse_rate_prior("point:0.25", "f") == PointRate(0.25)
    assert parse_rate_prior("scheming", "f", side="if_h") == BetaDist(1, 9)
    assert parse_rate_prior((2, 3), "f") == BetaDist(2, 3)
    with pytest.raises(InputError, match="reading"):
        parse_rate_prior("scheming", "f")  # a name only where the side is known


# -- the point null (issue 25.3) ---------------------------------------------------------------------------


def test_jasp_binomial_test_case_to_1e_12():
    got = bc.exact_no_pooling([7], [10], 0.5, (1, 1), PointRate(0.5)).bayes_factor
    assert abs(got / float(JASP_BF10) - 1) <= 1e-12
    out = run_json("counts", "--k", "7", "--n", "10", "--prior", "0.5", "--rate-if-h", "1,1",
                   "--rate-if-not-h", "point:0.5", "--pooling", "none")  # fmt: skip
    assert abs(out["bayes_factor"] / float(JASP_BF10) - 1) <= 1e-12
    assert out["rate_if_not_h"] == {"point": 0.5} and out["environments"][0]["posterior_if_not_h"] is None
    # the point on the other side is the reciprocal
    flipped = bc.exact_no_pooling([7], [10], 0.5, "point:0.5", (1, 1)).bayes_factor
    assert abs(flipped * float(JASP_BF10) - 1) <= 1e-12


def _mp_log_bf_point(k, n, h, p):
    with mpmath.workdps(60):
        a, b, p = mpmath.mpf(h[0]), mpmath.mpf(h[1]), mpmath.mpf(p)
        total = mpmath.mpf(0)
        for kj, nj in zip(k, n, strict=True):
            m = nj - kj
            total += (mpmath.loggamma(kj + a) + mpmath.loggamma(m + b) - mpmath.loggamma(nj + a + b)
                      - mpmath.loggamma(a) - mpmath.loggamma(b) + mpmath.loggamma(a + b))  # fmt: skip
            total -= kj * mpmath.log(p) + m * mpmath.log1p(-p)  # the binomial formula at p
        return total


def _random_case(rng: random.Random):
    n = int(10 ** rng.uniform(0, 15))
    p = 10 ** rng.uniform(-12, 0) * 0.999 if rng.random() < 0.7 else 1 - 10 ** rng.uniform(-12, -0.3)
    mode = rng.random()
    if mode < 0.4:  # near what the point predicts, where the two O(n) terms cancel
        k = min(n, max(0, round(n * p + rng.gauss(0, 1) * math.sqrt(n * p * (1 - p) + 1))))
    elif mode < 0.6:
        k = rng.randint(0, min(n, 5))
    else:
        k = rng.randint(0, n)
    return [k], [n], (10 ** rng.uniform(math.log10(0.05), 3), 10 ** rng.uniform(math.log10(0.05), 3)), p


def test_random_point_null_cases_against_the_binomial_formula():
    rng = random.Random(2025)
    worst = 0.0
    for _ in range(400):
        k, n, h, p = _random_case(rng)
        got = log_bf_beta_vs_point(k, n, h, p)
        ref = _mp_log_bf_point(k, n, h, p)
        err = float(abs(mpmath.mpf(got) - ref)) / max(float(abs(ref)), 1e-2)  # a factor near 1: on the factor
        worst = max(worst, err)
        assert err <= 1e-12, (k, n, h, p, got, float(ref))
    # several environments, through the library's no-pooling route
    k, n = [3, 0, 41, 7], [100, 50, 400, 12]
    ref = _mp_log_bf_point(k, n, (1.5, 20.0), 0.04)
    assert float(abs(bc.no_pooling_log_bf(k, n, (1.5, 20.0), "point:0.04") - ref)) <= 1e-12 * float(abs(ref))
    print(f"point null: worst relative error {worst:.2g} over 400 random cases")


def test_two_points_against_the_binomial_formula():
    rng = random.Random(7)
    for _ in range(300):
        n = int(10 ** rng.uniform(0, 15))
        k = rng.randint(0, n)
        p1 = 10 ** rng.uniform(-12, 0) * 0.999
        p2 = p1 * (1 + 10 ** rng.uniform(-10, 0) * rng.choice([-0.9, 1])) if rng.random() < 0.5 else 10 ** rng.uniform(-12, 0) * 0.999
        if rng.random() < 0.3:
            p1, p2 = 1 - p1, 1 - p2
        if not (0 < p1 < 1 and 0 < p2 < 1):
            continue
        with mpmath.workdps(60):
            ref = k * (mpmath.log(p1) - mpmath.log(p2)) + (n - k) * (mpmath.log1p(-mpmath.mpf(p1)) - mpmath.log1p(-mpmath.mpf(p2)))
        got = log_bf_point_vs_point([k], [n], p1, p2)
        assert float(abs(mpmath.mpf(got) - ref)) <= 1e-13 * max(float(abs(ref)), 1e-2), (k, n, p1, p2)


def test_a_very_concentrated_beta_tends_to_the_point():
    # JASP's approximation by Beta(1e6, 1e6) gave 0.775756; the point gives the exact 0.775758
    approx = bc.exact_no_pooling([7], [10], 0.5, (1, 1), (1e6, 1e6)).bayes_factor
    exact = bc.exact_no_pooling([7], [10], 0.5, (1, 1), "point:0.5").bayes_factor
    assert round(approx, 6) == 0.775756 and round(exact, 6) == 0.775758


# -- a point mean under partial pooling ------------------------------------------------------------------


def _mp_point_mean_marginal(k, n, mean, kappa: KappaPrior):
    with mpmath.workdps(30):
        def f(z):
            kap = kappa.median * mpmath.e ** (kappa.log_sd * z)
            a, b = mean * kap, (1 - mean) * kap
            out = mpmath.npdf(z)
            for kj, nj in zip(k, n, strict=True):
                out *= mpmath.binomial(nj, kj) * mpmath.beta(kj + a, nj - kj + b) / mpmath.beta(a, b)
            return out

        return float(mpmath.log(mpmath.quad(f, [-12, -4, -1, 0, 1, 4, 12])))


@pytest.mark.parametrize(("k", "n", "mean"), [([3, 0, 7], [50, 40, 60], 0.05), ([0, 0, 1], [316, 316, 316], 0.001),
                                             ([30, 12], [100, 100], 0.4)])  # fmt: skip
def test_point_mean_marginal_against_mpmath(k, n, mean):
    got, err = log_marginal_point_mean(k, n, mean, KappaPrior())
    assert got == pytest.approx(_mp_point_mean_marginal(k, n, mean, KappaPrior()), abs=1e-10)
    assert err < 1e-9


def test_point_mean_is_the_limit_of_a_concentrated_mean_prior():
    k, n = [3, 0, 7, 2], [50, 40, 60, 30]
    point, _ = log_marginal_point_mean(k, n, 0.05, KappaPrior())
    # A mean prior Beta(0.05 c, 0.95 c) differs from the point by O(1/c) (its variance): the gap times c
    # settles to one constant as c grows (-28.1 here), i.e. the 2-D cubature converges to the 1-D integral.
    gaps = [(log_marginal_partial_pooling(k, n, BetaDist(0.05 * c, 0.95 * c), KappaPrior())[0] - point) * c
            for c in (1e4, 1e5)]  # fmt: skip
    assert gaps[1] == pytest.approx(gaps[0], rel=2e-3) and abs(gaps[0]) < 100
    r = bc.quadrature_partial_pooling(k, n, 0.5, (1, 9), "point:0.05")
    assert r.log_bayes_factor == pytest.approx(r.log_marginal_h - point, rel=1e-14)
    assert "point 0.05" in r.provenance.model and "population mean rate" in r.provenance.model


def test_mcmc_with_a_point_is_refused_with_the_reason():
    line = assert_one_line_error(
        run_cli("counts", "--k", "1", "--n", "2", "--prior", "0.5", "--rate-if-h", "1,1",
                "--rate-if-not-h", "point:0.5", "--pooling", "none", "--mcmc"),
        "--rate-if-not-h",
    )  # fmt: skip
    assert "exact and needs no MCMC" in line
