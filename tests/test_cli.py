"""End-to-end tests of the ``hikisim`` command, run as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hikisim import __version__

HIKISIM = Path(sys.executable).parent / "hikisim"
TINY_TOML = "[population]\nyouths = 300\n[run]\nburn_in_years = 2\nyears = 1\n"


def hikisim(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HIKISIM), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_command_is_installed() -> None:
    assert HIKISIM.is_file()


def test_good_run_writes_every_file(tmp_path: Path) -> None:
    scenario = write(tmp_path / "tiny.toml", TINY_TOML.replace("years = 1", "years = 3"))
    out = tmp_path / "results" / "tiny"
    # --years and --set win over the file.
    set_youths = ["--set", "population.youths=240", "--set", "run.burn_in_years=1"]
    result = hikisim(
        "run", scenario, "--seed", "7", "--years", "1", *set_youths, "--out", out, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "episodes.csv",
        "summary.json",
        "surveys.png",
        "weekly.csv",
        "yearly.csv",
    ]

    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "tiny"
    assert summary["seed"] == 7
    assert summary["version"] == __version__
    assert summary["youths"] == 240
    assert summary["burn_in_years"] == 1
    assert summary["years"] == 1
    assert 0.0 <= summary["prevalence_15_39"] <= 1.0

    weekly = pd.read_csv(out / "weekly.csv")
    assert len(weekly) == 52
    assert (weekly["scenario"] == "tiny").all()
    assert (weekly["seed"] == 7).all()
    assert weekly["week"].tolist() == list(range(52))

    episodes = pd.read_csv(out / "episodes.csv")
    assert {"scenario", "seed", "person_id", "onset_age", "outcome"} <= set(episodes.columns)
    assert (episodes["scenario"] == "tiny").all()
    assert (episodes["seed"] == 7).all()

    # The run reports its headline figures and where it wrote them.
    assert "prevalence_15_39" in result.stdout
    assert str(out) in result.stdout


BAD_FILES = {
    "bad_toml": ("[population\nyouths = 300\n", "not valid TOML"),
    "unknown_key": ("[population]\nyouth = 300\n", "did you mean 'youths'"),
    "out_of_range": ("[population]\nyouths = 3\n", "population.youths"),
    "extends_missing": ('extends = "missing.toml"\n', "extends"),
}


def assert_clean_failure(result: subprocess.CompletedProcess[str], out: Path, reason: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hikisim: error: ")
    assert reason in lines[0]
    assert not out.exists()
    assert not any(p.name.startswith(f".{out.name}") for p in out.parent.iterdir())


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_scenario_files_exit_2(tmp_path: Path, case: str) -> None:
    text, reason = BAD_FILES[case]
    scenario = write(tmp_path / f"{case}.toml", text)
    out = tmp_path / "out"
    result = hikisim("run", scenario, "--out", out, cwd=tmp_path)
    assert_clean_failure(result, out, reason)
    assert f"{case}.toml" in result.stderr


def test_missing_scenario_file_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = hikisim("run", tmp_path / "absent.toml", "--out", out, cwd=tmp_path)
    assert_clean_failure(result, out, "absent.toml")


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (["--set", "population.youthz=300"], "did you mean 'youths'"),
        (["--set", "population.youths=many"], "population.youths"),
        (["--set", "population.youths"], "dotted.key=value"),
    ],
    ids=["unknown_key", "bad_value", "no_equals"],
)
def test_bad_options_exit_2(tmp_path: Path, options: list[str], reason: str) -> None:
    scenario = write(tmp_path / "tiny.toml", TINY_TOML)
    out = tmp_path / "out"
    result = hikisim("run", scenario, *options, "--out", out, cwd=tmp_path)
    assert_clean_failure(result, out, reason)


def test_non_integer_seed_is_a_usage_error(tmp_path: Path) -> None:
    scenario = write(tmp_path / "tiny.toml", TINY_TOML)
    out = tmp_path / "out"
    result = hikisim("run", scenario, "--seed", "1.5", "--out", out, cwd=tmp_path)
    # One line like the project's own checks, not click's usage block
    # (tests/test_cli_usage_errors.py covers the other usage errors).
    assert_clean_failure(result, out, "--seed: '1.5' is not an integer")


def test_out_that_is_a_file_exits_2(tmp_path: Path) -> None:
    scenario = write(tmp_path / "tiny.toml", TINY_TOML)
    out = write(tmp_path / "taken", "not a directory")
    result = hikisim("run", scenario, "--out", out, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"hikisim: error: --out: {str(out)!r} exists and is not a directory"
    ]
    assert out.read_text() == "not a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken", "tiny.toml"]
