"""The validated scenario: every parameter of a run, loaded from TOML.

A scenario file may ``extends = "baseline.toml"`` (a path relative to itself) and then
states only what differs. Dotted overrides such as ``population.youths=2000`` are applied
last. Unknown keys and out-of-range values raise :class:`~hikisim.errors.InputError` with
the file, the dotted field name and what is allowed.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hikisim.clock import parse_month
from hikisim.errors import InputError
from hikisim.field_types import SettingsModel
from hikisim.programmes import PARAMS as REGISTRY  # parameter models by name; no behaviour
from hikisim.seeds import MAX_SEED
from hikisim.states import WEEKS_PER_YEAR

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=-10.0, le=10.0)]
Logit = Annotated[float, Field(ge=-20.0, le=5.0)]


class Section(SettingsModel):
    """Base for scenario sections: immutable, no unknown keys, no cross-typed values."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def shares_at_most_one(section: BaseModel, fields: tuple[str, ...], what: str) -> None:
    """Check that shares which split one population among them add up to at most 1.

    Each share is checked on its own range; the model then lays them side by side on
    the unit interval, so a sum above 1 would silently shrink the later ones.

    Args:
        section: The validated section.
        fields: The shares' field names.
        what: What the shares are the shares of, for the message.

    Raises:
        PydanticCustomError: If the sum exceeds 1 (type ``shares_sum``).
    """
    total = math.fsum(getattr(section, field) for field in fields)
    if total > 1.0:
        raise PydanticCustomError(
            "shares_sum",
            "{fields} are shares of {what} and add up to {total}; allowed: a sum of at most 1",
            {"fields": " + ".join(fields), "what": what, "total": f"{total:.6g}"},
        )


#: The latent disorders' shares, in the order the population lays them on the unit
#: interval (hikisim.population).
DISORDER_PREVALENCES = (
    "schizophrenia_prevalence",
    "social_anxiety_prevalence",
    "depression_prevalence",
    "autism_prevalence",
    "avoidant_personality_prevalence",
)

#: Longest scenario name (it becomes part of file names).
MAX_NAME_LENGTH = 80

# Weights are normalised, so only their ratios matter; the cap keeps sums finite.
MAX_FAMILY_WEIGHT = 1e6


#: The longest horizon, in years.
MAX_HORIZON_YEARS = 100.0


class RunSettings(Section):
    """How long to run and with which seed."""

    seed: int = Field(
        20261125,
        ge=0,
        le=MAX_SEED,
        description="Base random seed; every named random stream derives from it. Unit: integer. "
        "Source: model setting, not an empirical quantity.",
    )
    burn_in_years: int = Field(
        66,
        ge=0,
        le=120,
        description="Years simulated before the horizon; the run starts this many years before "
        "run.present. Interventions do not run and nothing is recorded, but survey snapshots "
        "that fall in it are measured. Unit: years. Source: assumption: 66 starts the run in "
        "1960, so everyone a survey counted (1991-2023, ages 10-64) has lived every modelled "
        "year of their life in the model, and the snapshots do not depend on the initial state.",
    )
    present: str = Field(
        "2026-01",
        description="Calendar month in which the horizon starts, written YYYY-MM. Unit: month. "
        "Source: model setting (the present).",
    )

    @field_validator("present")
    @classmethod
    def _a_month(cls, present: str) -> str:
        year, _ = parse_month(present)
        if not 1900 <= year <= 2200:
            raise ValueError("the year must be from 1900 to 2200")
        return present

    years: float = Field(
        10.0,
        gt=0.0,
        le=MAX_HORIZON_YEARS,
        description="Length of the recorded horizon after the burn-in. Unit: years. Source: model "
        "setting (the design's 10-year horizon).",
    )

    @field_validator("years", "delivery_years")
    @classmethod
    def _at_least_one_week(cls, years: float) -> float:
        # The horizon and delivery are counted in whole weeks; less than one would run,
        # or deliver, nothing.
        if years * WEEKS_PER_YEAR < 1:
            raise ValueError(f"must be at least one week (1/52 = {1 / WEEKS_PER_YEAR:.4f} years)")
        return years

    delivery_years: float = Field(
        MAX_HORIZON_YEARS,
        gt=0.0,
        le=MAX_HORIZON_YEARS,
        description="Years from the start of the horizon in which programmes take new "
        "participants. After them, those already in a programme finish it, and the effects "
        "programmes left fade as after any course, so a horizon longer than this follows "
        "delivery's lasting effects without paying for more delivery. The default, the "
        "longest horizon, delivers to the end of any horizon. Unit: years. Source: model "
        "setting.",
    )


class PopulationSettings(Section):
    """Size and structure of the population of youths, families and schools."""

    youths: int = Field(
        18_000,
        ge=10,
        le=2_000_000,
        description="Number of people aged 10 to max_age in the model (the key keeps its v1 "
        "name); constant through turnover. Unit: persons. Source: model setting: 18,000 over "
        "ages 10-64 puts about 8,200 people in each survey band (15-39 and 40-64), as many as "
        "the 10,000 over ages 10-39 of version 1 put in 15-39, so neither band is noisier.",
    )
    max_age: int = Field(
        64,
        ge=39,
        le=64,
        description="Oldest age in the model: people leave at max_age + 1 and a 10-year-old "
        "takes their seat. Down to 39 for light runs that measure only ages 15-39. Unit: years. "
        "Source: model setting (the Cabinet Office surveys cover ages 15-64).",
    )
    male_share: float = Field(
        0.51,
        ge=0.0,
        le=1.0,
        description="Probability that a youth (at start and at each turnover) is male. Unit: "
        "fraction. Source: Statistics Bureau of Japan population estimates, about 50-51% "
        "male at ages 10-64.",
    )
    family_size_weights: tuple[float, float, float] = Field(
        (0.45, 0.40, 0.15),
        description="Relative weights of families (of origin) with 1, 2 and 3 siblings in the "
        "model (normalised). "
        "Unit: weights. Source: assumption, a low-fertility household mix in line with "
        "Japan's fertility rate of about 1.3-1.4.",
    )

    @field_validator("family_size_weights")
    @classmethod
    def _usable_weights(cls, weights: tuple[float, float, float]) -> tuple[float, float, float]:
        if not all(math.isfinite(w) and 0 <= w <= MAX_FAMILY_WEIGHT for w in weights) or not any(
            w > 0 for w in weights
        ):
            raise ValueError(
                f"each weight must be a number from 0 to {MAX_FAMILY_WEIGHT:g}, "
                "and at least one above 0"
            )
        return weights

    school_catchment: int = Field(
        1650,
        ge=30,
        le=100_000,
        description="Youths of all ages per school catchment area; sets the number of schools "
        "(youths / catchment). Unit: persons. Source: assumption: 1,650 people aged 10-64 hold "
        "as many pupils as 900 aged 10-39 did in version 1.",
    )
    class_size: int = Field(
        30,
        ge=2,
        le=60,
        description="Pupils per class; classes are formed from one school catchment and one "
        "birth-year cohort. Unit: persons. Source: OECD Education at a Glance, average "
        "class size in Japan about 27 (primary) and 32 (lower secondary).",
    )
    aging: bool = Field(
        True,
        description="Whether people age weekly and are replaced by a new 10-year-old after "
        "max_age; switch off only for hand-solvable checks. Unit: switch. Source: model setting.",
    )


