"""Tests for the episode log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hikisim.episodes import COLUMNS, OUTCOMES, EpisodeLog
from hikisim.states import Care, Disorder


def open_episodes(log: EpisodeLog, week: int, seats: list[int]) -> np.ndarray:
    seats_array = np.array(seats)
    return log.open(
        week,
        person_id=seats_array + 100,
        seat=seats_array,
        male=np.ones(len(seats), bool),
        onset_age=np.full(len(seats), 20.5),
        disorder=np.full(len(seats), Disorder.DEPRESSION),
        treatment=np.full(len(seats), Care.NONE),
    )


def test_open_appends_ongoing_rows() -> None:
    log = EpisodeLog(capacity=4)
    rows = open_episodes(log, 7, [1, 2, 3])
    assert list(rows) == [0, 1, 2]
    assert len(log) == 3
    assert np.all(log.column("onset_week") == 7)
    assert np.all(log.column("end_week") == -1)
    assert np.all(log.column("outcome") == OUTCOMES.index("ongoing"))
    assert list(log.column("person_id")) == [101, 102, 103]
    # Columns not given start at zero.
    assert not log.column("hikikomori").any()


def test_log_grows_beyond_its_capacity_and_keeps_rows() -> None:
    log = EpisodeLog(capacity=2)
    open_episodes(log, 1, [5, 6])
    rows = open_episodes(log, 2, list(range(10, 20)))
    assert list(rows) == list(range(2, 12))
    assert len(log) == 12
    assert list(log.column("seat")[:2]) == [5, 6]
    assert list(log.column("onset_week")) == [1, 1] + [2] * 10


def test_set_and_close() -> None:
    log = EpisodeLog()
    rows = open_episodes(log, 3, [1, 2])
    log.set("hikikomori", rows[:1], True)
    log.close(rows[1:], 9, "recovering")
    assert list(log.column("hikikomori")) == [True, False]
    assert list(log.column("end_week")) == [-1, 9]
    assert OUTCOMES[log.column("outcome")[1]] == "recovering"


def test_to_frame_labels_and_shifts_weeks() -> None:
    log = EpisodeLog()
    rows = open_episodes(log, 100, [1, 2])
    log.set("weeks", rows, np.array([30, 5]))
    log.close(rows[1:], 105, "aged_out")
    frame = log.to_frame(horizon_start=104)
    assert list(frame.columns[:1]) == ["episode_id"]
    assert set(COLUMNS) <= set(frame.columns)
    assert {"censored", "secondary", "years"} <= set(frame.columns)
    assert list(frame["onset_week"]) == [-4, -4]
    assert pd.isna(frame["end_week"].iloc[0])
    assert frame["end_week"].iloc[1] == 1
    assert list(frame["censored"]) == [True, False]
    assert list(frame["outcome"]) == ["ongoing", "aged_out"]
    assert list(frame["disorder"]) == ["depression", "depression"]
    assert list(frame["treatment"]) == ["none", "none"]
    assert frame["secondary"].all()
    assert frame["years"].iloc[0] == round(30 / 52, 4)


def test_empty_log_gives_empty_frame() -> None:
    frame = EpisodeLog().to_frame(horizon_start=0)
    assert len(frame) == 0
    assert "episode_id" in frame.columns


def test_columns_not_given_are_zero_after_growth_and_unknown_names_are_refused() -> None:
    """Rows past the used ones stay zero through growth, so an open need not write them."""
    log = EpisodeLog(capacity=2)
    rows = open_episodes(log, 1, [5, 6])
    log.set("hikikomori", rows, True)
    log.set("interruptions", rows, 3)
    open_episodes(log, 2, list(range(10, 15)))  # grows the log
    assert list(log.column("hikikomori")) == [True, True] + [False] * 5
    assert list(log.column("interruptions")) == [3, 3] + [0] * 5
    with pytest.raises(KeyError, match="no_such_column"):
        log.open(3, seat=np.array([1]), no_such_column=np.array([1]))
    assert len(log) == 7  # nothing appended


def test_writes_past_the_rows_in_use_are_refused() -> None:
    """set, close and reopen reach only rows in use, so unused rows stay zeros."""
    log = EpisodeLog(capacity=8)
    open_episodes(log, 1, [5, 6])
    with pytest.raises(IndexError):
        log.set("hikikomori", np.array([2]), True)
    with pytest.raises(IndexError):
        log.close(np.array([5]), 3, "recovering")
    with pytest.raises(IndexError):
        log.reopen(np.array([2]), np.array([4]))
    open_episodes(log, 2, [7])
    assert not log.column("hikikomori")[2]
    assert log.column("end_week")[2] == -1
    assert log.column("interruptions")[2] == 0
