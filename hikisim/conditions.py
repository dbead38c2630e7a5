"""One compiled weekly pass for the conditions that come and go.

They are school refusal, internet addiction, a reversed sleep rhythm, depression and the
remission of latent disorders; :meth:`hikisim.dynamics.Kernel.update_conditions` states
the rules and calls this pass. Every rule reads
and writes one youth's own columns only, so one pass over the youths who could change
gives the same result as one pass per rule, and the same uniforms: each mechanism keeps
its own stream, read at the same (seat, week, draw) counters.

Comparisons keep the precision of the numpy code this pass replaced, bit for bit: a
float32 uniform against a chance held in float32 where numpy rounded a Python float to
float32 (the ``*_32`` arguments), and in float64 where the chance was a float64 array.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numba
import numpy as np

from hikisim.philox import uniform, uniforms_at
from hikisim.seat_lists import empty_seat_lists, join_seats, true_seats

Counter = tuple[np.uint64, np.uint64, np.int64, np.int64]

# The marks of the candidates: a holder of a flag or a state the rules act on, and a
# pupil who may start refusing.
HOLDER = np.uint8(1)
PUPIL = np.uint8(2)


class ConditionArrays(NamedTuple):
    """The youth columns the pass reads and updates (see ``hikisim.population.Youths``)."""

    state: np.ndarray
    track: np.ndarray
    age_weeks: np.ndarray
    care: np.ndarray
    disorder: np.ndarray
    disorder_detected: np.ndarray
    disorder_remitted: np.ndarray
    depressed: np.ndarray
    ever_depressed: np.ndarray
    withdrawn_weeks: np.ndarray
    internet_intensity: np.ndarray
    internet_addiction: np.ndarray
    sleep_reversal: np.ndarray
    school_refusal: np.ndarray
    school_year_refusal_weeks: np.ndarray
    ever_refused_school: np.ndarray
    refused_final_junior_high_year: np.ndarray


class ConditionRates(NamedTuple):
    """This week's chances and the constants the pass compares with.

    Attributes:
        refusal_stop: A refuser's weekly chance of stopping (float64).
        new_school_stop: The same in the first week of junior high or high school, or
            ``refusal_stop`` in any other week.
        refusal_start: A junior-high pupil's weekly chance of starting, with the
            calendar's factor.
        elementary_ratio: An elementary pupil's chance relative to junior high's.
        at_risk_factor: Factor on the chance of starting for at-risk pupils.
        internet_start_32: Twice the internet-addiction start rate, as float32 (times
            the youth's internet intensity).
        internet_stop_32: The weekly chance that addiction ends outside symptoms.
        sleep_start: The weekly chance that the sleep rhythm reverses (float64).
        sleep_stop_32: The weekly chance that it returns outside withdrawal.
        depression_onset: Weekly depression onset in withdrawal, at its start.
        depression_growth: Its growth per year withdrawn.
        depression_remission: Weekly remission of depression outside clinical care.
        clinical_remission_multiplier: Its multiplier in clinical care.
        disorder_relapse_32: Weekly relapse of a remitted disorder outside clinical care.
        treated_remission_32: Weekly remission of a detected disorder in clinical care.
    """

    refusal_stop: float
    new_school_stop: float
    refusal_start: float
    elementary_ratio: float
    at_risk_factor: float
    internet_start_32: np.float32
    internet_stop_32: np.float32
    sleep_start: float
    sleep_stop_32: np.float32
    depression_onset: float
    depression_growth: float
    depression_remission: float
    clinical_remission_multiplier: float
    disorder_relapse_32: np.float32
    treated_remission_32: np.float32


class ConditionCodes(NamedTuple):
    """The codes and ages in weeks the pass compares with (from hikisim.states)."""

    at_risk: int
    withdrawn: int
    school: int
    clinical: int
    depression: int
    social_anxiety: int
    adult_weeks: int
    junior_high_start: int
    high_school_start: int
    final_junior_high_start: int
    weeks_per_year: int
    mext_absence_weeks: int


class ConditionCounters(NamedTuple):
    """The week's counters of the five streams the pass reads."""

    refusal: Counter
    internet: Counter
    sleep: Counter
    depression: Counter
    remission: Counter


@numba.njit(cache=True)
def _candidates(
    youths: ConditionArrays,
    codes: ConditionCodes,
    weeks_into_year: int,
    refusal: Counter,
    refusal_top: float,
    start: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Youths whom some rule could change this week (ascending), and their refusal uniforms.

    The columns may be a seat range's (see :func:`update_threaded`): the seats returned
    are then indices into the range, whose first seat is ``start``, and the uniforms
    are those of the seats ``start`` on.

    Holders of a flag or a depression or remission, the symptomatic, those in clinical
    care, and the pupils of the compulsory grades whose refusal uniform is below the
    highest chance any pupil has of starting (``refusal_top``). One branch-free pass,
    vectorized, marks the first groups ``HOLDER`` and the other pupils ``PUPIL``; the
    marked seats (one in five in a warm town of 100,000) are listed at once, their
    refusal uniforms computed in one vectorized pass, and the pupils whose uniform is
    not below the top dropped without a branch. The kept seats' uniforms are returned
    too: the refusal rules read no other draw of that stream.
    """
    size = len(youths.state)
    kind = np.empty(size, np.uint8)
    for seat in range(size):
        state = youths.state[seat]
        held = (
            youths.school_refusal[seat]
            | youths.internet_addiction[seat]
            | youths.sleep_reversal[seat]
            | youths.depressed[seat]
            | youths.disorder_remitted[seat]
            | (youths.care[seat] == codes.clinical)
            | (state == codes.at_risk)
            | (state == codes.withdrawn)
        )
        pupil = (
            ~held
            & (youths.track[seat] == codes.school)
            & (youths.age_weeks[seat] - weeks_into_year < codes.high_school_start)
        )
        kind[seat] = HOLDER * np.uint8(held) | PUPIL * np.uint8(pupil)
    marked = true_seats(kind)
    # Every marked seat's uniform, the holders' too: the refusal rules read them (a
    # refuser's chance of stopping, an at-risk pupil's of starting), and computing them
    # all without a branch costs less than listing the pupils apart (in a warm town of
    # 100,000: the whole screen 123 us, against 137 us with the pupils listed in a pass
    # of their own).
    draws = uniforms_at(*refusal, marked, start)
    # Each seat is written before the loop knows whether to keep it, at or before its
    # own index: the list fits in as many places as there are marked seats.
    seats = np.empty(len(marked), np.int64)
    kept_draws = np.empty(len(marked), np.float32)
    place = 0
    for index in range(len(marked)):
        seat = marked[index]
        seats[place] = seat
        kept_draws[place] = draws[index]
        place += (kind[seat] == HOLDER) | (draws[index] < refusal_top)
    return seats[:place], kept_draws[:place]


@numba.njit(cache=True, inline="always")
def _columns_in(youths: ConditionArrays, start: int, stop: int) -> ConditionArrays:
    """The columns of seats ``start`` to ``stop - 1``, as views."""
    return ConditionArrays(
        youths.state[start:stop],
        youths.track[start:stop],
        youths.age_weeks[start:stop],
        youths.care[start:stop],
        youths.disorder[start:stop],
        youths.disorder_detected[start:stop],
        youths.disorder_remitted[start:stop],
        youths.depressed[start:stop],
        youths.ever_depressed[start:stop],
        youths.withdrawn_weeks[start:stop],
        youths.internet_intensity[start:stop],
        youths.internet_addiction[start:stop],
        youths.sleep_reversal[start:stop],
        youths.school_refusal[start:stop],
        youths.school_year_refusal_weeks[start:stop],
        youths.ever_refused_school[start:stop],
        youths.refused_final_junior_high_year[start:stop],
    )


@numba.njit(cache=True, inline="always")
def _draw(counter: Counter, seat: int) -> np.float32:
    """A youth's uniform from a stream's counter (key words, week, draw)."""
    k0, k1, week, draw = counter
    return uniform(k0, k1, seat, week, draw)


@numba.njit(cache=True, inline="always")
def _in_year_from(age_at_start: int, start_weeks: int, weeks_per_year: int) -> bool:
    """Whether a school year that started at ``age_at_start`` is the one from ``start_weeks``."""
    return start_weeks <= age_at_start < start_weeks + weeks_per_year


@numba.njit(cache=True)
def update(
    youths: tuple,
    rates: tuple,
    codes: tuple,
    weeks_into_year: int,
    counters: tuple,
) -> tuple[np.ndarray, np.ndarray]:
    """A week of school refusal, internet addiction, sleep reversal and disorders.

    The named tuples come as plain tuples, in their fields' order (numba types plain
    tuples several times faster; see :func:`hikisim.kernels.plain_columns_of`).

    Args:
        youths: The youth columns of :class:`ConditionArrays`; updated.
        rates: This week's chances (:class:`ConditionRates`).
        codes: Codes and ages in weeks (:class:`ConditionCodes`).
        weeks_into_year: Weeks since the school year started.
        counters: The streams' key words, week and draw (:class:`ConditionCounters`).

    Returns:
        The school refusers after the week's changes (ascending), and those who first
        reached MEXT's 30 days of absence before high school this week (their onset
        logit needs a refresh).
    """
    return _update_range(0, len(youths[0]), youths, rates, codes, weeks_into_year, counters)


@numba.njit(cache=True, parallel=True)
def update_threaded(bounds: np.ndarray, *flat_inputs: Any) -> tuple[np.ndarray, np.ndarray]:
    """:func:`update` with its seats split into ranges run on numba's threads.

    Every rule reads and writes one youth's own columns, and each uniform is counted by
    seat, so the ranges give what one pass gives.

    Args:
        bounds: Where each range starts, and the end of the last
            (:func:`hikisim.threads.range_bounds`).
        *flat_inputs: :func:`update`'s arguments with every tuple spread out
            (:func:`flat_inputs`): numba's threaded loops take arrays, numbers and
            flat tuples of them, not tuples nested in a tuple. The youth columns are
            updated.

    Returns:
        What :func:`update` returns.
    """
    ranges = len(bounds) - 1
    refusers, first_refusals = empty_seat_lists(ranges), empty_seat_lists(ranges)
    for index in numba.prange(ranges):
        found = _update_flat(bounds[index], bounds[index + 1], *flat_inputs)
        refusers[index] = found[0]
        first_refusals[index] = found[1]
    return join_seats(refusers), join_seats(first_refusals)


def flat_inputs(
    youths: tuple, rates: tuple, codes: tuple, weeks_into_year: int, counters: tuple
) -> tuple[Any, ...]:
    """:func:`update`'s arguments as :func:`update_threaded` takes them: one flat tuple.

    Args:
        youths: As for :func:`update`.
        rates: As for :func:`update`.
        codes: As for :func:`update`.
        weeks_into_year: As for :func:`update`.
        counters: As for :func:`update`.

    Returns:
        The columns, the rates, the codes, the week's position in the school year and
        each counter's four words, one after another.
    """
    return (*youths, *rates, *codes, weeks_into_year, *(word for c in counters for word in c))


# How many of update's arguments each of its tuples spreads into, in order. numba cuts
# a tuple only at places written as numbers, so _update_flat's slices spell these out;
# a field added to one of the tuples stops the import here instead of mixing columns.
_FLAT_SIZES = (17, 15, 12, 5)
_ARGUMENT_TUPLES = (ConditionArrays, ConditionRates, ConditionCodes, ConditionCounters)
if tuple(len(kind._fields) for kind in _ARGUMENT_TUPLES) != _FLAT_SIZES:
    raise ImportError("conditions._FLAT_SIZES no longer matches the argument tuples")


@numba.njit(cache=True)
def _update_flat(start: int, stop: int, *flat: Any) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_update_range` from the flat tuple of :func:`flat_inputs`.

    Args:
        start: The range's first seat.
        stop: The seat after its last.
        *flat: :func:`flat_inputs`'s tuple.

    Returns:
        What :func:`_update_range` returns.
    """
    return _update_range(
        start,
        stop,
        flat[:17],
        flat[17:32],
        flat[32:44],
        flat[44],
        (flat[45:49], flat[49:53], flat[53:57], flat[57:61], flat[61:65]),
    )


