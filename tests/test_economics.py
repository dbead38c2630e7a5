"""Tests of hikisim.economics: known answers from published examples and hand algebra."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from hikisim.economics import (
    annuity_factor,
    beta_from_mean_se,
    ceac,
    ceaf,
    discount_factors,
    discounted_sum,
    evpi,
    evpi_curve,
    evppi,
    gamma_from_mean_se,
    incremental_analysis,
    load_economics,
    lognormal_from_mean_se,
    net_monetary_benefit,
    person_weeks_by_state,
    qalys,
    variance_partition,
    weekly_qalys,
)
from hikisim.economics.parameters import Parameter, default_path
from hikisim.states import Disorder, State

# --- incremental analysis: oracles -------------------------------------------------------


def _status(table: pd.DataFrame) -> dict[str, str]:
    return dict(zip(table["strategy"], table["status"], strict=True))


def _frontier(table: pd.DataFrame) -> list[str]:
    on = table["status"].isin(["reference", "efficient"])
    return sorted(table.loc[on, "strategy"])


def test_dampack_herc_example_with_extended_dominance() -> None:
    # Oracle: DARTH-git/dampack, tests/testthat/test_calculate_icers.R ("calculate_icers
    # returns correct object"; example from the VA HERC cost-effectiveness page).
    table = incremental_analysis(
        ["E", "D", "C", "B", "A", "UC"],
        [55000, 35000, 25000, 10000, 12000, 5000],
        [5, 4, 3, 2, 1.5, 1],
    )
    assert list(table["strategy"]) == ["UC", "B", "A", "C", "D", "E"]
    assert _status(table) == {
        "UC": "reference",
        "B": "efficient",
        "A": "dominated",
        "C": "extendedly dominated",
        "D": "efficient",
        "E": "efficient",
    }
    icer = dict(zip(table["strategy"], table["icer"], strict=True))
    assert icer["B"] == pytest.approx(5000)
    assert icer["D"] == pytest.approx(12500)
    assert icer["E"] == pytest.approx(20000)
    assert all(math.isnan(icer[name]) for name in ("UC", "A", "C"))


def test_dampack_default_reference_is_cheapest_and_dominates() -> None:
    # Oracle: DARTH-git/dampack, tests/testthat/test_calculate_icers.R ("default
    # reference strategy"): "Test & treat" is cheapest and ties for the best effect.
    table = incremental_analysis(
        ["No Treat", "Treat all", "Test & treat"],
        [163771.0, 164848.7, 163765.1],
        [6.48273, 6.52861, 6.52861],
    )
    assert table["strategy"].iloc[0] == "Test & treat"
    assert _status(table) == {
        "Test & treat": "reference",
        "No Treat": "dominated",
        "Treat all": "dominated",
    }


def test_dampack_one_strategy() -> None:
    # Oracle: DARTH-git/dampack, tests/testthat/test_calculate_icers.R ("one strategy runs").
    table = incremental_analysis(["s"], [1.0], [2.0])
    assert table.shape == (1, 5)
    assert table["status"].iloc[0] == "reference"
    assert math.isnan(table["icer"].iloc[0])


HEEMOD_FRONTIERS = [
    # Oracle: PolicyAnalysisInc/heemod (stored as pierucci/heemod),
    # tests/testthat/test_efficiency_frontier.R, get_frontier test1-test7.
    (
        [14807, 26041, 49706, 64266, 40022, 57392, 91744, 54651],
        [9.635, 10.2497, 11.1654, 11.5152, 11.582, 11.6248, 11.6296, 11.6588],
        [1, 5, 8],
    ),
    ([26041, 14807, 49706, 64266, 40022], [9.13, 9.635, 11.1654, 11.5152, 11.582], [2, 5]),
    (
        [25000, 35000, 50000, 54651, 64266, 91744],
        [10.2497, 11.1654, 11.3, 11.6588, 11.7, 12.1],
        [1, 2, 4, 6],
    ),
    (
        [26041, 49706, 64266, 57392, 91744, 54651],
        [10.2497, 11.1654, 11.5152, 11.6248, 11.6296, 11.6296],
        [1, 6],
    ),
    (
        [26041, 42000, 54651, 60000, 76000],
        [10.2497, 11.1654, 11.6296, 11.7, 11.8],
        [1, 2, 3, 4, 5],
    ),
    (
        [25000, 35000, 50000, 54651, 58500, 64266, 91744],
        [10.2497, 10.2497, 11.3, 11.6588, 11.6588, 11.7, 12.1],
        [1, 4, 7],
    ),
    # Two identical scenarios (4 and 5) both stay on the frontier.
    (
        [25000, 25000, 50000, 58500, 58500, 64266, 91744],
        [10.2497, 10.25, 11.3, 11.6588, 11.6588, 11.7, 12.1],
        [2, 4, 5, 7],
    ),
]


@pytest.mark.parametrize(("costs", "effects", "expected"), HEEMOD_FRONTIERS)
def test_heemod_frontiers(costs: list[float], effects: list[float], expected: list[int]) -> None:
    names = [f"Scenario {i + 1}" for i in range(len(costs))]
    table = incremental_analysis(names, costs, effects)
    assert _frontier(table) == sorted(f"Scenario {i}" for i in expected)


# --- incremental analysis: ties and validation --------------------------------------------


def test_equal_cost_lower_effect_is_dominated_and_reference_has_best_effect() -> None:
    table = incremental_analysis(["low", "high"], [100.0, 100.0], [1.0, 2.0])
    assert list(table["strategy"]) == ["high", "low"]
    assert _status(table) == {"high": "reference", "low": "dominated"}


def test_equal_effect_higher_cost_is_dominated() -> None:
    table = incremental_analysis(["a", "b", "c"], [0.0, 10.0, 20.0], [1.0, 2.0, 2.0])
    assert _status(table) == {"a": "reference", "b": "efficient", "c": "dominated"}


def test_collinear_strategy_stays_efficient() -> None:
    table = incremental_analysis(["a", "b", "c"], [0.0, 0.1, 0.3], [0.0, 1.0, 3.0])
    assert _status(table) == {"a": "reference", "b": "efficient", "c": "efficient"}
    assert table["icer"].iloc[1:].to_numpy() == pytest.approx([0.1, 0.1])


def test_identical_strategies_share_status_and_icer() -> None:
    table = incremental_analysis(
        ["ref", "x", "y", "ref2"], [0.0, 10.0, 10.0, 0.0], [0.0, 1.0, 1.0, 0.0]
    )
    assert _status(table) == {
        "ref": "reference",
        "ref2": "reference",
        "x": "efficient",
        "y": "efficient",
    }
    assert table.set_index("strategy").loc[["x", "y"], "icer"].tolist() == [10.0, 10.0]


def test_iterative_extended_dominance() -> None:
    # b is extendedly dominated only once c is gone: two passes are needed.
    table = incremental_analysis(
        ["a", "b", "c", "d"], [0.0, 10.0, 30.0, 35.0], [0.0, 1.0, 1.8, 4.0]
    )
    assert _status(table) == {
        "a": "reference",
        "b": "extendedly dominated",
        "c": "extendedly dominated",
        "d": "efficient",
    }
    assert table.set_index("strategy").loc["d", "icer"] == pytest.approx(35.0 / 4.0)


@pytest.mark.parametrize(
    ("names", "costs", "effects", "message"),
    [
        ([], [], [], "at least one"),
        (["a", "b"], [1.0], [1.0, 2.0], "equal lengths"),
        (["a", "a"], [1.0, 2.0], [1.0, 2.0], "unique"),
        (["a", "b"], [1.0, math.nan], [1.0, 2.0], "finite"),
        (["a", "b"], [1.0, 2.0], [math.inf, 2.0], "finite"),
    ],
)
def test_incremental_analysis_rejects_bad_input(
    names: list[str], costs: list[float], effects: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        incremental_analysis(names, costs, effects)


# --- incremental analysis: properties -----------------------------------------------------

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
grid_values = st.integers(min_value=0, max_value=20).map(float)


@st.composite
def strategy_sets(draw: st.DrawFn, value: st.SearchStrategy[float] = values) -> tuple:
    n = draw(st.integers(min_value=1, max_value=8))
    costs = draw(st.lists(value, min_size=n, max_size=n))
    effects = draw(st.lists(value, min_size=n, max_size=n))
    return [f"s{i}" for i in range(n)], costs, effects


@given(strategy_sets(grid_values), st.randoms(use_true_random=False))
def test_permuting_input_does_not_change_result(data: tuple, rnd) -> None:
    names, costs, effects = data
    order = list(range(len(names)))
    rnd.shuffle(order)
    first = incremental_analysis(names, costs, effects)
    second = incremental_analysis(
        [names[i] for i in order], [costs[i] for i in order], [effects[i] for i in order]
    )
    pd.testing.assert_frame_equal(first, second)


@given(strategy_sets())
def test_frontier_icers_increase_and_reference_is_cheapest(data: tuple) -> None:
    names, costs, effects = data
    table = incremental_analysis(names, costs, effects)
    assert table["status"].iloc[0] == "reference"
    assert table["cost"].iloc[0] == min(costs)
    icers = table.loc[table["status"] == "efficient", "icer"].to_numpy()
    assert np.all(icers > 0)
    assert np.all(np.diff(icers) >= -1e-9 * np.abs(icers[1:]))
    assert table["icer"].isna().to_numpy().tolist() == (table["status"] != "efficient").tolist()


@given(strategy_sets(grid_values), st.integers(0, 7), grid_values, grid_values)
def test_adding_a_dominated_strategy_changes_nothing_else(
    data: tuple, which: int, extra_cost: float, effect_loss: float
) -> None:
    names, costs, effects = data
    which %= len(names)
    base = incremental_analysis(names, costs, effects)
    # The newcomer costs more than and is less effective than an existing strategy.
    bigger = incremental_analysis(
        [*names, "newcomer"],
        [*costs, costs[which] + extra_cost + 1.0],
        [*effects, effects[which] - effect_loss - 1.0],
    )
    assert bigger.set_index("strategy").loc["newcomer", "status"] == "dominated"
    rest = bigger[bigger["strategy"] != "newcomer"].reset_index(drop=True)
    pd.testing.assert_frame_equal(rest, base)


# --- net monetary benefit, CEAC, CEAF, EVPI -----------------------------------------------


def _psa(seed: int = 1, draws: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    costs = np.column_stack(
        [rng.normal(100, 10, draws), rng.normal(300, 30, draws), rng.normal(500, 80, draws)]
    )
    effects = np.column_stack(
        [rng.normal(1.0, 0.1, draws), rng.normal(1.5, 0.2, draws), rng.normal(1.6, 0.4, draws)]
    )
    return costs, effects


def test_net_monetary_benefit_and_shape_check() -> None:
    assert net_monetary_benefit([100.0, 50.0], [2.0, 1.0], 1000.0).tolist() == [1900.0, 950.0]
    with pytest.raises(ValueError, match="shape"):
        net_monetary_benefit([1.0], [1.0, 2.0], 1.0)


def test_ceac_rows_sum_to_one_and_limits() -> None:
    costs, effects = _psa()
    names = ["cheap", "middle", "dear"]
    curve = ceac(costs, effects, [0.0, 400.0, 1e9], names)
    assert list(curve.columns) == names
    assert curve.index.name == "wtp"
    assert curve.sum(axis=1).to_numpy() == pytest.approx(1.0)
    cheapest = np.bincount(costs.argmin(axis=1), minlength=3) / costs.shape[0]
    assert curve.loc[0.0].to_numpy() == pytest.approx(cheapest)
    most_effective = np.bincount(effects.argmax(axis=1), minlength=3) / effects.shape[0]
    assert curve.loc[1e9].to_numpy() == pytest.approx(most_effective)


def test_ceac_splits_ties() -> None:
    curve = ceac([[1.0, 1.0], [1.0, 2.0]], [[0.0, 5.0], [0.0, 5.0]], [0.0], ["a", "b"])
    assert curve.loc[0.0].tolist() == [0.75, 0.25]


def test_ceaf_follows_highest_expected_nmb() -> None:
    costs, effects = _psa()
    names = ["cheap", "middle", "dear"]
    grid = [0.0, 400.0, 2000.0]
    frontier = ceaf(costs, effects, grid, names)
    curve = ceac(costs, effects, grid, names)
    assert list(frontier.columns) == ["wtp", "strategy", "probability", "expected_nmb"]
    for row in frontier.itertuples():
        expected = (row.wtp * effects - costs).mean(axis=0)
        assert row.strategy == names[int(np.argmax(expected))]
        assert row.expected_nmb == pytest.approx(expected.max())
        assert row.probability == pytest.approx(curve.loc[row.wtp, row.strategy])
    assert frontier["strategy"].tolist()[0] == "cheap"


def test_evpi_is_zero_without_uncertainty() -> None:
    costs = np.tile([100.0, 200.0, 250.0], (50, 1))
    effects = np.tile([1.0, 1.2, 1.1], (50, 1))
    assert evpi(costs, effects, 1000.0) == 0.0


def test_evpi_matches_normal_closed_form() -> None:
    # Two strategies, incremental net benefit X ~ N(mu, sigma): EVPI = E[max(0, X)] -
    # max(0, mu) = sigma * phi(mu / sigma) + mu * Phi(mu / sigma) - max(0, mu).
    mu, sigma, draws = 20.0, 50.0, 400_000
    rng = np.random.default_rng(3)
    gain = rng.normal(mu, sigma, draws)
    costs = np.column_stack([np.zeros(draws), -gain])
    effects = np.zeros((draws, 2))
    z = mu / sigma
    expected = sigma * stats.norm.pdf(z) + mu * stats.norm.cdf(z) - mu
    assert evpi(costs, effects, 1.0) == pytest.approx(expected, rel=0.02)


def test_evpi_equals_dampack_minimum_expected_loss() -> None:
    # dampack's test_evpi.R computes EVPI as the smallest mean opportunity loss.
    costs, effects = _psa(seed=7, draws=500)
    nmb = 400.0 * effects - costs
    loss = nmb.max(axis=1, keepdims=True) - nmb
    assert evpi(costs, effects, 400.0) == pytest.approx(loss.mean(axis=0).min())


@given(
    st.integers(1, 30),
    st.integers(1, 4),
    st.integers(0, 10_000),
    st.floats(min_value=0.0, max_value=1e5),
)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_evpi_never_negative(draws: int, strategies: int, seed: int, wtp: float) -> None:
    rng = np.random.default_rng(seed)
    costs = rng.normal(0, 100, (draws, strategies))
    effects = rng.normal(0, 1, (draws, strategies))
    assert evpi(costs, effects, wtp) >= 0.0


def test_evpi_curve_indexed_by_wtp() -> None:
    costs, effects = _psa(draws=300)
    curve = evpi_curve(costs, effects, [0.0, 500.0])
    assert curve.index.tolist() == [0.0, 500.0]
    assert curve.loc[500.0] == pytest.approx(evpi(costs, effects, 500.0))


def test_psa_input_validation() -> None:
    with pytest.raises(ValueError, match="2-D"):
        evpi([1.0, 2.0], [1.0, 2.0], 1.0)
    with pytest.raises(ValueError, match="names"):
        ceac(np.ones((3, 2)), np.ones((3, 2)), [0.0], ["a"])
    with pytest.raises(ValueError, match="wtp_grid"):
        ceac(np.ones((3, 2)), np.ones((3, 2)), [], ["a", "b"])


# --- EVPPI -------------------------------------------------------------------------------


def _linear_model(draws: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Two strategies; strategy b's net benefit is linear in three parameters."""
    rng = np.random.default_rng(seed)
    theta = pd.DataFrame(
        {"x": rng.normal(0, 1, draws), "y": rng.normal(0, 1, draws), "z": rng.normal(0, 1, draws)}
    )
    gain = 0.2 + 1.0 * theta["x"] + 0.5 * theta["y"] + 0.0 * theta["z"]
    costs = np.column_stack([np.zeros(draws), -gain.to_numpy()])
    return costs, np.zeros((draws, 2)), theta


