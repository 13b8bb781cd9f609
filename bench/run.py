#!/usr/bin/env python
r"""Speed and memory as users feel them, each figure a median of several runs with its min-max.

``make bench`` runs ``.venv/bin/python bench/run.py``; ``--quick`` uses tiny
sizes and mostly one repeat (the smoke test).  The table is printed and the
same figures are written as JSON to ``bench/results.json``.  What each figure
means is in ``bench/README.md``.

Absolute times on a shared 2-core machine are noisy, so where a target is a
ratio, the reference is measured in the same run and interleaved with the
measured thing (run A, run B, run A, ...), and the ratio is taken per pair:
load that comes and goes then hits both sides of a pair alike.  The 1-minute
load average is recorded with every figure.

A figure that cannot be measured (a module not there yet, no browser) is a
row whose status says why; a number is never invented.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import traceback
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
DEFAULT_OUT = ROOT / "bench" / "results.json"
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Modules `import beliefs` must not load (the design card: the library stays light).
HEAVY_MODULES = ("pymc", "pytensor", "arviz", "matplotlib", "streamlit", "nutpie", "preliz")
POSTERIOR_TEXT = "Posterior P(H)"  # the Update page's metric label: the posterior is on screen
RENDERED = "[data-testid=stApp][data-test-script-state=notRunning]"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECTIONS = (
    "closed_form", "monte_carlo", "rerun", "covert", "bf_map", "app_start", "slider_latency", "ratio_burst",
    "mcmc_browser", "import", "memory", "readers", "upload_under_load",
)
BROWSER_SECTIONS = ("app_start", "slider_latency", "ratio_burst", "mcmc_browser", "memory", "upload_under_load")


# ---------------------------------------------------------------------------
# Rows and the table
# ---------------------------------------------------------------------------
@dataclass
class Row:
    """One figure: every run's value, and the target it is held to.

    ``median``, ``min`` and ``max`` summarise ``runs``; ``met`` is ``None``
    when there is no target or nothing was measured, else whether the median
    is within it (``<=``, or ``>=`` for a figure where more is better).

    A time, a size or a ratio is never negative: a negative run is refused.  A row
    that is one measurement minus another (a shift from idle, A minus B) says so
    with ``signed=True``: its runs may be negative (A below B), its figure names what
    was subtracted, and the table writes its values with a sign (+120 ms, -613 ms).
    """

    section: str
    figure: str
    unit: str
    runs: list[float] = field(default_factory=list)
    target: float | None = None
    target_text: str = ""
    better: str = "lower"  # "lower": met when median <= target; "higher": median >= target
    note: str = ""
    status: str = "measured"  # or "not measured: <why>"
    load: float | None = None  # 1-minute load average when the figure was taken
    signed: bool = False  # a difference of two measurements: may be below zero

    def __post_init__(self) -> None:
        if not self.signed and any(v < 0 for v in self.runs):
            raise ValueError(f"{self.figure}: negative runs {[v for v in self.runs if v < 0]} in a row not declared signed")

    @property
    def measured(self) -> bool:
        return self.status == "measured" and bool(self.runs)

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.measured else None

    @property
    def min(self) -> float | None:
        return min(self.runs) if self.measured else None

    @property
    def max(self) -> float | None:
        return max(self.runs) if self.measured else None

    @property
    def met(self) -> bool | None:
        if self.target is None or not self.measured:
            return None
        if self.better == "higher":
            return self.median >= self.target
        return self.median <= self.target

    def to_dict(self) -> dict:
        return {
            "section": self.section,
            "figure": self.figure,
            "unit": self.unit,
            "median": self.median,
            "min": self.min,
            "max": self.max,
            "n_runs": len(self.runs),
            "runs": list(self.runs),
            "target": self.target,
            "target_text": self.target_text,
            "better": self.better,
            "met": self.met,
            "status": self.status,
            "note": self.note,
            "load_1min": self.load,
            "signed": self.signed,
        }


def not_measured(section: str, figure: str, why: str, unit: str = "", target=None, target_text="") -> Row:
    return Row(section, figure, unit, [], target, target_text, status=f"not measured: {why}")


def fmt_value(value: float | None, unit: str, signed: bool = False) -> str:
    """A value with its unit, to 3 significant figures; ``signed``: with its sign, + or - (a difference)."""
    if value is None:
        return "-"
    if signed:
        return ("-" if value < 0 else "+") + fmt_value(abs(value), unit)
    if abs(value) >= 100:
        value_text = f"{value:,.0f}"
    elif abs(value) >= 10:
        value_text = f"{value:.1f}"
    else:
        value_text = f"{value:.3g}"
    if unit in ("x", "%"):
        return value_text + unit
    return f"{value_text} {unit}".rstrip()


def format_table(rows: list[Row]) -> str:
    """The plain-text table: figure, median, min-max, target, met."""
    header = ("figure", "median", "min-max", "target", "met")
    body = []
    for r in rows:
        if r.measured:
            lo, hi = fmt_value(r.min, r.unit, r.signed), fmt_value(r.max, r.unit, r.signed)
            spread = f"{lo} to {hi}" if r.signed else f"{lo} - {hi}"  # "-613 ms - +12 ms" would misread
            spread = spread if len(r.runs) > 1 else "(1 run)"
            met = {None: "", True: "yes", False: "NO"}[r.met]
            body.append((r.figure, fmt_value(r.median, r.unit, r.signed), spread, r.target_text, met))
        else:
            body.append((r.figure, r.status, "", "", ""))
    # A "not measured" reason overflows its column rather than widening it for every row.
    sized = [header, *(b for b, r in zip(body, rows, strict=True) if r.measured)]
    widths = [max(len(str(line[i])) for line in sized) for i in range(len(header))]

    def line(cells) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(cells) for cells in body]
    notes = [f"- {r.figure}: {r.note}" for r in rows if r.note]
    if notes:
        out += ["", "Notes:", *notes]
    return "\n".join(out)


def load_avg() -> float:
    return round(os.getloadavg()[0], 2)


# ---------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Sizes:
    """How much of each measurement to do (``--quick`` is for the smoke test, not for figures)."""

    quick: bool
    timeit_number: int
    timeit_repeat: int
    mc_draws: tuple[int, ...]
    mc_repeats: int
    reruns: int
    covert_draws: int
    covert_tune: int
    covert_cold_runs: int
    covert_warm_runs: int
    covert_pymc_runs: int
    start_runs: int
    sessions: int
    import_runs: int
    cli_runs: int


FULL = Sizes(
    quick=False, timeit_number=2000, timeit_repeat=7, mc_draws=(100_000, 1_000_000), mc_repeats=5, reruns=10,
    covert_draws=1000, covert_tune=1000, covert_cold_runs=3, covert_warm_runs=5, covert_pymc_runs=3,
    start_runs=9, sessions=10, import_runs=9, cli_runs=9,
)
# The smoke test's run (tests/test_bench_smoke.py): each row's code once, at the least that makes the row.
# One repeat where a second only repeats the same code (reruns, CLI starts); two draw sizes, so that both a
# row with a target (10^5) and one without (10^4) are made; two sessions, so that the memory row holds
# sessions side by side.
QUICK = Sizes(
    quick=True, timeit_number=100, timeit_repeat=2, mc_draws=(10_000, 100_000), mc_repeats=1, reruns=1,
    covert_draws=100, covert_tune=100, covert_cold_runs=1, covert_warm_runs=1, covert_pymc_runs=1,
    start_runs=1, sessions=2, import_runs=1, cli_runs=1,
)

# Targets from issue 6, keyed by the sizes they were set for.
MC_TARGET_MS = {100_000: 50.0, 1_000_000: 500.0}


# ---------------------------------------------------------------------------
# 1. Closed-form update
# ---------------------------------------------------------------------------
def ledger_20():
    """Twenty items as users enter them: probability pairs, bare ratios, and a discounted group."""
    from beliefs.evidence import Evidence

    items = []
    for i in range(20):
        if i % 3 == 0:
            items.append(Evidence(f"pair {i}", p_e_given_h=0.5 + i / 50, p_e_given_not_h=0.3))
        elif i % 3 == 1:
            items.append(Evidence(f"ratio {i}", likelihood_ratio=0.5 + i / 10))
        else:
            items.append(Evidence(f"grouped {i}", likelihood_ratio=2.0, group="shared source", discount=0.5))
    return items


def bench_closed_form(sz: Sizes) -> list[Row]:
    from beliefs.update import update

    items = ledger_20()
    update(0.25, items)  # first call pays for lazy imports (format), not the figure
    totals = timeit.repeat(lambda: update(0.25, items), number=sz.timeit_number, repeat=sz.timeit_repeat)
    per_call_us = [1e6 * t / sz.timeit_number for t in totals]
    return [
        Row(
            "closed_form",
            "closed-form update, 20 items (per call)",
            "us",
            per_call_us,
            100.0,
            "<= 100 us",
            note=f"timeit, {sz.timeit_number} calls per run",
            load=load_avg(),
        )
    ]


# ---------------------------------------------------------------------------
# 2. Uncertain-evidence Monte Carlo: NumPy against PyMC forward sampling
# ---------------------------------------------------------------------------
def uncertain_ledger_10():
    """Ten items with distributions: Betas on both, on one, and log-normal ratios."""
    from beliefs.evidence import BetaDist, Evidence

    items = []
    for i in range(4):
        items.append(
            Evidence(
                f"two Betas {i}", p_e_given_h=0.6, p_e_given_not_h=0.3,
                p_e_given_h_dist=BetaDist(6 + i, 4), p_e_given_not_h_dist=BetaDist(3, 7 + i),
            )
        )
    for i in range(3):
        items.append(Evidence(f"one Beta {i}", p_e_given_h=0.5, p_e_given_not_h=0.4, p_e_given_h_dist=BetaDist(5, 5 + i)))
    for i in range(3):
        items.append(Evidence(f"log-normal {i}", likelihood_ratio=1.5 + i, log_lr_sigma=0.5))
    return items


def bench_monte_carlo(sz: Sizes) -> list[Row]:
    from beliefs.uncertain_evidence import posterior_distribution

    items = uncertain_ledger_10()
    rows: list[Row] = []
    posterior_distribution(0.25, items, draws=1000, seed=0)  # warm-up
    try:
        from models.uncertain_evidence import posterior_distribution_pymc
    except ImportError as exc:
        posterior_distribution_pymc = None
        pymc_missing = f"models.uncertain_evidence missing ({exc})"
    else:
        t0 = time.perf_counter()
        posterior_distribution_pymc(0.25, items, draws=1000, seed=0)
        compile_s = time.perf_counter() - t0
        rows.append(
            Row("monte_carlo", "PyMC forward model: first call (build + compile)", "s", [compile_s],
                note="once per process; pytensor's on-disk cache may make it shorter than a true first run",
                load=load_avg())
        )
    for draws in sz.mc_draws:
        rows.append(_variate_floor(items, draws, sz.mc_repeats))
        numpy_ms, pymc_ms, ratios = [], [], []
        medians = {}
        for rep in range(sz.mc_repeats):
            seed = 100 + rep
            t0 = time.perf_counter()
            d_np = posterior_distribution(0.25, items, draws=draws, seed=seed)
            numpy_ms.append(1000 * (time.perf_counter() - t0))
            if posterior_distribution_pymc is not None:
                t0 = time.perf_counter()
                d_pm = posterior_distribution_pymc(0.25, items, draws=draws, seed=seed)
                pymc_ms.append(1000 * (time.perf_counter() - t0))
                ratios.append(pymc_ms[-1] / numpy_ms[-1])
                medians = {"numpy": d_np.median, "pymc": d_pm.median}
        target = MC_TARGET_MS.get(draws)
        label = f"10^{round(math.log10(draws))}"
        rows.append(
            Row("monte_carlo", f"Monte Carlo, 10 uncertain items, {label} draws (NumPy)", "ms", numpy_ms,
                target, f"<= {target:g} ms" if target else "", note="" if target else "quick size: no target",
                load=load_avg())
        )
        if posterior_distribution_pymc is None:
            rows.append(not_measured("monte_carlo", f"PyMC forward / NumPy time, {label} draws", pymc_missing, "x"))
            continue
        rows.append(Row("monte_carlo", f"Monte Carlo, {label} draws (PyMC forward sampling)", "ms", pymc_ms,
                        load=load_avg()))
        rows.append(
            Row("monte_carlo", f"PyMC forward / NumPy time, {label} draws", "x", ratios,
                note=f"median posterior NumPy {medians['numpy']:.4f}, PyMC {medians['pymc']:.4f} (same model)",
                load=load_avg())
        )
    return rows


def _variate_floor(items, draws: int, repeats: int) -> Row:
    """Time to draw only the random variates the model needs (Gammas for each Beta, normals), nothing else.

    No sampler of this model can beat it with NumPy's generators: it shows
    whether a target is reachable on this machine at all.
    """
    import numpy as np

    from beliefs.uncertain_evidence import evidence_terms

    terms = evidence_terms(0.25, items)
    shapes = [float(a) for a in terms.alphas] + [float(b) for b in terms.betas]
    ms = []
    for rep in range(repeats):
        rng = np.random.default_rng(rep)
        t0 = time.perf_counter()
        for shape in shapes:
            rng.standard_gamma(shape, draws)  # scalar shape: NumPy's fastest Gamma path
        for _ in range(terms.sigmas.size):
            rng.standard_normal(draws)
        ms.append(1000 * (time.perf_counter() - t0))
    label = f"10^{round(math.log10(draws))}"
    return Row("monte_carlo", f"NumPy floor: the {len(shapes)} Gamma + {terms.sigmas.size} normal variates alone, "
               f"{label} draws", "ms", ms, load=load_avg(),
               note="any exact NumPy sampler of these items needs at least this long")


# ---------------------------------------------------------------------------
# 3. Update-page rerun after a slider move, against a one-slider reference app
# ---------------------------------------------------------------------------
REFERENCE_READY = "reference figure drawn"
REFERENCE_APP = '''\
"""Reference: one slider and one matplotlib figure, the least a page with a plot can do."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import streamlit as st

