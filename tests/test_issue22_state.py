"""Issue 22, the items one state and one schema remove by design: each one a test that failed on the old code.

These use only what the old code also had (the command line, the app through AppTest, ``link.decode``,
``shortlink.open_link``, ``views.load_view``), so each fails there for its own reason, not an import.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from beliefs.io.link import decode
from beliefs.io.scenario import get_scenario, scenario_to_json
from beliefs.io.shortlink import open_link
from beliefs.io.views import load_view
from tests import test_app
from tests.cli_helpers import assert_one_line_error, run_cli, run_json
from tests.test_app import assert_clean, button, download_bytes, new_app, text_of

media = test_app.media  # the fixture that records download buttons' files

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LABEL_LIMIT = "a non-empty label of at most 300 characters"


def _file(tmp_path, name: str, change) -> Path:
    doc = json.loads(scenario_to_json(get_scenario("stated-3-to-1")))
    change(doc)
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _first_uid(at) -> str:
    # The old app held rows as dicts with their uid; this one holds a tuple of uids beside its items.
    return at.session_state["uids"][0] if "uids" in at.session_state else at.session_state["items"][0]["uid"]


def _upload(at, path: Path):
    at.file_uploader(key="upload").set_value((path.name, path.read_bytes(), "application/json")).run()
    return at


# -- 22.3: one range per field, from the schema, used by the widget too ----------------------------


def test_22_3_a_discount_the_file_and_the_link_allow_is_one_the_widget_shows(tmp_path):
    """22.3: `?e0=lr~3~~1~~~g~0.01~x` or a file with "discount": 0.01 crashed the app (the slider's minimum was 0.05)."""
    at = new_app({"e0": "lr~3~~1~~~g~0.01~x"})
    assert_clean(at)
    uid = at.session_state["uids"][0]
    widget = at.number_input(key=f"w_{uid}_discount")
    assert widget.value == 0.01 == at.session_state["items"][0].discount
    assert (widget.min, widget.max) == (0.0, 1.0)  # the schema's (0, 1]; a 0 typed is refused by the item
    widget.set_value(0.0).run()
    assert not at.exception and at.session_state["items"][0].discount == 0.01
    assert any("discount: got 0.0; expected a discount exponent in (0, 1]" in text_of(e) for e in at.error)
    path = _file(tmp_path, "w.json", lambda d: d["evidence"][0].update(group="g", discount=0.01))
    assert_clean(_upload(new_app(), path))


# -- 22.4: `~` in a group or an id ------------------------------------------------------------------


def test_22_4_a_group_or_id_with_a_tilde_travels_in_links(tmp_path):
    """22.4: a group or id holding `~` crashed the app's link sync, and `export`/`scenario link` exited 2."""
    at = new_app({"e0": "lr~3~~1~~~~~x"})
    at.text_input(key=f"w_{_first_uid(at)}_group").input("x~y").run()
    assert_clean(at)
    reopened = new_app(dict(at.query_params))
    assert_clean(reopened)
    assert [e.group for e in reopened.session_state["items"]] == ["x~y"]
    path = _file(tmp_path, "t.json", lambda d: d["evidence"][0].update(group="x~y", id="a~b"))
    assert run_cli("export", str(path), "--format", "markdown").returncode == 0
    link = run_cli("scenario", "link", str(path))
    assert link.returncode == 0, link.stderr
    back = load_view(link.stdout.strip())
    assert (back.evidence[0].group, back.evidence[0].id) == ("x~y", "a~b")


# -- 22.10: a version-2 scenario keeps its hypotheses ------------------------------------------------


def test_22_10_hypotheses_survive_the_app_save_and_scenario_link(media):
    """22.10: rare-scheming saved from the app, or through `scenario link`, lost its `hypotheses` block."""
    s = get_scenario("rare-scheming")
    link = run_cli("scenario", "link", "rare-scheming").stdout.strip()
    assert load_view(link).hypotheses == s.hypotheses
    at = new_app()
    at.button(key="preset_rare-scheming").click().run()
    saved = json.loads(download_bytes(media, button(at, "dl_scenario_json")))
    assert saved["version"] == 2 and saved["hypotheses"] == [h.model_dump(mode="json") for h in s.hypotheses]


# -- 22.13: one length limit for a label --------------------------------------------------------------


def test_22_13_one_length_limit_for_a_label_in_files_links_the_app_and_crux(tmp_path):
    """22.13: a 2,000-character label made a link `scenario link` printed but `crux LINK` and the app left out."""
    path = _file(tmp_path, "long.json", lambda d: d["evidence"][0].update(label="L" * 2000))
    for argv in (["scenario", "link", str(path)], ["crux", str(path), "stated-3-to-1"]):
        line = assert_one_line_error(run_cli(*argv), "evidence[0].label")
        assert LABEL_LIMIT in line
    _, warnings = decode({"e0": "lr~3~~1~~~~~" + "L" * 1990})
    assert len(warnings) == 1 and warnings[0].startswith("e0.label: ") and LABEL_LIMIT in warnings[0]
    at = _upload(new_app(), path)
    assert not at.exception
    assert any("evidence[0].label" in text_of(e) and LABEL_LIMIT in text_of(e) for e in at.error)
    at = new_app({"e0": "lr~3~~1~~~~~x"})
    assert at.text_input(key=f"w_{at.session_state['uids'][0]}_label").max_chars == 300  # the widget's limit too


# -- 22.16: a version no beliefs wrote is not "newer" ----------------------------------------------------


@pytest.mark.parametrize("value", ["0abc", "\u0661abc"])
def test_22_16_a_short_link_version_that_never_was_is_not_called_newer(value):
    """22.16: `?s=0...` and `?s=١...` said "made by a newer version"."""
    _state, warnings = open_link({"s": value})
    assert len(warnings) == 1 and warnings[0].startswith("s: got ") and "newer" not in warnings[0]
    line = assert_one_line_error(run_cli("crux", f"?s={value}", "stated-3-to-1"), "A")
    assert "newer" not in line


# -- 22.17: a parameter given twice ---------------------------------------------------------------------


def test_22_17_a_parameter_given_twice_is_refused_naming_it():
    """22.17: `prior=0.1&prior=0.9` let the last win silently; a file refuses a duplicate key."""
    state, warnings = decode({"prior": ["0.1", "0.9"]})
    assert state["prior"] == 0.5 and len(warnings) == 1 and warnings[0].startswith("prior: ")
    assert "each parameter once" in warnings[0]
    line = assert_one_line_error(run_cli("crux", "?prior=0.1&prior=0.9", "stated-3-to-1"), "A")
    assert "prior: got ['0.1', '0.9']" in line
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["prior"] = ["0.1", "0.9"]
    at.run()
    assert not at.exception and at.session_state["values"]["prior"] == 0.5
    assert any("prior: got" in w.value and "each parameter once" in w.value for w in at.warning)


# -- 22.22: saving a built-in is byte for byte ---------------------------------------------------------


@pytest.mark.parametrize("name", ["report-3-to-1", "rare-scheming"])
def test_22_22_scenario_save_of_a_builtin_is_byte_identical(tmp_path, name):
    """22.22: `scenario save` of a built-in added `"app": null`."""
    out = tmp_path / "copy.json"
    proc = run_cli("scenario", "save", name, str(out))
    assert proc.returncode == 0, proc.stderr
    shipped = (resources.files("beliefs.data") / f"scenario-{name}.json").read_bytes()
    assert out.read_bytes() == shipped


# -- 22.24: every SCENARIO argument takes a share link; --base takes HTTPS:// ------------------------------


LINK = "?prior=0.25&e0=p~0.75~0.25~1~~~~~a report"


@pytest.mark.parametrize(
    "argv",
    [["scenario", "run", LINK], ["scenario", "show", LINK], ["robustness", LINK], ["sequential", LINK]],
    ids=["run", "show", "robustness", "sequential"],
)
def test_22_24_commands_that_take_a_scenario_take_a_share_link(argv):
    """22.24: `scenario run/show`, `robustness` and `sequential` refused a share link the README promises."""
    proc = run_cli(*argv)
    assert proc.returncode == 0, proc.stderr
    assert "50%" in proc.stdout or "a report" in proc.stdout


def test_22_24_the_scheme_of_base_is_any_case():
    """22.24: `--base HTTPS://X/` was refused while `http://` was accepted."""
    out = run_json("scenario", "link", "stated-3-to-1", "--base", "HTTPS://X/")
    assert out["link"].startswith("HTTPS://X/?s=")
    assert load_view(out["link"]) == get_scenario("stated-3-to-1")
