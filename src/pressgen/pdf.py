"""PDF: render a release's print HTML with WeasyPrint, reading only files inside the project."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from fontTools.ttLib import TTFont

from pressgen.config import DEFAULT_PDF_VARIANT
from pressgen.errors import PressgenError
from pressgen.sharedlibs import found_by_ldconfig

with found_by_ldconfig():  # WeasyPrint loads its C libraries on import
    from weasyprint import CSS, HTML, Document
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

# WeasyPrint warns about this once per font and document; pressgen says it once per build.
FONTTOOLS_WARNING = "Using fontTools instead of HarfBuzz-Subset"
# Pictures are embedded at most at this resolution for the size they are printed at: a camera's
# 12-megapixel original (5 MB), printed 13 cm wide, goes in at 1500 pixels (a few hundred kB), so
# that a PDF stays small enough to attach to an e-mail; the original stays on the page for download.
PRINT_DPI = 300


class SandboxViolation(FatalURLFetchingError):
    """A document asked for a resource outside the allowed folders; rendering stops."""


class SandboxFetcher(URLFetcher):
    """Serve files inside the allowed folders, and small `data:` URLs; refuse everything else.

    Nothing is ever fetched from the network: `http:`, `https:`, `ftp:`, `file:` URLs outside the
    folders (symlinks are resolved first) and `data:` URLs over `DATA_LIMIT` stop the rendering.
    """

    DATA_LIMIT = 256 * 1024

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols=("file", "data"))
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        parts = urlsplit(url)
        if parts.scheme == "data":
            if len(url) > self.DATA_LIMIT:
                raise SandboxViolation(f"refused a data: URL of {len(url) // 1024} KB (the limit is 256 KB)")
            return super().fetch(url, headers)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise SandboxViolation(f"refused to fetch '{url}': only files inside the project are read")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise SandboxViolation(f"refused to read '{path}': it is outside the release folder and templates/")
        return super().fetch(url, headers)


class _Collect(logging.Handler):
    """Collect what WeasyPrint logs while one document renders (bad CSS, missing glyphs)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(FONTTOOLS_WARNING):
            self.messages.append(message)


def bundled_families(fonts_dir: Path) -> frozenset[str]:
    """Return the family names of the fonts shipped in `fonts_dir` (templates/fonts/)."""
    families = set()
    for path in sorted(fonts_dir.glob("*")) if fonts_dir.is_dir() else []:
        if path.suffix.lower() in (".ttf", ".otf"):
            with TTFont(path, lazy=True) as font:
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

    def __init__(self, templates_dir: Path, variant: str | None = DEFAULT_PDF_VARIANT):
        self.templates_dir = templates_dir
        self.variant = variant
        self.font_config = FontConfiguration()
        self.bundled = bundled_families(templates_dir / "fonts")
        stylesheet = templates_dir / "pdf.css"
        self.stylesheets = []
        if stylesheet.is_file():
            self.stylesheets.append(
                CSS(filename=stylesheet, font_config=self.font_config, url_fetcher=SandboxFetcher([templates_dir]))
            )

    def write(self, html: str, release_dir: Path, dest: Path) -> list[str]:
        """Write the PDF of `html` (whose relative URLs point into `release_dir`) to `dest`.

        Returns WeasyPrint's warnings for this document, and the characters drawn with fonts
        that are not bundled.
        """
        fetcher = SandboxFetcher([release_dir, self.templates_dir])
        fallback = _FallbackFonts(self.bundled)
        collect = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collect)
        try:
            document = HTML(string=html, base_url=str(release_dir) + "/", url_fetcher=fetcher)
            dest.parent.mkdir(parents=True, exist_ok=True)
            document.write_pdf(
                dest,
                stylesheets=self.stylesheets,
                font_config=self.font_config,
                pdf_variant=self.variant,
                pdf_tags=True,
                custom_metadata=True,
                dpi=PRINT_DPI,
                finisher=fallback,
            )
        except SandboxViolation as exc:
            raise PressgenError(str(exc), release_dir / "release.md") from None
        finally:
            logger.removeHandler(collect)
        return collect.messages + fallback.warnings
