"""The benchmark's run log: recording, reading and the run-to-run ranges it reports."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from experiment_scripts import load_experiment_script

ROOT = Path(__file__).resolve().parent.parent
bench_history = load_experiment_script("bench_history")


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
    position = list(bench_history.FIGURES).index("million_run_s") + 1
    assert float(runs[1]["million_run_s"]) == 2.0 * position


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


def test_an_empty_log_is_taken_as_new(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    log.write_text("")
    bench_history.record(log, "abc1234", "full", 0.1, figures(1.0))
    assert log.read_text().splitlines()[0] == ",".join(bench_history.FIELDS)
    assert len(bench_history.read(log)) == 1


def test_a_log_with_another_header_is_refused_and_left_alone(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    log.write_text("date,commit,speed\n2026-01-01,abc,3\n")
    with pytest.raises(ValueError, match=r"history.csv: header: must be date,commit"):
        bench_history.record(log, "abc1234", "full", 0.1, figures(1.0))
    assert log.read_text() == "date,commit,speed\n2026-01-01,abc,3\n"


def test_a_row_with_a_bad_figure_is_named(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    bench_history.record(log, "abc1234", "full", 0.1, figures(1.0))
    text = log.read_text().replace(",1,", ",fast,", 1)
    log.write_text(text)
    with pytest.raises(ValueError, match=r"line 2, mesa_rate_m: must be a number"):
        bench_history.read(log)


def test_a_range_quotes_the_logged_values(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    bench_history.record(log, "abc1234", "full", 0.1, figures(1.0) | {"default_run_s": 5.095})
    bench_history.record(log, "abc1234", "full", 0.1, figures(1.0) | {"default_run_s": 4.694})
    text = bench_history.spread_section(bench_history.read(log), "abc1234", "full", "h.csv")
    assert f"{bench_history.FIGURES['default_run_s']} 4.694-5.095" in text


def test_uncommitted_code_changes_are_fingerprinted_and_docs_are_not(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "t")
    (tmp_path / "code.py").write_text("x = 1\n")
    (tmp_path / "README.md").write_text("figures\n")
    git("add", ".")
    git("commit", "-qm", "start")
    clean = bench_history.commit_of(tmp_path)
    assert len(clean) >= 7 and "dirty" not in clean
    (tmp_path / "README.md").write_text("new figures\n")
    assert bench_history.commit_of(tmp_path) == clean
    (tmp_path / "code.py").write_text("x = 2\n")
    first = bench_history.commit_of(tmp_path)
    (tmp_path / "code.py").write_text("x = 3\n")
    second = bench_history.commit_of(tmp_path)
    assert first.startswith(f"{clean}-dirty-") and second.startswith(f"{clean}-dirty-")
    assert first != second


def test_a_log_from_before_the_paired_figures_is_kept_and_rewritten(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    earlier = [str(float(index + 1)) for index in range(len(bench_history.EARLIER_FIELDS) - 4)]
    old_row = ",".join(["2026-01-01 10:00", "abc1234", "full", "0.3", *earlier])
    log.write_text(",".join(bench_history.EARLIER_FIELDS) + "\n" + old_row + "\n")
    (old,) = bench_history.read(log)
    assert old["ratio_large_paired"] == "" and old["mesa_rate_m"] == "1.0"
    bench_history.record(log, "abc1234", "full", 0.1, figures(1.0))
    lines = log.read_text().splitlines()
    assert lines[0] == ",".join(bench_history.FIELDS)
    assert lines[1].startswith(old_row) and lines[1].endswith(",,")
    assert not (tmp_path / "history.csv.tmp").exists()
    text = bench_history.spread_section(bench_history.read(log), "abc1234", "full", "h.csv")
    # The earlier run shows no paired ratio, and the range of one uses the run that has it.
    assert "| – | – |" in text
    position = list(bench_history.FIGURES).index("ratio_large_paired") + 1
    assert f"{bench_history.FIGURES['ratio_large_paired']} {position}-{position}" in text


def test_a_header_only_earlier_log_gets_the_current_header(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    log.write_text(",".join(bench_history.EARLIER_FIELDS) + "\n")
    bench_history.record(log, "abc1234", "full", 0.1, figures(1.0))
    lines = log.read_text().splitlines()
    assert lines[0] == ",".join(bench_history.FIELDS) and len(lines) == 2


def test_a_log_from_before_the_one_thread_figures_is_kept_and_rewritten(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    one_thread = ("ratio_large_one_thread_paired", "ms_week_large_one_thread")
    header = [field for field in bench_history.FIELDS if field not in one_thread]
    values = [str(float(index + 1)) for index in range(len(header) - 4)]
    old_row = ",".join(["2026-01-01 10:00", "abc1234", "full", "0.3", *values])
    log.write_text(",".join(header) + "\n" + old_row + "\n")
    (old,) = bench_history.read(log)
    assert old["ratio_large_paired"] != "" and old["ratio_large_one_thread_paired"] == ""
    bench_history.record(log, "abc1234", "full", 0.1, figures(1.0))
    lines = log.read_text().splitlines()
    assert lines[0] == ",".join(bench_history.FIELDS)
    assert lines[1] == old_row + ",,"


def test_a_header_with_its_figures_out_of_order_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "history.csv"
    fields = list(bench_history.FIELDS)
    fields[-1], fields[-2] = fields[-2], fields[-1]
    log.write_text(",".join(fields) + "\n")
    with pytest.raises(ValueError, match="header: must be"):
        bench_history.check(log)
