"""Parents: every person's mother and father, their ages and whether they are alive.

Japan's policy debate about older cases is framed as the "8050 problem": parents in
their 80s supporting withdrawn children in their 50s. To speak to it the model gives
each person two parents, fixed for life by four numbers per seat:

- the mother's age at the person's birth, drawn around the mean for the person's birth
  year (data), and the father's, the mother's plus a gap drawn around its mean (data);
- each parent's age at death, drawn once from a period life table (data), conditional on
  the parent being alive at the birth.

A parent's age is then the person's age plus the parent's age at the birth, and the
parent is alive while that is below the age at death; nothing needs updating week by
week. Parents are kept per person rather than per family because a seat's family index
outlives its occupants: when a 64-year-old leaves, the 10-year-old who takes the seat is
born into the same family index but, 55 years later, to other parents. Siblings placed
together at the start share their parents (the same birth dates and deaths), unless the
ages the model gave them would make the mother younger than 15 or older than 49 at one
of the births, in which case the sibling gets parents of its own.

Nothing in the model reads the parents but the survey measures: no hazard depends on
them. Their random numbers come from a stream of their own (``"parents"``, the last of
:data:`~hikisim.streams.MECHANISMS`), so adding parents, or changing their settings,
changes no other output of a run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final, NamedTuple

import numba
import numpy as np

from hikisim.datafile import read_data_file
from hikisim.drivers import Driver, read_series
from hikisim.errors import InputError
from hikisim.population import Youths
from hikisim.scenario import ParentsSettings
from hikisim.states import WEEKS_PER_YEAR

__all__ = [
    "FATHER_AGE_RANGE",
    "MOTHER_AGE_RANGE",
    "Newcomers",
    "ParentData",
    "Parents",
    "SurvivalCurve",
    "build_parents",
    "default_path",
    "load_parent_data",
    "renew_parents",
    "renew_parents_of",
]

#: Mothers' ages at a birth are kept within the ages over which MHLW counts births
#: (its fertility rates fold births below 15 and above 49 into those ages).
MOTHER_AGE_RANGE: Final = (15.0, 49.0)
#: Fathers' ages at a birth: at least 15, as mothers; the upper bound is an assumption
#: that only trims the far tail of mother's age plus gap.
FATHER_AGE_RANGE: Final = (15.0, 70.0)
_SERIES: Final = ("mother_age_at_birth", "father_minus_mother_age")
_SEXES: Final = ("male", "female")


@dataclass(frozen=True, eq=False)
class SurvivalCurve:
    """Survival by age for one sex, through a few points of a period life table.

    Between the points the log of the cumulative hazard ``H(x) = -ln S(x)`` is linear in
    age, so the hazard grows exponentially as in Gompertz's law, with a rate of its own
    in each interval; below the first point and above the last it carries on at the rate
    of the nearest interval. Through the MHLW 2005 points this puts the hazard's growth at
    about 9% a year of age from 65 to 80, as Gompertz fits to adult mortality find.

    Attributes:
        ages: Ages of the points, strictly increasing (years).
        log_hazard: ``ln H`` at those ages, strictly increasing.
        source: Where the points come from.
    """

    ages: np.ndarray
    log_hazard: np.ndarray
    source: str

    def cumulative_hazard(self, age: np.ndarray | float) -> np.ndarray:
        """``H(age) = -ln S(age)``."""
        return np.exp(_linear(np.asarray(age, dtype=np.float64), self.ages, self.log_hazard))

    def survival(self, age: np.ndarray | float) -> np.ndarray:
        """``S(age)``: the share of births alive at ``age``."""
        return np.exp(-self.cumulative_hazard(age))

    def death_ages(self, alive_at: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """Ages at death of people alive at ``alive_at``, by inverting the survival curve.

        A person alive at age ``a`` dies at the age ``d`` with ``S(d) / S(a) = u``, that
        is ``H(d) = H(a) - ln u``, for a uniform ``u`` in (0, 1].

        Args:
            alive_at: Age at which each person is known to be alive.
            uniforms: One uniform in (0, 1] per person.

        Returns:
            Ages at death, each at least ``alive_at``.
        """
        target = self.cumulative_hazard(alive_at) - np.log(uniforms)
        return np.maximum(_linear(np.log(target), self.log_hazard, self.ages), alive_at)


def _linear(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """Piecewise-linear interpolation, extended beyond the ends along the end segments."""
    inside = np.interp(x, xp, fp)
    low_slope = (fp[1] - fp[0]) / (xp[1] - xp[0])
    high_slope = (fp[-1] - fp[-2]) / (xp[-1] - xp[-2])
    below = fp[0] + (x - xp[0]) * low_slope
    above = fp[-1] + (x - xp[-1]) * high_slope
    return np.where(x < xp[0], below, np.where(x > xp[-1], above, inside))


@dataclass(frozen=True, eq=False)
class ParentData:
    """The data parents are drawn from (``hikisim/data/parents.toml``).

    Attributes:
        mother_age: Mean age of mothers at a birth, by the calendar year of the birth.
        father_gap: Mean age of fathers minus that of mothers, by the year of the birth.
        mother_survival: Women's survival by age.
        father_survival: Men's survival by age.
    """

    mother_age: Driver
    father_gap: Driver
    mother_survival: SurvivalCurve
    father_survival: SurvivalCurve


def default_path() -> Path:
    """The parents' data file packaged with hikisim."""
    return Path(str(resources.files("hikisim") / "data" / "parents.toml"))


