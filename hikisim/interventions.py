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

import math
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hikisim.states import Care, Disorder, State, Track

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
        """Total cost so far: participant-weeks times the unit cost."""
        return self.participant_weeks * self.params.cost_per_participant_week

    def is_running(self, model: HikiModel) -> bool:
        """Whether the programme acts this week."""
        return self.params.enabled and model.horizon_week >= self.params.start_week

    def setup(self, model: HikiModel) -> None:
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


class Programme(Intervention):
    """A programme that reaches a share of its target group and enrols youths weekly.

    Each seat gets one fixed draw deciding whether the programme can reach it
    (``coverage``). Every week one uniform per youth from the programme's stream decides
    dropout for participants and uptake for eligible non-participants (disjoint groups).
    """

    Params: ClassVar[type[InterventionParams]] = ProgrammeParams
    params: ProgrammeParams

    def setup(self, model: HikiModel) -> None:
        """Draw who can be reached and allocate participant arrays."""
        n = len(model.population.youths)
        self.reached = self.rng.random(n) < self.params.coverage
        self.enrolled = np.zeros(n, bool)
        self.weeks = np.zeros(n, np.int16)
        self.participant = np.full(n, -1, np.int64)

    def eligible(self, model: HikiModel) -> np.ndarray:
        """Mask of youths the programme is meant for this week."""
        raise NotImplementedError

    def still_needs(self, model: HikiModel, seats: np.ndarray) -> np.ndarray:
        """Whether participants still need the programme (default: not yet engaged)."""
        return model.population.youths.state[seats] != State.ENGAGED

    def select_new(self, model: HikiModel, candidates: np.ndarray) -> np.ndarray:
        """Which candidates start; capacity-limited programmes override this."""
        return candidates

    def apply(self, model: HikiModel) -> None:
        """Dropout, completion, enrolment, effects and accounting for one week."""
        p, y = self.params, model.population.youths
        draw = self.rng.random(len(y), dtype=np.float32)
        current = np.flatnonzero(self.enrolled)
        leaving = (
            (draw[current] < p.dropout)
            | (self.weeks[current] >= p.max_weeks)
            | ~self.still_needs(model, current)
            | (y.person_id[current] != self.participant[current])
        )
        self.leave(model, current[leaving])
        candidates = np.flatnonzero(self.eligible(model) & self.reached & ~self.enrolled)
        starting = self.select_new(model, candidates[draw[candidates] < p.uptake])
        self.enrolled[starting] = True
        self.participant[starting] = y.person_id[starting]
        self.weeks[starting] = 0
        mark_programme(model, starting, self.name)
        self.on_enrol(model, starting)
        participants = np.flatnonzero(self.enrolled)
        self.weeks[participants] += 1
        self.add_effects(model, participants)
        self.record(self.count_participants(model, participants))

    def leave(self, model: HikiModel, seats: np.ndarray) -> None:
        """Take youths out of the programme."""
        self.enrolled[seats] = False

    def on_enrol(self, model: HikiModel, seats: np.ndarray) -> None:
        """Hook run for youths starting this week."""

    def count_participants(self, model: HikiModel, seats: np.ndarray) -> int:
        """Participants this week (youths, unless a programme counts families)."""
        return len(seats)

    def add_effects(self, model: HikiModel, seats: np.ndarray) -> None:
        """Add the programme's hazard changes for its participants."""
        p, mod = self.params, model.kernel.modifiers
        mod.onset_logit[seats] += p.onset_logit
        mod.progress_logit[seats] += p.progress_logit
        mod.resolve_logit[seats] += p.resolve_logit
        mod.exit_multiplier[seats] *= p.exit_multiplier
        mod.reentry_multiplier[seats] *= p.reentry_multiplier
        mod.dropout_multiplier[seats] *= p.care_dropout_multiplier


def mark_programme(model: HikiModel, seats: np.ndarray, name: str) -> None:
    """Note in each youth's open episode that a programme reached it."""
    y = model.population.youths
    in_episode = seats[y.state[seats] == State.WITHDRAWN]
    rows = y.episode_row[in_episode]
    bit = np.int32(1 << programme_index(name))
    model.episode_log.set("programmes", rows, model.episode_log.column("programmes")[rows] | bit)


