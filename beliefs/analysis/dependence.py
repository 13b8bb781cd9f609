"""Dependence: the naive (independent) posterior beside the dependence-adjusted one."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from beliefs.analysis._common import Table, evidence_list, listed, open_probability, quoted, short_label
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.format import format_probability
from beliefs.odds import bits
from beliefs.plots.palette import ESTIMATE, NEUTRAL
from beliefs.plots.style import MAX_ROWS, bar_rows, wrap
from beliefs.tables import one_line
from beliefs.update import UpdateResult, update
from beliefs.validation import as_positive


@dataclass(frozen=True, eq=False)
class DependenceResult(Table):
    """Naive (independent) and dependence-adjusted posteriors, with each group's evidence."""

    _EMPTY_COLUMNS = ("group", "method", "naive_bits", "adjusted_bits")

    naive: UpdateResult
    adjusted: UpdateResult
    groups: tuple[str, ...]  # "(independent items)" for ungrouped evidence
    methods: tuple[str, ...]
    naive_log_lr: tuple[float, ...]
    adjusted_log_lr: tuple[float, ...]

    def rows(self) -> list[dict]:
        return [
            {
                "group": g,
                "method": m,
                "naive_bits": bits(a),
                "adjusted_bits": bits(b),
            }
            for g, m, a, b in zip(
                self.groups, self.methods, self.naive_log_lr, self.adjusted_log_lr, strict=True
            )
        ]

    def to_dict(self) -> dict:
        return {
            "naive_posterior": self.naive.posterior,
            "adjusted_posterior": self.adjusted.posterior,
            "naive_bits": self.naive.bits,
            "adjusted_bits": self.adjusted.bits,
            "groups": self.rows(),
        }


UNGROUPED = "(independent items)"


def dependence(
    prior: object,
    evidence: Iterable[Evidence | float],
    *,
    joint_ratios: dict[str, object] | None = None,
) -> DependenceResult:
    r"""The naive posterior (every item independent) beside the dependence-adjusted one.

    A group is adjusted either by its shared discount exponent :math:`w`
    (contributing :math:`w \sum_{i \in g} \ln \mathrm{LR}_i`), or, if
    ``joint_ratios[g]`` is given, by that one joint ratio
    :math:`P(E_g \mid H) / P(E_g \mid \lnot H)`, which replaces the group's items.
    """
    p = open_probability(prior, "prior")
    items = evidence_list(evidence)
    joint = dict(joint_ratios or {})
    known = sorted({e.group for e in items if e.group is not None and e.enabled})
    joint_lr: dict[str, float] = {}
    for g, lr in joint.items():
        if g not in known:
            raise InputError(
                "joint_ratios", g, f"a dependence group in the ledger: {', '.join(known) or 'none'}"
            )
        joint_lr[g] = as_positive(lr, f"joint_ratios[{g}]", "a joint likelihood ratio: finite and > 0")
    naive = update(p, items, independent=True)
    adjusted_items = [e for e in items if e.group not in joint_lr]
    adjusted_items += [
        Evidence(label=f"{g} (joint ratio)", likelihood_ratio=lr) for g, lr in joint_lr.items()
    ]
    adjusted = update(p, adjusted_items)
    groups, methods, naive_nats, adjusted_nats = [], [], [], []
    enabled = [e for e in items if e.enabled]
    ungrouped = [e.log_lr for e in enabled if e.group is None]
    if ungrouped:
        groups.append(UNGROUPED)
        methods.append("independent")
        naive_nats.append(math.fsum(ungrouped))
        adjusted_nats.append(math.fsum(ungrouped))
    for g in known:
        members = [e for e in enabled if e.group == g]
        raw = math.fsum(e.log_lr for e in members)
        groups.append(g)
        naive_nats.append(raw)
        if g in joint_lr:
            methods.append(f"joint ratio {joint_lr[g]:g}")
            adjusted_nats.append(math.log(joint_lr[g]))
        else:
            w = members[0].discount
            methods.append(f"discount {w:g}")
            adjusted_nats.append(math.fsum(e.weighted_log_lr for e in members))
    return DependenceResult(
        naive=naive,
        adjusted=adjusted,
        groups=tuple(groups),
        methods=tuple(methods),
        naive_log_lr=tuple(naive_nats),
        adjusted_log_lr=tuple(adjusted_nats),
    )


