"""Tornado: how far the posterior moves when each input is off."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from beliefs.analysis._common import Table, evidence_list, listed, open_probability, quoted
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.format import format_probability
from beliefs.odds import decibels, probability
from beliefs.plots.palette import AGAINST_H, FOR_H
from beliefs.plots.style import MAX_ROWS, bar_rows, wrap
from beliefs.tables import one_line, text_table
from beliefs.update import update
from beliefs.validation import as_float, as_positive


@dataclass(frozen=True, eq=False)
class TornadoResult(Table):
    r"""Posterior when each input is off by ``factor`` in each direction, sorted by impact.

    ``mode="ratio"``: the item's ratio (or the prior odds) is multiplied and
    divided by ``factor``, adding :math:`\pm w \ln f` nats.  ``mode="strength"``:
    its log-ratio (bits) is multiplied and divided by ``factor``.
    """

    prior: float
    factor: float
    mode: str
    base_log_odds: float
    labels: tuple[str, ...]
    low_log_odds: tuple[float, ...]  # input divided by the factor
    high_log_odds: tuple[float, ...]  # input multiplied by the factor
    posterior: float  # update()'s posterior, as the app's headline shows it

    def rows(self) -> list[dict]:
        base_p = probability(self.base_log_odds)  # the rows shift from the same log-odds they move
        out = []
        for label, lo, hi in zip(self.labels, self.low_log_odds, self.high_log_odds, strict=True):
            p_lo, p_hi = probability(lo), probability(hi)
            out.append(
                {
                    "label": label,
                    "low_posterior": p_lo,
                    "high_posterior": p_hi,
                    "low_shift_db": decibels(lo - self.base_log_odds),
                    "high_shift_db": decibels(hi - self.base_log_odds),
                    "low_shift_pp": 100.0 * (p_lo - base_p),
                    "high_shift_pp": 100.0 * (p_hi - base_p),
                    "impact_pp": 100.0 * max(abs(p_lo - base_p), abs(p_hi - base_p)),
                }
            )
        return out

    @property
    def notes(self) -> tuple[str, ...]:
        r"""What this mode cannot show, by construction (empty when every row can move).

        ``"strength"`` scales a term :math:`t` to :math:`t/f` and :math:`tf`; a
        term with :math:`t = 0` (a 50% prior, a ratio of 1) stays 0, so its
        row has zero width whatever its uncertainty: that is the mode's
        definition, not a finding.  ``"ratio"`` adds :math:`\pm w \ln f` to
        every term, so all rows with the same discount ``w`` are equally wide
        and the ranking says nothing about the items.
        """
        if self.mode == "strength":
            flat = [lab for lab, lo, hi in zip(self.labels, self.low_log_odds, self.high_log_odds, strict=True) if lo == hi]
            if flat:
                return (
                    "zero by construction in strength mode (a term of 0 log-odds, i.e. a 50% prior or a "
                    "ratio of 1, stays 0 when scaled): " + ", ".join(flat),
                )
            return ()
        widths = {round(hi - lo, 12) for lo, hi in zip(self.low_log_odds, self.high_log_odds, strict=True)}
        if len(self.labels) > 1 and len(widths) == 1:
            return (
                f"every input moves the posterior by the same ±ln {self.factor:g} in log-odds (ratio mode), so "
                "this ranking says nothing about the items; rank by each item's own uncertainty with --mode stated",
            )
        return ()

    def to_dict(self) -> dict:
        return {
            "prior": self.prior,
            "posterior": self.posterior,
            "factor": self.factor,
            "mode": self.mode,
            "rows": self.rows(),
            "notes": list(self.notes),
        }

    def text(self) -> str:
        rows = [
            (r["label"], format_probability(lo), format_probability(hi),
             f"{r['low_shift_db']:+.2f}/{r['high_shift_db']:+.2f}", f"{r['low_shift_pp']:+.2f}/{r['high_shift_pp']:+.2f}")
            for r, lo, hi in zip(self.rows(), self.low_log_odds, self.high_log_odds, strict=True)
        ]  # fmt: skip
        lines = [
            f"posterior {format_probability(self.base_log_odds)}; each input off by x{self.factor:g} ({self.mode})",
            *text_table(("input", "low", "high", "dB", "pp"), rows),
        ]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def tornado(
    prior: object,
    evidence: Iterable[Evidence | float],
    *,
    factor: object = 2.0,
    mode: Literal["ratio", "strength"] = "ratio",
) -> TornadoResult:
    r"""Sensitivity of the posterior to each item's ratio and to the prior odds.

    In ``"ratio"`` mode each input's odds factor is multiplied by ``f`` and by
    ``1/f`` in turn, so the posterior log-odds move by :math:`\pm w_i \ln f`.
    Every undiscounted item (and the prior) then moves the posterior equally:
    in odds form a factor-of-2 error is a factor-of-2 error wherever it sits.
    ``"strength"`` mode scales each term's log-odds by ``f`` instead, which
    separates strong items from weak ones.  Rows are sorted by the larger
    shift in percentage points.

    Examples
    --------
    >>> r = tornado(0.5, [3.0], factor=2)
    >>> [round(x, 12) for x in (r.low_log_odds[0] - r.base_log_odds, r.high_log_odds[0] - r.base_log_odds)]
    [-0.69314718056, 0.69314718056]
    """
    p = open_probability(prior, "prior")
    f = as_positive(factor, "factor", "a factor > 0 and not 1")
    if f == 1.0:
        raise InputError("factor", factor, "a factor > 0 and not 1", hint="a factor of 1 changes nothing")
    if mode not in ("ratio", "strength"):
        raise InputError("mode", mode, "'ratio' or 'strength'")
    result = update(p, evidence_list(evidence))
    terms = [("prior odds", result.prior_log_odds, 1.0)] + [
        (c.label, c.log_lr, c.discount) for c in result.items
    ]
    base = result.posterior_log_odds  # update()'s own sum, so the headline is update()'s posterior
    lf = math.log(f)
    rows = []
    for i, (label, x, w) in enumerate(terms):
        if mode == "ratio":
            lo_term, hi_term = w * (x - lf), w * (x + lf)
        else:
            lo_term, hi_term = w * x / f, w * x * f
        # update() with this one input moved (UpdateResult.log_odds_with): the prior, or item i - 1.
        if i == 0:
            low_x, high_x = (result.log_odds_with(prior_log_odds=t) for t in (lo_term, hi_term))
        else:
            low_x, high_x = (result.log_odds_with({i - 1: t}) for t in (lo_term, hi_term))
        rows.append((label, low_x, high_x))
    labels, low, high = _by_impact(rows, base, width=3)
    return TornadoResult(prior=p, factor=f, mode=mode, base_log_odds=base, labels=labels,
                         low_log_odds=low, high_log_odds=high, posterior=result.posterior)  # fmt: skip


def _by_impact(rows: list[tuple], base: float, *, width: int) -> tuple[tuple, ...]:
    """Rows ``(label, low, high, ...)`` (log-odds) sorted by the larger shift of P(H) from ``base``, as columns.

    The sort is stable: ties keep the ledger's order.
    """
    base_p = probability(base)

    def impact(row):
        return max(abs(probability(row[1]) - base_p), abs(probability(row[2]) - base_p))

    ordered = sorted(rows, key=impact, reverse=True)
    return tuple(zip(*ordered, strict=True)) if ordered else ((),) * width


@dataclass(frozen=True, eq=False)
class StatedTornadoResult(Table):
    r"""The posterior over each item's *own* stated uncertainty, and without the item, sorted by impact.

    For each included item the low and high posterior replace its term
    :math:`w \ln \mathrm{LR}` by the ends of its range (``range_rule`` says
    which); ``loo_log_odds`` leaves the item out altogether.  An item that
    states no uncertainty, with no factor given, is shown *left out*: its low
    and high ends are the posterior without it and with it (``bases`` says
    which kind of range each row shows, :attr:`headline` says it in words).
    """

    _EMPTY_COLUMNS = ("label", "range_rule", "low_posterior", "high_posterior", "loo_posterior")

    prior: float
    base_log_odds: float
    interval: float
    labels: tuple[str, ...]
    range_rules: tuple[str, ...]
    low_log_odds: tuple[float, ...]
    high_log_odds: tuple[float, ...]
    loo_log_odds: tuple[float, ...]
    posterior: float  # update()'s posterior, as the app's headline shows it
    # Per row: "stated" (σ or Beta), "own factor", "common factor" or "left out" (see tornado_stated).
    bases: tuple[str, ...]
    factor: float | None = None  # the common ×/÷ factor of items stating no uncertainty; None: left out

    @property
    def headline(self) -> str:
        """The line that says which range each bar shows: the item's stated uncertainty, or the item left out."""
        if not self.labels:
            return "No evidence is included: there is nothing to rank."
        names: dict[str, list[str]] = {}
        for label, basis in zip(self.labels, self.bases, strict=True):
            names.setdefault(basis, []).append(quoted(label))
        loo = "from the posterior without the item to the posterior with it"
        if set(names) == {LEFT_OUT}:
            return f"No item states its uncertainty, so each bar shows the item left out: it runs {loo}."
        if set(names) == {STATED}:
            return f"Each bar is the item's own stated uncertainty ({100 * self.interval:g}% range of its σ or Beta)."
        said = {
            STATED: f"own stated uncertainty ({100 * self.interval:g}% range of its σ or Beta)",
            OWN_FACTOR: "the ×/÷ factor you gave",
            COMMON_FACTOR: f"no uncertainty stated, so ×/÷ {self.factor or 0:g} (the common factor)",
            LEFT_OUT: f"no uncertainty stated, so left out (the bar runs {loo})",
        }
        parts = [f"{listed(names[b])}: {said[b]}" for b in (STATED, OWN_FACTOR, COMMON_FACTOR, LEFT_OUT) if b in names]
        return "Bars: " + "; ".join(parts) + "."

    def rows(self) -> list[dict]:
        base_p = probability(self.base_log_odds)  # the rows shift from the same log-odds they move
        out = []
        for label, rule, lo, hi, loo in zip(
            self.labels, self.range_rules, self.low_log_odds, self.high_log_odds, self.loo_log_odds, strict=True
        ):
            p_lo, p_hi, p_loo = probability(lo), probability(hi), probability(loo)
            out.append(
                {
                    "label": label,
                    "range_rule": rule,
                    "low_posterior": p_lo,
                    "high_posterior": p_hi,
                    "loo_posterior": p_loo,
                    "low_shift_pp": 100.0 * (p_lo - base_p),
                    "high_shift_pp": 100.0 * (p_hi - base_p),
                    "loo_shift_pp": 100.0 * (p_loo - base_p),
                    "impact_pp": 100.0 * max(abs(p_lo - base_p), abs(p_hi - base_p)),
                }
            )
        for row, basis in zip(out, self.bases, strict=True):
            row["basis"] = basis
        return out

    def to_dict(self) -> dict:
        return {"prior": self.prior, "posterior": self.posterior, "interval": self.interval, "rows": self.rows(),
                "headline": self.headline, "factor": self.factor}  # fmt: skip

    def text(self) -> str:
        rows = [
            (label, format_probability(lo), format_probability(hi), format_probability(loo), rule)
            for label, rule, lo, hi, loo in zip(
                self.labels, self.range_rules, self.low_log_odds, self.high_log_odds, self.loo_log_odds, strict=True
            )
        ]
        return "\n".join([
            self.headline,
            "",
            f"posterior {format_probability(self.base_log_odds)}; each item's range (low, high; "
            f"σ and Beta over {100 * self.interval:g}%) and the posterior without it (left out)",
            *text_table(("item", "low", "high", "left out", "range"), rows, align="<>>><"),
        ])  # fmt: skip


