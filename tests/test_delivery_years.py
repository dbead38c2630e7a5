"""run.delivery_years: programmes stop taking participants, and their effects outlast them."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from test_interventions import EFFECT_OVERRIDES, EFFECT_SEED, MISSION_PROGRAMMES

from hikisim.compare import settings_differences
from hikisim.model import HikiModel, shares_burn_in, without_programmes
from hikisim.programmes import MedicalExam, Programme
from hikisim.programmes.ei_training import EmotionalTraining
from hikisim.programmes.parenting_course import ParentingCourse
from hikisim.scenario import Scenario
from hikisim.simulation import run_model
from hikisim.states import WEEKS_PER_YEAR

HORIZON_YEARS = 3
DELIVERY_YEARS = 1
DELIVERY_WEEKS = DELIVERY_YEARS * WEEKS_PER_YEAR


def scenario(**extra: object) -> Scenario:
    switches = {f"interventions.{name}.enabled": True for name in sorted(MISSION_PROGRAMMES)}
    return Scenario().with_overrides(
        EFFECT_OVERRIDES | switches | {"run.years": HORIZON_YEARS} | extra
    )


def participants(model: HikiModel) -> dict[str, np.ndarray]:
    """Who is in each programme now (seats; families for the parenting course)."""
    held = {}
    for programme in model.interventions:
        if isinstance(programme, Programme):
            held[programme.name] = np.flatnonzero(programme.enrolled)
        elif isinstance(programme, ParentingCourse):
            held[programme.name] = np.flatnonzero(programme.attending)
    return held


@pytest.fixture(scope="module")
def weeks_after_delivery() -> list[tuple[dict[str, np.ndarray], dict[str, float], HikiModel]]:
    """Each horizon week from the last week of delivery: participants, exams, the model."""
    model = HikiModel(scenario(**{"run.delivery_years": DELIVERY_YEARS}), seed=EFFECT_SEED)
    while model.horizon_week < DELIVERY_WEEKS - 1:
        model.step()
    weeks = []
    while not model.finished:
        exam = next(p for p in model.interventions if isinstance(p, MedicalExam))
        weeks.append(
            (
                participants(model),
                {"exams": exam.participant_weeks, "hospital": exam.hospital_weeks},
                model,
            )
        )
        model.step()
    return weeks


def test_nobody_starts_a_programme_after_the_delivery_years(weeks_after_delivery) -> None:
    # The first entry is before the last delivery week, in which people may start; from
    # then on each week's participants are among the last week's: people only leave.
    for (before, _, _), (after, _, _) in itertools.pairwise(weeks_after_delivery[1:]):
        for name, seats in after.items():
            assert np.isin(seats, before[name]).all(), name
    first, _, _ = weeks_after_delivery[0]
    # The programmes were running (the test would pass vacuously otherwise) ...
    assert sum(len(seats) for seats in first.values()) > 0
    # ... and three years are long enough for every course to end.
    last, _, _ = weeks_after_delivery[-1]
    assert all(len(seats) == 0 for seats in last.values()), last


def test_the_exam_stops_and_hospital_stays_run_their_course(weeks_after_delivery) -> None:
    exams = [counts["exams"] for _, counts, _ in weeks_after_delivery]
    # The delivery year examined people; no week after the last delivery week does.
    assert exams[0] > 0
    assert exams[1:] == [exams[1]] * len(exams[1:])
    hospital = [counts["hospital"] for _, counts, _ in weeks_after_delivery]
    assert hospital == sorted(hospital)


def test_schools_stop_training_and_the_effect_fades(weeks_after_delivery) -> None:
    *_, model = weeks_after_delivery[-1]
    training = next(p for p in model.interventions if isinstance(p, EmotionalTraining))
    assert not model.population.schools.ei_training.any()
    assert (training.last_trained_week < model.week - 1).all()
    # The parenting course's 10-year half-life outlasts two years without delivery: the
    # families that took it still lower their youths' onset logit.
    assert model.kernel.modifiers.onset_logit.min() < 0.0


def test_costs_stop_growing_once_the_last_participants_finish() -> None:
    delivered = run_model(scenario(**{"run.delivery_years": DELIVERY_YEARS}), seed=EFFECT_SEED)
    always = run_model(scenario(), seed=EFFECT_SEED)
    weekly = [record["cost"] for record in delivered.weekly_records]
    # Everyone has finished by the last year, which costs nothing.
    assert sum(weekly[-WEEKS_PER_YEAR:]) == 0.0
    assert sum(weekly[:DELIVERY_WEEKS]) > 0.0
    assert delivered.intervention_cost() < always.intervention_cost()


def test_delivering_through_the_horizon_is_the_default() -> None:
    # Delivery that lasts as long as the horizon changes nothing: the same draws, the
    # same records as the default (delivery to the end of any horizon).
    default = run_model(scenario(), seed=EFFECT_SEED)
    whole = run_model(scenario(**{"run.delivery_years": HORIZON_YEARS}), seed=EFFECT_SEED)
    assert whole.weekly_records == default.weekly_records


def test_the_first_delivery_years_run_as_without_an_end() -> None:
    default = run_model(scenario(), seed=EFFECT_SEED)
    delivered = run_model(scenario(**{"run.delivery_years": DELIVERY_YEARS}), seed=EFFECT_SEED)
    # A week's record counts its programmes' cost, so the first week without delivery
    # is the first to differ.
    same = DELIVERY_WEEKS
    assert delivered.weekly_records[:same] == default.weekly_records[:same]
    assert delivered.weekly_records[same]["cost"] < default.weekly_records[same]["cost"]


def test_former_participants_keep_their_effects_after_delivery(weeks_after_delivery) -> None:
    *_, model = weeks_after_delivery[-1]
    # Online therapy's effects have a four-year half-life: two years after the last
    # course started, former participants still leave faster.
    online = next(p for p in model.interventions if p.name == "online_therapy")
    assert (online.left_week >= 0).any()
    assert model.kernel.modifiers.exit_multiplier.max() > 1.0


def test_scenarios_that_differ_in_delivery_years_share_the_burn_in() -> None:
    short = scenario(**{"run.delivery_years": DELIVERY_YEARS})
    assert shares_burn_in(scenario(), short)
    assert settings_differences(scenario(), short) == []
    trunk = HikiModel(without_programmes(scenario()), seed=EFFECT_SEED)
    while trunk.week < trunk.horizon_start:
        trunk.step()
    forked = trunk.fork(short)
    forked.run()
    assert forked.weekly_records == run_model(short, seed=EFFECT_SEED).weekly_records
