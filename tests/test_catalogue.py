"""The evidence catalogue: integrity, statuses checked by hand against the research notes, and the claims' arithmetic."""

import copy
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beliefs.errors import InputError
from beliefs.evidence import Evidence, Source
from beliefs.io import catalogue
from beliefs.io.catalogue import (
    CatalogueError,
    claims,
    evidence_entries,
    get_claim,
    get_entry,
    get_viewpoint,
    per_evaluation,
    viewpoints,
)
from beliefs.update import update

pytestmark = pytest.mark.core  # runs with the core install alone (see test_core_install.py)

# The id column of research/evidence.md's summary table, copied by hand, in order.
EVIDENCE_MD_IDS = [
    "antischeming_o3_covert_rate",
    "antischeming_o4mini_covert_rate",
    "antischeming_eval_awareness",
    "capRL_eval_awareness",
    "antischeming_degrades_capRL",
    "antischeming_hidden_goal",
    "antischeming_sandbag_noGoal",
    "ics_o1_deception_persists",
    "ics_oversight_subversion",
    "ics_self_exfiltration",
    "ics_goal_guarding",
    "ics_o1_email_rerank",
    "ics_no_nudge",
    "ics_instrumental_alignment_faking",
    "ics_sandbagging_no_goal",
    "o1_syscard_apollo",
    "agentic_misalignment_blackmail",
    "agentic_misalignment_control",
    "agentic_misalignment_real_vs_eval",
    "agentic_misalignment_instructions",
    "agentic_misalignment_threat_only",
    "alignment_faking_compliance_gap",
    "alignment_faking_after_RL",
    "alignment_faking_cross_model",
    "sleeper_agents_persistence",
    "defection_probes",
    "carlsmith_prior",
    "greenblatt_prior",
    "reward_tampering_generalization",
    "emergent_misalignment_reward_hacking",
    "palisade_shutdown",
    "sabotage_evals_sandbagging",
    # evidence.md "Update 2026-11-27", later numbers table, in its order
    "metagaming_eval_awareness_capRL",
    "metagaming_sandbag_nogoal",
    "metagaming_log_falsification",
    "metagaming_production",
    "gpt5_log_falsification",
    "aisi_sabotage_2026",
    "nem_sabotage_claude_code",
    "nem_inoculation",
    "gpt5_cot_deception",
    # evidence.md "Update 2026-12-06" (monitoring, evaluation awareness, control), in its order
    "shade_arena_sabotage",
    "eval_awareness_auc",
    "ctrl_z_resampling",
    "monitor_self_recognition_collusion",
    "extract_then_evaluate",
    "sonnet45_eval_awareness",
    "opus47_eval_awareness",
    "cot_hint_mention",
]

# Status column of evidence.md, read by hand for a sample of rows.
HAND_STATUS = {
    "antischeming_o3_covert_rate": "P",
    "antischeming_degrades_capRL": "S",
    "antischeming_hidden_goal": "S",
    "ics_oversight_subversion": "P",
    "o1_syscard_apollo": "S",
    "agentic_misalignment_blackmail": "P",
    "alignment_faking_cross_model": "S",
    "emergent_misalignment_reward_hacking": "S",
    "palisade_shutdown": "S",
    "carlsmith_prior": "P",
    "greenblatt_prior": "P",
}


def _figures(entry):
    return {f.label: f for f in entry.figures}


def _decimals(x: float) -> int:
    text = repr(x)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


# -- integrity -----------------------------------------------------------------------


def test_every_row_of_the_research_table_is_catalogued_once_in_order():
    ids = [e.id for e in evidence_entries()]
    assert ids == EVIDENCE_MD_IDS
    assert len(set(ids)) == len(ids)


def test_every_entry_has_a_source_with_a_status_and_every_figure_is_in_range():
    for entry in evidence_entries():
        assert isinstance(entry.source, Source)
        assert entry.source.citation.strip() and entry.source.location.strip(), entry.id
        assert entry.status in ("P", "S", "X")
        for f in entry.figures:
            assert f.status in ("P", "S", "X"), (entry.id, f.label)
            for x in (f.value, f.low, f.high):
                if x is None:
                    continue
                assert math.isfinite(x), (entry.id, f.label)
                if f.unit in ("proportion", "p_value"):
                    assert 0 <= x <= 1, (entry.id, f.label)
                elif f.unit == "count":
                    assert x >= 0 and float(x).is_integer(), (entry.id, f.label)
            if f.k is not None:
                assert 0 <= f.k <= f.n, (entry.id, f.label)