def load_parent_data(path: Path | None = None) -> ParentData:
    """Read and check the parents' data file.

    Args:
        path: The TOML file; the packaged one by default.

    Returns:
        The data.

    Raises:
        InputError: If the file cannot be read or a table or field is missing or
            malformed; the message names the file and the field.
    """
    path = Path(path) if path is not None else default_path()
    data = read_data_file(path, "parents")
    for name in (*_SERIES, "survival"):
        if name not in data:
            raise InputError("is missing", str(path), name)
    series = {name: read_series(name, data[name], str(path)) for name in _SERIES}
    survival = data["survival"]
    curves = {
        sex: _survival_curve(survival.get(sex), f"survival.{sex}", str(path)) for sex in _SEXES
    }
    return ParentData(
        mother_age=series["mother_age_at_birth"],
        father_gap=series["father_minus_mother_age"],
        mother_survival=curves["female"],
        father_survival=curves["male"],
    )


def _survival_curve(table: Any, key: str, source: str) -> SurvivalCurve:
    """Build one sex's survival curve from its TOML table, checking every field."""
    if not isinstance(table, dict):
        raise InputError("must be a table with source, ages and survivors", source, key)
    if not isinstance(table.get("source"), str) or not table["source"].strip():
        raise InputError("must be a non-empty string", source, f"{key}.source")
    arrays = {}
    for field in ("ages", "survivors"):
        raw = table.get(field)
        if not isinstance(raw, list) or len(raw) < 2:
            raise InputError("must be a list of at least two numbers", source, f"{key}.{field}")
        if any(isinstance(item, bool) or not isinstance(item, int | float) for item in raw):
            raise InputError("must hold numbers only", source, f"{key}.{field}")
        arrays[field] = np.array(raw, dtype=np.float64)
    ages, survivors = arrays["ages"], arrays["survivors"]
    if ages.size != survivors.size:
        raise InputError("must have one entry per age", source, f"{key}.survivors")
    if np.any(np.diff(ages) <= 0):
        raise InputError("must be strictly increasing", source, f"{key}.ages")
    if np.any(survivors <= 0) or np.any(survivors >= 1) or np.any(np.diff(survivors) >= 0):
        raise InputError(
            "must lie strictly between 0 and 1 and fall with age", source, f"{key}.survivors"
        )
    log_hazard = np.log(-np.log(survivors))
    for array in (ages, log_hazard):
        array.setflags(write=False)
    return SurvivalCurve(ages=ages, log_hazard=log_hazard, source=table["source"])


@dataclass
class Parents:
    """Every person's parents, one entry per seat (see the module docstring).

    Attributes:
        person_id: The person whose parents each seat holds (the seat's occupant when
            they were drawn); a seat whose occupant has changed needs new parents.
        mother_age_at_birth: The mother's age at the person's birth (years).
        father_age_at_birth: The father's age at the person's birth (years).
        mother_death_age: The mother's age at death (years).
        father_death_age: The father's age at death (years).
    """

    person_id: np.ndarray
    mother_age_at_birth: np.ndarray
    father_age_at_birth: np.ndarray
    mother_death_age: np.ndarray
    father_death_age: np.ndarray

    def __len__(self) -> int:
        return len(self.person_id)

    def oldest_living_age(self, age_years: np.ndarray) -> np.ndarray:
        """The age of each person's oldest living parent (NaN if both have died).

        Args:
            age_years: Each person's exact age in years.
        """
        return _oldest_living_age(
            np.asarray(age_years, dtype=np.float64),
            self.mother_age_at_birth,
            self.father_age_at_birth,
            self.mother_death_age,
            self.father_death_age,
        )