def programme_index(name: str) -> int:
    """Stable bit position of a programme in the episode log's ``programmes`` column."""
    return sorted(REGISTRY).index(name)


def in_care(model: HikiModel) -> np.ndarray:
    """Youths in usual care who are still struggling."""
    y = model.population.youths
    return (y.care != Care.NONE) & (y.state != State.ENGAGED)


class CareProgramme(Programme):
    """A programme offered alongside usual care, to youths in care who still struggle."""

    def eligible(self, model: HikiModel) -> np.ndarray:
        """Youths in care who are still struggling."""
        return in_care(model)


class MedicalExamParams(InterventionParams):
    """Enhanced medical exam at the entry to care.

    Attributes:
        sensitivity: Probability that the exam finds an existing disorder.
        hospitalization_share: Share of severe secondary cases admitted to hospital.
        hospital_weeks: Length of a hospital stay.
        hospital_exit_multiplier: Multiplies the exit hazard during the stay.
        cost_per_hospital_week: Cost of one week in hospital, in yen.
    """

    coverage: float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a youth in care who has not yet had the enhanced exam "
        "receives it. Unit: probability per week. Source: assumption (every entrant to "
        "care examined at once).",
    )
    cost_per_participant_week: float = Field(
        30_000.0,
        ge=0.0,
        le=1e7,
        description="Cost of one enhanced psychiatric exam, counted once per examined youth. Unit: "
        "yen per exam. Source: assumption (a specialist assessment with tests); not "
        "checked against the Japanese medical fee schedule.",
    )
    sensitivity: float = Field(
        0.95,
        ge=0.0,
        le=1.0,
        description="Probability that the enhanced exam finds an existing disorder (usual care "
        "uses care.exam_sensitivity). Unit: probability. Source: assumption (a "
        "structured specialist assessment).",
    )
    hospitalization_share: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="Probability that a withdrawn youth found to have schizophrenia or major "
        "depression is admitted to hospital. Unit: probability. Source: assumption; "
        "hospitalization for severe concomitant disorders is named in the seed text.",
    )
    hospital_weeks: int = Field(
        8,
        ge=1,
        le=104,
        description="Length of a hospital stay. Unit: weeks. Source: assumption (an acute "
        "admission).",
    )
    hospital_exit_multiplier: float = Field(
        2.0,
        ge=0.0,
        le=20.0,
        description="Multiplies the WITHDRAWN to RECOVERING hazard during the stay, on top of the "
        "care multiplier. Unit: multiplier. Source: assumption.",
    )
    cost_per_hospital_week: float = Field(
        210_000.0,
        ge=0.0,
        le=1e8,
        description="Cost of one week in hospital. Unit: yen per week. Source: assumption (30,000 "
        "yen a day); not checked against the Japanese medical fee schedule.",
    )


@register
class MedicalExam(Intervention):
    """A thorough psychiatric exam for everyone entering care, then routing.

    Secondary cases found by the exam go to clinical treatment (drug treatment, and
    hospital for severe schizophrenia or depression); primary cases to psychosocial care.
    """

    name = "medical_exam"
    label = "Medical exam"
    Params = MedicalExamParams
    params: MedicalExamParams

    def setup(self, model: HikiModel) -> None:
        """Allocate per-seat exam and hospital records."""
        n = len(model.population.youths)
        self.examined = np.full(n, -1, np.int64)
        self.hospital_left = np.zeros(n, np.int16)
        self.patient = np.full(n, -1, np.int64)
        self.hospital_weeks = 0

    @property
    def cost(self) -> float:
        """Exams at the exam price plus hospital weeks at the hospital price."""
        p = self.params
        return self.participant_weeks * p.cost_per_participant_week + (
            self.hospital_weeks * p.cost_per_hospital_week
        )

    def apply(self, model: HikiModel) -> None:
        """Examine new entrants to care, route them, and run hospital stays."""
        p, y = self.params, model.population.youths
        draw = self.rng.random(len(y), dtype=np.float32)
        entrants = np.flatnonzero(
            (y.care != Care.NONE) & (self.examined != y.person_id) & (draw < p.coverage)
        )
        self.examined[entrants] = y.person_id[entrants]
        exam_draw = draw[entrants] / max(p.coverage, 1e-9)
        found = entrants[(y.disorder[entrants] != Disorder.NONE) & (exam_draw < p.sensitivity)]
        y.disorder_detected[found] = True
        y.care[entrants] = np.where(y.disorder_detected[entrants], Care.CLINICAL, Care.PSYCHOSOCIAL)
        mark_programme(model, entrants, self.name)
        severe = np.isin(y.disorder[found], (Disorder.SCHIZOPHRENIA, Disorder.DEPRESSION))
        admit_draw = self.rng.random(len(found), dtype=np.float32)
        admitted = found[severe & (admit_draw < p.hospitalization_share)]
        admitted = admitted[y.state[admitted] == State.WITHDRAWN]
        self.hospital_left[admitted] = p.hospital_weeks
        self.patient[admitted] = y.person_id[admitted]
        # A stay ends early when the patient leaves withdrawal or the seat turns over.
        self.hospital_left[(y.state != State.WITHDRAWN) | (self.patient != y.person_id)] = 0
        staying = np.flatnonzero(self.hospital_left > 0)
        model.kernel.modifiers.exit_multiplier[staying] *= p.hospital_exit_multiplier
        self.hospital_left[staying] -= 1
        self.hospital_weeks += len(staying)
        self.record(len(entrants))


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


