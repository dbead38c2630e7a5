"""Named random streams, one per mechanism, all derived from one seed.

Each mechanism (state transitions, help-seeking, treatment dropout, tie erosion, every
intervention, ...) draws from its own generator. Each draws one uniform per youth per
week whether or not the youth can use it, so replicate *i* of two scenarios sees the same
numbers in every mechanism a programme does not touch: common random numbers.
"""

from __future__ import annotations

import zlib

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


class Streams:
    """Independent generators keyed by mechanism name.

    Args:
        seed: The run's seed.
        size: Number of youths, the length of each weekly draw.
    """

    def __init__(self, seed: int, size: int) -> None:
        self.seed = seed
        self.size = size
        self._generators = {
            name: self._generator(index) for index, name in enumerate(MECHANISMS)
        }
        self._buffers = {name: np.empty(size, np.float32) for name in MECHANISMS}

    def _generator(self, key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))

    def __getitem__(self, name: str) -> np.random.Generator:
        return self._generators[name]

    def weekly(self, name: str) -> np.ndarray:
        """One uniform per youth from a mechanism's stream, in a reused buffer."""
        buffer = self._buffers[name]
        self._generators[name].random(dtype=np.float32, out=buffer)
        return buffer

    def for_intervention(self, name: str) -> np.random.Generator:
        """A stream of an intervention's own, stable across runs and scenarios."""
        return self._generator(1000 + zlib.crc32(name.encode()))
