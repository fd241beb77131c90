"""Property: extracting messages and putting them back unchanged renders the source's HTML."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pressgen.markup import markdown
from pressgen.segment import markdown_messages, render_markdown

# Markdown built from the pieces press releases use, in any combination, plus arbitrary text.
WORD = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
INLINE = st.one_of(
    WORD,
    WORD.map(lambda w: f"*{w}*"),
    WORD.map(lambda w: f"**{w}**"),
    WORD.map(lambda w: f"`{w}`"),
    WORD.map(lambda w: f"[{w}](https://example.org/{abs(hash(w)) % 97})"),
    st.sampled_from(['"quoted"', "'single'", "<b>raw</b>", "a  \nb", "c\\\nd", "x\ny", "&amp;", "1,234.5"]),
)
LINE = st.lists(INLINE, min_size=1, max_size=6).map(" ".join)
BLOCK = st.one_of(
    LINE,
    LINE.map(lambda t: f"## {t.splitlines()[0]}"),
    st.lists(LINE.map(lambda t: t.replace("\n", " ")), min_size=1, max_size=3).map(
        lambda items: "\n".join(f"- {i}" for i in items)
    ),
    LINE.map(lambda t: "> " + t.replace("\n", "\n> ")),
    st.lists(WORD.map(lambda w: w.replace("|", "").strip() or "x"), min_size=2, max_size=2).map(
        lambda c: f"| {c[0]} | {c[1]} |\n|---|---|\n| {c[1]} | {c[0]} |"
    ),
    WORD.map(lambda w: f"```\n{w}\n```"),
)
DOCUMENT = st.one_of(st.lists(BLOCK, min_size=1, max_size=6).map("\n\n".join), st.text(max_size=200))


def normalise(html: str) -> str:
    html = re.sub(r'(<h[1-6]) id="[^"]*"', r"\1", html)  # pressgen adds anchors to section headings
    return re.sub(r"\s+", " ", html).strip()  # a soft line break is a space


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT, st.sampled_from(["en", "nl", "ro"]))
@example("` a  \nb `", "en")  # two spaces before a line break inside a code span: spaces, not a break
@example("x  \ny `a  \nb` c  \nd", "nl")
def test_identity_translation_renders_the_source(source: str, lang: str) -> None:
    expected = markdown(lang).render(source)
    assert normalise(render_markdown(source, lang, lambda text: text)) == normalise(expected)


@settings(max_examples=200, deadline=None)
@given(DOCUMENT)
def test_every_message_is_found_again_when_rendering(source: str) -> None:
    messages = {m.text for m in markdown_messages(source, 1, "body")}
    asked: set[str] = set()

    def translate(text: str) -> str:
        asked.add(text)
        return text

    render_markdown(source, "en", translate)
    assert asked == messages
