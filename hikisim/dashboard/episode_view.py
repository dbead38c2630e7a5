"""The episode view: how long current hikikomori cases have lasted, primary versus secondary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import solara
from matplotlib.ticker import MaxNLocator

from hikisim.dashboard.chart import Chart, LegendItem, ViewFrame
from hikisim.dashboard.i18n import language, tr
from hikisim.dashboard.render import Frame, nice_limits
from hikisim.dashboard.style import (
    SECONDARY_HATCH,
    STATE_COLOURS,
    new_figure,
    relabel_axes,
    style_axes,
)
from hikisim.metrics import DURATION_BINS, current_cases
from hikisim.model import HikiModel
from hikisim.states import WEEKS_PER_YEAR, State

# Every current case is withdrawn, so the bars take the withdrawn colour; a disorder
# is shown by hatching rather than by a second colour.
CASE_COLOUR = STATE_COLOURS[State.WITHDRAWN]


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

    def csv(self) -> str:
        """The histogram as CSV, one row per duration bin."""
        rows = ["years,primary,secondary"]
        rows += [
            f"{label},{p},{s}"
            for label, p, s in zip(self.labels, self.primary, self.secondary, strict=True)
        ]
        return "\n".join(rows) + "\n"


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


def legend() -> list[LegendItem]:
    """Solid bars for primary cases, hatched for secondary ones."""
    return [
        LegendItem("legend_primary", CASE_COLOUR, "dot"),
        LegendItem("legend_secondary", CASE_COLOUR, "hatched"),
    ]


class EpisodeCanvas:
    """One figure per model; each redraw only changes the bars' heights.

    Args:
        labels: The duration bins.

    Attributes:
        figure: The matplotlib figure.
        frame: Draws the figure: axes and ticks when they change, the bars every time.
        words: The words on the axes, in the language they were last drawn in.
    """

    def __init__(self, labels: list[str]) -> None:
        self.figure = new_figure((4.7, 2.2), bottom=0.22, left=0.11)
        self.axes = self.figure.subplots()
        style_axes(self.axes)
        x = np.arange(len(labels))
        zeros = np.zeros(len(labels))
        self.primary = self.axes.bar(x, zeros, color=CASE_COLOUR)
        self.secondary = self.axes.bar(
            x, zeros, bottom=zeros, color="white", edgecolor=CASE_COLOUR, hatch=SECONDARY_HATCH
        )
        self.axes.set_xticks(x, labels)
        self.axes.yaxis.set_major_locator(MaxNLocator(5, integer=True))
        self.frame = Frame(self.figure, [*self.primary, *self.secondary])
        self.words: tuple[str, ...] = ()

    def update(self, histogram: DurationHistogram) -> bytes:
        """Show a histogram's counts.

        Returns:
            The picture as PNG bytes.
        """
        for lower, upper, primary, secondary in zip(
            self.primary, self.secondary, histogram.primary, histogram.secondary, strict=True
        ):
            lower.set_height(primary)
            upper.set_y(primary)
            upper.set_height(secondary)
        tallest = int((histogram.primary + histogram.secondary).max(initial=0))
        # Up to a tick, so the axis (the frame's background) stays put while counts move.
        top = nice_limits(self.axes.yaxis.get_major_locator(), 0, max(tallest, 1) * 1.05)[1]
        self.axes.set_ylim(0, top)
        return self.frame.draw(key=self.label())

    def label(self) -> tuple[str, ...]:
        """Put the page's words on the axes.

        Returns:
            The words, so the background is redrawn when the language changes.
        """
        words = (tr("axis_duration"), tr("axis_cases"))
        self.words = relabel_axes(self.axes, self.words, words)
        return self.words


def histogram_key(model: HikiModel) -> tuple[int, ...]:
    """The histogram's counts, primary then secondary: all the view depends on."""
    with model.lock:
        histogram = duration_histogram(model)
    return (*histogram.primary.tolist(), *histogram.secondary.tolist())


@solara.component
def EpisodeView(counts: tuple[int, ...]) -> None:  # noqa: N802
    """The duration histogram of current cases.

    It takes the counts rather than the model, so Solara skips the view in the many
    weeks when no case crosses a bin edge: a quarter of the page not redrawn per Step.

    Args:
        counts: :func:`histogram_key` of the run.
    """
    labels = list(DURATION_BINS)
    bins = len(labels)
    histogram = DurationHistogram(labels, np.array(counts[:bins]), np.array(counts[bins:]))
    canvas = solara.use_memo(lambda: EpisodeCanvas(labels), dependencies=[])
    # The picture carries the axis labels, so it is redrawn in a new language too.
    png = solara.use_memo(lambda: canvas.update(histogram), dependencies=[counts, language.value])
    share = round(100 * histogram.secondary_share)
    note = tr("episodes_title", total=histogram.total, secondary=share)
    with ViewFrame(
        "episodes", tr("view_episodes"), legend(), lambda: png, histogram.csv, note=note
    ):
        Chart(png, alt=f"episodes {histogram.total}")
