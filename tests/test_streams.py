"""Tests for the named random streams (hikisim.streams).

The weekly streams are counter-based: a youth's uniform is a function of (seed,
mechanism, week, draw index, seat) alone. Most tests here pin that down from the
outside, through the public API, since it is what common random numbers across
scenarios rest on.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from hikisim.philox import uniforms_all
from hikisim.streams import MECHANISMS, OUTSIDE_DRAW_BASE, Streams, WeeklyDraw


def test_same_seed_gives_same_draws_in_every_stream() -> None:
    """Two Streams of one seed agree on every weekly stream and every generator."""
    first, second = Streams(42, 100), Streams(42, 100)
    for week in (0, 1, 7):
        first.start_week(week)
        second.start_week(week)
        for name in MECHANISMS:
            np.testing.assert_array_equal(first.weekly(name), second.weekly(name), err_msg=name)
            # A second draw of the week too (draw index 1).
            np.testing.assert_array_equal(first.weekly(name), second.weekly(name), err_msg=name)
    for name in MECHANISMS:
        np.testing.assert_array_equal(first[name].random(5), second[name].random(5))


def test_different_seeds_give_different_draws() -> None:
    """Changing the seed changes every weekly stream and every generator."""
    one, two = Streams(1, 100), Streams(2, 100)
    for name in MECHANISMS:
        assert not np.array_equal(one.weekly(name), two.weekly(name)), name
        assert not np.array_equal(one[name].random(5), two[name].random(5)), name


def test_streams_differ_from_one_another() -> None:
    """No two mechanisms share numbers, weekly or from their generators."""
    streams = Streams(42, 100)
    weekly = {name: streams.weekly(name) for name in MECHANISMS}
    built = {name: streams[name].random(10) for name in MECHANISMS}
    for a in MECHANISMS:
        for b in MECHANISMS:
            if a < b:
                assert not np.array_equal(weekly[a], weekly[b]), (a, b)
                assert not np.array_equal(built[a], built[b]), (a, b)
    # A mechanism's weekly stream is not its generator's numbers either.
    for name in MECHANISMS:
        fresh = Streams(42, 100)[name].random(100, dtype=np.float32)
        assert not np.array_equal(weekly[name], fresh), name


def test_consuming_one_stream_leaves_the_others_unchanged() -> None:
    """Draws, generator use and intervention streams of one mechanism move no other."""
    quiet, busy = Streams(7, 50), Streams(7, 50)
    for week in range(3):
        quiet.start_week(week)
        busy.start_week(week)
        # Busy draws other mechanisms (in every way a draw is read) and uses generators,
        # including the generators of the mechanisms compared below.
        for _ in range(10):
            busy.weekly("help")
        busy.draw("internet")[np.array([3, 4])]
        busy.draw("track").below(0.3)
        busy["erosion"].random(1_000)
        busy["state"].random(1_000)
        busy.for_intervention("outreach").random(500)
        for name in ("state", "erosion", "sleep", "remission"):
            np.testing.assert_array_equal(
                quiet.weekly(name), busy.weekly(name), err_msg=f"{name} week {week}"
            )
    # Nor does the weekly use of a mechanism move its own (or any) generator.
    for name in ("help", "sleep", "population", "network"):
        np.testing.assert_array_equal(quiet[name].random(5), busy[name].random(5), err_msg=name)


def test_weekly_draws_are_uniform_float32_of_population_size() -> None:
    """A weekly draw is float32, one per youth, on the 2**-24 grid of [0, 1)."""
    streams = Streams(3, 20_000)
    draw = streams.draw("state")
    assert isinstance(draw, WeeklyDraw)
    assert len(draw) == 20_000
    values = draw.values()
    assert values.dtype == np.float32
    assert values.shape == (20_000,)
    assert values.min() >= 0.0
    assert values.max() < 1.0
    steps = values.astype(np.float64) * 2**24
    np.testing.assert_array_equal(steps, np.round(steps))
    # Standard error of the mean is 0.002: 0.01 is five of them.
    assert abs(float(values.mean(dtype=np.float64)) - 0.5) < 0.01
    assert streams.weekly("help").shape == (20_000,)


def test_values_into_out_copies_and_returns_it() -> None:
    """``values(out=...)`` fills the given buffer and returns that same array."""
    draw = Streams(3, 100).draw("sleep")
    out = np.full(100, -1.0, np.float32)
    assert draw.values(out=out) is out
    np.testing.assert_array_equal(out, draw.values())


def test_weekly_is_the_next_draws_values() -> None:
    """``weekly(name)`` is ``draw(name).values()`` and counts as one of the week's draws."""
    by_weekly, by_draw = Streams(3, 100), Streams(3, 100)
    for _ in range(3):
        np.testing.assert_array_equal(by_weekly.weekly("sleep"), by_draw.draw("sleep").values())


