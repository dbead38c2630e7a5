"""The dashboard page: the sidebar, the status bar and four views on one screen.

Serve it with ``hikisim dashboard`` (or ``solara run hikisim.dashboard.app``).

The page owns its play loop instead of using Mesa's SolaraViz: SolaraViz keeps the
model's parameters and its play thread to itself, which is where picking a scenario
lost the file's settings on Reset and where picking during play could never be
stopped. Here every click goes to one :class:`~hikisim.dashboard.session.Session`
through a :class:`~hikisim.dashboard.controller.Controller`, which stops play before it
rebuilds anything.
"""

from __future__ import annotations

import solara
import solara.lab

from hikisim.dashboard.comparison_view import ComparisonView
from hikisim.dashboard.controller import Controller
from hikisim.dashboard.episode_view import EpisodeView, histogram_key
from hikisim.dashboard.i18n import language, tr
from hikisim.dashboard.network_view import NetworkView
from hikisim.dashboard.offline import forbid_cdn_fetches
from hikisim.dashboard.session import Session
from hikisim.dashboard.sidebar import Sidebar
from hikisim.dashboard.status_view import StatusBar
from hikisim.dashboard.style import CSS
from hikisim.dashboard.timeseries_view import TimeSeriesView

# The server imports this module, so this is where it stops reaching for the CDN.
forbid_cdn_fetches()


@solara.component
def Views(controller: Controller, version: int) -> None:  # noqa: N802
    """The four views in a two-by-two grid that fills the rest of the window."""
    session = controller.session
    with solara.Div(classes=["hikisim-views"]):
        NetworkView(session, version, controller.on_follow)
        ComparisonView(session.model, session.ensemble, version, language.value)
        TimeSeriesView(session.model, version)
        EpisodeView(histogram_key(session.model))


@solara.component
def Page() -> None:  # noqa: N802 - Solara components are CamelCase
    """The whole dashboard."""
    session = solara.use_memo(Session, dependencies=[])
    version = solara.use_reactive(0)
    controller = solara.use_memo(lambda: Controller(session, version), dependencies=[])
    controller.play_in_background = solara.lab.use_task(controller.play_loop, dependencies=None)
    controller.run_in_background = solara.lab.use_task(controller.background_job, dependencies=None)
    controller.watch_in_background = solara.lab.use_task(controller.watch_towns, dependencies=None)

    solara.Title("hikisim")
    solara.Style(CSS)
    with solara.Div(classes=["hikisim-page", "hikisim-grid"]):
        with solara.Div(classes=["hikisim-sidebar"]):
            solara.HTML(tag="div", unsafe_innerHTML=tr("title"), classes=["hikisim-title"])
            Sidebar(session, session.control_state(), controller.on_act, controller.on_set_value)
        with solara.Div(classes=["hikisim-main"]):
            StatusBar(session, version.value, controller.on_act)
            Views(controller, version.value)
