"""The version-2 calibration targets: the packaged copy and the loader's validation."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from hikisim.errors import InputError
from hikisim.targets import DEFINITIONS, Target, default_targets_path, load_targets

SHARED_TARGETS = Path(__file__).resolve().parents[2] / "shared" / "calibration" / "targets-v2.toml"

GOOD: dict[str, Any] = {
    "value": 0.0157,
    "tolerance": [0.0113, 0.0201],
    "date": "2015-12",
    "ages": [15, 39],
    "definition": "cao_broad",
    "measure": "current cases / population aged 15-39",
    "n": 3115,
    "confidence": "A",
    "source": "Cabinet Office 2016.",
}


def toml_value(value: Any) -> str:
    """A TOML literal for the few kinds of value a target holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    return repr(value)


def write_targets(path: Path, targets: dict[str, dict[str, Any]]) -> Path:
    lines = []
    for name, table in targets.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_packaged_copy_is_byte_identical_to_the_shared_file() -> None:
    if not SHARED_TARGETS.exists():
        pytest.skip(f"no shared targets next to the repository ({SHARED_TARGETS})")
    assert default_targets_path().read_bytes() == SHARED_TARGETS.read_bytes()


def test_packaged_targets_load_and_are_consistent() -> None:
    targets = load_targets()
    assert len(targets) == 16
    assert next(iter(targets)) == "cao2010_broad_15_39"
    for name, target in targets.items():
        assert target.name == name
        assert 0.0 <= target.tolerance[0] <= target.value <= target.tolerance[1] <= 1.0
        assert target.definition in DEFINITIONS
        assert 10 <= target.ages[0] <= target.ages[1] <= 64
        assert target.confidence in ("A", "B", "C")
        assert isinstance(target.n, int) and target.n >= 1
    kondo = targets["kondo_no_service_use"]
    assert kondo.ages == (15, 49)
    assert kondo.tolerance == (0.30, 0.62)
    assert kondo.date == "2009-06"
    assert targets["mext_refuser_neet_at_20"].ages == (20, 20)


def test_a_valid_file_loads_with_its_fields(tmp_path: Path) -> None:
    path = write_targets(tmp_path / "t.toml", {"mine": GOOD})
    target = load_targets(path)["mine"]
    assert target == Target(
        name="mine",
        value=0.0157,
        tolerance=(0.0113, 0.0201),
        date="2015-12",
        ages=(15, 39),
        definition="cao_broad",
        measure="current cases / population aged 15-39",
        n=3115,
        confidence="A",
        source="Cabinet Office 2016.",
    )


@pytest.mark.parametrize(
    ("field", "bad", "allowed"),
    [
        ("value", 1.5, "0..1"),
        ("value", -0.1, "0..1"),
        ("value", "0.01", "0..1"),
        ("value", True, "0..1"),
        ("tolerance", [0.02, 0.03], "lo <= 0.0157 <= hi"),
        ("tolerance", [0.01, 0.02, 0.03], "[lo, hi]"),
        ("tolerance", [0.01, 1.2], "0..1"),
        ("date", "2015-13", "YYYY-MM"),
        ("date", "2015/12", "YYYY-MM"),
        ("date", "2015-1", "YYYY-MM"),
        ("ages", [9, 20], "10..64"),
        ("ages", [15, 65], "10..64"),
        ("ages", [39, 15], "lo <= hi"),
        ("ages", [15.5, 39], "whole years"),
        ("definition", "cao", "cao_broad, cao_narrow, koyama, seed, mext"),
        ("confidence", "D", "A, B, C"),
        ("n", 0, ">= 1"),
        ("n", 12.5, "whole number"),
        ("measure", "  ", "non-empty"),
        ("source", 3, "non-empty"),
    ],
)
def test_a_bad_field_names_the_file_target_field_and_what_is_allowed(
    tmp_path: Path, field: str, bad: Any, allowed: str
) -> None:
    path = write_targets(tmp_path / "bad.toml", {"ok": GOOD, "broken": {**GOOD, field: bad}})
    with pytest.raises(InputError) as caught:
        load_targets(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: broken.{field}: ")
    assert allowed in message
    assert caught.value.source == str(path)
    assert caught.value.field == f"broken.{field}"


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    table = {key: value for key, value in GOOD.items() if key not in ("n", "source")}
    path = write_targets(tmp_path / "bad.toml", {"short": table})
    with pytest.raises(InputError, match=r"short: missing n, source"):
        load_targets(path)


def test_an_unknown_field_is_named(tmp_path: Path) -> None:
    path = write_targets(tmp_path / "bad.toml", {"extra": {**GOOD, "valu": 0.1}})
    with pytest.raises(InputError, match=r"extra\.valu: unknown field \(allowed: value, "):
        load_targets(path)


def test_a_top_level_value_that_is_not_a_table_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("stray = 3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"stray: must be a table"):
        load_targets(path)


@pytest.mark.parametrize("text", ["[broken\nvalue = 1", ""])
def test_an_unparsable_or_empty_file_names_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(str(path))):
        load_targets(path)


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(InputError, match=r"absent\.toml: cannot read targets"):
        load_targets(path)


def test_inside_and_distance_use_the_tolerance_on_each_side() -> None:
    target = load_targets()["cao2016_broad_15_39"]  # 0.0157 in 0.0113-0.0201
    assert target.inside(0.0113) and target.inside(0.0201)
    assert not target.inside(0.0112) and not target.inside(math.nan)
    assert target.distance(0.0201) == pytest.approx(1.0)
    assert target.distance(0.0113) == pytest.approx(-1.0)
    assert target.distance(0.0157) == 0.0
