"""A clean virtual environment with only the core installed (numpy, scipy, pydantic) runs the core.

``pip install .`` of this worktree, then the ``update`` and ``export --format markdown``
commands from outside the source tree, then every test file marked ``core``.  pip
installs from its cache or index; without either (offline) the test is skipped.
The sizes of the core environment and of the full one are printed (``-s``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
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
_OFFLINE = re.compile(
    r"No matching distribution|Could not find a version|NewConnectionError|Temporary failure in name resolution"
    r"|Network is unreachable|Failed to establish a new connection|ProxyError",
)


def _pins() -> list[str]:
    text = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, flags=re.M))
    return [f"{name}=={pins[name]}" if name in pins else name for name in TEST_TOOLS]


def _run(cmd: list, *, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def _pip(venv: Path, *args: str) -> None:
    # This environment's pip installs into the venv (``--python``): the venv is made without pip of its own,
    # which saves ensurepip's install of pip (3-20 s here) and puts no pip in the core environment either.
    proc = _run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
                 "--disable-pip-version-check", "-q", *args], cwd=venv)  # fmt: skip
    if proc.returncode != 0:
        if _OFFLINE.search(proc.stderr):
            pytest.skip(f"pip cannot reach a package index or cache (offline?): {proc.stderr.strip()[-300:]}")
        pytest.fail(proc.stderr[-3000:])


def _du(path: Path) -> str:
    du = shutil.which("du")
    if du is None:
        return "?"
    return subprocess.run([du, "-sh", str(path)], capture_output=True, text=True).stdout.split()[0]


def test_core_install_runs_update_export_and_the_core_tests(tmp_path):
    base = getattr(sys, "_base_executable", sys.executable)
    venv = tmp_path / "core-venv"
    made = _run([base, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources it builds.
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".*", "build", "*.egg-info", "__pycache__", "tests", "bench"))
    _pip(venv, str(src))
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

    _pip(venv, *_pins())
    core_files = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "tests").glob("test_*.py")
        if re.search(r"^pytestmark = .*pytest\.mark\.core", p.read_text(encoding="utf-8"), flags=re.M)
        and p.name not in FUZZ_FILES
    )
    assert len(core_files) >= 10
    tests = _run(
        [venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "core", *core_files],
        cwd=ROOT,
        timeout=1800,
    )
    summary = tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else tests.stderr[-2000:]
    print(f"core tests in the core install: {summary}")
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
