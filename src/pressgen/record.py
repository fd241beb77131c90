"""The publication record: what the organisation published, in which languages, when, and every update.

`published/<slug>/record.toml` is written by `pressgen publish` and `pressgen withdraw` and
committed with the sources, so that a fresh clone publishes exactly the same site. Beside it,
one folder per published language holds that version's texts as they were published (see
`publishing.py`); the public build renders those, never the current sources.

```toml
[en]                                        # the source language version
published = 2024-05-17T00:00:00+02:00       # first publication
text = "sha256:…"                           # digest of the texts as published

[[en.updates]]                              # each republication, oldest first
at = 2026-11-28T10:00:00+01:00
note = "Corrected the minister's title."   # absent for a minor correction

[nl]                                        # a translation
published = 2024-05-17T00:00:00+02:00
text = "sha256:…"
source = "sha256:…"                         # the source version it translates: lags if not en's text

[withdrawn]
at = 2026-12-01T09:00:00+01:00
reason = "Published in error."

[withdrawn.translations]                    # the reason as each translation shows it, once approved
nl = "Ten onrechte gepubliceerd."
```

The record of a release changes in one step (`rewriting`): its new `record.toml` and texts are
made in a folder beside it, and that folder is swapped in for the release's with one atomic
exchange, so that a reader, or a `publish` killed at any moment, sees either the old record or
the new one, whole.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pressgen.config import Config
from pressgen.errors import PressgenError, Problems
from pressgen.files import WRITE_FAILURES, exchange, read_regular, real_dir

if TYPE_CHECKING:
    from tomlkit.items import Item

RECORD_DIR = "published"
RECORD_NAME = "record.toml"
INTERFACE_DIR = "interface"  # published/interface/<lang>.po: the interface strings as last approved
MAX_RECORD_BYTES = 2_000_000
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
VERSION_KEYS = ("published", "text", "source", "updates")
UPDATE_KEYS = ("at", "note")
WITHDRAWN_KEYS = ("at", "reason", "translations")
# A record holds no inline arrays or tables; tomllib parses nested ones by recursion, so a hand-made
# record nested thousands deep would exhaust Python's stack: refused before it is parsed.
MAX_NESTING = 16
RECORD_HEADER = """\
Publication record of releases/{slug}/release.md
Written by `pressgen publish` and `pressgen withdraw`: which language versions are public,
since when, and every update. Commit it with the sources. Each version's texts, as published,
are in the folder of its language code beside this file: `pressgen build` publishes those."""
# The folders an act makes beside a release's record (`rewriting`): `.SLUG.RANDOM.tmp`.
_STAGE = re.compile(r"\.\d{4}-\d{2}-\d{2}-[a-z0-9-]+\.[A-Za-z0-9_]+\.tmp")


@dataclass(frozen=True)
class Update:
    """One republication of a language version, with its change note (None: a minor correction)."""

    at: dt.datetime
    note: str | None = None
    line: int | None = None  # where the note is in record.toml


@dataclass(frozen=True)
class VersionRecord:
    """What is recorded of one language version of a release."""

    lang: str
    published: dt.datetime
    text: str  # digest of its texts as published
    source: str | None = None  # translations: the digest of the source version they translate
    updates: tuple[Update, ...] = ()
    line: int | None = None

    @property
    def changed(self) -> dt.datetime:
        """Return when this version last changed: its last update, else its first publication."""
        return self.updates[-1].at if self.updates else self.published


@dataclass(frozen=True)
class Withdrawal:
    """When a release was withdrawn, and why: in its source language, and as translations show it."""

    at: dt.datetime
    reason: str
    translations: dict[str, str] = field(default_factory=dict)  # language → the approved translation
    line: int | None = None  # where the reason is in record.toml

    def reason_in(self, lang: str) -> tuple[str, bool]:
        """Return the reason as language `lang` shows it, and whether it is translated."""
        translated = self.translations.get(lang)
        return (translated, True) if translated is not None else (self.reason, False)

    def was_public(self, public_at: dt.datetime) -> bool:
        """Tell whether a version that became public at `public_at` was public before it was withdrawn."""
        return public_at <= self.at


@dataclass(frozen=True)
class ReleaseRecord:
    """The publication record of one release."""

    slug: str
    path: Path
    versions: dict[str, VersionRecord] = field(default_factory=dict)
    withdrawn: Withdrawal | None = None

    def version(self, lang: str) -> VersionRecord | None:
        return self.versions.get(lang)

    def lags(self, lang: str, source_lang: str) -> bool:
        """Tell whether a recorded translation translates an earlier source version than the recorded one."""
        version, source = self.versions.get(lang), self.versions.get(source_lang)
        return version is not None and source is not None and lang != source_lang and version.source != source.text

    def with_version(self, version: VersionRecord) -> ReleaseRecord:
        return replace(self, versions={**self.versions, version.lang: version})


def record_dir(config: Config, slug: str) -> Path:
    return config.root / RECORD_DIR / slug


def record_path(config: Config, slug: str) -> Path:
    return record_dir(config, slug) / RECORD_NAME


def interface_copy_path(config: Config, lang: str) -> Path:
    """Return where the record keeps a language's interface strings as last approved (`publish`)."""
    return config.root / RECORD_DIR / INTERFACE_DIR / f"{lang}.po"


