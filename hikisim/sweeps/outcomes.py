"""Outcomes: the numbers a run reports, named by dotted ``summary.json`` keys."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from hikisim.metrics import summarize
from hikisim.scenario import Scenario
from hikisim.simulation import run_model

# A one-week run of a tiny population reports the same summary keys as a full run.
PROBE_OVERRIDES = {"population.youths": 100, "run.burn_in_years": 0, "run.years": 1 / 52}


def flatten_summary(summary: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """The numeric leaves of a summary, keyed by dotted names.

    Args:
        summary: A ``summary.json`` dict; nested objects become ``outer.inner`` keys.
        prefix: Prefix for the keys (used when recursing).

    Returns:
        Every number in the summary as a float, and NaN for a value the run reports
        as missing (None); strings and booleans are skipped.
    """
    flat: dict[str, float] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_summary(value, f"{name}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[name] = float(value)
        elif value is None:
            # Reported but not measurable in this run (a target whose survey date the run
            # does not reach): the key exists, its value is missing.
            flat[name] = math.nan
    return flat


def select_outcomes(summary: Mapping[str, Any], names: Iterable[str]) -> dict[str, float]:
    """The chosen outcomes of one run; an outcome the run did not report is NaN.

    Args:
        summary: The run's summary.
        names: Dotted outcome names.

    Returns:
        One float per name.
    """
    flat = flatten_summary(summary)
    return {name: flat.get(name, math.nan) for name in names}


def available_outcomes(scenarios: Iterable[Scenario]) -> set[str]:
    """Outcome names that the given scenarios report, found by tiny probe runs.

    Args:
        scenarios: Scenarios to probe; their population and horizon are shrunk.

    Returns:
        The union of the dotted numeric summary keys.
    """
    names: set[str] = set()
    for scenario in scenarios:
        model = run_model(scenario.with_overrides(PROBE_OVERRIDES), seed=0)
        names.update(flatten_summary(summarize(model)))
    return names
