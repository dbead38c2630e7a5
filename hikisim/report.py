"""``report.md``: what CHEERS 2022 asks a model-based economic evaluation to state.

The report is assembled from the comparison's own inputs and results, so every number
in it comes from the run that wrote it: the scenarios and what they switch on, the
perspective, horizon and discount rate, the outcome measures with the sources of their
values, how uncertainty was handled, and the results with their intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from hikisim.appraisal import incremental_markdown
from hikisim.clock import shift_month
from hikisim.economics.outcomes import AppraisalSettings
from hikisim.economics.parameters import EconomicParameters, Parameter
from hikisim.expected_values import evpi_interval, expected_values
from hikisim.psa_analysis import PsaResults, variance_gap
from hikisim.scenario import MAX_HORIZON_YEARS, Scenario

PERSPECTIVE_TEXT = {
    "payer": "the public payer, health care and beyond it: programme costs as the model "
    "counts them (participant-weeks times unit costs), which fall on schools and "
    "municipal services (training in schools, parenting courses, outreach) as well as on "
    "health care, and the person-weeks in usual care, clinical or psychosocial, which the "
    "programmes change. Japan's guideline takes the public health-care payer as its "
    "standard; this one is wider, because most of the programmes are not health care",
    "societal": "societal: the payer's costs (programmes and usual care) plus earnings "
    "lost in weeks that adults (20+) spend withdrawn and, after re-entry, to the lasting "
    "mark of the years withdrawn on work (human-capital method)",
}


def _sources(params: EconomicParameters, section: str) -> list[str]:
    return [
        f"- `{p.name}` = {p.value:g} {p.unit}; PSA: {_psa_distribution(p, section)}. "
        f"Source: {p.source}"
        for p in params.section(section).values()
    ]


def _psa_distribution(parameter: Parameter, section: str) -> str:
    if parameter.below:
        return (
            f"`{section}.{parameter.below}` less a gap of {parameter.gap:g}, "
            f"{parameter.distribution} (SE {parameter.se:g})"
        )
    if parameter.between:
        first, second = (f"`{section}.{key}`" for key in parameter.between)
        return f"the midpoint of {first} and {second}"
    if parameter.distribution == "fixed":
        return "fixed"
    return f"{parameter.distribution} (SE {parameter.se:g})"


def _comparators(scenarios: Sequence[Scenario]) -> list[str]:
    lines = []
    for scenario in scenarios:
        programmes = ", ".join(scenario.enabled_interventions()) or "none (usual care only)"
        lines.append(f"- **{scenario.name}**: {scenario.description} Programmes: {programmes}.")
    return lines


def report_markdown(
    table: pd.DataFrame,
    scenarios: Sequence[Scenario],
    settings: AppraisalSettings,
    params: EconomicParameters,
    provenance: dict[str, Any],
    health_table: str,
    psa: PsaResults | None = None,
    qaly_gains_table: str = "",
    notes: Sequence[str] = (),
    discounting_table: str = "",
    one_way_table: str = "",
) -> str:
    """The report as Markdown.

    Args:
        table: The comparison table (frontier order, with the appraisal columns).
        scenarios: The compared scenarios, the comparator first.
        settings: Discount rate, perspective and willingness to pay.
        params: The economic parameters used.
        provenance: Replicates, seeds, version and command of the comparison.
        health_table: The health-outcome table in Markdown.
        psa: The probabilistic sensitivity analysis, if one was run.
        qaly_gains_table: Where each scenario's QALYs differ from the first one's, in
            Markdown (:func:`hikisim.appraisal.qaly_gains_markdown`); none if empty.
        notes: Sentences on scenarios that differ from the first in more than their
            programmes (:func:`hikisim.compare.differences_note`).
        discounting_table: The incremental analysis at other discount rates, in
            Markdown (:func:`hikisim.appraisal.discount_sensitivity_markdown`).
        one_way_table: The one-way sensitivity of the economic parameters, in Markdown
            (:func:`hikisim.one_way.one_way_markdown`); none if empty.

    Returns:
        The report.
    """
    first = scenarios[0]
    horizon = first.run.years
    start = shift_month(first.run.present, -first.run.burn_in_years)
    replicates = provenance["replicates"]
    lines = [
        "# Cost-effectiveness of hikikomori prevention and support scenarios",
        "",
        f"Produced by `{provenance.get('command', 'hikisim compare')}` with hikisim "
        f"{provenance['version']}. Items follow CHEERS 2022 (Husereau et al., Value Health "
        "2022;25(1):3-9) where a simulation study can state them.",
        "",
        "## Setting, population and comparators",
        "",
        f"A simulated town of {first.population.youths:,} people aged 10-"
        f"{first.population.max_age} with Japan's risk-factor structure (see docs/model.md for "
        f"the model and its sources), simulated from {start} and appraised from "
        f"{first.run.present}. Compared scenarios, the first being the "
        "comparator for incremental net monetary benefit:",
        "",
        *_comparators(scenarios),
        "",
        *(f"**Note.** {note}" for note in notes),
        *([""] if notes else []),
        "## Perspective, horizon and discounting",
        "",
        f"- Perspective: {PERSPECTIVE_TEXT[settings.perspective]}.",
        f"- Time horizon: {horizon:g} years from the start of the programmes, "
        + delivery_text(scenarios, horizon)
        + ".",
        f"- Discount rate: {settings.discount_rate:.1%} a year for costs and QALYs alike, each "
        "week's amount discounted at its mid-point (Japan's guideline uses 2%, with 0-4% "
        "in sensitivity analysis).",
        f"- Willingness to pay: {settings.wtp:,.0f} yen per QALY.",
        f"- Currency: {params.currency} at {params.price_year} prices (the unit costs "
        f"below and in the scenario files){_price_note(params)}.",
        "",
        *(
            [
                "Sensitivity to the discount rate (the same runs valued at each rate; "
                "`discounting.csv`):",
                "",
                discounting_table,
            ]
            if discounting_table
            else []
        ),
        "## Outcomes and their values",
        "",
        "Effects are discounted QALYs of the whole population: person-weeks in each state "
        "times the state's utility, less what psychiatric disorders take. The utilities "
        "below engaged already stand for people with depressive symptoms, so a disorder's "
        "decrement and a state's gap below engaged are not added: a person-week with both "
        "is worth the engaged utility less the larger of the two (the minimum method), and "
        "a person with a disorder is never worse off engaged (a latent disorder and a "
        "depressive episode that began in withdrawal add their decrements first). A "
        "latent disorder is held at "
        "lifetime prevalence but is not active every week, so its decrement is weighted by the "
        "share of weeks a lifetime disorder is active; a depressive episode that began in "
        "withdrawal takes the whole decrement while it lasts. Withdrawal has no direct "
        "EQ-5D study, so its utilities are stand-ins:",
        "",
        *_sources(params, "utilities"),
        "",
        "Disorder decrements:",
        "",
        *_sources(params, "disorder_decrements"),
        "",
        "Share of weeks a lifetime disorder is active:",
        "",
        *_sources(params, "disorder_active_shares"),
        "",
    ]
    if settings.perspective == "societal":
        lines += ["Productivity values:", "", *_sources(params, "productivity"), ""]
    lines += [
        "Usual care, per person-week:",
        "",
        *_sources(params, "care_costs"),
        "",
        "Programme unit costs are the scenario files' `cost_per_participant_week` values; "
        "their sources and PSA distributions are in `hikisim/data/economics.toml`.",
        "",
        "## Analytic methods and uncertainty",
        "",
        f"Each scenario was run {replicates} times with the seeds {provenance['seeds']}; "
        "replicate *i* uses the same seed in every scenario and each mechanism draws from "
        "its own random stream (common random numbers), so differences are paired. "
        "Intervals are 95% Student-t intervals over replicates, cut at 0 for quantities "
        "that cannot be negative (prevalence, person-years, cases, costs and QALYs; the cut "
        "keeps the coverage), except that of the cost per person-year averted, which is "
        "Fieller's interval for a ratio of paired means "
        "(Willan & O'Brien, Health Econ 1996;5(4):297-305), n/a where the person-years averted "
        "are not significantly above 0 (the interval is then unbounded). They describe "
        "**Monte Carlo noise only**; parameter uncertainty is the subject of the probabilistic "
        "sensitivity analysis"
        + (" below." if psa is not None else ", which this comparison did not run (`--psa N`)."),
        "",
        "## Results",
        "",
        "Incremental analysis (strategies in order of cost; ICERs against the previous "
        "efficient strategy; dominated and extendedly dominated strategies have none):",
        "",
        incremental_markdown(table, settings, first.name),
        *(
            [
                f"Where the QALY differences from {first.name} come from (discounted QALYs "
                "gained, means over the replicates): each state's part is the change in "
                "its person-weeks times its utility gap to engaged, over 52, and the "
                "disorders' part the change in their decrements; the parts add up to the "
                "difference in QALYs (`qaly_gains.csv`). A gain from weeks at risk rests "
                "on the at-risk utility, a stand-in (see Outcomes and their values):",
                "",
                qaly_gains_table,
            ]
            if qaly_gains_table
            else []
        ),
        *(
            [
                "One-way sensitivity of the economic parameters (`one_way.csv`, the widest "
                "ten): each moved alone to the 2.5th and 97.5th percentiles of its PSA "
                "distribution and the same runs valued again, with the strategy of highest "
                "NMB at each end. A state below another moves with its gap (the smaller "
                "gap, the higher utility, comes first) and carries the states below it, "
                "which keep their gaps; a programme price moves as a multiple of each "
                "scenario's own price (x). The model's own parameters (programme effects, "
                "half-lives, natural history) need new runs; the PSA draws them:",
                "",
                one_way_table,
            ]
            if one_way_table
            else []
        ),
        "Health outcomes (undiscounted; the cost column is the undiscounted programme cost):",
        "",
        health_table,
        "![Cost-effectiveness plane](ce_plane.png)",
        "",
        "![Prevalence](prevalence.png)",
        "",
        *(
            psa_section(psa, settings, first.name, first.population.youths)
            if psa is not None
            else []
        ),
        "## Limitations",
        "",
        "- Utilities for withdrawal and for being at risk are stand-ins from depression "
        "studies; where most of a QALY gain comes from fewer weeks at risk (the table of "
        "QALY sources), the result rests on the at-risk stand-in.",
        "- Usual care is costed by person-weeks at a flat weekly price per kind; the "
        "psychosocial price is an assumption, and the clinical one leaves out "
        "consultation and drug fees.",
        "- A disorder in a state below engaged takes only what its decrement exceeds the "
        "state's gap (the minimum method), an assumption that errs towards smaller losses "
        "from disorders outside engagement.",
        "- The model's calibration fits a handful of survey figures; " + _calibration_limit(psa),
        *horizon_limit(table, scenarios, horizon),
        "- Nobody dies in the model: people leave it only by passing its oldest age, so "
        "the excess mortality of withdrawal and of the disorders, suicide among them, is "
        "left out, and with it any life-years a programme saves.",
        "- The PSA draws its parameters independently, except the calibrated ones (drawn "
        "jointly from the posterior) and the utilities (drawn as ordered gaps). Effects "
        "whose source is 'as psychotherapy' share one assumption but not one draw, which "
        "understates the joint uncertainty of a package that combines them.",
        "",
    ]
    return "\n".join(lines)


def delivery_text(scenarios: Sequence[Scenario], horizon: float) -> str:
    """Which years of the horizon the programmes take new participants in, as a clause.

    Args:
        scenarios: The compared scenarios (they may differ in ``run.delivery_years``).
        horizon: The horizon in years.

    Returns:
        A clause that follows "N years from the start of the programmes, ".
    """
    years = _delivery_years(scenarios, horizon)
    if min(years) >= horizon:
        return "which take new participants throughout"
    after = (
        "; the rest of the horizon follows the effects they leave and pays only for "
        "participants finishing a programme"
    )
    if len(set(years)) == 1:
        return f"which take new participants in its first {years[0]:g} years " + (
            "(`run.delivery_years`)" + after
        )
    each = ", ".join(f"{s.name} {y:g}" for s, y in zip(scenarios, years, strict=True))
    return f"which take new participants for as many years as each scenario says ({each})" + after


def _delivery_years(scenarios: Sequence[Scenario], horizon: float) -> list[float]:
    """Each scenario's years of delivery within the horizon, in the scenarios' order."""
    return [min(scenario.run.delivery_years, horizon) for scenario in scenarios]


def _price_note(params: EconomicParameters) -> str:
    """The economic file's caveat on its price year, as a clause (or nothing)."""
    return f"; {params.price_note}" if params.price_note else ""


