"""The compiled entry into withdrawal against the numpy rules it replaced, bit for bit."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hikisim.dynamics import Kernel
from hikisim.episodes import OUTCOMES, EpisodeLog
from hikisim.model import HikiModel
from hikisim.population import NEVER_LEFT
from hikisim.scenario import Scenario
from hikisim.states import HIKIKOMORI_MIN_WEEKS, WEEKS_PER_YEAR, Care, State, Track

SIZE = 400
WEEK = 700


def former_start_withdrawal(kernel: Kernel, seats: np.ndarray, week: int, relapse: bool) -> int:
    """The numpy version of Kernel._start_withdrawal, kept here as the reference."""
    y, fam, log = kernel.youths, kernel.population.families, kernel.log
    severity_draw = kernel.streams.draw("severity")
    gap = week - y.left_withdrawal_week[seats]
    continues = (gap < HIKIKOMORI_MIN_WEEKS) & (y.episode_row[seats] >= 0)
    continuing, fresh = seats[continues], seats[~continues]
    y.state[seats] = State.WITHDRAWN
    y.narrow[seats] = severity_draw[seats] < kernel.scenario.dynamics.narrow_entry_share
    if len(continuing):
        rows = y.episode_row[continuing]
        log.reopen(rows, gap[continues])
        y.withdrawn_weeks[continuing] = log.column("weeks")[rows]
        y.years_lost[continuing] -= y.withdrawn_weeks[continuing] / WEEKS_PER_YEAR
    if relapse and len(fresh):
        log.set("outcome", y.episode_row[fresh], OUTCOMES.index("relapsed"))
    y.withdrawn_weeks[fresh] = 0
    y.narrow_weeks[fresh] = 0
    rows = log.open(
        week,
        person_id=y.person_id[fresh],
        seat=fresh,
        male=y.male[fresh],
        onset_age=y.age_weeks[fresh] / WEEKS_PER_YEAR,
        disorder=y.disorder[fresh],
        school_refusal_first=y.ever_refused_school[fresh],
        help_sought=fam.sought_help[y.family[fresh]],
        treated=y.care[fresh] != Care.NONE,
        treatment=y.care[fresh],
        relapse=np.full(len(fresh), relapse),
    )
    y.episode_row[fresh] = rows
    track = y.track[seats]
    adults = seats[
        (y.age_weeks[seats] >= 18 * WEEKS_PER_YEAR)
        & (track != Track.SCHOOL)
        & (track != Track.RETIRED)
    ]
    y.track[adults] = Track.NEITHER
    kernel.mark_stale(adults)
    return len(fresh)


def prepared_kernel(seed: int, relapse: bool) -> tuple[Kernel, np.ndarray]:
    """A tiny model's kernel with a varied set of entrants, some with past episodes."""
    model = HikiModel(
        Scenario().with_overrides({"population.youths": SIZE, "run.years": 20}), seed=seed
    )
    kernel, y = model.kernel, model.population.youths
    rng = np.random.default_rng(seed)
    kernel.streams.start_week(WEEK)
    # Past episodes: a log with rows for a third of the people, weeks and outcomes set.
    had = np.flatnonzero(rng.random(SIZE) < 0.35)
    # A log just full: the week's new rows make it grow.
    kernel.log = EpisodeLog(capacity=len(had))
    kernel.log.open(
        WEEK - 300,
        seat=had,
        person_id=y.person_id[had],
        onset_age=y.age_weeks[had] / WEEKS_PER_YEAR,
    )
    kernel.log.set("weeks", np.arange(len(had)), rng.integers(1, 200, len(had)))
    kernel.log.close(np.arange(len(had)), WEEK - 40, "recovering")
    y.episode_row[:] = -1
    y.episode_row[had] = np.arange(len(had))
    y.left_withdrawal_week[:] = NEVER_LEFT
    # Left withdrawal 1 to 60 weeks ago: some within the 26 weeks that continue it.
    y.left_withdrawal_week[had] = WEEK - rng.integers(1, 60, len(had))
    y.years_lost[had] = rng.random(len(had)).astype(np.float32) * 5
    y.care[:] = rng.integers(0, len(Care), SIZE)
    y.track[:] = rng.integers(0, len(Track), SIZE)
    y.age_weeks[:] = rng.integers(10 * WEEKS_PER_YEAR, 64 * WEEKS_PER_YEAR, SIZE)
    model.population.families.sought_help[:] = rng.random(len(model.population.families)) < 0.5
    pool = had if relapse else np.arange(SIZE)
    seats = np.sort(rng.choice(pool, min(len(pool), 60), replace=False)).astype(np.int64)
    return kernel, seats


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.booleans())
def test_entries_match_the_numpy_rules(seed: int, relapse: bool) -> None:
    compiled, seats = prepared_kernel(seed, relapse)
    reference = copy.deepcopy(compiled)
    opened = compiled._start_withdrawal(seats, WEEK, compiled.streams.draw("severity"), relapse)
    expected = former_start_withdrawal(reference, seats, WEEK, relapse)
    assert opened == expected
    for name, column in vars(compiled.youths).items():
        if isinstance(column, np.ndarray):
            assert column.dtype == getattr(reference.youths, name).dtype, name
            np.testing.assert_array_equal(column, getattr(reference.youths, name), err_msg=name)
    assert len(compiled.log) == len(reference.log)
    frame, expected_frame = compiled.log.to_frame(0), reference.log.to_frame(0)
    assert frame.equals(expected_frame)
    # The spare rows past those in use stay zeros, as EpisodeLog.open relies on.
    _, columns = compiled.log.spare_rows(0)
    assert all(not column[len(compiled.log) :].any() for column in columns)
    stale = np.concatenate(compiled._stale) if compiled._stale else np.zeros(0)
    expected_stale = np.concatenate(reference._stale) if reference._stale else np.zeros(0)
    assert sorted(stale.tolist()) == sorted(expected_stale.tolist())


