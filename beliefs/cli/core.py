"""``beliefs update``: a prior times likelihood ratios, on the command line."""

from __future__ import annotations

from beliefs.cli.output import command, emit
from beliefs.errors import InputError
from beliefs.evidence import LIKELIHOOD_RATIO, Evidence
from beliefs.update import update
from beliefs.validation import as_probability


def register(sub) -> None:
    p = command(sub, "update", "update a prior by likelihood ratios or P(E|H):P(E|not H) pairs", _update)
    p.add_argument(
        "--prior", required=True, help="P(H) before the evidence, in [0, 1]; with --hypotheses, one per hypothesis"
    )
    p.add_argument("--lr", action="append", default=[], metavar="X", help="a likelihood ratio (repeatable)")
    p.add_argument(
        "--evidence",
        action="append",
        default=[],
        metavar="PEH:PENOTH",
        help="P(E|H):P(E|not H), e.g. 0.75:0.25 (repeatable)",
    )
    several = p.add_argument_group(
        "more than two hypotheses", "the vector form of Bayes' rule (see beliefs.hypotheses)"
    )
    several.add_argument("--hypotheses", metavar="NAMES", help="comma-separated names, e.g. none,rare,consistent")
    several.add_argument(
        "--likelihoods",
        action="append",
        default=[],
        metavar="L1,L2,..",
        help="P(E | H_i) for each hypothesis, in order (repeatable: one per evidence item)",
    )


def parse_evidence_pair(text: str, field: str = "--evidence") -> Evidence:
    """Parse ``PEH:PENOTH`` into an Evidence item, naming ``field`` on error."""
    parts = text.split(":")
    if len(parts) != 2:
        raise InputError(field, text, "P(E|H):P(E|not H), two probabilities separated by ':', e.g. 0.75:0.25")
    peh = as_probability(parts[0], f"{field} P(E|H)", open_lower=True)
    pen = as_probability(parts[1], f"{field} P(E|not H)", open_lower=True)
    return Evidence(label=f"{peh:g} vs {pen:g}", p_e_given_h=peh, p_e_given_not_h=pen)


def _update(args) -> int:
    if args.hypotheses is not None or args.likelihoods:
        return _update_hypotheses(args)
    prior = as_probability(args.prior, "--prior")
    items: list[Evidence] = []
    for raw in args.lr:
        lr = LIKELIHOOD_RATIO.check(raw, "--lr")  # the item schema's range and rules, named as typed
        items.append(Evidence(label=f"LR {raw.strip()}", likelihood_ratio=lr))
    for raw in args.evidence:
        items.append(parse_evidence_pair(raw))
    result = update(prior, items)
    return emit(args, result.to_dict(), result.table())


def _update_hypotheses(args) -> int:
    from beliefs.hypotheses import parse_names, parse_vector, update_hypotheses

    if args.hypotheses is None:
        raise InputError("--likelihoods", args.likelihoods[0], "to come with --hypotheses NAMES")
    if args.lr or args.evidence:
        given = "--lr" if args.lr else "--evidence"
        raise InputError(given, (args.lr or args.evidence)[0], "--likelihoods with --hypotheses, not " + given)
    names = parse_names(args.hypotheses)
    prior = parse_vector(args.prior, "--prior")
    likelihoods = [parse_vector(raw, f"--likelihoods[{i}]") for i, raw in enumerate(args.likelihoods)]
    result = update_hypotheses(names, prior, likelihoods, fields=("--hypotheses", "--prior", "--likelihoods"))
    return emit(args, result.to_dict(), result.text())
