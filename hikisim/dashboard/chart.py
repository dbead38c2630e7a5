"""The frame every view shares: a title, an HTML legend, the chart, export and explanation.

The chart is a PNG in an ``<img>`` that fills its grid cell, so it grows and shrinks
with the window. Clicks on it are reported as fractions of the image's width and
height, which is how the network view lets a class pick a person.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

import ipyvuetify as v
import solara
import traitlets

from hikisim.dashboard.explanations import explanation
from hikisim.dashboard.i18n import tr
from hikisim.dashboard.prose import Prose


@dataclass(frozen=True)
class LegendItem:
    """One entry of a chart's legend.

    Attributes:
        label: A key of the page's strings.
        colour: The series' colour.
        kind: ``dot``, ``hatched`` or a line: ``line``, ``dashed``, ``dotted``,
            ``dashdot`` or ``dashdotdot`` (see :data:`~hikisim.dashboard.style.LINE_STYLES`).
    """

    label: str
    colour: str
    kind: str = "line"


class ClickableImage(v.VuetifyTemplate):
    """An ``<img>`` that sends where it was clicked, as fractions of its drawn size.

    ``object-fit: contain`` letterboxes the picture inside the element, so the click is
    measured against the picture's own box, not the element's.
    """

    template = traitlets.Unicode(
        """
<template>
  <img :src="src" :alt="alt" @click="report" class="hikisim-chart-img" />
</template>
<script>
module.exports = {
  methods: {
    report(event) {
      const img = event.target;
      const box = img.getBoundingClientRect();
      const scale = Math.min(box.width / img.naturalWidth, box.height / img.naturalHeight);
      const width = img.naturalWidth * scale, height = img.naturalHeight * scale;
      const x = (event.clientX - box.left - (box.width - width) / 2) / width;
      const y = (event.clientY - box.top - (box.height - height) / 2) / height;
      // A new object each time, so two clicks on the same spot both reach the server.
      this.clicked_at = {x: x, y: y, time: Date.now()};
    }
  }
}
</script>
"""
    ).tag(sync=True)
    src = traitlets.Unicode("").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    clicked_at = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)


def data_url(png: bytes) -> str:
    """A ``data:`` URL for PNG bytes."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@solara.component
def Chart(  # noqa: N802 - Solara components are CamelCase
    png: bytes, alt: str, on_click: Callable[[float, float], None] | None = None
) -> None:
    """A PNG that scales with its cell and reports clicks.

    Args:
        png: The picture.
        alt: Text for screen readers and tests.
        on_click: Called with the click's x and y, as fractions from the top left.
    """

    def clicked(position: dict | None) -> None:
        if on_click is not None and position and 0 <= position["x"] <= 1 >= position["y"] >= 0:
            on_click(float(position["x"]), float(position["y"]))

    with solara.Div(classes=["hikisim-chart"]):
        # Reacton calls on_<trait> whenever the browser changes that trait.
        ClickableImage.element(src=data_url(png), alt=alt, on_clicked_at=clicked)


# Dashes and gaps in pixels, for the line kinds a CSS border cannot draw.
SWATCH_PATTERNS: dict[str, tuple[int, ...]] = {
    "dashdot": (6, 2, 2, 2),
    "dashdotdot": (5, 2, 2, 2, 2, 2),
}


def swatch_pattern(colour: str, pattern: tuple[int, ...]) -> str:
    """A CSS background drawing ``pattern`` (dash, gap, dash, gap...) in ``colour``."""
    stops, at = [], 0
    for index, length in enumerate(pattern):
        paint = colour if index % 2 == 0 else "transparent"
        stops.append(f"{paint} {at}px {at + length}px")
        at += length
    return f"repeating-linear-gradient(90deg,{','.join(stops)})"


