r"""The scenario file's schema: pydantic specs of a prior, evidence items and model settings.

Every field carries a ``description`` that doubles as the "allowed" text of
its error: a pydantic error becomes one :class:`ScenarioError` naming the
field path as written in the file (``evidence[2].p_e_given_h``), the value and
what is allowed (:func:`validate`).  Each spec converts to and from the
library's own type (:class:`~beliefs.evidence.Source`,
:class:`~beliefs.evidence.Evidence`, :class:`~beliefs.evidence.Provenance`),
whose constructors stay the authority on what a valid value is.  Reading,
writing and the built-in scenarios are :mod:`beliefs.io.scenario`.

>>> validate({"prior": -0.5})
Traceback (most recent call last):
...
beliefs.io.scenario_schema.ScenarioError: prior: got -0.5; expected a probability in [0, 1] (0 and 1 are allowed and explained)
>>> field_path(("evidence", 2, "p_e_given_h")), field_path(("app", "a key"))
('evidence[2].p_e_given_h', "app['a key']")
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_serializer,
    model_validator,
)

from beliefs import evidence as item_schema
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence, Provenance, Range, Source, TextRule
from beliefs.rate_priors import RatePrior
from beliefs.update import UpdateResult, update
from beliefs.validation import refuse_subnormal

__all__ = [
    "FORMAT",
    "HYPOTHESES_VERSION",
    "VERSION",
    "VERSIONS",
    "BetaSpec",
    "ChainSettings",
    "CovertActionsSettings",
    "EvidenceSpec",
    "HypothesisSpec",
    "ModelSettings",
    "MonitorSourceSpec",
    "MonitoringSettings",
    "PointSpec",
    "ProvenanceSpec",
    "Scenario",
    "ScenarioError",
    "SourceSpec",
    "field_path",
    "validate",
]

FORMAT = "beliefs-scenario"
VERSION = 1
# Version 2 adds the optional ``hypotheses`` block (more than two hypotheses); version-1
# files read unchanged and are written back as version 1.
HYPOTHESES_VERSION = 2
VERSIONS = (VERSION, HYPOTHESES_VERSION)  # the versions this beliefs reads


class ScenarioError(InputError):
    """A scenario document or file is invalid; the message names the field path."""


# -- schema --------------------------------------------------------------------

_PROB = "a probability in [0, 1]"
_LIKELIHOOD = item_schema.LIKELIHOOD.allowed
_BETA_PAIR = "a Beta prior as [alpha, beta], two numbers > 0"

# Issue 22.14: a file refuses a subnormal probability as the app and a link refuse it typed (the check returns None).
Probability = Annotated[float, Field(ge=0, le=1), AfterValidator(lambda p: refuse_subnormal("", p, p, allowed=_PROB) or p)]
_LIK = item_schema.LIKELIHOOD
Likelihood = Annotated[float, Field(gt=_LIK.low, le=_LIK.high), AfterValidator(lambda p: _LIK.normal(p, p, ""))]
Positive = Annotated[float, Field(gt=0)]
BetaPair = Annotated[list[Positive], Field(min_length=2, max_length=2)]


def _number(rule: Range, default: Any = ..., *, nullable: bool = False) -> Any:
    """A pydantic field for a number of the item schema: its bounds and its message are the rule's."""
    bounds: dict[str, float] = {}
    bounds["gt" if rule.low_open else "ge"] = rule.low
    if not math.isinf(rule.high):
        bounds["lt" if rule.high_open else "le"] = rule.high
    return Field(default, **bounds, description=rule.allowed + (" or null" if nullable else ""))


def _text(rule: TextRule, default: Any = ..., *, nullable: bool = False) -> Any:
    """A pydantic field for a text of the item schema; its rule is checked by the library's constructor."""
    return Field(default, description=rule.allowed + (" or null" if nullable else ""))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    def __init__(self, /, **data: Any):
        # Direct construction gets the same one-line errors as parsing a file.
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _translate(exc, type(self)) from None


