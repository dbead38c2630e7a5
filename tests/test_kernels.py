"""Known-answer tests of the compiled weekly passes (hikisim.kernels).

Each compiled pass is compared with a plain numpy transcription of its documented
formula, on hand-built populations, so that the speed tricks inside the passes (the
three vectorized loops and the exp-free bound of ``onset``, the incremental flagged
shares) are checked against the straightforward computation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from hikisim import kernels
from hikisim.model import HikiModel
from hikisim.philox import uniforms_all
from hikisim.scenario import Scenario
from hikisim.states import MAX_AGE, WEEKS_PER_YEAR, Care, Disorder, State, Track

ENGAGED, AT_RISK, WITHDRAWN, RECOVERING = (int(s) for s in State)
WORK = np.int8(Track.WORK)
NEVER_LEFT = -(2**30)  # hikisim.population's work_start_age of people who never worked
AGE_TABLE_WEEKS = MAX_AGE * WEEKS_PER_YEAR + 1
# The state stream's counter for these tests: fixed key words, a week and a draw.
COUNTER = (np.uint64(0x5EED5EED), np.uint64(0x0BADCAFE), np.int64(417), np.int64(0))
# Seats whose uniform is this close to the reference chance are left out of equality
# checks: numba's float32 exp and numpy's (SIMD) float32 exp differ by an ulp on about
# 40% of inputs (an ulp is at most 6e-8 below 1), which flips ``uniform < chance`` for a
# uniform right at the chance. With the populations here no seat is that close, so in
# practice the comparisons are exact; the margin only keeps them from being brittle.
ULP_MARGIN = 1e-6


class Population(NamedTuple):
    """The arrays ``kernels.onset`` reads, in the model's dtypes."""

    state: np.ndarray
    static_onset: np.ndarray
    exposure: np.ndarray
    age_weeks: np.ndarray
    age_logit: np.ndarray
    onset_modifier: np.ndarray
    track: np.ndarray
    work_start_age: np.ndarray


class Scalars(NamedTuple):
    """The per-week scalars of ``kernels.onset``."""

    peer_weight: np.float32
    shift: np.float32
    misfit: np.float32
    misfit_weeks: np.int64 | float


def make_population(size: int, seed: int) -> Population:
    """A varied population: all states and tracks, ages across the table, new and old jobs."""
    rng = np.random.default_rng(seed)
    age_weeks = rng.integers(10 * WEEKS_PER_YEAR, AGE_TABLE_WEEKS, size).astype(np.int16)
    # Tenure: never worked, a few weeks, around three years, decades.
    tenure = rng.choice([0, 1, 20, 155, 156, 157, 400, 2_000], size)
    work_start_age = np.where(
        rng.random(size) < 0.2, NEVER_LEFT, age_weeks.astype(np.int64) - tenure
    ).astype(np.int32)
    return Population(
        state=rng.choice(
            [ENGAGED, AT_RISK, WITHDRAWN, RECOVERING], size, p=[0.7, 0.1, 0.1, 0.1]
        ).astype(np.int8),
        # Logits from about -9 to +3: chances from 1e-4 to 0.95, so many seats are chosen.
        static_onset=rng.uniform(-8.0, 2.0, size).astype(np.float32),
        exposure=rng.choice([0.0, 0.25, 0.5, 1.0 / 3.0, 1.0], size).astype(np.float32),
        age_weeks=age_weeks,
        age_logit=rng.normal(0.0, 0.5, AGE_TABLE_WEEKS).astype(np.float32),
        onset_modifier=rng.normal(0.0, 0.3, size).astype(np.float32),
        track=rng.integers(0, len(Track), size).astype(np.int8),
        work_start_age=work_start_age,
    )


SCALARS = Scalars(np.float32(1.7), np.float32(0.15), np.float32(0.9), np.int64(156))


def run_onset(
    population: Population,
    scalars: Scalars,
    counter: tuple[np.uint64, np.uint64, np.int64, np.int64] = COUNTER,
) -> np.ndarray:
    """``kernels.onset`` with the arguments in the model's order."""
    return kernels.onset(
        *population,
        scalars.peer_weight,
        scalars.shift,
        scalars.misfit,
        scalars.misfit_weeks,
        WORK,
        np.int8(State.ENGAGED),
        *counter,
    )


def reference_logits(population: Population, scalars: Scalars) -> np.ndarray:
    """The onset logit by the docstring's formula, in float32, term by term in order."""
    p = population
    # The table is indexed by age in weeks (ages past it take its last entry, as in the
    # kernel; ages are never negative).
    age = np.clip(p.age_weeks.astype(np.int64), 0, len(p.age_logit) - 1)
    logit = p.static_onset.copy()
    logit += p.age_logit[age]
    logit += np.float32(scalars.peer_weight) * p.exposure
    logit += p.onset_modifier
    logit += np.float32(scalars.shift)
    tenure = p.age_weeks.astype(np.int64) - p.work_start_age.astype(np.int64)
    new_worker = (p.track == WORK) & (tenure < scalars.misfit_weeks)
    logit[new_worker] += np.float32(scalars.misfit)
    assert logit.dtype == np.float32
    return logit


def reference_chances(logits: np.ndarray) -> np.ndarray:
    """The float32 logistic function."""
    with np.errstate(over="ignore"):
        return np.float32(1.0) / (np.float32(1.0) + np.exp(-logits))


