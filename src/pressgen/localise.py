"""Localisation: one release in one language, with its texts translated and dates formatted."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from markupsafe import Markup

from pressgen.catalogs import lookup
from pressgen.config import Config, Language
from pressgen.images import ImageFile, image_file
from pressgen.markup import quote_marks
from pressgen.releases import Release, VersionOf
from pressgen.segment import Figure, body_assets, is_message, render_body, render_inline, render_markdown


@dataclass(frozen=True)
class ImageView:
    """A picture of the release with its translated texts and what its original file is."""

    src: str
    alt: str
    caption: Markup | None
    credit: str | None
    file: ImageFile | None = None  # pixel size, format and bytes of the original; None if unreadable


@dataclass(frozen=True)
class ContactView:
    name: str
    role: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class UpdateView:
    """One update of a published version, as its readers see it: "Updated DATE: note"."""

    at: dt.datetime
    date_text: str
    note: str


@dataclass(frozen=True)
class LagView:
    """A translation that reflects an earlier version of its source, which was updated since."""

    reflects_text: str  # the date of the source version it translates
    updated_text: str  # the date the source was last updated
    source_name: str  # the source language's name in the reader's language ("Engels" on a Dutch page)
    source_lang: str
    href: str  # the current source version's page, relative to this page
    url: str  # the same, absolute (for the PDF)


@dataclass(frozen=True)
class WithdrawnView:
    date_text: str
    reason: str
    reason_lang: str  # the reason is written in the release's source language


@dataclass(frozen=True)
class LocalisedRelease(VersionOf):
    """Everything a template shows of one release in one language."""

    release: Release
    language: Language
    title: str
    subtitle: str | None
    summary: Markup | None
    summary_text: str | None
    location: str | None
    date_text: str
    body: tuple[Markup | ImageView, ...]  # HTML, and the pictures that stand alone in the body
    image: ImageView | None
    contacts: tuple[ContactView, ...]
    notes: Markup | None
    embargo_text: str | None
    draft: bool  # an unapproved translation, in a preview
    preview: bool = False  # rendered from the current sources, not from the publication record
    published: dt.datetime | None = None  # when it became public (the record's first publication)
    modified: dt.datetime | None = None  # its last update, if any
    updates: tuple[UpdateView, ...] = ()
    lag: LagView | None = None
    withdrawn: WithdrawnView | None = None
    keep_metadata: bool = False  # its pictures are published as they are, metadata and all

    @property
    def images(self) -> list[ImageView]:
        """Return every picture the release shows, each file once: its image, then the body's."""
        found = [self.image] if self.image is not None else []
        found += [part for part in self.body if isinstance(part, ImageView)]
        # Pictures inside a list or a sentence have no caption or credit of their own.
        found += [
            ImageView(src, "", None, None, image_file(self.release.folder / src, self.keep_metadata))
            for src, _ in body_assets(self.release)
        ]
        first: dict[str, ImageView] = {}
        for view in found:
            first.setdefault(view.src, view)
        return list(first.values())


def format_release_date(date: dt.date, language: Language) -> str:
    """Return a release date as the language writes it (17 May 2024, 17 mei 2024, 17 mai 2024)."""
    return format_date(date, "long", locale=language.locale)


def format_day(moment: dt.datetime, language: Language, config: Config) -> str:
    """Return the day of a moment in the site's time zone, as the language writes dates."""
    return format_release_date(moment.astimezone(config.timezone).date(), language)


@dataclass(frozen=True)
class MomentStyle:
    """How a language writes a date, time and time zone in running text (CLDR patterns)."""

    pattern: str  # the date and time, e.g. "d MMMM y, HH:mm"
    zone: str  # "zzzz" names summer time ("Central European Summer Time"), "vvvv" does not
    lower_zone: bool = False  # CLDR capitalises zone names for standing alone; a sentence may not


DEFAULT_MOMENT_STYLE = MomentStyle("d MMMM y, HH:mm", "zzzz")

# Press offices' house styles, by language code. Dutch government writes "09.00 uur". Romanian
# ministries write "ora 09:00 (ora Europei Centrale)": the zone's generic name, right in summer and
# winter alike, rather than Babel's specific "Ora de vară a Europei Centrale".
MOMENT_STYLES: dict[str, MomentStyle] = {
    "nl": MomentStyle("d MMMM y, HH.mm 'uur'", "zzzz"),
    "ro": MomentStyle("d MMMM y, 'ora' HH:mm", "vvvv", lower_zone=True),
}


