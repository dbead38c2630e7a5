"""The bad-input holes a probe of hostile inputs found, each closed and kept closed.

Every refusal is checked the same way: exit 2, one line naming the file or option, the
field and what is allowed, no traceback, and nothing written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from processes import (
    BASELINE,
    POINT_CALIBRATE_TINY,
    REPO,
    TINY,
    hikisim,
    one_line_error,
    run_files,
    set_options,
    sweep_experiment,
)

from hikisim.calibration import load_posterior
from hikisim.compare import replicate_seeds
from hikisim.datafile import read_json_object
from hikisim.errors import InputError
from hikisim.scenario import load_scenario
from hikisim.sweeps import load_results

TINY_TOML = "[population]\nyouths = 300\n[run]\nburn_in_years = 2\nyears = 1\n"
COMPREHENSIVE = REPO / "scenarios" / "comprehensive.toml"
SENSITIVITY = REPO / "experiments" / "sensitivity_factor_weights.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def command_args(command: str, tmp_path: Path) -> list[object]:
    """A small, otherwise valid invocation of each command, without ``--out``."""
    if command == "run":
        return ["run", BASELINE, *set_options(TINY)]
    if command == "compare":
        return ["compare", BASELINE, COMPREHENSIVE, "--replicates", "1", *set_options(TINY)]
    if command == "sweep":
        return ["sweep", sweep_experiment(tmp_path / "grid.toml")]
    if command == "sensitivity":
        return ["sensitivity", SENSITIVITY]
    return list(POINT_CALIBRATE_TINY)


COMMANDS = ["run", "compare", "sweep", "sensitivity", "calibrate"]


@pytest.mark.parametrize("command", COMMANDS)
def test_out_that_is_a_file_is_refused_before_any_work(tmp_path: Path, command: str) -> None:
    taken = write(tmp_path / "taken", "precious")
    line = one_line_error(hikisim(*command_args(command, tmp_path), "--out", taken, cwd=tmp_path))
    assert line.startswith("hikisim: error: --out: ") and "is not a directory" in line
    assert taken.read_text() == "precious"


@pytest.mark.parametrize("command", COMMANDS)
def test_empty_out_is_refused(tmp_path: Path, command: str) -> None:
    args = command_args(command, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    line = one_line_error(hikisim(*args, "--out", "", cwd=tmp_path))
    assert "--out: must name a folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_out_under_a_file_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "plain", "x")
    line = one_line_error(
        hikisim(*command_args("run", tmp_path), "--out", tmp_path / "plain" / "sub", cwd=tmp_path)
    )
    assert "--out" in line and "not a directory" in line


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_unwritable_out_is_refused_before_any_work(tmp_path: Path, command: str) -> None:
    # /sys refuses new entries even to root, for whom every permission check says yes.
    out = Path("/sys/hikisim-test-out")
    line = one_line_error(hikisim(*command_args(command, tmp_path), "--out", out, cwd=tmp_path))
    assert "--out: cannot write into '/sys'" in line
    assert not out.exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_out_names_too_long_or_links_to_nothing_are_refused(tmp_path: Path, command: str) -> None:
    args = command_args(command, tmp_path)
    long_name = tmp_path / "sub" / ("a" * 300)
    line = one_line_error(hikisim(*args, "--out", long_name, cwd=tmp_path))
    assert line.startswith("hikisim: error: --out: the name 'aaaa") and "at most 245 bytes" in line
    assert not (tmp_path / "sub").exists()
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere" / "dir")
    line = one_line_error(hikisim(*args, "--out", dangling, cwd=tmp_path))
    assert "--out: " in line and "is a symbolic link to nothing (or a loop)" in line


def test_a_folder_where_an_output_file_goes_keeps_every_old_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "yearly.csv").mkdir()
    write(out / "summary.json", "the last run's")
    # Found when the outputs are moved in, after the run: its progress went to stderr
    # first, and the error is the one line at the end.
    result = hikisim(*command_args("run", tmp_path), "--out", out, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "hikisim: error" in line]
    assert len(errors) == 1 and result.stderr.rstrip().endswith(errors[0].split("\r")[-1])
    assert "yearly.csv' is a folder, so the output file yearly.csv cannot replace it" in errors[0]
    assert sorted(p.name for p in out.iterdir()) == ["summary.json", "yearly.csv"]
    assert (out / "summary.json").read_text() == "the last run's"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sweep", "EXPERIMENT", "--workers", "99999999999999999999"], "--workers: "),
        (["calibrate", "--waves", "99999999999"], "each from 5 (an emulator"),
        (["calibrate", "--predictive-draws", "99999999999"], "must be from 1 to 100,000"),
        (["calibrate", "--abc-population", "99999999999"], "must be from 20 to 100,000"),
        ([*POINT_CALIBRATE_TINY[:5], "--seeds", "99999999"], "--seeds: must be from 1 to 1000"),
    ],
)
def test_sizes_past_any_use_are_refused_before_anything_is_written(
    tmp_path: Path, args: list[object], message: str
) -> None:
    args = [sweep_experiment(tmp_path / "grid.toml") if a == "EXPERIMENT" else a for a in args]
    out = tmp_path / "out"
    line = one_line_error(hikisim(*args, "--out", out, cwd=tmp_path))
    assert message in line
    assert not out.exists()


@pytest.mark.parametrize(
    "weights", ["[-1, 1, 1]", "[0, 0, 0]", "[nan, 1, 1]", "[1e308, 1, 1]", "[inf, 1, 1]"]
)
def test_family_size_weights_are_bounded(tmp_path: Path, weights: str) -> None:
    scenario = write(
        tmp_path / "w.toml", TINY_TOML + "[population]\n".replace("[population]\n", "")
    )
    scenario = write(
        tmp_path / "w.toml",
        TINY_TOML.replace("youths = 300\n", f"youths = 300\nfamily_size_weights = {weights}\n"),
    )
    line = one_line_error(hikisim("run", scenario, "--out", tmp_path / "out", cwd=tmp_path))
    assert "w.toml: population.family_size_weights" in line
    assert "from 0 to 1e+06, and at least one above 0" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["run", "compare", "calibrate"])
@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_seeds_outside_the_allowed_range_are_refused(
    tmp_path: Path, command: str, seed: str
) -> None:
    result = hikisim(
        *command_args(command, tmp_path), "--seed", seed, "--out", tmp_path / "out", cwd=tmp_path
    )
    line = one_line_error(result)
    assert f"--seed: must be 0 to 9223372036854775807 (2**63-1), got {seed}" in line
    assert not (tmp_path / "out").exists()


def test_replicate_seeds_stay_in_range_and_reproduce_with_run(tmp_path: Path) -> None:
    top = 2**63 - 1
    assert replicate_seeds(top, 3) == [top, 0, 1]
    out = tmp_path / "cmp"
    result = hikisim(
        "compare", BASELINE, COMPREHENSIVE, "--replicates", "2", "--seed", str(top),
        *set_options(TINY), "--out", out, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    runs = pd.read_csv(out / "runs.csv")
    assert sorted(set(runs["seed"])) == [0, top]
    # The second replicate is reproduced exactly by a single run with its seed.
    single = hikisim(
        "run", BASELINE, "--seed", "0", *set_options(TINY), "--out", tmp_path / "one", cwd=tmp_path
    )
    assert single.returncode == 0, single.stderr
    summary = json.loads((tmp_path / "one" / "summary.json").read_text())
    replicate = runs[(runs["scenario"] == "baseline") & (runs["seed"] == 0)].iloc[0]
    assert summary["person_years_withdrawn"] == pytest.approx(replicate["person_years"], rel=1e-12)
    assert summary["cost_total"] == pytest.approx(replicate["cost"], rel=1e-12)


def test_an_error_in_the_parent_file_is_blamed_on_the_parent(tmp_path: Path) -> None:
    write(tmp_path / "parent.toml", "[population]\nyouthz = 300\n")
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\n[run]\nyears = 1\n')
    with pytest.raises(InputError) as info:
        load_scenario(child)
    assert "parent.toml: population.youthz" in str(info.value)
    assert "child.toml" not in str(info.value)
    line = one_line_error(hikisim("run", child, "--out", tmp_path / "out", cwd=tmp_path))
    assert "parent.toml" in line and "child.toml" not in line


def test_an_error_added_by_the_child_is_blamed_on_the_child(tmp_path: Path) -> None:
    write(tmp_path / "parent.toml", TINY_TOML)
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\n[run]\nyears = -1\n')
    with pytest.raises(InputError, match=r"child\.toml: run\.years"):
        load_scenario(child)


def test_an_empty_scenario_file_is_refused(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.toml", "# nothing but a comment\n")
    line = one_line_error(hikisim("run", empty, "--out", tmp_path / "out", cwd=tmp_path))
    assert "empty.toml: the scenario file is empty" in line


@pytest.mark.parametrize("years", ["0.001", "0.0191"])
def test_a_horizon_under_one_week_is_refused(tmp_path: Path, years: str) -> None:
    scenario = write(tmp_path / "tiny.toml", TINY_TOML)
    line = one_line_error(
        hikisim("run", scenario, "--years", years, "--out", tmp_path / "out", cwd=tmp_path)
    )
    assert "--years: run.years: must be at least one week" in line


def test_summary_records_the_overrides(tmp_path: Path) -> None:
    scenario = write(tmp_path / "tiny.toml", TINY_TOML)
    out = tmp_path / "out"
    result = hikisim(
        "run", scenario, "--seed", "3", "--years", "1", "--set", "population.youths=250",
        "--set", "dynamics.peer_weight=2.5", "--out", out, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["overrides"] == {
        "population.youths": 250,
        "dynamics.peer_weight": 2.5,
        "run.seed": 3,
        "run.years": 1,
    }


def test_set_errors_name_set_not_the_file(tmp_path: Path) -> None:
    scenario = write(tmp_path / "tiny.toml", TINY_TOML)
    line = one_line_error(
        hikisim(
            "run", scenario, "--set", "population.youths=5", "--out", tmp_path / "o", cwd=tmp_path
        )
    )
    assert line.startswith("hikisim: error: --set: population.youths")
    assert "tiny.toml" not in line


def paired_toml(youths: int, burn_in: int) -> str:
    return (
        f'extends = "{BASELINE}"\n[population]\nyouths = {youths}\n'
        f"[run]\nburn_in_years = {burn_in}\nyears = 1\n"
    )


def test_compare_refuses_scenarios_that_cannot_be_paired(tmp_path: Path) -> None:
    bigger = write(
        tmp_path / "bigger.toml",
        paired_toml(400, 2),
    )
    smaller = write(
        tmp_path / "smaller.toml",
        paired_toml(300, 2),
    )
    line = one_line_error(
        hikisim("compare", bigger, smaller, "--out", tmp_path / "out", cwd=tmp_path)
    )
    assert "smaller.toml: population.youths" in line and "cannot be paired with" in line
    assert "300" in line and "400" in line
    longer = write(
        tmp_path / "longer.toml",
        paired_toml(400, 3),
    )
    line = one_line_error(
        hikisim("compare", bigger, longer, "--out", tmp_path / "out", cwd=tmp_path)
    )
    assert "run.burn_in_years" in line


def test_a_morris_design_needs_two_trajectories(tmp_path: Path) -> None:
    text = SENSITIVITY.read_text().replace('scenario = "', f'scenario = "{SENSITIVITY.parent}/')
    experiment = write(tmp_path / "morris.toml", text)
    experiment.write_text(
        "\n".join(
            "samples = 1" if line.strip().startswith("samples") else line
            for line in text.splitlines()
        )
    )
    line = one_line_error(
        hikisim("sensitivity", experiment, "--out", tmp_path / "out", cwd=tmp_path)
    )
    assert "design.samples: morris designs need at least 2 trajectories" in line


def test_a_one_seed_calibration_reports_no_interval(tmp_path: Path) -> None:
    out = tmp_path / "cal"
    result = hikisim(*POINT_CALIBRATE_TINY, "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out / "calibration.csv")
    assert table["mean_ci95_low"].isna().all() and table["mean_ci95_high"].isna().all()
    assert "| n/a |" in (out / "calibration.md").read_text()


def test_bad_run_files_are_set_aside_and_redone(tmp_path: Path) -> None:
    experiment = sweep_experiment(tmp_path / "grid.toml", points=2)
    out = tmp_path / "out"
    assert hikisim("sweep", experiment, "--out", out, cwd=tmp_path).returncode == 0
    files = run_files(out)
    files[0].write_bytes(b"not parquet at all")
    pd.DataFrame({"x": [1]}).to_parquet(files[1])  # readable, but not a sweep's file
    with pytest.raises(InputError, match="unreadable run file"):
        load_results(out)
    result = hikisim("sweep", experiment, "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("set aside") == 2
    assert "2 ok" in result.stdout
    results = load_results(out)
    assert len(results) == 4 and (results["status"] == "ok").all()
    assert sorted(p.name for p in (out / "runs" / "set-aside").iterdir()) == sorted(
        p.name for p in files[:2]
    )


def posterior_file(path: Path, meta: bytes | None, values: list[float] | None = None) -> Path:
    """A copy of the shipped posterior's first draws with other values or metadata."""
    shipped = load_posterior("japan").head(4)
    frame = shipped.copy()
    frame.attrs = {}
    if values is not None:
        frame[frame.columns[1]] = values
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({b"hikisim": meta} if meta is not None else {})
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        (b"{not json", "hikisim metadata must be a JSON object"),
        (b"[1, 2]", "hikisim metadata must be a JSON object"),
        (b'{"representative_draw": 99}', "representative_draw: must be a draw number from 0 to 3"),
        (b'{"representative_draw": "x"}', "must be a draw number from 0 to 3, got 'x'"),
    ],
)
def test_a_posterior_with_bad_metadata_is_refused(
    tmp_path: Path, meta: bytes, message: str
) -> None:
    path = posterior_file(tmp_path / "bad.parquet", meta)
    with pytest.raises(InputError, match=re.escape(message)):
        load_posterior(path=path)


