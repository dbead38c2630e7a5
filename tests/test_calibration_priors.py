"""The Bayesian calibration's priors: the shipped file, its checks and its quantiles."""

from __future__ import annotations

import functools
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hikisim.calibration_priors import CalibrationPrior, load_calibration_priors
from hikisim.cli import posterior_notes
from hikisim.errors import InputError
from hikisim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCREEN = ROOT / "experiments" / "calibration_screen.toml"


def test_the_shipped_priors_are_the_screens_kept_parameters_over_its_ranges() -> None:
    priors = {prior.key: prior for prior in load_calibration_priors()}
    screened = tomllib.loads(SCREEN.read_text())["parameters"]
    dropped = {
        "labour.job_loss_rate",
        "labour.job_market_effect",
        "care.clinical_exit_multiplier",
        "dynamics.lighten_rate",
    }
    assert set(priors) == set(screened) - dropped
    for key, prior in priors.items():
        assert (prior.low, prior.high) == (screened[key]["min"], screened[key]["max"]), key
        assert prior.source.strip(), key


def test_every_default_lies_inside_its_prior() -> None:
    defaults = Scenario()
    for prior in load_calibration_priors():
        value = functools.reduce(getattr, prior.key.split("."), defaults)
        assert prior.low <= value <= prior.high, prior.key


def test_known_quantiles_of_both_forms() -> None:
    uniform = CalibrationPrior("dynamics.peer_weight", "uniform", 1.0, 3.0, "s")
    assert uniform.value_at(0.25) == pytest.approx(1.5)
    assert uniform.density(2.0) == pytest.approx(0.5)
    log = CalibrationPrior("dynamics.exit_base", "loguniform", 0.01, 0.04, "s")
    # The median of a log-uniform prior is the geometric mean of its ends.
    assert log.value_at(0.5) == pytest.approx(0.02)
    assert log.density(0.02) == pytest.approx(1 / (0.02 * math.log(4)))
    assert log.density(0.05) == 0.0


@given(
    low=st.floats(1e-6, 10.0),
    ratio=st.floats(1.01, 1e3),
    quantiles=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=20),
    log=st.booleans(),
)
def test_quantiles_map_into_the_support_monotonically_and_back(
    low: float, ratio: float, quantiles: list[float], log: bool
) -> None:
    prior = CalibrationPrior("k", "loguniform" if log else "uniform", low, low * ratio, "s")
    q = np.sort(np.asarray(quantiles))
    values = np.atleast_1d(prior.value_at(q))
    assert np.all((values >= prior.low) & (values <= prior.high))
    assert np.all(np.diff(values) >= 0)
    np.testing.assert_allclose(prior.quantile_of(values), q, atol=1e-9)


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ('distribution = "normal"\nmin = 0.01\nmax = 0.02\nsource = "s"', "distribution", "one of"),
        ('distribution = "uniform"\nmin = 0.02\nmax = 0.01\nsource = "s"', "", "below max"),
        ('distribution = "loguniform"\nmin = 0.0\nmax = 0.02\nsource = "s"', "min", "min > 0"),
        ('distribution = "uniform"\nmin = 0.01\nmax = 0.02', "source", "needs a source"),
        ('distribution = "uniform"\nmin = 0.01\nmax = "a"\nsource = "s"', "max", "finite"),
        ('distribution = "uniform"\nmin = 0.01\nmax = 2.0\nsource = "s"', "max", "outside"),
        ('distribution = "uniform"\nmin = 0.01\nmax = 0.02\nsource = "s"\nmean = 1', "", "unknown"),
    ],
)
def test_bad_entries_name_the_file_the_field_and_what_is_allowed(
    tmp_path: Path, entry: str, field: str, message: str
) -> None:
    path = tmp_path / "priors.toml"
    path.write_text(f'[priors."dynamics.exit_base"]\n{entry}\n')
    with pytest.raises(InputError) as error:
        load_calibration_priors(path)
    expected_field = "priors.dynamics.exit_base" + (f".{field}" if field else "")
    assert error.value.source == str(path)
    assert error.value.field == expected_field
    assert message in str(error.value)


ENTRY = b'distribution = "uniform"\nmin = 0\nmax = 1\nsource = "s"\n'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[priors."dynamics.no_such"]\n' + ENTRY, "not a numeric scenario key"),
        (b"[priors.dynamics.exit_base]\n" + ENTRY, "quote the dotted key"),
        (b'[priors."population.youths"]\n' + ENTRY, "whole-number key"),
        (b'bogus = 1\n[priors."dynamics.exit_base"]\n' + ENTRY, r"bogus: unknown key"),
        (b'[prior]\nx = 1\n[priors."dynamics.exit_base"]\n' + ENTRY, r"prior: unknown key"),
        (b"\xff\xfe", "cannot read"),
        (b"", r"\[priors\] table"),
        (None, "cannot read"),
    ],
)
def test_files_that_cannot_be_priors_are_refused(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "priors.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_calibration_priors(path)


def test_a_posterior_of_another_place_is_noted_for_each_scenario_it_does_not_fit() -> None:
    assert posterior_notes(["baseline", "home_visits"], "japan") == []
    assert posterior_notes(["baseline"], "none") == []
    assert posterior_notes(["baseline"], "mine.parquet") == []
    (note,) = posterior_notes(["baseline", "italy"], "italy")
    assert note.startswith("scenario baseline is fitted by the japan posterior")
    (note,) = posterior_notes(["hong_kong", "baseline"], "japan")
    assert note.endswith("(use --posterior hong_kong for its own)")
