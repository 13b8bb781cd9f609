r"""Value of information between two viewpoints: which pending observation would settle it.

Side :math:`j \in \{A, B\}` holds P(H) = :math:`p_j` (its scenario's
posterior, log-odds :math:`x_j`) and states, for a pending observation E,
:math:`h_j = P(E\mid H)` and :math:`n_j = P(E\mid\lnot H)`.  Then

.. math::

    P_j(E) = p_j h_j + (1-p_j) n_j,\qquad
    x_j^{E} = x_j + \ln\frac{h_j}{n_j},\qquad
    x_j^{\lnot E} = x_j + \ln\frac{1-h_j}{1-n_j},

and the disagreement, in bits, is :math:`D = |x_A - x_B| / \ln 2` now, if E
and if not E.  Its expectation uses the mean of the sides' predictions,
:math:`\bar p = (P_A(E) + P_B(E))/2`:

.. math::

    \mathbb{E}[D] = \bar p\, D_E + (1-\bar p)\, D_{\lnot E}.

Observations are ranked by :math:`\mathbb{E}[D]`, smallest first (the most
disagreement closed).  The same expectation under each side's own
:math:`P_j(E)` is reported beside it (what each side expects to be left).  Each side's expected movement under its own
prediction, :math:`P_j(E)\ln(h_j/n_j) + (1-P_j(E))\ln((1-h_j)/(1-n_j))`
(in bits), is reported too, signed toward the other side: an observation both
sides expect to move them toward each other is the one to fund.  (Expected
*probability* does not move, by conservation of expected evidence; expected
log-odds does.)

Everything is in log space: :math:`\ln P_j(E)` is a ``logaddexp`` of
:math:`\ln p_j + \ln h_j` and :math:`\ln(1-p_j) + \ln n_j`, with
:math:`\ln p_j = -\ln(1+e^{-x_j})`, and each side's posterior comes from
:func:`beliefs.update.update` with the observation (or its complement,
:math:`1-h_j` versus :math:`1-n_j`) appended to the side's ledger.  A side
whose prior is exactly 0 or 1 is certain: no observation moves it (Cromwell's
rule); the result says so in ``notes``, its disagreement with an uncertain
side is infinite (``null`` in JSON) and two sides certain of the same thing
disagree by 0 bits.

Likelihoods in the pending file must lie strictly between 0 and 1: an
observation that is certain under H or under not H would settle the question
by itself, and its "not observed" branch would have probability 0.

The Forecasting Research Institute's measures
---------------------------------------------
Beside the bits above, each observation carries FRI's value of information
and value of discrimination, in log10 units, exactly as their R package
``voivod`` (``R/metrics.R``: ``KL``, ``VoI_log``, ``VoD_log_gmod``) defines
them.  FRI ask a person for P(U) (the ultimate question), P(c) (a crux
resolving yes) and P(U|c).  Here each view states its own, as probabilities
of its own:

=============  ==========================================  ===========================================
FRI            here, for view :math:`j`                    computed as
=============  ==========================================  ===========================================
U              H, the hypothesis the views argue about
c              the pending observation E is observed
P(U)           :math:`p_j`, the view's P(H) now            its posterior after its own ledger
P(c)           :math:`P_j(E)`                              :math:`p_j h_j + (1-p_j) n_j`
P(U|c)         :math:`P_j(H\mid E)`                        the "if observed" posterior
P(U|¬c)        :math:`P_j(H\mid\lnot E)`                   the "if not observed" posterior
=============  ==========================================  ===========================================

FRI derive :math:`P(U\mid\lnot c) = (P(U) - P(U\mid c)P(c))/(1-P(c))`; for a
view that states likelihoods this *is* its "if not observed" posterior (the
law of total probability), so FRI's "incoherent" case (a negative
P(U|¬c)) cannot arise.  With :math:`\mathrm{KL}(p, q) = p\log_{10}\frac pq +
(1-p)\log_{10}\frac{1-p}{1-q}` and :math:`\mathrm{SKL}(p, q) = \mathrm{KL}(p, q) +
\mathrm{KL}(q, p)`:

.. math::

    \mathrm{VoI}_j = P_j(c)\,\mathrm{KL}(P_j(U\mid c), P_j(U))
    + (1 - P_j(c))\,\mathrm{KL}(P_j(U\mid\lnot c), P_j(U)),

each view's expected information about H from E on its own forecast (the
mutual information of H and E under view :math:`j`'s joint distribution, in
hartleys); and

.. math::

    \mathrm{VoD} = \mathrm{SKL}(P_A(U), P_B(U))
    - \big[w_c\,\mathrm{SKL}(P_A(U\mid c), P_B(U\mid c))
    + w_{\lnot c}\,\mathrm{SKL}(P_A(U\mid\lnot c), P_B(U\mid\lnot c))\big],

the disagreement now minus the disagreement expected after E resolves,
weighted by the geometric mean of odds of the two views' P(c):
:math:`w_c = \sigma\big((\operatorname{logit} P_A(c) + \operatorname{logit} P_B(c))/2\big)`
and :math:`w_{\lnot c}` the same for :math:`1-P(c)`, so :math:`w_c + w_{\lnot c} = 1`.
Positive VoD: E is expected to bring the views closer.

Units.  ``VoD_log_gmod`` calls ``aggutils::geoMeanOfOddsCalc(c(pc_a, pc_b))``,
and that helper (``aggutils`` ``R/agg.R``) takes forecasts in percent: it
divides by 100 and returns a percentage.  Given P(c) as fractions (as ``KL``
needs them), it returns :math:`100\,g/(1+g)` with :math:`g` the geometric
mean of :math:`P/(100-P)`, which is nearly the geometric mean of the P(c)
themselves, not of their odds, and the two weights no longer sum to 1 (P(c)
0.3 and 0.6: 0.4244 and 0.5293 where the documented weights are 0.4450 and
0.5550); an older ``aggutils`` returned odds without the factor 100, a
weight about 100 times smaller.  We use the documented weights (the geometric
mean of odds of the two P(c), in probability units).  Both agree exactly
when the two views give E the same probability.

Numerics: KL is computed from log-odds, :math:`\ln p = -\ln(1+e^{-x})`,
so posteriors within 1e-300 of 0 or 1 keep their digits, and each log-ratio
is computed as a whole (``log1p``/``expm1``), not as a difference of two
logarithms; the two terms still cancel when p is near q (KL is then about
:math:`(x_p-x_q)^2 p(1-p)/2`), leaving a relative error of about
:math:`10^{-16}/|x_p - x_q|`.  A certain view has
VoI 0 (nothing moves it, as FRI's code returns 0 when P(U|c) = P(U)); VoD
with one certain view is undefined (infinite minus infinite: ``null`` in
JSON), and 0 when both are certain of the same thing.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, TypeAdapter, ValidationError, model_validator

from beliefs.analysis.crux import HypothesisCheck, check_hypotheses
from beliefs.errors import InputError
from beliefs.evidence import Evidence

# The strict JSON reader is scenario.py's (decode_document, loads_strict) and the strict base model scenario_schema.py's:
# one set of rules (no NaN, no duplicate keys, no strings for numbers, bounded size and nesting) for every file we read.
from beliefs.io.scenario import decode_document, loads_strict
from beliefs.io.scenario_schema import Scenario, ScenarioError, SourceSpec, _Strict, _translate
from beliefs.odds import LN10, bits, probability
from beliefs.tables import NotebookRepr
from beliefs.text import look_alike, one_line, one_line_problem
from beliefs.update import UpdateResult, cromwell_note, update

__all__ = [
    "MAX_OBSERVATIONS",
    "MAX_PENDING_BYTES",
    "Likelihoods",
    "ObservationVoi",
    "PendingObservation",
    "VoiResult",
    "kl_log10",
    "parse_pending",
    "plot_voi",
    "value_of_information",
]

MAX_PENDING_BYTES = 200_000
MAX_OBSERVATIONS = 200

_OPEN = "a probability strictly between 0 and 1 (an observation certain under H or not H settles it alone)"
OpenProbability = Annotated[float, Field(gt=0, lt=1)]


class Likelihoods(_Strict):
    """One side's P(E | H) and P(E | not H) for a pending observation."""

    p_e_given_h: OpenProbability = Field(description=_OPEN)
    p_e_given_not_h: OpenProbability = Field(description=_OPEN)