@register
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


@register
class FamilyTherapy(CareProgramme):
    """Family therapy: repairs family communication around a youth in care."""

    name = "family_therapy"
    label = "Family therapy"
    Params = FamilyTherapyParams

    def count_participants(self, model: HikiModel, seats: np.ndarray) -> int:
        """Families, not youths, take part."""
        return len(np.unique(model.population.youths.family[seats]))


class HomeVisitParams(ProgrammeParams):
    """Home visits and outreach to withdrawn youths whose families never sought help.

    Attributes:
        capacity_per_10k: Youths that can be visited at once, per 10,000 youths.
        link_weeks: Weeks of visits before the youth is linked to care.
    """

    coverage: float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="Share of youths (one fixed draw per seat) living where outreach is available; "
        "the binding limit is capacity_per_10k. Unit: fraction. Source: assumption.",
    )
    uptake: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="Weekly probability that an eligible withdrawn youth (outside care, family "
        "never sought help) accepts visits, if a place is free. Unit: probability per "
        "week. Source: assumption.",
    )
    dropout: float = Field(
        0.03,
        ge=0.0,
        le=1.0,
        description="Weekly probability that visits stop before linkage. Unit: probability per "
        "week. Source: assumption.",
    )
    max_weeks: int = Field(
        52,
        ge=1,
        le=520,
        description="Longest run of visits for one youth. Unit: weeks. Source: assumption.",
    )
    exit_multiplier: float = Field(
        1.3,
        ge=0.0,
        le=20.0,
        description="Multiplies the WITHDRAWN to RECOVERING hazard while visited. Unit: "
        "multiplier. Source: assumption; outreach including home visits is recommended "
        "in the seed text and by Wong et al. 2019.",
    )
    capacity_per_10k: float = Field(
        20.0,
        ge=0.0,
        le=10_000.0,
        description="Youths who can be visited at the same time, per 10,000 youths in the model. "
        "Unit: places per 10,000 youths. Source: assumption.",
    )
    link_weeks: int = Field(
        12,
        ge=1,
        le=520,
        description="Weeks of visits after which the youth is linked to psychosocial care. Unit: "
        "weeks. Source: assumption.",
    )
    cost_per_participant_week: float = Field(
        15_000.0,
        ge=0.0,
        le=1e7,
        description="Cost of visiting one youth for one week (staff time and travel). Unit: yen "
        "per participant-week. Source: assumption.",
    )


