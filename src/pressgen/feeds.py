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
    """One release in a feed: its page, its content and its PDF."""

    version: LocalisedRelease
    url: str  # the page, absolute
    content: str  # HTML; relative URLs are resolved against `url` when the feed is written
    pdf_url: str | None = None
    pdf_length: int | None = None
    # When the release last changed (its last update in the publication record); None: when it
    # became public (`release_moment`).
    updated: dt.datetime | None = None


def feed_entry(renderer: Renderer, version: LocalisedRelease, url: str, pdf_name: str, pdf_size: int) -> FeedEntry:
    """Return the feed entry of a release page at `url` whose PDF `pdf_name` beside it has `pdf_size` bytes."""
    content = renderer.render("_feed_content.html", {"site": renderer.site(""), "release": version})
    return FeedEntry(version, url, content, urljoin(url, pdf_name), pdf_size, version.modified)


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
    if version.published is not None:
        embargo = version.release.embargo
        return max(version.published, embargo) if embargo is not None else version.published
    if version.release.embargo is not None:
        return version.release.embargo
    return dt.datetime.combine(version.release.date, dt.time(0, 0), tzinfo=config.timezone)


def write_feed(dest: Path, config: Config, language: Language, title: str, entries: Sequence[FeedEntry]) -> None:
    """Write the Atom feed of one language, `entries` newest first."""
    feed = FeedGenerator()
    home = f"{config.base_url}{language.code}/"
    feed.id(home)
    feed.title(title)
    feed.author({"name": config.organisation.name(language.code)})
    feed.link(href=home, rel="alternate")
    feed.link(href=f"{home}feed.xml", rel="self")
    feed.language(language.code)
    feed.generator("pressgen")
    moments = [release_moment(item.version, config) for item in entries]
    updates = [item.updated or moment for item, moment in zip(entries, moments, strict=True)]
    feed.updated(max(updates) if updates else dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    # feedgen prepends each entry; add oldest first so that the feed lists newest first.
    for item, moment, updated in reversed(list(zip(entries, moments, updates, strict=True))):
        version = item.version
        entry = feed.add_entry()
        entry.id(item.url)
        entry.title(version.title)
        entry.published(moment)
        entry.updated(updated)
        for tag in version.release.tags:
            entry.category(term=tag)
        if version.summary_text:
            entry.summary(version.summary_text)
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


def write_sitemap(dest: Path, pages: Sequence[SitemapPage]) -> None:
    """Write sitemap.xml, each page with `xhtml:link` alternates for its languages."""
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for page in pages:
        url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = page.url
        if page.lastmod is not None:
            ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = page.lastmod.isoformat()
        for hreflang, href in page.alternates:
            ET.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=hreflang, href=href)
    tree = ET.ElementTree(urlset)
    ET.indent(tree)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tree.write(dest, encoding="utf-8", xml_declaration=True)
