"""Shared burn-in: one burn-in per replicate, forked per scenario, byte-identical results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from processes import BASELINE, REPO, TINY, hikisim, set_options

from hikisim.metrics import summarize
from hikisim.model import HikiModel, all_share_burn_in, without_programmes
from hikisim.scenario import Scenario, load_scenario
from hikisim.simulation import run_model, run_models_sharing_burn_in

SCENARIO_FILES = sorted((REPO / "scenarios").glob("*.toml"))
SMALL = {"population.youths": 600, "run.burn_in_years": 3, "run.years": 2}


def outputs(model: HikiModel) -> tuple[str, str, str]:
    """Everything ``hikisim run`` writes, as text."""
    summary = json.dumps(summarize(model), sort_keys=True)
    weekly = model.datacollector.get_model_vars_dataframe().to_csv()
    episodes = model.episode_log.to_frame(model.horizon_start).to_csv()
    return summary, weekly, episodes


def test_every_shipped_scenario_forks_to_the_same_run_as_from_the_start() -> None:
    scenarios = [load_scenario(path, **SMALL) for path in SCENARIO_FILES]
    assert all_share_burn_in(scenarios)
    forked = run_models_sharing_burn_in(scenarios, seed=21)
    for scenario, model in zip(scenarios, forked, strict=True):
        alone = run_model(scenario, 21)
        assert model.settings.name == scenario.name
        assert outputs(model) == outputs(alone), scenario.name


def test_a_fork_differs_from_its_siblings_where_programmes_act() -> None:
    scenarios = [
        load_scenario(REPO / "scenarios" / f"{n}.toml", **SMALL)
        for n in ("baseline", "comprehensive")
    ]
    baseline, comprehensive = run_models_sharing_burn_in(scenarios, seed=4)
    assert summarize(comprehensive)["cost_total"] > 0 == summarize(baseline)["cost_total"]
    assert outputs(baseline) != outputs(comprehensive)


def test_scenarios_that_differ_beyond_programmes_are_not_forked() -> None:
    base = Scenario().with_overrides(SMALL)
    other = base.with_overrides({"dynamics.peer_weight": 1.0})
    assert not all_share_burn_in([base, other])
    trunk = HikiModel(without_programmes(base), seed=1)
    with pytest.raises(ValueError, match="beyond its programmes"):
        trunk.fork(other)
    trunk.run()
    with pytest.raises(ValueError, match="start of its horizon"):
        trunk.fork(base)


def test_compare_with_and_without_shared_burn_in_gives_identical_tables(tmp_path: Path) -> None:
    common = [
        BASELINE, REPO / "scenarios" / "school_prevention.toml",
        REPO / "scenarios" / "family_support.toml", REPO / "scenarios" / "comprehensive.toml",
        "--replicates", "2", "--psa", "2", *set_options(TINY),
    ]  # fmt: skip
    shared = hikisim("compare", *common, "--out", tmp_path / "shared", cwd=tmp_path)
    apart = hikisim(
        "compare", *common, "--no-shared-burn-in", "--out", tmp_path / "apart", cwd=tmp_path
    )
    assert shared.returncode == 0, shared.stderr
    assert apart.returncode == 0, apart.stderr
    for name in ("comparison.csv", "runs.csv", "ceac.csv", "evpi.csv", "evppi.csv"):
        assert (tmp_path / "shared" / name).read_bytes() == (
            tmp_path / "apart" / name
        ).read_bytes(), name
