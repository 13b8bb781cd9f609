r"""The HTML report's interactive part: the reader changes the prior and each ratio, offline, in one file.

The report (:func:`beliefs.export.html.html_report`) carries, beside the
author's ledger, a panel where a reader types their own prior (in percent, as
the app takes it) and their own likelihood ratio for each enabled item; the
posterior, each item's bits, the total and a waterfall follow at once.  The
page computes the odds form that :func:`beliefs.update.update` computes,

.. math::

    \lambda_{post} = \ln\frac{p}{1-p} + \sum_i w_i \ln \mathrm{LR}_i ,

with each item's weight :math:`w_i` (its dependence-group discount) taken
from ``update()``'s own result (``Contribution.discount``) and written into
the page: the page never works a weight out.  An item the reader leaves alone
keeps ``update()``'s own :math:`\ln \mathrm{LR}_i` (nats), so the author's
view reproduces the ledger exactly; a certain prior (0% or 100%) stays where
it is (Cromwell's rule, as ``update()`` says).

The waterfall is drawn as plain SVG by the page's script from rows shaped as
:func:`beliefs.plots.update.waterfall_values` shapes them (the same row
heights, :class:`beliefs.plots.style.Rows`, the same labels wrapped by
Python, the same domain margins and probability ticks as
:func:`beliefs.plots.update.waterfall_layout`).  Vega would need its
interpreter build to run under a CSP without ``unsafe-eval`` and about 1 MB of
script; the plain SVG needs a few kB.

The Content-Security-Policy stays ``default-src 'none'``: the one script and
the one style sheet are allowed by their SHA-256 hashes (no
``unsafe-inline``, no ``unsafe-eval``), images only as ``data:``.  Untrusted
text (labels) is written by Python through :func:`beliefs.text.html_text`,
and the script writes text only through ``textContent``.

The reader takes their view away as a scenario file (the embedded scenario
with their prior and ratios, each edited item saying so in its note) and as a
link into the app: the app's short link of version 2 (``s = "2" +
base64url(deflate(scenario JSON))``, read by ``beliefs.io.shortlink`` of the
one-state branch) at the address the report was made for
(``BELIEFS_BASE_URL``, or ``--base``); a link to this machine says that it
opens only here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from beliefs.export import embed
from beliefs.export.ledger import Ledger
from beliefs.format import format_odds
from beliefs.odds import bits
from beliefs.plots import palette
from beliefs.plots.style import wrap
from beliefs.plots.update import waterfall_values
from beliefs.text import html_text
from beliefs.update import cromwell_note

__all__ = ["DATA_ID", "LINK_VERSION", "MAX_BYTES", "content_security_policy", "page_data", "panel", "script_tail"]

DATA_ID = "beliefs-report-data"
MAX_BYTES = 1_500_000  # the report's size budget (README): the largest built-in is far below it
LINK_VERSION = "2"  # beliefs.io.shortlink's version that carries the scenario JSON itself
_ASSETS = Path(__file__).resolve().parent


@cache
def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def script() -> str:
    """The page's one script (``interactive.js``)."""
    return _asset("interactive.js")