class PendingObservation(_Strict):
    """A pending observation: side A's likelihoods, and side B's (default: A's)."""

    label: str = Field(min_length=1, max_length=200, description="a label of 1 to 200 characters, no control characters")
    a: Likelihoods = Field(description="an object {p_e_given_h, p_e_given_not_h}")
    b: Likelihoods | None = Field(None, description="an object {p_e_given_h, p_e_given_not_h}, or omitted")
    note: str = Field("", max_length=4000, description="text of at most 4000 characters")
    source: SourceSpec | None = Field(None, description="a source object {citation, location, status, url} or null")

    @model_validator(mode="after")
    def _check(self) -> PendingObservation:
        # Shown in terminals and the app: a label on one line, with something in it (the one rule for
        # names, beliefs.text.one_line_problem); a note may break lines, but holds no escape sequence.
        problem = one_line_problem(self.label)
        if problem:
            raise InputError("label", self.label, "a label on one line, without control characters or invisible ones", problem)
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\n" for ch in self.note):
            raise InputError("note", self.note, "text without control characters (escape codes)")
        return self

    @property
    def b_or_a(self) -> Likelihoods:
        return self.b if self.b is not None else self.a


_LIST = TypeAdapter(list[PendingObservation])


def parse_pending(text: str | bytes, field: str = "--pending") -> list[PendingObservation]:
    """Parse a pending-observations file: a JSON list of observations (strict, size-capped).

    >>> obs = parse_pending('[{"label": "x", "a": {"p_e_given_h": 0.9, "p_e_given_not_h": 0.3}}]')
    >>> obs[0].b_or_a.p_e_given_h
    0.9
    """
    try:  # the same strict JSON as a scenario file
        text = decode_document(text, field, max_bytes=MAX_PENDING_BYTES, what="a file")
        obj = loads_strict(text, field)
    except ScenarioError as exc:  # a duplicate key is named by its path there; here by the option
        raise InputError(field, exc.value, exc.allowed, exc.hint) from None
    allowed = 'a JSON list of observations [{"label": ..., "a": {...}, "b": {...}}, ...]'
    if not isinstance(obj, list):
        raise InputError(field, type(obj).__name__ if isinstance(obj, dict) else obj, allowed)
    if not obj:
        raise InputError(field, obj, allowed, "the list is empty")
    if len(obj) > MAX_OBSERVATIONS:
        raise InputError(field, f"{len(obj)} observations", f"at most {MAX_OBSERVATIONS} observations")
    try:
        observations = _LIST.validate_python(obj)
    except ValidationError as exc:
        err = _translate(exc, PendingObservation)
        raise InputError(f"{field} {err.field}", err.value, err.allowed, err.hint) from None
    except InputError as exc:  # raised by a model's own check
        raise InputError(f"{field} {exc.field}", exc.value, exc.allowed, exc.hint) from None
    alike = look_alike([o.label for o in observations])
    if alike:  # results are read by label: two that look the same could not be told apart
        i, j = alike
        raise InputError(
            f"{field} [{j}].label", observations[j].label, "a label unlike every other observation's",
            f"it looks the same as [{i}].label {observations[i].label!r}",
        )  # fmt: skip
    return observations


