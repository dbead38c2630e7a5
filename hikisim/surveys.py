"""The survey-measurement layer: the model measured the way each source measured people.

Every published figure in the targets file (:mod:`hikisim.targets`) is compared with the
model through this module. It takes a :class:`~hikisim.snapshot.PopulationSnapshot` (a
copy of the per-person arrays at one date) and applies the source's date, age band, case
definition and exclusions. It never reads the model itself, so every measure can be
checked on hand-built populations.

The case definitions, in terms of the snapshot's fields:

- ``cao_broad``: withdrawn now (quasi or narrow severity) for 26+ weeks of the current
  episode, onset at any age, except people whose disorder is schizophrenia (the Cabinet
  Office excluded people at home because of illness).
- ``cao_narrow``: a ``cao_broad`` case at the narrow severity now.
- ``seed``: narrow now, 26+ weeks of the current episode, onset before age 30.
- ``koyama``: ever had 26+ weeks of an episode at the narrow severity (lifetime).
- ``mext``: a pupil absent through refusal for :data:`~hikisim.snapshot.MEXT_ABSENCE_WEEKS`
  or more weeks in the school year, by age at the start of that school year.

An age band ``(lo, hi)`` is inclusive in whole years: a person belongs to it when
``floor(age)`` is in ``lo..hi``, so someone aged 39.9 is in 15-39. A prevalence is cases
over everyone in the band (people excluded from being cases stay in the denominator, as
they stayed in the surveys' samples). Every measure returns a plain float, and NaN when
its denominator is empty (no one in the band, or no cases to take a share of).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from hikisim.errors import InputError
from hikisim.snapshot import MEXT_ABSENCE_WEEKS, SCHOOL_YEAR_START_MONTH, PopulationSnapshot
from hikisim.states import HIKIKOMORI_MIN_WEEKS, WEEKS_PER_YEAR, Disorder
from hikisim.targets import Target

__all__ = [
    "DURATION_BINS",
    "MEASURES",
    "ONSET_AGE_BINS",
    "SNAPSHOT_BANDS",
    "SNAPSHOT_DATES",
    "YEARLY_SERIES",
    "age_bins",
    "band_summary",
    "broad_prevalence",
    "cao_broad_cases",
    "cao_narrow_cases",
    "check_measurable",
    "in_band",
    "koyama_disorder_share",
    "koyama_lifetime_prevalence",
    "measure",
    "measure_targets",
    "mext_refusal",
    "narrow_prevalence",
    "no_service_use_share",
    "parent_75plus_share",
    "refuser_neet_share",
    "required_snapshot_dates",
    "school_refusal_history_share",
    "seed_cases",
    "seed_prevalence",
    "snapshot_date",
]

Quantity = Callable[[PopulationSnapshot, int, int], float]
"""A model quantity measured over the age band ``lo..hi`` of a snapshot."""
Bins = Sequence[tuple[str, float, float]]
"""Labelled half-open intervals ``[low, high)``."""

SNAPSHOT_DATES = ("2010-02", "2015-12", "2018-12", "2022-11")
"""The Cabinet Office fieldwork dates: ``summary.json["snapshots"]`` is keyed by them."""
SNAPSHOT_BANDS = {"15-39": (15, 39), "40-64": (40, 64)}
"""The Cabinet Office age bands: each snapshot date holds a summary per band."""

# Six months, as every source's definition has it.
CASE_MIN_WEEKS = HIKIKOMORI_MIN_WEEKS
# The seed definition (the project's own) counts only episodes that began before 30.
SEED_MAX_ONSET_AGE = 30
# The Cabinet Office excluded people at home because of illness; of the model's disorders
# only schizophrenia is such an illness (physical illness is not modelled).
CAO_EXCLUDED_DISORDERS = (int(Disorder.SCHIZOPHRENIA),)
# The 8050 problem's "parents in their 80s", counted from 75, the age at which Japan's
# health insurance counts people as late-stage elderly (kouki koureisha).
PARENT_OLD_AGE = 75
# Koyama et al. assessed mood and anxiety disorders (and impulse-control and substance
# disorders, which the model lacks), not schizophrenia, autism or personality disorders.
KOYAMA_DISORDERS = (int(Disorder.DEPRESSION), int(Disorder.SOCIAL_ANXIETY))

DURATION_BINS: Bins = (
    ("0.5-1", 0.5, 1.0),
    ("1-3", 1.0, 3.0),
    ("3-5", 3.0, 5.0),
    ("5-7", 5.0, 7.0),
    ("7+", 7.0, math.inf),
)
"""Years withdrawn so far in the current episode (``episode_weeks / 52``)."""
ONSET_AGE_BINS: Bins = (
    ("<15", -math.inf, 15.0),
    ("15-19", 15.0, 20.0),
    ("20-24", 20.0, 25.0),
    ("25-29", 25.0, 30.0),
    ("30-39", 30.0, 40.0),
    ("40+", 40.0, math.inf),
)
"""Age at the onset of the current episode."""


# --- who is who -------------------------------------------------------------------------


def in_band(snapshot: PopulationSnapshot, lo: int, hi: int) -> np.ndarray:
    """Who is aged ``lo..hi`` in whole years (``floor(age)``), as a boolean mask."""
    return _whole_years_within(np.asarray(snapshot.age_years, dtype=np.float64), lo, hi)


def _whole_years_within(age: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``lo <= floor(age) <= hi`` for whole-year bounds, without making the floors.

    For an integer bound, ``floor(age) >= lo`` is ``age >= lo`` and ``floor(age) <= hi``
    is ``age < hi + 1`` (NaN is in no band either way).
    """
    return (age >= lo) & (age < hi + 1)


