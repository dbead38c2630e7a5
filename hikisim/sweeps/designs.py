"""Designs: the parameter values of every design point, sampled through SALib.

Each sampled method pairs with its analysis (``SALib.sample.x`` with ``SALib.analyze.x``):

========  ==========================  =======================
method    design rows                 analysis
========  ==========================  =======================
grid      product of list lengths     none (a plain sweep)
lhs       N                           none (a plain sweep)
sobol     N(D+2), or N(2D+2) with     Sobol S1, ST (and S2)
          second_order
morris    r(D+1)                      Morris mu*, sigma
========  ==========================  =======================
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from SALib.sample import latin, morris, sobol

from hikisim.scenario import _field_info, normalise_key
from hikisim.sweeps.experiment import Experiment, ParameterRange


@dataclass(frozen=True)
class Design:
    """The design points of an experiment.

    Attributes:
        method: The design method.
        names: The varied parameters, in column order.
        points: One dict of parameter values per design row, ready as scenario
            overrides (integer fields are rounded).
        matrix: The raw SALib sample, one row per design row, or None for grids.
        problem: The SALib problem definition, or None for grids.
    """

    method: str
    names: list[str]
    points: list[dict[str, Any]]
    matrix: np.ndarray | None
    problem: dict[str, Any] | None

    @property
    def rows(self) -> int:
        """Number of design rows."""
        return len(self.points)


def salib_problem(experiment: Experiment) -> dict[str, Any]:
    """The SALib problem dict for an experiment whose parameters are all ranges."""
    ranges = experiment.parameters.values()
    return {
        "num_vars": len(experiment.parameters),
        "names": experiment.parameter_names,
        "bounds": [[spec.min, spec.max] for spec in ranges if isinstance(spec, ParameterRange)],
    }


def build_design(experiment: Experiment) -> Design:
    """Sample the design points of an experiment.

    Sampling is seeded with the experiment's base seed, so the same file always gives
    the same design.

    Args:
        experiment: A validated experiment.

    Returns:
        The design.
    """
    names = experiment.parameter_names
    if experiment.design.method == "grid":
        levels = [list(spec) for spec in experiment.parameters.values()]  # type: ignore[arg-type]
        points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*levels)]
        return Design("grid", names, points, None, None)
    problem = salib_problem(experiment)
    matrix = _sample(experiment, problem)
    integer = [_is_integer_field(name) for name in names]
    points = [
        {
            name: round(float(value)) if is_int else float(value)
            for name, value, is_int in zip(names, row, integer, strict=True)
        }
        for row in matrix
    ]
    return Design(experiment.design.method, names, points, matrix, problem)


def _sample(experiment: Experiment, problem: dict[str, Any]) -> np.ndarray:
    design = experiment.design
    samples = design.samples or 1
    seed = experiment.seed
    if design.method == "lhs":
        return latin.sample(problem, samples, seed=seed)
    if design.method == "sobol":
        return sobol.sample(problem, samples, calc_second_order=design.second_order, seed=seed)
    return morris.sample(problem, samples, num_levels=design.levels, seed=seed)


def _is_integer_field(name: str) -> bool:
    info = _field_info(tuple(normalise_key(name).split(".")))
    return getattr(info, "annotation", None) is int
