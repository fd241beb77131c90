"""Feeds and sitemap: Atom per language (feedgen) and sitemap.xml with hreflang alternates."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator

from pressgen import urls
from pressgen.config import Config, Language
from pressgen.localise import LocalisedRelease

if TYPE_CHECKING:
    from pressgen.render import Renderer

_URL_ATTRIBUTE = re.compile(r'(\s(?:src|href|srcset)=")([^"]*)(")')

ATOM_NS = "http://www.w3.org/2005/Atom"
_XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


@dataclass(frozen=True)
class SitemapPage:
    """One page of the site, with the URLs of its other language versions."""

    url: str
    alternates: tuple[tuple[str, str], ...]  # (hreflang, url)
    lastmod: dt.date | None = None


@dataclass(frozen=True)
class FeedEntry:
    """One release in a feed: its page, its texts and its PDF."""

    url: str  # the page, absolute
    title: str
    summary: str | None
    tags: tuple[str, ...]
    published: dt.datetime  # when it became public (`release_moment`)
    updated: dt.datetime  # when it last changed: its last update in the record, else `published`
    content: str  # HTML; relative URLs are resolved against `url` when the feed is written
    pdf_url: str | None = None
    pdf_length: int | None = None


def feed_content(renderer: Renderer, version: LocalisedRelease) -> str:
    """Return the HTML of a release's feed entry: its picture and body (URLs relative to its page)."""
    return renderer.render("_feed_content.html", {"site": renderer.site(""), "release": version})


def absolute_urls(content: str, base: str) -> str:
    """Resolve every `src`, `href` and `srcset` URL of HTML `content` against `base`."""

    def resolve(match: re.Match[str]) -> str:
        value = html.unescape(match.group(2))
        if match.group(1).strip().startswith("srcset"):
            candidates = [c.strip().split(None, 1) for c in value.split(",") if c.strip()]
            value = ", ".join(" ".join([urljoin(base, c[0]), *c[1:]]) for c in candidates)
        else:
            value = urljoin(base, value)
        return f"{match.group(1)}{html.escape(value)}{match.group(3)}"

    return _URL_ATTRIBUTE.sub(resolve, content)


def release_moment(version: LocalisedRelease, config: Config) -> dt.datetime:
    """Return when a release became public: as recorded (or its embargo, if later); for a preview,
    its embargo or the start of its date in the site's zone."""
    return public_moment(version.published, version.release.embargo, version.release.date, config)


def public_moment(
    published: dt.datetime | None, embargo: dt.datetime | None, date: dt.date, config: Config
) -> dt.datetime:
    """Return when a release became public, from when it was recorded, its embargo and its date."""
    if published is not None:
        return max(published, embargo) if embargo is not None else published
    if embargo is not None:
        return embargo
    return dt.datetime.combine(date, dt.time(0, 0), tzinfo=config.timezone)


# The `updated` of a feed that has never had an entry (Atom requires one).
NEVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def write_feed(
    dest: Path,
    config: Config,
    language: Language,
    title: str,
    entries: Sequence[FeedEntry],
    withdrawn: dt.datetime | None = None,
) -> None:
    """Write the Atom feed of one language, `entries` newest first; `withdrawn` is the last withdrawal of a
    release of the language, which changed the feed too (it left it)."""
    feed = FeedGenerator()
    home = f"{config.base_url}{language.code}/"
    feed.id(home)
    feed.title(title)
    feed.author({"name": config.organisation.name(language.code)})
    feed.link(href=home, rel="alternate")
    feed.link(href=f"{home}feed.xml", rel="self")
    feed.language(language.code)
    feed.generator("pressgen")
    moments = [item.updated for item in entries] + ([withdrawn] if withdrawn is not None else [])
    feed.updated(max(moments, default=NEVER))
    # feedgen prepends each entry; add oldest first so that the feed lists newest first.
    for item in reversed(entries):
        entry = feed.add_entry()
        entry.id(item.url)
        entry.title(item.title)
        entry.published(item.published)
        entry.updated(item.updated)
        for tag in item.tags:
            entry.category(term=tag)
        if item.summary:
            entry.summary(item.summary)
        entry.content(absolute_urls(item.content, item.url), type="html")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(_with_links(feed.atom_str(pretty=True), entries))


def _with_links(atom: bytes, entries: Sequence[FeedEntry]) -> bytes:
    """Add each entry's links: the page and its PDF as an enclosure with type and length.

    feedgen 1.0 writes an entry's links with their `href` only (it drops `rel`, `type` and
    `length`), so they are written here.
    """
    ET.register_namespace("", ATOM_NS)
    root = ET.fromstring(atom)
    by_id = {item.url: item for item in entries}
    for element in root.iter(f"{{{ATOM_NS}}}entry"):
        item = by_id[element.findtext(f"{{{ATOM_NS}}}id", "")]
        links = [{"rel": "alternate", "type": "text/html", "href": item.url}]
        if item.pdf_url is not None:
            length = str(item.pdf_length or 0)
            links.append({"rel": "enclosure", "type": "application/pdf", "length": length, "href": item.pdf_url})
        position = [child.tag for child in element].index(f"{{{ATOM_NS}}}updated") + 1
        for offset, attributes in enumerate(links):
            link = ET.Element(f"{{{ATOM_NS}}}link", attributes)
            element.insert(position + offset, link)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    out = io.BytesIO()
    tree.write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue()


def write_sitemaps(
    folder: Path, base_url: str, pages: Sequence[SitemapPage], limit: int = urls.SITEMAP_LIMIT
) -> list[str]:
    """Write sitemap.xml, each page with `xhtml:link` alternates for its languages; return the files written.

    The protocol allows `limit` (50,000) URLs a sitemap: past that, sitemap.xml is a sitemap index
    of sitemap-1.xml, sitemap-2.xml… of `limit` pages each.
    """
    if len(pages) <= limit:
        _write_urlset(folder / "sitemap.xml", pages)
        return ["sitemap.xml"]
    names = []
    for number, start in enumerate(range(0, len(pages), limit), start=1):
        place = urls.sitemap_part(number)
        _write_urlset(place.file(folder), pages[start : start + limit])
        names.append(place.path)
    lines = [_XML_DECLARATION, f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for name in names:
        lines += ["  <sitemap>", f"    <loc>{_text(base_url + name)}</loc>", "  </sitemap>"]
    lines.append("</sitemapindex>")
    (folder / "sitemap.xml").write_text("\n".join(lines), encoding="utf-8")
    return ["sitemap.xml", *names]


def _write_urlset(dest: Path, pages: Sequence[SitemapPage]) -> None:
    # Written as text, not built as a tree: a sitemap of thousands of pages is written in milliseconds.
    lines = [_XML_DECLARATION, f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">']
    for page in pages:
        lines += ["  <url>", f"    <loc>{_text(page.url)}</loc>"]
        if page.lastmod is not None:
            lines.append(f"    <lastmod>{page.lastmod.isoformat()}</lastmod>")
        lines += [
            f'    <xhtml:link rel="alternate" hreflang="{_attribute(hreflang)}" href="{_attribute(href)}" />'
            for hreflang, href in page.alternates
        ]
        lines.append("  </url>")
    lines.append("</urlset>")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("\n".join(lines), encoding="utf-8")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    return _text(value).replace('"', "&quot;")
