"""MCMC on the data page: partial pooling and before/after training, at the speed of a slider.

Widgets only; every number comes from :mod:`models`.  What makes it fast:

- the partial-pooling model is compiled in a background thread (at low CPU
  priority) from half a second after the server's first page has run (:func:`warm_up`), once per
  process; a click in that half second compiles at once, and a click while the warm-up compiles waits
  for it with the elapsed time on screen.  PyTensor 3 caches the
  model's own numba functions on disk (``~/.pytensor/numba``, loaded in a
  fresh process), and nutpie's two ``cfunc`` callbacks load from their own disk
  cache (:mod:`models.compile_cache`: numba's key never repeats, ours does), so
  only a machine's first compile pays for them, at a cost that grows with the
  number of ``pm.Data`` (hence the model's one ``hyper`` vector);
- a re-run samples the compiled model (tenths of a second) in a background
  job that the data page starts as soon as it has the counts (:func:`start_partial`;
  nutpie samples without the GIL, so the two overlap), and shows the
  estimate, MCSE, R-hat, ESS and divergences at once; the quadrature that
  gives ``z vs exact`` runs in a background thread, once per data set, and
  its result joins the numbers when it is ready (the page polls with an
  elapsed-time line, so a new widget change interrupts the wait, never the
  other way round);
- prior sensitivity is computed after the numbers are on screen.

Results stay on screen (a bordered box, never a collapsed status line), and
a fit that fails its checks offers "Sample longer".
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import Future, wait

import streamlit as st

from app_pages import common, workers
from app_pages.workers import Worker
from beliefs.counts import check_counts
from beliefs.errors import InputError
from beliefs.format import format_probability
from beliefs.odds import log_odds
from beliefs.reproduce import WHY_REDUCTION_DIFFERS

# A server shared by many sessions must not hang on one stuck fit: sampling (not the one-off
# compilation) is cancelled after this many seconds and the page says so.
_MCMC_TIMEOUT = 120.0
# 2 x 1500 draws give the balanced model indicator a bulk ESS well above 400 and a stable split R-hat.
_MCMC = {"draws": 1500, "tune": 500, "chains": 2, "seed": 0, "timeout": _MCMC_TIMEOUT}
# The hierarchical before/after model needs more draws for its scale parameters' ESS to pass 400.
_MCMC_BEFORE_AFTER = {"draws": 1500, "tune": 1000, "chains": 2, "seed": 0, "timeout": _MCMC_TIMEOUT}
_LONGER = 4  # "Sample longer" multiplies the draws by this, up to _MAX_FACTOR
_MAX_FACTOR = 16
_POLL = 0.25  # seconds between elapsed-time updates while waiting
_COMPILE_NICE = 10  # the background compile's nice value (0 normal, 19 lowest)
# The warm-up waits this long after the first page's run before it starts, so the browser draws that
# page without the compile's imports beside it (a nice value does not help the server's own thread,
# which needs the GIL the imports hold): started at once, app start was 0.07x higher relative to the
# bare app (mean of 16 interleaved pairs, higher in 14 of them).  A click meanwhile does not wait for it:
# it compiles at once, at normal priority, and the warm-up then finds the model in the cache.  The cost:
# MCMC's first run in a fresh server, clicked as soon as the page shows, 8.48 s -> 8.66 s (medians of 4).
_WARM_UP_DELAY = 0.5  # seconds

# The unattended warm-up compile runs on its own worker at low CPU priority (a thread cannot raise its
# priority again, so a compile somebody clicked for never shares that worker).
_WARMER = Worker("beliefs-warm-up")
# One worker each: compiling is CPU-bound and numba holds a global lock anyway; a queue of stale
# quadratures is cancelled when newer data arrive.  (Daemon threads: none keeps a stopping server alive.)
_COMPILER = Worker("beliefs-compile")
_QUADRATURE = Worker("beliefs-quadrature")
# Live re-samples run here, started before the page draws its plot (nutpie samples without the GIL).
_SAMPLER = Worker("beliefs-mcmc")


def _compile(kind: str, size: int):
    from models import before_after, counts
    from models.sampling import get_compiled

    if kind == "partial":
        return get_compiled(("covert_partial_pooling",), counts.build_partial_pooling_model)
    return get_compiled(
        ("covert_before_after", size, "partial"), lambda: before_after.build_before_after_model(size, "partial")
    )


def _lower_priority() -> None:
    """Lower this thread's CPU priority: a live page, in this server or a browser on the same machine,
    should win over a compile that nobody waits for yet (Linux: a thread's own nice value)."""
    if sys.platform.startswith("linux"):
        import threading

        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _COMPILE_NICE)
        except OSError:  # not permitted here: compile at normal priority
            pass