class IndividualSettings(Section):
    """Individual risk factors: trauma, introversion, psychiatric disorders."""

    trauma_prevalence: float = Field(
        0.15,
        ge=0.0,
        le=1.0,
        description="Probability that a youth has an early traumatic experience. Unit: fraction. "
        "Source: assumption; early trauma is named as an individual risk factor by Teo "
        "2010 and Furlong 2008, its prevalence here is not from a survey.",
    )
    schizophrenia_prevalence: float = Field(
        0.007,
        ge=0.0,
        le=1.0,
        description="Probability that a youth's latent disorder is schizophrenia. Unit: fraction. "
        "Source: McGrath et al. 2008, Epidemiol Rev, lifetime morbid risk about 0.7%.",
    )
    social_anxiety_prevalence: float = Field(
        0.035,
        ge=0.0,
        le=1.0,
        description="Probability that a youth's latent disorder is social anxiety disorder. Unit: "
        "fraction. Source: assumption below the cross-national lifetime prevalence of "
        "about 4% (Stein et al. 2017, World Mental Health surveys), which is lower in "
        "Japan.",
    )
    depression_prevalence: float = Field(
        0.055,
        ge=0.0,
        le=1.0,
        description="Probability that a youth's latent disorder is major depression. Unit: "
        "fraction. Source: assumption near World Mental Health Japan lifetime "
        "estimates for major depression (roughly 6%).",
    )
    autism_prevalence: float = Field(
        0.015,
        ge=0.0,
        le=1.0,
        description="Probability that a youth's latent disorder is autism spectrum disorder. Unit: "
        "fraction. Source: assumption within published prevalence estimates of about "
        "1-2%.",
    )
    avoidant_personality_prevalence: float = Field(
        0.02,
        ge=0.0,
        le=1.0,
        description="Probability that a youth's latent disorder is avoidant personality disorder. "
        "Unit: fraction. Source: DSM-5 (APA 2013) cites about 2.4% from NESARC; "
        "rounded down.",
    )
    introversion_weight: float = Field(
        1.044,
        ge=-10.0,
        le=10.0,
        description="Onset logit per standard deviation of introversion. Unit: logit per SD. "
        "Source: assumption (value from a superseded fit; not calibrated now): the first "
        "version-2 point fit set it toward cao2016_school_refusal_history, floored at 0.1, "
        "and it has been held since school refusal became its own process; "
        "refusal_history_weight, in the Bayesian calibration, now bears on that target. "
        "Introverted personality is an individual factor in Teo 2010.",
    )
    trauma_weight: float = Field(
        0.25,
        ge=-10.0,
        le=10.0,
        description="Onset logit added for early trauma. Unit: logit. Source: assumption; early "
        "traumatic experience is an individual factor in Teo 2010.",
    )
    disorder_onset_weight: float = Field(
        0.150837,
        ge=-10.0,
        le=10.0,
        description="Onset logit added for any latent disorder. Unit: logit. Source: calibrated; "
        "the value is the representative draw (no. 937, nearest the posterior "
        "median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    disorder_progress_weight: float = Field(
        0.928219,
        ge=-10.0,
        le=10.0,
        description="AT_RISK to WITHDRAWN logit added for any disorder; half of it is subtracted "
        "from the AT_RISK to ENGAGED logit. Unit: logit. Source: calibrated; the "
        "value is the representative draw (no. 937, nearest the posterior median) of"
        " the Japanese posterior, hikisim.calibration.load_posterior('japan'); its "
        "prior and the prior's source are in hikisim/data/calibration_priors.toml "
        "(docs/calibration.md).",
    )
    disorder_exit_multiplier: float = Field(
        0.6,
        ge=0.0,
        le=5.0,
        description="Multiplier on the WITHDRAWN to RECOVERING hazard for youths with an "
        "active latent disorder (below 1: secondary cases last longer); a depression or "
        "social anxiety disorder in remission after treatment no longer applies it. Unit: "
        "multiplier. Source: assumption; prognosis is reported to be worse in secondary "
        "hikikomori (seed text).",
    )
    depression_onset_rate: float = Field(
        0.000348529,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a withdrawn person without a depressive disorder "
        "develops major depression in the first weeks of an episode; the hazard rises"
        " with the years withdrawn (depression_duration_growth). Unit: probability "
        "per week. Source: calibrated; the value is the representative draw (no. "
        "937, nearest the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    depression_duration_growth: float = Field(
        0.5,
        ge=0.0,
        le=10.0,
        description="Growth of the depression hazard with the duration of the episode: the "
        "weekly hazard is depression_onset_rate x (1 + this x years withdrawn). Unit: per "
        "year withdrawn. Source: assumption (prolonged isolation and inactivity as risks "
        "of depression).",
    )
    depression_exit_multiplier: float = Field(
        0.6,
        ge=0.0,
        le=5.0,
        description="Multiplier on the WITHDRAWN to RECOVERING hazard while a depression "
        "that developed during withdrawal lasts (it multiplies with "
        "disorder_exit_multiplier for someone who also has a latent disorder). Unit: "
        "multiplier. Source: assumption, set equal to disorder_exit_multiplier.",
    )
    male_weight: float = Field(
        0.35,
        ge=-10.0,
        le=10.0,
        description="Onset logit added for male youths. Unit: logit. Source: assumption, set so "
        "most cases are male as in Cabinet Office surveys (about two thirds male) and "
        "Koyama et al. 2010.",
    )

    @model_validator(mode="after")
    def _one_latent_disorder_each(self) -> IndividualSettings:
        # A youth has at most one latent disorder, drawn from these shares laid end to
        # end on the unit interval.
        shares_at_most_one(self, DISORDER_PREVALENCES, "the youths (one latent disorder each)")
        return self


