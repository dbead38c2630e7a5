"""Youths, families and schools as columns of numpy arrays.

The weekly kernel reads and writes these arrays; the Mesa agents in
:mod:`hikisim.agents` are views over them. Ages are kept in weeks. A youth's seat in the
population is permanent: when its occupant passes ``population.max_age`` a new 10-year-old
takes the seat, born into the same family and school catchment (so the population size
never changes).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from typing import Final

import numba
import numpy as np

from hikisim.scenario import Scenario
from hikisim.states import MIN_AGE, WEEKS_PER_YEAR, Care, Parenting, State, Track

MIN_AGE_WEEKS = MIN_AGE * WEEKS_PER_YEAR
# Far enough back that no return to withdrawal counts as continuing an episode.
NEVER_LEFT = -(2**30)


class ReadOnlyColumns:
    """A read-only view of a column table (:class:`Youths`, :class:`Families`, :class:`Schools`).

    Every column read through it is a read-only view of the table's array: the values
    are live, but writing raises, so code handed this view cannot change the population.

    Args:
        table: The table to view.
    """

    def __init__(self, table: Youths | Families | Schools) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table)

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):  # not a column; also keeps copy and pickle from recursing
            raise AttributeError(name)
        column = getattr(self._table, name)
        if not isinstance(column, np.ndarray):
            raise AttributeError(f"{type(self._table).__name__} has no column {name!r}")
        view = column.view()
        view.flags.writeable = False
        return view


@dataclass
class Families:
    """Family traits, one entry per family.

    Attributes:
        parenting: :class:`~hikisim.states.Parenting` code.
        high_expectations: Parents hold high academic expectations.
        help_propensity: Standard-normal propensity to seek help.
        never_seeks: The family will not seek help whatever happens.
        sought_help: The family has sought help at least once.
        took_course: The family attended a parenting course.
        school: The school catchment the family lives in.
    """

    parenting: np.ndarray
    high_expectations: np.ndarray
    help_propensity: np.ndarray
    never_seeks: np.ndarray
    sought_help: np.ndarray
    took_course: np.ndarray
    school: np.ndarray

    def __len__(self) -> int:
        return len(self.parenting)


@dataclass
class Schools:
    """School and catchment-area traits, one entry per school.

    Attributes:
        climate: Standard-normal school climate (higher is better).
        pressure: Standard-normal academic pressure.
        urban: The catchment is urban.
        cohesion: Neighbourhood social cohesion, 0-1.
        ei_training: Emotional-intelligence training runs in the school.
    """

    climate: np.ndarray
    pressure: np.ndarray
    urban: np.ndarray
    cohesion: np.ndarray
    ei_training: np.ndarray

    def __len__(self) -> int:
        return len(self.climate)


@dataclass
class Youths:
    """Youth traits and state, one entry per seat.

    Attributes:
        person_id: Identity of the current occupant of the seat.
        age_weeks: Age in weeks, from 520 (10) to the last week before max_age + 1.
        male: Sex.
        family: Family index.
        school: School (catchment) index.
        school_class: Class index (pupils of one school and birth year).
        introversion: Standard-normal introversion.
        trauma: Early traumatic experience.
        disorder: :class:`~hikisim.states.Disorder` code.
        achievement: Standard-normal academic achievement.
        internet_intensity: Internet-use intensity, 0-1.
        transition_draw: Uniform draw fixing the school-to-work outcome.
        state: :class:`~hikisim.states.State` code.
        track: :class:`~hikisim.states.Track` code.
        withdrawn_weeks: Weeks withdrawn in the current episode (a return within 26
            weeks continues the episode and its count).
        narrow: Withdrawn at the narrow severity now (goes out at most to a nearby shop);
            a withdrawn person who is not narrow is quasi (goes out for hobbies).
        narrow_weeks: Weeks at the narrow severity in the current episode.
        left_withdrawal_week: The week the person last left withdrawal (very negative
            if never).
        work_start_age: Age in weeks at which the person last started work (very
            negative if never): the first years of a job carry the risk of misfit.
        reintegrated_week: The week the person last re-entered school or work after an
            episode (very negative if never).
        ever_broad: Has had an episode of 26+ weeks (either severity, any onset age).
        ever_koyama: Has had an episode with 26+ weeks at the narrow severity.
        years_lost: Total years spent withdrawn so far.
        school_refusal: Currently refusing school.
        school_year_refusal_weeks: Weeks refused in the current school year (April on).
        ever_refused_school: Absent through refusal 6+ weeks (30+ school days) in a school
            year at compulsory ages (to 15), the MEXT definition.
        refused_final_junior_high_year: Absent 6+ weeks in the school year that started
            at age 14 (the third junior-high grade).
        internet_addiction: Currently addicted to the internet.
        sleep_reversal: Sleep-wake rhythm currently reversed.
        care: :class:`~hikisim.states.Care` code of current treatment.
        disorder_detected: A medical exam has found the disorder.
        disorder_remitted: The latent disorder is in remission after treatment.
        depressed: In a depression that developed during withdrawal (on top of any latent
            disorder).
        ever_depressed: Has had such a depression.
        ever_hikikomori: Has had an episode that qualified as hikikomori.
        episode_row: Row of the current or last episode in the log, or -1.
    """

    person_id: np.ndarray
    age_weeks: np.ndarray
    male: np.ndarray
    family: np.ndarray
    school: np.ndarray
    school_class: np.ndarray
    introversion: np.ndarray
    trauma: np.ndarray
    disorder: np.ndarray
    achievement: np.ndarray
    internet_intensity: np.ndarray
    transition_draw: np.ndarray
    state: np.ndarray
    track: np.ndarray
    withdrawn_weeks: np.ndarray
    narrow: np.ndarray
    narrow_weeks: np.ndarray
    left_withdrawal_week: np.ndarray
    work_start_age: np.ndarray
    reintegrated_week: np.ndarray
    ever_broad: np.ndarray
    ever_koyama: np.ndarray
    years_lost: np.ndarray
    school_refusal: np.ndarray
    school_year_refusal_weeks: np.ndarray
    ever_refused_school: np.ndarray
    refused_final_junior_high_year: np.ndarray
    internet_addiction: np.ndarray
    sleep_reversal: np.ndarray
    care: np.ndarray
    disorder_detected: np.ndarray
    disorder_remitted: np.ndarray
    depressed: np.ndarray
    ever_depressed: np.ndarray
    ever_hikikomori: np.ndarray
    episode_row: np.ndarray

    def __len__(self) -> int:
        return len(self.age_weeks)

    @property
    def age_years(self) -> np.ndarray:
        """Age in completed years."""
        return self.age_weeks // WEEKS_PER_YEAR

    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return sum(getattr(self, f.name).nbytes for f in fields(self))


@dataclass
class Population:
    """Youths, their families and their schools."""

    youths: Youths
    families: Families
    schools: Schools


def _family_sizes(n: int, weights: tuple[float, float, float], rng: np.random.Generator):
    probabilities = np.asarray(weights, dtype=float)
    probabilities = probabilities / probabilities.sum()
    sizes = rng.choice(np.array([1, 2, 3]), size=n, p=probabilities)
    cumulative = np.cumsum(sizes)
    count = int(np.searchsorted(cumulative, n) + 1)
    sizes = sizes[:count]
    sizes[-1] -= cumulative[count - 1] - n
    return sizes


#: Interval k < 5 of the cumulative prevalences is disorder k + 1; the remainder of the
#: unit interval (k = 5) is no disorder.
DISORDER_OF_INTERVAL: Final = np.array([1, 2, 3, 4, 5, 0], np.int8)


def _disorder_codes(n: int, scenario: Scenario, rng: np.random.Generator) -> np.ndarray:
    ind = scenario.individual
    prevalences = [
        ind.schizophrenia_prevalence,
        ind.social_anxiety_prevalence,
        ind.depression_prevalence,
        ind.autism_prevalence,
        ind.avoidant_personality_prevalence,
    ]
    interval = np.searchsorted(_cumulative(tuple(prevalences)), rng.random(n), side="right")
    return DISORDER_OF_INTERVAL[interval]


@functools.lru_cache(maxsize=64)
def _cumulative(prevalences: tuple[float, ...]) -> np.ndarray:
    """``np.cumsum`` of the prevalences, made once per scenario (read-only).

    Turnover draws a few disorders a week, and the cumulative sum of a list cost about
    half of the draw.
    """
    cumulative = np.cumsum(prevalences)
    cumulative.setflags(write=False)
    return cumulative


def draw_traits(
    youths: Youths, seats: np.ndarray, scenario: Scenario, rng: np.random.Generator
) -> None:
    """Draw fresh individual traits for the given seats (at start and at turnover).

    Args:
        youths: The youth arrays, updated in place.
        seats: Indices of the seats to fill.
        scenario: The scenario.
        rng: The stream to draw from.
    """
    n = len(seats)
    ind = scenario.individual
    # The draws, in the stream's order; then one compiled pass writes them and the
    # fresh life course (a dozen small numpy assignments a week cost more).
    male = rng.random(n) < scenario.population.male_share
    introversion = rng.standard_normal(n)
    trauma = rng.random(n) < ind.trauma_prevalence
    disorder = _disorder_codes(n, scenario, rng)
    achievement = rng.standard_normal(n)
    online = rng.random(n) < scenario.society.internet_penetration
    internet = np.where(online, rng.beta(2.0, 3.0, n), 0.0)
    transition = rng.random(n)
    seats = np.asarray(seats, np.int64)
    y = youths
    _write_traits(
        seats,
        (male, trauma),
        (introversion, achievement, internet, transition),
        disorder,
        (y.male, y.trauma),
        (y.introversion, y.achievement, y.internet_intensity, y.transition_draw),
        y.disorder,
    )
    reset_life_course(youths, seats)


def reset_life_course(youths: Youths, seats: np.ndarray) -> None:
    """Put the given seats back to an engaged pupil with no history."""
    y = youths
    _reset_columns(
        np.asarray(seats, np.int64),
        y.state,
        y.track,
        y.care,
        (y.withdrawn_weeks, y.narrow_weeks, y.school_year_refusal_weeks),
        (y.left_withdrawal_week, y.work_start_age, y.reintegrated_week),
        y.years_lost,
        y.episode_row,
        (
            y.narrow,
            y.ever_broad,
            y.ever_koyama,
            y.refused_final_junior_high_year,
            y.school_refusal,
            y.ever_refused_school,
            y.internet_addiction,
            y.sleep_reversal,
            y.disorder_detected,
            y.disorder_remitted,
            y.depressed,
            y.ever_depressed,
            y.ever_hikikomori,
        ),
        int(State.ENGAGED),
        int(Track.SCHOOL),
        int(Care.NONE),
        NEVER_LEFT,
    )


@numba.njit(cache=True)
def _write_traits(
    seats: np.ndarray,
    flags: tuple[np.ndarray, np.ndarray],
    values: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    disorder: np.ndarray,
    flag_columns: tuple[np.ndarray, np.ndarray],
    value_columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    disorder_column: np.ndarray,
) -> None:
    """``column[seats] = drawn`` for each drawn trait (float64 rounded to float32 as numpy does)."""
    for index in range(len(seats)):
        seat = seats[index]
        flag_columns[0][seat] = flags[0][index]
        flag_columns[1][seat] = flags[1][index]
        value_columns[0][seat] = values[0][index]
        value_columns[1][seat] = values[1][index]
        value_columns[2][seat] = values[2][index]
        value_columns[3][seat] = values[3][index]
        disorder_column[seat] = disorder[index]


@numba.njit(cache=True)
def _reset_columns(
    seats: np.ndarray,
    state: np.ndarray,
    track: np.ndarray,
    care: np.ndarray,
    week_counts: tuple[np.ndarray, np.ndarray, np.ndarray],
    never_weeks: tuple[np.ndarray, np.ndarray, np.ndarray],
    years_lost: np.ndarray,
    episode_row: np.ndarray,
    flags: tuple[np.ndarray, ...],
    engaged: int,
    school: int,
    no_care: int,
    never: int,
) -> None:
    """The columns of a fresh life course at ``seats`` (see :func:`reset_life_course`).

    Each tuple holds columns of one dtype (numba loops over a tuple only if it does):
    int16 week counts, int32 weeks, and bool flags.
    """
    for seat in seats:
        state[seat] = engaged
        track[seat] = school
        care[seat] = no_care
        for column in week_counts:
            column[seat] = 0
        for column in never_weeks:
            column[seat] = never
        years_lost[seat] = 0.0
        episode_row[seat] = -1
        for column in flags:
            column[seat] = False


def _empty_youths(n: int) -> Youths:
    return Youths(
        person_id=np.arange(n, dtype=np.int64),
        age_weeks=np.zeros(n, np.int16),
        male=np.zeros(n, bool),
        family=np.zeros(n, np.int32),
        school=np.zeros(n, np.int32),
        school_class=np.zeros(n, np.int32),
        introversion=np.zeros(n, np.float32),
        trauma=np.zeros(n, bool),
        disorder=np.zeros(n, np.int8),
        achievement=np.zeros(n, np.float32),
        internet_intensity=np.zeros(n, np.float32),
        transition_draw=np.zeros(n, np.float32),
        state=np.zeros(n, np.int8),
        track=np.zeros(n, np.int8),
        withdrawn_weeks=np.zeros(n, np.int16),
        narrow=np.zeros(n, bool),
        narrow_weeks=np.zeros(n, np.int16),
        left_withdrawal_week=np.full(n, NEVER_LEFT, np.int32),
        work_start_age=np.full(n, NEVER_LEFT, np.int32),
        reintegrated_week=np.full(n, NEVER_LEFT, np.int32),
        ever_broad=np.zeros(n, bool),
        ever_koyama=np.zeros(n, bool),
        years_lost=np.zeros(n, np.float32),
        school_refusal=np.zeros(n, bool),
        school_year_refusal_weeks=np.zeros(n, np.int16),
        ever_refused_school=np.zeros(n, bool),
        refused_final_junior_high_year=np.zeros(n, bool),
        internet_addiction=np.zeros(n, bool),
        sleep_reversal=np.zeros(n, bool),
        care=np.zeros(n, np.int8),
        disorder_detected=np.zeros(n, bool),
        disorder_remitted=np.zeros(n, bool),
        depressed=np.zeros(n, bool),
        ever_depressed=np.zeros(n, bool),
        ever_hikikomori=np.zeros(n, bool),
        episode_row=np.full(n, -1, np.int32),
    )


def _sibling_ages(family: np.ndarray, max_age: int, rng: np.random.Generator) -> np.ndarray:
    n_families = int(family[-1]) + 1
    span = (max_age + 1 - MIN_AGE) * WEEKS_PER_YEAR
    eldest_offset = rng.integers(0, span, n_families)
    first_of_family = np.r_[True, family[1:] != family[:-1]]
    gap = rng.integers(WEEKS_PER_YEAR, 6 * WEEKS_PER_YEAR, len(family))
    gap[first_of_family] = 0
    # Younger siblings are a few years apart; ages wrap so the age distribution stays flat.
    offset = eldest_offset[family] - _cumsum_within(gap, first_of_family)
    return (MIN_AGE_WEEKS + np.mod(offset, span)).astype(np.int16)


def _cumsum_within(values: np.ndarray, group_start: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    starts = np.flatnonzero(group_start)
    before = np.repeat(total[starts] - values[starts], np.diff(np.r_[starts, len(values)]))
    return total - before


def _classes(school: np.ndarray, age_weeks: np.ndarray, class_size: int) -> np.ndarray:
    cohort = age_weeks.astype(np.int64) // WEEKS_PER_YEAR
    order = np.lexsort((cohort, school))
    # Keys spaced by one more than the largest cohort and class index cannot collide
    # (fixed spacings of 64 and 1,024 did, for a cohort of over 1,024 classes in one
    # catchment); ids follow the order of (school, cohort, class) whatever the spacing.
    cohorts = int(cohort.max()) + 1 if len(cohort) else 1
    key = school[order].astype(np.int64) * cohorts + cohort[order]
    group_start = np.r_[True, key[1:] != key[:-1]]
    rank = _cumsum_within(np.ones(len(key), np.int64), group_start) - 1
    class_index = rank // class_size
    classes = int(class_index.max()) + 1 if len(class_index) else 1
    class_key = key * classes + class_index
    _, class_id = np.unique(class_key, return_inverse=True)
    result = np.empty(len(school), np.int32)
    result[order] = class_id
    return result


def _families(n_families: int, n_schools: int, scenario: Scenario, rng: np.random.Generator):
    fam = scenario.family
    style = rng.random(n_families)
    parenting = np.full(n_families, Parenting.BALANCED, np.int8)
    parenting[style < fam.neglect_share] = Parenting.NEGLECT_REJECTION
    overprotective = (style >= fam.neglect_share) & (
        style < fam.neglect_share + fam.overprotection_share
    )
    parenting[overprotective] = Parenting.OVERPROTECTION
    school = (np.arange(n_families) * n_schools // n_families).astype(np.int32)
    return Families(
        parenting=parenting,
        high_expectations=rng.random(n_families) < fam.high_expectation_share,
        help_propensity=rng.standard_normal(n_families).astype(np.float32),
        never_seeks=rng.random(n_families) < fam.never_seek_share,
        sought_help=np.zeros(n_families, bool),
        took_course=np.zeros(n_families, bool),
        school=school,
    )


def _schools(n_schools: int, scenario: Scenario, rng: np.random.Generator) -> Schools:
    society = scenario.society
    cohesion = np.clip(society.social_cohesion + 0.1 * rng.standard_normal(n_schools), 0, 1)
    return Schools(
        climate=rng.standard_normal(n_schools).astype(np.float32),
        pressure=rng.standard_normal(n_schools).astype(np.float32),
        urban=rng.random(n_schools) < society.urbanization,
        cohesion=cohesion.astype(np.float32),
        ei_training=np.zeros(n_schools, bool),
    )


def build_population(scenario: Scenario, rng: np.random.Generator) -> Population:
    """Create youths, families and schools for a scenario.

    Args:
        scenario: The scenario.
        rng: The population stream.

    Returns:
        The population, everyone engaged and with no history.
    """
    settings = scenario.population
    n = settings.youths
    sizes = _family_sizes(n, settings.family_size_weights, rng)
    family = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    n_schools = max(1, round(n / settings.school_catchment))
    families = _families(len(sizes), n_schools, scenario, rng)
    youths = _empty_youths(n)
    youths.family[:] = family
    youths.school[:] = families.school[family]
    youths.age_weeks[:] = _sibling_ages(family, settings.max_age, rng)
    youths.school_class[:] = _classes(youths.school, youths.age_weeks, settings.class_size)
    draw_traits(youths, np.arange(n), scenario, rng)
    return Population(youths=youths, families=families, schools=_schools(n_schools, scenario, rng))
