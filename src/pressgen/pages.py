"""The release pages and their PDFs: each PDF kept, taken from the cache or rendered by the workers,
and each page written once its PDF is there (the page shows the PDF's size).

A PDF is a unit like any other (`writing.Unit`): its key is the digest of the inputs of its print
HTML, and it is kept while they are unchanged. Only it is not rendered in the main process: a
PDF whose key is new is rendered by WeasyPrint only when the cache has no PDF for its final print
HTML either (`cache.PdfCache`), and then by a worker of the pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from pressgen import urls
from pressgen.cache import PdfCache, Section, weasyprint_version
from pressgen.config import Config
from pressgen.errors import Diagnostic
from pressgen.feeds import release_moment
from pressgen.filters import format_size
from pressgen.gather import Document
from pressgen.images import write_original, write_variants
from pressgen.localise import LocalisedRelease
from pressgen.options import Progress
from pressgen.pool import PdfExecutor, PdfResult, PdfTask
from pressgen.render import Alternate, PdfLink, ReleasePageContext
from pressgen.segment import release_assets
from pressgen.urls import Place
from pressgen.writing import Context, Unit, files_under, print_html, unit_key

# Documents a PDF worker may have waiting for it while the build prepares more (`PdfWriter.submit`).
IN_FLIGHT = 4


class PdfRecord(TypedDict):
    """What the memo keeps of a PDF, by the key of its print HTML's inputs."""

    pdf: str  # its key in the PDF cache
    size: int
    warnings: list[str]


PDFS: Section[PdfRecord] = Section("pdfs")


@dataclass
class Waiting:
    """A document whose PDF a worker renders: the keys its PDF is kept by once it is there (not its
    print HTML, which the worker has: the build holds that of only a few documents at a time)."""

    document: Document
    content_key: str  # in the PDF cache
    print_key: str  # the unit's


class PdfUnits:
    """Each PDF as a unit: kept while the inputs of its print HTML are unchanged, else taken from the
    cache when its print HTML is, else a task for the workers."""

    def __init__(self, site: Context):
        self.site = site
        self.cache = PdfCache(site.config, site.options.pdf_variant)
        self.salt = unit_key(
            self.cache.salt,
            weasyprint_version(),
            site.sources.under("templates/fonts"),
            site.sources.digest("templates/pdf.css"),
        )

    def key(self, document: Document) -> str:
        """Return the key of a document's PDF: the digest of the inputs of its print HTML."""
        site = self.site
        return unit_key(
            site.base, "pdf", document.key, site.templates["pdf.html"], site.interface(document.lang), self.salt
        )

    def known(self, document: Document, key: str) -> PdfRecord | None:
        """Keep a PDF made from the same inputs, or put the cached PDF the memo names; None if neither is there."""
        stage, unit, place = self.site.stage, f"pdf:{document.pdf.path}", document.pdf.path
        known = None if self.site.options.only == document.slug else self.site.memo.section(PDFS).get(key)
        if known is not None:
            if stage.keep(unit, key):
                self.cache.used.add(known["pdf"])
                return known
            stage.begin(unit)
            if self.cache.get(known["pdf"], stage.path(place)) is not None:
                stage.add(unit, key, [place])
                return known
        return None

    def make(self, document: Document, key: str) -> PdfRecord | tuple[Waiting, PdfTask]:
        """Put the cached PDF of a document's print HTML in place, or return the task of rendering it."""
        site, stage, cache, place = self.site, self.site.stage, self.cache, document.pdf.path
        stage.begin(f"pdf:{place}")
        html = print_html(document, site.renderers)
        assets = release_assets(document.release())
        folder = document.folder.relative_to(site.config.root).as_posix()
        content_key = cache.key(html, assets, folder)
        dest = stage.path(place)
        stage.add(f"pdf:{place}", key, [place])
        warnings = None if site.options.only == document.slug else cache.get(content_key, dest)
        if warnings is not None:
            return self.record(key, content_key, dest, warnings)
        pictures = tuple(asset.relative_to(site.config.root).as_posix() for asset in assets)
        return Waiting(document, content_key, key), PdfTask(html, folder, pictures, dest, document.source, self.salt)

    def record(self, key: str, content_key: str, dest: Path, warnings: list[str]) -> PdfRecord:
        """Remember a PDF put in place (its size, its warnings) by the key of its inputs."""
        record = PdfRecord(pdf=content_key, size=dest.stat().st_size, warnings=warnings)
        return self.site.memo.section(PDFS).put(key, record)


