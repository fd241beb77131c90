"""The build: the seed release published in English, Dutch and Romanian as pages and PDFs."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import SLUG, Cli, publish_all, tree_digest
from helpers import parse_links, pdf_text, unhyphenate

LANGS = ("en", "nl", "ro")


def pdf_path(public: Path, lang: str) -> Path:
    return public / lang / SLUG / f"{SLUG}-{lang}.pdf"


def test_output_layout_matches_the_spec(built: Path) -> None:
    assert (built / "index.html").is_file()
    assert (built / "sitemap.xml").is_file()
    assert (built / "static" / "style.css").is_file()
    assert (built / "static" / "fonts" / "OFL.txt").is_file()
    for lang in LANGS:
        assert (built / lang / "index.html").is_file()
        assert (built / lang / "feed.xml").is_file()
        assert (built / lang / SLUG / "index.html").is_file()
        assert pdf_path(built, lang).is_file()


def test_romanian_pdf_is_romanian_with_comma_below_letters(built: Path) -> None:
    text = unhyphenate(pdf_text(pdf_path(built, "ro")))
    assert "Luminița Odobescu" in text
    assert re.search("[șțȘȚ]", text)
    assert not re.search("[şţŞŢ]", text), "cedilla letters in Romanian"
    assert "Continuarea cooperării în cadrul NATO și consolidarea apărării cibernetice" in text
    assert "Haga, 17 mai 2024" in text
    assert "„Securitatea cibernetică este un domeniu dinamic" in text
    assert "Pagina 1 din 2" in text
    assert "Sfârșitul comunicatului" in text
    assert "Autor: Roxana Stanica" in text


def test_no_english_paragraph_in_translated_pdfs(built: Path, project: Path) -> None:
    from pressgen.config import load_config
    from pressgen.releases import read_release
    from pressgen.segment import extract_messages

    release = read_release(project / "releases" / SLUG / "release.md", load_config(project))
    english = [m.text for m in extract_messages(release) if len(m.text) > 30]
    assert english
    for lang in ("nl", "ro"):
        text = unhyphenate(pdf_text(pdf_path(built, lang)))
        for paragraph in english:
            # The first words of each English block must not appear in the translation.
            assert " ".join(paragraph.split()[:6]) not in text, f"English left in {lang}: {paragraph[:60]}"


def test_dutch_pdf_reads_as_dutch(built: Path) -> None:
    text = unhyphenate(pdf_text(pdf_path(built, "nl")))
    assert "Voortzetting van de NAVO-samenwerking en versterking van de cyberverdediging" in text
    assert "Den Haag, 17 mei 2024" in text
    assert "de Nederlandse minister van Defensie, Kajsa Ollongren" in text
    assert "Eensgezind tegen cyberdreigingen" in text
    assert "Pagina 1 van 2" in text
    assert "Einde persbericht" in text
    assert "Door Roxana Stanica" in text


def test_english_pdf_has_dateline_title_body_end_mark_and_footer_in_order(built: Path) -> None:
    text = unhyphenate(pdf_text(pdf_path(built, "en")))
    order = [
        "NATO Cyber Defence Pledge Conference 2024",  # letterhead
        "PRESS RELEASE",  # text-transform: uppercase in the PDF
        "The Hague, 17 May 2024",
        "Continuing NATO Cooperation and Strengthening Cyber Defences",
        "The NATO Cyber Defence Pledge Conference 2024 in The Hague",
        "Page 1 of 2",
        "A Commitment to Collective Security",
        "By Roxana Stanica",
        "Ends",
        "Page 2 of 2",
    ]
    positions = [text.find(piece) for piece in order]
    assert all(p >= 0 for p in positions), list(zip(order, positions, strict=True))
    assert positions == sorted(positions)


@pytest.mark.parametrize("lang", LANGS)
def test_release_page_links_its_other_languages(built: Path, lang: str) -> None:
    page = built / lang / SLUG / "index.html"
    links = parse_links(page)
    assert links.html_lang == lang
    switch = {a["hreflang"]: a["href"] for a in links.anchors if a.get("hreflang")}
    for other in LANGS:
        if other != lang:
            assert switch[other] == f"../../{other}/{SLUG}/"
            assert (page.parent / switch[other] / "index.html").resolve().is_file()
    alternates = {
        link["hreflang"] for link in links.link_tags if link.get("rel") == "alternate" and link.get("hreflang")
    }
    assert alternates >= set(LANGS)
    pdf = [a["href"] for a in links.anchors if a.get("type") == "application/pdf"]
    assert pdf == [f"{SLUG}-{lang}.pdf"]


def test_pages_use_interface_translations_and_locale_dates(built: Path) -> None:
    nl = (built / "nl" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "Persbericht" in nl and "Den Haag, 17 mei 2024" in nl
    assert re.search(r'download>Download de pdf \(<span class="size">\d+\u00a0kB</span>\)</a>', nl)
    ro = (built / "ro" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "Comunicat de presă" in ro and "Haga, 17 mai 2024" in ro
    assert re.search(r'download>Descărcați PDF-ul \(<span class="size">\d+\u00a0kB</span>\)</a>', ro)
    en = (built / "en" / "index.html").read_text(encoding="utf-8")
    assert "17 May 2024" in en and f'href="{SLUG}/"' in en


def test_root_page_lets_a_visitor_choose_a_language(built: Path) -> None:
    links = parse_links(built / "index.html")
    choices = {a["hreflang"]: a["href"] for a in links.anchors if a.get("hreflang")}
    assert choices == {"en": "en/", "nl": "nl/", "ro": "ro/"}
    html = (built / "index.html").read_text(encoding="utf-8")
    assert "Persberichten" in html and "Comunicate de presă" in html


def test_a_fuzzy_message_keeps_a_language_unpublished_and_without_trace(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    shutil.rmtree(project / "published")  # as before the first publication
    catalog = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    text = catalog.read_text(encoding="utf-8")
    marked = re.sub(r"(\n#\. location \(dateline place\)\n#: [^\n]+\n)", r"\1#, fuzzy\n", text, count=1)
    assert marked != text
    catalog.write_text(marked, encoding="utf-8")

    published = publish_all(cli, project)
    assert f"not published: {SLUG} [nl]: 1 fuzzy message" in published.err
    result = cli(project, "build")
    assert result.code == 0
    public = project / "public"
    assert not (public / "nl" / SLUG).exists()
    everything = "\n".join(p.read_text(encoding="utf-8") for p in public.rglob("*") if p.suffix in (".html", ".xml"))
    assert f"nl/{SLUG}" not in everything
    assert 'hreflang="nl"' not in (public / "en" / SLUG / "index.html").read_text(encoding="utf-8")
    assert (public / "ro" / SLUG / "index.html").is_file()

    status = cli(project, "status")
    row = next(line for line in status.out.splitlines() if line.startswith(SLUG) and " nl " in line)
    assert row.split()[2:7] == ["14", "1", "0", "no", "no"]
    assert row.endswith("1 fuzzy message")


def test_image_field_is_shown_with_alt_caption_and_credit(project: Path, cli: Cli) -> None:
    from PIL import Image

    folder = project / "releases" / "2024-06-03-image-test"
    folder.mkdir()
    Image.new("RGB", (320, 200), (0, 58, 112)).save(folder / "photo.png")
    (folder / "release.md").write_text(
        "---\ntitle: Ministers meet in The Hague\ndate: 2024-06-03\n"
        "image:\n  src: photo.png\n  alt: Two ministers shake hands\n"
        "  caption: The ministers at the opening\n  credit: Press office\n---\n\nBody text.\n",
        encoding="utf-8",
    )
    publish_all(cli, project)
    result = cli(project, "build")
    assert result.code == 0, result.err
    page = project / "public" / "en" / "2024-06-03-image-test" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert '<img src="photo.png" width="320" height="200" alt="Two ministers shake hands">' in html
    # Caption and credit are elements of their own, the credit with its localised label.
    assert '<span class="caption">The ministers at the opening</span>' in html
    assert '<span class="credit">Photo: Press office</span>' in html
    assert (page.parent / "photo.png").read_bytes() == (folder / "photo.png").read_bytes()
    pdf = page.parent / "2024-06-03-image-test-en.pdf"
    assert "Photo: Press office" in pdf_text(pdf)
    # The new release has no translations yet: only English is published.
    assert not (project / "public" / "nl" / "2024-06-03-image-test").exists()


def test_sitemap_lists_every_page_with_alternates(built: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.parse(built / "sitemap.xml").getroot()
    urls = {u.findtext("s:loc", namespaces=ns): u for u in root.findall("s:url", ns)}
    base = "https://newsroom.example.org/cyber-defence-pledge-2024/"
    for lang in LANGS:
        entry = urls[f"{base}{lang}/{SLUG}/"]
        links = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", ns)}
        assert set(links) == {*LANGS, "x-default"}
        assert links["x-default"] == f"{base}en/{SLUG}/"  # the source language's version


def test_failed_build_leaves_previous_output_untouched(project: Path, cli: Cli) -> None:
    assert cli(project, "build").code == 0
    before = tree_digest(project / "public")
    (project / "templates" / "release.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ nope }}{% endblock %}"
    )
    result = cli(project, "build")
    assert result.code == 1
    assert "templates/release.html:1: error: template error: 'nope' is undefined" in result.err
    assert tree_digest(project / "public") == before


FIGURES_SLUG = "2024-05-18-incident-figures"
FIGURES_RELEASE = """---
title: Incident figures for 2024
subtitle: 2023–2024
date: 2024-05-18
location: The Hague
---

