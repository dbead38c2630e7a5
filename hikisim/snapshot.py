"""What a survey sees of the model's people at one date.

A :class:`PopulationSnapshot` is a plain copy of the per-person arrays that the survey
measures (:mod:`hikisim.surveys`) need. The model takes one at each survey date and at
each year's measurement points; the survey layer never reads the model itself, so it can
be tested on hand-built populations with known answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# 30 school days absent, at five school days a week (MEXT's futoko threshold).
MEXT_ABSENCE_WEEKS = 6
# The Japanese school year starts in April.
SCHOOL_YEAR_START_MONTH = 4


@dataclass(frozen=True)
class PopulationSnapshot:
    """The model's people at one calendar date (one entry per person in every array).

    Attributes:
        date: The calendar month of the snapshot, ``"YYYY-MM"``.
        age_years: Exact age in years (float).
        male: Whether the person is male.
        withdrawn: In a withdrawal episode now, at either severity (quasi or narrow).
        narrow: Withdrawn now at the narrow severity (a subset of ``withdrawn``).
        episode_weeks: Weeks withdrawn so far in the current episode (0 if none); a
            return within 26 weeks continues the episode, so its weeks carry on.
        onset_age: Age at the onset of the current episode (NaN if none).
        disorder: :class:`~hikisim.states.Disorder` code of the person's lifetime
            (latent) disorder, 0 for none.
        depressed: In a depression that developed during withdrawal, now.
        ever_depressed: Has had a depression that developed during withdrawal.
        ever_broad: Ever had an episode (either severity) that lasted 26+ weeks,
            the current one included.
        ever_koyama: Ever had an episode with 26+ weeks at the narrow severity (the
            koyama definition's complete withdrawal).
        ever_refused_school: Ever absent 6+ weeks (30+ days) in one school year at
            elementary or junior-high age (the mext definition, ages 6-15).
        refused_final_junior_high_year: Absent 6+ weeks in the school year of the third
            junior-high grade (ages 14-15).
        school_year_refusal_weeks: Weeks absent through refusal so far in the school year
            that contains the date.
        pupil: Enrolled at school (elementary to high school) now.
        studying_or_working: At school, university or work now.
        family_sought_help: The person's family has contacted a help service.
        treated_in_episode: Has been in treatment or support at some point of the
            current episode.
        oldest_parent_age: Age in years of the person's oldest living parent (NaN if
            both parents have died).
        weeks_into_school_year: Weeks since the school year started (April), at the
            date; the same for everyone.
    """

    date: str
    age_years: np.ndarray
    male: np.ndarray
    withdrawn: np.ndarray
    narrow: np.ndarray
    episode_weeks: np.ndarray
    onset_age: np.ndarray
    disorder: np.ndarray
    depressed: np.ndarray
    ever_depressed: np.ndarray
    ever_broad: np.ndarray
    ever_koyama: np.ndarray
    ever_refused_school: np.ndarray
    refused_final_junior_high_year: np.ndarray
    school_year_refusal_weeks: np.ndarray
    pupil: np.ndarray
    studying_or_working: np.ndarray
    family_sought_help: np.ndarray
    treated_in_episode: np.ndarray
    oldest_parent_age: np.ndarray
    weeks_into_school_year: int

    def __len__(self) -> int:
        return len(self.age_years)
