"""The validated scenario: every parameter of a run, loaded from TOML.

A scenario file may ``extends = "baseline.toml"`` (a path relative to itself) and then
states only what differs. Dotted overrides such as ``population.youths=2000`` are applied
last. Unknown keys and out-of-range values raise :class:`~hikisim.errors.InputError` with
the file, the dotted field name and what is allowed.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from hikisim.errors import InputError
from hikisim.interventions import REGISTRY

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=-10.0, le=10.0)]
Logit = Annotated[float, Field(ge=-20.0, le=5.0)]


class Section(BaseModel):
    """Base for scenario sections: strict, immutable, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class RunSettings(Section):
    """How long to run and with which seed."""

    seed: int = Field(20261125, ge=0, le=2**63 - 1, description="base random seed")
    burn_in_years: int = Field(
        30, ge=0, le=100, description="years simulated before the horizon, to reach steady state"
    )
    years: float = Field(10.0, gt=0.0, le=100.0, description="horizon length in years")


class PopulationSettings(Section):
    """Size and structure of the population of youths, families and schools."""

    youths: int = Field(10_000, ge=10, le=2_000_000, description="number of youths aged 10-39")
    male_share: Probability = 0.51
    family_size_weights: tuple[float, float, float] = Field(
        (0.45, 0.40, 0.15), description="shares of families with 1, 2 and 3 youths"
    )
    school_catchment: int = Field(
        900, ge=30, le=100_000, description="youths (all ages) per school catchment area"
    )
    class_size: int = Field(30, ge=2, le=60, description="pupils per class")
    aging: bool = Field(True, description="age youths weekly and replace them at 40")


class IndividualSettings(Section):
    """Individual risk factors: trauma, introversion, psychiatric disorders."""

    trauma_prevalence: Probability = 0.15
    schizophrenia_prevalence: Probability = 0.007
    social_anxiety_prevalence: Probability = 0.035
    depression_prevalence: Probability = 0.055
    autism_prevalence: Probability = 0.015
    avoidant_personality_prevalence: Probability = 0.02
    introversion_weight: Weight = 0.3
    trauma_weight: Weight = 0.5
    disorder_onset_weight: Weight = 0.8
    disorder_progress_weight: Weight = 0.6
    disorder_exit_multiplier: float = Field(0.6, ge=0.0, le=5.0)
    male_weight: Weight = 0.35


class FamilySettings(Section):
    """Family risk factors and help-seeking."""

    neglect_share: Probability = 0.10
    overprotection_share: Probability = 0.20
    high_expectation_share: Probability = 0.30
    neglect_weight: Weight = 0.6
    overprotection_weight: Weight = 0.5
    expectation_gap_weight: Weight = 0.6
    never_seek_share: Probability = 0.40
    help_base: Logit = -4.2
    help_withdrawn_weight: Weight = 1.0
    stigma: float = Field(0.5, ge=0.0, le=5.0, description="logit penalty on seeking help")


class SchoolSettings(Section):
    """School climate, pressure, dropout and the school-to-work transition."""

    climate_weight: Weight = 0.35
    pressure_weight: Weight = 0.3
    refusal_start: Probability = 0.03
    refusal_stop: Probability = 0.01
    refusal_progress_weight: Weight = 0.3
    dropout_rate: Probability = 0.01
    university_base: Logit = 0.2
    neither_base: Logit = -2.6
    neither_weight: Weight = 0.9
    find_work_rate: Probability = 0.02


class SocietySettings(Section):
    """Sociocultural setting of the region."""

    urbanization: Probability = 0.92
    social_cohesion: Probability = 0.5
    internet_penetration: Probability = 0.93
    urbanization_weight: Weight = 0.3
    cohesion_weight: Weight = 0.8
    internet_weight: Weight = 0.4


class NetworkSettings(Section):
    """The social graph and how withdrawal erodes it."""

    classmate_degree: float = Field(6.0, ge=0.0, le=50.0)
    friend_degree: float = Field(3.0, ge=0.0, le=50.0)
    neighbour_degree: float = Field(1.5, ge=0.0, le=50.0)
    online_degree: float = Field(2.0, ge=0.0, le=50.0)
    online_tie_weight: float = Field(0.5, ge=0.0, le=1.0)
    tie_loss_rate: Probability = 0.10
    tie_regain_rate: Probability = 0.05
    online_gain_rate: Probability = 0.03


