"""The network view: classes as clusters, coloured by state, lost ties dashed, a person followed."""

from __future__ import annotations

import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from hikisim.dashboard.chart import Chart, LegendItem, ViewFrame
from hikisim.dashboard.i18n import tr
from hikisim.dashboard.layout import NETWORK_ASPECT as ASPECT
from hikisim.dashboard.model import DashboardModel
from hikisim.dashboard.session import Session
from hikisim.dashboard.style import (
    FOLLOWED_COLOUR,
    LOST_TIE_COLOUR,
    STATE_COLOURS,
    STATE_KEYS,
    TIE_COLOUR,
    encode_png,
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
NETWORK_DPI = 80


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


class NetworkCanvas:
    """One figure per model: positions and artists built once, each week recoloured.

    Args:
        model: The dashboard model to draw.

    Attributes:
        figure: The matplotlib figure.
        positions: Each youth's position in data coordinates.
    """

    def __init__(self, model: DashboardModel) -> None:
        self.model = model
        self.positions = model.layout
        network = model.network
        ends = model.adjacency.indices
        self.tie_entries = np.flatnonzero(network.entry_row < ends)  # every tie once
        self.segments = np.stack(
            [
                self.positions[network.entry_row[self.tie_entries]],
                self.positions[ends[self.tie_entries]],
            ],
            axis=1,
        )
        kinds = network.kind[self.tie_entries]
        self.offline = kinds != TieKind.ONLINE
        self.drawn = np.isin(kinds, DRAWN_KINDS)
        self.figure = new_figure((4.8, 4.8 / ASPECT), left=0.0, right=1.0, bottom=0.0, top=1.0)
        # No text to keep legible here, so a coarser raster: about the size it is shown
        # at 1280x720, and a third fewer pixels to draw and encode each week.
        self.figure.set_dpi(NETWORK_DPI)
        self.axes = self.figure.subplots()
        self.axes.set_axis_off()
        self.axes.set_xlim(-0.02, ASPECT + 0.02)
        self.axes.set_ylim(-0.02, 1.02)
        self.shown_active: np.ndarray | None = None
        # Hairlines without antialiasing: at this width it does not show, and it halves
        # the time to draw a few thousand ties.
        self.ties = LineCollection(
            [], linewidths=0.5, colors=[to_rgba(TIE_COLOUR, 0.35)], antialiaseds=[False]
        )
        self.lost = LineCollection(
            [], linewidths=0.9, colors=[LOST_TIE_COLOUR], linestyles=[(0, (3, 2))]
        )
        self.followed_ties = LineCollection([], linewidths=1.6, colors=[FOLLOWED_COLOUR])
        for collection in (self.ties, self.lost, self.followed_ties):
            self.axes.add_collection(collection)
        self.nodes = self.axes.scatter(
            self.positions[:, 0],
            self.positions[:, 1],
            s=node_size(len(self.positions)),
            linewidths=0,
            zorder=3,
        )
        self.rings = self.axes.scatter(
            [],
            [],
            s=node_size(len(self.positions)) * 4,
            facecolors="none",
            edgecolors=FOLLOWED_COLOUR,
            linewidths=1.5,
            zorder=4,
        )

    def update(self, followed: int | None) -> Figure:
        """Recolour the youths and redraw the ties for the current week."""
        active = self.model.network.active[self.tie_entries]
        # Most weeks no tie changes, and rebuilding thousands of paths is the dearest
        # part of a redraw, so the ties are only replaced when they changed.
        if self.shown_active is None or not np.array_equal(active, self.shown_active):
            self.shown_active = active
            self.ties.set_segments(self.segments[active & self.drawn])
            self.lost.set_segments(self.segments[~active & self.offline])
        self.nodes.set_facecolor(STATE_COLOUR_TABLE[self.model.population.youths.state])
        self._highlight(followed)
        return self.figure

    def _highlight(self, followed: int | None) -> None:
        if followed is None:
            self.followed_ties.set_segments([])
            self.rings.set_offsets(np.zeros((0, 2)))
            return
        ends = self.model.adjacency.indices
        rows = self.model.network.entry_row[self.tie_entries]
        mine = (rows == followed) | (ends[self.tie_entries] == followed)
        active = self.model.network.active[self.tie_entries]
        self.followed_ties.set_segments(self.segments[mine & active])
        contacts = np.unique(np.concatenate([rows[mine], ends[self.tie_entries][mine]]))
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
        png = encode_png(canvas.update(session.followed))
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
