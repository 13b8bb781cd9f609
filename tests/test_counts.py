"""beliefs.counts and `counts --dataset`: derived counts, their assumption range, provenance, no PyMC.

Independent answers: PyMC's own conjugate fixture (Beta(0.5, 0.5) prior, k = [1, 2, 9] of
n = [4, 12, 9]; the posterior is Beta(0.5 + k, 0.5 + n - k)), scipy's beta-binomial pmf, mpmath
at 50 digits for the no-pooling factor, and 1-D scipy quadrature for the partial-pooling marginal.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from beliefs import counts as bc
from beliefs.datasets import dataset_counts, dataset_counts_result, parse_dataset
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence
from beliefs.partial_pooling import KappaPrior, log_marginal_partial_pooling
from beliefs.reproduce import derived_count
from beliefs.update import update_by_log_bf
from tests.cli_helpers import ROOT, assert_one_line_error, run_cli, run_json

FIG9_O3_BEFORE = [2.8, 44.6, 20.5, 1.7, 23.1, 1.0, 8.0, 3.0, 0.8, 0.0, 0.0, 25.6, 46.7, 0.1, 31.8, 21.3, 0.1, 0.3, 0.0, 24.2]


def test_pymc_conjugate_fixture_through_environments():
    out = run_json("counts", "--k", "1,2,9", "--n", "4,12,9", "--prior", "0.5",
                   "--rate-if-h", "0.5,0.5", "--rate-if-not-h", "1,1", "--pooling", "none")  # fmt: skip
    envs = out["environments"]
    assert [(e["k"], e["n"]) for e in envs] == [(1, 4), (2, 12), (9, 9)]
    for e in envs:
        k, n = e["k"], e["n"]
        assert e["posterior_if_h"] == [0.5 + k, 0.5 + n - k]
        assert e["posterior_if_not_h"] == [1 + k, 1 + n - k]
        # The conjugate posterior is the normalised likelihood x prior: check one point by quadrature.
        a, b = e["posterior_if_h"]
        z = integrate.quad(lambda t, k=k, n=n: t**k * (1 - t) ** (n - k) * stats.beta.pdf(t, 0.5, 0.5), 0, 1)[0]
        x = 0.3
        assert stats.beta.pdf(x, a, b) == pytest.approx(x**k * (1 - x) ** (n - k) * stats.beta.pdf(x, 0.5, 0.5) / z, rel=1e-8)
    # ... and the Bayes factor is the ratio of scipy's beta-binomial pmfs.
    want = sum(stats.betabinom.logpmf(k, n, 0.5, 0.5) - stats.betabinom.logpmf(k, n, 1, 1)
               for k, n in [(1, 4), (2, 12), (9, 9)])  # fmt: skip
    assert out["log_bayes_factor_nats"] == pytest.approx(want, rel=1e-12)


def _mp_log_bf(k, n, h, nh):
    mpmath.mp.dps = 50
    total = mpmath.mpf(0)
    for kj, nj in zip(k, n, strict=True):
        total += mpmath.log(mpmath.beta(kj + h[0], nj - kj + h[1]) / mpmath.beta(*h))
        total -= mpmath.log(mpmath.beta(kj + nh[0], nj - kj + nh[1]) / mpmath.beta(*nh))
    return float(total)


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 2000)), min_size=1, max_size=6),
    h=st.tuples(st.floats(0.05, 50), st.floats(0.05, 500)),
    nh=st.tuples(st.floats(0.05, 50), st.floats(0.05, 500)),
)
def test_no_pooling_bf_against_mpmath(data, h, nh):
    k = [min(a, b) for a, b in data]
    n = [max(a, b) for a, b in data]
    ours = bc.no_pooling_log_bf(k, n, h, nh)
    assert ours == pytest.approx(_mp_log_bf(k, n, h, nh), rel=1e-9, abs=1e-9)


def test_partial_pooling_marginal_against_fixed_kappa_1d_quadrature():
    # A kappa prior with a tiny log-sd pins kappa = 10; the marginal is then a 1-D integral over mu.
    k, n = [3, 0, 7], [50, 40, 60]
    kap = KappaPrior(median=10.0, log_sd=1e-4)
    got, _ = log_marginal_partial_pooling(k, n, BetaDist(1, 99), kap)

    def f(mu):
        return stats.beta.pdf(mu, 1, 99) * np.prod([stats.betabinom.pmf(kj, nj, 10 * mu, 10 * (1 - mu)) for kj, nj in zip(k, n, strict=True)])

    want = integrate.quad(f, 0, 1, points=[0.01, 0.05, 0.1, 0.2], limit=500, epsabs=0, epsrel=1e-10)[0]
    assert got == pytest.approx(math.log(want), abs=1e-5)


def test_dataset_counts_are_the_catalogue_rates_times_n():
    spec = parse_dataset("antischeming-2025:o3:before")
    ks, ns, names = dataset_counts(spec, 316)
    assert ks == [derived_count(p / 100, 316) for p in FIG9_O3_BEFORE]
    assert ns == [316] * 20 and names[0] == "Broken Promises" and names[-1] == "Subagent Resource Quota"


@pytest.fixture(scope="module")
def o3_before():
    return dataset_counts_result("antischeming-2025:o3:before", 0.5, (1, 9), (1, 99))


def test_assumption_range_brackets_each_grid_value(o3_before):
    rng = o3_before.assumption_range
    assert [(p["n_assumed"], p["pooling"]) for p in rng.points] == [
        (n, pool) for n in (100, 316, 1000) for pool in ("none", "partial")
    ]
    for p in rng.points:
        ks, ns, _ = dataset_counts(parse_dataset("antischeming-2025:o3:before"), p["n_assumed"])
        if p["pooling"] == "none":
            want = _mp_log_bf(ks, ns, (1, 9), (1, 99)) / math.log(10)
        else:
            want = bc.quadrature_partial_pooling(ks, ns, 0.5, (1, 9), (1, 99)).log10_bayes_factor
        assert p["log10_bayes_factor"] == pytest.approx(want, rel=1e-9)
        assert rng.low <= p["log10_bayes_factor"] <= rng.high
    assert rng.low == min(p["log10_bayes_factor"] for p in rng.points)
    assert rng.high == max(p["log10_bayes_factor"] for p in rng.points)
    assert rng.low <= o3_before.log10_bayes_factor <= rng.high
    # by_pooling: each model's own [low, high], bracketing exactly that model's grid values (issue 21.3)
    by = rng.by_pooling()
    assert set(by) == {"none", "partial"}
    for pooling, (lo, hi) in by.items():
        own = [p["log10_bayes_factor"] for p in rng.points if p["pooling"] == pooling]
        assert (lo, hi) == (min(own), max(own))
        assert all(lo <= v <= hi for v in own)
    assert by["partial"][1] < 2.5 < 60 < by["none"][0]  # the two models do not overlap: never one mixed range
    assert rng.to_dict()["by_pooling"] == {k: list(v) for k, v in by.items()}


def test_default_is_partial_pooling_at_the_reproducing_n(o3_before):
    assert o3_before.pooling == "partial" and o3_before.n_assumed == 316 and o3_before.derived


def test_posterior_comes_from_update(o3_before):
    from beliefs.update import update

    item = o3_before.to_evidence()
    assert o3_before.posterior == update(0.5, [item]).posterior
    assert o3_before.update().posterior_log_odds == pytest.approx(o3_before.log_bayes_factor, rel=1e-14)


def test_update_by_log_bf_beyond_float_range():
    r = update_by_log_bf(1e-300, -2000.0)
    assert r.posterior_log_odds == pytest.approx(math.log(1e-300) - 2000.0, rel=1e-14)
    assert update_by_log_bf(0.0, 5000.0).posterior == 0.0  # Cromwell's rule


def test_to_evidence_carries_provenance(o3_before):
    item = o3_before.to_evidence()
    assert isinstance(item, Evidence)
    prov = item.provenance
    assert prov.assumption == "derived from an assumed n = 316 per evaluation, pooling partial"
    assert prov.method == "quadrature" and "partial pooling" in prov.model
    # The chosen model's range is the headline; the other model's is named beside it, never mixed in.
    assert prov.log10_bf_range == o3_before.assumption_range.by_pooling()["partial"]
    text = item.describe()
    assert "assumed n = 316" in text and "log10 BF range [2.345, 2.424]" in text
    assert "with no pooling (the evaluations independent): log10 BF from 60.4 to 93.28" in text
    # ... and the predictions are named readings with their status and reason
    assert "'scheming' Beta(1, 9) (status X" in prov.model and "'confusion or ambiguous instructions'" in prov.model
    assert prov.model.count("no source gives the Beta's parameters") == 2


def test_to_evidence_refuses_a_factor_beyond_float_range():
    r = bc.exact_no_pooling([0] * 50, [10_000] * 50, 0.5, (1, 1), (50, 1))
    with pytest.raises(InputError, match="bayes_factor"):
        r.to_evidence()


@pytest.mark.parametrize("bad", ["antischeming-2025:o3", "antischeming-2024:o3:before", "antischeming-2025:gpt:before",
                                 "antischeming-2025:o3:during", ""])  # fmt: skip
def test_parse_dataset_refuses(bad):
    with pytest.raises(InputError, match=r"^dataset: got"):
        parse_dataset(bad)


def test_cli_dataset_json():
    out = run_json("counts", "--dataset", "antischeming-2025:o3:before")
    assert out["derived"] is True and out["n_assumed"] == 316 and out["pooling"] == "partial"
    assert out["k"] == [derived_count(p / 100, 316) for p in FIG9_O3_BEFORE] and out["n"] == [316] * 20
    low, high = out["assumption_range"]["log10_bayes_factor"]
    grid = out["assumption_range"]["grid"]
    assert len(grid) == 6 and all(low <= g["log10_bayes_factor"] <= high for g in grid)
    assert low <= out["log10_bayes_factor"] <= high
    assert out["provenance"]["assumption"].startswith("derived from an assumed n = 316")
    other = run_json("counts", "--dataset", "antischeming-2025:o3:before", "--n-assumed", "500", "--pooling", "none")
    assert other["n_assumed"] == 500 and "environments" in other
    assert {g["n_assumed"] for g in other["assumption_range"]["grid"]} == {100, 316, 500, 1000}
    assert other["log10_bayes_factor"] == pytest.approx(
        _mp_log_bf(other["k"], other["n"], (1, 9), (1, 99)) / math.log(10), rel=1e-9
    )


def test_cli_dataset_human_says_derived_and_shows_the_range():
    proc = run_cli("counts", "--dataset", "antischeming-2025:o4-mini:after")
    assert proc.returncode == 0, proc.stderr
    assert "DERIVED counts" in proc.stdout and "ASSUMED n = 316" in proc.stdout
    assert "range over what nobody published" in proc.stdout and "Subagent Resource Quota" in proc.stdout


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--dataset", "antischeming-2025:o3"), "--dataset"),
        (("--dataset", "antischeming-2025:o3:before", "--n-assumed", "0"), "--n-assumed"),
        (("--dataset", "antischeming-2025:o3:before", "--k", "1", "--n", "2"), "--dataset"),
        (("--k", "1", "--n", "2", "--prior", "0.5", "--rate-if-h", "1,1", "--rate-if-not-h", "1,2",
          "--n-assumed", "5"), "--n-assumed"),
        (("--k", "1", "--n", "2", "--prior", "0.5", "--rate-if-h", "1,1"), "--rate-if-not-h"),
        (("--n", "2", "--prior", "0.5", "--rate-if-h", "1,1", "--rate-if-not-h", "1,2"), "--k"),
    ],
)  # fmt: skip
def test_cli_dataset_bad_input(args, field):
    assert_one_line_error(run_cli("counts", *args), field)


@pytest.mark.parametrize(
    "args",
    [
        ["--dataset", "antischeming-2025:o3:before"],
        ["--k", "1,2", "--n", "5,5", "--prior", "0.5", "--rate-if-h", "1,1", "--rate-if-not-h", "1,3",
         "--pooling", "partial"],
    ],
)  # fmt: skip
def test_closed_form_counts_never_imports_pymc(args):
    code = (
        f"import sys, runpy; sys.argv = ['beliefs', 'counts', *{args!r}, '--json'];\n"
        "try:\n    runpy.run_module('beliefs', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('PYMC' if 'pymc' in sys.modules else 'NO-PYMC', file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.stderr.strip().splitlines()[-1] == "NO-PYMC", proc.stderr
    assert json.loads(proc.stdout)["log10_bayes_factor"] is not None


def test_data_robustness_varies_spreads_and_n_against_mpmath():
    from beliefs.analysis.data_robustness import N_FACTORS, SPREAD_FACTORS, data_robustness

    k, n, h, nh = [3, 0, 10], [100, 50, 200], (1.0, 20.0), (1.0, 200.0)
    r = data_robustness(k, n, 0.25, h, nh, pooling="none", n_grid=5)
    assert len(r.spreads) == len(SPREAD_FACTORS) ** 2 and len(r.sample_sizes) == len(N_FACTORS)
    for row in r.spreads:
        fh, fn = row["h_spread_factor"], row["not_h_spread_factor"]
        want = _mp_log_bf(k, n, (h[0] * fh, h[1] * fh), (nh[0] * fn, nh[1] * fn)) / math.log(10)
        assert row["log10_bf"] == pytest.approx(want, rel=1e-9, abs=1e-9)
    for row in r.sample_sizes:
        f = row["n_factor"]
        k_f = [round(kj * f) for kj in k]  # no exact .5 ties in these products
        n_f = [round(nj * f) for nj in n]
        assert row["log10_bf"] == pytest.approx(_mp_log_bf(k_f, n_f, h, nh) / math.log(10), rel=1e-9, abs=1e-9)
        odds = 10 ** row["log10_bf"] / 3
        assert row["posterior"] == pytest.approx(odds / (1 + odds), rel=1e-9)
    lo, hi = r.log10_bf_span
    for x in [*(row["log10_bf"] for row in (*r.spreads, *r.sample_sizes)), r.log_bf_at_choice / math.log(10)]:
        assert lo <= x <= hi
    # the width alone moves the factor: same means, different spreads
    assert max(row["log10_bf"] for row in r.spreads) - min(row["log10_bf"] for row in r.spreads) > 1


def test_default_headline_against_a_brute_force_riemann_sum(o3_before):
    """The data page's default (o3 before, n = 316, partial pooling) by a plain sum on a logit grid."""
    from scipy import special

    k, n = np.array(o3_before.k, float), np.array(o3_before.n, float)

    def log_ml(a, b):
        u, z = np.linspace(-14, 6, 1201), np.linspace(-9, 9, 433)
        mu = 1 / (1 + np.exp(-u))
        log_prior = a * np.log(mu) + b * np.log1p(-mu) - special.betaln(a, b)  # Jacobian mu(1-mu) folded in
        out = np.empty((len(u), len(z)))
        for j, zz in enumerate(z):
            kap = 10 * math.exp(1.5 * zz)
            al, be = (mu * kap)[:, None], ((1 - mu) * kap)[:, None]
            ll = np.sum(special.betaln(k + al, n - k + be) - special.betaln(al, be), axis=1)
            out[:, j] = ll + log_prior - 0.5 * zz * zz - 0.5 * math.log(2 * math.pi)
        top = out.max()
        return top + math.log(np.exp(out - top).sum() * (u[1] - u[0]) * (z[1] - z[0]))

    want = (log_ml(1, 9) - log_ml(1, 99)) / math.log(10)
    assert o3_before.log10_bayes_factor == pytest.approx(want, abs=1e-6)


