"""A newsroom that grows: paginated newsroom pages, year archives, short feeds and a split sitemap.

The lists are built with small sizes (2 releases a page, 2 entries a feed, a sitemap of 5 URLs),
so that a handful of releases shows what a ten-year archive of 1,000 releases would.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest

from conftest import SLUG, copy_project, tree_digest
from helpers import add_release, parse_links
from pressgen.build import build
from pressgen.cli import run
from pressgen.config import load_config
from pressgen.options import BuildOptions

BASE = "https://newsroom.example.org/cyber-defence-pledge-2024/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
WITHDRAWN = "2023-05-05-withdrawn"
# The English releases, newest first: the bundled one (in English, Dutch and Romanian) among them.
ENGLISH = [
    "2024-06-20-foxtrot",
    "2024-06-01-echo",
    SLUG,
    "2024-02-02-delta",
    "2023-08-20-charlie",
    "2023-01-10-bravo",
    "2022-03-01-alpha",
]
SMALL = BuildOptions(page_size=2, feed_size=2, sitemap_limit=5)


def cli_run(project: Path, *args: str) -> None:
    assert run(["-C", str(project), *args]) == 0, args


def publish(project: Path, now: str = "2024-06-30T12:00:00+00:00") -> None:
    slugs = sorted(p.name for p in (project / "releases").iterdir() if p.is_dir())
    cli_run(project, "publish", *slugs, "--now", now)


def build_with(project: Path, options: BuildOptions) -> None:
    report = build(load_config(project), options)
    assert not report.unchanged


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Seven English releases over three years (one more withdrawn), built with small lists into
    public/ and with the default sizes into wide/."""
    project = copy_project(tmp_path_factory.mktemp("archive") / "project")
    for slug in [*ENGLISH, WITHDRAWN]:
        if slug != SLUG:
            add_release(project, slug, slug[11:].capitalize() + " statement")
    publish(project)
    cli_run(project, "withdraw", WITHDRAWN, "--reason", "Published in error.", "--now", "2024-07-01T09:00Z")
    build_with(project, SMALL)
    build_with(project, BuildOptions(out=project / "wide"))
    yield project


def slug_of(link: str, page: str) -> str:
    """Return the slug a release link on newsroom page `page` ("en/page/2/") points at."""
    path = urlsplit(urljoin(f"http://site/{page}", link)).path.strip("/")
    return path.split("/")[-1]


