"""The time-series view: states, hikikomori prevalence and the warning signs, week by week."""

from __future__ import annotations

import numpy as np
import solara
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter
from mesa.visualization.utils import update_counter

from hikisim.dashboard.explanations import Explanation
from hikisim.dashboard.style import (
    PNG_OPTIONS,
    RATE_SERIES,
    STATE_COLOURS,
    STATE_NAMES,
    new_figure,
)
from hikisim.model import HikiModel
from hikisim.states import State

# Engaged youths are left out: their count would dwarf the others.
STATE_SERIES: dict[str, tuple[str, str]] = {
    name.replace(" ", "_"): (name, STATE_COLOURS[state])
    for state, name in STATE_NAMES.items()
    if state != State.ENGAGED
}


def column(records: list[dict[str, float]], name: str) -> np.ndarray:
    """One column of the weekly records as an array."""
    return np.fromiter((record[name] for record in records), float, len(records))


def add_lines(axes: Axes, series: dict[str, tuple[str, str]]) -> dict[str, Line2D]:
    """One empty, labelled line per series, and a legend for them."""
    lines = {
        name: axes.plot([], [], color=colour, label=label)[0]
        for name, (label, colour) in series.items()
    }
    axes.legend(fontsize=7, loc="upper left", frameon=False)
    axes.set_xlabel("week")
    return lines


class TimeSeriesCanvas:
    """One figure per model; each week only the lines' data change.

    Args:
        model: The model whose weekly records are drawn.

    Attributes:
        figure: The matplotlib figure.
    """

    def __init__(self, model: HikiModel) -> None:
        self.model = model
        self.figure = new_figure(wspace=0.3)
        self.states_axes, self.rates_axes = self.figure.subplots(1, 2)
        self.states_axes.set_title("Youths not engaged", fontsize=10)
        self.states_axes.set_ylabel("youths")
        self.rates_axes.set_title("Shares of youths", fontsize=10)
        self.rates_axes.yaxis.set_major_formatter(PercentFormatter(1.0))
        self.lines = add_lines(self.states_axes, STATE_SERIES) | add_lines(
            self.rates_axes, RATE_SERIES
        )
        self.hint = self.figure.text(0.5, 0.5, "press Step or ▶", ha="center", va="center")

    def update(self) -> Figure:
        """Put the weeks simulated so far into the lines and rescale the axes."""
        records = self.model.weekly_records
        weeks = column(records, "week")
        for name, line in self.lines.items():
            line.set_data(weeks, column(records, name))
        for axes in (self.states_axes, self.rates_axes):
            axes.relim()
            axes.autoscale_view()
        self.hint.set_visible(not records)
        return self.figure


@solara.component
def TimeSeriesView(model: HikiModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """States and rates over the weeks simulated so far."""
    week = update_counter.get()
    canvas = solara.use_memo(lambda: TimeSeriesCanvas(model), dependencies=[model])
    with solara.Card("Week by week", margin=0):
        solara.FigureMatplotlib(canvas.update(), dependencies=[model, week], **PNG_OPTIONS)
        Explanation("timeseries")
