"""Output-folder locks: one command at a time per folder, stale locks taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import (
    BASELINE,
    POINT_CALIBRATE_TINY,
    TINY,
    hikisim,
    one_line_error,
    set_options,
    start_hikisim,
    sweep_experiment,
)

from hikisim.errors import InputError
from hikisim.locking import LOCK_NAME, output_lock
from hikisim.sweeps import load_results

HOLD = (
    "import sys, time\n"
    "from hikisim.locking import output_lock\n"
    "with output_lock(sys.argv[1], command='holder under test'):\n"
    "    print('locked', flush=True)\n"
    "    time.sleep(600)\n"
)


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """Another process that holds the lock on ``tmp_path / "out"``."""
    folder = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "locked"
    try:
        yield process, folder
    finally:
        process.kill()
        process.wait()


def test_a_held_lock_refuses_another_process_and_names_it(
    holder: tuple[subprocess.Popen[str], Path],
) -> None:
    process, folder = holder
    with pytest.raises(InputError) as info, output_lock(folder):
        pass
    message = str(info.value)
    assert f"process {process.pid}" in message and "holder under test" in message
    assert str(folder) in message


def test_the_lock_is_reentrant_in_one_process_and_leaves_no_file(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    with output_lock(folder):
        assert (folder / LOCK_NAME).is_file()
        with output_lock(folder):
            (folder / "result.txt").write_text("kept")
        assert (folder / LOCK_NAME).is_file()
    assert sorted(p.name for p in folder.iterdir()) == ["result.txt"]


def test_a_refused_or_failed_command_leaves_no_new_folder(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    with pytest.raises(RuntimeError), output_lock(folder):
        raise RuntimeError("the command failed before writing anything")
    assert not folder.exists()


def test_a_lock_left_by_a_killed_process_is_taken_over(
    holder: tuple[subprocess.Popen[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    process, folder = holder
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert (folder / LOCK_NAME).is_file(), "a killed holder cannot clean up"
    with output_lock(folder):
        pass
    note = capsys.readouterr().err
    assert f"process {process.pid}" in note and "no longer running" in note


@pytest.mark.parametrize("command", ["run", "sweep", "sensitivity", "compare", "calibrate"])
def test_every_command_refuses_a_folder_in_use(
    holder: tuple[subprocess.Popen[str], Path], tmp_path: Path, command: str
) -> None:
    process, folder = holder
    if command == "run":
        args: list[object] = ["run", BASELINE, *set_options(TINY)]
    elif command == "sweep":
        args = ["sweep", sweep_experiment(tmp_path / "grid.toml")]
    elif command == "sensitivity":
        args = [
            "sensitivity",
            Path(__file__).parents[1] / "experiments" / "sensitivity_factor_weights.toml",
        ]
    elif command == "compare":
        args = ["compare", BASELINE, BASELINE.parent / "comprehensive.toml", *set_options(TINY)]
    else:
        args = list(POINT_CALIBRATE_TINY)
    line = one_line_error(hikisim(*args, "--out", folder, cwd=tmp_path))
    assert f"in use by process {process.pid}" in line
    assert sorted(p.name for p in folder.iterdir()) == [LOCK_NAME]


@pytest.mark.parametrize("same", [False, True], ids=["two-experiments", "one-experiment-twice"])
def test_two_sweeps_started_together_on_one_folder(tmp_path: Path, same: bool) -> None:
    first_experiment = sweep_experiment(tmp_path / "first.toml", points=3, youths=2500, years=4)
    second_experiment = (
        first_experiment if same else sweep_experiment(tmp_path / "second.toml", points=2)
    )
    out = tmp_path / "out"
    sweeps = [
        start_hikisim("sweep", experiment, "--workers", "1", "--out", out, cwd=tmp_path)
        for experiment in (first_experiment, second_experiment)
    ]
    try:
        outcomes = [(process, *process.communicate(timeout=300)) for process in sweeps]
    finally:
        for process in sweeps:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    winners = [p for p, _, _ in outcomes if p.returncode == 0]
    losers = [(p, err) for p, _, err in outcomes if p.returncode != 0]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    loser, stderr = losers[0]
    result = subprocess.CompletedProcess(loser.args, loser.returncode, "", stderr)
    assert f"in use by process {winners[0].pid}" in one_line_error(result)
    results = load_results(out)
    # Only the winner's runs, each computed once.
    assert len(results) == (6 if same or winners[0] is sweeps[0] else 4)
    assert results["run_id"].is_unique and (results["attempts"] == 1).all()
    assert not (out / LOCK_NAME).exists()
