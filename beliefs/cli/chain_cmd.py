"""``beliefs chain`` (a chain of successors) and ``beliefs monitor`` (untrusted monitoring).

Both use the exact formulas in :mod:`beliefs.chain` and :mod:`beliefs.monitoring`; nothing here imports PyMC.
"""

from __future__ import annotations

from beliefs.cli.output import add_json_flag, emit
from beliefs.errors import InputError
from beliefs.validation import as_count, as_probability

__all__ = ["register"]


def register(sub) -> None:
    p = sub.add_parser(
        "chain",
        help="P(success) of a chain of successors: base x per-step survival^steps",
        description=(
            "P(scheme works) = P(base aligned) x s^steps for a point survival s; with a Beta on s, "
            "the mean B(a+n, b)/B(a, b) and an equal-tailed interval, exactly."
        ),
    )
    p.add_argument("--base", required=True, help="P(the base model is aligned), in [0, 1]")
    p.add_argument("--per-step", default=None, metavar="S", help="per-step survival probability, in [0, 1]")
    p.add_argument(
        "--per-step-beta", default=None, metavar="A,B", help="a Beta(A, B) on a common per-step survival"
    )
    p.add_argument("--steps", required=True, metavar="N", help="number of hand-overs, a whole number from 0 to 1e15")
    p.add_argument("--survived", default="0", metavar="M", help="observed steps that kept alignment (Beta only)")
    p.add_argument("--failed", default="0", metavar="F", help="observed steps that lost alignment (Beta only)")
    p.add_argument("--interval", default="0.9", metavar="MASS", help="equal-tailed interval mass (default 0.9)")
    p.add_argument("--curve", action="store_true", help="also give P(success) for every step count 0..N (N <= 1e7)")
    add_json_flag(p)
    p.set_defaults(handler=_chain)

    m = sub.add_parser(
        "monitor",
        help="P(at least one covert action goes unreported by an untrusted monitor over T tasks)",
        description="1 - (1 - r (c + (1 - c)(1 - q)))^T for independent tasks.",
    )
    m.add_argument("--rate", required=True, metavar="R", help="covert-action rate per task, in [0, 1]")
    m.add_argument("--report", metavar="Q", help="P(the monitor reports a covert action), in [0, 1]")
    m.add_argument(
        "--collusion", metavar="C", help="P(the monitor colludes and never reports), default 0"
    )
    _sourced_options(m)
    m.add_argument("--tasks", required=True, metavar="T", help="number of independent tasks, a whole number from 0 to 1e15")
    add_json_flag(m)
    m.set_defaults(handler=_monitor)


def _chain(args) -> int:
    # SciPy loads only when this command runs, not for every command of the CLI.
    from beliefs.chain import CURVE_HINT, MAX_CURVE_STEPS, MAX_STEPS, STEPS_HINT, chain_curve, chain_success
    from beliefs.evidence import parse_beta
    from beliefs.intervals import check_interval_mass

    base = as_probability(args.base, "--base")
    limit, hint = (MAX_CURVE_STEPS, CURVE_HINT) if args.curve else (MAX_STEPS, STEPS_HINT)
    steps = as_count(args.steps, "--steps", maximum=limit, above_maximum=hint)
    if (args.per_step is None) == (args.per_step_beta is None):
        given = "both" if args.per_step is not None else "neither"
        raise InputError(
            "--per-step/--per-step-beta", given, "exactly one of --per-step S or --per-step-beta A,B"
        )
    survived = as_count(args.survived, "--survived", maximum=MAX_STEPS, above_maximum=STEPS_HINT)
    failed = as_count(args.failed, "--failed", maximum=MAX_STEPS, above_maximum=STEPS_HINT)
    mass = check_interval_mass(args.interval, "--interval")
    if args.per_step is not None:
        per_step = as_probability(args.per_step, "--per-step")
        if survived or failed:
            raise InputError(
                "--survived" if survived else "--failed",
                survived or failed,
                "0 with --per-step (observed steps update a Beta: use --per-step-beta)",
            )
        kwargs = {"per_step": per_step}
    else:
        kwargs = {"per_step_beta": parse_beta(args.per_step_beta, "--per-step-beta")}
    result = chain_success(base, steps, survived=survived, failed=failed, interval=mass, **kwargs)
    data = result.to_dict()
    human = result.table()
    if args.curve:
        curve = chain_curve(base, steps, survived=survived, failed=failed, interval=mass, **kwargs)
        data["curve"] = curve.to_dict()
        human += "\n\n" + _curve_table(curve)
    return emit(args, data, human)


