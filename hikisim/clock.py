"""The model's calendar: which month and year each simulated week falls in.

A model year has exactly 52 weeks, the same year in which people age, so a person born
in a given month is always the same age at the same calendar month. The calendar drifts
from the civil one by about a day a year, which no survey date is precise enough to see.
Month ``m`` of a year starts at week ``round((m - 1) * 52 / 12)`` of that year.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from hikisim.states import WEEKS_PER_YEAR

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The first week of each month within a 52-week year.
MONTH_START_WEEK = tuple(round(month * WEEKS_PER_YEAR / 12) for month in range(12))


def parse_month(text: str) -> tuple[int, int]:
    """Split ``"YYYY-MM"`` into year and month.

    Raises:
        ValueError: If the text is not a month in that form.
    """
    match = MONTH_PATTERN.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a month written YYYY-MM")
    return int(match.group(1)), int(match.group(2))


def shift_month(text: str, years: int, months: int = 0) -> str:
    """The month ``years`` and ``months`` later (earlier if negative)."""
    year, month = parse_month(text)
    year, month0 = divmod(year * 12 + month - 1 + years * 12 + months, 12)
    return f"{year:04d}-{month0 + 1:02d}"


@dataclass(frozen=True)
class Calendar:
    """Maps the model's week numbers (0 = the first week of the run) to dates.

    Args:
        start: The month the run starts, ``"YYYY-MM"``.
    """

    start: str

    # Cached: read several times a week, and parsing the month each time cost more.
    @functools.cached_property
    def start_week(self) -> int:
        """The first week of the run, counted in weeks since year 0 of the calendar."""
        year, month = parse_month(self.start)
        return year * WEEKS_PER_YEAR + MONTH_START_WEEK[month - 1]

    def week_of(self, date: str) -> int:
        """The run week in which a month starts (negative if before the run).

        Args:
            date: ``"YYYY-MM"``.
        """
        year, month = parse_month(date)
        return year * WEEKS_PER_YEAR + MONTH_START_WEEK[month - 1] - self.start_week

    def year_of(self, week: int) -> float:
        """The calendar time of a run week as a fractional year (for the drivers)."""
        return (self.start_week + week) / WEEKS_PER_YEAR

    def date_of(self, week: int) -> str:
        """The month (``"YYYY-MM"``) a run week falls in."""
        year, within = divmod(self.start_week + week, WEEKS_PER_YEAR)
        month = max(m for m in range(12) if MONTH_START_WEEK[m] <= within) + 1
        return f"{year:04d}-{month:02d}"

    def week_of_year(self, week: int) -> int:
        """The week within its calendar year (0-51) of a run week."""
        return (self.start_week + week) % WEEKS_PER_YEAR
