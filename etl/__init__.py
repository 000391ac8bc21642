"""ETL for the Human Security Indicators Dashboard: raw zone → validation → atomically published DuckDB warehouse.

Never imports streamlit or plotly (enforced by tests/test_architecture.py).
"""