# -- what the data page shows comes from CountsResult (no arithmetic on the page) ------------------------------
def test_update_with_another_prior_is_the_closed_form_posterior():
    # One covert action in one rollout, Beta(1,1) vs Beta(1,9): BF = (1/2) / (1/10) = 5; prior 0.2 -> odds 5/4.
    r = bc.exact_no_pooling([1], [1], 0.5, (1, 1), (1, 9))
    assert r.update(0.2).posterior == pytest.approx(5 / 9, rel=1e-14)
    assert r.update().posterior == pytest.approx(5 / 6, rel=1e-14)  # the result's own prior
    assert r.update(1.0).posterior == 1.0 and r.update(1.0).certain


def test_counts_text_and_decibels():
    r = bc.exact_no_pooling([1, 0], [1, 3], 0.5, (1, 1), (1, 9))
    # BF = (1/2)(1/4) / ((1/10)(B(1, 12)/B(1, 9)) = 9/12) = 0.125 / 0.075
    assert r.bayes_factor == pytest.approx(0.125 / 0.075, rel=1e-13)
    assert r.counts_text == "1/4"
    assert r.decibels == pytest.approx(10 * math.log10(0.125 / 0.075), rel=1e-12)


def test_fits_ledger_is_the_bound_to_evidence_enforces():
    inside = bc.exact_no_pooling([1], [1], 0.5, (1, 1), (1, 9))
    assert inside.fits_ledger and inside.to_evidence().likelihood_ratio == pytest.approx(5.0, rel=1e-13)
    beyond = bc.exact_no_pooling([2000] * 3, [2000] * 3, 0.5, (1000, 1), (1, 1000))
    assert beyond.log10_bf > 300 and not beyond.fits_ledger
    with pytest.raises(InputError, match="bayes_factor"):
        beyond.to_evidence()