def recorded_slugs(config: Config) -> list[str]:
    """Return the slugs of every release with a publication record, sorted (a linked folder is an error)."""
    folder = config.root / RECORD_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue  # an act's staging folder, or something else that is not a release
        linked_record_problem(path)
        if (path / RECORD_NAME).exists():
            found.append(path.name)
    return sorted(found)


def linked_record_problem(folder: Path) -> None:
    """Refuse a release's record folder that is a symbolic link: the record lives in the project."""
    if folder.is_symlink():
        raise PressgenError(
            "is a symbolic link; the record of a release must be a real folder in published/ "
            "(replace the link by the folder it points to)",
            folder,
        )


def read_record(config: Config, slug: str) -> ReleaseRecord | None:
    """Read the publication record of a release; None if it was never published."""
    linked_record_problem(record_dir(config, slug))
    path = record_path(config, slug)
    if not path.exists() and not path.is_symlink():
        return None
    raw = read_regular(path, "publication record", MAX_RECORD_BYTES).data
    try:
        text = raw.decode("utf-8")
        deep = _too_deep(text)
        if deep is not None:
            raise PressgenError(
                f"arrays or tables nested more than {MAX_NESTING} deep: a record holds none (was it edited by hand?)",
                path,
                deep,
            )
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise PressgenError(
            "the publication record is not UTF-8 text", path, raw[: exc.start].count(b"\n") + 1
        ) from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise PressgenError(f"invalid TOML: {str(exc).split(' (at ')[0]}", path, line) from None
    return _validate(slug, path, text, data, config)


def _too_deep(text: str) -> int | None:
    """Return the line where inline arrays or tables nest deeper than `MAX_NESTING`, None if they do not.

    Strings and comments are skipped as TOML reads them; an unclosed one ends the scan (tomllib
    then reports it with its line).
    """
    depth, line, at, end = 0, 1, 0, len(text)
    while at < end:
        char = text[at]
        if char == "\n":
            line += 1
        elif char == "#":
            stop = text.find("\n", at)
            at = end if stop < 0 else stop
            continue
        elif text.startswith(('"""', "'''"), at):
            quote = text[at : at + 3]
            stop = at + 3
            while True:
                stop = text.find(quote, stop)
                if stop < 0 or quote == "'''" or _unescaped(text, stop):
                    break
                stop += 1
            if stop < 0:
                return None
            line += text.count("\n", at, stop)
            at = stop + 3
            continue
        elif char in "\"'":
            stop = at + 1
            while stop < end and text[stop] != char and text[stop] != "\n":
                stop += 2 if char == '"' and text[stop] == "\\" else 1
            at = stop + 1
            continue
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
        at += 1
    return None


