"""The figure ``hikisim run`` writes: the model's yearly series against the survey points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from hikisim.fonts import with_japanese_fallback
from hikisim.surveys import MEASURES, YEARLY_SERIES
from hikisim.targets import Target

TITLES = {
    "broad_prevalence_15_39": "Broad withdrawal, ages 15-39",
    "narrow_prevalence_15_39": "Narrow withdrawal, ages 15-39",
    "broad_prevalence_40_64": "Broad withdrawal, ages 40-64",
    "mext_refusal_junior_high": "School refusal, junior high (MEXT)",
    "mext_refusal_elementary_5_6": "School refusal, grades 5-6 (MEXT)",
    "eighty_fifty": "Cases 40-64 with a parent aged 75+ (8050)",
}


def _matching(targets: dict[str, Target], column: str) -> list[Target]:
    """The targets measured by the same quantity over the same band as a yearly column."""
    quantity, lo, hi = YEARLY_SERIES[column]
    return [
        t
        for name, t in targets.items()
        if MEASURES[name][1] is quantity and tuple(t.ages) == (lo, hi)
    ]


@with_japanese_fallback
def plot_yearly_against_surveys(
    rows: Sequence[dict[str, Any]],
    targets: dict[str, Target],
    path: Path,
    title: str,
    text: Mapping[str, str] | None = None,
) -> None:
    """Draw the yearly series with the survey figures and their tolerance intervals.

    The last panel, the 8050 share, has no survey figure to compare with.

    Args:
        rows: The yearly rows (``year`` and the series columns; None where not measured).
        targets: The calibration targets.
        path: Where to write the PNG.
        title: The figure title (scenario and seed).
        text: Text entries for the PNG (the run's provenance), which image viewers and
            Pillow (``Image.open(path).text``) show; matplotlib writes them through
            Pillow, as ``iTXt`` where a text is not Latin-1 (a Japanese scenario name).
    """
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
    years = [row["year"] for row in rows]
    for ax, (column, label) in zip(axes.flat, TITLES.items(), strict=False):
        values = [row[column] if row[column] is not None else float("nan") for row in rows]
        ax.plot(years, [100 * v for v in values], color="tab:blue", label="model")
        for target in _matching(targets, column):
            year = int(target.date[:4]) + (int(target.date[5:]) - 1) / 12
            lo, hi = target.tolerance
            ax.errorbar(
                [year],
                [100 * target.value],
                yerr=[[100 * (target.value - lo)], [100 * (hi - target.value)]],
                fmt="o",
                color="tab:red",
                capsize=3,
            )
        ax.set_title(label, fontsize=10)
        ax.set_ylabel("%")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0, 0].plot([], [], "o", color="tab:red", label="survey (tolerance)")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata=dict(text or {}))
    plt.close(fig)