def _judged_by(build: Callable[[], object], prefix: str) -> None:
    """The library's own type is the authority on a valid value: build it, and re-raise its error.

    The library names its fields ``source.citation``; pydantic's error location
    already says ``source``, so the prefix goes.
    """
    try:
        build()
    except InputError as exc:
        raise InputError(exc.field.removeprefix(prefix), exc.value, exc.allowed, exc.hint) from None


class SourceSpec(_Strict):
    """Where a number comes from (see :class:`beliefs.evidence.Source`)."""

    citation: str = _text(item_schema.CITATION)
    location: str = _text(item_schema.LOCATION, "")
    status: Literal["P", "S", "X"] = Field("X", description="'P', 'S' or 'X'")
    url: str = _text(item_schema.URL, "")

    def to_source(self) -> Source:
        return Source(citation=self.citation, location=self.location, status=self.status, url=self.url)

    @classmethod
    def from_source(cls, source: Source) -> SourceSpec:
        return cls(citation=source.citation, location=source.location, status=source.status, url=source.url)

    @model_validator(mode="after")
    def _check(self) -> SourceSpec:
        _judged_by(self.to_source, "source.")
        return self


class BetaSpec(_Strict):
    """A Beta(alpha, beta) distribution on a probability."""

    alpha: Positive = Field(description="a Beta parameter > 0")
    beta: Positive = Field(description="a Beta parameter > 0")

    def to_beta(self) -> BetaDist:
        return BetaDist(self.alpha, self.beta)

    @classmethod
    def from_beta(cls, dist: BetaDist) -> BetaSpec:
        return cls(alpha=dist.alpha, beta=dist.beta)


class ProvenanceSpec(_Strict):
    """How a derived likelihood ratio was obtained (see :class:`beliefs.evidence.Provenance`)."""

    assumption: str = Field(
        min_length=1, description=item_schema.PROVENANCE_TEXT.allowed + ": what was assumed (e.g. the assumed n and pooling)"
    )
    method: str = Field("", description=item_schema.PROVENANCE_TEXT.allowed + ": exact, quadrature or MCMC")
    model: str = Field("", description=item_schema.PROVENANCE_TEXT.allowed + ": the likelihood model")
    log10_bf_range: Annotated[list[float], Field(min_length=2, max_length=2)] | None = Field(
        None, description="[low, high] of log10 Bayes factor over the unpublished assumptions, or null"
    )
    range_over: str = Field("", description=item_schema.PROVENANCE_TEXT.allowed + ": the grid the range is over")
    derived_likelihood_ratio: Positive | None = Field(
        None, description="the likelihood ratio as derived (> 0), or null; written only when known"
    )

    def to_provenance(self) -> Provenance:
        return Provenance.from_dict(self.model_dump())

    @classmethod
    def from_provenance(cls, prov: Provenance) -> ProvenanceSpec:
        return cls(**prov.to_dict())

    @model_serializer(mode="wrap")
    def _omit_unknown_derived_value(self, handler):
        # Files written before the derived value was recorded stay byte for byte as they were.
        data = handler(self)
        if self.derived_likelihood_ratio is None:
            data.pop("derived_likelihood_ratio", None)
        return data

    @model_validator(mode="after")
    def _check(self) -> ProvenanceSpec:
        _judged_by(self.to_provenance, "provenance.")
        return self


# Fields stored in the file exactly as the Evidence item holds them (the others are converted).
_SAME_FIELDS = ("label", "id", "p_e_given_h", "p_e_given_not_h", "note", "log_lr_sigma", "group", "discount", "enabled")


