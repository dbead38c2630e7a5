"""The Bayesian calibration from start to finish.

It runs waves of model runs, fits emulators, samples the posterior by ABC-SMC and checks
it with the model itself:

1. **Wave 1**: a Latin hypercube over the priors; every point is run in each
   measurement group (resumable batch, local pool or Dask).
2. **Emulate and history-match**: fit one Gaussian-process emulator per target to all
   runs so far, and rule out the space where the emulated model is implausible.
3. **Waves 2, ...**: place the next wave's points in the space not ruled out, run them,
   refit, cut again.
4. **ABC-SMC** (pyabc, exact stochastic acceptor) on the last emulators, over the
   priors: the posterior population with its weights.
5. **Posterior-predictive check**: run the model at draws from the posterior (another
   resumable batch) and set each target's predictive interval beside its published
   value.

Everything is written under ``--out`` (see :mod:`hikisim.bayes.report`); a rerun after
an interruption skips finished runs, and its later stages, which run no model, are
recomputed with the same seeds.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hikisim import __version__
from hikisim.bayes.abc_smc import AbcResult, emulator_simulator, run_abc
from hikisim.bayes.emulator import (
    TargetEmulator,
    fit_emulators,
    predict_shares,
    standardized_errors,
)
from hikisim.bayes.history import (
    WaveCut,
    candidates,
    cut,
    implausibility,
    next_design,
    space_filling,
)
from hikisim.bayes.importance import sample_posterior
from hikisim.bayes.problem import CalibrationProblem
from hikisim.bayes.runs import (
    batch_manifest,
    batch_outputs,
    batch_tasks,
    run_batch,
    unfitted_base,
)
from hikisim.datafile import read_json_object
from hikisim.errors import InputError
from hikisim.scenario import Scenario
from hikisim.sweeps.executors import Executor
from hikisim.sweeps.runner import Simulator
from hikisim.sweeps.storage import changed_fields, write_atomically
from hikisim.targets import Target

SETTINGS_FILE = "calibration.json"
ABC_FILE = "abc.npz"
ABC_MAX_PARAMETERS = 6
"""Above this many parameters ``auto`` samples by importance: pyabc's ABC-SMC collapsed
its effective sample size to a few particles with the 24 of the Japanese fit."""
ABC_STREAM = 0x414243  # "ABC": the sampler's streams, apart from the designs'


def save_abc(result: AbcResult, path: Path) -> None:
    """Store an ABC-SMC result atomically (particles, weights, schedule)."""
    schedule = result.generations.to_json(orient="records")

    def write(temp: Path) -> None:
        with temp.open("wb") as handle:
            np.savez(
                handle,
                unit=result.unit,
                weights=result.weights,
                schedule=np.array(schedule),
                exact=np.array(result.reached_exact),
            )

    write_atomically(path, write)


def load_abc(path: Path) -> AbcResult | None:
    """A stored ABC-SMC result, or None if there is none yet."""
    if not path.is_file():
        return None
    with np.load(path) as stored:
        generations = pd.read_json(io.StringIO(str(stored["schedule"])), orient="records")
        return AbcResult(
            unit=stored["unit"],
            weights=stored["weights"],
            generations=generations,
            reached_exact=bool(stored["exact"]),
        )


@dataclass(frozen=True)
class BayesSettings:
    """How much work a calibration does.

    Attributes:
        waves: Design points per history-matching wave.
        candidates: Points searched per wave for non-implausible space.
        abc_population: Particles per ABC-SMC generation (the posterior's draws).
        abc_generations: Most ABC-SMC generations.
        predictive_draws: Posterior draws the model is run at for the predictive check.
        seed: Base seed of designs, emulators, sampler and draws.
        sampler: ``abc-smc`` (pyabc), ``importance`` (adaptive importance sampling of
            the emulated likelihood), or ``auto``: ABC-SMC up to
            :data:`ABC_MAX_PARAMETERS` parameters, importance sampling above.
    """

    waves: tuple[int, ...] = (128, 96, 64)
    candidates: int = 20_000
    abc_population: int = 1000
    abc_generations: int = 15
    predictive_draws: int = 32
    seed: int = 20261203
    sampler: str = "auto"


FULL = BayesSettings()
"""The full fit: 288 points (576 runs) and 32 predictive points (64 runs), about 80 minutes
on 2 cores (docs/calibration.md)."""
QUICK = BayesSettings(waves=(56,), abc_population=500, predictive_draws=8)
"""``--quick``: one wave of 56 points (112 runs) and 8 predictive points (16 runs); 711 s
on 2 cores (docs/calibration.md). Its emulators are cruder, so its posterior is wider."""


@dataclass
class WaveRecord:
    """What one wave did, for the diagnostics.

    Attributes:
        wave: Its number, from 1.
        points: Design points run.
        failed: Points with a target that no run measured.
        cut: The cut its emulators made.
        validation: The previous wave's emulators' standardized errors on this wave's
            runs (:func:`~hikisim.bayes.emulator.standardized_errors`); None for wave 1.
    """

    wave: int
    points: int
    failed: int
    cut: WaveCut
    validation: np.ndarray | None = None


@dataclass
class BayesResult:
    """Everything the report needs.

    Attributes:
        problem: The calibration problem.
        settings: Its settings.
        waves: Each wave's record.
        emulators: The last emulators.
        abc: The ABC-SMC result.
        predictive_unit: The posterior draws the model was run at.
        predictive: The targets measured at those draws, shape (draws, targets).
        emulated: Emulated model means over the whole posterior, shape
            (particles, targets).
        design_unit: Every design point run, on the unit cube.
        design_outputs: Their measured targets.
        extra: Facts recorded in the outputs (command, scenario, overrides, ...).
    """

    problem: CalibrationProblem
    settings: BayesSettings
    waves: list[WaveRecord]
    emulators: dict[str, TargetEmulator]
    abc: AbcResult
    predictive_unit: np.ndarray
    predictive: np.ndarray
    emulated: np.ndarray
    design_unit: np.ndarray
    design_outputs: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    def posterior(self) -> pd.DataFrame:
        """The posterior: one row per draw, ``weight`` and one column per dotted key."""
        frame = pd.DataFrame(
            {
                prior.key: prior.value_at(self.abc.unit[:, column])
                for column, prior in enumerate(self.problem.priors)
            }
        )
        frame.insert(0, "weight", self.abc.weights)
        return frame


def check_settings_file(out: Path, facts: dict[str, Any]) -> None:
    """Refuse a folder that holds another calibration; record this one's settings.

    Args:
        out: The output folder.
        facts: What fixes the calibration's results (hashed).

    Raises:
        InputError: If ``out`` holds a calibration with other settings or targets.
    """
    path = out / SETTINGS_FILE
    facts = json.loads(json.dumps(facts))  # as stored: tuples become lists
    digest = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]
    record = {"hash": digest, **facts}
    if path.is_file():
        existing = read_json_object(path, "calibration record")
        if existing.get("hash") != digest:
            changed = changed_fields({k: existing.get(k) for k in facts}, facts)
            raise InputError(
                f"holds a calibration with other settings (changed: {', '.join(changed)}); "
                "results are never mixed, so use a new --out folder or delete this one",
                str(out),
            )
        return
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(record, indent=1) + "\n"
    write_atomically(path, lambda temp: temp.write_text(text))


def run_bayesian_calibration(
    out: Path,
    base: Scenario,
    problem: CalibrationProblem,
    settings: BayesSettings,
    executor: Executor,
    targets: Mapping[str, Target] | None = None,
    progress: bool = True,
    say: Callable[[str], Any] | None = None,
    simulator: Simulator | None = None,
) -> BayesResult:
    """Run (or resume) a calibration into ``out``.

    Args:
        out: The output folder.
        base: The calibrated scenario (fitted parameters are overridden per run).
        problem: Priors, targets and measurement groups.
        settings: How much work to do.
        executor: Where model runs execute.
        targets: The targets to measure, when not the packaged file's.
        progress: Show progress bars.
        say: Where one-line progress notes go (default: stderr).
        simulator: Replaces the model (tests use closed forms).

    Returns:
        The result (written by :func:`hikisim.bayes.report.write_outputs`).
    """
    say = say or _to_stderr
    check_settings_file(
        out,
        {
            "settings": asdict(settings),
            "parameters": [[p.key, p.distribution, p.low, p.high] for p in problem.priors],
            "targets": {n: [t.value, list(t.tolerance), t.n] for n, t in problem.targets.items()},
            "base": unfitted_base(base, problem.keys),
            "version": __version__,
        },
    )
    dims = len(problem.priors)
    observed, scales = problem.observed(), problem.scales()
    units: list[np.ndarray] = []
    outputs: list[np.ndarray] = []
    waves: list[WaveRecord] = []
    emulators: dict[str, TargetEmulator] = {}
    design = space_filling(settings.waves[0], dims, settings.seed)
    for wave, size in enumerate(settings.waves, start=1):
        folder = out / f"wave-{wave}"
        if wave > 1:
            stored = _stored_design(folder)
            design = (
                stored
                if stored is not None
                else next_design(waves[-1].cut, size, settings.seed + wave)
            )
        measured = _run(
            folder,
            f"wave-{wave}",
            problem,
            base,
            design,
            settings.seed + wave,
            executor,
            targets,
            progress,
            simulator,
            say,
        )
        validation = standardized_errors(emulators, design, measured) if emulators else None
        units.append(design)
        outputs.append(measured)
        all_unit, all_out = np.vstack(units), np.vstack(outputs)
        emulators = fit_emulators(
            all_unit, all_out, problem.target_names, settings.seed, recent=len(design)
        )
        search = candidates(settings.candidates, dims, settings.seed + 1000 * wave)
        means, variances = predict_shares(emulators, search)
        wave_cut = cut(search, implausibility(means, variances, observed, scales))
        failed = int(np.isnan(measured).any(axis=1).sum())
        waves.append(WaveRecord(wave, len(design), failed, wave_cut, validation))
        say(
            f"wave {wave}: emulators on {len(all_unit)} points; "
            f"{wave_cut.kept:.1%} of the space not ruled out (cut on the "
            f"{_ordinal(wave_cut.order)} largest implausibility)"
        )
    abc = load_abc(out / ABC_FILE)
    if abc is None and sampler_of(settings, dims) == "importance":
        say("adaptive importance sampling of the emulated posterior")
        abc = sample_posterior(emulators, dims, observed, scales, settings.seed)
        save_abc(abc, out / ABC_FILE)
    elif abc is None:
        say(f"ABC-SMC on the emulators: {settings.abc_population} particles a generation")
        # Streams of their own: the emulators' noise and the predictive draws share
        # nothing with the designs (seeded with settings.seed itself).
        noise = np.random.SeedSequence([settings.seed, ABC_STREAM]).spawn(2)[0]
        abc = run_abc(
            emulator_simulator(emulators, dims, np.random.default_rng(noise)),
            dims,
            observed,
            scales,
            settings.abc_population,
            settings.abc_generations,
            settings.seed,
        )
        # Stored before the predictive runs, so a resume runs them at the same draws
        # whatever floating-point noise a refit of the emulators might bring.
        save_abc(abc, out / ABC_FILE)
    else:
        say(f"ABC-SMC: reusing the population in {out / ABC_FILE}")
    picks = np.random.SeedSequence([settings.seed, ABC_STREAM]).spawn(2)[1]
    draws = np.random.default_rng(picks).choice(
        len(abc.weights), size=settings.predictive_draws, replace=True, p=abc.weights
    )
    predictive_unit = abc.unit[draws]
    predictive = _run(
        out / "predictive",
        "predictive",
        problem,
        base,
        predictive_unit,
        settings.seed + 99,
        executor,
        targets,
        progress,
        simulator,
        say,
    )
    emulated, _ = predict_shares(emulators, abc.unit)
    return BayesResult(
        problem,
        settings,
        waves,
        emulators,
        abc,
        predictive_unit,
        predictive,
        emulated,
        np.vstack(units),
        np.vstack(outputs),
    )


def _run(
    folder: Path,
    kind: str,
    problem: CalibrationProblem,
    base: Scenario,
    design: np.ndarray,
    seed: int,
    executor: Executor,
    targets: Mapping[str, Target] | None,
    progress: bool,
    simulator: Simulator | None,
    say: Callable[[str], Any],
) -> np.ndarray:
    manifest = batch_manifest(kind, problem, base, design, seed)
    tasks = batch_tasks(problem, base, design, seed)
    run_batch(folder, manifest, tasks, executor, targets, progress, simulator, say)
    return batch_outputs(folder, problem, len(design))


def _stored_design(folder: Path) -> np.ndarray | None:
    """A wave's design as first written (a resume reuses it rather than recomputing)."""
    path = folder / "manifest.json"
    if not path.is_file():
        return None
    manifest = read_json_object(path, "wave manifest")
    try:
        return np.array(manifest["experiment"]["points"], dtype=float)
    except (KeyError, TypeError, ValueError):
        raise InputError(
            "is not the wave manifest hikisim wrote (no design points); delete the folder or "
            "use a new --out folder",
            str(path),
        ) from None


def sampler_of(settings: BayesSettings, dims: int) -> str:
    """The sampler a calibration uses: ``abc-smc`` or ``importance``."""
    if settings.sampler != "auto":
        return settings.sampler
    return "abc-smc" if dims <= ABC_MAX_PARAMETERS else "importance"


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _ordinal(order: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(order, f"{order}th")
