"""Chart files: a matplotlib figure or a Vega-Lite spec as png, svg or pdf bytes, the same on every save.

The app's downloads, the CLI's ``--plot`` files and the HTML report all come
through :func:`figure_bytes` (matplotlib) or :func:`spec_bytes` (vl-convert), so
a chart saved from any of them is the chart on screen.  matplotlib and
vl-convert are imported inside the functions.
"""

from __future__ import annotations

import io
import re

from beliefs.errors import InputError

__all__ = ["FORMATS", "MIME_TYPES", "figure_bytes", "spec_bytes", "xml_safe"]

FORMATS = ("png", "svg", "pdf")
MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv"}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError("format", fmt, "one of " + ", ".join(FORMATS))


def figure_bytes(fig, fmt: str) -> bytes:
    """The figure saved as ``png``, ``svg`` or ``pdf``.

    Metadata that changes between runs (creation dates, the matplotlib
    version string) is left out, so the same figure gives the same bytes.
    """
    _check_format(fmt)
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
    }
    import matplotlib

    buf = io.BytesIO()
    # A fixed salt makes SVG element ids deterministic instead of random per save.
    with matplotlib.rc_context({"svg.hashsalt": "beliefs"}):
        fig.savefig(buf, format=fmt, dpi=150, metadata=metadata[fmt])
    return buf.getvalue()


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


def spec_bytes(spec: dict, fmt: str) -> bytes:
    """A Vega-Lite spec rendered to ``png`` (2x), ``svg`` or ``pdf`` by vl-convert: the same chart as on screen."""
    _check_format(fmt)
    import vl_convert as vlc

    spec = xml_safe(spec)
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=2)
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode()
    return vlc.vegalite_to_pdf(spec)
