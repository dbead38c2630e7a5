"""More towns in the background: the comparison averaged over other seeds.

One town's gap between "with" and "without" programmes is partly luck. While the class
watches one town, a separate process runs a few more towns of the same scenario with
other seeds, each with its own twin without programmes, and the comparison view shows
their average and range.

A plain subprocess rather than a thread, so the extra towns never hold the interpreter
lock while the page steps and draws; and rather than a ``multiprocessing`` pool, whose
named semaphores outlive a server stopped by a signal and make the terminal complain.
The parent sends the scenario and seeds on the child's stdin (pickled) and reads one
JSON line per finished town from its stdout. Reset kills the child; the child also
leaves by itself if the server dies, so no process outlives the dashboard.
"""

from __future__ import annotations

import atexit
import json
import os
import pickle
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import dataclass

import numpy as np

from hikisim.dashboard.model import without_interventions
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.seeds import wrapped_seed

EXTRA_TOWNS = 4
# Seeds far from any a class would type, so the extra towns are not the shown one.
SEED_OFFSET = 7919
_running: weakref.WeakSet[Ensemble] = weakref.WeakSet()


def cumulative_new_cases(scenario: Scenario) -> np.ndarray:
    """New hikikomori cases since week 0, cumulated week by week, over the whole horizon."""
    model = HikiModel(scenario)
    model.run()
    return np.cumsum([record["new_cases"] for record in model.weekly_records])


def averted_by_week(scenario: Scenario) -> np.ndarray:
    """Cases the scenario's programmes averted by each horizon week, against its twin.

    Args:
        scenario: A scenario with at least one programme switched on.

    Returns:
        One cumulative count per horizon week (negative where the programmes added cases).
    """
    return cumulative_new_cases(without_interventions(scenario)) - cumulative_new_cases(scenario)


def town_seeds(scenario: Scenario, towns: int) -> list[int]:
    """The extra towns' seeds: fixed offsets from the shown town's seed."""
    return [wrapped_seed(scenario.run.seed + SEED_OFFSET * (i + 1)) for i in range(towns)]


@dataclass(frozen=True)
class EnsembleSummary:
    """The extra towns' averted cases at one week.

    Attributes:
        towns: How many towns have finished.
        mean: Mean cases averted.
        low: Fewest averted in any town.
        high: Most averted in any town.
    """

    towns: int
    mean: float
    low: float
    high: float


class Ensemble:
    """The extra towns of one run, started in a child process when the run is built.

    Args:
        scenario: The run's scenario, programmes switched on.
        towns: How many extra towns to run.

    Attributes:
        towns: How many towns were asked for.
    """

    def __init__(self, scenario: Scenario, towns: int = EXTRA_TOWNS) -> None:
        self.towns = towns
        self._finished: list[np.ndarray] = []
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "hikisim.dashboard.ensemble", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._process.stdin.write(pickle.dumps((scenario, town_seeds(scenario, towns))))
        self._process.stdin.close()
        threading.Thread(target=self._collect, daemon=True, name="extra-towns").start()
        _running.add(self)

    def _collect(self) -> None:
        for line in self._process.stdout:
            curve = np.array(json.loads(line))
            with self._lock:
                self._finished.append(curve)
        self._process.wait()

    def cancel(self) -> None:
        """Stop the towns still running."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    @property
    def running(self) -> bool:
        """Whether the child process is still at work."""
        return self._process.poll() is None

    @property
    def done(self) -> int:
        """Towns finished so far."""
        with self._lock:
            return len(self._finished)

    def curves(self) -> np.ndarray:
        """Averted cases by week, one row per finished town (no rows before any finish)."""
        with self._lock:
            return np.array(self._finished) if self._finished else np.zeros((0, 0))

    def at_week(self, week: int) -> EnsembleSummary | None:
        """The finished towns' averted cases by ``week``, or None before any has finished."""
        return summary_at_week(self.curves(), week)


def summary_at_week(curves: np.ndarray, week: int) -> EnsembleSummary | None:
    """Towns' averted cases by ``week``: their number, mean and range.

    Args:
        curves: Averted cases by week, one row per town.
        week: The week reached (weeks past the curves' end read their last value).

    Returns:
        The summary, or None with no towns or before week 1.
    """
    if not len(curves) or week <= 0:
        return None
    column = curves[:, min(week, curves.shape[1]) - 1]
    return EnsembleSummary(
        towns=len(column),
        mean=float(column.mean()),
        low=float(column.min()),
        high=float(column.max()),
    )


@atexit.register
def _stop_all() -> None:
    for ensemble in list(_running):
        ensemble.cancel()


def _exit_with(parent: int) -> None:
    # If the server is killed outright its exit handlers never run; the child then
    # notices it has a new parent and leaves instead of running on unseen.
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _worker(parent: int) -> None:
    """The child: read the scenario and seeds, print each town's averted cases as JSON."""
    _exit_with(parent)
    # The lowest priority: the class is waiting on the page, nobody waits on these towns.
    os.nice(19)
    scenario, seeds = pickle.load(sys.stdin.buffer)
    for seed in seeds:
        curve = averted_by_week(scenario.with_overrides({"run.seed": seed}))
        print(json.dumps(curve.tolist()), flush=True)


if __name__ == "__main__":
    _worker(int(sys.argv[1]))
