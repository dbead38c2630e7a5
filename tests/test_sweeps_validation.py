"""Experiments checked against their design: every design point, outcomes of every point.

The command-line cases run the real ``hikisim`` in a subprocess, because what matters
there is the exit code and the single line on stderr.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_sweeps_experiment import experiment_text, write

from hikisim.errors import InputError
from hikisim.sweeps import load_experiment, prepare_sweep

# Small and short, in case a check lets a run through.
TINY = {"population.youths": 300, "run.burn_in_years": 0, "run.years": 1}
SWITCH = "interventions.home_visits.enabled"
COST = "cost_by_intervention.home_visits"
NEGLECT, OVERPROTECTION = "family.neglect_share", "family.overprotection_share"


def grid(parameters: dict[str, list[object]], **top: object) -> str:
    return experiment_text(top or None, {"method": "grid"}, parameters, TINY)


@pytest.mark.parametrize("levels", [[True, False], [False, True]])
def test_outcome_of_some_points_is_accepted_whatever_the_list_order(
    tmp_path: Path, levels: list[bool]
) -> None:
    path = write(tmp_path, grid({SWITCH: levels}, outcomes=[COST]))
    assert load_experiment(path).outcomes == [COST]


def test_outcome_no_point_reports_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, grid({SWITCH: [False]}, outcomes=[COST]))
    with pytest.raises(InputError, match=r"unknown key 'cost_by_intervention\.home_visits'"):
        load_experiment(path)


def test_point_with_contradictory_values_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, grid({NEGLECT: [0.7, 0.1], OVERPROTECTION: [0.7, 0.1]}))
    with pytest.raises(InputError) as caught:
        prepare_sweep(path)
    error = caught.value
    assert (error.source, error.field) == (str(path), "parameters")
    message = str(error)
    assert message.startswith(
        f"{path}: parameters: point 0 ({NEGLECT}=0.7, {OVERPROTECTION}=0.7): family: "
    )
    assert "add up to 1.4" in message and "at most 1" in message
    assert "points are invalid" not in message  # the other three points are fine


def test_every_invalid_point_is_counted(tmp_path: Path) -> None:
    # (0.6, 0.6), (0.95, 0.1) and (0.95, 0.6) add up past 1: points 3, 4 and 5.
    parameters = {NEGLECT: [0.1, 0.6, 0.95], OVERPROTECTION: [0.1, 0.6]}
    with pytest.raises(InputError, match=r"point 3 \(.*; 3 of 6 points are invalid$"):
        load_experiment(write(tmp_path, grid(parameters)))


def test_sampled_points_are_checked_too(tmp_path: Path) -> None:
    ranges = {NEGLECT: {"min": 0.0, "max": 0.9}, OVERPROTECTION: {"min": 0.0, "max": 0.9}}
    text = experiment_text(None, {"method": "lhs", "samples": 20}, ranges, TINY)
    with pytest.raises(InputError, match=r"parameters: point \d+ \(family.neglect_share=0\."):
        load_experiment(write(tmp_path, text))


def test_values_valid_only_together_are_accepted(tmp_path: Path) -> None:
    # 0.85 is too much next to the baseline's overprotection share (0.2), but every
    # point pairs it with 0.1.
    path = write(tmp_path, grid({NEGLECT: [0.85], OVERPROTECTION: [0.1, 0.15]}))
    assert prepare_sweep(path).plan.design.rows == 2


def test_set_values_are_applied_together(tmp_path: Path) -> None:
    fixed = {**TINY, NEGLECT: 0.85, OVERPROTECTION: 0.1}
    text = experiment_text(None, {"method": "grid"}, {"dynamics.peer_weight": [2.0]}, fixed)
    base = prepare_sweep(write(tmp_path, text)).base
    assert (base.family.neglect_share, base.family.overprotection_share) == (0.85, 0.1)


def test_contradictory_set_values_name_the_table(tmp_path: Path) -> None:
    fixed = {**TINY, NEGLECT: 0.7, OVERPROTECTION: 0.7}
    text = experiment_text(None, {"method": "grid"}, {"dynamics.peer_weight": [2.0]}, fixed)
    with pytest.raises(InputError, match=r": set: family: neglect_share \+ overprotection_share"):
        load_experiment(write(tmp_path, text))


def test_two_thousand_points_are_checked_in_seconds(tmp_path: Path) -> None:
    ranges = {
        NEGLECT: {"min": 0.0, "max": 0.5},
        OVERPROTECTION: {"min": 0.0, "max": 0.5},
        "dynamics.peer_weight": {"min": 1.5, "max": 4.5},
    }
    text = experiment_text(None, {"method": "lhs", "samples": 2000}, ranges, TINY)
    path = write(tmp_path, text)
    started = time.perf_counter()
    prepared = prepare_sweep(path)
    elapsed = time.perf_counter() - started
    assert prepared.plan.design.rows == 2000
    # About 1 s on the 2-core build machine (0.45 ms a point); generous for load.
    assert elapsed < 15


def quoted(text: str, key: str) -> str:
    """The experiment text with ``key`` written without its quotes."""
    return text.replace(f'"{key}" =', f"{key} =")


CLI_CASES = [
    (
        "contradictory point",
        grid({NEGLECT: [0.7, 0.1], OVERPROTECTION: [0.7, 0.1]}),
        f"parameters: point 0 ({NEGLECT}=0.7, {OVERPROTECTION}=0.7): family: ",
    ),
    (
        "one-point corner",
        grid({"network.tie_loss_rate": [0.9], "network.online_gain_rate": [0.9]}),
        "parameters: point 0 (network.tie_loss_rate=0.9, network.online_gain_rate=0.9): ",
    ),
    (
        "run.seed varied",
        grid({"run.seed": [1, 2]}),
        "parameters.run.seed: would be ignored: every run's seed derives from the "
        "experiment's top-level seed and seeding",
    ),
    (
        "run.seed fixed",
        experiment_text(None, {"method": "grid"}, {"dynamics.peer_weight": [2.0]}, {"run.seed": 3}),
        "set.run.seed: would be ignored",
    ),
    (
        "unquoted parameter",
        quoted(grid({"dynamics.peer_weight": [2.0, 3.0]}), "dynamics.peer_weight"),
        'parameters.dynamics.peer_weight: write the dotted key in quotes, "dynamics.peer_weight"',
    ),
    (
        "unquoted set key",
        quoted(grid({"dynamics.peer_weight": [2.0]}), "population.youths"),
        'set.population.youths: write the dotted key in quotes, "population.youths"',
    ),
    ("empty file", "", "the experiment file is empty; it needs scenario = "),
]


@pytest.mark.parametrize(
    ("text", "expected"), [case[1:] for case in CLI_CASES], ids=[case[0] for case in CLI_CASES]
)
def test_cli_refuses_in_one_line_and_writes_nothing(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from hikisim.cli import main; main()", "sweep"]
    done = subprocess.run(
        [*command, str(path), "--out", str(out), "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"hikisim: error: {path}: {expected}")
    assert "extends" not in lines[0]
    assert not out.exists()