class EvidenceSpec(_Strict):
    """One evidence item as stored in a scenario (see :class:`beliefs.evidence.Evidence`)."""

    label: str = _text(item_schema.LABEL)
    id: str | None = _text(item_schema.ITEM_ID, None, nullable=True)
    p_e_given_h: float | None = _number(item_schema.LIKELIHOOD, None, nullable=True)
    p_e_given_not_h: float | None = _number(item_schema.LIKELIHOOD, None, nullable=True)
    likelihood_ratio: float | None = _number(item_schema.LIKELIHOOD_RATIO, None, nullable=True)
    note: str = _text(item_schema.NOTE, "")
    source: SourceSpec | None = Field(None, description="a source object or null")
    p_e_given_h_dist: BetaSpec | None = Field(None, description="a Beta object {alpha, beta} or null")
    p_e_given_not_h_dist: BetaSpec | None = Field(None, description="a Beta object {alpha, beta} or null")
    log_lr_sigma: float | None = _number(item_schema.LOG_LR_SIGMA, None, nullable=True)
    group: str | None = _text(item_schema.GROUP, None, nullable=True)
    discount: float = _number(item_schema.DISCOUNT, 1.0)
    enabled: bool = Field(True, description="true or false")
    provenance: ProvenanceSpec | None = Field(
        None, description="a provenance object (assumption, method, model, log10_bf_range, range_over) or null"
    )

    # The library's value this spec holds, built once: when the spec is validated, or given (from_evidence).
    _item: Evidence | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check(self) -> EvidenceSpec:
        if self._item is None:  # pydantic runs this again for an instance placed in a Scenario: built once
            self._item = self.to_evidence()
        return self

    @property
    def item(self) -> Evidence:
        """The :class:`~beliefs.evidence.Evidence` this spec stores (validated once, then kept: it is immutable)."""
        if self._item is None:
            self._item = self.to_evidence()
        return self._item

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in type(self).model_fields:
            self._item = None  # a field set by hand: the value is built (and checked) again when asked for

    def model_copy(self, *, update=None, deep: bool = False):
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy._item = None  # changed fields: the value is built again when asked for
        return copy

    def to_evidence(self) -> Evidence:
        """The library's :class:`~beliefs.evidence.Evidence` item (errors name this item's fields)."""
        return Evidence(
            **{name: getattr(self, name) for name in _SAME_FIELDS},
            likelihood_ratio=self.likelihood_ratio,
            source=self.source.to_source() if self.source else None,
            p_e_given_h_dist=self.p_e_given_h_dist.to_beta() if self.p_e_given_h_dist else None,
            p_e_given_not_h_dist=self.p_e_given_not_h_dist.to_beta() if self.p_e_given_not_h_dist else None,
            provenance=self.provenance.to_provenance() if self.provenance else None,
        )

    @classmethod
    def from_evidence(cls, item: Evidence) -> EvidenceSpec:
        """Store an Evidence item; a ratio derived from P(E|H)/P(E|not H) is not stored twice."""
        if not isinstance(item, Evidence):
            raise ScenarioError("evidence", item, "an Evidence item")
        # An Evidence item obeyed the item schema when it was built, and the spec's constraints are that
        # schema's: stored without checking it again (the app converts its ledger on every change).
        spec = cls.model_construct(
            **{name: getattr(item, name) for name in _SAME_FIELDS},
            likelihood_ratio=None if item.stated_as_probabilities else item.likelihood_ratio,
            source=None if item.source is None else SourceSpec.model_construct(**_fields_of(item.source)),
            p_e_given_h_dist=None if item.p_e_given_h_dist is None else BetaSpec.model_construct(**_fields_of(item.p_e_given_h_dist)),
            p_e_given_not_h_dist=None
            if item.p_e_given_not_h_dist is None
            else BetaSpec.model_construct(**_fields_of(item.p_e_given_not_h_dist)),
            provenance=ProvenanceSpec.from_provenance(item.provenance) if item.provenance else None,
        )
        spec._item = item
        return spec


def _fields_of(value: Any) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


_PREDICTION = 'a Beta prior as [alpha, beta] (two numbers > 0), or a point rate as {"point": P} with 0 < P < 1'


class PointSpec(_Strict):
    """A point prediction: the rate is exactly ``point`` (a point null, :class:`beliefs.rate_priors.PointRate`)."""

    point: float = Field(gt=0, lt=1, description="a point rate strictly between 0 and 1")