# How each row's range was chosen (StatedTornadoResult.bases, the rows' "basis").
STATED, OWN_FACTOR, COMMON_FACTOR, LEFT_OUT = "stated", "own factor", "common factor", "left out"
LEFT_OUT_RULE = "left out, none stated"  # short: plots put it after the label


def states_uncertainty(e: Evidence) -> bool:
    """Whether the item states its own uncertainty: a σ on ln LR, or Beta distributions on both probabilities."""
    return bool(e.log_lr_sigma) or (e.p_e_given_h_dist is not None and e.p_e_given_not_h_dist is not None)


def _stated_log_lr_range(e: Evidence, z: float, tail: float, factor: float | None) -> tuple[float, float, str]:
    """(low, high) ln LR of one item from its own uncertainty, and the rule used (see :func:`tornado_stated`)."""
    from scipy.special import betaincinv

    if e.log_lr_sigma:
        return e.log_lr - z * e.log_lr_sigma, e.log_lr + z * e.log_lr_sigma, f"ln LR ± {z:.3g} σ"
    if states_uncertainty(e):
        h, n = e.p_e_given_h_dist, e.p_e_given_not_h_dist
        h_lo, h_hi = (float(betaincinv(h.alpha, h.beta, q)) for q in (tail, 1 - tail))
        n_lo, n_hi = (float(betaincinv(n.alpha, n.beta, q)) for q in (tail, 1 - tail))
        pct = f"{100 * tail:g}–{100 * (1 - tail):g}%"
        return math.log(h_lo / n_hi), math.log(h_hi / n_lo), f"Beta {pct} of P(E|H) and P(E|¬H)"
    return e.log_lr - math.log(factor), e.log_lr + math.log(factor), f"×/÷ {factor:g}"


