"""The CLI on a real Dask cluster: scheduler and workers are separate processes.

An in-process ``LocalCluster`` hid a bug (the client was not the default one, and
``distributed.wait`` looked for a default client), so these tests start ``dask
scheduler`` and ``dask worker`` as subprocesses and run ``hikisim`` as a subprocess too.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from processes import (
    BASELINE,
    CALIBRATE_TINY,
    REPO,
    TINY,
    DaskCluster,
    dask_cluster,
    hikisim,
    kill_tree,
    one_line_error,
    run_files,
    set_options,
    small_calibration_args,
    small_calibration_inputs,
    start_hikisim,
    sweep_experiment,
    wait_until,
)

from hikisim.calibration import load_posterior
from hikisim.sweeps import load_results

pytestmark = pytest.mark.xdist_group("cluster")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    with dask_cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running


def on_cluster_and_locally(
    cluster: DaskCluster, tmp_path: Path, *args: object
) -> subprocess.CompletedProcess[str]:
    """Run one command on the cluster (into ``dask/``) and on a local pool (``local/``)."""
    on_dask = hikisim(
        *args, "--scheduler", cluster.address, "--out", tmp_path / "dask", cwd=tmp_path
    )
    assert on_dask.returncode == 0, on_dask.stderr
    local = hikisim(*args, "--workers", "2", "--out", tmp_path / "local", cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    return on_dask


def same_files(tmp_path: Path, names: tuple[str, ...]) -> None:
    for name in names:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def test_sweep_on_the_cluster_matches_the_local_pool(cluster: DaskCluster, tmp_path: Path) -> None:
    experiment = sweep_experiment(tmp_path / "grid.toml")
    on_dask = on_cluster_and_locally(cluster, tmp_path, "sweep", experiment)
    assert f"Dask scheduler {cluster.address}" in on_dask.stderr
    timing = ["elapsed_s"]
    dask_table = load_results(tmp_path / "dask").drop(columns=timing)
    local_table = load_results(tmp_path / "local").drop(columns=timing)
    assert len(local_table) == 6 and (local_table["status"] == "ok").all()
    assert dask_table.to_csv(index=False) == local_table.to_csv(index=False)
    # The design points differ in outcome, so the equality has teeth.
    assert local_table["person_years_withdrawn"].nunique() > 1


def test_compare_on_the_cluster_matches_the_local_pool(
    cluster: DaskCluster, tmp_path: Path
) -> None:
    scenarios = [BASELINE, REPO / "scenarios" / "comprehensive.toml"]
    # With a small PSA, so its draws (shared burn-in groups) run on the cluster too.
    common = [*scenarios, "--replicates", "2", "--psa", "2", *set_options(TINY)]
    on_cluster_and_locally(cluster, tmp_path, "compare", *common)
    # one_way.csv too: the programme costs by unit price it revalues come back from the
    # workers with each run.
    names = ("comparison.csv", "runs.csv", "comparison.md", "ceac.csv", "evppi.csv", "one_way.csv")
    same_files(tmp_path, names)
    one_way = pd.read_csv(tmp_path / "local" / "one_way.csv")
    assert one_way["parameter"].str.startswith("interventions.").any()
    runs = pd.read_csv(tmp_path / "local" / "runs.csv")
    assert runs.groupby("scenario")["cost"].mean().nunique() == 2


def test_calibrate_on_the_cluster_matches_the_local_pool(
    cluster: DaskCluster, tmp_path: Path
) -> None:
    common = [
        "--method",
        "point",
        "--iterations",
        "0",
        "--seeds",
        "2",
        *set_options(CALIBRATE_TINY),
    ]
    on_cluster_and_locally(cluster, tmp_path, "calibrate", *common)
    same_files(tmp_path, ("calibration.csv", "history.csv"))


def test_bayesian_calibration_on_the_cluster_matches_the_local_pool(
    cluster: DaskCluster, tmp_path: Path
) -> None:
    values = {"cao2016_broad_15_39": 0.08, "cao2016_narrow_15_39": 0.03}
    inputs = small_calibration_inputs(tmp_path, values)
    on_dask = on_cluster_and_locally(cluster, tmp_path, *small_calibration_args(inputs, "6", 60))
    assert f"Dask scheduler {cluster.address}" in on_dask.stderr
    # The model runs went to the workers; everything after them is seeded, so the two
    # posteriors and predictive checks are the same numbers.
    dask_posterior = load_posterior(path=tmp_path / "dask" / "posterior.parquet")
    local_posterior = load_posterior(path=tmp_path / "local" / "posterior.parquet")
    pd.testing.assert_frame_equal(dask_posterior, local_posterior)
    same_files(tmp_path, ("predictive.csv", "parameters.csv"))
    assert dask_posterior["dynamics.progress_base"].nunique() > 1


def test_a_scheduler_that_dies_mid_run_stops_the_sweep_in_one_line(tmp_path: Path) -> None:
    experiment = sweep_experiment(tmp_path / "long.toml", points=6, youths=800, years=4)
    with dask_cluster(tmp_path / "doomed", workers=1) as doomed:
        out = tmp_path / "out"
        process = start_hikisim(
            "sweep", experiment, "--scheduler", doomed.address, "--out", out, cwd=tmp_path
        )
        try:
            wait_until(lambda: len(run_files(out)) >= 1, 120, "a first finished run")
            doomed.kill_scheduler()
            killed = time.monotonic()
            stdout, stderr = process.communicate(timeout=60)
            stopped_after = time.monotonic() - killed
        finally:
            kill_tree(process)
    assert stopped_after < 15
    assert process.returncode == 2, (stdout, stderr)
    assert "Traceback" not in stderr, stderr
    # Progress went to stderr while the sweep ran; the error is one line at the end.
    errors = [line for line in stderr.splitlines() if line.startswith("hikisim: error")]
    assert len(errors) == 1, stderr
    assert stderr.strip().splitlines()[-1] == errors[0]
    assert "--scheduler" in errors[0] and "lost the Dask scheduler" in errors[0]
    # Whatever finished is kept, as whole files, for the rerun.
    assert run_files(out)
    assert sorted(p.suffix for p in (out / "runs").iterdir()) == [".parquet"] * len(run_files(out))


def other_hikisim(folder: Path, broken: bool = False) -> dict[str, str]:
    """A worker environment that imports a copy of hikisim with one comment added.

    With ``broken``, the copy cannot be imported at all (a worker without hikisim).
    """
    copy = folder / "hikisim"
    shutil.copytree(REPO / "hikisim", copy, ignore=shutil.ignore_patterns("__pycache__"))
    init = copy / "__init__.py"
    added = 'raise ImportError("no hikisim here")\n' if broken else "# edited on this node\n"
    init.write_text(init.read_text(encoding="utf-8") + added, encoding="utf-8")
    return {"PYTHONPATH": str(folder)}


@pytest.mark.parametrize("broken", [False, True], ids=["other code", "no hikisim"])
def test_workers_with_other_code_are_refused_in_one_line(tmp_path: Path, broken: bool) -> None:
    worker_env = other_hikisim(tmp_path / "node", broken)
    with dask_cluster(tmp_path / "mixed", workers=1, worker_env=worker_env) as mixed:
        out = tmp_path / "out"
        result = hikisim(
            "compare", BASELINE, "--replicates", "1", *set_options(TINY),
            "--scheduler", mixed.address, "--out", out, cwd=tmp_path,
        )  # fmt: skip
    assert result.returncode == 2, result.stderr
    error = one_line_error(result)
    assert error.startswith("hikisim: error: --scheduler: worker tcp://127.0.0.1:"), error
    expected = "cannot run hikisim (ImportError" if broken else "runs other hikisim code"
    assert expected in error, error
    assert not out.exists()


def test_a_result_from_other_code_stops_the_sweep(cluster: DaskCluster, tmp_path: Path) -> None:
    # A worker that joins after the start is checked by its results: here the driver's
    # own hash is changed after the check at connection, as a late joiner's would differ.
    from hikisim.sweeps.driver import _collect
    from hikisim.sweeps.executors import DaskExecutor, WorkerCodeError, run_all

    with DaskExecutor(cluster.address) as executor:
        assert run_all(executor, abs, [-1, -2]) == [1, 2]
        executor.model_source = "0" * 64
        with pytest.raises(WorkerCodeError, match="runs other hikisim code"):
            run_all(executor, abs, [-3])
        handle = executor.submit(abs, -4)
        with pytest.raises(WorkerCodeError, match=r"model source \w+, here 000000000000"):
            _collect(executor, handle, None)  # type: ignore[arg-type]
