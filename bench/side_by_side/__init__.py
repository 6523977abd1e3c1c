"""Helpers of ``bench/bench_side_by_side.py``: timing, the Kedro venv, generated scripts, parts."""
