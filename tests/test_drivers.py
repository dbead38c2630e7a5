"""Drivers: interpolation by hand, the hold rules, the packaged series, bad files."""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hikisim.drivers import DRIVER_NAMES, Driver, default_path, load_drivers
from hikisim.errors import InputError


def make(
    years: list[float],
    values: list[float],
    before: str = "first value",
    after: str = "last value",
    interpolation: str = "linear",
) -> Driver:
    return Driver(
        name="test",
        description="d",
        unit="u",
        source="s",
        confidence="C",
        before=before,
        after=after,
        years=np.array(years, dtype=np.float64),
        values=np.array(values, dtype=np.float64),
        interpolation=interpolation,
    )


@pytest.fixture(scope="module")
def drivers() -> dict[str, Driver]:
    return load_drivers()


# Interpolation and hold rules, by hand.


def test_linear_at_points_and_between() -> None:
    driver = make([2000.0, 2010.0, 2020.0], [1.0, 3.0, 2.0])
    assert driver.at(2000.0) == 1.0
    assert driver.at(2010.0) == 3.0
    assert driver.at(2020.0) == 2.0
    assert driver.at(2005.0) == pytest.approx(2.0)
    assert driver.at(2012.5) == pytest.approx(2.75)


def test_step_holds_each_value_until_the_next_point() -> None:
    driver = make([2000.0, 2010.0], [1.0, 3.0], interpolation="step")
    assert driver.at(2000.0) == 1.0
    assert driver.at(2009.99) == 1.0
    assert driver.at(2010.0) == 3.0
    assert driver.at(2015.0) == 3.0


@pytest.mark.parametrize("interpolation", ["linear", "step"])
def test_first_and_last_value_rules(interpolation: str) -> None:
    driver = make([2000.0, 2010.0], [1.0, 3.0], interpolation=interpolation)
    assert driver.at(1960.0) == 1.0
    assert driver.at(2030.0) == 3.0


@pytest.mark.parametrize("interpolation", ["linear", "step"])
def test_zero_rules(interpolation: str) -> None:
    driver = make([2000.0, 2010.0], [1.0, 3.0], "zero", "zero", interpolation)
    assert driver.at(1999.99) == 0.0
    assert driver.at(2000.0) == 1.0
    assert driver.at(2010.0) == 3.0
    assert driver.at(2010.01) == 0.0


def test_single_point_is_a_constant() -> None:
    driver = make([2000.0], [0.4])
    assert driver.at(1900.0) == driver.at(2000.0) == driver.at(2100.0) == pytest.approx(0.4)


def test_on_weeks_is_float32_keeps_shape_and_equals_at(drivers: dict[str, Driver]) -> None:
    weeks = 1958.0 + np.arange(70 * 52) / 52.0
    for driver in drivers.values():
        vector = driver.on_weeks(weeks)
        assert vector.dtype == np.float32
        assert vector.shape == weeks.shape
        scalar = np.array([driver.at(year) for year in weeks], dtype=np.float32)
        np.testing.assert_array_equal(vector, scalar)
        assert driver.on_weeks(weeks.reshape(70, 52)).shape == (70, 52)


def test_a_driver_cannot_be_changed(drivers: dict[str, Driver]) -> None:
    driver = drivers["covid"]
    with pytest.raises(ValueError):
        driver.values[0] = 0.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        driver.after = "last value"  # type: ignore[misc]


# The packaged series.


def test_packaged_file_defines_every_driver_with_its_hold_rules(
    drivers: dict[str, Driver],
) -> None:
    assert set(drivers) == set(DRIVER_NAMES)
    rules = {
        "internet_use": ("zero", "last value"),
        "job_openings_ratio": ("first value", "last value"),
        "covid": ("zero", "zero"),
        "school_refusal_policy": ("zero", "last value"),
    }
    for name, driver in drivers.items():
        assert (driver.before, driver.after) == rules[name]
        assert driver.confidence in {"A", "B", "C"}
        assert driver.source.strip() and driver.unit.strip()


def test_packaged_drivers_cover_1960_to_2025(drivers: dict[str, Driver]) -> None:
    weeks = 1960.0 + np.arange(66 * 52) / 52.0
    for name, driver in drivers.items():
        assert np.all(np.isfinite(driver.on_weeks(weeks))), name
        # Observations run to the recent past, so 2025 is held from data, not guessed.
        assert driver.years[-1] >= 2022.9, name
    # Series that start late start from a documented zero or near 1960.
    assert drivers["job_openings_ratio"].years[0] <= 1964.0
    assert drivers["school_refusal_policy"].years[0] <= 1960.0


def test_internet_use_is_zero_before_the_mid_1990s_and_a_share(
    drivers: dict[str, Driver],
) -> None:
    internet = drivers["internet_use"]
    assert internet.at(1960.0) == 0.0
    assert internet.at(1995.0) == 0.0
    assert 0.05 < internet.at(1998.0) < 0.15
    assert internet.at(2025.0) == pytest.approx(internet.values[-1])
    assert np.all((internet.values >= 0.0) & (internet.values <= 1.0))


def test_hiring_freeze_years_have_a_lower_job_openings_ratio(
    drivers: dict[str, Driver],
) -> None:
    ratio = drivers["job_openings_ratio"]
    boom, recent = ratio.at(1990.5), ratio.at(2018.5)
    for year in range(1993, 2006):
        assert ratio.at(year + 0.5) < min(boom, recent), year
    assert ratio.at(1960.0) == ratio.values[0]


