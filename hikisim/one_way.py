"""Deterministic one-way sensitivity of the economic parameters: the same runs revalued.

Utilities, disorder decrements, the shares of weeks a disorder is active, the prices of
usual care and of the programmes, and (in the societal perspective) productivity only
value what the runs recorded, so moving one of them needs no new run. Each is set in
turn to the 2.5th and 97.5th percentiles of its PSA distribution, the others staying at
their point values, and the incremental NMB of the base case's best alternative to the comparator is
recomputed, with the strategy of highest NMB at each end: whether the decision turns
on the parameter. A state drawn as a gap below a better one moves with its gap (its
2.5th percentile is the smaller gap, so the higher utility), and the states below it
keep theirs and move with it, as in the PSA, so the states stay in order.

Programme prices are moved the same way: a compare keeps each run's weekly programme
cost by unit price (``HikiModel.weekly_cost_parts``), and a price's part is scaled by
the 2.5th and 97.5th percentiles of its PSA distribution, which is relative to each
scenario's own price.

Parameters of the model itself (programme effects, half-lives, natural history) need
new runs: the PSA covers them, and a sweep (``hikisim sweep``) varies any of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hikisim.appraisal import economics_frame
from hikisim.economics.outcomes import COST_COLUMN, AppraisalSettings
from hikisim.economics.parameters import UNDRAWN, EconomicParameters
from hikisim.intervals import TAILS
from hikisim.psa import cost_priors

#: The sections whose parameters only value the runs, in the report's order.
VALUING_SECTIONS = ("utilities", "disorder_decrements", "disorder_active_shares", "care_costs")
SOCIETAL_SECTIONS = ("productivity",)
COLUMNS = (
    "parameter",
    "scale",
    "low_value",
    "high_value",
    "inmb_low",
    "inmb_high",
    "range",
    "best_low",
    "best_high",
)
REPORT_ROWS = 10


def values_at(params: EconomicParameters, name: str, probability: float) -> dict[str, float]:
    """Every value of ``name``'s section with ``name`` at a quantile, the others at theirs.

    Args:
        params: The economic parameters.
        name: A drawn parameter, ``section.key``.
        probability: The quantile's cumulative probability.

    Returns:
        ``section.key`` to value for the section's parameters drawn as values or gaps
        (derived ones follow in :meth:`EconomicParameters.with_values`).
    """
    section_name = name.split(".", 1)[0]
    quantities = {
        parameter.name: float(parameter.quantile(probability))
        if parameter.name == name
        else parameter.drawn_mean
        for parameter in params.section(section_name).values()
        if parameter.distribution not in UNDRAWN
    }
    return params.values_of(section_name, quantities)


def _nmb_by_scenario(
    runs: Sequence[tuple[str, int, Mapping[str, ArrayLike]]],
    settings: AppraisalSettings,
    params: EconomicParameters,
) -> pd.Series:
    """Each scenario's NMB at the willingness to pay: its means over the replicates."""
    frame = economics_frame(runs, settings, params)
    means = frame.groupby("scenario", sort=False)[["cost", "qalys"]].mean()
    return settings.wtp * means["qalys"] - means["cost"]


def economic_one_way(
    runs: Sequence[tuple[str, int, Mapping[str, ArrayLike]]],
    settings: AppraisalSettings,
    params: EconomicParameters,
    comparator: str,
) -> tuple[pd.DataFrame, str]:
    """Each valuing parameter at both ends: the best alternative's iNMB and the best buy.

    Args:
        runs: (scenario, replicate, weekly series) of every run.
        settings: Discount rate, perspective and willingness to pay.
        params: The economic parameters at their point values.
        comparator: The scenario the incremental NMB is taken against.

    Returns:
        The table (columns :data:`COLUMNS`, largest range first; empty with one
        scenario) and the strategy compared with the comparator (the base case's
        highest NMB among the others; "" with one scenario).
    """
    base = _nmb_by_scenario(runs, settings, params)
    others = base.drop(comparator)
    if others.empty:
        return pd.DataFrame(columns=list(COLUMNS)), ""
    strategy = str(others.idxmax())
    sections = VALUING_SECTIONS + (SOCIETAL_SECTIONS if settings.perspective == "societal" else ())
    ends: list[tuple[str, str, list[tuple[float, pd.Series]]]] = []
    for section in sections:
        for parameter in params.section(section).values():
            if parameter.distribution in UNDRAWN:
                continue
            at_ends = []
            for probability in TAILS:
                values = values_at(params, parameter.name, probability)
                nmb = _nmb_by_scenario(runs, settings, params.with_values(values))
                at_ends.append((values[parameter.name], nmb))
            ends.append((parameter.name, "value", at_ends))
    for key, factors in price_factors(params, runs).items():
        at_ends = [
            (factor, _nmb_by_scenario(at_price(runs, key, factor), settings, params))
            for factor in factors
        ]
        ends.append((key, "multiple of each scenario's price", at_ends))
    rows = [
        {
            "parameter": name,
            "scale": scale,
            "low_value": low_value,
            "high_value": high_value,
            "inmb_low": low[strategy] - low[comparator],
            "inmb_high": high[strategy] - high[comparator],
            "best_low": str(low.idxmax()),
            "best_high": str(high.idxmax()),
        }
        for name, scale, ((low_value, low), (high_value, high)) in ends
    ]
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "range"])
    table["range"] = (table["inmb_high"] - table["inmb_low"]).abs()
    table = table.sort_values("range", ascending=False, kind="stable", ignore_index=True)
    return table[list(COLUMNS)], strategy


