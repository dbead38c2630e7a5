"""Sweep throughput on the local pool: 1 worker against 2 workers on the same experiment.

``run()`` returns benchmark rows for ``experiments/benchmark.py``; run this file on its
own to print them. The target is a speed-up of at least 1.7 with 2 workers on 2 cores.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from hikisim.sweeps import execute_sweep

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
TARGET_SPEEDUP = 1.7
# 16 runs of about a second each (single core): long enough that result writing and
# scheduling are small next to the model, as in real sweeps.
EXPERIMENT = f"""
name = "bench-sweep"
scenario = "{BASELINE}"
replicates = 4
seed = 1
outcomes = ["prevalence_15_39", "person_years_withdrawn"]

[design]
method = "grid"

[parameters]
"family.neglect_weight" = [0.3, 0.6]
"dynamics.peer_weight" = [2.0, 4.0]

[set]
"population.youths" = 5000
"run.burn_in_years" = 10
"run.years" = 5
"""
WARM_UP = EXPERIMENT.replace("replicates = 4", "replicates = 1").replace(
    '"population.youths" = 5000', '"population.youths" = 100'
)


def timed_sweep(experiment: Path, out: Path, workers: int) -> tuple[int, float]:
    """Run a fresh sweep and return its number of runs and wall time in seconds."""
    started = time.perf_counter()
    tally = execute_sweep(experiment, out, workers=workers, progress=False)
    return tally.ok, time.perf_counter() - started


def run() -> list[dict]:
    """Measure runs per second with 1 and 2 workers, and their ratio."""
    with tempfile.TemporaryDirectory(prefix="hikisim-bench-sweep-") as folder:
        root = Path(folder)
        experiment = root / "bench.toml"
        experiment.write_text(EXPERIMENT)
        warm_up = root / "warm_up.toml"
        warm_up.write_text(WARM_UP)
        # Start the worker fork server (it imports hikisim once) outside the timings.
        execute_sweep(warm_up, root / "warm_up", workers=2, progress=False)
        runs_1, seconds_1 = timed_sweep(experiment, root / "one", workers=1)
        runs_2, seconds_2 = timed_sweep(experiment, root / "two", workers=2)
    rate_1, rate_2 = runs_1 / seconds_1, runs_2 / seconds_2
    cores = os.cpu_count()
    # Other processes competing for the cores cap the speed-up, so report the load.
    load = os.getloadavg()[0]
    note = f"{runs_1} runs of 5000 youths x 15 years, grid of 4 points x 4 replicates"
    return [
        {"benchmark": "sweep_1_worker", "value": rate_1, "unit": "runs/s", "note": note},
        {"benchmark": "sweep_2_workers", "value": rate_2, "unit": "runs/s", "note": note},
        {
            "benchmark": "sweep_speedup_2_vs_1_workers",
            "value": rate_2 / rate_1,
            "unit": "x",
            "note": f"target >= {TARGET_SPEEDUP} on 2 cores; {cores} cores here, "
            f"1-minute load average {load:.1f} after the runs",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['benchmark']:32s} {row['value']:8.3f} {row['unit']:7s} {row['note']}")
