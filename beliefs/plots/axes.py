"""The figure and axes every ``plot_*(result, ax=None)`` draws on, with labels drawn as plain text."""

from __future__ import annotations

__all__ = ["new_axes", "plain_text_only"]


def plain_text_only() -> None:
    """Draw every label as plain text: no mathtext.

    Labels are untrusted (``$\\frac{1}{$`` made savefig raise, and ``$...$`` rendered as
    math).  ``text.parse_math`` is read when a Text is created, so it is set before any
    of our figures is built; no plot of ours uses mathtext.
    """
    import matplotlib

    matplotlib.rcParams["text.parse_math"] = False


def new_axes(ax=None, figsize: tuple[float, float] = (7.0, 4.5)):
    """``(figure, axes)``: the given axes, or a new constrained-layout Figure with one subplot.

    A bare :class:`matplotlib.figure.Figure` (not ``pyplot.figure``) needs no GUI backend and is
    never registered with pyplot, so a caller that forgets ``plt.close()`` leaks nothing.  Every
    label created after this call is plain text (:func:`plain_text_only`), on a given axes too.
    """
    plain_text_only()
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()
