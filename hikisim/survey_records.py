"""Survey records: the model measured at each survey date, as the run passes it.

The recorder knows, before the run, every week at which something is measured: each
calibration target's snapshot date, the Cabinet Office fieldwork dates of the
``snapshots`` contract, and each year's December (prevalences) and March (the MEXT
school year that ends then). At those weeks it hands a
:class:`~hikisim.snapshot.PopulationSnapshot` to :mod:`hikisim.surveys` (its arrays made
from the model as the measures read them), keeps the numbers and drops the snapshot.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from hikisim import surveys
from hikisim.clock import MONTH_START_WEEK, Calendar, parse_month, shift_month
from hikisim.snapshot import SCHOOL_YEAR_START_MONTH, PopulationSnapshot
from hikisim.states import WEEKS_PER_YEAR, State, Track
from hikisim.targets import Target

if TYPE_CHECKING:
    from hikisim.model import HikiModel

FIRST_YEAR = 1990
YEARLY_COLUMNS = (
    "year",
    "broad_prevalence_15_39",
    "narrow_prevalence_15_39",
    "broad_prevalence_40_64",
    "mext_refusal_junior_high",
    "mext_refusal_elementary_5_6",
    "eighty_fifty",
)
# The columns measured on each year's December snapshot and on the March snapshot that
# ends the school year starting in that year.
DECEMBER_COLUMNS = (
    "broad_prevalence_15_39",
    "narrow_prevalence_15_39",
    "broad_prevalence_40_64",
    "eighty_fifty",
)
MARCH_COLUMNS = ("mext_refusal_junior_high", "mext_refusal_elementary_5_6")
# Cross-sections of the yearly series are taken in December, as most Cabinet Office
# fieldwork was; the MEXT school year is counted in the March that ends it.
YEARLY_PREVALENCE_MONTH = 12
SCHOOL_YEAR_END_MONTH = 3

Measure = Callable[[PopulationSnapshot], None]


def take_snapshot(model: HikiModel, date: str) -> PopulationSnapshot:
    """What the surveys need from the model at the current week.

    Each column is made when a measure first reads it (most dates' measures read a few
    of them), so the snapshot must be measured before the model steps on.

    Args:
        model: The model.
        date: The calendar month of the current week, ``"YYYY-MM"``.
    """
    y, log = model.population.youths, model.episode_log
    weeks_into_year = (
        model.calendar.week_of_year(model.week) - MONTH_START_WEEK[SCHOOL_YEAR_START_MONTH - 1]
    ) % WEEKS_PER_YEAR

    def withdrawn() -> np.ndarray:
        return y.state == State.WITHDRAWN

    def in_episode() -> np.ndarray:
        # The withdrawn with an episode in the log (a row of -1 is none, not the last).
        return snapshot.withdrawn & (y.episode_row >= 0)

    def episode_rows() -> np.ndarray:
        # Their current episode's row in the log (row 0 for everyone else).
        return np.where(in_episode(), y.episode_row, 0)

    def onset_age() -> np.ndarray:
        if not len(log):
            return np.full(len(y), np.nan)
        return np.where(in_episode(), log.column("onset_age")[episode_rows()], np.nan)

    def treated_in_episode() -> np.ndarray:
        if not len(log):
            return np.zeros(len(y), bool)
        return in_episode() & log.column("treated")[episode_rows()]

    def studying_or_working() -> np.ndarray:
        track = y.track
        studying = (track == Track.SCHOOL) | (track == Track.UNIVERSITY) | (track == Track.WORK)
        return studying & ~snapshot.withdrawn

    makers: dict[str, Callable[[], np.ndarray]] = {
        "age_years": lambda: y.age_weeks / WEEKS_PER_YEAR,
        "male": y.male.copy,
        "withdrawn": withdrawn,
        "narrow": lambda: snapshot.withdrawn & y.narrow,
        "episode_weeks": lambda: np.where(snapshot.withdrawn, y.withdrawn_weeks, 0),
        "onset_age": onset_age,
        "disorder": y.disorder.copy,
        "depressed": y.depressed.copy,
        "ever_depressed": y.ever_depressed.copy,
        "ever_broad": y.ever_broad.copy,
        "ever_koyama": y.ever_koyama.copy,
        "ever_refused_school": y.ever_refused_school.copy,
        "refused_final_junior_high_year": y.refused_final_junior_high_year.copy,
        "school_year_refusal_weeks": y.school_year_refusal_weeks.copy,
        "pupil": lambda: (y.track == Track.SCHOOL) & (y.age_weeks < 18 * WEEKS_PER_YEAR),
        "studying_or_working": studying_or_working,
        "family_sought_help": lambda: model.population.families.sought_help[y.family],
        "treated_in_episode": treated_in_episode,
        "oldest_parent_age": lambda: model.parents.oldest_living_age(y.age_weeks / WEEKS_PER_YEAR),
    }
    week = model.week

    def at_this_week(make: Callable[[], np.ndarray]) -> Callable[[], np.ndarray]:
        # A column read once the model has stepped on would show a later week.
        def column() -> np.ndarray:
            if model.week != week:
                raise RuntimeError(f"the {date} snapshot was read after the model stepped on")
            return make()

        return column

    # The makers read ``snapshot`` (defined here) only when called, after this line.
    snapshot = PopulationSnapshot(
        date=date,
        weeks_into_school_year=int(weeks_into_year),
        **{name: at_this_week(make) for name, make in makers.items()},
    )
    return snapshot


def _nan_to_none(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _json_ready(value: Any) -> Any:
    """NaN (no one to count) becomes None, which JSON writes as null."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, float):
        return _nan_to_none(value)
    return value