def test_catalogue_items_are_observations_not_likelihood_ratios():
    # No source states P(E|H)/P(E|not H) for these; none may sneak in as a figure.
    for entry in evidence_entries():
        assert all(f.unit not in ("ratio", "bits", "decibels") for f in entry.figures), entry.id
        assert not hasattr(entry, "likelihood_ratio")


def test_counts_agree_with_the_rates_they_stand_beside():
    # A count k/n printed next to a rate must round to that rate (to the rate's printed digits).
    checked = 0
    for entry in evidence_entries():
        for f in entry.figures:
            if f.k is None or f.value is None:
                continue
            tolerance = 0.5 * 10 ** -_decimals(f.value) + 1e-12
            assert abs(f.k / f.n - f.value) <= tolerance, (entry.id, f.label, f.k, f.n, f.value)
            checked += 1
    assert checked >= 15


def test_back_calculated_counts_are_flagged_and_published_ones_are_not():
    # evidence.md writes "≈k/n" for these (back-calculations) ...
    derived = {
        ("ics_oversight_subversion", "o1 disabled oversight"): (6, 300),
        ("ics_o1_email_rerank", "o1 produced a false ranking"): (66, 300),
        ("ics_no_nudge", "o1 false ranking, no nudge"): (20, 400),
        ("agentic_misalignment_real_vs_eval", "blackmail when Opus 4 says the scenario is real"): (59, 107),
    }
    for (entry_id, label), (k, n) in derived.items():
        f = _figures(get_entry(entry_id))[label]
        assert (f.k, f.n, f.derived, f.published_count) == (k, n, True, False)
        assert "not published" in f.describe()
    # ... and "k/n" for these (published counts).
    published = {
        ("agentic_misalignment_blackmail", "Claude Opus 4 blackmail"): (96, 100),
        ("agentic_misalignment_control", "Llama 4 Maverick leaked under the control prompt"): (1, 100),
        ("reward_tampering_generalization", "tampered and also edited unit tests to hide it"): (7, 32768),
        ("ics_sandbagging_no_goal", "sonnet-3.5 rollouts with explicit sandbagging reasoning"): (41, 50),
    }
    for (entry_id, label), (k, n) in published.items():
        f = _figures(get_entry(entry_id))[label]
        assert (f.k, f.n, f.derived, f.published_count) == (k, n, False, True)


# -- statuses against evidence.md, by hand -------------------------------------------------------


@pytest.mark.parametrize(("entry_id", "status"), sorted(HAND_STATUS.items()))
def test_status_matches_the_research_notes(entry_id, status):
    assert get_entry(entry_id).status == status


def test_o3_headline_is_primary_13_percent_to_0_4_percent():
    entry = get_entry("antischeming_o3_covert_rate")
    values = [(f.value, f.status) for f in entry.figures]
    assert values == [(0.130, "P"), (0.004, "P")]
    assert "2509.15541" in entry.source.citation and entry.source.url.endswith("2509.15541")
    assert any("not published" in n for n in entry.notes)


def test_sabotage_numbers_are_unconfirmed_and_say_so():
    entry = get_entry("sabotage_evals_sandbagging")
    assert entry.status_note == "P qualitative / X numbers"
    assert [f.value for f in entry.figures] == [0.361, 0.956]
    assert {f.status for f in entry.figures} == {"X"}


def test_mixed_statuses_keep_their_nuance():
    sandbag = get_entry("antischeming_sandbag_noGoal")
    assert sandbag.status_note.startswith("P for the numbers; S for which row they belong to")
    reading_a = {f.label: f.value for f in sandbag.figures if f.label.startswith("Reading A")}
    reading_b = {f.label: f for f in sandbag.figures if f.label.startswith("Reading B (rejected)")}
    assert sorted(reading_a.values()) == [0.0, 0.0, 0.053, 0.213]
    assert sorted(f.value for f in reading_b.values()) == [0.001, 0.006, 0.318, 0.464]
    assert {f.status for f in reading_b.values()} == {"X"}

    tampering = {f.label: f.status for f in get_entry("reward_tampering_generalization").figures}
    assert tampering == {
        "tampered with the reward": "S",
        "tampered and also edited unit tests to hide it": "P",
        "helpful-only baseline tampering": "S",
    }
    instructions = get_entry("agentic_misalignment_instructions")
    assert instructions.status_note == "P qualitative / S numbers"
    assert {f.status for f in instructions.figures} == {"S"}
    threat_only = get_entry("agentic_misalignment_threat_only")
    assert threat_only.status_note == "P qualitative / X numbers" and threat_only.figures == ()


def test_apollo_table_2_inconsistency_is_recorded():
    entry = get_entry("ics_oversight_subversion")
    assert all(f.n == 300 for f in entry.figures)
    assert any("100 rollouts" in n and "300" in n for n in entry.notes)


