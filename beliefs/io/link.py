r"""The app's whole state as flat query parameters, and back.

A share link must restore exactly what its author saw, and a tampered link
must not break the page.  So every parameter is parsed by the library's own
validators; a parameter that fails keeps the default for that field only and
produces one warning naming the parameter, the value and what is allowed.
Everything else in the link still applies.

Floats are written with :func:`repr`, the shortest text that parses back to
the same double, so ``decode(encode(s)) == s`` holds bit for bit.

Parameters
----------
Scalar fields use short names (``prior=0.25``, ``view=update``).  Evidence
items use ``e0``, ``e1``, ... each holding nine ``~``-separated parts::

    kind ~ a ~ b ~ enabled ~ spread ~ id ~ group ~ discount ~ label

``kind`` is ``p`` (``a`` = P(E|H), ``b`` = P(E|not H)) or ``lr`` (``a`` = the
likelihood ratio, ``b`` empty); ``spread`` is empty for a point value, the
Beta concentration :math:`\kappa` for ``p`` items (each probability
:math:`p` becomes :math:`\mathrm{Beta}(\kappa p, \kappa(1-p))`) or the
standard deviation of :math:`\ln \mathrm{LR}` for ``lr`` items; ``group``
and ``discount`` are the dependence group and its exponent :math:`w`
(empty: independent, :math:`w = 1`).  The label comes last so it may itself
contain ``~``.

Examples
--------
>>> s = AppState(values={**defaults(), "prior": 0.25},
...              items=(ItemState("stated 3-to-1", "p", 0.75, 0.25),))
>>> params = encode(s)
>>> params["prior"], params["e0"]
('0.25', 'p~0.75~0.25~1~~~~~stated 3-to-1')
>>> back, warnings = decode(params)
>>> back == s, warnings
(True, [])
>>> print(decode({"prior": "1.5"})[1][0])
prior: got '1.5'; expected a probability in [0, 1] (did you mean 0.015? probabilities are fractions, not percent); using the default 0.5
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from beliefs.counts import format_counts, parse_counts
from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence, Provenance, Source
from beliefs.odds import log_odds, nats_from_bits, nats_from_decibels, probability
from beliefs.reproduce import DEFAULT_N_ASSUMED
from beliefs.validation import (
    as_count,
    as_float,
    as_positive,
    as_probability,
    refuse_rounded_certainty,
    refuse_surrogates,
)

__all__ = [
    "FIELDS",
    "MAX_ITEMS",
    "MAX_QUERY_PARAMS",
    "PRIOR_ENTRIES",
    "VIEWS",
    "AppState",
    "FieldSpec",
    "ItemState",
    "checked",
    "decode",
    "defaults",
    "dropped_parameters_warning",
    "encode",
    "format_prior",
    "parse_prior_text",
]

MAX_ITEMS = 40  # a ledger longer than this is a pasted mistake, not an argument
MAX_QUERY_PARAMS = 1000  # Streamlit silently drops a link with more query parameters than this
_MAX_PARAM = 2000  # characters; a longer value is refused before parsing
_SEP = "~"

VIEWS = ("update", "data", "chain", "monitoring", "analysis", "compare")
PRIOR_ENTRIES = ("percent", "odds", "log-odds")


def _choice(options: tuple[str, ...]) -> Callable[[object, str], str]:
    def parse(value: object, name: str) -> str:
        if value not in options:
            raise InputError(name, value, "one of " + ", ".join(repr(o) for o in options))
        return str(value)

    return parse


def _probability(value: object, name: str) -> float:
    return as_probability(value, name)


def _range(lo: float, hi: float) -> Callable[[object, str], float]:
    def parse(value: object, name: str) -> float:
        allowed = f"a number in [{lo:g}, {hi:g}]"
        x = as_float(value, name, allowed)
        if not lo <= x <= hi:
            raise InputError(name, value, allowed)
        return x

    return parse


def _count(lo: int, hi: int) -> Callable[[object, str], int]:
    def parse(value: object, name: str) -> int:
        return as_count(value, name, minimum=lo, maximum=hi)

    return parse


def _positive(value: object, name: str) -> float:
    return as_positive(value, name)


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise InputError(name, value, "a text of at most 200 characters")
    refuse_surrogates(value, name)
    return value


def _probability_list(value: object, name: str) -> str:
    if not isinstance(value, str) or len(value) > _MAX_PARAM:
        raise InputError(name, value, "probabilities in [0, 1] separated by commas, e.g. 0.25,0.2")
    if not value.strip():
        return ""
    parts = value.split(",")
    if len(parts) > 20:
        raise InputError(name, value, "at most 20 priors")
    return ",".join(_fmt(as_probability(p, f"{name}[{i}]")) for i, p in enumerate(parts))


def _factor_list(value: object, name: str) -> str:
    """Per-item factors ``"2,,3"`` (blank: the common factor), each > 1, at most one per possible item."""
    allowed = f"factors > 1 separated by commas (blank for the common factor), at most {MAX_ITEMS}"
    if not isinstance(value, str) or len(value) > _MAX_PARAM:
        raise InputError(name, value, allowed)
    if not value.strip():
        return ""
    parts = value.split(",")
    if len(parts) > MAX_ITEMS:
        raise InputError(name, value, allowed)
    out = []
    for i, part in enumerate(parts):
        if not part.strip():
            out.append("")
            continue
        x = as_float(part, f"{name}[{i}]", allowed)
        if not 1 < x <= 1e6:
            raise InputError(f"{name}[{i}]", part, allowed)
        out.append(_fmt(x))
    return ",".join(out).rstrip(",")


def _counts_text(value: object, name: str) -> str:
    if isinstance(value, str) and len(value) > _MAX_PARAM:
        raise InputError(name, value, f"at most {_MAX_PARAM} characters")
    return format_counts(parse_counts(value, name))


@dataclass(frozen=True)
class FieldSpec:
    """One scalar field: its query-parameter name, default and parser."""

    name: str
    default: Any
    parse: Callable[[object, str], Any]
    help: str = ""


FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("view", "update", _choice(VIEWS), "which view is open"),
        FieldSpec("prior", 0.5, _probability, "P(H) before the evidence"),
        FieldSpec("entry", "percent", _choice(PRIOR_ENTRIES), "how the exact prior is typed"),
        FieldSpec("thr", 0.5, _probability, "threshold for P(posterior > threshold)"),
        FieldSpec("ci", 0.9, _range(0.01, 0.99), "credible interval level"),
        FieldSpec("scenario", "", _text, "name of the scenario last loaded"),
        FieldSpec("cmp", "", _probability_list, "other priors to apply the same evidence to"),
        # Analysis view.
        FieldSpec("an_target", 0.9, _probability, "target probability for 'what would change my mind'"),
        FieldSpec("an_factor", 2.0, _range(1.01, 1e6), "tornado: x/÷ factor for items without a stated range"),
        FieldSpec("an_ifac", "", _factor_list, "tornado: per-item x/÷ factors (blank = the common factor)"),
        FieldSpec("an_crux", "", _text, "crux: the built-in scenario compared with"),
        FieldSpec("an_pool", "0.25, 0.25, 0.5", _text, "pooling: the forecasts P(H)"),
        FieldSpec("an_extr", 1.0, _range(0.5, 3.0), "pooling: extremizing exponent"),
        # Chain of successors.
        FieldSpec("ch_base", 1.0, _probability, "P(base case aligned)"),
        FieldSpec("ch_surv", 0.98, _probability, "P(alignment survives one step)"),
        FieldSpec("ch_steps", 35, _count(1, 1000), "number of steps"),
        FieldSpec("ch_drift", 0.0, _range(-0.2, 0.2), "drift: survival logit lost per step"),
        FieldSpec("ch_conc", 0.0, _range(0.0, 1e6), "Beta concentration of per-step survival (0 = exact)"),
        FieldSpec("ch_mu_sd", 0.0, _range(0.0, 5.0), "sd of the first step's survival logit (drift model)"),
        FieldSpec("ch_tau", 0.0, _range(0.0, 5.0), "scale of step-to-step variation in survival logit"),
        # Untrusted monitoring.
        FieldSpec("mo_rate", 0.004, _probability, "covert actions per task"),
        FieldSpec("mo_report", 0.9, _probability, "P(monitor reports a covert action)"),
        FieldSpec("mo_collude", 0.0, _probability, "P(monitor colludes)"),
        FieldSpec("mo_tasks", 1000, _count(1, 10_000_000), "number of tasks"),
        FieldSpec("mo_conc", 0.0, _range(0.0, 1e6), "Beta concentration on the rate (0 = exact)"),
        # Evidence from data.
        FieldSpec(
            "da_src", "2025", _choice(("2025", "custom")), "2025 published rates or the user's own counts"
        ),
        FieldSpec("da_model", "o3", _choice(("o3", "o4-mini")), "which model's 2025 rates"),
        FieldSpec(
            "da_when", "before", _choice(("before", "after")), "rates before or after anti-scheming training"
        ),
        FieldSpec("da_n", DEFAULT_N_ASSUMED, _count(1, 100_000), "assumed effective n per evaluation (not published)"),
        FieldSpec("da_pool", "partial", _choice(("partial", "none")), "pooling across evaluations"),
        FieldSpec("da_kmed", 10.0, _range(0.1, 1e4), "median spread (concentration) prior, both hypotheses"),
        FieldSpec("da_ksd", 1.5, _range(0.1, 3.0), "log-sd of the spread (concentration) prior, both hypotheses"),
        FieldSpec("da_rn", DEFAULT_N_ASSUMED, _count(1, 100_000), "assumed n for reproducing the paper's figures"),
        FieldSpec("da_env", "", _counts_text, "the user's own counts, k/n per environment"),
        FieldSpec("da_h_a", 1.0, _range(1e-3, 1e4), "Beta alpha of the covert-action rate under H"),
        FieldSpec("da_h_b", 9.0, _range(1e-3, 1e4), "Beta beta of the covert-action rate under H"),
        FieldSpec("da_n_a", 1.0, _range(1e-3, 1e4), "Beta alpha of the covert-action rate under not H"),
        FieldSpec("da_n_b", 99.0, _range(1e-3, 1e4), "Beta beta of the covert-action rate under not H"),
    )
}


def defaults() -> dict[str, Any]:
    """Every scalar field at its default."""
    return {name: spec.default for name, spec in FIELDS.items()}


def checked(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every scalar field parsed by its own validator (so a loaded file obeys the same ranges as a link).

    Raises InputError naming ``prefix + field`` for the first bad value.

    >>> checked({**defaults(), "ch_steps": 5})["ch_steps"]
    5
    """
    out = {}
    for name, spec in FIELDS.items():
        out[name] = spec.parse(values.get(name, spec.default), prefix + name)
    return out


