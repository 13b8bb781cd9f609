"""The chain's and the monitor's logarithms against mpmath (issue 25 items 1, 4, 5).

Every closed form is computed as a log, so its JSON carries ``log10_`` twins of
the probabilities that underflow to 0 or round to 1.  Here each is compared
with an answer computed in mpmath from the same double inputs, with no code
shared with the library: ln P of the chain from the product itself, the Beta
mean from log-gammas at as many digits as their difference needs, each Beta
quantile by Newton's method on the incomplete Beta function (mpmath's own for
small shapes, its quadrature of the density for large ones), and the monitor's
(1 - u)^T.  Inputs are drawn by hypothesis so that the answers span 1e-300 to
1e-10000 (and beyond) and 1 - 1e-300; the largest relative error found is
printed (``-s``) for the closing note.
"""

from __future__ import annotations

import math
import sys

import mpmath as mp
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from beliefs import beta_quantile, special
from beliefs.chain import chain_success
from beliefs.monitoring import monitor_risk

LOG10_TOL = 1e-12  # what the issue asks of every log10_ key, relative
WORST: dict[str, float] = {}


def _rel(got, ref) -> float:
    ref = mp.mpf(ref)
    if ref == 0:
        return float(abs(mp.mpf(got)))
    return float(abs((mp.mpf(got) - ref) / ref))


def _log10_error(got: float | None, ref_ln) -> float:
    """Relative error of a JSON log10 value against an exact natural log (None stands for ln 0)."""
    if ref_ln == -mp.inf:
        return 0.0 if got is None else math.inf
    ref = mp.mpf(ref_ln) / mp.log(10)
    if abs(ref) < mp.mpf("1e-300"):
        # the log10 itself is beyond the double range (a probability within 1e-300 of 1): it rounds to 0
        return float(abs(mp.mpf(got or 0.0) - ref) / mp.mpf("1e-300"))
    return _rel(got, ref)


def _track(name: str, err: float) -> float:
    WORST[name] = max(WORST.get(name, 0.0), err)
    return err


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    for name, err in sorted(WORST.items()):
        print(f"[precision] {name}: largest relative error {err:.3g}", file=sys.stderr)


# -- references (mpmath only) ------------------------------------------------------------------------------------


def ref_log1mexp(log_p):
    """ln(1 - e^L) in mpmath; log1p of a tiny e^L keeps it (1 - 1e-301 is 1 at any fixed precision)."""
    return mp.log1p(-mp.exp(log_p)) if log_p < -1 else mp.log(-mp.expm1(log_p))


def ref_chain_point(base: float, s: float, n: int):
    """(ln P, ln(1 - P)) of base * s^n, at 60 digits from the doubles given."""
    with mp.workdps(60):
        log_p = mp.log(base) + n * mp.log(s) if n else mp.log(base)
        return log_p, ref_log1mexp(log_p)


def ref_log_power_mean(a: float, b: float, n: int):
    """ln B(a+n, b) - ln B(a, b) = -sum_k b^k/k! [psi^(k-1)(a+n) - psi^(k-1)(a)] for b << a (a series in b);
    otherwise from log-gammas with as many digits as their difference loses."""
    if n == 0:
        return mp.mpf(0)
    with mp.workdps(60):
        a_, b_, n_ = mp.mpf(a), mp.mpf(b), mp.mpf(n)
        if b < 1e-8 * min(a, 1.0):
            return -mp.fsum(b_**k / mp.factorial(k) * (mp.psi(k - 1, a_ + n_) - mp.psi(k - 1, a_)) for k in range(1, 10))
    digits = 50
    while True:
        with mp.workdps(digits + 20):
            a_, b_, n_ = mp.mpf(a), mp.mpf(b), mp.mpf(n)
            terms = (mp.loggamma(a_ + n_), mp.loggamma(a_ + b_), mp.loggamma(a_), mp.loggamma(a_ + b_ + n_))
            value = terms[0] + terms[1] - terms[2] - terms[3]
            lost = int(mp.log10((max(abs(t) for t in terms) + 1) / abs(value))) + 1 if value != 0 else digits + 60
            if lost + 40 <= digits:
                return +value
        digits = lost + 60


