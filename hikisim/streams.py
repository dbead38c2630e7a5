"""Named random streams, one per mechanism, all derived from one seed.

Each mechanism (state transitions, help-seeking, treatment dropout, tie erosion, every
intervention, ...) draws from its own generator. Each draws one uniform per youth per
week whether or not the youth can use it, so replicate *i* of two scenarios sees the same
numbers in every mechanism a programme does not touch: common random numbers.

Drawing those uniforms is a large share of a week's work, so once a mechanism has drawn
its week, its next week is generated on a helper thread while the kernel computes (numpy
releases the GIL while it fills an array). Each generator is still advanced in the same
order, by whole weeks, so the numbers are exactly those of drawing on demand; taking a
generator with ``streams[name]`` first undoes any draw made ahead for it.
"""

from __future__ import annotations

import os
import sys
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
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


class Streams:
    """Independent generators keyed by mechanism name.

    Args:
        seed: The run's seed.
        size: Number of youths, the length of each weekly draw.
        prefetch: Draw each mechanism's next week ahead on a helper thread. The numbers
            are the same either way; it only saves time when a second core is free. By
            default it is on with more than one CPU and switches itself off for good
            once the helper is late for a quarter of recent draws (a busy machine, where
            waiting for the helper costs more than drawing in place).
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
        # Per mechanism: the pending fill of its next week, its target, and the generator
        # state before the fill (to undo it if the generator is taken directly).
        self._ahead: dict[str, tuple[Future[Any], np.ndarray, dict[str, Any]]] = {}
        self._spare: dict[str, np.ndarray] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._executor_pid = 0

    def _generator(self, key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))

    def __getitem__(self, name: str) -> np.random.Generator:
        self._undo_ahead(name)
        return self._generators[name]

    def weekly(self, name: str) -> np.ndarray:
        """One uniform per youth from a mechanism's stream, in a reused buffer."""
        buffer = self._buffers[name]
        ahead = self._ahead.pop(name, None)
        late = ahead is not None and not ahead[0].done()
        if ahead is not None:
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
            # A fill that has not started leaves the generator untouched: draw in place.
            if ahead[0].cancel():
                ahead = None
        if ahead is None:
            fill_uniform(self._generators[name], buffer)
        else:
            future, filled, _ = ahead
            future.result()
            # Copy rather than swap, so callers keep seeing one buffer per mechanism.
            np.copyto(buffer, filled)
        if self.prefetch:
            self._draw_ahead(name)
        return buffer

    def _draw_ahead(self, name: str) -> None:
        if self._executor is None or self._executor_pid != os.getpid():
            # A forked child does not inherit the parent's helper thread.
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="streams")
            self._executor_pid = os.getpid()
        generator = self._generators[name]
        target = self._spare.get(name)
        if target is None:
            target = self._spare[name] = np.empty(self.size, np.float32)
        state = generator.bit_generator.state
        future = self._executor.submit(fill_uniform, generator, target)
        self._ahead[name] = (future, target, state)

    def _undo_ahead(self, name: str) -> None:
        ahead = self._ahead.pop(name, None)
        if ahead is not None:
            future, _, state = ahead
            future.result()
            self._generators[name].bit_generator.state = state

    def __getstate__(self) -> dict[str, Any]:
        for name in list(self._ahead):
            self._undo_ahead(name)
        state = self.__dict__.copy()
        state.update(_executor=None, _executor_pid=0, _spare={})
        return state

    def for_intervention(self, name: str) -> np.random.Generator:
        """A stream of an intervention's own, stable across runs and scenarios."""
        return self._generator(1000 + zlib.crc32(name.encode()))
