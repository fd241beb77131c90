"""What journalists get: quotable PDFs, pictures that fit, links on paper, light pages, feeds.

Most tests read `journalist_site`: the bundled project plus the fixture release of
`tests/data/journalist-release` (a table, a list, quotes, a link, long compound words and a
4000×1000 picture with caption and credit in its body), in English, Dutch and Romanian.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pdfplumber
import pytest
from pdfminer.high_level import extract_text as pdfminer_text
from PIL.Image import Image as PILImage
from playwright.sync_api import Browser, Response
from pypdf import PdfReader

from conftest import JOURNALIST_SLUG, SLUG, Cli, add_journalist_release
from helpers import parse_links, pdf_text, po_messages, serving
from test_site_quality import VNU_JAR, chromium_browser, open_page

LANGS = ("en", "nl", "ro")
TOOLS = ("pdftotext", "pypdf", "pdfminer")
BASE = "https://newsroom.example.org/cyber-defence-pledge-2024/"
MM = 72 / 25.4
PHOTO = {"en": "Photo: ", "nl": "Foto: ", "ro": "Foto: "}
# Messages that the PDF does not show: the summary (newsroom, feeds, metadata) and alt texts.
NOT_PRINTED = ("summary", "image: alternative text")
PICTURE = re.compile(r'^!\[[^\]]*\]\(\S+ "([^"]*)"\)\s*\*([^*]+)\*$')
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
SENTENCE_END = re.compile(r"(?<=[.!?”])\s+(?=[„“\"A-ZĂÂÎȘȚ])")


def pdf_path(public: Path, lang: str, slug: str) -> Path:
    return public / lang / slug / f"{slug}-{lang}.pdf"


def extract(pdf: Path, tool: str) -> str:
    """Return the text of `pdf` as `tool` reads it, whitespace-normalised."""
    if tool == "pdftotext":
        text = pdf_text(pdf)
    elif tool == "pypdf":
        text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    else:
        text = pdfminer_text(str(pdf))
    return " ".join(text.split())


def printed_sentences(project: Path, lang: str, slug: str) -> list[str]:
    """Return the sentences of a release as its PDF prints them, from its catalog.

    A link prints its address after its text; a picture prints its caption and its credit.
    """
    catalog = po_messages(project / "locales" / ("nl" if lang == "en" else lang) / "releases" / f"{slug}.po")
    sentences: list[str] = []
    for message in catalog:
        if any(c.startswith(NOT_PRINTED) for c in message.auto_comments):
            continue
        text = " ".join((message.id if lang == "en" else message.string).split())
        picture = PICTURE.match(text)
        if picture:
            sentences += [picture.group(1), PHOTO[lang] + picture.group(2)]
            continue
        text = LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text).replace("*", "")
        sentences += [s for s in SENTENCE_END.split(text) if s]
    return sentences


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_sentence_of_every_release_is_extracted_whole(journalist_site: Path, lang: str, tool: str) -> None:
    """pdftotext, pypdf and pdfminer.six return each sentence unbroken: no hyphen, no glued word."""
    broken = []
    for slug in (SLUG, JOURNALIST_SLUG):
        text = extract(pdf_path(journalist_site, lang, slug), tool)
        sentences = printed_sentences(journalist_site.parent, lang, slug)
        assert len(sentences) > 15
        broken += [f"{slug}: {s}" for s in sentences if s not in text]
    assert not broken, f"{tool} breaks these {lang} sentences:\n" + "\n".join(broken)


def test_pdf_links_are_annotations_and_print_their_address(journalist_site: Path) -> None:
    pdf = pdf_path(journalist_site, "en", JOURNALIST_SLUG)
    uris = set()
    for page in PdfReader(pdf).pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation["/Subtype"] == "/Link" and "/A" in annotation:
                uris.add(str(annotation["/A"]["/URI"]))
    assert uris == {"https://www.example.org/agreement", "mailto:press@example.org", "tel:+31701234567"}
    text = " ".join(pdf_text(pdf).split())
    assert "published on the conference website (https://www.example.org/agreement)." in text
    assert "press@example.org +31 70 123 4567" in text  # the contact's address and number, not repeated
    ro = " ".join(pdf_text(pdf_path(journalist_site, "ro", JOURNALIST_SLUG)).split())
    assert "publicat pe site-ul conferinței (https://www.example.org/agreement)." in ro


def test_contacts_are_mailto_and_tel_links_on_the_page(journalist_site: Path) -> None:
    anchors = parse_links(journalist_site / "nl" / JOURNALIST_SLUG / "index.html").anchors
    hrefs = {a.get("href") for a in anchors}
    assert {"mailto:press@example.org", "tel:+31701234567"} <= hrefs


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_picture_lies_inside_the_text_column(journalist_site: Path, lang: str) -> None:
    """The 4000 pixels wide picture is scaled into the content box of the A4 page, at print resolution."""
    with pdfplumber.open(pdf_path(journalist_site, lang, JOURNALIST_SLUG)) as document:
        pictures = [(page, image) for page in document.pages for image in page.images]
        assert len(pictures) == 1
        page, picture = pictures[0]
        left, right = 24 * MM, page.width - 22 * MM  # the margins of templates/pdf.css
        assert left - 0.5 <= picture["x0"] < picture["x1"] <= right + 0.5, (picture["x0"], picture["x1"], right)
        assert picture["x1"] - picture["x0"] > 0.95 * (right - left)  # as wide as the column, not more
        # Not the 4000-pixel original: 300 dpi for the width it is printed at (the page keeps the original).
        width, height = picture["srcsize"]
        assert abs(width - (picture["x1"] - picture["x0"]) / 72 * 300) <= 2 and abs(height - width / 4) <= 1


@pytest.mark.parametrize(
    ("lang", "credit", "caption", "size"),
    [
        (
            "en",
            "Photo: Ministry of Defence of the Netherlands",
            "The ministers of defence open",
            "PNG, 4,000 × 1,000 pixels",
        ),
        (
            "nl",
            "Foto: Ministerie van Defensie van Nederland",
            "De ministers van Defensie openen",
            "PNG, 4.000 × 1.000 pixels",
        ),
        (
            "ro",
            "Foto: Ministerul Apărării al Țărilor de Jos",
            "Miniștrii apărării deschid",
            "PNG, 4.000 × 1.000 pixeli",
        ),
    ],
)
def test_body_picture_has_caption_credit_and_its_original_for_download(
    journalist_site: Path, lang: str, credit: str, caption: str, size: str
) -> None:
    folder = journalist_site / lang / JOURNALIST_SLUG
    html = (folder / "index.html").read_text(encoding="utf-8")
    figure = html[html.index("<figure>") : html.index("</figure>")]
    assert f'<span class="credit">{credit}</span>' in figure
    assert re.search(f'<span class="caption">{caption}[^<]*</span>', figure)
    assert 'srcset="stage.png.480w.webp 480w, stage.png.800w.webp 800w, stage.png.1280w.webp 1280w' in figure
    assert 'width="4000" height="1000"' in figure
    downloads = html[html.index('<section class="images"') :]
    assert re.search(r'<a href="stage.png" download>[^<]+</a>', downloads)
    assert re.search(rf"\({size}, \d+\u00a0kB\)", downloads), downloads[:600]
    assert f'<span class="credit">{credit}</span>' in downloads
    assert (folder / "stage.png").stat().st_size > 50_000  # the original file itself
    pdf = " ".join(pdf_text(folder / f"{JOURNALIST_SLUG}-{lang}.pdf").split())
    assert credit in pdf


@pytest.fixture(scope="module")
def served(journalist_site: Path) -> Iterator[str]:
    with serving(journalist_site) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with chromium_browser() as browser:
        yield browser


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("lang", LANGS)
def test_picture_fits_the_screen_and_the_page_stays_light(
    served: str, chromium: Browser, width: int, lang: str
) -> None:
    """No sideways scrolling, the picture inside the text column, under 300 KB loaded (PDF excluded)."""
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    loaded: dict[str, int] = {}

    def on_response(response: Response) -> None:
        if response.url.startswith(served) and response.status == 200:
            loaded[response.url] = len(response.body())

    page.on("response", on_response)
    try:
        page.goto(f"{served}{lang}/{JOURNALIST_SLUG}/", wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # loads the lazy picture
        page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll_width <= inner_width, f"the page scrolls sideways at {width} px: {scroll_width} px wide"
        picture, column = page.evaluate(
            """() => {
                const img = document.querySelector('.body figure img').getBoundingClientRect();
                const main = document.querySelector('main');
                const box = main.getBoundingClientRect();
                const style = getComputedStyle(main);
                return [[img.left, img.right],
                        [box.left + parseFloat(style.paddingLeft), box.right - parseFloat(style.paddingRight)]];
            }"""
        )
        assert column[0] - 0.5 <= picture[0] < picture[1] <= column[1] + 0.5, (picture, column)
        shown = page.evaluate("document.querySelector('.body figure img').currentSrc")
        assert shown.endswith(".webp"), shown  # a light copy, never the 4000 pixels original
        weight = sum(size for url, size in loaded.items() if not url.endswith(".pdf"))
        assert weight < 300_000, f"{weight} bytes loaded: {sorted(loaded.items(), key=lambda i: -i[1])}"
    finally:
        context.close()


def test_feeds_have_enclosures_categories_and_absolute_urls(journalist_site: Path) -> None:
    for lang in LANGS:
        feed = feedparser.parse((journalist_site / lang / "feed.xml").read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        assert len(feed.entries) == 2
        for entry in feed.entries:
            (enclosure,) = entry.enclosures
            assert enclosure.type == "application/pdf"
            pdf = journalist_site / enclosure.href.removeprefix(BASE)
            assert enclosure.href.startswith(BASE) and int(enclosure.length) == pdf.stat().st_size
            content = entry.content[0].value
            urls = re.findall(r'(?:src|href)="([^"]*)"', content)
            assert all(url.startswith(("https://", "http://", "mailto:")) for url in urls), urls
        fixture = next(e for e in feed.entries if JOURNALIST_SLUG in e.link)
        assert [tag.term for tag in fixture.tags] == ["NATO", "cyber defence", "incident reporting"]
        assert f'src="{BASE}{lang}/{JOURNALIST_SLUG}/stage.png.800w.webp"' in fixture.content[0].value
        assert PHOTO[lang] in fixture.content[0].value


def test_every_page_announces_its_feed_and_describes_itself(journalist_site: Path) -> None:
    for page in sorted(journalist_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        name = page.relative_to(journalist_site).as_posix()
        assert re.search(r'<link rel="alternate" type="application/atom\+xml" href="[^"]*feed\.xml"', html), name
        assert re.search(r'<meta name="description" content="[^"]{20,}">', html), name
        for tag in ("og:title", "og:description", "og:url", "og:site_name", "og:locale"):
            assert f'<meta property="{tag}" content="' in html, f"{name}: no {tag}"
        assert '<link rel="icon" href="' in html, name
    newsroom = (journalist_site / "ro" / "index.html").read_text(encoding="utf-8")
    assert '<a href="feed.xml" type="application/atom+xml">Flux de știri (Atom)</a>' in newsroom
    release = (journalist_site / "en" / JOURNALIST_SLUG / "index.html").read_text(encoding="utf-8")
    assert f'<meta property="og:image" content="{BASE}en/{JOURNALIST_SLUG}/stage.png">' in release
    assert f'"image": "{BASE}en/{JOURNALIST_SLUG}/stage.png"' in release  # JSON-LD: the body's picture
    robots = (journalist_site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()


def test_web_fonts_are_latin_woff2_subsets(journalist_site: Path) -> None:
    from fontTools.ttLib import TTFont

    stylesheet = (journalist_site / "static" / "style.css").read_text(encoding="utf-8")
    named = re.findall(r'url\("fonts/([^"]+)"\) format\("woff2"\); font-display: swap;', stylesheet)
    assert len(named) == stylesheet.count("@font-face") == 5
    for name in named:
        path = journalist_site / "static" / "fonts" / name
        assert path.stat().st_size < 40_000, name
        font = TTFont(path)
        assert font.flavor == "woff2"
        cmap = font.getBestCmap()
        assert all(ord(c) in cmap for c in "ăâîșțȘȚëïéè„”“’–€"), name
        assert 0x0416 not in cmap and 0x03A9 not in cmap, name  # no Cyrillic, no Greek
    assert not list((journalist_site / "static" / "fonts").glob("*.ttf"))
    page = (journalist_site / "en" / "index.html").read_text(encoding="utf-8")
    assert (
        '<link rel="preload" href="../static/fonts/NotoSerif-Regular.woff2" as="font" type="font/woff2" crossorigin>'
        in page
    )


def rgba(image: PILImage, x: int, y: int) -> tuple[int, int, int, int]:
    """Return the red, green, blue and alpha values of one pixel of an RGBA picture."""
    pixel = image.convert("RGBA").getpixel((x, y))
    assert isinstance(pixel, tuple) and len(pixel) == 4
    return pixel[0], pixel[1], pixel[2], pixel[3]


def test_favicon_comes_from_the_logo_or_a_neutral_default(project: Path, cli: Cli, built: Path) -> None:
    from PIL import Image

    with Image.open(built / "static" / "favicon.png") as default:
        assert default.size == (64, 64)
        assert rgba(default, 3, 32)[:3] == (0, 58, 112)  # the accent colour of the default
    Image.new("RGB", (120, 60), (200, 30, 30)).save(project / "templates" / "logo.png")
    config = project / "pressgen.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("[organisation]\n", '[organisation]\nlogo = "logo.png"\n')
    )
    assert cli(project, "build").code == 0
    with Image.open(project / "public" / "static" / "favicon.png") as icon:
        assert icon.size == (64, 64)
        assert rgba(icon, 32, 32)[:3] == (200, 30, 30)  # the logo, centred
        assert rgba(icon, 32, 2)[3] == 0  # a wide logo leaves the square's top transparent
    page = (project / "public" / "en" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="../static/favicon.png" type="image/png" sizes="64x64">' in page
    assert f'<meta property="og:image" content="{BASE}static/logo.png">' in page


def test_release_catalog_explains_how_to_translate_a_picture(project: Path, cli: Cli) -> None:
    add_journalist_release(project)
    assert cli(project, "update").code == 0
    catalog = project / "locales" / "ro" / "releases" / f"{JOURNALIST_SLUG}.po"
    text = catalog.read_text(encoding="utf-8")
    assert '#. body: picture: ![alternative text](file "caption") then *credit*\n#: releases/' in text
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(catalog)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert cli(project, "check").out.strip() == "0 errors, 0 warnings"


@pytest.mark.browser
def test_pages_with_pictures_are_valid_and_accessible(journalist_site: Path, served: str, chromium: Browser) -> None:
    """The Nu HTML Checker and axe-core are content with figures, downloads and feed links too."""
    pages = [str(p) for p in sorted(journalist_site.rglob("*.html"))]
    vnu = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", *pages], capture_output=True, text=True, timeout=120
    )
    assert vnu.returncode == 0, vnu.stderr
    context = chromium.new_context()
    try:
        for lang in LANGS:
            page = context.new_page()
            report = open_page(page, f"{lang}/{JOURNALIST_SLUG}/index.html", served)
            serious = [v["id"] for v in report.violations if v.get("impact") in ("serious", "critical")]
            assert not serious and not report.console_errors and not report.failed_requests, report
            page.close()
    finally:
        context.close()
