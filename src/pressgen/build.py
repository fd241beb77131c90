"""Build: turn releases and catalogs into the public site, in stages.

Gathering (config, releases, catalogs, the publish gate, localised texts) ends before any
file is written; writing happens in a staging folder that replaces the output only when
every document has been rendered, so a failed build leaves the previous output as it was.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pressgen.config import DEFAULT_PDF_VARIANT, Config, Language
from pressgen.errors import Diagnostic, PressgenError, Problems, UsageError
from pressgen.feeds import SitemapPage, release_moment, write_feed, write_sitemap
from pressgen.localise import LocalisedRelease, localise_release
from pressgen.output import build_lock, staging
from pressgen.pdf import PdfWriter, font_subsetter
from pressgen.releases import Release, read_releases
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
    out_dir = (options.out or config.output_dir).resolve()
    if options.embargoed and out_dir == config.output_dir.resolve():
        raise UsageError("--embargoed writes a private pack: give it its own --out folder, never the public output")
    now = options.now or dt.datetime.now(dt.UTC)

    # Gather: everything is read and checked before anything is written.
    releases = read_releases(config)
    _check_assets(releases)
    assessment = assess(config, releases, now)
    report = BuildReport(out_dir=out_dir)
    documents = _choose(config, assessment, options, report)
    renderers = {
        lang.code: Renderer(config, lang, assessment.interface.get(lang.code), draft=options.drafts)
        for lang in config.languages
    }

    # Write: into a staging folder, swapped in whole at the end.
    with build_lock(out_dir), staging(out_dir) as stage:
        _copy_static(config, stage)
        pdf_sizes = _write_pdfs(config, documents, renderers, stage, options, report, progress)
        if options.strict and report.warnings:
            raise PressgenError.collect(
                [replace(w, severity="error", message=f"{w.message} (--strict)") for w in report.warnings]
            )
        _write_release_pages(config, documents, renderers, stage, pdf_sizes, options, report)
        _write_newsrooms(config, documents, renderers, stage, pdf_sizes, options, report)
        _write_root(config, documents, renderers, stage, report)
        if not options.embargoed:
            _write_sitemap(config, documents, stage)
    report.seconds = time.monotonic() - started
    report.font_subsetter = font_subsetter()
    return report


def _check_assets(releases: list[Release]) -> None:
    problems = Problems()
    for release in releases:
        for src, line, problem in body_assets(release):
            if problem:
                problems.error(f"image '{src}' {problem}", release.path, line)
            elif not (release.folder / src).is_file():
                problems.error(f"image '{src}' not found beside release.md", release.path, line)
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
            if not version.embargoed or options.embargoed:
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


def _copy_static(config: Config, stage: Path) -> None:
    static = config.templates_dir / "static"
    if static.is_dir():
        shutil.copytree(static, stage / "static")
    fonts = config.templates_dir / "fonts"
    if fonts.is_dir():
        shutil.copytree(fonts, stage / "static" / "fonts")
    logo = config.organisation.logo
    if logo is not None:
        (stage / "static").mkdir(exist_ok=True)
        shutil.copyfile(logo, stage / "static" / logo.name)


def _write_pdfs(
    config: Config,
    documents: list[Document],
    renderers: dict[str, Renderer],
    stage: Path,
    options: BuildOptions,
    report: BuildReport,
    progress: Progress,
) -> dict[tuple[str, str], int]:
    writer = PdfWriter(config.templates_dir, options.pdf_variant)
    sizes: dict[tuple[str, str], int] = {}
    for number, document in enumerate(documents, start=1):
        progress(f"[{number}/{len(documents)}] PDF {document.lang}/{document.pdf_name}")
        renderer = renderers[document.lang]
        html = renderer.render("pdf.html", PdfContext(site=renderer.site("", for_pdf=True), release=document.localised))
        dest = stage / document.page_path / document.pdf_name
        for warning in writer.write(html, document.version.release.folder, dest):
            report.warnings.append(
                Diagnostic(f"{document.pdf_name}: {warning}", document.version.release.path, severity="warning")
            )
        sizes[(document.lang, document.slug)] = dest.stat().st_size
        report.pdfs += 1
    return sizes


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
    if localised.summary_text:
        data["description"] = localised.summary_text
    if document.version.release.author:
        data["author"] = {"@type": "Person", "name": document.version.release.author}
    else:
        data["author"] = data["publisher"]
    if localised.location:
        data["dateline"] = localised.location
    if localised.image is not None:
        data["image"] = f"{url}{localised.image.src}"
    return data


def _write_release_pages(
    config: Config,
    documents: list[Document],
    renderers: dict[str, Renderer],
    stage: Path,
    pdf_sizes: dict[tuple[str, str], int],
    options: BuildOptions,
    report: BuildReport,
) -> None:
    for document in documents:
        renderer = renderers[document.lang]
        url = f"{config.base_url}{document.page_path}"
        alternates = _alternates(config, documents, document.slug, document.lang, options.drafts)
        context = ReleasePageContext(
            site=renderer.site("../../"),
            canonical=url,
            alternates=alternates,
            noindex=document.localised.draft or options.embargoed,
            release=document.localised,
            pdf=PdfLink(
                document.pdf_name, format_size(pdf_sizes[(document.lang, document.slug)], document.version.language)
            ),
            json_ld=_json_ld(config, document, url),
        )
        folder = stage / document.page_path
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(renderer.render("release.html", context), encoding="utf-8")
        _copy_assets(document.version.release, folder)
        report.pages += 1


def _copy_assets(release: Release, folder: Path) -> None:
    sources = [src for src, _, _ in body_assets(release)]
    if release.image is not None:
        sources.append(release.image.src)
    for src in sources:
        dest = folder / src
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(release.folder / src, dest)


def _write_newsrooms(
    config: Config,
    documents: list[Document],
    renderers: dict[str, Renderer],
    stage: Path,
    pdf_sizes: dict[tuple[str, str], int],
    options: BuildOptions,
    report: BuildReport,
) -> None:
    languages = _site_languages(config, documents)
    alternates = [
        Alternate(lang.code, lang.name, f"../{lang.code}/", f"{config.base_url}{lang.code}/", lang.locale_id)
        for lang in languages
    ]
    for language in languages:
        renderer = renderers[language.code]
        mine = [d for d in documents if d.lang == language.code]
        entries = [
            NewsroomEntry(
                version=d.localised,
                href=f"{d.slug}/",
                pdf=PdfLink(f"{d.slug}/{d.pdf_name}", format_size(pdf_sizes[(d.lang, d.slug)], language)),
            )
            for d in mine
        ]
        context = NewsroomContext(
            site=renderer.site("../"),
            canonical=f"{config.base_url}{language.code}/",
            alternates=alternates,
            noindex=options.embargoed or any(d.localised.draft for d in mine),
            entries=entries,
        )
        folder = stage / language.code
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(renderer.render("newsroom.html", context), encoding="utf-8")
        report.pages += 1
        if not options.embargoed:
            feed_title = f"{renderer.gettext('Press releases')} · {config.organisation.name(language.code)}"
            write_feed(
                folder / "feed.xml",
                config,
                language,
                feed_title,
                [(d.localised, f"{config.base_url}{d.page_path}") for d in mine if not d.localised.draft],
            )


def _site_languages(config: Config, documents: list[Document]) -> list[Language]:
    """Return the languages with at least one page, in configuration order (the source language always)."""
    used = {d.lang for d in documents} | {config.source_language}
    return [lang for lang in config.languages if lang.code in used]


def _write_root(
    config: Config, documents: list[Document], renderers: dict[str, Renderer], stage: Path, report: BuildReport
) -> None:
    languages = _site_languages(config, documents)
    choices = [
        renderers[lang.code].render_markup("choice.html", {"href": f"{lang.code}/", "language": lang})
        for lang in languages
    ]
    source = renderers[config.source_language]
    context = RootContext(
        site=source.site(""),
        canonical=config.base_url,
        alternates=[
            Alternate(lang.code, lang.name, f"{lang.code}/", f"{config.base_url}{lang.code}/", lang.locale_id)
            for lang in languages
        ],
        noindex=False,
        choices=choices,
    )
    (stage / "index.html").write_text(source.render("index.html", context), encoding="utf-8")
    report.pages += 1


def _write_sitemap(config: Config, documents: list[Document], stage: Path) -> None:
    public = [d for d in documents if not d.localised.draft]
    languages = _site_languages(config, public)
    home_alternates = tuple((lang.code, f"{config.base_url}{lang.code}/") for lang in languages)
    pages = [SitemapPage(f"{config.base_url}{lang.code}/", home_alternates) for lang in languages]
    for document in public:
        alternates = tuple((d.lang, f"{config.base_url}{d.page_path}") for d in public if d.slug == document.slug)
        pages.append(SitemapPage(f"{config.base_url}{document.page_path}", alternates, document.version.release.date))
    write_sitemap(stage / "sitemap.xml", pages)
