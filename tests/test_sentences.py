"""Sentence segmentation and alignment: abbreviations stay inside their sentence, drops are found."""

from __future__ import annotations

import pytest

from conftest import REPO, SLUG
from helpers import po_messages
from pressgen.sentences import align, split_sentences


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "It is co-hosted by Ms. Kajsa Ollongren and Ms. Luminita Odobescu. This is a crucial step.",
            "en",
            ["It is co-hosted by Ms. Kajsa Ollongren and Ms. Luminita Odobescu.", "This is a crucial step."],
        ),
        ("Mevr. Ollongren sprak met dhr. Rutte over art. 5, d.w.z. de bijstand. Daarna niet.", "nl", 2),
        ("Dna. Odobescu și dl. Ciolacu au discutat nr. 3 din agendă. Apoi au plecat.", "ro", 2),
        ("The plan was signed by J. Smith on behalf of the alliance.", "en", 1),
        ("Growth was 3.5 % in 2024. The year before it was lower.", "en", 2),
        ("“We stand together. Today, we reaffirm our commitment.” She left.", "en", 3),
        ("Is it safe? Yes! It is… Mostly.", "en", 4),
        ("A heading without a full stop", "en", 1),
    ],
)
def test_sentences_split_at_ends_not_at_abbreviations(text: str, lang: str, expected: list[str] | int) -> None:
    found = split_sentences(text, lang)
    if isinstance(expected, int):
        assert len(found) == expected, found
    else:
        assert found == expected


@pytest.mark.parametrize("lang", ["nl", "ro"])
def test_bundled_translations_have_as_many_sentences_as_their_sources(lang: str) -> None:
    for path in (
        REPO / "locales" / lang / "releases" / f"{SLUG}.po",
        REPO / "locales" / lang / "LC_MESSAGES/messages.po",
    ):
        pairs = [(m.id, m.string) for m in po_messages(path) if m.string]
        assert [len(split_sentences(s, "en")) for s, _ in pairs] == [len(split_sentences(t, lang)) for _, t in pairs]


def test_alignment_tells_a_dropped_sentence_from_two_merged_ones() -> None:
    source = [120, 80, 150]
    # The middle sentence has no translation: the first and last keep their lengths.
    assert align(source, [130, 165], 1.1) == [(1, 1), (1, 0), (1, 1)]
    # The first two are one sentence in the translation, as long as both together.
    assert align(source, [220, 165], 1.1) == [(2, 1), (1, 1)]
    # A sentence was added at the end.
    assert align([120, 150], [130, 165, 90], 1.1) == [(1, 1), (1, 1), (0, 1)]
    # A long sentence split in two.
    assert align([120, 150], [130, 80, 85], 1.1) == [(1, 1), (1, 2)]
