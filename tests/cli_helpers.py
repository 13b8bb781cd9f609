"""Run the command line as a user would: a subprocess, no shared state; or ``main()`` in this process."""

import contextlib
import io
import json
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "beliefs", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def run_cli_in_process(*args: str) -> subprocess.CompletedProcess:
    """``beliefs.cli.main(args)`` here, its output and exit code as :func:`run_cli` returns them.

    For tests whose subject is what a command writes (files, text), not the process boundary, which
    :func:`run_cli` covers: one process then loads Altair, the chart renderer or PreliZ once, not once per
    command.  Warnings reach stderr as in a fresh ``python -m beliefs`` (not pytest's record), so a stray
    warning still breaks a "one line on stderr" check.
    """
    from beliefs.cli import main

    def show(message, category, filename, lineno, file=None, line=None):
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.resetwarnings()  # Python's defaults: show each warning, but not these four kinds
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.simplefilter("ignore", category)
        warnings.showwarning = show
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's --help
            code = exc.code if isinstance(exc.code, int) else 1
    return subprocess.CompletedProcess(["beliefs", *args], code, out.getvalue(), err.getvalue())


def run_json(*args: str) -> dict:
    proc = run_cli(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def assert_one_line_error(proc: subprocess.CompletedProcess, field: str) -> str:
    """Exit 2, exactly one line on stderr, naming ``field``, no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert field in lines[0], lines[0]
    return lines[0]
