"""Every chart, one stack: valid Vega-Lite, readable (issue 24.5), whole labels in its files, drawn at the extremes.

Each chart of the project is built here from a realistic result (the built-in scenarios' own labels, and
a long one) and checked the same way:

* structurally (``tests.chart_checks.readability_problems``): valid Vega-Lite 6, no text under 11 px,
  no label limit, every colour a mark is drawn in named by a legend;
* in the SVG file vl-convert writes from it: every line of every row label is there whole (no "…" that
  the chart did not put there itself), and every text is at least 11 px;
* at the extremes (issue 22.5): priors of 5e-324 and 1 - 1e-16, ratios of 1e308 and 5e-324: each
  chart is drawn, or refused with an InputError naming the value, never a crash.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beliefs.analysis.crux import crux, plot_crux
from beliefs.analysis.data_robustness import data_robustness, plot_data_robustness
from beliefs.analysis.dependence import dependence, plot_dependence
from beliefs.analysis.needed import needed_count, plot_count_needed
from beliefs.analysis.pool import plot_pool, pool
from beliefs.analysis.robustness import plot_prior_robustness, prior_robustness
from beliefs.analysis.sequential import plot_sequential, sequential
from beliefs.analysis.tornado import plot_tornado, plot_tornado_stated, tornado, tornado_stated
from beliefs.analysis.voi import parse_pending, plot_voi, value_of_information
from beliefs.chain import chain_curve
from beliefs.counts import plot_rate_densities
from beliefs.errors import InputError
from beliefs.evidence import Evidence
from beliefs.hypotheses import plot_hypotheses, update_hypotheses
from beliefs.io.scenario import builtin_scenarios
from beliefs.monitoring import monitor_curve
from beliefs.plots.curves import plot_curve
from beliefs.plots.figures import FORMATS, spec_bytes
from beliefs.plots.style import MIN_FONT_SIZE, finish, probability_ticks, wrap
from beliefs.plots.update import plot_prior_posterior, waterfall_spec
from beliefs.uncertain_evidence import plot_posterior_distribution, posterior_distribution
from beliefs.update import update
from tests.chart_checks import colour_scale, readability_problems, svg_font_sizes, svg_texts, validate

ROOT = Path(__file__).resolve().parent.parent
# The built-in scenarios' longest label, the one the exported waterfall cut to "1. A report like the 2...".
REPORT = "A report like the 2025 anti-scheming report (rare-scheming reading)"
LONG = (
    "Covert actions persist in production-like traffic after anti-scheming training, as measured by "
    "an independent lab with per-evaluation counts published"
)  # 150 characters: four lines of a row


def _ledger(prior: float = 0.25) -> list[Evidence]:
    return [
        Evidence(REPORT, p_e_given_h=0.75, p_e_given_not_h=0.25, id="report"),
        Evidence("Sandbagging QA (no goal): misaligned reasons", likelihood_ratio=0.5, log_lr_sigma=0.6, group="g",
                 discount=0.5),
        Evidence(LONG, likelihood_ratio=2.0, group="g", discount=0.5),
    ]  # fmt: skip


def every_chart(prior: float = 0.25, ledger: list[Evidence] | None = None, *, of_the_ledger: bool = False) -> dict[str, dict]:
    """One spec of every chart in the project, from this prior and ledger where the chart takes them.

    ``of_the_ledger``: only the charts that take the prior and the ledger (the rest do not change with them).
    """
    items = _ledger() if ledger is None else ledger
    builtins = builtin_scenarios()
    miri, rare = builtins["miri-ish"], builtins["rare-scheming"]
    pending = parse_pending((ROOT / "beliefs" / "data" / "pending-2025.json").read_text(encoding="utf-8"), "pending")
    chain = chain_curve(0.9, 50, per_step_beta=(98.0, 2.0))
    monitor = monitor_curve(1e-3, 0.9, 0.1, max_tasks=100_000)
    result = update(prior, items)
    ledger_charts = {
        "waterfall": waterfall_spec(result),
        "prior-posterior": plot_prior_posterior(result),
        "posterior-distribution": plot_posterior_distribution(posterior_distribution(prior, items, draws=2000, seed=0)),
        "sequential": plot_sequential(sequential(prior, items, threshold=0.5)),
        "prior-robustness": plot_prior_robustness(prior_robustness(prior, items, compare_priors=[0.1, 0.5])),
        "data-robustness": plot_data_robustness(data_robustness([3, 0], [100, 50], prior, (1, 20), (1, 200), n_grid=8)),
        "needed-count": plot_count_needed(needed_count(300, 0.9, prior, (1, 20), (1, 200))),
        "tornado": plot_tornado(tornado(prior, items, mode="strength")),
        "tornado-stated": plot_tornado_stated(tornado_stated(prior, items)),
        "dependence": plot_dependence(dependence(prior, items)),
        "crux": plot_crux(crux(prior, items, 0.5, [Evidence(REPORT, likelihood_ratio=1.2, id="report")],
                               names=("this view", "MIRI-ish (illustrative)"))),
    }
    if of_the_ledger:
        return ledger_charts
    return {
        **ledger_charts,
        "what-would-settle-it": plot_voi(value_of_information(rare, miri, pending, names=("this view", "MIRI-ish"))),
        "hypotheses": plot_hypotheses(update_hypotheses(["no scheming", "rare scheming caught by monitors",
                                                         "consistent scheming"], [0.375, 0.375, 0.25],
                                                        [[0.2, 0.5, 0.8]])),
        "pool": plot_pool(pool([0.014, 0.0221, 0.0039, 0.004], extremize=1.5)),
        "chain": plot_curve(chain.steps, chain.mean, chain.lower, chain.upper, xlabel="steps n", ylabel="P(success)",
                            title="P(the chain stays aligned) against the number of steps", label="mean",
                            band_label="90% interval"),
        "monitoring": plot_curve(monitor.tasks, monitor.mean, xlabel="tasks T", ylabel="P(at least one unreported)",
                                 title="Covert actions slipping past the monitor", log_x=True),
        "rates": plot_rate_densities({"prior under H": (1, 20), "prior under not H": (1, 200),
                                      "posterior under H (pooled counts)": (4, 167),
                                      "posterior under not H (pooled counts)": (4, 347)}),
    }  # fmt: skip


CHARTS = every_chart()


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_is_valid_vega_lite_and_keeps_the_readability_rules(name):
    spec = CHARTS[name]
    validate(spec)
    assert readability_problems(spec) == []


def test_the_readability_rules_catch_what_issue_24_found():
    # The old waterfall's label limit, a 10 px axis, and the settle chart's two colours with no legend.
    spec = waterfall_spec(update(0.25, [3.0]))
    bad = {**spec, "config": {**spec["config"], "axis": {**spec["config"]["axis"], "labelLimit": 110, "labelFontSize": 10}}}
    assert {"labelFontSize 10 < 11", "labelLimit 110: a label would be cut"} <= set(readability_problems(bad))
    unlabelled = {"config": spec["config"], "layer": [{"mark": {"type": "bar", "color": "#e66101"}, "encoding": {}}]}
    assert readability_problems(unlabelled) == ["a bar mark drawn in #e66101 that no legend names"]


def _row_labels(spec: dict) -> list[list[str]]:
    """The wrapped label lines of every row a chart writes (rows charts keep them in a ``label`` field)."""

    def walk(node):
        if isinstance(node, dict):
            if "values" in node and isinstance(node["values"], list):
                for row in node["values"]:
                    if isinstance(row, dict) and isinstance(row.get("label"), list):
                        yield row["label"]
            else:
                for v in node.values():
                    yield from walk(v)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v)

    return list(walk(spec))


@pytest.mark.parametrize("name", list(CHARTS))
def test_the_svg_file_holds_every_label_whole_at_eleven_px_or_more(name):
    spec = CHARTS[name]
    svg = spec_bytes(spec, "svg")
    texts = svg_texts(svg)
    for lines in _row_labels(spec):
        for line in lines:
            assert line in texts, (line, texts)
    # A cut would end in an ellipsis that our own wrapping did not put there (none of these labels is cut).
    assert not [t for t in texts if t.endswith("…")], texts
    legend = [name for name in colour_scale(spec)] if name not in ("data-robustness", "rates") else []
    assert all(entry in texts for entry in legend), (legend, texts)
    assert min(svg_font_sizes(svg)) >= MIN_FONT_SIZE


def test_the_waterfall_file_holds_the_long_label_the_old_one_cut():
    texts = svg_texts(spec_bytes(CHARTS["waterfall"], "svg"))
    assert "1. A report like the 2025 anti-scheming" in texts and "report (rare-scheming reading)" in texts
    assert [" ".join(lines) for lines in _row_labels(CHARTS["waterfall"])][1] == f"1. {REPORT}"


def test_the_stated_tornado_legend_is_whole():
    texts = svg_texts(spec_bytes(CHARTS["tornado-stated"], "svg"))
    assert {"low end of its range", "high end of its range", "item left out"} <= set(texts)


def test_what_would_settle_it_names_both_its_colours():
    scale = colour_scale(CHARTS["what-would-settle-it"])
    drawn = {row["series"] for row in CHARTS["what-would-settle-it"]["layer"][0]["data"]["values"]}
    assert drawn <= set(scale) and len(set(scale.values())) == len(scale)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["waterfall", "tornado-stated", "data-robustness"])
def test_a_chart_file_is_the_same_bytes_on_every_save(name, fmt):
    assert spec_bytes(CHARTS[name], fmt) == spec_bytes(CHARTS[name], fmt)


def test_labels_longer_than_six_lines_end_in_an_ellipsis_and_the_rest_is_whole():
    assert wrap("word " * 100)[-1].endswith("…") and len(wrap("word " * 100)) == 6
    assert " ".join(wrap(LONG)) == LONG  # 150 characters: whole


# -- the extremes (issue 22.5) ----------------------------------------------------------------------------

EXTREME_PRIORS = [5e-324, 1e-251, 1 - 1e-16]
EXTREME_LEDGERS = {
    "ordinary": None,
    "huge ratios": [Evidence("one in 1e308", likelihood_ratio=1e308), Evidence("again", likelihood_ratio=1e308)],
    # The smallest ratio an item holds (a subnormal one is refused, issue 22.14)
    "tiny ratios": [Evidence("one in 2.2e-308", likelihood_ratio=2.2250738585072014e-308), Evidence("tiny", likelihood_ratio=1e-300)],
}


@pytest.mark.parametrize("prior", EXTREME_PRIORS)
@pytest.mark.parametrize("ledger", list(EXTREME_LEDGERS))
def test_every_chart_draws_at_the_extremes(prior, ledger):
    try:
        charts = every_chart(prior, EXTREME_LEDGERS[ledger], of_the_ledger=True)
    except InputError as exc:  # a refusal names the value; it is not a crash
        assert str(exc).split(":")[0], exc
        return
    for name, spec in charts.items():
        assert readability_problems(spec) == [], name
        svg = spec_bytes(spec, "svg")
        assert svg.startswith(b"<svg"), name


@pytest.mark.slow
@pytest.mark.parametrize("prior", [5e-324, 1e-251])
def test_every_chart_validates_at_the_extremes(prior):
    for name, spec in every_chart(prior, EXTREME_LEDGERS["huge ratios"], of_the_ledger=True).items():
        validate(spec), name


@settings(max_examples=25, deadline=None)
@given(
    lo=st.floats(min_value=-5000, max_value=5000, allow_nan=False),
    span=st.floats(min_value=0, max_value=5000, allow_nan=False),
)
def test_a_probability_axis_has_ticks_inside_any_finite_range(lo, span):
    ticks = probability_ticks(lo, lo + span)
    assert ticks == sorted(ticks) and all(lo - 1e-9 <= t <= lo + span + 1e-9 for t in ticks)
    assert len(ticks) >= 1 or span < 1e-6


def test_a_chart_refuses_a_value_it_cannot_place_by_name():
    with pytest.raises(InputError, match=r"^waterfall: got inf; expected finite numbers"):
        finish({"data": {"values": [{"x": math.inf}]}, "mark": "point"}, name="waterfall")
    with pytest.raises(InputError, match=r"^axis: got"):
        probability_ticks(-math.inf, 0.0)


@settings(max_examples=10, deadline=None)
@given(
    log10_prior=st.floats(min_value=-323, max_value=-0.31),
    upper=st.booleans(),
    log10_ratios=st.lists(st.floats(min_value=-300, max_value=300), min_size=0, max_size=4),
)
def test_the_waterfall_and_the_analyses_of_the_update_page_draw_for_any_ledger(log10_prior, upper, log10_ratios):
    prior = 10.0**log10_prior
    prior = 1 - prior if upper and prior > 1e-16 else prior
    items = [Evidence(f"item {i}", likelihood_ratio=10.0**x) for i, x in enumerate(log10_ratios)]
    r = update(prior, items)
    for spec in (waterfall_spec(r), plot_sequential(sequential(prior, items)),
                 plot_prior_robustness(prior_robustness(prior, items))):  # fmt: skip
        assert readability_problems(spec) == []
        assert svg_texts(spec_bytes(spec, "svg"))


def test_the_needed_count_chart_draws_a_large_n_at_a_thousand_points():
    r = needed_count(100_000, 0.9, 1e-300, (1, 20), (1, 200))
    spec = plot_count_needed(r)
    (counts,) = [layer["data"]["values"] for layer in spec["layer"] if layer["data"]["values"] and "k" in layer["data"]["values"][0] and "bits" in layer["data"]["values"][0]]
    assert 1001 <= len(counts) <= 1004 and r.k_needed in {row["k"] for row in counts}
    assert np.all(np.diff([row["k"] for row in counts]) > 0)


def test_no_chart_calls_an_uncertain_probability_certain():
    # A posterior of 1 - 1e-17 is 1.0 as a float; drawn from its probability it read "100% (certain)".
    charts = every_chart(0.25, EXTREME_LEDGERS["huge ratios"], of_the_ledger=True)
    # Not the Monte Carlo distribution: its draws are probabilities (1.0 here), and its legend repeats the
    # page's own text for them (format_interval); where that says "certain" is issue 22.7's, for format.py.
    del charts["posterior-distribution"]
    charts["data-robustness"] = plot_data_robustness(data_robustness([100, 50], [200, 100], 0.25, (1, 20), (1, 200)))
    for name, spec in charts.items():
        assert "(certain)" not in json.dumps(spec, ensure_ascii=False), name
