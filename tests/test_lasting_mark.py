"""Years lost to withdrawal leave a lasting mark on the chance of work (issue 10, item 3)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from processes import BUSY

from hikisim.dynamics import WeekEvents
from hikisim.metrics import summarize, weekly_record
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.simulation import run_model
from hikisim.states import WEEKS_PER_YEAR, State

RUN = BUSY | {"population.youths": 3000, "run.burn_in_years": 30, "run.years": 10}


def model_with_scar(scar: float) -> HikiModel:
    overrides = RUN | {"labour.work_scar_per_year_lost": scar}
    return run_model(Scenario().with_overrides(overrides), seed=3)


@pytest.fixture(scope="module")
def runs() -> dict[float, dict]:
    return {scar: summarize(model_with_scar(scar)) for scar in (0.0, 2.0)}


def test_the_chance_of_work_falls_exponentially_with_years_lost() -> None:
    model = HikiModel(Scenario().with_overrides(RUN | {"labour.work_scar_per_year_lost": 0.5}))
    y = model.population.youths
    y.years_lost[:3] = (0.0, 1.0, 4.0)
    np.testing.assert_allclose(
        model.kernel.work_chance(np.arange(3)), [1.0, math.exp(-0.5), math.exp(-2.0)], rtol=1e-6
    )


def test_a_scar_lowers_work_after_reentry_and_raises_neet(runs: dict[float, dict]) -> None:
    unmarked, marked = runs[0.0], runs[2.0]
    assert 0.0 <= marked["former_cases_in_work_5y"] < unmarked["former_cases_in_work_5y"] <= 1.0
    assert marked["neet_share_20_34"] > unmarked["neet_share_20_34"]


def test_former_cases_are_followed_at_working_age(runs: dict[float, dict]) -> None:
    # Without a scar most former cases work five years on; the follow-up is not empty.
    assert runs[0.0]["former_cases_in_work_5y"] > 0.5


def test_a_reentry_cohort_is_followed_once_whatever_happened_since() -> None:
    model = HikiModel(Scenario().with_overrides(RUN))
    kernel, y = model.kernel, model.population.youths
    seats = np.arange(3)
    # Re-entry follows an episode: withdrawn in week 1, recovering from week 5.
    kernel._start_withdrawal(seats, 1, model.streams.draw("severity"), relapse=False)
    kernel._end_withdrawal(seats, 5)
    y.ever_broad[:3] = (True, True, False)
    kernel._reintegrate(seats, np.zeros(3), week=7)
    # A later relapse and re-entry does not take seat 0 out of the week-7 cohort...
    y.reintegrated_week[0] = 90
    # ... but a seat that turned over holds someone else.
    y.person_id[1] += 10_000
    np.testing.assert_array_equal(kernel.reentry_cohort(7), [0])
    assert len(kernel.reentry_cohort(7)) == 0  # handed out once
    assert len(kernel.reentry_cohort(8)) == 0  # nobody re-entered that week


def test_nobody_followed_is_no_information() -> None:
    short = RUN | {"run.burn_in_years": 0, "run.years": 1}
    summary = summarize(run_model(Scenario().with_overrides(short), seed=3))
    assert summary["former_cases_in_work_5y"] is None


def test_the_weekly_work_scar_sums_the_lost_chance_of_work_of_adult_former_cases() -> None:
    model = HikiModel(Scenario().with_overrides(RUN | {"labour.work_scar_per_year_lost": 0.5}))
    y = model.population.youths
    y.years_lost[:] = 0.0
    y.state[:] = State.ENGAGED
    seats = np.arange(4)
    y.years_lost[seats] = (1.0, 2.0, 2.0, 2.0)
    y.age_weeks[seats] = (30, 40, 19, 40)
    y.age_weeks[seats] *= WEEKS_PER_YEAR
    # The third is under 20 and the fourth withdrawn: neither counts.
    y.state[3] = State.WITHDRAWN
    expected = (1 - math.exp(-0.5)) + (1 - math.exp(-1.0))
    record = weekly_record(model, WeekEvents(), 0.0)
    assert record["work_scar_weeks"] == pytest.approx(expected, rel=1e-6)
