"""Compiled weekly passes for moves between school, work and neither.

:meth:`hikisim.dynamics.Kernel.update_tracks` states the rules and calls these passes:
dropout of school refusers, finding work, losing work and retiring. The moves at 18 and
22 (leaving school, graduating) are split around numpy: their chances use numpy's
float32 exponential, whose last bit numba's does not always match, so
:func:`school_exit_logits` computes the logits, numpy the chances, and
:func:`place_school_exits` the tracks. :func:`turning` finds who makes them (or
:func:`turning_among` the candidates that :func:`age_a_week`, the week's ageing, found).

Each rule reads and writes one person's own columns, in the order the numpy code
applied them (work is found before this week's dropouts join NEITHER, and job moves
see this week's new workers), and each reads its stream at the same counters, so the
results are the same bit for bit.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numba
import numpy as np

from hikisim.kernels import job_moves, work_finders
from hikisim.philox import uniform
from hikisim.seat_lists import empty_seat_lists, join_seats, sparse_true_seats

Counter = tuple[np.uint64, np.uint64, np.int64, np.int64]


class CareerRates(NamedTuple):
    """This week's chances of the moves (the job market's factors included).

    Attributes:
        find_work: Weekly chance of finding work with no years lost.
        work_scar: Fall in the log of that chance per year lost.
        dropout_32: Weekly chance that a refuser in high school drops out, as float32.
        job_loss: Weekly chance of losing a job.
        retirement: Weekly chance of retiring, from ``retirement_weeks`` of age.
    """

    find_work: float
    work_scar: float
    dropout_32: np.float32
    job_loss: float
    retirement: float


class CareerCodes(NamedTuple):
    """Track and state codes, and ages in weeks."""

    neither: int
    work: int
    retired: int
    engaged: int
    working_age_weeks: int
    adult_weeks: int
    retirement_weeks: int


@numba.njit(cache=True)
def age_a_week(
    age_weeks: np.ndarray, leaving: int, first: int, second: int
) -> tuple[np.ndarray, np.ndarray]:
    """Add a week to every age; who reaches ``leaving``, and who is now ``first`` or ``second``.

    The ageing and the screen for the marked ages are one branch-free (vectorized) pass;
    the few marked seats are then found eight at a time (:func:`sparse_true_seats`).

    Args:
        age_weeks: Age in weeks (int16); every entry gains one.
        leaving: The age in weeks at which people leave (turnover).
        first: The first career age in weeks (18 years: leaving school).
        second: The second (22 years: graduating).

    Returns:
        The seats at or past ``leaving``, and the seats exactly ``first`` or ``second``
        weeks old (each ascending).
    """
    # int16 constants, as the ages are held (the vectorized pass measured faster so).
    one, leaving_16 = np.int16(1), np.int16(leaving)
    first_16, second_16 = np.int16(first), np.int16(second)
    marked = np.empty(len(age_weeks), np.bool_)
    for seat in range(len(age_weeks)):
        age = age_weeks[seat] + one
        age_weeks[seat] = age
        marked[seat] = (age >= leaving_16) | (age == first_16) | (age == second_16)
    seats = sparse_true_seats(marked)
    leaving_now = age_weeks[seats] >= leaving_16
    return seats[leaving_now], seats[~leaving_now]


@numba.njit(cache=True)
def turning(
    age_weeks: np.ndarray, track: np.ndarray, first: int, first_track: int, second: int,
    second_track: int,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """People exactly ``first`` weeks old on ``first_track``, and ``second`` on ``second_track``.

    Args:
        age_weeks: Age in weeks.
        track: Track code.
        first: The first age, in weeks (18 years: leaving school).
        first_track: The track they must be on (SCHOOL).
        second: The second age (22 years: graduating).
        second_track: The track they must be on (UNIVERSITY).

    Returns:
        The two groups' seats (each ascending).
    """
    # A branch-free screen (vectorized) for either age; the few found are then split.
    either = np.empty(len(age_weeks), np.bool_)
    for seat in range(len(age_weeks)):
        age = age_weeks[seat]
        either[seat] = (age == first) | (age == second)
    candidates = np.flatnonzero(either)
    return turning_among(candidates, age_weeks, track, first, first_track, second, second_track)


@numba.njit(cache=True)
def turning_among(
    seats: np.ndarray,
    age_weeks: np.ndarray,
    track: np.ndarray,
    first: int,
    first_track: int,
    second: int,
    second_track: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Those of ``seats`` (ascending) who make the moves at ``first`` and ``second``.

    Args:
        seats: The candidates, ascending (at least everyone of either age).
        age_weeks: Age in weeks.
        track: Track code.
        first: The first age, in weeks.
        first_track: The track they must be on.
        second: The second age.
        second_track: The track they must be on.

    Returns:
        The two groups' seats (each ascending), as :func:`turning` gives them.
    """
    at_first = []
    at_second = []
    for seat in seats:
        if age_weeks[seat] == first and track[seat] == first_track:
            at_first.append(seat)
        elif age_weeks[seat] == second and track[seat] == second_track:
            at_second.append(seat)
    return np.array(at_first, np.int64), np.array(at_second, np.int64)