def _normal_gain(mu: float, sigma: float) -> float:
    """E[max(0, X)] - max(0, mu) for X ~ N(mu, sigma)."""
    z = mu / sigma
    return sigma * stats.norm.pdf(z) + mu * stats.norm.cdf(z) - max(0.0, mu)


def test_evppi_gam_single_parameters_match_closed_form() -> None:
    costs, effects, theta = _linear_model(4000)
    values = evppi(costs, effects, theta, 1.0, method="gam")
    total = evpi(costs, effects, 1.0)
    # E[gain | x] = 0.2 + x ~ N(0.2, 1); E[gain | y] = 0.2 + 0.5 y ~ N(0.2, 0.5).
    assert values["x"] == pytest.approx(_normal_gain(0.2, 1.0), abs=0.03)
    assert values["y"] == pytest.approx(_normal_gain(0.2, 0.5), abs=0.03)
    assert values["z"] == pytest.approx(0.0, abs=0.02)
    assert (values <= total + 0.02).all()


def test_evppi_of_all_parameters_approximates_evpi_gam() -> None:
    costs, effects, theta = _linear_model(3000)
    values = evppi(costs, effects, theta, 1.0, groups={"all": ["x", "y", "z"]}, method="gam")
    assert values["all"] == pytest.approx(evpi(costs, effects, 1.0), rel=0.05)


