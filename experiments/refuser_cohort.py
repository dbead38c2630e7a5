"""Count the refusers behind ``mext_refuser_neet_at_20``: how many a town holds.

The target is the share, at 20 in March 2012, of people who refused school in their
third junior-high year. This steps a model to that month and counts them, at the default
size or in the calibration's measurement town (``--town``: six times the size, ages
10-39, run from 1990-04; ``NEET_AT_20_MEASUREMENT`` in ``hikisim/calibration.py``).

    .venv/bin/python experiments/refuser_cohort.py [--town] [--seeds 101 102 ...]

Prints a Markdown table.
"""

from __future__ import annotations

import argparse

import numpy as np

from hikisim.calibration import NEET_AT_20_MEASUREMENT
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR

SNAPSHOT = "2012-03"
TOWN_FACTOR = 6


def count(overrides: dict[str, object], seed: int) -> tuple[int, int]:
    """Final-year junior-high refusers aged 20 at the snapshot, and everyone aged 20."""
    model = HikiModel(Scenario().with_overrides(overrides), seed=seed)
    while model.calendar.date_of(model.week) != SNAPSHOT:
        model.step()
    y = model.population.youths
    aged_20 = y.age_weeks // WEEKS_PER_YEAR == 20
    return int(np.count_nonzero(y.refused_final_junior_high_year & aged_20)), int(aged_20.sum())


def main() -> None:
    """Count for each seed and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--town", action="store_true", help="the calibration's larger town")
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102, 103, 104, 105])
    args = parser.parse_args()
    overrides: dict[str, object] = {}
    if args.town:
        size = Scenario().population.youths * TOWN_FACTOR
        overrides = {**NEET_AT_20_MEASUREMENT, "population.youths": size}
    print("| seed | final-year refusers aged 20 | people aged 20 |")
    print("|---|---|---|")
    for seed in args.seeds:
        refusers, people = count(overrides, seed)
        print(f"| {seed} | {refusers} | {people} |")


if __name__ == "__main__":
    main()
