"""Chart geometry computed on the server; templates draw it as SVG.

All geometry is in SVG attributes (x, y, width, height) and colours come from CSS
classes, so the charts need no inline style (the CSP forbids it), scale to a phone
and print as they look. Each chart carries a title, a description and the table
of its numbers beside it for screen readers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH = 400  # viewBox units; the CSS caps the drawn width


@dataclass
class HBar:
    label: str
    value_text: str
    y: float
    width: float
    target_x: float | None
    state: str  # met, unmet, none


@dataclass
class CoverageChart:
    height: float
    bars: list[HBar] = field(default_factory=list)
    bar_height: float = 12
    ticks: list[tuple[float, str]] = field(default_factory=list)

    @property
    def width(self) -> int:
        return WIDTH


def coverage_chart(items) -> CoverageChart:
    """Items: (label, percent or None, target percent or None, met or None, text)."""
    row = 42
    chart = CoverageChart(height=len(items) * row + 22)
    for i, (label, percent, target, met, text) in enumerate(items):
        top = i * row
        width = 0.0 if percent is None else min(max(percent, 0), 100) / 100 * WIDTH
        chart.bars.append(HBar(
            label=label, value_text=text, y=top, width=round(width, 1),
            target_x=None if target is None else round(min(float(target), 100) / 100 * WIDTH, 1),
            state="none" if met is None else ("met" if met else "unmet")))
    chart.ticks = [(round(p / 100 * WIDTH, 1), f"{p}%") for p in (0, 25, 50, 75, 100)]
    return chart


@dataclass
class Column:
    x: float
    y: float
    height: float
    value: int
    series: str


@dataclass
class ColumnChart:
    height: float
    plot_top: float
    plot_bottom: float
    columns: list[Column]
    labels: list[tuple[float, str]]
    gridlines: list[tuple[float, str]]
    column_width: float

    @property
    def width(self) -> int:
        return WIDTH


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 2.5, 5, 10):
        candidate = int(step * magnitude)
        if candidate >= value:
            return candidate
    return value


def weekly_chart(weeks, label_of) -> ColumnChart:
    """Two columns per week: requests received and sessions held."""
    top, bottom = 10.0, 170.0
    peak = _nice_max(max([w.requests for w in weeks] + [w.sessions for w in weeks] + [1]))
    slot = (WIDTH - 30) / max(len(weeks), 1)
    column_width = round(slot * 0.36, 1)
    columns, labels = [], []
    for i, week in enumerate(weeks):
        x0 = 30 + i * slot + slot * 0.12
        for j, (series, value) in enumerate((("requests", week.requests),
                                             ("sessions", week.sessions))):
            height = (bottom - top) * value / peak
            columns.append(Column(x=round(x0 + j * column_width, 1),
                                  y=round(bottom - height, 1), height=round(height, 1),
                                  value=value, series=series))
        if i % 2 == 0 or len(weeks) <= 6:
            labels.append((round(30 + i * slot + slot / 2, 1), label_of(week.start)))
    gridlines = [(round(bottom - (bottom - top) * f, 1), str(int(peak * f)))
                 for f in (0, 0.5, 1)]
    return ColumnChart(height=bottom + 26, plot_top=top, plot_bottom=bottom, columns=columns,
                       labels=labels, gridlines=gridlines, column_width=column_width)


@dataclass
class PairBar:
    label: str
    y: float
    demand: int
    supply: int
    demand_width: float
    supply_width: float


@dataclass
class PairChart:
    height: float
    rows: list[PairBar]

    @property
    def width(self) -> int:
        return WIDTH


def topic_chart(balances) -> PairChart:
    """Requests waiting and volunteers available per topic (biggest shortfall first)."""
    row = 52
    shown = [b for b in balances if b.demand or b.supply][:10]
    peak = max([b.demand for b in shown] + [b.supply for b in shown] + [1])
    usable = WIDTH - 40
    rows = []
    for i, b in enumerate(shown):
        rows.append(PairBar(label=b.topic.short_name, y=i * row, demand=b.demand,
                            supply=b.supply,
                            demand_width=round(usable * b.demand / peak, 1),
                            supply_width=round(usable * b.supply / peak, 1)))
    return PairChart(height=max(len(rows), 1) * row + 4, rows=rows)
