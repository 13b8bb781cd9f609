"""Plot infrastructure (axes, palette, figure bytes) and the core update charts.

matplotlib is imported here (and only here) at module level; nothing in beliefs/__init__
imports this package, so `import beliefs` stays free of it."""
