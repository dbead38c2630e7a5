"""Tests for the population arrays: youths, families and schools."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from hikisim import population as population_module
from hikisim.population import (
    MIN_AGE_WEEKS,
    NEVER_LEFT,
    _disorder_codes,
    build_population,
    draw_traits,
)
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR, Care, Disorder, State, Track


def build(youths: int, seed: int = 7, **overrides: object):
    scenario = Scenario().with_overrides({"population.youths": youths, **overrides})
    return scenario, build_population(scenario, np.random.default_rng(seed))


@pytest.mark.parametrize("youths", [10, 11, 301, 2_000])
def test_sizes_match_the_scenario(youths: int) -> None:
    scenario, population = build(youths)
    assert len(population.youths) == youths
    assert len(population.families) == population.youths.family.max() + 1
    expected_schools = max(1, round(youths / scenario.population.school_catchment))
    assert len(population.schools) == expected_schools
    for name in ("state", "age_weeks", "family", "school", "disorder", "episode_row"):
        assert len(getattr(population.youths, name)) == youths


def test_families_hold_one_to_three_youths() -> None:
    _, population = build(5_000)
    sizes = np.bincount(population.youths.family)
    assert sizes.min() >= 1
    assert sizes.max() <= 3
    # Family members sit next to each other, in family order.
    assert np.all(np.diff(population.youths.family) >= 0)


def test_family_size_weights_are_respected() -> None:
    weights = (0.2, 0.3, 0.5)
    _, population = build(60_000, **{"population.family_size_weights": weights})
    sizes = np.bincount(population.youths.family)
    shares = np.bincount(sizes, minlength=4)[1:] / len(sizes)
    assert shares == pytest.approx(weights, abs=0.02)


@pytest.mark.parametrize("max_age", [39, 64])
def test_ages_lie_in_the_model_band(max_age: int) -> None:
    _, population = build(6_000, **{"population.max_age": max_age})
    ages = population.youths.age_weeks
    assert ages.min() >= 10 * WEEKS_PER_YEAR
    assert ages.max() < (max_age + 1) * WEEKS_PER_YEAR
    assert MIN_AGE_WEEKS == 520
    # Ages spread over the whole band, roughly uniformly.
    cohorts = max_age + 1 - 10
    counts = np.bincount(population.youths.age_years - 10, minlength=cohorts)
    assert len(counts) == cohorts
    assert counts.min() > 0.5 * counts.mean()


def test_youths_live_in_their_family_school() -> None:
    _, population = build(3_000)
    youths, families = population.youths, population.families
    assert np.array_equal(youths.school, families.school[youths.family])
    assert youths.school.max() < len(population.schools)


def test_classes_group_one_school_and_one_birth_year() -> None:
    scenario, population = build(3_000)
    youths = population.youths
    for class_id in np.unique(youths.school_class):
        members = youths.school_class == class_id
        assert len(np.unique(youths.school[members])) == 1
        assert len(np.unique(youths.age_years[members])) == 1
        assert members.sum() <= scenario.population.class_size


def test_classes_of_a_big_cohort_in_one_catchment_stay_apart() -> None:
    # One school, 31 birth years of 3,000 people, classes of 2: 1,500 classes a cohort,
    # more than the 1,024 a fixed key spacing once allowed (cohorts then merged).
    weeks = WEEKS_PER_YEAR * (10 + np.repeat(np.arange(31), 3_000)) + 7
    school = np.zeros(len(weeks), np.int64)
    classes = population_module._classes(school, weeks, 2)
    assert len(np.unique(classes)) == 31 * 1_500
    for class_id in np.unique(classes)[::97]:
        members = classes == class_id
        assert members.sum() == 2
        assert len(np.unique(weeks[members])) == 1
    # A hand-sized case: ids follow (school, cohort, class) in order.
    small = population_module._classes(
        np.array([1, 0, 0, 0, 1]), np.array([10, 11, 10, 10, 10]) * WEEKS_PER_YEAR, 2
    )
    assert small.tolist() == [2, 1, 0, 0, 2]


def test_everyone_starts_engaged_without_history() -> None:
    _, population = build(1_000)
    youths = population.youths
    assert np.all(youths.state == State.ENGAGED)
    assert np.all(youths.track == Track.SCHOOL)
    assert np.all(youths.care == Care.NONE)
    assert np.all(youths.episode_row == -1)
    assert not youths.ever_hikikomori.any()
    assert not youths.school_refusal.any()
    assert np.array_equal(youths.person_id, np.arange(1_000))


def test_disorder_shares_match_prevalences() -> None:
    scenario, population = build(200_000)
    n = len(population.youths)
    ind = scenario.individual
    prevalences = {
        Disorder.SCHIZOPHRENIA: ind.schizophrenia_prevalence,
        Disorder.SOCIAL_ANXIETY: ind.social_anxiety_prevalence,
        Disorder.DEPRESSION: ind.depression_prevalence,
        Disorder.AUTISM_SPECTRUM: ind.autism_prevalence,
        Disorder.AVOIDANT_PERSONALITY: ind.avoidant_personality_prevalence,
    }
    counts = np.bincount(population.youths.disorder, minlength=len(Disorder))
    for disorder, prevalence in prevalences.items():
        standard_error = np.sqrt(prevalence * (1 - prevalence) / n)
        assert abs(counts[disorder] / n - prevalence) < 5 * standard_error + 1e-9, disorder.name
    none_share = 1 - sum(prevalences.values())
    assert counts[Disorder.NONE] / n == pytest.approx(none_share, abs=0.005)


def test_trait_shares_match_settings() -> None:
    scenario, population = build(100_000)
    youths, families = population.youths, population.families
    assert youths.male.mean() == pytest.approx(scenario.population.male_share, abs=0.01)
    assert youths.trauma.mean() == pytest.approx(scenario.individual.trauma_prevalence, abs=0.01)
    assert families.never_seeks.mean() == pytest.approx(scenario.family.never_seek_share, abs=0.02)
    assert youths.internet_intensity.min() >= 0.0
    assert youths.internet_intensity.max() <= 1.0


def test_zero_prevalences_give_no_disorders() -> None:
    zero = {
        f"individual.{name}_prevalence": 0.0
        for name in (
            "schizophrenia",
            "social_anxiety",
            "depression",
            "autism",
            "avoidant_personality",
        )
    }
    _, population = build(5_000, **zero)
    assert not population.youths.disorder.any()


def test_same_seed_same_population() -> None:
    _, first = build(2_000, seed=3)
    _, second = build(2_000, seed=3)
    _, other = build(2_000, seed=4)
    for name in ("age_weeks", "family", "introversion", "disorder", "school_class"):
        assert np.array_equal(getattr(first.youths, name), getattr(second.youths, name))
    assert not np.array_equal(first.youths.age_weeks, other.youths.age_weeks)


def test_draw_traits_resets_the_life_course_of_the_seats_only() -> None:
    scenario, population = build(500)
    youths = population.youths
    youths.state[:] = State.WITHDRAWN
    youths.ever_hikikomori[:] = True
    youths.care[:] = Care.CLINICAL
    youths.episode_row[:] = 4
    seats = np.array([0, 10, 499])
    draw_traits(youths, seats, scenario, np.random.default_rng(0))
    assert np.all(youths.state[seats] == State.ENGAGED)
    assert not youths.ever_hikikomori[seats].any()
    assert np.all(youths.care[seats] == Care.NONE)
    assert np.all(youths.episode_row[seats] == -1)
    others = np.setdiff1d(np.arange(500), seats)
    assert np.all(youths.state[others] == State.WITHDRAWN)
    assert youths.ever_hikikomori[others].all()


def numpy_draw_traits(youths, seats, scenario, rng) -> None:
    """The traits and the fresh life course as numpy assignments (the former code)."""
    n = len(seats)
    ind = scenario.individual
    youths.male[seats] = rng.random(n) < scenario.population.male_share
    youths.introversion[seats] = rng.standard_normal(n)
    youths.trauma[seats] = rng.random(n) < ind.trauma_prevalence
    youths.disorder[seats] = _disorder_codes(n, scenario, rng)
    youths.achievement[seats] = rng.standard_normal(n)
    online = rng.random(n) < scenario.society.internet_penetration
    youths.internet_intensity[seats] = np.where(online, rng.beta(2.0, 3.0, n), 0.0)
    youths.transition_draw[seats] = rng.random(n)
    youths.state[seats] = State.ENGAGED
    youths.track[seats] = Track.SCHOOL
    for name in ("withdrawn_weeks", "narrow_weeks", "school_year_refusal_weeks"):
        getattr(youths, name)[seats] = 0
    for name in ("left_withdrawal_week", "work_start_age", "reintegrated_week"):
        getattr(youths, name)[seats] = NEVER_LEFT
    youths.years_lost[seats] = 0.0
    for field in dataclasses.fields(youths):
        column = getattr(youths, field.name)
        if column.dtype == bool and field.name not in ("male", "trauma"):
            column[seats] = False
    youths.care[seats] = Care.NONE
    youths.episode_row[seats] = -1


@pytest.mark.parametrize("seats", [[0, 10, 499], [7], [], list(range(0, 500, 3))])
def test_draw_traits_writes_what_numpy_assignments_write(seats: list[int]) -> None:
    """Every column, bit for bit, against the traits and reset written out in numpy."""
    scenario, population = build(500)
    got = population.youths
    rng = np.random.default_rng(5)
    # A used life course in every column, so that the reset has something to undo
    # wherever it writes (flags at random, every other column nonzero and scrambled).
    for field in dataclasses.fields(got):
        column = getattr(got, field.name)
        if column.dtype == bool:
            column[:] = rng.random(len(column)) < 0.5
        else:
            column[:] = rng.integers(1, 4, len(column))
    want = copy.deepcopy(got)
    seats = np.array(seats, np.int64)
    draw_traits(got, seats, scenario, np.random.default_rng(9))
    numpy_draw_traits(want, seats, scenario, np.random.default_rng(9))
    for field in dataclasses.fields(got):
        np.testing.assert_array_equal(
            getattr(got, field.name), getattr(want, field.name), err_msg=field.name
        )
