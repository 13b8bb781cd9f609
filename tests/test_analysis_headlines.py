"""The one sentence each analysis adds (issue 24 item 6), each against an independent computation.

Sequential: where the posterior crosses a threshold, against exact rational arithmetic (Fractions).
Prior robustness: the prior above which the posterior exceeds a threshold, against a root-finder
(brentq on update()) and against update() at that prior.  Tornado: items that state no uncertainty
are shown left out, against update() on the ledger without them.  Dependence: groups proposed from
shared sources, against a brute-force pairwise oracle, on the built-in scenarios and on hostile text.
"""

from __future__ import annotations

import math
import re
import sys
from fractions import Fraction

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from beliefs.analysis.dependence import NO_PROPOSAL, dependence, propose_groups
from beliefs.analysis.robustness import prior_robustness
from beliefs.analysis.sequential import plot_sequential, sequential
from beliefs.analysis.tornado import tornado_stated
from beliefs.evidence import BetaDist, Evidence, Source
from beliefs.format import format_probability
from beliefs.odds import log_odds
from beliefs.update import update


def lr(x, label="e", **kw):
    return Evidence(label, likelihood_ratio=float(x), **kw)


# -- sequential: where the posterior crosses the threshold -----------------------------------------

# Ratios and priors that are exact binary fractions or small rationals, so an exact oracle exists.
small_ratios = st.sampled_from([Fraction(n, d) for n in (1, 2, 3, 5, 7, 10) for d in (1, 2, 3, 5) if n != d])
small_priors = st.sampled_from([Fraction(n, 20) for n in range(1, 20)])
thresholds = st.sampled_from([Fraction(1, 10), Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(9, 10)])


def exact_crossings(prior: Fraction, ratios: list[Fraction], threshold: Fraction) -> list[tuple[int, str]]:
    """Each step where the exact posterior odds change side of the threshold's odds (no logarithms)."""
    t = threshold / (1 - threshold)
    o = prior / (1 - prior)
    sides = []
    for j in range(len(ratios) + 1):
        sides.append("above" if o > t else "below" if o < t else "at")
        if j < len(ratios):
            o *= ratios[j]
    return [(j, s) for j, s in enumerate(sides) if j and s != sides[j - 1]]


@settings(max_examples=150, deadline=None)
@given(small_priors, st.lists(small_ratios, max_size=6), thresholds)
def test_sequential_crossings_equal_exact_rational_arithmetic(prior, ratios, threshold):
    # Exact ties (1:3 x 3:1 on even odds) are common here and must read "at", whatever the floats round to.
    t = threshold / (1 - threshold)
    odds = [prior / (1 - prior) * math.prod(ratios[:j], start=Fraction(1)) for j in range(len(ratios) + 1)]
    r = sequential(float(prior), [lr(x, f"item {i}") for i, x in enumerate(ratios)], threshold=float(threshold))
    expected = exact_crossings(prior, ratios, threshold)
    assert list(r.crossings) == expected
    end = format_probability(update(float(prior), [lr(x) for x in ratios]).posterior_log_odds)
    t_text = format_probability(log_odds(float(threshold)))
    if not ratios:
        assert r.headline.startswith("No evidence is included")
    elif not expected and odds[0] == t:
        assert r.headline == f"The posterior stays at {t_text} at every step."
    elif not expected:
        side = "above" if odds[0] > t else "below"
        assert r.headline == (
            f"The posterior never crosses {t_text}: it stays {side} it at every step, "
            f"from {format_probability(log_odds(float(prior)))} to {end}."
        )
    elif len(expected) == 1:
        (j, side), = expected
        verb = {"above": "rises above", "below": "falls below", "at": "reaches"}[side]
        assert r.headline == f"The posterior {verb} {t_text} at step {j} (“item {j - 1}”) and ends at {end}."
    else:
        crosses = "reaches or crosses" if any(side == "at" for _, side in expected) else "crosses"
        assert r.headline.startswith(f"The posterior {crosses} {t_text} ")
        assert r.headline.endswith(f"; it ends at {end}.")
        for j, side in expected[:4]:
            verb = {"above": "rises above", "below": "falls below", "at": "reaches"}[side]
            assert f"{verb} it at step {j} (“item {j - 1}”)" in r.headline
    assert " at at " not in r.headline
    # The chart tells the same story, without the labels its rows already show.
    subtitle = " ".join(plot_sequential(r)["title"]["subtitle"])
    if expected:
        assert subtitle == f"{r.crossing_sentence(labelled=False)}."


