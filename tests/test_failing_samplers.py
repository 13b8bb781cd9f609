"""Failing samplers: a bad fit is reported as bad, a slow fit is stopped, a crash is one clear line.

* a deliberately terrible model (Neal's funnel, centred, short tuning) comes
  back with divergences, warnings and ``ok``/``converged`` false — never as a
  bare confident number;
* the command line's ``counts --mcmc`` with too few draws says NOT CONVERGED
  next to the number and ``"converged": false`` in JSON;
* a time bound turns into SamplingTimeout (library), exit 1 with one line
  (CLI), and ``st.error`` in the app, whose MCMC calls all carry a finite
  timeout;
* an exception inside nutpie becomes SamplingError (library) and one line,
  no traceback (CLI).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.pymc_models import build_funnel

ROOT = Path(__file__).resolve().parent.parent
COUNTS = ["counts", "--k", "1,0,2", "--n", "20,20,20", "--prior", "0.5", "--rate-if-h", "1,9",
          "--rate-if-not-h", "1,99", "--pooling", "none", "--mcmc", "--seed", "3"]  # fmt: skip

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("failing_samplers")]


@pytest.fixture(scope="module")
def funnel():
    from models.sampling import get_compiled

    return get_compiled(("tests_funnel",), build_funnel)


def test_funnel_is_reported_as_not_converged(funnel):
    res = funnel.sample({"scale": 3.0}, draws=300, tune=50, chains=2, seed=4)
    diag = res.diagnostics(["v"])
    assert not diag.ok
    assert diag.divergences > 0
    assert any("divergent" in w for w in diag.warnings)
    # the number comes with its warnings, never alone
    assert diag.to_dict()["warnings"] == diag.warnings


def test_too_few_draws_flag_low_ess(funnel):
    res = funnel.sample({"scale": 0.5}, draws=30, tune=30, chains=2, seed=1)
    diag = res.diagnostics(["v"])
    assert not diag.ok
    assert any("ESS" in w for w in diag.warnings)


def test_timeout_raises_sampling_timeout(funnel):
    from models.sampling import SamplingError, SamplingTimeout

    with pytest.raises(SamplingTimeout, match="did not finish within") as info:
        funnel.sample({"scale": 3.0}, draws=200_000, tune=1000, chains=2, seed=0, timeout=0.2)
    assert isinstance(info.value, SamplingError)
    # the compiled model is still usable afterwards
    assert funnel.sample({"scale": 1.0}, draws=50, tune=50, seed=0).draws("v").shape == (2, 50)


def test_exception_inside_nutpie_becomes_sampling_error(funnel, monkeypatch):
    import nutpie

    from models.sampling import SamplingError

    def broken(*args, **kwargs):
        raise RuntimeError("numba exploded\nStack backtrace:\n  0: rust frames ...")

    monkeypatch.setattr(nutpie, "sample", broken)
    with pytest.raises(SamplingError) as info:
        funnel.sample({"scale": 1.0}, draws=50, tune=50, seed=0)
    message = str(info.value)
    assert "numba exploded" in message and "\n" not in message and "backtrace" not in message
    with pytest.raises(SamplingError):
        funnel.sample({"scale": math.nan})


def test_mcmc_counts_result_not_converged_with_few_draws():
    from beliefs.counts import exact_no_pooling
    from models.counts import mcmc_no_pooling

    k, n = [1, 0, 2], [20, 20, 20]
    res = mcmc_no_pooling(k, n, 0.5, (1, 9), (1, 99), draws=100, tune=100, chains=2, seed=3)
    assert not res.converged and res.warnings
    assert res.to_dict()["converged"] is False
    # the estimate is still in the right place, just not certified
    exact = exact_no_pooling(k, n, 0.5, (1, 9), (1, 99)).posterior
    assert abs(res.posterior - exact) <= max(0.05, 6 * res.mcse)


# -- the command line ----------------------------------------------------------------------------


def _main(argv, capsys):
    from beliefs.cli import main

    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_flags_an_unconverged_fit(capsys):
    code, out, err = _main([*COUNTS, "--draws", "100", "--tune", "100", "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    mc = data["mcmc"]
    assert mc["converged"] is False and mc["warnings"]
    # the human output (same seed, same fit) prints the verdict next to the number
    code, out, err = _main([*COUNTS, "--draws", "100", "--tune", "100"], capsys)
    assert code == 0, err
    assert "NOT CONVERGED - do not trust the MCMC number" in out


def test_cli_timeout_is_one_line(capsys):
    code, out, err = _main([*COUNTS, "--draws", "200000", "--tune", "1000", "--timeout", "0.3"], capsys)
    assert code == 1, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert "MCMC failed" in lines[0] and "did not finish within 0.3 s" in lines[0]
    assert out == ""


def test_cli_exception_inside_pymc_is_one_line():
    # a real process: the failure is injected into nutpie before the command runs
    code = textwrap.dedent(
        """
        import sys, nutpie
        def broken(*a, **k):
            raise FloatingPointError("log-probability is NaN at the initial point\\nStack backtrace: ...")
        nutpie.compile_pymc_model = broken
        from beliefs.cli import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *COUNTS], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "MCMC failed" in lines[0] and "FloatingPointError" in lines[0] and "NaN at the initial" in lines[0]
    assert "backtrace" not in lines[0].lower()


