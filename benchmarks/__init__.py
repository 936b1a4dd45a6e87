"""`make bench`: the whole-pipeline benchmark (python -m benchmarks) and pytest-benchmark files."""
