"""HikiModel: the Mesa model that owns the population, the graph and the weekly kernel."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any, cast

import mesa
import networkx as nx
import numpy as np

from hikisim.agents import Family, School, Youth
from hikisim.clock import Calendar, shift_month
from hikisim.drivers import Driver, load_drivers
from hikisim.dynamics import CalendarEffects, Kernel, note_programme, start_care
from hikisim.episodes import EpisodeLog
from hikisim.metrics import WEEKLY_COLUMNS, current_cases, weekly_record
from hikisim.network import build_network
from hikisim.parents import (
    Newcomers,
    ParentData,
    Parents,
    build_parents,
    load_parent_data,
    renew_parents_of,
)
from hikisim.population import ReadOnlyColumns, build_population
from hikisim.programmes import REGISTRY, Intervention
from hikisim.programmes.interface import (
    FamilyColumns,
    HazardModifiers,
    SchoolColumns,
    YouthColumns,
)
from hikisim.scenario import Scenario
from hikisim.seeds import checked_seed
from hikisim.states import WEEKS_PER_YEAR, State
from hikisim.streams import Streams
from hikisim.survey_records import SurveyRecorder
from hikisim.targets import Target, load_targets


def _installed_version() -> str:
    """The installed version of hikisim, from the package metadata.

    Read here rather than imported from :mod:`hikisim`, whose ``__init__`` imports this
    module: that import would close a cycle.
    """
    try:
        return version("hikisim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def _reporter(column: str) -> Callable[[HikiModel], float]:
    return lambda model: model.last_record[column]


class WeeklyCollector(mesa.DataCollector):
    """Mesa's DataCollector of the weekly record, one model variable per column.

    Mesa's ``collect`` deep-copies each reporter's value in case it is a mutable object
    that later weeks change. The weekly record holds numbers only, so ``collect``
    appends them as they are: the same tables, without some thirty copies a week.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters={column: _reporter(column) for column in WEEKLY_COLUMNS})

    def collect(self, model: mesa.Model) -> None:
        """Append the model's last weekly record.

        Args:
            model: The model (a :class:`HikiModel`).
        """
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        record = model.last_record
        for column in WEEKLY_COLUMNS:
            self.model_vars[column].append(record[column])