def reference_onset(
    population: Population,
    scalars: Scalars,
    counter: tuple[np.uint64, np.uint64, np.int64, np.int64] = COUNTER,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected onset seats, and the seats too close to call (see ULP_MARGIN)."""
    chances = reference_chances(reference_logits(population, scalars))
    draws = uniforms_all(*counter, len(population.state))
    engaged = population.state == ENGAGED
    chosen = np.flatnonzero(engaged & (draws < chances))
    close = np.flatnonzero(
        engaged & (np.abs(draws.astype(np.float64) - chances.astype(np.float64)) < ULP_MARGIN)
    )
    return chosen, close


def assert_same_seats(got: np.ndarray, want: np.ndarray, close: np.ndarray) -> None:
    """Equal seat sets, leaving out the seats too close to call."""
    np.testing.assert_array_equal(np.setdiff1d(got, close), np.setdiff1d(want, close))


def test_onset_matches_the_formula_on_a_varied_population() -> None:
    """On 2,000 varied seats the compiled onset picks exactly the reference seats."""
    population = make_population(2_000, seed=1)
    got = run_onset(population, SCALARS)
    want, close = reference_onset(population, SCALARS)
    assert got.dtype == np.int64
    # Plenty chosen, and almost none too close to call: a real test, not a vacuous one.
    assert len(want) > 100
    assert len(close) <= 2
    assert_same_seats(got, want, close)


def test_onset_matches_the_formula_over_weeks_and_draws() -> None:
    """The uniforms come from the counter given: other weeks and draws, other seats."""
    population = make_population(2_000, seed=2)
    seen = []
    for week, draw in ((0, 0), (1, 0), (417, 1), (3_000, 2)):
        counter = (COUNTER[0], COUNTER[1], np.int64(week), np.int64(draw))
        got = run_onset(population, SCALARS, counter)
        want, close = reference_onset(population, SCALARS, counter)
        assert_same_seats(got, want, close)
        seen.append(got)
    assert not np.array_equal(seen[0], seen[1])


def test_onset_never_picks_youths_who_are_not_engaged() -> None:
    """Youths at risk, withdrawn or recovering are never chosen, however high their chance."""
    population = make_population(2_000, seed=3)
    population.static_onset[:] = 30.0  # chance 1 in float32
    got = run_onset(population, SCALARS)
    np.testing.assert_array_equal(got, np.flatnonzero(population.state == ENGAGED))


def test_onset_certain_and_impossible_logits() -> None:
    """Logit +20 is always chosen (chance rounds to 1); logit -100 never (chance 0)."""
    size = 2_000
    population = make_population(size, seed=4)
    population.state[:] = ENGAGED
    population.age_logit[:] = 0.0
    population.onset_modifier[:] = 0.0
    population.exposure[:] = 0.0
    population.track[:] = Track.SCHOOL
    high = np.arange(size) % 3 == 0
    population.static_onset[:] = np.where(high, 20.0, -100.0)
    # A float32 chance of 1/(1 + e**-20) is exactly 1, and every uniform is below 1.
    assert reference_chances(np.array([20.0], np.float32))[0] == 1.0
    np.testing.assert_array_equal(run_onset(population, SCALARS), np.flatnonzero(high))


@pytest.mark.parametrize("misfit_weeks", [np.int64(156), 156.0, 155.5])
def test_misfit_applies_only_to_new_workers(misfit_weeks: float) -> None:
    """The misfit logit goes to WORK-track youths with tenure under misfit_weeks only.

    The model passes ``misfit_years * 52``, a float, so float limits are tried too.
    """
    size = 2_000
    population = make_population(size, seed=5)
    population.state[:] = ENGAGED
    population.age_logit[:] = 0.0
    population.onset_modifier[:] = 0.0
    population.exposure[:] = 0.0
    population.static_onset[:] = -100.0
    population.age_weeks[:] = 1_000
    # Half on the WORK track; tenures either side of misfit_weeks = 156, and never-worked.
    population.track[:] = np.where(np.arange(size) % 2 == 0, WORK, Track.UNIVERSITY)
    tenures = np.array([0, 155, 156, 157, 1_000 - NEVER_LEFT])
    population.work_start_age[:] = 1_000 - tenures[np.arange(size) % 5]
    # A misfit of +120 turns logit -100 into +20: a certain onset, only where it applies.
    scalars = SCALARS._replace(misfit=np.float32(120.0), misfit_weeks=misfit_weeks)
    new_worker = (population.track == WORK) & (
        (1_000 - population.work_start_age.astype(np.int64)) < 156
    )
    assert 0 < new_worker.sum() < size // 2
    np.testing.assert_array_equal(run_onset(population, scalars), np.flatnonzero(new_worker))
    # No misfit, no onset; and with the WORK code set to another track, none are workers.
    assert len(run_onset(population, scalars._replace(misfit=np.float32(0.0)))) == 0
    none_work = kernels.onset(
        *population, *scalars[:4], np.int8(Track.RETIRED), np.int8(State.ENGAGED), *COUNTER
    )
    assert len(none_work) == 0


def age_only_population(size: int, seed: int) -> Population:
    """Engaged pupils whose onset logit is the age effect alone, every entry -100."""
    population = make_population(size, seed)
    population.state[:] = ENGAGED
    population.static_onset[:] = 0.0
    population.exposure[:] = 0.0
    population.onset_modifier[:] = 0.0
    population.track[:] = Track.SCHOOL
    population.age_logit[:] = -100.0
    return population


def test_onset_reads_the_age_table_at_each_age() -> None:
    """The age effect is age_logit[age_weeks]: only ages whose entry is high are chosen."""
    population = age_only_population(2_000, seed=6)
    population.age_logit[::7] = 20.0
    got = run_onset(population, SCALARS._replace(shift=np.float32(0.0)))
    np.testing.assert_array_equal(got, np.flatnonzero(population.age_weeks % 7 == 0))


def test_onset_ages_past_the_table_read_its_last_entry() -> None:
    """An age beyond the age table takes the table's last entry (the oldest age's)."""
    size = 2_000
    population = age_only_population(size, seed=6)
    population.age_logit[-1] = 20.0
    past = np.arange(0, size, 3)
    population.age_weeks[past] = AGE_TABLE_WEEKS + 40
    got = run_onset(population, SCALARS._replace(shift=np.float32(0.0)))
    oldest = population.age_weeks >= AGE_TABLE_WEEKS - 1
    np.testing.assert_array_equal(got, np.flatnonzero(oldest))
    assert set(past) <= set(got.tolist())


def test_onset_peer_weight_scales_exposure() -> None:
    """The peer term is peer_weight times exposure: only exposed youths cross the line."""
    size = 2_000
    population = make_population(size, seed=7)
    population.state[:] = ENGAGED
    population.static_onset[:] = -100.0
    population.age_logit[:] = 0.0
    population.onset_modifier[:] = 0.0
    population.track[:] = Track.SCHOOL
    population.exposure[:] = np.where(np.arange(size) % 4 == 0, 1.0, 0.0)
    scalars = SCALARS._replace(peer_weight=np.float32(120.0), shift=np.float32(0.0))
    np.testing.assert_array_equal(run_onset(population, scalars), np.arange(0, size, 4))


def test_onset_of_an_empty_population() -> None:
    """No youths, no onsets (and an int64 array all the same)."""
    got = run_onset(make_population(0, seed=8), SCALARS)
    assert got.dtype == np.int64
    assert len(got) == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(0, 300),
    seed=st.integers(0, 2**32 - 1),
    shift=st.floats(-6.0, 6.0, width=32),
    peer_weight=st.floats(0.0, 5.0, width=32),
    misfit=st.floats(-3.0, 3.0, width=32),
    misfit_weeks=st.integers(0, 400),
    week=st.integers(0, 2**20),
    draw=st.integers(0, 5),
)
def test_onset_property_engaged_ascending_and_as_the_formula(
    size: int,
    seed: int,
    shift: float,
    peer_weight: float,
    misfit: float,
    misfit_weeks: int,
    week: int,
    draw: int,
) -> None:
    """For any population and scalars: engaged seats only, ascending, unique, as the formula."""
    population = make_population(size, seed)
    scalars = Scalars(np.float32(peer_weight), np.float32(shift), np.float32(misfit), misfit_weeks)
    counter = (COUNTER[0], COUNTER[1], np.int64(week), np.int64(draw))
    got = run_onset(population, scalars, counter)
    assert got.dtype == np.int64
    assert np.all(np.diff(got) > 0)
    assert np.all((got >= 0) & (got < size))
    assert np.all(population.state[got] == ENGAGED)
    want, close = reference_onset(population, scalars, counter)
    assert_same_seats(got, want, close)


def test_logistic_bound_is_above_the_chance() -> None:
    """The exp-free bound never falls below the float32 chance it screens for."""
    logits = np.concatenate(
        [np.linspace(-60.0, 30.0, 200_001), [-1e3, -100.0, 0.0, 1e-8, -1e-8]]
    ).astype(np.float32)
    bounds = np.array([kernels._logistic_bound(x) for x in logits[::97]], np.float32)
    assert np.all(bounds >= reference_chances(logits[::97]))


def test_logistic_bound_64_is_above_the_chance() -> None:
    """The float64 exp-free bound never falls below the float64 chance it screens for."""
    logits = np.concatenate([np.linspace(-60.0, 30.0, 20_001), [-1e3, -100.0, 0.0, 1e-12]])
    bounds = np.array([kernels._logistic_bound_64(x) for x in logits])
    with np.errstate(over="ignore"):  # exp(1000) is inf: a chance of 0
        assert np.all(bounds >= 1.0 / (1.0 + np.exp(-logits)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1), st.floats(-4.0, 8.0), st.floats(-4.0, 8.0))
def test_episode_moves_split_each_draw_by_the_chances(
    seed: int, progress_shift: float, resolve_shift: float
) -> None:
    """Against the chances (kernels.hazards) and the stream's uniforms, state by state.

    The programmes' logit changes move the at-risk chances from far below the exp-free
    screen's bounds to near one, so both the screened and the computed paths are used.
    """
    assert_moves_follow_the_chances(seed, progress_shift, resolve_shift, with_nan=False)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_nan_change_screens_nobody_out_of_the_episode_moves(seed: int) -> None:
    """A NaN change makes the screen's bound NaN: every at-risk youth is then looked at,
    and the youths with the NaN (a NaN chance) do not move."""
    assert_moves_follow_the_chances(seed, 2.0, 2.0, with_nan=True)


def assert_moves_follow_the_chances(
    seed: int, progress_shift: float, resolve_shift: float, with_nan: bool
) -> None:
    """Random youths not engaged and changes; the moves must be those the chances give."""
    model = HikiModel(Scenario().with_overrides({"population.youths": 1500, "run.years": 0.1}))
    kernel, youths = model.kernel, model.population.youths
    rng = np.random.default_rng(seed)
    others = np.sort(rng.choice(len(youths.state), 600, replace=False))
    youths.state[others] = rng.choice([State.AT_RISK, State.WITHDRAWN, State.RECOVERING], 600)
    youths.withdrawn_weeks[others] = rng.integers(0, 300, 600)
    kernel.modifiers.progress_logit[:] = progress_shift + rng.normal(0.0, 1.0, len(youths.state))
    kernel.modifiers.resolve_logit[:] = resolve_shift + rng.normal(0.0, 1.0, len(youths.state))
    if with_nan:
        kernel.modifiers.progress_logit[others[::7]] = np.nan
        kernel.modifiers.resolve_logit[others[3::11]] = np.nan
    chances = kernel.hazards(others)
    severity = (COUNTER[0], COUNTER[1], COUNTER[2], np.int64(1))
    moves = kernels.episode_transitions(
        others,
        tuple(kernel.youth_arrays()),
        kernel.exposure,
        tuple(kernel.modifier_arrays()),
        tuple(kernel.episode_rates),
        kernels.CODE_VALUES,
        COUNTER,
        severity,
        kernel._at_risk_tops(),
    )
    u = stream_uniforms(len(youths.state))[others].astype(np.float64)
    state = youths.state[others]
    at_risk, withdrawn, recovering = (
        state == code for code in (State.AT_RISK, State.WITHDRAWN, State.RECOVERING)
    )
    withdraw, resolve, leave, relapse, reenter = chances.T
    expected = (
        at_risk & (u < withdraw),
        at_risk & (u >= withdraw) & (u < withdraw + resolve),
        withdrawn & (u < leave),
        recovering & (u < relapse),
        recovering & (u >= relapse) & (u < relapse + reenter),
    )
    if with_nan:  # the test would say nothing if no youth moved
        assert np.count_nonzero(expected[0]) + np.count_nonzero(expected[1]) > 0
    for got, want in zip(moves[:5], expected, strict=True):
        np.testing.assert_array_equal(got, others[want])


def random_graph(size: int, seed: int) -> sparse.csr_matrix:
    """A random symmetric graph with dyadic weights (1, 0.5, 0.25) and some lost ties (0).

    Dyadic weights keep the float64 sums exact whatever the order of the updates, as
    with the model's weights, so incremental and dense shares can be compared exactly.
    """
    rng = np.random.default_rng(seed)
    pairs = rng.integers(0, size, (size * 3, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    weights = rng.choice([1.0, 0.5, 0.25, 0.0], len(pairs))
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    data = np.concatenate([weights, weights])
    # Explicit zeros stay as entries (a lost tie keeps its CSR entry with weight 0).
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(size, size))
    matrix.sort_indices()
    return matrix


def dense_shares(adjacency: sparse.csr_matrix, flags: np.ndarray) -> np.ndarray:
    """``(A @ flags) / max(degree, 1e-6)`` as float32: the definition of the shares."""
    dense = adjacency.toarray()
    degree = dense.sum(axis=1)
    return (dense @ flags.astype(np.float64) / np.maximum(degree, 1e-6)).astype(np.float32)


class SharesTracker:
    """The incremental shares, kept as ``SocialNetwork.flagged_share`` keeps them.

    First call: the shares from scratch; later calls: ``apply_flag_changes`` for the
    seats whose flag changed, then ``refresh_shares`` for the partners it touched.
    """

    def __init__(self, adjacency: sparse.csr_matrix, flags: np.ndarray) -> None:
        self.adjacency = adjacency
        size = adjacency.shape[0]
        entry_row = np.repeat(np.arange(size), np.diff(adjacency.indptr))
        self.degree = np.bincount(entry_row, weights=adjacency.data, minlength=size)
        self.flagged = flags.copy()
        self.flagged_ties = np.bincount(
            entry_row, weights=adjacency.data * flags[adjacency.indices], minlength=size
        )
        self.shares = np.empty(size, np.float32)
        np.divide(self.flagged_ties, np.maximum(self.degree, 1e-6), out=self.shares)

    def update(self, flags: np.ndarray) -> np.ndarray:
        """The shares for new flags, updated from the seats whose flag changed."""
        changed = np.flatnonzero(flags != self.flagged)
        if len(changed):
            a = self.adjacency
            touched = kernels.apply_flag_changes(
                changed, flags, self.flagged, self.flagged_ties, a.indptr, a.indices, a.data
            )
            # The partners touched are exactly the changed seats' CSR columns.
            want_touched = np.concatenate(
                [a.indices[a.indptr[seat] : a.indptr[seat + 1]] for seat in changed]
            )
            np.testing.assert_array_equal(touched, want_touched)
            kernels.refresh_shares(touched, self.flagged_ties, self.degree, self.shares)
        np.testing.assert_array_equal(self.flagged, flags)
        return self.shares


def test_flagged_shares_follow_a_sequence_of_flag_changes() -> None:
    """After each of many flag changes the incremental shares equal the dense formula."""
    size = 300
    adjacency = random_graph(size, seed=10)
    rng = np.random.default_rng(11)
    flags = rng.random(size) < 0.1
    tracker = SharesTracker(adjacency, flags)
    np.testing.assert_array_equal(tracker.shares, dense_shares(adjacency, flags))
    for step in range(30):
        flags = flags.copy()
        # A few seats change each week, now and then many, now and then none.
        count = [0, 1, 5, 60][step % 4]
        flip = rng.choice(size, count, replace=False)
        flags[flip] = ~flags[flip]
        np.testing.assert_array_equal(
            tracker.update(flags), dense_shares(adjacency, flags), err_msg=str(step)
        )
    # Everyone flagged: a youth with any active tie has share 1, an isolated one 0.
    shares = tracker.update(np.ones(size, bool))
    degree = adjacency.toarray().sum(axis=1)
    np.testing.assert_array_equal(shares, np.where(degree > 0, 1.0, 0.0).astype(np.float32))
    assert (degree == 0).any()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(2, 60),
    seed=st.integers(0, 2**32 - 1),
    steps=st.lists(st.lists(st.integers(0, 59), max_size=20), min_size=1, max_size=8),
)
def test_flagged_shares_property_match_dense_formula(
    size: int, seed: int, steps: list[list[int]]
) -> None:
    """For random graphs and random sequences of flips, incremental equals dense shares."""
    adjacency = random_graph(size, seed)
    flags = np.random.default_rng(seed).random(size) < 0.3
    tracker = SharesTracker(adjacency, flags)
    for flips in steps:
        flags = flags.copy()
        # A seat listed twice flips twice: back where it was.
        for seat in flips:
            flags[seat % size] = ~flags[seat % size]
        np.testing.assert_array_equal(tracker.update(flags), dense_shares(adjacency, flags))


def test_symptomatic_flags_are_at_risk_or_withdrawn() -> None:
    """``symptomatic_flags`` marks exactly the at-risk and withdrawn youths."""
    rng = np.random.default_rng(12)
    state = rng.integers(0, len(State), 2_000).astype(np.int8)
    got = kernels.symptomatic_flags(state, np.int8(AT_RISK), np.int8(WITHDRAWN))
    assert got.dtype == np.bool_
    np.testing.assert_array_equal(got, np.isin(state, [AT_RISK, WITHDRAWN]))
    assert got.any()
    assert not got.all()
    assert len(kernels.symptomatic_flags(state[:0], np.int8(AT_RISK), np.int8(WITHDRAWN))) == 0


# The smaller passes: each against its rule written out in numpy ----------------------

SMALL_N = 4_000
CARE_NONE, CARE_CLINICAL, CARE_PSYCHOSOCIAL = 0, 1, 2


def stream_uniforms(n: int, counter: tuple = COUNTER) -> np.ndarray:
    """The uniforms a pass reads for ``n`` seats under ``counter`` (KAT-checked)."""
    return uniforms_all(*counter, n)


def test_job_moves_split_one_uniform_between_loss_and_retirement() -> None:
    """Below p_loss a worker loses the job; in the next p_retire one of age retires."""
    rng = np.random.default_rng(4)
    n = SMALL_N
    track = rng.choice([Track.WORK, Track.NEITHER], n, p=[0.7, 0.3]).astype(np.int8)
    age = rng.integers(20 * WEEKS_PER_YEAR, 64 * WEEKS_PER_YEAR, n).astype(np.int32)
    retirement_age = 60 * WEEKS_PER_YEAR
    losing, retiring = kernels.job_moves(
        track, age, 0.05, 0.2, retirement_age, int(Track.WORK), COUNTER
    )
    u, worker = stream_uniforms(n), track == Track.WORK
    np.testing.assert_array_equal(losing, np.flatnonzero(worker & (u < 0.05)))
    old = age >= retirement_age
    np.testing.assert_array_equal(retiring, np.flatnonzero(worker & old & (u >= 0.05) & (u < 0.25)))
    assert len(losing) > 50 and len(retiring) > 20


def test_job_moves_screen_words_exactly_at_the_uniforms() -> None:
    """The word screen keeps exactly the uniforms below the chance, ties and ends too."""
    n = SMALL_N
    track = np.full(n, Track.WORK, np.int8)
    age = np.full(n, 70 * WEEKS_PER_YEAR, np.int32)
    u = stream_uniforms(n)
    # Chances equal to a uniform (a multiple of 2**-24), a hair either side, 0 and 1.
    tie = float(np.sort(u)[n // 10])
    for p_loss, p_retire in [
        (tie, 0.0),
        (0.0, tie),
        (tie / 2, tie / 2),
        (np.nextafter(tie, 1.0), 0.0),
        (np.nextafter(tie, 0.0), 0.0),
        (0.0, 0.0),
        (0.5, 0.5),
        (0.75, 0.5),
    ]:
        losing, retiring = kernels.job_moves(
            track, age, p_loss, p_retire, 0, int(Track.WORK), COUNTER
        )
        np.testing.assert_array_equal(losing, np.flatnonzero(u < p_loss))
        passed = u < p_loss + p_retire
        np.testing.assert_array_equal(retiring, np.flatnonzero(passed & (u >= p_loss)))


@pytest.mark.parametrize("scar", [0.0, 0.5])
def test_work_finders_follow_the_scar_of_years_lost(scar: float) -> None:
    """Chance = rate x exp(-scar x years lost), for engaged NEITHER youths of age."""
    rng = np.random.default_rng(5)
    n = SMALL_N
    track = rng.choice([Track.NEITHER, Track.SCHOOL], n, p=[0.7, 0.3]).astype(np.int8)
    state = rng.choice([ENGAGED, WITHDRAWN], n, p=[0.8, 0.2]).astype(np.int8)
    age = rng.integers(12 * WEEKS_PER_YEAR, 40 * WEEKS_PER_YEAR, n).astype(np.int32)
    years_lost = (rng.random(n) * 5).astype(np.float32)
    min_age = 15 * WEEKS_PER_YEAR
    found = kernels.work_finders(
        track, state, age, years_lost, 0.3, scar, int(Track.NEITHER), ENGAGED, min_age, COUNTER
    )
    chance = 0.3 * np.exp(-scar * years_lost.astype(np.float64))
    looking = (track == Track.NEITHER) & (state == ENGAGED) & (age >= min_age)
    np.testing.assert_array_equal(found, np.flatnonzero(looking & (stream_uniforms(n) < chance)))
    assert len(found) > 100


def test_care_leavers_are_dropouts_and_everyone_engaged_again() -> None:
    """Each kind of care has its dropout chance, times the programmes' multiplier."""
    rng = np.random.default_rng(6)
    n = SMALL_N
    care = rng.choice([CARE_NONE, CARE_CLINICAL, CARE_PSYCHOSOCIAL], n).astype(np.int8)
    state = rng.choice([ENGAGED, WITHDRAWN, RECOVERING], n, p=[0.2, 0.5, 0.3]).astype(np.int8)
    multiplier = rng.choice([0.5, 1.0, 2.0], n).astype(np.float32)
    found = kernels.care_leavers(
        care, state, multiplier, 0.1, 0.2, CARE_CLINICAL, CARE_NONE, ENGAGED, COUNTER
    )
    dropout = np.where(care == CARE_CLINICAL, 0.1, 0.2) * multiplier
    leaving = (care != CARE_NONE) & ((state == ENGAGED) | (stream_uniforms(n) < dropout))
    np.testing.assert_array_equal(found, np.flatnonzero(leaving))
    in_care_engaged = (care != CARE_NONE) & (state == ENGAGED)
    assert np.isin(np.flatnonzero(in_care_engaged), found).all()


