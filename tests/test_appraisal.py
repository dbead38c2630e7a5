"""Costs, QALYs and the incremental analysis of ``compare``: known answers first."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from processes import BASELINE, REPO, TINY, hikisim, one_line_error, set_options

from hikisim.appraisal import (
    appraisal_table,
    discount_sensitivity,
    discount_sensitivity_markdown,
    economics_frame,
    qaly_gains,
)
from hikisim.dynamics import WeekEvents
from hikisim.economics import annuity_factor, load_economics
from hikisim.economics.outcomes import (
    QALY_SOURCES,
    WEEKLY_INPUTS,
    AppraisalSettings,
    run_economics,
)
from hikisim.metrics import (
    DEPRESSION_EPISODE_COLUMN,
    DEPRESSION_EPISODE_STATE_COLUMNS,
    DISORDER_COLUMNS,
    DISORDER_STATE_COLUMNS,
    EPISODE_WITH_LATENT_COLUMNS,
    WEEKLY_COLUMNS,
    weekly_record,
)
from hikisim.model import HikiModel
from hikisim.states import Care, Disorder, State

PARAMS = load_economics()
UTILITY = PARAMS.values("utilities")
WEEKS = 104


def constant_weekly(**counts: float) -> dict[str, np.ndarray]:
    """Weekly series that hold the same value every week (zero where not given)."""
    return {name: np.full(WEEKS, float(counts.get(name, 0.0))) for name in WEEKLY_INPUTS}


def test_undiscounted_qalys_and_costs_are_plain_sums() -> None:
    weekly = constant_weekly(
        engaged=90, at_risk=5, withdrawn_quasi=2, withdrawn_narrow=1, recovering=2, cost=1000
    )
    outcome = run_economics(weekly, AppraisalSettings(discount_rate=0.0), PARAMS)
    per_week = (
        90 * UTILITY["engaged"]
        + 5 * UTILITY["at_risk"]
        + 2 * UTILITY["withdrawn_quasi"]
        + 1 * UTILITY["withdrawn_narrow"]
        + 2 * UTILITY["recovering"]
    ) / 52
    assert outcome.qalys == pytest.approx(per_week * WEEKS)
    assert outcome.cost == pytest.approx(1000 * WEEKS)
    assert outcome.productivity_loss == 0.0


def test_disorder_decrements_apply_to_the_well_who_have_them_while_active() -> None:
    # 10 with depression, 4 of them in an episode that began in withdrawal (active all
    # the time), 6 with a latent lifetime depression (active a share of the weeks).
    plain = constant_weekly(engaged=100)
    ill = constant_weekly(
        engaged=100,
        disorder_depression_well=10,
        depression_episode_well=4,
        disorder_schizophrenia_well=2,
    )
    settings = AppraisalSettings(discount_rate=0.0)
    lost = run_economics(plain, settings, PARAMS).qalys - run_economics(ill, settings, PARAMS).qalys
    decrement = PARAMS.values("disorder_decrements")
    active = PARAMS.values("disorder_active_shares")
    per_year = (6 * active["depression"] + 4) * decrement["depression"] + 2 * active[
        "schizophrenia"
    ] * decrement["schizophrenia"]
    assert lost == pytest.approx(per_year * WEEKS / 52)


def test_a_lifetime_disorders_loss_is_its_decrement_times_its_active_share() -> None:
    settings = AppraisalSettings(discount_rate=0.0)
    ill = constant_weekly(engaged=100, disorder_social_anxiety_well=5)
    plain = constant_weekly(engaged=100)
    decrement = PARAMS.values("disorder_decrements")["social_anxiety"]
    for share in (0.25, 0.5, 0.9):
        params = PARAMS.with_values({"disorder_active_shares.social_anxiety": share})
        lost = (
            run_economics(plain, settings, params).qalys
            - run_economics(ill, settings, params).qalys
        )
        assert lost == pytest.approx(5 * share * decrement * WEEKS / 52)


def test_the_model_counts_disorders_among_the_engaged_and_recovering(
    finished_tiny_model: HikiModel,
) -> None:
    y = finished_tiny_model.population.youths
    record = finished_tiny_model.weekly_records[-1]
    well = np.isin(y.state, [State.ENGAGED, State.RECOVERING])
    active = ~y.disorder_remitted
    for disorder, column in DISORDER_COLUMNS.items():
        latent = np.count_nonzero(well & (y.disorder == disorder) & active)
        episodes = np.count_nonzero(well & y.depressed) if disorder == Disorder.DEPRESSION else 0
        assert record[column] == latent + episodes
    assert record[DEPRESSION_EPISODE_COLUMN] == np.count_nonzero(well & y.depressed)
    assert sum(record[c] for c in DISORDER_COLUMNS.values()) > 0


def test_a_disorder_takes_only_what_its_decrement_exceeds_the_states_gap() -> None:
    # 3 at risk with a latent schizophrenia, 2 in narrow withdrawal with it, 4
    # recovering in a depressive episode that began in withdrawal (active all the
    # time), 1 in quasi withdrawal with autism: each active week is worth the engaged
    # utility less the larger of the state's gap and the decrement.
    params = PARAMS
    decrement = params.values("disorder_decrements")
    share = params.values("disorder_active_shares")
    counts = {"at_risk": 3, "withdrawn_narrow": 2, "recovering": 4, "withdrawn_quasi": 1}
    plain = constant_weekly(**counts)
    ill = constant_weekly(
        **counts,
        disorder_schizophrenia_at_risk=3,
        disorder_schizophrenia_withdrawn_narrow=2,
        disorder_depression_well=4,
        depression_episode_well=4,
        depression_episode_recovering=4,
        disorder_autism_spectrum_withdrawn_quasi=1,
    )
    settings = AppraisalSettings(discount_rate=0.0)
    weekly_loss = (
        (run_economics(plain, settings, params).qalys - run_economics(ill, settings, params).qalys)
        * 52
        / WEEKS
    )

    def gap(category: str) -> float:
        return UTILITY["engaged"] - UTILITY[category]

    def taken(name: str, category: str) -> float:
        return max(decrement[name] - gap(category), 0.0)

    expected = (
        3 * share["schizophrenia"] * taken("schizophrenia", "at_risk")
        + 2 * share["schizophrenia"] * taken("schizophrenia", "withdrawn_narrow")
        + 4 * taken("depression", "recovering")
        + 1 * share["autism_spectrum"] * taken("autism_spectrum", "withdrawn_quasi")
    )
    assert weekly_loss == pytest.approx(expected)
    # The point values: schizophrenia 0.20 (active 0.64 of weeks) against gaps of 0.08
    # and 0.18, depression 0.18 against 0.04, autism 0.08 against 0.13 (takes nothing).
    assert expected == pytest.approx(3 * 0.64 * 0.12 + 2 * 0.64 * 0.02 + 4 * 0.14 + 0.0)


@pytest.mark.parametrize("draw", range(20))
def test_a_person_with_a_disorder_is_never_worse_off_in_a_better_state(draw: int) -> None:
    # In any PSA draw of the economic parameters, moving a person with an active
    # disorder up the states (narrow withdrawal, quasi, at risk, recovering, engaged)
    # never loses QALYs; an additive decrement on the engaged alone did.
    sample = PARAMS.sample(np.random.default_rng(draw), 1)
    params = PARAMS.with_values(sample.iloc[0].to_dict())
    order = ["withdrawn_narrow", "withdrawn_quasi", "at_risk", "recovering", "engaged"]
    settings = AppraisalSettings(discount_rate=0.0)
    names = ["schizophrenia", "depression", "social_anxiety", "autism_spectrum"]
    names += ["avoidant_personality", "episode", "autism_spectrum+episode"]
    names += ["schizophrenia+episode"]
    for name in names:
        values = []
        for category in order:
            counts = {category: 1.0}
            for group in ("well", category) if category == "recovering" else (category,):
                group = "well" if group == "engaged" else group
                latent, _, episode = name.partition("+")
                if latent == "episode":
                    latent, episode = "", "episode"
                if latent:
                    counts[f"disorder_{latent}_{group}"] = 1.0
                if episode:
                    counts[f"depression_episode_{group}"] = 1.0
                    if latent:
                        counts[f"depression_episode_with_{latent}_{group}"] = 1.0
                    if group == "well":
                        # The well's depression count holds its episodes.
                        counts["disorder_depression_well"] = 1.0
            values.append(run_economics(constant_weekly(**counts), settings, params).qalys)
        # Equal where the gap covers every loss, up to rounding.
        assert all(a <= b + 1e-12 for a, b in itertools.pairwise(values)), (name, values)


def test_usual_care_weeks_are_costed_by_kind() -> None:
    weekly = constant_weekly(engaged=100, in_treatment=5, in_clinical_care=3, cost=1000)
    care = PARAMS.values("care_costs")
    outcome = run_economics(weekly, AppraisalSettings(discount_rate=0.0), PARAMS)
    per_week = 3 * care["clinical_care_week"] + 2 * care["psychosocial_support_week"]
    assert outcome.care_cost == pytest.approx(per_week * WEEKS)
    assert outcome.cost == pytest.approx((per_week + 1000) * WEEKS)
    assert outcome.programme_cost == pytest.approx(1000 * WEEKS)


def test_the_model_counts_disorders_and_care_in_each_state(tiny_model: HikiModel) -> None:
    # A scrambled town, so every state, disorder, episode and care kind is present
    # (a tiny run has no episode and few people recovering).
    y = tiny_model.population.youths
    n, rng = len(y), np.random.default_rng(4)
    y.state[:] = rng.choice([int(s) for s in State], n, p=[0.4, 0.2, 0.2, 0.2])
    y.narrow[:] = rng.random(n) < 0.5
    y.disorder[:] = rng.choice([int(d) for d in Disorder], n)
    y.disorder_remitted[:] = rng.random(n) < 0.2
    y.depressed[:] = (rng.random(n) < 0.3) & (y.disorder != Disorder.DEPRESSION)
    y.care[:] = rng.choice([int(c) for c in Care], n)
    record = weekly_record(tiny_model, WeekEvents(), 0.0)
    narrow = y.narrow.astype(bool)
    withdrawn = y.state == State.WITHDRAWN
    people = {
        "recovering": y.state == State.RECOVERING,
        "at_risk": y.state == State.AT_RISK,
        "withdrawn_quasi": withdrawn & ~narrow,
        "withdrawn_narrow": withdrawn & narrow,
    }
    active = ~y.disorder_remitted
    for category, columns in DISORDER_STATE_COLUMNS.items():
        for disorder, column in columns.items():
            expected = np.count_nonzero(people[category] & (y.disorder == disorder) & active)
            assert record[column] == expected > 0, column
        column = DEPRESSION_EPISODE_STATE_COLUMNS[category]
        assert record[column] == np.count_nonzero(people[category] & y.depressed) > 0
    groups = {"well": np.isin(y.state, [State.ENGAGED, State.RECOVERING]), **people}
    for group, columns in EPISODE_WITH_LATENT_COLUMNS.items():
        for disorder, column in columns.items():
            expected = groups[group] & y.depressed & (y.disorder == disorder) & active
            assert record[column] == np.count_nonzero(expected), column
    assert (
        sum(record[c] for columns in EPISODE_WITH_LATENT_COLUMNS.values() for c in columns.values())
        > 20
    )
    assert record["in_clinical_care"] == np.count_nonzero(y.care == Care.CLINICAL)
    assert record["in_treatment"] == np.count_nonzero(y.care != Care.NONE)


def test_discounting_matches_the_weekly_annuity() -> None:
    weekly = constant_weekly(engaged=52, cost=52)
    outcome = run_economics(weekly, AppraisalSettings(discount_rate=0.04), PARAMS)
    factor = annuity_factor(WEEKS, 0.04)
    assert outcome.cost == pytest.approx(52 * factor)
    assert outcome.qalys == pytest.approx(UTILITY["engaged"] * factor)
    # Discounting makes two years worth less than two undiscounted years.
    assert factor < WEEKS


def test_the_societal_perspective_adds_lost_earnings_of_withdrawn_adults() -> None:
    # Three withdrawn adults, and former cases whose lasting mark costs 0.5 work-weeks.
    weekly = constant_weekly(
        engaged=10, withdrawn=4, withdrawn_adults=3, work_scar_weeks=0.5, cost=500
    )
    payer = run_economics(weekly, AppraisalSettings(0.0, "payer"), PARAMS)
    societal = run_economics(weekly, AppraisalSettings(0.0, "societal"), PARAMS)
    productivity = PARAMS.values("productivity")
    per_week = productivity["weekly_earnings"] * productivity["employment_probability"]
    lost = 3.5 * per_week * WEEKS
    assert societal.productivity_loss == pytest.approx(lost)
    assert societal.cost == pytest.approx(payer.cost + lost)
    assert societal.qalys == payer.qalys


def fake_runs(costs: dict[str, list[float]], engaged: dict[str, list[float]]) -> pd.DataFrame:
    runs = []
    for name in costs:
        for replicate, (cost, people) in enumerate(zip(costs[name], engaged[name], strict=True)):
            runs.append((name, replicate, constant_weekly(engaged=people, cost=cost)))
    return economics_frame(runs, AppraisalSettings(discount_rate=0.0), PARAMS)


def test_the_table_is_a_full_incremental_analysis_with_paired_inmb() -> None:
    # Per week: A costs 0, B 10, C 30, D 20; effects rise with "engaged" people.
    economics = fake_runs(
        {"A": [0, 0], "B": [10, 10], "C": [30, 30], "D": [20, 20]},
        {"A": [50, 60], "B": [52, 62], "C": [56, 66], "D": [51, 61]},
    )
    settings = AppraisalSettings(discount_rate=0.0, wtp=1000.0)
    table = appraisal_table(economics, settings).set_index("scenario")
    assert list(table.index) == ["A", "B", "D", "C"]  # frontier order, by cost
    assert table["status"].to_dict() == {
        "A": "reference",
        "B": "efficient",
        "D": "dominated",
        "C": "efficient",
    }
    qaly_per_person = UTILITY["engaged"] * WEEKS / 52
    icer_b = (10 * WEEKS) / (2 * qaly_per_person)
    icer_c = (20 * WEEKS) / (4 * qaly_per_person)
    assert table.loc["B", "icer"] == pytest.approx(icer_b)
    assert table.loc["C", "icer"] == pytest.approx(icer_c)
    assert np.isnan(table.loc["D", "icer"]) and np.isnan(table.loc["A", "icer"])
    # Paired by replicate: every replicate gains the same, so the interval has no width.
    inmb_b = 1000.0 * 2 * qaly_per_person - 10 * WEEKS
    assert table.loc["B", "inmb"] == pytest.approx(inmb_b)
    assert table.loc["B", "inmb_low"] == pytest.approx(inmb_b)
    assert table.loc["A", "inmb"] == 0.0


def test_the_discount_rate_sensitivity_revalues_the_same_runs() -> None:
    # B costs 10 more each week for one more engaged person: an ICER of 10 * 52 /
    # utility at any rate (both streams discount alike), while the iNMB's size follows
    # the annuity of each rate.
    runs = [
        (name, replicate, constant_weekly(engaged=people, cost=cost))
        for name, people, cost in (("A", 50, 0), ("B", 51, 10))
        for replicate in range(2)
    ]
    settings = AppraisalSettings(discount_rate=0.02, wtp=1000.0)
    table = discount_sensitivity(runs, settings, PARAMS)
    assert table["discount_rate"].tolist() == [0.0, 0.0, 0.02, 0.02, 0.04, 0.04]
    base = table[table["discount_rate"] == 0.02].reset_index(drop=True)
    expected = appraisal_table(economics_frame(runs, settings, PARAMS), settings)
    pd.testing.assert_frame_equal(base.drop(columns="discount_rate"), expected[base.columns[1:]])
    for rate, own in table.groupby("discount_rate"):
        b = own.set_index("scenario").loc["B"]
        assert b["icer"] == pytest.approx(10 * 52 / UTILITY["engaged"])
        factor = annuity_factor(WEEKS, rate)
        assert b["inmb"] == pytest.approx((1000.0 * UTILITY["engaged"] / 52 - 10) * factor)
    text = discount_sensitivity_markdown(table, "A")
    assert "| 0% | B | efficient |" in text and "| 4% | A | reference |" in text


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--perspective", "patient", "--perspective: must be payer or societal"),
        ("--discount", "0.5", "--discount: must be a yearly rate from 0 to 0.2"),
        ("--wtp", "-1", "--wtp: must be a number of yen per QALY >= 0"),
    ],
)
def test_bad_economic_options_are_refused(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    result = hikisim(
        "compare", BASELINE, REPO / "scenarios" / "home_visits.toml", option, value,
        *set_options(TINY), "--out", tmp_path / "out", cwd=tmp_path,
    )  # fmt: skip
    assert message in one_line_error(result)
    assert not (tmp_path / "out").exists()


def test_compare_reports_the_incremental_analysis_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = hikisim(
        "compare", BASELINE, REPO / "scenarios" / "home_visits.toml",
        REPO / "scenarios" / "comprehensive.toml", "--replicates", "2", "--discount", "0.03",
        "--perspective", "societal", "--wtp", "3000000", *set_options(TINY), "--out", out,
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out / "comparison.csv")
    assert {"cost_mean", "qaly_mean", "status", "icer", "inmb"} <= set(table.columns)
    assert list(table["cost_mean"]) == sorted(table["cost_mean"])
    assert set(table["status"]) <= {"reference", "efficient", "dominated", "extendedly dominated"}
    assert (table["status"] == "reference").sum() == 1
    efficient = table["status"] == "efficient"
    assert table.loc[efficient, "icer"].notna().all() and table.loc[~efficient, "icer"].isna().all()
    # Societal costs exceed programme costs by the lost earnings.
    runs = pd.read_csv(out / "runs.csv")
    assert (runs["appraisal_cost"] > 0).all()
    report = (out / "report.md").read_text()
    for phrase in ("societal", "3.0% a year", "3,000,000 yen per QALY", "Monte Carlo noise only"):
        assert phrase in report, phrase
    assert (out / "ce_plane.png").stat().st_size > 10_000
    assert "| status |" in result.stdout


def test_compare_without_options_uses_japans_defaults(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    args = [BASELINE, REPO / "scenarios" / "home_visits.toml", "--replicates", "1"]
    result = hikisim("compare", *args, *set_options(TINY), "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    provenance = json.loads((out / "comparison.json").read_text())
    assert provenance["discount_rate"] == 0.02
    assert provenance["perspective"] == "payer"
    assert provenance["wtp"] == 5_000_000


def test_the_appraisal_reads_only_columns_the_weekly_record_writes() -> None:
    # outcomes.py names the columns itself (the economics package does not import the
    # model); a renamed column would otherwise fail only when a comparison is appraised.
    assert set(WEEKLY_INPUTS) <= set(WEEKLY_COLUMNS)


def test_the_qaly_gain_splits_into_its_sources_and_they_add_up() -> None:
    # Ten people move from at risk to engaged, two from narrow withdrawal to engaged,
    # and one engaged person loses a latent social anxiety disorder, every week.
    settings = AppraisalSettings(discount_rate=0.0)
    before = constant_weekly(
        engaged=80, at_risk=15, withdrawn_narrow=5, disorder_social_anxiety_well=3
    )
    after = constant_weekly(
        engaged=92, at_risk=5, withdrawn_narrow=3, disorder_social_anxiety_well=2
    )
    runs = [("base", 0, before), ("plan", 0, after)]
    gains = qaly_gains(runs, settings, PARAMS).set_index("scenario").loc["plan"]
    years = WEEKS / 52
    gap = {state: UTILITY["engaged"] - UTILITY[state] for state in UTILITY}
    assert gains["at_risk"] == pytest.approx(10 * gap["at_risk"] * years)
    assert gains["withdrawn_narrow"] == pytest.approx(2 * gap["withdrawn_narrow"] * years)
    assert gains["withdrawn_quasi"] == gains["recovering"] == 0.0
    decrement = PARAMS.values("disorder_decrements")["social_anxiety"]
    share = PARAMS.values("disorder_active_shares")["social_anxiety"]
    assert gains["disorders"] == pytest.approx(decrement * share * years)
    difference = (
        run_economics(after, settings, PARAMS).qalys - run_economics(before, settings, PARAMS).qalys
    )
    assert gains["total"] == pytest.approx(difference)
    assert gains[list(QALY_SOURCES)].sum() == pytest.approx(difference)
