"""One state, one schema (issue 20): what a forecaster publishes is exactly what they saw.

The round-trip matrix of item 2: every built-in scenario, and a property-based generator of valid
scenarios (version 1 and 2), survive each path with the same canonical JSON
(``scenario_to_json(parse_scenario(file))``):

- file -> app -> save   (``state_from_scenario`` / ``scenario_from_state``, and through the app itself);
- file -> readable link -> file   (where the readable form holds the state; the app uses it only then);
- file -> short link -> file;
- file -> HTML report -> file;

and the Markdown carries every number of the ledger.  Item 3's staleness cases and item 4's
provenance in words are AppTests below, as are item 5 (``BELIEFS_BASE_URL``), item 6 (one set of
Monte Carlo digits) and item 7 (the ledger validated once per run).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beliefs.errors import InputError
from beliefs.evidence import BetaDist, Entry, Evidence, Provenance, Source
from beliefs.export.ledger import build_ledger
from beliefs.export.markdown import markdown_report
from beliefs.io.link import decode, encode, holds
from beliefs.io.scenario import builtin_scenarios, get_scenario, parse_scenario, scenario_to_json
from beliefs.io.scenario_schema import Scenario, SourceSpec, validate
from beliefs.io.shortlink import open_link, share_params, short_link, short_value, unpack_scenario
from beliefs.io.state import DEFAULT_HYPOTHESIS, scenario_from_state, state_from_scenario
from tests import test_app
from tests.test_app import assert_clean, button, download_bytes, metrics, new_app, text_of

media = test_app.media  # the fixture that records download buttons' files

APP = str(Path(__file__).resolve().parent.parent / "app.py")
BUILTINS = list(builtin_scenarios())
markdown_it = pytest.importorskip("markdown_it")


def canonical(s: Scenario) -> str:
    return scenario_to_json(s)


# -- a generator of valid scenarios -------------------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
_label = _text.filter(lambda t: t.strip()).map(lambda t: t[:300])
_name_chars = "abcdefghijklmnopqrstuvwxyz0123456789_-~% "
# A subnormal probability is refused wherever it is typed, a file included (issue 22.14), so no valid scenario holds one.
_prob = st.floats(min_value=0.0, max_value=1.0, allow_nan=False).filter(lambda p: p == 0 or p >= 2.2250738585072014e-308)
_open_prob = st.floats(min_value=1e-6, max_value=1.0, allow_nan=False)
_shape = st.floats(min_value=0.05, max_value=500.0, allow_nan=False)


@st.composite
def sources(draw):
    return Source(
        citation=draw(_label), location=draw(_text), status=draw(st.sampled_from("PSX")), url=draw(st.sampled_from(["", "https://example.org/x"]))
    )


@st.composite
def provenances(draw):
    lo = draw(st.floats(-5, 5))
    return Provenance(
        assumption=draw(st.sampled_from(["derived from an assumed n = 316 per evaluation, pooling partial", "from counts as entered, pooling none"])),
        method=draw(st.sampled_from(["", "exact", "quadrature"])),
        model=draw(st.sampled_from(["", "partial pooling (hierarchical beta-binomial)"])),
        log10_bf_range=draw(st.one_of(st.none(), st.just((lo, lo + draw(st.floats(0, 10)))))),
        range_over=draw(st.sampled_from(["", "assumed n in {100, 316, 1000} x pooling in {none, partial}"])),
        derived_likelihood_ratio=draw(st.one_of(st.none(), st.floats(1e-3, 1e3))),
    )


@st.composite
def items(draw, discounts):
    rest = {
        "id": draw(st.one_of(st.none(), st.text(alphabet=_name_chars, min_size=1, max_size=12).filter(str.strip))),
        "note": draw(_text),
        "source": draw(st.one_of(st.none(), sources())),
        "enabled": draw(st.booleans()),
    }
    group = draw(st.sampled_from([None, None, "g1", "x~y"]))
    if group is not None:
        rest.update(group=group, discount=discounts[group])
    label = draw(_label)
    if draw(st.booleans()):
        a, b = draw(_open_prob), draw(_open_prob)
        how = draw(st.sampled_from(["exact", "kappa", "own"]))
        if how == "kappa" and a < 1 and b < 1:
            return Evidence.from_entry(label, Entry("p", a, b, draw(st.floats(0.5, 1000))), **rest)
        dists = {}
        if how == "own":  # a Beta of the file's own, not a mean and a concentration: only a file (or a short link) holds it
            dists["p_e_given_h_dist"] = draw(st.one_of(st.none(), st.builds(BetaDist, _shape, _shape)))
        return Evidence(label, p_e_given_h=a, p_e_given_not_h=b, **dists, **rest)
    sigma = draw(st.sampled_from([None, None, 0.0, 0.8, 2.5]))
    prov = draw(st.one_of(st.none(), provenances()))
    return Evidence(label, likelihood_ratio=draw(st.floats(1e-8, 1e8)), log_lr_sigma=sigma, provenance=prov, **rest)


@st.composite
def models(draw):
    out = {}
    if draw(st.booleans()):
        chain = {"base": draw(_prob), "steps": draw(st.integers(1, 1000)), "drift": draw(st.floats(-0.2, 0.2))}
        if draw(st.booleans()):
            chain.update(per_step=None, per_step_beta=[draw(_shape), draw(_shape)])
        else:
            chain["per_step"] = draw(_prob)
        out["chain"] = chain
    if draw(st.booleans()):
        monitoring = {"rate": draw(_prob), "report": draw(_prob), "collusion": draw(_prob), "tasks": draw(st.integers(1, 10_000_000))}
        monitoring.update(draw(monitor_sources()))
        out["monitoring"] = monitoring
    if draw(st.booleans()):
        n = draw(st.lists(st.integers(1, 500), min_size=1, max_size=4))
        k = [draw(st.integers(0, x)) for x in n]
        block = {"k": k, "n": n, "pooling": draw(st.sampled_from(["none", "partial"]))}
        for side in ("if_h", "if_not_h"):
            block.update(draw(predictions(side)))
        out["covert_actions"] = block
    return out


@st.composite
def monitor_sources(draw) -> dict:
    """A q and a c set from published figures (beliefs.monitor_sources), each with the value its figure gives."""
    from beliefs.monitor_sources import SOURCED_SETTINGS

    out = {}
    for parameter, value_field, source_field in (("q", "report", "report_source"), ("c", "collusion", "collusion_source")):
        choices = [s for s in SOURCED_SETTINGS if s.parameter == parameter]
        setting = draw(st.one_of(st.none(), st.sampled_from(choices)))
        if setting is None:
            continue
        f = draw(st.floats(1e-4, 0.5)) if setting.needs_false_alarm_rate else None
        out[value_field] = setting.resolve(f).value
        out[source_field] = {"setting": setting.key, "false_alarm_rate": f}
    return out


@st.composite
def predictions(draw, side: str) -> dict:
    """What the data page lets a hypothesis predict: a Beta, a point rate, a named reading (its numbers, its id
    or both), or nothing written (the default)."""
    from beliefs.rate_priors import readings

    how = draw(st.sampled_from(["beta", "point", "reading", "reading and numbers", "default"]))
    if how == "beta":
        return {f"rate_{side}": [draw(st.floats(0.01, 100)), draw(st.floats(0.01, 100))]}
    if how == "point":
        return {f"rate_{side}": {"point": draw(st.floats(1e-6, 1 - 1e-6))}}
    if how == "default":
        return {}
    r = draw(st.sampled_from(readings(side)))
    numbers = {f"rate_{side}": [r.prior.alpha, r.prior.beta]} if how == "reading and numbers" else {}
    return {f"reading_{side}": r.id, **numbers}


_APP_SETTINGS = {  # any valid text, the defaults and other spellings ("0.50") included: a file may hold them
    "thr": st.one_of(st.floats(0.01, 0.99).map(repr), st.just("0.50")),
    "ci": st.floats(0.5, 0.99).map(repr),
    "entry": st.sampled_from(["odds", "log-odds", "percent"]),
    "ch_tau": st.floats(0.1, 5.0).map(repr),
    "an_factor": st.one_of(st.floats(1.5, 100.0).map(repr), st.just("2.0")),
    "prior": st.just("0.3"),  # older app saves repeated the prior here; the file's own prior wins
}


@st.composite
def scenarios(draw) -> Scenario:
    discounts = {"g1": draw(st.floats(0.05, 1.0)), "x~y": draw(st.floats(0.05, 1.0))}
    ledger = draw(st.lists(items(discounts), max_size=5))
    app = {k: draw(v) for k, v in _APP_SETTINGS.items() if draw(st.booleans())}
    doc = {
        "name": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}", fullmatch=True)),
        "title": draw(_text),
        "description": draw(_text),
        "hypothesis": draw(st.sampled_from(["", "scheming; not H: no scheming", "H as typed"])),
        "prior_source": draw(st.one_of(st.none(), sources().map(SourceSpec.from_source))),
        "compare_priors": draw(st.lists(_prob, max_size=3)),
        "models": draw(models()),
        "app": app or None,
    }
    version2 = draw(st.booleans())
    if version2:
        k = draw(st.integers(2, 4))
        priors = [1 / k] * k
        doc["hypotheses"] = [
            {"name": f"h{j}", "prior": priors[j], "likelihoods": [draw(_open_prob) for _ in ledger], "note": draw(_text)}
            for j in range(k)
        ]
        doc["version"] = 2
    s = Scenario.from_evidence(draw(_prob), ledger, **doc)
    # What a file holds is its canonical form: parse(write(s)).
    return parse_scenario(scenario_to_json(s))


# -- the matrix, for the built-ins and for generated scenarios ------------------------------------


def _no_charts(monkeypatch):
    # The report's embedded scenario does not depend on its charts: drawing them (vl-convert) per example
    # would only make the property slow.  The built-ins below go through the real report, charts and all.
    from beliefs.export import html as html_mod

    monkeypatch.setattr(html_mod, "chart_specs", lambda ledger: [])
    monkeypatch.setattr(html_mod, "figure_svgs", lambda ledger: [])


def _html_round_trip(s: Scenario) -> Scenario:
    from beliefs.export.html import html_report

    return parse_scenario(html_report(s, link=short_link(s, "https://example.org/b/")).encode("utf-8"))


def _check_paths(s: Scenario) -> None:
    want = canonical(s)
    # file -> app state -> save: the one conversion
    state = state_from_scenario(s)
    assert canonical(scenario_from_state(state)) == want
    # file -> short link -> file: the scenario itself
    assert canonical(unpack_scenario(short_value(s))) == want
    back, warnings = open_link({"s": short_value(s)})
    assert warnings == [] and canonical(scenario_from_state(back)) == want
    # file -> readable link -> file: exact whenever the app uses it; and what the address bar holds, either way
    params = encode(state)
    readable, warnings = decode(params)
    if holds(state, params):
        assert warnings == [] and canonical(scenario_from_state(readable)) == want
    else:  # the readable form cannot hold this state: it is never what the app writes
        assert warnings or canonical(scenario_from_state(readable)) != want
        assert "s" in share_params(state)
    address, warnings = open_link(share_params(state))
    assert warnings == [] and canonical(scenario_from_state(address)) == want
    # file -> HTML report -> file
    assert canonical(_html_round_trip(s)) == want


@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_survives_every_path(name):
    s = get_scenario(name)
    _check_paths(s)
    # the built-ins' readable links hold them (scenario= names the preset): the address bar stays readable
    assert "s" not in share_params(state_from_scenario(s))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(scenarios())
def test_any_valid_scenario_survives_every_path(monkeypatch, s):
    _no_charts(monkeypatch)
    _check_paths(s)


def test_a_chain_drift_of_minus_zero_survives_every_path(monkeypatch):
    """Found by the generated matrix: a file's drift -0.0 came back from a link as 0.0 (the link names only
    what differs from the default).  The schema holds one zero."""
    _no_charts(monkeypatch)
    doc = {"format": "beliefs-scenario", "version": 1, "name": "x", "prior": 0.0, "evidence": [],
           "models": {"chain": {"base": 0.0, "per_step": 0.0, "steps": 1, "drift": -0.0}}}  # fmt: skip
    _check_paths(parse_scenario(json.dumps(doc)))


@pytest.mark.parametrize(
    ("where", "field"),
    [({"prior": 1e-320}, "prior"), ({"compare_priors": [0.1, 1.1125369292536007e-308]}, "compare_priors[1]"),
     ({"models": {"monitoring": {"rate": 5e-324, "report": 0.9, "tasks": 10}}}, "models.monitoring.rate")],
)  # fmt: skip
def test_a_file_with_a_subnormal_probability_is_refused_as_the_app_refuses_it_typed(where, field):
    """A file could hold compare_priors [1.1e-308] while its link's text was refused (issue 22.14): the
    generated-scenario matrix lost it on the way through the app.  One rule: the file refuses it, by field."""
    doc = {"format": "beliefs-scenario", "version": 1, "name": "x", "prior": 0.25, "evidence": [], **where}
    with pytest.raises(InputError, match=r"below 2\.2e-308") as caught:
        parse_scenario(json.dumps(doc))
    assert caught.value.field == field


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_the_markdown_carries_every_number_of_the_ledger(s):
    ledger = build_ledger(s)
    rendered = markdown_it.MarkdownIt("gfm-like").render(markdown_report(s, ledger=ledger))
    text = re.sub(r"<[^>]+>", " ", rendered).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    numbers = [ledger.prior_text, ledger.posterior_text, ledger.total_text, *ledger.compare]
    for row in ledger.rows:
        numbers += [row.p_e_given_h, row.p_e_given_not_h, row.ratio, row.bits, row.decibels, row.provenance, row.uncertainty, row.weight]
    if ledger.distribution_text:
        numbers.append(ledger.distribution_text)
    for item, row in zip(s.evidence_items(), ledger.rows, strict=True):
        assert row.ratio and (row.bits == "not counted") is (not item.enabled)
    for n in filter(None, numbers):
        assert n in text, n


def test_a_version_2_file_keeps_its_hypotheses_through_the_app_and_a_short_link(tmp_path):
    """Issue 20 "Done when": rare-scheming through app save and through a short link, hypotheses intact."""
    s = get_scenario("rare-scheming")
    saved = scenario_from_state(state_from_scenario(s))
    assert saved.version == 2 and saved.hypotheses == s.hypotheses
    assert unpack_scenario(short_value(s)).hypotheses == s.hypotheses


def test_a_model_block_the_app_cannot_show_is_refused_by_the_app_and_carried_by_a_link():
    doc = json.loads(scenario_to_json(get_scenario("stated-3-to-1")))
    doc["models"]["chain"] = {"base": 1.0, "per_step": 0.98, "steps": 5000, "drift": 0.0}
    s = validate(doc)
    with pytest.raises(Exception, match=r"^models\.chain\.steps: got 5000; expected a whole number >= 1 and <= 1000"):
        state_from_scenario(s)
    assert unpack_scenario(short_value(s)) == s  # the link carries it exactly; the CLI reads it so
    _state, warnings = open_link({"s": short_value(s)})
    assert len(warnings) == 1 and "models.chain.steps: got 5000" in warnings[0] and "not applied" in warnings[0]


# -- through the app itself -----------------------------------------------------------------------


def _upload(at, s: Scenario, name="mine.json"):
    at.file_uploader(key="upload").set_value((name, scenario_to_json(s).encode("utf-8"), "application/json")).run()
    assert_clean(at)
    return at


@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_survives_the_app_load_and_save(media, name):
    """file -> app -> save, byte for byte, for each built-in (rare-scheming is version 2: its hypotheses stay)."""
    s = get_scenario(name)
    at = _upload(new_app(), s)
    saved = download_bytes(media, button(at, "dl_scenario_json")).decode("utf-8")
    assert saved == canonical(s)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(scenarios())
def test_generated_scenarios_survive_the_app_load_and_save(media, s):
    at = _upload(new_app(), s)
    assert download_bytes(media, button(at, "dl_scenario_json")).decode("utf-8") == canonical(s)
    # and the address bar restores it
    again = new_app(dict(at.query_params))
    assert_clean(again)
    assert canonical(scenario_from_state(_state(again))) == canonical(s)


def _state(at):
    from beliefs.io.state import AppState

    return AppState(values=dict(at.session_state["values"]), items=at.session_state["items"], about=at.session_state["about"])


# -- nothing stale (item 3) and provenance in words (item 4) -----------------------------------------


def _export(at) -> str:
    """The export box's Markdown, as a reader sees it (backslash escapes removed)."""
    at.session_state["open_export"] = True
    at.run()
    assert_clean(at)
    return re.sub(r"\\(.)", r"\1", next(c.value for c in at.code if c.value.startswith("**")))


