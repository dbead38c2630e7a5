"""What a survey sees of the model's people at one date.

A :class:`PopulationSnapshot` holds the per-person arrays that the survey measures
(:mod:`hikisim.surveys`) need. The model takes one at each survey date and at each
year's measurement points; the survey layer never reads the model itself, so it can be
tested on hand-built populations with known answers.

A column is given either as an array or as a function that makes it. The model gives
functions: a date's measures read a few of the twenty columns (the yearly prevalences
read six), and making all of them cost a few milliseconds at 100,000 people, twice a
simulated year. The functions run while the model stands at the snapshot's week.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

import numpy as np

# 30 school days absent, at five school days a week (MEXT's futoko threshold).
MEXT_ABSENCE_WEEKS = 6
# The Japanese school year starts in April.
SCHOOL_YEAR_START_MONTH = 4

Column = np.ndarray | Callable[[], np.ndarray]
"""A snapshot column as given: the array, or a function that makes it on first use."""


class _Column:
    """A snapshot's column: the array it was given, or made by its function once."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, snapshot: None, owner: type | None = None) -> _Column: ...

    @overload
    def __get__(self, snapshot: PopulationSnapshot, owner: type | None = None) -> np.ndarray: ...

    def __get__(
        self, snapshot: PopulationSnapshot | None, owner: type | None = None
    ) -> np.ndarray | _Column:
        """The column of ``snapshot`` (made now if given as a function), or this descriptor."""
        if snapshot is None:
            return self
        source = snapshot._sources[self.name]
        value = source() if callable(source) else source
        # Kept on the instance, whose attribute this descriptor (it has no __set__)
        # yields to from then on.
        snapshot.__dict__[self.name] = value
        return value


class PopulationSnapshot:
    """The model's people at one calendar date (one entry per person in every array).

    Attributes:
        date: The calendar month of the snapshot, ``"YYYY-MM"``.
        age_years: Exact age in years (float).
        male: Whether the person is male.
        withdrawn: In a withdrawal episode now, at either severity (quasi or narrow).
        narrow: Withdrawn now at the narrow severity (a subset of ``withdrawn``).
        episode_weeks: Weeks withdrawn so far in the current episode (0 if none); a
            return within 26 weeks continues the episode, so its weeks carry on.
        onset_age: Age at the onset of the current episode (NaN if none).
        disorder: :class:`~hikisim.states.Disorder` code of the person's lifetime
            (latent) disorder, 0 for none.
        depressed: In a depression that developed during withdrawal, now.
        ever_depressed: Has had a depression that developed during withdrawal.
        ever_broad: Ever had an episode (either severity) that lasted 26+ weeks,
            the current one included.
        ever_koyama: Ever had an episode with 26+ weeks at the narrow severity (the
            koyama definition's complete withdrawal).
        ever_refused_school: Ever absent 6+ weeks (30+ days) in one school year at
            elementary or junior-high age (the mext definition, ages 6-15).
        refused_final_junior_high_year: Absent 6+ weeks in the school year of the third
            junior-high grade (ages 14-15).
        school_year_refusal_weeks: Weeks absent through refusal so far in the school year
            that contains the date.
        pupil: Enrolled at school (elementary to high school) now.
        studying_or_working: At school, university or work now.
        family_sought_help: The person's family has contacted a help service.
        treated_in_episode: Has been in treatment or support at some point of the
            current episode.
        oldest_parent_age: Age in years of the person's oldest living parent (NaN if
            both parents have died).
        weeks_into_school_year: Weeks since the school year started (April), at the
            date; the same for everyone.
    """

    age_years = _Column()
    male = _Column()
    withdrawn = _Column()
    narrow = _Column()
    episode_weeks = _Column()
    onset_age = _Column()
    disorder = _Column()
    depressed = _Column()
    ever_depressed = _Column()
    ever_broad = _Column()
    ever_koyama = _Column()
    ever_refused_school = _Column()
    refused_final_junior_high_year = _Column()
    school_year_refusal_weeks = _Column()
    pupil = _Column()
    studying_or_working = _Column()
    family_sought_help = _Column()
    treated_in_episode = _Column()
    oldest_parent_age = _Column()

    # The class body's namespace so far: the columns above, in their order.
    COLUMNS: tuple[str, ...] = tuple(
        name for name, value in dict(locals()).items() if isinstance(value, _Column)
    )
    """The names of the per-person columns, in the order above."""

    def __init__(self, date: str, weeks_into_school_year: int, **columns: Column) -> None:
        """Make a snapshot from every column (arrays or functions, see :data:`Column`).

        Args:
            date: The calendar month, ``"YYYY-MM"``.
            weeks_into_school_year: Weeks since the school year started.
            **columns: One entry per name in :attr:`COLUMNS`.

        Raises:
            TypeError: If a column is missing or not one of :attr:`COLUMNS`.
        """
        missing = [name for name in self.COLUMNS if name not in columns]
        unknown = sorted(set(columns) - set(self.COLUMNS))
        if missing or unknown:
            raise TypeError(f"snapshot columns missing: {missing}; not columns: {unknown}")
        self.date = date
        self.weeks_into_school_year = weeks_into_school_year
        self._sources: dict[str, Column] = columns

    def replace(self, **changes: Any) -> PopulationSnapshot:
        """A snapshot with some columns (or the date or week) changed, the rest shared.

        Args:
            **changes: New values by name.

        Returns:
            The new snapshot; columns not yet made stay functions, made on first read.
        """
        given: dict[str, Any] = {
            "date": self.date,
            "weeks_into_school_year": self.weeks_into_school_year,
            **self._sources,
            **{name: value for name, value in vars(self).items() if name in self.COLUMNS},
        }
        return PopulationSnapshot(**(given | changes))

    def __len__(self) -> int:
        return len(self.age_years)
