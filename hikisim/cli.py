"""The ``hikisim`` command line.

Bad input (a scenario file, an option, an experiment file) exits with code 2 and a
one-line reason on stderr, without a traceback and without writing any output. That
includes the usage errors the command-line library finds itself (an option that is not
an integer, out of its range, missing or unknown), which :func:`usage_error_line`
rewrites from the library's four-line report into the same one line. Ctrl-C
or SIGTERM stops the workers of a multi-run command and exits with 130 or 143, leaving
only whole result files behind.
"""

from __future__ import annotations

import shlex
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from tqdm import tqdm

from hikisim import stopping
from hikisim.cli_errors import PATH_ERRNOS, click_errors, os_error_line, usage_error_line
from hikisim.errors import InputError
from hikisim.locking import output_lock
from hikisim.output import check_output_folder
from hikisim.scenario import Scenario, load_scenario, parse_assignments
from hikisim.seeds import checked_seed as checked_run_seed
from hikisim.sweeps.executors import make_executor

if TYPE_CHECKING:
    from hikisim.economics.outcomes import AppraisalSettings
    from hikisim.economics.parameters import EconomicParameters


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


# More local worker processes than any machine has cores only queues work up; the bound
# keeps a typo from reaching the operating system as a number it cannot take.
MAX_WORKERS = 1024
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a scenario value, e.g. --set population.youths=2000."),
]
OutOption = Annotated[str, typer.Option("--out", help="Output folder.")]
SeedOption = Annotated[
    int | None,
    typer.Option(help="Random seed, 0 to 2**63-1 (default: the scenario's)."),
]


def prepare_psa(
    scenarios: list[Scenario],
    draws: int,
    replicates: int,
    base_seed: int,
    folder: Path,
    economics: EconomicParameters,
    posterior: str = "japan",
) -> Any:
    """The PSA design of ``compare --psa``, its folder checked before any run starts.

    ``posterior`` (``--posterior``) is a shipped posterior's name, a ``posterior.parquet``
    or ``none``.
    """
    from hikisim.calibration import POSTERIORS, load_posterior
    from hikisim.psa import PsaStore, load_priors, make_design, plan_of, posterior_priors

    priors = load_priors(economics)
    draws_from = None
    if posterior != "none":
        if posterior in POSTERIORS:
            draws_from = load_posterior(posterior)
        elif Path(posterior).suffix == ".parquet":
            draws_from = load_posterior(path=posterior)
        else:
            raise InputError(
                f"{posterior!r} is not allowed: one of {', '.join(POSTERIORS)}, none, or a "
                "posterior.parquet file",
                "--posterior",
            )
        priors = posterior_priors(priors, draws_from)
    for note in posterior_notes([scenario.name for scenario in scenarios], posterior):
        print(f"note: {note}", file=sys.stderr)
    design = make_design(priors, economics, draws, replicates, base_seed, draws_from)
    PsaStore(folder).prepare(plan_of(scenarios, design))
    return design


def posterior_notes(names: list[str], posterior: str) -> list[str]:
    """Scenarios whose natural history a shipped posterior of another place would draw.

    A regional preset (``hong_kong``, ``italy``) has a posterior of its own; any other
    scenario derives from the default Japanese baseline, fitted by ``japan``. Either
    drawn from another place's posterior gets that place's uncertainty around its values.

    Args:
        names: The compared scenarios' names.
        posterior: The ``--posterior`` value.

    Returns:
        One note per scenario drawn from another place's shipped posterior.
    """
    from hikisim.calibration import POSTERIORS

    if posterior not in POSTERIORS:
        return []  # none, or a user's own posterior file: nothing to say
    notes = []
    for name in names:
        own = name if name in POSTERIORS else "japan"
        if own != posterior:
            notes.append(
                f"scenario {name} is fitted by the {own} posterior; the PSA draws from "
                f"--posterior {posterior} (use --posterior {own} for its own)"
            )
    return notes


def run_probabilistic(
    scenarios: list[Scenario],
    design: Any,
    appraisal: AppraisalSettings,
    executor: Any,
    folder: Path,
    progress: Any,
    economics: EconomicParameters,
    shared_burn_in: bool = True,
) -> Any:
    """Run (or resume) the PSA of ``compare --psa`` and analyse it."""
    from hikisim.psa import run_psa
    from hikisim.psa_analysis import analyse_psa, run_outcomes

    runs = run_psa(scenarios, design, executor, folder, progress, shared_burn_in)
    outcomes = run_outcomes(runs, design, appraisal, economics)
    return analyse_psa(outcomes, design, scenarios, appraisal)


