"""Economic parameters: values, PSA distributions and sources, from ``economics.toml``.

Every parameter in ``hikisim/data/economics.toml`` gives a point value (the mean), a
distribution family for the PSA and its standard error; the distribution's own
parameters follow by the method of moments. Beta suits a utility, decrement or
probability (bounded in 0-1); gamma or lognormal suit costs and the gaps between
utilities (positive, skewed); "fixed" marks settings that are not sampled, and
"derived" those computed from others.

Utilities of ordered health states keep their order in every PSA draw: a worse state
names the better one it lies ``below``, and the PSA draws the gap between them (gamma,
positive), not the utility itself; a state ``between`` two others is their midpoint.
Independent draws of each utility would often put, for example, the withdrawn above the
at risk (Briggs, Claxton & Sculpher 2006, Decision Modelling for Health
Economic Evaluation, chapter 4: draw utility decrements to keep states in order).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

Distribution = Literal["beta", "gamma", "lognormal", "normal", "fixed", "derived"]
DISTRIBUTIONS: Final = ("beta", "gamma", "lognormal", "normal", "fixed", "derived")
#: Distributions a gap below a better state can take (positive, so the order holds).
GAP_DISTRIBUTIONS: Final = ("gamma", "lognormal")
#: Parameters the PSA does not draw: fixed, or computed from the drawn ones.
UNDRAWN: Final = ("fixed", "derived")
SECTIONS: Final = (
    "discounting",
    "thresholds",
    "utilities",
    "disorder_decrements",
    "programme_costs",
    "care_costs",
    "productivity",
    "disorder_active_shares",
)


def beta_from_mean_se(mean: float, se: float) -> tuple[float, float]:
    """Beta shape parameters (alpha, beta) with the given mean and standard error.

    Args:
        mean: Mean, strictly between 0 and 1.
        se: Standard error, positive and below sqrt(mean * (1 - mean)).

    Returns:
        ``(alpha, beta)`` with alpha = mean * k and beta = (1 - mean) * k, where
        k = mean * (1 - mean) / se**2 - 1.

    Raises:
        ValueError: If no beta distribution has these moments.
    """
    if not 0.0 < mean < 1.0:
        raise ValueError(f"a beta mean must lie strictly between 0 and 1, got {mean}")
    if not 0.0 < se**2 < mean * (1.0 - mean):
        raise ValueError(
            f"a beta SE must be positive and below sqrt(mean*(1-mean)) = "
            f"{math.sqrt(mean * (1 - mean)):.4g}, got {se}"
        )
    k = mean * (1.0 - mean) / se**2 - 1.0
    return mean * k, (1.0 - mean) * k


def gamma_from_mean_se(mean: float, se: float) -> tuple[float, float]:
    """Gamma (shape, scale) with the given mean and standard error.

    Args:
        mean: Mean, positive.
        se: Standard error, positive.

    Returns:
        ``(shape, scale)`` with shape = (mean / se)**2 and scale = se**2 / mean.

    Raises:
        ValueError: If mean or se is not positive.
    """
    if not (mean > 0.0 and se > 0.0):
        raise ValueError(f"a gamma needs a positive mean and SE, got {mean} and {se}")
    return (mean / se) ** 2, se**2 / mean


def lognormal_from_mean_se(mean: float, se: float) -> tuple[float, float]:
    """Lognormal (mu, sigma) of the log, giving the stated mean and standard error.

    Args:
        mean: Mean on the natural scale, positive.
        se: Standard error on the natural scale, positive.

    Returns:
        ``(mu, sigma)`` with sigma**2 = log(1 + (se / mean)**2) and
        mu = log(mean) - sigma**2 / 2.

    Raises:
        ValueError: If mean or se is not positive.
    """
    if not (mean > 0.0 and se > 0.0):
        raise ValueError(f"a lognormal needs a positive mean and SE, got {mean} and {se}")
    sigma2 = math.log1p((se / mean) ** 2)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


@dataclass(frozen=True)
class Parameter:
    """One economic parameter.

    Attributes:
        name: Dotted name, ``section.key``.
        value: Point value, also the mean of the PSA distribution.
        distribution: "beta", "gamma", "lognormal", "normal", "fixed", or "derived"
            (computed from other parameters: see ``between``).
        se: Standard error of the PSA distribution (0 when fixed).
        unit: Unit of the value.
        source: Where the value comes from, or "assumption".
        below: Key, in the same section, of a better state this one lies below; then
            the distribution and SE are those of the gap (``gap``), not of the value.
        gap: The point gap, the better state's value less this one (with ``below``).
        between: Two keys in the same section whose midpoint this one is (with
            distribution "derived").
    """

    name: str
    value: float
    distribution: Distribution
    se: float
    unit: str
    source: str
    below: str = ""
    gap: float = 0.0
    between: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(f"{self.name}: unknown distribution {self.distribution!r}")
        if not self.source.strip():
            raise ValueError(f"{self.name}: every parameter needs a source")
        if self.below and self.distribution not in GAP_DISTRIBUTIONS:
            allowed = " or ".join(GAP_DISTRIBUTIONS)
            raise ValueError(f"{self.name}: a gap below another state must be {allowed}")
        if (self.distribution == "derived") != bool(self.between):
            raise ValueError(f"{self.name}: 'derived' goes with 'between', and only with it")
        if self.distribution not in UNDRAWN:
            self.moments()  # raises if the mean and SE fit no such distribution

    @property
    def drawn_mean(self) -> float:
        """Mean of what the PSA draws: the gap below the better state, or the value."""
        return self.gap if self.below else self.value

    def moments(self) -> tuple[float, float]:
        """The distribution's own parameters from the mean and SE.

        Returns:
            (alpha, beta) for beta, (shape, scale) for gamma, (mu, sigma) for
            lognormal, and (value, 0) for fixed; of the gap for a state ``below``
            another.
        """
        mean = self.drawn_mean
        match self.distribution:
            case "beta":
                return beta_from_mean_se(mean, self.se)
            case "gamma":
                return gamma_from_mean_se(mean, self.se)
            case "lognormal":
                return lognormal_from_mean_se(mean, self.se)
            case "normal":
                return mean, self.se
            case _:
                return mean, 0.0

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        """Draw ``size`` PSA values (gaps, for a state ``below`` another).

        Args:
            rng: Random generator.
            size: Number of draws.

        Returns:
            The draws; a fixed parameter repeats its value.
        """
        first, second = self.moments()
        match self.distribution:
            case "beta":
                return rng.beta(first, second, size)
            case "gamma":
                return rng.gamma(first, second, size)
            case "lognormal":
                return rng.lognormal(first, second, size)
            case "normal":
                return rng.normal(first, second, size)
            case _:
                return np.full(size, self.value)

    def quantile(self, probability: ArrayLike) -> NDArray[np.float64]:
        """Values at given cumulative probabilities (the inverse of the distribution).

        For a state ``below`` another these are quantiles of the gap, not of the value.

        Args:
            probability: Probabilities in (0, 1).

        Returns:
            The quantiles; a fixed parameter gives its value.
        """
        first, second = self.moments()
        q = np.asarray(probability, dtype=float)
        match self.distribution:
            case "beta":
                return stats.beta.ppf(q, first, second)
            case "gamma":
                return stats.gamma.ppf(q, first, scale=second)
            case "lognormal":
                return stats.lognorm.ppf(q, second, scale=math.exp(first))
            case "normal":
                return stats.norm.ppf(q, first, second)
            case _:
                return np.full(q.shape, self.value)


@dataclass(frozen=True)
class EconomicParameters:
    """All economic parameters, by section.

    Attributes:
        sections: Section name to parameter key to :class:`Parameter`.
        currency: Currency of the costs.
        price_year: Year the costs are priced in.
        price_note: Which costs come from other years' prices, uninflated ("" if none).
    """

    sections: dict[str, dict[str, Parameter]]
    currency: str
    price_year: int
    price_note: str = ""

    def section(self, name: str) -> dict[str, Parameter]:
        """The parameters of one section."""
        return self.sections[name]

    def values(self, name: str) -> dict[str, float]:
        """Point values of one section, key to value."""
        return {key: p.value for key, p in self.sections[name].items()}

    def all(self) -> list[Parameter]:
        """Every parameter, section by section."""
        return [p for section in self.sections.values() for p in section.values()]

    def with_values(self, values: dict[str, float]) -> EconomicParameters:
        """A copy in which the named parameters (``section.key``) take new values.

        Derived parameters (``between``) follow the new values of those they are
        derived from.

        Args:
            values: New values, for example one PSA draw.

        Returns:
            The parameters with those values (distributions and sources unchanged).
        """
        sections = {}
        for name, section in self.sections.items():
            changed = {
                key: replace(p, value=float(values[p.name])) if p.name in values else p
                for key, p in section.items()
            }
            for key, p in changed.items():
                if p.between:
                    midpoint = sum(changed[other].value for other in p.between) / len(p.between)
                    changed[key] = replace(p, value=midpoint)
            sections[name] = changed
        return replace(self, sections=sections)

    def sample(
        self, rng: np.random.Generator, size: int, sections: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """PSA draws of every drawn parameter (neither fixed nor derived).

        Parameters are drawn independently, section by section and in file order,
        except that a state ``below`` a better one takes the better one's drawn value
        less an independently drawn gap, so the states keep their order in every draw.

        Args:
            rng: Random generator.
            size: Number of draws.
            sections: The sections to draw, in this order (default: all).

        Returns:
            One row per draw and one column per drawn parameter, named ``section.key``:
            values, not gaps.
        """
        drawn: dict[str, NDArray[np.float64]] = {}
        for name in self.sections if sections is None else sections:
            quantities = {
                p.name: p.sample(rng, size)
                for p in self.sections[name].values()
                if p.distribution not in UNDRAWN
            }
            drawn |= self.values_of(name, quantities)
        return pd.DataFrame(drawn)

    def values_of[T: (float, NDArray[np.float64])](
        self, section: str, quantities: dict[str, T]
    ) -> dict[str, T]:
        """The values of a section's parameters from what the PSA draws for them.

        A state ``below`` a better one is drawn as its gap: it takes the better state's
        value (as given here, or its point value if the better state is not drawn) less
        the gap, in file order, so the states keep their order.

        Args:
            section: The section.
            quantities: ``section.key`` to the drawn quantity (a gap for a state
                ``below`` another, else the value), for the parameters drawn.

        Returns:
            ``section.key`` to value, for the same parameters.
        """
        values: dict[str, T] = {}
        for p in self.sections[section].values():
            if p.name not in quantities:
                continue
            quantity = quantities[p.name]
            if p.below:
                better = self.sections[section][p.below]
                quantity = values.get(better.name, better.value) - quantity
            values[p.name] = quantity
        return values


def default_path() -> Path:
    """Path of the economics data file shipped with the package."""
    return Path(str(resources.files("hikisim") / "data" / "economics.toml"))


def load_economics(path: str | Path | None = None) -> EconomicParameters:
    """Read and validate an economics parameter file.

    Args:
        path: A TOML file; the packaged ``economics.toml`` by default.

    Returns:
        The parameters.

    Raises:
        ValueError: If a section is missing or a parameter is malformed.
    """
    with open(path or default_path(), "rb") as handle:
        data = tomllib.load(handle)
    missing = [name for name in SECTIONS if name not in data]
    if missing:
        raise ValueError(f"economics file lacks sections: {', '.join(missing)}")
    sections = {name: _section(name, data[name]) for name in SECTIONS}
    meta = data.get("meta", {})
    return EconomicParameters(
        sections=sections,
        currency=str(meta.get("currency", "JPY")),
        price_year=int(meta.get("price_year", 0)),
        price_note=str(meta.get("price_note", "")),
    )


def _section(name: str, entries: dict[str, Any]) -> dict[str, Parameter]:
    """Build one section, checking that ``below`` and ``between`` name earlier keys."""
    section: dict[str, Parameter] = {}
    for key, entry in entries.items():
        dotted = f"{name}.{key}"
        references = [entry.get("below", "")] if isinstance(entry, dict) else []
        references += list(entry.get("between", ())) if isinstance(entry, dict) else []
        unknown = [ref for ref in references if ref and ref not in section]
        if unknown:
            raise ValueError(
                f"{dotted}: 'below' and 'between' must name keys listed before it in "
                f"[{name}], got {', '.join(map(repr, unknown))}"
            )
        # A gap is drawn below the better state's drawn value; a derived state has none
        # when the gaps are drawn.
        better = section.get(str(entry.get("below", ""))) if isinstance(entry, dict) else None
        if better is not None and better.distribution == "derived":
            raise ValueError(f"{dotted}: 'below' cannot name a derived state")
        section[key] = _parameter(dotted, entry, section)
    return section


def _parameter(name: str, entry: object, earlier: dict[str, Parameter]) -> Parameter:
    """Build a parameter from one TOML table, given the section's earlier parameters."""
    if not isinstance(entry, dict):
        raise ValueError(f"{name} must be a table with value, distribution, se and source")
    unknown = set(entry) - {"value", "distribution", "se", "unit", "source", "below", "between"}
    if unknown or "value" not in entry or "source" not in entry:
        raise ValueError(f"{name}: needs value and source, unknown keys {sorted(unknown)}")
    distribution = entry.get("distribution", "fixed")
    value = float(entry["value"])
    below = str(entry.get("below", ""))
    between = tuple(str(key) for key in entry.get("between", ()))
    gap = earlier[below].value - value if below else 0.0
    if below and gap <= 0.0:
        raise ValueError(f"{name}: its value {value:g} must be below {below}'s")
    if between:
        midpoint = sum(earlier[key].value for key in between) / len(between)
        if len(between) != 2 or not math.isclose(value, midpoint, abs_tol=1e-12):
            raise ValueError(
                f"{name}: 'between' takes two keys, and the value must be their midpoint "
                f"({midpoint:g}), got {value:g}"
            )
    return Parameter(
        name=name,
        value=value,
        distribution=distribution,
        se=float(entry.get("se", 0.0)),
        unit=str(entry.get("unit", "")),
        source=str(entry["source"]),
        below=below,
        gap=gap,
        between=between,
    )
