"""The threaded passes (hikisim.threads): when they run, and that they change nothing.

A threaded pass must give exactly what the one-thread pass gives, whatever the ranges:
each youth's uniforms are counted by seat, each range writes only its own seats, and the
ranges' lists are joined in seat order. These tests hold the passes to that on a warm
town's own columns, with ranges of unequal and empty sizes, and whole runs to it too.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hikisim import careers, conditions, kernels, threads
from hikisim.dynamics import CONDITION_CODE_VALUES, CONDITION_STREAMS, Kernel
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR, Care, Disorder, State, Track


@pytest.fixture
def threads_allowed() -> Iterator[None]:
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


def test_small_towns_disallowed_processes_and_other_threads_use_one(
    threads_allowed: None,
) -> None:
    assert threads.ranges_for(threads.MIN_SEATS - 1) == 1
    threads.allow(False)
    assert threads.ranges_for(threads.MIN_SEATS) == 1
    threads.allow(True)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(threads.ranges_for(10**6)))
    worker.start()
    worker.join()
    assert seen == [1]


def scrambled_kernel(seed: int = 4) -> Kernel:
    """A town of 3,000 whose condition and career columns are drawn at random.

    Every state, track, care level and flag is common, at every age from 10 to 64, so
    that each rule of the threaded passes acts many times in every seat range (a rule
    that drew the wrong seat's uniform outside the first range would then change some
    youth's outcome).
    """
    scenario = Scenario().with_overrides({"population.youths": 3_000, "run.burn_in_years": 0})
    model = HikiModel(scenario, seed=seed)
    for _ in range(8):
        model.step()
    kernel = model.kernel
    y = kernel.youths
    n, rng = len(y), np.random.default_rng(seed)
    y.state[:] = rng.choice([int(code) for code in State], n, p=[0.4, 0.2, 0.3, 0.1])
    y.track[:] = rng.choice([int(code) for code in Track], n)
    y.age_weeks[:] = rng.integers(10 * WEEKS_PER_YEAR, 65 * WEEKS_PER_YEAR, n)
    y.care[:] = rng.choice([int(code) for code in Care], n)
    y.disorder[:] = rng.choice([int(code) for code in Disorder], n)
    y.withdrawn_weeks[:] = rng.integers(0, 300, n)
    y.years_lost[:] = np.where(rng.random(n) < 0.3, rng.random(n) * 5, 0.0)
    for name, share in [
        ("disorder_detected", 0.5),
        ("disorder_remitted", 0.3),
        ("depressed", 0.3),
        ("internet_addiction", 0.3),
        ("sleep_reversal", 0.3),
        ("school_refusal", 0.3),
    ]:
        getattr(y, name)[:] = rng.random(n) < share
    return kernel


def changed_beyond_first_range(before: np.ndarray, after: np.ndarray, bounds: np.ndarray) -> int:
    """How many seats past the first non-empty range a pass changed."""
    first_end = bounds[1:][bounds[1:] > 0][0]
    return int(np.count_nonzero(before[first_end:] != after[first_end:]))


# Equal halves, unequal thirds with an empty range, and one seat range per 64 seats.
RANGES = [
    np.array([0, 1536, 3000]),
    np.array([0, 64, 64, 3000]),
    np.arange(0, 3000 + 64, 64).clip(max=3000),
]


@pytest.mark.parametrize("bounds", RANGES, ids=["halves", "with-empty", "many"])
def test_threaded_onset_finds_the_same_seats(bounds: np.ndarray) -> None:
    kernel = scrambled_kernel()
    y = kernel.youths
    # Chances raised so that dozens of seats start in every range.
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
    first_end = bounds[1:][bounds[1:] > 0][0]
    assert np.count_nonzero(alone >= first_end) > 10
    np.testing.assert_array_equal(kernels.onset_threaded(bounds, *inputs), alone)


@pytest.mark.parametrize("bounds", RANGES, ids=["halves", "with-empty", "many"])
def test_threaded_conditions_write_the_same_columns(bounds: np.ndarray) -> None:
    kernel = scrambled_kernel()
    rates = kernel._condition_rates()._replace(
        refusal_start=0.3,
        refusal_stop=0.4,
        sleep_start=0.3,
        depression_onset=0.2,
        depression_remission=0.3,
        disorder_relapse_32=np.float32(0.3),
        treated_remission_32=np.float32(0.3),
    )
    counters = tuple(kernel.streams.draw(name).counter for name in CONDITION_STREAMS)
    columns = kernels.plain_columns_of(kernel.youths, conditions.ConditionArrays)
    alone_columns = copy.deepcopy(columns)
    threaded_columns = copy.deepcopy(columns)
    rest = (tuple(rates), CONDITION_CODE_VALUES, 3, counters)
    alone = conditions.update(alone_columns, *rest)
    threaded = conditions.update_threaded(bounds, *conditions.flat_inputs(threaded_columns, *rest))
    # Every rule changed some youth past the first range, whose draws need the offset.
    acting = {
        name: changed_beyond_first_range(before, after, bounds)
        for name, before, after in zip(
            conditions.ConditionArrays._fields, columns, alone_columns, strict=True
        )
    }
    for name in (
        "school_refusal",
        "internet_addiction",
        "sleep_reversal",
        "depressed",
        "ever_depressed",
        "disorder_remitted",
    ):
        assert acting[name] > 10, name
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
def test_a_threaded_run_is_the_one_thread_run(
    seed: int, monkeypatch: pytest.MonkeyPatch, threads_allowed: None
) -> None:
    if threads.ranges_for(10**9) == 1:
        pytest.fail("this machine gives no threads: the threaded passes were not tested")
    records, columns = run_records(seed, monkeypatch, threaded=True)
    alone_records, alone_columns = run_records(seed, monkeypatch, threaded=False)
    assert records == alone_records
    for name, value in alone_columns.items():
        np.testing.assert_array_equal(columns[name], value, err_msg=name)


@pytest.mark.parametrize("bounds", RANGES, ids=["halves", "with-empty", "many"])
def test_threaded_careers_make_the_same_moves(bounds: np.ndarray) -> None:
    kernel = scrambled_kernel()
    y = kernel.youths
    # Chances raised so that every move happens many times.
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
    np.testing.assert_array_equal(threaded, alone)
    for mine, theirs in zip(threaded_columns, alone_columns, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    # Each kind of move happened past the first range, whose draws need the offset.
    first_end = bounds[1:][bounds[1:] > 0][0]
    before, after = columns[0][first_end:], alone_columns[0][first_end:]
    moves = {
        "dropout": (Track.SCHOOL, Track.NEITHER),
        "new job": (Track.NEITHER, Track.WORK),
        "job loss": (Track.WORK, Track.NEITHER),
        "retirement": (Track.WORK, Track.RETIRED),
    }
    for move, (old, new) in moves.items():
        assert np.count_nonzero((before == old) & (after == new)) > 0, move


@pytest.mark.parametrize("extra_codes", [0, 2])
@pytest.mark.parametrize("bounds", RANGES, ids=["halves", "with-empty", "many"])
def test_threaded_census_counts_the_same(bounds: np.ndarray, extra_codes: int) -> None:
    kernel = scrambled_kernel()
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
