"""Integer codes for youth states, disorders, parenting styles and life-course tracks.

The weekly kernel stores these codes in small integer numpy arrays; the enums give
them readable names everywhere else.
"""

from enum import IntEnum


class State(IntEnum):
    """Withdrawal state of a youth."""

    ENGAGED = 0
    AT_RISK = 1
    WITHDRAWN = 2
    RECOVERING = 3


class Disorder(IntEnum):
    """Latent psychiatric disorder; any value but NONE makes an episode secondary."""

    NONE = 0
    SCHIZOPHRENIA = 1
    SOCIAL_ANXIETY = 2
    DEPRESSION = 3
    AUTISM_SPECTRUM = 4
    AVOIDANT_PERSONALITY = 5


class Parenting(IntEnum):
    """Family parenting style."""

    BALANCED = 0
    NEGLECT_REJECTION = 1
    OVERPROTECTION = 2


class Track(IntEnum):
    """Where a youth spends the week: the school-to-work transition."""

    SCHOOL = 0
    UNIVERSITY = 1
    WORK = 2
    NEITHER = 3
    RETIRED = 4


class Care(IntEnum):
    """The kind of treatment a youth is receiving."""

    NONE = 0
    CLINICAL = 1
    PSYCHOSOCIAL = 2


SURVEY_MIN_AGE = 15
# The v1 survey band, 15-39: SURVEY_MAX_AGE is its exclusive upper bound.
SURVEY_MAX_AGE = 40
MIN_AGE = 10
# The oldest age any scenario can hold (population.max_age is at most 64), exclusive.
MAX_AGE = 65
WEEKS_PER_YEAR = 52
HIKIKOMORI_MIN_WEEKS = 26
HIKIKOMORI_MAX_ONSET_AGE = 30
