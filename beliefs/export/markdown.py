"""A scenario as GitHub-flavoured Markdown, for a post or a comment.

A line for H, one table row per counted item (label, P(E|H), P(E|not H),
the ratio, bits, dB, the source with its location and status, and the
assumption a derived number rests on), the prior → posterior line and a link
that reopens the ledger in the app.  No raw HTML: every piece of untrusted
text goes through :func:`beliefs.tables.md_escape`.
"""

from __future__ import annotations

from urllib.parse import quote

from beliefs.export.ledger import Ledger, build_ledger
from beliefs.io.scenario_schema import Scenario
from beliefs.io.settings import local_link_note
from beliefs.tables import md_escape, md_table

__all__ = ["HEADER", "markdown_report", "safe_url"]

HEADER = ("#", "evidence", "P(E|H)", "P(E|not H)", "ratio", "bits", "dB", "source")


def safe_url(url: str) -> str:
    """``url`` percent-encoded so it cannot end a Markdown link early (spaces, parentheses, ``<>``)."""
    return quote(url, safe=":/?#@!$&'*+,;=%-._~")


def markdown_report(scenario: Scenario, *, link: str = "", ledger: Ledger | None = None) -> str:
    """The Markdown text; ``link`` (a share link, may be empty) is added as "open in the app"."""
    ledger = ledger or build_ledger(scenario)
    s = scenario
    lines = []
    title = s.title or s.name
    lines.append(f"**{md_escape(title)}** (beliefs scenario `{s.name}`)")
    lines.append("")
    lines.append(f"**H:** {md_escape(s.hypothesis) if s.hypothesis else 'not stated'}")
    lines.append("")
    if ledger.rows:
        rows = [
            [
                str(i),
                md_escape(r.label),
                r.p_e_given_h or "—",
                r.p_e_given_not_h or "—",
                r.ratio,
                r.bits,
                r.decibels,
                md_escape(r.source_cell),
            ]
            for i, r in enumerate(ledger.rows, start=1)
        ]
        lines.append(md_table([md_escape(h) for h in HEADER], rows))
    else:
        lines.append("No evidence items are counted.")
    lines.append("")
    if ledger.disabled:
        lines.append(f"{ledger.disabled} disabled item(s) are in the scenario but not counted (marked in the table).")
        lines.append("")
    if ledger.unstated:
        lines.append(ledger.unstated_text + ".")
        lines.append("")
    post = md_escape(ledger.posterior_text)
    lines.append(
        f"**Prior → posterior:** {md_escape(ledger.prior_text)} → **{post}**; "
        f"total evidence {md_escape(ledger.total_text)}."
    )
    if ledger.prior_source:
        lines.append("")
        lines.append(f"Prior from: {md_escape(ledger.prior_source)}")
    if ledger.compare:
        lines.append("")
        lines.append("Same evidence from other priors: " + "; ".join(md_escape(c) for c in ledger.compare) + ".")
    if ledger.distribution_text:
        lines.append("")
        lines.append(f"**Posterior under the stated uncertainty:** {md_escape(ledger.distribution_text)}.")
    if ledger.result.note:
        lines.append("")
        lines.append(f"Note: {md_escape(ledger.result.note)}")
    for text in ledger.model_sources:
        lines.append("")
        lines.append(md_escape(text))
    if link:
        lines.append("")
        note = local_link_note(link)
        lines.append(f"[Open this ledger in the beliefs app]({safe_url(link)})" + (f" ({md_escape(note)})" if note else ""))
    return "\n".join(lines) + "\n"
