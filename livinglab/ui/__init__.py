"""Streamlit pages (never in a folder named pages/: Streamlit would serve it to anyone)."""
