"""Markdown turned into HTML on the server, so the browser loads no renderer for it.

``solara.Markdown`` renders in the browser with a Vue template that loads KaTeX (for
maths) and Mermaid (for diagrams) from the CDN path on every page load. The server
then tries to fetch KaTeX from the internet, and the browser waits for each failure.
The dashboard's prose needs neither, so it is converted here, once per text.
"""

from __future__ import annotations

from functools import lru_cache

import markdown
import solara


@lru_cache(maxsize=512)
def markdown_html(text: str) -> str:
    """HTML for a short Markdown text: emphasis, lists and tables, nothing executable.

    Args:
        text: Markdown written by the project (never user input).
    """
    return markdown.markdown(text, extensions=["tables"], output_format="html")


@solara.component
def Prose(  # noqa: N802 - Solara components are CamelCase
    text: str, classes: list[str] | None = None, style: str | None = None
) -> None:
    """A Markdown text shown as HTML.

    Args:
        text: The Markdown.
        classes: CSS classes for the wrapping ``div``.
        style: Inline CSS for the wrapping ``div``.
    """
    solara.HTML(
        tag="div",
        unsafe_innerHTML=markdown_html(text),
        classes=["hikisim-prose", *(classes or [])],
        style=style,
    )
