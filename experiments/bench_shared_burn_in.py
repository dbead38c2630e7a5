"""Time a 4-scenario comparison with and without the shared burn-in.

Runs ``hikisim compare`` on the demo scenarios at the default size, once with each
setting, alternating, and prints wall times and their ratio (median over rounds).

    .venv/bin/python experiments/bench_shared_burn_in.py [--rounds 3] [--replicates 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HIKISIM = Path(sys.executable).parent / "hikisim"
SCENARIOS = [
    REPO / "scenarios" / f"{name}.toml"
    for name in ("baseline", "school_prevention", "family_support", "comprehensive")
]


def timed(replicates: int, shared: bool, extra: list[str]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        command = [str(HIKISIM), "compare", *map(str, SCENARIOS), "--replicates", str(replicates)]
        command += [*extra, "--out", str(Path(folder) / "out")]
        if not shared:
            command.append("--no-shared-burn-in")
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--replicates", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], help="extra --set overrides")
    args = parser.parse_args()
    extra = [part for item in args.set for part in ("--set", item)]
    shared, apart = [], []
    for _ in range(args.rounds):
        shared.append(timed(args.replicates, True, extra))
        apart.append(timed(args.replicates, False, extra))
    s, a = statistics.median(shared), statistics.median(apart)
    print(f"4 scenarios x {args.replicates} replicates, {args.rounds} rounds")
    print(f"shared burn-in      median {s:6.1f} s  (min {min(shared):.1f}, max {max(shared):.1f})")
    print(f"no shared burn-in   median {a:6.1f} s  (min {min(apart):.1f}, max {max(apart):.1f})")
    print(f"speed-up            {a / s:.2f}x")


if __name__ == "__main__":
    main()