def test_covid_is_zero_outside_the_pandemic_and_one_in_april_2020(
    drivers: dict[str, Driver],
) -> None:
    covid = drivers["covid"]
    months = np.arange(12) / 12.0
    assert np.all(covid.on_weeks(2019.0 + months) == 0.0)
    assert np.all(covid.on_weeks(2023.0 + months) == 0.0)
    assert covid.at(2020.25) == 1.0  # April 2020
    assert covid.at(2020.25 + 2 / 52) == 1.0  # mid-April
    assert 0.0 < covid.at(2021.1) < 1.0  # second state of emergency
    assert np.all((covid.values >= 0.0) & (covid.values <= 1.0))


def test_school_refusal_policy_steps(drivers: dict[str, Driver]) -> None:
    policy = drivers["school_refusal_policy"]
    assert policy.at(1992.5) == 0.0
    assert policy.at(1993.0) == 1.0  # after the notice of 1992-09-24
    assert policy.at(2016.99) == 1.0  # the Act was promulgated but not yet in force
    assert policy.at(2017.2) == 2.0  # in force from 2017-02-14
    assert policy.at(2020.0) == 3.0  # notice of 2019-10-25
    assert policy.at(2025.0) == 4.0
    assert np.all(np.diff(policy.values) == 1.0)


# Bad files: the message names the file, the driver and the field.


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return repr(value)


def _write(path: Path, data: dict[str, dict[str, Any]]) -> Path:
    lines = []
    for name, table in data.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _packaged() -> dict[str, dict[str, Any]]:
    with open(default_path(), "rb") as handle:
        return tomllib.load(handle)


def test_a_rewritten_copy_of_the_packaged_file_loads(tmp_path: Path) -> None:
    copy = load_drivers(_write(tmp_path / "drivers.toml", _packaged()))
    assert copy["covid"].at(2020.25) == 1.0


def _poison(index: int, bad: float) -> Callable[[list[float]], list[float]]:
    # Replace one entry of the field's existing list.
    def change(existing: list[float]) -> list[float]:
        changed = list(existing)
        changed[index] = bad
        return changed

    return change


def _repeat_a_year(existing: list[float]) -> list[float]:
    return [existing[0], existing[0], *existing[2:]]


BAD_CASES = [
    ("covid", "years", _repeat_a_year, "covid.years", "strictly increasing"),
    ("internet_use", "values", [0.1, 0.2], "internet_use.values", "must match"),
    ("job_openings_ratio", "values", _poison(1, math.nan), "job_openings_ratio.values", "finite"),
    ("covid", "values", _poison(1, 1.5), "covid.values", "0.0..1.0"),
    ("school_refusal_policy", "values", _poison(1, -1.0), "school_refusal_policy.values", "within"),
    ("covid", "before", "previous", "covid.before", "allowed"),
    ("covid", "after", "first value", "covid.after", "allowed"),
    ("covid", "interpolation", "cubic", "covid.interpolation", "allowed"),
    ("covid", "confidence", "D", "covid.confidence", "allowed"),
    ("covid", "colour", "red", "covid.colour", "unknown field"),
    ("covid", "years", ["2020", 2021.0], "covid.years", "numbers only"),
    ("covid", "years", [], "covid.years", "non-empty"),
    ("internet_use", "source", " ", "internet_use.source", "non-empty string"),
]


@pytest.mark.parametrize(("name", "field", "value", "where", "allowed"), BAD_CASES)
def test_a_bad_field_is_named(
    tmp_path: Path, name: str, field: str, value: Any, where: str, allowed: str
) -> None:
    data = _packaged()
    data[name][field] = value(data[name][field]) if callable(value) else value
    path = _write(tmp_path / "bad.toml", data)
    with pytest.raises(InputError) as error:
        load_drivers(path)
    assert error.value.source == str(path)
    assert error.value.field == where
    message = str(error.value)
    assert str(path) in message and where in message and allowed in message


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    data = _packaged()
    del data["internet_use"]["unit"]
    with pytest.raises(InputError, match=r"internet_use\.unit: is missing"):
        load_drivers(_write(tmp_path / "bad.toml", data))


def test_a_missing_driver_is_named(tmp_path: Path) -> None:
    data = _packaged()
    del data["covid"]
    with pytest.raises(InputError, match="lacks drivers: covid"):
        load_drivers(_write(tmp_path / "bad.toml", data))


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_drivers(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[covid\nyears = [", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_drivers(broken)


# A property: interpolated values never leave the range of the points.


@st.composite
def series(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    years = draw(
        st.lists(st.floats(1900.0, 2100.0, allow_nan=False), min_size=1, max_size=12, unique=True)
    )
    values = draw(
        st.lists(
            st.floats(-1e6, 1e6, allow_nan=False),
            min_size=len(years),
            max_size=len(years),
        )
    )
    return sorted(years), values


@settings(max_examples=200, deadline=None)
@given(
    points=series(),
    times=st.lists(st.floats(1800.0, 2200.0, allow_nan=False), min_size=1, max_size=20),
    interpolation=st.sampled_from(["linear", "step"]),
    zero=st.booleans(),
)
def test_values_stay_within_the_points(
    points: tuple[list[float], list[float]],
    times: list[float],
    interpolation: str,
    zero: bool,
) -> None:
    years, values = points
    rules = ("zero", "zero") if zero else ("first value", "last value")
    driver = make(years, values, *rules, interpolation=interpolation)
    low, high = min(values), max(values)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    out = np.array([driver.at(t) for t in times])
    slack = 1e-9 * max(1.0, abs(low), abs(high))
    assert np.all(out >= low - slack) and np.all(out <= high + slack)
    np.testing.assert_array_equal(driver.on_weeks(np.array(times)), out.astype(np.float32))
