"""Placeholder until the app issue lands."""

import streamlit as st

st.title("beliefs")
st.write("The calculator is coming.")
