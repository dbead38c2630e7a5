"""The comparison view: the town with programmes and its twin without, plus more towns."""

from __future__ import annotations

import numpy as np
import solara
from matplotlib.ticker import MaxNLocator

from hikisim.dashboard.chart import Chart, LegendItem, ViewFrame
from hikisim.dashboard.comparison import Comparison, compare
from hikisim.dashboard.ensemble import Ensemble
from hikisim.dashboard.i18n import number, tr
from hikisim.dashboard.prose import Prose
from hikisim.dashboard.render import Frame, fit_axes
from hikisim.dashboard.style import (
    AVERTED_COLOUR,
    WITH_COLOUR,
    WITHOUT_COLOUR,
    new_figure,
    relabel_axes,
    style_axes,
)
from hikisim.dashboard.timeseries_view import column
from hikisim.model import HikiModel


def cumulative_cases(model: HikiModel) -> np.ndarray:
    """New hikikomori cases since week 0, week by week."""
    return np.cumsum(column(model.weekly_records, "new_cases"))


def legend() -> list[LegendItem]:
    """Both towns' lines and the averted line with its band."""
    return [
        LegendItem("legend_without", WITHOUT_COLOUR, "dashed"),
        LegendItem("legend_with", WITH_COLOUR),
        LegendItem("legend_averted", AVERTED_COLOUR, "dotted"),
    ]


class ComparisonCanvas:
    """New cases since week 0 in both towns, and the difference: the cases averted.

    All three lines start at 0 in week 0 and the y axis always includes 0, so a gap
    reads at its true size. The band is the range of cases averted across the extra
    towns run in the background.

    Args:
        model: The run with programmes.
        baseline: Its twin without programmes.

    Attributes:
        figure: The matplotlib figure.
        frame: Draws the figure: axes and ticks when they change, the lines every week.
        words: The words on the axes, in the language they were last drawn in.
    """

    def __init__(self, model: HikiModel, baseline: HikiModel) -> None:
        self.runs = (baseline, model)
        # Wide and low: the two sentences under it take the rest of the cell. So low that
        # the y label sits over the axis rather than up its side.
        self.figure = new_figure((4.7, 1.75), bottom=0.25, top=0.86, left=0.085)
        self.axes = self.figure.subplots()
        style_axes(self.axes)
        self.without = self.axes.plot([], [], color=WITHOUT_COLOUR, linestyle="--", lw=2)[0]
        self.with_ = self.axes.plot([], [], color=WITH_COLOUR, lw=2)[0]
        self.averted = self.axes.plot([], [], color=AVERTED_COLOUR, linestyle=":", lw=2.5)[0]
        self.band = None
        self.axes.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        self.axes.yaxis.set_major_locator(MaxNLocator(5, integer=True))
        self.frame = Frame(self.figure, [self.without, self.with_, self.averted])
        self.words: tuple[str, ...] = ()

    def update(self, ensemble: np.ndarray | None = None) -> bytes:
        """Draw the weeks simulated so far, and the extra towns' range if any finished.

        Args:
            ensemble: The extra towns' cases averted by week, one row per town.

        Returns:
            The picture as PNG bytes.
        """
        baseline, model = self.runs
        weeks = np.arange(1, len(model.weekly_records) + 1)
        without, with_ = cumulative_cases(baseline), cumulative_cases(model)
        self.without.set_data(weeks, without)
        self.with_.set_data(weeks, with_)
        self.averted.set_data(weeks, without - with_)
        if self.band is not None:
            self.frame.remove_moving(self.band)
            self.band = None
        if ensemble is not None and len(ensemble) and len(weeks):
            shown = ensemble[:, : len(weeks)]
            self.band = self.axes.fill_between(
                weeks, shown.min(axis=0), shown.max(axis=0), color=AVERTED_COLOUR, alpha=0.15, lw=0
            )
            self.frame.add_moving(self.band, below=True)
        shown = [without, with_, without - with_]
        if self.band is not None:
            shown.append(ensemble[:, : len(weeks)].ravel())
        low = min(float(values.min(initial=0)) for values in shown)
        high = max(float(values.max(initial=0)) for values in shown)
        horizon = model.total_weeks - model.horizon_start
        fit_axes(self.axes, len(weeks), low, high, min_top=5, x_limit=horizon)
        return self.frame.draw(key=self.label())

    def label(self) -> tuple[str, ...]:
        """Put the page's words on the axes.

        Returns:
            The words, so the background is redrawn when the language changes.
        """
        words = (tr("axis_week"), tr("axis_new_cases"))
        self.words = relabel_axes(self.axes, self.words, words, y_on_top=True)
        return self.words


def table_markdown(comparison: Comparison) -> str:
    """The running totals as a Markdown table, in the page's language."""
    header = ("", tr("col_without"), tr("col_with"), tr("col_difference"))
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join((tr(key), *cells)) + " |" for key, *cells in comparison.rows()]
    return "\n".join(lines)


def comparison_csv(model: HikiModel, baseline: HikiModel) -> str:
    """Week, both towns' new cases since week 0, and the cases averted, as CSV."""
    without, with_ = cumulative_cases(baseline), cumulative_cases(model)
    rows = ["week,cases_without,cases_with,averted"]
    rows += [
        f"{w + 1},{a:g},{b:g},{a - b:g}"
        for w, (a, b) in enumerate(zip(without, with_, strict=True))
    ]
    return "\n".join(rows) + "\n"


def ensemble_sentence(ensemble: Ensemble | None, week: int) -> str:
    """What the extra towns say so far, or that they are still running."""
    if ensemble is None:
        return ""
    summary = ensemble.at_week(week)
    if summary is None:
        finished = ensemble.done == ensemble.towns
        return tr("ensemble_ready" if finished else "ensemble_running", n=ensemble.towns)
    return tr(
        "ensemble_sentence",
        n=summary.towns,
        weeks=week,
        mean=number(summary.mean, ".1f"),
        low=number(summary.low, "g"),
        high=number(summary.high, "g"),
    )


@solara.component
def ComparisonView(  # noqa: N802
    model: HikiModel, ensemble: Ensemble | None, version: int, lang: str
) -> None:
    """Both towns' cases, the cases averted and the running totals, or how to start.

    Args:
        model: The run; its ``baseline`` twin is None when no programme is on.
        ensemble: The extra towns, or None.
        version: Bumped whenever the run changes, so the view redraws.
        lang: The page's language.
    """
    baseline = getattr(model, "baseline", None)
    canvas = solara.use_memo(
        lambda: ComparisonCanvas(model, baseline) if baseline is not None else None,
        dependencies=[model],
    )
    if baseline is None or canvas is None:
        with ViewFrame("comparison", tr("view_comparison"), [], None, None):
            solara.Info(tr("no_programme"))
        return
    curves = ensemble.curves() if ensemble is not None else None
    with model.lock:
        png = canvas.update(curves)
        comparison = compare(model, baseline)
        week = max(model.horizon_week, 0)
        csv = comparison_csv(model, baseline)
    with ViewFrame("comparison", tr("view_comparison"), legend(), lambda: png, lambda: csv):
        if week > 0:
            Chart(png, alt=f"comparison week {week}")
        else:
            Prose(tr("empty_chart"), classes=["hikisim-empty"])
        averted = tr(
            "averted_sentence",
            weeks=week,
            cases=comparison.cases_averted,
            years=number(comparison.person_years_averted, ".1f"),
        )
        Prose(averted + " " + ensemble_sentence(ensemble, week), classes=["hikisim-averted"])
        with solara.Details(tr("table")):
            Prose(table_markdown(comparison), classes=["hikisim-table"])
