"""The per-run function that every executor runs, locally or on a Dask worker.

It never raises: a run that fails comes back as a record with ``status = "failed"`` and
the error, so the sweep can decide whether to retry it (:func:`worth_retrying`).
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from hikisim.errors import InputError
from hikisim.metrics import summarize
from hikisim.scenario import Scenario
from hikisim.simulation import run_model
from hikisim.sweeps.outcomes import select_outcomes
from hikisim.targets import Target

#: A simulator takes a scenario and a seed and returns the run's summary and its weekly
#: records (one dict per horizon week).
Simulator = Callable[[Scenario, int], tuple[dict[str, Any], Sequence[dict[str, float]]]]

WEEKLY_PREFIX = "weekly."
# How a failed record's error starts when the run was refused as bad input.
INPUT_ERROR_PREFIX = f"{InputError.__name__}: "


def simulate_run(
    scenario: Scenario, seed: int, targets: Mapping[str, Target] | None = None
) -> tuple[dict[str, Any], Sequence[dict[str, float]]]:
    """The default simulator: run the model and return its summary and weekly records.

    Args:
        scenario: The scenario.
        seed: The seed.
        targets: Published figures to measure instead of the packaged ones (a
            calibration against another targets file binds them with
            :func:`functools.partial`).

    Returns:
        The run's summary and weekly records.
    """
    model = run_model(scenario, seed, targets=targets)
    return summarize(model), model.weekly_records


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one attempt at one run.

    Attributes:
        run_id: The run's id.
        point: Its design row.
        replicate: Its replicate.
        seed: Its seed.
        parameters: The varied parameters' values, applied as dotted overrides.
        base: The base scenario, as plain data so any worker can rebuild it.
        outcomes: Outcome names to record.
        weekly: Weekly series to record.
        attempt: 1 for the first attempt, 2 for the first retry, and so on.
    """

    run_id: str
    point: int
    replicate: int
    seed: int
    parameters: dict[str, Any]
    base: dict[str, Any]
    outcomes: tuple[str, ...]
    weekly: tuple[str, ...] = ()
    attempt: int = 1

    def retry(self) -> RunTask:
        """The same run, one attempt later."""
        return replace(self, attempt=self.attempt + 1)


def execute_run(task: RunTask, simulator: Simulator | None = None) -> dict[str, Any]:
    """Run one simulation and return its record; failures are caught and recorded.

    Args:
        task: The run.
        simulator: Replaces :func:`simulate_run`, for example to wrap the model.

    Returns:
        A flat record: ids, parameters, outcomes, weekly series (as lists), ``status``,
        ``error``, ``attempts`` and ``elapsed_s``.
    """
    simulator = simulator or simulate_run
    started = time.perf_counter()
    try:
        scenario = Scenario.model_validate(task.base).with_overrides(task.parameters)
        summary, weekly_records = simulator(scenario, task.seed)
        outcomes = select_outcomes(summary, task.outcomes)
        series = {
            f"{WEEKLY_PREFIX}{name}": [float(record[name]) for record in weekly_records]
            for name in task.weekly
        }
        status, error, trace = "ok", None, None
    except Exception as exc:  # the sweep records any failure and goes on
        outcomes = dict.fromkeys(task.outcomes, math.nan)
        series = {f"{WEEKLY_PREFIX}{name}": [] for name in task.weekly}
        status, error, trace = "failed", _error_text(exc), traceback.format_exc()
    return make_record(task, outcomes, series, status, error, trace, started)


def _error_text(exc: Exception) -> str:
    # Bad input is named by the base type whatever the subclass, so that the driver can
    # tell that the same input would fail again (worth_retrying).
    kind = InputError if isinstance(exc, InputError) else type(exc)
    return f"{kind.__name__}: {exc}"


def make_record(
    task: RunTask,
    outcomes: dict[str, float],
    series: dict[str, list[float]],
    status: str,
    error: str | None,
    trace: str | None,
    started: float,
) -> dict[str, Any]:
    """Assemble a run's flat record."""
    return {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        **task.parameters,
        **outcomes,
        **series,
        "status": status,
        "error": error,
        "traceback": trace,
        "attempts": task.attempt,
        "elapsed_s": time.perf_counter() - started,
    }


def failed_record(task: RunTask, error: BaseException) -> dict[str, Any]:
    """The record of a run whose worker died or could not be reached.

    Args:
        task: The run.
        error: What the executor raised instead of returning the record.

    Returns:
        A failed record.
    """
    outcomes = dict.fromkeys(task.outcomes, math.nan)
    series: dict[str, list[float]] = {f"{WEEKLY_PREFIX}{name}": [] for name in task.weekly}
    message = f"{type(error).__name__}: {error}".rstrip(": ")
    return make_record(task, outcomes, series, "failed", message, None, time.perf_counter())


def worth_retrying(record: dict[str, Any]) -> bool:
    """Whether a failed run might succeed if tried again.

    Bad input (an :class:`~hikisim.errors.InputError`, such as settings that contradict
    each other) fails the same way every time; a crash, a lost worker or a full disk
    may not.

    Args:
        record: A failed run's record.

    Returns:
        False if the run was refused as bad input, True otherwise.
    """
    return not str(record.get("error") or "").startswith(INPUT_ERROR_PREFIX)
