"""Command line: ``python -m beliefs COMMAND ...`` (also installed as ``beliefs``).

Every command takes ``--json``.  Bad input exits with status 2 and one line on
stderr naming the field, the value and what is allowed; no traceback reaches
the user.  Command groups live in their own modules, each with a
``register(subparsers)`` function, so heavy libraries (PyMC) are imported only
inside the handlers that need them.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys

from beliefs.errors import InputError

__all__ = ["UsageError", "build_parser", "main"]

COMMAND_MODULES = (
    "beliefs.cli.core",
    "beliefs.cli.catalogue_cmd",
    "beliefs.cli.covert_cmd",
    "beliefs.cli.data_cmd",
    "beliefs.cli.chain_cmd",
    "beliefs.cli.analysis_cmd",
    "beliefs.cli.debate_cmd",
    "beliefs.cli.export_cmd",
)

# Optional dependencies by top-level module, and the extra that installs each (see pyproject.toml).
EXTRAS = {
    "pymc": "models",
    "pytensor": "models",
    "nutpie": "models",
    "arviz": "models",
    "arviz_base": "models",
    "arviz_stats": "models",
    "preliz": "models",
    "xarray": "models",
    "h5netcdf": "models",
    "streamlit": "app",
    "altair": "app",
    "pandas": "app",
    "vl_convert": "app",
}


class UsageError(Exception):
    """The command line itself is malformed (unknown option, missing argument)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print usage and exit; we want one line
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="beliefs",
        description="Odds-form Bayesian updating for arguments about AI scheming.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency, not an absent command group
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    typed = sys.argv[1:] if argv is None else list(argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args.handler(args) or 0)
    except InputError as exc:
        _fail(f"beliefs: error: {_as_typed(exc, typed)}")
        return 2
    except UsageError as exc:
        _fail(f"beliefs: error: {exc}")
        return 2
    except ModuleNotFoundError as exc:
        extra = EXTRAS.get((exc.name or "").split(".")[0])
        if extra is None:  # not an optional dependency: a broken install or a bug
            _fail(f"beliefs: internal error (ModuleNotFoundError): {exc}; please report this")
            return 1
        _fail(
            f"beliefs: error: this command needs {exc.name}, which is not installed; "
            f"install it with: pip install 'beliefs[{extra}]'"
        )
        return 2
    except KeyboardInterrupt:
        _fail("beliefs: interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last line of defence: a bug still gets one line, not a traceback
        _fail(f"beliefs: internal error ({type(exc).__name__}): {exc}; please report this")
        return 1


def _as_typed(exc: InputError, typed: list[str]) -> InputError:
    """Name the field as the user typed it: a library's ``rate_if_h[0]`` is ``--rate-if-h[0]`` when that flag was given."""
    head = re.split(r"[\[ .]", exc.field, maxsplit=1)[0]
    flag = "--" + head.replace("_", "-")
    if head and not head.startswith("-") and any(t == flag or t.startswith(flag + "=") for t in typed):
        return type(exc)(flag + exc.field[len(head) :], exc.value, exc.allowed, exc.hint)
    return exc


def _fail(line: str) -> None:
    from beliefs.cli.output import terminal_safe

    print(terminal_safe(" ".join(line.split())), file=sys.stderr)
