"""The posteriors shipped with the package, and the scenarios built from them."""

from __future__ import annotations

import numpy as np
import pytest
from processes import REPO

from hikisim.bayes.abc_smc import effective_sample_size
from hikisim.calibration import POSTERIORS, load_posterior
from hikisim.calibration_priors import load_calibration_priors
from hikisim.scenario import Scenario, load_scenario, scenario_value

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


def test_the_default_baseline_is_the_representative_draw_of_the_japanese_posterior() -> None:
    posterior = load_posterior("japan")
    draw = posterior.attrs["hikisim"]["representative_draw"]
    defaults = Scenario()
    for key in posterior.columns.drop("weight"):
        # scenario.py keeps six significant digits of the draw
        assert scenario_value(defaults, key) == pytest.approx(posterior.at[draw, key], rel=1e-5)
    baseline = load_scenario(REPO / "scenarios" / "baseline.toml")
    assert baseline.model_dump() == {**defaults.model_dump(), "name": "baseline",
                                     "description": baseline.description}  # fmt: skip


@pytest.mark.parametrize("name", REGIONAL)
def test_a_regional_preset_is_the_baseline_with_its_representative_draw(name: str) -> None:
    posterior = load_posterior(name)
    draw = posterior.attrs["hikisim"]["representative_draw"]
    assert posterior.attrs["hikisim"]["targets_file"] == f"hikisim/data/{REGIONAL[name]}"
    preset = load_scenario(REPO / "scenarios" / "presets" / f"{name}.toml")
    assert "transfer" in preset.description.lower()
    fitted = list(posterior.columns.drop("weight"))
    for key in fitted:
        assert scenario_value(preset, key) == pytest.approx(posterior.at[draw, key], rel=1e-5)
    # Everything else is the Japanese baseline's.
    unchanged = (
        Scenario().with_overrides({key: scenario_value(preset, key) for key in fitted}).model_dump()
    )
    assert preset.model_dump() == {**unchanged, "name": preset.name,
                                   "description": preset.description}  # fmt: skip