class CovertActionsSettings(_Strict):
    """Settings for the covert-action model, as the data page shows them: counts k of n per environment,
    the pooling, each hypothesis's prediction (a Beta ``[alpha, beta]`` or ``{"point": P}``) and the named
    reading it is (:mod:`beliefs.rate_priors`, by id; null: one's own).  The reading follows the numbers:
    filled in from them, or they from it, and refused where the two disagree.

    The Beta(1, 1) defaults are the uniform prior the anti-scheming paper uses
    per evaluation (Fig. 9 caption); they are settings, not evidence.
    """

    k: list[Annotated[int, Field(ge=0)]] = Field(
        min_length=1, description="a list of counts, whole numbers >= 0"
    )
    n: list[Annotated[int, Field(ge=1)]] = Field(
        min_length=1, description="a list of trials, whole numbers >= 1"
    )
    rate_if_h: BetaPair | PointSpec = Field(default_factory=lambda: [1.0, 1.0], description=_PREDICTION)
    rate_if_not_h: BetaPair | PointSpec = Field(default_factory=lambda: [1.0, 1.0], description=_PREDICTION)
    reading_if_h: str | None = Field(None, description="the id of a named reading of H's prediction, or null")
    reading_if_not_h: str | None = Field(None, description="the id of a named reading of not H's prediction, or null")
    pooling: Literal["none", "partial"] = Field("partial", description="'none' or 'partial'")
    effective_n: Annotated[int, Field(ge=1)] | None = Field(None, description="a whole number >= 1, or null")

    @model_validator(mode="before")
    @classmethod
    def _predictions(cls, data: Any) -> Any:
        """Each side's prediction in its written form and the reading it is (the library decides both)."""
        from beliefs.rate_priors import SIDES, rate_prior_from_json, rate_prior_json, reading_for, readings

        if not isinstance(data, dict):
            return data
        data = dict(data)
        for side in SIDES:
            rate, reading = f"rate_{side}", f"reading_{side}"
            named = data.get(reading)
            shipped = {r.id: r for r in readings(side)}
            if named is not None and (not isinstance(named, str) or named not in shipped):
                raise InputError(reading, named, "the id of a named reading: " + ", ".join(shipped) + "; or null")
            if rate not in data and named is not None:
                data[rate] = rate_prior_json(shipped[named].prior)
            prior = rate_prior_from_json(data[rate], rate, _PREDICTION) if rate in data else BetaDist(1.0, 1.0)
            found = reading_for(side, prior).id
            if named is not None and found != named:
                what = f"'{found}', the reading {rate} is, or null" if found in shipped else f"null: {rate} is no named reading"
                raise InputError(reading, named, what, hint=f"'{named}' predicts {rate_prior_json(shipped[named].prior)}")
            if rate in data:
                data[rate] = rate_prior_json(prior)
            data[reading] = found if found in shipped else None
        return data

    @model_validator(mode="after")
    def _check(self) -> CovertActionsSettings:
        if len(self.k) != len(self.n):
            raise InputError("n", self.n, f"one trial count per count k ({len(self.k)} of them)")
        for i, (k, n) in enumerate(zip(self.k, self.n, strict=True)):
            if k > n:
                raise InputError(f"k[{i}]", k, f"a count <= n[{i}] = {n}")
        return self

    def prediction(self, side: str) -> RatePrior:
        """What the hypothesis on ``side`` ("if_h" or "if_not_h") predicts: a BetaDist or a PointRate."""
        from beliefs.rate_priors import PointRate

        rate = getattr(self, f"rate_{side}")
        return PointRate(rate.point) if isinstance(rate, PointSpec) else BetaDist(*rate)


class ChainSettings(_Strict):
    r"""Settings for the chain of successors, :math:`P = b\prod_i s_i`.

    ``per_step`` defaults to the thread's stated 0.98; give ``per_step_beta``
    instead for an uncertain per-step survival.  ``drift`` is the per-step
    change used by the chain model (0 = steps alike).
    """

    base: Probability = Field(1.0, description=_PROB)
    per_step: Probability | None = Field(0.98, description=_PROB + " or null")
    per_step_beta: BetaPair | None = Field(None, description=_BETA_PAIR + ", or null")
    steps: Annotated[int, Field(ge=1, le=100_000)] = Field(
        10, description="a whole number of steps in [1, 100000]"
    )
    # -0.0 + 0.0 is 0.0: one zero (a link names only what differs from 0, so -0.0 came back as 0.0)
    drift: Annotated[float, Field(ge=-100, le=100), AfterValidator(lambda x: x + 0.0)] = Field(0.0, description="a number in [-100, 100]")

    @model_validator(mode="after")
    def _check(self) -> ChainSettings:
        if self.per_step_beta is not None and self.per_step is not None:
            if "per_step" in self.model_fields_set:
                raise InputError(
                    "per_step", self.per_step, "null when per_step_beta is given (one or the other)"
                )
            self.per_step = None  # the default 0.98 gives way to an explicit Beta
        if self.per_step is None and self.per_step_beta is None:
            raise InputError("per_step", None, "a per-step survival probability, or per_step_beta")
        return self


