"""The posteriors shipped with the package, and the scenarios built from them."""

from __future__ import annotations

import numpy as np
import pytest
from processes import REPO

from hikisim.bayes.abc_smc import effective_sample_size
from hikisim.calibration import POSTERIORS, load_posterior
from hikisim.calibration_priors import load_calibration_priors
from hikisim.scenario import Scenario, scenario_value
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
