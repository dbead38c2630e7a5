"""Known-answer tests of the compiled careers pass (hikisim.careers).

The pass is compared with its rules written out in numpy (the code it replaced), on a
scrambled population with high chances, so that every move happens many times.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hikisim import careers
from hikisim.dynamics import CAREER_CODES, sigmoid
from hikisim.model import HikiModel
from hikisim.philox import uniforms_all, uniforms_at
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR, State, Track

N = 5_000
ENGAGED, WITHDRAWN = int(State.ENGAGED), int(State.WITHDRAWN)
NEITHER, WORK, RETIRED, SCHOOL = int(Track.NEITHER), int(Track.WORK), int(Track.RETIRED), 0
CODES = CAREER_CODES._replace(retirement_weeks=60 * WEEKS_PER_YEAR)
RATES = careers.CareerRates(
    find_work=0.3, work_scar=0.4, dropout_32=np.float32(0.3), job_loss=0.1, retirement=0.2
)
# Weeks since the school year began (April): a refuser's age then decides the school.
WEEKS_INTO_YEAR = 20
TRACK = (np.uint64(0xACE), np.uint64(0xD1CE), 77, 0)
LABOUR = (np.uint64(0xFACE), np.uint64(0xB00C), 77, 0)


def population(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    refusing = rng.random(N) < 0.3
    return {
        "track": rng.choice([int(t) for t in Track], N).astype(np.int8),
        "state": rng.choice([ENGAGED, WITHDRAWN], N, p=[0.8, 0.2]).astype(np.int8),
        "age_weeks": rng.integers(12 * WEEKS_PER_YEAR, 65 * WEEKS_PER_YEAR, N).astype(np.int16),
        "years_lost": (rng.random(N) * 4).astype(np.float32),
        "school_refusal": refusing,
        "work_start_age": np.full(N, -(2**30), np.int32),
    }


def reference(p: dict[str, np.ndarray], rates: careers.CareerRates) -> np.ndarray:
    """The numpy rules: work found, then dropouts, then job losses and retirement."""
    track, age = p["track"], p["age_weeks"]
    looking = (track == NEITHER) & (p["state"] == ENGAGED) & (age >= CODES.working_age_weeks)
    chance = rates.find_work * np.exp(-rates.work_scar * p["years_lost"].astype(np.float64))
    finders = np.flatnonzero(looking & (uniforms_all(*TRACK, N) < chance))
    refusers = np.flatnonzero(p["school_refusal"])
    refuser_age = age[refusers]
    dropouts = refusers[
        (refuser_age - WEEKS_INTO_YEAR >= CODES.working_age_weeks)
        & (refuser_age < CODES.adult_weeks)
        & (uniforms_at(*TRACK, refusers) < rates.dropout_32)
    ]
    track[dropouts] = NEITHER
    p["school_refusal"][dropouts] = False
    track[finders] = WORK
    p["work_start_age"][finders] = age[finders]
    u = uniforms_all(*LABOUR, N).astype(np.float64)  # the pass compares in float64
    workers = track == WORK
    losing = np.flatnonzero(workers & (u < rates.job_loss))
    retiring = np.flatnonzero(
        workers
        & (u >= rates.job_loss)
        & (u < rates.job_loss + rates.retirement)
        & (age >= CODES.retirement_weeks)
    )
    track[losing] = NEITHER
    track[retiring] = RETIRED
    return np.concatenate([dropouts, finders, losing, retiring])


def run(
    p: dict[str, np.ndarray], rates: careers.CareerRates, weeks_into_year: int = WEEKS_INTO_YEAR
) -> np.ndarray:
    refusers = np.flatnonzero(p["school_refusal"])
    return careers.update(
        p["track"], p["state"], p["age_weeks"], p["years_lost"], p["school_refusal"],
        p["work_start_age"], refusers, weeks_into_year, tuple(rates), tuple(CODES), TRACK,
        LABOUR,
    )  # fmt: skip


def test_only_high_school_refusers_drop_out() -> None:
    """Junior high is compulsory: a pupil who turns 15 during its last year stays."""
    p = population(3)
    refusers = np.flatnonzero(p["school_refusal"])[:4]
    fifteen = 15 * WEEKS_PER_YEAR
    # 15 for 10 weeks (14 when the year began) twice; 15 for 25 weeks (15 when it began)
    # twice: with a certain dropout only the last two leave school.
    p["age_weeks"][refusers] = [fifteen + 10, fifteen + 19, fifteen + 20, fifteen + 25]
    p["track"][refusers] = SCHOOL
    p["state"][refusers] = ENGAGED
    others = np.setdiff1d(np.arange(N), refusers)
    p["school_refusal"][others] = False
    run(p, RATES._replace(dropout_32=np.float32(1.0)))
    assert p["track"][refusers].tolist() == [SCHOOL, SCHOOL, NEITHER, NEITHER]


def test_the_pass_matches_the_rules_in_numpy() -> None:
    got_population, want_population = population(1), population(1)
    before = population(1)["track"]
    got = run(got_population, RATES)
    want = reference(want_population, RATES)
    np.testing.assert_array_equal(got, want)
    for name, column in got_population.items():
        np.testing.assert_array_equal(column, want_population[name], err_msg=name)
    after = got_population["track"]
    # Not vacuous: every move happened.
    assert ((before == NEITHER) & (after == WORK)).sum() > 50
    assert ((before == WORK) & (after == NEITHER)).sum() > 50
    assert ((before == WORK) & (after == RETIRED)).sum() > 20
    assert (got_population["school_refusal"] < population(1)["school_refusal"]).sum() > 10


def test_a_new_worker_can_lose_the_job_the_same_week() -> None:
    """Job moves see this week's new workers (as the numpy code did)."""
    p = population(2)
    rates = RATES._replace(find_work=1.0, work_scar=0.0, job_loss=1.0, retirement=0.0)
    run(p, rates)
    assert not np.any(p["track"] == WORK)


