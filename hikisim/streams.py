"""Named random streams, one per mechanism, all derived from one seed.

Each mechanism (state transitions, help-seeking, treatment dropout, tie erosion, every
intervention, ...) draws from its own generator. Each draws one uniform per youth per
week whether or not the youth can use it, so replicate *i* of two scenarios sees the same
numbers in every mechanism a programme does not touch: common random numbers.

Drawing those uniforms is a large share of a week's work. A week's draw keeps the raw
32-bit words and turns into float32 only the youths a mechanism reads (most read a few
thousand of 100,000), with exactly the values numpy's float32 draw would give. And once
the kernel has drawn its week, every mechanism's next week is generated on a helper
thread in one task while the model computes (numpy releases the GIL while it generates).
Each generator is still advanced in the same order, by whole weeks, so the numbers are
exactly those of drawing on demand; taking a generator with ``streams[name]`` first undoes
any draw made ahead for it.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

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
    # Parents (hikisim.parents) are drawn at the start and at each turnover from a stream
    # of their own, appended so that no other stream's numbers move: a run's outputs other
    # than the parents' measures do not depend on them.
    "parents",
    # Depression during withdrawal and the remission of disorders (issue 10, item 5):
    # appended for the same reason.
    "depression",
    "remission",
)

# numpy makes a float32 uniform from the next 32 random bits as (bits >> 8) * 2**-24.
FLOAT32_SCALE = np.float32(2.0**-24)


def fill_uniform(generator: np.random.Generator, out: np.ndarray) -> None:
    """Fill a float32 array exactly as ``generator.random(dtype=np.float32, out=out)``.

    PCG64 hands out 32-bit words as the low then the high half of each 64-bit output, so
    for an even-sized fill with no half-word left over from an earlier draw, the raw
    64-bit outputs read as pairs of 32-bit words are the same words in the same order.
    Converting them in two vectorized passes is about a fifth cheaper than numpy's
    per-number loop. Any other case takes numpy's own path.

    Args:
        generator: The stream, advanced as by the numpy call.
        out: Contiguous float32 array to fill.
    """
    bit_generator = generator.bit_generator
    size = len(out)
    if (
        size % 2
        or sys.byteorder != "little"
        or not isinstance(bit_generator, np.random.PCG64)
        or bit_generator.state["has_uint32"]
    ):
        generator.random(dtype=np.float32, out=out)
        return
    words = bit_generator.random_raw(size // 2).view(np.uint32)
    np.right_shift(words, 8, out=words)
    np.multiply(words, FLOAT32_SCALE, out=out, dtype=np.float32, casting="unsafe")


def words_to_float(words: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The float32 uniforms numpy makes from raw 32-bit words (see :func:`fill_uniform`)."""
    shifted = np.right_shift(words, 8)
    return np.multiply(shifted, FLOAT32_SCALE, out=out, dtype=np.float32, casting="unsafe")


class WeeklyDraw:
    """One uniform per youth for one week of a mechanism, made float32 where read.

    ``draw[seats]`` and ``draw.below(x)`` give exactly ``values[seats]`` and
    ``values < x`` for the float32 array ``values`` that numpy's own float32 draw would
    have produced, without converting the whole array.

    Args:
        words: The raw 32-bit words, one per youth; or None when ``values`` is given.
        values: The float32 uniforms themselves.
    """

    __slots__ = ("_values", "_words")

    def __init__(self, words: np.ndarray | None = None, values: np.ndarray | None = None) -> None:
        self._words = words
        self._values = values

    def __len__(self) -> int:
        return len(self._words if self._values is None else self._values)

    def __getitem__(self, index: Any) -> Any:
        if self._values is not None:
            return self._values[index]
        return words_to_float(self._words[index])

    def values(self, out: np.ndarray | None = None) -> np.ndarray:
        """All the uniforms as float32 (into ``out`` if given)."""
        if self._values is None:
            return words_to_float(self._words, out)
        if out is None:
            return self._values
        np.copyto(out, self._values)
        return out

    def below(self, threshold: float) -> np.ndarray:
        """Boolean mask equal to ``values < threshold`` (threshold taken as float32).

        A uniform is ``k * 2**-24`` for the word's top 24 bits ``k``, so comparing it with
        a float32 threshold ``t`` is comparing ``k`` with ``ceil(t * 2**24)``, which is an
        exact comparison of the raw words.
        """
        if self._values is not None:
            return self._values < threshold
        bound = min(max(math.ceil(float(np.float32(threshold)) * 2**24), 0), 2**24)
        if bound == 2**24:
            return np.ones(len(self._words), bool)
        return self._words < np.uint32(bound << 8)


class _WeekAhead:
    """Next week's raw words of several mechanisms, generated in one helper task.

    A mechanism whose turn has not come when the kernel needs it is claimed back and
    drawn in place; one being generated is waited for.
    """

    def __init__(self, jobs: list[tuple[str, np.random.BitGenerator]], half: int) -> None:
        self._jobs = jobs
        self._half = half
        self._ready = threading.Condition()
        self._pending = dict(jobs)
        self._results: dict[str, np.ndarray] = {}

    def run(self) -> None:
        for name, bit_generator in self._jobs:
            with self._ready:
                if self._pending.pop(name, None) is None:
                    continue
            words = bit_generator.random_raw(self._half).view(np.uint32)
            with self._ready:
                self._results[name] = words
                self._ready.notify_all()

    def take(self, name: str) -> tuple[np.ndarray | None, bool]:
        """A mechanism's words, or None if it was claimed back; and whether it was late."""
        words = self._results.pop(name, None)
        if words is not None:
            return words, False
        with self._ready:
            if self._pending.pop(name, None) is not None:
                return None, True
            while name not in self._results:
                self._ready.wait()
            return self._results.pop(name), True


