"""``beliefs evidence list|show`` and ``beliefs scenario list|show|run|save``.

The catalogue and scenario modules (pydantic) are imported inside the
handlers, so other commands do not pay for them at start-up.
"""

from __future__ import annotations

import textwrap

from beliefs.cli.output import actions, command, emit
from beliefs.evidence import STATUS_MEANING
from beliefs.format import format_odds, format_probability
from beliefs.text import one_line

__all__ = ["register"]


def register(sub) -> None:
    ev_sub = actions(sub, "evidence", "the evidence catalogue: published rates with their sources")
    p = command(ev_sub, "list", "list catalogue entries (id, status, claim)", _evidence_list)
    p.add_argument("--status", choices=sorted(STATUS_MEANING), help="only entries with this status")
    p = command(ev_sub, "show", "everything about one entry: figures, source, notes", _evidence_show)
    p.add_argument("id", metavar="ID", help="an entry id from `beliefs evidence list`")

    _SCENARIO_HELP = "a built-in name, a scenario file (JSON or an HTML report) or a share link (quote it)"
    sc_sub = actions(sub, "scenario", "built-in and saved scenarios (a prior plus evidence)")
    command(sc_sub, "list", "list the built-in scenarios", _scenario_list)
    p = command(sc_sub, "show", "show a scenario: hypothesis, prior, evidence and sources", _scenario_show)
    p.add_argument("scenario", metavar="SCENARIO", help=_SCENARIO_HELP)
    p = command(sc_sub, "run", "run a scenario: the update table and the compared priors", _scenario_run)
    p.add_argument("scenario", metavar="SCENARIO", help=_SCENARIO_HELP)
    p.add_argument("--prior", help="use this prior instead of the scenario's")
    p = command(sc_sub, "save", "write a built-in (or loaded) scenario to a file to start from", _scenario_save)
    p.add_argument("scenario", metavar="SCENARIO", help=_SCENARIO_HELP)
    p.add_argument("file", metavar="FILE", help="where to write the scenario JSON")
    p.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    from beliefs.cli.export_cmd import add_link_parser

    add_link_parser(sc_sub)


# -- evidence ----------------------------------------------------------------------


def _evidence_list(args) -> int:
    from beliefs.io.catalogue import evidence_entries

    entries = [e for e in evidence_entries() if args.status is None or e.status == args.status]
    data = [{"id": e.id, "status": e.status, "claim": e.claim} for e in entries]
    width = max((len(e.id) for e in entries), default=2)
    lines = [f"{'id':<{width}}  status  claim", f"{'-' * width}  ------  -----"]
    lines += [f"{e.id:<{width}}  {e.status:<6}  {e.claim}" for e in entries]
    lines += ["", "status: " + "; ".join(f"{k} = {v}" for k, v in STATUS_MEANING.items())]
    return emit(args, data, "\n".join(lines))


def _evidence_show(args) -> int:
    from beliefs.io.catalogue import get_entry

    entry = get_entry(args.id)
    lines = [
        entry.id,
        f"  claim:    {entry.claim}",
        f"  status:   {entry.status} ({STATUS_MEANING[entry.status]})",
    ]
    if entry.status_note:
        lines.append(f"            {entry.status_note}")
    lines += _source_lines(entry.source)
    if entry.figures:
        lines.append("  figures:")
        for f in entry.figures:
            flag = f" [{f.status}]" if f.status != entry.status else ""
            lines.append(f"    - {one_line(f.label)}: {f.describe()}{flag}")
            if f.note:
                lines.append(f"      ({one_line(f.note)})")
    else:
        lines.append("  figures:  none confirmed")
    if entry.notes:
        lines.append("  notes:")
        lines += [_wrap(n, "    - ", "      ") for n in entry.notes]
    lines.append(
        "  (observations, not likelihood ratios: to use this entry as evidence, "
        "state P(E|H) and P(E|not H) yourself)"
    )
    return emit(args, entry.to_dict(), "\n".join(lines))


def _source_lines(source, indent: str = "  ") -> list[str]:
    rest = indent + " " * 10
    lines = [_wrap(source.citation, f"{indent}source:   ", rest)]
    if source.location:
        lines.append(_wrap(source.location, f"{indent}where:    ", rest))
    if source.url:
        lines.append(f"{indent}url:      {source.url}")
    return lines


def _wrap(text: str, first: str, rest: str) -> str:
    return textwrap.fill(one_line(text), width=100, initial_indent=first, subsequent_indent=rest)


# -- scenarios -----------------------------------------------------------------------


def _scenario_list(args) -> int:
    from beliefs.io.scenario import builtin_scenarios

    scenarios = builtin_scenarios()
    data = [
        {
            "name": s.name,
            "title": s.title,
            "prior": s.prior,
            "evidence": len(s.evidence),
            "hypothesis": s.hypothesis,
        }
        for s in scenarios.values()
    ]
    width = max(len(n) for n in scenarios)
    lines = [f"{'name':<{width}}  prior  items  title", f"{'-' * width}  -----  -----  -----"]
    lines += [
        f"{s.name:<{width}}  {format_probability(_lo(s.prior)):>5}  {len(s.evidence):>5}  {one_line(s.title)}"
        for s in scenarios.values()
    ]
    lines += ["", "run one with `beliefs scenario run NAME`; copy one with `beliefs scenario save NAME FILE`"]
    return emit(args, data, "\n".join(lines))