def tornado_stated(
    prior: object,
    evidence: Iterable[Evidence | float],
    *,
    factor: object | None = None,
    factors: Sequence[object | None] | None = None,
    interval: object = 0.9,
) -> StatedTornadoResult:
    r"""Sensitivity to each item's own stated uncertainty, plus leave-one-out.

    Each included item's :math:`\ln \mathrm{LR}` runs over a range taken
    from the item itself:

    * a log-normal ratio (``log_lr_sigma`` :math:`\sigma`): :math:`\ln \mathrm{LR} \pm z\sigma`,
      with :math:`z` the normal quantile of the equal-tailed ``interval`` (1.645 for 90%);
    * Beta distributions on P(E|H) and P(E|¬H): the low end pairs the low
      quantile of P(E|H) with the high quantile of P(E|¬H), the high end the
      reverse (quantiles at the ``interval``'s tails; wider than the ratio's
      own interval, so it does not understate the range);
    * otherwise ×/÷ the item's entry in ``factors``: :math:`\ln \mathrm{LR} \pm \ln f`;
    * an item with none of these gets ×/÷ the common ``factor`` if one is
      given; by default (``factor=None``) it is *left out*: its range runs
      from the posterior without it to the posterior with it, so its bar is
      its whole contribution rather than an error nobody stated.

    The posterior at each end keeps every other term; the discount ``w`` of
    a dependence group scales the item's term as in :func:`beliefs.update.update`.
    Rows are sorted by the larger shift in percentage points, so an item
    with a wide range ranks above one with a narrow range; each row's
    ``basis`` and the result's :attr:`~StatedTornadoResult.headline` say which
    range it shows.

    Examples
    --------
    >>> from beliefs.evidence import Evidence
    >>> r = tornado_stated(0.5, [Evidence("sure", likelihood_ratio=3.0), Evidence("vague", likelihood_ratio=3.0, log_lr_sigma=1.0)])
    >>> r.labels, r.bases
    (('vague', 'sure'), ('stated', 'left out'))
    >>> round(r.high_log_odds[0] - r.base_log_odds, 4)  # z_0.95 * sigma
    1.6449
    >>> [round(probability(x), 12) for x in (r.low_log_odds[1], r.high_log_odds[1])]  # without 'sure', with it
    [0.75, 0.9]
    """
    from statistics import NormalDist

    p = open_probability(prior, "prior")
    f = None if factor is None else as_positive(factor, "factor", "a factor > 1")
    if f is not None and f <= 1.0:
        raise InputError("factor", factor, "a factor > 1", hint="×/÷ 1 changes nothing")
    level = as_float(interval, "interval", "an interval mass in (0, 1)")
    if not 0 < level < 1:
        raise InputError("interval", interval, "an interval mass in (0, 1)")
    items = evidence_list(evidence)
    own = list(factors) if factors is not None else [None] * len(items)
    if len(own) != len(items):
        raise InputError("factors", factors, f"one factor (or None) per item: {len(items)}")
    tail = (1 - level) / 2
    z = NormalDist().inv_cdf(1 - tail)
    result = update(p, items)
    included = [(i, e) for i, e in enumerate(items) if e.enabled]
    # update() with one item moved or left out (UpdateResult.log_odds_with), so that the base is
    # update()'s posterior and each left-out posterior is update() without the item, to the bit.
    base = result.posterior_log_odds
    rows = []
    for k, (i, e) in enumerate(included):
        without = result.log_odds_with({k: None})
        basis = STATED if states_uncertainty(e) else COMMON_FACTOR if own[i] is None else OWN_FACTOR
        if basis == COMMON_FACTOR and f is None:  # nothing stated, no factor: the item left out
            rows.append((e.label, min(without, base), max(without, base), without, LEFT_OUT_RULE, LEFT_OUT))
            continue
        item_factor = f if own[i] is None else as_positive(own[i], f"factors[{i}]", "a factor > 1")
        if item_factor is not None and item_factor <= 1.0:
            raise InputError(f"factors[{i}]", own[i], "a factor > 1")
        lo, hi, rule = _stated_log_lr_range(e, z, tail, item_factor)
        low_x, high_x = (result.log_odds_with({k: e.discount * end}) for end in (lo, hi))
        rows.append((e.label, low_x, high_x, without, rule, basis))
    labels, low, high, loo, rules, bases = _by_impact(rows, base, width=6)
    return StatedTornadoResult(prior=p, base_log_odds=base, interval=level, labels=labels, range_rules=rules,
                               low_log_odds=low, high_log_odds=high, loo_log_odds=loo,
                               posterior=result.posterior, bases=bases, factor=f)  # fmt: skip