def test_evppi_two_parameter_tensor_smooth_captures_interaction() -> None:
    rng = np.random.default_rng(5)
    draws = 3000
    theta = pd.DataFrame({"u": rng.uniform(-1, 1, draws), "v": rng.uniform(-1, 1, draws)})
    gain = (theta["u"] * theta["v"]).to_numpy()
    costs = np.column_stack([np.zeros(draws), -gain])
    values = evppi(costs, np.zeros((draws, 2)), theta, 1.0, groups={"uv": ["u", "v"]})
    assert values["uv"] == pytest.approx(evpi(costs, np.zeros((draws, 2)), 1.0), rel=0.05)


def test_evppi_gp_of_all_parameters_approximates_evpi() -> None:
    costs, effects, theta = _linear_model(600)
    values = evppi(costs, effects, theta, 1.0, groups={"all": ["x", "y", "z"]}, method="gp")
    assert values["all"] == pytest.approx(evpi(costs, effects, 1.0), rel=0.08)


@pytest.mark.parametrize("parameters", [2, 3, 11, 37])
def test_a_smooth_whose_free_directions_span_the_draws_fits_a_constant(parameters: int) -> None:
    # Four draws: the lines the penalty leaves free (4 for a tensor product, 1 + p for
    # the additive model) pass through every draw at any smoothing level, so GCV has
    # nothing to choose. Rounding in its degrees of freedom once let such a fit through,
    # and 37 columns of noise returned the whole EVPI; the constant fit gives 0.
    rng = np.random.default_rng(parameters)
    for _ in range(20):
        costs = np.column_stack([np.zeros(4), rng.normal(0.0, 1.0, 4)])
        noise = pd.DataFrame(rng.uniform(size=(4, parameters)))
        noise.columns = [f"n{i}" for i in range(parameters)]
        groups = {"noise": list(noise.columns)}
        values = evppi(costs, np.zeros((4, 2)), noise, 1.0, groups=groups, method="gam")
        assert values["noise"] == 0.0


