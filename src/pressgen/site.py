"""The writing stage of a build: every unit of the site, kept from the previous generation or made.

A unit is what one piece of work writes: a release page (with its pictures), a PDF, a newsroom
page, a feed, the sitemap, the static files. Its key is the digest of everything it is made
from: the key of the texts of the documents it shows (`build.Document.key`), the templates it is
rendered with (each entry template with the templates it extends, includes or imports), the
interface catalog of its language, the configuration and pressgen's code. A unit whose key is
what the output or its previous generation holds is kept (`output.Stage.keep`); only the others
are rendered, and only their documents' texts are made. A PDF is rendered by WeasyPrint only
when the cache has no PDF for its final print HTML either (`cache.PdfCache`).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, TypedDict

from babel.messages.catalog import Catalog
from markupsafe import Markup

from pressgen import urls
from pressgen.cache import Memo, PdfCache, Section, Sources, code_version, digest_of, weasyprint_version
from pressgen.catalogs import INTERFACE_SOURCE_LANG, interface_catalog_path, interface_template, lookup, read_catalog
from pressgen.config import Config, Language
from pressgen.errors import Diagnostic, PressgenError, plural
from pressgen.feeds import (
    FeedEntry,
    SitemapPage,
    feed_content,
    public_moment,
    release_moment,
    write_feed,
    write_sitemaps,
)
from pressgen.filters import format_size
from pressgen.gather import Document
from pressgen.images import write_original, write_variants
from pressgen.options import BuildOptions, BuildReport, Progress
from pressgen.output import Stage
from pressgen.pool import PdfExecutor, PdfResult, PdfTask
from pressgen.record import interface_copy_path
from pressgen.render import (
    Alternate,
    EntryTexts,
    NewsroomContext,
    NewsroomEntry,
    Pagination,
    PdfContext,
    PdfLink,
    ReleasePageContext,
    Renderer,
    RootContext,
    YearLink,
)
from pressgen.segment import release_assets
from pressgen.urls import Place
from pressgen.webassets import write_web_files

# Documents a PDF worker may have waiting for it while the build prepares more (`Site.submit_pdfs`).
IN_FLIGHT = 4
# The embargoed pack's .gitignore: none of it may ever be committed (`git add -A` included).
PACK_GITIGNORE = (
    "# The embargoed pack of pressgen: releases not public yet. Never commit it;\n"
    "# this file keeps git from adding any of it, wherever the pack is written.\n*\n"
)
# The templates a build renders directly; each is keyed with the templates it uses.
ENTRY_TEMPLATES = ("release.html", "pdf.html", "newsroom.html", "index.html", "choice.html", "_feed_content.html")


class PdfRecord(TypedDict):
    """What the memo keeps of a PDF, by the key of its print HTML's inputs."""

    pdf: str  # its key in the PDF cache
    size: int
    warnings: list[str]


class EntryRecord(TypedDict):
    """What lists and feeds show of a document, by the document's key."""

    title: str
    date_text: str
    location: str | None
    summary: str | None  # HTML
    summary_text: str | None
    embargo_text: str | None
    tags: list[str]


class InterfaceCount(TypedDict):
    """How many interface messages a language's pages show in English, and why its catalog cannot be read."""

    count: int
    problems: list[dict[str, Any]]  # `Diagnostic.as_data`


def _counted(value: object) -> bool:
    """Tell whether a memo of interface messages is what `warn_interface` keeps: a count and problems a language."""
    return isinstance(value, dict) and all(
        isinstance(count, dict)
        and isinstance(count.get("count"), int)
        and isinstance(count.get("problems"), list)
        and all(isinstance(d, dict) and isinstance(d.get("message"), str) for d in count["problems"])
        for count in value.values()
    )


TEMPLATES: Section[dict[str, str]] = Section("templates")  # each entry template's key
PDFS: Section[PdfRecord] = Section("pdfs")
ENTRIES: Section[EntryRecord] = Section("entries")
FEED_CONTENT: Section[str] = Section("feeds")  # the HTML of a feed entry
MISSING: Section[dict[str, InterfaceCount]] = Section("missing", _counted)


