"""Chain of successors: P(success) against the number of hand-overs."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from beliefs.chain import chain_curve, chain_success
from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.format import format_interval, format_probability
from beliefs.io.csvfile import to_csv
from beliefs.odds import log_odds_from_log
from beliefs.plots.curves import curve_rows, plot_curve

_DRAWS = 4_000  # Monte Carlo chains for the drift model; band ends move < 0.01 between seeds


def render() -> None:
    st.title("Chain of successors")
    st.caption(
        "Each model aligns its successor. P(success) = P(base aligned) × Π per-step survival; "
        "with a constant 0.98 per step, 0.98ⁿ (n = 10: 0.817; 35: 0.493; 100: 0.133)."
    )
    v = common.values()
    c1, c2, c3 = st.columns(3)
    with c1:
        common.bound(
            "ch_base",
            st.number_input,
            "P(base case aligned)",
            min_value=0.0,
            max_value=1.0,
            step=0.01,
            format="%.4g",
        )
        common.bound("ch_steps", st.number_input, "Steps n", min_value=1, max_value=1000, step=1,
                     help="n: the number of successor systems, each aligned by the one before it.")
        common.bound("ci", st.number_input, "Interval mass", min_value=0.01, max_value=0.99, step=0.05,
                     help="The probability inside the equal-tailed interval shown, e.g. 0.9 for a 90% interval.")
    with c2:
        common.bound(
            "ch_surv",
            st.slider,
            "Per-step survival s",
            min_value=0.0,
            max_value=1.0,
            step=0.001,
            format="%.3f",
        )
        common.bound(
            "ch_conc",
            st.number_input,
            "Uncertain s: Beta concentration κ (0 = exact)",
            min_value=0.0,
            step=10.0,
            help="s ~ Beta(κs, κ(1-s)), common to every step; mean, median and band are exact (closed form).",
        )
    with c3:
        common.bound(
            "ch_drift",
            st.slider,
            "Drift δ: survival logit lost per step",
            min_value=-0.2,
            max_value=0.2,
            step=0.005,
            format="%.3f",
            help="δ > 0: later steps are harder (categorically different challenges); "
            "δ < 0: oversight outpaces capability. logit sᵢ = logit s − δ·i + εᵢ.",
        )
        common.bound(
            "ch_mu_sd", st.number_input, "sd of logit s (drift model)", min_value=0.0, max_value=5.0, step=0.1,
            help="Uncertainty about the first step's survival, as a standard deviation (sd) of logit s = ln(s/(1−s)). "
            "0 = s known exactly.",
        )  # fmt: skip
        common.bound(
            "ch_tau",
            st.number_input,
            "Step-to-step sd τ (steps unalike)",
            min_value=0.0,
            max_value=5.0,
            step=0.1,
            help="τ (tau): how much each step's survival logit varies around the trend, independently per step. "
            "0 = every step alike.",
        )
    try:
        curve, point, exact = _curve(v)
    except InputError as exc:
        common.show_error(exc)
        return
    n = int(v["ch_steps"])
    # Shown from logarithms (the exact result, or the Monte Carlo curve's logs at n): 0.1 per step over
    # 1000 steps is 1e-998%, not "0% (certain)".
    if exact is not None:
        logs = exact.log_p_success, exact.log_median, *exact.log_interval
    else:
        logs = curve.log_mean[n], curve.log_median[n], curve.log_lower[n], curve.log_upper[n]
    x_mean, x_median, x_lo, x_hi = (log_odds_from_log(float(v)) for v in logs)
    m1, m2, m3 = st.columns(3)
    m1.metric(
        f"P(success) after {n} steps",
        format_probability(x_mean),
        help="P(success) = P(base aligned) × the product of the per-step survival probabilities s (mean over "
        "any uncertainty in s); the curve's value at n.",
    )
    m2.metric("Median", format_probability(x_median), help="Half of the uncertainty in s "
              "gives a lower P(success), half a higher one.")  # fmt: skip
    m3.metric(
        f"{100 * curve.interval_mass:g}% interval",
        format_interval(float(curve.lower[n]), float(curve.upper[n]), log_odds=(x_lo, x_hi)),
        help="Equal-tailed: the interval mass in the middle, the rest split evenly between the two tails.",
    )
    st.caption(point)
    if exact is not None:
        _command_line(exact)
    rows = curve_rows(
        curve.steps, curve.mean, curve.lower, curve.upper, names=("steps", "p_success_mean", "lower", "upper")
    )

    def figure():
        return plot_curve(
            curve.steps,
            curve.mean,
            curve.lower,
            curve.upper,
            xlabel="steps n",
            ylabel="P(success)",
            title="P(the chain stays aligned) against the number of steps",
            label=f"mean ({curve.label})",
            band_label=f"{100 * curve.interval_mass:g}% interval",
        )

    csv_text = to_csv(rows)
    common.show_chart("chain", figure, f"{csv_text}|{curve.label}", csv_text)


def _curve(v):
    """(curve, caption, the exact ChainResult at n or None for the Monte Carlo drift model)."""
    base, n, s, kappa = v["ch_base"], int(v["ch_steps"]), v["ch_surv"], v["ch_conc"]
    if v["ch_drift"] or v["ch_mu_sd"] or v["ch_tau"]:
        from beliefs.chain import DriftPrior, chain_drift_curve

        if kappa:
            st.info(
                "κ applies to the exact model without drift; with drift, set the uncertainty with the sd of logit s."
            )
        prior = DriftPrior.from_survival(
            s, mu_sd=v["ch_mu_sd"], delta_mean=v["ch_drift"], tau_scale=v["ch_tau"]
        )
        curve = chain_drift_curve(base, n, prior, draws=_DRAWS, seed=0, interval=v["ci"])
        return curve, f"Monte Carlo: {_DRAWS:,} chains, seed 0 (beliefs.chain.chain_drift_curve).", None
    if kappa:
        beta = BetaDist.from_mean_concentration(
            s, kappa, mean_field="Per-step survival s", concentration_field="Uncertain s: Beta concentration κ"
        )
        r = chain_success(base, n, per_step_beta=beta, interval=v["ci"])
        return (
            chain_curve(base, n, per_step_beta=beta, interval=v["ci"]),
            f"Exact: s ~ Beta({beta.alpha:.4g}, {beta.beta:.4g}); mean P(success) = {_p_success_text(r)}.",
            r,
        )
    r = chain_success(base, n, per_step=s, interval=v["ci"])
    return (
        chain_curve(base, n, per_step=s, interval=v["ci"]),
        f"Exact: {base:g} × {s:g}^{n} = {_p_success_text(r)}.",
        r,
    )


def _p_success_text(result) -> str:
    # The command line's own text for P(success) (a plain fraction, from its logarithm)
    return dict(result.table_rows())["P(success)"].removesuffix(" (mean)")


def _command_line(result) -> None:
    """The same result as `beliefs chain` prints it, with the command that reproduces it."""
    beta = result.per_step_beta
    survival = f"--per-step {result.per_step!r}" if beta is None else f"--per-step-beta {beta.alpha!r},{beta.beta!r}"
    interval = "" if beta is None else f" --interval {result.interval_mass!r}"
    command = f"beliefs chain --base {result.base!r} {survival} --steps {result.steps}{interval}"
    with st.expander("The same numbers from the command line", icon=":material/terminal:"):
        st.code(f"$ {command}\n{result.table()}", language=None)
