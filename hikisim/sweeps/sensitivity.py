"""Sensitivity analysis of a finished sweep: Morris screening and Sobol indices (SALib).

Each design row's outcome is the mean over its replicates. With common random numbers
(the default seeding) every row sees the same seeds, so differences between rows come
from the parameters rather than from seed noise.

Files written to the sweep directory:

* ``sensitivity.csv``: one row per outcome and parameter (Morris: ``mu``, ``mu_star``,
  ``mu_star_conf``, ``sigma``; Sobol: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``);
* ``sensitivity_s2.csv``: Sobol second-order indices, when the design sampled them;
* ``sensitivity.md``: the same tables in Markdown;
* ``sensitivity.png``: Morris mu* against sigma, or Sobol S1 and ST bars.

Each is written to a temporary name and renamed into place, like the run files, so an
interrupted analysis leaves the previous file or the whole new one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris, sobol

from hikisim.errors import InputError
from hikisim.locking import output_lock
from hikisim.output import check_output_folder
from hikisim.sweeps.api import ExperimentSource, execute_sweep, prepare_sweep
from hikisim.sweeps.experiment import Experiment
from hikisim.sweeps.plotting import plot_sensitivity
from hikisim.sweeps.storage import SweepStore, load_results, write_atomically

ANALYSED_METHODS = ("morris", "sobol")
CONFIDENCE = 0.95
RESAMPLES = 1000
CONSTANT_NOTE = (
    "Every design point gave the same value, so there is no variance to attribute: "
    "the Sobol indices are undefined (nan)."
)


def run_sensitivity(
    experiment: ExperimentSource,
    out: str | os.PathLike[str],
    scheduler: Any = None,
    *,
    workers: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run (or resume) a Morris or Sobol sweep, then analyse it and write the tables.

    Args:
        experiment: An experiment file or :class:`~hikisim.sweeps.experiment.Experiment`
            whose design method is ``morris`` or ``sobol``.
        out: The sweep directory.
        scheduler: A Dask scheduler address or Client; None runs locally.
        workers: Local pool size; default all cores.
        progress: Show a progress bar on stderr.

    Returns:
        The indices, as returned by :func:`analyze_sweep`.

    Raises:
        InputError: If the experiment is invalid or its design cannot be analysed.
    """
    prepared = prepare_sweep(experiment)
    method = prepared.experiment.design.method
    if method not in ANALYSED_METHODS:
        source = prepared.experiment.name if isinstance(experiment, Experiment) else str(experiment)
        raise InputError(
            f"sensitivity analysis needs method 'morris' or 'sobol', got {method!r}",
            source,
            "design.method",
        )
    check_output_folder(out)
    # Held across the sweep and the analysis, so another command cannot slip in between.
    with output_lock(out):
        execute_sweep(prepared, out, scheduler, workers=workers, progress=progress)
        return analyze_sweep(out)


def analyze_sweep(out: str | os.PathLike[str], write: bool = True) -> pd.DataFrame:
    """Compute Morris or Sobol indices for every outcome of a finished sweep.

    Args:
        out: A sweep directory whose design is ``morris`` or ``sobol``.
        write: Write the CSV, Markdown and PNG outputs into ``out``.

    Returns:
        One row per outcome and parameter with the method's indices and confidence
        half-widths (at 95%).

    Raises:
        InputError: If the design is not analysable or runs are failed or missing.
    """
    store = SweepStore(Path(out))
    manifest = store.read_manifest()
    if manifest is None:
        raise InputError("not a sweep directory (no manifest.json)", str(out))
    method = manifest["design"]["method"]
    if method not in ANALYSED_METHODS:
        raise InputError(f"a {method} design has no sensitivity analysis", str(out))
    table_by_row = row_means(manifest, load_results(out), str(out))
    settings = manifest["experiment"]["design"]
    analyse = _morris if method == "morris" else _sobol
    indices, second_order = analyse(manifest, table_by_row, settings)
    if write:
        write_tables(Path(out), method, indices, second_order)
        plot_sensitivity(method, indices, Path(out) / "sensitivity.png")
    return indices


def row_means(manifest: dict[str, Any], results: pd.DataFrame, source: str) -> pd.DataFrame:
    """Each design row's outcomes, averaged over its replicates.

    Args:
        manifest: The sweep's manifest.
        results: :func:`~hikisim.sweeps.storage.load_results` of the sweep.
        source: The sweep directory, for error messages.

    Returns:
        One row per design row, one column per outcome.

    Raises:
        InputError: If any run the design needs is missing, failed, or lacks an outcome.
    """
    outcomes = manifest["experiment"]["outcomes"]
    ok = results[results["status"] == "ok"].set_index("run_id")
    row_run_ids = manifest["design"]["row_run_ids"]
    needed = {run_id for ids in row_run_ids for run_id in ids}
    missing = needed - set(ok.index)
    if missing:
        raise InputError(
            f"{len(missing)} of {len(needed)} runs are failed or missing; rerun the same "
            "command to retry them before analysing",
            source,
        )
    means = np.array([ok.loc[ids, outcomes].mean(axis=0).to_numpy() for ids in row_run_ids])
    if np.isnan(means).any():
        # Named, because a target the runs never reach (its survey date lies outside the
        # run) is a known outcome that every run reports as missing.
        missing_any = np.isnan(means).any(axis=0)
        unmeasured = [name for name, bad in zip(outcomes, missing_any, strict=True) if bad]
        raise InputError(
            f"some runs did not measure {', '.join(unmeasured)}; a target needs a run "
            "that reaches its survey date",
            source,
            "outcomes",
        )
    return pd.DataFrame(means, columns=outcomes)


