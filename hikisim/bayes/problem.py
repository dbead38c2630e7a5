"""What a Bayesian calibration fits: the priors, the targets, and each target's scale.

A parameter is handled on its prior's quantile scale (the unit interval), so designs,
emulators and the ABC sampler work on the unit cube whatever the priors' forms; the
priors' ``value_at`` turns a point of the cube back into scenario values.

Each target's distance scale (:func:`target_scale`) combines its sampling error, from
the survey's ``n``, with its tolerance: the tolerance is read as the figure's 95% band
(sampling error plus whatever the targets file widened it for), so its half-width over
1.96 is a standard deviation; where the binomial sampling error ``sqrt(p(1-p)/n)`` is the
larger, it is used instead. A 49-case figure therefore weighs far less than MEXT's
census, whose band is all widening.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hikisim.calibration import LEVERS, POPULATION_FACTOR
from hikisim.calibration_priors import CalibrationPrior
from hikisim.errors import InputError
from hikisim.targets import Target

NORMAL_95 = 1.959963984540054
"""The two-sided 95% quantile of the standard normal."""

TOWN = "town"
"""The measurement group of every target measured in the calibrated scenario itself."""


@dataclass(frozen=True)
class MeasurementGroup:
    """A scenario some targets are measured in, derived from the calibrated one.

    Attributes:
        name: ``town`` for the calibrated scenario itself, or the name of the target
            that needs a scenario of its own.
        overrides: Dotted overrides that define it.
        population_factor: Its population, as a multiple of the calibrated scenario's.
        targets: The targets measured in it.
    """

    name: str
    overrides: Mapping[str, Any]
    population_factor: float
    targets: tuple[str, ...]


@dataclass(frozen=True)
class CalibrationProblem:
    """The parameters, the targets and how each target is measured.

    Attributes:
        priors: The fitted parameters' priors, in column order.
        targets: The published figures, in file order.
        groups: The scenarios the targets are measured in.
    """

    priors: tuple[CalibrationPrior, ...]
    targets: Mapping[str, Target]
    groups: tuple[MeasurementGroup, ...]

    @property
    def keys(self) -> list[str]:
        """The fitted parameters' dotted keys."""
        return [prior.key for prior in self.priors]

    @property
    def target_names(self) -> list[str]:
        """The targets' names, in file order."""
        return list(self.targets)

    def values(self, unit: Sequence[float]) -> dict[str, float]:
        """Scenario overrides at a point of the unit cube.

        Args:
            unit: One prior quantile per parameter.

        Returns:
            Dotted key -> value.
        """
        return {
            prior.key: float(prior.value_at(q)) for prior, q in zip(self.priors, unit, strict=True)
        }

    def unit(self, values: Mapping[str, float]) -> np.ndarray:
        """The unit-cube point of parameter values (the inverse of :meth:`values`)."""
        return np.array([float(prior.quantile_of(values[prior.key])) for prior in self.priors])

    def observed(self) -> np.ndarray:
        """The published values, in target order."""
        return np.array([target.value for target in self.targets.values()])

    def scales(self) -> np.ndarray:
        """Each target's standard deviation for the distance (:func:`target_scale`)."""
        return np.array([target_scale(target) for target in self.targets.values()])


def target_scale(target: Target) -> float:
    """A target's standard deviation: the larger of its sampling error and tolerance.

    Args:
        target: The published figure.

    Returns:
        ``max(sqrt(p(1-p)/n), mean tolerance half-width / 1.96)``; asymmetric
        tolerances are averaged, since the sampler's kernel is symmetric.
    """
    p = target.value
    sampling = math.sqrt(p * (1.0 - p) / target.n)
    low, high = target.tolerance
    half_width = ((high - p) + (p - low)) / 2.0
    return max(sampling, half_width / NORMAL_95)


def measurement_groups(targets: Mapping[str, Target]) -> tuple[MeasurementGroup, ...]:
    """Group the targets by the scenario they are measured in.

    A target whose point-fit lever declares its own measurement scenario (the NEET
    share at 20, measured in a town six times as large) gets a group of its own;
    every other target is measured in the calibrated scenario (``town``).

    Args:
        targets: The targets.

    Returns:
        ``town`` first (if any target needs it), then the special groups.
    """
    special = {
        lever.target: lever for lever in LEVERS if lever.overrides or lever.population_factor != 1.0
    }
    town = tuple(name for name in targets if name not in special)
    groups = [MeasurementGroup(TOWN, {}, 1.0, town)] if town else []
    for name in targets:
        if name in special:
            lever = special[name]
            groups.append(
                MeasurementGroup(name, dict(lever.overrides), lever.population_factor, (name,))
            )
    return tuple(groups)


def make_problem(
    priors: Sequence[CalibrationPrior], targets: Mapping[str, Target], source: str
) -> CalibrationProblem:
    """Check and assemble a calibration problem.

    Args:
        priors: The fitted parameters' priors.
        targets: The published figures.
        source: The targets file, for error messages.

    Returns:
        The problem.

    Raises:
        InputError: If there are no targets, or a target's value is 0 or 1 (its
            emulator works on the logit scale).
    """
    if not targets:
        raise InputError("no targets to calibrate against", source)
    for name, target in targets.items():
        if not 0.0 < target.value < 1.0:
            raise InputError(
                f"{target.value!r} is not allowed: a calibration target must lie strictly "
                "between 0 and 1",
                source,
                f"{name}.value",
            )
    return CalibrationProblem(tuple(priors), dict(targets), measurement_groups(targets))


def group_overrides(group: MeasurementGroup, youths: int) -> dict[str, Any]:
    """The overrides that turn the calibrated scenario into a group's scenario.

    Args:
        group: The measurement group.
        youths: The calibrated scenario's population size.

    Returns:
        Dotted overrides, with the population scaled by the group's factor.
    """
    overrides = dict(group.overrides)
    if group.population_factor != 1.0:
        overrides["population.youths"] = round(youths * group.population_factor)
    return overrides


__all__ = [
    "POPULATION_FACTOR",
    "TOWN",
    "CalibrationProblem",
    "MeasurementGroup",
    "group_overrides",
    "make_problem",
    "measurement_groups",
    "target_scale",
]