def _unescaped(text: str, at: int) -> bool:
    """Tell whether the character at `at` is not escaped by a backslash (an even number before it)."""
    count = 0
    while at - count - 1 >= 0 and text[at - count - 1] == "\\":
        count += 1
    return count % 2 == 0


def _validate(slug: str, path: Path, text: str, data: dict[str, Any], config: Config) -> ReleaseRecord:
    problems = Problems()
    lines = _Lines(text)
    versions: dict[str, VersionRecord] = {}
    withdrawn = None
    for key, value in data.items():
        if key == "withdrawn":
            withdrawn = _withdrawal(value, path, lines, problems, config.codes)
        elif key not in config.codes:
            problems.error(
                f"'{key}' is not one of the configured languages {list(config.codes)}", path, lines.table(key)
            )
        elif not isinstance(value, dict):
            problems.error(f"'{key}' must be a table ([{key}])", path, lines.key(None, key))
        else:
            version = _version(key, value, path, lines, problems)
            if version is not None:
                versions[key] = version
    if not versions and withdrawn is None:
        problems.error("the record names no published language version", path, 1)
    problems.raise_if_any()
    return ReleaseRecord(slug, path, versions, withdrawn)


def _version(lang: str, table: dict[str, Any], path: Path, lines: _Lines, problems: Problems) -> VersionRecord | None:
    line = lines.table(lang)
    for key in table:
        if key not in VERSION_KEYS:
            problems.error(f"unknown key '{key}' in [{lang}]", path, lines.key(lang, key))
    published = _moment(table.get("published"), f"{lang}.published", path, lines.key(lang, "published"), problems)
    text = table.get("text")
    if not isinstance(text, str) or not DIGEST.fullmatch(text):
        problems.error(f'{lang}.text must be a digest such as "sha256:…"', path, lines.key(lang, "text") or line)
    source = table.get("source")
    if source is not None and (not isinstance(source, str) or not DIGEST.fullmatch(source)):
        problems.error(f'{lang}.source must be a digest such as "sha256:…"', path, lines.key(lang, "source"))
        source = None
    updates: list[Update] = []
    raw_updates = table.get("updates", [])
    if not isinstance(raw_updates, list):
        problems.error(f"{lang}.updates must be an array of tables ([[{lang}.updates]])", path, line)
        raw_updates = []
    for number, entry in enumerate(raw_updates):
        where = lines.array_entry(f"{lang}.updates", number)
        if not isinstance(entry, dict):
            problems.error(f"{lang}.updates[{number}] must be a table", path, where)
            continue
        for key in entry:
            if key not in UPDATE_KEYS:
                problems.error(f"unknown key '{key}' in [[{lang}.updates]]", path, where)
        at = _moment(entry.get("at"), f"{lang}.updates[{number}].at", path, where, problems)
        note = entry.get("note")
        if note is not None and (not isinstance(note, str) or not note.strip()):
            problems.error(f"{lang}.updates[{number}].note must be text", path, where)
            note = None
        if at is not None:
            updates.append(Update(at, note, lines.key_after(where, "note") if note else None))
    if published is None or not isinstance(text, str) or not DIGEST.fullmatch(text):
        return None
    if any(b.at < a.at for a, b in itertools.pairwise(updates)) or (updates and updates[0].at < published):
        problems.error(f"the updates of [{lang}] are not in the order of time, after its first publication", path, line)
    return VersionRecord(lang, published, text, source, tuple(updates), line)


