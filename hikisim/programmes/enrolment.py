"""Programmes that enrol individual youths for a number of weeks, and their parameters.

Six programmes share this machinery: reach, weekly uptake, dropout, completion and the
participants' hazard changes. Each module of a concrete programme says only whom it is
for and what differs.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from hikisim.programmes.base import Intervention, InterventionParams
from hikisim.programmes.decay import GONE_SHARE, FadingEffects, half_life_field, remaining_share
from hikisim.programmes.interface import KernelInterface, ProgrammeHost
from hikisim.states import Care, State


class ProgrammeParams(InterventionParams):
    """Parameters of a programme that enrols individual youths for a number of weeks.

    Attributes:
        uptake: Weekly probability that a reached, eligible youth starts.
        dropout: Weekly probability that a participant drops out (low adherence).
        max_weeks: Length of the programme for one participant.
        onset_logit: Added to the participant's ENGAGED to AT_RISK logit.
        progress_logit: Added to the AT_RISK to WITHDRAWN logit.
        resolve_logit: Added to the AT_RISK to ENGAGED logit.
        exit_multiplier: Multiplies the WITHDRAWN to RECOVERING hazard.
        reentry_multiplier: Multiplies the RECOVERING to ENGAGED hazard.
        care_dropout_multiplier: Multiplies dropout from usual care (adherence).
        effect_half_life_weeks: Half-life of the effects after a participant completes.
    """

    uptake: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a reached, eligible youth starts the programme. Unit: "
        "probability per week. Source: assumption.",
    )
    dropout: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a participant drops out (adherence). Unit: "
        "probability per week. Source: assumption; low adherence is the main "
        "difficulty in the seed text.",
    )
    max_weeks: int = Field(
        26,
        ge=1,
        le=520,
        description="Programme length for one participant; participants also leave once engaged "
        "again. Unit: weeks. Source: assumption.",
    )
    onset_logit: float = Field(
        0.0,
        ge=-5.0,
        le=5.0,
        description="Added to participants' ENGAGED to AT_RISK logit. Unit: logit. Source: "
        "assumption (no effect unless set).",
    )
    progress_logit: float = Field(
        0.0,
        ge=-5.0,
        le=5.0,
        description="Added to participants' AT_RISK to WITHDRAWN logit. Unit: logit. Source: "
        "assumption (no effect unless set).",
    )
    resolve_logit: float = Field(
        0.0,
        ge=-5.0,
        le=5.0,
        description="Added to participants' AT_RISK to ENGAGED logit. Unit: logit. Source: "
        "assumption (no effect unless set).",
    )
    exit_multiplier: float = Field(
        1.0,
        ge=0.0,
        le=20.0,
        description="Multiplies participants' WITHDRAWN to RECOVERING hazard. Unit: multiplier. "
        "Source: assumption (no effect unless set).",
    )
    reentry_multiplier: float = Field(
        1.0,
        ge=0.0,
        le=20.0,
        description="Multiplies participants' RECOVERING to ENGAGED probability. Unit: multiplier. "
        "Source: assumption (no effect unless set).",
    )
    care_dropout_multiplier: float = Field(
        1.0,
        ge=0.0,
        le=5.0,
        description="Multiplies participants' weekly dropout from usual care. Unit: multiplier. "
        "Source: assumption (no effect unless set).",
    )
    effect_half_life_weeks: float = half_life_field(
        0.0, "assumption (effects end with participation unless a programme sets this)."
    )


class Programme(Intervention, FadingEffects):
    """A programme that reaches a share of its target group and enrols youths weekly.

    Each seat gets one fixed draw deciding whether the programme can reach it
    (``coverage``). Every week one uniform per youth from the programme's stream decides
    dropout for participants and uptake for eligible non-participants (disjoint groups).

    Participants have the full effect. Those who leave without dropping out (they
    completed it, no longer need it, or were linked on) keep it fading with the
    programme's half-life (:mod:`hikisim.programmes.decay`); dropouts keep nothing, as
    with the parenting course.
    """

    Params: ClassVar[type[InterventionParams]] = ProgrammeParams
    params: ProgrammeParams

    def setup(self, model: ProgrammeHost) -> None:
        """Draw who can be reached and allocate participant arrays."""
        n = len(model.kernel_interface.youths)
        self.reached = self.rng.random(n) < self.params.coverage
        self.enrolled = np.zeros(n, bool)
        self.weeks = np.zeros(n, np.int16)
        self.participant = np.full(n, -1, np.int64)
        # The model week a former participant last had the full effect (-1: none left).
        self.left_week = np.full(n, -1, np.int64)

    def eligible(self, kernel: KernelInterface) -> np.ndarray:
        """Mask of youths the programme is meant for this week."""
        raise NotImplementedError

    def still_needs(self, kernel: KernelInterface, seats: np.ndarray) -> np.ndarray:
        """Whether participants still need the programme (default: not yet engaged)."""
        return kernel.youths.state[seats] != State.ENGAGED

    def select_new(self, kernel: KernelInterface, candidates: np.ndarray) -> np.ndarray:
        """Which candidates start; capacity-limited programmes override this."""
        return candidates

    def apply(self, model: ProgrammeHost) -> None:
        """Dropout, completion, enrolment, effects and accounting for one week."""
        kernel = model.kernel_interface
        p, y = self.params, kernel.youths
        draw = self.rng.random(len(y), dtype=np.float32)
        current = np.flatnonzero(self.enrolled)
        dropped = draw[current] < p.dropout
        same_person = y.person_id[current] == self.participant[current]
        leaving = (
            dropped
            | (self.weeks[current] >= p.max_weeks)
            | ~self.still_needs(kernel, current)
            | ~same_person
        )
        self.leave(current[leaving])
        # Last week was their last full week.
        self.left_week[current[leaving & ~dropped & same_person]] = kernel.week - 1
        # After the delivery years nobody starts; participants finish (run.delivery_years).
        eligible = self.eligible(kernel) & self.reached & ~self.enrolled & kernel.delivering
        candidates = np.flatnonzero(eligible)
        starting = self.select_new(kernel, candidates[draw[candidates] < p.uptake])
        self.enrolled[starting] = True
        self.participant[starting] = y.person_id[starting]
        self.weeks[starting] = 0
        self.left_week[starting] = -1
        self.mark_reached(kernel, starting)
        self.on_enrol(kernel, starting)
        participants = np.flatnonzero(self.enrolled)
        self.weeks[participants] += 1
        self.add_effects(kernel, participants)
        self.add_after_effects(kernel)
        self.note_full_effect(kernel.horizon_week, len(participants))
        self.record(self.count_participants(kernel, participants))

    def add_after_effects(self, kernel: KernelInterface) -> None:
        """Former participants keep the effects, fading with the half-life."""
        former = np.flatnonzero(self.left_week >= 0)
        if not len(former):
            return
        # A seat that turned over holds someone else, who never took part.
        left = former[kernel.youths.person_id[former] != self.participant[former]]
        self.left_week[left] = -1
        former = np.flatnonzero(self.left_week >= 0)
        share = remaining_share(
            kernel.week - self.left_week[former], self.params.effect_half_life_weeks
        )
        gone = share < GONE_SHARE
        self.left_week[former[gone]] = -1
        self.scale_effects(kernel, former[~gone], share[~gone])

    def scale_effects(self, kernel: KernelInterface, seats: np.ndarray, share: np.ndarray) -> None:
        """Add a share of each effect: logits scaled, multipliers moved towards 1."""
        p, mod = self.params, kernel.modifiers
        mod.add_logit("onset", seats, p.onset_logit * share)
        mod.add_logit("progress", seats, p.progress_logit * share)
        mod.add_logit("resolve", seats, p.resolve_logit * share)
        mod.multiply("exit", seats, 1.0 + (p.exit_multiplier - 1.0) * share)
        mod.multiply("reentry", seats, 1.0 + (p.reentry_multiplier - 1.0) * share)
        mod.multiply("dropout", seats, 1.0 + (p.care_dropout_multiplier - 1.0) * share)

    def outcomes(self, model: ProgrammeHost) -> dict[str, float]:
        """When the programme's effects are gone (horizon week)."""
        return self.effect_gone_outcome(self.params.effect_half_life_weeks)

    def leave(self, seats: np.ndarray) -> None:
        """Take youths out of the programme."""
        self.enrolled[seats] = False

    def on_enrol(self, kernel: KernelInterface, seats: np.ndarray) -> None:
        """Hook run for youths starting this week."""

    def count_participants(self, kernel: KernelInterface, seats: np.ndarray) -> int:
        """Participants this week (youths, unless a programme counts families)."""
        return len(seats)

    def add_effects(self, kernel: KernelInterface, seats: np.ndarray) -> None:
        """Add the programme's hazard changes for its participants."""
        p, mod = self.params, kernel.modifiers
        mod.add_logit("onset", seats, p.onset_logit)
        mod.add_logit("progress", seats, p.progress_logit)
        mod.add_logit("resolve", seats, p.resolve_logit)
        mod.multiply("exit", seats, p.exit_multiplier)
        mod.multiply("reentry", seats, p.reentry_multiplier)
        mod.multiply("dropout", seats, p.care_dropout_multiplier)


def in_care(kernel: KernelInterface) -> np.ndarray:
    """Youths in usual care who are still struggling."""
    y = kernel.youths
    return (y.care != Care.NONE) & (y.state != State.ENGAGED)


class CareProgramme(Programme):
    """A programme offered alongside usual care, to youths in care who still struggle."""

    def eligible(self, kernel: KernelInterface) -> np.ndarray:
        """Youths in care who are still struggling."""
        return in_care(kernel)
