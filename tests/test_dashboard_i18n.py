"""Every string of the page exists in English, Japanese and Italian, with the same fields."""

from __future__ import annotations

import string

import pytest

from hikisim.dashboard import controls
from hikisim.dashboard.i18n import LANGUAGES, number, tr
from hikisim.dashboard.strings import EXPLANATIONS, PROGRAMMES, STRINGS


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def literal(text: str) -> str:
    return "".join(part for part, _, _, _ in string.Formatter().parse(text))


@pytest.mark.parametrize("lang", sorted(set(LANGUAGES) - {"en"}))
def test_every_string_is_translated_with_the_same_fields(lang: str) -> None:
    english, other = STRINGS["en"], STRINGS[lang]
    assert set(other) == set(english), set(english) ^ set(other)
    for key, text in english.items():
        assert fields(other[key]) == fields(text), key
        # Only fields and punctuation (Italian "{when}: {events}.") are not English.
        words = any(char.isalpha() for char in literal(text))
        if words and key not in {"export_png", "export_csv", "unit_share"}:
            assert other[key] != text, f"{lang}:{key} is still English"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_programmes_controls_and_explanations_exist_in_every_language(lang: str) -> None:
    assert set(PROGRAMMES[lang]) == set(controls.intervention_names())
    assert set(EXPLANATIONS[lang]) == set(EXPLANATIONS["en"])
    for control in controls.FACTOR_CONTROLS:
        assert f"ctl_{control.param_name}" in STRINGS[lang]
        assert f"group_{control.group}" in STRINGS[lang]


def test_tr_fills_fields_and_takes_an_explicit_language() -> None:
    # Years elapsed, not "year 0.1" as an ordinal (年目).
    assert tr("status_week", "ja", week=3, total=520, year="0.1") == "第 3 週 / 520 週(経過 0.1 年)"
    assert tr("unit_youths", "it", n="1,000") == "1,000 giovani"


# The network's "?" text, per language: how it names each state's colour, and the colour
# of the followed person's ties.
NETWORK_COLOURS = {
    "en": ("{colour} {state}", ("sky blue", "orange", "black", "green"), "vermilion"),
    "ja": ("{colour}は{state}", ("水色", "オレンジ", "黒", "緑"), "朱色"),
    "it": ("{colour} {state}", ("azzurro", "arancione", "nero", "verde"), "vermiglio"),
}


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_network_explanation_matches_the_picture(lang: str) -> None:
    """Colours as the picture draws them; vermilion only for the person followed."""
    text = EXPLANATIONS[lang]["network"]
    pattern, colours, followed = NETWORK_COLOURS[lang]
    states = ("engaged", "at_risk", "withdrawn", "recovering")
    for colour, state in zip(colours, states, strict=True):
        assert pattern.format(colour=colour, state=tr(f"legend_{state}", lang)) in text, state
    assert text.count(followed) == 1 and text.index(followed) > text.index(tr("follow", lang))


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_recoveries_are_not_called_recovering(lang: str) -> None:
    """The news counts people back to daily life, not people in the recovering state."""
    recovering = {tr("state_recovering", lang), tr("legend_recovering", lang)}
    for key in ("news_recovered", "news_recovered_one"):
        assert not any(word in tr(key, lang, n=2) for word in recovering), (lang, key)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_seed_box_says_it_starts_at_zero(lang: str) -> None:
    assert "0" in tr("ctl_seed", lang)


def test_numbers_are_written_as_the_page_s_language_writes_them() -> None:
    assert number(1_000, ",", "en") == "1,000" and number(1_000, ",", "ja") == "1,000"
    assert number(1_000, ",", "it") == "1.000"
    assert number(1.6, ".1f", "it") == "1,6"
    assert number(-12_345.5, "+,.1f", "it") == "-12.345,5"
    assert tr("unit_youths", "it", n=number(1_000, ",", "it")) == "1.000 giovani"
