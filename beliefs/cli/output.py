"""Shared output helpers for the command modules."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

__all__ = ["add_json_flag", "emit", "jsonable"]


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
        sys.stdout.write(human.rstrip("\n") + "\n")
    return 0


def add_json_flag(parser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")
