"""A run's costs and QALYs as a decision model needs them: discounted, per perspective.

The model records, each week of the horizon, how many people are in each state and what
the programmes cost. This module turns those weekly series into the two numbers an
incremental analysis compares:

* **Cost.** The health-care payer perspective counts programme costs as the model
  accounts them (participant-weeks times unit costs). The societal perspective adds the
  earnings lost in weeks that adults (20+) spend withdrawn (human-capital method:
  weekly earnings times the probability that the week would otherwise have been
  worked), and after re-entry the earnings lost to the lasting mark of the years
  withdrawn (the weekly record's ``work_scar_weeks``, valued the same way). Usual
  care outside the programmes is not costed in either perspective.
* **QALYs.** Person-weeks in each state times the state's utility, divided by 52,
  less each disorder's decrement for the engaged and recovering people who have it
  (the at-risk and withdrawn utilities are stand-ins measured in people with depressive
  symptoms, so the decrement is not added to them). A latent disorder is drawn at
  lifetime prevalence and held until it remits in treatment, but a lifetime disorder is
  not active every week: its decrement is weighted by the share of weeks it is active
  (``disorder_active_shares`` in economics.toml: a point or 30-day prevalence over the
  lifetime one where surveys give both). A depressive episode that began in withdrawal is active
  while it lasts and takes the whole decrement.

Both are discounted to the start of the horizon, each week's amount at the week's
mid-point (:mod:`hikisim.economics.discounting`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hikisim.economics.discounting import DEFAULT_ANNUAL_RATE, discounted_sum
from hikisim.economics.parameters import EconomicParameters
from hikisim.economics.qaly import qalys

Perspective = Literal["payer", "societal"]
PERSPECTIVES: Final[tuple[str, ...]] = ("payer", "societal")
MAX_DISCOUNT_RATE: Final = 0.2
DEFAULT_WTP: Final = 5_000_000.0
"""Japan's reference value, yen per QALY (see ``thresholds.wtp`` in economics.toml)."""

#: Weekly record columns this module reads, and the utility category of each state.
STATE_COLUMNS: Final[dict[str, str]] = {
    "engaged": "engaged",
    "at_risk": "at_risk",
    "withdrawn_quasi": "withdrawn_quasi",
    "withdrawn_narrow": "withdrawn_narrow",
    "recovering": "recovering",
}
COST_COLUMN: Final = "cost"
WITHDRAWN_ADULTS_COLUMN: Final = "withdrawn_adults"
WORK_SCAR_COLUMN: Final = "work_scar_weeks"
#: Weekly counts of engaged or recovering people with each disorder, and the decrement
#: (in economics.toml) that applies to them.
DISORDER_COLUMNS: Final[dict[str, str]] = {
    "disorder_schizophrenia_well": "schizophrenia",
    "disorder_social_anxiety_well": "social_anxiety",
    "disorder_depression_well": "depression",
    "disorder_autism_spectrum_well": "autism_spectrum",
    "disorder_avoidant_personality_well": "avoidant_personality",
}
#: Of those with depression, the ones in an episode that began in withdrawal (active while
#: it lasts; ``hikisim.metrics.DEPRESSION_EPISODE_COLUMN``).
DEPRESSION_EPISODE_COLUMN: Final = "depression_episode_well"
WEEKLY_INPUTS: Final[tuple[str, ...]] = (
    *STATE_COLUMNS,
    COST_COLUMN,
    WITHDRAWN_ADULTS_COLUMN,
    WORK_SCAR_COLUMN,
    *DISORDER_COLUMNS,
    DEPRESSION_EPISODE_COLUMN,
)


@dataclass(frozen=True)
class AppraisalSettings:
    """How costs and effects are valued.

    Attributes:
        discount_rate: Annual rate for costs and QALYs alike (Japan's guideline: 2%).
        perspective: ``payer`` or ``societal``.
        wtp: Willingness to pay, yen per QALY, for net monetary benefit.
    """

    discount_rate: float = DEFAULT_ANNUAL_RATE
    perspective: Perspective = "payer"
    wtp: float = DEFAULT_WTP

    def __post_init__(self) -> None:
        if not 0.0 <= self.discount_rate <= MAX_DISCOUNT_RATE:
            raise SettingError(
                "discount_rate",
                f"must be a yearly rate from 0 to {MAX_DISCOUNT_RATE}, got {self.discount_rate}",
            )
        if self.perspective not in PERSPECTIVES:
            allowed = " or ".join(PERSPECTIVES)
            raise SettingError("perspective", f"must be {allowed}, got {self.perspective!r}")
        if not (np.isfinite(self.wtp) and self.wtp >= 0):
            raise SettingError("wtp", f"must be a number of yen per QALY >= 0, got {self.wtp}")