@st.cache_resource(show_spinner=False)
def _compile_job(kind: str, size: int = 0) -> Future:
    """The (possibly running) compilation of one model structure, shared by every session.

    A click during the warm-up waits for it: the process-wide compile cache
    (:func:`models.sampling.get_compiled`) compiles each structure once.
    """
    return _COMPILER.submit(_compile, kind, size)


def _warm_compile(delay: float = _WARM_UP_DELAY) -> None:
    _lower_priority()
    time.sleep(delay)
    _compile("partial", 0)
    workers.freeze_heap()  # PyMC, PyTensor, nutpie and the compiled model: alive as long as the server


@st.cache_resource(show_spinner=False)
def _warm_up_job() -> Future:
    return _WARMER.submit(_warm_compile)


def warm_up() -> None:
    """Start compiling the partial-pooling model in the background, ``_WARM_UP_DELAY`` from now (``app_pages.shell``).

    Runs when the app is served by ``streamlit run`` (not under AppTest, whose
    test processes must not compile models they never sample), or whenever
    ``BELIEFS_MCMC_WARMUP=1``; ``BELIEFS_MCMC_WARMUP=0`` turns it off.
    """
    flag = os.environ.get("BELIEFS_MCMC_WARMUP", "auto")
    if flag == "1" or (flag == "auto" and workers.served()):
        _warm_up_job()


@st.cache_resource(show_spinner=False, max_entries=32)
def _quadrature_job(ks: tuple, ns: tuple, prior: float, h: tuple, not_h: tuple, kappa: tuple) -> Future:
    """The exact answer (2-D quadrature) for one data set and spread prior, computed once, in the background."""
    from beliefs.counts import quadrature_partial_pooling
    from beliefs.partial_pooling import KappaPrior

    spread = KappaPrior(*kappa)
    return _QUADRATURE.submit(quadrature_partial_pooling, list(ks), list(ns), prior, h, not_h, kappa_h=spread,
                              kappa_not_h=spread)  # fmt: skip


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    return fn(*args, **kwargs), time.perf_counter() - start


@st.cache_resource(show_spinner=False, max_entries=8)
def _partial_job(ks: tuple, ns: tuple, prior: float, h: tuple, not_h: tuple, kappa: tuple, draws: int) -> Future:
    """One partial-pooling fit (seeded, so the same for every session) and its wall time, in the background."""
    from beliefs.partial_pooling import KappaPrior
    from models.counts import mcmc_partial_pooling

    spread = KappaPrior(*kappa)
    return _SAMPLER.submit(_timed, mcmc_partial_pooling, list(ks), list(ns), prior, h, not_h, kappa_h=spread,
                           kappa_not_h=spread, **{**_MCMC, "draws": draws})  # fmt: skip


def _partial_args(ks, ns, prior, h, not_h, kappa) -> tuple:
    """The fit's arguments as plain values: the data page's counts, priors and spread prior (one model)."""
    draws = _MCMC["draws"] * st.session_state.get("mcmc_factor_partial", 1)
    return (tuple(int(k) for k in ks), tuple(int(n) for n in ns), float(prior), (h.alpha, h.beta),
            (not_h.alpha, not_h.beta), (kappa.median, kappa.log_sd), draws)  # fmt: skip


def start_partial(ks, ns, prior, h, not_h, kappa) -> None:
    """Start the live partial-pooling re-sample now, if it is on and its model compiled.

    The data page calls this as soon as it has the counts and priors, before
    its own Bayes factor and plot, so the draws are made meanwhile;
    :func:`render_mcmc_panel` then picks up the same job.  Counts not yet
    checked (a half-edited table) start nothing: the page reports them.
    """
    if not (st.session_state.get("mcmc_partial") and _compile_job("partial").done()):
        return
    try:
        check_counts(ks, ns)
        args = _partial_args(ks, ns, prior, h, not_h, kappa)
    except (InputError, TypeError, ValueError):
        return
    _partial_job(*args)


