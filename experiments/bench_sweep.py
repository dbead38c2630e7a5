"""Sweep throughput on the local pool: 1 worker against 2 workers on the same experiment.

``run()`` returns benchmark rows for ``experiments/benchmark.py``; run this file on its
own to print them. The target is a speed-up of at least 1.7 with 2 workers on 2 cores.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from hikisim.sweeps import execute_sweep

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
TARGET_SPEEDUP = 1.7
# Rounds of one sweep with 1 worker and one with 2, taken in turn; the speed-up is their
# median, because on a shared 2-core machine one pair of sweeps a few seconds long moves
# between 1.4x and 1.8x with the machine (two pairs in a row on 2026-12-05).
ROUNDS = 3
# 32 runs of about 0.4 s each (single core): long enough that result writing and
# scheduling are small next to the model, as in real sweeps.
EXPERIMENT = f"""
name = "bench-sweep"
scenario = "{BASELINE}"
replicates = 8
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
WARM_UP = EXPERIMENT.replace("replicates = 8", "replicates = 1").replace(
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
        rates_1, rates_2 = [], []
        for round_index in range(ROUNDS):
            runs, seconds = timed_sweep(experiment, root / f"one-{round_index}", workers=1)
            rates_1.append(runs / seconds)
            runs, seconds = timed_sweep(experiment, root / f"two-{round_index}", workers=2)
            rates_2.append(runs / seconds)
    speedups = [two / one for one, two in zip(rates_1, rates_2, strict=True)]
    cores = os.cpu_count()
    # Other processes competing for the cores cap the speed-up, so report the load.
    load = os.getloadavg()[0]
    note = (
        f"{runs} runs of 5000 youths x 15 years, grid of 4 points x 8 replicates; median of "
        f"{ROUNDS} rounds"
    )
    return [
        {
            "benchmark": "sweep_1_worker",
            "value": statistics.median(rates_1),
            "unit": "runs/s",
            "note": note,
        },
        {
            "benchmark": "sweep_2_workers",
            "value": statistics.median(rates_2),
            "unit": "runs/s",
            "note": note,
        },
        {
            "benchmark": "sweep_speedup_2_vs_1_workers",
            "value": statistics.median(speedups),
            "unit": "x",
            "note": f"target >= {TARGET_SPEEDUP} on 2 cores; median of {ROUNDS} rounds of "
            f"one sweep each way, rounds {min(speedups):.2f}-{max(speedups):.2f}x; {cores} "
            f"cores here, 1-minute load average {load:.1f} after the runs",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['benchmark']:32s} {row['value']:8.3f} {row['unit']:7s} {row['note']}")
