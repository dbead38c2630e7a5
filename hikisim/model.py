"""HikiModel: the Mesa model that owns the population, the graph and the weekly kernel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from hikisim import __version__
from hikisim.agents import Family, School, Youth
from hikisim.dynamics import Kernel
from hikisim.episodes import EpisodeLog
from hikisim.interventions import REGISTRY, Intervention
from hikisim.metrics import WEEKLY_COLUMNS, weekly_record
from hikisim.network import build_network
from hikisim.population import build_population
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR, State
from hikisim.streams import Streams


def _reporter(column: str) -> Callable[[HikiModel], float]:
    return lambda model: model.last_record[column]


class HikiModel(mesa.Model):
    """Agent-based model of hikikomori among youths aged 10-39.

    One step is one week. The first ``run.burn_in_years`` are a burn-in that brings the
    population to steady state; the horizon of ``run.years`` follows, during which
    interventions may run and the DataCollector records each week.

    Args:
        scenario: The validated scenario; the embedded baseline if omitted.
        seed: Overrides ``scenario.run.seed``.

    Attributes:
        settings: The hikisim Scenario (Mesa keeps ``model.scenario`` for its own use).
        seed: The seed of this run.
        version: The hikisim version.
        population: Youth, family and school arrays.
        network: The social network, with its CSR view and tie states.
        graph: The networkx social graph.
        adjacency: The CSR adjacency used by the kernel.
        episode_log: One row per withdrawal episode.
        interventions: The interventions switched on.
        week: Weeks simulated so far, burn-in included.
        horizon_start: The week the horizon starts.
        total_weeks: Burn-in plus horizon, in weeks.
        weekly_records: One dict per horizon week.
        datacollector: Mesa DataCollector with the weekly model variables.
    """

    def __init__(self, scenario: Scenario | None = None, *, seed: int | None = None) -> None:
        scenario = scenario if scenario is not None else Scenario()
        seed = scenario.run.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.settings = scenario
        self.seed = seed
        self.version = __version__
        n = scenario.population.youths
        self.streams = Streams(seed, n)
        self.population = build_population(scenario, self.streams["population"])
        self.network, initial_activity = build_network(
            self.population, scenario.network, self.streams["network"]
        )
        self.graph = self.network.graph
        self.adjacency = self.network.adjacency
        self.episode_log = EpisodeLog()
        self.kernel = Kernel(
            scenario,
            self.population,
            self.network,
            self.streams,
            self.episode_log,
            initial_activity,
        )
        self.youth_agents = [Youth(self, i) for i in range(n)]
        self.family_agents = [Family(self, i) for i in range(len(self.population.families))]
        self.school_agents = [School(self, i) for i in range(len(self.population.schools))]
        self.interventions: list[Intervention] = [
            REGISTRY[name](
                getattr(scenario.interventions, name), self.streams.for_intervention(name)
            )
            for name in scenario.enabled_interventions()
        ]
        for intervention in self.interventions:
            intervention.setup(self)
        self.week = 0
        self.horizon_start = scenario.run.burn_in_years * WEEKS_PER_YEAR
        self.total_weeks = self.horizon_start + round(scenario.run.years * WEEKS_PER_YEAR)
        self.weekly_records: list[dict[str, float]] = []
        self.last_record: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={column: _reporter(column) for column in WEEKLY_COLUMNS}
        )

    @property
    def horizon_week(self) -> int:
        """The current week counted from the start of the horizon (negative in burn-in)."""
        return self.week - self.horizon_start

    @property
    def finished(self) -> bool:
        """Whether burn-in and horizon are both done."""
        return self.week >= self.total_weeks

    def step(self) -> None:
        """Simulate one week: the kernel, then interventions, then data collection."""
        events = self.kernel.step(self.week)
        cost_before = self.intervention_cost()
        # Only interventions set modifiers; without any they stay neutral all run.
        if self.interventions:
            self.kernel.modifiers.reset()
        for intervention in self.interventions:
            if intervention.is_running(self):
                intervention.apply(self)
        record = weekly_record(self, events, self.intervention_cost() - cost_before)
        self.week += 1
        self.last_record = record
        if record["week"] >= 0:
            self.weekly_records.append(record)
            self.datacollector.collect(self)
        self.running = not self.finished

    def run(self, progress: Callable[[int], Any] | None = None) -> None:
        """Step until the horizon ends.

        Args:
            progress: Called with the number of weeks done after each week, if given.
        """
        while not self.finished:
            self.step()
            if progress is not None:
                progress(1)

    def intervention_cost(self) -> float:
        """Cost of all interventions so far."""
        return float(sum(intervention.cost for intervention in self.interventions))

    def extra_outcomes(self) -> dict[str, Any]:
        """Outcomes that interventions add to the summary."""
        extra: dict[str, Any] = {}
        for intervention in self.interventions:
            extra.update(intervention.outcomes(self))
        return extra

    def finalize_log(self) -> None:
        """Write the running length of open episodes into the log before export."""
        y = self.population.youths
        open_seats = np.flatnonzero(y.state == State.WITHDRAWN)
        self.episode_log.set("weeks", y.episode_row[open_seats], y.withdrawn_weeks[open_seats])
