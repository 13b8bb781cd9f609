"""The figure and axes every ``plot_*(result, ax=None)`` draws on."""

from __future__ import annotations

__all__ = ["new_axes"]


def new_axes(ax=None, figsize: tuple[float, float] = (7.0, 4.5)):
    """``(figure, axes)``: the given axes, or a new constrained-layout Figure with one subplot.

    A bare :class:`matplotlib.figure.Figure` (not ``pyplot.figure``) needs no GUI backend and is
    never registered with pyplot, so a caller that forgets ``plt.close()`` leaks nothing.
    """
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()
