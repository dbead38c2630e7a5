"""Every string of the page exists in English, Japanese and Italian, with the same fields."""

from __future__ import annotations

import string

import pytest

from hikisim.dashboard import controls
from hikisim.dashboard.i18n import LANGUAGES, tr
from hikisim.dashboard.strings import EXPLANATIONS, PROGRAMMES, STRINGS


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", sorted(set(LANGUAGES) - {"en"}))
def test_every_string_is_translated_with_the_same_fields(lang: str) -> None:
    english, other = STRINGS["en"], STRINGS[lang]
    assert set(other) == set(english), set(english) ^ set(other)
    for key, text in english.items():
        assert fields(other[key]) == fields(text), key
        if key not in {"export_png", "export_csv", "unit_share"}:
            assert other[key] != text, f"{lang}:{key} is still English"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_programmes_controls_and_explanations_exist_in_every_language(lang: str) -> None:
    assert set(PROGRAMMES[lang]) == set(controls.intervention_names())
    assert set(EXPLANATIONS[lang]) == set(EXPLANATIONS["en"])
    for control in controls.FACTOR_CONTROLS:
        assert f"ctl_{control.param_name}" in STRINGS[lang]
        assert f"group_{control.group}" in STRINGS[lang]


def test_tr_fills_fields_and_takes_an_explicit_language() -> None:
    assert tr("status_week", "ja", week=3, total=520, year="0.1") == "第 3 週 / 520 週(0.1 年目)"
    assert tr("unit_youths", "it", n="1,000") == "1,000 giovani"
