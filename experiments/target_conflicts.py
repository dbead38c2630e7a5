"""Probe the targets the fitted baseline misses: can any lever reach them without losing others?

Each probe moves one parameter of the default baseline (halved and doubled) and runs the
same replicate seeds; the table shows the targets involved and the ratios that decide
whether two targets can be met together:

- ``koyama_lifetime_20_49 / cao2016_narrow_15_39``: lifetime over current narrow
  withdrawal. Lifetime share is incidence times years at risk; current share is incidence
  times mean duration, so the ratio is set by how long episodes last, not by how many
  start.
- ``mext2015 / mext1991``: the rise in junior-high school refusal. Pupils' refusal risk
  scales both years alike, so only the calendar drivers can change the ratio (the 1992
  policy step and refusal's internet trend, ``school.refusal_internet_effect``).
- ``cao2016_broad / cao2010_broad``: the fall from 2010 to 2016. The job-openings ratio
  improved between the two (``labour.job_market_effect`` says how much that matters) while
  internet use rose.

    .venv/bin/python experiments/target_conflicts.py [--replicates 3]

Prints a Markdown table (means over the replicates).
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from hikisim import threads
from hikisim.scenario import Scenario
from hikisim.simulation import simulate

PROBED = (
    "dynamics.exit_base",
    "dynamics.deepen_rate",
    "school.refusal_internet_effect",
    "labour.job_market_effect",
    "school.refusal_history_weight",
)
FACTORS = (0.5, 2.0)
SHOWN = (
    "cao2010_broad_15_39",
    "cao2016_broad_15_39",
    "cao2016_narrow_15_39",
    "koyama_lifetime_20_49",
    "mext1991_refusal_junior_high",
    "mext2015_refusal_junior_high",
    "cao2016_school_refusal_history",
)
RATIOS = {
    "koyama / narrow": ("koyama_lifetime_20_49", "cao2016_narrow_15_39"),
    "mext 2015 / 1991": ("mext2015_refusal_junior_high", "mext1991_refusal_junior_high"),
    "broad 2016 / 2010": ("cao2016_broad_15_39", "cao2010_broad_15_39"),
}
PUBLISHED = {"koyama / narrow": 0.012 / 0.0051, "mext 2015 / 1991": 0.0283 / 0.0104}
PUBLISHED["broad 2016 / 2010"] = 0.0157 / 0.0179


def run(job: tuple[dict[str, float], int]) -> dict[str, Any]:
    overrides, seed = job
    return simulate(None, seed=seed, **{"run.years": 1, **overrides})


def probes() -> list[tuple[str, dict[str, float]]]:
    """The default, then each probed parameter halved and doubled."""
    scenario = Scenario()
    rows: list[tuple[str, dict[str, float]]] = [("default", {})]
    for key in PROBED:
        section, name = key.split(".")
        value = getattr(getattr(scenario, section), name)
        rows += [(f"{key} x{factor:g}", {key: value * factor}) for factor in FACTORS]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicates", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=1)
    args = parser.parse_args()
    seeds = range(args.first_seed, args.first_seed + args.replicates)
    plan = probes()
    jobs = [(overrides, seed) for _, overrides in plan for seed in seeds]
    # One run per core: each worker keeps its run to one thread (hikisim.threads).
    with ProcessPoolExecutor(initializer=threads.allow, initargs=(False,)) as pool:
        summaries = list(pool.map(run, jobs))
    header = ["probe", *SHOWN, *RATIOS]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for index, (label, _) in enumerate(plan):
        chunk = summaries[index * len(seeds) : (index + 1) * len(seeds)]
        means = {
            name: float(
                np.nanmean(
                    [np.nan if s["targets"][name] is None else s["targets"][name] for s in chunk]
                )
            )
            for name in SHOWN
        }
        ratios = [means[top] / means[bottom] for top, bottom in RATIOS.values()]
        cells = [f"{100 * means[name]:.2f}%" for name in SHOWN] + [f"{r:.2f}" for r in ratios]
        print(f"| {label} | " + " | ".join(cells) + " |")
    published = [f"{PUBLISHED[name]:.2f}" for name in RATIOS]
    print("| published | " + " | ".join(["" for _ in SHOWN]) + " | " + " | ".join(published) + " |")


if __name__ == "__main__":
    main()
