"""``beliefs export SCENARIO --format markdown|html`` and ``beliefs scenario link SCENARIO``.

SCENARIO is a built-in name, a scenario file (JSON or an HTML report) or a
share link (:func:`beliefs.io.views.load_view`).  Markdown needs only the core
install; the HTML report's charts need vl-convert (the ``[app]`` extra).
"""

from __future__ import annotations

import sys

from beliefs.cli.output import command, emit, terminal_safe
from beliefs.io.settings import BASE_URL_ENV, LOCAL_BASE, local_link_note, public_base
from beliefs.text import one_line

__all__ = ["DEFAULT_BASE", "register", "scenario_link"]

DEFAULT_BASE = LOCAL_BASE  # where `make app` serves the app, when neither --base nor $BELIEFS_BASE_URL says otherwise
FORMATS = ("markdown", "html")
_BASE_HELP = f"the app's public address for the share link (default: ${BASE_URL_ENV}, else {LOCAL_BASE})"


def register(sub) -> None:
    p = command(sub, "export", "a scenario as Markdown for a post, or a self-contained HTML report", _export)
    p.add_argument("scenario", metavar="SCENARIO", help="a built-in name, a scenario file or a share link")
    p.add_argument("--format", required=True, choices=FORMATS, help="markdown (to paste) or html (a report)")
    p.add_argument("--output", metavar="FILE", help="write to FILE (atomic) instead of standard output")
    p.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    p.add_argument("--base", default=None, metavar="URL", help=_BASE_HELP)


def add_link_parser(scenario_sub) -> None:
    """``scenario link SCENARIO [--base URL]``, registered under the ``scenario`` command."""
    p = command(scenario_sub, "link", "print a short share link that reopens the scenario in the app", _link)
    p.add_argument("scenario", metavar="SCENARIO", help="a built-in name, a scenario file or a share link")
    p.add_argument("--base", default=None, metavar="URL", help=_BASE_HELP)


def scenario_link(scenario, base: str | None = None) -> str:
    """The short share link (``?s=...``) that carries ``scenario`` itself.

    ``base``: the app's address (``--base``); None reads ``$BELIEFS_BASE_URL``, else the local address.
    """
    from beliefs.io.shortlink import short_link

    return short_link(scenario, public_base(base) or DEFAULT_BASE)


def _warn_if_local(link: str) -> None:
    note = local_link_note(link)
    if note:
        print(f"beliefs: note: {note} (or pass --base)", file=sys.stderr)


def _link(args) -> int:
    from beliefs.io.views import load_view

    s = load_view(args.scenario, field="SCENARIO")
    link = scenario_link(s, args.base)
    _warn_if_local(link)
    return emit(args, {"scenario": s.name, "link": link, "length": len(link), "local": bool(local_link_note(link))}, link)


def _export(args) -> int:
    from beliefs.export.ledger import build_ledger
    from beliefs.io.views import load_view

    s = load_view(args.scenario, field="SCENARIO")
    link = scenario_link(s, args.base)
    ledger = build_ledger(s)
    if args.format == "markdown":
        from beliefs.export.markdown import markdown_report

        text = markdown_report(s, link=link, ledger=ledger)
    else:
        from beliefs.export.html import html_report

        text = html_report(s, link=link, ledger=ledger)
    data = {"scenario": s.name, "format": args.format, "link": link, "posterior": ledger.result.posterior}
    if args.output is None:
        if args.json:
            return emit(args, {**data, "text": text}, "")
        sys.stdout.write(terminal_safe(text))  # already free of controls and bidi: the exports escape every text
        return 0
    from beliefs.io.files import write_text_atomic

    path = write_text_atomic(text, args.output, field="--output", overwrite=args.overwrite)
    return emit(args, {**data, "path": str(path)}, f"wrote the {args.format} export of {s.name} to {one_line(path)}")
