"""Tests for the report's wording: missing values, how QALYs are valued, citations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from compare_fakes import fake_result

from hikisim import report
from hikisim.compare import differences_note, settings_differences, write_comparison
from hikisim.economics import load_economics
from hikisim.scenario import Scenario


def test_a_share_of_an_evpi_of_zero_reads_n_a() -> None:
    # An EVPI of 0 (tiny runs: one strategy best in every draw) has no shares; the
    # report once printed "nan%".
    assert report._share_text(float("nan")) == "n/a"
    assert report._share_text(0.256) == "26%"
    assert report._share_text(0.0) == "0%"


def written_report(tmp_path: Path) -> str:
    """report.md of a comparison of two fake scenarios (no model is run)."""
    results = [
        fake_result(name, replicate, years + replicate, cost)
        for name, years, cost in (("base", 10.0, 0.0), ("plan", 8.0, 50.0))
        for replicate in range(2)
    ]
    scenarios = [Scenario(name="base"), Scenario(name="plan")]
    write_comparison(results, 7, tmp_path / "out", scenarios=scenarios)
    return (tmp_path / "out" / "report.md").read_text()


def test_the_report_says_qalys_lose_the_disorder_decrements_and_cites_them(
    tmp_path: Path,
) -> None:
    # The QALYs subtract what each disorder's decrement exceeds the state's gap
    # (economics/outcomes.py), and the PSA samples the decrements; the report once named
    # only the state utilities.
    text = written_report(tmp_path)
    assert "less what psychiatric disorders take" in text
    assert "the larger of the two (the minimum method)" in text
    assert "weighted by the share of weeks a lifetime disorder is active" in text
    # The ordered utilities say how the PSA draws them.
    assert "`utilities.at_risk` = 0.88 utility; PSA: `utilities.engaged` less a gap of 0.08" in text
    assert "PSA: the midpoint of `utilities.at_risk` and `utilities.engaged`" in text
    for section in ("disorder_decrements", "disorder_active_shares", "care_costs"):
        parameters = load_economics().section(section)
        assert parameters
        for parameter in parameters.values():
            assert f"`{parameter.name}` = {parameter.value:g}" in text
            assert parameter.source in text


def test_fiellers_interval_cites_willan_and_obrien_in_health_economics(tmp_path: Path) -> None:
    text = written_report(tmp_path)
    assert "Willan & O'Brien, Health Econ 1996;5(4):297-305" in text
    assert "Stat Med" not in text


def test_the_report_says_where_the_qaly_differences_come_from(tmp_path: Path) -> None:
    text = written_report(tmp_path)
    assert "Where the QALY differences from base come from" in text
    assert "| scenario | weeks at risk | weeks quasi-withdrawn |" in text
    gains = pd.read_csv(tmp_path / "out" / "qaly_gains.csv")
    assert list(gains["scenario"]) == ["plan"]
    runs = pd.read_csv(tmp_path / "out" / "runs.csv")
    by_scenario = runs.groupby("scenario")["qalys"].mean()
    assert gains["total"].iloc[0] == pytest.approx(by_scenario["plan"] - by_scenario["base"])


def test_a_scenario_that_differs_in_more_than_programmes_is_flagged(tmp_path: Path) -> None:
    results = [
        fake_result(name, replicate, years + replicate, cost)
        for name, years, cost in (("base", 10.0, 0.0), ("plan", 8.0, 50.0))
        for replicate in range(2)
    ]
    plan = Scenario(name="plan").with_overrides(
        {"dynamics.exit_base": 0.05, "interventions.home_visits.enabled": True, "run.seed": 9}
    )
    write_comparison(results, 7, tmp_path / "out", scenarios=[Scenario(name="base"), plan])
    text = (tmp_path / "out" / "report.md").read_text()
    # The programme and the seed are what a comparison may differ in; the exit rate is not.
    assert (
        "**Note.** plan differs from base in more than its programmes (dynamics.exit_base)" in text
    )
    assert settings_differences(Scenario(), plan) == ["dynamics.exit_base"]
    same = Scenario().with_overrides({"interventions.home_visits.enabled": True})
    assert settings_differences(Scenario(), same) == []
    assert differences_note([Scenario(), same]) == []