class MonitorSourceSpec(_Strict):
    """The published figure a q or c was set from (:mod:`beliefs.monitor_sources`), and the operating point."""

    setting: str = Field(description="the key of a sourced setting, e.g. shade_arena_monitor_auc")
    false_alarm_rate: Probability | None = Field(
        None, description="the false-alarm rate f in (0, 1) an AUC was turned into q at; null for a win rate"
    )

    def sourced(self, parameter: str):
        """The :class:`~beliefs.monitor_sources.SourcedValue` this names (the library checks key and rate)."""
        from beliefs.monitor_sources import sourced_setting

        setting = sourced_setting(self.setting, parameter=parameter, field="setting")
        return setting.resolve(self.false_alarm_rate, field="false_alarm_rate")


class MonitoringSettings(_Strict):
    r"""Settings for untrusted monitoring: :math:`1-(1-r(1-q))^T` when the monitor never colludes.

    ``report_source`` / ``collusion_source``: the published figure q / c was
    set from, under its stated assumption (status X), held only while the
    value is the one that figure gives: a file whose q was edited since is
    refused, naming the field, so no figure is cited for a number it does not give.
    """

    rate: Probability = Field(description=_PROB + ": covert actions per task")
    report: Probability = Field(description=_PROB + ": chance the monitor reports one")
    collusion: Probability = Field(0.0, description=_PROB + ": chance the monitor colludes")
    tasks: Annotated[int, Field(ge=0, le=10**12)] = Field(description="a whole number of tasks >= 0")
    report_source: MonitorSourceSpec | None = Field(None, description="a sourced setting object or null")
    collusion_source: MonitorSourceSpec | None = Field(None, description="a sourced setting object or null")

    @model_validator(mode="after")
    def _sources_stand(self) -> MonitoringSettings:
        for name, parameter, value_field in (("report_source", "q", "report"), ("collusion_source", "c", "collusion")):
            spec = getattr(self, name)
            if spec is None:
                continue
            try:
                sourced = spec.sourced(parameter)
            except InputError as exc:
                raise InputError(f"{name}.{exc.field}", exc.value, exc.allowed, exc.hint) from None
            value = getattr(self, value_field)
            if not sourced.stands(value):
                raise InputError(
                    name, sourced.spec, f"a source of {value_field} = {value!r}; this one gives {parameter} = {sourced.value!r}",
                    hint=f"{value_field} was edited since: remove {name}, or set {value_field} back to {sourced.value!r}",
                )  # fmt: skip
        return self

    def sources(self) -> list:
        """The sourced q and c this block holds (:class:`~beliefs.monitor_sources.SourcedValue`), q first."""
        return [spec.sourced(p) for spec, p in ((self.report_source, "q"), (self.collusion_source, "c")) if spec]


class ModelSettings(_Strict):
    """Optional settings blocks for the PyMC models (null = not used)."""

    covert_actions: CovertActionsSettings | None = Field(None, description="a settings object or null")
    chain: ChainSettings | None = Field(None, description="a settings object or null")
    monitoring: MonitoringSettings | None = Field(None, description="a settings object or null")


class HypothesisSpec(_Strict):
    """One of several hypotheses: its name, prior and P(E_i | H) for each evidence item, in ledger order."""

    name: str = Field(min_length=1, max_length=100, description="a non-empty name of at most 100 characters")
    prior: Probability = Field(description=_PROB)
    likelihoods: list[Likelihood] = Field(
        default_factory=list, max_length=10_000, description="a list of probabilities in (0, 1], one per evidence item"
    )
    note: str = Field("", description="text")
    source: SourceSpec | None = Field(None, description="a source object or null")


