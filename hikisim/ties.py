"""Compiled passes that switch ties on and off: tie erosion, online gains and regains.

The social network (:mod:`hikisim.network`) keeps every potential tie as a pair of CSR
entries, one from each end, sharing an ``active`` flag. These passes flip the flags in
place and keep the network's running sums in step, exactly as the numpy code they
replace did (the same entries in the same order, so float32 sums are bit for bit the
same). One call does a whole week's erosion: at ten thousand people the per-call
overhead of the numpy version cost more than the work.

Thresholds arrive as float32 where the numpy version compared float32 uniforms with a
Python float (numpy rounds the float to float32 first; numba would widen the uniform).
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from hikisim.philox import uniforms_at
from hikisim.seat_lists import sparse_true_seats

# A pick is clamped below 1 so that it stays on the youth's own CSR row.
LAST_PICK = np.float32(0.999999)


class TieArrays(NamedTuple):
    """The network's arrays the compiled passes read and update (see ``SocialNetwork``).

    Attributes:
        indptr: CSR row pointers.
        indices: CSR column (partner) of each entry.
        data: CSR weight of each entry: its base weight if active, else 0.
        entry_row: Row (youth) of each entry.
        kind: Tie kind code of each entry.
        active: Whether each entry's tie is active.
        base_weight: Weight of each entry's tie when active.
        mirror: The entry of the same tie seen from the other end.
        degree: Weighted number of active ties of each youth.
        flagged: Each youth's flag as of the last exposure update.
        flagged_ties: Weighted number of active ties to flagged youths.
        lost_offline: Number of lost offline ties of each youth.
        has_lost_offline: Whether ``lost_offline`` is positive.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    entry_row: np.ndarray
    kind: np.ndarray
    active: np.ndarray
    base_weight: np.ndarray
    mirror: np.ndarray
    degree: np.ndarray
    flagged: np.ndarray
    flagged_ties: np.ndarray
    lost_offline: np.ndarray
    has_lost_offline: np.ndarray


@numba.njit(cache=True)
def switch(
    entries: np.ndarray, value: bool, ties: TieArrays, online: int, track_flagged: bool
) -> tuple[int, np.ndarray]:
    """Switch ties on or off from either end, keeping every running sum in step.

    Entries already at ``value`` are dropped; each remaining tie is taken once (by the
    lower of its two entries, ascending), then both its entries change, the lower
    entries first. ``degree``, ``flagged_ties`` (if ``track_flagged``) and the counts of
    lost offline ties change with them.

    Args:
        entries: CSR entry indices (either direction of a tie, repeats allowed).
        value: True to activate, False to lose the ties.
        ties: The network's arrays; updated.
        online: The code of the ONLINE tie kind.
        track_flagged: Whether ``flagged_ties`` is kept yet (after the first exposure
            update).

    Returns:
        The number of ties that changed, and the rows (youths) whose ties changed,
        with repeats.
    """
    canonical = np.empty(len(entries), np.int64)
    count = 0
    for entry in entries:
        if ties.active[entry] != value:
            canonical[count] = min(entry, ties.mirror[entry])
            count += 1
    canonical = np.unique(canonical[:count])
    changed = len(canonical)
    rows = np.empty(2 * changed, np.int64)
    for position in range(2 * changed):
        if position < changed:
            entry = canonical[position]
        else:
            entry = ties.mirror[canonical[position - changed]]
        ties.active[entry] = value
        weight = ties.base_weight[entry]
        ties.data[entry] = weight if value else 0.0
        change = weight if value else -weight
        row = ties.entry_row[entry]
        rows[position] = row
        ties.degree[row] += change
        if track_flagged and ties.flagged[ties.indices[entry]]:
            ties.flagged_ties[row] += change
        if ties.kind[entry] != online:
            ties.lost_offline[row] += -1 if value else 1
    for row in rows:
        ties.has_lost_offline[row] = ties.lost_offline[row] > 0
    return changed, rows


@numba.njit(cache=True)
def reset(
    rows: np.ndarray, initial: np.ndarray, ties: tuple, online: int, track_flagged: bool
) -> np.ndarray:
    """Restore the ties of some youths to their initial state (after turnover).

    Offline ties are switched on, and online ties on or off as they started.

    Args:
        rows: The youths whose ties are reset.
        initial: Whether each CSR entry's tie was active at the start.
        ties: The network's arrays, in the order of :class:`TieArrays` (a plain tuple,
            which numba types faster: see :func:`hikisim.kernels.plain_columns_of`);
            updated.
        online: The code of the ONLINE tie kind.
        track_flagged: Whether ``flagged_ties`` is kept yet.

    Returns:
        The rows whose ties changed (with repeats).
    """
    ties = TieArrays(*ties)
    total = 0
    for row in rows:
        total += ties.indptr[row + 1] - ties.indptr[row]
    on = np.empty(total, np.int64)
    off = np.empty(total, np.int64)
    n_on = 0
    n_off = 0
    for row in rows:
        for entry in range(ties.indptr[row], ties.indptr[row + 1]):
            if ties.kind[entry] != online or initial[entry]:
                on[n_on] = entry
                n_on += 1
            else:
                off[n_off] = entry
                n_off += 1
    _, switched_on = switch(on[:n_on], True, ties, online, track_flagged)
    _, switched_off = switch(off[:n_off], False, ties, online, track_flagged)
    return np.concatenate((switched_on, switched_off))


