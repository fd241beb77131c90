"""Segmentation: blocks become messages with their lines; translations go back in safely."""

from __future__ import annotations

from pressgen.segment import markdown_messages, render_markdown

SOURCE = """Intro with *emphasis* and a [link](https://nato.int)
that wraps onto a second line.

## A Section

- first item
- second item

> “A quote,” she said.

| Country | City |
|---------|------|
| Romania | Bucharest |
"""


def test_each_block_is_one_message_with_its_line() -> None:
    messages = markdown_messages(SOURCE, first_line=10, where="body")
    assert [(m.text, m.line, m.comment) for m in messages] == [
        ("Intro with *emphasis* and a [link](https://nato.int) that wraps onto a second line.", 10, "body: paragraph"),
        ("A Section", 13, "body: heading"),
        ("first item", 15, "body: list item"),
        ("second item", 16, "body: list item"),
        ("“A quote,” she said.", 18, "body: quote"),
        ("Country", 20, "body: table cell"),
        ("City", 20, "body: table cell"),
        ("Romania", 22, "body: table cell"),
        ("Bucharest", 22, "body: table cell"),
    ]


def test_translation_keeps_structure_and_moves_inline_markup() -> None:
    translations = {
        "Intro with *emphasis* and a [link](https://nato.int) that wraps onto a second line.": (
            "Introducere cu un [link](https://nato.int) și *accent*."
        ),
        "A Section": "O secțiune",
    }
    html = render_markdown(SOURCE, "ro", lambda text: translations.get(text, text))
    assert '<p>Introducere cu un <a href="https://nato.int">link</a> și <em>accent</em>.</p>' in html
    assert '<h2 id="o-secțiune">O secțiune</h2>' in html
    assert "<td>Bucharest</td>" in html


def test_straight_quotes_become_the_languages_quotes() -> None:
    source = 'She said "yes".\n'
    assert render_markdown(source, "ro", lambda t: t) == "<p>She said „yes”.</p>\n"
    assert render_markdown(source, "nl", lambda t: t) == "<p>She said “yes”.</p>\n"


def test_raw_html_and_script_links_in_a_translation_are_not_passed_through() -> None:
    evil = "Hello <script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3))"
    html = render_markdown("Hello\n", "en", lambda _: evil)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


FIGURES = """| Measure | 2023 | 2024 |
| --- | --- | --- |
| Incidents reported | 750 | 1,200 |
| Response teams | 20 | — |
| Budget | € 1,5 mln | 2024-05-17 |

**42**

[1](https://example.org/notes)
"""


def test_text_without_letters_is_no_message() -> None:
    texts = [m.text for m in markdown_messages(FIGURES, first_line=1, where="body")]
    # A figure, a year, a dash, a date in figures or a bold number has nothing to translate;
    # "€ 1,5 mln" has a word, and a link's text is moved with its target.
    assert texts == [
        "Measure",
        "Incidents reported",
        "Response teams",
        "Budget",
        "€ 1,5 mln",
        "[1](https://example.org/notes)",
    ]


def test_text_without_letters_is_shown_as_the_source_has_it() -> None:
    asked: list[str] = []

    def translate(text: str) -> str:
        asked.append(text)
        return {"Measure": "Maatregel", "Budget": "Begroting"}.get(text, text)

    html = render_markdown(FIGURES, "nl", translate)
    for cell in ("750", "1,200", "20", "—", "2024-05-17", "2023", "2024"):
        assert f">{cell}</t" in html
    assert "<th>Maatregel</th>" in html and "<td>Begroting</td>" in html
    assert "<p><strong>42</strong></p>" in html
    assert not {"750", "2024", "—", "**42**"} & set(asked)
