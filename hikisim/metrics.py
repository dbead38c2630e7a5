"""Weekly records and the end-of-run summary (the ``summary.json`` contract)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from hikisim import kernels
from hikisim.states import (
    SURVEY_MAX_AGE,
    SURVEY_MIN_AGE,
    WEEKS_PER_YEAR,
    Care,
    Disorder,
    State,
    Track,
)

if TYPE_CHECKING:
    from hikisim.dynamics import WeekEvents
    from hikisim.model import HikiModel

SURVEY_MIN_WEEKS = SURVEY_MIN_AGE * WEEKS_PER_YEAR
SURVEY_END_WEEKS = SURVEY_MAX_AGE * WEEKS_PER_YEAR
COMPULSORY_END_WEEKS = 16 * WEEKS_PER_YEAR
# Plain ints for comparisons with the int8 code arrays (an IntEnum member would make
# numpy upcast the whole array to int64 first).
ENGAGED = int(State.ENGAGED)
WITHDRAWN = int(State.WITHDRAWN)
NO_CARE = int(Care.NONE)
SCHOOL_END_WEEKS = 18 * WEEKS_PER_YEAR
# Withdrawn weeks from this age on count as lost work in the societal perspective.
WORKING_AGE_WEEKS = 20 * WEEKS_PER_YEAR
DURATION_BINS = {"0.5-1": (0.5, 1), "1-3": (1, 3), "3-5": (3, 5), "5-7": (5, 7), "7+": (7, np.inf)}
ONSET_BINS = {"<15": (0, 15), "15-19": (15, 20), "20-24": (20, 25), "25-29": (25, 30)}

# Weekly counts of people with each active disorder among the engaged and recovering
# (the well), and in each state other than engaged: the QALYs weigh a disorder's
# decrement against the state's own utility gap (hikisim/economics/outcomes.py).
DISORDER_COLUMNS = {
    disorder: f"disorder_{disorder.name.lower()}_well"
    for disorder in Disorder
    if disorder != Disorder.NONE
}

DISORDER_STATE_COLUMNS = {
    category: {
        disorder: f"disorder_{disorder.name.lower()}_{category}"
        for disorder in Disorder
        if disorder != Disorder.NONE
    }
    for category in kernels.UNWELL_CATEGORIES
}
"""Per state other than engaged (:data:`hikisim.kernels.UNWELL_CATEGORIES`), the
weekly count of its people with each active latent disorder (remitted ones and a
depression that began in withdrawal not included)."""

DEPRESSION_EPISODE_STATE_COLUMNS = {
    category: f"depression_episode_{category}" for category in kernels.UNWELL_CATEGORIES
}
"""Per state other than engaged, the weekly count of its people in a depressive episode
that began in withdrawal."""

EPISODE_WITH_LATENT_COLUMNS = {
    category: {
        disorder: f"depression_episode_with_{disorder.name.lower()}_{category}"
        for disorder in Disorder
        if disorder not in (Disorder.NONE, Disorder.DEPRESSION)
    }
    for category in ("well", *kernels.UNWELL_CATEGORIES)
}
"""Per group (the well, then each state other than engaged), the weekly count of its
people in a depressive episode that began in withdrawal who also have an active latent
disorder, by disorder (an episode begins only without a latent depression)."""

DEPRESSION_EPISODE_COLUMN = "depression_episode_well"
"""Engaged or recovering people in a depressive episode that began in withdrawal (counted
in ``disorder_depression_well`` too). Unlike a latent disorder, drawn at lifetime
prevalence, such an episode is active while it lasts, so its QALY decrement is not
scaled by the share of weeks a lifetime disorder is active (economics/outcomes.py)."""

REENTRY_FOLLOW_UP_WEEKS = 5 * WEEKS_PER_YEAR
"""How long after re-entry former cases are followed to see whether they work."""
WORK_FOLLOW_UP_AGES = (20, 60)
"""Ages (whole years, end exclusive) at follow-up: past school age, before retirement."""

WEEKLY_COLUMNS = (
    "week",
    "engaged",
    "at_risk",
    "withdrawn",
    "withdrawn_adults",
    "work_scar_weeks",
    "withdrawn_narrow",
    "withdrawn_quasi",
    "recovering",
    "hikikomori",
    "prevalence_15_39",
    "school_refusal_rate",
    "internet_addiction_rate",
    "sleep_reversal_rate",
    "in_treatment",
    "in_clinical_care",
    "new_episodes",
    "new_cases",
    "recoveries",
    "help_sought",
    "treatment_dropouts",
    "tie_losses",
    "cost",
    "reentered_5y_followed",
    "reentered_5y_in_work",
    *DISORDER_COLUMNS.values(),
    DEPRESSION_EPISODE_COLUMN,
    *(column for columns in DISORDER_STATE_COLUMNS.values() for column in columns.values()),
    *DEPRESSION_EPISODE_STATE_COLUMNS.values(),
    *(column for columns in EPISODE_WITH_LATENT_COLUMNS.values() for column in columns.values()),
)


def in_survey_band(age_weeks: np.ndarray) -> np.ndarray:
    """Mask of ages 15-39, the band of the v1 contract's measures."""
    return (age_weeks >= SURVEY_MIN_WEEKS) & (age_weeks < SURVEY_END_WEEKS)


