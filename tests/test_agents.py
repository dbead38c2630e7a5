"""Tests for the Youth, Family and School views over the model's arrays."""

from __future__ import annotations

import contextlib
import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hikisim import agents
from hikisim.agents import Family, School, Youth
from hikisim.dynamics import WeekEvents
from hikisim.episodes import OUTCOMES
from hikisim.metrics import current_cases, in_survey_band, weekly_record
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR, Care, Disorder, Parenting, State, Track

TOWN = 1_000


@pytest.fixture(scope="module")
def town() -> HikiModel:
    """1,000 people stepped through six years of burn-in: a few current cases by then.

    Shared: tests copy it before changing anything.
    """
    scenario = Scenario().with_overrides(
        {"population.youths": TOWN, "run.burn_in_years": 6, "run.years": 1}
    )
    model = HikiModel(scenario, seed=4)
    while model.week < model.horizon_start:
        model.step()
    return model


def recounted_cases(model: HikiModel) -> np.ndarray:
    """Current cases recounted from the arrays: withdrawn, narrow, in an episode that
    qualified (an episode row, not -1), aged 15-39."""
    y = model.population.youths
    rows = y.episode_row
    has_row = rows >= 0
    qualified = np.zeros(len(y), bool)
    qualified[has_row] = model.episode_log.column("hikikomori")[rows[has_row]]
    case = (y.state == State.WITHDRAWN) & y.narrow & qualified & in_survey_band(y.age_weeks)
    return np.flatnonzero(case)


def test_one_agent_per_youth_family_and_school(tiny_model: HikiModel) -> None:
    population = tiny_model.population
    youths = tiny_model.agents_by_type[Youth]
    assert len(youths) == len(population.youths)
    assert len(tiny_model.agents_by_type[Family]) == len(population.families)
    assert len(tiny_model.agents_by_type[School]) == len(population.schools)
    assert sorted(agent.index for agent in youths) == list(range(len(population.youths)))


def test_youth_properties_read_the_arrays(tiny_model: HikiModel) -> None:
    y = tiny_model.population.youths
    agent = tiny_model.youth_agents[7]
    assert agent.index == 7
    assert agent.person_id == y.person_id[7]
    assert agent.age == y.age_weeks[7] / WEEKS_PER_YEAR
    assert agent.male == bool(y.male[7])
    assert agent.state is State.ENGAGED
    assert agent.disorder == Disorder(int(y.disorder[7]))
    assert agent.track == Track(int(y.track[7]))
    assert agent.care is Care.NONE
    assert agent.introversion == float(y.introversion[7])
    assert agent.trauma == bool(y.trauma[7])
    assert agent.family.index == y.family[7]
    assert agent.school.index == y.school[7]


def test_youth_views_follow_array_changes(tiny_model: HikiModel) -> None:
    y = tiny_model.population.youths
    agent = tiny_model.youth_agents[3]
    y.state[3] = State.AT_RISK
    y.school_refusal[3] = True
    y.internet_addiction[3] = True
    y.sleep_reversal[3] = True
    y.withdrawn_weeks[3] = 0
    assert agent.state is State.AT_RISK
    assert agent.school_refusal
    assert agent.internet_addiction
    assert agent.sleep_reversal
    assert not agent.is_hikikomori


