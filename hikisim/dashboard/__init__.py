"""The Solara dashboard: Mesa's SolaraViz with hikisim's controls and views.

One concern per module: ``controls`` (the sidebar), ``model`` (the run and its baseline
twin), ``layout`` (the network layout), one module per view, ``comparison`` (the running
totals), ``explanations`` (plain-language text) and ``app`` (the page).
"""

from hikisim.dashboard.model import DashboardModel

__all__ = ["DashboardModel"]
