"""Feeds and sitemap: Atom per language (feedgen) and sitemap.xml with hreflang alternates."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from feedgen.feed import FeedGenerator

from pressgen.config import Config, Language
from pressgen.localise import LocalisedRelease

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


@dataclass(frozen=True)
class SitemapPage:
    """One page of the site, with the URLs of its other language versions."""

    url: str
    alternates: tuple[tuple[str, str], ...]  # (hreflang, url)
    lastmod: dt.date | None = None


def release_moment(version: LocalisedRelease, config: Config) -> dt.datetime:
    """Return when a release became public: its embargo, or the start of its date in the site's zone."""
    if version.release.embargo is not None:
        return version.release.embargo
    return dt.datetime.combine(version.release.date, dt.time(0, 0), tzinfo=config.timezone)


def write_feed(
    dest: Path, config: Config, language: Language, title: str, entries: Sequence[tuple[LocalisedRelease, str]]
) -> None:
    """Write the Atom feed of one language: `entries` are (release, absolute URL), newest first."""
    feed = FeedGenerator()
    home = f"{config.base_url}{language.code}/"
    feed.id(home)
    feed.title(title)
    feed.author({"name": config.organisation.name(language.code)})
    feed.link(href=home, rel="alternate")
    feed.link(href=f"{home}feed.xml", rel="self")
    feed.language(language.code)
    feed.generator("pressgen")
    moments = [release_moment(version, config) for version, _ in entries]
    feed.updated(max(moments) if moments else dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    # feedgen prepends each entry; add oldest first so that the feed lists newest first.
    for (version, url), moment in reversed(list(zip(entries, moments, strict=True))):
        entry = feed.add_entry()
        entry.id(url)
        entry.title(version.title)
        entry.link(href=url, rel="alternate")
        entry.published(moment)
        entry.updated(moment)
        if version.summary_text:
            entry.summary(version.summary_text)
        entry.content(str(version.body), type="html")
    dest.parent.mkdir(parents=True, exist_ok=True)
    feed.atom_file(str(dest), pretty=True)


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
