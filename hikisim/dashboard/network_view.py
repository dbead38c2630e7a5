"""The network view: classes as clusters, coloured by state, lost ties dashed, a person followed."""

from __future__ import annotations

import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.lines import Line2D

from hikisim.dashboard.chart import Chart, LegendItem, ViewFrame
from hikisim.dashboard.i18n import tr
from hikisim.dashboard.layout import NETWORK_ASPECT as ASPECT
from hikisim.dashboard.model import DashboardModel
from hikisim.dashboard.render import Frame
from hikisim.dashboard.session import Session
from hikisim.dashboard.style import (
    FOLLOWED_COLOUR,
    LOST_TIE_COLOUR,
    STATE_COLOURS,
    STATE_KEYS,
    TIE_COLOUR,
    new_figure,
)
from hikisim.network import TieKind
from hikisim.states import State

STATE_COLOUR_TABLE = np.array([to_rgba(STATE_COLOURS[state]) for state in sorted(STATE_COLOURS)])
# Classmates sit together in a disc, so drawing their ties would only fill the disc,
# and neighbours would fill the gaps between discs; siblings and friends are the lines
# worth seeing. Lost ties of every offline kind are drawn, since losing them is the story.
DRAWN_KINDS = (TieKind.SIBLING, TieKind.FRIEND)
CLICK_RADIUS = 0.04
# Dots are drawn in this order, so the rarer states stay on top where dots touch.
DOT_ORDER = (State.ENGAGED, State.RECOVERING, State.AT_RISK, State.WITHDRAWN)
# Ties are faint hairlines: each tie over a pixel lays this much grey over it.
TIE_ALPHA = 0.35
# Beyond this many ties on one pixel it is as dark as it gets.
TIE_DEPTH = 8
# A lost tie is drawn dashed: this many pixels on, out of each period.
DASH_ON, DASH_PERIOD = 4, 6


def node_size(youths: int) -> float:
    """Marker area that keeps a few thousand youths readable without hiding the ties."""
    return float(np.clip(5000 / max(youths, 1), 3, 30))


def legend() -> list[LegendItem]:
    """The network's legend: one dot per state, the tie styles and the followed person."""
    dots = [
        LegendItem(f"legend_{key}", STATE_COLOURS[state], "dot")
        for state, key in STATE_KEYS.items()
    ]
    return [
        *dots,
        LegendItem("legend_tie", TIE_COLOUR),
        LegendItem("legend_lost_tie", LOST_TIE_COLOUR, "dashed"),
        LegendItem("legend_followed", FOLLOWED_COLOUR),
    ]


class TieRaster:
    """Ties as pixels: which pixels each tie crosses is found once, then only counted.

    A thousand youths have a few thousand ties, and matplotlib took about 15 ms a week
    to rasterise them as lines. Here each tie is walked once, one pixel per column (or
    per row, for a steep tie), like the unsmoothed hairlines it replaces; a week's
    picture is then one ``bincount`` of the pixels of the ties to show.

    Args:
        starts: Each tie's first end, in pixels from the bottom left.
        ends: Each tie's other end, likewise.
        width: Picture width in pixels.
        height: Picture height in pixels.
    """

    def __init__(self, starts: np.ndarray, ends: np.ndarray, width: int, height: int) -> None:
        self.width, self.height = width, height
        delta = ends - starts
        # Walk along the longer axis ("major"), one pixel at a time, so no pixel of a tie
        # is counted twice and none is skipped.
        steep = np.abs(delta[:, 1]) > np.abs(delta[:, 0])
        major, minor = np.where(steep, 1, 0), np.where(steep, 0, 1)
        rows = np.arange(len(starts))
        begin, span = starts[rows, major], delta[rows, major]
        first = np.floor(begin).astype(np.int64)
        last = np.floor(begin + span).astype(np.int64)
        self.samples = np.abs(last - first) + 1  # pixels walked per tie
        tie = np.repeat(rows, self.samples)
        step = np.arange(len(tie)) - np.repeat(np.cumsum(self.samples) - self.samples, self.samples)
        along = first[tie] + step * np.where(last >= first, 1, -1)[tie]
        # Where the tie crosses the middle of each pixel it walks, ends included.
        safe_span = np.where(span == 0, 1.0, span)
        fraction = np.clip((along + 0.5 - begin[tie]) / safe_span[tie], 0.0, 1.0)
        across = np.floor(starts[rows, minor][tie] + delta[rows, minor][tie] * fraction)
        column = np.where(steep[tie], across, along).astype(np.int64)
        row = np.where(steep[tie], along, across).astype(np.int64)
        inside = (column >= 0) & (column < width) & (row >= 0) & (row < height)
        self.pixels = np.where(inside, row * width + column, width * height).astype(np.int32)
        # How far along its tie each pixel lies, for dashes of even length at any slope.
        length = np.hypot(delta[:, 0], delta[:, 1]) / np.maximum(np.abs(span), 1.0)
        self.dash_on = (step * length[tie]) % DASH_PERIOD < DASH_ON

    def count(self, shown: np.ndarray, dashed: bool = False) -> np.ndarray:
        """How many of the shown ties cross each pixel.

        Args:
            shown: One flag per tie.
            dashed: Leave out the gaps between dashes.

        Returns:
            A ``height x width`` array of counts, bottom row first.
        """
        selected = np.repeat(shown, self.samples)
        if dashed:
            selected &= self.dash_on
        # Pixels off the picture were given the index one past its end.
        counts = np.bincount(self.pixels[selected], minlength=self.width * self.height + 1)
        return counts[:-1].reshape(self.height, self.width)


