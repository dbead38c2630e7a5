"""Philox4x32-10, a counter-based random number generator, compiled with numba.

A counter-based generator turns a key and a counter into random words with no state in
between (Salmon, Moraes, Dror and Shaw 2011, "Parallel random numbers: as easy as 1, 2,
3", SC'11). The weekly kernel keys each mechanism apart and counts in (seat, week,
draw), so any youth's uniform for any week is computed on demand, only where a
mechanism reads it, and is the same whatever else the run did: common random numbers
across scenarios need no bookkeeping. ``tests/test_philox.py`` checks the Random123
known-answer vectors.

Every function is compiled once per machine (``cache=True``): later processes load the
compiled code from ``__pycache__`` instead of compiling again. Numba checks only the
timestamp of the file a cached function is defined in, so the kernels in
``hikisim/kernels.py`` that inline these functions keep their old copy after an edit
here: delete ``hikisim/__pycache__/*.nb[ic]`` after changing this file.
"""

from __future__ import annotations

import numba
import numpy as np

MULTIPLIER_0 = np.uint64(0xD2511F53)
MULTIPLIER_1 = np.uint64(0xCD9E8D57)
KEY_BUMP_0 = np.uint64(0x9E3779B9)
KEY_BUMP_1 = np.uint64(0xBB67AE85)
LOW_32 = np.uint64(0xFFFFFFFF)
SHIFT_32 = np.uint64(32)
ROUNDS = 10
# A float32 uniform is the word's top 24 bits times 2**-24 (numpy's float32 rule).
FLOAT_SHIFT = np.uint64(8)
FLOAT_SCALE = np.float32(2.0**-24)


@numba.njit(cache=True, inline="always")
def philox4x32(
    c0: np.uint64, c1: np.uint64, c2: np.uint64, c3: np.uint64, k0: np.uint64, k1: np.uint64
) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """Philox4x32 with ten rounds: four 32-bit words from a 128-bit counter and 64-bit key.

    Every argument and result is a 32-bit value held in a uint64 (the products of two
    32-bit words need the 64 bits).

    Args:
        c0: Counter word 0.
        c1: Counter word 1.
        c2: Counter word 2.
        c3: Counter word 3.
        k0: Key word 0.
        k1: Key word 1.

    Returns:
        The four output words.
    """
    for round_index in range(ROUNDS):
        if round_index:
            k0 = (k0 + KEY_BUMP_0) & LOW_32
            k1 = (k1 + KEY_BUMP_1) & LOW_32
        product_0 = MULTIPLIER_0 * c0
        product_1 = MULTIPLIER_1 * c2
        c0, c1, c2, c3 = (
            (product_1 >> SHIFT_32) ^ c1 ^ k0,
            product_1 & LOW_32,
            (product_0 >> SHIFT_32) ^ c3 ^ k1,
            product_0 & LOW_32,
        )
    return c0, c1, c2, c3


@numba.njit(cache=True, inline="always")
def word(k0: np.uint64, k1: np.uint64, seat: np.int64, week: np.int64, draw: np.int64) -> np.uint64:
    """The first 32-bit word of a youth's draw: counter (seat, week, draw, 0).

    Args:
        k0: Key word 0 (the mechanism's).
        k1: Key word 1.
        seat: The youth.
        week: The absolute week.
        draw: Which of the mechanism's draws in the week (0 for the first).

    Returns:
        Output word 0 of :func:`philox4x32`, a 32-bit value held in a uint64.
    """
    out, _, _, _ = philox4x32(
        np.uint64(seat) & LOW_32,
        np.uint64(week) & LOW_32,
        np.uint64(draw) & LOW_32,
        np.uint64(0),
        k0,
        k1,
    )
    return out


@numba.njit(cache=True, inline="always")
def uniform(
    k0: np.uint64, k1: np.uint64, seat: np.int64, week: np.int64, draw: np.int64
) -> np.float32:
    """A youth's float32 uniform on [0, 1): the word's top 24 bits times 2**-24.

    Args:
        k0: Key word 0 (the mechanism's).
        k1: Key word 1.
        seat: The youth.
        week: The absolute week.
        draw: Which of the mechanism's draws in the week (0 for the first).

    Returns:
        The uniform, a multiple of 2**-24 in [0, 1).
    """
    return np.float32(word(k0, k1, seat, week, draw) >> FLOAT_SHIFT) * FLOAT_SCALE


@numba.njit(cache=True)
def uniforms_at(
    k0: np.uint64,
    k1: np.uint64,
    week: np.int64,
    draw: np.int64,
    seats: np.ndarray,
    start: int = 0,
) -> np.ndarray:
    """The uniforms of some youths (float32, in the order of ``seats``).

    Args:
        k0: Key word 0 (the mechanism's).
        k1: Key word 1.
        week: The absolute week.
        draw: Which of the mechanism's draws in the week (0 for the first).
        seats: The youths (integer array; repeats allowed).
        start: Added to every seat: for seats counted within a seat range, the range's
            first seat (:mod:`hikisim.threads`).

    Returns:
        Each seat's :func:`uniform` (float32, one per entry of ``seats``).
    """
    out = np.empty(len(seats), np.float32)
    for i in range(len(seats)):
        out[i] = uniform(k0, k1, start + seats[i], week, draw)
    return out


@numba.njit(cache=True)
def uniforms_all(
    k0: np.uint64, k1: np.uint64, week: np.int64, draw: np.int64, size: np.int64
) -> np.ndarray:
    """Every youth's uniform (float32, by seat).

    Args:
        k0: Key word 0 (the mechanism's).
        k1: Key word 1.
        week: The absolute week.
        draw: Which of the mechanism's draws in the week (0 for the first).
        size: Number of seats; seats 0 to ``size - 1`` are drawn.

    Returns:
        The :func:`uniform` of each seat (float32, length ``size``).
    """
    out = np.empty(size, np.float32)
    for seat in range(size):
        out[seat] = uniform(k0, k1, seat, week, draw)
    return out


@numba.njit(cache=True)
def below_mask(
    k0: np.uint64, k1: np.uint64, week: np.int64, draw: np.int64, size: np.int64, bound: np.uint64
) -> np.ndarray:
    """Whether each seat's word is below ``bound``: ``uniform < t`` compared as words.

    Args:
        k0: Key word 0.
        k1: Key word 1.
        week: The absolute week.
        draw: The draw within the week.
        size: Number of seats.
        bound: ``ceil(t * 2**24) << 8`` for a float32 threshold ``t``.

    Returns:
        A boolean array, by seat (length ``size``): True where the seat's uniform is
        below ``t``.
    """
    out = np.empty(size, np.bool_)
    # A branch-free loop: LLVM vectorizes it, which a loop that gathers seats would stop.
    for seat in range(size):
        out[seat] = word(k0, k1, seat, week, draw) < bound
    return out
