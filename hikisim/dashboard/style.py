"""Colours, sizes and the page's CSS, shared by every view so one colour means one thing.

Colours are Okabe-Ito and Paul Tol picks that stay apart under the common forms of
colour blindness; where two series could still be confused they also differ in line
style or hatching. Chart legends are HTML beside the image, not drawn inside the axes,
so they never cover the data, they read at the page's font size and they translate.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from hikisim.fonts import japanese_family
from hikisim.states import State

DPI = 100
# Figures are drawn at about the size they are shown at 1280x720, so tick labels of
# TICK_POINTS come out near 15 px; the page then scales the image to its column.
FIGURE_SIZE = (4.8, 2.5)
TICK_POINTS = 11

STATE_KEYS: dict[State, str] = {
    State.ENGAGED: "engaged",
    State.AT_RISK: "at_risk",
    State.WITHDRAWN: "withdrawn",
    State.RECOVERING: "recovering",
}
STATE_COLOURS: dict[State, str] = {
    State.ENGAGED: "#56B4E9",  # sky blue
    State.AT_RISK: "#E69F00",  # orange
    State.WITHDRAWN: "#000000",  # black: gone dark, unmistakable in any colour vision
    State.RECOVERING: "#009E73",  # bluish green
}
TIE_COLOUR = "#BDBDBD"
LOST_TIE_COLOUR = "#CC79A7"  # reddish purple, drawn dashed
FOLLOWED_COLOUR = "#D55E00"  # vermilion: the one person the class follows
WITH_COLOUR = "#0072B2"  # blue: the run with programmes
WITHOUT_COLOUR = "#777777"  # grey, dashed: the same town without programmes
AVERTED_COLOUR = "#332288"  # indigo: cases averted
SECONDARY_HATCH = "///"

# Line kinds, by the names the HTML legend uses (chart.LegendItem), as matplotlib draws them.
LINE_STYLES: dict[str, str | tuple[float, tuple[float, ...]]] = {
    "line": "-",
    "dashed": "--",
    "dotted": ":",
    "dashdot": "-.",
    "dashdotdot": (0, (5, 1.5, 1, 1.5, 1, 1.5)),
}
# Rates: hikikomori shares the withdrawn colour; the warning signs get Tol's colours.
# The counts of the left panel are solid and every share of the right panel is broken,
# each in its own way, so no line of one panel reads as a line of the other (the black
# withdrawn count and the black hikikomori share above all).
RATE_SERIES: dict[str, tuple[str, str, str]] = {
    "prevalence_15_39": ("legend_hikikomori", "#000000", "dashdot"),
    "school_refusal_rate": ("legend_school_refusal", "#882255", "dashed"),
    "internet_addiction_rate": ("legend_internet_addiction", "#999933", "dotted"),
    "sleep_reversal_rate": ("legend_sleep_reversal", "#44AA99", "dashdotdot"),
}

CSS = """
.hikisim-page { font-size: 16px; }
.hikisim-page .v-btn { font-size: 15px; text-transform: none; letter-spacing: 0; }
.hikisim-grid { display: grid; grid-template-columns: 310px minmax(0, 1fr); gap: 8px;
  height: calc(100vh - 16px); }
.hikisim-sidebar { overflow-y: auto; padding-right: 4px; }
.hikisim-main { display: flex; flex-direction: column; min-height: 0; }
.hikisim-views { flex: 1; display: grid; grid-template-columns: 1fr 1fr;
  grid-template-rows: 1fr 1fr; gap: 6px; min-height: 0; }
