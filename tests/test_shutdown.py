"""Clean shutdown: signals stop the workers, and workers outlive no killed driver.

Each test starts a real command with a local pool of worker processes, waits until
runs are under way, then signals it and checks the process tree and the files.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from processes import (
    BASELINE,
    alive,
    descendants,
    hikisim,
    kill_tree,
    run_files,
    set_options,
    start_hikisim,
    sweep_experiment,
    wait_until,
)

from hikisim.locking import LOCK_NAME
from hikisim.sweeps.storage import TEMP_SUFFIX

pytestmark = pytest.mark.xdist_group("shutdown")

SLOW = {"population.youths": 3000, "run.burn_in_years": 5, "run.years": 4}


def start_sweep(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    experiment = sweep_experiment(tmp_path / "grid.toml", points=8, youths=2000, years=4)
    out = tmp_path / "out"
    process = start_hikisim("sweep", experiment, "--workers", "2", "--out", out, cwd=tmp_path)
    wait_until(lambda: len(run_files(out)) >= 1, 120, "a first finished run")
    return process, out


def pool_workers(process: subprocess.Popen[str]) -> list:
    # Pool workers are children of the fork server, not of the driver itself (whose
    # own children are the fork server and multiprocessing's resource tracker).
    return [p for p in descendants(process.pid) if p.ppid() != process.pid]


def workers_of(process: subprocess.Popen[str]) -> list:
    wait_until(lambda: len(pool_workers(process)) >= 2, 60, "two pool workers")
    return descendants(process.pid)


def assert_only_whole_run_files(out: Path, temporaries_allowed: bool = False) -> None:
    leftovers = [p.name for p in (out / "runs").iterdir() if p.suffix != ".parquet"]
    if temporaries_allowed:
        # The atomic writer's hidden temporaries (".NAME.parquet.XXXX.tmp"), never a run's
        # own name: what a writer killed mid-write leaves, and resuming clears.
        leftovers = [
            name
            for name in leftovers
            if not (name.startswith(".") and name.endswith(TEMP_SUFFIX) and ".parquet." in name)
        ]
    assert leftovers == []
    for path in run_files(out):
        assert pq.read_table(path).num_rows == 1


@pytest.mark.parametrize(
    ("signum", "whole_group"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)],
    ids=["SIGTERM", "SIGINT", "Ctrl-C-to-the-group"],
)
def test_a_signalled_sweep_stops_its_workers(
    tmp_path: Path, signum: int, whole_group: bool
) -> None:
    process, out = start_sweep(tmp_path)
    try:
        workers = workers_of(process)
        if whole_group:
            os.killpg(process.pid, signum)  # what a terminal's Ctrl-C does
        else:
            process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 128 + signum, stderr
        assert "Traceback" not in stderr, stderr
        assert f"stopped by {signal.Signals(signum).name}" in stderr
        wait_until(lambda: not alive(workers), 10, "the workers to stop")
    finally:
        kill_tree(process)
    assert_only_whole_run_files(out)
    assert not (out / LOCK_NAME).exists()


def test_a_signalled_compare_stops_its_workers_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = start_hikisim(
        "compare", BASELINE, BASELINE.parent / "comprehensive.toml", "--replicates", "3",
        *set_options(SLOW), "--out", out, cwd=tmp_path,
    )  # fmt: skip
    try:
        workers = workers_of(process)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 128 + signal.SIGTERM, stderr
        assert "Traceback" not in stderr, stderr
        wait_until(lambda: not alive(workers), 10, "the workers to stop")
    finally:
        kill_tree(process)
    assert not out.exists(), "a compare stopped early leaves no half-made folder"


def test_workers_of_a_killed_driver_exit_on_their_own(tmp_path: Path) -> None:
    process, out = start_sweep(tmp_path)
    try:
        workers = workers_of(process)
        process.send_signal(signal.SIGKILL)  # the driver alone: no chance to clean up
        process.wait(timeout=30)
        wait_until(lambda: not alive(workers), 30, "orphaned workers to exit")
    finally:
        kill_tree(process)
    # The driver writes the run files; killed in the middle of one, it leaves only the
    # writer's temporary, which the next command on the folder clears as it resumes.
    assert_only_whole_run_files(out, temporaries_allowed=True)
    # One such temporary for certain, as if the kill had come mid-write.
    (out / "runs" / f".r0000.parquet.abcd{TEMP_SUFFIX}").write_bytes(b"PAR1 half")
    resumed = hikisim("sweep", tmp_path / "grid.toml", "--workers", "2", "--out", out, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert_only_whole_run_files(out)
