"""How far the weekly step time moves from one fresh process to the next.

On a shared virtual machine a process can step markedly slower than an identical one
started a moment later, for its whole life, and one CPU can be slower than the other.
This script starts the same warm model in several fresh processes, one after another
(each pinned to a CPU in turn with ``--pin``), and prints each one's time per week, so
the spread can be told apart from a change in the code. It is a diagnostic: the targets
are judged by ``experiments/benchmark.py`` (``make bench``).

Usage::

    .venv/bin/python experiments/step_spread.py --youths 100000 --processes 8 --pin
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import time

WARM_WEEKS = 260
BLOCK_WEEKS = 80
BLOCKS = 3


def child(youths: int) -> None:
    """Build a warm model, time three blocks of weeks, print ms a week for each."""
    from hikisim import HikiModel
    from hikisim.scenario import Scenario

    scenario = Scenario().with_overrides(
        {"population.youths": youths, "run.burn_in_years": 0, "run.years": 12}
    )
    model = HikiModel(scenario, seed=1)
    for _ in range(WARM_WEEKS):
        model.step()
    times = []
    for _ in range(BLOCKS):
        start = time.perf_counter()
        for _ in range(BLOCK_WEEKS):
            model.step()
        times.append((time.perf_counter() - start) / BLOCK_WEEKS * 1000)
    print(" ".join(f"{value:.3f}" for value in times))


def main() -> None:
    """Run the processes one at a time and print their step times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--youths", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--pin", action="store_true", help="pin process i to CPU i mod n")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.youths)
        return
    cpus = sorted(os.sched_getaffinity(0))
    print(f"{options.youths:,} youths; ms a week over {BLOCKS} blocks of {BLOCK_WEEKS} weeks")
    print("process | cpu | blocks | best")
    print("---|---|---|---")
    for index in range(options.processes):
        cpu = cpus[index % len(cpus)] if options.pin else None
        command = [sys.executable, __file__, "--child", "--youths", str(options.youths)]
        # Pinned before exec, so the child runs on one CPU from its first instruction.
        pin = functools.partial(os.sched_setaffinity, 0, {cpu}) if cpu is not None else None
        output = subprocess.run(
            command, capture_output=True, text=True, check=True, preexec_fn=pin
        ).stdout.split()
        best = min(float(value) for value in output)
        where = "any" if cpu is None else str(cpu)
        print(f"{index} | {where} | {' '.join(output)} | {best:.3f}")


if __name__ == "__main__":
    main()
