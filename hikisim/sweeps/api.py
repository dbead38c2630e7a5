"""The Python API for sweeps: :func:`run_sweep` and the steps it is made of."""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from hikisim import __version__
from hikisim.locking import output_lock
from hikisim.output import check_output_folder
from hikisim.scenario import Scenario
from hikisim.sweeps.driver import SweepTally, drive
from hikisim.sweeps.executors import Executor, RunFunction, make_executor
from hikisim.sweeps.experiment import (
    Experiment,
    experiment_hash,
    parse_experiment,
    read_experiment,
)
from hikisim.sweeps.plan import Plan, build_plan
from hikisim.sweeps.runner import RunTask, Simulator, execute_run
from hikisim.sweeps.storage import (
    FORMAT,
    SweepStore,
    load_results,
    model_source_hash,
    package_versions,
)
from hikisim.sweeps.validation import check_experiment

ExperimentSource = Experiment | str | os.PathLike[str]


@dataclass(frozen=True)
class PreparedSweep:
    """A validated experiment with its design and run plan, before anything is written.

    Attributes:
        experiment: The experiment.
        base: Its base scenario (scenario file plus ``[set]``).
        plan: The runs.
        manifest: What ``manifest.json`` will hold.
    """

    experiment: Experiment
    base: Scenario
    plan: Plan
    manifest: dict[str, Any]


def prepare_sweep(experiment: ExperimentSource | PreparedSweep) -> PreparedSweep:
    """Validate an experiment and plan its runs; writes nothing.

    Args:
        experiment: An experiment file, an :class:`Experiment`, or an already prepared
            sweep (returned as is).

    Returns:
        The prepared sweep.

    Raises:
        InputError: If the experiment is invalid.
    """
    if isinstance(experiment, PreparedSweep):
        return experiment
    if isinstance(experiment, Experiment):
        source = experiment.name
        # Re-validate: objects made with model_copy(update=...) skip field validation.
        data = experiment.model_dump(by_alias=True, exclude_unset=True)
        experiment = parse_experiment(data, source)
    else:
        source = str(experiment)
        experiment = read_experiment(experiment)
    base, design = check_experiment(experiment, source)
    plan = build_plan(experiment, design)
    return PreparedSweep(experiment, base, plan, build_manifest(experiment, base, plan, source))


def build_manifest(
    experiment: Experiment, base: Scenario, plan: Plan, source: str
) -> dict[str, Any]:
    """The manifest: the experiment, design, seeds, runs and package versions.

    Args:
        experiment: The experiment.
        base: Its base scenario.
        plan: Its runs.
        source: Where the experiment came from.

    Returns:
        JSON-compatible data.
    """
    normalised = experiment.normalised(base)
    design = plan.design
    return {
        "format": FORMAT,
        "name": experiment.name,
        "description": experiment.description,
        "experiment_file": source,
        "experiment_hash": experiment_hash(normalised),
        "experiment": normalised,
        "model_version": __version__,
        "model_source": model_source_hash(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": package_versions(),
        "design": {
            "method": design.method,
            "parameters": design.names,
            "rows": design.rows,
            "problem": design.problem,
            "matrix": design.matrix.tolist() if design.matrix is not None else None,
            "row_run_ids": plan.row_run_ids,
        },
        "seeds": {
            "base": experiment.seed,
            "seeding": experiment.seeding,
            "replicates": experiment.replicates,
        },
        "runs": [
            {"run_id": r.run_id, "point": r.point, "replicate": r.replicate, "seed": r.seed}
            for r in plan.runs
        ],
    }


def execute_sweep(
    experiment: ExperimentSource | PreparedSweep,
    out: str | os.PathLike[str],
    scheduler: Any = None,
    *,
    workers: int | None = None,
    progress: bool = True,
    simulator: Simulator | None = None,
) -> SweepTally:
    """Run (or resume) a sweep into a directory and report what was done.

    Args:
        experiment: An experiment file, an :class:`Experiment` or a prepared sweep.
        out: The sweep directory; runs already finished there are skipped.
        scheduler: A Dask scheduler address (``tcp://host:port``) or Client; None runs
            on a local process pool.
        workers: Local pool size; default all cores.
        progress: Show a progress bar and a one-line plan on stderr.
        simulator: Replaces the model run (see :data:`~hikisim.sweeps.runner.Simulator`);
            must be importable by the workers.

    Returns:
        Counts of planned, skipped, ok, failed and retried runs.

    Raises:
        InputError: If the experiment is invalid, ``out`` holds something else or is in
            use by another process; the directory is then left untouched.
    """
    prepared = prepare_sweep(experiment)
    check_output_folder(out)
    with output_lock(out):
        store = SweepStore(Path(out))
        resuming = store.check_compatible(prepared.manifest)
        if resuming:
            _warn_if_model_changed(store, prepared.manifest["model_source"])
        with make_executor(scheduler, workers) as executor:
            store.initialise(prepared.manifest, resuming)
            return _drive_sweep(prepared, store, executor, simulator, progress)


def _drive_sweep(
    prepared: PreparedSweep,
    store: SweepStore,
    executor: Executor,
    simulator: Simulator | None,
    progress: bool,
) -> SweepTally:
    done = store.finished_ok()
    tasks = _tasks(prepared, done)
    tally = SweepTally(
        planned=len(prepared.plan.runs), skipped=len(prepared.plan.runs) - len(tasks)
    )
    if progress:
        print(
            f"{prepared.experiment.name}: {tally.planned} runs planned, {tally.skipped} "
            f"already done; running {len(tasks)} on {executor.describe()}",
            file=sys.stderr,
        )
    function = _run_function(simulator)
    return drive(tasks, function, executor, store, prepared.experiment.max_retries, tally, progress)


def run_sweep(
    experiment: ExperimentSource,
    out: str | os.PathLike[str],
    scheduler: Any = None,
    *,
    workers: int | None = None,
    progress: bool = True,
    simulator: Simulator | None = None,
) -> pd.DataFrame:
    """Run (or resume) a sweep and return all its results.

    Args:
        experiment: An experiment file or an :class:`Experiment`.
        out: The sweep directory; runs already finished there are skipped.
        scheduler: A Dask scheduler address (``tcp://host:port``) or Client; None runs
            on a local process pool.
        workers: Local pool size; default all cores.
        progress: Show a progress bar on stderr.
        simulator: Replaces the model run; must be importable by the workers.

    Returns:
        :func:`~hikisim.sweeps.storage.load_results` of the directory.
    """
    execute_sweep(
        experiment, out, scheduler, workers=workers, progress=progress, simulator=simulator
    )
    return load_results(out)


def _warn_if_model_changed(store: SweepStore, model_source: str) -> None:
    # The package version is checked strictly; edits between versions only warn, since
    # every run file records the source hash it was produced with.
    existing = store.read_manifest() or {}
    if existing.get("model_source") != model_source:
        print(
            f"warning: the model's source changed since {store.root} was started; "
            "runs done from now on use the new code (each run file records its hash)",
            file=sys.stderr,
        )


def _tasks(prepared: PreparedSweep, done: set[str]) -> list[RunTask]:
    experiment = prepared.experiment
    base = prepared.base.model_dump()
    return [
        RunTask(
            run.run_id,
            run.point,
            run.replicate,
            run.seed,
            run.parameters,
            base,
            tuple(experiment.outcomes),
            tuple(experiment.weekly),
        )
        for run in prepared.plan.runs
        if run.run_id not in done
    ]


def _run_function(simulator: Simulator | None) -> RunFunction:
    if simulator is None:
        return execute_run
    return functools.partial(execute_run, simulator=simulator)