def _wait(job: Future, slot, what: str) -> float:
    """Wait for ``job`` showing the elapsed time; each update is a point where Streamlit can stop this run.

    Returns the seconds waited here."""
    start = time.perf_counter()
    while not job.done():
        slot.info(f"{what}… {time.perf_counter() - start:.1f} s", icon=":material/hourglass_top:")
        wait([job], timeout=_POLL)  # returns as soon as the job is done, not at the next poll
    slot.empty()
    return time.perf_counter() - start


def render_mcmc_panel(ks, ns, prior, h, not_h, *, kappa, exact_for_ledger, label: str, run_started: float) -> None:
    """The "MCMC (on request)" section of the data page for counts ``ks``/``ns``, rate priors ``h``/``not_h``
    and the page's spread prior ``kappa`` (the same model as the page's partial-pooling factor).

    ``exact_for_ledger()`` gives the page's partial-pooling result of these data, whose provenance an MCMC
    item carries into the ledger; ``run_started`` is when this script run began (the user's wait)."""
    st.subheader("MCMC (on request)")
    st.caption(
        "Partial pooling lets environments share a population rate per hypothesis; before/after fits the "
        "training's effect. Each model compiles once per server (in the background, from the first page shown) and then "
        "re-samples live as the data change."
    )
    c1, c2 = st.columns(2)
    with c1:
        if st.button("Run partial pooling", icon=":material/play_arrow:"):
            st.session_state["mcmc_partial"] = True
    with c2:
        if st.button("Run before/after training model", icon=":material/play_arrow:"):
            st.session_state["mcmc_before_after"] = True
    if st.session_state.get("mcmc_partial") or st.session_state.get("mcmc_before_after"):
        st.button("Stop live MCMC", on_click=_stop_mcmc, icon=":material/stop:")
    if st.session_state.get("mcmc_partial"):
        _partial(ks, ns, prior, h, not_h, kappa, exact_for_ledger, label, run_started)
    if st.session_state.get("mcmc_before_after"):
        _before_after()


def _stop_mcmc() -> None:
    for key in ("mcmc_partial", "mcmc_before_after", "mcmc_factor_partial", "mcmc_factor_before_after"):
        st.session_state.pop(key, None)


def _sample_longer(which: str) -> None:
    key = f"mcmc_factor_{which}"
    st.session_state[key] = min(_MAX_FACTOR, st.session_state.get(key, 1) * _LONGER)


def _offer_longer(which: str, draws: int) -> None:
    factor = st.session_state.get(f"mcmc_factor_{which}", 1)
    if factor < _MAX_FACTOR:
        st.button(
            f"Sample longer ({_LONGER}× the draws: {draws * _LONGER} per chain)",
            key=f"mcmc_longer_{which}",
            on_click=_sample_longer,
            args=(which,),
            icon=":material/fast_forward:",
        )
    else:
        st.caption(f"Already at {draws} draws per chain; the fit itself, not its length, is the problem.")


def _ready(kind: str, size: int, slot, what: str) -> float | None:
    """Seconds waited for the model's compilation in this run (0 if it was ready), None if it failed."""
    job = _compile_job(kind, size)
    waited = 0.0 if job.done() else _wait(job, slot, what)
    exc = job.exception()
    if exc is not None:
        _compile_job.clear()  # the next click tries again
        st.error(f"Compiling the model failed: {exc}")
        return None
    return waited


def add_to_ledger(make_item, label: str, key: str) -> None:
    """Append ``make_item()`` (an Evidence with its provenance, and whether its counts are the 2025 derived ones)
    to the ledger; the one place the data page's exact and MCMC results enter it (a button's callback, so a
    refusal is shown on the next run under ``{key}_error`` and a success under ``{key}_added``)."""
    from beliefs.io.catalogue import per_evaluation

    try:
        item, derived = make_item()
    except InputError as exc:
        st.session_state[f"{key}_error"] = str(exc)
        return
    if derived:  # the 2025 rates' counts: the item cites the paper they come from
        item = item.with_(source=per_evaluation().source)
    common.append_item(item)
    st.session_state[f"{key}_added"] = label