@numba.njit(cache=True)
def _oldest_living_age(
    age: np.ndarray,
    mother_at_birth: np.ndarray,
    father_at_birth: np.ndarray,
    mother_death: np.ndarray,
    father_death: np.ndarray,
) -> np.ndarray:
    """Each person's oldest living parent's age, in one pass (NaN if both have died).

    The same float64 sums and comparisons as numpy's ``np.fmax`` of the two parents'
    ages masked by ``age < death age`` (six temporary arrays at numpy's pace).
    """
    oldest = np.empty(len(age), np.float64)
    # Selects, not branches: whether a parent has died is a coin flip across people, so
    # a branch would be mispredicted often (and the loop would not vectorize).
    for seat in range(len(age)):
        mother = age[seat] + mother_at_birth[seat]
        father = age[seat] + father_at_birth[seat]
        mother_alive = mother < mother_death[seat]
        father_alive = father < father_death[seat]
        living_mother = mother if mother_alive else -np.inf
        living_father = father if father_alive else -np.inf
        older = max(living_mother, living_father)
        oldest[seat] = older if mother_alive | father_alive else np.nan
    return oldest


def build_parents(
    youths: Youths,
    year: float,
    settings: ParentsSettings,
    data: ParentData,
    rng: np.random.Generator,
) -> Parents:
    """Parents for everyone at the start of a run; siblings share theirs.

    The family's parents' ages are drawn for its average child (its mean birth year),
    and each sibling's parents' ages at its birth follow from the siblings' ages. A
    sibling for whom that leaves the mother's or father's age outside
    :data:`MOTHER_AGE_RANGE` or :data:`FATHER_AGE_RANGE` gets parents of its own.
    Shared parents are alive at the last shared birth.

    Args:
        youths: The population's people (family and age are read).
        year: The calendar year (fractional) at the start of the run.
        settings: The scenario's parents settings.
        data: The parents' data.
        rng: The parents' stream.

    Returns:
        The parents.
    """
    family = youths.family
    age = youths.age_weeks / WEEKS_PER_YEAR
    first = np.flatnonzero(np.r_[True, family[1:] != family[:-1]])
    # Families are contiguous runs of seats (population.build_population lays them out so).
    sizes = np.diff(np.r_[first, len(family)])
    younger_by = age[np.repeat(first, sizes)] - age
    # The draw is for the family's average child, so that over everyone the mothers' ages
    # at birth keep the data's all-birth-order mean; each sibling is then older or younger.
    mean_younger_by = np.bincount(family, younger_by) / sizes
    mean_age = np.bincount(family, age) / sizes
    family_draws = _Draws.take(rng, len(first))
    mother_family, father_family = _birth_ages(year - mean_age, settings, data, family_draws)
    mother = (mother_family - mean_younger_by)[family] + younger_by
    father = (father_family - mean_younger_by)[family] + younger_by
    shares = _within(mother, MOTHER_AGE_RANGE) & _within(father, FATHER_AGE_RANGE)
    # Shared parents must be alive at every shared birth: condition on the last one.
    last_mother = np.full(len(first), -math.inf)
    last_father = np.full(len(first), -math.inf)
    np.maximum.at(last_mother, family[shares], mother[shares])
    np.maximum.at(last_father, family[shares], father[shares])
    mother_death = data.mother_survival.death_ages(last_mother, family_draws.mother_uniform)
    father_death = data.father_survival.death_ages(last_father, family_draws.father_uniform)
    parents = Parents(
        person_id=youths.person_id.copy(),
        mother_age_at_birth=mother.astype(np.float32),
        father_age_at_birth=father.astype(np.float32),
        mother_death_age=mother_death[family].astype(np.float32),
        father_death_age=father_death[family].astype(np.float32),
    )
    own = np.flatnonzero(~shares)
    if len(own):
        _draw_into(parents, own, year - age[own], settings, data, _Draws.take(rng, len(own)))
    return parents


class Newcomers(NamedTuple):
    """People who took seats in one week, waiting for their parents.

    Attributes:
        seats: The seats that may have a new occupant (ascending).
        birth_year: Each one's calendar birth year (fractional), from the week they came.
    """

    seats: np.ndarray
    birth_year: np.ndarray


class _Draws(NamedTuple):
    """The parents' stream's draws for some people, in the order the stream gives them.

    Attributes:
        mother_normal: Standard normals for the mothers' ages at the birth.
        gap_normal: Standard normals for the fathers' age gaps.
        mother_uniform: Uniforms in (0, 1] for the mothers' ages at death.
        father_uniform: Uniforms in (0, 1] for the fathers' ages at death.
    """

    mother_normal: np.ndarray
    gap_normal: np.ndarray
    mother_uniform: np.ndarray
    father_uniform: np.ndarray

    @classmethod
    def take(cls, rng: np.random.Generator, n: int) -> _Draws:
        """Two standard normals and two uniforms in (0, 1] each for ``n`` people."""
        return cls(
            rng.standard_normal(n), rng.standard_normal(n), 1.0 - rng.random(n), 1.0 - rng.random(n)
        )


