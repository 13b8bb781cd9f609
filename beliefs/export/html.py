"""A self-contained HTML report of a scenario: opens with no network, restores the scenario.

One file holds the ledger, the charts (inline SVG rendered by vl-convert from
the Vega-Lite specs the app draws: :func:`beliefs.plots.update.waterfall_spec`
and the app's other charts of the same update),
every source, the date, the project version and the scenario itself (JSON in
a ``<script type="application/json">`` element, see
:mod:`beliefs.export.embed`), so that the app's upload and
``beliefs scenario run report.html`` read it back.

Nothing is fetched: no scripts, style sheets, fonts or images from elsewhere,
and a Content-Security-Policy of ``default-src 'none'`` stops the browser from
fetching anything even if some text did name a URL.  Untrusted text (labels,
sources, notes, names) goes through :func:`beliefs.text.html_text` (one line,
controls and bidi controls shown escaped, then :func:`html.escape`); vl-convert
escapes the markup in the text it writes into the SVG, and the SVG then goes
through :func:`beliefs.text.terminal_safe` (no control or bidi character in
the document at all).
"""

from __future__ import annotations

import datetime as dt

from beliefs.export import embed, interactive
from beliefs.export.ledger import Ledger, build_ledger, source_text
from beliefs.io.scenario import scenario_to_json
from beliefs.io.scenario_schema import Scenario
from beliefs.io.settings import local_link_note
from beliefs.plots.palette import HEADER_FILL, INK, MUTED_INK, RULE
from beliefs.tables import html_table
from beliefs.text import html_text, terminal_safe

__all__ = ["chart_specs", "figure_svgs", "html_report"]

_STYLE = f"""
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:{INK};line-height:1.45}}
table{{border-collapse:collapse;margin:1rem 0;font-size:.92rem}}th,td{{border:1px solid {RULE};padding:.3rem .5rem;
vertical-align:top;text-align:left}}th{{background:{HEADER_FILL}}}.num{{font-variant-numeric:tabular-nums}}
.headline{{font-size:1.3rem}}.meta{{color:{MUTED_INK};font-size:.85rem}}figure{{margin:1rem 0}}figure svg{{max-width:100%;
height:auto}}li{{margin:.3rem 0}}
""" + interactive.style()

def chart_specs(ledger: Ledger) -> list[tuple[str, dict]]:
    """``(title, Vega-Lite spec)`` for each chart the app shows for this scenario's update."""
    from beliefs.plots.update import waterfall_spec

    spec = waterfall_spec(ledger.result)
    if spec is None:  # a certain prior: the ledger's note explains, there is no bar to draw
        return []
    return [("Log-odds waterfall (bits)", spec)]  # labels sit above their bars: the file width fits them


def _svg(spec: dict) -> str:
    from beliefs.plots.figures import spec_bytes

    return terminal_safe(spec_bytes(spec, "svg").decode("utf-8"))


def figure_svgs(ledger: Ledger) -> list[tuple[str, str]]:
    """``(title, inline SVG)`` of the app's other charts of this update, from the specs the app draws.

    The prior/posterior bars always; the posterior's distribution when an
    enabled item is uncertain (the ledger's own draws, as in the app).
    """
    from beliefs.plots.update import plot_prior_posterior
    from beliefs.uncertain_evidence import plot_posterior_distribution

    out = [("Prior and posterior", _svg(plot_prior_posterior(ledger.result)))]
    dist = ledger.distribution  # the app's own draws (ledger_distribution): the same digits as its page
    if dist is not None and not dist.note:
        out.append((f"Posterior as a distribution ({dist.shown()['draws']})", _svg(plot_posterior_distribution(dist))))
    return out


def _link(url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        return html_text(url)
    return f'<a href="{html_text(url)}">{html_text(url)}</a>'


def html_report(
    scenario: Scenario, *, link: str = "", generated: dt.date | None = None, ledger: Ledger | None = None
) -> str:
    """The report as one HTML document (text)."""
    from beliefs import __version__

    ledger = ledger or build_ledger(scenario)
    s = scenario
    e = html_text
    when = (generated or dt.datetime.now(dt.UTC).date()).isoformat()
    title = s.title or s.name
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{interactive.content_security_policy(_STYLE)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)} — beliefs report</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">beliefs scenario <code>{e(s.name)}</code> · beliefs {e(__version__)} · '
        f"generated {e(when)}</p>",
    ]
    if s.description:
        out.append(f"<p>{e(s.description)}</p>")
    out.append(f"<p><b>H:</b> {e(s.hypothesis) if s.hypothesis else 'not stated'}</p>")
    out.append(
        f'<p class="headline" id="posterior">Prior {e(ledger.prior_text)} → posterior '
        f"<b>{e(ledger.posterior_text)}</b>; total evidence {e(ledger.total_text)}.</p>"
    )
    if ledger.result.note:
        out.append(f"<p><b>Note:</b> {e(ledger.result.note)}</p>")
    out.append(interactive.panel(ledger))
    out.append("<h2>Ledger</h2>")
    if ledger.rows:
        header = ["#", "evidence", "P(E|H)", "P(E|not H)", "ratio", "bits", "dB", "source"]
        rows = [
            [i, r.label, r.p_e_given_h or "—", r.p_e_given_not_h or "—", r.ratio, r.bits, r.decibels, r.source_cell]
            for i, r in enumerate(ledger.rows, start=1)
        ]
        out.append(html_table(header, rows, cls="ledger"))
    else:
        out.append("<p>No evidence items are counted.</p>")
    if ledger.disabled:
        out.append(f"<p>{ledger.disabled} disabled item(s) are in the scenario but not counted (marked in the table).</p>")
    if ledger.unstated:
        out.append(f"<p>{e(ledger.unstated_text)}.</p>")
    if ledger.distribution_text:
        out.append(f"<p><b>Posterior under the stated uncertainty:</b> {e(ledger.distribution_text)}.</p>")
    if ledger.compare:
        out.append("<p>Same evidence from other priors:</p><ul>")
        out += [f"<li>{e(c)}</li>" for c in ledger.compare]
        out.append("</ul>")
    charts = [(chart_title, _svg(spec)) for chart_title, spec in chart_specs(ledger)] + figure_svgs(ledger)
    for chart_title, svg in charts:
        out.append(f'<figure class="chart"><figcaption>{e(chart_title)}</figcaption>{svg}</figure>')
    out.append("<h2>Sources</h2><ul>")
    if ledger.prior_source:
        out.append(f"<li><b>Prior:</b> {e(ledger.prior_source)}</li>")
    out += [f"<li>{e(text)}</li>" for text in ledger.model_sources]
    for item in s.evidence_items():
        note = f"<br><i>{e(item.note)}</i>" if item.note else ""
        off = "" if item.enabled else " (disabled, not counted)"
        out.append(f"<li><b>{e(item.label)}</b>{off}: {e(source_text(item.source))}{note}</li>")
    out.append("</ul>")
    if link:
        note = local_link_note(link)
        out.append(f"<p>Open this ledger in the beliefs app: {_link(link)}" + (f" ({e(note)})" if note else "") + "</p>")
    out.append(
        '<p class="meta">The scenario is embedded in this file: load it in the app ("Load a scenario '
        'file") or run <code>beliefs scenario run THIS_FILE.html</code>.</p>'
    )
    out.append(embed.embed(embed.SCENARIO_ID, scenario_to_json(s)))
    out.append(interactive.script_tail(ledger, link))
    out.append("</body></html>")
    return "\n".join(out) + "\n"
