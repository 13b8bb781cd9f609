"""Plot infrastructure and the update's own charts.

axes (new_axes, plain-text labels), palette (the one set of colours), figures
(png/svg/pdf bytes of a figure or a Vega-Lite spec), update (waterfall, prior vs
posterior), curves (chain and monitoring curves); each concept's own chart lives with it (e.g.
``beliefs.counts.plot_rate_densities``, ``beliefs.uncertain_evidence.plot_posterior_distribution``).  matplotlib is imported inside the plot functions;
nothing in beliefs/__init__ imports this package, so `import beliefs` stays free of it."""
