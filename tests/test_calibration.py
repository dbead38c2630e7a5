"""Calibration: packaged targets, the secant steps, and ``hikisim calibrate``."""

from __future__ import annotations

import csv
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from hikisim import calibration
from hikisim.calibration import (
    LEVERS,
    Calibrator,
    Lever,
    Target,
    finite_means,
    load_targets,
    newton_step,
    secant_update,
)
from hikisim.errors import InputError
from hikisim.scenario import Scenario
from hikisim.sweeps.executors import SerialExecutor

# A light run that still passes every survey date (from 1960 to the end of 2026).
TINY = ["--set", "population.youths=300", "--set", "run.years=1"]


def hikisim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from hikisim.cli import main; main()", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_packaged_targets_match_the_schema() -> None:
    targets = load_targets()
    assert {"cao2016_broad_15_39", "koyama_disorder_share", "mext2015_refusal_junior_high"} <= set(
        targets
    )
    for target in targets.values():
        low, high = target.tolerance
        assert low <= target.value <= high
        assert target.source
        assert 0.0 <= low <= high <= 1.0  # every target is a fraction


def test_every_lever_names_a_scenario_field_and_a_target() -> None:
    scenario = Scenario()
    targets = load_targets()
    for lever in LEVERS:
        assert lever.target in targets
        value = calibration.scenario_value(scenario, lever.key)
        assert lever.lower <= value <= lever.upper, lever.key


def test_a_target_no_run_could_measure_is_outside_its_tolerance() -> None:
    target = Target("t", 0.5, (0.3, 0.9), "s")
    assert target.distance(float("nan")) == float("inf")
    assert not target.inside(float("nan"))


def test_calibrate_refuses_a_scenario_that_misses_a_survey_date() -> None:
    base = Scenario().with_overrides({"run.present": "2016-01", "run.years": 1})
    with pytest.raises(InputError, match=r"run\.present"):
        calibration.check_calendar(base)


