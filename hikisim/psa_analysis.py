"""What a funder asks of a PSA: which package is the best buy, how sure, and what to study.

From the runs of :mod:`hikisim.psa`: each draw's mean cost and QALYs per scenario
(over its replicates, valued with the draw's utilities and productivity), then

* CEAC and CEAF over a willingness-to-pay grid that holds the chosen one exactly, and
  EVPI (all in yen for the modelled town);
* EVPPI of each parameter group (programme effects, costs, utilities, natural history)
  by nonparametric regression on the draws (Strong, Oakley & Brennan 2014);
* the split of each strategy's incremental NMB variance into parameter uncertainty and
  Monte Carlo noise (O'Hagan, Stevenson & Madan 2007), when there are 2+ draws and 2+
  runs per scenario within each draw (``--psa-replicates``);
* one-way effects for a tornado diagram, from one linear regression metamodel of the
  incremental NMB on all parameters together (Jalal et al. 2013, Med Decis Making
  33(7):880-890) rather than from separate one-way runs, each parameter moved between
  the 2.5th and 97.5th percentiles of its own draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from hikisim.economics import ceac, ceaf, evpi, evpi_curve, evppi, variance_partition
from hikisim.economics.outcomes import (
    DISORDER_COLUMNS,
    STATE_COLUMNS,
    WEEKLY_INPUTS,
    AppraisalSettings,
    run_economics,
)
from hikisim.economics.parameters import EconomicParameters
from hikisim.fonts import with_japanese_fallback
from hikisim.intervals import TAILS
from hikisim.psa import ECONOMIC_GROUPS, PosteriorPrior, PsaDesign, drawn_values
from hikisim.scenario import Scenario

NULL_STREAM = 0x4E55  # "NU": the noise columns of the EVPPI overfit check
VARIANCE_COLUMNS = (
    "scenario",
    "draws",
    "replicates",
    "mean",
    "between_draw_variance",
    "within_draw_variance",
    "monte_carlo_variance",
    "parameter_variance",
    "parameter_variance_unclipped",
    "monte_carlo_share",
    "mean_standard_error",
)
# Draws from which a Gaussian process is trusted for EVPPI (below: additive splines).
GP_MIN_DRAWS = 300
# A group is informative if its EVPPI beats the noise floor by this share of the EVPI.
INFORMATIVE_MARGIN = 0.05
# Groups of noise regressed per group size; the floor is the largest of their EVPPIs.
# With 19, one more noise group would exceed the floor with probability 1/20 (the
# floor is the 95th percentile of the noise EVPPI). A Gaussian process costs seconds
# to tens of seconds a fit, so it gets fewer (the largest of 4: about the 80th).
NULL_REPLICATES = {"gam": 19, "gp": 4}
# Relative slack before an EVPPI counts as above the EVPI: a regression that follows the
# draws exactly returns the EVPI itself, up to the fit's rounding (5e-9 of it in a test).
EVPI_TOLERANCE = 1e-6
# ... plus this share of the largest net benefit, the scale of the rounding of both.
NMB_ROUNDING = 1e-9
TORNADO_BARS = 12
TORNADO_COLUMNS = ("parameter", "inmb_at_p2_5", "inmb_at_p97_5", "range")
WTP_GRID_MAX = 20_000_000.0
WTP_GRID_POINTS = 81
# A wtp above the grid stretches it to this multiple of the wtp, rounded up to a multiple
# of WTP_GRID_ROUNDING so that its 80 steps stay round (multiples of 100,000 yen).
WTP_GRID_MARGIN = 1.25
WTP_GRID_ROUNDING = 8_000_000.0


@dataclass(frozen=True)
class PsaResults:
    """The PSA's tables.

    Attributes:
        draws: One row per draw and scenario: mean ``cost``, ``qalys`` and ``nmb``, with
            the draw's parameter values as that scenario ran them (:func:`draws_table`).
        ceac: Probability each scenario is optimal, by willingness to pay (the grid of
            :func:`wtp_grid`, which holds the chosen willingness to pay).
        ceaf: The optimal scenario at each willingness to pay, and its probability.
        evpi: EVPI by willingness to pay.
        evppi: EVPPI of each parameter group at the chosen willingness to pay.
        variance: Parameter against Monte Carlo variance of each scenario's iNMB; only
            the header when :func:`variance_gap` names a reason.
        tornado: One-way iNMB range of each parameter, largest first; only the header
            when ``tornado_gap`` names a reason.
        tornado_strategy: The strategy the tornado compares with the first scenario.
        posterior_keys: The natural-history keys drawn jointly from a calibration
            posterior (none when ``--posterior none``).
        replicates: Runs per scenario within each draw (``--psa-replicates``).
        tornado_gap: Why the tornado's metamodel could not be fitted, as a clause that
            completes "the metamodel needs ...", or "".
    """

    draws: pd.DataFrame
    ceac: pd.DataFrame
    ceaf: pd.DataFrame
    evpi: pd.Series
    evppi: pd.DataFrame
    variance: pd.DataFrame
    tornado: pd.DataFrame
    tornado_strategy: str
    posterior_keys: tuple[str, ...] = ()
    replicates: int = 1
    tornado_gap: str = ""


def run_outcomes(
    runs: pd.DataFrame,
    design: PsaDesign,
    settings: AppraisalSettings,
    economics: EconomicParameters,
) -> pd.DataFrame:
    """Discounted cost and QALYs of every run, valued with its draw's parameters."""
    rows = []
    for record in runs.itertuples(index=False):
        drawn = economics.with_values(design.economic.loc[record.draw].to_dict())
        weekly = {name: np.asarray(getattr(record, name), dtype=float) for name in WEEKLY_INPUTS}
        outcome = run_economics(weekly, settings, drawn)
        rows.append((record.draw, record.scenario, record.replicate, outcome.cost, outcome.qalys))
    return pd.DataFrame(rows, columns=["draw", "scenario", "replicate", "cost", "qalys"])