class FamilySettings(Section):
    """Family risk factors and help-seeking."""

    neglect_share: float = Field(
        0.10,
        ge=0.0,
        le=1.0,
        description="Probability that a family's parenting style is neglect or rejection. Unit: "
        "fraction. Source: assumption; the style is named as a family factor in Teo "
        "2010, its share is not from a survey.",
    )
    overprotection_share: float = Field(
        0.20,
        ge=0.0,
        le=1.0,
        description="Probability that a family's parenting style is overprotection. Unit: "
        "fraction. Source: assumption; overprotection is named as a family factor in "
        "Teo 2010 and Furlong 2008.",
    )
    high_expectation_share: float = Field(
        0.30,
        ge=0.0,
        le=1.0,
        description="Probability that parents hold high academic expectations. Unit: fraction. "
        "Source: assumption.",
    )

    @model_validator(mode="after")
    def _one_parenting_style_each(self) -> FamilySettings:
        # A family has one parenting style: neglect, overprotection or neither.
        shares_at_most_one(
            self, ("neglect_share", "overprotection_share"), "the families (one style each)"
        )
        return self

    neglect_weight: float = Field(
        0.6,
        ge=-10.0,
        le=10.0,
        description="Onset logit added for youths in neglecting or rejecting families. Unit: "
        "logit. Source: assumption.",
    )
    overprotection_weight: float = Field(
        0.5,
        ge=-10.0,
        le=10.0,
        description="Onset logit added for youths in overprotective families. Unit: logit. Source: "
        "assumption.",
    )
    expectation_gap_weight: float = Field(
        0.6,
        ge=-10.0,
        le=10.0,
        description="Onset logit added when parents hold high expectations and the youth's "
        "achievement is below -0.5 SD (low achievement with high expectations). Unit: "
        "logit. Source: assumption; the combination is a school/family factor in Teo "
        "2010.",
    )
    never_seek_share: float = Field(
        0.311282,
        ge=0.0,
        le=1.0,
        description="Probability that a family will never seek help, whatever happens (until a "
        "parenting course converts it). Unit: fraction. Source: assumption (value left "
        "over from a version-1 fit to a target since retired: it was hikisim calibrate's "
        "lever for no_help_sought_share, 0.46 after Kondo et al. 2013, 45.7% of cases "
        "used no mental-health service; not calibrated now). That target also cited "
        "'Cabinet Office 2016: 30.6% consulted nobody', which is not used: the targets "
        "file gives 30.6% as that survey's share of cases who had refused school, and no "
        "consultation figure was verified.",
    )
    help_base: float = Field(
        -4.2,
        ge=-20.0,
        le=5.0,
        description="Intercept of the weekly help-seeking logit of a willing family with an "
        "at-risk youth. Unit: logit per week. Source: assumption (value left over from a "
        "version-1 fit to a target since retired: set toward no_help_sought_share, after "
        "Kondo et al. 2013; not calibrated now).",
    )
    help_withdrawn_weight: float = Field(
        1.0,
        ge=-10.0,
        le=10.0,
        description="Help-seeking logit added when the youth is fully withdrawn rather than at "
        "risk. Unit: logit. Source: assumption.",
    )
    stigma: float = Field(
        0.5,
        ge=0.0,
        le=5.0,
        description="Logit penalty on help-seeking from the stigma of mental illness and of "
        "withdrawal. Unit: logit. Source: assumption; reluctance of parents to seek "
        "help is described by Wong et al. 2019 and the seed text.",
    )


class ParentsSettings(Section):
    """Parents' ages and survival (the 8050 problem); measured, never read by a hazard."""

    mother_age_sd: float = Field(
        4.5,
        ge=0.0,
        le=10.0,
        description="Standard deviation of a mother's age at a child's birth around the mean "
        "for the child's birth year (hikisim/data/parents.toml); ages are kept within 15-49. "
        "Unit: years. Source: assumption: births in Japan from the 1950s to the 1980s were "
        "concentrated at ages 25-34 (MHLW Vital Statistics), which a spread of 4.5 years "
        "about a mean near 28 reproduces.",
    )
    mother_age_shift: float = Field(
        0.0,
        ge=-10.0,
        le=10.0,
        description="Years added to the published mean age of mothers at birth, for "
        "sensitivity analysis: the KHJ family surveys imply parents older than the vital "
        "statistics do (docs/model.md). Unit: years. Source: assumption (0 keeps the "
        "published means).",
    )
    father_gap_sd: float = Field(
        3.0,
        ge=0.0,
        le=10.0,
        description="Standard deviation of a father's age minus the mother's at a birth, "
        "around the mean gap for the birth year (hikisim/data/parents.toml); fathers are at "
        "least 15. Unit: years. Source: assumption: in 1970 about 80% of husbands marrying "
        "for the first time were older than their wives and about 10% younger (MHLW Vital "
        "Statistics, reported by President Online, 2012), which a spread of 3 years about a "
        "mean gap near 3 years roughly gives.",
    )