@dataclass
class PdfWriter:
    """Every PDF of the site, each followed by its release page."""

    site: Context
    slowest: list[tuple[float, str]] = field(default_factory=list)  # the 3 slowest PDFs: seconds, name

    def __post_init__(self) -> None:
        site, options = self.site, self.site.options
        self.pdfs = PdfUnits(site)
        self.cache = self.pdfs.cache
        self.pages = PageWriter(site)
        self.in_feeds: set[Document] = set()
        if not options.embargoed and not options.preview:
            for language in site.languages:
                self.in_feeds.update(site.listed(language.code)[: options.feed_size])

    def submit(self, pool: PdfExecutor, progress: Progress) -> list[Waiting]:
        """Write every PDF that needs no rendering, with its release page; hand the others to the workers.

        A PDF whose print HTML's inputs are unchanged is kept, or taken from the cache; the others
        go to the workers as soon as their print HTML is ready, so rendering starts while the main
        process still prepares the next documents, and pages are written while the workers render.
        At most `IN_FLIGHT` documents a worker wait for their PDF: beyond that, the PDFs rendered
        meanwhile are taken first (and their pages written), so that the texts of only a few
        releases are held at a time, not those of a whole archive (N = 1000: 230 kB a release).
        Returns the documents the workers render, for `collect`.
        """
        waiting: list[Waiting] = []
        limit = IN_FLIGHT * max(pool.jobs, 1)
        for document in self.site.documents:
            key = self.pdfs.key(document)
            known = self.pdfs.known(document, key) or self.pdfs.make(document, key)
            if isinstance(known, tuple):
                pool.submit(len(waiting), known[1])
                waiting.append(known[0])
            else:
                self.site.report.reused += 1
                self._after_pdf(document, known)
            while len(waiting) - self.site.report.rendered >= limit:
                finished = pool.finished()
                if not finished:  # the workers failed, or the build was stopped: `collect` says which
                    break
                for result in finished:
                    self._take(result, waiting, progress)
        return waiting

    def collect(self, pool: PdfExecutor, waiting: list[Waiting], progress: Progress) -> None:
        """Take each PDF the workers render as it comes, and write its release page (which shows its size)."""
        for result in pool.results():
            self._take(result, waiting, progress)
        self.site.report.pdfs = len(self.site.documents)
        self.site.report.slowest = list(self.slowest)

    def _take(self, result: PdfResult, waiting: list[Waiting], progress: Progress) -> None:
        """Keep one rendered PDF (in the cache, the memo) and write its release page."""
        report = self.site.report
        done = waiting[result.index]
        dest = done.document.pdf.file(self.site.stage.folder)
        self.cache.put(done.content_key, dest, result.warnings)
        self._after_pdf(done.document, self.pdfs.record(done.print_key, done.content_key, dest, result.warnings))
        report.rendered += 1
        self.slowest.append((result.seconds, dest.name))
        self.slowest.sort(reverse=True)
        del self.slowest[3:]
        progress(_bar(report.rendered, len(waiting), self.slowest))

    def _after_pdf(self, document: Document, pdf: PdfRecord) -> None:
        """Write a document's release page once its PDF is there, and what lists show of it; then let its texts go."""
        site = self.site
        site.sizes[(document.lang, document.slug)] = pdf["size"]
        for warning in pdf["warnings"]:
            site.report.warnings.append(
                Diagnostic(f"{document.pdf.path.rsplit('/', 1)[1]}: {warning}", document.source, severity="warning")
            )
        site.make(self.pages.unit(document))
        if document.listed:
            site.entries.data(document)
            if document in self.in_feeds:
                site.entries.feed_content(document)
        document.forget()


