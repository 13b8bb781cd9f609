"""``beliefs export SCENARIO --format markdown|html`` and ``beliefs scenario link SCENARIO``.

SCENARIO is a built-in name, a scenario file (JSON or an HTML report) or a
share link (:func:`beliefs.io.views.load_view`).  Markdown needs only the core
install; the HTML report's charts need vl-convert (the ``[app]`` extra).
"""

from __future__ import annotations

import sys

from beliefs.cli.output import command, emit, terminal_safe
from beliefs.errors import InputError
from beliefs.text import one_line

__all__ = ["DEFAULT_BASE", "register", "scenario_link"]

DEFAULT_BASE = "http://127.0.0.1:8501/"  # where `make app` serves the app
FORMATS = ("markdown", "html")


def _check_base(base: str) -> str:
    if not base.startswith(("http://", "https://")) or any(c.isspace() for c in base):
        raise InputError("--base", base, "the app's address, http:// or https:// with no spaces")
    return base


def register(sub) -> None:
    p = command(sub, "export", "a scenario as Markdown for a post, or a self-contained HTML report", _export)
    p.add_argument("scenario", metavar="SCENARIO", help="a built-in name, a scenario file or a share link")
    p.add_argument("--format", required=True, choices=FORMATS, help="markdown (to paste) or html (a report)")
    p.add_argument("--output", metavar="FILE", help="write to FILE (atomic) instead of standard output")
    p.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    p.add_argument("--base", default=DEFAULT_BASE, metavar="URL", help="the app's address for the share link")


def add_link_parser(scenario_sub) -> None:
    """``scenario link SCENARIO [--base URL]``, registered under the ``scenario`` command."""
    p = command(scenario_sub, "link", "print a short share link that reopens the scenario in the app", _link)
    p.add_argument("scenario", metavar="SCENARIO", help="a built-in name, a scenario file or a share link")
    p.add_argument("--base", default=DEFAULT_BASE, metavar="URL", help="the app's address")


def scenario_link(scenario, base: str = DEFAULT_BASE) -> str:
    """The short share link (``?s=...``) for a scenario."""
    from beliefs.io.shortlink import short_link
    from beliefs.io.views import scenario_state

    return short_link(scenario_state(scenario), _check_base(base))


def _link(args) -> int:
    from beliefs.io.views import load_view

    s = load_view(args.scenario, field="SCENARIO")
    link = scenario_link(s, args.base)
    return emit(args, {"scenario": s.name, "link": link, "length": len(link)}, link)


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