def _check_app_settings(settings: dict[str, str]) -> None:
    """Each display setting must be a known share-link field with a value its own parser accepts."""
    from beliefs.io.settings import FIELDS

    for key, value in settings.items():
        spec = FIELDS.get(key)
        if spec is None:
            raise InputError(f"app[{key!r}]", value, "a known app setting: " + ", ".join(sorted(FIELDS)))
        spec.parse(value, f"app.{key}")


class Scenario(_Strict):
    """A prior, evidence items and model settings; ``format``/``version`` identify the file type."""

    format: Literal["beliefs-scenario"] = Field(FORMAT, description=f"the string {FORMAT!r}")
    version: Literal[1, 2] = Field(VERSION, description=f"the whole number {VERSION} or {HYPOTHESES_VERSION}")
    name: str = Field(
        "untitled",
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="a short name of letters, digits, '.', '_' or '-' (no spaces)",
    )
    title: str = Field("", description="text")
    description: str = Field("", description="text")
    hypothesis: str = Field("", description="text: what H is")
    prior: Probability = Field(description=_PROB + " (0 and 1 are allowed and explained)")
    prior_source: SourceSpec | None = Field(None, description="a source object or null")
    compare_priors: list[Probability] = Field(
        default_factory=list, max_length=100, description="a list of probabilities in [0, 1]"
    )
    evidence: list[EvidenceSpec] = Field(
        default_factory=list, max_length=10_000, description="a list of evidence objects"
    )
    models: ModelSettings = Field(default_factory=ModelSettings, description="a models object")
    app: dict[str, str] | None = Field(
        None,
        max_length=100,
        description="the app's display settings as share-link fields (text values), or null",
    )
    hypotheses: list[HypothesisSpec] | None = Field(
        None,
        max_length=50,
        description="a list of hypothesis objects {name, prior, likelihoods} (version 2), or null",
    )

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        # Whole-scenario rules (a group shares one discount) are update()'s; run it once so a
        # scenario that loads is a scenario that runs.
        self.result()
        if self.app:
            _check_app_settings(self.app)
        elif self.app is not None:
            self.app = None  # {} says no more than no block
        if self.hypotheses is not None:
            if self.version < HYPOTHESES_VERSION:
                raise InputError(
                    "version", self.version, f"{HYPOTHESES_VERSION} for a scenario with a 'hypotheses' block"
                )
            self.hypotheses_result()
        return self

    @model_serializer(mode="wrap")
    def _omit_absent_blocks(self, handler):
        # A file without hypotheses is written exactly as before (version 1, no new key), and one
        # without display settings has no "app" key: a built-in saved is the built-in byte for byte.
        data = handler(self)
        for key in ("hypotheses", "app"):
            if getattr(self, key) is None:
                data.pop(key, None)
        return data

    def hypotheses_result(self):
        """The vector-form update over ``hypotheses`` (see :mod:`beliefs.hypotheses`); None without them.

        Each hypothesis gives one likelihood per evidence item, in ledger order; disabled items are skipped.
        """
        if self.hypotheses is None:
            return None
        from beliefs.hypotheses import update_hypotheses

        n_items = len(self.evidence)
        for i, h in enumerate(self.hypotheses):
            if len(h.likelihoods) != n_items:
                raise InputError(
                    f"hypotheses[{i}].likelihoods", h.likelihoods, f"{n_items} likelihoods, one per evidence item"
                )
        enabled = [j for j, e in enumerate(self.evidence) if e.enabled]
        return update_hypotheses(
            [h.name for h in self.hypotheses],
            [h.prior for h in self.hypotheses],
            [[h.likelihoods[j] for h in self.hypotheses] for j in enabled],
            labels=[self.evidence[j].label for j in enabled],
            fields=("hypotheses", "hypotheses[].prior", "hypotheses[].likelihoods"),
        )

    # -- computing -----------------------------------------------------------
    def evidence_items(self) -> list[Evidence]:
        """The evidence as :class:`~beliefs.evidence.Evidence` items (disabled ones included)."""
        items = []
        for i, spec in enumerate(self.evidence):
            try:
                items.append(spec.item)
            except InputError as exc:
                raise _relative(exc, f"evidence[{i}].") from None
        return items

    def result(self, prior: float | None = None) -> UpdateResult:
        """Update ``prior`` (default: the scenario's) by the enabled evidence."""
        return update(self.prior if prior is None else prior, self.evidence_items())

    def compare_results(self) -> list[UpdateResult]:
        """The same evidence applied to each of ``compare_priors``."""
        items = self.evidence_items()
        return [update(p, items) for p in self.compare_priors]

    @classmethod
    def from_evidence(cls, prior: float, items: list[Evidence], **meta: Any) -> Scenario:
        """A scenario from a prior and :class:`~beliefs.evidence.Evidence` items; ``meta`` sets the other fields."""
        specs = []
        for i, item in enumerate(items):
            try:
                specs.append(EvidenceSpec.from_evidence(item))
            except InputError as exc:
                raise _relative(exc, f"evidence[{i}].", strip="evidence") from None
        return cls(prior=prior, evidence=specs, **meta)


