"""Parenting courses for the families of youths (CRAFT-style family training)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from hikisim.programmes.base import Intervention, InterventionParams, share
from hikisim.programmes.decay import GONE_SHARE, FadingEffects, half_life_field, remaining_share
from hikisim.programmes.interface import KernelInterface, ProgrammeHost
from hikisim.states import Care, State


class ParentingCourseParams(InterventionParams):
    """Parenting course (family training in the CRAFT style) for parents.

    Attributes:
        targeting: ``symptomatic``: families with a youth at risk or withdrawn;
            ``universal``: every family with a youth aged 10-17.
        uptake: Weekly probability that a reached, eligible family starts.
        dropout: Weekly dropout during the course.
        course_weeks: Length of the course.
        onset_logit: Change to the onset logit of the family's youths.
        help_logit: Change to the family's help-seeking logit.
        never_seek_conversion: Chance that a family that would never seek help becomes
            willing to.
        resolve_logit: Change to the AT_RISK to ENGAGED logit.
        effect_half_life_weeks: Half-life of those changes after the course ends.
    """

    targeting: Literal["symptomatic", "universal"] = Field(
        "symptomatic",
        description="symptomatic: families with a youth at risk or withdrawn; universal: every "
        "family with a youth under 18. Unit: choice. Source: model setting.",
    )
    coverage: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Share of families (one fixed draw per family) the course can reach. Unit: "
        "fraction. Source: assumption.",
    )
    uptake: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a reached, eligible family starts the course. Unit: "
        "probability per week. Source: assumption.",
    )
    dropout: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a family drops out of the course (it then keeps no "
        "effect). Unit: probability per week. Source: assumption.",
    )
    course_weeks: int = Field(
        8,
        ge=1,
        le=104,
        description="Length of the course. Unit: weeks. Source: assumption, of the order of the "
        "CRAFT programmes for parents of hikikomori (Sakai et al. 2015).",
    )
    onset_logit: float = Field(
        -0.3,
        ge=-5.0,
        le=5.0,
        description="Change to the onset logit of the family's youths, from the first week of "
        "attendance, fading after completion with effect_half_life_weeks. Unit: logit. "
        "Source: assumption.",
    )
    help_logit: float = Field(
        0.0,
        ge=-5.0,
        le=10.0,
        description="Change to the family's help-seeking logit, from the first week, fading "
        "after completion with effect_half_life_weeks. Unit: logit. Source: assumption, "
        "set in version 1 against Sakai et al. 2015 (42.9% entered treatment or "
        "recovered; a pilot, a loose bound), which is not a v2 calibration target; not "
        "refitted.",
    )
    never_seek_conversion: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="Probability that a family that would never seek help becomes willing to on "
        "completing the course; a family keeps what it learnt about where to seek help, "
        "so this does not fade. Unit: probability. Source: assumption; CRAFT aims to "
        "bring reluctant cases to treatment (Sakai et al. 2015).",
    )
    resolve_logit: float = Field(
        0.3,
        ge=-5.0,
        le=5.0,
        description="Change to the AT_RISK to ENGAGED logit of the family's youths, from the first "
        "week, fading after completion with effect_half_life_weeks. Unit: logit. Source: "
        "assumption.",
    )
    effect_half_life_weeks: float = half_life_field(
        520.0,
        "van Aar et al. 2017 (40 trials of parenting programmes: effects sustained, with no "
        "fade-out, up to three years after the programme); a 10-year half-life, keeping "
        "81% after three years, is an assumption beyond the trials' follow-up.",
    )
    cost_per_participant_week: float = Field(
        5_000.0,
        ge=0.0,
        le=1e7,
        description="Cost of one family attending for one week. Unit: yen per family-week. Source: "
        "assumption.",
    )


ENGAGEMENT_WINDOW_WEEKS = 26


class ParentingCourse(Intervention, FadingEffects):
    """Parenting courses that act early on family risk factors and on help-seeking.

    Participants are families. A completed course leaves effects on the family's
    youths that fade with the course's half-life; the programme also measures
    family-intervention engagement: the share of withdrawn youths, not in treatment when
    their family completed the course, who entered treatment or recovered within 26 weeks.
    """

    name = "parenting_course"
    label = "Parenting courses"
    Params = ParentingCourseParams
    params: ParentingCourseParams

    def setup(self, model: ProgrammeHost) -> None:
        """Draw which families can be reached and allocate course records."""
        n_families = len(model.kernel_interface.families)
        self.reached = self.rng.random(n_families) < self.params.coverage
        self.weeks_in_course = np.zeros(n_families, np.int16)
        self.attending = np.zeros(n_families, bool)
        # The model week each family finished the course (-1: not finished).
        self.completed_week = np.full(n_families, -1, np.int64)
        # The person in each seat when the family completed (-1: none): a seat that turns
        # over keeps its family number but holds someone the course never reached.
        self.course_person = np.full(len(model.kernel_interface.youths), -1, np.int64)
        self.follow_seat = np.zeros(0, np.int64)
        self.follow_person = np.zeros(0, np.int64)
        self.follow_week = np.zeros(0, np.int64)
        self.engaged = 0
        self.followed = 0

    def eligible_families(self, kernel: KernelInterface) -> np.ndarray:
        """Families the course is meant for this week."""
        y, fam = kernel.youths, kernel.families
        if self.params.targeting == "universal":
            seats = y.age_weeks < 18 * 52
        else:
            seats = (y.state == State.AT_RISK) | (y.state == State.WITHDRAWN)
        mask = np.zeros(len(fam), bool)
        mask[y.family[seats]] = True
        return mask & ~fam.took_course

    def apply(self, model: ProgrammeHost) -> None:
        """Run the course for one week and apply the lasting effects."""
        kernel = model.kernel_interface
        p = self.params
        draw = self.rng.random(len(kernel.families), dtype=np.float32)
        attending = np.flatnonzero(self.attending)
        dropped = attending[draw[attending] < p.dropout]
        self.attending[dropped] = False
        # After the delivery years no family starts; those attending finish the course.
        candidates = np.flatnonzero(
            self.eligible_families(kernel) & self.reached & ~self.attending & kernel.delivering
        )
        starting = candidates[draw[candidates] < p.uptake]
        self.attending[starting] = True
        self.weeks_in_course[starting] = 0
        attending = np.flatnonzero(self.attending)
        self.weeks_in_course[attending] += 1
        self.record(len(attending))
        finished = attending[self.weeks_in_course[attending] >= p.course_weeks]
        self.complete(kernel, finished, draw[finished])
        self.add_effects(kernel)
        self.note_full_effect(kernel.horizon_week, len(attending))
        self.follow_up(kernel)

    def complete(self, kernel: KernelInterface, families: np.ndarray, draw: np.ndarray) -> None:
        """Families that finish the course: convert some non-seekers, start follow-up."""
        y = kernel.youths
        self.attending[families] = False
        self.completed_week[families] = kernel.week
        in_family = np.flatnonzero(np.isin(y.family, families))
        self.course_person[in_family] = y.person_id[in_family]
        kernel.record_course_taken(families)
        # The draw was used for dropout (below p.dropout); above it, it is uniform again.
        rescaled = (draw - self.params.dropout) / max(1.0 - self.params.dropout, 1e-9)
        kernel.make_willing_to_seek_help(families[rescaled < self.params.never_seek_conversion])
        finished = np.zeros(len(kernel.families), bool)
        finished[families] = True
        withdrawn = finished[y.family] & (y.state == State.WITHDRAWN)
        self.mark_reached(kernel, np.flatnonzero(withdrawn))
        # Engagement, as in the CRAFT trials, is measured on youths not yet in treatment.
        seats = np.flatnonzero(withdrawn & (y.care == Care.NONE))
        self.follow_seat = np.concatenate([self.follow_seat, seats])
        self.follow_person = np.concatenate([self.follow_person, y.person_id[seats]])
        self.follow_week = np.concatenate([self.follow_week, np.full(len(seats), kernel.week)])

    def add_effects(self, kernel: KernelInterface) -> None:
        """The course's effects: whole while attending, fading after completion."""
        p, y = self.params, kernel.youths
        family_share = np.where(
            self.completed_week >= 0,
            remaining_share(kernel.week - self.completed_week, p.effect_half_life_weeks),
            0.0,
        )
        # A family whose effect has faded is done with: it no longer needs the reckoning.
        self.completed_week[(self.completed_week >= 0) & (family_share < GONE_SHARE)] = -1
        family_share[self.completed_week < 0] = 0.0
        took_part = self.course_person == y.person_id
        seat_share = np.where(took_part, family_share[y.family], 0.0)
        # While the family attends, every youth in it has the whole effect.
        seat_share[self.attending[y.family]] = 1.0
        seats = np.flatnonzero(seat_share >= GONE_SHARE)
        share_of_seat = seat_share[seats]
        mod = kernel.modifiers
        mod.add_logit("onset", seats, p.onset_logit * share_of_seat)
        mod.add_logit("help", seats, p.help_logit * share_of_seat)
        mod.add_logit("resolve", seats, p.resolve_logit * share_of_seat)

    def follow_up(self, kernel: KernelInterface) -> None:
        """Count youths who entered treatment or recovered within the window."""
        y = kernel.youths
        seats = self.follow_seat
        same_person = y.person_id[seats] == self.follow_person
        engaged = same_person & ((y.care[seats] != Care.NONE) | (y.state[seats] != State.WITHDRAWN))
        expired = (kernel.week - self.follow_week >= ENGAGEMENT_WINDOW_WEEKS) | ~same_person
        done = engaged | expired
        self.engaged += int(np.count_nonzero(engaged))
        self.followed += int(np.count_nonzero(done))
        keep = ~done
        self.follow_seat = seats[keep]
        self.follow_person = self.follow_person[keep]
        self.follow_week = self.follow_week[keep]

    def outcomes(self, model: ProgrammeHost) -> dict[str, float]:
        """Family-intervention engagement and the share of families that took the course."""
        fam = model.kernel_interface.families
        return self.effect_gone_outcome(self.params.effect_half_life_weeks) | {
            "family_intervention_engagement": share(self.engaged, self.followed),
            "families_took_course_share": share(np.count_nonzero(fam.took_course), len(fam)),
            "families_sought_help_share": share(np.count_nonzero(fam.sought_help), len(fam)),
        }