def horizon_limit(table: pd.DataFrame, scenarios: Sequence[Scenario], horizon: float) -> list[str]:
    """A limitation when some programme's effects outlast the horizon, with the cure.

    Args:
        table: The comparison table, with ``effects_gone_years``.
        scenarios: The compared scenarios.
        horizon: The horizon in years.

    Returns:
        One Markdown line, or none when every effect is gone within the horizon.
    """
    if "effects_gone_years" not in table:
        return []
    gone = pd.to_numeric(table["effects_gone_years"], errors="coerce").max()
    if not gone > horizon:
        return []
    longer = min(math.ceil(gone / 10) * 10, int(MAX_HORIZON_YEARS))
    years = set(_delivery_years(scenarios, horizon))
    # One delivery length for all can be set on the command line; several stay in the
    # scenario files.
    delivery = f" --set run.delivery_years={years.pop():g}" if len(years) == 1 else ""
    beyond = (
        f" (the longest horizon; the tail beyond {longer} years stays uncounted)"
        if gone > longer
        else ""
    )
    return [
        f"- Programme effects outlast the horizon: the last of them fades below 5% "
        f"{gone:.1f} years after the start (the health table's 'effects gone'). The "
        "horizon counts the costs of every programme delivered in it but not the QALYs "
        "of that tail, which understates the programmes' value. A longer horizon, with "
        f"delivery kept to the same years, counts it: `--years {longer}{delivery}`{beyond}."
    ]


