"""Tests for the social network: the graph, its symmetric CSR view and tie states."""

from __future__ import annotations

import copy

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hikisim import ties
from hikisim.model import HikiModel
from hikisim.network import SocialNetwork, TieKind, build_network
from hikisim.population import Population, build_population
from hikisim.scenario import Scenario


def build(youths: int = 1_500, seed: int = 11) -> tuple[Population, SocialNetwork, np.ndarray]:
    scenario = Scenario().with_overrides({"population.youths": youths})
    rng = np.random.default_rng(seed)
    population = build_population(scenario, rng)
    network, initial = build_network(population, scenario.network, rng)
    return population, network, initial


@pytest.fixture
def network() -> SocialNetwork:
    return build()[1]


def assert_consistent(network: SocialNetwork) -> None:
    adjacency = network.adjacency
    assert (adjacency != adjacency.T).nnz == 0
    assert np.array_equal(network.active, network.active[network.mirror])
    expected = np.where(network.active, network.base_weight, 0.0)
    assert np.array_equal(adjacency.data, expected)
    row_sums = np.asarray(adjacency.sum(axis=1)).ravel()
    assert network.degree == pytest.approx(row_sums, abs=1e-4)
    if network.lost_offline is not None:
        lost = ~network.active & (network.kind != TieKind.ONLINE)
        counts = np.bincount(network.entry_row[lost], minlength=len(network.degree))
        assert np.array_equal(network.lost_offline, counts)
        assert np.array_equal(network.has_lost_offline, counts > 0)


def test_csr_is_symmetric_and_consistent(network: SocialNetwork) -> None:
    assert_consistent(network)
    n = network.adjacency.shape[0]
    assert network.adjacency.shape == (n, n)
    assert len(network.entry_row) == network.adjacency.nnz


def test_entry_rows_match_indptr(network: SocialNetwork) -> None:
    counts = np.diff(network.adjacency.indptr)
    assert np.array_equal(network.entry_row, np.repeat(np.arange(len(counts)), counts))


def test_entries_run_by_row_then_column(network: SocialNetwork) -> None:
    # The kernel's picks and the mirror rely on this order (canonical CSR).
    rows, columns = network.entry_row.astype(np.int64), network.adjacency.indices
    order = np.lexsort((columns, rows))
    assert np.array_equal(order, np.arange(len(order)))
    assert network.adjacency.has_canonical_format


def test_mirror_points_at_the_same_tie_from_the_other_end(network: SocialNetwork) -> None:
    indices, rows, mirror = network.adjacency.indices, network.entry_row, network.mirror
    assert np.array_equal(rows[mirror], indices)
    assert np.array_equal(indices[mirror], rows)
    assert np.array_equal(mirror[mirror], np.arange(len(mirror)))
    assert np.array_equal(network.kind[mirror], network.kind)


def test_no_self_loops_or_duplicate_ties(network: SocialNetwork) -> None:
    assert not np.any(network.entry_row == network.adjacency.indices)
    assert nx.number_of_selfloops(network.graph) == 0
    keys = (
        network.entry_row.astype(np.int64) * network.adjacency.shape[0] + network.adjacency.indices
    )
    assert len(np.unique(keys)) == len(keys)


def test_graph_matches_the_csr_pattern(network: SocialNetwork) -> None:
    rows, cols = network.entry_row, network.adjacency.indices
    upper = rows < cols
    csr_edges = set(zip(rows[upper].tolist(), cols[upper].tolist(), strict=True))
    graph_edges = {(min(u, v), max(u, v)) for u, v in network.graph.edges()}
    assert csr_edges == graph_edges
    assert network.graph.number_of_nodes() == network.adjacency.shape[0]
    kinds = {data["kind"] for _, _, data in network.graph.edges(data=True)}
    assert kinds <= {kind.name for kind in TieKind}


def test_every_kind_of_tie_is_present(network: SocialNetwork) -> None:
    assert set(np.unique(network.kind).tolist()) == {int(kind) for kind in TieKind}


def test_offline_ties_start_active_and_online_ties_have_their_weight() -> None:
    _, network, initial = build()
    offline = network.kind != TieKind.ONLINE
    assert network.active[offline].all()
    assert np.array_equal(initial, network.active)
    scenario = Scenario()
    online_weights = network.base_weight[~offline]
    assert np.all(online_weights == np.float32(scenario.network.online_tie_weight))
    assert np.all(network.base_weight[offline] == 1.0)