# -- computing -----------------------------------------------------------------------


def _log_sigmoid(x: float) -> float:
    """ln P(H) from log-odds x, = -ln(1 + e^-x), exact at both ends and at +-inf."""
    if x == math.inf:
        return 0.0
    if x == -math.inf:
        return -math.inf
    if x >= 0:
        return -math.log1p(math.exp(-x))
    return x - math.log1p(math.exp(x))


def _log_add(u: float, v: float) -> float:
    hi, lo = max(u, v), min(u, v)
    if hi == -math.inf:
        return -math.inf
    return hi + math.log1p(math.exp(lo - hi))


def predictive(x: float, h: float, n: float) -> float:
    """P(E) for a side at log-odds ``x`` with P(E|H) = h, P(E|not H) = n, computed in log space."""
    return math.exp(_log_predictive(x, h, n)[0])


def _gap_bits(xa: float, xb: float) -> float:
    """|xa - xb| in bits; two certainties of the same sign agree (0), not NaN."""
    if math.isinf(xa) and math.isinf(xb) and (xa > 0) == (xb > 0):
        return 0.0
    return bits(abs(xa - xb))


def _log_predictive(x: float, h: float, n: float) -> tuple[float, float]:
    """(ln P(E), ln P(not E)) for a side at log-odds ``x``, each a log-sum of two products."""
    lp, lnp = _log_sigmoid(x), _log_sigmoid(-x)
    return _log_add(lp + math.log(h), lnp + math.log(n)), _log_add(lp + math.log1p(-h), lnp + math.log1p(-n))


