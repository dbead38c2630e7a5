"""Tests for the validated Scenario: defaults, TOML loading, extends, overrides, errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from hikisim import load_scenario
from hikisim.errors import InputError
from hikisim.scenario import Scenario, parse_assignment, parse_assignments, parse_value

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_validate_and_round_trip() -> None:
    scenario = Scenario()
    again = Scenario.model_validate(scenario.model_dump())
    assert again == scenario
    assert scenario.population.youths >= 10
    assert scenario.enabled_interventions() == []


def test_scenario_is_immutable() -> None:
    scenario = Scenario()
    with pytest.raises(ValueError):
        scenario.population.youths = 5  # type: ignore[misc]


def test_baseline_file_loads() -> None:
    scenario = load_scenario(BASELINE)
    assert scenario.name == "baseline"
    assert isinstance(scenario.population.youths, int)


def test_name_defaults_to_file_stem(tmp_path: Path) -> None:
    path = write(tmp_path / "my_scenario.toml", "[population]\nyouths = 400\n")
    assert load_scenario(path).name == "my_scenario"


def test_extends_chain_merges_sections(tmp_path: Path) -> None:
    write(tmp_path / "grandparent.toml", "[population]\nyouths = 400\nmale_share = 0.4\n")
    write(
        tmp_path / "parent.toml",
        'extends = "grandparent.toml"\n[population]\nmale_share = 0.6\n'
        "[dynamics]\nonset_base = -6.0\n",
    )
    (tmp_path / "sub").mkdir()
    child = write(
        tmp_path / "sub" / "child.toml",
        'extends = "../parent.toml"\n[dynamics]\npeer_weight = 1.5\n',
    )
    scenario = load_scenario(child)
    assert scenario.population.youths == 400
    assert scenario.population.male_share == pytest.approx(0.6)
    assert scenario.dynamics.onset_base == pytest.approx(-6.0)
    assert scenario.dynamics.peer_weight == pytest.approx(1.5)
    # Untouched values keep the embedded defaults.
    assert scenario.dynamics.exit_base == Scenario().dynamics.exit_base


def test_child_scenario_is_named_after_its_own_file(tmp_path: Path) -> None:
    write(tmp_path / "base.toml", 'name = "base"\n[population]\nyouths = 400\n')
    child = write(tmp_path / "school_programme.toml", 'extends = "base.toml"\n')
    assert load_scenario(child).name == "school_programme"
    named = write(tmp_path / "other.toml", 'extends = "base.toml"\nname = "custom"\n')
    assert load_scenario(named).name == "custom"


def test_dotted_and_double_underscore_overrides(tmp_path: Path) -> None:
    path = write(tmp_path / "s.toml", "[population]\nyouths = 400\n")
    dotted = load_scenario(path, **{"population.youths": 2000, "dynamics.peer_weight": 0.0})
    assert dotted.population.youths == 2000
    assert dotted.dynamics.peer_weight == 0.0
    underscored = load_scenario(path, population__youths=2000)
    assert underscored.population.youths == 2000


def test_with_overrides_returns_new_validated_copy() -> None:
    base = Scenario()
    changed = base.with_overrides({"population.aging": False, "run.years": 2.5})
    assert changed.population.aging is False
    assert changed.run.years == 2.5
    assert base.population.aging is True


def test_unknown_key_in_file_names_file_key_and_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path / "typo.toml", "[population]\nyouth = 400\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "typo.toml" in message
    assert "population.youth" in message
    assert "did you mean 'youths'" in message
    assert info.value.field == "population.youth"


def test_unknown_section_suggests_closest(tmp_path: Path) -> None:
    path = write(tmp_path / "typo.toml", "[dynamic]\nonset_base = -5.0\n")
    with pytest.raises(InputError, match=r"typo\.toml.*did you mean 'dynamics'"):
        load_scenario(path)


def test_unknown_override_key_suggests_closest(tmp_path: Path) -> None:
    path = write(tmp_path / "s.toml", 'name = "s"\n')
    with pytest.raises(InputError, match=r"population\.youthz.*did you mean 'youths'"):
        load_scenario(path, **{"population.youthz": 5})


def test_override_into_a_value_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "s.toml", 'name = "s"\n')
    with pytest.raises(InputError, match="not a section"):
        load_scenario(path, **{"population.youths.extra": 5})


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("population.youths", 3, ">= 10 and <= 2000000"),
        ("dynamics.onset_base", 9.0, ">= -20.0 and <= 5.0"),
        ("run.years", 0, "> 0.0 and <= 100.0"),
        ("family.never_seek_share", 1.5, ">= 0.0 and <= 1.0"),
    ],
)
def test_out_of_range_names_field_and_range(
    tmp_path: Path, field: str, value: float, allowed: str
) -> None:
    section, key = field.split(".")
    path = write(tmp_path / "range.toml", f"[{section}]\n{key} = {value}\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "range.toml" in message
    assert field in message
    assert f"allowed: {allowed}" in message


def test_wrong_type_override_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "s.toml", 'name = "s"\n')
    with pytest.raises(InputError, match=r"population\.youths"):
        load_scenario(path, **{"population.youths": "many"})


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(InputError, match="loops back"):
        load_scenario(tmp_path / "a.toml")


def test_self_extension_is_a_cycle(tmp_path: Path) -> None:
    path = write(tmp_path / "self.toml", 'extends = "self.toml"\n')
    with pytest.raises(InputError, match="loops back"):
        load_scenario(path)


def test_extends_missing_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "orphan.toml", 'extends = "nowhere.toml"\n')
    with pytest.raises(InputError, match=r"orphan\.toml: extends: no such file"):
        load_scenario(path)


def test_extends_must_be_a_string(tmp_path: Path) -> None:
    path = write(tmp_path / "weird.toml", "extends = 3\n")
    with pytest.raises(InputError, match="extends"):
        load_scenario(path)


def test_bad_toml_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.toml", "[dynamics\nonset_base = \n")
    with pytest.raises(InputError, match=r"broken\.toml: not valid TOML"):
        load_scenario(path)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "absent.toml")


def test_errors_are_one_line(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.toml", "[population]\nyouths = 400\nyouths = 500\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2000", 2000), ("0.5", 0.5), ("true", True), ("[1, 2]", [1, 2]), ("abc", "abc")],
)
def test_parse_value(text: str, expected: object) -> None:
    assert parse_value(text) == expected


def test_parse_assignments_takes_each_key_once() -> None:
    assert parse_assignments(["a.b=1", "c.d = x", "a.b=1"]) == {"a.b": 1, "c.d": "x"}
    assert parse_assignments([]) == {}
    with pytest.raises(InputError, match=r"a\.b given twice \(1 and 2\); allowed: each key once"):
        parse_assignments(["a.b=1", "a.b=2"])


def test_parse_assignment() -> None:
    assert parse_assignment("population.youths = 2000") == ("population.youths", 2000)
    with pytest.raises(InputError, match=re.escape("dotted.key=value")):
        parse_assignment("population.youths")
    with pytest.raises(InputError):
        parse_assignment("=3")


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        (
            {"family.neglect_share": 0.9, "family.overprotection_share": 0.9},
            "neglect_share + overprotection_share",
        ),
        (
            {"individual.schizophrenia_prevalence": 0.5, "individual.depression_prevalence": 0.6},
            "schizophrenia_prevalence + social_anxiety_prevalence",
        ),
        (
            {"network.tie_loss_rate": 0.9, "network.online_gain_rate": 0.2},
            "tie_loss_rate + online_gain_rate",
        ),
    ],
)
def test_shares_of_one_population_may_not_add_up_past_one(
    overrides: dict[str, float], named: str
) -> None:
    # Each share is in range on its own; laid end to end they would overflow the unit
    # interval, and the population would silently shrink the later ones.
    with pytest.raises(InputError) as caught:
        Scenario().with_overrides(overrides)
    message = str(caught.value)
    assert named in message and "at most 1" in message and "\n" not in message
    section = next(iter(overrides)).split(".")[0]
    assert caught.value.field == section


def test_shares_adding_up_to_exactly_one_are_allowed() -> None:
    scenario = Scenario().with_overrides(
        {"family.neglect_share": 0.25, "family.overprotection_share": 0.75}
    )
    assert scenario.family.neglect_share + scenario.family.overprotection_share == 1.0


@pytest.mark.parametrize(
    ("key", "value", "hint"),
    [
        ("population.male_share", True, "not true or false"),
        ("run.seed", True, "not true or false"),
        ("run.years", False, "not true or false"),
        ("population.aging", "n", "must be true or false"),
        ("population.aging", 1, "must be true or false"),
        ("interventions.home_visits.enabled", "yes", "must be true or false"),
        ("interventions.home_visits.coverage", True, "not true or false"),
        ("population.family_size_weights", [True, 1, 1], "must hold numbers"),
    ],
)
def test_a_switch_is_not_a_number_nor_a_number_a_switch(key: str, value: object, hint: str) -> None:
    # Pydantic's lax mode would read these as 1, 0, False and True without a word.
    with pytest.raises(InputError) as caught:
        Scenario().with_overrides({key: value})
    assert caught.value.field == key
    assert hint in str(caught.value)


def test_numbers_of_any_kind_still_fill_numeric_fields() -> None:
    # Sweeps pass numpy numbers; TOML may write a whole float for a count.
    scenario = Scenario().with_overrides(
        {
            "population.youths": np.int64(2000),
            "population.male_share": np.float64(0.5),
            "run.years": 2,
            "population.aging": np.bool_(False),
        }
    )
    assert scenario.population.youths == 2000 and scenario.run.years == 2.0
    assert scenario.population.aging is False


@pytest.mark.parametrize("name", ["a/b", "..", "", " padded", "two\nlines", "x" * 81, "a\\b"])
def test_a_scenario_name_must_be_usable_in_a_file_name(name: str) -> None:
    with pytest.raises(InputError) as caught:
        Scenario().with_overrides({"name": name})
    assert caught.value.field == "name"
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("name", ["baseline", "my scenario", "home_visits-2.0", "東京"])
def test_plain_scenario_names_are_kept(name: str) -> None:
    assert Scenario().with_overrides({"name": name}).name == name
