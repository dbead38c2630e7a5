"""Compiled (numba) passes of the weekly kernel over every youth.

The weekly kernel (:mod:`hikisim.dynamics`) keeps the rare events (episodes, care,
relapse) in numpy on short index lists; the passes here are the ones that visit the
whole population each week, fused into single loops so that neither numpy's per-call
overhead nor its temporary arrays are paid per week. Each reads its uniforms from the
counter-based streams (:mod:`hikisim.philox`) for exactly the youths it needs.

All are compiled once per machine (``cache=True``). Numba checks only the timestamp of
a cached function's own file, and ``hikisim.careers.update`` has ``job_moves`` and
``work_finders`` compiled into it: delete ``hikisim/__pycache__/*.nb[ic]`` after
changing them (as after changing :mod:`hikisim.philox` or :mod:`hikisim.seat_lists`).
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from typing import Any, NamedTuple

import numba
import numpy as np

from hikisim.philox import uniform, uniforms_at, word
from hikisim.seat_lists import empty_seat_lists, join_seats, sparse_true_seats
from hikisim.states import Care, State, Track


@functools.cache
def _column_getter(kind: type[tuple]) -> Callable[[Any], tuple]:
    """An attrgetter of the fields of the NamedTuple class ``kind`` (made once per kind)."""
    return operator.attrgetter(*kind._fields)  # type: ignore[attr-defined]


def columns_of[Columns: tuple](source: Any, kind: type[Columns]) -> Columns:
    """The named tuple ``kind`` of the attributes of ``source`` that its fields name.

    The same as ``kind(*(getattr(source, name) for name in kind._fields))``; the getter
    is made once per kind, which halves the cost of a call made several times a week.

    Args:
        source: The object holding the columns (the youths, the modifiers).
        kind: A NamedTuple class with at least two fields.

    Returns:
        The columns, not copied.
    """
    return kind._make(_column_getter(kind)(source))  # type: ignore[attr-defined]


def plain_columns_of(source: Any, kind: type[tuple]) -> tuple:
    """The columns of :func:`columns_of` as a plain tuple, in the order of ``kind``.

    The weekly passes take their named tuples as plain tuples and name them again
    inside (free in compiled code): numba types a named-tuple argument in Python, about
    three times as slowly as a plain tuple, which it types in C.

    Args:
        source: The object holding the columns.
        kind: A NamedTuple class with at least two fields.

    Returns:
        The columns, not copied.
    """
    return _column_getter(kind)(source)


# error_model="numpy": a float division by zero gives inf instead of raising, so the
# division in _logistic_bound has no branch and its loop vectorizes (about 8x faster);
# no divisor here can be zero.
@numba.njit(cache=True, error_model="numpy")
def onset(
    state: np.ndarray,
    static_onset: np.ndarray,
    exposure: np.ndarray,
    age_weeks: np.ndarray,
    age_logit: np.ndarray,
    onset_modifier: np.ndarray,
    track: np.ndarray,
    work_start_age: np.ndarray,
    peer_weight: np.float32,
    shift: np.float32,
    misfit: np.float32,
    misfit_weeks: float,
    work_track: np.int8,
    engaged: np.int8,
    k0: np.uint64,
    k1: np.uint64,
    week: np.int64,
    draw: np.int64,
) -> np.ndarray:
    """The engaged youths who become at risk this week (ascending seats).

    The onset logit is the static part, the age effect, the peer effect, the
    programmes' change, the calendar's shift and, for workers in the first
    ``misfit_weeks`` of a job, the misfit effect; the chance is its logistic function.

    Args:
        state: State code per youth.
        static_onset: The time-invariant part of each youth's onset logit.
        exposure: Share of each youth's active ties at risk or withdrawn.
        age_weeks: Age in weeks (never negative).
        age_logit: The age effect by age in weeks; ages past it take its last entry.
        onset_modifier: The programmes' change to the logit.
        track: Track code per youth.
        work_start_age: Age in weeks at the start of the current job.
        peer_weight: Weight of the exposure.
        shift: The calendar's change to every logit this week.
        misfit: The logit added for new workers (0 for none).
        misfit_weeks: How long a job counts as new, in weeks; a float (the caller passes
            ``misfit_years * WEEKS_PER_YEAR``), compared with the integer tenure.
        work_track: The code of the WORK track.
        engaged: The code of the ENGAGED state (an argument, not a global, because
            numba's cache would keep a global's value from the first compilation).
        k0: The state stream's key word 0.
        k1: The state stream's key word 1.
        week: The absolute week.
        draw: The draw within the week.

    Returns:
        The seats moving ENGAGED to AT_RISK (int64, ascending).
    """
    return _onset_range(
        0,
        len(state),
        state,
        static_onset,
        exposure,
        age_weeks,
        age_logit,
        onset_modifier,
        track,
        work_start_age,
        peer_weight,
        shift,
        misfit,
        misfit_weeks,
        work_track,
        engaged,
        k0,
        k1,
        week,
        draw,
    )


@numba.njit(cache=True, error_model="numpy", parallel=True)
def onset_threaded(bounds: np.ndarray, *inputs: Any) -> np.ndarray:
    """:func:`onset` with its screen split into seat ranges run on numba's threads.

    Args:
        bounds: Where each range starts, and the end of the last
            (:func:`hikisim.threads.range_bounds`).
        *inputs: The arguments of :func:`onset`, in its order.

    Returns:
        What :func:`onset` returns for the same inputs (the same seats: each seat's
        screen reads only its own columns and uniform).
    """
    ranges = len(bounds) - 1
    found = empty_seat_lists(ranges)
    for index in numba.prange(ranges):
        found[index] = _onset_range(bounds[index], bounds[index + 1], *inputs)
    return join_seats(found)


@numba.njit(cache=True, error_model="numpy")
def _onset_range(start: int, stop: int, *inputs: Any) -> np.ndarray:
    """:func:`onset` among seats ``start`` to ``stop - 1``.

    Args:
        start: The range's first seat.
        stop: The seat after its last.
        *inputs: :func:`onset`'s arguments, in its order.

    Returns:
        Those of the seats moving ENGAGED to AT_RISK (int64, ascending).
    """
    (
        state,
        static_onset,
        exposure,
        age_weeks,
        age_logit,
        onset_modifier,
        track,
        work_start_age,
        peer_weight,
        shift,
        misfit,
        misfit_weeks,
        work_track,
        engaged,
        k0,
        k1,
        week,
        draw,
    ) = inputs
    last_age = np.uint16(len(age_logit) - 1)
    # The range's columns as slices: indexed from 0, the loops vectorize (indexed from
    # ``start`` they take twice as long).
    state, static_onset = state[start:stop], static_onset[start:stop]
    exposure = exposure[start:stop]
    age_weeks, onset_modifier = age_weeks[start:stop], onset_modifier[start:stop]
    track, work_start_age = track[start:stop], work_start_age[start:stop]
    count = stop - start
    # Short branch-free passes, each of which LLVM vectorizes (fused loops do not, and
    # are slower): the uniforms, the age effects (a gather), the logits, and whether a
    # uniform falls below a cheap upper bound of the chance. The exact chance (an exp)
    # is computed only for the few below the bound.
    draws = np.empty(count, np.float32)
    for index in range(count):
        draws[index] = uniform(k0, k1, start + index, week, draw)
    logits = np.empty(count, np.float32)
    for index in range(count):
        # Ages are never negative: as uint16 the index needs one clamp, not two, which
        # makes the gather a fifth faster.
        logits[index] = age_logit[min(np.uint16(age_weeks[index]), last_age)]
    for index in range(count):
        tenure = age_weeks[index] - work_start_age[index]
        new_worker = (track[index] == work_track) & (tenure < misfit_weeks)
        logits[index] = (
            static_onset[index]
            + logits[index]
            + peer_weight * exposure[index]
            + onset_modifier[index]
            + shift
            + misfit * new_worker
        )
    maybe = np.empty(count, np.bool_)
    for index in range(count):
        maybe[index] = (draws[index] < _logistic_bound(logits[index])) & (state[index] == engaged)
    found = []
    # The bound keeps a few youths in a thousand: found eight seats at a time.
    for index in sparse_true_seats(maybe):
        chance = np.float32(1.0) / (np.float32(1.0) + np.float32(math.exp(-logits[index])))
        if draws[index] < chance:
            found.append(start + index)
    return np.array(found, np.int64)


class OnsetWeights(NamedTuple):
    """The scenario's weights of the time-invariant part of the onset logit.

    Each is the scenario value of the same name (see :class:`hikisim.scenario.Scenario`);
    ``internet`` is the internet weight times the internet penetration.
    """

    onset_base: float
    introversion: float
    trauma: float
    disorder: float
    male: float
    neglect: float
    overprotection: float
    expectation_gap: float
    climate: float
    pressure: float
    pupil_risk: float
    refusal_history: float
    neither: float
    urbanization: float
    cohesion: float
    internet: float


class OnsetInputs(NamedTuple):
    """The youth, family and school columns the static onset logit reads."""

    family: np.ndarray
    school: np.ndarray
    introversion: np.ndarray
    trauma: np.ndarray
    disorder: np.ndarray
    male: np.ndarray
    achievement: np.ndarray
    track: np.ndarray
    ever_refused_school: np.ndarray
    internet_intensity: np.ndarray
    parenting: np.ndarray
    high_expectations: np.ndarray
    climate: np.ndarray
    pressure: np.ndarray
    urban: np.ndarray
    cohesion: np.ndarray


@numba.njit(cache=True)
def static_onset_logits(
    seats: np.ndarray,
    inputs: tuple,
    weights: tuple,
    codes: tuple[int, int, int, int, int, float],
    out: np.ndarray,
) -> None:
    """The time-invariant part of the onset logit of some youths, into ``out[seats]``.

    The sum of the four factor groups' terms (see ``Kernel.refresh_static``), in the
    precision numpy gave the same expression: the first two terms and the products of
    float32 columns with Python floats in float32, the rest in float64, the total
    stored as float32.

    Args:
        seats: The youths to refresh.
        inputs: The columns read, in the order of :class:`OnsetInputs` (a plain
            tuple: see :func:`plain_columns_of`).
        weights: The scenario's weights, in the order of :class:`OnsetWeights`.
        codes: The SCHOOL, NEITHER and RETIRED tracks, the NEGLECT_REJECTION and
            OVERPROTECTION parenting styles, and the low-achievement z-score.
        out: Each youth's static logit (float32); updated at ``seats``.
    """
    inputs, weights = OnsetInputs(*inputs), OnsetWeights(*weights)
    school_code, neither, retired, neglect, overprotection, low_achievement = codes
    f32 = np.float32
    for seat in seats:
        family, school, track = inputs.family[seat], inputs.school[seat], inputs.track[seat]
        parenting = inputs.parenting[family]
        pupil = 1.0 if track == school_code else 0.0
        gap = inputs.high_expectations[family] and inputs.achievement[seat] < f32(low_achievement)
        personal = f32(
            f32(weights.onset_base) + f32(weights.introversion) * inputs.introversion[seat]
        )
        logit = (
            np.float64(personal)
            + weights.trauma * inputs.trauma[seat]
            + weights.disorder * (inputs.disorder[seat] > 0)
            + weights.male * inputs.male[seat]
            + weights.neglect * (parenting == neglect)
            + weights.overprotection * (parenting == overprotection)
            + weights.expectation_gap * gap
            + pupil * weights.climate * np.float64(-inputs.climate[school])
            + pupil * weights.pressure * np.float64(inputs.pressure[school])
            + pupil * weights.pupil_risk
            + weights.refusal_history * inputs.ever_refused_school[seat]
            + weights.neither * ((track == neither) | (track == retired))
            + weights.urbanization * inputs.urban[school]
            + np.float64(f32(weights.cohesion) * f32(f32(0.5) - inputs.cohesion[school]))
            + np.float64(f32(weights.internet) * inputs.internet_intensity[seat])
        )
        out[seat] = f32(logit)


@numba.njit(cache=True, inline="always")
def _logistic_bound(logit: np.float32) -> np.float32:
    """An upper bound of the logistic function made without an exp (so it vectorizes).

    For x = -logit > 0, exp(x) exceeds its Taylor polynomial of degree four, so
    1 / (1 + x + x**2/2 + x**3/6 + x**4/24) bounds exp(logit), which bounds the logistic
    function; 1 bounds it for logit >= 0. The bound is within a few times the chance for
    the small chances of onset, so few uniforms fall below it.
    """
    x = max(-logit, np.float32(0.0))
    series = np.float32(1.0) + x * (
        np.float32(1.0)
        + x * (np.float32(0.5) + x * (np.float32(1.0 / 6.0) + x * np.float32(1.0 / 24.0)))
    )
    # Float32 rounding of the series is far below the slack this factor leaves.
    return np.float32(1.0001) / series


@numba.njit(cache=True)
def apply_flag_changes(
    changed: np.ndarray,
    flags: np.ndarray,
    flagged: np.ndarray,
    flagged_ties: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
) -> np.ndarray:
    """Carry the youths whose flag changed into their partners' flagged tie weight.

    ``flagged_ties`` is kept in float64: with weights such as 1 and 0.5 its sums are
    exact, so they do not depend on the order of the updates.

    Args:
        changed: The youths whose flag differs from ``flagged``.
        flags: This week's flag per youth.
        flagged: The flags as of the last update; updated.
        flagged_ties: Weighted number of active ties to flagged youths; updated.
        indptr: CSR row pointers.
        indices: CSR column of each entry.
        data: CSR weight of each entry (0 for a lost tie).

    Returns:
        The partners whose share needs recomputing (with repeats).
    """
    touched = np.empty(indptr[changed + 1].sum() - indptr[changed].sum(), np.int64)
    count = 0
    for seat in changed:
        sign = 1.0 if flags[seat] else -1.0
        for entry in range(indptr[seat], indptr[seat + 1]):
            flagged_ties[indices[entry]] += sign * data[entry]
            touched[count] = indices[entry]
            count += 1
        flagged[seat] = flags[seat]
    return touched


@numba.njit(cache=True)
def refresh_shares(
    rows: np.ndarray, flagged_ties: np.ndarray, degree: np.ndarray, shares: np.ndarray
) -> None:
    """``shares[rows] = flagged_ties[rows] / max(degree[rows], 1e-6)`` (float32).

    Args:
        rows: The youths whose share to recompute (repeats allowed).
        flagged_ties: Weighted number of each youth's active ties to flagged youths
            (float64).
        degree: Weighted number of each youth's active ties.
        shares: Each youth's share of flagged ties (float32); updated in place.
    """
    for row in rows:
        shares[row] = flagged_ties[row] / max(degree[row], 1e-6)


@numba.njit(cache=True)
def symptomatic_flags(state: np.ndarray, at_risk: np.int8, withdrawn: np.int8) -> np.ndarray:
    """Whether each youth is at risk or withdrawn.

    Args:
        state: State code per youth.
        at_risk: The code of the AT_RISK state.
        withdrawn: The code of the WITHDRAWN state.

    Returns:
        A boolean array, by seat: True where the state is AT_RISK or WITHDRAWN.
    """
    out = np.empty(len(state), np.bool_)
    for seat in range(len(state)):
        out[seat] = (state[seat] == at_risk) | (state[seat] == withdrawn)
    return out


class EpisodeRates(NamedTuple):
    """The scenario's rates that move youths who are not engaged (one week).

    Attributes:
        progress_base: Logit of AT_RISK to WITHDRAWN.
        disorder_progress_weight: Added to that logit with a disorder; half of it is
            taken from the resolve logit.
        refusal_progress_weight: Added for a school refuser.
        internet_progress_weight: Added with internet addiction.
        sleep_progress_weight: Added with a reversed sleep rhythm.
        peer_progress_weight: Times the exposure (half the onset's peer weight).
        neither_weight: Added outside school and work (NEITHER or RETIRED).
        resolve_base: Logit of AT_RISK to ENGAGED.
        exit_base: Weekly WITHDRAWN to RECOVERING hazard at the start of an episode.
        duration_decline: Power of ``1 + years withdrawn`` the exit hazard falls with.
        disorder_exit_multiplier: With an active (unremitted) disorder.
        depression_exit_multiplier: While depressed.
        narrow_exit_multiplier: At the narrow (complete) severity.
        internet_exit_multiplier: With internet addiction.
        sleep_exit_multiplier: With a reversed sleep rhythm.
        clinical_exit_multiplier: In clinical care.
        psychosocial_exit_multiplier: In psychosocial care.
        deepen_rate: Weekly quasi to narrow severity.
        lighten_rate: Weekly narrow to quasi severity.
        relapse_rate: Weekly RECOVERING to WITHDRAWN (halved in care).
        reentry_base: Weekly RECOVERING to ENGAGED.
        years_lost_slowdown: Re-entry is divided by ``1 + this * years lost``.
        internet_reentry_multiplier: With internet addiction.
        sleep_reentry_multiplier: With a reversed sleep rhythm.
    """

    progress_base: float
    disorder_progress_weight: float
    refusal_progress_weight: float
    internet_progress_weight: float
    sleep_progress_weight: float
    peer_progress_weight: float
    neither_weight: float
    resolve_base: float
    exit_base: float
    duration_decline: float
    disorder_exit_multiplier: float
    depression_exit_multiplier: float
    narrow_exit_multiplier: float
    internet_exit_multiplier: float
    sleep_exit_multiplier: float
    clinical_exit_multiplier: float
    psychosocial_exit_multiplier: float
    deepen_rate: float
    lighten_rate: float
    relapse_rate: float
    reentry_base: float
    years_lost_slowdown: float
    internet_reentry_multiplier: float
    sleep_reentry_multiplier: float


class Codes(NamedTuple):
    """The integer codes the compiled passes compare with (from hikisim.states)."""

    at_risk: int
    withdrawn: int
    recovering: int
    neither: int
    retired: int
    no_care: int
    clinical: int
    psychosocial: int


class YouthArrays(NamedTuple):
    """The youth columns the compiled moves read (see :class:`hikisim.population.Youths`)."""

    state: np.ndarray
    disorder: np.ndarray
    disorder_remitted: np.ndarray
    depressed: np.ndarray
    school_refusal: np.ndarray
    internet_addiction: np.ndarray
    sleep_reversal: np.ndarray
    track: np.ndarray
    care: np.ndarray
    narrow: np.ndarray
    withdrawn_weeks: np.ndarray
    years_lost: np.ndarray


class Modifiers(NamedTuple):
    """The programmes' per-youth changes the compiled moves read (see dynamics.Modifiers)."""

    progress_logit: np.ndarray
    resolve_logit: np.ndarray
    exit_multiplier: np.ndarray
    reentry_multiplier: np.ndarray


CODES = Codes(
    at_risk=int(State.AT_RISK),
    withdrawn=int(State.WITHDRAWN),
    recovering=int(State.RECOVERING),
    neither=int(Track.NEITHER),
    retired=int(Track.RETIRED),
    no_care=int(Care.NONE),
    clinical=int(Care.CLINICAL),
    psychosocial=int(Care.PSYCHOSOCIAL),
)
# The codes as the weekly passes take them (see plain_columns_of).
CODE_VALUES = tuple(CODES)


@numba.njit(cache=True, inline="always")
def _logistic(logit: float) -> float:
    """The logistic function ``1 / (1 + exp(-logit))`` of a logit, in float64.

    Inlined into the per-youth chances below, which turn their logits into weekly chances
    with it (unlike :func:`onset`, which works in float32).
    """
    return 1.0 / (1.0 + math.exp(-logit))


@numba.njit(cache=True, inline="always")
def flag_multiplier(addicted: bool, reversed_rhythm: bool, internet: float, sleep: float) -> float:
    """Internet addiction and a reversed sleep rhythm each multiply a hazard.

    Args:
        addicted: Whether the youth has internet addiction.
        reversed_rhythm: Whether the youth has a reversed sleep rhythm.
        internet: The factor for internet addiction.
        sleep: The factor for a reversed sleep rhythm.

    Returns:
        The product of the factors that apply (1.0 for neither flag).
    """
    factor = 1.0
    if addicted:
        factor *= internet
    if reversed_rhythm:
        factor *= sleep
    return factor


@numba.njit(cache=True)
def flag_multipliers(
    addicted: np.ndarray, reversed_rhythm: np.ndarray, internet: float, sleep: float
) -> np.ndarray:
    """:func:`flag_multiplier` of each youth.

    Args:
        addicted: Whether each youth has internet addiction.
        reversed_rhythm: Whether each youth has a reversed sleep rhythm (same order).
        internet: The factor for internet addiction.
        sleep: The factor for a reversed sleep rhythm.

    Returns:
        Each youth's factor (float64, in the order of ``addicted``).
    """
    out = np.empty(len(addicted), np.float64)
    for i in range(len(addicted)):
        out[i] = flag_multiplier(addicted[i], reversed_rhythm[i], internet, sleep)
    return out


@numba.njit(cache=True, inline="always")
def at_risk_logits(
    seat: int,
    youths: YouthArrays,
    exposure: np.ndarray,
    modifiers: Modifiers,
    rates: EpisodeRates,
    codes: Codes,
) -> tuple[float, float]:
    """A youth's logits of AT_RISK to WITHDRAWN and of AT_RISK to ENGAGED.

    The progress logit adds to its base any disorder (remitted or not), school refusal,
    the two flags, the peer exposure, being outside school and work (NEITHER or
    RETIRED) and the programmes' change; the resolve logit takes half the disorder
    weight off its base and adds 0.5 in care and the programmes' change.

    Args:
        seat: The youth.
        youths: The youth columns.
        exposure: Share of each youth's active ties at risk or withdrawn.
        modifiers: The programmes' changes.
        rates: The scenario's rates.
        codes: State, track and care codes.

    Returns:
        The progress logit and the resolve logit.
    """
    ill = youths.disorder[seat] > 0
    outside = youths.track[seat] == codes.neither or youths.track[seat] == codes.retired
    progress = (
        rates.progress_base
        + rates.disorder_progress_weight * ill
        + rates.refusal_progress_weight * youths.school_refusal[seat]
        + rates.internet_progress_weight * youths.internet_addiction[seat]
        + rates.sleep_progress_weight * youths.sleep_reversal[seat]
        + rates.peer_progress_weight * exposure[seat]
        + rates.neither_weight * outside
        + modifiers.progress_logit[seat]
    )
    resolve = (
        rates.resolve_base
        - 0.5 * rates.disorder_progress_weight * ill
        + 0.5 * (youths.care[seat] != codes.no_care)
        + modifiers.resolve_logit[seat]
    )
    return progress, resolve


@numba.njit(cache=True, inline="always")
def at_risk_chances(
    seat: int,
    youths: YouthArrays,
    exposure: np.ndarray,
    modifiers: Modifiers,
    rates: EpisodeRates,
    codes: Codes,
) -> tuple[float, float]:
    """A youth's weekly chances of AT_RISK to WITHDRAWN and of AT_RISK to ENGAGED.

    Each chance is the logistic function of its logit (:func:`at_risk_logits`).

    Args:
        seat: The youth.
        youths: The youth columns.
        exposure: Share of each youth's active ties at risk or withdrawn.
        modifiers: The programmes' changes.
        rates: The scenario's rates.
        codes: State, track and care codes.

    Returns:
        The chance of AT_RISK to WITHDRAWN and the chance of AT_RISK to ENGAGED.
    """
    progress, resolve = at_risk_logits(seat, youths, exposure, modifiers, rates, codes)
    return _logistic(progress), _logistic(resolve)


# Added to each top logit of at_risk_bound. Its terms are added in the same order as a
# youth's and each is at least the youth's, so rounding alone cannot put the bound under
# a chance; the slack is a margin for what that argument leaves out (an exposure a
# rounding error below zero under a negative weight, say).
LOGIT_SLACK = 1e-6


@numba.njit(cache=True, inline="always")
def _logistic_bound_64(logit: float) -> float:
    """:func:`_logistic_bound` in float64, for the float64 chances of the episode moves."""
    x = max(-logit, 0.0)
    series = 1.0 + x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0))))
    # Float64 rounding of the series is far below the slack this factor leaves.
    return 1.0001 / series


