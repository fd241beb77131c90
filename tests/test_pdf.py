"""The PDFs themselves: structure for screen readers, metadata, fonts, text, reproducibility."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject, Destination, DictionaryObject

from conftest import JOURNALIST_SLUG, REPO, SLUG, Cli, add_journalist_release, copy_project, publish_all, tree_digest
from helpers import pdf_fonts, pdf_text, po_messages, unhyphenate

LANGS = ("en", "nl", "ro")
TITLES = {
    "en": "Continuing NATO Cooperation and Strengthening Cyber Defences",
    "nl": "Voortzetting van de NAVO-samenwerking en versterking van de cyberverdediging",
    "ro": "Continuarea cooperării în cadrul NATO și consolidarea apărării cibernetice",
}


def pdf_path(public: Path, lang: str, slug: str = SLUG) -> Path:
    return public / lang / slug / f"{slug}-{lang}.pdf"


def outline_titles(outline: Iterable[object]) -> list[str]:
    titles: list[str] = []
    for item in outline:
        if isinstance(item, list):
            titles += outline_titles(item)
        elif isinstance(item, Destination):
            titles.append(str(item.title))
    return titles


def dictionary(node: DictionaryObject, key: str) -> DictionaryObject:
    """Return the dictionary at `key` of a PDF dictionary, following a reference."""
    value = node[key].get_object()
    assert isinstance(value, DictionaryObject), (key, value)
    return value


def is_true(value: object) -> bool:
    return isinstance(value, BooleanObject) and value.value is True


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_is_tagged_with_language_title_and_bookmarks(built: Path, lang: str) -> None:
    reader = PdfReader(pdf_path(built, lang))
    root = reader.root_object
    assert is_true(dictionary(root, "/MarkInfo")["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == lang
    assert is_true(dictionary(root, "/ViewerPreferences")["/DisplayDocTitle"])
    metadata = reader.metadata
    assert metadata is not None
    assert metadata.title == TITLES[lang]
    assert (metadata.author or "").startswith(("NATO", "NAVO", "Conferința"))
    assert metadata.subject  # the summary
    titles = outline_titles(reader.outline)
    assert titles[0] == TITLES[lang]
    assert len(titles) == 3  # the title and the two section headings


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_fonts_are_embedded_subset_and_shipped(built: Path, lang: str) -> None:
    fonts = pdf_fonts(pdf_path(built, lang))
    assert {f["emb"] for f in fonts} == {"yes"}
    assert {f["sub"] for f in fonts} == {"yes"}
    assert all(re.match(r"^[A-Z]{6}\+Noto-(Serif|Sans)", f["name"]) for f in fonts), fonts


@pytest.mark.parametrize("lang", LANGS)
def test_qpdf_finds_no_error(built: Path, lang: str) -> None:
    result = subprocess.run(["qpdf", "--check", str(pdf_path(built, lang))], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


@pytest.mark.parametrize("lang", ("nl", "ro"))
def test_every_translated_paragraph_is_in_the_pdf(built: Path, lang: str) -> None:
    text = unhyphenate(pdf_text(pdf_path(built, lang)))
    for message in po_messages(REPO / "locales" / lang / "releases" / f"{SLUG}.po"):
        if any(c.startswith("body") for c in message.auto_comments):
            assert " ".join(message.string.split()) in text, message.string[:60]


def test_no_line_ends_in_a_hyphen_the_layout_inserted(built: Path) -> None:
    for lang in LANGS:
        layout = pdf_text(pdf_path(built, lang), layout=True)
        assert not re.search("\\w[\u2010\u00ad-]\n", layout), f"a word broken across lines in the {lang} PDF"


def test_two_builds_are_byte_identical(project: Path, cli: Cli) -> None:
    assert cli(project, "build", "--out", str(project / "one")).code == 0
    shutil.rmtree(project / ".pressgen-cache")  # render again, do not copy from the cache
    second = cli(project, "build", "--out", str(project / "two"))
    assert "(3 rendered, 0 unchanged)" in second.out

    one, two = tree_digest(project / "one"), tree_digest(project / "two")
    assert one == two
    assert sum(1 for name in one if name.endswith(".pdf")) == 3


def test_the_same_sources_give_the_same_bytes_in_any_folder(tmp_path: Path, cli: Cli) -> None:
    """Two checkouts of one project in folders of other names and depths build the same site, file for
    file: PDFs with a picture and a logo (WeasyPrint names each by a digest of its URL), pages, WebP
    copies, feeds; the public site from the record and the preview from the sources."""
    from PIL import Image

    folders = [tmp_path / "a", tmp_path / "checkouts" / "second copy" / "pressgen"]
    for folder in folders:
        add_journalist_release(copy_project(folder))
        Image.new("RGB", (120, 60), (0, 58, 112)).save(folder / "templates" / "logo.png")
        config = folder / "pressgen.toml"
        config.write_text(
            config.read_text(encoding="utf-8").replace("[organisation]\n", '[organisation]\nlogo = "logo.png"\n')
        )
        publish_all(cli, folder)
        for build in (["build"], ["build", "--drafts"]):
            result = cli(folder, *build)
            assert result.code == 0, result.err
            assert "6 PDFs (6 rendered, 0 unchanged)" in result.out
    for output in ("public", "preview"):
        first, second = (tree_digest(folder / output) for folder in folders)
        assert first == second
        assert sum(1 for name in first if name.endswith(".pdf")) == 6
        assert sum(1 for name in first if name.endswith(".webp")) > 0
    picture = pdf_path(folders[0] / "public", "nl", JOURNALIST_SLUG)
    assert list(PdfReader(picture).pages[0].images)


def test_drafts_are_marked_on_every_page_in_their_language(project: Path, cli: Cli) -> None:
    catalog = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace('msgstr "Den Haag"', 'msgstr ""'), encoding="utf-8")
    result = cli(project, "build", "--drafts")
    assert result.code == 0, result.err
    assert f"draft: {SLUG} [nl]: 1 untranslated message" in result.err
    pdf = pdf_path(project / "preview", "nl")
    pages = pdf_text(pdf).split("\f")[:-1]
    assert len(pages) >= 2
    assert all("Concept, niet gecontroleerd" in page for page in pages)
    html = (project / "preview" / "nl" / SLUG / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "Concept: deze vertaling is nog niet gecontroleerd" in html


def test_missing_glyph_is_a_warning_and_fails_a_strict_build(project: Path, cli: Cli) -> None:
    folder = project / "releases" / "2024-06-05-glyph-test"
    folder.mkdir()
    (folder / "release.md").write_text(
        "---\ntitle: A glyph test\ndate: 2024-06-05\n---\n\nA private character: \ue000.\n", encoding="utf-8"
    )
    publish_all(cli, project)
    lenient = cli(project, "build")
    assert lenient.code == 0
    assert ".notdef glyph rendered for Unicode string unsupported by fonts" in lenient.err
    assert "releases/2024-06-05-glyph-test/release.md: warning: 2024-06-05-glyph-test-en.pdf:" in lenient.err
    strict = cli(project, "build", "--strict")
    assert strict.code == 1
    assert "error: 2024-06-05-glyph-test-en.pdf: .notdef glyph rendered" in strict.err
    assert "(U+E000) (--strict)" in strict.err


def test_image_alt_text_reaches_the_structure_tree(project: Path, cli: Cli) -> None:
    from PIL import Image

    folder = project / "releases" / "2024-06-06-photo"
    folder.mkdir()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(folder / "photo.png")
    (folder / "release.md").write_text(
        "---\ntitle: A photo\ndate: 2024-06-06\nimage:\n  src: photo.png\n  alt: Ministers on a stage\n---\n\nText.\n",
        encoding="utf-8",
    )
    publish_all(cli, project)
    assert cli(project, "build").code == 0
    raw = pdf_path(project / "public", "en", "2024-06-06-photo").read_bytes()
    reader = PdfReader(pdf_path(project / "public", "en", "2024-06-06-photo"))
    alts: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/Alt" in node:
                alts.append(str(node["/Alt"]))
            kids = node.get("/K")
            if kids is not None:
                walk(kids)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(dictionary(reader.root_object, "/StructTreeRoot"))
    assert "Ministers on a stage" in alts, (alts, len(raw))


def test_letterhead_shows_the_configured_logo(project: Path, cli: Cli) -> None:
    from PIL import Image

    Image.new("RGB", (120, 60), (0, 58, 112)).save(project / "templates" / "logo.png")
    config = project / "pressgen.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("[organisation]\n", '[organisation]\nlogo = "logo.png"\n')
    )
    result = cli(project, "build")
    assert result.code == 0, result.err
    reader = PdfReader(pdf_path(project / "public", "en"))
    assert list(reader.pages[0].images)
    assert (project / "public" / "static" / "logo.png").is_file()
    assert 'src="../../static/logo.png"' in (project / "public" / "en" / SLUG / "index.html").read_text(
        encoding="utf-8"
    )


def test_a_character_drawn_from_a_system_font_is_a_warning_and_fails_a_strict_build(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    folder = project / "releases" / "2024-06-05-check-mark"
    folder.mkdir()
    (folder / "release.md").write_text(
        "---\ntitle: A check mark\ndate: 2024-06-05\n---\n\nEvery item is done ✓.\n", encoding="utf-8"
    )
    publish_all(cli, project)
    lenient = cli(project, "build")
    assert lenient.code == 0, lenient.err
    path, pdf = "releases/2024-06-05-check-mark/release.md", "2024-06-05-check-mark-en.pdf"
    found = re.search(
        rf"^{path}: warning: {pdf}: '✓' \(U\+2713\) not in the bundled fonts \(templates/fonts/\): "
        r"drawn with (.+), a font of this machine, not of the project$",
        lenient.err,
        re.M,
    )
    assert found, lenient.err
    # The font named is the one embedded beside the bundled ones (pdffonts writes spaces as '-').
    embedded = {f["name"].split("+", 1)[1] for f in pdf_fonts(project / "public" / "en" / folder.name / pdf)}
    assert embedded == {"Noto-Serif", "Noto-Sans", "Noto-Sans-Bold", found.group(1).replace(" ", "-")}
    strict = cli(project, "build", "--strict")
    assert strict.code == 1
    assert f"{path}: error: {pdf}: '✓' (U+2713) not in the bundled fonts" in strict.err
    assert strict.err.rstrip().endswith("a font of this machine, not of the project (--strict)")


def camera_photo(path: Path) -> None:
    """Write a 12-megapixel JPEG with a camera's detail (noise compresses badly): 8 MB, as a press photo is."""
    from PIL import Image

    noise = Image.effect_noise((4000, 3000), 64)
    Image.merge(
        "RGB",
        (noise, Image.linear_gradient("L").resize((4000, 3000)), noise.transpose(Image.Transpose.FLIP_TOP_BOTTOM)),
    ).save(path, quality=92)