class Renderers:
    """One renderer per language, made when first needed (reading that language's interface catalog).

    A preview reads the interface catalogs of `locales/`; the public site and the pack read the
    interface strings as the record holds them (`record.interface_copy_path`), and fall back on
    `locales/` only for a language the record holds none of (a record made before pressgen
    recorded them; the next `publish` in that language does). An interface catalog that cannot be
    read leaves that language's pages in English, with a warning (`Site.warn_interface`), in a
    public build; a preview stops at it.

    Renderers are kept for the next build in the same process (`pressgen serve`) while their
    inputs are the same: Jinja2 then compiles each template once.
    """

    _kept: ClassVar[dict[str, Renderer]] = {}

    def __init__(self, config: Config, sources: Sources, options: BuildOptions):
        self.config = config
        self.options = options
        self.base = digest_of(code_version(), sources.digest("pressgen.toml"), sources.under("templates"))
        self.paths: dict[str, Path] = {}
        for lang in config.languages:
            recorded = interface_copy_path(config, lang.code)
            live = interface_catalog_path(config, lang.code)
            use_record = not options.preview and sources.digest(_relative(recorded, config)) is not None
            self.paths[lang.code] = recorded if use_record else live
        self.digests = {code: sources.digest(_relative(path, config)) for code, path in self.paths.items()}

    def __getitem__(self, code: str) -> Renderer:
        key = digest_of(
            self.base, str(self.config.root), code, self.digests[code], self.options.preview, self.options.embargoed
        )
        renderer = self._kept.get(key)
        if renderer is None:
            language = self.config.language(code)
            renderer = Renderer(
                self.config, language, self.catalog(code), draft=self.options.preview, pack=self.options.embargoed
            )
            if len(self._kept) > 16:
                self._kept.clear()
            self._kept[key] = renderer
        return renderer

    def catalog(self, code: str) -> Catalog | None:
        """Return a language's interface catalog (None for the templates' language, or where there is none,
        or, in a public build, where it cannot be read)."""
        if code == INTERFACE_SOURCE_LANG or self.digests[code] is None:
            return None
        try:
            return read_catalog(self.paths[code], self.config.language(code))
        except PressgenError:
            if self.options.preview:
                raise
            return None

    def problems(self, code: str) -> list[Diagnostic]:
        """Return why a language's interface catalog cannot be read (nothing if it can, or if there is none)."""
        if code == INTERFACE_SOURCE_LANG or self.digests[code] is None:
            return []
        try:
            read_catalog(self.paths[code], self.config.language(code))
        except PressgenError as exc:
            return exc.diagnostics
        return []


def _relative(path: Path, config: Config) -> str:
    return path.relative_to(config.root).as_posix()


def renderers(config: Config, sources: Sources, options: BuildOptions) -> Renderers:
    return Renderers(config, sources, options)


def print_html(document: Document, renderers: Renderers) -> str:
    """Return the final print HTML of a document: what WeasyPrint renders into its PDF."""
    renderer = renderers[document.lang]
    return renderer.render(
        "pdf.html", PdfContext(site=renderer.site(urls.ROOT, for_pdf=True), release=document.localised())
    )


def template_keys(config: Config, sources: Sources, memo: Memo) -> dict[str, str]:
    """Return, for each entry template, the digest of it and of every template it uses, recursively.

    A template that names another with a variable (or does not parse) is keyed with all templates.
    """
    from jinja2 import Environment, FileSystemLoader, TemplateError, meta

    files = {path.removeprefix("templates/"): value for path, value in sources.under("templates")}
    everything = digest_of(sorted(files.items()))
    key = digest_of(code_version(), "templates", everything)
    known = memo.section(TEMPLATES).get(key)
    if known is not None:
        return dict(known)
    env = Environment(loader=FileSystemLoader(config.templates_dir), extensions=["jinja2.ext.i18n"])
    uses: dict[str, set[str] | None] = {}

    def used(name: str) -> set[str] | None:
        if name not in uses:
            uses[name] = set()
            try:
                source = env.loader.get_source(env, name)[0] if env.loader is not None else ""
                found = set(meta.find_referenced_templates(env.parse(source)))
            except (TemplateError, OSError):
                uses[name] = None
                return None
            if None in found:
                uses[name] = None
                return None
            closure: set[str] | None = {name}
            for other in found:
                assert other is not None
                more = used(other)
                if more is None or closure is None:
                    closure = None
                else:
                    closure |= more
            uses[name] = closure
        return uses[name]

    keys = {}
    for name in ENTRY_TEMPLATES:
        closure = used(name)
        keys[name] = everything if closure is None else digest_of(sorted((n, files.get(n)) for n in closure))
    return dict(memo.section(TEMPLATES).put(key, keys))


