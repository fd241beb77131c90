"""Catalogs: gettext PO files through Babel, for releases and for the templates' interface.

`locales/<lang>/releases/<slug>.po` holds the messages of one release in one language;
`locales/<lang>/LC_MESSAGES/messages.po` holds the interface strings extracted from
`templates/` with Jinja2's Babel extractor. Templates (POT) are made in memory from the
sources each time; only the PO files live on disk, and they are written atomically.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Literal

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.support import Translations
from jinja2 import TemplateSyntaxError

from pressgen import __version__
from pressgen.config import Config, Language
from pressgen.errors import IGNORE_FLAG, PressgenError
from pressgen.msgfmt import is_format_flag
from pressgen.po import Fingerprint, Key, PoCatalog, fingerprint, key_of, read_po_file, write_po_file
from pressgen.releases import Release
from pressgen.segment import extract_messages

INTERFACE_DOMAIN = "messages"
# The language the templates are written in: it needs no interface catalog.
INTERFACE_SOURCE_LANG = "en"
# Which template files hold translatable strings, and how Babel reads them.
TEMPLATE_METHODS = [("**.html", "jinja2"), ("**.xml", "jinja2"), ("**.txt", "jinja2")]
TEMPLATE_OPTIONS = {pattern: {"silent": "false", "trimmed": "true"} for pattern, _ in TEMPLATE_METHODS}
# Translator comments that start with these mark the drafts `translate` wrote: by a machine
# translation provider, or from the translation memory (review shows them as such).
MT_COMMENT = "machine translation"
MEMORY_COMMENT = "translation memory"
# Fixed so that an unchanged source gives a byte-identical catalog.
EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class CatalogUpdate:
    """What `update_catalogs` did to one catalog file."""

    path: Path
    action: Literal["created", "updated", "unchanged"]
    new: int = 0
    fuzzy: int = 0
    obsolete: int = 0
    restored: int = 0  # messages that came back, with their obsolete translation


def catalogs_of(config: Config, language: Language) -> Iterator[tuple[Path, PoCatalog]]:
    """Yield every catalog of one language (releases and interface), read and checked."""
    folder = config.locales_dir / language.code
    for path in sorted(folder.rglob("*.po")) if folder.is_dir() else []:
        yield path, read_catalog(path, language)


def release_catalog_path(config: Config, lang: str, slug: str) -> Path:
    return config.locales_dir / lang / "releases" / f"{slug}.po"


def interface_catalog_path(config: Config, lang: str) -> Path:
    return config.locales_dir / lang / "LC_MESSAGES" / f"{INTERFACE_DOMAIN}.po"


def release_template(release: Release) -> Catalog:
    """Return the POT of a release: each message with its source line and what it is."""
    template = Catalog(fuzzy=False, project=release.slug, version=__version__, creation_date=EPOCH)
    for message in extract_messages(release):
        location = (message.ref or release.source_ref, message.line)
        existing = template.get(message.text)
        if existing is not None:
            existing.locations.append(location)
            continue
        added = template.add(message.text, locations=[location], auto_comments=[message.comment])
        # Release text is never formatted: "3.5 % in" only looks like Python's "% i".
        added.flags.clear()
    return template


def interface_template(config: Config) -> Catalog:
    """Return the POT of the interface strings in `templates/`, extracted by Jinja2's extractor."""
    template = Catalog(fuzzy=False, project="pressgen templates", version=__version__, creation_date=EPOCH)
    if not config.templates_dir.is_dir():
        return template
    current: list[str] = [""]  # the file being read, for the error message

    def reading(filename: str, method: str, options: dict[str, object]) -> None:
        current[0] = filename

    try:
        for filename, lineno, message, comments, context in extract_from_dir(
            config.templates_dir,
            method_map=TEMPLATE_METHODS,
            options_map=TEMPLATE_OPTIONS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
            callback=reading,
        ):
            added = template.add(
                message, None, [(f"templates/{filename}", lineno)], auto_comments=comments, context=context
            )
            # Only named placeholders are formatted (Jinja2's i18n); Babel also guesses from "% i" and "{0}".
            added.flags = {"python-format"} if _is_python_format(message) else set()
    except TemplateSyntaxError as exc:
        path = config.templates_dir / (exc.name or current[0])
        raise PressgenError(f"template syntax error: {exc.message}", path, exc.lineno) from None
    return template


_PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")


def _is_python_format(message: str | tuple[str, ...]) -> bool:
    texts = message if isinstance(message, tuple) else (message,)
    return any(_PLACEHOLDER.search(text) for text in texts)


def read_catalog(path: Path, language: Language) -> PoCatalog:
    """Read a PO file; a syntax error or a catalog of another language is an error with its line."""
    try:
        catalog = read_po_file(path, language.locale)
    except FileNotFoundError:
        raise PressgenError("catalog not found (run 'pressgen update')", path) from None
    fields = dict(catalog.header_fields)
    declared = fields.get("Language")
    if declared and declared.replace("-", "_").split("_")[0] != language.locale.language:
        raise PressgenError(
            f"catalog declares Language '{declared}' but lives under locales/{language.code}/",
            path,
            catalog.header_lines.get("Language"),
        )
    expected = get_plural(language.locale).num_plurals
    if "Plural-Forms" in fields and catalog.num_plurals != expected:
        raise PressgenError(
            f"Plural-Forms has nplurals={catalog.num_plurals}, but {language.name} has {expected} plural forms",
            path,
            catalog.header_lines.get("Plural-Forms"),
        )
    for message in catalog:
        if message.id and isinstance(message.string, tuple) and len(message.string) != expected:
            raise PressgenError(
                f"{len(message.string)} plural translations, but {language.name} has {expected} plural forms",
                path,
                message.lineno,
            )
    return catalog


def sync_catalog(path: Path, template: Catalog, language: Language, header: str) -> CatalogUpdate:
    """Create or update one catalog from its template; write only when something changed.

    Changed messages become fuzzy with their previous msgid and old translation, returning ones
    get their obsolete translation back, new ones arrive empty, removed ones become obsolete.
    Nothing is deleted.
    """
    if not path.exists() and not path.is_symlink():
        catalog = Catalog(
            locale=language.locale,
            fuzzy=False,
            project=template.project,
            version=template.version,
            header_comment=header,
            creation_date=template.creation_date,
            revision_date=template.creation_date,
            language_team=f"{language.name} <LL@li.org>".replace("LL", language.code),
        )
        merged = merge(catalog, template)
        write_po_file(path, catalog)
        return CatalogUpdate(path, "created", new=merged.new)
    catalog = read_catalog(path, language)
    before = _state(catalog)
    merged = merge(catalog, template)
    if _state(catalog) == before and catalog.header_msgstr:
        return CatalogUpdate(path, "unchanged")
    if not catalog.header_msgstr:
        # GNU msgfmt refuses a catalog without a header entry: give it the one `update` creates.
        catalog.header_text, catalog.header_comment = "", header
        catalog.project, catalog.version = template.project, template.version
        catalog.language_team = f"{language.name} <{language.code}@li.org>"
    catalog.creation_date = dt.datetime.now(dt.UTC).replace(microsecond=0)
    write_po_file(path, catalog)
    return CatalogUpdate(
        path, "updated", new=merged.new, fuzzy=merged.fuzzy, obsolete=merged.obsolete, restored=merged.restored
    )


def _state(catalog: Catalog) -> list[Fingerprint]:
    """Return what a catalog says, message by message, to tell whether an update changed it."""
    return [fingerprint(m) for m in catalog if m.id] + [(None, *fingerprint(m)) for m in catalog.obsolete.values()]


@dataclass(frozen=True)
class Merged:
    """What `merge` did: messages that are new, newly fuzzy, newly obsolete, or restored from obsolete."""

    new: int
    fuzzy: int
    obsolete: int
    restored: int