def _beta_tail(p, q, y):
    """P(Y <= y) for Y ~ Beta(p, q), mp numbers: mpmath's own below 1000, else its quadrature of the density."""
    if p + q < 1000:
        return mp.betainc(p, q, 0, y, regularized=True)
    lb = mp.loggamma(p) + mp.loggamma(q) - mp.loggamma(p + q)
    if p < 1:  # t = v^(1/p) takes the t^(p-1) singularity out: the integrand is (1 - v^(1/p))^(q-1) / (p B)
        top = y**p
        cuts = sorted({mp.mpf(0), top} | {(k / q) ** p for k in (mp.mpf("0.01"), 0.1, 1, 3, 10, 30, 100) if (k / q) ** p < top})
        return mp.quad(lambda v: mp.exp((q - 1) * mp.log1p(-(v ** (1 / p)))), cuts) / (p * mp.exp(lb))
    mean = p / (p + q)
    sd = mp.sqrt(p * q / ((p + q) ** 2 * (p + q + 1)))
    cuts = {y + k * sd for k in (-1, -3, -8, -20, -50)} | {mean + k * sd for k in (-1, -3, -8, -20, -50, 0)}
    points = sorted({mp.mpf(0), y} | {c for c in cuts if 0 < c < y})
    return mp.quad(lambda t: mp.exp((p - 1) * mp.log(t) + (q - 1) * mp.log1p(-t) - lb), points)


def ref_beta_quantile_log(a: float, b: float, u: float, start: tuple[float, float]):
    """ln x and ln(1 - x) for the u-quantile x of Beta(a, b), by Newton's method on the short side.

    ``start`` is (ln x, ln(1 - x)) to begin from; the side whose log is smaller is solved for.
    """
    with mp.workdps(30 + int(math.log10(a + b + 10))):
        flipped = start[1] < start[0]
        p, q = (mp.mpf(b), mp.mpf(a)) if flipped else (mp.mpf(a), mp.mpf(b))
        target = 1 - mp.mpf(u) if flipped else mp.mpf(u)
        y = mp.exp(mp.mpf(min(start)))
        lb = mp.loggamma(p) + mp.loggamma(q) - mp.loggamma(p + q)
        for _ in range(3):
            density = mp.exp((p - 1) * mp.log(y) + (q - 1) * mp.log1p(-y) - lb)
            y -= (_beta_tail(p, q, y) - target) / density
        cond = float(1 / (y * density))  # relative change of y per unit change of I_y: the problem's conditioning
        logs = (mp.log1p(-y), mp.log(y)) if flipped else (mp.log(y), mp.log1p(-y))
        return (*logs, cond)


# -- the chain with a point survival: ln P = ln b + n ln s ------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    log10_target=st.floats(-12000.0, -1.0),
    n=st.integers(1, 10**15),
    base=st.sampled_from([1.0, 0.9, 1 - 2**-52, 1e-300]) | st.floats(1e-300, 1.0),
)
@example(log10_target=-8773.92, n=10**6, base=1.0)  # the issue's 0.98 over a million steps
def test_point_chain_logs_match_mpmath(log10_target, n, base):
    s = 10.0 ** (log10_target / n)  # a double whose n-th power lands where the strategy aims
    if not 0 < s < 1:
        return
    out = chain_success(base, n, per_step=s).to_dict()
    ref_p, ref_q = ref_chain_point(base, s, n)
    assert _track("chain point log10_p_success", _log10_error(out["log10_p_success"], ref_p)) <= LOG10_TOL
    assert _track("chain point log10_p_failure", _log10_error(out["log10_p_failure"], ref_q)) <= LOG10_TOL
    if ref_p > math.log(1e-300):  # where the answer is a double, the double too
        assert _track("chain point p_success", _rel(out["p_success"], mp.exp(ref_p))) <= 1e-12


