"""Snapshots: columns made on first read, and the model's snapshot column by column."""

from __future__ import annotations

import numpy as np
import pytest

from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.snapshot import PopulationSnapshot
from hikisim.states import WEEKS_PER_YEAR, State, Track
from hikisim.survey_records import take_snapshot


def _columns(size: int) -> dict[str, np.ndarray]:
    return {name: np.zeros(size) for name in PopulationSnapshot.COLUMNS}


def test_a_column_given_as_a_function_is_made_once_and_only_when_read() -> None:
    calls: list[str] = []

    def made(name: str) -> np.ndarray:
        calls.append(name)
        return np.arange(3.0)

    columns: dict[str, object] = dict(_columns(3))
    columns["onset_age"] = lambda: made("onset_age")
    columns["oldest_parent_age"] = lambda: made("oldest_parent_age")
    snapshot = PopulationSnapshot(date="2015-12", weeks_into_school_year=0, **columns)

    assert calls == []
    assert snapshot.onset_age.tolist() == [0.0, 1.0, 2.0]
    assert snapshot.onset_age is snapshot.onset_age
    assert calls == ["onset_age"]
    assert len(snapshot) == 3 and snapshot.age_years.tolist() == [0.0, 0.0, 0.0]

    # A changed copy keeps the columns not yet made as functions.
    moved = snapshot.replace(date="2016-03", age_years=np.ones(3))
    assert (moved.date, moved.age_years.tolist()) == ("2016-03", [1.0, 1.0, 1.0])
    assert calls == ["onset_age"]
    assert moved.oldest_parent_age.tolist() == [0.0, 1.0, 2.0]
    assert calls == ["onset_age", "oldest_parent_age"]


def test_missing_or_unknown_columns_are_refused() -> None:
    columns = _columns(2)
    del columns["pupil"]
    with pytest.raises(TypeError, match="missing: \\['pupil'\\]"):
        PopulationSnapshot(date="2015-12", weeks_into_school_year=0, **columns)
    with pytest.raises(TypeError, match="not columns: \\['pupils'\\]"):
        PopulationSnapshot(
            date="2015-12", weeks_into_school_year=0, **_columns(2), pupils=np.zeros(2)
        )


def test_the_model_snapshot_reads_the_model_at_its_week() -> None:
    # Long enough for episodes, care and a year's newcomers awaiting their parents.
    scenario = Scenario().with_overrides(
        {"population.youths": 3000, "run.burn_in_years": 6, "run.years": 1}
    )
    model = HikiModel(scenario, seed=3)
    for _ in range(6 * WEEKS_PER_YEAR):
        model.step()
    y, log = model.population.youths, model.episode_log
    withdrawn = y.state == State.WITHDRAWN
    assert withdrawn.any() and len(log)
    rows = np.where(withdrawn, y.episode_row, 0)
    expected = {
        "age_years": y.age_weeks / WEEKS_PER_YEAR,
        "male": y.male,
        "withdrawn": withdrawn,
        "narrow": withdrawn & y.narrow,
        "episode_weeks": np.where(withdrawn, y.withdrawn_weeks, 0),
        "onset_age": np.where(withdrawn, log.column("onset_age")[rows], np.nan),
        "disorder": y.disorder,
        "depressed": y.depressed,
        "ever_depressed": y.ever_depressed,
        "ever_broad": y.ever_broad,
        "ever_koyama": y.ever_koyama,
        "ever_refused_school": y.ever_refused_school,
        "refused_final_junior_high_year": y.refused_final_junior_high_year,
        "school_year_refusal_weeks": y.school_year_refusal_weeks,
        "pupil": (y.track == Track.SCHOOL) & (y.age_weeks < 18 * WEEKS_PER_YEAR),
        "studying_or_working": np.isin(y.track, [Track.SCHOOL, Track.UNIVERSITY, Track.WORK])
        & ~withdrawn,
        "family_sought_help": model.population.families.sought_help[y.family],
        "treated_in_episode": withdrawn & log.column("treated")[rows],
        "oldest_parent_age": model.parents.oldest_living_age(y.age_weeks / WEEKS_PER_YEAR),
    }
    snapshot = take_snapshot(model, "2000-12")
    assert set(expected) == set(PopulationSnapshot.COLUMNS)
    for name, values in expected.items():
        if name == "ever_koyama":
            continue  # left unread, for the check below
        column = getattr(snapshot, name)
        assert column.dtype == np.asarray(values).dtype, name
        np.testing.assert_array_equal(column, values, err_msg=name)
    # Copies, not views: the model's next week does not change what was measured.
    assert not np.shares_memory(snapshot.male, y.male)
    # A column not read before the model steps on is refused, not taken from a later week.
    model.step()
    assert snapshot.pupil.dtype == bool  # made before the step
    with pytest.raises(RuntimeError, match="after the model stepped on"):
        _ = snapshot.ever_koyama
