#!/usr/bin/env bash
# Create .venv with Python 3.12+ and install the pinned requirements (idempotent).
# Used by `make app`, `make test` and .ci/run, so the README, CI and a fresh
# machine install exactly the same things.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    local c
    for c in "${PYTHON:-}" python3.12 python3.13 python3; do
        [ -n "$c" ] || continue
        if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            command -v "$c"; return 0
        fi
    done
    # pyenv keeps versions it has not activated under ~/.pyenv/versions.
    for c in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
        if [ -x "$c" ] && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            echo "$c"; return 0
        fi
    done
    return 1
}

stamp=.venv/.installed
if [ -f "$stamp" ] && [ "$stamp" -nt requirements.txt ] && [ "$stamp" -nt requirements-dev.txt ] \
   && [ "$stamp" -nt pyproject.toml ] && .venv/bin/python -c 'import beliefs' 2>/dev/null; then
    exit 0
fi
py=$(find_python) || { echo "setup: Python 3.12 or newer is required (PyMC 6 and ArviZ 1 need it); install it or set PYTHON=/path/to/python3.12" >&2; exit 1; }
echo "setup: using $py ($("$py" --version 2>&1))"
[ -x .venv/bin/python ] || "$py" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
touch "$stamp"
echo "setup: done"
