"""Tests for HikiModel: construction, stepping, the horizon and data collection."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from hikisim import HikiModel, __version__
from hikisim.errors import InputError
from hikisim.metrics import WEEKLY_COLUMNS
from hikisim.network import TieKind
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR, State


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


@pytest.mark.parametrize("seed", [1.7, True, 2**64, 2**63, -1, np.float64(3.0), "7"])
def test_a_bad_seed_is_refused_not_converted(tiny_scenario: Scenario, seed: object) -> None:
    # int() once made 1.7 and True seed 1, and 2**64 ran though run.seed refuses it.
    with pytest.raises(InputError, match=r"^seed: must be"):
        HikiModel(tiny_scenario, seed=seed)  # type: ignore[arg-type]


def test_a_numpy_integer_seed_is_the_same_seed(tiny_scenario: Scenario) -> None:
    plain, numpy_seeded = (
        HikiModel(tiny_scenario, seed=4),
        HikiModel(tiny_scenario, seed=np.int64(4)),
    )
    assert numpy_seeded.seed == 4 and type(numpy_seeded.seed) is int
    for _ in range(10):
        plain.step()
        numpy_seeded.step()
    assert np.array_equal(plain.population.youths.state, numpy_seeded.population.youths.state)
    assert HikiModel(tiny_scenario, seed=2**63 - 1).seed == 2**63 - 1


def test_finalize_log_writes_no_row_for_a_withdrawal_without_one(tiny_model: HikiModel) -> None:
    y, log = tiny_model.population.youths, tiny_model.episode_log
    log.open(0, seat=np.array([1]), person_id=np.array([1]))
    log.set("weeks", np.array([0]), 7)
    y.state[5], y.episode_row[5], y.withdrawn_weeks[5] = State.WITHDRAWN, -1, 99
    tiny_model.finalize_log()
    # Row -1 is the last row, someone else's episode: it keeps its own length.
    assert log.column("weeks").tolist() == [7]


def graph_activity(model: HikiModel) -> dict[tuple[int, int], bool]:
    """Each edge's ``active`` flag, as ``model.graph`` shows it."""
    return {(min(u, v), max(u, v)): data["active"] for u, v, data in model.graph.edges(data=True)}


def csr_activity(model: HikiModel) -> dict[tuple[int, int], bool]:
    """Each tie's activity in the kernel's arrays."""
    network = model.network
    rows, cols = network.entry_row, network.adjacency.indices
    upper = np.flatnonzero(rows < cols)
    return {(int(rows[e]), int(cols[e])): bool(network.active[e]) for e in upper}


def test_graph_shows_the_ties_as_they_are_when_read() -> None:
    scenario = Scenario().with_overrides(
        {"population.youths": 1_000, "run.burn_in_years": 4, "run.years": 0.5}
    )
    model = HikiModel(scenario, seed=4)
    graph = model.graph  # built before any tie is lost
    assert graph_activity(model) == csr_activity(model)
    model.run()
    lost = int(np.count_nonzero(~model.network.active & (model.network.kind != TieKind.ONLINE)))
    assert lost > 0  # erosion ran, so there is something to show
    shown = graph_activity(model)
    assert model.graph is graph
    assert shown == csr_activity(model)
    assert sum(not active for active in shown.values()) == int((~model.network.active).sum()) // 2


def test_forks_share_the_graph_yet_each_reads_its_own_ties(tiny_model: HikiModel) -> None:
    tiny_model.graph  # noqa: B018 (built before forking, so that the forks share it)
    first, second = tiny_model.fork(tiny_model.settings), tiny_model.fork(tiny_model.settings)
    assert first.network.built_graph is second.network.built_graph
    offline = np.flatnonzero(first.network.kind != TieKind.ONLINE)
    first.network.set_active(offline[:40], False)
    second.network.set_active(offline[40:100], False)
    assert graph_activity(first) == csr_activity(first)
    assert graph_activity(second) == csr_activity(second)
    assert graph_activity(first) == csr_activity(first)
    assert graph_activity(tiny_model) == csr_activity(tiny_model)