def test_setting_state_moves_a_youth_by_the_model_rules(town: HikiModel) -> None:
    # Writing the array alone once left a withdrawn youth with episode row -1, read as
    # the log's last row (someone else's episode): the write now goes through the kernel.
    model = copy.deepcopy(town)
    y, log = model.population.youths, model.episode_log
    fresh = (y.state == State.ENGAGED) & (y.episode_row < 0)
    engaged = np.flatnonzero(fresh)[:20]
    logged = len(log)
    for seat in engaged:
        model.youth_agents[seat].state = State.WITHDRAWN
    assert (y.state[engaged] == State.WITHDRAWN).all()
    # A new episode each (none of them had one), opened in the model's next week.
    assert len(log) == logged + 20
    rows = y.episode_row[engaged]
    assert sorted(rows.tolist()) == list(range(logged, logged + 20))
    assert (log.column("onset_week")[rows] == model.week).all()
    # Severity is drawn: some narrow, some quasi, at the scenario's share.
    assert 0 < y.narrow[engaged].sum() < 20
    y.withdrawn_weeks[engaged] = 30
    lost_before = y.years_lost[engaged].copy()
    # Mesa's AgentSet.set goes through the same property.
    chosen = model.agents_by_type[Youth].select(lambda agent: agent.index in set(engaged))
    chosen.set("state", State.RECOVERING)
    assert (y.state[engaged] == State.RECOVERING).all()
    assert (log.column("outcome")[rows] == OUTCOMES.index("recovering")).all()
    np.testing.assert_allclose(y.years_lost[engaged], lost_before + 30 / WEEKS_PER_YEAR)
    assert not y.narrow[engaged].any()
    for seat in engaged[:10]:
        model.youth_agents[seat].state = State.ENGAGED
    assert (y.state[engaged[:10]] == State.ENGAGED).all()
    assert (log.column("outcome")[rows[:10]] == OUTCOMES.index("reintegrated")).all()
    # A relapse continues the episode left within 26 weeks.
    model.youth_agents[engaged[10]].state = State.WITHDRAWN
    assert y.episode_row[engaged[10]] == rows[10]
    for _ in range(40):
        model.step()
    assert (y.episode_row[y.state == State.WITHDRAWN] >= 0).all()


def test_a_move_the_model_never_makes_is_refused_and_changes_nothing(town: HikiModel) -> None:
    model = copy.deepcopy(town)
    y = model.population.youths
    seat = int(np.flatnonzero(y.state == State.ENGAGED)[0])
    before = {name: column.copy() for name, column in vars(y).items()}
    logged = len(model.episode_log)
    with pytest.raises(ValueError, match="RECOVERING is reached from WITHDRAWN"):
        model.youth_agents[seat].state = State.RECOVERING
    with pytest.raises(ValueError, match="is not a valid State"):
        model.youth_agents[seat].state = 7
    for name, column in before.items():
        np.testing.assert_array_equal(getattr(y, name), column, err_msg=name)
    assert len(model.episode_log) == logged
    # Setting the state the youth is in does nothing.
    model.youth_agents[seat].state = State.ENGAGED
    assert len(model.episode_log) == logged


def test_the_same_writes_give_the_same_run(town: HikiModel) -> None:
    runs = []
    for _ in range(2):
        model = copy.deepcopy(town)
        engaged = np.flatnonzero(model.population.youths.state == State.ENGAGED)[:15]
        for seat in engaged:
            model.youth_agents[seat].state = State.WITHDRAWN
        for _ in range(10):
            model.step()
        runs.append(model.population.youths.state.copy())
    np.testing.assert_array_equal(runs[0], runs[1])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    writes=st.lists(
        st.tuples(st.integers(0, TOWN - 1), st.sampled_from(list(State))), min_size=1, max_size=8
    ),
    weeks=st.integers(0, 3),
)
def test_no_write_through_an_agent_unsettles_the_census(
    town: HikiModel, writes: list[tuple[int, State]], weeks: int
) -> None:
    model = copy.deepcopy(town)
    for seat, value in writes:
        # A move the model never makes is refused and changes nothing.
        with contextlib.suppress(ValueError):
            model.youth_agents[seat].state = value
    for _ in range(weeks):
        model.step()
    y = model.population.youths
    record = weekly_record(model, WeekEvents(), 0.0)
    recount = recounted_cases(model)
    for state in State:
        assert record[state.name.lower()] == np.count_nonzero(y.state == state)
    assert record["hikikomori"] == len(recount)
    assert current_cases(model).tolist() == recount.tolist()
    flagged = [a.index for a in model.youth_agents if a.is_hikikomori]
    assert [seat for seat in flagged if in_survey_band(y.age_weeks[seat])] == recount.tolist()


