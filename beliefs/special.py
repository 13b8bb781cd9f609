r"""Log-gamma and log-Beta *differences* without cancellation.

``betaln(a + k, b + n - k) - betaln(a, b)`` computed as two large numbers
subtracted loses everything once ``n`` or ``a, b`` are large: at ``n = 1e6``
scipy's ``betaln`` is off by ~3e-9 absolute, at ``n = 1e16`` the Bayes factor
of two hypotheses even changes sign, and a Beta(1e17, 1e17) chain mean came
out as 2e222.  Here every difference is rearranged so that only small,
same-scale quantities are added.

The building block is the *reduced log Pochhammer symbol*

.. math::

    G(a, x) = \ln\Gamma(a + x) - \ln\Gamma(a) - (x \ln x - x),

whose subtracted part :math:`x\ln x - x` depends on the count only, so it
cancels *exactly* (algebraically, not numerically) between two hypotheses and
between the two Gammas of a Beta mean.  With Stirling's series
:math:`\ln\Gamma(z) = (z-\tfrac12)\ln z - z + \tfrac12\ln 2\pi + \omega(z)`
(:math:`\omega` = R's ``lgammacor``):

* :math:`a \ge 10`: :math:`G = (a-\tfrac12)\,\mathrm{log1p}(x/a) + x\,\mathrm{log1p}(a/x) + \omega(a+x) - \omega(a)`
  (every term is positive for :math:`a > \tfrac12`: nothing cancels);
* :math:`a < 10 \le x`: :math:`G = (a-\tfrac12)\ln(a+x) + x\,\mathrm{log1pmx}(a/x) + \tfrac12\ln 2\pi + \omega(a+x) - \ln\Gamma(a)`
  with :math:`\mathrm{log1pmx}(t) = \ln(1+t) - t` from a series;
* both small: the definition, with ``math.lgamma``.

Counts are refused above :data:`MAX_EXACT_COUNT` (1e15, below 2**53 so every
count is an exact double); up to there the tests find a relative error of the
log Bayes factor below 1e-13 against mpmath at 50 digits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

import numpy as np

from beliefs.errors import InputError

__all__ = [
    "BEYOND_EXACT",
    "MAX_EXACT_COUNT",
    "beta_binomial_terms",
    "beta_power_mean",
    "digamma_remainder",
    "lgammacor",
    "log1pmx",
    "log_beta_power_mean",
    "log_beta_power_mean_curve",
    "log_beta_ratio",
    "log_bf_beta_binomial",
    "log_bf_beta_vs_point",
    "log_bf_point_vs_point",
    "log_excess_binomial",
    "log_pochhammer",
    "reduced_log_pochhammer",
]

MAX_EXACT_COUNT = 10**15  # < 2**53: every count is an exact double, and the tests cover it
BEYOND_EXACT = "the exact Bayes factor is computed for up to 1e15 rollouts per environment; beyond that it is refused"
_STIRLING = 10.0  # z >= 10: eight terms of Stirling's series are exact to ~1e-17 absolute
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
# B_{2j} / (2j (2j-1)), j = 1..8, highest order first for Horner's rule
_OMEGA = (-3617 / 122400, 1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12)
_PRODUCT_COUNTS = 10_000  # environments with at most this many rollouts use the exact product form


def log1pmx(t: float) -> float:
    r""":math:`\ln(1+t) - t` for :math:`t > -1`, accurate when :math:`t` is small.

    With :math:`r = t/(2+t)`, :math:`\ln(1+t) = 2\,\mathrm{atanh}\,r`, so
    :math:`\ln(1+t) - t = -rt + 2\sum_{j\ge1} r^{2j+1}/(2j+1)`.

    >>> log1pmx(1e-10)  # -t**2/2 + t**3/3 - ...
    -4.999999999666667e-21
    """
    if not -0.5 <= t <= 1.0:
        return math.log1p(t) - t
    r = t / (2.0 + t)
    r2 = r * r
    term, total, j = r * r2, 0.0, 1
    while True:
        add = term / (2 * j + 1)
        total += add
        if abs(add) <= 1e-17 * abs(total):
            break
        term *= r2
        j += 1
    return 2.0 * total - r * t


def lgammacor(z: float) -> float:
    r"""Stirling's remainder :math:`\omega(z) = \ln\Gamma(z) - (z-\tfrac12)\ln z + z - \tfrac12\ln 2\pi`, for :math:`z \ge 10`.

    >>> abs(lgammacor(10.0) - 0.0083305634333628712564693) < 1e-17  # mpmath, 50 digits
    True
    """
    return _series_in_inverse_square(z, _OMEGA, "lgammacor") / z


def _series_in_inverse_square(z: float, coefficients: tuple[float, ...], name: str) -> float:
    # sum_k c_k z^(-2k), k = 0.., coefficients highest order first (Horner); Stirling's series need z >= 10
    if z < _STIRLING:
        raise ValueError(f"{name} needs z >= {_STIRLING}, got {z}")
    w = 1.0 / (z * z)
    acc = 0.0
    for c in coefficients:
        acc = acc * w + c
    return acc


# B_2k / 2k for k = 10..1, highest order first: at z = 10 the next term is 2e-20
_PSI_TAIL = (-174611 / 6600, 43867 / 14364, -3617 / 8160, 1 / 12, -691 / 32760, 1 / 132, -1 / 240, 1 / 252, -1 / 120, 1 / 12)


def digamma_remainder(z: float) -> float:
    r""":math:`R(z) = \ln z - \frac{1}{2z} - \psi(z) = \sum_k \frac{B_{2k}}{2k\,z^{2k}}` for :math:`z \ge 10` (the digamma's Stirling tail).

    >>> abs(digamma_remainder(10.0) - 0.00083250392732457637) < 1e-17  # mpmath, 30 digits
    True
    """
    return _series_in_inverse_square(z, _PSI_TAIL, "digamma_remainder") / (z * z)


def reduced_log_pochhammer(a: float, x: float) -> float:
    r""":math:`G(a, x) = \ln\Gamma(a+x) - \ln\Gamma(a) - (x\ln x - x)` for :math:`a > 0`, :math:`x \ge 0` (:math:`G(a, 0) = 0`)."""
    if x == 0:
        return 0.0
    if a >= _STIRLING:
        return (a - 0.5) * math.log1p(x / a) + x * math.log1p(a / x) + (lgammacor(a + x) - lgammacor(a))
    if x >= _STIRLING:
        s = a + x
        return (
            (a - 0.5) * math.log(s) + x * log1pmx(a / x) + _HALF_LOG_2PI + lgammacor(s) - math.lgamma(a)
        )
    return math.lgamma(a + x) - math.lgamma(a) - (x * math.log(x) - x)


def log_pochhammer(a: float, x: float) -> float:
    r""":math:`\ln\Gamma(a+x) - \ln\Gamma(a)` (the log rising factorial), for :math:`a > 0`, :math:`x \ge 0`.

    >>> round(math.exp(log_pochhammer(1.0, 4.0)), 12)  # 4! / 0!
    24.0
    """
    if x == 0:
        return 0.0
    return reduced_log_pochhammer(a, x) + (x * math.log(x) - x)


def _reduced_log_pochhammer_sum(a: float, b: float, x: float) -> float:
    """:func:`reduced_log_pochhammer` at ``a + b`` with the rounding of ``a + b`` put back.

    ``a + b`` is rounded to a double; its error ``e`` (exact, by TwoSum) moves
    G by ``e * (psi(a+b+x) - psi(a+b))``, about ``e * log1p(x/(a+b))``.
    """
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    g = reduced_log_pochhammer(s, x)
    if e and s >= _STIRLING:
        g += e * math.log1p(x / s)
    return g


def _reduced_log_beta_ratio(a: float, b: float, k: float, m: float) -> float:
    # lbeta(a+k, b+m) - lbeta(a, b) minus the part k ln k + m ln m - n ln n that depends on the counts only
    return reduced_log_pochhammer(a, k) + reduced_log_pochhammer(b, m) - _reduced_log_pochhammer_sum(a, b, k + m)


def _xlogx(x: float) -> float:
    return x * math.log(x) if x > 0 else 0.0


def log_beta_ratio(a: float, b: float, k: float, m: float) -> float:
    r""":math:`\ln B(a+k, b+m) - \ln B(a, b)` for :math:`a, b > 0` and counts :math:`k, m \ge 0`.

    >>> round(math.exp(log_beta_ratio(1.0, 1.0, 1.0, 0.0)), 12)  # B(2,1)/B(1,1) = 1/2
    0.5
    """
    n = k + m
    if n <= _PRODUCT_COUNTS and float(k).is_integer() and float(m).is_integer():
        return _log_beta_ratio_product(a, b, int(k), int(m))
    return _reduced_log_beta_ratio(a, b, k, m) + (_xlogx(k) + _xlogx(m) - _xlogx(n))


def _check_count(value: float, field: str) -> float:
    if value > MAX_EXACT_COUNT:
        raise InputError(
            field, value, f"a whole number <= {MAX_EXACT_COUNT}", hint=BEYOND_EXACT
        )
    return float(value)


def _log_beta_ratio_product(a: float, b: float, k: int, m: int) -> float:
    # ln B(a+k, b+m) - ln B(a, b) = sum_{i<k} ln((a+i)/(a+b+i)) + sum_{j<m} ln((b+j)/(a+k+b+j))
    return math.fsum([*_product_terms(a, b, 0, k).tolist(), *_product_terms(b, a + k, 0, m).tolist()])


def log_bf_beta_binomial(
    k: Iterable[float],
    n: Iterable[float],
    h: tuple[float, float],
    not_h: tuple[float, float],
    *,
    n_field: str = "n",
) -> float:
    r"""Log Bayes factor (nats) for H from counts, each environment's rate Beta under each hypothesis.

    .. math::

        \ln\mathrm{BF} = \sum_j \big[\ln B(k_j+a_H, n_j-k_j+b_H) - \ln B(a_H, b_H)\big]
                       - \big[\ln B(k_j+a_{\lnot H}, n_j-k_j+b_{\lnot H}) - \ln B(a_{\lnot H}, b_{\lnot H})\big]

    The binomial coefficients and the count-only terms :math:`k\ln k + m\ln m - n\ln n`
    cancel exactly, so what is summed is :math:`O(a \ln n)`, not :math:`O(n)`.
    ``k`` and ``n`` must already be validated (``0 <= k <= n``); ``n`` above
    :data:`MAX_EXACT_COUNT` raises :class:`InputError` naming ``n_field``.

    >>> round(math.exp(log_bf_beta_binomial([1], [1], (2.0, 1.0), (1.0, 2.0))), 12)
    2.0
    """
    k, n = list(k), list(n)
    terms = beta_binomial_terms(k, n, h, n_field=n_field)
    return math.fsum(terms + [-t for t in beta_binomial_terms(k, n, not_h, n_field=n_field)])


def beta_binomial_terms(k: Iterable[float], n: Iterable[float], rate: tuple[float, float], *,
                        n_field: str = "n") -> list[float]:  # fmt: skip
    r"""One hypothesis's share of :func:`log_bf_beta_binomial`: the terms whose sum is
    :math:`\sum_j \ln B(k_j+a, n_j-k_j+b) - \ln B(a, b)` less the count-only part that cancels between
    hypotheses.  The factor is the ``fsum`` of one side's terms and the other's negated, so a grid of
    factors (the Bayes-factor map) needs each side's terms once and gets every cell bit for bit.
    """
    a, b = float(rate[0]), float(rate[1])
    terms = []
    for j, (kj, nj) in enumerate(zip(k, n, strict=True)):
        nf = _check_count(nj, f"{n_field}[{j}]")
        kf = float(kj)
        mf = nf - kf
        if nf <= _PRODUCT_COUNTS:
            # Few rollouts: the product form, each factor exact to an ulp, so a Bayes factor near 1 keeps its digits.
            terms.append(_log_beta_ratio_product(a, b, int(kf), int(mf)))
        else:
            terms += [reduced_log_pochhammer(a, kf), reduced_log_pochhammer(b, mf), -_reduced_log_pochhammer_sum(a, b, nf)]
    return terms


def log_excess_binomial(k: float, n: float, p: float) -> float:
    r""":math:`k\ln\frac{k}{np} + m\ln\frac{m}{n(1-p)}` (:math:`m = n - k`): :math:`n` times the Kullback-Leibler
    divergence of the observed rate from ``p``, :math:`\ge 0`.

    It is the count-only part of a Beta-binomial marginal, :math:`k\ln k + m\ln m - n\ln n`,
    minus the binomial log-likelihood at ``p``, :math:`k\ln p + m\ln(1-p)`: two O(n) numbers
    whose difference is what a point null needs.  With :math:`d = k - np` taken exactly (in
    rationals: ``p`` is a double, ``k`` and ``n`` integers) and :math:`t_1 = d/(np)`,
    :math:`t_2 = -d/(n(1-p))`, the terms linear in :math:`d` cancel algebraically,

    .. math:: k\ln(1+t_1) + m\ln(1+t_2) = \frac{d^2}{np(1-p)} + k\,\mathrm{log1pmx}(t_1) + m\,\mathrm{log1pmx}(t_2),

    which is used while both :math:`|t_i| \le 1/2` (the observed rate near ``p``); farther away the
    two logarithms no longer cancel and are summed directly.  ``ln(1-p)`` is ``log1p(-p)``.

    >>> log_excess_binomial(5, 10, 0.5)
    0.0
    >>> round(log_excess_binomial(0, 10, 0.5), 12) == round(10 * math.log(2), 12)  # all 10 failures at p = 1/2
    True
    """
    k, n = float(k), float(n)
    m = n - k
    if k == 0:
        return -n * math.log1p(-p)
    if m == 0:
        return -n * math.log(p)
    d = float(Fraction(int(k)) - Fraction(p) * int(n))  # k - np exactly, rounded once
    q = 1.0 - p  # only in ratios below: its rounding (2**-53 relative) costs no more than n p's
    np_, nq = n * p, n * q
    t1, t2 = d / np_, -d / nq
    if abs(t1) <= 0.5 and abs(t2) <= 0.5:
        return math.fsum((d * d / (np_ * q), k * log1pmx(t1), m * log1pmx(t2)))
    return k * math.log1p(t1) + m * math.log1p(t2)


def log_bf_beta_vs_point(
    k: Iterable[float], n: Iterable[float], rate: tuple[float, float], point: float, *, n_field: str = "n"
) -> float:
    r"""Log Bayes factor (nats) of a Beta(a, b) rate against the point rate ``point`` (JASP's binomial test).

    .. math::

        \ln\mathrm{BF} = \sum_j \ln\frac{B(k_j + a, m_j + b)}{B(a, b)} - k_j\ln p - m_j\ln(1-p)
                       = \sum_j R_j + \big[k_j\ln\tfrac{k_j}{n_jp} + m_j\ln\tfrac{m_j}{n_j(1-p)}\big]

    (binomial coefficients cancel), with :math:`R_j` the reduced log-Beta ratio of
    :func:`log_bf_beta_binomial` (count-only terms taken out) and the bracket
    :func:`log_excess_binomial`: no two O(n) numbers are subtracted.

    JASP's example: 7 of 10 with Beta(1, 1) against 1/2 gives BF = (1/11) / (C(10, 7)/2^10) = 0.7757...

    >>> round(math.exp(log_bf_beta_vs_point([7], [10], (1.0, 1.0), 0.5)), 12)
    0.775757575758
    """
    a, b = float(rate[0]), float(rate[1])
    p = float(point)
    terms = []
    for j, (kj, nj) in enumerate(zip(k, n, strict=True)):
        nf = _check_count(nj, f"{n_field}[{j}]")
        kf = float(kj)
        mf = nf - kf
        log_p, log_q = math.log(p), math.log1p(-p)
        # Three exact rearrangements of the same sum; the one whose terms are smallest in total loses least
        # to rounding (a Beta(0.15, 300) prior lost 11 digits of a factor near 1 in the reduced form).
        forms = (
            [reduced_log_pochhammer(a, kf), reduced_log_pochhammer(b, mf), -_reduced_log_pochhammer_sum(a, b, nf),
             log_excess_binomial(kf, nf, p)],
            _few_events(a, b, kf, mf, log_p, log_q),
            _few_events(b, a, mf, kf, log_q, log_p),
        )  # fmt: skip
        terms += min(forms, key=lambda form: math.fsum(abs(t) for t in form))
    return math.fsum(terms)


def _few_events(a: float, b: float, k: float, m: float, log_p: float, log_q: float) -> list[float]:
    # ln B(a+k, b+m) - ln B(a, b) - k ln p - m ln q through the identity
    # ln B(a+k, b+m) - ln B(a, b) = P(a, k) + P(b, a) - P(b+m, a+k),  P(x, y) = ln Gamma(x+y) - ln Gamma(x):
    # with few events on one side (a + k small) every term is O((a + k) ln n), where the reduced form
    # subtracts two O(b ln n) numbers.
    return [log_pochhammer(a, k), log_pochhammer(b, a), -log_pochhammer(b + m, a + k), -k * log_p, -m * log_q]


def log_bf_point_vs_point(k: Iterable[float], n: Iterable[float], p_h: float, p_not_h: float) -> float:
    r"""Log Bayes factor (nats) of two point rates, :math:`\sum_j k_j\ln\frac{p_H}{p_{\lnot H}} + m_j\ln\frac{1-p_H}{1-p_{\lnot H}}`,

    With :math:`\delta = p_H - p_{\lnot H}`, each term is :math:`k\ln(1+t_1) + m\ln(1+t_2)`,
    :math:`t_1 = \delta/p_{\lnot H}`, :math:`t_2 = -\delta/(1-p_{\lnot H})`; for nearby rates the parts
    linear in :math:`\delta` are summed as one exact product, as in :func:`log_excess_binomial`.

    >>> round(math.exp(log_bf_point_vs_point([1], [1], 0.5, 0.25)), 12)
    2.0
    """
    delta = float(p_h) - float(p_not_h)
    t1, t2 = delta / p_not_h, -delta / (1.0 - p_not_h)
    near = abs(t1) <= 0.5 and abs(t2) <= 0.5  # then delta is exact (Sterbenz) and the linear terms cancel
    # Rates apart: each log ratio from one quotient (its rounding is small beside the ratio's logarithm);
    # ln(1 - p) by log1p while both rates are small, where 1 - p would round.
    far_k = math.log(p_h / p_not_h)
    if max(p_h, p_not_h) < 0.5:
        far_m = math.log1p(-p_h) - math.log1p(-p_not_h)
    else:
        far_m = math.log((1.0 - p_h) / (1.0 - p_not_h))
    terms = []
    for kj, nj in zip(k, n, strict=True):
        kf, mf = float(kj), float(nj) - float(kj)
        if near:
            # k ln(1 + t1) + m ln(1 + t2), whose linear part k t1 + m t2 is delta (k - n p_not_h) / (p_not_h (1 - p_not_h))
            d = float(Fraction(int(kf)) - Fraction(p_not_h) * int(nj))
            terms += [delta * d / (p_not_h * (1.0 - p_not_h)), kf * log1pmx(t1), mf * log1pmx(t2)]
        else:
            terms += [kf * far_k if kf else 0.0, mf * far_m if mf else 0.0]
    return math.fsum(terms)


def _product_terms(alpha: float, beta: float, lo: int, hi: int) -> np.ndarray:
    # ln((alpha+i)/(alpha+beta+i)) for i in lo..hi-1, each exact to a few ulps: log1p(-beta/(s+i)) while
    # beta/(s+i) < 1/2, else the plain log of the quotient (log1p(-x) for x near 1 would lose the digits).
    # Everything is halved (exactly) when alpha + beta overflows: Beta(1e308, 1e308) has mean 1/2, not 0.
    h = 1.0 if math.isfinite(alpha + beta + hi) else 0.5
    i = np.arange(lo, hi, dtype=float)
    s = h * alpha + h * beta + h * i
    x = h * beta / s
    near = x < 0.5
    out = np.empty_like(s)
    out[near] = np.log1p(-x[near])
    out[~near] = np.log((h * alpha + h * i[~near]) / s[~near])
    return out


# -- ln E[s^n] for a whole number n of any size: the product, summed in blocks -------------------------------
#
# ln E[s^n] = sum_{i<n} phi(i),  phi(x) = ln(alpha + x) - ln(alpha + beta + x) = -log1p(beta / (alpha + x)).
# A block of L consecutive terms around its centre m (offsets j = -(L-1)/2 .. (L-1)/2) is, by Taylor's theorem,
#     sum_j phi(m + j) = L phi(m) + sum_{k>=1} phi^(2k)(m) / (2k)! * S_2k,   S_p = sum_j j^p (odd powers cancel),
# with phi^(2k)(m) / (2k)! = -[(alpha+m)^-2k - (alpha+beta+m)^-2k] / 2k = -(alpha+m)^-2k (1 - (1 + beta/(alpha+m))^-2k) / 2k.
# Every term is negative (nothing cancels) and, with the half-width at most 1/8 of the distance alpha + m to
# the pole at -alpha, each order is 64 times smaller than the last.  The first terms are summed one by one
# (each exact to an ulp, as the product form always was); from there block lengths grow with i, so n = 1e15
# takes about 100 blocks.

_BLOCK_REACH = 3.5  # L - 1 <= (alpha + i) / 3.5 keeps the half-width within (alpha + centre) / 8
_BLOCK_ORDERS = 16
_DIRECT_POWER_SUMS = 64  # blocks up to this length sum j^p directly
_DIRECT_TERMS = 4096  # terms summed one by one before the blocks start (blocks are then > 1000 long)


def _bernoulli_half(count: int) -> list[float]:
    # B_k(1/2) = (2^(1-k) - 1) B_k, with the Bernoulli numbers from their recurrence in exact fractions
    b = [Fraction(1)]
    for m in range(1, count):
        b.append(-sum(math.comb(m + 1, k) * b[k] for k in range(m)) / (m + 1))
    return [float((Fraction(2) ** (1 - k) - 1) * b[k]) for k in range(count)]


_B_HALF = _bernoulli_half(2 * _BLOCK_ORDERS + 2)


def _centred_power_mean(length: int, p: int) -> float:
    """The mean of (j / h)^p over the ``length`` centred offsets j (spacing 1, half-width h); p even.

    Long blocks use the exact Faulhaber form S_p = 2/(p+1) sum_k C(p+1, k) B_k(1/2) (L/2)^(p+1-k).
    """
    h = (length - 1) / 2
    if length <= _DIRECT_POWER_SUMS:
        return float(np.mean(((np.arange(length) - h) / h) ** p))
    half = length / 2
    acc = 0.0
    for k in range(p, -1, -2):  # smallest first
        acc += math.comb(p + 1, k) * _B_HALF[k] * half ** (-k)
    return (half / h) ** p * acc / (p + 1)


def _log_beta_power_mean_blocks(alpha: float, beta: float, n: int) -> float:
    if beta < 1e-20 * alpha and beta < 1e-290 * (alpha + n):
        # Linear in beta to 1e-20 here; scaled by a power of two so that no term is subnormal.
        k = min(1000, int(math.log2(1e-20 * alpha / beta)))
        return math.ldexp(_log_beta_power_mean_blocks(alpha, math.ldexp(beta, k), n), -k)
    first = min(n, _DIRECT_TERMS)
    blocks = _product_terms(alpha, beta, 0, first).tolist()
    i = first
    while i < n:
        length = min(n - i, 1 + int((alpha + i) / _BLOCK_REACH))
        if length == 1:
            blocks.append(-math.log1p(beta / (alpha + i)))
            i += 1
            continue
        h = (length - 1) / 2
        a_m = alpha + (i + h)
        log_ratio = math.log1p(beta / a_m)
        r2 = (h / a_m) ** 2
        total, rk = -log_ratio, 1.0
        for k in range(1, _BLOCK_ORDERS + 1):
            rk *= r2
            term = rk * _centred_power_mean(length, 2 * k) * -math.expm1(-2 * k * log_ratio) / (2 * k)
            total -= term
            if term <= 1e-18 * -total:
                break
        blocks.append(length * total)
        i += length
    return math.fsum(blocks)


def log_beta_power_mean(alpha: float, beta: float, n: float) -> float:
    r""":math:`\ln E[s^n]` for :math:`s \sim \mathrm{Beta}(\alpha, \beta)`: :math:`\ln B(\alpha+n, \beta) - \ln B(\alpha, \beta)`.

    For a whole number :math:`n` the product
    :math:`\sum_{i<n} \ln\frac{\alpha+i}{\alpha+\beta+i}`, summed in blocks by Taylor series about
    each block's centre (all terms of one sign, so the relative error stays a few ulps for any
    :math:`n`, and :math:`1 - E[s^n] = -\mathrm{expm1}(\ln E[s^n])` keeps its digits too); the cost
    grows with :math:`\log n`.  Otherwise :math:`G(\alpha, n) - G(\alpha+\beta, n)`.

    >>> round(math.exp(log_beta_power_mean(2.0, 1.0, 1)), 15)  # the Beta(2, 1) mean
    0.666666666666667
    >>> log_beta_power_mean(2.0, 1.0, 10**15) - math.log(2 / (2 + 10**15))  # E[s^n] = 2 / (2 + n) exactly
    0.0
    """
    if n == 0:
        return 0.0
    if float(n).is_integer():
        return _log_beta_power_mean_blocks(float(alpha), float(beta), int(n))
    return reduced_log_pochhammer(alpha, n) - _reduced_log_pochhammer_sum(alpha, beta, n)


def log_beta_power_mean_curve(alpha: float, beta: float, n_max: int) -> np.ndarray:
    """:func:`log_beta_power_mean` at n = 0..``n_max`` (a running sum of the product form; for plots and tables)."""
    out = np.zeros(int(n_max) + 1)
    np.cumsum(_product_terms(alpha, beta, 0, int(n_max)), out=out[1:])
    return out


def beta_power_mean(alpha: float, beta: float, n: float) -> float:
    r""":math:`E[s^n] = B(\alpha+n, \beta)/B(\alpha, \beta)` (see :func:`log_beta_power_mean`)."""
    return math.exp(log_beta_power_mean(alpha, beta, n))
