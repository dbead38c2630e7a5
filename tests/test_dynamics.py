"""Tests for the weekly kernel: hazards, modifiers, exposure and bookkeeping."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from hikisim.dynamics import SCHOOL_YEAR_START_WEEK, CalendarEffects, Modifiers, sigmoid
from hikisim.model import HikiModel
from hikisim.network import TieKind
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR, State


def busy_model(seed: int = 3, **overrides: object) -> HikiModel:
    """A small model with enough withdrawal that every mechanism is exercised."""
    settings = {
        "population.youths": 400,
        "run.burn_in_years": 0,
        "run.years": 2.0,
        "dynamics.onset_base": -3.5,
        "dynamics.progress_base": -1.5,
        "network.tie_loss_rate": 0.3,
        **overrides,
    }
    return HikiModel(Scenario().with_overrides(settings), seed=seed)


def test_sigmoid_values_and_dtype() -> None:
    values = sigmoid(np.array([-np.inf, -2.0, 0.0, 2.0, 50.0], np.float32))
    assert values.dtype == np.float32
    assert values[2] == pytest.approx(0.5)
    assert values[1] + values[3] == pytest.approx(1.0)
    assert values[0] == 0.0
    assert values[-1] == pytest.approx(1.0)
    assert np.all(np.diff(values) >= 0)


def test_sigmoid_of_extreme_logits_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = sigmoid(np.array([-80.0, 80.0], np.float32))
    assert 0.0 <= values[0] < 1e-30
    assert values[1] == pytest.approx(1.0)


def test_modifiers_start_neutral_and_reset() -> None:
    modifiers = Modifiers.neutral(5)
    assert np.all(modifiers.onset_logit == 0.0)
    assert np.all(modifiers.exit_multiplier == 1.0)
    assert np.all(modifiers.dropout_multiplier == 1.0)
    modifiers.onset_logit[:] = 2.0
    modifiers.exit_multiplier[:] = 3.0
    modifiers.reset()
    assert np.all(modifiers.onset_logit == 0.0)
    assert np.all(modifiers.exit_multiplier == 1.0)


def test_exposure_matches_a_fresh_sparse_product() -> None:
    model = busy_model()
    for _ in range(60):
        model.step()
        kernel = model.kernel
        kernel.update_exposure()
        state = model.population.youths.state
        risky = ((state == State.AT_RISK) | (state == State.WITHDRAWN)).astype(np.float64)
        expected = (model.adjacency @ risky) / np.maximum(model.network.degree, 1e-6)
        assert kernel.exposure == pytest.approx(expected, abs=1e-5)
    assert np.all((kernel.exposure >= 0.0) & (kernel.exposure <= 1.0 + 1e-6))


def test_network_stays_consistent_through_erosion_and_turnover() -> None:
    model = busy_model()
    model.run()
    network = model.network
    adjacency = network.adjacency
    assert (adjacency != adjacency.T).nnz == 0
    assert np.array_equal(network.active, network.active[network.mirror])
    row_sums = np.asarray(adjacency.sum(axis=1)).ravel()
    assert network.degree == pytest.approx(row_sums, abs=1e-4)
    # Withdrawal erodes offline ties.
    assert len(network.lost_offline_ties()) > 0


def test_withdrawn_youths_lose_offline_ties() -> None:
    # Onset low enough that many never withdraw: both groups are large, so the means
    # compare the groups rather than a handful of youths.
    model = busy_model(**{"network.tie_regain_rate": 0.0, "dynamics.onset_base": -7.0})
    model.run()
    y = model.population.youths
    network = model.network
    lost_offline = (~network.active) & (network.kind != TieKind.ONLINE)
    lost_per_youth = np.bincount(network.entry_row[lost_offline], minlength=len(y))
    ever_withdrawn = np.unique(model.episode_log.column("seat"))
    never = np.setdiff1d(np.arange(len(y)), ever_withdrawn)
    assert len(ever_withdrawn) > 0
    assert len(never) > 0
    assert lost_per_youth[ever_withdrawn].mean() > lost_per_youth[never].mean()


def test_no_one_changes_state_when_hazards_are_zero() -> None:
    model = busy_model(**{"dynamics.onset_base": -20.0, "dynamics.peer_weight": 0.0})
    model.kernel.static_onset[:] = -60.0
    for _ in range(30):
        model.step()
    assert np.all(model.population.youths.state == State.ENGAGED)
    assert len(model.episode_log) == 0


def test_onset_modifier_raises_onset() -> None:
    quiet = busy_model(**{"dynamics.onset_base": -8.0})
    pushed = busy_model(**{"dynamics.onset_base": -8.0})
    for _ in range(20):
        quiet.step()
        pushed.kernel.modifiers.onset_logit[:] = 6.0
        pushed.kernel.step(pushed.week)
        pushed.week += 1
    assert np.count_nonzero(pushed.population.youths.state != State.ENGAGED) > np.count_nonzero(
        quiet.population.youths.state != State.ENGAGED
    )


def test_duration_dependence_lowers_exit_hazard() -> None:
    model = busy_model(**{"dynamics.duration_decline": 1.0})
    y = model.population.youths
    seats = np.arange(4)
    y.state[seats] = State.WITHDRAWN
    y.disorder[seats] = 0
    y.withdrawn_weeks[seats] = np.array([1, WEEKS_PER_YEAR, 3 * WEEKS_PER_YEAR, 6 * WEEKS_PER_YEAR])
    hazard = model.kernel.exit_hazards(seats)
    assert np.all(np.diff(hazard) < 0)
    base = model.settings.dynamics.exit_base
    assert hazard[1] == pytest.approx(base / 2.0, rel=1e-5)


def test_disorder_lowers_exit_and_raises_progression() -> None:
    model = busy_model(**{"individual.disorder_exit_multiplier": 0.5})
    y = model.population.youths
    seats = np.array([0, 1])
    y.state[seats] = State.WITHDRAWN
    y.withdrawn_weeks[seats] = 10
    y.disorder[seats] = [0, 3]
    y.school_refusal[seats] = False
    y.internet_addiction[seats] = False
    y.track[seats] = y.track[0]
    exit_hazard = model.kernel.exit_hazards(seats)
    assert exit_hazard[1] == pytest.approx(0.5 * exit_hazard[0], rel=1e-5)
    progress, _ = model.kernel.at_risk_chances(seats)
    assert progress[1] > progress[0]


def test_age_and_turnover_replaces_those_past_max_age() -> None:
    model = busy_model(**{"population.max_age": 39})
    y = model.population.youths
    oldest = int(np.argmax(y.age_weeks))
    y.age_weeks[oldest] = 40 * WEEKS_PER_YEAR - 1
    y.state[oldest] = State.ENGAGED
    before = int(y.person_id[oldest])
    model.kernel.age_and_turnover(week=0)
    assert y.age_weeks[oldest] == 10 * WEEKS_PER_YEAR
    assert y.person_id[oldest] != before
    assert y.person_id[oldest] >= len(y)


def test_turnover_closes_the_episode_of_a_withdrawn_sixty_four_year_old() -> None:
    model = busy_model()
    y = model.population.youths
    seat = int(np.argmax(y.age_weeks))
    y.age_weeks[seat] = 65 * WEEKS_PER_YEAR - 1
    draw = model.kernel.streams.draw("severity")
    model.kernel._start_withdrawal(np.array([seat]), 0, draw, relapse=False)
    row = int(y.episode_row[seat])
    model.kernel.age_and_turnover(week=1)
    log = model.episode_log
    assert log.column("end_week")[row] == 1
    assert log.column("outcome")[row] == 4  # aged_out
    assert y.state[seat] == State.ENGAGED
    assert y.episode_row[seat] == -1


def test_aging_switch_freezes_ages() -> None:
    model = busy_model(**{"population.aging": False})
    ages = model.population.youths.age_weeks.copy()
    for _ in range(10):
        model.step()
    assert np.array_equal(model.population.youths.age_weeks, ages)


def test_the_conditions_chances_follow_the_calendar_and_the_scenario() -> None:
    """The kept chances change with the refusal factor, the first week and the scenario."""

    model = HikiModel(Scenario().with_overrides({"population.youths": 300}), seed=1)
    kernel = model.kernel
    start = kernel.scenario.school.refusal_start
    kernel.calendar = CalendarEffects(
        refusal_multiplier=2.0, week_of_year=SCHOOL_YEAR_START_WEEK + 3
    )
    first = kernel._condition_rates()
    assert first.refusal_start == start * 2.0
    assert first.new_school_stop == kernel.scenario.school.refusal_stop
    assert kernel._condition_rates() is first  # nothing changed: kept
    kernel.calendar = CalendarEffects(
        refusal_multiplier=3.0, week_of_year=SCHOOL_YEAR_START_WEEK + 3
    )
    assert kernel._condition_rates().refusal_start == start * 3.0
    kernel.calendar = CalendarEffects(refusal_multiplier=3.0, week_of_year=SCHOOL_YEAR_START_WEEK)
    school = kernel.scenario.school
    stay = (1.0 - school.refusal_stop) * (1.0 - school.refusal_transition_remission)
    assert kernel._condition_rates().new_school_stop == 1.0 - stay
    kernel.scenario = kernel.scenario.with_overrides({"school.refusal_start": start / 2})
    assert kernel._condition_rates().refusal_start == start / 2 * 3.0