def test_pooled_rate_curves_are_the_conjugate_posteriors_of_the_summed_counts():
    r = bc.exact_no_pooling([1, 2], [10, 5], 0.5, (0.5, 2), (1, 9))
    assert r.pooled_rate_curves() == {
        "prior under H": (0.5, 2.0),
        "prior under not H": (1.0, 9.0),
        "posterior under H (pooled counts)": (3.5, 14.0),  # Beta(0.5 + 3, 2 + 12)
        "posterior under not H (pooled counts)": (4.0, 21.0),
    }


# -- the one k/n counts parser (share links, scenario files, the data page, the analysis view) -----------------
@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 10_000_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), max_size=30))
def test_format_then_parse_counts_is_the_identity(pairs):
    text = bc.format_counts(pairs)
    assert bc.parse_counts(text) == pairs
    assert bc.parse_counts(text.replace(",", " , ")) == pairs  # blanks around the separators are fine


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_parse_counts_accepts_only_k_over_n_pairs(text):
    try:
        pairs = bc.parse_counts(text, "--counts")
    except InputError as exc:
        assert str(exc).startswith("--counts")  # the field as typed, never a traceback
        return
    assert all(isinstance(k, int) and isinstance(n, int) and 0 <= k <= n and n >= 1 for k, n in pairs)
    assert bc.parse_counts(bc.format_counts(pairs)) == pairs