class PageWriter:
    """The release pages: one unit each, with its pictures and links to its other languages."""

    def __init__(self, site: Context):
        self.site = site
        self.versions: dict[tuple[str, bool], list[str]] = {}  # (slug, listed) → its languages, in order
        for document in site.documents:
            self.versions.setdefault((document.slug, document.listed), []).append(document.lang)
        for langs in self.versions.values():
            langs.sort(key=site.config.codes.index)

    def unit(self, document: Document) -> Unit:
        """Return the unit of a document's release page (after its PDF, whose size it shows)."""
        site = self.site
        langs = self.versions[(document.slug, document.listed)]
        inputs = (
            site.base,
            "page",
            document.key,
            site.templates["release.html"],
            site.interface(document.lang),
            langs,
            site.size(document),
        )
        return Unit(f"page:{document.page.path}", inputs, lambda: self.render(document, langs), page=True)

    def render(self, document: Document, langs: list[str]) -> list[str]:
        """Write a release page with its pictures; return its files."""
        config, stage, renderer = self.site.config, self.site.stage, self.site.renderers[document.lang]
        page = document.page
        alternates = _alternates(config, page, document.slug, langs)
        localised = document.localised()
        context = ReleasePageContext(
            site=renderer.site(page),
            canonical=page.url(config.base_url),
            alternates=alternates,
            x_default=_x_default(config, alternates),
            noindex=localised.preview or self.site.options.embargoed or localised.withdrawn is not None,
            release=localised,
            pdf=PdfLink(document.pdf.relative_to(page), format_size(self.site.size(document), document.language)),
            json_ld=_json_ld(config, document, localised),
        )
        stage.path(page.file(Path()).as_posix()).write_text(renderer.render("release.html", context), encoding="utf-8")
        release = document.release()
        assets = release_assets(release)
        for source in assets:
            dest = stage.path((Path(page.path) / source.relative_to(release.folder)).as_posix())
            write_original(source, dest, document.keep_metadata)
        write_variants(config.root, release.folder, assets, page.file(stage.folder).parent)
        return [name for name in files_under(stage.folder, page.path) if name != document.pdf.path]


def _bar(done: int, total: int, slowest: list[tuple[float, str]]) -> str:
    width = 24
    filled = round(width * done / total) if total else width
    slow = ", ".join(f"{name} {seconds:.1f} s" for seconds, name in slowest)
    return f"PDFs [{'#' * filled}{'.' * (width - filled)}] {done}/{total}  slowest: {slow}"


def _alternates(config: Config, page: Place, slug: str, langs: list[str]) -> list[Alternate]:
    """Return the language versions of a release that its page links to (itself included)."""
    found = []
    for code in langs:
        there = urls.release_page(code, slug)
        language = config.language(code)
        found.append(
            Alternate(code, language.name, there.relative_to(page), there.url(config.base_url), language.locale_id)
        )
    return found


def _x_default(config: Config, alternates: list[Alternate]) -> str:
    """Return the version for other languages: the source language's, else the first published."""
    for alternate in alternates:
        if alternate.lang == config.source_language:
            return alternate.url
    return alternates[0].url if alternates else config.base_url


def _json_ld(config: Config, document: Document, localised: LocalisedRelease) -> dict[str, Any]:
    url = document.page.url(config.base_url)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": localised.title,
        "inLanguage": document.lang,
        "datePublished": release_moment(localised, config).isoformat(),
        "url": url,
        "mainEntityOfPage": url,
        "publisher": {"@type": "Organization", "name": config.organisation.name(document.lang)},
    }
    if config.organisation.url:
        data["publisher"]["url"] = config.organisation.url
    if localised.summary_text:
        data["description"] = localised.summary_text
    if localised.modified is not None:
        data["dateModified"] = localised.modified.isoformat()
    if localised.release.author:
        data["author"] = {"@type": "Person", "name": localised.release.author}
    else:
        data["author"] = data["publisher"]
    if localised.location:
        data["dateline"] = localised.location
    if localised.images:  # the front matter's picture, else the body's first
        data["image"] = document.page.join(localised.images[0].src).url(config.base_url)
    return data