def test_a_posterior_with_values_outside_its_priors_is_refused(tmp_path: Path) -> None:
    key = load_posterior("japan").columns[1]
    path = posterior_file(tmp_path / "inf.parquet", None, [float("inf"), 1.0, 1.0, 1.0])
    with pytest.raises(
        InputError, match=f"{re.escape(key)}: not a posterior: values must be finite"
    ):
        load_posterior(path=path)
    path = posterior_file(tmp_path / "far.parquet", None, [1e6] * 4)
    args = ["compare", BASELINE, COMPREHENSIVE, "--replicates", "1", "--psa", "2"]
    args += ["--psa-replicates", "1", "--posterior", path, *set_options(TINY)]
    line = one_line_error(hikisim(*args, "--out", tmp_path / "out", cwd=tmp_path))
    assert f"{key}: 1000000.0 is outside its calibration prior; allowed: " in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", [b"", b"not json", b"[1, 2]", b"\xff\xfe"])
def test_a_damaged_sweep_manifest_is_refused_in_one_line(tmp_path: Path, content: bytes) -> None:
    experiment = sweep_experiment(tmp_path / "grid.toml")
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_bytes(content)
    line = one_line_error(hikisim("sweep", experiment, "--out", out, cwd=tmp_path))
    assert f"{out / 'manifest.json'}: is not the sweep manifest hikisim wrote" in line
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


