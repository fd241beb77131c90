"""PDF: render a release's print HTML with WeasyPrint, reading only files inside the project."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from pressgen.config import DEFAULT_PDF_VARIANT
from pressgen.errors import PressgenError

# WeasyPrint warns about this once per font and document; pressgen says it once per build.
FONTTOOLS_WARNING = "Using fontTools instead of HarfBuzz-Subset"


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


class PdfWriter:
    """Render PDFs with one font configuration and one parsed stylesheet for all documents."""

    def __init__(self, templates_dir: Path, variant: str | None = DEFAULT_PDF_VARIANT):
        self.templates_dir = templates_dir
        self.variant = variant
        self.font_config = FontConfiguration()
        stylesheet = templates_dir / "pdf.css"
        self.stylesheets = []
        if stylesheet.is_file():
            self.stylesheets.append(
                CSS(filename=stylesheet, font_config=self.font_config, url_fetcher=SandboxFetcher([templates_dir]))
            )

    def write(self, html: str, release_dir: Path, dest: Path) -> list[str]:
        """Write the PDF of `html` (whose relative URLs point into `release_dir`) to `dest`.

        Returns WeasyPrint's warnings for this document.
        """
        fetcher = SandboxFetcher([release_dir, self.templates_dir])
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
            )
        except SandboxViolation as exc:
            raise PressgenError(str(exc), release_dir / "release.md") from None
        finally:
            logger.removeHandler(collect)
        return collect.messages