def expected_value_lines(
    psa: PsaResults, settings: AppraisalSettings, comparator: str
) -> list[str]:
    """The PSA's means beside the deterministic results, as Markdown lines."""
    names = list(psa.ceac.columns)
    means = expected_values(psa.draws, names)
    return [
        f"Expected values over the draws (means; the incremental NMB against {comparator} "
        f"at {settings.wtp / 1e6:g} M yen per QALY, with the 2.5th and 97.5th percentiles "
        "of its draws). The Results above ran the model at the parameters' point values "
        "(for the calibrated ones, the posterior draw nearest its median), and the means "
        "over the draws differ from them: the distributions are skewed, the model is not "
        "linear in its parameters, and the draws' runs carry Monte Carlo noise of their "
        "own. The PSA's best buy above rests on these means (Briggs et al. 2012, "
        "ISPOR-SMDM):",
        "",
        "| scenario | cost (M yen) | QALYs | NMB (M yen) | iNMB (M yen) | 95% of draws |",
        "|---|---|---|---|---|---|",
        *(
            f"| {name} | {row.cost / 1e6:,.1f} | {row.qalys:,.1f} | {row.nmb / 1e6:,.1f} "
            f"| {row.inmb / 1e6:,.1f} | {row.inmb_low / 1e6:,.1f} to "
            f"{row.inmb_high / 1e6:,.1f} |"
            for name, row in means.iterrows()
        ),
        "",
    ]