def test_the_default_view_exports_the_h_the_page_shows():
    at = new_app()
    h, not_h = DEFAULT_HYPOTHESIS.split("; not H: ")
    assert any(f"**H:** {h}" in text_of(m) and f"**not H:** {not_h}" in text_of(m) for m in at.markdown)
    assert f"**H:** {h}" in _export(at)


def test_a_changed_prior_makes_the_title_say_edited_and_drops_the_prior_source(media):
    at = new_app()
    at.button(key="preset_report-3-to-1").click().run()
    title = get_scenario("report-3-to-1").title
    assert any(text_of(m) == f"Loaded: **{title}**" for m in at.markdown)
    at.slider(key="w_prior_slider").set_value(15.0).run()
    assert_clean(at)
    edited = f"edited from '{title}'"
    assert any(text_of(m) == f"Loaded: **{edited}**" for m in at.markdown)
    markdown = _export(at)
    assert markdown.startswith(f"**{edited}**") and "Prior from:" not in markdown
    saved = json.loads(download_bytes(media, button(at, "dl_scenario_json")))
    assert (saved["title"], saved["name"], saved["prior_source"]) == (edited, "report-3-to-1-edited", None)
    # back to the scenario's own prior: it is the scenario again, title and source
    at.slider(key="w_prior_slider").set_value(25.0).run()
    assert any(text_of(m) == f"Loaded: **{title}**" for m in at.markdown)
    assert json.loads(download_bytes(media, button(at, "dl_scenario_json")))["title"] == title


