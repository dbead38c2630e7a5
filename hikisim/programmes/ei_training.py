"""Emotional-intelligence and social-competence training in schools."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from hikisim.programmes.base import Intervention, InterventionParams
from hikisim.programmes.decay import GONE_SHARE, FadingEffects, half_life_field, remaining_share
from hikisim.programmes.interface import ProgrammeHost
from hikisim.states import State, Track


class EmotionalTrainingParams(InterventionParams):
    """Emotional-intelligence and social-competence training in schools.

    Attributes:
        onset_logit: Change to pupils' onset logit while they attend a covered school.
        resolve_logit: Change to at-risk pupils' AT_RISK to ENGAGED logit.
        effect_half_life_weeks: Half-life of the onset effect after the last week in a
            covered school.
    """

    coverage: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Share of schools (one fixed draw per school) that run the programme. Unit: "
        "fraction. Source: assumption.",
    )
    onset_logit: float = Field(
        -0.3,
        ge=-5.0,
        le=5.0,
        description="Change to the onset logit of pupils (school track, under 18) of covered "
        "schools, every week they attend. Unit: logit. Source: assumption of a small "
        "effect, in line with Durlak et al. 2011 (universal social-emotional learning "
        "programmes: effect sizes about 0.2-0.3 on behaviour and emotional distress).",
    )
    resolve_logit: float = Field(
        0.3,
        ge=-5.0,
        le=5.0,
        description="Change to the AT_RISK to ENGAGED logit of at-risk pupils of covered schools. "
        "Unit: logit. Source: assumption.",
    )
    effect_half_life_weeks: float = half_life_field(
        156.0,
        "Taylor et al. 2017 (82 school social-emotional programmes, followed 6 months to 18 "
        "years: effects still significant but smaller than at the end of the programme); a "
        "3-year half-life after the last week in a covered school is an assumption.",
    )
    cost_per_participant_week: float = Field(
        300.0,
        ge=0.0,
        le=1e7,
        description="Cost per pupil per week in a covered school (all 52 weeks of the year are "
        "counted). Unit: yen per pupil-week. Source: assumption (teacher time and "
        "materials shared by a class).",
    )


class EmotionalTraining(Intervention, FadingEffects):
    """School programme that lowers entry into AT_RISK among pupils."""

    name = "ei_training"
    label = "Emotional-intelligence training"
    Params = EmotionalTrainingParams
    params: EmotionalTrainingParams

    def setup(self, model: ProgrammeHost) -> None:
        """Choose the schools that run the programme."""
        kernel = model.kernel_interface
        self.covered = self.rng.random(len(kernel.schools)) < self.params.coverage
        self.trained = np.full(len(kernel.youths), -1, np.int64)
        # The model week each seat's trained pupil last attended a covered school.
        self.last_trained_week = np.full(len(kernel.youths), -1, np.int64)

    def apply(self, model: ProgrammeHost) -> None:
        """Train this week's pupils; former pupils keep the onset effect, fading."""
        kernel = model.kernel_interface
        p, y, mod = self.params, kernel.youths, kernel.modifiers
        # After the delivery years the schools stop training; former pupils' effect fades.
        running = self.covered & kernel.delivering
        kernel.set_ei_training_schools(running)
        pupils = np.flatnonzero(
            (y.track == Track.SCHOOL) & (y.age_weeks < 18 * 52) & running[y.school]
        )
        self.trained[pupils] = y.person_id[pupils]
        self.last_trained_week[pupils] = kernel.week
        mod.add_logit("onset", pupils, p.onset_logit)
        at_risk = pupils[y.state[pupils] == State.AT_RISK]
        mod.add_logit("resolve", at_risk, p.resolve_logit)
        # Former pupils: the seat still holds the trained person, who is not in a covered
        # school this week (left school, turned 18, or the school stopped).
        former = np.flatnonzero(
            (self.trained == y.person_id) & (self.last_trained_week < kernel.week)
        )
        left = remaining_share(
            kernel.week - self.last_trained_week[former], p.effect_half_life_weeks
        )
        keep = left >= GONE_SHARE
        mod.add_logit("onset", former[keep], p.onset_logit * left[keep])
        self.trained[former[~keep]] = -1
        self.note_full_effect(kernel.horizon_week, len(pupils))
        self.record(len(pupils))

    def outcomes(self, model: ProgrammeHost) -> dict[str, float]:
        """When the training's effect is gone (horizon week)."""
        return self.effect_gone_outcome(self.params.effect_half_life_weeks)
