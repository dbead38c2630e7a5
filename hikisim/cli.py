"""The ``hikisim`` command line.

Bad input (a scenario file, an option, an experiment file) exits with code 2 and a
one-line reason on stderr, without a traceback and without writing any output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from hikisim.errors import InputError
from hikisim.scenario import Scenario, load_scenario, parse_assignment

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Agent-based simulation of hikikomori: run, compare, sweep and explore scenarios.",
)


@app.callback()
def _commands() -> None:
    """Agent-based simulation of hikikomori: run, compare, sweep and explore scenarios."""


SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a scenario value, e.g. --set population.youths=2000."),
]
OutOption = Annotated[Path, typer.Option("--out", help="Output directory.")]


def scenario_from_options(
    path: Path, seed: int | None, years: float | None, assignments: list[str] | None
) -> Scenario:
    """Load a scenario and apply ``--seed``, ``--years`` and ``--set`` options.

    Args:
        path: The scenario file.
        seed: ``--seed``, if given.
        years: ``--years``, if given.
        assignments: ``--set`` options.

    Returns:
        The validated scenario.
    """
    overrides = dict(parse_assignment(item) for item in assignments or [])
    if seed is not None:
        overrides["run.seed"] = seed
    if years is not None:
        overrides["run.years"] = years
    return load_scenario(path, **overrides)


def progress_bar(total: int, description: str) -> tqdm:
    """A progress bar on stderr."""
    return tqdm(total=total, desc=description, unit="wk", file=sys.stderr, leave=False)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.", metavar="SCENARIO.toml")],
    out: OutOption,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's).")] = None,
    years: Annotated[float | None, typer.Option(help="Horizon in years.")] = None,
    set_: SetOption = None,
) -> None:
    """Run one scenario and write summary.json, weekly.csv and episodes.csv to OUT."""
    from hikisim.model import HikiModel
    from hikisim.simulation import write_outputs

    settings = scenario_from_options(scenario, seed, years, set_)
    if out.exists() and not out.is_dir():
        raise InputError(f"{str(out)!r} exists and is not a directory", source="--out")
    model = HikiModel(settings)
    with progress_bar(model.total_weeks, settings.name) as bar:
        model.run(bar.update)
    model.finalize_log()
    summary = write_outputs(model, out)
    for key in (
        "prevalence_15_39",
        "secondary_share",
        "school_refusal_rate",
        "person_years_withdrawn",
    ):
        typer.echo(f"{key:24s} {summary[key]:.4f}")
    typer.echo(f"wrote {out}/summary.json, weekly.csv, episodes.csv")


@app.command()
def compare(
    scenarios: Annotated[
        list[Path],
        typer.Argument(
            help="Scenario files; the first is the reference.", metavar="A.toml B.toml ..."
        ),
    ],
    out: OutOption,
    replicates: Annotated[int, typer.Option(min=1, max=1000, help="Runs per scenario.")] = 5,
    seed: Annotated[
        int | None, typer.Option(help="Seed of replicate 0 (default: the first scenario's).")
    ] = None,
    years: Annotated[float | None, typer.Option(help="Horizon in years.")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: all cores).")
    ] = None,
    set_: SetOption = None,
) -> None:
    """Compare scenarios: replicates under common random numbers, 95% intervals, costs."""
    from hikisim.compare import (
        check_names,
        comparison_markdown,
        run_comparison,
        write_comparison,
    )

    settings = [scenario_from_options(path, None, years, set_) for path in scenarios]
    check_names(settings)
    base_seed = settings[0].run.seed if seed is None else seed
    total = len(settings) * replicates
    with tqdm(total=total, desc="compare", unit="run", file=sys.stderr, leave=False) as bar:
        results = run_comparison(settings, replicates, base_seed, workers, bar.update)
    table = write_comparison(results, base_seed, out)
    typer.echo(comparison_markdown(table))
    typer.echo(f"wrote {out}/comparison.csv, comparison.md, prevalence.png, cost_effectiveness.png")


@app.command()
def dashboard(
    host: Annotated[
        str, typer.Option(help="Address to serve on; localhost by default.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to serve on.")] = 8765,
) -> None:
    """Serve the classroom dashboard in the browser, offline (open http://HOST:PORT)."""
    from hikisim.dashboard.server import serve

    serve(host, port)


ExperimentArgument = Annotated[
    Path, typer.Argument(help="Experiment TOML file.", metavar="EXPERIMENT.toml")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address, e.g. tcp://HOST:8786 (default: local pool)."),
]
WorkersOption = Annotated[
    int | None, typer.Option(min=1, help="Local worker processes (default: all cores).")
]


@app.command()
def sweep(
    experiment: ExperimentArgument,
    out: OutOption,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Run an experiment's sweep into OUT, resuming whatever OUT already holds."""
    from hikisim.sweeps.api import execute_sweep

    tally = execute_sweep(experiment, out, scheduler, workers=workers)
    typer.echo(
        f"{tally.planned} runs: {tally.skipped} already done, {tally.ok} ok, "
        f"{tally.failed} failed, {tally.retries} retries; results in {out}/runs "
        "(load with hikisim.sweeps.load_results)"
    )
    if tally.failed:
        typer.echo(
            f"hikisim: {tally.failed} runs failed (see the error column); rerun to retry them",
            err=True,
        )
        raise typer.Exit(1)


@app.command()
def sensitivity(
    experiment: ExperimentArgument,
    out: OutOption,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Run a Morris or Sobol experiment (resuming OUT) and write sensitivity tables and a plot."""
    from hikisim.sweeps.sensitivity import markdown_table, run_sensitivity

    indices = run_sensitivity(experiment, out, scheduler, workers=workers)
    typer.echo(markdown_table(indices))
    typer.echo(f"wrote {out}/sensitivity.csv, sensitivity.md, sensitivity.png")


@app.command()
def calibrate(
    out: OutOption,
    seeds: Annotated[int, typer.Option(help="Replicates per evaluation (common seeds).")] = 4,
    iterations: Annotated[
        int, typer.Option(help="Most Newton steps; 0 only evaluates the scenario.")
    ] = 6,
    seed: Annotated[
        int | None, typer.Option(help="First replicate seed (default: the scenario's).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    set_: SetOption = None,
) -> None:
    """Fit the calibration levers of the default baseline to the published targets."""
    import shlex

    from hikisim import calibration

    calibration.check_options(seeds, iterations, workers)
    base = Scenario().with_overrides(dict(parse_assignment(item) for item in set_ or []), "--set")
    replicate_seeds = calibration.replicate_seeds(base.run.seed if seed is None else seed, seeds)
    total = calibration.planned_runs(seeds, iterations)
    with tqdm(total=total, desc="calibrate", unit="run", file=sys.stderr, leave=False) as bar:
        result = calibration.run_calibration(base, replicate_seeds, iterations, workers, bar.update)
    command = shlex.join(["hikisim", "calibrate", *sys.argv[2:]])
    for row in calibration.write_report(result, out, command):
        inside = "inside" if row["inside_tolerance"] else "OUTSIDE"
        typer.echo(f"{row['target']:32s} {row['model_mean']:.4f}  ({inside} tolerance)")
    typer.echo(f"wrote {out}/calibration.csv, calibration.md, calibrated.toml, history.csv")


def main() -> None:
    """Entry point: run the app, turning bad input into exit code 2."""
    try:
        app()
    except InputError as error:
        typer.echo(f"hikisim: error: {error}", err=True)
        sys.exit(2)
