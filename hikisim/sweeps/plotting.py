"""The sensitivity plot: Morris mu* against sigma, or Sobol S1 and ST bars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from hikisim.fonts import with_japanese_fallback
from hikisim.sweeps.storage import write_atomically

PANEL_WIDTH = 5.0
PANEL_HEIGHT = 4.0


@with_japanese_fallback
def plot_sensitivity(method: str, indices: pd.DataFrame, path: Path) -> None:
    """Draw one panel per outcome and save the figure (atomically, like every output).

    Args:
        method: ``morris`` or ``sobol``.
        indices: The table from :func:`~hikisim.sweeps.sensitivity.analyze_sweep`.
        path: The PNG to write.
    """
    outcomes = list(dict.fromkeys(indices["outcome"]))
    # Figure without pyplot: no GUI backend, safe in workers and headless servers.
    figure = Figure(figsize=(PANEL_WIDTH * len(outcomes), PANEL_HEIGHT), layout="constrained")
    axes = figure.subplots(1, len(outcomes), squeeze=False)[0]
    draw = _morris_panel if method == "morris" else _sobol_panel
    for ax, outcome in zip(axes, outcomes, strict=True):
        draw(ax, indices[indices["outcome"] == outcome])
        ax.set_title(outcome)
    # The temporary name does not end in .png, so the format is named.
    write_atomically(path, lambda temp: figure.savefig(temp, format="png", dpi=120))


def _morris_panel(ax: Axes, table: pd.DataFrame) -> None:
    ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o", capsize=3)
    for row in table.itertuples(index=False):
        ax.annotate(
            _short(row.parameter),
            (row.mu_star, row.sigma),
            fontsize=7,
            textcoords="offset points",
            xytext=(4, 4),
        )
    ax.set_xlabel("mu* (mean |elementary effect|)")
    ax.set_ylabel("sigma (interactions, non-linearity)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)


def _sobol_panel(ax: Axes, table: pd.DataFrame) -> None:
    positions = np.arange(len(table))
    height = 0.4
    ax.barh(positions - height / 2, table["S1"], height, xerr=table["S1_conf"], label="S1")
    ax.barh(positions + height / 2, table["ST"], height, xerr=table["ST_conf"], label="ST")
    ax.set_yticks(positions, [_short(name) for name in table["parameter"]], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("Sobol index")
    ax.legend()


def _short(parameter: str) -> str:
    """``family.neglect_weight`` -> ``neglect_weight``: the section is rarely needed."""
    return parameter.rsplit(".", 1)[-1]
