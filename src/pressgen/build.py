"""Build: turn releases and catalogs into the public site, in stages.

Gathering (config, releases, catalogs, the publish gate, localised texts) ends before any
file is written; writing happens in a staging folder that replaces the output only when
every document has been rendered, so a failed build leaves the previous output as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pressgen.cache import Manifest, PdfCache, inputs_fingerprint, output_fingerprint, read_manifest, write_manifest
from pressgen.config import DEFAULT_PDF_VARIANT, Config, Language
from pressgen.errors import Diagnostic, PressgenError, Problems, UsageError
from pressgen.feeds import SitemapPage, feed_entry, release_moment, write_feed, write_sitemap
from pressgen.files import WRITE_FAILURES
from pressgen.images import write_variants
from pressgen.localise import LocalisedRelease, localise_release
from pressgen.output import check_output_dir, project_lock, real_dir, staging
from pressgen.pool import PdfPool, PdfTask, font_subsetter
from pressgen.releases import Release, asset_problem, no_such_release, read_releases
from pressgen.render import (
    Alternate,
    NewsroomContext,
    NewsroomEntry,
    PdfContext,
    PdfLink,
    ReleasePageContext,
    Renderer,
    RootContext,
    format_size,
)
from pressgen.segment import body_assets
from pressgen.status import Assessment, Version, assess
from pressgen.webassets import write_web_files

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked of one build."""

    out: Path | None = None
    now: dt.datetime | None = None
    drafts: bool = False
    embargoed: bool = False
    pdf_variant: str | None = DEFAULT_PDF_VARIANT
    strict: bool = False
    jobs: int | None = None  # worker processes for PDFs; default: the machine's cores
    only: str | None = None  # re-render this release's PDFs even if the cache has them
    # Record the build in the cache's manifest as the build of this folder, where it ends up
    # (review builds its draft PDFs in a staging folder that is then renamed).
    recorded_as: Path | None = None


@dataclass
class BuildReport:
    """What a build wrote, what it left out and why, and what it warned about."""

    out_dir: Path
    pages: int = 0
    pdfs: int = 0
    published: list[Version] = field(default_factory=list)
    drafts: list[Version] = field(default_factory=list)
    left_out: list[Version] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    font_subsetter: str = ""
    rendered: int = 0  # PDFs rendered by this build
    reused: int = 0  # PDFs whose inputs were unchanged, copied from the cache
    slowest: list[tuple[float, str]] = field(default_factory=list)
    unchanged: bool = False  # nothing changed since the last build: nothing was written
    kept_notes: list[str] = field(default_factory=list)  # the last build's notes, for a no-op
    counts: tuple[int, int, int] | None = None  # the last build's tally, for a no-op

    def notes(self) -> list[str]:
        """Return the lines on versions left out or written as drafts, and why."""
        if self.unchanged:
            return list(self.kept_notes)
        lines = [f"left out: {v.release.slug} [{v.lang}]{_because(v)}" for v in self.left_out]
        lines += [f"draft: {v.release.slug} [{v.lang}]{_because(v)}" for v in self.drafts]
        return lines

    def summary(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "pdfs": self.pdfs,
            "published": len(self.published),
            "drafts": len(self.drafts),
            "left_out": len(self.left_out),
            "warnings": [w.as_data() for w in self.warnings],
            "notes": self.notes(),
        }

    @classmethod
    def from_summary(cls, out_dir: Path, summary: dict[str, Any], seconds: float) -> BuildReport:
        report = cls(out_dir=out_dir, pages=summary["pages"], pdfs=summary["pdfs"], seconds=seconds, unchanged=True)
        report.warnings = [Diagnostic.from_data(w) for w in summary.get("warnings", [])]
        report.kept_notes = summary.get("notes", [])
        report.counts = (summary["published"], summary["drafts"], summary["left_out"])
        return report

    @property
    def tally(self) -> tuple[int, int, int]:
        """Return how many versions were published, drafted and left out."""
        return self.counts or (len(self.published), len(self.drafts), len(self.left_out))


@dataclass(frozen=True)
class Document:
    """One language version to write: its localised texts and where it goes."""

    version: Version
    localised: LocalisedRelease

    @property
    def slug(self) -> str:
        return self.version.release.slug

    @property
    def lang(self) -> str:
        return self.version.lang

    @property
    def page_path(self) -> str:
        return f"{self.lang}/{self.slug}/"

    @property
    def pdf_name(self) -> str:
        return f"{self.slug}-{self.lang}.pdf"


