"""Executors: one interface, a local process pool and a Dask cluster behind it.

Every command that runs many simulations (``sweep``, ``sensitivity``, ``compare``,
``calibrate``) submits plain functions through an :class:`Executor`, waits for any to
finish and asks for the result. Both executors run the very same function, so results
are identical locally and on a cluster.

Shutdown is part of the contract: leaving the ``with`` block normally waits for the
workers to finish; leaving it with an exception (Ctrl-C, SIGTERM, a lost scheduler)
stops them at once. Local workers also watch their driver and exit on their own within
a few seconds if it is killed outright, so no process is left behind.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from hikisim import threads
from hikisim.errors import InputError
from hikisim.source_hash import model_source_hash
from hikisim.stopping import deferred_stop
from hikisim.sweeps.scheduler import OPTION as SCHEDULER_OPTION
from hikisim.sweeps.scheduler import connect

RunFunction = Callable[[Any], Any]

WORKER_MODULE = "hikisim.sweeps.runner"
# Consecutive pool rebuilds with no run finishing in between before the work gives up.
MAX_REBUILDS_WITHOUT_RESULT = 3
# How often a local worker checks that its driver is still there; the bound for
# noticing a killed driver is 30 s, and checking is nearly free.
DRIVER_CHECK_INTERVAL_S = 1.0
# Exit code of a worker that found its driver gone.
ORPHAN_EXIT_CODE = 75
# How often the Dask executor looks at its connection while waiting, and how long the
# scheduler may stay unreachable before the work is abandoned (the issue allows 15 s).
DASK_POLL_S = 0.5
SCHEDULER_LOST_AFTER_S = 10.0


class ExecutorLostError(InputError):
    """The executor can no longer run anything (for example, the scheduler went away)."""


class WorkerCodeError(InputError):
    """A worker runs other model code than this process, so its results would not match."""


# Characters of a model source hash shown in messages: enough to tell two apart.
SHOWN_HASH = 12


def _worker_model_source() -> str:
    """The model source hash of the process this runs in (a Dask worker)."""
    return model_source_hash()


def _run_and_name_code(function: RunFunction, payload: Any) -> tuple[str, str, Any]:
    """Run one call on a Dask worker; return the worker, its model source and the result.

    The driver compares the source with its own, so a worker that joined the cluster
    with other code (a stale install on one node, say) cannot slip a result in.
    """
    from distributed import get_worker

    return get_worker().address, model_source_hash(), function(payload)


def _describe(error: BaseException) -> str:
    """``Type: message`` of an error, or the message alone of Dask's plain ``Exception``.

    A worker that cannot unpickle a call reports the error's repr inside an Exception,
    such as ``Exception("ImportError('no module named hikisim')")``.
    """
    if type(error) is Exception:
        return str(error)
    return f"{type(error).__name__}: {error}"


def worker_code_message(worker: str, found: str, expected: str) -> str:
    """The one-line reason a worker's results are refused.

    Args:
        worker: The worker's address.
        found: The worker's model source hash.
        expected: This process's.

    Returns:
        The message, naming both hashes by their first characters.
    """
    return (
        f"worker {worker} runs other hikisim code (model source "
        f"{found[:SHOWN_HASH]}, here {expected[:SHOWN_HASH]}); install this same "
        "hikisim on every worker, so that results match a local run"
    )


class Executor(ABC):
    """Runs functions somewhere and hands back their results.

    Attributes:
        capacity: How many tasks to keep in flight; more than this only queues up work
            that a crash would lose.
    """

    capacity: int

    @abstractmethod
    def submit(self, function: RunFunction, payload: Any, label: str = "task") -> Any:
        """Start one call of ``function(payload)`` and return a handle for it.

        Args:
            function: A module-level function, importable by the workers.
            payload: Its single, picklable argument.
            label: A readable name for the task (Dask shows it on its dashboard).
        """

    @abstractmethod
    def wait(self, handles: Collection[Any]) -> set[Any]:
        """Block until at least one handle is done; return the done ones."""

    @abstractmethod
    def result(self, handle: Any) -> Any:
        """The result of a finished call; raises what the call raised or why it was lost."""

    @abstractmethod
    def describe(self) -> str:
        """One line naming where the work executes."""

    @abstractmethod
    def close(self) -> None:
        """Release workers and connections after the work is done."""

    @abstractmethod
    def abort(self) -> None:
        """Stop now: drop queued work and stop what is running."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def run_all(
    executor: Executor,
    function: RunFunction,
    payloads: Sequence[Any],
    label: str = "task",
    progress: Callable[[int], Any] | None = None,
) -> list[Any]:
    """Run ``function`` on every payload through ``executor``; results in payload order.

    At most ``executor.capacity`` calls are in flight at once. The first call that
    raises stops the work and re-raises, since commands such as ``compare`` need every
    result.

    Args:
        executor: Where the calls run.
        function: A module-level function of one argument.
        payloads: The arguments.
        label: A readable task name.
        progress: Called with 1 after each finished call.

    Returns:
        One result per payload, in order.
    """
    results: list[Any] = [None] * len(payloads)

    def keep(index: int, result: Any) -> None:
        results[index] = result
        if progress is not None:
            progress(1)

    for_each_result(executor, [(function, payload) for payload in payloads], label, keep)
    return results