def _none_of(codes: np.ndarray, excluded: tuple[int, ...]) -> np.ndarray:
    """Where ``codes`` is none of ``excluded`` (``~np.isin``, a compare per code)."""
    codes = np.asarray(codes)
    kept = np.ones(codes.shape, bool)
    for code in excluded:
        kept &= codes != code
    return kept


def cao_broad_cases(snapshot: PopulationSnapshot) -> np.ndarray:
    """Current ``cao_broad`` cases (any age), as a boolean mask."""
    withdrawn = _flag(snapshot.withdrawn) & (np.asarray(snapshot.episode_weeks) >= CASE_MIN_WEEKS)
    return withdrawn & _none_of(snapshot.disorder, CAO_EXCLUDED_DISORDERS)


def cao_narrow_cases(snapshot: PopulationSnapshot) -> np.ndarray:
    """Current ``cao_narrow`` cases: ``cao_broad`` cases at the narrow severity now."""
    return cao_broad_cases(snapshot) & _flag(snapshot.narrow)


def seed_cases(snapshot: PopulationSnapshot) -> np.ndarray:
    """Current ``seed`` cases: narrow, 26+ weeks, onset before 30 (NaN onset is not)."""
    onset = np.asarray(snapshot.onset_age, dtype=np.float64)
    long_enough = np.asarray(snapshot.episode_weeks) >= CASE_MIN_WEEKS
    return _flag(snapshot.narrow) & long_enough & (onset < SEED_MAX_ONSET_AGE)


# --- the quantities ---------------------------------------------------------------------


def broad_prevalence(snapshot: PopulationSnapshot, lo: int, hi: int) -> float:
    """``cao_broad`` cases aged ``lo..hi`` over everyone aged ``lo..hi``."""
    return _share(cao_broad_cases(snapshot), in_band(snapshot, lo, hi))


def narrow_prevalence(snapshot: PopulationSnapshot, lo: int, hi: int) -> float:
    """``cao_narrow`` cases aged ``lo..hi`` over everyone aged ``lo..hi``."""
    return _share(cao_narrow_cases(snapshot), in_band(snapshot, lo, hi))


