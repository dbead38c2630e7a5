"""One compiled pass for a week's entries into withdrawal.

The rules (called by :meth:`hikisim.dynamics.Kernel._start_withdrawal`): a return within
26 weeks of leaving withdrawal continues the last episode (its log row is reopened and
its clock carries on), anyone else opens a new row in the episode log, every entrant
draws a severity, and adults outside school and retirement are out of work from then
on. A week has a few dozen entrants at 100,000 people, and the forty numpy calls these
rules took cost more than the work; every rule reads and writes one person's own
entries, so a pass over the entrants in seat order gives the same result as the numpy
code did.

Conversions keep the numpy code's rounding: the years lost lose the continued episode's
weeks in float64 and are stored as float32; the onset age is the age in weeks over 52 in
float64, stored as float32; the severity uniform is compared with the float32 share.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from hikisim.episodes import LogArrays


class EntrantColumns(NamedTuple):
    """The person columns the pass reads and updates (see ``hikisim.population.Youths``)."""

    state: np.ndarray
    narrow: np.ndarray
    left_withdrawal_week: np.ndarray
    episode_row: np.ndarray
    withdrawn_weeks: np.ndarray
    narrow_weeks: np.ndarray
    years_lost: np.ndarray
    person_id: np.ndarray
    male: np.ndarray
    age_weeks: np.ndarray
    disorder: np.ndarray
    ever_refused_school: np.ndarray
    family: np.ndarray
    care: np.ndarray
    track: np.ndarray


class EntryCodes(NamedTuple):
    """The codes and lengths the pass compares with (from hikisim.states and episodes)."""

    withdrawn: int
    school: int
    retired: int
    neither: int
    no_care: int
    ongoing: int
    relapsed: int
    continue_weeks: int
    adult_weeks: int
    weeks_per_year: int


@numba.njit(cache=True)
def start_withdrawal(
    seats: np.ndarray,
    severity: np.ndarray,
    narrow_share_32: np.float32,
    week: int,
    relapse: bool,
    people: tuple,
    sought_help: np.ndarray,
    log: tuple,
    first_row: int,
    codes: tuple,
) -> tuple[int, np.ndarray]:
    """Move people into WITHDRAWN, continuing or opening their episodes.

    Args:
        seats: The entrants (ascending, each once).
        severity: Each entrant's uniform of the severity stream (float32); below the
            share, the entrant is at the narrow severity.
        narrow_share_32: The share entering at the narrow severity, as float32.
        week: The absolute week.
        relapse: Whether they come from RECOVERING: a new episode then marks the last
            one as relapsed.
        people: The person columns, in the order of :class:`EntrantColumns` (this,
            ``log`` and ``codes`` are plain tuples, which numba types faster: see
            :func:`hikisim.kernels.plain_columns_of`); updated.
        sought_help: Whether each family has sought help.
        log: The episode log's columns, in the order of
            :class:`hikisim.episodes.LogArrays`, with room for a row per entrant from
            ``first_row`` on (:meth:`hikisim.episodes.EpisodeLog.spare_rows`); updated.
        first_row: The first row not in use.
        codes: State, track, care and outcome codes, and lengths in weeks, in the order
            of :class:`EntryCodes`.

    Returns:
        The number of new rows written from ``first_row`` (new episodes), and the adults
        whose track became NEITHER (ascending).
    """
    people, log, codes = EntrantColumns(*people), LogArrays(*log), EntryCodes(*codes)
    # Who continues an episode is decided first, and every log row the pass will write
    # to is checked with it, so that a bad one stops the pass before anything is
    # written (the numpy code raised on such a row as well).
    continues = np.empty(len(seats), np.bool_)
    for index in range(len(seats)):
        seat = seats[index]
        last_row = people.episode_row[seat]
        gap = week - people.left_withdrawal_week[seat]
        continues[index] = gap < codes.continue_weeks and last_row >= 0
        if (continues[index] and last_row >= first_row) or (
            relapse and not continues[index] and not 0 <= last_row < first_row
        ):
            raise IndexError("an entrant's episode row is not in use")
    adults = np.empty(len(seats), np.int64)
    n_adults = 0
    row = first_row
    for index in range(len(seats)):
        seat = seats[index]
        last_row = people.episode_row[seat]
        people.state[seat] = codes.withdrawn
        people.narrow[seat] = severity[index] < narrow_share_32
        if continues[index]:
            gap = week - people.left_withdrawal_week[seat]
            log.end_week[last_row] = -1
            log.outcome[last_row] = codes.ongoing
            log.interruptions[last_row] += 1
            log.interrupted_weeks[last_row] += gap
            people.withdrawn_weeks[seat] = log.weeks[last_row]
            # Those weeks were added to the years lost when the episode ended; they are
            # added again, with the rest, when it ends for good.
            lost = np.float64(people.years_lost[seat])
            people.years_lost[seat] = lost - people.withdrawn_weeks[seat] / codes.weeks_per_year
        else:
            if relapse:
                log.outcome[last_row] = codes.relapsed
            people.withdrawn_weeks[seat] = 0
            people.narrow_weeks[seat] = 0
            log.person_id[row] = people.person_id[seat]
            log.seat[row] = seat
            log.male[row] = people.male[seat]
            log.onset_week[row] = week
            log.onset_age[row] = people.age_weeks[seat] / codes.weeks_per_year
            log.end_week[row] = -1
            log.disorder[row] = people.disorder[seat]
            log.school_refusal_first[row] = people.ever_refused_school[seat]
            log.help_sought[row] = sought_help[people.family[seat]]
            log.treated[row] = people.care[seat] != codes.no_care
            log.treatment[row] = people.care[seat]
            log.relapse[row] = relapse
            people.episode_row[seat] = row
            row += 1
        track = people.track[seat]
        if (
            people.age_weeks[seat] >= codes.adult_weeks
            and track != codes.school
            and track != codes.retired
        ):
            people.track[seat] = codes.neither
            adults[n_adults] = seat
            n_adults += 1
    return row - first_row, adults[:n_adults].copy()
