"""The model's calendar: weeks to months and back, with known answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hikisim.clock import MONTH_START_WEEK, Calendar, parse_month, shift_month


def test_month_start_weeks_of_a_52_week_year() -> None:
    assert MONTH_START_WEEK == (0, 4, 9, 13, 17, 22, 26, 30, 35, 39, 43, 48)


def test_known_weeks_from_a_1960_start() -> None:
    calendar = Calendar("1960-01")
    assert calendar.week_of("1960-01") == 0
    assert calendar.week_of("1961-01") == 52
    assert calendar.week_of("2026-01") == 66 * 52
    assert calendar.week_of("2015-12") == 55 * 52 + 48
    assert calendar.date_of(66 * 52) == "2026-01"
    assert calendar.date_of(55 * 52 + 48) == "2015-12"
    assert calendar.date_of(55 * 52 + 51) == "2015-12"
    assert calendar.year_of(52) == pytest.approx(1961.0)
    assert calendar.week_of_year(55 * 52 + 13) == 13


def test_weeks_before_the_start_are_negative() -> None:
    assert Calendar("1990-04").week_of("1990-01") == -13


def test_shift_month() -> None:
    assert shift_month("2026-01", -66) == "1960-01"
    assert shift_month("2026-11", 3) == "2029-11"


@pytest.mark.parametrize("text", ["2026-1", "2026-13", "26-01", "2026-00", "2026/01", ""])
def test_parse_month_refuses_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)


@given(
    start_year=st.integers(1900, 2100),
    start_month=st.integers(1, 12),
    year=st.integers(1900, 2150),
    month=st.integers(1, 12),
)
def test_week_of_and_date_of_are_inverse(
    start_year: int, start_month: int, year: int, month: int
) -> None:
    calendar = Calendar(f"{start_year:04d}-{start_month:02d}")
    date = f"{year:04d}-{month:02d}"
    assert calendar.date_of(calendar.week_of(date)) == date


def test_shift_month_by_months() -> None:
    assert shift_month("2016-03", 0, months=1) == "2016-04"
    assert shift_month("2016-12", 0, months=1) == "2017-01"
    assert shift_month("2016-01", 0, months=-1) == "2015-12"
