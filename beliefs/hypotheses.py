r"""Bayes' rule for more than two hypotheses (the vector form), in log space.

With hypotheses :math:`H_1..H_K`, prior :math:`\pi_k` and, for each evidence
item :math:`E_i`, the likelihoods :math:`L_{ik} = P(E_i\mid H_k)`:

.. math::

    \ln P(H_k\mid E) = \ln\pi_k + \sum_i \ln L_{ik}
    - \operatorname{logsumexp}_m\Big(\ln\pi_m + \sum_i \ln L_{im}\Big).

Sums of logs are taken with :func:`math.fsum` and the normaliser is a
logsumexp, so likelihoods down to the smallest normal double (and below) and
products far outside the double range (a thousand items of 1e-300) are
handled.  The evidence between two hypotheses is the log Bayes factor
:math:`\sum_i \ln(L_{ij}/L_{ik})`, reported in bits beside the prior and
posterior log-odds between them.  With two hypotheses, H and not H, this is
:func:`beliefs.update.update` exactly (tested to 1e-12).

A hypothesis with prior 0 stays at 0 whatever the evidence (Cromwell's rule);
the result says so.  Likelihoods must be in (0, 1]: an observation impossible
under a hypothesis would need a likelihood of 0, which rules it out by itself
and is better stated as a prior of 0.

Examples
--------
Three readings of one report, priors 1/2, 1/4, 1/4 and likelihoods 0.2, 0.4, 0.8:

>>> r = update_hypotheses(["none", "rare", "consistent"], [0.5, 0.25, 0.25], [[0.2, 0.4, 0.8]])
>>> [round(p, 12) for p in r.posterior]
[0.25, 0.25, 0.5]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from beliefs.errors import InputError
from beliefs.odds import bits
from beliefs.tables import NotebookRepr
from beliefs.text import look_alike, one_line, one_line_problem
from beliefs.update import cromwell_note
from beliefs.validation import as_float, as_probability

__all__ = [
    "MAX_HYPOTHESES",
    "PRIOR_SUM_TOLERANCE",
    "HypothesesResult",
    "HypothesisItem",
    "parse_names",
    "parse_vector",
    "plot_hypotheses",
    "update_hypotheses",
]

MAX_HYPOTHESES = 50
# Priors typed to a few digits (0.333,0.333,0.334) sum to 1 exactly enough; 0.3,0.3,0.3 does not.
PRIOR_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class HypothesisItem:
    """One evidence item: its label and P(E | H_k) for each hypothesis."""

    label: str
    likelihoods: tuple[float, ...]

    @property
    def log_likelihoods(self) -> tuple[float, ...]:
        return tuple(math.log(x) for x in self.likelihoods)

    def to_dict(self) -> dict:
        return {"label": self.label, "likelihoods": list(self.likelihoods)}


def _logsumexp(values: Sequence[float]) -> float:
    top = max(values)
    if top == -math.inf:
        return -math.inf
    return top + math.log(math.fsum(math.exp(v - top) for v in values))


def _log_normalised(joint: Sequence[float]) -> tuple[float, ...]:
    """ln(e^j_k / sum_m e^j_m) for each k, as (j_k - top) - log1p(rest).

    Subtracting a rounded logsumexp would lose a neighbour 1e-14 below the largest term
    once the terms are near -700 (their ulp is 1e-13): the largest hypothesis became exactly 1.
    """
    top_index = max(range(len(joint)), key=joint.__getitem__)
    top = joint[top_index]
    if top == -math.inf:
        return tuple(joint)
    rest = math.fsum(math.exp(v - top) for i, v in enumerate(joint) if i != top_index)
    return tuple((j - top) - math.log1p(rest) for j in joint)


@dataclass(frozen=True)
class HypothesesResult(NotebookRepr):
    """Prior and posterior over K hypotheses, with the pairwise evidence in bits."""

    names: tuple[str, ...]
    prior: tuple[float, ...]
    items: tuple[HypothesisItem, ...]
    log_prior: tuple[float, ...]  # ln pi_k, normalised
    log_evidence: tuple[float, ...]  # sum_i ln L_ik (nats)
    log_posterior: tuple[float, ...]  # normalised

    @property
    def posterior(self) -> tuple[float, ...]:
        return tuple(math.exp(x) for x in self.log_posterior)

    @property
    def posterior_log_odds(self) -> tuple[float, ...]:
        """Each hypothesis' posterior log-odds against all the others, ln P(H_k) - ln(1 - P(H_k)).

        From the unnormalised logs directly (ln pi_k + sum ln L_k minus the logsumexp of the others),
        so a posterior of 1 - 1e-14 after a thousand items stays 1 - 1e-14; infinite only when every
        other hypothesis has prior 0 (or this one has).
        """
        joint = [lp + le for lp, le in zip(self.log_prior, self.log_evidence, strict=True)]
        out = []
        for k, j in enumerate(joint):
            others = _logsumexp(joint[:k] + joint[k + 1 :])
            out.append(-math.inf if j == -math.inf else j - others)
        return tuple(out)

    def pair_bits(self, j: int, k: int) -> dict:
        """Prior, evidence and posterior log2 odds of hypothesis j against k."""

        def diff(u: float, v: float) -> float | None:
            # None where a prior of 0 makes the odds 0, infinite or undefined (see notes).
            return bits(u - v) if math.isfinite(u) and math.isfinite(v) else None

        return {
            "a": self.names[j],
            "b": self.names[k],
            "prior_bits": diff(self.log_prior[j], self.log_prior[k]),
            "evidence_bits": bits(self.log_evidence[j] - self.log_evidence[k]),
            "posterior_bits": diff(self.log_posterior[j], self.log_posterior[k]),
        }

    @property
    def pairs(self) -> list[dict]:
        k = len(self.names)
        return [self.pair_bits(i, j) for i in range(k) for j in range(i + 1, k)]

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(
            f"{name}: {cromwell_note(0.0)}"
            for name, lp in zip(self.names, self.log_prior, strict=True)
            if lp == -math.inf
        )

    def to_dict(self) -> dict:
        return {
            "hypotheses": list(self.names),
            "prior": list(self.prior),
            "posterior": list(self.posterior),
            "posterior_log10": [x / math.log(10) if math.isfinite(x) else None for x in self.log_posterior],
            "items": [item.to_dict() for item in self.items],
            "bits": self.pairs,
            "notes": list(self.notes),
        }

    def text(self) -> str:
        from beliefs.format import format_probability
        from beliefs.odds import log_odds

        shown = [one_line(n) for n in self.names]
        width = max(len("hypothesis"), *(len(n) for n in shown))
        lines = [f"{'hypothesis':<{width}}  {'prior':>10}  {'posterior':>12}"]
        for name, p, x in zip(shown, self.prior, self.posterior_log_odds, strict=True):
            prior_text = format_probability(log_odds(p))  # one probability format, prior and posterior alike
            lines.append(f"{name:<{width}}  {prior_text:>10}  {format_probability(x):>12}")
        lines += ["", "bits between hypotheses (log2 odds): prior + evidence = posterior"]
        for row in self.pairs:
            pb, eb, qb = row["prior_bits"], row["evidence_bits"], row["posterior_bits"]
            sums = [("n/a" if v is None else f"{v:+.3f}") for v in (pb, eb, qb)]
            lines.append(f"  {one_line(row['a'])} vs {one_line(row['b'])}: {sums[0]} + {sums[1]} = {sums[2]}")
        for note in self.notes:
            lines += ["", "note: " + note]
        return "\n".join(lines)


def update_hypotheses(
    names: Sequence[str],
    prior: Sequence[object],
    likelihoods: Sequence[Sequence[object]] = (),
    *,
    labels: Sequence[str] | None = None,
    fields: tuple[str, str, str] = ("hypotheses", "prior", "likelihoods"),
) -> HypothesesResult:
    """The posterior over ``names`` after items with the given likelihood vectors.

    ``fields`` are the names the user knows the three inputs by (the command
    line passes ``--hypotheses``, ``--prior``, ``--likelihoods``).
    """
    f_names, f_prior, f_lik = fields
    names = tuple(_check_names(list(names), f_names))
    k = len(names)
    if isinstance(prior, (str, bytes)) or len(prior) != k:
        raise InputError(f_prior, prior, f"{k} probabilities, one per hypothesis ({', '.join(names)})")
    pi = tuple(as_probability(p, f"{f_prior}[{i}]") for i, p in enumerate(prior))
    total = math.fsum(pi)
    if abs(total - 1.0) > PRIOR_SUM_TOLERANCE:
        raise InputError(
            f_prior, list(prior), f"probabilities summing to 1 (within {PRIOR_SUM_TOLERANCE:g})", f"they sum to {total:.12g}"
        )
    items = []
    for i, vec in enumerate(likelihoods):
        field = f"{f_lik}[{i}]"
        if isinstance(vec, (str, bytes)) or len(vec) != k:
            raise InputError(field, vec, f"{k} likelihoods P(E | H) in (0, 1], one per hypothesis ({', '.join(names)})")
        values = tuple(
            as_probability(x, f"{field}[{j}]", open_lower=True) for j, x in enumerate(vec)
        )
        label = labels[i] if labels is not None else f"E{i + 1}"
        items.append(HypothesisItem(label, values))
    # Normalise the prior in log space: a prior typed as 0.333,0.333,0.334 is used as typed, scaled to sum 1.
    log_pi = [math.log(p) if p > 0 else -math.inf for p in pi]
    norm = _logsumexp(log_pi)
    log_prior = tuple(lp - norm for lp in log_pi)
    log_ev = tuple(math.fsum(item.log_likelihoods[j] for item in items) for j in range(k))
    joint = [lp + le for lp, le in zip(log_prior, log_ev, strict=True)]
    return HypothesesResult(
        names=names,
        prior=pi,
        items=tuple(items),
        log_prior=log_prior,
        log_evidence=log_ev,
        log_posterior=_log_normalised(joint),
    )


def _check_names(names: list[str], field: str) -> list[str]:
    """Names a reader can tell apart, each on one line (:func:`beliefs.text.one_line_problem`, :func:`~beliefs.text.look_alike`)."""
    if not 2 <= len(names) <= MAX_HYPOTHESES:
        raise InputError(field, names, f"2 to {MAX_HYPOTHESES} hypothesis names")
    for i, name in enumerate(names):
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise InputError(f"{field}[{i}]", name, "a non-empty name of at most 100 characters")
        problem = one_line_problem(name)
        if problem:
            raise InputError(f"{field}[{i}]", name, "a name on one line, without control characters or invisible ones", problem)
    alike = look_alike([n.strip() for n in names])
    if alike:
        a, b = (names[k] for k in alike)
        raise InputError(
            field, names, "names a reader can tell apart",
            f"{a!r} appears twice" if a == b else f"{a!r} and {b!r} look the same ({_code_points(a)} vs {_code_points(b)})",
        )  # fmt: skip
    return [n.strip() for n in names]


def _code_points(name: str) -> str:
    return " ".join(f"U+{ord(ch):04X}" for ch in name[:6]) + (" ..." if len(name) > 6 else "")


def parse_names(text: str, field: str = "--hypotheses") -> list[str]:
    """Comma-separated hypothesis names."""
    if not isinstance(text, str):
        raise InputError(field, text, "comma-separated names, e.g. 'none,rare,consistent'")
    return _check_names([part.strip() for part in text.split(",")], field)


def parse_vector(text: str, field: str) -> list[str]:
    """Comma-separated numbers, each checked to be one and returned as typed.

    The text goes on to :func:`update_hypotheses`, whose probability check sees what was typed:
    ``1e-400`` is refused there as a value that only rounds to 0, not taken as a certain 0.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(field, text, "comma-separated numbers, one per hypothesis, e.g. 0.5,0.25,0.25")
    parts = text.split(",")
    for i, part in enumerate(parts):
        as_float(part, f"{field}[{i}]")
    return [part.strip() for part in parts]


