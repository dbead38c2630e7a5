"""The episode log: one row per spell of complete withdrawal.

An episode starts when a person enters WITHDRAWN and ends when the person leaves it
(recovery), ages out, or the run ends (censored). A return to withdrawal within 26 weeks
of leaving it continues the same episode: its row is reopened, its clock carries on, and
the interruption is counted. It *qualifies* as hikikomori once it has lasted 26 weeks,
if it began before age 30. The survey-style statistics of
current cases are read from this log and from the youths' arrays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from hikisim.programmes import programmes_in_bitmask
from hikisim.states import WEEKS_PER_YEAR, Care, Disorder

OUTCOMES = ("ongoing", "recovering", "reintegrated", "relapsed", "aged_out")

COLUMNS: dict[str, type] = {
    "person_id": np.int64,
    "seat": np.int32,
    "male": np.bool_,
    "onset_week": np.int32,
    "onset_age": np.float32,
    "end_week": np.int32,
    "weeks": np.int32,
    "hikikomori": np.bool_,
    "disorder": np.int8,
    "school_refusal_first": np.bool_,
    "help_sought": np.bool_,
    "treated": np.bool_,
    "treatment": np.int8,
    "relapse": np.bool_,
    "interruptions": np.int16,
    "interrupted_weeks": np.int32,
    "programmes": np.int32,
    "outcome": np.int8,
}


class LogArrays(NamedTuple):
    """Every column of the log, whole (the rows in use, then spare rows of zeros)."""

    person_id: np.ndarray
    seat: np.ndarray
    male: np.ndarray
    onset_week: np.ndarray
    onset_age: np.ndarray
    end_week: np.ndarray
    weeks: np.ndarray
    hikikomori: np.ndarray
    disorder: np.ndarray
    school_refusal_first: np.ndarray
    help_sought: np.ndarray
    treated: np.ndarray
    treatment: np.ndarray
    relapse: np.ndarray
    interruptions: np.ndarray
    interrupted_weeks: np.ndarray
    programmes: np.ndarray
    outcome: np.ndarray


def programme_names(bits: int) -> str:
    """Names of the programmes in a bitmask, joined by ``;``."""
    return ";".join(programmes_in_bitmask(bits))


class EpisodeLog:
    """Growable columnar log of episodes.

    Attributes:
        size: Number of rows used.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        self._columns = {name: np.zeros(capacity, dtype) for name, dtype in COLUMNS.items()}

    def __len__(self) -> int:
        return self.size

    def column(self, name: str) -> np.ndarray:
        """A view of one column over the rows in use."""
        return self._columns[name][: self.size]

    def _reserve(self, extra: int) -> None:
        capacity = len(self._columns["seat"])
        if self.size + extra <= capacity:
            return
        new_capacity = max(2 * capacity, self.size + extra)
        for name, values in self._columns.items():
            grown = np.zeros(new_capacity, values.dtype)
            grown[: self.size] = values[: self.size]
            self._columns[name] = grown

    def spare_rows(self, extra: int) -> tuple[int, LogArrays]:
        """Room for ``extra`` more rows, for a compiled pass that writes them itself.

        The pass fills rows from the first free one on and then hands the count it used
        to :meth:`take_rows`; until then the rows are not in use. A pass that fails must
        write nothing (the rows past those in use must stay zeros, as :meth:`open`
        relies on).

        Args:
            extra: The most rows the pass may write.

        Returns:
            The first free row (:attr:`size`), and every column, whole and not copied:
            the rows in use, then spare rows of zeros.
        """
        self._reserve(extra)
        return self.size, LogArrays(**self._columns)

    def take_rows(self, count: int) -> None:
        """Count as in use the ``count`` rows a compiled pass wrote after the rows in use.

        Args:
            count: How many rows it wrote (no more than :meth:`spare_rows` made room for).

        Raises:
            ValueError: If ``count`` is negative or more than the spare rows.
        """
        if not 0 <= count <= len(self._columns["seat"]) - self.size:
            raise ValueError(f"{count} rows cannot be taken: {self.size} in use")
        self.size += count

    def open(self, week: int, **values: np.ndarray) -> np.ndarray:
        """Append new, ongoing episodes.

        Args:
            week: The onset week.
            **values: One array per column to fill (seat, person_id, ...); the other
                columns start at 0.

        Raises:
            KeyError: If a name is not a column.

        Returns:
            The new rows' indices.
        """
        unknown = values.keys() - self._columns.keys()
        if unknown:
            raise KeyError(f"not episode log columns: {sorted(unknown)}")
        count = len(values["seat"])
        self._reserve(count)
        start = self.size
        self.size += count
        # The new rows are contiguous: slices write them without an index array. Rows
        # past ``size`` are all zeros (the columns start and grow as zeros, and ``size``
        # never falls), so the columns not given need no write.
        new_rows = slice(start, start + count)
        for name, column in values.items():
            self._columns[name][new_rows] = column
        self._columns["onset_week"][new_rows] = week
        self._columns["end_week"][new_rows] = -1
        return np.arange(start, start + count)

    def set(self, name: str, rows: np.ndarray, value: np.ndarray | int | bool) -> None:
        """Write a value into one column for the given rows (rows in use only).

        Writes go through the rows in use (:meth:`column`), so a row past them raises
        IndexError and the unused rows stay zeros, as :meth:`open` relies on.
        """
        self.column(name)[rows] = value

    def close(self, rows: np.ndarray, week: int, outcome: str) -> None:
        """End episodes with an outcome (rows in use only, as :meth:`set`)."""
        self.column("end_week")[rows] = week
        self.column("outcome")[rows] = OUTCOMES.index(outcome)

    def reopen(self, rows: np.ndarray, gap_weeks: np.ndarray) -> None:
        """Continue ended episodes after a short interruption.

        Args:
            rows: The episodes' rows (in use only, as :meth:`set`).
            gap_weeks: Weeks each spent out of withdrawal.
        """
        self.column("end_week")[rows] = -1
        self.column("outcome")[rows] = OUTCOMES.index("ongoing")
        self.column("interruptions")[rows] += 1
        self.column("interrupted_weeks")[rows] += gap_weeks.astype(np.int32)

    def to_frame(self, horizon_start: int) -> pd.DataFrame:
        """The log as a table, weeks counted from the start of the horizon.

        Args:
            horizon_start: The absolute week the horizon began; earlier weeks are negative.

        Returns:
            One row per episode with readable labels.
        """
        data = {name: self.column(name).copy() for name in COLUMNS}
        frame = pd.DataFrame(data)
        frame.insert(0, "episode_id", np.arange(self.size))
        ongoing = frame["end_week"] < 0
        frame["onset_week"] -= horizon_start
        frame["end_week"] = frame["end_week"].where(ongoing, frame["end_week"] - horizon_start)
        frame["end_week"] = frame["end_week"].astype("Int64").mask(ongoing)
        frame["censored"] = ongoing
        frame["secondary"] = frame["disorder"] != Disorder.NONE
        frame["disorder"] = [Disorder(code).name.lower() for code in frame["disorder"]]
        frame["treatment"] = [Care(code).name.lower() for code in frame["treatment"]]
        frame["outcome"] = [OUTCOMES[code] for code in frame["outcome"]]
        frame["programmes"] = [programme_names(int(bits)) for bits in frame["programmes"]]
        frame["years"] = frame["weeks"] / WEEKS_PER_YEAR
        frame["onset_age"] = frame["onset_age"].round(3)
        frame["years"] = frame["years"].round(4)
        return frame