class HikiModel(mesa.Model):
    """Agent-based model of hikikomori among people aged 10 to ``population.max_age``.

    One step is one week, on a calendar. The run starts ``run.burn_in_years`` before
    ``run.present`` (1960 by default); the burn-in carries the population through the
    survey years, at whose dates the survey recorder measures it. The horizon of
    ``run.years`` starts at ``run.present``; interventions may run in it, and the
    DataCollector records each of its weeks.

    Args:
        scenario: The validated scenario; the embedded baseline if omitted.
        seed: Overrides ``scenario.run.seed``: an integer (Python or numpy) from 0 to
            2**63-1, as in a scenario file.
        targets: The published figures the survey recorder measures; the packaged
            ``targets-v2.toml`` by default (a calibration may pass another file's).

    Raises:
        InputError: If ``seed`` is not an integer from 0 to 2**63-1 (a float or a bool
            included).

    Attributes:
        settings: The hikisim Scenario (Mesa keeps ``model.scenario`` for its own use).
        seed: The seed of this run.
        version: The hikisim version.
        population: Youth, family and school arrays.
        parents: Each person's parents (ages at the birth, ages at death); only the
            survey measures read them.
        parent_data: The data the parents are drawn from.
        network: The social network, with its CSR view and tie states.
        graph: The networkx social graph, with each tie's current activity.
        adjacency: The CSR adjacency used by the kernel.
        episode_log: One row per withdrawal episode.
        interventions: The interventions switched on.
        kernel_interface: What the interventions may read and change (and nothing else).
        calendar: The run's calendar (week 0 is the month the run starts).
        drivers: The time-varying drivers (data) the kernel's calendar effects read.
        survey_recorder: The survey measures taken at each survey date.
        week: Weeks simulated so far, burn-in included.
        horizon_start: The week the horizon starts.
        total_weeks: Burn-in plus horizon, in weeks.
        weekly_records: One dict per horizon week.
        datacollector: Mesa DataCollector with the weekly model variables.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        seed: int | None = None,
        targets: Mapping[str, Target] | None = None,
    ) -> None:
        scenario = scenario if scenario is not None else Scenario()
        # The rule of run.seed and --seed: a bad seed is refused, never converted.
        seed = scenario.run.seed if seed is None else checked_seed(seed, "seed")
        super().__init__(rng=seed)
        self.settings = scenario
        self.seed = seed
        self.version = _installed_version()
        n = scenario.population.youths
        self.streams = Streams(seed, n)
        self.population = build_population(scenario, self.streams["population"])
        self.network, initial_activity = build_network(
            self.population, scenario.network, self.streams["network"]
        )
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
        self.kernel_interface = ModelKernelInterface(self)
        self.interventions: list[Intervention] = self._build_interventions(scenario)
        self.week = 0
        self.horizon_start = scenario.run.burn_in_years * WEEKS_PER_YEAR
        self.total_weeks = self.horizon_start + round(scenario.run.years * WEEKS_PER_YEAR)
        self.calendar = Calendar(shift_month(scenario.run.present, -scenario.run.burn_in_years))
        self.drivers: dict[str, Driver] = load_drivers()
        self._driver_weeks: dict[str, np.ndarray] = {}
        self.parent_data: ParentData = load_parent_data()
        self._parents = build_parents(
            self.population.youths,
            self.calendar.year_of(0),
            scenario.parents,
            self.parent_data,
            self.streams["parents"],
        )
        # Newcomers whose parents are not drawn yet (see ``parents``), waiting since the
        # week the oldest of them came.
        self._awaiting_parents: list[Newcomers] = []
        self._awaiting_since = 0
        self.survey_recorder = SurveyRecorder(
            self.calendar, self.total_weeks, load_targets() if targets is None else targets
        )
        self.weekly_records: list[dict[str, float]] = []
        # Each horizon week's programme cost by unit price (cost_parts), for revaluing a
        # run at other prices without running it again (hikisim.one_way).
        self.weekly_cost_parts: dict[str, list[float]] = {}
        self.last_record: dict[str, float] = {}
        self.datacollector = WeeklyCollector()

    def _build_interventions(self, scenario: Scenario) -> list[Intervention]:
        # Each programme draws its targeting from a stream of its own, which nothing
        # touches before the horizon, so building them later draws the same values.
        interventions = [
            REGISTRY[name](
                getattr(scenario.interventions, name), self.streams.for_intervention(name)
            )
            for name in scenario.enabled_interventions()
        ]
        for intervention in interventions:
            intervention.setup(self)
        return interventions

    def fork(self, scenario: Scenario) -> HikiModel:
        """A copy of this model, at this week, that carries on under ``scenario``.

        Scenarios that differ only in their programmes share everything before the
        horizon (programmes do not act then, and each draws only from its own stream),
        so a comparison can simulate the burn-in once and fork it per scenario; the
        forked run is byte-identical to a run of ``scenario`` from the start.

        Args:
            scenario: The scenario to continue under; it may differ from this model's
                only in ``interventions``, ``name``, ``description`` and
                ``run.delivery_years``.

        Returns:
            The forked model.

        Raises:
            ValueError: If the scenario differs in anything else, or the horizon has
                already started (programmes would have acted).
        """
        if self.week > self.horizon_start:
            raise ValueError("a model can be forked only up to the start of its horizon")
        if not shares_burn_in(self.settings, scenario):
            raise ValueError(f"{scenario.name!r} differs from this model beyond its programmes")
        if self.interventions:
            raise ValueError("fork a model built without programmes")
        # The networkx graph never changes shape (ties switch on and off in arrays), and
        # copying it is most of a fork's cost, so forks share it if it has been built.
        # Each model writes its own tie flags onto it when its ``graph`` is read (the
        # shared GraphCopy records which flags the edges show).
        held = self.network.graph_copy
        twin = copy.deepcopy(self, {} if held is None else {id(held): held})
        twin.settings = scenario
        twin.kernel.scenario = scenario
        twin.interventions = twin._build_interventions(scenario)
        return twin

    @property
    def graph(self) -> nx.Graph:
        """The networkx graph of the social ties, as they are this week.

        Node ``i`` is the youth at seat ``i`` (``model.youth_agents[i]``). Every potential
        tie is an edge, with its ``kind`` (``"SIBLING"``, ``"CLASSMATE"``, ``"FRIEND"``,
        ``"NEIGHBOUR"``, ``"ONLINE"``) and whether it is ``active`` now or lost to
        withdrawal; ``nx.subgraph_view(g, filter_edge=lambda u, v: g.edges[u, v]["active"])``
        gives the active ties alone.

        The graph is built on first use (the kernel never needs it). Each read brings
        the ``active`` flags up to date, writing only the ties that changed since the
        last read (a comparison of the tie flags, under a millisecond at 100,000
        people), so read ``model.graph`` again after stepping rather than keeping the
        object: one kept across weeks shows the ties of the week it was last read. Forks
        (:meth:`fork`) share one graph object, which shows the ties of whichever model
        it was last read from.
        """
        return self.network.graph

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
        self.kernel.calendar = self.calendar_effects(self.week)
        events = self.kernel.step(self.week)
        self._note_newcomers()
        parts_before = self.cost_parts()
        # Only interventions set modifiers; without any they stay neutral all run.
        if self.interventions:
            self.kernel.modifiers.reset()
        for intervention in self.interventions:
            if intervention.is_running(self):
                intervention.apply(self)
        parts = self.cost_parts()
        record = weekly_record(self, events, total_cost(parts) - total_cost(parts_before))
        self.survey_recorder.observe(self, self.week)
        self.week += 1
        self.last_record = record
        if record["week"] >= 0:
            self.weekly_records.append(record)
            self.datacollector.collect(self)
            for name, prices in parts.items():
                for price, cost in prices.items():
                    weeks = self.weekly_cost_parts.setdefault(f"interventions.{name}.{price}", [])
                    weeks.append(cost - parts_before[name][price])
        self.running = not self.finished

    def cost_parts(self) -> dict[str, dict[str, float]]:
        """Each switched-on programme's cost so far, by the unit price it is paid at."""
        return {intervention.name: intervention.cost_parts for intervention in self.interventions}

    @property
    def parents(self) -> Parents:
        """Each person's parents (ages at the birth, ages at death).

        Newcomers' parents are drawn when something reads them (only the survey measures
        do), or once the oldest waiting newcomers came a year ago, in one vectorized
        pass: a few newcomers a week cost a few dozen small numpy calls a week otherwise.
        The draws and their order in the parents' stream are those of drawing week by
        week.
        """
        if self._awaiting_parents:
            renew_parents_of(
                self._parents,
                self.population.youths,
                self._awaiting_parents,
                self.settings.parents,
                self.parent_data,
                self.streams["parents"],
            )
            self._awaiting_parents.clear()
        return self._parents

    def _note_newcomers(self) -> None:
        """Keep the people who took a seat this week (turnover) until their parents are drawn."""
        # Only turnover gives a seat a new occupant; this spares a scan of everyone.
        seats = self.kernel.take_newcomers()
        if len(seats) == 0:
            return
        if not self._awaiting_parents:
            self._awaiting_since = self.week
        year = self.calendar.year_of(self.week)
        ages = self.population.youths.age_weeks[seats]
        self._awaiting_parents.append(Newcomers(seats, year - ages / WEEKS_PER_YEAR))
        # Drawn within a year of the oldest waiting newcomers' arrival: far shorter than
        # anyone holds a seat (30 years or more), so no seat changes occupant twice
        # among the waiting, as renew_parents_of requires.
        if self.week - self._awaiting_since >= WEEKS_PER_YEAR:
            self.parents  # noqa: B018 (reading them draws them)

    def calendar_effects(self, week: int) -> CalendarEffects:
        """The drivers' effects in a week: their values (data) times their effects.

        Args:
            week: The absolute week.
        """
        society, school = self.settings.society, self.settings.school
        covid = self.driver_at("covid", week)
        internet = self.driver_at("internet_use", week)
        return CalendarEffects(
            onset_logit=society.internet_effect * internet + society.covid_effect * covid,
            refusal_multiplier=math.exp(
                school.refusal_policy_effect * self.driver_at("school_refusal_policy", week)
                # Relative to full internet use, so that refusal_start is today's rate
                # and this effect moves the early years (see the parameter).
                + school.refusal_internet_effect * (internet - 1.0)
                + school.covid_refusal_effect * covid
            ),
            job_market_gap=1.0 - self.driver_at("job_openings_ratio", week),
            week_of_year=self.calendar.week_of_year(week),
        )

    def driver_at(self, name: str, week: int) -> float:
        """A driver's value in a run week (the same as ``drivers[name].at(year)``).

        The values of every week of the run are computed at the first call, in one
        vectorized evaluation per driver, instead of one evaluation per week.

        Args:
            name: The driver.
            week: The absolute week.
        """
        weeks = self._driver_weeks.get(name)
        if weeks is None:
            years = np.array([self.calendar.year_of(w) for w in range(self.total_weeks + 1)])
            weeks = self._driver_weeks[name] = self.drivers[name].evaluate(years)
        if 0 <= week < len(weeks):
            return float(weeks[week])
        return self.drivers[name].at(self.calendar.year_of(week))

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
        return total_cost(self.cost_parts())

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
        # A negative row is no episode (-1 would write into the log's last row).
        open_seats = open_seats[y.episode_row[open_seats] >= 0]
        self.episode_log.set("weeks", y.episode_row[open_seats], y.withdrawn_weeks[open_seats])


