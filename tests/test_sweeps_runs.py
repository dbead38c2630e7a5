"""Sweeps end to end on the local pool: results, resume, refusal, retries, sensitivity.

Most tests replace the model by the small simulators of ``test_sweeps_runner``, which
run in microseconds and have known answers.
"""

from __future__ import annotations

import functools
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_sweeps_runner import (
    WEEKS,
    counting_simulator,
    dying_simulator,
    failing_simulator,
    flaky_simulator,
    linear_simulator,
    refusing_simulator,
)

from hikisim.cli import main
from hikisim.errors import InputError
from hikisim.source_hash import model_source_hash
from hikisim.sweeps import (
    analyze_sweep,
    execute_sweep,
    load_experiment,
    load_results,
    load_weekly,
    prepare_sweep,
    run_sweep,
)
from hikisim.sweeps.sensitivity import CONSTANT_NOTE

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


def write_experiment(
    path: Path,
    values: list[float] | None = None,
    replicates: int = 2,
    max_retries: int = 2,
    weekly: bool = False,
) -> Path:
    values = values if values is not None else [0.1, 0.2, 0.3, 0.4]
    path.write_text(
        f'scenario = "{BASELINE}"\n'
        f"replicates = {replicates}\n"
        f"max_retries = {max_retries}\n"
        'outcomes = ["prevalence_15_39", "person_years_withdrawn"]\n'
        + ('weekly = ["prevalence_15_39"]\n' if weekly else "")
        + '[design]\nmethod = "grid"\n'
        f'[parameters]\n"family.neglect_weight" = {values}\n'
        '"society.internet_weight" = [0.4]\n'
        '[set]\n"population.youths" = 300\n'
    )
    return path


