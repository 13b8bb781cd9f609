"""Issue 22, "Also measured": a sixth session's worst upload must not slow five others more than an MCMC re-run.

The reader of an upload is linear, but at its 1 MB cap its worst input held the interpreter lock (which
every session of the server needs) in one regular-expression call: 1 MB of ``<a>`` for 125 ms of CPU,
an id of 200,000 ``&#98;`` for 245 ms.  Two changes, each tested here: floods of markup are refused by
a count before the tokenizer reads a tag (and a script tag's attributes are not decoded past 1,000
characters), and the app reads an upload in a process of its own (:func:`app_pages.workers.read_apart`),
so no input holds the server's lock at all.  The figure is the bench row ``upload_under_load``.
"""

from __future__ import annotations

import os

import pytest

from app_pages.workers import read_apart
from beliefs.errors import InputError
from beliefs.export import embed
from beliefs.io.scenario import MAX_SCENARIO_BYTES, get_scenario, parse_scenario, scenario_to_json
from beliefs.io.scenario_schema import ScenarioError


def _flood(head: str, unit: str, size: int = MAX_SCENARIO_BYTES) -> str:
    return head + unit * ((size - len(head)) // len(unit))


@pytest.mark.parametrize("unit", ["<a>", "</>", "<?>", "<!---->", "<a x='", "</a "])
def test_a_flood_of_tags_is_refused_by_its_count_before_a_tag_is_read(unit, monkeypatch):
    """Each of these took the tokenizer 20-125 ms at 1 MB; the count refuses them in about 1 ms."""
    read: list[int] = []
    monkeypatch.setattr(embed, "_TAG", _Spy(embed._TAG, read))
    with pytest.raises(InputError) as info:
        parse_scenario(_flood("", unit))
    assert "more than 50,000 '<'" in str(info.value) and read == []


class _Spy:
    """A compiled pattern that records each use of ``match``."""

    def __init__(self, pattern, calls: list[int]):
        self.pattern, self.calls = pattern, calls

    def match(self, *args):
        self.calls.append(1)
        return self.pattern.match(*args)


def test_a_script_id_too_long_to_be_the_reports_is_refused_not_decoded(monkeypatch):
    """1 MB of ``&#98;`` in a script's id took html.unescape 245 ms; a report's script tags have 47 characters."""
    decoded: list[str] = []
    monkeypatch.setattr(embed.html, "unescape", lambda text: decoded.append(text) or text)
    with pytest.raises(InputError) as info:
        parse_scenario(_flood("<script id=", "&#98;", MAX_SCENARIO_BYTES - 20) + "></script>")
    assert "script tag of more than 1,000 characters" in str(info.value) and decoded == []


def test_every_report_is_far_under_the_markup_caps():
    """A report has about 500 "<" (40 items, every text long and full of markup: 2,841); the cap is 50,000."""
    from beliefs.export.html import html_report

    doc = html_report(get_scenario("carlsmith"))
    assert doc.count("<") < embed.MAX_MARKUP / 20
    assert parse_scenario(doc) == get_scenario("carlsmith")


# -- the app's reader runs in a process of its own ---------------------------------------------------------------


def _pid(data: bytes) -> int:
    return os.getpid()


def test_the_apps_upload_reader_runs_in_another_process():
    assert read_apart(_pid, b"x") != os.getpid()


def test_read_apart_gives_the_readers_value_and_its_refusal_unchanged():
    scenario = get_scenario("carlsmith")
    assert read_apart(parse_scenario, scenario_to_json(scenario).encode()) == scenario
    for data in (_flood("<a", " x").encode(), b'{"format": "beliefs-scenario"}', b"\xff", b"{" * 40):
        with pytest.raises(InputError) as here:
            parse_scenario(data)
        with pytest.raises(InputError) as apart:
            read_apart(parse_scenario, data)
        assert type(apart.value) is type(here.value) and str(apart.value) == str(here.value)
        assert (apart.value.field, apart.value.value) == (here.value.field, here.value.value)
    assert issubclass(type(apart.value), ScenarioError)
