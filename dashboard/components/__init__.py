"""Reusable Streamlit pieces that several pages draw (the export panel under every chart)."""
