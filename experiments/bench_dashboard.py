"""Dashboard responsiveness: one week's step plus a full redraw of every view.

The target is under 200 ms at 500 youths. The redraw is what the page does each week:
recolour the network, rebuild the other figures and encode all of them as PNG, as
``solara.FigureMatplotlib`` does. Run it alone with ``python experiments/bench_dashboard.py``;
``make bench`` collects it through :func:`run`.
"""

from __future__ import annotations

import io
import os
import statistics
import time

from matplotlib.figure import Figure

from hikisim.dashboard.comparison_view import ComparisonCanvas
from hikisim.dashboard.controls import intervention_names, intervention_param
from hikisim.dashboard.episode_view import EpisodeCanvas, duration_histogram
from hikisim.dashboard.model import DashboardModel
from hikisim.dashboard.network_view import NetworkCanvas
from hikisim.dashboard.style import PNG_OPTIONS
from hikisim.dashboard.timeseries_view import TimeSeriesCanvas

YOUTHS = 500
WARM_UP_WEEKS = 20
TIMED_WEEKS = 30
TARGET_MS = 200.0


def encode(figure: Figure) -> bytes:
    """PNG bytes of a figure, as the page sends them to the browser."""
    buffer = io.BytesIO()
    figure.savefig(buffer, **PNG_OPTIONS)
    return buffer.getvalue()


def canvases(model: DashboardModel) -> list[NetworkCanvas | TimeSeriesCanvas | ComparisonCanvas]:
    """The figures the page keeps for one model."""
    kept: list = [NetworkCanvas(model), TimeSeriesCanvas(model)]
    if model.baseline is not None:
        kept.append(ComparisonCanvas(model, model.baseline))
    return kept


def step_and_redraw(
    model: DashboardModel, kept: list, episodes: EpisodeCanvas, last_counts: list | None = None
) -> None:
    """One week of the model and every view redrawn.

    With ``last_counts`` the episode histogram is redrawn only when its counts change, as
    the page does; without it, it is redrawn every week (the worst case).
    """
    model.step()
    for canvas in kept:
        encode(canvas.update())
    histogram = duration_histogram(model)
    counts = [*histogram.primary.tolist(), *histogram.secondary.tolist()]
    if last_counts is None or counts != last_counts:
        if last_counts is not None:
            last_counts[:] = counts
        encode(episodes.update(histogram))


def time_weeks(model: DashboardModel, as_page: bool) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per step-and-redraw, after untimed weeks of history.

    CPU time is reported too because on a busy machine wall-clock time mostly measures
    the other processes.
    """
    kept = canvases(model)
    episodes = EpisodeCanvas(duration_histogram(model).labels)
    last_counts: list | None = [] if as_page else None
    for _ in range(WARM_UP_WEEKS):
        step_and_redraw(model, kept, episodes, last_counts)
    wall, cpu = [], []
    for _ in range(TIMED_WEEKS):
        start, start_cpu = time.perf_counter(), time.process_time()
        step_and_redraw(model, kept, episodes, last_counts)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def build(**controls: object) -> tuple[DashboardModel, float]:
    """A dashboard model at the benchmark size, and how long Reset took to build it (s)."""
    start = time.perf_counter()
    model = DashboardModel(youths=YOUTHS, **controls)
    elapsed = time.perf_counter() - start
    assert model.input_error is None, model.input_error
    return model, elapsed


def run() -> list[dict]:
    """Time the dashboard at 500 youths, without and with every intervention switched on."""
    every_intervention = {intervention_param(name): True for name in intervention_names()}
    results = []
    for label, controls in (("baseline", {}), ("all interventions", every_intervention)):
        model, reset_seconds = build(**controls)
        for as_page, how in ((False, "histogram every week"), (True, "as the page redraws")):
            timings, cpu = time_weeks(model, as_page)
            median = statistics.median(timings)
            verdict = "met" if median < TARGET_MS else "MISSED"
            results.append(
                {
                    "benchmark": f"dashboard step + redraw ({how}), {YOUTHS} youths, {label}",
                    "value": round(median, 1),
                    "unit": "ms",
                    "note": f"median of {TIMED_WEEKS} weeks, max {max(timings):.0f} ms, "
                    f"CPU {statistics.median(cpu):.0f} ms, load {os.getloadavg()[0]:.1f}; "
                    f"target < {TARGET_MS:.0f} ms ({verdict})",
                }
            )
        results.append(
            {
                "benchmark": f"dashboard reset (build + warm-up), {YOUTHS} youths, {label}",
                "value": round(reset_seconds, 2),
                "unit": "s",
                "note": f"{model.settings.run.burn_in_years} warm-up years"
                + (", twice (with its baseline twin)" if model.baseline is not None else ""),
            }
        )
    return results


if __name__ == "__main__":
    for row in run():
        print(f"{row['benchmark']:60s} {row['value']:>8} {row['unit']:3s}  {row['note']}")