def _mcmc_item(res, exact_for_ledger, label: str):
    exact = exact_for_ledger()
    return res.to_evidence(label, exact), exact.derived


def _partial(ks, ns, prior, h, not_h, kappa, exact_for_ledger, label: str, run_started: float) -> None:
    from models.sampling import SamplingError, SamplingTimeout

    box = st.container(border=True)
    box.markdown("**Partial pooling (PyMC + nutpie)**")
    slot = box.empty()
    compile_wait = _ready("partial", 0, slot, "Compiling the partial-pooling model (once per server)")
    if compile_wait is None:
        return
    fit_args = _partial_args(ks, ns, prior, h, not_h, kappa)
    job = _partial_job(*fit_args)
    _wait(job, slot, "Sampling")
    waited = time.perf_counter() - run_started
    try:
        res, call_seconds = job.result()
    except (InputError, SamplingError) as exc:
        if isinstance(exc, SamplingTimeout):
            _partial_job.clear(*fit_args)  # a busy moment, not the data: the next run tries again
        box.error(str(exc))
        return
    args = {**_MCMC, "draws": fit_args[-1]}
    quad = _quadrature_job(*fit_args[:-1])
    with box:
        m1, m2, m3 = st.columns(3)
        # Percent, as every probability on every page; the MCSE in percentage points under it (in the
        # value itself it was cut off at 1280 px: "99.55% ± 0.01…").
        m1.metric(
            "P(H | data), MCMC",
            format_probability(res.posterior_log_odds),
            f"± {100 * res.mcse:.2g} pp (MCSE)",
            delta_color="off",
            delta_arrow="off",
            help="± the Monte Carlo standard error of the estimate, in percentage points.",
        )
        exact_slot, z_slot = m2.empty(), m3.empty()
        _diagnostics(res.r_hat, res.ess_bulk, res.divergences)
        warn_slot = st.container()
        _show_warnings(warn_slot, res.warnings)
        compiled = (f"compiling the model {compile_wait:.1f} s of it (once per server), "
                    if compile_wait >= 0.05 else "the model already compiled, ")  # fmt: skip
        st.caption(
            f"{_MCMC['chains']} chains × {args['draws']} draws; log10 BF = "
            f"{res.log10_bayes_factor:.4f} ± {res.log10_bayes_factor_mcse:.2g} (MCSE). "
            f"You waited {waited:.1f} s for this page with the estimate ({compiled}the MCMC call "
            f"{call_seconds:.3f} s, {res.seconds:.3f} s of it sampling; a fit seen before is reused)."
        )
        if not quad.done():
            _wait(quad, z_slot, "Exact value (quadrature) for z")
        try:
            exact = quad.result()
        except Exception as exc:  # the cross-check failing must not take the fit's numbers down with it
            exact_slot.caption(f"No exact value for these data: {exc}")
            exact = None
        if exact is not None:
            checked = res.with_exact(exact)
            exact_slot.metric("P(H | data), quadrature", format_probability(exact.log_posterior_odds))
            z_text = "n/a" if checked.z_vs_exact is None else f"{checked.z_vs_exact:+.2f}"
            z_slot.metric("z vs exact", z_text, "|z| > 4 fails the fit", delta_color="off", delta_arrow="off")
            if checked.warnings != res.warnings:
                _show_warnings(warn_slot, [w for w in checked.warnings if w not in res.warnings])
            res = checked
        if not res.converged:
            _offer_longer("partial", args["draws"])
        else:
            st.success(
                "Converged: r_hat ≤ 1.01, bulk ESS ≥ 400, no divergences"
                + (", within 4 MCSE of the exact value" if res.z_vs_exact is not None else ""),
                icon=":material/check_circle:",
            )
            if exact is not None:
                st.button("Add the MCMC estimate to the ledger", on_click=add_to_ledger,
                          args=(lambda: _mcmc_item(res, exact_for_ledger, label), label, "mcmc"),
                          icon=":material/playlist_add:")  # fmt: skip
        if "mcmc_added" in st.session_state:
            st.success(f"Added to the ledger: {st.session_state.pop('mcmc_added')} ({res.method_text()})")
        if "mcmc_error" in st.session_state:
            st.error(st.session_state.pop("mcmc_error"))
        _sensitivity_table(res, converged=res.converged)


