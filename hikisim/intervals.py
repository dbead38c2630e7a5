"""The Student-t interval of a mean, as every table of replicates reports it."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats


def mean_interval(values: ArrayLike, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of the mean.

    Args:
        values: One value per replicate.
        level: Confidence level.

    Returns:
        (mean, low, high); the bounds are NaN for a single value, which says nothing
        about spread (reports show "n/a").
    """
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return mean, mean - float(half), mean + float(half)