def seed_prevalence(snapshot: PopulationSnapshot, lo: int, hi: int) -> float:
    """``seed`` cases aged ``lo..hi`` over everyone aged ``lo..hi``."""
    return _share(seed_cases(snapshot), in_band(snapshot, lo, hi))


def koyama_lifetime_prevalence(snapshot: PopulationSnapshot, lo: int, hi: int) -> float:
    """Share of people aged ``lo..hi`` who ever had a ``koyama`` episode."""
    return _share(_flag(snapshot.ever_koyama), in_band(snapshot, lo, hi))


def koyama_disorder_share(snapshot: PopulationSnapshot, lo: int, hi: int) -> float:
    """The share with depression or social anxiety among ``koyama`` cases aged ``lo..hi``.

    These are the two of the model's five disorders that Koyama et al. assessed; their
    figure is lifetime, so a depression that developed during withdrawal counts too,
    remitted or not.
    """
    among = _flag(snapshot.ever_koyama) & in_band(snapshot, lo, hi)
    lifetime = np.isin(snapshot.disorder, KOYAMA_DISORDERS) | _flag(snapshot.ever_depressed)
    return _share(lifetime, among)


def mext_refusal(snapshot: PopulationSnapshot, lo: int, hi: int) -> float:
    """MEXT's school refusal rate for pupils aged ``lo..hi`` at the start of the school year.

    MEXT counts pupils by grade, and a grade is an age on 1 April, so the band applies to
    ``age - weeks_into_school_year / 52``. The numerator is pupils absent through refusal
    for :data:`~hikisim.snapshot.MEXT_ABSENCE_WEEKS` or more weeks so far in the school
    year; taken at the end of the school year (see :func:`snapshot_date`), that is the
    whole year's count, as MEXT reports it.
    """
    years_in = snapshot.weeks_into_school_year / WEEKS_PER_YEAR
    start_age = np.asarray(snapshot.age_years, dtype=np.float64) - years_in
    among = _flag(snapshot.pupil) & _whole_years_within(start_age, lo, hi)
    absent = np.asarray(snapshot.school_year_refusal_weeks) >= MEXT_ABSENCE_WEEKS
    return _share(absent, among)


def refuser_neet_share(snapshot: PopulationSnapshot, lo: int, hi: int) -> float:
    """The share neither studying nor working among final-year junior-high refusers.

    The denominator is everyone aged ``lo..hi`` who refused school (MEXT's definition)
    in their third junior-high year.
    """
    among = _flag(snapshot.refused_final_junior_high_year) & in_band(snapshot, lo, hi)
    return _share(~_flag(snapshot.studying_or_working), among)


def school_refusal_history_share(snapshot: PopulationSnapshot, lo: int, hi: int) -> float:
    """Among ``cao_broad`` cases aged ``lo..hi``, the share who ever refused school."""
    cases = cao_broad_cases(snapshot) & in_band(snapshot, lo, hi)
    return _share(_flag(snapshot.ever_refused_school), cases)


def no_service_use_share(snapshot: PopulationSnapshot, lo: int, hi: int) -> float:
    """The share never treated in the episode among cases whose family sought help.

    The denominator is the ``cao_broad`` cases aged ``lo..hi`` whose family has contacted
    a help service; the numerator, those of them not in treatment or support at any point
    of the current episode.
    """
    cases = cao_broad_cases(snapshot) & in_band(snapshot, lo, hi)
    among = cases & _flag(snapshot.family_sought_help)
    return _share(~_flag(snapshot.treated_in_episode), among)


def parent_75plus_share(snapshot: PopulationSnapshot, lo: int, hi: int) -> float:
    """Among ``cao_broad`` cases aged ``lo..hi``, the share with a parent aged 75 or older.

    This is the 8050 problem's measure. A parent counts while alive (the snapshot's
    ``oldest_parent_age``, NaN when both have died); withdrawn adults are taken to live
    with their surviving parents (docs/model.md gives the reasons).
    """
    cases = cao_broad_cases(snapshot) & in_band(snapshot, lo, hi)
    # NaN (no living parent) compares as False.
    return _share(np.asarray(snapshot.oldest_parent_age) >= PARENT_OLD_AGE, cases)