def _curve_table(curve) -> str:
    from beliefs.format import format_probability_log

    def text(log_p: float) -> str:
        return format_probability_log(log_p, percent=False)

    banded = curve.log_lower.tolist() != curve.log_upper.tolist()
    means = [text(v) for v in curve.log_mean.tolist()]
    width = max(10, *(len(m) for m in means))
    head = "steps  P(success)" + (f"{' ' * (width - 8)}{100 * curve.interval_mass:g}% interval" if banded else "")
    lines = [head]
    for n, mean, lo, hi in zip(curve.steps.tolist(), means, curve.log_lower.tolist(), curve.log_upper.tolist(), strict=True):
        row = f"{n:>5}  {mean:<{width}}"
        if banded:
            row += f"  {text(lo)} to {text(hi)}"
        lines.append(row.rstrip())
    return "\n".join(lines)


def _sourced_options(m) -> None:
    from beliefs.monitor_sources import SOURCED_SETTINGS

    def keys(parameter: str) -> str:
        return ", ".join(s.key for s in SOURCED_SETTINGS if s.parameter == parameter)

    m.add_argument("--report-from", metavar="SETTING",
                   help=f"instead of --report: q from a published figure and a stated assumption ({keys('q')})")  # fmt: skip
    m.add_argument("--false-alarm", metavar="F",
                   help="with an AUC setting: the monitor's false-alarm rate f in (0, 1), your assumption")  # fmt: skip
    m.add_argument("--collusion-from", metavar="SETTING",
                   help=f"instead of --collusion: c from a published figure and a stated assumption ({keys('c')})")  # fmt: skip


def _sourced(args, parameter: str, typed: str | None, default: str | None):
    """(value, SourcedValue or None) for q or c: typed with --report/--collusion, or from a sourced setting."""
    from beliefs.monitor_sources import sourced_setting

    flag, from_flag = {"q": ("--report", "--report-from"), "c": ("--collusion", "--collusion-from")}[parameter]
    key = getattr(args, from_flag[2:].replace("-", "_"))
    if key is None:
        if typed is None and default is None:
            raise InputError(flag, "(not given)", f"a probability in [0, 1], or {from_flag} SETTING")
        return as_probability(typed if typed is not None else default, flag), None
    if typed is not None:
        raise InputError(flag, typed, f"{flag} or {from_flag}, not both")
    setting = sourced_setting(key, parameter=parameter, field=from_flag)
    f = args.false_alarm if setting.needs_false_alarm_rate else None
    value = setting.resolve(f, field="--false-alarm")
    return value.value, value


def _monitor(args) -> int:
    from beliefs.monitoring import MAX_TASKS, TASKS_HINT, monitor_risk

    rate = as_probability(args.rate, "--rate")
    report, q_source = _sourced(args, "q", args.report, None)
    collusion, c_source = _sourced(args, "c", args.collusion, "0")
    if args.false_alarm is not None and not (q_source and q_source.false_alarm_rate is not None):
        raise InputError("--false-alarm", args.false_alarm, "a false-alarm rate only with an AUC setting in --report-from")
    tasks = as_count(args.tasks, "--tasks", maximum=MAX_TASKS, above_maximum=TASKS_HINT)
    result = monitor_risk(rate, report, collusion, tasks=tasks)
    sourced = {"q": q_source, "c": c_source}
    data = {**result.to_dict(), "sourced": {k: None if v is None else v.to_dict() for k, v in sourced.items()}}
    notes = [v.describe() for v in sourced.values() if v is not None]
    return emit(args, data, "\n".join([result.table(), *notes]))
