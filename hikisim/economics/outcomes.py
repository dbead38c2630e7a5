"""A run's costs and QALYs as a decision model needs them: discounted, per perspective.

The model records, each week of the horizon, how many people are in each state and what
the programmes cost. This module turns those weekly series into the two numbers an
incremental analysis compares:

* **Cost.** The public payer perspective (programmes fall on schools and municipal
  services as well as on health care) counts programme costs as the model
  accounts them (participant-weeks times unit costs), and the weeks people spend in
  usual care, clinical or psychosocial (``care_costs`` in economics.toml), since the
  programmes change how many are in care: home visits link youths to it, the parenting
  course and family support make families seek help, and the medical exam routes
  entrants between the two kinds. The societal perspective adds the
  earnings lost in weeks that adults (20+) spend withdrawn (human-capital method:
  weekly earnings times the probability that the week would otherwise have been
  worked), and after re-entry the earnings lost to the lasting mark of the years
  withdrawn (the weekly record's ``work_scar_weeks``, valued the same way).
* **QALYs.** Person-weeks in each state times the state's utility, divided by 52, less
  what the disorders take. The utilities of the states below engaged are stand-ins
  measured in people with depressive symptoms, so a disorder and a state's own gap below
  engaged are not added: a person-week with both is worth the engaged utility less the
  larger of the two (the minimum method of combining health-state utilities; a latent
  disorder and a depressive episode that began in withdrawal, which can come together,
  add their decrements first), so a disorder takes, in a state, only what its decrement
  exceeds the state's gap (all of it when engaged, none of a depression's 0.18 in narrow
  withdrawal, whose gap is 0.18). A person with a disorder is thus never worse off
  engaged than in a worse state, as an additive decrement on the engaged alone made
  them. A latent disorder is drawn at lifetime prevalence and held until it remits in
  treatment, but a lifetime disorder is not active every week: its decrement is weighted
  by the share of weeks it is active (``disorder_active_shares`` in economics.toml: a
  point or 30-day prevalence over the lifetime one where surveys give both). A
  depressive episode that began in withdrawal is active while it lasts and takes the
  whole decrement.

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
CARE_COLUMN: Final = "in_treatment"
CLINICAL_CARE_COLUMN: Final = "in_clinical_care"
#: Weekly counts of engaged or recovering people (the well) with each active disorder,
#: and the disorder's name in economics.toml.
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
#: The states below engaged whose people the weekly record counts by disorder
#: (``hikisim.metrics.DISORDER_STATE_COLUMNS``); the well counts hold engaged and
#: recovering people, so the engaged are the well less the recovering.
UNWELL_CATEGORIES: Final = ("recovering", "at_risk", "withdrawn_quasi", "withdrawn_narrow")
DISORDER_STATE_COLUMNS: Final[dict[str, dict[str, str]]] = {
    category: {f"disorder_{name}_{category}": name for name in DISORDER_COLUMNS.values()}
    for category in UNWELL_CATEGORIES
}
DEPRESSION_EPISODE_STATE_COLUMNS: Final[dict[str, str]] = {
    category: f"depression_episode_{category}" for category in UNWELL_CATEGORIES
}
#: People in such an episode who also have an active latent disorder, by group (the well,
#: then each state below engaged) and disorder (``hikisim.metrics.EPISODE_WITH_LATENT_COLUMNS``).
EPISODE_LATENT_DISORDERS: Final = tuple(
    name for name in DISORDER_COLUMNS.values() if name != "depression"
)
EPISODE_WITH_LATENT_COLUMNS: Final[dict[str, dict[str, str]]] = {
    group: {f"depression_episode_with_{name}_{group}": name for name in EPISODE_LATENT_DISORDERS}
    for group in ("well", *UNWELL_CATEGORIES)
}
WEEKLY_INPUTS: Final[tuple[str, ...]] = (
    *STATE_COLUMNS,
    COST_COLUMN,
    CARE_COLUMN,
    CLINICAL_CARE_COLUMN,
    WITHDRAWN_ADULTS_COLUMN,
    WORK_SCAR_COLUMN,
    *DISORDER_COLUMNS,
    DEPRESSION_EPISODE_COLUMN,
    *(column for columns in DISORDER_STATE_COLUMNS.values() for column in columns),
    *DEPRESSION_EPISODE_STATE_COLUMNS.values(),
    *(column for columns in EPISODE_WITH_LATENT_COLUMNS.values() for column in columns),
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
        programme_cost: Discounted programme cost, yen.
        productivity_loss: Discounted earnings lost while withdrawn, yen (0 unless the
            perspective is societal).
        care_cost: Discounted cost of the weeks in usual care, yen (with
            ``programme_cost``, the payer's cost).
    """

    cost: float
    qalys: float
    programme_cost: float
    productivity_loss: float
    care_cost: float = 0.0


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
    disorder_weeks, decrements = disorder_losses(weekly, params)
    effect = float(
        qalys(
            person_weeks,
            utilities,
            disorder_person_weeks=disorder_weeks,
            decrements=decrements,
            annual_rate=rate,
        )
    )
    programme = float(discounted_sum(np.asarray(weekly[COST_COLUMN], dtype=float), rate))
    care = float(discounted_sum(care_costs(weekly, params.values("care_costs")), rate))
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
    return RunEconomics(programme + care + lost, effect, programme, lost, care)