# --- targets to quantities ---------------------------------------------------------------

MEASURES: dict[str, tuple[str, Quantity]] = {
    # target name: (the definition it must declare, the model quantity over its band)
    "cao2010_broad_15_39": ("cao_broad", broad_prevalence),
    "cao2010_narrow_15_39": ("cao_narrow", narrow_prevalence),
    "cao2016_broad_15_39": ("cao_broad", broad_prevalence),
    "cao2016_narrow_15_39": ("cao_narrow", narrow_prevalence),
    "cao2016_school_refusal_history": ("cao_broad", school_refusal_history_share),
    "cao2019_broad_40_64": ("cao_broad", broad_prevalence),
    "cao2022_broad_15_39": ("cao_broad", broad_prevalence),
    "cao2022_broad_40_64": ("cao_broad", broad_prevalence),
    "koyama_lifetime_20_49": ("koyama", koyama_lifetime_prevalence),
    "koyama_disorder_share": ("koyama", koyama_disorder_share),
    "mext1991_refusal_junior_high": ("mext", mext_refusal),
    "mext2015_refusal_junior_high": ("mext", mext_refusal),
    "mext2023_refusal_junior_high": ("mext", mext_refusal),
    "mext2023_refusal_elementary_5_6": ("mext", mext_refusal),
    "mext_refuser_neet_at_20": ("mext", refuser_neet_share),
    "kondo_no_service_use": ("cao_broad", no_service_use_share),
}
"""Every target the model can measure: its definition and the quantity over its band."""

DEFINITION_MEASURES: dict[str, Quantity] = {
    "cao_broad": broad_prevalence,
    "cao_narrow": narrow_prevalence,
    "koyama": koyama_lifetime_prevalence,
    "seed": seed_prevalence,
    "mext": mext_refusal,
}
"""How a target not named in :data:`MEASURES` is measured: its definition's headline
figure over its band (current cases, lifetime cases for ``koyama``, refusers for
``mext``). A regional targets file (another country's survey) relies on it."""

NEAR_NAME = 0.92
"""How alike (difflib's ratio) a new target name may be to a packaged one."""

YEARLY_SERIES: dict[str, tuple[Quantity, int, int]] = {
    "broad_prevalence_15_39": (broad_prevalence, 15, 39),
    "narrow_prevalence_15_39": (narrow_prevalence, 15, 39),
    "broad_prevalence_40_64": (broad_prevalence, 40, 64),
    # The school-refusal series count whole school years: measure them on the snapshot
    # at the end of March.
    "mext_refusal_junior_high": (mext_refusal, 12, 14),
    "mext_refusal_elementary_5_6": (mext_refusal, 10, 11),
    # The 8050 problem: the share of cases aged 40-64 with a parent aged 75 or older.
    "eighty_fifty": (parent_75plus_share, 40, 64),
}
"""The survey-defined columns of ``yearly.csv``: column -> (quantity, lo, hi)."""


def snapshot_date(target: Target) -> str:
    """The model date, ``"YYYY-MM"``, at which to take the snapshot a target is measured on.

    It is the target's fieldwork date, except for ``mext`` targets: MEXT counts absences
    over a whole school year (April to March), so they are measured at the March that
    ends the school year containing the target's date ("2015-06" and "2016-02" both give
    "2016-03"). For ``mext_refuser_neet_at_20`` this also picks the right cohort: in the
    March that ends FY2011, the people aged 20 are those who were in their third
    junior-high year in FY2006.
    """
    if target.definition != "mext":
        return target.date
    year, month = (int(part) for part in target.date.split("-"))
    end_year = year + 1 if month >= SCHOOL_YEAR_START_MONTH else year
    return f"{end_year:04d}-{SCHOOL_YEAR_START_MONTH - 1:02d}"


