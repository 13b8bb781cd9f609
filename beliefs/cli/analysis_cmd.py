"""``beliefs needed | pool | crux | robustness | sequential | tornado | dependence``.

What would change my mind, and where do we disagree: thin wrappers around the
modules of :mod:`beliefs.analysis` (one per command).  The commands that draw (``--plot FILE.png|.svg|.pdf``)
or export (``--csv FILE``) write atomically (a temporary file in the same
directory, fsync, then a rename) and refuse to replace an existing file unless
``--overwrite`` is given.  Output paths are checked before any computation.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from pathlib import Path

from beliefs.cli.output import add_json_flag, emit
from beliefs.errors import InputError
from beliefs.format import format_odds, format_probability
from beliefs.io.files import check_destination, read_capped, write_bytes_atomic
from beliefs.odds import LN10, log_odds
from beliefs.text import one_line

# beliefs.analysis (NumPy, SciPy) is imported inside the handlers: every
# command's parser is built on each run, and ``beliefs update`` should not pay
# for SciPy.

PLOT_SUFFIXES = (".png", ".svg", ".pdf")

# Library argument names whose option is spelled differently.
_OPTION_NAMES = {"n_new": "--rollouts"}


def register(sub) -> None:
    p = sub.add_parser("needed", help="reverse Bayes: the likelihood ratio that moves a prior to a target")
    p.add_argument("--prior", required=True, help="P(H) now, strictly between 0 and 1")
    p.add_argument("--target", required=True, help="the P(H) to reach, strictly between 0 and 1")
    counts = p.add_argument_group(
        "covert-action counts",
        "with --rollouts: the fewest covert actions in N more rollouts that push P(H) past --target",
    )
    counts.add_argument("--rollouts", metavar="N", help="number of further rollouts (one new environment)")
    counts.add_argument("--rate-if-h", metavar="A,B", help="Beta(A, B) prior on a covert-action rate if H")
    counts.add_argument("--rate-if-not-h", metavar="A,B", help="Beta(A, B) prior on the rate if not H")
    counts.add_argument("--k", metavar="K1,K2,...", help="covert actions seen so far, per environment")
    counts.add_argument("--n", metavar="N1,N2,...", help="rollouts so far, per environment")
    _add_output_flags(p, "with --rollouts: ")
    p.set_defaults(handler=_needed)

    p = sub.add_parser("pool", help="pool forecasters' probabilities by the geometric mean of odds")
    p.add_argument("--probs", help="comma-separated probabilities, e.g. 0.1,0.3,0.6")
    p.add_argument(
        "--file", metavar="CSV", help="CSV of forecasts: probability[,weight] per line, header optional"
    )
    p.add_argument("--weights", help="comma-separated weights >= 0, one per forecast")
    p.add_argument(
        "--extremize",
        default="1",
        help="factor d on the pooled log-odds (1 = none), or 'nr': Neyman and Roughgarden's "
        "d = n(sqrt(3n^2-3n+1)-2)/(n^2-n-1) for n equally weighted forecasts (unequal weights are refused)",
    )
    _add_output_flags(p)
    p.set_defaults(handler=_pool)

    p = sub.add_parser("crux", help="where two viewpoints (scenarios) disagree, in bits")
    p.add_argument("a", metavar="A", help="scenario name, scenario file or share link (quote it)")
    p.add_argument("b", metavar="B", help="scenario name, scenario file or share link (quote it)")
    _add_output_flags(p)
    p.set_defaults(handler=_crux)

    p = _scenario_command(
        sub, "robustness", "the scenario's posterior over a grid of priors", _robustness, links=True
    )
    p.add_argument("--threshold", help=THRESHOLD_HELP + "; the headline gives the prior above which the "
                   "posterior exceeds it")  # fmt: skip
    p.add_argument(
        "--data",
        action="store_true",
        help="instead: the Bayes factor of the scenario's covert-action counts over a grid of the "
        "two hypotheses' prior mean rates (with the scenario's pooling)",
    )

    p = _scenario_command(
        sub, "sequential", "the posterior after each evidence item of a scenario", _sequential, links=True
    )
    p.add_argument("--threshold", help=THRESHOLD_HELP + "; the headline says where the posterior crosses it")
    p.add_argument("--data", action="store_true",
                   help="instead: one step per environment of the scenario's covert-action counts "
                   "(with the scenario's pooling)")  # fmt: skip

    p = _scenario_command(
        sub, "tornado", "how far the posterior moves when each ratio or the prior is off", _tornado, links=True
    )
    p.add_argument(
        "--factor",
        help="stated mode: the ×/÷ factor (> 1) of items with no stated uncertainty (default: the scenario "
        "file's or link's app setting, else none: such items are shown left out); ratio and strength "
        "modes: how far off each input may be (a factor > 0, not 1; default 2)",
    )
    p.add_argument(
        "--mode",
        choices=("stated", "ratio", "strength"),
        default="stated",
        help="stated (the default, as the app's Analysis > Tornado): each item over its own stated "
        "uncertainty (σ, Beta, an --item-factor), an item with none left out (or ×/÷ --factor), with a "
        "headline saying which; ratio: multiply each odds factor by F (every bar equal; kept for scripts); "
        "strength: multiply each log-odds term by F (0 at a 50%% prior)",
    )
    _repeatable(p, "--item-factor", "LABEL_OR_ID=F",
                "stated mode: this item's own ×/÷ factor F > 1 (repeatable; the app's per-item factors)")  # fmt: skip
    p.add_argument(
        "--interval",
        help="stated mode: equal-tailed mass of the σ and Beta ranges, in (0, 1) (default: the scenario "
        "file's app setting, else 0.9 as in the app)",
    )

    p = _scenario_command(
        sub, "dependence", "naive (independent) versus dependence-adjusted posterior", _dependence, links=True
    )
    _repeatable(p, "--group", "LABEL_OR_ID=NAME", "put this item in dependence group NAME (empty NAME: "
                "independent again); repeatable, as the app's Analysis > Dependence control; applied after "
                "--apply-proposals, so it edits the proposal")  # fmt: skip
    p.add_argument("--apply-proposals", action="store_true",
                   help="put the groups proposed from shared sources (always listed) into effect, with --discount W")  # fmt: skip
    p.add_argument("--discount", metavar="W",
                   help="the discount w in (0, 1] of the items given with --group NAME or --apply-proposals")  # fmt: skip


THRESHOLD_HELP = "a P(H) strictly between 0 and 1 (default: the scenario file's or link's app setting, else 0.5)"


def _scenario_command(sub, name: str, help: str, handler, *, links: bool = False):
    """A subcommand that reads one SCENARIO (a name, a file, and with ``links`` a share link) and can
    save its plot and table; the caller adds the command's own options."""
    p = sub.add_parser(name, help=help)
    where = "scenario name, scenario file or share link (quote it)" if links else "scenario name or file"
    p.add_argument("scenario", metavar="SCENARIO", help=where)
    _add_output_flags(p)
    p.set_defaults(handler=handler)
    return p


