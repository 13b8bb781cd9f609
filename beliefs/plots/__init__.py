"""Charts: one stack, Vega-Lite, for the screen and every file.

Every ``plot_*(result)`` returns a Vega-Lite spec (a dict) that the app draws
with ``st.vega_lite_chart`` and :func:`beliefs.plots.figures.spec_bytes` renders
to PNG, SVG or PDF (vl-convert) for the downloads, the command line's ``--plot``
and the HTML report.  Here: palette (the one set of colours), style (the one
config: font, sizes, legends; row layout, log-odds axes, :func:`~beliefs.plots.style.finish`),
figures (spec -> bytes), heatmap, update (waterfall, prior vs posterior), curves
(chain and monitoring curves).  Each concept's own chart lives with it (e.g.
``beliefs.counts.plot_rate_densities``, ``beliefs.analysis.tornado.plot_tornado_stated``).

Charts are built with Altair, imported inside the plot functions, except the
waterfall (the app's first page draws it; Altair's import costs 0.4 s), which
is written in plain dicts with the same config.  Nothing in ``beliefs/__init__``
imports this package; `import beliefs` loads neither Altair nor vl-convert.
"""