def required_snapshot_dates(targets: Mapping[str, Target]) -> tuple[str, ...]:
    """Every snapshot date the targets need, in calendar order (without duplicates)."""
    return tuple(sorted({snapshot_date(target) for target in targets.values()}))


def check_measurable(targets: Mapping[str, Target], source: str = "") -> None:
    """Check that every target maps to a model quantity of its own definition.

    Args:
        targets: Loaded targets (see :func:`hikisim.targets.load_targets`).
        source: The file they came from, for the error message.

    Raises:
        InputError: Naming the first target of :data:`MEASURES` whose definition
            differs from the one its measure implements.
    """
    for target in targets.values():
        _quantity(target, source)


def measure(target: Target, snapshot: PopulationSnapshot) -> float:
    """The model's value of a target, measured as its source measured people.

    Args:
        target: The target.
        snapshot: The population at :func:`snapshot_date` of the target.

    Returns:
        The value (a fraction), or NaN if its denominator is empty in this snapshot.

    Raises:
        InputError: If the target is in :data:`MEASURES` and its definition is not
            the one its measure implements.
        ValueError: If the snapshot was not taken at the target's snapshot date.
    """
    quantity = _quantity(target)
    expected = snapshot_date(target)
    if snapshot.date != expected:
        raise ValueError(
            f"target {target.name} is measured on the {expected} snapshot, got {snapshot.date}"
        )
    lo, hi = target.ages
    return quantity(snapshot, lo, hi)


def measure_targets(
    targets: Mapping[str, Target], snapshots: Mapping[str, PopulationSnapshot]
) -> dict[str, float]:
    """Measure every target on the snapshot of its date (``summary.json["targets"]``).

    Args:
        targets: The targets.
        snapshots: Snapshots keyed by date; must hold :func:`required_snapshot_dates`.

    Returns:
        Each target's model value, in the targets' order.

    Raises:
        InputError: As :func:`measure`.
        KeyError: If a target's snapshot date is missing.
    """
    values = {}
    for name, target in targets.items():
        date = snapshot_date(target)
        if date not in snapshots:
            raise KeyError(f"no snapshot at {date} for target {name}")
        values[name] = measure(target, snapshots[date])
    return values


# --- the snapshot summary ---------------------------------------------------------------


def age_bins(lo: int, hi: int) -> Bins:
    """Five-year bins of whole ages from ``lo`` to ``hi`` ("15-19" ... "35-39" for 15-39).

    A band whose width is not a multiple of five ends with a shorter bin.
    """
    return tuple(
        (f"{start}-{min(start + 4, hi)}", float(start), float(min(start + 5, hi + 1)))
        for start in range(lo, hi + 1, 5)
    )


def band_summary(
    snapshot: PopulationSnapshot, lo: int, hi: int
) -> dict[str, float | dict[str, float]]:
    """The survey picture of one age band: ``summary.json["snapshots"][date][band]``.

    The prevalences are cases over everyone in the band and ``ever_share`` is the share
    of the band with ``ever_broad``; every other share is over the band's ``cao_broad``
    cases, so with no cases they are all NaN (the keys are always present).

    Args:
        snapshot: The population at the survey date.
        lo: Lowest age of the band (whole years).
        hi: Highest age of the band (whole years).

    Returns:
        ``broad_prevalence``, ``narrow_prevalence``, ``male_share``, ``ever_share``,
        ``parent_75plus_share`` (:func:`parent_75plus_share`) (floats) and
        ``duration_share`` (:data:`DURATION_BINS`), ``onset_age_share``
        (:data:`ONSET_AGE_BINS`) and ``age_share`` (:func:`age_bins`), each a dict of
        bin label to share, and ``disorder_share`` (:func:`disorder_shares`).
    """
    band = in_band(snapshot, lo, hi)
    cases = cao_broad_cases(snapshot) & band
    years = np.asarray(snapshot.episode_weeks, dtype=np.float64) / WEEKS_PER_YEAR
    ages = np.floor(np.asarray(snapshot.age_years, dtype=np.float64))
    return {
        "broad_prevalence": _share(cases, band),
        "narrow_prevalence": _share(cao_narrow_cases(snapshot), band),
        "male_share": _share(_flag(snapshot.male), cases),
        "duration_share": _binned(years, cases, DURATION_BINS),
        "onset_age_share": _binned(np.asarray(snapshot.onset_age), cases, ONSET_AGE_BINS),
        "age_share": _binned(ages, cases, age_bins(lo, hi)),
        "ever_share": _share(_flag(snapshot.ever_broad), band),
        "parent_75plus_share": parent_75plus_share(snapshot, lo, hi),
        "disorder_share": disorder_shares(snapshot, cases),
    }


