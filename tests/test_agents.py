"""Tests for the Youth, Family and School views over the model's arrays."""

from __future__ import annotations

import numpy as np

from hikisim.agents import Family, School, Youth
from hikisim.model import HikiModel
from hikisim.states import WEEKS_PER_YEAR, Care, Disorder, Parenting, State, Track


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


def test_setting_state_writes_the_array(tiny_model: HikiModel) -> None:
    agent = tiny_model.youth_agents[5]
    agent.state = State.RECOVERING
    assert tiny_model.population.youths.state[5] == State.RECOVERING


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