def tie_shades() -> np.ndarray:
    """The colour of a pixel crossed by 0, 1, ... TIE_DEPTH ties, as ``uint8`` RGBA."""
    cover = 1 - (1 - TIE_ALPHA) ** np.arange(TIE_DEPTH + 1)
    rgb = 1 - (1 - np.array(to_rgb(TIE_COLOUR))) * cover[:, None]
    return np.column_stack([np.round(rgb * 255), np.full(TIE_DEPTH + 1, 255)]).astype(np.uint8)


class NetworkCanvas:
    """One figure per model: positions and pixels found once, each week recoloured.

    The ties are a raster (:class:`TieRaster`) rebuilt only in weeks when a tie was
    lost or regained; the dots, the followed person's ties and the rings round their
    contacts are matplotlib artists drawn over it.

    Args:
        model: The dashboard model to draw.

    Attributes:
        figure: The matplotlib figure.
        frame: Draws the figure.
        positions: Each youth's position in data coordinates.
        dots: One marker line per state, holding the youths in that state.
    """

    def __init__(self, model: DashboardModel) -> None:
        self.model = model
        self.positions = model.layout
        network = model.network
        ends = model.adjacency.indices
        self.tie_entries = np.flatnonzero(network.entry_row < ends)  # every tie once
        self.rows = network.entry_row[self.tie_entries]
        self.ends = ends[self.tie_entries]
        self.segments = np.stack([self.positions[self.rows], self.positions[self.ends]], axis=1)
        kinds = network.kind[self.tie_entries]
        # Online ties are never drawn, so only offline ties get pixels.
        self.offline = np.flatnonzero(kinds != TieKind.ONLINE)
        self.drawn = np.isin(kinds[self.offline], DRAWN_KINDS)
        self.figure = new_figure((4.8, 4.8 / ASPECT), left=0.0, right=1.0, bottom=0.0, top=1.0)
        self.axes = self.figure.subplots()
        self.axes.set_axis_off()
        self.axes.set_xlim(-0.02, ASPECT + 0.02)
        self.axes.set_ylim(-0.02, 1.02)
        size = node_size(len(self.positions))
        self.followed_ties = LineCollection([], linewidths=1.6, colors=[FOLLOWED_COLOUR])
        self.axes.add_collection(self.followed_ties)
        self.dots = {
            state: self.axes.add_line(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=np.sqrt(size),  # a scatter's size is the marker's area
                    markeredgewidth=0,
                    color=STATE_COLOURS[state],
                )
            )
            for state in DOT_ORDER
        }
        self.rings = self.axes.scatter(
            [], [], s=size * 4, facecolors="none", edgecolors=FOLLOWED_COLOUR, linewidths=1.5
        )
        self.frame = Frame(self.figure, [self.followed_ties, *self.dots.values(), self.rings])
        width, height = self.frame.canvas.get_width_height(physical=True)
        to_pixels = self.axes.transData.transform
        self.raster = TieRaster(
            to_pixels(self.segments[self.offline, 0]),
            to_pixels(self.segments[self.offline, 1]),
            width,
            height,
        )
        self.shades = tie_shades()
        self.lost_shade = np.array([*np.round(np.array(to_rgb(LOST_TIE_COLOUR)) * 255), 255])
        self.shown_active: np.ndarray | None = None
        self.underlay: np.ndarray | None = None

    def ties_picture(self) -> np.ndarray:
        """The ties as an RGBA picture, redrawn only when a tie changed since last time."""
        active = self.model.network.active[self.tie_entries[self.offline]]
        if self.underlay is None or not np.array_equal(active, self.shown_active):
            self.shown_active = active
            depth = np.minimum(self.raster.count(active & self.drawn), TIE_DEPTH)
            picture = self.shades[depth]
            picture[self.raster.count(~active, dashed=True) > 0] = self.lost_shade
            self.underlay = picture
        return self.underlay

    def update(self, followed: int | None) -> bytes:
        """Recolour the youths and redraw the ties for the current week.

        Args:
            followed: The seat of the youth to highlight, or None.

        Returns:
            The picture as PNG bytes.
        """
        state = self.model.population.youths.state
        for code, dots in self.dots.items():
            dots.set_data(*self.positions[state == code].T)
        self._highlight(followed)
        return self.frame.draw(underlay=self.ties_picture())

    def _highlight(self, followed: int | None) -> None:
        if followed is None:
            self.followed_ties.set_segments([])
            self.rings.set_offsets(np.zeros((0, 2)))
            return
        mine = (self.rows == followed) | (self.ends == followed)
        active = self.model.network.active[self.tie_entries]
        self.followed_ties.set_segments(self.segments[mine & active])
        contacts = np.unique(np.concatenate([self.rows[mine], self.ends[mine]]))
        self.rings.set_offsets(self.positions[contacts])

    def nearest(self, x: float, y: float) -> int | None:
        """The youth nearest a click, given as fractions of the image from its top left."""
        point = np.array([x * (ASPECT + 0.04) - 0.02, (1 - y) * 1.04 - 0.02])
        distance = np.linalg.norm(self.positions - point, axis=1)
        index = int(np.argmin(distance))
        return index if distance[index] <= CLICK_RADIUS else None