@numba.njit(cache=True)
def school_exit_logits(
    seats: np.ndarray,
    state: np.ndarray,
    ever_refused_school: np.ndarray,
    achievement: np.ndarray,
    engaged: int,
    university_base: float,
    neither_base: float,
    struggle_weight: float,
    market_logit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The logits of university and of neither for people leaving school or graduating.

    A person who is not engaged or has a refusal history struggles: the struggle weight
    comes off the university logit and onto the neither logit. Each sum is taken in
    the types and the order numpy gave it (the achievement terms in float32, the rest
    in float64), so the chances are the same bit for bit.

    Args:
        seats: The people (any order).
        state: State code per person.
        ever_refused_school: Refusal history per person.
        achievement: Achievement per person (float32).
        engaged: The code of the ENGAGED state.
        university_base: ``school.university_base``.
        neither_base: ``school.neither_base``.
        struggle_weight: ``school.struggle_weight``.
        market_logit: The job market's term of the neither logit (its effect times the
            week's gap).

    Returns:
        The university and neither logits (float64), in the order of ``seats``.
    """
    university = np.empty(len(seats), np.float64)
    neither = np.empty(len(seats), np.float64)
    for index in range(len(seats)):
        seat = seats[index]
        struggling = (state[seat] != engaged) | ever_refused_school[seat]
        shift = struggle_weight * np.float64(struggling)
        grade = achievement[seat]
        university[index] = (
            np.float64(np.float32(university_base) + np.float32(0.8) * grade) - shift
        )
        neither[index] = (
            np.float64(np.float32(neither_base) - np.float32(0.5) * grade) + shift
        ) + market_logit
    return university, neither


@numba.njit(cache=True)
def place_school_exits(
    at_18: np.ndarray,
    at_22: np.ndarray,
    p_university: np.ndarray,
    p_neither: np.ndarray,
    transition_draw: np.ndarray,
    age_weeks: np.ndarray,
    track: np.ndarray,
    work_start_age: np.ndarray,
    university: int,
    neither: int,
    work: int,
) -> None:
    """Put school leavers and graduates on their tracks, given their chances.

    One uniform per person for life (``transition_draw``) decides both moves. At 18:
    below the university chance, university; above one less the neither chance,
    neither; else work. At 22 the uniform, scaled by the university chance it passed,
    is compared with the neither chance: below it neither, else work. A new worker's
    job starts now.

    Args:
        at_18: The school leavers.
        at_22: The graduates (none of them a leaver).
        p_university: The chances of university, the leavers' first, then the graduates'
            (float32).
        p_neither: The chances of neither, in the same order (float32).
        transition_draw: The uniform per person (float32).
        age_weeks: Age in weeks.
        track: Track code per person; updated.
        work_start_age: Age in weeks at the start of the current job; updated.
        university: The code of the UNIVERSITY track.
        neither: The code of the NEITHER track.
        work: The code of the WORK track.
    """
    leavers = len(at_18)
    for index in range(leavers):
        seat = at_18[index]
        draw = transition_draw[seat]
        if draw < p_university[index]:
            code = university
        elif draw > np.float32(1.0) - p_neither[index]:
            code = neither
        else:
            code = work
        track[seat] = code
        if code == work:
            work_start_age[seat] = age_weeks[seat]
    for index in range(len(at_22)):
        seat = at_22[index]
        scaled = transition_draw[seat] / max(p_university[leavers + index], np.float32(1e-6))
        code = neither if scaled < p_neither[leavers + index] else work
        track[seat] = code
        if code == work:
            work_start_age[seat] = age_weeks[seat]


@numba.njit(cache=True)
def update(
    track: np.ndarray,
    state: np.ndarray,
    age_weeks: np.ndarray,
    years_lost: np.ndarray,
    school_refusal: np.ndarray,
    work_start_age: np.ndarray,
    refusers: np.ndarray,
    weeks_into_year: int,
    rates: tuple,
    codes: tuple,
    track_counter: Counter,
    labour_counter: Counter,
) -> np.ndarray:
    """A week of dropout, finding work, losing work and retiring.

    Engaged people of working age in neither school nor work find work at
    ``find_work`` times ``exp(-work_scar * years lost)`` a week (track stream); refusers
    in high school (15 or over when the school year began, and under 18) drop out into
    NEITHER at ``dropout_32`` (the same stream: the two groups are disjoint); junior
    high is compulsory, so a pupil who turns 15 during its last year cannot; then every
    worker, this week's new ones too, loses the job at ``job_loss`` or, from retirement
    age, retires at ``retirement`` (labour stream).

    Args:
        track: Track code per person; updated.
        state: State code per person.
        age_weeks: Age in weeks.
        years_lost: Years lost to withdrawal.
        school_refusal: Whether each person refuses school; dropouts stop.
        work_start_age: Age in weeks at the start of the current job; set for new
            workers.
        refusers: The school refusers (ascending).
        weeks_into_year: Weeks since the school year started.
        rates: This week's chances, in the order of :class:`CareerRates` (this and
            ``codes`` are plain tuples, which numba types faster: see
            :func:`hikisim.kernels.plain_columns_of`).
        codes: Codes and ages in weeks, in the order of :class:`CareerCodes`.
        track_counter: The track stream's key words, week and draw.
        labour_counter: The labour stream's.

    Returns:
        Everyone whose track changed (dropouts, new workers, job losers, retirees).
    """
    moves = _update_range(
        0,
        len(track),
        track,
        state,
        age_weeks,
        years_lost,
        school_refusal,
        work_start_age,
        refusers,
        weeks_into_year,
        rates,
        codes,
        track_counter,
        labour_counter,
    )
    return np.concatenate(moves)


@numba.njit(cache=True, parallel=True)
def update_threaded(bounds: np.ndarray, *flat_inputs: Any) -> np.ndarray:
    """:func:`update` with its seats split into ranges run on numba's threads.

    Each rule reads and writes one person's own columns, and each uniform is counted by
    seat, so the ranges give what one pass gives; each kind of move is joined across
    the ranges in seat order, as :func:`update` lists it.

    Args:
        bounds: Where each range starts, and the end of the last
            (:func:`hikisim.threads.range_bounds`).
        *flat_inputs: :func:`update`'s arguments with every tuple spread out
            (:func:`flat_inputs`): numba's threaded loops take arrays, numbers and
            flat tuples of them, not tuples nested in a tuple. The columns are updated;
            the refusers must be ascending (each range takes its own by bisection).

    Returns:
        What :func:`update` returns.
    """
    ranges = len(bounds) - 1
    dropouts, finders = empty_seat_lists(ranges), empty_seat_lists(ranges)
    losing, retiring = empty_seat_lists(ranges), empty_seat_lists(ranges)
    for index in numba.prange(ranges):
        moves = _update_flat(bounds[index], bounds[index + 1], *flat_inputs)
        dropouts[index] = moves[0]
        finders[index] = moves[1]
        losing[index] = moves[2]
        retiring[index] = moves[3]
    return np.concatenate(
        (join_seats(dropouts), join_seats(finders), join_seats(losing), join_seats(retiring))
    )


def flat_inputs(*inputs: Any) -> tuple[Any, ...]:
    """:func:`update`'s arguments as :func:`update_threaded` takes them: one flat tuple.

    Args:
        *inputs: :func:`update`'s arguments, in its order.

    Returns:
        The columns, the week's position in the school year, then each field of the
        rates, the codes and the two counters in turn.
    """
    *columns, weeks_into_year, rates, codes, track_counter, labour_counter = inputs
    return (*columns, weeks_into_year, *rates, *codes, *track_counter, *labour_counter)


# How many of update's arguments its rates and codes spread into. numba cuts a tuple
# only at places written as numbers, so _update_flat's slices spell these out; a field
# added to either stops the import here instead of mixing arguments.
if (len(CareerRates._fields), len(CareerCodes._fields)) != (5, 7):
    raise ImportError("careers._update_flat's slices no longer match its argument tuples")


@numba.njit(cache=True)
def _update_flat(
    start: int, stop: int, *flat: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_update_range` from the flat tuple of :func:`flat_inputs`.

    Args:
        start: The range's first seat.
        stop: The seat after its last.
        *flat: :func:`flat_inputs`'s tuple.

    Returns:
        What :func:`_update_range` returns.
    """
    return _update_range(start, stop, *flat[:8], flat[8:13], flat[13:20], flat[20:24], flat[24:28])


