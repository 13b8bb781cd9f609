"""Reading and checking our Vega-Lite chart specs in tests: their layers, data, colours, text and files.

``readability_problems(spec)`` is the structural rule every chart keeps (issue 24): the spec is valid
Vega-Lite, no text is under 11 px, no label limit cuts a label, every colour a mark is drawn in is named
by a legend.  ``svg_texts`` reads what vl-convert wrote into a file.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from beliefs.plots.palette import INK
from beliefs.plots.style import MIN_FONT_SIZE, walk

SVG = "{http://www.w3.org/2000/svg}"


def marks(spec: dict) -> list[dict]:
    """Every unit layer of a spec (nested layers flattened), with the data and the encodings it inherits.

    A child's channel replaces its parent's (as Vega-Lite resolves them), except that the colour
    scale stays with the chart (see :func:`colour_scale`).
    """
    out = []

    def walk(node, data, encoding):
        data = node.get("data", data)
        encoding = {**encoding, **node.get("encoding", {})}
        if "layer" in node:
            for child in node["layer"]:
                walk(child, data, encoding)
        elif "mark" in node:
            out.append({**node, "data": data, "encoding": encoding})

    walk(spec, None, {})
    return out


def mark_type(layer: dict) -> str:
    return layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"]


def rows_of(spec: dict, kind: str) -> list[list[dict]]:
    """The data rows of each layer drawing a ``kind`` mark."""
    return [m["data"]["values"] for m in marks(spec) if mark_type(m) == kind]


def _walk(node, visit) -> None:
    for part in walk(node):
        visit(part)


def _without_data(spec: dict) -> dict:
    """The spec with its rows left out (a label in the data is not a setting)."""

    def strip(node):
        if isinstance(node, dict):
            return {k: ({"values": "..."} if k == "data" else strip(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(spec)


def colour_scales(spec: dict) -> list[dict]:
    """Every colour scale with a fixed domain in the spec: legend name -> colour."""
    found = []

    def visit(node):
        if isinstance(node, dict):
            colour = node.get("encoding", {}).get("color", {}) if isinstance(node.get("encoding"), dict) else {}
            scale = colour.get("scale") if isinstance(colour, dict) else None
            if isinstance(scale, dict) and "domain" in scale and "range" in scale:
                found.append(dict(zip(scale["domain"], scale["range"], strict=True)))

    _walk(_without_data({k: v for k, v in spec.items() if k != "config"}), visit)
    return found


def colour_scale(spec: dict) -> dict:
    """The one named colour scale of a chart (layers inherit it from their parent)."""
    distinct = {json.dumps(s) for s in colour_scales(spec)}
    assert len(distinct) == 1, distinct
    return json.loads(distinct.pop())


def validate(spec: dict) -> None:
    """Raise if ``spec`` is not valid Vega-Lite (Altair's copy of the schema, the version we draw with)."""
    import altair as alt
    from altair.utils.schemapi import validate_jsonschema

    assert spec["$schema"] == alt.SCHEMA_URL
    validate_jsonschema(spec, alt.vegalite.v6.schema.core.load_schema(), rootschema=None, raise_error=True)


def readability_problems(spec: dict) -> list[str]:
    """What breaks the charts' rules in a spec: font sizes, label limits, colours without a legend."""
    problems = []
    config = spec["config"]
    for part, keys in (("axis", ("labelFontSize", "titleFontSize")), ("legend", ("labelFontSize", "titleFontSize")),
                       ("title", ("fontSize", "subtitleFontSize")), ("text", ("fontSize",))):  # fmt: skip
        for key in keys:
            if config.get(part, {}).get(key, 0) < MIN_FONT_SIZE:
                problems.append(f"config.{part}.{key} is {config.get(part, {}).get(key)!r} (Vega's default is 10-11)")
    for part in ("axis", "legend"):
        if config.get(part, {}).get("labelLimit") != 0:
            problems.append(f"config.{part}.labelLimit is not 0 (a long label would be cut)")
    if config.get("legend", {}).get("titleLimit") != 0:
        problems.append("config.legend.titleLimit is not 0")

    def visit(node):
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key in ("fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize") and isinstance(value, (int, float)):
                if value < MIN_FONT_SIZE:
                    problems.append(f"{key} {value} < {MIN_FONT_SIZE}")
            if key in ("labelLimit", "titleLimit", "limit") and value not in (0, None):
                problems.append(f"{key} {value}: a label would be cut")

    _walk(_without_data(spec), visit)
    named = {c for scale in colour_scales(spec) for c in scale.values()}
    for m in marks(spec):
        if mark_type(m) == "text":
            continue
        colour = m["encoding"].get("color", {})
        literal = [m["mark"].get(k) for k in ("color", "fill", "stroke") if isinstance(m["mark"], dict)]
        literal.append(colour.get("value"))
        for c in filter(None, literal):
            if c not in named and c not in (INK, "white"):
                problems.append(f"a {mark_type(m)} mark drawn in {c} that no legend names")
        if "field" in colour or "datum" in colour:
            if colour.get("legend", {}) is None:
                problems.append(f"a {mark_type(m)} mark's colour has its legend turned off")
            if colour.get("type") != "quantitative" and not named:
                problems.append(f"a {mark_type(m)} mark is coloured by a scale with no fixed names")
    problems += [f"the legend names {name!r}, which nothing in the chart is" for name in _legend_names(spec) - _drawn_names(spec)]
    return problems


def _legend_names(spec: dict) -> set[str]:
    """The names a chart's nominal colour and shape scales list (each becomes a legend entry)."""
    names: set[str] = set()

    def visit(node):
        if isinstance(node, dict) and isinstance(node.get("encoding"), dict):
            for channel in ("color", "shape"):
                scale = (node["encoding"].get(channel) or {}).get("scale") or {}
                if isinstance(scale, dict) and isinstance(scale.get("domain"), list):
                    names.update(d for d in scale["domain"] if isinstance(d, str))

    _walk(_without_data({k: v for k, v in spec.items() if k != "config"}), visit)
    return names


def _drawn_names(spec: dict) -> set[str]:
    """Every string a chart's marks can be coloured or shaped by: its data's strings and its encodings' datums."""
    found: set[str] = set()

    def visit(node):
        if isinstance(node, dict):
            if isinstance(node.get("values"), list):
                for row in node["values"]:
                    if isinstance(row, dict):
                        found.update(v for v in row.values() if isinstance(v, str))
            if isinstance(node.get("datum"), str):
                found.add(node["datum"])

    _walk(spec, visit)
    return found


def svg_texts(svg: bytes | str) -> list[str]:
    """The text of every ``<text>`` element of an SVG, one per line of text."""
    root = ET.fromstring(svg)
    out = []
    for t in root.iter(f"{SVG}text"):
        spans = list(t.iter(f"{SVG}tspan"))
        out += [s.text or "" for s in spans] if spans else [t.text or ""]
    return out


def svg_font_sizes(svg: bytes | str) -> list[float]:
    """The font size of every ``<text>`` element of an SVG, in px."""
    root = ET.fromstring(svg)
    sizes = []
    for t in root.iter(f"{SVG}text"):
        size = t.get("font-size") or ""
        for part in (t.get("style") or "").split(";"):
            if part.strip().startswith("font-size"):
                size = part.split(":", 1)[1]
        sizes.append(float(size.strip().removesuffix("px")))
    return sizes
