r"""Partial pooling of covert-action counts: the marginal likelihood of one hypothesis, by cubature.

Each hypothesis has an unknown population mean :math:`\mu` and concentration
:math:`\kappa` for its environments' rates,
:math:`\theta_j \sim \mathrm{Beta}(\mu\kappa, (1-\mu)\kappa)`, with
:math:`\mu \sim \mathrm{Beta}(a, b)` (what the hypothesis predicts about the
population mean) and :math:`\ln\kappa \sim \mathcal N(\ln\kappa_{\text{median}}, \sigma^2)`
(its spread across environments, :class:`KappaPrior`).  No PyMC: NumPy and
SciPy only, so the closed-form ``counts`` command stays light.

The density itself is written once, as named terms (:func:`partial_pooling_log_density`,
:func:`no_pooling_log_density`, :func:`log_student_t`) over an array namespace
(:class:`ArrayOps`): the cubature here and the pilot importance sampler and
power-scaling split (:mod:`models.sensitivity`) call them with :data:`NUMPY_OPS`,
and the PyMC models (:mod:`models.counts`) with PyTensor's functions, so the
sampled density and the checked density cannot drift apart.  One exception: the
cubature's prior-quantile fallback (:func:`_log_f_points`, for very wide priors)
integrates over the quantile of mu, so it writes the beta-binomial term in those
coordinates itself.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import integrate, optimize, special

from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.validation import as_positive

__all__ = [
    "CUBATURE_RTOL",
    "NUMPY_OPS",
    "PSEUDO_DF",
    "ArrayOps",
    "KappaPrior",
    "log_marginal_partial_pooling",
    "log_marginal_point_mean",
    "log_student_t",
    "no_pooling_log_density",
    "partial_pooling_log_density",
]

# Relative accuracy asked of the cubature; an integrand whose rounding noise exceeds it (huge
# concentrations) fails to converge within the subdivision budget and is reported as inaccurate.
CUBATURE_RTOL = 1e-8
_FALLBACK_SUBDIVISIONS = 300


@dataclass(frozen=True)
class KappaPrior:
    r"""Hyperprior on a population's concentration: :math:`\ln\kappa \sim \mathcal N(\ln m, s^2)`.

    :math:`\kappa = a + b` of the environments' Beta: small values mean
    environments differ a lot, large values that they share one rate.
    """

    median: float = 10.0
    log_sd: float = 1.5

    def __post_init__(self):
        object.__setattr__(self, "median", as_positive(self.median, "kappa median", "a concentration > 0"))
        object.__setattr__(self, "log_sd", as_positive(self.log_sd, "kappa log_sd", "a log-scale sd > 0"))


# ---------------------------------------------------------------------------
# The named density terms (one place for NumPy and PyTensor)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ArrayOps:
    """The elementwise functions the density terms need, from one array library.

    ``betaln`` for PyTensor is ``gammaln(a) + gammaln(b) - gammaln(a + b)``;
    ``expand`` adds a trailing axis (the environments) to per-draw parameters.
    """

    log1p: Callable
    exp: Callable
    betaln: Callable
    log_sigmoid: Callable
    expand: Callable


NUMPY_OPS = ArrayOps(
    log1p=np.log1p, exp=np.exp, betaln=special.betaln,
    log_sigmoid=lambda u: -np.logaddexp(0.0, -u), expand=lambda x: np.expand_dims(x, -1),
)

# Degrees of freedom of the Student-t pseudo-priors of the product-space sampler (models.counts):
# heavier tails than the normal approximation, so no region of a hypothesis's posterior is starved.
PSEUDO_DF = 5.0
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def log_student_t(x, ops: ArrayOps = NUMPY_OPS, df: float = PSEUDO_DF):
    r"""Elementwise log density of the standard Student-t with ``df`` degrees of freedom.

    .. math::

        \ln t_\nu(x) = \ln\Gamma\big(\tfrac{\nu+1}2\big) - \ln\Gamma\big(\tfrac\nu2\big)
            - \tfrac12\ln(\nu\pi) - \tfrac{\nu+1}2\ln\big(1 + x^2/\nu\big)

    >>> from scipy import stats
    >>> bool(abs(log_student_t(np.array(1.3)) - stats.t(PSEUDO_DF).logpdf(1.3)) < 1e-14)
    True
    """
    const = float(special.gammaln((df + 1) / 2) - special.gammaln(df / 2) - 0.5 * math.log(df * math.pi))
    return const - (df + 1) / 2 * ops.log1p(x * x / df)


def no_pooling_log_density(u, k, n, a, b, ops: ArrayOps = NUMPY_OPS):
    r"""(log prior, log likelihood) per environment of logit rates :math:`u_j`, no pooling.

    With :math:`\theta_j = \sigma(u_j)`: the prior is the hypothesis's
    :math:`\mathrm{Beta}(a, b)` density times the logit Jacobian
    :math:`\theta_j(1-\theta_j)`; the likelihood is
    :math:`k_j\ln\theta_j + (n_j-k_j)\ln(1-\theta_j)`, binomial coefficient left
    out (it is the same under both hypotheses).  Elementwise: sum over the last axis.
    """
    log_t, log1m_t = ops.log_sigmoid(u), ops.log_sigmoid(-u)
    log_prior = (a - 1) * log_t + (b - 1) * log1m_t - ops.betaln(a, b) + log_t + log1m_t
    return log_prior, k * log_t + (n - k) * log1m_t


def partial_pooling_log_density(u, z, k, n, a, b, log_median, log_sd, ops: ArrayOps = NUMPY_OPS, weights=None):
    r"""(log prior, log likelihood) of one hypothesis's :math:`\phi = (u, z)` under partial pooling.

    :math:`\mu = \sigma(u) \sim \mathrm{Beta}(a, b)` (Jacobian :math:`\mu(1-\mu)`
    included) and :math:`\kappa = m\,e^{s z}`, :math:`z \sim \mathcal N(0, 1)`; the
    environments' rates are integrated out, so the likelihood is

    .. math::

        \sum_j \ln B(k_j + \mu\kappa,\ n_j - k_j + (1-\mu)\kappa) - J\,\ln B(\mu\kappa, (1-\mu)\kappa)

    (binomial coefficients left out).  ``u`` and ``z`` are scalars or arrays of
    draws; ``k``, ``n`` the environments (last axis).  The :math:`J\ln B(\alpha, \beta)`
    term is computed once per draw, not per environment (the sampler's inner loop).
    ``weights`` (NumPy only): how many environments share each ``(k, n)``, so equal
    environments are evaluated once (the cubature's data are deduplicated).
    """
    log_mu, log1m_mu = ops.log_sigmoid(u), ops.log_sigmoid(-u)
    kappa = ops.exp(log_median + log_sd * z)
    al, be = ops.exp(log_mu) * kappa, ops.exp(log1m_mu) * kappa
    terms = ops.betaln(k + ops.expand(al), n - k + ops.expand(be))
    if weights is None:
        loglik = terms.sum(axis=-1) - k.shape[-1] * ops.betaln(al, be)
    else:
        loglik = (weights * terms).sum(axis=-1) - weights.sum() * ops.betaln(al, be)
    log_prior = (a - 1) * log_mu + (b - 1) * log1m_mu - ops.betaln(a, b) + log_mu + log1m_mu - 0.5 * z * z - _LOG_SQRT_2PI
    return log_prior, loglik


def log_marginal_partial_pooling(
    k, n, rate: BetaDist, kappa: KappaPrior, *, field: str = "rate"
) -> tuple[float, float]:
    r""":math:`\ln P(D\mid\text{hyp})` under partial pooling, by 2-D adaptive cubature.

    First on the logit scale, :math:`u = \operatorname{logit}\mu` and
    :math:`\kappa = m\,e^{s z}`,

    .. math::

        P(D) = \iint \frac{\mu^{a}(1-\mu)^{b}}{B(a, b)}\, \varphi(z)
               \prod_j P\big(k_j \mid n_j, \mu\kappa, (1-\mu)\kappa\big)\, dz\, du,
        \qquad \mu = \sigma(u)

    (the Jacobian :math:`\mu(1-\mu)` is folded into the powers), over the box
    where the integrand is within :math:`e^{-60}` of its peak.  When the data
    sit far in the prior's tail (a population mean the hypothesis thinks
    unlikely) the posterior is a narrow ridge there; on the logit scale it stays
    a smooth bump, where the prior-quantile scale squeezes it against t = 1 and
    the cubature fails to converge.  If the box reaches the edge of the search
    grid (a prior with mass spread over many logit units, e.g. a = 0.001) the
    prior-quantile substitution :math:`\mu = F^{-1}_{\mathrm{Beta}(a,b)}(t)`
    over the unit interval is used instead (:func:`_log_f_points`).  Either
    way the integrand is divided by its maximum, the region is split at the
    peak, and ``scipy.integrate.cubature`` (adaptive Gauss-Kronrod) does the rest.

    Returns
    -------
    (log_marginal, rel_error) : tuple of float
        The log marginal likelihood and the cubature's own relative error estimate.
    """
    # Cached by value: the headline, its assumption range, the map (and reruns of the app) share marginals.
    k_t, n_t, w_t = _distinct(k, n)
    # Below ~0.01 the population mean's prior puts almost all its mass within 1e-300 of 0 or 1,
    # where no cubature (and no independent check we have) can be trusted: refuse, don't guess.
    beyond = min(rate.alpha, rate.beta) < MIN_BETA_PARAMETER
    try:
        if beyond:
            raise ArithmeticError
        log_marginal, rel_err = _log_marginal_cached(
            k_t, n_t, w_t, float(rate.alpha), float(rate.beta), float(kappa.median), float(kappa.log_sd)
        )
    except (ValueError, ArithmeticError):  # math.log(0): the cubature found no mass at all
        log_marginal, rel_err = math.nan, math.inf
    if not math.isfinite(log_marginal):
        # e.g. Beta(1e-6, 1e-6): the population mean sits within 1e-300 of 0 or 1 and the cubature finds no mass
        raise InputError(
            field,
            f"Beta({rate.alpha:g}, {rate.beta:g})",
            f"a Beta prior the partial-pooling cubature can integrate (both parameters >= {MIN_BETA_PARAMETER:g})",
            hint="use --pooling none for such a prior",
        )
    return log_marginal, rel_err


MIN_BETA_PARAMETER = 0.01


def log_marginal_point_mean(k, n, mean: float, kappa: KappaPrior) -> tuple[float, float]:
    r""":math:`\ln P(D\mid\text{hyp})` under partial pooling when the hypothesis's population mean is exactly ``mean``.

    The Beta prior on :math:`\mu` collapsed to a point (``point:P``): evaluations still spread around
    :math:`\mu = P` by the spread prior, so one integral remains,

    .. math::

        P(D) = \int \varphi(z) \prod_j P\big(k_j \mid n_j, P\kappa, (1-P)\kappa\big)\, dz,
        \qquad \kappa = m\,e^{s z},

    with the same likelihood term as the 2-D cubature (:func:`partial_pooling_log_density`), by
    adaptive Gauss-Kronrod (``scipy.integrate.quad``) over :math:`|z| \le 9`, split at the integrand's peak.

    Returns
    -------
    (log_marginal, rel_error) : tuple of float
    """
    return _log_marginal_point_cached(*_distinct(k, n), float(mean), float(kappa.median), float(kappa.log_sd))


def _distinct(k, n) -> tuple[tuple, tuple, tuple]:
    """The environments' distinct (k, n) pairs, sorted, and how many share each: the integrand's cost
    and the cache key depend on these only (the 2025 data after training have 3 distinct of 20)."""
    pairs = Counter(zip(np.asarray(k, dtype=float).ravel().tolist(), np.asarray(n, dtype=float).ravel().tolist(), strict=True))
    ordered = sorted(pairs.items())
    return tuple(p[0][0] for p in ordered), tuple(p[0][1] for p in ordered), tuple(float(p[1]) for p in ordered)


@lru_cache(maxsize=1024)
def _log_marginal_point_cached(k_t, n_t, w_t, mean, median, log_sd) -> tuple[float, float]:
    k, n, w = np.asarray(k_t), np.asarray(n_t), np.asarray(w_t)
    u = math.log(mean) - math.log1p(-mean)
    log_m = math.log(median)

    def log_g(z):
        z = np.atleast_1d(np.asarray(z, dtype=float))
        with np.errstate(all="ignore"):
            _, loglik = partial_pooling_log_density(np.full_like(z, u), z, k, n, 1.0, 1.0, log_m, log_sd, weights=w)
            out = loglik - 0.5 * z * z
        return np.where(np.isfinite(out), out, -np.inf)

    zs = np.linspace(-_Z_MAX, _Z_MAX, 721)
    grid = log_g(zs)
    best = int(np.argmax(grid))
    opt = optimize.minimize_scalar(lambda z: -float(log_g(z)[0]), bracket=None,
                                   bounds=(zs[max(best - 1, 0)], zs[min(best + 1, len(zs) - 1)]), method="bounded",
                                   options={"xatol": 1e-10})  # fmt: skip
    peak = float(opt.x) if -opt.fun >= grid[best] else float(zs[best])
    c = float(log_g(peak)[0])
    total, err = integrate.quad(lambda z: math.exp(float(log_g(z)[0]) - c), -_Z_MAX, _Z_MAX, points=[peak],
                                epsabs=0.0, epsrel=1e-11, limit=400)  # fmt: skip
    return _log_binomial_coefficients(k, n, w) + c + math.log(total) - _LOG_SQRT_2PI, err / total


def _log_binomial_coefficients(k, n, w) -> float:
    return float(np.sum(w * (special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1))))


_Z_MAX = 9.0  # the spread's standard-normal coordinate: beyond 9 sd the prior's mass is below 1e-18


@lru_cache(maxsize=1024)
def _log_marginal_cached(k_t, n_t, w_t, a, b, median, log_sd) -> tuple[float, float]:
    k, n, w = np.asarray(k_t), np.asarray(n_t), np.asarray(w_t)
    log_m, s = math.log(median), log_sd
    logit = _cubature_logit(k, n, a, b, log_m, s, w)
    if logit is not None:
        log_total, rel_err = logit
    else:
        log_total, rel_err = _cubature_quantile(k, n, a, b, log_m, s, w)
    return _log_binomial_coefficients(k, n, w) + log_total, rel_err


def _peak(log_f, grid_pts: np.ndarray, grid: np.ndarray, lo, hi) -> tuple[np.ndarray, float]:
    """The grid's best point refined by Nelder-Mead (kept inside [lo, hi])."""
    best = int(np.argmax(grid))
    peak = grid_pts[best]
    opt = optimize.minimize(
        lambda x: -float(log_f(np.clip(x, lo, hi)[None, :])[0]),
        x0=peak,
        method="Nelder-Mead",
        options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 2000},
    )
    if -opt.fun >= grid[best]:
        peak = np.clip(opt.x, lo, hi)
    return peak, float(log_f(peak[None, :])[0])


