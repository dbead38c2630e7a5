"""Interventions: one class per programme, and the registry that scenario files name.

Every intervention shares one interface. Once a week, from its start week on, ``apply``
enrols participants and adds its effects to the model's hazard modifiers
(:class:`hikisim.dynamics.Modifiers`); ``participant_weeks`` and ``cost`` keep the
accounts. Each draws its random numbers from its own stream, so switching one on leaves
every other mechanism's draws untouched (common random numbers).

Adding a programme means writing one class with a ``Params`` model and decorating it
with :func:`register`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from hikisim.model import HikiModel

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class InterventionParams(BaseModel):
    """Parameters every intervention has.

    Attributes:
        enabled: Whether the programme runs.
        start_week: Week of the horizon (0 = first week after burn-in) it starts.
        coverage: Share of the target group it reaches, or the weekly uptake.
        cost_per_participant_week: Cost of one participant for one week, in yen.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    start_week: int = Field(0, ge=0, le=10_000)
    coverage: Probability = 0.5
    cost_per_participant_week: float = Field(0.0, ge=0.0, le=1e7)


class Intervention:
    """Base class of all interventions.

    Attributes:
        params: The validated parameters from the scenario.
        rng: The intervention's own random stream.
        participant_weeks: Participant-weeks delivered so far.
    """

    name: ClassVar[str] = ""
    Params: ClassVar[type[InterventionParams]] = InterventionParams

    def __init__(self, params: InterventionParams, rng: np.random.Generator) -> None:
        self.params = params
        self.rng = rng
        self.participant_weeks = 0.0

    @property
    def cost(self) -> float:
        """Total cost so far: participant-weeks times the unit cost."""
        return self.participant_weeks * self.params.cost_per_participant_week

    def is_running(self, model: HikiModel) -> bool:
        """Whether the programme acts this week."""
        return self.params.enabled and model.horizon_week >= self.params.start_week

    def setup(self, model: HikiModel) -> None:  # noqa: B027 - optional hook
        """Prepare targeting once, after the population is built."""

    def apply(self, model: HikiModel) -> None:
        """Act for one week: enrol, add effects, count participant-weeks."""
        raise NotImplementedError

    def outcomes(self, model: HikiModel) -> dict[str, float]:
        """Extra summary outcomes this programme reports (none by default)."""
        return {}

    def record(self, participants: int) -> None:
        """Count this week's participants."""
        self.participant_weeks += participants


REGISTRY: dict[str, type[Intervention]] = {}


def register[T: type[Intervention]](cls: T) -> T:
    """Class decorator adding an intervention to the registry under ``cls.name``."""
    REGISTRY[cls.name] = cls
    return cls
