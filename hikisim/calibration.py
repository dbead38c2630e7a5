"""Calibration: fit a few scenario levers so a default run reproduces published targets.

The targets ship with the package as ``hikisim/data/targets-v2.toml`` (a copy of the
project's shared file); each says how its source measured people, and the model measures
itself the same way (:mod:`hikisim.surveys`, reported in ``summary.json["targets"]``).
Some targets are paired with one lever, a scenario parameter that moves it monotonically;
the others are reported beside them as checks the levers do not aim at. The fit is a
damped secant iteration on a diagonal mapping (each lever steers only its own target), on
the levers' transformed scales (logits for probabilities):

1. evaluate the model at the current levers, under common random numbers: the same seeds
   in every evaluation, so differences between evaluations are not seed noise;
2. on the first iteration, probe each lever by a fixed step to get the slope of its
   target; a lever whose probe does not move its target in the expected direction is
   frozen and reported, since a secant step on a flat or reversed slope diverges;
3. step every lever towards its target, damped and capped per lever;
4. after each step, replace each slope by the secant through the last two evaluations
   when that secant has the expected sign.

A diagonal mapping ignores the cross effects of the levers, which the repeated
evaluations absorb; unlike a full Newton step, it keeps a target the levers cannot reach
from dragging the other levers along.

The best evaluation (fewest targets outside tolerance, then the smallest root-mean-square
standardized distance to the published values) is reported, with per-target means,
intervals across seeds and the iteration history.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hikisim.clock import Calendar, shift_month
from hikisim.errors import InputError
from hikisim.intervals import mean_interval
from hikisim.programmes import REGISTRY
from hikisim.scenario import Scenario, scenario_value, validate_scenario
from hikisim.seeds import wrapped_seed
from hikisim.simulation import simulate
from hikisim.states import WEEKS_PER_YEAR
from hikisim.surveys import required_snapshot_dates
from hikisim.sweeps.executors import Executor, make_executor
from hikisim.targets import Target as SurveyTarget
from hikisim.targets import load_targets as load_survey_targets

CONVERGED_DISTANCE = 0.25
"""Stop once every target mean is within this fraction of its tolerance half-width."""


@dataclass(frozen=True)
class Target:
    """A published figure the baseline should reproduce.

    Attributes:
        name: The summary key the model reports it under.
        value: The published value.
        tolerance: Lowest and highest acceptable model mean.
        source: Where the figure comes from.
    """

    name: str
    value: float
    tolerance: tuple[float, float]
    source: str

    def inside(self, mean: float) -> bool:
        """Whether a model mean lies within the tolerance."""
        return self.tolerance[0] <= mean <= self.tolerance[1]

    def distance(self, mean: float) -> float:
        """Signed distance from the published value, in tolerance half-widths.

        The tolerance may be asymmetric, so the half-width on the side of the mean is
        used: -1 and +1 are the tolerance bounds.
        """
        if math.isnan(mean):  # no run could measure it: as far as can be
            return math.inf
        low, high = self.tolerance
        width = (high - self.value) if mean >= self.value else (self.value - low)
        return (mean - self.value) / width if width > 0 else math.inf


@dataclass(frozen=True)
class Lever:
    """A scenario parameter fitted to one target.

    Attributes:
        target: The target it is fitted to.
        key: Dotted scenario key.
        transform: Scale the iteration works on: ``logit`` for probabilities.
        step: Finite-difference probe step, on the transformed scale.
        lower: Lowest allowed value, on the natural scale.
        upper: Highest allowed value, on the natural scale.
        direction: Expected sign of d(target)/d(lever); checked on the probe.
        overrides: Extra overrides defining the scenario the target is measured in.
        population_factor: The target is measured in a population this many times the
            calibrated scenario's (with ``overrides``), for a measure whose
            denominator is too small at the default size.
    """

    target: str
    key: str
    transform: Literal["identity", "logit"]
    step: float
    lower: float
    upper: float
    direction: int = 1
    overrides: dict[str, Any] = field(default_factory=dict)
    population_factor: float = 1.0

    def to_internal(self, value: float) -> float:
        """Natural value to the transformed scale."""
        if self.transform == "logit":
            value = min(max(value, 1e-9), 1 - 1e-9)
            return math.log(value / (1.0 - value))
        return value

    def to_value(self, internal: float) -> float:
        """Transformed value back to the natural scale."""
        if self.transform == "logit":
            return 1.0 / (1.0 + math.exp(-internal))
        return internal

    def measured_with(self) -> tuple[tuple[str, Any], ...]:
        """A hashable key for the scenario the target is measured in."""
        key = sorted(self.overrides.items())
        if self.population_factor != 1.0:
            key.append((POPULATION_FACTOR, self.population_factor))
        return tuple(key)

    @property
    def intervention(self) -> str | None:
        """The intervention the measurement scenario switches on, if any."""
        for key in self.overrides:
            if key.startswith("interventions."):
                return key.split(".")[1]
        return None


POPULATION_FACTOR = "population_factor"
"""The key under which a lever's population factor joins its measurement group."""

