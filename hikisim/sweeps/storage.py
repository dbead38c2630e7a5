"""Sweep directories: ``manifest.json`` plus one Parquet file per run.

Layout::

    DIR/manifest.json             the experiment, design, seeds and package versions
    DIR/runs/<run_id>.parquet     one row: ids, parameters, outcomes, status, error; its
                                  metadata holds the status and the model source's hash

Every file is written to a temporary name and renamed into place, so a killed sweep
leaves only whole files behind: a run either has its file or it will be run again.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hikisim.datafile import read_json_object
from hikisim.errors import InputError
from hikisim.locking import LOCK_NAME
from hikisim.source_hash import model_source_hash
from hikisim.sweeps.runner import WEEKLY_PREFIX

MANIFEST = "manifest.json"
RUNS = "runs"
FORMAT = "hikisim-sweep/1"
STATUS_KEY = b"hikisim.status"
MODEL_SOURCE_KEY = b"hikisim.model_source"
TEMP_SUFFIX = ".tmp"
SET_ASIDE = "set-aside"
VERSIONED_PACKAGES = (
    "hikisim",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "networkx",
    "pydantic",
    "SALib",
    "dask",
    "distributed",
)
LEADING_COLUMNS = ("run_id", "point", "replicate", "seed")
MODEL_SOURCE_COLUMN = "model_source"
TRAILING_COLUMNS = ("status", "error", "attempts", "elapsed_s", MODEL_SOURCE_COLUMN)


def package_versions() -> dict[str, str]:
    """Python and the versions of the packages that shape a run's results."""
    versions = {"python": platform.python_version()}
    for package in VERSIONED_PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def write_atomically(path: Path, write: Any) -> None:
    """Write a file via a temporary sibling and an atomic rename.

    Args:
        path: The final path.
        write: Called with the temporary path; must create the file there.
    """
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent
    )
    os.close(handle)
    temp = Path(temp_name)
    # mkstemp makes the file private (0600); results are ordinary files, so honour umask.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)
    try:
        write(temp)
        # Flush the data before the rename and the rename before returning, so a power
        # cut leaves the old file or the whole new one, never an empty file by its name.
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
        fsync_folder(path.parent)
    finally:
        temp.unlink(missing_ok=True)


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a completed rename) to disk, where the OS allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename is still atomic
    finally:
        os.close(descriptor)


class SweepStore:
    """A sweep directory on disk.

    Args:
        root: The directory (``--out``).
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / RUNS
        self.manifest_path = self.root / MANIFEST
        self.model_source = model_source_hash()

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None if the directory holds none."""
        if not self.manifest_path.is_file():
            return None
        return read_json_object(self.manifest_path, "sweep manifest")

    def check_compatible(self, manifest: dict[str, Any]) -> bool:
        """Check that this directory may receive the runs of ``manifest``.

        Args:
            manifest: The manifest of the sweep about to run.

        Returns:
            True if the directory already holds this sweep (a resume), False if it is new
            or empty.

        Raises:
            InputError: If the directory holds another experiment, another model version,
                or files that are not a sweep.
        """
        existing = self.read_manifest()
        if existing is None:
            if self.root.exists() and any(p.name != LOCK_NAME for p in self.root.iterdir()):
                raise InputError(
                    "exists and is not a sweep directory (no manifest.json); "
                    "choose a new or empty --out directory",
                    str(self.root),
                )
            return False
        if existing.get("experiment_hash") != manifest["experiment_hash"]:
            changed = changed_fields(existing.get("experiment", {}), manifest["experiment"])
            raise InputError(
                "holds results of a different experiment (changed: "
                f"{', '.join(changed) or 'unknown'}); results are never mixed, so use a new "
                "--out directory or delete this one",
                str(self.root),
            )
        old, new = existing.get("model_version"), manifest["model_version"]
        if old != new:
            raise InputError(
                f"holds runs of hikisim {old}, this is {new}; use a new --out directory",
                str(self.root),
            )
        return True

    def initialise(self, manifest: dict[str, Any], resuming: bool) -> None:
        """Create the directory and write the manifest, clearing half-written files.

        Args:
            manifest: The sweep's manifest.
            resuming: Whether the directory already holds this sweep (the manifest is
                then kept as first written).
        """
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        # The manifest and the sensitivity outputs are written atomically too.
        for folder in (self.root, self.runs_dir):
            for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
                leftover.unlink(missing_ok=True)
        if not resuming:
            text = json.dumps(manifest, indent=1) + "\n"
            write_atomically(self.manifest_path, lambda temp: temp.write_text(text))

    def run_files(self) -> list[Path]:
        """The finished run files (ok or failed), sorted by name."""
        if not self.runs_dir.is_dir():
            return []
        return sorted(self.runs_dir.glob("*.parquet"))

    def finished_ok(self) -> set[str]:
        """Ids of runs that finished successfully; only their Parquet footers are read.

        A file that cannot be read, or was not written by a sweep, is moved aside to
        ``runs/set-aside/`` with a note on stderr, and its run is done again.
        """
        done = set()
        for path in self.run_files():
            try:
                metadata = pq.read_schema(path).metadata or {}
            except (OSError, pa.ArrowException) as error:
                self.set_aside(path, f"unreadable ({error})")
                continue
            status = metadata.get(STATUS_KEY)
            if status is None:
                self.set_aside(path, "not a hikisim run file")
            elif status == b"ok":
                done.add(path.stem)
        return done

    def set_aside(self, path: Path, reason: str) -> Path:
        """Move a bad run file out of the way and say so on stderr.

        Args:
            path: The file.
            reason: Why it was set aside.

        Returns:
            Its new path.
        """
        folder = self.runs_dir / SET_ASIDE
        folder.mkdir(exist_ok=True)
        target = folder / path.name
        os.replace(path, target)
        print(
            f"warning: set aside {path} ({reason}) to {target}; if the design has a run "
            "of that name, it is done again",
            file=sys.stderr,
        )
        return target

    def write_run(self, record: dict[str, Any]) -> Path:
        """Write one run's record atomically to ``runs/<run_id>.parquet``.

        Args:
            record: The flat record from the per-run function.

        Returns:
            The file written.
        """
        stored = {key: value for key, value in record.items() if key != "traceback"}
        if record["status"] != "ok":
            stored["traceback"] = record.get("traceback")
        table = pa.Table.from_pylist([stored])
        table = table.replace_schema_metadata(
            {STATUS_KEY: record["status"].encode(), MODEL_SOURCE_KEY: self.model_source.encode()}
        )
        path = self.runs_dir / f"{record['run_id']}.parquet"
        write_atomically(path, lambda temp: pq.write_table(table, temp))
        return path