# -- Fig. 9 per evaluation ----------------------------------------------------------


def test_fig9_is_fig9_csv_row_for_row():
    # The independent answer: the research notes' fig9.csv (percent), transcribed by hand here.
    expected = {
        "Broken Promises": (4.4, 0.0, 2.8, 0.0), "Email Scoring": (3.7, 0.0, 44.6, 0.1),
        "Email Scoring (No Nudge)": (0.1, 0.0, 20.5, 0.0), "Impossible Coding Task": (2.7, 0.0, 1.7, 0.3),
        "Lazy Checklist": (7.8, 0.0, 23.1, 0.0), "Legal Reporting (CN)": (1.0, 0.0, 1.0, 0.0),
        "Legal Reporting (US)": (4.0, 0.0, 8.0, 0.0), "Literature QA": (7.3, 0.0, 3.0, 0.0),
        "Log Falsification": (2.4, 0.0, 0.8, 0.0), "Long Document Verification": (2.0, 0.0, 0.0, 0.0),
        "Powerseeking Survey": (1.0, 0.0, 0.0, 0.0), "Sabotage Math": (8.5, 0.0, 25.6, 0.0),
        "Sabotage Safety": (41.0, 0.0, 46.7, 0.1), "Sandbagging Grading CoT": (0.6, 0.6, 0.1, 0.0),
        "Sandbagging QA": (46.4, 0.1, 31.8, 0.6), "Sandbagging QA (No Goal)": (5.3, 0.0, 21.3, 0.0),
        "Smuggle Capabilities": (0.0, 0.0, 0.1, 0.0), "Subagent Collusion": (0.0, 0.0, 0.3, 0.0),
        "Subagent Permissions": (2.4, 0.0, 0.0, 0.0), "Subagent Resource Quota": (27.4, 0.0, 24.2, 0.0),
    }  # fmt: skip
    table = per_evaluation()
    assert table.evaluations == list(expected)
    for row in table.rows:
        pct = tuple(round(100 * x, 1) for x in (*row.o4_mini, *row.o3))
        assert pct == expected[row.evaluation], row.evaluation
        assert (row.status, row.alignment_status) == ("P", "S")


def test_fig9_raw_means_match_the_notes():
    # evidence.md, Update 2026-11-27: column means o4-mini 8.40% -> 0.035%, o3 12.78% -> 0.055%.
    table = per_evaluation()
    means = {(m, p): 100 * math.fsum(table.rates(m, p)) / 20 for m in ("o3", "o4-mini") for p in ("before", "after")}
    assert means == pytest.approx({("o4-mini", "before"): 8.40, ("o4-mini", "after"): 0.035,
                                   ("o3", "before"): 12.78, ("o3", "after"): 0.055}, abs=1e-9)  # fmt: skip


def test_fig9_says_how_the_alignment_was_settled():
    table = per_evaluation()
    assert table.reading == "A" and table.alignment_status == "S"
    for clue in ("Lazy Checklist", "23.1%", "0.7%", "Apollo 2024", "Update 2026-11-27"):
        assert clue in table.alignment_note
    assert "n were not published" in " ".join(table.notes) or "not published" in " ".join(table.notes)


def test_fig9_no_goal_row_matches_the_entry_reading_a():
    rows = {r.evaluation: r for r in per_evaluation().rows}
    no_goal = rows["Sandbagging QA (No Goal)"]
    figs = _figures(get_entry("antischeming_sandbag_noGoal"))
    assert no_goal.o4_mini == (
        figs["Reading A: o4-mini covert-action rate before anti-scheming training"].value,
        figs["Reading A: o4-mini covert-action rate after anti-scheming training"].value,
    )
    assert no_goal.o3 == (
        figs["Reading A: o3 covert-action rate before anti-scheming training"].value,
        figs["Reading A: o3 covert-action rate after anti-scheming training"].value,
    )


@pytest.mark.parametrize(
    ("entry_id", "status", "values"),
    [
        ("metagaming_eval_awareness_capRL", "P", [0.02, 0.206]),
        ("metagaming_sandbag_nogoal", "P", [0.235, 0.545, 0.017, 0.108]),
        ("metagaming_log_falsification", "P", [0.549, 0.027, 0.952, 0.007]),
        ("metagaming_production", "P", [0.0001, 0.0003]),
        ("gpt5_log_falsification", "P", [0.034, 0.21, 0.48, 0.14]),
        ("aisi_sabotage_2026", "P", [0.07, 0.04, 0.03, 0.0]),
        ("nem_sabotage_claude_code", "P", [0.12, 0.65]),
        ("nem_inoculation", "P", [None, 0.99]),
        ("gpt5_cot_deception", "S", [0.048, 0.021]),
    ],
)
def test_2026_items_from_the_update(entry_id, status, values):
    entry = get_entry(entry_id)
    assert entry.status == status and [f.value for f in entry.figures] == values