class SettingError(ValueError):
    """An appraisal setting out of range.

    Attributes:
        field: The setting's name, so a caller can name the option it came from.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RunEconomics:
    """One run's discounted outcomes.

    Attributes:
        cost: Discounted cost in the chosen perspective, yen.
        qalys: Discounted QALYs of the whole population over the horizon.
        programme_cost: Discounted programme cost, yen (the payer's cost).
        productivity_loss: Discounted earnings lost while withdrawn, yen (0 unless the
            perspective is societal).
    """

    cost: float
    qalys: float
    programme_cost: float
    productivity_loss: float


def run_economics(
    weekly: Mapping[str, ArrayLike], settings: AppraisalSettings, params: EconomicParameters
) -> RunEconomics:
    """Discounted cost and QALYs of one run from its weekly series.

    Args:
        weekly: One array per column of :data:`WEEKLY_INPUTS`, one entry per horizon
            week (week 0 first).
        settings: Discount rate and perspective.
        params: Utilities and productivity values (``load_economics()`` or a PSA draw).

    Returns:
        The run's discounted outcomes.
    """
    missing = [name for name in WEEKLY_INPUTS if name not in weekly]
    if missing:
        raise ValueError(f"weekly series missing: {', '.join(missing)}")
    rate = settings.discount_rate
    utilities = params.values("utilities")
    person_weeks = {STATE_COLUMNS[column]: weekly[column] for column in STATE_COLUMNS}
    effect = float(
        qalys(
            person_weeks,
            utilities,
            disorder_person_weeks=active_disorder_weeks(
                weekly, params.values("disorder_active_shares")
            ),
            decrements=params.values("disorder_decrements"),
            annual_rate=rate,
        )
    )
    programme = float(discounted_sum(np.asarray(weekly[COST_COLUMN], dtype=float), rate))
    lost = 0.0
    if settings.perspective == "societal":
        productivity = params.values("productivity")
        lost_weeks = np.asarray(weekly[WITHDRAWN_ADULTS_COLUMN], dtype=float) + np.asarray(
            weekly[WORK_SCAR_COLUMN], dtype=float
        )
        weekly_loss = (
            lost_weeks * productivity["weekly_earnings"] * productivity["employment_probability"]
        )
        lost = float(discounted_sum(weekly_loss, rate))
    return RunEconomics(programme + lost, effect, programme, lost)


#: The parts of a run's QALYs that :func:`qaly_sources` gives, in report order.
QALY_SOURCES: Final[tuple[str, ...]] = (
    "at_risk",
    "withdrawn_quasi",
    "withdrawn_narrow",
    "recovering",
    "disorders",
)


def qaly_sources(
    weekly: Mapping[str, ArrayLike], settings: AppraisalSettings, params: EconomicParameters
) -> dict[str, float]:
    """The discounted QALYs a run loses, by source, against everyone engaged and well.

    Each state other than engaged loses its person-weeks times the state's utility gap
    to engaged, over 52; the disorders lose their decrements (as in
    :func:`run_economics`). So the run's QALYs are the engaged utility times all its
    person-weeks over 52, discounted, plus these (negative) parts; and between two runs
    of one population size, whose person-weeks are the same each week, the difference in
    QALYs is the sum of the differences in these parts: it says how much of a gain comes
    from fewer weeks at risk, fewer weeks withdrawn, and so on.

    Args:
        weekly: The weekly series (:data:`WEEKLY_INPUTS`).
        settings: The discount rate.
        params: Utilities, decrements and active shares.

    Returns:
        One entry per :data:`QALY_SOURCES` name, discounted QALYs (0 or less).
    """
    utilities = params.values("utilities")
    rate = settings.discount_rate
    # Each part is a QALY sum of its own, with the utility gap (or the decrement) as the
    # weight, so it is discounted and scaled exactly as run_economics's QALYs are.
    sources = {
        category: -float(
            qalys(
                {category: weekly[column]},
                {category: utilities["engaged"] - utilities[category]},
                annual_rate=rate,
            )
        )
        for column, category in STATE_COLUMNS.items()
        if category != "engaged"
    }
    active = active_disorder_weeks(weekly, params.values("disorder_active_shares"))
    sources["disorders"] = -float(
        qalys(active, params.values("disorder_decrements"), annual_rate=rate)
    )
    return {name: sources[name] for name in QALY_SOURCES}


def active_disorder_weeks(
    weekly: Mapping[str, ArrayLike], active_shares: Mapping[str, float]
) -> dict[str, NDArray[np.float64]]:
    """Expected person-weeks in which each disorder is active, among the well.

    A latent disorder's count is weighted by the share of weeks in which an unremitted
    lifetime disorder is active; the depressive episodes that began in withdrawal, in
    the depression count too, are active and count whole.

    Args:
        weekly: The weekly series (:data:`DISORDER_COLUMNS` and
            :data:`DEPRESSION_EPISODE_COLUMN`).
        active_shares: Disorder name to the share of weeks it is active (0-1).

    Returns:
        Disorder name to expected active person-weeks, week by week.

    Raises:
        ValueError: If a disorder has no active share.
    """
    missing = [name for name in DISORDER_COLUMNS.values() if name not in active_shares]
    if missing:
        raise ValueError(f"no active share for: {', '.join(missing)}")
    episodes = np.asarray(weekly[DEPRESSION_EPISODE_COLUMN], dtype=float)
    active = {}
    for column, name in DISORDER_COLUMNS.items():
        count = np.asarray(weekly[column], dtype=float)
        if name == "depression":
            active[name] = active_shares[name] * (count - episodes) + episodes
        else:
            active[name] = active_shares[name] * count
    return active
