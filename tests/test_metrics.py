"""Tests for the weekly records and the end-of-run summary."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import CONTRACT_KEYS

from hikisim.dynamics import WeekEvents
from hikisim.metrics import (
    DURATION_BINS,
    ONSET_BINS,
    WEEKLY_COLUMNS,
    current_cases,
    share,
    summarize,
    weekly_record,
)
from hikisim.model import HikiModel
from hikisim.states import WEEKS_PER_YEAR, Disorder, State


def withdraw(model: HikiModel, *cases: tuple[int, float, int], narrow: bool = True) -> None:
    """Make youths withdrawn as the kernel would have, one ``(seat, age_years, weeks)`` each.

    Each youth is ``age_years`` old now and has been withdrawn for ``weeks`` weeks, at the
    narrow severity unless ``narrow`` is false; the kernel's own clock marks the episodes
    that qualify.
    """
    y = model.population.youths
    longest = max(weeks for _, _, weeks in cases)
    started: list[int] = []
    for tick in range(longest):
        for seat, age_years, weeks in cases:
            if weeks == longest - tick:
                y.age_weeks[seat] = round(age_years * WEEKS_PER_YEAR) - (weeks - 1)
                draw = model.kernel.streams.draw("severity")
                model.kernel._start_withdrawal(np.array([seat]), tick, draw, relapse=False)
                y.narrow[seat] = narrow
                started.append(seat)
        model.kernel._count_weeks_withdrawn()
        if tick < longest - 1:
            y.age_weeks[started] += 1


@pytest.fixture
def quiet_model(tiny_model: HikiModel) -> HikiModel:
    """A tiny model with every youth engaged and aged 20, and no disorders."""
    y = tiny_model.population.youths
    y.age_weeks[:] = 20 * WEEKS_PER_YEAR
    y.disorder[:] = Disorder.NONE
    y.male[:] = False
    return tiny_model


def test_share_handles_empty_denominator() -> None:
    assert share(3, 4) == 0.75
    assert share(0, 0) == 0.0
    assert share(5, 0) == 0.0


def test_bins_are_contiguous() -> None:
    for bins in (DURATION_BINS, ONSET_BINS):
        edges = list(bins.values())
        for (_, upper), (lower, _) in itertools.pairwise(edges):
            assert upper == lower
    assert list(DURATION_BINS) == ["0.5-1", "1-3", "3-5", "5-7", "7+"]
    assert list(ONSET_BINS) == ["<15", "15-19", "20-24", "25-29"]


def test_current_cases_need_26_weeks(quiet_model: HikiModel) -> None:
    withdraw(quiet_model, (0, 20, 25), (1, 20, 26))
    assert current_cases(quiet_model).tolist() == [1]


def test_current_cases_are_complete_withdrawal(quiet_model: HikiModel) -> None:
    withdraw(quiet_model, (0, 20, 40), narrow=False)
    withdraw(quiet_model, (1, 20, 40), narrow=True)
    assert current_cases(quiet_model).tolist() == [1]


def test_current_cases_need_onset_before_30(quiet_model: HikiModel) -> None:
    # Onsets at about 29.6 and 30.04 years.
    withdraw(quiet_model, (0, 30.2, 30), (1, 30.6, 30))
    assert current_cases(quiet_model).tolist() == [0]


def test_current_cases_are_aged_15_to_39(quiet_model: HikiModel) -> None:
    withdraw(quiet_model, (0, 14.5, 40), (1, 15.5, 40), (2, 39.9, 546), (3, 40.1, 600))
    assert current_cases(quiet_model).tolist() == [1, 2]


def test_weekly_record_has_every_column(quiet_model: HikiModel) -> None:
    withdraw(quiet_model, (0, 20, 30))
    record = weekly_record(quiet_model, WeekEvents(new_episodes=2), cost=1.5)
    assert tuple(record) == WEEKLY_COLUMNS
    assert record["withdrawn"] == 1
    assert record["hikikomori"] == 1
    assert record["engaged"] == len(quiet_model.population.youths) - 1
    assert record["prevalence_15_39"] == pytest.approx(1 / len(quiet_model.population.youths))
    assert record["new_episodes"] == 2
    assert record["cost"] == 1.5


def test_summary_of_known_cases(quiet_model: HikiModel) -> None:
    withdraw(quiet_model, (0, 20, 30), (1, 25, 4 * WEEKS_PER_YEAR))
    y = quiet_model.population.youths
    y.male[1] = True
    y.disorder[1] = Disorder.DEPRESSION
    summary = summarize(quiet_model)
    n = len(y)
    assert set(summary) >= CONTRACT_KEYS
    assert summary["cases"] == 2
    assert summary["prevalence_15_39"] == pytest.approx(2 / n)
    assert summary["lifetime_prevalence_15_39"] == pytest.approx(2 / n)
    assert summary["male_share"] == 0.5
    assert summary["secondary_share"] == 0.5
    assert summary["duration_share"] == {
        "0.5-1": 0.5,
        "1-3": 0.0,
        "3-5": 0.5,
        "5-7": 0.0,
        "7+": 0.0,
    }
    assert summary["onset_age_share"] == {"<15": 0.0, "15-19": 0.5, "20-24": 0.5, "25-29": 0.0}
    assert summary["treated_share"] == 0.0


def test_summary_without_cases_is_all_zero_shares(quiet_model: HikiModel) -> None:
    summary = summarize(quiet_model)
    assert summary["cases"] == 0
    assert summary["prevalence_15_39"] == 0.0
    assert summary["male_share"] == 0.0
    assert set(summary["duration_share"].values()) == {0.0}
    assert summary["mean_episode_years"] == 0.0


def test_summary_of_a_finished_run(finished_tiny_model: HikiModel) -> None:
    summary = summarize(finished_tiny_model)
    assert set(summary) >= CONTRACT_KEYS
    records = finished_tiny_model.weekly_records
    assert summary["person_years_withdrawn"] == pytest.approx(
        sum(r["hikikomori"] for r in records) / WEEKS_PER_YEAR
    )
    assert summary["cost_total"] == 0.0
    assert summary["cases"] == records[-1]["hikikomori"]
    assert summary["prevalence_15_39"] == pytest.approx(records[-1]["prevalence_15_39"])
    withdrawn_at_end = np.count_nonzero(
        finished_tiny_model.population.youths.state == State.WITHDRAWN
    )
    assert records[-1]["withdrawn"] == withdrawn_at_end
