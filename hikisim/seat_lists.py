"""Compiled helpers that turn per-seat masks into ascending seat lists.

Numba's ``np.flatnonzero`` branches on every element, which costs a mispredicted branch
for each youth whenever the mask is neither almost empty nor almost full (a screen that
keeps one youth in ten, say). :func:`true_seats` writes every seat to the next free
place and advances the place only for a member, so its loop has no branch to mispredict.
For masks with very few members (a few per thousand), :func:`sparse_true_seats` reads
eight seats at a time and looks closer only where one of them is a member; :func:`differing_seats`
finds where two flag arrays differ in the same way.

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


@numba.njit(cache=True)
def sparse_true_seats(mask: np.ndarray) -> np.ndarray:
    """The seats where ``mask`` is True (int64, ascending), for masks with few members.

    Eight one-byte entries are read as one 64-bit word, and only a nonzero word is
    looked at seat by seat. At a density of one in a thousand this is about three times
    faster than ``np.flatnonzero``; from about one in a hundred it is slower.

    Args:
        mask: A boolean array, by seat (C-contiguous).

    Returns:
        The indices of its True entries, ascending.
    """
    size = len(mask)
    full_words = size // 8
    words = mask[: full_words * 8].view(np.uint64)
    seats = np.empty(16, np.int64)
    count = 0
    for word in range(full_words):
        if words[word]:
            for seat in range(8 * word, 8 * word + 8):
                if mask[seat]:
                    seats, count = _appended(seats, count, seat)
    for seat in range(8 * full_words, size):
        if mask[seat]:
            seats, count = _appended(seats, count, seat)
    return seats[:count].copy()


@numba.njit(cache=True)
def differing_seats(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The seats where two boolean arrays differ (int64, ascending), for few changes.

    As :func:`sparse_true_seats`, eight seats are compared as one 64-bit word and only
    a word that differs is looked at seat by seat: the week's changes of a flag are a
    few in a thousand, and ``np.flatnonzero(first != second)`` makes a full mask first.

    Args:
        first: A boolean array, by seat (C-contiguous).
        second: Another, as long (C-contiguous).

    Returns:
        The indices where they differ, ascending.
    """
    size = len(first)
    full_words = size // 8
    first_words = first[: full_words * 8].view(np.uint64)
    second_words = second[: full_words * 8].view(np.uint64)
    seats = np.empty(16, np.int64)
    count = 0
    for word in range(full_words):
        if first_words[word] != second_words[word]:
            for seat in range(8 * word, 8 * word + 8):
                if first[seat] != second[seat]:
                    seats, count = _appended(seats, count, seat)
    for seat in range(8 * full_words, size):
        if first[seat] != second[seat]:
            seats, count = _appended(seats, count, seat)
    return seats[:count].copy()


@numba.njit(cache=True, inline="always")
def _appended(seats: np.ndarray, count: int, seat: int) -> tuple[np.ndarray, int]:
    """``seats`` with ``seat`` written at ``count`` (grown if full), and the new count."""
    if count == len(seats):
        grown = np.empty(2 * len(seats), np.int64)
        grown[:count] = seats
        seats = grown
    seats[count] = seat
    return seats, count + 1


@numba.njit(cache=True)
def nonzero_among(seats: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, bool]:
    """The seats whose code is nonzero, and whether they are every such seat.

    For checking a kept list of the seats with a nonzero code (the youths not engaged)
    against the codes: a pass over the list and a vectorized count over the codes, and a
    second pass over the list only where some listed seats no longer qualify (no copy
    when all do).

    Args:
        seats: Seats (int64, ascending, each once).
        codes: A code per seat.

    Returns:
        The seats of ``seats`` whose code is nonzero (``seats`` itself if all are), in
        their order, and whether no other seat has a nonzero code.
    """
    kept = 0
    for seat in seats:
        kept += codes[seat] != 0
    total = 0
    for code in codes:  # branch-free, vectorized
        total += code != 0
    if kept == len(seats):
        return seats, kept == total
    remaining = np.empty(kept, np.int64)
    place = 0
    for seat in seats:
        if codes[seat] != 0:
            remaining[place] = seat
            place += 1
    return remaining, kept == total
