"""Print text that journalists can quote: no word split across lines, every link's address shown.

Text extraction (pdftotext, pypdf, pdfminer.six) turns each line end into a space. A word that
the layout splits across two lines therefore comes out broken: "georgani‐ seerd" after automatic
hyphenation, "NAVO- samenwerking" or "într- o" after a break at a hyphen the word already has.
The PDF is set ragged right without automatic hyphenation (templates/pdf.css), and `for_print`
keeps words that contain a hyphen, dash or slash on one line (docs/pdf.md has the measurements).

On paper a link is only its text, so `for_print` also prints the address after the text of
each external link (and the address of each e-mail link), unless the text already is it.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

# A tag of the HTML that pressgen renders: Markdown output and templates escape `<`, `>` and
# quotes in text and attribute values, so a tag never contains a `>` of its own.
_TAG = re.compile(r"(<[^>]*>)")
_HREF = re.compile(r'\shref="([^"]*)"')
# A word with a break opportunity inside it: a hyphen, dash or slash between two letters or
# digits (co-hosted, într-un, 16–17, and/or). Words longer than this stay breakable, so that
# no word can run past the margin.
_JOINED = re.compile(r"(?<!\S)([^\s<]*\w[-\u2010\u2011\u2013\u2014/][^\s<]*\w[^\s<]*)")
LONGEST_UNBROKEN = 40
# Addresses up to this length stay on one line (a copy gives them whole); longer ones may break.
LONGEST_UNBROKEN_URL = 60


def for_print(text: str | Markup) -> Markup:
    """Return HTML for the PDF: hyphenated words kept on one line, link addresses printed."""
    out: list[str] = []
    href: str | None = None
    link_text: list[str] = []
    for part in _TAG.split(str(escape(text))):
        if not part:
            continue
        if part.startswith("<"):
            if part.startswith("<a ") and (match := _HREF.search(part)):
                href, link_text = html.unescape(match.group(1)), []
            elif part == "</a>" and href is not None:
                shown = _shown_address(href, html.unescape("".join(link_text)))
                if shown:
                    long = " long" if len(shown) > LONGEST_UNBROKEN_URL else ""
                    out.append(f' <span class="print-url{long}">({escape(shown)})</span>')
                href = None
            out.append(part)
            continue
        if href is not None:
            link_text.append(part)
        out.append(_JOINED.sub(_keep_together, part))
    return Markup("".join(out))


def _keep_together(match: re.Match[str]) -> str:
    word = match.group(1)
    if len(html.unescape(word)) > LONGEST_UNBROKEN:
        return word
    return f'<span class="nobr">{word}</span>'


def _shown_address(href: str, text: str) -> str | None:
    """Return what to print after a link's text: its address, or None if the text already shows it."""
    lowered = href.lower()
    if lowered.startswith("mailto:"):
        address = href[len("mailto:") :].split("?", 1)[0]
    elif lowered.startswith(("http://", "https://")):
        address = href
    else:
        return None  # a link inside the page or the site: nothing to type in
    plain = " ".join(text.split())
    bare = re.sub(r"^(https?://|mailto:)", "", address, flags=re.IGNORECASE).rstrip("/")
    if plain.rstrip("/") in (address.rstrip("/"), bare):
        return None
    return address