def total_cost(parts: dict[str, dict[str, float]]) -> float:
    """The cost of all programmes from :meth:`HikiModel.cost_parts`.

    Summed programme by programme, each its parts' sum (as ``Intervention.cost``), so
    the weekly cost is the same float whether taken from the parts or the programmes.
    """
    return float(sum(sum(prices.values()) for prices in parts.values()))


PROGRAMME_KEYS = ("name", "description", "interventions")
#: Run settings that belong to the programmes: they matter only once the horizon starts.
PROGRAMME_RUN_KEYS = ("delivery_years",)


def settings_beyond_programmes(scenario: Scenario) -> dict[str, Any]:
    """The scenario's settings without its programmes, name, description and delivery years.

    Args:
        scenario: The scenario.

    Returns:
        Its ``model_dump`` less :data:`PROGRAMME_KEYS` and the run's
        :data:`PROGRAMME_RUN_KEYS`.
    """
    settings = scenario.model_dump(exclude=set(PROGRAMME_KEYS))
    for key in PROGRAMME_RUN_KEYS:
        del settings["run"][key]
    return settings


def shares_burn_in(first: Scenario, second: Scenario) -> bool:
    """Whether two scenarios differ only in their programmes (and name and description)."""
    return settings_beyond_programmes(first) == settings_beyond_programmes(second)