def for_each_result(
    executor: Executor,
    calls: Sequence[tuple[RunFunction, Any]],
    label: str,
    on_result: Callable[[int, Any], Any],
) -> None:
    """Run calls through ``executor``, handing each result over as soon as it lands.

    At most ``executor.capacity`` calls are in flight; a call that raises stops the
    work. Handing results over as they land lets a caller write each one at once, so
    an interrupted command loses only the calls in flight.

    Args:
        executor: Where the calls run.
        calls: (function, payload) pairs.
        label: A readable task name.
        on_result: Called with the call's index and its result, in finishing order.
    """
    pending = deque(enumerate(calls))
    in_flight: dict[Any, int] = {}
    while pending or in_flight:
        while pending and len(in_flight) < executor.capacity:
            index, (function, payload) = pending.popleft()
            in_flight[executor.submit(function, payload, f"{label}-{index}")] = index
        for handle in executor.wait(in_flight):
            index = in_flight.pop(handle)
            on_result(index, executor.result(handle))


class SerialExecutor(Executor):
    """Runs each call at once, in this process: for debugging, profiling and tests.

    Attributes:
        capacity: Always 1.
    """

    capacity = 1

    def submit(self, function: RunFunction, payload: Any, label: str = "task") -> cf.Future[Any]:
        """Run the call now and return a finished future holding its outcome."""
        future: cf.Future[Any] = cf.Future()
        try:
            future.set_result(function(payload))
        except Exception as error:  # kept for result(), like a pool would
            future.set_exception(error)
        return future

    def wait(self, handles: Collection[Any]) -> set[Any]:
        """Every handle is already done."""
        return set(handles)

    def result(self, handle: Any) -> Any:
        """The call's result, or what it raised."""
        return handle.result()

    def describe(self) -> str:
        """``in this process``."""
        return "in this process"

    def close(self) -> None:
        """Nothing to release."""

    def abort(self) -> None:
        """Nothing runs in the background."""


