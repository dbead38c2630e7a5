"""Plain-language explanations, one per view, for people who are not modellers."""

from __future__ import annotations

from hikisim.dashboard.i18n import language
from hikisim.dashboard.strings import EXPLANATIONS


def explanation(view: str, lang: str | None = None) -> str:
    """The Markdown explanation of ``view`` in the page's language (or ``lang``)."""
    return EXPLANATIONS[lang or language.value][view]
