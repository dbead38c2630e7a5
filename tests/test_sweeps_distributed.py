"""Real processes: a sweep killed with SIGKILL and resumed, and a sweep on a Dask cluster.

Both run the actual model on a small scenario, through the ``hikisim sweep`` command or
the Python API.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from processes import BUSY

from hikisim.sweeps import load_results, prepare_sweep, run_sweep

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
CLI = [sys.executable, "-c", "from hikisim.cli import main; main()"]


def write_experiment(path: Path, youths: int, burn_in: int, years: int) -> Path:
    path.write_text(
        f'scenario = "{BASELINE}"\nreplicates = 2\nseed = 7\n'
        'outcomes = ["prevalence_15_39", "person_years_withdrawn", "school_refusal_rate"]\n'
        '[design]\nmethod = "grid"\n'
        '[parameters]\n"family.neglect_weight" = [0.2, 0.6, 1.0, 1.4]\n'
        '"dynamics.peer_weight" = [2.0, 4.0]\n'
        f'[set]\n"population.youths" = {youths}\n'
        f'"run.burn_in_years" = {burn_in}\n"run.years" = {years}\n'
        + "".join(f'"{key}" = {value}\n' for key, value in BUSY.items())
    )
    return path


def run_files(out: Path) -> list[Path]:
    runs = out / "runs"
    return sorted(runs.glob("*.parquet")) if runs.is_dir() else []


@pytest.mark.xdist_group("dask")
def test_sigkilled_sweep_resumes_to_exactly_the_planned_runs(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path / "kill.toml", youths=800, burn_in=3, years=2)
    out = tmp_path / "out"
    planned = prepare_sweep(experiment).plan.run_ids
    assert len(planned) == 16
    command = [*CLI, "sweep", str(experiment), "--out", str(out), "--workers", "2"]
    # A session of its own, so the kill takes the driver and its workers together.
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while len(run_files(out)) < 3 and process.poll() is None:
            assert time.monotonic() < deadline, "the sweep wrote no runs in time"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    survivors = {path.stem: path.stat().st_mtime_ns for path in run_files(out)}
    assert 3 <= len(survivors) < len(planned), "the kill must land mid-sweep"
    assert set(survivors) <= set(planned)

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(survivors)} already done" in resumed.stdout

    files = run_files(out)
    assert sorted(path.stem for path in files) == sorted(planned)
    assert not [p for p in (out / "runs").iterdir() if p.suffix != ".parquet"]
    # Runs that finished before the kill were kept, not run again.
    assert {p.stem: p.stat().st_mtime_ns for p in files if p.stem in survivors} == survivors
    results = load_results(out)
    assert sorted(results["run_id"]) == sorted(planned)
    assert results["run_id"].is_unique and (results["status"] == "ok").all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(run["run_id"] for run in manifest["runs"]) == sorted(planned)


@pytest.mark.xdist_group("dask")
def test_dask_cluster_gives_the_same_results_as_the_local_pool(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    experiment = write_experiment(tmp_path / "dask.toml", youths=300, burn_in=2, years=1)
    local = run_sweep(experiment, tmp_path / "local", workers=2, progress=False)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run_sweep(experiment, tmp_path / "dask", cluster.scheduler_address)
        # The executor ran on the cluster's workers, not in this process.
        assert len(client.scheduler_info()["workers"]) == 2
    assert len(local) == 16 and (local["status"] == "ok").all()
    columns = [c for c in local.columns if c not in ("elapsed_s",)]
    pd.testing.assert_frame_equal(local[columns], on_dask[columns])
    # Different design points really produce different outcomes: the check has teeth.
    assert local["person_years_withdrawn"].nunique() > 1
