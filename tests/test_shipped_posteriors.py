"""The posteriors shipped with the package, and the scenarios built from them."""

from __future__ import annotations

import numpy as np
import pytest
from processes import REPO

from hikisim.bayes.abc_smc import effective_sample_size
from hikisim.calibration import POSTERIORS, load_posterior
from hikisim.calibration_priors import load_calibration_priors
from hikisim.scenario import Scenario, load_scenario, scenario_value
from hikisim.surveys import check_measurable
from hikisim.targets import load_targets

REGIONAL = {"hong_kong": "targets-hong-kong.toml", "italy": "targets-italy.toml"}


@pytest.mark.parametrize("name", POSTERIORS)
def test_a_shipped_posterior_is_a_weighted_sample_inside_its_priors(name: str) -> None:
    posterior = load_posterior(name)
    weights = posterior["weight"].to_numpy()
    assert np.isclose(weights.sum(), 1.0) and (weights >= 0).all()
    meta = posterior.attrs["hikisim"]
    assert meta["version"] and meta["command"].startswith("hikisim calibrate")
    assert meta["priors_file"].startswith("hikisim/data/")  # recorded portably
    priors = {prior.key: prior for prior in load_calibration_priors(REPO / meta["priors_file"])}
    assert list(posterior.columns) == ["weight", *priors]
    for key, prior in priors.items():
        assert posterior[key].between(prior.low, prior.high).all(), key


def test_the_japanese_posterior_has_the_draws_the_decision_analysis_needs() -> None:
    posterior = load_posterior("japan")
    assert len(posterior) >= 500
    assert effective_sample_size(posterior["weight"].to_numpy()) >= 200


def test_the_default_baseline_is_the_japanese_representative_draw() -> None:
    posterior = load_posterior("japan")
    draw = posterior.attrs["hikisim"]["representative_draw"]
    defaults = Scenario()
    baseline_file = load_scenario(REPO / "scenarios" / "baseline.toml")
    for key in posterior.columns.drop("weight"):
        value = float(posterior.at[draw, key])
        # Six significant figures, as written into scenario.py.
        assert scenario_value(defaults, key) == pytest.approx(value, rel=1e-5), key
        assert scenario_value(baseline_file, key) == scenario_value(defaults, key), key


@pytest.mark.parametrize("name", ["hong_kong", "italy"])
def test_a_regional_preset_is_its_fit_on_the_japanese_baseline(name: str) -> None:
    path = REPO / "scenarios" / "presets" / f"{name}.toml"
    assert "A TRANSFER" in path.read_text(encoding="utf-8")
    preset, baseline = load_scenario(path), Scenario()
    posterior = load_posterior(name)
    meta = posterior.attrs["hikisim"]
    assert meta["targets_file"] == f"hikisim/data/{REGIONAL[name]}"
    draw = meta["representative_draw"]
    fitted = list(posterior.columns.drop("weight"))
    for key in fitted:
        assert scenario_value(preset, key) == pytest.approx(
            float(posterior.at[draw, key]), rel=1e-5
        ), key
    # Everything else is the Japanese baseline's.
    fitted_free = preset.with_overrides({key: scenario_value(baseline, key) for key in fitted})
    assert fitted_free.model_dump(exclude={"name", "description"}) == baseline.model_dump(
        exclude={"name", "description"}
    )


def test_the_representative_draw_is_recorded_and_a_valid_scenario() -> None:
    posterior = load_posterior("japan")
    draw = posterior.attrs["hikisim"]["representative_draw"]
    values = {key: float(posterior.at[draw, key]) for key in posterior.columns.drop("weight")}
    scenario = Scenario().with_overrides(values)
    assert all(scenario_value(scenario, key) == value for key, value in values.items())


@pytest.mark.parametrize("name", REGIONAL.values())
def test_the_regional_targets_files_are_measurable(name: str) -> None:
    path = REPO / "hikisim" / "data" / name
    targets = load_targets(path)
    check_measurable(targets, str(path))
    assert all(target.confidence == "A" for target in targets.values())
