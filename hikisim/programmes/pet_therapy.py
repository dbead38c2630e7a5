"""Pet-assisted therapy alongside care."""

from __future__ import annotations

from pydantic import Field

from hikisim.programmes.decay import half_life_field
from hikisim.programmes.enrolment import CareProgramme, ProgrammeParams


class PetTherapyParams(ProgrammeParams):
    """Pet-assisted therapy alongside care."""

    coverage: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Share of youths (one fixed draw per seat) that a pet-assisted programme can "
        "reach. Unit: fraction. Source: assumption.",
    )
    uptake: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a reached youth in care who is still struggling "
        "starts. Unit: probability per week. Source: assumption.",
    )
    dropout: float = Field(
        0.04,
        ge=0.0,
        le=1.0,
        description="Weekly probability of dropping out. Unit: probability per week. Source: "
        "assumption.",
    )
    max_weeks: int = Field(
        12,
        ge=1,
        le=520,
        description="Programme length. Unit: weeks. Source: assumption.",
    )
    exit_multiplier: float = Field(
        1.15,
        ge=0.0,
        le=20.0,
        description="Multiplies the WITHDRAWN to RECOVERING hazard during the programme (small "
        "direct effect). Unit: multiplier. Source: assumption; pet-assisted therapy is "
        "offered in Japan (seed text), its effect size is not established.",
    )
    reentry_multiplier: float = Field(
        1.1,
        ge=0.0,
        le=20.0,
        description="Multiplies the RECOVERING to ENGAGED probability during the programme. Unit: "
        "multiplier. Source: assumption.",
    )
    care_dropout_multiplier: float = Field(
        0.7,
        ge=0.0,
        le=5.0,
        description="Multiplies weekly dropout from usual care (better adherence). Unit: "
        "multiplier. Source: assumption.",
    )
    cost_per_participant_week: float = Field(
        6_000.0,
        ge=0.0,
        le=1e7,
        description="Cost of one participant for one week. Unit: yen per participant-week. Source: "
        "assumption.",
    )
    effect_half_life_weeks: float = half_life_field(
        26.0,
        "assumption: no follow-up evidence; the effect is taken to fade within months.",
    )


class PetTherapy(CareProgramme):
    """Pet-assisted therapy: small direct effect, better adherence to care."""

    name = "pet_therapy"
    label = "Pet-assisted therapy"
    Params = PetTherapyParams
