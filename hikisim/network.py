"""The social graph: siblings, classmates, friends, neighbours and online contacts.

Ties are generated straight from arrays into a symmetric scipy CSR matrix
(``adjacency``, for the weekly kernel). The networkx graph (``graph``, for users and Mesa
code) is built from it only when something first asks for it: at a million people it
would be most of the build's time and memory, and the kernel never reads it. Every
potential tie exists from the start; a tie is *active* or *lost*. Withdrawal erodes
offline ties and may activate online ones by flipping entries of the CSR data in place,
so the weekly kernel never rebuilds a matrix. The graph's ``active`` edge flags are
brought up to date whenever ``graph`` is read (only the ties that changed are written).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import cast

import networkx as nx
import numpy as np
from scipy import sparse

from hikisim import kernels, ties
from hikisim.population import Population
from hikisim.scenario import NetworkSettings
from hikisim.seat_lists import differing_seats


class TieKind(IntEnum):
    """Kinds of tie, in priority order when two kinds join the same pair."""

    SIBLING = 0
    CLASSMATE = 1
    FRIEND = 2
    NEIGHBOUR = 3
    ONLINE = 4


# A plain int for comparisons with the int8 kind array (numpy would upcast the array to
# int64 to compare it with an IntEnum member).
ONLINE = int(TieKind.ONLINE)
FRIEND_SAME_SCHOOL_SHARE = 0.6
FRIEND_AGE_WINDOW_YEARS = 2.0


@dataclass(eq=False)
class GraphCopy:
    """The networkx graph and the tie activity its edges show.

    Forks of a model share one (copying the graph is most of a fork's cost, and its
    shape never changes). Each network compares its ``active`` flags with ``shown`` when
    it hands the graph out and writes only the ties that differ, so the graph shows the
    activity of whichever network last handed it out.

    Attributes:
        graph: The networkx graph of every potential tie.
        shown: The ``active`` flag of each CSR entry, as the graph's edges carry it.
    """

    graph: nx.Graph
    shown: np.ndarray


@dataclass
class SocialNetwork:
    """The social graph: its CSR arrays, and a networkx view built on demand.

    Attributes:
        adjacency: Symmetric CSR matrix; entry weight is the tie weight if active, else 0.
        entry_row: Row (youth) of each CSR entry.
        kind: :class:`TieKind` of each CSR entry.
        active: Whether each CSR entry's tie is active.
        base_weight: Weight of each entry's tie when active.
        mirror: Index of the entry for the same tie seen from the other end.
        degree: Weighted number of active ties of each youth.
        flagged: The flags last passed to :meth:`flagged_share`, or None before that.
        flagged_ties: Weighted number of active ties to flagged youths, kept in step
            with ``adjacency`` and ``flagged``.
        flagged_shares: ``flagged_ties`` over ``degree``, float32, refreshed by
            :meth:`flagged_share` for the rows that changed.
        lost_offline: Number of lost offline ties of each youth, counted when a tie
            first changes (None before that).
        has_lost_offline: Whether ``lost_offline`` is positive, kept alongside it.
        graph_copy: The networkx graph and the tie flags it shows, once something has
            asked for the graph (None before); forks share it.

    Ties change only through :meth:`set_active` and the compiled passes of
    :mod:`hikisim.ties` (given :meth:`tie_arrays`), which keep ``degree``,
    ``flagged_ties`` and the lost offline counts in step with the CSR data.
    """

    adjacency: sparse.csr_matrix
    entry_row: np.ndarray
    kind: np.ndarray
    active: np.ndarray
    base_weight: np.ndarray
    mirror: np.ndarray
    degree: np.ndarray
    flagged: np.ndarray | None = field(default=None, repr=False)
    flagged_ties: np.ndarray | None = field(default=None, repr=False)
    flagged_shares: np.ndarray | None = field(default=None, repr=False)
    _changed_rows: list[np.ndarray] = field(default_factory=list, repr=False)
    lost_offline: np.ndarray | None = field(default=None, repr=False)
    has_lost_offline: np.ndarray | None = field(default=None, repr=False)
    graph_copy: GraphCopy | None = field(default=None, repr=False)

    @property
    def graph(self) -> nx.Graph:
        """The networkx graph of every potential tie, as the ties are now.

        Each edge carries its ``kind`` (a :class:`TieKind` name) and whether the tie is
        ``active`` now. Built from the CSR arrays on first use and kept; every read
        writes the ties that changed since the last one onto it (:meth:`sync_graph`),
        which costs a comparison of the tie flags (well under a millisecond at 100,000
        people) plus one edge update per changed tie. A graph object held across weeks
        shows the ties as they were when it was last read from here.
        """
        self.sync_graph()
        return cast(GraphCopy, self.graph_copy).graph

    @property
    def built_graph(self) -> nx.Graph | None:
        """The networkx graph if something has asked for it already, else None (not synced)."""
        return None if self.graph_copy is None else self.graph_copy.graph

    def _networkx_graph(self) -> nx.Graph:
        indices = self.adjacency.indices
        upper = np.flatnonzero(self.entry_row < indices)
        u, v = self.entry_row[upper], indices[upper]
        kinds, active = self.kind[upper], self.active[upper]
        graph = nx.Graph()
        graph.add_nodes_from(range(self.adjacency.shape[0]))
        # One call per kind and activity, the attributes given once for each.
        for kind in TieKind:
            for value in (True, False):
                mask = (kinds == kind) & (active == value)
                graph.add_edges_from(
                    zip(u[mask].tolist(), v[mask].tolist(), strict=True),
                    kind=kind.name,
                    active=value,
                )
        return graph

    def set_active(self, entries: np.ndarray, value: bool) -> int:
        """Switch ties on or off from either end, keeping the matrix symmetric.

        Args:
            entries: CSR entry indices (either direction of a tie).
            value: True to activate, False to lose the tie.

        Returns:
            The number of ties that changed.
        """
        entries = np.asarray(entries, np.int64)
        tracked = self.flagged is not None
        changed, rows = ties.switch(entries, value, self.tie_arrays(), ONLINE, tracked)
        self.note_changed_rows(rows)
        return changed

    def tie_arrays(self) -> ties.TieArrays:
        """The arrays the compiled tie passes update (:mod:`hikisim.ties`), not copied.

        Sets up the counts of lost offline ties, and placeholders for the flagged-tie
        sums until the first :meth:`flagged_share` (the passes then leave them alone).
        """
        self._count_lost_offline()
        flagged, flagged_ties = self.flagged, self.flagged_ties
        if flagged is None:
            flagged, flagged_ties = np.zeros(0, bool), np.zeros(0)
        adjacency = self.adjacency
        return ties.TieArrays(
            adjacency.indptr,
            adjacency.indices,
            adjacency.data,
            self.entry_row,
            self.kind,
            self.active,
            self.base_weight,
            self.mirror,
            self.degree,
            flagged,
            flagged_ties,
            self.lost_offline,
            self.has_lost_offline,
        )

    def note_changed_rows(self, rows: np.ndarray) -> None:
        """Note rows whose ties changed, for the next :meth:`flagged_share`.

        Args:
            rows: Youth indices (repeats allowed).
        """
        if self.flagged is not None and len(rows):
            self._changed_rows.append(rows)

    def _count_lost_offline(self) -> None:
        """Count each youth's lost offline ties, once; set_active keeps the counts."""
        if self.lost_offline is None:
            lost = ~self.active & (self.kind != ONLINE)
            self.lost_offline = np.bincount(
                self.entry_row[lost], minlength=len(self.degree)
            ).astype(np.int32)
            self.has_lost_offline = self.lost_offline > 0

    def flagged_share(self, flagged: np.ndarray) -> np.ndarray:
        """Share of each youth's active tie weight that goes to flagged youths.

        Equals ``(adjacency @ flagged) / max(degree, 1e-6)`` in float32, recomputed only
        for the youths whose ties or whose partners' flags changed since the last call.

        Args:
            flagged: Boolean flag per youth.

        Returns:
            The shares, float32; the same array on every call, owned by the network.
        """
        if self.flagged is None:
            self.flagged = flagged.copy()
            self.flagged_ties = np.bincount(
                self.entry_row,
                weights=self.adjacency.data * flagged[self.adjacency.indices],
                minlength=len(flagged),
            )
            self.flagged_shares = np.empty(len(flagged), np.float32)
            np.divide(self.flagged_ties, np.maximum(self.degree, 1e-6), out=self.flagged_shares)
            return self.flagged_shares
        # Updated from the rows whose flag changed and the ties that changed since the
        # last call, so a week in which few youths change costs little.
        changed = differing_seats(flagged, self.flagged)
        if len(changed):
            indptr, indices = self.adjacency.indptr, self.adjacency.indices
            self._changed_rows.append(
                kernels.apply_flag_changes(
                    changed,
                    flagged,
                    self.flagged,
                    self.flagged_ties,
                    indptr,
                    indices,
                    self.adjacency.data,
                )
            )
        if self._changed_rows:
            rows = np.concatenate(self._changed_rows)
            kernels.refresh_shares(rows, self.flagged_ties, self.degree, self.flagged_shares)
            self._changed_rows.clear()
        return self.flagged_shares

    def reset_rows(self, rows: np.ndarray, online_active: np.ndarray) -> None:
        """Restore a seat's ties to their initial state after turnover.

        Args:
            rows: Youth indices whose ties are reset.
            online_active: Per-entry initial activity of online ties.
        """
        rows = np.asarray(rows, np.int64)
        tracked = self.flagged is not None
        self.note_changed_rows(
            ties.reset(rows, online_active, tuple(self.tie_arrays()), ONLINE, tracked)
        )

    def sync_graph(self) -> None:
        """Write each tie's current ``active`` flag onto the networkx edges.

        Builds the graph if nothing has asked for it yet. Only the ties whose flag
        differs from what the graph shows are written: ties change a few at a time,
        while writing all of them took 0.4 s at 100,000 people.
        """
        held = self.graph_copy
        if held is None:
            self.graph_copy = GraphCopy(self._networkx_graph(), self.active.copy())
            return
        indices = self.adjacency.indices
        changed = np.flatnonzero(self.active != held.shown)
        if len(changed) == 0:
            return
        # Each tie has two entries, one from each end; the edge is written once.
        changed = changed[self.entry_row[changed] < indices[changed]]
        edges = held.graph.edges
        for u, v, value in zip(
            self.entry_row[changed].tolist(),
            indices[changed].tolist(),
            self.active[changed].tolist(),
            strict=True,
        ):
            edges[u, v]["active"] = value
        np.copyto(held.shown, self.active)

    def lost_offline_ties(self) -> list[tuple[int, int]]:
        """Offline ties currently lost to withdrawal, as (u, v) pairs with u < v."""
        indices = self.adjacency.indices
        mask = (~self.active) & (self.kind != TieKind.ONLINE) & (self.entry_row < indices)
        return list(zip(self.entry_row[mask].tolist(), indices[mask].tolist(), strict=True))