# The NEET share at 20 of one cohort's final-year junior-high refusers: a cohort of the
# default size holds 0-11 such refusers, too few to fit or to judge. It is measured in a
# town six times as large, ages 10-39 only (the cohort is 20), run from 1990-04 to just
# after the March 2012 snapshot: the cohort enters at 10 in 2001, so its whole course from
# 10 to 20 is simulated; 84-112 such refusers at seeds 101-105 with the current defaults
# (experiments/refuser_cohort.py --town).
NEET_AT_20_MEASUREMENT = {
    "population.max_age": 39,
    "run.present": "2012-04",
    "run.burn_in_years": 22,
    "run.years": 0.1,
}

LEVERS: tuple[Lever, ...] = (
    Lever("cao2016_broad_15_39", "dynamics.progress_base", "identity", 0.3, -12.0, -2.0),
    # Long episodes settle at deepen / (deepen + lighten) narrow, whatever their start.
    Lever("cao2016_narrow_15_39", "dynamics.deepen_rate", "logit", 0.4, 1e-4, 0.05),
    # Leaving work is the trigger most often cited by people withdrawn after 40.
    Lever("cao2019_broad_40_64", "labour.job_loss_rate", "logit", 0.4, 1e-4, 0.02),
    # The pandemic did not protect anyone: the effect may be nil, not negative.
    Lever("cao2022_broad_15_39", "society.covid_effect", "identity", 0.5, 0.0, 5.0),
    # A latent disorder never protects: the floor is no effect on progression.
    Lever(
        "koyama_disorder_share", "individual.disorder_progress_weight", "identity", 0.5, 0.0, 5.0
    ),
    Lever("mext2015_refusal_junior_high", "school.refusal_start", "logit", 0.4, 1e-6, 0.05),
    Lever(
        "mext2023_refusal_junior_high", "school.refusal_policy_effect", "identity", 0.3, -2.0, 3.0
    ),
    # Relative to full internet use: a stronger effect lowers 1991 and hardly moves 2015.
    Lever(
        "mext1991_refusal_junior_high",
        "school.refusal_internet_effect",
        "identity",
        0.3,
        -2.0,
        3.0,
        direction=-1,
    ),
    Lever(
        "mext2023_refusal_elementary_5_6",
        "school.refusal_elementary_ratio",
        "identity",
        0.1,
        0.05,
        2.0,
    ),
    # A refusal history raises later onset modestly: at most the crude odds ratio of
    # about 6 between cases and non-cases (a logit of 1.8), and never protects.
    Lever(
        "cao2016_school_refusal_history",
        "school.refusal_history_weight",
        "identity",
        0.3,
        0.0,
        1.8,
    ),
    # Refusers who struggle at the school-to-work transition are the ones neither
    # studying nor working at 20 (dropout, at its floor in the first v2 fit, cannot lower
    # it); the floor keeps struggling a risk, never a help.
    Lever(
        "mext_refuser_neet_at_20",
        "school.struggle_weight",
        "identity",
        0.4,
        0.0,
        5.0,
        overrides=NEET_AT_20_MEASUREMENT,
        population_factor=6.0,
    ),
    Lever("kondo_no_service_use", "care.youth_uptake", "logit", 0.4, 0.02, 0.98, direction=-1),
)


def load_targets() -> dict[str, Target]:
    """The published targets shipped with the package (``targets-v2.toml``).

    Returns:
        Targets keyed by their name in the file (and in ``summary.json["targets"]``).
    """
    return {
        name: Target(name, target.value, tuple(target.tolerance), target.source)
        for name, target in load_survey_targets().items()
    }


POSTERIORS = ("japan", "hong_kong", "italy")
"""The posteriors shipped with the package (``hikisim/data/posteriors/<name>.parquet``):
the Japanese fit of the default baseline, and the regional transfers (two parameters
refitted to one survey figure each; ``scenarios/presets/<name>.toml``)."""


def posterior_path(name: str) -> Path:
    """Where a shipped posterior lives.

    Raises:
        InputError: If no posterior of that name is shipped.
    """
    if name not in POSTERIORS:
        raise InputError(f"{name!r} is not allowed: one of {', '.join(POSTERIORS)}", "name")
    return Path(str(resources.files("hikisim") / "data" / "posteriors" / f"{name}.parquet"))


