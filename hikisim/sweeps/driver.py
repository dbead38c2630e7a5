"""The sweep driver: submit pending runs, retry failures, write each result as it lands.

A run refused as bad input is not retried: the same input fails the same way.

Results are written by the driver, not by workers, so a cluster needs no shared file
system with the machine that holds the sweep directory. Only runs in flight are lost if
the driver or a worker is killed.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from hikisim.sweeps.executors import Executor, ExecutorLostError, RunFunction, WorkerCodeError
from hikisim.sweeps.runner import RunTask, failed_record, worth_retrying
from hikisim.sweeps.storage import SweepStore


@dataclass
class SweepTally:
    """What one call of the driver did.

    Attributes:
        planned: Runs in the plan.
        skipped: Runs already finished in the directory.
        ok: Runs that finished now.
        failed: Runs recorded as failed now, after all retries.
        retries: Attempts beyond the first.
    """

    planned: int
    skipped: int
    ok: int = 0
    failed: int = 0
    retries: int = 0


def drive(
    tasks: Iterable[RunTask],
    function: RunFunction,
    executor: Executor,
    store: SweepStore,
    max_retries: int,
    tally: SweepTally,
    progress: bool = True,
) -> SweepTally:
    """Run tasks through an executor until each has a file, ok or failed.

    Args:
        tasks: The runs still to do.
        function: The per-run function.
        executor: Where the runs execute.
        store: The sweep directory.
        max_retries: Retries for a run that fails before it is recorded as failed; a
            run refused as bad input is recorded at once.
        tally: Counts to update.
        progress: Show a progress bar on stderr.

    Returns:
        The updated tally.
    """
    pending = deque(tasks)
    in_flight: dict[Any, RunTask] = {}
    with tqdm(
        total=tally.planned,
        initial=tally.skipped,
        desc="sweep",
        unit="run",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    ) as bar:
        while pending or in_flight:
            while pending and len(in_flight) < executor.capacity:
                task = pending.popleft()
                label = f"run-{task.run_id}-{task.attempt}"
                in_flight[executor.submit(function, task, label)] = task
            finished = [(handle, in_flight.pop(handle)) for handle in executor.wait(in_flight)]
            for handle, task in finished:
                record = _collect(executor, handle, task)
                failed = record["status"] != "ok"
                if failed and task.attempt <= max_retries and worth_retrying(record):
                    tally.retries += 1
                    pending.appendleft(task.retry())
                    continue
                store.write_run(record)
                tally.ok += not failed
                tally.failed += failed
                bar.update(1)
                bar.set_postfix(failed=tally.failed, refresh=False)
    return tally


def _collect(executor: Executor, handle: Any, task: RunTask) -> dict[str, Any]:
    try:
        return executor.result(handle)
    except (ExecutorLostError, WorkerCodeError):
        # Neither is this run's fault: nothing more can run, or nothing run there counts.
        raise
    except Exception as error:  # a dead worker fails the run, not the sweep
        return failed_record(task, error)
