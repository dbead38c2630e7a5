"""Compile the weekly kernel's numba code into its cache, once per installation.

``make venv`` runs ``python -m hikisim.precompile`` after installing, so that the first
simulation, the dashboard's first step and every test or sweep worker load the compiled
code from the cache (under a second) instead of compiling it (some seconds).
"""

from __future__ import annotations

import time

import numpy as np

from hikisim import threads
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.states import State

# Small, stepped long enough that every weekly pass runs (turnover, which resets a
# leaver's ties, comes about nine times a year in a town of 500 aged 10-64).
SIZE = 500
WEEKS = 60
THREADED_WEEKS = 2


def precompile() -> float:
    """Step a small model of every programme a few weeks; return the seconds it took."""
    start = time.perf_counter()
    scenario = Scenario().with_overrides(
        {"population.youths": SIZE, "run.burn_in_years": 0, "run.years": 1}
    )
    model = HikiModel(scenario, seed=1)
    for _ in range(WEEKS):
        model.step()
    # The threaded passes that large towns use (hikisim.threads): a few weeks more with
    # the size limit lifted, where this machine has the threads for them.
    limit = threads.MIN_SEATS
    threads.MIN_SEATS = 0
    try:
        for _ in range(THREADED_WEEKS):
            model.step()
    finally:
        threads.MIN_SEATS = limit
    # The per-youth chances that the agent views and the dashboard read.
    model.kernel.hazards(model.kernel.nonengaged())
    # Entries into withdrawal are too rare in so short a run to count on one: a person
    # is moved in by hand (the model is thrown away).
    kernel = model.kernel
    engaged = np.flatnonzero(model.population.youths.state == State.ENGAGED)[:1]
    if len(engaged) == 0:
        raise RuntimeError("precompile's model has no one engaged to move into withdrawal")
    kernel._start_withdrawal(engaged, model.week, kernel.streams.draw("severity"), False)
    return time.perf_counter() - start


if __name__ == "__main__":
    print(f"hikisim: kernel compiled or loaded from its cache in {precompile():.1f} s")
