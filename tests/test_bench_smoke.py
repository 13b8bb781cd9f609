"""The bench script (bench/run.py): its arithmetic, its table and JSON, and a --quick run end to end.

No test here asserts a timing: the figures depend on the machine and its load.
What is checked is that every figure is summarised correctly (median, min-max
and target met, recomputed independently), that nothing unmeasured gets a
number, and that the memory probe reads the child's own peak, not ours.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "run.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_run", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


# -- rows and the table --------------------------------------------------------------


@pytest.mark.parametrize(
    ("runs", "target", "better", "met"),
    [
        ([3.0, 1.0, 2.0], 2.0, "lower", True),  # median 2 <= 2
        ([3.0, 1.0, 2.5, 9.0], 2.5, "lower", False),  # median 2.75 > 2.5
        ([5.0, 7.0], 6.0, "higher", True),  # median 6 >= 6
        ([5.0, 6.0, 7.0], 6.5, "higher", False),
        ([1.0], None, "lower", None),  # no target: nothing to meet
    ],
)
def test_row_summary_and_target(runs, target, better, met):
    row = bench.Row("s", "f", "ms", runs, target, better=better)
    assert row.median == statistics.median(runs)
    assert (row.min, row.max) == (min(runs), max(runs))
    assert row.met is met
    d = row.to_dict()
    assert d["median"] == row.median and d["n_runs"] == len(runs) and d["met"] is met


def test_a_negative_run_needs_a_signed_row_and_is_shown_with_its_sign():
    with pytest.raises(ValueError, match="not declared signed"):
        bench.Row("s", "idle key press", "ms", [12.0, -3.0])
    shift = bench.Row("s", "median shift from idle: uploads", "ms", [-613.3, 120.0, 40.0], signed=True)
    assert shift.median == 40.0 and shift.to_dict()["signed"] is True
    line = next(line for line in bench.format_table([shift]).splitlines() if line.startswith("median shift"))
    assert "+40.0 ms" in line and "-613 ms to +120 ms" in line
    assert bench.fmt_value(0.0, "ms", signed=True) == "+0 ms" and bench.fmt_value(-2.5, "x", signed=True) == "-2.5x"


def test_unmeasured_row_has_no_numbers():
    row = bench.not_measured("covert", "covert model", "models/counts.py missing", "s", 0.25, "<= 0.25 s")
    assert not row.measured
    assert row.median is None and row.min is None and row.max is None and row.met is None
    assert row.status == "not measured: models/counts.py missing"
    table = bench.format_table([row])
    assert "not measured: models/counts.py missing" in table


def test_table_marks_met_and_missed():
    rows = [
        bench.Row("a", "fast thing", "ms", [10.0, 12.0, 11.0], 50.0, "<= 50 ms"),
        bench.Row("a", "slow thing", "s", [7.0, 9.0], 5.0, "<= 5 s"),
    ]
    lines = bench.format_table(rows).splitlines()
    assert lines[0].split() == ["figure", "median", "min-max", "target", "met"]
    fast = next(line for line in lines if line.startswith("fast thing"))
    slow = next(line for line in lines if line.startswith("slow thing"))
    assert "11.0 ms" in fast and "10.0 ms - 12.0 ms" in fast and fast.endswith("yes")
    assert "8 s" in slow and slow.endswith("NO")


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(1234.5, "ms", "1,234 ms"), (42.25, "MB", "42.2 MB"), (0.1914, "s", "0.191 s"), (2.345, "x", "2.35x")],
)
def test_value_format(value, unit, text):
    assert bench.fmt_value(value, unit) == text


def test_unknown_section_is_refused(capsys):
    with pytest.raises(SystemExit) as exc:
        bench.parse_args(["--only", "closed_form,warp_drive"])
    assert exc.value.code == 2
    assert "warp_drive" in capsys.readouterr().err


# -- the memory probe -----------------------------------------------------------------


def test_child_peak_rss_is_the_childs_own():
    """A child that allocates 200 MB reports about 200 MB; a bare child does not inherit our peak.

    ``ru_maxrss`` survives ``exec``, so a child forked from a large process
    would report the parent's high-water mark; the launcher avoids that.
    """
    ballast = b"x" * (300 * 2**20)  # written, so resident: this process's own peak is now > 300 MB
    _, bare_kb, _ = bench.timed_child([sys.executable, "-c", "pass"])
    _, big_kb, out = bench.timed_child([sys.executable, "-c", "b = b'x' * (200 * 2**20); print('done')"])
    del ballast
    bare_mb, big_mb = bare_kb / 1024, big_kb / 1024
    assert bare_mb < 100, bare_mb
    assert 195 <= big_mb - bare_mb <= 260, (bare_mb, big_mb)
    assert out.strip() == "done"


def test_child_failure_is_reported():
    with pytest.raises(RuntimeError, match="exited 3"):
        bench.timed_child([sys.executable, "-c", "import sys; sys.exit(3)"])


# -- the covert rows from worker results ------------------------------------------------


def _worker_result(cold, warm, nut_ess_s, pymc_ess_s):
    nut = [
        {"seconds": 0.2, "ess_bulk": 0.2 * r, "ess_per_second": r, "posterior": 0.3, "mcse": 0.01, "r_hat": 1.0}
        for r in nut_ess_s
    ]
    return {
        "import_seconds": 3.0,
        "cold_seconds": cold,
        "compile_seconds": cold - 1.0,
        "cold_sample_seconds": 0.5,
        "warm_seconds": warm,
        "warm_sample_seconds": [w / 2 for w in warm],
        "recompiled": False,
        "exact_posterior": 0.31,
        "nutpie_same_data": nut,
        "pymc": {
            "wall_seconds": 30.0, "sampling_seconds": 2.0, "ess_bulk": 2.0 * pymc_ess_s,
            "ess_per_second": pymc_ess_s, "ess_per_wall_second": 2.0 * pymc_ess_s / 30.0, "posterior": 0.3,
            "mcse": 0.01, "r_hat": 1.0, "divergences": 0,
        },
    }


@pytest.mark.parametrize(("nut", "pymc", "faster"), [(4000.0, 500.0, "nutpie"), (100.0, 500.0, "PyMC NUTS")])
def test_covert_rows(monkeypatch, nut, pymc, faster):
    runs = iter([
        _worker_result(40.0, [0.2, 0.3], [nut, 2 * nut], pymc),
        _worker_result(50.0, [0.25], [nut], 3 * pymc),
    ])
    caches = []

    def worker(name, args, timeout, env=None):
        caches.append((env or {}).get("BELIEFS_NUTPIE_CACHE_DIR"))
        return next(runs)

    monkeypatch.setattr(bench, "_run_worker", worker)
    sizes = dataclasses.replace(bench.FULL, covert_cold_runs=2, covert_warm_runs=2)
    rows = {r.figure: r for r in bench.bench_covert(sizes)}
    # Each cold process has an empty nutpie callback cache of its own: "cold" is a first-ever compile.
    assert len(caches) == 2 and all(caches) and len(set(caches)) == 2
    share = next(r for f, r in rows.items() if f.startswith("covert warm / cold"))
    assert share.runs == pytest.approx([100 * 0.2 / 40, 100 * 0.3 / 40, 100 * 0.25 / 50])
    assert share.target == 5.0
    warm = next(r for f, r in rows.items() if "whole call" in f)
    assert warm.median == pytest.approx(0.25) and warm.met is True
    pymc_rate = statistics.median([pymc, 3 * pymc])
    ratio = next(r for f, r in rows.items() if f.startswith("nutpie / PyMC"))
    assert ratio.runs == pytest.approx([nut / pymc_rate, 2 * nut / pymc_rate, nut / pymc_rate])
    assert f"faster per second of sampling: {faster};" in ratio.note
    assert "models/sampling.py uses nutpie" in ratio.note
    # Every run says 0.3 +- 0.01 against the quadrature's 0.31: one MCSE off.
    z = next(r for f, r in rows.items() if "quadrature" in f)
    assert z.runs == pytest.approx([1.0])
    # ESS per second of a user's re-run: nutpie's median ESS over the median warm whole call.
    assert f"nutpie warm {0.2 * nut / 0.25:,.0f} ESS/s" in ratio.note


@pytest.mark.parametrize("quick", [True, False])
def test_ratio_burst_rows(monkeypatch, quick):
    """The ratio_burst section's own code, its servers, browser and bursts stubbed (the smoke run leaves it out)."""
    import contextlib
    from types import SimpleNamespace

    import bench.ratio_burst as rb
    import bench.run as run

    started = []

    @contextlib.contextmanager
    def server(port, log_dir, app=run.APP, env=None):
        started.append((Path(app).name, env or {}))
        yield SimpleNamespace()

    @contextlib.contextmanager
    def browser():
        yield SimpleNamespace()

    monkeypatch.setattr(run, "browser_unavailable", lambda: "")
    monkeypatch.setattr(run, "streamlit_server", server)
    monkeypatch.setattr(run, "wait_healthy", lambda port, proc: None)
    monkeypatch.setattr(run, "chromium", browser)
    monkeypatch.setattr(rb, "open_page", lambda browser, url: url)
    app_burst = SimpleNamespace(longest_disagreement_ms=0.0, settle_ms=300.0, frames=[None] * 200)
    bare_burst = SimpleNamespace(longest_disagreement_ms=1500.0, settle_ms=120.0, frames=[None] * 150)
    monkeypatch.setattr(rb, "burst", lambda page: app_burst if page.endswith(rb.APP_QUERY) else bare_burst)
    rows = {r.figure: r for r in rb.bench_ratio_burst(run.QUICK if quick else run.FULL)}
    bursts = 1 if quick else 3
    disagree = rows["app: longest run of frames where summary, item and slider disagree"]
    assert disagree.runs == [0.0] * bursts and disagree.target == 500 and disagree.met is True
    settle = rows["app: last key press to settled"]
    assert settle.runs == [300.0] * bursts and settle.target == 1500 and settle.met is True
    assert settle.note == "frames per burst: " + ", ".join(["200"] * bursts)
    assert rows["bare one-slider app: longest disagreement"].runs == [1500.0] * bursts
    assert rows["bare one-slider app: last key press to settled"].runs == [120.0] * bursts
    # The app in its steady state (no MCMC warm-up), the bare app as Streamlit ships it (fast reruns on).
    (app_name, app_env), (bare_name, bare_env) = started
    assert app_name == "app.py" and app_env == {"BELIEFS_MCMC_WARMUP": "0"}
    assert bare_name == "bare_ratio_app.py" and bare_env["STREAMLIT_RUNNER_FAST_RERUNS"] == "true"