def plot_hypotheses(result: HypothesesResult) -> dict:
    """Each hypothesis' probability before and after the evidence: its name, then a bar for each.

    Returns
    -------
    dict
        The Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    import altair as alt

    from beliefs.format import format_probability
    from beliefs.odds import log_odds
    from beliefs.plots.palette import ESTIMATE, LEVEL
    from beliefs.plots.style import Rows, colour, finish, title, wrap

    before, after = "before (prior)", "after (posterior)"
    values = []
    for i, (name, p, q, x) in enumerate(zip(result.names, result.prior, result.posterior, result.posterior_log_odds, strict=True)):
        text = f"{name}: {format_probability(log_odds(p))} → {format_probability(x)}"
        values.append({"row": i, "label": wrap(text), "name": name, "prior": p, "posterior": q})
    rows = Rows.place(values, lanes=2, bar=20)
    base = alt.Chart(alt.NamedData("rows"))
    x = alt.X("prior:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1], title="probability"))
    tooltip = [alt.Tooltip("name:N", title="hypothesis"), alt.Tooltip("prior:Q", format=".4~%"), alt.Tooltip("posterior:Q", format=".4~%")]
    chart = alt.layer(
        rows.altair_labels(base),
        base.mark_bar().encode(**rows.altair_lane(0), x=x, x2=alt.X2Datum(0), color=alt.ColorDatum(before, type="nominal"), tooltip=tooltip),
        base.mark_bar().encode(**rows.altair_lane(1), x="posterior:Q", x2=alt.X2Datum(0), color=alt.ColorDatum(after, type="nominal"), tooltip=tooltip),
    ).encode(color=alt.Color(**colour({before: LEVEL, after: ESTIMATE}))).properties(
        title=title(f"{len(result.names)} hypotheses, {len(result.items)} evidence item(s)"), height=rows.height
    )  # fmt: skip
    return finish(chart, name="hypotheses", data={"rows": list(rows.values)})
