"""Social farming: supported outdoor work for youths re-entering society."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from hikisim.programmes.decay import half_life_field
from hikisim.programmes.enrolment import Programme, ProgrammeParams
from hikisim.programmes.interface import KernelInterface
from hikisim.states import State, Track


class SocialFarmingParams(ProgrammeParams):
    """Social farming: supported outdoor work for youths re-entering society."""

    coverage: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Share of youths (one fixed draw per seat) within reach of a social farm. "
        "Unit: fraction. Source: assumption.",
    )
    uptake: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a reached recovering youth, or an at-risk youth of "
        "15+ with no school or work, starts. Unit: probability per week. Source: "
        "assumption.",
    )
    dropout: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Weekly probability of dropping out. Unit: probability per week. Source: "
        "assumption.",
    )
    max_weeks: int = Field(
        26,
        ge=1,
        le=520,
        description="Programme length. Unit: weeks. Source: assumption.",
    )
    reentry_multiplier: float = Field(
        1.6,
        ge=0.0,
        le=20.0,
        description="Multiplies the RECOVERING to ENGAGED probability during the programme. Unit: "
        "multiplier. Source: assumption; social farming is offered in Japan (seed "
        "text), its effect size is not established.",
    )
    resolve_logit: float = Field(
        0.5,
        ge=-5.0,
        le=5.0,
        description="Added to the AT_RISK to ENGAGED logit during the programme. Unit: logit. "
        "Source: assumption.",
    )
    cost_per_participant_week: float = Field(
        10_000.0,
        ge=0.0,
        le=1e7,
        description="Cost of one participant for one week. Unit: yen per participant-week. Source: "
        "assumption.",
    )
    effect_half_life_weeks: float = half_life_field(
        52.0,
        "assumption: no follow-up evidence; work habits gained are taken to fade within about"
        " a year.",
    )


class SocialFarming(Programme):
    """Social farming for recovering youths and young people at risk outside work."""

    name = "social_farming"
    label = "Social farming"
    Params = SocialFarmingParams

    def eligible(self, kernel: KernelInterface) -> np.ndarray:
        """Recovering youths, and at-risk youths of 15+ with no school or work."""
        y = kernel.youths
        idle_at_risk = (
            (y.state == State.AT_RISK) & (y.track == Track.NEITHER) & (y.age_weeks >= 15 * 52)
        )
        return (y.state == State.RECOVERING) | idle_at_risk
