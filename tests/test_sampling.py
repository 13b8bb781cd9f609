"""The shared MCMC layer: compile once, re-sample, diagnostics, time bound, errors.

Oracles: the conjugate Beta-Binomial posterior (exact mean and quantiles),
and i.i.d. normal draws whose R-hat, ESS and MCSE are known in advance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from beliefs.errors import InputError
from models import sampling
from models.sampling import (
    ESS_BULK_MIN,
    SamplingError,
    SamplingTimeout,
    compile_count,
    get_compiled,
    summarize_draws,
)
from tests.pymc_models import build_funnel

A0, B0 = 2.0, 3.0  # prior Beta(A0, B0) on the rate


def _build_conjugate():
    import pymc as pm

    with pm.Model() as model:
        k = pm.Data("k", np.array([3], dtype=np.int64))
        n = pm.Data("n", np.array([10], dtype=np.int64))
        a = pm.Data("a", A0)
        b = pm.Data("b", B0)
        rate = pm.Beta("rate", a, b)
        pm.Binomial("k_obs", n=n, p=rate, observed=k)
    return model


@pytest.fixture(scope="module")
def conjugate():
    return get_compiled(("test_sampling_conjugate",), _build_conjugate)


@pytest.mark.slow
@pytest.mark.xdist_group("sampling")
class TestCompiledModel:
    def test_posterior_matches_conjugate_beta(self, conjugate):
        for k, n in [(3, 10), (40, 50), (0, 25)]:
            res = conjugate.sample({"k": [k], "n": [n]}, draws=1000, tune=500, chains=2, seed=11)
            diag = res.diagnostics(["rate"])
            exact = stats.beta(A0 + k, B0 + n - k)
            d = diag["rate"]
            assert d.r_hat <= 1.01
            assert abs(d.mean - exact.mean()) <= 4 * d.mcse_mean
            assert abs(d.sd - exact.std()) <= 0.15 * exact.std()
            draws = res.draws("rate").ravel()
            for q in (0.05, 0.5, 0.95):
                # Quantile MCSE ~ sqrt(q (1 - q) / ESS) / pdf(x_q) on the draws' scale; 4 of those.
                se = math.sqrt(q * (1 - q) / min(d.ess_bulk, d.ess_tail)) / exact.pdf(exact.ppf(q))
                assert abs(np.quantile(draws, q) - exact.ppf(q)) <= 4 * se
            assert not diag.warnings

    def test_prior_hyperparameters_are_data_too(self, conjugate):
        before = compile_count()
        res = conjugate.sample({"k": [0], "n": [0], "a": 8.0, "b": 2.0}, draws=1000, tune=500, seed=3)
        d = res.diagnostics(["rate"])["rate"]
        # n = 0: the posterior is the prior Beta(8, 2), mean 0.8.
        assert abs(d.mean - 0.8) <= 4 * d.mcse_mean
        assert compile_count() == before

    def test_same_seed_identical_draws_other_seed_differs(self, conjugate):
        r1 = conjugate.sample({"k": [5], "n": [20]}, draws=200, tune=200, seed=42)
        r2 = conjugate.sample({"k": [5], "n": [20]}, draws=200, tune=200, seed=42)
        r3 = conjugate.sample({"k": [5], "n": [20]}, draws=200, tune=200, seed=43)
        assert np.array_equal(r1.draws("rate"), r2.draws("rate"))
        assert not np.array_equal(r1.draws("rate"), r3.draws("rate"))

    def test_warm_resample_does_not_recompile(self, conjugate):
        before = compile_count()
        again = get_compiled(("test_sampling_conjugate",), _build_conjugate)
        assert again is conjugate
        for k in range(3):
            conjugate.sample({"k": [k], "n": [10]}, draws=100, tune=100, seed=k)
        assert compile_count() == before
        assert again.nutpie_model is conjugate.nutpie_model

    def test_timeout_cancels(self, conjugate):
        with pytest.raises(SamplingTimeout, match="did not finish within"):
            conjugate.sample({"k": [5], "n": [20]}, draws=5_000_000, tune=100, seed=1, timeout=0.2)

    def test_timeout_long_enough_returns(self, conjugate):
        res = conjugate.sample({"k": [5], "n": [20]}, draws=200, tune=200, seed=1, timeout=60)
        assert res.draws("rate").shape == (2, 200)

    def test_unknown_data_name(self, conjugate):
        with pytest.raises(SamplingError, match="unknown data 'kk'"):
            conjugate.sample({"kk": [1]})

    def test_wrong_rank(self, conjugate):
        with pytest.raises(SamplingError, match="rank 1"):
            conjugate.sample({"k": 3})

    def test_non_finite_data(self, conjugate):
        with pytest.raises(SamplingError, match="non-finite"):
            conjugate.sample({"a": math.nan})

    def test_failure_inside_nutpie_is_one_line(self, conjugate):
        # k > n makes the binomial log density -inf everywhere: initialisation fails.
        with pytest.raises(SamplingError) as info:
            conjugate.sample({"k": [20], "n": [10]}, draws=10, tune=10, seed=0)
        text = str(info.value)
        assert "\n" not in text and "Stack backtrace" not in text
        assert text.startswith("sampling failed")

    @pytest.mark.parametrize("bad", [{"draws": 0}, {"chains": 0}, {"tune": -1}, {"draws": 1.5}])
    def test_bad_sizes(self, conjugate, bad):
        with pytest.raises(SamplingError, match="whole number"):
            conjugate.sample({"k": [1]}, **bad)

    def test_few_draws_warn_low_ess(self, conjugate):
        res = conjugate.sample({"k": [5], "n": [20]}, draws=60, tune=100, seed=5)
        diag = res.diagnostics(["rate"])
        assert diag["rate"].ess_bulk < ESS_BULK_MIN
        assert any("bulk ESS" in w for w in diag.warnings)
        assert not diag.ok

    def test_one_chain_says_r_hat_unchecked(self, conjugate):
        res = conjugate.sample({"k": [5], "n": [20]}, draws=500, tune=200, chains=1, seed=5)
        assert any("at least 2 chains" in w for w in res.diagnostics(["rate"]).warnings)

    def test_divergences_are_counted_and_warned(self):
        funnel = get_compiled(("tests_funnel",), build_funnel)
        # A wide funnel (sd of v = 10): every one of seeds 0-3 diverged 4-7 times here, where the milder
        # scale 3 diverged for seeds 0-1 only, and seed 2 stopped diverging after a dependency refresh.
        res = funnel.sample({"scale": 10.0}, draws=500, tune=300, seed=0)
        stats_div = int(res.idata["sample_stats"]["diverging"].values.sum())
        diag = res.diagnostics(["v"])
        assert diag.divergences == stats_div > 0
        assert any("divergent" in w for w in diag.warnings)

    def test_raw_trace_reads_what_the_arviz_conversion_gives(self):
        # The hot path reads draws and divergences from nutpie's Arrow trace and converts to ArviZ only
        # on demand; both routes must give the same arrays (vector x[9] included).
        funnel = get_compiled(("tests_funnel",), build_funnel)
        # A wide funnel (sd of v = 10): every one of seeds 0-3 diverged 4-7 times here, where the milder
        # scale 3 diverged for seeds 0-1 only, and seed 2 stopped diverging after a dependency refresh.
        res = funnel.sample({"scale": 10.0}, draws=500, tune=300, seed=0)
        raw_divergences = res.divergences
        raw = {name: res.draws(name) for name in res.var_names}
        assert res._idata is None, "reading draws must not build the DataTree"
        tree = res.idata
        assert sorted(raw) == sorted(tree["posterior"].data_vars)
        for name, arr in raw.items():
            assert arr.shape[:2] == (2, 500)
            np.testing.assert_array_equal(arr, tree["posterior"][name].values)
        assert raw_divergences == int(tree["sample_stats"]["diverging"].values.sum()) > 0

    def test_vector_variables_reported_elementwise(self):
        funnel = get_compiled(("tests_funnel",), build_funnel)
        res = funnel.sample({"scale": 1.0}, draws=200, tune=200, seed=2)
        diag = res.diagnostics(["x"])
        assert set(diag.variables) == {f"x[{i}]" for i in range(9)}

    def test_save_netcdf_refuses_to_overwrite(self, conjugate, tmp_path):
        res = conjugate.sample({"k": [5], "n": [20]}, draws=50, tune=50, seed=5)
        target = tmp_path / "fit.nc"
        target.write_text("keep me")
        with pytest.raises(InputError, match="does not exist yet"):
            res.save_netcdf(target)
        assert target.read_text() == "keep me"

    def test_save_netcdf_round_trip(self, conjugate, tmp_path):
        res = conjugate.sample({"k": [5], "n": [20]}, draws=50, tune=50, seed=5)
        target = tmp_path / "fit.nc"
        try:
            sampling._netcdf_engine()
        except SamplingError as exc:
            # No NetCDF writer installed: the error says what to install, and nothing is left behind.
            with pytest.raises(SamplingError, match="h5netcdf"):
                res.save_netcdf(target)
            assert not target.exists() and list(tmp_path.iterdir()) == []
            pytest.skip(str(exc))
        import arviz as az

        res.save_netcdf(target)
        back = az.from_netcdf(target)
        assert np.array_equal(back["posterior"]["rate"].values, res.draws("rate"))
        assert [p.name for p in tmp_path.iterdir()] == ["fit.nc"]


class TestSummarizeDraws:
    def test_iid_normal(self):
        rng = np.random.default_rng(2024)
        draws = rng.normal(size=(4, 2000))
        d = summarize_draws("x", draws)
        assert abs(d.r_hat - 1) < 0.01
        # i.i.d. draws: ESS ~ the number of draws and MCSE ~ sd / sqrt(N).
        assert 0.8 * draws.size < d.ess_bulk < 1.25 * draws.size
        assert d.mcse_mean == pytest.approx(1 / math.sqrt(draws.size), rel=0.15)
        assert d.warnings(chains=4) == []

    def test_disagreeing_chains_flagged(self):
        rng = np.random.default_rng(7)
        draws = rng.normal(size=(2, 1000)) + np.array([[0.0], [1.0]])
        d = summarize_draws("x", draws)
        assert d.r_hat > 1.1
        assert any("r_hat" in w for w in d.warnings(chains=2))

    def test_constant_draws_no_false_alarm(self):
        d = summarize_draws("x", np.full((2, 100), 0.3))
        assert d.constant and d.mean == pytest.approx(0.3) and d.mcse_mean == 0.0
        assert d.warnings(chains=2) == []

    @pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
    def test_non_finite_draws_are_flagged_never_constant(self, bad):
        # A chain cut short is padded with NaN: that must not pass as a "constant" quantity.
        draws = np.full((2, 100), 0.3)
        draws[1, 50:] = bad
        d = summarize_draws("x", draws)
        assert not d.constant and not d.finite and math.isnan(d.mean) and math.isnan(d.mcse_mean)
        assert d.warnings(chains=2) == ["x: some draws are NaN or infinite; the estimate and its diagnostics are unusable"]

    def test_shape_checked(self):
        with pytest.raises(ValueError, match=r"\(chain, draw\)"):
            summarize_draws("x", np.zeros(10))

    def test_last_bit_noise_is_constant(self):
        # A quantity fixed by the inputs comes back from the compiled sampler with ~1e-16 noise.
        rng = np.random.default_rng(3)
        for level in (0.7, -2.5e6):
            noisy = level * (1 + 1e-16 * rng.standard_normal((2, 500)))
            d = summarize_draws("p", noisy)
            assert d.constant and d.mcse_mean == 0.0 and d.warnings(chains=2) == []


def _result_from(draws: dict) -> sampling.McmcResult:
    import arviz as az

    chains, n = next(iter(draws.values())).shape
    idata = az.from_dict({"posterior": draws, "sample_stats": {"diverging": np.zeros((chains, n), dtype=bool)}})
    return sampling.McmcResult(idata, draws=1, tune=0, chains=chains, seed=0, seconds=0.0, structure_key="test")


def test_mcmc_result_needs_exactly_one_trace():
    with pytest.raises(ValueError, match="exactly one"):
        sampling.McmcResult(draws=1, tune=0, chains=1, seed=0, seconds=0.0, structure_key="test")


def test_derived_fit_of_iid_draws_has_the_known_mcses():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((4, 5000))
    fit = sampling.derived_fit(_result_from({"x": x, "y": 2 * x}), "y", ["x"], 0.9, {"other": 1.5})
    n = x.size
    assert fit.mean == pytest.approx(2 * x.mean(), rel=1e-12)
    assert fit.median == pytest.approx(np.quantile(2 * x, 0.5), rel=1e-12)
    assert fit.interval == pytest.approx(tuple(np.quantile(2 * x, [0.05, 0.95])), rel=1e-12)
    # i.i.d. draws: MCSE of the mean 2/sqrt(n); of the u-quantile sqrt(u(1-u)/n) / density there.
    assert fit.mcse == pytest.approx(2 / math.sqrt(n), rel=0.15)
    for u, se in ((0.5, fit.median_mcse), (0.05, fit.interval_mcse[0]), (0.95, fit.interval_mcse[1])):
        exact = math.sqrt(u * (1 - u) / n) / (stats.norm.pdf(stats.norm.ppf(u)) / 2)
        assert se == pytest.approx(exact, rel=0.25)
    d = fit.to_dict()
    assert d["y"] == fit.mean and d["other"] == 1.5 and d["interval_kind"] == "equal-tailed"
    assert set(fit.diagnostics.variables) == {"x", "y"} and fit.diagnostics.ok


def test_derived_fit_of_constant_draws():
    fit = sampling.derived_fit(_result_from({"s": np.random.default_rng(1).random((2, 100)),
                                             "p": np.full((2, 100), 0.25)}), "p", [], 0.5)
    assert (fit.mean, fit.mcse, fit.median_mcse, fit.interval_mcse) == (0.25, 0.0, 0.0, (0.0, 0.0))
    assert fit.diagnostics.warnings == []


def test_get_compiled_caches_any_compile_function_once_per_key():
    built, compiled = [], []

    def build():
        built.append(1)
        return "model"

    def compile_forward(model, structure_key):
        compiled.append(structure_key)
        return (model, structure_key)

    before = compile_count()
    key = ("test_sampling", "forward")
    first = get_compiled(key, build, compile_forward)
    assert get_compiled(key, build, compile_forward) is first and sampling.cached(key) is first
    assert first == ("model", key) and built == [1] and compiled == [key]
    assert compile_count() == before  # only nutpie compilations are counted
