"""Parents (the 8050 problem): the data, the draws, and that they change nothing else."""

from __future__ import annotations

import copy
import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hikisim.errors import InputError
from hikisim.model import HikiModel
from hikisim.parents import (
    FATHER_AGE_RANGE,
    MOTHER_AGE_RANGE,
    Newcomers,
    Parents,
    build_parents,
    load_parent_data,
    renew_parents,
    renew_parents_of,
)
from hikisim.scenario import ParentsSettings, Scenario
from hikisim.simulation import run_model, write_outputs
from hikisim.states import WEEKS_PER_YEAR
from hikisim.streams import MECHANISMS

DATA = load_parent_data()


def hand_built(mother: list[float], father: list[float], deaths: list[tuple[float, float]]):
    """Parents for one person per entry: ages at the birth and (mother, father) death ages."""
    return Parents(
        person_id=np.arange(len(mother)),
        mother_age_at_birth=np.array(mother, np.float32),
        father_age_at_birth=np.array(father, np.float32),
        mother_death_age=np.array([m for m, _ in deaths], np.float32),
        father_death_age=np.array([f for _, f in deaths], np.float32),
    )


# --- data -------------------------------------------------------------------------------


def test_the_parents_stream_is_the_last_one() -> None:
    # Appended, so every other stream keeps its spawn key and its numbers; only the
    # streams added after it (issue 10's depression and remission) follow it.
    assert MECHANISMS[MECHANISMS.index("parents") + 1 :] == ("depression", "remission")
    assert MECHANISMS[:3] == ("population", "network", "turnover")


def test_survival_passes_through_the_life_table_points() -> None:
    # MHLW abridged life table 2005.
    men, women = DATA.father_survival, DATA.mother_survival
    assert men.survival(65.0) == pytest.approx(0.85606)
    assert men.survival(80.0) == pytest.approx(0.550)
    assert men.survival(81.49) == pytest.approx(0.5)
    assert women.survival(65.0) == pytest.approx(0.93069)
    assert women.survival(80.0) == pytest.approx(0.768)
    assert women.survival(88.27) == pytest.approx(0.5)
    ages = np.linspace(15.0, 110.0, 200)
    for curve in (men, women):
        assert np.all(np.diff(curve.survival(ages)) < 0)


def test_death_ages_invert_the_survival_curve() -> None:
    curve = DATA.mother_survival
    alive_at = np.array([25.0, 30.0, 70.0, 85.0, 95.0])
    uniforms = np.array([0.9, 0.5, 0.5, 0.1, 0.99])
    death = curve.death_ages(alive_at, uniforms)
    assert np.all(death >= alive_at)
    assert curve.survival(death) / curve.survival(alive_at) == pytest.approx(uniforms)
    # u = 1 dies at once; a median draw from birth dies at the table's median length of
    # life, 88.27 (the curve's H(0) is not quite 0, as it extends the adult segment).
    assert curve.death_ages(np.array([50.0]), np.array([1.0]))[0] == pytest.approx(50.0)
    assert curve.death_ages(np.array([0.0]), np.array([0.5]))[0] == pytest.approx(88.27, abs=0.01)


def test_mothers_mean_age_follows_the_vital_statistics() -> None:
    assert DATA.mother_age.at(1970.0) == 27.5
    assert DATA.mother_age.at(2005.0) == 30.4
    assert DATA.mother_age.at(1920.0) == DATA.mother_age.at(1950.0)
    assert DATA.father_gap.at(1980.0) == 2.6


def test_a_malformed_parents_file_is_refused(tmp_path: Path) -> None:
    text = (Path(__file__).parents[1] / "hikisim" / "data" / "parents.toml").read_text()
    broken = tmp_path / "parents.toml"
    broken.write_text(text.replace("survivors = [0.93069, 0.768, 0.5]", "survivors = [0.5, 0.7]"))
    with pytest.raises(InputError, match=r"survival\.female\.survivors"):
        load_parent_data(broken)
    broken.write_text(text.replace("[father_minus_mother_age]", "[father_gap]"))
    with pytest.raises(InputError, match="father_minus_mother_age"):
        load_parent_data(broken)


# --- the oldest living parent: known answers ----------------------------------------------


