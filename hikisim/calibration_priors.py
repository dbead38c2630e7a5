"""Priors of the Bayesian calibration: which parameters it fits, and over what.

The packaged file ``hikisim/data/calibration_priors.toml`` lists the parameters the Morris
screen of the targets kept (``experiments/calibration_screen.toml``), each with a uniform
or log-uniform prior, its support and the reason for it. This module reads and checks
that file and maps uniform quantiles to parameter values, so a sampler can draw from the
priors without knowing their forms.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from hikisim.datafile import read_data_file
from hikisim.errors import InputError
from hikisim.scenario import Scenario, scenario_value

DISTRIBUTIONS = ("uniform", "loguniform")
FIELDS = ("distribution", "min", "max", "source", "influence")


@dataclass(frozen=True)
class CalibrationPrior:
    """One fitted parameter's prior.

    Attributes:
        key: Dotted scenario key, e.g. ``dynamics.exit_base``.
        distribution: ``uniform``, or ``loguniform`` (uniform in the logarithm).
        low: Lower end of the support.
        high: Upper end of the support.
        source: Why this support: a published figure, or "assumption".
        influence: The Morris screen's largest influence of the parameter, if recorded.
    """

    key: str
    distribution: str
    low: float
    high: float
    source: str
    influence: float | None = None

    def value_at(self, quantile: float | np.ndarray) -> float | np.ndarray:
        """The parameter value at a prior quantile in [0, 1] (values outside are clipped).

        Args:
            quantile: One quantile or an array of them.

        Returns:
            The value (or values) of the same shape.
        """
        q = np.asarray(quantile, dtype=float)
        if self.distribution == "loguniform":
            low, high = math.log(self.low), math.log(self.high)
            values = np.exp(low + q * (high - low))
        else:
            values = self.low + q * (self.high - self.low)
        # Rounding at the ends must not step outside the support.
        values = np.clip(values, self.low, self.high)
        return float(values) if values.ndim == 0 else values

    def quantile_of(self, value: float | np.ndarray) -> float | np.ndarray:
        """The prior quantile of a value in the support (the inverse of :meth:`value_at`)."""
        v = np.asarray(value, dtype=float)
        if self.distribution == "loguniform":
            low, high = math.log(self.low), math.log(self.high)
            q = (np.log(v) - low) / (high - low)
        else:
            q = (v - self.low) / (self.high - self.low)
        return float(q) if q.ndim == 0 else q

    def density(self, value: float) -> float:
        """The prior density at a value (0 outside the support)."""
        if not self.low <= value <= self.high:
            return 0.0
        if self.distribution == "loguniform":
            return 1.0 / (value * (math.log(self.high) - math.log(self.low)))
        return 1.0 / (self.high - self.low)


def default_priors_path() -> Path:
    """The calibration priors shipped with the package."""
    return Path(str(resources.files("hikisim") / "data" / "calibration_priors.toml"))


def load_calibration_priors(path: str | Path | None = None) -> list[CalibrationPrior]:
    """Read and check a calibration priors file.

    Args:
        path: A priors file; the packaged one by default.

    Returns:
        The priors, in file order.

    Raises:
        InputError: If the file cannot be read, or an entry is not a numeric scenario
            key with a valid distribution, an ordered support inside the key's allowed
            range, and a source.
    """
    source = Path(path) if path is not None else default_priors_path()
    data = read_data_file(source, "calibration priors")
    unknown = sorted(set(data) - {"priors"})
    if unknown:
        # A stray key or table would be ignored silently; a typo of [priors] among them.
        raise InputError(
            "unknown key or table (allowed: a [priors] table only)", str(source), unknown[0]
        )
    entries = data.get("priors")
    if not isinstance(entries, dict) or not entries:
        raise InputError("needs a [priors] table with at least one entry", str(source), "priors")
    defaults = Scenario()
    return [_parse(key, entry, str(source), defaults) for key, entry in entries.items()]


def _parse(key: str, entry: Any, source: str, defaults: Scenario) -> CalibrationPrior:
    field = f"priors.{key}"
    if not isinstance(entry, dict):
        raise InputError("must be a table", source, field)
    if any(isinstance(value, dict) for value in entry.values()):
        # [priors.dynamics.exit_base] nests tables instead of naming one dotted key.
        raise InputError('quote the dotted key, as in [priors."dynamics.exit_base"]', source, field)
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise InputError(
            f"unknown field {unknown[0]!r} (allowed: {', '.join(FIELDS)})", source, field
        )
    distribution = entry.get("distribution")
    if distribution not in DISTRIBUTIONS:
        raise InputError(
            f"distribution must be one of {', '.join(DISTRIBUTIONS)}",
            source,
            f"{field}.distribution",
        )
    low, high = (_number(entry.get(end), source, f"{field}.{end}") for end in ("min", "max"))
    if not low < high:
        raise InputError("min must be below max", source, field)
    if distribution == "loguniform" and low <= 0:
        raise InputError("a loguniform prior needs min > 0", source, f"{field}.min")
    text = entry.get("source")
    if not isinstance(text, str) or not text.strip():
        raise InputError("needs a source (a reference, or 'assumption')", source, f"{field}.source")
    _check_key(key, (low, high), source, field, defaults)
    influence = entry.get("influence")
    return CalibrationPrior(
        key,
        distribution,
        low,
        high,
        text,
        None if influence is None else _number(influence, source, f"{field}.influence"),
    )


def _number(raw: Any, source: str, field: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise InputError("must be a finite number", source, field)
    return float(raw)


def _check_key(
    key: str, support: Sequence[float], source: str, field: str, defaults: Scenario
) -> None:
    try:
        node = scenario_value(defaults, key)
    except AttributeError:
        node = None
    if isinstance(node, bool) or not isinstance(node, int | float):
        raise InputError("is not a numeric scenario key", source, field)
    if isinstance(node, int):
        # A continuous prior would propose values between whole numbers.
        raise InputError(
            "is a whole-number key; only real-valued keys can be fitted", source, field
        )
    for end, value in zip(("min", "max"), support, strict=True):
        try:
            defaults.with_overrides({key: value})
        except (InputError, ValidationError):
            raise InputError(
                f"{value:g} is outside the values the scenario allows", source, f"{field}.{end}"
            ) from None
