"""Experiment files: which scenario to sweep, over which parameters, with which design.

An experiment file is TOML (see ``docs/sweeps.md``)::

    name = "factor-weights"
    scenario = "../scenarios/baseline.toml"   # relative to this file
    replicates = 2
    seed = 20261125
    outcomes = ["prevalence_15_39", "person_years_withdrawn"]

    [design]
    method = "morris"
    samples = 8

    [parameters]
    "family.overprotection_weight" = { min = 0.0, max = 2.0 }

    [set]
    "population.youths" = 2000

Validation is as strict as for scenarios: unknown keys, bad values, parameters that are
not scenario fields and values outside a field's allowed range all raise
:class:`~hikisim.errors.InputError` naming the file and the dotted field. What needs the
design (every design point as a scenario, and the outcomes the points report) is checked
in :mod:`hikisim.sweeps.validation`.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from hikisim.errors import InputError
from hikisim.field_types import SettingsModel
from hikisim.metrics import WEEKLY_COLUMNS
from hikisim.scenario import (
    Scenario,
    _field_info,
    _unknown_key_message,
    load_scenario,
    normalise_key,
    read_toml_file,
)
from hikisim.seeds import MAX_SEED

DESIGN_METHODS = ("grid", "lhs", "sobol", "morris")
SAMPLED_METHODS = ("lhs", "sobol", "morris")
# Outcome names that would collide with the bookkeeping columns of a run.
RESERVED_OUTCOMES = frozenset({"seed", "version", "scenario"})
# Fields that do not change any result, so editing them does not make a sweep directory
# incompatible with its experiment.
COSMETIC_FIELDS = ("name", "description", "max_retries")
# Every run's seed derives from the experiment's seed, and the runner passes it
# explicitly, which overrides this scenario key: setting it would change nothing.
RUN_SEED_KEY = "run.seed"
# The tables whose keys are dotted scenario keys.
DOTTED_TABLES = ("parameters", "set")
EMPTY_FILE_ADVICE = (
    'the experiment file is empty; it needs scenario = "FILE.toml", outcomes = [...], '
    "a [design] table with method and a [parameters] table (see docs/sweeps.md)"
)

Scalar = bool | int | float | str


class _Strict(SettingsModel):
    """Base for experiment tables: strict, immutable, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class ParameterRange(_Strict):
    """A continuous range, sampled by Latin hypercube, Sobol or Morris designs.

    Attributes:
        min: Lower bound.
        max: Upper bound, greater than ``min``.
    """

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> ParameterRange:
        if not (math.isfinite(self.min) and math.isfinite(self.max)) or self.max <= self.min:
            raise ValueError(f"max must be greater than min, got min={self.min}, max={self.max}")
        return self


Levels = Annotated[list[Scalar], Field(min_length=1)]


def _spec_kind(value: Any) -> str | None:
    if isinstance(value, dict | ParameterRange):
        return "range"
    if isinstance(value, list | tuple):
        return "levels"
    return None


ParameterSpec = Annotated[
    Annotated[ParameterRange, Tag("range")] | Annotated[Levels, Tag("levels")],
    Discriminator(
        _spec_kind,
        custom_error_type="parameter_spec",
        custom_error_message="must be a range { min = ..., max = ... } or a list of values",
    ),
]


class DesignSettings(_Strict):
    """How design points are chosen.

    Attributes:
        method: ``grid`` (full factorial of the listed values), ``lhs`` (Latin
            hypercube), ``sobol`` (Saltelli's scheme for Sobol indices) or ``morris``
            (elementary-effects trajectories).
        samples: lhs: points; sobol: base sample N, a power of 2; morris: trajectories.
            Not used by grid designs.
        levels: Morris only: grid levels per parameter, an even number.
        second_order: Sobol only: also sample for second-order indices, which costs
            N * (2D + 2) runs instead of N * (D + 2).
    """

    method: Literal["grid", "lhs", "sobol", "morris"]
    samples: int | None = Field(None, ge=1, le=1_000_000)
    levels: int = Field(4, ge=2, le=100)
    second_order: bool = False


