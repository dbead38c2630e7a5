"""Drawing a view's figure each week in a few milliseconds.

A Step must reach the screen within 200 ms, and redrawing a whole matplotlib figure
(tick labels, spines, thousands of ties) and encoding it as a true-colour PNG cost
about 35 ms per view. A :class:`Frame` splits the figure in two layers, as
matplotlib's own animations do ("blitting"):

- the *background*: everything that changes only when the axes' limits change (the
  axes, ticks and labels); drawn once and then copied back each week;
- the *moving* artists: the lines, bars or dots that change every week; drawn over
  the copied background.

The x axis grows by quarters and then whole years, and the y limits are snapped to
tick values (:func:`fit_axes`), so the background is redrawn only when the data outgrow
them, a few times a run. The picture is then sent as a palette PNG: a chart has few
colours, and the palette makes the PNG a half to a fifth of the size of a true-colour
one, quicker to encode, to send and to decode.
"""

from __future__ import annotations

import io
import math
from collections.abc import Hashable, Iterable

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

from hikisim.states import WEEKS_PER_YEAR

# The most a palette holds; antialiased edges need the shades between a line and white.
PALETTE_COLOURS = 256
PNG_LEVEL = 1  # zlib's fastest level; a palette PNG is small anyway
# How far from white (per channel, of 255) a palette entry may be and still mean white.
WHITE_TOLERANCE = 6


def encode_canvas(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as it stands, as palette PNG bytes.

    Args:
        canvas: A canvas that has been drawn.

    Returns:
        The PNG file's bytes.
    """
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    # Views are drawn on opaque white, so dropping alpha loses nothing.
    paletted = image.convert("RGB").quantize(PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
    # The octree averages each colour with its neighbours, which turns the white page
    # behind every chart into 254 grey: the entry nearest white is put back to white.
    palette = np.array(paletted.getpalette(), dtype=np.int64).reshape(-1, 3)
    whitest = int(np.argmin(np.abs(palette - 255).sum(axis=1)))
    if np.abs(palette[whitest] - 255).max() <= WHITE_TOLERANCE:
        palette[whitest] = 255
        paletted.putpalette(palette.ravel().tolist())
    buffer = io.BytesIO()
    paletted.save(buffer, format="png", compress_level=PNG_LEVEL)
    return buffer.getvalue()


class Frame:
    """A figure redrawn as a background kept between weeks plus moving artists.

    Args:
        figure: The figure, laid out once with fixed margins.
        moving: The artists that change from week to week, drawn in this order over
            the background.

    Attributes:
        figure: The figure.
        canvas: Its Agg canvas.
        background_draws: How many times the background was drawn, for tests and
            benchmarks.
    """

    def __init__(self, figure: Figure, moving: Iterable[Artist] = ()) -> None:
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.moving: list[Artist] = []
        for artist in moving:
            self.add_moving(artist)
        self._background = None
        self._key: Hashable = None
        self.background_draws = 0

    def add_moving(self, artist: Artist, below: bool = False) -> None:
        """Draw ``artist`` every week over the background.

        Args:
            artist: An artist of the figure; marked animated, which keeps it out of the
                background.
            below: Draw it under the other moving artists rather than over them.
        """
        artist.set_animated(True)
        self.moving.insert(0 if below else len(self.moving), artist)

    def remove_moving(self, artist: Artist) -> None:
        """Stop drawing a moving artist and take it off the figure."""
        self.moving.remove(artist)
        artist.remove()

    def limits(self) -> tuple:
        """Every axes' limits: the background depends on them and on nothing else here."""
        return tuple((*axes.get_xlim(), *axes.get_ylim()) for axes in self.figure.axes)

    def draw(self, key: Hashable = None, underlay: np.ndarray | None = None) -> bytes:
        """Bring the picture up to date and return it as PNG bytes.

        Args:
            key: Anything else the background depends on; it is redrawn when this or
                the axes' limits change.
            underlay: An RGBA ``uint8`` picture the size of the canvas, bottom row first,
                laid over the background and under the moving artists.
        """
        key = (self.limits(), key)
        if self._background is None or key != self._key:
            self.canvas.draw()  # leaves the animated (moving) artists out
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._key = key
            self.background_draws += 1
        else:
            self.canvas.restore_region(self._background)
        if underlay is not None:
            renderer = self.canvas.get_renderer()
            renderer.draw_image(renderer.new_gc(), 0, 0, underlay)
        self.draw_moving()
        return encode_canvas(self.canvas)

    def draw_moving(self) -> None:
        """Draw the moving artists over whatever the canvas holds."""
        renderer = self.canvas.get_renderer()
        for artist in self.moving:
            if artist.get_visible():
                artist.draw(renderer)


def nice_limits(locator: MaxNLocator, low: float, high: float) -> tuple[float, float]:
    """The tick values at or just outside ``[low, high]``.

    Args:
        locator: The axis' tick locator.
        low: The least value to show.
        high: The greatest value to show.
    """
    ticks = locator.tick_values(low, high)
    below = ticks[ticks <= low + 1e-12]
    above = ticks[ticks >= high - 1e-12]
    return (
        float(below.max()) if len(below) else low,
        float(above.min()) if len(above) else high,
    )


def week_span(weeks: int, horizon: int | None = None) -> int:
    """How many weeks the x axis spans: a quarter, then half a year, then whole years.

    The axis grows in these steps rather than week by week, so the ticks (and the
    background of a :class:`Frame`) change about once a year instead of every week.

    Args:
        weeks: Weeks simulated so far.
        horizon: The run's last week, beyond which the axis need not reach.
    """
    quarter, year = WEEKS_PER_YEAR // 4, WEEKS_PER_YEAR
    span = next(
        (span for span in (quarter, 2 * quarter) if weeks <= span),
        year * max(1, math.ceil(weeks / year)),
    )
    return max(weeks, 1, min(span, horizon)) if horizon else span


def fit_axes(
    axes: Axes,
    x_max: int,
    y_low: float,
    y_high: float,
    min_top: float = 1.0,
    x_limit: int | None = None,
) -> None:
    """Axes from week 0 across :func:`week_span`, and from 0 (or the data's minimum) up.

    The y limits are rounded out to the axis' own tick values, so they too stay put for
    many weeks and the background of a :class:`Frame` need not be redrawn each week.
    They are set by hand because ``set_ylim`` switches matplotlib's autoscaling off for
    good, after which ``autoscale_view`` silently keeps the first week's limits.

    Args:
        axes: The axes; the y axis' locator must be a :class:`MaxNLocator`.
        x_max: Weeks simulated so far.
        y_low: The data's minimum.
        y_high: The data's maximum.
        min_top: The least top of the y axis, so a flat zero line is not a full-height blur.
        x_limit: The run's last week, beyond which the x axis need not reach.
    """
    # A little headroom, so a line at the top of its range does not run along the frame.
    y_bottom, y_top = nice_limits(
        axes.yaxis.get_major_locator(), min(y_low * 1.05, 0), max(y_high * 1.05, min_top)
    )
    axes.set_xlim(0, week_span(x_max, x_limit))
    axes.set_ylim(y_bottom, y_top)