@register
class HomeVisits(Programme):
    """Outreach that reaches withdrawn youths whose families never sought help.

    Places go first to youths who dropped out of school or are stuck in the
    school-to-work transition (track NEITHER, aged 15-24). After ``link_weeks`` of visits
    a youth is linked to psychosocial care.
    """

    name = "home_visits"
    label = "Home visits and outreach"
    Params = HomeVisitParams
    params: HomeVisitParams

    def setup(self, model: HikiModel) -> None:
        """Allocate arrays and record who has ever been visited."""
        super().setup(model)
        self.ever_visited = np.full(len(model.population.youths), -1, np.int64)
        # Round up so a small model still gets a place when capacity is non-zero.
        self.capacity = math.ceil(
            self.params.capacity_per_10k * len(model.population.youths) / 10_000
        )

    def eligible(self, model: HikiModel) -> np.ndarray:
        """Withdrawn youths outside care whose families never sought help."""
        y, fam = model.population.youths, model.population.families
        return (y.state == State.WITHDRAWN) & (y.care == Care.NONE) & ~fam.sought_help[y.family]

    def still_needs(self, model: HikiModel, seats: np.ndarray) -> np.ndarray:
        """Visits stop once the youth is engaged or linked to care."""
        y = model.population.youths
        return (y.state[seats] != State.ENGAGED) & (y.care[seats] == Care.NONE)

    def select_new(self, model: HikiModel, candidates: np.ndarray) -> np.ndarray:
        """Fill free places, dropouts and the school-to-work transition first."""
        free = max(self.capacity - int(self.enrolled.sum()), 0)
        y = model.population.youths
        age = y.age_weeks[candidates]
        priority = (y.track[candidates] == Track.NEITHER) & (age >= 15 * 52) & (age < 25 * 52)
        order = np.argsort(~priority, kind="stable")
        return candidates[order[:free]]

    def on_enrol(self, model: HikiModel, seats: np.ndarray) -> None:
        """Remember who was reached."""
        self.ever_visited[seats] = model.population.youths.person_id[seats]

    def add_effects(self, model: HikiModel, seats: np.ndarray) -> None:
        """Visits raise the exit hazard; after ``link_weeks`` the youth enters care."""
        super().add_effects(model, seats)
        linked = seats[self.weeks[seats] >= self.params.link_weeks]
        from hikisim.dynamics import start_care

        start_care(model.kernel, linked, Care.PSYCHOSOCIAL)

    def outcomes(self, model: HikiModel) -> dict[str, float]:
        """Share of current never-helped cases that outreach has reached."""
        from hikisim.metrics import current_cases, share

        y, fam = model.population.youths, model.population.families
        cases = current_cases(model)
        never_helped = cases[~fam.sought_help[y.family[cases]]]
        visited = self.ever_visited[never_helped] == y.person_id[never_helped]
        return {"home_visits_reached_share": share(np.count_nonzero(visited), len(never_helped))}


