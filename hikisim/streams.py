"""Named random streams, one per mechanism, all derived from one seed.

Each mechanism (state transitions, help-seeking, treatment dropout, tie erosion, ...)
has its own stream. The weekly ones are counter-based (:mod:`hikisim.philox`): a youth's
uniform is a function of the mechanism's key and the counter (seat, week, draw), computed
only where the mechanism reads it. Every youth has a uniform of every mechanism every
week whether or not it is read, so replicate *i* of two scenarios sees the same numbers
in every mechanism a programme does not touch (common random numbers), and a mechanism
skipped in one week does not shift the numbers of the next.

The build and the irregular draws (population, network, turnover, parents, each
intervention) use numpy generators, one per mechanism, from ``streams[name]``.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import numpy as np

from hikisim.philox import below_mask, uniforms_all, uniforms_at

MECHANISMS = (
    "population",
    "network",
    "turnover",
    "state",
    "school_refusal",
    "internet",
    "sleep",
    "track",
    "help",
    "treatment",
    "erosion",
    # Added with Model v2; appended so the streams above keep their keys and numbers.
    "severity",
    "labour",
    # Parents (hikisim.parents) are drawn at the start and for each turnover's newcomers
    # (in batches, turnover by turnover) from a stream of their own, appended so that no
    # other stream's numbers move: a run's outputs other than the parents' measures do
    # not depend on them.
    "parents",
    # Depression during withdrawal and the remission of disorders (issue 10, item 5):
    # appended for the same reason.
    "depression",
    "remission",
)

# A float32 uniform is k * 2**-24 for the top 24 bits k of its 32-bit word.
WORD_STEPS = 2**24
WORD_SHIFT = 8
# Spawn-key tag of the weekly streams' keys, apart from the numpy generators' seeds.
WEEKLY_TAG = 1
# First draw index of moves made outside the weekly step (Streams.outside_draw); the
# counter's draw word has 32 bits, and no mechanism draws more than a few times a week.
OUTSIDE_DRAW_BASE = 2**20


class WeeklyDraw:
    """One uniform per youth for one week of a mechanism, computed where read.

    ``draw[seats]`` gives the float32 uniforms of those youths (seats in range, as
    the kernel passes them: an integer array is not wrapped or checked, for speed),
    ``draw.below(t)`` the mask ``values < t`` compared as exact integer words, and
    ``draw.values()`` them all.

    Args:
        key: The mechanism's two 32-bit key words.
        week: The absolute week.
        index: Which of the mechanism's draws in that week.
        size: Number of youths.
    """

    __slots__ = ("_index", "_k0", "_k1", "_size", "_week")

    def __init__(self, key: tuple[int, int], week: int, index: int, size: int) -> None:
        self._k0, self._k1 = np.uint64(key[0]), np.uint64(key[1])
        self._week = week
        self._index = index
        self._size = size

    @classmethod
    def _of_words(
        cls, words: tuple[np.uint64, np.uint64], week: int, index: int, size: int
    ) -> WeeklyDraw:
        """The same draw from key words already held as ``np.uint64`` (no conversion).

        :meth:`Streams.draw` makes about a dozen draws a week, and converting the key
        words was most of their cost.
        """
        draw = cls.__new__(cls)
        draw._k0, draw._k1 = words
        draw._week = week
        draw._index = index
        draw._size = size
        return draw

    def __len__(self) -> int:
        return self._size

    @property
    def counter(self) -> tuple[np.uint64, np.uint64, int, int]:
        """Key words, week and draw index, as the compiled passes take them."""
        return self._k0, self._k1, self._week, self._index

    def __getitem__(self, index: Any) -> Any:
        """The uniforms at ``index``.

        Args:
            index: A 1-D integer array (or list) of seats, computed only for those
                seats; any other index (a slice, a scalar, a mask) indexes
                :meth:`values`.

        Returns:
            The float32 uniforms selected.
        """
        seats = np.asarray(index)
        if seats.dtype.kind not in "iu" or seats.ndim != 1:
            return self.values()[index]
        return uniforms_at(self._k0, self._k1, self._week, self._index, seats.astype(np.int64))

    def values(self, out: np.ndarray | None = None) -> np.ndarray:
        """All the uniforms as float32 (into ``out`` if given).

        Args:
            out: An array of length ``len(self)`` to copy the uniforms into, or None
                for a new array.

        Returns:
            The uniforms by seat: ``out`` if given, else a new float32 array.
        """
        values = uniforms_all(self._k0, self._k1, self._week, self._index, self._size)
        if out is None:
            return values
        np.copyto(out, values)
        return out

    def below(self, threshold: float) -> np.ndarray:
        """Boolean mask equal to ``values() < threshold`` (threshold taken as float32).

        A uniform is ``k * 2**-24`` for its word's top 24 bits ``k``, so comparing it with
        a float32 threshold ``t`` is comparing ``k`` with ``ceil(t * 2**24)``: an exact
        comparison of the words.

        Args:
            threshold: The threshold, rounded to float32 after clamping to [0, 1]; NaN
                gives no True.

        Returns:
            A boolean array by seat (length ``len(self)``).
        """
        if math.isnan(threshold):
            return np.zeros(self._size, bool)
        # Every uniform is in [0, 1): thresholds outside it (infinities too) decide alone.
        clamped = float(np.float32(min(max(float(threshold), 0.0), 1.0)))
        steps = math.ceil(clamped * WORD_STEPS)
        if steps == WORD_STEPS:
            return np.ones(self._size, bool)
        bound = np.uint64(steps << WORD_SHIFT)
        return below_mask(self._k0, self._k1, self._week, self._index, self._size, bound)


class Streams:
    """Independent streams keyed by mechanism name.

    Args:
        seed: The run's seed.
        size: Number of youths, the length of each weekly draw.
    """

    def __init__(self, seed: int, size: int) -> None:
        self.seed = seed
        self.size = size
        self._generators = {name: self._generator(index) for index, name in enumerate(MECHANISMS)}
        # Each mechanism's two 32-bit key words, held as np.uint64 as the compiled
        # passes take them (converting them for every weekly draw cost most of a draw).
        self._key_words = {
            name: tuple(
                np.uint64(word)
                for word in np.random.SeedSequence(
                    seed, spawn_key=(index, WEEKLY_TAG)
                ).generate_state(2, np.uint32)
            )
            for index, name in enumerate(MECHANISMS)
        }
        self.week = 0
        # How many times each mechanism has drawn in the current week.
        self._drawn: dict[str, int] = {}
        # How many draws moves made outside the weekly step have taken (see outside_draw).
        self._outside_drawn = 0

    def _generator(self, key: int) -> np.random.Generator:
        """A new numpy generator from the run's seed and the spawn key ``(key,)``.

        ``key`` is a mechanism's index in :data:`MECHANISMS` or, for an intervention,
        1000 plus the CRC-32 of its name; each call starts the stream afresh.
        """
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))

    def __getitem__(self, name: str) -> np.random.Generator:
        """A mechanism's numpy generator, for the build and the irregular draws.

        Args:
            name: The mechanism, one of :data:`MECHANISMS`.

        Returns:
            The mechanism's generator (the same object on every call).
        """
        return self._generators[name]

    def start_week(self, week: int) -> None:
        """Count the weekly draws from ``week`` on (the kernel calls it each week).

        Args:
            week: The absolute week.
        """
        if week != self.week:
            self.week = week
            self._drawn.clear()

    def draw(self, name: str) -> WeeklyDraw:
        """One uniform per youth from a mechanism's stream, for this week.

        A second draw of the same mechanism in one week gives fresh numbers.

        Args:
            name: The mechanism, one of :data:`MECHANISMS`.

        Returns:
            The draw (week :attr:`week`, the mechanism's next draw index in it), whose
            uniforms are computed where read.

        Raises:
            KeyError: If ``name`` is not a mechanism.
        """
        index = self._drawn.get(name, 0)
        self._drawn[name] = index + 1
        return WeeklyDraw._of_words(self._key_words[name], self.week, index, self.size)

    def outside_draw(self, name: str) -> WeeklyDraw:
        """A draw of a mechanism's stream for a move made outside the weekly step.

        User code that sets an agent's state between weeks needs uniforms (a severity, a
        chance of work). They come from draw indices from :data:`OUTSIDE_DRAW_BASE` on,
        which no mechanism reaches within a week, and are counted across weeks, so they
        never repeat and never take a number the weekly step would use: the model's
        own draws, and their alignment across scenarios, stay as they were.

        Args:
            name: The mechanism, one of :data:`MECHANISMS`.

        Returns:
            The draw (the current week, the next index kept for outside moves).
        """
        index = OUTSIDE_DRAW_BASE + self._outside_drawn
        self._outside_drawn += 1
        return WeeklyDraw._of_words(self._key_words[name], self.week, index, self.size)

    def weekly(self, name: str) -> np.ndarray:
        """One uniform per youth from a mechanism's stream, as float32.

        Takes one of the mechanism's draws for this week, as :meth:`draw` does.

        Args:
            name: The mechanism, one of :data:`MECHANISMS`.

        Returns:
            Every youth's uniform (float32, by seat, length :attr:`size`).
        """
        return self.draw(name).values()

    def for_intervention(self, name: str) -> np.random.Generator:
        """A stream of an intervention's own, stable across runs and scenarios.

        Args:
            name: The intervention's name (its CRC-32 picks the spawn key).

        Returns:
            A new numpy generator from the run's seed; each call starts it afresh, so two
            calls with the same name give the same numbers.
        """
        return self._generator(1000 + zlib.crc32(name.encode()))