def test_a_withdrawal_without_an_episode_row_is_no_case(town: HikiModel) -> None:
    # Row -1 is "no episode"; Python and numpy read it as the log's last row, so make
    # that row a qualified episode: the old code counted these youths as cases.
    model = copy.deepcopy(town)
    y, log = model.population.youths, model.episode_log
    log.column("hikikomori")[-1] = True
    seats = np.flatnonzero(
        (y.state == State.ENGAGED) & in_survey_band(y.age_weeks) & (y.episode_row < 0)
    )[:5]
    assert len(seats) == 5
    y.state[seats] = State.WITHDRAWN
    y.narrow[seats] = True
    y.withdrawn_weeks[seats] = 40
    assert not any(model.youth_agents[seat].is_hikikomori for seat in seats)
    assert not set(current_cases(model).tolist()) & set(seats.tolist())
    assert current_cases(model).tolist() == recounted_cases(model).tolist()
    # The weekly record's compiled census too.
    assert weekly_record(model, WeekEvents(), 0.0)["hikikomori"] == len(recounted_cases(model))


def test_former_cases_moved_back_one_by_one_are_all_followed(town: HikiModel) -> None:
    model = copy.deepcopy(town)
    y = model.population.youths
    withdrawn = np.flatnonzero(y.state == State.WITHDRAWN)[:3]
    assert len(withdrawn) == 3
    for seat in withdrawn:
        model.youth_agents[seat].state = State.RECOVERING
    assert y.ever_broad[withdrawn].all()
    week = model.week
    # One at a time, as AgentSet.set does; each joins the week's cohort.
    for seat in withdrawn[::-1]:
        model.youth_agents[seat].state = State.ENGAGED
    assert model.kernel.reentry_cohort(week).tolist() == sorted(withdrawn.tolist())


def test_a_write_that_moves_nobody_takes_no_draw(town: HikiModel) -> None:
    plain, touched = copy.deepcopy(town), copy.deepcopy(town)
    engaged = np.flatnonzero(town.population.youths.state == State.ENGAGED)
    # An engaged youth set to ENGAGED again: nothing moves, so no number is used up and
    # the next real move draws what it would have drawn.
    touched.youth_agents[engaged[0]].state = State.ENGAGED
    for model in (plain, touched):
        for seat in engaged[1:41]:
            model.youth_agents[seat].state = State.WITHDRAWN
    np.testing.assert_array_equal(plain.population.youths.narrow, touched.population.youths.narrow)


def test_agent_set_filters_see_model_state(tiny_model: HikiModel) -> None:
    y = tiny_model.population.youths
    y.state[[1, 2, 9]] = State.AT_RISK
    at_risk = tiny_model.agents_by_type[Youth].select(lambda a: a.state == State.AT_RISK)
    assert sorted(a.index for a in at_risk) == [1, 2, 9]


def test_is_hikikomori_matches_current_cases(finished_tiny_model: HikiModel) -> None:
    from hikisim.metrics import current_cases

    y = finished_tiny_model.population.youths
    flagged = [a.index for a in finished_tiny_model.youth_agents if a.is_hikikomori]
    in_band = [seat for seat in flagged if y.age_weeks[seat] >= 15 * WEEKS_PER_YEAR]
    assert sorted(in_band) == current_cases(finished_tiny_model).tolist()


def test_family_and_school_views(tiny_model: HikiModel) -> None:
    families, schools = tiny_model.population.families, tiny_model.population.schools
    family = tiny_model.family_agents[0]
    assert family.parenting == Parenting(int(families.parenting[0]))
    assert family.high_expectations == bool(families.high_expectations[0])
    assert not family.sought_help
    families.sought_help[0] = True
    assert family.sought_help
    assert not family.took_course
    school = tiny_model.school_agents[0]
    assert school.climate == float(schools.climate[0])
    assert school.pressure == float(schools.pressure[0])
    assert school.urban == bool(schools.urban[0])
    assert not school.ei_training
    members = np.flatnonzero(tiny_model.population.youths.family == 0)
    assert all(tiny_model.youth_agents[m].family is family for m in members)


def test_module_doc_names_the_turnover_age_and_every_track() -> None:
    doc = agents.__doc__ or ""
    assert "turns 40" not in doc
    assert "max_age" in doc
    assert Youth.track.__doc__ is not None
    for track in Track:
        assert track.name.lower() in Youth.track.__doc__.lower()
