"""Dates in running text, read as values in each locale."""

from __future__ import annotations

import pytest

from pressgen.dates import expected, find_dates, months_mentioned


@pytest.mark.parametrize(
    ("text", "locale", "keys"),
    [
        ("The Hague, 16–17 May 2024.", "en_GB", [((16, 17), 5, 2024)]),
        ("On May 17, 2024 and on 2024-05-18.", "en_GB", [((17,), 5, 2024), ((18,), 5, 2024)]),
        ("On 17/05/2024 in London.", "en_GB", [((17,), 5, 2024)]),
        ("Op 16 en 17 mei, en op 17-05-2024.", "nl_NL", [((16, 17), 5, None), ((17,), 5, 2024)]),
        (
            "Pe 16–17 mai 2024 și 2 iun. 2025; în iulie 2026.",
            "ro_RO",
            [((16, 17), 5, 2024), ((2,), 6, 2025), ((), 7, 2026)],
        ),
        ("Conference 2024 on 31 June.", "en_GB", []),  # no 31 June
    ],
)
def test_dates_are_read_as_values(text: str, locale: str, keys: list[tuple[tuple[int, ...], int, int | None]]) -> None:
    assert [d.key for d in find_dates(text, locale)] == keys


def test_months_alone_count_unless_they_are_also_a_word() -> None:
    assert months_mentioned("In June, and again in May.", "en_GB") == {6: 1, 5: 1}
    assert months_mentioned("May I say so.", "en_GB") == {}
    assert months_mentioned("Un mediu mai sigur, în iunie.", "ro_RO") == {6: 1}


def test_babel_writes_the_expected_form() -> None:
    (date,) = find_dates("on 16–17 May 2024", "en_GB")
    assert expected(date, "nl_NL") == ["16–17 mei 2024"]
    assert expected(date, "ro_RO") == ["16–17 mai 2024"]
    (single,) = find_dates("on 2024-05-17", "en_GB")
    assert expected(single, "nl_NL")[0] == "17 mei 2024"
