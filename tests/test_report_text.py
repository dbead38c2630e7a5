"""Tests for the report's wording of values that can be missing."""

from __future__ import annotations

from hikisim import report


def test_a_share_of_an_evpi_of_zero_reads_n_a() -> None:
    # An EVPI of 0 (tiny runs: one strategy best in every draw) has no shares; the
    # report once printed "nan%".
    assert report._share_text(float("nan")) == "n/a"
    assert report._share_text(0.256) == "26%"
    assert report._share_text(0.0) == "0%"
