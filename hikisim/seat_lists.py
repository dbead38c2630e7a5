"""Compiled helpers that turn per-seat masks into ascending seat lists.

Numba's ``np.flatnonzero`` branches on every element, which costs a mispredicted branch
for each youth whenever the mask is neither almost empty nor almost full (a screen that
keeps one youth in ten, say). :func:`true_seats` writes every seat to the next free
place and advances the place only for a member, so its loop has no branch to mispredict.

As with :mod:`hikisim.philox`, the passes that call it keep their cached copy after an
edit here (numba checks only the timestamp of a function's own file): delete
``hikisim/__pycache__/*.nb[ic]`` after changing this file.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def true_seats(mask: np.ndarray) -> np.ndarray:
    """The seats where ``mask`` is True (int64, ascending), as ``np.flatnonzero``.

    Args:
        mask: A boolean array, by seat.

    Returns:
        The indices of its True entries, ascending.
    """
    count = 0
    for seat in range(len(mask)):
        count += mask[seat]
    # One spare place: the loop writes each seat before it knows whether to keep it.
    seats = np.empty(count + 1, np.int64)
    place = 0
    for seat in range(len(mask)):
        seats[place] = seat
        place += mask[seat]
    return seats[:count]