def _stubs(n: int, mean_count: float, rng: np.random.Generator) -> np.ndarray:
    """Seat indices, each repeated about ``mean_count`` times (floor plus a coin)."""
    whole = int(mean_count)
    counts = np.full(n, whole) + (rng.random(n) < mean_count - whole)
    return np.repeat(np.arange(n), counts)


def _partners_in_blocks(
    seats: np.ndarray, order: np.ndarray, block: np.ndarray, window: np.ndarray, rng
) -> np.ndarray:
    """Pick a partner for each seat near it in ``order``, within its block.

    Args:
        seats: The seats that need a partner.
        order: Seats sorted by block (and then by whatever defines nearness).
        block: Block label of each position in ``order``.
        window: Largest offset allowed, per seat.
        rng: Stream to draw from.

    Returns:
        Partner seats (may equal the seat; those are dropped later).
    """
    position = np.empty(len(order), np.int64)
    position[order] = np.arange(len(order))
    starts = np.r_[0, np.flatnonzero(block[1:] != block[:-1]) + 1]
    ends = np.r_[starts[1:], len(order)]
    block_index = np.searchsorted(starts, position[seats], side="right") - 1
    lo, hi = starts[block_index], ends[block_index]
    here = position[seats]
    # Draw within the part of the window that lies inside the block; clipping a wider
    # draw would pile partners onto the block's first and last members.
    target = rng.integers(np.maximum(here - window, lo), np.minimum(here + window, hi - 1) + 1)
    return order[target]


