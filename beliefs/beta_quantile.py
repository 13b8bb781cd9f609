r"""Beta quantiles as :math:`\ln x` and :math:`\ln(1 - x)`, exact to about an ulp of the short side.

Split from :mod:`beliefs.special` (whose Stirling-series helpers it uses) so that each module stays one
concept: this one solves :math:`I_y(p, q) = u` for chains whose per-step survival is Beta.
"""

from __future__ import annotations

import math

import numpy as np

from beliefs.special import _HALF_LOG_2PI, _STIRLING, lgammacor, log1pmx

__all__ = ["beta_quantile_logs", "log_pochhammer_excess"]

# -- Beta quantiles as ln x and ln(1 - x) ---------------------------------------------------------------------
#
# The u-quantile x of Beta(a, b) is found on its short side: y = x when x <= 1/2 (Y = s ~ Beta(a, b)), else
# y = 1 - x (Y = 1 - s ~ Beta(b, a)), so y is held to a relative ulp and both ln x and ln(1 - x) keep their
# digits (n ln x for a chain of n steps needs ln x to ~1e-15 / n).  y solves I_y(p, q) = target by Newton's
# method inside a bracket, with the lower tail I_y(p, q) from its hypergeometric series
#     I_y(p, q) = y^p (1-y)^q / (p B(p, q)) * sum_k (p+q)_k / (p+1)_k y^k      (positive terms),
# whose prefactor is computed without cancellation (below).  SciPy's betainc is 1e-9 off for Beta(10, 1e9)
# in the upper tail and betaincinv returns one value for all u at Beta(1e12, 1e3); the series is accurate to
# ~1e-15 in I (tests: mpmath).  Beyond p = 1e4 the distribution is so concentrated that SciPy's error moves the
# quantile by less than an ulp (checked against mpmath); with both shapes >= 1e15 (where SciPy returns NaN
# near 1e308) the Cornish-Fisher expansion to second order is exact to ~p^-2.

_SERIES_MAX_P = 1e4
_BOTH_LARGE = 1e15
_GAMMA_LIMIT = 1e30  # q >= this (and p > 1e6): q Y is Gamma(p) to within 1e-15
_HUMP_FAR = 40.0  # a series whose largest term is this many sqrt(p) terms out: y is > 20 sd above the mean
_DEKKER = 134217729.0  # 2**27 + 1


def _two_sum(x: float, y: float) -> tuple[float, float]:
    s = x + y
    bb = s - x
    return s, (x - (s - bb)) + (y - bb)


def _two_product(x: float, y: float) -> tuple[float, float]:
    # Dekker: x * y = p + e exactly (no fma in Python 3.12)
    p = x * y
    cx, cy = _DEKKER * x, _DEKKER * y
    xh, yh = cx - (cx - x), cy - (cy - y)
    xl, yl = x - xh, y - yh
    return p, ((xh * yh - p) + xh * yl + xl * yh) + xl * yl


def log_pochhammer_excess(q: float, p: float) -> float:
    r""":math:`\ln\Gamma(q + p) - \ln\Gamma(q) - p \ln q` for :math:`q \ge 10`, from Stirling's series without cancellation.

    >>> round(log_pochhammer_excess(1e9, 10.0), 15)  # about p (p - 1) / (2 q)
    4.5e-08
    """
    return q * log1pmx(p / q) + (p - 0.5) * math.log1p(p / q) + lgammacor(q + p) - lgammacor(q)


def _log_beta_fn(p: float, q: float) -> float:
    # ln B(p, q) for p < 10 (used where a quantile is below the double range)
    if q >= _STIRLING:
        return math.lgamma(p) - p * math.log(q) - log_pochhammer_excess(q, p)
    return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)


