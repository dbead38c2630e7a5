"""Bad ``--scheduler`` addresses fail fast: exit 2, one line, no traceback, no output.

Each case once hung or crashed: a port that speaks HTTP hung for minutes, an HTTP reply
was read as a frame of exabytes, a malformed address hung and then printed a traceback
from ``Client.__del__``, and a closed port took half a minute.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import (
    BASELINE,
    POINT_CALIBRATE_TINY,
    TINY,
    free_port,
    hikisim,
    one_line_error,
    set_options,
    sweep_experiment,
)

from hikisim.errors import InputError
from hikisim.sweeps.scheduler import SchedulerAddress, parse_address

LIMIT_S = 15


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tcp://127.0.0.1:8786", SchedulerAddress("tcp", "127.0.0.1", 8786)),
        ("10.0.0.5:8786", SchedulerAddress("tcp", "10.0.0.5", 8786)),
        ("tls://[::1]:9000", SchedulerAddress("tls", "::1", 9000)),
        (" node-7.cluster:1 ", SchedulerAddress("tcp", "node-7.cluster", 1)),
    ],
)
def test_good_addresses_parse(text: str, expected: SchedulerAddress) -> None:
    assert parse_address(text) == expected
    assert parse_address(str(expected)) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("notanaddress", "malformed"),
        ("tcp://host", "malformed"),
        ("tcp://host:port", "malformed"),
        ("http://127.0.0.1:8786", "unsupported scheme"),
        ("tcp://127.0.0.1:0", "1-65535"),
        ("tcp://127.0.0.1:70000", "1-65535"),
        ("tcp://127.0.0.1:8786/path", "malformed"),
        (":8786", "malformed"),
    ],
)
def test_bad_addresses_are_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(InputError, match=why) as info:
        parse_address(text)
    assert str(info.value).startswith("--scheduler: ")


def serve_forever(handle: object) -> Iterator[int]:
    """Accept connections on a free port and pass each to ``handle`` in a thread."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def loop() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            held.append(connection)
            handle(connection)  # type: ignore[operator]

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        server.close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says anything."""
    yield from serve_forever(lambda connection: None)


@pytest.fixture
def eager_http_port() -> Iterator[int]:
    """A port that answers every connection at once with an HTTP error page."""

    def answer(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    yield from serve_forever(answer)


@pytest.fixture
def http_server_port() -> Iterator[int]:
    """A real HTTP server, which waits for a request before it says anything."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def refused_in_time(tmp_path: Path, command: str, address: str) -> str:
    out = tmp_path / "out"
    if command == "sweep":
        args: list[object] = ["sweep", sweep_experiment(tmp_path / "grid.toml")]
    elif command == "compare":
        args = ["compare", BASELINE, BASELINE.parent / "comprehensive.toml", *set_options(TINY)]
    else:
        args = list(POINT_CALIBRATE_TINY)
    started = time.monotonic()
    result = hikisim(*args, "--scheduler", address, "--out", out, cwd=tmp_path, timeout=60)
    elapsed = time.monotonic() - started
    line = one_line_error(result)
    assert elapsed < LIMIT_S, f"took {elapsed:.1f} s"
    assert "--scheduler" in line
    assert not out.exists(), "nothing may be written for a refused command"
    return line


@pytest.mark.parametrize("command", ["sweep", "compare", "calibrate"])
def test_a_closed_port_is_refused_fast(tmp_path: Path, command: str) -> None:
    line = refused_in_time(tmp_path, command, f"tcp://127.0.0.1:{free_port()}")
    assert "nothing is listening" in line


def test_a_malformed_address_is_refused_fast(tmp_path: Path) -> None:
    assert "malformed" in refused_in_time(tmp_path, "sweep", "notanaddress")


def test_an_unknown_host_is_refused_fast(tmp_path: Path) -> None:
    assert "cannot resolve" in refused_in_time(tmp_path, "sweep", "tcp://no-such-host.invalid:8786")


def test_a_port_that_never_answers_is_refused_fast(tmp_path: Path, silent_port: int) -> None:
    line = refused_in_time(tmp_path, "sweep", f"tcp://127.0.0.1:{silent_port}")
    assert "did not answer as a Dask scheduler" in line


def test_a_port_that_answers_in_http_is_refused(tmp_path: Path, eager_http_port: int) -> None:
    line = refused_in_time(tmp_path, "compare", f"tcp://127.0.0.1:{eager_http_port}")
    assert "not as a Dask scheduler" in line


def test_an_http_server_is_refused_fast(tmp_path: Path, http_server_port: int) -> None:
    line = refused_in_time(tmp_path, "sweep", f"127.0.0.1:{http_server_port}")
    assert "Dask scheduler" in line