# -- a --quick run end to end -----------------------------------------------------------------


# Left out of the smoke run, each for its cost in CI (the suite must stay under 15 min on 2 cores) and each
# exercised elsewhere: covert (a numba compile of ~30-60 s; test_covert_rows above runs its row code),
# mcmc_browser (compiles the model inside a Streamlit server; tests/test_browser_mcmc.py drives that page),
# upload_under_load (six browser sessions; its row arithmetic is the signed-row code tested above) and
# ratio_burst (two servers and a burst each: 24 s of an idle machine's --quick run, more under CI's load;
# tests/test_ratio_burst_browser.py drives the bench's own burst, open_page, idle and agree on every run, and
# test_ratio_burst_rows below runs the section's own code with the browser stubbed).
SMOKE_SKIPS = ("covert", "mcmc_browser", "upload_under_load", "ratio_burst")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One --quick run of every section but those in :data:`SMOKE_SKIPS` (see there why)."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    cmd = [sys.executable, str(SCRIPT), "--quick", "--skip", ",".join(SMOKE_SKIPS), "--out", str(out)]
    if bench.browser_unavailable():
        cmd.append("--no-browser")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, json.loads(out.read_text())


@pytest.mark.slow
@pytest.mark.xdist_group("bench_smoke")
def test_quick_run_json_structure(quick_run):
    _, result = quick_run
    assert result["quick"] is True
    assert result["machine"]["cpu_count"] >= 1
    assert len(result["machine"]["load_average_at_start"]) == 3
    sections = {row["section"] for row in result["rows"]}
    assert sections == set(bench.SECTIONS) - set(SMOKE_SKIPS)
    for row in result["rows"]:
        assert set(row) >= {"section", "figure", "unit", "median", "min", "max", "runs", "target", "met", "status", "signed"}
        if row["status"] == "measured":
            # A difference of two measurements is declared signed and names what it subtracts; nothing else is negative.
            assert row["signed"] is (("minus" in row["figure"]) or ("shift from" in row["figure"])), row
            runs = row["runs"]
            assert runs and all(math.isfinite(v) and (row["signed"] or v >= 0) for v in runs), row
            assert row["median"] == statistics.median(runs)
            assert row["min"] == min(runs) <= row["median"] <= max(runs) == row["max"]
            if row["target"] is None:
                assert row["met"] is None
            else:
                within = row["median"] <= row["target"] if row["better"] == "lower" else row["median"] >= row["target"]
                assert row["met"] is within, row
        else:
            assert row["status"].startswith("not measured: "), row
            assert row["median"] is None and row["runs"] == [] and row["met"] is None