def kl_log10(x_p: float, x_q: float) -> float:
    r"""FRI's ``KL(p, q)`` = :math:`p\log_{10}(p/q) + (1-p)\log_{10}((1-p)/(1-q))`, from log-odds.

    ``x_p`` and ``x_q`` are the log-odds of p and q (infinite for a certainty).

    >>> round(kl_log10(0.0, math.log(0.2 / 0.8)), 12)  # KL(0.5, 0.2)
    0.096910013008
    """
    if x_p == x_q:
        return 0.0
    terms = []
    for sign in (1.0, -1.0):  # the p term, then the 1 - p term
        weight = probability(sign * x_p)  # directly, not exp(ln p): that loses |x| ulps
        if weight == 0.0:  # a term of weight 0 adds nothing (0 x log 0 = 0)
            continue
        terms.append(weight * _log_sigmoid_difference(sign * x_p, sign * x_q))
    return math.fsum(terms) / LN10


def _log_sigmoid_difference(u: float, v: float) -> float:
    """ln sigma(u) - ln sigma(v), to a few ulps of itself even when u is near v.

    ln sigma(u) - ln sigma(v) = -ln((1 + e^-u)/(1 + e^-v)) = -log1p(sigma(-v) expm1(v - u)); subtracting the
    two logarithms instead would leave an absolute error of about 1e-16 x |ln sigma(v)|, which swamps a
    difference of 1e-9.  Far apart (or at an infinity) the plain difference is exact enough and cannot overflow.
    """
    if math.isfinite(u) and math.isfinite(v) and abs(v - u) < 1.0:
        return -math.log1p(probability(-v) * math.expm1(v - u))
    return _log_sigmoid(u) - _log_sigmoid(v)


def _skl(x_a: float, x_b: float) -> float:
    """FRI's symmetric KL, ``KL(a, b) + KL(b, a)`` (log10); 0 for two equal certainties."""
    return kl_log10(x_a, x_b) + kl_log10(x_b, x_a)


def _expectation(pairs) -> float:
    """sum w * v over (w, v), skipping w = 0: a branch nobody expects adds nothing, even if v is infinite."""
    return math.fsum(w * v for w, v in pairs if w > 0)


@dataclass(frozen=True)
class Branch:
    """Both sides' posteriors in one branch (E observed or not)."""

    a: UpdateResult
    b: UpdateResult

    @property
    def disagreement_bits(self) -> float:
        return _gap_bits(self.a.posterior_log_odds, self.b.posterior_log_odds)

    def to_dict(self) -> dict:
        return {
            "a_posterior": self.a.posterior,
            "b_posterior": self.b.posterior,
            "disagreement_bits": self.disagreement_bits,
            "a_posterior_bits": bits(self.a.posterior_log_odds),
            "b_posterior_bits": bits(self.b.posterior_log_odds),
        }