def load_posterior(name: str = "japan", path: str | Path | None = None) -> pd.DataFrame:
    """A calibration posterior: one row per draw, ``weight``, one column per dotted key.

    Args:
        name: A shipped posterior (see :data:`POSTERIORS`); ``"japan"`` is the fit of the
            default baseline to ``targets-v2.toml``, ``"hong_kong"`` and ``"italy"`` the
            regional transfers.
        path: A ``posterior.parquet`` written by ``hikisim calibrate`` instead.

    Returns:
        The draws, in the format of ``posterior.parquet``; ``frame.attrs["hikisim"]``
        holds what produced them (command, seed, version, representative draw).

    Raises:
        InputError: If the file is missing or is not a posterior.
    """
    source = Path(path) if path is not None else posterior_path(name)
    if not source.is_file():
        raise InputError(
            f"no such posterior file; give a shipped posterior ({', '.join(POSTERIORS)}) "
            "or the posterior.parquet of a hikisim calibrate run",
            str(source),
        )
    try:
        table = pq.read_table(source)
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"cannot read a posterior: {error}", str(source)) from None
    frame = table.to_pandas()
    if "weight" not in frame or len(frame.columns) < 2:
        raise InputError("not a posterior: needs a weight column and parameters", str(source))
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    bad = [column for column in frame if numeric[column].isna().any()]
    if bad:
        raise InputError("not a posterior: values must be numbers", str(source), bad[0])
    weights = numeric["weight"].to_numpy(dtype=float)
    if not (np.isfinite(weights).all() and (weights >= 0).all() and weights.sum() > 0):
        raise InputError(
            "not a posterior: weights must be finite, non-negative and not all 0",
            str(source),
            "weight",
        )
    values = numeric.drop(columns="weight").to_numpy(dtype=float)
    if not np.isfinite(values).all():
        column = next(c for c in frame if c != "weight" and not np.isfinite(numeric[c]).all())
        raise InputError("not a posterior: values must be finite numbers", str(source), column)
    frame.attrs["hikisim"] = _posterior_metadata(table, len(frame), str(source))
    return frame


def _posterior_metadata(table: pa.Table, draws: int, source: str) -> dict[str, Any]:
    """The ``hikisim`` metadata of a posterior file, checked (empty if it has none)."""
    raw = (table.schema.metadata or {}).get(b"hikisim")
    if not raw:
        return {}
    try:
        meta = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        meta = None
    if not isinstance(meta, dict):
        raise InputError(
            "not a posterior: its hikisim metadata must be a JSON object", source, "metadata"
        )
    draw = meta.get("representative_draw", 0)
    if isinstance(draw, bool) or not isinstance(draw, int) or not 0 <= draw < draws:
        raise InputError(
            f"must be a draw number from 0 to {draws - 1}, got {draw!r}",
            source,
            "representative_draw",
        )
    return meta


def active_levers(targets: dict[str, Target]) -> tuple[list[Lever], list[str]]:
    """Levers whose target is published and whose measurement scenario can be built.

    Args:
        targets: The published targets.

    Returns:
        The usable levers, and a note for each target that cannot be calibrated.
    """
    levers, notes = [], []
    for lever in LEVERS:
        if lever.target not in targets:
            continue
        if lever.intervention is not None and lever.intervention not in REGISTRY:
            notes.append(f"{lever.target}: intervention {lever.intervention!r} is not available")
            continue
        levers.append(lever)
    paired = {lever.target for lever in LEVERS}
    notes += [f"{name}: no lever is defined for it" for name in targets if name not in paired]
    return levers, notes


def run_replicate(job: tuple[dict[str, Any], int]) -> dict[str, Any]:
    """Run one replicate; a module-level function so worker processes can import it.

    Args:
        job: Scenario data (a ``model_dump``) and the seed.

    Returns:
        The run's summary.
    """
    data, seed = job
    return simulate(validate_scenario(data, "calibration"), seed=seed)


def replicate_seeds(base: int, count: int) -> list[int]:
    """The seeds of ``count`` replicates: ``base + i``, wrapped into 0..2**63-1."""
    return [wrapped_seed(base + index) for index in range(count)]


