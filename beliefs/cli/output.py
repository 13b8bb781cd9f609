"""Shared output helpers for the command modules."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from beliefs.text import terminal_safe  # the one rule for a terminal (re-exported: `output.terminal_safe`)

__all__ = ["actions", "add_json_flag", "command", "emit", "jsonable", "terminal_safe"]

def jsonable(obj: Any) -> Any:
    """Replace non-finite floats by ``None`` so the output is strict JSON."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return jsonable(obj.item())
    return obj


def emit(args, data: dict, human: str) -> int:
    """Print ``data`` as JSON if ``--json`` was given, otherwise the human text."""
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(jsonable(data), indent=2, allow_nan=False) + "\n")
    else:
        sys.stdout.write(terminal_safe(human.rstrip("\n")) + "\n")
    return 0


def add_json_flag(parser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")


def command(sub, name: str, help: str, handler, *, json: bool = True):
    """Register the subcommand ``name`` running ``handler(args)``, with ``--json``; returns its parser.

    The caller adds the command's own arguments to the parser it gets back.
    """
    p = sub.add_parser(name, help=help)
    if json:
        add_json_flag(p)
    p.set_defaults(handler=handler)
    return p


def actions(sub, name: str, help: str):
    """Register ``name`` as a group of ACTION subcommands (``beliefs scenario run``); returns their subparsers."""
    group = sub.add_parser(name, help=help)
    group_sub = group.add_subparsers(dest=f"{name}_command", metavar="ACTION", parser_class=type(group))
    group_sub.required = True
    return group_sub