@numba.njit(cache=True, inline="always")
def at_risk_bound(rates: EpisodeRates, tops: tuple[float, float, float]) -> float:
    """A bound on every at-risk youth's chance of leaving AT_RISK this week.

    The top logits add the terms of :func:`at_risk_logits` in the same order, each at
    its largest: every weight where it can raise a logit, the largest peer exposure
    times the peer weight (where that weight is positive; exposures are shares, never
    below zero), and the programmes' largest changes, plus a little slack. A draw at or
    above the sum of the two top chances moves nobody, so that youth's columns need not
    be read. A NaN among the tops gives a NaN bound, which screens nobody out.

    Args:
        rates: The scenario's rates.
        tops: The largest peer exposure, and the programmes' largest changes to the
            AT_RISK to WITHDRAWN and the AT_RISK to ENGAGED logits (``max`` of each
            array).

    Returns:
        The bound: the logistic chance of the top progress logit plus that of the top
        resolve logit.
    """
    exposure_top, progress_top, resolve_top = tops
    progress = (
        rates.progress_base
        + max(rates.disorder_progress_weight, 0.0)
        + max(rates.refusal_progress_weight, 0.0)
        + max(rates.internet_progress_weight, 0.0)
        + max(rates.sleep_progress_weight, 0.0)
        + max(rates.peer_progress_weight, 0.0) * exposure_top
        + max(rates.neither_weight, 0.0)
        + progress_top
    )
    resolve = (
        rates.resolve_base + max(-0.5 * rates.disorder_progress_weight, 0.0) + 0.5 + resolve_top
    )
    return _logistic(progress + LOGIT_SLACK) + _logistic(resolve + LOGIT_SLACK)