def plot_tornado(result: TornadoResult) -> dict:
    """One row per input: bars from 0 to its low and its high posterior shift (percentage points), largest on top.

    Returns the Vega-Lite spec (:func:`beliefs.plots.style.finish`); the subtitle
    says when the bars are equal (or zero) by construction of the mode.
    """
    low_name, high_name = f"input ÷ {result.factor:g}", f"input × {result.factor:g}"
    values = []
    for i, r in enumerate(result.rows()[:MAX_ROWS]):
        flat = result.mode == "strength" and r["low_posterior"] == r["high_posterior"]
        shift = "0 by construction" if flat else f"{r['low_shift_pp']:+.3g} / {r['high_shift_pp']:+.3g} pp"
        values.append({"row": i, "label": wrap(f"{one_line(r['label'])}: {shift}"), "name": one_line(r["label"]),
                       "low": r["low_shift_pp"], "high": r["high_shift_pp"]})  # fmt: skip
    notes = list(result.notes)
    if len(result.rows()) > len(values):
        notes.append(f"the {len(values)} inputs that move it most are drawn; the table lists all {len(result.rows())}")
    return bar_rows(
        values,
        [[{"x": "low", "x2": 0.0, "series": low_name}, {"x": "high", "x2": 0.0, "series": high_name}]],
        series={low_name: AGAINST_H, high_name: FOR_H},
        x_title=f"change in posterior (percentage points; base {format_probability(result.base_log_odds)})",
        chart_title=f"Tornado: each input off by a factor of {result.factor:g} ({result.mode})",
        subtitle="; ".join(notes),
        tooltip=_TOOLTIP,
        name="tornado",
    )


