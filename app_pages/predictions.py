"""What each hypothesis predicts, on the data page: a named reading, a Beta or a point, with status and source.

Widgets only: the readings, their sources and statuses come from :mod:`beliefs.rate_priors`.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common
from beliefs.errors import InputError
from beliefs.evidence import BetaDist
from beliefs.format import format_proportion
from beliefs.rate_priors import PointRate, RatePrior, reading_for, readings

_KINDS = {"beta": "a Beta prior on the mean rate", "point": "a point rate (point null)"}
_STATUS_WORDS = {"P": "P, read in the primary text", "S": "S, secondary sources only", "X": "X, not in any source"}


def prior_key(prior: RatePrior) -> tuple:
    """A hashable, picklable form of a prediction (for Streamlit's caches)."""
    if isinstance(prior, PointRate):
        return ("point", prior.rate)
    return ("beta", prior.alpha, prior.beta)


def prior_from_key(key: tuple) -> RatePrior:
    return PointRate(key[1]) if key[0] == "point" else BetaDist(key[1], key[2])


def current(tag: str) -> RatePrior:
    """The prediction the page's values hold for ``tag`` ("h" or "n")."""
    v = common.values()
    if v[f"da_{tag}_kind"] == "point":
        return PointRate(v[f"da_{tag}_pt"])
    return BetaDist(v[f"da_{tag}_a"], v[f"da_{tag}_b"])


def prediction_inputs(tag: str, side: str, title: str, *, pooling: str) -> RatePrior:
    """Draw one hypothesis's prediction: reading, kind, its numbers, and the reading's status and reason."""
    st.markdown(f"**{title}**")
    # The numbers' widgets are drawn below the reading but were changed before this run: take their values
    # first, so the reading shown is the one these numbers are (never one run behind).
    v = common.values()
    for suffix in ("kind", "pt", "a", "b"):
        if f"w_da_{tag}_{suffix}" in st.session_state:
            v[f"da_{tag}_{suffix}"] = st.session_state[f"w_da_{tag}_{suffix}"]
    prior = current(tag)
    reading = reading_for(side, prior)
    options = [r.id for r in readings(side)] + ["own"]
    names = {r.id: f"{r.name} (status {r.status})" for r in readings(side)} | {"own": "your own prior (status X)"}
    key = f"w_da_{tag}_read"
    st.session_state[key] = reading.id  # follows the numbers: editing them makes it "your own prior"
    st.selectbox("Reading", options, format_func=names.get, key=key, on_change=_reading_chosen, args=(tag, side),
                 help="A named, sourced view of what this hypothesis predicts; the status says how well sourced.")  # fmt: skip
    kind = common.bound(f"da_{tag}_kind", st.radio, "Prediction", options=tuple(_KINDS), format_func=_KINDS.get,
                        horizontal=True, label_visibility="collapsed")  # fmt: skip
    if kind == "point":
        p = common.bound(f"da_{tag}_pt", st.number_input, "point rate P", min_value=1e-9, max_value=1 - 1e-9,
                         step=0.01, format="%.6g")  # fmt: skip
        where = "every evaluation's rate is exactly P" if pooling == "none" else (
            "the population mean rate is exactly P; evaluations still spread around it")  # fmt: skip
        st.caption(f"Point rate {format_proportion(p)}: {where} (the binomial likelihood of a point null, as in JASP's binomial test).")
    else:
        _beta_inputs(tag)
    shown = reading_for(side, current(tag))
    st.caption(
        common.plain(
            f"Status {_STATUS_WORDS[shown.status]}. {shown.reason[:1].upper()}{shown.reason[1:]}. "
            f"Source: {shown.source.citation}"
            + (f" ({shown.source.location})" if shown.source.location else "")
        )
    )
    return current(tag)


def _reading_chosen(tag: str, side: str) -> None:
    """Set the hypothesis's numbers to the chosen reading's (a callback, so the inputs re-seed)."""
    chosen = st.session_state[f"w_da_{tag}_read"]
    match = [r for r in readings(side) if r.id == chosen]
    if not match:
        return  # "your own prior": keep the numbers as they are
    v = common.values()
    prior = match[0].prior
    if isinstance(prior, PointRate):
        v[f"da_{tag}_kind"], v[f"da_{tag}_pt"] = "point", prior.rate
    else:
        v[f"da_{tag}_kind"], v[f"da_{tag}_a"], v[f"da_{tag}_b"] = "beta", prior.alpha, prior.beta
    for suffix in ("kind", "pt", "a", "b"):
        st.session_state.pop(f"w_da_{tag}_{suffix}", None)


def _beta_inputs(tag: str) -> None:
    c1, c2 = st.columns(2)
    with c1:
        a = common.bound(f"da_{tag}_a", st.number_input, "a", min_value=0.001, max_value=1e4, step=0.5, format="%.4g")
    with c2:
        b = common.bound(f"da_{tag}_b", st.number_input, "b", min_value=0.001, max_value=1e4, step=0.5, format="%.4g")
    st.caption(f"Beta({a:g}, {b:g}): mean {format_proportion(BetaDist(a, b).mean)}")
    with st.popover("Elicit from an interval", icon=":material/tune:"):
        _elicit(tag)


def _elicit(tag: str) -> None:
    st.caption("The maximum-entropy Beta with the given mass between the bounds (PreliZ maxent).")
    st.number_input("lower", value=0.001, min_value=0.0, max_value=1.0, format="%.4g", key=f"el_{tag}_lo")
    st.number_input("upper", value=0.1, min_value=0.0, max_value=1.0, format="%.4g", key=f"el_{tag}_hi")
    st.number_input("mass", value=0.9, min_value=0.01, max_value=0.99, key=f"el_{tag}_mass")
    st.button("Elicit", key=f"el_{tag}_go", on_click=_elicited, args=(tag,))
    message = st.session_state.get(f"el_{tag}_message")
    if message:
        (st.error if message.startswith("error:") else st.warning)(message.removeprefix("error: "))


def _elicited(tag: str) -> None:
    """Fit the Beta and set the hypothesis's prior (a callback, so the a/b widgets can be re-seeded)."""
    from beliefs.elicitation import elicit_beta  # PreliZ maxent, checked with scipy; no PyMC

    ss = st.session_state
    try:
        fit = elicit_beta(ss[f"el_{tag}_lo"], ss[f"el_{tag}_hi"], ss[f"el_{tag}_mass"])
    except InputError as exc:
        ss[f"el_{tag}_message"] = f"error: {exc}"
        return
    ss[f"el_{tag}_message"] = fit.warning
    v = common.values()
    v[f"da_{tag}_kind"], v[f"da_{tag}_a"], v[f"da_{tag}_b"] = "beta", fit.alpha, fit.beta
    for suffix in ("kind", "a", "b"):
        ss.pop(f"w_da_{tag}_{suffix}", None)