def test_a_title_of_ones_own_replaces_the_loaded_one():
    at = new_app()
    at.button(key="preset_report-3-to-1").click().run()
    at.text_input(key="w_title").input("My reading of the thread").run()
    at.slider(key="w_prior_slider").set_value(15.0).run()
    assert_clean(at)
    assert _export(at).startswith("**My reading of the thread**")


def test_a_derived_item_says_derived_then_edited_in_every_output(media):
    """Issue 20: the export printed `derived: Provenance(assumption=...)`, and still `derived` after an edit."""
    at = new_app({"view": "data"})
    next(b for b in at.button if b.label == "Add this Bayes factor to the ledger").click().run()
    at.radio(key="w_view").set_value("update").run()
    assert_clean(at)
    item = at.session_state["items"][-1]
    derived_ratio = item.provenance.derived_likelihood_ratio
    assert derived_ratio == item.likelihood_ratio
    markdown = _export(at)
    assert "derived: assumed n = 316 per evaluation, pooling partial; quadrature" in markdown
    assert "Provenance(" not in markdown and "log10 BF range [" in markdown
    uid = at.session_state["uids"][-1]
    at.text_input(key=f"w_{uid}_lr").input("112").run()
    assert_clean(at)
    markdown = _export(at)
    assert "edited: 112:1; derived value was 221:1 at assumed n = 316 per evaluation, pooling partial" in markdown
    assert any("edited: 112:1; derived value was 221:1" in m.value for m in at.markdown)  # the page says so too
    saved = parse_scenario(download_bytes(media, button(at, "dl_scenario_json")))
    assert saved.evidence_items()[-1].provenance_text.startswith("edited: 112:1; derived value was 221:1")