def plot_dependence(result: DependenceResult) -> dict:
    """Naive and adjusted evidence per dependence group (bits): the group's name, then its two bars.

    Returns the Vega-Lite spec (:func:`beliefs.plots.style.finish`).
    """
    naive, adjusted = "naive (independent)", "adjusted for dependence"
    values = []
    for i, r in enumerate(result.rows()[:MAX_ROWS]):
        name = r["group"] if r["method"] == "independent" else f"{r['group']} ({r['method']})"
        text = f"{one_line(name)}: {r['naive_bits']:+.2f} → {r['adjusted_bits']:+.2f} bits"
        values.append({"row": i, "label": wrap(text), "name": one_line(name), "naive": r["naive_bits"],
                       "adjusted": r["adjusted_bits"]})  # fmt: skip
    return bar_rows(
        values,
        [[{"x": "naive", "x2": 0.0, "series": naive}], [{"x": "adjusted", "x2": 0.0, "series": adjusted}]],
        series={naive: NEUTRAL, adjusted: ESTIMATE},
        x_title="evidence (bits)",
        chart_title="Dependence: naive vs adjusted evidence",
        subtitle=f"P(H) naive {format_probability(result.naive.posterior_log_odds)}, "
        f"adjusted {format_probability(result.adjusted.posterior_log_odds)}",
        tooltip=[{"field": "name", "type": "nominal", "title": "group"},
                 {"field": "naive", "type": "quantitative", "format": "+.3f", "title": "naive bits"},
                 {"field": "adjusted", "type": "quantitative", "format": "+.3f", "title": "adjusted bits"}],
        name="dependence",
    )  # fmt: skip


# -- proposals: groups from shared sources ------------------------------------------------------------

# What two items may share, most specific first: the reason shown is the most specific one.
_ARXIV = re.compile(r"arxiv(?:\.org/(?:abs|pdf)/|:\s?)([0-9]{4}\.[0-9]{4,5})", re.IGNORECASE)
_DOI = re.compile(r"\b(10\.[0-9]{4,9}/[^\s\"<>]+)")
_NAME_UNSAFE = re.compile(r"[^\w .:/()-]+")  # a proposed name: link-safe (no '~'), no markup
NO_PROPOSAL = (
    "No proposal: no two included items share a source (citation, URL, arXiv id, DOI or catalogue entry)."
)


@dataclass(frozen=True)
class GroupProposal:
    """A proposed dependence group: included items that share a source, and why.

    ``members`` index the evidence list given to :func:`propose_groups`;
    ``numbers`` are the item numbers the user sees (1-based).
    """

    name: str
    members: tuple[int, ...]
    numbers: tuple[int, ...]
    labels: tuple[str, ...]
    reasons: tuple[str, ...]
    current_groups: tuple[str | None, ...]

    @property
    def applied(self) -> bool:
        """Whether the members already form one group (under any name)."""
        return self.current_groups[0] is not None and len(set(self.current_groups)) == 1

    @property
    def line(self) -> str:
        """The proposal in one line: its name, its items (numbered and quoted) and the shared source."""
        numbers = listed([str(n) for n in self.numbers], limit=len(self.numbers))
        labels = listed([quoted(label, 32) for label in self.labels])
        if self.applied:
            status = " (already grouped)"  # an applied proposal is named after its group
        else:
            moved = [(n, g) for n, g in zip(self.numbers, self.current_groups, strict=True) if g is not None]
            status = "".join(f" (moves item {n} out of group {quoted(g)})" for n, g in moved)
        return f"{quoted(self.name)}: items {numbers} ({labels}): {'; '.join(self.reasons)}{status}."

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "items": list(self.numbers),
            "labels": list(self.labels),
            "reasons": list(self.reasons),
            "current_groups": list(self.current_groups),
            "applied": self.applied,
        }


