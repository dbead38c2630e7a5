"""Helpers for end-to-end tests that start real processes: the CLI, Dask, process trees."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

BIN = Path(sys.executable).parent
HIKISIM = BIN / "hikisim"
DASK = BIN / "dask"
REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"
# Withdrawal commoner than in the calibrated baseline, so that runs this small have cases.
BUSY = {"dynamics.progress_base": -5.5, "dynamics.narrow_entry_share": 0.6}
TINY = {"population.youths": 300, "run.burn_in_years": 2, "run.years": 1, **BUSY}
# Calibration measures the survey targets, so its runs must pass every survey date: the
# default burn-in from 1960, with few people.
CALIBRATE_TINY = {"population.youths": 300, "run.years": 1}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def set_options(overrides: dict[str, object]) -> list[str]:
    """``--set key=value`` options for a dict of dotted overrides."""
    return [part for key, value in overrides.items() for part in ("--set", f"{key}={value}")]


def hikisim(*args: object, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed ``hikisim`` command and capture its output."""
    return subprocess.run(
        [str(HIKISIM), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def start_hikisim(*args: object, cwd: Path) -> subprocess.Popen[str]:
    """Start ``hikisim`` in a session of its own (so a test can signal just it)."""
    return subprocess.Popen(
        [str(HIKISIM), *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a refused command, after checking the contract."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hikisim: error: "), lines[0]
    return lines[0]


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds, failing the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def descendants(pid: int) -> list[psutil.Process]:
    """Every process below ``pid`` (workers of a local pool come from a fork server)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    """The processes still running (zombies count as gone)."""
    running = []
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                running.append(process)
        except psutil.NoSuchProcess:
            continue
    return running


def kill_tree(process: subprocess.Popen[str]) -> None:
    """Make sure a started command and everything below it is gone."""
    for child in descendants(process.pid):
        child.kill()
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def run_files(out: Path) -> list[Path]:
    """The finished run files of a sweep folder."""
    runs = out / "runs"
    return sorted(runs.glob("*.parquet")) if runs.is_dir() else []


def sweep_experiment(path: Path, points: int = 3, youths: int = 300, years: int = 1) -> Path:
    """A small grid experiment on the baseline: ``points`` x 2 replicates."""
    values = ", ".join(str(0.2 + 0.4 * index) for index in range(points))
    path.write_text(
        f'scenario = "{BASELINE}"\nreplicates = 2\nseed = 7\n'
        'outcomes = ["prevalence_15_39", "person_years_withdrawn"]\n'
        '[design]\nmethod = "grid"\n'
        f'[parameters]\n"family.neglect_weight" = [{values}]\n'
        f'[set]\n"population.youths" = {youths}\n"run.burn_in_years" = 2\n"run.years" = {years}\n'
        + "".join(f'"{key}" = {value}\n' for key, value in BUSY.items()),
        encoding="utf-8",
    )
    return path


class DaskCluster:
    """A Dask scheduler and workers started as separate processes on 127.0.0.1.

    Attributes:
        address: The scheduler's address.
    """

    def __init__(
        self, folder: Path, workers: int = 2, worker_env: dict[str, str] | None = None
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        scheduler_file = folder / "scheduler.json"
        self.scheduler = subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(scheduler_file)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        wait_until(scheduler_file.exists, 60, "the Dask scheduler to start")
        wait_until(lambda: scheduler_file.stat().st_size > 0, 10, "the scheduler file")
        self.address = json.loads(scheduler_file.read_text())["address"]
        self.workers = subprocess.Popen(
            [str(DASK), "worker", self.address, "--nworkers", str(workers), "--nthreads", "1",
             "--no-dashboard", "--death-timeout", "30"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            env=None if worker_env is None else os.environ | worker_env,
        )  # fmt: skip
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=90)

    def kill_scheduler(self) -> None:
        """Kill the scheduler abruptly, as a crash would."""
        os.killpg(self.scheduler.pid, signal.SIGKILL)
        self.scheduler.wait(timeout=30)

    def stop(self) -> None:
        """Stop the workers and the scheduler and reap them."""
        for process in (self.workers, self.scheduler):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (self.workers, self.scheduler):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)


@contextmanager
def dask_cluster(
    folder: Path, workers: int = 2, worker_env: dict[str, str] | None = None
) -> Iterator[DaskCluster]:
    """A :class:`DaskCluster` for the duration of a block (``worker_env`` adds to the
    workers' environment)."""
    cluster = DaskCluster(folder, workers, worker_env)
    try:
        yield cluster
    finally:
        cluster.stop()


POINT_CALIBRATE_TINY: list[object] = [
    "calibrate",
    "--method",
    "point",
    "--iterations",
    "0",
    "--seeds",
    "1",
    *set_options(CALIBRATE_TINY),
]
"""The quickest point calibration (one evaluation, one seed), without ``--out``."""


# A Bayesian calibration small enough for tests: a town of 1,000 run from 2009 (about
# 2 s a run), two parameters, and targets measured in December 2015.
SMALL_CALIBRATION = {"population.youths": 1000, "run.burn_in_years": 17, "run.years": 0.1}
SMALL_PRIORS = """
[priors."dynamics.progress_base"]
distribution = "uniform"
min = -7.0
max = -4.5
source = "assumption: a test range"

[priors."dynamics.deepen_rate"]
distribution = "loguniform"
min = 0.001
max = 0.03
source = "assumption: a test range"
"""
SMALL_DEFINITIONS = {"cao2016_broad_15_39": "cao_broad", "cao2016_narrow_15_39": "cao_narrow"}


def small_calibration_inputs(folder: Path, values: dict[str, float]) -> tuple[Path, Path]:
    """Write a targets file (the two Dec 2015 shares, +-20%) and the priors for them.

    Args:
        folder: Where to write ``targets.toml`` and ``priors.toml``.
        values: The published value of each of :data:`SMALL_DEFINITIONS`.

    Returns:
        The targets file and the priors file.
    """
    lines = []
    for name, value in values.items():
        lines += [
            f"[{name}]",
            f"value = {value:.6f}",
            f"tolerance = [{0.8 * value:.6f}, {1.2 * value:.6f}]",
            'date = "2015-12"',
            "ages = [15, 39]",
            f'definition = "{SMALL_DEFINITIONS[name]}"',
            'measure = "synthetic"',
            "n = 100000",
            'confidence = "A"',
            'source = "synthetic (tests)"',
            "",
        ]
    targets, priors = folder / "targets.toml", folder / "priors.toml"
    targets.write_text("\n".join(lines))
    priors.write_text(SMALL_PRIORS)
    return targets, priors


def small_calibration_args(inputs: tuple[Path, Path], waves: str, particles: int) -> list[object]:
    """``hikisim calibrate --quick`` on the small problem, without ``--out``."""
    targets, priors = inputs
    return [
        "calibrate",
        "--quick",
        "--targets",
        targets,
        "--priors",
        priors,
        "--waves",
        waves,
        "--abc-population",
        particles,
        "--predictive-draws",
        2,
        *set_options(SMALL_CALIBRATION),
    ]
