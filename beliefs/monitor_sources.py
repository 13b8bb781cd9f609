r"""Sourced settings for the untrusted-monitoring model: published figures turned into q or c, with what is assumed.

The monitoring model (:mod:`beliefs.monitoring`) needs q, the probability that
the monitor reports a covert action, and c, the probability that it colludes.
No source in the catalogue states either.  Two published figures bear on them
(research notes, "Update 2026-12-06"), and each needs an assumption to become one:

* **A monitor's AUC** (SHADE-Arena's best monitor, 0.87, status P) is the
  probability that a random sabotage transcript scores above a random benign
  one.  It is not a report probability: that depends on where the monitor's
  threshold sits.  Assume an equal-variance binormal ROC (scores normal, unit
  variance, means :math:`d'` apart), so that :math:`\mathrm{AUC} = \Phi(d'/\sqrt 2)`,
  and an operating point, the false-alarm rate :math:`f` (the share of benign
  transcripts flagged; the user's choice, not the source's).  The monitor then
  reports a covert action with

  .. math:: q = \Phi\big(\sqrt 2\,\Phi^{-1}(\mathrm{AUC}) + \Phi^{-1}(f)\big),

  which is :math:`f` at AUC 0.5 (a coin) and tends to 1 as AUC tends to 1.
* **A red-team win rate** against an untrusted monitor that colludes by
  recognising its own style (9.8%, status S; 2.8% for earlier signalling
  strategies) becomes c if every red-team win is one covert action the monitor
  recognised and let through, and every loss one it reported.

A setting built on an assumption has status X; the figure it starts from keeps
its own status and location (``source``), and ``assumption`` says the rest.

Examples
--------
>>> s = sourced_setting("shade_arena_monitor_auc").resolve(false_alarm_rate=0.01)
>>> s.parameter, round(s.value, 4)  # AUC 0.87 is not q = 87%: at 1% false alarms q is about 23%
('q', 0.2317)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

from beliefs.errors import InputError
from beliefs.evidence import Source
from beliefs.io.catalogue import CatalogueEntry, Figure, get_entry
from beliefs.validation import as_probability

__all__ = [
    "SOURCED_SETTINGS",
    "SourcedSetting",
    "SourcedValue",
    "parse_sourced",
    "q_from_auc",
    "sourced_setting",
]

_STANDARD_NORMAL = NormalDist()
_SQRT2 = math.sqrt(2.0)


def q_from_auc(auc: object, false_alarm_rate: object, *, fields: tuple[str, str] = ("auc", "false_alarm_rate")) -> float:
    r"""A monitor's report probability at false-alarm rate ``f`` under an equal-variance binormal ROC.

    .. math:: q = \Phi\big(\sqrt 2\,\Phi^{-1}(\mathrm{AUC}) + \Phi^{-1}(f)\big)

    Examples
    --------
    >>> q_from_auc(0.5, 0.01)  # a monitor no better than chance reports as often as it false-alarms
    0.01
    >>> round(q_from_auc(0.87, 0.01), 4), round(q_from_auc(0.87, 0.05), 4)
    (0.2317, 0.4793)
    """
    a = as_probability(auc, fields[0])
    f = as_probability(false_alarm_rate, fields[1])
    if not 0.0 < a < 1.0:
        raise InputError(fields[0], auc, "an AUC strictly between 0 and 1")
    if not 0.0 < f < 1.0:
        raise InputError(
            fields[1], false_alarm_rate, "a false-alarm rate strictly between 0 and 1 (0 flags nothing, 1 flags all)"
        )
    if a == 0.5:  # Phi^-1(0.5) = 0 exactly: q is f, not f plus rounding
        return f
    return _STANDARD_NORMAL.cdf(_SQRT2 * _STANDARD_NORMAL.inv_cdf(a) + _STANDARD_NORMAL.inv_cdf(f))


@dataclass(frozen=True)
class SourcedSetting:
    """A catalogue figure that can set q or c, and the assumption that turns it into one."""

    key: str
    parameter: Literal["q", "c"]
    entry_id: str
    figure_label: str
    name: str  # what the figure is, in a few words
    assumption: str
    needs_false_alarm_rate: bool = False

    @property
    def title(self) -> str:
        """A one-line label for a picker, with the figure's number and status read from the catalogue."""
        at = " at a false-alarm rate you choose" if self.needs_false_alarm_rate else ""
        return f"{self.parameter} from {self.name}: {self.figure.describe()} (status {self.figure.status}){at}"

    @property
    def entry(self) -> CatalogueEntry:
        return get_entry(self.entry_id)

    @property
    def figure(self) -> Figure:
        (figure,) = [f for f in self.entry.figures if f.label == self.figure_label]
        return figure

    @property
    def source(self) -> Source:
        """The catalogue entry's source: citation, location and the figure's own status."""
        src = self.entry.source
        return Source(citation=src.citation, location=src.location, status=self.figure.status, url=src.url)

    def resolve(self, false_alarm_rate: object = None, *, field: str = "false_alarm_rate") -> SourcedValue:
        """The value this setting gives (at ``false_alarm_rate`` for an AUC), with its provenance."""
        if self.needs_false_alarm_rate:
            if false_alarm_rate is None:
                raise InputError(field, "(not given)", "a false-alarm rate f in (0, 1): the monitor's operating point, your choice")
            value = q_from_auc(self.figure.value, false_alarm_rate, fields=(f"{self.key} AUC", field))
            f = float(false_alarm_rate)
        else:
            if false_alarm_rate is not None:
                raise InputError(field, false_alarm_rate, f"no false-alarm rate for {self.key} (it is not an AUC)")
            value, f = self.figure.value, None
        return SourcedValue(setting=self, value=value, false_alarm_rate=f)


