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

from babel.messages.catalog import Catalog

from pressgen import urls
from pressgen.cache import Manifest, PdfCache, inputs_fingerprint, output_fingerprint, read_manifest, write_manifest
from pressgen.catalogs import INTERFACE_SOURCE_LANG, interface_catalog_path, interface_template, lookup
from pressgen.config import DEFAULT_PDF_VARIANT, Config, Language
from pressgen.errors import Diagnostic, PressgenError, Problems, UsageError, plural
from pressgen.feeds import SitemapPage, feed_entry, release_moment, write_feed, write_sitemap
from pressgen.files import WRITE_FAILURES
from pressgen.images import write_variants
from pressgen.localise import LagView, LocalisedRelease, UpdateView, WithdrawnView, format_day, localise_release
from pressgen.output import check_output_dir, project_lock, real_dir, staging
from pressgen.pool import PdfPool, PdfTask, font_subsetter
from pressgen.publishing import PublicVersion, read_published
from pressgen.releases import Release, VersionOf, asset_problem, no_such_release, read_releases
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
from pressgen.segment import body_assets, release_assets
from pressgen.status import Assessment, assess, read_catalogs, read_interfaces
from pressgen.urls import Place
from pressgen.webassets import write_web_files

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
    only: str | None = None  # re-render this release's PDFs even if the cache has them
    # Record the build in the cache's manifest as the build of this folder, where it ends up
    # (review builds its draft PDFs in a staging folder that is then renamed).
    recorded_as: Path | None = None


@dataclass
class BuildReport:
    """What a build wrote, and what it has to say: lagging translations, drafts, warnings."""

    out_dir: Path
    pages: int = 0
    pdfs: int = 0
    versions: int = 0  # language versions written
    releases: int = 0
    drafts: list[str] = field(default_factory=list)  # "slug [lang]: why" of unapproved previews
    lagging: list[str] = field(default_factory=list)  # "slug [lang]: …" of translations behind their source
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    font_subsetter: str = ""
    rendered: int = 0  # PDFs rendered by this build
    reused: int = 0  # PDFs whose inputs were unchanged, copied from the cache
    slowest: list[tuple[float, str]] = field(default_factory=list)
    unchanged: bool = False  # nothing changed since the last build: nothing was written
    kept_notes: list[str] = field(default_factory=list)  # the last build's notes, for a no-op

    def notes(self) -> list[str]:
        """Return the lines on lagging translations and drafts (warnings are diagnostics of their own)."""
        if self.unchanged:
            return list(self.kept_notes)
        lines = [f"lags: {line}" for line in self.lagging]
        lines += [f"draft: {line}" for line in self.drafts]
        return lines

    def summary(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "pdfs": self.pdfs,
            "versions": self.versions,
            "releases": self.releases,
            "drafts": len(self.drafts),
            "lagging": len(self.lagging),
            "warnings": [w.as_data() for w in self.warnings],
            "notes": self.notes(),
        }

    @classmethod
    def from_summary(cls, out_dir: Path, summary: dict[str, Any], seconds: float) -> BuildReport:
        report = cls(out_dir=out_dir, pages=summary["pages"], pdfs=summary["pdfs"], seconds=seconds, unchanged=True)
        report.versions, report.releases = summary["versions"], summary["releases"]
        report.warnings = [Diagnostic.from_data(w) for w in summary.get("warnings", [])]
        report.kept_notes = summary.get("notes", [])
        return report


@dataclass(frozen=True)
class Document(VersionOf):
    """One language version to write: its texts (as recorded, or as they are now) and where it goes."""

    release: Release
    language: Language
    localised: LocalisedRelease
    source: Path  # the release.md the press office edits (warnings name it, also for a published copy)
    listed: bool = True  # in the newsroom, feed and sitemap (a withdrawn release is not)

    @property
    def page(self) -> Place:
        return urls.release_page(self.lang, self.slug)

    @property
    def pdf(self) -> Place:
        return urls.release_pdf(self.lang, self.slug)