class LocalExecutor(Executor):
    """A pool of worker processes on this machine (the default).

    Workers come from a fork server that has imported hikisim once, so a pool starts in
    a fraction of a second and workers inherit none of the driver's threads or open
    files (such as an output-folder lock). As with any process pool, a script that
    calls it must guard its entry point with ``if __name__ == "__main__":``. If a worker
    dies, the pool is rebuilt and only the tasks in flight fail.

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
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._context,
            initializer=watch_driver,
            initargs=(os.getpid(),),
        )

    def submit(self, function: RunFunction, payload: Any, label: str = "task") -> cf.Future[Any]:
        """Submit to the pool, rebuilding it first if a worker died."""
        # Submitting may start a worker; a stop request in the middle would leave that
        # worker untracked, so it waits until the worker is in the pool's books.
        with deferred_stop():
            try:
                return self._pool.submit(function, payload)
            except BrokenProcessPool:
                self._rebuild()
                return self._pool.submit(function, payload)

    def _rebuild(self) -> None:
        self._rebuilds_without_result += 1
        if self._rebuilds_without_result > MAX_REBUILDS_WITHOUT_RESULT:
            raise RuntimeError(
                "worker processes keep dying before any run finishes; if the work is "
                'started from a script, put it under `if __name__ == "__main__":`, and '
                "check the machine's memory"
            )
        self._stop_pool()
        self._pool = self._new_pool()

    def wait(self, handles: Collection[Any]) -> set[Any]:
        """Wait for the first finished future."""
        done, _ = cf.wait(handles, return_when=cf.FIRST_COMPLETED)
        return set(done)

    def result(self, handle: Any) -> Any:
        """The result, or BrokenProcessPool if the worker died."""
        value = handle.result()
        self._rebuilds_without_result = 0
        return value

    def describe(self) -> str:
        """For example ``local pool, 2 workers``."""
        return f"local pool, {self.workers} worker{'s' if self.workers != 1 else ''}"

    def close(self) -> None:
        """Shut the pool down once its work is done."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        """Drop queued work and terminate the workers, then reap them."""
        self._stop_pool()

    def _stop_pool(self) -> None:
        # ProcessPoolExecutor has no public way to stop running work before Python 3.14
        # (terminate_workers), so the worker processes are terminated directly.
        processes = list(getattr(self._pool, "_processes", {}).values())
        for process in processes:
            if process.is_alive():
                process.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


def watch_driver(driver_pid: int) -> None:
    """Pool initializer: ignore Ctrl-C, keep runs to one thread, and exit with the driver.

    A worker's parent is the fork server, which exits when the driver does, so a change
    of parent is the reliable sign (a killed driver may linger as a zombie, still
    answering ``kill(pid, 0)``). The check runs in a daemon thread so it also fires
    while the worker is busy with a run.

    Args:
        driver_pid: The process id of the driver.
    """
    # Ctrl-C reaches the whole process group; the driver alone decides how to stop, so
    # workers do not print tracebacks of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The pool keeps every core busy with one run per worker: threads within a run would
    # only compete with the other workers.
    threads.allow(False)
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(DRIVER_CHECK_INTERVAL_S)
            if os.getppid() != parent or not _process_exists(driver_pid):
                os._exit(ORPHAN_EXIT_CODE)

    threading.Thread(target=watch, daemon=True, name="hikisim-driver-watch").start()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
    Tasks are submitted under unique keys, so a retry is never served a cached failure.
    If the scheduler stays unreachable for :data:`SCHEDULER_LOST_AFTER_S` seconds, the
    work stops with :class:`ExecutorLostError`.

    Args:
        scheduler: A scheduler address such as ``tcp://10.0.0.5:8786``, or a connected
            ``distributed.Client``.
    """

    def __init__(self, scheduler: Any) -> None:
        from distributed import Client

        if isinstance(scheduler, Client):
            self.client, self._owns_client = scheduler, False
        else:
            # Dask logs its own reconnection attempts with tracebacks; a command that
            # made its own client reports a lost scheduler in one line instead.
            _quieten_dask_logging()
            self.client, self._owns_client = connect(str(scheduler)), True
        self.address = self.client.scheduler.address
        self.model_source = model_source_hash()
        self._unreachable_since: float | None = None
        self._live: set[Any] = set()
        try:
            self._check_worker_code()
        except BaseException:
            self.close()
            raise
        threads = sum(self.client.nthreads().values())
        # Keep the cluster busy while the driver writes results, but no more than that.
        self.capacity = max(2 * threads, 1)

    def _check_worker_code(self) -> None:
        """Refuse a cluster whose workers cannot import hikisim or run other model code.

        Workers that join later are checked by every result (:meth:`result`).

        Raises:
            WorkerCodeError: Naming the first such worker.
        """
        try:
            found = self.client.run(_worker_model_source, on_error="return")
        except Exception as error:  # Dask raises its own errors for a failed broadcast
            raise WorkerCodeError(
                f"cannot ask the workers which hikisim they run: {error}", SCHEDULER_OPTION
            ) from None
        for worker, source in sorted(found.items()):
            if isinstance(source, BaseException):
                raise WorkerCodeError(
                    f"worker {worker} cannot run hikisim ({_describe(source)}); "
                    "install hikisim in the workers' environment",
                    SCHEDULER_OPTION,
                )
            if source != self.model_source:
                raise WorkerCodeError(
                    worker_code_message(worker, source, self.model_source), SCHEDULER_OPTION
                )

    def submit(self, function: RunFunction, payload: Any, label: str = "task") -> Any:
        """Submit one call under a unique key that starts with ``label``."""
        self._check_connection()
        key = f"hikisim-{label}-{uuid.uuid4().hex[:12]}"
        future = self.client.submit(
            _run_and_name_code, function, payload, key=key, pure=False, retries=0
        )
        self._live.add(future)
        return future

    def wait(self, handles: Collection[Any]) -> set[Any]:
        """Wait for the first finished future, watching the scheduler connection."""
        from distributed import wait as dask_wait

        futures = list(handles)
        while True:
            self._check_connection()
            # ``distributed.wait`` looks up the default client; this one is deliberately
            # not the default (a script may have its own), so make it current here.
            try:
                with self.client.as_current():
                    done, _ = dask_wait(futures, timeout=DASK_POLL_S, return_when="FIRST_COMPLETED")
            except TimeoutError:
                continue
            except CancelledError as error:
                raise self._lost(error) from None
            if done:
                return set(done)

    def result(self, handle: Any) -> Any:
        """The result; raises (e.g. ``KilledWorker``) if the cluster lost the call.

        Raises:
            WorkerCodeError: If the worker that ran the call runs other model code.
        """
        try:
            worker, source, result = handle.result()
        except CancelledError as error:
            # Futures are cancelled when the client loses its scheduler; nothing more
            # can run, so this is the end of the work rather than a failed task.
            raise self._lost(error) from None
        except Exception:
            self._check_connection(grace=0.0 if self.client.status != "running" else None)
            raise
        finally:
            self._live.discard(handle)
            handle.release()
        if source != self.model_source:
            raise WorkerCodeError(
                worker_code_message(worker, source, self.model_source), SCHEDULER_OPTION
            )
        return result

    def _check_connection(self, grace: float | None = None) -> None:
        if self.client.status == "running":
            self._unreachable_since = None
            return
        now = time.monotonic()
        if self._unreachable_since is None:
            self._unreachable_since = now
        allowed = SCHEDULER_LOST_AFTER_S if grace is None else grace
        if now - self._unreachable_since >= allowed:
            raise self._lost(None)

    def _lost(self, error: BaseException | None) -> ExecutorLostError:
        reason = "its work was cancelled" if error is not None else "it stopped answering"
        return ExecutorLostError(
            f"lost the Dask scheduler at {self.address} ({reason}); finished results are "
            "kept, rerun the same command to resume",
            SCHEDULER_OPTION,
        )

    def describe(self) -> str:
        """For example ``Dask scheduler tcp://..., 4 threads``."""
        threads = sum(self.client.nthreads().values())
        return f"Dask scheduler {self.address}, {threads} threads"

    def close(self) -> None:
        """Close the connection if this executor opened it."""
        if self._owns_client:
            self.client.close(timeout=5)

    def abort(self) -> None:
        """Cancel this client's work on the cluster, then close the connection."""
        if self._owns_client:
            # The scheduler may be gone already; closing the client is what matters.
            with contextlib.suppress(Exception):
                if self._live and self.client.status == "running":
                    self.client.cancel(list(self._live), force=True)
            with contextlib.suppress(Exception):
                self.client.close(timeout=2)


def _quieten_dask_logging() -> None:
    # Dask configures levels per module logger, so each must be set, not just the root.
    import distributed  # noqa: F401  (imported for its logging configuration)

    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name.startswith("distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


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