def test_adding_an_item_to_a_version_2_ledger_sets_its_hypotheses_aside_and_says_so(media):
    at = new_app()
    at.button(key="preset_rare-scheming").click().run()
    saved = json.loads(download_bytes(media, button(at, "dl_scenario_json")))
    assert saved["version"] == 2 and len(saved["hypotheses"]) == 3
    next(b for b in at.button if b.label == "Add an item").click().run()
    assert_clean(at)
    notes = [i.value for i in at.info] + [c.value for c in at.caption]
    assert any("gives no likelihood for 'item 2'" in n for n in notes)
    saved = json.loads(download_bytes(media, button(at, "dl_scenario_json")))
    assert saved["version"] == 1 and "hypotheses" not in saved


# -- links for readers (item 5) --------------------------------------------------------------------------


def test_beliefs_base_url_is_the_apps_public_address(monkeypatch):
    monkeypatch.setenv("BELIEFS_BASE_URL", "https://example.org/beliefs/")
    at = new_app({"prior": "0.25", "e0": "p~0.75~0.25~1~~~~~stated"})
    at.session_state["open_share_link"] = True
    markdown = _export(at)
    codes = [c.value for c in at.code]
    assert any(c.startswith("https://example.org/beliefs/?prior=0.25") for c in codes)  # the share link
    assert any(c.startswith("https://example.org/beliefs/?s=2") for c in codes)  # the short link
    assert "(https://example.org/beliefs/?s=2" in markdown and "only on the machine" not in markdown