def test_crossed_at_does_not_depend_on_how_a_tie_rounds():
    # 75% x 1:3 lands on 50% exactly.  Typed as the ratio 1/3 its log-odds round to -2.2e-16, as the
    # likelihoods 0.25 and 0.75 to 0: both reach the threshold from above and stay on its upper side.
    as_ratio = sequential(0.75, [lr(1 / 3, "a")], threshold=0.5)
    as_likelihoods = sequential(0.75, [Evidence("a", p_e_given_h=0.25, p_e_given_not_h=0.75)], threshold=0.5)
    assert as_ratio.log_odds[-1] < 0.0 == as_likelihoods.log_odds[-1]
    assert as_ratio.crossed_at is None and as_likelihoods.crossed_at is None
    # From below, reaching the threshold crosses onto its upper side: step 1 either way.
    assert sequential(0.25, [lr(3, "a")], threshold=0.5).crossed_at == 1
    assert sequential(0.25, [Evidence("a", p_e_given_h=0.75, p_e_given_not_h=0.25)], threshold=0.5).crossed_at == 1


def test_sequential_headline_on_worked_cases():
    # 1:3 x 3:1 lands exactly on even odds: it reaches 50%, it does not cross it, though the log-odds
    # ln(1/3) + ln 3 round to 1.1e-16 when the ratio is given as 3 (and to 0 as 0.75 vs 0.25).
    r = sequential(0.25, [lr(3, "the 2025 report")], threshold=0.5)
    assert r.log_odds[-1] != 0.0
    assert r.crossings == ((1, "at"),)
    assert r.headline == "The posterior reaches 50% at step 1 (“the 2025 report”) and ends at 50%."
    stated = Evidence("the 2025 report", p_e_given_h=0.75, p_e_given_not_h=0.25)
    assert sequential(0.25, [stated], threshold=0.5).headline == r.headline
    # 2:3 x 2 = 4:3 (57.14%) then x 1/4 = 1:3 (25%): up and back down.
    r = sequential(0.4, [lr(2, "a"), lr(0.25, "b")], threshold=0.5)
    assert r.headline == (
        "The posterior crosses 50% twice: it rises above it at step 1 (“a”) and falls below it at step 2 (“b”); "
        "it ends at 25%."
    )
    assert plot_sequential(r)["title"]["subtitle"] == [
        "The posterior crosses 50% twice: it rises above it at step", "1 and falls below it at step 2."
    ]
    # 1:3 x 3:1 lands on even odds, a step down leaves it, a step back up returns (the Analysis page's sample
    # ledger did this and read "at at step 1", while the chart said it crossed once).
    r = sequential(0.25, [lr(3, "a"), lr(0.5**0.5, "b"), lr(2**0.5, "c")], threshold=0.5)
    assert r.crossings == ((1, "at"), (2, "below"), (3, "at"))
    assert r.headline == (
        "The posterior reaches or crosses 50% 3 times: it reaches it at step 1 (“a”), falls below it at step 2 (“b”) "
        "and reaches it at step 3 (“c”); it ends at 50%."
    )
    assert " ".join(plot_sequential(r)["title"]["subtitle"]) == (
        "The posterior reaches or crosses 50% 3 times: it reaches it at step 1, falls below it at step 2 and reaches "
        "it at step 3."
    )
    r = sequential(0.2, [lr(1.5, "a"), lr(1.2, "b")], threshold=0.9)
    assert r.headline == "The posterior never crosses 90%: it stays below it at every step, from 20% to 31.03%."
    # Without a threshold the headline speaks of 50%, and says which threshold in the JSON.
    r = sequential(0.2, [lr(1.5, "a")])
    assert r.to_dict()["headline_threshold"] == 0.5 and "50%" in r.headline
    assert sequential(0.3, []).headline == "No evidence is included, so the posterior is the prior, 30%, and crosses nothing."
    # Excluded items take no step.
    r = sequential(0.4, [lr(100, "off", enabled=False), lr(2, "on")], threshold=0.5)
    assert r.headline == "The posterior rises above 50% at step 1 (“on”) and ends at 57.14%."