class SchoolSettings(Section):
    """School climate, pressure, dropout and the school-to-work transition."""

    climate_weight: float = Field(
        0.35,
        ge=-10.0,
        le=10.0,
        description="Onset logit per SD of poor school climate (applied to pupils only, as minus "
        "the climate score). Unit: logit per SD. Source: assumption; school is a "
        "decisive context in Teo 2010.",
    )
    pressure_weight: float = Field(
        0.3,
        ge=-10.0,
        le=10.0,
        description="Onset logit per SD of academic pressure (pupils only). Unit: logit per SD. "
        "Source: assumption.",
    )
    pupil_risk: float = Field(
        0.599943,
        ge=-5.0,
        le=5.0,
        description="Onset logit added for every pupil (school track, under 18): stressors "
        "common to all schools, such as bullying and exam pressure, beyond the "
        "school-to-school differences in climate and pressure. Unit: logit. Source: "
        "assumption (value left over from a version-1 fit to a target since retired: "
        "school_refusal_rate, MEXT FY2023's 3.7% of elementary and junior-high pupils; not "
        "calibrated now, refusal_start is calibrated instead).",
    )
    refusal_start: float = Field(
        9.42721e-05,
        ge=0.0,
        le=1.0,
        description="Weekly probability that an engaged junior-high pupil (school year started at"
        " 12-14) who is not refusing starts refusing school, at full internet use and"
        " before the other calendar drivers (school_refusal_policy, COVID-19) "
        "multiply it. Any pupil of the compulsory grades can start, engaged or not; "
        "withdrawn pupils always refuse. Unit: probability per week. Source: "
        "calibrated; the value is the representative draw (no. 937, nearest the "
        "posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    refusal_elementary_ratio: float = Field(
        1.30643,
        ge=0.0,
        le=5.0,
        description="Multiplier on the start of refusal for elementary pupils (school year "
        "started before 12) relative to junior high: refusal rises by grade. Unit: "
        "ratio. Source: calibrated; the value is the representative draw (no. 937, "
        "nearest the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    refusal_at_risk_weight: float = Field(
        1.44501,
        ge=-5.0,
        le=10.0,
        description="Log-multiplier on the start of refusal for an at-risk pupil (a symptomatic "
        "pupil is more likely to stop attending). Unit: log-multiplier. Source: "
        "calibrated; the value is the representative draw (no. 937, nearest the "
        "posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    refusal_stop: float = Field(
        0.00452916,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a refusing pupil who is not withdrawn stops refusing"
        " (withdrawn pupils never attend). Unit: probability per week. Source: "
        "calibrated; the value is the representative draw (no. 937, nearest the "
        "posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    refusal_transition_remission: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Probability that a refusing pupil who is not withdrawn stops refusing at "
        "a school transition: entering junior high (the school year that starts at 12) or "
        "high school (at 15). Unit: probability. Source: assumption; MEXT's follow-up of "
        "FY2006 third-year junior-high refusers found 85% went on to high school (65% in "
        "the FY1993 follow-up), and the jump in refusal at entry to junior high shrank "
        "from 2.7-fold (FY2016) to under 2-fold (FY2020-22), so a new school is a common "
        "exit.",
    )
    refusal_history_weight: float = Field(
        0.717714,
        ge=-5.0,
        le=5.0,
        description="Onset logit (ENGAGED to AT_RISK) for anyone who refused school by the mext "
        "definition at compulsory ages: a lasting, modest rise in the hazard of later"
        " withdrawal, not a gateway (0.7 is a hazard ratio of about 2). Unit: logit. "
        "Source: calibrated; the value is the representative draw (no. 937, nearest "
        "the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    refusal_internet_effect: float = Field(
        0.383169,
        ge=-5.0,
        le=5.0,
        description="Log-multiplier on the start of school refusal per unit of the internet_use "
        "driver (share of the population online) below full use: the start is "
        "multiplied by exp(this x (internet use - 1)), so refusal_start holds at full"
        " use and this effect lowers the years before the internet spread; the "
        "calendar trend of refusal between 1991 and 2015 beyond the 1992 policy step."
        " Unit: log-multiplier. Source: calibrated; the value is the representative "
        "draw (no. 937, nearest the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    refusal_progress_weight: float = Field(
        0.3,
        ge=-10.0,
        le=10.0,
        description="AT_RISK to WITHDRAWN logit added while refusing school (at-risk pupils "
        "only; refusal by itself does not lead to withdrawal). Unit: logit. Source: "
        "assumption; school refusal often precedes hikikomori (Cabinet Office 2016: "
        "30.6% of cases had refused school).",
    )
    dropout_rate: float = Field(
        0.0003977,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a school-refusing high-school pupil (15 or over "
        "when the school year began, and under 18) drops out of school (track NEITHER). "
        "Unit: probability per week. Source: assumption (value from a superseded fit; not "
        "calibrated now): the first version-2 point fit set it toward "
        "mext_refuser_neet_at_20, and it has been held since; struggle_weight, in the "
        "Bayesian calibration, now bears on that target. MEXT's follow-up of FY2006 "
        "refusers found 14% of those who entered high school had left it.",
    )
    university_base: float = Field(
        0.2,
        ge=-20.0,
        le=5.0,
        description="Logit of going to university at 18 for an engaged pupil of average "
        "achievement (plus 0.8 per SD of achievement). Unit: logit. Source: assumption "
        "near MEXT School Basic Survey advancement rates (over half of school leavers "
        "enter university).",
    )
    neither_base: float = Field(
        -2.6,
        ge=-20.0,
        le=5.0,
        description="Logit of entering neither study nor work at 18 for an engaged pupil of "
        "average achievement (minus 0.5 per SD of achievement); also used at "
        "graduation from university at 22. Unit: logit. Source: assumption; a few "
        "percent of Japanese youths are NEET (Labour Force Survey).",
    )
    neither_weight: float = Field(
        0.9,
        ge=-10.0,
        le=10.0,
        description="Logit added to onset and to AT_RISK to WITHDRAWN for youths in neither study "
        "nor work. Unit: logit. Source: assumption; the school-to-work transition is a "
        "sensitive period (seed text).",
    )
    struggle_weight: float = Field(
        0.890224,
        ge=-10.0,
        le=10.0,
        description="Logit shift at the school-to-work transition for youths who struggled at "
        "school (not engaged at 18, or ever refused school): subtracted from the "
        "university logit and added to the NEET logit. Unit: logit. Source: "
        "calibrated; the value is the representative draw (no. 937, nearest the "
        "posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    find_work_rate: float = Field(
        0.02,
        ge=0.0,
        le=1.0,
        description="Weekly probability that an engaged youth aged 15+ in neither study nor work "
        "finds work. Unit: probability per week. Source: assumption (mean about a year "
        "without study or work).",
    )
    refusal_policy_effect: float = Field(
        0.253713,
        ge=-5.0,
        le=5.0,
        description="Log-multiplier on the weekly start of school refusal per step of the "
        "school_refusal_policy driver (national policy accepting non-attendance; see "
        "docs/drivers.md). Unit: log-multiplier per step. Source: calibrated; the "
        "value is the representative draw (no. 937, nearest the posterior median) of"
        " the Japanese posterior, hikisim.calibration.load_posterior('japan'); its "
        "prior and the prior's source are in hikisim/data/calibration_priors.toml "
        "(docs/calibration.md).",
    )
    covid_refusal_effect: float = Field(
        0.5,
        ge=-5.0,
        le=5.0,
        description="Log-multiplier on the weekly start of school refusal at covid driver "
        "intensity 1. Unit: log-multiplier. Source: assumption (not calibrated: it is not "
        "among the calibration's parameters, hikisim/data/calibration_priors.toml).",
    )


class SocietySettings(Section):
    """Sociocultural setting of the region."""

    urbanization: float = Field(
        0.92,
        ge=0.0,
        le=1.0,
        description="Probability that a school catchment is urban. Unit: fraction. Source: UN "
        "World Urbanization Prospects, about 92% of Japan's population is urban.",
    )
    social_cohesion: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Mean neighbourhood social cohesion of catchments (each catchment adds N(0, "
        "0.1) noise, clipped to 0-1). Unit: index 0-1. Source: assumption, the scale "
        "midpoint.",
    )
    internet_penetration: float = Field(
        0.93,
        ge=0.0,
        le=1.0,
        description="Probability that a youth uses the internet at all; users draw an intensity "
        "from Beta(2, 3). Unit: fraction. Source: assumption near Japan's Ministry of "
        "Internal Affairs and Communications usage surveys (over 90% of teenagers and "
        "young adults use the internet).",
    )
    urbanization_weight: float = Field(
        0.3,
        ge=-10.0,
        le=10.0,
        description="Onset logit added for youths in an urban catchment. Unit: logit. Source: "
        "assumption; urbanization is a sociocultural factor in Teo 2010 and Furlong "
        "2008.",
    )
    cohesion_weight: float = Field(
        0.8,
        ge=-10.0,
        le=10.0,
        description="Onset logit per unit of cohesion below 0.5 (weight times 0.5 minus the "
        "catchment's cohesion). Unit: logit per unit. Source: assumption; a break in "
        "social cohesion is a sociocultural factor in Teo 2010.",
    )
    internet_weight: float = Field(
        0.4,
        ge=-10.0,
        le=10.0,
        description="Onset logit per unit of internet penetration times the youth's internet-use "
        "intensity. Unit: logit. Source: assumption; changes in communication with the "
        "internet are a sociocultural factor (Teo 2010, Stip et al. 2016).",
    )
    internet_effect: float = Field(
        0.299849,
        ge=-10.0,
        le=10.0,
        description="Onset logit, for everyone, per unit of the internet_use driver (the share of"
        " the population online that calendar year; docs/drivers.md). Unit: logit. "
        "Source: calibrated; the value is the representative draw (no. 937, nearest "
        "the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    covid_effect: float = Field(
        2.28351,
        ge=-10.0,
        le=10.0,
        description="Onset logit, for everyone, at covid driver intensity 1 (the 2020 school "
        "closure; states of emergency count less). Unit: logit. Source: calibrated; "
        "the value is the representative draw (no. 937, nearest the posterior "
        "median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )


class LabourSettings(Section):
    """Adult working life: the labour market at the transition, job loss and retirement."""

    job_market_effect: float = Field(
        0.5,
        ge=-10.0,
        le=10.0,
        description="Logit per unit the job_openings_ratio driver falls below 1: added to the "
        "neither-study-nor-work logit at 18 and 22, and scaling job loss up and finding work "
        "down by its exponential. Unit: logit per unit of the ratio. Source: assumption (not "
        "calibrated: the Morris screen of the targets dropped it, docs/calibration.md); the "
        "hiring freeze of the 1990s-2000s (the employment ice age).",
    )
    job_loss_rate: float = Field(
        0.000177863,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a worker leaves work into neither work nor study "
        "when the job openings ratio is 1. Unit: probability per week. Source: assumption "
        "(value from a superseded fit; not calibrated now): the point fit's lever for "
        "cao2019_broad_40_64 (docs/calibration.md), which the Morris screen then dropped; "
        "MHLW's Survey on Employment Trends reports separations of about 15% a year, most of "
        "them straight into another job.",
    )
    retirement_age: int = Field(
        60,
        ge=40,
        le=65,
        description="Age from which workers may retire. Unit: years. Source: the usual "
        "mandatory retirement age in Japanese firms, with continued employment to 65 (Act on "
        "Stabilization of Employment of Elderly Persons).",
    )
    retirement_rate: float = Field(
        0.004,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a worker at or past retirement_age retires (about "
        "19% a year) when the job openings ratio is 1; scaled like job loss by "
        "exp(job_market_effect x the shortfall of the ratio below 1), as early retirement "
        "is pressed in a downturn. Unit: probability per week. Source: assumption; "
        "retirement or leaving a job was the trigger most cited by cases aged 40-64 in the "
        "Cabinet Office survey of 2019 (36.2%).",
    )
    work_misfit_weight: float = Field(
        0.4,
        ge=-5.0,
        le=5.0,
        description="Onset logit added in the first misfit_years of a job (not fitting in at "
        "work), plus job_market_effect per unit the job_openings_ratio driver falls below "
        "1 (in a hiring freeze new workers take jobs that fit them less). Unit: logit. "
        "Source: assumption; not fitting in at work was the most cited trigger of "
        "withdrawal in the Cabinet Office survey of 2010 (23.7% of cases aged 15-39).",
    )
    misfit_years: float = Field(
        3.0,
        ge=0.0,
        le=20.0,
        description="Years after starting a job during which work_misfit_weight applies. "
        "Unit: years. Source: MHLW's yearly figures on new graduates' separations: about "
        "three in ten leave their first job within three years.",
    )
    work_scar_per_year_lost: float = Field(
        0.1,
        ge=0.0,
        le=5.0,
        description="Lasting mark of years spent withdrawn on the chance of work: after "
        "re-entry, the chance of going straight to work and the weekly chance of finding "
        "work are multiplied by exp(-this x years lost), for good. Unit: per year "
        "withdrawn. Source: assumption, of the order of the earnings lost for each year out "
        "of work (about 10%, Gregory and Jukes 2001, British men); in Japan, a poor start in "
        "the labour market leaves persistent marks on less-educated men (Genda, Kondo and "
        "Ohta 2010). 0 gives the version-1 behaviour (straight to work).",
    )


class NetworkSettings(Section):
    """The social graph and how withdrawal erodes it."""

    classmate_degree: float = Field(
        6.0,
        ge=0.0,
        le=50.0,
        description="Mean number of classmate ties a youth is given (drawn within the class "
        "cohort; duplicates and self-pairs are dropped). Unit: ties per youth. Source: "
        "assumption.",
    )
    friend_degree: float = Field(
        3.0,
        ge=0.0,
        le=50.0,
        description="Mean number of friend ties: 60% in the same school catchment and close in "
        "age, the rest close in age anywhere. Unit: ties per youth. Source: "
        "assumption.",
    )
    neighbour_degree: float = Field(
        1.5,
        ge=0.0,
        le=50.0,
        description="Mean number of neighbour ties within the same catchment, any age. Unit: ties "
        "per youth. Source: assumption.",
    )
    online_degree: float = Field(
        2.0,
        ge=0.0,
        le=50.0,
        description="Mean number of potential online ties to random youths; each starts active "
        "with probability equal to the two users' mean internet intensity. Unit: ties "
        "per youth. Source: assumption; hikikomori trait is linked to online social "
        "networks (Tateno et al. 2019).",
    )
    online_tie_weight: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Weight of an active online tie in degree and peer exposure (offline ties "
        "weigh 1). Unit: weight 0-1. Source: assumption.",
    )
    tie_loss_rate: float = Field(
        0.10,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a withdrawn youth tries to drop one randomly picked "
        "tie; it is lost if offline and still active. Unit: probability per week. "
        "Source: assumption.",
    )
    tie_regain_rate: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a youth who is not withdrawn tries to restore one "
        "randomly picked tie; it is restored if offline and the partner is not "
        "withdrawn. Unit: probability per week. Source: assumption.",
    )
    online_gain_rate: float = Field(
        0.03,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a withdrawn, internet-addicted youth tries to "
        "activate one randomly picked tie; it is activated if online. Unit: "
        "probability per week. Source: assumption; withdrawn youths shift contact "
        "online (Tateno et al. 2019).",
    )

    @model_validator(mode="after")
    def _one_tie_change_a_week(self) -> NetworkSettings:
        # A withdrawn youth's one uniform decides a loss below tie_loss_rate and a gain
        # in the next online_gain_rate: the two chances are laid end to end.
        shares_at_most_one(
            self,
            ("tie_loss_rate", "online_gain_rate"),
            "a withdrawn youth's week (one tie change at most)",
        )
        return self


class DynamicsSettings(Section):
    """Base hazards of the four-state withdrawal process."""

    onset_base: float = Field(
        -8.85467,
        ge=-20.0,
        le=5.0,
        description="Intercept of the weekly ENGAGED to AT_RISK logit. Unit: logit per week. "
        "Source: calibrated; the value is the representative draw (no. 937, nearest "
        "the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    age_peak: float = Field(
        21.0,
        ge=10.0,
        le=40.0,
        description="Age at which the Gaussian age bump on the onset logit peaks. Unit: years. "
        "Source: assumption placing most onsets in the late teens and early twenties, "
        "as in Cabinet Office surveys and Teo 2010.",
    )
    age_width: float = Field(
        4.0,
        gt=0.0,
        le=30.0,
        description="Standard deviation of the Gaussian age bump on the onset logit. Unit: years. "
        "Source: assumption.",
    )
    age_bump: float = Field(
        0.8,
        ge=-10.0,
        le=10.0,
        description="Height of the age bump: onset logit added at age_peak. Unit: logit. Source: "
        "assumption.",
    )
    peer_weight: float = Field(
        3.19041,
        ge=-10.0,
        le=10.0,
        description="Onset logit per unit of peer exposure (weighted share of active ties at risk"
        " or withdrawn); half of it acts on AT_RISK to WITHDRAWN. Unit: logit per "
        "unit share. Source: calibrated; the value is the representative draw (no. "
        "937, nearest the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    progress_base: float = Field(
        -9.22925,
        ge=-20.0,
        le=5.0,
        description="Intercept of the weekly AT_RISK to WITHDRAWN logit. Unit: logit per week. "
        "Source: calibrated; the value is the representative draw (no. 937, nearest "
        "the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    resolve_base: float = Field(
        -4.04469,
        ge=-20.0,
        le=5.0,
        description="Intercept of the weekly AT_RISK to ENGAGED logit. Unit: logit per week. "
        "Source: calibrated; the value is the representative draw (no. 937, nearest "
        "the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    exit_base: float = Field(
        0.00847023,
        ge=0.0,
        le=1.0,
        description="Weekly WITHDRAWN to RECOVERING hazard at the start of an episode, before "
        "duration dependence, disorder and care. Unit: probability per week. Source: "
        "calibrated; the value is the representative draw (no. 937, nearest the "
        "posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    duration_decline: float = Field(
        0.872958,
        ge=0.0,
        le=5.0,
        description="Exponent of duration dependence: the exit hazard is multiplied by (1 + years"
        " withdrawn) to the power minus this value. Unit: exponent. Source: "
        "calibrated; the value is the representative draw (no. 937, nearest the "
        "posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    narrow_entry_share: float = Field(
        0.245923,
        ge=0.0,
        le=1.0,
        description="Share of withdrawal episodes that start at the narrow severity (goes out at "
        "most to a nearby shop); the others start quasi (goes out for hobbies). Unit:"
        " fraction. Source: calibrated; the value is the representative draw (no. "
        "937, nearest the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    deepen_rate: float = Field(
        0.00306153,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a quasi withdrawal becomes narrow. Unit: probability"
        " per week. Source: calibrated; the value is the representative draw (no. "
        "937, nearest the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    lighten_rate: float = Field(
        0.006,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a narrow withdrawal becomes quasi. Unit: probability "
        "per week. Source: assumption.",
    )
    narrow_exit_multiplier: float = Field(
        0.7,
        ge=0.0,
        le=5.0,
        description="Multiplier on the WITHDRAWN to RECOVERING hazard at the narrow severity. "
        "Unit: multiplier. Source: assumption (complete withdrawal is harder to leave).",
    )
    reentry_base: float = Field(
        0.0962749,
        ge=0.0,
        le=1.0,
        description="Weekly RECOVERING to ENGAGED probability before the slowdown for years lost."
        " Unit: probability per week. Source: calibrated; the value is the "
        "representative draw (no. 937, nearest the posterior median) of the Japanese"
        " posterior, hikisim.calibration.load_posterior('japan'); its prior and the "
        "prior's source are in hikisim/data/calibration_priors.toml "
        "(docs/calibration.md).",
    )
    years_lost_slowdown: float = Field(
        0.3,
        ge=0.0,
        le=10.0,
        description="Re-entry is divided by 1 + this value times the years already lost to "
        "withdrawal. Unit: per year lost. Source: assumption; lost years of school and "
        "work hinder reintegration (seed text).",
    )
    relapse_rate: float = Field(
        0.00694542,
        ge=0.0,
        le=1.0,
        description="Weekly RECOVERING to WITHDRAWN probability (halved while in care). Unit: "
        "probability per week. Source: calibrated; the value is the representative "
        "draw (no. 937, nearest the posterior median) of the Japanese posterior, "
        "hikisim.calibration.load_posterior('japan'); its prior and the prior's "
        "source are in hikisim/data/calibration_priors.toml (docs/calibration.md).",
    )
    internet_addiction_start: float = Field(
        0.03,
        ge=0.0,
        le=1.0,
        description="Weekly probability, at internet intensity 0.5, that an at-risk or withdrawn "
        "youth becomes addicted to the internet (scales with twice the intensity). "
        "Unit: probability per week. Source: assumption; association from Stip et al. "
        "2016 and Tateno et al. 2019.",
    )
    internet_addiction_stop: float = Field(
        0.03,
        ge=0.0,
        le=1.0,
        description="Weekly probability that internet addiction ends in a youth who is no longer "
        "at risk or withdrawn. Unit: probability per week. Source: assumption.",
    )
    internet_addiction_weight: float = Field(
        0.5,
        ge=-10.0,
        le=10.0,
        description="AT_RISK to WITHDRAWN logit added for internet addiction. Unit: logit. Source: "
        "assumption; Stip et al. 2016, Tateno et al. 2019.",
    )
    sleep_reversal_start: float = Field(
        0.04,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a withdrawn youth's sleep-wake rhythm reverses (a "
        "quarter of it when at risk, doubled with internet addiction). Unit: "
        "probability per week. Source: assumption; sleep reversal is a common feature "
        "(Teo 2010, seed text).",
    )
    sleep_reversal_stop: float = Field(
        0.06,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a reversed sleep-wake rhythm returns to normal once "
        "the youth is no longer withdrawn. Unit: probability per week. Source: "
        "assumption.",
    )
    sleep_reversal_weight: float = Field(
        0.3,
        ge=-10.0,
        le=10.0,
        description="AT_RISK to WITHDRAWN logit added for a reversed sleep-wake rhythm. Unit: "
        "logit. Source: assumption; sleep-wake disorders were found in 73% of young people "
        "seen by a French outreach team (Chauliac et al. 2017, n = 66), a prevalence, not an "
        "effect size.",
    )
    internet_exit_multiplier: float = Field(
        0.8,
        ge=0.0,
        le=5.0,
        description="Multiplies the WITHDRAWN to RECOVERING hazard while addicted to the "
        "internet. Unit: multiplier. Source: assumption: no study found measures it, and "
        "the direction of the link between internet addiction and withdrawal is unresolved "
        "(Kato et al. 2020); a modest slowing, not calibrated (it is not among the "
        "calibration's parameters, hikisim/data/calibration_priors.toml).",
    )
    internet_reentry_multiplier: float = Field(
        0.8,
        ge=0.0,
        le=5.0,
        description="Multiplies the RECOVERING to ENGAGED probability while addicted to the "
        "internet. Unit: multiplier. Source: assumption, as internet_exit_multiplier.",
    )
    sleep_exit_multiplier: float = Field(
        0.85,
        ge=0.0,
        le=5.0,
        description="Multiplies the WITHDRAWN to RECOVERING hazard while the sleep-wake rhythm is "
        "reversed. Unit: multiplier. Source: assumption: no study found measures it; a "
        "reversed rhythm keeps a person out of daytime school and work (seed text).",
    )
    sleep_reentry_multiplier: float = Field(
        0.85,
        ge=0.0,
        le=5.0,
        description="Multiplies the RECOVERING to ENGAGED probability while the sleep-wake "
        "rhythm is reversed. Unit: multiplier. Source: assumption, as sleep_exit_multiplier.",
    )


class CareSettings(Section):
    """Usual care: the medical exam, then treatment with weekly dropout."""

    youth_uptake: float = Field(
        0.0699336,
        ge=0.0,
        le=1.0,
        description="Probability that a family's contact with a help service brings the person "
        "into treatment or support; otherwise the family consults alone that week and"
        " may try again. Unit: probability. Source: calibrated; the value is the "
        "representative draw (no. 937, nearest the posterior median) of the Japanese"
        " posterior, hikisim.calibration.load_posterior('japan'); its prior and the "
        "prior's source are in hikisim/data/calibration_priors.toml "
        "(docs/calibration.md).",
    )
    exam_sensitivity: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Probability that the usual-care medical exam finds an existing disorder, "
        "routing the youth to clinical rather than psychosocial care. Unit: "
        "probability. Source: assumption.",
    )
    clinical_exit_multiplier: float = Field(
        2.0,
        ge=0.0,
        le=20.0,
        description="Multiplier on the WITHDRAWN to RECOVERING hazard while in clinical care (drug "
        "treatment and/or psychotherapy). Unit: multiplier. Source: assumption; "
        "treatment effects are promising but not definitive (seed text).",
    )
    depression_remission: float = Field(
        0.0144,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a depression that developed during withdrawal "
        "remits without treatment (about 53% in a year). Unit: probability per week. "
        "Source: Whiteford et al. 2013 (Psychological Medicine), pooled remission of "
        "untreated major depression: 53% within 12 months.",
    )
    clinical_remission_multiplier: float = Field(
        2.0,
        ge=1.0,
        le=20.0,
        description="Multiplier on depression_remission in clinical care; in clinical care "
        "a detected latent depression or social anxiety disorder also remits at this times "
        "depression_remission a week (untreated, they do not). Unit: multiplier. Source: "
        "assumption (treatment roughly doubling the remission of untreated depression).",
    )
    disorder_relapse: float = Field(
        0.0066,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a latent disorder in remission becomes active "
        "again once clinical care has ended (about 29% in a year). Unit: probability per "
        "week. Source: Vittengl et al. 2007 (J Consult Clin Psychol): 29% relapse in the "
        "first year after acute-phase cognitive therapy for depression.",
    )
    psychosocial_exit_multiplier: float = Field(
        1.6,
        ge=0.0,
        le=20.0,
        description="Multiplier on the WITHDRAWN to RECOVERING hazard while in psychosocial "
        "support. Unit: multiplier. Source: assumption (seed text: promising, not "
        "definitive).",
    )
    clinical_dropout: float = Field(
        0.03,
        ge=0.0,
        le=1.0,
        description="Weekly probability of leaving clinical care while still struggling (low "
        "adherence). Unit: probability per week. Source: assumption; low adherence to "
        "long treatment is the main difficulty in the seed text.",
    )
    psychosocial_dropout: float = Field(
        0.04,
        ge=0.0,
        le=1.0,
        description="Weekly probability of leaving psychosocial support while still struggling "
        "(low adherence). Unit: probability per week. Source: assumption (seed text: "
        "low adherence).",
    )


def _interventions_model() -> type[BaseModel]:
    fields: dict[str, Any] = {name: (params, params()) for name, params in sorted(REGISTRY.items())}
    return create_model(
        "InterventionSettings",
        __config__=ConfigDict(extra="forbid", frozen=True),
        __doc__="One table per registered intervention; all are off by default.",
        **fields,
    )


InterventionSettings = _interventions_model()


class Scenario(Section):
    """A complete, validated hikisim scenario.

    Attributes:
        name: Short identifier written into every output.
        description: One line on what the scenario represents.
    """

    name: str = "baseline"
    description: str = "Calibrated baseline: Japan, people aged 10-64, usual care only."

    @field_validator("name")
    @classmethod
    def _usable_in_file_names(cls, name: str) -> str:
        # The name becomes part of output file names (the PSA's run files) and of
        # one-line reports, so it must be a plain word.
        if not name or len(name) > MAX_NAME_LENGTH:
            raise ValueError(f"must have 1 to {MAX_NAME_LENGTH} characters")
        if name != name.strip() or name in (".", ".."):
            raise ValueError("must not be '.' or '..' or start or end with a space")
        bad = sorted({c for c in name if c in '/\\:*?"<>|' or not c.isprintable()})
        if bad:
            raise ValueError(
                f"must not contain {' '.join(map(repr, bad))}; allowed: letters, digits, "
                'spaces and punctuation other than / \\ : * ? " < > |'
            )
        return name

    run: RunSettings = RunSettings()
    population: PopulationSettings = PopulationSettings()
    individual: IndividualSettings = IndividualSettings()
    family: FamilySettings = FamilySettings()
    parents: ParentsSettings = ParentsSettings()
    school: SchoolSettings = SchoolSettings()
    society: SocietySettings = SocietySettings()
    labour: LabourSettings = LabourSettings()
    network: NetworkSettings = NetworkSettings()
    dynamics: DynamicsSettings = DynamicsSettings()
    care: CareSettings = CareSettings()
    interventions: InterventionSettings = InterventionSettings()  # type: ignore[valid-type]

    # The dotted overrides applied since the file (or the defaults) was read, so that
    # outputs can record them. Not a setting: outside model_dump, so outside any hash
    # of the settings.
    _overrides: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def overrides(self) -> dict[str, Any]:
        """The dotted overrides applied to this scenario, keys normalised, oldest first."""
        return dict(self._overrides)

    def __eq__(self, other: object) -> bool:
        """Equal settings, however they were reached: the record of overrides aside."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        """A hash of the settings (defining __eq__ drops the one pydantic made)."""
        return hash(tuple(self.__dict__.values()))

    def with_overrides(self, overrides: dict[str, Any], source: str = "override") -> Scenario:
        """Return a copy with dotted overrides applied and validated.

        Args:
            overrides: Mapping such as ``{"population.youths": 2000}``.
            source: Where the overrides came from, for error messages.

        Returns:
            A new validated Scenario, which records these overrides after any applied
            before (:attr:`overrides`).
        """
        data = self.model_dump()
        apply_overrides(data, overrides, source)
        scenario = validate_scenario(data, source)
        scenario._overrides = self._overrides | recorded_overrides(overrides)
        return scenario

    def enabled_interventions(self) -> list[str]:
        """Names of the interventions switched on in this scenario."""
        return [name for name in REGISTRY if getattr(self.interventions, name).enabled]


def parse_value(text: str) -> Any:
    """Parse a command-line value as TOML, falling back to a plain string.

    Args:
        text: The right-hand side of ``key=value``.

    Returns:
        An int, float, bool, list or string.
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignment(item: str) -> tuple[str, Any]:
    """Split a ``dotted.key=value`` option into its key and parsed value.

    Args:
        item: The option text.

    Returns:
        The dotted key and the parsed value.

    Raises:
        InputError: If there is no ``=`` or the key is empty.
    """
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise InputError(f"expected dotted.key=value, got {item!r}", source="--set")
    return key.strip(), parse_value(value.strip())


def parse_assignments(items: Sequence[str]) -> dict[str, Any]:
    """``dotted.key=value`` options as one mapping, each key given once.

    A key given twice with different values is refused rather than settled by order
    (the last would win silently, and a script that builds its options may not mean
    it); the same value twice is one assignment.

    Args:
        items: The options' texts, in the order given.

    Returns:
        Each dotted key and its parsed value.

    Raises:
        InputError: If an option is malformed (:func:`parse_assignment`) or a key is
            given twice with different values.
    """
    assignments: dict[str, Any] = {}
    for item in items:
        key, value = parse_assignment(item)
        if key in assignments and assignments[key] != value:
            raise InputError(
                f"{key} given twice ({assignments[key]!r} and {value!r}); allowed: each key once",
                source="--set",
            )
        assignments[key] = value
    return assignments


def recorded_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides as outputs record them: keys normalised, numpy numbers as Python ones.

    Sweeps and scripts pass numpy numbers (``np.int64``, ``np.bool_``), which JSON, and
    so every output's record of the overrides, cannot hold.

    Args:
        overrides: Dotted keys and values.

    Returns:
        A new mapping in the same order.
    """
    return {normalise_key(key): plain_value(value) for key, value in overrides.items()}


def plain_value(value: Any) -> Any:
    """A value with numpy scalars, arrays and their lists and tuples as Python ones."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    if isinstance(value, list | tuple):
        return [plain_value(item) for item in value]
    return value


def normalise_key(key: str) -> str:
    """Accept ``population__youths`` as well as ``population.youths``."""
    return key.replace("__", ".")


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any], source: str) -> None:
    """Write dotted overrides into nested scenario data in place.

    Args:
        data: Nested scenario data.
        overrides: Dotted keys and values.
        source: Where the overrides came from, for error messages.

    Raises:
        InputError: If a key does not name a scenario field.
    """
    for raw_key, value in overrides.items():
        key = normalise_key(raw_key)
        parts = key.split(".")
        node: dict[str, Any] = data
        model: type[BaseModel] = Scenario
        for depth, part in enumerate(parts):
            fields = model.model_fields
            if part not in fields:
                prefix = ".".join(parts[:depth])
                raise InputError(_unknown_key_message(part, list(fields)), source, key or prefix)
            annotation = fields[part].annotation
            if depth == len(parts) - 1:
                node[part] = value
            elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
                node = node.setdefault(part, {})
                model = annotation
            else:
                raise InputError(f"{part!r} is a value, not a section", source, key)