def network_csv(model: DashboardModel) -> str:
    """Every youth's position and state, and each tie's state, as CSV."""
    youths = model.population.youths
    lines = ["youth,x,y,state,age"]
    for seat, (x, y) in enumerate(model.layout):
        state = STATE_KEYS[State(youths.state[seat])]
        lines.append(f"{seat},{x:.4f},{y:.4f},{state},{youths.age_weeks[seat] // 52}")
    return "\n".join(lines) + "\n"


@solara.component
def NetworkView(session: Session, version: int, on_follow) -> None:  # noqa: N802
    """The social network, redrawn every week on a layout fixed for the model.

    Args:
        session: The class's session.
        version: Bumped whenever the run changes, so the view redraws.
        on_follow: Called with the seat a click picked.
    """
    model = session.model
    canvas = solara.use_memo(lambda: NetworkCanvas(model), dependencies=[model])
    with model.lock:
        png = canvas.update(session.followed)
        withdrawn = int(np.count_nonzero(model.population.youths.state == State.WITHDRAWN))
        offline = model.network.kind != TieKind.ONLINE
        lost = int(np.count_nonzero(~model.network.active & offline)) // 2
    note = tr("network_title", week=max(model.horizon_week, 0), withdrawn=withdrawn, lost=lost)

    def export_csv() -> str:
        with model.lock:
            return network_csv(model)

    def click(x: float, y: float) -> None:
        seat = canvas.nearest(x, y)
        if seat is not None:
            on_follow(seat)

    with ViewFrame("network", tr("view_network"), legend(), lambda: png, export_csv, note=note):
        Chart(png, alt=f"network week {model.horizon_week}", on_click=click)
