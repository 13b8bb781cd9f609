"""Analysis page (AppTest): each analysis leads with its sentence, the tornado says which range each bar
shows, and Dependence proposes groups from shared sources that a button applies (issue 24 item 6).

The sentences are compared with the library's own results for the same ledger (which
tests/test_analysis_headlines.py checks against closed forms and a root-finder), and the applied
proposal with the command line given the same share link.
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import pytest

from beliefs.analysis.dependence import propose_groups
from beliefs.analysis.robustness import prior_robustness
from beliefs.analysis.sequential import sequential
from beliefs.analysis.tornado import tornado_stated
from beliefs.io.link import decode
from beliefs.io.views import scenario_from_state
from tests.test_app import assert_clean, button, download_bytes, media, new_app, text_of  # noqa: F401

# Two catalogue items from one paper (their ids bring their source back), one with a stated σ, one
# typed item whose label is hostile, and an excluded item.
LINK = {
    "view": "analysis",
    "prior": "0.2",
    "e0": "lr~2~~1~~antischeming_o3_covert_rate~~~o3 covert rate",
    "e1": "lr~3~~1~0.8~~~~vague report",
    "e2": "lr~1.5~~1~~antischeming_o4mini_covert_rate~~~o4-mini *covert* [rate](javascript:alert(1))",
    "e3": "lr~0.5~~1~~~~~<b>against</b> | `x`",
    "e4": "lr~9~~0~~~~~excluded",
}


def ledger():
    state, warnings = decode(LINK)
    assert warnings == []
    scn = scenario_from_state(state)
    return scn.prior, scn.evidence_items()


def shown(at) -> list[str]:
    """Every Markdown element as the reader sees it (backslash escapes removed)."""
    return [text_of(m) for m in at.markdown]


def test_each_analysis_leads_with_its_sentence():
    at = new_app(LINK)
    assert_clean(at)
    prior, items = ledger()
    texts = shown(at)
    expected = [
        sequential(prior, items, threshold=0.5).headline,
        prior_robustness(prior, items, threshold=0.5).headline,
        tornado_stated(prior, items, interval=0.9).headline,
        propose_groups(items).headline,
    ]
    for sentence in expected:
        assert f"**{sentence}**" in texts, sentence
    # Rendered as text: the hostile label's markup is escaped in the Markdown source.
    raw = [m.value for m in at.markdown if "against" in m.value and "Bars:" in m.value]
    assert raw and "\\<b\\>against\\</b\\> \\| \\`x\\`" in raw[0]
    # The numbers: 1:4 x 2 x 3 x 1.5 x 1/2 = 9:8, i.e. 52.94%; the posterior passes 50% at "vague report" (3:2).
    assert expected[0] == "The posterior rises above 50% at step 2 (“vague report”) and ends at 52.94%."
    # The evidence is 4.5:1, so the posterior exceeds 50% above prior odds of 2:9, a prior of 2/11 = 18.18%.
    assert expected[1].startswith("Above a prior of 18.18%, the posterior exceeds 50%")
    assert expected[1].endswith("your prior, 20%, gives 52.94%.")


def test_tornado_says_which_range_each_bar_shows_and_the_common_factor_switches_it():
    at = new_app(LINK)
    tornado_line = next(t for t in shown(at) if t.startswith("**Bars:"))
    assert "“vague report”: own stated uncertainty (90% range of its σ or Beta)" in tornado_line
    assert "no uncertainty stated, so left out (the bar runs from the posterior without the item" in tornado_line
    at.radio(key="w_an_unst").set_value("factor").run()
    assert_clean(at)
    at.number_input(key="w_an_factor").set_value(3.0).run()
    assert at.session_state["values"]["an_unst"] == "factor" and at.session_state["values"]["an_factor"] == 3.0
    prior, items = ledger()
    assert f"**{tornado_stated(prior, items, factor=3.0).headline}**" in shown(at)
    assert any(t.endswith("no uncertainty stated, so ×/÷ 3 (the common factor).**") for t in shown(at))


def test_dependence_proposal_is_shown_edited_and_applied_as_the_cli_applies_it(media, tmp_path, capsys):  # noqa: F811
    at = new_app(LINK)
    assert_clean(at)
    texts = shown(at)
    assert "**Shared sources suggest 1 dependence group (2 items); nothing is grouped until you apply or edit the proposal.**" in texts
    line = next(t for t in texts if t.startswith("“arXiv:2509.15541”"))
    assert line.startswith("“arXiv:2509.15541”: items 1 and 3 (“o3 covert rate” and “o4-mini *covert* [rate](javascr…”)")
    assert line.endswith(": both cite arXiv:2509.15541.")
    raw = next(m.value for m in at.markdown if "arXiv:2509.15541" in m.value and "items 1 and 3" in m.value)
    assert "\\[rate\\](javascr" in raw and "\\*covert\\*" in raw  # no link, no emphasis: text
    # Nothing is grouped until the user acts.
    assert all(item.group is None for item in at.session_state["items"])
    # "Edit" loads the proposal into the manual controls.
    uids = list(at.session_state["uids"])
    at.button(key="dep_prop_edit_0").click().run()
    assert at.multiselect(key="w_dep_items").value == [uids[0], uids[2]]
    assert at.text_input(key="w_dep_name").value == "arXiv:2509.15541"
    # "Apply the proposed groups" with the w set beside them.
    at.number_input(key="w_dep_discount").set_value(0.35)
    at.button(key="dep_prop_apply").click().run()
    assert_clean(at)
    groups = [(item.group, item.discount) for item in at.session_state["items"]]
    assert groups == [("arXiv:2509.15541", 0.35), (None, 1.0), ("arXiv:2509.15541", 0.35), (None, 1.0), (None, 1.0)]
    assert "**The group that shared sources suggest is already applied.**" in shown(at)
    assert not any(b.key == "dep_prop_apply" for b in at.button)
    app_csv = download_bytes(media, button(at, "dl_dependence_csv"))
    # The same link in the CLI, the proposal applied with the same w: the same table, byte for byte.
    from beliefs.cli import main

    cli_csv = tmp_path / "d.csv"
    link = "http://127.0.0.1:8501/?" + urlencode(LINK)
    assert main(["dependence", link, "--apply-proposals", "--discount", "0.35", "--csv", str(cli_csv)]) == 0
    capsys.readouterr()
    assert cli_csv.read_bytes() == app_csv
    rows = {r["group"]: r for r in csv.DictReader(io.StringIO(app_csv.decode("utf-8")))}
    assert float(rows["arXiv:2509.15541"]["adjusted_bits"]) == pytest.approx(0.35 * (1 + 0.5849625007211562), rel=1e-12)


def test_nothing_to_say_is_said_plainly():
    at = new_app({"view": "analysis", "prior": "0.3"})
    assert_clean(at)
    texts = shown(at)
    assert "**No evidence is included, so the posterior is the prior, 30%, and crosses nothing.**" in texts
    assert "**No proposal: no item is included, so there is nothing to group.**" in texts
    assert any(re.fullmatch(r"\*\*No evidence is included, so the posterior equals the prior: .*\*\*", t) for t in texts)