def appraisal_settings(discount: float, perspective: str, wtp: float) -> AppraisalSettings:
    """The economic settings of ``compare``; a bad one is named by its option.

    Raises:
        InputError: Naming the option and what it allows.
    """
    from hikisim.economics.outcomes import AppraisalSettings, SettingError

    options = {"discount_rate": "--discount", "perspective": "--perspective", "wtp": "--wtp"}
    try:
        return AppraisalSettings(discount, perspective, wtp)  # type: ignore[arg-type]
    except SettingError as error:
        raise InputError(str(error), options[error.field]) from None


def checked_seed(seed: int | None) -> int | None:
    """``--seed`` if it is in the range every seed must be in (0 to 2**63-1).

    The rule is :func:`hikisim.seeds.checked_seed`, the one the Python API applies.

    Raises:
        InputError: Naming ``--seed`` and the allowed range.
    """
    return None if seed is None else checked_run_seed(seed, "--seed")


def scenario_from_options(
    path: Path, seed: int | None, years: float | None, assignments: list[str] | None
) -> tuple[Scenario, dict[str, Any]]:
    """Load a scenario and apply ``--seed``, ``--years`` and ``--set`` options.

    Each kind of override is applied separately so that an error names the option it
    came from rather than the scenario file.

    Args:
        path: The scenario file.
        seed: ``--seed``, if given.
        years: ``--years``, if given.
        assignments: ``--set`` options.

    Returns:
        The validated scenario and every dotted override applied, for the record.
    """
    scenario = load_scenario(path)
    applied: dict[str, Any] = {}
    for source, overrides in (
        ("--set", parse_assignments(assignments or [])),
        ("--seed", {} if seed is None else {"run.seed": seed}),
        ("--years", {} if years is None else {"run.years": years}),
    ):
        if overrides:
            scenario = scenario.with_overrides(overrides, source)
            applied |= overrides
    return scenario, applied


def progress_bar(total: int, description: str) -> tqdm:
    """A progress bar on stderr."""
    return tqdm(total=total, desc=description, unit="wk", file=sys.stderr, leave=False)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.", metavar="SCENARIO.toml")],
    out: OutOption,
    seed: SeedOption = None,
    years: Annotated[float | None, typer.Option(help="Horizon in years.")] = None,
    set_: SetOption = None,
) -> None:
    """Run one scenario; write summary.json, weekly.csv, episodes.csv, yearly.csv, surveys.png."""
    from hikisim.model import HikiModel
    from hikisim.simulation import write_outputs

    settings, overrides = scenario_from_options(scenario, checked_seed(seed), years, set_)
    folder = check_output_folder(out)
    with output_lock(folder):
        model = HikiModel(settings)
        with progress_bar(model.total_weeks, settings.name) as bar:
            model.run(bar.update)
        model.finalize_log()
        summary = write_outputs(model, folder, overrides)
    for key in (
        "prevalence_15_39",
        "secondary_share",
        "school_refusal_rate",
        "person_years_withdrawn",
    ):
        typer.echo(f"{key:24s} {summary[key]:.4f}")
    typer.echo(f"wrote {out}/summary.json, weekly.csv, episodes.csv, yearly.csv, surveys.png")