def build(config: Config, options: BuildOptions, progress: Progress = lambda _: None) -> BuildReport:
    """Build the public site from the publication record (or a preview, or the embargoed pack)."""
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
    report = BuildReport(out_dir=out_dir)
    releases = read_releases(config)  # a public build checks the sources too: a record needs its release
    if options.only is not None and options.only not in {r.slug for r in releases}:
        raise no_such_release(options.only, [r.slug for r in releases])
    _check_assets(releases)
    if options.preview:
        assessment = assess(config, releases, now)
        documents = _preview(config, assessment, options, now, report)
        interface = assessment.interface
        embargoes = [r.embargo for r in releases if r.embargo is not None]
    else:
        read_catalogs(config, releases)  # a broken catalog is an error, though none is published from
        published = read_published(config)
        documents = _public(config, published, options, now, report)
        interface = read_interfaces(config)
        _warn_interface(config, interface, documents, report)
        embargoes = [v.release.embargo for v in published if v.release.embargo is not None]
    renderers = _renderers(config, interface, options)

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
        if not options.embargoed and not options.preview:
            site.write_sitemap()
    report.versions = len(documents)
    report.releases = len({d.slug for d in documents})
    report.font_subsetter = font_subsetter()
    valid_from, valid_until = _embargo_span(embargoes, now)
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
    if options.embargoed and options.out is None:
        raise UsageError("--embargoed writes a private pack: give it its own --out folder, never the public output")
    others = {"the public output": config.output_dir} if options.embargoed or options.preview else {}
    if not options.preview:
        others["the preview"] = config.preview_dir
    if options.out is not None:
        return check_output_dir(config.root, options.out, f"--out {options.out}", others)
    default = config.preview_dir if options.preview else config.output_dir
    key = "site.preview_dir" if options.preview else "site.output_dir"
    return check_output_dir(config.root, default, f"{key} {os.path.relpath(default, config.root)}", others)


def _options_key(options: BuildOptions, out_dir: Path) -> dict[str, object]:
    """Return the options that change what a build writes (not when it runs or how fast)."""
    return {
        "out": str(out_dir),
        "preview": options.preview,
        "embargoed": options.embargoed,
        "variant": options.pdf_variant,
        "strict": options.strict,
    }


def _embargo_span(embargoes: list[dt.datetime], now: dt.datetime) -> tuple[str | None, str | None]:
    """Return the last embargo lifted before `now` and the next one to lift: the build is valid between."""
    lifted = [moment for moment in embargoes if moment <= now]
    pending = [moment for moment in embargoes if moment > now]
    return (max(lifted).isoformat() if lifted else None, min(pending).isoformat() if pending else None)


def _check_assets(releases: list[Release]) -> None:
    problems = Problems()
    for release in releases:
        for src, line in body_assets(release):
            problem = asset_problem(release.folder, src)
            if problem:
                problems.error(f"image '{src}' {problem}", release.path, line)
    problems.raise_if_any()


def _public(
    config: Config, published: list[PublicVersion], options: BuildOptions, now: dt.datetime, report: BuildReport
) -> list[Document]:
    """Choose what the record makes public at `now` (or, for the pack, what is still under embargo)."""
    _check_assets([v.release for v in published])
    documents: list[Document] = []
    sources = {v.slug: v for v in published if v.version.source is None}
    for version in published:
        embargoed = version.release.embargo is not None and version.release.embargo > now
        if embargoed != options.embargoed:
            continue  # under embargo: no trace; or, for the pack, public already
        localised = localise_release(version.release, version.language, version.catalog, config)
        withdrawn = version.record.withdrawn
        lag = None
        if version.lags:
            source = sources[version.slug]
            lag = _lag_view(config, version, source)
            report.lagging.append(
                f"{version.slug} [{version.lang}]: translates the {source.lang} version of "
                f"{_reflects(version, source).date().isoformat()}, which was updated on "
                f"{source.version.changed.date().isoformat()} (translate the changes, then publish them)"
            )
        localised = replace(
            localised,
            embargo_text=localised.embargo_text if options.embargoed else None,
            published=version.public_at(),
            modified=version.version.changed if version.version.updates else None,
            updates=tuple(
                UpdateView(u.at, format_day(u.at, version.language, config), u.note)
                for u in version.version.updates
                if u.note
            ),
            lag=lag,
            withdrawn=(
                WithdrawnView(
                    format_day(withdrawn.at, version.language, config), withdrawn.reason, version.release.lang
                )
                if withdrawn is not None
                else None
            ),
        )
        source_path = config.releases_dir / version.slug / "release.md"
        documents.append(Document(version.release, version.language, localised, source_path, withdrawn is None))
    # Newest first by the release's date (its dateline), then by when it became public.
    documents.sort(key=lambda d: (d.release.date, d.localised.published or now, d.slug), reverse=True)
    return documents


