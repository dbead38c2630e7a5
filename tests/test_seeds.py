"""Tests for the seed rule the command line and the Python API share."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hikisim import cli
from hikisim.errors import InputError
from hikisim.seeds import MAX_SEED, checked_seed


@given(st.integers(0, MAX_SEED))
def test_every_seed_in_range_passes_as_a_plain_int(seed: int) -> None:
    assert checked_seed(seed) == seed
    assert type(checked_seed(seed)) is int
    assert checked_seed(np.uint64(seed)) == seed


@given(st.integers(0, 2**63 - 1).map(np.int64))
def test_numpy_integer_seeds_pass(seed: np.int64) -> None:
    checked = checked_seed(seed)
    assert checked == int(seed) and type(checked) is int


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=MAX_SEED + 1)))
def test_seeds_out_of_range_are_refused(seed: int) -> None:
    with pytest.raises(InputError, match=r"must be 0 to 9223372036854775807 \(2\*\*63-1\)"):
        checked_seed(seed)


@pytest.mark.parametrize(
    "seed", [1.7, 1.0, True, False, np.bool_(True), np.float64(2.0), "3", None, 2 + 0j]
)
def test_seeds_that_are_not_integers_are_refused_not_converted(seed: object) -> None:
    with pytest.raises(InputError, match="must be an integer from 0 to") as error:
        checked_seed(seed, "seed")
    assert str(error.value).startswith("seed: ")


def test_the_command_line_applies_the_same_rule() -> None:
    assert cli.checked_seed(None) is None
    assert cli.checked_seed(MAX_SEED) == MAX_SEED
    for seed in (-1, 2**63):
        with pytest.raises(InputError) as error:
            cli.checked_seed(seed)
        assert str(error.value) == (
            f"--seed: must be 0 to 9223372036854775807 (2**63-1), got {seed}"
        )
    # Typer refuses a non-integer --seed first; the rule refuses one all the same.
    for seed in (True, 1.5):
        with pytest.raises(InputError, match=r"^--seed: must be an integer"):
            cli.checked_seed(seed)  # type: ignore[arg-type]