def test_two_draws_of_a_mechanism_in_one_week_differ() -> None:
    """Each draw of a mechanism within a week takes the next draw index: fresh numbers."""
    streams = Streams(3, 1_000)
    streams.start_week(4)
    first, second = streams.draw("sleep"), streams.draw("sleep")
    assert first.counter[2:] == (4, 0)
    assert second.counter[2:] == (4, 1)
    assert first.counter[:2] == second.counter[:2]
    assert not np.array_equal(first.values(), second.values())
    # A draw is a recipe, not a buffer: reading it again gives the same numbers.
    np.testing.assert_array_equal(first.values(), first.values())


def test_start_week_of_the_same_week_does_not_reset_the_draw_count() -> None:
    """Calling ``start_week`` again with the current week keeps counting its draws."""
    streams = Streams(3, 1_000)
    streams.start_week(2)
    first = streams.weekly("help")
    streams.start_week(2)
    second = streams.draw("help")
    assert second.counter[2:] == (2, 1)
    assert not np.array_equal(first, second.values())


def test_a_new_week_resets_the_draw_count() -> None:
    """A new week starts every mechanism at draw index 0; going back replays a week."""
    streams = Streams(3, 1_000)
    week_zero = [streams.weekly("help"), streams.weekly("help")]
    streams.start_week(1)
    assert streams.week == 1
    first_of_week_one = streams.draw("help")
    assert first_of_week_one.counter[2:] == (1, 0)
    assert not np.array_equal(first_of_week_one.values(), week_zero[0])
    # Revisiting week 0 counts from 0 again, so gives week 0's numbers again.
    streams.start_week(0)
    np.testing.assert_array_equal(streams.weekly("help"), week_zero[0])
    np.testing.assert_array_equal(streams.weekly("help"), week_zero[1])


def test_counter_gives_the_compiled_passes_the_same_uniforms() -> None:
    """``uniforms_all(*draw.counter, size)`` is the draw's values, as the kernels read them."""
    streams = Streams(11, 500)
    streams.start_week(30)
    streams.draw("state")
    draw = streams.draw("state")
    k0, k1, week, index = draw.counter
    assert isinstance(k0, np.uint64)
    assert isinstance(k1, np.uint64)
    assert (week, index) == (30, 1)
    np.testing.assert_array_equal(uniforms_all(k0, k1, week, index, 500), draw.values())


def test_draws_are_random_access_by_seat() -> None:
    """A seat's uniform is the same whatever the population size and whichever seats are read."""
    small, large = Streams(5, 100), Streams(5, 1_000)
    for week in (0, 3):
        small.start_week(week)
        large.start_week(week)
        for name in ("state", "help", "remission"):
            a, b = small.draw(name), large.draw(name)
            np.testing.assert_array_equal(a.values(), b.values()[:100], err_msg=name)
            seats = np.array([99, 0, 42, 42, 7])
            np.testing.assert_array_equal(a[seats], b[seats])
            np.testing.assert_array_equal(a[seats], a.values()[seats])


def test_indexing_a_draw_matches_indexing_its_values() -> None:
    """Integer arrays, lists, unsigned seats, slices, masks and scalars index like numpy."""
    draw = Streams(5, 300).draw("state")
    values = draw.values()
    rng = np.random.default_rng(1)
    seats = rng.integers(0, 300, 50)
    np.testing.assert_array_equal(draw[seats], values[seats])
    np.testing.assert_array_equal(draw[seats.astype(np.uint32)], values[seats])
    np.testing.assert_array_equal(draw[[5, 1, 5]], values[[5, 1, 5]])
    np.testing.assert_array_equal(draw[np.empty(0, np.int64)], values[:0])
    np.testing.assert_array_equal(draw[10:20], values[10:20])
    mask = values > 0.5
    np.testing.assert_array_equal(draw[mask], values[mask])
    assert draw[7] == values[7]
    assert draw[np.array([7])].dtype == np.float32


def test_skipping_weeks_does_not_shift_later_numbers() -> None:
    """A run that drew in weeks 0..5 and one that drew only in week 5 agree on week 5."""
    every, skip = Streams(9, 400), Streams(9, 400)
    for week in range(5):
        every.start_week(week)
        for name in ("state", "help", "severity"):
            every.weekly(name)
            every.weekly(name)
    every.start_week(5)
    skip.start_week(5)
    for name in ("state", "help", "severity", "labour"):
        np.testing.assert_array_equal(every.weekly(name), skip.weekly(name), err_msg=name)
        np.testing.assert_array_equal(every.weekly(name), skip.weekly(name), err_msg=name)


