"""Programme effects have explicit durations: whole while taking part, then fading."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hikisim.compare import effects_gone_years
from hikisim.economics.parameters import load_economics
from hikisim.programmes import PARAMS, REGISTRY
from hikisim.programmes.decay import (
    GONE_SHARE,
    MAX_HALF_LIFE_WEEKS,
    gone_week,
    remaining_share,
    weeks_until_gone,
)
from hikisim.psa import PsaDesign, draw_scenario, load_priors
from hikisim.scenario import Scenario
from hikisim.simulation import run_model
from hikisim.states import Care, State

# As in test_interventions: withdrawal commoner than in the calibrated baseline, so a few
# thousand people hold enough cases for a programme's effect to show.
BUSY_RUN = {
    "population.youths": 3000,
    "run.burn_in_years": 10,
    "run.years": 5,
    "dynamics.progress_base": -6.66,
    "dynamics.narrow_entry_share": 0.5,
}


def test_an_effect_halves_with_each_half_life() -> None:
    share = remaining_share(np.array([0, 10, 20, 30]), 10.0)
    np.testing.assert_allclose(share, [1.0, 0.5, 0.25, 0.125])


def test_a_zero_half_life_ends_the_effect_with_participation() -> None:
    np.testing.assert_array_equal(remaining_share(np.array([0, 1, 50]), 0.0), [1.0, 0.0, 0.0])


def test_an_effect_is_gone_when_five_percent_is_left() -> None:
    weeks = weeks_until_gone(52.0)
    assert weeks == pytest.approx(52.0 * math.log2(20.0))
    assert remaining_share(np.array([weeks]), 52.0)[0] == pytest.approx(GONE_SHARE)
    assert gone_week(100, 52.0) == pytest.approx(100 + weeks)
    assert gone_week(None, 52.0) == 0.0


def test_no_programme_effect_lasts_for_life_by_default() -> None:
    for name, params in PARAMS.items():
        if name == "medical_exam":
            # Its one hazard effect is the hospital stay, which lasts hospital_weeks.
            assert params.model_fields["hospital_weeks"].default > 0
            continue
        half_life = params.model_fields["effect_half_life_weeks"].default
        assert 0 < half_life < MAX_HALF_LIFE_WEEKS, name
        assert "Source:" in params.model_fields["effect_half_life_weeks"].description


class Youths:
    """A hand-built population of one youth, in care and withdrawn."""

    def __init__(self) -> None:
        self.person_id = np.array([11])
        self.age_weeks = np.array([20 * 52])
        self.family = np.array([0])
        self.school = np.array([0])
        self.disorder = np.array([0])
        self.disorder_detected = np.array([False])
        self.internet_intensity = np.array([0.0])
        self.state = np.array([State.WITHDRAWN])
        self.track = np.array([0])
        self.care = np.array([Care.PSYCHOSOCIAL])

    def __len__(self) -> int:
        return 1


class Modifiers:
    """Records this week's hazard changes, neutral at the start of each week."""

    def __init__(self) -> None:
        self.exit = np.ones(1)
        self.onset = np.zeros(1)

    def add_logit(self, hazard: str, seats: np.ndarray, change: object) -> None:
        if hazard == "onset":
            self.onset[seats] += change

    def multiply(self, hazard: str, seats: np.ndarray, factor: object) -> None:
        if hazard == "exit":
            self.exit[seats] *= factor


class Kernel:
    """The narrow kernel interface over the hand-built youth."""

    def __init__(self) -> None:
        self.week = 0
        self.horizon_week = 0
        self.delivering = True
        self.youths = Youths()
        self.modifiers = Modifiers()

    @property
    def kernel_interface(self) -> Kernel:
        return self

    def mark_programme(self, seats: np.ndarray, bit: int) -> None:
        pass


def exit_multipliers(dropout: float, weeks: int, engaged_from: int) -> list[float]:
    """Run pet therapy (3-week course, exit x3, half-life 2 weeks) on the hand-built youth."""
    params = PARAMS["pet_therapy"](
        enabled=True,
        coverage=1.0,
        uptake=1.0,
        dropout=dropout,
        max_weeks=3,
        exit_multiplier=3.0,
        reentry_multiplier=1.0,
        care_dropout_multiplier=1.0,
        effect_half_life_weeks=2.0,
    )
    programme = REGISTRY["pet_therapy"](params, np.random.default_rng(0))
    kernel = Kernel()
    programme.setup(kernel)
    multipliers = []
    for week in range(weeks):
        kernel.week = kernel.horizon_week = week
        kernel.modifiers = Modifiers()
        if week == engaged_from:
            kernel.youths.state[0] = State.ENGAGED
        programme.apply(kernel)
        multipliers.append(float(kernel.modifiers.exit[0]))
    return multipliers


def test_a_completed_course_fades_with_its_half_life() -> None:
    multipliers = exit_multipliers(dropout=0.0, weeks=20, engaged_from=3)
    # Three weeks in full, then 1 + 2 x 0.5 ** (weeks since the last full week / 2).
    expected_after = [1.0 + 2.0 * 0.5 ** (k / 2.0) for k in range(1, 9)]
    np.testing.assert_allclose(multipliers[:3], [3.0, 3.0, 3.0])
    np.testing.assert_allclose(multipliers[3:11], expected_after)
    # Below 5% left (after 9 weeks, 0.5 ** 4.5 = 4.4%), the effect is gone altogether.
    np.testing.assert_allclose(multipliers[11:], 1.0)


