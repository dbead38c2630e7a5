"""Japanese text in figures is drawn with the bundled font, and only while hikisim draws."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure

from hikisim.compare import plot_cost_effectiveness
from hikisim.fonts import japanese_family, with_japanese_fallback


def _japanese_runs() -> pd.DataFrame:
    names = ["基準", "学校での予防"]
    return pd.DataFrame(
        {
            "scenario": [name for name in names for _ in range(2)],
            "replicate": [0, 1, 0, 1],
            "person_years": [4.0, 5.0, 3.0, 4.5],
            "cost": [1.0, 2.0, 3.0, 4.0],
        }
    )


def test_a_japanese_scenario_name_is_drawn_without_missing_glyphs(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning
        plot_cost_effectiveness(_japanese_runs(), tmp_path / "plane.png")
    assert (tmp_path / "plane.png").stat().st_size > 0


def test_without_the_fallback_matplotlib_cannot_draw_it(tmp_path: Path) -> None:
    # The check above can fail: matplotlib's own font has no Japanese glyphs.
    figure = Figure()
    figure.subplots().set_title("基準")
    with pytest.warns(UserWarning, match="Glyph"):
        figure.savefig(tmp_path / "boxes.png")


def test_the_fallback_leaves_the_users_font_settings_alone() -> None:
    before = list(matplotlib.rcParams["font.family"])
    seen = with_japanese_fallback(lambda: list(matplotlib.rcParams["font.family"]))()
    assert seen == [*before, japanese_family()]
    assert matplotlib.rcParams["font.family"] == before
    assert japanese_family() == "IPAexGothic"
