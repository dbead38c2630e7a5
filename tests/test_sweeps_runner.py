"""The per-run function, and the small simulators the sweep tests run in workers.

This module imports only what a worker needs, because spawned workers import it to
unpickle the simulators: keeping it light keeps the sweep tests fast.
"""

from __future__ import annotations

import functools
import math
import os
from pathlib import Path
from typing import Any

from hikisim.errors import InputError
from hikisim.scenario import Scenario
from hikisim.sweeps.executors import ExecutorLostError
from hikisim.sweeps.runner import RunTask, execute_run, worth_retrying

WEEKS = 5


def linear_simulator(scenario: Scenario, seed: int) -> tuple[dict[str, Any], list[dict]]:
    """prevalence = 3 * neglect_weight; person-years depend on nothing varied."""
    value = 3.0 * scenario.family.neglect_weight
    summary = {
        "prevalence_15_39": value,
        "person_years_withdrawn": 7.0,
        "duration_share": {"1-3": 0.25},
        "seed": seed,
    }
    weekly = [{"prevalence_15_39": value * week} for week in range(WEEKS)]
    return summary, weekly


def counting_simulator(log: Path, scenario: Scenario, seed: int) -> tuple[dict[str, Any], list]:
    """Appends one line per call to ``log`` (appends are atomic across processes)."""
    with log.open("a") as handle:
        handle.write(f"{scenario.family.neglect_weight} {seed}\n")
    return linear_simulator(scenario, seed)


def failing_simulator(scenario: Scenario, seed: int) -> tuple[dict[str, Any], list]:
    """Raises for neglect weights near 0.3, like a model bug in one corner of the design."""
    if 0.25 < scenario.family.neglect_weight < 0.35:
        raise ValueError("injected failure at neglect_weight 0.3")
    return linear_simulator(scenario, seed)


def flaky_simulator(markers: Path, scenario: Scenario, seed: int) -> tuple[dict[str, Any], list]:
    """Fails the first attempt at every run, then succeeds."""
    marker = markers / f"{scenario.family.neglect_weight}-{seed}"
    if not marker.exists():
        marker.touch()
        raise RuntimeError("transient failure")
    return linear_simulator(scenario, seed)


def refusing_simulator(log: Path, scenario: Scenario, seed: int) -> tuple[dict[str, Any], list]:
    """Refuses neglect weights near 0.3 as bad input, logging every call."""
    with log.open("a") as handle:
        handle.write(f"{scenario.family.neglect_weight} {seed}\n")
    if 0.25 < scenario.family.neglect_weight < 0.35:
        raise InputError("injected refusal", "model", "family.neglect_weight")
    return linear_simulator(scenario, seed)


def dying_simulator(markers: Path, scenario: Scenario, seed: int) -> tuple[dict[str, Any], list]:
    """Kills its worker process once, at neglect weight 0.2."""
    marker = markers / "died"
    if scenario.family.neglect_weight == 0.2 and not marker.exists():
        marker.touch()
        os._exit(1)  # the worker process dies without a word
    return linear_simulator(scenario, seed)


def task(**changes: Any) -> RunTask:
    fields: dict[str, Any] = {
        "run_id": "abc",
        "point": 3,
        "replicate": 1,
        "seed": 99,
        "parameters": {"family.neglect_weight": 0.2},
        "base": Scenario().model_dump(),
        "outcomes": ("prevalence_15_39", "duration_share.1-3"),
        "weekly": ("prevalence_15_39",),
    }
    return RunTask(**(fields | changes))


def test_ok_record_holds_ids_parameters_outcomes_and_series() -> None:
    record = execute_run(task(), linear_simulator)
    assert record["status"] == "ok" and record["error"] is None
    assert (record["run_id"], record["point"], record["replicate"], record["seed"]) == (
        "abc",
        3,
        1,
        99,
    )
    assert record["family.neglect_weight"] == 0.2
    assert record["prevalence_15_39"] == 3.0 * 0.2
    assert record["duration_share.1-3"] == 0.25
    assert record["weekly.prevalence_15_39"] == [3.0 * 0.2 * week for week in range(WEEKS)]
    assert record["attempts"] == 1 and record["elapsed_s"] >= 0


def test_parameters_reach_the_scenario_the_simulator_sees() -> None:
    record = execute_run(task(parameters={"family.neglect_weight": 0.7}), linear_simulator)
    assert record["prevalence_15_39"] == 3.0 * 0.7


def test_outcome_a_run_does_not_report_is_nan() -> None:
    record = execute_run(task(outcomes=("cost_by_intervention.home_visits",)), linear_simulator)
    assert record["status"] == "ok"
    assert math.isnan(record["cost_by_intervention.home_visits"])


def test_failure_is_caught_and_recorded_with_its_attempt() -> None:
    failing = task(parameters={"family.neglect_weight": 0.3}).retry().retry()
    record = execute_run(failing, failing_simulator)
    assert record["status"] == "failed"
    assert record["error"] == "ValueError: injected failure at neglect_weight 0.3"
    assert "failing_simulator" in record["traceback"]
    assert math.isnan(record["prevalence_15_39"])
    assert record["weekly.prevalence_15_39"] == []
    assert record["attempts"] == 3


def test_bad_input_is_recorded_as_not_worth_retrying(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    refused = execute_run(
        task(parameters={"family.neglect_weight": 0.3}),
        functools.partial(refusing_simulator, log),
    )
    assert refused["status"] == "failed"
    assert refused["error"] == "InputError: model: family.neglect_weight: injected refusal"
    assert not worth_retrying(refused)
    crashed = execute_run(task(parameters={"family.neglect_weight": 0.3}), failing_simulator)
    assert worth_retrying(crashed)


def test_input_error_subclasses_are_named_as_bad_input() -> None:
    def lost(scenario: Scenario, seed: int) -> tuple[dict[str, Any], list]:
        raise ExecutorLostError("gone")

    record = execute_run(task(), lost)
    assert record["error"] == "InputError: gone" and not worth_retrying(record)


def test_contradictory_parameters_fail_as_bad_input() -> None:
    # What the sweep's checks refuse up front; a run that gets here anyway is not retried.
    shares = {"family.neglect_share": 0.7, "family.overprotection_share": 0.7}
    record = execute_run(task(parameters=shares), linear_simulator)
    assert record["error"].startswith("InputError: ") and "add up to 1.4" in record["error"]
    assert not worth_retrying(record)


def test_default_simulator_runs_the_model(tiny_overrides: dict[str, Any]) -> None:
    base = Scenario().with_overrides(tiny_overrides).model_dump()
    first = execute_run(task(base=base))
    again = execute_run(task(base=base))
    assert first["status"] == "ok", first["error"]
    assert 0.0 <= first["prevalence_15_39"] <= 1.0
    assert len(first["weekly.prevalence_15_39"]) == 52
    assert first["prevalence_15_39"] == again["prevalence_15_39"]
