"""A Japanese font behind matplotlib's own, so Japanese text in a figure is drawn.

Scenario names may be Japanese (they label the report figures), and the dashboard
translates its axis labels. matplotlib's font, DejaVu Sans, has no Japanese glyphs: it
draws boxes and warns once per character. IPAexGothic (IPA Font License), shipped as a
file in the ``matplotlib-fontja`` wheel, is registered once and put after the families
in use; matplotlib falls back along the family list glyph by glyph, so Latin text is
drawn exactly as before and no system font is needed.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from pathlib import Path

import matplotlib
from matplotlib import font_manager

# The font file inside the matplotlib-fontja package (read, never imported: importing
# the package would replace the user's font family outright).
FONT_PACKAGE = "matplotlib_fontja"
FONT_FILE = Path("fonts") / "ipaexg.ttf"


@functools.cache
def japanese_family() -> str:
    """Register the bundled Japanese font with matplotlib (once) and name its family."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{FONT_PACKAGE} is not installed; reinstall hikisim")
    path = Path(spec.origin).parent / FONT_FILE
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def with_japanese_fallback[**Params, Result](
    draw: Callable[Params, Result],
) -> Callable[Params, Result]:
    """Run a plotting function with the Japanese font behind the current families.

    The setting holds only while the function runs (``matplotlib.rc_context``), so a
    user's own figures in the same process are untouched.
    """

    @functools.wraps(draw)
    def drawing(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        families = [*matplotlib.rcParams["font.family"], japanese_family()]
        with matplotlib.rc_context({"font.family": families}):
            return draw(*args, **kwargs)

    return drawing
