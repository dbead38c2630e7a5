"""Tests for the named random streams."""

from __future__ import annotations

import numpy as np

from hikisim.streams import MECHANISMS, Streams, fill_uniform


def test_same_seed_gives_same_draws_in_every_stream() -> None:
    first, second = Streams(42, 100), Streams(42, 100)
    for name in MECHANISMS:
        assert np.array_equal(first.weekly(name), second.weekly(name))
        assert np.array_equal(first[name].random(5), second[name].random(5))


def test_different_seeds_give_different_draws() -> None:
    assert not np.array_equal(Streams(1, 100).weekly("state"), Streams(2, 100).weekly("state"))


def test_streams_differ_from_one_another() -> None:
    streams = Streams(42, 100)
    draws = {name: streams.weekly(name).copy() for name in MECHANISMS}
    for a in MECHANISMS:
        for b in MECHANISMS:
            if a < b:
                assert not np.array_equal(draws[a], draws[b]), (a, b)


def test_consuming_one_stream_leaves_the_others_unchanged() -> None:
    quiet, busy = Streams(7, 50), Streams(7, 50)
    for _ in range(10):
        busy.weekly("help")
        busy["erosion"].random(1_000)
    for week in range(3):
        assert np.array_equal(quiet.weekly("state"), busy.weekly("state")), week


def test_weekly_draws_are_uniform_float32_of_population_size() -> None:
    streams = Streams(3, 20_000)
    draw = streams.weekly("state")
    assert draw.dtype == np.float32
    assert draw.shape == (20_000,)
    assert draw.min() >= 0.0
    assert draw.max() < 1.0
    assert abs(float(draw.mean()) - 0.5) < 0.01


def test_weekly_reuses_its_buffer_but_advances() -> None:
    streams = Streams(3, 100)
    first = streams.weekly("sleep")
    snapshot = first.copy()
    second = streams.weekly("sleep")
    assert second is first
    assert not np.array_equal(snapshot, second)


def test_intervention_streams_are_stable_and_distinct() -> None:
    a, b = Streams(9, 10), Streams(9, 10)
    assert np.array_equal(
        a.for_intervention("school_programme").random(5),
        b.for_intervention("school_programme").random(5),
    )
    own = Streams(9, 10).for_intervention("school_programme").random(10)
    other = Streams(9, 10).for_intervention("outreach").random(10)
    mechanism = Streams(9, 10)["state"].random(10)
    assert not np.array_equal(own, other)
    assert not np.array_equal(own, mechanism)


def test_intervention_stream_does_not_disturb_mechanisms() -> None:
    plain, with_programme = Streams(5, 30), Streams(5, 30)
    with_programme.for_intervention("outreach").random(500)
    assert np.array_equal(plain.weekly("state"), with_programme.weekly("state"))


def test_fill_uniform_matches_numpy_float32_draws() -> None:
    # Even and odd sizes, and a generator left holding half a 64-bit word.
    for size, prime in ((10_000, 0), (10_001, 0), (10_000, 3)):
        ours, theirs = np.random.default_rng(11), np.random.default_rng(11)
        ours.random(prime, dtype=np.float32)
        theirs.random(prime, dtype=np.float32)
        for _ in range(3):
            got = np.empty(size, np.float32)
            fill_uniform(ours, got)
            want = theirs.random(size, dtype=np.float32)
            np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(
            ours.random(5, dtype=np.float32), theirs.random(5, dtype=np.float32)
        )


def test_draws_match_weekly_floats_with_and_without_drawing_ahead() -> None:
    plain, ahead = Streams(13, 1_000, prefetch=False), Streams(13, 1_000, prefetch=True)
    seats = np.array([0, 5, 999, 5])
    for week in range(4):
        for name in ("state", "help", "erosion"):
            want = plain.weekly(name).copy()
            got = ahead.draw(name)
            np.testing.assert_array_equal(got.values(), want, err_msg=f"{name} {week}")
            np.testing.assert_array_equal(got[seats], want[seats])
            for threshold in (0.0, 0.05, float(want[7]), 1 / 3, 1.0, 2.0):
                np.testing.assert_array_equal(got.below(threshold), want < threshold)
        ahead.draw_ahead()
    # Taking a generator undoes the draw made ahead for it.
    np.testing.assert_array_equal(ahead["state"].random(5), plain["state"].random(5))
    np.testing.assert_array_equal(ahead.weekly("help"), plain.weekly("help"))


def test_odd_sizes_take_numpys_own_float32_draw() -> None:
    streams = Streams(4, 101, prefetch=True)
    want = np.random.default_rng(np.random.SeedSequence(4, spawn_key=(3,)))
    for _ in range(2):
        np.testing.assert_array_equal(
            streams.draw("state").values(), want.random(101, dtype=np.float32)
        )
        streams.draw_ahead()
