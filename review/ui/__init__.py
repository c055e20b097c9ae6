"""Helpers for the Streamlit app: sections, page images, session state."""