@dataclass(frozen=True)
class ItemState:
    """One ledger row as the app holds it (the widgets' values, not yet an Evidence)."""

    label: str
    kind: Literal["p", "lr"] = "lr"
    a: float = 1.0
    b: float | None = None
    enabled: bool = True
    spread: float | None = None
    id: str = ""
    group: str | None = None
    discount: float = 1.0
    # How a ratio derived from data was obtained (assumed n, pooling, method, log10-BF range); in a
    # link it travels as its own parameter p<i> beside e<i>, so links without it decode unchanged.
    provenance: Provenance | None = None

    def to_evidence(self, source: Source | None = None, field_prefix: str = "") -> Evidence:
        """Build the library's Evidence item, validating every value.

        ``field_prefix`` (e.g. ``"evidence[2]."``) makes error messages name
        the row; InputError propagates unchanged otherwise.
        """
        try:
            if self.kind == "p":
                dists = {}
                if self.spread:
                    kappa = as_positive(self.spread, "spread", "a Beta concentration > 0")
                    peh = as_probability(self.a, "p_e_given_h", open_lower=True, open_upper=True)
                    pen = as_probability(self.b, "p_e_given_not_h", open_lower=True, open_upper=True)
                    dists = {
                        "p_e_given_h_dist": BetaDist(kappa * peh, kappa * (1 - peh)),
                        "p_e_given_not_h_dist": BetaDist(kappa * pen, kappa * (1 - pen)),
                    }
                return Evidence(
                    self.label,
                    p_e_given_h=self.a,
                    p_e_given_not_h=self.b,
                    id=self.id or None,
                    source=source,
                    enabled=self.enabled,
                    group=self.group,
                    discount=self.discount,
                    provenance=self.provenance,
                    **dists,
                )
            return Evidence(
                self.label,
                likelihood_ratio=self.a,
                id=self.id or None,
                source=source,
                enabled=self.enabled,
                log_lr_sigma=self.spread or None,
                group=self.group,
                discount=self.discount,
                provenance=self.provenance,
            )
        except InputError as exc:
            if not field_prefix:
                raise
            raise InputError(field_prefix + exc.field, exc.value, exc.allowed, exc.hint) from None

    @classmethod
    def from_evidence(cls, e: Evidence) -> ItemState:
        """The widget values that rebuild ``e`` (point values, Beta concentration, ln-LR spread)."""
        if e.stated_as_probabilities:
            spread = None
            dist = e.p_e_given_h_dist or e.p_e_given_not_h_dist
            if dist is not None:
                spread = dist.alpha + dist.beta
            return cls(
                e.label,
                "p",
                e.p_e_given_h,
                e.p_e_given_not_h,
                e.enabled,
                spread,
                e.id or "",
                e.group,
                e.discount,
                e.provenance,
            )
        return cls(
            e.label,
            "lr",
            e.likelihood_ratio,
            None,
            e.enabled,
            e.log_lr_sigma or None,
            e.id or "",
            e.group,
            e.discount,
            e.provenance,
        )


