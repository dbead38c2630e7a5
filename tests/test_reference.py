"""The generated parameter reference: baseline file, docs tables, and field descriptions."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from hikisim import load_scenario
from hikisim.programmes import REGISTRY, InterventionParams, ProgrammeParams
from hikisim.reference import (
    baseline_toml,
    extract_block,
    generated_block,
    main,
    parameter_tables,
    sections,
    split_description,
)
from hikisim.scenario import Scenario

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"
MODEL_DOC = REPO / "docs" / "model.md"
REGENERATE = "python -m hikisim.reference baseline > scenarios/baseline.toml"


def documented_models() -> list[type[BaseModel]]:
    """Every scenario section and every intervention's parameter model."""
    models = [table.model for table in sections()]
    return [*models, InterventionParams, ProgrammeParams, *(c.Params for c in REGISTRY.values())]


def test_committed_baseline_is_generated() -> None:
    assert BASELINE.read_text(encoding="utf-8") == baseline_toml(), f"run: {REGENERATE}"


def test_baseline_loads_to_defaults() -> None:
    assert load_scenario(BASELINE) == Scenario()


def test_generated_toml_round_trips_a_changed_scenario(tmp_path: Path) -> None:
    changed = Scenario().with_overrides(
        {
            "population.youths": 1234,
            "family.stigma": 1.25,
            "interventions.psychotherapy.enabled": True,
            "interventions.psychotherapy.mode": "group",
        }
    )
    path = tmp_path / "changed.toml"
    path.write_text(baseline_toml(changed), encoding="utf-8")
    assert load_scenario(path) == changed


def test_baseline_lists_every_parameter() -> None:
    data = tomllib.loads(baseline_toml())
    for table in sections():
        node = data
        for part in table.key.split("."):
            node = node[part]
        assert set(node) == set(table.model.model_fields), table.key
    assert not any(data["interventions"][name]["enabled"] for name in REGISTRY)


@pytest.mark.parametrize("model", documented_models(), ids=lambda m: m.__name__)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    for name, info in model.model_fields.items():
        description = (info.description or "").strip()
        assert description, f"{model.__name__}.{name} has no description"
        assert "Source:" in description or "assumption" in description, (
            f"{model.__name__}.{name}: description must give a Source: or say assumption"
        )
        meaning, _, source = split_description(description)
        assert meaning and source, f"{model.__name__}.{name}: meaning and source expected"


def test_tables_cover_every_parameter() -> None:
    tables = parameter_tables()
    for table in sections():
        assert f"`[{table.key}]`" in tables
        for name in table.model.model_fields:
            assert f"| `{name}` |" in tables


def test_model_doc_tables_are_current() -> None:
    block = extract_block(MODEL_DOC.read_text(encoding="utf-8"))
    assert block is not None, "docs/model.md has no generated parameter block"
    assert block == generated_block(), "run: python -m hikisim.reference docs docs/model.md"


def test_other_scenario_files_still_load() -> None:
    for path in sorted((REPO / "scenarios").glob("*.toml")):
        scenario = load_scenario(path)
        assert scenario.name == path.stem


def test_command_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["baseline"]) == 0
    assert capsys.readouterr().out == baseline_toml()
    assert main(["tables"]) == 0
    assert capsys.readouterr().out == parameter_tables()
    doc = tmp_path / "doc.md"
    doc.write_text(f"intro\n\n{generated_block().replace('| `seed` |', '| old |')}\n\nend\n")
    assert main(["docs", str(doc)]) == 0
    assert doc.read_text() == f"intro\n\n{generated_block()}\n\nend\n"
    assert main(["docs", str(tmp_path / "missing.md")]) == 2
    assert main(["nonsense"]) == 2