def test_sequential_headline_threshold_is_the_apps_default():
    from beliefs.analysis._common import HEADLINE_THRESHOLD
    from beliefs.io.settings import FIELDS

    assert FIELDS["thr"].default == HEADLINE_THRESHOLD


# -- prior robustness: the prior above which the posterior exceeds the threshold ----------------------

probs = st.floats(min_value=1e-6, max_value=1 - 1e-6, allow_nan=False)
ratios = st.floats(min_value=1e-4, max_value=1e4, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(probs, st.lists(ratios, min_size=1, max_size=4), st.sampled_from([0.05, 0.5, 0.9]))
@example(prior=0.5, lrs=[0.00390625, 0.00010000000000000002, 0.00010000000000000002], threshold=0.05)  # root 16.4
def test_crossing_prior_against_brentq_and_update(prior, lrs, threshold):
    from scipy.optimize import brentq

    items = [lr(x, f"e{i}", group="g" if i == 1 else None, discount=0.5 if i == 1 else 1.0) for i, x in enumerate(lrs)]
    r = prior_robustness(prior, items, threshold=threshold)
    assume(r.log_lr != 0)

    def gap(prior_log_odds: float) -> float:  # update()'s posterior minus the threshold, in log-odds
        p = 1 / (1 + math.exp(-prior_log_odds))
        return update(p, items).posterior_log_odds - log_odds(threshold)

    root = brentq(gap, -40.0, 40.0, xtol=1e-13, rtol=1e-14)
    # The oracle goes through the prior as a probability, and a double p near 0 or 1 fixes its log-odds only to
    # about eps * (1 + e^|x|) (2.4e-8 at x = 16.4, found by hypothesis): the tolerance is that conditioning, not slack.
    conditioning = 8 * sys.float_info.epsilon * (1 + math.exp(abs(root)))
    assert r.crossing_prior_log_odds == pytest.approx(root, abs=1e-9 + conditioning)
    # update() at the crossing prior gives the threshold back.
    assert update(r.crossing_prior, items).posterior == pytest.approx(threshold, rel=1e-9 + conditioning)
    # And the sentence says it with the project's one probability format.
    t = format_probability(log_odds(threshold))
    assert r.headline.startswith(f"Above a prior of {format_probability(r.crossing_prior_log_odds)}, the posterior exceeds {t} ")
    assert r.headline.endswith(
        f"your prior, {format_probability(log_odds(prior))}, gives {format_probability(update(prior, items).posterior_log_odds)}."
    )
    assert r.to_dict()["crossing_prior_log_odds"] == r.crossing_prior_log_odds


def test_crossing_prior_worked_cases():
    # 3:1 evidence: the posterior exceeds 50% above 1:3 odds, i.e. a 25% prior.
    r = prior_robustness(0.25, [lr(3, "report")])
    assert r.crossing_prior == pytest.approx(0.25, rel=1e-15)
    assert r.headline == "Above a prior of 25%, the posterior exceeds 50% (the evidence counts +1.58 bits); your prior, 25%, gives 50%."
    # Evidence against: 1:10 needs prior odds above 90:1 (90/91 = 98.9%) to exceed 90%.
    r = prior_robustness(0.2, [lr(0.1)], threshold=0.9)
    assert r.crossing_prior == pytest.approx(90 / 91, rel=1e-14)
    assert r.headline.startswith("Above a prior of 98.9%, the posterior exceeds 90% (the evidence counts -3.32 bits)")
    # Beyond a double's range the crossing prior stays exact in log-odds and is never "0%" or "(certain)".
    r = prior_robustness(0.2, [lr(1e300)] * 5)
    assert r.crossing_prior_log_odds == pytest.approx(-5 * 300 * math.log(10), rel=1e-14)
    assert "1e-1498%" in r.headline and "certain" not in r.headline
    # Nothing to say: said plainly.
    assert prior_robustness(0.2).headline == (
        "No evidence is included, so the posterior equals the prior: it exceeds 50% only for priors above 50%, "
        "and your prior, 20%, gives 20%."
    )
    assert prior_robustness(0.2, [lr(1)]).headline.startswith("The evidence sums to 0 bits")


# -- tornado: stated uncertainty, else leave-one-out --------------------------------------------------


def test_tornado_default_leaves_out_items_with_no_stated_uncertainty():
    sigma = lr(3, "vague", log_lr_sigma=0.8)
    beta = Evidence("beta", p_e_given_h=0.6, p_e_given_not_h=0.3, p_e_given_h_dist=BetaDist(6, 4), p_e_given_not_h_dist=BetaDist(3, 7))
    exact = lr(2, "exact")
    own = lr(1.5, "own")
    items = [sigma, beta, exact, own]
    r = tornado_stated(0.3, items, factors=[None, None, None, 4.0])
    rows = {row["label"]: row for row in r.rows()}
    assert {k: v["basis"] for k, v in rows.items()} == {
        "vague": "stated", "beta": "stated", "exact": "left out", "own": "own factor",
    }  # fmt: skip
    # The left-out bar runs from update() without the item to update() with it: 3:7 x 3 x ... / 2.
    without = update(0.3, [sigma, beta, own]).posterior
    assert rows["exact"]["low_posterior"] == pytest.approx(without, rel=1e-14)
    assert rows["exact"]["high_posterior"] == pytest.approx(update(0.3, items).posterior, rel=1e-14)
    assert rows["exact"]["range_rule"] == "left out, none stated"
    assert r.headline == (
        "Bars: “vague” and “beta”: own stated uncertainty (90% range of its σ or Beta); “own”: the ×/÷ factor "
        "you gave; “exact”: no uncertainty stated, so left out (the bar runs from the posterior without the item "
        "to the posterior with it)."
    )
    # With a common factor the old ×/÷ F range comes back, and the line says so.
    r = tornado_stated(0.3, items, factor=3, factors=[None, None, None, 4.0])
    row = next(x for x in r.rows() if x["label"] == "exact")
    assert row["basis"] == "common factor" and row["range_rule"] == "×/÷ 3"
    assert row["high_posterior"] == pytest.approx(update(0.3, [sigma, beta, lr(6, "exact"), own]).posterior, rel=1e-12)
    assert "“exact”: no uncertainty stated, so ×/÷ 3 (the common factor)" in r.headline


def test_tornado_headline_when_every_item_is_one_kind():
    r = tornado_stated(0.25, [lr(3, "report")])
    assert r.headline == (
        "No item states its uncertainty, so each bar shows the item left out: it runs from the posterior "
        "without the item to the posterior with it."
    )
    (row,) = r.rows()
    assert (row["low_posterior"], row["loo_posterior"]) == (0.25, 0.25)
    assert row["high_posterior"] == pytest.approx(update(0.25, [lr(3)]).posterior, rel=1e-15)
    r = tornado_stated(0.25, [lr(3, "a", log_lr_sigma=1.0)], interval=0.8)
    assert r.headline == "Each bar is the item's own stated uncertainty (80% range of its σ or Beta)."
    assert tornado_stated(0.25, []).headline == "No evidence is included: there is nothing to rank."
    # An item against H left out: the bar still runs from without to with, low end first.
    (row,) = tornado_stated(0.5, [lr(0.25, "against")]).rows()
    assert (row["low_posterior"], row["high_posterior"]) == (pytest.approx(0.2, rel=1e-15), 0.5)


# -- dependence: groups proposed from shared sources -------------------------------------------------


def test_builtin_scenarios_alone_have_nothing_to_group_and_together_share_one_item():
    from beliefs.io.scenario import builtin_scenarios

    scenarios = builtin_scenarios()
    for s in scenarios.values():
        p = propose_groups(s.evidence_items())
        assert p.proposals == () and p.headline == "No proposal: only one item is included, so there is nothing to group."
    # Every built-in reads the same 2025 report from the same thread: pooled, they are one proposed group.
    pooled = [e for s in scenarios.values() for e in s.evidence_items()]
    p = propose_groups(pooled)
    (group,) = p.proposals
    assert group.numbers == tuple(range(1, len(pooled) + 1))
    # They share the thread's citation too; the reason given is the most specific thing they share.
    assert {e.source.citation for e in pooled} == {"LessWrong comment thread (2025) under a review of *If Anyone Builds It, Everyone Dies*"}
    assert group.reasons == ("the same item id “report_2025”",) and group.name == "report_2025"
    assert p.headline == (
        f"Shared sources suggest 1 dependence group ({len(pooled)} items); nothing is grouped until you apply or edit the proposal."
    )


def test_catalogue_items_from_one_paper_are_proposed_and_applied():
    from beliefs.io.catalogue import get_entry

    o3 = get_entry("antischeming_o3_covert_rate").to_evidence(likelihood_ratio=2.0, label="o3")
    o4 = get_entry("antischeming_o4mini_covert_rate").to_evidence(likelihood_ratio=3.0, label="o4-mini")
    other = get_entry("sleeper_agents_persistence").to_evidence(likelihood_ratio=5.0, label="sleeper agents")
    items = [o3, lr(4, "typed, no source"), o4, other]
    p = propose_groups(items)
    (group,) = p.proposals
    assert group.members == (0, 2) and group.name == "arXiv:2509.15541"
    assert group.reasons == ("both cite arXiv:2509.15541",)
    assert group.line == "“arXiv:2509.15541”: items 1 and 3 (“o3” and “o4-mini”): both cite arXiv:2509.15541."
    # Nothing is grouped until applied; applied, the group counts w x (ln 2 + ln 3).
    assert all(e.group is None for e in items)
    grouped = p.apply(items, 0.5)
    r = dependence(0.25, grouped)
    odds = (1 / 3) * math.sqrt(2 * 3) * 4 * 5
    assert r.adjusted.posterior == pytest.approx(odds / (1 + odds), rel=1e-13)
    assert r.naive.posterior == pytest.approx((1 / 3) * 120 / (1 + (1 / 3) * 120), rel=1e-13)
    after = propose_groups(grouped)
    assert after.headline == "The group that shared sources suggest is already applied."
    assert after.proposals[0].line.endswith("(already grouped).")


def test_proposal_keys_url_doi_citation_and_existing_groups():
    a = lr(2, "a", source=Source("Paper A", url="https://WWW.Example.org/paper/"))
    b = lr(2, "b", source=Source("A different citation", url="https://example.org/paper"))
    c = lr(2, "c", source=Source("Smith 2024, doi:10.1000/xyz123."))
    d = lr(2, "d", source=Source("Smith (2024) https://doi.org/10.1000/XYZ123"))
    e = lr(2, "e", source=Source("  my   notes. "), group="mine", discount=0.5)
    f = lr(2, "f", source=Source("My notes"))
    g = lr(2, "g", source=Source("My notes"), enabled=False)  # excluded: not proposed
    p = propose_groups([a, b, c, d, e, f, g])
    got = {grp.members: (grp.name, grp.reasons) for grp in p.proposals}
    assert got[(0, 1)] == ("example.org/paper", ("the same source URL “https://WWW.Example.org/paper/”",))
    assert got[(2, 3)] == ("doi:10.1000/xyz123", ("both cite doi:10.1000/xyz123",))
    assert got[(4, 5)] == ("my notes.", ("the same citation “my notes.”",))
    line = next(grp.line for grp in p.proposals if grp.members == (4, 5))
    assert line.endswith("(moves item 5 out of group “mine”).")
    # A proposed name never takes a name another group already uses.
    clash = propose_groups([lr(2, "x", group="arXiv:2509.15541", discount=0.5),
                            lr(2, "y", source=Source("arXiv:2509.15541")), lr(2, "z", source=Source("arXiv:2509.15541"))])  # fmt: skip
    assert clash.proposals[0].name == "arXiv:2509.15541 (2)"


sources = st.sampled_from(
    [None, Source("Paper A"), Source("paper  a."), Source("B", url="https://b.org/x"), Source("C", url="https://B.org/x/"),
     Source("D, arXiv:2401.05566"), Source("E", url="https://arxiv.org/abs/2401.05566"), Source("F")]
)  # fmt: skip
ids = st.sampled_from([None, "entry_1", "entry_2"])


def _pairwise_share(x: Evidence, y: Evidence) -> bool:
    """Brute-force oracle: do two items share an id, a citation, a URL or an arXiv id (the rules, restated)?"""

    def norm(text: str) -> str:
        return " ".join(text.split()).casefold().rstrip(". ")

    def url(s: Source) -> str:
        return re.sub(r"^https?://(www\.)?", "", s.url.strip().casefold()).rstrip("/")

    def arxiv(s: Source) -> set[str]:
        return set(re.findall(r"(?i)arxiv(?:\.org/abs/|:)\s?([0-9]{4}\.[0-9]{4,5})", f"{s.citation} {s.url}"))

    if x.id and x.id == y.id:
        return True
    if x.source is None or y.source is None:
        return False
    sx, sy = x.source, y.source
    return norm(sx.citation) == norm(sy.citation) or bool(sx.url and url(sx) == url(sy)) or bool(arxiv(sx) & arxiv(sy))


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(sources, ids, st.booleans()), max_size=8))
def test_proposals_are_the_connected_components_of_sharing(specs):
    items = [lr(2, f"i{k}", source=s, id=i, enabled=on) for k, (s, i, on) in enumerate(specs)]
    on = [k for k, e in enumerate(items) if e.enabled]
    # Components of the "shares something" graph over the included items, by brute force.
    component = {k: {k} for k in on}
    for a in on:
        for b in on:
            if a < b and _pairwise_share(items[a], items[b]) and component[a] is not component[b]:
                merged = component[a] | component[b]
                for k in merged:
                    component[k] = merged
    expected = sorted({tuple(sorted(c)) for c in component.values() if len(c) > 1})
    p = propose_groups(items)
    assert sorted(g.members for g in p.proposals) == expected
    assert len({g.name for g in p.proposals}) == len(p.proposals)
    assert (p.headline == NO_PROPOSAL) == (not expected and len(on) >= 2)


