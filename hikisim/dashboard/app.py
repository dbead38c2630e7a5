"""The dashboard page: Mesa's SolaraViz with hikisim's controls, views and scenario picker.

Serve it with ``hikisim dashboard`` (or ``solara run hikisim.dashboard.app``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization import SolaraViz

from hikisim.dashboard import controls
from hikisim.dashboard.comparison_view import ComparisonView
from hikisim.dashboard.episode_view import EpisodeView
from hikisim.dashboard.model import DashboardModel
from hikisim.dashboard.network_view import NetworkView
from hikisim.dashboard.status_view import StatusBar
from hikisim.dashboard.timeseries_view import TimeSeriesView
from hikisim.errors import InputError

TITLE = "hikisim: how withdrawal spreads, lasts and responds to help"
PLAY_INTERVAL_MS = 150


def preset_params(file_name: str) -> dict[str, Any]:
    """Mesa's ``model_params`` for a preset file, or for the baseline if it cannot be read."""
    try:
        preset = controls.load_preset(file_name)
    except InputError:
        preset = controls.fallback_scenario(file_name)
    return controls.model_params(preset, file_name)


@solara.component
def ScenarioPicker(  # noqa: N802 - Solara components are CamelCase
    file_name: str, on_choose: Callable[[str], None], error: str | None
) -> None:
    """A list of the files in ``scenarios/``; choosing one presets every control."""
    with solara.Card("Scenario", margin=0):
        solara.Select(
            label="Start from scenario file",
            value=file_name,
            values=controls.scenario_files(),
            on_value=on_choose,
        )
        if error:
            solara.Error(error)


@solara.component
def Views(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """The four views in two responsive columns."""
    with solara.ColumnsResponsive(12, large=6):
        NetworkView(model)
        ComparisonView(model)
        TimeSeriesView(model)
        EpisodeView(model)


@solara.component
def Page() -> None:  # noqa: N802 - Solara components are CamelCase
    """The whole dashboard."""
    preset_file = solara.use_reactive(controls.DEFAULT_SCENARIO_FILE)
    preset_error: solara.Reactive[str | None] = solara.use_reactive(None)
    # Remounting SolaraViz (a new key) makes Mesa's controls start from a new preset.
    generation = solara.use_reactive(0)
    params = solara.use_memo(lambda: preset_params(preset_file.value), [preset_file.value])
    first_model = solara.use_memo(lambda: DashboardModel(**controls.initial_values(params)), [])
    model = solara.use_reactive(first_model)

    def choose(file_name: str) -> None:
        try:
            controls.load_preset(file_name)
        except InputError as error:
            preset_error.set(str(error))
            return
        preset_error.set(None)
        preset_file.set(file_name)
        model.set(DashboardModel(**controls.initial_values(preset_params(file_name))))
        generation.set(generation.value + 1)

    solara.Title("hikisim dashboard")
    with solara.Sidebar():
        ScenarioPicker(preset_file.value, choose, preset_error.value)
    StatusBar(model.value)
    SolaraViz(
        model,
        components=[],
        model_params=params,
        name=TITLE,
        play_interval=PLAY_INTERVAL_MS,
    ).key(f"viz-{generation.value}")
    Views(model.value)