_TOOLTIP = [
    {"field": "name", "type": "nominal", "title": "input"},
    {"field": "low", "type": "quantitative", "format": "+.3f", "title": "low end (pp)"},
    {"field": "high", "type": "quantitative", "format": "+.3f", "title": "high end (pp)"},
]


def plot_tornado_stated(result: StatedTornadoResult) -> dict:
    """Each item's posterior range over its own stated uncertainty (percentage points), widest on top; × = without it.

    Each row names the item and the rule that gave its range.  Returns the
    Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    low_name, high_name, out_name = "low end of its range", "high end of its range", "item left out"
    values = []
    for i, r in enumerate(result.rows()[:MAX_ROWS]):
        low, high = sorted((r["low_shift_pp"], r["high_shift_pp"]))
        text = f"{one_line(r['label'])} ({r['range_rule']}): {low:+.3g} to {high:+.3g} pp, left out {r['loo_shift_pp']:+.3g}"
        values.append({"row": i, "label": wrap(text), "name": one_line(r["label"]), "low": low, "high": high,
                       "loo": r["loo_shift_pp"]})  # fmt: skip
    hidden = len(result.rows()) - len(values)
    return bar_rows(
        values,
        [[{"x": "low", "x2": 0.0, "series": low_name}, {"x": "high", "x2": 0.0, "series": high_name}]],
        series={low_name: AGAINST_H, high_name: FOR_H},
        markers=[{"x": "loo", "name": out_name}],
        x_title=f"change in posterior (percentage points; base {format_probability(result.base_log_odds)})",
        chart_title=f"Each item over its own {100 * result.interval:g}% range; × = item left out",
        subtitle=f"The {len(values)} items that move it most are drawn; the table lists all." if hidden else "",
        tooltip=[*_TOOLTIP, {"field": "loo", "type": "quantitative", "format": "+.3f", "title": "left out (pp)"}],
        name="tornado",
    )