def _lag_view(config: Config, version: PublicVersion, source: PublicVersion) -> LagView:
    """Say which source version a lagging translation reflects, and link to the current one."""
    here, there = urls.release_page(version.lang, version.slug), urls.release_page(source.lang, source.slug)
    return LagView(
        reflects_text=format_day(_reflects(version, source), version.language, config),
        updated_text=format_day(source.version.changed, version.language, config),
        source_name=source.language.name,
        source_lang=source.lang,
        href=there.relative_to(here),
        url=there.url(config.base_url),
    )


def _reflects(version: PublicVersion, source: PublicVersion) -> dt.datetime:
    """Return when the source version that a translation translates was published (or updated)."""
    moments = [source.version.published, *(u.at for u in source.version.updates)]
    return max((m for m in moments if m <= version.version.changed), default=source.version.published)


def _preview(
    config: Config, assessment: Assessment, options: BuildOptions, now: dt.datetime, report: BuildReport
) -> list[Document]:
    """Choose every version of the current sources, unapproved ones as drafts: a preview."""
    documents: list[Document] = []
    for version in assessment.versions:
        embargoed = version.embargoed
        if options.embargoed and not embargoed:
            continue
        draft = not version.approved
        if draft:
            report.drafts.append(f"{version.release.slug} [{version.lang}]: {'; '.join(version.reasons)}")
        localised = localise_release(version.release, version.language, version.catalog, config, draft=draft)
        preview = replace(localised, preview=True)
        documents.append(Document(version.release, version.language, preview, version.release.path))
    documents.sort(key=lambda d: (d.release.date, d.slug), reverse=True)
    return documents