def _withdrawal(value: Any, path: Path, lines: _Lines, problems: Problems, codes: tuple[str, ...]) -> Withdrawal | None:
    line = lines.table("withdrawn")
    if not isinstance(value, dict):
        problems.error("'withdrawn' must be a table ([withdrawn])", path, line)
        return None
    for key in value:
        if key not in WITHDRAWN_KEYS:
            problems.error(f"unknown key '{key}' in [withdrawn]", path, lines.key("withdrawn", key))
    at = _moment(value.get("at"), "withdrawn.at", path, lines.key("withdrawn", "at") or line, problems)
    reason = value.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.error("withdrawn.reason must be text", path, lines.key("withdrawn", "reason") or line)
        return None
    translations: dict[str, str] = {}
    raw = value.get("translations", {})
    where = lines.table("withdrawn.translations") or line
    if not isinstance(raw, dict):
        problems.error("withdrawn.translations must be a table ([withdrawn.translations])", path, where)
        raw = {}
    for lang, text in raw.items():
        if lang not in codes:
            problems.error(
                f"withdrawn.translations: '{lang}' is not one of the configured languages {list(codes)}",
                path,
                lines.key_after(where, lang) or where,
            )
        elif not isinstance(text, str) or not text.strip():
            problems.error(f"withdrawn.translations.{lang} must be text", path, lines.key_after(where, lang) or where)
        else:
            translations[lang] = text
    return Withdrawal(at, reason, translations, lines.key("withdrawn", "reason")) if at is not None else None


def _moment(value: Any, name: str, path: Path, line: int | None, problems: Problems) -> dt.datetime | None:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        problems.error(
            f"{name} must be a date and time with its UTC offset, such as 2024-05-17T09:00:00+02:00", path, line
        )
        return None
    return value


