"""What every writer of the site shares: the unit protocol, the renderers, and the build's context.

A unit is what one piece of work writes: a release page (with its pictures), a PDF, a newsroom
page, a feed, the sitemap, the static files. It declares its inputs (`Unit.inputs`), and one
function (`Context.make`) keys it with their digest, keeps it when the output or its previous
generation holds it made from the same inputs (`output.Stage.keep`), and otherwise renders it and
counts it. A unit's inputs are everything it is made from: the key of the texts of the documents
it shows (`gather.Document.key`), the templates it is rendered with (each entry template with the
templates it extends, includes or imports: `template_keys`), the interface catalog of its
language, the configuration and pressgen's code (`Context.base`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol, TypedDict

from babel.messages.catalog import Catalog
from markupsafe import Markup

from pressgen import urls
from pressgen.cache import Memo, Section, Sources, code_version, digest_of
from pressgen.catalogs import INTERFACE_SOURCE_LANG, interface_catalog_path, read_catalog
from pressgen.config import Config, Language
from pressgen.errors import Diagnostic, PressgenError
from pressgen.feeds import feed_content
from pressgen.gather import Document
from pressgen.localise import LocalisedRelease
from pressgen.options import BuildOptions, BuildReport
from pressgen.output import Stage
from pressgen.record import interface_copy_path
from pressgen.render import EntryTexts, PdfContext, Renderer

# The templates a build renders directly; each is keyed with the templates it uses.
ENTRY_TEMPLATES = ("release.html", "pdf.html", "newsroom.html", "index.html", "choice.html", "_feed_content.html")


class EntryRecord(TypedDict):
    """What lists and feeds show of a document, by the document's key."""

    title: str
    date_text: str
    location: str | None
    summary: str | None  # HTML
    summary_text: str | None
    embargo_text: str | None
    tags: list[str]


TEMPLATES: Section[dict[str, str]] = Section("templates")  # each entry template's key
ENTRIES: Section[EntryRecord] = Section("entries")
FEED_CONTENT: Section[str] = Section("feeds")  # the HTML of a feed entry


@dataclass(frozen=True)
class Unit:
    """One piece of output: its name in the stage, the inputs its key is the digest of, and how it is made.

    `render` writes the unit's files into the stage (with `Stage.path`) and returns their paths.
    """

    name: str
    inputs: tuple[object, ...]
    render: Callable[[], list[str]]
    page: bool = False  # counted among the report's pages


class Writer(Protocol):
    """A writer of one kind of output: the units it makes, each declaring its inputs."""

    def units(self) -> Iterable[Unit]: ...


def unit_key(*inputs: object) -> str:
    """Return the key of a unit made from `inputs`."""
    return digest_of(*inputs)


