"""Discounting of weekly (or yearly) streams of costs and outcomes.

Discounting is continuous-time consistent: an amount at time t years from the start of
the horizon is worth ``(1 + r) ** -t``, so 52 weekly factors compound exactly to one
annual factor. Each period's amount is placed at one point of the period:

* ``"middle"`` (default): the mid-point, the usual choice for flows such as person-weeks
  in a state and weekly programme costs; it tracks the continuous flow closely.
* ``"start"``: the first instant of the period (payments in advance).
* ``"end"``: the last instant (payments in arrears). With one period per year this is
  the textbook annuity, whose sum over n years is ``(1 - (1 + r) ** -n) / r``.

The default rate is 2% a year for costs and outcomes alike, as in Japan's official
guideline for cost-effectiveness evaluation (Shiroiwa et al. 2017, Value Health
20(3):372-378); the project varies it from 0 to 4% in sensitivity analysis.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hikisim.states import WEEKS_PER_YEAR

Timing = Literal["start", "middle", "end"]
DEFAULT_ANNUAL_RATE: Final = 0.02
SENSITIVITY_RATES: Final = (0.0, 0.04)
_OFFSET: Final[dict[str, float]] = {"start": 0.0, "middle": 0.5, "end": 1.0}


def discount_factors(
    periods: ArrayLike,
    annual_rate: float = DEFAULT_ANNUAL_RATE,
    *,
    periods_per_year: float = WEEKS_PER_YEAR,
    timing: Timing = "middle",
) -> NDArray[np.float64]:
    """Discount factor of each period.

    Args:
        periods: Period indices counted from the start of the horizon (0 is the first
            week, or year); fractional values are allowed.
        annual_rate: Annual discount rate, e.g. 0.02.
        periods_per_year: 52 for weeks (the model's year), 1 for years.
        timing: Where in the period the amount falls: "start", "middle" or "end".

    Returns:
        ``(1 + annual_rate) ** -((period + offset) / periods_per_year)``, with offset 0,
        0.5 or 1 by timing, with the shape of ``periods``.

    Raises:
        ValueError: If the rate is not above -1, periods_per_year is not positive, or
            the timing is unknown.
    """
    _check(annual_rate, periods_per_year, timing)
    years = (np.asarray(periods, dtype=float) + _OFFSET[timing]) / periods_per_year
    return np.power(1.0 + annual_rate, -years)


def discounted_sum(
    values: ArrayLike,
    annual_rate: float = DEFAULT_ANNUAL_RATE,
    *,
    periods_per_year: float = WEEKS_PER_YEAR,
    timing: Timing = "middle",
    start_period: int = 0,
) -> float | NDArray[np.float64]:
    """Present value of a stream, period by period along the first axis.

    Args:
        values: Amounts per period; axis 0 is time, further axes (e.g. strategies or
            draws) are summed separately.
        annual_rate: Annual discount rate; 0 gives the plain sum.
        periods_per_year: 52 for weekly values, 1 for yearly values.
        timing: Where in the period the amount falls.
        start_period: Index of the first row, when the stream starts after the horizon
            does.

    Returns:
        A float for a 1-D stream, else an array of the trailing shape.
    """
    stream = np.asarray(values, dtype=float)
    if stream.ndim == 0:
        stream = stream.reshape(1)
    periods = start_period + np.arange(stream.shape[0])
    factors = discount_factors(
        periods, annual_rate, periods_per_year=periods_per_year, timing=timing
    )
    total = np.tensordot(factors, stream, axes=(0, 0))
    return float(total) if np.ndim(total) == 0 else total


def annuity_factor(
    n_periods: int,
    annual_rate: float = DEFAULT_ANNUAL_RATE,
    *,
    periods_per_year: float = WEEKS_PER_YEAR,
    timing: Timing = "middle",
) -> float:
    """Closed-form present value of 1 per period for ``n_periods`` periods.

    The geometric series ``sum_{t<n} v ** ((t + offset) / m)`` with ``v = 1 / (1 + r)``
    and m periods a year equals ``v ** (offset / m) * (1 - v ** (n / m)) / (1 - v ** (1 / m))``.

    Args:
        n_periods: Number of periods.
        annual_rate: Annual discount rate.
        periods_per_year: 52 for weeks, 1 for years.
        timing: Where in the period the amount falls.

    Returns:
        The present value; ``n_periods`` when the rate is 0.
    """
    _check(annual_rate, periods_per_year, timing)
    if annual_rate == 0:
        return float(n_periods)
    v = 1.0 / (1.0 + annual_rate)
    per_period = v ** (1.0 / periods_per_year)
    lead = v ** (_OFFSET[timing] / periods_per_year)
    return float(lead * (1.0 - v ** (n_periods / periods_per_year)) / (1.0 - per_period))


def _check(annual_rate: float, periods_per_year: float, timing: str) -> None:
    """Validate the shared discounting arguments."""
    if not np.isfinite(annual_rate) or annual_rate <= -1.0:
        raise ValueError(f"annual_rate must be a finite number above -1, got {annual_rate}")
    if not periods_per_year > 0:
        raise ValueError(f"periods_per_year must be positive, got {periods_per_year}")
    if timing not in _OFFSET:
        raise ValueError(f"timing must be 'start', 'middle' or 'end', got {timing!r}")
