"""Rendering: Jinja2 templates filled with declared contexts, one environment per language."""

from __future__ import annotations

import contextlib
import datetime as dt
import marshal
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, TypedDict

from babel.messages.catalog import Catalog
from babel.support import Translations
from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.bccache import Bucket
from markupsafe import Markup, escape

from pressgen import __version__, urls
from pressgen.cache import keyed, seal, unseal
from pressgen.catalogs import translations
from pressgen.config import Config, Language
from pressgen.errors import PressgenError
from pressgen.files import read_cached, real_dir, write_cached
from pressgen.filters import FILTERS, GLOBALS
from pressgen.localise import LocalisedRelease
from pressgen.markup import PLACEHOLDER


@dataclass(frozen=True)
class Alternate:
    """A published language version of the same page."""

    lang: str
    name: str
    href: str  # relative to the page
    url: str  # absolute, from the site's base URL
    locale: str


@dataclass(frozen=True)
class PdfLink:
    href: str
    size: str


@dataclass(frozen=True)
class EntryTexts:
    """What a list shows of a release in one language: title, date, place, summary, embargo."""

    title: str
    date: dt.date
    date_text: str
    location: str | None
    summary: Markup | None
    embargo_text: str | None

    @property
    def release(self) -> EntryTexts:
        """For templates written for earlier versions, which read `entry.version.release.date`."""
        return self

    @classmethod
    def of(cls, version: LocalisedRelease) -> EntryTexts:
        return cls(
            version.title,
            version.release.date,
            version.date_text,
            version.location,
            version.summary,
            version.embargo_text,
        )


@dataclass(frozen=True)
class NewsroomEntry:
    """One release as the newsroom lists it."""

    texts: EntryTexts
    href: str
    pdf: PdfLink

    @property
    def version(self) -> EntryTexts:
        """For templates written for earlier versions, which read `entry.version.title`."""
        return self.texts


@dataclass(frozen=True)
class Pagination:
    """Where a newsroom page stands in its series: page `page` of `pages`, newest first."""

    page: int
    pages: int
    newer: str | None  # the page before, with newer releases (relative URL)
    older: str | None  # the page after, with older releases


@dataclass(frozen=True)
class YearLink:
    """A year of the archive, as a link (or the page itself)."""

    year: int
    href: str
    current: bool


class SiteContext(TypedDict):
    organisation: str
    tagline: str | None
    contact: str | None
    base_url: str
    language: Language
    root: str  # relative path from the page to the site root, ending in "/" or empty
    generator: str
    logo: str | None  # URL of the organisation's logo, relative to the page (in PDFs: `urls.project_url`)
    logo_path: str | None  # the logo's place in the site ("static/logo.png"), for `url(…, absolute=True)`
    embargoed: bool  # a page of the private pack: noindex, marked, no feeds
    preview: bool  # a page of the preview of the current sources: noindex, marked, no feeds


class PageContext(TypedDict):
    site: SiteContext
    canonical: str
    alternates: list[Alternate]
    x_default: str  # the page for visitors whose language is none of the alternates
    noindex: bool


class ReleasePageContext(PageContext):
    release: LocalisedRelease
    pdf: PdfLink
    json_ld: dict[str, Any]


class NewsroomContext(PageContext):
    entries: list[NewsroomEntry]
    pagination: Pagination
    year: int | None  # a page of the archive of this year; None: the newsroom, newest first
    years: list[YearLink]  # every year with releases, newest first
    feed: str  # the language's feed, relative to the page
    withdrawn: bool  # releases of this language were withdrawn: an empty list is not "none yet"


class RootContext(PageContext):
    choices: list[Markup]


class PdfContext(TypedDict):
    site: SiteContext
    release: LocalisedRelease


def css_string(text: str) -> Markup:
    """Quote `text` as a CSS string literal, safe inside a <style> element."""
    if isinstance(text, Markup):
        text = text.unescape()  # an escaped translation: CSS shows characters, not HTML
    escaped = "".join(ch if ch.isalnum() or ch in " .,;:!?-_()'’“”„«»/" else f"\\{ord(ch):x} " for ch in text)
    return Markup(f'"{escaped}"')


def counter_content(label: str) -> Markup:
    """Turn a translated 'Page %(page)s of %(pages)s' into CSS `content` with page counters."""
    if isinstance(label, Markup):
        label = label.unescape()
    parts: list[str] = []
    rest = label
    while rest:
        positions = [
            (rest.find(k), k, c)
            for k, c in (("%(page)s", "counter(page)"), ("%(pages)s", "counter(pages)"))
            if k in rest
        ]
        if not positions:
            parts.append(css_string(rest))
            break
        index, key, counter = min(positions)
        if index:
            parts.append(css_string(rest[:index]))
        parts.append(counter)
        rest = rest[index + len(key) :]
    return Markup(" ".join(parts))