def _unknown_key_message(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r}{hint} (valid: {', '.join(valid)})"


def _field_info(loc: tuple[Any, ...]) -> Any:
    model: Any = Scenario
    info = None
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return info
        info = fields[part]
        model = info.annotation
    return info


def scenario_value(scenario: Scenario, key: str) -> Any:
    """Read a dotted key from a scenario, e.g. ``dynamics.exit_base``.

    Raises:
        AttributeError: If the key names no setting.
    """
    node: Any = scenario
    for part in key.split("."):
        node = getattr(node, part)
    return node


def field_bounds(key: str) -> tuple[float, float]:
    """The range the schema allows for a dotted key (``ge``/``gt`` to ``le``/``lt``).

    Args:
        key: A dotted scenario key, for example ``dynamics.exit_base``.

    Returns:
        The lowest and highest allowed value; infinite where the schema sets no bound.
    """
    info = _field_info(tuple(key.split(".")))
    low, high = -math.inf, math.inf
    for meta in info.metadata if info is not None else ():
        for attr in ("ge", "gt"):
            if getattr(meta, attr, None) is not None:
                low = max(low, float(getattr(meta, attr)))
        for attr in ("le", "lt"):
            if getattr(meta, attr, None) is not None:
                high = min(high, float(getattr(meta, attr)))
    return low, high


