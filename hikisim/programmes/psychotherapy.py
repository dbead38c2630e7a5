"""Individual or group psychotherapy for youths in care."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from hikisim.programmes.base import InterventionParams
from hikisim.programmes.decay import half_life_field
from hikisim.programmes.enrolment import CareProgramme, ProgrammeParams


class PsychotherapyParams(ProgrammeParams):
    """Individual or group psychotherapy (cognitive-behavioural) for youths in care."""

    mode: Literal["individual", "group"] = Field(
        "individual",
        description="Individual or group therapy; group scales the effects by group_effect_ratio "
        "and the cost by group_cost_ratio. Unit: choice. Source: model setting; both "
        "forms are named in the seed text.",
    )
    coverage: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="Share of youths (one fixed draw per seat) that therapy services can reach. "
        "Unit: fraction. Source: assumption.",
    )
    uptake: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a reached youth in care who is still struggling "
        "starts therapy. Unit: probability per week. Source: assumption.",
    )
    dropout: float = Field(
        0.04,
        ge=0.0,
        le=1.0,
        description="Weekly probability of dropping out of therapy. Unit: probability per week. "
        "Source: assumption (seed text: low adherence).",
    )
    max_weeks: int = Field(
        20,
        ge=1,
        le=520,
        description="Course length. Unit: weeks. Source: assumption, a typical "
        "cognitive-behavioural course of 16-20 weekly sessions.",
    )
    exit_multiplier: float = Field(
        1.5,
        ge=0.0,
        le=20.0,
        description="Multiplies the WITHDRAWN to RECOVERING hazard during therapy (individual "
        "mode). Unit: multiplier. Source: assumption; results are promising but not "
        "definitive (seed text).",
    )
    resolve_logit: float = Field(
        0.5,
        ge=-5.0,
        le=5.0,
        description="Added to the AT_RISK to ENGAGED logit during therapy (individual mode). Unit: "
        "logit. Source: assumption.",
    )
    reentry_multiplier: float = Field(
        1.2,
        ge=0.0,
        le=20.0,
        description="Multiplies the RECOVERING to ENGAGED probability during therapy (individual "
        "mode). Unit: multiplier. Source: assumption.",
    )
    cost_per_participant_week: float = Field(
        8_000.0,
        ge=0.0,
        le=1e7,
        description="Cost of one week of individual therapy. Unit: yen per participant-week. "
        "Source: assumption; the Japanese medical fee schedule pays roughly 5,000 yen "
        "for a physician's CBT session, raised here for overheads.",
    )
    group_effect_ratio: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Share of the individual effect that group therapy delivers (multipliers "
        "become 1 + (m - 1) x ratio, logits are scaled by ratio). Unit: fraction. "
        "Source: assumption.",
    )
    group_cost_ratio: float = Field(
        0.35,
        ge=0.0,
        le=1.0,
        description="Group cost per participant-week as a share of the individual cost. Unit: "
        "fraction. Source: assumption.",
    )
    effect_half_life_weeks: float = half_life_field(
        104.0,
        "Vittengl et al. 2007 (a meta-analysis of relapse after acute-phase cognitive therapy"
        " for depression: 29% within a year, 54% within two); a 2-year half-life, keeping "
        "about 70% of the effect after a year, is an assumption built on it.",
    )


class Psychotherapy(CareProgramme):
    """Individual or group psychotherapy offered to youths already in care."""

    name = "psychotherapy"
    label = "Psychotherapy"
    Params = PsychotherapyParams
    params: PsychotherapyParams

    def __init__(self, params: InterventionParams, rng: np.random.Generator) -> None:
        if isinstance(params, PsychotherapyParams) and params.mode == "group":
            ratio = params.group_effect_ratio
            params = params.model_copy(
                update={
                    "exit_multiplier": 1.0 + (params.exit_multiplier - 1.0) * ratio,
                    "reentry_multiplier": 1.0 + (params.reentry_multiplier - 1.0) * ratio,
                    "resolve_logit": params.resolve_logit * ratio,
                    "cost_per_participant_week": params.cost_per_participant_week
                    * params.group_cost_ratio,
                }
            )
        super().__init__(params, rng)