p = st.slider("P(H) (%)", 0.0, 100.0, 25.0, step=0.1, key="p")
fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(["prior", "posterior"], [p / 100, 3 * p / (3 * p + 100 - p)])
ax.set_xlim(0, 1)
st.pyplot(fig)
plt.close(fig)
st.markdown("reference figure drawn")
'''


def _find_prior_slider(at):
    """The Update page's prior slider, by its key or else by its label."""
    try:
        at.slider(key="w_prior_slider")
    except KeyError:
        pass
    else:
        return lambda: at.slider(key="w_prior_slider")
    for s in at.slider:
        if "P(H)" in s.label:
            key = s.key
            return lambda: at.slider(key=key)
    raise LookupError("no prior slider (key w_prior_slider or a label with 'P(H)') on the Update page")


def _check_run(at, what: str) -> None:
    if at.exception:
        raise RuntimeError(f"{what} raised: {at.exception[0].value}")


LEDGER_SIZES = (2, 40)  # 40 = the most a link or a file may carry (settings.MAX_ITEMS, scenario.MAX_EVIDENCE)


def _ledger_app(n_items: int):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=300)
    # A share link's ledger: n likelihood-ratio items (kind~a~b~enabled~spread~id~group~discount~label).
    at.query_params.update({"prior": "0.25", **{f"e{i}": f"lr~{1.1 + i / 100:g}~~1~~~~~item {i}" for i in range(n_items)}})
    at.run()
    _check_run(at, f"app.py with {n_items} items")
    return at


def _ledger_size_rows(sz: Sizes) -> list[Row]:
    """Rerun time of the Update page with a 2-item and a 40-item ledger, interleaved, and their ratio."""
    small_n, big_n = LEDGER_SIZES
    apps = {n: _ledger_app(n) for n in LEDGER_SIZES}
    sliders = {n: _find_prior_slider(at) for n, at in apps.items()}
    for n in LEDGER_SIZES:  # warm-up
        sliders[n]().set_value(30.0).run()
    times: dict[int, list[float]] = {n: [] for n in LEDGER_SIZES}
    for i in range(sz.reruns):
        for n in LEDGER_SIZES:
            t0 = time.perf_counter()
            sliders[n]().set_value(31.0 + i).run()
            times[n].append(1000 * (time.perf_counter() - t0))
    for n, at in apps.items():
        _check_run(at, f"app.py with {n} items")
        if len(at.session_state["items"]) != n:
            raise RuntimeError(f"the {n}-item link loaded {len(at.session_state['items'])} items")
    load = load_avg()
    ratios = [b / a for a, b in zip(times[small_n], times[big_n], strict=True)]
    return [
        Row("rerun", f"Update page rerun, {small_n}-item ledger", "ms", times[small_n], load=load,
            note="AppTest, prior-slider moves, interleaved with the 40-item run"),
        Row("rerun", f"Update page rerun, {big_n}-item ledger (the cap)", "ms", times[big_n], load=load,
            note="the most a link or a file may carry"),
        Row("rerun", f"{big_n}-item / {small_n}-item rerun time", "x", ratios, 3.0, "<= 3x", load=load,
            note="ratio per interleaved pair; before the bounded ledger (one item's controls past 8) it was ~13x"),
    ]


_COLLECTION_CODE = """
import gc, json, time
from streamlit.testing.v1 import AppTest
from app_pages import workers
AppTest.from_file("APP", default_timeout=120).run()  # the Update page's first run: its imports (it freezes them)
gc.unfreeze()
def full():
    t0 = time.perf_counter(); gc.collect(2); return 1000 * (time.perf_counter() - t0)
before = [full() for _ in range(REPEATS)]
workers.freeze_heap()
after = [full() for _ in range(REPEATS)]
print(json.dumps({"before": before, "after": after, "objects": gc.get_freeze_count()}))
"""


def _collection_rows(sz: Sizes) -> list[Row]:
    """Streamlit's full garbage collection after every script run, with the server's imports frozen or not.

    ``gc.collect(2)`` runs on the script's thread after each run, holding the interpreter lock: every other
    session's run and message waits behind it (``app_pages.workers.freeze_heap`` says why the app freezes).
    """
    repeats = 2 if sz.quick else 7
    proc = subprocess.run([PYTHON, "-c", _COLLECTION_CODE.replace("REPEATS", str(repeats)).replace("APP", str(APP))], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=True)  # fmt: skip
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    load = load_avg()
    note = f"a fresh interpreter after the Update page's first run (AppTest) ({out['objects']:,} objects frozen); median of {repeats}"
    return [
        Row("rerun", "full collection after a run, imports not frozen (Streamlit's default)", "ms", out["before"],
            load=load, note=note),
        Row("rerun", "full collection after a run, imports frozen (the app)", "ms", out["after"], 5.0, "<= 5 ms",
            load=load),
    ]


def bench_rerun(sz: Sizes) -> list[Row]:
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp:
        ref_path = Path(tmp) / "reference_app.py"
        ref_path.write_text(REFERENCE_APP)
        app = AppTest.from_file(str(APP), default_timeout=120).run()
        _check_run(app, "app.py")
        ref = AppTest.from_file(str(ref_path), default_timeout=60).run()
        _check_run(ref, "reference app")
        app_slider = _find_prior_slider(app)
        # Warm-up: the first moves import the plotting code and fill caches.
        app_slider().set_value(30.0).run()
        ref.slider(key="p").set_value(30.0).run()
        app_ms, ref_ms, ratios = [], [], []
        for i in range(sz.reruns):
            value = 31.0 + i
            t0 = time.perf_counter()
            app_slider().set_value(value).run()
            app_ms.append(1000 * (time.perf_counter() - t0))
            t0 = time.perf_counter()
            ref.slider(key="p").set_value(value).run()
            ref_ms.append(1000 * (time.perf_counter() - t0))
            ratios.append(app_ms[-1] / ref_ms[-1])
        _check_run(app, "app.py")
        shown = {m.label: m.value for m in app.metric}
        if POSTERIOR_TEXT not in shown:
            raise RuntimeError(f"the Update page shows no {POSTERIOR_TEXT!r} metric after the slider moves")
    load = load_avg()
    return [
        *_ledger_size_rows(sz),
        *_collection_rows(sz),
        Row("rerun", "Update page rerun after a prior-slider move", "ms", app_ms, load=load,
            note=f"AppTest, {sz.reruns} moves after a warm-up; posterior shown {shown[POSTERIOR_TEXT]}"),
        Row("rerun", "reference app rerun (1 slider + 1 matplotlib figure)", "ms", ref_ms, load=load),
        Row("rerun", "Update page / reference rerun time", "x", ratios, 2.0, "<= 2x", load=load,
            note="ratio per interleaved pair of reruns"),
    ]


# ---------------------------------------------------------------------------
# 4. Covert-action model: cold against warm, nutpie against PyMC's NUTS
# ---------------------------------------------------------------------------
N_ENVIRONMENTS = 20
COVERT_PRIOR = 0.25
RATE_IF_H = (2.0, 18.0)  # Beta prior on an environment's covert-action rate if the system schemes
RATE_IF_NOT_H = (1.0, 99.0)


def covert_data(variant: int):
    """Counts in 20 environments; each variant is a different data set (as a user editing the table)."""
    import numpy as np

    rng = np.random.default_rng(1000 + variant)
    n = rng.integers(50, 300, size=N_ENVIRONMENTS)
    rates = rng.beta(1.0, 30.0, size=N_ENVIRONMENTS)
    k = rng.binomial(n, rates)
    return k.tolist(), n.tolist()


def covert_worker(draws: int, tune: int, warm_runs: int, with_pymc: bool, pymc_seed: int = 7) -> dict:
    """One fresh process: cold fit, warm refits with new data, and optionally PyMC's own NUTS.

    Runs in a subprocess so that "cold" is really the first fit of the
    process (numba and pytensor have compiled nothing in memory yet).
    """
    t0 = time.perf_counter()
    import models.counts as ca
    from beliefs.counts import quadrature_partial_pooling
    from models import sampling

    import_s = time.perf_counter() - t0
    sampled: list[tuple] = []
    original = sampling.CompiledModel.sample

    def recording(self, data=None, **kwargs):
        # Keep the exact data the model was sampled with, to give PyMC's NUTS the same posterior.
        sampled.append((self, dict(data or {})))
        return original(self, data, **kwargs)

    sampling.CompiledModel.sample = recording
    fit_args = {"draws": draws, "tune": tune, "chains": 2}

    def fit(variant: int, seed: int):
        k, n = covert_data(variant)
        t = time.perf_counter()
        res = ca.mcmc_partial_pooling(k, n, COVERT_PRIOR, RATE_IF_H, RATE_IF_NOT_H, seed=seed, **fit_args)
        return res, time.perf_counter() - t

    compiles_before = sampling.compile_count()
    k0, n0 = covert_data(0)
    exact = quadrature_partial_pooling(k0, n0, COVERT_PRIOR, RATE_IF_H, RATE_IF_NOT_H).posterior
    cold, cold_s = fit(0, seed=1)
    compiled, cold_data = sampled[-1]
    warm = [fit(v, seed=1 + v) for v in range(1, warm_runs + 1)]
    out = {
        "import_seconds": import_s,
        "cold_seconds": cold_s,
        "compile_seconds": compiled.compile_seconds,
        "cold_sample_seconds": cold.seconds,
        "warm_seconds": [s for _, s in warm],
        "warm_sample_seconds": [r.seconds for r, _ in warm],
        "recompiled": sampling.compile_count() - compiles_before != 1,
        "nutpie": {
            "ess_bulk": [r.ess_bulk for r, _ in warm],
            "ess_per_second": [r.ess_bulk / r.seconds for r, _ in warm],
            "r_hat": [r.r_hat for r, _ in warm],
            "divergences": [r.divergences for r, _ in warm],
        },
        "exact_posterior": exact,
        "cold_posterior": cold.posterior,
        "cold_mcse": cold.mcse,
        "cold_r_hat": cold.r_hat,
        "cold_ess_bulk": cold.ess_bulk,
    }
    if with_pymc:
        out["pymc"] = _pymc_nuts(compiled.model, cold_data, draws, tune, seed=pymc_seed)
        # nutpie on exactly that data set, warm, for a like-for-like ESS per second.
        out["nutpie_same_data"] = []
        for seed in range(pymc_seed, pymc_seed + 3):
            res = compiled.sample(cold_data, draws=draws, tune=tune, chains=2, seed=seed, target_accept=0.9)
            ph = sampling.summarize_draws("p_h", res.draws("p_h"))
            out["nutpie_same_data"].append({
                "seconds": res.seconds, "ess_bulk": ph.ess_bulk, "ess_per_second": ph.ess_bulk / res.seconds,
                "posterior": ph.mean, "mcse": ph.mcse_mean, "r_hat": ph.r_hat,
            })
    return out


def _pymc_nuts(model, data: dict, draws: int, tune: int, seed: int) -> dict:
    import pymc as pm

    from models.sampling import summarize_draws

    with model:
        pm.set_data(data)
        t0 = time.perf_counter()
        idata = pm.sample(
            draws=draws, tune=tune, chains=2, cores=2, random_seed=seed, target_accept=0.9,
            nuts_sampler="pymc",  # PyMC 6 picks nutpie when installed; this row is PyMC's own NUTS
            progressbar=False, compute_convergence_checks=False,
        )
        wall = time.perf_counter() - t0
    posterior = idata["posterior"]
    attrs = dict(getattr(posterior, "attrs", {}) or {})
    sampling_time = attrs.get("sampling_time")
    ph = summarize_draws("p_h", posterior["p_h"].values)
    divergences = int(idata["sample_stats"]["diverging"].values.sum())
    seconds = float(sampling_time) if sampling_time else wall
    return {
        "wall_seconds": wall,
        "sampling_seconds": seconds,
        "ess_bulk": ph.ess_bulk,
        "ess_per_second": ph.ess_bulk / seconds,
        "ess_per_wall_second": ph.ess_bulk / wall,
        "posterior": ph.mean,
        "mcse": ph.mcse_mean,
        "r_hat": ph.r_hat,
        "divergences": divergences,
    }


def _run_worker(name: str, args: dict, timeout: float, env: dict | None = None) -> dict:
    cmd = [PYTHON, str(Path(__file__).resolve()), "--worker", name, "--worker-args", json.dumps(args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env=None if env is None else {**os.environ, **env})  # fmt: skip
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{name} worker failed: {' | '.join(tail)}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _sampler_default() -> str:
    """Which sampler models/sampling.py uses for every model (read from its source, not assumed)."""
    text = (ROOT / "models" / "sampling.py").read_text()
    if "nutpie.sample(" in text and "pm.sample(" not in text:
        return "nutpie"
    return "mixed or PyMC"


def bench_covert(sz: Sizes) -> list[Row]:
    if not (ROOT / "models" / "counts.py").exists():
        return [not_measured("covert", "covert-action model", "models/counts.py missing")]
    # Each cold process gets an empty nutpie callback cache (models/compile_cache.py): "cold" is a machine's
    # first-ever compile, not a load of what the previous run saved.
    with tempfile.TemporaryDirectory(prefix="bench-nutpie-cache-") as empty:
        results = [
            _run_worker(
                "covert",
                {"draws": sz.covert_draws, "tune": sz.covert_tune, "warm_runs": sz.covert_warm_runs,
                 "with_pymc": i < sz.covert_pymc_runs, "pymc_seed": 7 + 10 * i},
                timeout=900,
                env={"BELIEFS_NUTPIE_CACHE_DIR": str(Path(empty) / f"run{i}")},
            )
            for i in range(sz.covert_cold_runs)
        ]
    load = load_avg()
    size = f"{N_ENVIRONMENTS} envs, 2 chains x {sz.covert_draws} draws (+{sz.covert_tune} tune)"
    cold = [r["cold_seconds"] for r in results]
    warm = [s for r in results for s in r["warm_seconds"]]
    warm_sample = [s for r in results for s in r["warm_sample_seconds"]]
    # Warm as a share of the cold fit of the same process.
    share = [100 * s / r["cold_seconds"] for r in results for s in r["warm_seconds"]]
    recompiled = any(r["recompiled"] for r in results)
    full = not sz.quick
    rows = [
        Row("covert", f"covert partial pooling cold: build + compile + sample ({size})", "s", cold, load=load,
            note=f"fresh process each; compile {statistics.median(r['compile_seconds'] for r in results):.3g} s "
            f"of it; importing pymc/nutpie first took {statistics.median(r['import_seconds'] for r in results):.3g} s"),
        Row("covert", "covert partial pooling warm: new data, sample again (whole call)", "s", warm,
            0.25 if full else None, "<= 0.25 s" if full else "", load=load,
            note="mcmc_partial_pooling end to end: Laplace pseudo-prior fit + nutpie + diagnostics"
            + ("; RECOMPILED on new data" if recompiled else "; no recompilation")),
        Row("covert", "covert partial pooling warm: nutpie sampling alone", "s", warm_sample, load=load),
        Row("covert", "covert warm / cold", "%", share, 5.0 if full else None, "<= 5%" if full else "", load=load),
    ]
    nut = [n for r in results for n in r.get("nutpie_same_data", [])]
    pmc = [r["pymc"] for r in results if "pymc" in r]
    nut_rate = statistics.median(n["ess_per_second"] for n in nut)
    pmc_rate = statistics.median(p["ess_per_second"] for p in pmc)
    exact = results[0].get("exact_posterior")
    if exact is not None:
        z = [
            (r["posterior"] - exact) / r["mcse"] for r in [*nut, *pmc] if r["mcse"] > 0
        ]
        rows.append(Row("covert", "covert P(H|D): largest |MCMC - quadrature| / MCSE over all runs", "", [max(map(abs, z))],
                        load=load, note=f"quadrature P(H|D) = {exact:.4f} (beliefs.counts.quadrature_partial_pooling); "
                        f"{len(z)} runs; about 4 or more would mean the MCSE understates the error"))
    rows.append(Row("covert", "nutpie: bulk ESS of P(H|D,phi) per second of sampling", "ESS/s",
                    [n["ess_per_second"] for n in nut], load=load,
                    note=_chains_note(nut, "seconds") + "; warm, same data as PyMC's"))
    rows.append(Row("covert", "PyMC NUTS (pm.sample): bulk ESS per second of sampling", "ESS/s",
                    [p["ess_per_second"] for p in pmc], load=load,
                    note=_chains_note(pmc, "sampling_seconds")
                    + f"; {sum(p['divergences'] for p in pmc)} divergences"))
    rows.append(Row("covert", "PyMC NUTS: one pm.sample call, wall (compile + sample)", "s",
                    [p["wall_seconds"] for p in pmc], load=load,
                    note="pm.sample compiles on every call; compare the nutpie warm whole call above"))
    rows.append(Row("covert", "nutpie / PyMC NUTS, ESS per second of sampling", "x",
                    [n["ess_per_second"] / pmc_rate for n in nut], load=load,
                    note="each nutpie run over the median PyMC rate"))
    faster = "nutpie" if nut_rate >= pmc_rate else "PyMC NUTS"
    pmc_wall_rate = statistics.median(p["ess_bulk"] / p["wall_seconds"] for p in pmc)
    warm_rate = statistics.median(n["ess_bulk"] for n in nut) / statistics.median(warm)
    default = _sampler_default()
    rows[-1].note += (
        f"; faster per second of sampling: {faster}; per second of a user's re-run (ESS over wall time incl. "
        f"PyMC's recompile) nutpie warm {warm_rate:,.0f} ESS/s vs pm.sample {pmc_wall_rate:,.0f} ESS/s; "
        f"models/sampling.py uses {default} for every model"
    )
    return rows


def _chains_note(runs: list[dict], seconds_key: str) -> str:
    ess = statistics.median(r["ess_bulk"] for r in runs)
    secs = statistics.median(r[seconds_key] for r in runs)
    post = ", ".join(f"{r['posterior']:.3f}+-{r['mcse']:.3f}" for r in runs)
    rhat = max(r["r_hat"] for r in runs)
    return f"median ESS {ess:.0f} in {secs:.3g} s; P(H|D) {post}; max r_hat {rhat:.3f}"


# ---------------------------------------------------------------------------
# Streamlit server and browser helpers
# ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(port: int, log_dir: str, app: Path = APP, env: dict | None = None) -> Iterator[subprocess.Popen]:
    """``streamlit run app`` headless on 127.0.0.1:port (``env`` added to this process's); always stopped on exit."""
    log = open(Path(log_dir) / f"streamlit-{port}.log", "w")
    cmd = [
        PYTHON, "-m", "streamlit", "run", str(app),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **(env or {})}
    )
    try:
        yield proc
    finally:
        stop_process_group(proc)
        log.close()


def stop_process_group(proc: subprocess.Popen) -> None:
    """Stop the server we started (its own session, so only its group), escalating to SIGKILL."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before serving")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        time.sleep(0.02)
    raise TimeoutError(f"streamlit did not answer {url} within {timeout:g} s")


def wait_rendered(page, text: str, timeout_ms: float = 60_000) -> None:
    page.get_by_text(text, exact=True).first.wait_for(timeout=timeout_ms)
    page.wait_for_selector(RENDERED, timeout=timeout_ms)


def wait_posterior(page, timeout_ms: float = 60_000) -> None:
    wait_rendered(page, POSTERIOR_TEXT, timeout_ms)


def browser_unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed"
    return None


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def proc_status_kb(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise KeyError(field_name)


# ---------------------------------------------------------------------------
# 5. App start to first rendered posterior
# ---------------------------------------------------------------------------
def _time_start(browser, app: Path, ready_text: str, logs: str) -> tuple[float, float]:
    """Seconds from launching ``streamlit run app`` to ``ready_text`` on screen with the script idle."""
    port = free_port()
    context = browser.new_context()
    page = context.new_page()
    t0 = time.perf_counter()
    try:
        with streamlit_server(port, logs, app) as proc:
            wait_healthy(port, proc)
            serving = time.perf_counter() - t0
            page.goto(f"http://127.0.0.1:{port}/", wait_until="commit")
            wait_rendered(page, ready_text)
            return time.perf_counter() - t0, serving
    finally:
        context.close()


def bench_app_start(sz: Sizes) -> list[Row]:
    why = browser_unavailable()
    if why:
        return [not_measured("app_start", "app start to first posterior", why, "s", 5.0, "<= 5 s")]
    app_s, ref_s, serving, ratios = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        ref_path = Path(tmp) / "reference_app.py"
        ref_path.write_text(REFERENCE_APP)
        for _ in range(sz.start_runs):
            seconds, up = _time_start(browser, APP, POSTERIOR_TEXT, tmp)
            app_s.append(seconds)
            serving.append(up)
            ref_s.append(_time_start(browser, ref_path, REFERENCE_READY, tmp)[0])
            ratios.append(app_s[-1] / ref_s[-1])
    load = load_avg()
    return [
        Row("app_start", "app start: `streamlit run` to first rendered posterior", "s", app_s, 5.0, "<= 5 s",
            note=f"server answering after a median {statistics.median(serving):.3g} s; Chromium already running",
            load=load),
        Row("app_start", "reference app start (1 slider + 1 matplotlib figure)", "s", ref_s, load=load,
            note="the same measurement for the reference app, interleaved: Streamlit's own floor on this machine"),
        Row("app_start", "app start / reference app start", "x", ratios, 1.3, "<= 1.3x", load=load,
            note="ratio per interleaved pair (issue 12)"),
    ]


# ---------------------------------------------------------------------------
# 6. Import time and CLI start
# ---------------------------------------------------------------------------
IMPORT_PROBE = (
    "import json, sys, time\n"
    "t = time.perf_counter()\n"
    "import beliefs\n"
    "dt = time.perf_counter() - t\n"
    f"print(json.dumps({{'seconds': dt, 'heavy': sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules)}}))\n"
)


# Runs the command and prints its wall time and peak RSS.  A separate, tiny launcher is needed
# because ru_maxrss survives exec: a child forked from this (large) process would report this
# process's high-water mark.  The launcher's own ~10 MB is then the floor of the reading.
LAUNCHER = (
    "import json, os, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)\n"
    "out = p.stdout.read()\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "wall = time.perf_counter() - t\n"
    "print(json.dumps({'wall': wall, 'maxrss_kb': usage.ru_maxrss, 'code': os.waitstatus_to_exitcode(status),"
    " 'out': out.decode(errors='replace')}))\n"
)


def timed_child(cmd: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (kB, this child alone) and output of one subprocess, via the launcher."""
    proc = subprocess.run([PYTHON, "-c", LAUNCHER, *cmd], capture_output=True, text=True, cwd=ROOT, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"launcher failed: {proc.stderr.strip()[-300:]}")
    got = json.loads(proc.stdout)
    if got["code"] != 0:
        raise RuntimeError(f"{' '.join(cmd[1:])} exited {got['code']}: {got['out'].strip()[-300:]}")
    return got["wall"], got["maxrss_kb"], got["out"]


CLI_UPDATE = ["-m", "beliefs", "update", "--prior", "0.25", "--lr", "3"]
BARE_START = ["-c", "import numpy, scipy.special"]


def bench_import(sz: Sizes, cli_samples: dict | None = None) -> list[Row]:
    seconds, heavy = [], set()
    for _ in range(sz.import_runs):
        _, _, text = timed_child([PYTHON, "-c", IMPORT_PROBE])
        probe = json.loads(text.strip().splitlines()[-1])
        seconds.append(1000 * probe["seconds"])
        heavy.update(probe["heavy"])
    rows = [
        Row("import", "`import beliefs` (fresh process)", "ms", seconds, 300.0, "<= 300 ms",
            status="measured",
            note="heavy modules loaded: " + (", ".join(sorted(heavy)) if heavy else f"none of {', '.join(HEAVY_MODULES)}"),
            load=load_avg()),
    ]
    if heavy:
        rows[0].note += " (VIOLATES the design card)"
        rows[0].target_text += " and no PyMC/Streamlit"
    cli_s, bare_s, ratios, rss = [], [], [], []
    for _ in range(sz.cli_runs):
        wall, kb, text = timed_child([PYTHON, *CLI_UPDATE])
        if not re.search(r"posterior\s+50%", text):  # prior odds 1:3 times 3 = 1:1
            raise RuntimeError(f"beliefs update printed no posterior of 50%: {text.strip()[-200:]}")
        cli_s.append(1000 * wall)
        rss.append(kb / 1024)
        wall, _, _ = timed_child([PYTHON, *BARE_START])
        bare_s.append(1000 * wall)
        ratios.append(cli_s[-1] / bare_s[-1])
    load = load_avg()
    rows += [
        Row("import", "`python -m beliefs update --prior 0.25 --lr 3` wall time", "ms", cli_s, load=load),
        Row("import", "bare `python -c \"import numpy, scipy.special\"` wall time", "ms", bare_s, load=load),
        Row("import", "CLI update / bare numpy+scipy start", "x", ratios, 3.0, "<= 3x", load=load,
            note="ratio per interleaved pair"),
    ]
    if cli_samples is not None:
        cli_samples["rss_mb"] = rss
    return rows


# ---------------------------------------------------------------------------
# 7. Memory
# ---------------------------------------------------------------------------
def bench_memory(sz: Sizes, cli_rss_mb: list[float] | None = None, browser: bool = True) -> list[Row]:
    rows = []
    if not cli_rss_mb:
        cli_rss_mb = []
        for _ in range(max(2, sz.cli_runs // 3)):
            _, kb, _ = timed_child([PYTHON, *CLI_UPDATE])
            cli_rss_mb.append(kb / 1024)
    rows.append(Row("memory", "peak RSS of `beliefs update` (CLI)", "MB", cli_rss_mb, 150.0, "<= 150 MB",
                    note="ru_maxrss of that child alone (os.wait4)", load=load_avg()))
    why = browser_unavailable() if browser else "browser rows skipped (--no-browser)"
    title = f"peak RSS of the Streamlit server, {sz.sessions} sessions on the Update page"
    if why:
        rows.append(not_measured("memory", title, why, "MB", 600.0 if not sz.quick else None,
                                 "<= 600 MB" if not sz.quick else ""))
        return rows
    with tempfile.TemporaryDirectory() as logs, chromium() as browser:
        port = free_port()
        with streamlit_server(port, logs) as proc:
            wait_healthy(port, proc)
            idle_mb = proc_status_kb(proc.pid, "VmHWM") / 1024
            contexts = [browser.new_context() for _ in range(sz.sessions)]
            pages = [c.new_page() for c in contexts]
            # Open all sessions before waiting on any, so they run concurrently on the server.
            for page in pages:
                page.goto(f"http://127.0.0.1:{port}/", wait_until="commit")
            for page in pages:
                wait_posterior(page, timeout_ms=180_000)
            # Each session moves the prior slider once: a rerun per session, like users exploring.
            for page in pages:
                slider = page.get_by_role("slider").first
                slider.focus()
                slider.press("ArrowRight")
            time.sleep(1.0)
            for page in pages:
                wait_posterior(page, timeout_ms=180_000)
            hwm_mb = proc_status_kb(proc.pid, "VmHWM") / 1024
            rss_mb = proc_status_kb(proc.pid, "VmRSS") / 1024
            for c in contexts:
                c.close()
    rows.append(
        Row("memory", title, "MB", [hwm_mb], 600.0 if not sz.quick else None, "<= 600 MB" if not sz.quick else "",
            note=f"VmHWM of the server process; {idle_mb:.0f} MB before any session, VmRSS {rss_mb:.0f} MB after; "
            "one measurement per bench run",
            load=load_avg())
    )
    return rows


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------
def _guarded(section: str, fn: Callable[[], list[Row]]) -> list[Row]:
    """Run one section; a failure becomes a 'not measured' row saying why, never a made-up number."""
    try:
        return fn()
    except ModuleNotFoundError as exc:
        return [not_measured(section, section, f"{exc.name} missing")]
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        return [not_measured(section, section, reason)]


def machine_info() -> dict:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# This module, for the sections in modules of their own that use its helpers.  Taken at import: the rerun
# section's AppTest replaces sys.modules["__main__"] with the app script it runs, so a later
# sys.modules[__name__] (the bench runs as __main__) was that script, and bf_map failed with an AttributeError.
_THIS_MODULE = sys.modules[__name__]


def run(sections: list[str], sz: Sizes, out: Path | None, browser: bool = True) -> dict:
    started = datetime.now(UTC)
    info = machine_info()
    rows: list[Row] = []
    cli_samples: dict = {}
    for section in sections:
        print(f"[bench] {section} (load {load_avg()})", file=sys.stderr, flush=True)
        if section in BROWSER_SECTIONS and not browser and section != "memory":
            rows.append(not_measured(section, section, "browser rows skipped (--no-browser)"))
            continue
        if section == "closed_form":
            rows += _guarded(section, lambda: bench_closed_form(sz))
        elif section == "monte_carlo":
            rows += _guarded(section, lambda: bench_monte_carlo(sz))
        elif section == "rerun":
            rows += _guarded(section, lambda: bench_rerun(sz))
        elif section == "covert":
            rows += _guarded(section, lambda: bench_covert(sz))
        elif section == "bf_map":
            from bench.bf_map import bench_bf_map  # its own module; given this one's helpers

            rows += _guarded(section, lambda: bench_bf_map(sz, _THIS_MODULE))
        elif section == "app_start":
            rows += _guarded(section, lambda: bench_app_start(sz))
        elif section == "slider_latency":
            from bench.latency import bench_slider_latency  # its own module: browser timing in the page

            rows += _guarded(section, lambda: bench_slider_latency(sz))
        elif section == "ratio_burst":
            from bench.ratio_burst import bench_ratio_burst  # its own module: frames sampled in the page

            rows += _guarded(section, lambda: bench_ratio_burst(sz))
        elif section == "mcmc_browser":
            from bench.mcmc_browser import bench_mcmc_browser  # its own module; given this one's helpers

            rows += _guarded(section, lambda: bench_mcmc_browser(sz, _THIS_MODULE))
        elif section == "import":
            rows += _guarded(section, lambda: bench_import(sz, cli_samples))
        elif section == "memory":
            rows += _guarded(section, lambda: bench_memory(sz, cli_samples.get("rss_mb"), browser))
        elif section == "readers":
            from bench.readers import bench_readers  # its own module: each reader's worst case at its cap

            rows += _guarded(section, lambda: bench_readers(sz))
        elif section == "upload_under_load":
            from bench.concurrent_upload import bench_upload_under_load  # five sessions beside a sixth's load

            rows += _guarded(section, lambda: bench_upload_under_load(sz))
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result = {
        "generated": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        "quick": sz.quick,
        "machine": info,
        "rows": [r.to_dict() for r in rows],
    }
    table = format_table(rows)
    print(table)
    print(f"\nload average (1, 5, 15 min): start {info['load_average_at_start']}, end {info['load_average_at_end']}; "
          f"{info['cpu_count']} CPUs")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written {out}")
    return result


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes, mostly one repeat (smoke test; figures not comparable)")
    p.add_argument("--only", default="", help=f"comma-separated sections to run, from: {', '.join(SECTIONS)}")
    p.add_argument("--skip", default="", help="comma-separated sections to leave out")
    p.add_argument("--no-browser", action="store_true", help="skip the rows that need Chromium")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="where to write the JSON (default bench/results.json)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--worker-args", default="{}", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    for name in ("only", "skip"):
        chosen = [s.strip() for s in getattr(args, name).split(",") if s.strip()]
        unknown = [s for s in chosen if s not in SECTIONS]
        if unknown:
            p.error(f"--{name}: unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
        setattr(args, name, chosen)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker == "covert":
        print(json.dumps(covert_worker(**json.loads(args.worker_args))))
        return 0
    sections = [s for s in (args.only or SECTIONS) if s not in args.skip]
    run(sections, QUICK if args.quick else FULL, Path(args.out), browser=not args.no_browser)
    return 0


if __name__ == "__main__":
    sys.exit(main())
