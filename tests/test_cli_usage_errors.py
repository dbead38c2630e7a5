"""Usage errors the command-line library finds itself follow the project's rule.

Exit 2 and one line on stderr naming the option (or argument) and what it allows, with
no traceback and nothing written; before, click printed four lines (usage, a hint, a
blank line, the error). ``--help`` still prints the full help.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from processes import BASELINE, REPO, hikisim, one_line_error

COMPREHENSIVE = REPO / "scenarios" / "comprehensive.toml"
EXPERIMENT = REPO / "experiments" / "sensitivity_factor_weights.toml"

# (arguments before --out, whether --out is given, what the one line must say)
CASES = {
    "seed_not_an_integer": (
        ["run", BASELINE, "--seed", "abc"],
        True,
        "--seed: 'abc' is not an integer; allowed: an integer from 0 to 2**63-1",
    ),
    "seed_a_fraction": (
        ["compare", BASELINE, COMPREHENSIVE, "--seed", "1.5"],
        True,
        "--seed: '1.5' is not an integer; allowed: an integer from 0 to 2**63-1",
    ),
    "workers_zero": (
        ["compare", BASELINE, COMPREHENSIVE, "--workers", "0"],
        True,
        "--workers: 0 is out of range; allowed: an integer from 1 to 1024",
    ),
    "sweep_workers_zero": (
        ["sweep", EXPERIMENT, "--workers", "0"],
        True,
        "--workers: 0 is out of range; allowed: an integer from 1 to 1024",
    ),
    "replicates_zero": (
        ["compare", BASELINE, COMPREHENSIVE, "--replicates", "0"],
        True,
        "--replicates: 0 is out of range; allowed: an integer from 1 to 1000",
    ),
    "port_too_high": (
        ["dashboard", "--port", "70000"],
        False,
        "--port: 70000 is out of range; allowed: an integer from 0 to 65535",
    ),
    "years_not_a_number": (
        ["run", BASELINE, "--years", "ten"],
        True,
        "--years: 'ten' is not a number; allowed: a number",
    ),
    "out_missing": (["run", BASELINE], False, "--out: required, not given; allowed: output folder"),
    "scenario_missing": (["run"], True, "SCENARIO.toml: required, not given"),
    "value_missing": (["run", BASELINE, "--out", "out", "--seed"], False, "--seed: needs a value"),
    "unknown_option": (
        ["run", BASELINE, "--sed", "3"],
        True,
        "--sed: no such option (did you mean --seed or --set?); allowed: --out, --seed",
    ),
    "flag_with_a_value": (
        ["compare", BASELINE, COMPREHENSIVE, "--shared-burn-in=3"],
        True,
        "--shared-burn-in: takes no value; allowed: --shared-burn-in or --no-shared-burn-in",
    ),
    "unknown_command": (
        ["rn", BASELINE],
        True,
        "no such command 'rn' (did you mean 'run'?); allowed: one of run, compare",
    ),
    "set_twice_differently": (
        ["run", BASELINE, "--set", "run.years=2", "--set", "run.years = 3"],
        True,
        "--set: run.years given twice (2 and 3); allowed: each key once",
    ),
    "compare_set_twice_differently": (
        [
            *("compare", BASELINE, COMPREHENSIVE),
            *("--set", "population.youths=900", "--set", "population.youths=800"),
        ],
        True,
        "--set: population.youths given twice (900 and 800); allowed: each key once",
    ),
    "extra_argument": (
        ["run", BASELINE, BASELINE],
        True,
        "got unexpected extra argument(s)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_usage_errors_are_one_line_naming_the_option_and_what_it_allows(
    tmp_path: Path, case: str
) -> None:
    arguments, with_out, expected = CASES[case]
    out = tmp_path / "results"
    line = one_line_error(hikisim(*arguments, *(["--out", out] if with_out else []), cwd=tmp_path))
    assert expected in line, line
    # Refused before anything was made: no output folder, no staging folder.
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [[], ["run"], ["compare"], ["dashboard"], ["calibrate"]])
def test_help_still_prints_the_full_help(tmp_path: Path, command: list[str]) -> None:
    result = hikisim(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: hikisim")
    assert "Options" in result.stdout and "--help" in result.stdout
    assert result.stderr == ""


def test_run_help_lists_its_options(tmp_path: Path) -> None:
    result = hikisim("run", "--help", cwd=tmp_path)
    for option in ("--out", "--seed", "--years", "--set"):
        assert option in result.stdout


def test_bare_command_still_shows_the_help(tmp_path: Path) -> None:
    # no_args_is_help: a bare ``hikisim`` asks for the help rather than making a mistake.
    result = hikisim(cwd=tmp_path)
    assert "Usage: hikisim" in result.stdout + result.stderr
    assert "Commands" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
