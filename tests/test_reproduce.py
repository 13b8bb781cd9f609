"""`beliefs reproduce antischeming-2025`: the 2025 report's four headline figures from Fig. 9.

Independent answers: the published figures (13.0, 0.4, 8.7, 0.3; the report's abstract and Fig. 9
caption), a hand-written oracle of the aggregate below (Decimal arithmetic, its own rounding), and
the research notes' set of reproducing n, {313..319, 321, 324} of 300..330.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from beliefs.errors import InputError
from beliefs.reproduce import derived_count, reproduce_antischeming, reproducing_n
from tests.cli_helpers import assert_one_line_error, run_cli, run_json

PUBLISHED = {("o3", "before"): 13.0, ("o3", "after"): 0.4, ("o4-mini", "before"): 8.7, ("o4-mini", "after"): 0.3}
_COLUMN = {("o3", "before"): "o3_before_pct", ("o3", "after"): "o3_after_pct",
           ("o4-mini", "before"): "o4mini_before_pct", ("o4-mini", "after"): "o4mini_after_pct"}  # fmt: skip
FIG9 = Path("/work/shared/research/fig9.csv")


def _fig9_rows() -> list[dict]:
    if not FIG9.exists():
        pytest.skip("research/fig9.csv not on this machine")
    with FIG9.open(newline="") as f:
        return list(csv.DictReader(f))


def oracle(model: str, phase: str, n: int, rounding=ROUND_HALF_EVEN) -> tuple[list[int], Decimal]:
    """The report's aggregate by hand: k = pct/100 * n rounded, mean of (k+1)/(n+2), in percent."""
    ks = [
        int((Decimal(row[_COLUMN[model, phase]]) * n / 100).quantize(Decimal(1), rounding=rounding))
        for row in _fig9_rows()
    ]
    total = sum(Decimal(k + 1) / Decimal(n + 2) for k in ks)
    return ks, 100 * total / len(ks)


def test_default_n_reproduces_the_four_published_figures():
    r = reproduce_antischeming()
    assert r.n == 316 and r.all_match
    for row in r.rows:
        assert round(row.reproduced_pct, 1) == PUBLISHED[row.model, row.phase]
        assert row.published_pct == PUBLISHED[row.model, row.phase]
        assert len(row.k) == len(row.evaluations) == 20


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=1, max_value=100_000))
@example(n=325)  # a genuine tie: 2.0% x 325 = 6.5 (o4-mini, Long Document Verification)
@example(n=1)
def test_random_n_against_the_hand_oracle(n):
    r = reproduce_antischeming(n)
    rows = _fig9_rows()
    for row in r.rows:
        ks, pct = oracle(row.model, row.phase, n)
        assert list(row.k) == ks
        assert row.reproduced_pct == pytest.approx(float(pct), rel=1e-12)
        assert row.evaluations == tuple(x["evaluation"] for x in rows)
        raw = sum(Decimal(x[_COLUMN[row.model, row.phase]]) for x in rows) / 20
        assert row.raw_mean_pct == pytest.approx(float(raw), rel=1e-12)


def test_the_reproducing_set_of_n_is_the_research_notes_set():
    assert reproducing_n(300, 330) == [313, 314, 315, 316, 317, 318, 319, 321, 324]


def test_half_up_rounding_would_add_n_325():
    # The rounding rule is an assumption too: half up adds the tie at n = 325.
    assert reproducing_n(300, 330, half_up=True) == [313, 314, 315, 316, 317, 318, 319, 321, 324, 325]
    ks_up, _ = oracle("o4-mini", "before", 325, ROUND_HALF_UP)
    assert list(reproduce_antischeming(325, half_up=True).rows[2].k) == ks_up


@pytest.mark.parametrize(
    ("rate", "n", "even", "up"),
    [(0.005, 100, 0, 1), (0.015, 100, 2, 2), (0.025, 100, 2, 3), (0.035, 100, 4, 4), (0.02, 325, 6, 7),
     (0.0, 316, 0, 0), (0.446, 316, 141, 141), (1.0, 7, 7, 7)],
)  # fmt: skip
def test_rounding_rule_on_exact_decimals(rate, n, even, up):
    assert derived_count(rate, n) == even and derived_count(rate, n, half_up=True) == up


@pytest.mark.parametrize("bad", [0, -3, "12.5", "abc", 10**8])
def test_bad_n_is_refused(bad):
    with pytest.raises(InputError, match=r"^n: got"):
        reproduce_antischeming(bad)


def test_cli_json_contract():
    out = run_json("reproduce", "antischeming-2025")
    assert out["n"] == 316 and isinstance(out["n"], int)
    assert [(r["model"], r["phase"]) for r in out["rows"]] == list(PUBLISHED)
    for r in out["rows"]:
        assert {"model", "phase", "published_pct", "reproduced_pct", "raw_mean_pct", "k", "evaluations"} <= set(r)
        assert len(r["k"]) == len(r["evaluations"]) == 20 and all(isinstance(k, int) for k in r["k"])
        ks, pct = oracle(r["model"], r["phase"], 316)
        assert r["k"] == ks and r["reproduced_pct"] == pytest.approx(float(pct), rel=1e-12)
        assert r["published_pct"] == PUBLISHED[r["model"], r["phase"]]
    assert "ASSUMPTION" in out["assumption"]


def test_cli_human_output_says_n_is_an_assumption():
    proc = run_cli("reproduce", "antischeming-2025", "--n", "100")
    assert proc.returncode == 0, proc.stderr
    assert "ASSUMED n = 100" in proc.stdout and "not data" in proc.stdout
    assert "NOT all published figures reproduced" in proc.stdout
    default = run_cli("reproduce", "antischeming-2025").stdout
    assert "all four published figures reproduced to one decimal" in default
    # Published as the report prints them (one decimal); reproduced in the one probability format (4 digits).
    for value in ("13.0%", "0.4%", "8.7%", "0.3%", "12.99%", "0.3616%", "8.711%", "0.3459%", "= 0.3145%)"):
        assert value in default


@pytest.mark.parametrize(
    ("args", "field"),
    [(("reproduce", "antischeming-2024"), "DATASET"), (("reproduce", "antischeming-2025", "--n", "0"), "--n"),
     (("reproduce", "antischeming-2025", "--n", "3.5"), "--n")],
)  # fmt: skip
def test_cli_bad_input_is_one_line(args, field):
    assert_one_line_error(run_cli(*args), field)


def test_before_after_rows_name_the_quantity_and_statistic():
    from beliefs.reproduce import WHY_REDUCTION_DIFFERS, before_after_rows

    q = {"mean_before": {"q05": 0.1, "q50": 0.12, "q95": 0.14}, "reduction": {"q05": 50.0, "q50": 100.0, "q95": 200.0}}
    rows = before_after_rows(q)
    assert [r["name"] for r in rows] == ["mean_before", "reduction"]
    assert rows[0]["median"] == 0.12 and rows[0]["statistic"].startswith("posterior median")
    assert "average of the 20 evaluations' covert-action rates" in rows[0]["quantity"]
    # the floor the paper's after-figure sits on, 1/(n+2) at n = 316, is what the sentence cites
    assert "1/(n+2) (0.3% at n = 316)" in WHY_REDUCTION_DIFFERS and round(100 / 318, 1) == 0.3
    red = {r["model"]: r for r in reproduce_antischeming().reductions()}
    assert red["o3"]["published_factor"] == pytest.approx(13.0 / 0.4)
    assert red["o4-mini"]["published_factor"] == pytest.approx(8.7 / 0.3)
