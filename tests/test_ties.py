"""Known-answer tests of the compiled tie passes (hikisim.ties).

``switch`` is checked on a hand-built four-person network whose sums can be worked out
by hand; ``erode`` against the weekly rule written out in numpy (the code the pass
replaced), on a real town whose states and flags are scrambled so every path is taken.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from hikisim import ties
from hikisim.model import HikiModel
from hikisim.network import ONLINE, SocialNetwork, TieKind
from hikisim.philox import uniforms_at
from hikisim.scenario import Scenario
from hikisim.states import State

WITHDRAWN = int(State.WITHDRAWN)
COUNTER = (np.uint64(0x7E57AB1E), np.uint64(0x0DDBA11), np.int64(1234), np.int64(0))


def four_people() -> SocialNetwork:
    """Ties 0-1 (friend, weight 1), 0-2 (classmate, 1) and 1-2 (online, 0.5); 3 alone.

    Everything is active; person 1 is flagged, so person 0 has 1 of 2 flagged tie
    weight and person 2 has 0.5 of 1.5.
    """
    rows = np.array([0, 0, 1, 1, 2, 2])
    cols = np.array([1, 2, 0, 2, 0, 1])
    kind = np.array([TieKind.FRIEND, TieKind.CLASSMATE, TieKind.FRIEND, TieKind.ONLINE,
                     TieKind.CLASSMATE, TieKind.ONLINE], np.int8)  # fmt: skip
    weight = np.where(kind == TieKind.ONLINE, 0.5, 1.0).astype(np.float32)
    adjacency = sparse.csr_matrix((weight.copy(), cols.astype(np.int32), [0, 2, 4, 6, 6]), (4, 4))
    network = SocialNetwork(
        adjacency=adjacency,
        entry_row=rows.astype(np.int32),
        kind=kind,
        active=np.ones(6, bool),
        base_weight=weight,
        mirror=np.array([2, 4, 0, 5, 1, 3]),
        degree=np.array([2.0, 1.5, 1.5, 0.0], np.float32),
    )
    network.flagged_share(np.array([False, True, False, False]))
    return network


def test_switching_a_tie_off_from_either_end_changes_it_once() -> None:
    network = four_people()
    # Entry 2 is tie 0-1 seen from 1, entry 0 the same tie from 0: one tie, twice.
    assert network.set_active(np.array([2, 0, 2]), False) == 1
    assert not network.active[[0, 2]].any() and network.active[[1, 3, 4, 5]].all()
    np.testing.assert_array_equal(network.adjacency.data, [0, 1, 0, 0.5, 1, 0.5])
    np.testing.assert_array_equal(network.degree, [1.0, 0.5, 1.5, 0.0])
    # Person 0 lost their tie to the flagged person 1; person 1's partner 0 is unflagged.
    np.testing.assert_array_equal(network.flagged_ties, [0.0, 0.0, 0.5, 0.0])
    np.testing.assert_array_equal(network.lost_offline, [1, 1, 0, 0])
    np.testing.assert_array_equal(network.has_lost_offline, [True, True, False, False])
    np.testing.assert_allclose(network.flagged_share(network.flagged), [0, 0, 1 / 3, 0], 1e-6)
    # Already off: nothing changes.
    assert network.set_active(np.array([0]), False) == 0


def test_switching_an_online_tie_keeps_the_offline_counts() -> None:
    network = four_people()
    assert network.set_active(np.array([5]), False) == 1
    np.testing.assert_array_equal(network.degree, [2.0, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(network.flagged_ties, [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(network.lost_offline, [0, 0, 0, 0])
    assert network.set_active(np.array([3, 5]), True) == 1
    np.testing.assert_array_equal(network.degree, [2.0, 1.5, 1.5, 0.0])


def test_switching_nothing_changes_nothing() -> None:
    network = four_people()
    before = copy.deepcopy(network)
    assert network.set_active(np.zeros(0, np.int64), True) == 0
    np.testing.assert_array_equal(network.active, before.active)
    np.testing.assert_array_equal(network.degree, before.degree)


# The weekly erosion against its rule in numpy -----------------------------------------


def reference_set_active(network: SocialNetwork, entries: np.ndarray, value: bool) -> int:
    """The numpy ``set_active`` the compiled ``switch`` replaced, step by step."""
    entries = entries[network.active[entries] != value]
    entries = np.unique(np.minimum(entries, network.mirror[entries]))
    if len(entries) == 0:
        return 0
    both = np.concatenate([entries, network.mirror[entries]])
    network.active[both] = value
    weights = network.base_weight[both]
    network.adjacency.data[both] = weights if value else 0.0
    change = weights if value else -weights
    rows = network.entry_row[both]
    np.add.at(network.degree, rows, change)
    partner_flagged = network.flagged[network.adjacency.indices[both]]
    np.add.at(network.flagged_ties, rows[partner_flagged], change[partner_flagged])
    offline = rows[network.kind[both] != ONLINE]
    np.add.at(network.lost_offline, offline, -1 if value else 1)
    network.has_lost_offline[offline] = network.lost_offline[offline] > 0
    return len(entries)


def reference_erode(
    network: SocialNetwork,
    state: np.ndarray,
    addicted: np.ndarray,
    rates: tuple[float, float, float],
) -> int:
    """The numpy ``Kernel.erode_ties`` the compiled ``erode`` replaced."""
    loss, gain, regain = rates
    indptr = network.adjacency.indptr

    def pick_entries(rows: np.ndarray, picks: np.ndarray) -> np.ndarray:
        start = indptr[rows]
        return start + (np.minimum(picks, 0.999999) * (indptr[rows + 1] - start)).astype(np.int64)

    withdrawn = np.flatnonzero(state == WITHDRAWN)
    withdrawn = withdrawn[np.diff(indptr)[withdrawn] > 0]
    u = uniforms_at(*COUNTER[:2], *COUNTER[2:], withdrawn)
    losing = u < loss
    gaining = (u >= loss) & (u < loss + gain) & addicted[withdrawn]
    pick = np.where(losing, u / max(loss, 1e-9), (u - loss) / max(gain, 1e-9))
    entries = pick_entries(withdrawn, pick)
    offline = network.kind[entries] != ONLINE
    lost = reference_set_active(network, entries[losing & offline & network.active[entries]], False)
    reference_set_active(network, entries[gaining & ~offline], True)
    candidates = np.flatnonzero(network.has_lost_offline & (state != WITHDRAWN))
    u = uniforms_at(*COUNTER[:2], *COUNTER[2:], candidates)
    regaining = candidates[u.astype(np.float64) < regain]
    pick = u[u.astype(np.float64) < regain] / max(regain, 1e-9)
    entries = pick_entries(regaining, pick)
    partner_state = state[network.adjacency.indices[entries]]
    reference_set_active(
        network, entries[(network.kind[entries] != ONLINE) & (partner_state != WITHDRAWN)], True
    )
    return lost


def scrambled_town(seed: int) -> tuple[SocialNetwork, np.ndarray, np.ndarray]:
    """A real town's network with a third of its ties lost, and scrambled states."""
    model = HikiModel(Scenario().with_overrides({"population.youths": 1_500}), seed=seed)
    network = model.network
    rng = np.random.default_rng(seed)
    lost = rng.random(len(network.active)) < 0.3
    network.set_active(np.flatnonzero(lost), False)
    n = len(network.degree)
    state = rng.choice([0, 1, WITHDRAWN, 3], n, p=[0.4, 0.1, 0.4, 0.1]).astype(np.int8)
    addicted = rng.random(n) < 0.5
    network.flagged_share(rng.random(n) < 0.2)
    return network, state, addicted


