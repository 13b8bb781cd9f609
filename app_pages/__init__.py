"""Thin page modules of the Streamlit app: widgets and layout only, the numbers come from ``beliefs`` and ``models``."""
