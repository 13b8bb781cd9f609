r"""What each hypothesis predicts about covert-action rates: Beta priors, point rates and named readings.

A hypothesis enters the counts' Bayes factor only through what it predicts
about the rates (:mod:`beliefs.counts`): a :class:`~beliefs.evidence.BetaDist`
(no pooling: each evaluation's rate; partial pooling: the population mean
rate), or a :class:`PointRate`, the same Beta collapsed to one value P (no
pooling: every evaluation's rate is exactly P, the binomial likelihood of a
point null as in JASP's binomial test; partial pooling: the population mean
is exactly P and evaluations still spread around it by the spread prior).

Such a prediction is the most contestable number on the data page, so the ones
the project ships are *named readings* (:data:`READINGS`), each with a
:class:`~beliefs.evidence.Source`, its status (P/S/X) and a one-line reason.
Where no source gives a Beta's parameters the status is X and the reason says
so.  :func:`reading_for` names any prior: a shipped reading, or "your own
prior" (status X).  Plain Python (no SciPy): the share-link codec imports the
counts module, which imports this one.

>>> parse_rate_prior("point:0.5", "--rate-if-not-h")
PointRate(rate=0.5)
>>> reading_for("if_not_h", parse_rate_prior("1,99", "--rate-if-not-h")).name
'confusion or ambiguous instructions'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Source, parse_beta
from beliefs.validation import as_float, refuse_subnormal

__all__ = [
    "DEFAULT_READINGS",
    "READINGS",
    "SIDES",
    "PointRate",
    "RatePrior",
    "RateReading",
    "parse_rate_prior",
    "rate_prior_from_json",
    "rate_prior_json",
    "rate_prior_text",
    "reading_for",
    "readings",
]

Side = Literal["if_h", "if_not_h"]
SIDES: tuple[Side, Side] = ("if_h", "if_not_h")
SIDE_WORDS = {"if_h": "H", "if_not_h": "not H"}


@dataclass(frozen=True)
class PointRate:
    """A rate of exactly ``rate`` (a point null), strictly between 0 and 1.

    0 and 1 are refused: a point at 0 makes one covert action infinitely
    unlikely (an infinite Bayes factor from one count), which no ledger holds.
    """

    rate: float

    def __post_init__(self):
        allowed = "a point rate strictly between 0 and 1, e.g. point:0.5"
        p = as_float(self.rate, "point rate", allowed)
        if not 0.0 < p < 1.0:
            raise InputError("point rate", self.rate, allowed)
        object.__setattr__(self, "rate", p)

    @property
    def mean(self) -> float:
        return self.rate


RatePrior = BetaDist | PointRate

_POINT = "point:"
_ALLOWED = "two Beta parameters A,B (both > 0, e.g. 1,9), point:P with 0 < P < 1, or a reading's name"


def rate_prior_text(prior: RatePrior) -> str:
    """``Beta(1, 9)`` or ``point 0.5``: how a prediction reads in tables and provenance."""
    if isinstance(prior, PointRate):
        return f"point {prior.rate:g}"
    return f"Beta({prior.alpha:g}, {prior.beta:g})"


def rate_prior_json(prior: RatePrior) -> list[float] | dict[str, float]:
    """How a scenario file writes a prediction: ``[a, b]`` for a Beta, ``{"point": P}`` for a point rate."""
    return [prior.alpha, prior.beta] if isinstance(prior, BetaDist) else {"point": prior.rate}


def rate_prior_from_json(value: object, field: str, allowed: str) -> RatePrior:
    """The prediction a scenario file writes (:func:`rate_prior_json`); else InputError naming ``field``."""

    def number(x: object) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    if isinstance(value, dict) and set(value) == {"point"} and number(value["point"]):
        allowed_point = "a point rate strictly between 0 and 1 (a rate of exactly 0 or 1 makes one count conclusive)"
        if not 0 < value["point"] < 1:
            raise InputError(f"{field}.point", value["point"], allowed_point)
        refuse_subnormal(f"{field}.point", value["point"], value["point"], allowed=allowed_point, advice="")
        return PointRate(value["point"])
    if isinstance(value, list) and len(value) == 2 and all(number(x) for x in value):
        for i, x in enumerate(value):
            if not (math.isfinite(x) and x > 0):
                raise InputError(f"{field}[{i}]", x, allowed)
        return BetaDist(float(value[0]), float(value[1]))
    raise InputError(field, value, allowed)


@dataclass(frozen=True)
class RateReading:
    """A named, sourced prediction of one hypothesis about the covert-action rate.

    ``side`` is ``"if_h"`` or ``"if_not_h"``; ``reason`` is one line saying why
    these numbers, and, where no source gives them, that they are illustrative.
    """

    id: str
    side: Side
    name: str
    prior: RatePrior
    source: Source
    reason: str

    @property
    def status(self) -> str:
        return self.source.status

    @property
    def text(self) -> str:
        """One line for tables and provenance: name, prior, status and reason."""
        return f"{SIDE_WORDS[self.side]}: '{self.name}' {rate_prior_text(self.prior)} (status {self.status}: {self.reason})"

    def to_dict(self) -> dict:
        point = isinstance(self.prior, PointRate)
        return {
            "id": self.id,
            "name": self.name,
            "alpha": None if point else self.prior.alpha,
            "beta": None if point else self.prior.beta,
            "point": self.prior.rate if point else None,
            "mean": self.prior.mean,
            "status": self.status,
            "source": self.source.citation,
            "location": self.source.location,
            "reason": self.reason,
        }


_THREAD = "LessWrong comment thread under a review of 'If Anyone Builds It, Everyone Dies' (2025)"
_REPORT = "Schoen et al., 'Stress Testing Deliberative Alignment for Anti-Scheming Training', 2025, arXiv:2509.15541"
_NO_PARAMETERS = "no source gives the Beta's parameters"

def _report_prior(side: Side, of: str) -> RateReading:
    """The report's own uniform prior, the one reading whose parameters a primary text states (either side)."""
    return RateReading(
        "report-prior-h" if side == "if_h" else "report-prior-not-h", side, "the report's own prior",
        BetaDist(1.0, 1.0), Source(_REPORT, "Fig. 9 caption: each evaluation's rate gets a uniform Beta(1, 1) prior", "P"),
        f"the paper's analysis prior (parameters read in the primary text); agnostic, not a prediction of {of}",
    )  # fmt: skip


