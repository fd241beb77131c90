"""Catalogs: gettext PO files through Babel, for releases and for the templates' interface.

`locales/<lang>/releases/<slug>.po` holds the messages of one release in one language;
`locales/<lang>/LC_MESSAGES/messages.po` holds the interface strings extracted from
`templates/` with Jinja2's Babel extractor. Templates (POT) are made in memory from the
sources each time; only the PO files live on disk, and they are written atomically.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, denormalize, generate_po, normalize, read_po
from babel.support import Translations
from jinja2 import TemplateSyntaxError

from pressgen import __version__
from pressgen.config import Config, Language
from pressgen.errors import PressgenError
from pressgen.releases import Release
from pressgen.segment import extract_messages

INTERFACE_DOMAIN = "messages"
# The language the templates are written in: it needs no interface catalog.
INTERFACE_SOURCE_LANG = "en"
# Which template files hold translatable strings, and how Babel reads them.
TEMPLATE_METHODS = [("**.html", "jinja2"), ("**.xml", "jinja2"), ("**.txt", "jinja2")]
TEMPLATE_OPTIONS = {pattern: {"silent": "false", "trimmed": "true"} for pattern, _ in TEMPLATE_METHODS}
# Fixed so that an unchanged source gives a byte-identical catalog.
EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class CatalogUpdate:
    """What `update_catalogs` did to one catalog file."""

    path: Path
    action: str  # "created", "updated" or "unchanged"
    new: int = 0
    fuzzy: int = 0
    obsolete: int = 0


def catalogs_of(config: Config, language: Language) -> Iterator[tuple[Path, Catalog]]:
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
        existing = template.get(message.text)
        if existing is not None:
            existing.locations.append((release.source_ref, message.line))
            continue
        template.add(
            message.text,
            locations=[(release.source_ref, message.line)],
            auto_comments=[message.comment],
        )
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
            template.add(
                message,
                None,
                [(f"templates/{filename}", lineno)],
                auto_comments=comments,
                context=context,
                flags=("python-format",) if _is_python_format(message) else (),
            )
    except TemplateSyntaxError as exc:
        path = config.templates_dir / (exc.name or current[0])
        raise PressgenError(f"template syntax error: {exc.message}", path, exc.lineno) from None
    return template


def _is_python_format(message: str | tuple[str, ...]) -> bool:
    texts = message if isinstance(message, tuple) else (message,)
    return any("%(" in text for text in texts)


def read_catalog(path: Path, language: Language) -> Catalog:
    """Read a PO file; a syntax error or a catalog of another language is an error with its line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PressgenError("catalog not found (run 'pressgen update')", path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PressgenError("catalog is not valid UTF-8", path, line) from None
    _check_strings(text, path)
    text, previous = _take_previous_ids(text)
    try:
        catalog = read_po(io.StringIO(text), locale=language.locale, abort_invalid=True)
    except PoFileError as exc:
        reason = str(exc).rsplit(" on ", 1)[0]
        raise PressgenError(f"invalid PO syntax: {reason}", path, exc.lineno + 1) from None
    except (ValueError, SyntaxError) as exc:
        raise PressgenError(f"invalid PO file: {exc}", path) from None
    for message in [*catalog, *catalog.obsolete.values()]:
        if message.lineno in previous:
            message.previous_id = previous[message.lineno]
    _check_entries(text, path, catalog, language)
    declared = catalog.mime_headers and dict(catalog.mime_headers).get("Language")
    if declared and declared.replace("-", "_").split("_")[0] != language.locale.language:
        raise PressgenError(
            f"catalog declares Language '{declared}' but lives under locales/{language.code}/",
            path,
            _header_line(data, b'"Language:'),
        )
    return catalog


_STRING = r'"(?:[^"\\]|\\.)*"'
_KEYWORD_LINE = re.compile(rf"^(?:#~\s*)?(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+{_STRING}\s*$")
_CONTINUATION_LINE = re.compile(rf"^(?:#~\s*)?{_STRING}\s*$")


def _check_strings(text: str, path: Path) -> None:
    """Refuse badly quoted strings, which Babel would read silently as something else."""
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or (stripped.startswith("#") and not stripped.startswith("#~")):
            continue
        body = stripped[2:].strip() if stripped.startswith("#~") else stripped
        if not body or body.startswith("#"):
            continue
        keyword = body.split(" ", 1)[0].split("[", 1)[0]
        if body.startswith('"'):
            valid = _CONTINUATION_LINE.match(stripped)
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            valid = _KEYWORD_LINE.match(stripped)
        else:
            continue  # Babel reports unknown keywords itself
        if not valid:
            raise PressgenError("invalid PO syntax: unterminated or badly escaped string", path, number)


def _check_entries(text: str, path: Path, catalog: Catalog, language: Language) -> None:
    """Refuse duplicate messages (Babel keeps one silently) and plural forms of another language."""
    seen: dict[tuple[str, str], int] = {}
    context, msgid, start, keyword = "", "", 0, ""
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line.startswith("#") or not line:
            continue
        word, _, rest = line.partition(" ")
        if word in ("msgctxt", "msgid", "msgid_plural") or word.startswith("msgstr"):
            if word == "msgid":
                msgid, start = "", number
            if word == "msgctxt":
                context = ""
            keyword, line = word, rest
        if keyword in ("msgctxt", "msgid") and line.startswith('"'):
            piece = denormalize(line)
            if keyword == "msgid":
                msgid += piece
            else:
                context += piece
        elif keyword.startswith("msgstr") and msgid and word.startswith("msgstr"):
            key = (context, msgid)
            if key in seen:
                raise PressgenError(f"duplicate message (first at line {seen[key]})", path, start)
            seen[key] = start
            context, msgid = "", ""
    expected = get_plural(language.locale).num_plurals
    if catalog.num_plurals != expected:
        raise PressgenError(
            f"Plural-Forms has nplurals={catalog.num_plurals}, but {language.name} has {expected} plural forms",
            path,
            _header_line(text.encode("utf-8"), b'"Plural-Forms:'),
        )
    for message in catalog:
        if message.id and isinstance(message.string, tuple) and len(message.string) != expected:
            raise PressgenError(
                f"{len(message.string)} plural translations, but {language.name} has {expected} plural forms",
                path,
                message.lineno,
            )


def _take_previous_ids(text: str) -> tuple[str, dict[int, list[str]]]:
    """Blank out the `#|` previous-msgid comments, returning them by the line of their msgid.

    Babel reads `#|` lines as translator comments (and would write them back as `# |`), so
    pressgen reads them itself; blanking keeps every other line number as it was.
    """
    lines = text.split("\n")
    previous: dict[int, list[str]] = {}
    pending: dict[str, list[str]] = {}
    key = ""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("#|"):
            body = stripped[2:].strip()
            if body.startswith(("msgid_plural ", "msgid ", "msgctxt ")):
                key, _, body = body.partition(" ")
            pending.setdefault(key, []).append(body.strip())
            lines[index] = ""
        elif pending and stripped.startswith("msgid "):
            ids = [denormalize("\n".join(pending[k])) for k in ("msgid", "msgid_plural") if k in pending]
            previous[index + 1] = ids
            pending = {}
        elif pending and stripped and not stripped.startswith(("#", "msgctxt")):
            pending = {}
    return "\n".join(lines), previous


def _header_line(data: bytes, needle: bytes) -> int | None:
    index = data.find(needle)
    return data[:index].count(b"\n") + 1 if index >= 0 else None


def serialise(catalog: Catalog, width: int = 76) -> bytes:
    """Return the PO text of a catalog, with previous msgids (`#|`) and obsolete messages kept.

    Babel writes a long previous msgid as one wrapped comment of quoted pieces, which neither
    GNU gettext nor Babel reads back; pressgen writes it the way msgmerge does.
    """
    text = "".join(generate_po(catalog, width=width, include_previous=False, ignore_obsolete=False))
    blocks = text.split("\n\n")
    messages = [m for m in catalog if m.id]
    offset = 1  # blocks[0] is the header
    for number, message in enumerate(messages):
        if not message.previous_id:
            continue
        block = blocks[offset + number].split("\n")
        at = next(i for i, line in enumerate(block) if line.startswith(("msgctxt ", "msgid ")))
        comment: list[str] = []
        for keyword, previous in zip(("msgid", "msgid_plural"), message.previous_id, strict=False):
            pieces = normalize(previous, width=width).split("\n")
            comment.append(f"#| {keyword} {pieces[0]}")
            comment.extend(f"#| {piece}" for piece in pieces[1:])
        blocks[offset + number] = "\n".join(block[:at] + comment + block[at:])
    return "\n\n".join(blocks).encode(catalog.charset or "utf-8", "backslashreplace")


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename, so no reader sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sync_catalog(path: Path, template: Catalog, language: Language, header: str) -> CatalogUpdate:
    """Create or update one catalog from its template; write only when something changed.

    Changed messages become fuzzy with their previous msgid and old translation (Babel's fuzzy
    matching), new ones arrive empty, removed ones become obsolete. Nothing is deleted.
    """
    if not path.exists():
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
        catalog.update(template)
        write_atomic(path, serialise(catalog))
        return CatalogUpdate(path, "created", new=len(template))
    before = path.read_bytes()
    catalog = read_catalog(path, language)
    old_obsolete = set(catalog.obsolete)
    old_ids = {message.id for message in catalog if message.id}
    kept_previous = {m.id: m.previous_id for m in catalog if m.id and m.fuzzy and m.previous_id}
    catalog.update(template, update_creation_date=False)
    for message in catalog:
        # Babel drops the previous msgid of a message that is still fuzzy from an earlier update.
        if message.fuzzy and not message.previous_id and message.id in kept_previous:
            message.previous_id = kept_previous[message.id]
    after = serialise(catalog)
    if after == before or _same_messages(after, before):
        return CatalogUpdate(path, "unchanged")
    catalog.creation_date = dt.datetime.now(dt.UTC).replace(microsecond=0)
    write_atomic(path, serialise(catalog))
    messages = [m for m in catalog if m.id]
    return CatalogUpdate(
        path,
        "updated",
        new=sum(1 for m in messages if m.id not in old_ids and not m.string),
        fuzzy=sum(1 for m in messages if m.id not in old_ids and m.fuzzy),
        obsolete=len(set(catalog.obsolete) - old_obsolete),
    )


def _same_messages(a: bytes, b: bytes) -> bool:
    """Compare two PO texts ignoring the POT-Creation-Date header line."""

    def strip(data: bytes) -> list[bytes]:
        return [line for line in data.splitlines() if not line.startswith(b'"POT-Creation-Date:')]

    return strip(a) == strip(b)


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
