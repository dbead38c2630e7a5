"""Internet addiction and a reversed sleep rhythm act on the way out of withdrawal (issue 10).

Both flags multiply the WITHDRAWN to RECOVERING hazard and the RECOVERING to ENGAGED
probability (``dynamics.*_exit_multiplier``, ``dynamics.*_reentry_multiplier``), and a
reversed rhythm adds ``dynamics.sleep_reversal_weight`` to the AT_RISK to WITHDRAWN logit.
The unit tests set a few seats by hand and check known answers; the run tests switch the
mechanism off under common random numbers and compare.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from processes import BUSY

from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.simulation import run_model
from hikisim.states import WEEKS_PER_YEAR, Care, State

RUN = BUSY | {"population.youths": 3000, "run.burn_in_years": 10, "run.years": 5}
MULTIPLIERS = (
    "internet_exit_multiplier",
    "internet_reentry_multiplier",
    "sleep_exit_multiplier",
    "sleep_reentry_multiplier",
)
NO_MULTIPLIERS: dict[str, Any] = {f"dynamics.{name}": 1.0 for name in MULTIPLIERS}
# The mechanism switched off: every multiplier 1 and no progression logit.
NEUTRAL: dict[str, Any] = NO_MULTIPLIERS | {"dynamics.sleep_reversal_weight": 0.0}
# Far stronger than the defaults, so that the direction of the effect cannot hide in noise.
STRONG: dict[str, Any] = {f"dynamics.{name}": 0.2 for name in MULTIPLIERS}

# Seats 0-3 hold each combination of the flags (neither, internet, sleep, both); seats
# 4-7 repeat them, so every combination is seen at two settings of the other inputs.
INTERNET = np.array([False, True, False, True] * 2)
SLEEP = np.array([False, False, True, True] * 2)
SEATS = np.arange(len(INTERNET))
# Youth arrays that stay equal under common random numbers whatever the withdrawal
# dynamics do: turnover is decided by age alone and draws traits from its own stream.
TRAITS = ("person_id", "age_weeks", "male", "introversion", "internet_intensity", "disorder")


def model_with(overrides: dict[str, Any]) -> HikiModel:
    """A built, not stepped, model of the busy scenario (everyone engaged, no history)."""
    return HikiModel(Scenario().with_overrides(RUN | overrides), seed=3)


def place(model: HikiModel, state: State, *, plain: bool = True) -> None:
    """Put the test seats in ``state`` with the flags of ``INTERNET`` and ``SLEEP``.

    Args:
        model: The model whose seats to set.
        state: The state of every test seat.
        plain: Clear disorder, severity and care, so only the flags and the clocks set
            below move the hazards and the known answers need nothing else.
    """
    y = model.population.youths
    y.state[SEATS] = state
    y.internet_addiction[SEATS] = INTERNET
    y.sleep_reversal[SEATS] = SLEEP
    # The second copy of the combinations is a year into the episode, with two years lost.
    y.withdrawn_weeks[SEATS] = np.repeat([0, WEEKS_PER_YEAR], 4)
    y.years_lost[SEATS] = np.repeat([0.0, 2.0], 4)
    if plain:
        y.disorder[SEATS] = 0
        y.narrow[SEATS] = False
        y.care[SEATS] = Care.NONE


def without_flags(model: HikiModel, hazard: Any) -> Any:
    """``hazard(SEATS)`` with both flags cleared on the test seats (then put back)."""
    y = model.population.youths
    y.internet_addiction[SEATS] = False
    y.sleep_reversal[SEATS] = False
    try:
        return hazard(SEATS)
    finally:
        y.internet_addiction[SEATS] = INTERNET
        y.sleep_reversal[SEATS] = SLEEP


def flag_factor(internet: float, sleep: float) -> np.ndarray:
    """The multiplier each test seat should get: the factor of every flag it holds."""
    return np.where(INTERNET, internet, 1.0) * np.where(SLEEP, sleep, 1.0)


def logit(p: np.ndarray) -> np.ndarray:
    p = p.astype(np.float64)
    return np.log(p / (1.0 - p))


# --- Known answers on seats set by hand ------------------------------------------------


def test_the_flag_multiplier_is_the_product_of_the_held_flags_factors() -> None:
    model = model_with({})
    place(model, State.WITHDRAWN)
    np.testing.assert_array_equal(
        model.kernel.flag_multipliers(SEATS, 0.5, 0.25), [1.0, 0.5, 0.25, 0.125] * 2
    )


def test_exit_hazard_of_plain_seats_is_the_base_hazard_times_the_flag_multipliers() -> None:
    # Values unlike the defaults and unlike each other, so a swapped or unread setting
    # gives a different answer.
    model = model_with(
        {"dynamics.internet_exit_multiplier": 0.6, "dynamics.sleep_exit_multiplier": 0.35}
    )
    place(model, State.WITHDRAWN)
    d = model.settings.dynamics
    years = np.repeat([0.0, 1.0], 4)
    base = d.exit_base * (1.0 + years) ** -d.duration_decline
    expected = base * flag_factor(0.6, 0.35)  # 1, 0.6, 0.35 and 0.21 for both
    np.testing.assert_allclose(model.kernel.exit_hazards(SEATS), expected, rtol=1e-6)


def test_exit_hazard_is_the_unflagged_hazard_times_the_multipliers_whatever_else_holds() -> None:
    model = model_with(
        {"dynamics.internet_exit_multiplier": 0.6, "dynamics.sleep_exit_multiplier": 0.35}
    )
    place(model, State.WITHDRAWN, plain=False)
    y = model.population.youths
    # Severity, a disorder and care multiply the hazard too; the flags' factor is the same.
    y.narrow[SEATS] = np.repeat([True, False], 4)
    y.disorder[SEATS] = np.repeat([1, 0], 4)
    y.care[SEATS] = np.repeat([Care.CLINICAL, Care.PSYCHOSOCIAL], 4)
    unflagged = without_flags(model, model.kernel.exit_hazards)
    assert np.all(unflagged < 1.0), "the cap at 1 would hide the factor"
    np.testing.assert_allclose(
        model.kernel.exit_hazards(SEATS), unflagged * flag_factor(0.6, 0.35), rtol=1e-6
    )


def test_reentry_is_the_base_times_the_flag_multipliers_and_relapse_is_untouched() -> None:
    model = model_with(
        {"dynamics.internet_reentry_multiplier": 0.5, "dynamics.sleep_reentry_multiplier": 0.7}
    )
    place(model, State.RECOVERING)
    d = model.settings.dynamics
    # relapse + re-entry is far below 1, so the kernel's division by max(total, 1) is by 1
    # and the shares are the probabilities themselves.
    assert d.relapse_rate + d.reentry_base < 1.0
    years_lost = np.repeat([0.0, 2.0], 4)
    base = d.reentry_base / (1.0 + d.years_lost_slowdown * years_lost)
    relapse, reenter = model.kernel.recovering_chances(SEATS)
    np.testing.assert_allclose(reenter, base * flag_factor(0.5, 0.7), rtol=1e-6)
    np.testing.assert_allclose(relapse, d.relapse_rate, rtol=1e-6)


def test_exit_and_reentry_read_their_own_multipliers() -> None:
    # Only the exit multipliers differ from 1: re-entry must not move, and the reverse.
    exit_only = model_with(
        {f"dynamics.{name}": 1.0 for name in MULTIPLIERS if "reentry" in name}
        | {"dynamics.internet_exit_multiplier": 0.5}
    )
    place(exit_only, State.RECOVERING)
    np.testing.assert_array_equal(
        exit_only.kernel.recovering_chances(SEATS)[1],
        without_flags(exit_only, exit_only.kernel.recovering_chances)[1],
    )
    reentry_only = model_with(
        {f"dynamics.{name}": 1.0 for name in MULTIPLIERS if "exit" in name}
        | {"dynamics.sleep_reentry_multiplier": 0.5}
    )
    place(reentry_only, State.WITHDRAWN)
    np.testing.assert_array_equal(
        reentry_only.kernel.exit_hazards(SEATS),
        without_flags(reentry_only, reentry_only.kernel.exit_hazards),
    )


def test_sleep_reversal_shifts_the_progression_logit_by_its_weight_and_not_resolution() -> None:
    model = model_with({"dynamics.sleep_reversal_weight": 1.7})
    place(model, State.AT_RISK)
    internet_weight = model.settings.dynamics.internet_addiction_weight
    progress, resolve = model.kernel.at_risk_chances(SEATS)
    plain_progress, plain_resolve = without_flags(model, model.kernel.at_risk_chances)
    shift = np.where(INTERNET, internet_weight, 0.0) + np.where(SLEEP, 1.7, 0.0)
    # The hazards are float32: compare logits to well within a float32 rounding.
    np.testing.assert_allclose(logit(progress) - logit(plain_progress), shift, atol=1e-5)
    np.testing.assert_array_equal(resolve, plain_resolve)


# --- The neutral path --------------------------------------------------------------------


def test_neutral_settings_give_exactly_one_and_leave_every_hazard_bit_for_bit() -> None:
    model = model_with(NEUTRAL)
    kernel = model.kernel
    place(model, State.WITHDRAWN, plain=False)
    # Factors of exactly 1: multiplying by them leaves every hazard bit for bit.
    np.testing.assert_array_equal(kernel.flag_multipliers(SEATS, 1.0, 1.0), 1.0)
    np.testing.assert_array_equal(
        kernel.exit_hazards(SEATS), without_flags(model, kernel.exit_hazards)
    )
    place(model, State.RECOVERING, plain=False)
    for flagged, plain in zip(
        kernel.recovering_chances(SEATS),
        without_flags(model, kernel.recovering_chances),
        strict=True,
    ):
        np.testing.assert_array_equal(flagged, plain)
    # The internet weight is older than this change and stays on: clear that flag, so that
    # the two calls differ only in the sleep flag, which must now move nothing.
    place(model, State.AT_RISK, plain=False)
    model.population.youths.internet_addiction[SEATS] = False
    with_sleep = kernel.at_risk_chances(SEATS)
    model.population.youths.sleep_reversal[SEATS] = False
    for flagged, plain in zip(with_sleep, kernel.at_risk_chances(SEATS), strict=True):
        np.testing.assert_array_equal(flagged, plain)


# --- Whole runs under common random numbers ---------------------------------------------


@pytest.fixture(scope="module")
def runs() -> dict[str, HikiModel]:
    """The busy scenario, one seed: the mechanism off, at its defaults, and each half alone."""
    cases = {
        "off": NEUTRAL,
        "defaults": {},
        # Strong multipliers with no progression logit, so only the way out differs.
        "strong": NEUTRAL | STRONG,
        # A strong progression logit with every multiplier at 1.
        "weight_only": NEUTRAL | {"dynamics.sleep_reversal_weight": 3.0},
    }
    return {
        name: run_model(Scenario().with_overrides(RUN | overrides), seed=3)
        for name, overrides in cases.items()
    }


def mean_withdrawn(model: HikiModel) -> float:
    """Mean number withdrawn per horizon week."""
    return float(np.mean([record["withdrawn"] for record in model.weekly_records]))


def mean_episode_weeks(model: HikiModel) -> float:
    """Mean length of every logged episode, open ones at their running length.

    Completed episodes alone would favour the short ones; ``finalize_log`` has written the
    open episodes' weeks so far, and both runs are cut off at the same week.
    """
    return float(np.mean(model.episode_log.column("weeks")))


def test_strong_flag_multipliers_lengthen_episodes_and_raise_the_withdrawn_count(
    runs: dict[str, HikiModel],
) -> None:
    off, strong = runs["off"], runs["strong"]
    # Flags are common among the withdrawn (sleep reversal starts at 4% a week), so a
    # factor of 0.2 on their way out more than doubles both measures in this run; 1.5
    # leaves a wide margin.
    assert mean_episode_weeks(strong) > 1.5 * mean_episode_weeks(off)
    assert mean_withdrawn(strong) > 1.5 * mean_withdrawn(off)


def test_the_default_multipliers_lengthen_episodes_in_the_same_direction(
    runs: dict[str, HikiModel],
) -> None:
    off, defaults = runs["off"], runs["defaults"]
    assert mean_episode_weeks(defaults) > mean_episode_weeks(off)
    assert mean_withdrawn(defaults) > mean_withdrawn(off)


def test_the_sleep_weight_alone_starts_more_episodes(runs: dict[str, HikiModel]) -> None:
    # With every multiplier at 1 only the progression logit differs between the runs.
    assert len(runs["weight_only"].episode_log) > 1.1 * len(runs["off"].episode_log)


def test_the_mechanism_does_not_move_who_is_in_the_population(
    runs: dict[str, HikiModel],
) -> None:
    off = runs["off"].population.youths
    for name in ("defaults", "strong", "weight_only"):
        other = runs[name].population.youths
        for trait in TRAITS:
            np.testing.assert_array_equal(getattr(other, trait), getattr(off, trait), trait)
    # ... while the runs themselves did differ, so the comparison above is not empty.
    assert not np.array_equal(runs["strong"].population.youths.state, off.state)


def test_runs_are_identical_until_a_flagged_youth_is_on_the_way_out() -> None:
    # The multipliers act only on flagged youths who are withdrawn or recovering; with the
    # progression weight kept (at its default in both), the two runs must agree bit for
    # bit, seat by seat, until the first week that starts with such a youth.
    strong, off = model_with(STRONG), model_with(NO_MULTIPLIERS)
    ys, yo = strong.population.youths, off.population.youths
    weeks = 0
    while weeks < 2 * WEEKS_PER_YEAR:
        on_the_way_out = (ys.state == State.WITHDRAWN) | (ys.state == State.RECOVERING)
        if np.any(on_the_way_out & (ys.internet_addiction | ys.sleep_reversal)):
            break
        strong.step()
        off.step()
        weeks += 1
        for column in fields(ys):
            np.testing.assert_array_equal(
                getattr(ys, column.name), getattr(yo, column.name), column.name
            )
        assert len(strong.episode_log) == len(off.episode_log)
    # The window held onsets and entries into withdrawal, so it tested something.
    assert weeks > 0 and len(strong.episode_log) > 0


def test_without_flagged_youths_the_whole_mechanism_changes_nothing_in_a_whole_run() -> None:
    # The window above ends soon after the first withdrawal. With no flag ever starting,
    # the multipliers and the weight have nobody to act on for the whole run: strong
    # values and neutral ones must give the same run bit for bit. A multiplier applied to
    # unflagged youths would make these runs differ.
    no_flags = RUN | {
        "dynamics.internet_addiction_start": 0.0,
        "dynamics.sleep_reversal_start": 0.0,
    }
    strong = run_model(
        Scenario().with_overrides(no_flags | STRONG | {"dynamics.sleep_reversal_weight": 3.0}),
        seed=3,
    )
    off = run_model(Scenario().with_overrides(no_flags | NEUTRAL), seed=3)
    ys, yo = strong.population.youths, off.population.youths
    assert not np.any(ys.internet_addiction | ys.sleep_reversal)
    for column in fields(ys):
        np.testing.assert_array_equal(getattr(ys, column.name), getattr(yo, column.name))
    assert strong.weekly_records == off.weekly_records
    np.testing.assert_array_equal(
        strong.episode_log.column("weeks"), off.episode_log.column("weeks")
    )
    # Episodes were started and ended, so the way out was walked many times.
    assert len(strong.episode_log) > 100
    assert sum(record["recoveries"] for record in strong.weekly_records) > 100


# --- Property: the exit hazard stays a probability and rises with each multiplier --------


@pytest.fixture(scope="module")
def withdrawn_model() -> HikiModel:
    """Test seats withdrawn with every flag combination, at both severities, some in care."""
    model = model_with({})
    place(model, State.WITHDRAWN, plain=False)
    y = model.population.youths
    y.narrow[SEATS] = np.repeat([False, True], 4)
    # Clinical care doubles the hazard, so with a high exit_base the cap at 1 is reached.
    y.care[SEATS] = np.repeat([Care.CLINICAL, Care.NONE], 4)
    return model


multiplier = st.floats(0.05, 1.0)


@settings(max_examples=60, deadline=None)
@given(
    internet=st.lists(multiplier, min_size=2, max_size=2).map(sorted),
    sleep=st.lists(multiplier, min_size=2, max_size=2).map(sorted),
    exit_base=st.floats(0.0, 1.0),
)
def test_exit_hazard_is_a_probability_and_monotone_in_each_multiplier(
    withdrawn_model: HikiModel, internet: list[float], sleep: list[float], exit_base: float
) -> None:
    kernel = withdrawn_model.kernel

    def hazard(internet_factor: float, sleep_factor: float) -> np.ndarray:
        kernel.scenario = withdrawn_model.settings.with_overrides(
            {
                "dynamics.exit_base": exit_base,
                "dynamics.internet_exit_multiplier": internet_factor,
                "dynamics.sleep_exit_multiplier": sleep_factor,
            }
        )
        return kernel.exit_hazards(SEATS)

    low = hazard(internet[0], sleep[0])
    higher_internet = hazard(internet[1], sleep[0])
    higher_sleep = hazard(internet[0], sleep[1])
    for values in (low, higher_internet, higher_sleep):
        assert np.all((values >= 0.0) & (values <= 1.0))
    assert np.all(higher_internet >= low)
    assert np.all(higher_sleep >= low)
    # A seat without the flag does not see its multiplier at all.
    np.testing.assert_array_equal(higher_internet[~INTERNET], low[~INTERNET])
    np.testing.assert_array_equal(higher_sleep[~SLEEP], low[~SLEEP])