def _warn_interface(
    config: Config, interface: dict[str, Catalog | None], documents: list[Document], report: BuildReport
) -> None:
    """Warn when a language's pages show interface strings in English: untranslated or unapproved."""
    template = interface_template(config)
    for code in sorted({d.lang for d in documents}):
        if code == INTERFACE_SOURCE_LANG:
            continue
        missing = sum(1 for m in template if m.id and lookup(interface.get(code), str(m.id)) is None)
        if missing:
            path = interface_catalog_path(config, code)
            report.warnings.append(
                Diagnostic(
                    f"{plural(missing, 'interface message')} not approved: "
                    f"{config.language(code).name} pages show them in English until they are",
                    path,
                    severity="warning",
                )
            )


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
    assets: dict[tuple[str, str], list[Path]] = field(default_factory=dict)  # each version's images
    cache: PdfCache = field(init=False)

    def __post_init__(self) -> None:
        self.cache = PdfCache(self.config, self.options.pdf_variant)
        for document in self.documents:
            self.assets[(document.lang, document.slug)] = release_assets(document.release)

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
            dest = document.pdf.file(self.stage)
            key = cache.key(html, self.assets[(document.lang, document.slug)])
            warnings = None if options.only == document.slug else cache.get(key, dest)
            if warnings is None:
                pool.submit(len(waiting), PdfTask(html, document.release.folder, dest, document.source))
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
            slowest.append((result.seconds, dest.name))
            slowest.sort(reverse=True)
            del slowest[3:]
            progress(_bar(report.rendered, len(waiting), slowest))
        report.pdfs = len(self.documents)
        report.slowest = list(slowest)

    def write_release_page(self, document: Document) -> None:
        """Write one release page, with its images and links to its other languages (after its PDF)."""
        config, options = self.config, self.options
        renderer = self.renderers[document.lang]
        page = document.page
        alternates = _alternates(config, self.documents, document)
        size = document.pdf.file(self.stage).stat().st_size
        self.pdf_sizes[(document.lang, document.slug)] = size
        localised = document.localised
        context = ReleasePageContext(
            site=renderer.site(page.root_from()),
            canonical=page.url(config.base_url),
            alternates=alternates,
            x_default=_x_default(config, alternates),
            noindex=localised.preview or options.embargoed or localised.withdrawn is not None,
            release=localised,
            pdf=PdfLink(document.pdf.relative_to(page), format_size(size, document.language)),
            json_ld=_json_ld(config, document),
        )
        folder = page.file(self.stage).parent
        folder.mkdir(parents=True, exist_ok=True)
        page.file(self.stage).write_text(renderer.render("release.html", context), encoding="utf-8")
        assets = self.assets[(document.lang, document.slug)]
        _copy_assets(document.release, assets, folder)
        write_variants(config.root, document.release.folder, assets, folder)
        self.report.pages += 1

    def write_newsrooms(self) -> None:
        """Write each language's newsroom and Atom feed: the listed releases (not the withdrawn)."""
        config, options, documents = self.config, self.options, self.documents
        languages = _site_languages(config, documents)
        for language in languages:
            home = urls.newsroom(language.code)
            alternates = _newsrooms(config, languages, home)
            renderer = self.renderers[language.code]
            mine = [d for d in documents if d.lang == language.code and d.listed]
            entries = [
                NewsroomEntry(
                    version=d.localised,
                    href=d.page.relative_to(home),
                    pdf=PdfLink(d.pdf.relative_to(home), format_size(self.pdf_sizes[(d.lang, d.slug)], language)),
                )
                for d in mine
            ]
            context = NewsroomContext(
                site=renderer.site(home.root_from()),
                canonical=home.url(config.base_url),
                alternates=alternates,
                x_default=urls.ROOT.url(config.base_url),
                noindex=options.embargoed or options.preview,
                entries=entries,
            )
            home.file(self.stage).parent.mkdir(parents=True, exist_ok=True)
            home.file(self.stage).write_text(renderer.render("newsroom.html", context), encoding="utf-8")
            self.report.pages += 1
            if not options.embargoed and not options.preview:
                feed_title = f"{renderer.gettext('Press releases')} · {config.organisation.name(language.code)}"
                entries_of_feed = [
                    feed_entry(
                        renderer,
                        d.localised,
                        d.page.url(config.base_url),
                        d.pdf.path.rsplit("/", 1)[1],
                        self.pdf_sizes[(d.lang, d.slug)],
                    )
                    for d in mine
                ]
                write_feed(urls.feed(language.code).file(self.stage), config, language, feed_title, entries_of_feed)

    def write_root(self) -> None:
        """Write the page that lets a visitor choose a language."""
        config, renderers = self.config, self.renderers
        languages = _site_languages(config, self.documents)
        root = urls.ROOT
        choices = [
            renderers[lang.code].render_markup(
                "choice.html", {"href": urls.newsroom(lang.code).relative_to(root), "language": lang}
            )
            for lang in languages
        ]
        source = renderers[config.source_language]
        context = RootContext(
            site=source.site(root.root_from()),
            canonical=root.url(config.base_url),
            x_default=root.url(config.base_url),
            alternates=_newsrooms(config, languages, root),
            noindex=self.options.preview or self.options.embargoed,
            choices=choices,
        )
        root.file(self.stage).write_text(source.render("index.html", context), encoding="utf-8")
        self.report.pages += 1

    def write_sitemap(self) -> None:
        """Write sitemap.xml: every listed public page, with its hreflang alternates."""
        config = self.config
        listed = [d for d in self.documents if d.listed]
        languages = _site_languages(config, listed)
        home_alternates = (
            *((lang.code, urls.newsroom(lang.code).url(config.base_url)) for lang in languages),
            ("x-default", urls.ROOT.url(config.base_url)),
        )
        pages = [SitemapPage(urls.newsroom(lang.code).url(config.base_url), home_alternates) for lang in languages]
        for document in listed:
            versions = [d for d in listed if d.slug == document.slug]
            source = next((d for d in versions if d.lang == document.release.lang), versions[0])
            alternates = (
                *((d.lang, d.page.url(config.base_url)) for d in versions),
                ("x-default", source.page.url(config.base_url)),
            )
            changed = document.localised.modified or document.localised.published
            lastmod = changed.astimezone(config.timezone).date() if changed else document.release.date
            pages.append(SitemapPage(document.page.url(config.base_url), alternates, lastmod))
        write_sitemap(urls.SITEMAP.file(self.stage), pages)