def _log_lower_prefactor(p: float, q: float, y: float) -> float:
    r""":math:`\ln[y^p (1-y)^q / (p\,B(p, q))]` for :math:`0 < y \le 1/2`.

    With both shapes >= 10, around the mean :math:`m = p/N`, :math:`N = p + q`:
    :math:`\tfrac12\ln\frac{pq}{2\pi N} - \omega(p) - \omega(q) + \omega(N) + p\,\mathrm{log1pmx}(e_1) + q\,\mathrm{log1pmx}(e_2) - \ln p`
    with :math:`e_1 = y/m - 1`, :math:`e_2 = (1-y)/(1-m) - 1` (the linear terms :math:`p e_1 + q e_2` cancel
    exactly; the rounding of :math:`m` is put back from its exact residual, found with Dekker's product).
    """
    if p >= _STIRLING and q >= _STIRLING:
        n, n_err = _two_sum(p, q)
        m, mq = p / n, q / n
        scale = 2.0**-64 if n > 1e290 else 1.0  # keeps Dekker's splitting finite; exact (a power of two)
        h1, l1 = _two_product(scale * n, m)
        h2, l2 = _two_product(scale * n, mq)
        r1 = ((scale * p - h1) - l1) / scale - n_err * m  # p - (p + q) m, exactly to first order
        r2 = ((scale * q - h2) - l2) / scale - n_err * mq
        s, s_err = _two_sum(m, mq)
        e1 = (y - m) / m
        e2 = ((m - y) + ((1.0 - s) - s_err)) / mq  # (1 - y - mq) / mq with 1 - m - mq put back
        rounding = (y - m) * (r1 / m - r2 / mq)
        return (
            0.5 * (math.log(p) + math.log(q) - math.log(n)) - _HALF_LOG_2PI
            - (lgammacor(p) + lgammacor(q) - lgammacor(n)) + rounding
            + p * log1pmx(e1) + q * log1pmx(e2) - math.log(p)
        )
    if q >= _STIRLING:
        # p ln(q y) - q y: the large parts of p ln y and ln B(p, q) cancel algebraically
        qy = q * y
        return p * math.log(qy) - qy + q * log1pmx(-y) + log_pochhammer_excess(q, p) - math.lgamma(p + 1.0)
    if p >= _STIRLING:
        return (
            p * math.log(y) + q * math.log1p(-y) - math.log(p) - math.lgamma(q) + q * math.log(p)
            + log_pochhammer_excess(p, q)
        )
    return p * math.log(y) + q * math.log1p(-y) - math.log(p) - (math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q))


def _lower_tail(p: float, q: float, y: float) -> float:
    """I_y(p, q) for 0 < y <= 1/2."""
    if p > _SERIES_MAX_P:
        from scipy import special

        return float(special.betainc(p, q, y))
    n = p + q
    if (n * y - p - 1.0) / (1.0 - y) > _HUMP_FAR * math.sqrt(p) + 50.0:
        return 1.0  # y is more than ~20 sd above the mean: the upper tail is below 1e-88
    log_pre = _log_lower_prefactor(p, q, y)
    sums, start, last = [], 0, 1.0
    chunk = 64 + int(8.0 * math.sqrt(p))
    while True:
        k = np.arange(start, start + chunk, dtype=float)
        ratios = (n + k) * y / (p + 1.0 + k)
        terms = last * np.cumprod(np.concatenate(([1.0], ratios)))
        sums.append(terms[:-1])
        last = float(terms[-1])
        start += chunk
        if ratios[-1] < 1.0 and last <= 1e-17 * sum(float(t.sum()) for t in sums):
            break
    return math.exp(log_pre) * math.fsum(np.concatenate(sums).tolist())


def _tail_slope(p: float, q: float, y: float) -> float:
    # dI_y/dy = y^(p-1) (1-y)^(q-1) / B(p, q) = p * prefactor / (y (1 - y))
    return p * math.exp(_log_lower_prefactor(p, q, y)) / (y * (1.0 - y))


