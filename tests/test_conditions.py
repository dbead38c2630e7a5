"""Known-answer tests of the compiled conditions pass (hikisim.conditions).

The pass is compared, column by column, with its rules written out in numpy (the code
it replaced, one rule at a time over index sets), on a real town whose states, tracks,
ages, flags, care and disorders are scrambled and whose chances are raised, so that
every start, stop, onset, remission and relapse happens many times.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hikisim import conditions
from hikisim.dynamics import CONDITION_CODES
from hikisim.model import HikiModel
from hikisim.philox import uniforms_all, uniforms_at
from hikisim.population import Youths
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR, Care, Disorder, State, Track

ENGAGED, AT_RISK, WITHDRAWN, RECOVERING = (int(s) for s in State)
SCHOOL, CLINICAL = int(Track.SCHOOL), int(Care.CLINICAL)
CODES = CONDITION_CODES
RATES = conditions.ConditionRates(
    refusal_stop=0.3,
    new_school_stop=0.6,
    refusal_start=0.2,
    elementary_ratio=0.5,
    at_risk_factor=2.0,
    internet_start_32=np.float32(0.4),
    internet_stop_32=np.float32(0.3),
    sleep_start=0.2,
    sleep_stop_32=np.float32(0.3),
    depression_onset=0.1,
    depression_growth=0.5,
    depression_remission=0.2,
    clinical_remission_multiplier=2.0,
    disorder_relapse_32=np.float32(0.3),
    treated_remission_32=np.float32(0.4),
)


def counters(week: int) -> conditions.ConditionCounters:
    """Five streams' counters: distinct key words, the week, draw 0."""
    return conditions.ConditionCounters(
        *((np.uint64(0xC0DE + i), np.uint64(0xBEEF * (i + 1)), week, 0) for i in range(5))
    )


def scrambled_youths(seed: int) -> Youths:
    """A real town's youths with every condition column drawn at random."""
    model = HikiModel(Scenario().with_overrides({"population.youths": 2_000}), seed=seed)
    y = model.kernel.youths
    n, rng = len(y), np.random.default_rng(seed)
    y.state[:] = rng.choice([ENGAGED, AT_RISK, WITHDRAWN, RECOVERING], n, p=[0.4, 0.2, 0.3, 0.1])
    y.track[:] = rng.choice([int(t) for t in Track], n, p=[0.6, 0.1, 0.1, 0.15, 0.05])
    y.age_weeks[:] = rng.integers(10 * WEEKS_PER_YEAR, 25 * WEEKS_PER_YEAR, n)
    y.care[:] = rng.choice([int(c) for c in Care], n)
    y.disorder[:] = rng.choice([int(d) for d in Disorder], n)
    y.withdrawn_weeks[:] = rng.integers(0, 300, n)
    y.school_year_refusal_weeks[:] = rng.integers(0, 7, n)
    for name, share in [
        ("disorder_detected", 0.5),
        ("disorder_remitted", 0.2),
        ("depressed", 0.2),
        ("ever_depressed", 0.3),
        ("internet_addiction", 0.2),
        ("sleep_reversal", 0.2),
        ("school_refusal", 0.2),
        ("ever_refused_school", 0.3),
        ("refused_final_junior_high_year", 0.1),
    ]:
        getattr(y, name)[:] = rng.random(n) < share
    return y