@dataclass
class Site:
    """One build's documents written into the stage of the next generation of the output."""

    config: Config
    options: BuildOptions
    sources: Sources
    memo: Memo
    documents: list[Document]
    stage: Stage
    report: BuildReport
    sizes: dict[tuple[str, str], int] = field(default_factory=dict)  # each version's PDF size
    slowest: list[tuple[float, str]] = field(default_factory=list)  # the 3 slowest PDFs: seconds, name
    cache: PdfCache = field(init=False)

    def __post_init__(self) -> None:
        config, sources, options = self.config, self.sources, self.options
        self.cache = PdfCache(config, options.pdf_variant)
        self.renderers = Renderers(config, sources, options)
        self.templates = template_keys(config, sources, self.memo)
        logo = config.organisation.logo
        logo_digest = sources.digest(logo.relative_to(config.root).as_posix()) if logo is not None else None
        self.base = digest_of(
            code_version(), sources.digest("pressgen.toml"), logo_digest, options.preview, options.embargoed
        )
        self.pdf_salt = digest_of(
            self.cache.salt, weasyprint_version(), sources.under("templates/fonts"), sources.digest("templates/pdf.css")
        )
        self.languages = _site_languages(config, self.documents)
        self.versions: dict[tuple[str, bool], list[str]] = {}  # (slug, listed) → its languages, in order
        for document in self.documents:
            self.versions.setdefault((document.slug, document.listed), []).append(document.lang)
        for langs in self.versions.values():
            langs.sort(key=config.codes.index)
        self.counts: dict[tuple[str, int | None], int] = {}  # listed releases by language, and year
        for document in self.documents:
            if document.listed:
                for year in (None, document.date.year):
                    self.counts[(document.lang, year)] = self.counts.get((document.lang, year), 0) + 1
        self.in_feeds: set[Document] = set()
        if not options.embargoed and not options.preview:
            for language in self.languages:
                listed = [d for d in self.documents if d.lang == language.code and d.listed]
                self.in_feeds.update(listed[: options.feed_size])

    def interface(self, code: str) -> str | None:
        return self.renderers.digests[code]

    def write(self, pool: PdfExecutor, progress: Progress) -> None:
        """Write every unit of the site into the stage.

        What needs no PDF (the language chooser, the sitemap) is written while the workers
        render; the newsrooms and feeds, which show each PDF's size, after.
        """
        self.write_static()
        if self.options.embargoed:
            self.write_gitignore()
        waiting = self.submit_pdfs(pool, progress)
        if not self.options.preview:
            self.warn_interface()
        self.write_root()
        if not self.options.embargoed and not self.options.preview:
            self.write_sitemap()
        self.collect_pdfs(pool, waiting, progress)
        self.write_newsrooms()
        if not self.options.embargoed and not self.options.preview:
            self.write_feeds()

    def write_gitignore(self) -> None:
        """Keep the embargoed pack out of git wherever it is written: a `.gitignore` that ignores it all."""
        if self.stage.keep("gitignore", digest_of(PACK_GITIGNORE)):
            return
        self.stage.begin("gitignore")
        self.stage.path(".gitignore").write_text(PACK_GITIGNORE, encoding="utf-8")
        self.stage.add("gitignore", digest_of(PACK_GITIGNORE), [".gitignore"])
        self.report.written += 1

    def write_static(self) -> None:
        """Copy the CSS, the fonts (with their licence) and the logo into static/, with the web fonts and icons."""
        config, stage, sources = self.config, self.stage, self.sources
        key = digest_of(self.base, "static", sources.under("templates/static"), sources.under("templates/fonts"))
        if stage.keep("static", key):
            return
        stage.begin("static")
        templates = config.templates_dir
        files = [
            (path, f"static/{path.relative_to(templates / 'static').as_posix()}")
            for path in _files(templates / "static")
        ]
        logo = config.organisation.logo
        if logo is not None:
            files.append((logo, f"static/{logo.name}"))
        for source, dest in files:
            shutil.copyfile(source, stage.path(dest))
        write_web_files(config, stage.folder, self.options.embargoed)  # fonts, icons, robots.txt
        stage.add("static", key, [*_files_under(stage.folder, "static/"), "robots.txt"])
        self.report.written += 1

    def submit_pdfs(self, pool: PdfExecutor, progress: Progress) -> list[tuple[Document, str, str]]:
        """Write every PDF that needs no rendering, with its release page; hand the others to the workers.

        A PDF whose print HTML's inputs are unchanged is kept, or taken from the cache; the others
        go to the workers as soon as their print HTML is ready, so rendering starts while the main
        process still prepares the next documents, and pages are written while the workers render.
        At most `IN_FLIGHT` documents a worker wait for their PDF: beyond that, the PDFs rendered
        meanwhile are taken first (and their pages written), so that the texts of only a few
        releases are held at a time, not those of a whole archive (N = 1000: 230 kB a release).
        Returns the documents the workers render, for `collect_pdfs`.
        """
        waiting: list[tuple[Document, str, str]] = []
        limit = IN_FLIGHT * max(pool.jobs, 1)
        for document in self.documents:
            known = self._pdf(document, pool, waiting)
            if known is not None:
                self.report.reused += 1
                self._after_pdf(document, *known)
            while len(waiting) - self.report.rendered >= limit:
                finished = pool.finished()
                if not finished:  # the workers failed, or the build was stopped: `collect_pdfs` says which
                    break
                for result in finished:
                    self._take(result, waiting, progress)
        return waiting

    def collect_pdfs(self, pool: PdfExecutor, waiting: list[tuple[Document, str, str]], progress: Progress) -> None:
        """Take each PDF the workers render as it comes, and write its release page (which shows its size)."""
        for result in pool.results():
            self._take(result, waiting, progress)
        self.report.pdfs = len(self.documents)
        self.report.slowest = list(self.slowest)

    def _take(self, result: PdfResult, waiting: list[tuple[Document, str, str]], progress: Progress) -> None:
        """Keep one rendered PDF (in the cache, the memo) and write its release page."""
        report = self.report
        document, content_key, print_key = waiting[result.index]
        dest = document.pdf.file(self.stage.folder)
        self.cache.put(content_key, dest, result.warnings)
        size = dest.stat().st_size
        self.memo.section(PDFS).put(print_key, PdfRecord(pdf=content_key, size=size, warnings=result.warnings))
        self._after_pdf(document, size, result.warnings)
        report.rendered += 1
        self.slowest.append((result.seconds, dest.name))
        self.slowest.sort(reverse=True)
        del self.slowest[3:]
        progress(_bar(report.rendered, len(waiting), self.slowest))

    def _pdf(
        self, document: Document, pool: PdfExecutor, waiting: list[tuple[Document, str, str]]
    ) -> tuple[int, list[str]] | None:
        """Keep, take from the cache or submit a document's PDF; return its size and warnings if it is there."""
        stage, cache, lang = self.stage, self.cache, document.lang
        unit, place = f"pdf:{document.pdf.path}", document.pdf.path
        print_key = digest_of(
            self.base, "pdf", document.key, self.templates["pdf.html"], self.interface(lang), self.pdf_salt
        )
        forced = self.options.only == document.slug
        known = None if forced else self.memo.section(PDFS).get(print_key)
        if known is not None:
            if stage.keep(unit, print_key):
                cache.used.add(known["pdf"])
                return known["size"], known["warnings"]
            stage.begin(unit)
            if cache.get(known["pdf"], stage.path(place)) is not None:
                stage.add(unit, print_key, [place])
                return known["size"], known["warnings"]
        stage.begin(unit)
        html = print_html(document, self.renderers)
        assets = release_assets(document.release())
        folder = document.folder.relative_to(self.config.root).as_posix()
        content_key = cache.key(html, assets, folder)
        dest = stage.path(place)
        stage.add(unit, print_key, [place])
        warnings = None if forced else cache.get(content_key, dest)
        if warnings is not None:
            size = dest.stat().st_size
            self.memo.section(PDFS).put(print_key, PdfRecord(pdf=content_key, size=size, warnings=warnings))
            return size, warnings
        pictures = tuple(asset.relative_to(self.config.root).as_posix() for asset in assets)
        pool.submit(len(waiting), PdfTask(html, folder, pictures, dest, document.source, self.pdf_salt))
        waiting.append((document, content_key, print_key))
        return None

    def _after_pdf(self, document: Document, size: int, warnings: list[str]) -> None:
        self.sizes[(document.lang, document.slug)] = size
        for warning in warnings:
            self.report.warnings.append(
                Diagnostic(f"{document.pdf.path.rsplit('/', 1)[1]}: {warning}", document.source, severity="warning")
            )
        self.write_release_page(document)
        if document.listed:
            self.entry_data(document)
            if document in self.in_feeds:
                self.feed_content(document)
        document.forget()

    def write_release_page(self, document: Document) -> None:
        """Write one release page, with its images and links to its other languages (after its PDF)."""
        config, options, stage = self.config, self.options, self.stage
        langs = self.versions[(document.slug, document.listed)]
        size = self.sizes[(document.lang, document.slug)]
        unit = f"page:{document.page.path}"
        key = digest_of(
            self.base, "page", document.key, self.templates["release.html"], self.interface(document.lang), langs, size
        )
        self.report.pages += 1
        if stage.keep(unit, key):
            return
        stage.begin(unit)
        renderer = self.renderers[document.lang]
        page = document.page
        alternates = _alternates(config, page, document.slug, langs)
        localised = document.localised()
        context = ReleasePageContext(
            site=renderer.site(page),
            canonical=page.url(config.base_url),
            alternates=alternates,
            x_default=_x_default(config, alternates),
            noindex=localised.preview or options.embargoed or localised.withdrawn is not None,
            release=localised,
            pdf=PdfLink(document.pdf.relative_to(page), format_size(size, document.language)),
            json_ld=_json_ld(config, document, localised),
        )
        stage.path(page.file(Path()).as_posix()).write_text(renderer.render("release.html", context), encoding="utf-8")
        release = document.release()
        assets = release_assets(release)
        folder = page.file(stage.folder).parent
        for source in assets:
            dest = stage.path((Path(page.path) / source.relative_to(release.folder)).as_posix())
            write_original(source, dest, document.keep_metadata)
        write_variants(config.root, release.folder, assets, folder)
        pdf = document.pdf.path
        stage.add(unit, key, [name for name in _files_under(stage.folder, page.path) if name != pdf])
        self.report.written += 1

    def entry_data(self, document: Document) -> EntryRecord:
        """Return what lists and feeds show of a document, kept by its key: lists need no texts of
        the documents that did not change."""
        known = self.memo.section(ENTRIES).get(document.key)
        if known is None:
            localised = document.localised()
            texts = EntryTexts.of(localised)
            known = self.memo.section(ENTRIES).put(
                document.key,
                EntryRecord(
                    title=texts.title,
                    date_text=texts.date_text,
                    location=texts.location,
                    summary=str(texts.summary) if texts.summary is not None else None,
                    summary_text=localised.summary_text,
                    embargo_text=texts.embargo_text,
                    tags=list(localised.release.tags),
                ),
            )
        return known

    def entry(self, document: Document) -> EntryTexts:
        """Return what a newsroom shows of a document."""
        known = self.entry_data(document)
        return EntryTexts(
            known["title"],
            document.date,
            known["date_text"],
            known["location"],
            Markup(known["summary"]) if known["summary"] is not None else None,
            known["embargo_text"],
        )

    def feed_content(self, document: Document) -> str:
        """Return the HTML of a document's feed entry (kept by its key and its template's)."""
        key = digest_of(document.key, self.templates["_feed_content.html"], self.interface(document.lang), self.base)
        known = self.memo.section(FEED_CONTENT).get(key)
        if known is None:
            known = self.memo.section(FEED_CONTENT).put(
                key, feed_content(self.renderers[document.lang], document.localised())
            )
        return known

    def warn_interface(self) -> None:
        """Warn when a language's pages show interface strings in English: untranslated or unapproved."""
        config = self.config
        codes = sorted({d.lang for d in self.documents} - {INTERFACE_SOURCE_LANG})
        key = digest_of(
            self.base, "missing", self.sources.under("templates"), [self.interface(c) for c in codes], codes
        )
        missing = self.memo.section(MISSING).get(key)
        if missing is None or set(missing) != set(codes):  # none yet, or not what this code keeps there
            template = interface_template(config)
            missing = self.memo.section(MISSING).put(
                key,
                {
                    code: InterfaceCount(
                        count=sum(
                            1 for m in template if m.id and lookup(self.renderers.catalog(code), str(m.id)) is None
                        ),
                        problems=[d.as_data() for d in self.renderers.problems(code)],
                    )
                    for code in codes
                },
            )
        for code in codes:
            count, problems = missing[code]["count"], missing[code]["problems"]
            name = config.language(code).name
            self.report.warnings += [replace(Diagnostic.from_data(d), severity="warning") for d in problems]
            if count and self.renderers.paths[code] == interface_copy_path(config, code):
                message = (
                    f"{plural(count, 'interface message')} of the templates not recorded: {name} pages show them in "
                    f"English until the next 'pressgen publish' in {name} records them (once they are approved)"
                )
            elif count:
                message = (
                    f"{plural(count, 'interface message')} not approved: "
                    f"{name} pages show them in English until they are"
                )
            if count:
                path = self.renderers.paths[code]
                self.report.warnings.append(Diagnostic(message, path, severity="warning"))

    def write_newsrooms(self) -> None:
        """Write each language's newsroom, a page of `page_size` releases at a time, newest first, and
        its archive of each year: only the listed releases (not the withdrawn)."""
        size = self.options.page_size
        for language in self.languages:
            code = language.code
            mine = [d for d in self.documents if d.lang == code and d.listed]
            years = sorted({d.date.year for d in mine}, reverse=True)
            series: list[tuple[int | None, list[Document]]] = [(None, mine)]
            series += [(year, [d for d in mine if d.date.year == year]) for year in years]
            for year, entries in series:
                chunks = [entries[start : start + size] for start in range(0, len(entries), size)] or [[]]
                for number, chunk in enumerate(chunks, start=1):
                    self.write_newsroom(language, year, years, number, len(chunks), chunk)

    def write_newsroom(
        self, language: Language, year: int | None, years: list[int], number: int, pages: int, chunk: list[Document]
    ) -> None:
        config, options, stage = self.config, self.options, self.stage
        code = language.code

        def place_of(page: int) -> Place:
            return urls.newsroom(code, page) if year is None else urls.newsroom_year(code, year, page)

        here = place_of(number)
        if year is None and number == 1:
            alternates = _newsrooms(config, self.languages, here)
        else:
            alternates = [a for a in _newsrooms(config, self.languages, here) if self._has(a.lang, year, number)]
            alternates = [replace_place(a, here, config) for a in alternates]
        langs = [a.lang for a in alternates]
        unit = f"news:{here.path}"
        key = digest_of(
            self.base,
            "newsroom",
            here.path,
            self.templates["newsroom.html"],
            self.interface(code),
            langs,
            [number, pages, year, years],
            [(d.key, self.sizes[(d.lang, d.slug)]) for d in chunk],
            self._withdrawn(code),
        )
        self.report.pages += 1
        if stage.keep(unit, key):
            return
        stage.begin(unit)
        renderer = self.renderers[code]
        entries = [
            NewsroomEntry(
                texts=self.entry(d),
                href=d.page.relative_to(here),
                pdf=PdfLink(d.pdf.relative_to(here), format_size(self.sizes[(d.lang, d.slug)], language)),
            )
            for d in chunk
        ]
        context = NewsroomContext(
            site=renderer.site(here),
            canonical=here.url(config.base_url),
            alternates=alternates,
            x_default=urls.ROOT.url(config.base_url),
            noindex=options.embargoed or options.preview,
            entries=entries,
            pagination=Pagination(
                number,
                pages,
                place_of(number - 1).relative_to(here) if number > 1 else None,
                place_of(number + 1).relative_to(here) if number < pages else None,
            ),
            year=year,
            years=[YearLink(y, urls.newsroom_year(code, y).relative_to(here), y == year) for y in years],
            feed=urls.feed(code).relative_to(here),
            withdrawn=bool(self._withdrawn(code)),
        )
        stage.path(here.file(Path()).as_posix()).write_text(renderer.render("newsroom.html", context), encoding="utf-8")
        stage.add(unit, key, [here.file(Path()).as_posix()])
        self.report.written += 1

    def _withdrawn(self, code: str) -> list[dt.datetime]:
        """Return when each withdrawn release of language `code` was withdrawn (out of the lists since)."""
        return sorted(d.withdrawn for d in self.documents if d.lang == code and d.withdrawn is not None)

    def _has(self, code: str, year: int | None, number: int) -> bool:
        """Tell whether language `code` has newsroom page `number` (of the archive of `year`)."""
        count = self.counts.get((code, year), 0)
        return count > (number - 1) * self.options.page_size

    def write_feeds(self) -> None:
        """Write each language's Atom feed: its latest `feed_size` listed releases."""
        config = self.config
        for language in self.languages:
            code = language.code
            entries = [d for d in self.documents if d.lang == code and d.listed][: self.options.feed_size]
            unit = f"feed:{code}"
            key = digest_of(
                self.base,
                "feed",
                code,
                self.templates["_feed_content.html"],
                self.interface(code),
                [(d.key, self.sizes[(d.lang, d.slug)], d.published, d.modified, d.embargo) for d in entries],
                self._withdrawn(code),
            )
            if self.stage.keep(unit, key):
                continue
            self.stage.begin(unit)
            renderer = self.renderers[code]
            title = f"{renderer.gettext('Press releases')} · {config.organisation.name(code)}"
            items = []
            for d in entries:
                texts = self.entry_data(d)
                url = d.page.url(config.base_url)
                moment = public_moment(d.published, d.embargo, d.date, config)
                items.append(
                    FeedEntry(
                        url=url,
                        title=texts["title"],
                        summary=texts["summary_text"],
                        tags=tuple(texts["tags"]),
                        published=moment,
                        updated=d.modified or moment,
                        content=self.feed_content(d),
                        pdf_url=d.pdf.url(config.base_url),
                        pdf_length=self.sizes[(d.lang, d.slug)],
                    )
                )
            place = urls.feed(code)
            changed = self._withdrawn(code)  # a withdrawal changes the feed: it leaves it
            write_feed(self.stage.path(place.path), config, language, title, items, changed[-1] if changed else None)
            self.stage.add(unit, key, [place.path])
            self.report.written += 1

    def write_root(self) -> None:
        """Write the page that lets a visitor choose a language."""
        config, stage = self.config, self.stage
        root = urls.ROOT
        key = digest_of(
            self.base,
            "root",
            self.templates["index.html"],
            self.templates["choice.html"],
            [(lang.code, self.interface(lang.code)) for lang in self.languages],
        )
        self.report.pages += 1
        if stage.keep("root", key):
            return
        stage.begin("root")
        renderers = self.renderers
        choices = [
            renderers[lang.code].render_markup(
                "choice.html", {"href": urls.newsroom(lang.code).relative_to(root), "language": lang}
            )
            for lang in self.languages
        ]
        source = renderers[config.source_language]
        context = RootContext(
            site=source.site(root),
            canonical=root.url(config.base_url),
            x_default=root.url(config.base_url),
            alternates=_newsrooms(config, self.languages, root),
            noindex=self.options.preview or self.options.embargoed,
            choices=choices,
        )
        stage.path("index.html").write_text(source.render("index.html", context), encoding="utf-8")
        stage.add("root", key, ["index.html"])
        self.report.written += 1

    def write_sitemap(self) -> None:
        """Write sitemap.xml: every listed public page, with its hreflang alternates (an index past the limit)."""
        config = self.config
        listed = [d for d in self.documents if d.listed]
        languages = _site_languages(config, listed)
        home_alternates = (
            *((lang.code, urls.newsroom(lang.code).url(config.base_url)) for lang in languages),
            ("x-default", urls.ROOT.url(config.base_url)),
        )
        pages = [SitemapPage(urls.newsroom(lang.code).url(config.base_url), home_alternates) for lang in languages]
        pages += self._archive_pages(languages)
        by_slug: dict[str, list[Document]] = {}
        for document in listed:
            by_slug.setdefault(document.slug, []).append(document)
        # A release's alternates, the same for each of its versions: made once (N = 1000: 3,000 pages).
        order = {code: index for index, code in enumerate(config.codes)}
        alternates: dict[str, tuple[tuple[str, str], ...]] = {}
        for slug, versions in by_slug.items():
            source = next((d for d in versions if d.lang == d.release_lang), versions[0])
            alternates[slug] = (
                *((d.lang, d.page.url(config.base_url)) for d in sorted(versions, key=lambda d: order[d.lang])),
                ("x-default", source.page.url(config.base_url)),
            )
        for document in listed:
            changed = document.modified or document.published
            lastmod = changed.astimezone(config.timezone).date() if changed else document.date
            pages.append(SitemapPage(document.page.url(config.base_url), alternates[document.slug], lastmod))
        limit = self.options.sitemap_limit
        key = digest_of(self.base, "sitemap", limit, [(p.url, p.alternates, p.lastmod) for p in pages])
        if self.stage.keep("sitemap", key):
            return
        self.stage.begin("sitemap")
        written = write_sitemaps(self.stage.folder, config.base_url, pages, limit)
        self.stage.add("sitemap", key, written)
        self.report.written += 1

    def _archive_pages(self, languages: list[Language]) -> list[SitemapPage]:
        """Return the newsroom's further pages and its year archives, each with the same page in other languages."""
        config, size = self.config, self.options.page_size
        places: dict[str, list[tuple[str, str]]] = {}  # the page's path below its language → (lang, URL)
        for language in languages:
            code = language.code
            mine = [d for d in self.documents if d.lang == code and d.listed]
            found = [urls.newsroom(code, n) for n in range(2, (len(mine) - 1) // size + 2)]
            for year in sorted({d.date.year for d in mine}, reverse=True):
                count = sum(1 for d in mine if d.date.year == year)
                found += [urls.newsroom_year(code, year, n) for n in range(1, (count - 1) // size + 2)]
            for place in found:
                places.setdefault(place.path.split("/", 1)[1], []).append((code, place.url(config.base_url)))
        pages = []
        for versions in places.values():
            for _, url in versions:
                pages.append(SitemapPage(url, tuple(versions) if len(versions) > 1 else ()))
        return pages


def replace_place(alternate: Alternate, here: Place, config: Config) -> Alternate:
    """Return the alternate of a newsroom page at the same place in the alternate's language."""
    place = here.in_language(alternate.lang)
    return Alternate(
        alternate.lang, alternate.name, place.relative_to(here), place.url(config.base_url), alternate.locale
    )


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []


def _files_under(root: Path, folder: str) -> list[str]:
    """Return the files under `folder` (a path relative to `root`, ending in "/"), relative to `root`."""
    found = []
    for path, _, names in os.walk(root / folder):
        relative = Path(path).relative_to(root).as_posix()
        found += [f"{relative}/{name}" for name in names]
    return sorted(found)


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


def _json_ld(config: Config, document: Document, localised: Any) -> dict[str, Any]:
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


def _site_languages(config: Config, documents: list[Document]) -> list[Language]:
    """Return the languages with at least one page, in configuration order (the source language always)."""
    used = {d.lang for d in documents} | {config.source_language}
    return [lang for lang in config.languages if lang.code in used]
