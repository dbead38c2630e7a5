"""Model runs of a calibration: design points through the executor into a resumable store.

A batch of runs (one history-matching wave, or the posterior-predictive check) is a
sweep directory (:class:`~hikisim.sweeps.storage.SweepStore`): a manifest naming its
points and seeds, and one Parquet file per finished run, written by the driver as each
run lands. Run again after an interruption, a batch skips the runs it holds, so no
finished run is lost or repeated; only runs in flight at the interruption are redone.

Every design point is run once per measurement group (the calibrated scenario, and the
larger town some targets need), all with the point's seed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hikisim import __version__
from hikisim.bayes.problem import CalibrationProblem, group_overrides
from hikisim.scenario import Scenario
from hikisim.sweeps.driver import SweepTally, drive
from hikisim.sweeps.executors import Executor, RunFunction
from hikisim.sweeps.plan import derive_seed
from hikisim.sweeps.runner import RunTask, Simulator, execute_run, simulate_run
from hikisim.sweeps.storage import (
    FORMAT,
    SweepStore,
    load_results,
    model_source_hash,
)
from hikisim.targets import Target

OUTCOME_PREFIX = "targets."
MAX_RETRIES = 1


def run_function(
    targets: Mapping[str, Target] | None, simulator: Simulator | None = None
) -> RunFunction:
    """The per-run function.

    Args:
        targets: A targets file's figures to measure, or None for the packaged ones.
        simulator: Replaces the model (tests use closed forms); ``targets`` is then
            ignored.

    Returns:
        A function of a :class:`~hikisim.sweeps.runner.RunTask`.
    """
    if simulator is not None:
        return functools.partial(execute_run, simulator=simulator)
    if targets is None:
        return execute_run
    return functools.partial(
        execute_run, simulator=functools.partial(simulate_run, targets=dict(targets))
    )


def batch_manifest(
    kind: str,
    problem: CalibrationProblem,
    base: Scenario,
    unit_points: np.ndarray,
    seed: int,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest of a batch: what fixes its runs, hashed so a resume can check it.

    Args:
        kind: ``wave-1``, ``wave-2``, ... or ``predictive``.
        problem: The calibration problem.
        base: The calibrated scenario.
        unit_points: The design points on the unit cube, one row each.
        seed: The batch's base seed; point ``i`` runs with ``derive_seed(seed, i)``.
        extra: More JSON-compatible facts to record (not hashed).

    Returns:
        JSON-compatible data.
    """
    spec = {
        "kind": kind,
        "parameters": problem.keys,
        "targets": {
            name: [
                target.value,
                list(target.tolerance),
                target.date,
                list(target.ages),
                target.definition,
                target.n,
            ]
            for name, target in problem.targets.items()
        },
        "groups": [
            [g.name, dict(g.overrides), g.population_factor, list(g.targets)]
            for g in problem.groups
        ],
        "base": unfitted_base(base, problem.keys),
        "points": np.asarray(unit_points, dtype=float).round(12).tolist(),
        "seed": seed,
    }
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "format": FORMAT,
        "name": f"calibration-{kind}",
        "experiment_hash": digest,
        "experiment": spec,
        "model_version": __version__,
        "model_source": model_source_hash(),
        **dict(extra or {}),
    }


def unfitted_base(base: Scenario, fitted: Sequence[str]) -> dict[str, Any]:
    """The base scenario as recorded for a batch: without the keys every run sets.

    The fitted parameters are overridden in every run, so the base's own values of them
    never enter a result; leaving them out lets a calibration resume after the defaults
    moved to its own representative draw.

    Args:
        base: The calibrated scenario.
        fitted: The fitted parameters' dotted keys.

    Returns:
        The scenario's data, fitted keys removed.
    """
    data = base.model_dump(mode="json")
    for key in fitted:
        *sections, name = key.split(".")
        table = data
        for section in sections:
            table = table[section]
        del table[name]
    return data


def batch_tasks(
    problem: CalibrationProblem, base: Scenario, unit_points: np.ndarray, seed: int
) -> list[RunTask]:
    """Every run of a batch: each point in each measurement group.

    Args:
        problem: The calibration problem.
        base: The calibrated scenario.
        unit_points: The design points on the unit cube.
        seed: The batch's base seed.

    Returns:
        The runs, point by point.
    """
    bases = {
        group.name: base.with_overrides(
            group_overrides(group, base.population.youths), "calibration"
        ).model_dump()
        for group in problem.groups
    }
    tasks = []
    for point, unit in enumerate(np.asarray(unit_points, dtype=float)):
        values = problem.values(unit)
        run_seed = derive_seed(seed, point)
        for index, group in enumerate(problem.groups):
            outcomes = tuple(f"{OUTCOME_PREFIX}{name}" for name in group.targets)
            tasks.append(
                RunTask(
                    run_id=f"p{point:05d}-{index}",
                    point=point,
                    replicate=index,
                    seed=run_seed,
                    parameters=values,
                    base=bases[group.name],
                    outcomes=outcomes,
                )
            )
    return tasks


def run_batch(
    folder: Path,
    manifest: dict[str, Any],
    tasks: Sequence[RunTask],
    executor: Executor,
    targets: Mapping[str, Target] | None,
    progress: bool,
    simulator: Simulator | None = None,
    say: Callable[[str], Any] | None = None,
) -> SweepTally:
    """Run a batch's missing runs into ``folder``, resuming what it holds.

    Args:
        folder: The batch's directory.
        manifest: Its manifest (:func:`batch_manifest`).
        tasks: All its runs (:func:`batch_tasks`); finished ones are skipped.
        executor: Where the runs execute.
        targets: A targets file's figures, or None for the packaged ones.
        progress: Show a progress bar.
        simulator: Replaces the model (see :func:`run_function`).
        say: Where a one-line note of the batch (runs, how many already done, where)
            goes, if anywhere.

    Returns:
        What was done.

    Raises:
        InputError: If the folder holds another batch.
    """
    store = SweepStore(folder)
    resuming = store.check_compatible(manifest)
    store.initialise(manifest, resuming)
    done = store.finished_ok()
    pending = [task for task in tasks if task.run_id not in done]
    tally = SweepTally(planned=len(tasks), skipped=len(tasks) - len(pending))
    if say is not None:
        say(
            f"{manifest['experiment']['kind']}: {len(tasks)} runs ({tally.skipped} already done), "
            f"on {executor.describe()}"
        )
    drive(pending, run_function(targets, simulator), executor, store, MAX_RETRIES, tally, progress)
    return tally


def batch_outputs(folder: Path, problem: CalibrationProblem, points: int) -> np.ndarray:
    """Each point's measured targets, from a batch's run files.

    Args:
        folder: The batch's directory.
        problem: The calibration problem.
        points: How many design points the batch has.

    Returns:
        Array (points, targets) in target order; NaN where a run failed or could not
        measure the target.
    """
    results = load_results(folder)
    outputs = np.full((points, len(problem.targets)), np.nan)
    column = {name: index for index, name in enumerate(problem.target_names)}
    for _, row in results.iterrows():
        if row["status"] != "ok":
            continue
        for group_name in problem.groups[int(row["replicate"])].targets:
            value = row.get(f"{OUTCOME_PREFIX}{group_name}")
            if value is not None and not pd.isna(value):
                outputs[int(row["point"]), column[group_name]] = float(value)
    return outputs