def _repeatable(p, flag: str, metavar: str, help: str) -> None:
    p.add_argument(flag, action="append", default=[], metavar=metavar, help=help)


def _add_output_flags(p, when: str = "") -> None:
    # A group of its own, so that --help lists the command's options first whatever the order they are added.
    out = p.add_argument_group("output")
    out.add_argument("--plot", metavar="FILE", help=when + "save the plot (.png, .svg or .pdf)")
    out.add_argument("--csv", metavar="FILE", help=when + "save the data behind the plot as CSV")
    out.add_argument("--overwrite", action="store_true", help="replace --plot/--csv files that already exist")
    add_json_flag(out)


# -- handlers ---------------------------------------------------------------------------------------


def _needed(args) -> int:
    from beliefs.analysis.needed import needed, needed_count, plot_count_needed

    _check_outputs(args)
    with _user_fields("prior", "target"):
        r = needed(args.prior, args.target)
    data, human = r.to_dict(), r.text()
    count_flags = (args.rate_if_h, args.rate_if_not_h, args.k, args.n)
    if args.rollouts is None:
        if any(flag is not None for flag in count_flags):
            raise InputError(
                "--rollouts", None, "a number of further rollouts when rates or counts are given"
            )
        for flag, value in (("--plot", args.plot), ("--csv", args.csv)):
            if value is not None:  # the plot and the table are of P(H) over the counts k' in --rollouts
                raise InputError(flag, value, "a file only with --rollouts (the plot is P(H) by count)")
        return emit(args, data, human)
    for flag, value in (("--rate-if-h", args.rate_if_h), ("--rate-if-not-h", args.rate_if_not_h)):
        if value is None:
            raise InputError(
                flag, None, "a Beta prior A,B on the covert-action rate (needed with --rollouts)"
            )
    if (args.k is None) != (args.n is None):
        raise InputError("--k" if args.k is None else "--n", None, "both --k and --n, or neither")
    with _user_fields("prior", "target", "n_new", "rate_if_h", "rate_if_not_h", "k", "n"):
        c = needed_count(
            args.rollouts,
            args.target,
            args.prior,
            _pair(args.rate_if_h, "rate_if_h"),
            _pair(args.rate_if_not_h, "rate_if_not_h"),
            k=_list(args.k, "k"),
            n=_list(args.n, "n"),
        )
    data["counts"] = c.to_dict()
    return _finish(args, c, data, human + "\n" + c.message() + f" ({c.MODEL}).", plot_count_needed)


