"""Tests for HikiModel: construction, stepping, the horizon and data collection."""

from __future__ import annotations

import mesa
import numpy as np

from hikisim import HikiModel, __version__
from hikisim.metrics import WEEKLY_COLUMNS
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR


def test_model_is_a_mesa_model(tiny_model: HikiModel) -> None:
    assert isinstance(tiny_model, mesa.Model)
    assert tiny_model.version == __version__
    assert tiny_model.graph is tiny_model.network.graph
    assert tiny_model.adjacency is tiny_model.network.adjacency
    assert tiny_model.adjacency.shape == (300, 300)
    assert tiny_model.interventions == []


def test_seed_argument_overrides_scenario_seed(tiny_scenario: Scenario) -> None:
    assert HikiModel(tiny_scenario).seed == tiny_scenario.run.seed
    assert HikiModel(tiny_scenario, seed=99).seed == 99


def test_default_model_uses_the_embedded_baseline() -> None:
    model = HikiModel(Scenario().with_overrides({"population.youths": 50}))
    assert model.settings.name == "baseline"


def test_horizon_bookkeeping(tiny_model: HikiModel) -> None:
    assert tiny_model.horizon_start == 2 * WEEKS_PER_YEAR
    assert tiny_model.total_weeks == 3 * WEEKS_PER_YEAR
    assert tiny_model.horizon_week == -2 * WEEKS_PER_YEAR
    assert not tiny_model.finished


def test_run_records_only_horizon_weeks(finished_tiny_model: HikiModel) -> None:
    model = finished_tiny_model
    assert model.finished
    assert not model.running
    assert model.week == model.total_weeks
    assert len(model.weekly_records) == WEEKS_PER_YEAR
    assert [r["week"] for r in model.weekly_records] == list(range(WEEKS_PER_YEAR))
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == list(WEEKLY_COLUMNS)
    assert len(frame) == WEEKS_PER_YEAR
    assert frame["withdrawn"].tolist() == [r["withdrawn"] for r in model.weekly_records]


def test_run_reports_progress(tiny_scenario: Scenario) -> None:
    model = HikiModel(tiny_scenario.with_overrides({"run.burn_in_years": 0, "run.years": 0.5}))
    ticks: list[int] = []
    model.run(ticks.append)
    assert sum(ticks) == model.total_weeks == 26


def test_same_seed_same_trajectory(tiny_scenario: Scenario) -> None:
    first, second = HikiModel(tiny_scenario, seed=4), HikiModel(tiny_scenario, seed=4)
    for _ in range(60):
        first.step()
        second.step()
    assert np.array_equal(first.population.youths.state, second.population.youths.state)
    assert np.array_equal(first.network.active, second.network.active)


def test_finalize_log_writes_running_lengths(finished_tiny_model: HikiModel) -> None:
    model = finished_tiny_model
    y = model.population.youths
    withdrawn = np.flatnonzero(y.withdrawn_weeks > 0)
    weeks = model.episode_log.column("weeks")[y.episode_row[withdrawn]]
    assert np.array_equal(weeks, y.withdrawn_weeks[withdrawn])