def test_evppi_validates_groups() -> None:
    costs, effects, theta = _linear_model(50)
    with pytest.raises(ValueError, match="unknown"):
        evppi(costs, effects, theta, 1.0, groups={"g": ["nope"]})
    with pytest.raises(ValueError, match="rows"):
        evppi(costs, effects, theta.iloc[:10], 1.0)


# --- Monte Carlo noise -------------------------------------------------------------------


def test_variance_partition_recovers_known_components() -> None:
    rng = np.random.default_rng(2)
    draws, replicates = 4000, 5
    parameter_sd, noise_sd = 2.0, 3.0
    values = rng.normal(0, parameter_sd, (draws, 1)) + rng.normal(0, noise_sd, (draws, replicates))
    parts = variance_partition(values)
    assert parts["parameter_variance"] == pytest.approx(parameter_sd**2, rel=0.08)
    assert parts["within_draw_variance"] == pytest.approx(noise_sd**2, rel=0.03)
    assert parts["monte_carlo_variance"] == pytest.approx(parts["within_draw_variance"] / 5)
    assert parts["between_draw_variance"] == pytest.approx(
        parts["parameter_variance"] + parts["monte_carlo_variance"]
    )


def test_variance_partition_pure_noise_clips_at_zero() -> None:
    rng = np.random.default_rng(4)
    parts = variance_partition(rng.normal(0, 1, (2000, 3)))
    assert parts["parameter_variance"] >= 0.0
    assert parts["parameter_variance"] == pytest.approx(0.0, abs=0.03)
    assert parts["monte_carlo_share"] == pytest.approx(1.0, abs=0.1)


