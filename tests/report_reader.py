"""Shared by the interactive report's tests: the scenarios it is checked on, and how a printed number is judged.

``SCENARIOS``: every built-in, and a ledger with what the built-ins lack (a dependence group with a
discount, a disabled item between counted ones, a ratio item, an uncertain item, a derived item with
provenance, a source).  ``posterior_gap`` measures a printed posterior against ``update()``'s log-odds
in units of the last printed digit, with mpmath (50 digits) for the exact percentage.
"""

from __future__ import annotations

import re
from decimal import Decimal

import mpmath

from beliefs.evidence import Evidence, Provenance, Source
from beliefs.io.scenario import builtin_scenarios
from beliefs.io.scenario_schema import Scenario


def ledger_scenario() -> Scenario:
    items = [
        Evidence("A report like the 2025 anti-scheming report (rare-scheming reading)", p_e_given_h=0.75,
                 p_e_given_not_h=0.25, source=Source("Example citation <b>x</b>", status="S")),
        Evidence("Sandbagging QA: misaligned reasons in the ablations", likelihood_ratio=0.5, log_lr_sigma=0.6,
                 group="lab", discount=0.5),
        Evidence("Disabled: not counted", likelihood_ratio=40.0, enabled=False),
        Evidence("Covert actions persist in production-like traffic", likelihood_ratio=2.0, group="lab", discount=0.5),
        Evidence("Derived from counts <script>alert(1)</script>", likelihood_ratio=0.2,
                 provenance=Provenance("derived from an assumed n = 316", "exact")),
    ]  # fmt: skip
    return Scenario.from_evidence(0.25, items, name="reader-ledger", title="A ledger with a group & a disabled item")


def scenarios() -> dict[str, Scenario]:
    return {**builtin_scenarios(), "reader-ledger": ledger_scenario()}


_CERTAIN = {"0% (certain)": -mpmath.inf, "100% (certain)": mpmath.inf}


def posterior_gap(text: str, log_odds_nats: float) -> float:
    """|printed - exact| in units of the printed number's last digit (<= 0.5: every printed digit right).

    ``text`` is the page's posterior: ``"12.34%"``, ``"1.234e-7%"`` or ``"100% - 1.234e-7%"`` (at least
    four significant digits), or ``"0% (certain)"`` / ``"100% (certain)"`` for an infinite log-odds.
    """
    if text in _CERTAIN:
        assert mpmath.mpf(log_odds_nats) == _CERTAIN[text], (text, log_odds_nats)
        return 0.0
    with mpmath.workdps(50):
        x = mpmath.mpf(log_odds_nats)
        complement = re.fullmatch(r"100% - (\S+)%", text)
        if complement:
            printed, exact = complement.group(1), 100 / (1 + mpmath.exp(x))
        else:
            match = re.fullmatch(r"(\S+)%", text)
            assert match, text
            printed, exact = match.group(1), 100 / (1 + mpmath.exp(-x))
        digits = Decimal(printed).as_tuple()
        assert len(digits.digits) >= 4, f"{text!r}: fewer than four significant digits"
        unit = mpmath.mpf(10) ** digits.exponent
        return float(abs(mpmath.mpf(printed) - exact) / unit)


def bits_gap(text: str, bits: float) -> float:
    """|printed - exact| bits in units of the last printed digit (``"+1.585"``)."""
    printed = Decimal(text.replace("+", ""))
    return float(abs(printed - Decimal(bits)) / Decimal(10) ** printed.as_tuple().exponent)