# -- the chain with a Beta survival: the mean ---------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(-3.0, 20.0).map(lambda e: 10.0**e),
    b=st.floats(-300.0, 12.0).map(lambda e: 10.0**e),
    n=st.integers(0, 15).flatmap(lambda e: st.integers(10**e // 10, 10**e)),
)
@example(a=1e6, b=1e4, n=10**5)  # the issue's Beta case: 9.75e-413
@example(a=1e308, b=1e308, n=10)  # issue 22.6: 0.5^10, not 1
@example(a=1.0, b=1e-300, n=10**8)  # a mean within 1e-298 of 1
@example(a=3.87, b=3.1e-299, n=140934571306314)  # each term below the smallest normal double
def test_beta_chain_mean_logs_match_mpmath(a, b, n):
    out = chain_success(1.0, n, per_step_beta=(a, b)).to_dict()
    ref = ref_log_power_mean(a, b, n)
    with mp.workdps(60):
        ref_q = ref_log1mexp(ref) if n else -mp.inf
    assert _track("chain Beta mean log10_p_success", _log10_error(out["log10_p_success"], ref)) <= LOG10_TOL
    assert _track("chain Beta mean log10_p_failure", _log10_error(out["log10_p_failure"], ref_q)) <= LOG10_TOL
    if ref > math.log(1e-300):
        assert _track("chain Beta mean p_success", _rel(out["p_success"], mp.exp(ref))) <= 1e-12


def test_block_sum_equals_the_product_term_by_term():
    # The blocks (Taylor series about each block's centre) against the plain sum of every term, where that is cheap.
    for a, b, n in [(0.3, 4.0, 200_000), (50.0, 2.0, 300_000), (1e-3, 1e-3, 100_000), (7.0, 1e5, 150_000)]:
        terms = [math.log1p(-b / (a + b + i)) if b / (a + b + i) < 0.5 else math.log((a + i) / (a + b + i)) for i in range(n)]
        assert special.log_beta_power_mean(a, b, n) == pytest.approx(math.fsum(terms), rel=2e-15)


# -- the chain with a Beta survival: median and interval -----------------------------------------------------


# (alpha, beta, steps): Betas the quantile must get right to ~1e-15 in ln Q, and where SciPy's inverse does not
QUANTILE_CASES = [
    (1e6, 1e4, 100_000),  # the issue's case: median 6.78e-433
    (98.0, 2.0, 35),
    (1e9, 10.0, 10**8),  # SciPy's betaincinv is 1e-9 off in this tail
    (1e12, 1e3, 10**9),  # ... and gives one value for every u here
    (0.5, 0.5, 7),
    (2.0, 98.0, 3),
    (3.0, 5.0, 1000),
]


@settings(max_examples=12, deadline=None)
@given(
    a=st.floats(-1.0, 7.0).map(lambda e: 10.0**e),
    b=st.floats(-1.0, 7.0).map(lambda e: 10.0**e),
    n=st.integers(1, 10**9),
    u=st.sampled_from([0.05, 0.5, 0.95]),
)
def test_beta_chain_quantiles_match_mpmath(a, b, n, u):
    _check_quantile(a, b, n, u)


@pytest.mark.parametrize(("a", "b", "n"), QUANTILE_CASES)
def test_beta_chain_quantiles_at_the_hard_cases(a, b, n):
    for u in (0.05, 0.5, 0.95):
        _check_quantile(a, b, n, u)


def _check_quantile(a, b, n, u):
    r = chain_success(1.0, n, per_step_beta=(a, b), interval=0.9)
    got = {0.5: r.log_median, 0.05: r.log_interval[0], 0.95: r.log_interval[1]}[u]
    ln_x, ln_1mx = beta_quantile.beta_quantile_logs(a, b, u)
    ref_x, ref_1mx, cond = ref_beta_quantile_log(a, b, u, (ln_x, ln_1mx))
    # Exact to the conditioning of the problem: an error of ~1e-16 in I_y moves the short side y by
    # 1e-16 * cond relative, cond = 1 / (y pdf(y)) (about 1/shape for a shape below 1).
    allowed = 1e-14 * (1 + cond)
    err = max(_rel(ln_x, ref_x), _rel(ln_1mx, ref_1mx))
    _track("Beta quantile ln x and ln(1-x)", err)
    assert _track("Beta quantile ln x and ln(1-x), per (1 + cond)", err / (1 + cond)) <= 1e-14, (a, b, u, err, cond)
    # ln Q(s^n) = n ln x: what the chain reports; its log10 to 1e-12, its value to 1e-12 where it is a double
    ref_log_q = n * ref_x
    assert _track("chain Beta log10 quantile", _rel(got / math.log(10), ref_log_q / mp.log(10))) <= max(LOG10_TOL, allowed)
    if ref_log_q > math.log(1e-300):
        value = {0.5: r.median, 0.05: r.interval[0], 0.95: r.interval[1]}[u]
        # exp carries the log's absolute error: |n ln x| (up to 708) times its relative error
        assert _track("chain Beta quantile value", _rel(value, mp.exp(ref_log_q))) <= max(1e-12, allowed * abs(float(ref_log_q)))


# -- untrusted monitoring: ln P(all reported, or none) = T log1p(-u) ------------------------------------------


def ref_monitor(rate, report, collusion, tasks):
    """(ln P(at least one unreported), ln P(all reported or none)) at 60 digits."""
    with mp.workdps(60):
        u = mp.mpf(rate) * (mp.mpf(collusion) + (1 - mp.mpf(collusion)) * (1 - mp.mpf(report)))
        if tasks == 0 or u == 0:
            return -mp.inf, mp.mpf(0)
        log_none = tasks * mp.log1p(-u)
        return ref_log1mexp(log_none), log_none


@settings(max_examples=80, deadline=None)
@given(
    rate=st.floats(-300.0, 0.0).map(lambda e: 10.0**e),
    miss=st.floats(-15.0, 0.0).map(lambda e: 10.0**e),
    collusion=st.sampled_from([0.0]) | st.floats(-12.0, -0.1).map(lambda e: 10.0**e),
    log10_tasks=st.floats(0.0, 15.0),
)
@example(rate=0.31134, miss=1 - 0.9860705183, collusion=0.0, log10_tasks=math.log10(73765))  # the issue's case
# u = 1 - 1.2e-7: ln(1 - u) from the double u kept 9 digits (3.6e-10 relative, found by CI's hypothesis run)
@example(rate=1.0, miss=0.9999998627552429, collusion=0.1, log10_tasks=0.0)
@example(rate=1.0, miss=0.9999998627552429, collusion=0.1, log10_tasks=2.0)
def test_monitor_logs_match_mpmath(rate, miss, collusion, log10_tasks):
    report, tasks = 1.0 - miss, int(10**log10_tasks)
    out = monitor_risk(rate, report, collusion, tasks=tasks).to_dict()
    ref_any, ref_none = ref_monitor(rate, report, collusion, tasks)
    err_any = _log10_error(out["log10_p_unreported_any"], ref_any)
    err_none = _log10_error(out["log10_p_all_reported_or_none"], ref_none)
    assert _track("monitor log10_p_unreported_any", err_any) <= LOG10_TOL, (rate, report, collusion, tasks)
    assert _track("monitor log10_p_all_reported_or_none", err_none) <= LOG10_TOL, (rate, report, collusion, tasks)
    if ref_none > math.log(1e-300):
        assert _track("monitor p_all_reported_or_none", _rel(out["p_all_reported_or_none"], mp.exp(ref_none))) <= 1e-12
    if ref_any > math.log(1e-300):
        assert _track("monitor p_unreported_any", _rel(out["p_unreported_any"], mp.exp(ref_any))) <= 1e-12


def test_the_issue_monitor_case_is_5_8e_minus_140():
    out = monitor_risk(0.31134, 0.9860705183, 0.0, tasks=73765).to_dict()
    _, ref_none = ref_monitor(0.31134, 0.9860705183, 0.0, 73765)
    assert _rel(out["p_all_reported_or_none"], mp.exp(ref_none)) <= 1e-13
    assert out["p_all_reported_or_none"] == pytest.approx(5.823e-140, rel=1e-3)
    assert out["p_unreported_any"] == 1.0 and out["log10_p_unreported_any"] < 0  # 1 - 5.8e-140: a double rounds it
