"""The episode view: how long current hikikomori cases have lasted, primary versus secondary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from hikisim.dashboard.explanations import Explanation
from hikisim.dashboard.style import PNG_OPTIONS, PRIMARY_COLOUR, SECONDARY_COLOUR, new_figure
from hikisim.metrics import DURATION_BINS, current_cases
from hikisim.model import HikiModel
from hikisim.states import WEEKS_PER_YEAR


@dataclass(frozen=True)
class DurationHistogram:
    """Current cases by how long they have lasted, split by whether a disorder is present.

    Attributes:
        labels: Duration bins in years, as in the national surveys.
        primary: Cases without a psychiatric disorder, per bin.
        secondary: Cases with a psychiatric disorder, per bin.
    """

    labels: list[str]
    primary: np.ndarray
    secondary: np.ndarray

    @property
    def total(self) -> int:
        """All current cases."""
        return int(self.primary.sum() + self.secondary.sum())

    @property
    def secondary_share(self) -> float:
        """Share of current cases that are secondary (0 with no cases)."""
        return float(self.secondary.sum()) / self.total if self.total else 0.0


def duration_histogram(model: HikiModel) -> DurationHistogram:
    """Count the current cases of a model into the survey's duration bins.

    Args:
        model: Any hikisim model.

    Returns:
        The histogram; every current case falls in exactly one bin.
    """
    youths = model.population.youths
    cases = current_cases(model)
    years = youths.withdrawn_weeks[cases] / WEEKS_PER_YEAR
    secondary = youths.disorder[cases] > 0
    edges = [low for low, _ in DURATION_BINS.values()] + [np.inf]
    return DurationHistogram(
        labels=list(DURATION_BINS),
        primary=np.histogram(years[~secondary], bins=edges)[0],
        secondary=np.histogram(years[secondary], bins=edges)[0],
    )


class EpisodeCanvas:
    """One figure per model; each redraw only changes the bars' heights and the title.

    Args:
        labels: The duration bins.

    Attributes:
        figure: The matplotlib figure.
    """

    def __init__(self, labels: list[str]) -> None:
        self.figure = new_figure()
        self.axes = self.figure.subplots()
        x = np.arange(len(labels))
        zeros = np.zeros(len(labels))
        self.primary = self.axes.bar(x, zeros, color=PRIMARY_COLOUR, label="primary (no disorder)")
        self.secondary = self.axes.bar(
            x, zeros, bottom=zeros, color=SECONDARY_COLOUR, label="secondary (with a disorder)"
        )
        self.axes.set_xticks(x, [f"{label} y" for label in labels])
        self.axes.set_xlabel("how long the current episode has lasted")
        self.axes.set_ylabel("current cases")
        self.axes.yaxis.get_major_locator().set_params(integer=True)
        self.axes.legend(fontsize=8, frameon=False)
        self.title = self.axes.set_title("", fontsize=10)

    def update(self, histogram: DurationHistogram) -> Figure:
        """Show a histogram's counts."""
        for lower, upper, primary, secondary in zip(
            self.primary, self.secondary, histogram.primary, histogram.secondary, strict=True
        ):
            lower.set_height(primary)
            upper.set_y(primary)
            upper.set_height(secondary)
        tallest = int((histogram.primary + histogram.secondary).max(initial=0))
        self.axes.set_ylim(0, max(tallest, 1) * 1.05)
        self.title.set_text(
            f"{histogram.total} current cases, {histogram.secondary_share:.0%} secondary"
        )
        return self.figure


@solara.component
def EpisodeView(model: HikiModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """The duration histogram of current cases."""
    update_counter.get()
    histogram = duration_histogram(model)
    # Redraw only when the counts change: most weeks no case passes a bin edge.
    counts = (*histogram.primary.tolist(), *histogram.secondary.tolist())
    canvas = solara.use_memo(lambda: EpisodeCanvas(histogram.labels), dependencies=[model])
    figure = solara.use_memo(lambda: canvas.update(histogram), dependencies=[model, counts])
    with solara.Card("How long cases last", margin=0):
        solara.FigureMatplotlib(figure, dependencies=[model, counts], **PNG_OPTIONS)
        Explanation("episodes")