def test_a_dropout_keeps_nothing() -> None:
    multipliers = exit_multipliers(dropout=1.0, weeks=4, engaged_from=1)
    assert multipliers == [3.0, 1.0, 1.0, 1.0]


def test_a_seat_that_turns_over_loses_the_former_participants_effect() -> None:
    params = PARAMS["pet_therapy"](
        enabled=True, coverage=1.0, uptake=1.0, dropout=0.0, max_weeks=1, exit_multiplier=3.0
    )
    programme = REGISTRY["pet_therapy"](params, np.random.default_rng(0))
    kernel = Kernel()
    programme.setup(kernel)
    programme.apply(kernel)
    kernel.week, kernel.youths.state[0] = 1, State.ENGAGED
    kernel.modifiers = Modifiers()
    programme.apply(kernel)
    assert kernel.modifiers.exit[0] > 1.0
    kernel.week, kernel.youths.person_id[0] = 2, 12
    kernel.modifiers = Modifiers()
    programme.apply(kernel)
    assert kernel.modifiers.exit[0] == 1.0


@pytest.fixture(scope="module")
def therapy_runs() -> dict[float, dict]:
    """Psychotherapy with its effect ending at once, and with a long half-life."""
    runs = {}
    for half_life in (0.0, 520.0):
        overrides = BUSY_RUN | {
            "interventions.psychotherapy.enabled": True,
            "interventions.psychotherapy.effect_half_life_weeks": half_life,
            # Reach enough people that former participants relapse within the run: at
            # the calibrated default reach, a town of 3,000 can have none whose
            # after-effect changes anything, and the two runs tie.
            "interventions.psychotherapy.coverage": 1.0,
            "interventions.psychotherapy.uptake": 0.2,
        }
        model = run_model(Scenario().with_overrides(overrides), seed=7)
        runs[half_life] = {
            "withdrawn": sum(r["withdrawn"] for r in model.weekly_records),
            "gone": model.extra_outcomes()["psychotherapy_effect_gone_week"],
            "weeks": len(model.weekly_records),
        }
    return runs


def test_a_lasting_effect_averts_more_withdrawal(therapy_runs: dict[float, dict]) -> None:
    # Common random numbers: the same people, the same draws; only the after-effect differs.
    assert therapy_runs[520.0]["withdrawn"] < therapy_runs[0.0]["withdrawn"]


def test_the_run_reports_when_the_effect_is_gone(therapy_runs: dict[float, dict]) -> None:
    for half_life, run in therapy_runs.items():
        last_full_week = run["gone"] - weeks_until_gone(half_life)
        # Therapy runs to the end of the horizon, so someone has it in full near the end.
        assert run["weeks"] - 5 <= last_full_week <= run["weeks"] - 1


def test_the_comparison_shows_when_a_scenarios_effects_are_gone() -> None:
    summaries = [
        {"psychotherapy_effect_gone_week": 520.0, "ei_training_effect_gone_week": 1040.0},
        {"psychotherapy_effect_gone_week": 780.0, "cost_total": 5e9},
    ]
    assert effects_gone_years(summaries) == pytest.approx(20.0)
    assert math.isnan(effects_gone_years([{"cost_total": 0.0}]))


def test_a_psa_draw_in_a_priors_far_tail_stays_within_the_allowed_range() -> None:
    key = "interventions.parenting_course.effect_half_life_weeks"
    priors = [prior for prior in load_priors(load_economics()) if prior.key == key]
    extreme = pd.DataFrame({key: [1.0 - 1e-9, 1e-9]})
    design = PsaDesign(extreme, pd.DataFrame(index=range(2)), np.zeros((2, 1)), priors)
    high = draw_scenario(Scenario(), design, 0).interventions.parenting_course
    low = draw_scenario(Scenario(), design, 1).interventions.parenting_course
    assert high.effect_half_life_weeks == MAX_HALF_LIFE_WEEKS
    assert 0.0 < low.effect_half_life_weeks < 520.0


def test_a_parenting_course_reaches_the_familys_youths_not_later_arrivals() -> None:
    overrides = BUSY_RUN | {
        "run.years": 12,
        "interventions.parenting_course.enabled": True,
        "interventions.parenting_course.targeting": "universal",
        "interventions.parenting_course.coverage": 1.0,
    }
    model = run_model(Scenario().with_overrides(overrides), seed=5)
    (course,) = model.interventions
    y = model.population.youths
    onset = model.kernel.modifiers.onset_logit
    done = (course.completed_week[y.family] >= 0) & ~course.attending[y.family]
    took_part = course.course_person == y.person_id
    # Twelve years on, seats have turned over: newcomers to a trained family get nothing.
    arrivals = np.flatnonzero(done & ~took_part)
    assert len(arrivals) > 0
    assert np.all(onset[arrivals] == 0.0)
    # Those who were there keep a faded share of the effect, never more than all of it.
    members = np.flatnonzero(done & took_part)
    assert len(members) > 0
    effect = course.params.onset_logit
    assert np.all(onset[members] <= 0.0) and np.all(onset[members] >= effect)
    assert np.any((onset[members] < 0.0) & (onset[members] > effect))
