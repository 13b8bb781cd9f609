"""``beliefs update``: a prior times likelihood ratios, on the command line."""

from __future__ import annotations

from beliefs.cli.output import add_json_flag, emit
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.update import update
from beliefs.validation import as_positive, as_probability


def register(sub) -> None:
    p = sub.add_parser("update", help="update a prior by likelihood ratios or P(E|H):P(E|not H) pairs")
    p.add_argument("--prior", required=True, help="P(H) before the evidence, in [0, 1]")
    p.add_argument("--lr", action="append", default=[], metavar="X", help="a likelihood ratio (repeatable)")
    p.add_argument(
        "--evidence",
        action="append",
        default=[],
        metavar="PEH:PENOTH",
        help="P(E|H):P(E|not H), e.g. 0.75:0.25 (repeatable)",
    )
    add_json_flag(p)
    p.set_defaults(handler=_update)


def parse_evidence_pair(text: str, field: str = "--evidence") -> Evidence:
    """Parse ``PEH:PENOTH`` into an Evidence item, naming ``field`` on error."""
    parts = text.split(":")
    if len(parts) != 2:
        raise InputError(field, text, "P(E|H):P(E|not H), two probabilities separated by ':', e.g. 0.75:0.25")
    peh = as_probability(parts[0], f"{field} P(E|H)", open_lower=True)
    pen = as_probability(parts[1], f"{field} P(E|not H)", open_lower=True)
    return Evidence(label=f"{peh:g} vs {pen:g}", p_e_given_h=peh, p_e_given_not_h=pen)


def _update(args) -> int:
    prior = as_probability(args.prior, "--prior")
    items: list[Evidence] = []
    for raw in args.lr:
        lr = as_positive(raw, "--lr", "a likelihood ratio: finite and > 0")
        items.append(Evidence(label=f"LR {raw.strip()}", likelihood_ratio=lr))
    for raw in args.evidence:
        items.append(parse_evidence_pair(raw))
    result = update(prior, items)
    return emit(args, result.to_dict(), result.table())