def test_draw_depends_only_on_seed_mechanism_week_index_and_seat() -> None:
    """Two differently used Streams agree wherever (mechanism, week, index, seat) agree."""
    a, b = Streams(21, 2_000), Streams(21, 300)
    # Stream a draws other mechanisms, and state twice in week 2, before week 8.
    a.start_week(2)
    a.weekly("state")
    a.weekly("state")
    a.weekly("internet")
    a["state"].random(50)
    a.start_week(8)
    a.weekly("help")
    b.start_week(8)
    seats = np.array([0, 299, 150])
    np.testing.assert_array_equal(a.draw("state")[seats], b.draw("state")[seats])
    # The second draw of week 8 (index 1) agrees too, on every seat b has.
    a1, b1 = a.draw("state"), b.draw("state")
    np.testing.assert_array_equal(a1.values()[:300], b1.values())
    assert a1.counter[2:] == (8, 1)


# The first uniforms of Streams(42, 4), week 0, draw 0, and of its generators, as
# computed when the counter-based streams were introduced. MECHANISMS is append-only
# ("appended so the streams above keep their keys and numbers"): reordering it, or
# changing how keys are derived, would change every run and fail here.
PINNED_WEEKLY = {
    "population": [
        0.0011499524116516113,
        0.7580291628837585,
        0.7621793746948242,
        0.1512589454650879,
    ],
    "state": [0.516714334487915, 0.8189186453819275, 0.07521432638168335, 0.6851708292961121],
    "remission": [0.6605092287063599, 0.040638744831085205, 0.5229587554931641, 0.5078064203262329],
}
PINNED_GENERATOR = {
    "population": [0.9167441575549085, 0.9109866676343232],
    "state": [0.7639328676507445, 0.9713361041904083],
    "remission": [0.2487079737717165, 0.3520992596794341],
}


@pytest.mark.parametrize("name", sorted(PINNED_WEEKLY))
def test_streams_keep_their_numbers(name: str) -> None:
    """Pinned values: a stream's numbers do not move when the code around them changes."""
    streams = Streams(42, 4)
    np.testing.assert_array_equal(
        streams.draw(name).values(), np.array(PINNED_WEEKLY[name], np.float32)
    )
    np.testing.assert_array_equal(streams[name].random(2), PINNED_GENERATOR[name])


def test_below_equals_values_below_the_float32_threshold() -> None:
    """``below(t)`` is exactly ``values() < np.float32(t)``, at and around the uniforms."""
    streams = Streams(13, 5_000)
    for week in range(3):
        streams.start_week(week)
        for name in ("state", "help", "erosion"):
            draw = streams.draw(name)
            values = draw.values()
            u = values[7]
            up, down = np.float32(np.inf), np.float32(-np.inf)
            thresholds = [
                0.0,
                -0.0,
                -1.0,
                1.0,
                2.0,
                1e-30,
                float(np.finfo(np.float32).smallest_subnormal),
                2.0**-24,
                2.0**-25,
                3 * 2.0**-25,
                0.05,
                1 / 3,
                1.0 - 2.0**-24,
                float(np.nextafter(np.float32(1.0), down)),
                float(u),
                float(np.nextafter(u, up)),
                float(np.nextafter(u, down)),
                # Float64 thresholds that round to u, or just above it, as float32.
                float(u) + 1e-12,
                float(u) - 1e-12,
                float(values.min()),
                float(values.max()),
            ]
            for t in thresholds:
                got = draw.below(t)
                assert got.dtype == np.bool_
                np.testing.assert_array_equal(
                    got, values < np.float32(t), err_msg=f"{name} week {week} t={t!r}"
                )
            # Numpy float32 and float64 thresholds are taken the same way.
            np.testing.assert_array_equal(draw.below(u), values < u)
            np.testing.assert_array_equal(draw.below(np.float64(u)), values < u)
            # The uniform at u itself is not below u: the comparison is strict.
            assert not draw.below(u)[7]
            assert draw.below(np.nextafter(u, up))[7]


@pytest.mark.parametrize("threshold", [np.inf, -np.inf, 1e39, np.nan])
def test_below_non_finite_threshold(threshold: float) -> None:
    """``below`` of a non-finite or huge threshold matches ``values() < np.float32(t)``."""
    draw = Streams(13, 100).draw("state")
    with np.errstate(over="ignore"):
        want = draw.values() < np.float32(threshold)
        np.testing.assert_array_equal(draw.below(threshold), want)


