"""Monthly bar charts drawn on the server as SVG: no script, and a table beside each for those who
cannot see it."""

from __future__ import annotations

from dataclasses import dataclass

from reporting.kpis import Measure

WIDTH = 640
HEIGHT = 220
TOP = 10
BOTTOM = 40  # room for the month labels
LEFT = 40  # room for the percentages


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the month, shown under the bar when there is room
    text: str  # the figure, for the bar's tooltip and the table
    empty: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    baseline: float
    bars: tuple[Bar, ...]
    gridlines: tuple[tuple[float, str], ...]  # (y, "50%")


def share_text(met: int, counted: int) -> str:
    if not counted:
        return "none due"
    return f"{round(100 * met / counted)}% ({met} of {counted})"


def monthly_chart(measure: Measure) -> Chart:
    plot = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT) / max(len(measure.months), 1)
    label_every = 1 if len(measure.months) <= 12 else 3
    bars = []
    for index, month in enumerate(measure.months):
        share = month.share or 0.0
        height = plot * share
        bars.append(
            Bar(
                x=round(LEFT + index * step + step * 0.15, 1),
                y=round(TOP + plot - height, 1),
                width=round(step * 0.7, 1),
                height=round(height, 1),
                label=f"{month.month:%b %y}" if index % label_every == 0 else "",
                text=f"{month.month:%B %Y}: {share_text(month.met, month.counted)}",
                empty=month.counted == 0,
            )
        )
    gridlines = tuple((round(TOP + plot * (1 - fraction), 1), f"{int(fraction * 100)}%") for fraction in (0, 0.5, 1))
    return Chart(WIDTH, HEIGHT, LEFT, TOP + plot, tuple(bars), gridlines)
