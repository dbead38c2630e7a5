"""Serving the dashboard: Solara's server, on localhost, with nothing fetched from the internet.

The front end comes from the ``solara-assets`` package, Solara's usage statistics are
switched off and its CDN proxy never fetches (see :mod:`hikisim.dashboard.offline`), so
the page works in a classroom without internet access.

``hikisim dashboard`` checks that it can listen before starting anything, so a busy
port or an unknown host is one line and exit code 2, and it prints the address only
once the page answers, so the address a teacher sees always works.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from hikisim.errors import InputError

APP_MODULE = "hikisim.dashboard.app"
OFFLINE_ENVIRONMENT = {
    # Solara reports usage to an online service unless told not to.
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    # Serve the bundled front end; never ask a CDN for it.
    "SOLARA_ASSETS_PROXY": "True",
    # Solara warns on every page load over plain http that it falls back to a lax
    # cookie, which is right for a localhost classroom; keep the terminal quiet.
    "PYTHONWARNINGS": "ignore:Cookies with samesite=none:UserWarning",
}
START_SECONDS = 120
# Errors that mean the address, not the port, is wrong.
HOST_ERRNOS = {errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT}


class StopServing(Exception):  # noqa: N818 - a request, not an error
    """Raised by the signal handler to leave the wait for the server."""


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


def check_bindable(host: str, port: int) -> int:
    """Make sure the server will be able to listen on ``host:port``.

    Args:
        host: Address to listen on.
        port: Port to listen on; 0 picks a free one.

    Returns:
        The port to use (the free one picked, if ``port`` was 0).

    Raises:
        InputError: Naming ``--host`` or ``--port``, if the address is unknown or the
            port is taken or not allowed.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise InputError(f"cannot listen on host {host!r}: {error}", "--host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        # The same option uvicorn sets, so a port in TIME_WAIT is not reported as busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as error:
            if error.errno in HOST_ERRNOS:
                raise InputError(
                    f"cannot listen on host {host!r}: {error.strerror}", "--host"
                ) from None
            raise InputError(
                f"cannot listen on port {port} of {host}: {error.strerror}", "--port"
            ) from None
        return int(sock.getsockname()[1])


def local_url(host: str, port: int) -> str:
    """The address to open; a wildcard host is reached through the loopback address."""
    shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/"


def wait_until_serving(url: str, server: subprocess.Popen, seconds: float = START_SECONDS) -> bool:
    """Poll ``url`` until it answers; False if the server exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.25)
    return False


def stop(server: subprocess.Popen) -> None:
    """Stop the server process, politely first."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def serve(host: str, port: int) -> None:
    """Serve the dashboard until stopped (Ctrl+C, or SIGTERM to this process).

    Args:
        host: Address to listen on.
        port: Port to listen on; 0 picks a free one.

    Raises:
        InputError: If the server cannot listen on ``host:port``.
        SystemExit: With the server's exit code, if it stops on its own.
    """
    port = check_bindable(host, port)
    url = local_url(host, port)
    # Solara's own banner announces the address before it is serving, so its standard
    # output is dropped; its errors still reach the terminal.
    server = subprocess.Popen(
        solara_command(host, port),
        env=os.environ | OFFLINE_ENVIRONMENT,
        stdout=subprocess.DEVNULL,
    )

    # Ctrl+C or SIGTERM end a dashboard normally: stop the server and say nothing more.
    # The handler only interrupts; the server is stopped below, outside the handler,
    # because the handler may run inside ``server.wait()``, which is not re-entrant.
    def interrupt(signum: int, frame: object) -> None:
        raise StopServing(signum)

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    try:
        if wait_until_serving(url, server):
            print(f"hikisim dashboard: open {url} in a browser (Ctrl+C stops it)", flush=True)
        code = server.wait()
    except StopServing:
        code = 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut cleanup short
        stop(server)
    if code:
        # Another program may have taken the port between the check and the start.
        check_bindable(host, port)
        raise SystemExit(code)