HOSTILE_LABEL = "evil\n[click](javascript:alert(1)) \x1b[31mred\x1b[0m \u202eeman *bold* <script>|"
HOSTILE_CITATION = "Evil\r\n\x1b]8;;http://x\x07cite\u2066 <img src=x> `code` $math$"


def test_hostile_labels_and_sources_give_one_line_proposals():
    items = [lr(2, HOSTILE_LABEL, source=Source(HOSTILE_CITATION)), lr(3, HOSTILE_LABEL + "2", source=Source(HOSTILE_CITATION))]
    p = propose_groups(items)
    (group,) = p.proposals
    for text in [p.headline, group.line, *group.reasons]:
        assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", text), text  # one line, no terminal codes
    # The name is link-safe plain text (no '~', no markup, no controls).
    assert re.fullmatch(r"[\w .:/()…-]+", group.name), group.name
    # Applied, the hostile group name is an ordinary group.
    grouped = p.apply(items, 0.5)
    assert {e.group for e in grouped} == {group.name}


# -- the command line: the sentence first in the human output, and a JSON field ---------------------


def _run(capsys, *argv):
    from beliefs.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, *argv):
    import json

    code, out, err = _run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("name", ["report-3-to-1", "carlsmith", "report-confusion", "stated-3-to-1"])