@numba.njit(cache=True)
def _update_range(
    start: int, stop: int, *inputs: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`update` for seats ``start`` to ``stop - 1``.

    Args:
        start: The range's first seat.
        stop: The seat after its last.
        *inputs: :func:`update`'s arguments, in its order.

    Returns:
        The range's dropouts, new workers, job losers and retirees (each ascending).
    """
    (
        track,
        state,
        age_weeks,
        years_lost,
        school_refusal,
        work_start_age,
        refusers,
        weeks_into_year,
        rates,
        codes,
        track_counter,
        labour_counter,
    ) = inputs
    rates, codes = CareerRates(*rates), CareerCodes(*codes)
    # The range's columns as slices, indexed from 0 (vectorized as whole columns are);
    # seats below are indices into the range, whose first is start.
    track, state, age_weeks = track[start:stop], state[start:stop], age_weeks[start:stop]
    years_lost, school_refusal = years_lost[start:stop], school_refusal[start:stop]
    work_start_age = work_start_age[start:stop]
    refusers = refusers[np.searchsorted(refusers, start) : np.searchsorted(refusers, stop)]
    finders = work_finders(
        track,
        state,
        age_weeks,
        years_lost,
        rates.find_work,
        rates.work_scar,
        codes.neither,
        codes.engaged,
        codes.working_age_weeks,
        track_counter,
        start,
    )
    k0, k1, week, draw = track_counter
    dropouts = []
    for person in refusers:
        seat = person - start
        age = age_weeks[seat]
        in_high_school = age - weeks_into_year >= codes.working_age_weeks
        if (
            in_high_school
            and age < codes.adult_weeks
            and uniform(k0, k1, person, week, draw) < rates.dropout_32
        ):
            dropouts.append(person)
    for person in dropouts:
        track[person - start] = codes.neither
        school_refusal[person - start] = False
    for person in finders:
        track[person - start] = codes.work
        work_start_age[person - start] = age_weeks[person - start]
    losing, retiring = job_moves(
        track,
        age_weeks,
        rates.job_loss,
        rates.retirement,
        codes.retirement_weeks,
        codes.work,
        labour_counter,
        start,
    )
    for person in losing:
        track[person - start] = codes.neither
    for person in retiring:
        track[person - start] = codes.retired
    return np.array(dropouts, np.int64), finders, losing, retiring