@pytest.mark.parametrize("content", [b"", b"{", b"[1]", b"\xff", b'"text"'])
def test_damaged_json_records_are_input_errors(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match="is not the PSA plan hikisim wrote"):
        read_json_object(path, "PSA plan")
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(InputError, match="cannot read the PSA plan"):
        read_json_object(tmp_path / "folder.json", "PSA plan")


def test_compare_keeps_every_old_output_when_a_folder_is_in_the_way(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = command_args("compare", tmp_path)
    assert hikisim(*args, "--out", out, cwd=tmp_path).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    (out / "discounting.csv").unlink()
    (out / "discounting.csv").mkdir()
    result = hikisim(*args, "--seed", "5", "--out", out, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "discounting.csv' is a folder, so the output file discounting.csv" in result.stderr
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == {name: data for name, data in before.items() if name != "discounting.csv"}


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ('youths = " 300 "', "population.youths", "must be a number, not text"),
        ('trauma_prevalence = "0.1"', "individual.trauma_prevalence", "must be a number, not text"),
        (
            'family_size_weights = ["1", "1", "1"]',
            "population.family_size_weights",
            "must hold numbers",
        ),
    ],
)
def test_numbers_written_as_text_are_refused(
    tmp_path: Path, line: str, field: str, message: str
) -> None:
    # Pydantic's lax mode read "0.1" as 0.1; a quoted number in a file is a slip.
    section = field.split(".")[0]
    body = TINY_TOML.replace("youths = 300\n", "") + f"[{section}]\n{line}\n"
    if section == "population":
        body = TINY_TOML.replace("youths = 300\n", line + "\n")
    scenario = write(tmp_path / "t.toml", body)
    error = one_line_error(hikisim("run", scenario, "--out", tmp_path / "out", cwd=tmp_path))
    assert f"t.toml: {field}: {message}" in error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ('replicates = "1"', "replicates", "must be a number, not text"),
        ("replicates = true", "replicates", "must be a number, not true or false"),
        ('seed = "1"', "seed", "must be a number, not text"),
    ],
)
def test_experiment_numbers_and_switches_are_typed(
    tmp_path: Path, entry: str, field: str, message: str
) -> None:
    experiment = sweep_experiment(tmp_path / "grid.toml")
    text = experiment.read_text(encoding="utf-8")
    key = entry.split(" ")[0]
    lines = [line for line in text.splitlines() if not line.startswith(f"{key} =")]
    first_table = next(i for i, line in enumerate(lines) if line.startswith("["))
    lines.insert(first_table, entry)
    experiment.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = one_line_error(hikisim("sweep", experiment, "--out", tmp_path / "out", cwd=tmp_path))
    assert f"grid.toml: {field}: {message}" in error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_in_the_way_of_the_lock_file_is_one_line(tmp_path: Path, command: str) -> None:
    # No check foresees every file of an output folder; an operating-system error about
    # a path is still one line naming it, with exit 2.
    out = tmp_path / "out"
    (out / ".hikisim.lock").mkdir(parents=True)
    line = one_line_error(hikisim(*command_args(command, tmp_path), "--out", out, cwd=tmp_path))
    assert line == f"hikisim: error: {out / '.hikisim.lock'}: is a directory"
    assert [p.name for p in out.iterdir()] == [".hikisim.lock"]