@pytest.mark.parametrize(
    ("text", "field"),
    [("5/3", "counts[0].k"), ("1/2,5-3", "counts[1]"), ("1/0", "counts[0].n"), ("-1/4", "counts[0].k"), ("1/2/3", "counts[0]")],
)
def test_parse_counts_names_the_bad_pair(text, field):
    with pytest.raises(InputError, match=rf"^{re.escape(field)}"):
        bc.parse_counts(text)


# -- the named density terms (one density for the cubature, the PyMC models, the pilot and the sensitivity) ------
@settings(max_examples=60, deadline=None)
@given(
    u=st.floats(-8, 8), z=st.floats(-3, 3), a=st.floats(0.2, 20), b=st.floats(0.2, 200),
    data=st.lists(st.tuples(st.integers(0, 300), st.integers(1, 300)), min_size=1, max_size=5),
)
def test_partial_pooling_terms_against_scipy_densities(u, z, a, b, data):
    from beliefs.partial_pooling import partial_pooling_log_density

    k = np.array([min(x, m) for x, m in data], dtype=float)
    n = np.array([m for _, m in data], dtype=float)
    log_median, log_sd = math.log(10.0), 1.5
    mu, kappa = 1 / (1 + math.exp(-u)), math.exp(log_median + log_sd * z)
    # prior: Beta(a, b) density of mu times the logit Jacobian mu (1 - mu), times N(0, 1) of z;
    # likelihood: beta-binomial pmfs without their binomial coefficients.
    want_prior = stats.beta.logpdf(mu, a, b) + math.log(mu * (1 - mu)) + stats.norm.logpdf(z)
    log_choose = special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
    want_lik = float(np.sum(stats.betabinom.logpmf(k, n, mu * kappa, (1 - mu) * kappa) - log_choose))
    log_prior, log_lik = partial_pooling_log_density(u, z, k, n, a, b, log_median, log_sd)
    assert float(log_prior) == pytest.approx(want_prior, rel=1e-9, abs=1e-9)
    assert float(log_lik) == pytest.approx(want_lik, rel=1e-9, abs=1e-8)


