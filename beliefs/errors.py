"""Errors raised for bad input.

Every message names the field, the value received and what is allowed, so the
command line can print it as one line and the app can show it verbatim.
"""

from __future__ import annotations

__all__ = ["CertaintyError", "InputError"]


class InputError(ValueError):
    """A user-supplied value is invalid.

    Parameters
    ----------
    field : str
        The name the user knows the value by (``prior``, ``--lr``,
        ``evidence[2].p_e_given_h``).
    value : object
        The value received, shown with ``repr`` so empty strings and NaN are visible (None as
        "nothing", booleans as "true"/"false").
    allowed : str
        What would have been accepted, e.g. ``"a probability in [0, 1]"``.
    hint : str, optional
        A guess at what the user meant ("did you mean 0.75?").
    """

    def __init__(self, field: str, value: object, allowed: str, hint: str = ""):
        self.field = field
        self.value = value
        self.allowed = allowed
        self.hint = hint
        shown = _show(value)
        message = f"{field}: got {shown}; expected {allowed}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class CertaintyError(InputError):
    """A probability of exactly 0 or 1 was given where evidence must move it.

    Cromwell's rule: prior odds of 0 or infinity stay there whatever finite
    likelihood ratio multiplies them, so such a belief cannot be updated.
    """


def _show(value: object) -> str:
    """The value as the message shows it: in words for a missing value or a truth value, else its repr.

    The repr keeps an empty string ('') and NaN visible; but None and True are Python's spellings of
    what a file or a form holds as a missing field (or JSON null) and as true.
    """
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    if len(text) > 80:
        # Keep both ends: the start says what it is, the end names a file or a suffix.
        text = text[:50] + "..." + text[-27:]
    return text