@pytest.mark.parametrize("week", [0, 1, 52, 10_000])
def test_a_pass_reads_only_its_own_counter(week: int) -> None:
    """The same pass under another week or draw index picks other youths."""
    care, state = np.full(SMALL_N, CARE_CLINICAL, np.int8), np.full(SMALL_N, WITHDRAWN, np.int8)
    multiplier = np.ones(SMALL_N, np.float32)
    here = (COUNTER[0], COUNTER[1], np.int64(week), np.int64(0))
    there = (COUNTER[0], COUNTER[1], np.int64(week), np.int64(1))
    args = (care, state, multiplier, 0.5, 0.5, CARE_CLINICAL, CARE_NONE, ENGAGED)
    first = kernels.care_leavers(*args, here)
    second = kernels.care_leavers(*args, there)
    assert len(np.intersect1d(first, second)) < 0.35 * SMALL_N
    np.testing.assert_array_equal(first, np.flatnonzero(stream_uniforms(SMALL_N, here) < 0.5))


@pytest.mark.parametrize("codes", [len(Disorder), 3, 9])
def test_census_counts_match_numpy_on_a_scrambled_town(codes: int) -> None:
    """Every count of the weekly census against its definition, written out in numpy.

    Also with fewer and more disorder codes than there are: the pass counts codes 1-5
    in one go and any others one by one.
    """
    model = HikiModel(
        Scenario().with_overrides({"population.youths": 3000, "run.burn_in_years": 0}), seed=2
    )
    y = model.population.youths
    n, rng = len(y), np.random.default_rng(8)
    # Scramble the town in the model's own dtypes, so the pass sees every combination.
    y.state[:] = rng.choice(4, n, p=[0.6, 0.15, 0.15, 0.1])
    y.age_weeks[:] = rng.integers(10 * WEEKS_PER_YEAR, 65 * WEEKS_PER_YEAR, n)
    for flag in ("narrow", "school_refusal", "internet_addiction", "sleep_reversal"):
        getattr(y, flag)[:] = rng.random(n) < 0.3
    y.depressed[:] = rng.random(n) < 0.1
    y.disorder[:] = rng.integers(0, codes, n)
    y.disorder_remitted[:] = rng.random(n) < 0.2
    depression = min(int(Disorder.DEPRESSION), codes - 1)
    y.care[:] = rng.choice([int(c) for c in Care], n)
    y.years_lost[:] = np.where(rng.random(n) < 0.2, rng.random(n) * 6, 0.0)
    qualified = rng.random(n) < 0.5
    y.episode_row[:] = rng.permutation(n)
    band, adult, pupil_end, scar = (15 * WEEKS_PER_YEAR, 40 * WEEKS_PER_YEAR), 20, 16, 0.3
    counts, scar_weeks = kernels.census(
        kernels.plain_columns_of(y, kernels.Census),
        np.flatnonzero(y.state != ENGAGED),
        np.flatnonzero(y.years_lost > 0),
        qualified,
        codes,
        depression,
        band[0],
        band[1],
        adult * WEEKS_PER_YEAR,
        pupil_end * WEEKS_PER_YEAR,
        scar,
        kernels.CODE_VALUES,
    )
    state, age = y.state, y.age_weeks
    withdrawn = state == WITHDRAWN
    in_band = (age >= band[0]) & (age < band[1])
    pupil = age < pupil_end * WEEKS_PER_YEAR
    adult_age = age >= adult * WEEKS_PER_YEAR
    expected = {
        "engaged": (state == ENGAGED).sum(),
        "at_risk": (state == AT_RISK).sum(),
        "withdrawn": withdrawn.sum(),
        "recovering": (state == RECOVERING).sum(),
        "withdrawn_adults": (withdrawn & adult_age).sum(),
        "withdrawn_narrow": (withdrawn & y.narrow).sum(),
        "hikikomori": (withdrawn & y.narrow & in_band & qualified[y.episode_row]).sum(),
        "survey_band": in_band.sum(),
        "pupils": pupil.sum(),
        "refusing_pupils": (pupil & y.school_refusal).sum(),
        "internet_addicted": y.internet_addiction.sum(),
        "sleep_reversed": y.sleep_reversal.sum(),
        "in_treatment": (y.care != Care.NONE).sum(),
        "depressed_well": ((state != AT_RISK) & ~withdrawn & y.depressed).sum(),
        "in_clinical_care": (y.care == Care.CLINICAL).sum(),
    }
    assert dict(zip(kernels.CENSUS_FIELDS, counts.tolist(), strict=False)) == expected
    well = (state != AT_RISK) & ~withdrawn
    active = ~y.disorder_remitted
    by_disorder = [int((well & (y.disorder == code) & active).sum()) for code in range(codes)]
    by_disorder[0] = 0
    by_disorder[depression] += int((well & y.depressed).sum())
    rest = counts[len(kernels.CENSUS_FIELDS) :].tolist()
    assert rest[:codes] == by_disorder
    # Each state below engaged: its active latent disorders, and then (the well first)
    # its episodes by active latent disorder, 0 for none, which add up to its episodes.
    groups = {
        "recovering": state == RECOVERING,
        "at_risk": state == AT_RISK,
        "withdrawn_quasi": withdrawn & ~y.narrow,
        "withdrawn_narrow": withdrawn & y.narrow,
    }
    latent = y.disorder * active
    by_state = [
        int((people & (latent == code) & (code > 0)).sum())
        for people in groups.values()
        for code in range(codes)
    ]
    episodes = [int((people & y.depressed).sum()) for people in groups.values()]
    with_latent = [
        int((people & y.depressed & (latent == code)).sum())
        for people in [well, *groups.values()]
        for code in range(codes)
    ]
    assert rest[codes:] == by_state + with_latent
    assert [sum(with_latent[i * codes : (i + 1) * codes]) for i in range(1, 5)] == episodes
    assert min(with_latent[1:codes]) > 0 and min(episodes) > 0
    scarred = ~withdrawn & adult_age
    want = (1.0 - np.exp(-scar * y.years_lost[scarred].astype(np.float64))).sum()
    assert scar_weeks == pytest.approx(want, rel=1e-9)
    assert expected["hikikomori"] > 0 and scar_weeks > 0