@dataclass(frozen=True, eq=False)
class DependenceProposal:
    """The groups :func:`propose_groups` proposes; nothing is grouped until :meth:`apply` is called."""

    proposals: tuple[GroupProposal, ...]
    included: int  # how many items were looked at (the included ones)

    @property
    def pending(self) -> tuple[GroupProposal, ...]:
        return tuple(g for g in self.proposals if not g.applied)

    @property
    def headline(self) -> str:
        """The one sentence: how many groups the shared sources suggest, or plainly that there are none."""
        if self.included < 2:
            count = "no item is" if not self.included else "only one item is"
            return f"No proposal: {count} included, so there is nothing to group."
        if not self.proposals:
            return NO_PROPOSAL
        n = len(self.proposals)
        if not self.pending:
            which = "The group" if n == 1 else f"All {n} groups"
            return f"{which} that shared sources suggest {'is' if n == 1 else 'are'} already applied."
        k = len(self.pending)
        items = sum(len(g.members) for g in self.pending)
        return (
            f"Shared sources suggest {k} dependence group{'s' if k > 1 else ''} ({items} items); "
            "nothing is grouped until you apply or edit the proposal."
        )

    def lines(self) -> list[str]:
        return [self.headline] + [g.line for g in self.proposals]

    def to_dict(self) -> dict:
        return {"headline": self.headline, "proposals": [g.to_dict() for g in self.proposals]}

    def apply(self, evidence: Iterable[Evidence | float], discount: object) -> list[Evidence]:
        """``evidence`` with each pending proposal's items put in its group with discount ``discount``."""
        items = evidence_list(evidence)
        w = as_positive(discount, "discount", "a discount w in (0, 1]")
        if w > 1:
            raise InputError("discount", discount, "a discount w in (0, 1]")
        for g in self.pending:
            for i in g.members:
                items[i] = dataclasses.replace(items[i], group=g.name, discount=w)
        return items


def _keys(e: Evidence, catalogue_ids: frozenset[str]) -> list[tuple[int, str, str, str]]:
    """What an item may share with another: ``(rank, key, reason, name)``, rank 0 the most specific."""
    out = []
    if e.id:
        what = "catalogue entry" if e.id in catalogue_ids else "item id"
        out.append((0, f"id:{e.id}", f"the same {what} {quoted(e.id)}", e.id))
    s = e.source
    if s is None:
        return out
    text = f"{s.citation} {s.url}"
    for m in dict.fromkeys(_ARXIV.findall(text)):
        out.append((1, f"arxiv:{m}", f"both cite arXiv:{m}", f"arXiv:{m}"))
    for d in dict.fromkeys(x.rstrip(".,;)") for x in _DOI.findall(text)):
        out.append((1, f"doi:{d.lower()}", f"both cite doi:{d}", f"doi:{d}"))
    if s.url.strip():
        parts = urlsplit(one_line(s.url))
        host = parts.netloc.lower().removeprefix("www.")
        url = f"{host}{parts.path.rstrip('/')}?{parts.query}"
        out.append((2, f"url:{url}", f"the same source URL {quoted(s.url, 60)}", host + parts.path.rstrip("/")))
    citation = " ".join(one_line(s.citation).split())
    out.append((3, "citation:" + citation.casefold().rstrip(". "), f"the same citation {quoted(citation, 60)}", citation))
    return out


def _name(hint: str, taken: set[str]) -> str:
    """A group name from what the items share: link-safe text, unique among ``taken``."""
    base = short_label(" ".join(_NAME_UNSAFE.sub(" ", hint).split()), 40) or "shared source"
    name, k = base, 2
    while name in taken:
        name, k = f"{base} ({k})", k + 1
    taken.add(name)
    return name


