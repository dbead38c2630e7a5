"""Running a scenario end to end: ``simulate`` and the files ``hikisim run`` writes.

Every output of a run records where it came from (its provenance): the scenario's name,
the seed, the hikisim version, the dotted overrides, a hash of the resolved settings and
a hash of the model's source code (``model_source``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from hikisim.metrics import summarize
from hikisim.model import HikiModel, without_programmes
from hikisim.output import atomic_directory
from hikisim.scenario import Scenario, load_scenario, recorded_overrides
from hikisim.source_hash import model_source_hash
from hikisim.survey_figure import plot_yearly_against_surveys
from hikisim.survey_records import YEARLY_COLUMNS
from hikisim.targets import Target, load_targets

#: The provenance columns that lead every CSV a run writes, in order.
PROVENANCE_COLUMNS = ("scenario", "seed", "version", "settings_hash", "model_source", "overrides")


def settings_hash(scenario: Scenario) -> str:
    """A short hash of a resolved scenario, so that different settings never look alike.

    It covers every field as resolved (file, ``extends`` chain, defaults and overrides
    merged; the name and description too), as canonical JSON, so two files that differ
    in any value differ here even if they share a name, and a file that spells out a
    default equals one that omits it.
    The seed is left out: it is recorded beside the hash, and leaving it out gives the
    replicates of one setting the same hash, however their seed was passed.

    Args:
        scenario: The scenario.

    Returns:
        ``"sha256:"`` and the first 16 hex digits of the hash. The prefix keeps CSV
        readers from taking an all-digit hash (or one like ``1e5...``) for a number.
    """
    data = scenario.model_dump(mode="json")
    del data["run"]["seed"]
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def provenance(model: HikiModel, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Where a run's results came from, as recorded in every output.

    Args:
        model: The model (its scenario, seed and version are read).
        overrides: Dotted overrides to record besides those the scenario recorded as it
            was made (:attr:`hikisim.scenario.Scenario.overrides`); the later win.

    Returns:
        The provenance, keyed as :data:`PROVENANCE_COLUMNS`.
    """
    recorded = model.settings.overrides | recorded_overrides(overrides or {})
    return {
        "scenario": model.settings.name,
        "seed": model.seed,
        "version": model.version,
        "settings_hash": settings_hash(model.settings),
        "model_source": model_source_hash(),
        "overrides": recorded,
    }


def provenance_cells(record: Mapping[str, Any]) -> dict[str, Any]:
    """Provenance as CSV cells: the overrides as compact JSON."""
    cells = dict(record)
    cells["overrides"] = json.dumps(record["overrides"], sort_keys=True, separators=(",", ":"))
    return cells


def with_provenance(summary: dict[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    """The summary with the provenance first (replacing its own scenario, seed and version)."""
    return {**record, **{key: value for key, value in summary.items() if key not in record}}


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
        seed: Overrides the scenario's seed: an integer (Python or numpy) from 0 to
            2**63-1, the range of ``run.seed`` and ``--seed``.
        **overrides: Dotted scenario overrides.

    Returns:
        The same dict as ``summary.json``, led by the provenance: ``overrides`` records
        the dotted overrides applied to the scenario (here and before, by
        ``load_scenario`` or ``with_overrides``), and ``settings_hash`` the resolved
        settings.

    Raises:
        InputError: If ``seed`` is not an integer from 0 to 2**63-1 (a float or a bool
            included), or the scenario or an override is invalid.
    """
    scenario = resolve_scenario(scenario_or_path, overrides)
    model = run_model(scenario, seed)
    return with_provenance(summarize(model), provenance(model, overrides))


def write_outputs(
    model: HikiModel,
    out: Path,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the run's files atomically, each recording the run's provenance.

    They are ``summary.json``, ``weekly.csv``, ``episodes.csv``, ``yearly.csv`` and the
    survey figure ``surveys.png``. The summary starts with the provenance keys; each CSV
    starts with the :data:`PROVENANCE_COLUMNS`, the same on every row (overrides as
    compact JSON), so each file read alone, with any CSV reader, says where it came
    from; the figure carries them as PNG text entries.

    The files are written into a temporary directory next to ``out`` and moved into
    place only when all are complete.

    Args:
        model: A finished model.
        out: The output directory.
        overrides: Dotted overrides to record besides those the scenario recorded.

    Returns:
        The summary.
    """
    record = provenance(model, overrides)
    summary = with_provenance(summarize(model), record)
    cells = provenance_cells(record)
    with atomic_directory(Path(out)) as staging:
        (staging / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        weekly = model.datacollector.get_model_vars_dataframe()
        _lead_with(weekly, cells).to_csv(staging / "weekly.csv", index=False)
        episodes = model.episode_log.to_frame(model.horizon_start)
        _lead_with(episodes, cells).to_csv(staging / "episodes.csv", index=False)
        rows = model.survey_recorder.yearly_rows()
        write_yearly(rows, staging / "yearly.csv", cells)
        plot_yearly_against_surveys(
            rows,
            load_targets(),
            staging / "surveys.png",
            f"{model.settings.name}, seed {model.seed}: model (line) and surveys (points)",
            {key: str(cells[key]) for key in PROVENANCE_COLUMNS},
        )
    return summary


def _lead_with(frame: pd.DataFrame, cells: Mapping[str, Any]) -> pd.DataFrame:
    """``frame``, changed in place: the provenance columns in front, the same on every row."""
    for position, column in enumerate(PROVENANCE_COLUMNS):
        frame.insert(position, column, cells[column])
    return frame


def write_yearly(
    rows: Sequence[dict[str, Any]], path: Path, cells: Mapping[str, Any] | None = None
) -> None:
    """Write the yearly series; years the run did not measure are left empty.

    Args:
        rows: The yearly rows.
        path: The CSV file.
        cells: Provenance cells (:func:`provenance_cells`) to lead every row with.
    """
    lead = {key: cells[key] for key in PROVENANCE_COLUMNS} if cells else {}
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*lead, *YEARLY_COLUMNS])
        writer.writeheader()
        for row in rows:
            values = {key: "" if row[key] is None else row[key] for key in YEARLY_COLUMNS}
            writer.writerow(lead | values)