class _CompiledTemplates(BytecodeCache):
    """Jinja2's compiled templates: in memory for every renderer of this process, and on disk.

    Each language has an environment of its own (its gettext), but they all compile a template to
    the same code, so it is compiled once, not once per language; and a new process (each `build`)
    reads it from `.pressgen-cache/templates/` instead of compiling it again. A template whose
    source changes has a new checksum and is compiled again.

    Compiled templates are code, and `.pressgen-cache/` is a folder a checkout can bring, so
    nothing found there runs unless this user's pressgen wrote it: each file has a keyed name
    and a seal (`cache.keyed`, `cache.seal`: an HMAC with a secret kept outside every project),
    checked before the code is unmarshalled; a file that is not a regular one, or whose seal is
    not this user's, is compiled anew. Of the three safe ways, `bench/templates_cache.py`
    measured (docs/performance.md) that keeping none (compiling every template in every build)
    costs some twenty times what loading them costs, and checking the seals about a tenth more
    than loading unchecked files, as a cache in the user's own folder would; that one would
    also leave the compiled code of every project ever built outside all of them, never
    cleaned with the project's cache. So: sealed files, in the project's cache.
    """

    memory: ClassVar[dict[tuple[str, str], bytes]] = {}
    MAGIC = b"pressgen compiled template 2 " + sys.version.encode() + b"\n"
    LIMIT = 16_000_000  # bytes: the compiled page templates are tens of kilobytes

    def __init__(self, config: Config):
        try:
            self.folder: Path | None = real_dir(config.cache_dir / "templates", config.root)
        except (PressgenError, OSError):  # a cache that cannot be written: compile in memory only
            self.folder = None

    def _file(self, bucket: Bucket) -> Path | None:
        return self.folder / f"{keyed('template', bucket.key)}.code" if self.folder is not None else None

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.memory.get((bucket.key, bucket.checksum))
        path = self._file(bucket)
        if data is None and path is not None:
            sealed = read_cached(path, self.LIMIT)
            data = unseal(path.name, sealed) if sealed is not None else None
        if data is None:
            return
        head = self.MAGIC + bucket.checksum.encode() + b"\n"
        if data.startswith(head):
            with contextlib.suppress(EOFError, ValueError, TypeError):  # not what this Python writes
                bucket.code = marshal.loads(data[len(head) :])

    def dump_bytecode(self, bucket: Bucket) -> None:
        data = self.MAGIC + bucket.checksum.encode() + b"\n" + marshal.dumps(bucket.code)
        if len(self.memory) > 256:
            self.memory.clear()
        self.memory[(bucket.key, bucket.checksum)] = data
        path = self._file(bucket)
        if path is not None:
            with contextlib.suppress(OSError):  # only a head start for the next build
                write_cached(path, seal(path.name, data))


class Renderer:
    """Render the project's templates in one language, with that language's interface catalog."""

    def __init__(
        self, config: Config, language: Language, interface: Catalog | None, draft: bool = False, pack: bool = False
    ):
        self.config = config
        self.language = language
        self.interface = interface
        self.draft = draft
        self.pack = pack  # rendering the embargoed pack

    @cached_property
    def translations(self) -> Translations:
        # A translation whose placeholders differ from its source's would break the page (it is a
        # check error, so only drafts can meet one): it falls back to the source text.
        usable = None
        if self.interface is not None:
            usable = Catalog(locale=self.interface.locale)
            for message in self.interface:
                if message.id and _same_placeholders(message.id, message.string):
                    usable[message.id] = message
        return translations(usable, use_fuzzy=self.draft)

    @cached_property
    def env(self) -> Environment:
        env = Environment(
            loader=FileSystemLoader(self.config.templates_dir),
            bytecode_cache=_CompiledTemplates(self.config),
            autoescape=True,
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # Jinja marks a translation as safe markup, then formats it; a translation is text from a
        # catalog, never markup, so it is escaped first (the variables are escaped by formatting).
        translations = self.translations
        env.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=lambda text: escape(translations.gettext(text)),
            ngettext=lambda one, many, n: escape(translations.ngettext(one, many, n)),
            pgettext=lambda context, text: escape(translations.pgettext(context, text)),
            npgettext=lambda context, one, many, n: escape(translations.npgettext(context, one, many, n)),
            newstyle=True,
        )
        env.filters["css_string"] = css_string
        env.filters["counter_content"] = counter_content
        env.filters.update(FILTERS)
        env.globals.update(GLOBALS)
        return env

    def site(self, page: urls.Place, for_pdf: bool = False) -> SiteContext:
        """Return what every template knows of the site, for a document at `page`."""
        org = self.config.organisation
        logo = logo_path = None
        if org.logo is not None:
            logo_path = urls.static(org.logo.name).path
            if for_pdf:
                logo = urls.project_url(org.logo.relative_to(self.config.root).as_posix())
            else:
                logo = urls.static(org.logo.name).relative_to(page)
        return SiteContext(
            organisation=org.name(self.language.code),
            tagline=org.tagline(self.language.code),
            contact=org.contact,
            base_url=self.config.base_url,
            language=self.language,
            root=page.root_from(),
            generator=f"pressgen {__version__}",
            logo=logo,
            logo_path=logo_path,
            embargoed=self.pack,
            preview=self.draft,
        )

    def gettext(self, text: str) -> str:
        """Return the interface translation of `text` in this renderer's language."""
        return str(self.translations.gettext(text))

    def render_markup(self, name: str, context: Any) -> Markup:
        """Render a template fragment for inclusion in another page."""
        return Markup(self.render(name, context).strip())

    def render(self, name: str, context: Any) -> str:
        """Render template `name`; template errors become errors with the template's path and line."""
        try:
            return self.env.get_template(name).render(context)
        except TemplateSyntaxError as exc:
            path = self.config.templates_dir / (exc.name or name)
            raise PressgenError(f"template syntax error: {exc.message}", path, exc.lineno) from None
        except TemplateNotFound as exc:
            raise PressgenError(f"template '{exc.name}' not found", self.config.templates_dir) from None
        except TemplateError as exc:
            path, line = _template_position(exc, self.config.templates_dir / name)
            raise PressgenError(f"template error: {exc}", path, line) from None


def _same_placeholders(source: object, target: object) -> bool:
    if not isinstance(source, str) or not isinstance(target, str):
        return False
    return sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target))


def _template_position(exc: Exception, fallback: Any) -> tuple[Any, int | None]:
    """Find the template file and line of an error raised while rendering."""
    tb = exc.__traceback__
    path, line = fallback, None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            path, line = filename, tb.tb_lineno
        tb = tb.tb_next
    return path, line
