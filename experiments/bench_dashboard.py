"""Dashboard responsiveness: Step, jumps and Reset at the default town size.

Two measurements of a Step, both at the dashboard's default size (1,000 youths):

- **server**: the page rendered with ``solara.render`` and its Step button clicked, so
  the time covers the model's week, every view's redraw and PNG encoding, and Solara's
  update of the widgets: everything the server does before the browser hears of it;
- **browser**: ``hikisim dashboard`` in a subprocess, driven in Chromium, timed inside
  the page from the button's mousedown to the first animation frame after the week
  counter and the network picture have both changed (the target is 200 ms).

Run it alone with ``python experiments/bench_dashboard.py [--no-browser] [--rounds N]``;
``make bench`` collects it through :func:`run`. Figures vary with the machine's load,
which is reported; with ``--rounds`` each Step figure is the median of N rounds' medians
(a fresh page, and for the browser a fresh server, each round), which a busy machine
sways far less than a single round.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import ipyvuetify as v
import solara
from solara.widgets import HTML

from hikisim.dashboard import ensemble
from hikisim.dashboard.app import Page
from hikisim.dashboard.controls import DEFAULT_YOUTHS
from hikisim.dashboard.session import Session

WARM_UP_STEPS = 5
TIMED_STEPS = 20
TARGET_MS = 200.0
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
SCENARIOS = ("baseline.toml", "comprehensive.toml")


def row(name: str, values: list[float], unit: str, note: str = "") -> dict:
    """One result: the median, with the spread and the machine's load in the note."""
    median = statistics.median(values)
    spread = (
        f"min {min(values):.3g}, max {max(values):.3g} {unit}, n={len(values)}"
        if len(values) > 1
        else ""
    )
    load = f"load {os.getloadavg()[0]:.1f}"
    return {
        "benchmark": name,
        "value": round(median, 2 if unit == "s" else 1),
        "unit": unit,
        "note": "; ".join(part for part in (spread, load, note) if part),
    }


def server_step_ms(file_name: str) -> list[float]:
    """Milliseconds per Step click on a page rendered without a browser."""
    _, rc = solara.render(Page(), handle_error=False)
    if file_name != "baseline.toml":
        rc.find(v.Select, label="Scenario file").widget.v_model = file_name
        name = file_name.removesuffix(".toml")
        deadline = time.monotonic() + 120
        while (
            name
            not in rc.find(HTML, attributes={"class": "hikisim-scenario"}).widget.unsafe_innerHTML
            or rc.find(v.Btn, children=["Step"]).widget.disabled
        ):
            assert time.monotonic() < deadline, "the pick did not finish"
            time.sleep(0.05)
        time.sleep(0.5)  # the worker's last redraw
    times = []
    for count in range(WARM_UP_STEPS + TIMED_STEPS):
        # Found afresh each time: a redraw may replace the button's widget.
        step = rc.find(v.Btn, children=["Step"]).widget
        week = rc.find(HTML, attributes={"class": "hikisim-week"}).widget.unsafe_innerHTML
        start = time.perf_counter()
        step.click()
        elapsed = (time.perf_counter() - start) * 1000
        after = rc.find(HTML, attributes={"class": "hikisim-week"}).widget.unsafe_innerHTML
        assert after != week, "the Step click did not move the run on"
        if count >= WARM_UP_STEPS:
            times.append(elapsed)
    return times


def session_timings(file_name: str) -> dict[str, float]:
    """Seconds for Reset (build and warm-up) and for jumps of one and five years."""
    start = time.perf_counter()
    session = Session(file_name, towns=0)
    timings = {"reset": time.perf_counter() - start}
    for years in (1, 5):
        start = time.perf_counter()
        session.advance(session.jump_weeks(years))
        timings[f"jump {years} y"] = time.perf_counter() - start
    return timings


