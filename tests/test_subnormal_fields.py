"""Issue 22.14, the leftover: a subnormal number is refused in every number field of an item, from every reader.

"Subnormal inputs are refused or computed exactly."  Priors were refused typed, in links and in files;
an item's numbers were not: ``?e0=p~1e-320~0.5~1~~~~~x`` was a ledger item with P(E|H) held as
9.99989e-321, and a file's ``"likelihood_ratio": 1e-320`` or ``"discount": 1e-320`` the same.  The rule
now lives in the item schema (:class:`beliefs.evidence.Range` and :class:`~beliefs.evidence.Evidence`),
so the link codec, the scenario file, the command line and the app's boxes all refuse such a value
with the field's name, the value and what is allowed.  Each property fails on the code before the rule.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from beliefs.entry import parse_likelihood, parse_ratio
from beliefs.errors import InputError
from beliefs.io.link import decode
from beliefs.io.scenario import parse_scenario
from beliefs.validation import MIN_NORMAL
from tests.cli_helpers import assert_one_line_error, run_cli

SUBNORMAL_NOTE = "below 2.2e-308"
subnormals = st.floats(min_value=5e-324, max_value=MIN_NORMAL, exclude_max=True)

# -- share links: each number of an item's nine parts (kind~a~b~enabled~spread~id~group~discount~label) ----------

# The item with the value in one part, and the field the warning names (the item schema's name).
LINK_FIELDS = {
    "p a": (lambda v: f"p~{v}~0.5~1~~~~~x", "e0.p_e_given_h"),
    "p b": (lambda v: f"p~0.5~{v}~1~~~~~x", "e0.p_e_given_not_h"),
    "p spread": (lambda v: f"p~0.75~0.25~1~{v}~~~~x", "e0.spread"),
    "lr a": (lambda v: f"lr~{v}~~1~~~~~x", "e0.likelihood_ratio"),
    "lr spread": (lambda v: f"lr~3~~1~{v}~~~~x", "e0.log_lr_sigma"),
    "p discount": (lambda v: f"p~0.75~0.25~1~~~g~{v}~x", "e0.discount"),
    "lr discount": (lambda v: f"lr~3~~1~~~g~{v}~x", "e0.discount"),
}


@pytest.mark.parametrize("part", LINK_FIELDS)
@settings(max_examples=15, deadline=None)
@given(value=subnormals)
@example(value=1e-320)  # the example
@example(value=5e-324)  # the smallest double
def test_a_link_item_with_a_subnormal_number_is_left_out_with_one_warning(part, value):
    make, field = LINK_FIELDS[part]
    state, warnings = decode({"e0": make(repr(value))})
    assert state.items == ()
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{field}: got {value!r}; expected ") and SUBNORMAL_NOTE in warnings[0], warnings


@pytest.mark.parametrize("part", LINK_FIELDS)
def test_the_smallest_normal_double_is_kept_in_every_link_field(part):
    make, _ = LINK_FIELDS[part]
    # A concentration kappa gives shapes 0.75 kappa and 0.25 kappa: normal from kappa = 4 x 2.2e-308.
    edge = 4 * MIN_NORMAL if part == "p spread" else MIN_NORMAL
    state, warnings = decode({"e0": make(repr(edge))})
    assert warnings == [] and len(state.items) == 1


# -- scenario files: every number of an item, of a hypothesis and of a prediction ---------------------------------

_SCN = {"format": "beliefs-scenario", "version": 1, "prior": 0.5}
_P = {"label": "x", "p_e_given_h": 0.75, "p_e_given_not_h": 0.25}
_LR = {"label": "x", "likelihood_ratio": 3.0}


FILE_FIELDS = {
    "evidence[0].p_e_given_h": lambda v: {**_SCN, "evidence": [{**_P, "p_e_given_h": v}]},
    "evidence[0].p_e_given_not_h": lambda v: {**_SCN, "evidence": [{**_P, "p_e_given_not_h": v}]},
    "evidence[0].likelihood_ratio": lambda v: {**_SCN, "evidence": [{**_LR, "likelihood_ratio": v}]},
    "evidence[0].log_lr_sigma": lambda v: {**_SCN, "evidence": [{**_LR, "log_lr_sigma": v}]},
    "evidence[0].discount": lambda v: {**_SCN, "evidence": [{**_LR, "group": "g", "discount": v}]},
    "evidence[0].p_e_given_h_dist.alpha": lambda v: {**_SCN, "evidence": [{**_P, "p_e_given_h_dist": {"alpha": v, "beta": 1.0}}]},
    "evidence[0].p_e_given_not_h_dist.beta": lambda v: {**_SCN, "evidence": [{**_P, "p_e_given_not_h_dist": {"alpha": 1.0, "beta": v}}]},
    "evidence[0].provenance.derived_likelihood_ratio": lambda v: {
        **_SCN, "evidence": [{**_LR, "provenance": {"assumption": "n = 316", "derived_likelihood_ratio": v}}],
    },
    "hypotheses[0].likelihoods[0]": lambda v: {
        **_SCN, "version": 2, "evidence": [_P],
        "hypotheses": [{"name": "a", "prior": 0.5, "likelihoods": [v]}, {"name": "b", "prior": 0.5, "likelihoods": [0.5]}],
    },
    "models.covert_actions.rate_if_h.point": lambda v: {
        **_SCN, "models": {"covert_actions": {"k": [1], "n": [10], "rate_if_h": {"point": v}}},
    },
    "prior": lambda v: {**_SCN, "prior": v},  # refused before this rule: the rule's reference
}  # fmt: skip


@pytest.mark.parametrize("field", FILE_FIELDS)
@settings(max_examples=15, deadline=None)
@given(value=subnormals)
@example(value=1e-320)
@example(value=5e-324)
def test_a_file_with_a_subnormal_number_in_any_field_is_refused_naming_it(field, value):
    with pytest.raises(InputError) as info:
        parse_scenario(json.dumps(FILE_FIELDS[field](value)))
    assert info.value.field == field and info.value.value == value and SUBNORMAL_NOTE in str(info.value)


@pytest.mark.parametrize("field", FILE_FIELDS)
def test_the_smallest_normal_double_is_kept_in_every_file_field(field):
    parse_scenario(json.dumps(FILE_FIELDS[field](MIN_NORMAL)))


# -- what a person types: the app's boxes and the command line -------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(value=subnormals)
@example(value=1e-320)
def test_the_app_boxes_refuse_a_subnormal_ratio_or_likelihood(value):
    for parse in (parse_ratio, parse_likelihood):
        with pytest.raises(InputError) as info:
            parse(repr(value), "box")
        assert info.value.field == "box" and info.value.value == repr(value) and SUBNORMAL_NOTE in str(info.value)


@pytest.mark.parametrize(
    ("parse", "text"),
    [(parse_ratio, "1e-160:1e160"), (parse_ratio, "1e-160/1e160"), (parse_likelihood, "1e-318%"), (parse_likelihood, "1e-160/1e160")],
)
def test_the_app_boxes_refuse_a_subnormal_in_every_form_typed(parse, text):
    """A ratio typed a:b or a/b, a likelihood typed as a percent or a/b: the quotient is what is held."""
    with pytest.raises(InputError) as info:
        parse(text, "box")
    assert info.value.field == "box" and SUBNORMAL_NOTE in str(info.value)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--lr", "1e-320"), "--lr"),
        (("--evidence", "1e-320:0.5"), "--evidence P(E|H)"),
        (("--evidence", "0.5:5e-324"), "--evidence P(E|not H)"),
    ],
)
def test_the_command_line_refuses_a_subnormal_ratio_or_likelihood(args, field):
    """`update --lr 1e-320` was an item with ratio 9.99989e-321; now exit 2 and one line naming the option."""
    line = assert_one_line_error(run_cli("update", "--prior", "0.5", *args), field)
    assert SUBNORMAL_NOTE in line
