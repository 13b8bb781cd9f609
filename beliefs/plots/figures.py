"""Chart files: a Vega-Lite spec rendered to png, svg or pdf bytes by vl-convert, the same on every save.

The app's downloads, the command line's ``--plot`` files and the HTML report
all come through :func:`spec_bytes`, from the spec the app draws on screen, so a
chart saved from any of them is the chart on screen.  vl-convert is imported
inside the function.
"""

from __future__ import annotations

import re

from beliefs.errors import InputError
from beliefs.plots.style import FILE_WIDTH, VEGA_LITE_VERSION

__all__ = ["FORMATS", "MIME_TYPES", "spec_bytes", "stable_ids", "xml_safe"]

FORMATS = ("png", "svg", "pdf")
MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv"}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError("format", fmt, "one of " + ", ".join(FORMATS))


# Characters XML 1.0 forbids.  vl-convert 1.9 aborts the whole process (a Rust panic, not an
# exception) on a label holding one of them (e.g. ESC, NUL, U+FFFF): in the app that would take the
# server down for every session, so they never reach it.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value):
    r"""``value`` (a spec: nested dicts, lists, strings) with XML-forbidden characters replaced by U+FFFD.

    >>> xml_safe({"title": "a\x1b[8mb", "n": [1, "\x00"]}) == {"title": "a\ufffd[8mb", "n": [1, "\ufffd"]}
    True
    """
    if isinstance(value, str):
        return _NOT_XML.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: xml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [xml_safe(v) for v in value]
    return value


def spec_bytes(spec: dict, fmt: str, *, width: int = FILE_WIDTH) -> bytes:
    """A Vega-Lite spec rendered to ``png`` (2x), ``svg`` or ``pdf`` by vl-convert: the same chart as on screen.

    A spec without a width (the app stretches it to the page) is drawn ``width``
    pixels wide.  Vega-Lite is the version the app's browser runs
    (:data:`beliefs.plots.style.VEGA_LITE_VERSION`).  The bytes are the same on
    every save: no dates, and the one font weight the charts use embeds one font
    in a PDF (two made vl-convert's font order, so its bytes, vary per save).
    """
    _check_format(fmt)
    import vl_convert as vlc

    spec = xml_safe({"width": width, **spec})
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=2, vl_version=VEGA_LITE_VERSION)
    # vl-convert numbers gradients and clip paths with a counter that lives as long as the process
    # (gradient_0, then gradient_1 for the same chart): numbered afresh, the app's thousandth save is
    # the command line's first.  The PDF is drawn from that SVG.
    svg = stable_ids(vlc.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION))
    if fmt == "svg":
        return svg.encode()
    return vlc.svg_to_pdf(svg)


_ID = re.compile(r'\bid="([^"]+)"')


def stable_ids(svg: str) -> str:
    """``svg`` with its element ids renumbered in order of appearance, and every reference to them.

    >>> stable_ids('<a id="gradient_7"/><b fill="url(#gradient_7)"/><c id="clip12"/>')
    '<a id="gradient_0"/><b fill="url(#gradient_0)"/><c id="clip_1"/>'
    """
    ids = list(dict.fromkeys(_ID.findall(svg)))
    if not ids:
        return svg
    names = {old: f"{re.sub(r'_?[0-9]+$', '', old)}_{k}" for k, old in enumerate(ids)}
    pattern = re.compile(r'(id="|#)(' + "|".join(map(re.escape, sorted(ids, key=len, reverse=True))) + r')(?=["\)])')
    return pattern.sub(lambda m: m.group(1) + names[m.group(2)], svg)