def psa_summary_lines(
    psa: PsaResults, settings: AppraisalSettings, draws: int, evpi_now: float, people: int = 0
) -> list[str]:
    """EVPI and the EVPPI ranking, with the overfit check, as Markdown lines."""
    town = f" ({people:,} people)" if people else ""
    per_person = f", {evpi_now / people:,.0f} yen per person" if people else ""
    low, high = evpi_interval(psa.draws, list(psa.ceac.columns), settings.wtp)
    return [
        f"EVPI for the modelled town{town} over the horizon at {settings.wtp / 1e6:g} M yen "
        f"per QALY: {evpi_now / 1e6:,.2f} M yen{per_person}. Over resampled draws (a "
        f"percentile bootstrap) it spreads from {low / 1e6:,.2f} to {high / 1e6:,.2f} M yen "
        "(95%); the spread shrinks with more draws, but it leaves out the upward bias that "
        "the runs' Monte Carlo noise gives an EVPI, which only more runs per draw remove. "
        "EVPPI of each parameter "
        "group, by regression on the "
        f"{draws} draws (only parameters of programmes that some scenario runs). A "
        "regression on few draws fits noise, so each group is set against a noise floor: "
        f"the largest EVPPI of {psa.evppi['null_replicates'].iloc[0]} groups of as many "
        "columns of pure noise; a group that does not beat its noise floor by 5% of "
        "the EVPI cannot be told apart from overfit (more draws are needed). Regression: "
        f"{psa.evppi['method'].iloc[0]} (penalised splines below 300 draws, additive for "
        "groups of three or more parameters; a Gaussian process from 300):",
        "",
        "| group | parameters | EVPPI (M yen) | share of EVPI | noise floor (M yen) | beats it |",
        "|---|---|---|---|---|---|",
        *(
            f"| {row.group} | {row.parameters} | {row.evppi / 1e6:,.2f} "
            f"| {_share_text(row.share_of_evpi)} | {row.null_evppi / 1e6:,.2f} "
            f"| {_beats_text(row)} |"
            for row in psa.evppi.itertuples()
        ),
        "",
        *_evppi_warnings(psa.evppi, draws, evpi_now),
    ]