ExperimentArgument = Annotated[
    Path, typer.Argument(help="Experiment TOML file.", metavar="EXPERIMENT.toml")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address, e.g. tcp://HOST:8786 (default: local pool)."),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(min=1, max=MAX_WORKERS, help="Local worker processes (default: all cores)."),
]


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
    discount: Annotated[
        float, typer.Option(help="Annual discount rate for costs and QALYs (Japan: 0.02).")
    ] = 0.02,
    perspective: Annotated[
        str, typer.Option(help="Cost perspective: payer or societal.")
    ] = "payer",
    wtp: Annotated[
        float, typer.Option(help="Willingness to pay, yen per QALY, for net monetary benefit.")
    ] = 5_000_000.0,
    psa: Annotated[
        int,
        typer.Option(help="Probabilistic sensitivity analysis: number of parameter draws."),
    ] = 0,
    psa_replicates: Annotated[
        int | None,
        typer.Option(
            help="Runs per scenario within each PSA draw (default: --replicates); 2 or more "
            "separate parameter variance from Monte Carlo noise."
        ),
    ] = None,
    posterior: Annotated[
        str,
        typer.Option(
            help="PSA: draw the natural history jointly from a calibration posterior: a "
            "shipped name (japan, the default baseline's own fit), a posterior.parquet, or "
            "none (independent placeholder priors)."
        ),
    ] = "japan",
    shared_burn_in: Annotated[
        bool,
        typer.Option(
            "--shared-burn-in/--no-shared-burn-in",
            help="Simulate the burn-in once per replicate and fork it per scenario "
            "(identical results; off runs each scenario from the start, for checking).",
        ),
    ] = True,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    set_: SetOption = None,
) -> None:
    """Compare scenarios: replicates under common random numbers, incremental analysis."""
    from hikisim.appraisal import incremental_markdown
    from hikisim.compare import (
        COMPARE_OUTPUTS,
        PSA_OUTPUTS,
        check_compare_folder,
        check_names,
        check_pairable,
        comparison_markdown,
        differences_note,
        run_comparison,
        write_comparison,
    )
    from hikisim.economics.parameters import load_economics

    appraisal = appraisal_settings(discount, perspective, wtp)
    economics = load_economics()
    settings = [scenario_from_options(path, None, years, set_)[0] for path in scenarios]
    check_names(settings)
    check_pairable(settings, [str(path) for path in scenarios])
    folder = check_output_folder(out)
    for note in differences_note(settings):
        typer.echo(f"hikisim: note: {note}", err=True)
    if not 0 <= psa <= 100_000:
        raise InputError(f"must be 0 (no PSA) to 100000 draws, got {psa}", "--psa")
    base_seed = settings[0].run.seed if checked_seed(seed) is None else seed
    inner = replicates if psa_replicates is None else psa_replicates
    if not 1 <= inner <= 1000:
        raise InputError(f"must be 1 to 1000, got {inner}", "--psa-replicates")
    total = len(settings) * (replicates + psa * inner)
    # The executor first: a bad scheduler is refused before anything is created.
    with make_executor(scheduler, workers) as executor, output_lock(folder):
        # Before any run: a compare without a PSA beside a PSA's runs is refused.
        check_compare_folder(folder, psa > 0)
        design = (
            prepare_psa(settings, psa, inner, base_seed, folder, economics, posterior)
            if psa
            else None
        )
        with tqdm(total=total, desc="compare", unit="run", file=sys.stderr, leave=False) as bar:
            results = run_comparison(
                settings,
                replicates,
                base_seed,
                progress=bar.update,
                executor=executor,
                shared_burn_in=shared_burn_in,
            )
            analysis = (
                run_probabilistic(
                    settings,
                    design,
                    appraisal,
                    executor,
                    folder,
                    bar.update,
                    economics,
                    shared_burn_in,
                )
                if design is not None
                else None
            )
        command = shlex.join(["hikisim", *sys.argv[1:]])
        table = write_comparison(
            results, base_seed, folder, appraisal, settings, command, analysis, economics
        )
    typer.echo(incremental_markdown(table, appraisal, settings[0].name))
    typer.echo(comparison_markdown(table))
    if analysis is not None:
        from hikisim.report import psa_section

        lines = psa_section(analysis, appraisal, settings[0].name, settings[0].population.youths)
        typer.echo("\n".join(line for line in lines if not line.startswith("![")))
    written = [name for name in COMPARE_OUTPUTS if analysis is not None or name not in PSA_OUTPUTS]
    typer.echo(f"wrote {out}/{', '.join(written)}")


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
    method: Annotated[
        str,
        typer.Option(
            help="bayes: history matching and ABC-SMC to a posterior; point: the secant "
            "fit of one lever per target."
        ),
    ] = "bayes",
    targets: Annotated[
        str | None, typer.Option(help="Targets file (default: the packaged targets-v2.toml).")
    ] = None,
    priors: Annotated[
        str | None,
        typer.Option(help="Calibration priors file (default: the packaged one). bayes only."),
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="One wave of 56 points (about 12 min on 2 cores).")
    ] = False,
    waves: Annotated[
        str | None, typer.Option(help="Points per history-matching wave, e.g. 128,96.")
    ] = None,
    abc_population: Annotated[
        int | None, typer.Option(help="Particles per ABC-SMC generation.")
    ] = None,
    predictive_draws: Annotated[
        int | None, typer.Option(help="Posterior draws the model is run at for the check.")
    ] = None,
    sampler: Annotated[
        str | None,
        typer.Option(
            help="auto (ABC-SMC up to 6 parameters, else importance), abc-smc, importance."
        ),
    ] = None,
    seeds: Annotated[
        int | None, typer.Option(help="point: replicates per evaluation (common seeds; 4).")
    ] = None,
    iterations: Annotated[
        int | None,
        typer.Option(help="point: most Newton steps (6); 0 only evaluates the scenario."),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(help="bayes: base seed; point: first replicate seed."),
    ] = None,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    set_: SetOption = None,
) -> None:
    """Calibrate the default baseline to the published targets (a posterior by default)."""
    if method not in ("bayes", "point"):
        raise InputError(f"{method!r} is not allowed: must be bayes or point", "--method")
    checked_seed(seed)
    overrides = parse_assignments(set_ or [])
    base = Scenario().with_overrides(overrides, "--set")
    command = shlex.join(["hikisim", "calibrate", *sys.argv[2:]])
    bayes_only = {
        "--targets": targets,
        "--priors": priors,
        "--quick": quick or None,
        "--waves": waves,
        "--abc-population": abc_population,
        "--predictive-draws": predictive_draws,
        "--sampler": sampler,
    }
    point_only = {"--seeds": seeds, "--iterations": iterations}
    unused = bayes_only if method == "point" else point_only
    for option, value in unused.items():
        if value is not None:
            raise InputError(f"is not an option of --method {method}", option)
    if method == "point":
        _point_calibration(
            out,
            base,
            4 if seeds is None else seeds,
            6 if iterations is None else iterations,
            seed,
            scheduler,
            workers,
            command,
        )
        return
    from hikisim.bayes.command import run_command, settings_from_options

    settings = settings_from_options(quick, waves, abc_population, predictive_draws, seed, sampler)
    report = run_command(
        out, base, overrides, targets, priors, settings, scheduler, workers, command
    )
    abc = report["abc"]
    typer.echo(f"posterior: {abc['particles']} draws, effective sample size {abc['final_ess']:.0f}")
    typer.echo(
        f"wrote {out}/posterior.parquet, diagnostics.json, predictive.csv, predictive.png, "
        "parameters.csv, representative.toml, calibration.md"
    )


