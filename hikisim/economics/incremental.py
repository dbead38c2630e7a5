"""Incremental cost-effectiveness analysis: dominance, extended dominance and ICERs.

The efficient frontier is the lower-right convex hull of the strategies in the
cost-effect plane. Strategies are read in frontier order (cheapest first); strictly
dominated ones are removed first, then extendedly dominated ones, one at a time, until
the ICERs along what is left increase.

Choices made for ties (the literature is not uniform, so they are stated here):

* **Equal cost, different effect.** The less effective strategy is strictly dominated.
* **Equal effect, different cost.** The costlier strategy is strictly dominated.
* **Identical cost and effect.** Neither dominates the other. Identical strategies share
  one point on the plane, so they share its status and ICER; two identical cheapest
  strategies are both "reference". (heemod's frontier test keeps both of an identical
  pair on the frontier too.)
* **Equal ICERs (collinear points).** A strategy whose ICER equals the next one's, within
  a relative tolerance of ``ICER_RTOL``, stays efficient: a mix of its neighbours is no
  better than it is. Only a strictly larger ICER than the next one's means extended
  dominance.
* **Row order.** Rows are sorted by cost, then by effect (highest first, so the
  reference comes first among equal costs), then by name, so the output does not
  depend on the input order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

Status = Literal["reference", "efficient", "dominated", "extendedly dominated"]

REFERENCE: Final = "reference"
EFFICIENT: Final = "efficient"
DOMINATED: Final = "dominated"
EXTENDEDLY_DOMINATED: Final = "extendedly dominated"
STATUSES: Final[tuple[str, ...]] = (REFERENCE, EFFICIENT, DOMINATED, EXTENDEDLY_DOMINATED)
ICER_RTOL: Final = 1e-9
"""Relative tolerance under which two ICERs count as equal (collinear strategies)."""

COLUMNS: Final = ("strategy", "cost", "effect", "status", "icer")


def incremental_analysis(
    names: Sequence[str], costs: ArrayLike, effects: ArrayLike
) -> pd.DataFrame:
    """Classify strategies as reference, efficient or (extendedly) dominated, with ICERs.

    Args:
        names: Unique strategy names.
        costs: Expected cost of each strategy, in the order of ``names``.
        effects: Expected effect (e.g. QALYs) of each strategy, same order.

    Returns:
        One row per strategy in frontier order (cost ascending, then effect descending,
        then name), with columns ``strategy``, ``cost``, ``effect``, ``status`` and
        ``icer``. ``icer`` is the incremental cost per unit of effect against the
        previous efficient strategy, and NaN unless the status is "efficient".

    Raises:
        ValueError: If the inputs are empty, of unequal length, not finite, or the
            names are not unique.
    """
    labels, cost, effect = _validate(names, costs, effects)
    order = np.lexsort((np.asarray(labels, dtype=object), -effect, cost))
    labels = [labels[i] for i in order]
    cost, effect = cost[order], effect[order]

    dominated = _strictly_dominated(cost, effect)
    point_of, points = _distinct_points(cost, effect, ~dominated)
    hull = _convex_frontier(points[:, 0], points[:, 1])
    status, icer = _label(dominated, point_of, points, hull)
    return pd.DataFrame(
        {"strategy": labels, "cost": cost, "effect": effect, "status": status, "icer": icer},
        columns=list(COLUMNS),
    )


def _validate(
    names: Sequence[str], costs: ArrayLike, effects: ArrayLike
) -> tuple[list[str], NDArray[np.float64], NDArray[np.float64]]:
    """Check the inputs and return them as a name list and two float arrays."""
    labels = [str(name) for name in names]
    cost = np.asarray(costs, dtype=float).reshape(-1)
    effect = np.asarray(effects, dtype=float).reshape(-1)
    if not labels:
        raise ValueError("incremental_analysis needs at least one strategy")
    if not len(labels) == cost.size == effect.size:
        raise ValueError(
            f"names, costs and effects must have equal lengths, got {len(labels)}, "
            f"{cost.size} and {effect.size}"
        )
    if len(set(labels)) != len(labels):
        duplicates = sorted({name for name in labels if labels.count(name) > 1})
        raise ValueError(f"strategy names must be unique; repeated: {', '.join(duplicates)}")
    for what, values in (("costs", cost), ("effects", effect)):
        if not np.all(np.isfinite(values)):
            bad = [labels[i] for i in np.flatnonzero(~np.isfinite(values))]
            raise ValueError(f"{what} must be finite numbers; not finite for: {', '.join(bad)}")
    return labels, cost, effect


def _strictly_dominated(cost: NDArray[np.float64], effect: NDArray[np.float64]) -> NDArray:
    """Whether each strategy is strictly dominated by some other strategy.

    Strategy i dominates j when it costs no more and is at least as effective, and is
    strictly better in one of the two. An identical strategy does not dominate.
    """
    no_costlier = cost[:, None] <= cost[None, :]
    no_less_effective = effect[:, None] >= effect[None, :]
    strictly_better = (cost[:, None] < cost[None, :]) | (effect[:, None] > effect[None, :])
    return np.any(no_costlier & no_less_effective & strictly_better, axis=0)


def _distinct_points(
    cost: NDArray[np.float64], effect: NDArray[np.float64], candidate: NDArray
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Collapse identical non-dominated strategies into distinct points.

    Returns, for every strategy, the index of its point (-1 if dominated), and the
    points as rows of (cost, effect), in frontier order. Among non-dominated strategies,
    distinct points have strictly increasing cost and effect.
    """
    point_of = np.full(cost.size, -1, dtype=np.intp)
    points: list[tuple[float, float]] = []
    for i in np.flatnonzero(candidate):
        here = (float(cost[i]), float(effect[i]))
        if not points or points[-1] != here:
            points.append(here)
        point_of[i] = len(points) - 1
    return point_of, np.asarray(points, dtype=float).reshape(-1, 2)


def _convex_frontier(cost: NDArray[np.float64], effect: NDArray[np.float64]) -> list[int]:
    """Indices of the points left after removing extended dominance.

    Removes one point at a time: the first whose ICER exceeds the next one's. Such a
    point lies above the chord joining its neighbours, so it is never on the hull and
    the order of removals does not change the result.
    """
    keep = list(range(cost.size))
    while len(keep) > 2:
        icers = np.diff(cost[keep]) / np.diff(effect[keep])
        rising = icers[:-1] > icers[1:]
        tied = np.isclose(icers[:-1], icers[1:], rtol=ICER_RTOL, atol=0.0)
        violations = np.flatnonzero(rising & ~tied)
        if violations.size == 0:
            break
        del keep[int(violations[0]) + 1]
    return keep


def _label(
    dominated: NDArray,
    point_of: NDArray[np.intp],
    points: NDArray[np.float64],
    hull: list[int],
) -> tuple[list[str], NDArray[np.float64]]:
    """Status and ICER of every strategy from the dominance and hull results."""
    icer_of_point = {hull[0]: math.nan}
    for previous, current in pairwise(hull):
        delta_cost, delta_effect = points[current] - points[previous]
        icer_of_point[current] = float(delta_cost / delta_effect)
    status: list[str] = []
    icer = np.full(point_of.size, math.nan)
    for i, point in enumerate(point_of):
        if dominated[i]:
            status.append(DOMINATED)
        elif point not in icer_of_point:
            status.append(EXTENDEDLY_DOMINATED)
        elif point == hull[0]:
            status.append(REFERENCE)
        else:
            status.append(EFFICIENT)
            icer[i] = icer_of_point[point]
    return status, icer