class Streams:
    """Independent generators keyed by mechanism name.

    Args:
        seed: The run's seed.
        size: Number of youths, the length of each weekly draw.
        prefetch: Draw the mechanisms' next week ahead on a helper thread (see
            :meth:`draw_ahead`). The numbers are the same either way; it only saves time
            when a second core is free. By default it is on with more than one CPU and
            switches itself off for good once the helper is late for a quarter of recent
            draws (a busy machine, where waiting for the helper costs more than drawing in
            place).
    """

    # The helper may fall behind now and then on any machine; only when it is late for a
    # sizeable share of recent draws is the second core really busy.
    late_share_limit = 0.25
    late_memory = 0.98
    late_min_draws = 100

    def __init__(self, seed: int, size: int, prefetch: bool | None = None) -> None:
        self.seed = seed
        self.size = size
        self._generators = {name: self._generator(index) for index, name in enumerate(MECHANISMS)}
        self._buffers = {name: np.empty(size, np.float32) for name in MECHANISMS}
        self.prefetch = (os.cpu_count() or 1) > 1 if prefetch is None else prefetch
        self._adaptive = prefetch is None
        self._late = 0
        self._late_share = 0.0
        self._draws = 0
        # Raw words can stand for numpy's float32 draw only for PCG64, an even size on a
        # little-endian machine, and no half-word held over (possible only once a
        # generator has been handed out with ``streams[name]``).
        self._raw = size % 2 == 0 and sys.byteorder == "little"
        self._handed_out: set[str] = set()
        # Mechanisms drawn since the last draw_ahead, in order, and the pending task of
        # each mechanism drawn ahead and not yet used.
        self._drawn: dict[str, None] = {}
        self._ahead: dict[str, _WeekAhead] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._executor_pid = 0

    def _generator(self, key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))

    def __getitem__(self, name: str) -> np.random.Generator:
        self._undo_ahead(name)
        self._handed_out.add(name)
        return self._generators[name]

    def _raw_ok(self, name: str) -> bool:
        bit_generator = self._generators[name].bit_generator
        return (
            self._raw
            and isinstance(bit_generator, np.random.PCG64)
            and (name not in self._handed_out or not bit_generator.state["has_uint32"])
        )

    def draw(self, name: str) -> WeeklyDraw:
        """One uniform per youth from a mechanism's stream, for this week."""
        self._drawn[name] = None
        ahead = self._ahead.pop(name, None)
        if ahead is not None:
            words, late = ahead.take(name)
            self._note(late)
            if words is not None:
                return WeeklyDraw(words)
        if self._raw_ok(name):
            words = self._generators[name].bit_generator.random_raw(self.size // 2)
            return WeeklyDraw(words.view(np.uint32))
        buffer = self._buffers[name]
        self._generators[name].random(dtype=np.float32, out=buffer)
        return WeeklyDraw(values=buffer)

    def weekly(self, name: str) -> np.ndarray:
        """One uniform per youth from a mechanism's stream, as float32 in a reused buffer."""
        return self.draw(name).values(self._buffers[name])

    def _note(self, late: bool) -> None:
        self._draws += 1
        self._late_share = self.late_memory * self._late_share + (1 - self.late_memory) * late
        if late:
            self._late += 1
            if (
                self._adaptive
                and self._draws >= self.late_min_draws
                and self._late_share > self.late_share_limit
            ):
                self.prefetch = False

    def draw_ahead(self) -> None:
        """Start generating next week's draws of the mechanisms drawn since the last call.

        The kernel calls this once its week is done; with ``prefetch`` off it does nothing.
        """
        drawn, self._drawn = self._drawn, {}
        if not self.prefetch:
            return
        jobs = [
            (name, self._generators[name].bit_generator)
            for name in drawn
            if name not in self._ahead and self._raw_ok(name)
        ]
        if not jobs:
            return
        if self._executor is None or self._executor_pid != os.getpid():
            # A forked child does not inherit the parent's helper thread.
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="streams")
            self._executor_pid = os.getpid()
        ahead = _WeekAhead(jobs, self.size // 2)
        self._ahead.update({name: ahead for name, _ in jobs})
        self._executor.submit(ahead.run)

    def _undo_ahead(self, name: str) -> None:
        ahead = self._ahead.pop(name, None)
        if ahead is not None:
            words, _ = ahead.take(name)
            if words is not None:
                # PCG64 steps back as well as forward: one step per 64-bit output.
                self._generators[name].bit_generator.advance(-(len(words) // 2))

    def __getstate__(self) -> dict[str, Any]:
        for name in list(self._ahead):
            self._undo_ahead(name)
        state = self.__dict__.copy()
        state.update(_executor=None, _executor_pid=0, _ahead={})
        return state

    def for_intervention(self, name: str) -> np.random.Generator:
        """A stream of an intervention's own, stable across runs and scenarios."""
        return self._generator(1000 + zlib.crc32(name.encode()))