def _point_calibration(
    out: str,
    base: Scenario,
    seeds: int,
    iterations: int,
    seed: int | None,
    scheduler: Any,
    workers: int | None,
    command: str,
) -> None:
    from hikisim import calibration

    calibration.check_options(seeds, iterations, workers)
    calibration.check_calendar(base)
    folder = check_output_folder(out)
    replicate_seeds = calibration.replicate_seeds(base.run.seed if seed is None else seed, seeds)
    total = calibration.planned_runs(seeds, iterations)
    with make_executor(scheduler, workers) as executor, output_lock(folder):
        with tqdm(total=total, desc="calibrate", unit="run", file=sys.stderr, leave=False) as bar:
            result = calibration.run_calibration(
                base, replicate_seeds, iterations, None, bar.update, executor=executor
            )
        rows = calibration.write_report(result, folder, command)
    for row in rows:
        inside = "inside" if row["inside_tolerance"] else "OUTSIDE"
        typer.echo(f"{row['target']:32s} {row['model_mean']:.4f}  ({inside} tolerance)")
    typer.echo(f"wrote {out}/calibration.csv, calibration.md, calibrated.toml, history.csv")


def main() -> None:
    """Entry point: run the app, turning bad input into exit code 2.

    The app runs outside click's standalone mode, so its usage errors reach this
    function instead of being printed as click's four lines (usage, hint, blank, error).
    """
    stopping.install()
    try:
        code = app(standalone_mode=False)
    except getattr(click_errors, "NoArgsIsHelpError", ()) as bare:  # () if click < 8.2
        # A bare ``hikisim`` asks for the help; click shows it and exits 2.
        bare.show()
        sys.exit(bare.exit_code)
    except click_errors.UsageError as error:
        line = usage_error_line(error, typer.main.get_command(app))
        typer.echo(f"hikisim: error: {line}", err=True)
        sys.exit(2)
    except click_errors.ClickException as error:
        typer.echo(f"hikisim: error: {error.format_message()}", err=True)
        sys.exit(error.exit_code)
    except typer.Abort:
        typer.echo("hikisim: aborted", err=True)
        sys.exit(1)
    except InputError as error:
        typer.echo(f"hikisim: error: {error}", err=True)
        sys.exit(2)
    except OSError as error:
        # A path in the way that no check foresaw (a folder where a file of an output
        # folder goes, say): one line naming it, not a traceback.
        typer.echo(f"hikisim: error: {os_error_line(error)}", err=True)
        sys.exit(2 if error.errno in PATH_ERRNOS else 1)
    except stopping.StopRequestedError as stop:
        typer.echo(
            f"hikisim: stopped by {signal.Signals(stop.signum).name}; workers stopped, "
            "whole result files kept (rerun the same command to resume)",
            err=True,
        )
        sys.exit(128 + stop.signum)
    # Outside standalone mode a command's result comes back rather than exiting:
    # None on success, or the code of a typer.Exit (``--help`` gives 0).
    sys.exit(code if isinstance(code, int) else 0)
