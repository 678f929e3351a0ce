"""The benchmark: ``python -m bench``. See README "Benchmark"."""