def _integrate(log_f, lo, hi, peak, c, max_subdivisions: int = 2_000) -> tuple[float, float]:
    res = integrate.cubature(
        lambda x: np.exp(log_f(x) - c), lo, hi, rtol=CUBATURE_RTOL, atol=0.0, max_subdivisions=max_subdivisions,
        points=[peak],
    )
    total = float(res.estimate)
    rel_err = float(res.error) / total if total > 0 else math.inf
    if res.status != "converged":
        rel_err = max(rel_err, 1e-2)
    return c + math.log(total), rel_err


def _cubature_logit(k, n, a, b, log_m, s, w=None) -> tuple[float, float] | None:
    def log_f(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            log_prior, loglik = partial_pooling_log_density(x[:, 0], x[:, 1], k, n, a, b, log_m, s, weights=w)
            out = log_prior + loglik
        return np.where(np.isfinite(out), out, -np.inf)

    us, zs = np.linspace(-40.0, 40.0, 321), np.linspace(-9.0, 9.0, 73)
    uu, zz = np.meshgrid(us, zs, indexing="ij")
    pts = np.column_stack([uu.ravel(), zz.ravel()])
    grid = log_f(pts)
    peak, c = _peak(log_f, pts, grid, np.array([-40.0, -9.0]), np.array([40.0, 9.0]))
    keep = (grid > c - 60.0).reshape(uu.shape)
    iu, iz = np.flatnonzero(keep.any(axis=1)), np.flatnonzero(keep.any(axis=0))
    if iu.size == 0:
        return None
    # Mass beyond |logit mu| = 40 is integrated exactly when the likelihood is flat there: with no covert
    # action anywhere, P(D | mu, kappa) -> 1 as mu -> 0 (1 - P <= mu * sum(n), below 1e-13 at mu = 4e-18
    # for the counts the app takes), so that tail is the prior's own mass, F(sigmoid(-40)) (likewise
    # mu -> 1 when every rollout was a covert action).  Else the prior-quantile substitution takes over.
    lower_tail, upper_tail = iu[0] == 0, iu[-1] == len(us) - 1
    if (lower_tail and not np.all(k == 0)) or (upper_tail and not np.all(k == n)):
        return None
    lo = [us[max(iu[0] - 1, 0)], zs[max(iz[0] - 1, 0)]]
    hi = [us[min(iu[-1] + 1, len(us) - 1)], zs[min(iz[-1] + 1, len(zs) - 1)]]
    log_box, rel_err = _integrate(log_f, lo, hi, peak, c)
    edge = 1.0 / (1.0 + math.exp(40.0))
    tails = [float(special.betainc(a, b, edge))] if lower_tail else []
    tails += [float(special.betainc(b, a, edge))] if upper_tail else []
    if not tails:
        return log_box, rel_err
    log_total = float(special.logsumexp([log_box, *(math.log(t) for t in tails if t > 0)]))
    flat = min(1.0, edge * float(np.sum(n * (1.0 if w is None else w))))  # bound on 1 - P(D | mu) in a tail
    tail_share = math.exp(float(special.logsumexp([math.log(t) for t in tails if t > 0] or [-math.inf])) - log_total)
    return log_total, rel_err + tail_share * flat


def _cubature_quantile(k, n, a, b, log_m, s, w=None) -> tuple[float, float]:
    def log_f(x: np.ndarray) -> np.ndarray:
        return _log_f_points(x[:, 0], x[:, 1], k, n, a, b, log_m, s, w)

    ts = np.concatenate([np.geomspace(1e-12, 0.5, 150), 1 - np.geomspace(1e-12, 0.5, 150)[::-1][1:]])
    zs = np.linspace(-9, 9, 73)
    tt, zz = np.meshgrid(ts, zs, indexing="ij")
    pts = np.column_stack([tt.ravel(), zz.ravel()])
    peak, c = _peak(log_f, pts, log_f(pts), np.array([1e-12, -8.999]), np.array([1 - 1e-12, 8.999]))
    # Reached only for priors with mass spread over many logit units (a or b << 1) and data that do not
    # rule the tail out; there the integrand is nearly a step in t and converges slowly, so the budget is
    # smaller and an unconverged answer says so through its error estimate (>= 1e-2).
    return _integrate(log_f, [0.0, -9.0], [1.0, 9.0], peak, c, max_subdivisions=_FALLBACK_SUBDIVISIONS)


def _log_f_points(t, z, k, n, a, b, log_m, s, w=None) -> np.ndarray:
    # log of phi(z) * prod_j BB(k_j | n_j, mu(t) kappa(z), (1 - mu(t)) kappa(z)), binomial coefficients left out.
    t = np.asarray(t, dtype=float)
    z = np.asarray(z, dtype=float)
    lower = t <= 0.5
    # 1 - X ~ Beta(b, a): computing the smaller tail directly keeps both mu and 1 - mu accurate.
    mu_lo = special.betaincinv(a, b, np.where(lower, t, 0.5))
    om_hi = special.betaincinv(b, a, np.where(lower, 0.5, 1.0 - t))
    mu = np.where(lower, mu_lo, 1.0 - om_hi)
    one_minus = np.where(lower, 1.0 - mu_lo, om_hi)
    kap = np.exp(log_m + s * z)
    al = (mu * kap)[:, None]
    be = (one_minus * kap)[:, None]
    with np.errstate(all="ignore"):
        w = np.ones_like(np.asarray(k, dtype=float)) if w is None else w
        ll = np.sum(w * (special.betaln(k + al, n - k + be) - special.betaln(al, be)), axis=-1)
        out = ll - 0.5 * z * z - 0.5 * math.log(2 * math.pi)
    ok = (mu > 0) & (one_minus > 0) & np.isfinite(out)
    return np.where(ok, out, -np.inf)