class Experiment(_Strict):
    """A validated experiment: a base scenario, a design over parameters, and outcomes.

    Attributes:
        name: Short identifier, written to the manifest.
        description: One line on what the experiment is for.
        scenario: The base scenario file (relative paths are relative to the experiment
            file when loaded with :func:`~hikisim.sweeps.validation.load_experiment`).
        replicates: Runs per design point.
        seed: Base seed; every run's seed derives from it deterministically.
        seeding: ``common``: replicate i uses the same seed at every design point
            (common random numbers, so differences between points are not seed noise);
            ``independent``: every run gets its own seed.
        outcomes: Summary keys to record; nested keys are dotted, e.g.
            ``duration_share.1-3``.
        weekly: Weekly series to record per run (columns of ``weekly.csv``).
        max_retries: How many times a run that raises is retried before it is recorded
            as failed.
        design: The design settings.
        parameters: Dotted scenario keys to vary, each a range or a list of values.
        fixed: Dotted overrides applied to every run (the ``[set]`` table).
    """

    model_config = ConfigDict(populate_by_name=True)

    name: str = Field("experiment", min_length=1)
    description: str = ""
    scenario: Path
    replicates: int = Field(1, ge=1, le=100_000)
    seed: int = Field(20261125, ge=0, le=MAX_SEED)
    seeding: Literal["common", "independent"] = "common"
    outcomes: list[str] = Field(min_length=1)
    weekly: list[str] = Field(default_factory=list)
    max_retries: int = Field(2, ge=0, le=100)
    design: DesignSettings
    parameters: dict[str, ParameterSpec] = Field(min_length=1)
    fixed: dict[str, Any] = Field(default_factory=dict, alias="set")

    @property
    def parameter_names(self) -> list[str]:
        """The varied parameters, in file order."""
        return list(self.parameters)

    def base_scenario(self, source: str = "") -> Scenario:
        """The scenario every run starts from: the scenario file plus ``[set]``.

        Args:
            source: The experiment file, for error messages.

        Returns:
            The validated scenario.

        Raises:
            InputError: If the scenario file or a ``[set]`` value is invalid.
        """
        source = source or self.name
        if not self.scenario.is_file():
            raise InputError(f"no such file {str(self.scenario)!r}", source, "scenario")
        scenario = load_scenario(self.scenario)
        if not self.fixed:
            return scenario
        # All at once, as the runs see them: one at a time, a pair of shares that must
        # add up to at most 1 could fail half-way although the whole [set] is valid.
        try:
            return scenario.with_overrides(self.fixed, source="")
        except InputError as error:
            key = _key_at_fault(error, self.fixed)
            if key is None:
                # A limit that spans fields: the message names them.
                raise InputError(str(error), source, "set") from None
            raise _relabel(error, source, f"set.{key}") from None

    def normalised(self, base: Scenario) -> dict[str, Any]:
        """Everything that determines the runs' results, as plain JSON data.

        The base scenario is included in full, so editing the scenario file also changes
        the experiment. Cosmetic fields are left out.

        Args:
            base: The experiment's base scenario (see :meth:`base_scenario`).

        Returns:
            JSON-compatible data; parameters keep their order as a list of pairs.
        """
        data = self.model_dump(mode="json", by_alias=True, exclude={*COSMETIC_FIELDS})
        data.pop("scenario")
        data["parameters"] = [[key, spec] for key, spec in data["parameters"].items()]
        data["base_scenario"] = base.model_dump(mode="json")
        return data


