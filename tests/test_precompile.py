"""``python -m hikisim.precompile`` runs every compiled pass that a run calls from Python."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# A fresh process: precompile, then a full run of every programme at once. A compiled
# function that the run calls from Python but precompile did not would be compiled (or
# loaded) only then, in the first run of every process (the dashboard's first step, a
# sweep worker's first run).
PROBE = """
import importlib, json, pkgutil, sys
import hikisim
from numba.core.registry import CPUDispatcher
from hikisim.precompile import precompile

def compiled():
    counts = {}
    for info in pkgutil.iter_modules(hikisim.__path__):
        if info.name in ("__main__", "cli", "dashboard"):
            continue
        module = importlib.import_module("hikisim." + info.name)
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.py_func.__module__ == module.__name__:
                counts[info.name + "." + name] = len(value.signatures)
    return counts

precompile()
before = compiled()
from hikisim.scenario import load_scenario
from hikisim.simulation import run_model
scenario = load_scenario(sys.argv[1]).with_overrides(
    {"population.youths": 2000, "run.years": 2}
)
run_model(scenario, seed=3)
after = compiled()
print(json.dumps({"before": before, "after": after}))
"""

COMPREHENSIVE = Path(__file__).resolve().parents[1] / "scenarios" / "comprehensive.toml"


def test_precompile_runs_every_pass_a_run_calls() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(COMPREHENSIVE)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    before, after = counts["before"], counts["after"]
    assert before["entries.start_withdrawal"] and before["kernels.onset"]
    # A new signature counts too (the same pass for other argument types).
    late = sorted(name for name, count in after.items() if count > before.get(name, 0))
    assert late == [], f"compiled only in the run, not by precompile: {late}"
