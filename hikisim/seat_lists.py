"""Compiled helpers that turn per-seat masks into ascending seat lists.

Numba's ``np.flatnonzero`` branches on every element, which costs a mispredicted branch
for each youth whenever the mask is neither almost empty nor almost full (a screen that
keeps one youth in ten, say). :func:`true_seats` and :func:`sparse_true_seats` read
eight one-byte entries as one 64-bit word instead: one multiplication gives, in each
byte, how many of the word's earlier seats are members, so each seat is written straight
to its place in the list (a non-member's place is taken by the next member written)
and the place advances once per word. :func:`true_seats` does this for every word, with
no branch; :func:`sparse_true_seats`, for masks with few members, skips the words with
none, and :func:`differing_seats` does the same with the seats where two flag arrays
differ as the members. Byte j of a word is seat j on a little-endian machine, which the
module checks when it loads.

As with :mod:`hikisim.philox`, the passes that call it keep their cached copy after an
edit here (numba checks only the timestamp of a function's own file): delete
``hikisim/__pycache__/*.nb[ic]`` after changing this file.
"""

from __future__ import annotations

import sys

import numba
import numpy as np

if sys.byteorder != "little":  # pragma: no cover - x86-64 and arm64 are little-endian
    raise ImportError("hikisim.seat_lists reads bytes as words and needs a little-endian CPU")

# Byte masks of a 64-bit word read from eight one-byte entries.
_LOW_BITS = np.uint64(0x0101010101010101)
_LOW_SEVEN = np.uint64(0x7F7F7F7F7F7F7F7F)
_BYTE = np.uint64(0xFF)
_SEVEN = np.uint64(7)
_EIGHT = np.uint64(8)
_TOP_BYTE = np.uint64(56)
_NONE = np.uint64(0)


@numba.njit(cache=True, inline="always")
def _member_bytes(word: np.uint64) -> np.uint64:
    """1 in each byte of ``word`` that is nonzero, 0 elsewhere (numpy's bools are 0 or 1).

    Adding 0x7F to a byte's low seven bits carries into its top bit exactly when they
    are not all zero, and no carry crosses into the next byte.
    """
    return ((((word & _LOW_SEVEN) + _LOW_SEVEN) | word) >> _SEVEN) & _LOW_BITS


@numba.njit(cache=True, inline="always")
def _write_word(seats: np.ndarray, place: int, members: np.uint64, first_seat: int) -> int:
    """Write the member seats of one word at ``place`` on; the place after them.

    ``members`` holds 1 in the byte of each member and 0 elsewhere. Its product with
    0x0101...01 holds, in byte j, the members among bytes 0 to j; shifted up a byte,
    those before seat j, which is seat j's offset from ``place``. All eight seats are
    written in ascending order, so a non-member's entry is overwritten by the next
    member's (or lies past the last member, in the spare places the caller keeps).
    """
    running = members * _LOW_BITS
    before = running << _EIGHT
    for offset in range(8):
        seats[place + np.int64((before >> np.uint64(8 * offset)) & _BYTE)] = first_seat + offset
    return place + np.int64(running >> _TOP_BYTE)


@numba.njit(cache=True, inline="always")
def _members(
    first_words: np.ndarray, second_words: np.ndarray, differ: bool, index: int
) -> np.uint64:
    """1 in each byte of word ``index`` that holds a member, 0 elsewhere.

    A member is a nonzero entry of ``first_words``' bytes or, with ``differ``, an entry
    whose truth differs between the two.
    """
    members = _member_bytes(first_words[index])
    if differ:
        members ^= _member_bytes(second_words[index])
    return members