def test_turning_finds_exact_ages_on_their_tracks() -> None:
    age = np.array([18, 18, 22, 22, 19, 18], np.int16) * WEEKS_PER_YEAR
    track = np.array([SCHOOL, WORK, int(Track.UNIVERSITY), SCHOOL, SCHOOL, SCHOOL], np.int8)
    first, second = careers.turning(
        age, track, 18 * WEEKS_PER_YEAR, SCHOOL, 22 * WEEKS_PER_YEAR, int(Track.UNIVERSITY)
    )
    np.testing.assert_array_equal(first, [0, 5])
    np.testing.assert_array_equal(second, [2])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**16),
    find_work=st.floats(0.0, 1.0),
    scar=st.floats(0.0, 2.0),
    dropout=st.floats(0.0, 1.0, width=32),
    loss=st.floats(0.0, 0.5),
    retirement=st.floats(0.0, 0.5),
)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_property_the_pass_matches_the_rules(
    seed: int, find_work: float, scar: float, dropout: float, loss: float, retirement: float
) -> None:
    rates = careers.CareerRates(find_work, scar, np.float32(dropout), loss, retirement)
    got_population, want_population = population(seed), population(seed)
    np.testing.assert_array_equal(run(got_population, rates), reference(want_population, rates))
    for name, column in got_population.items():
        np.testing.assert_array_equal(column, want_population[name], err_msg=name)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1), st.integers(0, 12), st.integers(0, 12))
def test_leavers_and_graduates_at_once_are_placed_as_one_group_after_the_other(
    seed: int, leavers: int, graduates: int
) -> None:
    """One evaluation of both groups' chances places them as the two calls in turn do."""
    model = HikiModel(Scenario().with_overrides({"population.youths": 400, "run.years": 0.1}))
    rng = np.random.default_rng(seed)
    youths = model.population.youths
    youths.state[:] = rng.choice([State.ENGAGED, State.AT_RISK], len(youths.state))
    chosen = rng.choice(len(youths.state), leavers + graduates, replace=False)
    at_18, at_22 = np.sort(chosen[:leavers]), np.sort(chosen[leavers:])
    youths.track[at_18], youths.track[at_22] = Track.SCHOOL, Track.UNIVERSITY
    together, in_turn = model.kernel, copy.deepcopy(model.kernel)
    together._leave_school_and_graduate(at_18, at_22)
    in_turn._leave_school(at_18)
    in_turn._graduate(at_22)
    for column in ("track", "work_start_age"):
        assert np.array_equal(getattr(together.youths, column), getattr(in_turn.youths, column)), (
            column
        )


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(0, 1200))
def test_a_week_of_ageing_finds_the_leavers_and_the_career_ages(seed: int, size: int) -> None:
    """Against numpy: every age gains a week; leavers and the 18- and 22-year-olds found."""
    rng = np.random.default_rng(seed)
    leaving, first, second = 60, 20, 30
    # Ages near the marked ones, so that some blocks hold them and others do not.
    age = rng.choice([0, 18, 19, 28, 29, 58, 59, 60, 70], size).astype(np.int16)
    before = age.copy()
    leavers, turning = careers.age_a_week(age, leaving, first, second)
    np.testing.assert_array_equal(age, before + 1)
    np.testing.assert_array_equal(leavers, np.flatnonzero(age >= leaving))
    np.testing.assert_array_equal(turning, np.flatnonzero((age == first) | (age == second)))
    track = rng.choice([Track.SCHOOL, Track.UNIVERSITY, Track.WORK], size).astype(np.int8)
    codes = (first, int(Track.SCHOOL), second, int(Track.UNIVERSITY))
    for got, want in zip(
        careers.turning_among(turning, age, track, *codes),
        careers.turning(age, track, *codes),
        strict=True,
    ):
        np.testing.assert_array_equal(got, want)