def reference_update(
    y: Youths,
    rates: conditions.ConditionRates,
    weeks_into_year: int,
    streams: conditions.ConditionCounters,
) -> tuple[np.ndarray, np.ndarray]:
    """The rules in numpy, one at a time over index sets (the code the pass replaced)."""

    def draw(counter: tuple, seats: np.ndarray) -> np.ndarray:
        return uniforms_at(counter[0], counter[1], counter[2], counter[3], seats)

    def in_year_from(age_at_start: np.ndarray, start: int) -> np.ndarray:
        return (age_at_start >= start) & (age_at_start < start + WEEKS_PER_YEAR)

    state, age, track = y.state, y.age_weeks, y.track
    symptomatic = np.flatnonzero((state == AT_RISK) | (state == WITHDRAWN))
    withdrawn_mask = state[symptomatic] == WITHDRAWN
    withdrawn = symptomatic[withdrawn_mask]
    adult = CODES.adult_weeks

    # School refusal.
    refusing = y.school_refusal
    holders = np.flatnonzero(refusing)
    holder_age = age[holders]
    in_school = (track[holders] == SCHOOL) & (holder_age < adult)
    stop = np.full(len(holders), rates.refusal_stop)
    if weeks_into_year == 0:
        new_school = in_year_from(holder_age, CODES.junior_high_start)
        new_school |= in_year_from(holder_age, CODES.high_school_start)
        stop[new_school] = rates.new_school_stop
    holder_draw = draw(streams.refusal, holders)
    stopping = ~in_school | ((state[holders] != WITHDRAWN) & (holder_draw < stop))
    start_age = age - weeks_into_year
    chance = (
        rates.refusal_start
        * np.where(start_age < CODES.junior_high_start, rates.elementary_ratio, 1.0)
        * np.where(state == AT_RISK, rates.at_risk_factor, 1.0)
    )
    eligible = (
        ~refusing & (track == SCHOOL) & (state != WITHDRAWN) & (start_age < CODES.high_school_start)
    )
    starting = np.flatnonzero(eligible & (uniforms_all(*streams.refusal, len(state)) < chance))
    absent = withdrawn[
        ~refusing[withdrawn] & (track[withdrawn] == SCHOOL) & (age[withdrawn] < adult)
    ]
    refusing[holders[stopping]] = False
    refusing[np.union1d(starting, absent)] = True

    # A week of refusal, and MEXT's 30 days.
    refusers = np.flatnonzero(refusing)
    y.school_year_refusal_weeks[refusers] += 1
    reached = refusers[y.school_year_refusal_weeks[refusers] == CODES.mext_absence_weeks]
    reached_start = age[reached] - weeks_into_year
    counted = reached[reached_start < CODES.high_school_start]
    first = counted[~y.ever_refused_school[counted]]
    y.ever_refused_school[first] = True
    final_year = in_year_from(reached_start, CODES.final_junior_high_start)
    y.refused_final_junior_high_year[reached[final_year]] = True

    # Internet addiction and sleep reversal.
    addicted, u = y.internet_addiction, draw(streams.internet, np.arange(len(state)))
    p_start = rates.internet_start_32 * y.internet_intensity[symptomatic]
    start = symptomatic[~addicted[symptomatic] & (u[symptomatic] < p_start)]
    holders = np.flatnonzero(addicted)
    symptoms = (state[holders] == AT_RISK) | (state[holders] == WITHDRAWN)
    addicted[holders[~symptoms & (u[holders] < rates.internet_stop_32)]] = False
    addicted[start] = True
    reversed_, u = y.sleep_reversal, draw(streams.sleep, np.arange(len(state)))
    p_start = rates.sleep_start * (1.0 + addicted[symptomatic]) * (0.25 + 0.75 * withdrawn_mask)
    start = symptomatic[~reversed_[symptomatic] & (u[symptomatic] < p_start)]
    holders = np.flatnonzero(reversed_)
    reversed_[holders[(state[holders] != WITHDRAWN) & (u[holders] < rates.sleep_stop_32)]] = False
    reversed_[start] = True

    # Depression.
    u = draw(streams.depression, np.arange(len(state)))
    holders = np.flatnonzero(y.depressed)
    remission = rates.depression_remission * np.where(
        y.care[holders] == CLINICAL, rates.clinical_remission_multiplier, 1.0
    )
    remitting = holders[u[holders] < remission]
    candidates = withdrawn[~y.depressed[withdrawn] & (y.disorder[withdrawn] != CODES.depression)]
    years = y.withdrawn_weeks[candidates] / WEEKS_PER_YEAR
    hazard = rates.depression_onset * (1.0 + rates.depression_growth * years)
    onset = candidates[u[candidates] < hazard]
    y.depressed[remitting] = False
    y.depressed[onset] = True
    y.ever_depressed[onset] = True

    # Remission of detected latent disorders in clinical care, and relapse after it.
    u = draw(streams.remission, np.arange(len(state)))
    remitted = np.flatnonzero(y.disorder_remitted)
    relapsing = remitted[(y.care[remitted] != CLINICAL) & (u[remitted] < rates.disorder_relapse_32)]
    treatable = np.flatnonzero(
        (y.care == CLINICAL)
        & np.isin(y.disorder, [CODES.depression, CODES.social_anxiety])
        & y.disorder_detected
        & ~y.disorder_remitted
    )
    y.disorder_remitted[relapsing] = False
    y.disorder_remitted[treatable[u[treatable] < rates.treated_remission_32]] = True
    return np.flatnonzero(refusing), first


def run_both(
    seed: int, weeks_into_year: int, rates: conditions.ConditionRates = RATES
) -> tuple[Youths, Youths, tuple, tuple]:
    youths = scrambled_youths(seed)
    reference = copy.deepcopy(youths)
    streams = counters(week=1_000 + seed)
    columns = conditions.ConditionArrays(
        *(getattr(youths, name) for name in conditions.ConditionArrays._fields)
    )
    # Plain tuples, as the model passes them (the same compiled specialization).
    got = conditions.update(
        tuple(columns), tuple(rates), tuple(CODES), weeks_into_year, tuple(streams)
    )
    want = reference_update(reference, rates, weeks_into_year, streams)
    return youths, reference, got, want