@numba.njit(cache=True, inline="always")
def _seats_of_words(
    first: np.ndarray, second: np.ndarray, differ: bool, skip_empty: bool
) -> np.ndarray:
    """The members of C-contiguous one-byte masks, word by word (ascending).

    A seat is a member where ``first`` is nonzero or, with ``differ``, where the truth of
    ``first`` and ``second`` differs (``second`` is not read without it).
    """
    size = len(first)
    full_words = size // 8
    first_words = first[: full_words * 8].view(np.uint64)
    second_words = second[: full_words * 8].view(np.uint64)
    count = 0
    for index in range(full_words):  # branch-free, vectorized
        count += np.int64(
            (_members(first_words, second_words, differ, index) * _LOW_BITS) >> _TOP_BYTE
        )
    for seat in range(8 * full_words, size):
        count += _is_member(first, second, differ, seat)
    # A word writes its non-members too, each where the next member goes: at most one
    # place past the last member, so one spare place is enough; eight keep it obvious.
    seats = np.empty(count + 8, np.int64)
    place = 0
    for index in range(full_words):
        # Decided on the raw words: a zero word (with ``differ``, one equal to its twin)
        # has no member.
        if skip_empty and first_words[index] == (second_words[index] if differ else _NONE):
            continue
        place = _write_word(
            seats, place, _members(first_words, second_words, differ, index), 8 * index
        )
    for seat in range(8 * full_words, size):
        seats[place] = seat
        place += _is_member(first, second, differ, seat)
    return seats[:count]


@numba.njit(cache=True, inline="always")
def _is_member(first: np.ndarray, second: np.ndarray, differ: bool, seat: int) -> bool:
    """Whether one seat past the last whole word is a member (see :func:`_seats_of_words`)."""
    if differ:
        return (first[seat] != 0) != (second[seat] != 0)
    return first[seat] != 0


@numba.njit(cache=True)
def true_seats(mask: np.ndarray) -> np.ndarray:
    """The seats where ``mask`` is True (int64, ascending), as ``np.flatnonzero``.

    No branch per word, so the time does not depend on the density: for masks with
    fewer than about one member in twelve, :func:`sparse_true_seats` is faster.

    Args:
        mask: A boolean or other one-byte array, by seat (C-contiguous); its nonzero
            entries are the members.

    Returns:
        The indices of its nonzero entries, ascending.
    """
    return _seats_of_words(mask, mask, False, False)


@numba.njit(cache=True)
def sparse_true_seats(mask: np.ndarray) -> np.ndarray:
    """The seats where ``mask`` is True (int64, ascending), for masks with few members.

    Words with no member are skipped. At a density of one in a thousand this is about
    four times faster than :func:`true_seats` (at 100,000 seats 10 against 40 us), at
    one in twenty still faster (27 us); from about one in ten the branch, often
    mispredicted, makes it slower (44 us, and 73 us at one in two).

    Args:
        mask: A boolean or other one-byte array, by seat (C-contiguous); its nonzero
            entries are the members.

    Returns:
        The indices of its nonzero entries, ascending.
    """
    return _seats_of_words(mask, mask, False, True)


@numba.njit(cache=True)
def differing_seats(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The seats where two boolean arrays differ (int64, ascending), for few changes.

    As :func:`sparse_true_seats`, with the members of a word those whose truth differs
    between the two arrays: the week's changes of a flag are a few in a thousand, and
    ``np.flatnonzero(first != second)`` makes a full mask first.

    Args:
        first: A boolean or other one-byte array, by seat (C-contiguous).
        second: Another, as long (C-contiguous).

    Returns:
        The indices where one is nonzero and the other zero, ascending.
    """
    return _seats_of_words(first, second, True, True)


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


@numba.njit(cache=True)
def join_seats(parts: list[np.ndarray]) -> np.ndarray:
    """Seat lists one after another, as one array (the seat ranges' results, in order).

    Args:
        parts: Integer seat arrays, each from a range after the one before.

    Returns:
        Their seats in the parts' order (int64).
    """
    total = 0
    for part in parts:
        total += len(part)
    joined = np.empty(total, np.int64)
    place = 0
    for part in parts:
        joined[place : place + len(part)] = part
        place += len(part)
    return joined


@numba.njit(cache=True)
def empty_seat_lists(count: int) -> list[np.ndarray]:
    """``count`` empty seat arrays (int64), one per seat range, for the ranges to fill.

    Args:
        count: How many.

    Returns:
        A list of distinct empty arrays.
    """
    return [np.empty(0, np.int64) for _ in range(count)]
