"""The example script ``experiments/sweep_example.py``, run on a tiny copy of its sweep."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest
from experiment_scripts import load_experiment_script

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "experiments" / "sweep_example.py"
REPLICATES = 2


def load_script() -> ModuleType:
    return load_experiment_script("sweep_example")


def tiny_example(path: Path) -> Path:
    """The shipped example's grid shape (two peer weights per other weight), tiny runs."""
    text = (ROOT / "experiments" / "example_sweep.toml").read_text()
    text = text.replace('"../scenarios/baseline.toml"', f'"{ROOT / "scenarios" / "baseline.toml"}"')
    text = re.sub(r'"dynamics.peer_weight" = \[.*\]', '"dynamics.peer_weight" = [1.5, 3.0]', text)
    text = re.sub(r'"population.youths" = \d+', '"population.youths" = 300', text)
    text = re.sub(r'"run.burn_in_years" = \d+', '"run.burn_in_years" = 0', text)
    text = re.sub(r'"run.years" = \d+', '"run.years" = 1', text)
    path.write_text(text)
    return path


def test_weekly_table_shows_the_replicates_of_one_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = load_script()
    monkeypatch.setattr(script, "EXPERIMENT", tiny_example(tmp_path / "example_sweep.toml"))
    monkeypatch.setattr(script, "OUT", tmp_path / "results")
    script.main(None)
    printed = capsys.readouterr().out
    # Run ids (16 hex digits) appear only as the weekly table's columns: one per replicate
    # of the chosen point, where filtering on the peer weight alone gave two points.
    columns = set(re.findall(r"\b[0-9a-f]{16}\b", printed))
    assert len(columns) == REPLICATES, printed
    assert "8 of 8 runs ok" in printed
    assert "variant: 12 runs" in printed