def test_intervention_streams_are_stable_and_distinct() -> None:
    """An intervention's stream depends on its name and seed only, and is its own."""
    a, b = Streams(9, 10), Streams(9, 10)
    # Drawing from a's mechanisms first does not matter.
    a.weekly("state")
    a["state"].random(10)
    np.testing.assert_array_equal(
        a.for_intervention("school_programme").random(5),
        b.for_intervention("school_programme").random(5),
    )
    own = Streams(9, 10).for_intervention("school_programme").random(10)
    other = Streams(9, 10).for_intervention("outreach").random(10)
    reseeded = Streams(10, 10).for_intervention("school_programme").random(10)
    assert not np.array_equal(own, other)
    assert not np.array_equal(own, reseeded)
    for name in MECHANISMS:
        assert not np.array_equal(own, Streams(9, 10)[name].random(10)), name


def test_intervention_stream_does_not_disturb_mechanisms() -> None:
    """Using an intervention's stream leaves weekly draws and generators where they were."""
    plain, with_programme = Streams(5, 30), Streams(5, 30)
    with_programme.for_intervention("outreach").random(500)
    np.testing.assert_array_equal(plain.weekly("state"), with_programme.weekly("state"))
    np.testing.assert_array_equal(plain["state"].random(5), with_programme["state"].random(5))


@pytest.mark.parametrize("clone", ["pickle", "deepcopy"])
def test_streams_round_trip_through_pickle_mid_week(clone: str) -> None:
    """A pickled (or deep-copied) Streams continues exactly where the original was.

    Models are pickled (shared burn-in, process pools), so the week, the draw counts
    within it and the generators' states must all survive.
    """
    original = Streams(17, 200)
    original.start_week(6)
    original.weekly("state")
    original.weekly("help")
    original.weekly("help")
    original["network"].random(33)
    clones = {"pickle": lambda s: pickle.loads(pickle.dumps(s)), "deepcopy": copy.deepcopy}
    copied = clones[clone](original)
    assert (copied.seed, copied.size, copied.week) == (17, 200, 6)
    for name in ("state", "help", "sleep"):
        want = original.draw(name)
        got = copied.draw(name)
        assert got.counter == want.counter, name
        np.testing.assert_array_equal(got.values(), want.values(), err_msg=name)
    for name in ("network", "population"):
        np.testing.assert_array_equal(copied[name].random(5), original[name].random(5))
    copied.start_week(7)
    original.start_week(7)
    np.testing.assert_array_equal(copied.weekly("state"), original.weekly("state"))


def test_weekly_draw_pickles() -> None:
    """A WeeklyDraw (slots, no dict) pickles to the same numbers."""
    draw = Streams(17, 50).draw("state")
    again = pickle.loads(pickle.dumps(draw))
    assert again.counter == draw.counter
    np.testing.assert_array_equal(again.values(), draw.values())


def test_a_streams_draw_is_the_draw_from_its_integer_key_words() -> None:
    """Streams.draw's draws (key words kept as uint64) equal ones built from plain ints."""
    streams = Streams(23, 300)
    streams.start_week(9)
    for name in ("state", "help", "state"):
        draw = streams.draw(name)
        words = tuple(int(word) for word in draw.counter[:2])
        built = WeeklyDraw(words, 9, draw.counter[3], 300)
        assert draw.counter == built.counter
        assert all(type(word) is np.uint64 for word in draw.counter[:2])
        np.testing.assert_array_equal(draw.values(), built.values())
        seats = np.array([3, 0, 299])
        np.testing.assert_array_equal(draw[seats], built[seats])


def test_outside_draws_leave_the_weekly_draws_as_they_were() -> None:
    """A move made by hand between weeks takes numbers the weekly step never uses."""
    plain, touched = Streams(42, 100), Streams(42, 100)
    seen = []
    for week in (0, 1):
        plain.start_week(week)
        touched.start_week(week)
        # By hand before the week's draws (as before the first step) and between them.
        outside = touched.outside_draw("severity")
        assert outside.counter[3] >= OUTSIDE_DRAW_BASE
        seen.append(outside.values())
        for name in ("severity", "state", "severity"):
            np.testing.assert_array_equal(plain.draw(name).values(), touched.draw(name).values())
            seen.append(touched.outside_draw(name).values())
    # Never the same numbers twice, across weeks too.
    assert len({tuple(values.tolist()) for values in seen}) == len(seen)
