"""The compiled seat lists equal numpy's flatnonzero."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hikisim.seat_lists import differing_seats, nonzero_among, sparse_true_seats, true_seats


def test_true_seats_of_a_hand_built_mask() -> None:
    mask = np.array([False, True, True, False, False, True])
    assert true_seats(mask).tolist() == [1, 2, 5]
    assert true_seats(np.zeros(0, bool)).tolist() == []
    assert true_seats(np.zeros(4, bool)).tolist() == []
    assert true_seats(np.ones(3, bool)).tolist() == [0, 1, 2]
    # One-byte codes (the conditions pass marks its candidates 1 or 2).
    codes = np.array([0, 2, 1, 0, 0, 0, 0, 0, 2, 0, 1], np.uint8)
    assert true_seats(codes).tolist() == [1, 2, 8, 10]
    assert sparse_true_seats(codes).tolist() == [1, 2, 8, 10]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), max_size=300))
def test_true_seats_property_equals_flatnonzero(values: list[bool]) -> None:
    mask = np.array(values, bool)
    seats = true_seats(mask)
    assert seats.dtype == np.int64
    assert seats.tolist() == np.flatnonzero(mask).tolist()


def test_sparse_true_seats_of_hand_built_masks() -> None:
    mask = np.zeros(21, bool)
    mask[[0, 7, 8, 20]] = True  # both ends of a word, and the tail past the last word
    assert sparse_true_seats(mask).tolist() == [0, 7, 8, 20]
    assert sparse_true_seats(np.zeros(0, bool)).tolist() == []
    assert sparse_true_seats(np.ones(40, bool)).tolist() == list(range(40))


def test_seat_lists_of_whole_words() -> None:
    # Every seat of several words, and words whose bytes are 0x80 or 0xFF (a byte with
    # only its top bit set is the case the normalisation's ``| word`` exists for).
    for size in (8, 16, 21):
        assert true_seats(np.ones(size, bool)).tolist() == list(range(size))
    raw = np.zeros(24, np.uint8)
    raw[:8] = 0x80
    raw[8:16] = [0xFF, 0, 0x80, 0, 0, 0x01, 0, 0x80]
    expected = np.flatnonzero(raw).tolist()
    assert true_seats(raw).tolist() == expected
    assert sparse_true_seats(raw).tolist() == expected
    assert true_seats(raw.view(bool)).tolist() == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), max_size=300), st.integers(0, 7))
def test_true_seats_of_a_slice_that_starts_mid_word(values: list[bool], offset: int) -> None:
    mask = np.array([True] * offset + values, bool)[offset:]
    assert true_seats(np.ascontiguousarray(mask)).tolist() == np.flatnonzero(mask).tolist()
    assert true_seats(mask).tolist() == np.flatnonzero(mask).tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 255), max_size=100))
def test_seat_lists_count_any_nonzero_byte_as_a_member(values: list[int]) -> None:
    # numpy's bools are 0 or 1, but a bool view of other bytes may hold any value:
    # each word's bytes are reduced to 0 or 1 before the members are counted and placed.
    raw = np.array(values, np.uint8)
    mask = raw.view(bool)
    expected = np.flatnonzero(raw).tolist()
    assert true_seats(mask).tolist() == expected
    assert sparse_true_seats(mask).tolist() == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), max_size=300), st.integers(0, 7))
def test_sparse_true_seats_property_equals_flatnonzero(values: list[bool], offset: int) -> None:
    # A slice that starts mid-word is still read from its own first entry.
    mask = np.array([False] * offset + values, bool)[offset:]
    seats = sparse_true_seats(np.ascontiguousarray(mask))
    assert seats.dtype == np.int64
    assert seats.tolist() == np.flatnonzero(mask).tolist()


def test_differing_seats_of_hand_built_flags() -> None:
    first = np.zeros(21, bool)
    second = first.copy()
    second[[0, 7, 20]] = True  # both ends of a word, and the tail past the last word
    first[[8, 9]] = True
    second[9] = True  # the same in both: not a change
    assert differing_seats(first, second).tolist() == [0, 7, 8, 20]
    assert differing_seats(second, first).tolist() == [0, 7, 8, 20]
    assert differing_seats(np.zeros(0, bool), np.zeros(0, bool)).tolist() == []
    assert differing_seats(np.ones(40, bool), np.zeros(40, bool)).tolist() == list(range(40))
    # Words that differ only in their lowest byte, the others all 0xFF (as float64 the
    # two words would be equal), and words whose bytes differ but not in truth.
    high = np.array([1] + [255] * 7 + [2] * 8, np.uint8)
    low = high.copy()
    low[0] = 0
    low[8:] = 1
    assert differing_seats(high.view(bool), low.view(bool)).tolist() == [0]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=300))
def test_differing_seats_property_equals_flatnonzero(pairs: list[tuple[bool, bool]]) -> None:
    first = np.array([a for a, _ in pairs], bool)
    second = np.array([b for _, b in pairs], bool)
    seats = differing_seats(first, second)
    assert seats.dtype == np.int64
    assert seats.tolist() == np.flatnonzero(first != second).tolist()


def test_nonzero_among_a_hand_built_list() -> None:
    codes = np.array([0, 1, 2, 0, 3, 0, 1], np.int8)
    listed = np.array([1, 2, 4, 6], np.int64)
    kept, complete = nonzero_among(listed, codes)
    assert complete and kept.tolist() == [1, 2, 4, 6]
    codes[2] = 0  # one listed seat engaged since
    kept, complete = nonzero_among(listed, codes)
    assert complete and kept.tolist() == [1, 4, 6]
    codes[5] = 2  # and one unlisted seat not engaged
    kept, complete = nonzero_among(listed, codes)
    assert not complete and kept.tolist() == [1, 4, 6]
    kept, complete = nonzero_among(np.zeros(0, np.int64), np.zeros(3, np.int8))
    assert complete and len(kept) == 0


@settings(max_examples=200)
@given(st.lists(st.integers(0, 3), max_size=80), st.data())
def test_nonzero_among_property_equals_numpy(values: list[int], data: st.DataObject) -> None:
    codes = np.array(values, np.int8)
    listed = np.array(
        sorted(data.draw(st.sets(st.integers(0, max(len(values) - 1, 0)))) if values else []),
        np.int64,
    )
    kept, complete = nonzero_among(listed, codes)
    np.testing.assert_array_equal(kept, listed[codes[listed] != 0])
    assert complete == (len(kept) == np.count_nonzero(codes))
    # The list itself comes back when every listed seat still qualifies.
    assert np.shares_memory(kept, listed) == bool(np.all(codes[listed] != 0)) or not len(kept)