def disorder_shares(snapshot: PopulationSnapshot, cases: np.ndarray) -> dict[str, float]:
    """Comorbidity: the share of cases with each disorder, one key per disorder.

    A case counts for its latent disorder and, while it lasts, for a depression that
    developed during withdrawal, so a primary case can show depression and a secondary
    one two disorders: the shares can add up to more than the secondary share.
    Schizophrenia is 0 among ``cao_broad`` cases, which exclude it, and is kept as a key
    so every snapshot has the same keys.

    Args:
        snapshot: The population at the survey date.
        cases: Mask of the cases the shares are taken over.

    Returns:
        Disorder name (lower case, as in :class:`~hikisim.states.Disorder`) to share; NaN
        for every disorder when there are no cases.
    """
    disorder = np.asarray(snapshot.disorder)
    depressed = _flag(snapshot.depressed)
    return {
        member.name.lower(): _share(
            (disorder == member) | (depressed if member is Disorder.DEPRESSION else False),
            cases,
        )
        for member in Disorder
        if member is not Disorder.NONE
    }


# --- helpers ----------------------------------------------------------------------------


def _quantity(target: Target, source: str = "") -> Quantity:
    """The quantity of a target, checked against the target's definition.

    A target named in :data:`MEASURES` must declare that entry's definition; any other
    target is measured by :data:`DEFINITION_MEASURES` of its definition.
    """
    entry = MEASURES.get(target.name)
    if entry is None:
        # A near-copy of a packaged name whose quantity is not its definition's headline
        # figure (a share among cases, say) is a typo, not another survey's figure; a
        # new survey year of a headline figure (cao2025_broad_15_39) is fine.
        fallback = DEFINITION_MEASURES[target.definition]
        near = difflib.get_close_matches(target.name, MEASURES, n=1, cutoff=NEAR_NAME)
        if near and MEASURES[near[0]][1] is not fallback:
            raise InputError(
                f"not a target the model knows; did you mean {near[0]!r}? (another "
                "survey's figure needs a name of its own)",
                source,
                target.name,
            )
        return fallback
    definition, quantity = entry
    if target.definition != definition:
        raise InputError(
            f"{target.definition!r} is not allowed: the model measures this target "
            f"with the {definition!r} definition",
            source,
            f"{target.name}.definition",
        )
    return quantity


def _flag(values: np.ndarray) -> np.ndarray:
    """A per-person flag as a boolean array (the model may store it as small ints)."""
    return np.asarray(values).astype(bool, copy=False)


def _share(hits: np.ndarray, among: np.ndarray) -> float:
    """The share of ``among`` that is also in ``hits``; NaN if ``among`` is empty."""
    total = int(np.count_nonzero(among))
    if total == 0:
        return math.nan
    return int(np.count_nonzero(hits & among)) / total


def _binned(values: np.ndarray, among: np.ndarray, bins: Bins) -> dict[str, float]:
    """Each bin's share of ``among``: values in ``[low, high)`` (a NaN value is in none)."""
    values = np.asarray(values, dtype=np.float64)
    return {label: _share((values >= low) & (values < high), among) for label, low, high in bins}
