"""``beliefs counts`` (covert-action counts as evidence) and ``beliefs elicit`` (a Beta from an interval).

The closed forms live in :mod:`beliefs.counts` (no PyMC); the MCMC models in
:mod:`models` (PyMC) are imported only inside ``--mcmc``, so the closed-form
``counts`` command never loads PyMC.
"""

from __future__ import annotations

import math
import sys

from beliefs import counts as bc
from beliefs.bf_map import DEFAULT_GRID, MAX_GRID
from beliefs.cli.output import add_json_flag, emit
from beliefs.datasets import (
    POOLING_WORDS,
    dataset_counts,
    dataset_counts_result,
    parse_dataset,
    pooling_disagreement,
)
from beliefs.errors import InputError
from beliefs.format import format_evidence, format_odds, format_probability
from beliefs.odds import log_odds
from beliefs.rate_priors import DEFAULT_READINGS, PointRate, parse_rate_prior, reading_for, readings
from beliefs.reproduce import DEFAULT_N_ASSUMED, MAX_N_ASSUMED
from beliefs.validation import as_count, as_positive, as_probability

POOLINGS = bc.POOLINGS


def register(sub) -> None:
    p = sub.add_parser(
        "counts",
        help="covert actions k in n rollouts per environment as evidence for H (the system schemes)",
        description=(
            "Each hypothesis predicts per-environment covert-action rates through its own Beta prior. "
            "No pooling gives an exact beta-binomial Bayes factor; partial pooling uses 2-D quadrature "
            "(and MCMC with --mcmc)."
        ),
    )
    p.add_argument("--k", help="covert actions per environment, e.g. 1,0,3")
    p.add_argument("--n", help="rollouts per environment, e.g. 100,100,50")
    p.add_argument(
        "--dataset", metavar="antischeming-2025:MODEL:PHASE",
        help="use the 2025 report's 20 per-evaluation rates x an ASSUMED n instead of --k/--n "
        "(MODEL o3 or o4-mini, PHASE before or after)",
    )
    p.add_argument(
        "--n-assumed", default=None,
        help=f"with --dataset: the assumed rollouts per evaluation (default {_DEFAULT_N}; not published)",
    )
    p.add_argument("--prior", help="P(H) before the counts, in [0, 1] (with --dataset: default 0.5)")
    p.add_argument(
        "--rate-if-h", metavar="A,B|point:P|NAME",
        help="what H predicts: Beta(A,B) prior of a rate (partial pooling: of the population mean rate), "
        "point:P for a rate of exactly P (a point null; partial pooling: a population mean of exactly P), "
        f"or a named reading ({', '.join(r.id for r in readings('if_h'))})",
    )
    p.add_argument(
        "--rate-if-not-h", metavar="A,B|point:P|NAME",
        help=f"what not H predicts (likewise; readings {', '.join(r.id for r in readings('if_not_h'))})",
    )
    p.add_argument(
        "--pooling", default=None,
        help="none (independent environments) or partial (hierarchical); default none for --k/--n, "
        "partial for --dataset",
    )
    p.add_argument(
        "--map", action="store_true",
        help="also the Bayes factor over a grid of the two hypotheses' mean predictions (each at its spread), "
        "with the line where the data are neutral",
    )
    p.add_argument("--grid", default=None, help=f"with --map: means per axis (default {DEFAULT_GRID})")
    p.add_argument("--mcmc", action="store_true", help="also estimate P(H | data) by MCMC (nutpie NUTS)")
    p.add_argument("--seed", default="0", help="random seed for --mcmc (default 0)")
    p.add_argument("--draws", default="1000", help="draws per chain for --mcmc (default 1000)")
    p.add_argument("--tune", default="1000", help="tuning draws per chain for --mcmc (default 1000)")
    p.add_argument("--chains", default="2", help="chains for --mcmc (default 2)")
    p.add_argument("--timeout", default="300", help="seconds before --mcmc sampling is abandoned (default 300)")
    add_json_flag(p)
    p.set_defaults(handler=_counts)

    e = sub.add_parser(
        "elicit",
        help="a Beta prior from 'I am 90%% sure the rate is between L and U' (maximum entropy)",
    )
    e.add_argument("--lower", required=True, help="lower end L of the interval, in (0, 1)")
    e.add_argument("--upper", required=True, help="upper end U of the interval, in (0, 1)")
    e.add_argument("--mass", default="0.9", help="probability that the rate lies in [L, U] (default 0.9)")
    add_json_flag(e)
    e.set_defaults(handler=_elicit)