def test_cli_exception_while_sampling_is_one_line(capsys, monkeypatch):
    import nutpie

    def broken(*args, **kwargs):
        raise RuntimeError("chain 1 panicked\nStack backtrace: ...")

    monkeypatch.setattr(nutpie, "sample", broken)
    code, out, err = _main(COUNTS, capsys)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "MCMC failed" in lines[0] and "chain 1 panicked" in lines[0], err


# -- the app -------------------------------------------------------------------------------------


def test_app_mcmc_has_a_time_bound_and_reports_timeouts(monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import models.counts as mc
    import models.sampling as sampling
    from models.sampling import SamplingTimeout

    calls = []

    def timed_out(*args, **kwargs):
        calls.append(kwargs)
        raise SamplingTimeout("sampling did not finish within 1 s and was cancelled; try fewer draws")

    class _Dummy:  # stands in for the compiled model: compilation is not what is tested here
        pass

    monkeypatch.setattr(mc, "mcmc_partial_pooling", timed_out)
    monkeypatch.setattr(sampling, "get_compiled", lambda key, builder: _Dummy())
    # A fit of the same data cached (process-wide) by an earlier test would stand in for the stub.
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update({"view": "data", "da_src": "custom", "da_env": "1/20,0/20,2/20"})
        at.run()
        next(b for b in at.button if b.label == "Run partial pooling").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert calls, "the app did not call the sampler"
        timeout = calls[-1].get("timeout")
        assert timeout is not None and 0 < timeout < math.inf, calls[-1]
        assert any("did not finish within" in e.value for e in at.error), [e.value for e in at.error]
        assert not any("P(H | data), MCMC" == m.label for m in at.metric)
    finally:
        st.cache_resource.clear()  # the dummy must not outlive this test


def test_app_shows_warnings_next_to_an_unconverged_number(monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import models.counts as mc
    import models.sampling as sampling

    bad = mc.McmcCountsResult(
        posterior=0.7, mcse=0.2, r_hat=1.3, ess_bulk=12.0, ess_tail=9.0, divergences=17,
        warnings=["p_h: r_hat = 1.300 > 1.01 (chains disagree; not converged)", "17 divergent transition(s)"],
    )  # fmt: skip
    monkeypatch.setattr(mc, "mcmc_partial_pooling", lambda *a, **k: bad)
    monkeypatch.setattr(sampling, "get_compiled", lambda key, builder: object())
    # A fit of the same data cached (process-wide) by an earlier test would stand in for the stub.
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update({"view": "data", "da_src": "custom", "da_env": "1/20,0/20,2/20"})
        at.run()
        next(b for b in at.button if b.label == "Run partial pooling").click().run()
        assert not at.exception, [e.value for e in at.exception]
        shown = [w.value for w in at.warning]
        assert any("Do not trust this number" in w and "not converged" in w for w in shown), shown
        assert any("divergent" in w for w in shown), shown
        assert np.isclose(float(next(m.value for m in at.metric if m.label == "R-hat")), 1.3)
    finally:
        st.cache_resource.clear()


def test_nan_draws_of_the_model_indicator_are_a_sampling_error(monkeypatch):
    """No Bayes factor is read from NaN draws (a chain cut short is padded with NaN): one clear error."""
    import models.counts as mc
    from models.sampling import Diagnostics, SamplingError, summarize_draws

    draws = np.full((2, 50), 0.5)
    draws[1, 25:] = np.nan

    class Trace:
        chains, n_draws = 2, 50

        def diagnostics(self, names):
            return Diagnostics({"p_h": summarize_draws("p_h", draws)}, 0, 2, 50, [])

    class Compiled:
        def sample(self, inputs, **kwargs):
            return Trace()

    monkeypatch.setattr(mc, "pilot_log_bayes_factor", lambda *a, **k: 0.0)
    with pytest.raises(SamplingError, match="NaN or infinite"):
        mc._sample_balanced(Compiled(), "no_pooling", {}, 0.5, 0, [])