def _beats_text(row: Any) -> str:
    """Whether an EVPPI row beats its noise floor, saying so where it is above the EVPI."""
    if row.above_evpi:
        return "no (above the EVPI)"
    return "yes" if row.informative else "no"


def _evppi_warnings(evppi: pd.DataFrame, draws: int, evpi_now: float) -> list[str]:
    """Why an EVPPI table says nothing: no decision uncertainty, overfit, or all 0."""
    if evpi_now <= 0:
        return [
            "The EVPI is 0: the same strategy is best in every draw, so perfect "
            "information on any parameter would change no decision, and every EVPPI is 0.",
            "",
        ]
    lines = []
    if evppi["above_evpi"].any():
        names = list(evppi.loc[evppi["above_evpi"], "group"])
        groups = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        lines += [
            f"The EVPPI of {groups} is above the EVPI, which perfect information on one "
            f"group cannot be: the regression overfits the {draws} draws, so the estimate "
            "means nothing. Run more draws.",
            "",
        ]
    if (evppi["evppi"] == 0).all() and (evppi["null_evppi"] == 0).all():
        lines += [
            f"Every EVPPI and noise floor is 0 while the EVPI is not: on {draws} draws the "
            "regression smoothed the net benefit to a constant for every group, so it can "
            "tell nothing apart. Run more draws.",
            "",
        ]
    return lines


def _share_text(share: float) -> str:
    """A share as a percentage, or n/a where it has no value (an EVPI of 0)."""
    return "n/a" if math.isnan(share) else f"{share:.0%}"


def _calibration_limit(psa: PsaResults | None) -> str:
    """What the report must say about where its natural-history uncertainty comes from."""
    if psa is None:
        return "no PSA was run (`--psa N`), so no parameter uncertainty is shown."
    if psa.posterior_keys:
        return (
            "the PSA draws the calibrated parameters from its posterior, which comes from "
            "emulators and leaves most parameters near their priors (docs/calibration.md)."
        )
    return (
        "this PSA ran with `--posterior none`, so natural-history uncertainty comes from "
        "wide placeholder priors, not from the data."
    )


def _at_wtp(index: pd.Index, wtp: float) -> int:
    """The position of ``wtp`` in a PSA's grid, which holds it exactly (never the nearest).

    Raises:
        ValueError: If the grid lacks it (results analysed at another willingness to pay).
    """
    matches = (index == wtp).nonzero()[0]
    if not len(matches):
        raise ValueError(f"the PSA's willingness-to-pay grid does not hold {wtp:g}")
    return int(matches[0])


