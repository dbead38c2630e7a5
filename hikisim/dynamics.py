"""The weekly kernel: hazards and state transitions for every youth at once.

Hazards are logistic functions of weighted sums of the four factor groups (individual,
family, school, sociocultural), plus peer exposure through the social graph. The parts
that do not change week to week are precomputed per youth (``static_onset``) and only
refreshed for youths whose circumstances changed. Each mechanism uses one uniform per
youth per week from its own stream and splits it across its competing transitions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from hikisim import careers, conditions, entries, help_seeking, kernels, seat_lists, threads, ties
from hikisim.clock import MONTH_START_WEEK
from hikisim.episodes import OUTCOMES, EpisodeLog
from hikisim.network import SocialNetwork, TieKind
from hikisim.population import MIN_AGE_WEEKS, Population, draw_traits
from hikisim.scenario import Scenario
from hikisim.snapshot import MEXT_ABSENCE_WEEKS, SCHOOL_YEAR_START_MONTH
from hikisim.states import (
    HIKIKOMORI_MAX_ONSET_AGE,
    HIKIKOMORI_MIN_WEEKS,
    MAX_AGE,
    WEEKS_PER_YEAR,
    Care,
    Disorder,
    Parenting,
    State,
    Track,
)
from hikisim.streams import Streams, WeeklyDraw

LOW_ACHIEVEMENT_Z = -0.5
MAX_AGE_WEEKS = MAX_AGE * WEEKS_PER_YEAR
SCHOOL_YEAR_START_WEEK = MONTH_START_WEEK[SCHOOL_YEAR_START_MONTH - 1]
# The third junior-high grade is the school year that starts at age 14.
FINAL_JUNIOR_HIGH_START_WEEKS = 14 * WEEKS_PER_YEAR
# Junior high starts in the school year that begins at 12, high school at 15.
JUNIOR_HIGH_START_WEEKS = 12 * WEEKS_PER_YEAR
HIGH_SCHOOL_START_WEEKS = 15 * WEEKS_PER_YEAR
# Pupils leave school at 18; university students graduate at 22.
LEAVING_SCHOOL_WEEKS = 18 * WEEKS_PER_YEAR
GRADUATING_WEEKS = 22 * WEEKS_PER_YEAR

# Plain ints for comparisons with the int8 code arrays: numpy takes an IntEnum member as
# a strong int64 and would first upcast the whole array, several times slower.
ENGAGED = int(State.ENGAGED)
AT_RISK = int(State.AT_RISK)
WITHDRAWN = int(State.WITHDRAWN)
RECOVERING = int(State.RECOVERING)
NO_CARE = int(Care.NONE)
CLINICAL = int(Care.CLINICAL)
PSYCHOSOCIAL = int(Care.PSYCHOSOCIAL)
SCHOOL = int(Track.SCHOOL)
UNIVERSITY = int(Track.UNIVERSITY)
NEITHER = int(Track.NEITHER)
WORK = int(Track.WORK)
RETIRED = int(Track.RETIRED)
ONLINE = int(TieKind.ONLINE)
DEPRESSION = int(Disorder.DEPRESSION)
NO_SEATS = np.empty(0, np.int64)
# The codes kernels.static_onset_logits compares with.
ONSET_CODES = (
    SCHOOL,
    NEITHER,
    RETIRED,
    int(Parenting.NEGLECT_REJECTION),
    int(Parenting.OVERPROTECTION),
    LOW_ACHIEVEMENT_Z,
)
CAREER_CODES = careers.CareerCodes(
    neither=NEITHER,
    work=WORK,
    retired=RETIRED,
    engaged=ENGAGED,
    working_age_weeks=15 * WEEKS_PER_YEAR,
    adult_weeks=18 * WEEKS_PER_YEAR,
    retirement_weeks=0,  # the scenario's, set each week
)
ENTRY_CODES = entries.EntryCodes(
    withdrawn=WITHDRAWN,
    school=SCHOOL,
    retired=RETIRED,
    neither=NEITHER,
    no_care=NO_CARE,
    ongoing=OUTCOMES.index("ongoing"),
    relapsed=OUTCOMES.index("relapsed"),
    continue_weeks=HIKIKOMORI_MIN_WEEKS,
    adult_weeks=18 * WEEKS_PER_YEAR,
    weeks_per_year=WEEKS_PER_YEAR,
)
# The streams of the compiled conditions pass, in the order of ConditionCounters.
CONDITION_STREAMS = ("school_refusal", "internet", "sleep", "depression", "remission")
CONDITION_CODES = conditions.ConditionCodes(
    at_risk=AT_RISK,
    withdrawn=WITHDRAWN,
    school=SCHOOL,
    clinical=CLINICAL,
    depression=DEPRESSION,
    social_anxiety=int(Disorder.SOCIAL_ANXIETY),
    adult_weeks=18 * WEEKS_PER_YEAR,
    junior_high_start=JUNIOR_HIGH_START_WEEKS,
    high_school_start=HIGH_SCHOOL_START_WEEKS,
    final_junior_high_start=FINAL_JUNIOR_HIGH_START_WEEKS,
    weeks_per_year=WEEKS_PER_YEAR,
    mext_absence_weeks=MEXT_ABSENCE_WEEKS,
)
CONDITION_CODE_VALUES = tuple(CONDITION_CODES)  # as conditions.update takes them
ENTRY_CODE_VALUES = tuple(ENTRY_CODES)  # as entries.start_withdrawal takes them
# The states each state is reached from by Kernel.move: the weekly step's moves, and
# withdrawal straight from ENGAGED (which the step makes through AT_RISK).
MOVES_TO = {
    State.ENGAGED: (State.AT_RISK, State.RECOVERING),
    State.AT_RISK: (State.ENGAGED,),
    State.WITHDRAWN: (State.ENGAGED, State.AT_RISK, State.RECOVERING),
    State.RECOVERING: (State.WITHDRAWN,),
}


def sigmoid(logit: np.ndarray) -> np.ndarray:
    """Logistic function, in float32."""
    return (1.0 / (1.0 + np.exp(-logit, dtype=np.float32))).astype(np.float32, copy=False)


@dataclass
class Modifiers:
    """Per-youth hazard changes that interventions set each week.

    Programmes change them only through :meth:`add_logit` and :meth:`multiply` (the
    :class:`~hikisim.programmes.interface.HazardModifiers` interface).

    Attributes:
        onset_logit: Added to the ENGAGED to AT_RISK logit.
        progress_logit: Added to the AT_RISK to WITHDRAWN logit.
        resolve_logit: Added to the AT_RISK to ENGAGED logit.
        exit_multiplier: Multiplies the WITHDRAWN to RECOVERING hazard.
        reentry_multiplier: Multiplies the RECOVERING to ENGAGED hazard.
        help_logit: Added to the family's help-seeking logit.
        dropout_multiplier: Multiplies the weekly treatment dropout.
    """

    onset_logit: np.ndarray
    progress_logit: np.ndarray
    resolve_logit: np.ndarray
    exit_multiplier: np.ndarray
    reentry_multiplier: np.ndarray
    help_logit: np.ndarray
    dropout_multiplier: np.ndarray

    @classmethod
    def neutral(cls, n: int) -> Modifiers:
        """Modifiers that change nothing."""
        return cls(**{f.name: np.zeros(n, np.float32) for f in fields(cls)}).reset()

    def reset(self) -> Modifiers:
        """Return every modifier to its neutral value."""
        for f in fields(self):
            getattr(self, f.name).fill(1.0 if f.name.endswith("multiplier") else 0.0)
        return self

    def add_logit(self, hazard: str, seats: np.ndarray, change: float | np.ndarray) -> None:
        """Add to the logit of a hazard for some youths (programmes' way in).

        Args:
            hazard: ``onset``, ``progress``, ``resolve`` or ``help``.
            seats: The youths.
            change: Added to each youth's logit (one value, or one per youth).
        """
        getattr(self, f"{hazard}_logit")[seats] += change

    def multiply(self, hazard: str, seats: np.ndarray, factor: float | np.ndarray) -> None:
        """Multiply a hazard for some youths (programmes' way in).

        Args:
            hazard: ``exit``, ``reentry`` or ``dropout`` (dropout from care).
            seats: The youths.
            factor: Multiplies each youth's hazard (one value, or one per youth).
        """
        getattr(self, f"{hazard}_multiplier")[seats] *= factor


@dataclass
class CalendarEffects:
    """This week's effects of the calendar drivers (scalars, the same for everyone).

    Attributes:
        onset_logit: Added to every onset logit (internet use, COVID-19).
        refusal_multiplier: Multiplies the weekly start of school refusal (national
            policy, COVID-19).
        job_market_gap: 1 minus the job openings ratio: positive in a hiring freeze.
        week_of_year: The week within the calendar year (0-51).
    """

    onset_logit: float = 0.0
    refusal_multiplier: float = 1.0
    job_market_gap: float = 0.0
    week_of_year: int = 0

    @property
    def weeks_into_school_year(self) -> int:
        """Weeks since the school year started in April."""
        return (self.week_of_year - SCHOOL_YEAR_START_WEEK) % WEEKS_PER_YEAR


@dataclass
class WeekEvents:
    """What happened in one week, for the weekly record."""

    new_episodes: int = 0
    new_cases: int = 0
    recoveries: int = 0
    help_sought: int = 0
    dropouts: int = 0
    tie_losses: int = 0


class Kernel:
    """Vectorized weekly update of a population on its social graph.

    Args:
        scenario: The scenario.
        population: The population arrays.
        network: The social network.
        streams: The random streams.
        log: The episode log.
        initial_activity: Initial activity of each tie, restored at turnover.
    """

    def __init__(
        self,
        scenario: Scenario,
        population: Population,
        network: SocialNetwork,
        streams: Streams,
        log: EpisodeLog,
        initial_activity: np.ndarray,
    ) -> None:
        self.scenario = scenario  # also sets the tables drawn from it (see the setter)
        self.population = population
        self.youths = population.youths
        self.network = network
        self.streams = streams
        self.log = log
        self.initial_activity = initial_activity
        self.leaving_age_weeks = (scenario.population.max_age + 1) * WEEKS_PER_YEAR
        # Set by the model each week from the calendar drivers; neutral until then.
        self.calendar = CalendarEffects()
        n = len(self.youths)
        self.modifiers = Modifiers.neutral(n)
        self.exposure = np.zeros(n, np.float32)
        self.static_onset = np.zeros(n, np.float32)
        # Seats whose track changed mid-week; refreshed together with the next batch.
        self._stale: list[np.ndarray] = []
        # Former cases who re-entered, by week: (seats, person ids), followed up once.
        self._reentry_cohorts: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        # The youths not engaged as of the last transition (see nonengaged).
        self._others: np.ndarray | None = None
        self._initial_tracks()
        self.refresh_static(np.arange(n))
        self.next_person_id = n
        # Seats that took a new occupant (turnover) since take_newcomers last emptied it.
        self._newcomers: list[np.ndarray] = []
        # Who turned 18 or 22 at this week's ageing (careers.age_a_week), until
        # update_tracks takes them; None makes update_tracks scan everyone.
        self._turning: np.ndarray | None = None
        # The CSR structure never changes (ties are switched on and off in place).
        self.has_ties = np.diff(network.adjacency.indptr) > 0
        # This week's seat ranges for the threaded passes (None: one thread), and the
        # bounds last worked out (the town's size never changes).
        self._seat_ranges: np.ndarray | None = None
        self._bounds: np.ndarray | None = None

    @property
    def scenario(self) -> Scenario:
        """The scenario; setting it (a fork's) also resets the tables drawn from it."""
        return self._scenario

    @scenario.setter
    def scenario(self, scenario: Scenario) -> None:
        self._scenario = scenario
        # The conditions pass's chances, kept while their inputs stay (_condition_rates).
        self._condition_rates_for: tuple[float, bool] | None = None
        self.age_logit = self._age_table()
        self.episode_rates = episode_rates(scenario)
        self.onset_weights = onset_weights(scenario)
        # A plain tuple, as careers.update takes it.
        self.career_codes = tuple(
            CAREER_CODES._replace(retirement_weeks=scenario.labour.retirement_age * WEEKS_PER_YEAR)
        )

    def _age_table(self) -> np.ndarray:
        dyn = self.scenario.dynamics
        years = np.arange(MAX_AGE_WEEKS + 1, dtype=np.float32) / WEEKS_PER_YEAR
        bump = dyn.age_bump * np.exp(-0.5 * ((years - dyn.age_peak) / dyn.age_width) ** 2)
        return bump.astype(np.float32)

    def refresh_static(self, seats: np.ndarray) -> None:
        """Recompute the time-invariant part of the onset logit for some youths.

        Seats marked with :meth:`mark_stale` since the last call are refreshed too.

        Args:
            seats: Youths whose traits, family, school or track changed.
        """
        if self._stale:
            # One batch instead of one per phase: the per-call overhead dominates, and
            # the values are the same because every later change of a marked seat's
            # inputs is followed by a refresh of its own.
            seats = np.concatenate([*self._stale, seats])
            self._stale.clear()
        if len(seats) == 0:
            return
        y, fam, sch = self.youths, self.population.families, self.population.schools
        # One compiled pass (kernels.static_onset_logits) sums, for each youth: the base;
        # introversion, trauma, a disorder and sex; neglecting or overprotective
        # parenting and high expectations with low achievement; for pupils the school's
        # climate and pressure and the pupil risk; a refusal history; being outside
        # school and work (NEITHER or RETIRED); an urban school, low cohesion and
        # internet use.
        inputs = kernels.OnsetInputs(
            y.family,
            y.school,
            y.introversion,
            y.trauma,
            y.disorder,
            y.male,
            y.achievement,
            y.track,
            y.ever_refused_school,
            y.internet_intensity,
            fam.parenting,
            fam.high_expectations,
            sch.climate,
            sch.pressure,
            sch.urban,
            sch.cohesion,
        )
        kernels.static_onset_logits(
            np.asarray(seats, np.int64),
            tuple(inputs),
            tuple(self.onset_weights),
            ONSET_CODES,
            self.static_onset,
        )

    def nonengaged(self) -> np.ndarray:
        """The youths not engaged, ascending (not copied: do not modify).

        The set found at the last transition is reused, less any youths engaged since
        (turnover), when no other youth has left ENGAGED since. Otherwise the population
        is scanned.
        """
        state, others = self.youths.state, self._others
        if others is not None:
            # ENGAGED is 0: the others are the seats with a nonzero code.
            others, complete = seat_lists.nonzero_among(others, state)
            if complete:
                self._others = others
                return others
        others = self._others = np.flatnonzero(state != ENGAGED)
        return others

    def mark_stale(self, seats: np.ndarray) -> None:
        """Note youths whose onset logit needs refreshing before the next week's onset.

        Args:
            seats: Youths whose track changed.
        """
        if len(seats):
            self._stale.append(seats)

    def step(self, week: int) -> WeekEvents:
        """Advance every youth by one week (phases 1-5 and 7 of the design).

        Args:
            week: The absolute week number being simulated.

        Returns:
            Counts of this week's events.
        """
        events = WeekEvents()
        self.streams.start_week(week)
        self._seat_ranges = self._ranges_this_week()
        if self.scenario.population.aging:
            self.age_and_turnover(week)
        if self.calendar.week_of_year == SCHOOL_YEAR_START_WEEK:
            self.youths.school_year_refusal_weeks.fill(0)
        # One refresh a week for every seat whose inputs changed since the last onset.
        self.refresh_static(NO_SEATS)
        self.update_exposure()
        # The symptomatic and withdrawn youths after the transitions; nothing else in the
        # week changes states, so the later phases share them instead of rescanning.
        others = self.nonengaged()
        symptomatic, withdrawn = self.transition(week, events, others)
        refusing = self.update_conditions()
        self.update_tracks(refusing)
        self.seek_help_and_treat(events, symptomatic)
        self.erode_ties(events, withdrawn)
        return events

    @property
    def seat_ranges(self) -> np.ndarray | None:
        """The seat ranges of this week's threaded passes, or None if they use one thread.

        Set at the start of each week (:mod:`hikisim.threads`); the weekly record's
        census, taken after the week, uses them too.
        """
        return self._seat_ranges

    def _ranges_this_week(self) -> np.ndarray | None:
        """The seat ranges of this week's threaded passes, or None to use one thread.

        Asked every week, as the thread that steps the model may change (a dashboard's
        model is stepped by whichever thread serves the page).
        """
        ranges = threads.ranges_for(len(self.youths))
        if ranges == 1:
            return None
        if self._bounds is None or len(self._bounds) != ranges + 1:
            self._bounds = threads.range_bounds(len(self.youths), ranges)
        return self._bounds

    def take_newcomers(self) -> np.ndarray:
        """The seats that took a new occupant since the last call (ascending, each once).

        Turnover is the only way a seat changes occupant; the caller (the model, which
        gives newcomers their parents) thereby checks only these seats, and weeks the
        kernel was stepped without it are not lost.

        Returns:
            The seats (int64), possibly empty, not copied (do not modify them); the
            record is emptied.
        """
        if not self._newcomers:
            return NO_SEATS
        if len(self._newcomers) == 1:
            # One week's turnover (the usual case): ascending and each once already.
            seats = self._newcomers[0]
        else:
            seats = np.unique(np.concatenate(self._newcomers))
        self._newcomers.clear()
        return seats

    def update_exposure(self) -> None:
        """Share of each youth's active ties that are at risk or withdrawn."""
        risky = kernels.symptomatic_flags(self.youths.state, np.int8(AT_RISK), np.int8(WITHDRAWN))
        # Updated from the few youths whose state or ties changed, not a full sparse
        # product; ``exposure`` is the network's array from the first week on.
        self.exposure = self.network.flagged_share(risky)

    def age_and_turnover(self, week: int) -> None:
        """Age everyone a week; replace those past ``max_age`` with new 10-year-olds."""
        y = self.youths
        # The week's ageing also finds who turns 18 or 22, for update_tracks.
        leaving, self._turning = careers.age_a_week(
            y.age_weeks, self.leaving_age_weeks, LEAVING_SCHOOL_WEEKS, GRADUATING_WEEKS
        )
        if len(leaving) == 0:
            return
        self._newcomers.append(leaving)
        withdrawn = leaving[y.state[leaving] == State.WITHDRAWN]
        if len(withdrawn):
            self._close_episodes(withdrawn, week, "aged_out")
        y.age_weeks[leaving] = MIN_AGE_WEEKS
        y.person_id[leaving] = np.arange(self.next_person_id, self.next_person_id + len(leaving))
        self.next_person_id += len(leaving)
        draw_traits(y, leaving, self.scenario, self.streams["turnover"])
        self.network.reset_rows(leaving, self.initial_activity)
        self.mark_stale(leaving)

    def transition(
        self, week: int, events: WeekEvents, others: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw this week's state transitions and keep the episode log.

        Args:
            week: The absolute week number being simulated.
            events: This week's event counts, updated.
            others: The youths not engaged (ascending), if already known.

        Returns:
            The youths at risk or withdrawn, and the withdrawn, after the transitions
            (ascending seat indices).
        """
        s, y, mod = self.scenario, self.youths, self.modifiers
        draw = self.streams.draw("state")
        state = y.state

        # Onset: one compiled pass over everyone (hikisim.kernels.onset), in seat ranges
        # on threads in a large town (hikisim.threads).
        labour = s.labour
        onset_inputs = (
            state,
            self.static_onset,
            self.exposure,
            y.age_weeks,
            self.age_logit,
            mod.onset_logit,
            y.track,
            y.work_start_age,
            np.float32(s.dynamics.peer_weight),
            np.float32(self.calendar.onset_logit),
            np.float32(self._misfit_logit()),
            labour.misfit_years * WEEKS_PER_YEAR,
            np.int8(WORK),
            np.int8(ENGAGED),
            *draw.counter,
        )
        if self._seat_ranges is None:
            to_at_risk = kernels.onset(*onset_inputs)
        else:
            to_at_risk = kernels.onset_threaded(self._seat_ranges, *onset_inputs)

        # The other states are rare: one compiled pass over them (kernels).
        if others is None:
            others = np.flatnonzero(state != ENGAGED)
        # One severity draw a week serves those staying withdrawn and the entrants.
        severity_draw = self.streams.draw("severity")
        to_withdrawn, resolved, to_recovering, relapsed, reintegrated, work_draw = (
            kernels.episode_transitions(
                others,
                kernels.plain_columns_of(self.youths, kernels.YouthArrays),
                self.exposure,
                kernels.plain_columns_of(self.modifiers, kernels.Modifiers),
                tuple(self.episode_rates),
                kernels.CODE_VALUES,
                draw.counter,
                severity_draw.counter,
                self._at_risk_tops(),
            )
        )

        state[to_at_risk] = State.AT_RISK
        state[resolved] = State.ENGAGED
        self._end_withdrawal(to_recovering, week)
        self._reintegrate(reintegrated, work_draw, week)
        events.new_episodes = self._start_withdrawal(to_withdrawn, week, severity_draw, False)
        events.new_episodes += self._start_withdrawal(relapsed, week, severity_draw, True)
        events.recoveries = len(to_recovering)

        # Only the newly at risk join the youths not engaged; the resolved and the
        # reintegrated leave them.
        others, symptomatic, withdrawn = kernels.merge_nonengaged(
            others, to_at_risk, state, np.int8(ENGAGED), np.int8(AT_RISK), np.int8(WITHDRAWN)
        )
        self._others = others
        events.new_cases = self._count_weeks_withdrawn(withdrawn)
        return symptomatic, withdrawn

    def _at_risk_tops(self) -> tuple[float, float, float]:
        """The largest exposure and progress and resolve changes (for the at-risk screen).

        Taken from the arrays every week rather than tracked, so that a change written
        straight into an array (by a test, say) can never leave the screen's bound low.
        """
        mod = self.modifiers
        return (
            float(self.exposure.max()),
            float(mod.progress_logit.max()),
            float(mod.resolve_logit.max()),
        )

    def youth_arrays(self) -> kernels.YouthArrays:
        """The youth columns as the compiled passes take them.

        Returns:
            The columns named in :class:`hikisim.kernels.YouthArrays`, not copied (the
            passes that update them update the youths).
        """
        y = self.youths
        return kernels.columns_of(y, kernels.YouthArrays)

    def modifier_arrays(self) -> kernels.Modifiers:
        """The programmes' changes as the compiled passes take them.

        Returns:
            The arrays named in :class:`hikisim.kernels.Modifiers`, not copied.
        """
        return kernels.columns_of(self.modifiers, kernels.Modifiers)

    def hazards(self, seats: np.ndarray) -> np.ndarray:
        """This week's chances of some youths, one row each, whatever their state.

        Columns: AT_RISK to WITHDRAWN, AT_RISK to ENGAGED, WITHDRAWN to RECOVERING,
        relapse and re-entry (as :func:`hikisim.kernels.hazards`).

        Args:
            seats: The youths (seat indices, any integer type).

        Returns:
            The weekly chances (float64, shape ``(len(seats), 5)``), from this week's
            exposure, modifiers and rates.
        """
        return kernels.hazards(
            np.asarray(seats, np.int64),
            self.youth_arrays(),
            self.exposure,
            self.modifier_arrays(),
            self.episode_rates,
            kernels.CODES,
        )

    def at_risk_chances(self, seats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Chances of AT_RISK to WITHDRAWN and of AT_RISK to ENGAGED this week.

        Args:
            seats: The youths (seat indices), whatever their state.

        Returns:
            The two weekly chances of each seat (float64 arrays, in the order of
            ``seats``).
        """
        chances = self.hazards(seats)
        return chances[:, 0], chances[:, 1]

    def exit_hazards(self, seats: np.ndarray) -> np.ndarray:
        """Chances of WITHDRAWN to RECOVERING this week.

        Args:
            seats: The youths (seat indices), whatever their state.

        Returns:
            Each seat's weekly chance (float64, in the order of ``seats``).
        """
        return self.hazards(seats)[:, 2]

    def recovering_chances(self, seats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Chances of relapse and of re-entry this week.

        Args:
            seats: The youths (seat indices), whatever their state.

        Returns:
            The chances of RECOVERING to WITHDRAWN and of RECOVERING to ENGAGED of each
            seat (float64 arrays, in the order of ``seats``).
        """
        chances = self.hazards(seats)
        return chances[:, 3], chances[:, 4]

    def flag_multipliers(self, seats: np.ndarray, internet: float, sleep: float) -> np.ndarray:
        """The factor internet addiction and a reversed sleep rhythm put on a hazard.

        Args:
            seats: The youths (seat indices).
            internet: The factor for internet addiction.
            sleep: The factor for a reversed sleep rhythm.

        Returns:
            Each seat's product of the factors that apply (float64, in the order of
            ``seats``; 1.0 for neither flag).
        """
        y = self.youths
        return kernels.flag_multipliers(
            y.internet_addiction[seats], y.sleep_reversal[seats], internet, sleep
        )

    def _misfit_logit(self) -> float:
        """This week's onset logit for workers in the first years of a job."""
        labour = self.scenario.labour
        if labour.misfit_years == 0:
            return 0.0
        return labour.work_misfit_weight + labour.job_market_effect * self.calendar.job_market_gap

    def _start_work(self, seats: np.ndarray) -> None:
        """Put people into work, starting the clock of a new job."""
        y = self.youths
        y.track[seats] = Track.WORK
        y.work_start_age[seats] = y.age_weeks[seats]

    def _start_withdrawal(
        self, seats: np.ndarray, week: int, severity_draw: WeeklyDraw, relapse: bool
    ) -> int:
        """Move youths into WITHDRAWN: a new episode, or the last one continued.

        A return within 26 weeks of leaving withdrawal continues the last episode: its
        clock (and so its duration dependence) carries on and the log counts the
        interruption. Every entrant draws a severity.

        Args:
            seats: The entrants.
            week: The absolute week.
            severity_draw: This week's draw of the severity stream.
            relapse: Whether they come from RECOVERING.

        Returns:
            The number of new episodes (continued ones excluded).
        """
        if len(seats) == 0:
            return 0
        # One compiled pass (hikisim.entries.start_withdrawal) applies these rules.
        first_row, log_columns = self.log.spare_rows(len(seats))
        opened, adults = entries.start_withdrawal(
            seats,
            severity_draw[seats],
            np.float32(self.scenario.dynamics.narrow_entry_share),
            week,
            relapse,
            kernels.plain_columns_of(self.youths, entries.EntrantColumns),
            self.population.families.sought_help,
            tuple(log_columns),
            first_row,
            ENTRY_CODE_VALUES,
        )
        self.log.take_rows(opened)
        self.mark_stale(adults)
        return opened

    def _close_episodes(self, seats: np.ndarray, week: int, outcome: str) -> None:
        y = self.youths
        rows = y.episode_row[seats]
        self.log.set("weeks", rows, y.withdrawn_weeks[seats])
        self.log.close(rows, week, outcome)

    def _end_withdrawal(self, seats: np.ndarray, week: int) -> None:
        if len(seats) == 0:
            return
        y = self.youths
        self._close_episodes(seats, week, "recovering")
        y.state[seats] = State.RECOVERING
        y.years_lost[seats] += y.withdrawn_weeks[seats] / WEEKS_PER_YEAR
        y.withdrawn_weeks[seats] = 0
        y.narrow[seats] = False
        y.left_withdrawal_week[seats] = week

    def _reintegrate(self, seats: np.ndarray, work_draw: np.ndarray, week: int) -> None:
        """Re-entry: engaged again; adults without study or work may go straight to work.

        Args:
            seats: The people re-entering.
            work_draw: One uniform each, deciding whether they go straight to work.
            week: This week.
        """
        if len(seats) == 0:
            return
        y = self.youths
        self.log.set("outcome", y.episode_row[seats], OUTCOMES.index("reintegrated"))
        y.state[seats] = State.ENGAGED
        y.reintegrated_week[seats] = week
        former_cases = seats[y.ever_broad[seats]]
        if len(former_cases):
            self._add_to_reentry_cohort(week, former_cases)
        adult = (y.track[seats] == NEITHER) & (y.age_weeks[seats] >= 15 * WEEKS_PER_YEAR)
        # Years lost leave a lasting mark on the chance of work (labour.work_scar_...).
        chance = self.work_chance(seats)
        hired = adult & ((chance >= 1.0) | (work_draw < chance))
        self._start_work(seats[hired])
        self.mark_stale(seats[hired])

    def move(self, seats: np.ndarray, state: State, week: int) -> None:
        """Move youths to a state between weeks, by the rules the weekly step follows.

        For user code (a :class:`hikisim.agents.Youth`'s ``state`` set by hand): entering
        withdrawal opens an episode, or continues one left within 26 weeks, and draws a
        severity; leaving it closes the episode and adds the years lost; re-entry may
        find work. The uniforms come from draws kept for such moves
        (:meth:`hikisim.streams.Streams.outside_draw`), so the model's own draws are
        unchanged. The week's record does not count these moves as events.

        Moves in one step of the state machine are allowed, and entering withdrawal
        straight from ENGAGED: to ENGAGED from AT_RISK or RECOVERING; to AT_RISK from
        ENGAGED; to WITHDRAWN from ENGAGED, AT_RISK or RECOVERING (a relapse); to
        RECOVERING from WITHDRAWN. Youths already in ``state`` are left alone.

        Args:
            seats: The youths (one listed twice is moved once).
            state: The state to move them to.
            week: The week the move counts as made in (the model's next week).

        Raises:
            ValueError: If some youth's state cannot move to ``state``.
        """
        y = self.youths
        target = State(state)
        # Each youth once (the entry pass takes ascending seats, each once).
        seats = np.unique(np.asarray(seats, np.int64))
        seats = seats[y.state[seats] != target]
        if len(seats) == 0:  # nothing to move: no draw taken either
            return
        current = y.state[seats]
        sources = MOVES_TO[target]
        refused = ~np.isin(current, [int(source) for source in sources])
        if refused.any():
            raise ValueError(
                f"cannot move a youth from {State(int(current[refused][0])).name} to "
                f"{target.name}: {target.name} is reached from "
                f"{' or '.join(source.name for source in sources)}"
            )
        if target == State.AT_RISK:
            y.state[seats] = State.AT_RISK
        elif target == State.RECOVERING:
            self._end_withdrawal(seats, week)
        elif target == State.WITHDRAWN:
            severity = self.streams.outside_draw("severity")
            relapsing = current == State.RECOVERING
            self._start_withdrawal(seats[~relapsing], week, severity, False)
            self._start_withdrawal(seats[relapsing], week, severity, True)
        else:
            resolved = current == State.AT_RISK
            y.state[seats[resolved]] = State.ENGAGED
            returning = seats[~resolved]
            work_draw = self.streams.outside_draw("state")[returning].astype(np.float64)
            self._reintegrate(returning, work_draw, week)

    def _add_to_reentry_cohort(self, week: int, seats: np.ndarray) -> None:
        """Follow these former cases from their re-entry in ``week``.

        The weekly step re-enters people once a week, but moves by hand
        (:meth:`move`) may re-enter others in the same week, before or after it: they
        join the week's cohort, which stays ascending with each seat once.
        """
        ids = self.youths.person_id[seats]
        held = self._reentry_cohorts.get(week)
        if held is not None:
            # Each seat once: a seat re-entering twice in a week is one person re-entering.
            seats = np.concatenate((held[0], seats))
            ids = np.concatenate((held[1], ids))
            seats, first = np.unique(seats[::-1], return_index=True)
            ids = ids[::-1][first]
        self._reentry_cohorts[week] = (seats, ids.copy())

    def reentry_cohort(self, week: int) -> np.ndarray:
        """The former cases who re-entered in ``week`` and still hold their seat.

        Each cohort is handed out once, so call this once for each week.

        Args:
            week: The week of re-entry.

        Returns:
            Their seats (ascending); a relapse or a later re-entry does not remove them.
        """
        seats, person_ids = self._reentry_cohorts.pop(week, (np.zeros(0, np.int64), None))
        if person_ids is None:
            return seats
        return seats[self.youths.person_id[seats] == person_ids]

    def work_chance(self, seats: np.ndarray) -> np.ndarray:
        """The multiplier on the chance of work left by the years a person has lost."""
        scar = self.scenario.labour.work_scar_per_year_lost
        return np.exp(-scar * self.youths.years_lost[seats].astype(np.float64))

    def _count_weeks_withdrawn(self, withdrawn: np.ndarray | None = None) -> int:
        """Advance episode clocks and mark the episodes that reach each definition.

        At 26 weeks an episode counts for the broad (cao) definition at any onset age,
        and qualifies as hikikomori (the seed definition) if it began before 30; 26
        weeks at the narrow severity make it a koyama episode.

        Args:
            withdrawn: The withdrawn youths, if already known.

        Returns:
            The number of episodes that qualified as hikikomori this week.
        """
        y = self.youths
        if withdrawn is None:
            withdrawn = np.flatnonzero(y.state == WITHDRAWN)
        # The age at onset is the one the log recorded (ages may be frozen by the scenario).
        return kernels.advance_episode_clocks(
            withdrawn,
            y.withdrawn_weeks,
            y.narrow,
            y.narrow_weeks,
            y.ever_broad,
            y.ever_koyama,
            y.ever_hikikomori,
            y.episode_row,
            self.log.column("onset_age"),
            self.log.column("hikikomori"),
            HIKIKOMORI_MIN_WEEKS,
            HIKIKOMORI_MAX_ONSET_AGE,
        )

    def update_conditions(self) -> np.ndarray:
        """School refusal, internet addiction, sleep reversal, depression and remission.

        One compiled pass (:func:`hikisim.conditions.update`, in seat ranges on threads
        in a large town), whose rules are these.

        - *School refusal* is its own process for pupils of the compulsory grades. Any
          pupil whose school year started before 15 may start refusing, engaged or not:
          junior-high pupils at ``refusal_start`` a week, elementary pupils at
          ``refusal_elementary_ratio`` times that, at-risk pupils more, all times the
          calendar drivers. Withdrawn pupils always refuse. A refuser who is not
          withdrawn stops at ``refusal_stop`` a week, and more often in the first week
          of junior high and of high school; refusal ends when school does. A pupil
          absent 6 weeks (MEXT's 30 days) in a school year that started before 15 gets
          a refusal history.
        - *Internet addiction and sleep reversal* start only in symptomatic youths (at
          risk or withdrawn, so also during an episode); addiction ends only without
          symptoms, the sleep rhythm only outside withdrawal.
        - *Depression* develops during withdrawal in a person without a depressive
          disorder, at a weekly hazard that rises with the years withdrawn, and remits
          at ``care.depression_remission`` a week, faster in clinical care. In clinical
          care a detected latent depression or social anxiety disorder remits too, and
          relapses once care has ended.

        Returns:
            The school refusers after the week's changes (ascending).
        """
        y = self.youths
        rates = self._condition_rates()
        streams = self.streams
        # In the order of conditions.ConditionCounters; plain tuples, which numba types
        # faster (see kernels.plain_columns_of).
        counters = tuple(streams.draw(name).counter for name in CONDITION_STREAMS)
        inputs = (
            kernels.plain_columns_of(y, conditions.ConditionArrays),
            tuple(rates),
            CONDITION_CODE_VALUES,
            self.calendar.weeks_into_school_year,
            counters,
        )
        if self._seat_ranges is None:
            refusers, first_refusals = conditions.update(*inputs)
        else:
            refusers, first_refusals = conditions.update_threaded(
                self._seat_ranges, *conditions.flat_inputs(*inputs)
            )
        # A refusal history raises the onset logit (school.refusal_history_weight).
        self.mark_stale(first_refusals)
        return refusers

    def _condition_rates(self) -> conditions.ConditionRates:
        """This week's chances of the conditions pass (see :meth:`update_conditions`).

        Rebuilt only when the calendar's refusal factor or the first week of the school
        year changes them (or the scenario does): building them each week cost about as
        much as a small compiled pass.
        """
        calendar = self.calendar
        first_week = calendar.weeks_into_school_year == 0
        key = (calendar.refusal_multiplier, first_week)
        if self._condition_rates_for == key:
            return self._condition_rates_now
        s = self.scenario
        school, dyn, ind, care = s.school, s.dynamics, s.individual, s.care
        stay = (1.0 - school.refusal_stop) * (1.0 - school.refusal_transition_remission)
        self._condition_rates_now = conditions.ConditionRates(
            refusal_stop=school.refusal_stop,
            new_school_stop=1.0 - stay if first_week else school.refusal_stop,
            refusal_start=school.refusal_start * calendar.refusal_multiplier,
            elementary_ratio=school.refusal_elementary_ratio,
            at_risk_factor=math.exp(school.refusal_at_risk_weight),
            internet_start_32=np.float32(dyn.internet_addiction_start * 2.0),
            internet_stop_32=np.float32(dyn.internet_addiction_stop),
            sleep_start=dyn.sleep_reversal_start,
            sleep_stop_32=np.float32(dyn.sleep_reversal_stop),
            depression_onset=ind.depression_onset_rate,
            depression_growth=ind.depression_duration_growth,
            depression_remission=care.depression_remission,
            clinical_remission_multiplier=care.clinical_remission_multiplier,
            disorder_relapse_32=np.float32(care.disorder_relapse),
            treated_remission_32=np.float32(
                care.depression_remission * care.clinical_remission_multiplier
            ),
        )
        self._condition_rates_for = key
        return self._condition_rates_now

    def update_tracks(self, refusing: np.ndarray | None = None) -> None:
        """The school-to-work transition, dropout, finding and losing work, retirement.

        At 18 pupils leave school for university, work or neither, and at 22 graduates
        find work or not (:meth:`_leave_school`, :meth:`_graduate`). The rest is one
        compiled pass (:func:`hikisim.careers.update`): only the NEITHER track can find
        work and only school refusers can drop out. Work is decided before this week's
        dropouts join NEITHER: the two groups then stay disjoint, so no one's uniform
        decides both (a dropout once found work the same week on the very draw that made
        them drop out). A hiring freeze (job openings below applicants) makes work
        harder to find, and losing it and retiring likelier.

        Args:
            refusing: The school refusers (ascending), if already known.
        """
        s, y = self.scenario, self.youths
        ages = (LEAVING_SCHOOL_WEEKS, SCHOOL, GRADUATING_WEEKS, UNIVERSITY)
        if self._turning is None:
            at_18, at_22 = careers.turning(y.age_weeks, y.track, *ages)
        else:
            # Ages have not changed since the week's ageing found these seats; the
            # tracks may have (re-entry), so they are checked now.
            at_18, at_22 = careers.turning_among(self._turning, y.age_weeks, y.track, *ages)
            self._turning = None
        self._leave_school_and_graduate(at_18, at_22)
        if refusing is None:
            refusing = np.flatnonzero(y.school_refusal)
        labour, gap = s.labour, self.calendar.job_market_gap
        rates = careers.CareerRates(
            find_work=s.school.find_work_rate * math.exp(-labour.job_market_effect * gap),
            work_scar=labour.work_scar_per_year_lost,
            dropout_32=np.float32(s.school.dropout_rate),
            job_loss=min(labour.job_loss_rate * math.exp(labour.job_market_effect * gap), 1.0),
            retirement=min(labour.retirement_rate * math.exp(labour.job_market_effect * gap), 1.0),
        )
        inputs = (
            y.track,
            y.state,
            y.age_weeks,
            y.years_lost,
            y.school_refusal,
            y.work_start_age,
            refusing,
            self.calendar.weeks_into_school_year,
            tuple(rates),
            self.career_codes,
            self.streams.draw("track").counter,
            self.streams.draw("labour").counter,
        )
        if self._seat_ranges is None:
            changed = careers.update(*inputs)
        else:
            changed = careers.update_threaded(self._seat_ranges, *careers.flat_inputs(*inputs))
        # Refreshed with next week's newcomers, before the onset hazard needs them.
        self.mark_stale(np.concatenate((at_18, at_22, changed)))

    def _leave_school(self, seats: np.ndarray) -> np.ndarray:
        """At 18: university, work or neither, fixed by the youth's transition draw."""
        self._leave_school_and_graduate(seats, NO_SEATS)
        return seats

    def _graduate(self, seats: np.ndarray) -> np.ndarray:
        """At 22: graduates find work or end up in neither school nor work."""
        self._leave_school_and_graduate(NO_SEATS, seats)
        return seats

    def _leave_school_and_graduate(self, at_18: np.ndarray, at_22: np.ndarray) -> None:
        """The week's school leavers and graduates, from one evaluation of their chances.

        The same as placing the leavers, then the graduates, in separate calls: the two
        groups are disjoint, and placing the leavers changes none of the graduates'
        inputs. The logits and the placement are compiled (:mod:`hikisim.careers`); the
        chances between them are numpy's float32 sigmoid.
        """
        if len(at_18) == 0 and len(at_22) == 0:
            return
        at_18, at_22 = np.asarray(at_18, np.int64), np.asarray(at_22, np.int64)
        p_uni, p_neither = self._transition_probabilities(np.concatenate((at_18, at_22)))
        y = self.youths
        careers.place_school_exits(
            at_18,
            at_22,
            p_uni,
            p_neither,
            y.transition_draw,
            y.age_weeks,
            y.track,
            y.work_start_age,
            UNIVERSITY,
            NEITHER,
            WORK,
        )

    def _initial_tracks(self) -> None:
        """Put youths who start the run aged 18+ where the transition would have put them."""
        y = self.youths
        self._leave_school(np.flatnonzero(y.age_weeks >= LEAVING_SCHOOL_WEEKS))
        graduates = (y.age_weeks >= GRADUATING_WEEKS) & (y.track == Track.UNIVERSITY)
        self._graduate(np.flatnonzero(graduates))
        # Their jobs did not start today: the start is put at 18 or at 22, when it was.
        workers = np.flatnonzero(y.track == WORK)
        graduated = graduates[workers]
        y.work_start_age[workers] = np.where(graduated, 22, 18) * WEEKS_PER_YEAR

    def _transition_probabilities(self, seats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The chances of university and of neither (float32) for people leaving school."""
        s, y = self.scenario, self.youths
        university, neither = careers.school_exit_logits(
            seats,
            y.state,
            y.ever_refused_school,
            y.achievement,
            ENGAGED,
            s.school.university_base,
            s.school.neither_base,
            s.school.struggle_weight,
            s.labour.job_market_effect * self.calendar.job_market_gap,
        )
        p_uni = sigmoid(university)
        p_neither = np.minimum(sigmoid(neither), 1.0 - p_uni)
        return p_uni, p_neither

    def seek_help_and_treat(
        self, events: WeekEvents, symptomatic: np.ndarray | None = None
    ) -> None:
        """Family help-seeking, the medical exam, and weekly treatment dropout.

        Args:
            events: This week's event counts, updated.
            symptomatic: The youths at risk or withdrawn, if already known.
        """
        s, y, fam, mod = self.scenario, self.youths, self.population.families, self.modifiers
        draw = self.streams.draw("help")
        state = y.state
        if symptomatic is None:
            symptomatic = np.flatnonzero((state == AT_RISK) | (state == WITHDRAWN))
        # Families of the symptomatic not in care may seek help, unless they never do
        # (hikisim.help_seeking); the chance is the logistic function of their logit.
        # A plain tuple, as the compiled passes take it (kernels.plain_columns_of).
        columns = tuple(
            help_seeking.HelpColumns(
                state,
                y.care,
                y.family,
                y.disorder,
                y.depressed,
                y.disorder_detected,
                y.episode_row,
                fam.never_seeks,
                fam.help_propensity,
                fam.sought_help,
                mod.help_logit,
            )
        )
        willing, logits = help_seeking.willing_logits(
            symptomatic,
            columns,
            s.family.help_base,
            s.family.help_withdrawn_weight,
            s.family.stigma,
            NO_CARE,
            WITHDRAWN,
        )
        # Reusing the draw: given help was sought, u / p_help is again uniform on [0, 1),
        # and so is the part of it that decides uptake, rescaled, for the exam.
        events.help_sought, seekers, kind = help_seeking.contacts_and_exams(
            willing,
            sigmoid(logits),
            columns,
            self.log.column("help_sought"),
            np.float32(s.care.youth_uptake),
            np.float32(max(s.care.youth_uptake, 1e-9)),
            np.float32(s.care.exam_sensitivity),
            (WITHDRAWN, CLINICAL, PSYCHOSOCIAL),
            draw.counter,
        )
        start_care(self, seekers, kind)

        draw = self.streams.draw("treatment")
        leaving = kernels.care_leavers(
            y.care,
            state,
            mod.dropout_multiplier,
            s.care.clinical_dropout,
            s.care.psychosocial_dropout,
            CLINICAL,
            NO_CARE,
            ENGAGED,
            draw.counter,
        )
        events.dropouts = int(np.count_nonzero(state[leaving] != ENGAGED))
        y.care[leaving] = Care.NONE

    def erode_ties(self, events: WeekEvents, withdrawn: np.ndarray | None = None) -> None:
        """Withdrawn youths lose offline ties and may gain online ones; others regain ties.

        Args:
            events: This week's event counts, updated.
            withdrawn: The withdrawn youths, if already known.
        """
        s, y, net = self.scenario.network, self.youths, self.network
        draw = self.streams.draw("erosion")
        if withdrawn is None:
            withdrawn = np.flatnonzero(y.state == WITHDRAWN)
        # One compiled pass (hikisim.ties.erode). The float32 thresholds are what numpy
        # compared the float32 uniforms with before the pass was compiled.
        events.tie_losses, rows = ties.erode(
            withdrawn,
            self.has_ties,
            y.internet_addiction,
            y.state,
            tuple(net.tie_arrays()),
            np.float32(s.tie_loss_rate),
            np.float32(s.online_gain_rate),
            np.float32(s.tie_loss_rate + s.online_gain_rate),
            s.tie_regain_rate,
            WITHDRAWN,
            ONLINE,
            net.flagged is not None,
            draw.counter,
        )
        net.note_changed_rows(rows)


def onset_weights(scenario: Scenario) -> kernels.OnsetWeights:
    """The scenario's weights of the time-invariant part of the onset logit."""
    ind, fam, school, society = (
        scenario.individual,
        scenario.family,
        scenario.school,
        scenario.society,
    )
    return kernels.OnsetWeights(
        onset_base=scenario.dynamics.onset_base,
        introversion=ind.introversion_weight,
        trauma=ind.trauma_weight,
        disorder=ind.disorder_onset_weight,
        male=ind.male_weight,
        neglect=fam.neglect_weight,
        overprotection=fam.overprotection_weight,
        expectation_gap=fam.expectation_gap_weight,
        climate=school.climate_weight,
        pressure=school.pressure_weight,
        pupil_risk=school.pupil_risk,
        refusal_history=school.refusal_history_weight,
        neither=school.neither_weight,
        urbanization=society.urbanization_weight,
        cohesion=society.cohesion_weight,
        # Multiplied first, as the numpy expression did.
        internet=society.internet_weight * society.internet_penetration,
    )


def episode_rates(scenario: Scenario) -> kernels.EpisodeRates:
    """The scenario's rates for the compiled moves of youths who are not engaged."""
    d, ind, care = scenario.dynamics, scenario.individual, scenario.care
    return kernels.EpisodeRates(
        progress_base=d.progress_base,
        disorder_progress_weight=ind.disorder_progress_weight,
        refusal_progress_weight=scenario.school.refusal_progress_weight,
        internet_progress_weight=d.internet_addiction_weight,
        sleep_progress_weight=d.sleep_reversal_weight,
        peer_progress_weight=0.5 * d.peer_weight,
        neither_weight=scenario.school.neither_weight,
        resolve_base=d.resolve_base,
        exit_base=d.exit_base,
        duration_decline=d.duration_decline,
        disorder_exit_multiplier=ind.disorder_exit_multiplier,
        depression_exit_multiplier=ind.depression_exit_multiplier,
        narrow_exit_multiplier=d.narrow_exit_multiplier,
        internet_exit_multiplier=d.internet_exit_multiplier,
        sleep_exit_multiplier=d.sleep_exit_multiplier,
        clinical_exit_multiplier=care.clinical_exit_multiplier,
        psychosocial_exit_multiplier=care.psychosocial_exit_multiplier,
        deepen_rate=d.deepen_rate,
        lighten_rate=d.lighten_rate,
        relapse_rate=d.relapse_rate,
        reentry_base=d.reentry_base,
        years_lost_slowdown=d.years_lost_slowdown,
        internet_reentry_multiplier=d.internet_reentry_multiplier,
        sleep_reentry_multiplier=d.sleep_reentry_multiplier,
    )


def start_care(kernel: Kernel, seats: np.ndarray, kind: np.ndarray | int) -> None:
    """Put youths into treatment and note it in their open episode.

    Args:
        kernel: The kernel whose youths start treatment.
        seats: The youths.
        kind: :class:`~hikisim.states.Care` code, per youth or for all.
    """
    if len(seats) == 0:
        return
    y = kernel.youths
    y.care[seats] = kind
    in_episode = seats[y.state[seats] == State.WITHDRAWN]
    rows = y.episode_row[in_episode]
    kernel.log.set("treated", rows, True)
    kernel.log.set("treatment", rows, y.care[in_episode])


def note_programme(kernel: Kernel, seats: np.ndarray, bit: int) -> None:
    """Set a programme's bit in the open episode of each withdrawn youth among ``seats``.

    Args:
        kernel: The kernel whose episode log to update.
        seats: Youths the programme reached.
        bit: The programme's bit in the log's ``programmes`` column.
    """
    y = kernel.youths
    rows = y.episode_row[seats[y.state[seats] == State.WITHDRAWN]]
    kernel.log.set("programmes", rows, kernel.log.column("programmes")[rows] | np.int32(bit))