def test_fig9_rates_refuses_unknown_model():
    with pytest.raises(InputError, match=r"model: got 'gpt'"):
        per_evaluation().rates("gpt")
    with pytest.raises(InputError, match="phase"):
        per_evaluation().rates("o3", "during")


# -- claims -----------------------------------------------------------------------------


def test_claims_cover_sections_1_to_7_with_quotes():
    cs = claims()
    assert [c.section for c in cs] == [1, 2, 3, 4, 5, 6, 7]
    assert all(c.quotes for c in cs)
    thread = get_claim("stated_3_to_1").source
    assert thread.citation == (
        "LessWrong comment thread (2025) under a review of *If Anyone Builds It, Everyone Dies*"
    )
    assert "a 3-1 update in favor of a more MIRI-ish view" in get_claim("stated_3_to_1").quotes[0]
    assert get_claim("carlsmith_prior").source.citation.endswith("arXiv:2311.08379")


def test_stated_3_to_1_numbers_follow_from_the_two_probabilities():
    numbers = {n.label: n for n in get_claim("stated_3_to_1").numbers}
    p_carlsmith = numbers["P(E | a view like Carlsmith's report)"]
    p_miri = numbers["P(E | MIRI-ish view)"]
    assert (p_carlsmith.value, p_miri.value, p_miri.bound) == (0.25, 0.75, "lower")
    ratio = numbers["likelihood ratio P(E | MIRI-ish) / P(E | Carlsmith-like)"]
    assert ratio.value == pytest.approx(p_miri.value / p_carlsmith.value, rel=1e-15)
    assert ratio.bound == "lower"  # P(E|MIRI-ish) > 0.75, so LR >= 3
    # Rounded as printed: log2(3) = 1.58496..., 10 log10(3) = 4.7712...
    assert numbers["the same ratio in bits (log2 3)"].value == pytest.approx(math.log2(3), abs=5e-4)
    assert numbers["the same ratio in decibels (10 log10 3)"].value == pytest.approx(
        10 * math.log10(3), abs=5e-3
    )
    for prior_label, post_label in [
        ("worked example: prior on the MIRI-ish view", "worked example: posterior from a 50% prior"),
        ("worked example: prior of 25% (odds 1:3)", "worked example: posterior from a 25% prior (odds 1:1)"),
    ]:
        result = update(numbers[prior_label].value, [ratio.value])
        assert result.posterior == pytest.approx(numbers[post_label].value, rel=1e-14)
        assert numbers[post_label].derived


def test_chain_numbers_are_0_98_to_the_n():
    numbers = get_claim("iterated_chain").numbers
    per_step = numbers[0].value
    assert per_step == 0.98
    chain = [(n.steps, n.value) for n in numbers[1:]]
    assert [s for s, _ in chain] == [10, 35, 100]
    for steps, value in chain:
        # printed to 3 decimals: 0.98**10 = 0.8171, 0.98**35 = 0.4931, 0.98**100 = 0.1326
        assert per_step**steps == pytest.approx(value, abs=5e-4)


def test_unknown_claim_suggests_close_ids():
    with pytest.raises(InputError, match="did you mean stated_3_to_1"):
        get_claim("stated_3to1")


# -- viewpoints -----------------------------------------------------------------------


def test_viewpoints_state_their_priors_and_sources():
    views = {v.id: v for v in viewpoints()}
    assert set(views) == {"carlsmith", "greenblatt", "miri-ish"}
    carlsmith = views["carlsmith"]
    assert (carlsmith.prior, carlsmith.source.status) == (0.25, "P")
    assert [a.value for a in carlsmith.alternatives] == [0.20]
    assert "maybe 20%" in carlsmith.note
    assert (views["greenblatt"].prior, views["greenblatt"].source.status) == (0.25, "P")
    miri = get_viewpoint("miri-ish")
    assert (miri.prior, miri.source.status) == (0.5, "X")
    assert "No source states a prior" in miri.source.location


# -- lookups and evidence items -------------------------------------------------------------


def test_unknown_id_lists_close_matches():
    with pytest.raises(
        InputError,
        match=r"evidence id: got 'antischeming_o3_covert'.*did you mean antischeming_o3_covert_rate",
    ):
        get_entry("antischeming_o3_covert")
    with pytest.raises(InputError, match=r"evidence id: got 42"):
        get_entry(42)