class Renderers:
    """One renderer per language, made when first needed (reading that language's interface catalog).

    A preview reads the interface catalogs of `locales/`; the public site and the pack read the
    interface strings as the record holds them (`record.interface_copy_path`), and fall back on
    `locales/` only for a language the record holds none of (a record made before pressgen
    recorded them; the next `publish` in that language does). An interface catalog that cannot be
    read leaves that language's pages in English, with a warning (`site.warn_interface`), in a
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
    files = {path.removeprefix("templates/"): value for path, value in sources.under("templates")}
    everything = digest_of(sorted(files.items()))
    key = digest_of(code_version(), "templates", everything)
    return dict(memo.section(TEMPLATES).keep(key, lambda: _template_keys(config, files, everything)))


def _template_keys(config: Config, files: dict[str, str], everything: str) -> dict[str, str]:
    """Return the key of each entry template, made from the templates `files` (name → digest)."""
    from jinja2 import Environment, FileSystemLoader, TemplateError, meta

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
    return keys


@dataclass
class Context:
    """One build's documents, the stage they are written into, and what every writer needs of them."""

    config: Config
    options: BuildOptions
    sources: Sources
    memo: Memo
    documents: list[Document]
    stage: Stage
    report: BuildReport
    sizes: dict[tuple[str, str], int] = field(default_factory=dict)  # each version's PDF size

    def __post_init__(self) -> None:
        config, sources, options = self.config, self.sources, self.options
        self.renderers = Renderers(config, sources, options)
        self.templates = template_keys(config, sources, self.memo)
        logo = config.organisation.logo
        logo_digest = sources.digest(logo.relative_to(config.root).as_posix()) if logo is not None else None
        self.base = digest_of(
            code_version(), sources.digest("pressgen.toml"), logo_digest, options.preview, options.embargoed
        )
        self.languages = site_languages(config, self.documents)
        self.entries = Entries(self.memo, self.renderers, self.templates["_feed_content.html"], self.base)

    def make(self, unit: Unit) -> bool:
        """Keep a unit made from the same inputs, or render it; count it. Return whether it was rendered."""
        key = unit_key(*unit.inputs)
        if unit.page:
            self.report.pages += 1
        if self.stage.keep(unit.name, key):
            return False
        self.stage.begin(unit.name)
        self.stage.add(unit.name, key, unit.render())
        self.report.written += 1
        return True

    def make_all(self, writer: Writer) -> None:
        """Make every unit of a writer."""
        for unit in writer.units():
            self.make(unit)

    def interface(self, code: str) -> str | None:
        """Return the digest of the interface catalog that language `code`'s pages are rendered with."""
        return self.renderers.digests[code]

    def listed(self, code: str) -> list[Document]:
        """Return the listed documents of language `code` (not the withdrawn), newest first."""
        return [d for d in self.documents if d.lang == code and d.listed]

    def withdrawn(self, code: str) -> list[dt.datetime]:
        """Return when each withdrawn release of language `code` was withdrawn (out of the lists since)."""
        return sorted(d.withdrawn for d in self.documents if d.lang == code and d.withdrawn is not None)

    def size(self, document: Document) -> int:
        """Return the size of a document's PDF (written before anything that shows it)."""
        return self.sizes[(document.lang, document.slug)]


class Entries:
    """What lists and feeds show of each document, kept in the memo by the document's key: lists need
    no texts of the documents that did not change."""

    def __init__(self, memo: Memo, renderers: Renderers, template: str, base: str):
        self.memo = memo
        self.renderers = renderers
        self.template = template  # the key of _feed_content.html
        self.base = base

    def data(self, document: Document) -> EntryRecord:
        """Return what lists and feeds show of a document."""
        return self.memo.section(ENTRIES).keep(document.key, lambda: _entry_record(document.localised()))

    def texts(self, document: Document) -> EntryTexts:
        """Return what a newsroom shows of a document."""
        known = self.data(document)
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
        key = digest_of(document.key, self.template, self.renderers.digests[document.lang], self.base)
        return self.memo.section(FEED_CONTENT).keep(
            key, lambda: feed_content(self.renderers[document.lang], document.localised())
        )


def _entry_record(localised: LocalisedRelease) -> EntryRecord:
    texts = EntryTexts.of(localised)
    return EntryRecord(
        title=texts.title,
        date_text=texts.date_text,
        location=texts.location,
        summary=str(texts.summary) if texts.summary is not None else None,
        summary_text=localised.summary_text,
        embargo_text=texts.embargo_text,
        tags=list(localised.release.tags),
    )


def site_languages(config: Config, documents: list[Document]) -> list[Language]:
    """Return the languages with at least one page, in configuration order (the source language always)."""
    used = {d.lang for d in documents} | {config.source_language}
    return [lang for lang in config.languages if lang.code in used]


def files_under(root: Path, folder: str) -> list[str]:
    """Return the files under `folder` (a path relative to `root`, ending in "/"), relative to `root`."""
    found = []
    for path, _, names in os.walk(root / folder):
        relative = Path(path).relative_to(root).as_posix()
        found += [f"{relative}/{name}" for name in names]
    return sorted(found)