def build(config: Config, options: BuildOptions, progress: Progress = lambda _: None) -> BuildReport:
    """Build the site (or the embargoed pack) from the project's releases and catalogs."""
    started = time.monotonic()
    out_dir = output_dir(config, options)
    now = options.now or dt.datetime.now(dt.UTC)

    # Nothing changed since the last build of this folder: say so, render nothing.
    fingerprint = inputs_fingerprint(config, _options_key(options, out_dir))
    previous = read_manifest(config, options.recorded_as or out_dir)
    if (
        options.only is None
        and previous is not None
        and previous.still_valid(fingerprint, output_fingerprint(out_dir), now)
    ):
        return BuildReport.from_summary(out_dir, previous.summary, time.monotonic() - started)

    # Workers start loading WeasyPrint now, while the main process gathers.
    with PdfPool(config.templates_dir, options.pdf_variant, options.jobs or os.cpu_count() or 1) as pool:
        report = _gather_and_write(config, options, out_dir, now, fingerprint, pool, progress)
    report.seconds = time.monotonic() - started
    return report


def _gather_and_write(
    config: Config,
    options: BuildOptions,
    out_dir: Path,
    now: dt.datetime,
    fingerprint: str,
    pool: PdfPool,
    progress: Progress,
) -> BuildReport:
    """Read and check everything, then write the output folder (the build after its no-op check)."""
    # Gather: everything is read and checked before anything is written.
    releases = read_releases(config)
    if options.only is not None and options.only not in {r.slug for r in releases}:
        raise no_such_release(options.only, [r.slug for r in releases])
    _check_assets(releases)
    assessment = assess(config, releases, now)
    report = BuildReport(out_dir=out_dir)
    documents = _choose(config, assessment, options, report)
    renderers = _renderers(config, assessment, options)

    # Write: into a staging folder, swapped in whole at the end.
    with project_lock(real_dir(config.cache_dir, config.root)), _writing(out_dir), staging(out_dir) as stage:
        site = _Site(config, options, documents, renderers, stage, report)
        site.copy_static()
        try:
            site.write_pdfs_and_pages(pool, progress)
        finally:
            pool.stop()  # before the stage is discarded: no worker may write into it afterwards
        if options.strict and report.warnings:
            raise PressgenError.collect(
                [replace(w, severity="error", message=f"{w.message} (--strict)") for w in report.warnings]
            )
        site.write_newsrooms()
        site.write_root()
        if not options.embargoed:
            site.write_sitemap()
    report.font_subsetter = font_subsetter()
    valid_from, valid_until = _embargo_span(releases, now)
    manifest = Manifest(
        fingerprint,
        output_fingerprint(out_dir) or "",
        valid_from,
        valid_until,
        report.summary(),
        sorted(site.cache.used),
    )
    site.cache.prune(write_manifest(config, options.recorded_as or out_dir, manifest))
    return report


