"""Model v2: calendar time, ages 10-64, severities, episode continuation, working life."""

from __future__ import annotations

import numpy as np
import pytest

from hikisim.errors import InputError
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR, State, Track


def small_model(seed: int = 5, **overrides: object) -> HikiModel:
    """A small model with no burn-in, so tests set up states by hand."""
    settings = {"population.youths": 300, "run.burn_in_years": 0, "run.years": 2.0, **overrides}
    return HikiModel(Scenario().with_overrides(settings), seed=seed)


def withdraw(model: HikiModel, seat: int, week: int) -> None:
    """Move one person into withdrawal at ``week`` through the kernel's own path."""
    kernel = model.kernel
    draw = kernel.streams.draw("severity")
    kernel._start_withdrawal(np.array([seat]), week, draw, relapse=False)


def test_default_population_spans_ages_10_to_64() -> None:
    model = HikiModel(Scenario().with_overrides({"population.youths": 5000, "run.years": 0.1}))
    ages = model.population.youths.age_weeks / WEEKS_PER_YEAR
    assert ages.min() >= 10 and ages.max() < 65
    # Ages are spread evenly: each decade holds about its share.
    assert np.count_nonzero(ages >= 40) / len(ages) == pytest.approx(25 / 55, abs=0.03)


@pytest.mark.parametrize("max_age", [38, 65])
def test_max_age_outside_39_to_64_is_refused(max_age: int) -> None:
    with pytest.raises(InputError, match=r"population\.max_age"):
        Scenario().with_overrides({"population.max_age": max_age})


def test_people_leave_after_max_age() -> None:
    model = small_model(**{"population.max_age": 39})
    y = model.population.youths
    y.age_weeks[0] = 40 * WEEKS_PER_YEAR - 1
    model.step()
    assert y.age_weeks[0] == 10 * WEEKS_PER_YEAR
    assert y.age_weeks.max() < 40 * WEEKS_PER_YEAR


def test_a_return_within_26_weeks_continues_the_episode() -> None:
    model = small_model()
    y, log, kernel = model.population.youths, model.episode_log, model.kernel
    withdraw(model, 0, week=100)
    row = y.episode_row[0]
    y.withdrawn_weeks[0] = 30
    kernel._end_withdrawal(np.array([0]), week=130)
    assert y.state[0] == State.RECOVERING and y.withdrawn_weeks[0] == 0
    years_lost = float(y.years_lost[0])
    assert years_lost == pytest.approx(30 / WEEKS_PER_YEAR)

    withdraw(model, 0, week=140)

    assert y.episode_row[0] == row and len(log) == 1
    assert y.withdrawn_weeks[0] == 30  # the clock carries on
    assert log.column("end_week")[row] == -1
    assert log.column("interruptions")[row] == 1
    assert log.column("interrupted_weeks")[row] == 10
    # The 30 weeks are counted once in the years lost when the episode ends for good.
    y.withdrawn_weeks[0] = 35
    kernel._end_withdrawal(np.array([0]), week=145)
    assert y.years_lost[0] == pytest.approx(35 / WEEKS_PER_YEAR)


def test_a_return_after_26_weeks_is_a_new_episode() -> None:
    model = small_model()
    y, log, kernel = model.population.youths, model.episode_log, model.kernel
    withdraw(model, 0, week=100)
    first = y.episode_row[0]
    y.withdrawn_weeks[0] = 30
    kernel._end_withdrawal(np.array([0]), week=130)
    kernel._start_withdrawal(np.array([0]), 156, kernel.streams.draw("severity"), relapse=True)
    assert y.episode_row[0] != first and len(log) == 2
    assert y.withdrawn_weeks[0] == 0
    assert log.column("interruptions")[first] == 0
    assert log.to_frame(0)["outcome"][first] == "relapsed"


@pytest.mark.parametrize(("share", "narrow"), [(1.0, True), (0.0, False)])
def test_severity_at_entry_follows_the_narrow_share(share: float, narrow: bool) -> None:
    model = small_model(**{"dynamics.narrow_entry_share": share})
    seats = np.arange(20)
    model.kernel._start_withdrawal(seats, 0, model.kernel.streams.draw("severity"), False)
    assert np.all(model.population.youths.narrow[seats] == narrow)


def test_busy_run_keeps_severity_and_definitions_consistent() -> None:
    model = small_model(
        **{
            "dynamics.onset_base": -3.5,
            "dynamics.progress_base": -1.5,
            "dynamics.deepen_rate": 0.05,
            "dynamics.lighten_rate": 0.05,
        }
    )
    model.run()
    y = model.population.youths
    withdrawn = y.state == State.WITHDRAWN
    assert not np.any(y.narrow & ~withdrawn), "only the withdrawn have a severity"
    assert np.any(y.narrow) and np.any(withdrawn & ~y.narrow), "both severities occur"
    assert np.all(y.narrow_weeks <= np.maximum(y.withdrawn_weeks, y.narrow_weeks))
    # Every seed case is an ever-broad and narrow person; koyama implies broad.
    assert np.all(y.ever_broad[y.ever_koyama])
    assert np.all(y.ever_broad[y.ever_hikikomori])
    record = model.last_record
    assert record["withdrawn_narrow"] + record["withdrawn_quasi"] == record["withdrawn"]
    assert record["hikikomori"] <= record["withdrawn_narrow"]


