"""The newsroom journalists use: listing, metadata, feeds, the embargo pack, `new` and `serve`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import feedparser

from conftest import SLUG, Cli, publish_all
from helpers import add_release, parse_links, pdf_text

BASE = "https://newsroom.example.org/cyber-defence-pledge-2024/"


def test_newsroom_lists_releases_newest_first_with_dates_summaries_and_pdf_sizes(project: Path, cli: Cli) -> None:
    add_release(project, "2024-06-01-later", "A later release")
    add_release(project, "2024-04-01-earlier", "An earlier release")
    publish_all(cli, project)
    assert cli(project, "build").code == 0
    html = (project / "public" / "en" / "index.html").read_text(encoding="utf-8")
    order = [html.find(t) for t in ("A later release", "Continuing NATO Cooperation", "An earlier release")]
    assert -1 not in order and order == sorted(order)
    assert '<time datetime="2024-05-17">17 May 2024</time> · The Hague' in html
    assert "Summary of A later release." in html
    sizes = re.findall(
        r'type="application/pdf" download>Download the PDF \(<span class="size">(\d+)\u00a0kB</span>\)</a>', html
    )
    assert len(sizes) == 3 and all(int(s) > 5 for s in sizes)
    ro = (project / "public" / "ro" / "index.html").read_text(encoding="utf-8")
    assert "17 mai 2024" in ro and "A later release" not in ro  # not translated into Romanian


def test_release_page_metadata(built: Path) -> None:
    page = built / "nl" / SLUG / "index.html"
    html = page.read_text(encoding="utf-8")
    links = parse_links(page)
    alternates = {t["hreflang"]: t["href"] for t in links.link_tags if t.get("rel") == "alternate" and "hreflang" in t}
    assert alternates == {
        "en": f"{BASE}en/{SLUG}/",
        "nl": f"{BASE}nl/{SLUG}/",
        "ro": f"{BASE}ro/{SLUG}/",
        "x-default": f"{BASE}en/{SLUG}/",
    }
    assert f'<link rel="canonical" href="{BASE}nl/{SLUG}/">' in html
    assert '<meta property="og:title" content="Voortzetting van de NAVO-samenwerking' in html
    assert '<meta property="og:locale" content="nl_NL">' in html
    assert '<meta property="og:locale:alternate" content="ro_RO">' in html
    names = [a.get("lang") for a in links.anchors if a.get("hreflang")]
    assert names == ["en", "ro"]
    assert ">English</a>" in html and ">Română</a>" in html and 'aria-current="page" lang="nl">Nederlands' in html
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["@type"] == "NewsArticle"
    assert data["inLanguage"] == "nl" and data["headline"].startswith("Voortzetting")
    assert data["datePublished"].startswith("2024-05-17T00:00:00+02:00")


def test_feeds_list_published_releases_in_their_language(built: Path) -> None:
    for lang, title in (("en", "Continuing NATO"), ("nl", "Voortzetting"), ("ro", "Continuarea")):
        feed = feedparser.parse((built / lang / "feed.xml").read_bytes())
        assert feed.bozo == 0
        assert feed.feed.language == lang
        (entry,) = feed.entries
        assert entry.title.startswith(title)
        assert entry.link == f"{BASE}{lang}/{SLUG}/"


def test_embargo_leaves_no_trace_until_it_lifts(project: Path, cli: Cli) -> None:
    add_release(project, "2024-06-10-secret", "Zanzibarquux statement", "embargo: 2024-06-10T09:00+02:00\n")
    publish_all(cli, project, now="2024-06-09T12:00:00+00:00")
    assert cli(project, "build", "--now", "2024-06-10T06:59Z").code == 0
    public = project / "public"
    grep = subprocess.run(["grep", "-rli", "zanzibarquux", str(public)], capture_output=True, text=True)
    assert grep.stdout == "" and grep.returncode == 1
    assert not list(public.rglob("*secret*"))
    assert cli(project, "build", "--now", "2024-06-10T07:00Z").code == 0
    assert "Zanzibarquux statement" in (public / "en" / "index.html").read_text(encoding="utf-8")
    assert "Zanzibarquux statement" in (public / "en" / "feed.xml").read_text(encoding="utf-8")
    assert f"{BASE}en/2024-06-10-secret/" in (public / "sitemap.xml").read_text(encoding="utf-8")


def test_embargoed_pack_marks_every_page_in_each_language(project: Path, cli: Cli) -> None:
    release = project / "releases" / SLUG / "release.md"
    text = release.read_text(encoding="utf-8")
    release.write_text(text.replace("date: 2024-05-17\n", "date: 2024-05-17\nembargo: 2024-05-17T09:00+02:00\n"))
    shutil.rmtree(project / "published")  # published afresh, under embargo, the day before
    publish_all(cli, project, now="2024-05-16T10:00:00+00:00")
    pack = project / "pack"
    result = cli(project, "build", "--embargoed", "--out", str(pack), "--now", "2024-05-16T12:00Z")
    assert result.code == 0, result.err
    expected = {
        "en": "Embargoed until 17 May 2024, 09:00 (Central European Summer Time)",
        "nl": "Onder embargo tot 17 mei 2024, 09.00 uur (Midden-Europese zomertijd)",
        "ro": "Sub embargo până la 17 mai 2024, ora 09:00 (ora Europei Centrale)",
    }
    for lang, mark in expected.items():
        pages = pdf_text(pack / lang / SLUG / f"{SLUG}-{lang}.pdf").split("\f")[:-1]
        assert pages and all(mark in " ".join(page.split()) for page in pages), lang
        html = (pack / lang / SLUG / "index.html").read_text(encoding="utf-8")
        assert mark in html and '<meta name="robots" content="noindex, nofollow">' in html
    assert not (pack / "sitemap.xml").exists() and not (pack / "en" / "feed.xml").exists()
    # Every page of the pack, index pages included, is noindex and marked, and links to no feed.
    newsroom_marks = {"en": expected["en"], "nl": expected["nl"], "ro": expected["ro"]}
    for page in sorted(pack.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex, nofollow">' in html, page
        assert "feed.xml" not in html, page
    for lang, mark in newsroom_marks.items():
        assert f'<p class="banner embargo" role="note">{mark}</p>' in (pack / lang / "index.html").read_text(
            encoding="utf-8"
        )
    chooser = (pack / "index.html").read_text(encoding="utf-8")
    assert "Embargoed: nothing in this pack may be published before the time given with each release." in chooser
    assert (pack / "robots.txt").read_text(encoding="utf-8").endswith("User-agent: *\nDisallow: /\n")
    # The public build at the same moment has no trace of it.
    assert cli(project, "build", "--now", "2024-05-16T12:00Z").code == 0
    assert not (project / "public" / "en" / SLUG).exists()
    refused = cli(project, "build", "--embargoed")
    assert refused.code == 2 and "never the public output" in refused.err


def test_new_scaffolds_a_form_that_builds_once_filled(project: Path, cli: Cli) -> None:
    from PIL import Image

    result = cli(project, "new", "2024-07-01-ministers-meet", "--title", 'Ministers: "we stand together"')
    assert result.code == 0, result.err
    path = project / "releases" / "2024-07-01-ministers-meet" / "release.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "Ministers: \\"we stand together\\""\ndate: 2024-07-01\n')
    for key in ("lang", "subtitle", "summary", "location", "embargo", "author", "image", "contacts", "notes", "tags"):
        assert f"\n# {key}:" in text, key
    assert cli(project, "build").code == 0
    # Filling in the whole form (uncommenting every field) gives a valid release.
    front, body = text.split("\n---\n", 1)
    filled = "\n".join(
        line[2:] if line.startswith("# ") and not line.startswith("# Every") else line for line in front.split("\n")
    )
    written = "\nThe ministers met in Bucharest on 1 July.\n\n## What they agreed\n\nA joint *statement*.\n"
    assert body != written
    path.write_text(filled + "\n---\n" + written, encoding="utf-8")
    Image.new("RGB", (40, 30)).save(path.parent / "photo.jpg")
    publish_all(cli, project)
    built = cli(project, "build", "--now", "2024-07-02T00:00Z")
    assert built.code == 0, built.err
    page = (project / "public" / "en" / "2024-07-01-ministers-meet" / "index.html").read_text(encoding="utf-8")
    assert "Ministers: “we stand together”" in page and "Notes to editors" in page
    again = cli(project, "new", "2024-07-01-ministers-meet", "--title", "Again")
    assert again.code == 1 and "never overwrites" in again.err


def test_serve_previews_and_rebuilds_on_change(project: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pressgen", "-C", str(project), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            found = re.search(
                r"serving the preview of the current sources \(not the public site\) on (http://127\.0\.0\.1:\d+/)",
                line,
            )
            url = found.group(1) if found else None
        assert url, "serve did not start"
        with urllib.request.urlopen(f"{url}en/{SLUG}/") as response:
            assert "Continuing NATO Cooperation" in response.read().decode("utf-8")
        release = project / "releases" / SLUG / "release.md"
        release.write_text(release.read_text(encoding="utf-8").replace("title: Continuing", "title: Still continuing"))
        deadline = time.monotonic() + 60
        page = ""
        while "Still continuing" not in page and time.monotonic() < deadline:
            time.sleep(0.3)
            with urllib.request.urlopen(f"{url}en/{SLUG}/") as response:
                page = response.read().decode("utf-8")
        assert "Still continuing NATO Cooperation" in page
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_embargoed_pack_summary_names_real_reasons_or_nothing(project: Path, cli: Cli) -> None:
    add_release(project, "2024-06-10-secret", "A secret statement", "embargo: 2024-06-10T09:00+02:00\n")
    publish_all(cli, project, now="2024-06-08T12:00:00+00:00")
    result = cli(project, "build", "--embargoed", "--out", str(project / "pack"), "--now", "2024-06-09T12:00Z")
    assert result.code == 0, result.err
    # The public release is simply not in the pack; the untranslated versions were never published.
    assert result.err == ""
    assert result.out.startswith("built the pack in ")
    assert ": 1 language version of 1 release; " in result.out
