"""Executors: one interface, a local process pool and a Dask cluster behind it.

The sweep driver only submits a function and a task, waits for any to finish and asks
for the result. Both executors run the very same per-run function, so a sweep gives the
same results locally and on a cluster.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from hikisim.errors import InputError
from hikisim.sweeps.runner import RunTask

RunFunction = Callable[[RunTask], dict[str, Any]]

WORKER_MODULE = "hikisim.sweeps.runner"
# Consecutive pool rebuilds with no run finishing in between before the sweep gives up.
MAX_REBUILDS_WITHOUT_RESULT = 3


class Executor(ABC):
    """Runs tasks somewhere and hands back their records.

    Attributes:
        capacity: How many runs to keep in flight; more than this only queues up work
            that a crash would lose.
    """

    capacity: int

    @abstractmethod
    def submit(self, function: RunFunction, task: RunTask) -> Any:
        """Start one attempt at a run and return a handle for it."""

    @abstractmethod
    def wait(self, handles: Collection[Any]) -> set[Any]:
        """Block until at least one handle is done; return the done ones."""

    @abstractmethod
    def result(self, handle: Any) -> dict[str, Any]:
        """The record of a finished attempt; raises if the worker died."""

    @abstractmethod
    def describe(self) -> str:
        """One line naming where the runs execute."""

    @abstractmethod
    def close(self) -> None:
        """Release workers and connections."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class LocalExecutor(Executor):
    """A pool of worker processes on this machine (the default).

    Workers come from a fork server that has imported hikisim once, so a pool starts in
    a fraction of a second and workers inherit none of the driver's threads. As with any
    process pool, a script that calls it must guard its entry point with
    ``if __name__ == "__main__":``. If a worker dies, the pool is rebuilt and only the
    runs in flight fail.

    Args:
        workers: Number of processes; default all cores.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        if self.workers < 1:
            raise InputError(f"must be at least 1, got {self.workers}", "--workers")
        self.capacity = self.workers
        self._context = _worker_context()
        self._pool = self._new_pool()
        self._rebuilds_without_result = 0

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context)

    def submit(self, function: RunFunction, task: RunTask) -> cf.Future[dict[str, Any]]:
        """Submit to the pool, rebuilding it first if a worker died."""
        try:
            return self._pool.submit(function, task)
        except BrokenProcessPool:
            self._rebuild()
            return self._pool.submit(function, task)

    def _rebuild(self) -> None:
        self._rebuilds_without_result += 1
        if self._rebuilds_without_result > MAX_REBUILDS_WITHOUT_RESULT:
            raise RuntimeError(
                "worker processes keep dying before any run finishes; if the sweep is "
                'started from a script, put it under `if __name__ == "__main__":`, and '
                "check the machine's memory"
            )
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def wait(self, handles: Collection[Any]) -> set[Any]:
        """Wait for the first finished future."""
        done, _ = cf.wait(handles, return_when=cf.FIRST_COMPLETED)
        return set(done)

    def result(self, handle: Any) -> dict[str, Any]:
        """The record, or BrokenProcessPool if the worker died."""
        record = handle.result()
        self._rebuilds_without_result = 0
        return record

    def describe(self) -> str:
        """For example ``local pool, 2 workers``."""
        return f"local pool, {self.workers} worker{'s' if self.workers != 1 else ''}"

    def close(self) -> None:
        """Shut the pool down, dropping queued work."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _worker_context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Only takes effect if the fork server is not running yet; harmless otherwise.
    context.set_forkserver_preload([WORKER_MODULE])
    return context


class DaskExecutor(Executor):
    """An existing Dask distributed cluster, reached through its scheduler.

    Workers must be able to import hikisim (install it in the cluster's environment).
    Runs are submitted with unique keys per attempt, so a retry is never served a cached
    failure.

    Args:
        scheduler: A scheduler address such as ``tcp://10.0.0.5:8786``, or a connected
            ``distributed.Client``.
        timeout: Seconds to wait for the scheduler.
    """

    def __init__(self, scheduler: Any, timeout: float = 30.0) -> None:
        from distributed import Client

        if isinstance(scheduler, Client):
            self.client, self._owns_client = scheduler, False
        else:
            try:
                self.client = Client(scheduler, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as error:
                raise InputError(
                    f"cannot connect to a Dask scheduler at {scheduler!r}: {error}", "--scheduler"
                ) from None
            self._owns_client = True
        threads = sum(self.client.nthreads().values())
        # Keep the cluster busy while the driver writes results, but no more than that.
        self.capacity = max(2 * threads, 1)

    def submit(self, function: RunFunction, task: RunTask) -> Any:
        """Submit one attempt under a key that names the run and the attempt."""
        key = f"hikisim-run-{task.run_id}-{task.attempt}"
        return self.client.submit(function, task, key=key, pure=False, retries=0)

    def wait(self, handles: Collection[Any]) -> set[Any]:
        """Wait for the first finished future."""
        from distributed import wait

        done, _ = wait(list(handles), return_when="FIRST_COMPLETED")
        return set(done)

    def result(self, handle: Any) -> dict[str, Any]:
        """The record; raises (e.g. ``KilledWorker``) if the cluster lost the run."""
        try:
            return handle.result()
        finally:
            handle.release()

    def describe(self) -> str:
        """For example ``Dask scheduler tcp://..., 4 threads``."""
        threads = sum(self.client.nthreads().values())
        return f"Dask scheduler {self.client.scheduler.address}, {threads} threads"

    def close(self) -> None:
        """Close the connection if this executor opened it."""
        if self._owns_client:
            self.client.close()


def make_executor(scheduler: Any = None, workers: int | None = None) -> Executor:
    """The Dask executor if a scheduler is given, else the local pool.

    Args:
        scheduler: A Dask scheduler address or Client, or None for a local pool.
        workers: Local pool size (ignored with a scheduler).

    Returns:
        The executor.
    """
    if scheduler is not None:
        return DaskExecutor(scheduler)
    return LocalExecutor(workers)