@pytest.mark.slow
@pytest.mark.xdist_group("bench_smoke")
def test_quick_run_measures_the_light_rows(quick_run):
    """Rows with no optional dependency are always measured, never skipped."""
    _, result = quick_run
    measured = {row["figure"] for row in result["rows"] if row["status"] == "measured"}
    for figure in (
        "closed-form update, 20 items (per call)",
        "`import beliefs` (fresh process)",
        "CLI update / bare numpy+scipy start",
        "peak RSS of `beliefs update` (CLI)",
        "Update page / reference rerun time",
        # after the rerun section (its AppTest replaced sys.modules["__main__"]; this row once failed there)
        "Bayes-factor map, H's mean moved (grid from the cache)",
    ):
        assert figure in measured
    if not bench.browser_unavailable():
        assert "app start: `streamlit run` to first rendered posterior" in measured


@pytest.mark.slow
@pytest.mark.xdist_group("bench_smoke")
def test_quick_run_table_matches_json(quick_run):
    stdout, result = quick_run
    lines = stdout.splitlines()
    assert lines[0].split() == ["figure", "median", "min-max", "target", "met"]
    for row in result["rows"]:
        line = next((line for line in lines if line.startswith(row["figure"])), None)
        assert line is not None, row["figure"]
        if row["status"] == "measured":
            assert bench.fmt_value(row["median"], row["unit"], row["signed"]) in line
        else:
            assert row["status"] in line
    assert "load average" in stdout