@numba.njit(cache=True, inline="always")
def exit_hazard(
    seat: int, youths: YouthArrays, modifiers: Modifiers, rates: EpisodeRates, codes: Codes
) -> float:
    """A withdrawn youth's weekly chance of WITHDRAWN to RECOVERING.

    The base hazard falls with the years into the episode; an active (unremitted)
    disorder, depression, the narrow severity, the two flags, care and the programmes
    each multiply it; it is capped at 1.

    Args:
        seat: The youth.
        youths: The youth columns (``withdrawn_weeks`` in weeks, read as 52 to a year).
        modifiers: The programmes' changes.
        rates: The scenario's rates.
        codes: State, track and care codes.

    Returns:
        The weekly chance of WITHDRAWN to RECOVERING, at most 1.
    """
    years = youths.withdrawn_weeks[seat] / 52.0
    duration_factor = (1.0 + years) ** -rates.duration_decline
    return exit_hazard_with(duration_factor, seat, youths, modifiers, rates, codes)


@numba.njit(cache=True, inline="always")
def exit_hazard_with(
    duration_factor: float,
    seat: int,
    youths: YouthArrays,
    modifiers: Modifiers,
    rates: EpisodeRates,
    codes: Codes,
) -> float:
    """:func:`exit_hazard` with the given factor of duration dependence.

    With a factor of 1 it bounds the hazard at any duration, as long as it is not
    negative: the factor is at most 1 (``duration_decline`` is not negative), and
    rounding keeps the order of products of the same factors when their product is
    not negative.

    Args:
        duration_factor: ``(1 + years withdrawn) ** -duration_decline``.
        seat: The youth.
        youths: The youth columns.
        modifiers: The programmes' changes.
        rates: The scenario's rates.
        codes: State, track and care codes.

    Returns:
        The weekly chance of WITHDRAWN to RECOVERING, at most 1.
    """
    hazard = rates.exit_base * duration_factor
    if youths.disorder[seat] > 0 and not youths.disorder_remitted[seat]:
        hazard *= rates.disorder_exit_multiplier
    if youths.depressed[seat]:
        hazard *= rates.depression_exit_multiplier
    if youths.narrow[seat]:
        hazard *= rates.narrow_exit_multiplier
    hazard *= flag_multiplier(
        youths.internet_addiction[seat],
        youths.sleep_reversal[seat],
        rates.internet_exit_multiplier,
        rates.sleep_exit_multiplier,
    )
    if youths.care[seat] == codes.clinical:
        hazard *= rates.clinical_exit_multiplier
    elif youths.care[seat] == codes.psychosocial:
        hazard *= rates.psychosocial_exit_multiplier
    return min(hazard * modifiers.exit_multiplier[seat], 1.0)