@contextmanager
def _writing(out_dir: Path) -> Iterator[None]:
    """Report a failure to write the output (a full disk, a read-only folder) as the output's."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in WRITE_FAILURES:
            raise
        raise PressgenError(f"{exc.strerror} (the previous output is unchanged)", out_dir) from None


def output_dir(config: Config, options: BuildOptions) -> Path:
    """Return the folder this build writes, refusing one that it must not replace."""
    others = {"the public output": config.output_dir} if options.embargoed else {}
    if options.embargoed and options.out is None:
        raise UsageError("--embargoed writes a private pack: give it its own --out folder, never the public output")
    if options.out is not None:
        return check_output_dir(config.root, options.out, f"--out {options.out}", others)
    shown = f"site.output_dir {os.path.relpath(config.output_dir, config.root)}"
    return check_output_dir(config.root, config.output_dir, shown, others)


def _options_key(options: BuildOptions, out_dir: Path) -> dict[str, object]:
    """Return the options that change what a build writes (not when it runs or how fast)."""
    return {
        "out": str(out_dir),
        "drafts": options.drafts,
        "embargoed": options.embargoed,
        "variant": options.pdf_variant,
        "strict": options.strict,
    }


def _embargo_span(releases: list[Release], now: dt.datetime) -> tuple[str | None, str | None]:
    """Return the last embargo lifted before `now` and the next one to lift: the build is valid between."""
    lifted = [r.embargo for r in releases if r.embargo is not None and r.embargo <= now]
    pending = [r.embargo for r in releases if r.embargo is not None and r.embargo > now]
    return (max(lifted).isoformat() if lifted else None, min(pending).isoformat() if pending else None)


def _check_assets(releases: list[Release]) -> None:
    problems = Problems()
    for release in releases:
        for src, line in body_assets(release):
            problem = asset_problem(release.folder, src)
            if problem:
                problems.error(f"image '{src}' {problem}", release.path, line)
    problems.raise_if_any()


def _choose(config: Config, assessment: Assessment, options: BuildOptions, report: BuildReport) -> list[Document]:
    """Apply the publish gate (or the embargo pack's rule) and localise the chosen versions."""
    documents: list[Document] = []
    for version in assessment.versions:
        if options.embargoed:
            wanted = version.embargoed and (not version.reasons or options.drafts)
        else:
            wanted = not version.embargoed and (not version.reasons or options.drafts)
        if not wanted:
            if version.embargoed == options.embargoed:  # the pack does not mention public releases
                report.left_out.append(version)
            continue
        draft = bool(version.reasons)
        (report.drafts if draft else report.published).append(version)
        localised = localise_release(version.release, version.language, version.catalog, config, draft=draft)
        if not options.embargoed:
            localised = replace(localised, embargo_text=None)
        documents.append(Document(version, localised))
    documents.sort(key=lambda d: (d.version.release.date, d.slug), reverse=True)
    return documents


@dataclass
class _Site:
    """The writing stage: one build's documents written into the staging folder."""

    config: Config
    options: BuildOptions
    documents: list[Document]
    renderers: dict[str, Renderer]
    stage: Path
    report: BuildReport
    pdf_sizes: dict[tuple[str, str], int] = field(default_factory=dict)
    assets: dict[str, list[Path]] = field(default_factory=dict)  # each release's images, by slug
    cache: PdfCache = field(init=False)

    def __post_init__(self) -> None:
        self.cache = PdfCache(self.config, self.options.pdf_variant)
        for document in self.documents:
            release = document.version.release
            if release.slug not in self.assets:
                self.assets[release.slug] = _asset_paths(release)

    def copy_static(self) -> None:
        """Copy the CSS, the fonts (with their licence) and the logo into static/."""
        templates, static = self.config.templates_dir, self.stage / "static"
        files = [(path, static / path.relative_to(templates / "static")) for path in _files(templates / "static")]
        logo = self.config.organisation.logo
        if logo is not None:
            files.append((logo, static / logo.name))
        for source, dest in files:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        write_web_files(self.config, self.stage, self.options.embargoed)  # fonts, icons, robots.txt

    def write_pdfs_and_pages(self, pool: PdfPool, progress: Progress) -> None:
        """Write every PDF, and each release page once its PDF (and so its size) is there.

        A PDF whose inputs are unchanged is copied from the cache; the others go to the workers
        as soon as their print HTML is ready, so rendering starts while the main process still
        prepares the next documents, and pages are written while the workers render.
        """
        options, report, cache = self.options, self.report, self.cache
        waiting: list[tuple[Document, str, Path]] = []
        for document in self.documents:
            html = _print_html(document, self.renderers)
            dest = self.stage / document.page_path / document.pdf_name
            key = cache.key(html, self.assets[document.slug])
            warnings = None if options.only == document.slug else cache.get(key, dest)
            if warnings is None:
                pool.submit(len(waiting), PdfTask(html, document.version.release.folder, dest))
                waiting.append((document, key, dest))
            else:
                report.reused += 1
                _note_warnings(report, document, warnings)
                self.write_release_page(document)

        slowest: list[tuple[float, str]] = []
        for result in pool.results():
            document, key, dest = waiting[result.index]
            cache.put(key, dest, result.warnings)
            _note_warnings(report, document, result.warnings)
            self.write_release_page(document)
            report.rendered += 1
            slowest.append((result.seconds, document.pdf_name))
            slowest.sort(reverse=True)
            del slowest[3:]
            progress(_bar(report.rendered, len(waiting), slowest))
        report.pdfs = len(self.documents)
        report.slowest = list(slowest)

    def write_release_page(self, document: Document) -> None:
        """Write one release page, with its images and links to its other languages (after its PDF)."""
        config, options = self.config, self.options
        renderer = self.renderers[document.lang]
        url = f"{config.base_url}{document.page_path}"
        alternates = _alternates(config, self.documents, document.slug, document.lang, options.drafts)
        size = (self.stage / document.page_path / document.pdf_name).stat().st_size
        self.pdf_sizes[(document.lang, document.slug)] = size
        context = ReleasePageContext(
            site=renderer.site("../../"),
            canonical=url,
            alternates=alternates,
            x_default=_x_default(config, alternates),
            noindex=document.localised.draft or options.embargoed,
            release=document.localised,
            pdf=PdfLink(document.pdf_name, format_size(size, document.version.language)),
            json_ld=_json_ld(config, document, url),
        )
        folder = self.stage / document.page_path
        (folder / "index.html").write_text(renderer.render("release.html", context), encoding="utf-8")
        _copy_assets(document.version.release, self.assets[document.slug], folder)
        write_variants(config.root, document.version.release.folder, self.assets[document.slug], folder)
        self.report.pages += 1

    def write_newsrooms(self) -> None:
        """Write each language's newsroom and Atom feed."""
        config, options, documents = self.config, self.options, self.documents
        languages = _site_languages(config, documents)
        alternates = [
            Alternate(lang.code, lang.name, f"../{lang.code}/", f"{config.base_url}{lang.code}/", lang.locale_id)
            for lang in languages
        ]
        for language in languages:
            renderer = self.renderers[language.code]
            mine = [d for d in documents if d.lang == language.code]
            entries = [
                NewsroomEntry(
                    version=d.localised,
                    href=f"{d.slug}/",
                    pdf=PdfLink(f"{d.slug}/{d.pdf_name}", format_size(self.pdf_sizes[(d.lang, d.slug)], language)),
                )
                for d in mine
            ]
            context = NewsroomContext(
                site=renderer.site("../"),
                canonical=f"{config.base_url}{language.code}/",
                alternates=alternates,
                x_default=config.base_url,
                noindex=options.embargoed or any(d.localised.draft for d in mine),
                entries=entries,
            )
            folder = self.stage / language.code
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "index.html").write_text(renderer.render("newsroom.html", context), encoding="utf-8")
            self.report.pages += 1
            if not options.embargoed:
                feed_title = f"{renderer.gettext('Press releases')} · {config.organisation.name(language.code)}"
                write_feed(
                    folder / "feed.xml",
                    config,
                    language,
                    feed_title,
                    [
                        feed_entry(
                            renderer,
                            d.localised,
                            f"{config.base_url}{d.page_path}",
                            d.pdf_name,
                            self.pdf_sizes[(d.lang, d.slug)],
                        )
                        for d in mine
                        if not d.localised.draft
                    ],
                )

    def write_root(self) -> None:
        """Write the page that lets a visitor choose a language."""
        config, renderers = self.config, self.renderers
        languages = _site_languages(config, self.documents)
        choices = [
            renderers[lang.code].render_markup("choice.html", {"href": f"{lang.code}/", "language": lang})
            for lang in languages
        ]
        source = renderers[config.source_language]
        context = RootContext(
            site=source.site(""),
            canonical=config.base_url,
            x_default=config.base_url,
            alternates=[
                Alternate(lang.code, lang.name, f"{lang.code}/", f"{config.base_url}{lang.code}/", lang.locale_id)
                for lang in languages
            ],
            noindex=False,
            choices=choices,
        )
        (self.stage / "index.html").write_text(source.render("index.html", context), encoding="utf-8")
        self.report.pages += 1

    def write_sitemap(self) -> None:
        """Write sitemap.xml: every public page, with its hreflang alternates."""
        config = self.config
        public = [d for d in self.documents if not d.localised.draft]
        languages = _site_languages(config, public)
        home_alternates = (
            *((lang.code, f"{config.base_url}{lang.code}/") for lang in languages),
            ("x-default", config.base_url),
        )
        pages = [SitemapPage(f"{config.base_url}{lang.code}/", home_alternates) for lang in languages]
        for document in public:
            versions = [d for d in public if d.slug == document.slug]
            source = next((d for d in versions if d.lang == document.version.release.lang), versions[0])
            alternates = (
                *((d.lang, f"{config.base_url}{d.page_path}") for d in versions),
                ("x-default", f"{config.base_url}{source.page_path}"),
            )
            pages.append(
                SitemapPage(f"{config.base_url}{document.page_path}", alternates, document.version.release.date)
            )
        write_sitemap(self.stage / "sitemap.xml", pages)