@dataclass(frozen=True)
class AppState:
    """Scalar fields (see :data:`FIELDS`) plus the evidence ledger."""

    values: dict[str, Any] = field(default_factory=defaults)
    items: tuple[ItemState, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


def _fmt(x: Any) -> str:
    if isinstance(x, bool):
        return "1" if x else "0"
    if isinstance(x, float):
        return repr(x)
    return str(x)


def _encode_item(item: ItemState) -> str:
    parts = [
        item.kind,
        _fmt(item.a),
        "" if item.b is None else _fmt(item.b),
        "1" if item.enabled else "0",
        "" if item.spread is None else _fmt(item.spread),
        item.id,
        item.group or "",
        "" if item.discount == 1.0 else _fmt(item.discount),
        item.label,
    ]
    for name in ("id", "group"):
        if _SEP in (getattr(item, name) or ""):
            raise InputError(name, getattr(item, name), f"text without {_SEP!r}")
    return _SEP.join(parts)


def encode(state: AppState) -> dict[str, str]:
    """Query parameters for ``state``; fields at their default are left out to keep links short."""
    params: dict[str, str] = {}
    for name, spec in FIELDS.items():
        value = state.values.get(name, spec.default)
        if value != spec.default or type(value) is not type(spec.default):
            params[name] = _fmt(value)
    for i, item in enumerate(state.items):
        params[f"e{i}"] = _encode_item(item)
        if item.provenance is not None:
            params[f"p{i}"] = json.dumps(item.provenance.to_dict(), separators=(",", ":"), ensure_ascii=False)
    return params


def _decode_provenance(raw: object, name: str) -> Provenance:
    if not isinstance(raw, str) or len(raw) > _MAX_PARAM:
        raise InputError(name, raw, f"text of at most {_MAX_PARAM} characters")
    try:
        data = json.loads(raw, parse_constant=lambda c: None)
    except ValueError:
        raise InputError(name, raw, "a JSON provenance object") from None
    try:
        return Provenance.from_dict(data, name)
    except InputError as exc:
        field = exc.field if exc.field.startswith(name) else f"{name}." + exc.field.removeprefix("provenance.")
        raise InputError(field, exc.value, exc.allowed, exc.hint) from None


def _decode_item(raw: str, name: str) -> ItemState:
    parts = raw.split(_SEP, 8)
    allowed = "kind~a~b~enabled~spread~id~group~discount~label, e.g. p~0.75~0.25~1~~~~~stated 3-to-1"
    if len(parts) != 9:
        raise InputError(name, raw, allowed)
    kind, a, b, on, spread, ident, group, discount, label = parts
    if kind not in ("p", "lr"):
        raise InputError(f"{name}.kind", kind, "'p' or 'lr'")
    if on not in ("0", "1"):
        raise InputError(f"{name}.enabled", on, "'1' or '0'")
    item = ItemState(
        label=label,
        kind=kind,  # type: ignore[arg-type]
        a=as_float(a, f"{name}.a"),
        b=None if b == "" and kind == "lr" else as_float(b, f"{name}.b"),
        enabled=on == "1",
        spread=None if spread == "" else as_float(spread, f"{name}.spread"),
        id=ident,
        group=group or None,
        discount=1.0 if discount == "" else as_float(discount, f"{name}.discount"),
    )
    # The Evidence constructor is the authority on what a valid item is.
    item.to_evidence(field_prefix=f"{name}.")
    return item


def _last(value: object) -> object:
    # Streamlit's st.query_params returns the last of repeated keys; do the same.
    if isinstance(value, (list, tuple)):
        return value[-1] if value else ""
    return value


_ITEM_KEY = re.compile(r"e(?:0|[1-9][0-9]{0,3})", re.ASCII)
_MAX_UNKNOWN_SHOWN = 5
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.-]{1,40}", re.ASCII)


