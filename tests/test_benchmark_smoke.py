"""Smoke test of the benchmark script: it runs and reports, with no timing assertion.

The speed and memory targets are checked by ``make bench`` on a quiet machine, never by a
timed test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "experiments" / "benchmark.py"


def run_quick(output: Path) -> subprocess.CompletedProcess[str]:
    """The quick benchmark without its extras, writing its page to ``output``."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--no-extras", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.slow
def test_quick_benchmark_prints_and_writes_its_table(tmp_path: Path) -> None:
    output = tmp_path / "performance.md"
    done = run_quick(output)
    assert done.returncode == 0, done.stderr
    assert "| Benchmark | Value | Unit | Note |" in done.stdout
    for row in (
        "Build model",
        "Stepping",
        "Peak memory",
        "Mesa virus_on_network",
        "over Mesa",
        "interleaved rounds",
        "Same ratio, pooled",
        "least disturbed",
        "Start-up",
        "Full run",
    ):
        assert row in done.stdout, row
    text = output.read_text()
    assert "## Machine" in text and "## Results" in text and "## Method" in text
    assert "experiments/benchmark.py --quick" in text
    # The run is logged next to the page, and the page reports the logged runs.
    assert "## Run-to-run spread" in text
    log = (tmp_path / "performance-history.csv").read_text().splitlines()
    assert len(log) == 2 and log[1].split(",")[2] == "quick"


def test_a_malformed_run_log_stops_the_benchmark_before_it_runs(tmp_path: Path) -> None:
    output = tmp_path / "performance.md"
    log = tmp_path / "performance-history.csv"
    log.write_text("date,speed\n2026-01-01,3\n")
    done = run_quick(output)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "performance-history.csv: header: must be date," in lines[0]
    assert "Traceback" not in done.stderr
    assert not output.exists()
    assert log.read_text() == "date,speed\n2026-01-01,3\n"


def test_the_step_spread_script_times_each_process_on_its_cpu() -> None:
    script = ROOT / "experiments" / "step_spread.py"
    result = subprocess.run(
        [sys.executable, str(script), "--youths", "400", "--processes", "2", "--pin"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split(" | ") for line in result.stdout.splitlines() if " | " in line][1:]
    assert [row[0] for row in rows] == ["0", "1"]
    for _, cpu, blocks, best in rows:
        assert cpu.isdigit()
        times = [float(value) for value in blocks.split()]
        assert len(times) == 3 and all(value > 0 for value in times)
        assert float(best) == pytest.approx(min(times), abs=1e-3)
