"""Issue 10's mechanisms: school refusal as its own process, the work track's own risks,
and depression that develops during withdrawal with remission in care.

Each mechanism is checked on hand-built populations (known answers: the kernel's own
methods called on seats set up by hand, with probabilities chosen so the expected share
is exact or a binomial with a tight interval), and on whole runs under common random
numbers (switch the mechanism off, compare).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from processes import BUSY

from hikisim.dynamics import SCHOOL_YEAR_START_WEEK, CalendarEffects, WeekEvents
from hikisim.metrics import weekly_record
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.simulation import run_model
from hikisim.states import WEEKS_PER_YEAR, Care, Disorder, State, Track

SEATS = 20_000
RUN = BUSY | {"population.youths": 3000, "run.burn_in_years": 30, "run.years": 5}


def hand_model(**overrides: object) -> HikiModel:
    """A large model with no burn-in, whose seats the tests set up by hand."""
    settings = {"population.youths": SEATS, "run.burn_in_years": 0, "run.years": 1.0}
    return HikiModel(Scenario().with_overrides(settings | overrides), seed=11)


def within_binomial(hits: int, n: int, p: float) -> bool:
    """Whether ``hits`` of ``n`` is within five standard errors of ``p``."""
    return abs(hits / n - p) <= 5 * math.sqrt(p * (1 - p) / n) + 1e-12


def pupils(model: HikiModel, age_years: float, state: int = State.ENGAGED) -> None:
    """Make every seat an engaged (or given-state) pupil of one age, not refusing."""
    y = model.population.youths
    y.age_weeks[:] = int(age_years * WEEKS_PER_YEAR)
    y.track[:] = Track.SCHOOL
    y.state[:] = state
    y.school_refusal[:] = False


def school_week(model: HikiModel, weeks_into_year: int) -> None:
    """Set the calendar to a week of the school year, with no driver effects."""
    model.kernel.calendar = CalendarEffects(
        week_of_year=(SCHOOL_YEAR_START_WEEK + weeks_into_year) % WEEKS_PER_YEAR
    )


# School refusal (item 1) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "expected_share"),
    [(13.0, 0.2), (10.5, 0.2 * 0.5), (15.5, 0.0)],
    ids=["junior_high", "elementary", "high_school"],
)
def test_engaged_pupils_start_refusing_at_the_rate_of_their_grade(
    age: float, expected_share: float
) -> None:
    model = hand_model(**{"school.refusal_start": 0.2, "school.refusal_elementary_ratio": 0.5})
    pupils(model, age)
    # The first week of the school year: the age now is the age at its start.
    school_week(model, 0)
    refusers = model.kernel.update_conditions()
    assert within_binomial(len(refusers), SEATS, expected_share)


def test_at_risk_pupils_start_more_often_by_the_weight() -> None:
    model = hand_model(**{"school.refusal_start": 0.05, "school.refusal_at_risk_weight": 1.0})
    pupils(model, 13.0, State.AT_RISK)
    school_week(model, 10)
    refusers = model.kernel.update_conditions()
    assert within_binomial(len(refusers), SEATS, 0.05 * math.e)


def test_the_calendar_multiplies_the_start_of_refusal() -> None:
    model = hand_model(**{"school.refusal_start": 0.05})
    pupils(model, 13.0)
    model.kernel.calendar = CalendarEffects(refusal_multiplier=3.0, week_of_year=30)
    refusers = model.kernel.update_conditions()
    assert within_binomial(len(refusers), SEATS, 0.15)


def test_withdrawn_pupils_always_refuse_and_never_stop() -> None:
    model = hand_model(**{"school.refusal_start": 0.0, "school.refusal_stop": 1.0})
    pupils(model, 16.0, State.WITHDRAWN)
    school_week(model, 5)
    assert len(model.kernel.update_conditions()) == SEATS
    assert len(model.kernel.update_conditions()) == SEATS


@pytest.mark.parametrize(
    ("age", "weeks_into_year", "expected_share"),
    [
        (12.0, 0, 1 - 0.9 * 0.5),  # the first week of junior high
        (15.0, 0, 1 - 0.9 * 0.5),  # the first week of high school
        (13.0, 0, 0.1),  # a new school year, the same school
        (12.0, 1, 0.1),  # a week later
    ],
)
def test_refusal_remits_at_the_school_transitions(
    age: float, weeks_into_year: int, expected_share: float
) -> None:
    model = hand_model(
        **{
            "school.refusal_start": 0.0,
            "school.refusal_stop": 0.1,
            "school.refusal_transition_remission": 0.5,
        }
    )
    pupils(model, age)
    model.population.youths.age_weeks[:] += weeks_into_year
    model.population.youths.school_refusal[:] = True
    school_week(model, weeks_into_year)
    refusers = model.kernel.update_conditions()
    assert within_binomial(SEATS - len(refusers), SEATS, expected_share)


def test_refusal_ends_when_school_does() -> None:
    model = hand_model(**{"school.refusal_start": 0.0, "school.refusal_stop": 0.0})
    pupils(model, 17.0)
    y = model.population.youths
    y.school_refusal[:] = True
    y.track[: SEATS // 2] = Track.NEITHER
    school_week(model, 10)
    np.testing.assert_array_equal(model.kernel.update_conditions(), np.arange(SEATS // 2, SEATS))


def test_a_refusal_history_adds_its_weight_to_the_onset_logit_and_nothing_else() -> None:
    model = hand_model(**{"school.refusal_history_weight": 0.9})
    y, kernel = model.population.youths, model.kernel
    seats = np.arange(SEATS)
    kernel.refresh_static(seats)
    before = kernel.static_onset.copy()
    y.ever_refused_school[::2] = True
    kernel.refresh_static(seats)
    np.testing.assert_allclose(kernel.static_onset[::2] - before[::2], 0.9, atol=1e-5)
    np.testing.assert_array_equal(kernel.static_onset[1::2], before[1::2])


def test_reaching_30_days_marks_the_history_and_refreshes_the_onset_logit() -> None:
    model = hand_model(
        **{
            "school.refusal_history_weight": 0.9,
            "school.refusal_start": 0.0,
            "school.refusal_stop": 0.0,
        }
    )
    y, kernel = model.population.youths, model.kernel
    pupils(model, 13.0)
    school_week(model, 10)
    y.school_refusal[:3] = True
    y.school_year_refusal_weeks[:3] = 5
    kernel._stale.clear()
    np.testing.assert_array_equal(kernel.update_conditions(), [0, 1, 2])
    assert y.ever_refused_school[:3].all() and not y.ever_refused_school[3:].any()
    np.testing.assert_array_equal(np.concatenate(kernel._stale), [0, 1, 2])


def runs_varying(key: str, values: tuple[float, ...]) -> dict[float, HikiModel]:
    """Busy runs on one seed (common random numbers), one per value of ``key``."""
    return {
        value: run_model(Scenario().with_overrides(RUN | {key: value}), seed=3) for value in values
    }


@pytest.fixture(scope="module")
def refusal_runs() -> dict[float, HikiModel]:
    return runs_varying("school.refusal_history_weight", (0.0, 1.5))


def test_most_refusers_never_withdraw() -> None:
    # The calibrated baseline, not the busy one: refusal is no longer a prodrome.
    settings = {"population.youths": 6000, "run.burn_in_years": 40, "run.years": 1}
    y = run_model(Scenario().with_overrides(settings), seed=3).population.youths
    refused = y.ever_refused_school
    assert refused.sum() > 50
    assert y.ever_broad[refused].mean() < 0.5
    # Many of those refusing now are engaged pupils, neither at risk nor withdrawn (about
    # half at the calibrated defaults: 18 of 37 on this seed).
    assert np.mean(y.state[y.school_refusal] == State.ENGAGED) > 0.4


def test_a_refusal_history_raises_later_withdrawal(
    refusal_runs: dict[float, HikiModel],
) -> None:
    # Under common random numbers the refusal process itself is the same until the first
    # onset it changes; later withdrawal among former refusers is higher with the weight.
    off, on = (refusal_runs[w].population.youths for w in (0.0, 1.5))
    assert (
        on.ever_broad[on.ever_refused_school].mean()
        > off.ever_broad[off.ever_refused_school].mean()
    )


# The work track's own risks (item 4) -----------------------------------------------------


def test_misfit_logit_is_its_weight_plus_the_labour_market() -> None:
    """Who counts as a new worker is checked on the onset pass (test_kernels)."""
    model = hand_model(
        **{
            "labour.work_misfit_weight": 0.4,
            "labour.misfit_years": 3.0,
            "labour.job_market_effect": 0.5,
        }
    )
    model.kernel.calendar = CalendarEffects(job_market_gap=0.6)
    assert model.kernel._misfit_logit() == pytest.approx(0.4 + 0.5 * 0.6)


def test_no_misfit_years_means_no_misfit_term() -> None:
    model = hand_model(**{"labour.misfit_years": 0.0, "labour.work_misfit_weight": 2.0})
    assert model.kernel._misfit_logit() == 0.0


def test_starting_work_starts_the_clock_of_the_job() -> None:
    model = hand_model()
    y = model.population.youths
    y.age_weeks[:2] = (20 * WEEKS_PER_YEAR, 40 * WEEKS_PER_YEAR)
    model.kernel._start_work(np.arange(2))
    assert np.all(y.track[:2] == Track.WORK)
    np.testing.assert_array_equal(y.work_start_age[:2], y.age_weeks[:2])


def test_a_dropout_does_not_find_work_in_the_week_it_drops_out() -> None:
    """Dropping out and finding work are decided on one draw, for disjoint groups.

    With every 16-year-old refusing, half of them drop out, and any NEITHER youth would
    find work for certain; yet the dropouts stay in NEITHER that week (the draw that
    made them drop out must not also hand them a job), and a youth already in NEITHER
    finds work.
    """
    model = hand_model(**{"school.dropout_rate": 0.5, "school.find_work_rate": 1.0})
    pupils(model, 16.0)
    y = model.population.youths
    y.school_refusal[1:] = True
    y.track[0], y.age_weeks[0] = Track.NEITHER, 20 * WEEKS_PER_YEAR
    model.kernel.calendar = CalendarEffects()
    model.kernel.update_tracks(np.flatnonzero(y.school_refusal))
    dropouts = np.flatnonzero(y.track[1:] == Track.NEITHER) + 1
    assert within_binomial(len(dropouts), SEATS - 1, 0.5)
    assert not np.any(y.track[1:] == Track.WORK)
    assert y.track[0] == Track.WORK


@pytest.mark.parametrize("gap", [0.0, 1.0])
def test_retirement_follows_the_labour_market(gap: float) -> None:
    model = hand_model(
        **{
            "labour.retirement_rate": 0.1,
            "labour.job_loss_rate": 0.0,
            "labour.job_market_effect": math.log(2.0),
        }
    )
    y = model.population.youths
    y.age_weeks[:] = 61 * WEEKS_PER_YEAR
    y.track[:] = Track.WORK
    model.kernel.calendar = CalendarEffects(job_market_gap=gap)
    model.kernel.update_tracks(np.zeros(0, np.int64))
    retiring = np.flatnonzero(y.track == Track.RETIRED)
    assert within_binomial(len(retiring), SEATS, 0.1 * 2.0**gap)
    assert np.all(y.track[retiring] == Track.RETIRED)


def test_misfit_raises_onset_in_working_ages() -> None:
    off, on = runs_varying("labour.work_misfit_weight", (-5.0, 2.0)).values()

    def adult_onsets(model: HikiModel) -> int:
        return int(np.count_nonzero(model.episode_log.column("onset_age") >= 18))

    assert adult_onsets(on) > adult_onsets(off)


# Depression during withdrawal and remission in care (item 5) -------------------------------


def withdrawn_seats(model: HikiModel, years: float) -> None:
    """Make every seat withdrawn for ``years``, with no disorder and not depressed."""
    y = model.population.youths
    y.state[:] = State.WITHDRAWN
    y.withdrawn_weeks[:] = int(years * WEEKS_PER_YEAR)
    y.disorder[:] = Disorder.NONE
    y.depressed[:] = False


@pytest.mark.parametrize(("years", "expected"), [(0.0, 0.05), (4.0, 0.05 * 3.0)])
def test_the_depression_hazard_rises_with_the_years_withdrawn(
    years: float, expected: float
) -> None:
    model = hand_model(
        **{"individual.depression_onset_rate": 0.05, "individual.depression_duration_growth": 0.5}
    )
    withdrawn_seats(model, years)
    model.kernel.update_conditions()
    y = model.population.youths
    assert within_binomial(int(y.depressed.sum()), SEATS, expected)
    np.testing.assert_array_equal(y.ever_depressed, y.depressed)


def test_a_latent_depression_is_not_depressed_again() -> None:
    model = hand_model(**{"individual.depression_onset_rate": 1.0})
    withdrawn_seats(model, 1.0)
    model.population.youths.disorder[:] = Disorder.DEPRESSION
    model.kernel.update_conditions()
    assert not model.population.youths.depressed.any()


@pytest.mark.parametrize(("care", "expected"), [(Care.NONE, 0.1), (Care.CLINICAL, 0.3)])
def test_depression_remits_faster_in_clinical_care(care: int, expected: float) -> None:
    model = hand_model(
        **{
            "individual.depression_onset_rate": 0.0,
            "care.depression_remission": 0.1,
            "care.clinical_remission_multiplier": 3.0,
        }
    )
    y = model.population.youths
    withdrawn_seats(model, 1.0)
    y.depressed[:] = True
    y.ever_depressed[:] = True
    y.care[:] = care
    model.kernel.update_conditions()
    assert within_binomial(int(np.count_nonzero(~y.depressed)), SEATS, expected)
    assert y.ever_depressed.all()


@pytest.mark.parametrize(
    ("disorder", "care", "detected", "expected"),
    [
        (Disorder.SOCIAL_ANXIETY, Care.CLINICAL, True, 0.2),
        (Disorder.DEPRESSION, Care.CLINICAL, True, 0.2),
        (Disorder.DEPRESSION, Care.PSYCHOSOCIAL, True, 0.0),
        (Disorder.DEPRESSION, Care.CLINICAL, False, 0.0),
        (Disorder.SCHIZOPHRENIA, Care.CLINICAL, True, 0.0),
    ],
)
def test_clinical_care_brings_detected_treatable_disorders_into_remission(
    disorder: int, care: int, detected: bool, expected: float
) -> None:
    model = hand_model(
        **{"care.depression_remission": 0.1, "care.clinical_remission_multiplier": 2.0}
    )
    y = model.population.youths
    y.disorder[:] = disorder
    y.care[:] = care
    y.disorder_detected[:] = detected
    model.kernel.update_conditions()
    assert within_binomial(int(y.disorder_remitted.sum()), SEATS, expected)


@pytest.mark.parametrize(("care", "expected"), [(Care.NONE, 0.25), (Care.CLINICAL, 0.0)])
def test_a_remitted_disorder_relapses_only_after_clinical_care(care: int, expected: float) -> None:
    model = hand_model(**{"care.disorder_relapse": 0.25, "care.depression_remission": 0.0})
    y = model.population.youths
    y.disorder[:] = Disorder.SOCIAL_ANXIETY
    y.disorder_remitted[:] = True
    y.care[:] = care
    model.kernel.update_conditions()
    assert within_binomial(int(np.count_nonzero(~y.disorder_remitted)), SEATS, expected)


def test_exit_is_slowed_by_an_active_disorder_and_a_depression_each() -> None:
    model = hand_model(
        **{
            "individual.disorder_exit_multiplier": 0.5,
            "individual.depression_exit_multiplier": 0.25,
            "dynamics.narrow_entry_share": 0.0,
        }
    )
    y = model.population.youths
    seats = np.arange(4)
    withdrawn_seats(model, 1.0)
    y.narrow[seats] = False
    y.care[seats] = Care.NONE
    y.disorder[seats] = (Disorder.NONE, Disorder.SOCIAL_ANXIETY, Disorder.SOCIAL_ANXIETY, 0)
    y.disorder_remitted[seats] = (False, False, True, False)
    y.depressed[seats] = (False, False, False, True)
    y.internet_addiction[seats] = False
    y.sleep_reversal[seats] = False
    hazard = model.kernel.exit_hazards(seats)
    np.testing.assert_allclose(hazard / hazard[0], [1.0, 0.5, 1.0, 0.25], rtol=1e-6)


@pytest.fixture(scope="module")
def depression_runs() -> dict[float, HikiModel]:
    return runs_varying("individual.depression_onset_rate", (0.0, 0.01, 0.5))


def test_depression_during_withdrawal_lengthens_episodes(
    depression_runs: dict[float, HikiModel],
) -> None:
    off, on = depression_runs[0.0], depression_runs[0.01]
    assert not off.population.youths.ever_depressed.any()
    assert on.population.youths.ever_depressed.sum() > 20
    assert weeks_withdrawn(on) > weeks_withdrawn(off)


def weeks_withdrawn(model: HikiModel) -> int:
    """Person-weeks withdrawn in the run: closed episodes, then the open ones so far."""
    log, y = model.episode_log, model.population.youths
    closed = log.column("end_week") >= 0
    still = y.state == State.WITHDRAWN
    return int(log.column("weeks")[closed].sum() + y.withdrawn_weeks[still].sum())


def test_depression_moves_nothing_before_the_first_withdrawal(
    depression_runs: dict[float, HikiModel],
) -> None:
    # The depression stream is its own: switching the mechanism on changes nobody's
    # onset of a first episode, which happens before anyone can be depressed.
    def first_episode(model: HikiModel) -> tuple[int, int]:
        log = model.episode_log
        first = int(np.argmin(log.column("onset_week")))
        return int(log.column("onset_week")[first]), int(log.column("person_id")[first])

    assert first_episode(depression_runs[0.0]) == first_episode(depression_runs[0.5])


def test_the_qaly_decrement_counts_active_disorders_and_current_depression() -> None:
    model = hand_model()
    y = model.population.youths
    y.state[:] = State.ENGAGED
    y.disorder[:] = Disorder.NONE
    y.disorder[:3] = Disorder.SOCIAL_ANXIETY
    y.disorder_remitted[0] = True
    y.depressed[:] = False
    y.depressed[5:9] = True
    y.state[8] = State.WITHDRAWN  # the withdrawn carry no decrement
    counts = weekly_record(model, WeekEvents(), 0.0)
    assert counts["disorder_social_anxiety_well"] == 2
    assert counts["disorder_depression_well"] == 3
    assert counts["depression_episode_well"] == 3