def relevant_keys(design: PsaDesign, scenarios: Sequence[Scenario]) -> list[str]:
    """Prior keys that can change a result: a programme's keys only if it is switched on.

    A programme that no compared scenario runs cannot move any outcome, so its keys
    would only add noise to the regressions.
    """
    enabled = {name for scenario in scenarios for name in scenario.enabled_interventions()}
    keys = []
    for prior in design.priors:
        section, _, rest = prior.key.partition(".")
        if section == "interventions" and rest.split(".")[0] not in enabled:
            continue
        keys.append(prior.key)
    return keys


def used_economic(design: PsaDesign, settings: AppraisalSettings) -> list[str]:
    """The economic parameters the outcomes read; the others would only add noise.

    These are the utilities of the model's states, the disorder decrements and the
    shares of weeks a lifetime disorder is active, the unit costs of usual care, and
    productivity in the societal perspective only.
    """
    used = {f"utilities.{category}" for category in STATE_COLUMNS.values()}
    used |= {c for c in design.economic.columns if c.startswith("care_costs.")}
    used |= {f"disorder_decrements.{name}" for name in DISORDER_COLUMNS.values()}
    used |= {f"disorder_active_shares.{name}" for name in DISORDER_COLUMNS.values()}
    if settings.perspective == "societal":
        used |= {c for c in design.economic.columns if c.startswith("productivity.")}
    return [c for c in design.economic.columns if c in used]