@settings(max_examples=60, deadline=None)
@given(u=st.floats(-8, 8), a=st.floats(0.2, 20), b=st.floats(0.2, 200), k=st.integers(0, 50), extra=st.integers(0, 50))
def test_no_pooling_terms_against_scipy_densities(u, a, b, k, extra):
    from beliefs.partial_pooling import log_student_t, no_pooling_log_density

    n = k + extra
    theta = 1 / (1 + math.exp(-u))
    log_prior, log_lik = no_pooling_log_density(np.array([u]), np.array([k]), np.array([n]), a, b)
    assert float(log_prior[0]) == pytest.approx(stats.beta.logpdf(theta, a, b) + math.log(theta * (1 - theta)), rel=1e-9, abs=1e-9)
    want_lik = stats.binom.logpmf(k, n, theta) - (special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1))
    assert float(log_lik[0]) == pytest.approx(want_lik, rel=1e-9, abs=1e-9)
    assert float(log_student_t(np.array(u))) == pytest.approx(stats.t(5.0).logpdf(u), rel=1e-12)


@pytest.mark.parametrize("curves", [{"H": (1.0, 9.0)}, {"H prior": (2.0, 20.0), "not H prior": (1.0, 99.0)}])
def test_rate_density_rows_integrate_to_the_beta_mass_on_their_grid(curves):
    """Each column is a Beta density: its integral over the grid is the Beta's mass on [0, top],
    checked against mpmath's regularized incomplete Beta (30 digits)."""


    rows = bc.rate_density_rows(curves, points=4001)
    x = np.array([r[0] for r in rows[1:]])
    for j, (a, b) in enumerate(curves.values(), start=1):
        y = np.array([r[j] for r in rows[1:]])
        with mpmath.workdps(30):
            mass = float(mpmath.betainc(a, b, x[0], x[-1], regularized=True))
        assert np.trapezoid(y, x) == pytest.approx(mass, rel=1e-5)
    assert rows[0] == ["rate", *curves]