def run_erode(network: SocialNetwork, state, addicted, rates) -> int:
    loss, gain, regain = rates
    lost, rows = ties.erode(
        np.flatnonzero(state == WITHDRAWN),
        np.diff(network.adjacency.indptr) > 0,
        addicted,
        state,
        tuple(network.tie_arrays()),
        np.float32(loss),
        np.float32(gain),
        np.float32(loss + gain),
        regain,
        WITHDRAWN,
        ONLINE,
        True,
        COUNTER,
    )
    network.note_changed_rows(rows)
    return lost


def assert_same_network(got: SocialNetwork, want: SocialNetwork) -> None:
    for name in ("active", "degree", "flagged_ties", "lost_offline", "has_lost_offline"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
    np.testing.assert_array_equal(got.adjacency.data, want.adjacency.data)


@pytest.mark.parametrize("rates", [(0.3, 0.3, 0.4), (0.05, 0.6, 0.9), (0.0, 0.0, 0.0)])
def test_erosion_matches_the_numpy_rule(rates: tuple[float, float, float]) -> None:
    network, state, addicted = scrambled_town(seed=5)
    reference = copy.deepcopy(network)
    before = network.active.copy()
    lost = run_erode(network, state, addicted, rates)
    assert lost == reference_erode(reference, state, addicted, rates)
    assert_same_network(network, reference)
    # Every path was taken (or, at zero rates, none was).
    regained = network.active & ~before & (network.kind != ONLINE)
    gained = network.active & ~before & (network.kind == ONLINE)
    if rates[0] > 0:
        assert lost > 5 and regained.sum() > 20 and gained.sum() > 5
    else:
        assert lost == 0 and not regained.any() and not gained.any()
    # The shares that follow are those of the changed ties.
    shares = network.flagged_share(network.flagged)
    dense = network.adjacency @ network.flagged.astype(np.float64)
    np.testing.assert_allclose(shares, dense / np.maximum(network.degree, 1e-6), atol=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**16),
    loss=st.floats(0.0, 0.5),
    gain=st.floats(0.0, 0.5),
    regain=st.floats(0.0, 1.0),
)
def test_erosion_property_as_the_numpy_rule(
    seed: int, loss: float, gain: float, regain: float
) -> None:
    """For any rates, the compiled week equals the numpy week, and both ends agree."""
    network, state, addicted = scrambled_town(seed % 7)
    reference = copy.deepcopy(network)
    rates = (loss, gain, regain)
    assert run_erode(network, state, addicted, rates) == reference_erode(
        reference, state, addicted, rates
    )
    assert_same_network(network, reference)
    np.testing.assert_array_equal(network.active, network.active[network.mirror])