@numba.njit(cache=True, inline="always")
def recovering_chances(
    seat: int, youths: YouthArrays, modifiers: Modifiers, rates: EpisodeRates, codes: Codes
) -> tuple[float, float]:
    """A recovering youth's weekly chances of relapse and of re-entry.

    Relapse is halved in care; re-entry is slowed by the years lost and multiplied by
    the flags and the programmes. Should the two add to more than 1 they are scaled to 1.

    Args:
        seat: The youth.
        youths: The youth columns (``years_lost`` in years).
        modifiers: The programmes' changes.
        rates: The scenario's rates.
        codes: State, track and care codes.

    Returns:
        The chance of RECOVERING to WITHDRAWN (relapse) and the chance of RECOVERING to
        ENGAGED (re-entry).
    """
    relapse = rates.relapse_rate * (0.5 if youths.care[seat] != codes.no_care else 1.0)
    reenter = (
        rates.reentry_base
        / (1.0 + rates.years_lost_slowdown * youths.years_lost[seat])
        * modifiers.reentry_multiplier[seat]
    )
    reenter *= flag_multiplier(
        youths.internet_addiction[seat],
        youths.sleep_reversal[seat],
        rates.internet_reentry_multiplier,
        rates.sleep_reentry_multiplier,
    )
    total = max(relapse + reenter, 1.0)
    return relapse / total, reenter / total


