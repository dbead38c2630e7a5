"""The benchmark's run log: recording, reading and the run-to-run ranges it reports."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location(
    "bench_history", ROOT / "experiments" / "bench_history.py"
)
assert _SPEC is not None and _SPEC.loader is not None
bench_history = importlib.util.module_from_spec(_SPEC)
sys.modules["bench_history"] = bench_history
_SPEC.loader.exec_module(bench_history)


def figures(scale: float) -> dict[str, float]:
    """A full set of figures, each ``scale`` times its key's position (1-based)."""
    return {key: scale * (index + 1) for index, key in enumerate(bench_history.FIGURES)}


def test_records_append_under_one_header(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    bench_history.record(log, "abc1234", "full", 0.5, figures(1.0))
    bench_history.record(log, "abc1234", "full", 1.25, figures(2.0))
    lines = log.read_text().splitlines()
    assert lines[0] == ",".join(bench_history.FIELDS)
    assert len(lines) == 3
    runs = bench_history.read(log)
    assert [run["load_1min"] for run in runs] == ["0.5", "1.2"]
    assert float(runs[1]["million_run_s"]) == 2.0 * len(bench_history.FIGURES)


def test_a_missing_figure_is_refused_and_nothing_written(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    incomplete = figures(1.0)
    del incomplete["ratio_small"]
    with pytest.raises(ValueError, match="ratio_small"):
        bench_history.record(log, "abc1234", "full", 0.0, incomplete)
    assert not log.exists()


def test_the_range_covers_only_runs_of_the_same_commit_and_size(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    bench_history.record(log, "old0000", "full", 0.1, figures(100.0))
    bench_history.record(log, "new1111", "quick", 0.1, figures(50.0))
    bench_history.record(log, "new1111", "full", 0.1, figures(1.0))
    bench_history.record(log, "new1111", "full", 0.1, figures(3.0))
    text = bench_history.spread_section(bench_history.read(log), "new1111", "full", "h.csv")
    assert "Range over these 2 runs" in text
    # The first figure is 1 and 3 in the two runs; the last is 9 and 27.
    first, last = bench_history.FIGURES["mesa_rate_m"], bench_history.FIGURES["million_run_s"]
    assert f"{first} 1-3" in text
    assert f"{last} 9-27" in text
    assert "2 run(s) of other commits or sizes" in text
    rows = [line for line in text.splitlines() if line.startswith("| 20")]
    assert len(rows) == 2


def test_one_run_says_no_spread_yet(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    bench_history.record(log, "abc1234", "full", 0.1, figures(1.0))
    text = bench_history.spread_section(bench_history.read(log), "abc1234", "full", "h.csv")
    assert "Range" not in text
    assert "Only this run" in text


def test_commit_outside_a_checkout_is_unknown(tmp_path: Path) -> None:
    assert bench_history.commit_of(tmp_path) == "unknown"
