"""Segmentation: cut a release into translatable messages, and put translations back.

Every block of the Markdown body (paragraph, heading, list item, quote, table cell) is one
message: the inline Markdown source of that block, with soft line breaks folded into spaces
so that re-wrapping a paragraph in the editor does not change its message. Inline markup
(emphasis, links, code) stays inside the message, so a translator can move it. Rendering a
language version parses the *source* body for its block structure, then replaces the inline
content of each block by the parsed translation of its message: a translation can change the
words and the inline markup of a block, never the structure of the document.

Front matter fields that people read (title, subtitle, summary, location, image alt, caption
and credit, contact roles, notes) are messages too; names, e-mail addresses, phone numbers,
URLs and dates are not.

A text without a single letter ("750", "2024", "—", "+31 70 123 4567") is not a message: there
is nothing in it to translate, so no translator is asked to copy it, and every language version
shows it as the source has it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors.index import slugify

from pressgen.markup import MAX_INLINE_DEPTH, inline_depth, markdown
from pressgen.releases import Release

# What translators read above the message of a picture in the body (docs/releases.md).
FIGURE_COMMENT = 'picture: ![alternative text](file "caption") then *credit*'
BLOCK_KINDS = {
    "heading_open": "heading",
    "th_open": "table cell",
    "td_open": "table cell",
    "list_item_open": "list item",
    "blockquote_open": "quote",
}


@dataclass(frozen=True)
class Figure:
    """A picture alone in its paragraph: shown with its caption (the Markdown title) and its credit
    (an emphasised line right after it), `![alt](photo.jpg "Caption")` then `*Credit*`."""

    src: str
    alt: str
    caption: str | None
    credit: str | None


@dataclass(frozen=True)
class SourceMessage:
    """One translatable text of a release, with where it comes from."""

    text: str
    line: int
    comment: str
    ref: str | None = None  # the file it is in, when that is not the release's own release.md


def is_message(text: str) -> bool:
    """Tell whether a text is for translators: whether it has a letter, in any script."""
    return any(ch.isalpha() for ch in text)


def message_text(content: str) -> str:
    """Fold the soft line breaks of an inline source into spaces; keep hard breaks as `\\`.

    Only spaces and tabs are trimmed, as CommonMark does: other whitespace is text. A line that
    ends in two spaces is a hard break, except inside a code span, where a line break is a space:
    where writing it as `\\` would render otherwise, it is folded like a soft break (spaces kept).
    """
    if "\n" not in content:
        return content.strip(" \t")
    lines = content.split("\n")
    hard = {index for index, line in enumerate(lines[:-1]) if line.endswith("  ")}
    folded = _fold(lines, hard)
    if hard and _inline_html(folded) != _inline_html(content):
        # Few lines: each break is tried alone as `\\`, the others left as the source has them.
        expected = _inline_html(content)
        hard = {
            index
            for index in hard
            if _inline_html("\n".join(lines[: index + 1]).rstrip(" \t") + "\\\n" + "\n".join(lines[index + 1 :]))
            == expected
        }
        folded = _fold(lines, hard)
    return folded


def _fold(lines: list[str], hard: set[int]) -> str:
    """Join source lines: `\\` and a line break after those in `hard`, a space after the others."""
    out = lines[0]
    for index, line in enumerate(lines[1:]):
        if out.endswith("\\"):
            out = out + "\n" + line.lstrip(" \t")
        elif index in hard:
            out = out.rstrip(" \t") + "\\\n" + line.lstrip(" \t")
        elif out.endswith("  "):
            out = out + " " + line.lstrip(" \t")  # a line break inside a code span: spaces are its text
        else:
            out = out.rstrip(" \t") + " " + line.lstrip(" \t")
    return out.strip(" \t")


def _inline_html(text: str) -> str:
    """Return inline Markdown as HTML with runs of white space folded, to compare two spellings."""
    return " ".join(markdown("en").renderInline(text).split())


def _blocks(tokens: list[Token]) -> Iterator[tuple[Token, str, int]]:
    """Yield each inline token with the kind of block it is in and its 0-based line."""
    stack: list[tuple[str, int]] = []
    for token in tokens:
        if token.nesting == 1:
            kind = BLOCK_KINDS.get(token.type, "")
            line = token.map[0] if token.map else (stack[-1][1] if stack else 0)
            stack.append((kind, line))
        elif token.nesting == -1 and stack:
            stack.pop()
        elif token.type == "inline" and token.content.strip():
            kinds = [k for k, _ in stack if k]
            kind = kinds[-1] if kinds else "paragraph"
            line = token.map[0] if token.map else (stack[-1][1] if stack else 0)
            yield token, kind, line


def markdown_messages(source: str, first_line: int, where: str) -> list[SourceMessage]:
    """Return the messages of a Markdown text whose first line is `first_line` of its file."""
    tokens = markdown("en").parse(source, {})
    return [
        SourceMessage(
            message_text(token.content),
            first_line + line,
            f"{where}: {FIGURE_COMMENT if kind == 'paragraph' and figure_of(token) else kind}",
        )
        for token, kind, line in _blocks(tokens)
        if is_message(message_text(token.content))
    ]


def extract_messages(release: Release) -> list[SourceMessage]:
    """Return every message of a release, in reading order."""
    lines = release.lines
    messages: list[SourceMessage] = []

    def field(text: str | None, key: str, comment: str, line: int | None = None) -> None:
        if text and is_message(text):
            messages.append(SourceMessage(" ".join(text.split()), line or lines.get(key, 1), comment))

    field(release.title, "title", "title")
    field(release.subtitle, "subtitle", "subtitle")
    field(release.summary, "summary", "summary")
    field(release.location, "location", "location (dateline place)")
    if release.image is not None:
        field(release.image.alt, "image", "image: alternative text for screen readers", release.image.line)
        field(release.image.caption, "image", "image: caption", release.image.line)
        field(release.image.credit, "image", "image: credit", release.image.line)
    messages.extend(markdown_messages(release.body, release.body_line, "body"))
    for contact in release.contacts:
        field(contact.role, "contacts", f"contact role of {contact.name}", contact.line)
    if release.notes:
        messages.extend(markdown_messages(release.notes, lines.get("notes", 1) + 1, "notes to editors"))
    for note in release.change_notes:
        when = note.at.date().isoformat()
        messages.append(SourceMessage(" ".join(note.text.split()), note.line or 1, f"change note of {when}", note.ref))
    if release.withdrawal is not None:
        reason = release.withdrawal
        when = reason.at.date().isoformat()
        text = " ".join(reason.text.split())
        messages.append(SourceMessage(text, reason.line or 1, f"withdrawal reason of {when}", reason.ref))
    return messages


def body_assets(release: Release) -> list[tuple[str, int]]:
    """Return each image the Markdown body points at, with its line: (src, line)."""
    return [(src, release.body_line + line) for src, line in _body_images(release.body)]


@functools.lru_cache(maxsize=64)
def _body_images(body: str) -> tuple[tuple[str, int], ...]:
    # Parsed once per text: the build, publishing and localisation all ask for a release's pictures.
    found: list[tuple[str, int]] = []
    for token, _, line in _blocks(markdown("en").parse(body, {})):
        for child in token.children or []:
            if child.type == "image":
                found.append((str(child.attrGet("src") or ""), line))
    return tuple(found)


def release_assets(release: Release) -> list[Path]:
    """Return the files of the pictures a release shows: its image, then those of its body."""
    sources = [src for src, _ in body_assets(release)]
    if release.image is not None:
        sources.insert(0, release.image.src)
    return [release.folder / src for src in dict.fromkeys(sources)]


def render_markdown(source: str, lang: str, translate: Callable[[str], str], quotes: str | None = None) -> str:
    """Render Markdown `source` as HTML in `lang`, each block's text replaced by its translation.

    `quotes` are the language's configured quote marks (`config.Language.quotes`), if any.
    """
    md, tokens, env = _translated(source, lang, translate, quotes)
    html: str = md.renderer.render(tokens, md.options, env)
    return html


def render_body(
    source: str, lang: str, translate: Callable[[str], str], quotes: str | None = None
) -> list[str | Figure]:
    """Render Markdown like `render_markdown`, with each top-level picture paragraph as a `Figure`.

    The templates show figures (with the localised credit label); the HTML between them is
    returned as it is.
    """
    md, tokens, env = _translated(source, lang, translate, quotes)
    parts: list[str | Figure] = []
    start = 0
    for index, token in enumerate(tokens):
        if token.type != "paragraph_open" or token.level != 0:
            continue
        figure = figure_of(tokens[index + 1])
        if figure is None:
            continue
        if index > start:
            parts.append(md.renderer.render(tokens[start:index], md.options, env))
        parts.append(figure)
        start = index + 3  # paragraph_open, inline, paragraph_close
    if start < len(tokens):
        parts.append(md.renderer.render(tokens[start:], md.options, env))
    return parts


def figure_of(inline: Token) -> Figure | None:
    """Return the figure that an inline token is, if it holds one picture and at most its credit."""
    items = [
        child
        for child in inline.children or []
        if child.type not in ("softbreak", "hardbreak") and not (child.type == "text" and not child.content.strip())
    ]
    if not items or items[0].type != "image":
        return None
    credit = None
    if len(items) > 1:
        inner = items[2:-1]
        if items[1].type != "em_open" or items[-1].type != "em_close" or not inner:
            return None
        if any(child.type not in ("text", "softbreak") for child in inner):
            return None
        credit = " ".join("".join(child.content or " " for child in inner).split())
    image = items[0]
    title = str(image.attrGet("title") or "").strip()
    return Figure(str(image.attrGet("src") or ""), _plain_text(image), title or None, credit or None)


def _translated(
    source: str, lang: str, translate: Callable[[str], str], quotes: str | None
) -> tuple[MarkdownIt, list[Token], Any]:
    """Parse `source` in `lang` and put each block's translation in place of its text."""
    md = markdown(lang, quotes)
    env: dict[str, Any] = {}
    tokens = md.parse(source, env)
    used_ids: set[str] = set()
    images = {str(c.attrGet("src")) for t, _, _ in _blocks(tokens) for c in t.children or [] if c.type == "image"}
    for token, _, _ in _blocks(tokens):
        text = message_text(token.content)
        if not is_message(text):
            continue  # a figure, a date, a dash: shown as the source has it, in every language
        translated = translate(text)
        token.content = translated
        children = md.parseInline(translated, env)[0].children or []
        if inline_depth(children) > MAX_INLINE_DEPTH:
            children = [Token("text", "", 0, content=translated)]
        token.children = [_known_image(child, images) for child in children]
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            slug = _unique(slugify(_plain_text(tokens[index + 1])), used_ids)
            token.attrSet("id", slug)
    return md, tokens, env


def _known_image(token: Token, images: set[str]) -> Token:
    """Keep an image only if the source shows it: a translation cannot add pictures (or fetch any)."""
    if token.type != "image" or str(token.attrGet("src")) in images:
        return token
    return Token("text", "", 0, content=token.content)


def render_inline(text: str, lang: str, quotes: str | None = None) -> str:
    """Render one line of inline Markdown (a caption, a summary) as HTML in `lang`."""
    html: str = markdown(lang, quotes).renderInline(text)
    return html


def _plain_text(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def _unique(slug: str, used: set[str]) -> str:
    slug = slug or "section"
    candidate, number = slug, 1
    while candidate in used:
        number += 1
        candidate = f"{slug}-{number}"
    used.add(candidate)
    return candidate
