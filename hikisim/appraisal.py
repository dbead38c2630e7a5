"""Cost-effectiveness of compared scenarios: the incremental analysis ``compare`` reports.

Each replicate's weekly series become a discounted cost and discounted QALYs
(:mod:`hikisim.economics.outcomes`). Per scenario, the means over replicates go into a
fully incremental analysis (dominance, extended dominance, ICERs against the previous
efficient strategy), and the incremental net monetary benefit against the first
scenario is taken replicate by replicate (common random numbers), with its 95% interval.

Without ``--psa`` the intervals are Monte Carlo noise only: they say how precisely the
replicates pin down each mean, not how uncertain the parameters are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from hikisim.economics.discounting import SENSITIVITY_RATES
from hikisim.economics.incremental import incremental_analysis
from hikisim.economics.outcomes import (
    QALY_SOURCES,
    AppraisalSettings,
    qaly_sources,
    run_economics,
)
from hikisim.economics.parameters import EconomicParameters
from hikisim.fonts import with_japanese_fallback
from hikisim.intervals import mean_interval


def economics_frame(
    runs: Sequence[tuple[str, int, Mapping[str, ArrayLike]]],
    settings: AppraisalSettings,
    params: EconomicParameters,
) -> pd.DataFrame:
    """One row per run: its discounted cost and QALYs.

    Args:
        runs: (scenario, replicate, weekly series) of every run.
        settings: Discount rate and perspective.
        params: Utilities and unit values.

    Returns:
        Columns ``scenario``, ``replicate``, ``cost``, ``qalys``, ``programme_cost``,
        ``care_cost`` (usual care) and ``productivity_loss``.
    """
    rows = []
    for scenario, replicate, weekly in runs:
        outcome = run_economics(weekly, settings, params)
        rows.append(
            {
                "scenario": scenario,
                "replicate": replicate,
                "cost": outcome.cost,
                "qalys": outcome.qalys,
                "programme_cost": outcome.programme_cost,
                "care_cost": outcome.care_cost,
                "productivity_loss": outcome.productivity_loss,
            }
        )
    return pd.DataFrame(rows)


#: Column headings of the QALY sources in ``report.md``.
QALY_SOURCE_LABELS = {
    "at_risk": "weeks at risk",
    "withdrawn_quasi": "weeks quasi-withdrawn",
    "withdrawn_narrow": "weeks narrowly withdrawn",
    "recovering": "weeks recovering",
    "disorders": "disorders",
}


def qaly_gains(
    runs: Sequence[tuple[str, int, Mapping[str, ArrayLike]]],
    settings: AppraisalSettings,
    params: EconomicParameters,
) -> pd.DataFrame:
    """Where each scenario's QALYs differ from the first one's, source by source.

    Each run's QALYs lost against everyone engaged are split by source
    (:func:`~hikisim.economics.outcomes.qaly_sources`, each part 0 or less); a
    scenario's gain from a source is its part less the first scenario's, replicate by
    replicate (common random numbers), averaged over the replicates. The sources add up
    to the QALY difference.

    Args:
        runs: (scenario, replicate, weekly series) of every run, the first scenario's
            among them.
        settings: The discount rate.
        params: Utilities, decrements and active shares.

    Returns:
        One row per scenario after the first: ``scenario``, one column per source in
        :data:`~hikisim.economics.outcomes.QALY_SOURCES` and ``total`` (discounted QALYs
        gained; negative for a loss).
    """
    rows = [
        {"scenario": scenario, "replicate": replicate} | qaly_sources(weekly, settings, params)
        for scenario, replicate, weekly in runs
    ]
    frame = pd.DataFrame(rows)
    order = list(dict.fromkeys(frame["scenario"]))
    by_run = frame.set_index(["scenario", "replicate"])[list(QALY_SOURCES)]
    comparator = by_run.loc[order[0]]
    gains = []
    for scenario in order[1:]:
        difference = (by_run.loc[scenario] - comparator).dropna()
        gains.append(
            {"scenario": scenario}
            | difference.mean().to_dict()
            | {"total": float(difference.sum(axis=1).mean())}
        )
    return pd.DataFrame(gains, columns=["scenario", *QALY_SOURCES, "total"])


def qaly_gains_markdown(gains: pd.DataFrame) -> str:
    """The QALY gains by source as a Markdown table (one decimal place)."""
    headings = [QALY_SOURCE_LABELS[name] for name in QALY_SOURCES]
    lines = [
        "| scenario | " + " | ".join(headings) + " | total |",
        "|---|" + "---|" * (len(headings) + 1),
    ]
    for row in gains.itertuples(index=False):
        values = [getattr(row, name) for name in (*QALY_SOURCES, "total")]
        lines.append(f"| {row.scenario} | " + " | ".join(f"{v:,.1f}" for v in values) + " |")
    return "\n".join(lines) + "\n"


def appraisal_table(economics: pd.DataFrame, settings: AppraisalSettings) -> pd.DataFrame:
    """Per scenario: mean cost and QALYs, incremental status and ICER, and iNMB.

    Args:
        economics: :func:`economics_frame` output; the first scenario is the comparator
            for the incremental net monetary benefit.
        settings: The willingness to pay.

    Returns:
        One row per scenario, in frontier order (cost ascending), with ``scenario``,
        ``cost_mean`` (+ ``_low``/``_high``), ``qaly_mean`` (+ ``_low``/``_high``), ``status``,
        ``icer``, ``inmb`` (+ interval) and ``incremental_qalys`` and ``incremental_cost``
        against the first scenario.
    """
    order = list(dict.fromkeys(economics["scenario"]))
    per = {name: economics[economics["scenario"] == name].set_index("replicate") for name in order}
    reference = per[order[0]]
    rows: list[dict[str, Any]] = []
    for name in order:
        own = per[name].loc[reference.index]
        row: dict[str, Any] = {"scenario": name}
        for column, values in (("cost", own["cost"]), ("qaly", own["qalys"])):
            row[f"{column}_mean"], row[f"{column}_mean_low"], row[f"{column}_mean_high"] = (
                mean_interval(values.to_numpy(dtype=float), floor=0.0)
            )
        delta_qalys = (own["qalys"] - reference["qalys"]).to_numpy(dtype=float)
        delta_cost = (own["cost"] - reference["cost"]).to_numpy(dtype=float)
        row["incremental_qalys"] = float(delta_qalys.mean())
        row["incremental_cost"] = float(delta_cost.mean())
        row["inmb"], row["inmb_low"], row["inmb_high"] = mean_interval(
            settings.wtp * delta_qalys - delta_cost
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    frontier = incremental_analysis(table["scenario"], table["cost_mean"], table["qaly_mean"])
    frontier = frontier.rename(columns={"strategy": "scenario"})[["scenario", "status", "icer"]]
    merged = frontier.merge(table, on="scenario", how="left")
    leading = ["scenario", "cost_mean", "qaly_mean", "status", "icer", "inmb"]
    return merged[leading + [c for c in merged.columns if c not in leading]]


def _money(value: float, scale: float = 1e-6, digits: int = 1) -> str:
    return "n/a" if not np.isfinite(value) else f"{value * scale:,.{digits}f}"


def incremental_markdown(table: pd.DataFrame, settings: AppraisalSettings, comparator: str) -> str:
    """The incremental analysis as a Markdown table, strategies in frontier order.

    Args:
        table: :func:`appraisal_table` output.
        settings: The willingness to pay, for the heading.
        comparator: The scenario the iNMB is measured against.

    Returns:
        The table.
    """
    lines = [
        "| scenario | cost (M yen) | QALYs | status | ICER (M yen per QALY) "
        f"| iNMB vs {comparator} at {settings.wtp / 1e6:g} M yen/QALY (M yen) |",
        "|---|---|---|---|---|---|",
    ]
    for _, row in table.iterrows():
        inmb = _money(row["inmb"])
        if np.isfinite(row["inmb_low"]):
            inmb += f" ({_money(row['inmb_low'])} to {_money(row['inmb_high'])})"
        lines.append(
            f"| {row['scenario']} | {_money(row['cost_mean'])} | {row['qaly_mean']:,.1f} "
            f"| {row['status']} | {_money(row['icer'], digits=2)} | {inmb} |"
        )
    return "\n".join(lines) + "\n"


def discount_sensitivity(
    runs: Sequence[tuple[str, int, Mapping[str, ArrayLike]]],
    settings: AppraisalSettings,
    params: EconomicParameters,
    rates: Sequence[float] = SENSITIVITY_RATES,
) -> pd.DataFrame:
    """The incremental analysis again at other discount rates (one-way sensitivity).

    Japan's guideline discounts at 2% and varies the rate from 0% to 4%
    (``discounting.rate_low`` and ``rate_high`` in economics.toml).

    Args:
        runs: (scenario, replicate, weekly series) of every run.
        settings: The base case; only its discount rate is varied.
        params: Utilities and unit values.
        rates: The other rates; the base case's is added.

    Returns:
        One row per rate and scenario, rates ascending and scenarios in frontier order:
        ``discount_rate``, ``scenario``, ``cost_mean``, ``qaly_mean``, ``status``,
        ``icer``, ``incremental_cost``, ``incremental_qalys`` and ``inmb``.
    """
    frames = []
    for rate in sorted({*rates, settings.discount_rate}):
        varied = AppraisalSettings(rate, settings.perspective, settings.wtp)
        table = appraisal_table(economics_frame(runs, varied, params), varied)
        columns = ["scenario", "cost_mean", "qaly_mean", "status", "icer"]
        columns += ["incremental_cost", "incremental_qalys", "inmb"]
        frames.append(table[columns].assign(discount_rate=rate))
    frame = pd.concat(frames, ignore_index=True)
    return frame[["discount_rate", *(c for c in frame.columns if c != "discount_rate")]]


def discount_sensitivity_markdown(frame: pd.DataFrame, comparator: str) -> str:
    """:func:`discount_sensitivity` as a Markdown table: status, ICER and iNMB by rate.

    Args:
        frame: :func:`discount_sensitivity` output.
        comparator: The scenario the iNMB is measured against.

    Returns:
        The table.
    """
    lines = [
        f"| discount rate | scenario | status | ICER (M yen per QALY) | iNMB vs {comparator} "
        "(M yen) |",
        "|---|---|---|---|---|",
    ]
    for _, row in frame.iterrows():
        lines.append(
            f"| {row['discount_rate']:.0%} | {row['scenario']} | {row['status']} "
            f"| {_money(row['icer'], digits=2)} | {_money(row['inmb'])} |"
        )
    return "\n".join(lines) + "\n"


@with_japanese_fallback
def plot_ce_plane(economics: pd.DataFrame, table: pd.DataFrame, path: str) -> None:
    """Incremental cost against incremental QALYs, with the efficient frontier.

    Args:
        economics: :func:`economics_frame` output (replicate clouds).
        table: :func:`appraisal_table` output (means, statuses).
        path: Where to write the PNG.
    """
    order = list(dict.fromkeys(economics["scenario"]))
    reference = economics[economics["scenario"] == order[0]].set_index("replicate")
    fig = Figure(figsize=(8, 5.5))
    ax = fig.subplots()
    colours = dict(zip(order, _palette(len(order)), strict=True))
    for name in order:
        own = economics[economics["scenario"] == name].set_index("replicate").loc[reference.index]
        ax.scatter(
            own["qalys"] - reference["qalys"],
            (own["cost"] - reference["cost"]) / 1e6,
            s=14,
            alpha=0.35,
            color=colours[name],
        )
    for _, row in table.iterrows():
        ax.scatter(
            row["incremental_qalys"],
            row["incremental_cost"] / 1e6,
            s=90,
            color=colours[row["scenario"]],
            edgecolor="black",
            marker="o" if row["status"] in ("reference", "efficient") else "X",
            label=f"{row['scenario']} ({row['status']})",
            zorder=3,
        )
    efficient = table[table["status"].isin(["reference", "efficient"])]
    ax.plot(
        efficient["incremental_qalys"],
        efficient["incremental_cost"] / 1e6,
        color="black",
        linewidth=1.2,
        label="efficient frontier",
        zorder=2,
    )
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(f"QALYs gained vs {order[0]} (discounted)")
    ax.set_ylabel(f"extra cost vs {order[0]} (million yen, discounted)")
    ax.set_title("Cost-effectiveness plane (small: replicates, large: means)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def _palette(count: int) -> list[str]:
    # Okabe-Ito: colour-blind safe, and distinct on a projector.
    base = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"]
    return [base[i % len(base)] for i in range(count)]
