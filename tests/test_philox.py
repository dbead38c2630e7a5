"""Tests for the compiled Philox4x32-10 generator (hikisim.philox).

The known-answer vectors are Random123's (``kat_vectors``, philox4x32 with 10 rounds).
Everything else is checked against a plain numpy transcription of the same algorithm,
so the compiled loops are compared with an independent implementation and not only
with themselves. Every key here is fixed: the statistical checks are deterministic.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from hikisim.philox import below_mask, philox4x32, uniform, uniforms_all, uniforms_at, word

U32 = 0xFFFFFFFF

# Random123 kat_vectors: (counter words, key words, expected output words).
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((U32, U32, U32, U32), (U32, U32), (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]

# An arbitrary fixed key for the property checks.
K0, K1 = np.uint64(0x1234ABCD), np.uint64(0x9E3779B9)


def reference_philox(
    counter: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], k0: int, k1: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Philox4x32-10 over arrays of counters, in vectorized numpy.

    Written from Random123's round function, independently of hikisim.philox: with
    products p0 = M0 * c0 and p1 = M1 * c2, a round maps (c0, c1, c2, c3) to
    (hi(p1) ^ c1 ^ k0, lo(p1), hi(p0) ^ c3 ^ k1, lo(p0)), and the key is bumped by the
    Weyl constants between rounds.
    """
    mask = np.uint64(U32)
    c0, c1, c2, c3 = (np.asarray(c, np.uint64) & mask for c in counter)
    key0, key1 = np.uint64(k0), np.uint64(k1)
    for round_index in range(10):
        if round_index:
            key0 = (key0 + np.uint64(0x9E3779B9)) & mask
            key1 = (key1 + np.uint64(0xBB67AE85)) & mask
        p0 = np.uint64(0xD2511F53) * c0
        p1 = np.uint64(0xCD9E8D57) * c2
        c0, c1, c2, c3 = (
            (p1 >> np.uint64(32)) ^ c1 ^ key0,
            p1 & mask,
            (p0 >> np.uint64(32)) ^ c3 ^ key1,
            p0 & mask,
        )
    return c0, c1, c2, c3


def reference_words(k0: int, k1: int, seats: np.ndarray, week: int, draw: int) -> np.ndarray:
    """Output word 0 of the counters (seat, week, draw, 0), as the streams use them."""
    # Seats go through int64 so that a negative seat wraps as the compiled code's does.
    c0 = np.asarray(seats, np.int64).astype(np.uint64)
    n = len(c0)
    counter = (c0, np.full(n, week, np.uint64), np.full(n, draw, np.uint64), np.zeros(n, np.uint64))
    return reference_philox(counter, k0, k1)[0]


def reference_uniforms(k0: int, k1: int, seats: np.ndarray, week: int, draw: int) -> np.ndarray:
    """Float32 uniforms from the reference words: top 24 bits times 2**-24."""
    first = reference_words(k0, k1, seats, week, draw)
    return ((first >> np.uint64(8)).astype(np.float64) * 2.0**-24).astype(np.float32)


@pytest.mark.parametrize(("counter", "key", "expected"), KNOWN_ANSWERS)
def test_philox_matches_random123_known_answers(
    counter: tuple[int, int, int, int], key: tuple[int, int], expected: tuple[int, int, int, int]
) -> None:
    """The compiled rounds reproduce Random123's published Philox4x32-10 vectors."""
    got = philox4x32(*(np.uint64(w) for w in counter), *(np.uint64(w) for w in key))
    assert tuple(int(w) for w in got) == expected


def test_numpy_reference_matches_random123_known_answers() -> None:
    """The numpy reference used below is itself right: all three vectors at once."""
    counters = np.array([counter for counter, _, _ in KNOWN_ANSWERS], np.uint64).T
    for i, (_, key, expected) in enumerate(KNOWN_ANSWERS):
        got = reference_philox(tuple(counters[:, i : i + 1]), *key)
        assert tuple(int(w[0]) for w in got) == expected


def test_word_and_uniform_are_the_first_output_word() -> None:
    """``word`` is output word 0 of counter (seat, week, draw, 0); ``uniform`` its top 24 bits."""
    for seat, week, draw in ((0, 0, 0), (7, 3, 1), (123_456, 520, 2), (2**32 - 1, 2**31, 5)):
        first = philox4x32(np.uint64(seat), np.uint64(week), np.uint64(draw), np.uint64(0), K0, K1)[
            0
        ]
        got_word = word(K0, K1, np.int64(seat), np.int64(week), np.int64(draw))
        assert int(got_word) == int(first)
        got = uniform(K0, K1, np.int64(seat), np.int64(week), np.int64(draw))
        assert np.float32(got) == np.float32((int(first) >> 8) * 2.0**-24)


def test_uniforms_all_matches_the_numpy_reference() -> None:
    """Every seat's compiled uniform equals the independent numpy transcription's."""
    size = 5_000
    for week, draw in ((0, 0), (1, 0), (0, 1), (2_600, 3)):
        got = uniforms_all(K0, K1, np.int64(week), np.int64(draw), np.int64(size))
        assert got.dtype == np.float32
        want = reference_uniforms(int(K0), int(K1), np.arange(size), week, draw)
        np.testing.assert_array_equal(got, want)