def test_without_a_public_address_every_link_says_it_opens_only_here(monkeypatch):
    monkeypatch.delenv("BELIEFS_BASE_URL", raising=False)
    at = new_app({"prior": "0.25"})
    at.session_state["open_share_link"] = True
    markdown = _export(at)
    assert "this link opens only on the machine that made it; set BELIEFS_BASE_URL" in markdown
    warnings = [c.value for c in at.caption if "opens only on the machine" in c.value]
    assert len(warnings) == 2  # under the share link and under the short link


def test_the_command_line_reads_beliefs_base_url_and_base_overrides_it(monkeypatch):
    from tests.cli_helpers import assert_one_line_error, run_cli

    monkeypatch.setenv("BELIEFS_BASE_URL", "https://example.org/beliefs/")
    link = run_cli("scenario", "link", "report-3-to-1")
    assert link.returncode == 0 and link.stdout.startswith("https://example.org/beliefs/?s=2") and link.stderr == ""
    markdown = run_cli("export", "report-3-to-1", "--format", "markdown").stdout
    assert "(https://example.org/beliefs/?s=2" in markdown and "only on the machine" not in markdown
    other = run_cli("scenario", "link", "report-3-to-1", "--base", "https://other.example/app")
    assert other.stdout.startswith("https://other.example/app?s=2")
    monkeypatch.setenv("BELIEFS_BASE_URL", "ftp://nowhere")
    assert_one_line_error(run_cli("scenario", "link", "report-3-to-1"), "BELIEFS_BASE_URL")
    monkeypatch.delenv("BELIEFS_BASE_URL")
    local = run_cli("scenario", "link", "report-3-to-1")
    assert local.stdout.startswith("http://127.0.0.1:8501/?s=2") and "opens only on the machine" in local.stderr
    assert "opens only on the machine that made it" in run_cli("export", "report-3-to-1", "--format", "markdown").stdout