def _scenario_show(args) -> int:
    from beliefs.export.ledger import uncertainty_text, weight_text
    from beliefs.io.views import load_view

    s = load_view(args.scenario, field="SCENARIO")
    lines = [f"{s.name}: {one_line(s.title)}" if s.title else s.name]
    if s.description:
        lines.append(_wrap(s.description, "  ", "  "))
    if s.hypothesis:
        lines.append(_wrap(s.hypothesis, "  H:        ", "            "))
    lines.append(f"  prior:    {format_probability(_lo(s.prior))} (odds {format_odds(_lo(s.prior))})")
    if s.prior_source:
        lines += _source_lines(s.prior_source.to_source(), indent="    ")
    if s.compare_priors:
        lines.append("  compare:  " + ", ".join(format_probability(_lo(p)) for p in s.compare_priors))
    for i, (spec, item) in enumerate(zip(s.evidence, s.evidence_items(), strict=True)):
        off = "" if item.enabled else " (disabled)"
        lines.append(f"  evidence[{i}]: {one_line(item.label)}{off}")
        lines.append(f"    {item.describe()}")
        # What the item's number rests on beyond its ratio, in the exports' words (beliefs.export.ledger).
        lines += [f"    {text}" for text in (uncertainty_text(item), weight_text(item)) if text]
        if item.source:
            lines.append(f"    status {item.source.status} ({item.source.status_meaning})")
            lines += _source_lines(item.source, indent="    ")
        if spec.note:
            lines.append(_wrap(spec.note, "    note: ", "          "))
    models = [name for name, block in s.models if block is not None]
    if models:
        lines.append("  models:   " + ", ".join(models))
    if s.models.monitoring is not None:
        lines += [_wrap(v.describe(), "    ", "      ") for v in s.models.monitoring.sources()]
    return emit(args, s.model_dump(mode="json"), "\n".join(lines))


def _scenario_run(args) -> int:
    from beliefs.export.ledger import display_setting, uncertainty_text
    from beliefs.io.views import load_view
    from beliefs.update import update
    from beliefs.validation import as_probability

    s = load_view(args.scenario, field="SCENARIO")
    prior = s.prior if args.prior is None else as_probability(args.prior, "--prior")
    items = s.evidence_items()
    result = update(prior, items)
    compared = [update(p, items) for p in s.compare_priors]
    data = {
        "scenario": s.name,
        "result": result.to_dict(),
        # Items derived from data under unpublished assumptions, by index in the scenario's evidence.
        "provenance": [
            {"index": i, "label": e.label, **e.provenance.to_dict()} for i, e in enumerate(items) if e.provenance
        ],
        "compare": [
            {
                "prior": r.prior,
                "posterior": r.posterior,
                "prior_odds": r.prior_odds,
                "posterior_odds": r.posterior_odds,
            }
            for r in compared
        ],
    }
    lines = [f"scenario {s.name}" + (f": {one_line(s.title)}" if s.title else "")]
    if s.hypothesis:
        lines.append(_wrap(s.hypothesis, "H: ", "   "))
    lines += ["", result.table()]
    derived = [(i, e) for i, e in enumerate(items) if e.provenance]
    if derived:
        lines.append("")
        lines += [f"evidence[{i}] {one_line(e.label)}: {one_line(e.provenance_text)}" for i, e in derived]
    # The table counts enabled items at their centre values; what it leaves out is said here, as the
    # exports say it: each stated uncertainty, each disabled item, and the posterior's spread they imply.
    uncertain = [(i, e) for i, e in enumerate(items) if e.enabled and e.is_uncertain]
    off = [(i, e) for i, e in enumerate(items) if not e.enabled]
    if uncertain or off:
        lines.append("")
        lines += [f"evidence[{i}] {one_line(e.label)}: {uncertainty_text(e)}" for i, e in uncertain]
        lines += [f"evidence[{i}] {one_line(e.label)}: disabled, not counted ({e.describe()})" for i, e in off]
    if uncertain:
        from beliefs.uncertain_evidence import ledger_distribution

        spread = ledger_distribution(
            prior, items, threshold=display_setting(s, "thr"), interval=display_setting(s, "ci")
        )
        data["posterior_distribution"] = spread.to_dict()
        if not spread.note:
            lines.append(f"posterior under the stated uncertainty: {spread.sentence()}")
    if compared:
        lines.append("")
        lines += [
            f"prior {format_probability(r.prior_log_odds)} (odds {r.prior_odds_text}) -> "
            f"posterior {format_probability(r.posterior_log_odds)} (odds {r.posterior_odds_text})"
            for r in compared
        ]
    several = s.hypotheses_result()
    if several is not None:  # version-2 files: the same ledger over more than two hypotheses
        data["hypotheses"] = several.to_dict()
        lines += ["", f"over {len(several.names)} hypotheses (the file's 'hypotheses' block):", several.text()]
    return emit(args, data, "\n".join(lines))


def _scenario_save(args) -> int:
    from beliefs.io.scenario import save_scenario
    from beliefs.io.views import load_view

    s = load_view(args.scenario, field="SCENARIO")
    path = save_scenario(s, args.file, overwrite=args.overwrite)
    return emit(args, {"scenario": s.name, "path": str(path)}, f"wrote scenario {s.name} to {one_line(path)}")


def _lo(p: float) -> float:
    from beliefs.odds import log_odds

    return log_odds(p)
