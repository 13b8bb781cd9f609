"""Closed forms against mpmath at 50 digits, at the edges of the double range.

Each test draws its inputs from a seeded generator (log-uniform over many
decades, plus the cases reported in issue 15) and compares with an answer
computed independently in mpmath with 50 significant digits (the log-gamma
references carry 40 guard digits, since differences of log-gammas of 1e20
cancel about 21 of them).  Tolerances are
relative (or absolute where the exact value is 0); the largest error found is
printed (``-s``) so the closing note can quote it.
"""

from __future__ import annotations

import math
import random
import sys

import mpmath as mp
import pytest

from beliefs import special
from beliefs.analysis.needed import needed
from beliefs.analysis.pool import pool
from beliefs.chain import chain_success
from beliefs.counts import no_pooling_log_bf
from beliefs.errors import InputError
from beliefs.monitoring import monitor_risk
from beliefs.update import update, update_by_log_bf

mp.mp.dps = 50
N_RANDOM = 400  # inputs per closed form


def _rel(got: float, ref) -> float:
    ref = mp.mpf(ref)
    if ref == 0:
        return float(abs(mp.mpf(got)))
    return float(abs((mp.mpf(got) - ref) / ref))


def _report(name: str, worst: float, n: int) -> None:
    print(f"[precision] {name}: {n} inputs, largest relative error {worst:.3g}", file=sys.stderr)


# -- references (mpmath only; no code shared with the library) --------------------------------------


# Differences of log-gammas of 1e20 lose ~21 of the digits: the references work at 50 digits *after* that.
_GUARD = 90


@mp.workdps(_GUARD)
def ref_log_bf(k, n, h, not_h):
    total = mp.mpf(0)
    for kj, nj in zip(k, n, strict=True):
        kj, mj = mp.mpf(kj), mp.mpf(nj) - mp.mpf(kj)
        for (a, b), sign in ((h, 1), (not_h, -1)):
            a, b = mp.mpf(a), mp.mpf(b)
            total += sign * (
                mp.loggamma(a + kj) + mp.loggamma(b + mj) - mp.loggamma(a + b + kj + mj)
                - mp.loggamma(a) - mp.loggamma(b) + mp.loggamma(a + b)
            )
    return total


@mp.workdps(_GUARD)
def ref_log_power_mean(a, b, n):
    a, b, n = mp.mpf(a), mp.mpf(b), mp.mpf(n)
    return mp.loggamma(a + n) + mp.loggamma(a + b) - mp.loggamma(a) - mp.loggamma(a + b + n)


# -- beta-binomial log Bayes factor -----------------------------------------------------------------

ISSUE_COUNTS = [
    ([10**11], [10**12], (1, 9), (1, 99)),  # the sign flip at 1e16-1e18, scaled to the supported range
    ([848973, 686, 1525, 669], [1000000, 10000, 1525, 1000], (4.513, 0.1617), (0.0357, 7.546)),
    ([3], [10], (1e17, 9e17), (1, 1)),
    ([0], [10**12], (1e-6, 1e-6), (2, 3)),
    ([5 * 10**14], [10**15], (0.5, 0.5), (3, 3)),
    ([1, 2, 0], [1, 2, 3], (2, 1), (1, 2)),
]


def _random_counts(rng: random.Random):
    n = int(10 ** rng.uniform(0, 15))
    k = rng.randint(0, n)

    def beta():
        return (10 ** rng.uniform(-6, 17), 10 ** rng.uniform(-6, 17))

    return [k], [n], beta(), beta()


def test_log_bf_matches_mpmath_to_1e_12():
    rng = random.Random(15)
    cases = ISSUE_COUNTS + [_random_counts(rng) for _ in range(N_RANDOM)]
    worst = 0.0
    for k, n, h, not_h in cases:
        got = special.log_bf_beta_binomial(k, n, h, not_h)
        ref = ref_log_bf(k, n, h, not_h)
        # Relative to the answer; a Bayes factor within 1e-12 of 1 is judged on the factor itself.
        err = float(abs(mp.mpf(got) - ref)) / max(float(abs(ref)), 1e-2)
        worst = max(worst, err)
        assert err <= 1e-12, (k, n, h, not_h, got, float(ref))
    _report("beta-binomial log BF", worst, len(cases))


