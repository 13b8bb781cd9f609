"""Exports of a scenario for where the argument happens: Markdown for a post, a self-contained HTML report.

Markdown needs only the core install; the report's charts need vl-convert (``pip install 'beliefs[app]'``).
"""
