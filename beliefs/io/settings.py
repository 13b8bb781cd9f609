"""The app's settings schema: every scalar field, its default and its own parser.

One table, :data:`FIELDS`, is shared by everything that carries the app's
settings: share links (:mod:`beliefs.io.link`), the ``app`` block of scenario
files (:mod:`beliefs.io.scenario_schema`) and the CLI's defaults.  Each
parser raises :class:`~beliefs.errors.InputError` naming the field; so a
loaded file obeys the same ranges as a link.

>>> FIELDS["ch_steps"].parse("35", "ch_steps")
35
>>> checked({**defaults(), "thr": 0.8})["thr"]
0.8
>>> FIELDS["ci"].parse("2", "ci")
Traceback (most recent call last):
...
beliefs.errors.InputError: ci: got '2'; expected a number in [0.01, 0.99]
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from beliefs.counts import format_counts, parse_counts
from beliefs.entry import MAX_COMPARED_PRIORS, PRIOR_ENTRIES
from beliefs.errors import InputError
from beliefs.reproduce import DEFAULT_N_ASSUMED
from beliefs.validation import as_count, as_float, as_probability, refuse_surrogates

__all__ = [
    "BASE_URL_ENV",
    "FIELDS",
    "LOCAL_BASE",
    "MAX_ITEMS",
    "MAX_PARAM",
    "SOURCED_FIELDS",
    "VIEWS",
    "FieldSpec",
    "check_base",
    "checked",
    "defaults",
    "format_value",
    "is_local",
    "local_link_note",
    "public_base",
    "without_stale_sources",
]

MAX_ITEMS = 40  # a ledger longer than this is a pasted mistake, not an argument
MAX_PARAM = 2000  # characters; a longer value is refused before parsing

VIEWS = ("update", "data", "chain", "monitoring", "analysis", "compare")


def format_value(x: Any) -> str:
    """A field's value as text that parses back to the same value (floats by :func:`repr`, bools as 1/0).

    >>> format_value(0.1), format_value(True), format_value(35)
    ('0.1', '1', '35')
    """
    if isinstance(x, bool):
        return "1" if x else "0"
    if isinstance(x, float):
        return repr(x)
    return str(x)


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


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise InputError(name, value, "a text of at most 200 characters")
    refuse_surrogates(value, name)
    return value


def _probability_list(value: object, name: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_PARAM:
        raise InputError(name, value, "probabilities in [0, 1] separated by commas, e.g. 0.25,0.2")
    if not value.strip():
        return ""
    parts = value.split(",")
    if len(parts) > MAX_COMPARED_PRIORS:
        raise InputError(name, value, f"at most {MAX_COMPARED_PRIORS} priors")
    return ",".join(format_value(as_probability(p, f"{name}[{i}]")) for i, p in enumerate(parts))


def _factor_list(value: object, name: str) -> str:
    """Per-item factors ``"2,,3"`` (blank: the common factor), each > 1, at most one per possible item."""
    allowed = f"factors > 1 separated by commas (blank for the common factor), at most {MAX_ITEMS}"
    if not isinstance(value, str) or len(value) > MAX_PARAM:
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
        out.append(format_value(x))
    return ",".join(out).rstrip(",")


def _sourced(parameter: str) -> Callable[[object, str], str]:
    """A sourced q or c (beliefs.monitor_sources: ``key`` or ``key:f``), as its canonical text; "" for none."""

    def parse(value: object, name: str) -> str:
        from beliefs.monitor_sources import parse_sourced

        sourced = parse_sourced(value, parameter, name)
        return "" if sourced is None else sourced.spec

    return parse


def _counts_text(value: object, name: str) -> str:
    if isinstance(value, str) and len(value) > MAX_PARAM:
        raise InputError(name, value, f"at most {MAX_PARAM} characters")
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
        FieldSpec("an_unst", "left-out", _choice(("left-out", "factor")), "tornado: unstated items left out or x/÷ an_factor"),
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
        # q or c set from a published figure (beliefs.monitor_sources), kept while the value stands.
        FieldSpec("mo_qsrc", "", _sourced("q"), "the published figure q was set from (key, :f for an AUC)"),
        FieldSpec("mo_csrc", "", _sourced("c"), "the published figure c was set from (key)"),
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
        # What each hypothesis predicts: a Beta (da_*_a, da_*_b) or a point rate (a point null, issue 25.3).
        FieldSpec("da_h_kind", "beta", _choice(("beta", "point")), "H predicts a Beta prior or a point rate"),
        FieldSpec("da_h_pt", 0.1, _range(1e-9, 1 - 1e-9), "H's point rate (with da_h_kind = point)"),
        FieldSpec("da_n_kind", "beta", _choice(("beta", "point")), "not H predicts a Beta prior or a point rate"),
        FieldSpec("da_n_pt", 0.01, _range(1e-9, 1 - 1e-9), "not H's point rate (with da_n_kind = point)"),
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


# Each sourced setting's field, its parameter and the field of the value it set.
SOURCED_FIELDS = {"mo_qsrc": ("q", "mo_report"), "mo_csrc": ("c", "mo_collude")}


def without_stale_sources(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``values`` without the source of a q or c that no longer has the source's value, and why, one line each.

    A q or c set from a published figure carries that figure, its assumption and its false-alarm rate
    (``mo_qsrc``, ``mo_csrc``) for as long as the value stands; moved by hand since, the source no longer
    describes it and is dropped, and the line says so.
    """
    from beliefs.monitor_sources import parse_sourced

    out, notes = dict(values), []
    for name, (parameter, value_field) in SOURCED_FIELDS.items():
        sourced = parse_sourced(out.get(name, ""), parameter, name)
        if sourced is not None and not sourced.stands(out[value_field]):
            out[name] = ""
            notes.append(
                f"{parameter} is {out[value_field]:.4g}, not the {sourced.value:.4g} that {sourced.setting.name} "
                f"gives: it was changed by hand, so its source ({sourced.spec}) no longer applies and is dropped"
            )
    return out, notes




