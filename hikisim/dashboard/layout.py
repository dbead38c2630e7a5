"""A fast, seeded force-directed layout for the network view.

networkx's spring layout takes seconds to minutes beyond a few hundred nodes, too slow
for a reset button. This is the same Fruchterman-Reingold idea in numpy: ties pull
their ends together, and each youth is pushed away from a random sample of others
(scaled up to stand for everyone), which makes one iteration O(nodes + ties).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

ITERATIONS = 80
REPULSION_SAMPLES = 32


def offline_edges(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Both ends of every offline tie, as two integer arrays.

    Online contacts join random pairs; letting them pull would squash the families,
    classes and neighbourhoods a class should see into one hairball.
    """
    ends = [(a, b) for a, b, kind in graph.edges(data="kind") if kind != "ONLINE"]
    if not ends:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    array = np.array(ends, dtype=np.int64)
    return array[:, 0], array[:, 1]


def _repulsion(pos: np.ndarray, k: float, rng: np.random.Generator) -> np.ndarray:
    n = len(pos)
    others = rng.integers(0, n, (n, REPULSION_SAMPLES))
    delta = pos[:, None, :] - pos[others]
    dist2 = np.einsum("ijk,ijk->ij", delta, delta) + 1e-6
    return np.einsum("ijk,ij->ik", delta, k * k / dist2) * (n / REPULSION_SAMPLES)


def _attraction(pos: np.ndarray, u: np.ndarray, v: np.ndarray, k: float) -> np.ndarray:
    delta = pos[u] - pos[v]
    pull = delta * (np.linalg.norm(delta, axis=1) / k)[:, None]
    force = np.zeros_like(pos)
    for axis in range(2):
        force[:, axis] = np.bincount(v, pull[:, axis], len(pos)) - np.bincount(
            u, pull[:, axis], len(pos)
        )
    return force


def network_layout(graph: nx.Graph, seed: int, iterations: int = ITERATIONS) -> np.ndarray:
    """Positions of the graph's nodes in the unit square, the same for the same seed.

    Args:
        graph: The social graph; nodes must be ``0 .. n-1``.
        seed: Seed of the layout's own random numbers (the model's streams are untouched).
        iterations: Force iterations; the step size cools linearly to zero.

    Returns:
        An ``(n, 2)`` array of positions.
    """
    n = graph.number_of_nodes()
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    if n < 2:
        return pos
    u, v = offline_edges(graph)
    k = 1.0 / np.sqrt(n)
    for temperature in np.linspace(0.1, 0.0, iterations, endpoint=False):
        displacement = _repulsion(pos, k, rng) + _attraction(pos, u, v, k)
        length = np.maximum(np.linalg.norm(displacement, axis=1), 1e-9)
        pos += displacement * (np.minimum(length, temperature) / length)[:, None]
    low, high = pos.min(axis=0), pos.max(axis=0)
    return (pos - low) / np.maximum(high - low, 1e-9)
