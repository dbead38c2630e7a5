"""The benchmark's run log: the headline figures of every run, for their run-to-run spread.

``experiments/benchmark.py`` appends one line per run to a CSV file next to the page it
writes (``docs/performance-history.csv`` for ``make bench``) and renders the runs of the
same code and size as a table with each figure's range. One run on a shared machine says
little about the next: the same code has moved by a quarter between two runs here.
"""

from __future__ import annotations

import csv
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

# The figures each run records, with the column heading and unit of the page's table.
FIGURES: dict[str, str] = {
    "mesa_rate_m": "Mesa (M agent-steps/s)",
    "ratio_large": "ratio, large model",
    "ratio_large_best": "least disturbed",
    "ms_week_large": "ms/week, large",
    "ratio_small": "ratio, small model",
    "ratio_small_best": "least disturbed",
    "ms_week_small": "ms/week, small",
    "default_run_s": "default run (s)",
    "million_run_s": "million-person run (s)",
}
FIELDS: tuple[str, ...] = ("date", "commit", "config", "load_1min", *FIGURES)


def commit_of(root: Path) -> str:
    """The checked-out commit, with ``-dirty`` if tracked files other than the outputs differ.

    Args:
        root: The repository.

    Returns:
        The short commit hash, or ``unknown`` outside a git checkout.
    """
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
             ":!docs/performance.md", ":!docs/performance-history.csv"],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if changed else "")


def record(
    path: Path, commit: str, config: str, load_1min: float, figures: dict[str, float]
) -> dict[str, str]:
    """Append one run to the log (creating it with its header) and return the line.

    Args:
        path: The CSV file.
        commit: From :func:`commit_of`.
        config: ``full`` or ``quick``: runs of different sizes never share a range.
        load_1min: The one-minute load average at the start.
        figures: One value for each key of :data:`FIGURES`.

    Returns:
        The line written, as strings by field.
    """
    missing = sorted(set(FIGURES) - set(figures))
    if missing:
        raise ValueError(f"bench history: figures missing: {', '.join(missing)}")
    line = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "commit": commit,
        "config": config,
        "load_1min": f"{load_1min:.1f}",
        **{key: f"{figures[key]:.4g}" for key in FIGURES},
    }
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(line)
    return line


def read(path: Path) -> list[dict[str, str]]:
    """Every run in the log, oldest first (none if there is no log yet)."""
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def spread_section(runs: Sequence[dict[str, str]], commit: str, config: str, log: str) -> str:
    """The page's section on the run-to-run spread of the runs of ``commit`` and ``config``.

    Args:
        runs: Every logged run, oldest first.
        commit: The commit measured on the page.
        config: Its benchmark size (``full`` or ``quick``).
        log: The log's path as the page names it.

    Returns:
        Markdown: a table of those runs and, from two runs on, each figure's range.
    """
    same = [run for run in runs if run["commit"] == commit and run["config"] == config]
    header = "| date (UTC) | load | " + " | ".join(FIGURES.values()) + " |"
    lines = [header, "|---|---:|" + "---:|" * len(FIGURES)]
    for run in same:
        lines.append(
            f"| {run['date']} | {run['load_1min']} | "
            + " | ".join(run[key] for key in FIGURES)
            + " |"
        )
    if len(same) >= 2:
        spans = []
        for key, label in FIGURES.items():
            values = [float(run[key]) for run in same]
            spans.append(f"{label} {min(values):.3g}-{max(values):.3g}")
        summary = f"Range over these {len(same)} runs: " + "; ".join(spans) + "."
    else:
        summary = (
            "Only this run of this code is logged so far; rerun the script to see how far the "
            "figures move from run to run."
        )
    earlier = len(runs) - len(same)
    return (
        f"Every run of the script appends its headline figures to `{log}`. The runs of the "
        f"code measured above (commit {commit}, {config} size), this one included:\n\n"
        + "\n".join(lines)
        + f"\n\n{summary} The log holds {earlier} run(s) of other commits or sizes, kept for "
        "comparison over time; ratios are only comparable within a run.\n"
    )