def test_a_continued_episode_and_a_new_one_by_hand() -> None:
    kernel, _ = prepared_kernel(1, False)
    y, log = kernel.youths, kernel.log
    rows_before = len(log)
    back, new = 5, 6
    y.episode_row[[back, new]] = (0, -1)
    y.left_withdrawal_week[[back, new]] = (WEEK - 3, NEVER_LEFT)
    y.years_lost[back] = np.float32(2.0)
    log.set("weeks", np.array([0]), 52)
    y.age_weeks[[back, new]] = (30 * WEEKS_PER_YEAR, 16 * WEEKS_PER_YEAR)
    y.track[[back, new]] = (Track.WORK, Track.SCHOOL)
    seats = np.array([back, new], np.int64)
    assert kernel._start_withdrawal(seats, WEEK, kernel.streams.draw("severity"), False) == 1
    assert (y.state[seats] == State.WITHDRAWN).all()
    # The continued episode: reopened, its 52 weeks back on the clock and off the years.
    assert log.column("end_week")[0] == -1 and log.column("interruptions")[0] == 1
    assert log.column("interrupted_weeks")[0] == 3
    assert y.withdrawn_weeks[back] == 52 and y.years_lost[back] == np.float32(1.0)
    # The new one: the next row, opened this week at age 16.
    assert len(log) == rows_before + 1 and y.episode_row[new] == rows_before
    assert log.column("onset_week")[-1] == WEEK and log.column("seat")[-1] == new
    assert log.column("onset_age")[-1] == np.float32(16.0)
    # The working adult is out of work; the pupil stays at school.
    assert (y.track[back], y.track[new]) == (Track.NEITHER, Track.SCHOOL)


def test_an_entrant_whose_row_is_not_in_use_stops_the_pass_before_any_write() -> None:
    kernel, seats = prepared_kernel(2, True)
    y = kernel.youths
    before = {
        name: column.copy() for name, column in vars(y).items() if isinstance(column, np.ndarray)
    }
    log_before = kernel.log.to_frame(0)
    # A relapse whose last episode has no row (it can only come from a broken state).
    y.episode_row[seats[-1]] = -1
    before["episode_row"] = y.episode_row.copy()
    with pytest.raises(IndexError, match="not in use"):
        kernel._start_withdrawal(seats, WEEK, kernel.streams.draw("severity"), True)
    for name, column in before.items():
        np.testing.assert_array_equal(getattr(y, name), column, err_msg=name)
    assert kernel.log.to_frame(0).equals(log_before)
    _, columns = kernel.log.spare_rows(0)
    assert all(not column[len(kernel.log) :].any() for column in columns)
