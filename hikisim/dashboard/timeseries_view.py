"""The time-series view: states and shares of youths, week by week."""

from __future__ import annotations

import math

import numpy as np
import solara
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import Formatter, MaxNLocator

from hikisim.dashboard.chart import Chart, LegendItem, ViewFrame
from hikisim.dashboard.i18n import tr
from hikisim.dashboard.prose import Prose
from hikisim.dashboard.render import Frame, fit_axes
from hikisim.dashboard.style import (
    LINE_STYLES,
    RATE_SERIES,
    STATE_COLOURS,
    STATE_KEYS,
    label_axes,
    new_figure,
    style_axes,
)
from hikisim.model import HikiModel
from hikisim.states import State

# Engaged youths are left out: their count would dwarf the others.
STATE_SERIES: dict[str, tuple[str, str, str]] = {
    key: (f"legend_{key}", STATE_COLOURS[state], "line")
    for state, key in STATE_KEYS.items()
    if state != State.ENGAGED
}


def column(records: list[dict[str, float]], name: str) -> np.ndarray:
    """One column of the weekly records as an array."""
    return np.fromiter((record[name] for record in records), float, len(records))


def weeks_done(records: list[dict[str, float]]) -> np.ndarray:
    """Each record's week as the page counts it: weeks simulated when it was taken.

    A record's ``week`` is the week it describes, counted from 0, and its counts are
    those at that week's end; the header ("Week N") and the comparison view count the
    weeks done, so the first record belongs at week 1.
    """
    return column(records, "week") + 1


def records_csv(records: list[dict[str, float]], names: list[str]) -> str:
    """Some columns of the weekly records as CSV, one row per week (weeks done)."""
    lines = ["week," + ",".join(names)]
    lines += [
        ",".join([f"{week:g}", *(f"{record[name]:g}" for name in names)])
        for week, record in zip(weeks_done(records), records, strict=True)
    ]
    return "\n".join(lines) + "\n"


def add_lines(axes: Axes, series: dict[str, tuple[str, str, str]]) -> dict[str, Line2D]:
    """One empty line per series; their legend is HTML beside the chart."""
    return {
        name: axes.plot([], [], color=colour, linestyle=LINE_STYLES[kind], linewidth=2)[0]
        for name, (_, colour, kind) in series.items()
    }


def legend() -> list[LegendItem]:
    """Left panel's states, then the right panel's shares."""
    return [
        LegendItem(label, colour, kind)
        for label, colour, kind in [*STATE_SERIES.values(), *RATE_SERIES.values()]
    ]


def percent_decimals(step: float) -> int:
    """Decimals that show every multiple of ``step`` percent exactly.

    Args:
        step: The ticks' step in percent, 1, 2 or 5 times a power of ten: 2 needs no
            decimal, 0.5 needs one.
    """
    return max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0


class PercentTicks(Formatter):
    """Shares as percentages, with as many decimals as the ticks' step needs.

    Paired with :func:`share_locator`, every tick is labelled with its exact value:
    matplotlib's ``PercentFormatter(decimals=0)`` rounded ticks 2.5 % apart to 2 %, 5 %,
    8 %.

    Attributes:
        decimals: Decimals of the labels, set from the ticks' step by :meth:`set_locs`.
    """

    decimals = 0

    def set_locs(self, locs: list[float]) -> None:
        """Take the ticks about to be labelled, and the decimals their step needs."""
        super().set_locs(locs)
        values = np.asarray(locs, dtype=float)
        step = float(np.diff(values).min()) * 100 if len(values) > 1 else 1.0
        self.decimals = percent_decimals(step)

    def __call__(self, x: float, pos: int | None = None) -> str:
        """The label of the tick at share ``x``."""
        return f"{x * 100:.{self.decimals}f}%"


def share_locator() -> MaxNLocator:
    """Ticks 1, 2 or 5 times a power of ten of a percent apart (never 2.5)."""
    return MaxNLocator(5, steps=[1, 2, 5, 10])


class TimeSeriesCanvas:
    """One figure per model; each week only the lines are redrawn.

    Args:
        model: The model whose weekly records are drawn.

    Attributes:
        figure: The matplotlib figure.
        frame: Draws the figure: axes and ticks when they change, the lines every week.
        words: The words on the axes, in the language they were last drawn in.
    """

    def __init__(self, model: HikiModel) -> None:
        self.model = model
        self.figure = new_figure(
            (4.7, 2.1), left=0.125, right=0.985, bottom=0.2, top=0.89, wspace=0.42
        )
        self.states_axes, self.rates_axes = self.figure.subplots(1, 2)
        for axes in (self.states_axes, self.rates_axes):
            style_axes(axes)
            axes.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        self.states_axes.yaxis.set_major_locator(MaxNLocator(5))
        self.rates_axes.yaxis.set_major_locator(share_locator())
        self.rates_axes.yaxis.set_major_formatter(PercentTicks())
        self.lines = add_lines(self.states_axes, STATE_SERIES) | add_lines(
            self.rates_axes, RATE_SERIES
        )
        self.frame = Frame(self.figure, self.lines.values())
        self.words: tuple[str, ...] = ()

    def label(self) -> tuple[str, ...]:
        """Put the page's words on the panels and axes.

        Returns:
            The words, so the background is redrawn when the language changes.
        """
        words = (
            tr("panel_states"),
            tr("panel_rates"),
            tr("axis_week"),
            tr("axis_youths"),
            tr("axis_share"),
        )
        if words != self.words:  # only in a new language: labelling costs a millisecond
            self.words = words
            states, rates, week, youths, share = words
            for axes, title, y in (
                (self.states_axes, states, youths),
                (self.rates_axes, rates, share),
            ):
                label_axes(axes, week, y, title)
        return words

    def update(self) -> bytes:
        """Put the weeks simulated so far into the lines and draw them.

        Both axes start at week 0 and at 0, and end on a tick past the data.

        Returns:
            The picture as PNG bytes.
        """
        records = self.model.weekly_records
        weeks = weeks_done(records)
        tops = {self.states_axes: 0.0, self.rates_axes: 0.0}
        for name, line in self.lines.items():
            values = column(records, name)
            line.set_data(weeks, values)
            tops[line.axes] = max(tops[line.axes], float(values.max(initial=0)))
        horizon = self.model.total_weeks - self.model.horizon_start
        fit_axes(self.states_axes, len(records), 0, tops[self.states_axes], 5, horizon)
        fit_axes(self.rates_axes, len(records), 0, tops[self.rates_axes], 0.01, horizon)
        return self.frame.draw(key=self.label())


@solara.component
def TimeSeriesView(model: HikiModel, version: int) -> None:  # noqa: N802
    """States and shares over the weeks simulated so far, or how to start them.

    Args:
        model: The run.
        version: Bumped whenever the run changes, so the view redraws.
    """
    canvas = solara.use_memo(lambda: TimeSeriesCanvas(model), dependencies=[model])
    with model.lock:
        records = list(model.weekly_records)
        png = canvas.update()
    names = [*STATE_SERIES, *RATE_SERIES]
    with ViewFrame(
        "timeseries",
        tr("view_timeseries"),
        legend(),
        lambda: png,
        lambda: records_csv(records, names),
    ):
        if records:
            Chart(png, alt=f"time series week {len(records)}")
        else:
            Prose(tr("empty_chart"), classes=["hikisim-empty"])
