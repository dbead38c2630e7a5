"""hikisim compare: paired statistics, common random numbers, and the command end to end."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from compare_fakes import fake_result

from hikisim.compare import (
    comparison_table,
    cost_per_person_year,
    mean_interval,
    plot_cost_effectiveness,
    replicate_seeds,
)
from hikisim.source_hash import model_source_hash

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
HIKISIM = str(Path(sys.executable).parent / "hikisim")
TINY = ["--set", "population.youths=300", "--set", "run.burn_in_years=2", "--set", "run.years=1"]
# Big and long enough that outreach finds withdrawn youths in every replicate: with 300
# youths and 2 years of burn-in, whether anyone is withdrawn at all is a matter of luck.
SMALL = ["--set", "population.youths=3000", "--set", "run.burn_in_years=6", "--set", "run.years=1"]


def test_mean_interval_matches_the_t_interval_by_hand() -> None:
    mean, low, high = mean_interval(np.array([1.0, 2.0, 3.0]))
    # sd = 1, n = 3, t(0.975, 2) = 4.302653
    assert mean == pytest.approx(2.0)
    assert high - mean == pytest.approx(4.302653 / np.sqrt(3), rel=1e-6)
    assert mean - low == pytest.approx(high - mean)
    single = mean_interval(np.array([5.0]))
    assert single[0] == 5.0
    assert np.isnan(single[1])


def test_the_mean_of_nothing_is_nan_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert all(np.isnan(value) for value in mean_interval(np.array([])))


def test_a_floor_cuts_only_the_bounds_below_it() -> None:
    # Two replicates: t(0.975, 1) = 12.706, sd = 7.07, so the interval of the mean 15 is
    # 15 -/+ 63.5, which a count cannot reach below 0.
    mean, low, high = mean_interval(np.array([10.0, 20.0]))
    assert low == pytest.approx(15.0 - 12.706205 * np.sqrt(50.0) / np.sqrt(2.0), rel=1e-6)
    assert low < 0
    assert mean_interval(np.array([10.0, 20.0]), floor=0.0) == (mean, 0.0, high)
    # Bounds above the floor stay where they are.
    assert mean_interval(np.array([4.0, 5.0, 6.0]), floor=0.0) == mean_interval(
        np.array([4.0, 5.0, 6.0])
    )


def test_cost_per_person_year_is_the_ratio_of_mean_differences() -> None:
    ratio, low, high = cost_per_person_year(np.array([100.0, 300.0]), np.array([1.0, 3.0]))
    assert ratio == pytest.approx(100.0)
    # Fieller's interval: with two replicates (t = 12.7) the person-years averted are not
    # significantly above 0, so the ratio's interval is unbounded.
    assert np.isnan(low) and np.isnan(high)
    nothing = cost_per_person_year(np.array([5.0]), np.array([0.0]))
    assert np.isnan(nothing[0])


def test_differences_are_paired_by_replicate() -> None:
    results = [
        fake_result("base", 0, 10.0, 0.0),
        fake_result("base", 1, 20.0, 0.0),
        fake_result("plan", 0, 8.0, 50.0),
        fake_result("plan", 1, 18.0, 50.0),
    ]
    table = comparison_table(results).set_index("scenario")
    # Paired: each replicate averts exactly 2, so the interval has zero width.
    assert table.loc["plan", "person_years_averted"] == pytest.approx(2.0)
    assert table.loc["plan", "person_years_averted_low"] == pytest.approx(2.0)
    assert table.loc["plan", "cost_per_person_year_averted"] == pytest.approx(25.0)
    assert table.loc["base", "person_years_averted"] == 0.0


def test_replicates_share_seeds_across_scenarios() -> None:
    assert replicate_seeds(10, 3) == [10, 11, 12]


@pytest.mark.slow
def test_compare_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = subprocess.run(
        [
            HIKISIM,
            "compare",
            str(SCENARIOS / "baseline.toml"),
            str(SCENARIOS / "home_visits.toml"),
            "--replicates",
            "2",
            "--seed",
            "5",
            "--workers",
            "2",
            "--out",
            str(out),
            *SMALL,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in (
        "comparison.csv",
        "comparison.md",
        "prevalence.png",
        "cost_effectiveness.png",
        "runs.csv",
    ):
        assert (out / name).stat().st_size > 0, name
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["scenario"]) == ["baseline", "home_visits"]
    assert table.loc[0, "person_years_averted"] == 0
    assert table.loc[1, "cost"] > 0
    # The baseline runs no programme; home visits report when their effect is gone.
    assert np.isnan(table.loc[0, "effects_gone_years"])
    assert table.loc[1, "effects_gone_years"] >= 0
    # ... and each programme has a column of its own.
    assert table.loc[1, "home_visits_effect_gone_years"] == table.loc[1, "effects_gone_years"]
    assert np.isnan(table.loc[0, "home_visits_effect_gone_years"])
    runs = pd.read_csv(out / "runs.csv")
    seeds = runs.pivot(index="replicate", columns="scenario", values="seed")
    assert (seeds["baseline"] == seeds["home_visits"]).all()
    assert list(seeds["baseline"]) == [5, 6]
    provenance = json.loads((out / "comparison.json").read_text())
    assert provenance["seeds"] == [5, 6]
    # The code and each scenario's settings (after the overrides), as the runs record them.
    assert provenance["model_source"] == model_source_hash()
    assert set(provenance["settings_hashes"]) == {"baseline", "home_visits"}
    assert len(set(provenance["settings_hashes"].values())) == 2
    # ... and readable: what --set changed, the horizon, and no PSA.
    small = {"population.youths": 3000, "run.burn_in_years": 6, "run.years": 1}
    assert provenance["overrides"] == {"baseline": small, "home_visits": small}
    assert provenance["years"] == {"baseline": 1, "home_visits": 1}
    assert provenance["psa"] is None
    assert "| home_visits |" in result.stdout


def test_compare_refuses_bad_input_without_output(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    bad = subprocess.run(
        [
            HIKISIM,
            "compare",
            str(SCENARIOS / "baseline.toml"),
            str(tmp_path / "missing.toml"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "missing.toml" in bad.stderr
    assert "Traceback" not in bad.stderr
    twice = subprocess.run(
        [
            HIKISIM,
            "compare",
            str(SCENARIOS / "baseline.toml"),
            str(SCENARIOS / "baseline.toml"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert twice.returncode == 2
    assert "repeated: baseline" in twice.stderr
    zero = subprocess.run(
        [
            HIKISIM,
            "compare",
            str(SCENARIOS / "baseline.toml"),
            "--replicates",
            "0",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert zero.returncode == 2
    assert not out.exists()


def test_a_lone_reference_plots_its_plane_without_a_warning(tmp_path: Path) -> None:
    runs = pd.DataFrame(
        {
            "scenario": ["baseline"] * 2,
            "replicate": [0, 1],
            "person_years": [3.0, 4.0],
            "cost": [1.0, 2.0],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_cost_effectiveness(runs, tmp_path / "plane.png")
    assert (tmp_path / "plane.png").stat().st_size > 0
