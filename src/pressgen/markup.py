"""The text pressgen reads: its Markdown dialect, and the patterns that checks, machine translation
and rendering share (URLs, e-mail addresses, placeholders, HTML, invisible characters).

One home for each pattern, so that what `check` verifies and what `translate` protects from a
machine translation can never drift apart.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Quote marks per language: primary open/close, then secondary open/close. A project chooses
# others with `quotes` in a language's table of pressgen.toml (`config.Language.quotes`).
QUOTES: dict[str, str | list[str]] = {
    "en": "\u201c\u201d\u2018\u2019",  # “…” ‘…’
    "nl": "\u201c\u201d\u2018\u2019",  # “…” ‘…’
    "ro": "\u201e\u201d\u00ab\u00bb",  # „…” «…»
    "de": "\u201e\u201c\u201a\u2018",
    "fr": ["\u00ab\u202f", "\u202f\u00bb", "\u2039\u202f", "\u202f\u203a"],
}
ALLOWED_SCHEMES = ("http:", "https:", "mailto:")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# Emphasis and links nested deeper than this are an error in a source, and plain text in a
# translation: nobody writes them, and layout engines recurse over them.
MAX_INLINE_DEPTH = 16

URL = re.compile(r"(?i:https?://)[^\s)>\]\"']+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Interface placeholders: Python's %(name)s, %(n)d, %(x).1f …, and str.format's {name} and {0}.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|\{\w*\}")
# What no translation may change, so machine translation never sees it: link and image targets,
# inline code, autolinks, URLs, e-mail addresses and placeholders.
PROTECTED = re.compile(
    "|".join(
        (
            r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)",  # the target of a Markdown link or image
            r"`[^`]+`",  # inline code
            r"<(?i:https?://|mailto:)[^>]+>",  # autolinks
            URL.pattern,
            EMAIL.pattern,
            PLACEHOLDER.pattern,
        )
    )
)

# Characters a reader cannot see that change what a text says or shows: bidirectional
# overrides, isolates and marks, and zero-width characters.
INVISIBLE = {
    **{chr(c): f"U+{c:04X}" for c in range(0x202A, 0x202F)},
    **{chr(c): f"U+{c:04X}" for c in range(0x2066, 0x206A)},
    **{chr(c): f"U+{c:04X}" for c in (0x200E, 0x200F, 0x061C)},
    **{chr(c): f"U+{c:04X}" for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)},
}


@dataclass(frozen=True)
class Link:
    """A link or image target in a text, as the Markdown parser reads it."""

    kind: str  # "link" or "image"
    target: str
    allowed: bool  # False: a refused scheme (javascript:, tel: …), shown as text


def validate_link(url: str) -> bool:
    """Allow only http, https, mailto and links inside the page or site (no javascript:, data:)."""
    candidate = url.strip().lower()
    if SCHEME.match(candidate):
        return candidate.startswith(ALLOWED_SCHEMES)
    return not candidate.startswith("//")


def quote_marks(lang: str, configured: str | None = None) -> str | list[str]:
    """Return the quote marks `lang` is rendered with: the configured ones, or those of `QUOTES`."""
    return configured or QUOTES.get(lang, QUOTES["en"])


@cache
def markdown(lang: str, quotes: str | None = None) -> MarkdownIt:
    """Return the Markdown parser for `lang`: CommonMark + tables, raw HTML escaped, local quotes.

    `quotes` are the language's configured quote marks (`config.Language.quotes`), if any.
    """
    md = MarkdownIt(
        "commonmark",
        {"html": False, "typographer": True, "quotes": quote_marks(lang, quotes)},
    )
    md.enable(["table", "strikethrough", "smartquotes"])
    md.validateLink = validate_link  # type: ignore[method-assign]
    return md


@cache
def _permissive() -> MarkdownIt:
    """A parser that accepts every link scheme: to find links that pressgen would refuse."""
    md = MarkdownIt("commonmark", {"html": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def inline_depth(children: list[Token]) -> int:
    """Return how deeply the inline markup (emphasis, links) of a block is nested."""
    depth = deepest = 0
    for child in children:
        depth += child.nesting
        deepest = max(deepest, depth)
    return deepest


def nesting_problems(source: str, first_line: int) -> list[tuple[int, str]]:
    """Return (line, message) for each block of Markdown whose inline markup is nested too deeply."""
    problems = []
    for token in markdown("en").parse(source, {}):
        if token.type != "inline":
            continue
        depth = inline_depth(token.children or [])
        if depth > MAX_INLINE_DEPTH:
            line = first_line + (token.map[0] if token.map else 0)
            problems.append((line, f"emphasis or links nested {depth} levels deep; at most {MAX_INLINE_DEPTH}"))
    return problems


def links(text: str) -> list[Link]:
    """Return the link and image targets of an inline Markdown text, in order, as the parser reads them."""
    tokens = _permissive().parseInline(text, {})
    found = []
    for child in (tokens[0].children or []) if tokens else []:
        if child.type == "link_open":
            target = str(child.attrGet("href") or "")
        elif child.type == "image":
            target = str(child.attrGet("src") or "")
        else:
            continue
        kind = "image" if child.type == "image" else "link"
        found.append(Link(kind, target, validate_link(target)))
    return found


class _Tags(HTMLParser):
    """The HTML tokenizer of Python's standard library, collecting what a browser would read as markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(self.get_starttag_text() or f"<{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        self.found.append(f"</{tag}>")

    def handle_comment(self, data: str) -> None:
        self.found.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.found.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.found.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.found.append(f"<![{data}]>")