def assert_same_youths(got: Youths, want: Youths) -> None:
    for name in conditions.ConditionArrays._fields:
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)


@pytest.mark.parametrize("weeks_into_year", [0, 9])
def test_the_pass_matches_the_rules_in_numpy(weeks_into_year: int) -> None:
    before = scrambled_youths(3)
    youths, reference, got, want = run_both(3, weeks_into_year)
    assert_same_youths(youths, reference)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    # Not vacuous: each condition starts and stops for many youths.
    for name in ("school_refusal", "internet_addiction", "sleep_reversal", "depressed",
                 "disorder_remitted"):  # fmt: skip
        old, new = getattr(before, name), getattr(youths, name)
        assert (old & ~new).sum() > 10, f"{name} never stopped"
        assert (~old & new).sum() > 10, f"{name} never started"
    assert len(got[1]) > 5


def test_a_refusal_history_needs_six_weeks_before_high_school() -> None:
    """Only refusers reaching their sixth week in a year begun before 15 get a history."""
    youths, _, (refusers, first), _ = run_both(4, 9)
    weeks = youths.school_year_refusal_weeks[first]
    assert np.all(weeks == CODES.mext_absence_weeks)
    assert np.all(youths.age_weeks[first] - 9 < CODES.high_school_start)
    assert np.isin(first, refusers).all()


def test_withdrawn_pupils_always_refuse_and_refusal_ends_with_school() -> None:
    youths, *_ = run_both(5, 20)
    pupil = (youths.track == SCHOOL) & (youths.age_weeks < CODES.adult_weeks)
    assert youths.school_refusal[pupil & (youths.state == WITHDRAWN)].all()
    assert not youths.school_refusal[~pupil].any()


def test_zero_chances_change_only_what_is_certain() -> None:
    """With every chance 0, only the certain rules act: absence in withdrawal, the end
    of school, and the weekly count."""
    zeros = {
        name: type(value)(0) for name, value in RATES._asdict().items() if name != "at_risk_factor"
    }
    zero = RATES._replace(**zeros)
    before = scrambled_youths(6)
    youths, reference, *_ = run_both(6, 9, zero)
    assert_same_youths(youths, reference)
    for name in ("internet_addiction", "sleep_reversal", "depressed", "disorder_remitted"):
        np.testing.assert_array_equal(getattr(youths, name), getattr(before, name))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), weeks_into_year=st.integers(0, 51))
def test_property_the_pass_matches_the_rules(seed: int, weeks_into_year: int) -> None:
    youths, reference, got, want = run_both(seed % 5, weeks_into_year)
    assert_same_youths(youths, reference)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.parametrize("top", [0.0, 0.01, 0.3, 1.0, 2.0, float("nan")])
@pytest.mark.parametrize("weeks_into_year", [0, 20])
def test_candidates_are_the_holders_and_the_pupils_drawn_below_the_top(
    top: float, weeks_into_year: int
) -> None:
    # A screen that kept too many candidates would change no result (the rules leave an
    # extra candidate as it was), so the list itself is checked against its definition.
    y = scrambled_youths(3)
    columns = conditions.ConditionArrays(
        *(getattr(y, f) for f in conditions.ConditionArrays._fields)
    )
    counter = counters(5).refusal
    held = (
        y.school_refusal
        | y.internet_addiction
        | y.sleep_reversal
        | y.depressed
        | y.disorder_remitted
        | (y.care == CLINICAL)
        | (y.state == AT_RISK)
        | (y.state == WITHDRAWN)
    )
    pupil = (
        ~held
        & (y.track == SCHOOL)
        & (y.age_weeks.astype(np.int64) - weeks_into_year < CODES.high_school_start)
    )
    assert held.any() and pupil.any() and (~held & ~pupil).any()
    uniforms = uniforms_all(*counter, len(y)).astype(np.float64)
    expected = np.flatnonzero(held | (pupil & (uniforms < top)))
    got, draws = conditions._candidates(columns, CODES, weeks_into_year, counter, top)
    assert got.dtype == np.int64
    assert got.tolist() == expected.tolist()
    # Each kept seat's refusal uniform, which the refusal rules read instead of drawing.
    assert draws.dtype == np.float32
    assert draws.tolist() == uniforms_all(*counter, len(y))[expected].tolist()
    empty = conditions.ConditionArrays(*(column[:0] for column in columns))
    got, draws = conditions._candidates(empty, CODES, weeks_into_year, counter, top)
    assert got.tolist() == [] and draws.tolist() == []