def test_oldest_living_age_of_hand_built_parents() -> None:
    parents = hand_built(
        mother=[30.0, 30.0, 30.0, 25.0],
        father=[33.0, 33.0, 33.0, 45.0],
        deaths=[(90.0, 90.0), (90.0, 70.0), (60.0, 70.0), (99.0, 99.0)],
    )
    ages = np.array([50.0, 50.0, 50.0, 50.0])
    oldest = parents.oldest_living_age(ages)
    assert oldest[0] == pytest.approx(83.0)  # both alive: the father is older
    assert oldest[1] == pytest.approx(80.0)  # the father died at 70: the mother
    assert math.isnan(oldest[2])  # both died
    assert oldest[3] == pytest.approx(95.0)


# Round ages often meet exactly (30 + 50 = 80: a parent who dies at the age reached).
ages = st.one_of(st.sampled_from([20.0, 30.0, 50.0, 80.0]), st.floats(0.0, 110.0, width=32))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(*[ages for _ in range(5)]), min_size=1, max_size=40))
def test_oldest_living_age_equals_numpy_fmax_of_the_living(
    people: list[tuple[float, float, float, float, float]],
) -> None:
    # The compiled pass against the numpy formula it replaced, bit for bit.
    age, mother, father, mother_death, father_death = (
        np.array(column) for column in zip(*people, strict=True)
    )
    parents = hand_built(
        list(mother), list(father), list(zip(mother_death, father_death, strict=True))
    )
    mother_age = age + parents.mother_age_at_birth
    father_age = age + parents.father_age_at_birth
    expected = np.fmax(
        np.where(mother_age < parents.mother_death_age, mother_age, np.nan),
        np.where(father_age < parents.father_death_age, father_age, np.nan),
    )
    np.testing.assert_array_equal(parents.oldest_living_age(age), expected)


# --- drawing parents ---------------------------------------------------------------------


def test_built_parents_are_plausible_and_siblings_share_them() -> None:
    model = HikiModel(Scenario().with_overrides({"population.youths": 4000, "run.years": 0.1}))
    parents, y = model.parents, model.population.youths
    assert np.array_equal(parents.person_id, y.person_id)
    lo, hi = MOTHER_AGE_RANGE
    assert np.all((parents.mother_age_at_birth >= lo) & (parents.mother_age_at_birth <= hi))
    lo, hi = FATHER_AGE_RANGE
    assert np.all((parents.father_age_at_birth >= lo) & (parents.father_age_at_birth <= hi))
    assert np.all(parents.mother_death_age >= parents.mother_age_at_birth)
    assert np.all(parents.father_death_age >= parents.father_age_at_birth)
    # Everyone alive in 1960 was born by 1950, when the data's mean was 28.
    assert parents.mother_age_at_birth.mean() == pytest.approx(28.0, abs=0.3)
    # Siblings of one family mostly share parents: the same birth dates and deaths.
    age = y.age_weeks / WEEKS_PER_YEAR
    mother_birth = age + parents.mother_age_at_birth
    same_family = y.family[1:] == y.family[:-1]
    shared = same_family & np.isclose(mother_birth[1:], mother_birth[:-1], atol=1e-3)
    assert np.count_nonzero(shared) >= 0.85 * np.count_nonzero(same_family)
    assert np.array_equal(
        parents.mother_death_age[1:][shared], parents.mother_death_age[:-1][shared]
    )


def test_renew_draws_parents_for_newcomers_only() -> None:
    model = HikiModel(Scenario().with_overrides({"population.youths": 500, "run.years": 0.1}))
    parents, y = model.parents, model.population.youths
    before = parents.mother_age_at_birth.copy()
    y.person_id[[3, 7]] = [10_000, 10_001]
    y.age_weeks[[3, 7]] = 10 * WEEKS_PER_YEAR
    rng = np.random.default_rng(1)
    renew_parents(parents, y, 2000.0, ParentsSettings(mother_age_sd=0.0), DATA, rng)
    changed = np.flatnonzero(parents.mother_age_at_birth != before)
    assert set(changed) <= {3, 7}
    assert np.array_equal(parents.person_id, y.person_id)
    # Born in 1990: with no spread, mothers are the data's mean age then.
    assert parents.mother_age_at_birth[[3, 7]] == pytest.approx([28.9, 28.9])
    renew_parents(parents, y, 2000.0, ParentsSettings(), DATA, rng)  # nobody new: no change
    assert parents.mother_age_at_birth[[3, 7]] == pytest.approx([28.9, 28.9])