def _renderers(config: Config, assessment: Assessment, options: BuildOptions) -> dict[str, Renderer]:
    """Return one renderer per language, with that language's interface catalog."""
    return {
        lang.code: Renderer(
            config, lang, assessment.interface.get(lang.code), draft=options.drafts, pack=options.embargoed
        )
        for lang in config.languages
    }


def _print_html(document: Document, renderers: dict[str, Renderer]) -> str:
    renderer = renderers[document.lang]
    return renderer.render("pdf.html", PdfContext(site=renderer.site("", for_pdf=True), release=document.localised))


def print_documents(config: Config, options: BuildOptions) -> list[tuple[str, str, Path]]:
    """Return the final print HTML of every PDF a build would write: (PDF name, HTML, release folder).

    For benchmarks and debugging: the same documents `build` hands to WeasyPrint.
    """
    now = options.now or dt.datetime.now(dt.UTC)
    releases = read_releases(config)
    assessment = assess(config, releases, now)
    documents = _choose(config, assessment, options, BuildReport(out_dir=config.output_dir))
    renderers = _renderers(config, assessment, options)
    return [(d.pdf_name, _print_html(d, renderers), d.version.release.folder) for d in documents]


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []


def _asset_paths(release: Release) -> list[Path]:
    sources = [src for src, _ in body_assets(release)]
    if release.image is not None:
        sources.append(release.image.src)
    return [release.folder / src for src in sources]


