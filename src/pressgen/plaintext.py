"""Plain text from the HTML of an e-mail: the text part says what the HTML part says.

The e-mail's HTML is rendered from the templates and catalogs of the page; its plain-text
alternative is that HTML read as a mail client without HTML would want it: blocks separated by a
blank line, headings underlined, list items with a bullet or their number, quotes marked with
`>`, table cells with `|`, and each link's address after its text (unless the text is the
address). Nothing is lost: every text of the HTML is in the plain text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    ]
)
HIDDEN = frozenset(("head", "script", "style", "template", "title"))
UNDERLINES = {"h1": "=", "h2": "-"}


class _Text(HTMLParser):
    """Collect the text of an HTML document block by block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.line: list[str] = []
        self.hidden = 0
        self.quote = 0
        self.lists: list[list[int]] = []  # per open list: [number of the next item] (0 for bullets)
        self.links: list[tuple[str, int]] = []  # (address, where its text starts in `line`)
        self.heading: str | None = None
        self.prefix = ""  # a list item's bullet or number, for its first block
        self.cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.line.append("\n")
        elif tag == "img" and values.get("alt"):
            self.line.append(f"[{values['alt']}]")
        elif tag == "a" and values.get("href"):
            self.links.append((values["href"], len(self.line)))
        elif tag in ("td", "th"):
            if self.cells:
                self.line.append(" | ")
            self.cells += 1
        elif tag in BLOCKS:
            self.flush()
            if tag == "blockquote":
                self.quote += 1
            elif tag in ("ul", "ol"):
                self.lists.append([1 if tag == "ol" else 0])
            elif tag == "li" and self.lists:
                number = self.lists[-1][0]
                self.prefix = f"{number}. " if number else "• "
                if number:
                    self.lists[-1][0] += 1
            elif tag in UNDERLINES:
                self.heading = tag
            elif tag == "tr":
                self.cells = 0

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = " ".join("".join(self.line[start:]).split())
            address = href.removeprefix("mailto:")
            if text not in (href, address, address.split("?", 1)[0]):
                self.line.append(f" <{address}>")
        elif tag in BLOCKS:
            self.flush()
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            elif tag in ("ul", "ol") and self.lists:
                self.lists.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:  # line breaks in the source are spaces; <br> is a line break (no-break spaces stay)
            self.line.append(re.sub(r"[ \t\r\n\f]+", " ", data))

    def flush(self) -> None:
        """End the current block: its words joined, its lines kept, underlined if it is a heading."""
        lines = [re.sub(r" +", " ", part).strip() for part in "".join(self.line).split("\n")]
        text = "\n".join(line for line in lines if line)
        self.line = []
        if text:
            text, self.prefix = self.prefix + text, ""
            if self.heading is not None:
                text += "\n" + UNDERLINES[self.heading] * min(len(text), 72)
            if self.quote:
                text = "\n".join("> " + line for line in text.split("\n"))
            self.blocks.append(text)
        self.heading = None


def html_to_text(html: str) -> str:
    """Return the plain text of an HTML document: its blocks, links with their addresses."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser.flush()
    text = "\n\n".join(parser.blocks)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