def test_variance_partition_shares_stay_in_zero_to_one_when_draws_agree_by_chance() -> None:
    # Two draws whose means coincide although their replicates differ: the between-draw
    # variance (0) is below its Monte Carlo part, so the parameter part clips at 0 and the
    # Monte Carlo share at 1 (NaN only when nothing varies between draws at all).
    parts = variance_partition(np.array([[0.0, 2.0], [1.0, 1.0], [2.0, 0.0]]))
    assert parts["parameter_variance"] == 0.0
    assert np.isnan(parts["monte_carlo_share"])
    parts = variance_partition(np.array([[0.0, 2.0], [1.2, 1.0], [2.0, 0.0]]))
    assert parts["parameter_variance_unclipped"] < 0.0
    assert parts["parameter_variance"] == 0.0
    assert parts["monte_carlo_share"] == 1.0


def test_variance_partition_needs_replicates() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        variance_partition(np.ones((5, 1)))


# --- discounting -------------------------------------------------------------------------


def test_rate_zero_gives_plain_sums() -> None:
    stream = np.arange(104.0)
    assert discounted_sum(stream, 0.0) == pytest.approx(stream.sum())
    assert discount_factors(np.arange(10), 0.0).tolist() == [1.0] * 10


def test_textbook_annuity_identity_yearly_in_arrears() -> None:
    rate, years = 0.03, 10
    closed_form = (1 - (1 + rate) ** -years) / rate
    assert discounted_sum(np.ones(years), rate, periods_per_year=1, timing="end") == (
        pytest.approx(closed_form)
    )
    assert annuity_factor(years, rate, periods_per_year=1, timing="end") == (
        pytest.approx(closed_form)
    )