def test_a_run_that_misses_a_survey_date_is_refused(tmp_path: Path) -> None:
    short = ["--set", "population.youths=300", "--set", "run.burn_in_years=20"]
    result = hikisim("calibrate", "--out", str(tmp_path / "cal"), *short, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "run.burn_in_years" in result.stderr and "1992-03" in result.stderr
    assert not (tmp_path / "cal").exists()


def test_distance_uses_the_half_width_on_the_side_of_the_mean() -> None:
    target = Target("t", 0.5, (0.3, 0.9), "s")
    assert target.distance(0.3) == pytest.approx(-1.0)
    assert target.distance(0.9) == pytest.approx(1.0)
    assert target.distance(0.7) == pytest.approx(0.5)


def test_logit_lever_round_trips() -> None:
    lever = Lever("t", "school.refusal_start", "logit", 0.5, 0.001, 0.6)
    assert lever.to_internal(0.5) == pytest.approx(0.0)
    assert lever.to_value(lever.to_internal(0.03)) == pytest.approx(0.03)


def test_newton_step_solves_a_linear_system_in_one_step() -> None:
    # f(z) = A z + b with target t: the exact answer is z = A^-1 (t - b).
    a = np.array([[2.0, 0.5], [-0.3, 1.0]])
    b = np.array([1.0, -1.0])
    target = np.array([3.0, 0.0])
    z0 = np.zeros(2)
    bounds = (np.full(2, -10.0), np.full(2, 10.0))
    z1 = newton_step(z0, target - (a @ z0 + b), a, 1.0, np.full(2, 10.0), bounds)
    np.testing.assert_allclose(a @ z1 + b, target, atol=1e-12)


def test_secant_step_moves_a_lever_towards_its_target() -> None:
    # Monotone increasing f(z) = z**3 + z with f(1) = 2 and target 10 (solution z = 2):
    # the secant through z = 0 and z = 1 has slope 2, so the undamped step goes to 5,
    # a capped step of 0.5 to 1.5, and a half-damped step to 3; all move up.
    f0, f1 = 0.0, 2.0
    slope = np.array([[(f1 - f0) / 1.0]])
    bounds = (np.array([-10.0]), np.array([10.0]))
    residual = np.array([10.0 - f1])
    z = np.array([1.0])
    assert newton_step(z, residual, slope, 1.0, np.array([10.0]), bounds)[0] == pytest.approx(5.0)
    assert newton_step(z, residual, slope, 1.0, np.array([0.5]), bounds)[0] == pytest.approx(1.5)
    assert newton_step(z, residual, slope, 0.5, np.array([10.0]), bounds)[0] == pytest.approx(3.0)
    # A falling lever (negative slope) moves down to raise its target.
    assert newton_step(z, residual, -slope, 1.0, np.array([10.0]), bounds)[0] == pytest.approx(-3.0)
    # Bounds hold.
    assert newton_step(z, residual, slope, 1.0, np.array([10.0]), (bounds[0], z + 1))[0] == 2.0


def test_secant_update_keeps_only_usable_slopes() -> None:
    slopes = np.array([1.0, 1.0, -1.0, 0.0])
    dz = np.array([0.5, 0.0, 0.5, 0.5])
    df = np.array([1.5, 9.0, 0.2, 1.0])
    directions = np.array([1.0, 1.0, -1.0, 0.0])
    updated = secant_update(slopes, dz, df, directions)
    # Moved with the expected sign: the secant. Did not move, wrong sign, or frozen: kept.
    np.testing.assert_allclose(updated, [3.0, 1.0, -1.0, 0.0])


def test_a_lever_that_does_not_move_its_target_is_frozen() -> None:
    targets = [Target("a", 0.5, (0.4, 0.6), "toy"), Target("b", 0.2, (0.1, 0.3), "toy")]
    levers = [
        Lever("a", "x.a", "identity", 0.5, -5.0, 5.0),
        Lever("b", "x.b", "identity", 0.5, -5.0, 5.0),
    ]

    def evaluate(values: list[float]) -> np.ndarray:
        return np.array([[0.1 * values[0]], [0.9]])  # "b" ignores its lever

    calibrator = Calibrator(evaluate, levers, targets, damping=1.0)
    history = calibrator.run([1.0, 2.0], iterations=6)  # capped at 1.0 per step
    assert all(it.values[1] == 2.0 for it in history if it.phase == "step")
    assert history[-1].means[0] == pytest.approx(0.5)
    assert any("x.b" in note for note in calibrator.notes)


def test_calibrator_converges_on_a_noiseless_toy_model() -> None:
    # Two coupled monotone "targets" of two levers; the second lever is a probability.
    targets = [Target("a", 0.5, (0.4, 0.6), "toy"), Target("b", 0.2, (0.1, 0.3), "toy")]
    levers = [
        Lever("a", "x.a", "identity", 0.3, -5.0, 5.0),
        Lever("b", "x.b", "logit", 0.3, 0.001, 0.999, direction=-1),
    ]

    def evaluate(values: list[float]) -> np.ndarray:
        a, p = values
        means = np.array([1 / (1 + np.exp(-a)) + 0.1 * p, 0.5 * (1 - p) + 0.05 * a])
        return np.repeat(means[:, None], 3, axis=1)  # three identical "replicates"

    calibrator = Calibrator(evaluate, levers, targets)
    history = calibrator.run([2.0, 0.1], iterations=8)
    assert history[0].phase == "start" and [it.phase for it in history[1:3]] == ["probe"] * 2
    assert calibrator.converged()
    assert history[-1].worst <= calibration.CONVERGED_DISTANCE
    assert not calibrator.notes  # both levers moved their targets the expected way


def test_calibrate_evaluates_only_when_iterations_is_zero() -> None:
    base = Scenario().with_overrides({"population.youths": 200, "run.years": 1})
    with SerialExecutor() as executor:
        result = calibration.calibrate(base, [3], 0, executor)
    assert [it.phase for it in result.history] == ["start"]
    rows = calibration.table_rows(result)
    assert {row["target"] for row in rows} == {lever.target for lever in result.levers}


def test_check_options_rejects_bad_values() -> None:
    with pytest.raises(InputError, match="--seeds"):
        calibration.check_options(0, 1, 1)
    with pytest.raises(InputError, match="--iterations"):
        calibration.check_options(1, -1, 1)
    with pytest.raises(InputError, match="--workers"):
        calibration.check_options(1, 1, 0)


@pytest.mark.slow
def test_calibrate_command_writes_its_files(tmp_path: Path) -> None:
    out = tmp_path / "cal"
    result = hikisim(
        "calibrate",
        "--method",
        "point",
        "--out",
        str(out),
        "--seeds",
        "1",
        "--iterations",
        "1",
        "--workers",
        "1",
        *TINY,
        # From 1990, the first survey year the targets need (FY1991), to keep it short.
        "--set",
        "run.burn_in_years=36",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    for name in ("calibration.csv", "calibration.md", "calibrated.toml", "history.csv"):
        assert (out / name).is_file(), name
    with (out / "calibration.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {row["target"] for row in rows} >= {"cao2016_broad_15_39", "koyama_disorder_share"}
    fitted = tomllib.loads((out / "calibrated.toml").read_text())
    assert "progress_base" in fitted["dynamics"]
    # The fitted file is a valid partial scenario.
    Scenario().with_overrides({"dynamics.progress_base": fitted["dynamics"]["progress_base"]})
    report = (out / "calibration.md").read_text()
    assert "hikisim calibrate --method point --out" in report and "Iteration history" in report
    assert "Targets without a lever" in report and "koyama_lifetime_20_49" in report
    with (out / "history.csv").open() as handle:
        phases = [row["phase"] for row in csv.DictReader(handle)]
    assert phases[0] == "start" and "step" in phases


@pytest.mark.parametrize(
    "args",
    [
        ["--seeds", "0"],
        ["--iterations", "-1"],
        ["--workers", "0"],
        ["--set", "population.youth=10"],
        ["--set", "school.refusal_start=2.0"],
        ["--seeds", "many"],
    ],
)
def test_bad_options_exit_2_without_output(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "cal"
    result = hikisim("calibrate", "--method", "point", "--out", str(out), *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_replicate_that_measured_nothing_is_left_out_of_the_mean() -> None:
    outcomes = np.array([[0.2, np.nan, 0.4], [np.nan, np.nan, np.nan], [1.0, 2.0, 3.0]])
    np.testing.assert_allclose(finite_means(outcomes), [0.3, np.nan, 2.0])