def price_factors(
    params: EconomicParameters, runs: Sequence[tuple[str, int, Mapping[str, ArrayLike]]]
) -> dict[str, tuple[float, float]]:
    """The programme prices some run pays, each at the 2.5th and 97.5th percentiles.

    A price's PSA distribution is relative to each scenario's own price (a gamma with
    the relative SE of ``economics.toml``), so its percentiles are the same multiples of
    every scenario's price.

    Args:
        params: The economic parameters (``programme_costs``).
        runs: (scenario, replicate, weekly series) of every run; a run's programme cost
            by unit price is under the price's dotted scenario key.

    Returns:
        Price key to its two multiples, in the order of :func:`hikisim.psa.cost_priors`.
    """
    paid = {key for _, _, weekly in runs for key in weekly if key.startswith("interventions.")}
    factors = {}
    for prior in cost_priors(params):
        unit = prior.parameter(1.0)
        if prior.key in paid and unit is not None:
            low, high = (float(unit.quantile(probability)) for probability in TAILS)
            factors[prior.key] = (low, high)
    return factors


def at_price(
    runs: Sequence[tuple[str, int, Mapping[str, ArrayLike]]], key: str, factor: float
) -> list[tuple[str, int, Mapping[str, ArrayLike]]]:
    """The runs with one programme price multiplied by ``factor`` (their cost redone).

    Args:
        runs: (scenario, replicate, weekly series) of every run.
        key: The price's dotted scenario key, under which a run holds its weekly cost.
        factor: The multiple of the price.

    Returns:
        The runs, each weekly ``cost`` moved by what the price's part changes.
    """
    moved = []
    for scenario, replicate, weekly in runs:
        if key in weekly:
            part = np.asarray(weekly[key], dtype=float)
            cost = np.asarray(weekly[COST_COLUMN], dtype=float) + (factor - 1.0) * part
            weekly = {**weekly, COST_COLUMN: cost}
        moved.append((scenario, replicate, weekly))
    return moved


def _value(value: float, scale: str) -> str:
    # Multiples of a price as such, prices in whole yen, the rest to three figures.
    if scale != "value":
        return f"x{value:.2f}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def one_way_markdown(table: pd.DataFrame, strategy: str, comparator: str) -> str:
    """The widest rows of :func:`economic_one_way` as a Markdown table.

    Args:
        table: :func:`economic_one_way` output.
        strategy: The strategy compared.
        comparator: The comparator.

    Returns:
        The table, or "" when ``table`` is empty.
    """
    if table.empty:
        return ""
    lines = [
        f"| parameter | value at the 2.5th and 97.5th percentiles | iNMB of {strategy} vs "
        f"{comparator} (M yen) | best buy |",
        "|---|---|---|---|",
    ]
    for row in table.head(REPORT_ROWS).itertuples():
        best = (
            row.best_low if row.best_low == row.best_high else f"{row.best_low} / {row.best_high}"
        )
        lines.append(
            f"| `{row.parameter}` | {_value(row.low_value, row.scale)} to "
            f"{_value(row.high_value, row.scale)} "
            f"| {row.inmb_low / 1e6:,.1f} to {row.inmb_high / 1e6:,.1f} | {best} |"
        )
    return "\n".join(lines) + "\n"
