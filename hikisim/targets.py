"""The calibration targets (version 2): published figures and how their sources measured them.

The targets ship with the package as ``hikisim/data/targets-v2.toml``, a copy of the
project's ``calibration/targets-v2.toml``. Each ``[name]`` table gives the published value
and its tolerance, plus everything :mod:`hikisim.surveys` needs to measure the model the
way the source measured people: the date of the fieldwork, the age band, the case
definition and what is counted. A bad file raises :class:`~hikisim.errors.InputError`
naming the file, the target and the field.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from hikisim.errors import InputError

DEFINITIONS = ("cao_broad", "cao_narrow", "koyama", "seed", "mext")
"""The case definitions a target may use (described at the top of the targets file)."""
CONFIDENCES = ("A", "B", "C")
FIELDS = (
    "value",
    "tolerance",
    "date",
    "ages",
    "definition",
    "measure",
    "n",
    "confidence",
    "source",
)
# The model's population spans ages 10-64, so no band outside it can be measured.
MIN_AGE = 10
MAX_AGE = 64
_DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class Target:
    """A published figure, with how its source measured it.

    Attributes:
        name: The target's table name in the targets file.
        value: The published figure, a fraction in 0..1.
        tolerance: Lowest and highest acceptable model mean (they bracket ``value``).
        date: Fieldwork date, ``"YYYY-MM"``.
        ages: Lowest and highest age of the measured band, inclusive (whole years).
        definition: The case definition, one of :data:`DEFINITIONS`.
        measure: What is counted, in words.
        n: Respondents (or cases) behind the figure.
        confidence: ``"A"`` (primary source), ``"B"`` (secondary reporting) or ``"C"``
            (recalled).
        source: Where the figure comes from.
    """

    name: str
    value: float
    tolerance: tuple[float, float]
    date: str
    ages: tuple[int, int]
    definition: str
    measure: str
    n: int
    confidence: str
    source: str

    def inside(self, mean: float) -> bool:
        """Whether a model value lies within the tolerance (NaN never does)."""
        return self.tolerance[0] <= mean <= self.tolerance[1]

    def distance(self, mean: float) -> float:
        """Signed distance from the published value, in tolerance half-widths.

        The tolerance may be asymmetric, so the half-width on the side of ``mean`` is
        used: -1 and +1 are the tolerance bounds.
        """
        low, high = self.tolerance
        width = (high - self.value) if mean >= self.value else (self.value - low)
        return (mean - self.value) / width if width > 0 else math.inf


def default_targets_path() -> Path:
    """The targets file shipped with the package."""
    return Path(str(resources.files("hikisim") / "data" / "targets-v2.toml"))


def load_targets(path: Path | None = None) -> dict[str, Target]:
    """Read and validate a targets file.

    Args:
        path: A targets file; the packaged ``targets-v2.toml`` by default.

    Returns:
        The targets keyed by name, in file order.

    Raises:
        InputError: If the file cannot be read or parsed, or a target is invalid; the
            message names the file, the target and the field.
    """
    source = Path(path) if path is not None else default_targets_path()
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"cannot read targets: {error}", str(source)) from None
    if not data:
        raise InputError("no targets", str(source))
    return {name: parse_target(name, table, str(source)) for name, table in data.items()}


def parse_target(name: str, table: Any, source: str = "targets") -> Target:
    """Validate one ``[name]`` table of a targets file.

    Args:
        name: The table name.
        table: Its contents.
        source: The file it came from, for error messages.

    Returns:
        The Target.

    Raises:
        InputError: If a field is missing, unknown or out of range.
    """
    if not isinstance(table, dict):
        raise InputError("must be a table [name] of target fields", source, name)
    missing = [key for key in FIELDS if key not in table]
    if missing:
        raise InputError(f"missing {', '.join(missing)}", source, name)
    unknown = sorted(set(table) - set(FIELDS))
    if unknown:
        raise InputError(
            f"unknown field (allowed: {', '.join(FIELDS)})", source, f"{name}.{unknown[0]}"
        )

    def fail(field: str, allowed: str) -> InputError:
        return InputError(
            f"{table[field]!r} is not allowed: must be {allowed}", source, f"{name}.{field}"
        )

    value = _fraction(table["value"])
    if value is None:
        raise fail("value", "a number in 0..1")
    tolerance = _pair(table["tolerance"], _fraction)
    if tolerance is None or not tolerance[0] <= value <= tolerance[1]:
        raise fail("tolerance", f"[lo, hi] in 0..1 with lo <= {value} <= hi")
    date = table["date"]
    if not isinstance(date, str) or not _DATE.fullmatch(date):
        raise fail("date", 'a string "YYYY-MM" with month 01-12')
    ages = _pair(table["ages"], _age)
    if ages is None or ages[0] > ages[1]:
        raise fail("ages", f"[lo, hi] whole years in {MIN_AGE}..{MAX_AGE}, lo <= hi")
    if table["definition"] not in DEFINITIONS:
        raise fail("definition", f"one of {', '.join(DEFINITIONS)}")
    n = table["n"]
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise fail("n", "a whole number >= 1")
    if table["confidence"] not in CONFIDENCES:
        raise fail("confidence", f"one of {', '.join(CONFIDENCES)}")
    for field in ("measure", "source"):
        if not isinstance(table[field], str) or not table[field].strip():
            raise fail(field, "a non-empty string")
    return Target(
        name=name,
        value=value,
        tolerance=tolerance,
        date=date,
        ages=ages,
        definition=table["definition"],
        measure=table["measure"],
        n=n,
        confidence=table["confidence"],
        source=table["source"],
    )


def _fraction(raw: Any) -> float | None:
    """``raw`` as a float in 0..1, or None (TOML booleans are not numbers here)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    value = float(raw)
    return value if 0.0 <= value <= 1.0 else None


def _age(raw: Any) -> int | None:
    """``raw`` as a whole age in the model's range, or None."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None
    return raw if MIN_AGE <= raw <= MAX_AGE else None


def _pair[T](raw: Any, convert: Callable[[Any], T | None]) -> tuple[T, T] | None:
    """A two-element list converted element-wise, or None if any element fails."""
    if not isinstance(raw, list) or len(raw) != 2:
        return None
    first, second = convert(raw[0]), convert(raw[1])
    if first is None or second is None:
        return None
    return first, second
