"""PDF: render a release's print HTML with WeasyPrint, reading only the files it may read.

WeasyPrint sees the project at an address of its own (`urls.PROJECT`), not at its folder on the
disk: the PDF of the same sources is then the same bytes in any folder and on any machine
(WeasyPrint names each picture in the PDF by a digest of its URL), and a document can be rendered
where the project is not, from the files it was sent (`sandbox.SentFiles`, on a Dask worker).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from pressgen import urls
from pressgen.config import DEFAULT_PDF_VARIANT
from pressgen.errors import PressgenError
from pressgen.sandbox import TEMPLATES, Files, Refused, readable_within

# WeasyPrint warns about this once per font and document; pressgen says it once per build.
FONTTOOLS_WARNING = "Using fontTools instead of HarfBuzz-Subset"
# Pictures are embedded at most at this resolution for the size they are printed at: a camera's
# 12-megapixel original (5 MB), printed 13 cm wide, goes in at 1500 pixels (a few hundred kB), so
# that a PDF stays small enough to attach to an e-mail; the original stays on the page for download.
PRINT_DPI = 300
STYLESHEET = "templates/pdf.css"
FONTS = "templates/fonts/"


class SandboxViolation(FatalURLFetchingError):
    """A document asked for a resource it may not read; rendering stops."""


class SandboxFetcher(URLFetcher):
    """Serve the files of templates/ and the document's pictures, and small `data:` URLs; refuse the rest.

    Nothing is ever fetched from the network or read from elsewhere on the disk: any other URL
    (`http:`, `file:`…), a file out of its folder (symbolic links are resolved first) and
    `data:` URLs over `DATA_LIMIT` stop the rendering.
    """

    DATA_LIMIT = 256 * 1024

    def __init__(self, files: Files, pictures: Iterable[str] = ()):
        super().__init__(allowed_protocols=("data",))
        self.files = files
        self.pictures = frozenset(pictures)

    def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        parts = urlsplit(url)
        if parts.scheme == "data":
            if len(url) > self.DATA_LIMIT:
                raise SandboxViolation(f"refused a data: URL of {len(url) // 1024} KB (the limit is 256 KB)")
            return super().fetch(url, headers)
        path = urls.project_path(url)
        if path is None:
            raise SandboxViolation(f"refused to fetch '{url}': only files inside the project are read")
        try:
            body = self.files.read(path, readable_within(path, self.pictures))
        except Refused as exc:
            raise SandboxViolation(str(exc)) from None
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": kind})


class _Collect(logging.Handler):
    """Collect what WeasyPrint logs while one document renders (bad CSS, missing glyphs)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(FONTTOOLS_WARNING):
            self.messages.append(message)


def bundled_families(files: Files) -> frozenset[str]:
    """Return the family names of the fonts shipped in templates/fonts/."""
    families = set()
    for path in files.templates():
        name = path.removeprefix(FONTS)
        if name != path and "/" not in name and name.lower().endswith((".ttf", ".otf")):
            with TTFont(BytesIO(files.read(path, TEMPLATES)), lazy=True) as font:
                families.add(font["name"].getBestFamilyName())
    return frozenset(families)


class _FallbackFonts:
    """After a document is drawn, find the characters drawn with a font that is not bundled.

    pdf.css names only the bundled fonts, but a character none of them has is drawn with
    whatever font of the machine has it (fontconfig's fallback): the PDF then depends on the
    machine that built it, and may show a glyph in another style. Characters no font has at all
    are WeasyPrint's own `.notdef` warning.
    """

    def __init__(self, bundled: frozenset[str]):
        self.bundled = bundled
        self.warnings: list[str] = []

    def __call__(self, document: Document, pdf: object) -> None:
        drawn: dict[str, set[str]] = {}
        for font in document.fonts.values():
            if font.family not in self.bundled:
                # Glyph 0 is .notdef: the character is in no font (WeasyPrint warns about it).
                drawn.setdefault(font.family, set()).update(
                    text for glyph, text in font.to_unicode.items() if glyph and text.strip()
                )
        for family, texts in sorted(drawn.items()):
            characters = sorted({ch for text in texts for ch in text})
            if characters:
                shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in characters)
                self.warnings.append(
                    f"{shown} not in the bundled fonts (templates/fonts/): drawn with {family}, "
                    "a font of this machine, not of the project"
                )


class PdfWriter:
    """Render PDFs with one font configuration and one parsed stylesheet for all documents."""

    def __init__(self, files: Files, variant: str | None = DEFAULT_PDF_VARIANT):
        self.files = files
        self.variant = variant
        self.font_config = FontConfiguration()
        self.bundled = bundled_families(files)
        self.stylesheets = []
        if STYLESHEET in files.templates():
            try:
                stylesheet = files.read(STYLESHEET, TEMPLATES)
            except Refused as exc:
                raise PressgenError(str(exc), STYLESHEET) from None
            self.stylesheets.append(
                CSS(
                    file_obj=BytesIO(stylesheet),
                    base_url=urls.project_url(STYLESHEET),
                    font_config=self.font_config,
                    url_fetcher=SandboxFetcher(files),
                )
            )

    def write(
        self, html: str, folder: str, pictures: Iterable[str], target: Path | BinaryIO, files: Files | None = None
    ) -> list[str]:
        """Write the PDF of print HTML `html` to `target` (a file, or a binary stream).

        `folder` is the folder its relative URLs point into and `pictures` the files it may read
        there (paths relative to the project); `files` are where they are read (by default, the
        writer's). Returns WeasyPrint's warnings for this document, and the characters drawn with
        fonts that are not bundled.
        """
        fetcher = SandboxFetcher(files or self.files, pictures)
        fallback = _FallbackFonts(self.bundled)
        collect = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collect)
        try:
            document = HTML(string=html, base_url=urls.project_url(folder + "/"), url_fetcher=fetcher)
            if isinstance(target, Path):
                target.parent.mkdir(parents=True, exist_ok=True)
            document.write_pdf(
                target,
                stylesheets=self.stylesheets,
                font_config=self.font_config,
                pdf_variant=self.variant,
                pdf_tags=True,
                custom_metadata=True,
                dpi=PRINT_DPI,
                finisher=fallback,
            )
        except SandboxViolation as exc:
            raise PressgenError(str(exc), Path(folder) / "release.md") from None
        finally:
            logger.removeHandler(collect)
        return collect.messages + fallback.warnings