def _sibling_pairs(family: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    seats = np.arange(len(family))
    pairs = [
        (
            seats[:-step][family[:-step] == family[step:]],
            seats[step:][family[:-step] == family[step:]],
        )
        for step in (1, 2)
    ]
    return np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])


def _tie_candidates(
    population: Population, settings: NetworkSettings, rng: np.random.Generator
) -> list[tuple[TieKind, np.ndarray, np.ndarray]]:
    youths = population.youths
    n = len(youths)
    ages = youths.age_weeks.astype(np.int64)
    candidates = [(TieKind.SIBLING, *_sibling_pairs(youths.family))]

    by_class = np.argsort(youths.school_class, kind="stable")
    seats = _stubs(n, settings.classmate_degree / 2, rng)
    window = np.full(len(seats), 1_000_000)
    partners = _partners_in_blocks(seats, by_class, youths.school_class[by_class], window, rng)
    candidates.append((TieKind.CLASSMATE, seats, partners))

    by_school_age = np.lexsort((ages, youths.school))
    seats = _stubs(n, settings.friend_degree / 2, rng)
    same_school = rng.random(len(seats)) < FRIEND_SAME_SCHOOL_SHARE
    school_size = np.bincount(youths.school)[youths.school[seats]]
    window = np.maximum(1, school_size * FRIEND_AGE_WINDOW_YEARS / 30).astype(np.int64)
    local = _partners_in_blocks(seats, by_school_age, youths.school[by_school_age], window, rng)
    by_age = np.argsort(ages, kind="stable")
    wide = _partners_in_blocks(
        seats, by_age, np.zeros(n, np.int8), np.full(len(seats), max(1, n // 15)), rng
    )
    candidates.append((TieKind.FRIEND, seats, np.where(same_school, local, wide)))

    seats = _stubs(n, settings.neighbour_degree / 2, rng)
    window = np.full(len(seats), 1_000_000)
    partners = _partners_in_blocks(seats, by_school_age, youths.school[by_school_age], window, rng)
    candidates.append((TieKind.NEIGHBOUR, seats, partners))

    seats = _stubs(n, settings.online_degree / 2, rng)
    candidates.append((TieKind.ONLINE, seats, rng.integers(0, n, len(seats))))
    return candidates


def _unique_ties(candidates, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    u = np.concatenate([np.minimum(a, b) for _, a, b in candidates]).astype(np.int64)
    v = np.concatenate([np.maximum(a, b) for _, a, b in candidates]).astype(np.int64)
    kinds = np.concatenate([np.full(len(a), kind, np.int8) for kind, a, _ in candidates])
    keep = u != v
    u, v, kinds = u[keep], v[keep], kinds[keep]
    # np.unique keeps the first occurrence, so the higher-priority kind wins.
    _, first = np.unique(u * n + v, return_index=True)
    return u[first], v[first], kinds[first]


def initial_online_activity(
    population: Population, entry_row: np.ndarray, cols: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Whether each online entry starts active: likelier between heavy internet users."""
    intensity = population.youths.internet_intensity
    upper = entry_row < cols
    draws = np.empty(len(entry_row), np.float32)
    draws[upper] = rng.random(int(upper.sum()))
    return draws < 0.5 * (intensity[entry_row] + intensity[cols])


def build_network(
    population: Population, settings: NetworkSettings, rng: np.random.Generator
) -> tuple[SocialNetwork, np.ndarray]:
    """Generate the social graph for a population.

    Args:
        population: The population.
        settings: The scenario's network section.
        rng: The network stream.

    Returns:
        The network, and the initial activity of each CSR entry (used again at turnover).
    """
    n = len(population.youths)
    u, v, kinds = _unique_ties(_tie_candidates(population, settings, rng), n)

    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    entry_kind = np.concatenate([kinds, kinds])
    # Every (row, column) pair is unique, so sorting the one key row * n + column gives
    # the order of a sort by row and then column, at a fraction of the cost of lexsort.
    order = np.argsort(rows * n + cols)
    rows, cols, entry_kind = rows[order], cols[order], entry_kind[order]
    # Entry i of the first half and entry i + len(u) of the second are the two directions
    # of one tie: each sorted entry's mirror is where its partner went, found through the
    # inverse of the sort instead of by searching the sorted keys (a cache miss a step).
    sorted_position = np.empty(len(order), np.int64)
    sorted_position[order] = np.arange(len(order))
    mirror = sorted_position[(order + len(u)) % len(order)]

    online = entry_kind == TieKind.ONLINE
    base_weight = np.where(online, settings.online_tie_weight, 1.0).astype(np.float32)
    initially_active = initial_online_activity(population, rows, cols, rng)
    upper_active = initially_active | ~online
    active = np.where(rows < cols, upper_active, upper_active[mirror])
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n))]
    data = np.where(active, base_weight, 0.0).astype(np.float32)
    adjacency = sparse.csr_matrix((data, cols.astype(np.int32), indptr), shape=(n, n))
    degree = np.bincount(rows, weights=data, minlength=n).astype(np.float32)
    network = SocialNetwork(
        adjacency=adjacency,
        entry_row=rows.astype(np.int32),
        kind=entry_kind,
        active=active,
        base_weight=base_weight,
        mirror=mirror,
        degree=degree,
    )
    return network, active.copy()
