"""The page's languages: English, Japanese and Italian, switchable while it runs.

Japan is where hikikomori was named, and the public health text the project comes from
is Italian. Every string on the page is looked up here by key; the language is a Solara
reactive variable, which Solara keeps per browser tab, so two classes sharing a server
can read different languages.
"""

from __future__ import annotations

from typing import Any

import solara

from hikisim.dashboard.strings import STRINGS

LANGUAGES: dict[str, str] = {"en": "English", "ja": "日本語", "it": "Italiano"}
DEFAULT_LANGUAGE = "en"

language: solara.Reactive[str] = solara.reactive(DEFAULT_LANGUAGE)


def tr(key: str, lang: str | None = None, **values: Any) -> str:
    """The text for ``key`` in the page's language (or ``lang``), with ``values`` filled in.

    A key missing from Japanese or Italian falls back to English, so a new string never
    breaks the page; ``tests/test_dashboard_i18n.py`` checks that none is missing.

    Args:
        key: A key of :data:`~hikisim.dashboard.strings.STRINGS`.
        lang: A language code; the page's current language if omitted.
        **values: Fields for ``str.format``.
    """
    table = STRINGS.get(lang or language.value, STRINGS[DEFAULT_LANGUAGE])
    text = table.get(key, STRINGS[DEFAULT_LANGUAGE][key])
    return text.format(**values) if values else text


# Italian groups thousands with a point and writes decimals after a comma; English and
# Japanese the other way round.
DECIMAL_COMMA = {"it"}
SWAP_SEPARATORS = str.maketrans({",": ".", ".": ","})


def number(value: float, spec: str, lang: str | None = None) -> str:
    """A number for the page's text, written as the page's language writes numbers.

    Args:
        value: The number.
        spec: A ``format`` spec in English conventions, e.g. ``",.0f"`` or ``"+.1f"``.
        lang: A language code; the page's current language if omitted.

    Returns:
        ``format(value, spec)``, with the thousands and decimal separators swapped for a
        language that writes a decimal comma (``1.000`` and ``1,6`` in Italian). CSV
        exports keep the English form, which spreadsheets and scripts read.
    """
    text = format(value, spec)
    if (lang or language.value) in DECIMAL_COMMA:
        text = text.translate(SWAP_SEPARATORS)
    return text