def _allowed(loc: tuple[Any, ...]) -> str:
    info = _field_info(loc)
    if info is None:
        return ""
    bounds = []
    for meta in info.metadata:
        for attr, symbol in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(meta, attr, None) is not None:
                bounds.append(f"{symbol} {getattr(meta, attr)}")
    return f" (allowed: {' and '.join(bounds)})" if bounds else ""


def _format_error(error: dict[str, Any], source: str) -> InputError:
    loc = tuple(error["loc"])
    field = ".".join(str(part) for part in loc)
    if error["type"] == "shares_sum":
        # Several fields together are at fault; the message names them all.
        return InputError(str(error["msg"]), source, field)
    if error["type"] == "extra_forbidden":
        parent = _field_info(loc[:-1])
        model = parent.annotation if parent is not None else Scenario
        valid = list(getattr(model, "model_fields", {}))
        return InputError(_unknown_key_message(str(loc[-1]), valid), source, field)
    value = error.get("input")
    text = str(error["msg"]).removeprefix("Value error, ")
    if loc == ("name",):
        # A file without a name takes its own, which the user may never have typed.
        return InputError(
            f"{text}; the name is {value!r} (a scenario without one takes its file's name)",
            source,
            field,
        )
    message = f"{text}, got {value!r}{_allowed(loc)}"
    return InputError(message, source, field)