def test_without_ageing_the_career_ages_are_still_found() -> None:
    """With ageing off, update_tracks scans everyone for the ages 18 and 22."""
    scenario = Scenario().with_overrides({"population.youths": 600, "population.aging": False})
    model = HikiModel(scenario)
    youths = model.population.youths
    seats = np.flatnonzero(youths.track == Track.SCHOOL)[:3]
    youths.age_weeks[seats] = 18 * WEEKS_PER_YEAR
    model.kernel.update_tracks()
    assert not np.any(youths.track[seats] == Track.SCHOOL)


def numpy_school_exits(
    seats: np.ndarray, youths: dict[str, np.ndarray], weights: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """The chances of university and neither, written out in numpy (the former code)."""
    university_base, neither_base, struggle_weight, market_logit = weights
    struggling = (youths["state"][seats] != State.ENGAGED) | youths["refused"][seats]
    shift = struggle_weight * struggling
    achievement = youths["achievement"][seats]
    p_uni = sigmoid(university_base + 0.8 * achievement - shift)
    p_neither = np.minimum(
        sigmoid(neither_base - 0.5 * achievement + shift + market_logit), 1.0 - p_uni
    )
    return p_uni, p_neither


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    university_base=st.floats(-4.0, 4.0),
    neither_base=st.floats(-4.0, 4.0),
    struggle_weight=st.floats(-2.0, 3.0),
    market_logit=st.floats(-1.0, 1.0),
)
def test_school_exits_match_the_rule_in_numpy(
    seed: int,
    university_base: float,
    neither_base: float,
    struggle_weight: float,
    market_logit: float,
) -> None:
    """Compiled logits and placement give numpy's chances and tracks bit for bit."""
    rng = np.random.default_rng(seed)
    size = 300
    youths = {
        "state": rng.choice([State.ENGAGED, State.AT_RISK, State.WITHDRAWN], size).astype(np.int8),
        "refused": rng.random(size) < 0.2,
        "achievement": rng.standard_normal(size).astype(np.float32),
        "draw": rng.random(size).astype(np.float32),
        "age": rng.integers(18 * WEEKS_PER_YEAR, 23 * WEEKS_PER_YEAR, size).astype(np.int16),
    }
    chosen = rng.permutation(size)[: rng.integers(0, 120)]
    at_18, at_22 = np.sort(chosen[::2]), np.sort(chosen[1::2])
    seats = np.concatenate((at_18, at_22))
    weights = (university_base, neither_base, struggle_weight, market_logit)
    university, neither = careers.school_exit_logits(
        seats, youths["state"], youths["refused"], youths["achievement"], int(State.ENGAGED),
        *weights,
    )  # fmt: skip
    p_uni = sigmoid(university)
    p_neither = np.minimum(sigmoid(neither), 1.0 - p_uni)
    want_uni, want_neither = numpy_school_exits(seats, youths, weights)
    np.testing.assert_array_equal(p_uni, want_uni)
    np.testing.assert_array_equal(p_neither, want_neither)

    track = np.full(size, SCHOOL, np.int8)
    start = np.full(size, -1, np.int32)
    careers.place_school_exits(
        at_18, at_22, p_uni, p_neither, youths["draw"], youths["age"], track, start,
        int(Track.UNIVERSITY), int(Track.NEITHER), WORK,
    )  # fmt: skip
    want_track = np.full(size, SCHOOL, np.int8)
    leavers = len(at_18)
    u = youths["draw"][at_18]
    want_track[at_18] = np.where(
        u < want_uni[:leavers],
        Track.UNIVERSITY,
        np.where(u > 1.0 - want_neither[:leavers], Track.NEITHER, Track.WORK),
    )
    scaled = youths["draw"][at_22] / np.maximum(want_uni[leavers:], 1e-6)
    want_track[at_22] = np.where(scaled < want_neither[leavers:], Track.NEITHER, Track.WORK)
    np.testing.assert_array_equal(track, want_track)
    working = want_track == WORK
    np.testing.assert_array_equal(start, np.where(working, youths["age"], -1))