def _shown_key(key: object) -> str:
    # A key is untrusted text: a plain name as is, anything else as repr (escapes controls and surrogates).
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
        return key
    text = ascii(key) if isinstance(key, str) else type(key).__name__
    return text if len(text) <= 60 else text[:40] + "..." + text[-15:]


def dropped_parameters_warning(url: object, received: int) -> str | None:
    """A warning when the address had more query parameters than Streamlit passes on (it drops them all).

    ``url`` is the page's address as the browser sent it (``st.context.url``), ``received``
    how many parameters arrived in ``st.query_params``.

    >>> dropped_parameters_warning("http://h/?" + "&".join(f"x{i}=1" for i in range(1001)), 0)[:29]
    'this link has 1001 parameters'
    >>> dropped_parameters_warning("http://h/?a=1", 1) is None
    True
    """
    if not isinstance(url, str) or "?" not in url:
        return None
    query = url.split("?", 1)[1].split("#", 1)[0]
    count = sum(1 for part in query.split("&") if part)
    if count <= MAX_QUERY_PARAMS or received >= count:
        return None
    return (
        f"this link has {count} parameters; Streamlit drops links with more than {MAX_QUERY_PARAMS}, "
        "so none of its state could be restored"
    )


def decode(params: Mapping[str, object]) -> tuple[AppState, list[str]]:
    """Parse query parameters into an :class:`AppState` and a list of warnings.

    Never raises for bad input: a bad field keeps its default and adds one
    warning; unknown parameters are reported and ignored.  A short link's
    ``s`` (see :mod:`beliefs.io.shortlink`) is unpacked first and its fields go
    through the same parsers.
    """
    if "s" in params:
        from beliefs.io.shortlink import expand

        params, early = expand(params)
        state, warnings = decode(params)
        return state, early + warnings
    values = defaults()
    warnings: list[str] = []
    if len(params) > MAX_QUERY_PARAMS:
        warnings.append(
            f"this link has {len(params)} parameters; Streamlit drops links with more than "
            f"{MAX_QUERY_PARAMS}, so parts of it may be missing"
        )
    for name, spec in FIELDS.items():
        if name not in params:
            continue
        raw = _last(params[name])
        try:
            if isinstance(raw, str) and len(raw) > _MAX_PARAM:
                raise InputError(name, raw, f"at most {_MAX_PARAM} characters")
            values[name] = spec.parse(raw, name)
        except InputError as exc:
            warnings.append(f"{exc}; using the default {_fmt(spec.default) or repr('')}")
    # ASCII digits only and at most 4 of them: "e²".isdigit() is True but int("²") raises, and
    # int() of 5,000 digits raises too (Python's limit on int from str).
    item_keys = sorted((k for k in params if isinstance(k, str) and _ITEM_KEY.fullmatch(k)), key=lambda k: int(k[1:]))
    items: list[ItemState] = []
    for key in item_keys:
        if len(items) >= MAX_ITEMS:
            warnings.append(f"{key}: more than {MAX_ITEMS} evidence items; the rest are ignored")
            break
        raw = _last(params[key])
        try:
            if not isinstance(raw, str) or len(raw) > _MAX_PARAM:
                raise InputError(key, raw, f"text of at most {_MAX_PARAM} characters")
            item = _decode_item(raw, key)
        except InputError as exc:
            warnings.append(f"{exc}; this item is left out")
            continue
        prov_key = f"p{key[1:]}"
        if prov_key in params:
            try:
                item = replace(item, provenance=_decode_provenance(_last(params[prov_key]), prov_key))
            except InputError as exc:
                warnings.append(f"{exc}; the item is kept without its provenance")
        items.append(item)
    prov_keys = {k for k in params if isinstance(k, str) and k.startswith("p") and f"e{k[1:]}" in item_keys}
    known = set(FIELDS) | set(item_keys) | prov_keys
    unknown = [key for key in params if key not in known]
    for key in unknown[:_MAX_UNKNOWN_SHOWN]:
        warnings.append(f"{_shown_key(key)}: unknown parameter, ignored")
    if len(unknown) > _MAX_UNKNOWN_SHOWN:
        warnings.append(f"{len(unknown) - _MAX_UNKNOWN_SHOWN} more unknown parameters, ignored")
    return AppState(values=values, items=tuple(items)), warnings


