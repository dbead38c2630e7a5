"""The Student-t interval of a mean, as every table of replicates reports it."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

#: The cumulative probabilities of a central 95% interval's ends.
TAILS = (0.025, 0.975)


def mean_interval(
    values: ArrayLike, level: float = 0.95, floor: float | None = None
) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of the mean.

    Args:
        values: One value per replicate.
        level: Confidence level.
        floor: The least value the quantity can take (0 for a count, a cost or a
            prevalence), or None. A bound below it is raised to it: the mean cannot lie
            there, so cutting the interval keeps its coverage, and with few replicates a
            t-interval of a count otherwise reaches far below 0.

    Returns:
        (mean, low, high); the bounds are NaN for a single value, which says nothing
        about spread (reports show "n/a"), and all three are NaN for no values.
    """
    values = np.asarray(values, dtype=float)
    if len(values) == 0:  # nothing measured: numpy would warn about an empty mean
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    low, high = mean - float(half), mean + float(half)
    if floor is not None:
        low, high = max(low, floor), max(high, floor)
    return mean, low, high