@pytest.mark.parametrize("timing", ["start", "middle", "end"])
def test_weekly_annuity_closed_form(timing: str) -> None:
    weeks, rate = 520, 0.02
    assert discounted_sum(np.ones(weeks), rate, timing=timing) == pytest.approx(
        annuity_factor(weeks, rate, timing=timing)
    )


def test_weekly_mid_point_tracks_continuous_flow() -> None:
    # An annual amount A paid as A/52 a week approximates the continuous annuity
    # A (1 - v^n) / ln(1 + r); mid-week timing makes the error second order.
    rate, years, amount = 0.02, 10, 52.0
    continuous = amount * (1 - (1 + rate) ** -years) / math.log1p(rate)
    weekly = discounted_sum(np.full(52 * years, amount / 52), rate, timing="middle")
    assert weekly == pytest.approx(continuous, rel=1e-6)


def test_weekly_factors_compound_to_annual() -> None:
    factors = discount_factors([0, 52, 104], 0.02, timing="start")
    assert factors == pytest.approx([1.0, 1 / 1.02, 1 / 1.02**2])


def test_discounted_sum_keeps_trailing_axes() -> None:
    stream = np.ones((52, 3)) * [1.0, 2.0, 3.0]
    totals = discounted_sum(stream, 0.02)
    assert totals.shape == (3,)
    assert totals == pytest.approx(annuity_factor(52, 0.02) * np.array([1.0, 2.0, 3.0]))


def test_discounting_validation() -> None:
    with pytest.raises(ValueError, match="above -1"):
        discount_factors([0], -1.0)
    with pytest.raises(ValueError, match="timing"):
        discount_factors([0], 0.02, timing="late")  # type: ignore[arg-type]


# --- QALYs -------------------------------------------------------------------------------

UTILITIES = {"engaged": 0.9, "at_risk": 0.8, "withdrawn_narrow": 0.6, "recovering": 0.85}


def test_one_year_engaged_undiscounted_is_utility_times_people() -> None:
    counts = {"engaged": np.full(52, 100.0)}
    assert qalys(counts, UTILITIES, annual_rate=0.0) == pytest.approx(90.0)


def test_qalys_discount_like_an_annuity() -> None:
    counts = {"engaged": np.full(520, 52.0)}
    expected = 0.9 * annuity_factor(520, 0.02)
    assert qalys(counts, UTILITIES) == pytest.approx(expected)


def test_disorder_decrements_subtract() -> None:
    counts = {"engaged": np.full(52, 10.0), "withdrawn_narrow": np.full(52, 2.0)}
    disorders = {"depression": np.full(52, 4.0)}
    weekly = weekly_qalys(
        counts, UTILITIES, disorder_person_weeks=disorders, decrements={"depression": 0.2}
    )
    assert weekly == pytest.approx(np.full(52, (10 * 0.9 + 2 * 0.6 - 4 * 0.2) / 52))


