"""Experiment files: loading, strict validation and the CLI's handling of bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hikisim.cli import main
from hikisim.errors import InputError
from hikisim.sweeps.experiment import ParameterRange
from hikisim.sweeps.validation import load_experiment

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def experiment_text(
    top: dict[str, Any] | None = None,
    design: dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
    fixed: dict[str, Any] | None = None,
) -> str:
    top = {
        "scenario": str(BASELINE),
        "replicates": 1,
        "outcomes": ["prevalence_15_39"],
        **(top or {}),
    }
    lines = [f"{key} = {toml_value(value)}" for key, value in top.items() if value is not None]
    tables = {
        "design": design if design is not None else {"method": "lhs", "samples": 4},
        "parameters": parameters
        if parameters is not None
        else {"family.neglect_weight": {"min": 0.0, "max": 1.0}},
        "set": fixed if fixed is not None else {"population.youths": 300},
    }
    for name, table in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{json.dumps(key)} = {toml_value(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str, name: str = "experiment.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_shipped_experiments_load() -> None:
    for name in ("example_sweep.toml", "sensitivity_factor_weights.toml"):
        experiment = load_experiment(EXPERIMENTS / name)
        assert experiment.scenario.is_file()
    weights = load_experiment(EXPERIMENTS / "sensitivity_factor_weights.toml")
    assert weights.design.method == "morris"
    assert len(weights.parameters) == 10


def test_scenario_path_is_relative_to_the_experiment_file(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "base.toml").write_text('extends = "' + str(BASELINE) + '"\n')
    folder = tmp_path / "experiments"
    folder.mkdir()
    path = write(folder, experiment_text({"scenario": "../scenarios/base.toml"}))
    experiment = load_experiment(path)
    assert experiment.scenario.resolve() == (scenarios / "base.toml").resolve()
    assert experiment.name == "experiment"
    assert experiment.fixed == {"population.youths": 300}
    assert isinstance(experiment.parameters["family.neglect_weight"], ParameterRange)


BAD_FILES = [
    ("unknown top-level key", experiment_text({"replicats": 2}), "replicats", "replicates"),
    (
        "bad replicates",
        experiment_text({"replicates": 0}),
        "replicates",
        "greater than or equal to 1",
    ),
    ("missing outcomes", experiment_text({"outcomes": None}), "outcomes", "required"),
    (
        "unknown outcome",
        experiment_text({"outcomes": ["prevalence_15_93"]}),
        "outcomes",
        "prevalence_15_39",
    ),
    (
        "unknown weekly series",
        experiment_text({"weekly": ["prevalance_15_39"]}),
        "weekly",
        "prevalence_15_39",
    ),
    (
        "unknown method",
        experiment_text(design={"method": "halton", "samples": 4}),
        "design.method",
        "morris",
    ),
    ("sampled design without samples", experiment_text(design={"method": "lhs"}), "design", ""),
    (
        "sobol samples not a power of two",
        experiment_text(design={"method": "sobol", "samples": 10}),
        "design.samples",
        "power of 2",
    ),
    (
        "odd morris levels",
        experiment_text(design={"method": "morris", "samples": 4, "levels": 5}),
        "design.levels",
        "even",
    ),
    (
        "levels on a non-morris design",
        experiment_text(design={"method": "lhs", "samples": 4, "levels": 4}),
        "design.levels",
        "morris",
    ),
    (
        "unknown parameter",
        experiment_text(parameters={"family.neglekt_weight": {"min": 0, "max": 1}}),
        "parameters.family.neglekt_weight",
        "neglect_weight",
    ),
    (
        "range outside the scenario's bounds",
        experiment_text(parameters={"family.neglect_weight": {"min": 0, "max": 50}}),
        "parameters.family.neglect_weight",
        "<= 10.0",
    ),
    (
        "inverted range",
        experiment_text(parameters={"family.neglect_weight": {"min": 1, "max": 0}}),
        "parameters.family.neglect_weight",
        "greater than min",
    ),
    (
        "misspelt range key",
        experiment_text(parameters={"family.neglect_weight": {"min": 0, "mx": 1}}),
        "parameters.family.neglect_weight.mx",
        "did you mean 'max'",
    ),
    (
        "scalar parameter",
        experiment_text(parameters={"family.neglect_weight": 0.5}),
        "parameters.family.neglect_weight",
        "range",
    ),
    (
        "list on a sampled design",
        experiment_text(parameters={"family.neglect_weight": [0.1, 0.2]}),
        "parameters.family.neglect_weight",
        "range",
    ),
    (
        "range on a grid",
        experiment_text(design={"method": "grid"}),
        "parameters.family.neglect_weight",
        "list of values",
    ),
    (
        "grid with samples",
        experiment_text(
            design={"method": "grid", "samples": 3},
            parameters={"family.neglect_weight": [0.1, 0.2]},
        ),
        "design.samples",
        "remove samples",
    ),
    (
        "range on a boolean field",
        experiment_text(parameters={"population.aging": {"min": 0, "max": 1}}),
        "parameters.population.aging",
        "numeric",
    ),
    (
        "grid value out of bounds",
        experiment_text(
            design={"method": "grid"},
            parameters={"population.youths": [300, 5]},
            fixed={"run.years": 1},
        ),
        "parameters.population.youths",
        ">= 10",
    ),
    (
        "bad fixed value",
        experiment_text(fixed={"population.youths": -3}),
        "set.population.youths",
        ">= 10",
    ),
    (
        "parameter both varied and fixed",
        experiment_text(fixed={"family.neglect_weight": 0.3}),
        "set.family.neglect_weight",
        "both",
    ),
    ("missing scenario file", experiment_text({"scenario": "nowhere.toml"}), "scenario", "no such"),
    ("not TOML", "name = \n", "", "not valid TOML"),
    ("empty file", "", "", "the experiment file is empty; it needs scenario"),
    (
        "run.seed varied",
        experiment_text(design={"method": "grid"}, parameters={"run.seed": [1, 2]}),
        "parameters.run.seed",
        "seed and seeding",
    ),
    (
        "run.seed fixed",
        experiment_text(fixed={"run__seed": 7}),
        "set.run__seed",
        "would be ignored",
    ),
    (
        "unquoted dotted parameter",
        experiment_text().replace('"family.neglect_weight" =', "family.neglect_weight ="),
        "parameters.family.neglect_weight",
        'quotes, "family.neglect_weight" = ...',
    ),
    (
        "unquoted dotted set key",
        experiment_text().replace('"population.youths" =', "population.youths ="),
        "set.population.youths",
        'quotes, "population.youths" = ...',
    ),
]


@pytest.mark.parametrize(
    ("text", "field", "hint"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_bad_experiment_files_name_file_and_field(
    tmp_path: Path, text: str, field: str, hint: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_experiment(path)
    error = caught.value
    assert error.source == str(path)
    assert error.field == field
    assert hint in str(error)


@pytest.mark.parametrize("command", ["sweep", "sensitivity"])
def test_cli_bad_file_exits_2_and_writes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    path = write(tmp_path, experiment_text({"outcomes": ["prevalence"]}))
    out = tmp_path / "out"
    monkeypatch.setattr(sys, "argv", ["hikisim", command, str(path), "--out", str(out)])
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    stderr = capsys.readouterr().err.strip()
    assert len(stderr.splitlines()) == 1
    assert str(path) in stderr and "outcomes" in stderr and "Traceback" not in stderr
    assert not out.exists()


def test_sensitivity_refuses_a_grid_before_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = experiment_text(
        design={"method": "grid"}, parameters={"family.neglect_weight": [0.1, 0.2]}
    )
    path = write(tmp_path, text)
    out = tmp_path / "out"
    argv = ["hikisim", "sensitivity", str(path), "--out", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    assert "design.method" in capsys.readouterr().err
    assert not out.exists()


def test_real_cli_process_exits_2_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, experiment_text({"replicates": -1}))
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from hikisim.cli import main; main()", "sweep"]
    done = subprocess.run(
        [*command, str(path), "--out", str(out)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("hikisim: error:")
    assert f"{path}: replicates:" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