def test_plot_rate_densities_draws_one_line_per_curve_in_the_palette():
    from beliefs.plots.palette import AGAINST_H, FOR_H
    from tests.chart_checks import rows_of

    spec = bc.plot_rate_densities({"H prior": (1.0, 9.0), "not H prior": (1.0, 99.0)})
    (rows,) = rows_of(spec, "line")
    assert list(dict.fromkeys(r["curve"] for r in rows)) == ["H prior", "not H prior"]
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["H prior", "not H prior"], "range": [FOR_H, AGAINST_H]}


def test_the_quadrature_refuses_more_environments_than_it_can_afford():
    k, n = [0] * (bc.MAX_QUADRATURE_ENVIRONMENTS + 1), [10] * (bc.MAX_QUADRATURE_ENVIRONMENTS + 1)
    with pytest.raises(InputError, match=r"^k: got '101 environments'; expected at most 100 environments"):
        bc.quadrature_partial_pooling(k, n, 0.5, (1, 9), (1, 99))


# -- the cubature's prior-quantile fallback (priors with mass far out in logit space) ----------------


def test_a_very_wide_prior_with_no_trials_integrates_to_one_and_mixed_data_take_the_quantile_fallback():
    """Beta(0.02, 0.02) puts mass beyond |logit mu| = 40.  With no trials every likelihood term is 1 and the
    marginal is exactly the prior's total mass, 1 (less the normal's tails beyond |z| = 9, ~2e-19): the logit
    cubature integrates the box and adds both tails' prior mass exactly.  With covert actions in some
    environments and none in others the tails are not flat, and the prior-quantile substitution runs."""
    from beliefs import partial_pooling as pp

    k = n = np.zeros(3)
    kappa = KappaPrior()
    args = (k, n, 0.02, 0.02, math.log(kappa.median), kappa.log_sd)
    log_total, rel_err = pp._cubature_logit(*args)
    assert abs(log_total) <= max(10 * rel_err, 1e-9)
    log_marginal, _ = log_marginal_partial_pooling(k, n, BetaDist(0.02, 0.02), kappa)
    assert log_marginal == log_total  # the public function took the same route
    mixed = (np.array([1.0, 0.0]), np.array([2.0, 3.0]), 0.02, 0.02, math.log(kappa.median), kappa.log_sd)
    assert pp._cubature_logit(*mixed) is None
    log_q, _ = pp._cubature_quantile(*mixed)
    assert math.isfinite(log_q) and log_q < 0


