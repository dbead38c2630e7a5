"""The survey-measurement layer, on hand-built populations with known answers."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hikisim.errors import InputError
from hikisim.snapshot import MEXT_ABSENCE_WEEKS, PopulationSnapshot
from hikisim.states import WEEKS_PER_YEAR, Disorder
from hikisim.surveys import (
    MEASURES,
    SNAPSHOT_BANDS,
    SNAPSHOT_DATES,
    YEARLY_SERIES,
    age_bins,
    band_summary,
    broad_prevalence,
    check_measurable,
    in_band,
    koyama_disorder_share,
    koyama_lifetime_prevalence,
    measure,
    measure_targets,
    mext_refusal,
    narrow_prevalence,
    no_service_use_share,
    parent_75plus_share,
    refuser_neet_share,
    required_snapshot_dates,
    school_refusal_history_share,
    seed_prevalence,
    snapshot_date,
)
from hikisim.targets import Target, load_targets

# Everyone is an engaged 20-year-old woman with no disorder unless a row says otherwise.
DEFAULTS: dict[str, Any] = {
    "age_years": 20.0,
    "male": False,
    "withdrawn": False,
    "narrow": False,
    "episode_weeks": 0,
    "onset_age": math.nan,
    "disorder": int(Disorder.NONE),
    "ever_broad": False,
    "ever_koyama": False,
    "ever_refused_school": False,
    "refused_final_junior_high_year": False,
    "school_year_refusal_weeks": 0,
    "pupil": False,
    "studying_or_working": True,
    "depressed": False,
    "ever_depressed": False,
    "family_sought_help": False,
    "treated_in_episode": False,
    "oldest_parent_age": math.nan,
}
DTYPES = {
    "age_years": np.float64,
    "onset_age": np.float64,
    "episode_weeks": np.int32,
    "oldest_parent_age": np.float64,
}
# A current case at either severity: 30 weeks into an episode that began at 19.
QUASI = {"withdrawn": True, "episode_weeks": 30, "onset_age": 19.0}
NARROW = {**QUASI, "narrow": True}
SCHIZOPHRENIA = {"disorder": int(Disorder.SCHIZOPHRENIA)}
PACKAGED = load_targets()


def population(
    rows: list[dict[str, Any]], date: str = "2015-12", weeks_into_school_year: int = 36
) -> PopulationSnapshot:
    """A snapshot with one person per row; a row gives only what differs from DEFAULTS."""
    columns = {
        key: np.array([row.get(key, default) for row in rows], dtype=DTYPES.get(key))
        for key, default in DEFAULTS.items()
    }
    return PopulationSnapshot(date=date, weeks_into_school_year=weeks_into_school_year, **columns)


def target(key: str, **changes: Any) -> Target:
    """A packaged target, with some fields changed."""
    return dataclasses.replace(PACKAGED[key], **changes)


# --- case definitions -------------------------------------------------------------------


def test_cao_broad_needs_26_weeks_and_excludes_schizophrenia_from_cases_only() -> None:
    snapshot = population(
        [
            NARROW,  # a case
            {**NARROW, **SCHIZOPHRENIA},  # at home because of illness: not a case
            {**QUASI, "episode_weeks": 25},  # not yet six months
            {**QUASI, "episode_weeks": 26},  # six months: a case
            {},
        ]
    )
    # The denominator is everyone in the band, the excluded person too.
    assert broad_prevalence(snapshot, 15, 39) == pytest.approx(2 / 5)
    assert narrow_prevalence(snapshot, 15, 39) == pytest.approx(1 / 5)


def test_cao_counts_onset_at_any_age() -> None:
    late = {**QUASI, "age_years": 55.0, "onset_age": 54.5}
    snapshot = population([late, {"age_years": 50.0}, {**NARROW, "age_years": 30.0}])
    assert broad_prevalence(snapshot, 40, 64) == pytest.approx(1 / 2)
    assert narrow_prevalence(snapshot, 40, 64) == 0.0
    assert broad_prevalence(snapshot, 15, 39) == 1.0


def test_other_disorders_are_not_excluded() -> None:
    rows = [{**QUASI, "disorder": int(code)} for code in Disorder if code != Disorder.SCHIZOPHRENIA]
    snapshot = population([*rows, {**QUASI, **SCHIZOPHRENIA}])
    assert broad_prevalence(snapshot, 15, 39) == pytest.approx(5 / 6)


def test_seed_needs_narrow_26_weeks_and_onset_before_30() -> None:
    snapshot = population(
        [
            {**NARROW, "age_years": 31.0, "onset_age": 29.9},  # a case
            {**NARROW, "age_years": 31.0, "onset_age": 30.0},  # onset at 30: not
            {**QUASI, "onset_age": 19.0},  # quasi: not
            {**NARROW, "episode_weeks": 25},  # too short
            {**NARROW, "episode_weeks": 26, **SCHIZOPHRENIA},  # the seed keeps illness
            {**NARROW, "onset_age": math.nan},  # no onset recorded: not
            {},
            {},
        ]
    )
    assert seed_prevalence(snapshot, 15, 39) == pytest.approx(2 / 8)


def test_band_edges_use_whole_years() -> None:
    snapshot = population([{"age_years": age} for age in (14.99, 15.0, 39.99, 40.0, 64.99, 65.0)])
    assert in_band(snapshot, 15, 39).tolist() == [False, True, True, False, False, False]
    assert in_band(snapshot, 40, 64).tolist() == [False, False, False, True, True, False]


def test_prevalence_counts_only_cases_inside_the_band() -> None:
    ages = (14.99, 15.0, 39.99, 40.0)
    snapshot = population([{**QUASI, "age_years": age} for age in ages] + [{"age_years": 20.0}])
    assert broad_prevalence(snapshot, 15, 39) == pytest.approx(2 / 3)
    assert broad_prevalence(snapshot, 40, 64) == 1.0


# --- koyama -----------------------------------------------------------------------------


def test_koyama_lifetime_and_disorder_share() -> None:
    ever = {"ever_koyama": True, "age_years": 30.0}
    snapshot = population(
        [
            {**ever, "disorder": int(Disorder.DEPRESSION)},
            {**ever, "disorder": int(Disorder.SOCIAL_ANXIETY)},
            {**ever, "disorder": int(Disorder.AUTISM_SPECTRUM)},
            {**ever, "disorder": int(Disorder.SCHIZOPHRENIA)},
            {**ever, "disorder": int(Disorder.AVOIDANT_PERSONALITY)},
            {**ever},
            {**ever, "age_years": 50.0, "disorder": int(Disorder.DEPRESSION)},  # outside
            {"age_years": 30.0, "disorder": int(Disorder.DEPRESSION)},  # never an episode
            {"age_years": 30.0},
            {"age_years": 19.9},  # outside
        ]
    )
    assert koyama_lifetime_prevalence(snapshot, 20, 49) == pytest.approx(6 / 8)
    assert koyama_disorder_share(snapshot, 20, 49) == pytest.approx(2 / 6)


# --- mext -------------------------------------------------------------------------------


def test_mext_uses_age_at_the_start_of_the_school_year() -> None:
    refuser = {"pupil": True, "school_year_refusal_weeks": MEXT_ABSENCE_WEEKS}
    rows = [
        {**refuser, "age_years": 12.9},  # 11.9 in April: grade 6, elementary
        {**refuser, "age_years": 13.0},  # 12.0 in April: first junior-high year
        {"pupil": True, "age_years": 14.5},  # attends
        {**refuser, "age_years": 15.9, "school_year_refusal_weeks": MEXT_ABSENCE_WEEKS - 1},
        {**refuser, "age_years": 16.0},  # 15.0 in April: high school
        {"school_year_refusal_weeks": 20, "age_years": 13.5},  # not enrolled
    ]
    snapshot = population(rows, date="2016-03", weeks_into_school_year=52)
    assert mext_refusal(snapshot, 12, 14) == pytest.approx(1 / 3)
    assert mext_refusal(snapshot, 10, 11) == 1.0
    # Early in the school year the same ages are nearly the ages in April.
    # At the start of the school year the current age is the age in April.
    early = population(rows, date="2015-04", weeks_into_school_year=0)
    assert mext_refusal(early, 12, 14) == pytest.approx(2 / 3)  # 12.9, 13.0 of 12.9-14.5


def test_refuser_neet_share_counts_twenty_year_olds_who_refused_in_the_final_year() -> None:
    refused = {"refused_final_junior_high_year": True}
    snapshot = population(
        [
            {**refused, "age_years": 20.0, "studying_or_working": False},
            {**refused, "age_years": 20.99, "studying_or_working": True},
            {**refused, "age_years": 20.5, "studying_or_working": True},
            {**refused, "age_years": 21.0, "studying_or_working": False},  # 21
            {**refused, "age_years": 19.99, "studying_or_working": False},  # 19
            {"age_years": 20.5, "studying_or_working": False},  # did not refuse
        ]
    )
    assert refuser_neet_share(snapshot, 20, 20) == pytest.approx(1 / 3)


# --- shares of cao_broad cases -----------------------------------------------------------


def test_school_refusal_history_is_a_share_of_cao_broad_cases() -> None:
    snapshot = population(
        [
            {**QUASI, "ever_refused_school": True},
            {**NARROW},
            {**NARROW},
            {**NARROW, "ever_refused_school": True, **SCHIZOPHRENIA},  # not a case
            {**QUASI, "episode_weeks": 10, "ever_refused_school": True},  # not a case
            {"ever_refused_school": True},
            {**QUASI, "age_years": 45.0, "ever_refused_school": True},  # outside
        ]
    )
    assert school_refusal_history_share(snapshot, 15, 39) == pytest.approx(1 / 3)


def test_no_service_use_is_among_cases_whose_family_sought_help() -> None:
    helped = {"family_sought_help": True}
    snapshot = population(
        [
            {**QUASI, **helped},
            {**NARROW, **helped, "treated_in_episode": True},
            {**NARROW, **helped, "age_years": 45.0},
            {**QUASI},  # family never sought help
            {**QUASI, **helped, **SCHIZOPHRENIA},  # not a case
            {**helped},  # not withdrawn
            {**QUASI, **helped, "age_years": 50.0},  # outside 15-49
        ]
    )
    assert no_service_use_share(snapshot, 15, 49) == pytest.approx(2 / 3)


def test_empty_denominators_give_nan() -> None:
    nobody = population([{"age_years": 70.0, **QUASI}])
    for quantity in (
        broad_prevalence,
        narrow_prevalence,
        seed_prevalence,
        koyama_lifetime_prevalence,
        koyama_disorder_share,
        mext_refusal,
        refuser_neet_share,
        school_refusal_history_share,
        no_service_use_share,
    ):
        assert math.isnan(quantity(nobody, 15, 39)), quantity.__name__
    no_cases = population([{}, {"age_years": 30.0}])
    assert broad_prevalence(no_cases, 15, 39) == 0.0
    assert math.isnan(school_refusal_history_share(no_cases, 15, 39))
    assert math.isnan(koyama_disorder_share(no_cases, 20, 49))
    assert math.isnan(mext_refusal(no_cases, 12, 14))
    assert math.isnan(broad_prevalence(population([]), 15, 39))


# --- dates and targets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2015-06", "2016-03"),
        ("2016-02", "2016-03"),
        ("2016-03", "2016-03"),
        ("2016-04", "2017-03"),
        ("2015-12", "2016-03"),
        ("1991-06", "1992-03"),
        ("2023-01", "2023-03"),
    ],
)
def test_mext_targets_are_measured_at_the_end_of_the_school_year(date: str, expected: str) -> None:
    assert snapshot_date(target("mext2015_refusal_junior_high", date=date)) == expected


def test_other_targets_are_measured_at_their_date() -> None:
    targets = load_targets()
    for name, item in targets.items():
        if item.definition != "mext":
            assert snapshot_date(item) == item.date, name
    assert snapshot_date(targets["mext_refuser_neet_at_20"]) == "2012-03"
    assert set(SNAPSHOT_DATES) <= set(required_snapshot_dates(targets))
    dates = required_snapshot_dates(targets)
    assert list(dates) == sorted(set(dates))


def test_every_packaged_target_maps_to_a_measure() -> None:
    targets = load_targets()
    check_measurable(targets, "targets-v2.toml")
    assert set(MEASURES) == set(targets)
    everyone = [
        {**NARROW, "age_years": age, "ever_koyama": True, "ever_refused_school": True}
        for age in (10.5, 11.5, 13.0, 20.5, 30.0, 45.0, 60.0)
    ]
    for item in targets.values():
        snapshot = population(everyone, date=snapshot_date(item))
        value = measure(item, snapshot)
        assert isinstance(value, float), item.name
        assert math.isnan(value) or 0.0 <= value <= 1.0, item.name


def test_measure_applies_the_targets_band_and_definition() -> None:
    rows = [{**QUASI}, {}, {**NARROW, "age_years": 50.0}, {"age_years": 50.0}, {"age_years": 45.0}]
    snapshot = population(rows, date="2018-12")
    assert measure(target("cao2019_broad_40_64"), snapshot) == pytest.approx(1 / 3)
    snapshot = population(rows, date="2015-12")
    assert measure(target("cao2016_broad_15_39"), snapshot) == pytest.approx(1 / 2)
    assert measure(target("cao2016_narrow_15_39"), snapshot) == 0.0


def test_measure_targets_picks_each_targets_snapshot() -> None:
    targets = {name: target(name) for name in ("cao2016_broad_15_39", "cao2022_broad_15_39")}
    snapshots = {
        "2015-12": population([QUASI, {}], date="2015-12"),
        "2022-11": population([QUASI, {}, {}, {}], date="2022-11"),
    }
    assert measure_targets(targets, snapshots) == {
        "cao2016_broad_15_39": 0.5,
        "cao2022_broad_15_39": 0.25,
    }
    with pytest.raises(KeyError, match="2022-11"):
        measure_targets(targets, {"2015-12": snapshots["2015-12"]})


def test_a_target_outside_the_table_is_measured_by_its_definition() -> None:
    # A regional survey's figure: current seed-definition cases over everyone in its band.
    stranger = target("cao2016_broad_15_39", name="wong2015_12_29", definition="seed")
    people = [NARROW, QUASI, {}, {}]  # the quasi case is not complete withdrawal
    check_measurable({"wong2015_12_29": stranger}, "hong_kong.toml")
    assert measure(stranger, population(people, date="2015-12")) == 0.25


def test_a_near_copy_of_a_packaged_name_is_refused_as_a_typo() -> None:
    typo = target("cao2016_school_refusal_history", name="cao2016_school_refusal_histroy")
    with pytest.raises(InputError, match="did you mean 'cao2016_school_refusal_history'"):
        check_measurable({typo.name: typo}, "my.toml")
    # A new year of a headline figure is measured like the packaged ones.
    new_year = target("cao2022_broad_15_39", name="cao2025_broad_15_39")
    check_measurable({new_year.name: new_year}, "my.toml")


def test_a_target_with_another_definition_is_an_input_error() -> None:
    changed = target("cao2016_broad_15_39", definition="seed")
    with pytest.raises(InputError, match=r"cao2016_broad_15_39\.definition: 'seed'"):
        measure(changed, population([{}], date="2015-12"))


def test_measure_refuses_a_snapshot_of_the_wrong_date() -> None:
    with pytest.raises(ValueError, match="2016-03 snapshot, got 2015-06"):
        measure(target("mext2015_refusal_junior_high"), population([{}], date="2015-06"))


# --- the 8050 problem -------------------------------------------------------------------


def test_parent_75plus_share_counts_cases_with_a_living_parent_of_75_or_more() -> None:
    old_parent = {**QUASI, "age_years": 52.0, "oldest_parent_age": 80.0}
    rows = [
        old_parent,  # a case with a parent of 80
        {**old_parent, "oldest_parent_age": 75.0},  # exactly 75 counts
        {**old_parent, "oldest_parent_age": 74.9},  # not yet
        {**old_parent, "oldest_parent_age": math.nan},  # both parents have died
        {**old_parent, **SCHIZOPHRENIA},  # not a cao_broad case
        {**old_parent, "episode_weeks": 10},  # not six months yet
        {"age_years": 50.0, "oldest_parent_age": 80.0},  # not withdrawn
        {**old_parent, "age_years": 38.0},  # outside 40-64
    ]
    snapshot = population(rows)
    assert parent_75plus_share(snapshot, 40, 64) == pytest.approx(2 / 4)
    assert parent_75plus_share(snapshot, 15, 39) == 1.0
    assert band_summary(snapshot, 40, 64)["parent_75plus_share"] == pytest.approx(0.5)


def test_disorder_share_is_comorbidity_among_the_bands_cases() -> None:
    depressed = {**QUASI, "disorder": int(Disorder.DEPRESSION)}
    rows = [
        depressed,
        depressed,
        {**QUASI, "disorder": int(Disorder.SOCIAL_ANXIETY)},
        QUASI,  # primary
        {**QUASI, **SCHIZOPHRENIA},  # excluded from cao_broad cases
        {"disorder": int(Disorder.DEPRESSION)},  # not withdrawn
    ]
    shares = band_summary(population(rows), 15, 39)["disorder_share"]
    assert shares == {
        "schizophrenia": 0.0,
        "social_anxiety": 0.25,
        "depression": 0.5,
        "autism_spectrum": 0.0,
        "avoidant_personality": 0.0,
    }
    assert 1.0 - sum(shares.values()) == pytest.approx(0.25)  # the primary share
    empty = band_summary(population([{}]), 15, 39)["disorder_share"]
    assert all(math.isnan(share) for share in empty.values())


def test_parent_75plus_share_without_cases_is_nan() -> None:
    snapshot = population([{"age_years": 50.0, "oldest_parent_age": 80.0}])
    assert math.isnan(parent_75plus_share(snapshot, 40, 64))


def test_the_8050_share_is_a_yearly_series_over_ages_40_64() -> None:
    assert YEARLY_SERIES["eighty_fifty"] == (parent_75plus_share, 40, 64)


# --- band summary -----------------------------------------------------------------------


def test_band_summary_of_known_cases() -> None:
    rows = [
        {**NARROW, "male": True, "episode_weeks": 26, "onset_age": 14.9, "age_years": 15.0},
        {**QUASI, "male": True, "episode_weeks": 51, "onset_age": 15.0, "age_years": 19.99},
        {**QUASI, "episode_weeks": 52, "onset_age": 29.9, "age_years": 31.0},
        {**QUASI, "male": True, "episode_weeks": 364, "onset_age": 30.0, "age_years": 39.5},
        {**QUASI, **SCHIZOPHRENIA, "ever_broad": True},  # not a case, but ever
        {"ever_broad": True},
        {},
        {},
        {"age_years": 45.0, **QUASI, "ever_broad": True},  # outside
        {},
    ]
    summary = band_summary(population(rows), 15, 39)
    assert summary["broad_prevalence"] == pytest.approx(4 / 9)
    assert summary["narrow_prevalence"] == pytest.approx(1 / 9)
    assert summary["male_share"] == pytest.approx(3 / 4)
    assert summary["ever_share"] == pytest.approx(2 / 9)
    assert summary["duration_share"] == {"0.5-1": 0.5, "1-3": 0.25, "3-5": 0, "5-7": 0, "7+": 0.25}
    assert summary["onset_age_share"] == {
        "<15": 0.25,
        "15-19": 0.25,
        "20-24": 0.0,
        "25-29": 0.25,
        "30-39": 0.25,
        "40+": 0.0,
    }
    assert summary["age_share"] == {
        "15-19": 0.5,
        "20-24": 0.0,
        "25-29": 0.0,
        "30-34": 0.25,
        "35-39": 0.25,
    }


def test_band_summary_keys_and_json() -> None:
    summary = band_summary(population([{**QUASI, "age_years": 50.0}]), *SNAPSHOT_BANDS["40-64"])
    assert set(summary) == {
        "broad_prevalence",
        "narrow_prevalence",
        "male_share",
        "duration_share",
        "onset_age_share",
        "age_share",
        "ever_share",
        "parent_75plus_share",
        "disorder_share",
    }
    assert list(summary["age_share"]) == ["40-44", "45-49", "50-54", "55-59", "60-64"]
    assert summary["age_share"]["50-54"] == 1.0
    assert json.loads(json.dumps(summary)) == summary
    for value in summary.values():
        items = value.values() if isinstance(value, dict) else [value]
        assert all(type(item) is float for item in items)


def test_band_summary_without_cases_has_every_key_and_nan_shares() -> None:
    summary = band_summary(population([{}, {"ever_broad": True}]), 15, 39)
    assert summary["broad_prevalence"] == 0.0
    assert summary["narrow_prevalence"] == 0.0
    assert summary["ever_share"] == 0.5
    assert math.isnan(summary["male_share"])
    for key in ("duration_share", "onset_age_share", "age_share"):
        assert summary[key], key
        assert all(math.isnan(share) for share in summary[key].values()), key


def test_age_bins() -> None:
    assert [label for label, _, _ in age_bins(15, 39)] == [
        "15-19",
        "20-24",
        "25-29",
        "30-34",
        "35-39",
    ]
    assert age_bins(12, 14) == (("12-14", 12.0, 15.0),)
    assert age_bins(40, 46)[-1] == ("45-46", 45.0, 47.0)


# --- properties -------------------------------------------------------------------------


@st.composite
def random_populations(draw: st.DrawFn) -> PopulationSnapshot:
    size = draw(st.integers(min_value=0, max_value=40))
    people = []
    for _ in range(size):
        withdrawn = draw(st.booleans())
        weeks = draw(st.integers(min_value=0, max_value=600)) if withdrawn else 0
        people.append(
            {
                "age_years": draw(st.floats(min_value=10.0, max_value=64.99)),
                "male": draw(st.booleans()),
                "withdrawn": withdrawn,
                "narrow": withdrawn and draw(st.booleans()),
                "episode_weeks": weeks,
                "onset_age": draw(st.floats(min_value=5.0, max_value=64.0))
                if withdrawn
                else math.nan,
                "disorder": draw(st.sampled_from([int(code) for code in Disorder])),
                "ever_broad": draw(st.booleans()),
                "ever_koyama": draw(st.booleans()),
                "ever_refused_school": draw(st.booleans()),
                "refused_final_junior_high_year": draw(st.booleans()),
                "school_year_refusal_weeks": draw(st.integers(min_value=0, max_value=40)),
                "pupil": draw(st.booleans()),
                "studying_or_working": draw(st.booleans()),
                "family_sought_help": draw(st.booleans()),
                "treated_in_episode": draw(st.booleans()),
                "oldest_parent_age": draw(
                    st.one_of(st.just(math.nan), st.floats(min_value=30.0, max_value=110.0))
                ),
            }
        )
    weeks_in = draw(st.integers(min_value=0, max_value=52))
    return population(people, weeks_into_school_year=weeks_in)


def permuted(snapshot: PopulationSnapshot, order: np.ndarray) -> PopulationSnapshot:
    arrays = {name: getattr(snapshot, name)[order] for name in PopulationSnapshot.COLUMNS}
    return snapshot.replace(**arrays)


@settings(max_examples=60, deadline=None)
@given(random_populations(), st.sampled_from(list(SNAPSHOT_BANDS.values())))
def test_narrow_never_exceeds_broad_and_shares_are_fractions(
    snapshot: PopulationSnapshot, band: tuple[int, int]
) -> None:
    broad = broad_prevalence(snapshot, *band)
    narrow = narrow_prevalence(snapshot, *band)
    assert math.isnan(broad) == math.isnan(narrow)
    if not math.isnan(broad):
        assert narrow <= broad
    summary = band_summary(snapshot, *band)
    for key, value in summary.items():
        for share in value.values() if isinstance(value, dict) else [value]:
            assert math.isnan(share) or 0.0 <= share <= 1.0, key
    for key in ("duration_share", "onset_age_share", "age_share"):
        total = sum(summary[key].values())
        if summary["broad_prevalence"] > 0:
            assert total == pytest.approx(1.0), key
        else:
            assert math.isnan(total), key


def same(first: Any, second: Any) -> bool:
    """Equal, counting NaN as equal to NaN, through nested dicts."""
    if isinstance(first, dict):
        return first.keys() == second.keys() and all(same(first[k], second[k]) for k in first)
    return first == second or (math.isnan(first) and math.isnan(second))


@settings(max_examples=60, deadline=None)
@given(random_populations(), st.randoms(use_true_random=False))
def test_measures_do_not_depend_on_the_order_of_people(
    snapshot: PopulationSnapshot, rng: Any
) -> None:
    order = list(range(len(snapshot)))
    rng.shuffle(order)
    shuffled = permuted(snapshot, np.array(order, dtype=int))
    for name, (_, quantity) in MEASURES.items():
        lo, hi = PACKAGED[name].ages
        assert same(quantity(snapshot, lo, hi), quantity(shuffled, lo, hi)), name
    for lo, hi in SNAPSHOT_BANDS.values():
        assert same(band_summary(snapshot, lo, hi), band_summary(shuffled, lo, hi))


def ages_near(bounds: tuple[int, ...]) -> st.SearchStrategy[float]:
    """Ages at, and a hair either side of, the given whole years; any age; NaN."""
    return st.one_of(
        st.sampled_from(bounds).map(float),
        st.sampled_from(bounds).map(lambda year: float(np.nextafter(year, -1.0))),
        st.sampled_from(bounds).map(lambda year: float(np.nextafter(year, 99.0))),
        st.floats(-1.0, 70.0),
        st.just(math.nan),
    )


@settings(max_examples=80, deadline=None)
@given(st.data(), st.integers(0, 40), st.integers(0, 30))
def test_in_band_is_the_floor_of_the_age_within_the_band(
    data: st.DataObject, lo: int, width: int
) -> None:
    hi = lo + width
    ages = data.draw(st.lists(ages_near((lo, hi, hi + 1)), min_size=1, max_size=30))
    snapshot = population([{"age_years": age} for age in ages])
    floors = np.floor(np.array(ages))
    assert in_band(snapshot, lo, hi).tolist() == ((floors >= lo) & (floors <= hi)).tolist()


@settings(max_examples=60, deadline=None)
@given(st.data(), st.integers(0, 52), st.integers(6, 15))
def test_mext_refusal_bands_pupils_by_the_floor_of_their_age_in_april(
    data: st.DataObject, weeks_in: int, lo: int
) -> None:
    years_in = weeks_in / WEEKS_PER_YEAR
    ages = data.draw(
        st.lists(ages_near((lo, lo + 1, lo + 2)).map(lambda age: age + years_in), max_size=30)
    )
    # Every other pupil absent for the year: the rate is the absent share of the band.
    rows = [
        {"age_years": age, "pupil": True, "school_year_refusal_weeks": 6 * (index % 2)}
        for index, age in enumerate(ages)
    ]
    snapshot = population(rows, weeks_into_school_year=weeks_in)
    start = np.floor(np.array(ages, dtype=np.float64) - years_in)
    among = (start >= lo) & (start <= lo + 1)
    absent = np.arange(len(ages)) % 2 == 1
    rate = mext_refusal(snapshot, lo, lo + 1)
    if not among.any():
        assert math.isnan(rate)
    else:
        assert rate == np.count_nonzero(absent & among) / np.count_nonzero(among)
