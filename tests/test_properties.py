"""Property tests: invariants of the model that must hold for any seed and parameters."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hikisim.episodes import OUTCOMES
from hikisim.metrics import SURVEY_MIN_WEEKS, current_cases, summarize
from hikisim.model import HikiModel
from hikisim.parents import FATHER_AGE_RANGE, MOTHER_AGE_RANGE
from hikisim.scenario import Scenario
from hikisim.simulation import run_model
from hikisim.states import (
    HIKIKOMORI_MAX_ONSET_AGE,
    HIKIKOMORI_MIN_WEEKS,
    MAX_AGE,
    MIN_AGE,
    WEEKS_PER_YEAR,
    Care,
    Disorder,
    State,
    Track,
)

FRACTION_KEYS = (
    "prevalence_15_39",
    "lifetime_prevalence_15_39",
    "school_refusal_rate",
    "secondary_share",
    "male_share",
    "treated_share",
)
PROPERTY_SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def small_scenarios(draw: st.DrawFn) -> tuple[Scenario, int]:
    """Small, fast scenarios with risk high enough that episodes happen."""
    overrides: dict[str, Any] = {
        "population.youths": draw(st.integers(40, 250)),
        "population.aging": draw(st.booleans()),
        "run.burn_in_years": draw(st.integers(0, 2)),
        "run.years": draw(st.sampled_from([0.5, 1.0, 1.5])),
        "dynamics.onset_base": draw(st.floats(-6.0, -3.0)),
        "dynamics.progress_base": draw(st.floats(-4.0, -1.0)),
        "dynamics.exit_base": draw(st.floats(0.005, 0.2)),
        "dynamics.relapse_rate": draw(st.floats(0.0, 0.1)),
        "dynamics.peer_weight": draw(st.floats(0.0, 5.0)),
        "family.never_seek_share": draw(st.floats(0.0, 1.0)),
        "network.tie_loss_rate": draw(st.floats(0.0, 0.5)),
        "population.max_age": draw(st.sampled_from([39, 64])),
        "dynamics.narrow_entry_share": draw(st.floats(0.0, 1.0)),
        "dynamics.deepen_rate": draw(st.floats(0.0, 0.2)),
        "dynamics.lighten_rate": draw(st.floats(0.0, 0.2)),
        **draw(parents_settings()),
    }
    seed = draw(st.integers(0, 2**32 - 1))
    return Scenario().with_overrides(overrides), seed


@st.composite
def parents_settings(draw: st.DrawFn) -> dict[str, float]:
    """Dotted overrides of every parents setting, anywhere in its allowed range."""
    return {
        "parents.mother_age_sd": draw(st.floats(0.0, 10.0)),
        "parents.mother_age_shift": draw(st.floats(-10.0, 10.0)),
        "parents.father_gap_sd": draw(st.floats(0.0, 10.0)),
    }


def open_rows(model: HikiModel) -> np.ndarray:
    return np.flatnonzero(model.episode_log.column("end_week") < 0)


def assert_valid_state(model: HikiModel) -> None:
    y = model.population.youths
    assert len(y) == model.settings.population.youths
    assert set(np.unique(y.state).tolist()) <= {int(s) for s in State}
    assert set(np.unique(y.track).tolist()) <= {int(t) for t in Track}
    assert set(np.unique(y.care).tolist()) <= {int(c) for c in Care}
    assert y.age_weeks.min() >= MIN_AGE * WEEKS_PER_YEAR
    assert y.age_weeks.max() < (model.settings.population.max_age + 1) * WEEKS_PER_YEAR
    assert np.all(y.withdrawn_weeks[y.state != State.WITHDRAWN] == 0)
    # School refusal only among pupils (engaged ones too), and every withdrawn pupil
    # refuses.
    refusing = y.school_refusal
    pupil = (y.track == Track.SCHOOL) & (y.age_weeks < 18 * WEEKS_PER_YEAR)
    assert np.all(pupil[refusing])
    assert np.all(refusing[pupil & (y.state == State.WITHDRAWN)])
    # A depression that developed in withdrawal is in the lifetime record, and only
    # the treatable latent disorders are ever in remission.
    assert np.all(y.ever_depressed[y.depressed])
    treatable = np.isin(y.disorder, [Disorder.DEPRESSION, Disorder.SOCIAL_ANXIETY])
    assert np.all(treatable[y.disorder_remitted])


def assert_counts_agree_with_log(model: HikiModel) -> None:
    y, log = model.population.youths, model.episode_log
    withdrawn = np.flatnonzero(y.state == State.WITHDRAWN)
    still_open = open_rows(model)
    assert len(still_open) == len(withdrawn)
    assert np.array_equal(np.sort(log.column("seat")[still_open]), withdrawn)
    assert np.array_equal(np.sort(y.episode_row[withdrawn]), still_open)
    assert np.all(
        log.column("person_id")[still_open] == y.person_id[log.column("seat")[still_open]]
    )
    assert np.all(log.column("outcome")[still_open] == OUTCOMES.index("ongoing"))

    seats_of_open = log.column("seat")[still_open]
    qualified_open = still_open[log.column("hikikomori")[still_open]]
    seats = log.column("seat")[qualified_open]
    # Seed cases: complete (narrow) withdrawal in a qualifying episode, aged 15-39.
    in_band = (
        y.narrow[seats]
        & (y.age_weeks[seats] >= SURVEY_MIN_WEEKS)
        & (y.age_weeks[seats] < 40 * WEEKS_PER_YEAR)
    )
    cases = current_cases(model)
    assert len(cases) == int(in_band.sum())
    assert set(cases.tolist()) <= set(seats_of_open.tolist())
    assert model.last_record["withdrawn"] == len(withdrawn)
    assert model.last_record["hikikomori"] == len(cases)


def assert_hikikomori_rule(model: HikiModel) -> None:
    log = model.episode_log
    qualified = log.column("hikikomori")
    weeks = log.column("weeks")
    onset_age = log.column("onset_age")
    # Never counted before 26 weeks or with onset at 30 or later...
    assert np.all(weeks[qualified] >= HIKIKOMORI_MIN_WEEKS)
    assert np.all(onset_age[qualified] < HIKIKOMORI_MAX_ONSET_AGE)
    # ...and always counted once both conditions hold.
    eligible = (weeks >= HIKIKOMORI_MIN_WEEKS) & (onset_age < HIKIKOMORI_MAX_ONSET_AGE)
    assert np.array_equal(qualified, eligible)
    y = model.population.youths
    cases = current_cases(model)
    rows = y.episode_row[cases]
    assert np.all(y.withdrawn_weeks[cases] >= HIKIKOMORI_MIN_WEEKS)
    assert np.all(onset_age[rows] < HIKIKOMORI_MAX_ONSET_AGE)
    assert np.all(y.age_weeks[cases] >= SURVEY_MIN_WEEKS)
    assert y.ever_hikikomori[cases].all()


def assert_episode_clock(model: HikiModel) -> None:
    log = model.episode_log
    onset, end, weeks = log.column("onset_week"), log.column("end_week"), log.column("weeks")
    # Short returns continue an episode: its clock stops while the person is out.
    gaps, interruptions = log.column("interrupted_weeks"), log.column("interruptions")
    closed = end >= 0
    assert np.all(end[closed] >= onset[closed])
    assert np.array_equal(weeks[closed], end[closed] - onset[closed] - gaps[closed])
    assert np.array_equal(weeks[~closed], model.week - onset[~closed] - gaps[~closed])
    assert np.all(onset < model.week)
    assert np.all(gaps >= interruptions)
    assert np.all(gaps < HIKIKOMORI_MIN_WEEKS * np.maximum(interruptions, 1))


def assert_severity(model: HikiModel) -> None:
    y = model.population.youths
    withdrawn = y.state == State.WITHDRAWN
    assert not np.any(y.narrow & ~withdrawn)
    assert np.all(y.ever_broad[withdrawn & (y.withdrawn_weeks >= HIKIKOMORI_MIN_WEEKS)])
    assert np.all(y.ever_broad[y.ever_koyama])


def assert_log_consistent(model: HikiModel) -> None:
    log, y = model.episode_log, model.population.youths
    outcome = log.column("outcome")
    closed = log.column("end_week") >= 0
    assert np.all(outcome[closed] != OUTCOMES.index("ongoing"))
    # Every relapse opens a new episode and marks the one before it.
    assert np.count_nonzero(outcome == OUTCOMES.index("relapsed")) == np.count_nonzero(
        log.column("relapse")
    )
    treated = log.column("treated")
    assert np.all(log.column("treatment")[treated] != Care.NONE)
    assert np.all(log.column("treatment")[~treated] == Care.NONE)
    # ever_hikikomori (the seed definition, complete withdrawal in a qualifying episode)
    # of the current occupants lies within their qualified episodes, and holds for
    # everyone narrow in one now.
    current_person = y.person_id[log.column("seat")] == log.column("person_id")
    qualified_seats = np.unique(log.column("seat")[current_person & log.column("hikikomori")])
    assert set(np.flatnonzero(y.ever_hikikomori)) <= set(qualified_seats.tolist())
    narrow_now = y.narrow & (y.episode_row >= 0)
    in_qualified = narrow_now & log.column("hikikomori")[np.maximum(y.episode_row, 0)]
    assert np.all(y.ever_hikikomori[in_qualified])


def assert_weekly_sums_agree_with_log(model: HikiModel) -> None:
    log, records = model.episode_log, model.weekly_records
    onset = log.column("onset_week")
    assert len(records) == model.total_weeks - model.horizon_start
    assert sum(r["new_episodes"] for r in records) == np.count_nonzero(onset >= model.horizon_start)
    # An episode qualifies 26 weeks withdrawn after onset; interruptions before that
    # delay it by up to their length, which the log does not split.
    earliest = onset + HIKIKOMORI_MIN_WEEKS - 1
    latest = earliest + log.column("interrupted_weeks")
    qualified = log.column("hikikomori")
    counted = sum(r["new_cases"] for r in records)
    assert np.count_nonzero(qualified & (earliest >= model.horizon_start)) <= counted
    assert counted <= np.count_nonzero(qualified & (latest >= model.horizon_start))
    for record in records:
        states = record["engaged"] + record["at_risk"] + record["withdrawn"] + record["recovering"]
        assert states == model.settings.population.youths
        assert record["hikikomori"] <= record["withdrawn"]


def assert_parents(model: HikiModel) -> None:
    y, parents = model.population.youths, model.parents
    # Everyone, newcomers included, has their own parents.
    assert np.array_equal(parents.person_id, y.person_id)
    assert np.all(parents.mother_age_at_birth >= MOTHER_AGE_RANGE[0])
    assert np.all(parents.mother_age_at_birth <= MOTHER_AGE_RANGE[1])
    assert np.all(parents.father_age_at_birth >= FATHER_AGE_RANGE[0])
    assert np.all(parents.father_age_at_birth <= FATHER_AGE_RANGE[1])
    assert np.all(parents.mother_death_age >= parents.mother_age_at_birth)
    assert np.all(parents.father_death_age >= parents.father_age_at_birth)
    age = y.age_weeks / WEEKS_PER_YEAR
    oldest = parents.oldest_living_age(age)
    alive = ~np.isnan(oldest)
    assert np.all(oldest[alive] >= age[alive] + min(MOTHER_AGE_RANGE[0], FATHER_AGE_RANGE[0]))
    for bands in model.survey_recorder.snapshots.values():
        for entry in bands.values():
            share = entry["parent_75plus_share"]
            assert share is None or 0.0 <= share <= 1.0
    for row in model.survey_recorder.yearly_rows():
        assert row["eighty_fifty"] is None or 0.0 <= row["eighty_fifty"] <= 1.0


def assert_fractions(summary: dict[str, Any]) -> None:
    for key in FRACTION_KEYS:
        assert 0.0 <= summary[key] <= 1.0, key
    for key in ("duration_share", "onset_age_share"):
        shares = summary[key]
        assert all(0.0 <= value <= 1.0 for value in shares.values()), key
        total = sum(shares.values())
        # Every current case lasted 0.5+ years and began before 30: the bins cover them all.
        expected = 1.0 if summary["cases"] else 0.0
        assert abs(total - expected) < 1e-9, key
    assert summary["mean_episode_years"] >= 0.0
    assert summary["person_years_withdrawn"] >= 0.0
    assert summary["cost_total"] >= 0.0


@PROPERTY_SETTINGS
@given(small_scenarios())
def test_invariants_hold_after_a_run(case: tuple[Scenario, int]) -> None:
    scenario, seed = case
    model = run_model(scenario, seed=seed)
    assert_valid_state(model)
    assert_counts_agree_with_log(model)
    assert_hikikomori_rule(model)
    assert_episode_clock(model)
    assert_severity(model)
    assert_log_consistent(model)
    assert_weekly_sums_agree_with_log(model)
    assert_parents(model)
    assert_fractions(summarize(model))


@PROPERTY_SETTINGS
@given(small_scenarios(), st.integers(1, 60))
def test_invariants_hold_week_by_week(case: tuple[Scenario, int], weeks: int) -> None:
    scenario, seed = case
    model = HikiModel(scenario, seed=seed)
    size = len(model.population.youths)
    for _ in range(weeks):
        model.step()
        assert len(model.population.youths) == size
        assert_valid_state(model)
        assert_counts_agree_with_log(model)
        assert_parents(model)
    model.finalize_log()
    assert_episode_clock(model)
    assert_severity(model)
    assert_hikikomori_rule(model)


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_turnover_conserves_the_population(seed: int) -> None:
    scenario = Scenario().with_overrides(
        {"population.youths": 120, "run.burn_in_years": 0, "run.years": 2.0}
    )
    model = HikiModel(scenario, seed=seed)
    y = model.population.youths
    families, schools = y.family.copy(), y.school.copy()
    leavers = int(np.count_nonzero(y.age_weeks >= (MAX_AGE - 2) * WEEKS_PER_YEAR))
    assert model.settings.population.max_age + 1 == MAX_AGE  # the default holds ages 10-64
    model.run()
    assert len(y) == 120
    assert len(model.youth_agents) == 120
    # Everyone within two years of 65 has been replaced by a newcomer with a fresh id.
    assert np.count_nonzero(y.person_id >= 120) >= leavers
    assert len(np.unique(y.person_id)) == 120
    assert np.array_equal(y.family, families)
    assert np.array_equal(y.school, schools)
    newcomers = y.person_id >= 120
    assert np.all(y.age_weeks[newcomers] < (MIN_AGE + 2) * WEEKS_PER_YEAR)


@PROPERTY_SETTINGS
@given(small_scenarios(), parents_settings())
def test_parents_change_nothing_but_the_parents_measures(
    case: tuple[Scenario, int], other_parents: dict[str, float]
) -> None:
    # Parents draw from a stream of their own and no hazard reads them, so runs that
    # differ only in the parents' settings agree on everything else.
    scenario, seed = case
    first = run_model(scenario, seed=seed)
    second = run_model(scenario.with_overrides(other_parents), seed=seed)
    assert first.weekly_records == second.weekly_records
    horizon = first.horizon_start
    assert first.episode_log.to_frame(horizon).equals(second.episode_log.to_frame(horizon))
    for model in (first, second):
        for row in model.survey_recorder.yearly.values():
            row.pop("eighty_fifty")
    assert first.survey_recorder.yearly == second.survey_recorder.yearly
    assert first.survey_recorder.targets == second.survey_recorder.targets
