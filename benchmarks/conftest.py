"""Benchmarks run with `make bench` (pytest-benchmark); they never run in `make test`."""
