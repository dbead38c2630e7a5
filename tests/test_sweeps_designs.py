"""Designs and run plans: SALib's sample counts, seeding policy and deterministic run ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hikisim.sweeps.designs import build_design
from hikisim.sweeps.experiment import Experiment
from hikisim.sweeps.plan import build_plan, derive_seed, make_run_id

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
WEIGHTS = [
    "individual.introversion_weight",
    "individual.trauma_weight",
    "family.neglect_weight",
    "family.overprotection_weight",
    "school.climate_weight",
]


def experiment(method: str, dims: int, replicates: int = 1, **design: Any) -> Experiment:
    if method == "grid":
        parameters: dict[str, Any] = {
            name: [0.1 * (k + 1) for k in range(i + 2)] for i, name in enumerate(WEIGHTS[:dims])
        }
    else:
        parameters = {name: {"min": 0.0, "max": 1.0} for name in WEIGHTS[:dims]}
    return Experiment.model_validate(
        {
            "scenario": BASELINE,
            "replicates": replicates,
            "outcomes": ["prevalence_15_39"],
            "design": {"method": method, **design},
            "parameters": parameters,
        }
    )


@pytest.mark.parametrize(
    ("method", "dims", "design", "rows"),
    [
        ("sobol", 3, {"samples": 8, "second_order": True}, 8 * (2 * 3 + 2)),
        ("sobol", 3, {"samples": 8}, 8 * (3 + 2)),
        ("sobol", 5, {"samples": 16, "second_order": True}, 16 * (2 * 5 + 2)),
        ("morris", 4, {"samples": 6}, 6 * (4 + 1)),
        ("morris", 5, {"samples": 10, "levels": 6}, 10 * (5 + 1)),
        ("lhs", 3, {"samples": 17}, 17),
        ("grid", 3, {}, 2 * 3 * 4),
    ],
)
@pytest.mark.parametrize("replicates", [1, 3])
def test_sample_counts_match_salib_formulas(
    method: str, dims: int, design: dict[str, Any], rows: int, replicates: int
) -> None:
    exp = experiment(method, dims, replicates, **design)
    built = build_design(exp)
    plan = build_plan(exp, built)
    assert built.rows == rows
    assert len(plan.row_run_ids) == rows
    assert sum(len(ids) for ids in plan.row_run_ids) == rows * replicates
    # Coinciding design rows share a run, so the distinct runs never exceed the design.
    assert len(set(plan.run_ids)) == len(plan.runs) <= rows * replicates
    assert {run_id for ids in plan.row_run_ids for run_id in ids} == set(plan.run_ids)


def test_sampled_points_stay_in_their_ranges_and_repeat_exactly() -> None:
    exp = Experiment.model_validate(
        {
            "scenario": BASELINE,
            "outcomes": ["prevalence_15_39"],
            "design": {"method": "lhs", "samples": 50},
            "parameters": {
                "family.neglect_weight": {"min": 0.2, "max": 0.4},
                "population.youths": {"min": 300, "max": 400},
            },
        }
    )
    first, second = build_design(exp), build_design(exp)
    assert first.points == second.points
    weights = np.array([point["family.neglect_weight"] for point in first.points])
    youths = [point["population.youths"] for point in first.points]
    assert ((weights >= 0.2) & (weights <= 0.4)).all()
    # Integer fields are rounded so that every point is a valid scenario.
    assert all(isinstance(value, int) and 300 <= value <= 400 for value in youths)


def test_common_seeding_reuses_replicate_seeds_at_every_point() -> None:
    exp = experiment("grid", 2, replicates=3)
    plan = build_plan(exp, build_design(exp))
    seeds_by_replicate: dict[int, set[int]] = {}
    for run in plan.runs:
        seeds_by_replicate.setdefault(run.replicate, set()).add(run.seed)
    assert all(len(seeds) == 1 for seeds in seeds_by_replicate.values())
    assert len({next(iter(s)) for s in seeds_by_replicate.values()}) == 3


def test_independent_seeding_gives_every_run_its_own_seed() -> None:
    exp = experiment("grid", 2, replicates=3).model_copy(update={"seeding": "independent"})
    plan = build_plan(exp, build_design(exp))
    assert len({run.seed for run in plan.runs}) == len(plan.runs) == 6 * 3


def test_seeds_are_deterministic_distinct_and_in_range() -> None:
    seeds = [derive_seed(20261125, replicate) for replicate in range(200)]
    assert seeds == [derive_seed(20261125, replicate) for replicate in range(200)]
    assert len(set(seeds)) == 200
    assert all(0 <= seed < 2**63 for seed in seeds)
    assert derive_seed(1, 0) != derive_seed(2, 0)


def test_run_id_depends_on_parameters_replicate_seed_and_version() -> None:
    base = make_run_id({"a.b": 0.5, "c.d": 1}, 0, 42, "1.0")
    assert base == make_run_id({"c.d": 1, "a.b": 0.5}, 0, 42, "1.0")
    variants = {
        make_run_id({"a.b": 0.51, "c.d": 1}, 0, 42, "1.0"),
        make_run_id({"a.b": 0.5, "c.d": 1}, 1, 42, "1.0"),
        make_run_id({"a.b": 0.5, "c.d": 1}, 0, 43, "1.0"),
        make_run_id({"a.b": 0.5, "c.d": 1}, 0, 42, "1.1"),
    }
    assert base not in variants and len(variants) == 4


def test_plans_are_identical_across_calls() -> None:
    exp = experiment("morris", 3, replicates=2, samples=4)
    first = build_plan(exp, build_design(exp))
    second = build_plan(exp, build_design(exp))
    assert first.run_ids == second.run_ids
    assert first.row_run_ids == second.row_run_ids