def _renderers(config: Config, interface: dict[str, Catalog | None], options: BuildOptions) -> dict[str, Renderer]:
    """Return one renderer per language, with that language's interface catalog (unapproved
    interface strings only in previews)."""
    return {
        lang.code: Renderer(config, lang, interface.get(lang.code), draft=options.preview, pack=options.embargoed)
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
    report = BuildReport(out_dir=config.output_dir)
    if options.preview:
        assessment = assess(config, read_releases(config), now)
        documents = _preview(config, assessment, options, now, report)
        interface = assessment.interface
    else:
        documents = _public(config, read_published(config), options, now, report)
        interface = read_interfaces(config)
    renderers = _renderers(config, interface, options)
    return [(d.pdf.path.rsplit("/", 1)[1], _print_html(d, renderers), d.release.folder) for d in documents]


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []


def _note_warnings(report: BuildReport, document: Document, warnings: list[str]) -> None:
    for warning in warnings:
        report.warnings.append(
            Diagnostic(f"{document.pdf.path.rsplit('/', 1)[1]}: {warning}", document.source, severity="warning")
        )


def _bar(done: int, total: int, slowest: list[tuple[float, str]]) -> str:
    width = 24
    filled = round(width * done / total) if total else width
    slow = ", ".join(f"{name} {seconds:.1f} s" for seconds, name in slowest)
    return f"PDFs [{'#' * filled}{'.' * (width - filled)}] {done}/{total}  slowest: {slow}"


def _alternates(config: Config, documents: list[Document], here: Document) -> list[Alternate]:
    """Return the language versions of a release that its page links to (itself included)."""
    found = [
        Alternate(
            lang=document.lang,
            name=document.language.name,
            href=document.page.relative_to(here.page),
            url=document.page.url(config.base_url),
            locale=document.language.locale_id,
        )
        for document in documents
        if document.slug == here.slug and document.listed == here.listed
    ]
    return sorted(found, key=lambda a: config.codes.index(a.lang))


def _newsrooms(config: Config, languages: list[Language], here: Place) -> list[Alternate]:
    """Return the newsroom of each language, as alternates of the page `here`."""
    return [
        Alternate(
            lang.code,
            lang.name,
            urls.newsroom(lang.code).relative_to(here),
            urls.newsroom(lang.code).url(config.base_url),
            lang.locale_id,
        )
        for lang in languages
    ]


def _x_default(config: Config, alternates: list[Alternate]) -> str:
    """Return the version for other languages: the source language's, else the first published."""
    for alternate in alternates:
        if alternate.lang == config.source_language:
            return alternate.url
    return alternates[0].url if alternates else config.base_url


def _json_ld(config: Config, document: Document) -> dict[str, Any]:
    localised = document.localised
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
    if document.release.author:
        data["author"] = {"@type": "Person", "name": document.release.author}
    else:
        data["author"] = data["publisher"]
    if localised.location:
        data["dateline"] = localised.location
    if localised.images:  # the front matter's picture, else the body's first
        data["image"] = document.page.join(localised.images[0].src).url(config.base_url)
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