# -- one number for one thing (item 6) -------------------------------------------------------------------


def test_the_app_and_the_exports_show_the_same_monte_carlo_digits():
    at = new_app({"prior": "0.25", "e0": "lr~3~~1~0.8~~~~uncertain", "thr": "0.4", "ci": "0.8"})
    shown = metrics(at)
    median, interval, above = shown["Median posterior"], shown["80% interval"], shown["P(posterior > 40%)"]
    markdown = _export(at)
    sentence = f"median {median}; 80% interval {interval}; P(posterior > 40%) {above}"
    assert sentence in markdown
    s = scenario_from_state(_state(at))
    assert sentence in build_ledger(s).distribution_text
    pytest.importorskip("vl_convert")
    from beliefs.export.html import html_report

    assert sentence.replace(">", "&gt;") in html_report(s)


# -- one route (item 7): the ledger is validated once per run ------------------------------------------


def test_a_rerun_validates_no_item_again(monkeypatch):
    """The app held its ledger as dicts and built every Evidence three times a run; items are values now."""
    at = new_app({f"e{i}": f"lr~{i + 2}~~1~~~~~item {i}" for i in range(5)})
    calls = []
    real = Evidence.__post_init__
    monkeypatch.setattr(Evidence, "__post_init__", lambda self: (calls.append(self.label), real(self))[1])
    at.slider(key="w_prior_slider").set_value(30.0).run()
    assert_clean(at)
    assert calls == []
    uid = at.session_state["uids"][2]
    at.text_input(key=f"w_{uid}_lr").input("7").run()
    assert_clean(at)
    # Only the item whose widget changed is built: once from the widget, once from its new link parameter.
    assert calls == ["item 2", "item 2"]


# -- the data page's provenance fits the one item schema ------------------------------------------------


def test_every_model_text_the_data_page_writes_fits_an_item_a_file_and_a_link():
    """The named readings' model text (both readings, status and reason; up to ~550 characters with partial
    pooling and two spreads) is a provenance field: the item schema holds it, so the data page's "Add to the
    ledger" works for every shipped reading, and the file and the readable link carry it exactly (it was
    refused at 400 characters: 'provenance.model: ... (it has 438)')."""
    from dataclasses import replace

    from beliefs.counts import exact_no_pooling
    from beliefs.io.state import AppState
    from beliefs.partial_pooling import KappaPrior
    from beliefs.rate_priors import readings

    longest = ""
    for h in readings("if_h"):
        for n in readings("if_not_h"):
            base = exact_no_pooling([3], [100], 0.5, h.prior, n.prior)
            for r in (base, replace(base, pooling="partial", kappa_h=KappaPrior(1000.0, 2.5), kappa_not_h=KappaPrior(0.125, 1.5))):
                item = r.to_evidence("covert actions")
                assert item.provenance.model == r.model_text
                longest = max(longest, r.model_text, key=len)
                state = AppState(items=(item,))
                assert decode(encode(state)) == (state, [])
                s = scenario_from_state(state)
                assert parse_scenario(scenario_to_json(s)).evidence_items() == [item]
    assert len(longest) > 500



# -- the covert-action block holds what the data page chooses (pooling, point predictions, named readings) ----


def _covert_file(**block) -> Scenario:
    doc = json.loads(scenario_to_json(get_scenario("stated-3-to-1")))
    doc["models"]["covert_actions"] = {"k": [1, 0, 2], "n": [20, 20, 20], **block}
    return validate(doc)


