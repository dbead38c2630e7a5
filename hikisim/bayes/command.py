"""``hikisim calibrate``: option checks and the run behind the command line."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from hikisim import __version__
from hikisim.bayes.pipeline import FULL, QUICK, BayesSettings, run_bayesian_calibration
from hikisim.bayes.problem import make_problem
from hikisim.bayes.report import write_outputs
from hikisim.calibration import check_calendar
from hikisim.calibration_priors import default_priors_path, load_calibration_priors
from hikisim.errors import InputError
from hikisim.locking import output_lock
from hikisim.output import check_output_folder
from hikisim.scenario import Scenario
from hikisim.surveys import check_measurable
from hikisim.sweeps.executors import make_executor
from hikisim.targets import default_targets_path, load_targets

SAMPLERS = ("auto", "abc-smc", "importance")
# Bounds on the sizes a user may ask for: each point or draw is a model run, and a typo
# (99999999999) would otherwise try to allocate terabytes before the first run.
MIN_WAVE_POINTS = 5
MAX_WAVE_POINTS = 10_000
MAX_DRAWS = 100_000


def settings_from_options(
    quick: bool,
    waves: str | None,
    abc_population: int | None,
    predictive_draws: int | None,
    seed: int | None,
    sampler: str | None = None,
) -> BayesSettings:
    """The calibration's settings: ``--quick`` or the full fit, with explicit changes.

    Args:
        quick: ``--quick``.
        waves: ``--waves``, comma-separated points per wave (e.g. ``"128,96"``).
        abc_population: ``--abc-population``.
        predictive_draws: ``--predictive-draws``.
        seed: ``--seed``.
        sampler: ``--sampler``.

    Returns:
        The settings.

    Raises:
        InputError: Naming the option and what it allows.
    """
    settings = QUICK if quick else FULL
    if waves is not None:
        try:
            sizes = tuple(int(part) for part in waves.split(","))
        except ValueError:
            sizes = ()
        if not sizes or any(not MIN_WAVE_POINTS <= size <= MAX_WAVE_POINTS for size in sizes):
            raise InputError(
                f"{waves!r} is not allowed: comma-separated points per wave, each from "
                f"{MIN_WAVE_POINTS} (an emulator needs at least 5 runs) to {MAX_WAVE_POINTS:,}"
                " (a Gaussian-process emulator's cost grows with the cube of its runs)",
                "--waves",
            )
        settings = replace(settings, waves=sizes)
    if abc_population is not None:
        if not 20 <= abc_population <= MAX_DRAWS:
            raise InputError(
                f"must be from 20 to {MAX_DRAWS:,}, got {abc_population}", "--abc-population"
            )
        settings = replace(settings, abc_population=abc_population)
    if predictive_draws is not None:
        if not 1 <= predictive_draws <= MAX_DRAWS:
            raise InputError(
                f"must be from 1 to {MAX_DRAWS:,}, got {predictive_draws}", "--predictive-draws"
            )
        settings = replace(settings, predictive_draws=predictive_draws)
    if seed is not None:
        settings = replace(settings, seed=seed)
    if sampler is not None:
        if sampler not in SAMPLERS:
            raise InputError(
                f"{sampler!r} is not allowed: one of {', '.join(SAMPLERS)}", "--sampler"
            )
        settings = replace(settings, sampler=sampler)
    return settings


def run_command(
    out: str,
    base: Scenario,
    overrides: dict[str, Any],
    targets_file: str | None,
    priors_file: str | None,
    settings: BayesSettings,
    scheduler: Any,
    workers: int | None,
    command: str,
) -> dict[str, Any]:
    """Check the inputs, then run (or resume) a calibration and write its outputs.

    Every input is read and checked before anything is written.

    Args:
        out: ``--out``.
        base: The calibrated scenario (the defaults with ``--set``).
        overrides: The ``--set`` overrides, for the record.
        targets_file: ``--targets``, or None for the packaged targets.
        priors_file: ``--priors``, or None for the packaged priors.
        settings: How much work to do.
        scheduler: ``--scheduler``.
        workers: ``--workers``.
        command: The command line, for the record.

    Returns:
        The diagnostics (:func:`hikisim.bayes.report.write_outputs`).

    Raises:
        InputError: On bad input, before anything is written.
    """
    if workers is not None and workers < 1:
        raise InputError(f"must be at least 1, got {workers}", "--workers")
    targets_path = Path(targets_file) if targets_file else default_targets_path()
    targets = load_targets(targets_path)
    check_measurable(targets, str(targets_path))
    check_calendar(base, targets)
    priors_path = Path(priors_file) if priors_file else default_priors_path()
    priors = load_calibration_priors(priors_path)
    problem = make_problem(priors, targets, str(targets_path))
    folder = check_output_folder(out)
    facts = {
        "command": command,
        "scenario": base.name,
        "seed": settings.seed,
        "version": __version__,
        "overrides": overrides,
        "targets_file": _recorded_path(targets_path),
        "targets_sha256": _digest(targets_path),
        "priors_file": _recorded_path(priors_path),
        "priors_sha256": _digest(priors_path),
    }
    with output_lock(folder), make_executor(scheduler, workers) as executor:
        result = run_bayesian_calibration(
            folder,
            base,
            problem,
            settings,
            executor,
            targets=targets if targets_file else None,
        )
        report = write_outputs(result, folder, facts)
    return report


def _recorded_path(path: Path) -> str:
    """A path as recorded in the outputs: package files as ``hikisim/data/<name>``.

    A packaged file's absolute path differs from one clone to the next; recorded
    relative to the package, a shipped posterior names its inputs portably.
    """
    package = Path(__file__).resolve().parents[1]
    try:
        return (Path("hikisim") / path.resolve().relative_to(package)).as_posix()
    except ValueError:
        return str(path)


def _digest(path: Path) -> str:
    """The SHA-256 of a file's bytes (the inputs a posterior came from, exactly)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