@numba.njit(cache=True, inline="always")
def _pick(ties: TieArrays, row: int, pick: np.float32) -> int:
    """One entry of a row, chosen by a uniform: its ``floor(pick * ties)``-th tie."""
    start = ties.indptr[row]
    count = ties.indptr[row + 1] - start
    return start + int(np.float64(min(pick, LAST_PICK)) * count)


@numba.njit(cache=True)
def erode(
    withdrawn: np.ndarray,
    has_ties: np.ndarray,
    addicted: np.ndarray,
    state: np.ndarray,
    ties: tuple,
    loss_rate: np.float32,
    gain_rate: np.float32,
    loss_or_gain: np.float32,
    regain_rate: float,
    withdrawn_code: int,
    online: int,
    track_flagged: bool,
    counter: tuple[np.uint64, np.uint64, np.int64, np.int64],
) -> tuple[int, np.ndarray]:
    """A week of tie changes: losses and online gains in withdrawal, and regains.

    Each withdrawn youth with ties draws one uniform: below ``loss_rate`` one of its
    ties, picked uniformly by the rescaled draw, is lost if offline and active; within
    the next ``gain_rate`` an addicted youth's picked tie is activated if online. Then
    every youth not withdrawn with a lost offline tie whose draw (the same stream's) is
    below ``regain_rate`` (compared in float64) picks a tie, which comes back if it is
    offline and the partner is not withdrawn.

    Args:
        withdrawn: The withdrawn youths (ascending).
        has_ties: Whether each youth has any potential tie.
        addicted: Whether each youth has internet addiction.
        state: State code per youth.
        ties: The network's arrays, in the order of :class:`TieArrays` (a plain tuple,
            which numba types faster: see :func:`hikisim.kernels.plain_columns_of`);
            updated.
        loss_rate: The weekly chance of losing a tie (float32).
        gain_rate: The weekly chance of gaining an online tie (float32).
        loss_or_gain: The two chances' sum, added in float64 and then rounded to
            float32 (not the sum of the rounded chances).
        regain_rate: The weekly chance of regaining a tie.
        withdrawn_code: The code of the WITHDRAWN state.
        online: The code of the ONLINE tie kind.
        track_flagged: Whether ``flagged_ties`` is kept yet.
        counter: The erosion stream's key words, week and draw.

    Returns:
        The number of ties lost, and the rows whose ties changed (with repeats).
    """
    ties = TieArrays(*ties)
    k0, k1, week, draw = counter
    losses = np.empty(len(withdrawn), np.int64)
    gains = np.empty(len(withdrawn), np.int64)
    n_losses = 0
    n_gains = 0
    loss_scale = max(loss_rate, np.float32(1e-9))
    gain_scale = max(gain_rate, np.float32(1e-9))
    # The uniforms first, in one vectorized pass: most fall above both chances, and
    # those youths' columns are then never read (each read is a cache miss).
    draws = uniforms_at(k0, k1, week, draw, withdrawn)
    top = max(loss_rate, loss_or_gain)
    for index in range(len(withdrawn)):
        u = draws[index]
        seat = withdrawn[index]
        if u >= top or not has_ties[seat]:
            continue
        if u < loss_rate:
            entry = _pick(ties, seat, u / loss_scale)
            if ties.kind[entry] != online and ties.active[entry]:
                losses[n_losses] = entry
                n_losses += 1
        elif u < loss_or_gain and addicted[seat]:
            entry = _pick(ties, seat, np.float32(u - loss_rate) / gain_scale)
            if ties.kind[entry] == online:
                gains[n_gains] = entry
                n_gains += 1
    lost, lost_rows = switch(losses[:n_losses], False, ties, online, track_flagged)
    _, gained_rows = switch(gains[:n_gains], True, ties, online, track_flagged)

    regain_scale = max(np.float32(regain_rate), np.float32(1e-9))
    restores = []
    # A few youths in a hundred have a lost offline tie: found eight seats at a time
    # (up to a few in a hundred faster in compiled code than true_seats, which writes
    # every seat), and their uniforms computed in one vectorized pass (a fraction of the
    # cost of one at a time; the withdrawn among them, whose draws go unused, are few).
    regaining = sparse_true_seats(ties.has_lost_offline)
    regain_draws = uniforms_at(k0, k1, week, draw, regaining)
    for index in range(len(regaining)):
        u = regain_draws[index]
        # The draw before the state: few draws pass, so few states are read.
        seat = regaining[index]
        if u < regain_rate and state[seat] != withdrawn_code:
            entry = _pick(ties, seat, u / regain_scale)
            partner = ties.indices[entry]
            if ties.kind[entry] != online and state[partner] != withdrawn_code:
                restores.append(entry)
    _, restored_rows = switch(np.array(restores, np.int64), True, ties, online, track_flagged)
    return lost, np.concatenate((lost_rows, gained_rows, restored_rows))