def propose_groups(evidence: Iterable[Evidence | float], numbers: Sequence[int] | None = None) -> DependenceProposal:
    """Propose dependence groups: included items that share a source are proposed as one group.

    Two items are linked when they come from the same catalogue entry (or
    carry the same item id), cite the same arXiv id or DOI, give the same
    source URL (host case and a trailing slash ignored) or the same citation
    (case and spacing ignored); linked items form one proposal.  Each
    proposal names the most specific thing its items share, and its
    suggested name is unique in the ledger.  Nothing is grouped here:
    :meth:`DependenceProposal.apply` does that, with a discount the user
    chooses.  ``numbers`` are the item numbers the user sees (default
    1, 2, ...).  Time is linear in the items and the length of their sources.

    Examples
    --------
    >>> from beliefs.evidence import Evidence, Source
    >>> paper = Source("Schoen et al., arXiv:2509.15541")
    >>> p = propose_groups([Evidence("o3", likelihood_ratio=2, source=paper),
    ...                     Evidence("typed", likelihood_ratio=3),
    ...                     Evidence("o4-mini", likelihood_ratio=2, source=paper)])
    >>> p.proposals[0].name, p.proposals[0].numbers, p.proposals[0].reasons
    ('arXiv:2509.15541', (1, 3), ('both cite arXiv:2509.15541',))
    """
    from beliefs.io.catalogue import evidence_entries

    items = evidence_list(evidence)
    shown = list(numbers) if numbers is not None else list(range(1, len(items) + 1))
    if len(shown) != len(items):
        raise InputError("numbers", numbers, f"one number per item: {len(items)}")
    catalogue_ids = frozenset(entry.id for entry in evidence_entries())
    holders: dict[str, list[int]] = {}  # key -> the items that have it (each item's keys are distinct)
    said: dict[str, tuple[int, str, str]] = {}
    for i, e in enumerate(items):
        if not e.enabled:
            continue
        for rank, key, reason, hint in _keys(e, catalogue_ids):
            holders.setdefault(key, []).append(i)
            said.setdefault(key, (rank, reason, hint))
    parent = list(range(len(items)))  # union-find over the items: linked items end with one root

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    shared = {key: who for key, who in holders.items() if len(who) > 1}
    for who in shared.values():
        for i in who[1:]:
            parent[root(i)] = root(who[0])
    components: dict[int, list[int]] = {}
    for i in sorted({i for who in shared.values() for i in who}):
        components.setdefault(root(i), []).append(i)
    keys_of: dict[int, list[str]] = {}
    for key, who in shared.items():
        keys_of.setdefault(root(who[0]), []).append(key)
    taken = {e.group for e in items if e.group is not None}
    proposals = []
    for top, members in components.items():
        # One reason per set of items sharing something, the most specific thing they share; the
        # reasons that cover most items come first, and the first one names the group.
        best: dict[tuple[int, ...], str] = {}
        for key in sorted(keys_of[top], key=lambda k: (-len(shared[k]), said[k][0])):
            best.setdefault(tuple(shared[key]), key)
        reasons = []
        for who, key in best.items():
            whose = "" if len(who) == len(members) else f"items {listed([str(shown[i]) for i in who], limit=len(who))}: "
            reasons.append(whose + said[key][1])
        current = tuple(items[i].group for i in members)
        # An applied proposal keeps its group's name; a new one gets a fresh name no other item uses.
        applied = current[0] is not None and len(set(current)) == 1
        name = current[0] if applied else _name(said[next(iter(best.values()))][2], taken)
        proposals.append(GroupProposal(name=name, members=tuple(members), numbers=tuple(shown[i] for i in members),
                                       labels=tuple(items[i].label for i in members), reasons=tuple(reasons),
                                       current_groups=current))  # fmt: skip
    return DependenceProposal(proposals=tuple(proposals), included=sum(e.enabled for e in items))
