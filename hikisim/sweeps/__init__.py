"""Headless sweeps: experiment files, designs, executors, resumable results, sensitivity.

Typical use::

    from hikisim.sweeps import run_sweep, load_results

    results = run_sweep("experiments/example_sweep.toml", "results/example")

Names are imported on first use, so a worker that only needs the per-run function does
not pay for SALib, Dask or matplotlib at start-up.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DaskExecutor": "executors",
    "Design": "designs",
    "Executor": "executors",
    "Experiment": "experiment",
    "LocalExecutor": "executors",
    "Plan": "plan",
    "PreparedSweep": "api",
    "RunSpec": "plan",
    "SerialExecutor": "executors",
    "SweepTally": "driver",
    "analyze_sweep": "sensitivity",
    "build_design": "designs",
    "build_plan": "plan",
    "derive_seed": "plan",
    "execute_sweep": "api",
    "for_each_result": "executors",
    "load_experiment": "validation",
    "load_results": "storage",
    "load_weekly": "storage",
    "make_executor": "executors",
    "make_run_id": "plan",
    "prepare_sweep": "api",
    "run_sensitivity": "sensitivity",
    "run_all": "executors",
    "run_sweep": "api",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
    return getattr(module, name)


def __dir__() -> list[str]:
    return __all__
