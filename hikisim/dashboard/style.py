"""Colours, sizes and names shared by every view, so a state looks the same everywhere."""

from __future__ import annotations

from matplotlib.figure import Figure

from hikisim.states import State

DPI = 80
FIGURE_SIZE = (6.0, 4.0)
# PNG with light compression: encoding at the default level costs as much as drawing.
PNG_OPTIONS: dict = {"format": "png", "pil_kwargs": {"compress_level": 1}}

STATE_NAMES: dict[State, str] = {
    State.ENGAGED: "engaged",
    State.AT_RISK: "at risk",
    State.WITHDRAWN: "withdrawn",
    State.RECOVERING: "recovering",
}

# Colour-blind-safe (Okabe-Ito): withdrawal reads as the warm, dark end.
STATE_COLOURS: dict[State, str] = {
    State.ENGAGED: "#56B4E9",
    State.AT_RISK: "#E69F00",
    State.WITHDRAWN: "#D55E00",
    State.RECOVERING: "#009E73",
}

BASELINE_COLOUR = "#555555"
INTERVENTION_COLOUR = "#0072B2"
PRIMARY_COLOUR = "#CC79A7"
SECONDARY_COLOUR = "#882255"
TIE_COLOUR = "#9a9a9a"
LOST_TIE_COLOUR = "#D55E00"

RATE_SERIES: dict[str, tuple[str, str]] = {
    "prevalence_15_39": ("hikikomori, ages 15-39", "#D55E00"),
    "school_refusal_rate": ("school refusal, ages 10-15", "#E69F00"),
    "internet_addiction_rate": ("internet addiction", "#0072B2"),
    "sleep_reversal_rate": ("sleep reversal", "#CC79A7"),
}


def new_figure(size: tuple[float, float] = FIGURE_SIZE, **margins: float) -> Figure:
    """A figure with fixed margins.

    Fixed margins rather than matplotlib's constrained layout, which re-solves the layout
    on every save and would double the cost of a weekly redraw.

    Args:
        size: Width and height in inches.
        **margins: ``subplots_adjust`` arguments overriding the defaults.
    """
    figure = Figure(figsize=size, dpi=DPI)
    figure.subplots_adjust(**({"left": 0.1, "right": 0.97, "bottom": 0.14, "top": 0.9} | margins))
    return figure