def test_library_entry_points_use_the_exact_form():
    # no_pooling_log_bf and exact_no_pooling both agree with mpmath where betaln differences fail
    from beliefs.counts import exact_no_pooling

    k, n, h, not_h = [848973, 686, 1525, 669], [1000000, 10000, 1525, 1000], (4.513, 0.1617), (0.0357, 7.546)
    ref = ref_log_bf(k, n, h, not_h)
    assert _rel(no_pooling_log_bf(k, n, h, not_h), ref) <= 1e-14
    assert _rel(exact_no_pooling(k, n, 0.0684, h, not_h).log_bayes_factor, ref) <= 1e-14
    big = exact_no_pooling([10**11], [10**12], 0.5, (1, 9), (1, 99))
    assert big.log_bayes_factor > 0  # favours H, as the exact answer (+7.08 nats) does
    assert _rel(big.log_bayes_factor, ref_log_bf([10**11], [10**12], (1, 9), (1, 99))) <= 1e-12


@pytest.mark.parametrize("n", [10**16, 10**18, 10**30])
def test_counts_beyond_exact_range_are_refused(n):
    from beliefs.counts import exact_no_pooling

    with pytest.raises(InputError, match=r"n\[0\].*1000000000000000"):
        exact_no_pooling([1], [n], 0.5, (1, 9), (1, 99))
    with pytest.raises(InputError, match=r"n\[0\]"):
        no_pooling_log_bf(1, n, (1, 9), (1, 99))


# -- the chain's Beta mean ----------------------------------------------------------------------------


def test_chain_mean_and_failure_match_mpmath():
    rng = random.Random(16)
    cases = [(1e17, 1e17, 10), (1e15, 1e15, 10), (1e20, 1e20, 10), (1e9, 1.0, 1), (1e9, 1.0, 1000), (98, 2, 35)]
    cases += [
        (10 ** rng.uniform(-3, 20), 10 ** rng.uniform(-3, 20), rng.choice([rng.randint(1, 1000), int(10 ** rng.uniform(0, 5))]))
        for _ in range(N_RANDOM)
    ]
    worst = 0.0
    for a, b, n in cases:
        r = chain_success(1, n, per_step_beta=(a, b))
        ref = ref_log_power_mean(a, b, n)
        err = max(_rel(special.log_beta_power_mean(a, b, n), ref), _rel(r.p_failure, -mp.expm1(ref)))
        # p_success itself, unless it is below the smallest normal double (then it underflows towards 0)
        err = max(err, _rel(r.p_success, mp.exp(ref)) if ref > -700 else float(r.p_success > 1e-300))
        worst = max(worst, err)
        assert err <= 1e-13, (a, b, n, r.p_success, r.p_failure)
        assert 0 <= r.p_success <= 1 and 0 <= r.p_failure <= 1
    _report("chain mean (and p_failure)", worst, len(cases))


def test_issue_chain_case_is_half_to_the_tenth():
    r = chain_success(1, 10, per_step_beta=(1e17, 1e17))
    assert r.p_success == pytest.approx(0.5**10, rel=1e-14)
    assert r.to_dict()["p_failure"] == pytest.approx(1 - 0.5**10, rel=1e-15)


def test_point_chain_failure_keeps_its_digits():
    r = chain_success(1, 3, per_step=1 - 1e-12)
    ref = -mp.expm1(3 * mp.log(mp.mpf(1 - 1e-12)))  # the double nearest 1 - 1e-12, exactly
    assert _rel(r.p_failure, ref) <= 1e-12


# -- update, needed, pool, monitoring ----------------------------------------------------------------


def _log_uniform(rng, lo, hi):
    return 10 ** rng.uniform(lo, hi)