def html_tags(text: str) -> list[str]:
    """Return every piece of HTML markup in `text` (tags, comments, declarations), as a browser reads it.

    Markdown autolinks (`<https://…>`, `<name@example.org>`) are links, not HTML.
    """
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return [tag for tag in parser.found if not _AUTOLINK.fullmatch(tag)]


_AUTOLINK = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^<>\s]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>")


def invisible_characters(text: str) -> list[tuple[int, str]]:
    """Return (1-based column, name) of each bidirectional control or zero-width character."""
    return [(index + 1, INVISIBLE[ch]) for index, ch in enumerate(text) if ch in INVISIBLE]


def typed_text_problem(text: str) -> str | None:
    """Return what makes a text typed on the command line (a change note, a withdrawal reason) unfit to
    be recorded and published, or None: a byte that is not UTF-8, a control character, or a character
    a reader cannot see that changes how the text reads (as `check` refuses it in a translation).

    The problem names the character's position, never the text itself: a terminal would act on it.
    """
    for index, ch in enumerate(text):
        if "\udc80" <= ch <= "\udcff":  # a byte the terminal's encoding could not decode (surrogateescape)
            return (
                f"is not UTF-8 text (byte 0x{ord(ch) - 0xDC00:02x} at character {index + 1}): "
                "set the terminal to UTF-8 and type it again"
            )
        if "\ud800" <= ch <= "\udfff":
            return f"is not valid Unicode text (U+{ord(ch):04X} at character {index + 1})"
    controls = control_characters(text, allowed="")
    if controls:
        offset, name = controls[0]
        return f"holds the control character {name} at character {offset + 1}: remove it"
    invisible = invisible_characters(text)
    if invisible:
        column, name = invisible[0]
        return (
            f"holds the invisible character {name} at character {column} (a bidirectional control or "
            "zero-width character): readers would not see it, yet it changes how the text reads; remove it"
        )
    return None


def control_characters(text: str, allowed: str = "\t\n") -> list[tuple[int, str]]:
    """Return (0-based offset, U+XXXX) of each control character in `text` other than `allowed`."""
    return [
        (index, f"U+{ord(ch):04X}")
        for index, ch in enumerate(text)
        if unicodedata.category(ch) == "Cc" and ch not in allowed
    ]
