"""Hand-built run results for the comparison's tests (no model is run)."""

from __future__ import annotations

import numpy as np

from hikisim.compare import RunResult
from hikisim.economics.outcomes import WEEKLY_INPUTS


def fake_result(scenario: str, replicate: int, person_years: float, cost: float) -> RunResult:
    """A run of ``scenario`` with the given person-years withdrawn and cost, else flat."""
    summary = {
        "prevalence_15_39": 0.01,
        "person_years_withdrawn": person_years,
        "new_cases": 10,
        "cost_total": cost,
    }
    weekly = {name: np.zeros(3) for name in WEEKLY_INPUTS} | {"engaged": np.full(3, 100.0)}
    return RunResult(scenario, replicate, 100 + replicate, summary, np.zeros(3), weekly)
