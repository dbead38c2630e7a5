"""The sidebar's controls: which scenario values a class can change, and how they become a run.

Every control is named after the scenario key it sets, written with ``__`` instead of
``.`` (``family__overprotection_share``) because Mesa passes controls to the model as
keyword arguments. A scenario file from ``scenarios/`` is the preset: it fills in every
value the sidebar does not show and gives the sliders their starting positions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import Any

from hikisim.errors import InputError
from hikisim.interventions import REGISTRY
from hikisim.scenario import Scenario, load_scenario
from hikisim.seeds import checked_seed

# Large enough that a programme's effect shows above chance within a few years, small
# enough that a week still steps and draws well inside the 200 ms a class notices.
DEFAULT_YOUTHS = 1000
MIN_YOUTHS = 100
MAX_YOUTHS = 3000
YOUTHS_STEP = 50
DEFAULT_BURN_IN_YEARS = 10
# The classroom town is one of youths, as its views say (the share with hikikomori is
# counted among ages 15 to 39): the model can run people to 64, but a thousand people
# spread over ages 10 to 64 leave only a handful of cases among the young, too few for
# the lesson's points to show at the default size.
MAX_AGE = 39
MAX_BURN_IN_YEARS = 30
DEFAULT_SCENARIO_FILE = "baseline.toml"
SCENARIO_DIR_VARIABLE = "HIKISIM_SCENARIOS"
# The finest slider step: a preset with more decimals than this is rounded by the slider.
# Calibrated defaults carry six significant figures (peer influence 3.08466 needs 1e-5).
MIN_SLIDER_STEP = 1e-6


@dataclass(frozen=True)
class FactorControl:
    """A slider for one scenario value.

    Attributes:
        key: Dotted scenario key the slider sets.
        group: The factor group it belongs to (family, school, sociocultural, individual).
        label: What the slider means, in plain words.
        low: Left end of the slider.
        high: Right end of the slider.
        step: Slider resolution.
        unit: How the value reads: ``share`` (a percentage), ``weight`` (a multiplier
            of a hazard term) or ``level`` (a score on the scenario's own scale).
    """

    key: str
    group: str
    label: str
    low: float
    high: float
    step: float
    unit: str = "weight"

    @property
    def param_name(self) -> str:
        """The keyword argument the model receives for this slider."""
        return dotted_to_param(self.key)


FACTOR_CONTROLS: tuple[FactorControl, ...] = (
    FactorControl(
        "family.overprotection_share", "Family", "overprotective families", 0, 0.6, 0.05, "share"
    ),
    FactorControl("family.neglect_share", "Family", "neglecting families", 0, 0.5, 0.05, "share"),
    FactorControl(
        "family.expectation_gap_weight", "Family", "effect of high expectations", 0, 2, 0.1
    ),
    FactorControl("school.pressure_weight", "School", "effect of academic pressure", 0, 2, 0.1),
    FactorControl("school.climate_weight", "School", "effect of a poor school climate", 0, 2, 0.1),
    FactorControl(
        "society.social_cohesion", "Sociocultural", "community cohesion", 0, 1, 0.05, "level"
    ),
    FactorControl(
        "society.internet_penetration", "Sociocultural", "internet access", 0, 1, 0.05, "share"
    ),
    FactorControl("family.stigma", "Sociocultural", "stigma of seeking help", 0, 3, 0.1, "level"),
    FactorControl("dynamics.peer_weight", "Sociocultural", "peer influence", 0, 6, 0.25),
    FactorControl(
        "individual.trauma_prevalence",
        "Individual",
        "youths with early trauma",
        0,
        0.5,
        0.01,
        "share",
    ),
    FactorControl(
        "individual.introversion_weight", "Individual", "effect of introversion", 0, 2, 0.05
    ),
)


def dotted_to_param(key: str) -> str:
    """Turn a dotted scenario key into a keyword-argument name (``a.b`` -> ``a__b``)."""
    return key.replace(".", "__")


def param_to_dotted(name: str) -> str:
    """Turn a keyword-argument name back into a dotted scenario key."""
    return name.replace("__", ".")


def intervention_param(name: str) -> str:
    """The keyword argument of the switch for intervention ``name``."""
    return dotted_to_param(f"interventions.{name}.enabled")


def intervention_label(name: str) -> str:
    """A readable label for intervention ``name``.

    Its class's ``label`` if it has one, else the name in words (``parenting_course`` ->
    ``Parenting course``).
    """
    label = getattr(REGISTRY.get(name), "label", None)
    return label if isinstance(label, str) and label else name.replace("_", " ").capitalize()


def intervention_names() -> list[str]:
    """The registered interventions, in a stable order."""
    return sorted(REGISTRY)


def scenario_directory() -> Path:
    """Where the scenario files live.

    ``$HIKISIM_SCENARIOS`` wins; then ``scenarios/`` in the working directory (a clone of
    the repository); then the repository the package was imported from; then the copies
    shipped inside the package.
    """
    candidates = [
        Path(os.environ.get(SCENARIO_DIR_VARIABLE, ""))
        if os.environ.get(SCENARIO_DIR_VARIABLE)
        else None,
        Path.cwd() / "scenarios",
        Path(__file__).resolve().parents[2] / "scenarios",
        Path(__file__).resolve().parents[1] / "data" / "scenarios",
    ]
    for candidate in candidates:
        if candidate is not None and candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    return Path.cwd() / "scenarios"


def scenario_files(directory: Path | None = None) -> list[str]:
    """Names of the scenario files a class can pick, the baseline first.

    Args:
        directory: Where to look; :func:`scenario_directory` if omitted.

    Returns:
        File names such as ``baseline.toml``.
    """
    directory = directory or scenario_directory()
    names = {path.name for path in directory.glob("*.toml")} | {DEFAULT_SCENARIO_FILE}
    return sorted(names, key=lambda name: (name != DEFAULT_SCENARIO_FILE, name))


def load_preset(file_name: str, directory: Path | None = None) -> Scenario:
    """Load a scenario file from the scenario directory.

    Args:
        file_name: A name listed by :func:`scenario_files`.
        directory: Where to look; :func:`scenario_directory` if omitted.

    Returns:
        The validated scenario.

    Raises:
        InputError: If the name is not a file there, or the file is invalid.
    """
    directory = directory or scenario_directory()
    if file_name == DEFAULT_SCENARIO_FILE and not (directory / file_name).exists():
        return Scenario()  # the embedded defaults are the baseline
    if Path(file_name).name != file_name or not (directory / file_name).is_file():
        raise InputError(f"no scenario file named {file_name!r} in {directory}", "scenario file")
    return load_scenario(directory / file_name)


def read_value(scenario: Scenario, key: str) -> Any:
    """The value of a dotted key in a scenario."""
    return reduce(getattr, key.split("."), scenario)


def slider_step(control: FactorControl, value: float) -> float:
    """A slider step fine enough that the preset's value lies on the slider's grid.

    The browser snaps a slider's value to its grid, so a preset such as 0.93 on a 0.05
    grid would come back as 0.95 and look like a change waiting for Reset. Hundredths
    suffice for most presets, whatever the control's own step; a fitted value such as
    3.08466 needs hundred-thousandths.

    Args:
        control: The slider.
        value: The preset's value.
    """
    low = min(control.low, value)
    step = min(control.step, 0.01)
    while step > MIN_SLIDER_STEP and not on_grid(value - low, step):
        step /= 10
    return step


def on_grid(offset: float, step: float) -> bool:
    """Whether ``offset`` is a whole number of ``step``s, within rounding error."""
    steps = offset / step
    return abs(steps - round(steps)) < 1e-6


def factor_slider(control: FactorControl, preset: Scenario) -> dict[str, Any]:
    """Mesa's description of one factor slider, starting at the preset's value."""
    value = float(read_value(preset, control.key))
    return {
        "type": "SliderFloat",
        "label": f"{control.group}: {control.label}",
        "value": value,
        # Widen the range when a scenario file sets a value outside the usual one.
        "min": min(control.low, value),
        "max": max(control.high, value),
        "step": slider_step(control, value),
        "unit": control.unit,
        "group": control.group,
    }


def model_params(preset: Scenario, file_name: str) -> dict[str, Any]:
    """The sidebar's controls: type, label, starting value, range, step and unit of each.

    Args:
        preset: The scenario the controls start from.
        file_name: The preset's file name, passed unchanged to the model on reset.

    Returns:
        One description per control, in the form of Mesa's ``model_params``, keyed by the
        model's keyword arguments.
    """
    params: dict[str, Any] = {
        "scenario_file": file_name,
        "youths": {
            "type": "SliderInt",
            "label": "Number of youths",
            "value": DEFAULT_YOUTHS,
            "min": MIN_YOUTHS,
            "max": MAX_YOUTHS,
            "step": YOUTHS_STEP,
            "unit": "youths",
        },
        "seed": {
            "type": "InputText",
            "label": "Seed (a whole number from 0)",
            "value": str(preset.run.seed),
        },
        "burn_in_years": {
            "type": "SliderInt",
            "label": "Warm-up years before week 0",
            "value": DEFAULT_BURN_IN_YEARS,
            "min": 0,
            "max": MAX_BURN_IN_YEARS,
            "step": 1,
            "unit": "years",
        },
    }
    for control in FACTOR_CONTROLS:
        params[control.param_name] = factor_slider(control, preset)
    for name in intervention_names():
        params[intervention_param(name)] = {
            "type": "Checkbox",
            "label": f"Intervention: {intervention_label(name)}",
            "value": bool(getattr(preset.interventions, name).enabled),
        }
    return params


def initial_values(params: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments the controls hold before anyone touches them."""
    return {
        name: spec["value"] if isinstance(spec, dict) else spec for name, spec in params.items()
    }


