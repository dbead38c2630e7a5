"""Interventions: registry, switches, targeted effects under common random numbers, costs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hikisim.metrics import current_cases
from hikisim.model import HikiModel
from hikisim.programmes import REGISTRY, Intervention, MedicalExam, Programme
from hikisim.scenario import Scenario, load_scenario
from hikisim.simulation import run_model
from hikisim.states import Care, State

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
HIKISIM = str(Path(sys.executable).parent / "hikisim")
# Large enough that each programme's effect shows above the noise it does not share
# with the baseline (common random numbers remove the rest), small enough to run fast.
# Withdrawal is made commoner than in the calibrated baseline (v1's progress intercept,
# half of episodes narrow) so that a few thousand people hold enough cases.
EFFECT_OVERRIDES = {
    "population.youths": 3000,
    "run.burn_in_years": 10,
    "run.years": 5,
    "dynamics.progress_base": -6.66,
    "dynamics.narrow_entry_share": 0.5,
}
EFFECT_SEED = 7

MISSION_PROGRAMMES = {
    "medical_exam",
    "psychotherapy",
    "family_therapy",
    "home_visits",
    "parenting_course",
    "ei_training",
    "pet_therapy",
    "social_farming",
    "online_therapy",
}


def run_with(*enabled: str, seed: int = EFFECT_SEED, **extra: object) -> HikiModel:
    overrides = dict(EFFECT_OVERRIDES) | {f"interventions.{name}.enabled": True for name in enabled}
    return run_model(Scenario().with_overrides(overrides | extra), seed=seed)


@pytest.fixture(scope="module")
def baseline() -> HikiModel:
    return run_with()


def horizon_mean(model: HikiModel, column: str) -> float:
    return float(np.mean([record[column] for record in model.weekly_records]))


def test_registry_holds_every_programme_of_the_mission() -> None:
    assert set(REGISTRY) == MISSION_PROGRAMMES
    for name, cls in REGISTRY.items():
        assert issubclass(cls, Intervention)
        assert cls.name == name
        defaults = cls.Params()
        assert defaults.enabled is False
        assert defaults.cost_per_participant_week > 0


def test_every_programme_has_a_scenario_file_that_switches_only_it_on() -> None:
    for name in MISSION_PROGRAMMES:
        scenario = load_scenario(SCENARIOS / f"{name}.toml")
        assert scenario.enabled_interventions() == [name]


def test_packages_combine_several_programmes() -> None:
    packages = {
        name: load_scenario(SCENARIOS / f"{name}.toml").enabled_interventions()
        for name in ("school_prevention", "family_support", "comprehensive")
    }
    assert "ei_training" in packages["school_prevention"]
    assert {"parenting_course", "family_therapy", "home_visits"} <= set(packages["family_support"])
    assert set(packages["comprehensive"]) == MISSION_PROGRAMMES


def test_switched_off_programme_gives_byte_identical_outputs(tmp_path: Path) -> None:
    scenario_file = tmp_path / "all_off.toml"
    tables = "\n".join(f"[interventions.{name}]\nenabled = false\n" for name in sorted(REGISTRY))
    scenario_file.write_text(
        f'extends = "{SCENARIOS / "baseline.toml"}"\nname = "baseline"\n{tables}'
    )
    outputs = {}
    for label, path in (("off", scenario_file), ("base", SCENARIOS / "baseline.toml")):
        out = tmp_path / label
        subprocess.run(
            [
                HIKISIM,
                "run",
                str(path),
                "--out",
                str(out),
                "--seed",
                "3",
                "--set",
                "population.youths=400",
                "--set",
                "run.burn_in_years=2",
                "--set",
                "run.years=1",
            ],
            check=True,
            capture_output=True,
        )
        outputs[label] = {
            f: (out / f).read_bytes() for f in ("summary.json", "weekly.csv", "episodes.csv")
        }
    assert outputs["off"] == outputs["base"]


def test_switching_on_a_programme_leaves_the_burn_in_untouched(baseline: HikiModel) -> None:
    start = baseline.settings.run.burn_in_years
    treated = run_with("psychotherapy")
    # Interventions start at the horizon, so everything before it is shared.
    assert start > 0
    base_log = baseline.episode_log.to_frame(baseline.horizon_start)
    treated_log = treated.episode_log.to_frame(treated.horizon_start)
    before = base_log["onset_week"] < 0
    columns = ["person_id", "onset_week", "onset_age", "disorder"]
    assert base_log.loc[before, columns].equals(
        treated_log.loc[treated_log["onset_week"] < 0, columns]
    )


@pytest.mark.parametrize(
    "name", ["psychotherapy", "family_therapy", "online_therapy", "home_visits"]
)
def test_therapies_reduce_person_years_withdrawn(baseline: HikiModel, name: str) -> None:
    # Withdrawal at either severity: programmes act on every withdrawn person they reach.
    # Therapies reach only youths in care, a few percent of the withdrawn, so two seeds
    # are pooled: one town alone can show an effect below the 0.1% the test asks for.
    second = EFFECT_SEED + 1
    base_years = withdrawn_weeks(baseline) + withdrawn_weeks(run_with(seed=second))
    treated_years = withdrawn_weeks(run_with(name)) + withdrawn_weeks(run_with(name, seed=second))
    assert treated_years < 0.999 * base_years


def withdrawn_weeks(model: HikiModel) -> int:
    """Person-weeks withdrawn over the horizon."""
    return sum(r["withdrawn"] for r in model.weekly_records)


def test_parenting_course_raises_help_seeking(baseline: HikiModel) -> None:
    treated = run_with("parenting_course")
    took = treated.population.families.took_course
    assert took.any()
    assert not baseline.population.families.took_course.any()
    # The same families, same draws: those who took the course sought help more often.
    with_course = treated.population.families.sought_help[took].mean()
    without = baseline.population.families.sought_help[took].mean()
    assert with_course > without + 0.03
    overall = treated.population.families.sought_help.mean()
    assert overall > baseline.population.families.sought_help.mean()


def test_home_visits_reach_cases_whose_families_never_sought_help(baseline: HikiModel) -> None:
    treated = run_with("home_visits")
    (visits,) = treated.interventions
    assert visits.outcomes(treated)["home_visits_reached_share"] > 0.2
    y = treated.population.youths
    reached = visits.ever_visited == y.person_id
    assert reached.any()
    assert not treated.population.families.sought_help[y.family[reached]].all()


def test_emotional_training_lowers_entry_into_at_risk(baseline: HikiModel) -> None:
    treated = run_with("ei_training", **{"interventions.ei_training.coverage": 1.0})
    assert horizon_mean(treated, "at_risk") < 0.97 * horizon_mean(baseline, "at_risk")


def test_medical_exam_finds_more_disorders(baseline: HikiModel) -> None:
    treated = run_with("medical_exam")
    assert (
        treated.population.youths.disorder_detected.sum()
        > baseline.population.youths.disorder_detected.sum()
    )


def test_pet_therapy_improves_adherence_to_care(baseline: HikiModel) -> None:
    treated = run_with("pet_therapy", **{"interventions.pet_therapy.coverage": 1.0})
    assert horizon_mean(treated, "in_treatment") > horizon_mean(baseline, "in_treatment")


def test_social_farming_speeds_reentry(baseline: HikiModel) -> None:
    treated = run_with("social_farming", **{"interventions.social_farming.coverage": 1.0})
    assert horizon_mean(treated, "recovering") < 0.95 * horizon_mean(baseline, "recovering")


def test_costs_add_up() -> None:
    model = run_with(*sorted(REGISTRY))
    by_programme = {}
    for intervention in model.interventions:
        p = intervention.params
        if isinstance(intervention, MedicalExam):
            expected = (
                intervention.participant_weeks * p.cost_per_participant_week
                + intervention.hospital_weeks * p.cost_per_hospital_week
            )
        else:
            expected = intervention.participant_weeks * p.cost_per_participant_week
        assert intervention.participant_weeks > 0, intervention.name
        assert intervention.cost == pytest.approx(expected)
        by_programme[intervention.name] = intervention.cost
    weekly_total = sum(record["cost"] for record in model.weekly_records)
    assert weekly_total == pytest.approx(sum(by_programme.values()))
    assert sum(isinstance(i, Programme) for i in model.interventions) == 6
    # Week by week, the cost by unit price adds up to the week's cost, and each price's
    # weeks to what the programme paid at it (what the one-way analysis scales).
    parts = model.weekly_cost_parts
    assert all(len(weeks) == len(model.weekly_records) for weeks in parts.values())
    for week, record in enumerate(model.weekly_records):
        assert sum(weeks[week] for weeks in parts.values()) == pytest.approx(record["cost"])
    hospital = parts["interventions.medical_exam.cost_per_hospital_week"]
    exam = next(i for i in model.interventions if isinstance(i, MedicalExam))
    assert sum(hospital) == pytest.approx(exam.hospital_weeks * exam.params.cost_per_hospital_week)
    assert sum(hospital) > 0


def test_treated_episodes_name_their_programmes() -> None:
    model = run_with("psychotherapy")
    log = model.episode_log.to_frame(model.horizon_start)
    assert log["programmes"].str.contains("psychotherapy").any()
    cases = current_cases(model)
    y = model.population.youths
    assert np.all(np.isin(y.care[cases], [Care.NONE, Care.CLINICAL, Care.PSYCHOSOCIAL]))
    assert np.all(y.state[cases] == State.WITHDRAWN)


def test_misspelt_programme_lists_the_valid_names(tmp_path: Path) -> None:
    bad = tmp_path / "typo.toml"
    bad.write_text(
        f'extends = "{SCENARIOS / "baseline.toml"}"\n[interventions.psychoterapy]\nenabled = true\n'
    )
    result = subprocess.run(
        [HIKISIM, "run", str(bad), "--out", str(tmp_path / "out")], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "interventions.psychoterapy" in result.stderr
    assert "did you mean 'psychotherapy'" in result.stderr
    for name in MISSION_PROGRAMMES:
        assert name in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ("interventions.home_visits.coverage=1.5", "interventions.home_visits.coverage"),
        ("interventions.psychotherapy.mode=solo", "interventions.psychotherapy.mode"),
        ("interventions.parenting_course.enabled=maybe", "interventions.parenting_course.enabled"),
    ],
)
def test_bad_programme_values_exit_2(tmp_path: Path, setting: str, field: str) -> None:
    result = subprocess.run(
        [
            HIKISIM,
            "run",
            str(SCENARIOS / "baseline.toml"),
            "--set",
            setting,
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert field in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()
