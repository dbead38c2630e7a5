"""End-to-end: ``hikisim dashboard`` in a subprocess, driven in a real Chromium.

Debian's chromium is used because Playwright's own browser download needs the internet.
Without it the test skips on a laptop but fails in CI, where it must run.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SERVER_START_SECONDS = 90
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "img" / "dashboard.png"

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not installed")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hikisim_command() -> list[str]:
    script = Path(sys.executable).with_name("hikisim")
    if script.exists():
        return [str(script)]
    found = shutil.which("hikisim")
    assert found, "the hikisim command is not installed; run 'make venv'"
    return [found]


def wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"hikisim dashboard exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(
        f"hikisim dashboard did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()}"
    )


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*hikisim_command(), "dashboard", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown stops all of it
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(url, server, log)
        yield url
    finally:
        stop(server)


@pytest.fixture
def page(chromium: Path, dashboard_url: str):
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def keep_local(route) -> None:
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.set_default_timeout(30_000)
            page.route("**/*", keep_local)
            page.goto(dashboard_url)
            page.get_by_text("Week 0 of").wait_for(timeout=60_000)
            yield page
            assert outside == [], f"the page asked the internet for {outside}"
        finally:
            browser.close()


def week_counter(page) -> str:
    return page.locator(".hikisim-week").inner_text()


def step(page, times: int) -> None:
    for _ in range(times):
        before = week_counter(page)
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(
            "before => document.querySelector('.hikisim-week').innerText !== before", arg=before
        )


def card_image(page, title: str) -> bytes:
    card = page.locator(".v-card").filter(has=page.get_by_text(title, exact=True))
    return card.locator("img").first.screenshot()


def test_page_renders_offline_and_steps(page) -> None:
    body = page.locator("body").inner_text()
    assert "Who is connected to whom" in body
    assert "Model Parameters" in body
    assert page.locator("img").count() >= 3
    network, timeseries = (
        card_image(page, "Who is connected to whom"),
        card_image(page, "Week by week"),
    )

    step(page, 4)

    assert week_counter(page).startswith("Week 4 of")
    assert card_image(page, "Who is connected to whom") != network
    assert card_image(page, "Week by week") != timeseries


def test_intervention_shows_difference_in_comparison(page) -> None:
    comparison = page.locator(".v-card").filter(
        has=page.get_by_text("With and without interventions")
    )
    assert "No intervention is switched on" in comparison.inner_text()
    # Switch on every intervention, so the test does not hang on one programme's uptake.
    # Vuetify lays a ripple over each input, so click the labels as a person would.
    switches = page.locator("label", has_text="Intervention:")
    assert switches.count() >= 1, "no intervention switches in the sidebar"
    for index in range(switches.count()):
        switches.nth(index).click()
    page.get_by_role("button", name="Reset").click()
    comparison.get_by_text("Switched on:").wait_for()

    step(page, 8)

    # The week counter can update a moment before the comparison panel does.
    comparison.get_by_text("After 8 weeks").wait_for()
    table = comparison.locator("table")
    differences = table.locator("tbody tr td:last-child").all_inner_texts()
    assert any(text.strip().strip("+-0.,") for text in differences), differences
    shot = page.screenshot(full_page=True)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    if os.environ.get("HIKISIM_UPDATE_SCREENSHOT") or not SCREENSHOT.exists():
        SCREENSHOT.write_bytes(shot)
    assert len(shot) > 10_000