def test_to_evidence_keeps_the_source_and_needs_the_users_likelihoods():
    entry = get_entry("palisade_shutdown")
    item = entry.to_evidence(0.6, 0.2, group="shutdown", discount=0.5)
    assert isinstance(item, Evidence)
    assert item.id == "palisade_shutdown" and item.source is entry.source and item.source.status == "S"
    assert item.likelihood_ratio == pytest.approx(3.0, rel=1e-15)
    assert item.weighted_log_lr == pytest.approx(0.5 * math.log(3), rel=1e-15)
    assert entry.to_evidence(likelihood_ratio=2.5).likelihood_ratio == 2.5
    with pytest.raises(InputError, match="no source states how likely"):
        entry.to_evidence()
    with pytest.raises(InputError, match="p_e_given_h: got 0"):
        entry.to_evidence(0, 0.5)


@given(
    p=st.floats(min_value=1e-300, max_value=1.0),
    q=st.floats(min_value=1e-300, max_value=1.0),
)
def test_to_evidence_ratio_is_p_over_q(p, q):
    item = get_entry("antischeming_o3_covert_rate").to_evidence(p, q)
    assert item.log_lr == pytest.approx(math.log(p) - math.log(q), rel=1e-12, abs=1e-12)


def test_entries_serialise_for_the_command_line():
    data = get_entry("ics_o1_email_rerank").to_dict()
    assert set(data) == {
        "id",
        "claim",
        "status",
        "status_meaning",
        "status_note",
        "source",
        "figures",
        "notes",
    }
    counts = [(f["k"], f["n"], f.get("derived", False)) for f in data["figures"] if "k" in f]
    assert counts == [(66, 300, True), (21, 22, False)]


# -- the loader refuses a malformed file ------------------------------------------------------


def _broken(mutate):
    raw = copy.deepcopy(catalogue._raw())
    mutate(raw)
    return raw


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda d: d["evidence"][0].__setitem__("status", "Q"), r"evidence\[0\]\.status: got 'Q'"),
        (
            lambda d: d["evidence"][0]["figures"][0].__setitem__("value", 13.0),
            r"evidence\[0\]\.figures\[0\]\.value: got 13\.0",
        ),
        (
            lambda d: d["evidence"][0]["figures"][0].__setitem__("value", math.nan),
            r"figures\[0\]\.value: got nan",
        ),
        (
            lambda d: d["evidence"][0]["figures"][0].__setitem__("value", True),
            r"figures\[0\]\.value: got true",
        ),
        (lambda d: d["evidence"][0]["figures"][0].__setitem__("status", "maybe"), r"figures\[0\]\.status"),
        (
            lambda d: d["evidence"][0]["figures"][0].__setitem__("lr", 3.0),
            r"evidence\[0\]\.figures\[0\]: got \['lr'\]",
        ),
        (
            lambda d: d["evidence"][8]["figures"][0].__setitem__("k", 301),
            r"evidence\[8\]\.figures\[0\]\.k: got 301",
        ),
        (
            lambda d: d["evidence"][1].__setitem__("id", d["evidence"][0]["id"]),
            r"evidence\[1\]\.id: got 'antischeming_o3",
        ),
        (
            lambda d: d["evidence"][0].__setitem__("source", "nowhere"),
            r"evidence\[0\]\.source: got 'nowhere'",
        ),
        (lambda d: d["sources"]["thread"].__setitem__("citation", " "), r"sources\.thread\.citation"),
        (lambda d: d["viewpoints"][0].__setitem__("prior", 25), r"viewpoints\[0\]\.prior: got 25"),
        (lambda d: d["per_evaluation"]["rows"][0].__setitem__("o3", [0.1]), r"per_evaluation\.rows\[0\]\.o3"),
        (lambda d: d.__setitem__("version", 2), r"format/version"),
    ],
)
def test_loader_names_the_bad_value(mutate, match):
    with pytest.raises(CatalogueError, match=match):
        catalogue._parse(_broken(mutate))


def test_a_proportion_is_shown_in_the_one_probability_format():
    """Issue 24.3: a figure's proportion goes through format_proportion: never rounded to 100%, never '(certain)'."""
    assert catalogue.Figure("covert actions", 0.99995, "P").describe().startswith("100% - 0.005%")
    assert catalogue.Figure("covert actions", 1 / 3, "P").describe().startswith("33.33%")
    assert catalogue.Figure("covert actions", 0.0, "P").describe().startswith("0%")
    assert "certain" not in catalogue.Figure("covert actions", 0.0, "P").describe()