def listed(site: Path, page: str) -> list[str]:
    """Return the slugs a newsroom page lists, in its order."""
    html = (site / page / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<ol class="newsroom">(.*?)</ol>', html, re.S)
    if found is None:
        return []
    return [slug_of(href, page) for href in re.findall(r'<h2><a href="([^"]+)">', found.group(1))]


def target(site: Path, page: str, href: str) -> Path:
    """Return the file a link of page `page` leads to (a page's index.html)."""
    url = urljoin(f"{BASE}{page}", href).split("#", 1)[0]
    assert url.startswith(BASE), (page, href)
    path = site / url.removeprefix(BASE)
    return path / "index.html" if url.endswith("/") else path


def newsroom_pages(site: Path, lang: str) -> list[str]:
    """Return the newsroom's pages of `lang` in order: its first page, then page/2/, page/3/…"""
    pages = [f"{lang}/"]
    while (site / lang / "page" / str(len(pages) + 1) / "index.html").is_file():
        pages.append(f"{lang}/page/{len(pages) + 1}/")
    return pages


def test_newsroom_pages_list_every_release_once_newest_first(archive: Path) -> None:
    site = archive / "public"
    pages = newsroom_pages(site, "en")
    assert [listed(site, page) for page in pages] == [ENGLISH[0:2], ENGLISH[2:4], ENGLISH[4:6], ENGLISH[6:7]]
    assert not (site / "en" / "page" / "5").exists()
    for lang in ("nl", "ro"):
        assert newsroom_pages(site, lang) == [f"{lang}/"]
        assert listed(site, f"{lang}/") == [SLUG]
    html = (site / "en" / "page" / "2" / "index.html").read_text(encoding="utf-8")
    assert "<title>Press releases · Page 2 of 4 · " in html
    assert '<span class="page">Page 2 of 4</span>' in html
    every = site.rglob("*.html")
    assert all(WITHDRAWN not in listed(site, str(p.parent.relative_to(site)) + "/") for p in every)


def test_newer_and_older_links_lead_to_the_next_pages(archive: Path) -> None:
    site = archive / "public"
    pages = newsroom_pages(site, "en")
    for number, page in enumerate(pages):
        links = parse_links(site / page / "index.html")
        prev = [a["href"] for a in links.anchors if a.get("rel") == "prev"]
        next_ = [a["href"] for a in links.anchors if a.get("rel") == "next"]
        assert [target(site, page, h) for h in prev] == ([site / pages[number - 1] / "index.html"] if number else [])
        last = number == len(pages) - 1
        assert [target(site, page, h) for h in next_] == ([] if last else [site / pages[number + 1] / "index.html"])
        heads = {t["rel"]: t["href"] for t in links.link_tags if t.get("rel") in ("prev", "next")}
        assert {rel: target(site, page, h) for rel, h in heads.items()} == {
            **({"prev": site / pages[number - 1] / "index.html"} if number else {}),
            **({} if last else {"next": site / pages[number + 1] / "index.html"}),
        }


def test_every_link_of_every_newsroom_page_leads_to_a_file(archive: Path) -> None:
    site = archive / "public"
    pages = [
        str(p.parent.relative_to(site)) + "/"
        for p in site.rglob("index.html")
        if re.fullmatch(r"(en|nl|ro)(/\d{4})?(/page/\d+)?", str(p.parent.relative_to(site)))
    ]
    assert len(pages) == 4 + 1 + 1 + 2 + 1 + 1 + 1 + 1  # en: 4 pages, 2024 (2), 2023, 2022; nl, ro: 1 and 2024
    for page in pages:
        links = parse_links(site / page / "index.html")
        hrefs = [a["href"] for a in links.anchors] + [t["href"] for t in links.link_tags]
        for href in hrefs:
            if urljoin(f"{BASE}{page}", href).startswith(BASE):
                assert target(site, page, href).is_file(), (page, href)


def test_year_archives_list_exactly_that_years_releases(archive: Path) -> None:
    site = archive / "public"
    assert listed(site, "en/2024/") == ENGLISH[0:2]
    assert listed(site, "en/2024/page/2/") == ENGLISH[2:4]
    assert not (site / "en" / "2024" / "page" / "3").exists()
    assert listed(site, "en/2023/") == ["2023-08-20-charlie", "2023-01-10-bravo"]  # not the withdrawn one
    assert not (site / "en" / "2023" / "page").exists()
    assert listed(site, "en/2022/") == ["2022-03-01-alpha"]
    assert listed(site, "nl/2024/") == [SLUG]
    assert not (site / "nl" / "2023").exists() and not (site / "nl" / "2022").exists()
    html = (site / "en" / "2023" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Press releases from 2023</h1>" in html
    assert '<span aria-current="page">2023</span>' in html
    years = [a["href"] for a in parse_links(site / "en" / "index.html").anchors if re.fullmatch(r"\d{4}/", a["href"])]
    assert years == ["2024/", "2023/", "2022/"]


@pytest.mark.parametrize(
    ("page", "languages"),
    [
        ("en/page/2/", ["en"]),
        ("en/2024/", ["en", "nl", "ro"]),
        ("nl/2024/", ["en", "nl", "ro"]),
        ("en/2024/page/2/", ["en"]),
        ("en/2023/", ["en"]),
    ],
)
def test_hreflang_alternates_of_archive_pages_point_at_pages_that_exist(
    archive: Path, page: str, languages: list[str]
) -> None:
    site = archive / "public"
    links = parse_links(site / page / "index.html")
    alternates = {
        t["hreflang"]: t["href"] for t in links.link_tags if t.get("rel") == "alternate" and t.get("hreflang")
    }
    same = page.split("/", 1)[1]
    assert {k: v for k, v in alternates.items() if k != "x-default"} == {
        lang: f"{BASE}{lang}/{same}" for lang in languages
    }
    for href in alternates.values():
        assert target(site, page, href).is_file(), href
    switcher = [a for a in links.anchors if a.get("hreflang")]
    assert sorted(a["hreflang"] for a in switcher) == [lang for lang in languages if lang != page[:2]]
    for anchor in switcher:
        assert target(site, page, anchor["href"]).is_file(), anchor


def test_a_newsroom_of_fewer_than_fifty_releases_has_one_page(archive: Path) -> None:
    wide = archive / "wide"
    assert listed(wide, "en/") == ENGLISH
    assert not (wide / "en" / "page").exists()
    assert '<nav class="pagination"' not in (wide / "en" / "index.html").read_text(encoding="utf-8")
    assert listed(wide, "en/2024/") == ENGLISH[0:4]
    assert len(feedparser.parse((wide / "en" / "feed.xml").read_bytes()).entries) == len(ENGLISH)


def test_feeds_carry_the_latest_entries_newest_first(archive: Path) -> None:
    site = archive / "public"
    feed = feedparser.parse((site / "en" / "feed.xml").read_bytes())
    assert feed.bozo == 0
    assert [entry.link for entry in feed.entries] == [f"{BASE}en/{slug}/" for slug in ENGLISH[:2]]
    dutch = feedparser.parse((site / "nl" / "feed.xml").read_bytes())
    assert [entry.link for entry in dutch.entries] == [f"{BASE}nl/{SLUG}/"]


def public_pages(site: Path) -> set[str]:
    """Return the URL of every page a crawler may index (not the language chooser at the root,
    which is the x-default of the newsrooms, nor a withdrawn release's noindex pages)."""
    return {
        BASE + str(path.parent.relative_to(site)) + "/"
        for path in site.rglob("index.html")
        if path.parent != site and "noindex" not in path.read_text(encoding="utf-8")
    }


def sitemap_urls(path: Path) -> list[str]:
    """Return the URLs of a urlset, checking its namespaces and that each alternate exists."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{SITEMAP_NS}}}urlset", root.tag
    site = path.parent
    found = []
    for url in root:
        assert url.tag == f"{{{SITEMAP_NS}}}url"
        loc = url.findtext(f"{{{SITEMAP_NS}}}loc")
        assert loc is not None and loc.startswith(BASE)
        found.append(loc)
        for link in url.findall(f"{{{XHTML_NS}}}link"):
            href = link.get("href", "")
            if link.get("hreflang") != "x-default":
                assert (site / href.removeprefix(BASE) / "index.html").is_file(), (loc, href)
    return found


def test_a_small_sitemap_is_one_urlset_of_every_public_page(archive: Path) -> None:
    wide = archive / "wide"
    urls = sitemap_urls(wide / "sitemap.xml")
    assert len(urls) == len(set(urls))
    assert set(urls) == public_pages(wide)
    assert f"{BASE}en/2023/" in urls and f"{BASE}en/{WITHDRAWN}/" not in urls
    assert not list(wide.glob("sitemap-*.xml"))
    assert "\nSitemap: " + BASE + "sitemap.xml" in (wide / "robots.txt").read_text(encoding="utf-8")


def test_past_the_limit_the_sitemap_is_an_index_of_parts(archive: Path) -> None:
    site = archive / "public"
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == f"{{{SITEMAP_NS}}}sitemapindex", root.tag
    parts = [s.findtext(f"{{{SITEMAP_NS}}}loc") for s in root]
    assert all(s.tag == f"{{{SITEMAP_NS}}}sitemap" for s in root)
    expected = public_pages(site)
    count = -(-len(expected) // 5)
    assert parts == [f"{BASE}sitemap-{n}.xml" for n in range(1, count + 1)]
    assert sorted(p.name for p in site.glob("sitemap-*.xml")) == sorted(f"sitemap-{n}.xml" for n in range(1, count + 1))
    every: list[str] = []
    for part in parts:
        assert part is not None
        urls = sitemap_urls(site / part.removeprefix(BASE))
        assert 0 < len(urls) <= 5
        every += urls
    assert len(every) == len(set(every))
    assert set(every) == expected
    assert "\nSitemap: " + BASE + "sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")


def test_adding_and_withdrawing_releases_updates_the_pages(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    for slug in ENGLISH[2:]:
        if slug != SLUG:
            add_release(project, slug, slug[11:].capitalize() + " statement")
    publish(project)
    site = project / "public"
    build_with(project, SMALL)
    assert [listed(site, p) for p in newsroom_pages(site, "en")] == [ENGLISH[2:4], ENGLISH[4:6], ENGLISH[6:]]

    add_release(project, ENGLISH[1], "Echo statement")
    publish(project, now="2024-07-01T12:00:00+00:00")
    build_with(project, SMALL)
    assert [listed(site, p) for p in newsroom_pages(site, "en")] == [ENGLISH[1:3], ENGLISH[3:5], ENGLISH[5:7]]
    assert listed(site, "en/2024/page/2/") == [ENGLISH[3]]
    feed = feedparser.parse((site / "en" / "feed.xml").read_bytes())
    assert [entry.link for entry in feed.entries] == [f"{BASE}en/{slug}/" for slug in ENGLISH[1:3]]

    for slug in ENGLISH[3:6]:
        cli_run(project, "withdraw", slug, "--reason", "Published in error.", "--now", "2024-07-02T09:00Z")
    build_with(project, SMALL)
    assert [listed(site, p) for p in newsroom_pages(site, "en")] == [ENGLISH[1:3], ENGLISH[6:7]]
    assert not (site / "en" / "page" / "3").exists()
    assert not (site / "en" / "2023").exists()
    assert not (site / "en" / "2024" / "page").exists()
    assert listed(site, "en/2024/") == ENGLISH[1:3]
    assert f"{BASE}en/page/3/" not in (site / "sitemap.xml").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in site.glob("sitemap-*.xml")
    )
    index = ET.parse(site / "sitemap.xml").getroot()
    parts = sorted(str(s.findtext(f"{{{SITEMAP_NS}}}loc")).removeprefix(BASE) for s in index)
    assert parts and sorted(p.name for p in site.glob("sitemap-*.xml")) == parts  # no part left over
    # What the incremental builds left is what a clean build writes.
    clean = tmp_path / "clean"
    build_with(project, BuildOptions(out=clean, page_size=2, feed_size=2, sitemap_limit=5))
    assert tree_digest(site) == tree_digest(clean)


def test_deleting_draft_releases_removes_their_preview_pages(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    for slug in ENGLISH:
        if slug != SLUG:
            add_release(project, slug, slug[11:].capitalize() + " statement")
    preview = project / "preview"
    options = BuildOptions(preview=True, page_size=2)
    build_with(project, options)
    assert newsroom_pages(preview, "en") == ["en/", "en/page/2/", "en/page/3/", "en/page/4/"]
    for slug in ENGLISH[3:6]:
        shutil.rmtree(project / "releases" / slug)
    build_with(project, options)
    assert [listed(preview, p) for p in newsroom_pages(preview, "en")] == [ENGLISH[0:2], [SLUG, ENGLISH[6]]]
    assert not (preview / "en" / "page" / "3").exists() and not (preview / "en" / "page" / "4").exists()
    assert not (preview / "en" / "2023").exists()
    assert listed(preview, "en/2024/") == ENGLISH[0:2]
    assert listed(preview, "en/2024/page/2/") == [SLUG]