@numba.njit(cache=True)
def hazards(
    seats: np.ndarray,
    youths: YouthArrays,
    exposure: np.ndarray,
    modifiers: Modifiers,
    rates: EpisodeRates,
    codes: Codes,
) -> np.ndarray:
    """Every weekly chance of some youths, whatever their state (for checks and views).

    Args:
        seats: The youths (int64).
        youths: The youth columns.
        exposure: Share of each youth's active ties at risk or withdrawn.
        modifiers: The programmes' changes.
        rates: The scenario's rates.
        codes: State, track and care codes.

    Returns:
        One row per seat: AT_RISK to WITHDRAWN, AT_RISK to ENGAGED, WITHDRAWN to
        RECOVERING, relapse and re-entry (float64, shape ``(len(seats), 5)``).
    """
    out = np.empty((len(seats), 5), np.float64)
    for i in range(len(seats)):
        seat = seats[i]
        out[i, 0], out[i, 1] = at_risk_chances(seat, youths, exposure, modifiers, rates, codes)
        out[i, 2] = exit_hazard(seat, youths, modifiers, rates, codes)
        out[i, 3], out[i, 4] = recovering_chances(seat, youths, modifiers, rates, codes)
    return out


@numba.njit(cache=True)
def episode_transitions(
    others: np.ndarray,
    youths: tuple,
    exposure: np.ndarray,
    modifiers: tuple,
    rates: tuple,
    codes: tuple,
    state_counter: tuple[np.uint64, np.uint64, np.int64, np.int64],
    severity_counter: tuple[np.uint64, np.uint64, np.int64, np.int64],
    at_risk_tops: tuple[float, float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """This week's moves of the youths who are not engaged, and severity changes.

    Each youth's one uniform of the state stream is split across its competing moves;
    those staying withdrawn may change severity on the severity stream (``narrow`` is
    updated here; the entrants' severity is drawn by the caller from the same draw).

    Args:
        others: The youths not engaged (ascending).
        youths: The youth columns, in the order of :class:`YouthArrays` (this and the
            next three are plain tuples: see :func:`plain_columns_of`).
        exposure: Share of each youth's active ties at risk or withdrawn.
        modifiers: The programmes' changes, in the order of :class:`Modifiers`.
        rates: The scenario's rates, in the order of :class:`EpisodeRates`.
        codes: State, track and care codes, in the order of :class:`Codes`.
        state_counter: The state stream's key words, week and draw.
        severity_counter: The severity stream's.
        at_risk_tops: The largest peer exposure and the programmes' largest changes to
            the progress and to the resolve logit (``max`` of each array; see
            :func:`at_risk_bound`).

    Returns:
        Seats moving AT_RISK to WITHDRAWN, AT_RISK to ENGAGED, WITHDRAWN to
        RECOVERING, RECOVERING to WITHDRAWN, and RECOVERING to ENGAGED (ascending),
        and for the last a fresh uniform each (where the draw fell in its band).
    """
    youths, modifiers = YouthArrays(*youths), Modifiers(*modifiers)
    rates, codes = EpisodeRates(*rates), Codes(*codes)
    size = len(others)
    moves = np.empty((5, size), np.int64)
    counts = np.zeros(5, np.int64)
    work_draws = np.empty(size, np.float64)
    k0, k1, week, draw = state_counter
    s0, s1, severity_week, severity_index = severity_counter
    narrow = youths.narrow
    # Everyone here needs the state stream's uniform: computed in one vectorized pass.
    draws = uniforms_at(k0, k1, week, draw, others)
    at_risk_top = at_risk_bound(rates, at_risk_tops)
    for index in range(size):
        seat = others[index]
        u = float(draws[index])
        code = youths.state[seat]
        if code == codes.at_risk:
            # Most of the at risk (most of those here) draw above every chance of
            # leaving: their nine columns, spread over the whole population, are then
            # never read.
            if u >= at_risk_top:
                continue
            progress, resolve = at_risk_logits(seat, youths, exposure, modifiers, rates, codes)
            # Most draws are above both chances' bounds, which need no exp.
            if u >= _logistic_bound_64(progress) + _logistic_bound_64(resolve):
                continue
            p_withdraw, p_resolve = _logistic(progress), _logistic(resolve)
            if u < p_withdraw:
                moves[0, counts[0]] = seat
                counts[0] += 1
            elif u < p_withdraw + p_resolve:
                moves[1, counts[1]] = seat
                counts[1] += 1
        elif code == codes.withdrawn:
            # Without the power of duration dependence most draws are already settled.
            bound = exit_hazard_with(1.0, seat, youths, modifiers, rates, codes)
            if (u < bound or bound < 0.0) and u < exit_hazard(
                seat, youths, modifiers, rates, codes
            ):
                moves[2, counts[2]] = seat
                counts[2] += 1
            else:
                severity = uniform(s0, s1, seat, severity_week, severity_index)
                if narrow[seat]:
                    if severity < rates.lighten_rate:
                        narrow[seat] = False
                elif severity < rates.deepen_rate:
                    narrow[seat] = True
        elif code == codes.recovering:
            p_relapse, p_reenter = recovering_chances(seat, youths, modifiers, rates, codes)
            if u < p_relapse:
                moves[3, counts[3]] = seat
                counts[3] += 1
            elif u < p_relapse + p_reenter:
                moves[4, counts[4]] = seat
                # Given re-entry, where u fell within its band is a fresh uniform.
                work_draws[counts[4]] = (u - p_relapse) / p_reenter
                counts[4] += 1
    return (
        moves[0, : counts[0]].copy(),
        moves[1, : counts[1]].copy(),
        moves[2, : counts[2]].copy(),
        moves[3, : counts[3]].copy(),
        moves[4, : counts[4]].copy(),
        work_draws[: counts[4]].copy(),
    )


@numba.njit(cache=True)
def job_moves(
    track: np.ndarray,
    age_weeks: np.ndarray,
    p_loss: float,
    p_retire: float,
    retirement_age: int,
    work: int,
    counter: tuple[np.uint64, np.uint64, np.int64, np.int64],
    start: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Workers who lose their job, and those past ``retirement_age`` who retire.

    One uniform each: below ``p_loss`` the job is lost, within the next ``p_retire``
    a worker of retirement age retires.

    Args:
        track: Track code per youth.
        age_weeks: Age in weeks.
        p_loss: The weekly chance of losing a job.
        p_retire: The weekly chance of retiring, for workers of retirement age.
        retirement_age: Age in weeks from which a worker may retire.
        work: The code of the WORK track.
        counter: The labour stream's key words, week and draw.
        start: The seat of the columns' first entry, where they are a seat range's.

    Returns:
        The seats losing work and the seats retiring (each ascending), counted from
        ``start``.
    """
    k0, k1, week, draw = counter
    # A float32 uniform u = (word >> 8) / 2**24 is below t exactly when the word is
    # below ceil(t * 2**24) << 8 (t * 2**24 is exact in float64), so the screen compares
    # words and stores no uniforms. A t of 1 or more lets every word through, as every
    # uniform is below it; a chance of 0 lets none.
    bound = np.uint64(math.ceil(max(p_loss + p_retire, 0.0) * 2.0**24)) << np.uint64(8)
    maybe = np.empty(len(track), np.bool_)
    for seat in range(len(track)):  # branch-free, vectorized
        maybe[seat] = (word(k0, k1, start + seat, week, draw) < bound) & (track[seat] == work)
    losing = []
    retiring = []
    # A few workers in a thousand pass: found eight seats at a time.
    for seat in sparse_true_seats(maybe):
        if uniform(k0, k1, start + seat, week, draw) < p_loss:
            losing.append(start + seat)
        elif age_weeks[seat] >= retirement_age:
            retiring.append(start + seat)
    return np.array(losing, np.int64), np.array(retiring, np.int64)


@numba.njit(cache=True)
def work_finders(
    track: np.ndarray,
    state: np.ndarray,
    age_weeks: np.ndarray,
    years_lost: np.ndarray,
    rate: float,
    scar: float,
    neither: int,
    engaged: int,
    min_age: int,
    counter: tuple[np.uint64, np.uint64, np.int64, np.int64],
    start: int = 0,
) -> np.ndarray:
    """Engaged people of working age in neither school nor work who find work (ascending).

    The weekly chance is ``rate`` times ``exp(-scar * years lost)``.

    Args:
        track: Track code per youth.
        state: State code per youth.
        age_weeks: Age in weeks.
        years_lost: Years each youth has lost to withdrawal.
        rate: The weekly chance of finding work with no years lost (the caller includes
            the job market's factor).
        scar: The fall in the log of that chance per year lost (0 for none).
        neither: The code of the NEITHER track.
        engaged: The code of the ENGAGED state.
        min_age: Age in weeks from which people look for work.
        counter: The track stream's key words, week and draw.
        start: The seat of the columns' first entry, where they are a seat range's
            (their uniforms are those of seats ``start`` on).

    Returns:
        The seats finding work (int64, ascending), counted from ``start``.
    """
    k0, k1, week, draw = counter
    looking = np.empty(len(track), np.bool_)
    for seat in range(len(track)):  # branch-free, vectorized
        looking[seat] = (
            (track[seat] == neither) & (state[seat] == engaged) & (age_weeks[seat] >= min_age)
        )
    found = []
    # With a scar (never negative) and years lost (never negative) the chance is at most
    # ``rate``, so a draw at or above it settles the seat without the exp.
    screened = scar >= 0.0
    # About one person in a hundred looks for work: found eight seats at a time, which
    # up to a few in a hundred is faster in compiled code than true_seats (a write per
    # seat) or numba's np.flatnonzero (a branch per seat).
    for seat in sparse_true_seats(looking):
        u = uniform(k0, k1, start + seat, week, draw)
        if screened and u >= rate:
            continue
        chance = rate
        if scar != 0.0:
            chance = rate * math.exp(-scar * float(years_lost[seat]))
        if u < chance:
            found.append(start + seat)
    return np.array(found, np.int64)


@numba.njit(cache=True)
def care_leavers(
    care: np.ndarray,
    state: np.ndarray,
    dropout_multiplier: np.ndarray,
    clinical_dropout: float,
    psychosocial_dropout: float,
    clinical: int,
    no_care: int,
    engaged: int,
    counter: tuple[np.uint64, np.uint64, np.int64, np.int64],
) -> np.ndarray:
    """Youths leaving care this week: dropouts, and everyone engaged again (ascending).

    Every youth in care who is engaged leaves; any other drops out if its uniform is
    below its kind of care's dropout chance times its programmes' multiplier.

    Args:
        care: Care code per youth.
        state: State code per youth.
        dropout_multiplier: The programmes' factor on each youth's dropout chance.
        clinical_dropout: The weekly dropout chance in clinical care.
        psychosocial_dropout: The weekly dropout chance in psychosocial care (any care
            that is not clinical).
        clinical: The code of clinical care.
        no_care: The code of no care.
        engaged: The code of the ENGAGED state.
        counter: The treatment stream's key words, week and draw.

    Returns:
        The seats leaving care (int64, ascending).
    """
    k0, k1, week, draw = counter
    found = []
    # Few are in care: found eight seats at a time.
    for seat in sparse_true_seats(care != no_care):
        dropout = clinical_dropout if care[seat] == clinical else psychosocial_dropout
        dropout *= dropout_multiplier[seat]
        if state[seat] == engaged or uniform(k0, k1, seat, week, draw) < dropout:
            found.append(seat)
    return np.array(found, np.int64)


@numba.njit(cache=True)
def advance_episode_clocks(
    withdrawn: np.ndarray,
    withdrawn_weeks: np.ndarray,
    narrow: np.ndarray,
    narrow_weeks: np.ndarray,
    ever_broad: np.ndarray,
    ever_koyama: np.ndarray,
    ever_hikikomori: np.ndarray,
    episode_row: np.ndarray,
    onset_age: np.ndarray,
    hikikomori: np.ndarray,
    min_weeks: int,
    max_onset_age: float,
) -> int:
    """A week on the episode clocks of the withdrawn, and the definitions they reach.

    Each withdrawn person's episode gains a week, and a week at the narrow severity if
    narrow. At ``min_weeks`` an episode counts for the broad (cao) definition, and is
    hikikomori (the seed definition) if its logged onset age is below
    ``max_onset_age``; ``min_weeks`` at the narrow severity make it a koyama episode.
    Complete (narrow) withdrawal in a hikikomori episode marks the person.

    Args:
        withdrawn: The withdrawn (ascending).
        withdrawn_weeks: Weeks into each person's episode; updated.
        narrow: Whether each person is at the narrow severity.
        narrow_weeks: Weeks at it in the episode; updated.
        ever_broad: Ever withdrawn ``min_weeks``; updated.
        ever_koyama: Ever ``min_weeks`` at the narrow severity; updated.
        ever_hikikomori: Ever completely withdrawn in a hikikomori episode; updated.
        episode_row: Each person's row in the episode log.
        onset_age: The log's onset age of each episode.
        hikikomori: The log's flag of episodes that qualify; updated.
        min_weeks: The weeks that make an episode count (26).
        max_onset_age: The onset age below which it is hikikomori (30).

    Returns:
        The number of episodes that qualified as hikikomori this week.
    """
    qualified = 0
    for seat in withdrawn:
        withdrawn_weeks[seat] += 1
        row = episode_row[seat]
        if withdrawn_weeks[seat] == min_weeks:
            ever_broad[seat] = True
            if onset_age[row] < max_onset_age:
                hikikomori[row] = True
                qualified += 1
        if narrow[seat]:
            narrow_weeks[seat] += 1
            if narrow_weeks[seat] == min_weeks:
                ever_koyama[seat] = True
            if hikikomori[row]:
                ever_hikikomori[seat] = True
    return qualified


@numba.njit(cache=True)
def merge_nonengaged(
    others: np.ndarray,
    newcomers: np.ndarray,
    state: np.ndarray,
    engaged: np.int8,
    at_risk: np.int8,
    withdrawn: np.int8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The youths not engaged after the transitions, and the symptomatic and withdrawn.

    One merge in place of a filter, an insertion and two masks: ``others`` loses those
    now engaged and gains ``newcomers``, which keep their place in seat order.

    Args:
        others: The youths not engaged before the transitions (ascending).
        newcomers: Youths who left ENGAGED this week (ascending, none in ``others``).
        state: State code per youth, after the transitions.
        engaged: The code of ENGAGED.
        at_risk: The code of AT_RISK.
        withdrawn: The code of WITHDRAWN.

    Returns:
        The youths not engaged, those at risk or withdrawn, and the withdrawn (each
        int64, ascending).
    """
    size = len(others) + len(newcomers)
    merged = np.empty(size, np.int64)
    symptomatic = np.empty(size, np.int64)
    withdrawn_seats = np.empty(size, np.int64)
    n_merged = n_symptomatic = n_withdrawn = 0
    i = j = 0
    while i < len(others) or j < len(newcomers):
        if j == len(newcomers) or (i < len(others) and others[i] < newcomers[j]):
            seat = others[i]
            i += 1
            if state[seat] == engaged:
                continue
        else:
            seat = newcomers[j]
            j += 1
        merged[n_merged] = seat
        n_merged += 1
        code = state[seat]
        if code in (at_risk, withdrawn):
            symptomatic[n_symptomatic] = seat
            n_symptomatic += 1
        if code == withdrawn:
            withdrawn_seats[n_withdrawn] = seat
            n_withdrawn += 1
    return merged[:n_merged], symptomatic[:n_symptomatic], withdrawn_seats[:n_withdrawn]


class Census(NamedTuple):
    """The youth columns the weekly census reads (see :class:`hikisim.population.Youths`)."""

    state: np.ndarray
    age_weeks: np.ndarray
    narrow: np.ndarray
    episode_row: np.ndarray
    school_refusal: np.ndarray
    internet_addiction: np.ndarray
    sleep_reversal: np.ndarray
    care: np.ndarray
    disorder: np.ndarray
    disorder_remitted: np.ndarray
    depressed: np.ndarray
    years_lost: np.ndarray


# Disorder codes that the census counts in one pass (codes 1 to 5): the pass has one
# counter for each, written out, so this must stay 5 (other codes are counted apart).
FUSED_DISORDER_CODES = 5

# Positions in the counts that :func:`census` returns; the disorder counts follow.
CENSUS_FIELDS = (
    "engaged",
    "at_risk",
    "withdrawn",
    "recovering",
    "withdrawn_adults",
    "withdrawn_narrow",
    "hikikomori",
    "survey_band",
    "pupils",
    "refusing_pupils",
    "internet_addicted",
    "sleep_reversed",
    "in_treatment",
    "depressed_well",
    "in_clinical_care",
)

# The states other than engaged whose people the census counts by disorder, in the
# order of its by-state counts: the utility categories of hikisim.economics.
UNWELL_CATEGORIES = ("recovering", "at_risk", "withdrawn_quasi", "withdrawn_narrow")


@numba.njit(cache=True, inline="always")
def _unwell_position(code: int, narrow: bool, codes: Codes) -> int:
    """A person's position in :data:`UNWELL_CATEGORIES` (state not ENGAGED)."""
    if code == codes.withdrawn:
        return 3 if narrow else 2
    return 0 if code == codes.recovering else 1


@numba.njit(cache=True)
def census(
    youths: tuple,
    others: np.ndarray,
    marked: np.ndarray,
    qualified: np.ndarray,
    disorder_count: int,
    depression: int,
    band_start: int,
    band_end: int,
    adult_age: int,
    pupil_end: int,
    scar: float,
    codes: tuple,
) -> tuple[np.ndarray, float]:
    """The weekly record's counts: one vectorized pass over everyone, then short lists.

    Args:
        youths: The youth columns, in the order of :class:`Census` (a plain tuple: see
            :func:`plain_columns_of`).
        others: The youths not engaged (ascending).
        marked: The youths with years lost (``years_lost > 0``).
        qualified: The episode log's ``hikikomori`` column (26+ weeks, onset before 30).
        disorder_count: Number of disorder codes (NONE included).
        depression: The code of depression.
        band_start: Start of the survey age band, in weeks (15 years).
        band_end: Its end, exclusive (40 years).
        adult_age: Age from which a withdrawn week is a lost working week (20 years).
        pupil_end: End of the compulsory-school ages, exclusive (16 years).
        scar: The work scar per year lost (labour.work_scar_per_year_lost).
        codes: State, track and care codes, in the order of :class:`Codes`.

    Returns:
        The counts in the order of :data:`CENSUS_FIELDS`, then the number of people
        with each disorder among the well (neither at risk nor withdrawn; a disorder in
        remission does not count, a depression during withdrawal does while it lasts,
        and is also counted alone as ``depressed_well``), then for each of
        :data:`UNWELL_CATEGORIES` in turn the number of its people with each disorder
        (active ones only, a depression during withdrawal not included), then for the
        well and each of :data:`UNWELL_CATEGORIES` in turn the number of its people in
        such a depression by their latent disorder (0 for none active; a group's row
        sums to its people in such a depression);
        and the expected working weeks lost this week to the scar of years withdrawn
        (people aged ``adult_age`` or over who are not withdrawn: 1 - exp(-scar * years)).
    """
    columns, codes = Census(*youths), Codes(*codes)
    everyone = _everyone_counts(
        0,
        len(columns.state),
        columns.age_weeks,
        columns.school_refusal,
        columns.internet_addiction,
        columns.sleep_reversal,
        columns.care,
        columns.depressed,
        columns.disorder,
        columns.disorder_remitted,
        band_start,
        band_end,
        pupil_end,
        codes.no_care,
        codes.clinical,
        disorder_count,
    )
    return _census_of_the_few(
        everyone,
        columns,
        others,
        marked,
        qualified,
        disorder_count,
        depression,
        band_start,
        band_end,
        adult_age,
        scar,
        codes,
    )


@numba.njit(cache=True, parallel=True)
def census_threaded(
    bounds: np.ndarray,
    youths: tuple,
    others: np.ndarray,
    marked: np.ndarray,
    qualified: np.ndarray,
    disorder_count: int,
    depression: int,
    band_start: int,
    band_end: int,
    adult_age: int,
    pupil_end: int,
    scar: float,
    codes: tuple,
) -> tuple[np.ndarray, float]:
    """:func:`census` with its pass over everyone split into ranges on numba's threads.

    The ranges' counts are integers, added exactly; the short lists after them are
    read on one thread, in the same order, so the float sum is the same too.

    Args:
        bounds: Where each range starts, and the end of the last
            (:func:`hikisim.threads.range_bounds`).
        youths: As for :func:`census`.
        others: As for :func:`census`.
        marked: As for :func:`census`.
        qualified: As for :func:`census`.
        disorder_count: As for :func:`census`.
        depression: As for :func:`census`.
        band_start: As for :func:`census`.
        band_end: As for :func:`census`.
        adult_age: As for :func:`census`.
        pupil_end: As for :func:`census`.
        scar: As for :func:`census`.
        codes: As for :func:`census`.

    Returns:
        What :func:`census` returns.
    """
    columns, codes = Census(*youths), Codes(*codes)
    # The threaded loop reads arrays and numbers only (numba passes no tuples to it).
    age_weeks, school_refusal = columns.age_weeks, columns.school_refusal
    internet_addiction, sleep_reversal = columns.internet_addiction, columns.sleep_reversal
    care, depressed, disorder = columns.care, columns.depressed, columns.disorder
    disorder_remitted, no_care, clinical = columns.disorder_remitted, codes.no_care, codes.clinical
    ranges = len(bounds) - 1
    per_range = np.zeros((ranges, EVERYONE_COUNTS + disorder_count), np.int64)
    for index in numba.prange(ranges):
        per_range[index] = _everyone_counts(
            bounds[index],
            bounds[index + 1],
            age_weeks,
            school_refusal,
            internet_addiction,
            sleep_reversal,
            care,
            depressed,
            disorder,
            disorder_remitted,
            band_start,
            band_end,
            pupil_end,
            no_care,
            clinical,
            disorder_count,
        )
    everyone = per_range.sum(axis=0)
    return _census_of_the_few(
        everyone,
        columns,
        others,
        marked,
        qualified,
        disorder_count,
        depression,
        band_start,
        band_end,
        adult_age,
        scar,
        codes,
    )


# _everyone_counts' counts before its active disorders by code, and where the depressed
# are among them.
EVERYONE_COUNTS = 8
DEPRESSED_AT = 6


@numba.njit(cache=True)
def _everyone_counts(
    start: int,
    stop: int,
    age_weeks: np.ndarray,
    school_refusal: np.ndarray,
    internet_addiction: np.ndarray,
    sleep_reversal: np.ndarray,
    care: np.ndarray,
    depressed: np.ndarray,
    disorder: np.ndarray,
    disorder_remitted: np.ndarray,
    band_start: int,
    band_end: int,
    pupil_end: int,
    no_care: int,
    clinical: int,
    disorder_count: int,
) -> np.ndarray:
    """The census's counts over seats ``start`` to ``stop - 1``.

    Args:
        start: The range's first seat.
        stop: The seat after its last.
        age_weeks: Age in weeks, by seat (whole columns, this and the next seven).
        school_refusal: Whether each youth refuses school.
        internet_addiction: Whether each youth has internet addiction.
        sleep_reversal: Whether each youth's sleep rhythm is reversed.
        care: Care code per youth.
        depressed: Whether each youth is in a depressive episode.
        disorder: Latent disorder code per youth.
        disorder_remitted: Whether each youth's disorder is in remission.
        band_start: Start of the survey age band, in weeks.
        band_end: Its end, exclusive.
        pupil_end: End of the compulsory-school ages, exclusive.
        no_care: The code of no care.
        clinical: The code of clinical care.
        disorder_count: Number of disorder codes (NONE included).

    Returns:
        Those in the survey band, pupils, refusing pupils, the addicted, the reversed
        rhythms, those in care, the depressed and those in clinical care, then the
        active disorders by code (int64, :data:`EVERYONE_COUNTS` + ``disorder_count``).
    """
    # The range as slices, indexed from 0, which the loops vectorize best.
    age_weeks, school_refusal = age_weeks[start:stop], school_refusal[start:stop]
    internet_addiction, sleep_reversal = internet_addiction[start:stop], sleep_reversal[start:stop]
    care, depressed = care[start:stop], depressed[start:stop]
    disorder, disorder_remitted = disorder[start:stop], disorder_remitted[start:stop]
    # Everyone, in sums of comparisons without branches, which LLVM vectorizes (a
    # branch in the loop would make it several times slower).
    band = pupils = refusing = addicted = reversed_rhythm = in_care = depressed_count = 0
    clinical_count = 0
    for seat in range(stop - start):
        age = age_weeks[seat]
        band += (age >= band_start) & (age < band_end)
        pupil = age < pupil_end
        pupils += pupil
        refusing += pupil & school_refusal[seat]
        addicted += internet_addiction[seat]
        reversed_rhythm += sleep_reversal[seat]
        in_care += care[seat] != no_care
        clinical_count += care[seat] == clinical
        depressed_count += depressed[seat]
    counts = np.zeros(EVERYONE_COUNTS + disorder_count, np.int64)
    counts[:EVERYONE_COUNTS] = (
        band,
        pupils,
        refusing,
        addicted,
        reversed_rhythm,
        in_care,
        depressed_count,
        clinical_count,
    )
    # Active disorders: codes 1-5 (all there are today) in one vectorized pass with an
    # accumulator each, which is about twice as fast as a pass per code; any further
    # codes one pass each.
    by_disorder = counts[EVERYONE_COUNTS:]
    first = np.zeros(FUSED_DISORDER_CODES + 1, np.int64)
    one = two = three = four = five = 0
    for seat in range(stop - start):
        code = disorder[seat] * ~disorder_remitted[seat]
        one += code == 1
        two += code == 2
        three += code == 3
        four += code == 4
        five += code == 5
    first[1:] = (one, two, three, four, five)
    fused = min(disorder_count, FUSED_DISORDER_CODES + 1)
    by_disorder[:fused] = first[:fused]
    for code in range(FUSED_DISORDER_CODES + 1, disorder_count):
        active = 0
        for seat in range(stop - start):
            active += (disorder[seat] == code) & ~disorder_remitted[seat]
        by_disorder[code] = active
    return counts


@numba.njit(cache=True)
def _census_of_the_few(
    everyone: np.ndarray,
    youths: Census,
    others: np.ndarray,
    marked: np.ndarray,
    qualified: np.ndarray,
    disorder_count: int,
    depression: int,
    band_start: int,
    band_end: int,
    adult_age: int,
    scar: float,
    codes: Codes,
) -> tuple[np.ndarray, float]:
    """The census from :func:`_everyone_counts` over everyone and the short lists.

    Args:
        everyone: :func:`_everyone_counts` over every seat.
        youths: The youth columns.
        others: As for :func:`census`.
        marked: As for :func:`census`.
        qualified: As for :func:`census`.
        disorder_count: As for :func:`census`.
        depression: As for :func:`census`.
        band_start: As for :func:`census`.
        band_end: As for :func:`census`.
        adult_age: As for :func:`census`.
        scar: As for :func:`census`.
        codes: State, track and care codes.

    Returns:
        What :func:`census` returns.
    """
    counts = np.zeros(len(CENSUS_FIELDS), np.int64)
    # The depressed among the well: everyone's count less the unwell's, below.
    depressed = everyone[DEPRESSED_AT]
    by_disorder = everyone[EVERYONE_COUNTS:].copy()
    state, age_weeks = youths.state, youths.age_weeks
    # The few not engaged: states, the withdrawn's measures, the unwell's disorders
    # taken off the counts among the well, and every category's disorders.
    by_category = np.zeros((len(UNWELL_CATEGORIES), disorder_count), np.int64)
    for seat in others:
        code = state[seat]
        age = age_weeks[seat]
        counts[code] += 1
        if youths.disorder[seat] > 0 and not youths.disorder_remitted[seat]:
            # others holds no engaged seat.
            category = _unwell_position(code, youths.narrow[seat], codes)
            by_category[category, youths.disorder[seat]] += 1
        if code == codes.withdrawn:
            counts[4] += age >= adult_age
            if youths.narrow[seat]:
                counts[5] += 1
                in_band = band_start <= age < band_end
                # A row of -1 is no episode (not the log's last row).
                row = youths.episode_row[seat]
                counts[6] += in_band and row >= 0 and qualified[row]
        if code == codes.at_risk or code == codes.withdrawn:
            if youths.disorder[seat] > 0 and not youths.disorder_remitted[seat]:
                by_disorder[youths.disorder[seat]] -= 1
            depressed -= youths.depressed[seat]
    # The few in a depressive episode that began in withdrawal, by their active latent
    # disorder (a person may have both): the well, then each unwell category.
    episodes = np.zeros((len(UNWELL_CATEGORIES) + 1, disorder_count), np.int64)
    for seat in sparse_true_seats(youths.depressed):
        code = state[seat]
        latent = youths.disorder[seat] * (not youths.disorder_remitted[seat])
        if code != codes.at_risk and code != codes.withdrawn:
            episodes[0, latent] += 1
        if code != 0:  # not ENGAGED (code 0, as counts[code] takes it)
            episodes[1 + _unwell_position(code, youths.narrow[seat], codes), latent] += 1
    counts[0] = len(state) - len(others)
    by_disorder[depression] += depressed
    counts[7:] = everyone[:EVERYONE_COUNTS]
    counts[7 + DEPRESSED_AT] = depressed
    scar_weeks = 0.0
    for seat in marked:
        if state[seat] != codes.withdrawn and age_weeks[seat] >= adult_age:
            scar_weeks += 1.0 - math.exp(-scar * float(youths.years_lost[seat]))
    return (
        np.concatenate((counts, by_disorder, by_category.ravel(), episodes.ravel())),
        scar_weeks,
    )