def _pool(args) -> int:
    from beliefs.analysis.pool import parse_forecasts_csv, plot_pool, pool

    _check_outputs(args)
    if (args.probs is None) == (args.file is None):
        raise InputError(
            "--probs", args.probs, "either --probs P1,P2,... or --file FORECASTS.csv (one of them)"
        )
    weights = args.weights
    probs = args.probs
    if args.file is not None:
        with _in_scenario(f"--file {args.file}"):
            probs, file_weights = parse_forecasts_csv(_read_text(args.file, "--file"))
        if weights is None:
            weights = file_weights
        elif file_weights is not None:
            raise InputError("--weights", args.weights, "weights in --file or in --weights, not both")
    with _user_fields("probs", "weights", "extremize"):
        r = pool(probs, weights, extremize=args.extremize)
    return _finish(args, r, r.to_dict(), r.text(), plot_pool)


def _crux(args) -> int:
    from beliefs.analysis.crux import crux_from_results, plot_crux

    _check_outputs(args)
    a, name_a = _view(args.a, "A")
    b, name_b = _view(args.b, "B")
    with _in_scenario(f"{name_a} / {name_b}"):
        r = crux_from_results(
            a.result(), b.result(), names=(name_a, name_b), hypotheses=(a.hypothesis, b.hypothesis)
        )
    return _finish(args, r, r.to_dict(), r.text(), plot_crux)


