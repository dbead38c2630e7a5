"""The tornado's metamodel (psa_analysis.tornado_table) against hand-built draws.

Jalal et al. (2013) read one-way effects off ONE linear regression of the incremental
NMB on all parameters together. The expected bars below follow from the data by hand:
when the iNMB is an exact linear function of the parameters, that regression recovers
its coefficients, so each bar is known in closed form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hikisim.psa_analysis import TORNADO_COLUMNS, tornado_table


def by_parameter(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("parameter")


def test_an_exact_linear_inmb_gives_its_coefficients_at_the_draws_percentiles() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=200), rng.gamma(2.0, 3.0, size=200)
    inmb = 5.0 + 2.0 * a - 3.0 * b
    table = by_parameter(tornado_table(inmb, pd.DataFrame({"a": a, "b": b}))[0])
    for name, x, slope in (("a", a, 2.0), ("b", b, -3.0)):
        low, high = np.quantile(x, [0.025, 0.975])
        # The others stay at their means, where the fit is the mean iNMB.
        assert table.at[name, "inmb_at_p2_5"] == pytest.approx(
            inmb.mean() + slope * (low - x.mean())
        )
        assert table.at[name, "inmb_at_p97_5"] == pytest.approx(
            inmb.mean() + slope * (high - x.mean())
        )
        assert table.at[name, "range"] == pytest.approx(abs(slope) * (high - low))
    assert list(table.index) == ["b", "a"], "largest range first"


def test_a_parameter_without_effect_gets_no_bar_even_when_correlated() -> None:
    # Posterior draws are correlated: x2 follows x1 (r about 0.9) but does not move the
    # iNMB. One regression per parameter gave x2 a bar about 0.9 times x1's.
    rng = np.random.default_rng(7)
    x1 = rng.normal(size=2000)
    x2 = 0.9 * x1 + np.sqrt(1 - 0.81) * rng.normal(size=2000)
    assert np.corrcoef(x1, x2)[0, 1] > 0.85
    inmb = 1e6 * x1 + rng.normal(scale=1e4, size=2000)
    table = by_parameter(tornado_table(inmb, pd.DataFrame({"x1": x1, "x2": x2}))[0])
    assert table.at["x2", "range"] < 0.01 * table.at["x1", "range"]
    low, high = np.quantile(x1, [0.025, 0.975])
    assert table.at["x1", "range"] == pytest.approx(1e6 * (high - low), rel=0.01)


def test_bars_stay_within_what_was_drawn() -> None:
    # A calibrated key enters as its calibration-prior quantile, but the PSA draws it
    # from the posterior, here concentrated on 0.4-0.6. Its bar runs between the
    # percentiles of those draws, not between the prior's 0.025 and 0.975.
    rng = np.random.default_rng(3)
    quantile = rng.beta(40, 40, size=500)
    inmb = 10.0 * quantile
    table = by_parameter(tornado_table(inmb, pd.DataFrame({"q": quantile}))[0])
    low, high = np.quantile(quantile, [0.025, 0.975])
    assert table.at["q", "inmb_at_p2_5"] == pytest.approx(10.0 * low)
    assert table.at["q", "inmb_at_p97_5"] == pytest.approx(10.0 * high)
    assert quantile.min() <= low and high <= quantile.max()


def test_a_constant_column_is_left_out() -> None:
    a = np.linspace(0.0, 1.0, 30)
    table, gap = tornado_table(4.0 * a, pd.DataFrame({"a": a, "fixed": np.full(30, 2.0)}))
    assert gap == "" and list(table["parameter"]) == ["a"]


def test_more_parameters_than_draws_gives_no_bars_and_says_why() -> None:
    rng = np.random.default_rng(0)
    parameters = pd.DataFrame(rng.uniform(size=(5, 6)), columns=list("abcdef"))
    table, gap = tornado_table(rng.normal(size=5), parameters)
    assert table.empty and list(table.columns) == list(TORNADO_COLUMNS)
    assert "at least 7 for its 6 parameters" in gap and "has 5" in gap
    # One draw more than parameters identifies the fit (it interpolates the draws).
    table, gap = tornado_table(rng.normal(size=7), pd.DataFrame(rng.uniform(size=(7, 6))))
    assert gap == "" and len(table) == 6


def test_collinear_parameters_give_no_bars_and_say_why() -> None:
    a = np.linspace(0.0, 1.0, 50)
    table, gap = tornado_table(a, pd.DataFrame({"a": a, "b": 2.0 * a + 1.0}))
    assert table.empty and "collinear" in gap


def test_no_varying_parameter_gives_no_bars() -> None:
    table, gap = tornado_table(np.arange(4.0), pd.DataFrame({"c": np.ones(4)}))
    assert table.empty and "varies" in gap