class ParentingCourseParams(InterventionParams):
    """Parenting course (family training in the CRAFT style) for parents.

    Attributes:
        targeting: ``symptomatic``: families with a youth at risk or withdrawn;
            ``universal``: every family with a youth aged 10-17.
        uptake: Weekly probability that a reached, eligible family starts.
        dropout: Weekly dropout during the course.
        course_weeks: Length of the course.
        onset_logit: Lasting change to the onset logit of the family's youths.
        help_logit: Lasting change to the family's help-seeking logit.
        never_seek_conversion: Chance that a family that would never seek help becomes
            willing to.
        resolve_logit: Lasting change to the AT_RISK to ENGAGED logit.
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
        "attendance and lasting after completion. Unit: logit. Source: assumption.",
    )
    help_logit: float = Field(
        0.0,
        ge=-5.0,
        le=10.0,
        description="Change to the family's help-seeking logit, from the first week and lasting "
        "after completion. Unit: logit. Source: assumption, tuned toward the "
        "family_intervention_engagement target (Sakai et al. 2015, 42.9%; loose "
        "bound).",
    )
    never_seek_conversion: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="Probability that a family that would never seek help becomes willing to on "
        "completing the course. Unit: probability. Source: assumption; CRAFT aims to "
        "bring reluctant cases to treatment (Sakai et al. 2015).",
    )
    resolve_logit: float = Field(
        0.3,
        ge=-5.0,
        le=5.0,
        description="Change to the AT_RISK to ENGAGED logit of the family's youths, from the first "
        "week and lasting. Unit: logit. Source: assumption.",
    )
    cost_per_participant_week: float = Field(
        5_000.0,
        ge=0.0,
        le=1e7,
        description="Cost of one family attending for one week. Unit: yen per family-week. Source: "
        "assumption.",
    )


ENGAGEMENT_WINDOW_WEEKS = 26


@register
class ParentingCourse(Intervention):
    """Parenting courses that act early on family risk factors and on help-seeking.

    Participants are families. A completed course leaves lasting effects on the
    family's youths; the programme also measures family-intervention engagement: the
    share of withdrawn youths, not in treatment when their family completed the course,
    who entered treatment or recovered within 26 weeks.
    """

    name = "parenting_course"
    label = "Parenting courses"
    Params = ParentingCourseParams
    params: ParentingCourseParams

    def setup(self, model: HikiModel) -> None:
        """Draw which families can be reached and allocate course records."""
        n_families = len(model.population.families)
        self.reached = self.rng.random(n_families) < self.params.coverage
        self.weeks_in_course = np.zeros(n_families, np.int16)
        self.attending = np.zeros(n_families, bool)
        self.follow_seat = np.zeros(0, np.int64)
        self.follow_person = np.zeros(0, np.int64)
        self.follow_week = np.zeros(0, np.int64)
        self.engaged = 0
        self.followed = 0

    def eligible_families(self, model: HikiModel) -> np.ndarray:
        """Families the course is meant for this week."""
        y, fam = model.population.youths, model.population.families
        if self.params.targeting == "universal":
            seats = y.age_weeks < 18 * 52
        else:
            seats = (y.state == State.AT_RISK) | (y.state == State.WITHDRAWN)
        mask = np.zeros(len(fam), bool)
        mask[y.family[seats]] = True
        return mask & ~fam.took_course

    def apply(self, model: HikiModel) -> None:
        """Run the course for one week and apply the lasting effects."""
        p, fam = self.params, model.population.families
        draw = self.rng.random(len(fam), dtype=np.float32)
        attending = np.flatnonzero(self.attending)
        dropped = attending[draw[attending] < p.dropout]
        self.attending[dropped] = False
        candidates = np.flatnonzero(self.eligible_families(model) & self.reached & ~self.attending)
        starting = candidates[draw[candidates] < p.uptake]
        self.attending[starting] = True
        self.weeks_in_course[starting] = 0
        attending = np.flatnonzero(self.attending)
        self.weeks_in_course[attending] += 1
        self.record(len(attending))
        finished = attending[self.weeks_in_course[attending] >= p.course_weeks]
        self.complete(model, finished, draw[finished])
        self.add_lasting_effects(model)
        self.follow_up(model)

    def complete(self, model: HikiModel, families: np.ndarray, draw: np.ndarray) -> None:
        """Families that finish the course: convert some non-seekers, start follow-up."""
        fam, y = model.population.families, model.population.youths
        self.attending[families] = False
        fam.took_course[families] = True
        # The draw was used for dropout (below p.dropout); above it, it is uniform again.
        rescaled = (draw - self.params.dropout) / max(1.0 - self.params.dropout, 1e-9)
        fam.never_seeks[families[rescaled < self.params.never_seek_conversion]] = False
        finished = np.zeros(len(fam), bool)
        finished[families] = True
        withdrawn = finished[y.family] & (y.state == State.WITHDRAWN)
        mark_programme(model, np.flatnonzero(withdrawn), self.name)
        # Engagement, as in the CRAFT trials, is measured on youths not yet in treatment.
        seats = np.flatnonzero(withdrawn & (y.care == Care.NONE))
        self.follow_seat = np.concatenate([self.follow_seat, seats])
        self.follow_person = np.concatenate([self.follow_person, y.person_id[seats]])
        self.follow_week = np.concatenate([self.follow_week, np.full(len(seats), model.week)])

    def add_lasting_effects(self, model: HikiModel) -> None:
        """Youths of families that took the course keep the course's effects."""
        p, y, fam = self.params, model.population.youths, model.population.families
        seats = np.flatnonzero(fam.took_course[y.family] | self.attending[y.family])
        mod = model.kernel.modifiers
        mod.onset_logit[seats] += p.onset_logit
        mod.help_logit[seats] += p.help_logit
        mod.resolve_logit[seats] += p.resolve_logit

    def follow_up(self, model: HikiModel) -> None:
        """Count youths who entered treatment or recovered within the window."""
        y = model.population.youths
        seats = self.follow_seat
        same_person = y.person_id[seats] == self.follow_person
        engaged = same_person & ((y.care[seats] != Care.NONE) | (y.state[seats] != State.WITHDRAWN))
        expired = (model.week - self.follow_week >= ENGAGEMENT_WINDOW_WEEKS) | ~same_person
        done = engaged | expired
        self.engaged += int(np.count_nonzero(engaged))
        self.followed += int(np.count_nonzero(done))
        keep = ~done
        self.follow_seat = seats[keep]
        self.follow_person = self.follow_person[keep]
        self.follow_week = self.follow_week[keep]

    def outcomes(self, model: HikiModel) -> dict[str, float]:
        """Family-intervention engagement and the share of families that took the course."""
        from hikisim.metrics import share

        fam = model.population.families
        return {
            "family_intervention_engagement": share(self.engaged, self.followed),
            "families_took_course_share": share(np.count_nonzero(fam.took_course), len(fam)),
            "families_sought_help_share": share(np.count_nonzero(fam.sought_help), len(fam)),
        }