The figures below count the incidents of the past two years.

| Measure | 2023 | 2024 |
| --- | --- | --- |
| Incidents reported | 750 | 1,200 |
| Response teams | 20 | 24 |
| Change | — | +60 % |
"""
FIGURES_TRANSLATIONS = {
    "nl": {
        "Incident figures for 2024": "Cijfers over incidenten in 2024",
        "The Hague": "Den Haag",
        "The figures below count the incidents of the past two years.": (
            "De onderstaande cijfers tellen de incidenten van de afgelopen twee jaar."
        ),
        "Measure": "Maatregel",
        "Incidents reported": "Gemelde incidenten",
        "Response teams": "Responsteams",
        "Change": "Verandering",
    },
    "ro": {
        "Incident figures for 2024": "Cifrele incidentelor pentru 2024",
        "The Hague": "Haga",
        "The figures below count the incidents of the past two years.": (
            "Cifrele de mai jos numără incidentele din ultimii doi ani."
        ),
        "Measure": "Măsură",
        "Incidents reported": "Incidente raportate",
        "Response teams": "Echipe de intervenție",
        "Change": "Schimbare",
    },
}


def test_figures_in_a_table_are_no_messages_and_show_in_every_language(project: Path, cli: Cli) -> None:
    from pressgen.catalogs import read_catalog
    from pressgen.config import load_config
    from pressgen.files import write_atomic
    from pressgen.po import serialise

    folder = project / "releases" / FIGURES_SLUG
    folder.mkdir()
    (folder / "release.md").write_text(FIGURES_RELEASE, encoding="utf-8")
    assert cli(project, "update").code == 0
    config = load_config(project)
    for lang, translations in FIGURES_TRANSLATIONS.items():
        path = project / "locales" / lang / "releases" / f"{FIGURES_SLUG}.po"
        catalog = read_catalog(path, config.language(lang))
        # Only texts with words are messages: no translator copies "750", "2024" or "—".
        assert sorted(str(m.id) for m in catalog if m.id) == sorted(translations)
        for message in catalog:
            if message.id:
                message.string = translations[str(message.id)]
        write_atomic(path, serialise(catalog))
    check = cli(project, "check")
    assert check.code == 0, check.out + check.err

    publish_all(cli, project)
    result = cli(project, "build")
    assert result.code == 0, result.err
    for lang in LANGS:
        page = (project / "public" / lang / FIGURES_SLUG / "index.html").read_text(encoding="utf-8")
        assert "2023–2024" in page  # the subtitle, a field without letters
        for cell in ("750", "1,200", "20", "24", "—", "+60 %", "2023"):
            assert f"<td>{cell}</td>" in page or f"<th>{cell}</th>" in page, (lang, cell)
        pdf = pdf_text(project / "public" / lang / FIGURES_SLUG / f"{FIGURES_SLUG}-{lang}.pdf", layout=True)
        rows = [" ".join(line.split()) for line in pdf.splitlines()]
        reported = FIGURES_TRANSLATIONS.get(lang, {}).get("Incidents reported", "Incidents reported")
        assert f"{reported} 750 1,200" in rows, (lang, rows)
        assert any(row.endswith("— +60 %") for row in rows), (lang, rows)
