"""A hand-solvable case: with constant hazards the kernel is a four-state Markov chain.

Switch off peers, interventions, aging, care and every trait, family, school and
sociocultural weight. Each youth then moves independently through

    ENGAGED -> AT_RISK                  p1 = sigmoid(onset_base)
    AT_RISK -> WITHDRAWN | ENGAGED      p2 = sigmoid(progress_base), p3 = sigmoid(resolve_base)
    WITHDRAWN -> RECOVERING             p4 = exit_base
    RECOVERING -> WITHDRAWN | ENGAGED   p5 = relapse_rate, p6 = reentry_base

whose long-run state shares solve pi P = pi. The simulated shares must match them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR, State

YOUTHS = 3_000
BURN_IN_YEARS = 3
HORIZON_WEEKS = 4 * WEEKS_PER_YEAR

NEUTRAL: dict[str, Any] = {
    "population.youths": YOUTHS,
    "population.aging": False,
    "run.burn_in_years": BURN_IN_YEARS,
    "run.years": HORIZON_WEEKS / WEEKS_PER_YEAR,
    # Peers and age.
    "dynamics.peer_weight": 0.0,
    "dynamics.age_bump": 0.0,
    # Constant exit and re-entry hazards.
    "dynamics.duration_decline": 0.0,
    "dynamics.years_lost_slowdown": 0.0,
    "dynamics.internet_addiction_weight": 0.0,
    "dynamics.sleep_reversal_weight": 0.0,
    "dynamics.internet_exit_multiplier": 1.0,
    "dynamics.internet_reentry_multiplier": 1.0,
    "dynamics.sleep_exit_multiplier": 1.0,
    "dynamics.sleep_reentry_multiplier": 1.0,
    # No depression during withdrawal, no refusal history term, no work misfit.
    "individual.depression_onset_rate": 0.0,
    "school.refusal_history_weight": 0.0,
    "labour.misfit_years": 0.0,
    # No disorders, so no disorder terms in any hazard.
    "individual.schizophrenia_prevalence": 0.0,
    "individual.social_anxiety_prevalence": 0.0,
    "individual.depression_prevalence": 0.0,
    "individual.autism_prevalence": 0.0,
    "individual.avoidant_personality_prevalence": 0.0,
    "individual.introversion_weight": 0.0,
    "individual.trauma_weight": 0.0,
    "individual.male_weight": 0.0,
    "family.neglect_weight": 0.0,
    "family.overprotection_weight": 0.0,
    "family.expectation_gap_weight": 0.0,
    # Nobody seeks help, so nobody enters care (no care bonus, multiplier or relapse halving).
    "family.never_seek_share": 1.0,
    "school.climate_weight": 0.0,
    "school.pressure_weight": 0.0,
    "school.pupil_risk": 0.0,
    "school.neither_weight": 0.0,
    "school.refusal_progress_weight": 0.0,
    "society.urbanization_weight": 0.0,
    "society.cohesion_weight": 0.0,
    "society.internet_weight": 0.0,
    # No calendar drivers and one exit hazard for both severities.
    "society.internet_effect": 0.0,
    "society.covid_effect": 0.0,
    "dynamics.narrow_exit_multiplier": 1.0,
}

RATES = [
    {
        "dynamics.onset_base": -3.0,
        "dynamics.progress_base": -2.0,
        "dynamics.resolve_base": -1.5,
        "dynamics.exit_base": 0.08,
        "dynamics.relapse_rate": 0.04,
        "dynamics.reentry_base": 0.12,
    },
    {
        "dynamics.onset_base": -4.0,
        "dynamics.progress_base": -1.0,
        "dynamics.resolve_base": -2.5,
        "dynamics.exit_base": 0.05,
        "dynamics.relapse_rate": 0.10,
        "dynamics.reentry_base": 0.20,
    },
]


def logistic(x: float) -> float:
    return 1.0 / (1.0 + np.exp(-x))


def transition_matrix(scenario: Scenario) -> np.ndarray:
    """The weekly transition matrix, rows and columns in State order."""
    dyn = scenario.dynamics
    p1 = logistic(dyn.onset_base)
    p2, p3 = logistic(dyn.progress_base), logistic(dyn.resolve_base)
    p4 = dyn.exit_base
    p5, p6 = dyn.relapse_rate, dyn.reentry_base
    e, a, w, r = State.ENGAGED, State.AT_RISK, State.WITHDRAWN, State.RECOVERING
    matrix = np.zeros((4, 4))
    matrix[e, a], matrix[e, e] = p1, 1 - p1
    matrix[a, w], matrix[a, e], matrix[a, a] = p2, p3, 1 - p2 - p3
    matrix[w, r], matrix[w, w] = p4, 1 - p4
    matrix[r, w], matrix[r, e], matrix[r, r] = p5, p6, 1 - p5 - p6
    assert np.allclose(matrix.sum(axis=1), 1.0)
    return matrix


def stationary(matrix: np.ndarray) -> np.ndarray:
    """Solve pi (P - I) = 0 with sum(pi) = 1."""
    system = np.vstack([(matrix - np.eye(4)).T, np.ones(4)])
    target = np.r_[np.zeros(4), 1.0]
    pi, *_ = np.linalg.lstsq(system, target, rcond=None)
    return pi


def expected_window_shares(matrix: np.ndarray, start: int, weeks: int) -> np.ndarray:
    """Exact mean state distribution over weeks start+1 .. start+weeks, everyone engaged at 0."""
    distribution = np.zeros(4)
    distribution[State.ENGAGED] = 1.0
    distribution = distribution @ np.linalg.matrix_power(matrix, start)
    total = np.zeros(4)
    for _ in range(weeks):
        distribution = distribution @ matrix
        total += distribution
    return total / weeks


def test_stationary_solution_by_hand() -> None:
    """The linear-algebra solution agrees with the balance equations solved by hand."""
    scenario = Scenario().with_overrides({**NEUTRAL, **RATES[0]})
    matrix = transition_matrix(scenario)
    pi = stationary(matrix)
    p1, p2, p3 = matrix[0, 1], matrix[1, 2], matrix[1, 0]
    p4, p5, p6 = matrix[2, 3], matrix[3, 2], matrix[3, 0]
    # Balance: flow into AT_RISK = out of it; WITHDRAWN <-> RECOVERING; then normalise.
    at_risk = p1 / (p2 + p3)  # relative to engaged = 1
    recovering_per_withdrawn = p4 / (p5 + p6)
    # Withdrawn inflow p2*A + p5*R equals outflow p4*W, with R = W * p4/(p5+p6).
    withdrawn = p2 * at_risk / (p4 - p5 * recovering_per_withdrawn)
    recovering = withdrawn * recovering_per_withdrawn
    by_hand = np.array([1.0, at_risk, withdrawn, recovering])
    by_hand /= by_hand.sum()
    assert pi == pytest.approx(by_hand, rel=1e-9)


@pytest.mark.parametrize("rates", RATES, ids=["moderate", "relapsing"])
def test_long_run_shares_match_the_closed_form(rates: dict[str, float]) -> None:
    scenario = Scenario().with_overrides({**NEUTRAL, **rates})
    model = HikiModel(scenario, seed=20261125)
    kernel = model.kernel
    # The neutralised model really has constant hazards.
    assert np.all(kernel.static_onset == np.float32(scenario.dynamics.onset_base))
    assert not kernel.age_logit.any()
    assert model.interventions == []

    while model.week < model.horizon_start:
        model.step()
    occupancy = np.zeros((YOUTHS, 4))
    rows = np.arange(YOUTHS)
    while not model.finished:
        model.step()
        occupancy[rows, model.population.youths.state] += 1
    assert not model.population.youths.care.any()

    per_youth = occupancy / HORIZON_WEEKS
    simulated = per_youth.mean(axis=0)
    # Youths are independent here, so their time-averaged shares are i.i.d.
    standard_error = per_youth.std(axis=0, ddof=1) / np.sqrt(YOUTHS)

    matrix = transition_matrix(scenario)
    pi = stationary(matrix)
    expected = expected_window_shares(matrix, model.horizon_start, HORIZON_WEEKS)
    # The burn-in is long enough that the window is at steady state...
    assert expected == pytest.approx(pi, abs=1e-3)
    # ...and the simulation matches the chain within sampling error.
    assert np.all(np.abs(simulated - expected) < 4.5 * standard_error + 1e-4), (
        simulated,
        expected,
        standard_error,
    )
    # The weekly records count the same states.
    records = model.weekly_records
    withdrawn_share = np.mean([r["withdrawn"] for r in records]) / YOUTHS
    assert withdrawn_share == pytest.approx(simulated[State.WITHDRAWN], abs=1e-9)