READINGS: tuple[RateReading, ...] = (
    RateReading(
        "scheming", "if_h", "scheming", BetaDist(1.0, 9.0),
        Source(_THREAD, "research notes claims.md §2: a paper author, the model 'really is doing the misaligned "
               "thing for misaligned reasons'", "X"),
        f"illustrative: covert actions come from scheming, mean rate 10%; {_NO_PARAMETERS}",
    ),
    RateReading(
        "rare-but-real", "if_h", "rare but real scheming", BetaDist(1.0, 49.0),
        Source(_THREAD, "research notes claims.md §2: the paper author's reply, the behaviour is 'rare but real'", "X"),
        f"the author's qualitative reading (rare, yet scheming); mean 2% is illustrative: {_NO_PARAMETERS}",
    ),
    _report_prior("if_h", "scheming"),
    RateReading(
        "confusion", "if_not_h", "confusion or ambiguous instructions", BetaDist(1.0, 99.0),
        Source(_THREAD, "research notes claims.md §2: 'it seems somewhat ambiguous what the model is actually "
               "supposed to do'; 'the model only was misaligned very rarely'", "X"),
        f"illustrative: covert actions come from confusion and should be rare, mean 1%; {_NO_PARAMETERS}",
    ),
    RateReading(
        "designed-to-elicit", "if_not_h", "environments designed to elicit covert action", BetaDist(1.0, 19.0),
        Source("a co-author's thread on the 2025 report (attribution not confirmed)",
               "research notes evidence.md, Update 2026-11-27: 'These test environment are designed to elicit "
               "covert action, and so 13% is *not* the baseline in normal production.'", "X"),
        "built to provoke covert action, so rates here can be high without scheming; no source gives a rate "
        "(mean 5% is illustrative) and the attribution is unconfirmed",
    ),
    _report_prior("if_not_h", "not H"),
)  # fmt: skip
DEFAULT_READINGS = {"if_h": "scheming", "if_not_h": "confusion"}


def readings(side: Side) -> tuple[RateReading, ...]:
    """The shipped readings for ``side``, the default first."""
    if side not in SIDES:
        raise InputError("side", side, "'if_h' or 'if_not_h'")
    own = [r for r in READINGS if r.side == side]
    return tuple(sorted(own, key=lambda r: r.id != DEFAULT_READINGS[side]))


def reading_for(side: Side, prior: RatePrior) -> RateReading:
    """The shipped reading with exactly this prior, else "your own prior" (status X, no source)."""
    for r in readings(side):
        if r.prior == prior:
            return r
    return RateReading(
        "own", side, "your own prior", prior, Source("your own prior (no source)", "as entered", "X"),
        "your own choice: no source gives these numbers",
    )


def parse_rate_prior(value: object, field: str, *, side: Side | None = None,
                     names: tuple[str, str] = (" alpha", " beta")) -> RatePrior:  # fmt: skip
    """A prediction from a :class:`BetaDist`, a :class:`PointRate`, ``(a, b)``, ``"a,b"``, ``"point:P"``
    or (with ``side``) a reading's id, e.g. ``"scheming"``.  Errors name ``field`` as the user typed it."""
    if isinstance(value, (BetaDist, PointRate)):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lower().startswith(_POINT):
            p = as_float(text[len(_POINT):], f"{field} point", "a point rate strictly between 0 and 1, e.g. point:0.5")
            if not 0.0 < p < 1.0:
                raise InputError(field, value, "point:P with 0 < P < 1 (a rate of exactly 0 or 1 makes one count conclusive)")
            return PointRate(p)
        if side is not None and "," not in text:
            for r in readings(side):
                if r.id == text:
                    return r.prior
            ids = ", ".join(r.id for r in readings(side))
            raise InputError(field, value, f"{_ALLOWED} ({ids})")
    try:
        return parse_beta(value, field, names=names)
    except InputError as exc:
        if isinstance(value, str) and "," not in value:
            raise InputError(field, value, _ALLOWED) from exc
        raise
