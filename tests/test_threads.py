"""The threaded passes (hikisim.threads): when they run, and that they change nothing.

A threaded pass must give exactly what the one-thread pass gives, whatever the ranges:
each youth's uniforms are counted by seat, each range writes only its own seats, and the
ranges' lists are joined in seat order. These tests hold the passes to that on a warm
town's own columns, with ranges of unequal and empty sizes, and whole runs to it too.
"""

from __future__ import annotations

import copy
import threading

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hikisim import careers, conditions, kernels, threads
from hikisim.dynamics import CONDITION_CODE_VALUES, CONDITION_STREAMS
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR, Disorder, State, Track


@pytest.fixture
def threads_allowed():
    """Threads allowed (the process default), and restored after the test."""
    threads.allow(True)
    yield
    threads.allow(True)


@given(seats=st.integers(0, 2_000_000), ranges=st.integers(1, 16))
def test_range_bounds_cover_every_seat_once_in_aligned_ranges(seats: int, ranges: int) -> None:
    bounds = threads.range_bounds(seats, ranges)
    assert len(bounds) == ranges + 1
    assert bounds[0] == 0 and bounds[-1] == seats
    assert np.all(np.diff(bounds) >= 0)
    inner = bounds[1:-1][bounds[1:-1] < seats]
    assert np.all(inner % threads.RANGE_ALIGNMENT == 0)


def test_small_towns_disallowed_processes_and_other_threads_use_one(threads_allowed) -> None:
    assert threads.ranges_for(threads.MIN_SEATS - 1) == 1
    threads.allow(False)
    assert threads.ranges_for(threads.MIN_SEATS) == 1
    threads.allow(True)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(threads.ranges_for(10**6)))
    worker.start()
    worker.join()
    assert seen == [1]


def test_a_large_town_in_the_main_thread_uses_every_thread(threads_allowed) -> None:
    threadsafe = numba.get_num_threads() > 1 and threads._pool_is_threadsafe()
    expected = numba.get_num_threads() if threadsafe else 1
    assert threads.ranges_for(threads.MIN_SEATS) == expected


def warm_kernel(seed: int = 4):
    """A town of 3,000 after two years, its youths in every state."""
    scenario = Scenario().with_overrides({"population.youths": 3_000, "run.burn_in_years": 0})
    model = HikiModel(scenario, seed=seed)
    for _ in range(2 * WEEKS_PER_YEAR):
        model.step()
    return model.kernel


# Equal halves, unequal thirds with an empty range, and one seat range per 64 seats.
RANGES = [
    np.array([0, 1536, 3000]),
    np.array([0, 64, 64, 3000]),
    np.arange(0, 3000 + 64, 64).clip(max=3000),
]


@pytest.mark.parametrize("bounds", RANGES, ids=["halves", "with-empty", "many"])
def test_threaded_onset_finds_the_same_seats(bounds: np.ndarray) -> None:
    kernel = warm_kernel()
    y = kernel.youths
    # Chances raised so that a hundred seats or more start, in every range.
    raised = kernel.static_onset + np.float32(4.0)
    inputs = (
        y.state,
        raised,
        kernel.exposure,
        y.age_weeks,
        kernel.age_logit,
        kernel.modifiers.onset_logit,
        y.track,
        y.work_start_age,
        np.float32(0.8),
        np.float32(0.1),
        np.float32(0.3),
        3.0 * WEEKS_PER_YEAR,
        np.int8(Track.WORK),
        np.int8(State.ENGAGED),
        np.uint64(11),
        np.uint64(12),
        np.int64(500),
        np.int64(0),
    )
    alone = kernels.onset(*inputs)
    assert len(alone) > 100
    np.testing.assert_array_equal(kernels.onset_threaded(bounds, *inputs), alone)