@numba.njit(cache=True)
def _update_range(start: int, stop: int, *inputs: Any) -> tuple[np.ndarray, np.ndarray]:
    """:func:`update` for seats ``start`` to ``stop - 1``.

    Args:
        start: The range's first seat.
        stop: The seat after its last.
        *inputs: :func:`update`'s arguments, in its order.

    Returns:
        What :func:`update` returns, for the range's seats.
    """
    youths, rates, codes, weeks_into_year, counters = inputs
    # The range's columns as slices, indexed from 0: the screen's loops vectorize as
    # over whole columns. Seats below are indices into the range; its first is start.
    youths = _columns_in(ConditionArrays(*youths), start, stop)
    rates, codes = ConditionRates(*rates), ConditionCodes(*codes)
    counters = ConditionCounters(*counters)
    # Most pupils need their refusal uniform only to see that they do not start, which
    # the screen settles in bulk. No chance of starting exceeds the top (the same
    # products, each factor at least 1).
    top = rates.refusal_start * max(rates.elementary_ratio, 1.0) * max(rates.at_risk_factor, 1.0)
    # The refusal uniforms come with the candidates (the screen computed them), so the
    # refusal rules draw none one at a time (7 of the pass's 330 us in a warm town of
    # 100,000).
    seats, refusal_draws = _candidates(youths, codes, weeks_into_year, counters.refusal, top, start)
    # Most candidates are symptomatic and read both of these streams: computed for all
    # of them in vectorized passes, the uniforms cost a fraction of one at a time.
    internet_draws = uniforms_at(*counters.internet, seats, start)
    sleep_draws = uniforms_at(*counters.sleep, seats, start)
    refusers = np.empty(len(seats), np.int64)
    first_refusals = np.empty(len(seats), np.int64)
    n_refusers = 0
    n_first = 0
    for index in range(len(seats)):
        seat = seats[index]
        state = youths.state[seat]
        withdrawn = state == codes.withdrawn
        symptomatic = withdrawn or state == codes.at_risk
        age = youths.age_weeks[seat]
        pupil = youths.track[seat] == codes.school and age < codes.adult_weeks
        start_age = age - weeks_into_year

        # School refusal: withdrawn pupils always refuse.
        if youths.school_refusal[seat]:
            if not pupil:
                youths.school_refusal[seat] = False
            elif not withdrawn:
                stop = rates.refusal_stop
                if weeks_into_year == 0 and (
                    _in_year_from(age, codes.junior_high_start, codes.weeks_per_year)
                    or _in_year_from(age, codes.high_school_start, codes.weeks_per_year)
                ):
                    stop = rates.new_school_stop
                if refusal_draws[index] < stop:
                    youths.school_refusal[seat] = False
        elif youths.track[seat] == codes.school:
            if withdrawn:
                youths.school_refusal[seat] = age < codes.adult_weeks
            elif start_age < codes.high_school_start:
                chance = rates.refusal_start * (
                    rates.elementary_ratio if start_age < codes.junior_high_start else 1.0
                )
                if state == codes.at_risk:
                    chance *= rates.at_risk_factor
                if refusal_draws[index] < chance:
                    youths.school_refusal[seat] = True

        # A week of refusal; MEXT counts 30+ school days in a year.
        if youths.school_refusal[seat]:
            refusers[n_refusers] = start + seat
            n_refusers += 1
            youths.school_year_refusal_weeks[seat] += 1
            if youths.school_year_refusal_weeks[seat] == codes.mext_absence_weeks:
                if start_age < codes.high_school_start and not youths.ever_refused_school[seat]:
                    youths.ever_refused_school[seat] = True
                    first_refusals[n_first] = start + seat
                    n_first += 1
                if _in_year_from(start_age, codes.final_junior_high_start, codes.weeks_per_year):
                    youths.refused_final_junior_high_year[seat] = True

        # Internet addiction starts only with symptoms and ends only without them; a
        # reversed sleep rhythm is likelier with addiction and in withdrawal. Both rules
        # are branch-free: the candidates mix flag holders and the symptomatic, so a
        # branch on the flag would be mispredicted often.
        addicted = youths.internet_addiction[seat]
        internet_draw = internet_draws[index]
        keeps_addiction = symptomatic | ~(internet_draw < rates.internet_stop_32)
        starts_addiction = symptomatic & (
            internet_draw < rates.internet_start_32 * youths.internet_intensity[seat]
        )
        addicted = (addicted & keeps_addiction) | (~addicted & starts_addiction)
        youths.internet_addiction[seat] = addicted
        reversed_rhythm = youths.sleep_reversal[seat]
        sleep_draw = sleep_draws[index]
        keeps_reversal = withdrawn | ~(sleep_draw < rates.sleep_stop_32)
        reversal_chance = rates.sleep_start * (1.0 + addicted) * (0.25 + 0.75 * withdrawn)
        starts_reversal = symptomatic & (sleep_draw < reversal_chance)
        youths.sleep_reversal[seat] = (reversed_rhythm & keeps_reversal) | (
            ~reversed_rhythm & starts_reversal
        )

        # Depression: develops in withdrawal, remits faster in
        # clinical care.
        clinical = youths.care[seat] == codes.clinical
        if youths.depressed[seat]:
            remission = rates.depression_remission * (
                rates.clinical_remission_multiplier if clinical else 1.0
            )
            if _draw(counters.depression, start + seat) < remission:
                youths.depressed[seat] = False
        elif withdrawn and youths.disorder[seat] != codes.depression:
            years = youths.withdrawn_weeks[seat] / codes.weeks_per_year
            hazard = rates.depression_onset * (1.0 + rates.depression_growth * years)
            if _draw(counters.depression, start + seat) < hazard:
                youths.depressed[seat] = True
                youths.ever_depressed[seat] = True

        # A detected latent disorder remits in clinical care and relapses after it.
        if youths.disorder_remitted[seat]:
            if not clinical and (
                _draw(counters.remission, start + seat) < rates.disorder_relapse_32
            ):
                youths.disorder_remitted[seat] = False
        elif (
            clinical
            and youths.disorder_detected[seat]
            and (
                youths.disorder[seat] == codes.depression
                or youths.disorder[seat] == codes.social_anxiety
            )
            and _draw(counters.remission, start + seat) < rates.treated_remission_32
        ):
            youths.disorder_remitted[seat] = True
    return refusers[:n_refusers].copy(), first_refusals[:n_first].copy()
