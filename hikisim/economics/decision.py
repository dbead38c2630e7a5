"""Decisions under uncertainty from PSA draws: net monetary benefit, CEAC, CEAF and EVPI.

PSA results come as two arrays of shape (draws, strategies): the cost and the effect of
every strategy in every draw. A strategy's net monetary benefit at willingness to pay
``wtp`` per unit of effect is ``wtp * effect - cost``; the optimal strategy maximises its
expectation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def net_monetary_benefit(costs: ArrayLike, effects: ArrayLike, wtp: float) -> FloatArray:
    """Net monetary benefit ``wtp * effects - costs``, element by element.

    Args:
        costs: Costs, any shape.
        effects: Effects, the same shape as ``costs``.
        wtp: Willingness to pay per unit of effect (e.g. yen per QALY).

    Returns:
        The net monetary benefit, with the shape of the inputs.

    Raises:
        ValueError: If the shapes differ or a value is not finite.
    """
    cost = np.asarray(costs, dtype=float)
    effect = np.asarray(effects, dtype=float)
    if cost.shape != effect.shape:
        raise ValueError(f"costs {cost.shape} and effects {effect.shape} must have one shape")
    if not (np.all(np.isfinite(cost)) and np.all(np.isfinite(effect)) and np.isfinite(wtp)):
        raise ValueError("costs, effects and wtp must be finite")
    return float(wtp) * effect - cost


def psa_arrays(costs: ArrayLike, effects: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Validate PSA results and return them as (draws, strategies) float arrays.

    Args:
        costs: Costs, shape (draws, strategies).
        effects: Effects, the same shape.

    Returns:
        The two arrays as float64.

    Raises:
        ValueError: If they are not 2-D, have no draws or strategies, differ in shape or
            hold a value that is not finite.
    """
    cost = np.asarray(costs, dtype=float)
    effect = np.asarray(effects, dtype=float)
    if cost.ndim != 2 or cost.shape != effect.shape:
        raise ValueError(
            "costs and effects must be 2-D arrays of one shape (draws, strategies), got "
            f"{cost.shape} and {effect.shape}"
        )
    if cost.shape[0] < 1 or cost.shape[1] < 1:
        raise ValueError("PSA arrays need at least one draw and one strategy")
    if not (np.all(np.isfinite(cost)) and np.all(np.isfinite(effect))):
        raise ValueError("PSA costs and effects must be finite")
    return cost, effect


def optimal_shares(nmb: FloatArray) -> FloatArray:
    """Share of draws in which each strategy has the highest net monetary benefit.

    A draw in which k strategies tie for the maximum counts 1/k for each, so the
    shares always sum to 1 (this matters at WTP 0 when costs tie).

    Args:
        nmb: Net monetary benefit, shape (draws, strategies).

    Returns:
        Shares, shape (strategies,).
    """
    best = nmb == nmb.max(axis=1, keepdims=True)
    return (best / best.sum(axis=1, keepdims=True)).mean(axis=0)


def ceac(
    costs: ArrayLike, effects: ArrayLike, wtp_grid: ArrayLike, names: Sequence[str]
) -> pd.DataFrame:
    """Cost-effectiveness acceptability curves.

    Args:
        costs: PSA costs, shape (draws, strategies).
        effects: PSA effects, the same shape.
        wtp_grid: Willingness-to-pay values.
        names: Strategy names, one per column.

    Returns:
        A DataFrame indexed by ``wtp`` with one column per strategy: the probability that
        the strategy has the highest net monetary benefit. Each row sums to 1.
    """
    cost, effect = psa_arrays(costs, effects)
    grid = _grid(wtp_grid)
    labels = _names(names, cost.shape[1])
    rows = [optimal_shares(net_monetary_benefit(cost, effect, w)) for w in grid]
    return pd.DataFrame(rows, index=pd.Index(grid, name="wtp"), columns=labels)


def ceaf(
    costs: ArrayLike, effects: ArrayLike, wtp_grid: ArrayLike, names: Sequence[str]
) -> pd.DataFrame:
    """Cost-effectiveness acceptability frontier.

    At each willingness to pay the frontier follows the strategy with the highest
    expected net monetary benefit (the one a risk-neutral decision maker adopts), which
    is not always the one most often optimal.

    Args:
        costs: PSA costs, shape (draws, strategies).
        effects: PSA effects, the same shape.
        wtp_grid: Willingness-to-pay values.
        names: Strategy names, one per column.

    Returns:
        A DataFrame with columns ``wtp``, ``strategy`` (the optimal one; the first in
        ``names`` order on an exact tie), ``probability`` (its probability of being
        optimal) and ``expected_nmb``.
    """
    cost, effect = psa_arrays(costs, effects)
    grid = _grid(wtp_grid)
    labels = _names(names, cost.shape[1])
    records = []
    for w in grid:
        nmb = net_monetary_benefit(cost, effect, w)
        expected = nmb.mean(axis=0)
        best = int(np.argmax(expected))
        records.append(
            {
                "wtp": w,
                "strategy": labels[best],
                "probability": float(optimal_shares(nmb)[best]),
                "expected_nmb": float(expected[best]),
            }
        )
    return pd.DataFrame.from_records(
        records, columns=["wtp", "strategy", "probability", "expected_nmb"]
    )


def evpi(costs: ArrayLike, effects: ArrayLike, wtp: float) -> float:
    """Expected value of perfect information, E[max NMB] - max E[NMB], in the inputs' units.

    Args:
        costs: PSA costs, shape (draws, strategies).
        effects: PSA effects, the same shape.
        wtp: Willingness to pay per unit of effect.

    Returns:
        EVPI in cost units, never negative (rounding below zero is clipped).
    """
    cost, effect = psa_arrays(costs, effects)
    nmb = net_monetary_benefit(cost, effect, wtp)
    return max(0.0, float(nmb.max(axis=1).mean() - nmb.mean(axis=0).max()))


def evpi_curve(costs: ArrayLike, effects: ArrayLike, wtp_grid: ArrayLike) -> pd.Series:
    """EVPI at every willingness to pay in a grid.

    Args:
        costs: PSA costs, shape (draws, strategies).
        effects: PSA effects, the same shape.
        wtp_grid: Willingness-to-pay values.

    Returns:
        A Series of EVPI named ``evpi`` and indexed by ``wtp``.
    """
    grid = _grid(wtp_grid)
    values = [evpi(costs, effects, w) for w in grid]
    return pd.Series(values, index=pd.Index(grid, name="wtp"), name="evpi")


def _grid(wtp_grid: ArrayLike) -> FloatArray:
    """Validate a willingness-to-pay grid as a non-empty finite 1-D array."""
    grid = np.atleast_1d(np.asarray(wtp_grid, dtype=float))
    if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)):
        raise ValueError("wtp_grid must be a non-empty 1-D array of finite numbers")
    return grid


def _names(names: Sequence[str], n_strategies: int) -> list[str]:
    """Validate strategy names against the number of PSA columns."""
    labels = [str(name) for name in names]
    if len(labels) != n_strategies:
        raise ValueError(f"got {len(labels)} names for {n_strategies} strategies")
    if len(set(labels)) != len(labels):
        raise ValueError("strategy names must be unique")
    return labels
