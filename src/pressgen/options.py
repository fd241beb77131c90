"""What a build is asked to do (`BuildOptions`) and what it tells (`BuildReport`).

Apart from `build.py`, which runs the stages, so that every stage (gather, site, serve, review,
mail) can take them without importing the build itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pressgen.config import DEFAULT_PDF_VARIANT
from pressgen.errors import Diagnostic
from pressgen.urls import SITEMAP_LIMIT

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked of one build."""

    out: Path | None = None
    now: dt.datetime | None = None
    # Render the current sources into the preview folder (unpublished releases, unapproved
    # translations, pending edits), every page marked as a preview; else the publication record.
    preview: bool = False
    embargoed: bool = False
    pdf_variant: str | None = DEFAULT_PDF_VARIANT
    strict: bool = False
    jobs: int | None = None  # worker processes for PDFs; default: the machine's cores
    executor: str | None = None  # where PDFs render ("local", "dask"); default: the configuration's
    scheduler: str | None = None  # the Dask scheduler's address; default: the configuration's
    only: str | None = None  # re-render this release's PDFs even if the cache has them
    # Record the build in the cache's manifest as the build of this folder, where it ends up
    # (review builds its draft PDFs in a staging folder that is then renamed).
    recorded_as: Path | None = None
    page_size: int = 50  # releases on a newsroom page
    feed_size: int = 50  # the latest releases in a feed
    sitemap_limit: int = SITEMAP_LIMIT  # URLs in a sitemap; past that, a sitemap index


@dataclass
class BuildReport:
    """What a build wrote, and what it has to say: lagging translations, drafts, warnings."""

    out_dir: Path
    pages: int = 0
    pdfs: int = 0
    versions: int = 0  # language versions written
    releases: int = 0
    drafts: list[Diagnostic] = field(default_factory=list)  # notes "draft: slug [lang]: why" of unapproved previews
    lagging: list[Diagnostic] = field(default_factory=list)  # notes "lags: slug [lang]: …", translations behind
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    font_subsetter: str = ""
    rendered: int = 0  # PDFs rendered by this build
    reused: int = 0  # PDFs whose inputs were unchanged, kept or taken from the cache
    written: int = 0  # units (pages, PDFs, feeds…) made by this build; the others were kept
    slowest: list[tuple[float, str]] = field(default_factory=list)
    unchanged: bool = False  # nothing changed since the last build: nothing was written
    kept_notes: list[Diagnostic] = field(default_factory=list)  # the last build's notes, for a no-op

    def notes(self) -> list[Diagnostic]:
        """Return the notes on lagging translations and drafts, in that order."""
        if self.unchanged:
            return list(self.kept_notes)
        return self.lagging + self.drafts

    def summary(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "pdfs": self.pdfs,
            "versions": self.versions,
            "releases": self.releases,
            "drafts": len(self.drafts),
            "lagging": len(self.lagging),
            "warnings": [w.as_data() for w in self.warnings],
            "notes": [n.as_data() for n in self.notes()],
        }

    @classmethod
    def from_summary(cls, out_dir: Path, summary: dict[str, Any], seconds: float) -> BuildReport:
        report = cls(out_dir=out_dir, pages=summary["pages"], pdfs=summary["pdfs"], seconds=seconds, unchanged=True)
        report.versions, report.releases = summary["versions"], summary["releases"]
        report.warnings = [Diagnostic.from_data(w) for w in summary.get("warnings", [])]
        report.kept_notes = [Diagnostic.from_data(n) for n in summary.get("notes", []) if isinstance(n, dict)]
        return report