def current_cases(model: HikiModel, withdrawn: np.ndarray | None = None) -> np.ndarray:
    """Seats of current hikikomori cases (the seed definition) aged 15-39.

    A case is withdrawn at the narrow severity (complete withdrawal) in an episode of 26+
    weeks that began before 30. Whether an episode qualifies (26 weeks, onset before 30) is
    read from the episode log, which the kernel marks the week the episode reaches 26.

    Args:
        model: The model.
        withdrawn: The withdrawn youths (ascending), if already known.
    """
    y = model.population.youths
    if withdrawn is None:
        withdrawn = np.flatnonzero(y.state == WITHDRAWN)
    withdrawn = withdrawn[y.episode_row[withdrawn] >= 0]  # a negative row is no episode
    qualified = model.episode_log.column("hikikomori")[y.episode_row[withdrawn]]
    return withdrawn[qualified & y.narrow[withdrawn] & in_survey_band(y.age_weeks[withdrawn])]


def share(numerator: int | float, denominator: int | float) -> float:
    """A fraction that is 0 when the denominator is 0."""
    return float(numerator) / float(denominator) if denominator else 0.0


def compulsory_pupils(model: HikiModel) -> np.ndarray:
    """Mask of youths aged 10-15, the compulsory-school ages the MEXT survey covers."""
    return model.population.youths.age_weeks < COMPULSORY_END_WEEKS


def weekly_record(model: HikiModel, events: WeekEvents, cost: float) -> dict[str, float]:
    """Counts and rates at the end of one week.

    Args:
        model: The model.
        events: What happened this week.
        cost: Intervention cost incurred this week.

    Returns:
        One value per column of :data:`WEEKLY_COLUMNS`.
    """
    y = model.population.youths
    ranges = model.kernel.seat_ranges
    census = (
        kernels.census if ranges is None else functools.partial(kernels.census_threaded, ranges)
    )
    counts, scar_weeks = census(
        kernels.plain_columns_of(y, kernels.Census),
        model.kernel.nonengaged(),
        np.flatnonzero(y.years_lost > 0),
        model.episode_log.column("hikikomori"),
        len(Disorder),
        int(Disorder.DEPRESSION),
        SURVEY_MIN_WEEKS,
        SURVEY_END_WEEKS,
        WORKING_AGE_WEEKS,
        COMPULSORY_END_WEEKS,
        model.settings.labour.work_scar_per_year_lost,
        kernels.CODE_VALUES,
    )
    values = counts.tolist()
    count = dict(zip(kernels.CENSUS_FIELDS, values, strict=False))
    n = len(y)
    return {
        "week": model.horizon_week,
        "engaged": count["engaged"],
        "at_risk": count["at_risk"],
        "withdrawn": count["withdrawn"],
        "withdrawn_adults": count["withdrawn_adults"],
        "work_scar_weeks": scar_weeks,
        "withdrawn_narrow": count["withdrawn_narrow"],
        "withdrawn_quasi": count["withdrawn"] - count["withdrawn_narrow"],
        "recovering": count["recovering"],
        "hikikomori": count["hikikomori"],
        "prevalence_15_39": share(count["hikikomori"], count["survey_band"]),
        "school_refusal_rate": share(count["refusing_pupils"], count["pupils"]),
        "internet_addiction_rate": share(count["internet_addicted"], n),
        "sleep_reversal_rate": share(count["sleep_reversed"], n),
        "in_treatment": count["in_treatment"],
        "in_clinical_care": count["in_clinical_care"],
        "new_episodes": events.new_episodes,
        "new_cases": events.new_cases,
        "recoveries": events.recoveries,
        "help_sought": events.help_sought,
        "treatment_dropouts": events.dropouts,
        "tie_losses": events.tie_losses,
        "cost": cost,
        **_work_five_years_after_reentry(model),
    } | {
        column: values[source] if isinstance(source, int) else sum(values[source])
        for column, source in _DISORDER_SOURCES
    }