def all_share_burn_in(scenarios: Sequence[Scenario]) -> bool:
    """Whether every scenario differs from the first only in its programmes."""
    return all(shares_burn_in(scenarios[0], other) for other in scenarios[1:])


def without_programmes(scenario: Scenario) -> Scenario:
    """The scenario with every programme switched off: the common trunk of a fork."""
    return scenario.model_copy(update={"interventions": type(scenario.interventions)()})


class ModelKernelInterface:
    """The kernel interface a :class:`HikiModel` hands its programmes.

    It implements :class:`~hikisim.programmes.interface.KernelInterface`: read-only views
    of the population's columns, this week's hazard modifiers, care enrolment and the
    few other writes programmes need. Programmes never see the model itself.

    Args:
        model: The model whose kernel and population to expose.
    """

    def __init__(self, model: HikiModel) -> None:
        self._model = model
        population = model.population
        self._youths = ReadOnlyColumns(population.youths)
        self._families = ReadOnlyColumns(population.families)
        self._schools = ReadOnlyColumns(population.schools)

    @property
    def week(self) -> int:
        """Weeks simulated so far, burn-in included."""
        return self._model.week

    @property
    def horizon_week(self) -> int:
        """The week counted from the start of the horizon (negative in burn-in)."""
        return self._model.horizon_week

    @property
    def delivering(self) -> bool:
        """Whether programmes take new participants this week (``run.delivery_years``)."""
        model = self._model
        return model.horizon_week < round(model.settings.run.delivery_years * WEEKS_PER_YEAR)

    @property
    def youths(self) -> YouthColumns:
        """Read-only youth columns."""
        return cast(YouthColumns, self._youths)

    @property
    def families(self) -> FamilyColumns:
        """Read-only family columns."""
        return cast(FamilyColumns, self._families)

    @property
    def schools(self) -> SchoolColumns:
        """Read-only school columns."""
        return self._schools

    @property
    def modifiers(self) -> HazardModifiers:
        """This week's hazard modifiers."""
        return self._model.kernel.modifiers

    def current_cases(self) -> np.ndarray:
        """Seats of the current hikikomori cases, as the summary counts them."""
        return current_cases(self._model)

    def start_care(self, seats: np.ndarray, kind: int) -> None:
        """Enrol youths in care of a :class:`~hikisim.states.Care` kind, noted in their episode."""
        start_care(self._model.kernel, seats, kind)

    def route_care(self, seats: np.ndarray, kinds: np.ndarray) -> None:
        """Move youths already in care to another kind of care (their episode keeps the first)."""
        self._model.population.youths.care[seats] = kinds

    def record_diagnosis(self, seats: np.ndarray) -> None:
        """Record that an exam found the disorder of the youths at ``seats``."""
        self._model.population.youths.disorder_detected[seats] = True

    def mark_programme(self, seats: np.ndarray, bit: int) -> None:
        """Set a programme's bit in the open episode of each withdrawn youth at ``seats``."""
        note_programme(self._model.kernel, seats, bit)

    def record_course_taken(self, families: np.ndarray) -> None:
        """Record that families completed a parenting course."""
        self._model.population.families.took_course[families] = True

    def make_willing_to_seek_help(self, families: np.ndarray) -> None:
        """Families that would never have sought help become willing to."""
        self._model.population.families.never_seeks[families] = False

    def set_ei_training_schools(self, covered: np.ndarray) -> None:
        """Record which schools run emotional-intelligence training (a mask per school)."""
        self._model.population.schools.ei_training[:] = covered