@pytest.mark.parametrize("bounds", RANGES, ids=["halves", "with-empty", "many"])
def test_threaded_conditions_write_the_same_columns(bounds: np.ndarray) -> None:
    kernel = warm_kernel()
    rates = kernel._condition_rates()._replace(
        refusal_start=0.3, refusal_stop=0.4, sleep_start=0.3, depression_onset=0.2
    )
    counters = tuple(kernel.streams.draw(name).counter for name in CONDITION_STREAMS)
    columns = kernels.plain_columns_of(kernel.youths, conditions.ConditionArrays)
    alone_columns = copy.deepcopy(columns)
    threaded_columns = copy.deepcopy(columns)
    rest = (tuple(rates), CONDITION_CODE_VALUES, 3, counters)
    alone = conditions.update(alone_columns, *rest)
    threaded = conditions.update_threaded(bounds, *conditions.flat_inputs(threaded_columns, *rest))
    assert len(alone[0]) > 50
    changed = [
        name
        for name, before, after in zip(
            conditions.ConditionArrays._fields, columns, alone_columns, strict=True
        )
        if not np.array_equal(before, after)
    ]
    assert {"school_refusal", "sleep_reversal", "internet_addiction"} <= set(changed)
    for mine, theirs in zip(threaded, alone, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    for name, mine, theirs in zip(
        conditions.ConditionArrays._fields, threaded_columns, alone_columns, strict=True
    ):
        np.testing.assert_array_equal(mine, theirs, err_msg=name)


def run_records(seed: int, monkeypatch: pytest.MonkeyPatch, threaded: bool) -> tuple:
    """A short run's weekly records and final columns, threaded or on one thread."""
    monkeypatch.setattr(threads, "MIN_SEATS", 0 if threaded else 10**9)
    scenario = Scenario().with_overrides(
        {"population.youths": 2_500, "run.burn_in_years": 1, "run.years": 1}
    )
    model = HikiModel(scenario, seed=seed)
    model.run()
    y = model.population.youths
    return model.weekly_records, {name: value.copy() for name, value in vars(y).items()}


@pytest.mark.parametrize("seed", [2, 9])
def test_a_threaded_run_is_the_one_thread_run(seed: int, monkeypatch, threads_allowed) -> None:
    if threads.ranges_for(10**9) == 1:
        pytest.fail("this machine gives no threads: the threaded passes were not tested")
    records, columns = run_records(seed, monkeypatch, threaded=True)
    alone_records, alone_columns = run_records(seed, monkeypatch, threaded=False)
    assert records == alone_records
    for name, value in alone_columns.items():
        np.testing.assert_array_equal(columns[name], value, err_msg=name)


@pytest.mark.parametrize("bounds", RANGES, ids=["halves", "with-empty", "many"])
def test_threaded_careers_make_the_same_moves(bounds: np.ndarray) -> None:
    kernel = warm_kernel()
    y = kernel.youths
    # Chances raised so that every move happens in every range.
    rates = careers.CareerRates(
        find_work=0.3, work_scar=0.2, dropout_32=np.float32(0.5), job_loss=0.05, retirement=0.2
    )
    refusers = np.flatnonzero(y.school_refusal | (np.arange(len(y)) % 7 == 0))
    columns = (y.track, y.state, y.age_weeks, y.years_lost, y.school_refusal, y.work_start_age)
    alone_columns, threaded_columns = copy.deepcopy(columns), copy.deepcopy(columns)
    rest = (
        refusers,
        5,
        tuple(rates),
        kernel.career_codes,
        kernel.streams.draw("track").counter,
        kernel.streams.draw("labour").counter,
    )
    alone = careers.update(*alone_columns, *rest)
    threaded = careers.update_threaded(bounds, *careers.flat_inputs(*threaded_columns, *rest))
    assert len(alone) > 100
    np.testing.assert_array_equal(threaded, alone)
    for mine, theirs in zip(threaded_columns, alone_columns, strict=True):
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("extra_codes", [0, 2])
@pytest.mark.parametrize("bounds", RANGES, ids=["halves", "with-empty", "many"])
def test_threaded_census_counts_the_same(bounds: np.ndarray, extra_codes: int) -> None:
    kernel = warm_kernel()
    y = kernel.youths
    rng = np.random.default_rng(3)
    codes = len(Disorder) + extra_codes
    y.disorder[:] = rng.integers(0, codes, len(y))
    y.depressed[:] = rng.random(len(y)) < 0.1
    y.years_lost[:] = np.where(rng.random(len(y)) < 0.2, rng.random(len(y)) * 6, 0.0)
    inputs = (
        kernels.plain_columns_of(y, kernels.Census),
        kernel.nonengaged(),
        np.flatnonzero(y.years_lost > 0),
        rng.random(len(y)) < 0.5,
        codes,
        int(Disorder.DEPRESSION),
        15 * WEEKS_PER_YEAR,
        40 * WEEKS_PER_YEAR,
        20 * WEEKS_PER_YEAR,
        16 * WEEKS_PER_YEAR,
        0.3,
        kernels.CODE_VALUES,
    )
    counts, scar_weeks = kernels.census(*inputs)
    threaded_counts, threaded_scar = kernels.census_threaded(bounds, *inputs)
    np.testing.assert_array_equal(threaded_counts, counts)
    assert threaded_scar == scar_weeks