class Evaluator:
    """Runs the levers' measurement scenarios over a fixed set of seeds.

    Args:
        base: The scenario being calibrated.
        levers: The levers and how their targets are measured.
        seeds: The seeds, the same for every evaluation (common random numbers).
        executor: Runs replicates, for example a process pool.
        progress: Called once per finished replicate.
    """

    def __init__(
        self,
        base: Scenario,
        levers: Sequence[Lever],
        seeds: Sequence[int],
        executor: Executor,
        progress: Callable[[int], Any] | None = None,
    ) -> None:
        self.base = base
        self.levers = list(levers)
        self.seeds = list(seeds)
        self.executor = executor
        self.progress = progress
        self.groups = sorted({lever.measured_with() for lever in self.levers})

    @property
    def runs_per_evaluation(self) -> int:
        """Replicates run by one evaluation."""
        return len(self.groups) * len(self.seeds)

    def __call__(self, values: Sequence[float]) -> np.ndarray:
        """Each target's outcome in each replicate, at the given lever values.

        Args:
            values: One natural-scale value per lever.

        Returns:
            Array of shape (levers, seeds).
        """
        settings = {lever.key: value for lever, value in zip(self.levers, values, strict=True)}
        futures = {}
        for group in self.groups:
            overrides = dict(group)
            factor = overrides.pop(POPULATION_FACTOR, 1.0)
            if factor != 1.0:
                size = round(self.base.population.youths * factor)
                overrides["population.youths"] = size
            scenario = self.base.with_overrides({**settings, **overrides}, "calibration")
            data = scenario.model_dump()
            futures[group] = [
                self.executor.submit(run_replicate, (data, seed), "calibrate")
                for seed in self.seeds
            ]
        summaries: dict[tuple[tuple[str, Any], ...], list[dict[str, Any]]] = {}
        for group, jobs in futures.items():
            summaries[group] = []
            for job in jobs:
                self.executor.wait([job])
                summaries[group].append(self.executor.result(job))
                if self.progress is not None:
                    self.progress(1)
        # Every target, not only the levers', is kept from the baseline group's runs so
        # the report can show the targets no lever aims at.
        first = summaries[()] if () in summaries else next(iter(summaries.values()))
        self.last_all = {
            name: np.array([_target_value(s, name) for s in first]) for name in first[0]["targets"]
        }
        return np.array(
            [
                [_target_value(s, lever.target) for s in summaries[lever.measured_with()]]
                for lever in self.levers
            ]
        )


def _target_value(summary: dict[str, Any], name: str) -> float:
    """A target's value in a run's summary; NaN where the run could not measure it."""
    value = summary["targets"].get(name)
    return math.nan if value is None else float(value)