@dataclass(frozen=True)
class ObservationVoi:
    """One pending observation: what each side predicts, and where each branch leaves them."""

    observation: PendingObservation
    p_observed_a: float
    p_observed_b: float
    if_observed: Branch
    if_not_observed: Branch
    now_a: UpdateResult
    now_b: UpdateResult
    # logit P_j(E) = ln P_j(E) - ln P_j(not E), kept from log space for FRI's weights
    log_odds_observed_a: float
    log_odds_observed_b: float

    @property
    def label(self) -> str:
        return self.observation.label

    @property
    def p_observed_mean(self) -> float:
        return 0.5 * (self.p_observed_a + self.p_observed_b)

    @property
    def expected_disagreement_bits(self) -> float:
        p = self.p_observed_mean
        d_e, d_not = self.if_observed.disagreement_bits, self.if_not_observed.disagreement_bits
        # 0 x inf is 0 here: a branch nobody expects cannot contribute.
        return math.fsum(w * d for w, d in ((p, d_e), (1 - p, d_not)) if w > 0)

    @property
    def expected_disagreement_bits_by_side(self) -> tuple[float, float]:
        """E[D] weighted by each side's own P_j(E) instead of the mean: what each side expects to be left."""
        d_e, d_not = self.if_observed.disagreement_bits, self.if_not_observed.disagreement_bits
        return tuple(
            math.fsum(w * d for w, d in ((p, d_e), (1 - p, d_not)) if w > 0)
            for p in (self.p_observed_a, self.p_observed_b)
        )

    def _movement(self, now: UpdateResult, p_e: float, side: str) -> float:
        """Side's expected change in its own log2 odds (toward H), under its own P(E)."""
        if now.certain:
            return 0.0
        e = getattr(self.if_observed, side).items[-1].weighted_log_lr
        ne = getattr(self.if_not_observed, side).items[-1].weighted_log_lr
        return bits(math.fsum((p_e * e, (1 - p_e) * ne)))

    @property
    def expected_movement_bits(self) -> tuple[float, float]:
        return (
            self._movement(self.now_a, self.p_observed_a, "a"),
            self._movement(self.now_b, self.p_observed_b, "b"),
        )

    @property
    def expected_movement_toward_other_bits(self) -> tuple[float, float]:
        """Each side's expected movement, positive when toward the other side's current position."""
        xa, xb = self.now_a.posterior_log_odds, self.now_b.posterior_log_odds
        ma, mb = self.expected_movement_bits
        sign_a = (xb > xa) - (xb < xa)
        return (sign_a * ma, -sign_a * mb)

    def _voi_log10(self, now: UpdateResult, log_odds_e: float, side: str) -> float:
        """FRI's VoI_log for one side on its own forecast (0 for a certain side)."""
        if now.certain:
            return 0.0
        x = now.posterior_log_odds
        return _expectation(
            (
                (probability(log_odds_e), kl_log10(getattr(self.if_observed, side).posterior_log_odds, x)),
                (probability(-log_odds_e), kl_log10(getattr(self.if_not_observed, side).posterior_log_odds, x)),
            )
        )

    @property
    def voi_log10(self) -> tuple[float, float]:
        """FRI's VoI_log (log10) of each side, on its own P(H), P(E) and posteriors (see the module docstring)."""
        return (
            self._voi_log10(self.now_a, self.log_odds_observed_a, "a"),
            self._voi_log10(self.now_b, self.log_odds_observed_b, "b"),
        )

    @property
    def crux_weights(self) -> tuple[float, float]:
        """(w_c, w_not_c): the geometric mean of odds of the sides' P(E), and of their P(not E); they sum to 1."""
        mean = 0.5 * (self.log_odds_observed_a + self.log_odds_observed_b)
        return probability(mean), probability(-mean)

    @property
    def vod_log_gmod(self) -> float | None:
        """FRI's VoD_log_gmod (log10): disagreement now minus that expected after E; None if undefined."""
        w_c, w_not = self.crux_weights
        now = _skl(self.now_a.posterior_log_odds, self.now_b.posterior_log_odds)
        after = _expectation(
            (
                (w_c, _skl(self.if_observed.a.posterior_log_odds, self.if_observed.b.posterior_log_odds)),
                (w_not, _skl(self.if_not_observed.a.posterior_log_odds, self.if_not_observed.b.posterior_log_odds)),
            )
        )
        if math.isinf(now) and math.isinf(after):  # one side certain: infinite minus infinite
            return None
        return now - after

    def to_dict(self) -> dict:
        ma, mb = self.expected_movement_bits
        ta, tb = self.expected_movement_toward_other_bits
        va, vb = self.voi_log10
        src = self.observation.source
        return {
            "label": self.label,
            "p_observed": {"a": self.p_observed_a, "b": self.p_observed_b},
            "if_observed": self.if_observed.to_dict(),
            "if_not_observed": self.if_not_observed.to_dict(),
            "expected_disagreement_bits": self.expected_disagreement_bits,
            "expected_disagreement_bits_by_side": dict(zip("ab", self.expected_disagreement_bits_by_side, strict=True)),
            "expected_movement_bits": {"a": ma, "b": mb},
            "expected_movement_toward_other_bits": {"a": ta, "b": tb},
            "both_expect_to_converge": ta > 0 and tb > 0,
            "voi_log10": {"a": va, "b": vb},
            "vod_log_gmod": self.vod_log_gmod,
            "likelihoods": {
                "a": self.observation.a.model_dump(),
                "b": self.observation.b_or_a.model_dump(),
                "b_shares_a": self.observation.b is None,
            },
            "source": None if src is None else src.model_dump(),
        }


