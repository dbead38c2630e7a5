"""Family therapy for the families of youths in care."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from hikisim.programmes.decay import half_life_field
from hikisim.programmes.enrolment import CareProgramme, ProgrammeParams
from hikisim.programmes.interface import KernelInterface


class FamilyTherapyParams(ProgrammeParams):
    """Family therapy for the families of youths in care; participants are families."""

    coverage: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Share of youths (one fixed draw per seat) whose families family-therapy "
        "services can reach. Unit: fraction. Source: assumption.",
    )
    uptake: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="Weekly probability that the family of a reached youth in care who is still "
        "struggling starts family therapy. Unit: probability per week. Source: "
        "assumption.",
    )
    dropout: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Weekly probability of dropping out of family therapy. Unit: probability per "
        "week. Source: assumption (seed text: low adherence).",
    )
    max_weeks: int = Field(
        16,
        ge=1,
        le=520,
        description="Course length. Unit: weeks. Source: assumption.",
    )
    exit_multiplier: float = Field(
        1.4,
        ge=0.0,
        le=20.0,
        description="Multiplies the youth's WITHDRAWN to RECOVERING hazard during family therapy. "
        "Unit: multiplier. Source: assumption; family therapy is promising but not "
        "definitive (seed text).",
    )
    reentry_multiplier: float = Field(
        1.3,
        ge=0.0,
        le=20.0,
        description="Multiplies the youth's RECOVERING to ENGAGED probability during family "
        "therapy. Unit: multiplier. Source: assumption.",
    )
    resolve_logit: float = Field(
        0.4,
        ge=-5.0,
        le=5.0,
        description="Added to the youth's AT_RISK to ENGAGED logit during family therapy. Unit: "
        "logit. Source: assumption.",
    )
    care_dropout_multiplier: float = Field(
        0.8,
        ge=0.0,
        le=5.0,
        description="Multiplies the youth's weekly dropout from usual care (better adherence with "
        "family support). Unit: multiplier. Source: assumption.",
    )
    cost_per_participant_week: float = Field(
        10_000.0,
        ge=0.0,
        le=1e7,
        description="Cost of one family for one week. Unit: yen per family-week. Source: "
        "assumption.",
    )
    effect_half_life_weeks: float = half_life_field(
        52.0,
        "Markus, Lange and Pettigrew 1990 (a meta-analysis of family therapy: effects grow in"
        " the first year after therapy and may fall sharply after 18 months); a 1-year half-"
        "life is an assumption within that.",
    )


class FamilyTherapy(CareProgramme):
    """Family therapy: repairs family communication around a youth in care."""

    name = "family_therapy"
    label = "Family therapy"
    Params = FamilyTherapyParams

    def count_participants(self, kernel: KernelInterface, seats: np.ndarray) -> int:
        """Families, not youths, take part."""
        return len(np.unique(kernel.youths.family[seats]))