def _robustness(args) -> int:
    from beliefs.analysis.data_robustness import data_robustness, plot_data_robustness
    from beliefs.analysis.robustness import plot_prior_robustness, prior_robustness

    _check_outputs(args)
    if args.data and args.threshold is not None:
        raise InputError("--threshold", args.threshold, "a threshold only without --data")
    if args.threshold is not None:
        with _user_fields("threshold"):
            prior_robustness(0.5, threshold=args.threshold)  # a bad threshold fails before loading
    scn, name, saved = _scenario_with_settings(args.scenario)
    if args.data:
        counts = _covert_settings(scn, name)
        with _in_scenario(f"{name}: models.covert_actions"):
            d = data_robustness(
                counts.k, counts.n, scn.prior, counts.prediction("if_h"), counts.prediction("if_not_h"),
                pooling=counts.pooling,
            )
        from beliefs.update import update_by_log_bf

        def shown(log_bf: float) -> str:  # every posterior through update()
            return format_probability(update_by_log_bf(scn.prior, log_bf).posterior_log_odds)

        lines = [
            f"{name}: {sum(counts.k)} covert actions in {sum(counts.n)} rollouts over {len(counts.k)} environments",
            f"model (the scenario's): {d.model}",
            f"your predictions: {_predictions_text(counts)}:",
            f"  log10 BF {d.log_bf_at_choice / LN10:+.3f}, P(H | data) {shown(d.log_bf_at_choice)}",
            "over the grid of prior mean rates: P(H | data) from "
            f"{shown(float(d.log_bf.min()))} to {shown(float(d.log_bf.max()))}",
            "over the spreads (each hypothesis's a + b x 0.1, 1, 10; same means): log10 BF "
            + ", ".join(f"{r['log10_bf']:+.3g}" for r in d.spreads),
            "over the sample sizes (every n x 0.316, 1, 3.16 at the same rates): log10 BF "
            + ", ".join(f"{r['log10_bf']:+.3g}" for r in d.sample_sizes),
            "log10 BF over all of these: {:+.3g} to {:+.3g}".format(*d.log10_bf_span),
        ]
        return _finish(args, d, d.to_dict(), "\n".join(lines), plot_data_robustness)
    with _in_scenario(name):
        r = prior_robustness(scn.prior, scn.evidence_items(), compare_priors=scn.compare_priors,
                             threshold=_threshold(args, saved))  # fmt: skip
    data = r.to_dict()
    shown = sorted({0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, r.prior, *r.compare_priors})
    data["table"] = [{"prior": p, "posterior": r.posterior_at(p)} for p in shown]
    lines = [r.headline, "", f"{name}: evidence {data['bits']:+.3f} bits (odds factor {format_odds(r.log_lr)})", ""]
    lines.append(f"{'prior':>10}  {'posterior':>14}")
    for row in data["table"]:
        mark = "  <- the scenario's prior" if row["prior"] == r.prior else ""
        if not mark and row["prior"] in r.compare_priors:
            mark = "  <- a prior to compare"
        lines.append(
            f"{format_probability(log_odds(row['prior'])):>10}  "
            f"{format_probability(log_odds(row['posterior'])):>14}{mark}"
        )
    return _finish(args, r, data, "\n".join(lines), plot_prior_robustness)


def _sequential(args) -> int:
    from beliefs.analysis.sequential import plot_sequential, sequential, sequential_data

    _check_outputs(args)
    with _user_fields("threshold"):
        sequential(0.5, [], threshold=args.threshold)  # a bad threshold fails before loading
    scn, name, saved = _scenario_with_settings(args.scenario)
    args.threshold = _threshold(args, saved)
    if args.data:
        counts = _covert_settings(scn, name)
        with _in_scenario(f"{name}: models.covert_actions"):
            r = sequential_data(
                counts.k,
                counts.n,
                scn.prior,
                counts.prediction("if_h"),
                counts.prediction("if_not_h"),
                pooling=counts.pooling,
                threshold=args.threshold,
            )
        return _finish(args, r, r.to_dict(), r.text(), plot_sequential)
    with _in_scenario(name):
        r = sequential(scn.prior, scn.evidence_items(), threshold=args.threshold)
    return _finish(args, r, r.to_dict(), r.text(), plot_sequential)


def _threshold(args, saved: dict) -> float:
    """``--threshold``, else the app setting the scenario file or link carries, else the app's default."""
    from beliefs.io.settings import FIELDS

    if args.threshold is not None:
        return args.threshold
    return saved.get("thr", FIELDS["thr"].default)


