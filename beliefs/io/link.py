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
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Evidence, Provenance, Source
from beliefs.io.settings import FIELDS, MAX_ITEMS, MAX_PARAM, defaults, format_value
from beliefs.validation import as_float, as_probability

__all__ = [
    "MAX_QUERY_PARAMS",
    "AppState",
    "ItemState",
    "decode",
    "dropped_parameters_warning",
    "encode",
]

MAX_QUERY_PARAMS = 1000  # Streamlit silently drops a link with more query parameters than this
_SEP = "~"


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
                if self.spread:  # each probability is the mean of a Beta with concentration kappa = spread
                    # Checked as probabilities first: the message then keeps its "did you mean 0.015?" hint.
                    for name, p in (("p_e_given_h", self.a), ("p_e_given_not_h", self.b)):
                        as_probability(p, name, open_lower=True, open_upper=True)
                    dists = {
                        f"{name}_dist": BetaDist.from_mean_concentration(
                            p, self.spread, mean_field=name, concentration_field="spread"
                        )
                        for name, p in (("p_e_given_h", self.a), ("p_e_given_not_h", self.b))
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
            dist = e.p_e_given_h_dist or e.p_e_given_not_h_dist
            spread = None if dist is None else dist.concentration
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
    """Scalar fields (see :data:`beliefs.io.settings.FIELDS`) plus the evidence ledger."""

    values: dict[str, Any] = field(default_factory=defaults)
    items: tuple[ItemState, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return self.values[name]



def _encode_item(item: ItemState) -> str:
    parts = [
        item.kind,
        format_value(item.a),
        "" if item.b is None else format_value(item.b),
        "1" if item.enabled else "0",
        "" if item.spread is None else format_value(item.spread),
        item.id,
        item.group or "",
        "" if item.discount == 1.0 else format_value(item.discount),
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
            params[name] = format_value(value)
    for i, item in enumerate(state.items):
        params[f"e{i}"] = _encode_item(item)
        if item.provenance is not None:
            params[f"p{i}"] = json.dumps(item.provenance.to_dict(), separators=(",", ":"), ensure_ascii=False)
    return params


def _decode_provenance(raw: object, name: str) -> Provenance:
    if not isinstance(raw, str) or len(raw) > MAX_PARAM:
        raise InputError(name, raw, f"text of at most {MAX_PARAM} characters")
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
    ``s`` is not known here: :func:`beliefs.io.shortlink.open_link` unpacks it
    and then calls this function, so its fields go through the same parsers.
    """
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
            if isinstance(raw, str) and len(raw) > MAX_PARAM:
                raise InputError(name, raw, f"at most {MAX_PARAM} characters")
            values[name] = spec.parse(raw, name)
        except InputError as exc:
            warnings.append(f"{exc}; using the default {format_value(spec.default) or repr('')}")
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
            if not isinstance(raw, str) or len(raw) > MAX_PARAM:
                raise InputError(key, raw, f"text of at most {MAX_PARAM} characters")
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
