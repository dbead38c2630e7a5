"""Probabilistic sensitivity analysis (``hikisim compare --psa N``): design and runs.

Each of N draws sets every uncertain parameter at once:

* scenario parameters (programme effects, natural history, programme unit costs) from
  the priors in ``hikisim/data/psa_priors.toml`` and ``economics.toml``, each centred on
  the value the scenario itself uses. One uniform quantile per key and draw is shared by
  all scenarios, so a draw moves them together and their differences stay paired;
* utilities (drawn as gaps that keep the health states in order), disorder decrements,
  the shares of weeks a lifetime disorder is active, the unit costs of usual care, and
  productivity values, from ``economics.toml``.

Every draw runs every scenario ``replicates`` times with seeds of its own, the same for
all scenarios of the draw (common random numbers within a draw). Runs go through the
executor (local pool or Dask) and each is written to ``DIR/psa/runs/`` as it finishes,
so an interrupted PSA resumes where it stopped, with nothing lost and nothing repeated.
The analysis of the draws is in :mod:`hikisim.psa_analysis`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import ArrayLike, NDArray

from hikisim.calibration_priors import CalibrationPrior, load_calibration_priors
from hikisim.datafile import read_data_file, read_json_object
from hikisim.economics.outcomes import WEEKLY_INPUTS
from hikisim.economics.parameters import EconomicParameters, Parameter
from hikisim.errors import InputError
from hikisim.model import HikiModel, all_share_burn_in
from hikisim.scenario import Scenario, field_bounds, scenario_value
from hikisim.seeds import wrapped_seed
from hikisim.simulation import run_model, run_models_sharing_burn_in
from hikisim.source_hash import model_source_hash
from hikisim.sweeps.executors import Executor, for_each_result
from hikisim.sweeps.storage import write_atomically

GROUPS: Final = ("effects", "costs", "utilities", "natural_history")
ECONOMIC_GROUPS: Final = {
    "utilities": "utilities",
    "disorder_decrements": "utilities",
    "productivity": "costs",
    "disorder_active_shares": "utilities",
    "care_costs": "costs",
}
# Programme costs in economics.toml are keyed by programme; the hospital week is the
# one unit cost that is not a participant-week.
HOSPITAL_WEEK: Final = ("hospital_week", "interventions.medical_exam.cost_per_hospital_week")
# Quantiles are kept off 0 and 1, where unbounded distributions have no value.
QUANTILE_FLOOR: Final = 1e-6
PSA_STREAM: Final = 0x5053  # "PS": keeps the PSA's draws apart from every model stream


@dataclass(frozen=True)
class ScenarioPrior:
    """The PSA distribution of one scenario key, centred on each scenario's own value.

    Attributes:
        key: Dotted scenario key.
        group: EVPPI group (``effects``, ``costs`` or ``natural_history``).
        distribution: ``beta``, ``gamma``, ``lognormal`` or ``normal``.
        cv: Standard error relative to the scenario's value (or None).
        se: Absolute standard error (or None).
        source: Where the spread comes from, or "assumption".
    """

    key: str
    group: str
    distribution: str
    cv: float | None
    se: float | None
    source: str

    def parameter(self, value: float) -> Parameter | None:
        """The distribution around ``value``, or None if it has none there.

        A value of 0 has no relative spread, and beta needs a value inside (0, 1);
        such keys stay fixed for that scenario.
        """
        spread = self.se if self.se is not None else (self.cv or 0.0) * abs(value)
        if spread <= 0 or (self.distribution in ("gamma", "lognormal") and value <= 0):
            return None
        if self.distribution == "beta" and not 0 < value < 1:
            return None
        try:
            return Parameter(self.key, value, self.distribution, spread, "", self.source)  # type: ignore[arg-type]
        except ValueError:  # the spread is too wide for a beta with this mean
            return None


@dataclass(frozen=True)
class ShiftedQuantile:
    """A calibration prior's quantile function, moved to a scenario's own value.

    Attributes:
        prior: The calibration prior (its quantile scale is the PSA's column).
        shift: Added to the value (uniform priors) or its logarithm (log-uniform).
    """

    prior: CalibrationPrior
    shift: float

    def quantile(self, q: ArrayLike) -> NDArray[np.float64]:
        """The values at calibration-prior quantiles ``q``, moved by the shift."""
        value = np.asarray(self.prior.value_at(np.asarray(q, dtype=float)), dtype=float)
        if self.prior.distribution == "loguniform":
            return value * math.exp(self.shift)
        return value + self.shift


@dataclass(frozen=True)
class PosteriorPrior:
    """A natural-history key drawn jointly with the others from the calibration posterior.

    Each PSA draw takes one posterior draw (resampled by weight), so the calibrated
    parameters keep their posterior correlations. The design's column for the key holds
    the value's quantile under the calibration prior the posterior was fitted with; a
    scenario whose own value differs from the posterior's representative draw (the
    baseline's value for the Japanese posterior) is moved by that difference (on the
    log scale for log-uniform priors), as every PSA prior is centred on the scenario's
    own value.

    Attributes:
        key: Dotted scenario key.
        prior: Its calibration prior.
        baseline: The posterior's representative draw's value.
        group: Always ``natural_history``.
        source: Where the draws come from.
    """

    key: str
    prior: CalibrationPrior
    baseline: float
    group: str = "natural_history"
    source: str = "the calibration posterior (hikisim.calibration.load_posterior)"

    def parameter(self, value: float) -> ShiftedQuantile | None:
        """The posterior's values, moved to a scenario whose value is ``value``.

        A log-uniform key at 0 or below in a scenario (a "no care" scenario, say) has
        no ratio to move by, and stays fixed there, as an independent prior would.
        """
        if self.prior.distribution == "loguniform":
            if value <= 0:
                return None
            return ShiftedQuantile(self.prior, math.log(value / self.baseline))
        return ShiftedQuantile(self.prior, value - self.baseline)


def posterior_priors(
    priors: Sequence[ScenarioPrior], posterior: pd.DataFrame
) -> list[ScenarioPrior | PosteriorPrior]:
    """Replace the natural-history priors by joint draws from a calibration posterior.

    Args:
        priors: The PSA priors (:func:`load_priors`).
        posterior: A calibration posterior (:func:`hikisim.calibration.load_posterior`);
            its metadata names the priors file it was fitted with and its
            representative draw.

    Returns:
        The priors without any key the posterior holds, then one
        :class:`PosteriorPrior` per posterior key.

    Raises:
        InputError: If a posterior key has no prior in that file.
    """
    meta = posterior.attrs.get("hikisim", {})
    calibration = {prior.key: prior for prior in load_calibration_priors(_priors_file(meta))}
    keys = [key for key in posterior.columns if key != "weight"]
    missing = [key for key in keys if key not in calibration]
    if missing:
        raise InputError(
            f"the posterior's {missing[0]!r} has no calibration prior", "posterior", missing[0]
        )
    for key in keys:
        prior = calibration[key]
        outside = posterior[key][(posterior[key] < prior.low) | (posterior[key] > prior.high)]
        if len(outside):
            raise InputError(
                f"{float(outside.iloc[0])!r} is outside its calibration prior; allowed: "
                f"{prior.low:g} to {prior.high:g}",
                "posterior",
                key,
            )
    draw = int(meta.get("representative_draw", 0))
    kept: list[ScenarioPrior | PosteriorPrior] = [p for p in priors if p.key not in keys]
    return kept + [
        PosteriorPrior(key, calibration[key], float(posterior.at[draw, key])) for key in keys
    ]


def _priors_file(meta: dict[str, Any]) -> Path | None:
    """The calibration priors file a posterior records (package files by their name)."""
    recorded = meta.get("priors_file")
    if not recorded:
        return None
    package = Path(str(resources.files("hikisim")))
    if recorded.startswith("hikisim/"):
        return (
            package.parent / recorded
            if (package.parent / recorded).is_file()
            else (package / recorded.removeprefix("hikisim/"))
        )
    return Path(recorded)


def default_priors_path() -> Path:
    """The PSA priors shipped with the package."""
    return Path(str(resources.files("hikisim") / "data" / "psa_priors.toml"))


def load_priors(
    economics: EconomicParameters, path: str | Path | None = None
) -> list[ScenarioPrior]:
    """The scenario priors: the priors file plus programme unit costs from economics.toml.

    Args:
        economics: The economic parameters (for the unit costs' relative SEs).
        path: A priors file; the packaged one by default.

    Returns:
        The priors, effects and natural history first, then costs.
    """
    source = Path(path) if path is not None else default_priors_path()
    data = read_data_file(source, "PSA priors")
    priors = []
    defaults = Scenario()
    for group, entries in data.items():
        if group not in GROUPS:
            raise InputError(f"unknown group {group!r} (allowed: {', '.join(GROUPS)})", str(source))
        for key, entry in entries.items():
            priors.append(_prior(key, group, entry, str(source), defaults))
    return priors + cost_priors(economics)


def _prior(
    key: str, group: str, entry: dict[str, Any], source: str, defaults: Scenario
) -> ScenarioPrior:
    allowed = ("beta", "gamma", "lognormal", "normal")
    if (
        entry.get("distribution") not in allowed
        or ("cv" in entry) == ("se" in entry)
        or "source" not in entry
    ):
        raise InputError(
            f"needs distribution ({', '.join(allowed)}), one of cv or se, and source", source, key
        )
    try:
        _value_of(defaults, key)
    except AttributeError:
        raise InputError("is not a numeric scenario key", source, key) from None
    return ScenarioPrior(
        key, group, entry["distribution"], entry.get("cv"), entry.get("se"), str(entry["source"])
    )


def cost_priors(economics: EconomicParameters) -> list[ScenarioPrior]:
    """The programme prices' PSA distributions, relative to each scenario's own price.

    Args:
        economics: The economic parameters (``programme_costs``).

    Returns:
        One prior per drawn price, keyed by its dotted scenario key.
    """
    priors = []
    for name, parameter in economics.section("programme_costs").items():
        key = (
            HOSPITAL_WEEK[1]
            if name == HOSPITAL_WEEK[0]
            else f"interventions.{name}.cost_per_participant_week"
        )
        if parameter.distribution == "fixed":
            continue
        cv = parameter.se / parameter.value
        source = f"relative SE of economics.toml programme_costs.{name}: {parameter.source}"
        priors.append(ScenarioPrior(key, "costs", parameter.distribution, cv, None, source))
    return priors


def _value_of(scenario: Scenario, key: str) -> float:
    node = scenario_value(scenario, key)
    if isinstance(node, bool) or not isinstance(node, int | float):
        raise AttributeError(key)
    return float(node)


@dataclass(frozen=True)
class PsaDesign:
    """What every draw sets, and the seeds of its runs.

    Attributes:
        quantiles: One row per draw, one column per scenario prior key: the shared
            uniform quantile of that key in that draw (each scenario's value in it is
            :func:`drawn_values`).
        economic: One row per draw, one column per sampled economic parameter
            (``utilities.*``, ``disorder_decrements.*``, ``disorder_active_shares.*``,
            ``productivity.*``, ``care_costs.*``): values, a utility's too.
        seeds: Run seeds, shape (draws, replicates); the same for every scenario.
        priors: The scenario priors.
        gaps: Each utility column drawn as a gap below a better state, and that state's
            column (the gap, independent of the other draws, is the better column less
            this one).
    """

    quantiles: pd.DataFrame
    economic: pd.DataFrame
    seeds: np.ndarray
    priors: list[ScenarioPrior | PosteriorPrior]
    gaps: dict[str, str] = field(default_factory=dict)

    @property
    def draws(self) -> int:
        """Number of draws."""
        return len(self.quantiles)


def make_design(
    priors: Sequence[ScenarioPrior | PosteriorPrior],
    economics: EconomicParameters,
    draws: int,
    replicates: int,
    base_seed: int,
    posterior: pd.DataFrame | None = None,
) -> PsaDesign:
    """Sample the draws and derive the run seeds, reproducibly from ``base_seed``.

    Args:
        priors: The scenario priors (see :func:`posterior_priors` for calibrated keys).
        economics: The economic parameters (those of :data:`ECONOMIC_GROUPS` are
            sampled, in that order).
        draws: N.
        replicates: Runs per scenario and draw.
        base_seed: The comparison's seed.
        posterior: The calibration posterior the :class:`PosteriorPrior` keys are drawn
            from (one weighted resample per draw, from a stream of its own).

    Returns:
        The design.
    """
    rng = np.random.default_rng(np.random.SeedSequence([base_seed, PSA_STREAM]))
    independent = [p for p in priors if isinstance(p, ScenarioPrior)]
    uniform = rng.uniform(QUANTILE_FLOOR, 1 - QUANTILE_FLOOR, size=(draws, len(independent)))
    quantiles = pd.DataFrame(uniform, columns=[p.key for p in independent])
    joint = [p for p in priors if isinstance(p, PosteriorPrior)]
    if joint:
        if posterior is None:
            raise ValueError("posterior priors need the posterior they come from")
        weights = posterior["weight"].to_numpy(dtype=float)
        picker = np.random.default_rng(np.random.SeedSequence([base_seed, PSA_STREAM, 1]))
        rows = picker.choice(len(posterior), size=draws, p=weights / weights.sum())
        for prior in joint:
            values = posterior[prior.key].to_numpy(dtype=float)[rows]
            quantiles[prior.key] = np.clip(prior.prior.quantile_of(values), 0.0, 1.0)
    quantiles = quantiles[[p.key for p in priors]]
    # Utilities keep their order in every draw (a worse state is drawn as a gap below a
    # better one's draw: hikisim.economics.parameters).
    economic = economics.sample(rng, draws, sections=tuple(ECONOMIC_GROUPS))
    seeds = np.array(
        [
            [
                wrapped_seed(
                    int(
                        np.random.SeedSequence([base_seed, PSA_STREAM, d, r]).generate_state(
                            1, np.uint64
                        )[0]
                    )
                )
                for r in range(replicates)
            ]
            for d in range(draws)
        ],
        dtype=np.int64,
    )
    gaps = {
        parameter.name: f"{section}.{parameter.below}"
        for section in ECONOMIC_GROUPS
        for parameter in economics.section(section).values()
        if parameter.below
    }
    return PsaDesign(quantiles, economic, seeds, list(priors), gaps)


def draw_scenario(scenario: Scenario, design: PsaDesign, draw: int) -> Scenario:
    """The scenario with every prior key set to its value in ``draw``.

    Args:
        scenario: A compared scenario.
        design: The PSA design.
        draw: The draw's index.

    Returns:
        The scenario for this draw.
    """
    overrides = {}
    for prior in design.priors:
        parameter = prior.parameter(_value_of(scenario, prior.key))
        if parameter is not None:
            q = design.quantiles.at[draw, prior.key]
            overrides[prior.key] = float(_within_bounds(prior.key, parameter.quantile(q)))
    return scenario.with_overrides(overrides, "psa")


def drawn_values(scenario: Scenario, design: PsaDesign) -> pd.DataFrame:
    """The value every prior key takes in each draw of ``scenario``, as its runs used it.

    The design holds one shared quantile per key and draw; each scenario turns it into
    a value around its own (:func:`draw_scenario`), so this is what a reader of the
    draws needs, in the key's own units.

    Args:
        scenario: A compared scenario.
        design: The PSA design.

    Returns:
        One row per draw and one column per prior key: the value :func:`draw_scenario`
        sets, or the scenario's own value where the key has no spread in it.
    """
    columns = {}
    for prior in design.priors:
        own = _value_of(scenario, prior.key)
        parameter = prior.parameter(own)
        if parameter is None:
            columns[prior.key] = np.full(design.draws, own)
        else:
            q = design.quantiles[prior.key].to_numpy(dtype=float)
            columns[prior.key] = _within_bounds(prior.key, parameter.quantile(q))
    return pd.DataFrame(columns, index=design.quantiles.index)


def _within_bounds(key: str, values: ArrayLike) -> NDArray[np.float64]:
    # A prior's far tail can pass the range the scenario allows (a log-normal half-life
    # beyond a century, say); the bound keeps every draw runnable and moves only that
    # tail's sliver of probability onto it.
    low, high = field_bounds(key)
    return np.clip(np.asarray(values, dtype=float), low, high)


def run_psa_replicate(job: tuple[Scenario, int, int, int]) -> dict[str, Any]:
    """One PSA run: a draw's scenario with one seed; returns its weekly series.

    Args:
        job: The draw's scenario, the draw, the replicate and the seed.

    Returns:
        ``draw``, ``scenario``, ``replicate``, ``seed`` and one list per weekly series
        the economics need.
    """
    scenario, draw, replicate, seed = job
    return _record(run_model(scenario, seed), draw, replicate, seed)


def run_psa_group(job: tuple[list[Scenario], int, int, int]) -> list[dict[str, Any]]:
    """One replicate of every scenario of a draw, sharing their burn-in.

    Args:
        job: The draw's scenarios, the draw, the replicate and the seed.

    Returns:
        One record per scenario, as :func:`run_psa_replicate` returns them.
    """
    scenarios, draw, replicate, seed = job
    return [
        _record(model, draw, replicate, seed)
        for model in run_models_sharing_burn_in(scenarios, seed)
    ]


def _record(model: HikiModel, draw: int, replicate: int, seed: int) -> dict[str, Any]:
    record: dict[str, Any] = {
        "draw": draw,
        "scenario": model.settings.name,
        "replicate": replicate,
        "seed": seed,
    }
    for name in WEEKLY_INPUTS:
        record[name] = [float(week[name]) for week in model.weekly_records]
    return record


class PsaStore:
    """``DIR/psa/``: the plan and one Parquet file per finished run.

    Args:
        root: The comparison's output folder.
    """

    def __init__(self, root: Path) -> None:
        self.folder = Path(root) / "psa"
        self.runs = self.folder / "runs"
        self.plan_path = self.folder / "plan.json"

    def prepare(self, plan: dict[str, Any]) -> None:
        """Create the folder, or check that it holds this very PSA.

        Raises:
            InputError: If it holds a PSA of other scenarios, draws, seeds or model code.
        """
        if self.plan_path.is_file():
            existing = read_json_object(self.plan_path, "PSA plan")
            if existing.get("hash") != plan["hash"]:
                other_code = existing.get("model_source") != plan["model_source"]
                raise InputError(
                    "holds a PSA "
                    + (
                        "made with other model code (another hikisim version or an edited checkout)"
                        if other_code
                        else "of other scenarios, draws, replicates or seeds"
                    )
                    + "; results are never mixed, so use a new --out folder or delete this one",
                    str(self.folder),
                )
            return
        self.runs.mkdir(parents=True, exist_ok=True)
        text = json.dumps(plan, indent=1) + "\n"
        write_atomically(self.plan_path, lambda temp: temp.write_text(text))

    @staticmethod
    def run_name(draw: int, scenario: str, replicate: int) -> str:
        """The file name of one run."""
        return f"d{draw:05d}-r{replicate:03d}-{scenario}.parquet"

    def done(self) -> set[str]:
        """Names of the runs already written (unreadable files are redone)."""
        finished = set()
        for path in self.runs.glob("*.parquet"):
            try:
                pq.read_schema(path)
            except (OSError, pa.ArrowException):
                path.unlink()
                continue
            finished.add(path.name)
        return finished

    def write(self, record: dict[str, Any]) -> None:
        """Write one run atomically."""
        table = pa.Table.from_pylist([record])
        path = self.runs / self.run_name(record["draw"], record["scenario"], record["replicate"])
        write_atomically(path, lambda temp: pq.write_table(table, temp))

    def load(self) -> pd.DataFrame:
        """All finished runs, one row each, sorted by draw, scenario order and replicate."""
        frames = [pq.read_table(path).to_pandas() for path in sorted(self.runs.glob("*.parquet"))]
        return pd.concat(frames, ignore_index=True)


def plan_of(scenarios: Sequence[Scenario], design: PsaDesign) -> dict[str, Any]:
    """What identifies a PSA: scenarios, design, seeds and the model code, hashed.

    The model source and the weekly series a run keeps are in the hash: runs of other
    code, or without the series this code values, must never be resumed into it.
    """
    plan = {
        "model_source": model_source_hash(),
        "weekly": list(WEEKLY_INPUTS),
        "scenarios": [s.model_dump(mode="json") for s in scenarios],
        "draws": design.draws,
        "replicates": int(design.seeds.shape[1]),
        "seeds": design.seeds.tolist(),
        "quantiles": design.quantiles.round(12).to_dict(orient="list"),
        "economic": design.economic.round(12).to_dict(orient="list"),
    }
    digest = hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()
    return {
        "hash": digest,
        "draws": design.draws,
        "replicates": plan["replicates"],
        "model_source": plan["model_source"],
    }


def run_psa(
    scenarios: Sequence[Scenario],
    design: PsaDesign,
    executor: Executor,
    out: Path,
    progress: Callable[[int], Any] | None = None,
    shared_burn_in: bool = True,
) -> pd.DataFrame:
    """Run (or resume) every draw of every scenario and return the runs.

    Args:
        scenarios: The compared scenarios.
        design: The PSA design.
        executor: Where the runs execute.
        out: The comparison's output folder (runs go to ``out/psa/runs``).
        progress: Called with the number of runs finished (or found finished).
        shared_burn_in: Simulate each draw's and replicate's burn-in once for all
            scenarios, when they differ only in their programmes (same results).

    Returns:
        One row per run: ``draw``, ``scenario``, ``replicate``, ``seed`` and the weekly
        series as lists.
    """
    store = PsaStore(out)
    store.prepare(plan_of(scenarios, design))
    done = store.done()
    if progress is not None and done:
        progress(len(done))
    groups = []
    for draw in range(design.draws):
        drawn = [draw_scenario(scenario, design, draw) for scenario in scenarios]
        for replicate, seed in enumerate(design.seeds[draw]):
            missing = [s for s in drawn if store.run_name(draw, s.name, replicate) not in done]
            if missing:
                groups.append((drawn, missing, draw, replicate, int(seed)))
    share = shared_burn_in and all_share_burn_in(scenarios)
    jobs: list[tuple[Any, Any]] = []
    for drawn, missing, draw, replicate, seed in groups:
        if share:
            jobs.append((run_psa_group, (drawn, draw, replicate, seed)))
        else:
            jobs += [(run_psa_replicate, (s, draw, replicate, seed)) for s in missing]
    _drive(jobs, executor, store, done, progress)
    return store.load()


def _drive(
    jobs: list[tuple[Any, Any]],
    executor: Executor,
    store: PsaStore,
    done: set[str],
    progress: Callable[[int], Any] | None,
) -> None:
    # Each run is written as soon as its job returns, so a kill loses only jobs in flight.
    def write(index: int, returned: Any) -> None:
        records = returned if isinstance(returned, list) else [returned]
        written = 0
        for record in records:
            name = store.run_name(record["draw"], record["scenario"], record["replicate"])
            if name not in done:
                store.write(record)
                written += 1
        if progress is not None:
            progress(written)

    for_each_result(executor, jobs, "psa", write)
