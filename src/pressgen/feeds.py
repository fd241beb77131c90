"""Feeds and sitemap: Atom per language and sitemap.xml with hreflang alternates.

Both are built as ElementTree trees and written by one function (`_write`): the standard
library escapes every text and attribute and indents, so that the same pages give the same
bytes. The trees use the names as written (`feed`, `xhtml:link`) with the namespaces declared
on the root element: ElementTree's `default_namespace` refuses unprefixed attributes such as
`href`, and prefixes chosen through `ET.register_namespace` would be global to the process.
"""

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

from pressgen import urls
from pressgen.config import Config, Language
from pressgen.localise import LocalisedRelease

if TYPE_CHECKING:
    from pressgen.render import Renderer

_URL_ATTRIBUTE = re.compile(r'(\s(?:src|href|srcset)=")([^"]*)(")')

ATOM_NS = "http://www.w3.org/2005/Atom"
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
    return renderer.render("_feed_content.html", {"site": renderer.site(urls.ROOT), "release": version})


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
    home = urls.newsroom(language.code).url(config.base_url)
    moments = [item.updated for item in entries] + ([withdrawn] if withdrawn is not None else [])
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": language.code})
    _child(feed, "id", home)
    _child(feed, "title", title)
    _child(feed, "updated", max(moments, default=NEVER).isoformat())
    _child(_child(feed, "author"), "name", config.organisation.name(language.code))
    _child(feed, "link", attributes={"href": home, "rel": "alternate"})
    _child(feed, "link", attributes={"href": urls.feed(language.code).url(config.base_url), "rel": "self"})
    _child(feed, "generator", "pressgen")
    for item in entries:
        entry = _child(feed, "entry")
        _child(entry, "id", item.url)
        _child(entry, "title", item.title)
        _child(entry, "updated", item.updated.isoformat())
        _child(entry, "link", attributes={"rel": "alternate", "type": "text/html", "href": item.url})
        if item.pdf_url is not None:
            enclosure = {"rel": "enclosure", "type": "application/pdf", "length": str(item.pdf_length or 0)}
            _child(entry, "link", attributes={**enclosure, "href": item.pdf_url})
        _child(entry, "content", absolute_urls(item.content, item.url), {"type": "html"})
        if item.summary:
            _child(entry, "summary", item.summary)
        for tag in item.tags:
            _child(entry, "category", attributes={"term": tag})
        _child(entry, "published", item.published.isoformat())
    _write(dest, feed)


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
    index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for number, start in enumerate(range(0, len(pages), limit), start=1):
        place = urls.sitemap_part(number)
        _write_urlset(place.file(folder), pages[start : start + limit])
        names.append(place.path)
        _child(_child(index, "sitemap"), "loc", place.url(base_url))
    _write(folder / "sitemap.xml", index)
    return ["sitemap.xml", *names]


def _write_urlset(dest: Path, pages: Sequence[SitemapPage]) -> None:
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:xhtml": XHTML_NS})
    for page in pages:
        url = _child(urlset, "url")
        _child(url, "loc", page.url)
        if page.lastmod is not None:
            _child(url, "lastmod", page.lastmod.isoformat())
        for hreflang, href in page.alternates:
            _child(url, "xhtml:link", attributes={"rel": "alternate", "hreflang": hreflang, "href": href})
    _write(dest, urlset)


def _child(
    parent: ET.Element, tag: str, text: str | None = None, attributes: dict[str, str] | None = None
) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes or {})
    element.text = text
    return element


def _write(dest: Path, root: ET.Element) -> None:
    """Write an XML document, indented by two spaces."""
    tree = ET.ElementTree(root)
    ET.indent(tree)
    out = io.BytesIO()
    tree.write(out, encoding="utf-8", xml_declaration=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(out.getvalue())