# ---------------------------------------------------------------------------
# counts
# ---------------------------------------------------------------------------
def _rate_prior(text: str, field: str, side: str):
    return parse_rate_prior(str(text), field, side=side, names=(" A", " B"))


def _rate_dict(prior) -> dict:
    if isinstance(prior, PointRate):
        return {"point": prior.rate}
    return {"alpha": prior.alpha, "beta": prior.beta}


_DEFAULT_N = DEFAULT_N_ASSUMED
# --dataset without --prior/--rate-if-*: the data page's defaults, the named readings "scheming" and
# "confusion" (beliefs.rate_priors: status X, no source gives their parameters; rate_priors says so).
_DATASET_DEFAULTS = {"prior": "0.5", "rate_if_h": DEFAULT_READINGS["if_h"], "rate_if_not_h": DEFAULT_READINGS["if_not_h"]}


def _required(args, name: str, flag: str):
    value = getattr(args, name)
    if value is None:
        if args.dataset is not None and name in _DATASET_DEFAULTS:
            return _DATASET_DEFAULTS[name]
        raise InputError(flag, None, f"a value ({flag} is required" + (")" if name in ("k", "n") else
                         " unless --dataset is given)"))  # fmt: skip
    return value


def _counts(args) -> int:
    if args.dataset is not None and (args.k is not None or args.n is not None):
        raise InputError("--dataset", args.dataset, "either --dataset or --k/--n, not both")
    if args.dataset is None and args.n_assumed is not None:
        raise InputError("--n-assumed", args.n_assumed, "only with --dataset (it derives the counts)")
    prior = as_probability(_required(args, "prior", "--prior"), "--prior")
    rate_h = _rate_prior(_required(args, "rate_if_h", "--rate-if-h"), "--rate-if-h", "if_h")
    rate_n = _rate_prior(_required(args, "rate_if_not_h", "--rate-if-not-h"), "--rate-if-not-h", "if_not_h")
    if args.grid is not None and not args.map:
        raise InputError("--grid", args.grid, "only with --map (the map's means per axis)")
    grid = as_count(args.grid if args.grid is not None else DEFAULT_GRID, "--grid", minimum=2, maximum=MAX_GRID)
    if args.mcmc and (isinstance(rate_h, PointRate) or isinstance(rate_n, PointRate)):
        flag = "--rate-if-h" if isinstance(rate_h, PointRate) else "--rate-if-not-h"
        raise InputError(flag, getattr(args, flag[2:].replace("-", "_")),
                         "a Beta prior A,B with --mcmc (the MCMC models sample Beta priors; a point rate's "
                         "Bayes factor is exact and needs no MCMC)")  # fmt: skip
    default_pooling = "none" if args.dataset is None else "partial"
    pooling = str(args.pooling if args.pooling is not None else default_pooling).strip().lower()
    if pooling not in POOLINGS:
        raise InputError("--pooling", args.pooling, "'none' or 'partial'")
    derived = None
    if args.dataset is not None:
        spec = parse_dataset(args.dataset, "--dataset")
        n_assumed = as_count(args.n_assumed if args.n_assumed is not None else _DEFAULT_N, "--n-assumed",
                             minimum=1, maximum=MAX_N_ASSUMED)  # fmt: skip
        derived = dataset_counts_result(spec, prior, rate_h, rate_n, n_assumed=n_assumed, pooling=pooling)
        k, n = derived.k, derived.n
    else:
        k, n = bc.check_counts(_required(args, "k", "--k"), _required(args, "n", "--n"), k_field="--k", n_field="--n")
    seed = as_count(args.seed, "--seed", minimum=0, maximum=2**32 - 1)
    draws = as_count(args.draws, "--draws", minimum=100, maximum=200_000)
    tune = as_count(args.tune, "--tune", minimum=100, maximum=200_000)
    chains = as_count(args.chains, "--chains", minimum=1, maximum=8)
    timeout = as_positive(args.timeout, "--timeout", "a time limit in seconds > 0")

    data: dict = {
        "pooling": pooling,
        "k": [int(x) for x in k],
        "n": [int(x) for x in n],
        "n_environments": len(k),
        "prior": prior,
        "rate_if_h": _rate_dict(rate_h),
        "rate_if_not_h": _rate_dict(rate_n),
        "rate_priors": {"if_h": reading_for("if_h", rate_h).to_dict(), "if_not_h": reading_for("if_not_h", rate_n).to_dict()},
        "derived": derived is not None,
    }
    if derived is not None:
        data.update(
            dataset=derived.dataset,
            n_assumed=derived.n_assumed,
            evaluations=dataset_counts(spec, derived.n_assumed)[2],
            assumption_range=derived.assumption_range.to_dict(),
        )
    exact = updated = kappa = None
    if pooling == "none":
        exact = derived or bc.exact_no_pooling(k, n, prior, rate_h, rate_n)
        point = isinstance(rate_h, PointRate) or isinstance(rate_n, PointRate)
        data["method"] = "exact (closed form: beta-binomial" + (", binomial at the point rate)" if point else ")")
        data["environments"] = exact.environments()
    else:
        from beliefs.partial_pooling import KappaPrior  # SciPy's cubature: only for partial pooling

        kappa = KappaPrior()
        data["kappa_prior"] = {"median": kappa.median, "log_sd": kappa.log_sd}
        if len(k) <= bc.MAX_QUADRATURE_ENVIRONMENTS:
            quad = derived or bc.quadrature_partial_pooling(k, n, prior, rate_h, rate_n)
            if quad.quadrature_rel_error is not None and quad.quadrature_rel_error <= 1e-4:
                exact = quad
                data["method"] = "2-D quadrature over (mu, kappa) for each hypothesis"
            data["quadrature_rel_error"] = quad.quadrature_rel_error
        if exact is None:
            data["method"] = "MCMC only (quadrature not feasible or not accurate for these data)"
    if exact is not None:
        updated = exact.update()  # the one route to a posterior
        data.update(
            bayes_factor=exact.bayes_factor,
            log10_bayes_factor=exact.log10_bayes_factor,
            bits=exact.bits,
            log_bayes_factor_nats=exact.log_bayes_factor,
            posterior=updated.posterior,
            note=exact.note,
            provenance=exact.provenance.to_dict(),
        )
    else:
        data.update(
            bayes_factor=None, log10_bayes_factor=None, bits=None, log_bayes_factor_nats=None, posterior=None,
            note="no exact value for these data: MCMC only" + ("" if args.mcmc else "; rerun with --mcmc"),
        )
    if derived is not None:
        data["models_disagree"] = pooling_disagreement(derived.assumption_range, derived.n_assumed)
    if args.map:
        from beliefs.bf_map import bayes_factor_map

        data["map"] = bayes_factor_map(
            k, n, rate_h, rate_n, pooling=pooling, kappa=kappa, grid=grid, grid_field="--grid"
        ).to_dict()

    if args.mcmc:
        from models.counts import mcmc_no_pooling, mcmc_partial_pooling
        from models.sampling import SamplingError

        fit = mcmc_no_pooling if pooling == "none" else mcmc_partial_pooling
        try:
            m = fit(k, n, prior, rate_h, rate_n, draws=draws, tune=tune, chains=chains, seed=seed, timeout=timeout)
        except SamplingError as exc:
            print(f"beliefs: error: MCMC failed: {exc}", file=sys.stderr)
            return 1
        m = m.with_exact(exact)  # z_vs_exact; |z| > 4 marks the fit not converged
        mc = m.to_dict()
        mc.update(draws=draws, tune=tune, chains=chains, seed=seed, sampler="nutpie NUTS")
        if not m.sampled:
            mc["warnings"] = [f"MCMC not run: prior P(H) = {prior:g} is certainty, which no evidence can move"]
        elif exact is not None and m.converged:
            # What the estimate carries into a ledger (the app's "Add the MCMC estimate"): the exact result's
            # provenance with the fit's own method and checks in words.
            try:
                mc["provenance"] = m.to_evidence(exact.label + " (MCMC)", exact).provenance.to_dict()
            except InputError as exc:  # e.g. a factor beyond 1e300: no ledger item, and the reason
                mc["provenance"] = None
                mc["ledger_refused"] = str(exc)
        data["mcmc"] = mc
        data["prior_sensitivity"] = _sensitivity(m)
    return emit(args, data, _counts_table(data, updated))


