"""The lists of releases: each language's newsroom and year archives, and the page that lets a visitor
choose a language. Each page is a unit (`writing.Unit`), written after the PDFs, whose sizes it shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pressgen import urls
from pressgen.config import Config, Language
from pressgen.filters import format_size
from pressgen.gather import Document
from pressgen.render import Alternate, NewsroomContext, NewsroomEntry, Pagination, PdfLink, RootContext, YearLink
from pressgen.urls import Place
from pressgen.writing import Context, Unit


@dataclass(frozen=True)
class NewsroomPage:
    """One page of a language's newsroom (`year` None) or of its archive of a year."""

    language: Language
    year: int | None
    years: list[int]  # the language's years, newest first
    number: int
    pages: int
    chunk: list[Document]

    def place(self, number: int) -> Place:
        """Return the place of page `number` of the same list."""
        code = self.language.code
        return urls.newsroom(code, number) if self.year is None else urls.newsroom_year(code, self.year, number)

    def pagination(self, here: Place) -> Pagination:
        number, pages = self.number, self.pages
        before = self.place(number - 1).relative_to(here) if number > 1 else None
        after = self.place(number + 1).relative_to(here) if number < pages else None
        return Pagination(number, pages, before, after)

    def year_links(self, here: Place) -> list[YearLink]:
        code = self.language.code
        return [YearLink(y, urls.newsroom_year(code, y).relative_to(here), y == self.year) for y in self.years]


class NewsroomWriter:
    """Each language's newsroom, a page of `page_size` releases at a time, newest first, and its archive
    of each year: only the listed releases (not the withdrawn)."""

    def __init__(self, site: Context):
        self.site = site
        self.counts = Counter(  # listed releases by language, and year
            (d.lang, year) for d in site.documents if d.listed for year in (None, d.date.year)
        )

    def units(self) -> Iterator[Unit]:
        size = self.site.options.page_size
        for language in self.site.languages:
            mine = self.site.listed(language.code)
            years = sorted({d.date.year for d in mine}, reverse=True)
            series: list[tuple[int | None, list[Document]]] = [(None, mine)]
            series += [(year, [d for d in mine if d.date.year == year]) for year in years]
            for year, entries in series:
                chunks = [entries[start : start + size] for start in range(0, len(entries), size)] or [[]]
                for number, chunk in enumerate(chunks, start=1):
                    yield self.unit(NewsroomPage(language, year, years, number, len(chunks), chunk))

    def unit(self, newsroom: NewsroomPage) -> Unit:
        site, code = self.site, newsroom.language.code
        here = newsroom.place(newsroom.number)
        alternates = self.alternates(newsroom, here)
        inputs = (
            site.base,
            "newsroom",
            here.path,
            site.templates["newsroom.html"],
            site.interface(code),
            [a.lang for a in alternates],
            [newsroom.number, newsroom.pages, newsroom.year, newsroom.years],
            [(d.key, site.size(d)) for d in newsroom.chunk],
            site.withdrawn(code),
        )
        return Unit(f"news:{here.path}", inputs, lambda: self.render(newsroom, here, alternates), page=True)

    def alternates(self, newsroom: NewsroomPage, here: Place) -> list[Alternate]:
        """Return the same page in the other languages that have it (every newsroom, for a first page)."""
        config, languages = self.site.config, self.site.languages
        if newsroom.year is None and newsroom.number == 1:
            return newsroom_alternates(config, languages, here)
        before = (newsroom.number - 1) * self.site.options.page_size  # listed on the pages before this one
        found = [
            a for a in newsroom_alternates(config, languages, here) if self.counts[(a.lang, newsroom.year)] > before
        ]
        return [replace_place(a, here, config) for a in found]

    def render(self, newsroom: NewsroomPage, here: Place, alternates: list[Alternate]) -> list[str]:
        site, config, options = self.site, self.site.config, self.site.options
        language, code = newsroom.language, newsroom.language.code
        renderer = site.renderers[code]
        entries = [
            NewsroomEntry(
                texts=site.entries.texts(d),
                href=d.page.relative_to(here),
                pdf=PdfLink(d.pdf.relative_to(here), format_size(site.size(d), language)),
            )
            for d in newsroom.chunk
        ]
        context = NewsroomContext(
            site=renderer.site(here),
            canonical=here.url(config.base_url),
            alternates=alternates,
            x_default=urls.ROOT.url(config.base_url),
            noindex=options.embargoed or options.preview,
            entries=entries,
            pagination=newsroom.pagination(here),
            year=newsroom.year,
            years=newsroom.year_links(here),
            feed=urls.feed(code).relative_to(here),
            withdrawn=bool(site.withdrawn(code)),
        )
        path = here.file(Path()).as_posix()
        site.stage.path(path).write_text(renderer.render("newsroom.html", context), encoding="utf-8")
        return [path]


class RootWriter:
    """The page that lets a visitor choose a language."""

    def __init__(self, site: Context):
        self.site = site

    def units(self) -> Iterator[Unit]:
        site = self.site
        inputs = (
            site.base,
            "root",
            site.templates["index.html"],
            site.templates["choice.html"],
            [(lang.code, site.interface(lang.code)) for lang in site.languages],
        )
        yield Unit("root", inputs, self.render, page=True)

    def render(self) -> list[str]:
        config, renderers, root = self.site.config, self.site.renderers, urls.ROOT
        choices = [
            renderers[lang.code].render_markup(
                "choice.html", {"href": urls.newsroom(lang.code).relative_to(root), "language": lang}
            )
            for lang in self.site.languages
        ]
        source = renderers[config.source_language]
        context = RootContext(
            site=source.site(root),
            canonical=root.url(config.base_url),
            x_default=root.url(config.base_url),
            alternates=newsroom_alternates(config, self.site.languages, root),
            noindex=self.site.options.preview or self.site.options.embargoed,
            choices=choices,
        )
        self.site.stage.path("index.html").write_text(source.render("index.html", context), encoding="utf-8")
        return ["index.html"]


def replace_place(alternate: Alternate, here: Place, config: Config) -> Alternate:
    """Return the alternate of a newsroom page at the same place in the alternate's language."""
    place = here.in_language(alternate.lang)
    return Alternate(
        alternate.lang, alternate.name, place.relative_to(here), place.url(config.base_url), alternate.locale
    )


def newsroom_alternates(config: Config, languages: list[Language], here: Place) -> list[Alternate]:
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