def _morris(
    manifest: dict[str, Any], by_row: pd.DataFrame, settings: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    problem = manifest["design"]["problem"]
    matrix = np.asarray(manifest["design"]["matrix"], dtype=float)
    rows = []
    for outcome in by_row:
        result = morris.analyze(
            problem,
            matrix,
            by_row[outcome].to_numpy(),
            num_resamples=RESAMPLES,
            conf_level=CONFIDENCE,
            num_levels=settings["levels"],
            seed=manifest["seeds"]["base"],
        )
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "outcome": outcome,
                    "parameter": name,
                    "mu": float(result["mu"][i]),
                    "mu_star": float(result["mu_star"][i]),
                    "mu_star_conf": float(result["mu_star_conf"][i]),
                    "sigma": float(result["sigma"][i]),
                }
            )
    return pd.DataFrame(rows), None


def _sobol(
    manifest: dict[str, Any], by_row: pd.DataFrame, settings: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    problem = manifest["design"]["problem"]
    names = problem["names"]
    second = bool(settings["second_order"])
    rows, pairs = [], []
    for outcome in by_row:
        values = by_row[outcome].to_numpy()
        if np.ptp(values) == 0:
            # No variance to share out: the indices are 0/0, which SALib computes with
            # warnings; they are left undefined (NaN) and the Markdown says why.
            result = _undefined_sobol(len(names))
        else:
            result = sobol.analyze(
                problem,
                values,
                calc_second_order=second,
                num_resamples=RESAMPLES,
                conf_level=CONFIDENCE,
                seed=manifest["seeds"]["base"],
            )
        for i, name in enumerate(names):
            rows.append(
                {
                    "outcome": outcome,
                    "parameter": name,
                    **{key: float(result[key][i]) for key in ("S1", "S1_conf", "ST", "ST_conf")},
                }
            )
        if second:
            pairs += _second_order_rows(outcome, names, result)
    return pd.DataFrame(rows), pd.DataFrame(pairs) if second else None


def _undefined_sobol(parameters: int) -> dict[str, np.ndarray]:
    """Sobol results of an outcome that never varies: every index NaN."""
    first = np.full(parameters, np.nan)
    pairs = np.full((parameters, parameters), np.nan)
    return {
        "S1": first,
        "S1_conf": first,
        "ST": first,
        "ST_conf": first,
        "S2": pairs,
        "S2_conf": pairs,
    }


def _second_order_rows(outcome: str, names: list[str], result: Any) -> list[dict[str, Any]]:
    return [
        {
            "outcome": outcome,
            "parameter": names[i],
            "other": names[j],
            "S2": float(result["S2"][i, j]),
            "S2_conf": float(result["S2_conf"][i, j]),
        }
        for i in range(len(names))
        for j in range(i + 1, len(names))
    ]


def write_tables(
    out: Path, method: str, indices: pd.DataFrame, second_order: pd.DataFrame | None
) -> None:
    """Write ``sensitivity.csv``, ``sensitivity.md`` and, if any, ``sensitivity_s2.csv``.

    Args:
        out: The sweep directory.
        method: ``morris`` or ``sobol``.
        indices: One row per outcome and parameter.
        second_order: Sobol second-order indices, or None.
    """
    _write_csv(out / "sensitivity.csv", indices)
    title = "Morris screening" if method == "morris" else "Sobol indices"
    lines = [f"# {title} ({int(CONFIDENCE * 100)}% confidence half-widths)", ""]
    for outcome, table in indices.groupby("outcome", sort=False):
        lines += [f"## {outcome}", ""]
        if method == "sobol" and table["ST"].isna().all():
            lines += [CONSTANT_NOTE, ""]
        lines += [markdown_table(table.drop(columns="outcome")), ""]
    if second_order is not None:
        _write_csv(out / "sensitivity_s2.csv", second_order)
        lines += ["## Second-order indices", "", markdown_table(second_order), ""]
    text = "\n".join(lines)
    write_atomically(out / "sensitivity.md", lambda temp: temp.write_text(text, encoding="utf-8"))


def _write_csv(path: Path, table: pd.DataFrame) -> None:
    write_atomically(path, lambda temp: table.to_csv(temp, index=False))


def markdown_table(table: pd.DataFrame) -> str:
    """A DataFrame as a GitHub Markdown table, numbers to 4 significant digits."""
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = [
        "| " + " | ".join(_cell(value) for value in row) + " |"
        for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def _cell(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
