"""Timing and memory for the benchmarks, and how their results print.

Time is the best of several runs (the least disturbed by other work on the
machine). Peak memory is the resident set's high-water mark above its level
when the step starts, reset before the step through /proc/self/clear_refs
(Linux). It is a lower bound: memory the allocator kept from earlier work
(generating the data) is reused without showing. Where /proc is not
available it falls back to tracemalloc, which sees Python's own
allocations only (not Polars'), and says so.
"""

from __future__ import annotations

import os
import re
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, TypeVar

T = TypeVar("T")

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass(frozen=True)
class Measurement:
    """How long a step took (best of `runs`) and its peak memory."""

    label: str
    seconds: float
    runs: int
    peak_bytes: int | None
    memory_method: str
    scale: float = 1.0

    @property
    def scaled_seconds(self) -> float:
        return self.seconds * self.scale


@dataclass(frozen=True)
class Result:
    """A benchmark's subject measured against its baseline in the same process."""

    name: str
    subject: Measurement
    baseline: Measurement
    notes: tuple[str, ...] = field(default=())

    @property
    def ratio(self) -> float:
        """Return how many times faster the subject is than the baseline."""
        return self.baseline.scaled_seconds / self.subject.scaled_seconds


def _status_kib(name: str) -> int | None:
    try:
        found = re.search(rf"^{name}:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) if found else None


def _can_reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return _status_kib("VmHWM") is not None


@contextmanager
def peak_memory() -> Iterator[list[int | str]]:
    """Yield a list that holds [peak bytes above the start, method] afterwards."""
    found: list[int | str] = []
    if _can_reset_peak():
        start = _status_kib("VmRSS") or 0
        try:
            yield found
        finally:
            peak = _status_kib("VmHWM") or start
            found[:] = [max(0, peak - start) * 1024, "peak RSS"]
        return
    tracemalloc.start()
    try:
        yield found
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        found[:] = [peak, "tracemalloc (Python objects only)"]


def measure(
    label: str, step: Callable[[], T], *, runs: int = 5, scale: float = 1.0
) -> tuple[Measurement, T]:
    """Return the step's Measurement and the value of its first run.

    The first run measures memory (and warms caches); the rest are timed.
    With runs=1 the single run gives both.
    """
    with peak_memory() as memory:
        started = time.perf_counter()
        value = step()
        first = time.perf_counter() - started
    timings = [first]
    for _ in range(runs - 1):
        started = time.perf_counter()
        step()
        timings.append(time.perf_counter() - started)
    best = min(timings[1:]) if runs > 1 else first
    peak, method = memory
    return (
        Measurement(label, best, runs, int(peak), str(method), scale),
        value,
    )


def _size(count: int | None) -> str:
    if count is None:
        return "n/a"
    return f"{count / 2**20:,.0f} MiB"


def _line(role: str, measurement: Measurement) -> str:
    seconds = f"{measurement.seconds:.3f} s"
    if measurement.scale != 1:
        seconds += f" x {measurement.scale:g} = {measurement.scaled_seconds:.1f} s"
    runs = "1 run" if measurement.runs == 1 else f"best of {measurement.runs}"
    return (
        f"  {role:<9}{measurement.label}\n"
        f"  {'':<9}{seconds} ({runs}); peak memory +{_size(measurement.peak_bytes)}"
        f" [{measurement.memory_method}]"
    )


def report(result: Result, out: TextIO) -> None:
    """Write one result as a few readable lines."""
    out.write(f"{result.name}\n")
    out.write(_line("subject", result.subject) + "\n")
    out.write(_line("baseline", result.baseline) + "\n")
    out.write(f"  {'ratio':<9}{result.ratio:,.0f}x faster than the baseline\n")
    for note in result.notes:
        out.write(f"  - {note}\n")


def machine() -> str:
    """Return the facts about this machine that explain the timings."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"{os.cpu_count()} CPU(s), load average {load}"
