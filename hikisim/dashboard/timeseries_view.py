"""The time-series view: states and shares of youths, week by week."""

from __future__ import annotations

import numpy as np
import solara
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter

from hikisim.dashboard.chart import Chart, LegendItem, ViewFrame
from hikisim.dashboard.i18n import tr
from hikisim.dashboard.prose import Prose
from hikisim.dashboard.render import Frame, fit_axes
from hikisim.dashboard.style import (
    RATE_SERIES,
    STATE_COLOURS,
    STATE_KEYS,
    new_figure,
    style_axes,
)
from hikisim.model import HikiModel
from hikisim.states import State

# Engaged youths are left out: their count would dwarf the others.
STATE_SERIES: dict[str, tuple[str, str, str]] = {
    key: (f"legend_{key}", STATE_COLOURS[state], "-")
    for state, key in STATE_KEYS.items()
    if state != State.ENGAGED
}


def column(records: list[dict[str, float]], name: str) -> np.ndarray:
    """One column of the weekly records as an array."""
    return np.fromiter((record[name] for record in records), float, len(records))


def records_csv(records: list[dict[str, float]], names: list[str]) -> str:
    """Some columns of the weekly records as CSV, one row per week."""
    lines = [",".join(names)]
    lines += [",".join(f"{record[name]:g}" for name in names) for record in records]
    return "\n".join(lines) + "\n"


def add_lines(axes: Axes, series: dict[str, tuple[str, str, str]]) -> dict[str, Line2D]:
    """One empty line per series; their legend is HTML beside the chart."""
    return {
        name: axes.plot([], [], color=colour, linestyle=style, linewidth=2)[0]
        for name, (_, colour, style) in series.items()
    }


def legend() -> list[LegendItem]:
    """Left panel's states, then the right panel's shares."""
    kinds = {"-": "line", "--": "dashed", ":": "dotted", "-.": "dashed"}
    return [
        LegendItem(label, colour, kinds[style])
        for label, colour, style in [*STATE_SERIES.values(), *RATE_SERIES.values()]
    ]


class TimeSeriesCanvas:
    """One figure per model; each week only the lines are redrawn.

    Args:
        model: The model whose weekly records are drawn.

    Attributes:
        figure: The matplotlib figure.
        frame: Draws the figure: axes and ticks when they change, the lines every week.
    """

    def __init__(self, model: HikiModel) -> None:
        self.model = model
        self.figure = new_figure((4.7, 2.1), left=0.1, right=0.98, bottom=0.13, wspace=0.32)
        self.states_axes, self.rates_axes = self.figure.subplots(1, 2)
        self.rates_axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        for axes in (self.states_axes, self.rates_axes):
            style_axes(axes)
            axes.xaxis.set_major_locator(MaxNLocator(4, integer=True))
            axes.yaxis.set_major_locator(MaxNLocator(5))
        self.lines = add_lines(self.states_axes, STATE_SERIES) | add_lines(
            self.rates_axes, RATE_SERIES
        )
        self.frame = Frame(self.figure, self.lines.values())

    def update(self) -> bytes:
        """Put the weeks simulated so far into the lines and draw them.

        Both axes start at week 0 and at 0, and end on a tick past the data.

        Returns:
            The picture as PNG bytes.
        """
        records = self.model.weekly_records
        weeks = column(records, "week")
        tops = {self.states_axes: 0.0, self.rates_axes: 0.0}
        for name, line in self.lines.items():
            values = column(records, name)
            line.set_data(weeks, values)
            tops[line.axes] = max(tops[line.axes], float(values.max(initial=0)))
        horizon = self.model.total_weeks - self.model.horizon_start
        fit_axes(self.states_axes, len(records), 0, tops[self.states_axes], 5, horizon)
        fit_axes(self.rates_axes, len(records), 0, tops[self.rates_axes], 0.01, horizon)
        return self.frame.draw()


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
    names = ["week", *STATE_SERIES, *RATE_SERIES]
    title = f"{tr('view_timeseries')} · {tr('panel_states')} | {tr('panel_rates')}"
    with ViewFrame("timeseries", title, legend(), lambda: png, lambda: records_csv(records, names)):
        if records:
            Chart(png, alt=f"time series week {len(records)}")
        else:
            Prose(tr("empty_chart"), classes=["hikisim-empty"])