def preset_values(file_name: str) -> dict[str, Any]:
    """Every control's value for a preset file, as the model's keyword arguments.

    Args:
        file_name: A name listed by :func:`scenario_files`.

    Raises:
        InputError: If the file cannot be read.
    """
    values = initial_values(model_params(load_preset(file_name), file_name))
    return {name: value for name, value in values.items() if name != "scenario_file"}


def parse_seed(value: int | str) -> int:
    """Read the seed typed into the sidebar.

    Raises:
        InputError: If it is not a whole number from 0 to 2**63 - 1.
    """
    text = str(value).strip()
    try:
        seed = int(text)
    except ValueError:
        raise InputError(f"must be a whole number, got {text!r}", "seed") from None
    return checked_seed(seed, "seed")


def check_youths(youths: int) -> int:
    """Keep the population small enough to draw and step at once.

    Raises:
        InputError: If ``youths`` is outside the dashboard's range.
    """
    if not MIN_YOUTHS <= int(youths) <= MAX_YOUTHS:
        raise InputError(
            f"the dashboard runs {MIN_YOUTHS} to {MAX_YOUTHS} youths, got {youths}; "
            "use 'hikisim run' for larger populations",
            "number of youths",
        )
    return int(youths)


def check_conflicts(preset: Scenario, dotted: dict[str, Any]) -> None:
    """Reject slider combinations that are valid one by one but impossible together.

    Checked before the scenario is validated, which would refuse them too but in the
    words of the scenario file, not of the sliders a teacher moved.

    Args:
        preset: The preset scenario.
        dotted: The controls' values by dotted field name.

    Raises:
        InputError: If the parenting shares add up to more than all families.
    """
    neglect = float(dotted.get("family.neglect_share", preset.family.neglect_share))
    overprotection = float(
        dotted.get("family.overprotection_share", preset.family.overprotection_share)
    )
    total = neglect + overprotection
    if total > 1.0:
        raise InputError(
            f"neglecting ({neglect:.2f}) plus overprotective ({overprotection:.2f}) families "
            f"come to {total:.2f}, more than all families; lower one of them",
            "family sliders",
        )