def _sensitivity(m) -> dict | None:
    """Power-scaling prior/likelihood sensitivity of the fit (None when nothing was sampled)."""
    if not m.sampled:
        return None
    from models.sensitivity import prior_sensitivity

    try:
        return prior_sensitivity(m).to_dict()
    except (ValueError, ArithmeticError) as exc:  # a diagnostic failing must not hide the fit's numbers
        return {"error": f"prior sensitivity not available: {exc}", "rows": []}


def _counts_table(d: dict, updated=None) -> str:
    """Human output; ``updated`` is the UpdateResult the posterior came from (None without an exact value)."""
    lines = []
    head = "no pooling" if d["pooling"] == "none" else "partial pooling"
    lines.append(f"Covert-action counts: {d['n_environments']} environment(s), {head}; {d['method']}")
    if d["derived"]:
        lines.append(
            f"DERIVED counts ({d['dataset']}): published rate x an ASSUMED n = {d['n_assumed']} per evaluation, "
            "rounded. n is an assumption, not data: the paper publishes rates only."
        )
    names = d.get("evaluations") or [f"env {j:>3}" for j in range(1, d["n_environments"] + 1)]
    name_w = max(len(x) for x in names)
    width = max(len(str(x)) for x in d["n"])
    for name, kj, nj in zip(names, d["k"], d["n"], strict=True):
        rate = f"{kj / nj:.3g}" if nj else "-"
        lines.append(f"  {name:<{name_w}}  {kj:>{width}} / {nj:<{width}}  rate {rate}")
    for side, word in (("if_h", "if H:    "), ("if_not_h", "if not H:")):
        r = d["rate_priors"][side]
        prior = f"point {r['point']:g}" if r["point"] is not None else f"Beta({r['alpha']:g}, {r['beta']:g})"
        lines.append(f"Rate prior {word} {prior}  mean {r['mean']:.4g}  '{r['name']}', status {r['status']}")
        lines.append(f"    {r['reason']}; source: {r['source']} ({r['location']})")
    if "kappa_prior" in d:
        kp = d["kappa_prior"]
        lines.append(f"Concentration hyperprior (both): ln kappa ~ Normal(ln {kp['median']:g}, {kp['log_sd']:g}^2)")
    lines.append("")
    prior_lo = log_odds(d["prior"])
    lines.append(f"Prior P(H)        {format_probability(prior_lo):>14}   odds {format_odds(prior_lo)}")
    if d["posterior"] is not None:
        log_bf = d["log_bayes_factor_nats"]
        lines.append(f"Bayes factor      {format_evidence(log_bf)}   (log10 BF = {d['log10_bayes_factor']:.4g})")
        rng = d.get("assumption_range")
        if rng is not None:
            lo, hi = rng["by_pooling"][d["pooling"]]
            lines.append(f"  range over what nobody published: log10 BF {lo:.3g} to {hi:.3g} over the assumed n, "
                         f"{POOLING_WORDS[d['pooling']]}")  # fmt: skip
            for other, (o_lo, o_hi) in rng["by_pooling"].items():
                if other != d["pooling"]:
                    lines.append(f"  with {POOLING_WORDS[other]}: log10 BF {o_lo:.3g} to {o_hi:.3g}")
            for g in rng["grid"]:
                lines.append(f"    n = {g['n_assumed']:>5}  pooling {g['pooling']:<8} log10 BF {g['log10_bayes_factor']:.4g}")
        if d.get("models_disagree"):
            lines.append(f"  {d['models_disagree']}")
        post_lo = updated.posterior_log_odds
        lines.append(f"Posterior P(H)    {format_probability(post_lo):>14}   odds {format_odds(post_lo)}")
        if d.get("quadrature_rel_error") is not None:
            lines.append(f"  (quadrature relative error estimate {d['quadrature_rel_error']:.1e})")
    if d.get("note"):
        lines.append(f"Note: {d['note']}")
    if d.get("map"):
        m = d["map"]
        lines.append("")
        lines.append(f"Bayes factor map ({len(m['h_mean'])} x {len(m['not_h_mean'])} mean predictions, each at its "
                     "reading's spread; --json for the cells):")  # fmt: skip
        lines.append(f"  {m['sentence']}")
    mc = d.get("mcmc")
    if mc is not None:
        lines.append("")
        lines.append(
            f"MCMC ({mc['sampler']}, {mc['chains']} chains x {mc['draws']} draws, {mc['tune']} tuning, seed {mc['seed']}):"
        )
        if mc["sampled"]:
            if math.isfinite(mc["r_hat"]):
                conv = f"r_hat {mc['r_hat']:.3f}   ESS {mc['ess']:.0f}"
            else:  # every draw gave the same P(H | data, parameters): nothing to mix
                conv = "r_hat n/a, ESS n/a (all draws equal)"
            lines.append(
                f"  P(H | data) = {mc['posterior']:.4g} +/- {mc['mcse']:.2g} (MCSE)   {conv}   "
                f"divergences {mc['divergences']}"
            )
            if mc.get("log10_bayes_factor") is not None:
                mcse10 = mc["log10_bayes_factor_mcse"]
                lines.append(f"  log10 BF = {mc['log10_bayes_factor']:.4f} +/- {mcse10 if mcse10 is not None else math.nan:.2g} (MCSE)")
            if mc.get("z_vs_exact") is not None:
                lines.append(
                    f"  z vs exact = {mc['z_vs_exact']:+.2f} (estimate - exact, in MCSE, log-odds scale; "
                    "|z| > 4 fails the fit)"
                )
        if mc["warnings"]:
            status = "NOT CONVERGED - do not trust the MCMC number" if mc["sampled"] else "skipped"
            lines.append(f"  {status}:")
            lines.extend(f"    - {w}" for w in mc["warnings"])
        else:
            z_ok = ", within 4 MCSE of the exact value" if mc.get("z_vs_exact") is not None else ""
            lines.append(f"  converged: r_hat <= 1.01, bulk ESS >= 400, no divergences{z_ok}")
    ps = d.get("prior_sensitivity")
    if ps and ps.get("error"):
        lines.append("")
        lines.append(f"Prior sensitivity: {ps['error']}")
    elif ps:
        lines.append("")
        lines.append(f"Prior sensitivity (power-scaling prior / likelihood by alpha in [{ps['alphas'][0]:g}, {ps['alphas'][1]:g}]):")
        width = max([len("quantity"), *(len(r["quantity"]) for r in ps["rows"])])
        lines.append(f"  {'quantity':<{width}}  {'prior':>7}  {'likelihood':>10}  diagnosis")
        for r in ps["rows"]:
            diag = "ok" if r["diagnosis"] == "\u2713" else r["diagnosis"]
            lines.append(f"  {r['quantity']:<{width}}  {r['prior']:>7.3f}  {r['likelihood']:>10.3f}  {diag}")
        lines.append(f"  (>= {ps['threshold']:g} flags a strong prior, or prior-data conflict if the likelihood's is too)")
        if ps["flagged"] and mc is not None and mc.get("sampled") and not mc["warnings"]:
            lines.append(f"  {ps['converged_and_sensitive']}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# elicit
# ---------------------------------------------------------------------------
def _elicit(args) -> int:
    from beliefs.elicitation import elicit_beta
    from beliefs.format import format_proportion

    b = elicit_beta(args.lower, args.upper, args.mass, fields=("--lower", "--upper", "--mass"))
    d = b.to_dict()
    human = [
        f"Beta({b.alpha:.4g}, {b.beta:.4g})   mean {b.mean:.4g}",
        f"puts {format_proportion(b.mass)} of its probability in [{b.lower:g}, {b.upper:g}] "
        f"(requested {format_proportion(b.requested_mass)}; checked with scipy.stats.beta.cdf)",
        f"entropy {b.entropy:.6g} nats, the largest of any Beta with this mass in the interval ({b.method})",
        f"use it as: --rate-if-h {b.alpha:.6g},{b.beta:.6g}   (or --rate-if-not-h)",
    ]
    if b.warning:
        human.append(f"WARNING: {b.warning}")
    return emit(args, d, "\n".join(human))