def legend_mark(item: LegendItem) -> str:
    """The swatch of one legend entry, as HTML."""
    if item.kind == "dot":
        return f'<span class="hikisim-dot" style="background:{item.colour}"></span>'
    if item.kind == "hatched":
        return (
            '<span class="hikisim-dot" style="border-radius:0;border:2px solid '
            f"{item.colour};background:repeating-linear-gradient(45deg,{item.colour} 0 2px,"
            'white 2px 5px)"></span>'
        )
    if item.kind in SWATCH_PATTERNS:
        background = swatch_pattern(item.colour, SWATCH_PATTERNS[item.kind])
        return (
            f'<span class="hikisim-swatch hikisim-swatch-pattern" style="background:{background}">'
            "</span>"
        )
    style = {"line": "solid", "dashed": "dashed", "dotted": "dotted"}.get(item.kind, "solid")
    return (
        f'<span class="hikisim-swatch" style="border-top-style:{style};'
        f'border-color:{item.colour}"></span>'
    )


def legend_html(items: list[LegendItem]) -> str:
    """The legend as HTML: a swatch and a translated label per item."""
    return "".join(f"<span>{legend_mark(item)}{tr(item.label)}</span>" for item in items)


def use_latest[T](function: Callable[[], T] | None) -> Callable[[], T] | None:
    """A callable of fixed identity that calls the ``function`` of the latest render.

    ``solara.FileDownload`` starts a thread and renders the page again whenever its data
    argument is a new object, and a fresh ``lambda`` each week is one: two extra passes
    over the whole page per Step, and a thread per export button. This wrapper is the
    same object from week to week, so the buttons are left alone until pressed, and a
    press still exports the latest picture.

    Args:
        function: What the wrapper calls; None gives None (no export).
    """
    latest = solara.use_ref(function)
    latest.current = function
    stable = solara.use_memo(lambda: lambda: latest.current(), dependencies=[])
    return None if function is None else stable


@solara.component
def ViewHead(  # noqa: N802 - Solara components are CamelCase
    view: str,
    title: str,
    export_png: Callable[[], bytes] | None,
    export_csv: Callable[[], str] | None,
    explain: solara.Reactive[bool],
) -> None:
    """A view's title row: title, export buttons and the explanation toggle.

    Its arguments are the same objects from week to week, so Solara skips it on a
    Step; only a new title (or language) redraws it.
    """
    with solara.Div(classes=["hikisim-view-head"]):
        solara.HTML(tag="span", unsafe_innerHTML=title, classes=["hikisim-view-title"])
        for kind, export, mime in (
            ("png", export_png, "image/png"),
            ("csv", export_csv, "text/csv"),
        ):
            if export is None:
                continue
            solara.FileDownload(
                export,
                filename=f"hikisim-{view}.{kind}",
                mime_type=mime,
                children=[
                    solara.Button(
                        tr(f"export_{kind}"),
                        small=True,
                        outlined=True,
                        classes=[f"hikisim-export-{kind}"],
                    )
                ],
            )
        solara.Button(
            icon_name="mdi-help-circle-outline",
            small=True,
            icon=True,
            on_click=lambda: explain.set(not explain.value),
            classes=["hikisim-explain-btn"],
        )


@solara.component
def ViewFrame(  # noqa: N802 - Solara components are CamelCase
    view: str,
    title: str,
    legend: list[LegendItem],
    export_png: Callable[[], bytes] | None,
    export_csv: Callable[[], str] | None,
    children: list | None = None,
    note: str = "",
) -> None:
    """A view's card: title, legend, export buttons, its content and its explanation.

    Args:
        view: The view's key, used in file names, CSS classes and the explanation.
        title: The translated title.
        legend: Legend entries shown above the chart.
        export_png: Returns the chart as PNG bytes, when the button is pressed; None
            when there is no chart to save.
        export_csv: Returns the chart's data as CSV text, when the button is pressed;
            None when there are no data.
        children: The chart and any text under it.
        note: A short fact shown after the legend, such as this week's counts.
    """
    explain = solara.use_reactive(False)
    png = use_latest(export_png)
    csv = use_latest(export_csv)
    with solara.Div(classes=["hikisim-view", f"hikisim-view-{view}"]):
        ViewHead(view, title, png, csv, explain)
        note_html = f'<span class="hikisim-note">{note}</span>' if note else ""
        solara.HTML(
            tag="div", unsafe_innerHTML=legend_html(legend) + note_html, classes=["hikisim-legend"]
        )
        if explain.value:
            Prose(explanation(view), classes=["hikisim-explain"])
        solara.Div(children=children or [], classes=["hikisim-view-body"])