def test_qaly_validation() -> None:
    with pytest.raises(ValueError, match="no utility"):
        weekly_qalys({"mystery": [1.0]}, UTILITIES)
    with pytest.raises(ValueError, match="no decrement"):
        weekly_qalys({"engaged": [1.0]}, UTILITIES, disorder_person_weeks={"flu": [1.0]})
    with pytest.raises(ValueError, match="non-negative"):
        weekly_qalys({"engaged": [-1.0]}, UTILITIES)


def test_person_weeks_by_state_counts_codes() -> None:
    states = np.array([[0, 0, 2, 1], [3, 2, 2, 0]], dtype=np.int8)
    counts = person_weeks_by_state(states)
    assert counts["engaged"].tolist() == [2.0, 1.0]
    assert counts["withdrawn_narrow"].tolist() == [1.0, 2.0]
    assert counts["at_risk"].tolist() == [1.0, 0.0]
    assert counts["recovering"].tolist() == [0.0, 1.0]
    assert int(State.WITHDRAWN) == 2


# --- distributions and the data file ----------------------------------------------------


@given(st.floats(0.01, 0.99), st.floats(0.001, 0.2))
def test_beta_method_of_moments_round_trip(mean: float, se_share: float) -> None:
    se = se_share * math.sqrt(mean * (1 - mean))
    a, b = beta_from_mean_se(mean, se)
    assert stats.beta(a, b).mean() == pytest.approx(mean)
    assert stats.beta(a, b).std() == pytest.approx(se)


@given(st.floats(1.0, 1e7), st.floats(0.01, 3.0))
def test_gamma_and_lognormal_method_of_moments(mean: float, cv: float) -> None:
    se = cv * mean
    shape, scale = gamma_from_mean_se(mean, se)
    assert stats.gamma(shape, scale=scale).mean() == pytest.approx(mean)
    assert stats.gamma(shape, scale=scale).std() == pytest.approx(se)
    mu, sigma = lognormal_from_mean_se(mean, se)
    assert stats.lognorm(sigma, scale=math.exp(mu)).mean() == pytest.approx(mean)
    assert stats.lognorm(sigma, scale=math.exp(mu)).std() == pytest.approx(se)


@pytest.mark.parametrize(
    ("function", "mean", "se"),
    [
        (beta_from_mean_se, 1.0, 0.1),
        (beta_from_mean_se, 0.5, 0.6),
        (beta_from_mean_se, 0.5, 0.0),
        (gamma_from_mean_se, -1.0, 1.0),
        (lognormal_from_mean_se, 1.0, 0.0),
    ],
)
def test_impossible_moments_raise(function, mean: float, se: float) -> None:
    with pytest.raises(ValueError):
        function(mean, se)


def test_parameter_needs_a_source() -> None:
    with pytest.raises(ValueError, match="source"):
        Parameter("x.y", 0.5, "beta", 0.1, "utility", " ")


def test_economics_file_loads_and_is_complete() -> None:
    from hikisim.programmes import REGISTRY

    params = load_economics()
    assert params.currency == "JPY"
    assert params.values("discounting")["rate"] == 0.02
    assert set(REGISTRY) <= set(params.section("programme_costs"))
    disorders = {d.name.lower() for d in Disorder if d is not Disorder.NONE}
    assert disorders == set(params.section("disorder_decrements"))
    assert disorders == set(params.section("disorder_active_shares"))
    for parameter in params.section("disorder_active_shares").values():
        assert 0.0 < parameter.value <= 1.0
        assert parameter.distribution in {"beta", "fixed"}
    utilities = params.values("utilities")
    assert set(utilities) == {
        "engaged",
        "at_risk",
        "withdrawn_quasi",
        "withdrawn_narrow",
        "recovering",
    }
    assert utilities["withdrawn_narrow"] < utilities["at_risk"] < utilities["engaged"]
    for parameter in params.all():
        assert parameter.source.strip()
        if parameter.name.startswith("disorder_decrements.") or parameter.name == (
            "utilities.engaged"
        ):
            assert parameter.distribution == "beta"
        elif parameter.name.startswith("utilities."):
            # Drawn as a gap below a better state, or derived from two states.
            assert parameter.below or parameter.between
        if parameter.name.startswith(("programme_costs.", "care_costs.")):
            assert parameter.distribution in {"gamma", "lognormal"}


def test_economics_sampling_matches_means() -> None:
    params = load_economics()
    draws = params.sample(np.random.default_rng(0), 20_000)
    assert "discounting.rate" not in draws.columns
    for parameter in params.all():
        if parameter.distribution not in ("fixed", "derived"):
            assert draws[parameter.name].mean() == pytest.approx(parameter.value, rel=0.03)


