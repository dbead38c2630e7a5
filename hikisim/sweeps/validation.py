"""Checking an experiment against its design, before anything is written.

A parameter value can be fine on its own field and still make an impossible scenario
next to the other parameters' values (two shares that add up past 1), and an outcome
can exist at some design points only (the cost of a programme that a grid switches on).
So every design point is applied to the base scenario exactly as its runs will be, and
outcomes are checked against what the points report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hikisim.errors import InputError
from hikisim.scenario import Scenario, _unknown_key_message
from hikisim.sweeps.designs import Design, build_design
from hikisim.sweeps.experiment import (
    RESERVED_OUTCOMES,
    Experiment,
    check_settings,
    read_experiment,
)
from hikisim.sweeps.outcomes import available_outcomes

# Significant digits of sampled values in messages: enough to tell points apart.
VALUE_DIGITS = 6


def load_experiment(path: str | Path) -> Experiment:
    """Load and fully validate an experiment file.

    Args:
        path: The TOML experiment file.

    Returns:
        The validated Experiment, with its scenario path resolved against the file's
        directory.

    Raises:
        InputError: If anything in the file is invalid, naming the file and field.
    """
    experiment = read_experiment(path)
    check_experiment(experiment, str(path))
    return experiment


def check_experiment(experiment: Experiment, source: str) -> tuple[Scenario, Design]:
    """Check everything that spans fields or needs the scenario or the design.

    Args:
        experiment: A parsed experiment.
        source: The experiment file, for error messages.

    Returns:
        The base scenario and the design.

    Raises:
        InputError: On the first problem found; an invalid design point is reported as
            ``parameters: point N (key=value, ...): what is wrong``.
    """
    base = check_settings(experiment, source)
    design = build_design(experiment)
    probes = check_points(base, design, source)
    check_outcomes(experiment, probes, source)
    return base, design


def check_points(base: Scenario, design: Design, source: str) -> list[Scenario]:
    """Apply every design point to the base scenario, as the runner does.

    Args:
        base: The base scenario (scenario file plus ``[set]``).
        design: The design.
        source: The experiment file, for error messages.

    Returns:
        One point's scenario for each distinct set of programmes switched on, which is
        what decides the summary's keys (see :func:`check_outcomes`).

    Raises:
        InputError: Naming the first invalid point, its values, what is wrong and how
            many points are invalid.
    """
    probes: dict[tuple[str, ...], Scenario] = {}
    invalid: list[tuple[int, InputError]] = []
    for row, point in enumerate(design.points):
        try:
            # The runner's own step (hikisim.sweeps.runner.execute_run).
            scenario = base.with_overrides(point, source="")
        except InputError as error:
            invalid.append((row, error))
            continue
        probes.setdefault(tuple(scenario.enabled_interventions()), scenario)
    if invalid:
        row, error = invalid[0]
        more = f"; {len(invalid)} of {design.rows} points are invalid" if len(invalid) > 1 else ""
        values = ", ".join(f"{key}={_show(value)}" for key, value in design.points[row].items())
        raise InputError(f"point {row} ({values}): {error}{more}", source, "parameters")
    return list(probes.values())


def check_outcomes(experiment: Experiment, probes: list[Scenario], source: str) -> None:
    """Check that every outcome is reported by at least one design point.

    An outcome reported by some points only (a programme's cost, where a grid switches
    the programme on) is NaN at the others.

    Args:
        experiment: The experiment.
        probes: Scenarios that between them report every key the points report.
        source: The experiment file, for error messages.

    Raises:
        InputError: Naming the first unknown outcome and the known ones.
    """
    known = available_outcomes(probes) - RESERVED_OUTCOMES
    for name in experiment.outcomes:
        if name not in known:
            raise InputError(_unknown_key_message(name, sorted(known)), source, "outcomes")


def _show(value: Any) -> str:
    """A point's value as the experiment file writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.{VALUE_DIGITS}g}"
    return repr(value) if isinstance(value, str) else str(value)
