"""Online therapy: reachable from the room, higher uptake, smaller effect."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from hikisim.programmes.decay import half_life_field
from hikisim.programmes.enrolment import Programme, ProgrammeParams
from hikisim.programmes.interface import KernelInterface
from hikisim.states import State


class OnlineTherapyParams(ProgrammeParams):
    """Online therapy: reachable from the room, higher uptake, smaller effect."""

    coverage: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Share of youths (one fixed draw per seat) that online services reach; high "
        "because no one has to leave the room. Unit: fraction. Source: assumption.",
    )
    uptake: float = Field(
        0.04,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a reached at-risk or withdrawn youth who uses the "
        "internet starts, in care or not. Unit: probability per week. Source: "
        "assumption.",
    )
    dropout: float = Field(
        0.08,
        ge=0.0,
        le=1.0,
        description="Weekly probability of dropping out (higher than face-to-face therapy). Unit: "
        "probability per week. Source: assumption.",
    )
    max_weeks: int = Field(
        16,
        ge=1,
        le=520,
        description="Programme length. Unit: weeks. Source: assumption.",
    )
    exit_multiplier: float = Field(
        1.15,
        ge=0.0,
        le=20.0,
        description="Multiplies the WITHDRAWN to RECOVERING hazard during the programme (smaller "
        "than face-to-face therapy). Unit: multiplier. Source: assumption; online "
        "therapy is offered in Japan (seed text), its effect size is not established.",
    )
    resolve_logit: float = Field(
        0.2,
        ge=-5.0,
        le=5.0,
        description="Added to the AT_RISK to ENGAGED logit during the programme. Unit: logit. "
        "Source: assumption.",
    )
    cost_per_participant_week: float = Field(
        2_500.0,
        ge=0.0,
        le=1e7,
        description="Cost of one participant for one week. Unit: yen per participant-week. Source: "
        "assumption.",
    )
    effect_half_life_weeks: float = half_life_field(
        208.0,
        "Zainal et al. 2024 (154 trials of internet CBT with 12 months or more of follow-up: "
        "long-term efficacy similar to short-term); a 4-year half-life is an assumption "
        "consistent with little decay in the first year.",
    )


class OnlineTherapy(Programme):
    """Online therapy for withdrawn or at-risk youths who use the internet."""

    name = "online_therapy"
    label = "Online therapy"
    Params = OnlineTherapyParams

    def eligible(self, kernel: KernelInterface) -> np.ndarray:
        """Withdrawn or at-risk youths with internet access, in care or not."""
        y = kernel.youths
        symptomatic = (y.state == State.AT_RISK) | (y.state == State.WITHDRAWN)
        return symptomatic & (y.internet_intensity > 0)
