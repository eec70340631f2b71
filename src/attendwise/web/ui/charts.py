"""Charts drawn on the server as SVG, each with its numbers for a table.

A chart is geometry only: the template draws it, and the same rows fill
the table beside it, so nobody has to read a figure off a bar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 720, 260
LEFT, BOTTOM, TOP = 44, 36, 12


def week_label(monday: dt.date) -> str:
    """Return a week's label under its bar: '8 Sep' (no leading zero)."""
    return f"{monday.day} {monday:%b}"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    x: float
    y: float
    width: float
    height: float
    tone: str

    @property
    def label_x(self) -> float:
        """Return where the bar's label is centred: under the bar's middle."""
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    target_y: float | None
    ticks: tuple[tuple[float, int], ...]
    target: int | None = None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM

    @property
    def label_every(self) -> int:
        """Return how often an x label fits (every bar, or every few)."""
        return max(1, -(-len(self.bars) // 12))


def _y(value: Decimal | float, low: int, high: int) -> float:
    span = HEIGHT - BOTTOM - TOP
    return round(HEIGHT - BOTTOM - (float(value) - low) / (high - low) * span, 1)


def _tone(value: Decimal | None, target: int | None) -> str:
    if value is None or target is None:
        return ""
    if value >= target:
        return "ok"
    return "mid" if value >= 90 else "low"


def percent_bars(
    rows: Sequence[tuple[str, Decimal | None]],
    *,
    target: int | None = None,
    low: int = 0,
    high: int = 100,
) -> BarChart:
    """Return a bar chart of percentages (None draws no bar), `low` to `high`.

    Values below `low` are drawn at `low`; with no rows the chart is empty.
    """
    count = max(len(rows), 1)
    slot = (WIDTH - LEFT - 8) / count
    bars = []
    for index, (label, value) in enumerate(rows):
        shown = None if value is None else max(min(value, Decimal(high)), Decimal(low))
        top = _y(shown, low, high) if shown is not None else HEIGHT - BOTTOM
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=top,
                width=round(slot * 0.7, 1),
                height=round(HEIGHT - BOTTOM - top, 1),
                tone=_tone(value, target),
            )
        )
    step = 10 if high - low <= 50 else 20
    ticks = tuple((_y(value, low, high), value) for value in range(low, high + 1, step))
    target_y = _y(target, low, high) if target is not None else None
    return BarChart(tuple(bars), target_y, ticks, target)
