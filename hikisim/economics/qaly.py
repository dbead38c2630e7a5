"""QALY bookkeeping: weekly person-state counts to (discounted) quality-adjusted life years.

Utilities are kept per *utility category*, not per kernel state, because the survey
layer distinguishes more than the kernel does: the Cabinet Office's broad definition
splits withdrawal into "quasi" (goes out for hobbies or errands) and "narrow" (stays
home). The model's weekly records count both (``withdrawn_quasi`` and
``withdrawn_narrow``); :func:`person_weeks_by_state`, which sees only kernel states,
maps WITHDRAWN to ``withdrawn_narrow``.

Everything here is a pure function of arrays and dicts so the model's records can be
wired in later without this module knowing about the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hikisim.economics.discounting import DEFAULT_ANNUAL_RATE, Timing, discounted_sum
from hikisim.states import WEEKS_PER_YEAR, State

UTILITY_CATEGORIES: Final = (
    "engaged",
    "at_risk",
    "withdrawn_quasi",
    "withdrawn_narrow",
    "recovering",
)
STATE_CATEGORY: Final[dict[State, str]] = {
    State.ENGAGED: "engaged",
    State.AT_RISK: "at_risk",
    State.WITHDRAWN: "withdrawn_narrow",
    State.RECOVERING: "recovering",
}
"""Default utility category of each kernel state."""


def person_weeks_by_state(states: ArrayLike) -> dict[str, NDArray[np.float64]]:
    """Count youths per utility category in every week.

    Args:
        states: State codes (:class:`hikisim.states.State`), shape (weeks, youths).

    Returns:
        Category name to weekly counts, shape (weeks,), for the default mapping.
    """
    codes = np.asarray(states)
    if codes.ndim != 2:
        raise ValueError(f"states must be a (weeks, youths) array, got shape {codes.shape}")
    return {
        category: (codes == int(state)).sum(axis=1).astype(float)
        for state, category in STATE_CATEGORY.items()
    }


def weekly_qalys(
    person_weeks: Mapping[str, ArrayLike],
    utilities: Mapping[str, float],
    *,
    disorder_person_weeks: Mapping[str, ArrayLike] | None = None,
    decrements: Mapping[str, float] | None = None,
    weeks_per_year: float = WEEKS_PER_YEAR,
) -> NDArray[np.float64]:
    """Undiscounted QALYs accrued in each week.

    A person-week in a category with utility u is worth u / 52 QALYs. A person-week
    with a disorder loses that disorder's decrement / 52 on top (additive decrements;
    the withdrawal utilities are stand-ins measured in people with depressive symptoms,
    so adding a depression decrement there may double count, which is flagged in
    ``economics.toml``).

    Args:
        person_weeks: Category to person counts per week; all arrays of one shape,
            time on axis 0 (e.g. (weeks,) or (weeks, strategies)).
        utilities: Utility of every category present in ``person_weeks``.
        disorder_person_weeks: Disorder name to person counts per week with that
            disorder, the same shape.
        decrements: Utility decrement of every disorder present in
            ``disorder_person_weeks``.
        weeks_per_year: Weeks in a year of the model.

    Returns:
        QALYs per week, with the shape of the count arrays.

    Raises:
        ValueError: If a category or disorder has no utility or decrement, shapes
            differ, or counts are negative or not finite.
    """
    total = _weighted(person_weeks, utilities, "utility")
    if disorder_person_weeks:
        loss = _weighted(disorder_person_weeks, decrements or {}, "decrement")
        if loss.shape != total.shape:
            raise ValueError("disorder counts must have the shape of the state counts")
        total = total - loss
    return total / weeks_per_year


def qalys(
    person_weeks: Mapping[str, ArrayLike],
    utilities: Mapping[str, float],
    *,
    disorder_person_weeks: Mapping[str, ArrayLike] | None = None,
    decrements: Mapping[str, float] | None = None,
    annual_rate: float = DEFAULT_ANNUAL_RATE,
    timing: Timing = "middle",
) -> float | NDArray[np.float64]:
    """Discounted QALYs over the horizon from weekly person counts.

    Args:
        person_weeks: Category to person counts per week (time on axis 0).
        utilities: Utility of every category present.
        disorder_person_weeks: Disorder to person counts per week with the disorder.
        decrements: Utility decrement of every disorder present.
        annual_rate: Annual discount rate (0 for undiscounted QALYs).
        timing: Where in each week the QALYs fall, see
            :mod:`hikisim.economics.discounting`.

    Returns:
        Total discounted QALYs: a float for 1-D counts, else one per trailing column.
    """
    weekly = weekly_qalys(
        person_weeks,
        utilities,
        disorder_person_weeks=disorder_person_weeks,
        decrements=decrements,
    )
    return discounted_sum(weekly, annual_rate, timing=timing)


def _weighted(
    counts: Mapping[str, ArrayLike], weights: Mapping[str, float], what: str
) -> NDArray[np.float64]:
    """Sum of count arrays times their weights, with checks."""
    if not counts:
        raise ValueError("no person-week counts given")
    missing = sorted(set(counts) - set(weights))
    if missing:
        raise ValueError(f"no {what} for: {', '.join(missing)}")
    total: NDArray[np.float64] | None = None
    for name, values in counts.items():
        array = np.asarray(values, dtype=float)
        if not np.all(np.isfinite(array)) or np.any(array < 0):
            raise ValueError(f"counts for {name!r} must be finite and non-negative")
        if total is not None and array.shape != total.shape:
            raise ValueError(f"counts for {name!r} have shape {array.shape}, not {total.shape}")
        term = float(weights[name]) * array
        total = term if total is None else total + term
    assert total is not None  # counts is non-empty
    return total