class DynamicsSettings(Section):
    """Base hazards of the four-state withdrawal process."""

    onset_base: Logit = -9.0
    age_peak: float = Field(21.0, ge=10.0, le=40.0)
    age_width: float = Field(4.0, gt=0.0, le=30.0)
    age_bump: Weight = 0.8
    peer_weight: Weight = 3.0
    progress_base: Logit = -6.3
    resolve_base: Logit = -4.3
    exit_base: Probability = 0.015
    duration_decline: float = Field(0.7, ge=0.0, le=5.0)
    reentry_base: Probability = 0.06
    years_lost_slowdown: float = Field(0.3, ge=0.0, le=10.0)
    relapse_rate: Probability = 0.008
    internet_addiction_start: Probability = 0.03
    internet_addiction_stop: Probability = 0.03
    internet_addiction_weight: Weight = 0.5
    sleep_reversal_start: Probability = 0.04
    sleep_reversal_stop: Probability = 0.06


class CareSettings(Section):
    """Usual care: the medical exam, then treatment with weekly dropout."""

    exam_sensitivity: Probability = 0.8
    clinical_exit_multiplier: float = Field(2.0, ge=0.0, le=20.0)
    psychosocial_exit_multiplier: float = Field(1.6, ge=0.0, le=20.0)
    clinical_dropout: Probability = 0.03
    psychosocial_dropout: Probability = 0.04


def _interventions_model() -> type[BaseModel]:
    fields: dict[str, Any] = {
        name: (cls.Params, cls.Params()) for name, cls in sorted(REGISTRY.items())
    }
    return create_model(
        "InterventionSettings",
        __config__=ConfigDict(extra="forbid", frozen=True),
        __doc__="One table per registered intervention; all are off by default.",
        **fields,
    )


InterventionSettings = _interventions_model()


class Scenario(Section):
    """A complete, validated hikisim scenario.

    Attributes:
        name: Short identifier written into every output.
        description: One line on what the scenario represents.
    """

    name: str = "baseline"
    description: str = "Calibrated baseline: Japan, youths aged 10-39, usual care only."
    run: RunSettings = RunSettings()
    population: PopulationSettings = PopulationSettings()
    individual: IndividualSettings = IndividualSettings()
    family: FamilySettings = FamilySettings()
    school: SchoolSettings = SchoolSettings()
    society: SocietySettings = SocietySettings()
    network: NetworkSettings = NetworkSettings()
    dynamics: DynamicsSettings = DynamicsSettings()
    care: CareSettings = CareSettings()
    interventions: InterventionSettings = InterventionSettings()  # type: ignore[valid-type]

    def with_overrides(self, overrides: dict[str, Any], source: str = "override") -> Scenario:
        """Return a copy with dotted overrides applied and validated.

        Args:
            overrides: Mapping such as ``{"population.youths": 2000}``.
            source: Where the overrides came from, for error messages.

        Returns:
            A new validated Scenario.
        """
        data = self.model_dump()
        apply_overrides(data, overrides, source)
        return validate_scenario(data, source)

    def enabled_interventions(self) -> list[str]:
        """Names of the interventions switched on in this scenario."""
        return [name for name in REGISTRY if getattr(self.interventions, name).enabled]