def merge(catalog: Catalog, template: Catalog) -> Merged:
    """Bring a catalog in line with its template, as GNU msgmerge does.

    A message of the template that the catalog has keeps its translation; one that the catalog
    has as obsolete gets its translation back; one that resembles a translated message (the
    same words, a close text) gets that translation, marked fuzzy, with the old msgid as its
    previous msgid; the rest arrive empty. Messages the template no longer has become obsolete.
    Format flags follow the template: the text decides, not the old catalog; a message that
    becomes fuzzy loses its `ignore-<check>` flags, which accepted findings on the old text. Babel's
    `Catalog.update` compares every new message with every old one (minutes for 10,000 changed
    messages), keeps the flags of old messages and ignores obsolete ones, hence this function.
    """
    active = {key_of(m): m for m in catalog if m.id}
    obsolete = dict(catalog.obsolete)
    fuzzy = _FuzzyIndex([m for m in active.values() if m.string] + [m for m in obsolete.values() if m.string])
    result: list[Message] = []
    used: set[Key] = set()
    new = became_fuzzy = restored = 0
    for wanted in template:
        if not wanted.id:
            continue
        key = key_of(wanted)
        if key in active:
            result.append(_merged(wanted, active[key], exact=True))
            used.add(key)
        elif key in obsolete:
            result.append(_merged(wanted, obsolete.pop(key), exact=True))
            restored += 1
        else:
            match = fuzzy.best(wanted)
            if match is None:
                result.append(_fresh(wanted, catalog.num_plurals))
                new += 1
            else:
                result.append(_merged(wanted, match, exact=False))
                used.add(key_of(match))
                became_fuzzy += 1
    gone = [m for key, m in active.items() if key not in used]
    for message in gone:
        message.lineno = None
    if isinstance(catalog, PoCatalog):
        catalog.replace_messages(result, [*obsolete.values(), *gone])
    else:
        for message in result:
            catalog[message.id] = message
        for message in gone:
            catalog.obsolete[key_of(message)] = message
    return Merged(new, became_fuzzy, len(gone), restored)


def _fresh(wanted: Message, plurals: int) -> Message:
    message = wanted.clone()
    message.string = ("",) * plurals if isinstance(wanted.id, (list, tuple)) else ""
    message.flags = set(wanted.flags)  # clone() lets Babel guess format flags again
    return message


def _merged(wanted: Message, old: Message, exact: bool) -> Message:
    """Return the template's message with the old message's translation, comments and flags."""
    string = old.string
    fuzzy = not exact
    if isinstance(wanted.id, (list, tuple)) and not isinstance(string, (list, tuple)):
        string, fuzzy = (string or "", *[""] * (len(wanted.id) - 1)), True
    elif not isinstance(wanted.id, (list, tuple)) and isinstance(string, (list, tuple)):
        string, fuzzy = string[0], True
    if exact:
        # Like msgmerge: a previous msgid (`#|`) belongs to a fuzzy message; once a translator
        # approved the message (removed `fuzzy`), the old text it was compared with goes.
        previous = list(old.previous_id) if "fuzzy" in old.flags else []
    else:
        # Like msgmerge: the translation was made for the oldest text it was fuzzy against.
        old_fuzzy = "fuzzy" in old.flags and old.previous_id
        previous = list(old.previous_id) if old_fuzzy else ([old.id] if isinstance(old.id, str) else list(old.id))
    message = Message(
        wanted.id,
        string,
        locations=wanted.locations,
        auto_comments=wanted.auto_comments,
        user_comments=old.user_comments,
        previous_id=previous,
        lineno=old.lineno if exact else None,
        context=wanted.context,
    )
    # Only the template says what format a text is in: a flag a tool or a person added goes.
    message.flags = {f for f in old.flags if not is_format_flag(f)} | {f for f in wanted.flags if is_format_flag(f)}
    if fuzzy:
        # A reviewer's acceptance (`ignore-<check>`) was given for the old text: it goes with it.
        message.flags = {f for f in message.flags if not f.startswith(IGNORE_FLAG)} | {"fuzzy"}
    return message