IN_PAGE_TIMER = """() => {
    window.stepTimes = [];
    // Listen on the document: a re-render may replace the button's element.
    document.addEventListener('mousedown', (event) => {
        const button = event.target.closest('button');
        if (!button || button.innerText.trim() !== 'Step') return;
        const start = performance.now();
        // Elements may be missing for a moment while the page re-renders.
        const read = (selector, key) => {
            const element = document.querySelector(selector);
            return element ? element[key] : null;
        };
        const week = read('.hikisim-week', 'innerText');
        const picture = read('.hikisim-view-network img', 'src');
        const check = () => {
            const moved = read('.hikisim-week', 'innerText') !== week;
            const drawn = read('.hikisim-view-network img', 'src') !== picture;
            // A week may leave the picture unchanged; then the counter alone ends it.
            if (moved && (drawn || performance.now() - start > 3000)) {
                requestAnimationFrame(() => window.stepTimes.push(performance.now() - start));
            } else {
                requestAnimationFrame(check);
            }
        };
        requestAnimationFrame(check);
    }, true);
}"""


def browser_step_ms(file_name: str) -> list[float]:
    """Click-to-screen milliseconds of a Step in Chromium, timed inside the page."""
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("hikisim")), "dashboard", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        url = server.stdout.readline().split("open ")[1].split()[0]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url)
            page.get_by_text("Week 0 of").wait_for(timeout=60_000)
            if file_name != "baseline.toml":
                page.locator(".v-select").filter(
                    has=page.get_by_text("Scenario file", exact=True)
                ).locator(".v-select__slot").click()
                page.locator(".v-menu__content .v-list-item").filter(
                    has_text=file_name
                ).first.click()
                page.locator(
                    ".hikisim-scenario", has_text=file_name.removesuffix(".toml")
                ).wait_for()
            page.evaluate(IN_PAGE_TIMER)
            step = page.get_by_role("button", name="Step", exact=True)
            for count in range(1, WARM_UP_STEPS + TIMED_STEPS + 1):
                step.click()
                page.wait_for_function(f"window.stepTimes.length === {count}")
            times = page.evaluate("window.stepTimes")[WARM_UP_STEPS:]
            browser.close()
        return times
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def round_medians(measure, rounds: int) -> list[float]:
    """The median of each of ``rounds`` runs of ``measure``, which returns milliseconds."""
    return [statistics.median(measure()) for _ in range(rounds)]


def run(browser: bool = True, rounds: int = 1) -> list[dict]:
    """Every dashboard benchmark, as rows for ``experiments/benchmark.py``.

    Args:
        browser: Also time a Step in Chromium, when it is installed.
        rounds: Rounds per Step figure; above one, each figure is the median of the
            rounds' medians and its spread is across rounds.
    """
    ensemble.EXTRA_TOWNS = 0  # the server measurement leaves the background towns out
    results = []
    for file_name in SCENARIOS:
        label = f"{DEFAULT_YOUTHS} youths, {file_name}"
        times = (
            round_medians(lambda name=file_name: server_step_ms(name), rounds)
            if rounds > 1
            else server_step_ms(file_name)
        )
        results.append(row(f"dashboard Step, server side, {label}", times, "ms"))
        for name, seconds in session_timings(file_name).items():
            results.append(row(f"dashboard {name}, {label}", [seconds], "s"))
    if browser and CHROMIUM.exists():
        ensemble.EXTRA_TOWNS = 4
        for file_name in SCENARIOS:
            times = (
                round_medians(lambda name=file_name: browser_step_ms(name), rounds)
                if rounds > 1
                else browser_step_ms(file_name)
            )
            verdict = "met" if statistics.median(times) < TARGET_MS else "MISSED"
            results.append(
                row(
                    f"dashboard Step, click to screen in Chromium, {DEFAULT_YOUTHS} youths, "
                    f"{file_name}",
                    times,
                    "ms",
                    f"target < {TARGET_MS:.0f} ms ({verdict})",
                )
            )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium runs")
    parser.add_argument(
        "--rounds", type=int, default=1, help="rounds per Step figure (median of medians)"
    )
    arguments = parser.parse_args()
    for result in run(browser=not arguments.no_browser, rounds=max(arguments.rounds, 1)):
        print(
            f"{result['benchmark']:72s} {result['value']:>8} {result['unit']:3s}  {result['note']}"
        )