class _Lines:
    """Find the line of a table or key in a TOML text (tomllib gives values, not positions)."""

    def __init__(self, text: str):
        self.lines = text.split("\n")

    def table(self, name: str) -> int | None:
        header = re.compile(rf"\s*\[\s*{re.escape(name)}\s*\]\s*(#.*)?$")
        return next((n for n, line in enumerate(self.lines, 1) if header.match(line)), None)

    def array_entry(self, name: str, index: int) -> int | None:
        header = re.compile(rf"\s*\[\[\s*{re.escape(name)}\s*\]\]\s*(#.*)?$")
        found = [n for n, line in enumerate(self.lines, 1) if header.match(line)]
        return found[index] if index < len(found) else None

    def key(self, table: str | None, key: str) -> int | None:
        start = self.table(table) if table is not None else 0
        return self.key_after(start, key) if start is not None else None

    def key_after(self, start: int | None, key: str) -> int | None:
        if start is None:
            return None
        pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
        for number in range(start + 1 if start else 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if line.lstrip().startswith("["):
                return None
            if pattern.match(line):
                return number
        return None


def record_text(config: Config, record: ReleaseRecord, source_lang: str) -> bytes:
    """Return a release's record.toml: plain TOML that reads well in a diff, the source language first."""
    import tomlkit  # only acts write records; every build reads them, and tomlkit is slow to import

    doc = tomlkit.document()
    for line in RECORD_HEADER.format(slug=record.slug).splitlines():
        doc.add(tomlkit.comment(line))
    order = sorted(record.versions, key=lambda lang: (lang != source_lang, config.codes.index(lang)))
    for lang in order:
        version = record.versions[lang]
        table = tomlkit.table()
        table.add("published", _toml_moment(version.published))
        table.add("text", version.text)
        if version.source is not None:
            table.add("source", version.source)
        if version.updates:
            updates = tomlkit.aot()
            for update in version.updates:
                entry = tomlkit.table()
                entry.add("at", _toml_moment(update.at))
                if update.note:
                    entry.add("note", update.note)
                updates.append(entry)
            table.add("updates", updates)
        doc.add(tomlkit.nl())
        doc.add(lang, table)
    if record.withdrawn is not None:
        withdrawn = tomlkit.table()
        withdrawn.add("at", _toml_moment(record.withdrawn.at))
        withdrawn.add("reason", record.withdrawn.reason)
        if record.withdrawn.translations:
            translations = tomlkit.table()
            for lang in sorted(record.withdrawn.translations, key=config.codes.index):
                translations.add(lang, record.withdrawn.translations[lang])
            withdrawn.add("translations", translations)
        doc.add(tomlkit.nl())
        doc.add("withdrawn", withdrawn)
    return tomlkit.dumps(doc).encode("utf-8")


def write_record(config: Config, record: ReleaseRecord, source_lang: str, folder: Path | None = None) -> None:
    """Write a release's record.toml into `folder` (default: its place in published/, through a rename)."""
    dest = (folder or record_dir(config, record.slug)) / RECORD_NAME
    write_new(dest, record_text(config, record, source_lang))


def write_new(path: Path, data: bytes) -> None:
    """Write a file of an act's stage: the name is unlinked first (it may be a hard link shared with the
    live record), then written and flushed to the disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.new")
    temporary.unlink(missing_ok=True)
    with open(temporary, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


@contextmanager
def rewriting(config: Config, slug: str) -> Iterator[Path]:
    """Yield a folder to make the next record of a release in, then swap it in for the current one whole.

    The folder starts as a copy of `published/<slug>/` made of hard links: an act replaces the
    files it changes (never writes into one, which the live record shares) and leaves the others.
    On success the folder takes the release's place in one atomic exchange (`renameat2`), and the
    previous record is removed; on any failure, or a kill, the record stays as it was, and what
    was staged is removed by the next act. Call it with the project's lock held.
    """
    parent = real_dir(config.root / RECORD_DIR, config.root)
    folder = parent / slug
    linked_record_problem(folder)
    if folder.exists() and not folder.is_dir():
        raise PressgenError("is not a folder; the record of a release is a folder in published/", folder)
    remove_stages(parent)
    stage = Path(tempfile.mkdtemp(prefix=f".{slug}.", suffix=".tmp", dir=parent))
    try:
        if folder.is_dir():
            _link_tree(folder, stage)
        try:
            yield stage
        except OSError as exc:
            if exc.errno not in WRITE_FAILURES:
                raise
            raise PressgenError(
                f"{exc.strerror}: nothing was recorded (this release's record is as it was)", folder
            ) from None
        _sync_tree(stage)
        stage.chmod(0o755)
        if not folder.exists():
            os.rename(stage, folder)
        elif not exchange(stage, folder):
            # No atomic exchange on this file system: two renames, as an output's swap does.
            old = stage.with_name(stage.name.removesuffix(".tmp") + "_old.tmp")
            os.rename(folder, old)
            os.rename(stage, folder)
            os.rename(old, stage)
        _sync_folder(parent)
    finally:
        shutil.rmtree(stage, ignore_errors=True)  # what failed to be swapped in, or the previous record


def tidy_record(config: Config) -> None:
    """Remove what acts killed before they ended left in published/: every act does this first."""
    parent = config.root / RECORD_DIR
    if parent.is_dir() and not parent.is_symlink():
        remove_stages(parent)


def remove_stages(parent: Path) -> None:
    """Remove what acts killed before they ended staged in published/ (only folders named as they name them).

    Where the system has no atomic exchange, a record set aside (`…_old.tmp`) whose release has no
    folder (the act was killed between its two renames) is put back instead.
    """
    for entry in os.scandir(parent):
        if not _STAGE.fullmatch(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        home = parent / entry.name[1:].split(".", 1)[0]
        if entry.name.endswith("_old.tmp") and not home.exists() and not home.is_symlink():
            os.rename(entry.path, home)
        else:
            shutil.rmtree(entry.path, ignore_errors=True)


def _link_tree(source: Path, dest: Path) -> None:
    """Fill `dest` with hard links to the files of `source` (links are linked as they are, not followed)."""
    for folder, subfolders, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        for name in subfolders:
            (dest / relative / name).mkdir()
        for name in files:
            os.link(Path(folder) / name, dest / relative / name, follow_symlinks=False)


def _sync_tree(folder: Path) -> None:
    """Flush the folders of a stage to the disk (its files were flushed as they were written)."""
    for path, _, _ in os.walk(folder):
        _sync_folder(Path(path))


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _toml_moment(moment: dt.datetime) -> Item:
    """Return a moment to the second, with its UTC offset as `isoformat` writes it (`+00:00`, not `Z`)."""
    import tomlkit

    return tomlkit.value(moment.replace(microsecond=0).isoformat())