def _mp_fixed_kappa_marginal(k, n, a, b, kappa):
    """ln P(D) with kappa pinned, as one integral over logit mu in mpmath (30 digits)."""
    with mpmath.workdps(30):
        a, b, kap = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(kappa)
        log_b = mpmath.log(mpmath.beta(a, b))

        def f(t):
            mu = 1 / (1 + mpmath.e ** (-t))
            out = a * mpmath.log(mu) + b * mpmath.log(1 - mu) - log_b
            for kj, nj in zip(k, n, strict=True):
                out += mpmath.log(mpmath.binomial(nj, kj) * mpmath.beta(kj + kap * mu, nj - kj + kap * (1 - mu))
                                  / mpmath.beta(kap * mu, kap * (1 - mu)))  # fmt: skip
            return mpmath.e**out

        return float(mpmath.log(mpmath.quad(f, [-mpmath.inf, -200, -40, -10, 0, 10, mpmath.inf])))


@pytest.mark.parametrize(("k", "n", "a", "b"), [([0], [100], 0.01, 9.99), ([0, 0], [100, 316], 0.1, 99.9),
                                                ([0], [100], 0.05, 0.05)])  # fmt: skip
def test_no_covert_action_anywhere_takes_the_prior_tail_exactly(k, n, a, b):
    """With no covert action at all, mass far below logit -40 is the prior's own (the likelihood is flat
    there): the cubature adds it in closed form instead of failing to converge (it took 5-18 s and gave a
    wrong answer flagged 1e-2; the map on the app's default own counts, 0/100, took 270 s)."""
    got, err = log_marginal_partial_pooling(k, n, BetaDist(a, b), KappaPrior(10.0, 1e-4))
    assert err < 1e-7
    assert got == pytest.approx(_mp_fixed_kappa_marginal(k, n, a, b, 10.0), abs=1e-8)
    # every rollout a covert action is the mirror image: mu <-> 1 - mu
    mirror, _ = log_marginal_partial_pooling(n, n, BetaDist(b, a), KappaPrior(10.0, 1e-4))
    assert mirror == pytest.approx(got, abs=1e-8)


@pytest.mark.parametrize(
    ("k", "n", "a", "b"),
    [([0, 2, 1], [100, 100, 50], 1.0, 20.0), ([5, 0, 12, 3], [40, 60, 80, 30], 2.0, 3.0), ([1, 3], [200, 150], 2.0, 60.0)],
)
def test_the_quantile_fallback_agrees_with_the_logit_cubature_where_both_apply(k, n, a, b):
    """Two substitutions of the same integral (mu = F^-1(t) against mu = sigmoid(u)) give one number."""
    from beliefs import partial_pooling as pp

    kappa = KappaPrior()
    args = (np.asarray(k, float), np.asarray(n, float), a, b, math.log(kappa.median), kappa.log_sd)
    logit = pp._cubature_logit(*args)
    assert logit is not None
    quantile = pp._cubature_quantile(*args)
    assert quantile[0] == pytest.approx(logit[0], abs=max(5 * (logit[1] + quantile[1]), 1e-7))


# -- issue 25.2: exact conjugate parameters ---------------------------------------------------------


def _rounded_sum(x: float, count: int) -> float:
    """x + count, exactly (Fraction), rounded once to the nearest double: the oracle."""
    from fractions import Fraction

    return float(Fraction(x) + count)


def test_conjugate_parameters_of_the_audit_case_are_exact():
    out = run_json("counts", "--k", "2133384007382", "--n", "2133384007382", "--prior", "0.5",
                   "--rate-if-h", "3.74632,205.722", "--rate-if-not-h", "42.4734,1.26509", "--pooling", "none")  # fmt: skip
    env = out["environments"][0]
    assert env["posterior_if_h"] == [_rounded_sum(3.74632, 2133384007382), 205.722]
    assert env["posterior_if_not_h"] == [_rounded_sum(42.4734, 2133384007382), 1.26509]


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(0, 10**15),
    frac=st.floats(0, 1),
    a=st.floats(1e-3, 1e4),
    b=st.floats(1e-3, 1e4),
)
def test_conjugate_parameters_are_each_one_correctly_rounded_sum(n, frac, a, b):
    k = int(n * frac)
    post = bc.conjugate_posterior(k, n, BetaDist(a, b))
    assert post.alpha == _rounded_sum(a, k)
    assert post.beta == _rounded_sum(b, n - k)