def reference_static_onset(model: HikiModel, seats: np.ndarray) -> np.ndarray:
    """The static onset logit as the numpy expression the compiled pass replaced."""
    s, pop = model.kernel.scenario, model.population
    y, fam, sch = pop.youths, pop.families, pop.schools
    family, school = y.family[seats], y.school[seats]
    parenting = fam.parenting[family]
    gap = fam.high_expectations[family] & (y.achievement[seats] < -0.5)
    track = y.track[seats]
    pupil = track == Track.SCHOOL
    logit = (
        s.dynamics.onset_base
        + s.individual.introversion_weight * y.introversion[seats]
        + s.individual.trauma_weight * y.trauma[seats]
        + s.individual.disorder_onset_weight * (y.disorder[seats] > 0)
        + s.individual.male_weight * y.male[seats]
        + s.family.neglect_weight * (parenting == 1)
        + s.family.overprotection_weight * (parenting == 2)
        + s.family.expectation_gap_weight * gap
        + pupil * s.school.climate_weight * -sch.climate[school]
        + pupil * s.school.pressure_weight * sch.pressure[school]
        + pupil * s.school.pupil_risk
        + s.school.refusal_history_weight * y.ever_refused_school[seats]
        + s.school.neither_weight * ((track == Track.NEITHER) | (track == Track.RETIRED))
        + s.society.urbanization_weight * sch.urban[school]
        + s.society.cohesion_weight * (0.5 - sch.cohesion[school])
        + s.society.internet_weight * s.society.internet_penetration * y.internet_intensity[seats]
    )
    return logit.astype(np.float32)