def psa_section(
    psa: PsaResults, settings: AppraisalSettings, comparator: str, people: int = 0
) -> list[str]:
    """The PSA's results as Markdown lines: best buy, EVPI, EVPPI, variance, figures.

    Args:
        psa: The PSA's results.
        settings: The willingness to pay.
        comparator: The first scenario.
        people: The modelled town's population, for the EVPI per person (0: not given).
    """
    draws = psa.draws["draw"].nunique()
    at_wtp = psa.ceac.iloc[_at_wtp(psa.ceac.index, settings.wtp)]
    frontier = psa.ceaf.iloc[_at_wtp(pd.Index(psa.ceaf["wtp"]), settings.wtp)]
    evpi_now = float(psa.evpi.iloc[_at_wtp(psa.evpi.index, settings.wtp)])
    lines = [
        "## Probabilistic sensitivity analysis",
        "",
        f"{draws} parameter draws; each draw ran every scenario with the same seeds. Priors: "
        + (
            f"the {len(psa.posterior_keys)} calibrated natural-history parameters drawn "
            "jointly from the calibration posterior (`compare --posterior`, each scenario "
            "keeping its offset from the posterior's representative draw), and "
            if psa.posterior_keys
            else ""
        )
        + "`hikisim/data/psa_priors.toml` (programme effects, "
        + ("other natural-history parameters" if psa.posterior_keys else "natural history")
        + ") and `hikisim/data/economics.toml` (unit costs; utilities, drawn as gaps that "
        "keep the health states in order; disorder decrements and the share of weeks a "
        "lifetime disorder is active; productivity), each with its source or marked as an "
        "assumption.",
        "",
        f"At {settings.wtp / 1e6:g} M yen per QALY the strategy with the highest expected net "
        f"monetary benefit is **{frontier['strategy']}**, optimal in "
        f"{frontier['probability']:.0%} of draws. Probability of being the best buy:",
        "",
        "| scenario | probability |",
        "|---|---|",
        *(f"| {name} | {value:.2f} |" for name, value in at_wtp.items()),
        "",
        *expected_value_lines(psa, settings, comparator),
        *psa_summary_lines(psa, settings, draws, evpi_now, people),
    ]
    if len(psa.variance):
        lines += [
            f"Variance of the incremental NMB against {comparator}, split into parameter "
            "uncertainty and Monte Carlo noise (O'Hagan, Stevenson & Madan 2007):",
            "",
            "| scenario | parameter variance share | Monte Carlo share |",
            "|---|---|---|",
            *(
                f"| {row.scenario} | {1 - row.monte_carlo_share:.0%} "
                f"| {row.monte_carlo_share:.0%} |"
                for row in psa.variance.itertuples()
            ),
            "",
        ]
    elif gap := variance_gap(draws, psa.replicates, len(psa.ceac.columns)):
        lines += [
            "`variance.csv` holds only its header: splitting the incremental NMB's "
            f"variance into parameter uncertainty and Monte Carlo noise needs {gap}.",
            "",
        ]
    if psa.replicates < 2:
        lines += [
            "With one run of each scenario per draw, each draw's net benefits carry the "
            "run's Monte Carlo noise as well as the parameters' uncertainty, so the EVPI "
            "and the probabilities above overstate the decision uncertainty by an amount "
            "this PSA cannot measure (`--psa-replicates 2` or more measures it).",
            "",
        ]
    lines += [
        "![CEAC](ceac.png)",
        "",
        f"![Tornado: {psa.tornado_strategy} vs {comparator}](tornado.png)",
        "",
    ]
    if psa.tornado_gap:
        lines += [
            "`tornado.csv` holds only its header: the tornado is read off one linear "
            "regression of the incremental NMB on all parameters together (Jalal et al. "
            f"2013), and that metamodel needs {psa.tornado_gap}.",
            "",
        ]
    return lines
