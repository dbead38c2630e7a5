"""Comparing scenarios under common random numbers: replicates, intervals, cost-effectiveness.

Replicate *i* runs with the same seed in every scenario, and every mechanism draws from
its own stream, so the difference between two scenarios in one replicate is the effect
of what differs between them, not noise. Differences from the first scenario are taken
replicate by replicate (paired) before averaging.

A compare folder holds one compare's outputs: writing one removes the outputs an earlier
compare wrote there that this one does not write (the PSA tables, when this compare has
no ``--psa``), leaves files it did not write alone, and refuses to put a compare without
a PSA beside the runs of a PSA (``psa/``), which are costly and resumable.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from hikisim import stopping
from hikisim.appraisal import (
    appraisal_table,
    discount_sensitivity,
    discount_sensitivity_markdown,
    economics_frame,
    incremental_markdown,
    plot_ce_plane,
    qaly_gains,
    qaly_gains_markdown,
)
from hikisim.economics.outcomes import WEEKLY_INPUTS, AppraisalSettings
from hikisim.economics.parameters import EconomicParameters, load_economics
from hikisim.errors import InputError
from hikisim.fonts import with_japanese_fallback
from hikisim.intervals import mean_interval
from hikisim.metrics import summarize
from hikisim.model import (
    PROGRAMME_RUN_KEYS,
    HikiModel,
    all_share_burn_in,
    settings_beyond_programmes,
)
from hikisim.one_way import economic_one_way, one_way_markdown
from hikisim.output import atomic_directory, check_replaceable
from hikisim.psa import PsaStore
from hikisim.psa_analysis import PsaResults, plot_ceac, plot_tornado
from hikisim.scenario import Scenario, recorded_overrides
from hikisim.seeds import wrapped_seed
from hikisim.simulation import run_model, run_models_sharing_burn_in, settings_hash
from hikisim.source_hash import model_source_hash
from hikisim.states import WEEKS_PER_YEAR
from hikisim.sweeps.executors import Executor, make_executor, run_all
from hikisim.sweeps.storage import changed_fields

# The seed differs by design (``--seed`` sets it for all), and the delivery years belong
# to the programmes compared; everything else in ``run`` and ``population`` must match
# for replicates to be paired.
PAIRING_EXEMPT_RUN_KEYS = ("seed", *PROGRAMME_RUN_KEYS)
EFFECT_GONE_SUFFIX = "_effect_gone_week"
MEASURES = {
    "prevalence": "prevalence_15_39",
    "person_years": "person_years_withdrawn",
    "cases": "new_cases",
    "cost": "cost_total",
}
# Every file a compare writes into its folder, and which of them only with ``--psa``.
# Only these names are ever removed from a folder, so files a user keeps there are safe.
PSA_OUTPUTS = (
    "psa.parquet",
    "ceac.csv",
    "ceaf.csv",
    "ceac.png",
    "evpi.csv",
    "evppi.csv",
    "variance.csv",
    "tornado.csv",
    "tornado.png",
)
COMPARE_OUTPUTS = (
    "comparison.csv",
    "comparison.md",
    "runs.csv",
    "qaly_gains.csv",
    "discounting.csv",
    "one_way.csv",
    "comparison.json",
    "prevalence.png",
    "cost_effectiveness.png",
    "ce_plane.png",
    "report.md",
    *PSA_OUTPUTS,
)
# Written by every compare, so its presence says the folder holds an earlier compare.
PROVENANCE = "comparison.json"
REPORT = "report.md"


@dataclass
class RunResult:
    """The outcome of one replicate of one scenario."""

    scenario: str
    replicate: int
    seed: int
    summary: dict[str, Any]
    prevalence: np.ndarray
    weekly: dict[str, np.ndarray]


def run_replicate(job: tuple[Scenario, int, int]) -> RunResult:
    """Run one replicate (a top-level function so worker processes can receive it)."""
    scenario, replicate, seed = job
    return _result(run_model(scenario, seed), replicate, seed)


def run_replicate_sharing_burn_in(job: tuple[list[Scenario], int, int]) -> list[RunResult]:
    """Run one replicate of every scenario, simulating their common burn-in once."""
    scenarios, replicate, seed = job
    return [_result(m, replicate, seed) for m in run_models_sharing_burn_in(scenarios, seed)]


def _result(model: HikiModel, replicate: int, seed: int) -> RunResult:
    records = model.weekly_records
    series = np.array([record["prevalence_15_39"] for record in records])
    weekly = {name: np.array([record[name] for record in records]) for name in WEEKLY_INPUTS}
    # The programme cost by unit price too, so that a price can be moved alone (one_way).
    weekly |= {key: np.array(costs) for key, costs in model.weekly_cost_parts.items()}
    return RunResult(model.settings.name, replicate, seed, summarize(model), series, weekly)


def replicate_seeds(base_seed: int, replicates: int) -> list[int]:
    """Seeds of replicates 0..R-1, shared by every scenario (common random numbers).

    Replicate *i* uses ``base_seed + i``, wrapped into the allowed range 0..2**63-1, so
    every replicate can be reproduced on its own with ``hikisim run --seed``.
    """
    return [wrapped_seed(base_seed + replicate) for replicate in range(replicates)]


def check_names(scenarios: Sequence[Scenario]) -> None:
    """Refuse two scenarios with the same name; their rows could not be told apart."""
    names = [scenario.name for scenario in scenarios]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError(
            f"scenario names must differ, repeated: {', '.join(duplicates)}", "compare"
        )


def check_pairable(scenarios: Sequence[Scenario], sources: Sequence[str] | None = None) -> None:
    """Refuse scenarios whose runs could not be paired replicate by replicate.

    Common random numbers pair replicate *i* of every scenario only if they simulate the
    same population over the same calendar: a different population, burn-in or horizon
    makes the differences meaningless (a smaller town "averts" person-years at no cost).

    Args:
        scenarios: The scenarios, the reference first.
        sources: Their files, for the message (default: their names).

    Raises:
        InputError: Naming the first scenario and setting that differs.
    """
    labels = list(sources) if sources is not None else [s.name for s in scenarios]
    reference = _pairing_settings(scenarios[0])
    for scenario, label in zip(scenarios[1:], labels[1:], strict=True):
        own = _pairing_settings(scenario)
        for key, value in reference.items():
            if own[key] != value:
                raise InputError(
                    f"cannot be paired with {labels[0]}: {key} is {own[key]!r} here and "
                    f"{value!r} there; compared scenarios must share the population and "
                    "the run length",
                    label,
                    key,
                )


def _pairing_settings(scenario: Scenario) -> dict[str, Any]:
    settings = {f"population.{k}": v for k, v in scenario.population.model_dump().items()}
    run = scenario.run.model_dump()
    settings |= {f"run.{k}": v for k, v in run.items() if k not in PAIRING_EXEMPT_RUN_KEYS}
    return settings


def run_comparison(
    scenarios: Sequence[Scenario],
    replicates: int,
    base_seed: int,
    workers: int | None = None,
    progress: Callable[[int], Any] | None = None,
    scheduler: Any = None,
    executor: Executor | None = None,
    shared_burn_in: bool = True,
) -> list[RunResult]:
    """Run every replicate of every scenario through the executor.

    Scenarios that differ only in their programmes share their burn-in: each replicate
    simulates it once and forks it per scenario at the horizon, which gives the same
    results, byte for byte, as running them apart (``shared_burn_in=False``).

    Args:
        scenarios: The scenarios; the first is the reference for differences.
        replicates: Runs per scenario.
        base_seed: Seed of replicate 0.
        workers: Local worker processes (default: all cores).
        progress: Called with 1 after each finished run.
        scheduler: A Dask scheduler address or Client; None runs on a local pool.
        executor: An executor to use instead of making one from ``scheduler`` and
            ``workers`` (it is left open).
        shared_burn_in: Share the burn-in where the scenarios allow it.

    Returns:
        Results ordered by scenario, then replicate.
    """
    check_names(scenarios)
    check_pairable(scenarios)
    if executor is None:
        if scheduler is None:
            workers = min(workers or os.cpu_count() or 1, len(scenarios) * replicates)
        with make_executor(scheduler, workers) as own:
            return _run_all_replicates(
                scenarios, replicates, base_seed, own, progress, shared_burn_in
            )
    return _run_all_replicates(scenarios, replicates, base_seed, executor, progress, shared_burn_in)


def _run_all_replicates(
    scenarios: Sequence[Scenario],
    replicates: int,
    base_seed: int,
    executor: Executor,
    progress: Callable[[int], Any] | None,
    shared_burn_in: bool,
) -> list[RunResult]:
    seeds = replicate_seeds(base_seed, replicates)
    if not (shared_burn_in and all_share_burn_in(scenarios)):
        jobs = [(s, r, seed) for s in scenarios for r, seed in enumerate(seeds)]
        return run_all(executor, run_replicate, jobs, "compare", progress)
    groups = [(list(scenarios), r, seed) for r, seed in enumerate(seeds)]
    # The bar counts runs; each finished group is one run per scenario.
    group_progress = None if progress is None else (lambda n: progress(n * len(scenarios)))
    by_replicate = run_all(
        executor, run_replicate_sharing_burn_in, groups, "compare", group_progress
    )
    return [results[i] for i in range(len(scenarios)) for results in by_replicate]


def cost_per_person_year(
    extra_cost: np.ndarray, averted: np.ndarray, *, level: float = 0.95
) -> tuple[float, float, float]:
    """Incremental cost per person-year averted, with Fieller's confidence interval.

    The ratio is that of the mean paired differences, R = C̄ / Ē, for the extra cost C
    and the person-years averted E of each of n replicates. Its interval is Fieller's
    for a ratio of means of paired data, the standard interval for an ICER (Willan &
    O'Brien 1996, Health Econ 5(4):297-305): the values of R for which C̄ - R Ē does not
    differ from 0 by a paired t-test, that is between the roots of

        (Ē² - t² s_E² / n) R² - 2 (Ē C̄ - t² s_CE / n) R + (C̄² - t² s_C² / n) = 0

    with the sample means Ē and C̄, variances s_E² and s_C², covariance s_CE, and t the
    Student-t quantile with n - 1 degrees of freedom. Unlike a percentile bootstrap, it
    is exact for normal differences, and it does not shrink to the range of the replicate
    ratios when there are only a few.

    Args:
        extra_cost: Extra cost of each replicate against the reference.
        averted: Person-years averted in each replicate (paired with ``extra_cost``).
        level: Confidence level.

    Returns:
        (ratio, low, high). The ratio is NaN when nothing is averted on average, where
        it is undefined. The bounds are NaN ("n/a") for fewer than 2 replicates, and
        when the person-years averted are not significantly above 0 at ``level``: the
        interval is then unbounded (the whole line, or two rays through infinity), and
        the net monetary benefit, which has no pole, is the measure to use.
    """
    cost = np.asarray(extra_cost, dtype=float)
    effect = np.asarray(averted, dtype=float)
    if len(effect) == 0 or effect.mean() <= 0:
        return float("nan"), float("nan"), float("nan")
    ratio = float(cost.mean() / effect.mean())
    if len(effect) < 2:
        return ratio, float("nan"), float("nan")
    return ratio, *_fieller_bounds(cost, effect, level)


def _fieller_bounds(cost: np.ndarray, effect: np.ndarray, level: float) -> tuple[float, float]:
    """The roots of Fieller's quadratic, or NaN when the interval is unbounded."""
    # Solved in units of the largest cost and effect, so that squared yen or squared
    # tiny effects neither overflow nor underflow; the roots scale back by the units.
    cost_unit = float(np.abs(cost).max()) or 1.0
    effect_unit = float(np.abs(effect).max())  # > 0, as the mean effect is
    cost, effect = cost / cost_unit, effect / effect_unit
    covariance = np.cov(cost, effect, ddof=1)
    scale = float(stats.t.ppf(0.5 + level / 2, len(effect) - 1)) ** 2 / len(effect)
    a = effect.mean() ** 2 - scale * covariance[1, 1]
    if a <= 0:
        return float("nan"), float("nan")
    b = effect.mean() * cost.mean() - scale * covariance[0, 1]
    c = cost.mean() ** 2 - scale * covariance[0, 0]
    # With a > 0 the discriminant is never negative (Cauchy-Schwarz); the clip only
    # absorbs rounding when the replicates are exactly proportional.
    half = math.sqrt(max(b * b - a * c, 0.0))
    # Roots without cancellation: one from b and half of the same sign, the other from
    # the roots' product c / a.
    q = b + math.copysign(half, b)
    low, high = sorted((q / a, c / q)) if q != 0 else (0.0, 0.0)
    unit = cost_unit / effect_unit
    return float(low * unit), float(high * unit)


def runs_frame(results: Sequence[RunResult]) -> pd.DataFrame:
    """One row per run with the compared measures."""
    rows = [
        {"scenario": r.scenario, "replicate": r.replicate, "seed": r.seed}
        | {measure: r.summary[key] for measure, key in MEASURES.items()}
        for r in results
    ]
    return pd.DataFrame(rows)


def by_replicate(runs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each scenario's runs indexed by replicate, in the order of the first scenario's.

    The first scenario is the reference; aligning every other on its replicates is what
    makes the differences paired (common random numbers).
    """
    order = list(dict.fromkeys(runs["scenario"]))
    replicates = runs[runs["scenario"] == order[0]]["replicate"]
    return {
        name: runs[runs["scenario"] == name].set_index("replicate").loc[replicates]
        for name in order
    }


def comparison_table(
    results: Sequence[RunResult],
    settings: AppraisalSettings | None = None,
    params: EconomicParameters | None = None,
) -> pd.DataFrame:
    """Per scenario: means and 95% intervals, paired differences, cost-effectiveness.

    Args:
        results: All runs, the reference scenario first.
        settings: Discount rate, perspective and willingness to pay (default: 2%,
            payer, 5 M yen per QALY).
        params: Utilities and unit values (default: ``load_economics()``).

    Returns:
        One row per scenario, in frontier order (cost ascending): the health measures
        with intervals, then ``cost_mean``, ``qaly_mean`` (discounted, in the chosen
        perspective), ``status``, ``icer`` and ``inmb`` from :mod:`hikisim.appraisal`.
    """
    settings = settings or AppraisalSettings()
    economics = _economics(results, settings, params or load_economics())
    return _joined_table(results, economics, settings)


def _economics(
    results: Sequence[RunResult], settings: AppraisalSettings, params: EconomicParameters
) -> pd.DataFrame:
    return economics_frame([(r.scenario, r.replicate, r.weekly) for r in results], settings, params)


def _joined_table(
    results: Sequence[RunResult], economics: pd.DataFrame, settings: AppraisalSettings
) -> pd.DataFrame:
    health = _health_table(results)
    appraisal = appraisal_table(economics, settings)
    return appraisal[["scenario"]].merge(health, on="scenario").merge(appraisal, on="scenario")


def _health_table(results: Sequence[RunResult]) -> pd.DataFrame:
    paired = by_replicate(runs_frame(results))
    reference_name, reference = next(iter(paired.items()))
    # Every programme that runs in some scenario gets its own column.
    gone_keys = sorted(
        {key for r in results for key in r.summary if key.endswith(EFFECT_GONE_SUFFIX)}
    )
    rows = []
    for name, own in paired.items():
        row: dict[str, Any] = {"scenario": name, "replicates": len(own)}
        for measure in MEASURES:
            row[measure], row[f"{measure}_low"], row[f"{measure}_high"] = mean_interval(
                own[measure].to_numpy(), floor=0.0
            )
        averted = (reference["person_years"] - own["person_years"]).to_numpy()
        cases_averted = (reference["cases"] - own["cases"]).to_numpy()
        extra_cost = (own["cost"] - reference["cost"]).to_numpy()
        for label, values in (("person_years_averted", averted), ("cases_averted", cases_averted)):
            row[label], row[f"{label}_low"], row[f"{label}_high"] = mean_interval(values)
        ratio = (
            cost_per_person_year(extra_cost, averted) if name != reference_name else (np.nan,) * 3
        )
        row["cost_per_person_year_averted"] = ratio[0]
        row["cost_per_person_year_averted_low"] = ratio[1]
        row["cost_per_person_year_averted_high"] = ratio[2]
        own_summaries = [r.summary for r in results if r.scenario == name]
        row["effects_gone_years"] = effects_gone_years(own_summaries)
        for key in gone_keys:
            row[key.removesuffix("_week") + "_years"] = effects_gone_years(
                [{key: s[key]} for s in own_summaries if key in s]
            )
        rows.append(row)
    return pd.DataFrame(rows)


def effects_gone_years(summaries: Sequence[dict[str, Any]]) -> float:
    """Years from the start of the horizon until every programme effect is gone.

    Each programme reports the horizon week by which its last participant's effect has
    faded below 5% (``<name>_effect_gone_week``); this is the latest over the scenario's
    programmes and replicates. Beyond the horizon it says how much of the programmes'
    effect the horizon leaves uncounted.

    Args:
        summaries: The scenario's run summaries.

    Returns:
        Years, or NaN for a scenario without programmes.
    """
    weeks = [
        value
        for summary in summaries
        for key, value in summary.items()
        if key.endswith(EFFECT_GONE_SUFFIX)
    ]
    return max(weeks) / WEEKS_PER_YEAR if weeks else float("nan")


def _interval(
    row: pd.Series, measure: str, scale: float = 1.0, digits: int = 2, missing: str = ""
) -> str:
    """``mean (low to high)``; ``missing`` follows a mean whose interval is NaN."""
    mean, low, high = (
        row[measure] * scale,
        row[f"{measure}_low"] * scale,
        row[f"{measure}_high"] * scale,
    )
    if np.isnan(mean):
        return "n/a"
    if np.isnan(low):
        return f"{mean:,.{digits}f}{missing}"
    return f"{mean:,.{digits}f} ({low:,.{digits}f} to {high:,.{digits}f})"


def _years(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value:.1f}"


def comparison_markdown(table: pd.DataFrame) -> str:
    """The comparison as a readable markdown table (means with 95% intervals)."""
    header = (
        "| scenario | prevalence 15-39 (%) | person-years withdrawn | new cases | cost (M yen) "
        "| person-years averted | cases averted | M yen per person-year averted "
        "| effects gone (years) |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {row['scenario']} | {_interval(row, 'prevalence', 100)} "
        f"| {_interval(row, 'person_years', digits=0)} | {_interval(row, 'cases', digits=0)} "
        f"| {_interval(row, 'cost', 1e-6, 1)} | {_interval(row, 'person_years_averted', digits=0)} "
        f"| {_interval(row, 'cases_averted', digits=0)} "
        # An unbounded Fieller interval must not read as a precise ratio.
        f"| {_interval(row, 'cost_per_person_year_averted', 1e-6, 2, ' (n/a)')} "
        f"| {_years(row['effects_gone_years'])} |"
        for _, row in table.iterrows()
    ]
    return header + "\n".join(lines) + "\n"


@with_japanese_fallback
def plot_prevalence(results: Sequence[RunResult], path: Path) -> None:
    """Prevalence (15-39) over the horizon: mean and 95% band per scenario."""
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    for name in dict.fromkeys(r.scenario for r in results):
        series = np.array([r.prevalence for r in results if r.scenario == name]) * 100
        years = np.arange(series.shape[1]) / 52
        mean = series.mean(axis=0)
        ax.plot(years, mean, label=name)
        if len(series) > 1:
            half = stats.t.ppf(0.975, len(series) - 1) * series.std(axis=0, ddof=1)
            half /= np.sqrt(len(series))
            ax.fill_between(years, mean - half, mean + half, alpha=0.2)
    ax.set_xlabel("years into the horizon")
    ax.set_ylabel("hikikomori prevalence, ages 15-39 (%)")
    ax.set_title("Prevalence by scenario (mean and 95% band over replicates)")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


@with_japanese_fallback
def plot_cost_effectiveness(runs: pd.DataFrame, path: Path) -> None:
    """The cost-effectiveness plane: extra cost against person-years averted."""
    paired = by_replicate(runs)
    names = list(paired)
    reference = paired[names[0]]
    fig = Figure(figsize=(7, 5))
    ax = fig.subplots()
    for name in names[1:]:
        own = paired[name]
        averted = reference["person_years"] - own["person_years"]
        extra = (own["cost"] - reference["cost"]) / 1e6
        points = ax.scatter(averted, extra, alpha=0.4, s=18)
        ax.scatter(
            averted.mean(),
            extra.mean(),
            color=points.get_facecolor()[0],
            s=90,
            edgecolor="black",
            label=name,
        )
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(f"person-years of hikikomori averted vs {names[0]}")
    ax.set_ylabel(f"extra cost vs {names[0]} (million yen)")
    ax.set_title("Cost-effectiveness plane (small: replicates, large: mean)")
    if len(names) > 1:  # a lone reference has no points, and an empty legend warns
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def write_comparison(
    results: Sequence[RunResult],
    base_seed: int,
    out: Path,
    settings: AppraisalSettings | None = None,
    scenarios: Sequence[Scenario] | None = None,
    command: str | None = None,
    psa: PsaResults | None = None,
    params: EconomicParameters | None = None,
) -> pd.DataFrame:
    """Write the comparison's tables, figures and report atomically.

    Files: ``comparison.csv``, ``comparison.md``, ``runs.csv``, ``qaly_gains.csv``
    (where each scenario's QALYs differ from the first's), ``discounting.csv`` (the
    incremental analysis at 0%, the chosen rate and 4%), ``comparison.json``,
    ``prevalence.png``, ``cost_effectiveness.png`` (person-years averted),
    ``ce_plane.png`` (QALYs, with the efficient frontier) and, when the scenarios are
    given, ``report.md``. Everything is written to a staging folder first and moved in
    at the end (:func:`publish`), which also removes the outputs of an earlier compare
    that this one does not write, so the folder never mixes two compares.

    Args:
        results: All runs, reference scenario first.
        base_seed: The base seed (recorded).
        out: Output directory.
        settings: Discount rate, perspective and willingness to pay.
        scenarios: The compared scenarios, for the report and the settings hashes of
            ``comparison.json`` (empty without them).
        command: The command line, recorded in the outputs.
        psa: The probabilistic sensitivity analysis, if one was run; adds
            ``psa.parquet``, ``ceac.csv``, ``ceac.png``, ``evpi.csv``, ``evppi.csv``,
            ``variance.csv``, ``tornado.csv`` and ``tornado.png``.
        params: Utilities and unit values (default: ``load_economics()``).

    Returns:
        The comparison table.

    Raises:
        InputError: If ``out`` holds the runs of a PSA and this compare has none
            (:func:`check_compare_folder`); nothing is written then.
    """
    from hikisim import __version__
    from hikisim.report import report_markdown

    check_compare_folder(out, psa is not None)
    settings = settings or AppraisalSettings()
    params = params or load_economics()
    economics = _economics(results, settings, params)
    table = _joined_table(results, economics, settings)
    runs = runs_frame(results).merge(
        economics[["scenario", "replicate", "cost", "qalys"]].rename(
            columns={"cost": "appraisal_cost"}
        ),
        on=["scenario", "replicate"],
    )
    comparator = results[0].scenario
    replicates = int(table["replicates"].iloc[0])
    provenance = {
        "scenarios": list(dict.fromkeys(r.scenario for r in results)),
        "replicates": replicates,
        "seeds": replicate_seeds(base_seed, replicates),
        "version": __version__,
        "command": command or "hikisim compare",
        # What reproduces the runs exactly: the code that ran and each scenario's
        # settings after overrides (as every run output records them).
        "model_source": model_source_hash(),
        "settings_hashes": {s.name: settings_hash(s) for s in scenarios or ()},
        # The same, readable: each scenario's overrides (--set, --years) and horizon.
        "overrides": {s.name: recorded_overrides(s.overrides) for s in scenarios or ()},
        "years": {s.name: s.run.years for s in scenarios or ()},
        "psa": None
        if psa is None
        else {
            "draws": int(psa.draws["draw"].nunique()),
            "replicates_per_draw": psa.replicates,
            "posterior_keys": list(psa.posterior_keys),
        },
        "discount_rate": settings.discount_rate,
        "perspective": settings.perspective,
        "wtp": settings.wtp,
    }
    health = comparison_markdown(table)
    weekly_runs = [(r.scenario, r.replicate, r.weekly) for r in results]
    gains = qaly_gains(weekly_runs, settings, params)
    discounting = discount_sensitivity(weekly_runs, settings, params)
    one_way, one_way_strategy = economic_one_way(weekly_runs, settings, params, comparator)
    note = (
        f"\nMeans over {replicates} replicates with 95% intervals (t-interval, cut at 0 "
        "for prevalence, person-years, cases and cost, which cannot be negative; cost per "
        "person-year averted: Fieller's interval for a ratio of paired means, n/a where "
        "the person-years averted are not significantly above 0, which leaves it "
        f"unbounded). Seeds {provenance['seeds']}, hikisim "
        f"{__version__}. Differences are taken from `{comparator}` replicate by replicate "
        "(common random numbers). Costs and QALYs in the incremental table are discounted "
        f"at {settings.discount_rate:.1%} a year, {settings.perspective} perspective. "
        "Effects gone: years from the start of the horizon until every programme's effect "
        "has faded below 5% for its last participant; a value beyond the horizon's length "
        "means costs and QALYs leave part of the programmes' effect uncounted.\n"
    )
    with atomic_directory(out) as staging:
        table.to_csv(staging / "comparison.csv", index=False)
        runs.to_csv(staging / "runs.csv", index=False)
        gains.to_csv(staging / "qaly_gains.csv", index=False)
        discounting.to_csv(staging / "discounting.csv", index=False)
        one_way.to_csv(staging / "one_way.csv", index=False)
        (staging / "comparison.json").write_text(json.dumps(provenance, indent=2) + "\n")
        (staging / "comparison.md").write_text(
            incremental_markdown(table, settings, comparator) + "\n" + health + note
        )
        plot_prevalence(results, staging / "prevalence.png")
        plot_cost_effectiveness(runs, staging / "cost_effectiveness.png")
        plot_ce_plane(economics, table, str(staging / "ce_plane.png"))
        if psa is not None:
            write_psa(psa, settings, comparator, staging)
        if scenarios is not None:
            report = report_markdown(
                table,
                scenarios,
                settings,
                params,
                provenance,
                health,
                psa,
                qaly_gains_markdown(gains),
                differences_note(scenarios),
                discount_sensitivity_markdown(discounting, comparator),
                one_way_markdown(one_way, one_way_strategy, comparator),
            )
            (staging / REPORT).write_text(report)
        if Path(out).is_dir():
            # A stop request waits for the moves: half done, they would mix two compares.
            with stopping.deferred_stop():
                publish(staging, Path(out))
    return table


def settings_differences(first: Scenario, other: Scenario) -> list[str]:
    """The settings other than programmes in which two scenarios differ (dotted keys).

    The run's seed is left out: a comparison gives every scenario the same seeds. So
    are the delivery years, which belong to the programmes.

    Args:
        first: The reference scenario.
        other: Another scenario.

    Returns:
        The differing keys, sorted; empty when the two differ only in programmes.
    """
    changed = changed_fields(settings_beyond_programmes(first), settings_beyond_programmes(other))
    return sorted(key for key in changed if key != "run.seed")


def differences_note(scenarios: Sequence[Scenario]) -> list[str]:
    """A sentence for each scenario that differs from the first in more than programmes.

    A comparison credits the differences in outcomes to the programmes; a scenario
    with other settings of its own (another region's preset, say) mixes those in.

    Args:
        scenarios: The compared scenarios, the reference first.

    Returns:
        One sentence per such scenario (none if every one differs only in programmes).
    """
    notes = []
    for other in scenarios[1:]:
        keys = settings_differences(scenarios[0], other)
        if keys:
            shown = ", ".join(keys[:4]) + (f" and {len(keys) - 4} more" if len(keys) > 4 else "")
            notes.append(
                f"{other.name} differs from {scenarios[0].name} in more than its programmes "
                f"({shown}), so its differences in outcomes are not its programmes' alone."
            )
    return notes


def check_compare_folder(out: str | os.PathLike[str], psa: bool) -> None:
    """Refuse to write a compare without a PSA into a folder that holds a PSA's runs.

    ``psa/`` keeps every finished run of a PSA, so that an interrupted one resumes; the
    runs are costly, and are never deleted. A compare without ``--psa`` would leave
    them beside results they do not belong to. (A PSA of another design is refused by
    :meth:`hikisim.psa.PsaStore.prepare`.) Call this before any run starts.

    Args:
        out: The compare's output folder.
        psa: Whether this compare runs a PSA.

    Raises:
        InputError: Naming the folder and what to do.
    """
    store = PsaStore(Path(out))
    if not psa and store.folder.exists():
        raise InputError(
            "holds the runs of a PSA (psa/), which a compare without --psa would leave "
            "beside results they do not belong to; rerun with the same --psa options to "
            "reuse them, use another --out, or delete psa/",
            str(out),
        )


def publish(staging: Path, out: Path) -> None:
    """Move a compare's staged outputs into the existing folder ``out``.

    Outputs of an earlier compare (known by ``comparison.json``) that this one does not
    write are removed, but only names in :data:`COMPARE_OUTPUTS`: anything else in the
    folder, and ``psa/``, is left as it is. The earlier report goes first and the new
    one comes last, so an interruption between never leaves a report beside outputs of
    another compare.

    Args:
        staging: The folder holding this compare's outputs.
        out: The output folder.
    """
    check_replaceable(staging, out)
    written = {item.name for item in staging.iterdir()}
    if (out / PROVENANCE).is_file():
        for name in (REPORT, *(n for n in COMPARE_OUTPUTS if n not in written)):
            old = out / name
            if old.is_file() or old.is_symlink():
                old.unlink()
    for item in sorted(staging.iterdir(), key=lambda item: item.name == REPORT):
        os.replace(item, out / item.name)


def write_psa(psa: PsaResults, settings: AppraisalSettings, comparator: str, folder: Path) -> None:
    """Write the PSA's tables and figures into ``folder`` (the names in PSA_OUTPUTS)."""
    psa.draws.to_parquet(folder / "psa.parquet", index=False)
    psa.ceac.reset_index().to_csv(folder / "ceac.csv", index=False)
    psa.ceaf.to_csv(folder / "ceaf.csv", index=False)
    psa.evpi.rename("evpi").reset_index().to_csv(folder / "evpi.csv", index=False)
    psa.evppi.assign(wtp=settings.wtp).to_csv(folder / "evppi.csv", index=False)
    psa.variance.to_csv(folder / "variance.csv", index=False)
    psa.tornado.to_csv(folder / "tornado.csv", index=False)
    plot_ceac(psa, settings, folder / "ceac.png")
    plot_tornado(psa, comparator, folder / "tornado.png")