@dataclass(frozen=True)
class VoiResult(NotebookRepr):
    """Observations ranked by the disagreement they are expected to leave, smallest first."""

    names: tuple[str, str]
    a: UpdateResult
    b: UpdateResult
    observations: tuple[ObservationVoi, ...]
    hypotheses: HypothesisCheck | None = None  # None: no statements of H were given to check

    @property
    def disagreement_bits(self) -> float:
        return _gap_bits(self.a.posterior_log_odds, self.b.posterior_log_odds)

    @property
    def notes(self) -> tuple[str, ...]:
        out = []
        for name, r in zip(self.names, (self.a, self.b), strict=True):
            if r.certain:
                out.append(
                    f"{name} is certain. {cromwell_note(r.prior)} Its side of every branch stays where it is"
                    + ("; the disagreement with an uncertain side is infinite (null in JSON)" if not (self.a.certain and self.b.certain) else "")
                )
        return tuple(out)

    def to_dict(self) -> dict:
        return {
            "names": list(self.names),
            "a_posterior": self.a.posterior,
            "b_posterior": self.b.posterior,
            "disagreement_bits": self.disagreement_bits,
            "observations": [o.to_dict() for o in self.observations],
            "notes": list(self.notes),
            "hypotheses": None if self.hypotheses is None else self.hypotheses.to_dict(),
        }

    def text(self) -> str:
        a, b = self.names
        lines = [] if self.hypotheses is None or not self.hypotheses.warning else ["warning: " + self.hypotheses.warning]
        lines += [
            f"{a}: P(H) {_pct(self.a)}   {b}: P(H) {_pct(self.b)}   disagreement now {_fmt_bits(self.disagreement_bits)}",
            "",
            "ranked by expected disagreement after the observation (smallest first):",
        ]
        for i, o in enumerate(self.observations, 1):
            ta, tb = o.expected_movement_toward_other_bits
            lines += [
                f"{i}. {one_line(o.label)}",
                f"   P(observed): {a} {_probability_text(o.p_observed_a)}, {b} {_probability_text(o.p_observed_b)}",
                f"   if observed:     {a} {_pct(o.if_observed.a)}, {b} {_pct(o.if_observed.b)}, "
                f"disagreement {_fmt_bits(o.if_observed.disagreement_bits)}",
                f"   if not observed: {a} {_pct(o.if_not_observed.a)}, {b} {_pct(o.if_not_observed.b)}, "
                f"disagreement {_fmt_bits(o.if_not_observed.disagreement_bits)}",
                f"   expected disagreement {_fmt_bits(o.expected_disagreement_bits)}; expected movement toward "
                f"the other side: {a} {_signed(ta)} bits, {b} {_signed(tb)} bits"
                + ("  <- both expect to converge" if ta > 0 and tb > 0 else ""),
                f"   FRI (log10): value of information {a} {o.voi_log10[0]:.5f}, {b} {o.voi_log10[1]:.5f}; "
                f"value of discrimination {_fmt_vod(o.vod_log_gmod)}",
            ]
            src = o.observation.source
            if src is not None:
                lines.append(f"   likelihoods: status {src.status} ({src.location or src.citation})")
        for note in self.notes:
            lines += ["", "note: " + note]
        return "\n".join(lines)


