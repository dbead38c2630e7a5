"""The benchmark's run log: the headline figures of every run, for their run-to-run spread.

``experiments/benchmark.py`` appends one line per run to a CSV file next to the page it
writes (``docs/performance-history.csv`` for ``make bench``) and renders the runs of the
same code and size as a table with each figure's range. One run on a shared machine says
little about the next: three runs of the same code here differed by half in the time of
a week at 100,000 people (2.82 to 4.40 ms, ``docs/performance-history.csv``).
"""

from __future__ import annotations

import csv
import hashlib
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
    "ratio_large_paired": "paired ratio, large model",
    "ratio_small_paired": "paired ratio, small model",
    "ratio_large_one_thread_paired": "paired ratio, large model, one thread",
    "ms_week_large_one_thread": "ms/week, large, one thread",
}
FIELDS: tuple[str, ...] = ("date", "commit", "config", "load_1min", *FIGURES)
# Figures the log gained later: runs logged before them have no value ("") for them.
ADDED_LATER: tuple[str, ...] = (
    "ratio_large_paired",
    "ratio_small_paired",
    "ratio_large_one_thread_paired",
    "ms_week_large_one_thread",
)
# The header of a log written before any of those figures existed. It, and any header
# that lacks only some of them, is read as it is and rewritten under FIELDS when the
# next run is appended (its runs are kept, with "").
EARLIER_FIELDS: tuple[str, ...] = tuple(field for field in FIELDS if field not in ADDED_LATER)
# Paths whose changes do not make a run's code differ from its commit.
_NOT_CODE = (":!docs", ":!*.md")


def commit_of(root: Path) -> str:
    """The checked-out commit, with a fingerprint of any uncommitted change to the code.

    Documentation (``docs/``, Markdown) does not count: a run's own page, its log and
    the README's figures are written after the run.

    Args:
        root: The repository.

    Returns:
        The short commit hash, ``<hash>-dirty-<7 hex digits of the diff>`` if tracked
        code differs from it (two runs share a range only with the same changes), or
        ``unknown`` outside a git checkout.
    """
    try:
        head = _git(root, "rev-parse", "--short", "HEAD").strip()
        diff = _git(root, "diff", "HEAD", "--", ".", *_NOT_CODE)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    if not diff:
        return head
    return f"{head}-dirty-{hashlib.sha1(diff.encode()).hexdigest()[:7]}"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def _is_new(path: Path) -> bool:
    """Whether there is no log yet: no file, or one with nothing in it."""
    return not path.exists() or not path.read_text().strip()


def check(path: Path) -> None:
    """Refuse a log this script cannot extend, before a run spends its minutes.

    Args:
        path: The CSV file (it need not exist; an empty file is taken as new).

    Raises:
        ValueError: One line naming the file, the line or field, and what is allowed.
    """
    if _is_new(path):
        return
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = tuple(next(reader))
        if not _readable(header):
            raise ValueError(f"{path}: header: must be {','.join(FIELDS)} (move the old log aside)")
        for number, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise ValueError(f"{path}: line {number}: must have {len(header)} fields")
            for field, value in zip(header, row, strict=True):
                if field in ADDED_LATER and not value:
                    continue  # a run logged before this figure existed
                if field in FIGURES or field == "load_1min":
                    try:
                        float(value)
                    except ValueError:
                        raise ValueError(
                            f"{path}: line {number}, {field}: must be a number, not {value!r}"
                        ) from None


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
    earlier = read(path)  # checks the log
    path.parent.mkdir(parents=True, exist_ok=True)
    if not _is_new(path) and _header(path) != FIELDS:
        # A log from before some figures: rewrite it whole under the current
        # header (its runs keep "" for them), through a temporary file so that a failed
        # write leaves the old log as it was.
        temporary = path.with_name(path.name + ".tmp")
        try:
            with temporary.open("w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=FIELDS)
                writer.writeheader()
                writer.writerows([*earlier, line])
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)  # only left if the write failed
        return line
    with path.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        if _is_new(path):
            writer.writeheader()
        writer.writerow(line)
    return line


def _readable(header: tuple[str, ...]) -> bool:
    """Whether a log's header is FIELDS, or FIELDS without some figures added later."""
    in_order = header == tuple(field for field in FIELDS if field in header)
    return in_order and set(FIELDS) - set(header) <= set(ADDED_LATER)


def _header(path: Path) -> tuple[str, ...]:
    with path.open(newline="") as handle:
        return tuple(next(csv.reader(handle)))


def read(path: Path) -> list[dict[str, str]]:
    """Every run in the log, oldest first (none if there is no log yet).

    Runs logged before a figure of :data:`ADDED_LATER` existed read ``""`` for it.

    Raises:
        ValueError: If the log is malformed (see :func:`check`).
    """
    check(path)
    if _is_new(path):
        return []
    with path.open(newline="") as handle:
        return [{field: run.get(field, "") for field in FIELDS} for run in csv.DictReader(handle)]


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
            + " | ".join(run[key] or "–" for key in FIGURES)
            + " |"
        )
    if len(same) >= 2:
        spans = []
        for key, label in FIGURES.items():
            # The logged strings themselves, so that a range quotes each run's table;
            # runs from before a figure existed have none to give.
            values = sorted((run[key] for run in same if run[key]), key=float)
            if values:
                spans.append(f"{label} {values[0]}-{values[-1]}")
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
