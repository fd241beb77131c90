"""What the site offers other programs: each language's Atom feed and the sitemap, each a unit
(`writing.Unit`) of the public site alone (a preview and the embargoed pack have neither)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from pressgen import urls
from pressgen.config import Language
from pressgen.feeds import FeedEntry, SitemapPage, public_moment, write_feed, write_sitemaps
from pressgen.gather import Document
from pressgen.writing import Context, Unit, site_languages


class FeedWriter:
    """Each language's Atom feed: its latest `feed_size` listed releases."""

    def __init__(self, site: Context):
        self.site = site

    def units(self) -> Iterator[Unit]:
        site = self.site
        for language in site.languages:
            code = language.code
            entries = site.listed(code)[: site.options.feed_size]
            inputs = (
                site.base,
                "feed",
                code,
                site.templates["_feed_content.html"],
                site.interface(code),
                [(d.key, site.size(d), d.published, d.modified, d.embargo) for d in entries],
                site.withdrawn(code),
            )
            yield Unit(f"feed:{code}", inputs, partial(self.render, language, entries))

    def render(self, language: Language, entries: list[Document]) -> list[str]:
        site, config, code = self.site, self.site.config, language.code
        renderer = site.renderers[code]
        title = f"{renderer.gettext('Press releases')} · {config.organisation.name(code)}"
        items = []
        for d in entries:
            texts = site.entries.data(d)
            moment = public_moment(d.published, d.embargo, d.date, config)
            items.append(
                FeedEntry(
                    url=d.page.url(config.base_url),
                    title=texts["title"],
                    summary=texts["summary_text"],
                    tags=tuple(texts["tags"]),
                    published=moment,
                    updated=d.modified or moment,
                    content=site.entries.feed_content(d),
                    pdf_url=d.pdf.url(config.base_url),
                    pdf_length=site.size(d),
                )
            )
        place = urls.feed(code)
        changed = site.withdrawn(code)  # a withdrawal changes the feed: it leaves it
        write_feed(site.stage.path(place.path), config, language, title, items, changed[-1] if changed else None)
        return [place.path]


class SitemapWriter:
    """sitemap.xml: every listed public page, with its hreflang alternates (an index past the limit)."""

    def __init__(self, site: Context):
        self.site = site

    def units(self) -> Iterator[Unit]:
        site, limit = self.site, self.site.options.sitemap_limit
        pages = self.pages()
        inputs = (site.base, "sitemap", limit, [(p.url, p.alternates, p.lastmod) for p in pages])
        yield Unit("sitemap", inputs, lambda: write_sitemaps(site.stage.folder, site.config.base_url, pages, limit))

    def pages(self) -> list[SitemapPage]:
        """Return every listed public page: the newsrooms, their further pages and archives, the releases."""
        config = self.site.config
        listed = [d for d in self.site.documents if d.listed]
        languages = site_languages(config, listed)
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
        return pages

    def _archive_pages(self, languages: list[Language]) -> list[SitemapPage]:
        """Return the newsroom's further pages and its year archives, each with the same page in other languages."""
        config, size = self.site.config, self.site.options.page_size
        places: dict[str, list[tuple[str, str]]] = {}  # the page's path below its language → (lang, URL)
        for language in languages:
            code = language.code
            mine = self.site.listed(code)
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
