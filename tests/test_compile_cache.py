"""nutpie's compiled callbacks are loaded from disk in a later process, and only under a key that covers them.

models/compile_cache.py keys each callback by everything its compiled code depends on.  Checked
here: a second process loads both callbacks instead of compiling them and draws exactly what the
first drew; a model whose data differs at compile time gets a different key; the random names
nutpie gives the shared data do not change the key; anything the key cannot capture makes the
callback uncacheable rather than loadable under a key that might be incomplete.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from models import compile_cache

ROOT = Path(__file__).resolve().parent.parent


def _closure(*values):
    """A nutpie-like closure holding ``values`` (its module set to nutpie's, as the walk requires)."""
    a, b, c = values

    def callback():
        return a, b, c

    callback.__module__ = "nutpie.compile_pymc"
    return callback


def test_the_key_ignores_nutpies_random_names_but_not_the_data():
    names = ["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"]
    data = np.arange(3.0)
    first = compile_cache.stable_key(_closure(names[0], data, np.dtype([(names[0], np.uintp)])))
    renamed = compile_cache.stable_key(_closure(names[1], data.copy(), np.dtype([(names[1], np.uintp)])))
    assert first is not None and first == renamed
    assert compile_cache.stable_key(_closure(names[0], data + 1, np.dtype([(names[0], np.uintp)]))) != first
    assert compile_cache.stable_key(_closure(names[0], data.astype(np.float32), np.dtype([(names[0], np.uintp)]))) != first
    assert compile_cache.stable_key(_closure(names[0], data, np.dtype([(names[0], np.intp)]))) != first


def _compiled_in(path: str, body: str):
    """A nutpie-like callback whose code (with a nested function) was compiled from the file ``path``."""
    namespace: dict = {}
    exec(compile(f"def make(a):\n    def callback():\n        {body}\n    return callback\n", path, "exec"), namespace)
    callback = namespace["make"](np.arange(3.0))
    callback.__module__ = "nutpie.compile_pymc"
    return callback


def test_the_key_ignores_the_path_of_the_install_but_not_the_bytecode():
    """The same nutpie in two virtual environments (CI makes a fresh one each run) shares the cache."""
    body = "return [x for x in a]"  # the comprehension is code nested in the callback's code
    here = compile_cache.stable_key(_compiled_in("/venv-a/site-packages/nutpie/compile_pymc.py", body))
    there = compile_cache.stable_key(_compiled_in("/tmp/ci9/fresh/.venv/site-packages/nutpie/compile_pymc.py", body))
    assert here is not None and here == there
    other = compile_cache.stable_key(_compiled_in("/venv-a/site-packages/nutpie/compile_pymc.py", "return [-x for x in a]"))
    assert other is not None and other != here


def test_anything_the_key_cannot_capture_makes_the_callback_uncacheable():
    assert compile_cache.stable_key(_closure(1, 2, object())) is None
    assert compile_cache.stable_key(_closure(1, 2, lambda: 0)) is None  # a function from outside nutpie/numba


_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import pymc as pm
    from models.sampling import compile_model

    def build(mu):
        with pm.Model() as model:
            y = pm.Data("y", np.array([0.3, -0.2, 1.1]))
            m = pm.Normal("m", mu, 1.0)
            pm.Normal("obs", m, 1.0, observed=y)
        return model

    out = {}
    for mu in map(float, sys.argv[1:]):
        compiled = compile_model(build(mu))
        nut = compiled.nutpie_model
        draws = compiled.sample({"y": np.array([0.5, 0.1, -0.4])}, draws=200, tune=200, chains=2, seed=7).draws("m")
        out[str(mu)] = {"hits": [nut.compiled_logp_func.cache_hits, nut.compiled_expand_func.cache_hits],
                        "draws": np.asarray(draws).ravel().tolist()}
    print(json.dumps(out))
    """
)


def _run(tmp_path: Path, *mus: str) -> dict:
    # An empty callback cache of its own (the hook bench/run.py uses), PyTensor's cache left as it is: an empty
    # PyTensor compile directory would also recompile all of PyTensor's C code (149 s of CI against ~50 s).
    env = dict(os.environ, PYTHONPATH=str(ROOT), BELIEFS_NUTPIE_CACHE_DIR=str(tmp_path / "nutpie_cfunc"))
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, *mus], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_bench_can_give_a_process_an_empty_cache_of_its_own(tmp_path, monkeypatch):
    # bench/run.py's "covert cold" row sets this so that it times a first-ever compile, not a load.
    default = compile_cache._cache_dir()
    assert default.name == "nutpie_cfunc"
    monkeypatch.setenv("BELIEFS_NUTPIE_CACHE_DIR", str(tmp_path / "empty"))
    assert compile_cache._cache_dir() == tmp_path / "empty"
    monkeypatch.delenv("BELIEFS_NUTPIE_CACHE_DIR")
    assert compile_cache._cache_dir() == default


@pytest.mark.slow
def test_a_second_process_loads_the_callbacks_and_draws_exactly_the_same(tmp_path):
    first = _run(tmp_path, "0")  # an empty callback cache: compiled and saved
    assert first["0.0"]["hits"] == [0, 0]
    second = _run(tmp_path, "0", "0.5")
    assert second["0.0"]["hits"] == [1, 1]
    assert second["0.0"]["draws"] == first["0.0"]["draws"]
    # The prior mean is a constant of the log density: another value is another key, compiled afresh.
    # (The expansion to the trace, m from the unconstrained point, is the same code and may load.)
    assert second["0.5"]["hits"][0] == 0
    assert second["0.5"]["draws"] != first["0.0"]["draws"]