def test_workers_retire_and_lose_jobs() -> None:
    model = small_model(
        **{"labour.retirement_rate": 1.0, "labour.job_loss_rate": 0.0, "run.years": 0.1}
    )
    y = model.population.youths
    model.run()
    old_workers = (y.age_weeks >= 61 * WEEKS_PER_YEAR) & (y.track == Track.WORK)
    assert not old_workers.any()
    assert np.any(y.track == Track.RETIRED)
    assert np.all(y.age_weeks[y.track == Track.RETIRED] >= 60 * WEEKS_PER_YEAR)

    model = small_model(
        **{"labour.job_loss_rate": 1.0, "labour.job_market_effect": 0.0, "run.years": 0.1}
    )
    model.step()
    assert not np.any(model.population.youths.track == Track.WORK)


def test_calendar_drivers_reach_the_kernel() -> None:
    model = HikiModel(Scenario().with_overrides({"population.youths": 200}))
    closure = model.calendar_effects(model.calendar.week_of("2020-04"))
    before = model.calendar_effects(model.calendar.week_of("2019-04"))
    covid = model.settings.society.covid_effect
    assert closure.onset_logit - before.onset_logit == pytest.approx(covid, abs=0.05)
    freeze = model.calendar_effects(model.calendar.week_of("1999-06"))
    boom = model.calendar_effects(model.calendar.week_of("1990-06"))
    assert freeze.job_market_gap > 0 > boom.job_market_gap


def test_school_year_counters_reset_in_april() -> None:
    model = small_model(**{"run.present": "2020-03", "run.years": 0.2})
    y = model.population.youths
    y.school_year_refusal_weeks[:] = 3
    while model.calendar.date_of(model.week) != "2020-04":
        model.step()
    model.step()
    refusing = y.school_refusal
    assert np.all(y.school_year_refusal_weeks[~refusing] == 0)


def snapshot_prevalence(burn_in: int, seed: int) -> float:
    """Broad prevalence at ages 15-39 in Dec 2015, from a light model (ages 10-39)."""
    overrides = {
        "population.youths": 1200,
        "population.max_age": 39,
        "run.burn_in_years": burn_in,
        "run.present": "2016-01",
        "run.years": 0.1,
        "dynamics.onset_base": -8.0,
    }
    model = HikiModel(Scenario().with_overrides(overrides), seed=seed)
    model.run()
    return model.survey_recorder.snapshots["2015-12"]["15-39"]["broad_prevalence"]


def test_snapshots_do_not_depend_on_the_burn_in_once_it_is_long_enough() -> None:
    seeds = range(4)
    # Everyone aged 15-39 in 2015 turned 10 in 1986 or later: a run from 1985 has seen
    # their whole modelled lives, as has one from 1965.
    long_ = np.array([snapshot_prevalence(31, seed) for seed in seeds])  # from 1985
    longer = np.array([snapshot_prevalence(51, seed) for seed in seeds])  # from 1965
    short = np.array([snapshot_prevalence(1, seed) for seed in seeds])  # from 2015

    def z(a: np.ndarray, b: np.ndarray) -> float:
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        return float((a.mean() - b.mean()) / se)

    assert abs(z(long_, longer)) < 4.0
    # The check has power: a run that starts a year before the survey, with everyone
    # engaged and no history, is measured far from the steady state.
    assert z(long_, short) > 4.0


def test_peer_exposure_counts_only_ties_that_still_carry_contact() -> None:
    model = small_model(**{"population.youths": 200})
    y, net = model.population.youths, model.network
    indptr, indices = net.adjacency.indptr, net.adjacency.indices
    seat = int(np.argmax(np.diff(indptr)))  # someone with several ties
    entries = np.arange(indptr[seat], indptr[seat + 1])
    entries = entries[net.active[entries]]
    partner = int(indices[entries[0]])
    y.state[:] = State.ENGAGED
    y.state[partner] = State.WITHDRAWN
    model.kernel.update_exposure()
    weight = net.base_weight[entries[0]]
    assert model.kernel.exposure[seat] == pytest.approx(weight / net.degree[seat], rel=1e-5)

    # The tie is lost: the withdrawn partner no longer counts, nor does the tie's weight.
    degree = float(net.degree[seat])
    net.set_active(entries[:1], False)
    model.kernel.update_exposure()
    assert model.kernel.exposure[seat] == 0.0
    assert net.degree[seat] == pytest.approx(degree - weight)