@dataclass(frozen=True)
class SourcedValue:
    """A q or c from a published figure under a stated assumption (status X: the assumption is not published)."""

    setting: SourcedSetting
    value: float
    false_alarm_rate: float | None = None
    status: str = "X"

    @property
    def parameter(self) -> str:
        return self.setting.parameter

    @property
    def spec(self) -> str:
        """What a setting or a link holds: the source's key, and ``:f`` for an AUC (:func:`parse_sourced` reads it).

        >>> sourced_setting("shade_arena_monitor_auc").resolve(0.01).spec
        'shade_arena_monitor_auc:0.01'
        """
        return self.setting.key + ("" if self.false_alarm_rate is None else f":{self.false_alarm_rate!r}")

    def stands(self, value: float) -> bool:
        """Whether ``value`` (the model's q or c now) is still this source's value: not moved by hand since.

        Equal to 12 significant digits, so a file written on one machine reads the same on another
        (the AUC's q goes through math.erf, which a platform may round differently in the last bit).
        """
        return math.isclose(value, self.value, rel_tol=1e-12, abs_tol=0.0)

    def describe(self) -> str:
        """One line: the value, the figure and its source, and what is assumed."""
        from beliefs.format import format_probability
        from beliefs.odds import log_odds

        s, fig, src = self.setting, self.setting.figure, self.setting.source
        at = "" if self.false_alarm_rate is None else f", at a false-alarm rate f of {self.false_alarm_rate:g} (your choice)"
        return (
            f"{s.parameter} = {format_probability(log_odds(self.value))} from {s.name} ({fig.describe()}, "
            f"status {src.status}; {src.citation}; where: {src.location}){at}. Assumed: {s.assumption} "
            f"This {s.parameter} has status {self.status}: it rests on that assumption."
        )

    def to_dict(self) -> dict:
        s, src = self.setting, self.setting.source
        return {
            "key": s.key,
            "parameter": s.parameter,
            "value": self.value,
            "status": self.status,
            "false_alarm_rate": self.false_alarm_rate,
            "assumption": s.assumption,
            "figure": {"entry": s.entry_id, **s.figure.to_dict()},
            "source": {"citation": src.citation, "location": src.location, "status": src.status, "url": src.url},
        }


_AUC_ASSUMPTION = (
    "an AUC is not a report probability; with an equal-variance binormal ROC (AUC = Φ(d′/√2)) and "
    "the monitor flagging a share f of benign transcripts, q = Φ(√2·Φ⁻¹(AUC) + Φ⁻¹(f))."
)
_WIN_ASSUMPTION = (
    "a red-team win rate is not a per-action collusion probability; used as c, every red-team win is one "
    "covert action the monitor recognised and let through, and every loss one it reported."
)

def _collusion(key: str, figure_label: str, name: str) -> SourcedSetting:
    """c from one of the self-recognition paper's red-team win rates."""
    return SourcedSetting(key, "c", "monitor_self_recognition_collusion", figure_label, name, _WIN_ASSUMPTION)


SOURCED_SETTINGS: tuple[SourcedSetting, ...] = (
    SourcedSetting(
        key="shade_arena_monitor_auc",
        parameter="q",
        entry_id="shade_arena_sabotage",
        figure_label="best monitor AUC",
        name="SHADE-Arena's best monitor AUC",
        assumption=_AUC_ASSUMPTION,
        needs_false_alarm_rate=True,
    ),
    _collusion(
        "self_recognition_collusion",
        "red-team win rate, collusion by recognising its own style",
        "the red-team win rate of a monitor colluding by recognising its own style",
    ),
    _collusion(
        "signalling_collusion",
        "red-team win rate, earlier signalling strategies",
        "the red-team win rate of earlier signalling strategies",
    ),
)


def parse_sourced(text: object, parameter: str, field: str) -> SourcedValue | None:
    """The sourced value ``text`` names (:attr:`SourcedValue.spec`: ``key`` or ``key:f``); None for ``""``.

    >>> parse_sourced("shade_arena_monitor_auc:0.05", "q", "mo_qsrc").false_alarm_rate
    0.05
    >>> parse_sourced("self_recognition_collusion", "c", "mo_csrc").value
    0.098
    """
    allowed = f"the key of a sourced setting for {parameter}, and ':f' (a false-alarm rate) for an AUC, or empty"
    if not isinstance(text, str) or len(text) > 200:
        raise InputError(field, text, allowed)
    if not text.strip():
        return None
    key, sep, rate = text.strip().partition(":")
    setting = sourced_setting(key, parameter=parameter, field=field)
    if setting.needs_false_alarm_rate and not sep:
        raise InputError(field, text, f"{key}:f, with f the false-alarm rate in (0, 1) it was set at")
    return setting.resolve(rate if sep else None, field=f"{field} false-alarm rate")


def sourced_setting(key: str, *, parameter: str | None = None, field: str = "setting") -> SourcedSetting:
    """The sourced setting named ``key`` (for ``parameter`` "q" or "c" when given); InputError lists the keys."""
    choices = [s for s in SOURCED_SETTINGS if parameter is None or s.parameter == parameter]
    for s in choices:
        if s.key == key:
            return s
    what = f"a sourced setting for {parameter}" if parameter else "a sourced setting"
    raise InputError(field, key, f"{what}: " + ", ".join(s.key for s in choices))
