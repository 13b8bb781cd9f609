"""Benchmarks of what users feel: ``python bench/run.py`` (``make bench``); see bench/README.md."""
