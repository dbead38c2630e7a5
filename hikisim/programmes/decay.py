"""How programme effects fade once a participant has had them in full.

Every programme effect has an explicit duration: while a youth takes part (or a pupil
attends a covered school) the effect is whole; afterwards it falls exponentially with a
half-life in weeks, a parameter of the programme with its source. A half-life of 0 means
the effect ends with participation. Nothing lasts for life unless a half-life says so.

An effect counts as gone once less than :data:`GONE_SHARE` of it is left; each programme
reports the horizon week when the last participant's effect is gone, so a comparison can
show whether the effects outlast the horizon over which costs and QALYs are counted.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from pydantic import Field
from pydantic.fields import FieldInfo

GONE_SHARE = 0.05
"""An effect with less than this share left counts as gone."""

MAX_HALF_LIFE_WEEKS = 5_200
"""A century: the longest half-life a scenario may set (effectively lifelong)."""


def remaining_share(weeks_since: np.ndarray, half_life_weeks: float) -> np.ndarray:
    """The share of an effect left ``weeks_since`` weeks after it was last had in full.

    Args:
        weeks_since: Weeks since the last week of full effect (0 in that week).
        half_life_weeks: The half-life; 0 means the effect ends at once.

    Returns:
        A share in [0, 1] for each entry: 1 at 0 weeks, 0.5 after one half-life.
    """
    weeks = np.asarray(weeks_since, dtype=np.float64)
    if half_life_weeks <= 0:
        return (weeks <= 0).astype(np.float64)
    return np.exp2(-np.maximum(weeks, 0.0) / half_life_weeks)


def weeks_until_gone(half_life_weeks: float) -> float:
    """Weeks after the last full week until less than :data:`GONE_SHARE` is left."""
    return half_life_weeks * math.log2(1.0 / GONE_SHARE)


def gone_week(last_full_week: int | None, half_life_weeks: float) -> float:
    """The horizon week by which a programme's last effect is gone.

    Args:
        last_full_week: The last horizon week in which anyone had the full effect, or
            ``None`` if nobody ever had it.
        half_life_weeks: The programme's half-life.

    Returns:
        The week (0 if the programme never had a participant).
    """
    if last_full_week is None:
        return 0.0
    return float(last_full_week) + weeks_until_gone(half_life_weeks)


class FadingEffects:
    """Part of a programme whose effects fade: when anyone last had them in full.

    Attributes:
        last_full_week: The last horizon week in which anyone had the full effect
            (``None`` until someone has).
    """

    name: ClassVar[str] = ""
    last_full_week: int | None = None

    def note_full_effect(self, horizon_week: int, holders: int) -> None:
        """Record this week as one of full effect if anyone had it in full."""
        if holders:
            self.last_full_week = horizon_week

    def effect_gone_outcome(self, half_life_weeks: float) -> dict[str, float]:
        """``<name>_effect_gone_week``: when the last participant's effect is gone."""
        return {f"{self.name}_effect_gone_week": gone_week(self.last_full_week, half_life_weeks)}


def half_life_field(default: float, source: str) -> FieldInfo:
    """The ``effect_half_life_weeks`` field of a programme's parameters.

    Args:
        default: The default half-life in weeks.
        source: Where the default comes from, or why it is an assumption.
    """
    return Field(
        default,
        ge=0.0,
        le=MAX_HALF_LIFE_WEEKS,
        description="Half-life of the programme's effects after a participant last had them in "
        "full (0: they end with participation; the effect counts as gone below 5%). "
        f"Unit: weeks. Source: {source}",
    )
