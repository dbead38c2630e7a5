"""A compare folder holds exactly one compare's outputs, and never loses a user's files.

The first tests write fake runs with :func:`hikisim.compare.write_comparison` (fast);
the last ones reproduce the reported mix with the real command: a compare with
``--psa``, then one without it, into the same folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from processes import BASELINE, REPO, TINY, hikisim, one_line_error, set_options

from hikisim import compare, stopping
from hikisim.compare import (
    COMPARE_OUTPUTS,
    PSA_OUTPUTS,
    RunResult,
    check_compare_folder,
    write_comparison,
)
from hikisim.economics.outcomes import WEEKLY_INPUTS
from hikisim.errors import InputError
from hikisim.scenario import Scenario

WITHOUT_PSA = sorted(set(COMPARE_OUTPUTS) - set(PSA_OUTPUTS))


def fake_results() -> list[RunResult]:
    results = []
    for name, years, cost in (("base", 10.0, 0.0), ("plan", 8.0, 50.0)):
        for replicate in range(2):
            summary = {
                "prevalence_15_39": 0.01,
                "person_years_withdrawn": years + replicate,
                "new_cases": 10,
                "cost_total": cost,
            }
            weekly = {key: np.zeros(3) for key in WEEKLY_INPUTS} | {"engaged": np.full(3, 1e2)}
            results.append(RunResult(name, replicate, 7 + replicate, summary, np.zeros(3), weekly))
    return results


def write(out: Path) -> pd.DataFrame:
    scenarios = [Scenario(name="base"), Scenario(name="plan")]
    return write_comparison(fake_results(), 7, out, scenarios=scenarios)


def contents(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def earlier_psa_compare(out: Path) -> None:
    """A folder as a compare with --psa leaves it: every output, and psa/ removed."""
    out.mkdir()
    for name in COMPARE_OUTPUTS:
        (out / name).write_text(f"old {name}\n")


def test_a_fresh_folder_gets_exactly_the_compare_outputs(tmp_path: Path) -> None:
    write(tmp_path / "out")
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == WITHOUT_PSA
    # Nothing is left staged beside it.
    assert [path.name for path in tmp_path.iterdir()] == ["out"]


def test_outputs_of_an_earlier_psa_compare_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    earlier_psa_compare(out)
    write(out)
    assert sorted(path.name for path in out.iterdir()) == WITHOUT_PSA
    assert "old report.md" not in (out / "report.md").read_text()
    assert "did not run (`--psa N`)" in (out / "report.md").read_text()


def test_files_a_compare_did_not_write_are_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    earlier_psa_compare(out)
    (out / "notes.md").write_text("mine\n")
    (out / "figures").mkdir()
    (out / "figures" / "ceac.png").write_text("mine too\n")
    write(out)
    assert (out / "notes.md").read_text() == "mine\n"
    assert (out / "figures" / "ceac.png").read_text() == "mine too\n"


def test_without_an_earlier_compare_no_known_name_is_removed(tmp_path: Path) -> None:
    # No comparison.json: the folder never held a compare, so an evpi.csv is the user's.
    out = tmp_path / "out"
    out.mkdir()
    (out / "evpi.csv").write_text("the user's own\n")
    write(out)
    assert (out / "evpi.csv").read_text() == "the user's own\n"


def test_a_failed_compare_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    earlier_psa_compare(out)
    before = contents(out)

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(compare, "plot_cost_effectiveness", broken)
    with pytest.raises(OSError, match="disk full"):
        write(out)
    assert contents(out) == before
    assert [path.name for path in tmp_path.iterdir()] == ["out"]


def test_psa_runs_are_never_deleted_by_a_compare_without_psa(tmp_path: Path) -> None:
    out = tmp_path / "out"
    earlier_psa_compare(out)
    (out / "psa" / "runs").mkdir(parents=True)
    (out / "psa" / "plan.json").write_text("{}\n")
    (out / "psa" / "runs" / "d00000-r000-base.parquet").write_text("a run\n")
    before = contents(out)
    with pytest.raises(InputError, match=r"holds the runs of a PSA \(psa/\)") as refused:
        write(out)
    assert str(out) in str(refused.value)
    assert contents(out) == before
    check_compare_folder(out, psa=True)  # a PSA of its own design may use them


@pytest.mark.slow
def test_a_compare_without_psa_after_one_with_it_never_mixes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [
        "compare", BASELINE, REPO / "scenarios" / "home_visits.toml", "--replicates", "2",
        "--seed", "9", "--workers", "1", *set_options(TINY), "--out", out,
    ]  # fmt: skip
    with_psa = hikisim(*command, "--psa", "2", "--psa-replicates", "1", cwd=tmp_path)
    assert with_psa.returncode == 0, with_psa.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([*COMPARE_OUTPUTS, "psa"])
    # One run per draw: variance.csv holds only its header, and the report says why.
    assert pd.read_csv(out / "variance.csv").empty
    report = (out / "report.md").read_text()
    assert "`variance.csv` holds only its header" in report
    assert "`--psa-replicates 2`), and this PSA ran 1." in report
    psa = json.loads((out / "comparison.json").read_text())["psa"]
    assert psa["draws"] == 2 and psa["replicates_per_draw"] == 1
    assert psa["posterior_keys"]  # the default: the shipped Japanese posterior

    # The reported defect: the PSA's files stayed beside a report saying no PSA ran.
    before = contents(out)
    refused = hikisim(*command, cwd=tmp_path)
    # Refused before any run starts, in one line.
    line = one_line_error(refused)
    assert line.startswith(f"hikisim: error: {out}: holds the runs of a PSA (psa/)"), line
    assert contents(out) == before

    # The same PSA again (another willingness to pay) reuses the runs: nothing is redone.
    runs = {p.name: p.stat().st_mtime_ns for p in (out / "psa" / "runs").iterdir()}
    again = hikisim(*command, "--psa", "2", "--psa-replicates", "1", "--wtp", "1e6", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in (out / "psa" / "runs").iterdir()} == runs
    assert sorted(p.name for p in out.iterdir()) == sorted([*COMPARE_OUTPUTS, "psa"])

    shutil.rmtree(out / "psa")
    (out / "notes.md").write_text("mine\n")
    without = hikisim(*command, cwd=tmp_path)
    assert without.returncode == 0, without.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([*WITHOUT_PSA, "notes.md"])
    assert "did not run (`--psa N`)" in (out / "report.md").read_text()


def test_a_stop_request_waits_for_the_moves_into_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C or SIGTERM raise at any bytecode; halfway through the moves the folder
    # would hold parts of two compares, so the moves run with the stop deferred.
    out = tmp_path / "out"
    earlier_psa_compare(out)
    depths = []
    real_publish = compare.publish

    def watched(staging: Path, folder: Path) -> None:
        depths.append(stopping._deferred_depth)
        real_publish(staging, folder)

    monkeypatch.setattr(compare, "publish", watched)
    write(out)
    assert depths and depths[0] > 0
    assert sorted(path.name for path in out.iterdir()) == WITHOUT_PSA
