"""The PSA's expected values, and how far its few draws pin down the EVPI.

A model that is not linear in its parameters gives, at the parameters' point values, a
different cost and QALY total from the mean over the PSA's draws; the decision rests
on the means (Briggs, Weinstein, Fenwick et al. 2012, "Model parameter estimation and
uncertainty analysis", ISPOR-SMDM Task Force 6, Med Decis Making 32(5):722-732). The
report shows them beside the deterministic results.

An EVPI from a few dozen draws is itself uncertain. A bootstrap over the draws (each
draw resampled whole, its strategies together) gives an interval for it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hikisim.economics import evpi

TAIL = (0.025, 0.975)
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
    means["inmb_low"] = incremental.quantile(TAIL[0])
    means["inmb_high"] = incremental.quantile(TAIL[1])
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
    low, high = np.quantile(values, TAIL)
    return float(low), float(high)