def renew_parents(
    parents: Parents,
    youths: Youths,
    year: float,
    settings: ParentsSettings,
    data: ParentData,
    rng: np.random.Generator,
    candidates: np.ndarray | None = None,
) -> None:
    """Draw parents for the people who took a seat since the last call (turnover).

    Args:
        parents: The parents, updated in place.
        youths: The population's people (person_id and age are read).
        year: The calendar year (fractional) now.
        settings: The scenario's parents settings.
        data: The parents' data.
        rng: The parents' stream.
        candidates: The only seats that can have a new occupant (ascending, each once),
            if the caller knows them (the kernel's turnover since the last call,
            ``Kernel.take_newcomers``); None checks every seat.
    """
    if candidates is None:
        candidates = np.flatnonzero(youths.person_id != parents.person_id)
    birth_year = year - youths.age_weeks[candidates] / WEEKS_PER_YEAR
    renew_parents_of(parents, youths, [Newcomers(candidates, birth_year)], settings, data, rng)


def renew_parents_of(
    parents: Parents,
    youths: Youths,
    batches: Sequence[Newcomers],
    settings: ParentsSettings,
    data: ParentData,
    rng: np.random.Generator,
) -> None:
    """Draw parents for weeks of newcomers at once, as one call per week would have.

    The stream gives each week's newcomers their draws in turn, in the order of the
    weeks, exactly as :func:`renew_parents` called week by week would. All else is
    element by element, so it runs once over every batch: a handful of people a week
    cost a few dozen numpy calls each week otherwise.

    Args:
        parents: The parents, updated in place.
        youths: The population's people (person_id is read). The batches must be recent
            enough that no seat has changed occupant since (a seat is held for decades).
        batches: The weeks' newcomers, oldest first; no seat in two of them.
        settings: The scenario's parents settings.
        data: The parents' data.
        rng: The parents' stream.

    Raises:
        ValueError: If a seat is in two batches: its occupant changed twice, and the
            first one's parents can no longer be drawn.
    """
    if not batches:
        return
    candidates = np.concatenate([batch.seats for batch in batches])
    if len(np.unique(candidates)) < len(candidates):
        raise ValueError("a seat took two newcomers among the batches; draw them sooner")
    birth_year = np.concatenate([batch.birth_year for batch in batches])
    new = youths.person_id[candidates] != parents.person_id[candidates]
    week_of = np.repeat(np.arange(len(batches)), [len(batch.seats) for batch in batches])
    counts = np.bincount(week_of[new], minlength=len(batches))
    taken = [_Draws.take(rng, int(count)) for count in counts if count]
    if not taken:
        return
    draws = _Draws(*(np.concatenate(field) for field in zip(*taken, strict=True)))
    seats = candidates[new]
    _draw_into(parents, seats, birth_year[new], settings, data, draws)
    parents.person_id[seats] = youths.person_id[seats]


def _draw_into(
    parents: Parents,
    seats: np.ndarray,
    birth_year: np.ndarray,
    settings: ParentsSettings,
    data: ParentData,
    draws: _Draws,
) -> None:
    """Fresh parents for the people at ``seats`` (at least one), born in ``birth_year``."""
    mother, father = _birth_ages(birth_year, settings, data, draws)
    parents.mother_age_at_birth[seats] = mother
    parents.father_age_at_birth[seats] = father
    parents.mother_death_age[seats] = data.mother_survival.death_ages(mother, draws.mother_uniform)
    parents.father_death_age[seats] = data.father_survival.death_ages(father, draws.father_uniform)


def _birth_ages(
    birth_year: np.ndarray, settings: ParentsSettings, data: ParentData, draws: _Draws
) -> tuple[np.ndarray, np.ndarray]:
    """Mothers' and fathers' ages at births in the given calendar years.

    ``mother = clip(m(year) + shift + sd_m * z1, 15, 49)`` and
    ``father = clip(mother + g(year) + sd_g * z2, 15, 70)``, with ``m`` and ``g`` the
    data series and ``z1``, ``z2`` standard normal.
    """
    years = np.asarray(birth_year, dtype=np.float64)
    mean = data.mother_age.on_weeks(years) + settings.mother_age_shift
    mother = np.clip(mean + settings.mother_age_sd * draws.mother_normal, *MOTHER_AGE_RANGE)
    gap = data.father_gap.on_weeks(years) + settings.father_gap_sd * draws.gap_normal
    father = np.clip(mother + gap, *FATHER_AGE_RANGE)
    return mother, father


def _within(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])
