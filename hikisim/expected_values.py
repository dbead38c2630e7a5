"""The PSA's expected values, and how far its few draws pin down the EVPI.

The runs at the parameters' point values give other costs and QALYs than the mean
over the PSA's draws: the point values of the calibrated parameters are the posterior
draw nearest its median, the distributions are skewed, the model is not linear in its
parameters, and each draw's runs carry Monte Carlo noise. The decision rests on the
means (Briggs, Weinstein, Fenwick et al. 2012, "Model parameter estimation and
uncertainty analysis", ISPOR-SMDM Task Force 6, Med Decis Making 32(5):722-732). The
report shows them beside the deterministic results.

An EVPI from a few dozen draws is itself uncertain. A percentile bootstrap over the
draws (each draw resampled whole, its strategies together) shows how far it moves. It
leaves out the upward bias that Monte Carlo noise in each draw's NMB gives a statistic
built on a maximum: more runs per draw remove that, not more draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hikisim.economics import evpi
from hikisim.intervals import TAILS

BOOTSTRAP_RESAMPLES = 1000
# A fixed seed: the interval is part of a report that must come out the same each time.
BOOTSTRAP_SEED = 0x45565049  # "EVPI"


def expected_values(draws: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Each scenario's mean cost, QALYs and NMB over the draws, and its incremental NMB.

    Args:
        draws: One row per draw and scenario, with ``draw``, ``scenario``, ``cost``,
            ``qalys`` and ``nmb`` (:attr:`hikisim.psa_analysis.PsaResults.draws`).
        names: The scenarios in the report's order, the comparator first.

    Returns:
        Indexed by scenario in that order: ``cost``, ``qalys`` and ``nmb`` (means over
        the draws), ``inmb`` (the mean NMB less the comparator's), and ``inmb_low`` and
        ``inmb_high``, the 2.5th and 97.5th percentiles of the incremental NMB over the
        draws (each draw's scenario against the same draw's comparator).
    """
    means = draws.groupby("scenario")[["cost", "qalys", "nmb"]].mean().loc[list(names)]
    nmb = draws.pivot(index="draw", columns="scenario", values="nmb")[list(names)]
    incremental = nmb.sub(nmb[names[0]], axis=0)
    means["inmb"] = incremental.mean()
    means["inmb_low"] = incremental.quantile(TAILS[0])
    means["inmb_high"] = incremental.quantile(TAILS[1])
    return means


def evpi_interval(
    draws: pd.DataFrame, names: Sequence[str], wtp: float, resamples: int = BOOTSTRAP_RESAMPLES
) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of the EVPI over bootstrap resamples of the draws.

    Args:
        draws: One row per draw and scenario, with ``draw``, ``scenario``, ``cost`` and
            ``qalys``.
        names: The scenarios.
        wtp: Willingness to pay per QALY.
        resamples: Bootstrap resamples.

    Returns:
        The interval's ends, in the draws' cost units.
    """
    costs = draws.pivot(index="draw", columns="scenario", values="cost")[list(names)]
    effects = draws.pivot(index="draw", columns="scenario", values="qalys")[list(names)]
    costs, effects = costs.to_numpy(), effects.to_numpy()
    rows = np.random.default_rng(BOOTSTRAP_SEED).integers(
        0, len(costs), size=(resamples, len(costs))
    )
    values = [evpi(costs[picked], effects[picked], wtp) for picked in rows]
    low, high = np.quantile(values, TAILS)
    return float(low), float(high)
