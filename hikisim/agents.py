"""Youth, Family and School: Mesa agents that are thin views over the model's arrays.

Each agent holds only an index. Its attributes are properties that read the model's
numpy arrays, so ``model.agents_by_type[Youth]``, AgentSet filters, the dashboard and
user code see ordinary Mesa agents while the weekly kernel never loops over them.

The attributes are read-only but one: a youth's ``state`` may be set, and the write
goes through the kernel (:meth:`hikisim.dynamics.Kernel.move`), because a change of
state is never one array entry: entering withdrawal opens (or continues) an episode in
the log and draws its severity, leaving it closes the episode and adds the years lost,
and re-entry may find work. Programmes change the hazards through the kernel interface
(:class:`hikisim.programmes.interface.KernelInterface`).

A Youth is a seat: when its occupant turns the scenario's ``population.max_age`` plus
one (65 with the default ``max_age`` of 64), a 10-year-old newcomer takes the seat, and
``person_id`` changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from hikisim.states import WEEKS_PER_YEAR, Care, Disorder, Parenting, State, Track

if TYPE_CHECKING:
    from hikisim.model import HikiModel


class Youth(mesa.Agent):
    """A person aged 10 to the scenario's ``population.max_age`` (64 by default).

    Attributes:
        index: Position in the model's youth arrays.
    """

    model: HikiModel

    def __init__(self, model: HikiModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def _arrays(self):
        return self.model.population.youths

    @property
    def person_id(self) -> int:
        """Identity of the seat's current occupant."""
        return int(self._arrays.person_id[self.index])

    @property
    def age(self) -> float:
        """Age in years."""
        return float(self._arrays.age_weeks[self.index]) / WEEKS_PER_YEAR

    @property
    def male(self) -> bool:
        """Sex."""
        return bool(self._arrays.male[self.index])

    @property
    def state(self) -> State:
        """Withdrawal state.

        Setting it moves the youth by the model's own rules, as of the model's next
        week (:meth:`hikisim.dynamics.Kernel.move`, which says which moves are allowed
        and raises ValueError for others); setting the state the youth is in does
        nothing.
        """
        return State(int(self._arrays.state[self.index]))

    @state.setter
    def state(self, value: State) -> None:
        # Through the kernel, not into the array: a withdrawn youth needs an episode
        # (is_hikikomori and the case counts read its row), and leaving withdrawal
        # closes it.
        self.model.kernel.move(np.array([self.index]), State(value), self.model.week)

    @property
    def disorder(self) -> Disorder:
        """Latent psychiatric disorder."""
        return Disorder(int(self._arrays.disorder[self.index]))

    @property
    def track(self) -> Track:
        """School, university, work, neither, or retired."""
        return Track(int(self._arrays.track[self.index]))

    @property
    def care(self) -> Care:
        """Current treatment."""
        return Care(int(self._arrays.care[self.index]))

    @property
    def introversion(self) -> float:
        """Standard-normal introversion."""
        return float(self._arrays.introversion[self.index])

    @property
    def trauma(self) -> bool:
        """Early traumatic experience."""
        return bool(self._arrays.trauma[self.index])

    @property
    def school_refusal(self) -> bool:
        """Currently refusing school."""
        return bool(self._arrays.school_refusal[self.index])

    @property
    def internet_addiction(self) -> bool:
        """Currently addicted to the internet."""
        return bool(self._arrays.internet_addiction[self.index])

    @property
    def sleep_reversal(self) -> bool:
        """Sleep-wake rhythm reversed."""
        return bool(self._arrays.sleep_reversal[self.index])

    @property
    def withdrawn_weeks(self) -> int:
        """Weeks of the current withdrawal spell."""
        return int(self._arrays.withdrawn_weeks[self.index])

    @property
    def is_hikikomori(self) -> bool:
        """A case by the seed definition, at any age.

        Completely (narrowly) withdrawn, in an episode of 26+ weeks that began before 30
        (as marked in the episode log). ``metrics.current_cases`` adds the survey's age band.
        """
        if self.state != State.WITHDRAWN or not self._arrays.narrow[self.index]:
            return False
        row = int(self._arrays.episode_row[self.index])
        # A negative row is no episode (-1 would read the log's last row, someone else's).
        return row >= 0 and bool(self.model.episode_log.column("hikikomori")[row])

    @property
    def family(self) -> Family:
        """The youth's family agent."""
        return self.model.family_agents[int(self._arrays.family[self.index])]

    @property
    def school(self) -> School:
        """The youth's school agent."""
        return self.model.school_agents[int(self._arrays.school[self.index])]


class Family(mesa.Agent):
    """A family of one to three youths.

    Attributes:
        index: Position in the model's family arrays.
    """

    model: HikiModel

    def __init__(self, model: HikiModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def parenting(self) -> Parenting:
        """Parenting style."""
        return Parenting(int(self.model.population.families.parenting[self.index]))

    @property
    def high_expectations(self) -> bool:
        """Parents hold high academic expectations."""
        return bool(self.model.population.families.high_expectations[self.index])

    @property
    def sought_help(self) -> bool:
        """The family has sought help at least once."""
        return bool(self.model.population.families.sought_help[self.index])

    @property
    def took_course(self) -> bool:
        """The family attended a parenting course."""
        return bool(self.model.population.families.took_course[self.index])


class School(mesa.Agent):
    """A school and its catchment area.

    Attributes:
        index: Position in the model's school arrays.
    """

    model: HikiModel

    def __init__(self, model: HikiModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def climate(self) -> float:
        """Standard-normal school climate (higher is better)."""
        return float(self.model.population.schools.climate[self.index])

    @property
    def pressure(self) -> float:
        """Standard-normal academic pressure."""
        return float(self.model.population.schools.pressure[self.index])

    @property
    def urban(self) -> bool:
        """The catchment is urban."""
        return bool(self.model.population.schools.urban[self.index])

    @property
    def ei_training(self) -> bool:
        """Emotional-intelligence training runs here."""
        return bool(self.model.population.schools.ei_training[self.index])
