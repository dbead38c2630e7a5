"""The PSA's analysis (psa_analysis.analyse_psa) on hand-built draws; no model is run.

Two strategies: ``prog`` costs COST more than ``base`` and gains 4q - 0.5 QALYs in a
draw whose shared quantile of KEY is q. So its incremental NMB at willingness to pay w
is w (4q - 0.5) - COST, and the EVPI, the probability that ``prog`` is the best buy and
the tornado bar of KEY follow from q by hand.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from hikisim.economics import load_economics
from hikisim.economics.evppi import evppi
from hikisim.economics.outcomes import AppraisalSettings
from hikisim.psa import (
    PosteriorPrior,
    PsaDesign,
    ScenarioPrior,
    draw_scenario,
    drawn_values,
    make_design,
    posterior_priors,
)
from hikisim.psa_analysis import (
    NULL_REPLICATES,
    WTP_GRID_MAX,
    WTP_GRID_POINTS,
    PsaResults,
    _null_evppi,
    analyse_psa,
    judge_evppi,
    parameter_table,
    plot_ceac,
    plot_tornado,
    used_economic,
    wtp_grid,
)
from hikisim.report import psa_section
from hikisim.scenario import Scenario

ECONOMICS = load_economics()
KEY = "dynamics.exit_base"
PRIOR = ScenarioPrior(KEY, "natural_history", "lognormal", 0.2, None, "test")
DRAWS = 40
COST = 3.3e6
QUANTILES = (np.arange(DRAWS) + 0.5) / DRAWS  # evenly spread, one per draw
SCENARIOS = [
    Scenario(name="base"),
    Scenario(name="prog").with_overrides({KEY: 0.03}),
]


def hand_design(priors: list[ScenarioPrior | PosteriorPrior] | None = None) -> PsaDesign:
    rng = np.random.default_rng(5)
    economic = pd.DataFrame({"utilities.at_risk": rng.uniform(0.5, 0.7, DRAWS)})
    seeds = np.arange(2 * DRAWS, dtype=np.int64).reshape(DRAWS, 2)
    return PsaDesign(pd.DataFrame({KEY: QUANTILES}), economic, seeds, priors or [PRIOR])


def hand_outcomes() -> pd.DataFrame:
    rows = []
    for draw, q in enumerate(QUANTILES):
        for replicate in range(2):
            rows.append((draw, "base", replicate, 0.0, 1000.0))
            rows.append((draw, "prog", replicate, COST, 1000.0 + 4 * q - 0.5))
    return pd.DataFrame(rows, columns=["draw", "scenario", "replicate", "cost", "qalys"])


def incremental_nmb(wtp: float) -> np.ndarray:
    return wtp * (4 * QUANTILES - 0.5) - COST


def analyse(wtp: float) -> PsaResults:
    settings = AppraisalSettings(wtp=wtp)
    return analyse_psa(hand_outcomes(), hand_design(), SCENARIOS, settings)


def test_the_grid_is_the_old_one_at_the_default_wtp_and_holds_any_other() -> None:
    old = np.linspace(0.0, WTP_GRID_MAX, WTP_GRID_POINTS)
    assert np.array_equal(wtp_grid(5e6), old), "results at a wtp on the grid do not change"
    off = wtp_grid(3.3e6)
    assert 3.3e6 in off and len(off) == WTP_GRID_POINTS + 1 and np.all(np.diff(off) > 0)
    high = wtp_grid(30e6)
    # Past 20 M the grid stretches beyond the wtp (1.25 x 30 M, rounded up to 40 M).
    assert 30e6 in high and high.max() == 40e6
    assert np.array_equal(high, np.linspace(0.0, 40e6, WTP_GRID_POINTS)), "30 M is a step"
    assert 31.3e6 in wtp_grid(31.3e6) and len(wtp_grid(31.3e6)) == WTP_GRID_POINTS + 1


@pytest.mark.parametrize("wtp", [3.3e6, 30e6])
def test_the_report_reads_every_figure_exactly_at_the_wtp(wtp: float) -> None:
    results = analyse(wtp)
    inmb = incremental_nmb(wtp)
    evpi = np.maximum(inmb, 0).mean() - max(inmb.mean(), 0.0)
    share = float((inmb > 0).mean())
    assert results.evpi.loc[wtp] == pytest.approx(evpi)
    assert results.ceac.loc[wtp, "prog"] == pytest.approx(share)
    # The EVPPI shares are of this same EVPI, so the report agrees with itself.
    assert np.allclose(results.evppi["share_of_evpi"] * evpi, results.evppi["evppi"])
    text = "\n".join(psa_section(results, AppraisalSettings(wtp=wtp), "base"))
    assert f"at {wtp / 1e6:g} M yen per QALY: {evpi / 1e6:,.2f} M yen" in text
    best = "prog" if inmb.mean() > 0 else "base"
    probability = share if best == "prog" else 1 - share
    assert f"is **{best}**, optimal in {probability:.0%} of draws" in text
    assert f"| prog | {share:.2f} |" in text


def test_the_ceac_plot_reaches_past_a_wtp_above_20_million() -> None:
    results = analyse(30e6)
    assert results.ceac.index.max() > 30e6
    assert set(results.ceaf["wtp"]) == set(results.ceac.index)


def test_the_tornado_is_read_off_one_metamodel_at_the_draws_percentiles() -> None:
    wtp = 5e6
    results = analyse(wtp)
    inmb = incremental_nmb(wtp)
    table = results.tornado.set_index("parameter")
    low, high = np.quantile(QUANTILES, [0.025, 0.975])
    slope = 4 * wtp  # iNMB per unit of KEY's quantile
    assert results.tornado_gap == ""
    assert table.at[KEY, "inmb_at_p2_5"] == pytest.approx(
        inmb.mean() + slope * (low - QUANTILES.mean())
    )
    assert table.at[KEY, "inmb_at_p97_5"] == pytest.approx(
        inmb.mean() + slope * (high - QUANTILES.mean())
    )
    # The utility is drawn but the hand-built QALYs ignore it: no bar.
    assert table.at["utilities.at_risk", "range"] == pytest.approx(0.0, abs=1e-6 * slope)


def test_psa_draws_hold_the_values_each_scenario_ran_with() -> None:
    results = analyse(5e6)
    design = hand_design()
    draws = results.draws.set_index(["scenario", "draw"])
    for scenario in SCENARIOS:
        ran = [draw_scenario(scenario, design, d).dynamics.exit_base for d in range(DRAWS)]
        assert np.allclose(draws.loc[scenario.name, KEY].to_numpy(), ran, rtol=1e-12)
    # The shared quantile moves each scenario around its own value, so they differ.
    assert (draws.loc["prog", KEY] > draws.loc["base", KEY]).all()
    assert np.array_equal(
        draws.loc["base", "utilities.at_risk"].to_numpy(), design.economic["utilities.at_risk"]
    )
    assert list(results.draws.columns[:5]) == ["draw", "scenario", "cost", "qalys", "nmb"]
    assert len(results.draws) == 2 * DRAWS


def test_drawn_values_follow_the_posterior_and_keep_keys_without_spread() -> None:
    posterior = pd.DataFrame({"weight": [1.0, 1.0], KEY: [0.01, 0.02]})
    posterior.attrs["hikisim"] = {"representative_draw": 1}
    priors = posterior_priors([PRIOR], posterior)
    design = hand_design(priors)
    # The design's column is the calibration-prior quantile of a posterior value.
    design.quantiles[KEY] = priors[0].prior.quantile_of(  # type: ignore[union-attr]
        np.where(np.arange(DRAWS) % 2, 0.01, 0.02)
    )
    scenario = Scenario(name="prog").with_overrides({KEY: 0.03})
    values = drawn_values(scenario, design)[KEY].to_numpy()
    # Log-uniform: the posterior value times the scenario's ratio to the representative.
    assert np.allclose(values, np.where(np.arange(DRAWS) % 2, 0.01, 0.02) * 0.03 / 0.02)
    ran = [draw_scenario(scenario, design, d).dynamics.exit_base for d in range(DRAWS)]
    assert np.allclose(values, ran, rtol=1e-12)
    # A scenario whose log-uniform key is 0 stays at 0 in every draw.
    off = Scenario(name="off").with_overrides({KEY: 0.0})
    assert (drawn_values(off, design)[KEY] == 0.0).all()


def test_a_tornado_without_a_metamodel_says_why_in_the_report_and_figure(
    tmp_path: Path,
) -> None:
    results = analyse(30e6)
    plot_ceac(results, AppraisalSettings(wtp=30e6), tmp_path / "ceac.png")
    plot_tornado(results, "base", tmp_path / "tornado.png")
    gap = "more draws than parameters (at least 61 for its 60 parameters), and this PSA has 40"
    empty = replace(results, tornado=results.tornado.iloc[:0], tornado_gap=gap)
    text = "\n".join(psa_section(empty, AppraisalSettings(wtp=30e6), "base"))
    assert "`tornado.csv` holds only its header" in text and gap in text
    plot_tornado(empty, "base", tmp_path / "empty.png")
    assert all((tmp_path / name).stat().st_size > 0 for name in ("ceac.png", "empty.png"))


def test_a_utility_drawn_as_a_gap_enters_the_regressions_as_its_gap() -> None:
    # The tornado moves one column with the others at their means: moving the at-risk
    # utility alone could lift it above engaged; moving its gap alone cannot.
    design = make_design([PRIOR], ECONOMICS, draws=30, replicates=1, base_seed=4)
    table, groups = parameter_table(design, [KEY], list(design.economic.columns))
    assert "utilities.at_risk" not in table.columns
    gap = design.economic["utilities.engaged"] - design.economic["utilities.at_risk"]
    np.testing.assert_allclose(table["utilities.at_risk_gap"], gap)
    assert (table["utilities.withdrawn_narrow_gap"] > 0).all()
    assert "utilities.engaged" in table.columns and "utilities.recovering" not in table.columns
    assert "utilities.at_risk_gap" in groups["utilities"]


def test_the_shares_of_weeks_active_enter_the_value_of_information() -> None:
    design = make_design([PRIOR], ECONOMICS, draws=4, replicates=1, base_seed=4)
    used = used_economic(design, AppraisalSettings())
    shares = [c for c in design.economic.columns if c.startswith("disorder_active_shares.")]
    assert shares and set(shares) <= set(used)


def test_an_evppi_above_the_evpi_is_never_informative() -> None:
    # EVPI 10: "a" beats its floor (4 > 1 + 0.5); "b" is exactly the EVPI, which a
    # regression that interpolates the draws returns; "c" is above it, which no group's
    # EVPPI can be; "d" does not beat its floor by 5% of the EVPI (1.4 < 1 + 0.5).
    table = pd.DataFrame(
        {"group": list("abcd"), "evppi": [4.0, 10.0, 15.0, 1.4], "null_evppi": [1.0] * 4}
    )
    judged = judge_evppi(table, 10.0)
    assert judged["above_evpi"].tolist() == [False, False, True, False]
    assert judged["informative"].tolist() == [True, True, False, False]
    assert "above_evpi" not in table, "the input is not changed"


def test_rounding_at_the_scale_of_the_net_benefits_is_not_above_the_evpi() -> None:
    # An EVPI of 0 among net benefits of 1e11 yen came with an EVPPI of 3e-5 yen: both are
    # differences of means of such numbers, so the slack grows with them.
    table = pd.DataFrame({"group": ["a", "b"], "evppi": [3e-5, 1e3], "null_evppi": [0.0, 0.0]})
    judged = judge_evppi(table, 0.0, scale=1.4e11)
    assert judged["above_evpi"].tolist() == [False, True]
    assert judge_evppi(table, 0.0)["above_evpi"].tolist() == [True, True]


def test_the_report_says_why_an_evppi_table_tells_nothing() -> None:
    results = analyse(3.3e6)
    evpi = float(results.evpi.loc[3.3e6])
    above = results.evppi.assign(evppi=2 * evpi, null_evppi=0.0)
    results_above = replace(results, evppi=judge_evppi(above, evpi))
    text = "\n".join(psa_section(results_above, AppraisalSettings(wtp=3.3e6), "base"))
    assert "| no (above the EVPI) |" in text
    groups = sorted(results.evppi["group"])
    assert groups == ["natural_history", "utilities"]
    assert "The EVPPI of natural_history and utilities is above the EVPI" in text
    zero = results.evppi.assign(evppi=0.0, null_evppi=0.0)
    results_zero = replace(results, evppi=judge_evppi(zero, evpi))
    text = "\n".join(psa_section(results_zero, AppraisalSettings(wtp=3.3e6), "base"))
    assert f"Every EVPPI and noise floor is 0 while the EVPI is not: on {DRAWS} draws" in text
    assert "above the EVPI" not in text
    # With no decision uncertainty every EVPPI is 0 rightly, and more draws change nothing.
    certain = replace(results_zero, evpi=results.evpi * 0.0)
    text = "\n".join(psa_section(certain, AppraisalSettings(wtp=3.3e6), "base"))
    assert "The EVPI is 0: the same strategy is best in every draw" in text
    assert "Run more draws" not in text
    plain = "\n".join(psa_section(results, AppraisalSettings(wtp=3.3e6), "base"))
    assert "above the EVPI" not in plain and "Every EVPPI and noise floor is 0" not in plain


def test_the_noise_floor_is_rarely_beaten_by_noise() -> None:
    # The floor is the largest EVPPI of 19 groups of noise, so a fresh group of noise
    # beats it about once in 20; one group of noise as the floor was beaten about half
    # the time, which made "beats its floor" a coin toss for an uninformative group.
    draws, size = 40, 5
    rng = np.random.default_rng(5)
    costs = rng.normal(size=(draws, 3)) * 1e6
    effects = rng.normal(size=(draws, 3))
    design = SimpleNamespace(draws=draws)
    floor = _null_evppi(costs, effects, 1e6, [size], design, "gam")[size]  # type: ignore[arg-type]
    fresh = np.random.default_rng(99)
    beaten = 0
    for _ in range(40):
        noise = pd.DataFrame(fresh.uniform(size=(draws, size)), columns=list("abcde"))
        value = evppi(costs, effects, noise, 1e6, groups={"noise": list("abcde")}, method="gam")
        beaten += float(value.iloc[0]) > floor
    assert beaten <= 6, beaten
    assert NULL_REPLICATES["gam"] == 19