def test_update_posterior_matches_mpmath():
    rng = random.Random(17)
    worst = 0.0
    for _ in range(N_RANDOM):
        prior = rng.choice([_log_uniform(rng, -300, -0.31), 1 - _log_uniform(rng, -15, -0.31)])
        lrs = [_log_uniform(rng, -150, 150) for _ in range(rng.randint(1, 5))]
        r = update(prior, lrs)
        p = mp.mpf(prior)
        odds = p / (1 - p)
        for x in lrs:
            odds *= mp.mpf(x)
        ref_lo = mp.log(odds)
        # Each ln LR is rounded to its own ulp; a sum of +-300-nat terms cancels: judge against their scale.
        scale = abs(math.log(prior / (1 - prior))) + sum(abs(math.log(x)) for x in lrs)
        err = float(abs(mp.mpf(r.posterior_log_odds) - ref_lo)) / max(scale, 1.0)
        assert err <= 4.4e-16, (prior, lrs)
        ref_p = odds / (1 + odds)
        if ref_p > 1e-300:
            # exp of log-odds x carries its absolute error as relative error: the bound grows with the scale
            err_p = _rel(r.posterior, ref_p)
            assert err_p <= 2.2e-16 * (scale + 10), (prior, lrs, err_p)
            err = max(err, err_p)
        worst = max(worst, err)
    _report("update (posterior, log-odds)", worst, N_RANDOM)


def test_update_by_log_bf_matches_mpmath_beyond_the_float_range():
    # ln BF up to 1e5 nats (a factor of 10^43429): it enters update() as equal parts of <= 700 nats.
    rng = random.Random(21)
    worst = 0.0
    for _ in range(N_RANDOM):
        prior = rng.choice([_log_uniform(rng, -300, -0.31), 1 - _log_uniform(rng, -15, -0.31)])
        log_bf = rng.choice([-1, 1]) * _log_uniform(rng, -3, 5)
        r = update_by_log_bf(prior, log_bf)
        p = mp.mpf(prior)
        ref_lo = mp.log(p / (1 - p)) + mp.mpf(log_bf)
        scale = abs(math.log(prior / (1 - prior))) + abs(log_bf)
        # Each part is exp'ed and logged again: a few roundings of its own size, relative to the scale.
        err = float(abs(mp.mpf(r.posterior_log_odds) - ref_lo)) / max(scale, 1.0)
        assert err <= 1.1e-15, (prior, log_bf, err)
        ref_q = 1 / (1 + mp.exp(ref_lo))  # 1 - P(H | E), which keeps its digits where P(H | E) rounds to 1
        if ref_q > 1e-300 and abs(ref_lo) < 700:
            err_q = _rel(r.posterior_complement, ref_q)
            assert err_q <= 2.2e-16 * (scale + 10), (prior, log_bf, err_q)
        worst = max(worst, err)
    _report("update_by_log_bf (log-odds)", worst, N_RANDOM)


def test_needed_matches_mpmath():
    rng = random.Random(18)
    worst = 0.0
    for _ in range(N_RANDOM):
        p, t = (rng.uniform(1e-6, 1 - 1e-6) for _ in range(2))
        r = needed(p, t)
        ref = (mp.mpf(t) / (1 - mp.mpf(t))) / (mp.mpf(p) / (1 - mp.mpf(p)))
        err = _rel(r.likelihood_ratio, ref)
        worst = max(worst, err)
        assert err <= 1e-14, (p, t)
    assert needed(0.25, 0.75).likelihood_ratio == 9.0
    _report("needed (likelihood ratio)", worst, N_RANDOM)