ORDERED_STATES = ("engaged", "recovering", "at_risk", "withdrawn_quasi", "withdrawn_narrow")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_psa_draw_keeps_the_health_states_in_order(seed: int) -> None:
    # Independent beta draws of each utility often put a worse state above a better one;
    # drawn as gaps below the better state, no draw may.
    params = load_economics()
    draws = params.sample(np.random.default_rng(seed), 500, sections=("utilities",))
    for row in draws.to_dict("records"):
        utilities = params.with_values(row).values("utilities")
        values = [utilities[state] for state in ORDERED_STATES]
        assert all(better > worse for better, worse in itertools.pairwise(values))
        assert values[-1] > 0.0 and values[0] < 1.0


def test_a_state_below_another_is_its_draw_less_a_gap_with_the_stated_moments() -> None:
    params = load_economics()
    draws = params.sample(np.random.default_rng(1), 40_000, sections=("utilities",))
    at_risk = params.section("utilities")["at_risk"]
    gap = draws["utilities.engaged"] - draws["utilities.at_risk"]
    assert at_risk.below == "engaged"
    assert at_risk.gap == pytest.approx(0.08)
    assert gap.min() > 0.0
    assert gap.mean() == pytest.approx(at_risk.gap, rel=0.02)
    assert gap.std() == pytest.approx(at_risk.se, rel=0.03)
    # The derived state is not drawn; it follows the draws it is the midpoint of.
    assert "utilities.recovering" not in draws.columns
    row = draws.iloc[0].to_dict()
    recovering = params.with_values(row).values("utilities")["recovering"]
    assert recovering == pytest.approx((row["utilities.engaged"] + row["utilities.at_risk"]) / 2)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('value = 0.5\nbelow = "nobody"\ndistribution = "gamma"\nse = 0.1', "listed before it"),
        ('value = 0.99\nbelow = "top"\ndistribution = "gamma"\nse = 0.1', "must be below"),
        ('value = 0.5\nbelow = "top"\ndistribution = "beta"\nse = 0.1', "must be gamma"),
        ('value = 0.7\nbetween = ["top", "low"]\ndistribution = "derived"', "midpoint"),
        ('value = 0.5\ndistribution = "derived"', "'derived' goes with 'between'"),
        ('value = 0.5\nbelow = "mid"\ndistribution = "gamma"\nse = 0.1', "derived state"),
    ],
)
def test_an_ordered_utility_that_breaks_the_rules_is_refused(
    tmp_path: Path, entry: str, message: str
) -> None:
    text = default_path().read_text()
    start = text.index("[utilities.engaged]")
    ordered = (
        '[utilities.top]\nvalue = 0.9\ndistribution = "beta"\nse = 0.02\nsource = "test"\n\n'
        '[utilities.low]\nvalue = 0.6\ndistribution = "beta"\nse = 0.02\nsource = "test"\n\n'
        '[utilities.mid]\nvalue = 0.75\nbetween = ["top", "low"]\ndistribution = "derived"\n'
        'source = "test"\n\n'
        f'[utilities.odd]\n{entry}\nsource = "test"\n\n'
    )
    path = tmp_path / "economics.toml"
    path.write_text(text[:start] + ordered.split("[utilities.odd]")[0] + text[start:])
    assert load_economics(path).values("utilities")["mid"] == 0.75  # the rest is fine
    path.write_text(text[:start] + ordered + text[start:])
    with pytest.raises(ValueError, match=message):
        load_economics(path)


def test_the_default_rates_and_threshold_are_the_sourced_ones() -> None:
    # economics.toml records the defaults with their sources; the code holds them as
    # constants, so the two must agree.
    from hikisim.economics.discounting import DEFAULT_ANNUAL_RATE, SENSITIVITY_RATES
    from hikisim.economics.outcomes import DEFAULT_WTP, AppraisalSettings

    params = load_economics()
    rates = params.values("discounting")
    assert rates["rate"] == DEFAULT_ANNUAL_RATE == AppraisalSettings().discount_rate
    assert (rates["rate_low"], rates["rate_high"]) == SENSITIVITY_RATES
    assert params.values("thresholds")["wtp"] == DEFAULT_WTP == AppraisalSettings().wtp
