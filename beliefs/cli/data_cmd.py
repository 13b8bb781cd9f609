"""``beliefs reproduce antischeming-2025``: the 2025 report's headline figures from its Fig. 9 table.

The computation is :func:`beliefs.reproduce.reproduce_antischeming`; this
module only parses and formats.
"""

from __future__ import annotations

from beliefs.cli.output import add_json_flag, emit
from beliefs.errors import InputError
from beliefs.format import format_proportion
from beliefs.reproduce import (
    ASSUMPTION_NOTE,
    DATASET,
    DEFAULT_N_ASSUMED,
    WHY_REDUCTION_DIFFERS,
    ReproduceResult,
    reproduce_antischeming,
)


def register(sub) -> None:
    p = sub.add_parser(
        "reproduce",
        help="reproduce a report's published figures from its per-evaluation table",
        description=(
            "Averages the per-evaluation Beta(1,1) posterior means (k+1)/(n+2) over Fig. 9's 20 evaluations, "
            "with k = rate x n rounded (half to even on the printed decimal), as the report did. "
            f"n is not published: n = {DEFAULT_N_ASSUMED} (the default) reproduces all four figures."
        ),
    )
    p.add_argument("dataset", metavar="DATASET", help=f"the report to reproduce: {DATASET}")
    p.add_argument("--n", default=str(DEFAULT_N_ASSUMED),
                   help=f"ASSUMED rollouts per evaluation (default {DEFAULT_N_ASSUMED}; not published)")  # fmt: skip
    add_json_flag(p)
    p.set_defaults(handler=_reproduce)


def _reproduce(args) -> int:
    if args.dataset != DATASET:
        raise InputError("DATASET", args.dataset, f"'{DATASET}' (the only report with a per-evaluation table here)")
    result = reproduce_antischeming(args.n, field="--n")
    return emit(args, result.to_dict(), _table(result))


def _table(r: ReproduceResult) -> str:
    head = ("model", "phase", "published", "reproduced", "raw mean", "match")
    rows = [
        # The published figure as the report prints it (one decimal: 13.0%), a quotation; the rest computed.
        (row.model, row.phase, f"{row.published_pct:.1f}%", format_proportion(row.reproduced_pct / 100),
         format_proportion(row.raw_mean_pct / 100), "yes" if row.matches else "NO")
        for row in r.rows
    ]  # fmt: skip
    widths = [max(len(x[i]) for x in (head, *rows)) for i in range(len(head))]
    lines = [
        f"Schoen et al. 2025 (arXiv:2509.15541), Fig. 9: {len(r.rows[0].k)} evaluations per model",
        f"ASSUMED n = {r.n} rollouts per evaluation. {ASSUMPTION_NOTE}",
        "reproduced = mean over the evaluations of (k+1)/(n+2), k = rate x n rounded half to even "
        "(the report's Beta(1,1) posterior means); raw mean = mean of the printed rates",
        "",
        "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append("")
    lines.append("The paper's own before/after quantity (before / after of the aggregates above):")
    for red in r.reductions():
        lines.append(
            f"  {red['model']:<8} published x{red['published_factor']:.1f}, reproduced x{red['reproduced_factor']:.1f} "
            f"(each after-training term is at least 1/(n+2) = {format_proportion(red['floor_pct'] / 100)})"
        )
    lines.append(f"  Why the hierarchical before/after model (MCMC) gives a different factor: {WHY_REDUCTION_DIFFERS}")
    lines.append("")
    verdict = "all four published figures reproduced to one decimal" if r.all_match else (
        "NOT all published figures reproduced at this n (n in {313..319, 321, 324} of 300..330 do)"
    )
    lines.append(f"n = {r.n}: {verdict}")
    return "\n".join(lines)