def _disorder_sources() -> tuple[tuple[str, int | slice], ...]:
    """Where each disorder column of the weekly record is in the census's counts.

    After the census fields come rows of one count per disorder code: the well, each
    unwell category's disorders, then each group's (the well, then each unwell
    category) people in a depressive episode by latent disorder. A column reads one
    count (an index) or, for a group's people in an episode whatever their latent
    disorder, its row's sum (a slice). Worked out once, so that a week's record is a
    lookup per column.
    """
    codes = len(Disorder)
    unwell = len(kernels.UNWELL_CATEGORIES)

    def row(number: int) -> int:
        return len(kernels.CENSUS_FIELDS) + number * codes

    sources: list[tuple[str, int | slice]] = [
        (column, row(0) + disorder) for disorder, column in DISORDER_COLUMNS.items()
    ]
    sources.append((DEPRESSION_EPISODE_COLUMN, kernels.CENSUS_FIELDS.index("depressed_well")))
    for number, columns in enumerate(DISORDER_STATE_COLUMNS.values(), start=1):
        sources += [(column, row(number) + disorder) for disorder, column in columns.items()]
    for number, column in enumerate(DEPRESSION_EPISODE_STATE_COLUMNS.values(), start=2 + unwell):
        sources.append((column, slice(row(number), row(number) + codes)))
    for number, columns in enumerate(EPISODE_WITH_LATENT_COLUMNS.values(), start=1 + unwell):
        sources += [(column, row(number) + disorder) for disorder, column in columns.items()]
    return tuple(sources)


_DISORDER_SOURCES = _disorder_sources()


def _work_five_years_after_reentry(model: HikiModel) -> dict[str, int]:
    # Former cases (a broad episode of 26+ weeks) who re-entered exactly five years ago,
    # whatever happened since, and are of working age now; and how many of them work
    # (withdrawn again is not work).
    y = model.population.youths
    followed = model.kernel.reentry_cohort(model.week - REENTRY_FOLLOW_UP_WEEKS)
    if len(followed) == 0:  # most weeks
        return {"reentered_5y_followed": 0, "reentered_5y_in_work": 0}
    age = y.age_weeks[followed]
    followed = followed[
        (age >= WORK_FOLLOW_UP_AGES[0] * WEEKS_PER_YEAR)
        & (age < WORK_FOLLOW_UP_AGES[1] * WEEKS_PER_YEAR)
    ]
    working = (y.track[followed] == Track.WORK) & (y.state[followed] != State.WITHDRAWN)
    return {
        "reentered_5y_followed": len(followed),
        "reentered_5y_in_work": int(np.count_nonzero(working)),
    }


def _share_or_none(numerator: int, denominator: int) -> float | None:
    # Nobody followed (a short run) is no information, not a share of 0.
    return numerator / denominator if denominator else None


def _binned_shares(values: np.ndarray, bins: dict[str, tuple[float, float]]) -> dict[str, float]:
    total = len(values)
    return {
        label: share(np.count_nonzero((values >= lo) & (values < hi)), total)
        for label, (lo, hi) in bins.items()
    }