def validate_scenario(data: dict[str, Any], source: str) -> Scenario:
    """Validate nested data into a Scenario, raising a one-line InputError.

    Args:
        data: Nested scenario data, for example from a TOML file.
        source: The file name (or other origin) used in error messages.

    Returns:
        The validated Scenario.

    Raises:
        InputError: On the first invalid field.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _format_error(exc.errors()[0], source) from None


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Merge ``update`` into a copy of ``base``, recursing into tables."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_toml_file(path: Path, source: str, empty: str) -> dict[str, Any]:
    """The tables of a TOML input file (a scenario or an experiment), not yet validated.

    Args:
        path: The file.
        source: How error messages name the file.
        empty: What to say if the file holds nothing.

    Returns:
        Its tables.

    Raises:
        InputError: If the file is missing, unreadable, not TOML or empty.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", source) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source) from None
    if not data:
        raise InputError(empty, source)
    return data


def read_scenario_data(
    path: Path,
    seen: tuple[Path, ...] = (),
    check: Callable[[dict[str, Any], str], Any] | None = None,
) -> dict[str, Any]:
    """Read a scenario file, resolving its ``extends`` chain.

    Args:
        path: The TOML file.
        seen: Files already on the chain, to detect cycles.
        check: Validates the data merged so far at each file of the chain (raising
            InputError with the file as source), so that an error is blamed on the file
            that introduced it rather than on the file at the end of the chain.

    Returns:
        The merged, not yet validated, data.

    Raises:
        InputError: If a file is missing, unreadable, not TOML, or extends itself.
    """
    path = path.resolve()
    if path in seen:
        raise InputError("extends chain loops back to this file", str(path), "extends")
    data = read_toml_file(
        path,
        str(path),
        "the scenario file is empty; set at least one value, or start it with "
        'extends = "baseline.toml" to build on the baseline',
    )
    parent = data.pop("extends", None)
    if parent is None:
        if check is not None:
            check(data, str(path))
        return data
    if not isinstance(parent, str):
        raise InputError("must be a file name string", str(path), "extends")
    parent_path = path.parent / parent
    if not parent_path.is_file():
        raise InputError(f"no such file {str(parent_path)!r}", str(path), "extends")
    base = read_scenario_data(parent_path, (*seen, path), check)
    # A name belongs to one file: a child that sets none is named after itself.
    base.pop("name", None)
    merged = deep_merge(base, data)
    if check is not None:
        check(merged, str(path))
    return merged


def load_scenario(path: str | Path, **overrides: Any) -> Scenario:
    """Load and validate a scenario file.

    Args:
        path: A TOML scenario file.
        **overrides: Dotted overrides, written ``**{"population.youths": 2000}`` or
            ``population__youths=2000``.

    Returns:
        The validated Scenario. Its name defaults to the file's stem.

    Raises:
        InputError: If the file or an override is invalid.
    """
    path = Path(path)
    data = read_scenario_data(path, check=validate_scenario)
    data.setdefault("name", path.stem)
    scenario = validate_scenario(data, str(path))
    # Override errors name the override, not the file, which is valid by now.
    return scenario.with_overrides(overrides, "override") if overrides else scenario
