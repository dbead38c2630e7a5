"""``hikisim dashboard`` start-up: one line and exit 2 when it cannot listen, URL once serving."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import urllib.request

import pytest
from processes import HIKISIM

pytestmark = [pytest.mark.slow]


def run_dashboard(*options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(HIKISIM), "dashboard", *options],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_busy_port_exits_2_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_dashboard("--port", str(port))
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--port" in lines[0] and str(port) in lines[0], lines


@pytest.mark.parametrize("host", ["nonexistent.invalid", "10.254.254.254"])
def test_bad_host_exits_2_with_one_line(host: str) -> None:
    result = run_dashboard("--host", host, "--port", "0")
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--host" in lines[0] and host in lines[0], lines


def test_url_is_printed_once_the_page_answers() -> None:
    server = subprocess.Popen(
        [str(HIKISIM), "dashboard", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        first = server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert match, (first, server.poll())
        # No waiting: the address must already answer when it is printed.
        with urllib.request.urlopen(match.group(0), timeout=5) as response:
            assert response.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, errors = server.communicate(timeout=20)
    assert "Traceback" not in errors, errors
