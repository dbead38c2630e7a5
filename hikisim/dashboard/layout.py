"""A structured layout for the network view: one cluster per class, in age order.

A force-directed layout of a thousand youths is a hairball. Here every class (pupils of
one school and birth year, or former classmates) is a small disc of dots, and the discs
sit on a grid ordered by age, youngest first. Classmate ties stay inside a disc, so the
lines a class sees between discs are siblings and friends, and a withdrawn youth's
lost ties stand out. It is deterministic and O(youths), so Reset never waits for it.
"""

from __future__ import annotations

import numpy as np

# Width over height of the network view: wide, to fit a grid cell of the page.
NETWORK_ASPECT = 1.9
GOLDEN_ANGLE = np.pi * (3 - np.sqrt(5))
# Share of a grid cell a full disc may fill, leaving a visible gap between classes.
DISC_FILL = 0.42


def grid_shape(groups: int, aspect: float) -> tuple[int, int]:
    """Columns and rows of a grid with at least ``groups`` cells, about ``aspect`` wide."""
    columns = max(1, int(np.ceil(np.sqrt(groups * aspect))))
    rows = max(1, int(np.ceil(groups / columns)))
    return columns, rows


def sunflower(count: int) -> np.ndarray:
    """``count`` evenly spread points in the unit disc (Vogel's spiral)."""
    index = np.arange(count) + 0.5
    radius = np.sqrt(index / max(count, 1))
    angle = index * GOLDEN_ANGLE
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def cluster_layout(
    group: np.ndarray, age: np.ndarray, aspect: float = NETWORK_ASPECT
) -> np.ndarray:
    """Positions of the youths: one disc per group, discs ordered by the group's mean age.

    Args:
        group: Group (class) of each youth; any integers.
        age: Age of each youth, which orders the discs.
        aspect: Width over height of the area to fill.

    Returns:
        An ``(n, 2)`` array of positions in ``[0, aspect] x [0, 1]``.
    """
    labels, members = np.unique(group, return_inverse=True)
    sizes = np.bincount(members, minlength=len(labels))
    mean_age = np.bincount(members, weights=age, minlength=len(labels)) / np.maximum(sizes, 1)
    slot = np.empty(len(labels), np.int64)
    slot[np.argsort(mean_age, kind="stable")] = np.arange(len(labels))
    columns, rows = grid_shape(len(labels), aspect)
    cell = min(aspect / columns, 1.0 / rows)
    centres = np.column_stack(
        [(slot % columns + 0.5) * aspect / columns, 1.0 - (slot // columns + 0.5) / rows]
    )
    positions = np.empty((len(group), 2))
    radius = DISC_FILL * cell * np.sqrt(sizes / sizes.max())
    for label_index in range(len(labels)):
        seats = np.flatnonzero(members == label_index)
        positions[seats] = centres[label_index] + radius[label_index] * sunflower(len(seats))
    return positions
