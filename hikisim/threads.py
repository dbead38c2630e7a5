"""Whether the weekly passes over every youth split their seats across threads.

The four compiled passes that read every youth (onset, the conditions, careers and the
weekly census) can run seat ranges on numba's threads. A run's results are the same
either way: each youth's uniforms are counted by seat (:mod:`hikisim.philox`), so they
do not depend on which thread draws them; every range writes only its own seats; the
ranges' seat lists are joined in seat order; and only integer counts are summed across
ranges.

Threads pay only in large towns (a few microseconds to start them, against a pass of a
quarter of a millisecond at 100,000 youths), and only in a process that runs one model
at a time: a sweep's or a comparison's workers already keep every core busy, one run
each, so they call :func:`allow` with False. Passes run on one thread:

- in towns below :data:`MIN_SEATS`;
- when numba has one thread (``NUMBA_NUM_THREADS=1`` in the environment);
- in any thread but the main one (a Dask worker's task, the dashboard), so that two
  threads never enter the thread pool at once;
- when the thread pool numba found is its own fallback ("workqueue"), which is slower
  than one thread here and not safe to enter from two threads.
"""

from __future__ import annotations

import functools
import threading

import numba
import numpy as np

# Measured on the 2-core benchmark machine (docs/performance.md): at 10,000 youths two
# threads save about a fifth of the 24 us onset pass, at 100,000 about 100 of 225 us;
# below some tens of thousands the week is mostly Python overhead, which threads do not
# touch, so small towns (the default's, the tests', the dashboard's) stay on one thread.
MIN_SEATS = 50_000
# Seat ranges start at multiples of this, so that no two threads write the same cache
# line of a one-byte column.
RANGE_ALIGNMENT = 64

_allowed = True


def allow(allowed: bool) -> None:
    """Let this process's passes use threads (the default), or keep them to one.

    Args:
        allowed: False in a pool's workers, which run one model each on every core.
    """
    global _allowed
    _allowed = allowed


def ranges_for(seats: int) -> int:
    """How many seat ranges this week's passes split into (1: no threads).

    Args:
        seats: The number of youths.

    Returns:
        numba's thread count where threads are allowed and pay (see the module), else 1.
    """
    if not _allowed or seats < MIN_SEATS:
        return 1
    if threading.current_thread() is not threading.main_thread():
        return 1
    count = numba.get_num_threads()
    if count < 2 or not _pool_is_threadsafe():
        return 1
    return count


def range_bounds(seats: int, ranges: int) -> np.ndarray:
    """Where each of ``ranges`` seat ranges starts, and where the last one ends.

    Args:
        seats: The number of youths.
        ranges: How many ranges.

    Returns:
        ``ranges + 1`` ascending int64 bounds from 0 to ``seats``; every inner bound is
        a multiple of :data:`RANGE_ALIGNMENT` (a range may be empty).
    """
    per_range = -(-seats // ranges)
    per_range = -(-per_range // RANGE_ALIGNMENT) * RANGE_ALIGNMENT
    return np.minimum(np.arange(ranges + 1, dtype=np.int64) * per_range, seats)


@numba.njit(cache=True, parallel=True)
def _probe(size: int) -> int:
    total = 0
    for index in numba.prange(size):
        total += index
    return total


@functools.cache
def _pool_is_threadsafe() -> bool:
    # numba picks its thread pool when a parallel function first runs: OpenMP or TBB if
    # the system has them, else its own "workqueue".
    _probe(2)
    return numba.threading_layer() in ("omp", "tbb")
