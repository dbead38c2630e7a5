"""Keep the dashboard's server from reaching the internet.

Solara serves front-end files from a CDN cache (``/_solara/cdn/...``) and, for any file
the cache lacks, fetches it from jsdelivr with retries. In a classroom without internet
that stalls each such request for seconds and fills the terminal with "Could not load
URL" warnings. The dashboard needs only files that ``solara-assets`` bundles, so a
missing file is answered at once with a 404 instead of a fetch.
"""

from __future__ import annotations

import logging

from solara.server import cdn_helper

logger = logging.getLogger(__name__)


class OfflineError(RuntimeError):
    """A CDN file was asked for that the bundled assets do not hold."""


def refuse_cdn_fetch(url: str) -> bytes:
    """Stand-in for Solara's CDN fetch: never touches the network.

    Args:
        url: The CDN address Solara would have fetched.

    Raises:
        OfflineError: Always; Solara's static handler turns it into a 404.
    """
    logger.debug("not fetching %s: the dashboard runs offline", url)
    raise OfflineError(f"offline: {url} is not bundled")


def forbid_cdn_fetches() -> None:
    """Make Solara's CDN proxy answer from the bundled assets only.

    ``cdn_helper.get_path`` and ``get_data`` look ``fetch_from_cdn`` up in their module
    at call time, so replacing it there covers every route that serves CDN files.
    """
    cdn_helper.fetch_from_cdn = refuse_cdn_fetch
