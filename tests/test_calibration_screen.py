"""The Morris screen of the calibration targets: its experiment file and its analysis."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from experiment_scripts import load_experiment_script

from hikisim.sweeps import prepare_sweep
from hikisim.sweeps.outcomes import flatten_summary
from hikisim.targets import load_targets

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENT = ROOT / "experiments" / "calibration_screen.toml"
SCRIPT = ROOT / "experiments" / "calibration_screen.py"
SEED_NOISE = ROOT / "experiments" / "calibration_seed_noise.toml"


def _script() -> ModuleType:
    return load_experiment_script("calibration_screen")


def test_a_missing_value_is_a_known_outcome_with_no_number() -> None:
    flat = flatten_summary({"targets": {"a": None, "b": 0.5}, "name": "x", "flag": True})
    assert set(flat) == {"targets.a", "targets.b"}
    assert math.isnan(flat["targets.a"]) and flat["targets.b"] == 0.5


def test_the_screen_covers_every_default_town_target_and_validates() -> None:
    prepared = prepare_sweep(EXPERIMENT)
    outcomes = {name.removeprefix("targets.") for name in prepared.experiment.outcomes}
    measured_elsewhere = {"mext_refuser_neet_at_20"}
    assert outcomes == set(load_targets()) - measured_elsewhere
    # Morris: trajectories x (parameters + 1) points, one replicate each.
    parameters = len(prepared.experiment.parameters)
    assert len(prepared.plan.runs) == 6 * (parameters + 1)


def test_the_seed_noise_runs_measure_the_screens_targets_at_one_point() -> None:
    noise = prepare_sweep(SEED_NOISE)
    assert noise.experiment.outcomes == prepare_sweep(EXPERIMENT).experiment.outcomes
    runs = noise.plan.runs
    assert len(runs) == 8 and len({run.seed for run in runs}) == 8
    assert len({tuple(sorted(run.parameters.items())) for run in runs}) == 1


def _indices(rows: list[tuple[str, str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"outcome": f"targets.{t}", "parameter": p, "mu": mu, "mu_star": ms, "mu_star_conf": c}
            for p, t, mu, ms, c in rows
        ]
    )


def test_influence_is_mu_star_in_tolerance_half_widths() -> None:
    screen = _script()
    # cao2016_broad_15_39 has tolerance 1.13%-2.01%: half-width 0.0044.
    table = screen.influence_table(
        _indices([("a", "cao2016_broad_15_39", -0.0044, 0.0044, 0.0011)])
    )
    row = table.iloc[0]
    assert row["influence"] == pytest.approx(1.0)
    assert row["noise"] == pytest.approx(0.25)
    assert row["mu"] == pytest.approx(-1.0)


def test_a_parameter_is_kept_only_for_a_large_effect_above_its_noise() -> None:
    screen = _script()
    table = screen.influence_table(
        _indices(
            [
                # Large and clear: kept.
                ("strong", "cao2016_broad_15_39", 0.0044, 0.0044, 0.0005),
                ("strong", "kondo_no_service_use", 0.0, 0.001, 0.001),
                # Large but within its own noise: not kept.
                ("noisy", "cao2016_broad_15_39", 0.0, 0.0044, 0.006),
                # Clear but small: not kept.
                ("weak", "cao2016_broad_15_39", 0.0005, 0.0005, 0.0001),
            ]
        )
    )
    top = screen.summary(table, keep=0.5).set_index("parameter")
    assert top.loc["strong", "kept"] and top.loc["strong", "targets_moved"] == (
        "cao2016_broad_15_39"
    )
    assert not top.loc["noisy", "kept"]
    assert not top.loc["weak", "kept"]
    assert list(top.index)[-1] == "weak"


def test_the_script_reads_a_sweep_folder_and_fails_cleanly_without_one(tmp_path: Path) -> None:
    missing = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 2 and "sensitivity.csv" in missing.stderr
    _indices([("p", "cao2016_broad_15_39", 0.0044, 0.0044, 0.0005)]).assign(sigma=0.0).to_csv(
        tmp_path / "sensitivity.csv", index=False
    )
    manifest = {"experiment": {"design": {"method": "morris", "levels": 4}}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "| `p` | 1.00 (0.11) | cao2016_broad_15_39 | + |" in done.stdout
    assert (tmp_path / "screen.md").exists() and (tmp_path / "screen.csv").exists()


def test_the_seed_floor_is_the_mean_absolute_effect_of_seed_noise_alone() -> None:
    screen = _script()
    # Two runs differing as two seeds do: |y2 - y1| has mean 2 sigma / sqrt(pi); the
    # Morris step with 4 levels is 2/3 of the range.
    assert screen.morris_step(4) == pytest.approx(2 / 3)
    assert screen.seed_floor(1.0, 4) == pytest.approx(3 / math.sqrt(math.pi))
    rng = np.random.default_rng(1)
    y1, y2 = rng.normal(0, 0.3, 200_000), rng.normal(0, 0.3, 200_000)
    simulated = float(np.mean(np.abs(y2 - y1))) / screen.morris_step(4)
    assert screen.seed_floor(0.3, 4) == pytest.approx(simulated, rel=0.01)


def test_with_seed_noise_an_effect_must_beat_the_seed_floor() -> None:
    screen = _script()
    runs = pd.DataFrame(
        {
            "status": ["ok", "ok", "ok", "failed"],
            "targets.cao2016_broad_15_39": [0.010, 0.012, 0.014, np.nan],
        }
    )
    sigmas = screen.seed_sigmas(runs)
    assert sigmas == {"cao2016_broad_15_39": pytest.approx(0.002)}
    indices = _indices(
        [
            # Half-width 0.0044: the floor is 3/sqrt(pi) x 0.002 / 0.0044 = 0.77 of it.
            ("beats", "cao2016_broad_15_39", 0.0044, 0.0044, 0.0),
            ("within", "cao2016_broad_15_39", 0.0, 0.0030, 0.0),
        ]
    )
    table = screen.influence_table(indices, sigmas, levels=4)
    assert table["noise"].tolist() == pytest.approx([0.7693] * 2, rel=1e-3)
    top = screen.summary(table, keep=0.5).set_index("parameter")
    assert top.loc["beats", "kept"] and not top.loc["within", "kept"]
    with pytest.raises(ValueError, match="no seed-noise runs measured"):
        screen.influence_table(indices, {}, levels=4)