def test_cli_sentences_lead_and_are_in_the_json(capsys, name):
    from beliefs.io.scenario import get_scenario

    scn = get_scenario(name)
    items = scn.evidence_items()
    seq = _json(capsys, "sequential", name)
    assert seq["threshold"] == 0.5  # the app's default threshold, so the CLI says what the app says
    assert seq["headline"] == sequential(scn.prior, items, threshold=0.5).headline
    assert {"crossings", "headline_threshold"} <= set(seq)
    rob = _json(capsys, "robustness", name)
    assert {"headline", "threshold", "crossing_prior", "crossing_prior_log_odds"} <= set(rob)
    assert rob["crossing_prior_log_odds"] == pytest.approx(-update(0.5, items).posterior_log_odds, abs=1e-15)
    tor = _json(capsys, "tornado", name)
    assert tor["mode"] == "stated" and tor["factor"] is None
    assert [row["basis"] for row in tor["rows"]] == ["left out"]
    assert tor["headline"].startswith("No item states its uncertainty")
    dep = _json(capsys, "dependence", name)
    assert {"headline", "proposals", "applied"} <= set(dep) and dep["proposals"] == [] and dep["applied"] == []
    for command, data in (("sequential", seq), ("robustness", rob), ("tornado", tor), ("dependence", dep)):
        code, out, err = _run(capsys, command, name)
        assert code == 0, err
        assert out.splitlines()[0] == data["headline"]