def file_state(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_results_have_the_contract_columns_and_values(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path / "e.toml", weekly=True)
    results = run_sweep(
        experiment, tmp_path / "out", workers=2, progress=False, simulator=linear_simulator
    )
    assert list(results.columns) == [
        "run_id",
        "point",
        "replicate",
        "seed",
        "family.neglect_weight",
        "society.internet_weight",
        "prevalence_15_39",
        "person_years_withdrawn",
        "status",
        "error",
        "attempts",
        "elapsed_s",
        "model_source",
        "traceback",
    ]
    assert (results["model_source"] == model_source_hash()).all()
    assert len(results) == 8 and results["run_id"].is_unique
    assert (results["status"] == "ok").all() and results["error"].isna().all()
    np.testing.assert_allclose(results["prevalence_15_39"], 3 * results["family.neglect_weight"])
    # Common random numbers: replicate r has one seed across all design points.
    assert results.groupby("replicate")["seed"].nunique().eq(1).all()
    files = sorted(p.stem for p in (tmp_path / "out" / "runs").iterdir())
    assert files == sorted(results["run_id"])

    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    planned = prepare_sweep(experiment).plan.run_ids
    assert [run["run_id"] for run in manifest["runs"]] == planned
    assert {"python", "hikisim", "numpy", "SALib", "mesa"} <= set(manifest["versions"])
    assert manifest["seeds"]["replicates"] == 2 and manifest["design"]["method"] == "grid"

    weekly = load_weekly(tmp_path / "out")
    assert list(weekly.columns) == ["run_id", "week", "prevalence_15_39"]
    assert len(weekly) == 8 * WEEKS
    last = weekly[weekly["week"] == WEEKS - 1].merge(results, on="run_id")
    np.testing.assert_allclose(last["prevalence_15_39_x"], last["prevalence_15_39_y"] * 4)


def test_resume_skips_finished_runs(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path / "e.toml")
    out, log = tmp_path / "out", tmp_path / "calls.log"
    simulator = functools.partial(counting_simulator, log)
    first = run_sweep(experiment, out, workers=2, progress=False, simulator=simulator)
    assert len(log.read_text().splitlines()) == 8
    before = file_state(out)

    tally = execute_sweep(experiment, out, workers=2, progress=False, simulator=simulator)
    assert (tally.skipped, tally.ok, tally.failed) == (8, 0, 0)
    assert len(log.read_text().splitlines()) == 8
    assert file_state(out) == before

    lost = out / "runs" / f"{first['run_id'][3]}.parquet"
    lost.unlink()
    again = run_sweep(experiment, out, workers=2, progress=False, simulator=simulator)
    assert len(log.read_text().splitlines()) == 9
    pd.testing.assert_frame_equal(
        again.drop(columns="elapsed_s"), first.drop(columns="elapsed_s"), check_dtype=False
    )


def test_changed_experiment_is_refused_and_directory_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    experiment = write_experiment(tmp_path / "e.toml")
    out = tmp_path / "out"
    run_sweep(experiment, out, workers=2, progress=False, simulator=linear_simulator)
    before = file_state(out)
    write_experiment(experiment, values=[0.1, 0.2, 0.3, 0.5])
    with pytest.raises(InputError, match=r"different experiment \(changed: parameters\)"):
        execute_sweep(experiment, out, workers=2, progress=False)
    monkeypatch.setattr(sys, "argv", ["hikisim", "sweep", str(experiment), "--out", str(out)])
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 2
    assert "different experiment" in capsys.readouterr().err
    assert file_state(out) == before


def test_directory_with_other_files_is_refused(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path / "e.toml")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not a sweep directory"):
        execute_sweep(experiment, out, workers=1, progress=False)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_failing_run_is_retried_then_recorded_and_the_rest_complete(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path / "e.toml", max_retries=2)
    out = tmp_path / "out"
    tally = execute_sweep(experiment, out, workers=2, progress=False, simulator=failing_simulator)
    assert (tally.ok, tally.failed, tally.retries) == (6, 2, 4)
    results = load_results(out)
    failed = results[results["status"] == "failed"]
    assert set(failed["family.neglect_weight"]) == {0.3}
    assert (failed["attempts"] == 3).all()
    assert failed["error"].str.contains("ValueError: injected failure").all()
    assert failed["traceback"].str.contains("failing_simulator").all()
    assert failed["prevalence_15_39"].isna().all()
    ok = results[results["status"] == "ok"]
    assert len(ok) == 6 and (ok["attempts"] == 1).all()

    # Rerunning retries the failed runs only; with the fault gone they succeed.
    tally = execute_sweep(experiment, out, workers=2, progress=False, simulator=linear_simulator)
    assert (tally.skipped, tally.ok, tally.failed) == (6, 2, 0)
    assert (load_results(out)["status"] == "ok").all()


def test_run_refused_as_bad_input_is_recorded_without_retries(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path / "e.toml", max_retries=2)
    out, log = tmp_path / "out", tmp_path / "calls.log"
    simulator = functools.partial(refusing_simulator, log)
    tally = execute_sweep(experiment, out, workers=2, progress=False, simulator=simulator)
    assert (tally.ok, tally.failed, tally.retries) == (6, 2, 0)
    # 8 runs, each called once: the same input would be refused again.
    assert len(log.read_text().splitlines()) == 8
    failed = load_results(out).query("status == 'failed'")
    assert (failed["attempts"] == 1).all()
    assert failed["error"].str.startswith("InputError: ").all()


def test_results_show_which_code_made_each_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    experiment = write_experiment(tmp_path / "e.toml", replicates=1)
    out = tmp_path / "out"
    first = run_sweep(experiment, out, workers=1, progress=False, simulator=linear_simulator)
    assert set(first["model_source"]) == {model_source_hash()}
    # Resume after an edit of the model's code: the redone run records the new hash.
    (out / "runs" / f"{first['run_id'][0]}.parquet").unlink()
    monkeypatch.setattr("hikisim.sweeps.storage.model_source_hash", lambda: "edited")
    again = run_sweep(experiment, out, workers=1, progress=False, simulator=linear_simulator)
    assert again.set_index("run_id").loc[first["run_id"][0], "model_source"] == "edited"
    assert again["model_source"].value_counts().to_dict() == {model_source_hash(): 3, "edited": 1}


def test_transient_failures_succeed_on_retry(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path / "e.toml", max_retries=1)
    markers = tmp_path / "markers"
    markers.mkdir()
    simulator = functools.partial(flaky_simulator, markers)
    results = run_sweep(
        experiment, tmp_path / "out", workers=2, progress=False, simulator=simulator
    )
    assert (results["status"] == "ok").all()
    assert (results["attempts"] == 2).all()


def test_dead_worker_loses_only_runs_in_flight(tmp_path: Path) -> None:
    experiment = write_experiment(tmp_path / "e.toml", max_retries=2)
    markers = tmp_path / "markers"
    markers.mkdir()
    simulator = functools.partial(dying_simulator, markers)
    results = run_sweep(
        experiment, tmp_path / "out", workers=2, progress=False, simulator=simulator
    )
    assert (markers / "died").exists()
    assert len(results) == 8 and (results["status"] == "ok").all()
    assert results["attempts"].max() == 2
    # Only the runs in flight when the worker died (at most one per worker) were redone.
    assert (results["attempts"] == 2).sum() <= 2


def test_morris_recovers_a_known_linear_effect(tmp_path: Path) -> None:
    path = tmp_path / "morris.toml"
    path.write_text(
        f'scenario = "{BASELINE}"\nreplicates = 2\n'
        'outcomes = ["prevalence_15_39", "person_years_withdrawn"]\n'
        '[design]\nmethod = "morris"\nsamples = 6\n'
        '[parameters]\n"family.neglect_weight" = { min = 0.0, max = 1.2 }\n'
        '"dynamics.peer_weight" = { min = 1.0, max = 4.0 }\n'
    )
    out = tmp_path / "out"
    run_sweep(path, out, workers=2, progress=False, simulator=linear_simulator)
    indices = analyze_sweep(out).set_index(["outcome", "parameter"])
    # d(3 a)/da over a range of 1.2 is 3.6 per unit of the normalised range; b has no effect.
    assert indices.loc[("prevalence_15_39", "family.neglect_weight"), "mu_star"] == pytest.approx(
        3.6
    )
    assert indices.loc[("prevalence_15_39", "family.neglect_weight"), "sigma"] == pytest.approx(0)
    assert indices.loc[("prevalence_15_39", "dynamics.peer_weight"), "mu_star"] == pytest.approx(0)
    assert indices.loc[("person_years_withdrawn", "family.neglect_weight"), "mu_star"] == 0
    for name in ("sensitivity.csv", "sensitivity.md", "sensitivity.png"):
        assert (out / name).stat().st_size > 0
    assert "| family.neglect_weight |" in (out / "sensitivity.md").read_text()


def write_sobol(path: Path, outcome: str, design: str) -> Path:
    """A Sobol experiment over the neglect and peer weights (``design``: its settings)."""
    path.write_text(
        f'scenario = "{BASELINE}"\noutcomes = ["{outcome}"]\n'
        f'[design]\nmethod = "sobol"\n{design}\n'
        '[parameters]\n"family.neglect_weight" = { min = 0.0, max = 1.0 }\n'
        '"dynamics.peer_weight" = { min = 1.0, max = 4.0 }\n'
    )
    return path


def test_sobol_attributes_all_variance_to_the_only_active_parameter(tmp_path: Path) -> None:
    path = write_sobol(tmp_path / "sobol.toml", "prevalence_15_39", "samples = 64")
    out = tmp_path / "out"
    results = run_sweep(path, out, workers=2, progress=False, simulator=linear_simulator)
    assert len(results) == 64 * (2 + 2)
    indices = analyze_sweep(out).set_index("parameter")
    assert indices.loc["family.neglect_weight", "S1"] == pytest.approx(1, abs=0.15)
    assert indices.loc["family.neglect_weight", "ST"] == pytest.approx(1, abs=0.15)
    assert indices.loc["dynamics.peer_weight", "ST"] == pytest.approx(0, abs=1e-12)
    assert indices.loc["dynamics.peer_weight", "S1"] == pytest.approx(0, abs=0.15)
    assert (indices[["S1_conf", "ST_conf"]] >= 0).all().all()


def test_sobol_leaves_an_outcome_that_never_varies_undefined(tmp_path: Path) -> None:
    design = "samples = 8\nsecond_order = true"
    path = write_sobol(tmp_path / "sobol.toml", "person_years_withdrawn", design)
    out = tmp_path / "out"
    run_sweep(path, out, workers=1, progress=False, simulator=linear_simulator)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SALib's 0/0 warnings would fail here
        indices = analyze_sweep(out)
    assert indices[["S1", "S1_conf", "ST", "ST_conf"]].isna().all().all()
    assert CONSTANT_NOTE in (out / "sensitivity.md").read_text()
    assert pd.read_csv(out / "sensitivity_s2.csv")["S2"].isna().all()


def test_analysis_refuses_failed_runs(tmp_path: Path) -> None:
    path = tmp_path / "morris.toml"
    path.write_text(
        f'scenario = "{BASELINE}"\nmax_retries = 0\noutcomes = ["prevalence_15_39"]\n'
        '[design]\nmethod = "morris"\nsamples = 4\n'
        '[parameters]\n"family.neglect_weight" = { min = 0.26, max = 0.34 }\n'
    )
    out = tmp_path / "out"
    execute_sweep(path, out, workers=1, progress=False, simulator=failing_simulator)
    assert (load_results(out)["status"] == "failed").any()
    with pytest.raises(InputError, match="failed or missing"):
        analyze_sweep(out)


def test_experiment_objects_are_validated_and_swept(tmp_path: Path) -> None:
    experiment = load_experiment(write_experiment(tmp_path / "e.toml"))
    single = experiment.model_copy(update={"replicates": 1})
    results = run_sweep(
        single, tmp_path / "out", workers=1, progress=False, simulator=linear_simulator
    )
    assert len(results) == 4 and set(results["replicate"]) == {0}
    with pytest.raises(InputError, match="replicates"):
        prepare_sweep(experiment.model_copy(update={"replicates": 0}))