@pytest.mark.parametrize("seed", [1, 2])
def test_static_onset_logits_match_the_numpy_expression_bit_for_bit(seed: int) -> None:
    """Every term, in numpy's precision, on a town with every track and trait scrambled."""
    overrides = {"population.youths": 3_000, "society.internet_penetration": 0.83}
    model = HikiModel(Scenario().with_overrides(overrides), seed=seed)
    y, rng = model.population.youths, np.random.default_rng(seed)
    n = len(y)
    y.track[:] = rng.choice([int(t) for t in Track], n)
    y.ever_refused_school[:] = rng.random(n) < 0.3
    y.trauma[:] = rng.random(n) < 0.3
    y.disorder[:] = rng.choice([int(d) for d in Disorder], n)
    seats = rng.permutation(n)[: n // 2]
    model.kernel.static_onset[:] = 0.0
    model.kernel.refresh_static(seats)
    np.testing.assert_array_equal(
        model.kernel.static_onset[seats], reference_static_onset(model, seats)
    )
    untouched = np.setdiff1d(np.arange(n), seats)
    assert not model.kernel.static_onset[untouched].any()


def test_merge_nonengaged_on_a_hand_built_week() -> None:
    # Seats 1, 3, 5 and 7 were not engaged; 3 has resolved, and 2 and 6 are new cases.
    state = np.zeros(9, np.int8)
    state[[1, 2, 6]] = AT_RISK
    state[5] = WITHDRAWN
    state[7] = RECOVERING
    others, symptomatic, withdrawn = kernels.merge_nonengaged(
        np.array([1, 3, 5, 7]),
        np.array([2, 6]),
        state,
        *map(np.int8, (ENGAGED, AT_RISK, WITHDRAWN)),
    )
    assert others.tolist() == [1, 2, 5, 6, 7]
    assert symptomatic.tolist() == [1, 2, 5, 6]
    assert withdrawn.tolist() == [5]


@settings(max_examples=60, deadline=None)
@given(
    states=st.lists(st.sampled_from([ENGAGED, AT_RISK, WITHDRAWN, RECOVERING]), max_size=60),
    data=st.data(),
)
def test_merge_nonengaged_property_equals_the_numpy_steps(
    states: list[int], data: st.DataObject
) -> None:
    state = np.array(states, np.int8)
    seats = np.arange(len(state))
    # Any split of the seats into the earlier non-engaged and this week's newcomers.
    newcomer = np.array(
        data.draw(st.lists(st.booleans(), min_size=len(state), max_size=len(state))), bool
    )
    earlier = data.draw(st.lists(st.booleans(), min_size=len(state), max_size=len(state)))
    before = seats[~newcomer & np.array(earlier, bool)]
    newcomers = seats[newcomer]
    others, symptomatic, withdrawn = kernels.merge_nonengaged(
        before, newcomers, state, *map(np.int8, (ENGAGED, AT_RISK, WITHDRAWN))
    )
    kept = before[state[before] != ENGAGED]
    expected = np.insert(kept, np.searchsorted(kept, newcomers), newcomers)
    assert others.tolist() == expected.tolist()
    assert symptomatic.tolist() == expected[np.isin(state[expected], [AT_RISK, WITHDRAWN])].tolist()
    assert withdrawn.tolist() == expected[state[expected] == WITHDRAWN].tolist()


def test_columns_of_gives_the_named_attributes_uncopied() -> None:
    """``columns_of`` equals building the named tuple attribute by attribute."""
    model = HikiModel(Scenario().with_overrides({"population.youths": 300}), seed=1)
    youths = model.population.youths
    for kind in (kernels.YouthArrays, kernels.Census):
        got = kernels.columns_of(youths, kind)
        assert type(got) is kind
        assert got._fields == kind._fields
        for name in kind._fields:
            assert getattr(got, name) is getattr(youths, name), name


WEIGHT = st.floats(-3.0, 3.0, allow_nan=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 2**31 - 1),
    st.tuples(WEIGHT, WEIGHT, WEIGHT, WEIGHT, WEIGHT, WEIGHT),
    st.floats(-12.0, 2.0),
    st.floats(-12.0, 2.0),
    st.floats(-3.0, 3.0),
    st.sampled_from([0.25, 1.0, float(np.nextafter(np.float32(1.0), np.float32(2.0)))]),
)
def test_the_at_risk_bound_is_above_every_at_risk_chance(
    seed: int,
    weights: tuple[float, ...],
    progress_base: float,
    resolve_base: float,
    modifier_shift: float,
    exposure_top: float,
) -> None:
    """Any weights (negative ones too), any columns, any programme changes.

    The screen in ``episode_transitions`` skips a youth whose draw is at or above the
    bound, so the bound must be at least the youth's two chances together, whatever the
    youth's columns; the youths with every raising column set come closest to it.
    """
    model = HikiModel(Scenario().with_overrides({"population.youths": 400, "run.years": 0.1}))
    kernel, youths = model.kernel, model.population.youths
    rng = np.random.default_rng(seed)
    n = len(youths.state)
    youths.state[:] = State.AT_RISK
    youths.disorder[:] = rng.choice([0, 1, 2], n)
    youths.track[:] = rng.choice([Track.SCHOOL, Track.WORK, Track.NEITHER, Track.RETIRED], n)
    for flag in (youths.school_refusal, youths.internet_addiction, youths.sleep_reversal):
        flag[:] = rng.random(n) < 0.5
    youths.care[:] = rng.choice([Care.NONE, Care.CLINICAL], n)
    # The bound uses the largest exposure, not one: shares can come out a rounding error
    # above one (float32 degrees summed from non-dyadic weights), and a bound that took
    # one would be loose when nobody is fully exposed.
    kernel.exposure[:] = rng.choice(np.array([0.0, exposure_top / 2, exposure_top], np.float32), n)
    kernel.exposure[n - 1] = exposure_top
    mod = kernel.modifiers
    mod.progress_logit[:] = modifier_shift + rng.normal(0.0, 1.0, n)
    mod.resolve_logit[:] = -modifier_shift + rng.normal(0.0, 1.0, n)
    disorder, refusal, internet, sleep, peer, neither = weights
    rates = kernel.episode_rates._replace(
        progress_base=progress_base,
        disorder_progress_weight=disorder,
        refusal_progress_weight=refusal,
        internet_progress_weight=internet,
        sleep_progress_weight=sleep,
        peer_progress_weight=peer,
        neither_weight=neither,
        resolve_base=resolve_base,
    )
    tops = kernel._at_risk_tops()
    bound = kernels.at_risk_bound(rates, tops)
    arrays, modifiers = kernel.youth_arrays(), kernel.modifier_arrays()
    chances = np.array(
        [
            sum(
                kernels.at_risk_chances(
                    seat, arrays, kernel.exposure, modifiers, rates, kernels.CODES
                )
            )
            for seat in range(n)
        ]
    )
    assert np.all(chances <= bound)
    # And tight: youth 0 has every column that raises the progress logit, youth 1 every
    # one that raises the resolve logit (a disorder takes half its weight off that one),
    # both the largest changes and the largest exposure (none under a negative weight);
    # their chances make up the bound.
    for seat, ill in ((0, disorder > 0), (1, disorder < 0)):
        youths.disorder[seat] = 1 if ill else 0
        youths.school_refusal[seat] = refusal > 0
        youths.internet_addiction[seat] = internet > 0
        youths.sleep_reversal[seat] = sleep > 0
        kernel.exposure[seat] = tops[0] if peer > 0 else 0.0
        youths.track[seat] = Track.NEITHER if neither > 0 else Track.WORK
        youths.care[seat] = Care.CLINICAL
        mod.progress_logit[seat] = tops[1]
        mod.resolve_logit[seat] = tops[2]

    def chances_of(seat: int) -> tuple[float, float]:
        return kernels.at_risk_chances(
            seat, arrays, kernel.exposure, modifiers, rates, kernels.CODES
        )

    top = chances_of(0)[0] + chances_of(1)[1]
    assert top <= bound <= top * (1 + 1e-5)


@pytest.mark.parametrize("position", [0, 1, 2])
def test_a_nan_top_gives_a_nan_bound(position: int) -> None:
    rates = kernels.EpisodeRates(*([0.0] * len(kernels.EpisodeRates._fields)))
    tops = [1.0, 0.0, 0.0]
    tops[position] = float("nan")
    # The screen skips a draw u when u >= bound, which no draw is of NaN.
    assert np.isnan(kernels.at_risk_bound(rates, tuple(tops)))
