r"""Covert-action counts as evidence about H, "the system schemes": the closed forms (no PyMC).

Data: :math:`k_j` covert actions in :math:`n_j` rollouts in environments
:math:`j = 1..J`.  Each hypothesis states what it predicts about the
*population* of environments: a prior on the population mean covert-action
rate and a spread across environments.

**No pooling** (every environment's rate an independent draw from the
hypothesis's :math:`\mathrm{Beta}(a, b)`).  Integrating each rate out gives
the beta-binomial marginal, so the Bayes factor is exact:

.. math::

    \ln \mathrm{BF} = \sum_j \big[\ln B(k_j + a_H, n_j - k_j + b_H) - \ln B(a_H, b_H)\big]
                    - \big[\ln B(k_j + a_{\lnot H}, n_j - k_j + b_{\lnot H}) - \ln B(a_{\lnot H}, b_{\lnot H})\big]

(the binomial coefficients cancel).  Each environment's term is computed by
the one helper :func:`env_log_bf`.  Every environment is treated as a fresh,
independent test of the two Beta priors, so the evidence multiplies across
environments and grows with each assumed n: with 20 evaluations x hundreds of
rollouts a difference in how *wide* the two priors are can produce a factor of
:math:`10^{30}` that says nothing about the hypotheses' means.

**Partial pooling** (the default for heterogeneous evaluations): each
hypothesis has an unknown population mean :math:`\mu` and concentration
:math:`\kappa`, :math:`\theta_j \sim \mathrm{Beta}(\mu\kappa, (1-\mu)\kappa)`,

.. math::

    \mu \sim \mathrm{Beta}(a, b),\qquad
    \ln\kappa \sim \mathcal N(\ln\kappa_{\text{median}},\ \sigma_{\ln\kappa}^2),\qquad
    P(D \mid \text{hyp}) = \iint p(\mu)\,p(\kappa)\prod_j
        P(k_j \mid n_j, \mu\kappa, (1-\mu)\kappa)\; d\mu\, d\kappa ,

by 2-D adaptive cubature (:func:`quadrature_partial_pooling`).  Both
hypotheses get the same spread prior (:class:`KappaPrior`) unless the user
changes it, so the factor compares what they predict about the mean rate.

**Derived data** (:func:`beliefs.datasets.dataset_counts_result`): the 2025 anti-scheming
report's per-evaluation rates times an *assumed* n.  Every Bayes factor from
such counts carries its range over what nobody published, n in {100, 316, 1000}
for each pooling (:class:`beliefs.datasets.AssumptionRange`), and that
provenance follows it into the ledger (:meth:`CountsResult.to_evidence`).
The posterior always comes from :func:`beliefs.update.update`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence, Provenance, Source
from beliefs.odds import LN10, LogLRQuantities, odds_from_log_odds
from beliefs.plots.palette import AGAINST_H, FOR_H
from beliefs.rate_priors import PointRate, RatePrior, parse_rate_prior, reading_for
from beliefs.special import (
    BEYOND_EXACT,
    MAX_EXACT_COUNT,
    log_bf_beta_binomial,
    log_bf_beta_vs_point,
    log_bf_point_vs_point,
)
from beliefs.tables import NotebookRepr
from beliefs.update import UpdateResult, cromwell_note, update_by_log_bf
from beliefs.validation import as_count, as_float_list, as_probability

if TYPE_CHECKING:
    from beliefs.datasets import AssumptionRange
    from beliefs.partial_pooling import KappaPrior

# SciPy and the partial-pooling cubature are imported inside the functions that use them: the share-link
# codec (beliefs.io.link, on every app page's import path) reads parse_counts/format_counts from here, and
# the Update view must not pay for SciPy.

__all__ = [
    "MAX_QUADRATURE_ENVIRONMENTS",
    "POOLINGS",
    "CountsResult",
    "check_counts",
    "check_prior",
    "conjugate_posterior",
    "counts_log_bf",
    "env_log_bf",
    "exact_no_pooling",
    "format_counts",
    "log_beta_binomial",
    "log_marginal",
    "no_pooling_log_bf",
    "parse_counts",
    "plot_rate_densities",
    "quadrature_partial_pooling",
    "rate_density_rows",
]

POOLINGS = ("none", "partial")
_MAX_LEDGER_LOG_BF = 300 * LN10  # beyond this the factor is not one float likelihood ratio


MAX_ENVIRONMENTS = 500  # beyond this a typo is likelier than a real data set
# The partial-pooling cubature's cost grows with the number of environments; beyond this, MCMC only.
MAX_QUADRATURE_ENVIRONMENTS = 100


# ---------------------------------------------------------------------------
# Input checking
# ---------------------------------------------------------------------------
def parse_counts(value: object, name: str = "counts") -> list[tuple[int, int]]:
    """Parse ``"k/n,k/n,..."`` (covert actions k of n rollouts per environment); ``""`` is no data.

    >>> parse_counts("2/100, 0/50")
    [(2, 100), (0, 50)]
    """
    allowed = "counts as k/n separated by commas, e.g. 2/100,0/50, with 0 <= k <= n"
    if not isinstance(value, str):
        raise InputError(name, value, allowed)
    if not value.strip():
        return []
    out = []
    for i, part in enumerate(value.split(",")):
        if part.count("/") != 1:
            raise InputError(f"{name}[{i}]", part, allowed)
        k_text, n_text = part.split("/")
        n = as_count(n_text, f"{name}[{i}].n", minimum=1, maximum=10_000_000)
        k = as_count(k_text, f"{name}[{i}].k", minimum=0, maximum=n)
        out.append((k, n))
    return out


def format_counts(counts) -> str:
    """Inverse of :func:`parse_counts`."""
    return ",".join(f"{int(k)}/{int(n)}" for k, n in counts)


def check_counts(k, n, *, k_field: str = "k", n_field: str = "n") -> tuple[np.ndarray, np.ndarray]:
    """Parse covert-action counts ``k`` and rollout counts ``n`` (lists or comma-separated text).

    Raises :class:`~beliefs.errors.InputError` naming the field for a
    non-integer, a negative count, ``k > n``, ``n = 0`` with ``k > 0``, lists
    of different lengths, or an empty list.
    """
    k_raw = _as_list(k, k_field)
    n_raw = _as_list(n, n_field)
    if len(k_raw) != len(n_raw):
        raise InputError(
            n_field, n, f"one rollout count per environment: {len(k_raw)} value(s), like {k_field}",
            hint=f"{k_field} has {len(k_raw)}, {n_field} has {len(n_raw)}",
        )
    if len(k_raw) > MAX_ENVIRONMENTS:
        raise InputError(k_field, f"{len(k_raw)} environments", f"at most {MAX_ENVIRONMENTS} environments")
    ks, ns = [], []
    for j, (kr, nr) in enumerate(zip(k_raw, n_raw, strict=True)):
        # Beyond 1e15 rollouts the exact Bayes factor is not guaranteed to 1e-12: refuse, do not guess.
        kj = as_count(kr, f"{k_field}[{j}]", maximum=MAX_EXACT_COUNT, above_maximum=BEYOND_EXACT)
        nj = as_count(nr, f"{n_field}[{j}]", maximum=MAX_EXACT_COUNT, above_maximum=BEYOND_EXACT)
        if kj > nj:
            raise InputError(
                f"{k_field}[{j}]", kr, f"a count <= {n_field}[{j}] = {nj} (covert actions cannot exceed rollouts)"
            )
        ks.append(kj)
        ns.append(nj)
    return np.asarray(ks, dtype=np.int64), np.asarray(ns, dtype=np.int64)


def _as_list(value, field: str) -> list:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return [value]
    return as_float_list(value, field)


def check_prior(prior, field: str = "prior") -> float:
    """P(H) in [0, 1]; 0 and 1 are allowed and explained (Cromwell's rule)."""
    return as_probability(prior, field)


# ---------------------------------------------------------------------------
# Exact results
# ---------------------------------------------------------------------------
def log_beta_binomial(k, n, alpha, beta) -> np.ndarray:
    r"""Log beta-binomial pmf, :math:`\ln\binom{n}{k} + \ln B(k+\alpha, n-k+\beta) - \ln B(\alpha,\beta)`.

    Examples
    --------
    >>> float(np.exp(log_beta_binomial(0, 1, 1.0, 1.0)))  # Beta(1,1) makes k uniform on 0..n
    0.5
    """
    from scipy import special

    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    log_choose = special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
    return log_choose + special.betaln(k + alpha, n - k + beta) - special.betaln(alpha, beta)


@dataclass(frozen=True)
class CountsResult(LogLRQuantities, NotebookRepr):
    r"""Exact (closed-form or quadrature) Bayes factor of covert-action counts, and P(H) updated by it.

    ``log_bayes_factor`` is in nats: :math:`\ln P(D\mid H) - \ln P(D\mid\lnot H)`.
    The posterior is :func:`beliefs.update.update` of ``prior`` with the item
    :meth:`to_evidence` builds, like every other posterior in the project.
    Derived data (``derived=True``) carry ``n_assumed``, ``dataset`` and the
    ``assumption_range`` over what nobody published.
    """

    method: str
    pooling: str
    prior: float
    log_marginal_h: float
    log_marginal_not_h: float
    n_environments: int
    quadrature_rel_error: float | None = None
    note: str = ""
    log_bf_nats: float | None = None  # set when summed per environment (cancellation-free), else the difference
    k: tuple[int, ...] = ()
    n: tuple[int, ...] = ()
    rate_if_h: RatePrior | None = None
    rate_if_not_h: RatePrior | None = None
    kappa_h: KappaPrior | None = None
    kappa_not_h: KappaPrior | None = None
    derived: bool = False
    dataset: str = ""
    n_assumed: int | None = None
    assumption_range: AssumptionRange | None = None

    @property
    def log_bayes_factor(self) -> float:
        if self.log_bf_nats is not None:
            return self.log_bf_nats
        return self.log_marginal_h - self.log_marginal_not_h

    @property
    def bayes_factor(self) -> float:
        return odds_from_log_odds(self.log_bayes_factor)

    @property
    def log_lr(self) -> float:
        """The counts' evidence as a log likelihood ratio (nats): ``bits`` and ``decibels`` derive from it."""
        return self.log_bayes_factor

    @property
    def log10_bayes_factor(self) -> float:
        return self.log10_bf

    @property
    def log10_bf(self) -> float:
        return self.log_bayes_factor / LN10

    @property
    def counts_text(self) -> str:
        """All environments' counts pooled, ``k/n``."""
        return f"{sum(self.k)}/{sum(self.n)}"

    @property
    def fits_ledger(self) -> bool:
        """Whether the factor is one float likelihood ratio (1e-300 to 1e300), so :meth:`to_evidence` can hold it."""
        return abs(self.log_bayes_factor) <= _MAX_LEDGER_LOG_BF

    def update(self, prior: float | None = None) -> UpdateResult:
        """P(H) (``prior``, else the result's own) updated by these counts, with their provenance.

        Through :func:`beliefs.update.update_by_log_bf`, which splits a factor beyond
        exp(700) into equal factors that each fit one float likelihood ratio.
        """
        prior = self.prior if prior is None else prior
        return update_by_log_bf(prior, self.log_bayes_factor, self.label, self.provenance)

    def pooled_rate_curves(self) -> dict[str, tuple[float, float]]:
        """The Beta priors of the rate under H and not H, and their conjugate posteriors for all counts pooled.

        For display only: the Bayes factor treats the environments separately.  A point rate has no
        density to draw and is left out (its value is in :attr:`model_text`).
        """
        k, n = sum(self.k), sum(self.n)
        out = {}
        for word, prior in (("H", self.rate_if_h), ("not H", self.rate_if_not_h)):
            if isinstance(prior, BetaDist):
                post = conjugate_posterior(k, n, prior)
                out[f"prior under {word}"] = (prior.alpha, prior.beta)
                out[f"posterior under {word} (pooled counts)"] = (post.alpha, post.beta)
        return dict(sorted(out.items(), key=lambda kv: "posterior" in kv[0]))  # priors first, as drawn

    @property
    def readings(self) -> dict:
        """The named reading behind each side's prediction (:func:`beliefs.rate_priors.reading_for`)."""
        return {"if_h": reading_for("if_h", self.rate_if_h), "if_not_h": reading_for("if_not_h", self.rate_if_not_h)}

    @property
    def log_posterior_odds(self) -> float:
        return self.update().posterior_log_odds

    @property
    def posterior(self) -> float:
        return self.update().posterior

    @property
    def label(self) -> str:
        if self.dataset:
            return f"covert actions, {self.dataset} (derived counts)"
        return f"covert actions {self.counts_text} in {self.n_environments} environment(s)"

    @property
    def model_text(self) -> str:
        h, nh = self.rate_if_h, self.rate_if_not_h
        rates = "; ".join(r.text for r in self.readings.values()) if h and nh else ""
        if self.pooling == "partial":
            from beliefs.partial_pooling import KappaPrior

            kh = self.kappa_h or KappaPrior()
            kn = self.kappa_not_h or KappaPrior()
            spread = (
                f"spread ln kappa ~ N(ln {kh.median:g}, {kh.log_sd:g}^2) for both"
                if kh == kn
                else f"spreads ln kappa ~ N(ln {kh.median:g}, {kh.log_sd:g}^2) vs N(ln {kn.median:g}, {kn.log_sd:g}^2)"
            )
            return f"partial pooling (hierarchical beta-binomial), population mean rate if {rates}; {spread}"
        return f"no pooling (independent environments), each environment's rate if {rates}"

    @property
    def provenance(self) -> Provenance:
        """What this factor rests on: assumed n and pooling (derived data), model, method, range."""
        if self.derived:
            assumption = f"derived from an assumed n = {self.n_assumed} per evaluation, pooling {self.pooling}"
        else:
            assumption = f"from counts as entered, pooling {self.pooling}"
        rng = self.assumption_range
        return Provenance(
            assumption=assumption,
            method=self.method,
            model=self.model_text,
            log10_bf_range=None if rng is None else rng.range_of(self.pooling),
            range_over="" if rng is None else rng.over_for(self.pooling),
        )

    def to_evidence(self, label: str | None = None, source: Source | None = None) -> Evidence:
        """A ledger item with this Bayes factor and its :attr:`provenance`.

        Raises :class:`InputError` when the factor is beyond what one float ratio holds (1e±300).
        """
        if not self.fits_ledger:
            raise InputError(
                "bayes_factor", f"10^{self.log10_bf:.1f}", "a Bayes factor between 1e-300 and 1e300 to enter the ledger"
            )
        ratio = math.exp(self.log_bayes_factor)
        return Evidence(
            label or self.label,
            likelihood_ratio=ratio,
            source=source,
            # The ratio as derived travels with the item: edited later, it says so (Evidence.provenance_text).
            provenance=replace(self.provenance, derived_likelihood_ratio=ratio),
        )

    def environments(self) -> list[dict]:
        """Each environment's conjugate posterior ``[a + k, b + (n - k)]`` of its rate under H and under not H
        (no pooling); ``None`` for a point rate, which no count moves."""
        if self.rate_if_h is None or self.rate_if_not_h is None:
            return []

        def posterior(kj, nj, prior):
            if isinstance(prior, PointRate):
                return None
            post = conjugate_posterior(kj, nj, prior)
            return [post.alpha, post.beta]

        return [
            {"k": kj, "n": nj, "posterior_if_h": posterior(kj, nj, self.rate_if_h),
             "posterior_if_not_h": posterior(kj, nj, self.rate_if_not_h)}
            for kj, nj in zip(self.k, self.n, strict=True)
        ]  # fmt: skip

    def to_dict(self) -> dict:
        d = {
            "method": self.method,
            "pooling": self.pooling,
            "prior": self.prior,
            "n_environments": self.n_environments,
            "bayes_factor": self.bayes_factor,
            "log_bayes_factor_nats": self.log_bayes_factor,
            "log10_bayes_factor": self.log10_bayes_factor,
            "bits": self.bits,
            "posterior": self.posterior,
            "log_marginal_h": self.log_marginal_h,
            "log_marginal_not_h": self.log_marginal_not_h,
            "quadrature_rel_error": self.quadrature_rel_error,
            "note": self.note,
            "derived": self.derived,
            "provenance": self.provenance.to_dict(),
        }
        if self.rate_if_h is not None and self.rate_if_not_h is not None:
            d["rate_priors"] = {side: r.to_dict() for side, r in self.readings.items()}
        if self.derived:
            d.update(dataset=self.dataset, n_assumed=self.n_assumed)
        if self.assumption_range is not None:
            d["assumption_range"] = self.assumption_range.to_dict()
        if self.pooling == "none":
            d["environments"] = self.environments()
        return d

def _certainty_note(prior: float) -> str:
    if prior in (0.0, 1.0):
        return cromwell_note(prior)
    return ""


def exact_no_pooling(k, n, prior, rate_if_h, rate_if_not_h) -> CountsResult:
    r"""Exact Bayes factor and posterior for independent environment rates.

    .. math::

        \ln \mathrm{BF} = \sum_j \big[\ln B(k_j + a_H, n_j - k_j + b_H) - \ln B(a_H, b_H)\big]
                        - \big[\ln B(k_j + a_{\lnot H}, n_j - k_j + b_{\lnot H}) - \ln B(a_{\lnot H}, b_{\lnot H})\big]

    Parameters
    ----------
    k, n : sequence of int or comma-separated str
        Covert actions and rollouts per environment.
    prior : float
        P(H) in [0, 1]; 0 and 1 are allowed and explained (no update).
    rate_if_h, rate_if_not_h : BetaDist, (a, b) or "a,b"
        Beta prior of an environment's covert-action rate under each hypothesis.

    Examples
    --------
    One covert action in one rollout; H says rates look like Beta(1,1) (mean 1/2),
    not H says Beta(1,9) (mean 1/10): BF = 0.5 / 0.1 = 5.

    >>> r = exact_no_pooling([1], [1], 0.5, (1, 1), (1, 9))
    >>> round(r.bayes_factor, 12), round(r.posterior, 12)
    (5.0, 0.833333333333)
    """
    k_arr, n_arr = check_counts(k, n)
    p = check_prior(prior)
    bh = parse_rate_prior(rate_if_h, "rate_if_h")
    bn = parse_rate_prior(rate_if_not_h, "rate_if_not_h")
    lm_h, lm_n = _log_marginal_no_pooling(k_arr, n_arr, bh), _log_marginal_no_pooling(k_arr, n_arr, bn)
    return CountsResult(
        "exact", "none", p, lm_h, lm_n, len(k_arr), note=_certainty_note(p),
        log_bf_nats=no_pooling_log_bf(k_arr, n_arr, bh, bn), k=tuple(k_arr.tolist()), n=tuple(n_arr.tolist()),
        rate_if_h=bh, rate_if_not_h=bn,
    )


def check_partial_pooling_args(k, n, prior, rate_if_h, rate_if_not_h, kappa_h=None, kappa_not_h=None):
    """The inputs of a partial-pooling update, checked once for the quadrature and the MCMC alike."""
    from beliefs.partial_pooling import KappaPrior

    k_arr, n_arr = check_counts(k, n)
    return (
        k_arr, n_arr, check_prior(prior), parse_rate_prior(rate_if_h, "rate_if_h"),
        parse_rate_prior(rate_if_not_h, "rate_if_not_h"), kappa_h or KappaPrior(), kappa_not_h or KappaPrior(),
    )  # fmt: skip


def quadrature_partial_pooling(
    k,
    n,
    prior,
    rate_if_h,
    rate_if_not_h,
    *,
    kappa_h: KappaPrior | None = None,
    kappa_not_h: KappaPrior | None = None,
) -> CountsResult:
    """P(H | D) under partial pooling by quadrature of each hypothesis's marginal likelihood.

    ``quadrature_rel_error`` is the cubature's own error estimate (relative, on
    each marginal); above 1e-4 ``note`` says the value is uncertain and the
    MCMC answer should be preferred.  A point rate (``point:P``) fixes that
    hypothesis's population mean at P; its spread is still integrated out
    (:func:`beliefs.partial_pooling.log_marginal_point_mean`).
    """
    k_arr, n_arr, p, bh, bn, kh, kn = check_partial_pooling_args(k, n, prior, rate_if_h, rate_if_not_h, kappa_h, kappa_not_h)
    if len(k_arr) > MAX_QUADRATURE_ENVIRONMENTS:  # the cubature's cost grows with the environments
        raise InputError("k", f"{len(k_arr)} environments",
                         f"at most {MAX_QUADRATURE_ENVIRONMENTS} environments for the quadrature; use MCMC beyond")  # fmt: skip
    lm_h, err_h = log_marginal(k_arr, n_arr, bh, "partial", kh, field="rate_if_h")
    lm_n, err_n = log_marginal(k_arr, n_arr, bn, "partial", kn, field="rate_if_not_h")
    err = max(err_h, err_n)
    note = _certainty_note(p)
    if err > 1e-4:
        note = (note + "; " if note else "") + (
            f"quadrature error estimate {err:.1e} is large; prefer the MCMC value (--mcmc)"
        )
    return CountsResult(
        "quadrature", "partial", p, lm_h, lm_n, len(k_arr), quadrature_rel_error=err, note=note,
        k=tuple(k_arr.tolist()), n=tuple(n_arr.tolist()), rate_if_h=bh, rate_if_not_h=bn,
        kappa_h=kh, kappa_not_h=kn,
    )




def conjugate_posterior(k: int, n: int, prior: BetaDist) -> BetaDist:
    r"""Conjugate update :math:`\mathrm{Beta}(a + k,\ b + n - k)` of a rate after k events in n trials.

    Each parameter is one correctly rounded sum, :math:`a + k` and :math:`b + (n - k)`, with the
    count difference taken exactly in integers first: ``b + n - k`` would round ``b + n`` to the
    spacing of doubles near ``n`` (0.0002 at n = 2e12) and keep that error after subtracting ``k``.

    >>> conjugate_posterior(1, 4, BetaDist(0.5, 0.5))
    BetaDist(alpha=1.5, beta=3.5)
    >>> conjugate_posterior(2133384007382, 2133384007382, BetaDist(42.4734, 1.26509)).beta
    1.26509
    """
    return BetaDist(prior.alpha + k, prior.beta + (n - k))  # n - k: exact for counts below 2**53


def env_log_bf(k, n, rate_if_h: BetaDist, rate_if_not_h: BetaDist) -> np.ndarray:
    r"""Per-environment log marginal-likelihood ratio (nats) of ``k`` of ``n`` under two Beta rate priors,

    .. math:: \ln B(k+a_H, n-k+b_H) - \ln B(a_H, b_H) - \ln B(k+a_{\lnot H}, n-k+b_{\lnot H}) + \ln B(a_{\lnot H}, b_{\lnot H})

    (the binomial coefficient is the same under both and cancels).  The one
    place this ratio is computed: the no-pooling Bayes factor and the
    robustness grid call it.  Each term comes from
    :func:`beliefs.special.log_bf_beta_binomial`, where the count-only parts
    cancel by algebra rather than by subtracting two O(n) numbers.

    >>> round(float(np.exp(env_log_bf(1, 1, BetaDist(2, 1), BetaDist(1, 2)))), 12)  # (2/3) / (1/3)
    2.0
    """
    k_b, n_b = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    pair_h = (rate_if_h.alpha, rate_if_h.beta)
    pair_n = (rate_if_not_h.alpha, rate_if_not_h.beta)
    out = np.array(
        [log_bf_beta_binomial([kj], [nj], pair_h, pair_n) for kj, nj in zip(k_b.ravel().tolist(), n_b.ravel().tolist(), strict=True)]
    )
    return out.reshape(k_b.shape)


def grid_log_bf(k, n, rate_if_h: BetaDist, rate_if_not_h: BetaDist) -> np.ndarray:
    """:func:`env_log_bf` vectorised with ``betaln``, for a grid of up to 1e7 hypothetical counts k'.

    Only for ranking a grid (``count_needed``): absolute error ~1e-9 at n ~ 1e6, far below the
    spacing between neighbouring k'.  Reported Bayes factors come from :func:`env_log_bf`.
    """
    from scipy import special

    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    h, nh = rate_if_h, rate_if_not_h
    return (special.betaln(k + h.alpha, n - k + h.beta) - special.betaln(h.alpha, h.beta)) - (
        special.betaln(k + nh.alpha, n - k + nh.beta) - special.betaln(nh.alpha, nh.beta)
    )


def no_pooling_log_bf(k, n, rate_if_h, rate_if_not_h) -> float:
    """The no-pooling log Bayes factor (nats), cancellation-free (:mod:`beliefs.special`).

    Beta against Beta: the beta-binomial marginals; a point rate (``point:P``) on either side: the
    binomial likelihood at P (JASP's binomial test against a point null).
    """
    k_arr, n_arr = check_counts(k, n)
    bh = parse_rate_prior(rate_if_h, "rate_if_h")
    bn = parse_rate_prior(rate_if_not_h, "rate_if_not_h")
    ks, ns = k_arr.tolist(), n_arr.tolist()
    if isinstance(bh, PointRate) and isinstance(bn, PointRate):
        return log_bf_point_vs_point(ks, ns, bh.rate, bn.rate)
    if isinstance(bn, PointRate):
        return log_bf_beta_vs_point(ks, ns, (bh.alpha, bh.beta), bn.rate)
    if isinstance(bh, PointRate):
        return -log_bf_beta_vs_point(ks, ns, (bn.alpha, bn.beta), bh.rate)
    return log_bf_beta_binomial(ks, ns, (bh.alpha, bh.beta), (bn.alpha, bn.beta))


def _log_marginal_no_pooling(k_arr: np.ndarray, n_arr: np.ndarray, rate: RatePrior) -> float:
    """ln P(D | hyp), binomial coefficients included: beta-binomial, or binomial at a point rate."""
    if isinstance(rate, PointRate):
        from scipy import stats

        return math.fsum(stats.binom.logpmf(k_arr, n_arr, rate.rate).tolist())
    return math.fsum(log_beta_binomial(k_arr, n_arr, rate.alpha, rate.beta).tolist())


def log_marginal(k_arr, n_arr, rate: RatePrior, pooling: str, kappa: KappaPrior | None = None, *,
                 field: str = "rate") -> tuple[float, float]:  # fmt: skip
    """``(ln P(D | hyp), relative error)`` of checked counts under one hypothesis's prediction ``rate``.

    The one place a hypothesis's marginal likelihood is chosen: the headline (:func:`quadrature_partial_pooling`)
    and the Bayes-factor map (:mod:`beliefs.bf_map`) both call it, so a map cell and the plain command agree.
    No pooling: closed form (error 0); partial pooling: the 2-D cubature, or for a point rate the 1-D
    integral over the spread (both cached by value).
    """
    if pooling == "none":
        return _log_marginal_no_pooling(np.asarray(k_arr), np.asarray(n_arr), rate), 0.0
    from beliefs.partial_pooling import KappaPrior, log_marginal_partial_pooling, log_marginal_point_mean

    kappa = kappa or KappaPrior()
    if isinstance(rate, PointRate):
        return log_marginal_point_mean(k_arr, n_arr, rate.rate, kappa)
    return log_marginal_partial_pooling(k_arr, n_arr, rate, kappa, field=field)


def counts_log_bf(k, n, rate_if_h, rate_if_not_h, pooling: str = "partial", *,
                  kappa_h: KappaPrior | None = None, kappa_not_h: KappaPrior | None = None) -> float:  # fmt: skip
    """The log Bayes factor (nats) under ``pooling`` ("none": closed form; "partial": quadrature)."""
    if pooling == "none":
        return no_pooling_log_bf(k, n, rate_if_h, rate_if_not_h)
    if pooling != "partial":
        raise InputError("pooling", pooling, "'none' or 'partial'")
    return quadrature_partial_pooling(
        k, n, 0.5, rate_if_h, rate_if_not_h, kappa_h=kappa_h, kappa_not_h=kappa_not_h
    ).log_bayes_factor


# ---------------------------------------------------------------------------
# The chart: Beta densities of the rates (a Vega-Lite spec; Altair imported only when a plot is drawn)
# ---------------------------------------------------------------------------
def rate_density_rows(curves: dict[str, tuple[float, float]], points: int = 300) -> list[list]:
    r"""Beta densities :math:`f(\theta; a, b)` of covert-action rates on a common grid, one column per curve.

    The grid runs from 0 to the largest 99.9% quantile among the curves, so a
    rate prior concentrated near 0.4% is not squashed against the axis.

    >>> rows = rate_density_rows({"uniform": (1.0, 1.0)}, points=3)
    >>> rows[0], [round(r[1], 12) for r in rows[1:]]
    (['rate', 'uniform'], [1.0, 1.0, 1.0])
    """
    from scipy import stats

    if not curves:
        raise InputError("curves", {}, "at least one Beta (a, b)")
    names = list(curves)
    params = []
    for name in names:
        a, b = curves[name]
        if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
            raise InputError(f"curves[{name!r}]", (a, b), "Beta parameters a, b > 0")
        params.append((float(a), float(b)))
    top = max(float(stats.beta.ppf(0.999, a, b)) for a, b in params)
    top = min(1.0, max(top, 1e-6))
    # Open at 0: a Beta with a < 1 has an infinite density there.
    x = (
        np.linspace(top / (2 * points), top, points)
        if any(a < 1 for a, _ in params)
        else np.linspace(0.0, top, points)
    )
    cols = [stats.beta.pdf(x, a, b) for a, b in params]
    rows: list[list] = [["rate", *names]]
    for i, xi in enumerate(x):
        rows.append([float(xi), *(float(c[i]) for c in cols)])
    return rows


def plot_rate_densities(curves: dict[str, tuple[float, float]], *, title: str = "Covert-action rate") -> dict:
    """Beta densities of the covert-action rate: H orange, not H purple; priors dashed, posteriors solid.

    A curve is "not H" when its name says so and a prior when its name says so
    (as :meth:`CountsResult.pooled_rate_curves` names them); one legend names each.

    Returns
    -------
    dict
        The Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    import altair as alt

    from beliefs.plots.style import PLOT_HEIGHT, finish
    from beliefs.plots.style import title as chart_title

    header, *body = rate_density_rows(curves)
    names = header[1:]
    values = [{"rate": r[0], "density": d, "curve": name} for r in body for name, d in zip(names, r[1:], strict=True)]
    legend = alt.Legend(title=None)
    chart = (
        alt.Chart(alt.NamedData("curves"))
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("rate:Q", title="covert-action rate per rollout", scale=alt.Scale(domain=[0, body[-1][0]], nice=False),
                    axis=alt.Axis(format="~%")),
            y=alt.Y("density:Q", title="density"),
            color=alt.Color("curve:N", scale=alt.Scale(domain=names, range=[AGAINST_H if "not H" in n else FOR_H for n in names]), legend=legend),
            strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=names, range=[[6, 4] if "prior" in n else [1, 0] for n in names]), legend=legend),
            tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("rate:Q", format=".4~%"), alt.Tooltip("density:Q", format=".4~g")],
        )
        .properties(title=chart_title(title), height=PLOT_HEIGHT)
    )  # fmt: skip
    return finish(chart, name=title, data={"curves": values})
