"""A clean virtual environment with only the core installed (numpy, scipy, pydantic) runs the core.

pip installs this worktree's wheel (built by this environment's setuptools, without a fresh isolated
build environment) with the versions requirements.txt pins, then the console script runs ``update``,
``export --format markdown``, ``scenario run`` and ``evidence list`` from outside the source tree and
refuses the commands that need an extra, then the test files marked ``core`` run there (less the fuzzers
and the two files that start a process per test; see below).  pip installs from its cache or index;
without either (offline) the test is skipped.  The sizes of the core environment and of the full one,
and the seconds each step took, are printed (``-s``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

# The extras' packages: none of them may arrive with the core install.
EXTRA_PACKAGES = {"pymc", "pytensor", "nutpie", "arviz", "preliz", "streamlit", "altair", "matplotlib", "pandas", "vl-convert-python"}
TEST_TOOLS = ("pytest", "hypothesis", "mpmath", "markdown-it-py", "mdit-py-plugins", "linkify-it-py")
# Core files left out of the run in the core environment (they run in the full one with the rest of the suite):
# hypothesis fuzzers of the parsers of untrusted input, hundreds of generated inputs through the same code that
# the other core files (scenario, link, catalogue, CLI and export tests) already run here; what this environment
# adds is whether that code finds its dependencies, not more inputs.  Their 85 tests took 30 s here (load 8).
FUZZ_FILES = ("test_fuzz.py", "test_hostile_round3.py")
# The same holds for the one fuzzer in test_export.py (arbitrary labels through the Markdown table; 16 s here).
FUZZ_TESTS = ("tests/test_export.py::test_any_label_renders_as_itself_in_one_cell",)
# And for the two files that run ``python -m beliefs`` in a fresh process per test (40 of them, a few
# seconds each under load; 60 of the 175 s the core tests took here at load 17-27).  What the core
# environment adds to them is whether the CLI's commands find their dependencies: the console script runs
# each command family below (update, export, scenario, evidence, and the refusals of the extras') in
# this environment, and test_export.py, test_shortlink.py and test_scenario.py start the CLI here too.
CLI_PROCESS_FILES = ("test_cli_update.py", "test_cli_catalogue.py")
_OFFLINE = re.compile(
    r"No matching distribution|Could not find a version|NewConnectionError|Temporary failure in name resolution"
    r"|Network is unreachable|Failed to establish a new connection|ProxyError",
)


def _pinned() -> dict[str, str]:
    text = "\n".join((ROOT / name).read_text(encoding="utf-8") for name in ("requirements.txt", "requirements-dev.txt"))
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, flags=re.M))


def _pins() -> list[str]:
    pins = _pinned()
    return [f"{name}=={pins[name]}" if name in pins else name for name in TEST_TOOLS]


def _run(cmd: list, *, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def _checked(proc: subprocess.CompletedProcess) -> None:
    if proc.returncode != 0:
        if _OFFLINE.search(proc.stderr):
            pytest.skip(f"pip cannot reach a package index or cache (offline?): {proc.stderr.strip()[-300:]}")
        pytest.fail(proc.stderr[-3000:])


def _constraints(path: Path) -> Path:
    # The pins alone: requirements-dev.txt given as ``-c`` would install what its ``-r requirements.txt`` lists.
    path.write_text("".join(f"{name}=={version}\n" for name, version in _pinned().items()), encoding="utf-8")
    return path


def _pip(venv: Path, *args: str) -> None:
    # This environment's pip installs into the venv (``--python``): the venv is made without pip of its own,
    # which saves ensurepip's install of pip (3-20 s here) and puts no pip in the core environment either.
    # Every version is the one requirements*.txt pins (``-c``), as in the full environment.  ``--no-compile``:
    # no .pyc for the thousands of modules of scipy and numpy that no test imports (most of the 95 s pip
    # spent installing here at load 50); the processes that use the venv compile what they import (see the test).
    _checked(_run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
                   "--disable-pip-version-check", "-q", "--no-compile",
                   "-c", _constraints(venv.parent / "constraints.txt"), *args], cwd=venv))  # fmt: skip


def _wheel(src: Path, out: Path) -> Path:
    """The wheel ``pip install <src>`` would build and install, built once by this environment's setuptools.

    Without build isolation pip makes no fresh build environment and downloads and installs no setuptools
    into it (with the build's own metadata steps, 30-40 s of the install here); the wheel is the same.
    """
    # setuptools arrives with pytensor; an environment without it builds in isolation, as ``pip install`` would.
    flags = ("--no-build-isolation",) if importlib.util.find_spec("setuptools") else ()
    _checked(_run([sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "-q", "--no-deps",
                   *flags, "-w", out, src], cwd=src))  # fmt: skip
    (wheel,) = out.glob("beliefs-*.whl")
    return wheel


def _du(path: Path) -> str:
    du = shutil.which("du")
    if du is None:
        return "?"
    return subprocess.run([du, "-sh", str(path)], capture_output=True, text=True).stdout.split()[0]


def test_core_install_runs_update_export_and_the_core_tests(tmp_path, monkeypatch):
    # The venv's modules are installed without .pyc (``--no-compile``); the processes below write the .pyc of
    # what they import, once, under tmp_path (not next to the sources), instead of every process compiling
    # numpy, scipy and pydantic again from source where PYTHONDONTWRITEBYTECODE is set (as in the Dockerfile).
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(tmp_path / "pycache"))
    base = getattr(sys, "_base_executable", sys.executable)
    venv = tmp_path / "core-venv"
    clock = [time.monotonic()]

    def lap(step: str) -> None:
        now = time.monotonic()
        print(f"\n{step}: {now - clock[0]:.1f} s (load {os.getloadavg()[0]:.1f})", end="")
        clock[0] = now

    made = _run([base, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    lap("venv")
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources it builds.
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".*", "build", "*.egg-info", "__pycache__", "tests", "bench"))
    _pip(venv, str(_wheel(src, tmp_path / "wheel")))
    lap("pip install beliefs")
    installed = _run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "list", "--format=freeze"],
                     cwd=tmp_path).stdout  # fmt: skip
    names = {line.split("==")[0].lower() for line in installed.splitlines()}
    assert "beliefs" in names and {"numpy", "scipy", "pydantic"} <= names
    assert not names & EXTRA_PACKAGES, names & EXTRA_PACKAGES
    print(f"\ncore install: {_du(venv)}  (the full environment {sys.prefix}: {_du(Path(sys.prefix))})")

    # The installed console script, run outside the source tree so the worktree's copy cannot be imported.
    beliefs = venv / "bin" / "beliefs"
    update = _run([beliefs, "update", "--prior", "0.25", "--evidence", "0.75:0.25"], cwd=tmp_path)
    assert update.returncode == 0, update.stderr
    assert re.search(r"posterior\s+50%\s+odds 1:1", update.stdout), update.stdout
    md = _run([beliefs, "export", "report-3-to-1", "--format", "markdown"], cwd=tmp_path)
    assert md.returncode == 0, md.stderr
    assert "| 1 | A report like the 2025 anti-scheming report | 0.75 | 0.25 | 3:1 | +1.585 | +4.77 |" in md.stdout
    # A command that needs an extra names it, on one line, exit 2.
    html = _run([beliefs, "export", "report-3-to-1", "--format", "html", "--output", tmp_path / "r.html"], cwd=tmp_path)
    assert html.returncode == 2 and html.stderr.count("\n") == 1, html.stderr
    assert "pip install 'beliefs[app]'" in html.stderr
    plot = _run([beliefs, "robustness", "stated-3-to-1", "--plot", tmp_path / "r.png"], cwd=tmp_path)
    assert plot.returncode == 2 and plot.stderr.count("\n") == 1, plot.stderr
    assert "pip install 'beliefs[app]'" in plot.stderr and not (tmp_path / "r.png").exists()
    mcmc = _run([beliefs, "elicit", "--lower", "0.1", "--upper", "0.3"], cwd=tmp_path)
    assert mcmc.returncode == 2 and "pip install 'beliefs[models]'" in mcmc.stderr, mcmc.stderr
    scenario = _run([beliefs, "scenario", "run", "stated-3-to-1"], cwd=tmp_path)
    assert scenario.returncode == 0, scenario.stderr
    assert re.search(r"posterior\s+75%\s+odds 3:1", scenario.stdout), scenario.stdout
    evidence = _run([beliefs, "evidence", "list", "--status", "P"], cwd=tmp_path)
    assert evidence.returncode == 0 and "antischeming_o3_covert_rate" in evidence.stdout, evidence.stderr

    lap("console script checks")
    _pip(venv, *_pins())
    lap("pip install test tools")
    core_files = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "tests").glob("test_*.py")
        if re.search(r"^pytestmark = .*pytest\.mark\.core", p.read_text(encoding="utf-8"), flags=re.M)
        and p.name not in FUZZ_FILES + CLI_PROCESS_FILES
    )
    assert len(core_files) >= 9
    tests = _run(
        [venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "core",
         *(f"--deselect={test}" for test in FUZZ_TESTS), *core_files],
        cwd=ROOT,
        timeout=1800,
    )
    lap("core tests")
    summary = tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else tests.stderr[-2000:]
    print(f"\ncore tests in the core install: {summary}")
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