def parameter_table(
    design: PsaDesign,
    keys: Sequence[str] | None = None,
    economic: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The regressors of the EVPPI and tornado, and their groups.

    Scenario keys enter as their shared uniform quantile (a monotone transform of every
    scenario's value), economic parameters as their drawn values, except that a utility
    drawn as a gap below a better state enters as that gap (column ``<name>_gap``): the
    gaps are drawn independently, so a tornado bar that moves one of them alone keeps
    the health states in order, which moving one correlated utility alone would not.

    Args:
        design: The PSA design.
        keys: The scenario keys to include (default: all).
        economic: The economic parameters to include (default: all).

    Returns:
        The table (one row per draw) and the group of each column.
    """
    chosen = list(design.quantiles.columns) if keys is None else list(keys)
    drawn = list(design.economic.columns) if economic is None else list(economic)
    economic_columns = {}
    for name in drawn:
        better = design.gaps.get(name)
        if better is not None and better in design.economic.columns:
            economic_columns[f"{name}_gap"] = design.economic[better] - design.economic[name]
        else:
            economic_columns[name] = design.economic[name]
    table = pd.concat(
        [design.quantiles[chosen], pd.DataFrame(economic_columns, index=design.economic.index)],
        axis=1,
    )
    groups: dict[str, list[str]] = {}
    for prior in design.priors:
        if prior.key in chosen:
            groups.setdefault(prior.group, []).append(prior.key)
    for name in economic_columns:
        groups.setdefault(ECONOMIC_GROUPS[name.split(".")[0]], []).append(name)
    return table, groups


def wtp_grid(wtp: float) -> np.ndarray:
    """The willingness-to-pay grid of the CEAC, CEAF and EVPI, holding ``wtp`` exactly.

    The grid runs from 0 to 20 M yen per QALY in 80 steps of 250,000 yen. A ``wtp``
    above that stretches it to 1.25 times the ``wtp``, rounded up to a multiple of 8 M
    yen (still 80 steps), so the chosen value is inside the CEAC plot. The ``wtp`` itself
    is added to the grid, so that the report reads every figure at it, not at the
    nearest point.

    Args:
        wtp: The chosen willingness to pay (``--wtp``), yen per QALY.

    Returns:
        The sorted grid, yen per QALY.
    """
    top = WTP_GRID_MAX
    if wtp > WTP_GRID_MAX:
        top = math.ceil(wtp * WTP_GRID_MARGIN / WTP_GRID_ROUNDING) * WTP_GRID_ROUNDING
    return np.union1d(np.linspace(0.0, top, WTP_GRID_POINTS), [float(wtp)])


def draws_table(
    means: pd.DataFrame, design: PsaDesign, scenarios: Sequence[Scenario], wtp: float
) -> pd.DataFrame:
    """One row per draw and scenario: cost, QALYs, NMB and the values the runs used.

    A scenario key's column holds the value the scenario ran with in that draw (its own
    value moved by the draw's shared quantile, :func:`hikisim.psa.drawn_values`), so two
    scenarios of one draw can differ in it; an economic parameter's column holds its
    drawn value, the same for every scenario.

    Args:
        means: Mean ``cost`` and ``qalys`` indexed by ``draw`` and ``scenario``.
        design: The PSA design.
        scenarios: The compared scenarios.
        wtp: Willingness to pay, for the NMB.

    Returns:
        Columns ``draw``, ``scenario``, ``cost``, ``qalys``, ``nmb``, then one per prior
        key and one per sampled economic parameter.
    """
    values = pd.concat(
        [
            drawn_values(scenario, design)
            .rename_axis("draw")
            .reset_index()
            .assign(scenario=scenario.name)
            for scenario in scenarios
        ],
        ignore_index=True,
    )
    draws = means.reset_index()
    draws["nmb"] = wtp * draws["qalys"] - draws["cost"]
    draws = draws.merge(values, on=["draw", "scenario"], how="left")
    return draws.merge(design.economic, left_on="draw", right_index=True, how="left")


def analyse_psa(
    outcomes: pd.DataFrame,
    design: PsaDesign,
    scenarios: Sequence[Scenario],
    settings: AppraisalSettings,
) -> PsaResults:
    """CEAC, CEAF, EVPI, EVPPI, variance split and tornado from the runs' outcomes.

    Args:
        outcomes: :func:`run_outcomes` output.
        design: The PSA design.
        scenarios: The compared scenarios, the comparator first.
        settings: Willingness to pay.

    Returns:
        The tables.
    """
    names = [scenario.name for scenario in scenarios]
    means = outcomes.groupby(["draw", "scenario"])[["cost", "qalys"]].mean()
    costs = means["cost"].unstack("scenario")[list(names)].to_numpy()
    effects = means["qalys"].unstack("scenario")[list(names)].to_numpy()
    economic_used = used_economic(design, settings)
    parameters, groups = parameter_table(design, relevant_keys(design, scenarios), economic_used)
    grid = wtp_grid(settings.wtp)
    nmb = settings.wtp * effects - costs
    present = {g: members for g, members in groups.items() if members}
    method = evppi_method(design.draws)
    group_evppi = evppi(costs, effects, parameters, settings.wtp, groups=present, method=method)
    total = evpi(costs, effects, settings.wtp)
    sizes = [len(present[g]) for g in group_evppi.index]
    null = _null_evppi(costs, effects, settings.wtp, sorted(set(sizes)), design, method)
    evppi_table = pd.DataFrame(
        {
            "group": group_evppi.index,
            "evppi": group_evppi.to_numpy(),
            "share_of_evpi": group_evppi.to_numpy() / total if total > 0 else np.nan,
            "parameters": sizes,
            "null_evppi": [null[size] for size in sizes],
            "null_replicates": NULL_REPLICATES[method],
        }
    )
    evppi_table["method"] = method
    evppi_table = judge_evppi(evppi_table, total, float(np.abs(nmb).max(initial=0.0)))
    evppi_table = evppi_table.sort_values("evppi", ascending=False, ignore_index=True)
    best = _tornado_strategy(nmb, names)
    incremental = nmb[:, names.index(best)] - nmb[:, 0]
    pair = [scenarios[0], scenarios[names.index(best)]]
    one_way, _ = parameter_table(design, relevant_keys(design, pair), economic_used)
    tornado, tornado_gap = tornado_table(incremental, one_way)
    return PsaResults(
        draws=draws_table(means, design, scenarios, settings.wtp),
        ceac=ceac(costs, effects, grid, names),
        ceaf=ceaf(costs, effects, grid, names),
        evpi=evpi_curve(costs, effects, grid),
        evppi=evppi_table,
        variance=_variance_table(outcomes, names, settings),
        tornado=tornado,
        tornado_strategy=best,
        posterior_keys=tuple(p.key for p in design.priors if isinstance(p, PosteriorPrior)),
        replicates=int(design.seeds.shape[1]),
        tornado_gap=tornado_gap,
    )


def judge_evppi(table: pd.DataFrame, total: float, scale: float = 0.0) -> pd.DataFrame:
    """Mark which EVPPI estimates say something: ``above_evpi`` and ``informative``.

    The EVPPI of a group can never exceed the EVPI (perfect information on every
    parameter); an estimate above it, from the same draws, is the regression fitting
    noise. A group is informative if it is not above the EVPI and beats its noise floor
    by :data:`INFORMATIVE_MARGIN` of the EVPI.

    Args:
        table: One row per group with ``evppi`` and ``null_evppi``.
        total: The EVPI at the same willingness to pay.
        scale: The largest net monetary benefit of any draw and strategy, in absolute
            value: both estimates are differences of means of such numbers, so their
            rounding grows with it (an EVPI of 0 among net benefits of 1e11 yen can
            come with an EVPPI of 3e-5).

    Returns:
        A copy of the table with the two boolean columns added.
    """
    judged = table.copy()
    slack = EVPI_TOLERANCE * total + NMB_ROUNDING * scale
    judged["above_evpi"] = judged["evppi"] > total + slack
    beats_floor = judged["evppi"] > judged["null_evppi"] + INFORMATIVE_MARGIN * total
    judged["informative"] = beats_floor & ~judged["above_evpi"]
    return judged


def evppi_method(draws: int) -> str:
    """The regression for EVPPI: a GP once there are enough draws, else penalised splines.

    A Gaussian process with one length scale per parameter interpolates a few dozen
    draws (its EVPPI of pure noise then equals the EVPI), while penalised splines (one
    smooth for one parameter, a tensor product for two, an additive model for more)
    overfit far less; the GP captures interactions once draws are plentiful.
    """
    return "gp" if draws >= GP_MIN_DRAWS else "gam"


def _null_evppi(
    costs: np.ndarray,
    effects: np.ndarray,
    wtp: float,
    sizes: Sequence[int],
    design: PsaDesign,
    method: str,
) -> dict[int, float]:
    """The EVPPI of groups of pure noise, per group size: the regression's overfit.

    A regression on few draws and many parameters fits noise, and its EVPPI then creeps
    up towards the EVPI whatever the parameters are. Regressing on the same number of
    independent uniform columns, which carry no information, measures that floor. One
    group of noise is one draw of a wide distribution (with 50 draws, a group of 10
    noise columns gave EVPPIs from a few percent of the EVPI to half of it), so the
    floor is the largest EVPPI of :data:`NULL_REPLICATES` groups of noise: a group
    whose EVPPI does not exceed it cannot be told apart from overfit.
    """
    rng = np.random.default_rng(np.random.SeedSequence([design.draws, NULL_STREAM]))
    floor = {}
    for size in sizes:
        values = []
        for _ in range(NULL_REPLICATES[method]):
            noise = pd.DataFrame(rng.uniform(size=(design.draws, size)))
            noise.columns = [f"noise{i}" for i in range(size)]
            groups = {"noise": list(noise.columns)}
            value = evppi(costs, effects, noise, wtp, groups=groups, method=method)  # type: ignore[arg-type]
            values.append(float(value.iloc[0]))
        floor[size] = max(values)
    return floor


def _tornado_strategy(nmb: np.ndarray, names: Sequence[str]) -> str:
    # The comparison a funder cares most about: the best alternative to the first.
    expected = nmb.mean(axis=0)
    others = range(1, len(names))
    return names[max(others, key=lambda i: expected[i])] if len(names) > 1 else names[0]


def variance_gap(draws: int, replicates: int, strategies: int) -> str:
    """Why the incremental NMB's variance cannot be split, or "" if it can.

    Monte Carlo noise is the variance between runs of one draw, so it needs 2 or more
    runs per draw; parameter variance is the variance between draws beyond that noise,
    so it needs 2 or more draws; and both need an alternative to the comparator.

    Args:
        draws: PSA draws (``--psa``).
        replicates: Runs per scenario within each draw (``--psa-replicates``).
        strategies: Compared scenarios, the comparator included.

    Returns:
        The reason, as a clause that completes "the split needs ...", or "".
    """
    if strategies < 2:
        return "a scenario besides the comparator, and this compare has only one"
    if replicates < 2:
        return (
            f"2 or more runs of each scenario per draw (`--psa-replicates 2`), and this "
            f"PSA ran {replicates}"
        )
    if draws < 2:
        return f"2 or more draws (`--psa 2`), and this PSA ran {draws}"
    return ""


def _variance_table(
    outcomes: pd.DataFrame, names: Sequence[str], settings: AppraisalSettings
) -> pd.DataFrame:
    runs = outcomes.assign(nmb=settings.wtp * outcomes["qalys"] - outcomes["cost"])
    wide = runs.pivot_table(index=["draw", "replicate"], columns="scenario", values="nmb")
    rows = []
    for name in names[1:]:
        incremental = (wide[name] - wide[names[0]]).unstack("replicate").to_numpy()
        if variance_gap(*incremental.shape, len(names)):
            continue
        rows.append({"scenario": name} | variance_partition(incremental))
    return pd.DataFrame(rows, columns=VARIANCE_COLUMNS)


def tornado_table(incremental: np.ndarray, parameters: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """One-way effects on the incremental NMB from one linear metamodel of the draws.

    Following Jalal et al. (2013), the incremental NMB is regressed on all parameters at
    once (least squares with an intercept). Each bar is that fitted model with one
    parameter at the 2.5th or 97.5th percentile of its own draws and every other
    parameter at its mean. One joint regression, unlike one regression per parameter,
    gives a parameter with no effect a bar near 0 even when it is correlated with one
    that matters (as calibrated parameters drawn from a posterior are). The percentiles
    are those of what was drawn, so no bar extrapolates beyond the draws: for a scenario
    key (regressed on its shared quantile, a monotone transform of every scenario's
    value) that is the range of its posterior or prior draws, and for the others their
    sample percentiles, which tend to their prior's.

    Degenerate cases: a column that is constant over the draws has no range and no
    estimable slope, so it is left out (its bar would be 0). If the remaining columns
    cannot all be told apart, because there are no more draws than parameters or some
    are collinear, the slopes are not identified; then no bar is given, rather than one
    of the infinitely many fits, and the reason is returned.

    Args:
        incremental: The incremental NMB of each draw, shape (draws,).
        parameters: The regressors, one row per draw and one column per parameter.

    Returns:
        The table (``parameter``, ``inmb_at_p2_5``, ``inmb_at_p97_5``, ``range``), largest
        range first, and "" or the reason it is empty, as a clause completing "the
        metamodel needs ...".
    """
    y = np.asarray(incremental, dtype=float)
    x = parameters.to_numpy(dtype=float)
    varying = np.ptp(x, axis=0) > 0 if len(x) else np.zeros(x.shape[1], dtype=bool)
    names = list(parameters.columns[varying])
    x = x[:, varying]
    empty = pd.DataFrame(columns=list(TORNADO_COLUMNS))
    if not names:
        return empty, "a parameter that varies across the draws, and none does"
    draws, size = x.shape
    if draws <= size:
        return empty, (
            f"more draws than parameters (at least {size + 1} for its {size} parameters), "
            f"and this PSA has {draws}"
        )
    centre = x.mean(axis=0)
    # Standardised columns keep the least-squares problem well conditioned whatever the
    # parameters' units (yen next to utilities); the slopes are scaled back below.
    scale = x.std(axis=0)
    regressors = np.column_stack([np.ones(draws), (x - centre) / scale])
    if np.linalg.matrix_rank(regressors) < size + 1:
        return empty, "parameters that are not collinear in the draws, and some of these are"
    coefficients = np.linalg.lstsq(regressors, y, rcond=None)[0]
    # With centred regressors the intercept is the fit at every parameter's mean.
    slopes = coefficients[1:] / scale
    low, high = np.quantile(x, TAILS, axis=0)
    at_low = coefficients[0] + slopes * (low - centre)
    at_high = coefficients[0] + slopes * (high - centre)
    table = pd.DataFrame(
        {
            "parameter": names,
            "inmb_at_p2_5": at_low,
            "inmb_at_p97_5": at_high,
            "range": np.abs(at_high - at_low),
        },
        columns=list(TORNADO_COLUMNS),
    )
    return table.sort_values("range", ascending=False, ignore_index=True), ""


@with_japanese_fallback
def plot_ceac(results: PsaResults, settings: AppraisalSettings, path: Path) -> None:
    """CEAC lines per scenario, the frontier marked, the chosen WTP as a vertical line."""
    fig = Figure(figsize=(8, 5))
    ax = fig.subplots()
    wtp = results.ceac.index.to_numpy() / 1e6
    for name in results.ceac.columns:
        ax.plot(wtp, results.ceac[name], label=name, linewidth=1.8)
    ax.plot(
        results.ceaf["wtp"] / 1e6,
        results.ceaf["probability"],
        color="black",
        linestyle=":",
        linewidth=2.5,
        label="acceptability frontier",
    )
    ax.axvline(settings.wtp / 1e6, color="grey", linewidth=0.8)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("willingness to pay (million yen per QALY)")
    ax.set_ylabel("probability of being the best buy")
    ax.set_title(f"Cost-effectiveness acceptability ({len(results.draws['draw'].unique())} draws)")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=120)


@with_japanese_fallback
def plot_tornado(results: PsaResults, comparator: str, path: Path) -> None:
    """One-way iNMB ranges of the most influential parameters, or why there are none."""
    table = results.tornado.head(TORNADO_BARS).iloc[::-1]
    fig = Figure(figsize=(9, 5.5))
    ax = fig.subplots()
    # The metamodel's value with every parameter at its mean is the mean iNMB.
    expected = results.draws.groupby("scenario")["nmb"].mean()
    centre = float(expected[results.tornado_strategy] - expected[comparator]) / 1e6
    for row, (_, entry) in enumerate(table.iterrows()):
        low, high = entry["inmb_at_p2_5"] / 1e6, entry["inmb_at_p97_5"] / 1e6
        ax.barh(row, high - centre, left=centre, color="#0072B2", height=0.6)
        ax.barh(row, low - centre, left=centre, color="#E69F00", height=0.6)
    ax.set_yticks(range(len(table)), labels=list(table["parameter"]), fontsize="small")
    if results.tornado_gap:
        ax.text(0.5, 0.5, f"no bars: the metamodel needs\n{results.tornado_gap}",
                transform=ax.transAxes, ha="center", va="center", wrap=True)  # fmt: skip
    ax.axvline(centre, color="black", linewidth=0.8)
    ax.set_xlabel(f"incremental NMB of {results.tornado_strategy} vs {comparator} (million yen)")
    ax.set_title(
        "One-way sensitivity, one linear metamodel of the PSA draws on all parameters\n"
        "orange: parameter at the 2.5th percentile of its draws, blue: at the 97.5th",
        fontsize="medium",
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
