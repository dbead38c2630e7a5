"""Run a sweep from Python and summarise it with pandas.

    .venv/bin/python experiments/sweep_example.py [--scheduler tcp://HOST:8786]

It runs ``example_sweep.toml`` (resuming ``results/example_sweep`` if it exists), then
prints the mean and spread of each outcome per design point, the weekly prevalence of
one point, and a variant of the experiment built in Python.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hikisim.sweeps import load_experiment, load_weekly, run_sweep

HERE = Path(__file__).resolve().parent
EXPERIMENT = HERE / "example_sweep.toml"
OUT = HERE.parent / "results"
PARAMETERS = ["dynamics.peer_weight", "family.overprotection_weight"]
OUTCOMES = ["prevalence_15_39", "person_years_withdrawn"]


def main(scheduler: str | None) -> None:
    # One row per run: run_id, point, replicate, seed, parameters, outcomes, status.
    results = run_sweep(EXPERIMENT, OUT / "example_sweep", scheduler)
    ok = results[results["status"] == "ok"]
    print(f"{len(ok)} of {len(results)} runs ok")
    print(ok.groupby(PARAMETERS)[OUTCOMES].agg(["mean", "std"]).round(4).to_string())

    # Weekly series, one row per run and week, for the runs of one design point. The
    # point column picks it out; one parameter's value is shared by several points.
    point = ok["point"].min()
    runs = ok[ok["point"] == point]
    values = ", ".join(f"{name}={runs[name].iloc[0]}" for name in PARAMETERS)
    print(f"weekly prevalence at point {point} ({values}), one column per replicate:")
    weekly = load_weekly(OUT / "example_sweep")
    first_point = weekly[weekly["run_id"].isin(runs["run_id"])]
    yearly = first_point[first_point["week"] % 52 == 0]
    print(yearly.pivot_table(index="week", columns="run_id", values="prevalence_15_39"))

    # Experiments are pydantic objects: derive a variant in code, then sweep it.
    experiment = load_experiment(EXPERIMENT)
    variant = experiment.model_copy(update={"name": "example-sweep-3-replicates", "replicates": 3})
    more = run_sweep(variant, OUT / "example_sweep_3_replicates", scheduler, progress=False)
    print(f"variant: {len(more)} runs, mean prevalence {more['prevalence_15_39'].mean():.4f}")


if __name__ == "__main__":  # required: the worker pool re-imports this file
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", help="Dask scheduler address (default: local pool)")
    main(parser.parse_args().scheduler)