def test_a_camera_photo_is_embedded_at_print_resolution_and_stays_downloadable(project: Path, cli: Cli) -> None:
    """A 12-megapixel photo gives a PDF under 1 MB (300 dpi for its printed size); the page keeps the original."""
    slug = "2024-06-06-photo"
    folder = project / "releases" / slug
    folder.mkdir()
    camera_photo(folder / "photo.jpg")
    (folder / "release.md").write_text(
        "---\ntitle: A photo\ndate: 2024-06-06\nimage:\n  src: photo.jpg\n  alt: Ministers on a stage\n---\n\nText.\n",
        encoding="utf-8",
    )
    assert (folder / "photo.jpg").stat().st_size > 5_000_000
    publish_all(cli, project)
    assert cli(project, "build").code == 0
    pdf = pdf_path(project / "public", "en", slug)
    assert pdf.stat().st_size < 1_000_000
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    fields = listing.splitlines()[
        2
    ].split()  # page num type width height color comp bpc enc interp object ID x-ppi y-ppi …
    width, height, x_ppi, y_ppi = int(fields[3]), int(fields[4]), int(fields[12]), int(fields[13])
    # The picture fills the column's height limit (95 mm for 4:3): 1122 pixels are 300 dpi there.
    assert (width, height) == (1496, 1122) and (x_ppi, y_ppi) == (300, 300), listing
    original = project / "public" / "en" / slug / "photo.jpg"
    assert original.read_bytes() == (folder / "photo.jpg").read_bytes()
    assert "photo.jpg" in (project / "public" / "en" / slug / "index.html").read_text(encoding="utf-8")
