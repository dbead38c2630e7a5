"""What every programme shares: its base parameters, its base class and the registry.

Every programme has one interface. Once a week, from its start week on, ``apply``
enrols participants and changes hazards through the kernel interface
(:class:`~hikisim.programmes.interface.KernelInterface`); ``participant_weeks`` and
``cost`` keep the accounts. Each draws its random numbers from its own stream, so
switching one on leaves every other mechanism's draws untouched (common random numbers).

Adding a programme means writing one module with a ``Params`` model beside its class,
and registering the class in :mod:`hikisim.programmes` (see :func:`register`).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import ConfigDict, Field

from hikisim.field_types import SettingsModel
from hikisim.programmes.interface import KernelInterface, ProgrammeHost


class InterventionParams(SettingsModel):
    """Parameters every intervention has.

    Attributes:
        enabled: Whether the programme runs.
        start_week: Week of the horizon (0 = first week after burn-in) it starts.
        coverage: Share of the target group it reaches, or the weekly uptake.
        cost_per_participant_week: Cost of one participant for one week, in yen.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(
        False,
        description="Whether the programme runs in this scenario. Unit: switch. Source: model "
        "setting.",
    )
    start_week: int = Field(
        0,
        ge=0,
        le=10_000,
        description="Week of the horizon from which the programme runs (0 = first week after the "
        "burn-in); programmes never run during the burn-in. Unit: weeks. Source: model "
        "setting.",
    )
    coverage: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Share of the target group the programme can reach at all. Unit: fraction. "
        "Source: assumption.",
    )
    cost_per_participant_week: float = Field(
        0.0,
        ge=0.0,
        le=1e7,
        description="Cost of one participant for one week. Unit: yen per participant-week. Source: "
        "assumption.",
    )


class Intervention:
    """Base class of all interventions.

    Every hook takes the model as a :class:`~hikisim.programmes.interface.ProgrammeHost`
    and acts only through its ``kernel_interface``.

    Attributes:
        params: The validated parameters from the scenario.
        rng: The intervention's own random stream.
        participant_weeks: Participant-weeks delivered so far.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    Params: ClassVar[type[InterventionParams]] = InterventionParams

    def __init__(self, params: InterventionParams, rng: np.random.Generator) -> None:
        self.params = params
        self.rng = rng
        self.participant_weeks = 0.0

    @property
    def cost(self) -> float:
        """Total cost so far: the sum of :attr:`cost_parts`."""
        return sum(self.cost_parts.values())

    @property
    def cost_parts(self) -> dict[str, float]:
        """Cost so far by the unit price it is paid at (each part linear in its price).

        Returns:
            Price parameter name to cost: participant-weeks times the unit cost.
        """
        price = self.params.cost_per_participant_week
        return {"cost_per_participant_week": self.participant_weeks * price}

    @property
    def bit(self) -> int:
        """This programme's bit in the episode log's ``programmes`` column."""
        return programme_bit(self.name)

    def is_running(self, model: ProgrammeHost) -> bool:
        """Whether the programme acts this week."""
        return self.params.enabled and model.kernel_interface.horizon_week >= self.params.start_week

    def setup(self, model: ProgrammeHost) -> None:
        """Prepare targeting once, after the population is built."""

    def apply(self, model: ProgrammeHost) -> None:
        """Act for one week: enrol, add effects, count participant-weeks."""
        raise NotImplementedError

    def outcomes(self, model: ProgrammeHost) -> dict[str, float]:
        """Extra summary outcomes this programme reports (none by default)."""
        return {}

    def record(self, participants: int) -> None:
        """Count this week's participants."""
        self.participant_weeks += participants

    def mark_reached(self, kernel: KernelInterface, seats: np.ndarray) -> None:
        """Note in each withdrawn youth's open episode that this programme reached it."""
        kernel.mark_programme(seats, self.bit)


REGISTRY: dict[str, type[Intervention]] = {}
"""Programme classes by scenario name, in the order they act each week."""

PARAMS: dict[str, type[InterventionParams]] = {}
"""Parameter models by scenario name, in the same order: all the scenario schema needs."""


def register[T: type[Intervention]](cls: T) -> T:
    """Add an intervention and its parameters to the registry under ``cls.name``.

    Programmes act each week in the order they were registered.

    Args:
        cls: The intervention class.

    Returns:
        The class, so this works as a decorator too.
    """
    REGISTRY[cls.name] = cls
    PARAMS[cls.name] = cls.Params
    return cls


def programme_bit(name: str) -> int:
    """A programme's bit in the episode log: stable, by alphabetical rank of the name."""
    return 1 << sorted(REGISTRY).index(name)


def programmes_in_bitmask(bits: int) -> list[str]:
    """Names of the programmes whose bits are set, in alphabetical order."""
    return [name for name in sorted(REGISTRY) if bits & programme_bit(name)]


def share(numerator: float, denominator: float) -> float:
    """A fraction that is 0 when the denominator is 0 (as the summary computes shares)."""
    return float(numerator) / float(denominator) if denominator else 0.0