def test_uniforms_at_equals_uniforms_all_at_those_seats() -> None:
    """Random access: any seats, in any order, with repeats, give the full pass's values."""
    size = 3_000
    everyone = uniforms_all(K0, K1, np.int64(11), np.int64(2), np.int64(size))
    rng = np.random.default_rng(0)
    seats = np.concatenate([rng.integers(0, size, 500), [0, size - 1, 5, 5, 5]]).astype(np.int64)
    got = uniforms_at(K0, K1, np.int64(11), np.int64(2), seats)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, everyone[seats])
    # No seats, no uniforms (and no error).
    assert len(uniforms_at(K0, K1, np.int64(11), np.int64(2), np.empty(0, np.int64))) == 0


def test_uniforms_at_beyond_the_population_extend_the_stream() -> None:
    """A seat's uniform does not depend on how many seats a full pass covers."""
    small = uniforms_all(K0, K1, np.int64(4), np.int64(0), np.int64(100))
    large = uniforms_all(K0, K1, np.int64(4), np.int64(0), np.int64(1_000))
    np.testing.assert_array_equal(small, large[:100])
    far = np.array([10**6, 2**31], np.int64)
    want = reference_uniforms(int(K0), int(K1), far, 4, 0)
    np.testing.assert_array_equal(uniforms_at(K0, K1, np.int64(4), np.int64(0), far), want)


@pytest.mark.parametrize("week", [0, 9])
def test_below_mask_equals_words_below_the_bound(week: int) -> None:
    """``below_mask(bound)`` is exactly ``word < bound``, including at a word itself."""
    size = 4_000
    words = reference_words(int(K0), int(K1), np.arange(size), week, 1)
    bounds = [0, 1, 256, 2**31, int(words[17]), int(words[17]) + 1, 2**32 - 256, 2**32]
    for bound in bounds:
        got = below_mask(K0, K1, np.int64(week), np.int64(1), np.int64(size), np.uint64(bound))
        assert got.dtype == np.bool_
        np.testing.assert_array_equal(got, words < np.uint64(bound), err_msg=str(bound))
    # The bound is strict: the seat whose word it is falls outside.
    at_word = below_mask(K0, K1, np.int64(week), np.int64(1), np.int64(size), words[17])
    assert not at_word[17]


def test_below_mask_with_a_float_bound_matches_uniform_comparison() -> None:
    """With bound = ceil(t * 2**24) << 8 the word test equals ``uniform < t`` for float32 t."""
    size = 4_000
    values = uniforms_all(K0, K1, np.int64(3), np.int64(0), np.int64(size))
    for t in (np.float32(0.05), values[3], np.nextafter(values[3], np.float32(1.0))):
        bound = np.uint64(int(np.ceil(np.float64(t) * 2**24)) << 8)
        got = below_mask(K0, K1, np.int64(3), np.int64(0), np.int64(size), bound)
        np.testing.assert_array_equal(got, values < t)


def test_uniforms_lie_on_the_float32_grid_in_zero_one() -> None:
    """Uniforms are multiples of 2**-24 in [0, 1) with mean near 1/2."""
    values = uniforms_all(K0, K1, np.int64(0), np.int64(0), np.int64(100_000))
    assert values.min() >= 0.0
    assert values.max() < 1.0
    steps = values.astype(np.float64) * 2**24
    np.testing.assert_array_equal(steps, np.round(steps))
    # The mean of 100k uniforms has standard error 0.0009: 0.005 is over five of them.
    assert abs(float(values.mean(dtype=np.float64)) - 0.5) < 0.005


def test_uniforms_pass_ks_and_chi_square_uniformity() -> None:
    """Kolmogorov-Smirnov and a 100-bin chi-square accept 100k uniforms (fixed key)."""
    values = uniforms_all(K0, K1, np.int64(52), np.int64(0), np.int64(100_000)).astype(np.float64)
    # The key is fixed, so these p-values are constants, not a 1-in-1000 flake.
    assert stats.kstest(values, "uniform").pvalue > 0.001
    counts = np.bincount((values * 100).astype(np.int64), minlength=100)
    assert stats.chisquare(counts).pvalue > 0.001


def test_neighbouring_counters_are_uncorrelated() -> None:
    """Adjacent weeks, draws and keys give (linearly) unrelated uniforms."""
    size = 100_000
    base = uniforms_all(K0, K1, np.int64(0), np.int64(0), np.int64(size)).astype(np.float64)
    others = {
        "next week": uniforms_all(K0, K1, np.int64(1), np.int64(0), np.int64(size)),
        "next draw": uniforms_all(K0, K1, np.int64(0), np.int64(1), np.int64(size)),
        "next key": uniforms_all(K0 + np.uint64(1), K1, np.int64(0), np.int64(0), np.int64(size)),
        "next seat": np.roll(base, -1),
    }
    # Standard error of a correlation of 100k independent pairs is about 0.003.
    for name, other in others.items():
        r = np.corrcoef(base, np.asarray(other, np.float64))[0, 1]
        assert abs(r) < 0.015, name