# -- the prior as typed ------------------------------------------------------


def parse_prior_text(text: object, entry: str, field: str = "prior") -> float:
    r"""Parse the exact prior typed as a percent, odds ``a:b`` or log-odds in nats.

    .. math:: p = \frac{a}{a+b}, \qquad p = \frac{1}{1+e^{-\lambda}}

    >>> parse_prior_text("25", "percent"), parse_prior_text("1:3", "odds")
    (0.25, 0.25)
    >>> round(parse_prior_text("-1.0986122886681098", "log-odds"), 12)
    0.25
    """
    if entry == "percent":
        from beliefs.entry import parse_percent  # 25, 25% and 0.25% as written

        return parse_percent(text, field).probability
    if entry == "odds":
        allowed = "odds a:b with a, b >= 0 and not both 0, e.g. 1:3"
        if not isinstance(text, str) or text.count(":") != 1:
            raise InputError(field, text, allowed)
        left, right = text.split(":")
        a = as_float(left, field, allowed)
        b = as_float(right, field, allowed)
        if a < 0 or b < 0 or a + b == 0:
            raise InputError(field, text, allowed)
        # a/(a+b) is one correctly rounded division (1:9 is exactly 0.1); scaled first only when
        # a+b overflows (1e308:1e308 is 1/2, not inf/inf).
        top = max(a, b)
        p = a / (a + b) if math.isfinite(a + b) else (a / top) / (a / top + b / top)
        refuse_rounded_certainty(field, text, p, exactly_certain=a == 0 or b == 0, allowed=allowed)
        return p
    if entry == "log-odds":
        lam = _parse_log_odds(text, field)
        p = probability(lam)
        refuse_rounded_certainty(field, text, p, exactly_certain=False, allowed="log-odds from -744 to +36 nats (the prior is kept as a probability)")
        return p
    raise InputError("entry", entry, "one of " + ", ".join(PRIOR_ENTRIES))


