"""Benchmarks: `make bench` (python -m benchmarks) prints their figures."""
