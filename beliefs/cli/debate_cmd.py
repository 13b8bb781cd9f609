"""``beliefs voi A B --pending FILE``: which pending observation would settle a disagreement."""

from __future__ import annotations

from beliefs.cli.output import add_json_flag, emit
from beliefs.errors import InputError

__all__ = ["register"]


def register(sub) -> None:
    p = sub.add_parser("voi", help="value of information: which pending observation would settle A vs B")
    p.add_argument("a", metavar="A", help="scenario name, scenario file or share link (quote it)")
    p.add_argument("b", metavar="B", help="scenario name, scenario file or share link (quote it)")
    p.add_argument(
        "--pending",
        required=True,
        metavar="FILE",
        help='JSON list of observations [{"label", "a": {p_e_given_h, p_e_given_not_h}, "b": {...}}]',
    )
    add_json_flag(p)
    p.set_defaults(handler=_voi)


def read_pending(path: str, field: str = "--pending"):
    """Read and parse a pending-observations file, bounded in size before it is read."""
    from beliefs.analysis.voi import MAX_PENDING_BYTES, parse_pending

    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_PENDING_BYTES + 1)
    except FileNotFoundError:
        raise InputError(field, path, "an existing pending-observations .json file") from None
    except IsADirectoryError:
        raise InputError(field, path, "a file, not a directory") from None
    except OSError as exc:
        raise InputError(field, path, "a readable file", exc.strerror or "") from None
    return parse_pending(data, f"{field} {path}")


def _voi(args) -> int:
    from beliefs.analysis.voi import value_of_information
    from beliefs.io.views import load_view

    a = load_view(args.a, field="A")
    b = load_view(args.b, field="B")
    pending = read_pending(args.pending)
    result = value_of_information(a, b, pending, names=(a.name, b.name))
    return emit(args, result.to_dict(), result.text())