# -- the app's public address ----------------------------------------------------------------

BASE_URL_ENV = "BELIEFS_BASE_URL"  # the one setting: read by the app and the command line
LOCAL_BASE = "http://127.0.0.1:8501/"  # where `make app` serves the app
_BASE_ALLOWED = "the app's address: http:// or https:// and a host, with no spaces, e.g. https://example.org/beliefs/"
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def check_base(url: object, field: str) -> str:
    """``url`` if it is an http(s) address with a host (the scheme in any case: ``HTTPS://X/``); else InputError.

    >>> check_base("HTTPS://example.org/beliefs/", "--base")
    'HTTPS://example.org/beliefs/'
    """
    if not isinstance(url, str) or len(url) > MAX_PARAM or _SPACE_OR_CONTROL.search(url):
        raise InputError(field, url, _BASE_ALLOWED)
    try:
        parts = urlsplit(url)
    except ValueError:
        raise InputError(field, url, _BASE_ALLOWED) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(field, url, _BASE_ALLOWED)
    return url


def public_base(override: str | None = None) -> str | None:
    """The app's public address: ``override`` (``--base``), else ``$BELIEFS_BASE_URL``, else None (not set)."""
    if override is not None:
        return check_base(override, "--base")
    env = os.environ.get(BASE_URL_ENV)
    return check_base(env, BASE_URL_ENV) if env else None


def is_local(url: str) -> bool:
    """True for a link that opens only on the machine that made it: a loopback host, or no host at all.

    >>> is_local("http://127.0.0.1:8501/?s=2x"), is_local("?prior=0.2"), is_local("https://example.org/b/?s=2x")
    (True, True, False)
    """
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return True
    if not host:
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def local_link_note(url: str) -> str:
    """What a reader must be told about ``url``: ``""``, or that it opens only on this machine and how to fix that."""
    if not is_local(url):
        return ""
    return (
        "this link opens only on the machine that made it; "
        f"set {BASE_URL_ENV} to the app's public address to give readers one that works"
    )