def test_a_later_mean_age_at_birth_makes_parents_older() -> None:
    model = HikiModel(Scenario().with_overrides({"population.youths": 2000, "run.years": 0.1}))
    y = model.population.youths
    settings = ParentsSettings(mother_age_shift=5.0)
    older = build_parents(y, 1960.0, settings, DATA, np.random.default_rng(2))
    base = build_parents(y, 1960.0, ParentsSettings(), DATA, np.random.default_rng(2))
    assert older.mother_age_at_birth.mean() - base.mother_age_at_birth.mean() == pytest.approx(
        5.0, abs=0.2
    )


# --- parents change nothing else ---------------------------------------------------------


def _run_files(tmp_path: Path, name: str, overrides: dict[str, Any]) -> Path:
    scenario = Scenario().with_overrides({"population.youths": 600, "run.years": 1, **overrides})
    out = tmp_path / name
    write_outputs(run_model(scenario, seed=7), out)
    return out


def _without_parents(summary: dict[str, Any]) -> dict[str, Any]:
    for bands in summary["snapshots"].values():
        for entry in bands.values():
            entry.pop("parent_75plus_share")
    return summary


# The provenance that records the settings, which differ by design.
SETTINGS_RECORD = ("settings_hash", "overrides")


def _without_settings_record(path: Path) -> list[dict[str, str]]:
    """A CSV's rows, as written, without the columns that record the settings."""
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for column in SETTINGS_RECORD:
            row.pop(column)
    return rows


