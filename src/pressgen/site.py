"""The writing stage of a build: every unit of the site, kept from the previous generation or made.

`Site.write` runs one writer per kind of output, in an order that lets the PDF workers render
while the main process writes what needs no PDF: the static files and (for the embargoed pack)
its `.gitignore` here; the release pages and their PDFs (`pages.py`); the newsrooms, year
archives and language chooser (`newsrooms.py`); the feeds and the sitemap (`syndication.py`).
Each unit declares its inputs, and one loop keys, keeps, renders and counts them all
(`writing.Context.make`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypedDict

from pressgen.cache import Memo, Section, Sources, digest_of
from pressgen.catalogs import INTERFACE_SOURCE_LANG, interface_template, lookup
from pressgen.config import Config
from pressgen.errors import Diagnostic, plural
from pressgen.gather import Document
from pressgen.newsrooms import NewsroomWriter, RootWriter
from pressgen.options import BuildOptions, BuildReport, Progress
from pressgen.output import Stage
from pressgen.pages import PdfWriter
from pressgen.pool import PdfExecutor
from pressgen.record import interface_copy_path
from pressgen.syndication import FeedWriter, SitemapWriter
from pressgen.webassets import write_web_files
from pressgen.writing import Context, Unit, files_under

# The embargoed pack's .gitignore: none of it may ever be committed (`git add -A` included).
PACK_GITIGNORE = (
    "# The embargoed pack of pressgen: releases not public yet. Never commit it;\n"
    "# this file keeps git from adding any of it, wherever the pack is written.\n*\n"
)


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


MISSING: Section[dict[str, InterfaceCount]] = Section("missing", _counted)


class Site:
    """One build's documents written into the stage of the next generation of the output."""

    def __init__(
        self,
        config: Config,
        options: BuildOptions,
        sources: Sources,
        memo: Memo,
        documents: list[Document],
        stage: Stage,
        report: BuildReport,
    ):
        self.context = Context(config, options, sources, memo, documents, stage, report)
        self.pdfs = PdfWriter(self.context)
        self.cache = self.pdfs.cache

    def write(self, pool: PdfExecutor, progress: Progress) -> None:
        """Write every unit of the site into the stage.

        What needs no PDF (the language chooser, the sitemap) is written while the workers
        render; the newsrooms and feeds, which show each PDF's size, after.
        """
        site, options = self.context, self.context.options
        public = not options.embargoed and not options.preview
        site.make_all(StaticWriter(site))
        if options.embargoed:
            site.make_all(PackIgnoreWriter(site))
        waiting = self.pdfs.submit(pool, progress)
        if not options.preview:
            warn_interface(site)
        site.make_all(RootWriter(site))
        if public:
            site.make_all(SitemapWriter(site))
        self.pdfs.collect(pool, waiting, progress)
        site.make_all(NewsroomWriter(site))
        if public:
            site.make_all(FeedWriter(site))


class StaticWriter:
    """The CSS, the fonts (with their licence) and the logo in static/, with the web fonts and icons."""

    def __init__(self, site: Context):
        self.site = site

    def units(self) -> Iterator[Unit]:
        sources = self.site.sources
        inputs = (self.site.base, "static", sources.under("templates/static"), sources.under("templates/fonts"))
        yield Unit("static", inputs, self.render)

    def render(self) -> list[str]:
        config, stage = self.site.config, self.site.stage
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
        write_web_files(config, stage.folder, self.site.options.embargoed)  # fonts, icons, robots.txt
        return [*files_under(stage.folder, "static/"), "robots.txt"]


class PackIgnoreWriter:
    """Keep the embargoed pack out of git wherever it is written: a `.gitignore` that ignores it all."""

    def __init__(self, site: Context):
        self.site = site

    def units(self) -> Iterator[Unit]:
        yield Unit("gitignore", (PACK_GITIGNORE,), self.render)

    def render(self) -> list[str]:
        self.site.stage.path(".gitignore").write_text(PACK_GITIGNORE, encoding="utf-8")
        return [".gitignore"]


def warn_interface(site: Context) -> None:
    """Warn when a language's pages show interface strings in English: untranslated or unapproved."""
    config, renderers = site.config, site.renderers
    codes = sorted({d.lang for d in site.documents} - {INTERFACE_SOURCE_LANG})
    key = digest_of(site.base, "missing", site.sources.under("templates"), [site.interface(c) for c in codes], codes)
    missing = site.memo.section(MISSING).get(key)
    if missing is None or set(missing) != set(codes):  # none yet, or not what this code keeps there
        template = interface_template(config)
        missing = site.memo.section(MISSING).put(
            key,
            {
                code: InterfaceCount(
                    count=sum(1 for m in template if m.id and lookup(renderers.catalog(code), str(m.id)) is None),
                    problems=[d.as_data() for d in renderers.problems(code)],
                )
                for code in codes
            },
        )
    for code in codes:
        count, problems = missing[code]["count"], missing[code]["problems"]
        name = config.language(code).name
        site.report.warnings += [replace(Diagnostic.from_data(d), severity="warning") for d in problems]
        if count and renderers.paths[code] == interface_copy_path(config, code):
            message = (
                f"{plural(count, 'interface message')} of the templates not recorded: {name} pages show them in "
                f"English until the next 'pressgen publish' in {name} records them (once they are approved)"
            )
        elif count:
            message = (
                f"{plural(count, 'interface message')} not approved: {name} pages show them in English until they are"
            )
        if count:
            site.report.warnings.append(Diagnostic(message, renderers.paths[code], severity="warning"))


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []
