"""The sensitivity outputs are whole files: a write that fails leaves the previous one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from matplotlib.figure import Figure

from hikisim.sweeps.plotting import plot_sensitivity
from hikisim.sweeps.sensitivity import write_tables

INDICES = pd.DataFrame(
    {
        "outcome": ["prevalence_15_39"],
        "parameter": ["family.neglect_weight"],
        "S1": [0.9],
        "S1_conf": [0.1],
        "ST": [0.95],
        "ST_conf": [0.1],
    }
)
SECOND_ORDER = pd.DataFrame(
    {"outcome": ["prevalence_15_39"], "parameter": ["a"], "other": ["b"], "S2": [0.0]}
)
OLD = "previous analysis\n"


class DiskFullError(OSError):
    """What the interrupted writer raises."""


def half_then_fail(path: Any) -> None:
    Path(path).write_bytes(b"half a fi")
    raise DiskFullError("no space left on device")


def previous_outputs(out: Path, names: list[str]) -> None:
    for name in names:
        (out / name).write_text(OLD)


def assert_untouched(out: Path, names: list[str]) -> None:
    assert {name: (out / name).read_text() for name in names} == dict.fromkeys(names, OLD)
    assert sorted(p.name for p in out.iterdir()) == sorted(names)  # no temporary left


def test_interrupted_csv_leaves_the_previous_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["sensitivity.csv", "sensitivity_s2.csv", "sensitivity.md"]
    previous_outputs(tmp_path, names)
    monkeypatch.setattr(pd.DataFrame, "to_csv", lambda self, path, **_: half_then_fail(path))
    with pytest.raises(DiskFullError):
        write_tables(tmp_path, "sobol", INDICES, SECOND_ORDER)
    assert_untouched(tmp_path, names)


def test_interrupted_markdown_leaves_the_previous_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous_outputs(tmp_path, ["sensitivity.md"])
    monkeypatch.setattr(Path, "write_text", lambda self, *_, **__: half_then_fail(self))
    with pytest.raises(DiskFullError):
        write_tables(tmp_path, "sobol", INDICES, None)
    assert (tmp_path / "sensitivity.md").read_bytes() == OLD.encode()
    # The table was written whole before the report; nothing temporary is left.
    assert pd.read_csv(tmp_path / "sensitivity.csv").equals(INDICES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sensitivity.csv", "sensitivity.md"]


def test_interrupted_plot_leaves_the_previous_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous_outputs(tmp_path, ["sensitivity.png"])
    monkeypatch.setattr(Figure, "savefig", lambda self, path, **_: half_then_fail(path))
    with pytest.raises(DiskFullError):
        plot_sensitivity("sobol", INDICES, tmp_path / "sensitivity.png")
    assert_untouched(tmp_path, ["sensitivity.png"])


def test_whole_files_are_written(tmp_path: Path) -> None:
    write_tables(tmp_path, "sobol", INDICES, SECOND_ORDER)
    plot_sensitivity("sobol", INDICES, tmp_path / "sensitivity.png")
    assert pd.read_csv(tmp_path / "sensitivity.csv").equals(INDICES)
    assert pd.read_csv(tmp_path / "sensitivity_s2.csv").equals(SECOND_ORDER)
    assert "| family.neglect_weight |" in (tmp_path / "sensitivity.md").read_text()
    assert (tmp_path / "sensitivity.png").read_bytes().startswith(b"\x89PNG")
    # Ordinary files, like the run files: not the private mode of a temporary file.
    assert (tmp_path / "sensitivity.csv").stat().st_mode & 0o044