def build_scenario(
    file_name: str, youths: int, seed: int | str, burn_in_years: int, overrides: dict[str, Any]
) -> Scenario:
    """The scenario the sidebar describes: the preset file plus the controls.

    Args:
        file_name: The preset scenario file.
        youths: Number of youths.
        seed: The seed, as typed.
        burn_in_years: Warm-up years simulated before week 0.
        overrides: Further controls, keyed by their keyword-argument names.

    Returns:
        The validated scenario.

    Raises:
        InputError: With a one-line message naming the control, if anything is invalid.
    """
    preset = load_preset(file_name)
    dotted = {param_to_dotted(name): value for name, value in overrides.items()}
    dotted |= {
        "population.max_age": MAX_AGE,
        "population.youths": check_youths(youths),
        "run.seed": parse_seed(seed),
        "run.burn_in_years": burn_in_years,
    }
    check_conflicts(preset, dotted)
    return preset.with_overrides(dotted, source="dashboard")


def fallback_scenario(file_name: str) -> Scenario:
    """A runnable scenario to show while the controls hold an error.

    The preset file at the dashboard's default size, or the embedded baseline if the
    file itself cannot be read.
    """
    defaults = {
        "population.max_age": MAX_AGE,
        "population.youths": DEFAULT_YOUTHS,
        "run.burn_in_years": DEFAULT_BURN_IN_YEARS,
    }
    try:
        return load_preset(file_name).with_overrides(defaults)
    except InputError:
        return Scenario().with_overrides(defaults)