def _pct(r: UpdateResult) -> str:
    from beliefs.format import format_probability

    return format_probability(r.posterior_log_odds)


def _signed(x: float) -> str:
    # Rounding residue (8e-17) must not print as "-0.000".
    return f"{round(x, 12) + 0.0:+.3f}"


def _fmt_vod(x: float | None) -> str:
    return "undefined (a side is certain)" if x is None else f"{round(x, 12) + 0.0:+.5f}"


def _fmt_bits(x: float) -> str:
    return "infinite" if math.isinf(x) else f"{x:.3f} bits"


def _branch_evidence(label: str, lk: Likelihoods, observed: bool) -> Evidence:
    if observed:
        return Evidence(f"{label} (observed)", p_e_given_h=lk.p_e_given_h, p_e_given_not_h=lk.p_e_given_not_h)
    # 1 - h is exact for h >= 0.5 and within half an ulp of 1 otherwise: an absolute error in
    # ln(1 - h) of at most ~1e-16 nats, the same as log1p's.
    return Evidence(
        f"{label} (not observed)", p_e_given_h=1.0 - lk.p_e_given_h, p_e_given_not_h=1.0 - lk.p_e_given_not_h
    )


def _side(view: Scenario | tuple[float, list[Evidence]]) -> tuple[float, list[Evidence]]:
    if isinstance(view, Scenario):
        return view.prior, view.evidence_items()
    prior, items = view
    return prior, list(items)


def value_of_information(
    a: Scenario | tuple[float, list[Evidence]],
    b: Scenario | tuple[float, list[Evidence]],
    pending: list[PendingObservation],
    *,
    names: tuple[str, str] = ("A", "B"),
    hypotheses: tuple[str, str] | None = None,
) -> VoiResult:
    """Rank pending observations by the disagreement between A and B they are expected to leave.

    ``a`` and ``b`` are scenarios (or ``(prior, evidence)`` pairs); each
    branch's posterior is :func:`~beliefs.update.update` of the side's prior
    and ledger with the observation, or its complement, appended.
    ``hypotheses``: the two views' statements of H, checked by
    :func:`beliefs.analysis.crux.check_hypotheses` (default: the scenarios'
    ``hypothesis`` fields when both sides are scenarios; no check for pairs).

    Examples
    --------
    Both sides at 50% and 20%; an observation both read as 0.9 vs 0.1:

    >>> obs = parse_pending('[{"label": "x", "a": {"p_e_given_h": 0.9, "p_e_given_not_h": 0.1}}]')
    >>> r = value_of_information((0.5, []), (0.2, []), obs)
    >>> round(r.disagreement_bits, 12), round(r.observations[0].p_observed_a, 12)
    (2.0, 0.5)
    """
    if names[0] == names[1]:
        names = (f"{names[0]} (A)", f"{names[1]} (B)")
    if hypotheses is None and isinstance(a, Scenario) and isinstance(b, Scenario):
        hypotheses = (a.hypothesis, b.hypothesis)
    check = None if hypotheses is None else check_hypotheses(*hypotheses, names=names)
    prior_a, items_a = _side(a)
    prior_b, items_b = _side(b)
    now_a, now_b = update(prior_a, items_a), update(prior_b, items_b)
    rows = []
    for obs in pending:
        la, lb = obs.a, obs.b_or_a
        ea, not_ea = _log_predictive(now_a.posterior_log_odds, la.p_e_given_h, la.p_e_given_not_h)
        eb, not_eb = _log_predictive(now_b.posterior_log_odds, lb.p_e_given_h, lb.p_e_given_not_h)
        rows.append(
            ObservationVoi(
                observation=obs,
                p_observed_a=math.exp(ea),
                p_observed_b=math.exp(eb),
                if_observed=Branch(
                    update(prior_a, [*items_a, _branch_evidence(obs.label, la, True)]),
                    update(prior_b, [*items_b, _branch_evidence(obs.label, lb, True)]),
                ),
                if_not_observed=Branch(
                    update(prior_a, [*items_a, _branch_evidence(obs.label, la, False)]),
                    update(prior_b, [*items_b, _branch_evidence(obs.label, lb, False)]),
                ),
                now_a=now_a,
                now_b=now_b,
                log_odds_observed_a=ea - not_ea,
                log_odds_observed_b=eb - not_eb,
            )
        )
    # Stable sort on one precomputed key: equal expectations keep the file's order.
    keyed = sorted(((o.expected_disagreement_bits, i) for i, o in enumerate(rows)))
    return VoiResult(
        names=names, a=now_a, b=now_b, observations=tuple(rows[i] for _, i in keyed), hypotheses=check
    )


