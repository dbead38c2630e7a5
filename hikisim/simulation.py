"""Running a scenario end to end: ``simulate`` and the files ``hikisim run`` writes."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hikisim.metrics import summarize
from hikisim.model import HikiModel, without_programmes
from hikisim.output import atomic_directory
from hikisim.scenario import Scenario, load_scenario, normalise_key
from hikisim.survey_figure import plot_yearly_against_surveys
from hikisim.survey_records import YEARLY_COLUMNS
from hikisim.targets import Target, load_targets


def resolve_scenario(
    scenario_or_path: Scenario | str | os.PathLike[str] | None, overrides: dict[str, Any]
) -> Scenario:
    """Turn a Scenario, a file path or None (the embedded baseline) into a Scenario.

    Args:
        scenario_or_path: What the caller passed.
        overrides: Dotted overrides to apply.

    Returns:
        The validated Scenario.
    """
    if scenario_or_path is None:
        scenario_or_path = Scenario()
    if isinstance(scenario_or_path, Scenario):
        return scenario_or_path.with_overrides(overrides) if overrides else scenario_or_path
    return load_scenario(scenario_or_path, **overrides)


def run_model(
    scenario: Scenario,
    seed: int | None = None,
    progress: Callable[[int], Any] | None = None,
    targets: Mapping[str, Target] | None = None,
) -> HikiModel:
    """Build and run a model to the end of its horizon.

    Args:
        scenario: The scenario.
        seed: Overrides the scenario's seed.
        progress: Called with 1 after each week, if given.
        targets: The published figures to measure; the packaged ones by default.

    Returns:
        The finished model.
    """
    model = HikiModel(scenario, seed=seed, targets=targets)
    model.run(progress)
    model.finalize_log()
    return model


def run_models_sharing_burn_in(
    scenarios: Sequence[Scenario], seed: int | None = None
) -> list[HikiModel]:
    """Run scenarios that differ only in their programmes, simulating the burn-in once.

    The burn-in runs once without programmes; at the horizon the model is forked per
    scenario (:meth:`HikiModel.fork`). Each result is byte-identical to
    :func:`run_model` of that scenario with the same seed.

    Args:
        scenarios: The scenarios; all must share everything but their programmes.
        seed: Overrides the scenarios' seed.

    Returns:
        One finished model per scenario, in order.

    Raises:
        ValueError: If the scenarios differ beyond their programmes.
    """
    trunk = HikiModel(without_programmes(scenarios[0]), seed=seed)
    while trunk.week < trunk.horizon_start:
        trunk.step()
    models = []
    for scenario in scenarios:
        model = trunk.fork(scenario)
        model.run()
        model.finalize_log()
        models.append(model)
    return models


def simulate(
    scenario_or_path: Scenario | str | os.PathLike[str] | None = None,
    seed: int | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Run one simulation and return its summary.

    A plain function of plain parameters, so SALib, EMA Workbench or any script can call
    it. Dotted overrides are passed as ``**{"population.youths": 2000}`` or
    ``population__youths=2000``.

    Args:
        scenario_or_path: A Scenario, a TOML file, or None for the embedded baseline.
        seed: Overrides the scenario's seed.
        **overrides: Dotted scenario overrides.

    Returns:
        The same dict as ``summary.json``, whose ``overrides`` records the dotted
        overrides applied.
    """
    scenario = resolve_scenario(scenario_or_path, overrides)
    summary = summarize(run_model(scenario, seed))
    summary["overrides"] = {normalise_key(key): value for key, value in overrides.items()}
    return summary


def write_outputs(
    model: HikiModel, out: Path, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Write the run's files atomically.

    They are ``summary.json``, ``weekly.csv``, ``episodes.csv``, ``yearly.csv`` and the
    survey figure ``surveys.png``.

    The files are written into a temporary directory next to ``out`` and moved into
    place only when all are complete.

    Args:
        model: A finished model.
        out: The output directory.
        overrides: The dotted overrides the scenario was run with, recorded in the
            summary so the run can be reproduced.

    Returns:
        The summary.
    """
    summary = summarize(model)
    summary["overrides"] = dict(overrides or {})
    with atomic_directory(Path(out)) as staging:
        (staging / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        weekly = model.datacollector.get_model_vars_dataframe()
        weekly.insert(0, "scenario", model.settings.name)
        weekly.insert(1, "seed", model.seed)
        weekly.to_csv(staging / "weekly.csv", index=False)
        episodes = model.episode_log.to_frame(model.horizon_start)
        episodes.insert(0, "scenario", model.settings.name)
        episodes.insert(1, "seed", model.seed)
        episodes.to_csv(staging / "episodes.csv", index=False)
        rows = model.survey_recorder.yearly_rows()
        write_yearly(rows, staging / "yearly.csv")
        plot_yearly_against_surveys(
            rows,
            load_targets(),
            staging / "surveys.png",
            f"{model.settings.name}, seed {model.seed}: model (line) and surveys (points)",
        )
    return summary


def write_yearly(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """Write the yearly series; years the run did not measure are left empty."""
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=YEARLY_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "" if row[key] is None else row[key] for key in YEARLY_COLUMNS})
