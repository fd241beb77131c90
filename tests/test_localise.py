"""Localisation: the embargo moment as each language's press office writes it."""

from __future__ import annotations

import datetime as dt

import pytest
from babel import Locale

from conftest import REPO
from pressgen.config import Language, load_config
from pressgen.localise import format_moment

CONFIG = load_config(REPO)  # the bundled project: the site's zone is Europe/Amsterdam
SUMMER = dt.datetime(2024, 5, 16, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
WINTER = dt.datetime(2024, 1, 16, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "16 May 2024, 09:00 (Central European Summer Time)"),
        ("nl", "16 mei 2024, 09.00 uur (Midden-Europese zomertijd)"),
        ("ro", "16 mai 2024, ora 09:00 (ora Europei Centrale)"),
    ],
)
def test_embargo_moment_in_summer(lang: str, expected: str) -> None:
    assert format_moment(SUMMER, CONFIG.language(lang), CONFIG) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "16 January 2024, 09:00 (Central European Standard Time)"),
        ("nl", "16 januari 2024, 09.00 uur (Midden-Europese standaardtijd)"),
        ("ro", "16 ianuarie 2024, ora 09:00 (ora Europei Centrale)"),
    ],
)
def test_embargo_moment_in_winter(lang: str, expected: str) -> None:
    assert format_moment(WINTER, CONFIG.language(lang), CONFIG) == expected


def test_embargo_moment_is_shown_in_the_sites_zone_whatever_the_offset_given() -> None:
    utc = dt.datetime(2024, 5, 16, 7, 0, tzinfo=dt.UTC)
    assert format_moment(utc, CONFIG.language("ro"), CONFIG) == "16 mai 2024, ora 09:00 (ora Europei Centrale)"


def test_a_language_without_a_house_style_gets_the_default_one() -> None:
    german = Language("de", Locale.parse("de_DE"), "Deutsch")
    assert format_moment(SUMMER, german, CONFIG) == "16 Mai 2024, 09:00 (Mitteleuropäische Sommerzeit)"