def test_siblings_are_tied() -> None:
    population, network, _ = build()
    family = population.youths.family
    for seat in range(0, 300):
        siblings = np.flatnonzero(family == family[seat])
        for other in siblings[siblings != seat]:
            assert network.graph.has_edge(seat, int(other))


def test_set_active_keeps_symmetry_and_degree(network: SocialNetwork) -> None:
    rng = np.random.default_rng(0)
    entries = rng.choice(np.flatnonzero(network.active), size=400, replace=False)
    changed = network.set_active(entries, False)
    # Both ends of one tie may have been drawn; each tie counts once.
    assert changed == len(np.unique(np.minimum(entries, network.mirror[entries])))
    assert not network.active[entries].any()
    assert not network.active[network.mirror[entries]].any()
    assert_consistent(network)
    assert network.set_active(entries, False) == 0
    # Switching ties back on from the other end restores them.
    assert network.set_active(network.mirror[entries], True) == changed
    assert_consistent(network)


def test_set_active_counts_each_tie_once(network: SocialNetwork) -> None:
    entry = int(np.flatnonzero(network.active)[0])
    both_ends = np.array([entry, network.mirror[entry], entry])
    assert network.set_active(both_ends, False) == 1
    assert_consistent(network)


def test_lost_offline_ties_lists_lost_pairs(network: SocialNetwork) -> None:
    assert network.lost_offline_ties() == []
    offline = np.flatnonzero(network.kind != TieKind.ONLINE)[:5]
    network.set_active(offline, False)
    lost = network.lost_offline_ties()
    expected = {
        (
            min(int(network.entry_row[e]), int(network.adjacency.indices[e])),
            max(int(network.entry_row[e]), int(network.adjacency.indices[e])),
        )
        for e in offline
    }
    assert set(lost) == expected
    assert all(u < v for u, v in lost)


def test_reset_rows_restores_initial_activity() -> None:
    _, network, initial = build()
    rows = np.array([3, 17, 200])
    entries = np.flatnonzero(np.isin(network.entry_row, rows))
    network.set_active(entries, False)
    online = np.flatnonzero(network.kind == TieKind.ONLINE)
    network.set_active(online, True)
    network.reset_rows(rows, initial)
    assert np.array_equal(network.active[entries], initial[entries])
    assert_consistent(network)


def test_a_pick_stays_within_its_row(network: SocialNetwork) -> None:
    """A uniform picks one of the row's entries; 0 the first, and even 1 stays in the row."""
    indptr, arrays = network.adjacency.indptr, network.tie_arrays()
    rows = np.flatnonzero(np.diff(indptr) > 0)[:300]
    for draw in (0.0, 0.5, 0.999999, 1.0):
        picks = [ties._pick(arrays, row, np.float32(draw)) for row in rows]
        assert np.array_equal(network.entry_row[picks], rows)
    first = [ties._pick(arrays, row, np.float32(0.0)) for row in rows]
    assert np.array_equal(first, indptr[rows])
    last = [ties._pick(arrays, row, np.float32(1.0)) for row in rows]
    assert np.array_equal(last, indptr[rows + 1] - 1)


def test_set_active_keeps_the_lost_offline_counts(network: SocialNetwork) -> None:
    offline = np.flatnonzero(network.kind != TieKind.ONLINE)[:500]
    network.set_active(offline, False)
    assert_consistent(network)
    assert network.has_lost_offline[network.entry_row[offline]].all()
    network.set_active(offline[::2], True)
    assert_consistent(network)


def test_sync_graph_writes_activity_onto_edges(network: SocialNetwork) -> None:
    entry = int(np.flatnonzero(network.kind == TieKind.CLASSMATE)[0])
    network.set_active(np.array([entry]), False)
    network.sync_graph()
    u, v = int(network.entry_row[entry]), int(network.adjacency.indices[entry])
    assert network.graph.edges[u, v]["active"] is False
    assert sum(not data["active"] for *_, data in network.graph.edges(data=True)) == sum(
        1
        for e in np.flatnonzero(~network.active)
        if network.entry_row[e] < network.adjacency.indices[e]
    )