class _FuzzyIndex:
    """Find, for a new msgid, the translated old message it most resembles, in near-linear time.

    Candidates are the old messages sharing the new text's rarest words; only the few with the
    most shared words are compared character by character (difflib, Babel's 0.6 cutoff).
    """

    CUTOFF = 0.6
    COMPARED = 5  # candidates compared in full, per new message
    VISITS = 2000  # postings read per new message
    LONG = 4000  # texts longer than this are compared by their letters only (difflib is quadratic)

    def __init__(self, candidates: list[Message]):
        self.candidates = candidates
        self.texts = [_fuzzy_text(m) for m in candidates]
        self.postings: dict[str, list[int]] = {}
        for number, text in enumerate(self.texts):
            for word in set(_WORD.findall(text)):
                self.postings.setdefault(word, []).append(number)

    def best(self, wanted: Message) -> Message | None:
        text = _fuzzy_text(wanted)
        words = sorted(set(_WORD.findall(text)), key=lambda w: len(self.postings.get(w, ())))
        shared: dict[int, int] = {}
        visits = 0
        for word in words:
            posting = self.postings.get(word, [])
            if visits and visits + len(posting) > self.VISITS:
                break
            visits += len(posting)
            for number in posting:
                shared[number] = shared.get(number, 0) + 1
        ranked = sorted(shared, key=lambda n: (-shared[n], n))[: self.COMPARED]
        best, best_score = None, self.CUTOFF
        matcher = SequenceMatcher(autojunk=False)
        matcher.set_seq2(text)
        for number in ranked:
            matcher.set_seq1(self.texts[number])
            if matcher.real_quick_ratio() < best_score or matcher.quick_ratio() < best_score:
                continue
            long = len(text) > self.LONG or len(self.texts[number]) > self.LONG
            score = matcher.quick_ratio() if long else matcher.ratio()
            if score >= best_score and (best is None or score > best_score):
                best, best_score = number, score
        return self.candidates[best] if best is not None else None


_WORD = re.compile(r"\w+")


def _fuzzy_text(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, (list, tuple)) else message.id).lower().strip()


def update_catalogs(
    config: Config, releases: Iterable[Release], langs: Iterable[str] | None = None
) -> list[CatalogUpdate]:
    """Create and sync every catalog: one per release and target language, and the interface."""
    wanted = list(langs) if langs is not None else list(config.codes)
    results: list[CatalogUpdate] = []
    interface = interface_template(config)
    for code in wanted:
        language = config.language(code)
        if code != INTERFACE_SOURCE_LANG:
            results.append(
                sync_catalog(
                    interface_catalog_path(config, code),
                    interface,
                    language,
                    f"# {language.name} translation of the pressgen templates' interface.\n#",
                )
            )
    for release in releases:
        template = release_template(release)
        for code in wanted:
            if code == release.lang:
                continue
            language = config.language(code)
            results.append(
                sync_catalog(
                    release_catalog_path(config, code, release.slug),
                    template,
                    language,
                    f"# {language.name} translation of {release.source_ref}\n#",
                )
            )
    return results


def translations(catalog: Catalog | None, use_fuzzy: bool = False) -> Translations:
    """Return gettext translations made from a catalog in memory (fuzzy ones only for drafts)."""
    if catalog is None:
        return Translations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=use_fuzzy)
    buffer.seek(0)
    return Translations(fp=buffer)


def lookup(catalog: Catalog | None, text: str, use_fuzzy: bool = False) -> str | None:
    """Return the approved translation of `text` (or a fuzzy one if `use_fuzzy`), or None."""
    if catalog is None:
        return None
    message: Message | None = catalog.get(text)
    if message is None or not message.string or not isinstance(message.string, str):
        return None
    if message.fuzzy and not use_fuzzy:
        return None
    return message.string