class EmotionalTrainingParams(InterventionParams):
    """Emotional-intelligence and social-competence training in schools.

    Attributes:
        onset_logit: Change to pupils' onset logit while they attend a covered school.
        resolve_logit: Change to at-risk pupils' AT_RISK to ENGAGED logit.
        persistence: Share of the onset effect that stays after leaving school.
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
    persistence: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Share of the onset effect kept by former pupils of a covered school after "
        "they leave the school track. Unit: fraction. Source: assumption.",
    )
    cost_per_participant_week: float = Field(
        300.0,
        ge=0.0,
        le=1e7,
        description="Cost per pupil per week in a covered school (all 52 weeks of the year are "
        "counted). Unit: yen per pupil-week. Source: assumption (teacher time and "
        "materials shared by a class).",
    )


@register
class EmotionalTraining(Intervention):
    """School programme that lowers entry into AT_RISK among pupils."""

    name = "ei_training"
    label = "Emotional-intelligence training"
    Params = EmotionalTrainingParams
    params: EmotionalTrainingParams

    def setup(self, model: HikiModel) -> None:
        """Choose the schools that run the programme."""
        schools = model.population.schools
        self.covered = self.rng.random(len(schools)) < self.params.coverage
        self.trained = np.full(len(model.population.youths), -1, np.int64)

    def apply(self, model: HikiModel) -> None:
        """Train this week's pupils and keep part of the effect for former pupils."""
        p, y, mod = self.params, model.population.youths, model.kernel.modifiers
        model.population.schools.ei_training[:] = self.covered
        pupils = np.flatnonzero(
            (y.track == Track.SCHOOL) & (y.age_weeks < 18 * 52) & self.covered[y.school]
        )
        self.trained[pupils] = y.person_id[pupils]
        mod.onset_logit[pupils] += p.onset_logit
        at_risk = pupils[y.state[pupils] == State.AT_RISK]
        mod.resolve_logit[at_risk] += p.resolve_logit
        former = np.flatnonzero((self.trained == y.person_id) & (y.track != Track.SCHOOL))
        mod.onset_logit[former] += p.onset_logit * p.persistence
        self.record(len(pupils))


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


@register
class PetTherapy(CareProgramme):
    """Pet-assisted therapy: small direct effect, better adherence to care."""

    name = "pet_therapy"
    label = "Pet-assisted therapy"
    Params = PetTherapyParams


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


@register
class SocialFarming(Programme):
    """Social farming for recovering youths and young people at risk outside work."""

    name = "social_farming"
    label = "Social farming"
    Params = SocialFarmingParams

    def eligible(self, model: HikiModel) -> np.ndarray:
        """Recovering youths, and at-risk youths of 15+ with no school or work."""
        y = model.population.youths
        idle_at_risk = (
            (y.state == State.AT_RISK) & (y.track == Track.NEITHER) & (y.age_weeks >= 15 * 52)
        )
        return (y.state == State.RECOVERING) | idle_at_risk


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


@register
class OnlineTherapy(Programme):
    """Online therapy for withdrawn or at-risk youths who use the internet."""

    name = "online_therapy"
    label = "Online therapy"
    Params = OnlineTherapyParams

    def eligible(self, model: HikiModel) -> np.ndarray:
        """Withdrawn or at-risk youths with internet access, in care or not."""
        y = model.population.youths
        symptomatic = (y.state == State.AT_RISK) | (y.state == State.WITHDRAWN)
        return symptomatic & (y.internet_intensity > 0)