def experiment_hash(normalised: dict[str, Any]) -> str:
    """A sha256 of canonical JSON, identifying an experiment's results."""
    text = json.dumps(normalised, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def read_experiment(path: str | Path) -> Experiment:
    """Read and parse an experiment file, without the checks that need its scenario.

    Args:
        path: The TOML experiment file.

    Returns:
        The parsed Experiment, with its scenario path resolved against the file's
        directory; :func:`hikisim.sweeps.validation.load_experiment` also checks it.

    Raises:
        InputError: If the file cannot be read or its tables are malformed.
    """
    path = Path(path)
    data = read_experiment_data(path)
    data.setdefault("name", path.stem)
    if isinstance(data.get("scenario"), str):
        data["scenario"] = str(path.resolve().parent / data["scenario"])
    return parse_experiment(data, str(path))


def read_experiment_data(path: Path) -> dict[str, Any]:
    """The raw TOML data of an experiment file.

    Args:
        path: The file.

    Returns:
        Its tables, not yet validated.

    Raises:
        InputError: If the file is missing, unreadable, not TOML or empty.
    """
    return read_toml_file(path, str(path), EMPTY_FILE_ADVICE)


def parse_experiment(data: dict[str, Any], source: str) -> Experiment:
    """Validate raw data into an Experiment, raising a one-line InputError.

    Args:
        data: Nested data, e.g. from a TOML file.
        source: The file name (or other origin) used in error messages.

    Returns:
        The Experiment (not yet checked against its scenario).
    """
    for table in DOTTED_TABLES:
        _check_quoted_keys(data.get(table), table, source)
    try:
        return Experiment.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A misspelt key also makes the intended key "missing"; report the typo.
        typos = [error for error in errors if error["type"] == "extra_forbidden"]
        raise _format_error((typos or errors)[0], source) from None


def _check_quoted_keys(table: Any, name: str, source: str) -> None:
    """Refuse a dotted key written without quotes, which TOML reads as nested tables."""
    if not isinstance(table, dict):
        return
    for key, value in table.items():
        dotted = _nested_key(key, value, ranges=name == "parameters")
        if dotted is not None:
            raise InputError(
                f'write the dotted key in quotes, "{dotted}" = ...; without them TOML '
                f"reads {key!r} as a table of its own",
                source,
                f"{name}.{dotted}",
            )


def _nested_key(key: str, value: Any, ranges: bool) -> str | None:
    """The dotted key that TOML split into nested tables, or None if ``value`` is no table.

    No scenario field takes a table; a parameter's only table is a range, whose entries
    are plain values (a misspelt min or max is left to the range's own checks).
    """
    if not isinstance(value, dict) or (ranges and _range_like(value)):
        return None
    while isinstance(value, dict) and value and not (ranges and _range_like(value)):
        inner, value = next(iter(value.items()))
        key = f"{key}.{inner}"
    return key


def _range_like(table: dict[str, Any]) -> bool:
    return not any(isinstance(item, dict | list) for item in table.values())


def check_settings(experiment: Experiment, source: str) -> Scenario:
    """Check the settings against each other and each parameter against its field.

    Limits that span fields (shares that must add up to at most 1) depend on the other
    parameters' values, so :func:`hikisim.sweeps.validation.check_experiment` checks
    them at every design point instead.

    Args:
        experiment: A parsed experiment.
        source: The experiment file, for error messages.

    Returns:
        The base scenario.

    Raises:
        InputError: On the first problem found.
    """
    _check_design(experiment, source)
    _check_names(experiment, source)
    _check_no_run_seed(experiment, source)
    base = experiment.base_scenario(source)
    for key, spec in experiment.parameters.items():
        _check_parameter(base, key, spec, source)
    _check_weekly(experiment, source)
    return base


def _check_design(experiment: Experiment, source: str) -> None:
    design = experiment.design
    method = design.method
    given = design.model_fields_set
    if method == "grid" and design.samples is not None:
        raise InputError(
            "grid designs take every combination of the listed values; remove samples",
            source,
            "design.samples",
        )
    if method in SAMPLED_METHODS and design.samples is None:
        raise InputError(f"{method} designs need samples (an integer >= 1)", source, "design")
    if method == "sobol" and design.samples is not None:
        _check_power_of_two(design.samples, source)
    if method == "morris" and design.samples is not None and design.samples < 2:
        # One trajectory gives one elementary effect per parameter: no spread (sigma).
        raise InputError(
            f"morris designs need at least 2 trajectories, got {design.samples}",
            source,
            "design.samples",
        )
    if "levels" in given and method != "morris":
        raise InputError("levels applies to morris designs only", source, "design.levels")
    if method == "morris" and design.levels % 2:
        raise InputError(
            f"must be even so each Morris step is half the range, got {design.levels}",
            source,
            "design.levels",
        )
    if "second_order" in given and method != "sobol":
        raise InputError(
            "second_order applies to sobol designs only", source, "design.second_order"
        )
    for key, spec in experiment.parameters.items():
        is_range = isinstance(spec, ParameterRange)
        if method == "grid" and is_range:
            raise InputError(
                "grid designs need a list of values, e.g. [0.5, 1.0], not a range",
                source,
                f"parameters.{key}",
            )
        if method in SAMPLED_METHODS and not is_range:
            raise InputError(
                f"{method} designs need a range {{ min = ..., max = ... }}, not a list",
                source,
                f"parameters.{key}",
            )


def _check_power_of_two(samples: int, source: str) -> None:
    if samples >= 2 and samples & (samples - 1) == 0:
        return
    lower = 1 << max(samples.bit_length() - 1, 1)
    raise InputError(
        f"sobol samples must be a power of 2 (>= 2) for the Sobol sequence to balance, "
        f"got {samples}; try {lower} or {lower * 2}",
        source,
        "design.samples",
    )


def _check_names(experiment: Experiment, source: str) -> None:
    varied = {normalise_key(key): key for key in experiment.parameters}
    if len(varied) != len(experiment.parameters):
        raise InputError("a parameter is listed twice", source, "parameters")
    for key in experiment.fixed:
        if normalise_key(key) in varied:
            raise InputError(
                "is both varied in [parameters] and fixed in [set]; keep one", source, f"set.{key}"
            )
    for field, names in (("outcomes", experiment.outcomes), ("weekly", experiment.weekly)):
        if len(set(names)) != len(names):
            raise InputError("lists a name twice", source, field)


def _check_no_run_seed(experiment: Experiment, source: str) -> None:
    tables = (("parameters", experiment.parameters), ("set", experiment.fixed))
    for table, keys in tables:
        for key in keys:
            if normalise_key(key) == RUN_SEED_KEY:
                raise InputError(
                    "would be ignored: every run's seed derives from the experiment's "
                    'top-level seed and seeding ("common" or "independent"); set those, '
                    "and replicates for more seeds per point",
                    source,
                    f"{table}.{key}",
                )


def _check_parameter(base: Scenario, key: str, spec: ParameterSpec, source: str) -> None:
    field = f"parameters.{key}"
    values = _probe_values(spec)
    info = _field_info(tuple(normalise_key(key).split(".")))
    if isinstance(spec, ParameterRange):
        annotation = getattr(info, "annotation", None)
        if annotation not in (int, float):
            if annotation is not bool:
                # An unknown key gets the scenario's own message (with a suggestion); a
                # switch would be refused for the number itself, not for the range.
                error = _override_error(base, {key: spec.min})
                if error is not None:
                    raise _relabel(error, source, field)
            raise InputError("a range needs a numeric field; use a list", source, field)
        if annotation is int:
            values = [round(value) for value in values]
    for value in values:
        error = _override_error(base, {key: value})
        # A limit that spans fields depends on the other parameters' values; the check
        # of every design point decides it.
        if error is not None and _key_at_fault(error, {key: value}) is not None:
            raise _relabel(error, source, field)


def _probe_values(spec: ParameterSpec) -> list[Any]:
    if isinstance(spec, ParameterRange):
        return [spec.min, spec.max]
    return list(spec)


def _check_weekly(experiment: Experiment, source: str) -> None:
    for name in experiment.weekly:
        if name not in WEEKLY_COLUMNS:
            raise InputError(_unknown_key_message(name, list(WEEKLY_COLUMNS)), source, "weekly")


def _override_error(scenario: Scenario, overrides: dict[str, Any]) -> InputError | None:
    """What applying the overrides raises, labelled with the scenario's field, or None."""
    try:
        scenario.with_overrides(overrides, source="")
    except InputError as error:
        return error
    return None


def _key_at_fault(error: InputError, overrides: dict[str, Any]) -> str | None:
    """The override key an error is about, or None if it spans other fields too."""
    for key in overrides:
        name = normalise_key(key)
        if error.field == name or error.field.startswith(f"{name}."):
            return key
    return None


def _relabel(error: InputError, source: str, field: str) -> InputError:
    """The scenario's error, re-labelled with the experiment file and its field."""
    message = str(error).removeprefix(f"{error.field}: ") if error.field else str(error)
    return InputError(message, source, field)


def _format_error(error: dict[str, Any], source: str) -> InputError:
    loc = [part for part in error["loc"] if part not in ("range", "levels")]
    field = ".".join(str(part) for part in loc) or "(top level)"
    if error["type"] == "extra_forbidden":
        valid = _valid_keys(loc[:-1])
        return InputError(_unknown_key_message(str(loc[-1]), valid), source, field)
    if error["type"] == "missing":
        return InputError("is required", source, field)
    value = error.get("input")
    message = str(error["msg"]).removeprefix("Value error, ")
    return InputError(f"{message}, got {value!r}", source, field)


def _valid_keys(loc: list[Any]) -> list[str]:
    model: Any = Experiment
    for part in loc:
        if part == "parameters":
            return ["min", "max"]
        info = getattr(model, "model_fields", {}).get(part)
        model = info.annotation if info is not None else None
    fields = getattr(model, "model_fields", {})
    return [info.alias or name for name, info in fields.items()]