def format_moment(moment: dt.datetime, language: Language, config: Config) -> str:
    """Return a date, time and time zone in the site's zone, as the language writes them."""
    style = MOMENT_STYLES.get(language.code, DEFAULT_MOMENT_STYLE)
    local = moment.astimezone(config.timezone)
    when = format_datetime(local, style.pattern, tzinfo=config.timezone, locale=language.locale)
    zone = format_datetime(local, style.zone, tzinfo=config.timezone, locale=language.locale)
    if style.lower_zone:
        zone = zone[:1].lower() + zone[1:]
    return f"{when} ({zone})"


def smart_quotes(text: str, lang: str, quotes: str | None = None) -> str:
    """Replace straight quotes in plain text by the language's quote marks (`quotes`: configured ones)."""
    marks = quote_marks(lang, quotes)
    open_double, close_double, open_single, close_single = (marks[0], marks[1], marks[2], marks[3])
    text = re.sub(r'(^|[\s(\[{\u2014\u2013-])"', lambda m: m.group(1) + open_double, text)
    text = text.replace('"', close_double)
    text = re.sub(r"(^|[\s(\[{\u2014\u2013-])'", lambda m: m.group(1) + open_single, text)
    if close_single != "\u2019":
        text = re.sub(r"(?<=\w)'(?=\w)", "\u2019", text)  # an apostrophe, not a closing quote
    return text.replace("'", close_single)


def localise_release(
    release: Release,
    language: Language,
    catalog: Catalog | None,
    config: Config,
    draft: bool = False,
) -> LocalisedRelease:
    """Translate and format a release for one language; missing texts fall back to the source
    only in drafts (the publish gate keeps incomplete versions out otherwise)."""
    code, quotes = language.code, language.quotes
    is_source = code == release.lang
    keep_metadata = config.keeps_picture_metadata(release.picture_metadata)

    def translate(text: str) -> str:
        if is_source or not is_message(text):
            return text
        found = lookup(catalog, text, use_fuzzy=draft)
        if found is None:
            if not draft:
                raise KeyError(f"no approved translation for {text!r}")
            return text
        return found

    def field(text: str | None) -> str | None:
        return smart_quotes(translate(" ".join(text.split())), code, quotes) if text else None

    def markdown(text: str | None) -> Markup | None:
        return Markup(render_markdown(text, code, translate, quotes)) if text else None

    def figure(part: str | Figure) -> Markup | ImageView:
        if isinstance(part, str):
            return Markup(part)
        caption = smart_quotes(part.caption, code, quotes) if part.caption else None
        return ImageView(
            src=part.src,
            alt=part.alt,
            caption=Markup(render_inline(caption, code, quotes)) if caption else None,
            credit=part.credit,
            file=image_file(release.folder / part.src, keep_metadata),
        )

    image = None
    if release.image is not None:
        caption = field(release.image.caption)
        image = ImageView(
            src=release.image.src,
            alt=field(release.image.alt) or "",
            caption=Markup(render_inline(caption, code, quotes)) if caption else None,
            credit=field(release.image.credit),
            file=image_file(release.folder / release.image.src, keep_metadata),
        )
    summary = field(release.summary)
    return LocalisedRelease(
        release=release,
        language=language,
        title=field(release.title) or release.title,
        subtitle=field(release.subtitle),
        summary=Markup(render_inline(summary, code, quotes)) if summary else None,
        summary_text=_strip_inline_markup(summary) if summary else None,
        location=field(release.location),
        date_text=format_release_date(release.date, language),
        body=tuple(figure(part) for part in render_body(release.body, code, translate, quotes)),
        image=image,
        contacts=tuple(ContactView(c.name, field(c.role), c.email, c.phone) for c in release.contacts),
        notes=markdown(release.notes),
        embargo_text=format_moment(release.embargo, language, config) if release.embargo else None,
        draft=draft,
        keep_metadata=keep_metadata,
    )


def _strip_inline_markup(text: str) -> str:
    return re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", text)