def test_the_covert_block_holds_points_readings_and_pooling_and_the_app_shows_them(media):
    """file -> app: the data page shows the block's pooling, each prediction (a point rate, a named reading);
    app -> save writes them back; a reading chosen on the page is saved by its id, and read back."""
    s = _covert_file(rate_if_h={"point": 0.2}, reading_if_not_h="designed-to-elicit", pooling="none")
    block = s.models.covert_actions
    assert block.rate_if_not_h == [1.0, 19.0] and block.reading_if_h is None  # the reading's numbers, filled in
    at = _upload(new_app({"view": "data"}), s)
    v = at.session_state["values"]
    assert (v["da_pool"], v["da_h_kind"], v["da_h_pt"], v["da_n_kind"]) == ("none", "point", 0.2, "beta")
    assert at.radio(key="w_da_pool").value == "none" and at.radio(key="w_da_h_kind").value == "point"
    assert at.selectbox(key="w_da_n_read").value == "designed-to-elicit" and at.selectbox(key="w_da_h_read").value == "own"
    saved = parse_scenario(download_bytes(media, button(at, "dl_scenario_json")))
    assert saved.app == {"view": "data"}  # the page the file was saved from
    assert canonical(saved.model_copy(update={"app": None})) == canonical(s)
    # A reading chosen on the page: saved by its id with its numbers, and a point chosen for not H.
    at.selectbox(key="w_da_h_read").set_value("rare-but-real").run()
    at.radio(key="w_da_pool").set_value("partial").run()
    assert_clean(at)
    saved = parse_scenario(download_bytes(media, button(at, "dl_scenario_json")))
    got = saved.models.covert_actions
    assert (got.rate_if_h, got.reading_if_h, got.pooling) == ([1.0, 49.0], "rare-but-real", "partial")
    assert (got.rate_if_not_h, got.reading_if_not_h) == ([1.0, 19.0], "designed-to-elicit")
    again = _upload(new_app({"view": "data"}), saved)
    assert again.selectbox(key="w_da_h_read").value == "rare-but-real" and again.radio(key="w_da_pool").value == "partial"
    assert canonical(scenario_from_state(_state(again))) == canonical(saved)


def test_a_file_naming_a_reading_its_numbers_are_not_is_refused_naming_the_field():
    with pytest.raises(Exception, match=r"^models\.covert_actions\.reading_if_h: got 'rare-but-real'; expected 'scheming', "
                       r"the reading rate_if_h is, or null \('rare-but-real' predicts \[1\.0, 49\.0\]\)$"):
        _covert_file(rate_if_h=[1, 9], reading_if_h="rare-but-real")
    with pytest.raises(Exception, match=r"^models\.covert_actions\.rate_if_not_h\.point: got 1; expected a point rate strictly"):
        _covert_file(rate_if_not_h={"point": 1})
    with pytest.raises(Exception, match=r"^models\.covert_actions\.reading_if_not_h: got 'own'; expected the id of a named "
                       r"reading: confusion, designed-to-elicit, report-prior-not-h; or null$"):
        _covert_file(reading_if_not_h="own")


