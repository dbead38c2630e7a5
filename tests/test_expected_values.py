"""The PSA's expected values, the EVPI's bootstrap interval and the report's horizon text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hikisim.economics import evpi
from hikisim.expected_values import evpi_interval, expected_values
from hikisim.report import delivery_text, horizon_limit
from hikisim.scenario import Scenario

WTP = 2.0


def draws_table(costs: list[list[float]], qalys: list[list[float]]) -> pd.DataFrame:
    """Rows per draw and scenario ("a" then "b"), NMB at WTP."""
    rows = [
        {"draw": draw, "scenario": name, "cost": cost, "qalys": qaly, "nmb": WTP * qaly - cost}
        for draw, (cost_row, qaly_row) in enumerate(zip(costs, qalys, strict=True))
        for name, cost, qaly in zip("ab", cost_row, qaly_row, strict=True)
    ]
    return pd.DataFrame(rows)


def test_expected_values_are_means_and_paired_percentiles() -> None:
    # NMB (2 x QALYs - cost): a = 0, 2, 4; b = 3, 3, 9; b - a = 3, 1, 5.
    table = draws_table([[0, 1], [0, 1], [0, 1]], [[0, 2], [1, 2], [2, 5]])
    means = expected_values(table, ["a", "b"])
    assert list(means.index) == ["a", "b"]
    assert means.loc["b", "cost"] == 1.0
    assert means.loc["b", "qalys"] == 3.0
    assert means.loc["b", "nmb"] == 5.0
    assert means.loc["b", "inmb"] == 3.0
    assert means.loc["a", ["inmb", "inmb_low", "inmb_high"]].tolist() == [0.0, 0.0, 0.0]
    # Linear interpolation between the sorted differences 1, 3, 5.
    assert means.loc["b", "inmb_low"] == pytest.approx(1.0 + 0.05 * 2)
    assert means.loc["b", "inmb_high"] == pytest.approx(5.0 - 0.05 * 2)


def test_the_comparator_is_the_first_name_not_the_first_row() -> None:
    table = draws_table([[0, 1], [0, 1]], [[0, 2], [1, 2]])
    means = expected_values(table, ["b", "a"])
    assert list(means.index) == ["b", "a"]
    assert means.loc["a", "inmb"] == pytest.approx(-(means.loc["b", "nmb"] - means.loc["a", "nmb"]))


def test_a_strategy_best_in_every_draw_has_no_value_of_information() -> None:
    # b beats a in every draw, so every resample's EVPI is 0.
    table = draws_table([[0, 1], [0, 1], [0, 1]], [[0, 2], [1, 2], [2, 5]])
    assert evpi_interval(table, ["a", "b"], WTP) == (0.0, 0.0)


def test_draws_are_resampled_whole() -> None:
    # Two draws with opposite best buys (NMB a, b: 2, 0 and 0, 2). A resample holding one
    # draw twice has an EVPI of 0 (half the time); one holding both, the EVPI of the two,
    # 1. Resampling the strategies' columns apart would mix the draws and give others.
    table = draws_table([[0, 0], [0, 0]], [[1, 0], [0, 1]])
    point = evpi(np.zeros((2, 2)), np.array([[1.0, 0.0], [0.0, 1.0]]), WTP)
    assert point == 1.0
    assert evpi_interval(table, ["a", "b"], WTP) == (0.0, point)


def test_the_interval_holds_the_evpi_of_draws_where_the_best_buy_changes() -> None:
    rng = np.random.default_rng(3)
    qalys = rng.normal(10.0, 1.0, size=(200, 2)).tolist()
    table = draws_table([[0.0, 0.0]] * 200, qalys)
    low, high = evpi_interval(table, ["a", "b"], WTP)
    point = evpi(np.zeros((200, 2)), np.array(qalys), WTP)
    assert 0.0 < low < point < high
    # Reproducible: the report must come out the same each time.
    assert evpi_interval(table, ["a", "b"], WTP) == (low, high)


def delivering(*years: float) -> list[Scenario]:
    return [
        Scenario().with_overrides({"name": f"s{i}", "run.delivery_years": value})
        for i, value in enumerate(years)
    ]


def test_effects_past_the_horizon_are_a_limitation_with_the_cure() -> None:
    table = pd.DataFrame({"effects_gone_years": [np.nan, 53.2, 12.0]})
    (line,) = horizon_limit(table, delivering(100.0, 100.0), 10.0)
    assert "53.2 years" in line and "`--years 60 --set run.delivery_years=10`." in line
    (line,) = horizon_limit(table, delivering(5.0, 5.0), 20.0)
    assert "`--years 60 --set run.delivery_years=5`" in line
    # Scenarios that deliver for different years keep them: only the horizon is given.
    (line,) = horizon_limit(table, delivering(5.0, 10.0), 20.0)
    assert "`--years 60`." in line
    assert horizon_limit(table, delivering(100.0), 60.0) == []
    assert horizon_limit(pd.DataFrame({"effects_gone_years": [np.nan]}), [], 10.0) == []


def test_the_cure_never_asks_for_more_than_the_longest_horizon() -> None:
    table = pd.DataFrame({"effects_gone_years": [433.4]})
    (line,) = horizon_limit(table, delivering(100.0), 10.0)
    assert "`--years 100 --set run.delivery_years=10`" in line
    assert "the tail beyond 100 years stays uncounted" in line


def test_the_horizon_says_when_delivery_stops() -> None:
    assert delivery_text(delivering(100.0, 100.0), 10.0) == "which take new participants throughout"
    assert "first 10 years" in delivery_text(delivering(10.0, 10.0), 60.0)
    assert "(s0 5, s1 10)" in delivery_text(delivering(5.0, 10.0), 60.0)