def _relative(exc: InputError, prefix: str, strip: str = "") -> ScenarioError:
    field = exc.field
    if strip and field == strip:
        return ScenarioError(prefix.rstrip("."), exc.value, exc.allowed, exc.hint)
    return ScenarioError((prefix + field).rstrip("."), exc.value, exc.allowed, exc.hint)  # "": the path names the field


# -- pydantic errors -> one InputError ---------------------------------------------


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def field_path(loc: tuple) -> str:
    """A pydantic error location as the field path a user reads in the file."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _NAME.fullmatch(str(part)):
            # An unknown key may hold a newline or be empty: quote it so the message stays one readable line.
            out += f"[{str(part)!r}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _field_info(root: type[BaseModel], loc: tuple):
    """The FieldInfo of the last named field in ``loc`` (list indices skipped), or None if unknown."""
    cls: type[BaseModel] | None = root
    info = None
    for part in loc:
        if isinstance(part, int):
            continue
        if cls is None or part not in cls.model_fields:
            return None
        info = cls.model_fields[part]
        cls = _model_in(info.annotation)
    return info


def _translate(exc: ValidationError, root: type[BaseModel]) -> ScenarioError:
    errors = exc.errors(include_url=False)
    # An unknown field usually explains a "missing" one next to it (a typo), so name it first.
    errors.sort(key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    loc = tuple(err["loc"])
    path = field_path(loc)
    more = f"; and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''}" if len(errors) > 1 else ""
    kind = err["type"]
    inner = (err.get("ctx") or {}).get("error")
    if isinstance(inner, InputError):
        return _relative(inner, f"{path}." if path else "")
    if kind == "extra_forbidden":
        parent: type[BaseModel] | None = root
        if loc[:-1]:
            holder = _field_info(root, loc[:-1])
            parent = _model_in(holder.annotation) if holder is not None else None
        known = list(parent.model_fields) if parent is not None else []
        name = str(loc[-1])
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"unknown field {name!r}" + (f"; did you mean {close[0]!r}?" if close else "") + more
        return ScenarioError(path, err["input"], f"one of the known fields: {', '.join(known)}", hint)
    info = _field_info(root, loc)
    allowed = (info.description if info is not None else None) or err["msg"]
    if kind == "missing":
        return ScenarioError(path, None, allowed, "this field is required" + more)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        allowed = "a JSON object {...}"
    if kind in ("float_type", "int_type", "bool_type", "string_type") and isinstance(err["input"], str):
        more = "; numbers are written without quotes" + more if kind != "string_type" else more
    value = err["input"]
    if (
        kind in ("less_than_equal", "less_than")
        and allowed.startswith("a probability")
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
        and 1 < value <= 100
    ):
        # The same hint the command line and the app give for a prior typed as a percentage.
        more = f"; did you mean {value / 100:g}? probabilities are fractions, not percent" + more
    return ScenarioError(path, value, allowed, more.lstrip("; "))


def validate(obj: Any) -> Scenario:
    """A parsed JSON object as a :class:`Scenario`; the first problem is one :class:`ScenarioError`."""
    try:
        return Scenario.model_validate(obj)
    except ValidationError as exc:
        raise _translate(exc, Scenario) from None