def _solve_short_side(p: float, q: float, target: float) -> float:
    """y in (0, 1/2] with I_y(p, q) = target (the short side was chosen so that I_{1/2} >= target); 0.0 below 1e-300."""
    from scipy import special

    def resid(y: float) -> float:
        return _lower_tail(p, q, y) - target

    guess = float(special.betaincinv(p, q, target))
    y0 = guess if 0.0 < guess <= 0.5 else min(0.25, p / (p + q))
    # SciPy's guess is usually right to an ulp or two: a few plain Newton steps finish it; a step that grows
    # or leaves (0, 1/2] (a wrong guess: Beta(1e12, 1e3)) falls back to bracketing below.
    y, last = y0, math.inf
    for _ in range(4):
        slope = _tail_slope(p, q, y)
        step = resid(y) / slope if slope > 0 and math.isfinite(slope) else math.nan
        if not abs(step) < last or not 0.0 < y - step <= 0.5:
            break
        y, last = y - step, abs(step)
        if last <= 2.5e-16 * y:
            return y
    r0 = resid(y0)
    if r0 == 0.0:
        return y0
    lo, hi = (y0, 0.5) if r0 < 0 else (None, y0)
    step = 1e-6
    if r0 < 0:  # bracket upwards from the guess, in ln y
        while True:
            y = min(0.5, y0 * math.exp(step))
            if y == 0.5 or resid(y) >= 0:
                hi = y
                break
            lo, step = y, 8 * step
        if hi == 0.5 and resid(0.5) <= 0:
            return 0.5  # the quantile is 1/2 to within rounding (a symmetric Beta's median)
    else:  # downwards
        while lo is None:
            y = y0 * math.exp(-step)
            if y < 1e-300:
                if resid(1e-300) > 0:
                    return 0.0
                lo = 1e-300
                break
            if resid(y) <= 0:
                lo = y
            else:
                hi, step = y, 8 * step
    y = y0 if lo <= y0 <= hi else math.sqrt(lo * hi)
    for _ in range(200):
        r = resid(y)
        if r == 0.0:
            return y
        if r < 0:
            lo = y
        else:
            hi = y
        slope = _tail_slope(p, q, y)
        step_y = r / slope if slope > 0 and math.isfinite(slope) else math.nan
        nxt = y - step_y
        if not lo < nxt < hi:
            nxt = math.sqrt(lo * hi) if hi > 2 * lo else 0.5 * (lo + hi)
        if abs(nxt - y) <= 2.5e-16 * y or hi - lo <= 2.3e-16 * lo:
            return nxt
        y = nxt
    return y


def _cornish_fisher_logs(a: float, b: float, u: float) -> tuple[float, float]:
    # Both shapes >= 1e15: x = m + sd (z + g1 (z^2-1)/6 + g2 (z^3-3z)/24 - g1^2 (2z^3-5z)/36), error ~ sd / min(a, b)^1.5
    from scipy import special

    m, mq = 1.0 / (1.0 + b / a), 1.0 / (1.0 + a / b)  # mean and 1 - mean, finite even when a + b overflows
    root_n = math.sqrt(a) * math.sqrt(1.0 + b / a)
    v = m * mq
    sd = math.sqrt(v) / root_n
    g1 = 2.0 * (mq - m) / (root_n * math.sqrt(v))
    g2 = 6.0 * ((mq - m) ** 2 - v) / (v * root_n * root_n)
    z = float(special.ndtri(u))
    w = z + g1 * (z * z - 1) / 6 + g2 * (z**3 - 3 * z) / 24 - g1 * g1 * (2 * z**3 - 5 * z) / 36
    return math.log(m + sd * w), math.log(mq - sd * w)


def beta_quantile_logs(alpha: float, beta: float, u: float) -> tuple[float, float]:
    r"""``(ln x, ln(1 - x))`` for the ``u``-quantile :math:`x` of :math:`\mathrm{Beta}(\alpha, \beta)`, ``0 < u < 1``.

    Both logarithms keep their digits at either end (:math:`x = 10^{-400}` or :math:`1 - 10^{-20}`), so
    the quantile of :math:`s^n`, :math:`n \ln x`, is exact to ~1e-15 relative for any :math:`n`.

    >>> [round(math.exp(v), 12) for v in beta_quantile_logs(2.0, 1.0, 0.25)]  # x = sqrt(u)
    [0.5, 0.5]
    """
    a, b, u = float(alpha), float(beta), float(u)
    if min(a, b) >= _BOTH_LARGE:
        return _cornish_fisher_logs(a, b, u)
    if min(a, b) > _SERIES_MAX_P and max(a, b) >= _GAMMA_LIMIT:
        flipped = a > b  # all the mass is within 1e-9 (relative) of the mean a / (a + b)
    else:
        flipped = u > _lower_tail(a, b, 0.5)
    p, q, target = (b, a, 1.0 - u) if flipped else (a, b, u)
    if p > _SERIES_MAX_P and q >= _GAMMA_LIMIT:
        # q Y ~ Gamma(p) up to relative O(q^-1/2 + p/q) < 1e-15 (SciPy's betainc is NaN out here)
        from scipy import special

        log_y = math.log(float(special.gammaincinv(p, target))) - math.log(q)
        y = math.exp(log_y)
    else:
        y = _solve_short_side(p, q, target)
        if y == 0.0:  # below the double range: I_y ~ y^p / (p B(p, q)) there
            log_y = (math.log(target) + math.log(p) + _log_beta_fn(p, q)) / p
        else:
            log_y = math.log(y)
    log_rest = math.log1p(-y)
    return (log_rest, log_y) if flipped else (log_y, log_rest)