def test_same_seed_same_network() -> None:
    _, first, _ = build(seed=5)
    _, second, _ = build(seed=5)
    _, other, _ = build(seed=6)
    assert np.array_equal(first.adjacency.indptr, second.adjacency.indptr)
    assert np.array_equal(first.adjacency.indices, second.adjacency.indices)
    assert np.array_equal(first.adjacency.data, second.adjacency.data)
    assert sorted(first.graph.edges()) == sorted(second.graph.edges())
    assert not (
        np.array_equal(first.adjacency.indptr, other.adjacency.indptr)
        and np.array_equal(first.adjacency.indices, other.adjacency.indices)
    )


def test_mean_degrees_follow_settings() -> None:
    _, network, _ = build(youths=20_000)
    settings = Scenario().network
    n = network.adjacency.shape[0]
    per_kind = np.bincount(network.kind, minlength=len(TieKind)) / n
    # Duplicate pairs and self pairs are dropped, so allow a modest shortfall.
    assert per_kind[TieKind.CLASSMATE] == pytest.approx(settings.classmate_degree, rel=0.25)
    assert per_kind[TieKind.ONLINE] == pytest.approx(settings.online_degree, rel=0.1)


def test_no_youth_is_a_hub_of_local_ties() -> None:
    _, network, _ = build(youths=20_000)
    n = network.adjacency.shape[0]
    for kind in (TieKind.CLASSMATE, TieKind.FRIEND, TieKind.NEIGHBOUR):
        degree = np.bincount(network.entry_row[network.kind == kind], minlength=n)
        assert np.percentile(degree, 99) <= 3 * degree.mean() + 2, kind.name
        assert degree.max() <= 6 * degree.mean() + 4, kind.name


def test_the_networkx_graph_is_built_only_when_asked_for() -> None:
    model = HikiModel(Scenario().with_overrides({"population.youths": 300, "run.years": 0.1}))
    model.run()
    # The kernel and a whole run never need it.
    assert model.network.built_graph is None
    graph = model.graph
    assert model.network.built_graph is graph and model.graph is graph
    indices = model.network.adjacency.indices
    upper = model.network.entry_row < indices
    assert graph.number_of_edges() == int(upper.sum())
    assert graph.number_of_nodes() == len(model.population.youths)


def shown_and_actual(network: SocialNetwork) -> tuple[dict, dict]:
    """The ``active`` flag of each edge as the graph shows it, and as the arrays hold it."""
    shown = {(min(u, v), max(u, v)): d["active"] for u, v, d in network.graph.edges(data=True)}
    rows, cols = network.entry_row, network.adjacency.indices
    upper = rows < cols
    actual = dict(
        zip(
            zip(rows[upper].tolist(), cols[upper].tolist(), strict=True),
            network.active[upper].tolist(),
            strict=True,
        )
    )
    return shown, actual


def test_graph_carries_activity_from_its_first_build(network: SocialNetwork) -> None:
    # Online ties start inactive between light internet users: the first build shows them.
    assert not network.active.all()
    shown, actual = shown_and_actual(network)
    assert shown == actual


SMALL_NETWORK = build(youths=400, seed=3)


@settings(max_examples=30, deadline=None)
@given(
    changes=st.lists(
        st.one_of(
            st.tuples(
                st.just("switch"), st.lists(st.integers(0, 10**6), max_size=30), st.booleans()
            ),
            st.tuples(st.just("reset"), st.lists(st.integers(0, 399), max_size=5), st.just(True)),
            st.tuples(st.just("read"), st.just([]), st.just(True)),
        ),
        max_size=8,
    )
)
def test_graph_reads_always_show_the_current_ties(changes: list) -> None:
    _, network, initial = copy.deepcopy(SMALL_NETWORK)
    for action, numbers, value in changes:
        if action == "switch":
            network.set_active(np.array(numbers, np.int64) % len(network.active), value)
        elif action == "reset":
            network.reset_rows(np.unique(np.array(numbers, np.int64)), initial)
        else:
            shown, actual = shown_and_actual(network)
            assert shown == actual
    shown, actual = shown_and_actual(network)
    assert shown == actual


def test_reading_an_unchanged_graph_writes_nothing(network: SocialNetwork) -> None:
    graph = network.graph
    u, v = next(iter(graph.edges()))
    # A flag written by hand (not a tie change) stays: a read compares the arrays with
    # what the graph shows and writes only the ties that changed, not every edge.
    graph.edges[u, v]["active"] = "untouched"
    assert network.graph.edges[u, v]["active"] == "untouched"
