"""The v2 output contract: survey targets, snapshots, yearly.csv and the survey figure.

One real ``hikisim run`` (a subprocess, from 1960 to the end of 2026) serves every test.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pytest
from processes import BASELINE, hikisim, set_options

from hikisim.simulation import PROVENANCE_COLUMNS
from hikisim.targets import load_targets

SNAPSHOT_DATES = ["2010-02", "2015-12", "2018-12", "2022-11"]
YEARLY_HEADER = [
    "year",
    "broad_prevalence_15_39",
    "narrow_prevalence_15_39",
    "broad_prevalence_40_64",
    "mext_refusal_junior_high",
    "mext_refusal_elementary_5_6",
    "eighty_fifty",
]
BAND_KEYS = {
    "broad_prevalence",
    "narrow_prevalence",
    "male_share",
    "duration_share",
    "onset_age_share",
    "age_share",
    "ever_share",
    "parent_75plus_share",
    "disorder_share",
}


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("v2") / "run"
    result = hikisim(
        "run",
        BASELINE,
        "--out",
        out,
        "--years",
        "1",
        *set_options({"population.youths": 2000}),
        cwd=out.parent,
    )
    assert result.returncode == 0, result.stderr
    assert "yearly.csv, surveys.png" in result.stdout
    return out


@pytest.fixture(scope="module")
def summary(run_folder: Path) -> dict[str, Any]:
    return json.loads((run_folder / "summary.json").read_text())


def test_summary_measures_every_target(summary: dict[str, Any]) -> None:
    assert set(summary["targets"]) == set(load_targets())
    for name, value in summary["targets"].items():
        assert value is None or 0.0 <= value <= 1.0, name
    # Prevalences are measured at dates the run covers, so they have values.
    assert summary["targets"]["cao2016_broad_15_39"] is not None
    assert summary["start"] == "1960-01" and summary["present"] == "2026-01"


def test_snapshots_have_every_date_band_and_bin(summary: dict[str, Any]) -> None:
    snapshots = summary["snapshots"]
    assert sorted(snapshots) == SNAPSHOT_DATES
    for date in SNAPSHOT_DATES:
        assert set(snapshots[date]) == {"15-39", "40-64"}
        for band, entry in snapshots[date].items():
            assert set(entry) == BAND_KEYS
            assert list(entry["duration_share"]) == ["0.5-1", "1-3", "3-5", "5-7", "7+"]
            assert list(entry["onset_age_share"]) == [
                "<15",
                "15-19",
                "20-24",
                "25-29",
                "30-39",
                "40+",
            ]
            lo = int(band[:2])
            assert list(entry["age_share"]) == [f"{a}-{a + 4}" for a in range(lo, lo + 25, 5)]
            assert entry["narrow_prevalence"] <= entry["broad_prevalence"]
            if entry["broad_prevalence"] > 0:
                for key in ("duration_share", "onset_age_share", "age_share"):
                    assert math.fsum(entry[key].values()) == pytest.approx(1.0), (date, band, key)


def test_snapshot_matches_the_target_measured_the_same_way(summary: dict[str, Any]) -> None:
    assert summary["snapshots"]["2015-12"]["15-39"]["broad_prevalence"] == pytest.approx(
        summary["targets"]["cao2016_broad_15_39"]
    )
    assert summary["snapshots"]["2018-12"]["40-64"]["broad_prevalence"] == pytest.approx(
        summary["targets"]["cao2019_broad_40_64"]
    )


def test_yearly_csv_has_one_row_per_year_from_1990(run_folder: Path) -> None:
    with (run_folder / "yearly.csv").open() as handle:
        rows = list(csv.reader(handle))
    # The provenance columns lead (tests/test_output_provenance.py checks them).
    lead = len(PROVENANCE_COLUMNS)
    assert rows[0][:lead] == list(PROVENANCE_COLUMNS)
    rows = [row[lead:] for row in rows]
    assert rows[0] == YEARLY_HEADER
    years = [int(row[0]) for row in rows[1:]]
    assert years == list(range(1990, 2027))
    by_year = {int(row[0]): row for row in rows[1:]}
    assert all(cell != "" for cell in by_year[2015])
    # The school year that starts in April 2026 ends after the run: not measured.
    assert by_year[2026][4] == "" and by_year[2026][1] != ""
    for row in rows[1:]:
        for cell in row[1:]:
            assert cell == "" or 0.0 <= float(cell) <= 1.0


def test_the_survey_figure_is_written(run_folder: Path) -> None:
    figure = run_folder / "surveys.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert figure.stat().st_size > 10_000