def _because(version: Version) -> str:
    """Return ": reason; reason" for a version's report line, or nothing when it has no reason."""
    return f": {'; '.join(version.reasons)}" if version.reasons else ""


def _note_warnings(report: BuildReport, document: Document, warnings: list[str]) -> None:
    for warning in warnings:
        report.warnings.append(
            Diagnostic(f"{document.pdf_name}: {warning}", document.version.release.path, severity="warning")
        )


def _bar(done: int, total: int, slowest: list[tuple[float, str]]) -> str:
    width = 24
    filled = round(width * done / total) if total else width
    slow = ", ".join(f"{name} {seconds:.1f} s" for seconds, name in slowest)
    return f"PDFs [{'#' * filled}{'.' * (width - filled)}] {done}/{total}  slowest: {slow}"


def _alternates(config: Config, documents: list[Document], slug: str, here: str, drafts: bool) -> list[Alternate]:
    """Return the language versions of release `slug` that the site links to."""
    found = []
    for document in documents:
        if document.slug != slug or (document.localised.draft and not drafts):
            continue
        found.append(
            Alternate(
                lang=document.lang,
                name=document.version.language.name,
                href=f"../../{document.page_path}" if document.lang != here else "./",
                url=f"{config.base_url}{document.page_path}",
                locale=document.version.language.locale_id,
            )
        )
    return sorted(found, key=lambda a: config.codes.index(a.lang))


def _x_default(config: Config, alternates: list[Alternate]) -> str:
    """Return the version for other languages: the source language's, else the first published."""
    for alternate in alternates:
        if alternate.lang == config.source_language:
            return alternate.url
    return alternates[0].url if alternates else config.base_url


def _json_ld(config: Config, document: Document, url: str) -> dict[str, Any]:
    localised = document.localised
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
    if document.version.release.author:
        data["author"] = {"@type": "Person", "name": document.version.release.author}
    else:
        data["author"] = data["publisher"]
    if localised.location:
        data["dateline"] = localised.location
    if localised.images:  # the front matter's picture, else the body's first
        data["image"] = f"{url}{localised.images[0].src}"
    return data


def _copy_assets(release: Release, sources: list[Path], folder: Path) -> None:
    for source in sources:
        dest = folder / source.relative_to(release.folder)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)


def _site_languages(config: Config, documents: list[Document]) -> list[Language]:
    """Return the languages with at least one page, in configuration order (the source language always)."""
    used = {d.lang for d in documents} | {config.source_language}
    return [lang for lang in config.languages if lang.code in used]