def _tornado(args) -> int:
    from beliefs.analysis.tornado import plot_tornado, plot_tornado_stated, tornado, tornado_stated

    _check_outputs(args)
    if args.mode != "stated":
        for flag, given in (("--item-factor", args.item_factor), ("--interval", args.interval)):
            if given:
                raise InputError(flag, ", ".join(args.item_factor) or args.interval, "only with --mode stated")
        args.factor = "2" if args.factor is None else args.factor
        with _user_fields("factor"):
            tornado(0.5, [], factor=args.factor)  # a bad factor fails before loading
        scn, name, _ = _scenario_with_settings(args.scenario)
        with _in_scenario(name):
            r = tornado(scn.prior, scn.evidence_items(), factor=args.factor, mode=args.mode)
        return _finish(args, r, r.to_dict(), r.text(), plot_tornado)
    with _user_fields("factor", "interval"):  # bad settings fail before loading
        tornado_stated(0.5, [], factor=args.factor, interval=args.interval or 0.9)
    scn, name, saved = _scenario_with_settings(args.scenario)
    items = scn.evidence_items()
    # What the app shows for this file or link: its tornado settings, unless given here.
    from beliefs.io.settings import FIELDS

    if args.factor is None and saved.get("an_unst") == "factor":  # else: items stating nothing are left out
        args.factor = saved.get("an_factor", FIELDS["an_factor"].default)
    args.interval = args.interval if args.interval is not None else saved.get("ci", FIELDS["ci"].default)
    own = [x or None for x in str(saved.get("an_ifac", "")).split(",")] if saved.get("an_ifac") else []
    factors: list[str | None] = (own + [None] * len(items))[: len(items)]
    typed: dict[int, str] = {i: f"app.an_ifac[{i}]={x}" for i, x in enumerate(factors) if x is not None}
    for spec in args.item_factor:
        key, eq, value = spec.rpartition("=")
        if not eq:
            raise InputError("--item-factor", spec, "LABEL_OR_ID=F, e.g. report=3")
        i = _item_index(items, key, "--item-factor", spec)
        if not items[i].enabled:  # it has no bar: a factor for it would silently do nothing
            raise InputError("--item-factor", spec, "an item the scenario includes (this one is excluded)")
        if i in typed and not typed[i].startswith("app."):  # a flag overrides the file's setting
            raise InputError("--item-factor", spec, "one factor per item", hint=f"also given as {typed[i]!r}")
        factors[i], typed[i] = value.strip(), spec
    try:
        r = tornado_stated(scn.prior, items, factor=args.factor, factors=factors, interval=args.interval)
    except InputError as exc:
        own = re.fullmatch(r"factors\[(\d+)\]", exc.field)
        if own:  # name the option and the text as the user typed them
            bad = typed[int(own[1])]
            field = "--item-factor" if not bad.startswith("app.") else f"{name}: app.an_ifac"
            raise InputError(field, bad, "a factor F > 1 after '='") from None
        raise type(exc)(f"{name}: {exc.field}", exc.value, exc.allowed, exc.hint) from None
    data = {**r.to_dict(), "mode": "stated"}
    data["item_factors"] = {items[i].id or items[i].label: float(factors[i]) for i in sorted(typed)}
    return _finish(args, r, data, r.text(), plot_tornado_stated)


def _scenario_with_settings(text: str):
    """A scenario name, file or share link, its display name, and the app settings it carries.

    A share link holds the whole app state, so the CLI can show what the
    link's author saw: its settings are its scenario's ``app`` block, as a
    scenario file's are.
    """
    from beliefs.io.settings import FIELDS

    scn, name = _scenario(text, "SCENARIO")
    with _in_scenario(name):
        saved = {k: FIELDS[k].parse(v, f"app.{k}") for k, v in (getattr(scn, "app", None) or {}).items()}
    return scn, name, saved


