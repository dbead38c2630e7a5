"""Fieller's interval for the cost per person-year averted (compare.cost_per_person_year).

The expected bounds are computed here from the published formula (Willan & O'Brien 1996)
with plain sums and scipy's t quantile, not with the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from compare_fakes import fake_result
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from hikisim.compare import (
    comparison_markdown,
    comparison_table,
    cost_per_person_year,
)

# Extra cost and person-years averted of five paired replicates; the averted years are
# clearly above 0, so the interval is bounded.
COST = [120.0, 150.0, 90.0, 200.0, 160.0]
AVERTED = [2.0, 2.5, 1.8, 3.1, 2.6]


def fieller_by_hand(cost: list[float], averted: list[float]) -> tuple[float, float]:
    """The roots of Fieller's quadratic, from sums written out term by term."""
    n = len(cost)
    c_bar, e_bar = sum(cost) / n, sum(averted) / n
    s_cc = sum((c - c_bar) ** 2 for c in cost) / (n - 1)
    s_ee = sum((e - e_bar) ** 2 for e in averted) / (n - 1)
    s_ce = sum((c - c_bar) * (e - e_bar) for c, e in zip(cost, averted, strict=True)) / (n - 1)
    t2 = stats.t.ppf(0.975, n - 1) ** 2
    a = e_bar**2 - t2 * s_ee / n
    b = -2 * (e_bar * c_bar - t2 * s_ce / n)
    c = c_bar**2 - t2 * s_cc / n
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


def paired_t(cost: list[float], averted: list[float], ratio: float) -> float:
    """The paired t statistic of C - R E, which is +-t at Fieller's bounds."""
    diffs = np.array(cost) - ratio * np.array(averted)
    return float(diffs.mean() / (diffs.std(ddof=1) / np.sqrt(len(diffs))))


def test_fieller_matches_the_formula_by_hand() -> None:
    ratio, low, high = cost_per_person_year(np.array(COST), np.array(AVERTED))
    expected_low, expected_high = fieller_by_hand(COST, AVERTED)
    assert ratio == pytest.approx(sum(COST) / sum(AVERTED))
    assert low == pytest.approx(expected_low, rel=1e-12)
    assert high == pytest.approx(expected_high, rel=1e-12)
    # The bounds are where a paired t-test of C - R E just rejects at 5%.
    t = stats.t.ppf(0.975, len(COST) - 1)
    assert paired_t(COST, AVERTED, low) == pytest.approx(t, rel=1e-9)
    assert paired_t(COST, AVERTED, high) == pytest.approx(-t, rel=1e-9)


def test_the_level_sets_the_t_quantile() -> None:
    _, low95, high95 = cost_per_person_year(np.array(COST), np.array(AVERTED))
    _, low80, high80 = cost_per_person_year(np.array(COST), np.array(AVERTED), level=0.8)
    assert low95 < low80 < high80 < high95


def test_averted_years_not_above_zero_leave_the_interval_unbounded() -> None:
    # Mean averted 1/3 > 0, but its t-interval reaches below 0: (E^2 - t^2 s_E^2 / n) < 0.
    cost, averted = np.array([10.0, 20.0, 15.0]), np.array([1.0, -0.5, 0.5])
    ratio, low, high = cost_per_person_year(cost, averted)
    assert ratio == pytest.approx(45.0 / 1.0)
    assert np.isnan(low) and np.isnan(high)


def test_two_proportional_replicates_are_not_enough() -> None:
    # The demo's case: with 2 replicates t = 12.7, and the old bootstrap gave the range of
    # the two replicate ratios (here 100 to 100) as if it were a 95% interval.
    ratio, low, high = cost_per_person_year(np.array([100.0, 300.0]), np.array([1.0, 3.0]))
    assert ratio == pytest.approx(100.0)
    assert np.isnan(low) and np.isnan(high)


def test_identical_replicates_give_a_point_interval() -> None:
    ratio, low, high = cost_per_person_year(np.array([50.0, 50.0]), np.array([2.0, 2.0]))
    assert ratio == low == high == pytest.approx(25.0)


def test_one_replicate_has_a_ratio_but_no_interval() -> None:
    ratio, low, high = cost_per_person_year(np.array([30.0]), np.array([3.0]))
    assert ratio == pytest.approx(10.0)
    assert np.isnan(low) and np.isnan(high)


@pytest.mark.parametrize("averted", [[0.0], [0.0, 0.0], [1.0, -2.0], [-1.0, -1.0]])
def test_nothing_averted_on_average_has_no_ratio(averted: list[float]) -> None:
    cost = np.full(len(averted), 5.0)
    assert all(np.isnan(value) for value in cost_per_person_year(cost, np.array(averted)))


# Yen and person-years to the hundredth, as the model reports them.
costs = st.floats(min_value=-1e10, max_value=1e10, allow_nan=False, allow_subnormal=False)
years = st.integers(min_value=-1_000, max_value=100_000).map(lambda hundredths: hundredths / 100)


@given(st.lists(st.tuples(costs, years), min_size=2, max_size=50))
def test_a_bounded_interval_contains_the_ratio(pairs: list[tuple[float, float]]) -> None:
    cost, averted = (np.array(values) for values in zip(*pairs, strict=True))
    ratio, low, high = cost_per_person_year(cost, averted)
    if np.isnan(low):
        return
    tolerance = 1e-9 * max(1.0, abs(ratio))
    assert low - tolerance <= ratio <= high + tolerance


def test_the_table_shows_an_unbounded_interval_as_n_a() -> None:
    results = [
        fake_result("base", 0, 10.0, 0.0),
        fake_result("base", 1, 20.0, 0.0),
        fake_result("plan", 0, 9.0, 50.0e6),
        fake_result("plan", 1, 16.0, 60.0e6),
    ]
    table = comparison_table(results).set_index("scenario")
    assert table.loc["plan", "cost_per_person_year_averted"] == pytest.approx(110.0e6 / 5.0)
    assert np.isnan(table.loc["plan", "cost_per_person_year_averted_low"])
    assert "| 22.00 (n/a) |" in comparison_markdown(table.reset_index())
