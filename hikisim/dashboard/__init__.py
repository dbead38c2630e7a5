"""The classroom dashboard: a Solara page around a HikiModel and its baseline twin.

One concern per module:

- ``app``: the page; ``controller``: what its buttons do; ``session``: the rules of one
  class's session (picking, Reset, play, jumps, following a person);
- ``controls``: which scenario values the sidebar sets; ``sidebar``: the controls;
- ``model``: the run and its twin without programmes; ``ensemble``: more towns with other
  seeds, run in a background process; ``comparison``: the running totals;
- ``network_view``, ``comparison_view``, ``timeseries_view``, ``episode_view``,
  ``status_view``: the views; ``chart``: the frame they share; ``render``: drawing their
  figures fast enough for a weekly redraw; ``layout``: the network's class clusters;
  ``story``: the narration line; ``style``: colours and CSS;
- ``i18n`` and ``strings``: English, Japanese and Italian; ``explanations``: the views'
  plain-language help; ``prose``: Markdown rendered on the server;
- ``offline``: no CDN fetches; ``server``: ``hikisim dashboard``.
"""

from hikisim.dashboard.model import DashboardModel

__all__ = ["DashboardModel"]