def _yearly(folder: Path) -> list[dict[str, str]]:
    with (folder / "yearly.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_parents_settings_change_no_other_output(tmp_path: Path) -> None:
    base = _run_files(tmp_path, "base", {})
    changed = _run_files(
        tmp_path,
        "changed",
        {"parents.mother_age_shift": 8.0, "parents.mother_age_sd": 1.0, "parents.father_gap_sd": 0},
    )
    # The settings differ, so their record does (the provenance says so); nothing else may.
    for name in ("weekly.csv", "episodes.csv"):
        assert _without_settings_record(base / name) == _without_settings_record(changed / name), (
            name
        )
    first = json.loads((base / "summary.json").read_text())
    second = json.loads((changed / "summary.json").read_text())
    for key in SETTINGS_RECORD:
        assert first.pop(key) != second.pop(key), key
    assert _without_parents(first) == _without_parents(second)
    base_rows, changed_rows = _yearly(base), _yearly(changed)
    for row in (*base_rows, *changed_rows):
        for column in SETTINGS_RECORD:
            row.pop(column)
    base_8050 = [row.pop("eighty_fifty") for row in base_rows]
    changed_8050 = [row.pop("eighty_fifty") for row in changed_rows]
    assert base_rows == changed_rows
    # The parents themselves did change: older parents reach 75 sooner.
    assert base_8050 != changed_8050


def test_renew_with_the_known_candidates_draws_the_same_parents() -> None:
    model = HikiModel(Scenario().with_overrides({"population.youths": 500, "run.years": 0.1}))
    y = model.population.youths
    y.person_id[[3, 7, 40]] = [10_000, 10_001, 10_002]
    y.age_weeks[[3, 7, 40]] = 10 * WEEKS_PER_YEAR
    scanned, told = copy.deepcopy(model.parents), copy.deepcopy(model.parents)
    renew_parents(scanned, y, 2000.0, ParentsSettings(), DATA, np.random.default_rng(5))
    # Seat 9 is a candidate without a new occupant; it must keep its parents.
    candidates = np.array([3, 7, 9, 40])
    renew_parents(told, y, 2000.0, ParentsSettings(), DATA, np.random.default_rng(5), candidates)
    for field in ("mother_age_at_birth", "father_age_at_birth", "mother_death_age", "person_id"):
        assert np.array_equal(getattr(scanned, field), getattr(told, field)), field


def test_the_model_renews_parents_of_this_weeks_newcomers() -> None:
    model = HikiModel(Scenario().with_overrides({"population.youths": 3000, "run.years": 1}))
    for _ in range(30):
        model.step()
        # Every seat's parents belong to its present occupant after each week.
        assert np.array_equal(model.parents.person_id, model.population.youths.person_id)


def test_weeks_stepped_on_the_kernel_alone_still_give_newcomers_parents() -> None:
    model = HikiModel(Scenario().with_overrides({"population.youths": 3000, "run.years": 1}))
    # Weeks the model did not see (a script driving the kernel directly), then one it did.
    for week in range(12):
        model.kernel.step(week)
    assert not np.array_equal(model.parents.person_id, model.population.youths.person_id)
    model.step()
    assert np.array_equal(model.parents.person_id, model.population.youths.person_id)


PARENT_FIELDS = (
    "person_id",
    "mother_age_at_birth",
    "father_age_at_birth",
    "mother_death_age",
    "father_death_age",
)


def test_weeks_of_newcomers_at_once_draw_what_week_by_week_calls_draw() -> None:
    model = HikiModel(Scenario().with_overrides({"population.youths": 500, "run.years": 0.1}))
    y = model.population.youths
    weekly, at_once = copy.deepcopy(model.parents), copy.deepcopy(model.parents)
    weeks = [(2000.0, [3, 7]), (2000.5, [40]), (2001.0, [8, 9, 100]), (2001.5, [200])]
    for offset, (_, seats) in enumerate(weeks):
        y.person_id[seats] = 10_000 + 10 * offset + np.arange(len(seats))
    y.age_weeks[:] = 10 * WEEKS_PER_YEAR
    y.person_id[9] = weekly.person_id[9]  # listed, but its occupant has not changed
    before = copy.deepcopy(weekly)

    rng = np.random.default_rng(11)
    batches = []
    for year, seats in weeks:
        candidates = np.array(seats)
        renew_parents(weekly, y, year, ParentsSettings(), DATA, rng, candidates)
        batches.append(Newcomers(candidates, year - y.age_weeks[candidates] / WEEKS_PER_YEAR))
    at_once_rng = np.random.default_rng(11)
    renew_parents_of(at_once, y, batches, ParentsSettings(), DATA, at_once_rng)
    for field in PARENT_FIELDS:
        assert np.array_equal(getattr(weekly, field), getattr(at_once, field)), field
        assert getattr(at_once, field)[9] == getattr(before, field)[9], field
    assert np.array_equal(at_once.person_id, y.person_id)
    # The stream is left where the week-by-week calls left it.
    assert at_once_rng.bit_generator.state == rng.bit_generator.state


def test_parents_read_every_week_equal_parents_read_at_the_end() -> None:
    scenario = Scenario().with_overrides({"population.youths": 3000, "run.years": 1})
    every_week, at_the_end = HikiModel(scenario), HikiModel(scenario)
    for _ in range(40):
        every_week.step()
        every_week.parents  # noqa: B018 (reading them draws the week's newcomers' parents)
        at_the_end.step()
    assert at_the_end._awaiting_parents  # some are still waiting
    for field in PARENT_FIELDS:
        assert np.array_equal(
            getattr(every_week.parents, field), getattr(at_the_end.parents, field)
        ), field
    assert np.array_equal(at_the_end.parents.person_id, at_the_end.population.youths.person_id)


def test_a_seat_in_two_batches_is_refused() -> None:
    """Its occupant changed twice: the first one's parents cannot be drawn any more."""
    model = HikiModel(Scenario().with_overrides({"population.youths": 500, "run.years": 0.1}))
    batches = [Newcomers(np.array([3, 7]), np.full(2, 1990.0))] * 2
    with pytest.raises(ValueError, match="two newcomers"):
        renew_parents_of(
            model.parents, model.population.youths, batches, ParentsSettings(), DATA, None
        )


def test_parents_of_rare_turnover_are_drawn_within_a_year() -> None:
    """With few newcomers a year, waiting is bounded in weeks, not in weeks with newcomers.

    30 people aged 10-39: a seat turns over every 30 years, but there are fewer than 52
    weeks with newcomers in 30 years, so a bound on waiting batches would let a seat
    take two newcomers while its first one's parents waited.
    """
    scenario = Scenario().with_overrides(
        {"population.youths": 30, "population.max_age": 39, "run.years": 40}
    )
    every_week, left_alone = HikiModel(scenario), HikiModel(scenario)
    for _ in range(1_600):
        every_week.step()
        every_week.parents  # noqa: B018 (reading them draws the week's newcomers' parents)
        left_alone.step()
    for field in PARENT_FIELDS:
        assert np.array_equal(
            getattr(every_week.parents, field), getattr(left_alone.parents, field)
        ), field
