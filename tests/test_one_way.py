"""One-way sensitivity of the economic parameters: the same runs revalued, known answers."""

from __future__ import annotations

import pytest
from scipy import stats
from test_appraisal import PARAMS, UTILITY, WEEKS, constant_weekly

from hikisim.economics.outcomes import AppraisalSettings
from hikisim.intervals import TAILS
from hikisim.one_way import economic_one_way, one_way_markdown, values_at

# B keeps one more person engaged instead of at risk, for 10 yen a week: undiscounted,
# its incremental NMB is wtp x the at-risk gap x 2 years - 10 x 104 weeks, so the
# decision turns at a gap of 520 / wtp: here the mean gap, 0.08.
WTP = 520 / 0.08
RUNS = [
    (name, replicate, constant_weekly(engaged=engaged, at_risk=at_risk, cost=cost))
    for name, engaged, at_risk, cost in (("A", 49, 1, 0), ("B", 50, 0, 10))
    for replicate in range(2)
]
SETTINGS = AppraisalSettings(discount_rate=0.0, wtp=WTP)


def test_a_state_moves_with_its_gap_and_the_states_below_keep_theirs() -> None:
    at_risk = PARAMS.section("utilities")["at_risk"]
    quasi = PARAMS.section("utilities")["withdrawn_quasi"]
    for probability in TAILS:
        values = values_at(PARAMS, "utilities.at_risk", probability)
        gap = float(at_risk.quantile(probability))
        assert values["utilities.engaged"] == UTILITY["engaged"]
        assert values["utilities.at_risk"] == pytest.approx(UTILITY["engaged"] - gap)
        assert values["utilities.withdrawn_quasi"] == pytest.approx(
            values["utilities.at_risk"] - quasi.gap
        )
    # A parameter drawn as a value sits at its own quantile.
    engaged = PARAMS.section("utilities")["engaged"]
    values = values_at(PARAMS, "utilities.engaged", 0.975)
    assert values["utilities.engaged"] == pytest.approx(float(engaged.quantile(0.975)))


def test_the_at_risk_gap_moves_the_incremental_nmb_by_its_closed_form() -> None:
    table, strategy = economic_one_way(RUNS, SETTINGS, PARAMS, "A")
    assert strategy == "B"
    row = table.set_index("parameter").loc["utilities.at_risk"]
    gap = PARAMS.section("utilities")["at_risk"]
    low_gap, high_gap = (float(gap.quantile(p)) for p in TAILS)
    assert row["inmb_low"] == pytest.approx(WTP * low_gap * 2 - 10 * WEEKS)
    assert row["inmb_high"] == pytest.approx(WTP * high_gap * 2 - 10 * WEEKS)
    assert row["low_value"] == pytest.approx(UTILITY["engaged"] - low_gap)
    # The decision turns on it: the widest row, and the best buy differs at its ends.
    assert table["parameter"].iloc[0] == "utilities.at_risk"
    assert (row["best_low"], row["best_high"]) == ("A", "B")


def test_parameters_the_runs_do_not_read_change_nothing() -> None:
    table, _ = economic_one_way(RUNS, SETTINGS, PARAMS, "A")
    rows = table.set_index("parameter")
    # Nobody has a disorder, is withdrawn or is in care in these runs.
    for name in ("disorder_decrements.depression", "utilities.withdrawn_narrow"):
        assert rows.loc[name, "range"] == pytest.approx(0.0, abs=1e-6)
    assert "care_costs.clinical_care_week" in rows.index
    # Productivity values only the societal perspective reads.
    assert not any(name.startswith("productivity.") for name in rows.index)


def test_the_markdown_names_a_turning_decision() -> None:
    table, strategy = economic_one_way(RUNS, SETTINGS, PARAMS, "A")
    text = one_way_markdown(table, strategy, "A")
    assert "iNMB of B vs A" in text
    assert "| `utilities.at_risk` |" in text and "| A / B |" in text


def test_one_scenario_has_no_one_way_table() -> None:
    table, strategy = economic_one_way(RUNS[:2], SETTINGS, PARAMS, "A")
    assert table.empty and strategy == ""
    assert one_way_markdown(table, strategy, "A") == ""


PRICE = "interventions.psychotherapy.cost_per_participant_week"


def test_a_programme_price_scales_its_own_part_of_the_cost() -> None:
    # B's 10 yen a week are all psychotherapy at that price: at a multiple f of the
    # price, B costs 10 f a week, and its iNMB falls by 10 (f - 1) x 104 weeks.
    runs = [
        (name, replicate, weekly | ({PRICE: weekly["cost"]} if name == "B" else {}))
        for name, replicate, weekly in RUNS
    ]
    table, _ = economic_one_way(runs, SETTINGS, PARAMS, "A")
    row = table.set_index("parameter").loc[PRICE]
    assert row["scale"] == "multiple of each scenario's price"
    base = WTP * 0.08 * 2 - 10 * WEEKS
    price = PARAMS.section("programme_costs")["psychotherapy"]
    cv = price.se / price.value
    low, high = (float(stats.gamma.ppf(p, 1 / cv**2, scale=cv**2)) for p in TAILS)
    assert (row["low_value"], row["high_value"]) == pytest.approx((low, high))
    assert row["inmb_low"] == pytest.approx(base - 10 * (low - 1) * WEEKS)
    assert row["inmb_high"] == pytest.approx(base - 10 * (high - 1) * WEEKS)
    assert f"| `{PRICE}` | x{low:.2f} to x{high:.2f} |" in one_way_markdown(table, "B", "A")


def test_prices_no_run_pays_are_not_moved() -> None:
    table, _ = economic_one_way(RUNS, SETTINGS, PARAMS, "A")
    assert not table["parameter"].str.startswith("interventions.").any()
