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


def draw_episodes(model: HikiModel) -> Figure:
    """Stacked bars of current cases by duration: primary below, secondary on top."""
    return draw_histogram(duration_histogram(model))


def draw_histogram(histogram: DurationHistogram) -> Figure:
    """Stacked bars of a duration histogram: primary below, secondary on top."""
    figure = new_figure()
    axes = figure.subplots()
    x = np.arange(len(histogram.labels))
    axes.bar(x, histogram.primary, color=PRIMARY_COLOUR, label="primary (no disorder)")
    axes.bar(
        x,
        histogram.secondary,
        bottom=histogram.primary,
        color=SECONDARY_COLOUR,
        label="secondary (with a disorder)",
    )
    axes.set_xticks(x, [f"{label} y" for label in histogram.labels])
    axes.set_xlabel("how long the current episode has lasted")
    axes.set_ylabel("current cases")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.legend(fontsize=8, frameon=False)
    axes.set_title(
        f"{histogram.total} current cases, {histogram.secondary_share:.0%} secondary", fontsize=10
    )
    return figure


@solara.component
def EpisodeView(model: HikiModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """The duration histogram of current cases."""
    update_counter.get()
    histogram = duration_histogram(model)
    # Redraw only when the counts change: most weeks no case passes a bin edge.
    counts = (*histogram.primary.tolist(), *histogram.secondary.tolist())
    figure = solara.use_memo(lambda: draw_histogram(histogram), dependencies=[model, counts])
    with solara.Card("How long cases last", margin=0):
        solara.FigureMatplotlib(figure, dependencies=[model, counts], **PNG_OPTIONS)
        Explanation("episodes")