def care_costs(
    weekly: Mapping[str, ArrayLike], unit_costs: Mapping[str, float]
) -> NDArray[np.float64]:
    """Each week's (undiscounted) cost of usual care: clinical and psychosocial weeks.

    Args:
        weekly: The weekly series (``in_treatment``, all in care, and
            ``in_clinical_care``).
        unit_costs: ``care_costs`` of economics.toml: yen per person-week of each kind.

    Returns:
        Yen per week.
    """
    in_care = np.asarray(weekly[CARE_COLUMN], dtype=float)
    clinical = np.asarray(weekly[CLINICAL_CARE_COLUMN], dtype=float)
    return (
        clinical * unit_costs["clinical_care_week"]
        + (in_care - clinical) * unit_costs["psychosocial_support_week"]
    )


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
    disorder_weeks, decrements = disorder_losses(weekly, params)
    sources["disorders"] = -float(qalys(disorder_weeks, decrements, annual_rate=rate))
    return {name: sources[name] for name in QALY_SOURCES}


# A group's latent disorder counts, its episodes, and its episodes by latent disorder.
_Series = NDArray[np.float64]
_GroupCounts = tuple[dict[str, _Series], _Series, dict[str, _Series]]


def disorder_losses(
    weekly: Mapping[str, ArrayLike], params: EconomicParameters
) -> tuple[dict[str, NDArray[np.float64]], dict[str, float]]:
    """Active disorder person-weeks in each state, and what each loses there.

    A person-week is worth the engaged utility less the larger of the state's gap below
    engaged and the person's disorder decrements added together (a latent disorder and a
    depressive episode that began in withdrawal can come together), so beyond the
    state's own utility it loses ``max(0, decrements - gap)``: everything when engaged,
    nothing where the gap is as large. A latent disorder is active a share of the weeks
    (``disorder_active_shares``); an episode is active while it lasts.

    Args:
        weekly: The weekly series (:data:`WEEKLY_INPUTS`).
        params: Utilities, decrements and active shares.

    Returns:
        Expected person-weeks keyed ``conditions@state``, week by week, and what each
        key's weeks lose on top of the state's utility.
    """
    utilities = params.values("utilities")
    full = params.values("disorder_decrements")
    shares = params.values("disorder_active_shares")

    def series(column: str) -> NDArray[np.float64]:
        return np.asarray(weekly[column], dtype=float)

    # Per group: latent disorder counts (people in an episode included), episodes, and
    # episodes by latent disorder. The well columns hold the engaged and the recovering,
    # and the well's depression count holds its episodes too.
    well_episodes = series(DEPRESSION_EPISODE_COLUMN)
    well_latent = {name: series(column) for column, name in DISORDER_COLUMNS.items()}
    well_latent["depression"] = well_latent["depression"] - well_episodes
    well_with = {name: series(c) for c, name in EPISODE_WITH_LATENT_COLUMNS["well"].items()}
    groups: dict[str, _GroupCounts] = {
        category: (
            {name: series(column) for column, name in DISORDER_STATE_COLUMNS[category].items()},
            series(DEPRESSION_EPISODE_STATE_COLUMNS[category]),
            {name: series(c) for c, name in EPISODE_WITH_LATENT_COLUMNS[category].items()},
        )
        for category in UNWELL_CATEGORIES
    }
    recovering = groups["recovering"]
    groups["engaged"] = (
        {name: weeks - recovering[0][name] for name, weeks in well_latent.items()},
        well_episodes - recovering[1],
        {name: weeks - recovering[2][name] for name, weeks in well_with.items()},
    )
    person_weeks: dict[str, NDArray[np.float64]] = {}
    decrements: dict[str, float] = {}
    for category, (latent, episodes, episodes_with) in groups.items():
        gap = utilities["engaged"] - utilities[category]
        # An episode alone: the episodes without an active latent disorder, and the
        # weeks in which a latent one of the others is not active.
        alone = episodes.copy()
        for name, weeks in latent.items():
            both = episodes_with.get(name, 0.0)
            person_weeks[f"{name}@{category}"] = shares[name] * (weeks - both)
            decrements[f"{name}@{category}"] = max(full[name] - gap, 0.0)
            if name in episodes_with:
                person_weeks[f"{name}+episode@{category}"] = shares[name] * both
                decrements[f"{name}+episode@{category}"] = max(
                    full[name] + full["depression"] - gap, 0.0
                )
                alone = alone - shares[name] * both
        person_weeks[f"episode@{category}"] = alone
        decrements[f"episode@{category}"] = max(full["depression"] - gap, 0.0)
    return person_weeks, decrements
