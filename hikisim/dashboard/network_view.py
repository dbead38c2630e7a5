"""The network view: who is tied to whom, coloured by state, with lost ties faded."""

from __future__ import annotations

import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization.utils import update_counter

from hikisim.dashboard.explanations import Explanation
from hikisim.dashboard.model import DashboardModel
from hikisim.dashboard.style import (
    LOST_TIE_COLOUR,
    PNG_OPTIONS,
    STATE_COLOURS,
    STATE_NAMES,
    TIE_COLOUR,
    new_figure,
)
from hikisim.network import TieKind
from hikisim.states import State

STATE_COLOUR_TABLE = np.array([STATE_COLOURS[state] for state in sorted(STATE_COLOURS)])
ACTIVE_TIE_RGBA = to_rgba(TIE_COLOUR, 0.35)
LOST_TIE_RGBA = to_rgba(LOST_TIE_COLOUR, 0.6)


def node_size(youths: int) -> float:
    """Marker area that keeps a few thousand youths readable without hiding the ties."""
    return float(np.clip(6000 / max(youths, 1), 4, 30))


class NetworkCanvas:
    """One figure per model: the layout and artists are built once, each week recolours them.

    Args:
        model: The dashboard model to draw.

    Attributes:
        figure: The matplotlib figure.
    """

    def __init__(self, model: DashboardModel) -> None:
        self.model = model
        self.positions = model.layout
        network = model.network
        # Every tie once (u < v), in CSR entry order; the set of potential ties never changes.
        self.tie_entries = np.flatnonzero(network.entry_row < model.adjacency.indices)
        self.tie_segments = np.stack(
            [
                self.positions[network.entry_row[self.tie_entries]],
                self.positions[model.adjacency.indices[self.tie_entries]],
            ],
            axis=1,
        )
        self.offline = network.kind[self.tie_entries] != TieKind.ONLINE
        self.figure = new_figure((6.0, 5.0), left=0.01, right=0.99, bottom=0.08, top=0.94)
        axes = self.figure.subplots()
        axes.set_axis_off()
        # All potential ties in one collection, set once; each week only their colours
        # change, which is far cheaper than rebuilding thousands of paths.
        self.ties = LineCollection(self.tie_segments, linewidths=0.4)
        self.tie_colours = np.zeros((len(self.tie_entries), 4))
        axes.add_collection(self.ties)
        self.nodes = axes.scatter(
            self.positions[:, 0],
            self.positions[:, 1],
            s=node_size(len(self.positions)),
            linewidths=0,
            zorder=3,
        )
        axes.set_xlim(-0.02, 1.02)
        axes.set_ylim(-0.02, 1.02)
        axes.legend(
            handles=legend_handles(),
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=5,
            fontsize=8,
            frameon=False,
            handletextpad=0.3,
            columnspacing=0.8,
        )
        self.title = axes.set_title("", fontsize=10)

    def update(self) -> Figure:
        """Recolour the youths and redraw the ties for the current week."""
        active = self.model.network.active[self.tie_entries]
        lost = ~active & self.offline
        self.tie_colours[:] = 0.0  # inactive online contacts stay invisible
        self.tie_colours[active] = ACTIVE_TIE_RGBA
        self.tie_colours[lost] = LOST_TIE_RGBA
        self.ties.set_color(self.tie_colours)
        states = self.model.population.youths.state
        self.nodes.set_facecolor(STATE_COLOUR_TABLE[states])
        withdrawn = int(np.count_nonzero(states == State.WITHDRAWN))
        self.title.set_text(
            f"Week {self.model.horizon_week}: {withdrawn} withdrawn, "
            f"{int(lost.sum())} offline ties lost"
        )
        return self.figure


def legend_handles() -> list[Line2D]:
    """Legend entries: one dot per state and a line for lost ties."""
    dots = [
        Line2D([], [], marker="o", linestyle="", color=STATE_COLOURS[state], label=name)
        for state, name in STATE_NAMES.items()
    ]
    lost = Line2D([], [], color=LOST_TIE_RGBA, label="lost tie")
    return [*dots, lost]


@solara.component
def NetworkView(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """The social network, redrawn every week from a layout fixed for the model."""
    update_counter.get()
    canvas = solara.use_memo(lambda: NetworkCanvas(model), dependencies=[model])
    with solara.Card("Who is connected to whom", margin=0):
        solara.FigureMatplotlib(
            canvas.update(), dependencies=[model, update_counter.value], **PNG_OPTIONS
        )
        Explanation("network")
