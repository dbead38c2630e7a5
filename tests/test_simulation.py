"""Tests for simulate, run_model and write_outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import CONTRACT_KEYS

from hikisim import simulate
from hikisim.errors import InputError
from hikisim.metrics import WEEKLY_COLUMNS
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.simulation import resolve_scenario, write_outputs
from hikisim.states import WEEKS_PER_YEAR

REPO = Path(__file__).resolve().parents[1]


def test_simulate_returns_every_contract_key(tiny_overrides: dict[str, Any]) -> None:
    summary = simulate(seed=5, **tiny_overrides)
    assert set(summary) >= CONTRACT_KEYS
    assert set(summary["duration_share"]) == {"0.5-1", "1-3", "3-5", "5-7", "7+"}
    assert set(summary["onset_age_share"]) == {"<15", "15-19", "20-24", "25-29"}
    assert summary["seed"] == 5
    assert summary["scenario"] == "baseline"
    for key in CONTRACT_KEYS - {"scenario", "version", "duration_share", "onset_age_share"}:
        assert isinstance(summary[key], int | float), key
    json.dumps(summary)


def test_simulate_accepts_a_path_and_double_underscore_overrides(
    tiny_overrides: dict[str, Any],
) -> None:
    summary = simulate(
        REPO / "scenarios" / "baseline.toml",
        seed=5,
        population__youths=300,
        run__burn_in_years=2,
        run__years=1,
    )
    assert summary["youths"] == 300
    assert summary == simulate(seed=5, **tiny_overrides)


def test_simulate_accepts_a_scenario(
    tiny_scenario: Scenario, tiny_overrides: dict[str, Any]
) -> None:
    from_scenario = simulate(tiny_scenario, seed=5)
    from_overrides = simulate(seed=5, **tiny_overrides)
    # The scenario recorded the overrides that made it (Scenario.overrides).
    assert from_scenario.pop("overrides") == tiny_overrides
    assert from_overrides.pop("overrides") == tiny_overrides
    assert from_scenario == from_overrides


def test_simulate_rejects_unknown_overrides() -> None:
    with pytest.raises(InputError, match="did you mean 'youths'"):
        simulate(**{"population.youth": 300})


def test_resolve_scenario_keeps_a_scenario_without_overrides(tiny_scenario: Scenario) -> None:
    assert resolve_scenario(tiny_scenario, {}) is tiny_scenario
    assert resolve_scenario(None, {}) == Scenario()


def test_write_outputs_writes_every_file(
    finished_tiny_model: HikiModel, tmp_path: Path, tiny_seed: int
) -> None:
    out = tmp_path / "nested" / "run"
    summary = write_outputs(finished_tiny_model, out)
    assert sorted(p.name for p in out.iterdir()) == [
        "episodes.csv",
        "summary.json",
        "surveys.png",
        "weekly.csv",
        "yearly.csv",
    ]
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(summary))
    assert on_disk["seed"] == tiny_seed
    weekly = pd.read_csv(out / "weekly.csv")
    assert len(weekly) == WEEKS_PER_YEAR
    assert set(WEEKLY_COLUMNS) <= set(weekly.columns)
    assert (weekly["seed"] == tiny_seed).all()
    episodes = pd.read_csv(out / "episodes.csv")
    assert len(episodes) == len(finished_tiny_model.episode_log)
    assert {"episode_id", "person_id", "onset_age", "end_week", "hikikomori", "outcome"} <= set(
        episodes.columns
    )
    # No staging directories are left behind.
    assert [p.name for p in out.parent.iterdir()] == ["run"]


def test_write_outputs_replaces_an_existing_run(
    finished_tiny_model: HikiModel, tmp_path: Path, tiny_seed: int
) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "summary.json").write_text("stale")
    write_outputs(finished_tiny_model, out)
    assert json.loads((out / "summary.json").read_text())["seed"] == tiny_seed


@pytest.mark.parametrize("seed", [1.7, True, 2**64])
def test_simulate_refuses_a_seed_the_command_line_would_refuse(
    tiny_overrides: dict[str, Any], seed: object
) -> None:
    # Once 1.7 and True ran as seed 1, and 2**64 ran and was recorded.
    with pytest.raises(InputError, match="seed: must be"):
        simulate(seed=seed, **tiny_overrides)  # type: ignore[arg-type]


def test_simulate_takes_a_numpy_integer_seed(tiny_overrides: dict[str, Any]) -> None:
    summary = simulate(seed=np.int64(5), **tiny_overrides)
    assert summary["seed"] == 5 and type(summary["seed"]) is int
