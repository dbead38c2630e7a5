"""The Bayesian calibration's parts, against known answers.

Closed forms first: the ABC-SMC sampler on a linear-Gaussian model whose posterior is
known exactly, emulators of a known smooth function with known noise, the
implausibility cut on hand-built numbers, and the whole pipeline on a closed-form
"model" whose true parameters it must recover.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hikisim.bayes.abc_smc import effective_sample_size, run_abc, to_unit
from hikisim.bayes.emulator import (
    MAX_INFLATION,
    expit,
    fit_emulator,
    inflation_factor,
    logit,
    standardized_errors,
)
from hikisim.bayes.history import cut, implausibility, next_design, space_filling
from hikisim.bayes.pipeline import BayesSettings, run_bayesian_calibration
from hikisim.bayes.problem import TOWN, make_problem, measurement_groups, target_scale
from hikisim.bayes.report import (
    predictive_table,
    representative_index,
    weighted_quantile,
    write_outputs,
)
from hikisim.bayes.runs import batch_manifest
from hikisim.calibration import load_posterior
from hikisim.calibration_priors import CalibrationPrior
from hikisim.errors import InputError
from hikisim.scenario import Scenario, scenario_value
from hikisim.sweeps.executors import SerialExecutor
from hikisim.targets import Target, load_targets


def survey_target(name: str, value: float, tolerance: tuple[float, float], n: int) -> Target:
    """A target with made-up provenance, for closed-form problems."""
    return Target(name, value, tolerance, "2015-12", (15, 39), "cao_broad", "m", n, "A", "s")


# --- the distance's scale --------------------------------------------------------------


def test_a_small_survey_weighs_less_than_a_census() -> None:
    targets = load_targets()
    small = targets["cao2016_school_refusal_history"]  # 49 cases
    census = targets["mext2023_refusal_junior_high"]  # 3.2 million pupils
    # Relative to the figure itself, the 49-case share is over twice as loose (its weight,
    # 1/scale^2, over four times smaller), although the census's band is widened too.
    assert target_scale(small) / small.value > 2 * target_scale(census) / census.value


def test_the_scale_is_the_sampling_error_when_the_tolerance_is_narrower() -> None:
    # p = 0.5 and n = 100: sampling sd 0.05; a tolerance of +-0.01 would claim 0.0051.
    target = survey_target("x", 0.5, (0.49, 0.51), 100)
    assert target_scale(target) == pytest.approx(0.05)


def test_the_scale_is_the_tolerance_when_the_sampling_error_is_tiny() -> None:
    target = survey_target("x", 0.03, (0.02, 0.04), 3_000_000)
    assert target_scale(target) == pytest.approx(0.01 / 1.959963984540054)


def test_the_neet_share_is_measured_in_its_own_town() -> None:
    groups = measurement_groups(load_targets())
    assert groups[0].name == TOWN and "mext_refuser_neet_at_20" not in groups[0].targets
    neet = next(group for group in groups if group.name == "mext_refuser_neet_at_20")
    assert neet.population_factor == 6.0 and neet.targets == ("mext_refuser_neet_at_20",)


def test_a_target_at_zero_is_refused() -> None:
    prior = CalibrationPrior("dynamics.onset_base", "uniform", -9.5, -8.5, "assumption")
    with pytest.raises(InputError, match=r"zero\.value"):
        make_problem([prior], {"zero": survey_target("zero", 0.0, (0.0, 0.1), 10)}, "t.toml")


# --- ABC-SMC: an exact posterior on a linear-Gaussian model ------------------------------


def test_abc_smc_recovers_a_linear_gaussian_posterior() -> None:
    """y = A theta + noise with a flat prior: the posterior is normal, known exactly."""
    a = np.array([[1.0, 1.0], [1.0, -1.0], [0.5, 0.0]])
    sd = np.array([0.1, 0.2, 0.05])
    observed = np.array([1.0, 0.2, 0.3])

    def simulator(particle: dict[str, float]) -> dict[str, np.ndarray]:
        theta = to_unit(np.array([particle["x00"], particle["x01"]]))  # uniform priors
        return {"y": a @ theta}

    result = run_abc(simulator, 2, observed, sd, population=500, generations=12, seed=3)
    precision = a.T @ np.diag(sd**-2) @ a
    mean = np.linalg.solve(precision, a.T @ np.diag(sd**-2) @ observed)
    exact_sd = np.sqrt(np.diag(np.linalg.inv(precision)))
    assert result.reached_exact
    estimate = result.weights @ result.unit
    spread = np.sqrt(result.weights @ np.square(result.unit - estimate))
    assert np.allclose(estimate, mean, atol=0.03)
    assert np.allclose(spread, exact_sd, rtol=0.25)
    assert effective_sample_size(result.weights) > 200
    assert list(result.generations["temperature"])[-1] == pytest.approx(1.0)


def test_effective_sample_size_of_equal_and_of_one_weight() -> None:
    assert effective_sample_size(np.ones(50)) == pytest.approx(50)
    assert effective_sample_size(np.array([1.0, 0, 0, 0])) == pytest.approx(1)


# --- emulators ---------------------------------------------------------------------------


def test_an_emulator_learns_a_smooth_function_and_its_noise() -> None:
    rng = np.random.default_rng(1)
    unit = space_filling(80, 3, seed=2)
    truth = -3.0 + 1.5 * unit[:, 0] + np.sin(3 * unit[:, 1])  # the third input is inert
    noise_sd = 0.05
    shares = expit(truth + rng.normal(0, noise_sd, len(unit)))
    emulator = fit_emulator(unit, shares, seed=0)
    test = space_filling(40, 3, seed=9)
    mean, variance = emulator.predict(test)
    expected = -3.0 + 1.5 * test[:, 0] + np.sin(3 * test[:, 1])
    assert np.sqrt(np.mean((mean - expected) ** 2)) < 0.05
    # The fitted seed noise is about the true one, and is kept out of the mean's variance.
    assert emulator.noise == pytest.approx(noise_sd**2, rel=0.6)
    assert np.all(variance < noise_sd**2)


def test_held_out_runs_sit_about_a_standard_normal_from_a_sound_emulator() -> None:
    rng = np.random.default_rng(6)

    def shares(unit: np.ndarray) -> np.ndarray:
        return expit(-2.0 + unit[:, 0] - unit[:, 1] ** 2 + rng.normal(0, 0.1, len(unit)))

    train, held_out = space_filling(60, 2, seed=1), space_filling(200, 2, seed=2)
    emulators = {"t": fit_emulator(train, shares(train), seed=0)}
    errors = standardized_errors(emulators, held_out, shares(held_out)[:, None])
    assert np.mean(np.abs(errors) > 2) < 0.12
    assert abs(float(np.std(errors)) - 1.0) < 0.25


def test_the_one_point_prediction_is_the_same_as_scikit_learns() -> None:
    rng = np.random.default_rng(3)
    unit = space_filling(50, 4, seed=5)
    shares = expit(-3 + unit @ np.array([1.0, -0.5, 0.2, 0.0]) + rng.normal(0, 0.1, 50))
    emulator = fit_emulator(unit, shares, seed=0)
    for point in space_filling(10, 4, seed=8):
        mean, variance = emulator.predict(point[None])
        fast_mean, fast_variance = emulator.predict_one(point)
        assert fast_mean == pytest.approx(mean[0], rel=1e-9, abs=1e-12)
        assert fast_variance == pytest.approx(variance[0], rel=1e-6, abs=1e-12)


def test_the_inflation_solves_the_mean_squared_error_in_closed_form() -> None:
    # mean(e^2 / (c v + n)) = 1: with e^2 = 3, v = 1, n = 1, c = 2; with n = 0 and
    # e^2 = 4, c = 4; errors already small need none; errors the noise alone cannot
    # explain at any factor get the cap.
    ones = np.ones(10)
    assert inflation_factor(np.sqrt(3) * ones, ones, ones) == pytest.approx(2.0, rel=1e-6)
    assert inflation_factor(2.0 * ones, ones, 0 * ones) == pytest.approx(4.0, rel=1e-6)
    assert inflation_factor(0.5 * ones, ones, ones) == 1.0
    assert inflation_factor(10.0 * ones, 1e-6 * ones, ones) == MAX_INFLATION


@given(st.floats(1.0, 50.0), st.floats(0.0, 2.0))
def test_after_inflation_the_errors_are_standard(target: float, noise: float) -> None:
    rng = np.random.default_rng(0)
    variances = rng.uniform(0.1, 1.0, 30)
    errors = rng.normal(0, 1, 30)
    errors *= np.sqrt(target * np.mean(variances + noise) / np.mean(errors**2))
    factor = inflation_factor(errors, variances, noise * np.ones(30))
    standardized = np.mean(errors**2 / (factor * variances + noise))
    assert factor >= 1.0
    assert standardized == pytest.approx(1.0, rel=1e-4) or (factor == 1.0 and standardized <= 1.0)


def test_an_emulator_that_is_too_sure_is_inflated_and_its_checks_recorded() -> None:
    # A function with a kink the smooth kernel cannot represent: cross-validation finds
    # the errors larger than the fitted variance says and widens it.
    rng = np.random.default_rng(4)
    unit = space_filling(60, 2, seed=3)
    shares = expit(-2 + 3 * np.abs(unit[:, 0] - 0.5) + rng.normal(0, 0.02, 60))
    emulator = fit_emulator(unit, shares, seed=0)
    assert emulator.inflation > 1.0
    assert emulator.checked.shape == (60,)
    assert np.mean(np.square(emulator.checked)) <= 1.0 + 1e-6
    plain = fit_emulator(unit, shares, seed=0)
    plain.inflation = 1.0
    assert emulator.predict(unit[:5])[1] == pytest.approx(
        emulator.inflation * plain.predict(unit[:5])[1]
    )
    mean, variance = emulator.predict(unit[7:8])
    assert emulator.predict_one(unit[7]) == pytest.approx((mean[0], variance[0]), rel=1e-6)


def test_a_latest_wave_the_earlier_runs_cannot_predict_widens_the_emulator() -> None:
    # The first 40 runs see only the left half of the cube; the last 20 lie in the right
    # half, where the function turns. Predicted from the first ones alone, the new wave
    # is far off, so treating the last 20 as the latest wave inflates more than random
    # folds over all runs do. NaN runs are skipped in both masks.
    rng = np.random.default_rng(2)
    left = space_filling(40, 2, seed=1) * np.array([0.5, 1.0])
    right = space_filling(20, 2, seed=2) * np.array([0.5, 1.0]) + np.array([0.5, 0.0])
    unit = np.vstack([left, right])
    truth = -2.0 + np.where(unit[:, 0] > 0.5, 6 * (unit[:, 0] - 0.5) ** 2, 0.0)
    shares = expit(truth + rng.normal(0, 0.05, len(unit)))
    shares[[3, 45]] = np.nan
    pooled = fit_emulator(unit, shares, seed=0)
    by_wave = fit_emulator(unit, shares, seed=0, recent=20)
    assert by_wave.inflation > pooled.inflation
    assert by_wave.runs == pooled.runs == 58
    with pytest.raises(ValueError, match="recent"):
        fit_emulator(unit, shares, seed=0, recent=61)


def test_an_emulator_needs_runs_that_measured_its_target() -> None:
    unit = space_filling(6, 2, seed=1)
    shares = np.array([0.1, np.nan, np.nan, np.nan, np.nan, 0.2])
    with pytest.raises(ValueError, match="only 2 runs"):
        fit_emulator(unit, shares, seed=0)


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=20))
def test_logit_and_expit_invert_inside_the_floor(values: list[float]) -> None:
    shares = np.clip(np.array(values), 1e-4, 1 - 1e-4)
    assert np.allclose(expit(logit(shares)), shares, atol=1e-12)


# --- history matching ---------------------------------------------------------------------


def test_implausibility_widens_with_emulator_uncertainty() -> None:
    means = np.array([[0.10], [0.10]])
    variances = np.array([[0.0], [0.03**2]])
    values = implausibility(means, variances, np.array([0.16]), np.array([0.02]))
    assert values[0, 0] == pytest.approx(3.0)
    assert values[1, 0] == pytest.approx(0.06 / math.sqrt(0.02**2 + 0.03**2))


def test_the_cut_raises_its_order_when_two_targets_conflict() -> None:
    # Target 0 and target 1 can never both be met: every point fails one of them badly.
    points = np.linspace(0, 1, 101)[:, None]
    values = np.column_stack([10 * points[:, 0], 10 * (1 - points[:, 0]), np.zeros(101)])
    wave = cut(points, values)
    assert wave.order == 2
    # No point has both within 3; one of the two within 3 where x <= 0.3 or x >= 0.7.
    assert wave.kept == pytest.approx(62 / 101)
    assert wave.minimum[:2] == pytest.approx([0.0, 0.0])


def test_the_next_design_is_spread_over_the_kept_space() -> None:
    points = space_filling(2000, 2, seed=4)
    values = np.where(points[:, :1] < 0.5, 0.0, 9.0)
    wave = cut(points, values)
    design = next_design(wave, 20, seed=1)
    assert len(design) == 20 and np.all(design[:, 0] < 0.5)
    spacing = min(
        np.linalg.norm(design[i] - design[j]) for i in range(20) for j in range(i + 1, 20)
    )
    assert spacing > 0.05  # a random pick of 20 would often put two closer


# --- the report's statistics -------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=30))
def test_the_weighted_median_of_equal_weights_is_a_middle_value(values: list[float]) -> None:
    array = np.array(values)
    median = weighted_quantile(array, np.ones(len(array)), 0.5)
    assert np.sum(array < median) <= len(array) / 2 <= np.sum(array <= median)


def test_the_representative_draw_is_the_one_nearest_the_median() -> None:
    unit = np.array([[0.1, 0.1], [0.5, 0.52], [0.9, 0.9], [0.45, 0.5], [0.55, 0.48]])
    weights = np.ones(5) / 5
    assert representative_index(unit, weights) == 1


# --- the whole pipeline on a closed-form model -------------------------------------------

KEYS = ("dynamics.onset_base", "dynamics.exit_base")
TRUTH = {"dynamics.onset_base": -9.2, "dynamics.exit_base": 0.012}


def closed_form(values: dict[str, float]) -> dict[str, float]:
    """Two shares that pin down the two parameters (one rises with each)."""
    onset, exit_rate = values["dynamics.onset_base"], values["dynamics.exit_base"]
    return {
        "cao2016_broad_15_39": float(expit(onset + 4.5 - 40 * exit_rate)),
        "koyama_lifetime_20_49": float(expit(2 * onset + 14.0)),
    }


def closed_form_simulator(scenario: Scenario, seed: int) -> tuple[dict[str, Any], list[Any]]:
    """A sweep simulator: the closed form plus a little seed noise."""
    values = {key: float(scenario_value(scenario, key)) for key in KEYS}
    noise = np.random.default_rng(seed).normal(0, 0.02, 2)
    shares = {
        name: float(expit(logit(share) + e))
        for (name, share), e in zip(closed_form(values).items(), noise, strict=True)
    }
    return {"targets": shares}, []


def closed_form_problem() -> Any:
    priors = [
        CalibrationPrior("dynamics.onset_base", "uniform", -9.5, -8.5, "assumption"),
        CalibrationPrior("dynamics.exit_base", "loguniform", 0.0075, 0.03, "assumption"),
    ]
    targets = {
        name: survey_target(name, value, (value * 0.9, value * 1.1), 10**6)
        for name, value in closed_form(TRUTH).items()
    }
    return make_problem(priors, targets, "synthetic")


def calibrate_closed_form(folder: Path, small: BayesSettings, simulator: Any = None) -> Any:
    """Run the pipeline on the closed-form problem, in this process, quietly."""
    return run_bayesian_calibration(
        folder,
        Scenario(),
        closed_form_problem(),
        small,
        SerialExecutor(),
        progress=False,
        say=lambda _: None,
        simulator=simulator or closed_form_simulator,
    )


def test_the_pipeline_recovers_the_parameters_of_a_closed_form_model(tmp_path: Path) -> None:
    problem = closed_form_problem()
    small = BayesSettings(
        waves=(30, 20), candidates=4096, abc_population=400, predictive_draws=5, seed=11
    )
    result = calibrate_closed_form(tmp_path, small)
    posterior = result.posterior()
    for key, truth in TRUTH.items():
        low = weighted_quantile(posterior[key].to_numpy(), posterior["weight"].to_numpy(), 0.025)
        high = weighted_quantile(posterior[key].to_numpy(), posterior["weight"].to_numpy(), 0.975)
        assert low <= truth <= high, (key, low, high)
    # The data inform both parameters: the 95% intervals are well inside the priors.
    width = np.ptp(result.abc.unit[result.abc.weights > 0], axis=0)
    assert np.all(width < 0.9)
    assert result.waves[-1].cut.kept < 0.5
    assert result.waves[0].validation is None and result.waves[1].validation.shape == (20, 2)

    report = write_outputs(result, tmp_path, {"command": "test", "seed": 11})
    loaded = load_posterior(path=tmp_path / "posterior.parquet")
    pd.testing.assert_frame_equal(loaded, posterior)
    assert loaded.attrs["hikisim"]["representative_draw"] == report["representative"]["draw"]
    table = pd.read_csv(tmp_path / "predictive.csv")
    assert list(table["target"]) == list(problem.targets)
    assert table["published_inside"].all()
    assert table["median_inside_tolerance"].dtype == bool
    text = (tmp_path / "calibration.md").read_text(encoding="utf-8")
    assert "| median inside tolerance | published inside predictive |" in text
    for name in (
        "diagnostics.json",
        "predictive.png",
        "parameters.csv",
        "calibration.md",
        "representative.toml",
    ):
        assert (tmp_path / name).is_file(), name


def test_a_one_wave_report_has_a_well_formed_emulator_table(tmp_path: Path) -> None:
    small = BayesSettings(
        waves=(12,), candidates=1024, abc_population=100, predictive_draws=3, seed=5
    )
    result = calibrate_closed_form(tmp_path, small)
    report = write_outputs(result, tmp_path, {"command": "test", "seed": 5})
    assert set(report["emulators"]) == set(closed_form_problem().targets)
    text = (tmp_path / "calibration.md").read_text(encoding="utf-8")
    table = text.split("## Emulator checks")[1].split("\n## ")[0]
    rows = [line for line in table.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + len(closed_form_problem().targets)
    assert len({row.count("|") for row in rows}) == 1  # every row has the header's cells


def predictive_row(target: str, median: float, survey: tuple[float, float]) -> dict[str, Any]:
    """A posterior-predictive row as predictive_rows makes it, for a 1.79% target."""
    published, low, high = 0.0179, 0.0135, 0.0225
    return {
        "target": target,
        "published": published,
        "tolerance_low": low,
        "tolerance_high": high,
        "predictive_median": median,
        "predictive_low": median * 0.8,
        "predictive_high": median * 1.25,
        "emulated_low": median * 0.85,
        "emulated_high": median * 1.2,
        "survey_low": survey[0],
        "survey_high": survey[1],
        "published_inside": survey[0] <= published <= survey[1],
        "median_inside_tolerance": low <= median <= high,
    }


def test_the_predictive_table_reports_the_tolerance_criterion_beside_the_wider_one() -> None:
    # The second target passes the survey predictive interval but its median lies below
    # the tolerance: the targets file's criterion is not met, and the table says so.
    predictive = pd.DataFrame(
        [
            predictive_row("met", 0.0170, (0.012, 0.022)),
            predictive_row("missed", 0.0133, (0.00775, 0.019)),
        ]
    )
    lines = predictive_table(predictive)
    header = next(line for line in lines if line.startswith("| target"))
    cells = [cell.strip() for cell in header.strip("|").split("|")]
    column = cells.index("median inside tolerance")
    rows = {
        line.split("|")[1].strip(): [cell.strip() for cell in line.strip("|").split("|")]
        for line in lines
        if line.startswith("| met") or line.startswith("| missed")
    }
    assert rows["met"][column] == "yes" and rows["missed"][column] == "NO"
    assert rows["met"][-1] == "yes" and rows["missed"][-1] == "yes"
    assert all(len(row) == len(cells) for row in rows.values())
    assert lines[-1] == "Inside tolerance (the targets file's criterion): 1 of 2; not met: missed."


def test_a_batch_record_ignores_the_base_values_every_run_overrides() -> None:
    # Moving the defaults to the fit's own representative draw must not orphan the
    # calibration's runs; any other change of the base must.
    problem, design = closed_form_problem(), space_filling(4, 2, seed=1)
    record = batch_manifest("wave-1", problem, Scenario(), design, 7)
    moved = Scenario().with_overrides({"dynamics.onset_base": -9.1, "dynamics.exit_base": 0.02})
    assert (
        batch_manifest("wave-1", problem, moved, design, 7)["experiment_hash"]
        == (record["experiment_hash"])
    )
    assert "onset_base" not in record["experiment"]["base"]["dynamics"]
    other = Scenario().with_overrides({"dynamics.resolve_base": -4.0})
    assert (
        batch_manifest("wave-1", problem, other, design, 7)["experiment_hash"]
        != (record["experiment_hash"])
    )


def test_a_rerun_repeats_no_run_and_gives_the_same_posterior(tmp_path: Path) -> None:
    small = BayesSettings(
        waves=(12,), candidates=1024, abc_population=100, predictive_draws=3, seed=5
    )
    calls: list[int] = []

    def counting(scenario: Scenario, seed: int) -> tuple[dict[str, Any], list[Any]]:
        calls.append(seed)
        return closed_form_simulator(scenario, seed)

    first = calibrate_closed_form(tmp_path, small, counting)
    assert len(calls) == 15
    second = calibrate_closed_form(tmp_path, small, counting)
    assert len(calls) == 15  # every run was already on disk
    pd.testing.assert_frame_equal(first.posterior(), second.posterior())


def test_a_folder_of_another_calibration_is_refused(tmp_path: Path) -> None:
    calibrate_closed_form(
        tmp_path, BayesSettings(waves=(6,), candidates=256, abc_population=50, predictive_draws=1)
    )
    other = BayesSettings(waves=(7,), candidates=256, abc_population=50, predictive_draws=1)
    with pytest.raises(InputError, match="other settings"):
        calibrate_closed_form(tmp_path, other)


def test_a_missing_shipped_posterior_name_is_refused() -> None:
    with pytest.raises(InputError, match="one of japan"):
        load_posterior("atlantis")


def test_a_file_that_is_not_a_posterior_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    pd.DataFrame({"a": [1.0]}).to_parquet(path)
    with pytest.raises(InputError, match="weight column"):
        load_posterior(path=path)


def test_a_missing_posterior_file_is_named_with_what_is_allowed(tmp_path: Path) -> None:
    missing = tmp_path / "nothere.parquet"
    with pytest.raises(InputError, match="no such posterior file; give a shipped posterior") as e:
        load_posterior(path=missing)
    assert str(missing) in str(e.value) and "japan" in str(e.value)