def test_cli_robustness_threshold_and_the_files_setting(capsys, tmp_path):
    import json

    data = _json(capsys, "robustness", "report-confusion", "--threshold", "0.9")
    # The evidence is 3:2 (0.75 vs 0.5), so the posterior exceeds 90% (9:1) above prior odds of 6:1, i.e. 6/7.
    assert data["crossing_prior"] == pytest.approx(6 / 7, rel=1e-14)
    assert data["headline"].startswith("Above a prior of 85.71%, the posterior exceeds 90%")
    from beliefs.io.scenario import get_scenario, scenario_to_json

    doc = json.loads(scenario_to_json(get_scenario("report-confusion")))
    doc["app"] = {"thr": "0.9"}
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert _json(capsys, "robustness", path)["headline"] == data["headline"]
    assert _json(capsys, "sequential", path)["threshold"] == 0.9


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["robustness", "carlsmith", "--threshold", "1"], "--threshold: got '1'; expected a probability strictly between 0 and 1"),
        (["robustness", "carlsmith", "--threshold", "abc"], "--threshold: got 'abc'"),
        (["robustness", "carlsmith", "--data", "--threshold", "0.5"], "--threshold: got '0.5'; expected a threshold only without --data"),
        (["dependence", "carlsmith", "--apply-proposals"], "--discount: got '(not given)'; expected a discount w in (0, 1] for the proposed groups"),
        (["dependence", "carlsmith", "--apply-proposals", "--discount", "1.5"], "--discount: got '1.5'"),
        (["dependence", "carlsmith", "--discount", "0.5"], "expected a discount only with --group LABEL_OR_ID=NAME or --apply-proposals"),
    ],
)  # fmt: skip
def test_cli_bad_input_is_one_line_naming_the_option_and_value(capsys, argv, said):
    code, out, err = _run(capsys, *argv)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and said in lines[0] and "Traceback" not in err, lines