def _parse_log_odds(text: object, field: str) -> float:
    allowed = "log-odds in nats (or with a unit: '1.58 bits', '4.77 dB'), finite"
    if isinstance(text, str):
        t = text.strip().lower()
        for unit, convert in (("bits", nats_from_bits), ("bit", nats_from_bits), ("db", nats_from_decibels)):
            if t.endswith(unit):
                return convert(as_float(t[: -len(unit)], field, allowed))
        for unit in ("nats", "nat"):
            if t.endswith(unit):
                return as_float(t[: -len(unit)], field, allowed)
    return as_float(text, field, allowed)


def format_prior(p: float, entry: str) -> str:
    """The exact prior as it would be typed in ``entry`` form (inverse of :func:`parse_prior_text`).

    >>> format_prior(0.25, "percent"), format_prior(0.25, "odds"), format_prior(0.5, "log-odds")
    ('25', '1:3', '0')
    """
    if entry == "percent":
        return f"{100 * p:.12g}"
    if entry == "odds":
        if p == 1:
            return "1:0"
        if p == 0:
            return "0:1"
        o = p / (1 - p)
        if o >= 1:
            return f"{o:.12g}:1"
        return f"1:{1 / o:.12g}"
    lam = log_odds(p)
    if math.isinf(lam):
        return "inf" if lam > 0 else "-inf"
    return f"{lam:.12g}"


def parse_prior_list_text(text: object, entry: str, field: str = "compare priors") -> str:
    """Several priors typed as the exact prior is (``entry``), comma-separated, as the ``cmp`` field holds them.

    Each part goes through :func:`parse_prior_text`, so ``25, 20%`` in percent
    mode and ``1:3, 1:4`` in odds mode both mean 0.25 and 0.2; the result is
    the canonical probabilities (the share link's ``cmp``).  Errors name the
    part as ``compare priors[i]``.

    >>> parse_prior_list_text("25, 20%", "percent"), parse_prior_list_text("1:3,1:4", "odds")
    ('0.25,0.2', '0.25,0.2')
    >>> parse_prior_list_text(" ", "percent")
    ''
    """
    if not isinstance(text, str) or len(text) > _MAX_PARAM:
        raise InputError(field, text, f"priors as {entry} separated by commas")
    if not text.strip():
        return ""
    parts = text.split(",")
    if len(parts) > 20:
        raise InputError(field, text, "at most 20 priors")
    return ",".join(_fmt(parse_prior_text(part.strip(), entry, f"{field}[{i}]")) for i, part in enumerate(parts))


def format_prior_list(cmp: str, entry: str) -> str:
    """The ``cmp`` field's probabilities as they would be typed in ``entry`` form (inverse of the parser above).

    >>> format_prior_list("0.25,0.2", "percent"), format_prior_list("0.25", "odds")
    ('25, 20', '1:3')
    """
    if not cmp:
        return ""
    return ", ".join(format_prior(float(p), entry) for p in cmp.split(","))