def newton_step(
    z: np.ndarray,
    residual: np.ndarray,
    jacobian: np.ndarray,
    damping: float,
    max_step: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """One damped, capped Newton step on the transformed lever scale.

    Args:
        z: Current levers, transformed.
        residual: Published values minus model means.
        jacobian: d(means)/d(z), one row per target.
        damping: Fraction of the full step taken.
        max_step: Largest move per lever.
        bounds: Lowest and highest allowed z.

    Returns:
        The new transformed levers.
    """
    full = np.linalg.lstsq(jacobian, residual, rcond=None)[0]
    move = np.clip(damping * full, -max_step, max_step)
    return np.clip(z + move, *bounds)


def secant_update(
    slopes: np.ndarray, dz: np.ndarray, df: np.ndarray, directions: np.ndarray
) -> np.ndarray:
    """Each lever's secant slope through its last two evaluations, where it is usable.

    Args:
        slopes: Current slope of each target with respect to its own lever.
        dz: The step each lever took, transformed.
        df: The observed change in each target mean.
        directions: Expected sign of each slope; 0 for a frozen lever.

    Returns:
        Updated slopes: the secant where the lever moved and the secant has the expected
        sign, otherwise the previous slope.
    """
    moved = dz != 0.0
    secant = np.divide(df, dz, out=np.zeros_like(slopes), where=moved)
    usable = moved & (np.sign(secant) == directions) & (directions != 0)
    return np.where(usable, secant, slopes)


def finite_difference_jacobian(
    evaluate: Callable[[np.ndarray], np.ndarray], z: np.ndarray, f0: np.ndarray, steps: np.ndarray
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """Forward-difference Jacobian of the target means, one lever at a time.

    Args:
        evaluate: Transformed levers to target means.
        z: Where to take the derivatives.
        f0: Target means at ``z``.
        steps: Probe step per lever.

    Returns:
        The Jacobian and the probes taken, as (levers, means) pairs.
    """
    jacobian = np.zeros((len(f0), len(z)))
    probes = []
    for j, step in enumerate(steps):
        probe = z.copy()
        probe[j] += step
        means = evaluate(probe)
        jacobian[:, j] = (means - f0) / step
        probes.append((probe, means))
    return jacobian, probes


@dataclass(eq=False)
class Iterate:
    """One evaluation of the model during calibration.

    Attributes:
        phase: ``start``, ``probe`` or ``step``.
        values: Natural-scale lever values.
        outcomes: Per-target, per-seed outcomes.
        distances: Standardized distance of each target mean from its published value.
        every_target: Per-seed values of every target in the file, levers' or not.
    """

    phase: str
    values: np.ndarray
    outcomes: np.ndarray
    distances: np.ndarray
    every_target: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def means(self) -> np.ndarray:
        """Target means across seeds (over the seeds that measured each target)."""
        return finite_means(self.outcomes)

    @property
    def outside(self) -> int:
        """How many target means lie outside their tolerance (distance beyond 1)."""
        return int(np.count_nonzero(np.abs(self.distances) > 1.0))

    @property
    def worst(self) -> float:
        """The largest absolute standardized distance."""
        return float(np.max(np.abs(self.distances))) if len(self.distances) else 0.0


@dataclass
class Calibration:
    """The result of a calibration.

    Attributes:
        levers: The fitted levers.
        targets: Their targets, in the same order.
        seeds: The seeds every evaluation used.
        history: Every evaluation, in order.
        notes: Targets that could not be calibrated, and monotonicity warnings.
        held: Per lever, whether it was held fixed because its probe did not move its
            target the expected way.
    """

    levers: list[Lever]
    targets: list[Target]
    seeds: list[int]
    history: list[Iterate]
    notes: list[str]
    held: np.ndarray

    @property
    def best(self) -> Iterate:
        """The start or step evaluation with fewest targets outside tolerance, then closest.

        Closeness is the root-mean-square standardized distance over the targets whose
        lever was fitted: a target no lever can reach does not decide the choice, and,
        unlike the worst distance, it does not let a target sit at the edge of its
        tolerance (where fresh seeds would push it out) while another is far off.
        Probes are not candidates.
        """
        candidates = [it for it in self.history if it.phase != "probe"]
        fitted = ~self.held

        def closeness(it: Iterate) -> float:
            distances = it.distances[fitted]
            return float(np.sqrt(np.mean(distances**2))) if len(distances) else 0.0

        return min(candidates, key=lambda it: (it.outside, closeness(it)))


class Calibrator:
    """Fits the levers by a damped diagonal secant iteration under common random numbers.

    Args:
        evaluate: Natural-scale lever values to per-target, per-seed outcomes.
        levers: The levers.
        targets: Their targets, in the same order.
        damping: Fraction of each Newton step taken; below 1 to absorb seed noise.
    """

    def __init__(
        self,
        evaluate: Callable[[Sequence[float]], np.ndarray],
        levers: Sequence[Lever],
        targets: Sequence[Target],
        damping: float = 0.8,
    ) -> None:
        self.evaluate = evaluate
        self.levers = list(levers)
        self.targets = list(targets)
        self.damping = damping
        self.history: list[Iterate] = []
        self.notes: list[str] = []
        self.steps = np.array([lever.step for lever in self.levers])
        self.bounds = (
            np.array([lever.to_internal(lever.lower) for lever in self.levers]),
            np.array([lever.to_internal(lever.upper) for lever in self.levers]),
        )
        self.published = np.array([target.value for target in self.targets])
        self.held = np.zeros(len(self.levers), bool)

    def natural(self, z: np.ndarray) -> np.ndarray:
        """Transformed levers to natural values."""
        return np.array([lever.to_value(v) for lever, v in zip(self.levers, z, strict=True)])

    def transformed(self, values: Sequence[float]) -> np.ndarray:
        """Natural lever values to the transformed scale."""
        pairs = zip(self.levers, values, strict=True)
        return np.array([lever.to_internal(value) for lever, value in pairs])

    def measure(self, z: np.ndarray, phase: str) -> np.ndarray:
        """Evaluate at transformed levers, record the iterate, and return target means."""
        values = self.natural(z)
        outcomes = np.asarray(self.evaluate(values), dtype=float)
        means = finite_means(outcomes)
        distances = np.array([t.distance(m) for t, m in zip(self.targets, means, strict=True)])
        every = dict(getattr(self.evaluate, "last_all", {}))
        self.history.append(Iterate(phase, values, outcomes, distances, every))
        return means

    def check_directions(self, slopes: np.ndarray) -> np.ndarray:
        """Freeze and note any lever whose probe did not move its target the expected way.

        Args:
            slopes: Each target's probed slope with respect to its own lever.

        Returns:
            The expected sign of each slope, 0 for frozen levers.
        """
        directions = np.array([float(lever.direction) for lever in self.levers])
        for j, lever in enumerate(self.levers):
            if np.sign(slopes[j]) != lever.direction:
                directions[j] = 0.0
                self.held[j] = True
                self.notes.append(
                    f"{lever.key} did not move {lever.target} in the expected direction on the "
                    f"probe (slope {slopes[j]:+.4g}); it was held at its starting value"
                )
        return directions

    def run(self, start: Sequence[float], iterations: int) -> list[Iterate]:
        """Iterate from ``start`` for at most ``iterations`` Newton steps.

        Args:
            start: Natural-scale starting values, one per lever.
            iterations: Maximum number of Newton steps; 0 only evaluates ``start``.

        Returns:
            The history of evaluations.
        """
        z = np.clip(self.transformed(start), *self.bounds)
        means = self.measure(z, "start")
        if iterations == 0 or self.converged():
            return self.history
        jacobian, _ = finite_difference_jacobian(
            lambda probe: self.measure(probe, "probe"), z, means, self.steps
        )
        directions = self.check_directions(np.diag(jacobian))
        slopes = np.where(directions != 0, np.diag(jacobian), 0.0)
        for _ in range(iterations):
            # A zero slope gives a zero least-squares move: frozen levers stay put.
            # A target no replicate could measure (NaN) does not pull its lever.
            new_z = newton_step(
                z,
                np.nan_to_num(self.published - means, nan=0.0),
                np.diag(slopes),
                self.damping,
                2 * self.steps,
                self.bounds,
            )
            new_means = self.measure(new_z, "step")
            slopes = secant_update(slopes, new_z - z, new_means - means, directions)
            z, means = new_z, new_means
            if self.converged():
                break
        return self.history

    def converged(self) -> bool:
        """Whether the latest evaluation is close enough to every published value."""
        return self.history[-1].worst <= CONVERGED_DISTANCE


def calibrate(
    base: Scenario,
    seeds: Sequence[int],
    iterations: int,
    executor: Executor,
    progress: Callable[[int], Any] | None = None,
) -> Calibration:
    """Fit every available lever of ``base`` to its published target.

    Args:
        base: The scenario to calibrate; its values are the starting point.
        seeds: Replicate seeds, shared by every evaluation.
        iterations: Maximum number of Newton steps (0: evaluate ``base`` only).
        executor: Runs replicates.
        progress: Called once per finished replicate.

    Returns:
        The calibration, with its history.
    """
    check_calendar(base)
    targets = load_targets()
    levers, notes = active_levers(targets)
    evaluator = Evaluator(base, levers, seeds, executor, progress)
    calibrator = Calibrator(evaluator, levers, [targets[lever.target] for lever in levers])
    start = [scenario_value(base, lever.key) for lever in levers]
    history = calibrator.run(start, iterations)
    notes += calibrator.notes
    return Calibration(levers, calibrator.targets, list(seeds), history, notes, calibrator.held)


def check_calendar(base: Scenario, targets: Mapping[str, SurveyTarget] | None = None) -> None:
    """Refuse a scenario whose run does not pass every date the targets are measured at.

    Args:
        base: The scenario to calibrate.
        targets: The targets; the packaged ones by default.

    Raises:
        InputError: If the run starts after the first date or ends before the last.
    """
    run = base.run
    calendar = Calendar(shift_month(run.present, -run.burn_in_years))
    dates = required_snapshot_dates(load_survey_targets() if targets is None else targets)
    first, last = dates[0], dates[-1]
    if calendar.week_of(first) < 0:
        first_year = int(first[:4])
        needed = int(run.present[:4]) - first_year + 1
        raise InputError(
            f"the run starts in {calendar.start} but the targets are measured from {first}; "
            f"use at least {needed} years (the default, 66, starts in 1960)",
            "scenario",
            "run.burn_in_years",
        )
    end_week = run.burn_in_years * WEEKS_PER_YEAR + round(run.years * WEEKS_PER_YEAR)
    if calendar.week_of(last) >= end_week:
        raise InputError(
            f"the run ends before {last}, the last date a target is measured at",
            "scenario",
            "run.present",
        )


def max_runs(levers: int, seeds: int, groups: int, iterations: int) -> int:
    """Upper bound on replicates a calibration runs, for the progress bar."""
    evaluations = 1 + (levers + iterations if iterations else 0)
    return evaluations * seeds * groups


def finite_means(outcomes: np.ndarray) -> np.ndarray:
    """Mean of each row over its finite entries; NaN for a row with none.

    A replicate measures nothing when nobody is in the target's denominator (a small
    cohort with no final-year refusers, say); it is left out rather than spoiling the
    mean.
    """
    finite = np.isfinite(outcomes)
    counts = finite.sum(axis=1)
    sums = np.where(finite, outcomes, 0.0).sum(axis=1)
    return np.divide(sums, counts, out=np.full(len(counts), math.nan), where=counts > 0)


def interval_of_mean(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Student-t confidence interval of the mean across replicates (NaN for one)."""
    _, low, high = mean_interval(values, level)
    return low, high


def table_rows(result: Calibration) -> list[dict[str, Any]]:
    """One row per target at the best evaluation, as written to ``calibration.csv``."""
    best = result.best
    rows = []
    for lever, target, measured in zip(result.levers, result.targets, best.outcomes, strict=True):
        outcomes = measured[np.isfinite(measured)]
        mean = float(np.mean(outcomes)) if len(outcomes) else math.nan
        low, high = interval_of_mean(outcomes)
        rows.append(
            {
                "target": target.name,
                "lever": lever.key,
                "lever_value": float(best.values[result.levers.index(lever)]),
                "published": target.value,
                "tolerance_low": target.tolerance[0],
                "tolerance_high": target.tolerance[1],
                "model_mean": mean,
                "mean_ci95_low": low,
                "mean_ci95_high": high,
                "replicate_p2_5": _percentile(outcomes, 2.5),
                "replicate_p97_5": _percentile(outcomes, 97.5),
                "replicates": len(outcomes),
                "inside_tolerance": target.inside(mean),
            }
        )
    return rows


def _percentile(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else math.nan


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write dict rows to a CSV file."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)


def history_rows(result: Calibration) -> list[dict[str, Any]]:
    """One row per evaluation: lever values, target means, worst distance."""
    rows = []
    for index, it in enumerate(result.history):
        row: dict[str, Any] = {"evaluation": index, "phase": it.phase}
        row |= {lever.key: float(v) for lever, v in zip(result.levers, it.values, strict=True)}
        row |= {t.name: float(m) for t, m in zip(result.targets, it.means, strict=True)}
        row["worst_distance"] = it.worst
        rows.append(row)
    return rows


def calibrated_toml(result: Calibration, command: str) -> str:
    """The fitted lever values as a partial scenario file (nested TOML tables)."""
    tables: dict[str, list[str]] = {}
    for lever, value in zip(result.levers, result.best.values, strict=True):
        section, _, name = lever.key.rpartition(".")
        tables.setdefault(section, []).append(f"{name} = {float(value):.6g}")
    lines = [f"# Fitted by: {command}", f"# Seeds: {', '.join(map(str, result.seeds))}"]
    for section, entries in tables.items():
        lines += ["", f"[{section}]", *entries]
    return "\n".join(lines) + "\n"


def fmt(value: float) -> str:
    """Four significant digits for tables."""
    return f"{value:.4g}"


def interval_text(low: float, high: float) -> str:
    """``low-high`` for tables, or ``n/a`` when the interval is undefined."""
    if np.isnan(low) or np.isnan(high):
        return "n/a"
    return f"{fmt(low)}-{fmt(high)}"


def markdown_report(result: Calibration, command: str) -> str:
    """``calibration.md``: the target table, the method, the iteration history and notes."""
    rows = table_rows(result)
    lines = [
        "# Calibration",
        "",
        f"Command: `{command}`",
        "",
        f"Replicates per evaluation: {len(result.seeds)} (seeds "
        f"{', '.join(map(str, result.seeds))}). Model mean is the mean across replicates; "
        "the 95% CI is the Student-t interval of that mean; the replicate range is the "
        "2.5-97.5 percentile range of individual replicates.",
        "",
        "| target | lever = value | published | tolerance | model mean | 95% CI of mean "
        "| replicate 2.5-97.5% | inside |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['target']} | `{r['lever']}` = {fmt(r['lever_value'])} | {fmt(r['published'])} "
            f"| {fmt(r['tolerance_low'])}-{fmt(r['tolerance_high'])} | {fmt(r['model_mean'])} "
            f"| {interval_text(r['mean_ci95_low'], r['mean_ci95_high'])} "
            f"| {fmt(r['replicate_p2_5'])}-{fmt(r['replicate_p97_5'])} "
            f"| {'yes' if r['inside_tolerance'] else 'no'} |"
        )
    short = [r for r in rows if r["replicates"] < len(result.seeds)]
    if short:
        lines += [
            "",
            "Replicates that measured nothing (nobody in the target's denominator) are left "
            "out of the mean: "
            + "; ".join(f"{r['target']} {r['replicates']} of {len(result.seeds)}" for r in short)
            + ".",
        ]
    lines += checks_table(result)
    lines += ["", "## Iteration history", "", *history_table(result)]
    if result.notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in result.notes)]
    return "\n".join(lines) + "\n"


def check_rows(result: Calibration) -> list[dict[str, Any]]:
    """Targets no lever aims at, at the best evaluation: how near the model comes."""
    fitted = {target.name for target in result.targets}
    rows = []
    for name, target in load_targets().items():
        values = result.best.every_target.get(name)
        if name in fitted or values is None:
            continue
        mean = float(finite_means(values[np.newaxis])[0])
        rows.append(
            {
                "target": name,
                "published": target.value,
                "tolerance_low": target.tolerance[0],
                "tolerance_high": target.tolerance[1],
                "model_mean": mean,
                "inside_tolerance": bool(np.isfinite(mean) and target.inside(mean)),
            }
        )
    return rows


def checks_table(result: Calibration) -> list[str]:
    """Markdown lines for :func:`check_rows` (empty when every target has a lever)."""
    rows = check_rows(result)
    if not rows:
        return []
    lines = [
        "",
        "## Targets without a lever",
        "",
        "No lever aims at these; they show whether the fitted model also reproduces them.",
        "",
        "| target | published | tolerance | model mean | inside |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['target']} | {fmt(r['published'])} "
            f"| {fmt(r['tolerance_low'])}-{fmt(r['tolerance_high'])} | {fmt(r['model_mean'])} "
            f"| {'yes' if r['inside_tolerance'] else 'no'} |"
        )
    return lines


def history_table(result: Calibration) -> list[str]:
    """The iteration history as Markdown table lines."""
    names = [lever.key.rpartition(".")[2] for lever in result.levers]
    header = ["#", "phase", *names, *(t.name for t in result.targets), "worst"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in history_rows(result):
        cells = [str(row["evaluation"]), row["phase"]]
        cells += [fmt(row[lever.key]) for lever in result.levers]
        cells += [fmt(row[t.name]) for t in result.targets]
        cells.append(f"{row['worst_distance']:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def write_report(result: Calibration, out: Path, command: str) -> list[dict[str, Any]]:
    """Write ``calibration.csv``, ``history.csv``, ``calibration.md`` and ``calibrated.toml``.

    Args:
        result: The calibration.
        out: Output directory (created if needed).
        command: The command line, recorded in the reports.

    Returns:
        The rows of ``calibration.csv``.
    """
    out.mkdir(parents=True, exist_ok=True)
    rows = table_rows(result)
    write_csv(out / "calibration.csv", rows)
    write_csv(out / "history.csv", history_rows(result))
    (out / "calibration.md").write_text(markdown_report(result, command), encoding="utf-8")
    (out / "calibrated.toml").write_text(calibrated_toml(result, command), encoding="utf-8")
    return rows


# Upper bounds that keep a typo from planning millions of runs: every evaluation runs
# each seed, and each iteration several evaluations.
MAX_SEEDS = 1_000
MAX_ITERATIONS = 100_000


def check_options(seeds: int, iterations: int, workers: int | None) -> None:
    """Reject option values the calibration cannot use.

    Args:
        seeds: ``--seeds``.
        iterations: ``--iterations``.
        workers: ``--workers``.

    Raises:
        InputError: If the seeds or iterations are out of range or there are no workers.
    """
    if not 1 <= seeds <= MAX_SEEDS:
        raise InputError(f"must be from 1 to {MAX_SEEDS}, got {seeds}", "--seeds")
    if not 0 <= iterations <= MAX_ITERATIONS:
        raise InputError(f"must be from 0 to {MAX_ITERATIONS}, got {iterations}", "--iterations")
    if workers is not None and workers < 1:
        raise InputError(f"must be at least 1, got {workers}", "--workers")


def run_calibration(
    base: Scenario,
    seeds: Sequence[int],
    iterations: int,
    workers: int | None,
    progress: Callable[[int], Any] | None = None,
    scheduler: Any = None,
    executor: Executor | None = None,
) -> Calibration:
    """Calibrate ``base`` with replicates spread over the executor.

    Args:
        base: The scenario to calibrate.
        seeds: Replicate seeds.
        iterations: Maximum number of Newton steps.
        workers: Local worker processes (default: all cores).
        progress: Called once per finished replicate.
        scheduler: A Dask scheduler address or Client; None runs on a local pool.
        executor: An executor to use instead of making one from ``scheduler`` and
            ``workers`` (it is left open).

    Returns:
        The calibration.
    """
    if executor is not None:
        return calibrate(base, seeds, iterations, executor, progress)
    with make_executor(scheduler, workers) as own:
        return calibrate(base, seeds, iterations, own, progress)


def planned_runs(seeds: int, iterations: int) -> int:
    """Most replicates a calibration of the packaged targets can run."""
    levers, _ = active_levers(load_targets())
    groups = len({lever.measured_with() for lever in levers})
    return max_runs(len(levers), seeds, groups, iterations)
