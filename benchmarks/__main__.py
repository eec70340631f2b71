"""Run every benchmarks/bench_*.py module: `python -m benchmarks [name ...]`.

Each module exposes `run() -> list[Result]`. Names on the command line
pick the modules whose name contains one of them.
"""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys
from collections.abc import Sequence
from typing import TextIO

import polars as pl

import benchmarks
from benchmarks.harness import Result, machine, report


def discover(wanted: Sequence[str] = ()) -> list[str]:
    """Return the names of the bench_ modules, those matching `wanted` if given."""
    names = sorted(
        module.name
        for module in pkgutil.iter_modules(benchmarks.__path__)
        if module.name.startswith("bench_")
    )
    if wanted:
        names = [name for name in names if any(part in name for part in wanted)]
    return names


def main(argv: Sequence[str], out: TextIO) -> int:
    names = discover(argv)
    if not names:
        out.write(f"no benchmark matches {' '.join(argv)}\n")
        return 2
    out.write(
        f"Python {platform.python_version()}, Polars {pl.__version__}, {machine()}\n\n"
    )
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        results: list[Result] = (
            module.results() if hasattr(module, "results") else module.run()
        )
        for result in results:
            report(result, out)
            out.write("\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], sys.stdout))
