"""The comparison view: the baseline and the chosen interventions, side by side in lockstep."""

from __future__ import annotations

import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from hikisim.dashboard.comparison import Comparison, compare
from hikisim.dashboard.controls import intervention_label, intervention_summary
from hikisim.dashboard.explanations import Explanation
from hikisim.dashboard.model import DashboardModel
from hikisim.dashboard.style import (
    BASELINE_COLOUR,
    FIGURE_SIZE,
    INTERVENTION_COLOUR,
    PNG_OPTIONS,
    new_figure,
)
from hikisim.dashboard.timeseries_view import column
from hikisim.model import HikiModel

TABLE_HEADER = ("", "without", "with", "difference")


class ComparisonCanvas:
    """Current hikikomori cases per week in both runs; one figure per pair of runs.

    Args:
        model: The run with interventions.
        baseline: Its twin without interventions.

    Attributes:
        figure: The matplotlib figure.
    """

    def __init__(self, model: HikiModel, baseline: HikiModel) -> None:
        self.runs = (baseline, model)
        self.figure = new_figure((FIGURE_SIZE[0], FIGURE_SIZE[1] * 0.7), bottom=0.2)
        self.axes = self.figure.subplots()
        self.lines = [
            self.axes.plot([], [], linestyle=style, color=colour, label=label)[0]
            for label, colour, style in (
                ("without interventions", BASELINE_COLOUR, "--"),
                ("with interventions", INTERVENTION_COLOUR, "-"),
            )
        ]
        self.axes.set_xlabel("week")
        self.axes.set_ylabel("hikikomori cases")
        self.axes.yaxis.get_major_locator().set_params(integer=True)
        self.axes.legend(fontsize=8, frameon=False, loc="upper left")

    def update(self) -> Figure:
        """Put the weeks simulated so far into both lines."""
        for run, line in zip(self.runs, self.lines, strict=True):
            records = run.weekly_records
            line.set_data(column(records, "week"), column(records, "hikikomori"))
        self.axes.relim()
        self.axes.autoscale_view()
        return self.figure


def summary_sentence(comparison: Comparison, weeks: int) -> str:
    """One sentence on what the interventions have done so far."""
    cases, years = comparison.cases_averted, comparison.person_years_averted
    return (
        f"After {weeks} weeks the interventions have averted **{cases}** new cases and "
        f"**{years:.1f}** person-years of hikikomori."
    )


def switched_on_markdown(model: HikiModel) -> str:
    """The interventions switched on, each with what it does."""
    lines = [
        f"- **{intervention_label(i.name)}**: {intervention_summary(i.name)}"
        for i in model.interventions
    ]
    return "Switched on:\n\n" + "\n".join(lines)


def table_markdown(comparison: Comparison) -> str:
    """The running totals as a Markdown table."""
    lines = ["| " + " | ".join(TABLE_HEADER) + " |", "|" + "---|" * len(TABLE_HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in comparison.rows()]
    return "\n".join(lines)


@solara.component
def ComparisonView(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """Both runs' cases over time and the running totals, or how to start a comparison."""
    week = update_counter.get()
    baseline = model.baseline
    canvas = solara.use_memo(
        lambda: ComparisonCanvas(model, baseline) if baseline is not None else None,
        dependencies=[model],
    )
    with solara.Card("With and without interventions", margin=0):
        if baseline is None or canvas is None:
            solara.Info(
                "No intervention is switched on. Tick one under 'Model Parameters' in the "
                "sidebar and press Reset to compare."
            )
        else:
            solara.Markdown(switched_on_markdown(model))
            solara.FigureMatplotlib(canvas.update(), dependencies=[model, week], **PNG_OPTIONS)
            comparison = compare(model, baseline)
            solara.Markdown(summary_sentence(comparison, max(model.horizon_week, 0)))
            solara.Markdown(table_markdown(comparison))
        Explanation("comparison")
