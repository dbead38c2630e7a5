"""Health economics for hikisim: incremental analysis, discounting, QALYs and VOI.

One concern per module:

* :mod:`~hikisim.economics.incremental`: dominance, extended dominance and ICERs.
* :mod:`~hikisim.economics.decision`: net monetary benefit, CEAC, CEAF and EVPI.
* :mod:`~hikisim.economics.evppi`: EVPPI by nonparametric regression.
* :mod:`~hikisim.economics.noise`: parameter variance apart from Monte Carlo noise.
* :mod:`~hikisim.economics.discounting`: weekly discount factors and present values.
* :mod:`~hikisim.economics.qaly`: utilities per state and QALYs from person-weeks.
* :mod:`~hikisim.economics.parameters`: sourced parameters and PSA distributions
  from ``hikisim/data/economics.toml``.

All functions are pure: arrays and dicts in, numbers and DataFrames out.
"""

from hikisim.economics.decision import (
    ceac,
    ceaf,
    evpi,
    evpi_curve,
    net_monetary_benefit,
)
from hikisim.economics.discounting import (
    DEFAULT_ANNUAL_RATE,
    annuity_factor,
    discount_factors,
    discounted_sum,
)
from hikisim.economics.evppi import evppi
from hikisim.economics.incremental import STATUSES, incremental_analysis
from hikisim.economics.noise import variance_partition
from hikisim.economics.parameters import (
    EconomicParameters,
    Parameter,
    beta_from_mean_se,
    gamma_from_mean_se,
    load_economics,
    lognormal_from_mean_se,
)
from hikisim.economics.qaly import (
    STATE_CATEGORY,
    UTILITY_CATEGORIES,
    person_weeks_by_state,
    qalys,
    weekly_qalys,
)

__all__ = [
    "DEFAULT_ANNUAL_RATE",
    "STATE_CATEGORY",
    "STATUSES",
    "UTILITY_CATEGORIES",
    "EconomicParameters",
    "Parameter",
    "annuity_factor",
    "beta_from_mean_se",
    "ceac",
    "ceaf",
    "discount_factors",
    "discounted_sum",
    "evpi",
    "evpi_curve",
    "evppi",
    "gamma_from_mean_se",
    "incremental_analysis",
    "load_economics",
    "lognormal_from_mean_se",
    "net_monetary_benefit",
    "person_weeks_by_state",
    "qalys",
    "variance_partition",
    "weekly_qalys",
]