.hikisim-view { display: flex; flex-direction: column; min-height: 0; overflow: hidden;
  border: 1px solid #ddd; border-radius: 4px; padding: 2px 6px; background: white; }
.hikisim-view-head { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }
/* A title wraps rather than being cut short; the titles are short enough for one line. */
.hikisim-view-title { font-weight: 600; font-size: 16px; flex: 1; min-width: 0; }
.hikisim-view-head .v-btn { min-width: 0 !important; padding: 0 6px !important; }
/* Solara's "runs on Solara" banner sits over the bottom-right chart. */
div[style*="bottom: 0px"][style*="right: 0px"] { display: none; }
.hikisim-legend { display: flex; flex-wrap: wrap; gap: 2px 10px; font-size: 14px; }
.hikisim-note { font-weight: 600; }
.hikisim-swatch { display: inline-block; width: 18px; height: 0; margin-right: 4px;
  vertical-align: middle; border-top: 3px solid; }
.hikisim-swatch-pattern { border-top: 0; height: 3px; }
.hikisim-dot { display: inline-block; width: 12px; height: 12px; border-radius: 6px;
  margin-right: 4px; vertical-align: middle; }
.hikisim-view-body { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.hikisim-title { font-size: 17px; font-weight: 600; margin-bottom: 6px; }
.hikisim-chart { flex: 1; min-height: 0; display: flex; justify-content: center; }
.hikisim-chart img { width: 100%; height: 100%; object-fit: contain; cursor: crosshair; }
.hikisim-status { font-size: 16px; line-height: 1.35; }
.hikisim-week { font-size: 20px; font-weight: 600; }
.hikisim-prose { font-size: 15px; line-height: 1.35; }
.hikisim-prose table { border-collapse: collapse; }
.hikisim-prose td, .hikisim-prose th { padding: 0 8px; border-bottom: 1px solid #ddd; }
.hikisim-view .v-expansion-panel-header { min-height: 30px; padding: 2px 12px; }
.hikisim-view .v-expansion-panel--active > .v-expansion-panel-header { min-height: 30px; }
/* An opened table takes at most half of its view and scrolls, so the chart above it keeps
   the rest instead of shrinking to nothing and the table's last rows stay reachable. */
.hikisim-view .v-expansion-panels { flex: 0 1 auto; min-height: 0; max-height: 50%;
  overflow-y: auto; }
.hikisim-averted { margin: 2px 0; }
.hikisim-explain { font-size: 15px; max-height: 40%; overflow-y: auto; }
.hikisim-narration { font-size: 16px; font-style: italic; }
.hikisim-control-label { font-size: 15px; display: flex; justify-content: space-between; }
.hikisim-control-value { font-weight: 600; white-space: nowrap; }
.hikisim-page .v-input--selection-controls { margin-top: 0; padding-top: 0; }
.hikisim-page .v-messages { display: none; }
.hikisim-page .v-label { font-size: 16px; }
/* Vuetify shrinks a field's raised label to 75 %, 12 px: too small for a projector. */
.hikisim-page .v-label--active { transform: translateY(-18px) scale(0.9) !important; }
.hikisim-page h4 { font-size: 17px; margin-top: 8px; }
.hikisim-page h5 { font-size: 16px; margin-top: 4px; color: #444; }
@media (max-width: 900px) {
  .hikisim-grid { grid-template-columns: 1fr; height: auto; }
  .hikisim-views { grid-template-columns: 1fr; grid-template-rows: none; }
  .hikisim-view { height: 70vh; }
}
"""


def new_figure(size: tuple[float, float] = FIGURE_SIZE, **margins: float) -> Figure:
    """A figure with fixed margins and projector-sized tick labels.

    Fixed margins rather than matplotlib's constrained layout, which re-solves the layout
    on every save and would double the cost of a weekly redraw.

    Args:
        size: Width and height in inches.
        **margins: ``subplots_adjust`` arguments overriding the defaults.
    """
    figure = Figure(figsize=size, dpi=DPI)
    figure.subplots_adjust(**({"left": 0.13, "right": 0.98, "bottom": 0.14, "top": 0.96} | margins))
    return figure


def style_axes(axes: Axes) -> None:
    """Large tick labels and no top or right spines, on one axes."""
    axes.tick_params(labelsize=TICK_POINTS)
    axes.spines[["top", "right"]].set_visible(False)


def label_fonts() -> tuple[str, ...]:
    """The font families for axis labels: DejaVu Sans, then the bundled Japanese font.

    matplotlib falls back along the list glyph by glyph, so the translated labels are
    drawn without a Japanese system font (see :mod:`hikisim.fonts`).
    """
    return ("DejaVu Sans", japanese_family())


def label_axes(
    axes: Axes,
    x: str | None = None,
    y: str | None = None,
    title: str | None = None,
    y_on_top: bool = False,
) -> None:
    """Axis labels and a title at the size of the tick labels; None leaves one out.

    Args:
        axes: The axes.
        x: The translated label of the x axis.
        y: The translated label of the y axis.
        title: The translated title, over the axes' top left corner.
        y_on_top: Write the y label level over the top of the axis instead of up its
            side, for a chart too low to hold it sideways.
    """
    font = {"fontsize": TICK_POINTS, "fontfamily": list(label_fonts())}
    if x is not None:
        axes.set_xlabel(x, labelpad=1, **font)
    if y is not None and y_on_top:
        axes.set_ylabel(y, rotation=0, ha="left", va="bottom", **font)
        axes.yaxis.set_label_coords(0, 1.02)
    elif y is not None:
        axes.set_ylabel(y, labelpad=2, **font)
    if title is not None:
        axes.set_title(title, loc="left", pad=4, **font)


def relabel_axes(
    axes: Axes, shown: tuple[str, ...], words: tuple[str, str], y_on_top: bool = False
) -> tuple[str, ...]:
    """Write the x and y labels if they differ from those shown (a new language).

    Labelling costs about a millisecond, so the views label only when the words change.

    Args:
        axes: The axes.
        shown: The words the axes carry now (empty before the first call).
        words: The translated x and y labels.
        y_on_top: As in :func:`label_axes`.

    Returns:
        The words the axes carry after the call (keep them for the next).
    """
    if words != shown:
        label_axes(axes, *words, y_on_top=y_on_top)
    return words