def plot_voi(result: VoiResult) -> dict:
    """What would settle it: the disagreement each observation is expected to leave (bars), against now (line), in bits.

    A bar is blue when the observation is expected to narrow the disagreement,
    grey when not; the legend says so.  An infinite expectation (a certain side)
    is drawn at 0 and named in its label.  At most
    :data:`beliefs.plots.style.MAX_ROWS` observations are drawn, those expected
    to leave the least (the table and JSON list each).  Returns the Vega-Lite
    spec (:func:`beliefs.plots.style.finish`).
    """
    from beliefs.plots.palette import ESTIMATE, NEUTRAL, REFERENCE
    from beliefs.plots.style import MAX_ROWS, bar_rows, wrap
    from beliefs.tables import one_line

    narrows, stays = "expected to narrow the disagreement", "not expected to narrow it"
    now = result.disagreement_bits
    now_name = f"disagreement now: {now:.2f} bits" if math.isfinite(now) else "disagreement now: infinite"
    values = []
    for i, o in enumerate(result.observations[:MAX_ROWS]):
        v = o.expected_disagreement_bits
        text = f"{v:.2f} bits" if math.isfinite(v) else "infinite (see notes)"
        values.append({"row": i, "label": wrap(f"{one_line(o.label)}: {text}"), "name": one_line(o.label),
                       "bits": v if math.isfinite(v) else 0.0, "series": narrows if v < now else stays})  # fmt: skip
    hidden = len(result.observations) - len(values)
    a, b = result.names
    return bar_rows(
        values,
        [[{"x": "bits", "x2": 0.0, "colour": "series"}]],
        series={narrows: ESTIMATE, stays: NEUTRAL, now_name: REFERENCE},
        levels=[{"x": now, "series": now_name}] if math.isfinite(now) else [],
        x_title="expected disagreement after the observation (bits)",
        chart_title=f"What would settle it: {a} vs {b}",
        subtitle=f"{hidden} more observations, expected to leave more, are in the table." if hidden else "",
        tooltip=[{"field": "name", "type": "nominal", "title": "observation"},
                 {"field": "bits", "type": "quantitative", "format": ".3f", "title": "expected bits"}],
        name="what would settle it",
    )  # fmt: skip


def _probability_text(p: float) -> str:
    """A probability in the project's one format (percent; scientific near 0 and 1)."""
    from beliefs.format import format_probability
    from beliefs.odds import log_odds

    return format_probability(log_odds(p))
