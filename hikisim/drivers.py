"""Time-varying drivers: calendar series of the society the youths live in.

A driver is data, a value series over calendar time with its source (internet use, the
job-openings ratio, the COVID-19 restrictions, national policy on school refusal). How
strongly a driver moves the hazards is a model parameter, not part of the driver. The
series live in ``hikisim/data/drivers.toml``; :func:`load_drivers` reads and checks them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np

from hikisim.datafile import read_data_file
from hikisim.errors import InputError

__all__ = ["DRIVER_NAMES", "Driver", "default_path", "load_drivers", "read_series"]

#: The drivers the model reads; every drivers file must define them all.
DRIVER_NAMES: Final = ("internet_use", "job_openings_ratio", "covid", "school_refusal_policy")

BEFORE_RULES: Final = ("first value", "zero")
AFTER_RULES: Final = ("last value", "zero")
INTERPOLATIONS: Final = ("linear", "step")
CONFIDENCES: Final = ("A", "B", "C")
_TEXT_FIELDS: Final = ("description", "unit", "source", "confidence", "before", "after")
_FIELDS: Final = frozenset((*_TEXT_FIELDS, "interpolation", "years", "values"))

# Bounds the values of the known drivers must respect: shares and intensities are
# fractions, ratios and step counts cannot be negative.
_BOUNDS: Final[dict[str, tuple[float, float]]] = {
    "internet_use": (0.0, 1.0),
    "covid": (0.0, 1.0),
    "job_openings_ratio": (0.0, math.inf),
    "school_refusal_policy": (0.0, math.inf),
}


@dataclass(frozen=True, eq=False)
class Driver:
    """One driver's value series and how it is read between and outside its points.

    Attributes:
        name: The driver's key, e.g. ``"internet_use"``.
        description: What the value measures.
        unit: The value's unit.
        source: Where the values come from.
        confidence: ``"A"`` (primary source), ``"B"`` (secondary) or ``"C"`` (recalled).
        before: ``"first value"`` or ``"zero"``: the value before the first point.
        after: ``"last value"`` or ``"zero"``: the value after the last point.
        years: Calendar years of the points, strictly increasing (read-only float64).
        values: The value at each point (read-only float64).
        interpolation: ``"linear"`` between points, or ``"step"``: each value holds
            until the next point.
    """

    name: str
    description: str
    unit: str
    source: str
    confidence: str
    before: str
    after: str
    years: np.ndarray
    values: np.ndarray
    interpolation: str = "linear"

    def at(self, year: float) -> float:
        """The driver's value at one calendar time.

        Args:
            year: Calendar time as a float year (2020.25 is the start of April 2020).

        Returns:
            The interpolated value, or the ``before``/``after`` rule outside the points.
        """
        return float(self.evaluate(np.array([year], dtype=np.float64))[0])

    def on_weeks(self, years: np.ndarray) -> np.ndarray:
        """The driver's value at many calendar times, e.g. the weeks of a run.

        Args:
            years: Calendar times as float years, any shape.

        Returns:
            float32 values of the same shape, as :meth:`at` gives them one by one.
        """
        return self.evaluate(np.asarray(years, dtype=np.float64)).astype(np.float32)

    def evaluate(self, t: np.ndarray) -> np.ndarray:
        """The driver's value at float64 times ``t``, in float64 (element by element)."""
        if self.interpolation == "step":
            index = np.searchsorted(self.years, t, side="right") - 1
            inside = self.values[np.clip(index, 0, self.values.size - 1)]
        else:
            inside = np.interp(t, self.years, self.values)
        before = self.values[0] if self.before == "first value" else 0.0
        after = self.values[-1] if self.after == "last value" else 0.0
        return np.where(t < self.years[0], before, np.where(t > self.years[-1], after, inside))


def default_path() -> Path:
    """The drivers file packaged with hikisim."""
    return Path(str(resources.files("hikisim") / "data" / "drivers.toml"))


def load_drivers(path: Path | None = None) -> dict[str, Driver]:
    """Read and check a drivers file.

    Args:
        path: A TOML file with one table per driver; the packaged file by default.

    Returns:
        The drivers by name, in file order.

    Raises:
        InputError: If the file cannot be read, lacks a driver, or a field is malformed;
            the message names the file, the driver, the field and what is allowed.
    """
    path = Path(path) if path is not None else default_path()
    data = read_data_file(path, "drivers")
    missing = [name for name in DRIVER_NAMES if name not in data]
    if missing:
        raise InputError(f"lacks drivers: {', '.join(missing)}", str(path))
    return {name: read_series(name, table, str(path)) for name, table in data.items()}


def read_series(name: str, table: Any, source: str) -> Driver:
    """Build one driver, or any series in a driver's format, from its TOML table.

    Other data files with calendar series (``hikisim/data/parents.toml``) use the same
    fields and this same check.

    Args:
        name: The series' key, used in error messages (and for the known drivers' bounds).
        table: The TOML table: description, unit, source, confidence, before, after,
            years, values and optionally interpolation.
        source: The file it came from, for error messages.

    Returns:
        The series.

    Raises:
        InputError: If a field is missing or malformed, naming the file, the series and
            the field.
    """

    def fail(field: str, message: str) -> InputError:
        return InputError(message, source, f"{name}.{field}" if field else name)

    if not isinstance(table, dict):
        raise fail("", "must be a table with description, unit, source, ..., years, values")
    unknown = sorted(set(table) - _FIELDS)
    if unknown:
        raise fail(unknown[0], f"unknown field; allowed: {', '.join(sorted(_FIELDS))}")
    for field in (*_TEXT_FIELDS, "years", "values"):
        if field not in table:
            raise fail(field, "is missing")
    for field in _TEXT_FIELDS:
        if not isinstance(table[field], str) or not table[field].strip():
            raise fail(field, "must be a non-empty string")
    interpolation = table.get("interpolation", "linear")
    for field, value, allowed in (
        ("confidence", table["confidence"], CONFIDENCES),
        ("before", table["before"], BEFORE_RULES),
        ("after", table["after"], AFTER_RULES),
        ("interpolation", interpolation, INTERPOLATIONS),
    ):
        if value not in allowed:
            raise fail(field, f"is {value!r}; allowed: {', '.join(map(repr, allowed))}")
    years = _numbers(table["years"], lambda message: fail("years", message))
    values = _numbers(table["values"], lambda message: fail("values", message))
    if years.size != values.size:
        raise fail("values", f"has {values.size} entries; years has {years.size}, must match")
    steps = np.flatnonzero(np.diff(years) <= 0)
    if steps.size:
        i = int(steps[0])
        raise fail("years", f"must be strictly increasing ({years[i]} then {years[i + 1]})")
    low, high = _BOUNDS.get(name, (-math.inf, math.inf))
    outside = np.flatnonzero((values < low) | (values > high))
    if outside.size:
        value = values[int(outside[0])]
        raise fail("values", f"must lie within {low}..{high}; {value} does not")
    years.setflags(write=False)
    values.setflags(write=False)
    text = {field: table[field] for field in _TEXT_FIELDS}
    return Driver(name=name, **text, years=years, values=values, interpolation=interpolation)


def _numbers(raw: Any, fail: Callable[[str], InputError]) -> np.ndarray:
    """A non-empty list of finite numbers as a float64 array, or ``fail(message)`` raised."""
    if not isinstance(raw, list) or not raw:
        raise fail("must be a non-empty list of numbers")
    if any(isinstance(item, bool) or not isinstance(item, int | float) for item in raw):
        raise fail("must hold numbers only")
    array = np.array(raw, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise fail("must hold finite numbers only (no nan or inf)")
    return array
