"""Serving the dashboard: Solara's server, on localhost, with nothing fetched from the internet.

The front end comes from the ``solara-assets`` package, and Solara's usage statistics
are switched off, so the page works in a classroom without internet access.
"""

from __future__ import annotations

import os
import sys

APP_MODULE = "hikisim.dashboard.app"
OFFLINE_ENVIRONMENT = {
    # Solara reports usage to an online service unless told not to.
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    # Serve the bundled front end; never ask a CDN for it.
    "SOLARA_ASSETS_PROXY": "True",
}


def solara_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line that serves the dashboard."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--log-level",
        "warning",
    ]


def serve(host: str, port: int) -> None:
    """Replace this process with Solara's server for the dashboard.

    Replacing rather than spawning keeps one process, so stopping ``hikisim dashboard``
    (Ctrl+C, or a test ending it) stops the server too.

    Args:
        host: Address to listen on.
        port: Port to listen on.
    """
    os.environ.update(OFFLINE_ENVIRONMENT)
    command = solara_command(host, port)
    print(
        f"hikisim dashboard: open http://{host}:{port} in a browser (Ctrl+C stops it)", flush=True
    )
    os.execv(command[0], command)
