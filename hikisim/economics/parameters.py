"""Economic parameters: values, PSA distributions and sources, from ``economics.toml``.

Every parameter in ``hikisim/data/economics.toml`` gives a point value (the mean), a
distribution family for the PSA and its standard error; the distribution's own
parameters follow by the method of moments. Beta suits utilities, decrements and
probabilities (bounded in 0-1); gamma or lognormal suit costs (positive, skewed);
"fixed" marks settings that are not sampled.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

Distribution = Literal["beta", "gamma", "lognormal", "normal", "fixed"]
DISTRIBUTIONS: Final = ("beta", "gamma", "lognormal", "normal", "fixed")
SECTIONS: Final = (
    "discounting",
    "thresholds",
    "utilities",
    "disorder_decrements",
    "programme_costs",
    "care_costs",
    "productivity",
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
        distribution: "beta", "gamma", "lognormal" or "fixed".
        se: Standard error of the PSA distribution (0 when fixed).
        unit: Unit of the value.
        source: Where the value comes from, or "assumption".
    """

    name: str
    value: float
    distribution: Distribution
    se: float
    unit: str
    source: str

    def __post_init__(self) -> None:
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(f"{self.name}: unknown distribution {self.distribution!r}")
        if not self.source.strip():
            raise ValueError(f"{self.name}: every parameter needs a source")
        if self.distribution != "fixed":
            self.moments()  # raises if the mean and SE fit no such distribution

    def moments(self) -> tuple[float, float]:
        """The distribution's own parameters from the mean and SE.

        Returns:
            (alpha, beta) for beta, (shape, scale) for gamma, (mu, sigma) for
            lognormal, and (value, 0) for fixed.
        """
        match self.distribution:
            case "beta":
                return beta_from_mean_se(self.value, self.se)
            case "gamma":
                return gamma_from_mean_se(self.value, self.se)
            case "lognormal":
                return lognormal_from_mean_se(self.value, self.se)
            case "normal":
                return self.value, self.se
            case _:
                return self.value, 0.0

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        """Draw ``size`` PSA values.

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
    """

    sections: dict[str, dict[str, Parameter]]
    currency: str
    price_year: int

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

        Args:
            values: New values, for example one PSA draw.

        Returns:
            The parameters with those values (distributions and sources unchanged).
        """
        sections = {
            name: {
                key: replace(p, value=float(values[p.name])) if p.name in values else p
                for key, p in section.items()
            }
            for name, section in self.sections.items()
        }
        return EconomicParameters(sections, self.currency, self.price_year)

    def sample(self, rng: np.random.Generator, size: int) -> pd.DataFrame:
        """PSA draws of every non-fixed parameter, independent of one another.

        Args:
            rng: Random generator.
            size: Number of draws.

        Returns:
            One row per draw and one column per parameter, named ``section.key``.
        """
        drawn = {p.name: p.sample(rng, size) for p in self.all() if p.distribution != "fixed"}
        return pd.DataFrame(drawn)


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
    sections = {
        name: {key: _parameter(f"{name}.{key}", entry) for key, entry in data[name].items()}
        for name in SECTIONS
    }
    meta = data.get("meta", {})
    return EconomicParameters(
        sections=sections,
        currency=str(meta.get("currency", "JPY")),
        price_year=int(meta.get("price_year", 0)),
    )


def _parameter(name: str, entry: object) -> Parameter:
    """Build a parameter from one TOML table."""
    if not isinstance(entry, dict):
        raise ValueError(f"{name} must be a table with value, distribution, se and source")
    unknown = set(entry) - {"value", "distribution", "se", "unit", "source"}
    if unknown or "value" not in entry or "source" not in entry:
        raise ValueError(f"{name}: needs value and source, unknown keys {sorted(unknown)}")
    distribution = entry.get("distribution", "fixed")
    return Parameter(
        name=name,
        value=float(entry["value"]),
        distribution=distribution,
        se=float(entry.get("se", 0.0)),
        unit=str(entry.get("unit", "")),
        source=str(entry["source"]),
    )