def parse_value(text: str) -> Any:
    """Parse a command-line value as TOML, falling back to a plain string.

    Args:
        text: The right-hand side of ``key=value``.

    Returns:
        An int, float, bool, list or string.
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignment(item: str) -> tuple[str, Any]:
    """Split a ``dotted.key=value`` option into its key and parsed value.

    Args:
        item: The option text.

    Returns:
        The dotted key and the parsed value.

    Raises:
        InputError: If there is no ``=`` or the key is empty.
    """
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise InputError(f"expected dotted.key=value, got {item!r}", source="--set")
    return key.strip(), parse_value(value.strip())


def normalise_key(key: str) -> str:
    """Accept ``population__youths`` as well as ``population.youths``."""
    return key.replace("__", ".")


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any], source: str) -> None:
    """Write dotted overrides into nested scenario data in place.

    Args:
        data: Nested scenario data.
        overrides: Dotted keys and values.
        source: Where the overrides came from, for error messages.

    Raises:
        InputError: If a key does not name a scenario field.
    """
    for raw_key, value in overrides.items():
        key = normalise_key(raw_key)
        parts = key.split(".")
        node: dict[str, Any] = data
        model: type[BaseModel] = Scenario
        for depth, part in enumerate(parts):
            fields = model.model_fields
            if part not in fields:
                prefix = ".".join(parts[:depth])
                raise InputError(_unknown_key_message(part, list(fields)), source, key or prefix)
            annotation = fields[part].annotation
            if depth == len(parts) - 1:
                node[part] = value
            elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
                node = node.setdefault(part, {})
                model = annotation
            else:
                raise InputError(f"{part!r} is a value, not a section", source, key)


def _unknown_key_message(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r}{hint} (valid: {', '.join(valid)})"


def _field_info(loc: tuple[Any, ...]) -> Any:
    model: Any = Scenario
    info = None
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return info
        info = fields[part]
        model = info.annotation
    return info


def _allowed(loc: tuple[Any, ...]) -> str:
    info = _field_info(loc)
    if info is None:
        return ""
    bounds = []
    for meta in info.metadata:
        for attr, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(meta, attr, None) is not None:
                bounds.append(f"{symbol} {getattr(meta, attr)}")
    return f" (allowed: {' and '.join(bounds)})" if bounds else ""


def _format_error(error: dict[str, Any], source: str) -> InputError:
    loc = tuple(error["loc"])
    field = ".".join(str(part) for part in loc)
    if error["type"] == "extra_forbidden":
        parent = _field_info(loc[:-1])
        model = parent.annotation if parent is not None else Scenario
        valid = list(getattr(model, "model_fields", {}))
        return InputError(_unknown_key_message(str(loc[-1]), valid), source, field)
    value = error.get("input")
    message = f"{error['msg']}, got {value!r}{_allowed(loc)}"
    return InputError(message, source, field)


def validate_scenario(data: dict[str, Any], source: str) -> Scenario:
    """Validate nested data into a Scenario, raising a one-line InputError.

    Args:
        data: Nested scenario data, for example from a TOML file.
        source: The file name (or other origin) used in error messages.

    Returns:
        The validated Scenario.

    Raises:
        InputError: On the first invalid field.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _format_error(exc.errors()[0], source) from None


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Merge ``update`` into a copy of ``base``, recursing into tables."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_scenario_data(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file, resolving its ``extends`` chain.

    Args:
        path: The TOML file.
        seen: Files already on the chain, to detect cycles.

    Returns:
        The merged, not yet validated, data.

    Raises:
        InputError: If a file is missing, unreadable, not TOML, or extends itself.
    """
    path = path.resolve()
    if path in seen:
        raise InputError("extends chain loops back to this file", str(path), "extends")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", str(path)) from None
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError("must be a file name string", str(path), "extends")
    parent_path = path.parent / parent
    if not parent_path.is_file():
        raise InputError(f"no such file {str(parent_path)!r}", str(path), "extends")
    base = read_scenario_data(parent_path, (*seen, path))
    # A name belongs to one file: a child that sets none is named after itself.
    base.pop("name", None)
    return deep_merge(base, data)


def load_scenario(path: str | Path, **overrides: Any) -> Scenario:
    """Load and validate a scenario file.

    Args:
        path: A TOML scenario file.
        **overrides: Dotted overrides, written ``**{"population.youths": 2000}`` or
            ``population__youths=2000``.

    Returns:
        The validated Scenario. Its name defaults to the file's stem.

    Raises:
        InputError: If the file or an override is invalid.
    """
    path = Path(path)
    data = read_scenario_data(path)
    data.setdefault("name", path.stem)
    source = str(path)
    validate_scenario(data, source)
    apply_overrides(data, overrides, source)
    return validate_scenario(data, source)