def test_pool_matches_mpmath_and_normalises_weights():
    rng = random.Random(19)
    worst = 0.0
    for _ in range(N_RANDOM):
        m = rng.randint(1, 6)
        ps = [rng.uniform(1e-9, 1 - 1e-9) for _ in range(m)]
        ws = [_log_uniform(rng, -300, 300) for _ in range(m)]
        d = rng.uniform(0.5, 3)
        r = pool(ps, ws, extremize=d)
        wsum = mp.fsum(mp.mpf(w) for w in ws)
        x = d * mp.fsum(mp.mpf(w) * mp.log(mp.mpf(p) / (1 - mp.mpf(p))) for w, p in zip(ws, ps, strict=True)) / wsum
        ref = 1 / (1 + mp.exp(-x))
        err = _rel(r.pooled_probability, ref)
        worst = max(worst, err)
        assert err <= 1e-12, (ps, ws, d)
    assert pool([0.1, 0.2], [1e308, 1]).pooled_probability == pytest.approx(0.1, rel=1e-12)
    assert pool([0.1, 0.2], [5e-324, 5e-324]).pooled_probability == pytest.approx(1 / 7, rel=1e-14)
    assert pool([0.1, 0.2], [1e308, 1e308]).pooled_probability == pytest.approx(1 / 7, rel=1e-14)
    _report("pool (geometric mean of odds)", worst, N_RANDOM)


def test_monitoring_matches_mpmath():
    rng = random.Random(20)
    worst = 0.0
    for _ in range(N_RANDOM):
        rate, report, coll = _log_uniform(rng, -12, 0), 1 - _log_uniform(rng, -12, 0), rng.choice([0.0, _log_uniform(rng, -9, 0)])
        tasks = int(_log_uniform(rng, 0, 9))
        r = monitor_risk(rate, report, coll, tasks=tasks)
        u = mp.mpf(rate) * (mp.mpf(coll) + (1 - mp.mpf(coll)) * (1 - mp.mpf(report)))
        ref = -mp.expm1(tasks * mp.log1p(-u))
        err = _rel(r.p_unreported_any, ref)
        worst = max(worst, err)
        assert err <= 1e-12, (rate, report, coll, tasks)
    _report("monitoring (P(any unreported))", worst, N_RANDOM)


# -- building blocks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("t", [1e-300, 1e-12, 1e-5, 0.1, 0.49, -0.3, 0.99, 3.0, 1e5])
def test_log1pmx(t):
    ref = mp.log1p(mp.mpf(t)) - mp.mpf(t)
    assert _rel(special.log1pmx(t), ref) <= 4e-16


@pytest.mark.parametrize("z", [10.0, 10.5, 37.0, 1e3, 1e8, 1e17])
@mp.workdps(_GUARD)
def test_lgammacor(z):
    zz = mp.mpf(z)
    ref = mp.loggamma(zz) - (zz - mp.mpf(1) / 2) * mp.log(zz) + zz - mp.log(2 * mp.pi) / 2
    assert _rel(special.lgammacor(z), ref) <= 1e-14


@pytest.mark.parametrize(("a", "x"), [(1e-6, 3.0), (0.5, 1e12), (4.5, 7.0), (12.0, 0.5), (1e17, 10.0), (3.0, 0.0)])
def test_log_pochhammer(a, x):
    ref = mp.loggamma(mp.mpf(a) + mp.mpf(x)) - mp.loggamma(mp.mpf(a))
    got = special.log_pochhammer(a, x)
    assert float(abs(mp.mpf(got) - ref)) <= 1e-14 * max(1.0, float(abs(ref)))


def test_log_beta_ratio():
    for a, b, k, m in [(1, 1, 1, 0), (0.5, 2.5, 10, 3), (1e10, 3, 5, 1e9), (2, 2, 0, 0)]:
        ref = (
            mp.loggamma(mp.mpf(a) + k) + mp.loggamma(mp.mpf(b) + m) - mp.loggamma(mp.mpf(a) + b + k + m)
            - mp.loggamma(a) - mp.loggamma(b) + mp.loggamma(mp.mpf(a) + b)
        )
        assert float(abs(mp.mpf(special.log_beta_ratio(a, b, k, m)) - ref)) <= 1e-13 * max(1.0, float(abs(ref)))


def test_chain_curve_agrees_with_the_headline():
    from beliefs.chain import chain_curve

    c = chain_curve(1, 50, per_step_beta=(3.0, 0.5))
    for n in (0, 1, 17, 50):
        assert c.mean[n] == pytest.approx(chain_success(1, n, per_step_beta=(3.0, 0.5)).p_success, rel=1e-13)
    assert math.isclose(c.mean[0], 1.0)
