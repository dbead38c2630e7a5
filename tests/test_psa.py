"""Probabilistic sensitivity analysis: the design, the draws, and compare --psa end to end."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from processes import (
    BASELINE,
    REPO,
    TINY,
    hikisim,
    kill_tree,
    one_line_error,
    set_options,
    start_hikisim,
    wait_until,
)

from hikisim.economics import load_economics
from hikisim.errors import InputError
from hikisim.psa import (
    PosteriorPrior,
    ScenarioPrior,
    draw_scenario,
    load_priors,
    make_design,
    posterior_priors,
)
from hikisim.scenario import Scenario

ECONOMICS = load_economics()
PRIORS = load_priors(ECONOMICS)


def test_every_prior_names_a_numeric_scenario_key_with_a_source() -> None:
    assert {p.group for p in PRIORS} == {"effects", "natural_history", "costs"}
    for prior in PRIORS:
        assert prior.source.strip()
        Scenario().with_overrides({prior.key: 1.0 if prior.distribution != "beta" else 0.5})
    costs = [p.key for p in PRIORS if p.group == "costs"]
    assert "interventions.home_visits.cost_per_participant_week" in costs
    assert "interventions.medical_exam.cost_per_hospital_week" in costs


# A programme's parameters that are not effects: design choices (who is offered it, when,
# how long) and whole numbers of weeks, which the PSA does not draw; costs are drawn from
# economics.toml under their own keys.
PROGRAMME_DESIGN = {
    "start_week", "coverage", "max_weeks", "course_weeks", "capacity_per_10k", "link_weeks",
    "hospital_weeks", "cost_per_participant_week", "cost_per_hospital_week",
}  # fmt: skip


def test_every_programme_effect_that_is_not_null_has_a_distribution() -> None:
    drawn = {prior.key for prior in PRIORS}
    missing = []
    for name, programme in Scenario().interventions:
        for field, value in programme.model_dump().items():
            if field in PROGRAMME_DESIGN or isinstance(value, bool):
                continue
            if not isinstance(value, int | float):
                continue
            # A null effect (a logit of 0, a multiplier of 1) stays null in every draw.
            null = value == (0.0 if field.endswith("_logit") else 1.0)
            key = f"interventions.{name}.{field}"
            if not null and key not in drawn:
                missing.append(key)
    assert not missing, missing


def test_the_design_is_reproducible_from_the_seed() -> None:
    first = make_design(PRIORS, ECONOMICS, draws=6, replicates=3, base_seed=11)
    again = make_design(PRIORS, ECONOMICS, draws=6, replicates=3, base_seed=11)
    other = make_design(PRIORS, ECONOMICS, draws=6, replicates=3, base_seed=12)
    pd.testing.assert_frame_equal(first.quantiles, again.quantiles)
    pd.testing.assert_frame_equal(first.economic, again.economic)
    assert np.array_equal(first.seeds, again.seeds)
    assert not np.array_equal(first.seeds, other.seeds)
    assert first.seeds.shape == (6, 3) and (first.seeds >= 0).all()
    assert len(np.unique(first.seeds)) == 18, "every run of a draw has a seed of its own"
    assert ((first.quantiles > 0) & (first.quantiles < 1)).all().all()
    sections = (
        "utilities",
        "disorder_decrements",
        "productivity",
        "disorder_active_shares",
        "care_costs",
    )
    assert set(first.economic.columns) == {
        parameter.name
        for section in sections
        for parameter in ECONOMICS.section(section).values()
        if parameter.distribution not in ("fixed", "derived")
    }


def test_a_draw_moves_each_scenario_around_its_own_value() -> None:
    key = "interventions.home_visits.exit_multiplier"
    prior = ScenarioPrior(key, "effects", "lognormal", 0.2, None, "test")
    design = make_design([prior], ECONOMICS, draws=2, replicates=1, base_seed=3)
    design.quantiles.loc[0, key] = 0.5
    design.quantiles.loc[1, key] = 0.975
    low = Scenario().with_overrides({key: 1.2})
    high = Scenario().with_overrides({key: 1.6})
    # At the median of a lognormal with mean m the value is below m, by the same factor.
    ratio_low = draw_scenario(low, design, 0).interventions.home_visits.exit_multiplier / 1.2
    ratio_high = draw_scenario(high, design, 0).interventions.home_visits.exit_multiplier / 1.6
    assert ratio_low == pytest.approx(ratio_high) and ratio_low < 1
    expected = prior.parameter(1.2).quantile(0.975)  # type: ignore[union-attr]
    assert draw_scenario(low, design, 1).interventions.home_visits.exit_multiplier == pytest.approx(
        expected
    )


def test_keys_without_spread_stay_put() -> None:
    zero = ScenarioPrior(
        "interventions.psychotherapy.onset_logit", "effects", "lognormal", 0.2, None, "t"
    )
    assert zero.parameter(0.0) is None
    beta = ScenarioPrior("dynamics.relapse_rate", "natural_history", "beta", 0.3, None, "t")
    assert beta.parameter(1.5) is None
    assert 0 < beta.parameter(0.008).quantile(0.999) < 1  # type: ignore[union-attr]


def hand_posterior(weights: tuple[float, float, float] = (0.0, 1.0, 0.0)) -> pd.DataFrame:
    """Three posterior draws of two calibrated keys; the middle one is representative."""
    frame = pd.DataFrame(
        {
            "weight": weights,
            "dynamics.onset_base": [-9.4, -8.7, -8.6],
            "dynamics.exit_base": [0.008, 0.02, 0.029],
        }
    )
    frame.attrs["hikisim"] = {"representative_draw": 1}
    return frame


def test_calibrated_keys_are_drawn_jointly_from_the_posterior() -> None:
    posterior = hand_posterior()
    priors = posterior_priors(PRIORS, posterior)
    # The placeholder prior of onset_base gives way to the posterior.
    onset = [p for p in priors if p.key == "dynamics.onset_base"]
    assert len(onset) == 1 and isinstance(onset[0], PosteriorPrior)
    design = make_design(priors, ECONOMICS, draws=5, replicates=1, base_seed=4, posterior=posterior)
    defaults = Scenario()
    for draw in range(5):
        # Only the representative draw has weight: every draw is the scenario's own value.
        drawn = draw_scenario(defaults, design, draw)
        assert drawn.dynamics.onset_base == pytest.approx(defaults.dynamics.onset_base)
        assert drawn.dynamics.exit_base == pytest.approx(defaults.dynamics.exit_base)


def test_other_posterior_draws_move_by_their_offset_from_the_representative_one() -> None:
    posterior = hand_posterior(weights=(1.0, 0.0, 0.0))
    priors = posterior_priors(PRIORS, posterior)
    design = make_design(priors, ECONOMICS, draws=2, replicates=1, base_seed=4, posterior=posterior)
    scenario = Scenario().with_overrides({"dynamics.onset_base": -9.0, "dynamics.exit_base": 0.015})
    drawn = draw_scenario(scenario, design, 0)
    assert drawn.dynamics.onset_base == pytest.approx(-9.0 + (-9.4 - -8.7))  # uniform: added
    assert drawn.dynamics.exit_base == pytest.approx(0.015 * 0.008 / 0.02)  # log-uniform: ratio
    # A log-uniform key at 0 in a scenario stays there.
    assert priors[-1].parameter(0.0) is None


def test_posterior_draws_follow_the_weights() -> None:
    posterior = hand_posterior(weights=(0.25, 0.5, 0.25))
    priors = posterior_priors(PRIORS, posterior)
    design = make_design(priors, ECONOMICS, draws=4000, replicates=1, base_seed=5,
                         posterior=posterior)  # fmt: skip
    values = np.round(
        [
            float(p.prior.value_at(q))
            for p in priors
            if isinstance(p, PosteriorPrior) and p.key == "dynamics.onset_base"
            for q in design.quantiles["dynamics.onset_base"]
        ],
        6,
    )
    shares = pd.Series(values).value_counts(normalize=True).sort_index()
    assert list(shares.index) == [-9.4, -8.7, -8.6]
    assert shares.to_numpy() == pytest.approx([0.25, 0.5, 0.25], abs=0.03)


def test_a_posterior_key_without_a_calibration_prior_is_refused() -> None:
    with pytest.raises(InputError, match=r"dynamics\.age_peak"):
        posterior_priors(PRIORS, pd.DataFrame({"weight": [1.0], "dynamics.age_peak": [21.0]}))


def psa_command(out: Path, draws: int = 4) -> list[object]:
    return [
        "compare", BASELINE, REPO / "scenarios" / "home_visits.toml",
        REPO / "scenarios" / "comprehensive.toml", "--replicates", "2", "--psa", str(draws),
        "--seed", "9", *set_options(TINY), "--out", out,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def psa_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("psa")
    result = hikisim(*psa_command(folder / "out"), cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "out"


def test_compare_psa_writes_its_tables_and_figures(psa_out: Path) -> None:
    names = ["psa.parquet", "ceac.png", "ce_plane.png", "evpi.csv", "evppi.csv"]
    names += ["tornado.png", "tornado.csv", "variance.csv", "ceac.csv", "report.md"]
    for name in names:
        assert (psa_out / name).stat().st_size > 0, name
    draws = pd.read_parquet(psa_out / "psa.parquet")
    assert len(draws) == 4 * 3 and set(draws["scenario"]) == {
        "baseline",
        "home_visits",
        "comprehensive",
    }
    ceac = pd.read_csv(psa_out / "ceac.csv").set_index("wtp")
    assert np.allclose(ceac.sum(axis=1), 1.0)
    # The frontier: at each willingness to pay, the strategy of highest expected NMB and
    # its probability of being optimal, read from the acceptability curves.
    frontier = pd.read_csv(psa_out / "ceaf.csv").set_index("wtp")
    assert list(frontier.index) == list(ceac.index)
    chosen = [ceac.at[wtp, strategy] for wtp, strategy in frontier["strategy"].items()]
    assert np.allclose(frontier["probability"], chosen)
    assert (pd.read_csv(psa_out / "evpi.csv")["evpi"] >= 0).all()
    evppi = pd.read_csv(psa_out / "evppi.csv")
    assert set(evppi["group"]) == {"effects", "costs", "utilities", "natural_history"}
    # Every group is set against the EVPPI of as many noise columns.
    assert (evppi["null_evppi"] >= 0).all()
    assert (evppi["informative"] <= (evppi["evppi"] > evppi["null_evppi"])).all()
    assert not (evppi["informative"] & evppi["above_evpi"]).any()
    variance = pd.read_csv(psa_out / "variance.csv")
    assert ((variance["monte_carlo_share"] >= 0) & (variance["monte_carlo_share"] <= 1)).all()
    report = (psa_out / "report.md").read_text()
    assert "## Probabilistic sensitivity analysis" in report and "4 parameter draws" in report
    # What a health economist asks of the report beside the deterministic results.
    for text in (
        "Expected values over the draws",
        "(a percentile bootstrap) it spreads from",
        "One-way sensitivity of the economic parameters",
        "Perspective: the public payer",
        "which take new participants throughout",
        "Nobody dies in the model",
    ):
        assert text in report, text
    one_way = pd.read_csv(psa_out / "one_way.csv")
    assert "utilities.at_risk" in set(one_way["parameter"])


def test_the_psa_is_reproducible_for_a_seed(psa_out: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert hikisim(*psa_command(again), cwd=tmp_path).returncode == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(psa_out / "psa.parquet"), pd.read_parquet(again / "psa.parquet")
    )
    for name in ("ceac.csv", "evpi.csv", "evppi.csv", "comparison.csv", "tornado.csv"):
        assert (psa_out / name).read_bytes() == (again / name).read_bytes(), name


def test_a_killed_psa_resumes_without_repeating_runs(psa_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runs = out / "psa" / "runs"
    process = start_hikisim(*psa_command(out), cwd=tmp_path)
    try:
        wait_until(lambda: runs.is_dir() and len(list(runs.glob("*.parquet"))) >= 3, 120, "runs")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        kill_tree(process)
    before = {p.name: p.stat().st_mtime_ns for p in runs.glob("*.parquet")}
    assert 3 <= len(before) < 4 * 3 * 2, "the kill must land mid-PSA"
    resumed = hikisim(*psa_command(out), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    after = {p.name: p.stat().st_mtime_ns for p in runs.glob("*.parquet")}
    assert len(after) == 4 * 3 * 2
    assert {name: after[name] for name in before} == before, "finished runs are not redone"
    for name in ("ceac.csv", "evppi.csv", "comparison.csv"):
        assert (psa_out / name).read_bytes() == (out / name).read_bytes(), name


def test_a_psa_folder_of_another_design_is_refused(psa_out: Path, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "out"
    shutil.copytree(psa_out, out)
    line = one_line_error(hikisim(*psa_command(out, draws=5), cwd=tmp_path))
    assert "holds a PSA of other scenarios, draws, replicates or seeds" in line


def test_a_psa_folder_of_other_model_code_is_refused(psa_out: Path, tmp_path: Path) -> None:
    # As an earlier hikisim, or an edited checkout, would have written it: its runs may
    # lack series this code values, or differ in value, so they are never resumed into.
    import json
    import shutil

    out = tmp_path / "out"
    shutil.copytree(psa_out, out)
    plan_path = out / "psa" / "plan.json"
    plan = json.loads(plan_path.read_text())
    assert len(plan["model_source"]) == 64
    plan_path.write_text(json.dumps(plan | {"hash": "earlier", "model_source": "0" * 64}))
    line = one_line_error(hikisim(*psa_command(out), cwd=tmp_path))
    assert "holds a PSA made with other model code (another hikisim version" in line


def test_a_negative_psa_is_refused(tmp_path: Path) -> None:
    command = [str(a) for a in psa_command(tmp_path / "out")]
    command[command.index("--psa") + 1] = "-2"
    line = one_line_error(hikisim(*command, cwd=tmp_path))
    assert "--psa: must be 0 (no PSA) to 100000 draws" in line


def test_psa_replicates_set_the_inner_runs(tmp_path: Path) -> None:
    command = [str(a) for a in psa_command(tmp_path / "out", draws=3)]
    command[command.index("--replicates") + 1] = "1"
    result = hikisim(*command, "--psa-replicates", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    runs = list((tmp_path / "out" / "psa" / "runs").glob("*.parquet"))
    assert len(runs) == 3 * 3
    # One run per draw cannot separate parameter variance from Monte Carlo noise.
    assert pd.read_csv(tmp_path / "out" / "variance.csv").empty
    evppi = pd.read_csv(tmp_path / "out" / "evppi.csv")
    assert (evppi["method"] == "gam").all()