def _item_index(items, key: str, flag: str, spec: str) -> int:
    """The index of the item whose id, else whose label, is ``key`` (exactly one)."""
    key = key.strip()
    for match in (lambda e: e.id == key, lambda e: e.label == key):
        hits = [i for i, e in enumerate(items) if match(e)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise InputError(flag, spec, "one item: several have this label; use the item's id")
    names = ", ".join(repr(e.id or e.label) for e in items[:8]) + (", ..." if len(items) > 8 else "")
    raise InputError(flag, spec, f"an item's id or label before '=': {names or 'the scenario has none'}")


def _regrouped(items, specs: list[str], discount: str | None) -> list:
    """The items with ``--group LABEL_OR_ID=NAME`` applied as the app's dependence control applies them.

    A named group gets the discount ``--discount``; an empty name makes the
    item independent again (discount 1), as the app's "Apply" button does.
    """
    items = list(items)
    seen: dict[int, str] = {}
    for spec in specs:
        # The first '=' that ends an item's id or label splits the spec (group names may hold '=').
        cuts = [m.start() for m in re.finditer("=", spec)]
        if not cuts:
            raise InputError("--group", spec, "LABEL_OR_ID=NAME, e.g. report=same-lab")
        known = {e.id for e in items if e.id} | {e.label for e in items}
        cut = next((c for c in cuts if spec[:c].strip() in known), cuts[0])
        i = _item_index(items, spec[:cut], "--group", spec)
        if i in seen:
            raise InputError("--group", spec, "one group per item", hint=f"also given as {seen[i]!r}")
        seen[i] = spec
        group = spec[cut + 1 :].strip() or None
        if group is not None and discount is None:
            raise InputError("--discount", "(not given)", "a discount w in (0, 1] for the items given with --group")
        try:
            items[i] = dataclasses.replace(items[i], group=group, discount=discount if group else 1.0)
        except InputError as exc:
            raise InputError("--discount", discount, exc.allowed, exc.hint) from None
    return items


def _dependence(args) -> int:
    from beliefs.analysis.dependence import dependence, plot_dependence, propose_groups

    _check_outputs(args)
    if args.discount is not None and not (args.group or args.apply_proposals):
        raise InputError("--discount", args.discount, "a discount only with --group LABEL_OR_ID=NAME or --apply-proposals")
    if args.apply_proposals and args.discount is None:
        raise InputError("--discount", "(not given)", "a discount w in (0, 1] for the proposed groups")
    scn, name, _ = _scenario_with_settings(args.scenario)
    items, applied = scn.evidence_items(), []
    if args.apply_proposals:
        proposal = propose_groups(items)
        applied = [g.name for g in proposal.pending]
        with _user_fields("discount"):
            items = proposal.apply(items, args.discount)
    items = _regrouped(items, args.group, args.discount)
    # The proposal as it stands for the ledger analysed (after applying or editing it).
    proposal = propose_groups(items)
    try:
        r = dependence(scn.prior, items)
    except InputError as exc:
        if exc.field.endswith(".discount") and args.group:  # a new member of a scenario's group, another w
            raise InputError("--discount", args.discount, exc.allowed, exc.hint) from None
        raise type(exc)(f"{name}: {exc.field}", exc.value, exc.allowed, exc.hint) from None
    lines = [proposal.headline] + [f"  {line}" for line in proposal.lines()[1:]]
    if applied:
        lines.append(f"applied with discount {float(args.discount):g}: {', '.join(applied)}")
    elif proposal.pending:
        lines.append("to apply: --apply-proposals --discount W; to edit: --group LABEL_OR_ID=NAME as well")
    lines += ["", f"{'group':<30} {'method':<18} {'naive bits':>10} {'adjusted':>10}"]
    for row in r.rows():
        lines.append(
            f"{row['group'][:30]:<30} {row['method'][:18]:<18} {row['naive_bits']:>+10.3f} {row['adjusted_bits']:>+10.3f}"
        )
    lines.append("")
    lines.append(f"naive posterior     {format_probability(r.naive.posterior_log_odds)}")
    lines.append(f"adjusted posterior  {format_probability(r.adjusted.posterior_log_odds)}")
    data = {**r.to_dict(), **proposal.to_dict(), "applied": applied}
    return _finish(args, r, data, "\n".join(lines), plot_dependence)


# -- helpers ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _user_fields(*names: str):
    """Rename library field names (``probs[2]``) to the options the user typed (``--probs[2]``).

    Only ``names`` are renamed: a scenario's own prior is not ``--prior``.
    """
    try:
        yield
    except InputError as exc:
        head = re.split(r"[\[ .]", exc.field, maxsplit=1)[0]
        if head in names:
            option = _OPTION_NAMES.get(head, "--" + head.replace("_", "-"))
            raise type(exc)(option + exc.field[len(head) :], exc.value, exc.allowed, exc.hint) from None
        raise


def _pair(text: str, field: str) -> tuple[str, str]:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise InputError(field, text, "two Beta parameters A,B, e.g. 1,20")
    return parts[0], parts[1]


def _list(text: str | None, field: str) -> list[str]:
    if text is None:
        return []
    parts = [p.strip() for p in text.split(",")]
    if any(p == "" for p in parts):
        raise InputError(field, text, "a comma-separated list of whole numbers, e.g. 3,0,5")
    return parts


@contextlib.contextmanager
def _in_scenario(name: str):
    """Prefix library field names with where they came from (``carlsmith: prior``)."""
    try:
        yield
    except InputError as exc:
        raise type(exc)(f"{name}: {exc.field}", exc.value, exc.allowed, exc.hint) from None


def _scenario(text: str, field: str):
    """A scenario given as a built-in name, a scenario file or a share link, and its display name."""
    try:
        from beliefs.io.views import load_view
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("beliefs.io"):
            raise
        raise InputError(
            field, text, "a scenario, but scenario support is not installed in this build"
        ) from None
    scn = load_view(text, field=field)
    display = getattr(scn, "name", None) or Path(text).stem
    return scn, str(display)


def _view(text: str, field: str):
    """A viewpoint given as a built-in name, a scenario file or a share link, and its display name."""
    return _scenario(text, field)


def _predictions_text(counts) -> str:
    """Each hypothesis's prediction in words, with the named reading it is (the block's own words)."""
    from beliefs.rate_priors import rate_prior_text, reading_for

    parts = []
    for side, who in (("if_h", "if H"), ("if_not_h", "if not H")):
        prior = counts.prediction(side)
        reading = reading_for(side, prior)
        named = f" ('{reading.name}', status {reading.status})" if getattr(counts, f"reading_{side}") else " (your own)"
        parts.append(f"{rate_prior_text(prior)}{named} {who}")
    return ", ".join(parts)


def _covert_settings(scn, name: str):
    models = getattr(scn, "models", None)
    counts = getattr(models, "covert_actions", None)
    if counts is None:
        raise InputError(
            "--data", name, "a scenario with covert-action counts (models.covert_actions); this one has none"
        )
    return counts


def _read_text(path: str, field: str) -> str:
    data = read_capped(path, field, what="UTF-8 CSV file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(field, path, "a readable UTF-8 CSV file", hint=type(exc).__name__) from None


def _check_outputs(args) -> None:
    """Refuse bad ``--plot``/``--csv`` paths before doing any work."""
    plot, table = getattr(args, "plot", None), getattr(args, "csv", None)
    if plot is not None:
        if Path(plot).suffix.lower() not in PLOT_SUFFIXES:
            raise InputError("--plot", plot, "a file name ending in .png, .svg or .pdf")
        _check_destination(plot, "--plot", args.overwrite)
    if table is not None:
        _check_destination(table, "--csv", args.overwrite)
    if plot is not None and table is not None and os.path.abspath(plot) == os.path.abspath(table):
        raise InputError("--csv", table, "a different file from --plot")


def _check_destination(path: str, field: str, overwrite: bool) -> None:
    check_destination(path, field, overwrite)


def _finish(args, result, data: dict, human: str, plot) -> int:
    """Write ``--plot`` (drawn by ``plot(result)``) and ``--csv`` if asked, then emit ``data``/``human``."""
    written = []
    if getattr(args, "plot", None):
        from beliefs.plots.figures import spec_bytes

        # The app's download buttons render the same spec through spec_bytes: same chart, same bytes.
        payload = spec_bytes(plot(result), Path(args.plot).suffix.lower()[1:])
        write_bytes_atomic(payload, args.plot, field="--plot", overwrite=args.overwrite)
        written.append(args.plot)
    if getattr(args, "csv", None):
        write_bytes_atomic(result.to_csv().encode("utf-8"), args.csv, field="--csv", overwrite=args.overwrite)
        written.append(args.csv)
    if written:
        data = {**data, "written": written}
        human = human.rstrip("\n") + "\n\n" + "\n".join(f"wrote {one_line(w)}" for w in written)
    return emit(args, data, human)
