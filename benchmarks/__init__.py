"""Speed and memory benchmarks, each against a baseline run in the same process.

Run them with `make bench` (`python -m benchmarks`). They print figures and
never assert times.
"""
