"""Shared fixtures: a tiny scenario that runs in well under a second, and its finished model."""

from __future__ import annotations

from typing import Any

import pytest

from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.simulation import run_model

TINY_OVERRIDES: dict[str, Any] = {
    "population.youths": 300,
    "run.burn_in_years": 2,
    "run.years": 1,
}
TINY_SEED = 12345

# Every key design section 4 promises in summary.json.
CONTRACT_KEYS = {
    "prevalence_15_39",
    "lifetime_prevalence_15_39",
    "school_refusal_rate",
    "secondary_share",
    "male_share",
    "duration_share",
    "onset_age_share",
    "mean_episode_years",
    "treated_share",
    "cost_total",
    "person_years_withdrawn",
    "scenario",
    "seed",
    "version",
}


@pytest.fixture
def tiny_overrides() -> dict[str, Any]:
    """Dotted overrides that shrink the baseline to the tiny scenario."""
    return dict(TINY_OVERRIDES)


@pytest.fixture
def tiny_seed() -> int:
    """The seed of ``tiny_model`` and ``finished_tiny_model``."""
    return TINY_SEED


@pytest.fixture
def tiny_scenario() -> Scenario:
    """The embedded baseline shrunk to 300 youths, 2 years of burn-in and a 1-year horizon."""
    return Scenario().with_overrides(TINY_OVERRIDES)


@pytest.fixture
def tiny_model(tiny_scenario: Scenario) -> HikiModel:
    """A freshly built, not yet stepped, tiny model (safe to mutate)."""
    return HikiModel(tiny_scenario, seed=TINY_SEED)


@pytest.fixture(scope="session")
def finished_tiny_model() -> HikiModel:
    """A tiny model run to the end of its horizon. Shared: treat as read-only."""
    return run_model(Scenario().with_overrides(TINY_OVERRIDES), seed=TINY_SEED)