def _diagnostics(r_hat: float, ess: float, divergences: int) -> None:
    d1, d2, d3 = st.columns(3)
    d1.metric("R-hat", f"{r_hat:.4f}")
    d2.metric("ESS (bulk)", f"{ess:.0f}")
    d3.metric("Divergences", str(divergences))


def _show_warnings(where, warnings: list[str]) -> None:
    for w in warnings:
        where.warning(f"Do not trust this number: {w}", icon=":material/warning:")


def _sensitivity_table(res, var_names=None, *, converged: bool = False) -> None:
    from models.sensitivity import CONVERGED_AND_SENSITIVE, EXPLANATION, prior_sensitivity

    try:
        sens = prior_sensitivity(res, var_names=var_names)
    except Exception as exc:  # a diagnostic must never take the fit's numbers down with it
        st.caption(f"Prior sensitivity not available: {exc}")
        return
    label = "Prior sensitivity (power-scaling)" + (f": {len(sens.flagged)} flagged" if sens.flagged else "")
    if converged and sens.flagged:
        st.caption(CONVERGED_AND_SENSITIVE)  # beside the green "Converged", outside the expander
    with st.expander(label, expanded=bool(sens.flagged)):
        st.caption(EXPLANATION)
        st.dataframe(
            [
                {"quantity": r.quantity, "prior": round(r.prior, 3), "likelihood": round(r.likelihood, 3),
                 "diagnosis": "ok" if r.diagnosis == "✓" else r.diagnosis}
                for r in sens.table
            ],
            hide_index=True,
        )


def _before_after() -> None:
    from beliefs.datasets import antischeming_counts  # plain NumPy

    v = common.values()
    if v["da_src"] != "2025":
        st.info("The before/after model uses the 2025 rates: switch the data to them.")
        return
    d = antischeming_counts(v["da_model"], int(v["da_n"]))
    kb, ka, n = d.k_before_derived, d.k_after_derived, d.n_assumed
    box = st.container(border=True)
    box.markdown("**Before/after training (PyMC + nutpie)**")
    slot = box.empty()
    if not _ready("before_after", len(kb), slot, "Compiling the before/after model (once per number of evaluations)"):
        return
    from models.before_after import fit_before_after
    from models.sampling import SamplingError

    factor = st.session_state.get("mcmc_factor_before_after", 1)
    args = {**_MCMC_BEFORE_AFTER, "draws": _MCMC_BEFORE_AFTER["draws"] * factor}
    slot.info("Sampling…", icon=":material/hourglass_top:")
    try:
        res = fit_before_after(kb, [n] * len(kb), ka, [n] * len(ka), pooling="partial", **args)
    except (InputError, SamplingError) as exc:
        slot.empty()
        box.error(str(exc))
        return
    slot.empty()
    with box:
        # Named for what they are (the library's labels), never "mean rate" beside the paper's aggregate.
        rows = {r["name"]: r for r in res.labelled_rows()}
        shown = [rows[name] for name in ("mean_before", "mean_after", "reduction") if name in rows]
        for col, row in zip(st.columns(len(shown)), shown, strict=True):
            ratio = row["name"] == "reduction"
            fmt = (lambda x: f"×{x:.3g}") if ratio else (lambda x: format_probability(log_odds(x)))
            col.metric(
                row["quantity"].capitalize(),
                fmt(row["median"]),
                f"90%: {fmt(row['q05'])} to {fmt(row['q95'])}",
                delta_color="off",
                delta_arrow="off",
                help=f"{row['statistic']}.",
            )
        st.caption(f"Each figure: {shown[0]['statistic'] if shown else ''}. {WHY_REDUCTION_DIFFERS}")
        st.caption(
            f"P(mean rate after > {res.threshold:g}) = {res.p_after_above_threshold:.3f} ± {res.p_after_above_threshold_mcse:.3f}"
        )
        diag = res.diagnostics
        _diagnostics(diag.max_r_hat, diag.min_ess_bulk, diag.divergences)
        _show_warnings(st, res.warnings)
        if res.warnings:
            _offer_longer("before_after", args["draws"])
        _sensitivity_table(res, list(res.summary), converged=not res.warnings)