@pytest.fixture
def shared_file(tmp_path):
    """Three catalogue items from one paper, one from another and a typed one; a hostile label among them."""
    from beliefs.io.catalogue import get_entry
    from beliefs.io.scenario import Scenario, scenario_to_json

    items = [
        get_entry("antischeming_o3_covert_rate").to_evidence(likelihood_ratio=2.0, label=HOSTILE_LABEL),
        get_entry("sleeper_agents_persistence").to_evidence(likelihood_ratio=5.0, label="sleeper agents"),
        get_entry("antischeming_o4mini_covert_rate").to_evidence(likelihood_ratio=3.0, label="o4-mini"),
        lr(4, "typed"),
        lr(1.5, "cites the thread", source=Source(HOSTILE_CITATION)),
        lr(1.2, "cites the thread again", source=Source(HOSTILE_CITATION.upper())),
    ]
    path = tmp_path / "shared.json"
    path.write_text(scenario_to_json(Scenario.from_evidence(0.25, items, name="shared")), encoding="utf-8")
    return path


def test_cli_dependence_lists_then_applies_the_proposal(capsys, shared_file):
    data = _json(capsys, "dependence", shared_file)
    assert data["headline"] == "Shared sources suggest 2 dependence groups (4 items); nothing is grouped until you apply or edit the proposal."
    names = [g["name"] for g in data["proposals"]]
    assert [g["items"] for g in data["proposals"]] == [[1, 3], [5, 6]] and names[0] == "arXiv:2509.15541"
    assert data["adjusted_posterior"] == data["naive_posterior"] and data["applied"] == []
    # Human output: each proposal on one line, terminal codes and bidi controls shown escaped.
    code, out, err = _run(capsys, "dependence", shared_file)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == data["headline"] and lines[1].startswith("  “arXiv:2509.15541”: items 1 and 3 (“evil\\n[click]")
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)
    assert "cite\\u2066 <img src=x>" in lines[2]  # the isolate shown as an escape, the rest as text
    assert lines[3] == "to apply: --apply-proposals --discount W; to edit: --group LABEL_OR_ID=NAME as well"
    # Applied with w = 0.5: each group counts half its summed log ratio.
    data = _json(capsys, "dependence", shared_file, "--apply-proposals", "--discount", "0.5")
    assert data["applied"] == names
    assert data["headline"] == "All 2 groups that shared sources suggest are already applied."
    odds = (1 / 3) * math.sqrt(2 * 3) * 5 * 4 * math.sqrt(1.5 * 1.2)
    assert data["adjusted_posterior"] == pytest.approx(odds / (1 + odds), rel=1e-13)
    # Edited: --group after --apply-proposals takes an item back out.
    data = _json(capsys, "dependence", shared_file, "--apply-proposals", "--discount", "0.5", "--group", "o4-mini=")
    odds = (1 / 3) * math.sqrt(2) * 5 * 3 * 4 * math.sqrt(1.5 * 1.2)
    assert data["adjusted_posterior"] == pytest.approx(odds / (1 + odds), rel=1e-13)


def test_cli_tornado_default_and_common_factor(capsys, shared_file):
    data = _json(capsys, "tornado", shared_file)
    assert {row["basis"] for row in data["rows"]} == {"left out"} and data["factor"] is None
    data = _json(capsys, "tornado", shared_file, "--factor", "3")
    assert {row["basis"] for row in data["rows"]} == {"common factor"} and data["factor"] == 3.0
    assert data["headline"].endswith(": no uncertainty stated, so ×/÷ 3 (the common factor).")