def changed_fields(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted names of the fields that differ between two normalised experiments."""
    if isinstance(old, dict) and isinstance(new, dict):
        changed = []
        for key in sorted(set(old) | set(new), key=str):
            changed += changed_fields(old.get(key), new.get(key), f"{prefix}{key}.")
        return changed
    return [prefix.rstrip(".")] if old != new else []


def load_results(out: str | Path, weekly: bool = False) -> pd.DataFrame:
    """Load a sweep directory as one DataFrame, one row per run.

    Args:
        out: The sweep directory.
        weekly: Also return the weekly series columns (``weekly.<name>``, one list per
            run); see :func:`load_weekly` for a long table instead.

    Returns:
        Columns ``run_id``, ``point``, ``replicate``, ``seed``, the varied parameters,
        the outcomes, ``status`` (``ok`` or ``failed``), ``error``, ``attempts``,
        ``elapsed_s`` and ``model_source`` (the hash of the model's source the run was
        made with: a sweep resumed after the code changed holds more than one), sorted
        by design point and replicate. Outcomes of failed runs are NaN.

    Raises:
        InputError: If the directory is not a sweep directory.
    """
    store = SweepStore(out)
    if store.read_manifest() is None:
        raise InputError("not a sweep directory (no manifest.json)", str(out))
    frames = [_read_run(path) for path in store.run_files()]
    if not frames:
        return pd.DataFrame(columns=[*LEADING_COLUMNS, *TRAILING_COLUMNS])
    results = pd.concat(frames, ignore_index=True)
    if "traceback" not in results:
        results["traceback"] = None
    if not weekly:
        results = results.drop(columns=_weekly_columns(results.columns))
    ordered = [
        *LEADING_COLUMNS,
        *(c for c in results if c not in _bookkeeping()),
        *TRAILING_COLUMNS,
    ]
    results = results[[*ordered, "traceback"]]
    return results.sort_values(["point", "replicate"], ignore_index=True)


def load_weekly(out: str | Path) -> pd.DataFrame:
    """The weekly series of a sweep as a long table.

    Args:
        out: The sweep directory.

    Returns:
        One row per run and week: ``run_id``, ``week`` (from 0 at the start of the
        horizon) and one column per recorded series. Empty if none were recorded.
    """
    results = load_results(out, weekly=True)
    columns = _weekly_columns(results.columns)
    ok = results[results["status"] == "ok"]
    if not columns or ok.empty:
        return pd.DataFrame(columns=["run_id", "week"])
    long = ok[["run_id", *columns]].explode(columns, ignore_index=True)
    long.insert(1, "week", long.groupby("run_id").cumcount())
    long = long.rename(columns={c: c.removeprefix(WEEKLY_PREFIX) for c in columns})
    return long.astype({c.removeprefix(WEEKLY_PREFIX): float for c in columns})


def _read_run(path: Path) -> pd.DataFrame:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        raise InputError(
            f"unreadable run file ({error}); delete it or rerun the sweep, which sets it aside",
            str(path),
        ) from None
    frame = table.to_pandas()
    # The column makes runs of two code versions (a sweep resumed across an edit)
    # visible in the table; files from before the hash was recorded have None.
    source = (table.schema.metadata or {}).get(MODEL_SOURCE_KEY)
    frame[MODEL_SOURCE_COLUMN] = source.decode() if source is not None else None
    return frame


def _weekly_columns(columns: Iterable[str]) -> list[str]:
    return [c for c in columns if c.startswith(WEEKLY_PREFIX)]


def _bookkeeping() -> set[str]:
    return {*LEADING_COLUMNS, *TRAILING_COLUMNS, "traceback"}
