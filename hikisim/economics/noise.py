"""Separating parameter uncertainty from Monte Carlo noise in a PSA of a stochastic model.

With D parameter draws and R replicate runs per draw, the variance of the draw means
mixes the parameter variance with the Monte Carlo variance of a mean of R runs. Following
O'Hagan, Stevenson & Madan (2007, Health Econ 16(10):1009-1023), the parameter variance
is estimated as the between-draw variance of the draw means minus the mean within-draw
variance divided by R (a one-way random-effects ANOVA estimator).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def variance_partition(values: ArrayLike) -> dict[str, float]:
    """Split the variance of an outcome into parameter and Monte Carlo parts.

    Args:
        values: Outcome of every run, shape (draws, replicates), with at least two
            draws and two replicates.

    Returns:
        A dict with ``draws``, ``replicates``, ``mean`` (grand mean),
        ``between_draw_variance`` (variance of the draw means),
        ``within_draw_variance`` (mean variance of replicates within a draw, the
        variance of one run given the parameters), ``monte_carlo_variance`` (its share
        in a draw mean, within / R), ``parameter_variance`` (between - within / R,
        clipped at 0), ``parameter_variance_unclipped``, ``monte_carlo_share`` (share of
        the between-draw variance that is Monte Carlo noise, clipped at 1; NaN if that
        variance is 0)
        and ``mean_standard_error`` (standard error of the grand mean).

    Raises:
        ValueError: If the array is not 2-D with at least 2 x 2 finite values.
    """
    table = np.asarray(values, dtype=float)
    if table.ndim != 2 or table.shape[0] < 2 or table.shape[1] < 2:
        raise ValueError(
            f"values must be a (draws, replicates) array with at least 2 of each, got "
            f"shape {table.shape}"
        )
    if not np.all(np.isfinite(table)):
        raise ValueError("values must be finite")
    draws, replicates = table.shape
    draw_means = table.mean(axis=1)
    between = float(draw_means.var(ddof=1))
    within = float(table.var(axis=1, ddof=1).mean())
    monte_carlo = within / replicates
    parameter = between - monte_carlo
    return {
        "draws": float(draws),
        "replicates": float(replicates),
        "mean": float(draw_means.mean()),
        "between_draw_variance": between,
        "within_draw_variance": within,
        "monte_carlo_variance": monte_carlo,
        "parameter_variance": max(0.0, parameter),
        "parameter_variance_unclipped": parameter,
        # Clipped at 1 as the parameter part is at 0: with few draws the between-draw
        # variance can fall below its Monte Carlo part by chance.
        "monte_carlo_share": min(1.0, monte_carlo / between) if between > 0 else float("nan"),
        "mean_standard_error": float(np.sqrt(between / draws)),
    }
