"""Feeds and sitemap as written: texts that XML must escape come back whole, in the real parsers."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser

from pressgen.config import load_config
from pressgen.feeds import FeedEntry, SitemapPage, write_feed, write_sitemaps

PAGE = "https://example.org/en/2024-05-17-a/"
TITLE = 'Allies "agree" <again> & again'
CEST = dt.timezone(dt.timedelta(hours=2))


def test_feed_keeps_awkward_texts_links_and_enclosures(tmp_path: Path) -> None:
    config = load_config(Path(__file__).resolve().parent.parent)
    entry = FeedEntry(
        url=PAGE,
        title=TITLE,
        summary="R&D <costs>",
        tags=("cyber & defence",),
        published=dt.datetime(2024, 5, 17, 9, tzinfo=CEST),
        updated=dt.datetime(2024, 5, 18, 9, tzinfo=CEST),
        content='<p>See <a href="../b/?x=1&amp;y=2">this</a></p>',
        pdf_url=PAGE + "a.pdf",
        pdf_length=1234,
    )
    dest = tmp_path / "en" / "feed.xml"
    write_feed(dest, config, config.language("en"), "News & notes", [entry])
    first = dest.read_bytes()
    write_feed(dest, config, config.language("en"), "News & notes", [entry])
    assert dest.read_bytes() == first  # the same entries, the same bytes

    feed = feedparser.parse(first)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "News & notes" and feed.feed.language == "en"
    (parsed,) = feed.entries
    assert (parsed.title, parsed.summary, parsed.tags[0].term) == (TITLE, "R&D <costs>", "cyber & defence")
    assert parsed.link == PAGE
    (enclosure,) = parsed.enclosures
    assert (enclosure.href, enclosure.type, enclosure.length) == (PAGE + "a.pdf", "application/pdf", "1234")
    assert '<a href="https://example.org/en/b/?x=1&amp;y=2">this</a>' in parsed.content[0].value


def test_sitemap_keeps_urls_and_alternates(tmp_path: Path) -> None:
    url = "https://example.org/en/?a=1&b=2"
    pages = [SitemapPage(url, (("en", url), ("nl", "https://example.org/nl/")), dt.date(2024, 5, 17))] * 3
    assert write_sitemaps(tmp_path, "https://example.org/", pages, limit=2) == [
        "sitemap.xml",
        "sitemap-1.xml",
        "sitemap-2.xml",
    ]
    index = ET.parse(tmp_path / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locs = [loc.text for loc in index.findall("s:sitemap/s:loc", ns)]
    assert locs == ["https://example.org/sitemap-1.xml", "https://example.org/sitemap-2.xml"]
    part = ET.parse(tmp_path / "sitemap-1.xml").getroot()
    assert [loc.text for loc in part.findall("s:url/s:loc", ns)] == [url, url]
    links = part.findall("s:url/x:link", ns)
    assert [(link.get("hreflang"), link.get("href")) for link in links[:2]] == [
        ("en", url),
        ("nl", "https://example.org/nl/"),
    ]
