"""The status bar above the views: the week counter and any message about the controls."""

from __future__ import annotations

import solara
from mesa.visualization.utils import update_counter

from hikisim.dashboard.explanations import Explanation
from hikisim.dashboard.model import DashboardModel


def week_text(model: DashboardModel) -> str:
    """The week counter, such as ``Week 12 of 520 (year 0.2)``."""
    return (
        f"Week {max(model.horizon_week, 0)} of {model.horizon_weeks} "
        f"(year {model.years_shown:.1f}) · {model.settings.population.youths} youths · "
        f"scenario {model.settings.name}"
    )


@solara.component
def StatusBar(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """Week counter, errors in the controls or the run, and how to use the controls."""
    update_counter.get()
    if model.input_error:
        solara.Error(
            f"These settings cannot be used: {model.input_error}. Showing the scenario's "
            "defaults instead; fix the control and press Reset.",
            classes=["hikisim-input-error"],
        )
    if model.run_error:
        solara.Error(f"Sorry, {model.run_error}. Press Reset to start again.")
    if model.finished:
        solara.Success("The run has reached the end of its horizon. Press Reset to run again.")
    solara.v.Html(tag="h3", children=[week_text(model)], class_="hikisim-week")
    Explanation("status")
