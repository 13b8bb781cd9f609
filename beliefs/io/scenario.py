r"""Scenario files: a prior, evidence items and model settings in one versioned JSON document.

A scenario is everything needed to reproduce an update,

.. math::

    \ln\frac{P(H\mid E)}{P(\lnot H\mid E)} = \ln\frac{p_0}{1-p_0}
    + \sum_i w_i \ln\frac{P(E_i\mid H)}{P(E_i\mid\lnot H)},

plus the same evidence applied to other priors (``compare_priors``) and the
settings of the PyMC models (which live in ``models/``).  The format::

    {"format": "beliefs-scenario", "version": 1, "name": "...", "prior": 0.5,
     "evidence": [{"label": "...", "p_e_given_h": 0.75, "p_e_given_not_h": 0.25, ...}],
     "models": {"covert_actions": null, "chain": null, "monitoring": null}, ...}

Reading is strict: a string where a number belongs, a boolean used as a
number, an unknown field, NaN/Infinity, duplicate keys, an empty, oversized or
absurdly nested document are all refused with one :class:`ScenarioError`
naming the field path (``evidence[2].p_e_given_h``), the value and what is
allowed.  Saving is atomic (temporary file, fsync, ``os.replace``).

Examples
--------
>>> s = get_scenario("stated-3-to-1")
>>> r = s.result()
>>> round(r.posterior, 12), r.posterior_odds_text
(0.75, '3:1')
>>> [round(c.posterior, 12) for c in s.compare_results()]
[0.5]
>>> parse_scenario(scenario_to_json(s)) == s
True
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import stat
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_serializer, model_validator

from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence, Provenance, Source
from beliefs.io.files import write_text_atomic
from beliefs.update import UpdateResult, update

__all__ = [
    "FORMAT",
    "HYPOTHESES_VERSION",
    "MAX_DEPTH",
    "MAX_EVIDENCE",
    "MAX_SCENARIO_BYTES",
    "VERSION",
    "BetaSpec",
    "ChainSettings",
    "CovertActionsSettings",
    "EvidenceSpec",
    "HypothesisSpec",
    "ModelSettings",
    "MonitoringSettings",
    "ProvenanceSpec",
    "Scenario",
    "ScenarioError",
    "SourceSpec",
    "builtin_scenarios",
    "get_scenario",
    "load_scenario",
    "parse_scenario",
    "save_scenario",
    "scenario_to_json",
]

FORMAT = "beliefs-scenario"
VERSION = 1
# Version 2 adds the optional ``hypotheses`` block (more than two hypotheses); version-1
# files read unchanged and are written back as version 1.
HYPOTHESES_VERSION = 2
_VERSIONS = (VERSION, HYPOTHESES_VERSION)
MAX_SCENARIO_BYTES = 1_000_000
# The format nests five deep at most (models.covert_actions.k[...]); anything
# far deeper is not a scenario, and refusing it early keeps json's recursive
# decoder from exhausting the stack.
MAX_DEPTH = 32
# As many items as a share link carries: a 1,000-item file took 154 s per app rerun and slowed other sessions.
MAX_EVIDENCE = 40
_SURROGATE = re.compile("[\ud800-\udfff]")
_BUILTIN_PREFIX = "scenario-"
_BUILTIN_ORDER = (
    "stated-3-to-1",
    "report-3-to-1",
    "report-confusion",
    "carlsmith",
    "greenblatt",
    "miri-ish",
    "rare-scheming",
)


class ScenarioError(InputError):
    """A scenario document or file is invalid; the message names the field path."""


# -- schema --------------------------------------------------------------------

_PROB = "a probability in [0, 1]"
_LIKELIHOOD = "a probability in (0, 1]"
_BETA_PAIR = "a Beta prior as [alpha, beta], two numbers > 0"

Probability = Annotated[float, Field(ge=0, le=1)]
Likelihood = Annotated[float, Field(gt=0, le=1)]
Positive = Annotated[float, Field(gt=0)]
BetaPair = Annotated[list[Positive], Field(min_length=2, max_length=2)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    def __init__(self, /, **data: Any):
        # Direct construction gets the same one-line errors as parsing a file.
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _translate(exc, type(self)) from None


class SourceSpec(_Strict):
    """Where a number comes from (see :class:`beliefs.evidence.Source`)."""

    citation: str = Field(min_length=1, description="a non-empty citation")
    location: str = Field("", description="text: where in the source")
    status: Literal["P", "S", "X"] = Field("X", description="'P', 'S' or 'X'")
    url: str = Field("", description="a URL or an empty string")

    def to_source(self) -> Source:
        return Source(citation=self.citation, location=self.location, status=self.status, url=self.url)

    @classmethod
    def from_source(cls, source: Source) -> SourceSpec:
        return cls(citation=source.citation, location=source.location, status=source.status, url=source.url)

    @model_validator(mode="after")
    def _check(self) -> SourceSpec:
        try:
            self.to_source()
        except InputError as exc:
            # Source names its fields "source.citation"; the error's location already says "source".
            raise InputError(exc.field.removeprefix("source."), exc.value, exc.allowed, exc.hint) from None
        return self


class BetaSpec(_Strict):
    """A Beta(alpha, beta) distribution on a probability."""

    alpha: Positive = Field(description="a Beta parameter > 0")
    beta: Positive = Field(description="a Beta parameter > 0")


class ProvenanceSpec(_Strict):
    """How a derived likelihood ratio was obtained (see :class:`beliefs.evidence.Provenance`)."""

    assumption: str = Field(min_length=1, description="text: what was assumed (e.g. the assumed n and pooling)")
    method: str = Field("", description="text: exact, quadrature or MCMC")
    model: str = Field("", description="text: the likelihood model")
    log10_bf_range: Annotated[list[float], Field(min_length=2, max_length=2)] | None = Field(
        None, description="[low, high] of log10 Bayes factor over the unpublished assumptions, or null"
    )
    range_over: str = Field("", description="text: the grid the range is over")

    def to_provenance(self) -> Provenance:
        return Provenance.from_dict(self.model_dump())

    @classmethod
    def from_provenance(cls, prov: Provenance) -> ProvenanceSpec:
        return cls(**prov.to_dict())

    @model_validator(mode="after")
    def _check(self) -> ProvenanceSpec:
        try:
            self.to_provenance()
        except InputError as exc:
            raise InputError(exc.field.removeprefix("provenance."), exc.value, exc.allowed, exc.hint) from None
        return self


class EvidenceSpec(_Strict):
    """One evidence item as stored in a scenario (see :class:`beliefs.evidence.Evidence`)."""

    label: str = Field(min_length=1, description="a non-empty label")
    id: str | None = Field(None, description="an id string or null")
    p_e_given_h: Likelihood | None = Field(None, description=_LIKELIHOOD + " or null")
    p_e_given_not_h: Likelihood | None = Field(None, description=_LIKELIHOOD + " or null")
    likelihood_ratio: Positive | None = Field(None, description="a likelihood ratio > 0 or null")
    note: str = Field("", description="text")
    source: SourceSpec | None = Field(None, description="a source object or null")
    p_e_given_h_dist: BetaSpec | None = Field(None, description="a Beta object {alpha, beta} or null")
    p_e_given_not_h_dist: BetaSpec | None = Field(None, description="a Beta object {alpha, beta} or null")
    log_lr_sigma: Annotated[float, Field(ge=0)] | None = Field(
        None, description="a standard deviation of ln LR >= 0, or null"
    )
    group: str | None = Field(None, description="a dependence-group name or null")
    discount: Annotated[float, Field(gt=0, le=1)] = Field(1.0, description="a discount exponent in (0, 1]")
    enabled: bool = Field(True, description="true or false")
    provenance: ProvenanceSpec | None = Field(
        None, description="a provenance object (assumption, method, model, log10_bf_range, range_over) or null"
    )

    @model_validator(mode="after")
    def _check(self) -> EvidenceSpec:
        self.to_evidence()
        return self

    def to_evidence(self) -> Evidence:
        """The library's :class:`~beliefs.evidence.Evidence` item (errors name this item's fields)."""
        return Evidence(
            label=self.label,
            p_e_given_h=self.p_e_given_h,
            p_e_given_not_h=self.p_e_given_not_h,
            likelihood_ratio=self.likelihood_ratio,
            id=self.id,
            note=self.note,
            source=self.source.to_source() if self.source else None,
            p_e_given_h_dist=_beta(self.p_e_given_h_dist),
            p_e_given_not_h_dist=_beta(self.p_e_given_not_h_dist),
            log_lr_sigma=self.log_lr_sigma,
            group=self.group,
            discount=self.discount,
            enabled=self.enabled,
            provenance=self.provenance.to_provenance() if self.provenance else None,
        )

    @classmethod
    def from_evidence(cls, item: Evidence) -> EvidenceSpec:
        """Store an Evidence item; a ratio derived from P(E|H)/P(E|not H) is not stored twice."""
        if not isinstance(item, Evidence):
            raise ScenarioError("evidence", item, "an Evidence item")
        return cls(
            label=item.label,
            id=item.id,
            p_e_given_h=item.p_e_given_h,
            p_e_given_not_h=item.p_e_given_not_h,
            likelihood_ratio=None if item.stated_as_probabilities else item.likelihood_ratio,
            note=item.note,
            source=SourceSpec.from_source(item.source) if item.source else None,
            p_e_given_h_dist=_beta_spec(item.p_e_given_h_dist),
            p_e_given_not_h_dist=_beta_spec(item.p_e_given_not_h_dist),
            log_lr_sigma=item.log_lr_sigma,
            group=item.group,
            discount=item.discount,
            enabled=item.enabled,
            provenance=ProvenanceSpec.from_provenance(item.provenance) if item.provenance else None,
        )


class CovertActionsSettings(_Strict):
    """Settings for the covert-action model: counts k of n per environment and a Beta on the rate under each hypothesis.

    The Beta(1, 1) defaults are the uniform prior the anti-scheming paper uses
    per evaluation (Fig. 9 caption); they are settings, not evidence.
    """

    k: list[Annotated[int, Field(ge=0)]] = Field(
        min_length=1, description="a list of counts, whole numbers >= 0"
    )
    n: list[Annotated[int, Field(ge=1)]] = Field(
        min_length=1, description="a list of trials, whole numbers >= 1"
    )
    rate_if_h: BetaPair = Field(default_factory=lambda: [1.0, 1.0], description=_BETA_PAIR)
    rate_if_not_h: BetaPair = Field(default_factory=lambda: [1.0, 1.0], description=_BETA_PAIR)
    pooling: Literal["none", "partial"] = Field("partial", description="'none' or 'partial'")
    effective_n: Annotated[int, Field(ge=1)] | None = Field(None, description="a whole number >= 1, or null")

    @model_validator(mode="after")
    def _check(self) -> CovertActionsSettings:
        if len(self.k) != len(self.n):
            raise InputError("n", self.n, f"one trial count per count k ({len(self.k)} of them)")
        for i, (k, n) in enumerate(zip(self.k, self.n, strict=True)):
            if k > n:
                raise InputError(f"k[{i}]", k, f"a count <= n[{i}] = {n}")
        return self


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
    drift: Annotated[float, Field(ge=-100, le=100)] = Field(0.0, description="a number in [-100, 100]")

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


class MonitoringSettings(_Strict):
    r"""Settings for untrusted monitoring: :math:`1-(1-r(1-q))^T` when the monitor never colludes."""

    rate: Probability = Field(description=_PROB + ": covert actions per task")
    report: Probability = Field(description=_PROB + ": chance the monitor reports one")
    collusion: Probability = Field(0.0, description=_PROB + ": chance the monitor colludes")
    tasks: Annotated[int, Field(ge=0, le=10**12)] = Field(description="a whole number of tasks >= 0")


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
    from beliefs.io.link import FIELDS

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
        if self.hypotheses is not None:
            if self.version < HYPOTHESES_VERSION:
                raise InputError(
                    "version", self.version, f"{HYPOTHESES_VERSION} for a scenario with a 'hypotheses' block"
                )
            self.hypotheses_result()
        return self

    @model_serializer(mode="wrap")
    def _omit_absent_hypotheses(self, handler):
        # A file without hypotheses is written exactly as before (version 1, no new key).
        data = handler(self)
        if self.hypotheses is None:
            data.pop("hypotheses", None)
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
                items.append(spec.to_evidence())
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


def _beta(spec: BetaSpec | None) -> BetaDist | None:
    return None if spec is None else BetaDist(spec.alpha, spec.beta)


def _beta_spec(dist: BetaDist | None) -> BetaSpec | None:
    return None if dist is None else BetaSpec(alpha=dist.alpha, beta=dist.beta)


def _relative(exc: InputError, prefix: str, strip: str = "") -> ScenarioError:
    field = exc.field
    if strip and field == strip:
        return ScenarioError(prefix.rstrip("."), exc.value, exc.allowed, exc.hint)
    return ScenarioError(prefix + field, exc.value, exc.allowed, exc.hint)


# -- pydantic errors -> one InputError ---------------------------------------------


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _path(loc: tuple) -> str:
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
    path = _path(loc)
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


# -- reading -------------------------------------------------------------------------

_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _check_depth(text: str) -> None:
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(
                    "scenario",
                    f"JSON nested more than {MAX_DEPTH} levels deep",
                    f"at most {MAX_DEPTH} levels",
                )
        elif token in "]}":
            depth -= 1


def _refuse_constant(name: str) -> float:
    raise ScenarioError("scenario", name, "finite numbers only (NaN and Infinity are not JSON numbers)")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ScenarioError("scenario", text, "finite numbers only (this one overflows a float)")
    return number


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ScenarioError(_path((key,)), value, "each field once per object", hint=f"duplicate field {key!r}")
        out[key] = value
    return out


def _too_big(size: int) -> ScenarioError:
    return ScenarioError("scenario", f"{size:,} bytes", f"a scenario of at most {MAX_SCENARIO_BYTES:,} bytes")


def parse_scenario(text: str | bytes) -> Scenario:
    """Parse and validate a scenario document (JSON text or UTF-8 bytes)."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        if len(data) > MAX_SCENARIO_BYTES:
            raise _too_big(len(data))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError("scenario", f"byte {exc.start}", "UTF-8 text") from None
    elif isinstance(text, str):
        if len(text) > MAX_SCENARIO_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_SCENARIO_BYTES:
            raise _too_big(len(text.encode("utf-8", "surrogatepass")))
        text = text.removeprefix("\ufeff")
    else:
        raise ScenarioError("scenario", type(text).__name__, "JSON text (str or bytes)")
    if not text.strip():
        raise ScenarioError("scenario", text, "a JSON object; the document is empty")
    from beliefs.export import embed

    if embed.looks_like_html(text):  # an HTML report from `beliefs export` carries its scenario
        text = embed.extract(embed.SCENARIO_ID, text)
    _check_depth(text)
    try:
        obj = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            object_pairs_hook=_no_duplicates,
        )
    except ScenarioError:
        raise
    except json.JSONDecodeError as exc:
        near = text[max(0, exc.pos - 10) : exc.pos + 10]
        raise ScenarioError(
            "scenario", near, f"valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer literal of 5000 digits
        raise ScenarioError("scenario", type(exc).__name__, f"valid JSON ({exc})") from None
    return _from_object(obj)


def _surrogate_path(obj: Any, path: str) -> str | None:
    """The field path of the first text holding a lone surrogate (JSON allows "\\udfff"; UTF-8 cannot carry it)."""
    if isinstance(obj, str):
        return path if _SURROGATE.search(obj) else None
    if isinstance(obj, dict):
        for key, value in obj.items():
            where = f"{path}.{key}" if path else str(key)
            if _SURROGATE.search(key):
                return where
            found = _surrogate_path(value, where)
            if found:
                return found
    if isinstance(obj, list):
        for i, value in enumerate(obj):
            found = _surrogate_path(value, f"{path}[{i}]")
            if found:
                return found
    return None


def _from_object(obj: Any) -> Scenario:
    if not isinstance(obj, dict):
        raise ScenarioError("scenario", obj, "a JSON object {...} at the top level")
    bad_text = _surrogate_path(obj, "")
    if bad_text:
        raise ScenarioError(
            bad_text, "text with a lone surrogate", "text that is valid Unicode (no lone \\ud800-\\udfff escapes)"
        )
    evidence = obj.get("evidence")
    if isinstance(evidence, list) and len(evidence) > MAX_EVIDENCE:
        raise ScenarioError(
            "evidence", f"{len(evidence)} items", f"at most {MAX_EVIDENCE} evidence items (the same limit as share links)"
        )
    fmt = obj.get("format")
    if fmt != FORMAT:
        raise ScenarioError("format", fmt, repr(FORMAT), hint="is this a beliefs scenario file?")
    version = obj.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ScenarioError("version", version, f"the whole number {VERSION}")
    if version not in _VERSIONS:
        newest = _VERSIONS[-1]
        hint = "written by a newer version of beliefs; upgrade to read it" if version > newest else ""
        raise ScenarioError(
            "version", version, f"{VERSION} or {newest} (this version of beliefs reads scenario versions 1 to {newest})", hint
        )
    try:
        return Scenario.model_validate(obj)
    except ValidationError as exc:
        raise _translate(exc, Scenario) from None


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read a scenario file; files over MAX_SCENARIO_BYTES are refused before being read."""
    p = _as_path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise _path_error(path, "an existing scenario file") from None
    except OSError as exc:
        raise _path_error(path, "a readable scenario file", exc.strerror or "") from None
    if stat.S_ISDIR(info.st_mode):
        raise _path_error(path, "a scenario file, not a directory")
    if info.st_size > MAX_SCENARIO_BYTES:
        raise _too_big(info.st_size)
    try:
        with open(p, "rb") as handle:
            # At most one byte past the limit: files whose size stat cannot tell are still bounded.
            data = handle.read(MAX_SCENARIO_BYTES + 1)
    except OSError as exc:
        raise _path_error(path, "a readable scenario file", exc.strerror or "") from None
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError("scenario", f"more than {MAX_SCENARIO_BYTES:,} bytes", f"a scenario of at most {MAX_SCENARIO_BYTES:,} bytes")  # fmt: skip
    return parse_scenario(data)


# -- writing ---------------------------------------------------------------------------


def scenario_to_json(scenario: Scenario) -> str:
    """The scenario as indented JSON, keys in the schema's fixed order; floats round-trip exactly."""
    if not isinstance(scenario, Scenario):
        raise ScenarioError("scenario", type(scenario).__name__, "a Scenario")
    data = scenario.model_dump(mode="json")
    for item in data.get("evidence") or []:
        # Written only where there is one, so files without derived items stay as they were.
        if item.get("provenance") is None:
            item.pop("provenance", None)
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save_scenario(scenario: Scenario, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write ``scenario`` to ``path`` atomically (:func:`beliefs.io.files.write_text_atomic`).

    An existing file is kept unless ``overwrite``; errors are ScenarioErrors naming ``path``.
    """
    text = scenario_to_json(scenario)
    target = _as_path(path)
    try:
        return write_text_atomic(text, target, field="path", overwrite=overwrite)
    except InputError as exc:  # as a ScenarioError naming the path the way this module does
        hint = "use --overwrite (overwrite=True) to replace it" if "--overwrite" in exc.hint else exc.hint
        raise _path_error(target, exc.allowed, hint) from None


def _path_error(path: object, allowed: str, hint: str = "") -> ScenarioError:
    # InputError shortens long values to 60 characters; a path's end is the part that matters.
    shown = os.fspath(path)
    if len(repr(shown)) > 60:
        hint = f"file: {shown}" + (f"; {hint}" if hint else "")
        shown = "..." + shown[-50:]
    return ScenarioError("path", shown, allowed, hint)


def _as_path(path: object) -> Path:
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)) or str(path).strip() == "":
        raise ScenarioError("path", path, "a file path")
    return Path(path)


# -- built-in scenarios -------------------------------------------------------------------


@cache
def _builtin_texts() -> dict[str, str]:
    found = {}
    for item in resources.files("beliefs.data").iterdir():
        if item.name.startswith(_BUILTIN_PREFIX) and item.name.endswith(".json"):
            found[item.name[len(_BUILTIN_PREFIX) : -len(".json")]] = item.read_text(encoding="utf-8")
    order = {name: i for i, name in enumerate(_BUILTIN_ORDER)}
    return dict(sorted(found.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


@cache
def _builtins() -> dict[str, Scenario]:
    out = {}
    for name, text in _builtin_texts().items():
        scenario = parse_scenario(text)
        if scenario.name != name:
            raise ScenarioError(f"{_BUILTIN_PREFIX}{name}.json: name", scenario.name, repr(name))
        out[name] = scenario
    return out


def builtin_scenarios() -> dict[str, Scenario]:
    """The scenarios shipped with beliefs, by name (fresh copies: changing one changes nothing else)."""
    return {name: s.model_copy(deep=True) for name, s in _builtins().items()}


def get_scenario(name_or_path: str | os.PathLike) -> Scenario:
    """A built-in scenario by name, else a scenario file by path."""
    if isinstance(name_or_path, bool) or not isinstance(name_or_path, (str, os.PathLike)):
        raise ScenarioError("scenario", name_or_path, "a built-in scenario name or a file path")
    names = list(_builtins())
    key = os.fspath(name_or_path)
    if key in names:
        return _builtins()[key].model_copy(deep=True)
    if key.strip() and Path(key).exists():
        return load_scenario(key)
    looks_like_path = os.sep in key or "/" in key or key.endswith(".json")
    close = difflib.get_close_matches(key, names, n=2, cutoff=0.5)
    hint = "no such file" if looks_like_path else (f"did you mean {' or '.join(close)}?" if close else "")
    raise ScenarioError(
        "scenario",
        key,
        f"a built-in scenario ({', '.join(names)}) or the path of a scenario .json file",
        hint,
    )