class SurveyRecorder:
    """Measures the model at every survey date the run passes.

    Args:
        calendar: The run's calendar.
        total_weeks: Weeks in the run.
        targets: The calibration targets to measure.

    Attributes:
        targets: ``{target name: model value}`` (None where the run did not reach the
            target's date or the measure had no one to count).
        snapshots: ``{date: {band: band summary}}`` for the Cabinet Office dates.
        yearly: ``{year: {column: value}}``, one row per calendar year from 1990.
    """

    def __init__(self, calendar: Calendar, total_weeks: int, targets: dict[str, Target]) -> None:
        self.calendar = calendar
        self.targets: dict[str, float | None] = dict.fromkeys(targets)
        self.snapshots: dict[str, dict[str, dict[str, Any]]] = {}
        last_year = int(calendar.year_of(max(total_weeks - 1, 0)))
        self.yearly: dict[int, dict[str, float | None]] = {
            year: dict.fromkeys(YEARLY_COLUMNS[1:]) for year in range(FIRST_YEAR, last_year + 1)
        }
        self._due: dict[int, list[Measure]] = {}
        for name, target in targets.items():
            self._at(surveys.snapshot_date(target), self._target_measure(name, target))
        for date in surveys.SNAPSHOT_DATES:
            self._at(date, self._band_measure(date))
        for year in self.yearly:
            prevalences = self._yearly_measure(year, DECEMBER_COLUMNS)
            self._at(f"{year:04d}-{YEARLY_PREVALENCE_MONTH:02d}", prevalences)
            school_year = self._yearly_measure(year, MARCH_COLUMNS)
            self._at(f"{year + 1:04d}-{SCHOOL_YEAR_END_MONTH:02d}", school_year)
        self._due = {week: jobs for week, jobs in self._due.items() if 0 <= week < total_weeks}

    def _at(self, date: str, measure: Measure) -> None:
        week = self.calendar.week_of(date)
        if parse_month(date)[1] == SCHOOL_YEAR_END_MONTH:
            # A school year is counted whole: in the last week of March, not the first.
            week = self.calendar.week_of(shift_month(date, 0, months=1)) - 1
        self._due.setdefault(week, []).append(measure)

    def _target_measure(self, name: str, target: Target) -> Measure:
        def measure(snapshot: PopulationSnapshot) -> None:
            self.targets[name] = _nan_to_none(surveys.measure(target, snapshot))

        return measure

    def _band_measure(self, date: str) -> Measure:
        def measure(snapshot: PopulationSnapshot) -> None:
            self.snapshots[date] = {
                band: _json_ready(surveys.band_summary(snapshot, lo, hi))
                for band, (lo, hi) in surveys.SNAPSHOT_BANDS.items()
            }

        return measure

    def _yearly_measure(self, year: int, columns: tuple[str, ...]) -> Measure:
        def measure(snapshot: PopulationSnapshot) -> None:
            for column in columns:
                quantity, lo, hi = surveys.YEARLY_SERIES[column]
                self.yearly[year][column] = _nan_to_none(quantity(snapshot, lo, hi))

        return measure

    def observe(self, model: HikiModel, week: int) -> None:
        """Measure whatever is due at this week (called after the week is simulated).

        Args:
            model: The model.
            week: The absolute week just simulated.
        """
        jobs = self._due.get(week)
        if not jobs:
            return
        snapshot = take_snapshot(model, self.calendar.date_of(week))
        for job in jobs:
            job(snapshot)

    def yearly_rows(self) -> list[dict[str, Any]]:
        """The yearly series as rows with a ``year`` column, oldest first."""
        return [{"year": year, **row} for year, row in sorted(self.yearly.items())]