@cache
def style() -> str:
    """The interactive panel's style sheet (``interactive.css``, its ``@NAME@`` colours from the palette)."""
    text = _asset("interactive.css")
    for name in ("RULE", "MUTED_INK"):
        text = text.replace(f"@{name}@", getattr(palette, name))
    return text


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(style_text: str) -> str:
    """``default-src 'none'``, the script and the one ``<style>`` element's text allowed by hash, ``data:`` images."""
    return (
        f"default-src 'none'; script-src {_sha256(script())}; style-src {_sha256(style_text)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def is_local(link: str) -> bool:
    """True for a link that opens only on the machine that made it: a loopback host, or none.

    >>> is_local("http://127.0.0.1:8501/?s=1x"), is_local("?s=1x"), is_local("https://example.org/b/?s=1x")
    (True, True, False)
    """
    try:
        host = urlsplit(link).hostname or ""
    except ValueError:
        return True
    return host in ("", "localhost", "::1") or host.startswith("127.") or host.endswith(".localhost")


def _base(link: str) -> str:
    base = link.split("?")[0]
    return base if base.lower().startswith(("http://", "https://")) else ""


def _number_text(x: float) -> str:
    """A float as a reader would type it: up to 15 significant digits, no trailing zeros (3.0000000000000004 -> 3)."""
    return f"{x:.15g}"


def page_data(ledger: Ledger, link: str = "") -> dict:
    """What the script needs: the author's prior, each counted item's ratio, log ratio (nats) and weight.

    Every number is ``update()``'s (``ledger.result``); labels travel already wrapped for the waterfall.
    """
    from beliefs.io.shortlink import MAX_SHORT

    result = ledger.result
    rows = waterfall_values(result)
    if result.certain:  # the waterfall has no bars at a certain prior; the reader's may
        lines = [wrap(f"{i}. {c.label}") for i, c in enumerate(result.items, start=1)]
    else:
        lines = [rows[i]["label"] for i in range(1, len(result.items) + 1)]
    enabled = [i for i, e in enumerate(ledger.scenario.evidence) if e.enabled]
    items = [
        {
            "index": index,  # its place in the scenario's evidence list (disabled items included)
            "likelihood_ratio": c.likelihood_ratio,
            "log_lr": c.log_lr,
            "weight": c.discount,  # update()'s own: the dependence group's discount, 1 for an independent item
            "input": _number_text(c.likelihood_ratio),
            "ratio_text": format_odds(c.log_lr),
            "bits": c.bits,
            "lines": label_lines,
        }
        for index, c, label_lines in zip(enabled, result.items, lines, strict=True)
    ]
    base = _base(link)
    return {
        "prior": result.prior,
        "prior_input": _number_text(100 * result.prior),
        "prior_log_odds": result.prior_log_odds if math.isfinite(result.prior_log_odds) else None,
        "posterior_bits": bits(result.posterior_log_odds) if math.isfinite(result.posterior_log_odds) else None,
        "items": items,
        "cromwell": [cromwell_note(0.0), cromwell_note(1.0)],
        "link": {"base": base, "local": bool(base) and is_local(base), "version": LINK_VERSION, "max": MAX_SHORT},
        "colours": {"for": palette.FOR_H, "against": palette.AGAINST_H, "level": palette.LEVEL,
                    "ink": palette.INK, "rule": palette.RULE, "muted": palette.MUTED_INK},
    }


def panel(ledger: Ledger) -> str:
    """The reader's panel: the prior, one input per counted item (the author's value beside it), the results."""
    e = html_text
    result = ledger.result
    out = [
        '<section class="reader" id="reader" aria-labelledby="reader-title">',
        '<h2 id="reader-title">Your numbers</h2>',
        '<p class="meta">Change the prior or any likelihood ratio: the posterior, the bits and the waterfall '
        "follow at once, in this file, with no network. The author's numbers stay beside yours. "
        "A ratio is a number (3 means 3:1 for H, 0.5 means 1:2) or a:b.</p>",
        '<noscript><p class="error">Your numbers need JavaScript; the author\'s are in the ledger below.</p></noscript>',
        '<div class="field"><label for="reader-prior">Prior P(H), %</label>'
        '<input id="reader-prior" data-beliefs="prior" inputmode="decimal" autocomplete="off" spellcheck="false">'
        f'<span class="author">author: {e(ledger.prior_text)}</span></div>',
        '<ol class="items">',
    ]
    for i, c in enumerate(result.items):
        out.append(
            f'<li class="item"><span class="label">{e(c.label)}</span>'
            f'<span class="field"><label for="reader-lr-{i}">ratio</label>'
            f'<input id="reader-lr-{i}" data-beliefs="lr-{i}" inputmode="decimal" autocomplete="off" spellcheck="false">'
            + (f'<span class="weight">× weight {c.discount:g}</span>' if c.discount != 1 else "")
            + f'<span class="bits"><output data-beliefs="bits-{i}">—</output> bits</span>'
            f'<span class="author">author: {e(format_odds(c.log_lr))}, {c.bits:+.3f} bits</span></span></li>'
        )
    out += [
        "</ol>",
        '<p class="error" data-beliefs="error" role="alert" hidden></p>',
        '<p class="result">Your posterior <output class="posterior" data-beliefs="posterior">—</output> '
        '<span class="odds">(odds <output data-beliefs="odds">—</output>; '
        '<output data-beliefs="bits-total">—</output> bits of evidence)</span><br>'
        f'<span class="author">author: {e(ledger.posterior_text)}, {e(ledger.total_text)}</span></p>',
        '<p class="note" data-beliefs="note" hidden></p>',
        '<figure class="reader-chart"><figcaption>Your log-odds waterfall (bits)</figcaption>'
        '<div data-beliefs="waterfall"></div></figure>',
        '<div class="actions"><button type="button" data-beliefs="reset">Reset to the author\'s numbers</button>'
        '<button type="button" data-beliefs="download">Download your view (scenario file)</button>'
        '<a data-beliefs="link" hidden>Open your view in the beliefs app</a></div>',
        '<p class="meta" data-beliefs="link-note"></p>',
        "</section>",
    ]
    return "\n".join(out)


def script_tail(ledger: Ledger, link: str = "") -> str:
    """The page's data (a JSON data block, not code) and its one script, for the end of the body."""
    data = json.dumps(page_data(ledger, link), allow_nan=False, separators=(",", ":"))
    return embed.embed(DATA_ID, data) + f"\n<script>{script()}</script>"