def summarize(model: HikiModel) -> dict[str, Any]:
    """The end-of-run summary, as written to ``summary.json``.

    Args:
        model: A model that has finished its run.

    Returns:
        Every key of the output contract, plus supporting counts.
    """
    y, fam = model.population.youths, model.population.families
    cases = current_cases(model)
    band = in_survey_band(y.age_weeks)
    pupils = compulsory_pupils(model)
    school_age = y.age_weeks < SCHOOL_END_WEEKS
    adults_18_39 = ~school_age & (y.age_weeks < SURVEY_END_WEEKS)
    ages_20_34 = (y.age_weeks >= 20 * WEEKS_PER_YEAR) & (y.age_weeks < 35 * WEEKS_PER_YEAR)
    durations = y.withdrawn_weeks[cases] / WEEKS_PER_YEAR
    onset_ages = model.episode_log.column("onset_age")[y.episode_row[cases]]
    log = model.episode_log
    qualified = log.column("hikikomori")
    end_week = log.column("end_week")
    completed = qualified & (end_week >= model.horizon_start)
    records = model.weekly_records
    summary = {
        "scenario": model.settings.name,
        "seed": model.seed,
        "version": model.version,
        "youths": len(y),
        "years": model.settings.run.years,
        "burn_in_years": model.settings.run.burn_in_years,
        "start": model.calendar.start,
        "present": model.settings.run.present,
        "max_age": model.settings.population.max_age,
        "prevalence_15_39": share(len(cases), band.sum()),
        "lifetime_prevalence_15_39": share(np.count_nonzero(y.ever_hikikomori & band), band.sum()),
        "school_refusal_rate": share(np.count_nonzero(y.school_refusal & pupils), pupils.sum()),
        "school_refusal_rate_10_17": share(
            np.count_nonzero(y.school_refusal & school_age), school_age.sum()
        ),
        "secondary_share": share(np.count_nonzero(y.disorder[cases] > 0), len(cases)),
        "male_share": share(np.count_nonzero(y.male[cases]), len(cases)),
        "duration_share": _binned_shares(durations, DURATION_BINS),
        "onset_age_share": _binned_shares(onset_ages, ONSET_BINS),
        "mean_episode_years": float(np.mean(log.column("weeks")[completed]) / WEEKS_PER_YEAR)
        if completed.any()
        else 0.0,
        "treated_share": share(np.count_nonzero(y.care[cases] != Care.NONE), len(cases)),
        "cost_total": float(sum(r["cost"] for r in records)),
        "person_years_withdrawn": float(sum(r["hikikomori"] for r in records) / WEEKS_PER_YEAR),
        "cases": len(cases),
        "new_cases": int(sum(r["new_cases"] for r in records)),
        "school_refusal_history": share(np.count_nonzero(y.ever_refused_school[cases]), len(cases)),
        "no_help_sought_share": share(
            np.count_nonzero(~fam.sought_help[y.family[cases]]), len(cases)
        ),
        "neet_share_20_34": share(
            np.count_nonzero((y.track == Track.NEITHER) & ages_20_34),
            np.count_nonzero(ages_20_34),
        ),
        "former_cases_in_work_5y": _share_or_none(
            sum(record["reentered_5y_in_work"] for record in model.weekly_records),
            sum(record["reentered_5y_followed"] for record in model.weekly_records),
        ),
        "neet_share_18_39": share(
            np.count_nonzero((y.track == Track.NEITHER) & adults_18_39),
            np.count_nonzero(adults_18_39),
        ),
        "internet_addiction_share": share(
            np.count_nonzero(y.internet_addiction[cases]), len(cases)
        ),
        "sleep_reversal_share": share(np.count_nonzero(y.sleep_reversal[cases]), len(cases)),
        "cost_by_intervention": {i.name: i.cost for i in model.interventions},
        "participant_weeks": {i.name: i.participant_weeks for i in model.interventions},
        "targets": dict(model.survey_recorder.targets),
        "snapshots": model.survey_recorder.snapshots,
    }
    summary.update(model.extra_outcomes())
    return summary