@pytest.mark.parametrize("command", ["robustness", "sequential"])
def test_the_command_lines_data_analyses_use_the_blocks_pooling_and_predictions(tmp_path, command, capsys):
    """robustness --data and sequential --data: the block's pooling, point prediction and reading, as the app."""
    from beliefs.analysis.data_robustness import data_robustness
    from beliefs.analysis.sequential import sequential_data
    from beliefs.cli import main
    from beliefs.rate_priors import PointRate

    s = _covert_file(rate_if_h={"point": 0.2}, reading_if_not_h="designed-to-elicit", pooling="none")
    path = tmp_path / "ca.json"
    path.write_text(scenario_to_json(s))
    assert main([command, str(path), "--data", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    args = ([1, 0, 2], [20, 20, 20], s.prior, PointRate(0.2), BetaDist(1.0, 19.0))
    if command == "robustness":
        want = data_robustness(*args, pooling="none").to_dict()
    else:
        want = sequential_data(*args, pooling="none", threshold=0.5).to_dict()
    assert json.loads(json.dumps(want)) == got
    assert main([command, str(path), "--data"]) == 0
    text = capsys.readouterr().out
    if command == "robustness":
        assert "your predictions: point 0.2 (your own) if H, Beta(1, 19) ('environments designed to elicit covert action', status X) if not H:" in text
    assert "no pooling" in text



# -- a q or c set from a published figure keeps its source while the value stands (follow-up b) ---------


def _monitoring_file(**block) -> Scenario:
    doc = json.loads(scenario_to_json(get_scenario("stated-3-to-1")))
    doc["models"]["monitoring"] = {"rate": 0.004, "tasks": 1000, **block}
    return validate(doc)


def _saved(at, media) -> Scenario:
    return parse_scenario(download_bytes(media, button(at, "dl_scenario_json")))


def test_a_sourced_q_and_c_travel_with_the_file_the_link_and_the_exports_until_edited_by_hand(media):
    from beliefs.monitor_sources import q_from_auc

    at = new_app({"view": "monitoring"})
    at.number_input(key="mo_src_f").set_value(0.01).run()
    at.button(key="mo_src_apply").click().run()
    at.selectbox(key="mo_src_pick").set_value("self_recognition_collusion").run()
    at.button(key="mo_src_apply").click().run()
    assert_clean(at)
    q = q_from_auc(0.87, 0.01)
    block = _saved(at, media).models.monitoring
    assert (block.report, block.report_source.setting, block.report_source.false_alarm_rate) == (q, "shade_arena_monitor_auc", 0.01)
    assert (block.collusion, block.collusion_source.setting) == (0.098, "self_recognition_collusion")
    # the address bar holds them; a fresh session from it shows the same sources
    link = dict(at.query_params)
    assert (link["mo_qsrc"], link["mo_csrc"]) == ("shade_arena_monitor_auc:0.01", "self_recognition_collusion")
    again = new_app(link)
    assert_clean(again)
    shown = [c.value for c in again.caption if c.value.startswith(("q = ", "c = "))]
    assert len(shown) == 2 and "at a false-alarm rate f of 0.01 (your choice)" in shown[0]
    assert _saved(again, media).models.monitoring == block
    # the exports (the Update page's export box) say where q and c come from and what is assumed
    at.radio(key="w_view").set_value("update").run()
    export = _export(at)
    assert "Monitoring model: q = 23.17% from SHADE-Arena's best monitor AUC (AUC 0.87, status P;" in export
    assert "at a false-alarm rate f of 0.01 (your choice). Assumed: an AUC is not a report probability" in export
    assert "Monitoring model: c = 9.8% from the red-team win rate" in export
    # q moved by hand: its source is dropped, and the page says so; c keeps its own
    at.radio(key="w_view").set_value("monitoring").run()
    at.slider(key="w_mo_report").set_value(0.5).run()
    assert_clean(at)
    assert any("q is 0.5, not the 0.2317 that SHADE-Arena's best monitor AUC gives: it was changed by hand, so its "
               "source (shade_arena_monitor_auc:0.01) no longer applies and is dropped." in text_of(c) for c in at.caption)
    block = _saved(at, media).models.monitoring
    assert (block.report, block.report_source, block.collusion_source.setting) == (0.5, None, "self_recognition_collusion")
    assert "mo_qsrc" not in at.query_params
    at.radio(key="w_view").set_value("update").run()
    assert "Monitoring model: q =" not in _export(at) and "Monitoring model: c = 9.8%" in _export(at)


def test_a_file_with_a_sourced_q_loads_and_saves_as_it_was_and_an_edited_one_is_refused(media):
    from beliefs.monitor_sources import q_from_auc

    q = q_from_auc(0.87, 0.05)
    s = _monitoring_file(report=q, report_source={"setting": "shade_arena_monitor_auc", "false_alarm_rate": 0.05})
    at = _upload(new_app({"view": "monitoring"}), s)
    assert any(c.value.startswith("q = 47.93% from SHADE-Arena") for c in at.caption)
    saved = _saved(at, media)
    assert canonical(saved.model_copy(update={"app": None})) == canonical(s)
    with pytest.raises(Exception, match=r"^models\.monitoring\.report_source: got 'shade_arena_monitor_auc:0\.05'; expected a "
                       r"source of report = 0\.5; this one gives q = 0\.479\d+ \(report was edited since: remove "
                       r"report_source, or set report back to 0\.479\d+\)$"):
        _monitoring_file(report=0.5, report_source={"setting": "shade_arena_monitor_auc", "false_alarm_rate": 0.05})
    with pytest.raises(Exception, match=r"^models\.monitoring\.collusion_source\.setting: got 'shade_arena_monitor_auc'; "
                       r"expected a sourced setting for c: self_recognition_collusion, signalling_collusion$"):
        _monitoring_file(report=0.9, collusion=q, collusion_source={"setting": "shade_arena_monitor_auc", "false_alarm_rate": 0.05})


def test_a_link_whose_q_was_edited_drops_its_source_and_says_so():
    params = {"mo_report": "0.5", "mo_qsrc": "shade_arena_monitor_auc:0.01", "mo_collude": "0.098", "mo_csrc": "self_recognition_collusion"}
    state, warnings = decode(params)
    assert (state["mo_qsrc"], state["mo_csrc"]) == ("", "self_recognition_collusion")
    assert warnings == ["q is 0.5, not the 0.2317 that SHADE-Arena's best monitor AUC gives: it was changed by hand, so "
                        "its source (shade_arena_monitor_auc:0.01) no longer applies and is dropped"]
